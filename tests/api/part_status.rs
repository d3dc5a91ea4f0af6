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
    // ION's lower-case word, as its clients send it.
    assert_eq!(set_status(&app, &p, "archived").await["status"], "ARCHIVED");
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

const NEW_SUBTYPE: &str = "mutation($i: CreatePartSubtypeInput!) { createPartSubtype(input: $i) { partSubtype { id name description createdById updatedById } } }";
const ADD_SUBTYPE: &str = "mutation($i: AddSubtypeToPartInput!) { addSubtypeToPart(input: $i) { part { id partSubtypes { id name } } } }";

async fn subtype(app: &TestApp, name: &str) -> String {
    let d = app.ok(NEW_SUBTYPE, json!({"i": {"name": name}})).await;
    d["createPartSubtype"]["partSubtype"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Subtypes are made once per organization and attached to parts; `Part.partSubtypes`
/// lists them; both mutations are audited.
#[tokio::test]
async fn part_subtypes_are_made_and_attached() {
    let app = app().await;
    let me = app.ok("{ me { id } }", json!({})).await["me"]["id"].clone();
    let d = app
        .ok(
            NEW_SUBTYPE,
            json!({"i": {"name": "Fastener", "description": "Screws, bolts"}}),
        )
        .await;
    let s = &d["createPartSubtype"]["partSubtype"];
    assert_eq!(s["description"], "Screws, bolts");
    assert_eq!((&s["createdById"], &s["updatedById"]), (&me, &me));
    let fastener = s["id"].clone();
    let bracket = subtype(&app, "Bracket").await;
    let taken = app
        .gql(NEW_SUBTYPE, json!({"i": {"name": "Fastener"}}))
        .await;
    assert_eq!(codes(&taken), ["BAD_USER_INPUT"]);
    assert_eq!(
        taken["errors"][0]["extensions"]["field"],
        json!(["input", "name"])
    );

    let p = part(&app, "SUB-1", "NONE").await;
    for s in [&fastener, &json!(bracket), &fastener] {
        app.ok(ADD_SUBTYPE, json!({"i": {"partId": p, "partSubtypeId": s}}))
            .await;
    }
    let d = app
        .ok(
            "query($id: ID!) { part(id: $id) { partSubtypes { id name } } }",
            json!({"id": p}),
        )
        .await;
    assert_eq!(
        d["part"]["partSubtypes"],
        json!([{"id": fastener, "name": "Fastener"}, {"id": bracket, "name": "Bracket"}])
    );
    let log = app
        .ok(
            "{ events(filters: {action: {in: [\"createPartSubtype\", \"addSubtypeToPart\"]}}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(log["events"]["totalCount"], 5, "{log}");
}

/// Another organization's part or subtype does not exist for the caller.
#[tokio::test]
async fn another_organizations_subtypes_and_parts_are_not_found() {
    let app = app().await;
    let b = other_organization(&app).await;
    let theirs = app
        .post_as(
            &b,
            json!({"query": NEW_SUBTYPE, "variables": {"i": {"name": "Theirs"}}}),
        )
        .await
        .body;
    let theirs = theirs["data"]["createPartSubtype"]["partSubtype"]["id"].clone();
    let mine = subtype(&app, "Theirs").await; // names are unique per organization only
    let p = part(&app, "SUB-2", "NONE").await;
    let e = app
        .gql(
            ADD_SUBTYPE,
            json!({"i": {"partId": p, "partSubtypeId": theirs}}),
        )
        .await;
    assert_eq!(codes(&e), ["NOT_FOUND"]);
    assert_eq!(
        e["errors"][0]["extensions"]["field"],
        json!(["input", "partSubtypeId"])
    );
    let their_part = app
        .post_as(
            &b,
            json!({"query": "mutation { createPart(input: {partNumber: \"X\"}) { part { id } } }"}),
        )
        .await
        .body;
    let their_part = their_part["data"]["createPart"]["part"]["id"].clone();
    let e = app
        .gql(
            ADD_SUBTYPE,
            json!({"i": {"partId": their_part, "partSubtypeId": mine}}),
        )
        .await;
    assert_eq!(codes(&e), ["NOT_FOUND"]);
    assert_eq!(
        e["errors"][0]["extensions"]["field"],
        json!(["input", "partId"])
    );
    let d = app
        .ok(
            "query($id: ID!) { part(id: $id) { partSubtypes { id } } }",
            json!({"id": p}),
        )
        .await;
    assert_eq!(d["part"]["partSubtypes"], json!([]));
}

/// `partSubtypes` on a list of parts is read in a fixed number of statements.
#[tokio::test]
async fn part_subtypes_of_a_list_cost_no_statement_per_part() {
    let app = app().await;
    let s = subtype(&app, "Fastener").await;
    for i in 0..20 {
        let p = part(&app, &format!("L-{i}"), "NONE").await;
        app.ok(ADD_SUBTYPE, json!({"i": {"partId": p, "partSubtypeId": s}}))
            .await;
    }
    let count = |sel: &'static str| {
        let app = &app;
        async move {
            let q = format!("{{ parts(first: 20) {{ edges {{ node {{ id {sel} }} }} }} }}");
            let (d, n) = app.ok_counted(&q).await;
            let edges = d["parts"]["edges"].as_array().unwrap().clone();
            assert_eq!(edges.len(), 20);
            (n, edges)
        }
    };
    let (plain, _) = count("").await;
    let (with, edges) = count("partSubtypes { id name }").await;
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["partSubtypes"][0]["id"] == json!(s))
    );
    // The links, then the subtypes.
    assert_eq!(with, plain + 2, "plain {plain}, with partSubtypes {with}");
}
