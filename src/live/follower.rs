//! The per-process follower of the event log.
//!
//! PostgreSQL hands out identity values before commit, so a transaction that took id 10
//! may commit after one that took id 11. The follower therefore remembers the ids it
//! skipped ("gaps") for a while and reads from the oldest of them, delivering each event
//! once; a gap that never fills (a rolled-back transaction) is forgotten after
//! `GAP_PATIENCE`. SQLite commits in id order, so it never has gaps that later fill.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DbErr};

use super::Inner;
use crate::store::events::{self, Change};

const GAP_PATIENCE: Duration = Duration::from_secs(30);
const PAGE: u64 = 1000;
/// PostgreSQL: a poll even without a notification (a dropped LISTEN connection).
const PG_SAFETY_POLL: Duration = Duration::from_secs(1);
pub const CHANNEL: &str = "traveler_events";

pub fn spawn(hub: Weak<Inner>, db: DatabaseConnection, head: i64) {
    tokio::spawn(async move {
        let mut cursor = Cursor {
            head,
            gaps: BTreeMap::new(),
        };
        let mut wake = Wake::new(&db).await;
        let poll = match hub.upgrade() {
            Some(h) => {
                h.position.store(head, std::sync::atomic::Ordering::Relaxed);
                h.limits.poll
            }
            None => return,
        };
        loop {
            wake.wait(poll).await;
            let Some(hub) = hub.upgrade() else { return };
            if hub.tx.receiver_count() == 0 {
                // Nobody listens: keep the cursor moving without deriving changes.
                cursor.skip_to_head(&db).await;
                hub.position
                    .store(cursor.head, std::sync::atomic::Ordering::Relaxed);
                continue;
            }
            if let Err(e) = deliver(&hub, &db, &mut cursor).await {
                tracing::warn!(error = %e, "reading the event log failed; retrying");
            }
            hub.position
                .store(cursor.head, std::sync::atomic::Ordering::Relaxed);
        }
    });
}

async fn deliver(
    hub: &Arc<Inner>,
    db: &DatabaseConnection,
    cursor: &mut Cursor,
) -> Result<(), DbErr> {
    loop {
        let (changes, full) = cursor.read(db).await?;
        for c in changes {
            // No receiver is not an error; a lagging one is dropped by its own feed.
            let _ = hub.tx.send(Arc::new(c));
        }
        if !full {
            return Ok(());
        }
    }
}

struct Cursor {
    head: i64,
    /// Skipped ids and when they were first seen missing.
    gaps: BTreeMap<i64, Instant>,
}

impl Cursor {
    /// The changes of events not delivered yet, and whether a full page was read.
    async fn read(&mut self, db: &DatabaseConnection) -> Result<(Vec<Change>, bool), DbErr> {
        let now = Instant::now();
        self.gaps
            .retain(|_, at| now.duration_since(*at) < GAP_PATIENCE);
        let floor = self
            .gaps
            .keys()
            .next()
            .map_or(self.head, |g| (g - 1).min(self.head));
        let rows = events::after(db, floor, None, PAGE).await?;
        let full = rows.len() as u64 == PAGE;
        let mut fresh = Vec::new();
        for e in rows {
            if e.id > self.head {
                // Bounded: a huge jump is not worth tracking id by id.
                if e.id - self.head <= 1000 {
                    for missing in self.head + 1..e.id {
                        self.gaps.insert(missing, now);
                    }
                }
                self.head = e.id;
                fresh.push(e);
            } else if self.gaps.remove(&e.id).is_some() {
                fresh.push(e);
            }
        }
        let changes = events::changes(db, &fresh).await?;
        Ok((changes, full))
    }

    async fn skip_to_head(&mut self, db: &DatabaseConnection) {
        if let Ok(h) = events::head(db).await {
            self.head = self.head.max(h);
            self.gaps.clear();
        }
    }
}

/// What wakes the follower.
enum Wake {
    Poll,
    Listen(
        Option<sea_orm::sqlx::postgres::PgListener>,
        sea_orm::sqlx::PgPool,
    ),
}

impl Wake {
    async fn new(db: &DatabaseConnection) -> Wake {
        if !crate::store::is_postgres(db) {
            return Wake::Poll;
        }
        let pool = db.get_postgres_connection_pool().clone();
        let listener = listen(&pool).await;
        Wake::Listen(listener, pool)
    }

    async fn wait(&mut self, poll: Duration) {
        match self {
            Wake::Poll => tokio::time::sleep(poll).await,
            Wake::Listen(listener, pool) => {
                let Some(l) = listener else {
                    tokio::time::sleep(PG_SAFETY_POLL).await;
                    *listener = listen(pool).await;
                    return;
                };
                match tokio::time::timeout(PG_SAFETY_POLL, l.recv()).await {
                    Ok(Ok(_)) | Err(_) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                        *listener = None;
                    }
                }
                // Several notifications may have queued: one read covers them all.
                if let Some(l) = listener {
                    use futures_util::FutureExt as _;
                    while let Some(Ok(Some(_))) = l.try_recv().now_or_never() {}
                }
            }
        }
    }
}

async fn listen(pool: &sea_orm::sqlx::PgPool) -> Option<sea_orm::sqlx::postgres::PgListener> {
    let mut l = match sea_orm::sqlx::postgres::PgListener::connect_with(pool).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "LISTEN unavailable; polling the event log");
            return None;
        }
    };
    match l.listen(CHANNEL).await {
        Ok(()) => Some(l),
        Err(e) => {
            tracing::warn!(error = %e, "LISTEN failed; polling the event log");
            None
        }
    }
}
