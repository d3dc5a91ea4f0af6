//! Roles as objects: every organization starts with the five built-in roles; custom roles,
//! their assignment to users and teams, and the rule that nobody grants what they lack.

use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::access::user_with;
use crate::fixtures::*;
use crate::harness::*;

const CREATE_ROLE: &str = "mutation($i: CreateRoleInput!) { createRole(input: $i) { role { id _etag name permissions } } }";
const ASSIGN: &str = "mutation($i: AssignRoleInput!) { assignRole(input: $i) { role { name } user { id roles { name } } team { id roles { name } } } }";
const UNASSIGN: &str = "mutation($i: UnassignRoleInput!) { unassignRole(input: $i) { role { name } user { roles { name } } } }";
const CREATE_RUN: &str = "mutation($p: ID!) { createRun(input: {partId: $p}) { run { id } } }";

async fn as_(app: &TestApp, token: &str, q: &str, vars: Value) -> Value {
    app.post_as(token, json!({"query": q, "variables": vars}))
        .await
        .body
}

fn field(body: &Value) -> Value {
    body["errors"][0]["extensions"]["field"].clone()
}

#[tokio::test]
async fn every_organization_starts_with_the_builtin_roles() {
    let app = app().await;
    let q = "{ roles(sort: [NAME_ASC]) { totalCount edges { node { id name permissions } } } }";
    let d = app.ok(q, json!({})).await;
    assert_eq!(d["roles"]["totalCount"], 5);
    let ours = nodes(&d["roles"]);
    let names: Vec<&str> = ours.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["ADMIN", "ENGINEER", "OPERATOR", "PLANNER", "VIEWER"]
    );
    assert_eq!(ours[3]["permissions"], json!(["READ_ALL", "MANAGE_RUNS"]));
    // A new organization gets its own five, and its admin holds its ADMIN.
    let b = other_organization(&app).await;
    let q = "{ roles { edges { node { id name } } } me { roles { id name } } }";
    let mine = as_(&app, &b, q, json!({})).await;
    let theirs = nodes(&mine["data"]["roles"]);
    assert_eq!(theirs.len(), 5);
    assert_eq!(mine["data"]["me"]["roles"][0]["name"], "ADMIN");
    assert!(
        theirs
            .iter()
            .all(|t| ours.iter().all(|o| o["id"] != t["id"]))
    );
}

