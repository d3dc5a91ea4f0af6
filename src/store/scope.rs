//! Organization scoping: a row of another organization does not exist for the caller.

use entity::run::Column as RunCol;
use entity::{run, run_step, run_step_field};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::etag::{self, Versioned};
use crate::caller::Caller;
use crate::error::{AppError, AppResult, Seg};

pub trait OrgScoped: EntityTrait<Model: super::decode::Decode> {
    fn org_col() -> Self::Column;
    fn id_col() -> Self::Column;
    /// `Self::find()`, built once: sea-orm builds each column's expression anew (its
    /// type, its cast), 19,000 instructions a statement for a run step field's 21 columns.
    fn find_all() -> Select<Self>;
    /// What hides a row from callers who are not export-control cleared.
    fn export_hidden() -> Option<Condition> {
        None
    }
}

/// `OrgScoped` for tables with `organization_id` and `id`; `table hidden by condition`
/// also hides the rows `condition` holds for from callers not export-control cleared.
macro_rules! org_scoped {
    ($($m:ident $(hidden by $hidden:expr)?),* $(,)?) => {$(
        impl OrgScoped for entity::$m::Entity {
            fn org_col() -> Self::Column { entity::$m::Column::OrganizationId }
            fn id_col() -> Self::Column { entity::$m::Column::Id }
            fn find_all() -> Select<Self> {
                static ALL: std::sync::OnceLock<Select<entity::$m::Entity>> =
                    std::sync::OnceLock::new();
                ALL.get_or_init(Self::find).clone()
            }
            $(fn export_hidden() -> Option<Condition> { Some($hidden) })?
        }
    )*};
}
org_scoped!(
    user,
    team,
    role,
    api_key,
    part,
    part_subtype,
    step,
    step_field,
    step_edge,
    attribute_definition,
    run_step,
    run_step_field,
    work_center,
    // Export-controlled rows: a flag of their own.
    procedure hidden by flagged(entity::procedure::Column::ExportControlled),
    run hidden by flagged(entity::run::Column::ExportControlled),
    // A unit is export-controlled while an export-controlled run works on it.
    part_inventory hidden by Condition::all().add(
        entity::part_inventory::Column::Id.in_subquery(of_controlled_runs(RunCol::PartInventoryId)),
    ),
    // A batch is export-controlled when its procedure or one of its runs is.
    run_batch hidden by Condition::any()
        .add(entity::run_batch::Column::Id.in_subquery(of_controlled_runs(RunCol::RunBatchId)))
        .add(entity::run_batch::Column::ProcedureId.in_subquery(controlled(false))),
);

/// Rows whose flag `col` is set.
fn flagged(col: impl ColumnTrait) -> Condition {
    Condition::all().add(col.eq(true))
}

/// The `col` values (a unit, a batch) of export-controlled runs that have one.
fn of_controlled_runs(col: RunCol) -> SelectStatement {
    Query::select()
        .column(col)
        .from(entity::run::Entity)
        .and_where(Expr::col(RunCol::ExportControlled).eq(true))
        .and_where(Expr::col(col).is_not_null())
        .take()
}

/// Ids of export-controlled runs (`true`) or procedures.
fn controlled(runs: bool) -> SelectStatement {
    if runs {
        Query::select()
            .column(RunCol::Id)
            .from(entity::run::Entity)
            .and_where(Expr::col(RunCol::ExportControlled).eq(true))
            .take()
    } else {
        Query::select()
            .column(entity::procedure::Column::Id)
            .from(entity::procedure::Entity)
            .and_where(Expr::col(entity::procedure::Column::ExportControlled).eq(true))
            .take()
    }
}

/// Ids of `E` rows whose `parent` is one of `parents`.
fn owned<E: OrgScoped>(parent: E::Column, parents: SelectStatement) -> SelectStatement {
    Query::select()
        .column(E::id_col())
        .from(E::default())
        .and_where(Expr::col(parent).in_subquery(parents))
        .take()
}

/// Audit events about export-controlled work (its runs, procedures and what belongs to
/// them: steps, fields, edges, batches, the units they work on), for callers not cleared:
/// their `change` holds titles, content and values.
pub fn hidden_events() -> Condition {
    use entity::event::Column as Ev;
    use entity::{
        run_step as rs, run_step_field as rf, step as st, step_edge as se, step_field as sf,
    };
    let batch_ids = Query::select()
        .column(entity::run_batch::Column::Id)
        .from(entity::run_batch::Entity)
        .cond_where(entity::run_batch::Entity::export_hidden().unwrap_or_else(Condition::all))
        .take();
    let kinds = [
        ("Run", controlled(true)),
        ("Procedure", controlled(false)),
        (
            "RunStep",
            owned::<rs::Entity>(rs::Column::RunId, controlled(true)),
        ),
        (
            "RunStepField",
            owned::<rf::Entity>(rf::Column::RunId, controlled(true)),
        ),
        (
            "Step",
            owned::<st::Entity>(st::Column::ProcedureId, controlled(false)),
        ),
        (
            "StepField",
            owned::<sf::Entity>(sf::Column::ProcedureId, controlled(false)),
        ),
        (
            "StepEdge",
            owned::<se::Entity>(se::Column::ProcedureId, controlled(false)),
        ),
        ("RunBatch", batch_ids),
        ("PartInventory", of_controlled_runs(RunCol::PartInventoryId)),
    ];
    kinds.into_iter().fold(Condition::any(), |c, (kind, ids)| {
        let about = Ev::EntityId
            .is_not_null()
            .and(Ev::EntityId.in_subquery(ids));
        c.add(Condition::all().add(Ev::Entity.eq(kind)).add(about))
    })
}

