//! Read queries. Each resolver checks the caller, then asks the store.

use async_graphql::{Context, ID, Object, Result};
use entity::{part, part_inventory, procedure, run, run_batch, work_center};

use super::connection::{Connection, list, page, page_args};
use super::ctx::{Gql, caller, db};
use super::input::filters::*;
use super::types::catalog::*;
use super::types::procedure::{Procedure, ProcedureConnection};
use super::types::run::{Run, RunBatch, RunBatchConnection, RunConnection};
use super::types::work_center::{ScheduledRun, WorkCenter, WorkCenterConnection};
use crate::store::page::Page;
use crate::store::{catalog, scope};

pub struct Query;

/// A page of runs as a connection, each wrapped by `node` (`Run::new`, or `Run::queued`
/// for a station's queue); first primes what the selected nodes will load.
pub(crate) async fn run_connection(
    ctx: &Context<'_>,
    page: Page<run::Model>,
    node: fn(run::Model) -> Run,
) -> Result<RunConnection> {
    let rows: Vec<_> = page.rows.iter().map(|(_, r)| r.clone()).collect();
    crate::graphql::prefetch::runs(ctx, ctx.look_ahead().field("edges").field("node"), &rows)
        .await?;
    Ok(RunConnection::from_page(page, node))
}

/// Looks a row up by id within the caller's organization; an unparsable id finds nothing.
async fn one<E: scope::OrgScoped>(ctx: &Context<'_>, id: &ID) -> Result<Option<E::Model>> {
    let Ok(id) = id.as_str().trim().parse::<i64>() else {
        return Ok(None);
    };
    scope::find::<E>(db(ctx), caller(ctx)?, id).await.gql()
}

/// What can be read. Everything is scoped to the caller's organization; export-controlled
/// rows only for callers cleared for export control.
#[Object]
#[allow(clippy::too_many_arguments)] // the contract's six list arguments, plus self and ctx
impl Query {
    /// A run by id; null when the caller cannot see it (another organization, or
    /// export-controlled and the caller is not cleared) or the id is not an integer.
    async fn run(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run's id.")] id: ID,
    ) -> Result<Option<Run>> {
        Ok(one::<run::Entity>(ctx, &id).await?.map(Run::new))
    }

