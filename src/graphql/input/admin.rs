//! Inputs of the admin mutations: users, teams, API keys, attributes, organizations.

use async_graphql::{ID, InputObject};

use super::{id, ids, input_path};
use crate::error::AppResult;
use crate::graphql::enums::{AttributeEntity, AttributeType, Permission, all_into};
use crate::store::catalog::{
    NewApiKey, NewAttribute, NewTeam, NewUser, OrganizationEdit, TeamMember,
};
use crate::store::roles::{Assignment, NewRole, RoleEdit};

/// A new user.
#[derive(InputObject, Clone, Debug)]
pub struct CreateUserInput {
    /// The user's name; must not be empty.
    pub name: String,
    /// The user's e-mail address, unique (stored lower case).
    pub email: String,
    /// Role names (`["OPERATOR"]`); with `roleIds` also absent, all five built-in roles
    /// (ADMIN, ENGINEER, PLANNER, OPERATOR, VIEWER), which the caller must hold.
    pub roles: Option<Vec<String>>,
    /// Roles by id, besides those named.
    pub role_ids: Option<Vec<ID>>,
    /// Cleared for export-controlled work; default false (only a cleared caller may set it).
    #[graphql(default)]
    pub export_control_cleared: bool,
}

impl CreateUserInput {
    pub fn cmd(self) -> AppResult<NewUser> {
        Ok(NewUser {
            name: self.name,
            email: self.email,
            roles: self.roles,
            role_ids: ids(&self.role_ids.unwrap_or_default(), &input_path("roleIds"))?,
            export_control_cleared: self.export_control_cleared,
        })
    }
}

/// A new team.
#[derive(InputObject, Clone, Debug)]
pub struct CreateTeamInput {
    /// The team's name; must not be empty.
    pub name: String,
    /// The first members.
    pub user_ids: Option<Vec<ID>>,
    /// Names of roles every member gets through the team.
    pub roles: Option<Vec<String>>,
    /// Roles by id, besides those named.
    pub role_ids: Option<Vec<ID>>,
    /// The user who leads the team (ION's `supervisorId`).
    pub supervisor_id: Option<ID>,
}

impl CreateTeamInput {
    pub fn cmd(self) -> AppResult<NewTeam> {
        let user_ids = self.user_ids.unwrap_or_default();
        Ok(NewTeam {
            name: self.name,
            user_ids: ids(&user_ids, &input_path("userIds"))?,
            roles: self.roles.unwrap_or_default(),
            role_ids: ids(&self.role_ids.unwrap_or_default(), &input_path("roleIds"))?,
            supervisor_id: self
                .supervisor_id
                .map(|s| id(&s, &input_path("supervisorId")))
                .transpose()?,
        })
    }
}

/// A user to add to a team.
#[derive(InputObject, Clone, Debug)]
pub struct AddUserToTeamInput {
    /// The team.
    pub team_id: ID,
    /// The user.
    pub user_id: ID,
}

impl AddUserToTeamInput {
    pub fn cmd(self) -> AppResult<TeamMember> {
        Ok(TeamMember {
            team_id: id(&self.team_id, &input_path("teamId"))?,
            user_id: id(&self.user_id, &input_path("userId"))?,
        })
    }
}

/// A new API key.
#[derive(InputObject, Clone, Debug)]
pub struct CreateApiKeyInput {
    /// The user the key acts as.
    pub user_id: ID,
    /// A name to tell keys apart.
    pub name: Option<String>,
}

impl CreateApiKeyInput {
    pub fn cmd(self) -> AppResult<NewApiKey> {
        Ok(NewApiKey {
            user_id: id(&self.user_id, &input_path("userId"))?,
            name: self.name,
        })
    }
}

/// An API key to revoke.
#[derive(InputObject, Clone, Debug)]
pub struct RevokeApiKeyInput {
    /// The key's id.
    pub id: ID,
}

impl RevokeApiKeyInput {
    /// The key to revoke.
    pub fn cmd(self) -> AppResult<i64> {
        id(&self.id, &input_path("id"))
    }
}

/// A new organization-defined attribute.
#[derive(InputObject, Clone, Debug)]
pub struct DefineAttributeInput {
    /// The kind of entity it is set on.
    pub entity: AttributeEntity,
    /// The key; must not be empty, unique per entity kind.
    pub key: String,
    /// The type of its values.
    #[graphql(name = "type")]
    pub attr_type: AttributeType,
    /// A required RUN attribute must be given on every run created; default false.
    #[graphql(default)]
    pub required: bool,
    /// The choices of a SELECT attribute (required there).
    pub options: Option<Vec<String>>,
}

