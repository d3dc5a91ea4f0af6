//! Subscriptions over a real WebSocket (the router served on a local port): delivery,
//! batch propagation, auth, scoping, replay with `after`, limits.

use std::time::Duration;

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::harness::*;
use crate::ws_client::{self, Ws};

const RUN_CHANGED: &str = "subscription($id: ID!, $after: ID) { runChanged(id: $id, after: $after) { eventId action run { id status steps { id status } } } }";
const STEPS_CHANGED: &str = "subscription($f: RunsInputFilters, $after: ID) { runStepsChanged(filters: $f, after: $after) { eventId action runStep { id status } } }";
const RUNS_CREATED: &str =
    "subscription($f: RunsInputFilters) { runsCreated(filters: $f) { eventId runs { id title } } }";
const RUN: &str = "query($id: ID!) { run(id: $id) { steps { id _etag status } } }";
const STEP: &str =
    "mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) { runStep { id status } } }";

/// Serves the app's router on a local port; returns `host:port`.
async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// Sets step `i` of `run` to `status` as `key`.
async fn set_step(app: &TestApp, key: &str, run: &Value, i: usize, status: &str) -> Value {
    let r = app.ok(RUN, json!({"id": run})).await;
    let s = &r["run"]["steps"][i];
    let body = app
        .post_as(
            key,
            json!({"query": STEP, "variables": {"i": {"id": s["id"], "etag": s["_etag"], "status": status}}}),
        )
        .await
        .body;
    assert!(body.get("errors").is_none(), "{body}");
    s["id"].clone()
}

