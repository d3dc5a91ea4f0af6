//! Inputs of the admin mutations: users, teams, API keys, attributes, organizations.

use async_graphql::{ID, InputObject};

use super::{id, input_path};
use crate::error::AppResult;
use crate::graphql::enums::{AttributeEntity, AttributeType, Permission};
use crate::store::commands::{
    Assignment, AttributeDefinition, NewApiKey, NewRole, NewTeam, NewUser, OrganizationEdit,
    RoleEdit, TeamMember,
};

command_input! {
    /// A new user.
    CreateUserInput => NewUser {
        /// The user's name; must not be empty.
        name: String,
        /// The user's e-mail address, unique (stored lower case).
        email: String,
        /// Role names (`["OPERATOR"]`); with `roleIds` also absent, all five built-in roles
        /// (ADMIN, ENGINEER, PLANNER, OPERATOR, VIEWER), which the caller must hold.
        roles: Option<Vec<String>>,
        /// Roles by id, besides those named.
        role_ids: Option<Vec<ID>> => ids_or_empty("roleIds"),
        /// Cleared for export-controlled work; default false (only a cleared caller may set it).
        #[graphql(default)]
        export_control_cleared: bool,
    }

    /// A new team.
    CreateTeamInput => NewTeam {
        /// The team's name; must not be empty.
        name: String,
        /// The first members.
        user_ids: Option<Vec<ID>> => ids_or_empty("userIds"),
        /// Names of roles every member gets through the team.
        roles: Option<Vec<String>> => or_default,
        /// Roles by id, besides those named.
        role_ids: Option<Vec<ID>> => ids_or_empty("roleIds"),
        /// The user who leads the team (ION's `supervisorId`).
        supervisor_id: Option<ID> => opt_id("supervisorId"),
    }

    /// A user to add to a team.
    AddUserToTeamInput => TeamMember {
        /// The team.
        team_id: ID => id("teamId"),
        /// The user.
        user_id: ID => id("userId"),
    }

    /// A new API key.
    CreateApiKeyInput => NewApiKey {
        /// The user the key acts as.
        user_id: ID => id("userId"),
        /// A name to tell keys apart.
        name: Option<String>,
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

command_input! {
    /// A new organization-defined attribute.
    DefineAttributeInput => AttributeDefinition {
        /// The kind of entity it is set on.
        entity: AttributeEntity => into,
        /// The key; must not be empty, unique per entity kind.
        key: String,
        /// The type of its values.
        #[graphql(name = "type")]
        attr_type: AttributeType => into,
        /// A required RUN attribute must be given on every run created; default false.
        #[graphql(default)]
        required: bool,
        /// The choices of a SELECT attribute (required there).
        options: Option<Vec<String>>,
    }
}

/// A new organization.
#[derive(InputObject, Clone, Debug)]
pub struct CreateOrganizationInput {
    /// Its name; must not be empty.
    pub name: String,
}

command_input! {
    /// Changes to the caller's organization; absent fields stay as they are.
    UpdateOrganizationInput => OrganizationEdit {
        /// true: a run's procedure must be linked to its part.
        require_part_procedure_link: Option<bool>,
        /// New name; must not be empty.
        name: Option<String>,
        /// The organization's e-mail domain, e.g. `example.com`; an empty string clears it.
        domain: Option<String>,
    }

    /// A new role of the caller's organization.
    CreateRoleInput => NewRole {
        /// Unique in the organization.
        name: String,
        /// What the role lets its holders do; you must hold each yourself.
        permissions: Vec<Permission> => all_into,
    }

    /// Changes to a role; an absent field is left as it is.
    UpdateRoleInput => RoleEdit {
        /// The role to change.
        id: ID => id("id"),
        /// The role's `_etag` as last read.
        etag: String,
        /// A new name, unique in the organization.
        name: Option<String>,
        /// The role's permissions from now on (replacing them all).
        permissions: Option<Vec<Permission>> => opt_all_into,
    }
}

/// The inputs of `assignRole` and `unassignRole`: the same fields, two contract names.
macro_rules! assignment_input {
    ($($name:ident),*) => {$(
        /// A role and exactly one user or team.
        #[derive(InputObject, Clone, Debug)]
        pub struct $name {
            /// The role.
            pub role_id: ID,
            /// The user (give this or `teamId`).
            pub user_id: Option<ID>,
            /// The team, whose members hold its roles (give this or `userId`).
            pub team_id: Option<ID>,
        }

        impl $name {
            pub fn cmd(self) -> AppResult<Assignment> {
                assignment(&self.role_id, &self.user_id, &self.team_id)
            }
        }
    )*};
}

assignment_input!(AssignRoleInput, UnassignRoleInput);

fn assignment(role: &ID, user: &Option<ID>, team: &Option<ID>) -> AppResult<Assignment> {
    let opt =
        |v: &Option<ID>, f: &'static str| v.as_ref().map(|v| id(v, &input_path(f))).transpose();
    Ok(Assignment {
        role_id: id(role, &input_path("roleId"))?,
        user_id: opt(user, "userId")?,
        team_id: opt(team, "teamId")?,
    })
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
