//! Issue 14: work centers, lead-time scheduling, a work center's queue, the timeline with
//! capacity conflicts, rescheduling, and scoping.

use std::time::Duration;

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::harness::*;

const CREATE_WC: &str = "mutation($i: CreateWorkCenterInput!) { createWorkCenter(input: $i) { workCenter { id _etag name capacity active } } }";
const CREATE_RUN: &str = "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id _etag scheduledStart scheduledEnd priority workCenterId workCenter { name } } } }";
const UPDATE_RUN: &str = "mutation($i: UpdateRunInput!) { updateRun(input: $i) { run { id _etag scheduledStart scheduledEnd priority workCenter { id } } } }";
const QUEUE: &str = "query($w: ID!, $f: RunsInputFilters) { workCenter(id: $w) { queue(filters: $f, first: 50) { totalCount edges { node { title priority steps { id availableToWork } workCenter { name } assignedTo { name } } } } } }";
const SCHEDULE: &str = "query($from: DateTime!, $to: DateTime!, $w: [ID!]) { schedule(from: $from, to: $to, workCenterIds: $w) { run { title steps { id } } workCenter { name capacity } conflicts { from to runCount capacity } } }";

async fn work_center(app: &TestApp, name: &str, capacity: Option<i32>) -> Value {
    let d = app
        .ok(
            CREATE_WC,
            json!({"i": {"name": name, "capacity": capacity}}),
        )
        .await;
    d["createWorkCenter"]["workCenter"].clone()
}

/// A run of part `part` (no procedure) with the given input fields added.
async fn run(app: &TestApp, part: &str, title: &str, extra: Value) -> Value {
    let mut i = json!({"partId": part, "title": title});
    i.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    app.ok(CREATE_RUN, json!({"i": i})).await["createRun"]["run"].clone()
}

