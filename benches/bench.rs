//! Traveler benchmarks: bulk run creation, a deep read and a batch-wide step change, each
//! driven in-process through the real router and set beside a hand-written baseline.
//!
//! Usage:
//!
//! ```text
//! BENCH_DATABASE=sqlite|postgres|both BENCH_WRITE=1 cargo bench --bench bench
//! ```
//!
//! `BENCH_DATABASE` defaults to `both`. PostgreSQL is reached at `BENCH_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`); each run works in a fresh schema
//! that is dropped afterwards. SQLite uses a temporary WAL file. The result is printed as a
//! markdown table; with `BENCH_WRITE=1` it is also written to `BENCHMARKS.md` together with
//! a description of the machine. Any GraphQL error fails the benchmark.
//!
//! 1. `createBatchedRun` of 100 runs of a 200-step procedure (2 fields a step, each step
//!    depending on the previous one), median of 3, beside one transaction of multi-row
//!    INSERTs of the same rows (raw SQL, ~30k bound parameters a statement).
//! 2. `runs(first: 50)` with steps, fields, procedure, part and unit, median of 5, beside
//!    plain SQL for the same rows serialized with serde_json into the same shape.
//! 3. `updateRunStep` TODO -> IN_PROGRESS of a run's first step in a batch of 5 and of 500
//!    runs (10-step procedure; the change propagates to every sibling), median of 3, each
//!    repetition on a fresh batch.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use entity::{part_inventory, run, step, step_field};
use http_body_util::BodyExt;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait,
    Statement, Value,
};
use serde_json::{Value as Json, json};
use tower::ServiceExt;
use traveler::config::{Config, Limits};
use traveler::domain::numbering;

const ADMIN: &str = "bench-admin-key";
const CREATE_RUNS: usize = 100;
const CREATE_STEPS: usize = 200;
const CREATE_REPS: usize = 3;
const READ_PAGE: usize = 50;
const READ_REPS: usize = 5;
const BATCH_STEPS: usize = 10;
const BATCH_SIZES: [usize; 2] = [5, 500];
const BATCH_REPS: usize = 3;
/// Bound parameters per raw INSERT, as the application chunks them.
const PARAMS_PER_STATEMENT: usize = 30_000;
/// Ids and numbers of the raw baseline's rows start here, far above the application's.
const RAW_BASE: i64 = 1_000_000_000_000;

const CREATE_BATCHED: &str = "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runBatch { id } runs { id } } }";
const READ_RUNS: &str = "{ runs(first: 50) { edges { node { steps { fields { name value } } procedure { title } part { partNumber } partInventory { serialNumber } } } } }";
const RUN_STEPS: &str = "query($id: ID!) { run(id: $id) { steps { id _etag status } } }";
const UPDATE_STEP: &str = "mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) { runStep { id status } updatedSiblingIds skippedSiblings { runStepId reason } } }";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Sqlite => "SQLite",
            Kind::Postgres => "PostgreSQL",
        }
    }
}

/// What to remove once a database's measurements are done.
enum Cleanup {
    File(PathBuf),
    Schema { url: String, schema: String },
}

async fn fresh_db(kind: Kind) -> (DatabaseConnection, Cleanup) {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    match kind {
        Kind::Sqlite => {
            let path = std::env::temp_dir().join(format!("traveler-bench-{tag}.db"));
            let url = format!("sqlite://{}?mode=rwc", path.display());
            let db = traveler::store::connect(&url).await.expect("open sqlite");
            (db, Cleanup::File(path))
        }
        Kind::Postgres => {
            let url = std::env::var("BENCH_POSTGRES_URL")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let schema = format!("bench_{tag}");
            let admin = Database::connect(url.clone())
                .await
                .expect("connect to BENCH_POSTGRES_URL");
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("create schema");
            admin.close().await.ok();
            let mut opt = ConnectOptions::new(url.clone());
            opt.set_schema_search_path(schema.clone())
                .max_connections(16)
                .sqlx_logging(false);
            let db = Database::connect(opt).await.expect("connect to schema");
            (db, Cleanup::Schema { url, schema })
        }
    }
}

