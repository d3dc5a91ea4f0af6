//! Request ids: echoed or made (UUID v7), stored on audit events, and the only detail an
//! internal error gives the client (its cause goes to the log, once, with the id).

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::fixtures;
use crate::harness::{ADMIN, TestApp, app};

/// POSTs a document as the admin, with `X-Request-Id` when given.
async fn post(app: &TestApp, rid: Option<&str>, query: &str, vars: Value) -> (HeaderMap, Value) {
    let mut req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {ADMIN}"));
    if let Some(r) = rid {
        req = req.header("x-request-id", r);
    }
    let body = json!({"query": query, "variables": vars}).to_string();
    let (_, headers, bytes) = app.send(req.body(Body::from(body)).unwrap()).await;
    (
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn echoed(h: &HeaderMap) -> &str {
    h.get("x-request-id")
        .expect("x-request-id header")
        .to_str()
        .unwrap()
}

fn assert_v7(s: &str) {
    let u = uuid::Uuid::parse_str(s).unwrap_or_else(|_| panic!("{s:?} is not a UUID"));
    assert_eq!(u.get_version_num(), 7, "{s} is not a UUID v7");
}

#[tokio::test]
async fn echoed_when_sent_made_when_not() {
    let app = app().await;
    let (h, _) = post(&app, Some("client-abc.123"), "{ __typename }", json!({})).await;
    assert_eq!(echoed(&h), "client-abc.123");

    let (h1, _) = post(&app, None, "{ __typename }", json!({})).await;
    let (h2, _) = post(&app, None, "{ __typename }", json!({})).await;
    assert_v7(echoed(&h1));
    assert_v7(echoed(&h2));
    assert_ne!(echoed(&h1), echoed(&h2));

    // Not sane (a space, or too long): replaced, never echoed into logs or headers.
    let (h, _) = post(&app, Some("two words"), "{ __typename }", json!({})).await;
    assert_v7(echoed(&h));
    let long = "x".repeat(129);
    let (h, _) = post(&app, Some(&long), "{ __typename }", json!({})).await;
    assert_v7(echoed(&h));

    // Requests refused before GraphQL runs carry one too.
    let req = Request::get("/health").body(Body::empty()).unwrap();
    let (_, h, _) = app.send(req).await;
    assert_v7(echoed(&h));
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("x-request-id", "no-key-1")
        .body(Body::from(r#"{"query":"{ __typename }"}"#))
        .unwrap();
    let (status, h, _) = app.send(req).await;
    assert_eq!(status, 401);
    assert_eq!(echoed(&h), "no-key-1");
}

#[tokio::test]
async fn audit_event_carries_the_request_id() {
    let app = app().await;
    let (_, b) = post(
        &app,
        Some("audit-req-1"),
        "mutation { createPart(input: {partNumber: \"P-1\", trackingType: NONE}) { part { id } } }",
        json!({}),
    )
    .await;
    assert!(b.get("errors").is_none(), "{b:#}");
    let (_, b) = post(
        &app,
        None,
        "mutation { createPart(input: {partNumber: \"P-2\", trackingType: NONE}) { part { id } } }",
        json!({}),
    )
    .await;
    assert!(b.get("errors").is_none(), "{b:#}");
    let made = app
        .ok(
            "{ events(sort: [ID_ASC]) { edges { node { action requestId } } } }",
            json!({}),
        )
        .await;
    let nodes: Vec<&Value> = made["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["action"] == "createPart")
        .collect();
    assert_eq!(nodes.len(), 2, "{made:#}");
    assert_eq!(nodes[0]["requestId"], "audit-req-1");
    assert_v7(nodes[1]["requestId"].as_str().expect("a made id"));
}

/// Log lines written while a test runs (this thread's subscriber only).
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn internal_error_gives_the_request_id_not_the_cause() {
    let app = app().await;
    let part = fixtures::part(&app, "P-1", "SERIAL").await;
    // A row no variant matches (written by hand, or by a newer server).
    app.db
        .execute_unprepared(&format!(
            "UPDATE parts SET tracking_type = 'BOGUS' WHERE id = {part}"
        ))
        .await
        .unwrap();

    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let (_, b) = post(
        &app,
        Some("corrupt-1"),
        "query($p: ID!) { part(id: $p) { partNumber trackingType } }",
        json!({"p": part}),
    )
    .await;
    drop(guard);

    let errors = b["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{b:#}");
    let e = &errors[0];
    assert_eq!(e["extensions"]["code"], "INTERNAL_SERVER_ERROR", "{b:#}");
    assert_eq!(e["extensions"]["requestId"], "corrupt-1", "{b:#}");
    assert_eq!(e["message"], "internal server error");
    let text = b.to_string();
    assert!(
        !text.contains("BOGUS") && !text.contains("tracking_type"),
        "{text}"
    );

    // Logged once, with the request id and the cause naming table, row and value.
    let logged = log.text();
    let lines: Vec<&str> = logged
        .lines()
        .filter(|l| l.contains("internal error"))
        .collect();
    assert_eq!(lines.len(), 1, "{logged}");
    assert!(lines[0].contains("request_id=corrupt-1"), "{logged}");
    assert!(
        lines[0].contains(&format!("parts.tracking_type of id {part} holds \"BOGUS\"")),
        "{logged}"
    );
}

#[tokio::test]
async fn corrupt_row_in_validation_refuses_with_internal_error() {
    let app = app().await;
    let part = fixtures::part(&app, "P-1", "SERIAL").await;
    let proc = fixtures::chain_procedure(&app, &part, 1, true).await;
    app.db
        .execute_unprepared(&format!(
            "UPDATE procedures SET status = 'WEIRD' WHERE id = {}",
            proc.id
        ))
        .await
        .unwrap();
    let (_, b) = post(
        &app,
        Some("corrupt-2"),
        "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }",
        json!({"i": {"partId": part, "procedureId": proc.id, "autogenerateSerialNumber": true}}),
    )
    .await;
    let errors = b["errors"].as_array().expect("errors");
    let internal: Vec<&Value> = errors
        .iter()
        .filter(|e| e["extensions"]["code"] == "INTERNAL_SERVER_ERROR")
        .collect();
    assert_eq!(internal.len(), 1, "{b:#}");
    assert_eq!(internal[0]["extensions"]["requestId"], "corrupt-2");
    assert!(!b.to_string().contains("WEIRD"), "{b:#}");
    let runs = app.ok("{ runs { totalCount } }", json!({})).await;
    assert_eq!(runs["runs"]["totalCount"], 0);
}
