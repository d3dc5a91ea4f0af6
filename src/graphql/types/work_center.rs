//! Work centers, a work center's queue, and the timeline's scheduled runs.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::work_center;

use super::leaves::{LeafList, LeafObject, Read};
use super::row_object;
use super::run::{Run, RunConnection, StepOrder};
use crate::graphql::input::filters::RunsInputFilters;
use crate::graphql::loaders::WorkCenterKey;
use crate::store::work_centers::{Load, Scheduled};

row_object!(
    /// A station or cell where runs are worked, with a capacity: how many runs at once.
    pub struct WorkCenter(pub work_center::Model) in WorkCenterConnection, WorkCenterEdge {
    /// The work center's id.
    id: ID,
    _etag,
    _writers,
    /// Unique in the organization.
    name: &str,
    /// What it is (free text).
    description: Option<&str>,
    /// Runs worked at once; null is unbounded (never over capacity).
    capacity: Option<i32>,
    /// An inactive work center takes no new runs.
    active: bool,
    /// Its runs that are not finished (neither COMPLETE, PARTIAL_COMPLETE nor CANCELED),
    /// most urgent first: higher `priority` first, then earlier `scheduledStart`, then
    /// earlier `dueDate` (runs without one after those with one), then by id. Each run's
    /// `steps` and `allSteps` list the steps available to work first (their
    /// `availableFirst` defaults to true here).
    #[cost(|child| super::page_cost(first, last, child))]
    async fn queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the runs' fields; every one given must hold.")]
        filters: Option<RunsInputFilters>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")]
        last: Option<i32>,
        #[graphql(desc = "End before the row with this cursor (an edge's `cursor`).")]
        before: Option<String>,
    ) -> Result<RunConnection> {
        use crate::graphql::ctx::{Gql, caller, limits, reads};
        let mut args = crate::graphql::connection::page_args(first, after, last, before);
        args.total = crate::graphql::connection::wants_total(ctx);
        let spec = crate::graphql::input::filters::spec::<_, crate::graphql::input::filters::RunSortEnum>(filters, None);
        let (c, max) = (caller(ctx)?, limits(ctx).page_size);
        let page = crate::store::work_centers::queue(reads(ctx), c, self.0.id, spec, &args, max)
            .await
            .gql()?;
        crate::graphql::query::run_connection(ctx, page, StepOrder::AvailableFirst).await
    }
});

/// A run on the timeline.
#[derive(async_graphql::Description)]
pub struct ScheduledRun {
    run: Run,
    load: Load,
}

impl ScheduledRun {
    /// Wraps the store's row; the conflicts stay the work center's shared list.
    pub fn new(s: Scheduled) -> Self {
        ScheduledRun {
            run: Run::new(s.run),
            load: s.load,
        }
    }
}

#[Object(use_type_description)]
impl ScheduledRun {
    /// The run.
    async fn run(&self) -> &Run {
        &self.run
    }
    /// Where it is worked; null when it has no work center.
    async fn work_center(&self, ctx: &Context<'_>) -> Result<Option<WorkCenter>> {
        super::related(
            ctx,
            self.run.0.work_center_id.map(WorkCenterKey),
            WorkCenter,
        )
        .await
    }
    /// The stretches of its planned window in which its work center has more runs than
    /// its capacity (clipped to the asked window); empty when none, or without a capacity.
    async fn conflicts(&self) -> LeafList<'static, CapacityConflict> {
        let capacity = self.load.capacity.unwrap_or_default();
        let items = self.load.conflicts().iter().map(|o| CapacityConflict {
            from: o.from,
            to: o.to,
            run_count: i32::try_from(o.count).unwrap_or(i32::MAX),
            capacity,
        });
        LeafList(items.collect())
    }
}

/// A stretch in which more runs overlap at one work center than its capacity.
#[derive(SimpleObject, Clone, Debug)]
pub struct CapacityConflict {
    /// Where the stretch starts.
    pub from: DateTime<Utc>,
    /// Where it ends (exclusive).
    pub to: DateTime<Utc>,
    /// Runs overlapping throughout the stretch.
    pub run_count: i32,
    /// The work center's capacity.
    pub capacity: i32,
}

/// A week's timeline has tens of thousands of these: they are built without the executor.
impl LeafObject for CapacityConflict {
    type Row = Self;

    fn wrap(row: Self) -> Self {
        row
    }

    fn leaf(name: &str) -> Option<Read<Self>> {
        use async_graphql::ScalarType;
        let read: Read<Self> = match name {
            "from" => |c| Some(c.from.to_value()),
            "to" => |c| Some(c.to.to_value()),
            "runCount" => |c| Some(c.run_count.to_value()),
            "capacity" => |c| Some(c.capacity.to_value()),
            _ => return None,
        };
        Some(read)
    }
}

/// The `schedule` query: the store's timeline, with the runs' selected fields and the work
/// centers it read primed for their resolvers.
pub async fn schedule(
    ctx: &Context<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    work_center_ids: Option<Vec<ID>>,
) -> Result<Vec<ScheduledRun>> {
    use crate::graphql::ctx::{Gql, caller, loaders, reads};
    let path = crate::graphql::input::keys(&["workCenterIds"]);
    let ids = match &work_center_ids {
        Some(v) => Some(crate::graphql::input::ids(v, &path).gql()?),
        None => None,
    };
    let window = crate::store::commands::Window {
        from,
        to,
        work_center_ids: ids,
    };
    let (runs, centers) = crate::store::work_centers::schedule(reads(ctx), caller(ctx)?, window)
        .await
        .gql()?;
    for c in centers {
        loaders(ctx).seed(WorkCenterKey(c.id), Some(c)).await;
    }
    let rows: Vec<&entity::run::Model> = runs.iter().map(|s| &s.run).collect();
    let order = StepOrder::Traveler;
    crate::graphql::prefetch::runs(ctx, ctx.look_ahead().field("run"), &rows, order).await?;
    Ok(runs.into_iter().map(ScheduledRun::new).collect())
}