async fn cleanup(c: Cleanup) {
    match c {
        Cleanup::File(path) => {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                std::fs::remove_file(p).ok();
            }
        }
        Cleanup::Schema { url, schema } => {
            let admin = Database::connect(url)
                .await
                .expect("connect to drop schema");
            admin
                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .await
                .expect("drop schema");
            admin.close().await.ok();
        }
    }
}

/// The application on one database, with a count of the statements it receives.
struct Bench {
    router: Router,
    db: DatabaseConnection,
    statements: Arc<AtomicUsize>,
}

impl Bench {
    async fn new(mut db: DatabaseConnection) -> Bench {
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        let hook: traveler::store::pooled::Hook = Arc::new(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
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
        }
    }

    fn count(&self) -> usize {
        self.statements.load(Ordering::Relaxed)
    }

    /// Runs a document as the admin: the time to the last body byte, the statements the
    /// database received, the body size and `data`. Panics on any error.
    async fn timed(&self, query: &str, variables: Json) -> (Duration, usize, usize, Json) {
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {ADMIN}"))
            .body(Body::from(
                json!({"query": query, "variables": variables}).to_string(),
            ))
            .expect("request");
        let before = self.count();
        let start = Instant::now();
        let resp = self.router.clone().oneshot(req).await.expect("router");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let elapsed = start.elapsed();
        let statements = self.count() - before;
        let body: Json = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "non-JSON reply ({status}, {e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        if status != StatusCode::OK || body.get("errors").is_some() {
            panic!("GraphQL call failed ({status}): {query}\n{body:#}");
        }
        (elapsed, statements, bytes.len(), body["data"].clone())
    }

    async fn ok(&self, query: &str, variables: Json) -> Json {
        self.timed(query, variables).await.3
    }
}

fn id_of(v: &Json) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("expected an id, got {v}"))
        .to_string()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The fewer statements of two repetitions (0: none yet). Authentication adds a few to a
/// call now and then (its key cache expires), which is not the operation's cost.
fn fewest(so_far: usize, this: usize) -> usize {
    if so_far == 0 { this } else { so_far.min(this) }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn create_part(b: &Bench, number: &str) -> String {
    let d = b
        .ok(
            "mutation($i: CreatePartInput!) { createPart(input: $i) { part { id } } }",
            json!({"i": {"partNumber": number, "trackingType": "SERIAL"}}),
        )
        .await;
    id_of(&d["createPart"]["part"]["id"])
}

/// A released procedure of `n` chained steps (each depends on the previous), each with a
/// required NUMBER field and an optional STRING field; as tests/api/fixtures.rs builds it.
async fn chain_procedure(b: &Bench, part_id: &str, n: usize) -> String {
    let d = b
        .ok(
            "mutation($i: CreateProcedureInput!) { createProcedure(input: $i) { procedure { id } } }",
            json!({"i": {"title": format!("Assemble bracket ({n} steps)"), "partIds": [part_id]}}),
        )
        .await;
    let pid = id_of(&d["createProcedure"]["procedure"]["id"]);
    let mut prev: Option<String> = None;
    for i in 0..n {
        let d = b
            .ok(
                "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
                json!({"i": {
                    "procedureId": pid, "title": format!("Step {}", i + 1),
                    "upstreamStepIds": prev.iter().collect::<Vec<_>>(),
                    "fields": [
                        {"name": "torque", "type": "NUMBER", "required": true, "min": 0, "max": 100, "unit": "Nm"},
                        {"name": "note", "type": "STRING"}
                    ]
                }}),
            )
            .await;
        prev = Some(id_of(&d["createStep"]["step"]["id"]));
    }
    let d = b
        .ok(
            "query($id: ID!) { procedure(id: $id) { _etag } }",
            json!({"id": pid}),
        )
        .await;
    let etag = d["procedure"]["_etag"].clone();
    b.ok(
        "mutation($i: IdEtagInput!) { releaseProcedure(input: $i) { procedure { id status } } }",
        json!({"i": {"id": pid, "etag": etag}}),
    )
    .await;
    pid
}

fn batch_input(part_id: &str, procedure_id: &str, copies: usize) -> Json {
    json!({"i": {"runs": [{
        "partId": part_id, "procedureId": procedure_id,
        "copies": copies, "autogenerateSerialNumber": true
    }]}})
}

/// `sql` with `?` placeholders, numbered `$n` for PostgreSQL.
fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                write!(out, "${n}").unwrap();
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_string()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Multi-row INSERTs of `rows` into `table`, at most `PARAMS_PER_STATEMENT` parameters a
/// statement.
async fn insert_rows(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) {
    let per = (PARAMS_PER_STATEMENT / columns.len()).max(1);
    let row_marks = format!("({})", marks(columns.len()));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            vec![row_marks.as_str(); chunk.len()].join(", ")
        );
        let values: Vec<Value> = chunk.into_iter().flatten().collect();
        db.execute_raw(stmt(db.get_database_backend(), &sql, values))
            .await
            .unwrap_or_else(|e| panic!("raw insert into {table}: {e}"));
    }
}

