//! Who wrote each object and when: `createdById`, `createdBy`, `createdAt`, `updatedById`,
//! `updatedBy`, `updatedAt` on every object type, set by the caller of each mutation.

use serde_json::{Value, json};

use crate::access::user_with;
use crate::fixtures::*;
use crate::harness::*;

const WRITERS: &str =
    "createdById updatedById createdAt updatedAt createdBy { id } updatedBy { id }";

/// Asserts `obj` was created by `created` and last changed by `updated` (after creation
/// when they differ).
fn written(what: &str, obj: &Value, created: &str, updated: &str) {
    assert_eq!(
        obj["createdById"],
        json!(created),
        "{what} createdById: {obj}"
    );
    assert_eq!(
        obj["createdBy"]["id"],
        json!(created),
        "{what} createdBy: {obj}"
    );
    assert_eq!(
        obj["updatedById"],
        json!(updated),
        "{what} updatedById: {obj}"
    );
    assert_eq!(
        obj["updatedBy"]["id"],
        json!(updated),
        "{what} updatedBy: {obj}"
    );
    let at = |k: &str| {
        chrono::DateTime::parse_from_rfc3339(obj[k].as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{what} {k}: {e}: {obj}"))
    };
    if created == updated {
        assert!(at("updatedAt") >= at("createdAt"), "{what}: {obj}");
    } else {
        assert!(at("updatedAt") > at("createdAt"), "{what}: {obj}");
    }
}

async fn as_user(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = app
        .post_as(token, json!({"query": query, "variables": variables}))
        .await
        .body;
    assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
    body["data"].clone()
}

/// The admin creates one of each object; a second user changes each; every object then
/// names both, read through its own query.
#[tokio::test]
async fn every_object_names_who_created_and_who_changed_it() {
    let app = app().await;
    let admin = id(&app.ok("{ me { id } }", json!({})).await["me"]["id"]);
    let (b, tb) = user_with(&app, ADMIN, "b@example.com", &["ADMIN"], true).await;
    let tb = tb.as_str();

    // Created by the admin.
    let part = part(&app, "W-1", "SERIAL").await;
    let released = chain_procedure(&app, &part, 1, true).await;
    let draft = chain_procedure(&app, &part, 1, false).await;
    let q = "mutation($i: CreateWorkCenterInput!) { createWorkCenter(input: $i) { workCenter { id _etag } } }";
    let wc =
        app.ok(q, json!({"i": {"name": "Cell 1"}})).await["createWorkCenter"]["workCenter"].clone();
    let q = "mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id _etag } } }";
    let role = app
        .ok(
            q,
            json!({"i": {"name": "AUDITOR", "permissions": ["READ_ALL"]}}),
        )
        .await["createRole"]["role"]
        .clone();
    let q = "mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }";
    let team =
        id(&app.ok(q, json!({"i": {"name": "Night shift"}})).await["createTeam"]["team"]["id"]);
    let q = "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id partInventoryId steps { id _etag fields { id _etag name } } } } }";
    let run = app
        .ok(q, json!({"i": {"partId": part, "procedureId": released.id, "autogenerateSerialNumber": true}}))
        .await["createRun"]["run"]
        .clone();
    let step = run["steps"][0].clone();
    let torque = step["fields"][0].clone();

    // Changed by the second user.
    let etag = |v: &Value| v["_etag"].as_str().unwrap().to_string();
    let p = app
        .ok(
            "query($id: ID!) { part(id: $id) { _etag } }",
            json!({"id": part}),
        )
        .await;
    as_user(
        &app,
        tb,
        "mutation($i: UpdatePartInput!) { updatePart(input: $i) { part { id } } }",
        json!({"i": {"id": part, "etag": etag(&p["part"]), "description": "bracket"}}),
    )
    .await;
    let s = app
        .ok(
            "query($id: ID!) { procedure(id: $id) { steps { _etag } } }",
            json!({"id": draft.id}),
        )
        .await;
    as_user(&app, tb, "mutation($i: UpdateStepInput!) { updateStep(input: $i) { step { id } } }",
        json!({"i": {"id": draft.steps[0], "etag": etag(&s["procedure"]["steps"][0]), "title": "Torque"}})).await;
    as_user(&app, tb, "mutation($i: UpdateWorkCenterInput!) { updateWorkCenter(input: $i) { workCenter { id } } }",
        json!({"i": {"id": wc["id"], "etag": etag(&wc), "capacity": 2}})).await;
    as_user(
        &app,
        tb,
        "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { id } } }",
        json!({"i": {"id": role["id"], "etag": etag(&role), "name": "AUDIT"}}),
    )
    .await;
    as_user(
        &app,
        tb,
        "mutation($i: AssignRoleInput!) { assignRole(input: $i) { role { id } } }",
        json!({"i": {"roleId": role["id"], "userId": b}}),
    )
    .await;
    as_user(
        &app,
        tb,
        "mutation($i: AddUserToTeamInput!) { addUserToTeam(input: $i) { team { id } } }",
        json!({"i": {"teamId": team, "userId": b}}),
    )
    .await;
    as_user(&app, tb, "mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { id } } }",
        json!({"i": {"name": "Acme"}})).await;
    as_user(&app, tb, "mutation($i: UpdateRunStepFieldValueInput!) { updateRunStepFieldValue(input: $i) { runStepField { id } } }",
        json!({"i": {"id": torque["id"], "etag": etag(&torque), "value": 12}})).await;

    let w = WRITERS;
    let d = app.ok(&format!("query($run: ID!, $part: ID!, $draft: ID!, $rel: ID!, $wc: ID!, $unit: ID!) {{
        run(id: $run) {{ {w} steps {{ {w} fields {{ {w} }} }} }}
        part(id: $part) {{ {w} }}
        partInventory(id: $unit) {{ {w} }}
        draft: procedure(id: $draft) {{ {w} steps {{ {w} fields {{ {w} }} }} }}
        released: procedure(id: $rel) {{ {w} steps {{ {w} fields {{ {w} }} }} }}
        workCenter(id: $wc) {{ {w} }}
        roles {{ edges {{ node {{ name {w} }} }} }}
        teams {{ edges {{ node {{ {w} }} }} }}
        users {{ edges {{ node {{ id {w} }} }} }}
        me {{ organization {{ {w} }} }}
        apiKeys {{ userId {w} }}
    }}"), json!({"run": run["id"], "part": part, "draft": draft.id, "rel": released.id, "wc": wc["id"], "unit": run["partInventoryId"]})).await;

    // The second user worked the run: the field, its step (started by the value) and the run.
    written("run", &d["run"], &admin, &b);
    written("run step", &d["run"]["steps"][0], &admin, &b);
    written(
        "run step field",
        &d["run"]["steps"][0]["fields"][0],
        &admin,
        &b,
    );
    written(
        "run step field (untouched)",
        &d["run"]["steps"][0]["fields"][1],
        &admin,
        &admin,
    );
    written("part", &d["part"], &admin, &b);
    written("part inventory", &d["partInventory"], &admin, &admin);
    written("draft procedure", &d["draft"], &admin, &b);
    written("step", &d["draft"]["steps"][0], &admin, &b);
    written(
        "step field",
        &d["draft"]["steps"][0]["fields"][0],
        &admin,
        &admin,
    );
    written("released procedure", &d["released"], &admin, &admin);
    written("released step", &d["released"]["steps"][0], &admin, &admin);
    written("work center", &d["workCenter"], &admin, &b);
    let node = |list: &str, f: &dyn Fn(&Value) -> bool| {
        d[list]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .find(|n| f(n))
            .unwrap()
    };
    written(
        "role",
        &node("roles", &|n| n["name"] == "AUDIT"),
        &admin,
        &b,
    );
    written("team", &node("teams", &|_| true), &admin, &b);
    written(
        "user (given a role)",
        &node("users", &|n| n["id"] == json!(b)),
        &admin,
        &b,
    );
    let keys = d["apiKeys"].as_array().unwrap();
    let key = keys.iter().find(|k| k["userId"] == json!(b)).unwrap();
    written("api key", key, &admin, &admin);
    // The first organization and its admin are the system's: no writer until someone edits.
    let org = &d["me"]["organization"];
    assert_eq!(org["createdById"], Value::Null, "{org}");
    assert_eq!(org["createdBy"], Value::Null, "{org}");
    assert_eq!(org["updatedById"], json!(b), "{org}");
    let first = node("users", &|n| n["id"] == json!(admin));
    assert_eq!(
        (&first["createdById"], &first["updatedById"]),
        (&Value::Null, &Value::Null)
    );
}

/// `createdBy` on a list of 50 runs reads their writers in one statement.
#[tokio::test]
async fn created_by_on_a_list_costs_one_statement() {
    let app = app().await;
    let part = part(&app, "W-2", "SERIAL").await;
    let p = chain_procedure(&app, &part, 1, true).await;
    let q = "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id } } }";
    let runs = json!([{"partId": part, "procedureId": p.id, "autogenerateSerialNumber": true, "copies": 50}]);
    app.ok(q, json!({"i": {"runs": runs}})).await;
    let count = |sel: &'static str| {
        let app = &app;
        async move {
            let q = format!("{{ runs(first: 50) {{ edges {{ node {{ id {sel} }} }} }} }}");
            let (d, n) = app.ok_counted(&q).await;
            assert_eq!(d["runs"]["edges"].as_array().unwrap().len(), 50);
            n
        }
    };
    let plain = count("createdById").await;
    let with_users = count("createdBy { id name } updatedBy { id }").await;
    assert_eq!(
        with_users,
        plain + 1,
        "plain {plain}, with createdBy {with_users}"
    );
}

