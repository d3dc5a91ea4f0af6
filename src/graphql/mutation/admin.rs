//! Users, teams, API keys, attribute definitions, organizations.

use async_graphql::{Context, ID, Result, SimpleObject};

use super::{mutate, mutations, payload};
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

/// `assignRole`'s and `unassignRole`'s payloads: the role `$what` a user or a team, each
/// as it is now.
macro_rules! assignment_payload {
    ($($name:ident: $what:literal, $done:literal;)*) => {$(
        #[doc = concat!("A role ", $what, " a user or a team, each as it is now.")]
        #[derive(SimpleObject)]
        pub struct $name {
            #[doc = concat!("The role ", $done, ".")]
            pub role: Role,
            /// The user, when the input named one.
            pub user: Option<User>,
            /// The team, when the input named one.
            pub team: Option<Team>,
        }

        impl From<roles::Assigned> for $name {
            fn from(a: roles::Assigned) -> Self {
                $name {
                    role: Role(a.role),
                    user: a.user.map(User),
                    team: a.team.map(Team),
                }
            }
        }
    )*};
}

assignment_payload! {
    AssignRolePayload: "given to (or taken from)", "given";
    UnassignRolePayload: "taken from", "taken";
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

mutations! { AdminMutation {
    /// A new user of the caller's organization.
    /// Errors: FORBIDDEN (also granting roles or clearance the caller lacks), BAD_USER_INPUT
    /// (empty name, bad or taken e-mail).
    fn create_user(ctx, input: CreateUserInput, "The user to create.") -> CreateUserPayload {
        let u = mutate!(ctx, ManageUsers, input => catalog::create_user);
        forget_keys(ctx);
        Ok(u.into())
    }

    /// A new team, with members and the roles it grants them.
    /// Errors: FORBIDDEN (also roles the caller lacks, or a member holding more than the
    /// caller), NOT_FOUND (a user), BAD_USER_INPUT.
    fn create_team(ctx, input: CreateTeamInput, "The team to create.") -> CreateTeamPayload {
        team_out(
            ctx,
            mutate!(ctx, ManageUsers, input => catalog::create_team),
        )
    }

    /// Adds a user to a team.
    /// Errors: FORBIDDEN (also a team or user holding more than the caller), NOT_FOUND,
    /// BAD_USER_INPUT.
    fn add_user_to_team(ctx, input: AddUserToTeamInput, "The team and the user.")
        -> AddUserToTeamPayload {
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
    fn create_api_key(ctx, input: CreateApiKeyInput, "The user and the key's name.")
        -> CreateApiKeyPayload {
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
    fn revoke_api_key(ctx, input: RevokeApiKeyInput, "The key to revoke.") -> RevokeApiKeyPayload {
        let k = mutate!(ctx, ManageUsers, input => catalog::revoke_api_key);
        forget_keys(ctx);
        Ok(k.into())
    }

    /// A custom attribute for runs, parts, ...
    /// Errors: FORBIDDEN, BAD_USER_INPUT (empty key, the key already defined, a SELECT without
    /// options).
    fn define_attribute(ctx, input: DefineAttributeInput, "The attribute to define.")
        -> DefineAttributePayload {
        Ok(mutate!(ctx, ManageCatalog, input => catalog::define_attribute).into())
    }

    /// A new role holding `permissions` (each of which you must hold). Errors:
    /// `BAD_USER_INPUT` (name taken or empty, `MANAGE_ORGANIZATIONS`), `FORBIDDEN`.
    fn create_role(ctx, input: CreateRoleInput, "The role to create.") -> CreateRolePayload {
        Ok(mutate!(ctx, ManageUsers, input => roles::create_role).into())
    }

    /// Renames a role or replaces its permissions; everyone holding it gets the change
    /// within seconds. You must hold what it held and what it will hold. Errors:
    /// `NOT_FOUND`, `STALE_ETAG`, `BAD_USER_INPUT`, `FORBIDDEN`.
    fn update_role(ctx, input: UpdateRoleInput, "The role and its changes.") -> UpdateRolePayload {
        let r = mutate!(ctx, ManageUsers, input => roles::update_role);
        forget_keys(ctx);
        Ok(r.into())
    }

    /// Gives a role to a user or a team (no change if already held). Errors: `NOT_FOUND`,
    /// `BAD_USER_INPUT` (not exactly one of `userId`, `teamId`), `FORBIDDEN`.
    fn assign_role(ctx, input: AssignRoleInput, "The role and its new holder.")
        -> AssignRolePayload {
        let a = set_role(ctx, input.cmd(), true).await?;
        Ok(a.into())
    }

    /// Takes a role from a user or a team (no change if not held). Errors: as `assignRole`.
    fn unassign_role(ctx, input: UnassignRoleInput, "The role and the holder to take it from.")
        -> UnassignRolePayload {
        let a = set_role(ctx, input.cmd(), false).await?;
        Ok(a.into())
    }

    /// ION's name for `assignRole` to a user.
    fn attach_role_to_user(ctx, input: AttachRoleToUserInput, "The user and the role.")
        -> AttachRoleToUserPayload {
        let user_id = input.user_id.clone();
        let a = set_role(ctx, input.cmd(), true).await?;
        Ok(AttachRoleToUserPayload {
            user_id,
            role_id: a.role.id.into(),
        })
    }

    /// ION's name for `assignRole` to a team.
    fn attach_role_to_team(ctx, input: AttachRoleToTeamInput, "The team and the role.")
        -> AttachRoleToTeamPayload {
        let team_id = input.team_id.clone();
        let a = set_role(ctx, input.cmd(), true).await?;
        Ok(AttachRoleToTeamPayload {
            team_id,
            role_id: a.role.id.into(),
        })
    }

    /// A new organization with its first admin (system administrators only).
    /// Errors: FORBIDDEN, BAD_USER_INPUT (empty name).
    fn create_organization(ctx, input: CreateOrganizationInput, "The organization to create.")
        -> CreateOrganizationPayload {
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
    fn update_organization(ctx, input: UpdateOrganizationInput, "The changes.")
        -> UpdateOrganizationPayload {
        let o = mutate!(ctx, ManageUsers, input => catalog::update_organization);
        Ok(org(o).into())
    }
}}

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
    cmd: crate::error::AppResult<crate::store::commands::Assignment>,
    assign: bool,
) -> Result<roles::Assigned> {
    let a = mutate!(ctx, ManageUsers, |txn, c| match cmd {
        Ok(cmd) => roles::set_assignment(&txn, c, cmd, assign).await,
        Err(e) => Err(e),
    });
    forget_keys(ctx);
    Ok(a)
}
