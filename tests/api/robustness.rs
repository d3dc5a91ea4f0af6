//! Bad input never breaks the server: random CreateRunInput values and random documents
//! always get a 2xx/4xx with a coded error, never a 5xx or a panic.

use axum::body::Body;
use axum::http::Request;
use proptest::prelude::*;
use serde_json::{Value, json};
use traveler::config::Limits;

use crate::harness::*;

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        Just(json!("2026-02-30")),
        Just(json!("x".repeat(10_000))),
        Just(json!(["a", 1, null])),
        Just(json!({"nested": {"deep": true}})),
    ]
}

fn create_run_input() -> impl Strategy<Value = Value> {
    let keys = [
        "partId",
        "procedureId",
        "partInventoryId",
        "title",
        "autogenerateTitle",
        "trackingType",
        "serialNumber",
        "autogenerateSerialNumber",
        "lotNumber",
        "autogenerateLotNumber",
        "quantity",
        "dueDate",
        "exportControlled",
        "assignedToId",
        "assignedTeamId",
        "attributes",
        "copies",
        "idempotencyKey",
        "unknownField",
    ];
    prop::collection::vec((prop::sample::select(keys.to_vec()), scalar()), 0..8)
        .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

fn document() -> impl Strategy<Value = String> {
    prop_oneof![
        "[{}()a-zA-Z:$!@ \n\"]{0,80}",
        Just("{ runs(first: -5) { totalCount } }".to_string()),
        Just("{ runs(first: 2147483647) { totalCount } }".to_string()),
        Just("query { run(id: \"99999999999999999999999\") { id } }".to_string()),
        Just("{ runs(filters: {dueDate: {lt: \"not a date\"}}) { totalCount } }".to_string()),
        Just("{ runs(after: \"garbage\") { totalCount } }".to_string()),
        Just(
            "mutation { createRun(input: {partId: \"abc\", copies: 100000}) { run { id } } }"
                .to_string()
        ),
        Just("{ __typename ".repeat(50)),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn assert_handled(status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(
        status < 500,
        "status {status}: {}",
        String::from_utf8_lossy(body)
    );
    let v: Value =
        serde_json::from_slice(body).map_err(|e| TestCaseError::fail(format!("not JSON: {e}")))?;
    if let Some(errors) = v.get("errors") {
        for e in errors.as_array().unwrap() {
            prop_assert!(
                e["extensions"]["code"].is_string(),
                "error without a code: {e}"
            );
            prop_assert!(e["extensions"]["code"] != "INTERNAL_SERVER_ERROR", "{e}");
        }
    }
    Ok(())
}

#[test]
fn random_create_run_inputs_are_refused_cleanly() {
    let rt = runtime();
    let app = rt.block_on(app());
    let config = proptest::test_runner::Config {
        cases: 96,
        ..Default::default()
    };
    proptest!(config, |(input in create_run_input())| {
        let body = json!({"query": "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }", "variables": {"i": input}});
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {ADMIN}"))
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, _, bytes) = rt.block_on(app.send(req));
        assert_handled(status.as_u16(), &bytes)?;
    });
}

#[test]
fn random_documents_are_refused_cleanly() {
    let rt = runtime();
    let app = rt.block_on(app());
    let config = proptest::test_runner::Config {
        cases: 128,
        ..Default::default()
    };
    proptest!(config, |(doc in document(), raw in any::<bool>())| {
        let body = if raw { doc.clone() } else { json!({"query": doc}).to_string() };
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {ADMIN}"))
            .body(Body::from(body))
            .unwrap();
        let (status, _, bytes) = rt.block_on(app.send(req));
        assert_handled(status.as_u16(), &bytes)?;
    });
}

#[tokio::test]
async fn timeouts_and_introspection_are_configurable() {
    // A request over the time limit is stopped, and what it was writing is rolled back.
    let app = app().await;
    let part = crate::fixtures::part(&app, "P", "SERIAL").await;
    let proc_ = crate::fixtures::chain_procedure(&app, &part, 20, true).await;
    let hasty = app
        .with_limits(Limits {
            request_timeout: std::time::Duration::from_millis(1),
            ..Limits::default()
        })
        .await;
    let slow = "mutation($p: ID!, $q: ID!) { createRuns(input: {runs: [{partId: $p, procedureId: $q, autogenerateSerialNumber: true, copies: 200}]}) { runs { id } } }";
    let r = hasty.gql(slow, json!({"p": part, "q": proc_.id})).await;
    assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{r}");
    let count = app
        .ok(
            "{ runs { totalCount } partInventories { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(count["runs"]["totalCount"], 0);
    assert_eq!(count["partInventories"]["totalCount"], 0);
    let app = app_with(Limits {
        introspection: false,
        ..Limits::default()
    })
    .await;
    let r = app.gql("{ __schema { types { name } } }", json!({})).await;
    assert!(r["data"]["__schema"].is_null(), "{r}");
    let r = app.gql("{ runz { totalCount } }", json!({})).await;
    assert!(!r.to_string().contains("Did you mean"), "{r}");
    let app = app_with(Limits {
        bulk_inputs: 2,
        copies: 3,
        ..Limits::default()
    })
    .await;
    let many = app.gql("mutation { createRuns(input: {runs: [{partId: 1}, {partId: 1}, {partId: 1}]}) { runs { id } } }", json!({})).await;
    assert_eq!(codes(&many), ["LIMIT_EXCEEDED"]);
    let copies = app
        .gql(
            "mutation { createRun(input: {partId: 1, copies: 4}) { run { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&copies), ["LIMIT_EXCEEDED"]);
}

/// PostgreSQL cannot store U+0000 in text, so both databases refuse it up front with the
/// same answer, in variables and in literals, and nothing is created.
#[tokio::test]
async fn nul_characters_are_refused_on_every_database() {
    let app = app().await;
    let before = app.ok("{ runs { totalCount } }", json!({})).await["runs"]["totalCount"].clone();
    let vars = app
        .gql(
            "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }",
            json!({"i": {"partId": "1", "idempotencyKey": "a\u{0}b"}}),
        )
        .await;
    assert_eq!(codes(&vars), ["BAD_USER_INPUT"], "{vars}");
    let literal = app
        .gql(
            r#"mutation { createPart(input: {partNumber: "P\u0000"}) { part { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes(&literal), ["BAD_USER_INPUT"], "{literal}");
    let after = app.ok("{ runs { totalCount } }", json!({})).await;
    assert_eq!(after["runs"]["totalCount"], before);
}
