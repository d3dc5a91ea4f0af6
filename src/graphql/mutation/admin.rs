//! Users, teams, API keys, attribute definitions, organizations.

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::{mutate, payload};
use crate::domain::permission::Permission::{ManageCatalog, ManageOrganizations, ManageUsers};
use crate::graphql::input::admin::*;
use crate::graphql::types::catalog::{ApiKey, AttributeDefinition, Organization, Role, Team, User};
use crate::store::{catalog, roles};

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

payload!(
    CreateRolePayload,
    UpdateRolePayload {
        role: Role(entity::role::Model)
    }
);

/// A role given to (or taken from) a user or a team, each as it is now.
#[derive(SimpleObject)]
pub struct AssignRolePayload {
    /// The role given.
    pub role: Role,
    /// The user, when the input named one.
    pub user: Option<User>,
    /// The team, when the input named one.
    pub team: Option<Team>,
}

/// A role taken from a user or a team, each as it is now.
#[derive(SimpleObject)]
pub struct UnassignRolePayload {
    /// The role taken.
    pub role: Role,
    /// The user, when the input named one.
    pub user: Option<User>,
    /// The team, when the input named one.
    pub team: Option<Team>,
}

impl From<roles::Assigned> for AssignRolePayload {
    fn from(a: roles::Assigned) -> Self {
        AssignRolePayload {
            role: Role(a.role),
            user: a.user.map(User),
            team: a.team.map(Team),
        }
    }
}

impl From<AssignRolePayload> for UnassignRolePayload {
    fn from(a: AssignRolePayload) -> Self {
        UnassignRolePayload {
            role: a.role,
            user: a.user,
            team: a.team,
        }
    }
}

/// ION's payload: the user and the role now held.
#[derive(SimpleObject)]
pub struct AttachRoleToUserPayload {
    /// The user who now holds the role.
    pub user_id: ID,
    /// The role attached.
    pub role_id: ID,
}

/// ION's payload: the team and the role now given to its members.
#[derive(SimpleObject)]
pub struct AttachRoleToTeamPayload {
    /// The team whose members now get the role.
    pub team_id: ID,
    /// The role attached.
    pub role_id: ID,
}

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

    /// A new role holding `permissions` (each of which you must hold). Errors:
    /// `BAD_USER_INPUT` (name taken or empty, `MANAGE_ORGANIZATIONS`), `FORBIDDEN`.
    async fn create_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The role to create.")] input: CreateRoleInput,
    ) -> Result<CreateRolePayload> {
        Ok(mutate!(ctx, ManageUsers, input => roles::create_role).into())
    }

    /// Renames a role or replaces its permissions; everyone holding it gets the change
    /// within seconds. You must hold what it held and what it will hold. Errors:
    /// `NOT_FOUND`, `STALE_ETAG`, `BAD_USER_INPUT`, `FORBIDDEN`.
    async fn update_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The role and its changes.")] input: UpdateRoleInput,
    ) -> Result<UpdateRolePayload> {
        let r = mutate!(ctx, ManageUsers, input => roles::update_role);
        forget_keys(ctx);
        Ok(r.into())
    }

    /// Gives a role to a user or a team (no change if already held). Errors: `NOT_FOUND`,
    /// `BAD_USER_INPUT` (not exactly one of `userId`, `teamId`), `FORBIDDEN`.
    async fn assign_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The role and its new holder.")] input: AssignRoleInput,
    ) -> Result<AssignRolePayload> {
        let a = set_role(ctx, input.cmd(), true).await?;
        Ok(a.into())
    }

    /// Takes a role from a user or a team (no change if not held). Errors: as `assignRole`.
    async fn unassign_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The role and the holder to take it from.")] input: UnassignRoleInput,
    ) -> Result<UnassignRolePayload> {
        let a = set_role(ctx, input.cmd(), false).await?;
        Ok(AssignRolePayload::from(a).into())
    }

    /// ION's name for `assignRole` to a user.
    async fn attach_role_to_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user and the role.")] input: AttachRoleToUserInput,
    ) -> Result<AttachRoleToUserPayload> {
        let user_id = input.user_id.clone();
        let a = set_role(ctx, input.cmd(), true).await?;
        Ok(AttachRoleToUserPayload {
            user_id,
            role_id: a.role.id.into(),
        })
    }

    /// ION's name for `assignRole` to a team.
    async fn attach_role_to_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team and the role.")] input: AttachRoleToTeamInput,
    ) -> Result<AttachRoleToTeamPayload> {
        let team_id = input.team_id.clone();
        let a = set_role(ctx, input.cmd(), true).await?;
        Ok(AttachRoleToTeamPayload {
            team_id,
            role_id: a.role.id.into(),
        })
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

/// Gives (`assign`) or takes a role: the body of the four role-assignment mutations.
async fn set_role(
    ctx: &Context<'_>,
    cmd: crate::error::AppResult<roles::Assignment>,
    assign: bool,
) -> Result<roles::Assigned> {
    let a = mutate!(ctx, ManageUsers, |txn, c| match cmd {
        Ok(cmd) => roles::set_assignment(&txn, c, cmd, assign).await,
        Err(e) => Err(e),
    });
    forget_keys(ctx);
    Ok(a)
}
