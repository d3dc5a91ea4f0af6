//! Editing runs after creation, and batch membership.

use chrono::{DateTime, Utc};
use entity::{
    attribute_definition, procedure, run, run_batch, run_step, run_step_edge, team, user,
    work_center,
};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, Set};

use super::commands::{BatchAdd, Patch, RunEdit};
use super::create_runs::validate::check_attribute_values;
use super::etag;
use super::scope::{self, path};
use crate::caller::Caller;
use crate::domain::enums::AttributeEntity;
use crate::domain::status::RunStepStatus;
use crate::error::{AppError, AppResult, Code, Seg};

pub async fn update_run(
    txn: &DatabaseTransaction,
    caller: &Caller,
    input: RunEdit,
) -> AppResult<run::Model> {
    let id = input.id;
    let r = scope::get_current::<run::Entity>(txn, caller, id, "run", &input.etag).await?;
    let mut am: run::ActiveModel = r.clone().into();
    if let Some(t) = input.title.as_deref() {
        let t = t.trim().to_string();
        if t.is_empty() || t.len() > 500 {
            return Err(
                AppError::bad_input("`title` must be 1 to 500 characters").at(&["input", "title"])
            );
        }
        am.title = Set(t);
    }
    if !input.due_date.is_keep() {
        am.due_date = Set(input.due_date.apply(r.due_date));
    }
    assign(
        txn,
        caller,
        &mut am,
        input.assigned_to_id,
        input.assigned_team_id,
    )
    .await?;
    schedule(txn, caller, &r, &mut am, &input).await?;
    if let Some(attrs) = input.attributes {
        let defs = scope::visible::<attribute_definition::Entity>(caller)
            .filter(attribute_definition::Column::Entity.eq(AttributeEntity::Run.as_str()))
            .all(txn)
            .await?;
        let json = check_attribute_values(&attrs, &defs)?
            .map_err(|e| AppError::bad_input(e).at(&["input", "attributes"]))?;
        am.attributes = Set(json);
    }
    let mut new_procedure = None;
    if let Some(pid) = input.procedure_id {
        let p = procedure_for(txn, caller, &r, pid).await?;
        am.procedure_id = Set(Some(p.id));
        if p.export_controlled {
            am.export_controlled = Set(true);
        }
        new_procedure = Some(p.id);
    }
    let updated =
        etag::guarded_update::<run::Entity>(txn, caller, am, id, r.lock_version, "run").await?;
    if let Some(pid) = new_procedure {
        super::create_runs::add_procedure_steps(txn, caller.into(), &updated, pid).await?;
    }
    let Some(to) = input.status else {
        return Ok(updated);
    };
    super::run_status::set_status(txn, caller, &updated, to).await?;
    run::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("run"))
}

/// A planned window as asked: an end needs a start and is not before it. The error names
/// the input field to fix.
pub fn check_window(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) -> Result<(), (&'static str, String)> {
    match (start, end) {
        (None, Some(_)) => Err((
            "scheduledStart",
            "a planned end needs a planned start".into(),
        )),
        (Some(s), Some(e)) if e < s => Err((
            "scheduledEnd",
            format!("`scheduledEnd` ({e}) is before `scheduledStart` ({s})"),
        )),
        _ => Ok(()),
    }
}

/// The planned end: as given, else the start plus `minutes` of lead time.
pub fn planned_end(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    minutes: Option<i64>,
) -> Option<DateTime<Utc>> {
    end.or_else(|| start.map(|s| s + chrono::Duration::minutes(minutes.unwrap_or(0))))
}

/// Minutes from start to end of run `run_id`: its steps' longest chain of lead times.
pub async fn lead_minutes(db: &impl sea_orm::ConnectionTrait, run_id: i64) -> AppResult<i64> {
    let steps: Vec<(i64, i64)> = run_step::Entity::find()
        .filter(run_step::Column::RunId.eq(run_id))
        .all(db)
        .await?
        .iter()
        .map(|s| (s.id, i64::from(s.lead_time)))
        .collect();
    let edges: Vec<(i64, i64)> = run_step_edge::Entity::find()
        .filter(run_step_edge::Column::RunId.eq(run_id))
        .all(db)
        .await?
        .iter()
        .map(|e| (e.step_id, e.upstream_step_id))
        .collect();
    Ok(crate::domain::schedule::critical_path_by_id(&steps, &edges).unwrap_or(0))
}

