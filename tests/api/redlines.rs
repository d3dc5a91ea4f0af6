//! Redlines by adding work to a run (ION's `createRunStep` / `createRunStepField`).

use serde_json::{Value, json};

use crate::execution::{run_state, set_field, set_step, while_another_writes};
use crate::fixtures::*;
use crate::harness::*;

/// The shape of ion-examples' CREATE_RUN_STEP (ids sent as numbers).
const CREATE_STEP: &str = "mutation CreateRunStep($input: CreateRunStepInput!) { createRunStep(input: $input) { step { id title content status _etag blockers } } }";
/// The shape of ion-examples' CREATE_RUN_STEP_FIELD.
const CREATE_FIELD: &str = "mutation CreateRunStepField($input: CreateRunStepFieldInput!) { createRunStepField(input: $input) { runStepField { id name type value _etag } } }";

fn num(v: &Value) -> i64 {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_step_added_to_a_run_starts_in_redline_and_reaches_the_batch() {
    let app = app().await;
    let runs = batch(&app, "R", 3).await;
    let before = run_state(&app, &runs[0]).await;
    let step1 = before["steps"][0]["id"].clone();

    let d = app
        .ok(
            CREATE_STEP,
            json!({"input": {"runId": num(&runs[0]), "title": "Re-torque", "content": "Use the new spec", "upstreamStepIds": [num(&step1)]}}),
        )
        .await;
    let step = &d["createRunStep"]["step"];
    assert_eq!(step["status"], "REDLINE");
    assert_eq!(step["title"], "Re-torque");
    assert!(
        step["blockers"][0].as_str().unwrap().contains("Step 1"),
        "{d:#}"
    );
    // Every run of the batch has the step, in REDLINE, and rolls up to REDLINE.
    for r in &runs {
        let s = run_state(&app, r).await;
        assert_eq!(s["status"], "REDLINE", "{s:#}");
        assert_eq!(s["steps"].as_array().unwrap().len(), 3);
        assert_eq!(s["steps"][2]["status"], "REDLINE");
    }

    // ION's entityId names the procedure step a run step came from; none for a redline.
    let d = app
        .ok(
            "query($id: ID!) { run(id: $id) { steps { entityId originStepId } } }",
            json!({"id": runs[0]}),
        )
        .await;
    let steps = &d["run"]["steps"];
    assert!(steps[0]["entityId"].is_string() && steps[0]["entityId"] == steps[0]["originStepId"]);
    assert!(
        steps[2]["entityId"].is_null() && steps[2]["originStepId"].is_null(),
        "{d:#}"
    );

    // A field on the new step reaches the siblings' copies.
    let d = app
        .ok(
            CREATE_FIELD,
            json!({"input": {"runStepId": step["id"], "name": "torque2", "type": "NUMBER", "required": true, "min": 0, "max": 50}}),
        )
        .await;
    assert_eq!(d["createRunStepField"]["runStepField"]["type"], "NUMBER");
    for r in &runs {
        let s = run_state(&app, r).await;
        assert_eq!(s["steps"][2]["fields"][0]["name"], "torque2", "{s:#}");
    }

    // TODO closes the redline, on the siblings too (they share the step's origin).
    let d = set_step(&app, &runs[0], 2, "TODO").await;
    assert_eq!(
        d["data"]["updateRunStep"]["updatedSiblingIds"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{d:#}"
    );
    for r in &runs {
        assert_eq!(run_state(&app, r).await["status"], "TODO");
    }
    // The step is worked like any other once its upstream step is done.
    set_field(&app, &runs[0], 0, 0, json!(1)).await;
    set_step(&app, &runs[0], 0, "COMPLETE").await;
    assert!(
        set_field(&app, &runs[0], 2, 0, json!(20))
            .await
            .get("errors")
            .is_none()
    );
    let s = run_state(&app, &runs[0]).await;
    assert_eq!(s["steps"][2]["status"], "IN_PROGRESS");
    assert_eq!(s["steps"][2]["fields"][0]["value"], 20.0);

    // The history records the redline.
    let h = app
        .ok(
            "query($id: ID!) { run(id: $id) { steps { history { kind toValue } } } }",
            json!({"id": runs[1]}),
        )
        .await;
    let kinds: Vec<(&str, &str)> = h["run"]["steps"][2]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap(),
                e["toValue"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        kinds[..2],
        [("STATUS", "REDLINE"), ("FIELD_ADDED", "torque2")],
        "{h:#}"
    );
}

#[tokio::test]
async fn redlines_are_refused_on_finished_runs_and_steps_not_in_redline() {
    let app = app().await;
    let runs = batch(&app, "F", 1).await;
    let run = &runs[0];
    // A field on a TODO step: the step must be put in REDLINE first.
    let s = run_state(&app, run).await;
    let e = app
        .gql(
            CREATE_FIELD,
            json!({"input": {"runStepId": s["steps"][0]["id"], "name": "x", "type": "STRING"}}),
        )
        .await;
    assert_eq!(codes(&e), ["INVALID_TRANSITION"], "{e:#}");
    // A step of another run as parent or upstream is refused at its input path.
    let other = runs_of_other(&app).await;
    let e = app
        .gql(
            CREATE_STEP,
            json!({"input": {"runId": run, "title": "X", "parentId": other}}),
        )
        .await;
    assert_eq!(codes(&e), ["BAD_USER_INPUT"]);
    assert_eq!(
        e["errors"][0]["extensions"]["field"],
        json!(["input", "parentId"])
    );
    let e = app
        .gql(CREATE_STEP, json!({"input": {"runId": run, "title": "X", "upstreamStepIds": [s["steps"][0]["id"], other]}}))
        .await;
    assert_eq!(
        e["errors"][0]["extensions"]["field"],
        json!(["input", "upstreamStepIds", 1])
    );

    // Finish the run; then nothing can be added and nothing is.
    let e = app
        .gql(CREATE_STEP, json!({"input": {"runId": run, "title": " "}}))
        .await;
    assert_eq!(codes(&e), ["BAD_USER_INPUT"]);
    for i in 0..2 {
        set_field(&app, run, i, 0, json!(1)).await;
        if i == 0 {
            set_step(&app, run, 0, "COMPLETE").await;
        }
    }
    set_step(&app, run, 1, "COMPLETE").await;
    assert_eq!(run_state(&app, run).await["status"], "COMPLETE");
    let e = app
        .gql(
            CREATE_STEP,
            json!({"input": {"runId": run, "title": "Late"}}),
        )
        .await;
    assert_eq!(codes(&e), ["INVALID_TRANSITION"], "{e:#}");
    assert_eq!(
        run_state(&app, run).await["steps"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// A step of a run of another part: a valid id that is not a step of the run.
async fn runs_of_other(app: &TestApp) -> Value {
    let r = batch(app, "O", 1).await;
    run_state(app, &r[0]).await["steps"][0]["id"].clone()
}

/// A field added to a redlined step while another request closes the redline (holding the
/// step, as every step action does) waits for it, then is refused as on any step not in
/// REDLINE: no field lands on a step that left REDLINE. PostgreSQL only: SQLite's one
/// writer cannot interleave two writes.
#[tokio::test]
async fn a_field_waits_for_its_step_leaving_redline_and_is_refused() {
    let Some(app) = postgres_app().await else {
        return;
    };
    let runs = batch(&app, "R", 2).await;
    let d = app
        .ok(
            CREATE_STEP,
            json!({"input": {"runId": num(&runs[0]), "title": "Re-torque"}}),
        )
        .await;
    let step = d["createRunStep"]["step"]["id"].clone();
    let close = format!(
        "SELECT id FROM run_steps WHERE id = {} FOR UPDATE; \
         UPDATE run_steps SET status = 'TODO' WHERE id = {}",
        id(&step),
        id(&step)
    );
    let add = app.gql(
        CREATE_FIELD,
        json!({"input": {"runStepId": step, "name": "late", "type": "NUMBER"}}),
    );
    let (out, took) = while_another_writes(&app, &close, add).await;
    assert!(took.as_millis() >= 400, "it waited: {took:?}");
    assert_eq!(
        out["errors"][0]["extensions"]["code"], "INVALID_TRANSITION",
        "{out:#}"
    );
    for r in &runs {
        let s = run_state(&app, r).await;
        assert_eq!(s["steps"][2]["fields"], json!([]), "{s:#}");
    }
}
