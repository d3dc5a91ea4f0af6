//! Working runs: step status changes and field values, their propagation across a batch,
//! the history of both, and the run rollup that follows. One transaction per action and a
//! bounded number of statements whatever the batch size: every read and write below is
//! one statement for all the sibling runs together.

use sea_orm::sea_query::ExprTrait as _;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{part_inventory, run, run_step, run_step_edge, run_step_event, run_step_field};
use sea_orm::sea_query::{
    Asterisk, CommonTableExpression, Expr, Func, InsertStatement, Query, SelectStatement,
    SimpleExpr, SubQueryStatement, WithClause,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Statement, UpdateMany,
};

use super::commands::{FieldValueChange, StepChange};
use super::etag;
use super::scope::{self, path};
use super::writers::Writer;
use crate::caller::Caller;
use crate::domain::availability;
use crate::domain::enums::{FieldType, PartInventoryStatus, RunSource};
use crate::domain::field_value::{self, FieldSpec};
use crate::domain::permission::Permission;
use crate::domain::status::{RunChange, RunStatus, RunStepStatus, keeps, run_change};
use crate::domain::transition::{StepContext, TransitionError, transition};
use crate::error::{AppError, AppResult, Code};

/// A sibling step of the batch that could not take the change, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    pub run_id: i64,
    pub run_step_id: i64,
    pub reason: String,
}

pub struct StepOutcome {
    pub step: run_step::Model,
    pub applied_sibling_ids: Vec<i64>,
    pub skipped: Vec<Skipped>,
}

pub struct FieldOutcome {
    pub field: run_step_field::Model,
    pub applied_sibling_ids: Vec<i64>,
    pub skipped: Vec<Skipped>,
}

use super::rows::run_step_status as status;

fn spec<'a>(f: &'a run_step_field::Model, options: &'a [String]) -> AppResult<FieldSpec<'a>> {
    Ok(FieldSpec {
        field_type: super::rows::run_step_field_type(f)?,
        required: f.required,
        options,
        min: f.min,
        max: f.max,
        pattern: f.pattern.as_deref(),
    })
}

fn options(f: &run_step_field::Model) -> Vec<String> {
    f.options
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or_default()
}

fn transition_error(e: TransitionError) -> AppError {
    let code = match e {
        TransitionError::Invalid { .. } => Code::InvalidTransition,
        TransitionError::NotAvailable { .. } => Code::StepNotAvailable,
        TransitionError::FieldsMissing { .. } => Code::FieldInvalid,
    };
    AppError::new(code, e.to_string()).at(&["input", "status"])
}

