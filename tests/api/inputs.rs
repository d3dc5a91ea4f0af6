//! Issue 13: inputs that were database errors, panics or silently accepted.

use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use traveler::config::{Config, Limits};

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn cors_star_allows_any_origin_instead_of_panicking() {
    let (db, _) = fresh_db().await;
    let config = Config {
        database_url: String::new(),
        listen: String::new(),
        admin_token: Some(ADMIN.into()),
        cors_origins: vec!["*".into()],
        limits: Limits::default(),
    };
    let app = traveler::app::build_with(config, db, None)
        .await
        .expect("build app");
    let req = Request::options("/graphql")
        .header("origin", "https://anywhere.example")
        .header("access-control-request-method", "POST")
        .body(Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(app.router, req).await.unwrap();
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn unknown_directives_are_refused() {
    let app = app().await;
    let r = app.gql("{ me { id @foo } }", json!({})).await;
    assert_eq!(codes(&r), ["GRAPHQL_VALIDATION_FAILED"], "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("@foo"));
    let r = app
        .gql(
            "query($s: Boolean!) { me { id @skip(if: $s) name @include(if: true) } }",
            json!({"s": false}),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
}

#[tokio::test]
async fn a_step_position_never_wraps() {
    let app = app().await;
    let d = app
        .ok(
            "mutation { createProcedure(input: {title: \"P\"}) { procedure { id } } }",
            json!({}),
        )
        .await;
    let pid = id(&d["createProcedure"]["procedure"]["id"]);
    let step = "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id position } } }";
    app.ok(
        step,
        json!({"i": {"procedureId": pid, "title": "last", "position": i32::MAX}}),
    )
    .await;
    let r = app
        .gql(step, json!({"i": {"procedureId": pid, "title": "after"}}))
        .await;
    assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["field"],
        json!(["input", "position"])
    );
}

#[tokio::test]
async fn schemes_and_field_values_are_bounded() {
    let app = app().await;
    let long = format!("{}{{SEQ}}", "X".repeat(3000));
    let r = app
        .gql("mutation($s: String) { createPart(input: {partNumber: \"S\", trackingType: SERIAL, serialScheme: $s}) { part { id } } }", json!({"s": long}))
        .await;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["field"],
        json!(["input", "serialScheme"])
    );
    let p = part(&app, "P", "NONE").await;
    let proc_ = chain_procedure(&app, &p, 1, true).await;
    let d = app.ok("mutation($p: ID!, $q: ID!) { createRun(input: {partId: $p, procedureId: $q}) { run { steps { id _etag } } } }", json!({"p": p, "q": proc_.id})).await;
    let s = &d["createRun"]["run"]["steps"][0];
    let d = app.ok("mutation($s: ID!, $e: String!) { updateRunStep(input: {id: $s, etag: $e, status: IN_PROGRESS}) { runStep { fields { id name _etag } } } }", json!({"s": s["id"], "e": s["_etag"]})).await;
    let fields = d["updateRunStep"]["runStep"]["fields"]
        .as_array()
        .unwrap()
        .clone();
    let note = fields.iter().find(|f| f["name"] == "note").unwrap();
    let set = "mutation($i: UpdateRunStepFieldValueInput!) { updateRunStepFieldValue(input: $i) { runStepField { id } } }";
    let r = app
        .gql(
            set,
            json!({"i": {"id": note["id"], "etag": note["_etag"], "value": "x".repeat(10_001)}}),
        )
        .await;
    assert_eq!(codes(&r), ["FIELD_INVALID"], "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["field"],
        json!(["input", "value"])
    );
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 10000"),
        "{r}"
    );
    let r = app
        .gql(
            set,
            json!({"i": {"id": note["id"], "etag": note["_etag"], "value": "x".repeat(10_000)}}),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
}

#[tokio::test]
async fn authentication_does_not_write() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = app().await;
    let k = app.ok("mutation { createApiKey(input: {userId: \"1\", name: \"tablet\"}) { token apiKey { id } } }", json!({})).await;
    let token = k["createApiKey"]["token"].as_str().unwrap();
    let kid = id(&k["createApiKey"]["apiKey"]["id"]);
    let r = app.post_as(token, json!({"query": "{ me { id } }"})).await;
    assert!(r.body.get("errors").is_none(), "{}", r.body);
    // The key's use is not written by the request that used it...
    let sql =
        format!("SELECT COUNT(*) AS n FROM api_keys WHERE id = {kid} AND last_used_at IS NOT NULL");
    let backend = app.db.get_database_backend();
    let used = |row: Option<sea_orm::QueryResult>| row.and_then(|r| r.try_get::<i64>("", "n").ok());
    let row = app
        .db
        .query_one_raw(Statement::from_string(backend, sql.clone()))
        .await
        .unwrap();
    assert_eq!(used(row), Some(0));
    // ...but in the background (or before keys are listed).
    let keys = app.ok("{ apiKeys { id lastUsedAt } }", json!({})).await;
    let mine = keys["apiKeys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == kid.as_str())
        .cloned();
    assert!(!mine.unwrap()["lastUsedAt"].is_null());
    let row = app
        .db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap();
    assert_eq!(used(row), Some(1));
}

/// Descriptions and step content hold at most 100,000 characters (`store::MAX_LONG_TEXT`);
/// longer is refused at its input field and nothing is written.
#[tokio::test]
async fn long_texts_are_bounded() {
    let app = app().await;
    let long = "é".repeat(100_001);
    let create =
        "mutation($i: CreateProcedureInput!) { createProcedure(input: $i) { procedure { id } } }";
    let e = app
        .gql(create, json!({"i": {"title": "T", "description": long}}))
        .await;
    assert_eq!(codes(&e), ["BAD_USER_INPUT"]);
    assert_eq!(
        e["errors"][0]["extensions"]["field"],
        json!(["input", "description"])
    );
    let n = app.ok("{ procedures { totalCount } }", json!({})).await;
    assert_eq!(n["procedures"]["totalCount"], 0);
    let d = app
        .ok(
            create,
            json!({"i": {"title": "T", "description": "é".repeat(100_000)}}),
        )
        .await;
    let pid = d["createProcedure"]["procedure"]["id"].clone();
    let e = app
        .gql(
            "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
            json!({"i": {"procedureId": pid, "title": "S", "content": long}}),
        )
        .await;
    assert_eq!(
        e["errors"][0]["extensions"]["field"],
        json!(["input", "content"])
    );
}
