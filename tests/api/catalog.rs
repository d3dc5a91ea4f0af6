//! The catalog: parts, procedures and versions, steps, fields, edges, units.

use serde_json::json;

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn procedure_lifecycle_through_the_contract() {
    let app = app().await;
    let part_id = part(&app, "BRKT-001", "SERIAL").await;
    let d = app
        .ok(
            "mutation($i: CreateProcedureInput!) { createProcedure(input: $i) { procedure { id version status familyId _etag } } }",
            json!({"i": {"title": "Build bracket", "type": "BUILD"}}),
        )
        .await;
    let p = &d["createProcedure"]["procedure"];
    assert_eq!(p["version"], 1);
    assert_eq!(p["status"], "DRAFT");
    let pid = id(&p["id"]);

    // Nested steps, fields, dependencies.
    let mk = |title: &str, parent: Option<&str>, upstream: Vec<String>| {
        json!({"i": {"procedureId": pid, "title": title, "parentId": parent, "upstreamStepIds": upstream,
                     "fields": [{"name": "Torque", "type": "NUMBER", "required": true, "min": 1, "max": 10, "unit": "Nm"}]}})
    };
    let q = "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id title parentId fields { name type required unit min max } upstreamStepIds } } }";
    let s1 = id(&app.ok(q, mk("Prepare", None, vec![])).await["createStep"]["step"]["id"]);
    let s2 =
        id(&app.ok(q, mk("Assemble", None, vec![s1.clone()])).await["createStep"]["step"]["id"]);
    let child = app.ok(q, mk("Fasten", Some(&s2), vec![])).await;
    assert_eq!(child["createStep"]["step"]["parentId"], s2.as_str());
    assert_eq!(child["createStep"]["step"]["fields"][0]["unit"], "Nm");
    let c1 = id(&child["createStep"]["step"]["id"]);

    // A cycle is refused, and nothing changes.
    let cyc = app
        .gql(
            "mutation($i: CreateStepEdgeInput!) { createStepEdge(input: $i) { stepEdge { id } } }",
            json!({"i": {"stepId": s1, "upstreamStepId": s2}}),
        )
        .await;
    assert_eq!(codes(&cyc), ["BAD_USER_INPUT"]);
    assert_eq!(
        cyc["errors"][0]["extensions"]["field"],
        json!(["input", "upstreamStepId"])
    );

    // Nesting deeper than 5 levels is refused.
    let mut parent = c1.clone();
    for level in 3..=5 {
        parent = id(&app
            .ok(q, mk(&format!("L{level}"), Some(&parent), vec![]))
            .await["createStep"]["step"]["id"]);
    }
    let too_deep = app.gql(q, mk("L6", Some(&parent), vec![])).await;
    assert_eq!(codes(&too_deep), ["BAD_USER_INPUT"]);

    app.ok(
        "mutation($i: LinkPartToProcedureInput!) { linkPartToProcedure(input: $i) { procedure { parts { partNumber } } } }",
        json!({"i": {"partId": part_id, "procedureId": pid}}),
    )
    .await;

    // Submit, release (approves every step).
    let etag = etag_of_procedure(&app, &pid).await;
    let d = app
        .ok("mutation($i: IdEtagInput!) { submitProcedureForReview(input: $i) { procedure { status _etag } } }", json!({"i": {"id": pid, "etag": etag}}))
        .await;
    assert_eq!(
        d["submitProcedureForReview"]["procedure"]["status"],
        "IN_REVIEW"
    );
    // A stale etag is refused.
    let stale = app
        .gql(
            "mutation($i: IdEtagInput!) { releaseProcedure(input: $i) { procedure { id } } }",
            json!({"i": {"id": pid, "etag": etag}}),
        )
        .await;
    assert_eq!(codes(&stale), ["STALE_ETAG"]);
    let d = release_procedure(&app, &pid).await;
    assert_eq!(d["releaseProcedure"]["procedure"]["status"], "RELEASED");
    let d = app
        .ok(
            "query($id: ID!) { procedure(id: $id) { steps { approved steps { approved } } } }",
            json!({"id": pid}),
        )
        .await;
    assert!(
        d["procedure"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["approved"] == true)
    );

    // A released version is not editable.
    let edit = app.gql(q, mk("Late", None, vec![])).await;
    assert_eq!(codes(&edit), ["BAD_USER_INPUT"]);

    // part.procedures lists released linked procedures.
    let d = app
        .ok(
            "query($id: ID!) { part(id: $id) { procedures { id version } } }",
            json!({"id": part_id}),
        )
        .await;
    assert_eq!(d["part"]["procedures"], json!([{"id": pid, "version": 1}]));

    // Version 2 copies steps, fields, edges and links into a DRAFT.
    let d = app
        .ok(
            "mutation($i: CreateProcedureVersionInput!) { createProcedureVersion(input: $i) { procedure { id version status familyId parts { id } steps { title upstreamStepIds fields { name } steps { title } } } } }",
            json!({"i": {"procedureId": pid}}),
        )
        .await;
    let v2 = &d["createProcedureVersion"]["procedure"];
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["status"], "DRAFT");
    assert_eq!(v2["parts"], json!([{"id": part_id}]));
    let steps = v2["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1]["steps"][0]["title"], "Fasten");
    assert_eq!(steps[1]["upstreamStepIds"].as_array().unwrap().len(), 1);
    assert_ne!(
        steps[1]["upstreamStepIds"][0],
        s1.as_str(),
        "edges are remapped to the copies"
    );
    assert_eq!(steps[0]["fields"][0]["name"], "Torque");
    let v2id = id(&v2["id"]);

    // Releasing v2 supersedes v1.
    release_procedure(&app, &v2id).await;
    let d = app
        .ok(
            "query($f: ID!) { procedures(filters: {familyId: {eq: $f}}, sort: [VERSION_ASC]) { totalCount edges { node { version status } } } }",
            json!({"f": v2["familyId"]}),
        )
        .await;
    assert_eq!(d["procedures"]["totalCount"], 2);
    assert_eq!(d["procedures"]["edges"][0]["node"]["status"], "SUPERSEDED");
    assert_eq!(d["procedures"]["edges"][1]["node"]["status"], "RELEASED");
}

