//! Optimistic concurrency: every row has a `lock_version`; its etag is `v<lock_version>`.
//! Updates compare the etag the client sent, then bump the version in a guarded UPDATE.

use crate::error::{AppError, AppResult};

pub fn etag(lock_version: i32) -> String {
    format!("v{lock_version}")
}

/// Refuses with `STALE_ETAG` unless `sent` is the current etag.
pub fn check(lock_version: i32, sent: &str, what: &str) -> AppResult<()> {
    if sent.trim() == etag(lock_version) {
        Ok(())
    } else {
        Err(AppError::stale(what).at(&["input", "etag"]))
    }
}

/// A row named by id, with the etag the client last read (for actions with no other input).
#[derive(Clone, Debug)]
pub struct IdEtag {
    pub id: i64,
    pub etag: String,
}
