//! Reads on the pool straight through sqlx. sea-orm's `DatabaseConnection` runs a
//! statement in one future that covers every backend, moved several times per statement
//! (each move a `memcpy` of about 13,500 instructions): 8% of the server's instructions
//! on a traveler read (callgrind, BENCHMARKS.md, thirteenth stop). The batched reads
//! behind the GraphQL loaders go through [`ReadPool`]; what it does not serve itself goes
//! to sea-orm as before.

use std::sync::Arc;
use std::time::Instant;

use sea_orm::metric::Info;
use sea_orm::sqlx::{self, AssertSqlSafe, Database, Pool};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement,
};
use sea_query_sqlx::SqlxValues;

/// Told of every statement run, as sea-orm's metric callback is (`ops::metrics`, or a
/// test's counter).
pub type Hook = Arc<dyn Fn(&Info<'_>) + Send + Sync>;

/// A pool connection whose queries skip sea-orm's executor; statements, writes and
/// transactions are sea-orm's.
#[derive(Clone)]
pub struct ReadPool {
    db: DatabaseConnection,
    hook: Option<Hook>,
}

/// `db` with `hook` as its metric callback, and the reads on it through [`ReadPool`], which
/// tells the same hook.
pub fn observed(mut db: DatabaseConnection, hook: Option<Hook>) -> (DatabaseConnection, ReadPool) {
    if let Some(h) = hook.clone() {
        db.set_metric_callback(move |info| h(info));
    }
    let reads = ReadPool {
        db: db.clone(),
        hook,
    };
    (db, reads)
}

/// `stmt` run with sqlx's `$fetch` on the backend's pool, its result mapped by `$map`; on
/// another backend, sea-orm's `$fallback`.
macro_rules! on_pool {
    ($self:ident, $stmt:ident, $fetch:ident, $map:expr, $fallback:ident) => {
        match $self.get_database_backend() {
            DbBackend::Postgres => {
                let pool = ($self.db.get_postgres_connection_pool(), $self.hook.as_ref());
                fetch(pool, &$stmt, |q, c| Box::pin(q.$fetch(c)))
                    .await
                    .map($map)
            }
            DbBackend::Sqlite => {
                let pool = ($self.db.get_sqlite_connection_pool(), $self.hook.as_ref());
                fetch(pool, &$stmt, |q, c| Box::pin(q.$fetch(c)))
                    .await
                    .map($map)
            }
            _ => $self.db.$fallback($stmt).await,
        }
    };
}

#[async_trait::async_trait]
impl ConnectionTrait for ReadPool {
    fn get_database_backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.db.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.db.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        on_pool!(
            self,
            stmt,
            fetch_optional,
            |row| row.map(Into::into),
            query_one_raw
        )
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        on_pool!(
            self,
            stmt,
            fetch_all,
            |rows| rows.into_iter().map(Into::into).collect(),
            query_all_raw
        )
    }

    fn support_returning(&self) -> bool {
        self.db.support_returning()
    }
}

type Query<'q, DB> = sqlx::query::Query<'q, DB, SqlxValues>;
type Fetched<'c, T> = futures_util::future::BoxFuture<'c, Result<T, sqlx::Error>>;

/// Runs `stmt` on a connection of `pool` as `run` fetches it, with sea-orm's errors, and
/// tells `hook` as sea-orm does its metric callback.
async fn fetch<DB, T>(
    (pool, hook): (&Pool<DB>, Option<&Hook>),
    stmt: &Statement,
    run: impl for<'c> FnOnce(Query<'c, DB>, &'c mut DB::Connection) -> Fetched<'c, T>,
) -> Result<T, DbErr>
where
    DB: Database,
    SqlxValues: for<'q> sqlx::IntoArguments<DB>,
{
    let mut conn = pool.acquire().await.map_err(acquire_err)?;
    let values = stmt.values.clone().unwrap_or(sea_orm::Values(Vec::new()));
    let query = sqlx::query_with(AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values));
    let start = Instant::now();
    let out = run(query, &mut conn).await;
    if let Some(hook) = hook {
        hook(&Info {
            elapsed: start.elapsed(),
            statement: stmt,
            failed: out.is_err(),
        });
    }
    out.map_err(|e| DbErr::Query(RuntimeErr::SqlxError(e.into())))
}

/// As sea-orm words a failure to get a connection.
fn acquire_err(e: sqlx::Error) -> DbErr {
    match e {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        e => DbErr::Conn(RuntimeErr::SqlxError(e.into())),
    }
}