#[tokio::test]
async fn a_custom_role_gives_its_permissions_until_taken_away() {
    let app = app().await;
    let p = part(&app, "P", "NONE").await;
    let (uid, token) = user_with(&app, ADMIN, "v@x.io", &["VIEWER"], false).await;
    assert_eq!(
        codes(&as_(&app, &token, CREATE_RUN, json!({"p": p})).await),
        ["FORBIDDEN"]
    );
    let r = app
        .ok(
            CREATE_ROLE,
            json!({"i": {"name": "Scheduler", "permissions": ["READ_ALL", "MANAGE_RUNS"]}}),
        )
        .await;
    let role = r["createRole"]["role"].clone();
    let a = app
        .ok(ASSIGN, json!({"i": {"roleId": role["id"], "userId": uid}}))
        .await;
    let held: Vec<&str> = a["assignRole"]["user"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(held, ["VIEWER", "Scheduler"]);
    let ok = as_(&app, &token, CREATE_RUN, json!({"p": p})).await;
    assert!(ok.get("errors").is_none(), "{ok}");
    // Editing the role changes what every holder may do.
    let up = "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { _etag name permissions } } }";
    let stale = app
        .gql(
            up,
            json!({"i": {"id": role["id"], "etag": "nope", "permissions": ["READ_ALL"]}}),
        )
        .await;
    assert_eq!(codes(&stale), ["STALE_ETAG"]);
    let e = app.ok(up, json!({"i": {"id": role["id"], "etag": role["_etag"], "name": "Reader", "permissions": ["READ_ALL"]}})).await;
    assert_eq!(e["updateRole"]["role"]["name"], "Reader");
    assert_eq!(
        codes(&as_(&app, &token, CREATE_RUN, json!({"p": p})).await),
        ["FORBIDDEN"]
    );
    // Through a team, then taken from the team.
    let planner = role_id(&app, "PLANNER").await;
    let t = app
        .ok(
            "mutation($u: ID!) { createTeam(input: {name: \"T\", userIds: [$u]}) { team { id } } }",
            json!({"u": uid}),
        )
        .await;
    let tid = t["createTeam"]["team"]["id"].clone();
    let a = app
        .ok(ASSIGN, json!({"i": {"roleId": planner, "teamId": tid}}))
        .await;
    assert_eq!(
        a["assignRole"]["team"]["roles"],
        json!([{"name": "PLANNER"}])
    );
    assert!(
        as_(&app, &token, CREATE_RUN, json!({"p": p}))
            .await
            .get("errors")
            .is_none()
    );
    app.ok(
        "mutation($i: UnassignRoleInput!) { unassignRole(input: $i) { role { id } } }",
        json!({"i": {"roleId": planner, "teamId": tid}}),
    )
    .await;
    assert_eq!(
        codes(&as_(&app, &token, CREATE_RUN, json!({"p": p})).await),
        ["FORBIDDEN"]
    );
    let u = app
        .ok(
            UNASSIGN,
            json!({"i": {"roleId": role["id"], "userId": uid}}),
        )
        .await;
    assert_eq!(
        u["unassignRole"]["user"]["roles"],
        json!([{"name": "VIEWER"}])
    );
    // Every change is in the audit log.
    let ev = app
        .ok(
            "{ events(filters: {entity: {eq: \"Role\"}}) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(ev["events"]["totalCount"].as_i64().unwrap() >= 5, "{ev}");
}

async fn role_id(app: &TestApp, name: &str) -> Value {
    let q = "query($n: String!) { roles(filters: {name: {eq: $n}}) { edges { node { id } } } }";
    let d = app.ok(q, json!({"n": name})).await;
    nodes(&d["roles"])[0]["id"].clone()
}

fn nodes(connection: &Value) -> Vec<Value> {
    let edges = connection["edges"].as_array().unwrap();
    edges.iter().map(|e| e["node"].clone()).collect()
}

#[tokio::test]
async fn nobody_grants_or_shapes_a_role_beyond_what_they_hold() {
    let app = app().await;
    let r = app
        .ok(
            CREATE_ROLE,
            json!({"i": {"name": "People", "permissions": ["READ_ALL", "MANAGE_USERS"]}}),
        )
        .await;
    let people = r["createRole"]["role"].clone();
    let (uid, hr) = user_with(&app, ADMIN, "hr@x.io", &["People"], false).await;
    // Not a role with more than one holds...
    let more = as_(
        &app,
        &hr,
        CREATE_ROLE,
        json!({"i": {"name": "Eng", "permissions": ["MANAGE_CATALOG"]}}),
    )
    .await;
    assert_eq!(codes(&more), ["FORBIDDEN"]);
    assert_eq!(field(&more), json!(["input", "permissions"]));
    // ...nor more for one's own role...
    let up = "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { role { id } } }";
    let grow = json!({"i": {"id": people["id"], "etag": people["_etag"], "permissions": ["READ_ALL", "MANAGE_USERS", "MANAGE_CATALOG"]}});
    assert_eq!(codes(&as_(&app, &hr, up, grow).await), ["FORBIDDEN"]);
    // ...nor edit or hand out a role holding what one lacks.
    let admin = role_id(&app, "ADMIN").await;
    let shrink = json!({"i": {"id": admin, "etag": "\"1\"", "permissions": ["READ_ALL"]}});
    assert_eq!(codes(&as_(&app, &hr, up, shrink).await), ["FORBIDDEN"]);
    let a = as_(
        &app,
        &hr,
        ASSIGN,
        json!({"i": {"roleId": admin, "userId": uid}}),
    )
    .await;
    assert_eq!(
        (codes(&a), field(&a)),
        (vec!["FORBIDDEN".to_string()], json!(["input", "roleId"]))
    );
    // Organizations are a system administrator's, never a role's.
    let org = app
        .gql(
            CREATE_ROLE,
            json!({"i": {"name": "Root", "permissions": ["READ_ALL", "MANAGE_ORGANIZATIONS"]}}),
        )
        .await;
    assert_eq!(
        (codes(&org), field(&org)),
        (
            vec!["BAD_USER_INPUT".to_string()],
            json!(["input", "permissions", 1])
        )
    );
    // What one holds can be handed out.
    let viewer = role_id(&app, "VIEWER").await;
    let (other, _) = user_with(&app, ADMIN, "o@x.io", &[], false).await;
    let ok = as_(
        &app,
        &hr,
        ASSIGN,
        json!({"i": {"roleId": viewer, "userId": other}}),
    )
    .await;
    assert!(ok.get("errors").is_none(), "{ok}");
}

#[tokio::test]
async fn names_ids_and_refusals_point_at_their_input() {
    let app = app().await;
    let dup = app
        .gql(
            CREATE_ROLE,
            json!({"i": {"name": "VIEWER", "permissions": []}}),
        )
        .await;
    assert_eq!(
        (codes(&dup), field(&dup)),
        (vec!["BAD_USER_INPUT".to_string()], json!(["input", "name"]))
    );
    let q = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { roles { name } } } }";
    let unknown = app
        .gql(
            q,
            json!({"i": {"name": "a", "email": "a@x.io", "roles": ["VIEWER", "Pilot"]}}),
        )
        .await;
    assert_eq!(
        (codes(&unknown), field(&unknown)),
        (vec!["NOT_FOUND".to_string()], json!(["input", "roles", 1]))
    );
    let op = role_id(&app, "OPERATOR").await;
    let by_id = app
        .ok(
            q,
            json!({"i": {"name": "b", "email": "b@x.io", "roleIds": [op]}}),
        )
        .await;
    assert_eq!(
        by_id["createUser"]["user"]["roles"],
        json!([{"name": "OPERATOR"}])
    );
    // Neither names nor ids: the five built-in roles (the contract's default).
    let all = app
        .ok(q, json!({"i": {"name": "f", "email": "f@x.io"}}))
        .await;
    let names: Vec<&str> = all["createUser"]["user"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["ADMIN", "ENGINEER", "PLANNER", "OPERATOR", "VIEWER"]
    );
    // Enum words, as documents sent them when roles were an enum, still name roles.
    let lit = app.ok("mutation { createUser(input: {name: \"c\", email: \"c@x.io\", roles: [PLANNER]}) { user { roles { name } } } }", json!({})).await;
    assert_eq!(
        lit["createUser"]["user"]["roles"],
        json!([{"name": "PLANNER"}])
    );
    let old = app.ok("mutation($r: [Role!]) { createUser(input: {name: \"d\", email: \"d@x.io\", roles: $r}) { user { roles { name } } } }", json!({"r": ["VIEWER"]})).await;
    assert_eq!(
        old["createUser"]["user"]["roles"],
        json!([{"name": "VIEWER"}])
    );
    // Another organization's role does not exist here; neither does exactly-one-holder's absence.
    let b = other_organization(&app).await;
    let foreign = as_(
        &app,
        &b,
        q,
        json!({"i": {"name": "e", "email": "e@x.io", "roleIds": [op]}}),
    )
    .await;
    assert_eq!(
        (codes(&foreign), field(&foreign)),
        (
            vec!["NOT_FOUND".to_string()],
            json!(["input", "roleIds", 0])
        )
    );
    let neither = app.gql(ASSIGN, json!({"i": {"roleId": op}})).await;
    assert_eq!(codes(&neither), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn roles_of_many_users_load_in_constant_statements() {
    let app = app().await;
    let team = "mutation($u: ID!) { createTeam(input: {name: \"T\", roles: [\"ENGINEER\"], userIds: [$u]}) { team { id } } }";
    let (u, _) = user_with(&app, ADMIN, "a@x.io", &["VIEWER"], false).await;
    app.ok(team, json!({"u": u})).await;
    let few = count(&app).await;
    for i in 0..6 {
        let (u, _) = user_with(
            &app,
            ADMIN,
            &format!("u{i}@x.io"),
            &["OPERATOR", "PLANNER"],
            false,
        )
        .await;
        app.ok(team, json!({"u": u})).await;
    }
    // The page, the links, the roles.
    assert_eq!((few, count(&app).await), ([3, 3], [3, 3]));
}

/// Statements of reading every user's and every team's roles (each list alone: two
/// independent lists in one document may batch in one pass or two, by timing).
async fn count(app: &TestApp) -> [usize; 2] {
    let mut out = [0; 2];
    for (i, q) in [
        "{ users { edges { node { roles { name } } } } }",
        "{ teams { edges { node { roles { name } } } } }",
    ]
    .into_iter()
    .enumerate()
    {
        // Once to warm the key cache (mutations clear it), once to count.
        app.ok(q, json!({})).await;
        let before = app.count();
        app.ok(q, json!({})).await;
        out[i] = app.count() - before;
    }
    out
}

/// The migration keeps every user's and team's roles: it is run on a database that holds
/// role names the old way.
#[tokio::test]
async fn the_migration_moves_role_names_onto_role_objects() {
    let (db, _) = fresh_db().await;
    let all = migration::Migrator::migrations();
    let before = all
        .iter()
        .position(|m| m.name() == "m20261205_000014_roles")
        .unwrap();
    migration::Migrator::up(&db, Some(before as u32))
        .await
        .unwrap();
    let backend = db.get_database_backend();
    for sql in [
        "INSERT INTO organizations (id, name, require_part_procedure_link, created_at) VALUES (7, 'Old', false, '2026-01-01T00:00:00Z')",
        "INSERT INTO users (id, organization_id, name, email, roles, export_control_cleared, system_admin, lock_version, created_at) VALUES (70, 7, 'a', 'a@x', 'ADMIN,OPERATOR', false, false, 1, '2026-01-01T00:00:00Z')",
        "INSERT INTO users (id, organization_id, name, email, roles, export_control_cleared, system_admin, lock_version, created_at) VALUES (71, 7, 'b', 'b@x', '', false, false, 1, '2026-01-01T00:00:00Z')",
        "INSERT INTO teams (id, organization_id, name, roles, lock_version, created_at) VALUES (80, 7, 't', 'PLANNER', 1, '2026-01-01T00:00:00Z')",
    ] {
        db.execute_unprepared(sql).await.unwrap();
    }
    migration::Migrator::up(&db, None).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT 'u' || CAST(x.user_id AS TEXT) || ':' || r.name AS h FROM user_roles x JOIN roles r ON r.id = x.role_id \
             UNION ALL SELECT 't' || CAST(x.team_id AS TEXT) || ':' || r.name FROM team_roles x JOIN roles r ON r.id = x.role_id ORDER BY 1",
        ))
        .await
        .unwrap();
    let held: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    assert_eq!(held, ["t80:PLANNER", "u70:ADMIN", "u70:OPERATOR"]);
    let n = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) FROM roles WHERE organization_id = 7",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n.try_get_by_index::<i64>(0).unwrap(), 5);
}