/// What the raw baseline copies, loaded once before it is timed.
struct RawTemplate {
    organization_id: i64,
    part_id: i64,
    procedure_id: i64,
    part_number: String,
    revision: String,
    /// An application-made run and unit, for the column values not derived here.
    run: run::Model,
    unit: part_inventory::Model,
    steps: Vec<step::Model>,
    fields: Vec<step_field::Model>,
    edges: Vec<(i64, i64)>,
}

impl RawTemplate {
    async fn load(db: &DatabaseConnection, run_id: i64) -> RawTemplate {
        let run = run::Entity::find_by_id(run_id)
            .one(db)
            .await
            .expect("load run")
            .expect("run exists");
        let unit = part_inventory::Entity::find_by_id(run.part_inventory_id.expect("unit"))
            .one(db)
            .await
            .expect("load unit")
            .expect("unit exists");
        let part = entity::part::Entity::find_by_id(run.part_id)
            .one(db)
            .await
            .expect("load part")
            .expect("part exists");
        let procedure_id = run.procedure_id.expect("procedure");
        // The same template the application copies from.
        let template = traveler::store::create_runs::template::Template::load(db, procedure_id)
            .await
            .expect("load template");
        let (steps, fields, edges) = (template.steps, template.fields, template.edges);
        RawTemplate {
            organization_id: run.organization_id,
            part_id: part.id,
            procedure_id,
            part_number: part.part_number,
            revision: part.revision,
            run,
            unit,
            steps,
            fields,
            edges,
        }
    }
}

