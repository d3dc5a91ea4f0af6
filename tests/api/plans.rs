//! The run lists an operator's and a planner's screens ask for (by status, by assignee, the
//! unassigned pool, `me.assignedRuns`) are served by indexes: the exact statements the
//! store sends are captured and explained. On PostgreSQL sequential scans are disabled
//! for the EXPLAIN (a test database is too small for the planner to prefer an index on its
//! own), so the plan shows whether an index can serve the filter; on SQLite
//! `EXPLAIN QUERY PLAN` shows the index the planner picks.

use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::{Value, json};

use crate::fixtures::{chain_procedure, part};
use crate::harness::{ADMIN, CAPTURED, TestApp, app, id};

/// The statements sent while one request ran as `token`.
async fn captured(app: &TestApp, token: &str, query: &str, vars: Value) -> Vec<Statement> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let reply = CAPTURED
        .scope(
            log.clone(),
            app.post_as(token, json!({"query": query, "variables": vars})),
        )
        .await;
    assert!(reply.body.get("errors").is_none(), "{:#}", reply.body);
    log.lock().unwrap().clone()
}

/// The plan of `stmt`, one line per node.
async fn explain(app: &TestApp, stmt: &Statement) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let values = stmt.values.clone().map(|v| v.0).unwrap_or_default();
    let (sql, col) = match backend {
        DbBackend::Postgres => (format!("EXPLAIN {}", stmt.sql), "QUERY PLAN"),
        _ => (format!("EXPLAIN QUERY PLAN {}", stmt.sql), "detail"),
    };
    let txn = app.db.begin().await.unwrap();
    if backend == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await
            .unwrap();
    }
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", col).unwrap())
        .collect()
}

/// The plan of the one page query on `runs` among `statements`.
async fn runs_page_plan(app: &TestApp, statements: &[Statement]) -> Vec<String> {
    let pages: Vec<&Statement> = statements
        .iter()
        .filter(|s| s.sql.contains("FROM \"runs\"") && s.sql.contains("LIMIT"))
        .collect();
    assert_eq!(pages.len(), 1, "one page query on runs: {statements:#?}");
    explain(app, pages[0]).await
}

/// True when some node of the plan looks up `runs` through an index on `column`.
fn index_on(plan: &[String], column: &str) -> bool {
    plan.iter().any(|line| {
        // PostgreSQL: `Index Cond: ((organization_id = 1) AND (status = 'TODO'::text))`;
        // SQLite: `SEARCH runs USING INDEX idx_... (organization_id=? AND status=?)`.
        let pg = line.contains("Index Cond") && line.contains(&format!("{column} "));
        let sqlite = line.starts_with("SEARCH runs USING")
            && (line.contains(&format!("{column}=")) || line.contains(&format!("{column}>")));
        pg || sqlite
    })
}

async fn admin_id(app: &TestApp) -> String {
    id(&app.ok("{ me { id } }", json!({})).await["me"]["id"])
}

