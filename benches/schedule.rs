//! Work center benchmark (issue 14): one work center's queue and a week's timeline with
//! 10,000 scheduled runs in the database, in-process through the router, on SQLite and
//! PostgreSQL; and the query plans of the two queries (PostgreSQL `EXPLAIN ANALYZE`,
//! SQLite `EXPLAIN QUERY PLAN`).
//!
//! ```text
//! BENCH_DATABASE=sqlite|postgres|both BENCH_WRITE=1 cargo bench --bench schedule
//! ```
//!
//! The 10,000 runs are made with `createRuns` (20 calls of 500): 5 work centers of capacity
//! 3 (5 for the first), a run every 10 minutes over ten weeks (each at the next work center, so one work
//! center starts one every 50 minutes), 4 hours long, priorities 0 to 6. With
//! `BENCH_WRITE=1` the table and plans replace the "Work centers" section of
//! `BENCHMARKS.md`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use serde_json::{Value as Json, json};
use tower::ServiceExt;
use traveler::config::{Config, Limits};

/// The server's allocator (`src/main.rs`): measured with the system's, a week's timeline
/// spent a third of its time in glibc's malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ADMIN: &str = "bench-admin-key";
const RUNS: usize = 10_000;
/// What the figures say, kept with the section `BENCH_WRITE` rewrites (update it with them).
const READING: &str = include_str!("schedule_reading.md");
const PER_CALL: usize = 500;
const CENTERS: usize = 5;
const REPS: usize = 21;

const QUEUE: &str = "query($w: ID!) { workCenter(id: $w) { queue(first: 50) { pageInfo { hasNextPage } edges { node { id title priority scheduledStart scheduledEnd dueDate status } } } } }";
/// The timeline's cost apart: the run ids alone, and everything but the conflicts.
const TIMELINE_IDS: &str =
    "query($from: DateTime!, $to: DateTime!) { schedule(from: $from, to: $to) { run { id } } }";
const TIMELINE_NO_CONFLICTS: &str = "query($from: DateTime!, $to: DateTime!) { schedule(from: $from, to: $to) { run { id title priority scheduledStart scheduledEnd } workCenter { id name } } }";
const TIMELINE: &str = "query($from: DateTime!, $to: DateTime!, $w: [ID!]) { schedule(from: $from, to: $to, workCenterIds: $w) { run { id title priority scheduledStart scheduledEnd } workCenter { id name } conflicts { from to runCount capacity } } }";

struct Bench {
    router: Router,
    db: DatabaseConnection,
    statements: Arc<AtomicUsize>,
    /// Every statement of the current call, kept to explain the interesting ones.
    log: Arc<Mutex<Vec<Statement>>>,
}

impl Bench {
    async fn new(mut db: DatabaseConnection) -> Bench {
        let statements = Arc::new(AtomicUsize::new(0));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (counter, kept) = (statements.clone(), log.clone());
        let hook: traveler::store::pooled::Hook = Arc::new(move |info| {
            counter.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut l) = kept.lock() {
                l.push(info.statement.clone());
            }
        });
        let forward = hook.clone();
        db.set_metric_callback(move |info| forward(info));
        let config = Config {
            database_url: String::new(),
            listen: String::new(),
            admin_token: Some(ADMIN.into()),
            cors_origins: Vec::new(),
            limits: Limits::default(),
        };
        let app = traveler::app::build_with(config, db.clone(), Some(hook))
            .await
            .expect("build app");
        Bench {
            router: app.router,
            db,
            statements,
            log,
        }
    }

    /// The time to the last byte, the statements, the body size and `data`.
    async fn timed(&self, query: &str, variables: Json) -> (Duration, usize, usize, Json) {
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {ADMIN}"))
            .body(Body::from(
                json!({"query": query, "variables": variables}).to_string(),
            ))
            .expect("request");
        self.log.lock().unwrap().clear();
        let before = self.statements.load(Ordering::Relaxed);
        let start = Instant::now();
        let resp = self.router.clone().oneshot(req).await.expect("router");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let elapsed = start.elapsed();
        let n = self.statements.load(Ordering::Relaxed) - before;
        let body: Json = serde_json::from_slice(&bytes).expect("JSON reply");
        if status != StatusCode::OK || body.get("errors").is_some() {
            panic!("GraphQL call failed ({status}): {query}\n{body:#}");
        }
        (elapsed, n, bytes.len(), body["data"].clone())
    }

    async fn ok(&self, query: &str, variables: Json) -> Json {
        self.timed(query, variables).await.3
    }

    /// The statement of the last call whose SQL contains `needle`.
    fn statement(&self, needle: &str) -> Statement {
        let log = self.log.lock().unwrap();
        log.iter()
            .find(|s| s.sql.contains(needle))
            .unwrap_or_else(|| panic!("no statement with {needle}"))
            .clone()
    }
}

