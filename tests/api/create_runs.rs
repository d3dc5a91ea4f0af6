//! Starting runs: createRun, createRuns, createBatchedRun, and reading runs.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::harness::*;

const CREATE_RUN: &str = "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id title status source procedureId partInventoryId exportControlled partInventory { serialNumber lotNumber quantity status } steps { title position originStepId upstreamStepIds status fields { name type required unit value } steps { title } } } } }";
const CREATE_RUNS: &str = "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id title partInventory { serialNumber } } } }";

async fn count_runs(app: &TestApp) -> i64 {
    app.ok("{ runs { totalCount } }", json!({})).await["runs"]["totalCount"]
        .as_i64()
        .unwrap()
}

async fn count_units(app: &TestApp) -> i64 {
    app.ok("{ partInventories { totalCount } }", json!({}))
        .await["partInventories"]["totalCount"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn build_run_copies_the_procedure_and_reserves_the_unit() {
    let app = app().await;
    let part_id = part(&app, "BRKT-001", "SERIAL").await;
    let proc_ = chain_procedure(&app, &part_id, 3, true).await;
    let d = app.ok(CREATE_RUN, json!({"i": {"partId": part_id, "procedureId": proc_.id, "autogenerateSerialNumber": true}})).await;
    let run = &d["createRun"]["run"];
    assert_eq!(run["status"], "TODO");
    assert_eq!(run["source"], "BUILD");
    assert_eq!(run["title"], "RUN-000001 BRKT-001 rev A SN BRKT-001-00001");
    assert_eq!(run["partInventory"]["status"], "WIP");
    assert_eq!(run["partInventory"]["quantity"], 1.0);
    let steps = run["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(s["status"], "TODO");
        assert_eq!(s["originStepId"], proc_.steps[i].as_str());
        assert_eq!(
            s["fields"][0],
            json!({"name": "torque", "type": "NUMBER", "required": true, "unit": "Nm", "value": null})
        );
    }
    // Dependencies point at the run's own steps, not the procedure's.
    let run_step_ids: Vec<Value> = app
        .ok(
            "query($id: ID!) { run(id: $id) { steps { id } } }",
            json!({"id": run["id"]}),
        )
        .await["run"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(steps[1]["upstreamStepIds"], json!([run_step_ids[0]]));
    // The serial is reserved: typing it again is refused.
    let dup = app
        .gql(
            CREATE_RUN,
            json!({"i": {"partId": part_id, "serialNumber": "BRKT-001-00001"}}),
        )
        .await;
    assert_eq!(codes(&dup), ["DUPLICATE_SERIAL"]);
    assert_eq!(
        dup["errors"][0]["extensions"]["field"],
        json!(["input", "serialNumber"])
    );
}

#[tokio::test]
async fn ion_dialect_works_unchanged() {
    let app = app().await;
    let part_id: i64 = part(&app, "WIDGET", "NONE").await.parse().unwrap();
    let proc_ = chain_procedure(&app, &part_id.to_string(), 1, true).await;
    let pid: i64 = proc_.id.parse().unwrap();
    let q = "mutation CreateRun($input: CreateRunInput!) { createRun(input: $input) { run { id title procedureId partInventoryId } } }";
    let body = json!([
        {"query": q, "operationName": "CreateRun", "variables": {"input": {"title": "Run A", "procedureId": pid, "partInventoryId": null, "partId": part_id}}},
        {"query": q, "operationName": "CreateRun", "variables": {"input": {"title": "Run B", "procedureId": pid, "partInventoryId": 987654, "partId": part_id}}}
    ]);
    let req = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", ADMIN)
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let (status, _, bytes) = app.send(req).await;
    assert_eq!(status, 200);
    let out: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(out[0]["data"]["createRun"]["run"]["title"], "Run A");
    assert_eq!(
        out[0]["data"]["createRun"]["run"]["procedureId"],
        pid.to_string()
    );
    // The path names the input; the message never echoes an id (it could be a hidden one).
    let e = &out[1]["errors"][0];
    assert_eq!(
        e["extensions"]["field"],
        json!(["input", "partInventoryId"]),
        "{e}"
    );
    assert!(!e["message"].as_str().unwrap().contains("987654"), "{e}");
    assert_eq!(codes(&out[1]), ["NOT_FOUND"]);
}

#[tokio::test]
async fn attach_refuses_unavailable_and_foreign_units() {
    let app = app().await;
    let a = part(&app, "A", "SERIAL").await;
    let b = part(&app, "B", "SERIAL").await;
    let q = "mutation($i: CreatePartInventoryInput!) { createPartInventory(input: $i) { partInventory { id } } }";
    let unit = id(&app
        .ok(q, json!({"i": {"partId": a, "serialNumber": "A-1"}}))
        .await["createPartInventory"]["partInventory"]["id"]);
    let scrapped = id(&app
        .ok(
            q,
            json!({"i": {"partId": a, "serialNumber": "A-2", "status": "SCRAPPED"}}),
        )
        .await["createPartInventory"]["partInventory"]["id"]);
    let d = app
        .ok(CREATE_RUN, json!({"i": {"partInventoryId": unit}}))
        .await;
    assert_eq!(d["createRun"]["run"]["source"], "ATTACH");
    assert_eq!(d["createRun"]["run"]["title"], "RUN-000001 A rev A SN A-1");
    // A unit can carry several runs (a build, then its test).
    app.ok(
        CREATE_RUN,
        json!({"i": {"partInventoryId": unit, "partId": a}}),
    )
    .await;
    let s = app
        .gql(CREATE_RUN, json!({"i": {"partInventoryId": scrapped}}))
        .await;
    assert_eq!(codes(&s), ["INVENTORY_NOT_AVAILABLE"]);
    assert!(
        s["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Part inventory is not in a state that allows a new run")
    );
    let m = app
        .gql(
            CREATE_RUN,
            json!({"i": {"partInventoryId": unit, "partId": b}}),
        )
        .await;
    assert_eq!(codes(&m), ["PART_MISMATCH"]);
}

#[tokio::test]
async fn procedure_must_be_released_and_current() {
    let app = app().await;
    let part_id = part(&app, "P", "NONE").await;
    let draft = chain_procedure(&app, &part_id, 1, false).await;
    let e = app
        .gql(
            CREATE_RUN,
            json!({"i": {"partId": part_id, "procedureId": draft.id}}),
        )
        .await;
    assert_eq!(codes(&e), ["PROCEDURE_NOT_RELEASED"]);
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Procedure has unreleased steps")
    );
    release_procedure(&app, &draft.id).await;
    let v2 = app.ok("mutation($p: ID!) { createProcedureVersion(input: {procedureId: $p}) { procedure { id } } }", json!({"p": draft.id})).await;
    let v2 = id(&v2["createProcedureVersion"]["procedure"]["id"]);
    // v1 still usable until v2 is released; a run made now stays pinned to v1.
    let pinned = app
        .ok(
            CREATE_RUN,
            json!({"i": {"partId": part_id, "procedureId": draft.id}}),
        )
        .await;
    release_procedure(&app, &v2).await;
    let e = app
        .gql(
            CREATE_RUN,
            json!({"i": {"partId": part_id, "procedureId": draft.id}}),
        )
        .await;
    assert_eq!(codes(&e), ["PROCEDURE_NOT_RELEASED"]);
    let msg = e["errors"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("SUPERSEDED") && msg.contains(&format!("procedure {v2}")),
        "{msg}"
    );
    let r = app.ok("query($id: ID!) { run(id: $id) { procedureId procedure { version } steps { originStepId } } }", json!({"id": pinned["createRun"]["run"]["id"]})).await;
    assert_eq!(r["run"]["procedure"]["version"], 1);
    assert_eq!(
        r["run"]["steps"][0]["originStepId"],
        draft.steps[0].as_str()
    );
}

#[tokio::test]
async fn required_part_procedure_link() {
    let app = app().await;
    let p1 = part(&app, "P1", "NONE").await;
    let p2 = part(&app, "P2", "NONE").await;
    let proc_ = chain_procedure(&app, &p1, 1, true).await;
    // Linked to P1 only: P2 is another part.
    let e = app
        .gql(
            CREATE_RUN,
            json!({"i": {"partId": p2, "procedureId": proc_.id}}),
        )
        .await;
    assert_eq!(codes(&e), ["PART_MISMATCH"]);
    app.ok("mutation { updateOrganization(input: {requirePartProcedureLink: true}) { organization { requirePartProcedureLink } } }", json!({})).await;
    let e = app.gql(CREATE_RUN, json!({"i": {"partId": p2}})).await;
    assert_eq!(codes(&e), ["NO_PROCEDURE_FOR_PART"]);
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("No procedures available for this part")
    );
    app.ok(
        CREATE_RUN,
        json!({"i": {"partId": p1, "procedureId": proc_.id}}),
    )
    .await;
}

#[tokio::test]
async fn bulk_is_all_or_nothing_and_reports_every_error() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let l = part(&app, "L", "LOT").await;
    let (runs0, units0) = (count_runs(&app).await, count_units(&app).await);
    let e = app
        .gql(
            CREATE_RUNS,
            json!({"i": {"runs": [
                {"partId": s, "autogenerateSerialNumber": true},
                {"partId": s},
                {"partId": l, "autogenerateLotNumber": true, "quantity": -1},
                {"partId": s, "serialNumber": "X"},
                {"partId": s, "autogenerateSerialNumber": true, "assignedToId": 1, "assignedTeamId": 1},
                {"partId": s, "serialNumber": "X"}
            ]}}),
        )
        .await;
    let errs = e["errors"].as_array().unwrap();
    let seen: Vec<(u64, String, Value)> = errs
        .iter()
        .map(|x| {
            (
                x["extensions"]["index"].as_u64().unwrap(),
                x["extensions"]["code"].as_str().unwrap().to_string(),
                x["extensions"]["field"].clone(),
            )
        })
        .collect();
    assert!(
        seen.contains(&(
            1,
            "IDENTITY_REQUIRED".into(),
            json!(["input", "runs", 1, "serialNumber"])
        )),
        "{seen:?}"
    );
    assert!(
        seen.contains(&(
            2,
            "BAD_USER_INPUT".into(),
            json!(["input", "runs", 2, "quantity"])
        )),
        "{seen:?}"
    );
    assert!(
        seen.contains(&(
            4,
            "BAD_USER_INPUT".into(),
            json!(["input", "runs", 4, "assignedTeamId"])
        )),
        "{seen:?}"
    );
    assert!(
        seen.contains(&(
            5,
            "DUPLICATE_SERIAL".into(),
            json!(["input", "runs", 5, "serialNumber"])
        )),
        "{seen:?}"
    );
    assert_eq!(
        (count_runs(&app).await, count_units(&app).await),
        (runs0, units0),
        "a refused call creates nothing"
    );

    // validateOnly checks and creates nothing.
    let ok = app.ok(CREATE_RUNS, json!({"i": {"validateOnly": true, "runs": [{"partId": s, "autogenerateSerialNumber": true}]}})).await;
    assert_eq!(ok["createRuns"]["runs"], json!([]));
    assert_eq!(count_runs(&app).await, runs0);
}

