//! Read queries. Each resolver checks the caller, then asks the store.

use std::sync::Arc;

use async_graphql::{Context, ID, MergedObject, Object, Result};
use entity::{part, part_inventory, procedure, run, run_batch, work_center};

use super::connection::{Connection, list, page, page_args};
use super::ctx::{Gql, caller, db, loaders, reads};
use super::input::filters::*;
use super::loaders::{RunSteps, RunStepsKey};
use super::types::catalog::*;
use super::types::procedure::{Procedure, ProcedureConnection};
use super::types::run::{Run, RunBatch, RunBatchConnection, RunConnection, StepOrder};
use super::types::work_center::{ScheduledRun, WorkCenter, WorkCenterConnection};
use crate::domain::permission::Permission;
use crate::store::page::Page;
use crate::store::{catalog, scope, traveler};

/// What can be read. Everything is scoped to the caller's organization; export-controlled
/// rows only for callers cleared for export control.
// Three parts: single rows by id (`RowQuery`), the other rows and actions (`RootQuery`),
// and the lists (`ListQuery`).
#[derive(MergedObject, Default)]
pub struct Query(RowQuery, RootQuery, ListQuery);

#[derive(Default)]
pub struct RowQuery;

#[derive(Default)]
pub struct RootQuery;

#[derive(Default)]
pub struct ListQuery;

/// The root lists: each entry becomes a list field of `$ty` with the contract's six list
/// arguments, written once here. `$resolve` turns the arguments into the connection.
macro_rules! list_query {
    ($ty:ident { $(
        $(#[doc = $doc:tt])* $field:ident ($filters:ty, $sort:ty, $what:tt) -> $conn:ty = $resolve:expr;
    )* }) => {
        #[Object]
        #[allow(clippy::too_many_arguments)] // the contract's six list arguments, plus self and ctx
        impl $ty {
            $(
            $(#[doc = $doc])*
            #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
            async fn $field(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = $what)] filters: Option<$filters>,
                #[graphql(desc = "Sort keys, the first deciding; ties break on id. Default: id ascending.")]
                sort: Option<Vec<$sort>>,
                #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
                first: Option<i32>,
                #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
                after: Option<String>,
                #[graphql(desc = "Last N rows before `before`; at most the page size (100).")]
                last: Option<i32>,
                #[graphql(desc = "End before the row with this cursor (an edge's `cursor`).")]
                before: Option<String>,
            ) -> Result<$conn> {
                let args = page_args(first, after, last, before);
                ($resolve)(ctx, filters, sort, args).await
            }
            )*
        }
    };
}

/// A page of runs as a connection, whose steps come in `order` unless asked otherwise
/// (`StepOrder::AvailableFirst` for a station's queue); first primes what the selected
/// nodes will load.
pub(crate) async fn run_connection(
    ctx: &Context<'_>,
    page: Page<run::Model>,
    order: StepOrder,
) -> Result<RunConnection> {
    let rows: Vec<_> = page.rows.iter().map(|(_, r)| r.clone()).collect();
    let node = ctx.look_ahead().field("edges").field("node");
    crate::graphql::prefetch::runs(ctx, node, &rows, order).await?;
    Ok(RunConnection::from_page(page, |r| Run(r, order)))
}

/// Looks a row up by id within the caller's organization; an unparsable id finds nothing.
async fn one<E: scope::OrgScoped>(ctx: &Context<'_>, id: &ID) -> Result<Option<E::Model>> {
    let Some(id) = super::input::key(id) else {
        return Ok(None);
    };
    scope::find::<E>(reads(ctx), caller(ctx)?, id).await.gql()
}

/// A run by id. With its steps selected, the run, its steps and their fields are read
/// together (`store::traveler`: one statement on PostgreSQL), and the steps' loader is
/// seeded with them.
async fn run_by_id(ctx: &Context<'_>, id: &ID) -> Result<Option<run::Model>> {
    let look = ctx.look_ahead();
    if !(look.field("steps").exists() || look.field("allSteps").exists()) {
        return one::<run::Entity>(ctx, id).await;
    }
    let Some(id) = super::input::key(id) else {
        return Ok(None);
    };
    let Some(t) = traveler::read(reads(ctx), caller(ctx)?, id).await.gql()? else {
        return Ok(None);
    };
    let steps = RunSteps::new(t.steps, t.fields);
    loaders(ctx)
        .seed(RunStepsKey(id), Some(Arc::new(steps)))
        .await;
    Ok(Some(t.run))
}

/// The rows by id: each entry becomes a field of `$ty` taking `id` (described by `$what`)
/// and answering the row of `$entity` the caller may see, wrapped by `$wrap`, or null.
macro_rules! row_query {
    (@fetch $ctx:ident, $id:ident, $entity:ident) => { one::<$entity::Entity>($ctx, &$id) };
    (@fetch $ctx:ident, $id:ident, $entity:ident, $fetch:path) => { $fetch($ctx, &$id) };
    ($ty:ident { $(
        $(#[doc = $doc:tt])* $field:ident($entity:ident, $what:literal) -> $out:ty = $wrap:expr
            $(, via $fetch:path)?;
    )* }) => {
        #[Object]
        impl $ty {
            $(
            $(#[doc = $doc])*
            async fn $field(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = $what)] id: ID,
            ) -> Result<Option<$out>> {
                Ok(row_query!(@fetch ctx, id, $entity $(, $fetch)?).await?.map($wrap))
            }
            )*
        }
    };
}

