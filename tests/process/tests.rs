use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::client::*;

const CREATE: &str = "mutation($p: ID!, $q: ID!) { createRun(input: {partId: $p, procedureId: $q, autogenerateSerialNumber: true}) { run { id partInventory { serialNumber } } } }";

/// 16 clients, two server processes, one database: no duplicate serial, no lost run, no 5xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_two_processes() {
    let url = fresh_database().await;
    let a = Server::start(&url).await;
    let b = Server::start(&url).await;
    let (part, proc_) = catalog(&a.addr, 3).await;
    const CLIENTS: usize = 16;
    const EACH: usize = 8;
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let addr = if c % 2 == 0 {
            a.addr.clone()
        } else {
            b.addr.clone()
        };
        let (part, proc_) = (part.clone(), proc_.clone());
        tasks.push(tokio::spawn(async move {
            let mut serials = Vec::new();
            let mut failures = Vec::new();
            for _ in 0..EACH {
                match post(&addr, CREATE, json!({"p": part, "q": proc_})).await {
                    Ok(r) if r.status == 200 && r.body.get("errors").is_none() => serials.push(
                        r.body["data"]["createRun"]["run"]["partInventory"]["serialNumber"]
                            .as_str()
                            .unwrap()
                            .to_string(),
                    ),
                    Ok(r) => failures.push(format!("{} {}", r.status, r.body)),
                    Err(e) => failures.push(e.to_string()),
                }
            }
            (serials, failures)
        }));
    }
    let mut serials = Vec::new();
    let mut failures = Vec::new();
    for t in tasks {
        let (s, f) = t.await.unwrap();
        serials.extend(s);
        failures.extend(f);
    }
    let distinct: HashSet<&String> = serials.iter().collect();
    let total = ok(
        &b.addr,
        "{ runs { totalCount } partInventories { totalCount } }",
        json!({}),
    )
    .await;
    println!(
        "concurrency: {} runs created by {CLIENTS} clients on 2 processes, {} duplicate serials, {} errors",
        serials.len(),
        serials.len() - distinct.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(serials.len(), CLIENTS * EACH);
    assert_eq!(distinct.len(), serials.len(), "duplicate serials");
    assert_eq!(
        total["runs"]["totalCount"],
        (CLIENTS * EACH) as i64,
        "lost runs"
    );
    assert_eq!(
        total["partInventories"]["totalCount"],
        (CLIENTS * EACH) as i64
    );
}

const BATCH: &str = "mutation($p: ID!, $q: ID!) { createBatchedRun(input: {title: \"Big\", runs: [{partId: $p, procedureId: $q, autogenerateSerialNumber: true, copies: 100}]}) { runBatch { id } } }";

/// SIGKILL during a 100-run createBatchedRun leaves all of it or none of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_batch_leaves_nothing_half_done() {
    let url = fresh_database().await;
    let mut s = Server::start(&url).await;
    let (part, proc_) = catalog(&s.addr, 200).await;
    // How long one takes here, to kill the next one half-way.
    let t = Instant::now();
    ok(&s.addr, BATCH, json!({"p": part, "q": proc_})).await;
    let took = t.elapsed();
    let addr = s.addr.clone();
    let (p2, q2) = (part.clone(), proc_.clone());
    let inflight = tokio::spawn(async move { post(&addr, BATCH, json!({"p": p2, "q": q2})).await });
    tokio::time::sleep(took / 2).await;
    s.signal("KILL");
    s.wait();
    let _ = inflight.await;
    let s = Server::start(&url).await;
    let d = ok(&s.addr, "{ runs { totalCount } partInventories { totalCount } runBatches { totalCount } procedures { totalCount } parts { totalCount } }", json!({})).await;
    println!("after SIGKILL at {:?} of {:?}: {d}", took / 2, took);
    let runs = d["runs"]["totalCount"].as_i64().unwrap();
    assert!(runs == 100 || runs == 200, "partial batch: {runs} runs");
    assert_eq!(d["partInventories"]["totalCount"].as_i64().unwrap(), runs);
    assert_eq!(d["runBatches"]["totalCount"].as_i64().unwrap(), runs / 100);
    assert_eq!(d["procedures"]["totalCount"], 1);
    assert_eq!(d["parts"]["totalCount"], 1);
    // Every run that exists has all of its steps.
    let r = ok(
        &s.addr,
        "{ runs(first: 100) { edges { node { steps { id } } } } }",
        json!({}),
    )
    .await;
    for e in r["runs"]["edges"].as_array().unwrap() {
        assert_eq!(e["node"]["steps"].as_array().unwrap().len(), 200);
    }
}

/// SIGTERM lets the request in flight finish, then the process exits cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_requests_in_flight() {
    let url = fresh_database().await;
    let mut s = Server::start(&url).await;
    let (part, proc_) = catalog(&s.addr, 200).await;
    let addr = s.addr.clone();
    let inflight =
        tokio::spawn(async move { post(&addr, BATCH, json!({"p": part, "q": proc_})).await });
    tokio::time::sleep(Duration::from_millis(30)).await;
    s.signal("TERM");
    let r = inflight
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    assert_eq!(s.wait(), Some(0));
}
