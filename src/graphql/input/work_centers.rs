//! Inputs of the work center mutations.

use async_graphql::ID;

use crate::store::commands::{NewWorkCenter, WorkCenterEdit};

command_input! {
    /// A new work center of the caller's organization.
    CreateWorkCenterInput => NewWorkCenter {
        /// Unique in the organization.
        name: String,
        /// What it is (free text, up to 100,000 characters).
        description: Option<String>,
        /// Runs worked at once (at least 1); absent is unbounded.
        capacity: Option<i32>,
    }

    /// Changes to a work center; an absent field is left as it is.
    UpdateWorkCenterInput => WorkCenterEdit {
        /// The work center to change.
        id: ID => id("id"),
        /// Its `_etag` as last read (STALE_ETAG otherwise).
        etag: String,
        /// Unique in the organization.
        name: Option<String>,
        /// What it is (free text).
        description: Option<String>,
        /// Runs worked at once (at least 1).
        capacity: Option<i32>,
        /// An inactive work center takes no new runs; its runs stay.
        active: Option<bool>,
    }
}