#[tokio::test]
async fn parts_are_unique_per_organization_and_listed_with_paging() {
    let app = app().await;
    for i in 0..5 {
        part(&app, &format!("P-{i}"), "NONE").await;
    }
    let dup = app
        .gql(
            "mutation { createPart(input: {partNumber: \"P-1\"}) { part { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&dup), ["BAD_USER_INPUT"]);
    assert_eq!(
        dup["errors"][0]["extensions"]["field"],
        json!(["input", "partNumber"])
    );
    let q = "query($a: String) { parts(first: 2, after: $a, sort: [PART_NUMBER_ASC]) { totalCount pageInfo { hasNextPage endCursor count totalCount } edges { node { partNumber } } } }";
    let p1 = app.ok(q, json!({})).await;
    assert_eq!(p1["parts"]["totalCount"], 5);
    assert_eq!(p1["parts"]["pageInfo"]["hasNextPage"], true);
    let p2 = app
        .ok(q, json!({"a": p1["parts"]["pageInfo"]["endCursor"]}))
        .await;
    assert_eq!(p2["parts"]["edges"][0]["node"]["partNumber"], "P-2");
    let big = app
        .gql("{ parts(first: 101) { totalCount } }", json!({}))
        .await;
    assert_eq!(codes(&big), ["LIMIT_EXCEEDED"]);
    let f = app.ok("{ parts(filters: {partNumber: {ilike: \"p-%\"}, trackingType: {eq: NONE}}) { totalCount } }", json!({})).await;
    assert_eq!(f["parts"]["totalCount"], 5);
}

#[tokio::test]
async fn units_number_from_the_scheme_and_skip_hand_typed_serials() {
    let app = app().await;
    let pid = part(&app, "BRKT-001", "SERIAL").await;
    let q = "mutation($i: CreatePartInventoryInput!) { createPartInventory(input: $i) { partInventory { id serialNumber status quantity } } }";
    // Someone types the serial that the scheme would generate second.
    app.ok(
        q,
        json!({"i": {"partId": pid, "serialNumber": "BRKT-001-00002"}}),
    )
    .await;
    let a = app
        .ok(
            q,
            json!({"i": {"partId": pid, "autogenerateSerialNumber": true}}),
        )
        .await;
    let b = app
        .ok(
            q,
            json!({"i": {"partId": pid, "autogenerateSerialNumber": true}}),
        )
        .await;
    assert_eq!(
        a["createPartInventory"]["partInventory"]["serialNumber"],
        "BRKT-001-00001"
    );
    assert_eq!(
        b["createPartInventory"]["partInventory"]["serialNumber"],
        "BRKT-001-00003"
    );
    let dup = app
        .gql(
            q,
            json!({"i": {"partId": pid, "serialNumber": "BRKT-001-00003"}}),
        )
        .await;
    assert_eq!(codes(&dup), ["DUPLICATE_SERIAL"]);
    let none = app.gql(q, json!({"i": {"partId": pid}})).await;
    assert_eq!(codes(&none), ["IDENTITY_REQUIRED"]);
    let lot_part = part(&app, "RESIN", "LOT").await;
    let l = app
        .ok(
            q,
            json!({"i": {"partId": lot_part, "autogenerateLotNumber": true, "quantity": 12.5}}),
        )
        .await;
    assert_eq!(l["createPartInventory"]["partInventory"]["quantity"], 12.5);
    let d = app
        .ok(
            "{ partInventories(filters: {status: {eq: AVAILABLE}}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(d["partInventories"]["totalCount"], 4);
}

#[tokio::test]
async fn users_teams_keys_and_attributes() {
    let app = app().await;
    let u = app
        .ok("mutation { createUser(input: {name: \"Op\", email: \"op@x.io\", roles: [OPERATOR]}) { user { id roles { name } exportControlCleared } } }", json!({}))
        .await;
    let uid = id(&u["createUser"]["user"]["id"]);
    let t = app.ok("mutation($u: ID!) { createTeam(input: {name: \"Line 1\", userIds: [$u]}) { team { id users { name } } } }", json!({"u": uid})).await;
    assert_eq!(t["createTeam"]["team"]["users"][0]["name"], "Op");
    let k = app.ok("mutation($u: ID!) { createApiKey(input: {userId: $u, name: \"tablet\"}) { token apiKey { id name } } }", json!({"u": uid})).await;
    let token = k["createApiKey"]["token"].as_str().unwrap().to_string();
    let me = app
        .post_as(
            &token,
            json!({"query": "{ me { name roles { name permissions } } }"}),
        )
        .await;
    assert_eq!(me.body["data"]["me"]["name"], "Op");
    assert_eq!(
        me.body["data"]["me"]["roles"],
        json!([{"name": "OPERATOR", "permissions": ["READ_ALL", "WORK_RUN_STEPS"]}])
    );
    // An operator may not edit the catalog.
    let denied = app
        .post_as(
            &token,
            json!({"query": "mutation { createPart(input: {partNumber: \"X\"}) { part { id } } }"}),
        )
        .await;
    assert_eq!(codes(&denied.body), ["FORBIDDEN"]);
    assert!(
        denied.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("catalog:write")
    );
    let keys = app.ok("{ apiKeys { name lastUsedAt } }", json!({})).await;
    assert!(
        keys["apiKeys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["name"] == "tablet" && !k["lastUsedAt"].is_null())
    );
    let kid = k["createApiKey"]["apiKey"]["id"].clone();
    app.ok(
        "mutation($k: ID!) { revokeApiKey(input: {id: $k}) { apiKey { revokedAt } } }",
        json!({"k": kid}),
    )
    .await;
    let revoked = app
        .post_as(&token, json!({"query": "{ me { name } }"}))
        .await;
    assert_eq!(revoked.status, 401);
    let a = app.ok("mutation { defineAttribute(input: {entity: RUN, key: \"customer\", type: STRING, required: false}) { attributeDefinition { key type } } }", json!({})).await;
    assert_eq!(
        a["defineAttribute"]["attributeDefinition"]["type"],
        "STRING"
    );
}

/// A bad id in a mutation input is BAD_USER_INPUT at its own input path (a list item at
/// its index), whichever mutation it reaches.
#[tokio::test]
async fn bad_ids_are_refused_at_their_input_path() {
    let app = app().await;
    let cases = [
        (
            "mutation($i: UpdatePartInput!) { updatePart(input: $i) { part { id } } }",
            json!({"id": "x", "etag": "v1"}),
            json!(["input", "id"]),
        ),
        (
            "mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }",
            json!({"name": "T", "userIds": ["1", "-3"]}),
            json!(["input", "userIds", 1]),
        ),
        (
            "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
            json!({"procedureId": "1", "title": "S", "upstreamStepIds": ["zz"]}),
            json!(["input", "upstreamStepIds", 0]),
        ),
        (
            "mutation($i: AddRunsToBatchInput!) { addRunsToBatch(input: $i) { runBatch { id } } }",
            json!({"runBatchId": "1", "runIds": ["2", "nope"]}),
            json!(["input", "runIds", 1]),
        ),
        (
            "mutation($i: UpdateRunInput!) { updateRun(input: $i) { run { id } } }",
            json!({"id": "1", "etag": "v1", "assignedTeamId": "t"}),
            json!(["input", "assignedTeamId"]),
        ),
        (
            "mutation($i: CreateStepEdgeInput!) { createStepEdge(input: $i) { stepEdge { id } } }",
            json!({"stepId": "1", "upstreamStepId": "0"}),
            json!(["input", "upstreamStepId"]),
        ),
        (
            "mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) { runStep { id } } }",
            json!({"id": "", "etag": "v1", "status": "IN_PROGRESS"}),
            json!(["input", "id"]),
        ),
    ];
    for (q, i, field) in cases {
        let r = app.gql(q, json!({ "i": i })).await;
        assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{q}");
        assert_eq!(r["errors"][0]["extensions"]["field"], field, "{q}");
    }
}
