//! What resolvers read from the request: the caller, the database, the loaders, limits.

use async_graphql::{Context, Result};
use sea_orm::DatabaseConnection;

use super::loaders::Loaders;
use crate::caller::Caller;
use crate::config::Limits;
use crate::error::{AppError, AppErrors, AppResult, Code};
use crate::store::pooled::ReadPool;

/// Schema-wide data, set once at start.
pub struct AppData {
    pub db: DatabaseConnection,
    /// The same pool, for reads outside a transaction (`store::pooled`).
    pub reads: ReadPool,
    pub limits: Limits,
    pub keys: std::sync::Arc<crate::store::auth::KeyCache>,
}

pub fn caller<'a>(ctx: &Context<'a>) -> Result<&'a Caller> {
    ctx.data_opt::<Caller>()
        .ok_or_else(|| AppError::new(Code::Unauthenticated, "an API key is required").into_gql())
}

pub fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    &ctx.data_unchecked::<AppData>().db
}

/// The pool for reads outside a transaction.
pub fn reads<'a>(ctx: &Context<'a>) -> &'a ReadPool {
    &ctx.data_unchecked::<AppData>().reads
}

pub fn limits<'a>(ctx: &Context<'a>) -> &'a Limits {
    &ctx.data_unchecked::<AppData>().limits
}

pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

/// `AppResult` -> GraphQL result, with code, field and index in `extensions`.
pub trait Gql<T> {
    fn gql(self) -> Result<T>;
}

impl<T> Gql<T> for AppResult<T> {
    fn gql(self) -> Result<T> {
        self.map_err(AppError::into_gql)
    }
}

impl<T> Gql<T> for std::result::Result<T, sea_orm::DbErr> {
    fn gql(self) -> Result<T> {
        self.map_err(|e| AppError::from(e).into_gql())
    }
}

/// Reports every error of a bulk call: the first as the field's error, the others beside
/// it in the response's `errors` list.
pub fn report_all(ctx: &Context<'_>, errors: AppErrors) -> async_graphql::Error {
    let mut it = errors.0.into_iter();
    let first = it
        .next()
        .unwrap_or_else(|| AppError::internal("empty error list"));
    for e in it {
        let se = ctx.set_error_path(e.into_gql().into_server_error(ctx.item.pos));
        ctx.add_error(se);
    }
    first.into_gql()
}

/// The current field's arguments, variables resolved, as JSON (the audit log's `change`).
pub fn arguments(ctx: &Context<'_>) -> serde_json::Value {
    let args = ctx.field().arguments().unwrap_or_default();
    serde_json::Value::Object(
        args.into_iter()
            .map(|(name, value)| {
                (
                    name.to_string(),
                    value.into_json().unwrap_or(serde_json::Value::Null),
                )
            })
            .collect(),
    )
}