async fn key_for(app: &TestApp, email: &str, roles: &[&str], cleared: bool) -> String {
    let u = app
        .ok(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
            json!({"i": {"name": email, "email": email, "roles": roles, "exportControlCleared": cleared}}),
        )
        .await;
    let k = app
        .ok(
            "mutation($u: ID!) { createApiKey(input: {userId: $u}) { token } }",
            json!({"u": u["createUser"]["user"]["id"]}),
        )
        .await;
    k["createApiKey"]["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_step_action_reaches_every_run_of_the_batch() {
    let app = app().await;
    let runs = batch(&app, "A", 3).await;
    let addr = serve(&app).await;
    let mut ws = ws_client::connect(&addr, ADMIN).await;
    ws.subscribe("sibling", RUN_CHANGED, json!({"id": runs[2]}))
        .await;
    ws.subscribe("steps", STEPS_CHANGED, json!({})).await;
    // Let both subscriptions register before the change.
    tokio::time::sleep(Duration::from_millis(300)).await;
    set_step(&app, ADMIN, &runs[0], 0, "IN_PROGRESS").await;

    let mut run_events = Vec::new();
    let mut step_events = Vec::new();
    for _ in 0..4 {
        let m = ws.message().await.expect("open");
        assert_eq!(m["type"], "next", "{m}");
        match m["id"].as_str().unwrap() {
            "sibling" => run_events.push(m["payload"].clone()),
            _ => step_events.push(m["payload"]["data"]["runStepsChanged"].clone()),
        }
    }
    assert_eq!(run_events.len(), 1, "{run_events:?}");
    let e = &run_events[0]["data"]["runChanged"];
    assert!(run_events[0].get("errors").is_none(), "{run_events:?}");
    assert_eq!(e["action"], "updateRunStep");
    assert_eq!(e["run"]["id"], runs[2]);
    assert_eq!(e["run"]["status"], "IN_PROGRESS");
    assert_eq!(e["run"]["steps"][0]["status"], "IN_PROGRESS");
    // One step event per run of the batch, all of the same audit event.
    assert_eq!(step_events.len(), 3);
    assert!(step_events.iter().all(|s| s["eventId"] == e["eventId"]));
    assert!(
        step_events
            .iter()
            .all(|s| s["runStep"]["status"] == "IN_PROGRESS")
    );
    ws.quiet(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn bad_keys_close_with_4401_no_permission_with_4403_foreign_origins_are_refused() {
    let app = app().await;
    let addr = serve(&app).await;
    let mut ws = ws_client::init(&addr, json!({})).await;
    assert_eq!(ws.close_code().await, Some(4401));
    let mut ws = ws_client::init(&addr, json!({"Authorization": "Bearer nope"})).await;
    assert_eq!(ws.close_code().await, Some(4401));
    // A user without any role may not read: 4403.
    let no_roles = key_for(&app, "nobody@x.io", &[], false).await;
    let mut ws = ws_client::init(&addr, json!({"Authorization": no_roles})).await;
    assert_eq!(ws.close_code().await, Some(4403));
    // The bare key and `Token` work as over HTTP; so does the upgrade request's header.
    for payload in [
        json!({"Authorization": ADMIN}),
        json!({"authorization": format!("Token {ADMIN}")}),
    ] {
        let mut ws = ws_client::init(&addr, payload).await;
        assert_eq!(ws.message().await.unwrap()["type"], "connection_ack");
    }
    let socket = ws_client::open(
        &addr,
        "graphql-transport-ws",
        &[("authorization", &format!("Bearer {ADMIN}"))],
    )
    .await
    .unwrap();
    let mut ws = Ws { socket };
    ws.send(json!({"type": "connection_init"})).await;
    assert_eq!(ws.message().await.unwrap()["type"], "connection_ack");
    // The older protocol is spoken too.
    let socket = ws_client::open(&addr, "graphql-ws", &[]).await.unwrap();
    let mut ws = Ws { socket };
    ws.send(json!({"type": "connection_init", "payload": {"Authorization": ADMIN}}))
        .await;
    assert_eq!(ws.message().await.unwrap()["type"], "connection_ack");
    // Cross-site WebSocket hijacking: an unlisted Origin is refused, a listed one served.
    let refused = ws_client::open(
        &addr,
        "graphql-transport-ws",
        &[("origin", "https://evil.example.com")],
    )
    .await;
    assert_eq!(refused.err(), Some(403));
    // GraphiQL, served by this server, may open one too.
    let own = format!("http://{addr}");
    assert!(
        ws_client::open(&addr, "graphql-transport-ws", &[("origin", &own)])
            .await
            .is_ok()
    );
    assert!(
        ws_client::open(
            &addr,
            "graphql-transport-ws",
            &[("origin", "https://ui.example.com")]
        )
        .await
        .is_ok()
    );
    // A plain GET still answers queries.
    let (status, _, body) = app
        .send(
            axum::http::Request::get("/graphql?query=%7B__typename%7D")
                .header("authorization", format!("Bearer {ADMIN}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

#[tokio::test]
async fn a_revoked_key_is_closed_with_4401() {
    let app = app().await;
    let addr = serve(&app).await;
    let key = key_for(&app, "viewer@x.io", &["VIEWER"], false).await;
    let mut ws = ws_client::connect(&addr, &key).await;
    let keys = app.ok("{ apiKeys { id } }", json!({})).await;
    let id = keys["apiKeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].clone())
        .max_by_key(|i| i.as_str().unwrap().parse::<i64>().unwrap())
        .unwrap();
    app.ok(
        "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(ws.close_code().await, Some(4401));
}

#[tokio::test]
async fn an_uncleared_subscriber_gets_nothing_of_export_controlled_runs() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let p = chain_procedure(&app, &s, 1, true).await;
    let create = "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }";
    let secret = app
        .ok(create, json!({"i": {"partId": s, "procedureId": p.id, "autogenerateSerialNumber": true, "exportControlled": true}}))
        .await["createRun"]["run"]["id"]
        .clone();
    let open_run = app
        .ok(
            create,
            json!({"i": {"partId": s, "procedureId": p.id, "autogenerateSerialNumber": true}}),
        )
        .await["createRun"]["run"]["id"]
        .clone();
    let key = key_for(&app, "op@x.io", &["OPERATOR"], false).await;
    let addr = serve(&app).await;
    let mut ws = ws_client::connect(&addr, &key).await;
    ws.subscribe("all", STEPS_CHANGED, json!({})).await;
    ws.subscribe("created", RUNS_CREATED, json!({})).await;
    // The secret run does not exist for this subscriber.
    ws.subscribe("secret", RUN_CHANGED, json!({"id": secret}))
        .await;
    let m = ws.message().await.unwrap();
    assert_eq!(m["id"], "secret");
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{m}"
    );
    assert_eq!(ws.message().await.unwrap()["type"], "complete");
    tokio::time::sleep(Duration::from_millis(300)).await;
    set_step(&app, ADMIN, &secret, 0, "IN_PROGRESS").await;
    app.ok(create, json!({"i": {"partId": s, "procedureId": p.id, "autogenerateSerialNumber": true, "exportControlled": true}}))
        .await;
    let open_step = set_step(&app, ADMIN, &open_run, 0, "IN_PROGRESS").await;
    // The first event this subscriber sees is the open run's.
    let e = ws.next("all").await;
    assert_eq!(
        e["data"]["runStepsChanged"]["runStep"]["id"], open_step,
        "{e}"
    );
    ws.quiet(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn after_replays_exactly_the_missed_events_then_goes_live() {
    let app = app().await;
    let runs = batch(&app, "A", 2).await;
    let addr = serve(&app).await;
    let mut ws = ws_client::connect(&addr, ADMIN).await;
    ws.subscribe("r", RUN_CHANGED, json!({"id": runs[1]})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    set_step(&app, ADMIN, &runs[0], 0, "IN_PROGRESS").await;
    let first = ws.next("r").await["data"]["runChanged"].clone();
    drop(ws);

    // Missed while away: two changes of the run, and one of an unrelated run.
    set_step(&app, ADMIN, &runs[1], 0, "HOLD").await;
    let other = batch(&app, "B", 1).await;
    set_step(&app, ADMIN, &other[0], 0, "IN_PROGRESS").await;
    set_step(&app, ADMIN, &runs[1], 0, "IN_PROGRESS").await;

    let mut ws = ws_client::connect(&addr, ADMIN).await;
    ws.subscribe(
        "r",
        RUN_CHANGED,
        json!({"id": runs[1], "after": first["eventId"]}),
    )
    .await;
    let a = ws.next("r").await["data"]["runChanged"].clone();
    let b = ws.next("r").await["data"]["runChanged"].clone();
    let id = |v: &Value| v["eventId"].as_str().unwrap().parse::<i64>().unwrap();
    assert!(id(&first) < id(&a) && id(&a) < id(&b));
    // The state is the current one: replay loads the run as it is now.
    assert_eq!(b["run"]["steps"][0]["status"], "IN_PROGRESS");
    ws.quiet(Duration::from_millis(400)).await;
    // And then live, with nothing delivered twice.
    set_step(&app, ADMIN, &runs[0], 0, "HOLD").await;
    let c = ws.next("r").await["data"]["runChanged"].clone();
    assert!(id(&c) > id(&b));
    assert_eq!(c["action"], "updateRunStep");
    ws.quiet(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn runs_created_sends_the_new_runs_matching_the_filters() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let p = chain_procedure(&app, &s, 1, true).await;
    let addr = serve(&app).await;
    let mut ws = ws_client::connect(&addr, ADMIN).await;
    ws.subscribe("c", RUNS_CREATED, json!({"f": {"title": {"eq": "Wanted"}}}))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let create = "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id } } }";
    app.ok(create, json!({"i": {"runs": [{"title": "Other", "partId": s, "procedureId": p.id, "autogenerateSerialNumber": true}]}}))
        .await;
    let d = app
        .ok(create, json!({"i": {"runs": [
            {"title": "Wanted", "partId": s, "procedureId": p.id, "autogenerateSerialNumber": true},
            {"title": "Wanted", "partId": s, "procedureId": p.id, "autogenerateSerialNumber": true},
            {"title": "Not this", "partId": s, "procedureId": p.id, "autogenerateSerialNumber": true}
        ]}}))
        .await;
    let e = ws.next("c").await["data"]["runsCreated"].clone();
    let ids: Vec<&Value> = e["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    let made = d["createRuns"]["runs"].as_array().unwrap();
    assert_eq!(ids, vec![&made[0]["id"], &made[1]["id"]], "{e}");
    ws.quiet(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn subscriptions_per_connection_and_connections_per_key_are_capped() {
    let app = app_with(traveler::config::Limits {
        subscriptions_per_connection: 2,
        connections_per_key: 2,
        ..Default::default()
    })
    .await;
    let runs = batch(&app, "A", 1).await;
    let addr = serve(&app).await;
    let mut ws = ws_client::connect(&addr, ADMIN).await;
    for id in ["a", "b", "c"] {
        ws.subscribe(id, RUN_CHANGED, json!({"id": runs[0]})).await;
    }
    let m = ws.message().await.unwrap();
    assert_eq!(m["id"], "c", "{m}");
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED",
        "{m}"
    );
    let _second = ws_client::connect(&addr, ADMIN).await;
    let mut third = ws_client::init(&addr, json!({"Authorization": ADMIN})).await;
    assert_eq!(third.close_code().await, Some(4429));
    // Closing a connection frees its place.
    drop(ws);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _again = ws_client::connect(&addr, ADMIN).await;
}

/// Only subscriptions go over the socket: a query or mutation there would escape the HTTP
/// handler's request timeout. ION's spelling works in subscriptions as over HTTP.
#[tokio::test]
async fn queries_and_mutations_are_refused_over_the_socket() {
    let app = app().await;
    let addr = serve(&app).await;
    let mut ws = ws_client::connect(&addr, ADMIN).await;
    ws.subscribe("q", "{ runs { totalCount } }", json!({}))
        .await;
    let m = ws.next("q").await;
    assert_eq!(
        m["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{m}"
    );
    assert_eq!(ws.message().await.unwrap()["type"], "complete");
    ws.subscribe(
        "m",
        r#"mutation { createPart(input: {partNumber: "X"}) { part { id } } }"#,
        json!({}),
    )
    .await;
    let m = ws.next("m").await;
    assert_eq!(
        m["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{m}"
    );
    assert!(m["errors"][0].get("locations").is_none(), "{m}");
    let parts = app.ok("{ parts { totalCount } }", json!({})).await;
    assert_eq!(parts["parts"]["totalCount"], 0);
}
