//! Prometheus metrics: a global `metrics` recorder, what the request path records into it,
//! and the `/metrics` listener (a separate address, so it is never exposed with the API).
//!
//! Without an installed recorder (the in-process tests) every `metrics::` call is a no-op.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{DatabaseConnection, DbBackend};

use crate::live::Hub;

/// The default `/metrics` address when `TRAVELER_METRICS` is not set (the OpenTelemetry
/// Prometheus exporter's conventional port).
pub const DEFAULT_ADDR: &str = "127.0.0.1:9464";

/// Distinct operation names kept as labels; later ones count as `other`, so clients
/// cannot grow the series without bound.
const MAX_OPERATIONS: usize = 200;

/// `TRAVELER_METRICS`: unset (the default address), `off`, or an address to bind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    Default,
    Off,
    Bind(String),
}

impl Setting {
    pub fn from_env() -> Setting {
        match std::env::var("TRAVELER_METRICS")
            .ok()
            .map(|v| v.trim().to_string())
        {
            None => Setting::Default,
            Some(v) if v.is_empty() => Setting::Default,
            Some(v) if matches!(v.as_str(), "off" | "0" | "false" | "no") => Setting::Off,
            Some(v) => Setting::Bind(v),
        }
    }
}

tokio::task_local! {
    /// SQL statements of the request running in this task (see `count_statements`).
    static REQUEST_SQL: Cell<u64>;
}

/// Counts every statement, globally and for the request whose task ran it (sea-orm calls
/// the callback in that task; loaders run in the request's own task).
pub fn statements() -> crate::store::pooled::Hook {
    std::sync::Arc::new(|info| {
        let _ = REQUEST_SQL.try_with(|c| c.set(c.get() + 1));
        metrics::counter!("traveler_sql_statements_total").increment(1);
        super::traces::statement(&info.statement.sql, info.elapsed);
    })
}

/// Runs `fut` counting its SQL statements.
pub async fn counting<T>(fut: impl Future<Output = T>) -> (T, u64) {
    REQUEST_SQL
        .scope(Cell::new(0), async {
            let out = fut.await;
            (out, REQUEST_SQL.with(Cell::get))
        })
        .await
}

/// Records one GraphQL operation: its count by outcome, its latency and its statements.
pub fn request(operation: &str, outcome: &str, elapsed: Duration, statements: u64) {
    let op = operation_label(operation);
    let outcome = outcome_label(outcome);
    metrics::counter!("traveler_requests_total", "operation" => op.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("traveler_request_duration_seconds", "operation" => op.clone())
        .record(elapsed.as_secs_f64());
    metrics::histogram!("traveler_request_sql_statements", "operation" => op)
        .record(statements as f64);
}

/// A SQLite turn (`AppState::writers` or `readers`) held for one operation: how long it was
/// waited for and held goes to `/metrics`, so that contention for SQLite's one writer is
/// seen where it happens (a turn given up while waiting, at a deadline, is not recorded).
pub struct Turn<'a> {
    _permit: Option<tokio::sync::SemaphorePermit<'a>>,
    kind: &'static str,
    since: std::time::Instant,
}

impl<'a> Turn<'a> {
    /// Waits for a turn of `turns`, `kind` being `write` or `read`.
    pub async fn take(turns: &'a tokio::sync::Semaphore, kind: &'static str) -> Turn<'a> {
        let asked = std::time::Instant::now();
        let permit = turns.acquire().await.ok();
        let waited = asked.elapsed().as_secs_f64();
        metrics::histogram!("traveler_sqlite_turn_wait_seconds", "turn" => kind).record(waited);
        Turn {
            _permit: permit,
            kind,
            since: std::time::Instant::now(),
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let held = self.since.elapsed().as_secs_f64();
        metrics::histogram!("traveler_sqlite_turn_held_seconds", "turn" => self.kind).record(held);
    }
}

/// The operation's name as a label: `anonymous`, the name, or `other` (an odd name, or
/// one past the first `MAX_OPERATIONS`).
fn operation_label(name: &str) -> String {
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    if name.is_empty() {
        return "anonymous".into();
    }
    let plain = name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !plain {
        return "other".into();
    }
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let seen = seen.get_or_insert_with(HashSet::new);
    if seen.contains(name) || seen.len() < MAX_OPERATIONS {
        seen.insert(name.to_string());
        name.to_string()
    } else {
        "other".into()
    }
}

/// `ok`, or the first error code (the request log may list several).
fn outcome_label(outcome: &str) -> String {
    outcome.split(',').next().unwrap_or("ok").trim().to_string()
}

