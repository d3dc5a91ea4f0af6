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
        fn num<T: std::str::FromStr>(k: &str, into: &mut T) -> Result<(), String> {
            if let Some(v) = std::env::var(k).ok().filter(|v| !v.trim().is_empty()) {
                *into = v
                    .trim()
                    .parse()
                    .map_err(|_| format!("{k}: not a number: {v}"))?;
            }
            Ok(())
        }
        fn secs(k: &str, into: &mut Duration) -> Result<(), String> {
            let mut s = into.as_secs();
            num(k, &mut s)?;
            *into = Duration::from_secs(s);
            Ok(())
        }
        num("TRAVELER_MAX_DEPTH", &mut limits.depth)?;
        num("TRAVELER_MAX_COMPLEXITY", &mut limits.complexity)?;
        num("TRAVELER_MAX_DIRECTIVES", &mut limits.directives)?;
        num("TRAVELER_MAX_ALIASES", &mut limits.aliases)?;
        num(
            "TRAVELER_MAX_BATCH_OPERATIONS",
            &mut limits.batch_operations,
        )?;
        num("TRAVELER_MAX_BODY_BYTES", &mut limits.body_bytes)?;
        num("TRAVELER_MAX_PAGE_SIZE", &mut limits.page_size)?;
        num("TRAVELER_MAX_BULK_INPUTS", &mut limits.bulk_inputs)?;
        num("TRAVELER_MAX_COPIES", &mut limits.copies)?;
        num("TRAVELER_MAX_FIELDS", &mut limits.fields)?;
        num("TRAVELER_MAX_ROWS_READ", &mut limits.rows_read)?;
        num("TRAVELER_MAX_ROWS_WRITTEN", &mut limits.rows_written)?;
        num("TRAVELER_MAX_RESPONSE_BYTES", &mut limits.response_bytes)?;
        num("TRAVELER_MAX_CONNECTIONS", &mut limits.connections)?;
        secs("TRAVELER_REQUEST_TIMEOUT_SECS", &mut limits.request_timeout)?;
        secs("TRAVELER_HEADER_TIMEOUT_SECS", &mut limits.header_timeout)?;
        secs("TRAVELER_BODY_TIMEOUT_SECS", &mut limits.body_timeout)?;
        secs("TRAVELER_KEY_CACHE_SECS", &mut limits.key_cache_ttl)?;
        num(
            "TRAVELER_MAX_SUBSCRIPTIONS_PER_CONNECTION",
            &mut limits.subscriptions_per_connection,
        )?;
        num(
            "TRAVELER_MAX_CONNECTIONS_PER_KEY",
            &mut limits.connections_per_key,
        )?;
        num("TRAVELER_SQLITE_READERS", &mut limits.sqlite_readers)?;
        num(
            "TRAVELER_SUBSCRIPTION_BUFFER",
            &mut limits.subscription_buffer,
        )?;
        let mut ms = limits.live_poll.as_millis() as u64;
        num("TRAVELER_LIVE_POLL_MS", &mut ms)?;
        limits.live_poll = Duration::from_millis(ms.max(10));
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