row_query! { RowQuery {
    /// A run by id; null when the caller cannot see it (another organization, or
    /// export-controlled and the caller is not cleared) or the id is not an integer.
    run(run, "The run's id.") -> Run = Run::new, via run_by_id;
    /// A procedure version by id; null when the caller cannot see it or the id is not an integer.
    procedure(procedure, "The procedure version's id.") -> Procedure = Procedure;
    /// A part by id; null when the caller cannot see it or the id is not an integer.
    part(part, "The part's id.") -> Part = Part;
    /// A unit or lot by id; null when the caller cannot see it or the id is not an integer.
    part_inventory(part_inventory, "The unit or lot's id.") -> PartInventory = PartInventory;
    /// A batch by id; null when the caller cannot see it or the id is not an integer.
    run_batch(run_batch, "The batch's id.") -> RunBatch = RunBatch;
    /// A work center by id.
    work_center(work_center, "The work center's id.") -> WorkCenter = WorkCenter;
}}

/// Rows other than by id, and actions; the lists are in `ListQuery`.
#[Object]
impl RootQuery {
    /// The timeline: every run whose planned window overlaps `[from, to)`, by planned
    /// start, with the stretches in which its work center is over capacity. At most
    /// 5,000 runs and 366 days (LIMIT_EXCEEDED beyond).
    #[graphql(complexity = "super::types::page_cost(Some(100), None, child_complexity)")]
    async fn schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The window's start (inclusive).")] from: chrono::DateTime<chrono::Utc>,
        #[graphql(desc = "The window's end (exclusive); after `from`.")] to: chrono::DateTime<
            chrono::Utc,
        >,
        #[graphql(desc = "Only these work centers' runs; absent: every run with a window.")]
        work_center_ids: Option<Vec<ID>>,
    ) -> Result<Vec<ScheduledRun>> {
        super::types::work_center::schedule(ctx, from, to, work_center_ids).await
    }

    /// The caller.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let u = catalog::me(db(ctx), caller(ctx)?).await.gql()?;
        Ok(User(u))
    }

    /// The caller, under ION's name for `me`.
    async fn current_user(&self, ctx: &Context<'_>) -> Result<User> {
        self.me(ctx).await
    }

    /// The organization's API keys (tokens are never shown again).
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let c = caller(ctx)?;
        c.require(Permission::ManageUsers).gql()?;
        // This process's pending last uses first, so the list is current.
        let keys = &ctx.data_unchecked::<crate::graphql::ctx::AppData>().keys;
        keys.flush(db(ctx)).await.gql()?;
        let rows = catalog::api_keys(db(ctx), c).await.gql()?;
        Ok(rows.into_iter().map(ApiKey).collect())
    }

    /// Custom attribute definitions of the organization.
    async fn attribute_definitions(&self, ctx: &Context<'_>) -> Result<Vec<AttributeDefinition>> {
        let rows = catalog::attribute_definitions(db(ctx), caller(ctx)?)
            .await
            .gql()?;
        Ok(rows.into_iter().map(AttributeDefinition).collect())
    }
}

list_query! { ListQuery {
        /// Runs, filtered and sorted. The unassigned pool:
        /// `runs(filters: {assignedToId: {isNull: true}, assignedTeamId: {isNull: true}})`.
        runs(RunsInputFilters, RunSortEnum, "Conditions on the runs' fields; every one given must hold.")
            -> RunConnection = |ctx, f, s, a| async move { run_connection(ctx, page(ctx, f, s, a).await?, StepOrder::Traveler).await };
        /// Procedure versions (each version is its own row), filtered and sorted.
        procedures(ProceduresInputFilters, ProcedureSortEnum, "Conditions on the procedures' fields; every one given must hold.")
            -> ProcedureConnection = |ctx, f, s, a| list(ctx, f, s, a, Procedure);
        /// Parts, filtered and sorted.
        parts(PartsInputFilters, PartSortEnum, "Conditions on the parts' fields; every one given must hold.")
            -> PartConnection = |ctx, f, s, a| list(ctx, f, s, a, Part);
        /// Tracked units and lots, filtered and sorted.
        part_inventories(PartInventoriesInputFilters, PartInventorySortEnum, "Conditions on the units and lots' fields; every one given must hold.")
            -> PartInventoryConnection = |ctx, f, s, a| list(ctx, f, s, a, PartInventory);
        /// Run batches, filtered and sorted.
        run_batches(RunBatchesInputFilters, RunBatchSortEnum, "Conditions on the batches' fields; every one given must hold.")
            -> RunBatchConnection = |ctx, f, s, a| list(ctx, f, s, a, RunBatch);
        /// Work centers, filtered and sorted.
        work_centers(WorkCentersInputFilters, WorkCenterSortEnum, "Conditions on the work centers' fields; every one given must hold.")
            -> WorkCenterConnection = |ctx, f, s, a| list(ctx, f, s, a, WorkCenter);
        /// Users of the organization, filtered and sorted.
        users(UsersInputFilters, UserSortEnum, "Conditions on the users' fields; every one given must hold.")
            -> UserConnection = |ctx, f, s, a| list(ctx, f, s, a, User);
        /// Teams of the organization, filtered and sorted.
        teams(TeamsInputFilters, TeamSortEnum, "Conditions on the teams' fields; every one given must hold.")
            -> TeamConnection = |ctx, f, s, a| list(ctx, f, s, a, Team);
        /// The audit log of the organization: one event per mutation (admins only).
        events(EventsInputFilters, EventSortEnum, "Conditions on the events' fields; every one given must hold.")
            -> EventConnection = |ctx, f, s, a| async move {
                caller(ctx)?.require(Permission::ManageUsers).gql()?;
                list(ctx, f, s, a, Event).await
            };
        /// The organization's roles: what each lets its holders do.
        roles(RolesInputFilters, RoleSortEnum, "Conditions on the roles' fields; every one given must hold.")
            -> RoleConnection = |ctx, f, s, a| list(ctx, f, s, a, Role);
}
}
