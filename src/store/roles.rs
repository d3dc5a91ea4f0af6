//! Roles: named sets of permissions per organization, held by users and teams. A caller's
//! permissions are the union of the roles they hold and those of their teams.

use super::commands::{Assignment, NewRole, RoleEdit};
use super::writers::{Writer, insert_new, stamped};
use entity::{role, team, team_member, team_role, user, user_role};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::catalog::non_empty;
use super::scope::{self, path};
use super::{etag, rows};
use crate::caller::Caller;
use crate::domain::permission::{BUILTIN_ROLES, Permission, Perms, role_may_hold};
use crate::error::{AppError, AppResult, Seg};

/// Creates the built-in roles of a new organization (two statements); returns them.
pub async fn seed_builtin(
    db: &impl ConnectionTrait,
    w: Writer,
    organization_id: i64,
) -> Result<Vec<role::Model>, DbErr> {
    let rows = BUILTIN_ROLES.iter().map(|(name, perms)| role::ActiveModel {
        organization_id: Set(organization_id),
        name: Set(name.to_string()),
        permissions: Set(perms.iter().copied().collect::<Perms>().encode()),
        lock_version: Set(1),
        ..Default::default()
    });
    let rows = stamped(rows, w);
    role::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    role::Entity::find()
        .filter(role::Column::OrganizationId.eq(organization_id))
        .order_by_asc(role::Column::Id)
        .all(db)
        .await
}

/// What `user_id` holds through its own roles and its teams' roles (one statement). A
/// `DbErr` (authentication reads it before any request exists); a role holding an unknown
/// permission is one too, naming the row.
pub async fn perms_of_user(db: &impl ConnectionTrait, user_id: i64) -> Result<Perms, DbErr> {
    let own = Query::select()
        .column(user_role::Column::RoleId)
        .from(user_role::Entity)
        .and_where(Expr::col(user_role::Column::UserId).eq(user_id))
        .take();
    let through_teams = Query::select()
        .column((team_role::Entity, team_role::Column::RoleId))
        .from(team_role::Entity)
        .inner_join(
            team_member::Entity,
            Expr::col((team_member::Entity, team_member::Column::TeamId))
                .equals((team_role::Entity, team_role::Column::TeamId)),
        )
        .and_where(Expr::col((team_member::Entity, team_member::Column::UserId)).eq(user_id))
        .take();
    let held = role::Entity::find()
        .filter(
            Condition::any()
                .add(role::Column::Id.in_subquery(own))
                .add(role::Column::Id.in_subquery(through_teams)),
        )
        .all(db)
        .await?;
    held.iter().try_fold(Perms::default(), |acc, r| {
        let p = rows::role_permissions_or_unknown(r).map_err(|e| DbErr::Custom(e.to_string()))?;
        Ok(acc.union(p))
    })
}

/// Roles named by `names` (at `["input", "roles", i]`) and by `ids` (at
/// `["input", "roleIds", i]`), each once, in the order given; an unknown one is `NOT_FOUND`.
pub async fn resolve(
    db: &impl ConnectionTrait,
    caller: &Caller,
    names: &[String],
    ids: &[i64],
) -> AppResult<Vec<role::Model>> {
    let mut out: Vec<role::Model> = Vec::new();
    let by_name = scope::visible::<role::Entity>(caller)
        .filter(role::Column::Name.is_in(names.iter().map(|n| n.trim().to_string())))
        .all(db)
        .await?;
    for (i, n) in names.iter().enumerate() {
        let found = by_name.iter().find(|r| r.name == n.trim()).cloned();
        let at = vec![Seg::Key("input"), Seg::Key("roles"), Seg::Index(i)];
        out.push(found.ok_or_else(|| AppError::not_found("role").with_path(at))?);
    }
    for (i, &id) in ids.iter().enumerate() {
        let at = vec![Seg::Key("input"), Seg::Key("roleIds"), Seg::Index(i)];
        out.push(scope::get::<role::Entity>(db, caller, id, "role", at).await?);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|r| seen.insert(r.id));
    Ok(out)
}