/// The raw baseline of `createBatchedRun`: builds the same rows as the application from
/// an in-memory template and writes them in one transaction.
async fn raw_create(db: &DatabaseConnection, t: &RawTemplate, rep: usize) -> Duration {
    let base = RAW_BASE + rep as i64 * 100_000_000;
    let start = Instant::now();
    let now = chrono::Utc::now();
    let org = t.organization_id;
    let (n, ns, nf) = (CREATE_RUNS, t.steps.len(), t.fields.len());
    let index: HashMap<i64, usize> = t.steps.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let none_i64 = || Value::from(None::<i64>);
    let none_str = || Value::from(None::<String>);
    let none_time = || Value::from(None::<chrono::DateTime<chrono::Utc>>);

    let batch_id = base;
    let batch = vec![vec![
        batch_id.into(),
        org.into(),
        numbering::batch_title(base, &t.part_number, &t.revision, n).into(),
        Some(t.procedure_id).into(),
        1i32.into(),
        now.into(),
    ]];
    let mut units = Vec::with_capacity(n);
    let mut runs = Vec::with_capacity(n);
    let mut steps = Vec::with_capacity(n * ns);
    let mut fields = Vec::with_capacity(n * nf);
    let mut edges = Vec::with_capacity(n * t.edges.len());
    for r in 0..n {
        let run_id = base + r as i64;
        let unit_id = base + r as i64;
        let number = base + r as i64;
        let serial = format!("RAW-{unit_id}");
        units.push(vec![
            unit_id.into(),
            org.into(),
            t.part_id.into(),
            Some(serial.clone()).into(),
            none_str(),
            t.unit.quantity.into(),
            t.unit.status.clone().into(),
            1i32.into(),
            now.into(),
        ]);
        runs.push(vec![
            run_id.into(),
            org.into(),
            number.into(),
            numbering::run_title(number, &t.part_number, &t.revision, Some(("SN", &serial))).into(),
            t.run.status.clone().into(),
            Some(t.procedure_id).into(),
            t.part_id.into(),
            Some(unit_id).into(),
            t.run.source.clone().into(),
            Some(batch_id).into(),
            none_i64(),
            none_i64(),
            Value::from(None::<chrono::NaiveDate>),
            t.run.export_controlled.into(),
            t.run.attributes.clone().into(),
            1i32.into(),
            now.into(),
            none_time(),
            none_time(),
        ]);
        let sid = |origin: i64| base + (r * ns + index[&origin]) as i64;
        for s in &t.steps {
            steps.push(vec![
                sid(s.id).into(),
                org.into(),
                run_id.into(),
                Some(s.id).into(),
                s.parent_id.map(sid).into(),
                s.position.into(),
                s.title.clone().into(),
                s.content.clone().into(),
                "TODO".into(),
                none_str(),
                1i32.into(),
                none_time(),
                none_time(),
            ]);
        }
        for (j, f) in t.fields.iter().enumerate() {
            fields.push(vec![
                (base + (r * nf + j) as i64).into(),
                org.into(),
                run_id.into(),
                sid(f.step_id).into(),
                Some(f.id).into(),
                f.position.into(),
                f.name.clone().into(),
                f.field_type.clone().into(),
                f.required.into(),
                f.unit.clone().into(),
                f.options.clone().into(),
                f.min.into(),
                f.max.into(),
                f.pattern.clone().into(),
                none_str(),
                none_i64(),
                none_time(),
                1i32.into(),
                none_time(),
            ]);
        }
        for (s, u) in &t.edges {
            edges.push(vec![run_id.into(), sid(*s).into(), sid(*u).into()]);
        }
    }
    let txn = traveler::store::begin_write(db).await.expect("begin");
    insert_rows(
        &txn,
        "part_inventories",
        &[
            "id",
            "organization_id",
            "part_id",
            "serial_number",
            "lot_number",
            "quantity",
            "status",
            "lock_version",
            "created_at",
        ],
        units,
    )
    .await;
    insert_rows(
        &txn,
        "run_batches",
        &[
            "id",
            "organization_id",
            "title",
            "procedure_id",
            "lock_version",
            "created_at",
        ],
        batch,
    )
    .await;
    insert_rows(
        &txn,
        "runs",
        &[
            "id",
            "organization_id",
            "number",
            "title",
            "status",
            "procedure_id",
            "part_id",
            "part_inventory_id",
            "source",
            "run_batch_id",
            "assigned_to_id",
            "assigned_team_id",
            "due_date",
            "export_controlled",
            "attributes",
            "lock_version",
            "created_at",
            "started_at",
            "completed_at",
        ],
        runs,
    )
    .await;
    insert_rows(
        &txn,
        "run_steps",
        &[
            "id",
            "organization_id",
            "run_id",
            "origin_step_id",
            "parent_id",
            "position",
            "title",
            "content",
            "status",
            "held_from",
            "lock_version",
            "started_at",
            "completed_at",
        ],
        steps,
    )
    .await;
    insert_rows(
        &txn,
        "run_step_fields",
        &[
            "id",
            "organization_id",
            "run_id",
            "run_step_id",
            "origin_field_id",
            "position",
            "name",
            "field_type",
            "required",
            "unit",
            "options",
            "min",
            "max",
            "pattern",
            "value",
            "signed_by_id",
            "signed_at",
            "lock_version",
            "updated_at",
        ],
        fields,
    )
    .await;
    insert_rows(
        &txn,
        "run_step_edges",
        &["run_id", "step_id", "upstream_step_id"],
        edges,
    )
    .await;
    txn.commit().await.expect("commit");
    start.elapsed()
}

