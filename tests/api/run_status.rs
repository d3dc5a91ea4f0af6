//! A run's status set directly, as ION's docs do (`updateRun(input: {id, _etag, status})`),
//! and values written to steps not yet started (ION's equipment integrations).

use serde_json::{Value, json};

use crate::execution::{run_state, set_field, set_step, while_another_writes};
use crate::fixtures::*;
use crate::harness::*;

/// ION's docs' document, verbatim but for the fields selected.
const UPDATE_RUN: &str = "mutation UpdateRun($input: RunUpdateInput!) { updateRun(input: $input) { run { id _etag status startedAt completedAt steps { title status } } } }";

async fn etag(app: &TestApp, run: &Value) -> Value {
    app.ok(
        "query($id: ID!) { run(id: $id) { _etag } }",
        json!({"id": run}),
    )
    .await["run"]["_etag"]
        .clone()
}

/// Sends ION's `updateRun` with `status` spelled as ION spells it.
async fn set_status(app: &TestApp, run: &Value, status: &str) -> Value {
    let e = etag(app, run).await;
    app.gql(
        UPDATE_RUN,
        json!({"input": {"id": run, "_etag": e, "status": status}}),
    )
    .await
}

fn message(v: &Value) -> String {
    v["errors"][0]["message"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn ion_starts_and_completes_a_run() {
    let app = app().await;
    let run = new_run(&app, "S", 2).await;

    let d = set_status(&app, &run, "in_progress").await;
    let r = &d["data"]["updateRun"]["run"];
    assert_eq!(r["status"], "IN_PROGRESS", "{d:#}");
    assert!(!r["startedAt"].is_null());
    assert_eq!(r["steps"][0]["status"], "IN_PROGRESS");
    assert_eq!(
        r["steps"][1]["status"], "TODO",
        "only the first available step starts"
    );

    // Completing with open steps names them, and changes nothing.
    let before = etag(&app, &run).await;
    let e = set_status(&app, &run, "complete").await;
    assert_eq!(codes(&e), ["INVALID_TRANSITION"], "{e:#}");
    let m = message(&e);
    assert!(m.contains("\"Step 1\"") && m.contains("torque"), "{m}");
    assert!(m.contains("\"Step 2\" (TODO)"), "{m}");
    assert_eq!(etag(&app, &run).await, before);

    // Step 1 done; a value written to step 2 (TODO, now available) starts it.
    set_field(&app, &run, 0, 0, json!(10)).await;
    assert!(
        set_step(&app, &run, 0, "COMPLETE")
            .await
            .get("errors")
            .is_none()
    );
    let d = set_field(&app, &run, 1, 0, json!(20)).await;
    assert!(d.get("errors").is_none(), "{d:#}");
    assert_eq!(
        run_state(&app, &run).await["steps"][1]["status"],
        "IN_PROGRESS"
    );

    let d = set_status(&app, &run, "complete").await;
    let r = &d["data"]["updateRun"]["run"];
    assert_eq!(r["status"], "COMPLETE", "{d:#}");
    assert!(!r["completedAt"].is_null());
    assert_eq!(
        run_state(&app, &run).await["partInventory"]["status"],
        "AVAILABLE"
    );

    // A finished run cannot be held or canceled.
    for s in ["hold", "canceled", "in_progress"] {
        let e = set_status(&app, &run, s).await;
        assert_eq!(codes(&e), ["INVALID_TRANSITION"], "{s}: {e:#}");
    }
    // History records the run-level moves like any step change.
    let h = app
        .ok(
            "query($id: ID!) { run(id: $id) { steps { history { kind fromValue toValue } } } }",
            json!({"id": run}),
        )
        .await;
    let last = h["run"]["steps"][1]["history"].as_array().unwrap();
    assert!(last.iter().any(|e| e["toValue"] == "COMPLETE"), "{h:#}");
}

#[tokio::test]
async fn hold_resumes_and_cancel_cancels_every_open_step() {
    let app = app().await;
    let run = new_run(&app, "S", 3).await;
    set_status(&app, &run, "in_progress").await;

    let d = set_status(&app, &run, "hold").await;
    let r = &d["data"]["updateRun"]["run"];
    assert_eq!(r["status"], "HOLD", "{d:#}");
    assert!(
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "HOLD")
    );

    // Start again: every step goes back where it was.
    let d = set_status(&app, &run, "in_progress").await;
    let steps: Vec<&str> = d["data"]["updateRun"]["run"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["IN_PROGRESS", "TODO", "TODO"], "{d:#}");

    let d = set_status(&app, &run, "canceled").await;
    let r = &d["data"]["updateRun"]["run"];
    assert_eq!(r["status"], "CANCELED", "{d:#}");
    assert!(
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "CANCELED")
    );
    assert_eq!(
        codes(&set_status(&app, &run, "complete").await),
        ["INVALID_TRANSITION"]
    );
    // `pending` (ION's TODO) is derived only: refused with the statuses that can be set.
    let e = set_status(&app, &run, "pending").await;
    assert_eq!(codes(&e), ["INVALID_TRANSITION"]);
    assert!(message(&e).contains("IN_PROGRESS, COMPLETE, HOLD or CANCELED"));
}