impl DefineAttributeInput {
    pub fn cmd(self) -> AppResult<NewAttribute> {
        Ok(NewAttribute {
            entity: self.entity.into(),
            key: self.key,
            attr_type: self.attr_type.into(),
            required: self.required,
            options: self.options,
        })
    }
}

/// A new organization.
#[derive(InputObject, Clone, Debug)]
pub struct CreateOrganizationInput {
    /// Its name; must not be empty.
    pub name: String,
}

/// Changes to the caller's organization; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    /// true: a run's procedure must be linked to its part.
    pub require_part_procedure_link: Option<bool>,
    /// New name; must not be empty.
    pub name: Option<String>,
    /// The organization's e-mail domain, e.g. `example.com`; an empty string clears it.
    pub domain: Option<String>,
}

impl UpdateOrganizationInput {
    pub fn cmd(self) -> AppResult<OrganizationEdit> {
        Ok(OrganizationEdit {
            name: self.name,
            require_part_procedure_link: self.require_part_procedure_link,
            domain: self.domain,
        })
    }
}

/// A new role of the caller's organization.
#[derive(InputObject, Clone, Debug)]
pub struct CreateRoleInput {
    /// Unique in the organization.
    pub name: String,
    /// What the role lets its holders do; you must hold each yourself.
    pub permissions: Vec<Permission>,
}

impl CreateRoleInput {
    pub fn cmd(self) -> AppResult<NewRole> {
        Ok(NewRole {
            name: self.name,
            permissions: all_into(self.permissions),
        })
    }
}

/// Changes to a role; an absent field is left as it is.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateRoleInput {
    /// The role to change.
    pub id: ID,
    /// The role's `_etag` as last read.
    pub etag: String,
    /// A new name, unique in the organization.
    pub name: Option<String>,
    /// The role's permissions from now on (replacing them all).
    pub permissions: Option<Vec<Permission>>,
}

impl UpdateRoleInput {
    pub fn cmd(self) -> AppResult<RoleEdit> {
        Ok(RoleEdit {
            id: id(&self.id, &input_path("id"))?,
            etag: self.etag,
            name: self.name,
            permissions: self.permissions.map(all_into),
        })
    }
}

/// A role and exactly one user or team.
#[derive(InputObject, Clone, Debug)]
pub struct AssignRoleInput {
    /// The role.
    pub role_id: ID,
    /// The user (give this or `teamId`).
    pub user_id: Option<ID>,
    /// The team, whose members hold its roles (give this or `userId`).
    pub team_id: Option<ID>,
}

/// A role and exactly one user or team.
#[derive(InputObject, Clone, Debug)]
pub struct UnassignRoleInput {
    /// The role.
    pub role_id: ID,
    /// The user (give this or `teamId`).
    pub user_id: Option<ID>,
    /// The team, whose members hold its roles (give this or `userId`).
    pub team_id: Option<ID>,
}

fn assignment(role: &ID, user: &Option<ID>, team: &Option<ID>) -> AppResult<Assignment> {
    let opt =
        |v: &Option<ID>, f: &'static str| v.as_ref().map(|v| id(v, &input_path(f))).transpose();
    Ok(Assignment {
        role_id: id(role, &input_path("roleId"))?,
        user_id: opt(user, "userId")?,
        team_id: opt(team, "teamId")?,
    })
}

impl AssignRoleInput {
    pub fn cmd(self) -> AppResult<Assignment> {
        assignment(&self.role_id, &self.user_id, &self.team_id)
    }
}

impl UnassignRoleInput {
    pub fn cmd(self) -> AppResult<Assignment> {
        assignment(&self.role_id, &self.user_id, &self.team_id)
    }
}

/// ION's `attachRoleToUser` input (ION: `RoleToUserInput`).
#[derive(InputObject, Clone, Debug)]
pub struct AttachRoleToUserInput {
    /// The user.
    pub user_id: ID,
    /// The role to give them.
    pub role_id: ID,
}

impl AttachRoleToUserInput {
    pub fn cmd(self) -> AppResult<Assignment> {
        assignment(&self.role_id, &Some(self.user_id), &None)
    }
}

/// ION's `attachRoleToTeam` input (ION: `TeamToRoleInput`).
#[derive(InputObject, Clone, Debug)]
pub struct AttachRoleToTeamInput {
    /// The team.
    pub team_id: ID,
    /// The role its members get through it.
    pub role_id: ID,
}

impl AttachRoleToTeamInput {
    pub fn cmd(self) -> AppResult<Assignment> {
        assignment(&self.role_id, &None, &Some(self.team_id))
    }
}
