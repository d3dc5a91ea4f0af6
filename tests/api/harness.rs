//! Test harness: a fresh database per test (a temp SQLite file, or a fresh schema on the
//! PostgreSQL that `TEST_DATABASE_URL` names), the real router driven through `oneshot`,
//! and a counter of the SQL statements the database receives.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tower::ServiceExt;
use traveler::config::{Config, Limits};
use traveler::store::pooled::Hook;

pub const ADMIN: &str = "test-admin-key";

tokio::task_local! {
    /// The statements of the request running in this scope (see `concurrency.rs`).
    pub static REQUEST_STATEMENTS: Arc<AtomicUsize>;
    /// The statements (SQL and values) of the request running in this scope, kept to be
    /// explained (see `plans.rs`).
    pub static CAPTURED: Arc<std::sync::Mutex<Vec<sea_orm::Statement>>>;
}

pub struct TestApp {
    pub router: Router,
    /// What the handlers share (its semaphores, for tests of turn-taking).
    pub state: traveler::http::AppState,
    pub db: DatabaseConnection,
    pub statements: Arc<AtomicUsize>,
    /// Counts (and captures) every statement, on `db` and in the app's reads.
    hook: Hook,
}

pub fn database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// A fresh, empty database for one test.
pub async fn fresh_db() -> (DatabaseConnection, bool) {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    match database_url() {
        Some(url) if url.starts_with("postgres") => {
            let admin = Database::connect(url.clone())
                .await
                .expect("connect to TEST_DATABASE_URL");
            let schema = format!("t_{tag}");
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("create schema");
            let mut opt = ConnectOptions::new(url);
            opt.set_schema_search_path(schema)
                .max_connections(8)
                .sqlx_logging(false);
            (
                Database::connect(opt)
                    .await
                    .expect("connect to test schema"),
                true,
            )
        }
        _ => {
            let path = std::env::temp_dir().join(format!("traveler-test-{tag}.db"));
            let url = format!("sqlite://{}?mode=rwc", path.display());
            (
                traveler::store::connect(&url).await.expect("open sqlite"),
                false,
            )
        }
    }
}

pub async fn app() -> TestApp {
    app_with(Limits::default()).await
}

/// An app on PostgreSQL, or `None` on SQLite: for tests of two writers interleaving, which
/// SQLite's one writer cannot do.
pub async fn postgres_app() -> Option<TestApp> {
    let app = app().await;
    (app.db.get_database_backend() == sea_orm::DbBackend::Postgres).then_some(app)
}

pub async fn app_with(limits: Limits) -> TestApp {
    let (mut db, _postgres) = fresh_db().await;
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    let trace = std::env::var("TRACE_SQL").is_ok();
    let hook: Hook = Arc::new(move |info| {
        counter.fetch_add(1, Ordering::SeqCst);
        let _ = REQUEST_STATEMENTS.try_with(|c| c.fetch_add(1, Ordering::SeqCst));
        let _ = CAPTURED.try_with(|c| c.lock().unwrap().push(info.statement.clone()));
        if trace {
            let sql = info.statement.sql.clone();
            eprintln!(
                "SQL {:>8.3}ms: {}",
                info.elapsed.as_secs_f64() * 1e3,
                &sql[..sql.len().min(
                    std::env::var("TRACE_SQL_LEN")
                        .ok()
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(120)
                )]
            );
        }
    });
    let forward = hook.clone();
    db.set_metric_callback(move |info| forward(info));
    let config = Config {
        database_url: String::new(),
        listen: String::new(),
        admin_token: Some(ADMIN.into()),
        cors_origins: vec!["https://ui.example.com".into()],
        limits,
    };
    let app = traveler::app::build_with(config, db.clone(), Some(hook.clone()))
        .await
        .expect("build app");
    TestApp {
        router: app.router,
        state: app.state,
        db,
        statements,
        hook,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl TestApp {
    /// Another server on the same database, with other limits.
    pub async fn with_limits(&self, limits: Limits) -> TestApp {
        let config = Config {
            database_url: String::new(),
            listen: String::new(),
            admin_token: Some(ADMIN.into()),
            cors_origins: vec![],
            limits,
        };
        let app = traveler::app::build_with(config, self.db.clone(), Some(self.hook.clone()))
            .await
            .expect("build app");
        TestApp {
            router: app.router,
            state: app.state,
            db: self.db.clone(),
            statements: self.statements.clone(),
            hook: self.hook.clone(),
        }
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let resp = self.router.clone().oneshot(req).await.expect("router");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, headers, bytes)
    }

    pub async fn post_as(&self, token: &str, body: Value) -> Reply {
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, _, bytes) = self.send(req).await;
        Reply {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// Runs a document as the admin; returns the whole response body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.post_as(ADMIN, json!({"query": query, "variables": variables}))
            .await
            .body
    }

    /// Like `gql`, but panics on any error and returns `data`.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Statements the database received while `f` ran.
    pub fn count(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    /// `ok(query)`'s data, and how many statements answering it took.
    pub async fn ok_counted(&self, query: &str) -> (Value, usize) {
        let before = self.count();
        let d = self.ok(query, json!({})).await;
        (d, self.count() - before)
    }
}

/// The `extensions.code` of every error in a response.
pub fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

pub fn id(v: &Value) -> String {
    v.as_str().expect("id string").to_string()
}
