//! Inputs of the work center mutations.

use async_graphql::{ID, InputObject};

use super::{id, input_path};
use crate::error::AppResult;
use crate::store::work_centers::{NewWorkCenter, WorkCenterEdit};

/// A new work center of the caller's organization.
#[derive(InputObject, Clone, Debug)]
pub struct CreateWorkCenterInput {
    /// Unique in the organization.
    pub name: String,
    /// What it is (free text, up to 100,000 characters).
    pub description: Option<String>,
    /// Runs worked at once (at least 1); absent is unbounded.
    pub capacity: Option<i32>,
}

impl CreateWorkCenterInput {
    pub fn cmd(self) -> AppResult<NewWorkCenter> {
        Ok(NewWorkCenter {
            name: self.name,
            description: self.description,
            capacity: self.capacity,
        })
    }
}

/// Changes to a work center; an absent field is left as it is.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateWorkCenterInput {
    /// The work center to change.
    pub id: ID,
    /// Its `_etag` as last read (STALE_ETAG otherwise).
    pub etag: String,
    /// Unique in the organization.
    pub name: Option<String>,
    /// What it is (free text).
    pub description: Option<String>,
    /// Runs worked at once (at least 1).
    pub capacity: Option<i32>,
    /// An inactive work center takes no new runs; its runs stay.
    pub active: Option<bool>,
}

impl UpdateWorkCenterInput {
    pub fn cmd(self) -> AppResult<WorkCenterEdit> {
        Ok(WorkCenterEdit {
            id: id(&self.id, &input_path("id"))?,
            etag: self.etag,
            name: self.name,
            description: self.description,
            capacity: self.capacity,
            active: self.active,
        })
    }
}