/// The hand-written read: the same rows as `READ_RUNS` with plain SQL, serialized with
/// serde_json into the same shape.
async fn raw_read(db: &DatabaseConnection, org: i64) -> Vec<u8> {
    let b = db.get_database_backend();
    let get = |row: &sea_orm::QueryResult, col: &str| -> i64 {
        row.try_get::<i64>("", col).expect("integer column")
    };
    let runs = db
        .query_all_raw(stmt(
            b,
            &format!("SELECT id, procedure_id, part_id, part_inventory_id FROM runs WHERE organization_id = ? ORDER BY id LIMIT {READ_PAGE}"),
            vec![org.into()],
        ))
        .await
        .expect("runs page");
    struct R {
        id: i64,
        procedure_id: Option<i64>,
        part_id: i64,
        part_inventory_id: Option<i64>,
    }
    let runs: Vec<R> = runs
        .iter()
        .map(|row| R {
            id: get(row, "id"),
            procedure_id: row.try_get("", "procedure_id").expect("procedure_id"),
            part_id: get(row, "part_id"),
            part_inventory_id: row
                .try_get("", "part_inventory_id")
                .expect("part_inventory_id"),
        })
        .collect();
    let ids = |f: &dyn Fn(&R) -> Option<i64>| -> Vec<Value> {
        let mut v: Vec<i64> = runs.iter().filter_map(f).collect();
        v.sort_unstable();
        v.dedup();
        v.into_iter().map(Value::from).collect()
    };
    let run_ids = ids(&|r| Some(r.id));
    let procedure_ids = ids(&|r| r.procedure_id);
    let part_ids = ids(&|r| Some(r.part_id));
    let unit_ids = ids(&|r| r.part_inventory_id);
    let by_ids = |sql: &str, mut values: Vec<Value>, prefix: Vec<Value>| {
        let n = values.len();
        let mut all = prefix;
        all.append(&mut values);
        stmt(b, &sql.replace("{ids}", &marks(n)), all)
    };
    let steps = db
        .query_all_raw(by_ids(
            "SELECT id, run_id FROM run_steps WHERE organization_id = ? AND run_id IN ({ids}) AND parent_id IS NULL ORDER BY run_id, position, id",
            run_ids.clone(),
            vec![org.into()],
        ))
        .await
        .expect("run steps");
    let fields = db
        .query_all_raw(by_ids(
            "SELECT run_step_id, name, value FROM run_step_fields WHERE organization_id = ? AND run_id IN ({ids}) ORDER BY run_step_id, position, id",
            run_ids,
            vec![org.into()],
        ))
        .await
        .expect("run step fields");
    let procedures = db
        .query_all_raw(by_ids(
            "SELECT id, title FROM procedures WHERE organization_id = ? AND id IN ({ids})",
            procedure_ids,
            vec![org.into()],
        ))
        .await
        .expect("procedures");
    let parts = db
        .query_all_raw(by_ids(
            "SELECT id, part_number FROM parts WHERE organization_id = ? AND id IN ({ids})",
            part_ids,
            vec![org.into()],
        ))
        .await
        .expect("parts");
    let units = db
        .query_all_raw(by_ids(
            "SELECT id, serial_number FROM part_inventories WHERE organization_id = ? AND id IN ({ids})",
            unit_ids,
            vec![org.into()],
        ))
        .await
        .expect("part inventories");

    let mut fields_by_step: HashMap<i64, Vec<Json>> = HashMap::new();
    for row in &fields {
        let value: Option<String> = row.try_get("", "value").expect("value");
        let name: String = row.try_get("", "name").expect("name");
        fields_by_step
            .entry(get(row, "run_step_id"))
            .or_default()
            .push(json!({
                "name": name,
                "value": value.map_or(Json::Null, |v| serde_json::from_str(&v).unwrap_or(Json::Null)),
            }));
    }
    let mut steps_by_run: HashMap<i64, Vec<Json>> = HashMap::new();
    for row in &steps {
        let fields = fields_by_step.remove(&get(row, "id")).unwrap_or_default();
        steps_by_run
            .entry(get(row, "run_id"))
            .or_default()
            .push(json!({ "fields": fields }));
    }
    let text = |rows: &[sea_orm::QueryResult], col: &str| -> HashMap<i64, Option<String>> {
        rows.iter()
            .map(|row| (get(row, "id"), row.try_get("", col).expect("text column")))
            .collect()
    };
    let procedures = text(&procedures, "title");
    let parts = text(&parts, "part_number");
    let units = text(&units, "serial_number");
    let edges: Vec<Json> = runs
        .iter()
        .map(|r| {
            json!({"node": {
                "steps": steps_by_run.remove(&r.id).unwrap_or_default(),
                "procedure": r.procedure_id.map(|p| json!({"title": procedures[&p]})),
                "part": {"partNumber": parts[&r.part_id]},
                "partInventory": r.part_inventory_id.map(|u| json!({"serialNumber": units[&u]})),
            }})
        })
        .collect();
    serde_json::to_vec(&json!({"data": {"runs": {"edges": edges}}})).expect("json")
}

