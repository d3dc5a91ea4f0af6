//! Issue 13, the pool: requests dropped mid-flight (a client that goes away) give their
//! connections back, and the next request is served.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

/// (connections open, idle) of the test database's pool.
fn pool(app: &TestApp) -> (u32, usize) {
    if database_url().is_some() {
        let p = app.db.get_postgres_connection_pool();
        (p.size(), p.num_idle())
    } else {
        let p = app.db.get_sqlite_connection_pool();
        (p.size(), p.num_idle())
    }
}

const HEAVY: &str = "{ runs(first: 100) { edges { node { id steps { id status fields { id value } upstreamStepIds } } } } }";
const CREATE: &str = "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id } } }";

/// 30 rounds of 16 heavy reads and 2 creations, dropped at 10% to 100% of the time one
/// heavy read takes alone: then every pooled connection is idle again (or closed) and a
/// request is answered at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_dropped_mid_flight_give_their_connections_back() {
    let app = Arc::new(app().await);
    let p = part(&app, "P", "NONE").await;
    let proc_ = chain_procedure(&app, &p, 20, true).await;
    let create = json!({"i": {"runs": [{"partId": p, "procedureId": proc_.id, "copies": 100}]}});
    app.ok(CREATE, create.clone()).await;
    let t = Instant::now();
    app.ok(HEAVY, json!({})).await;
    let alone = t.elapsed();
    let mut served = 0;
    for round in 0..30u64 {
        let mut tasks = Vec::new();
        for k in 0..18 {
            let app = app.clone();
            let body = if k < 2 {
                json!({"query": CREATE, "variables": create})
            } else {
                json!({"query": HEAVY})
            };
            tasks.push(tokio::spawn(async move { app.post_as(ADMIN, body).await }));
        }
        tokio::time::sleep(alone * (1 + (round % 10) as u32) / 10).await;
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            if let Ok(r) = t.await {
                assert!(r.body.get("errors").is_none(), "{}", r.body);
                served += 1;
            }
        }
    }
    // Connections come back as dropped statements finish: all idle within a few seconds.
    let t = Instant::now();
    while pool(&app).0 as usize != pool(&app).1 && t.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (size, idle) = pool(&app);
    eprintln!(
        "pool after 540 requests dropped at up to {alone:?} ({served} finished first): {size} open, {idle} idle after {:?}",
        t.elapsed()
    );
    assert_eq!(idle, size as usize, "connections still checked out");
    let t = Instant::now();
    let d = app
        .ok(
            "{ runs(first: 1) { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert!(d["runs"]["totalCount"].as_i64().unwrap() >= 100, "{d}");
}

/// One value of a SQLite PRAGMA, read through the app's pool.
async fn pragma(app: &TestApp, sql: &str) -> sea_orm::QueryResult {
    use sea_orm::ConnectionTrait;
    let st = sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, sql);
    app.db.query_one_raw(st).await.unwrap().expect("a row")
}

/// SQLite: commits leave the WAL to a task of its own (`store::wal`), which copies what
/// they wrote into the database file within a few of its periods; a commit checkpoints
/// only past the backstop. Without the task the file would not grow.
#[tokio::test]
async fn sqlite_wal_is_copied_back_in_the_background() {
    if database_url().is_some() {
        return; // PostgreSQL has no WAL of ours to copy.
    }
    let app = app().await;
    let backstop: i64 = pragma(&app, "PRAGMA wal_autocheckpoint")
        .await
        .try_get_by_index(0)
        .unwrap();
    assert_eq!(backstop, i64::from(traveler::store::wal::BACKSTOP_PAGES));
    let file: String = pragma(&app, "PRAGMA database_list")
        .await
        .try_get_by_index(2)
        .unwrap();
    let size = || std::fs::metadata(&file).unwrap().len();
    tokio::time::sleep(traveler::store::wal::EVERY * 5).await;
    let before = size();
    let p = part(&app, "P", "NONE").await;
    let proc_ = chain_procedure(&app, &p, 20, true).await;
    let create = json!({"i": {"runs": [{"partId": p, "procedureId": proc_.id, "copies": 100}]}});
    app.ok(CREATE, create).await;
    let t = Instant::now();
    while size() <= before {
        assert!(t.elapsed() < Duration::from_secs(5), "still {before} bytes");
        tokio::time::sleep(traveler::store::wal::EVERY).await;
    }
}
