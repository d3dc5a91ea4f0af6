//! ION's part status: a new part is RELEASED; archiving it (updatePart) stops new units and
//! lots of it, while existing ones and runs on them carry on; it can be released again.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::harness::*;

const UPDATE: &str =
    "mutation($i: UpdatePartInput!) { updatePart(input: $i) { part { id _etag status } } }";
const NEW_UNIT: &str = "mutation($i: CreatePartInventoryInput!) { createPartInventory(input: $i) { partInventory { id } } }";
const CREATE_RUN: &str =
    "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id partInventoryId } } }";
const CREATE_RUNS: &str =
    "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id } } }";
const BATCHED: &str =
    "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runs { id } } }";

async fn set_status(app: &TestApp, part: &str, status: &str) -> Value {
    let d = app
        .ok(
            "query($id: ID!) { part(id: $id) { _etag } }",
            json!({"id": part}),
        )
        .await;
    let etag = d["part"]["_etag"].clone();
    let d = app
        .ok(
            UPDATE,
            json!({"i": {"id": part, "etag": etag, "status": status}}),
        )
        .await;
    d["updatePart"]["part"].clone()
}

async fn inventory_count(app: &TestApp) -> i64 {
    let d = app
        .ok("{ partInventories { totalCount } }", json!({}))
        .await;
    d["partInventories"]["totalCount"].as_i64().unwrap()
}

/// Asserts `e` is one BAD_USER_INPUT at `field` saying the part is archived.
fn refused_at(e: &Value, field: Value) {
    assert_eq!(codes(e), ["BAD_USER_INPUT"], "{e}");
    assert_eq!(e["errors"][0]["extensions"]["field"], field, "{e}");
    let msg = e["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("ARCHIVED"), "{e}");
}

#[tokio::test]
async fn a_new_part_is_released_and_can_be_archived_and_released_again() {
    let app = app().await;
    let d = app
        .ok(
            "mutation { createPart(input: {partNumber: \"P-1\"}) { part { id status } } }",
            json!({}),
        )
        .await;
    let p = d["createPart"]["part"]["id"].as_str().unwrap().to_string();
    assert_eq!(d["createPart"]["part"]["status"], "RELEASED");
    let other = part(&app, "P-2", "NONE").await;
    assert_eq!(set_status(&app, &p, "ARCHIVED").await["status"], "ARCHIVED");
    // Lists filter on it.
    let q =
        "query($s: PartStatus!) { parts(filters: {status: {eq: $s}}) { edges { node { id } } } }";
    let archived = app.ok(q, json!({"s": "ARCHIVED"})).await;
    assert_eq!(archived["parts"]["edges"], json!([{"node": {"id": p}}]));
    let released = app.ok(q, json!({"s": "RELEASED"})).await;
    assert_eq!(released["parts"]["edges"], json!([{"node": {"id": other}}]));
    assert_eq!(set_status(&app, &p, "RELEASED").await["status"], "RELEASED");
    // Each change is audited.
    let log = app
        .ok(
            "query($p: ID!) { events(filters: {entity: {eq: \"Part\"}, entityId: {eq: $p}, action: {eq: \"updatePart\"}}) { edges { node { change } } } }",
            json!({"p": p}),
        )
        .await;
    let changes = log["events"]["edges"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{log}");
    assert!(
        changes[0]["node"]["change"]
            .to_string()
            .contains("ARCHIVED"),
        "{log}"
    );
}

#[tokio::test]
async fn an_archived_part_gets_no_new_inventory() {
    let app = app().await;
    let p = part(&app, "ARCH-1", "SERIAL").await;
    let proc = chain_procedure(&app, &p, 1, true).await;
    let unit = app
        .ok(
            NEW_UNIT,
            json!({"i": {"partId": p, "serialNumber": "SN-1"}}),
        )
        .await;
    let unit = unit["createPartInventory"]["partInventory"]["id"].clone();
    set_status(&app, &p, "ARCHIVED").await;
    let before = inventory_count(&app).await;

    let e = app
        .gql(
            NEW_UNIT,
            json!({"i": {"partId": p, "serialNumber": "SN-2"}}),
        )
        .await;
    refused_at(&e, json!(["input", "partId"]));
    let new_run = json!({"partId": p, "procedureId": proc.id, "autogenerateSerialNumber": true});
    let e = app.gql(CREATE_RUN, json!({"i": new_run})).await;
    refused_at(&e, json!(["input", "partId"]));
    let e = app
        .gql(CREATE_RUNS, json!({"i": {"runs": [new_run]}}))
        .await;
    refused_at(&e, json!(["input", "runs", 0, "partId"]));
    let e = app.gql(BATCHED, json!({"i": {"runs": [new_run]}})).await;
    refused_at(&e, json!(["input", "runs", 0, "partId"]));
    let named = json!({"partId": p, "procedureId": proc.id, "serialNumber": "SN-3"});
    let e = app.gql(CREATE_RUN, json!({"i": named})).await;
    refused_at(&e, json!(["input", "partId"]));
    // Refusals change nothing.
    assert_eq!(inventory_count(&app).await, before);
    let runs = app.ok("{ runs { totalCount } }", json!({})).await;
    assert_eq!(runs["runs"]["totalCount"], 0);

    // Existing inventory is unaffected: a run on an existing unit still starts.
    let d = app
        .ok(
            CREATE_RUN,
            json!({"i": {"partInventoryId": unit, "procedureId": proc.id}}),
        )
        .await;
    assert_eq!(d["createRun"]["run"]["partInventoryId"], unit);

    // Released again, it takes new units.
    set_status(&app, &p, "RELEASED").await;
    app.ok(
        NEW_UNIT,
        json!({"i": {"partId": p, "serialNumber": "SN-2"}}),
    )
    .await;
    app.ok(CREATE_RUN, json!({"i": new_run})).await;
}
