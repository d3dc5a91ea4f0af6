//! The event log read forward, for live subscriptions: which audit events came after an
//! id, and which runs and run steps each one touched.
//!
//! The audit row names one subject (a run step, a run, a batch); what else the mutation
//! touched is derived here, once per event and per process, not written by the mutation:
//! a step or field action reaches the same step of every run of the batch, batch
//! membership changes every run of the batch, and run creation lists its runs in the
//! event's `change`. For a batch action that is a superset (a sibling that refused the
//! change gets an event with its unchanged state), which a subscriber can bear.

use std::collections::{HashMap, HashSet};

use entity::{event, run, run_step, run_step_field};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::lists;
use super::scope::visible;
use crate::caller::Caller;
use crate::error::AppResult;

/// Where the subscribers of one process keep what they loaded for a change, so it is
/// loaded once for all of them (a thousand screens on one batch read it once).
pub type Memo =
    std::sync::Arc<tokio::sync::OnceCell<std::sync::Arc<dyn std::any::Any + Send + Sync>>>;

/// One audit event as live subscribers see it.
#[derive(Clone)]
pub struct Change {
    pub event_id: i64,
    pub organization_id: i64,
    pub action: String,
    /// Run creation: `run_ids` are the new runs.
    pub created: bool,
    pub run_ids: Vec<i64>,
    pub run_step_ids: Vec<i64>,
    pub memo: Memo,
}

