//! Optimistic concurrency: every row has a `lock_version`; its etag is `v<lock_version>`.
//! Updates compare the etag the client sent, then bump the version in a guarded UPDATE.

use sea_orm::sea_query::{Expr, ExprTrait as _, SimpleExpr};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, UpdateMany};

use super::writers::{Writer, Written, touch, touch_many};
use crate::error::{AppError, AppResult};

pub fn etag(lock_version: i32) -> String {
    format!("v{lock_version}")
}

/// Refuses with `STALE_ETAG` unless `sent` is the current etag.
pub fn check(lock_version: i32, sent: &str, what: &str) -> AppResult<()> {
    if sent.trim() == etag(lock_version) {
        Ok(())
    } else {
        Err(AppError::stale(what).at(&["input", "etag"]))
    }
}

/// A table whose rows carry `lock_version` (and record their writers: every write that
/// bumps the version also stamps `updated_by_id` and `updated_at`).
pub trait Versioned: Written {
    fn key_col() -> Self::Column;
    fn lock_col() -> Self::Column;
    fn lock_version(m: &Self::Model) -> i32;
    fn key(m: &Self::Model) -> i64;
}

macro_rules! versioned {
    ($($m:ident),* $(,)?) => {$(
        impl Versioned for entity::$m::Entity {
            fn key_col() -> Self::Column { entity::$m::Column::Id }
            fn lock_col() -> Self::Column { entity::$m::Column::LockVersion }
            fn lock_version(m: &Self::Model) -> i32 { m.lock_version }
            fn key(m: &Self::Model) -> i64 { m.id }
        }
    )*};
}
versioned!(
    part,
    role,
    user,
    procedure,
    step,
    team,
    run,
    run_batch,
    run_step,
    run_step_field,
    part_inventory,
    work_center
);

/// `lock_version + 1`, for multi-row updates that must invalidate etags.
pub fn next_version<E: Versioned>() -> SimpleExpr {
    Expr::col(E::lock_col()).add(1)
}

/// A multi-row update that also bumps each row's version (so their etags go stale) and
/// records `w` as the rows' last writer.
pub fn bump_many<E: Versioned>(w: impl Into<Writer>) -> UpdateMany<E> {
    touch_many(E::update_many(), w).col_expr(E::lock_col(), next_version::<E>())
}

/// Bumps the version of row `id` (a change made through its children) as `w`.
pub async fn bump<E: Versioned>(
    db: &impl ConnectionTrait,
    w: impl Into<Writer>,
    id: i64,
) -> AppResult<()> {
    bump_many::<E>(w)
        .filter(E::key_col().eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Row `id` among the rows a multi-row write returned (`RETURNING`, so not read again):
/// it must have been written, and its version bumped once from `lock_version`. A
/// concurrent writer in between (the write's guard no longer matched, or the version moved
/// twice) makes it `STALE_ETAG`.
pub fn bumped<E: Versioned>(
    rows: Vec<E::Model>,
    id: i64,
    lock_version: i32,
    what: &str,
) -> AppResult<E::Model> {
    rows.into_iter()
        .find(|r| E::key(r) == id)
        .filter(|r| E::lock_version(r) == lock_version + 1)
        .ok_or_else(|| AppError::stale(what).at(&["input", "etag"]))
}

/// Writes `am` as `w` only if row `id` still has `lock_version`, and bumps it; else
/// `STALE_ETAG`.
pub async fn guarded_update<E>(
    db: &impl ConnectionTrait,
    w: impl Into<Writer>,
    mut am: E::ActiveModel,
    id: i64,
    lock_version: i32,
    what: &str,
) -> AppResult<E::Model>
where
    E: Versioned,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    E::Model: sea_orm::IntoActiveModel<E::ActiveModel>,
{
    am.set(E::lock_col(), (lock_version + 1).into());
    touch(&mut am, w);
    let res = E::update_many()
        .set(am)
        .filter(E::key_col().eq(id))
        .filter(E::lock_col().eq(lock_version))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::stale(what).at(&["input", "etag"]));
    }
    E::find()
        .filter(E::key_col().eq(id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(what))
}