#[tokio::test]
async fn starting_a_blocked_run_and_values_on_unstartable_steps_are_refused() {
    let app = app().await;
    let run = new_run(&app, "S", 2).await;

    // Step 2 waits for step 1: a value written to it names the blocker and writes nothing.
    let e = set_field(&app, &run, 1, 0, json!(5)).await;
    assert_eq!(codes(&e), ["STEP_NOT_AVAILABLE"], "{e:#}");
    assert!(message(&e).contains("Step 1"));
    let r = run_state(&app, &run).await;
    assert_eq!(r["steps"][1]["status"], "TODO");
    assert!(r["steps"][1]["fields"][0]["value"].is_null());

    // A value written to step 1 starts it and the run.
    assert!(
        set_field(&app, &run, 0, 0, json!(5))
            .await
            .get("errors")
            .is_none()
    );
    let r = run_state(&app, &run).await;
    assert_eq!(
        (r["status"].as_str(), r["steps"][0]["status"].as_str()),
        (Some("IN_PROGRESS"), Some("IN_PROGRESS"))
    );
    assert!(!r["startedAt"].is_null());
    assert!(
        set_step(&app, &run, 0, "COMPLETE")
            .await
            .get("errors")
            .is_none()
    );
    let e = set_field(&app, &run, 0, 0, json!(6)).await;
    assert_eq!(codes(&e), ["FIELD_INVALID"]);
    assert!(message(&e).contains("redline"), "{e:#}");

    // A run whose only TODO step is blocked by a failed one cannot start.
    let run = new_run(&app, "F", 1).await;
    set_step(&app, &run, 0, "IN_PROGRESS").await;
    set_step(&app, &run, 0, "FAILED").await;
    let e = set_status(&app, &run, "in_progress").await;
    assert_eq!(codes(&e), ["INVALID_TRANSITION"], "{e:#}");
}

/// A run completed directly while another request clears a required value of its open
/// step (holding the step, as every step action does): the completion waits for it, then
/// plans on the value as cleared and is refused, the step still open. PostgreSQL only:
/// SQLite's one writer cannot interleave two writes.
#[tokio::test]
async fn completing_a_run_waits_for_a_value_being_cleared() {
    let Some(app) = postgres_app().await else {
        return;
    };
    let run = new_run(&app, "S", 1).await;
    set_status(&app, &run, "in_progress").await;
    set_field(&app, &run, 0, 0, json!(5)).await;
    let r = run_state(&app, &run).await;
    let (step, field) = (
        id(&r["steps"][0]["id"]),
        id(&r["steps"][0]["fields"][0]["id"]),
    );
    let clear = format!(
        "SELECT id FROM run_steps WHERE id = {step} FOR UPDATE; \
         UPDATE run_step_fields SET value = NULL WHERE id = {field}"
    );
    let (out, took) = while_another_writes(&app, &clear, set_status(&app, &run, "complete")).await;
    assert!(took.as_millis() >= 400, "it waited: {took:?}");
    assert!(!message(&out).is_empty(), "refused: {out:#}");
    assert!(message(&out).contains("torque"), "{out:#}");
    assert_eq!(
        run_state(&app, &run).await["steps"][0]["status"],
        "IN_PROGRESS"
    );
}
