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

payload!(
    CreateRolePayload,
    UpdateRolePayload {
        role: Role(entity::role::Model)
    }
);

/// A role given to (or taken from) a user or a team, each as it is now.
#[derive(SimpleObject)]
pub struct AssignRolePayload {
    pub role: Role,
    /// The user, when the input named one.
    pub user: Option<User>,
    /// The team, when the input named one.
    pub team: Option<Team>,
}

/// A role taken from a user or a team, each as it is now.
#[derive(SimpleObject)]
pub struct UnassignRolePayload {
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
    pub user_id: ID,
    pub role_id: ID,
}

/// ION's payload: the team and the role now given to its members.
#[derive(SimpleObject)]
pub struct AttachRoleToTeamPayload {
    pub team_id: ID,
    pub role_id: ID,
}

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

    /// A new role holding `permissions` (each of which you must hold). Errors:
    /// `BAD_USER_INPUT` (name taken or empty, `MANAGE_ORGANIZATIONS`), `FORBIDDEN`.
    async fn create_role(
        &self,
        ctx: &Context<'_>,
        input: CreateRoleInput,
    ) -> Result<CreateRolePayload> {
        Ok(mutate!(ctx, ManageUsers, input => roles::create_role).into())
    }

    /// Renames a role or replaces its permissions; everyone holding it gets the change
    /// within seconds. You must hold what it held and what it will hold. Errors:
    /// `NOT_FOUND`, `STALE_ETAG`, `BAD_USER_INPUT`, `FORBIDDEN`.
    async fn update_role(
        &self,
        ctx: &Context<'_>,
        input: UpdateRoleInput,
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
        input: AssignRoleInput,
    ) -> Result<AssignRolePayload> {
        let a = mutate!(ctx, ManageUsers, |txn, c| match input.cmd() {
            Ok(cmd) => roles::set_assignment(&txn, c, cmd, true).await,
            Err(e) => Err(e),
        });
        forget_keys(ctx);
        Ok(a.into())
    }

    /// Takes a role from a user or a team (no change if not held). Errors: as `assignRole`.
    async fn unassign_role(
        &self,
        ctx: &Context<'_>,
        input: UnassignRoleInput,
    ) -> Result<UnassignRolePayload> {
        let a = mutate!(ctx, ManageUsers, |txn, c| match input.cmd() {
            Ok(cmd) => roles::set_assignment(&txn, c, cmd, false).await,
            Err(e) => Err(e),
        });
        forget_keys(ctx);
        Ok(AssignRolePayload::from(a).into())
    }

    /// ION's name for `assignRole` to a user.
    async fn attach_role_to_user(
        &self,
        ctx: &Context<'_>,
        input: AttachRoleToUserInput,
    ) -> Result<AttachRoleToUserPayload> {
        let user_id = input.user_id.clone();
        let a = mutate!(ctx, ManageUsers, |txn, c| match input.cmd() {
            Ok(cmd) => roles::set_assignment(&txn, c, cmd, true).await,
            Err(e) => Err(e),
        });
        forget_keys(ctx);
        Ok(AttachRoleToUserPayload {
            user_id,
            role_id: a.role.id.into(),
        })
    }

    /// ION's name for `assignRole` to a team.
    async fn attach_role_to_team(
        &self,
        ctx: &Context<'_>,
        input: AttachRoleToTeamInput,
    ) -> Result<AttachRoleToTeamPayload> {
        let team_id = input.team_id.clone();
        let a = mutate!(ctx, ManageUsers, |txn, c| match input.cmd() {
            Ok(cmd) => roles::set_assignment(&txn, c, cmd, true).await,
            Err(e) => Err(e),
        });
        forget_keys(ctx);
        Ok(AttachRoleToTeamPayload {
            team_id,
            role_id: a.role.id.into(),
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