/// The newest event id (0 for an empty log).
pub async fn head(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let id: Option<i64> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .order_by_desc(event::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(id.unwrap_or(0))
}

/// Events with an id above `after`, oldest first; of one organization when given.
pub async fn after(
    db: &impl ConnectionTrait,
    after: i64,
    organization_id: Option<i64>,
    limit: u64,
) -> Result<Vec<event::Model>, DbErr> {
    let mut q = event::Entity::find().filter(event::Column::Id.gt(after));
    if let Some(org) = organization_id {
        q = q.filter(event::Column::OrganizationId.eq(org));
    }
    q.order_by_asc(event::Column::Id).limit(limit).all(db).await
}

fn created_runs(e: &event::Model) -> Option<Vec<i64>> {
    let v: serde_json::Value = serde_json::from_str(&e.change).ok()?;
    let ids = v.get("runIds")?.as_array()?;
    Some(ids.iter().filter_map(|i| i.as_i64()).collect())
}

/// What each of `events` touched, in a fixed number of statements for all of them.
/// Events that touch no run (catalog, users, ...) are left out.
pub async fn changes(
    db: &impl ConnectionTrait,
    events: &[event::Model],
) -> Result<Vec<Change>, DbErr> {
    let of = |kind: &str| -> Vec<i64> {
        events
            .iter()
            .filter(|e| e.entity == kind && created_runs(e).is_none())
            .filter_map(|e| e.entity_id)
            .collect()
    };
    let field_step = field_steps(db, of("RunStepField")).await?;
    let mut step_ids = of("RunStep");
    step_ids.extend(field_step.values().copied());
    let reach = step_reach(db, step_ids).await?;
    let batch_runs = runs_of_batches(db, of("RunBatch")).await?;
    let mut out = Vec::new();
    for e in events {
        let (created, runs, steps) = if let Some(ids) = created_runs(e) {
            (true, ids, Vec::new())
        } else {
            let id = e.entity_id.unwrap_or(0);
            let step = match e.entity.as_str() {
                "RunStep" => Some(id),
                "RunStepField" => field_step.get(&id).copied(),
                _ => None,
            };
            match (e.entity.as_str(), step) {
                (_, Some(s)) => {
                    let steps = reach.get(&s).cloned().unwrap_or_default();
                    let runs = unique(steps.iter().map(|(_, r)| *r));
                    (false, runs, steps.into_iter().map(|(s, _)| s).collect())
                }
                ("Run", _) => (false, vec![id], Vec::new()),
                ("RunBatch", _) => (
                    false,
                    batch_runs.get(&id).cloned().unwrap_or_default(),
                    vec![],
                ),
                _ => continue,
            }
        };
        if runs.is_empty() {
            continue;
        }
        out.push(Change {
            event_id: e.id,
            organization_id: e.organization_id,
            action: e.action.clone(),
            created,
            run_ids: runs,
            run_step_ids: steps,
            memo: Memo::default(),
        });
    }
    Ok(out)
}

fn unique(it: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut seen = HashSet::new();
    it.filter(|x| seen.insert(*x)).collect()
}

async fn field_steps(db: &impl ConnectionTrait, ids: Vec<i64>) -> Result<HashMap<i64, i64>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = run_step_field::Entity::find()
        .select_only()
        .columns([
            run_step_field::Column::Id,
            run_step_field::Column::RunStepId,
        ])
        .filter(run_step_field::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// For each step: `(step, run)` of the step itself and, when its run is in a batch, of the
/// same template step in every run of the batch (where batch actions propagate).
async fn step_reach(
    db: &impl ConnectionTrait,
    ids: Vec<i64>,
) -> Result<HashMap<i64, Vec<(i64, i64)>>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    type Row = (i64, i64, Option<i64>);
    let cols = [
        run_step::Column::Id,
        run_step::Column::RunId,
        run_step::Column::OriginStepId,
    ];
    let steps: Vec<Row> = run_step::Entity::find()
        .select_only()
        .columns(cols)
        .filter(run_step::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    let batch_of: HashMap<i64, i64> = batches_of_runs(db, steps.iter().map(|s| s.1)).await?;
    let batches: Vec<i64> = unique(batch_of.values().copied());
    let members = runs_of_batches(db, batches).await?;
    let origins: Vec<i64> = unique(steps.iter().filter_map(|s| s.2));
    let member_runs: Vec<i64> = members.values().flatten().copied().collect();
    let siblings: Vec<Row> = if origins.is_empty() || member_runs.is_empty() {
        Vec::new()
    } else {
        run_step::Entity::find()
            .select_only()
            .columns(cols)
            .filter(run_step::Column::OriginStepId.is_in(origins))
            .filter(run_step::Column::RunId.is_in(member_runs))
            .order_by_asc(run_step::Column::RunId)
            .into_tuple()
            .all(db)
            .await?
    };
    let mut out = HashMap::new();
    for (id, run_id, origin) in steps {
        let mut reach = vec![(id, run_id)];
        if let (Some(batch), Some(origin)) = (batch_of.get(&run_id), origin) {
            let runs: HashSet<i64> = members.get(batch).into_iter().flatten().copied().collect();
            reach.extend(
                siblings
                    .iter()
                    .filter(|s| s.2 == Some(origin) && s.0 != id && runs.contains(&s.1))
                    .map(|s| (s.0, s.1)),
            );
        }
        out.insert(id, reach);
    }
    Ok(out)
}

async fn batches_of_runs(
    db: &impl ConnectionTrait,
    runs: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, i64>, DbErr> {
    let runs = unique(runs);
    let rows: Vec<(i64, Option<i64>)> = run::Entity::find()
        .select_only()
        .columns([run::Column::Id, run::Column::RunBatchId])
        .filter(run::Column::Id.is_in(runs))
        .filter(run::Column::RunBatchId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(r, b)| b.map(|b| (r, b)))
        .collect())
}

async fn runs_of_batches(
    db: &impl ConnectionTrait,
    batches: Vec<i64>,
) -> Result<HashMap<i64, Vec<i64>>, DbErr> {
    if batches.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, Option<i64>)> = run::Entity::find()
        .select_only()
        .columns([run::Column::Id, run::Column::RunBatchId])
        .filter(run::Column::RunBatchId.is_in(batches))
        .order_by_asc(run::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (r, b) in rows {
        if let Some(b) = b {
            out.entry(b).or_default().push(r);
        }
    }
    Ok(out)
}

/// Of `ids`, the runs the caller may see that match `spec` (a subscriber's filters), in id
/// order: a subscriber's scoping and filters, applied like the `runs` list applies them.
pub async fn visible_runs(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
    spec: Option<lists::Spec<run::Entity>>,
) -> AppResult<Vec<run::Model>> {
    let Some(spec) = spec else {
        return super::scope::by_ids::<run::Entity>(db, caller, ids).await;
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let base = visible::<run::Entity>(caller).filter(run::Column::Id.is_in(ids.to_vec()));
    Ok(spec
        .apply(base)
        .order_by_asc(run::Column::Id)
        .all(db)
        .await?)
}

/// Whether the caller may see `run`: `scope::visible` for a row already loaded (the
/// organization, and export control for callers who are not cleared).
pub fn run_visible_to(caller: &Caller, run: &run::Model) -> bool {
    run.organization_id == caller.organization_id
        && (caller.export_control_cleared || !run.export_controlled)
}