/// Refuses unless the caller holds everything `roles` give (see `Caller::require_grant`).
pub fn require_grant(
    caller: &Caller,
    roles: &[role::Model],
    clearance: bool,
    field: &'static str,
) -> AppResult<()> {
    let named = roles
        .iter()
        .map(|r| Ok((r.name.as_str(), rows::role_permissions(r)?)))
        .collect::<AppResult<Vec<_>>>()?;
    caller.require_grant(&named, clearance, field)
}

/// Gives `roles` to a user (`Holder::User`) or a team; already held ones are skipped.
pub async fn grant(
    db: &impl ConnectionTrait,
    caller: &Caller,
    holder: Holder,
    roles: &[role::Model],
) -> AppResult<()> {
    let org = caller.organization_id;
    match holder {
        Holder::User(id) => link::<user_role::Entity>(db, id, roles, org).await,
        Holder::Team(id) => link::<team_role::Entity>(db, id, roles, org).await,
    }
}

/// The tables that give roles to their holders: `user_roles` and `team_roles`.
trait RoleLink: EntityTrait {
    type Row: ActiveModelTrait<Entity = Self> + Send;
    fn holder_col() -> Self::Column;
    fn role_col() -> Self::Column;
    fn row(holder: i64, role_id: i64, organization_id: i64) -> Self::Row;
}

/// `RoleLink` for table `$m`, whose holder is field `$holder` (column `$col`).
macro_rules! role_link {
    ($($m:ident: $holder:ident $col:ident),*) => {$(
        impl RoleLink for $m::Entity {
            type Row = $m::ActiveModel;
            fn holder_col() -> Self::Column {
                $m::Column::$col
            }
            fn role_col() -> Self::Column {
                $m::Column::RoleId
            }
            fn row(holder: i64, role_id: i64, organization_id: i64) -> Self::Row {
                $m::ActiveModel {
                    $holder: Set(holder),
                    role_id: Set(role_id),
                    organization_id: Set(organization_id),
                }
            }
        }
    )*};
}
role_link!(user_role: user_id UserId, team_role: team_id TeamId);

/// Links `roles` to `holder`, skipping those it already holds.
async fn link<L: RoleLink>(
    db: &impl ConnectionTrait,
    holder: i64,
    roles: &[role::Model],
    org: i64,
) -> AppResult<()> {
    let rows = roles.iter().map(|r| L::row(holder, r.id, org)).collect();
    super::insert_new(db, rows, [L::holder_col(), L::role_col()]).await?;
    Ok(())
}