/// `2026-12-07T<h>:00:00Z`, `h` hours after midnight (may run into the next days).
fn at(h: i64) -> String {
    let t = chrono::DateTime::parse_from_rfc3339("2026-12-07T00:00:00Z").unwrap()
        + chrono::Duration::hours(h);
    t.with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn titles(list: &Value, path: &[&str]) -> Vec<String> {
    let mut v = list;
    for p in path {
        v = &v[p];
    }
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let r = if e.get("node").is_some() {
                &e["node"]
            } else {
                &e["run"]
            };
            r["title"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Statements one request takes.
async fn statements(app: &TestApp, q: &str, v: Value) -> usize {
    let before = app.count();
    app.ok(q, v).await;
    app.count() - before
}

/// A released procedure: a(30) -> b(10), a -> c(45), b and c -> d(5): 80 minutes.
async fn diamond(app: &TestApp, part: &str) -> String {
    let d = app.ok("mutation($p: ID!) { createProcedure(input: {title: \"Diamond\", partIds: [$p]}) { procedure { id } } }", json!({"p": part})).await;
    let pid = id(&d["createProcedure"]["procedure"]["id"]);
    let mut ids: Vec<String> = Vec::new();
    for (title, lead, up) in [
        ("a", 30, vec![]),
        ("b", 10, vec![0]),
        ("c", 45, vec![0]),
        ("d", 5, vec![1, 2]),
    ] {
        let upstream: Vec<&String> = up.iter().map(|i: &usize| &ids[*i]).collect();
        let d = app.ok("mutation($i: CreateStepInput!) { createStep(input: $i) { step { id leadTime } } }", json!({"i": {"procedureId": pid, "title": title, "leadTime": lead, "upstreamStepIds": upstream}})).await;
        assert_eq!(d["createStep"]["step"]["leadTime"], lead);
        ids.push(id(&d["createStep"]["step"]["id"]));
    }
    release_procedure(app, &pid).await;
    pid
}

#[tokio::test]
async fn lead_times_set_the_planned_end_at_creation_and_when_rescheduled() {
    let app = app().await;
    let p = part(&app, "LT-1", "NONE").await;
    let pid = diamond(&app, &p).await;
    let wc = work_center(&app, "Mill 1", Some(2)).await;
    let r = run(&app, &p, "R", json!({"procedureId": pid, "workCenterId": wc["id"], "scheduledStart": at(8), "priority": 3})).await;
    assert_eq!(r["scheduledEnd"], "2026-12-07T09:20:00+00:00", "{r}");
    assert_eq!(r["priority"], 3);
    assert_eq!(r["workCenter"]["name"], "Mill 1");
    let steps = app
        .ok(
            "query($r: ID!) { run(id: $r) { allSteps { title leadTime } } }",
            json!({"r": r["id"]}),
        )
        .await;
    let leads: Vec<i64> = steps["run"]["allSteps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["leadTime"].as_i64().unwrap())
        .collect();
    assert_eq!(leads, [30, 10, 45, 5]);

    // A given end is kept; one before the start is refused at its field.
    let kept = run(
        &app,
        &p,
        "K",
        json!({"procedureId": pid, "scheduledStart": at(8), "scheduledEnd": at(20)}),
    )
    .await;
    assert_eq!(kept["scheduledEnd"], "2026-12-07T20:00:00+00:00");
    let bad = app
        .gql(
            CREATE_RUN,
            json!({"i": {"partId": p, "scheduledStart": at(8), "scheduledEnd": at(7)}}),
        )
        .await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"], "{bad}");
    assert_eq!(
        bad["errors"][0]["extensions"]["field"],
        json!(["input", "scheduledEnd"])
    );
    let bad = app
        .gql(
            CREATE_RUN,
            json!({"i": {"partId": p, "scheduledEnd": at(7)}}),
        )
        .await;
    assert_eq!(
        bad["errors"][0]["extensions"]["field"],
        json!(["input", "scheduledStart"]),
        "{bad}"
    );
    let bad = app.gql("mutation($q: ID!) { createStep(input: {procedureId: $q, title: \"x\", leadTime: -1}) { step { id } } }", json!({"q": pid})).await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"], "{bad}");

    // Rescheduling: a new start moves the end by the run's own lead times.
    let d = app
        .ok(
            UPDATE_RUN,
            json!({"i": {"id": r["id"], "etag": r["_etag"], "scheduledStart": at(30)}}),
        )
        .await;
    let moved = &d["updateRun"]["run"];
    assert_eq!(moved["scheduledStart"], "2026-12-08T06:00:00+00:00");
    assert_eq!(moved["scheduledEnd"], "2026-12-08T07:20:00+00:00");
    // The old etag is stale now: nothing changes.
    let stale = app
        .gql(
            UPDATE_RUN,
            json!({"i": {"id": r["id"], "etag": r["_etag"], "scheduledStart": at(40)}}),
        )
        .await;
    assert_eq!(codes(&stale), ["STALE_ETAG"]);
    // An end alone moves only the end; before the start it is refused.
    let d = app.ok(UPDATE_RUN, json!({"i": {"id": r["id"], "etag": moved["_etag"], "scheduledEnd": at(33), "priority": 9}})).await;
    let r2 = &d["updateRun"]["run"];
    assert_eq!(r2["scheduledStart"], "2026-12-08T06:00:00+00:00");
    assert_eq!(r2["scheduledEnd"], "2026-12-08T09:00:00+00:00");
    assert_eq!(r2["priority"], 9);
    let bad = app
        .gql(
            UPDATE_RUN,
            json!({"i": {"id": r["id"], "etag": r2["_etag"], "scheduledEnd": at(1)}}),
        )
        .await;
    assert_eq!(
        bad["errors"][0]["extensions"]["field"],
        json!(["input", "scheduledEnd"]),
        "{bad}"
    );

    // History: each reschedule is an audit event with what was asked.
    let log = app.ok("query($r: ID!) { events(filters: {entity: {eq: \"Run\"}, entityId: {eq: $r}, action: {eq: \"updateRun\"}}) { edges { node { change } } } }", json!({"r": r["id"]})).await;
    let changes = log["events"]["edges"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{log}");
    assert!(
        changes[0]["node"]["change"]
            .to_string()
            .contains("2026-12-08T06:00:00"),
        "{log}"
    );
}

#[tokio::test]
async fn the_queue_is_unfinished_runs_most_urgent_first_without_n_plus_one() {
    let app = app().await;
    let p = part(&app, "Q-1", "NONE").await;
    let proc1 = chain_procedure(&app, &p, 2, true).await;
    let w = work_center(&app, "Lathe", None).await;
    let other = work_center(&app, "Paint", None).await;
    let wid = w["id"].clone();
    let u = app.ok("mutation { createUser(input: {name: \"Op\", email: \"op@x.io\", roles: [OPERATOR]}) { user { id } } }", json!({})).await;
    let uid = u["createUser"]["user"]["id"].clone();
    run(
        &app,
        &p,
        "low-late",
        json!({"workCenterId": wid, "priority": 0, "scheduledStart": at(50)}),
    )
    .await;
    run(
        &app,
        &p,
        "low-early",
        json!({"workCenterId": wid, "priority": 0, "scheduledStart": at(10), "assignedToId": uid}),
    )
    .await;
    run(
        &app,
        &p,
        "low-unscheduled-due",
        json!({"workCenterId": wid, "dueDate": "2026-12-01"}),
    )
    .await;
    run(&app, &p, "low-unscheduled", json!({"workCenterId": wid})).await;
    run(
        &app,
        &p,
        "high",
        json!({"workCenterId": wid, "priority": 5, "procedureId": proc1.id}),
    )
    .await;
    run(
        &app,
        &p,
        "elsewhere",
        json!({"workCenterId": other["id"], "priority": 9}),
    )
    .await;
    let done = run(
        &app,
        &p,
        "canceled",
        json!({"workCenterId": wid, "priority": 9, "procedureId": proc1.id}),
    )
    .await;
    app.ok(
        UPDATE_RUN,
        json!({"i": {"id": done["id"], "etag": done["_etag"], "status": "CANCELED"}}),
    )
    .await;

    let d = app.ok(QUEUE, json!({"w": wid})).await;
    let q = &d["workCenter"]["queue"];
    assert_eq!(
        titles(q, &["edges"]),
        [
            "high",
            "low-early",
            "low-late",
            "low-unscheduled-due",
            "low-unscheduled"
        ],
        "{d:#}"
    );
    assert_eq!(q["totalCount"], 5);
    // The first step of the high-priority run is the one to work.
    assert_eq!(q["edges"][0]["node"]["steps"][0]["availableToWork"], true);
    assert_eq!(q["edges"][0]["node"]["steps"][1]["availableToWork"], false);
    // Filters narrow the queue; `workCenterId` filters run lists too.
    let d = app
        .ok(QUEUE, json!({"w": wid, "f": {"priority": {"gte": 1}}}))
        .await;
    assert_eq!(titles(&d["workCenter"]["queue"], &["edges"]), ["high"]);
    let d = app.ok("query($w: ID!) { runs(filters: {workCenterId: {eq: $w}}, sort: [PRIORITY_DESC, SCHEDULED_START_ASC]) { totalCount } }", json!({"w": other["id"]})).await;
    assert_eq!(d["runs"]["totalCount"], 1);

    // The same statements for 5 queued runs as for 10: nothing is read per run.
    let five = statements(&app, QUEUE, json!({"w": wid})).await;
    for i in 0..5 {
        run(
            &app,
            &p,
            &format!("more-{i}"),
            json!({"workCenterId": wid, "procedureId": proc1.id, "assignedToId": uid}),
        )
        .await;
    }
    assert_eq!(statements(&app, QUEUE, json!({"w": wid})).await, five);
}

const STEP: &str = "mutation($s: ID!, $e: String!, $to: RunStepStatus!) { updateRunStep(input: {id: $s, etag: $e, status: $to}) { runStep { _etag } } }";

/// Titles of a list of steps.
fn step_titles(steps: &Value) -> Vec<&str> {
    let v = steps.as_array().unwrap();
    v.iter().map(|s| s["title"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn queued_runs_list_their_available_steps_first() {
    let app = app().await;
    let p = part(&app, "AF-1", "NONE").await;
    let pid = diamond(&app, &p).await;
    let w = work_center(&app, "Drill", None).await;
    let r = run(
        &app,
        &p,
        "R",
        json!({"procedureId": pid, "workCenterId": w["id"]}),
    )
    .await;
    let d = app
        .ok(
            "query($r: ID!) { run(id: $r) { steps { id _etag title } } }",
            json!({"r": r["id"]}),
        )
        .await;
    let a = &d["run"]["steps"][0];
    let e = app
        .ok(
            STEP,
            json!({"s": a["id"], "e": a["_etag"], "to": "IN_PROGRESS"}),
        )
        .await;
    let etag = &e["updateRunStep"]["runStep"]["_etag"];
    app.ok(STEP, json!({"s": a["id"], "e": etag, "to": "COMPLETE"}))
        .await;

    // `a` is done: `b` and `c` are available, `d` waits for both.
    let q = "query($w: ID!) { workCenter(id: $w) { queue { edges { node { steps { title availableToWork } allSteps { title } traveler: steps(availableFirst: false) { title } } } } } }";
    let d = app.ok(q, json!({"w": w["id"]})).await;
    let node = &d["workCenter"]["queue"]["edges"][0]["node"];
    assert_eq!(step_titles(&node["steps"]), ["b", "c", "a", "d"], "{d:#}");
    assert_eq!(node["steps"][1]["availableToWork"], true);
    assert_eq!(node["steps"][2]["availableToWork"], false);
    assert_eq!(step_titles(&node["allSteps"]), ["b", "c", "a", "d"]);
    assert_eq!(step_titles(&node["traveler"]), ["a", "b", "c", "d"]);

    // Elsewhere the traveler's order, unless asked.
    let q = "query($r: ID!) { run(id: $r) { steps { title } allSteps(availableFirst: true) { title } } }";
    let d = app.ok(q, json!({"r": r["id"]})).await;
    assert_eq!(step_titles(&d["run"]["steps"]), ["a", "b", "c", "d"]);
    assert_eq!(step_titles(&d["run"]["allSteps"]), ["b", "c", "a", "d"]);
    let q = "query { runs(first: 5) { edges { node { steps { title } } } } }";
    let d = app.ok(q, json!({})).await;
    let steps = &d["runs"]["edges"][0]["node"]["steps"];
    assert_eq!(step_titles(steps), ["a", "b", "c", "d"]);
}

#[tokio::test]
async fn update_run_clears_with_an_explicit_null_and_keeps_when_absent() {
    let app = app().await;
    let p = part(&app, "CL-1", "NONE").await;
    let pid = diamond(&app, &p).await;
    let w = work_center(&app, "Saw", None).await;
    let u = app.ok("mutation { createUser(input: {name: \"Op\", email: \"cl@x.io\", roles: [OPERATOR]}) { user { id } } }", json!({})).await;
    let r = run(&app, &p, "R", json!({"procedureId": pid, "workCenterId": w["id"], "scheduledStart": at(8), "dueDate": "2026-12-24", "assignedToId": u["createUser"]["user"]["id"]})).await;
    let up = "mutation($i: UpdateRunInput!) { updateRun(input: $i) { run { _etag workCenterId scheduledStart scheduledEnd dueDate assignedToId priority } } }";

    // Absent: kept (only the priority changes).
    let d = app
        .ok(
            up,
            json!({"i": {"id": r["id"], "etag": r["_etag"], "priority": 4}}),
        )
        .await;
    let kept = &d["updateRun"]["run"];
    assert_eq!(kept["workCenterId"], w["id"], "{d}");
    assert_eq!(kept["scheduledStart"], "2026-12-07T08:00:00+00:00");
    assert_eq!(kept["scheduledEnd"], "2026-12-07T09:20:00+00:00");
    assert_eq!(kept["dueDate"], "2026-12-24");

    // A cleared end is the start plus the lead times again.
    let d = app
        .ok(
            up,
            json!({"i": {"id": r["id"], "etag": kept["_etag"], "scheduledEnd": at(20)}}),
        )
        .await;
    let e = &d["updateRun"]["run"]["_etag"];
    let d = app
        .ok(
            up,
            json!({"i": {"id": r["id"], "etag": e, "scheduledEnd": null}}),
        )
        .await;
    let derived = &d["updateRun"]["run"];
    assert_eq!(derived["scheduledEnd"], "2026-12-07T09:20:00+00:00", "{d}");

    // An end without a start is refused at `scheduledStart`; nothing changes.
    let bad = app.gql(up, json!({"i": {"id": r["id"], "etag": derived["_etag"], "scheduledStart": null, "scheduledEnd": at(9), "workCenterId": null}})).await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"], "{bad}");
    assert_eq!(
        bad["errors"][0]["extensions"]["field"],
        json!(["input", "scheduledStart"])
    );

    // Null clears: the work center, the planned window, the due date, the assignee.
    let d = app.ok(up, json!({"i": {"id": r["id"], "etag": derived["_etag"], "workCenterId": null, "scheduledStart": null, "dueDate": null, "assignedToId": null}})).await;
    let cleared = &d["updateRun"]["run"];
    for f in [
        "workCenterId",
        "scheduledStart",
        "scheduledEnd",
        "dueDate",
        "assignedToId",
    ] {
        assert_eq!(cleared[f], Value::Null, "{f}: {d}");
    }
    assert_eq!(cleared["priority"], 4);
    let d = app.ok(QUEUE, json!({"w": w["id"]})).await;
    assert_eq!(d["workCenter"]["queue"]["totalCount"], 0);

    // Audited with what was asked, the nulls included; the old etag is stale.
    let log = app.ok("query($r: ID!) { events(filters: {entityId: {eq: $r}, action: {eq: \"updateRun\"}}, sort: [ID_DESC]) { edges { node { change } } } }", json!({"r": r["id"]})).await;
    let last = log["events"]["edges"][0]["node"]["change"].to_string();
    assert!(last.contains("\"workCenterId\":null"), "{last}");
    let stale = app
        .gql(
            up,
            json!({"i": {"id": r["id"], "etag": derived["_etag"], "workCenterId": null}}),
        )
        .await;
    assert_eq!(codes(&stale), ["STALE_ETAG"]);
}

#[tokio::test]
async fn run_lists_put_runs_without_a_date_last_both_ways_on_both_databases() {
    let app = app().await;
    let p = part(&app, "N-1", "NONE").await;
    run(&app, &p, "none", json!({})).await;
    run(
        &app,
        &p,
        "early",
        json!({"scheduledStart": at(1), "dueDate": "2026-12-08"}),
    )
    .await;
    run(
        &app,
        &p,
        "late",
        json!({"scheduledStart": at(9), "dueDate": "2026-12-09"}),
    )
    .await;
    run(&app, &p, "none-2", json!({})).await;
    let q = "query($s: [RunSortEnum!]) { runs(sort: $s) { edges { node { title } } } }";
    for (sort, want) in [
        ("SCHEDULED_START_ASC", ["early", "late", "none", "none-2"]),
        ("SCHEDULED_START_DESC", ["late", "early", "none", "none-2"]),
        ("DUE_DATE_ASC", ["early", "late", "none", "none-2"]),
        ("DUE_DATE_DESC", ["late", "early", "none", "none-2"]),
    ] {
        let d = app.ok(q, json!({"s": [sort]})).await;
        assert_eq!(titles(&d["runs"], &["edges"]), want, "{sort}");
    }
}

#[tokio::test]
async fn the_timeline_marks_stretches_over_capacity() {
    let app = app().await;
    let p = part(&app, "S-1", "NONE").await;
    let one = work_center(&app, "Oven", Some(1)).await;
    let free = work_center(&app, "Bench", None).await;
    let (o, f) = (one["id"].clone(), free["id"].clone());
    // At the oven: [0,10), [5,15), [5,8), [10,20); a canceled run occupies nothing.
    run(
        &app,
        &p,
        "a",
        json!({"workCenterId": o, "scheduledStart": at(0), "scheduledEnd": at(10)}),
    )
    .await;
    run(
        &app,
        &p,
        "b",
        json!({"workCenterId": o, "scheduledStart": at(5), "scheduledEnd": at(15)}),
    )
    .await;
    run(
        &app,
        &p,
        "c",
        json!({"workCenterId": o, "scheduledStart": at(5), "scheduledEnd": at(8)}),
    )
    .await;
    run(
        &app,
        &p,
        "d",
        json!({"workCenterId": o, "scheduledStart": at(10), "scheduledEnd": at(20)}),
    )
    .await;
    run(
        &app,
        &p,
        "later",
        json!({"workCenterId": o, "scheduledStart": at(100), "scheduledEnd": at(110)}),
    )
    .await;
    // The bench has no capacity limit; one run has no work center at all.
    run(
        &app,
        &p,
        "e",
        json!({"workCenterId": f, "scheduledStart": at(0), "scheduledEnd": at(10)}),
    )
    .await;
    run(
        &app,
        &p,
        "g",
        json!({"workCenterId": f, "scheduledStart": at(0), "scheduledEnd": at(10)}),
    )
    .await;
    run(
        &app,
        &p,
        "nowhere",
        json!({"scheduledStart": at(1), "scheduledEnd": at(2)}),
    )
    .await;
    run(&app, &p, "unscheduled", json!({"workCenterId": o})).await;

    let d = app.ok(SCHEDULE, json!({"from": at(0), "to": at(24)})).await;
    assert_eq!(
        titles(&d, &["schedule"]),
        ["a", "e", "g", "nowhere", "b", "c", "d"],
        "{d:#}"
    );
    let by_title = |t: &str| {
        d["schedule"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["run"]["title"] == t)
            .unwrap()
            .clone()
    };
    let c = |from: i64, to: i64, n: i64| json!({"from": at(from).replace('Z', "+00:00"), "to": at(to).replace('Z', "+00:00"), "runCount": n, "capacity": 1});
    assert_eq!(
        by_title("a")["conflicts"],
        json!([c(5, 8, 3), c(8, 15, 2)]),
        "{d:#}"
    );
    assert_eq!(by_title("c")["conflicts"], json!([c(5, 8, 3)]));
    assert_eq!(by_title("d")["conflicts"], json!([c(8, 15, 2)]));
    assert_eq!(by_title("e")["conflicts"], json!([]));
    assert_eq!(by_title("e")["workCenter"]["name"], "Bench");
    assert_eq!(by_title("nowhere")["workCenter"], Value::Null);

    // Conflicts are clipped to the window; work centers narrow it.
    let d = app
        .ok(SCHEDULE, json!({"from": at(9), "to": at(12), "w": [o]}))
        .await;
    assert_eq!(titles(&d, &["schedule"]), ["a", "b", "d"]);
    assert_eq!(d["schedule"][0]["conflicts"], json!([c(9, 12, 2)]));

    // A backwards window is refused at `to`.
    let bad = app.gql(SCHEDULE, json!({"from": at(5), "to": at(5)})).await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"]);
    assert_eq!(bad["errors"][0]["extensions"]["field"], json!(["to"]));

    // The same statements for 7 runs as for 17, with their steps and work centers.
    let before = app.count();
    app.ok(SCHEDULE, json!({"from": at(0), "to": at(24)})).await;
    let seven = app.count() - before;
    let pr = chain_procedure(&app, &p, 2, true).await;
    for i in 0..10 {
        run(&app, &p, &format!("x{i}"), json!({"workCenterId": if i % 2 == 0 { &o } else { &f }, "procedureId": pr.id, "scheduledStart": at(i), "scheduledEnd": at(i + 3)})).await;
    }
    let before = app.count();
    let d = app.ok(SCHEDULE, json!({"from": at(0), "to": at(24)})).await;
    assert_eq!(d["schedule"].as_array().unwrap().len(), 17);
    assert_eq!(app.count() - before, seven);
}

/// A timeline's conflicts are resolved outside the executor (`graphql/types/leaves.rs`):
/// aliases, fragments, `__typename`, `@skip`/`@include` and both budgets behave as for
/// any other field.
#[tokio::test]
async fn conflicts_answer_any_selection_and_count_against_the_budgets() {
    let app = app().await;
    let p = part(&app, "S-1", "NONE").await;
    let o = work_center(&app, "Oven", Some(1)).await["id"].clone();
    // Over capacity: [5,8) with 3 runs, [8,10) with 2; a and b have both, c the first.
    for (title, s, e) in [("a", 0, 10), ("b", 5, 15), ("c", 5, 8)] {
        let w = json!({"workCenterId": o, "scheduledStart": at(s), "scheduledEnd": at(e)});
        run(&app, &p, title, w).await;
    }
    let q = "query($from: DateTime!, $to: DateTime!, $no: Boolean!) { schedule(from: $from, to: $to) { run { title } conflicts { start: from from ...F ... on CapacityConflict { n: runCount } ... { capacity @skip(if: $no) } to @include(if: $no) __typename } } } fragment F on CapacityConflict { to runCount n: runCount }";
    let t = |h: i64| at(h).replace('Z', "+00:00");
    let d = app
        .ok(q, json!({"from": at(0), "to": at(24), "no": true}))
        .await;
    assert_eq!(titles(&d, &["schedule"]), ["a", "b", "c"], "{d:#}");
    let want = json!([{"start": t(5), "from": t(5), "to": t(8), "runCount": 3, "n": 3, "__typename": "CapacityConflict"}]);
    assert_eq!(d["schedule"][2]["conflicts"], want, "{d:#}");
    let d = app
        .ok(q, json!({"from": at(0), "to": at(24), "no": false}))
        .await;
    let want = json!({"start": t(8), "from": t(8), "to": t(10), "runCount": 2, "n": 2, "capacity": 1, "__typename": "CapacityConflict"});
    assert_eq!(d["schedule"][0]["conflicts"][1], want, "{d:#}");
    assert_eq!(d["schedule"][1]["conflicts"].as_array().unwrap().len(), 2);

    // Fields: `schedule`, 3 runs, 3 `conflicts`, 5 stretches, 10 `from`s and `to`s.
    let q = "query($from: DateTime!, $to: DateTime!) { schedule(from: $from, to: $to) { conflicts { from to } } }";
    let window = json!({"from": at(0), "to": at(24)});
    let limited = |fields, response_bytes| {
        app.with_limits(traveler::config::Limits {
            fields,
            response_bytes,
            ..traveler::config::Limits::default()
        })
    };
    let r = limited(22, 100_000).await.gql(q, window.clone()).await;
    assert!(r.get("errors").is_none(), "{r}");
    let r = limited(21, 100_000).await.gql(q, window.clone()).await;
    assert_eq!(codes(&r), ["LIMIT_EXCEEDED"], "{r}");
    assert!(r.to_string().contains("TRAVELER_MAX_FIELDS"), "{r}");
    assert!(r["data"].is_null(), "the operation is stopped: {r}");
    // Text: 10 times 25 bytes, counted while executing; the whole body is checked after.
    let r = limited(1_000, 249).await.gql(q, window.clone()).await;
    assert!(
        r.to_string()
            .contains("the response's text passed 249 bytes"),
        "{r}"
    );
    let r = limited(1_000, 250).await.gql(q, window).await;
    assert!(r.to_string().contains("the response would be"), "{r}");
}

#[tokio::test]
async fn names_are_unique_per_organization_and_organizations_are_apart() {
    let app = app().await;
    let w = work_center(&app, "Cell A", Some(2)).await;
    let dup = app.gql(CREATE_WC, json!({"i": {"name": " Cell A "}})).await;
    assert_eq!(codes(&dup), ["BAD_USER_INPUT"], "{dup}");
    assert_eq!(
        dup["errors"][0]["extensions"]["field"],
        json!(["input", "name"])
    );
    let zero = app
        .gql(CREATE_WC, json!({"i": {"name": "Z", "capacity": 0}}))
        .await;
    assert_eq!(
        zero["errors"][0]["extensions"]["field"],
        json!(["input", "capacity"]),
        "{zero}"
    );
    let b = work_center(&app, "Cell B", None).await;
    let up = "mutation($i: UpdateWorkCenterInput!) { updateWorkCenter(input: $i) { workCenter { _etag name active capacity } } }";
    let taken = app
        .gql(
            up,
            json!({"i": {"id": b["id"], "etag": b["_etag"], "name": "Cell A"}}),
        )
        .await;
    assert_eq!(
        taken["errors"][0]["extensions"]["field"],
        json!(["input", "name"]),
        "{taken}"
    );
    let d = app.ok(up, json!({"i": {"id": b["id"], "etag": b["_etag"], "name": "Cell B2", "active": false, "capacity": 3}})).await;
    assert_eq!(d["updateWorkCenter"]["workCenter"]["active"], false);
    let stale = app
        .gql(
            up,
            json!({"i": {"id": b["id"], "etag": b["_etag"], "name": "Cell B3"}}),
        )
        .await;
    assert_eq!(codes(&stale), ["STALE_ETAG"]);
    // An inactive work center takes no new runs.
    let p = part(&app, "U-1", "NONE").await;
    let bad = app
        .gql(
            CREATE_RUN,
            json!({"i": {"partId": p, "workCenterId": b["id"]}}),
        )
        .await;
    assert_eq!(
        bad["errors"][0]["extensions"]["field"],
        json!(["input", "workCenterId"]),
        "{bad}"
    );
    let list = app.ok("{ workCenters(filters: {active: {eq: true}}, sort: [NAME_ASC]) { totalCount edges { node { name } } } }", json!({})).await;
    assert_eq!(list["workCenters"]["totalCount"], 1);

    // Another organization may use the same name and sees none of ours.
    let org = app
        .ok(
            "mutation { createOrganization(input: {name: \"B\"}) { token } }",
            json!({}),
        )
        .await;
    let tb = org["createOrganization"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let g = |q: &str, v: Value| app.post_as(&tb, json!({"query": q, "variables": v}));
    let mine = g(CREATE_WC, json!({"i": {"name": "Cell A"}})).await.body;
    assert!(mine.get("errors").is_none(), "{mine}");
    let seen = g(
        "query($w: ID!) { workCenter(id: $w) { id } workCenters { totalCount } }",
        json!({"w": w["id"]}),
    )
    .await
    .body;
    assert_eq!(seen["data"]["workCenter"], Value::Null, "{seen}");
    assert_eq!(seen["data"]["workCenters"]["totalCount"], 1);
    let pb = g(
        "mutation { createPart(input: {partNumber: \"U-1\", trackingType: NONE}) { part { id } } }",
        json!({}),
    )
    .await
    .body;
    let foreign = g(
        CREATE_RUN,
        json!({"i": {"partId": pb["data"]["createPart"]["part"]["id"], "workCenterId": w["id"]}}),
    )
    .await
    .body;
    assert_eq!(codes(&foreign), ["NOT_FOUND"], "{foreign}");
    assert_eq!(
        foreign["errors"][0]["extensions"]["field"],
        json!(["input", "workCenterId"])
    );
    let timeline = g(SCHEDULE, json!({"from": at(0), "to": at(24)})).await.body;
    assert_eq!(timeline["data"]["schedule"], json!([]), "{timeline}");
}

#[tokio::test]
async fn export_controlled_runs_stay_out_of_queues_and_timelines_of_uncleared_callers_but_count_in_capacity()
 {
    let app = app().await;
    let p = part(&app, "X-1", "NONE").await;
    let w = work_center(&app, "Secure cell", Some(1)).await;
    run(&app, &p, "Secret run", json!({"workCenterId": w["id"], "exportControlled": true, "scheduledStart": at(0), "scheduledEnd": at(5)})).await;
    run(
        &app,
        &p,
        "Plain run",
        json!({"workCenterId": w["id"], "scheduledStart": at(1), "scheduledEnd": at(4)}),
    )
    .await;
    let u = app.ok("mutation { createUser(input: {name: \"p\", email: \"p@x.io\", roles: [PLANNER]}) { user { id } } }", json!({})).await;
    let k = app
        .ok(
            "mutation($u: ID!) { createApiKey(input: {userId: $u}) { token } }",
            json!({"u": u["createUser"]["user"]["id"]}),
        )
        .await;
    let token = k["createApiKey"]["token"].as_str().unwrap().to_string();
    let g = |q: &str, v: Value| app.post_as(&token, json!({"query": q, "variables": v}));
    let q = g(QUEUE, json!({"w": w["id"]})).await.body;
    assert_eq!(
        titles(&q["data"]["workCenter"]["queue"], &["edges"]),
        ["Plain run"],
        "{q}"
    );
    let s = g(SCHEDULE, json!({"from": at(0), "to": at(24)})).await.body;
    assert!(!s.to_string().contains("Secret"), "{s}");
    // The hidden run still occupies the cell: counted in the conflict, never listed.
    assert_eq!(s["data"]["schedule"].as_array().unwrap().len(), 1, "{s}");
    let hour = |h: i64| at(h).replace('Z', "+00:00");
    assert_eq!(
        s["data"]["schedule"][0]["conflicts"],
        json!([{"from": hour(1), "to": hour(4), "runCount": 2, "capacity": 1}]),
        "{s}"
    );
    // The cleared admin sees both, and the conflict between them.
    let s = app.ok(SCHEDULE, json!({"from": at(0), "to": at(24)})).await;
    assert_eq!(titles(&s, &["schedule"]), ["Secret run", "Plain run"]);
    assert_eq!(s["schedule"][1]["conflicts"][0]["runCount"], 2);
}

/// Serves the app's router on a local port; returns `host:port`.
async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

#[tokio::test]
async fn rescheduling_is_a_run_change_for_subscribers() {
    let app = app().await;
    let p = part(&app, "W-1", "NONE").await;
    let w = work_center(&app, "Press", None).await;
    let r = run(
        &app,
        &p,
        "R",
        json!({"scheduledStart": at(1), "scheduledEnd": at(2)}),
    )
    .await;
    let addr = serve(&app).await;
    let mut ws = crate::ws_client::connect(&addr, ADMIN).await;
    let sub = "subscription($id: ID!) { runChanged(id: $id) { action run { scheduledStart scheduledEnd priority workCenter { name } } } }";
    ws.subscribe("r", sub, json!({"id": r["id"]})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.ok(UPDATE_RUN, json!({"i": {"id": r["id"], "etag": r["_etag"], "scheduledStart": at(3), "scheduledEnd": at(6), "workCenterId": w["id"], "priority": 2}})).await;
    let m = ws.next("r").await;
    let e = &m["data"]["runChanged"];
    assert_eq!(e["action"], "updateRun", "{m}");
    assert_eq!(e["run"]["scheduledStart"], "2026-12-07T03:00:00+00:00");
    assert_eq!(e["run"]["scheduledEnd"], "2026-12-07T06:00:00+00:00");
    assert_eq!(e["run"]["workCenter"]["name"], "Press");
    assert_eq!(e["run"]["priority"], 2);
    // Clearing is a change too.
    let d = app
        .ok(
            "query($r: ID!) { run(id: $r) { _etag } }",
            json!({"r": r["id"]}),
        )
        .await;
    app.ok(UPDATE_RUN, json!({"i": {"id": r["id"], "etag": d["run"]["_etag"], "scheduledStart": null, "workCenterId": null}})).await;
    let m = ws.next("r").await;
    let e = &m["data"]["runChanged"]["run"];
    assert_eq!(e["scheduledStart"], Value::Null, "{m}");
    assert_eq!(e["scheduledEnd"], Value::Null, "{m}");
    assert_eq!(e["workCenter"], Value::Null, "{m}");
}
