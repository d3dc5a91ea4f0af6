//! SQLite's write-ahead log, copied back into the database in the background.
//!
//! By default the commit that takes the WAL past 1000 pages copies it back (a checkpoint)
//! and flushes both files to disk before it returns, while every other writer of the
//! process waits its turn behind it (`AppState::writers`): under `bench/floor.sh` a
//! checkpoint took 4.4 ms on average and 9.4 at most, and takes longer on a slower disk. A
//! task of its own runs them instead, without the write lock (`PASSIVE`: it copies what no
//! reader still needs, and the next run takes the rest). Commits still checkpoint past
//! [`BACKSTOP_PAGES`], should the task fall behind a bulk write.

use std::sync::Weak;
use std::time::Duration;

use sea_orm::sqlx::SqlitePool;

/// How often the task checkpoints.
pub const EVERY: Duration = Duration::from_millis(100);

/// `wal_autocheckpoint` of every connection: 10,000 pages (about 40 MB of WAL), reached
/// only when one transaction writes that much or the task is stopped.
pub const BACKSTOP_PAGES: u32 = 10_000;

/// Checkpoints the database of `pool` every `every` while `alive` (the app's writers'
/// turn) is, if it runs in WAL mode (an in-memory one does not). Straight through sqlx,
/// so that the checkpoints are not counted as the statements of requests.
pub fn spawn_checkpoints<T: Send + Sync + 'static>(
    pool: SqlitePool,
    alive: Weak<T>,
    every: Duration,
) {
    tokio::spawn(async move {
        let mode = sea_orm::sqlx::query_scalar::<_, String>("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await;
        if !mode.is_ok_and(|m| m.eq_ignore_ascii_case("wal")) {
            return;
        }
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if alive.strong_count() == 0 {
                return;
            }
            let done = sea_orm::sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await;
            if let Err(e) = done {
                tracing::warn!(error = %e, "could not checkpoint the SQLite WAL");
            }
        }
    });
}
