//! Work added to a run while it runs (ION's redlines): a step (`createRunStep`) or a field
//! (`createRunStepField`).
//!
//! An added step starts in REDLINE (setting it to TODO closes the redline, as in ION's
//! client code); a field is added to a step in REDLINE. Both need the redline permission,
//! are refused on finished runs, are recorded in the step history, and reach the unfinished
//! runs of the batch (batched runs propagate redlines). Copies across a batch share an
//! origin that no procedure step or field has, the negated id of the first copy, so later
//! changes to one propagate to the others like any step's.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{run, run_step, run_step_edge, run_step_event, run_step_field};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::commands::{NewRunStep, NewRunStepField};
use super::create_runs::template::{unstarted_step, with_field_spec};
use super::execution::{lock_steps, roll_up};
use super::procedures::checked_field;
use super::rows::{run_status, run_step_status};
use super::scope::{self, path};
use super::writers::{Writer, stamped};
use super::{counters, etag};
use crate::caller::Caller;
use crate::domain::graph;
use crate::domain::permission::Permission;
use crate::domain::status::{RunStatus, RunStepStatus};
use crate::error::{AppError, AppResult, Code, Seg};

/// The runs a redline of `run` reaches: `run`, then the unfinished runs of its batch the
/// caller may see.
async fn targets(
    txn: &DatabaseTransaction,
    caller: &Caller,
    run: &run::Model,
) -> AppResult<Vec<run::Model>> {
    let mut out = vec![run.clone()];
    if let Some(batch) = run.run_batch_id {
        let others = scope::visible::<run::Entity>(caller)
            .filter(run::Column::RunBatchId.eq(batch))
            .filter(run::Column::Id.ne(run.id))
            .order_by_asc(run::Column::Id)
            .all(txn)
            .await?;
        for r in others {
            if !finished(run_status(&r)?) {
                out.push(r);
            }
        }
    }
    Ok(out)
}

fn finished(s: RunStatus) -> bool {
    matches!(
        s,
        RunStatus::Complete | RunStatus::PartialComplete | RunStatus::Canceled
    )
}

/// Run `run_id`, which input field `field` leads to (`what` names it when not found), as a
/// redline may change it: INVALID_TRANSITION when it is finished.
async fn open_run(
    txn: &DatabaseTransaction,
    caller: &Caller,
    run_id: i64,
    what: &str,
    field: &'static str,
) -> AppResult<run::Model> {
    let run = scope::named::<run::Entity>(txn, caller, run_id, what, field).await?;
    let s = run_status(&run)?;
    if finished(s) {
        let msg = format!(
            "run \"{}\" is {s}; work cannot be added to a finished run",
            run.title
        );
        return Err(AppError::new(Code::InvalidTransition, msg).at(&["input", field]));
    }
    Ok(run)
}

/// The origin a step shares with its copies across the batch: its procedure step, or for a
/// step added by redline the negated id of its first copy.
fn origin_of(s: &run_step::Model) -> i64 {
    s.origin_step_id.unwrap_or(-s.id)
}

pub async fn create_run_step(
    txn: &DatabaseTransaction,
    caller: &Caller,
    input: NewRunStep,
) -> AppResult<run_step::Model> {
    caller.require(Permission::Redline)?;
    let run = open_run(txn, caller, input.run_id, "run", "runId").await?;
    let title = super::catalog::non_empty(&input.title, "title")?;
    let steps = run_steps(txn, &[run.id]).await?;
    let own: HashMap<i64, &run_step::Model> = steps.iter().map(|s| (s.id, s)).collect();
    let (parent, upstream) = links(&own, &input)?;
    let position = input.position.unwrap_or_else(|| {
        1 + own
            .values()
            .filter(|s| s.parent_id == input.parent_id)
            .map(|s| s.position)
            .max()
            .unwrap_or(0)
    });
    let runs = targets(txn, caller, &run).await?;
    let t = Template {
        title,
        content: super::long_text(input.content, "content")?,
        position,
        parent,
        upstream,
    };
    let w = Writer::of(caller);
    let (first, ids) = insert_copies(txn, w, &runs, &t).await?;
    let redline = Some(RunStepStatus::Redline.as_str());
    history(txn, caller, &ids, None, "STATUS", redline, w.at).await?;
    let run_ids: Vec<i64> = ids.iter().map(|(r, _)| *r).collect();
    roll_up(txn, w, &run_ids, None, None).await?;
    run_step::Entity::find_by_id(first)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("run step"))
}