/// `step` as it is now and its siblings (the same origin step in the other runs of
/// `run`'s batch), locked on PostgreSQL in id order, before the action decides anything:
/// two actions on the same steps (a value and a completion, two batch actions) then queue,
/// the second deciding on what the first wrote, and two batch actions cannot deadlock. A
/// run outside a batch costs a statement on PostgreSQL only; SQLite's one writer, holding
/// the write lock since `BEGIN IMMEDIATE`, read `step` current already.
pub(super) async fn lock_steps(
    txn: &DatabaseTransaction,
    caller: &Caller,
    run: &run::Model,
    step: &run_step::Model,
) -> AppResult<(run_step::Model, Vec<run_step::Model>)> {
    let (Some(batch), Some(origin)) = (run.run_batch_id, step.origin_step_id) else {
        if !super::is_postgres(txn) {
            return Ok((step.clone(), Vec::new()));
        }
        let q = run_step::Entity::find_by_id(step.id).lock_exclusive();
        let now = q
            .one(txn)
            .await?
            .ok_or_else(|| AppError::stale("run step"))?;
        return Ok((now, Vec::new()));
    };
    let runs = scope::visible::<run::Entity>(caller)
        .select_only()
        .column(run::Column::Id)
        .filter(run::Column::RunBatchId.eq(batch))
        .filter(run::Column::Id.ne(run.id))
        .into_query();
    let mut all = run_step::Entity::find()
        .filter(run_step::Column::OriginStepId.eq(origin))
        .filter(
            Condition::any()
                .add(run_step::Column::RunId.in_subquery(runs))
                .add(run_step::Column::Id.eq(step.id)),
        )
        .order_by_asc(run_step::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await?;
    let at = all.iter().position(|s| s.id == step.id);
    let now = at.map(|i| all.remove(i));
    Ok((now.ok_or_else(|| AppError::stale("run step"))?, all))
}

/// The upstream steps of each step (when it is to start), and the rows of every step that
/// can block one of `steps` (upstream steps and parents), in at most two statements.
async fn blocking_steps(
    txn: &DatabaseTransaction,
    steps: &[run_step::Model],
    to: RunStepStatus,
) -> AppResult<(HashMap<i64, Vec<i64>>, HashMap<i64, run_step::Model>)> {
    let mut upstream: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut blocker_ids: HashSet<i64> = steps.iter().filter_map(|s| s.parent_id).collect();
    if to == RunStepStatus::InProgress {
        // Not joined with the upstream steps: without statistics on a new or fast-growing
        // table, PostgreSQL plans that join as a scan of every run step (6 ms at 25,600).
        for e in run_step_edge::Entity::find()
            .filter(run_step_edge::Column::StepId.is_in(steps.iter().map(|s| s.id)))
            .all(txn)
            .await?
        {
            blocker_ids.insert(e.upstream_step_id);
            upstream
                .entry(e.step_id)
                .or_default()
                .push(e.upstream_step_id);
        }
    }
    if blocker_ids.is_empty() {
        return Ok((upstream, HashMap::new()));
    }
    let q = run_step::Entity::find().filter(run_step::Column::Id.is_in(blocker_ids));
    Ok((upstream, super::reads::keyed(q.all(txn).await?, |s| s.id)))
}

/// Which of the runs of `steps` are FAILED; `known` (already read in this transaction) is
/// not read again, so a run outside a batch costs no statement here.
async fn failed_runs(
    txn: &DatabaseTransaction,
    steps: &[run_step::Model],
    known: &run::Model,
) -> AppResult<HashSet<i64>> {
    let mut failed = HashSet::new();
    if known.status == RunStatus::Failed.as_str() {
        failed.insert(known.id);
    }
    let others: HashSet<i64> = steps
        .iter()
        .map(|s| s.run_id)
        .filter(|r| *r != known.id)
        .collect();
    if others.is_empty() {
        return Ok(failed);
    }
    let rows = run::Entity::find()
        .filter(run::Column::Id.is_in(others))
        .filter(run::Column::Status.eq(RunStatus::Failed.as_str()))
        .all(txn)
        .await?;
    failed.extend(rows.into_iter().map(|r| r.id));
    Ok(failed)
}

/// The required (or unsigned SIGNOFF) fields still empty, by step; asked only to complete.
async fn missing_fields(
    txn: &DatabaseTransaction,
    steps: &[run_step::Model],
    to: RunStepStatus,
) -> AppResult<HashMap<i64, Vec<String>>> {
    let mut missing: HashMap<i64, Vec<String>> = HashMap::new();
    if to != RunStepStatus::Complete {
        return Ok(missing);
    }
    for f in run_step_field::Entity::find()
        .filter(run_step_field::Column::RunStepId.is_in(steps.iter().map(|s| s.id)))
        .all(txn)
        .await?
    {
        let opts = options(&f);
        let value: Option<serde_json::Value> = f
            .value
            .as_deref()
            .and_then(|v| serde_json::from_str(v).ok());
        let sp = spec(&f, &opts)?;
        let signoff_unsigned = sp.field_type == FieldType::Signoff && f.signed_at.is_none();
        if (f.required || sp.field_type == FieldType::Signoff)
            && (!field_value::is_filled(&sp, value.as_ref()) || signoff_unsigned)
        {
            missing
                .entry(f.run_step_id)
                .or_default()
                .push(f.name.clone());
        }
    }
    Ok(missing)
}

/// What the state machine needs to know about each of `steps` (of `run` and, for batch
/// siblings, of other runs), in at most four statements.
pub(super) async fn contexts(
    txn: &DatabaseTransaction,
    run: &run::Model,
    steps: &[run_step::Model],
    to: RunStepStatus,
) -> AppResult<HashMap<i64, StepContext>> {
    let (upstream, others) = blocking_steps(txn, steps, to).await?;
    let failed = failed_runs(txn, steps, run).await?;
    let mut missing = missing_fields(txn, steps, to).await?;
    steps
        .iter()
        .map(|s| {
            let ups: Vec<(&str, RunStepStatus)> = upstream
                .get(&s.id)
                .into_iter()
                .flatten()
                .filter_map(|u| others.get(u))
                .map(|u| Ok((u.title.as_str(), status(u)?)))
                .collect::<AppResult<_>>()?;
            let parent = s
                .parent_id
                .and_then(|p| others.get(&p))
                .map(|p| status(p).map(|st| (p.title.as_str(), st)))
                .transpose()?;
            let blockers = availability::blockers(&ups, parent, failed.contains(&s.run_id));
            let mut ctx = StepContext::from_blockers(blockers);
            ctx.missing_required_fields = missing.remove(&s.id).unwrap_or_default();
            ctx.held_from = super::rows::run_step_held_from(s)?;
            Ok((s.id, ctx))
        })
        .collect()
}

/// Steps that make the same move: (from, held_from, to) -> step ids.
pub(super) type Moves = HashMap<(RunStepStatus, Option<RunStepStatus>, RunStepStatus), Vec<i64>>;

/// The moves of the primary step and of the siblings that can take the change.
struct Plan {
    moves: Moves,
    applied: Vec<i64>,
    skipped: Vec<Skipped>,
    run_ids: Vec<i64>,
}

pub async fn update_run_step(
    txn: &DatabaseTransaction,
    caller: &Caller,
    input: StepChange,
) -> AppResult<StepOutcome> {
    let id = input.id;
    let at = path(&["input", "id"]);
    let (step, run) = scope::with_run::<run_step::Entity>(txn, caller, id, "run step", at).await?;
    let (step, sibs) = lock_steps(txn, caller, &run, &step).await?;
    etag::check(step.lock_version, &input.etag, "run step")?;
    let to = input.status;
    let from = status(&step)?;
    if to == RunStepStatus::Redline || from == RunStepStatus::Redline {
        caller.require(Permission::Redline)?;
    }
    let plan = plan_moves(txn, &run, &step, &sibs, to).await?;
    let (moves, run_ids) = (&plan.moves, &plan.run_ids);
    // The siblings planned are locked (`lock_steps`), so each planned move is written.
    let written = apply_moves(txn, caller, moves, &run, run_ids).await?;
    // The primary step is also guarded by its version.
    let step = etag::bumped::<run_step::Entity>(written, step.id, step.lock_version, "run step")?;
    Ok(StepOutcome {
        step,
        applied_sibling_ids: plan.applied,
        skipped: plan.skipped,
    })
}

/// Runs the state machine for `step` (an error refuses the change) and for each sibling
/// (an error skips that sibling).
async fn plan_moves(
    txn: &DatabaseTransaction,
    run: &run::Model,
    step: &run_step::Model,
    sibs: &[run_step::Model],
    to: RunStepStatus,
) -> AppResult<Plan> {
    let mut all = vec![step.clone()];
    all.extend(sibs.iter().cloned());
    let mut ctxs = contexts(txn, run, &all, to).await?;
    let from = status(step)?;
    let primary = transition(from, to, &ctxs.remove(&step.id).unwrap_or_default())
        .map_err(transition_error)?;
    let mut plan = Plan {
        moves: HashMap::new(),
        applied: Vec::new(),
        skipped: Vec::new(),
        run_ids: vec![step.run_id],
    };
    plan.moves
        .entry((from, primary.held_from, primary.status))
        .or_default()
        .push(step.id);
    for s in sibs {
        let sfrom = status(s)?;
        match transition(sfrom, to, &ctxs.remove(&s.id).unwrap_or_default()) {
            Ok(t) => {
                plan.moves
                    .entry((sfrom, t.held_from, t.status))
                    .or_default()
                    .push(s.id);
                plan.applied.push(s.id);
                if !plan.run_ids.contains(&s.run_id) {
                    plan.run_ids.push(s.run_id);
                }
            }
            Err(e) => plan.skipped.push(Skipped {
                run_id: s.run_id,
                run_step_id: s.id,
                reason: e.to_string(),
            }),
        }
    }
    Ok(plan)
}

/// Writes `moves` with their history and rolls `run_ids` up: what every step status change
/// does once it is planned. Returns the rows moved (as written, so the caller need not read
/// them again). `run`, one of `run_ids`, was read in this transaction.
pub(super) async fn apply_moves(
    txn: &DatabaseTransaction,
    caller: &Caller,
    moves: &Moves,
    run: &run::Model,
    run_ids: &[i64],
) -> AppResult<Vec<run_step::Model>> {
    let w = Writer::of(caller);
    let written = write_moves(txn, caller, moves, w).await?;
    roll_up(txn, w, run_ids, Some(run), Some(moves)).await?;
    Ok(written)
}

/// One UPDATE per move with its history rows, in one call; a step no longer in `from`
/// keeps its state, gets no history and is not among the rows returned (the UPDATE is
/// guarded by `from`).
async fn write_moves(
    txn: &DatabaseTransaction,
    caller: &Caller,
    moves: &Moves,
    w: Writer,
) -> AppResult<Vec<run_step::Model>> {
    let now = w.at;
    let mut written = Vec::new();
    for (&(gfrom, held, gto), ids) in moves {
        let mut q = etag::bump_many::<run_step::Entity>(w)
            .col_expr(run_step::Column::Status, Expr::value(gto.as_str()))
            .col_expr(
                run_step::Column::HeldFrom,
                Expr::value(held.map(|h| h.as_str().to_string())),
            );
        if gto == RunStepStatus::InProgress {
            q = q.col_expr(
                run_step::Column::StartedAt,
                coalesce(run_step::Column::StartedAt, now),
            );
        }
        if gto == RunStepStatus::Complete {
            q = q.col_expr(run_step::Column::CompletedAt, Expr::value(now));
        }
        let q = q
            .filter(run_step::Column::Id.is_in(ids.clone()))
            .filter(run_step::Column::Status.eq(gfrom.as_str()));
        let history = moved(ids, gfrom, gto);
        let key = run_step::Column::Id;
        written.extend(record_and_update(txn, caller, now, history, q, key).await?);
    }
    Ok(written)
}

/// The history rows of a move, copied from the rows they describe in the database: a
/// statement of constant size whatever the batch.
fn moved(ids: &[i64], from: RunStepStatus, to: RunStepStatus) -> SelectStatement {
    use run_step::{Column as C, Entity as T};
    Query::select()
        .columns([(T, C::OrganizationId), (T, C::RunId), (T, C::Id)])
        .expr(Expr::val(Option::<i64>::None))
        .expr(Expr::val("STATUS"))
        .expr(Expr::val(from.as_str()))
        .expr(Expr::val(to.as_str()))
        .from(T)
        .and_where(Expr::col((T, C::Id)).is_in(ids.iter().copied()))
        .and_where(Expr::col((T, C::Status)).eq(from.as_str()))
        .take()
}

fn coalesce(col: run_step::Column, now: DateTime<Utc>) -> SimpleExpr {
    Func::coalesce([Expr::col(col), Expr::value(now)]).into()
}

/// The INSERT of the history rows that `select` produces, in the column order of
/// (organization, run, step, field, kind, from, to); every row is by `caller` at `now`.
fn history_insert(
    caller: &Caller,
    now: DateTime<Utc>,
    mut select: SelectStatement,
) -> AppResult<InsertStatement> {
    select.expr(Expr::val(caller.user_id)).expr(Expr::val(now));
    use run_step_event::Column as C;
    Ok(Query::insert()
        .into_table(run_step_event::Entity)
        .columns([
            C::OrganizationId,
            C::RunId,
            C::RunStepId,
            C::RunStepFieldId,
            C::Kind,
            C::FromValue,
            C::ToValue,
            C::UserId,
            C::CreatedAt,
        ])
        .select_from(select)
        .map_err(AppError::internal)?
        .take())
}

/// `update`, returning the rows it changed, and the history rows that `history` (a SELECT
/// from `E`'s table, its columns named with the table) makes of them, in one call: a step
/// action's turn is mostly calls to the database (BENCHMARKS.md, eleventh stop). The
/// history reads the rows as they were before `update`, and only those `update` changed:
/// - on PostgreSQL, one statement: `WITH moved AS (UPDATE .. RETURNING *), history AS
///   (INSERT .. SELECT .. JOIN moved ON key) SELECT * FROM moved`. Every part sees one
///   snapshot, from before the UPDATE; the join drops a row another request changed
///   meanwhile, which the UPDATE's guard skipped after waiting for its lock;
/// - on SQLite, two statements in one call, the history first (sqlx binds the values
///   across them in order); with one writer, `history`'s own conditions pick the same rows.
async fn record_and_update<E: EntityTrait>(
    txn: &DatabaseTransaction,
    caller: &Caller,
    now: DateTime<Utc>,
    mut history: SelectStatement,
    update: UpdateMany<E>,
    key: E::Column,
) -> AppResult<Vec<E::Model>> {
    let backend = txn.get_database_backend();
    let mut update = update.into_query();
    update.returning_all();
    let statement = if super::is_postgres(txn) {
        let on = Expr::col(("moved", key)).equals((E::default(), key));
        history.inner_join("moved", on);
        let cte = |name: &'static str, q: SubQueryStatement| {
            CommonTableExpression::new()
                .query(q)
                .table_name(name)
                .to_owned()
        };
        let with = WithClause::new()
            .cte(cte("moved", update.into()))
            .cte(cte("history", history_insert(caller, now, history)?.into()))
            .to_owned();
        let all = Query::select().column(Asterisk).from("moved").to_owned();
        backend.build(&all.with(with))
    } else {
        let h = backend.build(&history_insert(caller, now, history)?);
        let u = backend.build(&update);
        let values = h.values.into_iter().chain(u.values).flat_map(|v| v.0);
        Statement::from_sql_and_values(backend, format!("{}; {}", h.sql, u.sql), values)
    };
    Ok(E::find().from_raw_sql(statement).all(txn).await?)
}

