//! Working runs: the state machine, availability, fields, rollup, batches, history.

use sea_orm::DbBackend;
use serde_json::{Value, json};

use crate::fixtures::*;
use crate::harness::*;

pub const RUN: &str = "query($id: ID!) { run(id: $id) { status startedAt completedAt partInventory { status } steps { id _etag status availableToWork blockers fields { id _etag name value } } } }";
const STEP: &str = "mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) { runStep { id _etag status } updatedSiblingIds skippedSiblings { runId reason } } }";
const FIELD: &str = "mutation($i: UpdateRunStepFieldValueInput!) { updateRunStepFieldValue(input: $i) { runStepField { id _etag value } updatedSiblingStepIds } }";

pub async fn run_state(app: &TestApp, run_id: &Value) -> Value {
    app.ok(RUN, json!({"id": run_id})).await["run"].clone()
}

pub async fn set_step(app: &TestApp, run_id: &Value, i: usize, status: &str) -> Value {
    let r = run_state(app, run_id).await;
    let s = &r["steps"][i];
    app.gql(
        STEP,
        json!({"i": {"id": s["id"], "etag": s["_etag"], "status": status}}),
    )
    .await
}

pub async fn set_field(app: &TestApp, run_id: &Value, i: usize, f: usize, value: Value) -> Value {
    let r = run_state(app, run_id).await;
    let field = &r["steps"][i]["fields"][f];
    app.gql(
        FIELD,
        json!({"i": {"id": field["id"], "etag": field["_etag"], "value": value}}),
    )
    .await
}

