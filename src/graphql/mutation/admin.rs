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

/// What `addUserToTeam` returns.
#[derive(SimpleObject)]
pub struct AddUserToTeamPayload {
    /// The team, with the user among its members.
    pub team: Team,
    /// The team and the user joined (ION's payload names them).
    pub team_id: ID,
    /// The user added.
    pub user_id: ID,
}

/// What `createApiKey` returns.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The new key.
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

/// What `createOrganization` returns.
#[derive(SimpleObject)]
pub struct CreateOrganizationPayload {
    /// The new organization.
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
    /// A new user of the caller's organization.
    /// Errors: FORBIDDEN (also granting roles or clearance the caller lacks), BAD_USER_INPUT
    /// (empty name, bad or taken e-mail).
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user to create.")] input: CreateUserInput,
    ) -> Result<CreateUserPayload> {
        let u = mutate!(ctx, ManageUsers, input => catalog::create_user);
        forget_keys(ctx);
        Ok(u.into())
    }

    /// A new team, with members and the roles it grants them.
    /// Errors: FORBIDDEN (also roles the caller lacks, or a member holding more than the
    /// caller), NOT_FOUND (a user), BAD_USER_INPUT.
    async fn create_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team to create.")] input: CreateTeamInput,
    ) -> Result<CreateTeamPayload> {
        team_out(
            ctx,
            mutate!(ctx, ManageUsers, input => catalog::create_team),
        )
    }

    /// Adds a user to a team.
    /// Errors: FORBIDDEN (also a team or user holding more than the caller), NOT_FOUND,
    /// BAD_USER_INPUT.
    async fn add_user_to_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team and the user.")] input: AddUserToTeamInput,
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
    /// Errors: FORBIDDEN (also a user holding more than the caller), NOT_FOUND, BAD_USER_INPUT.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user and the key's name.")] input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        let (k, token) = mutate!(ctx, ManageUsers, input => catalog::create_api_key);
        forget_keys(ctx);
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(k),
            token,
        })
    }

    /// Revokes a key: it authenticates nothing from now on.
    /// Errors: FORBIDDEN (also a key of a user holding more than the caller), NOT_FOUND,
    /// BAD_USER_INPUT.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key to revoke.")] input: RevokeApiKeyInput,
    ) -> Result<RevokeApiKeyPayload> {
        let k = mutate!(ctx, ManageUsers, input => catalog::revoke_api_key);
        forget_keys(ctx);
        Ok(k.into())
    }

    /// A custom attribute for runs, parts, ...
    /// Errors: FORBIDDEN, BAD_USER_INPUT (empty key, the key already defined, a SELECT without
    /// options).
    async fn define_attribute(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The attribute to define.")] input: DefineAttributeInput,
    ) -> Result<DefineAttributePayload> {
        Ok(mutate!(ctx, ManageCatalog, input => catalog::define_attribute).into())
    }

    /// A new organization with its first admin (system administrators only).
    /// Errors: FORBIDDEN, BAD_USER_INPUT (empty name).
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization to create.")] input: CreateOrganizationInput,
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
    /// Errors: FORBIDDEN, BAD_USER_INPUT (empty name, a bad domain).
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateOrganizationInput,
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
