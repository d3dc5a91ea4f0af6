//! Priming loaders from list resolvers: when a list of runs is returned, what its items'
//! selections will ask for is loaded for all of them at once (one statement per relation),
//! found by looking ahead at the selection.

use std::borrow::Borrow;

use async_graphql::{Context, Lookahead, Result, SelectionField, Value};
use entity::run;

use super::ctx::loaders;
use super::loaders::{
    BatchKey, InventoryKey, Key, Loaders, PartKey, PartProceduresKey, ProcedureKey,
    ProcedureStepsKey, RunEdgesKey, RunStepsKey, TeamKey, UserKey, WorkCenterKey,
};
use super::types::run::StepOrder;

/// Primes key type `K` with `ids` if `field` is selected.
async fn prime<K: Key>(l: &Loaders, field: &Lookahead<'_>, ids: &[i64]) -> Result<()> {
    if field.exists() {
        l.prime(ids.iter().map(|i| K::of(*i))).await?;
    }
    Ok(())
}

/// Primes what `node` (the selection on each run) needs for `runs` (rows, or references to
/// rows kept elsewhere), whose steps come in `order` unless asked otherwise.
pub async fn runs<R: Borrow<run::Model> + Sync>(
    ctx: &Context<'_>,
    node: Lookahead<'_>,
    runs: &[R],
    order: StepOrder,
) -> Result<()> {
    if runs.is_empty() || !node.exists() {
        return Ok(());
    }
    let l = loaders(ctx);
    // The distinct values of one reference of the runs.
    let each = |f: fn(&run::Model) -> Option<i64>| {
        let mut v: Vec<i64> = runs.iter().filter_map(|r| f(r.borrow())).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let ids = each(|r| Some(r.id));
    prime::<RunStepsKey>(l, &node.field("steps"), &ids).await?;
    if needs_edges(&node, order) {
        l.prime(ids.iter().map(|i| RunEdgesKey(*i))).await?;
    }
    let (procedure, ids) = (node.field("procedure"), each(|r| r.procedure_id));
    prime::<ProcedureKey>(l, &procedure, &ids).await?;
    prime::<ProcedureStepsKey>(l, &procedure.field("steps"), &ids).await?;
    let (part, ids) = (node.field("part"), each(|r| Some(r.part_id)));
    prime::<PartKey>(l, &part, &ids).await?;
    prime::<PartProceduresKey>(l, &part.field("procedures"), &ids).await?;
    let inventory = each(|r| r.part_inventory_id);
    prime::<InventoryKey>(l, &node.field("partInventory"), &inventory).await?;
    prime::<BatchKey>(l, &node.field("runBatch"), &each(|r| r.run_batch_id)).await?;
    prime::<UserKey>(l, &node.field("assignedTo"), &each(|r| r.assigned_to_id)).await?;
    prime::<TeamKey>(
        l,
        &node.field("assignedTeam"),
        &each(|r| r.assigned_team_id),
    )
    .await?;
    let centers = each(|r| r.work_center_id);
    prime::<WorkCenterKey>(l, &node.field("workCenter"), &centers).await?;
    Ok(())
}

/// Whether the selection on runs asks for their steps' dependencies: a field of
/// availability, at any depth of steps, or steps ordered by it (`availableFirst`, given or
/// by default).
fn needs_edges(node: &Lookahead<'_>, order: StepOrder) -> bool {
    ["steps", "allSteps"].into_iter().any(|name| {
        let steps = node.field(name);
        let sorted = steps
            .selection_fields()
            .iter()
            .any(|f| order.by_availability(available_first(f)));
        steps.exists() && (sorted || steps_need_edges(&steps))
    })
}

/// The `availableFirst` argument of a selection of steps, if given.
fn available_first(steps: &SelectionField<'_>) -> Option<bool> {
    let args = steps.arguments().ok()?;
    args.into_iter().find_map(|(name, v)| match v {
        Value::Boolean(b) if name == "availableFirst" => Some(b),
        _ => None,
    })
}

/// Whether a selection on steps, or on their children, asks for a field of availability.
fn steps_need_edges(steps: &Lookahead<'_>) -> bool {
    steps.exists()
        && (["upstreamStepIds", "availableToWork", "blockers"]
            .into_iter()
            .any(|f| steps.field(f).exists())
            || steps_need_edges(&steps.field("steps")))
}