#[tokio::test]
async fn copies_idempotency_and_batches() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let proc_ = chain_procedure(&app, &s, 2, true).await;
    let input = json!({"i": {"idempotencyKey": "erp-42", "runs": [{"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true, "copies": 3}]}});
    let first = app.ok(CREATE_RUNS, input.clone()).await;
    let runs = first["createRuns"]["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let serials: std::collections::HashSet<&str> = runs
        .iter()
        .map(|r| r["partInventory"]["serialNumber"].as_str().unwrap())
        .collect();
    assert_eq!(serials.len(), 3);
    // A retry returns the same runs and creates nothing.
    let again = app.ok(CREATE_RUNS, input).await;
    assert_eq!(again, first);
    assert_eq!(count_runs(&app).await, 3);
    let reused = app.gql(CREATE_RUNS, json!({"i": {"idempotencyKey": "erp-42", "runs": [{"partId": s, "autogenerateSerialNumber": true}]}})).await;
    assert_eq!(codes(&reused), ["IDEMPOTENCY_KEY_REUSED"]);

    let b = app
        .ok(
            "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runBatch { id title runs { id runBatchId } } runs { id } } }",
            json!({"i": {"runs": [{"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true, "copies": 4}]}}),
        )
        .await;
    let batch = &b["createBatchedRun"]["runBatch"];
    assert_eq!(batch["runs"].as_array().unwrap().len(), 4);
    assert!(
        batch["title"]
            .as_str()
            .unwrap()
            .starts_with("BATCH-000001 S rev A x4")
    );
    let other = chain_procedure(&app, &s, 1, true).await;
    let mixed = app
        .gql(
            "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runBatch { id } } }",
            json!({"i": {"title": "Mixed", "runs": [{"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true}, {"partId": s, "procedureId": other.id, "autogenerateSerialNumber": true}]}}),
        )
        .await;
    assert_eq!(codes(&mixed), ["BAD_USER_INPUT"]);
    let d = app.ok("{ runBatches { totalCount } }", json!({})).await;
    assert_eq!(d["runBatches"]["totalCount"], 1);
}

#[tokio::test]
async fn details_export_control_assignees_attributes() {
    let app = app().await;
    let p = part(&app, "P", "NONE").await;
    let d = app
        .ok("mutation($p: ID!) { createProcedure(input: {title: \"ITAR\", exportControlled: true, partIds: [$p]}) { procedure { id } } }", json!({"p": p}))
        .await;
    let pid = id(&d["createProcedure"]["procedure"]["id"]);
    release_procedure(&app, &pid).await;
    let r = app
        .ok(CREATE_RUN, json!({"i": {"partId": p, "procedureId": pid}}))
        .await;
    assert_eq!(r["createRun"]["run"]["exportControlled"], true);
    let e = app
        .gql(
            CREATE_RUN,
            json!({"i": {"partId": p, "procedureId": pid, "exportControlled": false}}),
        )
        .await;
    assert_eq!(codes(&e), ["BAD_USER_INPUT"]);

    app.ok("mutation { defineAttribute(input: {entity: RUN, key: \"priority\", type: SELECT, options: [\"LOW\", \"HIGH\"], required: true}) { attributeDefinition { key } } }", json!({})).await;
    let missing = app.gql(CREATE_RUN, json!({"i": {"partId": p}})).await;
    assert_eq!(codes(&missing), ["BAD_USER_INPUT"]);
    let wrong = app
        .gql(
            CREATE_RUN,
            json!({"i": {"partId": p, "attributes": [{"key": "priority", "value": "MEDIUM"}]}}),
        )
        .await;
    assert_eq!(codes(&wrong), ["BAD_USER_INPUT"]);
    let team = app
        .ok(
            "mutation { createTeam(input: {name: \"Night shift\"}) { team { id } } }",
            json!({}),
        )
        .await;
    let tid = id(&team["createTeam"]["team"]["id"]);
    let ok = app
        .ok(
            "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id dueDate assignedTeam { name } attributes { key type value } } } }",
            json!({"i": {"partId": p, "dueDate": "2026-12-24", "assignedTeamId": tid, "attributes": [{"key": "priority", "value": "HIGH"}]}}),
        )
        .await;
    let run = &ok["createRun"]["run"];
    assert_eq!(run["dueDate"], "2026-12-24");
    assert_eq!(run["assignedTeam"]["name"], "Night shift");
    assert_eq!(
        run["attributes"],
        json!([{"key": "priority", "type": "SELECT", "value": "HIGH"}])
    );
    let pool = app.ok("{ runs(filters: {assignedToId: {isNull: true}, assignedTeamId: {isNull: true}}) { totalCount } }", json!({})).await;
    assert_eq!(pool["runs"]["totalCount"], 1);
    let mine = app.ok("{ runs(filters: {assignedTeamId: {isNull: false}}, sort: [DUE_DATE_DESC]) { edges { node { dueDate } } } }", json!({})).await;
    assert_eq!(mine["runs"]["edges"][0]["node"]["dueDate"], "2026-12-24");
}

#[tokio::test]
async fn a_run_without_procedure_gets_one_later() {
    let app = app().await;
    let p = part(&app, "P", "NONE").await;
    let r = app.ok("mutation($p: ID!) { createRun(input: {partId: $p}) { run { id _etag status steps { id } } } }", json!({"p": p})).await;
    let run = &r["createRun"]["run"];
    assert_eq!(run["status"], "TODO");
    assert_eq!(run["steps"], json!([]));
    let proc_ = chain_procedure(&app, &p, 2, true).await;
    let u = app
        .ok(
            "mutation($i: UpdateRunInput!) { updateRun(input: $i) { run { procedureId steps { title } _etag } } }",
            json!({"i": {"id": run["id"], "etag": run["_etag"], "procedureId": proc_.id}}),
        )
        .await;
    assert_eq!(u["updateRun"]["run"]["steps"].as_array().unwrap().len(), 2);
    let again = app
        .gql(
            "mutation($i: UpdateRunInput!) { updateRun(input: $i) { run { id } } }",
            json!({"i": {"id": run["id"], "etag": u["updateRun"]["run"]["_etag"], "procedureId": proc_.id}}),
        )
        .await;
    assert_eq!(codes(&again), ["BAD_USER_INPUT"]);
}

/// Creation writes in bulk and reading loads through DataLoaders: the number of SQL
/// statements does not grow with the number of runs.
#[tokio::test]
async fn statement_counts_do_not_grow_with_runs() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let proc_ = chain_procedure(&app, &s, 10, true).await;
    let create = |n: i64| json!({"i": {"runs": [{"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true, "copies": n}]}});
    let before = app.count();
    app.ok(CREATE_RUNS, create(5)).await;
    let small = app.count() - before;
    let before = app.count();
    app.ok(CREATE_RUNS, create(60)).await;
    let large = app.count() - before;
    assert_eq!(
        small, large,
        "creating 5 runs took {small} statements, 60 runs {large}"
    );
    assert!(large < 40, "creation took {large} statements");

    let read = "query($n: Int) { runs(first: $n) { edges { node { id title status steps { title availableToWork blockers fields { name value } steps { title } } procedure { title steps { title } } part { partNumber procedures { id } } partInventory { serialNumber } assignedTo { name } assignedTeam { name } runBatch { title } } } } }";
    let before = app.count();
    app.ok(read, json!({"n": 2})).await;
    let few = app.count() - before;
    let before = app.count();
    let d = app.ok(read, json!({"n": 50})).await;
    let many = app.count() - before;
    assert_eq!(d["runs"]["edges"].as_array().unwrap().len(), 50);
    assert_eq!(
        few, many,
        "reading 2 runs took {few} statements, 50 runs {many}"
    );
    assert!(many <= 25, "reading 50 runs took {many} statements");
}

#[tokio::test]
async fn bad_ids_are_refused_at_their_input_path() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let e = app.gql(CREATE_RUN, json!({"i": {"partId": "abc"}})).await;
    assert_eq!(codes(&e), ["BAD_USER_INPUT"]);
    assert_eq!(
        e["errors"][0]["extensions"]["field"],
        json!(["input", "partId"])
    );
    assert!(e["errors"][0]["extensions"].get("index").is_none(), "{e}");

    let e = app
        .gql(
            CREATE_RUNS,
            json!({"i": {"runs": [
                {"partId": s, "autogenerateSerialNumber": true},
                {"partId": "0", "autogenerateSerialNumber": true},
                {"partId": s, "autogenerateSerialNumber": true, "assignedTeamId": "t1"}
            ]}}),
        )
        .await;
    let mut seen: Vec<(Value, Value)> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["extensions"]["index"].clone(),
                x["extensions"]["field"].clone(),
            )
        })
        .collect();
    seen.sort_by_key(|(i, _)| i.as_u64());
    assert_eq!(
        seen,
        [
            (json!(1), json!(["input", "runs", 1, "partId"])),
            (json!(2), json!(["input", "runs", 2, "assignedTeamId"])),
        ]
    );
    assert_eq!(codes(&e), ["BAD_USER_INPUT", "BAD_USER_INPUT"]);
}