#[derive(Default)]
struct Results {
    version: String,
    create_app_ms: f64,
    create_raw_ms: f64,
    create_app_statements: usize,
    create_raw_statements: usize,
    read_app_ms: f64,
    read_raw_ms: f64,
    read_app_statements: usize,
    read_raw_statements: usize,
    read_bytes: usize,
    step_ms: [f64; 2],
    step_statements: [usize; 2],
    wall_s: f64,
}

async fn measure(kind: Kind, db: DatabaseConnection) -> Results {
    let wall = Instant::now();
    let label = kind.label();
    let mut res = Results::default();
    let version_sql = match kind {
        Kind::Sqlite => "SELECT sqlite_version() AS v",
        Kind::Postgres => "SELECT current_setting('server_version') AS v",
    };
    let b = Bench::new(db).await;
    res.version =
        b.db.query_one_raw(Statement::from_string(
            b.db.get_database_backend(),
            version_sql,
        ))
        .await
        .expect("version")
        .and_then(|r| r.try_get::<String>("", "v").ok())
        .unwrap_or_default();

    // 1. Creation.
    eprintln!("[{label}] setup: part and a {CREATE_STEPS}-step procedure");
    let t = Instant::now();
    let part = create_part(&b, "BENCH-001").await;
    let procedure = chain_procedure(&b, &part, CREATE_STEPS).await;
    eprintln!("[{label}] setup took {:.1} s", t.elapsed().as_secs_f64());
    let mut app_ms = Vec::new();
    let mut raw_ms = Vec::new();
    let mut template = None;
    for rep in 0..CREATE_REPS {
        let (d, statements, _, data) = b
            .timed(CREATE_BATCHED, batch_input(&part, &procedure, CREATE_RUNS))
            .await;
        let runs = data["createBatchedRun"]["runs"]
            .as_array()
            .expect("runs list");
        assert_eq!(
            runs.len(),
            CREATE_RUNS,
            "createBatchedRun made too few runs"
        );
        app_ms.push(ms(d));
        res.create_app_statements = fewest(res.create_app_statements, statements);
        if template.is_none() {
            let first: i64 = id_of(&runs[0]["id"]).parse().expect("numeric id");
            template = Some(RawTemplate::load(&b.db, first).await);
        }
        let t = template.as_ref().expect("template");
        assert_eq!(t.steps.len(), CREATE_STEPS);
        let before = b.count();
        let d = raw_create(&b.db, t, rep).await;
        raw_ms.push(ms(d));
        let raw_statements = b.count() - before;
        res.create_raw_statements = fewest(res.create_raw_statements, raw_statements);
        eprintln!(
            "[{label}] createBatchedRun {:.1} ms ({statements} statements), raw {:.1} ms ({raw_statements})",
            app_ms[rep], raw_ms[rep]
        );
    }
    res.create_app_ms = median(app_ms);
    res.create_raw_ms = median(raw_ms);
    let org = template.as_ref().expect("template").organization_id;

    // 2. Reading.
    let mut app_ms = Vec::new();
    let mut raw_ms = Vec::new();
    for rep in 0..READ_REPS {
        let (d, statements, bytes, data) = b.timed(READ_RUNS, json!({})).await;
        app_ms.push(ms(d));
        res.read_app_statements = fewest(res.read_app_statements, statements);
        res.read_bytes = bytes;
        let before = b.count();
        let start = Instant::now();
        let body = raw_read(&b.db, org).await;
        raw_ms.push(ms(start.elapsed()));
        let raw_statements = b.count() - before;
        res.read_raw_statements = fewest(res.read_raw_statements, raw_statements);
        if rep == 0 {
            let raw: Json = serde_json::from_slice(&body).expect("raw json");
            let edges = data["runs"]["edges"].as_array().expect("edges");
            assert_eq!(edges.len(), READ_PAGE, "runs page too short");
            assert_eq!(
                edges[0]["node"]["steps"].as_array().map(Vec::len),
                Some(CREATE_STEPS)
            );
            assert!(
                raw["data"] == data,
                "the hand-written read differs from the API's answer"
            );
        }
        eprintln!(
            "[{label}] runs(first: 50) {:.1} ms ({statements} statements), hand-written {:.1} ms ({raw_statements})",
            app_ms[rep], raw_ms[rep]
        );
    }
    res.read_app_ms = median(app_ms);
    res.read_raw_ms = median(raw_ms);

    // 3. A step change across a batch.
    let small = chain_procedure(&b, &part, BATCH_STEPS).await;
    for (k, size) in BATCH_SIZES.into_iter().enumerate() {
        let mut times = Vec::new();
        for _ in 0..BATCH_REPS {
            let d = b.ok(CREATE_BATCHED, batch_input(&part, &small, size)).await;
            let run_id = id_of(&d["createBatchedRun"]["runs"][0]["id"]);
            let d = b.ok(RUN_STEPS, json!({"id": run_id})).await;
            let first = &d["run"]["steps"][0];
            assert_eq!(first["status"], "TODO");
            let (d, statements, _, data) = b
                .timed(
                    UPDATE_STEP,
                    json!({"i": {"id": first["id"], "etag": first["_etag"], "status": "IN_PROGRESS"}}),
                )
                .await;
            let out = &data["updateRunStep"];
            assert_eq!(out["runStep"]["status"], "IN_PROGRESS");
            assert_eq!(
                out["updatedSiblingIds"].as_array().map(Vec::len),
                Some(size - 1),
                "the change did not reach every sibling: {out}"
            );
            assert_eq!(
                out["skippedSiblings"].as_array().map(Vec::len),
                Some(0),
                "siblings were skipped: {out}"
            );
            times.push(ms(d));
            res.step_statements[k] = fewest(res.step_statements[k], statements);
            eprintln!(
                "[{label}] updateRunStep, batch of {size}: {:.1} ms ({statements} statements)",
                ms(d)
            );
        }
        res.step_ms[k] = median(times);
    }
    res.wall_s = wall.elapsed().as_secs_f64();
    res
}

