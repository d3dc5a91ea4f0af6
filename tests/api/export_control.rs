//! Issue 13: an uncleared caller, even an admin, sees no export-controlled content anywhere.

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn an_uncleared_admin_sees_no_export_controlled_content_anywhere() {
    let app = app().await;
    let p = part(&app, "ITAR-1", "SERIAL").await;
    let d = app.ok("mutation($p: ID!) { createProcedure(input: {title: \"Secret procedure\", exportControlled: true, partIds: [$p]}) { procedure { id } } }", json!({"p": p})).await;
    let pid = id(&d["createProcedure"]["procedure"]["id"]);
    app.ok("mutation($q: ID!) { createStep(input: {procedureId: $q, title: \"Secret step\", content: \"Secret content\"}) { step { id } } }", json!({"q": pid})).await;
    release_procedure(&app, &pid).await;
    let r = app.ok("mutation($p: ID!, $q: ID!) { createBatchedRun(input: {runs: [{partId: $p, procedureId: $q, title: \"Secret run\", autogenerateSerialNumber: true}]}) { runBatch { id } runs { id steps { id _etag } } } }", json!({"p": p, "q": pid})).await;
    let batch = r["createBatchedRun"]["runBatch"]["id"].clone();
    let step = r["createBatchedRun"]["runs"][0]["steps"][0].clone();
    app.ok("mutation($s: ID!, $e: String!) { updateRunStep(input: {id: $s, etag: $e, status: IN_PROGRESS}) { runStep { id } } }", json!({"s": step["id"], "e": step["_etag"]})).await;
    // Work that is not export-controlled stays in the log for everyone.
    part(&app, "PLAIN-1", "NONE").await;

    let u = app.ok("mutation { createUser(input: {name: \"a\", email: \"a@x.io\", roles: [ADMIN]}) { user { id } } }", json!({})).await;
    let k = app
        .ok(
            "mutation($u: ID!) { createApiKey(input: {userId: $u}) { token } }",
            json!({"u": u["createUser"]["user"]["id"]}),
        )
        .await;
    let admin = k["createApiKey"]["token"].as_str().unwrap().to_string();
    let g = |q: &str, v: Value| app.post_as(&admin, json!({"query": q, "variables": v}));

    let q =
        "{ events(first: 100) { totalCount edges { node { action entity entityId change } } } }";
    let log = g(q, json!({})).await.body;
    assert!(log.get("errors").is_none(), "{log}");
    assert!(!log.to_string().contains("Secret"), "{log:#}");
    let actions: Vec<&str> = log["data"]["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"createPart"), "{actions:?}");
    for hidden in [
        "createProcedure",
        "createStep",
        "releaseProcedure",
        "createBatchedRun",
        "updateRunStep",
    ] {
        assert!(!actions.contains(&hidden), "{hidden} in {actions:?}");
    }
    let full = app.ok(q, json!({})).await;
    assert!(full.to_string().contains("Secret"));

    // The batch is invisible by id and in lists.
    let b = g(
        "query($b: ID!) { runBatch(id: $b) { id title } runBatches { totalCount } }",
        json!({"b": batch}),
    )
    .await
    .body;
    assert_eq!(b["data"]["runBatch"], Value::Null, "{b}");
    assert_eq!(b["data"]["runBatches"]["totalCount"], 0, "{b}");
    let cleared = app.ok("{ runBatches { totalCount } }", json!({})).await;
    assert_eq!(cleared["runBatches"]["totalCount"], 1);

    // A refusal does not echo the hidden id.
    let s = g("mutation($s: ID!, $e: String!) { updateRunStep(input: {id: $s, etag: $e, status: COMPLETE}) { runStep { id } } }", json!({"s": step["id"], "e": "v9"})).await.body;
    assert_eq!(codes(&s), ["NOT_FOUND"]);
    let msg = s["errors"][0]["message"].as_str().unwrap();
    assert!(!msg.contains(step["id"].as_str().unwrap()), "{msg}");
}
