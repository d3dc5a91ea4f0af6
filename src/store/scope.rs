//! Organization scoping: a row of another organization does not exist for the caller.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Select,
};

use super::etag::{self, Versioned};
use crate::caller::Caller;
use crate::error::{AppError, AppResult, Seg};

pub trait OrgScoped: EntityTrait {
    fn org_col() -> Self::Column;
    fn id_col() -> Self::Column;
    /// What hides a row from callers who are not export-control cleared.
    fn export_hidden() -> Option<Condition> {
        None
    }
}

macro_rules! org_scoped {
    ($($m:ident),* $(,)?) => {$(
        impl OrgScoped for entity::$m::Entity {
            fn org_col() -> Self::Column { entity::$m::Column::OrganizationId }
            fn id_col() -> Self::Column { entity::$m::Column::Id }
        }
    )*};
}
org_scoped!(
    user,
    team,
    api_key,
    part,
    step,
    step_field,
    step_edge,
    attribute_definition,
    run_batch,
    run_step,
    run_step_field
);

/// A unit is export-controlled while an export-controlled run works on it.
impl OrgScoped for entity::part_inventory::Entity {
    fn org_col() -> Self::Column {
        entity::part_inventory::Column::OrganizationId
    }
    fn id_col() -> Self::Column {
        entity::part_inventory::Column::Id
    }
    fn export_hidden() -> Option<Condition> {
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        let controlled = Query::select()
            .column(entity::run::Column::PartInventoryId)
            .from(entity::run::Entity)
            .and_where(Expr::col(entity::run::Column::ExportControlled).eq(true))
            .and_where(Expr::col(entity::run::Column::PartInventoryId).is_not_null())
            .take();
        Some(Condition::all().add(entity::part_inventory::Column::Id.in_subquery(controlled)))
    }
}

/// Export-controlled rows (a flag of their own) are hidden from callers not cleared.
macro_rules! export_controlled {
    ($($m:ident),* $(,)?) => {$(
        impl OrgScoped for entity::$m::Entity {
            fn org_col() -> Self::Column { entity::$m::Column::OrganizationId }
            fn id_col() -> Self::Column { entity::$m::Column::Id }
            fn export_hidden() -> Option<Condition> {
                Some(Condition::all().add(entity::$m::Column::ExportControlled.eq(true)))
            }
        }
    )*};
}
export_controlled!(procedure, run);

/// Everything of `E` the caller may see.
pub fn visible<E: OrgScoped>(caller: &Caller) -> Select<E> {
    let mut q = E::find().filter(E::org_col().eq(caller.organization_id));
    if let (Some(hidden), false) = (E::export_hidden(), caller.export_control_cleared) {
        q = q.filter(hidden.not());
    }
    q
}

pub async fn find<E: OrgScoped>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> Result<Option<E::Model>, DbErr> {
    visible::<E>(caller)
        .filter(E::id_col().eq(id))
        .one(db)
        .await
}

/// Every row of `E` the caller may see, by id.
pub async fn all<E: OrgScoped>(
    db: &impl ConnectionTrait,
    caller: &Caller,
) -> AppResult<Vec<E::Model>> {
    Ok(by_id::<E>(caller).all(db).await?)
}

/// The rows of `ids` the caller may see, by id (the others are left out).
pub async fn by_ids<E: OrgScoped>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> AppResult<Vec<E::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let q = by_id::<E>(caller).filter(E::id_col().is_in(ids.iter().copied()));
    Ok(q.all(db).await?)
}

/// The rows the caller may see, ordered by id.
fn by_id<E: OrgScoped>(caller: &Caller) -> Select<E> {
    visible::<E>(caller).order_by_asc(E::id_col())
}

/// The row, or `NOT_FOUND` naming `what` at input path `field`.
pub async fn get<E: OrgScoped>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    what: &str,
    field: Vec<Seg>,
) -> AppResult<E::Model> {
    find::<E>(db, caller, id)
        .await?
        .ok_or_else(|| AppError::not_found(&format!("{what} {id}")).with_path(field))
}

/// Row `id` of `input.id` for an edit: `NOT_FOUND` unless the caller may see it, then
/// `STALE_ETAG` unless `sent` is its current etag.
pub async fn get_current<E: OrgScoped + Versioned>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    what: &str,
    sent: &str,
) -> AppResult<E::Model> {
    let row = get::<E>(db, caller, id, what, path(&["input", "id"])).await?;
    etag::check(E::lock_version(&row), sent, what)?;
    Ok(row)
}

/// Input path helper: `path(&["input", "partId"])`.
pub fn path(keys: &[&'static str]) -> Vec<Seg> {
    keys.iter().map(|k| Seg::Key(k)).collect()
}