fn at(minutes: i64) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2027-01-04T00:00:00Z").unwrap();
    (base + chrono::Duration::minutes(minutes))
        .with_timezone(&chrono::Utc)
        .to_rfc3339()
}

async fn setup(b: &Bench) -> Vec<String> {
    let d = b.ok("mutation { createPart(input: {partNumber: \"WC-BENCH\", trackingType: NONE}) { part { id } } }", json!({})).await;
    let part = d["createPart"]["part"]["id"].clone();
    let mut centers = Vec::new();
    for i in 0..CENTERS {
        // Cell 0 fits its runs (at most 5 at once); the others are over capacity most of
        // the time, so their runs carry several conflict stretches each.
        let capacity = if i == 0 { 5 } else { 3 };
        let d = b.ok("mutation($n: String!, $c: Int) { createWorkCenter(input: {name: $n, capacity: $c}) { workCenter { id } } }", json!({"n": format!("Cell {i}"), "c": capacity})).await;
        centers.push(
            d["createWorkCenter"]["workCenter"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    for call in 0..RUNS / PER_CALL {
        let runs: Vec<Json> = (0..PER_CALL)
            .map(|j| {
                let k = (call * PER_CALL + j) as i64;
                json!({
                    "partId": part, "title": format!("S-{k}"),
                    "workCenterId": centers[k as usize % CENTERS],
                    "priority": k % 7,
                    "scheduledStart": at(k * 10), "scheduledEnd": at(k * 10 + 240),
                    "dueDate": &at(k * 10 + 24 * 60)[..10],
                })
            })
            .collect();
        b.ok(
            "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id } } }",
            json!({"i": {"runs": runs}}),
        )
        .await;
    }
    centers
}

struct Figure {
    label: String,
    p50: f64,
    min: f64,
    max: f64,
    statements: usize,
    rows: usize,
    bytes: usize,
}

/// Calls per measurement: `REPS`, or `BENCH_REPS` (more calls to profile one query).
fn reps() -> usize {
    std::env::var("BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(REPS)
}

async fn measure(
    b: &Bench,
    label: &str,
    query: &str,
    vars: Json,
    rows: impl Fn(&Json) -> usize,
) -> Figure {
    let mut times = Vec::new();
    let (mut statements, mut n, mut bytes) = (usize::MAX, 0, 0);
    for _ in 0..reps() {
        let (t, s, size, data) = b.timed(query, vars.clone()).await;
        times.push(t.as_secs_f64() * 1000.0);
        statements = statements.min(s);
        n = rows(&data);
        bytes = size;
    }
    times.sort_by(|a, c| a.total_cmp(c));
    Figure {
        label: label.to_string(),
        p50: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
        statements,
        rows: n,
        bytes,
    }
}

/// The plan of `s` as the database explains it.
async fn explain(db: &DatabaseConnection, s: &Statement) -> String {
    let prefix = match db.get_database_backend() {
        DbBackend::Postgres => "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ",
        _ => "EXPLAIN QUERY PLAN ",
    };
    let st = Statement {
        sql: format!("{prefix}{}", s.sql),
        ..s.clone()
    };
    let rows = db.query_all_raw(st).await.expect("explain");
    rows.iter()
        .map(|r| match db.get_database_backend() {
            DbBackend::Postgres => r.try_get_by_index::<String>(0).unwrap_or_default(),
            _ => r.try_get::<String>("", "detail").unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn run(kind: &str, db: DatabaseConnection) -> String {
    let b = Bench::new(db).await;
    let started = Instant::now();
    let centers = setup(&b).await;
    let setup_s = started.elapsed().as_secs_f64();
    if kind == "PostgreSQL" {
        b.db.execute_unprepared("ANALYZE runs")
            .await
            .expect("analyze");
    }
    let edges = |d: &Json| {
        d["workCenter"]["queue"]["edges"]
            .as_array()
            .map_or(0, Vec::len)
    };
    let sched = |d: &Json| d["schedule"].as_array().map_or(0, Vec::len);
    // The second week, all work centers, then one work center.
    let week = json!({"from": at(7 * 24 * 60), "to": at(14 * 24 * 60)});
    let mut one = week.clone();
    one["w"] = json!([centers[0]]);
    let mut over = week.clone();
    over["w"] = json!([centers[1]]);
    let figures = [
        measure(
            &b,
            "queue of one work center, first 50 of 2,000",
            QUEUE,
            json!({"w": centers[0]}),
            edges,
        )
        .await,
        measure(
            &b,
            "timeline, one week, one work center (within capacity)",
            TIMELINE,
            one.clone(),
            sched,
        )
        .await,
        measure(
            &b,
            "timeline, one week, one work center (over capacity throughout)",
            TIMELINE,
            over,
            sched,
        )
        .await,
        measure(
            &b,
            "timeline, one week, all 5 work centers",
            TIMELINE,
            week.clone(),
            sched,
        )
        .await,
        measure(
            &b,
            "the same, without `conflicts`",
            TIMELINE_NO_CONFLICTS,
            week.clone(),
            sched,
        )
        .await,
        measure(&b, "the same, `run { id }` only", TIMELINE_IDS, week, sched).await,
    ];
    b.timed(QUEUE, json!({"w": centers[0]})).await;
    let queue_sql = b.statement("\"work_center_id\" =");
    let queue_plan = explain(&b.db, &queue_sql).await;
    b.timed(TIMELINE, one).await;
    let timeline_sql = b.statement("\"scheduled_start\" <");
    let timeline_plan = explain(&b.db, &timeline_sql).await;
    let mut out = format!("#### {kind} ({RUNS} runs made in {setup_s:.1} s)\n\n");
    out.push_str("| Measurement | p50 (ms, of 21) | min-max (ms) | statements | rows | bytes |\n|---|---:|---:|---:|---:|---:|\n");
    for f in &figures {
        out.push_str(&format!(
            "| {} | {:.2} | {:.2}-{:.2} | {} | {} | {} |\n",
            f.label, f.p50, f.min, f.max, f.statements, f.rows, f.bytes
        ));
    }
    out.push_str(&format!(
        "\nQueue query:\n\n```sql\n{}\n```\n\nIts plan:\n\n```\n{queue_plan}\n```\n\nTimeline query:\n\n```sql\n{}\n```\n\nIts plan:\n\n```\n{timeline_plan}\n```\n\n",
        queue_sql.sql, timeline_sql.sql
    ));
    out
}

async fn fresh(
    kind: &str,
) -> (
    DatabaseConnection,
    Option<(String, String)>,
    Option<std::path::PathBuf>,
) {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    if kind == "SQLite" {
        let path = std::env::temp_dir().join(format!("traveler-bench-{tag}.db"));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        return (
            traveler::store::connect(&url).await.expect("sqlite"),
            None,
            Some(path),
        );
    }
    let url = std::env::var("BENCH_POSTGRES_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let schema = format!("bench_{tag}");
    let admin = Database::connect(url.clone()).await.expect("postgres");
    admin
        .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("schema");
    let mut opt = ConnectOptions::new(url.clone());
    opt.set_schema_search_path(schema.clone())
        .max_connections(16)
        .sqlx_logging(false);
    (
        Database::connect(opt).await.expect("schema"),
        Some((url, schema)),
        None,
    )
}

#[tokio::main]
async fn main() {
    let which = std::env::var("BENCH_DATABASE").unwrap_or_else(|_| "both".into());
    let kinds: &[&str] = match which.trim() {
        "" | "both" => &["SQLite", "PostgreSQL"],
        "sqlite" => &["SQLite"],
        "postgres" => &["PostgreSQL"],
        other => panic!("BENCH_DATABASE must be sqlite, postgres or both, not {other:?}"),
    };
    let mut doc = String::new();
    for kind in kinds {
        let (db, schema, file) = fresh(kind).await;
        let out = tokio::spawn(run(kind, db)).await;
        if let Some((url, schema)) = schema {
            let admin = Database::connect(url).await.expect("postgres");
            admin
                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .await
                .ok();
        }
        if let Some(p) = file {
            for s in ["", "-wal", "-shm"] {
                std::fs::remove_file(format!("{}{s}", p.display())).ok();
            }
        }
        match out {
            Ok(s) => doc.push_str(&s),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("{e}"),
        }
    }
    println!("{doc}");
    if std::env::var("BENCH_WRITE").is_ok_and(|v| v == "1") {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md");
        let old = std::fs::read_to_string(path).unwrap_or_default();
        const HEAD: &str =
            "### Work centers: a queue and a week's timeline with 10,000 scheduled runs";
        // The section runs from its heading to the next `## ` heading (or the end); what
        // follows it is kept.
        let (before, rest) = old.split_once(HEAD).unwrap_or((&old, ""));
        let after = rest.find("\n## ").map_or("", |i| &rest[i..]);
        let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
        let section = format!(
            "{HEAD}\n\nMeasured {date} with `BENCH_WRITE=1 cargo bench --bench schedule` (release build; see `benches/schedule.rs`): in-process through the router, as the admin; p50 of {REPS} calls, with the fastest and slowest. Goal: p50 under 20 ms, using indexes.\n\n{doc}"
        );
        let text = format!(
            "{}\n\n{}\n\n{}\n{after}",
            before.trim_end(),
            section.trim_end(),
            READING.trim()
        );
        std::fs::write(path, text).expect("write BENCHMARKS.md");
        eprintln!("wrote {path}");
    }
}
