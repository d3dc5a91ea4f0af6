//! The GraphQL skin: types, resolvers and loaders. Resolvers check the caller and call the
//! store; no SQL and no domain rules live here.

pub mod budget;
pub mod connection;
pub mod ctx;
pub mod dialect;
pub mod enums;
pub mod input;
pub mod loaders;
pub mod mutation;
pub mod prefetch;
pub mod query;
pub mod scalars;
pub mod subscription;
pub mod types;
pub mod validation_limits;

use async_graphql::{Schema, SchemaBuilder};

use crate::config::Limits;

pub type AppSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

/// The schema with its limits, without data: used by the server and to export the SDL.
pub fn builder(
    limits: &Limits,
) -> SchemaBuilder<query::Query, mutation::Mutation, subscription::Subscription> {
    let mut b = Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        subscription::Subscription,
    )
    .limit_directives(limits.directives)
    .limit_recursive_depth(limits.depth.max(32))
    .extension(budget::FieldBudgetFactory {
        max_fields: limits.fields,
        max_response_bytes: limits.response_bytes,
        limits: validation_limits::ValidationLimits {
            depth: limits.depth,
            complexity: limits.complexity,
        },
    });
    if !limits.introspection {
        b = b.disable_introspection().disable_suggestions();
    }
    b
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    builder(&Limits::default()).finish().sdl()
}
