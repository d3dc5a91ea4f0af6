//! The HTTP layer: authentication, media types, methods, limits, CORS, health.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

use crate::harness::*;

fn post(body: &str, ct: Option<&str>, accept: Option<&str>, auth: Option<&str>) -> Request<Body> {
    let mut r = Request::post("/graphql");
    if let Some(c) = ct {
        r = r.header("content-type", c);
    }
    if let Some(a) = accept {
        r = r.header("accept", a);
    }
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn authentication_forms_and_refusals() {
    let app = app().await;
    let q = r#"{"query":"{ me { name } }"}"#;
    for a in [
        format!("Bearer {ADMIN}"),
        format!("Token {ADMIN}"),
        ADMIN.to_string(),
    ] {
        let (s, _, _) = app
            .send(post(q, Some("application/json"), None, Some(&a)))
            .await;
        assert_eq!(s, 200, "{a}");
    }
    for a in [None, Some("Bearer nope")] {
        let (s, _, b) = app.send(post(q, Some("application/json"), None, a)).await;
        assert_eq!(s, 401);
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(codes(&v), ["UNAUTHENTICATED"]);
    }
    // The pages need no key.
    let (s, _, b) = app
        .send(Request::get("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(s, 200);
    assert!(String::from_utf8_lossy(&b).contains("/assets/app.js"));
}

/// Every page and every file it names is served by the binary itself, under a policy
/// that forbids any other host; nothing refers to a third-party host.
#[tokio::test]
async fn pages_are_served_offline() {
    let app = app().await;
    let page = |path: &str, accept: Option<&str>| {
        let mut r = Request::get(path);
        if let Some(a) = accept {
            r = r.header("accept", a);
        }
        r.body(Body::empty()).unwrap()
    };
    let html = "text/html,application/xhtml+xml,*/*;q=0.8";
    for (path, accept, marker) in [
        ("/", None, "/assets/app.js"),
        ("/graphiql", None, "graphiql.min.js"),
        ("/graphql", Some(html), "graphiql.min.js"),
    ] {
        let (s, h, b) = app.send(page(path, accept)).await;
        assert_eq!(s, 200, "{path}");
        assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'self'"), "{csp}");
        let body = String::from_utf8(b).unwrap();
        assert!(body.contains(marker), "{path}");
        for asset in body.split('"').filter(|p| p.starts_with("/assets/")) {
            let (s, h, b) = app.send(page(asset, None)).await;
            assert_eq!(s, 200, "{asset}");
            assert!(!b.is_empty());
            let t = h["content-type"].to_str().unwrap();
            assert!(
                t.starts_with("text/css") || t.starts_with("text/javascript"),
                "{asset}: {t}"
            );
        }
    }
    for name in ["app", "api", "ui", "runs", "wizard", "traveler", "graphiql"] {
        let (s, _, b) = app.send(page(&format!("/assets/{name}.js"), None)).await;
        assert_eq!(s, 200);
        let text = String::from_utf8(b).unwrap();
        assert!(!text.contains("https://"), "{name}.js names another host");
    }
    let (s, _, _) = app.send(page("/assets/../Cargo.toml", None)).await;
    assert_eq!(s, 404);
    let (s, _, _) = app.send(page("/assets/nothing.js", None)).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn media_types_methods_and_request_errors() {
    let app = app().await;
    let auth = Some(format!("Bearer {ADMIN}"));
    let auth = auth.as_deref();
    let (s, h, _) = app
        .send(post(
            r#"{"query":"{ __typename }"}"#,
            Some("application/json"),
            Some("application/json"),
            auth,
        ))
        .await;
    assert_eq!(s, 200);
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let (s, h, _) = app
        .send(post(
            r#"{"query":"{ __typename }"}"#,
            Some("application/json"),
            Some("application/graphql-response+json"),
            auth,
        ))
        .await;
    assert_eq!(s, 200);
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/graphql-response+json")
    );
    // Parse error: 400 under graphql-response+json, no data.
    let (s, _, b) = app
        .send(post(
            r#"{"query":"{ nope"}"#,
            Some("application/json"),
            Some("application/graphql-response+json"),
            auth,
        ))
        .await;
    assert_eq!(s, 400);
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert!(v.get("data").is_none());
    // No content type, wrong content type, malformed JSON.
    assert_eq!(
        app.send(post(r#"{"query":"{ __typename }"}"#, None, None, auth))
            .await
            .0,
        415
    );
    assert_eq!(
        app.send(post(
            r#"{"query":"{ __typename }"}"#,
            Some("text/plain"),
            None,
            auth
        ))
        .await
        .0,
        415
    );
    let (s, _, b) = app
        .send(post("{not json", Some("application/json"), None, auth))
        .await;
    assert_eq!(s, 400);
    assert!(
        serde_json::from_slice::<Value>(&b).is_ok(),
        "errors are JSON"
    );
    assert_eq!(
        app.send(post(
            r#"{"query": 5}"#,
            Some("application/json"),
            None,
            auth
        ))
        .await
        .0,
        400
    );
    assert_eq!(
        app.send(post(
            r#"{"query":"{ __typename }"}"#,
            Some("application/json"),
            Some("text/html"),
            auth
        ))
        .await
        .0,
        406
    );
    // Mutations are refused over GET; queries run.
    let get = |q: &str| {
        let enc: String = q
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        Request::get(format!("/graphql?query={enc}"))
            .header("authorization", format!("Bearer {ADMIN}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(app.send(get("{ __typename }")).await.0, 200);
    let (s, h, _) = app
        .send(get(
            "mutation { createPart(input: {partNumber: \"X\"}) { part { id } } }",
        ))
        .await;
    assert_eq!(s, 405);
    assert_eq!(h["allow"], "POST");
    let d = app.ok("{ parts { totalCount } }", json!({})).await;
    assert_eq!(
        d["parts"]["totalCount"], 0,
        "the GET mutation changed nothing"
    );
}

#[tokio::test]
async fn limits_refuse_oversized_requests() {
    let app = app().await;
    let auth = Some(format!("Bearer {ADMIN}"));
    let big = format!(
        r#"{{"query":"{{ __typename }}","variables":{{"x":"{}"}}}}"#,
        "a".repeat(3 * 1024 * 1024)
    );
    assert_eq!(
        app.send(post(&big, Some("application/json"), None, auth.as_deref()))
            .await
            .0,
        413
    );
    let batch: Vec<Value> = (0..26)
        .map(|_| json!({"query": "{ __typename }"}))
        .collect();
    let (s, _, b) = app
        .send(post(
            &Value::Array(batch).to_string(),
            Some("application/json"),
            None,
            auth.as_deref(),
        ))
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        codes(&serde_json::from_slice(&b).unwrap()),
        ["LIMIT_EXCEEDED"]
    );
    // 200 aliased runs(first: 100) with nested steps is refused before it runs.
    let q: String = (0..200).map(|i| format!("a{i}: runs(first: 100) {{ edges {{ node {{ steps {{ fields {{ value }} }} }} }} }} ")).collect();
    let v = app.gql(&format!("{{ {q} }}"), json!({})).await;
    assert!(v.get("data").is_none() || v["data"].is_null());
    assert!(!codes(&v).is_empty());
    let deep = app.gql("{ runs { edges { node { steps { steps { steps { steps { steps { steps { steps { steps { title } } } } } } } } } } } }", json!({})).await;
    assert!(!codes(&deep).is_empty(), "too deep");
}

#[tokio::test]
async fn cors_allow_list_and_health() {
    let app = app().await;
    let pre = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/graphql")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let (s, h, _) = app.send(pre("https://ui.example.com")).await;
    assert!(s.is_success());
    assert_eq!(h["access-control-allow-origin"], "https://ui.example.com");
    let (_, h, _) = app.send(pre("https://evil.example.com")).await;
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(
        app.send(Request::get("/health").body(Body::empty()).unwrap())
            .await
            .0,
        200
    );
    assert_eq!(
        app.send(Request::get("/ready").body(Body::empty()).unwrap())
            .await
            .0,
        200
    );
}
