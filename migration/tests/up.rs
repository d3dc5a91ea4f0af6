//! Runs the migrations up, down and up again on SQLite (in memory) and, when
//! `TEST_DATABASE_URL` points at PostgreSQL, on a throw-away database there.

use migration::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use migration::{Migrator, MigratorTrait, SchemaManager};

const TABLES: &[&str] = &[
    "organizations",
    "users",
    "teams",
    "team_members",
    "api_keys",
    "parts",
    "part_inventories",
    "counters",
    "procedures",
    "steps",
    "step_fields",
    "step_edges",
    "part_procedures",
    "attribute_definitions",
    "run_batches",
    "runs",
    "run_steps",
    "run_step_fields",
    "run_step_edges",
    "idempotency_keys",
    "run_step_events",
    "part_subtypes",
    "part_part_subtypes",
];

async fn connect(url: &str) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(1).sqlx_logging(false);
    Database::connect(opts).await.expect("connect")
}

async fn assert_tables(db: &DatabaseConnection, present: bool) {
    let manager = SchemaManager::new(db);
    for t in TABLES {
        assert_eq!(
            manager.has_table(*t).await.unwrap(),
            present,
            "table {t} present != {present}"
        );
    }
}

async fn scalar_i64(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .expect("one row");
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Auto-increment ids, allocated ids and `ON DELETE CASCADE` behave as expected.
async fn smoke(db: &DatabaseConnection) {
    let ins_org = "INSERT INTO organizations (name, require_part_procedure_link, created_at) \
                   VALUES ('acme', false, CURRENT_TIMESTAMP) RETURNING id";
    let a = scalar_i64(db, ins_org).await;
    let b = scalar_i64(db, ins_org).await;
    assert!(b > a, "auto-increment ids: {a} then {b}");

    let proc_id = scalar_i64(
        db,
        &format!(
            "INSERT INTO procedures (organization_id, family_id, version, title, status, \
             procedure_type, export_controlled, created_at) \
             VALUES ({a}, 1, 1, 'p', 'DRAFT', 'BUILD', false, CURRENT_TIMESTAMP) RETURNING id"
        ),
    )
    .await;
    let step_id = scalar_i64(
        db,
        &format!(
            "INSERT INTO steps (organization_id, procedure_id, position, title, approved, \
             created_at) VALUES ({a}, {proc_id}, 0, 's', false, CURRENT_TIMESTAMP) RETURNING id"
        ),
    )
    .await;
    db.execute_unprepared(&format!(
        "INSERT INTO step_fields (organization_id, procedure_id, step_id, position, name, \
         field_type, required, created_at) \
         VALUES ({a}, {proc_id}, {step_id}, 0, 'f', 'TEXT', true, CURRENT_TIMESTAMP)"
    ))
    .await
    .unwrap();
    // lock_version defaults to 1
    assert_eq!(
        scalar_i64(db, "SELECT CAST(lock_version AS BIGINT) FROM step_fields").await,
        1
    );
    // allocated (non auto-increment) id
    let run_id = scalar_i64(
        db,
        "INSERT INTO run_batches (id, organization_id, title, created_at) \
         VALUES (9007199254740993, 1, 'b', CURRENT_TIMESTAMP) RETURNING id",
    )
    .await;
    assert_eq!(run_id, 9_007_199_254_740_993);

    db.execute_unprepared(&format!("DELETE FROM procedures WHERE id = {proc_id}"))
        .await
        .unwrap();
    assert_eq!(
        scalar_i64(db, "SELECT COUNT(*) FROM step_fields").await,
        0,
        "cascade procedures -> steps -> step_fields"
    );
}

/// How many migrations come before the one named `name`.
fn before(name: &str) -> u32 {
    let all = Migrator::migrations();
    all.iter()
        .position(|m| m.name() == name)
        .expect("a migration") as u32
}

/// Rows written before `writers` get no writer, and their `updated_at` is their
/// `created_at`.
async fn writers_backfill(db: &DatabaseConnection) {
    let before = before("m20261205_000017_writers");
    Migrator::up(db, Some(before)).await.expect("up to writers");
    db.execute_unprepared(
        "INSERT INTO organizations (name, require_part_procedure_link, created_at) \
         VALUES ('old', false, CURRENT_TIMESTAMP)",
    )
    .await
    .unwrap();
    Migrator::up(db, Some(1)).await.expect("up writers");
    let q = "SELECT COUNT(*) FROM organizations WHERE name = 'old' AND updated_at = created_at \
             AND created_by_id IS NULL AND updated_by_id IS NULL";
    assert_eq!(scalar_i64(db, q).await, 1);
}

/// Parts from before `part_status` are RELEASED.
async fn part_status_backfill(db: &DatabaseConnection) {
    let applied = Migrator::get_applied_migrations(db).await.unwrap().len() as u32;
    let missing = before("m20261205_000019_part_status") - applied;
    Migrator::up(db, Some(missing))
        .await
        .expect("up to part_status");
    db.execute_unprepared(
        "INSERT INTO parts (organization_id, part_number, revision, tracking_type, \
         serial_scheme, lot_scheme, lock_version, created_at, updated_at) \
         SELECT id, 'OLD', 'A', 'NONE', 's', 'l', 1, created_at, created_at \
         FROM organizations WHERE name = 'old'",
    )
    .await
    .unwrap();
    Migrator::up(db, Some(1)).await.expect("up part_status");
    let q = "SELECT COUNT(*) FROM parts WHERE part_number = 'OLD' AND status = 'RELEASED'";
    assert_eq!(scalar_i64(db, q).await, 1);
    for t in ["parts", "organizations"] {
        db.execute_unprepared(&format!("DELETE FROM {t}"))
            .await
            .unwrap();
    }
}

async fn exercise(db: &DatabaseConnection) {
    writers_backfill(db).await;
    part_status_backfill(db).await;
    Migrator::up(db, None).await.expect("up");
    assert_tables(db, true).await;
    smoke(db).await;
    Migrator::down(db, None).await.expect("down");
    assert_tables(db, false).await;
    Migrator::up(db, None).await.expect("up again");
    assert_tables(db, true).await;
    smoke(db).await;
}

#[tokio::test]
async fn up_down_up_sqlite() {
    let db = connect("sqlite::memory:").await;
    assert_eq!(db.get_database_backend(), DbBackend::Sqlite);
    exercise(&db).await;
    db.close().await.unwrap();
}

/// Replaces the database name (path) of a `postgres://` URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

#[tokio::test]
async fn up_down_up_postgres() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("TEST_DATABASE_URL not set; skipping PostgreSQL migration test");
        return;
    };
    if !url.starts_with("postgres") {
        eprintln!("TEST_DATABASE_URL is not PostgreSQL; skipping");
        return;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!(
        "traveler_migtest_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000
    );

    let admin = connect(&url).await;
    admin
        .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
        .await
        .expect("create test database");

    let db = connect(&with_database(&url, &name)).await;
    assert_eq!(db.get_database_backend(), DbBackend::Postgres);
    let result = tokio::spawn({
        let db = db.clone();
        async move { exercise(&db).await }
    })
    .await;
    db.close().await.unwrap();

    admin
        .execute_unprepared(&format!(r#"DROP DATABASE IF EXISTS "{name}""#))
        .await
        .expect("drop test database");
    admin.close().await.unwrap();

    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
