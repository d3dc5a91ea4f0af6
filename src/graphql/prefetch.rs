//! Priming loaders from list resolvers: when a list of runs is returned, what its items'
//! selections will ask for is loaded for all of them at once (one statement per relation),
//! found by looking ahead at the selection.

use async_graphql::{Context, Lookahead, Result};
use entity::run;

use super::ctx::loaders;
use super::loaders::{
    BatchKey, InventoryKey, PartKey, PartProceduresKey, ProcedureKey, ProcedureStepsKey,
    RunStepsKey, TeamKey, UserKey,
};

fn distinct(v: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut v: Vec<i64> = v.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Primes what `node` (the selection on each run) needs for `runs`.
pub async fn runs(ctx: &Context<'_>, node: Lookahead<'_>, runs: &[run::Model]) -> Result<()> {
    if runs.is_empty() || !node.exists() {
        return Ok(());
    }
    let l = loaders(ctx);
    if node.field("steps").exists() {
        l.prime(runs.iter().map(|r| RunStepsKey(r.id))).await?;
    }
    let procedure = node.field("procedure");
    if procedure.exists() {
        let ids = distinct(runs.iter().filter_map(|r| r.procedure_id));
        l.prime(ids.iter().map(|i| ProcedureKey(*i))).await?;
        if procedure.field("steps").exists() {
            l.prime(ids.iter().map(|i| ProcedureStepsKey(*i))).await?;
        }
    }
    let part = node.field("part");
    if part.exists() {
        let ids = distinct(runs.iter().map(|r| r.part_id));
        l.prime(ids.iter().map(|i| PartKey(*i))).await?;
        if part.field("procedures").exists() {
            l.prime(ids.iter().map(|i| PartProceduresKey(*i))).await?;
        }
    }
    if node.field("partInventory").exists() {
        l.prime(
            distinct(runs.iter().filter_map(|r| r.part_inventory_id))
                .into_iter()
                .map(InventoryKey),
        )
        .await?;
    }
    if node.field("runBatch").exists() {
        l.prime(
            distinct(runs.iter().filter_map(|r| r.run_batch_id))
                .into_iter()
                .map(BatchKey),
        )
        .await?;
    }
    if node.field("assignedTo").exists() {
        l.prime(
            distinct(runs.iter().filter_map(|r| r.assigned_to_id))
                .into_iter()
                .map(UserKey),
        )
        .await?;
    }
    if node.field("assignedTeam").exists() {
        l.prime(
            distinct(runs.iter().filter_map(|r| r.assigned_team_id))
                .into_iter()
                .map(TeamKey),
        )
        .await?;
    }
    Ok(())
}