#[tokio::test]
async fn run_lists_use_indexes() {
    let app = app().await;
    let part_id = part(&app, "PLAN-1", "SERIAL").await;
    let proc = chain_procedure(&app, &part_id, 1, true).await;
    let u = app
        .ok(
            "mutation { createUser(input: {name: \"Op\", email: \"op@plans.example\", roles: [OPERATOR]}) { user { id } } }",
            json!({}),
        )
        .await;
    let op = id(&u["createUser"]["user"]["id"]);
    let k = app
        .ok(
            "mutation($u: ID!) { createApiKey(input: {userId: $u}) { token } }",
            json!({"u": op}),
        )
        .await;
    let op_key = k["createApiKey"]["token"].as_str().unwrap().to_string();
    let t = app
        .ok(
            "mutation($u: ID!) { createTeam(input: {name: \"Cell\", userIds: [$u]}) { team { id } } }",
            json!({"u": op}),
        )
        .await;
    let team = id(&t["createTeam"]["team"]["id"]);
    let run = |assign: Value| {
        let mut r = json!({"partId": part_id, "procedureId": proc.id,
            "autogenerateSerialNumber": true, "copies": 2});
        r.as_object_mut()
            .unwrap()
            .extend(assign.as_object().unwrap().clone());
        r
    };
    // Most runs are someone else's: with statistics, the planner sees that the
    // organization alone is not selective, as on a real floor.
    let others = json!({"assignedToId": admin_id(&app).await});
    let mut busy = run(others);
    busy["copies"] = json!(300);
    let runs = json!([
        run(json!({"assignedToId": op})),
        run(json!({"assignedTeamId": team})),
        run(json!({})),
        busy
    ]);
    app.ok(
        "mutation($r: [CreateRunInput!]!) { createRuns(input: {runs: $r}) { runs { id } } }",
        json!({"r": runs}),
    )
    .await;
    app.db.execute_unprepared("ANALYZE").await.unwrap();

    let page = "edges { node { id title status } } pageInfo { hasNextPage endCursor }";
    let cases: [(&str, &str, String, Value, &[&str]); 4] = [
        (
            "by status",
            ADMIN,
            format!("query($f: RunsInputFilters) {{ runs(filters: $f, first: 50) {{ {page} }} }}"),
            json!({"f": {"status": {"eq": "IN_PROGRESS"}}}),
            &["status"],
        ),
        (
            "by assignee",
            ADMIN,
            format!("query($f: RunsInputFilters) {{ runs(filters: $f, first: 50) {{ {page} }} }}"),
            json!({"f": {"assignedToId": {"eq": op}}}),
            &["assigned_to_id"],
        ),
        (
            "the unassigned pool",
            ADMIN,
            format!("query($f: RunsInputFilters) {{ runs(filters: $f, first: 50) {{ {page} }} }}"),
            json!({"f": {"assignedToId": {"isNull": true}, "assignedTeamId": {"isNull": true}}}),
            &["assigned_to_id|assigned_team_id"],
        ),
        (
            "me.assignedRuns",
            &op_key,
            format!("{{ me {{ assignedRuns(first: 50) {{ {page} }} }} }}"),
            json!({}),
            &["assigned_to_id", "assigned_team_id"],
        ),
    ];
    let postgres = app.db.get_database_backend() == DbBackend::Postgres;
    for (name, token, query, vars, columns) in cases {
        let statements = captured(&app, token, &query, vars).await;
        let plan = runs_page_plan(&app, &statements).await;
        eprintln!("{name}:\n{}", plan.join("\n"));
        // SQLite's planner reads the runs in id order for the OR of `me.assignedRuns` and
        // stops at the page's limit (`SCAN runs`) rather than combining two indexes.
        if name == "me.assignedRuns" && !postgres {
            continue;
        }
        // Each entry: a column (or alternatives, `a|b`) an index must serve.
        for column in columns {
            assert!(
                column.split('|').any(|c| index_on(&plan, c)),
                "{name}: no index on runs.{column} in the plan:\n{}",
                plan.join("\n")
            );
        }
    }
}

/// The lines of `plan` that sort all the rows read (an incremental sort of an index's
/// order sorts only ties).
fn full_sorts(plan: &[String]) -> Vec<&String> {
    plan.iter()
        .filter(|l| {
            // A node: `Sort  (cost=..)`, not its `Sort Key:` detail line.
            let node = l.trim_start().trim_start_matches("->").trim_start();
            node.starts_with("Sort  (")
        })
        .collect()
}

#[tokio::test]
async fn runs_by_planned_start_are_read_in_index_order_nulls_last() {
    let app = app().await;
    let part_id = part(&app, "PLAN-2", "NONE").await;
    let mut runs: Vec<Value> = (0..40)
        .map(|i| json!({"partId": part_id, "scheduledStart": format!("2027-01-{:02}T08:00:00Z", i % 28 + 1)}))
        .collect();
    runs.push(json!({"partId": part_id, "copies": 200}));
    app.ok(
        "mutation($r: [CreateRunInput!]!) { createRuns(input: {runs: $r}) { runs { id } } }",
        json!({"r": runs}),
    )
    .await;
    app.db.execute_unprepared("ANALYZE").await.unwrap();
    let query = "query($s: [RunSortEnum!]) { runs(sort: $s, first: 50) { edges { node { id scheduledStart } } } }";
    for (sort, index) in [
        (
            "SCHEDULED_START_ASC",
            "idx_runs_organization_id_scheduled_start ",
        ),
        (
            "SCHEDULED_START_DESC",
            "idx_runs_organization_id_scheduled_start_desc ",
        ),
    ] {
        let statements = captured(&app, ADMIN, query, json!({"s": [sort]})).await;
        let plan = runs_page_plan(&app, &statements).await;
        eprintln!("{sort}:\n{}", plan.join("\n"));
        if app.db.get_database_backend() != DbBackend::Postgres {
            // SQLite's indexes cannot give NULLS LAST ascending; it sorts (tested for
            // order in `work_centers`).
            continue;
        }
        assert!(
            plan.iter().any(|l| l.contains(index)),
            "{sort}: not read through {index}:\n{}",
            plan.join("\n")
        );
        assert!(full_sorts(&plan).is_empty(), "{sort}:\n{}", plan.join("\n"));
    }
}
