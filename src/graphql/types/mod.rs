//! GraphQL object types: thin wrappers over entity rows; nested fields go through loaders.

pub mod catalog;
pub mod procedure;
pub mod run;
pub mod run_step;

use async_graphql::ID;

pub fn id(v: i64) -> ID {
    ID(v.to_string())
}

pub fn opt_id(v: Option<i64>) -> Option<ID> {
    v.map(id)
}

pub fn etag(lock_version: i32) -> String {
    crate::store::etag::etag(lock_version)
}

/// Complexity of a connection field: its page size times what one node costs.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let n = first
        .or(last)
        .unwrap_or(crate::store::page::DEFAULT_PAGE_SIZE as i32)
        .max(1) as usize;
    n.saturating_mul(child).saturating_add(1)
}

/// Assumed length of plain child lists (a run's steps, a step's fields) for complexity.
pub const LIST_COST: usize = 10;
