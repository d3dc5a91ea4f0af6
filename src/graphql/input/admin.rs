//! Inputs of the admin mutations: users, teams, API keys, attributes, organizations.

use async_graphql::{ID, InputObject};

use super::{id, ids, input_path};
use crate::error::AppResult;
use crate::graphql::enums::{AttributeEntity, AttributeType, Role, all_into};
use crate::store::catalog::{
    NewApiKey, NewAttribute, NewTeam, NewUser, OrganizationEdit, TeamMember,
};

#[derive(InputObject, Clone, Debug)]
pub struct CreateUserInput {
    pub name: String,
    pub email: String,
    pub roles: Option<Vec<Role>>,
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

#[derive(InputObject, Clone, Debug)]
pub struct CreateTeamInput {
    pub name: String,
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

#[derive(InputObject, Clone, Debug)]
pub struct AddUserToTeamInput {
    pub team_id: ID,
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

#[derive(InputObject, Clone, Debug)]
pub struct CreateApiKeyInput {
    pub user_id: ID,
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

#[derive(InputObject, Clone, Debug)]
pub struct RevokeApiKeyInput {
    pub id: ID,
}

impl RevokeApiKeyInput {
    /// The key to revoke.
    pub fn cmd(self) -> AppResult<i64> {
        id(&self.id, &input_path("id"))
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct DefineAttributeInput {
    pub entity: AttributeEntity,
    pub key: String,
    #[graphql(name = "type")]
    pub attr_type: AttributeType,
    #[graphql(default)]
    pub required: bool,
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

#[derive(InputObject, Clone, Debug)]
pub struct CreateOrganizationInput {
    pub name: String,
}

#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    pub require_part_procedure_link: Option<bool>,
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