/// Installs the global recorder (once per process) with the histogram buckets used here.
pub fn install() -> Result<PrometheusHandle, Box<dyn std::error::Error + Send + Sync>> {
    let latency = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ];
    let statements = [1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0, 250.0, 1000.0];
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("traveler_request_duration_seconds".into()),
            &latency,
        )?
        .set_buckets_for_metric(Matcher::Prefix("traveler_sqlite_turn_".into()), &latency)?
        .set_buckets_for_metric(
            Matcher::Full("traveler_request_sql_statements".into()),
            &statements,
        )?
        .install_recorder()?;
    describe();
    Ok(handle)
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "traveler_requests_total",
        "GraphQL operations by name and outcome code"
    );
    describe_histogram!(
        "traveler_request_duration_seconds",
        "GraphQL operation latency"
    );
    describe_histogram!(
        "traveler_request_sql_statements",
        "SQL statements per GraphQL operation"
    );
    describe_histogram!(
        "traveler_sqlite_turn_wait_seconds",
        "SQLite: time an operation waited for its turn (one writer; bounded readers)"
    );
    describe_histogram!(
        "traveler_sqlite_turn_held_seconds",
        "SQLite: time an operation held its turn"
    );
    describe_counter!(
        "traveler_sql_statements_total",
        "SQL statements sent to the database"
    );
    describe_gauge!(
        "traveler_db_pool_connections",
        "Open database connections in the pool"
    );
    describe_gauge!("traveler_db_pool_in_use", "Pool connections in use");
    describe_gauge!("traveler_db_pool_idle", "Idle pool connections");
    describe_gauge!("traveler_db_pool_max", "Largest pool size allowed");
    describe_gauge!(
        "traveler_subscriptions",
        "Open GraphQL subscriptions of this process"
    );
    describe_gauge!(
        "traveler_subscription_connections",
        "Open subscription WebSockets"
    );
    describe_gauge!(
        "traveler_event_log_head",
        "Newest event id in the event log"
    );
    describe_gauge!(
        "traveler_event_log_lag",
        "Events this process's follower has not read yet (0 before the first subscription)"
    );
}

/// What the `/metrics` handler reads at scrape time.
#[derive(Clone)]
pub struct Scrape {
    pub handle: PrometheusHandle,
    pub db: DatabaseConnection,
    pub live: Hub,
}

pub fn router(scrape: Scrape) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(scrape)
}

async fn render(State(s): State<Scrape>) -> impl IntoResponse {
    gauges(&s).await;
    s.handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.handle.render(),
    )
}

/// Gauges that are read rather than counted: the pool, subscriptions, the event log.
async fn gauges(s: &Scrape) {
    let (size, idle, max) = match s.db.get_database_backend() {
        DbBackend::Postgres => {
            let p = s.db.get_postgres_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        DbBackend::Sqlite => {
            let p = s.db.get_sqlite_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        _ => (0, 0, 0),
    };
    metrics::gauge!("traveler_db_pool_connections").set(size as f64);
    metrics::gauge!("traveler_db_pool_idle").set(idle as f64);
    metrics::gauge!("traveler_db_pool_in_use").set(size.saturating_sub(idle as u32) as f64);
    metrics::gauge!("traveler_db_pool_max").set(max as f64);
    metrics::gauge!("traveler_subscriptions").set(s.live.subscription_count() as f64);
    metrics::gauge!("traveler_subscription_connections").set(s.live.connection_count() as f64);
    match crate::store::events::head(&s.db).await {
        Ok(head) => {
            metrics::gauge!("traveler_event_log_head").set(head as f64);
            let lag = s.live.follower_position().map_or(0, |p| (head - p).max(0));
            metrics::gauge!("traveler_event_log_lag").set(lag as f64);
        }
        Err(e) => tracing::warn!(error = %e, "reading the event log head for metrics failed"),
    }
}

/// Binds the `/metrics` listener as `setting` says and serves it in the background.
/// The default address being taken (another process on this host) is a warning, not a
/// failure; an address the operator chose must bind.
pub async fn serve(
    setting: &Setting,
    scrape: Scrape,
) -> Result<Option<std::net::SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
    let addr = match setting {
        Setting::Off => return Ok(None),
        Setting::Default => DEFAULT_ADDR,
        Setting::Bind(a) => a.as_str(),
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) if *setting == Setting::Default => {
            tracing::warn!(address = addr, error = %e, "metrics not served (set TRAVELER_METRICS to another address, or off)");
            return Ok(None);
        }
        Err(e) => return Err(format!("TRAVELER_METRICS {addr}: {e}").into()),
    };
    let local = listener.local_addr()?;
    let app = router(scrape);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "the metrics listener stopped");
        }
    });
    Ok(Some(local))
}