/// Work center, priority and planned window of an edit.
async fn schedule(
    txn: &DatabaseTransaction,
    caller: &Caller,
    r: &run::Model,
    am: &mut run::ActiveModel,
    input: &RunEdit,
) -> AppResult<()> {
    if let Patch::To(w) = input.work_center_id {
        let at = path(&["input", "workCenterId"]);
        let wc = scope::get::<work_center::Entity>(txn, caller, w, "work center", at).await?;
        if !wc.active {
            let msg = format!("work center {} is inactive", wc.name);
            return Err(AppError::bad_input(msg).at(&["input", "workCenterId"]));
        }
    }
    if !input.work_center_id.is_keep() {
        am.work_center_id = Set(input.work_center_id.apply(r.work_center_id));
    }
    if let Some(p) = input.priority {
        am.priority = Set(p);
    }
    let (asked_start, asked_end) = (input.scheduled_start, input.scheduled_end);
    if asked_start.is_keep() && asked_end.is_keep() {
        return Ok(());
    }
    let start = asked_start.apply(r.scheduled_start);
    let end = match (asked_start, asked_end) {
        (_, Patch::To(e)) => Some(e),
        (Patch::Clear, _) => None,
        // A new start or a cleared end: the start plus the run's own lead times.
        (Patch::To(_), _) | (Patch::Keep, Patch::Clear) => match start {
            Some(s) => planned_end(Some(s), None, Some(lead_minutes(txn, r.id).await?)),
            None => None,
        },
        (Patch::Keep, Patch::Keep) => r.scheduled_end,
    };
    check_window(start, end)
        .map_err(|(field, msg)| AppError::bad_input(msg).at(&["input", field]))?;
    am.scheduled_start = Set(start);
    am.scheduled_end = Set(end);
    Ok(())
}

/// Assigns the run to a user or a team (one unassigns the other); not both at once.
/// `Patch::Clear` unassigns that one only.
async fn assign(
    txn: &DatabaseTransaction,
    caller: &Caller,
    am: &mut run::ActiveModel,
    user_id: Patch<i64>,
    team_id: Patch<i64>,
) -> AppResult<()> {
    if let (Patch::To(_), Patch::To(_)) = (user_id, team_id) {
        return Err(
            AppError::bad_input("assign a run to a user or to a team, not both")
                .at(&["input", "assignedTeamId"]),
        );
    }
    if let Patch::To(u) = user_id {
        scope::named::<user::Entity>(txn, caller, u, "user", "assignedToId").await?;
    }
    if let Patch::To(t) = team_id {
        scope::named::<team::Entity>(txn, caller, t, "team", "assignedTeamId").await?;
    }
    if !user_id.is_keep() {
        am.assigned_to_id = Set(user_id.apply(None));
    }
    if !team_id.is_keep() {
        am.assigned_team_id = Set(team_id.apply(None));
    }
    // Giving the run to one holder takes it from the other.
    match (user_id, team_id) {
        (Patch::To(_), _) => am.assigned_team_id = Set(None),
        (_, Patch::To(_)) => am.assigned_to_id = Set(None),
        _ => {}
    }
    Ok(())
}

