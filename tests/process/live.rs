//! Subscriptions across processes: a change made through one server process reaches a
//! subscriber on another (PostgreSQL: LISTEN/NOTIFY; SQLite: both poll the shared file).

use std::time::Duration;

use serde_json::json;

use crate::client::*;
use crate::ws_client;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_process_reaches_a_subscriber_on_another() {
    let url = fresh_database().await;
    let a = Server::start(&url).await;
    let b = Server::start(&url).await;
    let (part, proc_) = catalog(&a.addr, 2).await;
    let d = ok(&a.addr, "mutation($p: ID!, $q: ID!) { createBatchedRun(input: {runs: [{partId: $p, procedureId: $q, autogenerateSerialNumber: true, copies: 2}]}) { runs { id steps { id _etag } } } }", json!({"p": part, "q": proc_})).await;
    let runs = d["createBatchedRun"]["runs"].as_array().unwrap().clone();
    let mut ws = ws_client::connect(&b.addr, KEY).await;
    ws.subscribe(
        "r",
        "subscription($id: ID!) { runChanged(id: $id) { eventId action run { id steps { status } } } }",
        json!({"id": runs[1]["id"]}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let step = &runs[0]["steps"][0];
    let started = std::time::Instant::now();
    ok(&a.addr, "mutation($s: ID!, $e: String!) { updateRunStep(input: {id: $s, etag: $e, status: IN_PROGRESS}) { runStep { id } } }", json!({"s": step["id"], "e": step["_etag"]})).await;
    let e = ws.next("r").await;
    println!(
        "cross-process delivery: {} ms",
        started.elapsed().as_millis()
    );
    let e = &e["data"]["runChanged"];
    assert_eq!(e["action"], "updateRunStep", "{e}");
    assert_eq!(e["run"]["id"], runs[1]["id"]);
    assert_eq!(e["run"]["steps"][0]["status"], "IN_PROGRESS");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The benchmark of issue 11: 1,000 subscribers (`runChanged`, 10 on each run) to one
/// batch of 100 runs; one step action propagated to the batch. Time from sending the
/// mutation (an upper bound of its commit) to delivery on every socket, and the server's
/// RSS. `bench/live.sh` runs it in release mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: bench/live.sh"]
async fn bench_1000_subscribers_one_batch_of_100() {
    const SUBSCRIBERS: usize = 1000;
    let url = fresh_database().await;
    let srv = Server::start(&url).await;
    let (part, proc_) = catalog(&srv.addr, 3).await;
    let d = ok(&srv.addr, "mutation($p: ID!, $q: ID!) { createBatchedRun(input: {runs: [{partId: $p, procedureId: $q, autogenerateSerialNumber: true, copies: 100}]}) { runs { id steps { id _etag } } } }", json!({"p": part, "q": proc_})).await;
    let runs = d["createBatchedRun"]["runs"].as_array().unwrap().clone();
    let rss_idle = rss_mb(srv.child.id());
    let mut sockets = Vec::with_capacity(SUBSCRIBERS);
    for i in 0..SUBSCRIBERS {
        let mut ws = ws_client::connect(&srv.addr, KEY).await;
        ws.subscribe(
            "r",
            "subscription($id: ID!) { runChanged(id: $id) { eventId run { id status steps { id status } } } }",
            json!({"id": runs[i % runs.len()]["id"]}),
        )
        .await;
        sockets.push(ws);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_subscribed = rss_mb(srv.child.id());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for mut ws in sockets {
        let tx = tx.clone();
        tokio::spawn(async move {
            let e = ws.next("r").await;
            let ok = e["data"]["runChanged"]["run"]["steps"][0]["status"] == "IN_PROGRESS";
            let _ = tx.send((std::time::Instant::now(), ok));
            ws
        });
    }
    drop(tx);
    let step = &runs[0]["steps"][0];
    let sent = std::time::Instant::now();
    ok(&srv.addr, "mutation($s: ID!, $e: String!) { updateRunStep(input: {id: $s, etag: $e, status: IN_PROGRESS}) { runStep { id } } }", json!({"s": step["id"], "e": step["_etag"]})).await;
    let answered = sent.elapsed().as_secs_f64() * 1e3;
    let mut ms = Vec::new();
    while let Some((at, fresh)) = rx.recv().await {
        assert!(fresh, "an event with the old state");
        ms.push(at.duration_since(sent).as_secs_f64() * 1e3);
    }
    let rss_peak = rss_mb(srv.child.id());
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(ms.len(), SUBSCRIBERS, "every subscriber got its event");
    println!(
        "live bench: {SUBSCRIBERS} subscribers, batch of {} runs, one step action: mutation answered in {answered:.0} ms; delivery p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; server RSS idle {rss_idle:.0} MB, {SUBSCRIBERS} subscribed {rss_subscribed:.0} MB, after delivery {rss_peak:.0} MB",
        runs.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms[ms.len() - 1],
    );
}

/// SIGTERM: subscription sockets are closed with 1001 (going away), then the process exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_subscription_sockets_with_1001() {
    let url = fresh_database().await;
    let mut srv = Server::start(&url).await;
    let mut ws = ws_client::connect(&srv.addr, KEY).await;
    ws.subscribe("c", "subscription { runsCreated { eventId } }", json!({}))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    srv.signal("TERM");
    assert_eq!(ws.close_code().await, Some(1001));
    assert_eq!(srv.wait(), Some(0));
}