/// The rows of `run_ids`, locked (PostgreSQL) before the roll-up reads their steps: two
/// transactions finishing a run's last steps at once then roll up one after the other, the
/// second seeing the first's step, instead of each seeing the other's step unfinished and
/// leaving the run IN_PROGRESS. In id order, so two roll-ups of overlapping runs cannot
/// deadlock. SQLite has one writer, whose transaction holds the write lock from its start
/// (`begin_write`): `known`, read in this transaction, is current and not read again.
async fn lock_runs(
    txn: &DatabaseTransaction,
    run_ids: &[i64],
    known: Option<&run::Model>,
) -> AppResult<Vec<run::Model>> {
    let known = known.filter(|k| !super::is_postgres(txn) && run_ids.contains(&k.id));
    let others: Vec<i64> = run_ids
        .iter()
        .copied()
        .filter(|r| known.is_none_or(|k| k.id != *r))
        .collect();
    let mut runs = Vec::new();
    if !others.is_empty() {
        runs = run::Entity::find()
            .filter(run::Column::Id.is_in(others))
            .order_by_asc(run::Column::Id)
            .lock_exclusive()
            .all(txn)
            .await?;
    }
    runs.extend(known.cloned());
    Ok(runs)
}

/// Recomputes the status of `run_ids` from their steps (the stored status is a cache of
/// `rollup`, refreshed in the same transaction as every step change), stamps
/// `startedAt`/`completedAt`, and makes the unit of a completed build run AVAILABLE.
/// Statuses are read with the runs locked ([`lock_runs`]); `known` is one of them, read in
/// this transaction. When the `moves` just made keep every run as it is, its steps are not
/// read ([`kept`]).
pub async fn roll_up(
    txn: &DatabaseTransaction,
    w: Writer,
    run_ids: &[i64],
    known: Option<&run::Model>,
    moves: Option<&Moves>,
) -> AppResult<()> {
    if run_ids.is_empty() {
        return Ok(());
    }
    let runs = lock_runs(txn, run_ids, known).await?;
    if let Some(moves) = moves
        && kept(&runs, moves)?
    {
        return Ok(());
    }
    let mut by_run = step_statuses(txn, run_ids).await?;
    let mut changes: HashMap<RunChange, Vec<i64>> = HashMap::new();
    let mut completed_units = Vec::new();
    for r in &runs {
        let steps = by_run.remove(&r.id).unwrap_or_default();
        let old = super::rows::run_status(r)?;
        let Some(c) = run_change(old, r.started_at.is_some(), steps) else {
            continue;
        };
        if c.completes && r.source == RunSource::Build.as_str() {
            completed_units.extend(r.part_inventory_id);
        }
        changes.entry(c).or_default().push(r.id);
    }
    for (c, ids) in changes {
        write_change(txn, w, c, ids).await?;
    }
    make_available(txn, w, completed_units).await
}