/// ION's own names of the timestamps (`_created`, `_updated`) answer under those names.
#[tokio::test]
async fn ion_timestamp_names() {
    let app = app().await;
    let part = part(&app, "W-3", "NONE").await;
    let q = "query($id: ID!) { part(id: $id) { _created _updated createdAt at: _updated } }";
    let d = app.ok(q, json!({"id": part})).await;
    let p = &d["part"];
    assert_eq!(p["_created"], p["createdAt"], "{p}");
    assert_eq!(p["_updated"], p["at"], "{p}");
    assert!(p["_updated"].is_string(), "{p}");
}

/// ION's `Part.partType`: set on createPart, changed or cleared on updatePart, bounded.
#[tokio::test]
async fn part_type_is_set_changed_and_cleared() {
    let app = app().await;
    let q =
        "mutation($i: CreatePartInput!) { createPart(input: $i) { part { id _etag partType } } }";
    let d = app
        .ok(
            q,
            json!({"i": {"partNumber": "T-1", "partType": " ASSEMBLY "}}),
        )
        .await;
    let p = d["createPart"]["part"].clone();
    assert_eq!(p["partType"], "ASSEMBLY");
    let long = "x".repeat(101);
    let refused = app
        .gql(q, json!({"i": {"partNumber": "T-2", "partType": long}}))
        .await;
    assert_eq!(codes(&refused), ["BAD_USER_INPUT"]);
    assert_eq!(
        refused["errors"][0]["extensions"]["field"],
        json!(["input", "partType"])
    );
    let u = "mutation($i: UpdatePartInput!) { updatePart(input: $i) { part { _etag partType } } }";
    let d = app
        .ok(
            u,
            json!({"i": {"id": p["id"], "etag": p["_etag"], "partType": "TOOL"}}),
        )
        .await;
    let p2 = &d["updatePart"]["part"];
    assert_eq!(p2["partType"], "TOOL");
    let d = app
        .ok(
            u,
            json!({"i": {"id": p["id"], "etag": p2["_etag"], "partType": ""}}),
        )
        .await;
    assert_eq!(d["updatePart"]["part"]["partType"], Value::Null);
}

/// A step edge names who made it; it is never edited, so its updated writer and time are
/// its created ones.
#[tokio::test]
async fn a_step_edge_names_who_made_it() {
    let app = app().await;
    let (b, tb) = user_with(&app, ADMIN, "b@example.com", &["ADMIN"], true).await;
    let p = part(&app, "E-1", "NONE").await;
    let draft = chain_procedure(&app, &p, 1, false).await;
    let q = "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }";
    let d = app
        .ok(q, json!({"i": {"procedureId": draft.id, "title": "Pack"}}))
        .await;
    let second = id(&d["createStep"]["step"]["id"]);
    let q = format!(
        "mutation($i: CreateStepEdgeInput!) {{ createStepEdge(input: $i) {{ stepEdge {{ {WRITERS} }} }} }}"
    );
    let d = as_user(
        &app,
        &tb,
        &q,
        json!({"i": {"stepId": second, "upstreamStepId": draft.steps[0]}}),
    )
    .await;
    let e = &d["createStepEdge"]["stepEdge"];
    written("step edge", e, &b, &b);
    assert_eq!(e["createdAt"], e["updatedAt"], "{e}");
}