/// Takes role `role_id` from `holder`.
async fn unlink<L: RoleLink>(
    db: &impl ConnectionTrait,
    holder: i64,
    role_id: i64,
) -> AppResult<()> {
    L::delete_many()
        .filter(L::holder_col().eq(holder))
        .filter(L::role_col().eq(role_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Who holds a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    User(i64),
    Team(i64),
}

pub async fn create_role(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewRole,
) -> AppResult<role::Model> {
    let name = non_empty(&input.name, "name")?;
    let perms = holdable(&input.permissions)?;
    caller.require_grant(&[(name.as_str(), perms)], false, "permissions")?;
    let row = role::ActiveModel {
        organization_id: Set(caller.organization_id),
        name: Set(name),
        permissions: Set(perms.encode()),
        lock_version: Set(1),
        ..Default::default()
    };
    insert_new(db, caller, row, || Some(name_taken())).await
}

fn name_taken() -> AppError {
    AppError::bad_input("a role with this name already exists").at(&["input", "name"])
}

/// `permissions` as a set, refusing `organizations:write` (a system administrator's, never a
/// role's) at `["input", "permissions", i]`.
fn holdable(permissions: &[Permission]) -> AppResult<Perms> {
    if let Some(i) = permissions.iter().position(|&p| !role_may_hold(p)) {
        let msg = format!(
            "no role can hold {}: it belongs to system administrators",
            permissions[i]
        );
        let at = vec![Seg::Key("input"), Seg::Key("permissions"), Seg::Index(i)];
        return Err(AppError::bad_input(msg).with_path(at));
    }
    Ok(permissions.iter().copied().collect())
}

/// Renames a role or changes what it holds. The caller must hold everything the role held
/// and everything it will hold: editing a role is granting to all who hold it.
pub async fn update_role(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: RoleEdit,
) -> AppResult<role::Model> {
    let at = path(&["input", "id"]);
    let current = scope::get::<role::Entity>(db, caller, input.id, "role", at).await?;
    let held = rows::role_permissions(&current)?;
    caller.require_grant(&[(current.name.as_str(), held)], false, "id")?;
    etag::check(current.lock_version, &input.etag, "role")?;
    let mut am: role::ActiveModel = current.clone().into();
    if let Some(n) = &input.name {
        let name = non_empty(n, "name")?;
        let same = scope::visible::<role::Entity>(caller)
            .filter(role::Column::Name.eq(name.clone()))
            .filter(role::Column::Id.ne(input.id));
        super::refuse_if_any(db, same, name_taken).await?;
        am.name = Set(name);
    }
    if let Some(ps) = &input.permissions {
        let perms = holdable(ps)?;
        caller.require_grant(&[(current.name.as_str(), perms)], false, "permissions")?;
        am.permissions = Set(perms.encode());
    }
    am.updated_at = Set(super::now());
    etag::guarded_update::<role::Entity>(db, caller, am, input.id, current.lock_version, "role")
        .await
}

/// What an assignment touched: the role, and the user or the team.
pub struct Assigned {
    pub role: role::Model,
    pub user: Option<user::Model>,
    pub team: Option<team::Model>,
}

/// Gives a role (`assign`) or takes it away. The caller must hold everything the role
/// gives, and may change the roles of a user only if it covers that user's rights.
pub async fn set_assignment(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: Assignment,
    assign: bool,
) -> AppResult<Assigned> {
    let r = scope::named::<role::Entity>(db, caller, input.role_id, "role", "roleId").await?;
    require_grant(caller, std::slice::from_ref(&r), false, "roleId")?;
    let (holder, user, team) = holder_of(db, caller, input).await?;
    if assign {
        grant(db, caller, holder, std::slice::from_ref(&r)).await?;
    } else {
        revoke(db, holder, r.id).await?;
    }
    match holder {
        Holder::User(id) => etag::bump::<user::Entity>(db, caller, id).await?,
        Holder::Team(id) => etag::bump::<team::Entity>(db, caller, id).await?,
    }
    let user = match user {
        Some(u) => user::Entity::find_by_id(u.id).one(db).await?,
        None => None,
    };
    let team = match team {
        Some(t) => team::Entity::find_by_id(t.id).one(db).await?,
        None => None,
    };
    Ok(Assigned {
        role: r,
        user,
        team,
    })
}

async fn holder_of(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: Assignment,
) -> AppResult<(Holder, Option<user::Model>, Option<team::Model>)> {
    match (input.user_id, input.team_id) {
        (Some(uid), None) => {
            let at = path(&["input", "userId"]);
            let u = scope::get::<user::Entity>(db, caller, uid, "user", at.clone()).await?;
            super::catalog::require_covers(db, caller, &u, at).await?;
            Ok((Holder::User(uid), Some(u), None))
        }
        (None, Some(tid)) => {
            let at = path(&["input", "teamId"]);
            let t = scope::get::<team::Entity>(db, caller, tid, "team", at).await?;
            Ok((Holder::Team(tid), None, Some(t)))
        }
        _ => Err(
            AppError::bad_input("give exactly one of `userId` and `teamId`")
                .at(&["input", "userId"]),
        ),
    }
}

async fn revoke(db: &impl ConnectionTrait, holder: Holder, role_id: i64) -> AppResult<()> {
    match holder {
        Holder::User(id) => unlink::<user_role::Entity>(db, id, role_id).await,
        Holder::Team(id) => unlink::<team_role::Entity>(db, id, role_id).await,
    }
}

/// The roles a team's members get through it, for `addUserToTeam`'s grant check.
pub async fn of_team(db: &impl ConnectionTrait, team_id: i64) -> AppResult<Vec<role::Model>> {
    let ids = Query::select()
        .column(team_role::Column::RoleId)
        .from(team_role::Entity)
        .and_where(Expr::col(team_role::Column::TeamId).eq(team_id))
        .take();
    Ok(role::Entity::find()
        .filter(role::Column::Id.in_subquery(ids))
        .all(db)
        .await?)
}
