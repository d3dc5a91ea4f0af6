//! Live changes for subscriptions. The `events` table is the log; one follower per process
//! reads it forward and fans each change out over a broadcast channel to this process's
//! subscribers, which apply their own scoping and filters (`graphql/subscription.rs`).
//!
//! Waking up: on PostgreSQL a `NOTIFY` sent by a trigger in the writing transaction
//! (so only committed changes wake anyone), with a slow poll as a safety net; on SQLite,
//! which several processes may share, a short poll of the log.
//!
//! The follower starts with the first subscription, not with the server, so a server
//! without subscribers reads nothing.

mod follower;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{OnceCell, broadcast, watch};

use crate::caller::Caller;
use crate::error::{AppError, AppResult, Code};
use crate::store::events;
pub use crate::store::events::Change;

/// Replay reads the log in pages of 500 events, at most this many.
const MAX_REPLAY_PAGES: usize = 40;

/// Close codes this server uses on subscription sockets.
pub mod close {
    /// No or a bad API key (the `graphql-transport-ws` convention).
    pub const UNAUTHORIZED: u16 = 4401;
    /// A valid key without permission to read.
    pub const FORBIDDEN: u16 = 4403;
    /// No `connection_init` in time.
    pub const INIT_TIMEOUT: u16 = 4408;
    /// Over a limit: too many connections for the key, or a consumer too slow to keep up.
    pub const LIMIT_EXCEEDED: u16 = 4429;
    /// The server is going away (graceful shutdown).
    pub const GOING_AWAY: u16 = 1001;
}

/// Limits of live subscriptions (from `config::Limits`).
#[derive(Clone, Debug)]
pub struct LiveLimits {
    pub subscriptions_per_connection: usize,
    pub connections_per_key: usize,
    /// Changes a subscriber may fall behind before it is dropped.
    pub buffer: usize,
    pub keepalive: Duration,
    /// How often the SQLite follower looks at the log.
    pub poll: Duration,
}

/// The per-process hub: the follower, the fan-out channel, connection counts, shutdown.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    tx: broadcast::Sender<Arc<Change>>,
    started: OnceCell<()>,
    connections: Mutex<HashMap<i64, usize>>,
    limits: LiveLimits,
    shutdown: watch::Sender<bool>,
    /// The last event id the follower has read (-1 until it starts), for the lag metric.
    position: AtomicI64,
}

impl Hub {
    pub fn new(db: DatabaseConnection, limits: LiveLimits) -> Hub {
        let (tx, _) = broadcast::channel(limits.buffer.max(16));
        Hub {
            inner: Arc::new(Inner {
                db,
                tx,
                started: OnceCell::new(),
                connections: Mutex::new(HashMap::new()),
                limits,
                shutdown: watch::channel(false).0,
                position: AtomicI64::new(-1),
            }),
        }
    }

    pub fn limits(&self) -> &LiveLimits {
        &self.inner.limits
    }

    /// A receiver of every change committed from now on (the follower runs from here on).
    async fn receiver(&self) -> AppResult<broadcast::Receiver<Arc<Change>>> {
        let inner = &self.inner;
        // Subscribe before the follower reads its starting point, so nothing falls between.
        let rx = inner.tx.subscribe();
        inner
            .started
            .get_or_try_init(|| async {
                let head = events::head(&inner.db).await?;
                follower::spawn(Arc::downgrade(&self.inner), inner.db.clone(), head);
                Ok::<(), AppError>(())
            })
            .await?;
        Ok(rx)
    }

    /// One more connection for the key, or `None` when the key is at its limit. The
    /// count drops when the guard does.
    pub fn connect(&self, api_key_id: i64) -> Option<ConnectionGuard> {
        let mut c = self
            .inner
            .connections
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let n = c.entry(api_key_id).or_default();
        if *n >= self.inner.limits.connections_per_key {
            return None;
        }
        *n += 1;
        Some(ConnectionGuard {
            hub: self.clone(),
            api_key_id,
        })
    }

    /// Tells every socket to close with 1001 (graceful shutdown).
    pub fn close_all(&self) {
        self.inner.shutdown.send_replace(true);
    }

    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// The last event id the follower has read; `None` before the first subscription.
    pub fn follower_position(&self) -> Option<i64> {
        Some(self.inner.position.load(Ordering::Relaxed)).filter(|p| *p >= 0)
    }

    /// Open subscriptions of this process (each holds one receiver of the fan-out).
    pub fn subscription_count(&self) -> usize {
        self.inner.tx.receiver_count()
    }

    /// Open subscription connections of this process.
    pub fn connection_count(&self) -> usize {
        let c = self
            .inner
            .connections
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        c.values().sum()
    }

