//! Who may do what: organizations, roles, API keys, export control, the audit log.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::fixtures::*;
use crate::harness::*;

/// A user with `roles` and a key for it.
pub async fn user_with(
    app: &TestApp,
    token: &str,
    email: &str,
    roles: &[&str],
    cleared: bool,
) -> (String, String) {
    let u = app
        .post_as(
            token,
            json!({"query": "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
                   "variables": {"i": {"name": email, "email": email, "roles": roles, "exportControlCleared": cleared}}}),
        )
        .await
        .body;
    let uid = id(&u["data"]["createUser"]["user"]["id"]);
    let k = app
        .post_as(token, json!({"query": "mutation($u: ID!) { createApiKey(input: {userId: $u}) { token } }", "variables": {"u": uid}}))
        .await
        .body;
    (
        uid,
        k["data"]["createApiKey"]["token"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

/// Every mutation with an input that reaches its permission check, and the permission.
const MUTATIONS: &[(&str, &str)] = &[
    (
        "createPart(input: {partNumber: \"\"}) { part { id } }",
        "catalog:write",
    ),
    (
        "updatePart(input: {id: \"0\", etag: \"x\"}) { part { id } }",
        "catalog:write",
    ),
    (
        "createPartSubtype(input: {name: \"\"}) { partSubtype { id } }",
        "catalog:write",
    ),
    (
        "addSubtypeToPart(input: {partId: \"0\", partSubtypeId: \"0\"}) { part { id } }",
        "catalog:write",
    ),
    (
        "createProcedure(input: {title: \"\"}) { procedure { id } }",
        "catalog:write",
    ),
    (
        "updateProcedure(input: {id: \"0\", etag: \"x\"}) { procedure { id } }",
        "catalog:write",
    ),
    (
        "createStep(input: {procedureId: \"0\", title: \"x\"}) { step { id } }",
        "catalog:write",
    ),
    (
        "updateStep(input: {id: \"0\", etag: \"x\"}) { step { id } }",
        "catalog:write",
    ),
    (
        "deleteStep(input: {id: \"0\", etag: \"x\"}) { step { id } }",
        "catalog:write",
    ),
    (
        "createStepField(input: {stepId: \"0\", name: \"x\", type: STRING}) { stepField { id } }",
        "catalog:write",
    ),
    (
        "createStepEdge(input: {stepId: \"0\", upstreamStepId: \"0\"}) { stepEdge { id } }",
        "catalog:write",
    ),
    (
        "linkPartToProcedure(input: {partId: \"0\", procedureId: \"0\"}) { procedure { id } }",
        "catalog:write",
    ),
    (
        "submitProcedureForReview(input: {id: \"0\", etag: \"x\"}) { procedure { id } }",
        "catalog:write",
    ),
    (
        "approveStep(input: {id: \"0\", etag: \"x\"}) { step { id } }",
        "catalog:write",
    ),
    (
        "releaseProcedure(input: {id: \"0\", etag: \"x\"}) { procedure { id } }",
        "catalog:write",
    ),
    (
        "createProcedureVersion(input: {procedureId: \"0\"}) { procedure { id } }",
        "catalog:write",
    ),
    (
        "createPartInventory(input: {partId: \"0\"}) { partInventory { id } }",
        "catalog:write",
    ),
    (
        "updatePartInventory(input: {id: \"0\", etag: \"x\"}) { partInventory { id } }",
        "catalog:write",
    ),
    (
        "defineAttribute(input: {entity: RUN, key: \"\", type: STRING}) { attributeDefinition { id } }",
        "catalog:write",
    ),
    (
        "createUser(input: {name: \"\", email: \"\"}) { user { id } }",
        "users:write",
    ),
    (
        "createTeam(input: {name: \"\"}) { team { id } }",
        "users:write",
    ),
    (
        "addUserToTeam(input: {teamId: \"0\", userId: \"0\"}) { team { id } }",
        "users:write",
    ),
    (
        "createRole(input: {name: \"\", permissions: []}) { role { id } }",
        "users:write",
    ),
    (
        "updateRole(input: {id: \"0\", etag: \"x\"}) { role { id } }",
        "users:write",
    ),
    (
        "assignRole(input: {roleId: \"0\", userId: \"0\"}) { role { id } }",
        "users:write",
    ),
    (
        "unassignRole(input: {roleId: \"0\", userId: \"0\"}) { role { id } }",
        "users:write",
    ),
    (
        "attachRoleToUser(input: {roleId: \"0\", userId: \"0\"}) { roleId }",
        "users:write",
    ),
    (
        "attachRoleToTeam(input: {roleId: \"0\", teamId: \"0\"}) { roleId }",
        "users:write",
    ),
    (
        "createApiKey(input: {userId: \"0\"}) { token }",
        "users:write",
    ),
    (
        "revokeApiKey(input: {id: \"0\"}) { apiKey { id } }",
        "users:write",
    ),
    (
        "updateOrganization(input: {name: \"\"}) { organization { id } }",
        "users:write",
    ),
    (
        "createOrganization(input: {name: \"\"}) { token }",
        "organizations:write",
    ),
    (
        "createRun(input: {partId: \"0\"}) { run { id } }",
        "runs:write",
    ),
    (
        "createRuns(input: {runs: []}) { runs { id } }",
        "runs:write",
    ),
    (
        "createBatchedRun(input: {runs: []}) { runs { id } }",
        "runs:write",
    ),
    (
        "updateRun(input: {id: \"0\", etag: \"x\"}) { run { id } }",
        "runs:write",
    ),
    (
        "addRunsToBatch(input: {runBatchId: \"0\", runIds: []}) { runBatch { id } }",
        "runs:write",
    ),
    (
        "createWorkCenter(input: {name: \"x\"}) { workCenter { id } }",
        "runs:write",
    ),
    (
        "updateWorkCenter(input: {id: \"0\", etag: \"x\"}) { workCenter { id } }",
        "runs:write",
    ),
    (
        "removeRunFromBatch(input: {runId: \"0\"}) { run { id } }",
        "runs:write",
    ),
    (
        "updateRunStep(input: {id: \"0\", etag: \"x\", status: IN_PROGRESS}) { runStep { id } }",
        "steps:work",
    ),
    (
        "updateRunStepFieldValue(input: {id: \"0\", etag: \"x\", value: 1}) { runStepField { id } }",
        "steps:work",
    ),
    (
        "createRunStep(input: {runId: \"0\", title: \"x\"}) { step { id } }",
        "steps:redline",
    ),
    (
        "createRunStepField(input: {runStepId: \"0\", name: \"x\", type: STRING}) { runStepField { id } }",
        "steps:redline",
    ),
];

fn grants(role: &str, permission: &str) -> bool {
    match role {
        "ADMIN" => permission != "organizations:write",
        "ENGINEER" => matches!(permission, "catalog:write" | "steps:work" | "steps:redline"),
        "PLANNER" => permission == "runs:write",
        "OPERATOR" => permission == "steps:work",
        _ => false,
    }
}

#[tokio::test]
async fn each_role_gets_exactly_its_permissions() {
    let app = app().await;
    let mut users = Vec::new();
    for role in ["ADMIN", "ENGINEER", "PLANNER", "OPERATOR", "VIEWER"] {
        users.push((
            role,
            user_with(
                &app,
                ADMIN,
                &format!("{}@x.io", role.to_lowercase()),
                &[role],
                false,
            )
            .await
            .1,
        ));
    }
    let schema_mutations = app
        .ok(
            "{ __type(name: \"Mutation\") { fields { name } } }",
            json!({}),
        )
        .await;
    let listed: Vec<&str> = MUTATIONS
        .iter()
        .map(|(m, _)| m.split('(').next().unwrap())
        .collect();
    for f in schema_mutations["__type"]["fields"].as_array().unwrap() {
        assert!(
            listed.contains(&f["name"].as_str().unwrap()),
            "mutation {} is not in the permission table",
            f["name"]
        );
    }
    for (role, token) in &users {
        for (m, permission) in MUTATIONS {
            let r = app
                .post_as(token, json!({"query": format!("mutation {{ {m} }}")}))
                .await
                .body;
            let c = codes(&r);
            if grants(role, permission) {
                assert!(
                    !c.contains(&"FORBIDDEN".to_string()),
                    "{role} should be allowed {m}: {r}"
                );
            } else {
                assert_eq!(c, ["FORBIDDEN"], "{role} should be refused {m}: {r}");
                assert!(
                    r["errors"][0]["message"]
                        .as_str()
                        .unwrap()
                        .contains(permission),
                    "{r}"
                );
            }
        }
        // Everyone reads.
        let read = app
            .post_as(
                token,
                json!({"query": "{ runs { totalCount } parts { totalCount } me { roles { name } } }"}),
            )
            .await
            .body;
        assert!(read.get("errors").is_none(), "{role}: {read}");
    }
    // The first admin is the system administrator.
    let org = app.ok("mutation { createOrganization(input: {name: \"Second plant\"}) { organization { name } token } }", json!({})).await;
    assert!(
        org["createOrganization"]["token"]
            .as_str()
            .unwrap()
            .starts_with("trv_")
    );
}

#[tokio::test]
async fn roles_come_through_teams_too() {
    let app = app().await;
    let p = part(&app, "P", "NONE").await;
    let (uid, token) = user_with(&app, ADMIN, "v@x.io", &["VIEWER"], false).await;
    let q = json!({"query": "mutation($p: ID!) { createRun(input: {partId: $p}) { run { id } } }", "variables": {"p": p}});
    assert_eq!(
        codes(&app.post_as(&token, q.clone()).await.body),
        ["FORBIDDEN"]
    );
    app.ok("mutation($u: ID!) { createTeam(input: {name: \"Planning\", roles: [PLANNER], userIds: [$u]}) { team { roles { name } } } }", json!({"u": uid})).await;
    let r = app.post_as(&token, q).await.body;
    assert!(r.get("errors").is_none(), "{r}");
}

#[tokio::test]
async fn organizations_never_see_each_other() {
    let app = app().await;
    let b = other_organization(&app).await;
    // The same part number in both.
    let pa = part(&app, "BRKT-001", "SERIAL").await;
    let proc_a = chain_procedure(&app, &pa, 1, true).await;
    let run_a = app.ok("mutation($p: ID!, $q: ID!) { createRun(input: {partId: $p, procedureId: $q, autogenerateSerialNumber: true}) { run { id partInventoryId steps { id _etag } } } }", json!({"p": pa, "q": proc_a.id})).await;
    let pb = app.post_as(&b, json!({"query": "mutation { createPart(input: {partNumber: \"BRKT-001\", trackingType: SERIAL}) { part { id } } }"})).await.body;
    assert!(pb.get("errors").is_none(), "{pb}");
    let run = &run_a["createRun"]["run"];
    let gb = |q: &str, v: Value| app.post_as(&b, json!({"query": q, "variables": v}));
    // Lists, counts and filters.
    let l = gb("{ parts { totalCount } runs { totalCount } procedures { totalCount } partInventories { totalCount } users { totalCount } events { totalCount } }", json!({})).await.body;
    assert_eq!(l["data"]["parts"]["totalCount"], 1);
    assert_eq!(l["data"]["runs"]["totalCount"], 0);
    assert_eq!(l["data"]["procedures"]["totalCount"], 0);
    assert_eq!(l["data"]["partInventories"]["totalCount"], 0);
    assert_eq!(l["data"]["users"]["totalCount"], 1);
    assert_eq!(
        l["data"]["events"]["totalCount"], 1,
        "only B's own createPart"
    );
    let f = gb("query($id: ID!) { runs(filters: {id: {eq: $id}}) { totalCount } parts(filters: {id: {eq: $id}}) { totalCount } }", json!({"id": pa})).await.body;
    assert_eq!(f["data"]["runs"]["totalCount"], 0);
    assert_eq!(f["data"]["parts"]["totalCount"], 0);
    // By id: not there.
    let one = gb("query($r: ID!, $p: ID!, $q: ID!, $u: ID!) { run(id: $r) { id steps { id fields { name } } } part(id: $p) { id } procedure(id: $q) { id } partInventory(id: $u) { id } }", json!({"r": run["id"], "p": pa, "q": proc_a.id, "u": run["partInventoryId"]})).await.body;
    assert_eq!(
        one["data"],
        json!({"run": null, "part": null, "procedure": null, "partInventory": null})
    );
    // Errors say NOT_FOUND, never FORBIDDEN.
    for (q, v) in [
        (
            "mutation($p: ID!) { createRun(input: {partId: $p}) { run { id } } }",
            json!({"p": pa}),
        ),
        (
            "mutation($p: ID!) { updatePart(input: {id: $p, etag: \"v1\"}) { part { id } } }",
            json!({"p": pa}),
        ),
        (
            "mutation($s: ID!, $e: String!) { updateRunStep(input: {id: $s, etag: $e, status: IN_PROGRESS}) { runStep { id } } }",
            json!({"s": run["steps"][0]["id"], "e": run["steps"][0]["_etag"]}),
        ),
        (
            "mutation($q: ID!) { createProcedureVersion(input: {procedureId: $q}) { procedure { id } } }",
            json!({"q": proc_a.id}),
        ),
    ] {
        let r = gb(q, v).await.body;
        assert_eq!(codes(&r), ["NOT_FOUND"], "{q}: {r}");
    }
}

#[tokio::test]
async fn uncleared_users_find_no_trace_of_export_controlled_work() {
    let app = app().await;
    let p = part(&app, "ITAR-1", "SERIAL").await;
    let d = app.ok("mutation($p: ID!) { createProcedure(input: {title: \"Secret\", exportControlled: true, partIds: [$p]}) { procedure { id } } }", json!({"p": p})).await;
    let pid = id(&d["createProcedure"]["procedure"]["id"]);
    app.ok(
        "mutation($q: ID!) { createStep(input: {procedureId: $q, title: \"s\"}) { step { id } } }",
        json!({"q": pid}),
    )
    .await;
    release_procedure(&app, &pid).await;
    let r = app.ok("mutation($p: ID!, $q: ID!) { createBatchedRun(input: {runs: [{partId: $p, procedureId: $q, autogenerateSerialNumber: true}]}) { runBatch { id } runs { id partInventoryId steps { id _etag } } } }", json!({"p": p, "q": pid})).await;
    let run = &r["createBatchedRun"]["runs"][0];
    let batch = r["createBatchedRun"]["runBatch"]["id"].clone();
    let (_, op) = user_with(
        &app,
        ADMIN,
        "op@x.io",
        &["OPERATOR", "PLANNER", "ENGINEER"],
        false,
    )
    .await;
    let g = |q: &str, v: Value| app.post_as(&op, json!({"query": q, "variables": v}));
    let l = g("query($p: ID!, $b: ID!) { runs { totalCount } procedures { totalCount } partInventories { totalCount } part(id: $p) { procedures { id } } runBatch(id: $b) { runs { id } } }", json!({"p": p, "b": batch})).await.body;
    assert_eq!(l["data"]["runs"]["totalCount"], 0, "{l}");
    assert_eq!(l["data"]["procedures"]["totalCount"], 0);
    assert_eq!(l["data"]["partInventories"]["totalCount"], 0);
    assert_eq!(l["data"]["part"]["procedures"], json!([]));
    // A batch of export-controlled runs is export-controlled itself.
    assert_eq!(l["data"]["runBatch"], Value::Null, "{l}");
    let one = g("query($r: ID!, $q: ID!, $u: ID!) { run(id: $r) { id steps { id fields { name } } } procedure(id: $q) { id } partInventory(id: $u) { id } }", json!({"r": run["id"], "q": pid, "u": run["partInventoryId"]})).await.body;
    assert_eq!(
        one["data"],
        json!({"run": null, "procedure": null, "partInventory": null})
    );
    let step = g("mutation($s: ID!, $e: String!) { updateRunStep(input: {id: $s, etag: $e, status: IN_PROGRESS}) { runStep { id } } }", json!({"s": run["steps"][0]["id"], "e": run["steps"][0]["_etag"]})).await.body;
    assert_eq!(codes(&step), ["NOT_FOUND"]);
    assert!(!step.to_string().contains("Secret"));
    let create = g("mutation($p: ID!, $q: ID!) { createRun(input: {partId: $p, procedureId: $q, autogenerateSerialNumber: true}) { run { id } } }", json!({"p": p, "q": pid})).await.body;
    assert_eq!(codes(&create), ["NOT_FOUND"]);
    let mark = g("mutation($p: ID!) { createRun(input: {partId: $p, exportControlled: true, autogenerateSerialNumber: true}) { run { id } } }", json!({"p": p})).await.body;
    assert_eq!(codes(&mark), ["FORBIDDEN"]);
}

#[tokio::test]
async fn every_mutation_is_recorded_and_the_log_refuses_change() {
    let app = app().await;
    let p = part(&app, "P", "NONE").await;
    let proc_ = chain_procedure(&app, &p, 1, true).await;
    app.ok("mutation($p: ID!, $q: ID!) { createRun(input: {partId: $p, procedureId: $q}) { run { id } } }", json!({"p": p, "q": proc_.id})).await;
    // A refused mutation records nothing.
    app.gql(
        "mutation { createPart(input: {partNumber: \"P\"}) { part { id } } }",
        json!({}),
    )
    .await;
    let e = app.ok("{ events(sort: [ID_ASC]) { totalCount edges { node { action entity entityId userId apiKeyId change createdAt } } } }", json!({})).await;
    let actions: Vec<&str> = e["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "createPart",
            "createProcedure",
            "createStep",
            "releaseProcedure",
            "createRun"
        ]
    );
    let first = &e["events"]["edges"][0]["node"];
    assert_eq!(first["entity"], "Part");
    assert_eq!(first["entityId"], p.as_str());
    assert_eq!(first["change"]["input"]["partNumber"], "P");
    let runs = app
        .ok(
            "{ events(filters: {entity: {eq: \"Run\"}}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(runs["events"]["totalCount"], 1);
    // Not for viewers; and the database itself refuses to edit or delete events.
    let (_, viewer) = user_with(&app, ADMIN, "v@x.io", &["VIEWER"], false).await;
    assert_eq!(
        codes(
            &app.post_as(&viewer, json!({"query": "{ events { totalCount } }"}))
                .await
                .body
        ),
        ["FORBIDDEN"]
    );
    assert!(
        app.db
            .execute_unprepared("UPDATE events SET action = 'forged'")
            .await
            .is_err()
    );
    assert!(
        app.db
            .execute_unprepared("DELETE FROM events")
            .await
            .is_err()
    );
}
