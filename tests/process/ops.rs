//! The command line, logs and metrics of the real binary.

use std::collections::HashSet;
use std::fs::File;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::client::*;

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres")
}

#[test]
fn help_version_and_schema() {
    let url = "sqlite::memory:";
    let help = cli(url, &["--help"], &[]);
    assert!(help.status.success());
    let help = text(&help.stdout);
    for c in [
        "serve",
        "migrate",
        "backup",
        "create-organization",
        "demo",
        "schema",
    ] {
        assert!(help.contains(c), "--help lacks {c}: {help}");
    }
    let v = cli(url, &["--version"], &[]);
    assert_eq!(
        text(&v.stdout).trim(),
        format!("traveler {}", env!("CARGO_PKG_VERSION"))
    );
    let sdl = cli(url, &["schema"], &[]);
    assert!(sdl.status.success());
    assert_eq!(text(&sdl.stdout), traveler::graphql::sdl());
    let bad = cli(url, &["no-such-command"], &[]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
}

#[tokio::test]
async fn migrate_and_its_status() {
    let url = fresh_database().await;
    let before = cli(&url, &["migrate", "--status"], &[]);
    assert!(before.status.success(), "{}", text(&before.stderr));
    let before = text(&before.stdout);
    let known = before.lines().filter(|l| l.starts_with("pending ")).count();
    assert!(known >= 5, "{before}");
    assert!(
        before.contains(&format!("0 applied, {known} pending")),
        "{before}"
    );
    let up = cli(&url, &["migrate"], &[]);
    assert!(up.status.success(), "{}", text(&up.stderr));
    assert!(text(&up.stdout).contains(&format!("{known} migrations applied")));
    let after = text(&cli(&url, &["migrate", "--status"], &[]).stdout);
    assert!(
        after.contains(&format!("{known} applied, 0 pending")),
        "{after}"
    );
    let again = text(&cli(&url, &["migrate"], &[]).stdout);
    assert!(again.contains("0 migrations applied"), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_organization_prints_a_key_that_works() {
    let url = fresh_database().await;
    let out = cli(&url, &["create-organization", "Acme Works"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let key = stdout
        .lines()
        .find_map(|l| l.strip_prefix("admin API key (shown once, keep it): "))
        .expect("a key")
        .to_string();
    let blank = cli(&url, &["create-organization", "  "], &[]);
    assert!(!blank.status.success());
    let s = Server::start(&url).await;
    let id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("created organization "))
        .and_then(|l| l.split_once(' '))
        .map(|(id, name)| {
            assert_eq!(name, "(Acme Works)");
            id.to_string()
        })
        .expect("the organization's id");
    let r = post_as(&s.addr, &key, "{ me { name organizationId } }", json!({}))
        .await
        .unwrap();
    assert_eq!(r.body["data"]["me"]["organizationId"], id, "{}", r.body);
    let wrong = post_as(&s.addr, "trv_not-a-key", "{ me { name } }", json!({}))
        .await
        .unwrap();
    assert!(wrong.body["data"]["me"].is_null(), "{}", wrong.body);
}

const CREATE: &str = "mutation($p: ID!, $q: ID!) { createRun(input: {partId: $p, procedureId: $q, autogenerateSerialNumber: true}) { run { id } } }";

/// A backup taken while runs are being created holds every run committed before it
/// started, each with all of its steps, and passes SQLite's integrity check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_writing() {
    let url = fresh_database().await;
    let dir = std::env::temp_dir().join(format!("traveler-backup-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("copy.db");
    let path_s = path.to_str().unwrap().to_string();
    if is_postgres(&url) {
        let _s = Server::start(&url).await;
        let out = cli(&url, &["backup", &path_s], &[]);
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("pg_dump"),
            "{}",
            text(&out.stderr)
        );
        assert!(!path.exists());
        return;
    }
    let s = Server::start(&url).await;
    let (part, proc_) = catalog(&s.addr, 20).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (addr, stop) = (s.addr.clone(), stop.clone());
        tokio::spawn(async move {
            let mut done = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let d = ok(&addr, CREATE, json!({"p": part, "q": proc_})).await;
                done.push((Instant::now(), id_of(&d["createRun"]["run"]["id"])));
            }
            done
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    let started = Instant::now();
    let out = {
        let (url, p) = (url.clone(), path_s.clone());
        tokio::task::spawn_blocking(move || cli(&url, &["backup", &p], &[]))
            .await
            .unwrap()
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let done = writer.await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before: HashSet<i64> = done
        .iter()
        .filter(|(at, _)| *at < started)
        .map(|(_, id)| *id)
        .collect();
    let after = done.len() - before.len();
    println!(
        "backup: {} runs committed before it, {after} during or after",
        before.len()
    );
    assert!(!before.is_empty() && after > 0, "writes did not overlap");
    check_copy(&path_s, &before).await;
    // An existing file is not overwritten.
    let again = cli(&url, &["backup", &path_s], &[]);
    assert!(!again.status.success());
    // A mistyped database path is an error, and no empty database is left there.
    let missing = dir.join("missing.db");
    let other = dir.join("other.db");
    let bad_url = format!("sqlite://{}?mode=rwc", missing.display());
    let out = cli(&bad_url, &["backup", other.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no database at"),
        "{}",
        text(&out.stderr)
    );
    assert!(!missing.exists() && !other.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

fn id_of(v: &Value) -> i64 {
    v.as_str().unwrap().parse().unwrap()
}

async fn check_copy(path: &str, committed: &HashSet<i64>) {
    let db = sea_orm::Database::connect(format!("sqlite://{path}?mode=ro"))
        .await
        .unwrap();
    let q = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql.to_string());
    let r = db
        .query_one_raw(q("PRAGMA integrity_check"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.try_get_by_index::<String>(0).unwrap(), "ok");
    let rows = db
        .query_all_raw(q(
            "SELECT r.id, (SELECT count(*) FROM run_steps s WHERE s.run_id = r.id) FROM runs r",
        ))
        .await
        .unwrap();
    let mut ids = HashSet::new();
    for r in rows {
        let id: i64 = r.try_get_by_index(0).unwrap();
        let steps: i64 = r.try_get_by_index(1).unwrap();
        assert_eq!(steps, 20, "run {id} is in the copy without all its steps");
        ids.insert(id);
    }
    let missing: Vec<_> = committed.difference(&ids).collect();
    assert!(
        missing.is_empty(),
        "committed runs missing from the copy: {missing:?}"
    );
}

/// The demo floor: every run status, every tracking and field type, a batch, nested steps
/// and dependencies; in under 5 s; and only into an empty organization.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_floor() {
    let url = fresh_database().await;
    let t = Instant::now();
    let out = cli(&url, &["demo"], &[]);
    let took = t.elapsed();
    assert!(out.status.success(), "{}", text(&out.stderr));
    println!("demo: {took:?}: {}", text(&out.stdout).trim());
    assert!(took < Duration::from_secs(5), "demo took {took:?}");
    let again = cli(&url, &["demo"], &[]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("empty organization"));
    // Into another, empty organization by id; not into one that does not exist.
    let made = text(&cli(&url, &["create-organization", "Second"], &[]).stdout);
    let second = made
        .lines()
        .find_map(|l| l.strip_prefix("created organization "))
        .and_then(|l| l.split(' ').next())
        .expect("an id")
        .to_string();
    let into = cli(&url, &["demo", "--organization", &second], &[]);
    assert!(into.status.success(), "{}", text(&into.stderr));
    assert!(text(&into.stdout).contains(&format!("organization {second} ")));
    let none = cli(&url, &["demo", "--organization", "9999"], &[]);
    assert!(text(&none.stderr).contains("no such organization"));
    let s = Server::start(&url).await;
    let d = ok(&s.addr, "{ runs(first: 100) { edges { node { status runBatchId } } } parts { edges { node { trackingType } } } procedures { edges { node { status } } } runBatches { totalCount } }", json!({})).await;
    let set = |list: &str, path: &[&str]| -> HashSet<String> {
        d[list]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| path.iter().fold(&e["node"], |v, k| &v[k]).to_string())
            .collect()
    };
    let statuses = set("runs", &["status"]);
    for st in [
        "TODO",
        "IN_PROGRESS",
        "COMPLETE",
        "PARTIAL_COMPLETE",
        "HOLD",
        "REDLINE",
        "FAILED",
        "CANCELED",
    ] {
        assert!(
            statuses.contains(&format!("\"{st}\"")),
            "no {st} run: {statuses:?}"
        );
    }
    assert_eq!(set("parts", &["trackingType"]).len(), 3);
    assert_eq!(
        set("procedures", &["status"]),
        HashSet::from(["\"RELEASED\"".to_string()])
    );
    assert_eq!(d["runBatches"]["totalCount"], 1);
    let p = ok(&s.addr, "{ procedures { edges { node { steps { parentId upstreamStepIds fields { type } steps { fields { type } } } } } } }", json!({})).await;
    let text = p.to_string();
    for ty in [
        "STRING",
        "NUMBER",
        "BOOLEAN",
        "SELECT",
        "MULTISELECT",
        "DATETIME",
        "SIGNOFF",
        "FILE_ATTACHMENT",
    ] {
        assert!(
            text.contains(&format!("\"type\":\"{ty}\"")),
            "no {ty} field"
        );
    }
    assert!(
        text.contains("\"upstreamStepIds\":[\""),
        "no dependency: {text}"
    );
}

/// `TRAVELER_LOG_FORMAT`: one line per request with its id, JSON or text, no colour
/// escapes when stderr is not a terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_formats() {
    let url = fresh_database().await;
    for format in ["json", "text"] {
        let log = std::env::temp_dir().join(format!("traveler-log-{}.txt", uuid::Uuid::new_v4()));
        let s = Server::start_with(
            &url,
            &[("TRAVELER_LOG_FORMAT", format), ("RUST_LOG", "info")],
            File::create(&log).unwrap(),
        )
        .await;
        ok(&s.addr, "query Probe { me { id } }", json!({})).await;
        drop(s);
        let out = std::fs::read_to_string(&log).unwrap();
        let _ = std::fs::remove_file(&log);
        assert!(
            !out.contains('\u{1b}'),
            "ANSI escapes in the {format} log: {out}"
        );
        let lines: Vec<&str> = out.lines().filter(|l| l.contains("Probe")).collect();
        assert_eq!(lines.len(), 1, "{out}");
        if format == "json" {
            for l in out.lines() {
                serde_json::from_str::<Value>(l).unwrap_or_else(|_| panic!("not JSON: {l}"));
            }
            let v: Value = serde_json::from_str(lines[0]).unwrap();
            assert_eq!(v["operation"], "Probe");
            assert_eq!(v["outcome"], "ok");
            assert!(
                v["span"]["request_id"]
                    .as_str()
                    .is_some_and(|r| r.len() >= 16),
                "{v}"
            );
        } else {
            assert!(lines[0].contains("request_id="), "{}", lines[0]);
            assert!(lines[0].contains("operation=Probe "), "{}", lines[0]);
            assert!(lines[0].contains("outcome=ok"), "{}", lines[0]);
        }
    }
    let bad = cli(&url, &["schema"], &[("TRAVELER_LOG_FORMAT", "xml")]);
    assert_eq!(bad.status.code(), Some(2));
}

fn metric(body: &str, name_and_labels: &str) -> Option<f64> {
    body.lines()
        .find(|l| l.starts_with(name_and_labels) && l[name_and_labels.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// `/metrics` on its own address: operations by name and outcome, latency and statement
/// histograms, pool, subscription and event-log gauges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_after_a_few_requests() {
    let url = fresh_database().await;
    let maddr = format!("127.0.0.1:{}", free_port());
    let s = Server::start_with(
        &url,
        &[("TRAVELER_METRICS", &maddr)],
        std::process::Stdio::null(),
    )
    .await;
    assert_eq!(
        get(&s.addr, "/metrics").await.unwrap().0,
        404,
        "not on the API's address"
    );
    for _ in 0..3 {
        ok(&s.addr, "query Parts { parts { totalCount } }", json!({})).await;
    }
    let write = "mutation { createPart(input: {partNumber: \"M-1\", trackingType: SERIAL}) { part { id } } }";
    ok(&s.addr, write, json!({})).await;
    let bad = post(&s.addr, "query Broken { nope }", json!({}))
        .await
        .unwrap();
    assert!(bad.body.get("errors").is_some());
    let mut ws = crate::ws_client::connect(&s.addr, KEY).await;
    ws.subscribe("a", "subscription { runsCreated { eventId } }", json!({}))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = get(&maddr, "/metrics").await.unwrap();
    assert_eq!(status, 200);
    let m = |k: &str| metric(&body, k).unwrap_or_else(|| panic!("no {k} in\n{body}"));
    assert_eq!(
        m("traveler_requests_total{operation=\"Parts\",outcome=\"ok\"}"),
        3.0
    );
    assert_eq!(
        m("traveler_requests_total{operation=\"Broken\",outcome=\"GRAPHQL_VALIDATION_FAILED\"}"),
        1.0
    );
    assert_eq!(
        m("traveler_request_duration_seconds_count{operation=\"Parts\"}"),
        3.0
    );
    assert_eq!(
        m("traveler_request_duration_seconds_bucket{operation=\"Parts\",le=\"+Inf\"}"),
        3.0
    );
    let statements = m("traveler_request_sql_statements_sum{operation=\"Parts\"}");
    assert!(statements >= 3.0, "{statements}");
    assert!(m("traveler_sql_statements_total") >= statements);
    assert!(m("traveler_db_pool_connections") >= 1.0);
    assert!(m("traveler_db_pool_max") >= 1.0);
    assert!(body.contains("traveler_db_pool_in_use "));
    assert_eq!(m("traveler_subscriptions"), 1.0);
    assert_eq!(m("traveler_subscription_connections"), 1.0);
    assert_eq!(m("traveler_event_log_lag"), 0.0);
    assert!(m("traveler_event_log_head") >= 0.0);
    assert!(body.contains("# TYPE traveler_request_duration_seconds histogram"));
    // SQLite's one writer: the mutation's turn, waited for and held.
    let turns = [
        "traveler_sqlite_turn_wait_seconds_count{turn=\"write\"}",
        "traveler_sqlite_turn_held_seconds_count{turn=\"write\"}",
    ];
    for k in turns {
        assert_eq!(
            metric(&body, k),
            url.starts_with("sqlite").then_some(1.0),
            "{k}"
        );
    }
}

/// A tiny OTLP/HTTP receiver: keeps the bodies POSTed to `/v1/traces`.
async fn otlp_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>) {
    use axum::routing::post;
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        post(move |body: axum::body::Bytes| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(body.to_vec());
                (
                    [("content-type", "application/x-protobuf")],
                    Vec::<u8>::new(),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), got)
}

/// With `OTEL_EXPORTER_OTLP_ENDPOINT`, spans of the request (with its id), the operation
/// and its SQL statements reach an OTLP/HTTP receiver (protobuf: names and string
/// attributes are in the body as they are).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otlp_traces() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = fresh_database().await;
    let (endpoint, got) = otlp_receiver().await;
    let s = Server::start_with(
        &url,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
        std::process::Stdio::null(),
    )
    .await;
    let rid = format!("otlp-{}", uuid::Uuid::new_v4().simple());
    let body = json!({"query": "query TracedParts { parts { totalCount } }"}).to_string();
    let mut c = tokio::net::TcpStream::connect(&s.addr).await.unwrap();
    let req = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer {KEY}\r\nX-Request-Id: {rid}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    c.write_all(req.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    c.read_to_end(&mut reply).await.unwrap();
    assert!(reply.starts_with(b"HTTP/1.1 200"));
    let has = |all: &[u8], s: &str| all.windows(s.len()).any(|w| w == s.as_bytes());
    let started = Instant::now();
    loop {
        let all: Vec<u8> = got.lock().unwrap().concat();
        let wanted = [
            rid.as_str(),
            "request",
            "TracedParts",
            "sql",
            "SELECT",
            "traveler",
        ];
        if wanted.iter().all(|w| has(&all, w)) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "missing {:?} in {} bytes",
            wanted.iter().filter(|w| !has(&all, w)).collect::<Vec<_>>(),
            all.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