    /// The changes of the caller's organization: first those after `after` (from the
    /// log), then live ones. Ends with `LIMIT_EXCEEDED` when the subscriber falls more
    /// than `buffer` changes behind.
    pub async fn feed(&self, caller: &Caller, after: Option<i64>) -> AppResult<Feed> {
        let rx = self.receiver().await?;
        let mut queue = VecDeque::new();
        if let Some(after) = after {
            // Read after subscribing: a change committed meanwhile is in both, and is
            // delivered once.
            let mut from = after;
            for page in 0.. {
                if page == MAX_REPLAY_PAGES {
                    return Err(AppError::new(
                        Code::LimitExceeded,
                        "`after` is too far back to replay; query the current state and subscribe without it",
                    ));
                }
                let rows =
                    events::after(&self.inner.db, from, Some(caller.organization_id), 500).await?;
                let Some(last) = rows.last().map(|e| e.id) else {
                    break;
                };
                from = last;
                let n = rows.len();
                queue.extend(
                    events::changes(&self.inner.db, &rows)
                        .await?
                        .into_iter()
                        .map(Arc::new),
                );
                if n < 500 {
                    break;
                }
            }
        }
        Ok(Feed {
            replayed: queue.iter().map(|c| c.event_id).collect(),
            queue,
            rx,
            organization_id: caller.organization_id,
            done: false,
        })
    }
}

pub struct ConnectionGuard {
    hub: Hub,
    api_key_id: i64,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut c = self
            .hub
            .inner
            .connections
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = c.get_mut(&self.api_key_id) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                c.remove(&self.api_key_id);
            }
        }
    }
}

/// One subscriber's changes, in event order.
pub struct Feed {
    queue: VecDeque<Arc<Change>>,
    replayed: HashSet<i64>,
    rx: broadcast::Receiver<Arc<Change>>,
    organization_id: i64,
    done: bool,
}

impl Feed {
    /// The next change of the organization; `None` at the end, after an error.
    pub async fn next(&mut self) -> Option<AppResult<Arc<Change>>> {
        if self.done {
            return None;
        }
        if let Some(c) = self.queue.pop_front() {
            return Some(Ok(c));
        }
        loop {
            match self.rx.recv().await {
                Ok(c) if c.organization_id == self.organization_id => {
                    if !self.replayed.remove(&c.event_id) {
                        return Some(Ok(c));
                    }
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    self.done = true;
                    return Some(Err(AppError::new(
                        Code::LimitExceeded,
                        format!(
                            "the subscriber fell {n} changes behind and was dropped; resubscribe with `after`"
                        ),
                    )));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Into a stream (for the subscription resolvers).
    pub fn into_stream(self) -> impl futures_util::Stream<Item = AppResult<Arc<Change>>> {
        futures_util::stream::unfold(self, |mut f| async move { f.next().await.map(|c| (c, f)) })
    }
}

impl From<&crate::config::Limits> for LiveLimits {
    fn from(l: &crate::config::Limits) -> Self {
        LiveLimits {
            subscriptions_per_connection: l.subscriptions_per_connection,
            connections_per_key: l.connections_per_key,
            buffer: l.subscription_buffer,
            keepalive: l.keepalive,
            poll: l.live_poll,
        }
    }
}

/// Lets a subscription close its whole connection (a slow consumer is dropped).
#[derive(Clone)]
pub struct Closer(Arc<watch::Sender<Option<(u16, String)>>>);

impl Closer {
    pub fn new() -> (Closer, watch::Receiver<Option<(u16, String)>>) {
        let (tx, rx) = watch::channel(None);
        (Closer(Arc::new(tx)), rx)
    }

    pub fn close(&self, code: u16, reason: impl Into<String>) {
        self.0.send_replace(Some((code, reason.into())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: i64, org: i64) -> Arc<Change> {
        Arc::new(Change {
            event_id: id,
            organization_id: org,
            action: "updateRunStep".into(),
            created: false,
            run_ids: vec![1],
            run_step_ids: vec![1],
            memo: Default::default(),
        })
    }

    fn feed(rx: broadcast::Receiver<Arc<Change>>, replayed: &[i64]) -> Feed {
        Feed {
            queue: replayed.iter().map(|i| change(*i, 1)).collect(),
            replayed: replayed.iter().copied().collect(),
            rx,
            organization_id: 1,
            done: false,
        }
    }

    async fn ids(f: &mut Feed, n: usize) -> Vec<i64> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(f.next().await.unwrap().unwrap().event_id);
        }
        out
    }

    #[tokio::test]
    async fn replay_first_then_live_each_once_and_only_the_organization() {
        let (tx, rx) = broadcast::channel(16);
        let mut f = feed(rx, &[3, 4]);
        // 4 committed while the replay was read: it is in both, delivered once.
        for (id, org) in [(4, 1), (5, 2), (6, 1)] {
            assert!(tx.send(change(id, org)).is_ok());
        }
        assert_eq!(ids(&mut f, 3).await, [3, 4, 6]);
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_dropped_not_waited_for() {
        let (tx, rx) = broadcast::channel(16);
        let mut f = feed(rx, &[]);
        // The writer never blocks, however far behind the subscriber is.
        for id in 0..40 {
            assert!(tx.send(change(id, 1)).is_ok());
        }
        let Some(Err(e)) = f.next().await else {
            panic!("expected the feed to fail");
        };
        assert_eq!(e.code, Code::LimitExceeded);
        assert!(f.next().await.is_none(), "the feed ends after the error");
    }
}