/// The procedure a run without one may take: released (or fully approved), and the run
/// neither has steps nor is in a batch.
async fn procedure_for(
    txn: &DatabaseTransaction,
    caller: &Caller,
    r: &run::Model,
    pid: i64,
) -> AppResult<procedure::Model> {
    let at = || path(&["input", "procedureId"]);
    let steps = run_step::Entity::find()
        .filter(run_step::Column::RunId.eq(r.id))
        .count(txn)
        .await?;
    if steps > 0 || r.procedure_id.is_some() {
        return Err(
            AppError::bad_input("the run already has a procedure; its version is pinned")
                .with_path(at()),
        );
    }
    let p = scope::get::<procedure::Entity>(txn, caller, pid, "procedure", at()).await?;
    let approved = super::procedures::all_steps_approved(txn, &[p.id]).await?;
    let status = super::rows::procedure_status(&p)?;
    if !crate::domain::procedure::can_start_run(
        status,
        approved.get(&p.id).copied().unwrap_or(false),
    ) {
        return Err(AppError::new(
            Code::ProcedureNotReleased,
            format!(
                "{}: {} version {} is {}",
                super::create_runs::validate::NOT_RELEASED,
                p.title,
                p.version,
                p.status
            ),
        )
        .with_path(at()));
    }
    if r.run_batch_id.is_some() {
        return Err(AppError::bad_input(
            "a batched run shares its batch's procedure; remove it from the batch first",
        )
        .with_path(at()));
    }
    Ok(p)
}

pub async fn add_runs_to_batch(
    txn: &DatabaseTransaction,
    caller: &Caller,
    input: BatchAdd,
) -> AppResult<run_batch::Model> {
    let bid = input.run_batch_id;
    let b = scope::named::<run_batch::Entity>(txn, caller, bid, "run batch", "runBatchId").await?;
    let ids = input.run_ids;
    if ids.is_empty() {
        return Err(AppError::bad_input("`runIds` must not be empty").at(&["input", "runIds"]));
    }
    let runs = scope::visible::<run::Entity>(caller)
        .filter(run::Column::Id.is_in(ids.clone()))
        .all(txn)
        .await?;
    for (i, id) in ids.iter().enumerate() {
        let at = vec![Seg::Key("input"), Seg::Key("runIds"), Seg::Index(i)];
        let Some(r) = runs.iter().find(|r| r.id == *id) else {
            return Err(AppError::not_found("run").with_path(at));
        };
        if let Some(other) = r.run_batch_id.filter(|o| *o != bid) {
            return Err(AppError::bad_input(format!(
                "run {id} is already in batch {other}; a run is in at most one batch"
            ))
            .with_path(at));
        }
        if r.procedure_id != b.procedure_id {
            return Err(AppError::bad_input(format!(
                "run {id} uses another procedure version than the batch"
            ))
            .with_path(at));
        }
    }
    use sea_orm::sea_query::Expr;
    etag::bump_many::<run::Entity>(caller)
        .col_expr(run::Column::RunBatchId, Expr::value(bid))
        .filter(run::Column::Id.is_in(ids))
        .filter(run::Column::RunBatchId.is_null())
        .exec(txn)
        .await?;
    etag::bump::<run_batch::Entity>(txn, caller, bid).await?;
    Ok(run_batch::Entity::find_by_id(bid)
        .one(txn)
        .await?
        .unwrap_or(b))
}

pub async fn remove_run_from_batch(
    txn: &DatabaseTransaction,
    caller: &Caller,
    id: i64,
) -> AppResult<run::Model> {
    let r = scope::named::<run::Entity>(txn, caller, id, "run", "runId").await?;
    let Some(bid) = r.run_batch_id else {
        return Err(
            AppError::bad_input(format!("run {id} is not in a batch")).at(&["input", "runId"])
        );
    };
    let redlined = run_step::Entity::find()
        .filter(run_step::Column::RunId.eq(id))
        .filter(run_step::Column::Status.eq(RunStepStatus::Redline.as_str()))
        .count(txn)
        .await?;
    if redlined > 0 {
        return Err(AppError::bad_input(format!(
            "run {id} has a step in REDLINE; finish the redline before it leaves the batch"
        ))
        .at(&["input", "runId"]));
    }
    let mut am: run::ActiveModel = r.clone().into();
    am.run_batch_id = Set(None);
    let out =
        etag::guarded_update::<run::Entity>(txn, caller, am, id, r.lock_version, "run").await?;
    etag::bump::<run_batch::Entity>(txn, caller, bid).await?;
    Ok(out)
}
