//! Issue 13: budgets enforced while running: fields (fragment fan-out counted), rows read,
//! one deadline per HTTP request.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use traveler::config::Limits;

use crate::fixtures::*;
use crate::harness::*;

/// `{...F0}` where each fragment spreads the next twice: 2^levels `__typename`s in 1 KB.
fn fragment_bomb(levels: usize) -> String {
    let mut q = String::from("query { ...F0 }\n");
    for i in 0..levels {
        q.push_str(&format!(
            "fragment F{i} on Query {{ ...F{n} ...F{n} }}\n",
            n = i + 1
        ));
    }
    q.push_str(&format!("fragment F{levels} on Query {{ __typename }}\n"));
    q
}

/// Resident memory of this process, in MB (Linux).
fn rss_mb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4096 / (1024 * 1024)
}

fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn the_fragment_bomb_is_refused_fast_with_memory_flat() {
    let app = app().await;
    let q = fragment_bomb(30);
    assert!(q.len() < 1500);
    let before = rss_mb();
    let t = Instant::now();
    let r = app.gql(&q, json!({})).await;
    let took = t.elapsed();
    assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{r}");
    assert!(message(&r).contains(&(1u64 << 30).to_string()), "{r}");
    assert!(message(&r).contains("TRAVELER_MAX_FIELDS"), "{r}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert!(rss_mb() < before + 50, "RSS {before} -> {} MB", rss_mb());
    // Under the budget, fragments still work, and spreads nested past 64 are refused.
    let r = app.gql(&fragment_bomb(4), json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
    let r = app.gql(&fragment_bomb(70), json!({})).await;
    assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{r}");
}

/// Three runs of a 10-step procedure: 3 runs, 30 steps, 60 fields.
async fn three_runs(app: &TestApp) -> Vec<String> {
    let p = part(app, "P", "NONE").await;
    let proc_ = chain_procedure(app, &p, 10, true).await;
    let d = app
        .ok(
            "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id } } }",
            json!({"i": {"runs": [{"partId": p, "procedureId": proc_.id, "copies": 3}]}}),
        )
        .await;
    d["createRuns"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| id(&r["id"]))
        .collect()
}

const ALL_FIELDS: &str = "{ runs { edges { node { id steps { id fields { id value } } } } } }";

#[tokio::test]
async fn fields_resolved_are_counted_while_executing() {
    let app = app().await;
    three_runs(&app).await;
    // The document has 9 fields; resolved, with list items, far more.
    let small = app
        .with_limits(Limits {
            fields: 100,
            ..Limits::default()
        })
        .await;
    let r = small.gql(ALL_FIELDS, json!({})).await;
    assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{r}");
    assert!(message(&r).contains("100 fields"), "{r}");
    assert!(r["data"].is_null(), "the operation is stopped: {r}");
    let r = small
        .gql("{ runs { edges { node { id } } } }", json!({}))
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    // The default budget serves it.
    let r = app.gql(ALL_FIELDS, json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
}

#[tokio::test]
async fn rows_read_are_counted_per_http_request() {
    let app = app().await;
    let runs = three_runs(&app).await;
    let small = app
        .with_limits(Limits {
            rows_read: 80,
            ..Limits::default()
        })
        .await;
    // 3 runs + 3 x (10 steps, 20 fields): 93 rows (the steps' edges are not read).
    let r = small.gql(ALL_FIELDS, json!({})).await;
    assert!(
        codes(&r).iter().all(|c| c == "LIMIT_EXCEEDED") && !codes(&r).is_empty(),
        "{r}"
    );
    assert!(message(&r).contains("TRAVELER_MAX_ROWS_READ"), "{r}");
    assert!(message(&r).contains("budget is 80 rows"), "{r}");
    // One run's steps: 1 + 30 rows.
    let one = json!({"query": "query($id: ID!) { run(id: $id) { steps { id } } }", "variables": {"id": runs[0]}});
    let r = small.post_as(ADMIN, one.clone()).await.body;
    assert!(r.get("errors").is_none(), "{r}");
    // The budget is the HTTP request's: the third operation of a batch passes it.
    let batch = small.post_as(ADMIN, json!([one, one, one])).await.body;
    let answers = batch.as_array().expect("batch answer");
    assert!(
        answers[..2].iter().all(|a| a.get("errors").is_none()),
        "{batch}"
    );
    assert_eq!(codes(&answers[2]), ["LIMIT_EXCEEDED"], "{batch}");
}

#[tokio::test]
async fn one_deadline_covers_every_operation_of_a_batch() {
    let app = app().await;
    let p = part(&app, "P", "NONE").await;
    let proc_ = chain_procedure(&app, &p, 20, true).await;
    app.ok(
        "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id } } }",
        json!({"i": {"runs": [{"partId": p, "procedureId": proc_.id, "copies": 100}]}}),
    )
    .await;
    let timeout = Duration::from_secs(1);
    let short = app
        .with_limits(Limits {
            request_timeout: timeout,
            ..Limits::default()
        })
        .await;
    let heavy = json!({"query": "{ runs(first: 100) { edges { node { steps { id status fields { id value } } } } } }"});
    // Alone, one operation is within the deadline.
    let t = Instant::now();
    let r = short.post_as(ADMIN, heavy.clone()).await.body;
    assert!(r.get("errors").is_none(), "{r}");
    let one = t.elapsed();
    // Enough of them that together they cannot be.
    let n = ((2 * timeout.as_millis()) / one.as_millis().max(1) + 2).min(25) as usize;
    let t = Instant::now();
    let batch = short
        .post_as(ADMIN, Value::Array(vec![heavy; n]))
        .await
        .body;
    let took = t.elapsed();
    let answers = batch.as_array().expect("batch answer");
    assert_eq!(
        codes(&answers[n - 1]),
        ["LIMIT_EXCEEDED"],
        "{n} ops, one took {one:?}"
    );
    assert!(
        took < timeout + one + Duration::from_millis(500),
        "took {took:?}"
    );
}

#[tokio::test]
async fn list_filters_are_bounded_with_coded_errors() {
    let app = app().await;
    part(&app, "B_1", "NONE").await;
    part(&app, "BX1", "NONE").await;
    let q = "query($f: PartsInputFilters) { parts(filters: $f) { edges { node { partNumber } } } }";
    let ids = |n: usize| (1..=n).map(|i| i.to_string()).collect::<Vec<_>>();
    // 40,000 ids were a database error (too many SQL variables on SQLite).
    for n in [40_000, 1001] {
        let r = app.gql(q, json!({"f": {"id": {"in": ids(n)}}})).await;
        assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{n}: {}", message(&r));
        assert!(
            message(&r).contains(&format!("{n} values; at most 1000")),
            "{r}"
        );
    }
    let r = app.gql(q, json!({"f": {"id": {"in": ids(1000)}}})).await;
    assert!(r.get("errors").is_none(), "{r}");
    let r = app
        .gql(
            q,
            json!({"f": {"partNumber": {"ilike": "%".repeat(50_000)}}}),
        )
        .await;
    assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{r}");
    // A trailing escape was a database error on PostgreSQL.
    let r = app
        .gql(q, json!({"f": {"partNumber": {"ilike": "b\\"}}}))
        .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    // `\` escapes a wildcard the same way on both databases.
    let r = app
        .ok(q, json!({"f": {"partNumber": {"ilike": "b\\_%"}}}))
        .await;
    assert_eq!(
        r["parts"]["edges"],
        json!([{"node": {"partNumber": "B_1"}}])
    );
    let r = app
        .ok(q, json!({"f": {"partNumber": {"ilike": "b_%"}}}))
        .await;
    assert_eq!(r["parts"]["edges"].as_array().map(Vec::len), Some(2));
}

const HUNDRED: &str = "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id } } }";

/// 100 copies of a 10-step procedure write 100 runs, 1,000 steps, 2,000 fields and 900
/// dependencies: 4,000 rows, counted before anything is written.
#[tokio::test]
async fn rows_written_are_counted_before_writing() {
    let app = app().await;
    let p = part(&app, "P", "NONE").await;
    let proc_ = chain_procedure(&app, &p, 10, true).await;
    let input = |validate_only: bool| json!({"i": {"runs": [{"partId": p, "procedureId": proc_.id, "copies": 100}], "validateOnly": validate_only}});
    let tight = app
        .with_limits(Limits {
            rows_written: 3_999,
            ..Limits::default()
        })
        .await;
    for validate_only in [true, false] {
        let t = Instant::now();
        let r = tight.gql(HUNDRED, input(validate_only)).await;
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{r}");
        let m = message(&r);
        assert!(
            m.contains(
                "would write 4000 rows (100 runs, 1000 steps, 2000 fields, 900 dependencies)"
            ),
            "{m}"
        );
        assert!(m.contains("budget is 3999 rows"), "{m}");
        assert!(m.contains("TRAVELER_MAX_ROWS_WRITTEN"), "{m}");
    }
    let d = app.ok("{ runs { totalCount } }", json!({})).await;
    assert_eq!(d["runs"]["totalCount"], 0, "nothing was written");
    // At the budget exactly, the call is served.
    let exact = app
        .with_limits(Limits {
            rows_written: 4_000,
            ..Limits::default()
        })
        .await;
    let r = exact.gql(HUNDRED, input(false)).await;
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(
        r["data"]["createRuns"]["runs"].as_array().unwrap().len(),
        100
    );
}

/// A query whose values add up past the response budget is stopped while it executes;
/// the budget is the HTTP request's, so a batch's operations share it.
#[tokio::test]
async fn responses_are_bounded_in_bytes() {
    let app = app().await;
    let p = part(&app, "P", "NONE").await;
    let pid = app
        .ok(
            "mutation($i: CreateProcedureInput!) { createProcedure(input: $i) { procedure { id } } }",
            json!({"i": {"title": "Big text", "partIds": [p]}}),
        )
        .await["createProcedure"]["procedure"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let content = "x".repeat(50_000);
    for i in 0..4 {
        app.ok(
            "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
            json!({"i": {"procedureId": pid, "title": format!("S{i}"), "content": content}}),
        )
        .await;
    }
    let small = app
        .with_limits(Limits {
            response_bytes: 120_000,
            ..Limits::default()
        })
        .await;
    let q = json!({"query": "query($id: ID!) { procedure(id: $id) { steps { content } } }", "variables": {"id": pid}});
    let r = small.post_as(ADMIN, q.clone()).await.body;
    assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{}", message(&r));
    assert!(message(&r).contains("TRAVELER_MAX_RESPONSE_BYTES"), "{r}");
    assert!(message(&r).contains("120000 bytes"), "{r}");
    assert!(r["data"].is_null(), "the operation is stopped");
    // The default budget serves it.
    let r = app.post_as(ADMIN, q.clone()).await.body;
    assert!(r.get("errors").is_none(), "{}", message(&r));
    // One 200 KB answer fits a 250 KB budget; two in one batch do not.
    let tight = app
        .with_limits(Limits {
            response_bytes: 250_000,
            ..Limits::default()
        })
        .await;
    let r = tight.post_as(ADMIN, q.clone()).await.body;
    assert!(r.get("errors").is_none(), "{}", message(&r));
    let batch = tight.post_as(ADMIN, json!([q, q])).await.body;
    let answers = batch.as_array().expect("a batch answer");
    assert!(answers[0].get("errors").is_none(), "{batch}");
    assert_eq!(
        codes(&answers[1]),
        ["LIMIT_EXCEEDED"],
        "{}",
        message(&answers[1])
    );
    assert!(message(&answers[1]).contains("TRAVELER_MAX_RESPONSE_BYTES"));
}
