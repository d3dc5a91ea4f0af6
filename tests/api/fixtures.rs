//! Catalog set-ups shared by tests, built through the API.

use serde_json::{Value, json};

use crate::harness::{TestApp, id};

pub async fn part(app: &TestApp, number: &str, tracking: &str) -> String {
    let d = app
        .ok(
            "mutation($i: CreatePartInput!) { createPart(input: $i) { part { id } } }",
            json!({"i": {"partNumber": number, "trackingType": tracking}}),
        )
        .await;
    id(&d["createPart"]["part"]["id"])
}

pub struct Proc {
    pub id: String,
    pub steps: Vec<String>,
}

/// The id of a new draft procedure titled `title`, linked to `part_id`, without steps.
pub async fn procedure(app: &TestApp, title: &str, part_id: &str) -> String {
    let d = app
        .ok(
            "mutation($i: CreateProcedureInput!) { createProcedure(input: $i) { procedure { id } } }",
            json!({"i": {"title": title, "partIds": [part_id]}}),
        )
        .await;
    id(&d["createProcedure"]["procedure"]["id"])
}

/// A procedure with `n` steps in a chain (each depends on the previous), each with a
/// required NUMBER field `torque` (0..100) and an optional STRING `note`; linked to
/// `part_id` and released unless `release` is false.
pub async fn chain_procedure(app: &TestApp, part_id: &str, n: usize, release: bool) -> Proc {
    let pid = procedure(app, "Assemble bracket", part_id).await;
    let mut steps: Vec<String> = Vec::new();
    for i in 0..n {
        let upstream: Vec<&String> = steps.last().into_iter().collect();
        let d = app
            .ok(
                "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
                json!({"i": {
                    "procedureId": pid, "title": format!("Step {}", i + 1), "upstreamStepIds": upstream,
                    "fields": [
                        {"name": "torque", "type": "NUMBER", "required": true, "min": 0, "max": 100, "unit": "Nm"},
                        {"name": "note", "type": "STRING"}
                    ]
                }}),
            )
            .await;
        steps.push(id(&d["createStep"]["step"]["id"]));
    }
    if release {
        release_procedure(app, &pid).await;
    }
    Proc { id: pid, steps }
}

pub async fn etag_of_procedure(app: &TestApp, pid: &str) -> String {
    let d = app
        .ok(
            "query($id: ID!) { procedure(id: $id) { _etag } }",
            json!({"id": pid}),
        )
        .await;
    d["procedure"]["_etag"].as_str().unwrap().to_string()
}

pub async fn release_procedure(app: &TestApp, pid: &str) -> Value {
    let etag = etag_of_procedure(app, pid).await;
    app.ok(
        "mutation($i: ReleaseProcedureInput!) { releaseProcedure(input: $i) { procedure { id status } } }",
        json!({"i": {"id": pid, "etag": etag}}),
    )
    .await
}

/// A batch of `n` runs of a released 2-step chain for a new SERIAL part; the run ids.
/// A run of a released chain of `steps` steps (`chain_procedure`), serial generated; its id.
pub async fn new_run(app: &TestApp, part_number: &str, steps: usize) -> Value {
    let s = part(app, part_number, "SERIAL").await;
    let proc_ = chain_procedure(app, &s, steps, true).await;
    let d = app
        .ok(
            "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }",
            json!({"i": {"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true}}),
        )
        .await;
    d["createRun"]["run"]["id"].clone()
}

pub async fn batch(app: &TestApp, part_number: &str, n: usize) -> Vec<Value> {
    let s = part(app, part_number, "SERIAL").await;
    let p = chain_procedure(app, &s, 2, true).await;
    let d = app
        .ok(
            "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runs { id } } }",
            json!({"i": {"runs": [{"partId": s, "procedureId": p.id, "autogenerateSerialNumber": true, "copies": n}]}}),
        )
        .await;
    d["createBatchedRun"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect()
}

/// A second organization, "B", made by the system administrator; its admin's key.
pub async fn other_organization(app: &TestApp) -> String {
    let q = "mutation { createOrganization(input: {name: \"B\"}) { token } }";
    let org = app.ok(q, json!({})).await;
    org["createOrganization"]["token"]
        .as_str()
        .unwrap()
        .to_string()
}
