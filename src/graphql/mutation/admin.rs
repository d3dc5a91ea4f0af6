//! Users, teams, API keys, attribute definitions, organizations.

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::{mutate, payload};
use crate::domain::permission::Permission::{ManageCatalog, ManageOrganizations, ManageUsers};
use crate::graphql::input::admin::*;
use crate::graphql::types::catalog::{ApiKey, AttributeDefinition, Organization, Team, User};
use crate::store::catalog;

#[derive(Default)]
pub struct AdminMutation;

payload!(CreateUserPayload {
    user: User(entity::user::Model)
});

payload!(CreateTeamPayload {
    team: Team(entity::team::Model)
});

#[derive(SimpleObject)]
pub struct AddUserToTeamPayload {
    pub team: Team,
    /// The team and the user joined (ION's payload names them).
    pub team_id: ID,
    pub user_id: ID,
}

#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub api_key: ApiKey,
    /// The key to send as `Authorization: Bearer <token>`. Shown only this once.
    pub token: String,
}

payload!(RevokeApiKeyPayload {
    api_key: ApiKey(entity::api_key::Model)
});

payload!(DefineAttributePayload {
    attribute_definition: AttributeDefinition(entity::attribute_definition::Model)
});

#[derive(SimpleObject)]
pub struct CreateOrganizationPayload {
    pub organization: Organization,
    /// The new organization's first admin key. Shown only this once.
    pub token: String,
}

payload!(UpdateOrganizationPayload {
    organization: Organization
});

fn org(m: entity::organization::Model) -> Organization {
    Organization::from(m)
}

#[Object]
impl AdminMutation {
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
    ) -> Result<CreateUserPayload> {
        let u = mutate!(ctx, ManageUsers, input => catalog::create_user);
        forget_keys(ctx);
        Ok(u.into())
    }

    async fn create_team(
        &self,
        ctx: &Context<'_>,
        input: CreateTeamInput,
    ) -> Result<CreateTeamPayload> {
        team_out(
            ctx,
            mutate!(ctx, ManageUsers, input => catalog::create_team),
        )
    }

    async fn add_user_to_team(
        &self,
        ctx: &Context<'_>,
        input: AddUserToTeamInput,
    ) -> Result<AddUserToTeamPayload> {
        let user_id = input.user_id.clone();
        let t = mutate!(ctx, ManageUsers, input => catalog::add_user_to_team);
        let team: CreateTeamPayload = team_out(ctx, t)?;
        Ok(AddUserToTeamPayload {
            team_id: team.team.0.id.into(),
            user_id,
            team: team.team,
        })
    }

    /// A new key acting as `userId` with that user's current roles.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        let (k, token) = mutate!(ctx, ManageUsers, input => catalog::create_api_key);
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
    ) -> Result<RevokeApiKeyPayload> {
        let k = mutate!(ctx, ManageUsers, input => catalog::revoke_api_key);
        forget_keys(ctx);
        Ok(k.into())
    }

    /// A custom attribute for runs, parts, ...
    async fn define_attribute(
        &self,
        ctx: &Context<'_>,
        input: DefineAttributeInput,
    ) -> Result<DefineAttributePayload> {
        Ok(mutate!(ctx, ManageCatalog, input => catalog::define_attribute).into())
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
    ) -> Result<UpdateOrganizationPayload> {
        let o = mutate!(ctx, ManageUsers, input => catalog::update_organization);
        Ok(org(o).into())
    }
}

/// A team as returned by a mutation; its members' cached keys are forgotten.
fn team_out<P: From<entity::team::Model>>(ctx: &Context<'_>, t: entity::team::Model) -> Result<P> {
    forget_keys(ctx);
    Ok(t.into())
}

/// Users, teams and keys changed: cached callers may be stale.
fn forget_keys(ctx: &Context<'_>) {
    ctx.data_unchecked::<crate::graphql::ctx::AppData>()
        .keys
        .clear();
}
