//! Settings from the environment, read once at start.

use std::time::Duration;

/// Limits that keep one request from taking the server down. All configurable.
#[derive(Clone, Debug)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
    pub directives: usize,
    pub aliases: usize,
    pub batch_operations: usize,
    pub body_bytes: usize,
    pub page_size: i64,
    pub bulk_inputs: usize,
    pub copies: usize,
    /// One wall-clock deadline per HTTP request, covering every operation of a batch.
    pub request_timeout: Duration,
    /// Fields per request: in the document with fragments expanded (checked before
    /// validation) and resolved while executing (list items included).
    pub fields: usize,
    /// Rows the store may return to one HTTP request (lists and loaders).
    pub rows_read: usize,
    /// Rows one mutation may write, computed before writing (bulk creation: copies x
    /// (1 + steps + fields + edges)).
    pub rows_written: usize,
    /// Bytes of one HTTP response body; a larger response is replaced by LIMIT_EXCEEDED.
    pub response_bytes: usize,
    /// A request's headers must arrive within this time (also the idle keep-alive limit).
    pub header_timeout: Duration,
    /// A request's body must arrive within this time once its headers have.
    pub body_timeout: Duration,
    /// Open HTTP connections; more are answered 503 and closed.
    pub connections: usize,
    pub introspection: bool,
    /// Live subscriptions: per WebSocket connection, and connections per API key.
    pub subscriptions_per_connection: usize,
    pub connections_per_key: usize,
    /// Changes a subscriber may fall behind before it is dropped.
    pub subscription_buffer: usize,
    /// Keep-alive pings on idle subscription sockets.
    pub keepalive: Duration,
    /// How often a follower on SQLite reads the event log.
    pub live_poll: Duration,
    /// How long a resolved API key is trusted before it is looked up again (a revoked key
    /// or a changed role reaches other processes within this time).
    pub key_cache_ttl: Duration,
    /// On SQLite, queries that execute at once while writes are pending (0: no bound).
    /// SQLite has one writer; every reader beyond the cores only takes CPU from the chain
    /// of writes queued behind it.
    pub sqlite_readers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            depth: 16,
            complexity: 100_000,
            directives: 50,
            aliases: 200,
            batch_operations: 25,
            body_bytes: 2 * 1024 * 1024,
            page_size: 100,
            bulk_inputs: 500,
            copies: 500,
            request_timeout: Duration::from_secs(30),
            fields: 500_000,
            rows_read: 100_000,
            rows_written: 250_000,
            response_bytes: 64 * 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(20),
            connections: 1024,
            introspection: true,
            subscriptions_per_connection: 100,
            connections_per_key: 2000,
            subscription_buffer: 4096,
            keepalive: Duration::from_secs(30),
            live_poll: Duration::from_millis(150),
            key_cache_ttl: crate::store::auth::KEY_CACHE_TTL,
            sqlite_readers: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// A limit read from one environment variable's (trimmed) text.
trait Setting {
    fn set(&mut self, v: &str) -> Result<(), std::num::ParseIntError>;
}

impl Setting for usize {
    fn set(&mut self, v: &str) -> Result<(), std::num::ParseIntError> {
        *self = v.parse()?;
        Ok(())
    }
}

impl Setting for i64 {
    fn set(&mut self, v: &str) -> Result<(), std::num::ParseIntError> {
        *self = v.parse()?;
        Ok(())
    }
}

/// Durations are given in whole seconds.
impl Setting for Duration {
    fn set(&mut self, v: &str) -> Result<(), std::num::ParseIntError> {
        *self = Duration::from_secs(v.parse()?);
        Ok(())
    }
}

/// A duration given in milliseconds, at least 10 (the live poll: a smaller one would spin).
struct Millis<'a>(&'a mut Duration);

impl Setting for Millis<'_> {
    fn set(&mut self, v: &str) -> Result<(), std::num::ParseIntError> {
        *self.0 = Duration::from_millis(v.parse::<u64>()?.max(10));
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub listen: String,
    pub admin_token: Option<String>,
    pub cors_origins: Vec<String>,
    pub limits: Limits,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let mut limits = Limits::default();
        let l = &mut limits;
        let settings: [(&str, &mut dyn Setting); 23] = [
            ("TRAVELER_MAX_DEPTH", &mut l.depth),
            ("TRAVELER_MAX_COMPLEXITY", &mut l.complexity),
            ("TRAVELER_MAX_DIRECTIVES", &mut l.directives),
            ("TRAVELER_MAX_ALIASES", &mut l.aliases),
            ("TRAVELER_MAX_BATCH_OPERATIONS", &mut l.batch_operations),
            ("TRAVELER_MAX_BODY_BYTES", &mut l.body_bytes),
            ("TRAVELER_MAX_PAGE_SIZE", &mut l.page_size),
            ("TRAVELER_MAX_BULK_INPUTS", &mut l.bulk_inputs),
            ("TRAVELER_MAX_COPIES", &mut l.copies),
            ("TRAVELER_MAX_FIELDS", &mut l.fields),
            ("TRAVELER_MAX_ROWS_READ", &mut l.rows_read),
            ("TRAVELER_MAX_ROWS_WRITTEN", &mut l.rows_written),
            ("TRAVELER_MAX_RESPONSE_BYTES", &mut l.response_bytes),
            ("TRAVELER_MAX_CONNECTIONS", &mut l.connections),
            ("TRAVELER_REQUEST_TIMEOUT_SECS", &mut l.request_timeout),
            ("TRAVELER_HEADER_TIMEOUT_SECS", &mut l.header_timeout),
            ("TRAVELER_BODY_TIMEOUT_SECS", &mut l.body_timeout),
            ("TRAVELER_KEY_CACHE_SECS", &mut l.key_cache_ttl),
            (
                "TRAVELER_MAX_SUBSCRIPTIONS_PER_CONNECTION",
                &mut l.subscriptions_per_connection,
            ),
            (
                "TRAVELER_MAX_CONNECTIONS_PER_KEY",
                &mut l.connections_per_key,
            ),
            ("TRAVELER_SQLITE_READERS", &mut l.sqlite_readers),
            ("TRAVELER_SUBSCRIPTION_BUFFER", &mut l.subscription_buffer),
            ("TRAVELER_LIVE_POLL_MS", &mut Millis(&mut l.live_poll)),
        ];
        for (k, into) in settings {
            if let Some(v) = var(k) {
                into.set(v.trim())
                    .map_err(|_| format!("{k}: not a number: {v}"))?;
            }
        }
        if let Some(v) = var("TRAVELER_INTROSPECTION") {
            limits.introspection = !matches!(v.as_str(), "0" | "false" | "off" | "no");
        }
        Ok(Config {
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://traveler.db?mode=rwc".to_string()),
            listen: var("TRAVELER_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".to_string()),
            admin_token: var("TRAVELER_ADMIN_TOKEN"),
            cors_origins: var("TRAVELER_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            limits,
        })
    }
}
