//! Runs and batches.

use std::borrow::Cow;

use async_graphql::{Context, ID, Result};
use chrono::{DateTime, Utc};

use crate::graphql::scalars::Date;
use entity::{run, run_batch, run_step};

use super::catalog::{Attribute, Part, PartInventory, Team, User};
use super::leaves::LeafList;
use super::procedure::Procedure;
use super::related;
use super::row_object;
use super::run_step::RunStep;
use super::work_center::WorkCenter;
use crate::graphql::connection::connection;
use crate::graphql::ctx::{Gql, loaders};
use crate::graphql::enums::RunSource;
use crate::graphql::enums::RunStatus;
use crate::graphql::loaders::{
    BatchKey, BatchRunsKey, InventoryKey, PartKey, ProcedureKey, RunEdgesKey, RunSteps,
    RunStepsKey, TeamKey, UserKey, WorkCenterKey,
};
use crate::store::rows;

/// One execution of one procedure version against one unit.
#[derive(async_graphql::Description)]
pub struct Run(pub run::Model, pub StepOrder);

/// How `Run.steps` and `Run.allSteps` order a run's steps when not asked
/// (`availableFirst`): a run read through a work center's queue shows what can be started
/// first; everywhere else, the traveler's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StepOrder {
    #[default]
    Traveler,
    AvailableFirst,
}

impl StepOrder {
    /// Whether steps come available first: as asked (`availableFirst`), else by this order.
    pub fn by_availability(self, available_first: Option<bool>) -> bool {
        available_first.unwrap_or(self == StepOrder::AvailableFirst)
    }
}

impl Run {
    /// A run whose steps come in traveler order unless asked otherwise.
    pub fn new(row: run::Model) -> Self {
        Run(row, StepOrder::Traveler)
    }

    /// The steps `pick` chooses from the run's, in the order asked (`available_first`),
    /// else in this run's default order.
    async fn steps_of(
        &self,
        ctx: &Context<'_>,
        pick: impl FnOnce(&RunSteps) -> Vec<run_step::Model>,
        available_first: Option<bool>,
    ) -> Result<LeafList<'static, RunStep>> {
        let all = super::load_or_default(ctx, RunStepsKey(self.0.id)).await?;
        let failed = self.0.status == crate::domain::RunStatus::Failed.as_str();
        let steps = pick(&all)
            .into_iter()
            .map(|s| RunStep::new(s, all.clone(), failed));
        let steps = if self.1.by_availability(available_first) {
            // Availability is computed once per step, then the domain's stable partition.
            let edges = super::load_or_default(ctx, RunEdgesKey(self.0.id)).await?;
            let flagged: Vec<(bool, RunStep)> = steps
                .map(|s| {
                    let available = RunStep::available_in((&all, &edges), &s.row, failed);
                    Ok((available.gql()?, s))
                })
                .collect::<Result<_>>()?;
            let sorted = crate::domain::availability::available_first(flagged, |(a, _)| *a);
            sorted.into_iter().map(|(_, s)| s).collect()
        } else {
            steps.collect()
        };
        Ok(LeafList(Cow::Owned(steps)))
    }
}

connection!(RunConnection, RunEdge, Run);

