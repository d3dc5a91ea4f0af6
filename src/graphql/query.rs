//! Read queries. Each resolver checks the caller, then asks the store.

use async_graphql::{Context, ID, Object, Result};
use entity::{
    api_key, attribute_definition, part, part_inventory, procedure, run, run_batch, user,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::ctx::{Gql, caller, db, limits};
use super::types::catalog::*;
use super::types::procedure::{Procedure, ProcedureConnection};
use super::types::run::{Run, RunBatch, RunBatchConnection, RunConnection};
use crate::input::*;
use crate::store::page::PageArgs;
use crate::store::{lists, scope};

pub struct Query;

fn args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
    }
}

/// Looks a row up by id within the caller's organization; an unparsable id finds nothing.
async fn one<E: scope::OrgScoped>(ctx: &Context<'_>, id: &ID) -> Result<Option<E::Model>> {
    let Ok(id) = id.as_str().trim().parse::<i64>() else {
        return Ok(None);
    };
    scope::find::<E>(db(ctx), caller(ctx)?, id).await.gql()
}

#[Object]
#[allow(clippy::too_many_arguments)] // the contract's six list arguments, plus self and ctx
impl Query {
    /// A run by id.
    async fn run(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Run>> {
        Ok(one::<run::Entity>(ctx, &id).await?.map(Run))
    }

    /// Runs, filtered and sorted. The unassigned pool:
    /// `runs(filters: {assignedToId: {isNull: true}, assignedTeamId: {isNull: true}})`.
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn runs(
        &self,
        ctx: &Context<'_>,
        filters: Option<RunsInputFilters>,
        sort: Option<Vec<RunSortEnum>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RunConnection> {
        let page = lists::runs(
            db(ctx),
            caller(ctx)?,
            filters,
            sort,
            &args(first, after, last, before),
            limits(ctx).page_size,
        )
        .await
        .gql()?;
        let rows: Vec<_> = page.rows.iter().map(|(_, r)| r.clone()).collect();
        crate::graphql::prefetch::runs(ctx, ctx.look_ahead().field("edges").field("node"), &rows)
            .await?;
        Ok(RunConnection::from_page(page, Run))
    }

    async fn procedure(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Procedure>> {
        Ok(one::<procedure::Entity>(ctx, &id).await?.map(Procedure))
    }

    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn procedures(
        &self,
        ctx: &Context<'_>,
        filters: Option<ProceduresInputFilters>,
        sort: Option<Vec<ProcedureSortEnum>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ProcedureConnection> {
        let page = lists::procedures(
            db(ctx),
            caller(ctx)?,
            filters,
            sort,
            &args(first, after, last, before),
            limits(ctx).page_size,
        )
        .await
        .gql()?;
        Ok(ProcedureConnection::from_page(page, Procedure))
    }

    async fn part(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Part>> {
        Ok(one::<part::Entity>(ctx, &id).await?.map(Part))
    }

    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn parts(
        &self,
        ctx: &Context<'_>,
        filters: Option<PartsInputFilters>,
        sort: Option<Vec<PartSortEnum>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PartConnection> {
        let page = lists::parts(
            db(ctx),
            caller(ctx)?,
            filters,
            sort,
            &args(first, after, last, before),
            limits(ctx).page_size,
        )
        .await
        .gql()?;
        Ok(PartConnection::from_page(page, Part))
    }

    async fn part_inventory(&self, ctx: &Context<'_>, id: ID) -> Result<Option<PartInventory>> {
        Ok(one::<part_inventory::Entity>(ctx, &id)
            .await?
            .map(PartInventory))
    }

    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn part_inventories(
        &self,
        ctx: &Context<'_>,
        filters: Option<PartInventoriesInputFilters>,
        sort: Option<Vec<PartInventorySortEnum>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PartInventoryConnection> {
        let page = lists::part_inventories(
            db(ctx),
            caller(ctx)?,
            filters,
            sort,
            &args(first, after, last, before),
            limits(ctx).page_size,
        )
        .await
        .gql()?;
        Ok(PartInventoryConnection::from_page(page, PartInventory))
    }

    async fn run_batch(&self, ctx: &Context<'_>, id: ID) -> Result<Option<RunBatch>> {
        Ok(one::<run_batch::Entity>(ctx, &id).await?.map(RunBatch))
    }

    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn run_batches(
        &self,
        ctx: &Context<'_>,
        filters: Option<RunBatchesInputFilters>,
        sort: Option<Vec<RunBatchSortEnum>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RunBatchConnection> {
        let page = lists::run_batches(
            db(ctx),
            caller(ctx)?,
            filters,
            sort,
            &args(first, after, last, before),
            limits(ctx).page_size,
        )
        .await
        .gql()?;
        Ok(RunBatchConnection::from_page(page, RunBatch))
    }

    /// The caller.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let c = caller(ctx)?;
        let u = scope::find::<user::Entity>(db(ctx), c, c.user_id)
            .await
            .gql()?;
        u.map(User)
            .ok_or_else(|| crate::error::AppError::not_found("user").into_gql())
    }

    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        filters: Option<UsersInputFilters>,
        sort: Option<Vec<UserSortEnum>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<UserConnection> {
        let page = lists::users(
            db(ctx),
            caller(ctx)?,
            filters,
            sort,
            &args(first, after, last, before),
            limits(ctx).page_size,
        )
        .await
        .gql()?;
        Ok(UserConnection::from_page(page, User))
    }

    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn teams(
        &self,
        ctx: &Context<'_>,
        filters: Option<TeamsInputFilters>,
        sort: Option<Vec<TeamSortEnum>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<TeamConnection> {
        let page = lists::teams(
            db(ctx),
            caller(ctx)?,
            filters,
            sort,
            &args(first, after, last, before),
            limits(ctx).page_size,
        )
        .await
        .gql()?;
        Ok(TeamConnection::from_page(page, Team))
    }

    /// The audit log of the organization: one event per mutation (admins only).
    #[graphql(complexity = "super::types::page_cost(first, last, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        filters: Option<EventsInputFilters>,
        sort: Option<Vec<EventSortEnum>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<EventConnection> {
        let c = caller(ctx)?;
        c.require(crate::domain::permission::Permission::ManageUsers)
            .gql()?;
        let page = lists::events(
            db(ctx),
            c,
            filters,
            sort,
            &args(first, after, last, before),
            limits(ctx).page_size,
        )
        .await
        .gql()?;
        Ok(EventConnection::from_page(page, Event))
    }

    /// The organization's API keys (tokens are never shown again).
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let c = caller(ctx)?;
        c.require(crate::domain::permission::Permission::ManageUsers)
            .gql()?;
        let rows = scope::visible::<api_key::Entity>(c)
            .order_by_asc(api_key::Column::Id)
            .all(db(ctx))
            .await
            .gql()?;
        Ok(rows.into_iter().map(ApiKey).collect())
    }

    /// Custom attribute definitions of the organization.
    async fn attribute_definitions(&self, ctx: &Context<'_>) -> Result<Vec<AttributeDefinition>> {
        let c = caller(ctx)?;
        let rows = attribute_definition::Entity::find()
            .filter(attribute_definition::Column::OrganizationId.eq(c.organization_id))
            .order_by_asc(attribute_definition::Column::Id)
            .all(db(ctx))
            .await
            .gql()?;
        Ok(rows.into_iter().map(AttributeDefinition).collect())
    }
}
