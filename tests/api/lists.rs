//! The list path shared by every list: id filters, sorts, a user's assigned runs.

use serde_json::{Value, json};

use crate::fixtures::{chain_procedure, part};
use crate::harness::{app, id};
use crate::leaves::worked_run;
use sea_orm::ConnectionTrait;

const CREATE_RUN: &str = "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }";

#[tokio::test]
async fn ids_that_are_not_integers_match_nothing() {
    let app = app().await;
    let a = part(&app, "A", "NONE").await;
    part(&app, "B", "NONE").await;
    let q = "query($f: PartsInputFilters) { parts(filters: $f) { totalCount } }";
    let count = |f: serde_json::Value| {
        let app = &app;
        async move { app.ok(q, json!({"f": f})).await["parts"]["totalCount"].clone() }
    };
    assert_eq!(count(json!({"id": {"eq": "abc"}})).await, 0);
    assert_eq!(count(json!({"id": {"in": ["abc", a]}})).await, 1);
    assert_eq!(count(json!({"id": {"neq": "abc"}})).await, 2);
    assert_eq!(count(json!({"id": {"eq": a}})).await, 1);
    assert_eq!(count(json!({"id": {"eq": format!(" {a} ")}})).await, 1);
}

#[tokio::test]
async fn sorts_apply_in_order_and_ties_break_on_id() {
    let app = app().await;
    for n in ["B", "A", "C"] {
        part(&app, n, "NONE").await;
    }
    part(&app, "A-2", "LOT").await;
    let q = "query($s: [PartSortEnum!], $f: PartsInputFilters) { parts(sort: $s, filters: $f) { edges { node { partNumber } } } }";
    let numbers = |s: serde_json::Value, f: serde_json::Value| {
        let app = &app;
        async move {
            let d = app.ok(q, json!({"s": s, "f": f})).await;
            let edges = d["parts"]["edges"].as_array().unwrap().clone();
            edges
                .iter()
                .map(|e| e["node"]["partNumber"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        numbers(json!(["PART_NUMBER_DESC"]), json!(null)).await,
        ["C", "B", "A-2", "A"]
    );
    assert_eq!(
        numbers(json!(["ID_DESC"]), json!(null)).await,
        ["A-2", "C", "A", "B"]
    );
    assert_eq!(
        numbers(json!([]), json!({"partNumber": {"ilike": "a%"}})).await,
        ["A", "A-2"]
    );
    assert_eq!(
        numbers(json!(null), json!({"trackingType": {"in": ["LOT"]}})).await,
        ["A-2"]
    );
    let users = app
        .ok(
            "{ users(sort: [NAME_DESC], filters: {exportControlCleared: {isNull: false}}) { totalCount } teams(filters: {name: {eq: \"none\"}}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(users["users"]["totalCount"], 1);
    assert_eq!(users["teams"]["totalCount"], 0);
    let events = app
        .ok(
            "{ events(sort: [ID_DESC], first: 1) { edges { node { action entityId } } } }",
            json!({}),
        )
        .await;
    assert_eq!(events["events"]["edges"][0]["node"]["action"], "createPart");
}

#[tokio::test]
async fn assigned_runs_are_the_users_and_their_teams() {
    let app = app().await;
    let p = part(&app, "P", "NONE").await;
    let me = app.ok("{ me { id } }", json!({})).await;
    let uid = id(&me["me"]["id"]);
    let team = app
        .ok(
            "mutation($u: ID!) { createTeam(input: {name: \"Day\", userIds: [$u]}) { team { id } } }",
            json!({"u": uid}),
        )
        .await;
    let tid = id(&team["createTeam"]["team"]["id"]);
    let other = app
        .ok(
            "mutation { createTeam(input: {name: \"Night\"}) { team { id } } }",
            json!({}),
        )
        .await;
    let nid = id(&other["createTeam"]["team"]["id"]);
    for (title, to) in [
        ("mine", json!({"assignedToId": uid})),
        ("team", json!({"assignedTeamId": tid})),
        ("night", json!({"assignedTeamId": nid})),
        ("pool", json!({})),
    ] {
        let mut i = json!({"partId": p, "title": title});
        i.as_object_mut()
            .unwrap()
            .extend(to.as_object().unwrap().clone());
        app.ok(CREATE_RUN, json!({"i": i})).await;
    }
    let q = "query($f: RunsInputFilters) { me { assignedRuns(sort: [TITLE_ASC], filters: $f) { totalCount edges { node { title part { partNumber } } } } } }";
    let d = app.ok(q, json!({"f": null})).await;
    let runs = &d["me"]["assignedRuns"];
    assert_eq!(runs["totalCount"], 2);
    assert_eq!(runs["edges"][0]["node"]["title"], "mine");
    assert_eq!(runs["edges"][1]["node"]["title"], "team");
    assert_eq!(runs["edges"][1]["node"]["part"]["partNumber"], "P");
    let d = app
        .ok(q, json!({"f": {"assignedTeamId": {"isNull": true}}}))
        .await;
    assert_eq!(d["me"]["assignedRuns"]["totalCount"], 1);
}

/// No `COUNT(*)` unless `totalCount` (or `pageInfo { totalCount }`) is selected; without it
/// `hasNextPage` comes from reading one row past the page, and is exact at the boundary.
#[tokio::test]
async fn the_total_is_counted_only_when_selected() {
    let app = app().await;
    for n in ["C1", "C2", "C3"] {
        part(&app, n, "NONE").await;
    }
    app.ok("{ __typename }", json!({})).await;
    let statements = |q: &'static str| {
        let app = &app;
        async move {
            let before = app.count();
            let d = app.ok(q, json!({})).await;
            (app.count() - before, d)
        }
    };
    let (plain, d) =
        statements("{ parts(first: 3) { edges { node { id } } pageInfo { hasNextPage } } }").await;
    assert_eq!(d["parts"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(d["parts"]["edges"].as_array().unwrap().len(), 3);
    let (n, d) = statements(
        "{ parts(first: 2) { edges { node { id } } pageInfo { hasNextPage endCursor } } }",
    )
    .await;
    assert_eq!(
        (n, &d["parts"]["pageInfo"]["hasNextPage"]),
        (plain, &json!(true))
    );
    let (n, d) = statements("{ parts(first: 3) { totalCount edges { node { id } } } }").await;
    assert_eq!((n, &d["parts"]["totalCount"]), (plain + 1, &json!(3)));
    let (n, d) = statements(
        "{ parts(first: 1) { ...P } } fragment P on PartConnection { pageInfo { totalCount } }",
    )
    .await;
    assert_eq!(
        (n, &d["parts"]["pageInfo"]["totalCount"]),
        (plain + 1, &json!(3))
    );
    // The last rows of the whole list need the total.
    let (n, d) = statements(
        "{ parts(last: 2) { edges { node { partNumber } } pageInfo { hasPreviousPage } } }",
    )
    .await;
    assert_eq!(n, plain + 1);
    assert_eq!(d["parts"]["pageInfo"]["hasPreviousPage"], true);
}

/// A traveler (`run(id)` with steps: one statement on PostgreSQL) answers what the three
/// statements of a page answer for the same run: every step in position order, each with
/// its fields in position order (the rows stored out of that order here), every value as
/// decoded apart, and nothing of a run the caller cannot see.
#[tokio::test]
async fn a_traveler_in_one_statement_reads_as_a_page_does() {
    let app = app().await;
    let mut runs = vec![worked_run(&app).await];
    let s = part(&app, "T", "SERIAL").await;
    let p = chain_procedure(&app, &s, 4, true).await;
    let i = json!({"i": {"partId": s, "procedureId": p.id, "autogenerateSerialNumber": true}});
    runs.push(app.ok(CREATE_RUN, i).await["createRun"]["run"]["id"].clone());
    // Stored order (by id) the reverse of position order, for steps and for fields.
    for sql in [
        "UPDATE run_steps SET position = 100 - position",
        "UPDATE run_step_fields SET position = 100 - position",
    ] {
        app.db.execute_unprepared(sql).await.expect(sql);
    }
    let steps = "id title status position lockVersion: _etag startedAt completedAt";
    let fields = "id name type required unit value signedAt _etag";
    let sel = format!(
        "id title status attributes {{ key value }} dueDate priority \
         steps {{ {steps} fields {{ {fields} }} }} \
         allSteps(availableFirst: true) {{ id parentId availableToWork fields {{ name }} }}"
    );
    let page = app
        .ok(
            &format!("{{ runs(first: 5) {{ edges {{ node {{ {sel} }} }} }} }}"),
            json!({}),
        )
        .await;
    for (n, run) in runs.iter().enumerate() {
        let one = app
            .ok(
                &format!("query($r: ID!) {{ run(id: $r) {{ {sel} }} }}"),
                json!({"r": run}),
            )
            .await;
        let listed = page["runs"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["id"] == *run)
            .unwrap_or_else(|| panic!("run {n} listed"));
        assert_eq!(one["run"], listed["node"], "run {n}");
        let steps = one["run"]["steps"].as_array().unwrap();
        let positions: Vec<i64> = steps
            .iter()
            .map(|s| s["position"].as_i64().unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        assert_eq!(steps[0]["fields"].as_array().unwrap().len(), 2);
    }
    // The worked run's values, read in one statement: its first step (42.5 in its first
    // field) now comes last, and that field second.
    let one = app
        .ok(
            "query($r: ID!) { run(id: $r) { steps { fields { value } } } }",
            json!({"r": runs[0]}),
        )
        .await;
    let last = one["run"]["steps"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["fields"][1]["value"], 42.5, "{one}");
    let none = app
        .ok("{ run(id: \"999999999\") { id steps { id } } }", json!({}))
        .await;
    assert_eq!(none["run"], Value::Null);
}

/// A traveler reads its steps' dependencies only for what needs them (availability,
/// `upstreamStepIds`, steps ordered `availableFirst`): one run with its steps and fields is
/// one statement on PostgreSQL, three on SQLite (`store::traveler`), and a page of runs
/// three (the runs, their steps, their fields) whatever its length; a field of
/// availability at any depth adds one, for the whole page.
#[tokio::test]
async fn dependencies_are_read_only_when_a_field_needs_them() {
    let app = app().await;
    let s = part(&app, "S", "SERIAL").await;
    let p = chain_procedure(&app, &s, 3, true).await;
    let i = json!({"i": {"partId": s, "procedureId": p.id, "autogenerateSerialNumber": true}});
    let run = app.ok(CREATE_RUN, i.clone()).await["createRun"]["run"]["id"].clone();
    for _ in 0..2 {
        app.ok(CREATE_RUN, i.clone()).await;
    }
    app.ok("{ __typename }", json!({})).await;
    let statements = |q: String| {
        let (app, run) = (&app, &run);
        async move {
            let before = app.count();
            let d = app.ok(&q, json!({"r": run})).await;
            (app.count() - before, d)
        }
    };
    let one = |sel: &str| format!("query($r: ID!) {{ run(id: $r) {{ id steps {{ {sel} }} }} }}");
    let page = |n: usize, sel: &str| {
        format!("{{ runs(first: {n}) {{ edges {{ node {{ id steps {{ {sel} }} }} }} }} }}")
    };
    // PostgreSQL reads the run, its steps and their fields in one statement; SQLite in
    // three (`store::traveler`).
    let pg = app.db.get_database_backend() == sea_orm::DbBackend::Postgres;
    let traveler = if pg { 1 } else { 3 };
    let (n, d) = statements(one("id fields { name value }")).await;
    assert_eq!(n, traveler, "a traveler without availability");
    assert_eq!(d["run"]["steps"][0]["fields"][0]["name"], "torque");
    let (n, d) = statements(one("id availableToWork upstreamStepIds")).await;
    assert_eq!(n, traveler + 1, "a traveler with availability");
    assert_eq!(d["run"]["steps"][0]["availableToWork"], true);
    assert_eq!(d["run"]["steps"][1]["availableToWork"], false);
    assert_eq!(
        d["run"]["steps"][1]["upstreamStepIds"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let q = "query($r: ID!) { run(id: $r) { steps(availableFirst: true) { title } } }";
    assert_eq!(
        statements(q.to_string()).await.0,
        traveler + 1,
        "steps ordered by availability"
    );
    // A page primes the dependencies when its steps are ordered by availability, and only
    // then: `availableFirst: false` reads none.
    for (arg, edges) in [("true", 1), ("false", 0)] {
        let q = format!(
            "{{ runs(first: 3) {{ edges {{ node {{ steps(availableFirst: {arg}) {{ title }} }} }} }} }}"
        );
        assert_eq!(statements(q).await.0, 3 + edges, "availableFirst: {arg}");
    }
    for sel in ["title fields { name }", "title steps { blockers }"] {
        let (small, _) = statements(page(1, sel)).await;
        let (large, d) = statements(page(3, sel)).await;
        assert_eq!(d["runs"]["edges"].as_array().unwrap().len(), 3);
        assert_eq!(small, large, "1 or 3 runs: {sel}");
        let edges = usize::from(sel.contains("blockers"));
        assert_eq!(large, 3 + edges, "{sel}");
    }
}
