//! Issue 13, fairness: during the largest creation one organization may make, another
//! organization's small writes all succeed; on PostgreSQL they do not wait for it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::harness::*;

async fn ok_as(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let r = app
        .post_as(token, json!({"query": query, "variables": variables}))
        .await
        .body;
    assert!(r.get("errors").is_none(), "{r}");
    r["data"].clone()
}

/// A second organization with a part and a released one-step procedure: its key, part
/// and procedure.
async fn second_org(app: &TestApp) -> (String, String, String) {
    let d = app
        .ok(
            "mutation { createOrganization(input: {name: \"B\"}) { token } }",
            json!({}),
        )
        .await;
    let b = d["createOrganization"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let q =
        "mutation { createPart(input: {partNumber: \"B-1\", trackingType: NONE}) { part { id } } }";
    let p = id(&ok_as(app, &b, q, json!({})).await["createPart"]["part"]["id"]);
    let q = "mutation($p: ID!) { createProcedure(input: {title: \"B\", partIds: [$p]}) { procedure { id } } }";
    let d = ok_as(app, &b, q, json!({"p": p})).await;
    let proc_ = id(&d["createProcedure"]["procedure"]["id"]);
    let q = "mutation($q: ID!) { createStep(input: {procedureId: $q, title: \"Only\"}) { step { id } } }";
    ok_as(app, &b, q, json!({"q": proc_})).await;
    let q = "query($q: ID!) { procedure(id: $q) { _etag } }";
    let etag = ok_as(app, &b, q, json!({"q": proc_})).await["procedure"]["_etag"].clone();
    let q = "mutation($q: ID!, $e: String!) { releaseProcedure(input: {id: $q, etag: $e}) { procedure { id } } }";
    ok_as(app, &b, q, json!({"q": proc_, "e": etag})).await;
    (b, p, proc_)
}

const SMALL: &str =
    "mutation($p: ID!, $q: ID!) { createRun(input: {partId: $p, procedureId: $q}) { run { id } } }";
const BIG: &str =
    "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runBatch { id } } }";

/// 300 copies of a 200-step procedure (240,000 rows, within the default budget) in one
/// organization while another creates runs one after another: every one of those
/// succeeds, and on PostgreSQL they finish while the big one is still writing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_organizations_writes_succeed_during_the_largest_creation() {
    let app = Arc::new(app().await);
    let (b, b_part, b_proc) = second_org(&app).await;
    let p = part(&app, "BIG", "NONE").await;
    let proc_ = chain_procedure(&app, &p, 200, true).await;
    let big_input = json!({"i": {"runs": [{"partId": p, "procedureId": proc_.id, "copies": 300}]}});
    let started = Instant::now();
    let big = {
        let app = app.clone();
        tokio::spawn(async move {
            let r = app.gql(BIG, big_input).await;
            (r, started.elapsed())
        })
    };
    // Let the big call reach its write transaction.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut latencies = Vec::new();
    let mut finished_during = 0;
    while !big.is_finished() || latencies.is_empty() {
        let t = Instant::now();
        let r = app
            .post_as(
                &b,
                json!({"query": SMALL, "variables": {"p": b_part, "q": b_proc}}),
            )
            .await
            .body;
        assert!(r.get("errors").is_none(), "after {:?}: {r}", t.elapsed());
        latencies.push(t.elapsed());
        if !big.is_finished() {
            finished_during += 1;
        }
    }
    let (r, big_took) = big.await.unwrap();
    assert!(r.get("errors").is_none(), "{r}");
    let max = latencies.iter().max().unwrap();
    let mean = latencies.iter().sum::<Duration>() / latencies.len() as u32;
    eprintln!(
        "fairness ({}): big creation {big_took:?}; {} small createRun of another organization, \
         {finished_during} done while it ran, mean {mean:?}, max {max:?}",
        if database_url().is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        latencies.len()
    );
    if database_url().is_some() {
        // PostgreSQL: nothing shared is held by the big transaction.
        assert!(
            finished_during >= 1,
            "the small writes waited for the big one"
        );
    }
}

