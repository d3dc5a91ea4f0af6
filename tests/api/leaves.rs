//! A run step's `fields` is resolved outside the executor when its selection is plain values
//! (`graphql/types/leaves.rs`): any selection answers byte for byte as the executor does,
//! and counts against the budgets as it does. The executor's answer is had by adding a
//! field it must resolve (`createdBy { id }`, through a loader), which sends the whole
//! list to it, and taking that key out again.

use serde_json::{Value, json};
use traveler::config::Limits;

use crate::execution::{set_field, set_step};
use crate::fixtures::*;
use crate::harness::*;

/// Selections on `RunStepField`; [`query`] declares `F` and `$yes` where they are used.
const SELECTIONS: &[&str] = &[
    "id name value",
    "id type value __typename",
    "a: id id b: name name a: id value v: value",
    "...F id",
    "id ...F name ... on RunStepField { unit required } ... { position }",
    "value @skip(if: $yes) name @include(if: $yes) id @skip(if: false) ... @include(if: $yes) { unit }",
    "t: __typename __typename name t: __typename",
    "_etag createdById createdAt updatedById updatedAt runStepId originFieldId name type required unit validations value signedById signedAt position __typename",
];

fn query(fields: &str) -> String {
    let steps = format!("steps {{ id fields {{ {fields} }} }}");
    declared(
        fields,
        (
            "...F",
            "fragment F on RunStepField { name value id n: name }",
        ),
        &steps,
    )
}

/// `run(id: $id) { <inside> }` as a query, declaring `$yes` and the fragment (`spread`,
/// its definition) where `sel` uses them.
fn declared(sel: &str, (spread, fragment): (&str, &str), inside: &str) -> String {
    let fragment = if sel.contains(spread) { fragment } else { "" };
    let yes = if sel.contains("$yes") {
        ", $yes: Boolean!"
    } else {
        ""
    };
    format!("query($id: ID!{yes}) {{ run(id: $id) {{ {inside} }} }} {fragment}")
}

/// The response as sent, in its own key order (`async_graphql::Value` keeps it).
async fn raw(app: &TestApp, q: &str, vars: Value) -> async_graphql::Value {
    let body = json!({"query": q, "variables": vars}).to_string();
    let req = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let (_, _, bytes) = app.send(req).await;
    serde_json::from_slice(&bytes).expect("a JSON answer")
}

/// Takes `key` out of every object in `v`; how many had it.
fn without(v: &mut async_graphql::Value, key: &str) -> usize {
    use async_graphql::Value::{List, Object};
    match v {
        Object(o) => {
            let n = usize::from(o.shift_remove(key).is_some());
            n + o.values_mut().map(|x| without(x, key)).sum::<usize>()
        }
        List(l) => l.iter_mut().map(|x| without(x, key)).sum(),
        _ => 0,
    }
}

/// A note long enough that the budget's error message fits under a budget its text passes.
const NOTE: &str = "Torqued to 42.5 Nm in two passes, crosswise; threads clean, no galling \
    seen. Washer seated flat, witness mark applied, bracket square to the frame within 0.2 mm.";

/// A run of a 3-step procedure, its first step started with a value and a note.
pub async fn worked_run(app: &TestApp) -> Value {
    let p = part(app, "L-1", "NONE").await;
    let proc_ = chain_procedure(app, &p, 3, true).await;
    let d = app
        .ok(
            "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }",
            json!({"i": {"partId": p, "procedureId": proc_.id}}),
        )
        .await;
    let run = d["createRun"]["run"]["id"].clone();
    assert!(
        set_step(app, &run, 0, "IN_PROGRESS")
            .await
            .get("errors")
            .is_none()
    );
    assert!(
        set_field(app, &run, 0, 0, json!(42.5))
            .await
            .get("errors")
            .is_none()
    );
    assert!(
        set_field(app, &run, 0, 1, json!(NOTE))
            .await
            .get("errors")
            .is_none()
    );
    run
}

#[tokio::test]
async fn step_fields_answer_as_the_executor_for_any_selection() {
    let app = app().await;
    let run = worked_run(&app).await;
    for sel in SELECTIONS {
        for yes in [true, false] {
            let vars = json!({"id": run, "yes": yes});
            let fast = raw(&app, &query(sel), vars.clone()).await;
            let mut slow = raw(&app, &query(&format!("{sel} createdBy {{ id }}")), vars).await;
            assert_eq!(without(&mut slow, "createdBy"), 6, "{slow}");
            assert_eq!(fast.to_string(), slow.to_string(), "{sel} (yes: {yes})");
            assert!(!fast.to_string().contains("errors"), "{fast}");
        }
    }
    // All fields skipped: each field is null, as the executor answers any such object.
    let q = "query($id: ID!) { run(id: $id) { steps { fields { id @skip(if: true) } } } }";
    let d = app.ok(q, json!({"id": run})).await;
    assert_eq!(d["run"]["steps"][0]["fields"], json!([null, null]));
    let q = "query($id: ID!) { run(id: $id) { steps { id @skip(if: true) } } }";
    let d = app.ok(q, json!({"id": run})).await;
    assert_eq!(d["run"]["steps"], json!([null, null, null]));
}