fn ratio(a: f64, b: f64, goal: f64) -> String {
    let r = a / b;
    let mark = if r <= goal { "ok" } else { "over" };
    format!("{r:.2}x ({mark})")
}

fn table(results: &[(Kind, Results)]) -> String {
    let mut out = String::new();
    let mut row = |name: &str, goal: &str, cell: &dyn Fn(&Results) -> String| {
        let cells: Vec<String> = results.iter().map(|(_, r)| cell(r)).collect();
        writeln!(out, "| {name} | {} | {goal} |", cells.join(" | ")).unwrap();
    };
    let head: Vec<&str> = results.iter().map(|(k, _)| k.label()).collect();
    let mut s = format!("| Measurement | {} | Goal |\n", head.join(" | "));
    writeln!(s, "|---|{}---|", "---:|".repeat(results.len())).unwrap();
    row("Database version", "", &|r| r.version.clone());
    row(
        "createBatchedRun, 100 runs x 200 steps (ms, median of 3)",
        "",
        &|r| format!("{:.1}", r.create_app_ms),
    );
    row(
        "raw multi-row INSERTs of the same rows, one transaction (ms)",
        "",
        &|r| format!("{:.1}", r.create_raw_ms),
    );
    row("ratio createBatchedRun / raw", "<= 2x", &|r| {
        ratio(r.create_app_ms, r.create_raw_ms, 2.0)
    });
    row("statements: createBatchedRun / raw", "", &|r| {
        format!("{} / {}", r.create_app_statements, r.create_raw_statements)
    });
    row(
        "runs(first: 50) with 10,000 steps, 20,000 fields (ms, median of 5)",
        "",
        &|r| format!("{:.1}", r.read_app_ms),
    );
    row("hand-written SQL + serde_json, same JSON (ms)", "", &|r| {
        format!("{:.1}", r.read_raw_ms)
    });
    row("ratio API / hand-written", "<= 3x", &|r| {
        ratio(r.read_app_ms, r.read_raw_ms, 3.0)
    });
    row("statements: API / hand-written", "", &|r| {
        format!("{} / {}", r.read_app_statements, r.read_raw_statements)
    });
    row("response size (bytes)", "", &|r| r.read_bytes.to_string());
    row(
        "updateRunStep TODO -> IN_PROGRESS, batch of 5 (ms, median of 3)",
        "",
        &|r| format!("{:.1}", r.step_ms[0]),
    );
    row(
        "updateRunStep, batch of 500 (ms, median of 3)",
        "< 1000",
        &|r| format!("{:.1}", r.step_ms[1]),
    );
    row("ratio 500 / 5", "<= 3x", &|r| {
        ratio(r.step_ms[1], r.step_ms[0], 3.0)
    });
    row("statements: batch of 5 / 500", "", &|r| {
        format!("{} / {}", r.step_statements[0], r.step_statements[1])
    });
    row("wall time incl. setup (s)", "", &|r| {
        format!("{:.1}", r.wall_s)
    });
    s.push_str(&out);
    s
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU".to_string(), |(_, v)| v.trim().to_string());
    let nproc = std::process::Command::new("nproc")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(0, |n| n.get())
                .to_string()
        });
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or("unknown".to_string(), |kb| {
            format!("{:.1} GiB", kb / 1024.0 / 1024.0)
        });
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map_or("unknown OS".to_string(), |v| {
            v.trim_matches('"').to_string()
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "- CPU: {nproc} cores (`nproc`), {model}\n- Memory: {mem_gib}\n- OS: {os}, Linux {}\n",
        kernel.trim()
    )
}

