//! A run's status set directly (ION's `updateRun(input: {status})`): the domain plans the
//! step moves (`domain::run_action`), this writes them like any step change (history,
//! rollup) in the caller's transaction.

use std::collections::HashMap;

use entity::{run, run_step};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::execution::{Moves, apply_moves, contexts};
use super::rows::run_step_status;
use crate::caller::Caller;
use crate::domain::graph;
use crate::domain::permission::Permission;
use crate::domain::run_action::{self, RunAction, RunActionError, RunStepView};
use crate::domain::status::RunStatus;
use crate::error::{AppError, AppResult, Code};

/// Moves the steps of `run` so that its rollup becomes `to`; refused (nothing written) when
/// the steps cannot get there.
pub async fn set_status(
    txn: &DatabaseTransaction,
    caller: &Caller,
    run: &run::Model,
    to: RunStatus,
) -> AppResult<()> {
    caller.require(Permission::WorkRunSteps)?;
    let Some(action) = RunAction::for_status(to) else {
        return Err(AppError::new(
            Code::InvalidTransition,
            format!("a run's status is set to IN_PROGRESS, COMPLETE, HOLD or CANCELED, not {to}"),
        )
        .at(&["input", "status"]));
    };
    let steps = in_traveler_order(txn, run.id).await?;
    let mut ctxs = contexts(txn, run, &steps, action.step_target()).await?;
    let views = steps
        .iter()
        .map(|s| {
            Ok(RunStepView {
                id: s.id,
                title: s.title.clone(),
                status: run_step_status(s)?,
                ctx: ctxs.remove(&s.id).unwrap_or_default(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let plan = run_action::plan(action, &views).map_err(refusal)?;
    let mut moves: Moves = HashMap::new();
    for (id, from, t) in plan {
        moves
            .entry((from, t.held_from, t.status))
            .or_default()
            .push(id);
    }
    apply_moves(txn, caller, &moves, run, &[run.id]).await?;
    Ok(())
}

fn refusal(e: RunActionError) -> AppError {
    let code = match e {
        RunActionError::NotAvailable { .. } => Code::StepNotAvailable,
        _ => Code::InvalidTransition,
    };
    AppError::new(code, e.to_string()).at(&["input", "status"])
}

/// The run's steps as the traveler shows them: each parent before its children, siblings
/// by position. Locked on PostgreSQL, in id order as every step action locks its steps
/// (`execution::lock_steps`), so the plan is made on the steps as they are and a step
/// action on one of them waits.
async fn in_traveler_order(
    txn: &DatabaseTransaction,
    run_id: i64,
) -> AppResult<Vec<run_step::Model>> {
    use run_step::Column as S;
    let rows = run_step::Entity::find().filter(S::RunId.eq(run_id));
    let mut rows = rows.order_by_asc(S::Id).lock_exclusive().all(txn).await?;
    rows.sort_by_key(|s| (s.position, s.id));
    Ok(graph::in_tree_order(&rows, |s| (s.id, s.parent_id)))
}