/// SQLite: a write that waits longer than 5 s for another connection's write lock (as
/// another process's would be) still succeeds; one that waits past its request's deadline
/// is answered LIMIT_EXCEEDED, never "database is locked" as an internal error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_writers_wait_for_the_lock_up_to_the_deadline() {
    if database_url().is_some() {
        return;
    }
    let app = app().await;
    let (b, b_part, b_proc) = second_org(&app).await;
    let small = json!({"query": SMALL, "variables": {"p": b_part, "q": b_proc}});
    let held = hold(&app, 6).await;
    let t = Instant::now();
    let r = app.post_as(&b, small.clone()).await.body;
    assert!(r.get("errors").is_none(), "after {:?}: {r}", t.elapsed());
    assert!(t.elapsed() >= Duration::from_secs(5), "{:?}", t.elapsed());
    held.await.unwrap();
    let short = app
        .with_limits(traveler::config::Limits {
            request_timeout: Duration::from_secs(2),
            ..Default::default()
        })
        .await;
    let held = hold(&app, 4).await;
    let t = Instant::now();
    let r = short.post_as(&b, small.clone()).await.body;
    assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{r}");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    held.await.unwrap();
    // The connection that waited is back in the pool, and writes go on.
    let r = app.post_as(&b, small).await.body;
    assert!(r.get("errors").is_none(), "{r}");
}

/// Takes SQLite's write lock on a connection of its own and lets it go after `secs`.
async fn hold(app: &TestApp, secs: u64) -> tokio::task::JoinHandle<()> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    let opts = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    let txn = app.db.begin_with_options(opts).await.expect("write lock");
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(secs)).await;
        txn.rollback().await.expect("release");
    })
}

/// SQLite: while a write runs or waits, queries take one of `TRAVELER_SQLITE_READERS`
/// turns; without pending writes they are not bounded. With the one readers' turn held, a
/// query goes on while no write is pending, waits up to its deadline (LIMIT_EXCEEDED)
/// while one is, and a mutation, which takes the writers' turn instead, goes on.
/// PostgreSQL, and a bound of 0, have no readers' turns.
#[tokio::test]
async fn sqlite_queries_take_a_readers_turn_while_writes_are_pending() {
    let app = app_with(traveler::config::Limits {
        sqlite_readers: 1,
        request_timeout: Duration::from_secs(1),
        ..Default::default()
    })
    .await;
    let unbounded = app
        .with_limits(traveler::config::Limits {
            sqlite_readers: 0,
            ..Default::default()
        })
        .await;
    assert!(unbounded.state.readers.is_none());
    let (Some(readers), Some(writers)) = (app.state.readers.clone(), app.state.writers.clone())
    else {
        assert!(database_url().is_some(), "SQLite has a readers' bound");
        return;
    };
    let read = json!({"query": "{ parts(first: 1) { edges { node { id } } } }"});
    let read_turn = readers.clone().acquire_owned().await.unwrap();
    let r = app.post_as(ADMIN, read.clone()).await.body;
    assert!(r.get("errors").is_none(), "no write pending: {r}");
    let write_turn = writers.clone().acquire_owned().await.unwrap();
    let t = Instant::now();
    let r = app.post_as(ADMIN, read.clone()).await.body;
    assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{r}");
    assert!(t.elapsed() >= Duration::from_secs(1), "{:?}", t.elapsed());
    drop(write_turn);
    let write = json!({"query": "mutation { createPart(input: {partNumber: \"R-1\", trackingType: SERIAL}) { part { id } } }"});
    let r = app.post_as(ADMIN, write).await.body;
    assert!(r.get("errors").is_none(), "{r}");
    drop(read_turn);
    let write_turn = writers.clone().acquire_owned().await.unwrap();
    let r = app.post_as(ADMIN, read).await.body;
    assert!(r.get("errors").is_none(), "a turn is free: {r}");
    drop(write_turn);
    assert_eq!(readers.available_permits(), 1);
}