row_object!(Run {
    /// The run's id.
    id: ID,
    _etag,
    _writers,
    /// Sequential run number in the organization.
    number: i64,
    /// The run's title.
    title: &str,
    /// Derived from the run's steps by the rollup rules; never set directly.
    async fn status(&self) -> Result<RunStatus> {
        rows::run_status(&self.0).map(Into::into).gql()
    }
    /// The id of the procedure version this run is pinned to; null when it has none.
    procedure_id: Option<ID>,
    /// The procedure version this run is pinned to.
    async fn procedure(&self, ctx: &Context<'_>) -> Result<Option<Procedure>> {
        related(ctx, self.0.procedure_id.map(ProcedureKey), Procedure).await
    }
    /// The part the run's unit is of.
    part_id: ID,
    /// The part the run's unit is of.
    async fn part(&self, ctx: &Context<'_>) -> Result<Part> {
        let p = loaders(ctx).load(PartKey(self.0.part_id)).await?;
        p.map(Part)
            .ok_or_else(|| crate::error::AppError::not_found("part").into_gql())
    }
    /// The unit or lot the run builds or works on.
    part_inventory_id: Option<ID>,
    /// The unit or lot the run builds or works on.
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
    /// Top-level steps in order (children are under `RunStep.steps`); with
    /// `availableFirst`, those available to work (`availableToWork`) come first.
    #[list_cost]
    async fn steps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Steps available to work first, then the rest, each in traveler order. Default: true for a run listed by `WorkCenter.queue`, false elsewhere.")]
        available_first: Option<bool>,
    ) -> Result<LeafList<'static, RunStep>> {
        let top = |all: &RunSteps| all.children(None).cloned().collect();
        self.steps_of(ctx, top, available_first).await
    }
    /// Every step of the run, nested ones included, each parent before its children and
    /// siblings in order (`parentId` gives the tree): a traveler of any depth in one list.
    /// With `availableFirst`, those available to work (`availableToWork`) come first.
    #[list_cost]
    async fn all_steps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Steps available to work first, then the rest, each in traveler order. Default: true for a run listed by `WorkCenter.queue`, false elsewhere.")]
        available_first: Option<bool>,
    ) -> Result<LeafList<'static, RunStep>> {
        let tree = |all: &RunSteps| {
            crate::domain::graph::in_tree_order(&all.steps, |s| (s.id, s.parent_id))
        };
        self.steps_of(ctx, tree, available_first).await
    }
    /// The batch the run is in; null when in none.
    run_batch_id: Option<ID>,
    /// The batch the run is in; null when in none.
    async fn run_batch(&self, ctx: &Context<'_>) -> Result<Option<RunBatch>> {
        related(ctx, self.0.run_batch_id.map(BatchKey), RunBatch).await
    }
    /// The user the run is assigned to; null when unassigned or assigned to a team.
    assigned_to_id: Option<ID>,
    /// The user the run is assigned to.
    async fn assigned_to(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        related(ctx, self.0.assigned_to_id.map(UserKey), User).await
    }
    /// The team the run is assigned to; null when unassigned or assigned to a user.
    assigned_team_id: Option<ID>,
    /// The team the run is assigned to.
    async fn assigned_team(&self, ctx: &Context<'_>) -> Result<Option<Team>> {
        related(ctx, self.0.assigned_team_id.map(TeamKey), Team).await
    }
    /// The date the run is due; null when none was set.
    async fn due_date(&self) -> Option<Date> {
        self.0.due_date.map(Date)
    }
    /// Where the run is worked (independent of `assignedTo` and `assignedTeam`).
    work_center_id: Option<ID>,
    /// The work center the run is worked at, if any.
    async fn work_center(&self, ctx: &Context<'_>) -> Result<Option<WorkCenter>> {
        related(ctx, self.0.work_center_id.map(WorkCenterKey), WorkCenter).await
    }
    /// The planned start.
    scheduled_start: Option<DateTime<Utc>>,
    /// The planned end: as set, or the start plus the longest chain of step lead times.
    scheduled_end: Option<DateTime<Utc>>,
    /// Higher first in a work center's queue; 0 by default.
    priority: i32,
    /// Always true for a run of an export-controlled procedure.
    export_controlled: bool,
    /// The organization-defined attribute values set on the run.
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
    /// When the first step started.
    started_at: Option<DateTime<Utc>>,
    /// When the run became COMPLETE.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
});

row_object!(
    /// A named group of sibling runs; step work propagates across it.
    pub struct RunBatch(pub run_batch::Model) in RunBatchConnection, RunBatchEdge {
    /// The batch's id.
    id: ID,
    _etag,
    _writers,
    /// The batch's title.
    title: &str,
    /// The procedure version every run of the batch uses.
    procedure_id: Option<ID>,
    /// The runs in the batch, by id.
    #[list_cost]
    async fn runs(&self, ctx: &Context<'_>) -> Result<Vec<Run>> {
        let runs = super::load_or_default(ctx, BatchRunsKey(self.0.id)).await?;
        crate::graphql::prefetch::runs(ctx, ctx.look_ahead(), &runs, StepOrder::Traveler).await?;
        Ok(runs.iter().cloned().map(Run::new).collect())
    }
});