/// The distinct statuses of each run's steps: the rollup depends only on which occur.
async fn step_statuses(
    txn: &DatabaseTransaction,
    run_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<RunStepStatus>>> {
    let rows: Vec<(i64, String)> = run_step::Entity::find()
        .select_only()
        .column(run_step::Column::RunId)
        .column(run_step::Column::Status)
        .filter(run_step::Column::RunId.is_in(run_ids.iter().copied()))
        .distinct()
        .into_tuple()
        .all(txn)
        .await?;
    let mut by_run: HashMap<i64, Vec<RunStepStatus>> = HashMap::new();
    for (r, s) in rows {
        let s = super::rows::parse(
            RunStepStatus::parse,
            "run_steps",
            "status",
            || format!("a step of run {r}"),
            &s,
        )?;
        by_run.entry(r).or_default().push(s);
    }
    Ok(by_run)
}

/// Writes change `c` to runs `ids`, in one statement.
async fn write_change(
    txn: &DatabaseTransaction,
    w: Writer,
    c: RunChange,
    ids: Vec<i64>,
) -> AppResult<()> {
    let mut q = etag::bump_many::<run::Entity>(w)
        .col_expr(run::Column::Status, Expr::value(c.status.as_str()));
    if c.starts {
        q = q.col_expr(run::Column::StartedAt, Expr::value(w.at));
    }
    if c.completes {
        q = q.col_expr(run::Column::CompletedAt, Expr::value(w.at));
    } else if c.clears_completion() {
        let none = Option::<DateTime<Utc>>::None;
        q = q.col_expr(run::Column::CompletedAt, Expr::value(none));
    }
    q.filter(run::Column::Id.is_in(ids)).exec(txn).await?;
    Ok(())
}

/// The units built by runs that completed now leave WIP: AVAILABLE.
async fn make_available(txn: &DatabaseTransaction, w: Writer, units: Vec<i64>) -> AppResult<()> {
    if units.is_empty() {
        return Ok(());
    }
    etag::bump_many::<part_inventory::Entity>(w)
        .col_expr(
            part_inventory::Column::Status,
            Expr::value(PartInventoryStatus::Available.as_str()),
        )
        .filter(part_inventory::Column::Id.is_in(units))
        .filter(part_inventory::Column::Status.eq(PartInventoryStatus::Wip.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// True when `moves` leave each of `runs` (current: read locked, or in this transaction on
/// SQLite) with its status and its start time, whatever its other steps
/// (`status::keeps`): starting a step of a run already IN_PROGRESS, the floor's most
/// common action, then costs no read of the run's steps.
fn kept(runs: &[run::Model], moves: &Moves) -> AppResult<bool> {
    for r in runs {
        let run = super::rows::run_status(r)?;
        if r.started_at.is_none() || !moves.keys().all(|&(_, _, to)| keeps(run, to)) {
            return Ok(false);
        }
    }
    Ok(true)
}

pub async fn update_field_value(
    txn: &DatabaseTransaction,
    caller: &Caller,
    input: FieldValueChange,
) -> AppResult<FieldOutcome> {
    let (field, run, step, mut sibs) = open_field(txn, caller, &input).await?;
    let opts = options(&field);
    let sp = spec(&field, &opts)?;
    let value = field_value::validate_value(&sp, &input.value).map_err(|e| {
        AppError::new(Code::FieldInvalid, format!("field \"{}\": {e}", field.name))
            .at(&["input", "value"])
    })?;
    let signing = sp.field_type == FieldType::Signoff;
    if status(&step)? == RunStepStatus::Todo {
        let moved = start_for_value(txn, caller, &run, &step, &sibs).await?;
        for s in &mut sibs {
            if let Some(m) = moved.iter().find(|m| m.id == s.id) {
                *s = m.clone();
            }
        }
    }
    let (targets, skipped) = sibling_fields(txn, &run, &sibs, &field).await?;
    let written = write_value(txn, caller, &targets, &value, signing).await?;
    let what = "run step field";
    let updated =
        etag::bumped::<run_step_field::Entity>(written, field.id, field.lock_version, what)?;
    Ok(FieldOutcome {
        field: updated,
        applied_sibling_ids: targets.iter().skip(1).map(|f| f.run_step_id).collect(),
        skipped,
    })
}

/// The field, its run, its step as it is now and the step's batch siblings (locked:
/// [`lock_steps`]), if the caller may see the field, the etag is current and the step is
/// TODO or IN_PROGRESS.
async fn open_field(
    txn: &DatabaseTransaction,
    caller: &Caller,
    input: &FieldValueChange,
) -> AppResult<(
    run_step_field::Model,
    run::Model,
    run_step::Model,
    Vec<run_step::Model>,
)> {
    let at = || path(&["input", "id"]);
    let what = "run step field";
    let (field, run, step) = scope::field_in_run(txn, caller, input.id, what, at()).await?;
    let (step, sibs) = lock_steps(txn, caller, &run, &step).await?;
    etag::check(field.lock_version, &input.etag, what)?;
    let why = match status(&step)? {
        RunStepStatus::InProgress | RunStepStatus::Todo => return Ok((field, run, step, sibs)),
        RunStepStatus::Complete => "redline it to change its values",
        _ => "values are entered while it is TODO or IN_PROGRESS",
    };
    Err(AppError::new(
        Code::FieldInvalid,
        format!("step \"{}\" is {}; {why}", step.title, step.status),
    )
    .at(&["input", "id"]))
}

/// A value written to a TODO step starts it (ION's test equipment writes values without
/// starting steps), with its batch siblings `sibs`, as `updateRunStep` to IN_PROGRESS
/// would; a blocked step answers STEP_NOT_AVAILABLE naming its blockers. Returns the steps
/// moved.
async fn start_for_value(
    txn: &DatabaseTransaction,
    caller: &Caller,
    run: &run::Model,
    step: &run_step::Model,
    sibs: &[run_step::Model],
) -> AppResult<Vec<run_step::Model>> {
    let to = RunStepStatus::InProgress;
    let plan = plan_moves(txn, run, step, sibs, to)
        .await
        .map_err(|e| e.at(&["input", "id"]))?;
    apply_moves(txn, caller, &plan.moves, run, &plan.run_ids).await
}

/// `field` first, then the same origin field in the IN_PROGRESS steps among `sibs` (the
/// step's batch siblings); the siblings in another state are skipped.
async fn sibling_fields(
    txn: &DatabaseTransaction,
    run: &run::Model,
    sibs: &[run_step::Model],
    field: &run_step_field::Model,
) -> AppResult<(Vec<run_step_field::Model>, Vec<Skipped>)> {
    let mut targets = vec![field.clone()];
    let mut skipped = Vec::new();
    let (Some(_), Some(origin)) = (run.run_batch_id, field.origin_field_id) else {
        return Ok((targets, skipped));
    };
    let mut open = Vec::new();
    for s in sibs {
        if status(s)? == RunStepStatus::InProgress {
            open.push(s.id);
        } else {
            skipped.push(Skipped {
                run_id: s.run_id,
                run_step_id: s.id,
                reason: format!("step is {}; values are entered while IN_PROGRESS", s.status),
            });
        }
    }
    if !open.is_empty() {
        targets.extend(
            run_step_field::Entity::find()
                .filter(run_step_field::Column::OriginFieldId.eq(origin))
                .filter(run_step_field::Column::RunStepId.is_in(open))
                .all(txn)
                .await?,
        );
    }
    Ok((targets, skipped))
}

/// Writes `value` to every target field with its history (read from the rows as they
/// were, holding the values being replaced); a SIGNOFF field is signed (or unsigned) as the caller. Returns
/// the rows as written.
async fn write_value(
    txn: &DatabaseTransaction,
    caller: &Caller,
    targets: &[run_step_field::Model],
    value: &serde_json::Value,
    signing: bool,
) -> AppResult<Vec<run_step_field::Model>> {
    let stored = (!value.is_null()).then(|| value.to_string());
    let w = Writer::of(caller);
    let now = w.at;
    let ids: Vec<i64> = targets.iter().map(|f| f.id).collect();
    let kind = if signing { "SIGNOFF" } else { "FIELD_VALUE" };
    use run_step_field::{Column as C, Entity as T};
    let history = Query::select()
        .columns([
            (T, C::OrganizationId),
            (T, C::RunId),
            (T, C::RunStepId),
            (T, C::Id),
        ])
        .expr(Expr::val(kind))
        .column((T, C::Value))
        .expr(Expr::val(stored.clone()))
        .from(T)
        .and_where(Expr::col((T, C::Id)).is_in(ids.iter().copied()))
        .take();
    let mut q = etag::bump_many::<run_step_field::Entity>(w)
        .col_expr(run_step_field::Column::Value, Expr::value(stored));
    if signing {
        let signed = value.as_bool() == Some(true);
        q = q
            .col_expr(
                run_step_field::Column::SignedById,
                Expr::value(signed.then_some(caller.user_id)),
            )
            .col_expr(
                run_step_field::Column::SignedAt,
                Expr::value(signed.then_some(now)),
            );
    }
    let q = q.filter(C::Id.is_in(ids));
    record_and_update(txn, caller, now, history, q, C::Id).await
}

/// History of steps, oldest first: step id -> events.
pub async fn history(
    db: &impl ConnectionTrait,
    caller: &Caller,
    step_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<run_step_event::Model>>> {
    use sea_orm::QueryOrder;
    let rows = run_step_event::Entity::find()
        .filter(run_step_event::Column::OrganizationId.eq(caller.organization_id))
        .filter(run_step_event::Column::RunStepId.is_in(step_ids.iter().copied()))
        .order_by_asc(run_step_event::Column::Id)
        .all(db)
        .await?;
    caller.rows.take(rows.len())?;
    let mut out: HashMap<i64, Vec<run_step_event::Model>> = HashMap::new();
    for r in rows {
        out.entry(r.run_step_id).or_default().push(r);
    }
    Ok(out)
}
