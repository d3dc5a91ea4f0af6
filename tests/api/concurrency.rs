//! Batching holds under load: each of 32 concurrent requests takes the statements it takes
//! alone. Statements are counted per request through a task-local counter that the
//! harness's metric callback bumps (sea-orm calls it in the task that ran the statement).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::{chain_procedure, part};
use crate::harness::{REQUEST_STATEMENTS, TestApp, app_with};

/// Runs with everything a run page can show: primed by the list resolver.
const RUNS: &str = "{ runs(first: 50) { edges { node { id title status steps { title availableToWork blockers fields { name value } steps { title } } procedure { title steps { title } } part { partNumber procedures { id } } partInventory { serialNumber } assignedTo { name } assignedTeam { name } runBatch { title } } } } }";

/// Runs' steps with their history and run, and the procedure's parts: loaded through
/// batched loaders (only the steps and procedure are primed), two levels deep.
const STEPS: &str = "{ runs(first: 50) { edges { node { steps { history { kind } run { title } } procedure { parts { partNumber } } } } } }";

/// Teams and their users: a batch of members, then one of users.
const TEAMS: &str = "{ teams(first: 10) { edges { node { name users { name } } } } }";

/// Sends `query` with `token`, counting the statements of this request alone.
async fn counted(app: Arc<TestApp>, token: Arc<String>, query: &'static str) -> usize {
    let n = Arc::new(AtomicUsize::new(0));
    REQUEST_STATEMENTS
        .scope(n.clone(), async move {
            let body = app.post_as(&token, json!({ "query": query })).await.body;
            assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        })
        .await;
    n.load(Ordering::SeqCst)
}

/// A new admin API key, already in the server's key cache (an hour here): requests sent with it in
/// the next seconds take no statement to authenticate, however long the test has run.
async fn fresh_token(app: &TestApp) -> Arc<String> {
    let me = app.ok("{ me { id } }", json!({})).await;
    let d = app
        .ok(
            "mutation($u: ID!) { createApiKey(input: {userId: $u}) { token } }",
            json!({"u": me["me"]["id"]}),
        )
        .await;
    let token = d["createApiKey"]["token"]
        .as_str()
        .expect("token")
        .to_string();
    app.post_as(&token, json!({"query": "{ __typename }"}))
        .await;
    Arc::new(token)
}

async fn setup(app: &TestApp) {
    let s = part(app, "S", "SERIAL").await;
    let proc_ = chain_procedure(app, &s, 10, true).await;
    app.ok(
        "mutation($i: CreateRunsInput!) { createRuns(input: $i) { runs { id } } }",
        json!({"i": {"runs": [{"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true, "copies": 40}]}}),
    )
    .await;
    for _ in 0..4 {
        app.ok(
            "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runs { id } } }",
            json!({"i": {"runs": [{"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true, "copies": 5}]}}),
        )
        .await;
    }
    for t in 0..6 {
        let mut users: Vec<Value> = Vec::new();
        for u in 0..3 {
            let email = format!("u{t}-{u}@example.com");
            let d = app
                .ok(
                    "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
                    json!({"i": {"name": email, "email": email, "roles": ["OPERATOR"]}}),
                )
                .await;
            users.push(d["createUser"]["user"]["id"].clone());
        }
        app.ok(
            "mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }",
            json!({"i": {"name": format!("Team {t}"), "roles": ["OPERATOR"], "userIds": users}}),
        )
        .await;
    }
}

/// The three queries and the statements each takes alone (asserted, so that a change in
/// batching shows here too and not only as a difference under load).
async fn alone(app: &Arc<TestApp>) -> [(&'static str, usize); 3] {
    let mut out = [(RUNS, 0), (STEPS, 0), (TEAMS, 0)];
    for (query, n) in &mut out {
        *n = counted(app.clone(), fresh_token(app).await, query).await;
    }
    // None of the three selects totalCount, so none sends a COUNT(*); nor availability, so
    // none reads the steps' dependencies.
    assert_eq!(out.map(|(_, n)| n), [13, 8, 3], "runs, steps, teams alone");
    out
}

fn check(counts: &[usize], expected: &[(&str, usize)]) {
    for (i, n) in counts.iter().enumerate() {
        let (query, alone) = expected[i % expected.len()];
        assert_eq!(*n, alone, "request {i} under load: {query}");
    }
}

/// 32 requests at once, as tokio tasks on several threads (as the server runs them), and
/// then as futures joined in one task (where one request's yields wake all the others).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_of_32_concurrent_requests_takes_its_statements_alone() {
    // A key resolved once stays trusted for the whole test: on a loaded machine a phase can
    // outlast the default 5 s, and a fresh lookup would add its statements to a request.
    let app = Arc::new(
        app_with(traveler::config::Limits {
            key_cache_ttl: std::time::Duration::from_secs(3600),
            ..Default::default()
        })
        .await,
    );
    setup(&app).await;
    let expected = alone(&app).await;

    let token = fresh_token(&app).await;
    let tasks =
        (0..32).map(|i| tokio::spawn(counted(app.clone(), token.clone(), expected[i % 3].0)));
    let counts: Vec<usize> = join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("request task"))
        .collect();
    check(&counts, &expected);

    let token = fresh_token(&app).await;
    let counts =
        join_all((0..32).map(|i| counted(app.clone(), token.clone(), expected[i % 3].0))).await;
    check(&counts, &expected);
}
