//! Database access: the only layer that speaks SQL. Functions take a connection or a
//! transaction and a `Caller`, and scope every query to the caller's organization.

pub mod audit;
pub mod auth;
pub mod catalog;
pub mod commands;
pub mod counters;
pub mod create_runs;
pub mod decode;
pub mod etag;
pub mod events;
pub mod execution;
pub mod filter;
pub mod inventory;
pub mod lists;
pub mod page;
pub mod part_subtypes;
pub mod pooled;
pub mod procedures;
pub mod reads;
pub mod redlines;
pub mod roles;
pub mod rows;
pub mod run_status;
pub mod runs;
pub mod scope;
pub mod traveler;
pub mod wal;
pub mod work_centers;
pub mod writers;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// How long a SQLite connection waits for another process's write lock. Within one
/// process writers queue on `AppState::writers` instead, without holding a connection; a
/// request's own deadline (`TRAVELER_REQUEST_TIMEOUT_SECS`) stops the wait first.
pub const SQLITE_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Opens the database named by `url` (`sqlite://...` or `postgres://...`).
///
/// Every connection to a SQLite file runs in WAL mode with `synchronous=NORMAL` (a commit
/// is written to the WAL but not flushed to disk: it survives a crash of the process, and a
/// power cut can lose the last commits but not corrupt the file; with it bench/floor.sh
/// measured 1.7x the step actions per second of FULL, p99 halved) and the
/// [`SQLITE_BUSY_TIMEOUT`] (set on every connection of the pool, not only the first), so that concurrent writers
/// wait their turn; its WAL is checkpointed in the background ([`wal`]). An in-memory SQLite gets a single connection, since
/// each connection would otherwise see its own empty database.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    let mut opt = ConnectOptions::new(url.to_string());
    opt.sqlx_logging(false);
    // sqlx pings a pooled connection each time it is handed out, by default: a round trip
    // to PostgreSQL, or to SQLite's worker thread, before every statement outside a
    // transaction. Only a connection idle for a while may have been dropped (by the server,
    // a proxy, a firewall), so only such a one is pinged.
    opt.test_before_acquire_if_idle_for(PING_IF_IDLE_FOR);
    let sqlite = url.starts_with("sqlite:");
    if sqlite && url.contains(":memory:") {
        opt.max_connections(1).min_connections(1);
    } else if sqlite {
        opt.max_connections(8).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .row_buffer_size(SQLITE_ROW_BUFFER)
                // Checkpoints run in the background (`wal`); commits only past a backstop.
                .pragma("wal_autocheckpoint", wal::BACKSTOP_PAGES.to_string())
        });
    } else {
        opt.max_connections(16);
    }
    Database::connect(opt).await
}

/// A pooled connection idle at least this long is pinged before it is handed out.
pub const PING_IF_IDLE_FOR: std::time::Duration = std::time::Duration::from_secs(30);

/// Rows SQLite's worker thread may send ahead of the task reading them (sqlx's default is
/// 50). A full channel parks the worker and wakes it again for every few rows; with room
/// for a whole traveler, `run(id)` of 50 steps x 5 fields cost about 12% less server CPU
/// per resolved field (`bench/http.sh`, A/B on one build: 2.56-2.62 against 2.93-3.05 µs).
pub const SQLITE_ROW_BUFFER: usize = 4096;

/// Brings the schema up to date; run at every start.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of failing when a
/// read lock cannot be upgraded.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

pub fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// True when a database error is a unique-constraint violation (both backends).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// `err` as `AppError`: a unique violation becomes what `taken` makes of it (it may also
/// give the error back, `None`, when it cannot name the cause).
pub fn on_unique(
    err: DbErr,
    taken: impl FnOnce() -> Option<crate::error::AppError>,
) -> crate::error::AppError {
    if is_unique_violation(&err)
        && let Some(e) = taken()
    {
        return e;
    }
    err.into()
}

/// `q` sorted by `cols` ascending, the first deciding (siblings: position, then id).
pub fn ordered<E: sea_orm::EntityTrait>(
    mut q: sea_orm::Select<E>,
    cols: &[E::Column],
) -> sea_orm::Select<E> {
    for col in cols {
        q = sea_orm::QueryOrder::order_by_asc(q, *col);
    }
    q
}

/// Inserts `rows`, skipping those whose `key` columns are taken; the number inserted.
pub async fn insert_new<A, E, const N: usize>(
    db: &impl sea_orm::ConnectionTrait,
    rows: Vec<A>,
    key: [E::Column; N],
) -> Result<u64, DbErr>
where
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
    E: sea_orm::EntityTrait,
{
    let skip = sea_orm::sea_query::OnConflict::columns(key)
        .do_nothing()
        .to_owned();
    E::insert_many(rows)
        .on_conflict(skip)
        .exec_without_returning(db)
        .await
}

/// `Err(refusal())` when `q` finds a row (a name already taken, a child still present).
pub async fn refuse_if_any<E: sea_orm::EntityTrait>(
    db: &impl sea_orm::ConnectionTrait,
    q: sea_orm::Select<E>,
    refusal: impl FnOnce() -> crate::error::AppError,
) -> Result<(), crate::error::AppError> {
    match q.one(db).await? {
        Some(_) => Err(refusal()),
        None => Ok(()),
    }
}

pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// The longest free text a description or step content may hold, in characters: a work
/// instruction fits many times over; a client cannot store megabytes in a cell.
pub const MAX_LONG_TEXT: usize = 100_000;

/// `text` if it is at most [`MAX_LONG_TEXT`] characters; else BAD_USER_INPUT at
/// `["input", field]`.
pub fn long_text(
    text: Option<String>,
    field: &'static str,
) -> crate::error::AppResult<Option<String>> {
    match text {
        Some(t) if t.chars().count() > MAX_LONG_TEXT => Err(crate::error::AppError::bad_input(
            format!("`{field}` is longer than {MAX_LONG_TEXT} characters"),
        )
        .at(&["input", field])),
        t => Ok(t),
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};

    /// `.cargo/config.toml` builds the bundled SQLite with its query planner stability
    /// guarantee (without it every statement with a bound LIMIT is parsed again at each run)
    /// and without memory statistics (a mutex around every allocation).
    #[tokio::test]
    async fn bundled_sqlite_keeps_its_plans() {
        let db = super::connect("sqlite::memory:").await.unwrap();
        let sql = "PRAGMA compile_options";
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap();
        let has = |o: &str| {
            rows.iter()
                .any(|r| r.try_get_by_index::<String>(0).unwrap() == o)
        };
        assert!(has("ENABLE_QPSG"));
        // No global mutex around every allocation.
        assert!(has("DEFAULT_MEMSTATUS=0"));
    }
}