/// Everything of `E` the caller may see.
pub fn visible<E: OrgScoped>(caller: &Caller) -> Select<E> {
    E::find_all().filter(seen::<E>(caller))
}

/// The condition on `E`'s columns that [`visible`] applies.
fn seen<E: OrgScoped>(caller: &Caller) -> Condition {
    let c = Condition::all().add(E::org_col().eq(caller.organization_id));
    match (E::export_hidden(), caller.export_control_cleared) {
        (Some(hidden), false) => c.add(hidden.not()),
        _ => c,
    }
}

/// A row that belongs to a run (a run step, a run step field).
pub trait InRun: OrgScoped {
    fn run_col() -> Self::Column;
}

impl InRun for run_step::Entity {
    fn run_col() -> Self::Column {
        run_step::Column::RunId
    }
}

impl InRun for run_step_field::Entity {
    fn run_col() -> Self::Column {
        run_step_field::Column::RunId
    }
}

/// Row `id` of `E` with its run, in one statement; `NOT_FOUND` naming `what` at input path
/// `field` unless the caller may see both (the run decides export control for its rows).
pub async fn with_run<E: InRun>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    what: &str,
    field: Vec<Seg>,
) -> AppResult<(E::Model, run::Model)> {
    joined_run::<E>(caller, id)
        .select_two_required(run::Entity)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(what).with_path(field))
}

/// A run step field with its run and its step, in one statement, as [`with_run`].
pub async fn field_in_run(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    what: &str,
    field: Vec<Seg>,
) -> AppResult<(run_step_field::Model, run::Model, run_step::Model)> {
    let row = joined_run::<run_step_field::Entity>(caller, id)
        .select_also(run::Entity)
        .find_also_related(run_step::Entity)
        .one(db)
        .await?;
    match row {
        Some((f, Some(run), Some(step))) => Ok((f, run, step)),
        _ => Err(AppError::not_found(what).with_path(field)),
    }
}

/// Row `id` of `E` joined with its run, both as the caller may see them.
fn joined_run<E: InRun>(caller: &Caller, id: i64) -> Select<E> {
    let to_run = E::belongs_to(run::Entity).from(E::run_col()).to(RunCol::Id);
    visible::<E>(caller)
        .filter(E::id_col().eq(id))
        .join(JoinType::InnerJoin, to_run.into())
        .filter(seen::<run::Entity>(caller))
}

/// The rows of `E` in the caller's organization that export control hides from the
/// caller; `None` when nothing is hidden (a cleared caller, or rows without the flag). For
/// what such rows add up to (a work center's occupancy), never to return them.
pub fn hidden<E: OrgScoped>(caller: &Caller) -> Option<Select<E>> {
    let hidden = E::export_hidden().filter(|_| !caller.export_control_cleared)?;
    Some(
        E::find_all()
            .filter(E::org_col().eq(caller.organization_id))
            .filter(hidden),
    )
}

pub async fn find<E: OrgScoped>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> Result<Option<E::Model>, DbErr> {
    let q = visible::<E>(caller).filter(E::id_col().eq(id));
    super::decode::one(q, db).await
}

/// Every row of `E` the caller may see, by id.
pub async fn all<E: OrgScoped>(
    db: &impl ConnectionTrait,
    caller: &Caller,
) -> AppResult<Vec<E::Model>> {
    Ok(super::decode::all(by_id::<E>(caller), db).await?)
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
    Ok(super::decode::all(q, db).await?)
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
        // The message names no id: its path says which input it was, and a hidden row's id
        // must not be echoed (an export-controlled run looks like a deleted one).
        .ok_or_else(|| AppError::not_found(what).with_path(field))
}

/// The row that input field `field` (e.g. `"partId"`) names, or `NOT_FOUND` naming `what`
/// at `["input", field]`.
pub async fn named<E: OrgScoped>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    what: &str,
    field: &'static str,
) -> AppResult<E::Model> {
    get::<E>(db, caller, id, what, path(&["input", field])).await
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
    let row = named::<E>(db, caller, id, what, "id").await?;
    etag::check(E::lock_version(&row), sent, what)?;
    Ok(row)
}

/// Input path helper: `path(&["input", "partId"])`.
pub fn path(keys: &[&'static str]) -> Vec<Seg> {
    keys.iter().map(|k| Seg::Key(k)).collect()
}
