//! Users, teams, API keys, attribute definitions, organizations.

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::mutate;
use crate::domain::permission::Permission::{ManageCatalog, ManageOrganizations, ManageUsers};
use crate::graphql::types::catalog::{ApiKey, AttributeDefinition, Team, User};
use crate::graphql::types::id;
use crate::input::*;
use crate::store::catalog;

#[derive(Default)]
pub struct AdminMutation;

#[derive(SimpleObject)]
pub struct UserPayload {
    pub user: User,
}

#[derive(SimpleObject)]
pub struct TeamPayload {
    pub team: Team,
}

#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub api_key: ApiKey,
    /// The key to send as `Authorization: Bearer <token>`. Shown only this once.
    pub token: String,
}

#[derive(SimpleObject)]
pub struct ApiKeyPayload {
    pub api_key: ApiKey,
}

#[derive(SimpleObject)]
pub struct AttributeDefinitionPayload {
    pub attribute_definition: AttributeDefinition,
}

#[derive(SimpleObject)]
pub struct Organization {
    pub id: ID,
    pub name: String,
    /// When true, a run's procedure must be linked to its part.
    pub require_part_procedure_link: bool,
}

#[derive(SimpleObject)]
pub struct CreateOrganizationPayload {
    pub organization: Organization,
    /// The new organization's first admin key. Shown only this once.
    pub token: String,
}

#[derive(SimpleObject)]
pub struct OrganizationPayload {
    pub organization: Organization,
}

#[derive(async_graphql::InputObject)]
pub struct UpdateOrganizationInput {
    pub require_part_procedure_link: Option<bool>,
    pub name: Option<String>,
}

fn org(m: entity::organization::Model) -> Organization {
    Organization {
        id: id(m.id),
        name: m.name,
        require_part_procedure_link: m.require_part_procedure_link,
    }
}

#[Object]
impl AdminMutation {
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<UserPayload> {
        let u = mutate!(ctx, ManageUsers, |txn, c| catalog::create_user(
            &txn, c, input
        )
        .await);
        forget_keys(ctx);
        Ok(UserPayload { user: User(u) })
    }

    async fn create_team(&self, ctx: &Context<'_>, input: CreateTeamInput) -> Result<TeamPayload> {
        let t = mutate!(ctx, ManageUsers, |txn, c| catalog::create_team(
            &txn, c, input
        )
        .await);
        forget_keys(ctx);
        Ok(TeamPayload { team: Team(t) })
    }

    async fn add_user_to_team(
        &self,
        ctx: &Context<'_>,
        input: AddUserToTeamInput,
    ) -> Result<TeamPayload> {
        let t = mutate!(ctx, ManageUsers, |txn, c| catalog::add_user_to_team(
            &txn, c, input
        )
        .await);
        forget_keys(ctx);
        Ok(TeamPayload { team: Team(t) })
    }

    /// A new key acting as `userId` with that user's current roles.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        let (k, token) = mutate!(ctx, ManageUsers, |txn, c| catalog::create_api_key(
            &txn, c, input
        )
        .await);
        forget_keys(ctx);
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(k),
            token,
        })
    }

    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        input: RevokeApiKeyInput,
    ) -> Result<ApiKeyPayload> {
        let k = mutate!(ctx, ManageUsers, |txn, c| catalog::revoke_api_key(
            &txn, c, input
        )
        .await);
        forget_keys(ctx);
        Ok(ApiKeyPayload { api_key: ApiKey(k) })
    }

    /// A custom attribute for runs, parts, ...
    async fn define_attribute(
        &self,
        ctx: &Context<'_>,
        input: DefineAttributeInput,
    ) -> Result<AttributeDefinitionPayload> {
        let a = mutate!(ctx, ManageCatalog, |txn, c| catalog::define_attribute(
            &txn, c, input
        )
        .await);
        Ok(AttributeDefinitionPayload {
            attribute_definition: AttributeDefinition(a),
        })
    }

    /// A new organization with its first admin (system administrators only).
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganizationInput,
    ) -> Result<CreateOrganizationPayload> {
        let (o, token) = mutate!(ctx, ManageOrganizations, |txn, _c| {
            catalog::create_organization(&txn, &input.name).await
        });
        Ok(CreateOrganizationPayload {
            organization: org(o),
            token,
        })
    }

    /// Settings of the caller's organization (admins).
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganizationInput,
    ) -> Result<OrganizationPayload> {
        let o = mutate!(ctx, ManageUsers, |txn, c| {
            catalog::update_organization(&txn, c, input.name, input.require_part_procedure_link)
                .await
        });
        Ok(OrganizationPayload {
            organization: org(o),
        })
    }
}

/// Users, teams and keys changed: cached callers may be stale.
fn forget_keys(ctx: &Context<'_>) {
    ctx.data_unchecked::<crate::graphql::ctx::AppData>()
        .keys
        .clear();
}
