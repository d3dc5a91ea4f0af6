//! Issue 13: no administrator can lift itself or anyone above what it holds.

use serde_json::{Value, json};

use crate::harness::*;

const CREATE_USER: &str =
    "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }";
const CREATE_KEY: &str = "mutation($u: ID!) { createApiKey(input: {userId: $u}) { token } }";

/// A user made by `token` (roles, clearance) with a key minted by `token` for it.
async fn user(
    app: &TestApp,
    token: &str,
    email: &str,
    roles: &[&str],
    cleared: bool,
) -> (String, String) {
    let u = app
        .post_as(token, json!({"query": CREATE_USER, "variables": {"i": {"name": email, "email": email, "roles": roles, "exportControlCleared": cleared}}}))
        .await
        .body;
    let uid = id(&u["data"]["createUser"]["user"]["id"]);
    let k = app
        .post_as(token, json!({"query": CREATE_KEY, "variables": {"u": uid}}))
        .await
        .body;
    let token = k["data"]["createApiKey"]["token"].as_str().expect("token");
    (uid, token.to_string())
}

async fn as_(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    app.post_as(token, json!({"query": query, "variables": variables}))
        .await
        .body
}

async fn key_count(app: &TestApp) -> usize {
    let k = app.ok("{ apiKeys { id } }", json!({})).await;
    k["apiKeys"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn an_org_admin_cannot_take_over_the_system_administrator() {
    let app = app().await;
    let root = app.ok("{ me { id } }", json!({})).await["me"]["id"].clone();
    let (_, admin) = user(&app, ADMIN, "a@x.io", &["ADMIN"], false).await;
    let before = key_count(&app).await;
    let r = as_(&app, &admin, CREATE_KEY, json!({"u": root})).await;
    assert_eq!(codes(&r), ["FORBIDDEN"], "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["field"],
        json!(["input", "userId"])
    );
    assert_eq!(key_count(&app).await, before, "a refused key is not stored");
    // Nor revoke its keys (which would lock the system administrator out).
    let keys = app.ok("{ apiKeys { id } }", json!({})).await;
    let root_key = keys["apiKeys"][0]["id"].clone();
    let r = as_(
        &app,
        &admin,
        "mutation($k: ID!) { revokeApiKey(input: {id: $k}) { apiKey { id } } }",
        json!({"k": root_key}),
    )
    .await;
    assert_eq!(codes(&r), ["FORBIDDEN"], "{r}");
    // The org admin still runs its organization: keys for itself and for users it could
    // have made itself.
    let me = as_(&app, &admin, "{ me { id } }", json!({})).await["data"]["me"]["id"].clone();
    let r = as_(&app, &admin, CREATE_KEY, json!({"u": me})).await;
    assert!(r.get("errors").is_none(), "{r}");
    let (_, op) = user(&app, &admin, "op@x.io", &["OPERATOR"], false).await;
    assert!(op.starts_with("trv_"));
    // With the system administrator's key it would have created organizations.
    let r = as_(
        &app,
        &admin,
        "mutation { createOrganization(input: {name: \"B\"}) { token } }",
        json!({}),
    )
    .await;
    assert_eq!(codes(&r), ["FORBIDDEN"]);
}

#[tokio::test]
async fn an_uncleared_admin_cannot_grant_clearance() {
    let app = app().await;
    let (_, admin) = user(&app, ADMIN, "a@x.io", &["ADMIN"], false).await;
    // Not to a new user (its own new account included)...
    let users = app.ok("{ users { totalCount } }", json!({})).await["users"]["totalCount"].clone();
    let i = json!({"i": {"name": "me2", "email": "me2@x.io", "roles": ["ADMIN"], "exportControlCleared": true}});
    let r = as_(&app, &admin, CREATE_USER, i).await;
    assert_eq!(codes(&r), ["FORBIDDEN"], "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["field"],
        json!(["input", "exportControlCleared"])
    );
    assert_eq!(
        app.ok("{ users { totalCount } }", json!({})).await["users"]["totalCount"],
        users
    );
    // ...nor by taking over a cleared user's identity or teams.
    let (cleared, _) = user(&app, ADMIN, "c@x.io", &["VIEWER"], true).await;
    let r = as_(&app, &admin, CREATE_KEY, json!({"u": cleared})).await;
    assert_eq!(codes(&r), ["FORBIDDEN"], "{r}");
    let r = as_(&app, &admin, "mutation($u: ID!) { createTeam(input: {name: \"T\", roles: [ADMIN], userIds: [$u]}) { team { id } } }", json!({"u": cleared})).await;
    assert_eq!(codes(&r), ["FORBIDDEN"], "{r}");
    // A cleared admin may clear others.
    let (_, cadmin) = user(&app, ADMIN, "ca@x.io", &["ADMIN"], true).await;
    let i = json!({"i": {"name": "n", "email": "n@x.io", "exportControlCleared": true}});
    let r = as_(&app, &cadmin, CREATE_USER, i).await;
    assert!(r.get("errors").is_none(), "{r}");
}

#[tokio::test]
async fn role_and_clearance_grants_are_audited() {
    let app = app().await;
    let i = json!({"i": {"name": "n", "email": "n@x.io", "roles": ["PLANNER"], "exportControlCleared": true}});
    app.ok(CREATE_USER, i).await;
    app.ok(
        "mutation { createTeam(input: {name: \"T\", roles: [OPERATOR]}) { team { id } } }",
        json!({}),
    )
    .await;
    let e = app
        .ok(
            "{ events(sort: [ID_ASC]) { edges { node { action userId change } } } }",
            json!({}),
        )
        .await;
    let nodes = e["events"]["edges"].as_array().unwrap();
    let user = &nodes[0]["node"];
    assert_eq!(user["action"], "createUser");
    assert_eq!(user["change"]["input"]["roles"], json!(["PLANNER"]));
    assert_eq!(user["change"]["input"]["exportControlCleared"], true);
    assert_eq!(
        nodes[1]["node"]["change"]["input"]["roles"],
        json!(["OPERATOR"])
    );
}
