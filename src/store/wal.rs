//! SQLite's write-ahead log, copied back into the database in the background.
//!
//! By default the commit that takes the WAL past 1000 pages copies it back (a checkpoint)
//! and flushes both files to disk before it returns, while every other writer of the
//! process waits its turn behind it (`AppState::writers`): under `bench/floor.sh` a
//! checkpoint took 4.4 ms on average, 9.4 at most, on a disk slower than this machine's
//! far more. A task of its own runs them instead, without the write lock (`PASSIVE`: it
//! copies what no reader still needs, and the next run takes the rest). Commits still
//! checkpoint past [`BACKSTOP_PAGES`], should the task fall behind a bulk write.

use std::sync::Weak;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection};

/// How often the task checkpoints.
pub const EVERY: Duration = Duration::from_millis(100);

/// `wal_autocheckpoint` of every connection: 10,000 pages (about 40 MB of WAL), reached
/// only when one transaction writes that much or the task is stopped.
pub const BACKSTOP_PAGES: u32 = 10_000;

/// Checkpoints `db` every `every` while `alive` (the app's writers' turn) is.
pub fn spawn_checkpoints<T: Send + Sync + 'static>(
    db: DatabaseConnection,
    alive: Weak<T>,
    every: Duration,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if alive.strong_count() == 0 {
                return;
            }
            let done = db
                .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                .await;
            if let Err(e) = done {
                tracing::warn!(error = %e, "could not checkpoint the SQLite WAL");
            }
        }
    });
}