pub async fn create_run_step_field(
    txn: &DatabaseTransaction,
    caller: &Caller,
    input: NewRunStepField,
) -> AppResult<run_step_field::Model> {
    caller.require(Permission::Redline)?;
    let (what, field) = ("run step", "runStepId");
    let step = scope::named::<run_step::Entity>(txn, caller, input.run_step_id, what, field);
    let step = step.await?;
    let run = open_run(txn, caller, step.run_id, what, field).await?;
    // Decided on the step and its copies as locked: none can leave REDLINE meanwhile.
    let (step, copies) = lock_steps(txn, caller, &run, &step).await?;
    if run_step_status(&step)? != RunStepStatus::Redline {
        let msg = format!(
            "step \"{}\" is {}; fields are added to a step in REDLINE (updateRunStep to REDLINE first)",
            step.title, step.status
        );
        return Err(AppError::new(Code::InvalidTransition, msg).at(&["input", "runStepId"]));
    }
    let f = &input.field;
    let (name, options) = checked_field(f, path(&["input"]))?;
    let runs = targets(txn, caller, &run).await?;
    let steps = redlined_copies(&runs, step, copies)?;
    let positions = next_positions(txn, &steps).await?;
    let first = counters::ids(txn, "run_step_fields", steps.len()).await?;
    let field_origin = -first;
    let w = Writer::of(caller);
    let rows = steps.iter().enumerate().map(|(k, s)| {
        with_field_spec!(run_step_field::ActiveModel, f, {
            id: Set(first + k as i64),
            organization_id: Set(s.organization_id),
            run_id: Set(s.run_id),
            run_step_id: Set(s.id),
            origin_field_id: Set(Some(field_origin)),
            position: Set(positions.get(&s.id).copied().unwrap_or(0) + 1),
            name: Set(name.clone()),
            field_type: Set(f.field_type.as_str().into()),
            options: Set(options.clone()),
            value: Set(None),
            signed_by_id: Set(None),
            signed_at: Set(None),
        })
    });
    run_step_field::Entity::insert_many(stamped(rows, w))
        .exec(txn)
        .await?;
    let ids: Vec<(i64, i64)> = steps.iter().map(|s| (s.run_id, s.id)).collect();
    history(
        txn,
        caller,
        &ids,
        Some(first),
        "FIELD_ADDED",
        Some(&name),
        w.at,
    )
    .await?;
    etag::bump_many::<run_step::Entity>(w)
        .filter(run_step::Column::Id.is_in(steps.iter().map(|s| s.id)))
        .exec(txn)
        .await?;
    run_step_field::Entity::find_by_id(first)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("run step field"))
}

/// `step`, then those of its `copies` (its siblings across the batch, locked with it) in
/// `runs` (the redline's targets) that are in REDLINE too.
fn redlined_copies(
    runs: &[run::Model],
    step: run_step::Model,
    copies: Vec<run_step::Model>,
) -> AppResult<Vec<run_step::Model>> {
    let mut steps = vec![step];
    for c in copies {
        if runs.iter().any(|r| r.id == c.run_id) && run_step_status(&c)? == RunStepStatus::Redline {
            steps.push(c);
        }
    }
    Ok(steps)
}

/// The highest field position of each of `steps` (0 for none).
async fn next_positions(
    txn: &DatabaseTransaction,
    steps: &[run_step::Model],
) -> AppResult<HashMap<i64, i32>> {
    Ok(run_step_field::Entity::find()
        .select_only()
        .column(run_step_field::Column::RunStepId)
        .column_as(run_step_field::Column::Position.max(), "p")
        .filter(run_step_field::Column::RunStepId.is_in(steps.iter().map(|s| s.id)))
        .group_by(run_step_field::Column::RunStepId)
        .into_tuple::<(i64, Option<i32>)>()
        .all(txn)
        .await?
        .into_iter()
        .map(|(s, p)| (s, p.unwrap_or(0)))
        .collect())
}

/// What every copy of a new step shares; parent and upstream are the primary run's.
struct Template<'a> {
    title: String,
    content: Option<String>,
    position: i32,
    parent: Option<&'a run_step::Model>,
    upstream: Vec<&'a run_step::Model>,
}