    /// Runs, filtered and sorted. The unassigned pool:
    /// `runs(filters: {assignedToId: {isNull: true}, assignedTeamId: {isNull: true}})`.
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the runs' fields; every one given must hold.")]
        filters: Option<RunsInputFilters>,
        #[graphql(
            desc = "Sort keys, the first deciding; ties break on id. Default: id ascending."
        )]
        sort: Option<Vec<RunSortEnum>>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the row with this cursor (an edge's `cursor`).")]
        before: Option<String>,
    ) -> Result<RunConnection> {
        let args = page_args(first, after, last, before);
        let page = page(ctx, filters, sort, args).await?;
        run_connection(ctx, page, Run::new).await
    }

    /// A procedure version by id; null when the caller cannot see it or the id is not an integer.
    async fn procedure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The procedure version's id.")] id: ID,
    ) -> Result<Option<Procedure>> {
        Ok(one::<procedure::Entity>(ctx, &id).await?.map(Procedure))
    }

    /// Procedure versions (each version is its own row), filtered and sorted.
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn procedures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the procedures' fields; every one given must hold.")]
        filters: Option<ProceduresInputFilters>,
        #[graphql(
            desc = "Sort keys, the first deciding; ties break on id. Default: id ascending."
        )]
        sort: Option<Vec<ProcedureSortEnum>>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the row with this cursor (an edge's `cursor`).")]
        before: Option<String>,
    ) -> Result<ProcedureConnection> {
        let args = page_args(first, after, last, before);
        list(ctx, filters, sort, args, Procedure).await
    }

    /// A part by id; null when the caller cannot see it or the id is not an integer.
    async fn part(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The part's id.")] id: ID,
    ) -> Result<Option<Part>> {
        Ok(one::<part::Entity>(ctx, &id).await?.map(Part))
    }

    /// Parts, filtered and sorted.
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn parts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the parts' fields; every one given must hold.")]
        filters: Option<PartsInputFilters>,
        #[graphql(
            desc = "Sort keys, the first deciding; ties break on id. Default: id ascending."
        )]
        sort: Option<Vec<PartSortEnum>>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the row with this cursor (an edge's `cursor`).")]
        before: Option<String>,
    ) -> Result<PartConnection> {
        let args = page_args(first, after, last, before);
        list(ctx, filters, sort, args, Part).await
    }

    /// A unit or lot by id; null when the caller cannot see it or the id is not an integer.
    async fn part_inventory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit or lot's id.")] id: ID,
    ) -> Result<Option<PartInventory>> {
        Ok(one::<part_inventory::Entity>(ctx, &id)
            .await?
            .map(PartInventory))
    }

    /// Tracked units and lots, filtered and sorted.
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn part_inventories(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the units and lots' fields; every one given must hold.")]
        filters: Option<PartInventoriesInputFilters>,
        #[graphql(
            desc = "Sort keys, the first deciding; ties break on id. Default: id ascending."
        )]
        sort: Option<Vec<PartInventorySortEnum>>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the row with this cursor (an edge's `cursor`).")]
        before: Option<String>,
    ) -> Result<PartInventoryConnection> {
        let args = page_args(first, after, last, before);
        list(ctx, filters, sort, args, PartInventory).await
    }

    /// A batch by id; null when the caller cannot see it or the id is not an integer.
    async fn run_batch(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The batch's id.")] id: ID,
    ) -> Result<Option<RunBatch>> {
        Ok(one::<run_batch::Entity>(ctx, &id).await?.map(RunBatch))
    }

    /// Run batches, filtered and sorted.
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn run_batches(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the batches' fields; every one given must hold.")]
        filters: Option<RunBatchesInputFilters>,
        #[graphql(
            desc = "Sort keys, the first deciding; ties break on id. Default: id ascending."
        )]
        sort: Option<Vec<RunBatchSortEnum>>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the row with this cursor (an edge's `cursor`).")]
        before: Option<String>,
    ) -> Result<RunBatchConnection> {
        let args = page_args(first, after, last, before);
        list(ctx, filters, sort, args, RunBatch).await
    }

    /// A work center by id.
    async fn work_center(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The work center's id.")] id: ID,
    ) -> Result<Option<WorkCenter>> {
        Ok(one::<work_center::Entity>(ctx, &id).await?.map(WorkCenter))
    }

    /// Work centers, filtered and sorted.
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn work_centers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the work centers' fields; every one given must hold.")]
        filters: Option<WorkCentersInputFilters>,
        #[graphql(
            desc = "Sort keys, the first deciding; ties break on id. Default: id ascending."
        )]
        sort: Option<Vec<WorkCenterSortEnum>>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the row with this cursor.")] before: Option<String>,
    ) -> Result<WorkCenterConnection> {
        let args = page_args(first, after, last, before);
        list(ctx, filters, sort, args, WorkCenter).await
    }

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

    /// Users of the organization, filtered and sorted.
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the users' fields; every one given must hold.")]
        filters: Option<UsersInputFilters>,
        #[graphql(
            desc = "Sort keys, the first deciding; ties break on id. Default: id ascending."
        )]
        sort: Option<Vec<UserSortEnum>>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the row with this cursor (an edge's `cursor`).")]
        before: Option<String>,
    ) -> Result<UserConnection> {
        let args = page_args(first, after, last, before);
        list(ctx, filters, sort, args, User).await
    }

    /// Teams of the organization, filtered and sorted.
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn teams(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the teams' fields; every one given must hold.")]
        filters: Option<TeamsInputFilters>,
        #[graphql(
            desc = "Sort keys, the first deciding; ties break on id. Default: id ascending."
        )]
        sort: Option<Vec<TeamSortEnum>>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the row with this cursor (an edge's `cursor`).")]
        before: Option<String>,
    ) -> Result<TeamConnection> {
        let args = page_args(first, after, last, before);
        list(ctx, filters, sort, args, Team).await
    }

    /// The audit log of the organization: one event per mutation (admins only).
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the events' fields; every one given must hold.")]
        filters: Option<EventsInputFilters>,
        #[graphql(
            desc = "Sort keys, the first deciding; ties break on id. Default: id ascending."
        )]
        sort: Option<Vec<EventSortEnum>>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the row with this cursor (an edge's `cursor`).")]
        before: Option<String>,
    ) -> Result<EventConnection> {
        let c = caller(ctx)?;
        c.require(crate::domain::permission::Permission::ManageUsers)
            .gql()?;
        let args = page_args(first, after, last, before);
        list(ctx, filters, sort, args, Event).await
    }

    /// The organization's API keys (tokens are never shown again).
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let c = caller(ctx)?;
        c.require(crate::domain::permission::Permission::ManageUsers)
            .gql()?;
        // This process's pending last uses first, so the list is current.
        let keys = &ctx.data_unchecked::<crate::graphql::ctx::AppData>().keys;
        keys.flush(db(ctx)).await.gql()?;
        let rows = catalog::api_keys(db(ctx), c).await.gql()?;
        Ok(rows.into_iter().map(ApiKey).collect())
    }

    /// The organization's roles: what each lets its holders do.
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the roles' fields; every one given must hold.")]
        filters: Option<crate::graphql::input::filters::RolesInputFilters>,
        #[graphql(
            desc = "Sort keys, the first deciding; ties break on id. Default: id ascending."
        )]
        sort: Option<Vec<crate::graphql::input::filters::RoleSortEnum>>,
        #[graphql(desc = "First N rows after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the row with this cursor (an edge's `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Last N rows before `before`; at most the page size (100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before the row with this cursor.")] before: Option<String>,
    ) -> Result<crate::graphql::types::catalog::RoleConnection> {
        let args = page_args(first, after, last, before);
        list(
            ctx,
            filters,
            sort,
            args,
            crate::graphql::types::catalog::Role,
        )
        .await
    }

    /// Custom attribute definitions of the organization.
    async fn attribute_definitions(&self, ctx: &Context<'_>) -> Result<Vec<AttributeDefinition>> {
        let rows = catalog::attribute_definitions(db(ctx), caller(ctx)?)
            .await
            .gql()?;
        Ok(rows.into_iter().map(AttributeDefinition).collect())
    }
}