#[tokio::test]
async fn drive_a_run_to_completion_and_through_exceptions() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let proc_ = chain_procedure(&app, &s, 2, true).await;
    let d = app
        .ok(
            "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }",
            json!({"i": {"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true}}),
        )
        .await;
    let run_id = d["createRun"]["run"]["id"].clone();

    let r = run_state(&app, &run_id).await;
    assert_eq!(r["steps"][0]["availableToWork"], true);
    assert_eq!(r["steps"][1]["availableToWork"], false);
    assert!(
        r["steps"][1]["blockers"][0]
            .as_str()
            .unwrap()
            .contains("Step 1")
    );

    // Blocked start.
    let e = set_step(&app, &run_id, 1, "IN_PROGRESS").await;
    assert_eq!(codes(&e), ["STEP_NOT_AVAILABLE"]);
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Step 1")
    );
    // Forbidden change names both states.
    let e = set_step(&app, &run_id, 0, "COMPLETE").await;
    assert_eq!(codes(&e), ["INVALID_TRANSITION"]);
    assert!(
        e["errors"][0]["message"].as_str().unwrap().contains("TODO")
            && e["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("COMPLETE")
    );

    // Start.
    assert!(
        set_step(&app, &run_id, 0, "IN_PROGRESS")
            .await
            .get("errors")
            .is_none()
    );
    let r = run_state(&app, &run_id).await;
    assert_eq!(r["status"], "IN_PROGRESS");
    assert!(!r["startedAt"].is_null());

    // Completion needs the required field.
    let e = set_step(&app, &run_id, 0, "COMPLETE").await;
    assert_eq!(codes(&e), ["FIELD_INVALID"]);
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("torque")
    );
    // Invalid value, then a valid one.
    assert_eq!(
        codes(&set_field(&app, &run_id, 0, 0, json!(150)).await),
        ["FIELD_INVALID"]
    );
    assert_eq!(
        codes(&set_field(&app, &run_id, 0, 0, json!("abc")).await),
        ["FIELD_INVALID"]
    );
    let ok = set_field(&app, &run_id, 0, 0, json!(42.5)).await;
    assert_eq!(
        ok["data"]["updateRunStepFieldValue"]["runStepField"]["value"],
        42.5
    );
    assert!(
        set_step(&app, &run_id, 0, "COMPLETE")
            .await
            .get("errors")
            .is_none()
    );
    assert_eq!(run_state(&app, &run_id).await["status"], "IN_PROGRESS");

    // Hold and back.
    assert!(
        set_step(&app, &run_id, 1, "HOLD")
            .await
            .get("errors")
            .is_none()
    );
    assert_eq!(run_state(&app, &run_id).await["status"], "HOLD");
    assert_eq!(
        codes(&set_step(&app, &run_id, 1, "IN_PROGRESS").await),
        ["INVALID_TRANSITION"],
        "HOLD returns where it came from"
    );
    assert!(
        set_step(&app, &run_id, 1, "TODO")
            .await
            .get("errors")
            .is_none()
    );

    // Redline and back.
    assert!(
        set_step(&app, &run_id, 1, "REDLINE")
            .await
            .get("errors")
            .is_none()
    );
    assert_eq!(run_state(&app, &run_id).await["status"], "REDLINE");
    assert!(
        set_step(&app, &run_id, 1, "TODO")
            .await
            .get("errors")
            .is_none()
    );

    // Failure and rework.
    assert!(
        set_step(&app, &run_id, 1, "IN_PROGRESS")
            .await
            .get("errors")
            .is_none()
    );
    assert!(
        set_step(&app, &run_id, 1, "FAILED")
            .await
            .get("errors")
            .is_none()
    );
    let r = run_state(&app, &run_id).await;
    assert_eq!(r["status"], "FAILED");
    assert_eq!(
        r["partInventory"]["status"], "WIP",
        "a failed run's unit waits for a person"
    );
    assert!(
        set_step(&app, &run_id, 1, "TODO")
            .await
            .get("errors")
            .is_none()
    );
    assert!(
        set_step(&app, &run_id, 1, "IN_PROGRESS")
            .await
            .get("errors")
            .is_none()
    );
    set_field(&app, &run_id, 1, 0, json!(9)).await;
    set_field(&app, &run_id, 1, 0, json!(10)).await;
    assert!(
        set_step(&app, &run_id, 1, "COMPLETE")
            .await
            .get("errors")
            .is_none()
    );
    let r = run_state(&app, &run_id).await;
    assert_eq!(r["status"], "COMPLETE");
    assert!(!r["completedAt"].is_null());
    assert_eq!(r["partInventory"]["status"], "AVAILABLE");

    // History records who, when, from, to.
    let h = app.ok("query($id: ID!) { run(id: $id) { steps { history { kind fromValue toValue userId createdAt } } } }", json!({"id": run_id})).await;
    let h1 = h["run"]["steps"][1]["history"].as_array().unwrap();
    assert!(h1.iter().any(|e| e["kind"] == "STATUS"
        && e["fromValue"] == "IN_PROGRESS"
        && e["toValue"] == "FAILED"));
    // A value's history holds the value it replaced (written with the change, in one call).
    assert!(
        h1.iter()
            .any(|e| e["kind"] == "FIELD_VALUE" && e["fromValue"] == "9" && e["toValue"] == "10")
    );
    let done = app
        .ok(
            "{ runs(filters: {status: {eq: COMPLETE}}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(done["runs"]["totalCount"], 1);
}

#[tokio::test]
async fn batch_propagates_to_siblings_that_can_take_it() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let proc_ = chain_procedure(&app, &s, 2, true).await;
    let d = app
        .ok(
            "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runs { id } } }",
            json!({"i": {"runs": [{"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true, "copies": 3}]}}),
        )
        .await;
    let runs: Vec<Value> = d["createBatchedRun"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    // A hold propagates to every sibling...
    let held = set_step(&app, &runs[2], 0, "HOLD").await;
    assert_eq!(
        held["data"]["updateRunStep"]["updatedSiblingIds"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        set_step(&app, &runs[2], 0, "TODO")
            .await
            .get("errors")
            .is_none()
    );
    assert_eq!(
        run_state(&app, &runs[0]).await["steps"][0]["status"],
        "TODO"
    );
    // ...so take the third run out, hold it alone, and bring it back: now it differs.
    let batch_id = app
        .ok(
            "query($id: ID!) { run(id: $id) { runBatchId } }",
            json!({"id": runs[2]}),
        )
        .await["run"]["runBatchId"]
        .clone();
    app.ok(
        "mutation($r: ID!) { removeRunFromBatch(input: {runId: $r}) { run { runBatchId } } }",
        json!({"r": runs[2]}),
    )
    .await;
    assert!(
        set_step(&app, &runs[2], 0, "HOLD")
            .await
            .get("errors")
            .is_none()
    );
    app.ok("mutation($b: ID!, $r: ID!) { addRunsToBatch(input: {runBatchId: $b, runIds: [$r]}) { runBatch { runs { id } } } }", json!({"b": batch_id, "r": runs[2]})).await;
    let out = set_step(&app, &runs[0], 0, "IN_PROGRESS").await;
    let p = &out["data"]["updateRunStep"];
    assert_eq!(p["updatedSiblingIds"].as_array().unwrap().len(), 1);
    assert_eq!(p["skippedSiblings"].as_array().unwrap().len(), 1);
    assert_eq!(p["skippedSiblings"][0]["runId"], runs[2]);
    assert_eq!(
        run_state(&app, &runs[1]).await["steps"][0]["status"],
        "IN_PROGRESS"
    );
    assert_eq!(
        run_state(&app, &runs[2]).await["steps"][0]["status"],
        "HOLD"
    );
    // A value propagates to the siblings in progress.
    set_field(&app, &runs[0], 0, 0, json!(7)).await;
    assert_eq!(
        run_state(&app, &runs[1]).await["steps"][0]["fields"][0]["value"],
        7
    );
    assert!(run_state(&app, &runs[2]).await["steps"][0]["fields"][0]["value"].is_null());
    // Membership: a removed run no longer follows.
    app.ok(
        "mutation($r: ID!) { removeRunFromBatch(input: {runId: $r}) { run { runBatchId } } }",
        json!({"r": runs[1]}),
    )
    .await;
    set_step(&app, &runs[0], 0, "COMPLETE").await;
    assert_eq!(
        run_state(&app, &runs[1]).await["steps"][0]["status"],
        "IN_PROGRESS"
    );
    app.ok("mutation($b: ID!, $r: ID!) { addRunsToBatch(input: {runBatchId: $b, runIds: [$r]}) { runBatch { runs { id } } } }", json!({"b": batch_id, "r": runs[1]})).await;
}

/// Holds `sql` in an open transaction of another writer for half a second while `action`
/// runs, then commits; returns what `action` answered and how long it took.
pub async fn while_another_writes<F: std::future::Future<Output = Value>>(
    app: &TestApp,
    sql: &str,
    action: F,
) -> (Value, std::time::Duration) {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let other = app.db.begin().await.unwrap();
    other.execute_unprepared(sql).await.unwrap();
    let start = std::time::Instant::now();
    let commit = async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        other.commit().await.unwrap();
    };
    let (out, ()) = tokio::join!(async { (action.await, start.elapsed()) }, commit);
    out
}

/// A batch action on steps another request is changing waits for it (PostgreSQL locks the
/// step and its siblings in id order before deciding), then decides on what it wrote: the
/// sibling put on HOLD meanwhile is skipped, keeps its state and gets no history.
/// PostgreSQL only: SQLite's one writer cannot interleave two writes.
#[tokio::test]
async fn a_batch_action_waits_for_a_sibling_being_changed_and_skips_it() {
    let Some(app) = postgres_app().await else {
        return;
    };
    let runs = batch(&app, "S", 3).await;
    let sibling = id(&run_state(&app, &runs[1]).await["steps"][0]["id"]);
    let hold = format!("UPDATE run_steps SET status = 'HOLD' WHERE id = {sibling}");
    let action = set_step(&app, &runs[0], 0, "IN_PROGRESS");
    let (out, took) = while_another_writes(&app, &hold, action).await;
    assert!(took.as_millis() >= 400, "it waited: {took:?}");
    let p = &out["data"]["updateRunStep"];
    assert_eq!(p["runStep"]["status"], "IN_PROGRESS", "{out:#}");
    assert_eq!(
        p["updatedSiblingIds"].as_array().unwrap().len(),
        1,
        "{out:#}"
    );
    assert_eq!(p["skippedSiblings"][0]["runId"], runs[1], "{out:#}");
    let reason = p["skippedSiblings"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("HOLD"), "{reason}");
    let q = "query($id: ID!) { run(id: $id) { steps { status history { kind } } } }";
    let h = app.ok(q, json!({"id": runs[1]})).await;
    assert_eq!(h["run"]["steps"][0]["status"], "HOLD");
    assert_eq!(
        h["run"]["steps"][0]["history"],
        json!([]),
        "no move, no history"
    );
    let h = app.ok(q, json!({"id": runs[2]})).await;
    assert_eq!(h["run"]["steps"][0]["history"].as_array().unwrap().len(), 1);
}

/// A value sent while another request completes its step waits for that request, then is
/// refused as for any COMPLETE step: no value lands on a step after its completion (nor
/// is a required value cleared while it completes). PostgreSQL only, as above.
#[tokio::test]
async fn a_value_waits_for_a_completion_under_way_and_is_refused() {
    let Some(app) = postgres_app().await else {
        return;
    };
    let run = new_run(&app, "S", 2).await;
    set_step(&app, &run, 0, "IN_PROGRESS").await;
    set_field(&app, &run, 0, 0, json!(5)).await;
    let step = id(&run_state(&app, &run).await["steps"][0]["id"]);
    let complete = format!("UPDATE run_steps SET status = 'COMPLETE' WHERE id = {step}");
    let action = set_field(&app, &run, 0, 0, json!(6));
    let (out, took) = while_another_writes(&app, &complete, action).await;
    assert!(took.as_millis() >= 400, "it waited: {took:?}");
    assert_eq!(
        out["errors"][0]["extensions"]["code"], "FIELD_INVALID",
        "{out:#}"
    );
    let message = out["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("COMPLETE"), "{message}");
    let r = run_state(&app, &run).await;
    assert_eq!(
        r["steps"][0]["fields"][0]["value"], 5,
        "the value before the completion"
    );
}

/// A step action in a batch is a fixed number of statements, whatever the batch size.
#[tokio::test]
async fn batch_actions_take_the_same_statements_for_3_or_30_runs() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let proc_ = chain_procedure(&app, &s, 3, true).await;
    let mut counts = Vec::new();
    for n in [3, 30] {
        let d = app
            .ok(
                "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runs { id } } }",
                json!({"i": {"runs": [{"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true, "copies": n}]}}),
            )
            .await;
        let first = d["createBatchedRun"]["runs"][0]["id"].clone();
        let r = run_state(&app, &first).await;
        let step = &r["steps"][0];
        let before = app.count();
        let out = app
            .gql(
                STEP,
                json!({"i": {"id": step["id"], "etag": step["_etag"], "status": "IN_PROGRESS"}}),
            )
            .await;
        counts.push(app.count() - before);
        assert_eq!(
            out["data"]["updateRunStep"]["updatedSiblingIds"]
                .as_array()
                .unwrap()
                .len(),
            n - 1
        );
        let field = &run_state(&app, &first).await["steps"][0]["fields"][0];
        let before = app.count();
        let out = app
            .gql(
                FIELD,
                json!({"i": {"id": field["id"], "etag": field["_etag"], "value": 5}}),
            )
            .await;
        counts.push(app.count() - before);
        assert_eq!(
            out["data"]["updateRunStepFieldValue"]["updatedSiblingStepIds"]
                .as_array()
                .unwrap()
                .len(),
            n - 1
        );
    }
    assert_eq!(counts[0], counts[2], "status change: {counts:?}");
    assert_eq!(counts[1], counts[3], "field value: {counts:?}");
}

/// Where the time of a step action in a batch of 500 goes (run with TRACE_SQL=1).
#[tokio::test]
#[ignore = "diagnostic"]
async fn batch_of_500_trace() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let proc_ = chain_procedure(&app, &s, 10, true).await;
    let d = app
        .ok(
            "mutation($i: CreateBatchedRunInput!) { createBatchedRun(input: $i) { runs { id } } }",
            json!({"i": {"runs": [{"partId": s, "procedureId": proc_.id, "autogenerateSerialNumber": true, "copies": 500}]}}),
        )
        .await;
    let first = d["createBatchedRun"]["runs"][0]["id"].clone();
    let r = run_state(&app, &first).await;
    let step = &r["steps"][0];
    eprintln!("---- action");
    let t = std::time::Instant::now();
    app.gql(
        STEP,
        json!({"i": {"id": step["id"], "etag": step["_etag"], "status": "IN_PROGRESS"}}),
    )
    .await;
    eprintln!("---- {:?}", t.elapsed());
    let r = run_state(&app, &first).await;
    let step = &r["steps"][0];
    eprintln!("---- action 2");
    let t = std::time::Instant::now();
    app.gql(
        STEP,
        json!({"i": {"id": step["id"], "etag": step["_etag"], "status": "HOLD"}}),
    )
    .await;
    eprintln!("---- {:?}", t.elapsed());
}

/// `Run.allSteps` gives a traveler of any depth in one list: parents before children, in
/// order, within the default query limits even with fields and history selected.
#[tokio::test]
async fn all_steps_lists_every_level_in_traveler_order() {
    let app = app().await;
    let s = part(&app, "N", "SERIAL").await;
    let pid = procedure(&app, "Nested", &s).await;
    let mut parent: Option<String> = None;
    for title in ["A", "A.1", "A.1.1", "A.1.1.1"] {
        let d = app
            .ok(
                "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
                json!({"i": {"procedureId": pid, "title": title, "parentId": parent, "fields": [{"name": "n", "type": "NUMBER"}]}}),
            )
            .await;
        parent = Some(id(&d["createStep"]["step"]["id"]));
    }
    app.ok(
        "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
        json!({"i": {"procedureId": pid, "title": "B"}}),
    )
    .await;
    release_procedure(&app, &pid).await;
    let d = app
        .ok(
            "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }",
            json!({"i": {"partId": s, "procedureId": pid, "autogenerateSerialNumber": true}}),
        )
        .await;
    let q = "query($id: ID!) { run(id: $id) { allSteps { id parentId title status availableToWork blockers history { kind } fields { id name value } } } }";
    let d = app.ok(q, json!({"id": d["createRun"]["run"]["id"]})).await;
    let steps = d["run"]["allSteps"].as_array().unwrap();
    let titles: Vec<&str> = steps.iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["A", "A.1", "A.1.1", "A.1.1.1", "B"]);
    for w in 1..4 {
        assert_eq!(steps[w]["parentId"], steps[w - 1]["id"], "{d:#}");
    }
    assert!(steps[4]["parentId"].is_null());
}

/// A step action reads what its rules need and what its payload asks for, nothing more:
/// a payload of plain columns loads no traveler, and the run already read is not read again
/// for the failed-run check, nor by the roll-up on SQLite; a step and its run are one
/// statement, a field with its run and step one, a change with its history rows one (a
/// data-modifying WITH on PostgreSQL, two statements in one call on SQLite: what is
/// counted is calls to the database). Counted on the second step, when id blocks and keys
/// are warm.
#[tokio::test]
async fn step_actions_read_only_what_they_need() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let p = chain_procedure(&app, &s, 3, true).await;
    let d = app
        .ok(
            "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }",
            json!({"i": {"partId": s, "procedureId": p.id, "autogenerateSerialNumber": true}}),
        )
        .await;
    let run = d["createRun"]["run"]["id"].clone();
    let plain = "mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) { runStep { id _etag status } } }";
    let mut counts = Vec::new();
    for i in 0..2 {
        let step = run_state(&app, &run).await["steps"][i].clone();
        let before = app.count();
        let i_ = json!({"i": {"id": step["id"], "etag": step["_etag"], "status": "IN_PROGRESS"}});
        app.ok(plain, i_).await;
        let start = app.count() - before;
        let field = run_state(&app, &run).await["steps"][i]["fields"][0].clone();
        let before = app.count();
        let v = json!({"i": {"id": field["id"], "etag": field["_etag"], "value": 5}});
        app.ok(FIELD, v).await;
        let value = app.count() - before;
        let step = run_state(&app, &run).await["steps"][i].clone();
        let before = app.count();
        let c = json!({"i": {"id": step["id"], "etag": step["_etag"], "status": "COMPLETE"}});
        app.ok(plain, c).await;
        counts = vec![start, value, app.count() - before];
    }
    // PostgreSQL locks the step before deciding (every action), and the run before the
    // roll-up reads its steps (a step action); SQLite's one writer keeps what it read.
    let lock = usize::from(app.db.get_database_backend() == DbBackend::Postgres);
    // The run is IN_PROGRESS already: starting a step leaves it so, its steps unread.
    assert_eq!(
        counts,
        [5 + 2 * lock, 3 + lock, 5 + 2 * lock],
        "start, value, complete"
    );
    // Asking for what needs the traveler loads it then, and answers it right.
    let step = run_state(&app, &run).await["steps"][2].clone();
    let out = app
        .ok(
            "mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) { runStep { status availableToWork blockers upstreamStepIds fields { name } } } }",
            json!({"i": {"id": step["id"], "etag": step["_etag"], "status": "IN_PROGRESS"}}),
        )
        .await;
    let s = &out["updateRunStep"]["runStep"];
    assert_eq!(s["status"], "IN_PROGRESS");
    assert_eq!(s["availableToWork"], false);
    assert_eq!(s["blockers"], json!([]));
    assert_eq!(s["upstreamStepIds"].as_array().unwrap().len(), 1);
    assert_eq!(s["fields"][0]["name"], "torque");
}

/// A run's status follows its steps when its last steps finish at the same moment: two
/// operators completing the last two parallel steps together leave the run COMPLETE. On
/// PostgreSQL the two transactions overlap; without the run's row lock in `roll_up` each
/// saw the other's step still IN_PROGRESS and the run stayed IN_PROGRESS for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_last_steps_completed_together_complete_the_run() {
    let app = std::sync::Arc::new(app().await);
    let s = part(&app, "P", "SERIAL").await;
    let pid = procedure(&app, "Parallel", &s).await;
    for t in ["Left", "Right"] {
        app.ok(
            "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
            json!({"i": {"procedureId": pid, "title": t}}),
        )
        .await;
    }
    release_procedure(&app, &pid).await;
    for round in 0..12 {
        let d = app
            .ok(
                "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }",
                json!({"i": {"partId": s, "procedureId": pid, "autogenerateSerialNumber": true}}),
            )
            .await;
        let run = d["createRun"]["run"]["id"].clone();
        set_step(&app, &run, 0, "IN_PROGRESS").await;
        set_step(&app, &run, 1, "IN_PROGRESS").await;
        let steps = run_state(&app, &run).await["steps"].clone();
        let complete = |i: usize| {
            let (app, s) = (app.clone(), steps[i].clone());
            tokio::spawn(async move {
                let v = json!({"i": {"id": s["id"], "etag": s["_etag"], "status": "COMPLETE"}});
                app.ok(STEP, v).await
            })
        };
        let (a, b) = (complete(0), complete(1));
        a.await.unwrap();
        b.await.unwrap();
        let r = run_state(&app, &run).await;
        assert_eq!(r["status"], "COMPLETE", "round {round}: {r}");
    }
}