/// Inserts the new step into each of `runs` that has its parent and upstream steps (mapped
/// by origin), with its edges; the first id and the (run, step) of each copy.
async fn insert_copies(
    txn: &DatabaseTransaction,
    w: Writer,
    runs: &[run::Model],
    t: &Template<'_>,
) -> AppResult<(i64, Vec<(i64, i64)>)> {
    let all = run_steps(txn, &runs.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
    let by_origin: HashMap<(i64, i64), i64> = all
        .iter()
        .map(|s| ((s.run_id, origin_of(s)), s.id))
        .collect();
    let first = counters::ids(txn, "run_steps", runs.len()).await?;
    let (mut rows, mut edges, mut ids) = (Vec::new(), Vec::new(), Vec::new());
    for (k, r) in runs.iter().enumerate() {
        let map = |s: &run_step::Model| by_origin.get(&(r.id, origin_of(s))).copied();
        let parent_id = t.parent.map(map);
        // A sibling without the same parent or upstream steps does not take the redline.
        if parent_id.is_some_and(|p| p.is_none()) || t.upstream.iter().any(|u| map(u).is_none()) {
            continue;
        }
        let id = first + k as i64;
        ids.push((r.id, id));
        rows.push(run_step::ActiveModel {
            id: Set(id),
            organization_id: Set(r.organization_id),
            run_id: Set(r.id),
            origin_step_id: Set(Some(-first)),
            parent_id: Set(parent_id.flatten()),
            position: Set(t.position),
            title: Set(t.title.clone()),
            content: Set(t.content.clone()),
            // A redline's time is not planned: it adds nothing to the scheduled end.
            lead_time: Set(0),
            ..unstarted_step(RunStepStatus::Redline)
        });
        edges.extend(t.upstream.iter().map(|u| run_step_edge::ActiveModel {
            run_id: Set(r.id),
            step_id: Set(id),
            upstream_step_id: Set(map(u).unwrap_or_default()),
        }));
    }
    run_step::Entity::insert_many(stamped(rows, w))
        .exec(txn)
        .await?;
    if !edges.is_empty() {
        run_step_edge::Entity::insert_many(edges).exec(txn).await?;
    }
    Ok((first, ids))
}

/// The new step's parent and upstream steps: steps of the run itself, and not nested
/// deeper than steps may be.
fn links<'a>(
    own: &HashMap<i64, &'a run_step::Model>,
    input: &NewRunStep,
) -> AppResult<(Option<&'a run_step::Model>, Vec<&'a run_step::Model>)> {
    let not_ours = |id: i64, at: Vec<Seg>| {
        AppError::bad_input(format!("step {id} is not a step of this run")).with_path(at)
    };
    let parent = match input.parent_id {
        Some(p) => Some(
            *own.get(&p)
                .ok_or_else(|| not_ours(p, path(&["input", "parentId"])))?,
        ),
        None => None,
    };
    if let Some(p) = parent {
        let parent_of = |id: i64| own.get(&id).and_then(|s| s.parent_id);
        if graph::depth_of(parent_of, p.id) + 1 > graph::MAX_STEP_DEPTH {
            let msg = format!("steps nest at most {} deep", graph::MAX_STEP_DEPTH);
            return Err(AppError::bad_input(msg).at(&["input", "parentId"]));
        }
    }
    let upstream = input
        .upstream_step_ids
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let at = vec![
                Seg::Key("input"),
                Seg::Key("upstreamStepIds"),
                Seg::Index(i),
            ];
            own.get(u).copied().ok_or_else(|| not_ours(*u, at))
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok((parent, upstream))
}

async fn run_steps(txn: &DatabaseTransaction, runs: &[i64]) -> AppResult<Vec<run_step::Model>> {
    Ok(run_step::Entity::find()
        .filter(run_step::Column::RunId.is_in(runs.iter().copied()))
        .all(txn)
        .await?)
}

/// One history row per (run, step): `kind` from nothing to `to`.
async fn history(
    txn: &DatabaseTransaction,
    caller: &Caller,
    steps: &[(i64, i64)],
    first_field: Option<i64>,
    kind: &str,
    to: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let rows = steps
        .iter()
        .enumerate()
        .map(|(k, (run_id, step_id))| run_step_event::ActiveModel {
            organization_id: Set(caller.organization_id),
            run_id: Set(*run_id),
            run_step_id: Set(*step_id),
            run_step_field_id: Set(first_field.map(|f| f + k as i64)),
            kind: Set(kind.into()),
            from_value: Set(None),
            to_value: Set(to.map(Into::into)),
            user_id: Set(Some(caller.user_id)),
            created_at: Set(now),
            ..Default::default()
        });
    run_step_event::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}