/// ION's own role mutations and input type names, as its schema declares them.
#[tokio::test]
async fn ion_attaches_roles_to_users_and_teams() {
    let app = app().await;
    let (uid, _) = user_with(&app, ADMIN, "u@x.io", &[], false).await;
    let op = role_id(&app, "OPERATOR").await;
    let u = app.ok("mutation attachRoleToUser($input: RoleToUserInput!){ attachRoleToUser(input: $input){ userId roleId } }", json!({"input": {"userId": uid, "roleId": op}})).await;
    assert_eq!(u["attachRoleToUser"], json!({"userId": uid, "roleId": op}));
    let t = app
        .ok(
            "mutation { createTeam(input: {name: \"T\"}) { team { id } } }",
            json!({}),
        )
        .await;
    let tid = t["createTeam"]["team"]["id"].clone();
    let a = app.ok("mutation attachRoleToTeam($input: TeamToRoleInput!){ attachRoleToTeam(input: $input){ teamId roleId } }", json!({"input": {"teamId": tid, "roleId": op}})).await;
    assert_eq!(a["attachRoleToTeam"]["teamId"], tid);
    let q = "query($u: ID!) { users(filters: {id: {eq: $u}}) { edges { node { roles { name } } } } teams { edges { node { roles { name } } } } }";
    let d = app.ok(q, json!({"u": uid})).await;
    assert_eq!(
        d["users"]["edges"][0]["node"]["roles"],
        json!([{"name": "OPERATOR"}])
    );
    assert_eq!(
        d["teams"]["edges"][0]["node"]["roles"],
        json!([{"name": "OPERATOR"}])
    );
}

/// ION's `Team.supervisorId`: the user who leads a team, from this organization only.
#[tokio::test]
async fn a_team_has_a_supervisor() {
    let app = app().await;
    let (uid, _) = user_with(&app, ADMIN, "lead@x.io", &["OPERATOR"], false).await;
    let q = "mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { supervisorId supervisor { email } } } }";
    let t = app
        .ok(q, json!({"i": {"name": "Line 2", "supervisorId": uid}}))
        .await;
    assert_eq!(
        t["createTeam"]["team"],
        json!({"supervisorId": uid, "supervisor": {"email": "lead@x.io"}})
    );
    let none = app.ok(q, json!({"i": {"name": "Line 3"}})).await;
    assert_eq!(none["createTeam"]["team"]["supervisor"], Value::Null);
    let b = other_organization(&app).await;
    let foreign = as_(
        &app,
        &b,
        q,
        json!({"i": {"name": "X", "supervisorId": uid}}),
    )
    .await;
    assert_eq!(
        (codes(&foreign), field(&foreign)),
        (
            vec!["NOT_FOUND".to_string()],
            json!(["input", "supervisorId"])
        )
    );
}
