//! Inputs of the admin mutations: users, teams, API keys, attributes, organizations.

use async_graphql::{ID, InputObject};

use super::{id, ids, input_path};
use crate::error::AppResult;
use crate::graphql::enums::{AttributeEntity, AttributeType, Role, all_into};
use crate::store::catalog::{
    NewApiKey, NewAttribute, NewTeam, NewUser, OrganizationEdit, TeamMember,
};

/// A new user.
#[derive(InputObject, Clone, Debug)]
pub struct CreateUserInput {
    /// The user's name; must not be empty.
    pub name: String,
    /// The user's e-mail address, unique (stored lower case).
    pub email: String,
    /// The user's roles; default VIEWER. Only roles whose permissions the caller holds.
    pub roles: Option<Vec<Role>>,
    /// Cleared for export-controlled work; default false (only a cleared caller may set it).
    #[graphql(default)]
    pub export_control_cleared: bool,
}

impl CreateUserInput {
    pub fn cmd(self) -> AppResult<NewUser> {
        Ok(NewUser {
            name: self.name,
            email: self.email,
            roles: self.roles.map(all_into),
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
    /// Roles every member gets through the team.
    pub roles: Option<Vec<Role>>,
}

impl CreateTeamInput {
    pub fn cmd(self) -> AppResult<NewTeam> {
        let user_ids = self.user_ids.unwrap_or_default();
        Ok(NewTeam {
            name: self.name,
            user_ids: ids(&user_ids, &input_path("userIds"))?,
            roles: all_into(self.roles.unwrap_or_default()),
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
