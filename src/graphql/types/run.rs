//! Runs and batches.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{run, run_batch};

use super::catalog::{Attribute, Part, PartInventory, Team, User};
use super::procedure::Procedure;
use super::run_step::RunStep;
use super::{etag, id, opt_id, related};
use crate::graphql::connection::connection;
use crate::graphql::ctx::{Gql, loaders};
use crate::graphql::enums::RunSource;
use crate::graphql::enums::RunStatus;
use crate::graphql::loaders::{
    BatchKey, BatchRunsKey, InventoryKey, PartKey, ProcedureKey, RunStepsKey, TeamKey, UserKey,
};
use crate::store::rows;

/// One execution of one procedure version against one unit.
pub struct Run(pub run::Model);

connection!(RunConnection, RunEdge, Run);

#[Object]
impl Run {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    #[graphql(name = "_etag")]
    async fn etag(&self) -> String {
        etag(self.0.lock_version)
    }
    /// Sequential run number in the organization.
    async fn number(&self) -> i64 {
        self.0.number
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Derived from the run's steps by the rollup rules; never set directly.
    async fn status(&self) -> Result<RunStatus> {
        rows::run_status(&self.0).map(Into::into).gql()
    }
    async fn procedure_id(&self) -> Option<ID> {
        opt_id(self.0.procedure_id)
    }
    /// The procedure version this run is pinned to.
    async fn procedure(&self, ctx: &Context<'_>) -> Result<Option<Procedure>> {
        related(ctx, self.0.procedure_id.map(ProcedureKey), Procedure).await
    }
    async fn part_id(&self) -> ID {
        id(self.0.part_id)
    }
    async fn part(&self, ctx: &Context<'_>) -> Result<Part> {
        let p = loaders(ctx).load(PartKey(self.0.part_id)).await?;
        p.map(Part)
            .ok_or_else(|| crate::error::AppError::not_found("part").into_gql())
    }
    async fn part_inventory_id(&self) -> Option<ID> {
        opt_id(self.0.part_inventory_id)
    }
    async fn part_inventory(&self, ctx: &Context<'_>) -> Result<Option<PartInventory>> {
        related(
            ctx,
            self.0.part_inventory_id.map(InventoryKey),
            PartInventory,
        )
        .await
    }
    /// BUILD: the run makes a new unit; ATTACH: it works on an existing one.
    async fn source(&self) -> Result<RunSource> {
        rows::run_source(&self.0).map(Into::into).gql()
    }
    /// Top-level steps in order; children are under `RunStep.steps`.
    #[graphql(complexity = "super::LIST_COST * child_complexity")]
    async fn steps(&self, ctx: &Context<'_>) -> Result<Vec<RunStep>> {
        let all = super::load_or_default(ctx, RunStepsKey(self.0.id)).await?;
        let failed = self.0.status == crate::domain::RunStatus::Failed.as_str();
        Ok(all
            .children(None)
            .map(|s| RunStep::new(s.clone(), all.clone(), failed))
            .collect())
    }
    async fn run_batch_id(&self) -> Option<ID> {
        opt_id(self.0.run_batch_id)
    }
    async fn run_batch(&self, ctx: &Context<'_>) -> Result<Option<RunBatch>> {
        related(ctx, self.0.run_batch_id.map(BatchKey), RunBatch).await
    }
    async fn assigned_to_id(&self) -> Option<ID> {
        opt_id(self.0.assigned_to_id)
    }
    async fn assigned_to(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        related(ctx, self.0.assigned_to_id.map(UserKey), User).await
    }
    async fn assigned_team_id(&self) -> Option<ID> {
        opt_id(self.0.assigned_team_id)
    }
    async fn assigned_team(&self, ctx: &Context<'_>) -> Result<Option<Team>> {
        related(ctx, self.0.assigned_team_id.map(TeamKey), Team).await
    }
    async fn due_date(&self) -> Option<NaiveDate> {
        self.0.due_date
    }
    /// Always true for a run of an export-controlled procedure.
    async fn export_controlled(&self) -> bool {
        self.0.export_controlled
    }
    async fn attributes(&self) -> Vec<Attribute> {
        let v = self.0.attributes.as_array().map_or(&[][..], Vec::as_slice);
        v.iter()
            .map(|a| Attribute {
                key: a["key"].as_str().unwrap_or_default().to_string(),
                attr_type: a["type"].as_str().unwrap_or_default().to_string(),
                raw: a["value"].clone(),
            })
            .collect()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the first step started.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When the run became COMPLETE.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
}

/// A named group of sibling runs; step work propagates across it.
pub struct RunBatch(pub run_batch::Model);

connection!(RunBatchConnection, RunBatchEdge, RunBatch);

#[Object]
impl RunBatch {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    #[graphql(name = "_etag")]
    async fn etag(&self) -> String {
        etag(self.0.lock_version)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The procedure version every run of the batch uses.
    async fn procedure_id(&self) -> Option<ID> {
        opt_id(self.0.procedure_id)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    #[graphql(complexity = "super::LIST_COST * child_complexity")]
    async fn runs(&self, ctx: &Context<'_>) -> Result<Vec<Run>> {
        let runs = super::load_or_default(ctx, BatchRunsKey(self.0.id)).await?;
        crate::graphql::prefetch::runs(ctx, ctx.look_ahead(), &runs).await?;
        Ok(runs.iter().cloned().map(Run).collect())
    }
}