#[tokio::main]
async fn main() {
    let which = std::env::var("BENCH_DATABASE").unwrap_or_else(|_| "both".into());
    let kinds = match which.trim() {
        "" | "both" => vec![Kind::Sqlite, Kind::Postgres],
        "sqlite" => vec![Kind::Sqlite],
        "postgres" => vec![Kind::Postgres],
        other => panic!("BENCH_DATABASE must be sqlite, postgres or both, not {other:?}"),
    };
    let started = Instant::now();
    let mut results = Vec::new();
    for kind in kinds {
        let (db, c) = fresh_db(kind).await;
        // In a task, so that a failure still removes the database before it is reported.
        let outcome = tokio::spawn(measure(kind, db)).await;
        cleanup(c).await;
        match outcome {
            Ok(r) => results.push((kind, r)),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("{e}"),
        }
    }
    let total = started.elapsed().as_secs_f64();
    let table = table(&results);
    println!("\n{table}\nTotal: {total:.1} s");
    if std::env::var("BENCH_WRITE").is_ok_and(|v| v == "1") {
        let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
        let doc = format!(
            "# Benchmarks\n\n\
             Measured {date} with `BENCH_WRITE=1 cargo bench --bench bench` (release build; \
             see `benches/bench.rs`), {total:.0} s in all.\n\n\
             {}\n\
             Every call goes in-process through the axum router (`tower::ServiceExt::oneshot`), \
             as the admin; times run to the last byte of the response. SQLite is a temporary \
             file in WAL mode, PostgreSQL a fresh schema on a local server.\n\n\
             - **Creation**: `createBatchedRun` of 100 copies (autogenerated serial numbers) of \
             a released procedure of 200 chained steps with 2 fields each: 100 units, 1 batch, \
             100 runs, 20,000 run steps, 40,000 fields, 19,900 edges. The raw baseline builds \
             the same rows from an in-memory copy of the procedure and writes them in one \
             transaction of multi-row INSERTs (at most 30,000 bound parameters a statement).\n\
             - **Reading**: `runs(first: 50) {{ edges {{ node {{ steps {{ fields {{ name value }} }} \
             procedure {{ title }} part {{ partNumber }} partInventory {{ serialNumber }} }} }} }}`; \
             the baseline reads the same rows with 6 plain SELECTs and serializes them with \
             serde_json into the same JSON (checked equal).\n\
             - **Batch action**: `updateRunStep` of a run's first step TODO -> IN_PROGRESS, which \
             the batch's other runs take too; 10-step procedure, a fresh batch each repetition.\n\
             - **Statements**: counted with `DatabaseConnection::set_metric_callback`, the \
             fewest over the repetitions (API-key authentication adds 3 to a call whenever its \
             5-second cache expires).\n\n\
             {table}",
            machine()
        );
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md");
        std::fs::write(path, doc).expect("write BENCHMARKS.md");
        eprintln!("wrote {path}");
    }
}