/// Selections on a run's `RunStep`s, plain values and their `fields`; [`step_query`]
/// declares `S` and `$yes` where they are used.
const STEP_SELECTIONS: &[&str] = &[
    "id title status position fields { id name value }",
    "a: id id title fields { name } f: fields { value n: name } __typename",
    "fields { name } fields { value } id",
    "...S content id",
    "id ...S ... on RunStep { leadTime fields { ... on RunStepField { unit } } } ... { position }",
    "title @skip(if: $yes) id @include(if: $yes) fields @include(if: $yes) { id value }",
    "fields { id @skip(if: true) } id",
    "_etag runId title content leadTime position status originStepId entityId parentId startedAt completedAt createdById createdAt updatedById updatedAt __typename",
];

fn step_query(sel: &str) -> String {
    let steps = format!("steps {{ {sel} }} allSteps {{ {sel} }}");
    let fragment = "fragment S on RunStep { title status fields { name } }";
    declared(sel, ("...S", fragment), &steps)
}

/// A run's steps are answered outside the executor too, their `fields` inside each: byte
/// for byte as the executor answers (here made to, through `createdBy`).
#[tokio::test]
async fn run_steps_answer_as_the_executor_for_any_selection() {
    let app = app().await;
    let run = worked_run(&app).await;
    for sel in STEP_SELECTIONS {
        for yes in [true, false] {
            let vars = json!({"id": run, "yes": yes});
            let fast = raw(&app, &step_query(sel), vars.clone()).await;
            let slow = format!("{sel} createdBy {{ id }}");
            let mut slow = raw(&app, &step_query(&slow), vars).await;
            assert_eq!(without(&mut slow, "createdBy"), 6, "{slow}");
            assert_eq!(fast.to_string(), slow.to_string(), "{sel} (yes: {yes})");
            assert!(!fast.to_string().contains("errors"), "{fast}");
        }
    }
}

/// A step that comes alone (a mutation's payload) loads its fields and answers the same.
#[tokio::test]
async fn a_payloads_step_fields_answer_as_a_runs() {
    let app = app().await;
    let run = worked_run(&app).await;
    assert!(
        set_step(&app, &run, 0, "COMPLETE")
            .await
            .get("errors")
            .is_none()
    );
    let q =
        "query($id: ID!) { run(id: $id) { steps { id _etag fields { id name value n: name } } } }";
    let d = app.ok(q, json!({"id": run})).await;
    let step = &d["run"]["steps"][1];
    let m = "mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) { runStep { fields { id name value n: name } } } }";
    let i = json!({"id": step["id"], "etag": step["_etag"], "status": "IN_PROGRESS"});
    let r = app.ok(m, json!({ "i": i })).await;
    assert_eq!(r["updateRunStep"]["runStep"]["fields"], step["fields"]);
}

/// Every string of `v`'s data, in bytes: the text the response budget counts when no enum
/// is selected.
fn text(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        Value::Array(a) => a.iter().map(text).sum(),
        Value::Object(o) => o.values().map(text).sum(),
        _ => 0,
    }
}

#[tokio::test]
async fn step_fields_count_against_the_budgets_as_the_executor_does() {
    let app = app().await;
    let run = worked_run(&app).await;
    let limited = |fields, response_bytes| {
        app.with_limits(Limits {
            fields,
            response_bytes,
            ..Limits::default()
        })
    };
    // `run`, `steps`, 3 steps with `fields` (and `title`), 6 fields with theirs: `id name
    // value n` on the fast path; with `createdBy { id }` on the executor's, for the
    // fields, then for the steps as well.
    for (sel, step_sel, per_field, per_step) in [
        ("id name value n: value", "", 4, 1),
        ("id name value n: value createdBy { id }", "", 6, 1),
        ("id name value n: value", "title", 4, 2),
        ("id name value n: value", "title createdBy { id }", 4, 4),
    ] {
        let q = format!(
            "query($id: ID!) {{ run(id: $id) {{ steps {{ {step_sel} fields {{ {sel} }} }} }} }}"
        );
        let vars = json!({"id": run});
        let all = 2 + 3 * (1 + per_step) + 6 * (1 + per_field);
        let r = limited(all, 100_000).await.gql(&q, vars.clone()).await;
        assert!(r.get("errors").is_none(), "{sel}: {r}");
        let r = limited(all - 1, 100_000).await.gql(&q, vars.clone()).await;
        assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{sel}: {r}");
        assert!(r.to_string().contains("TRAVELER_MAX_FIELDS"), "{r}");
        assert!(r["data"].is_null(), "the operation is stopped: {r}");
        // Text: every string, each occurrence; the whole body is checked after.
        let bytes = text(&app.ok(&q, vars.clone()).await);
        let r = limited(1_000, bytes - 1).await.gql(&q, vars.clone()).await;
        let passed = format!("the response's text passed {} bytes", bytes - 1);
        assert!(r.to_string().contains(&passed), "{sel}: {r}");
        let r = limited(1_000, bytes).await.gql(&q, vars).await;
        assert!(
            r.to_string().contains("the response would be"),
            "{sel}: {r}"
        );
    }
}
