//! The entities round-trip through the schema created by the migration
//! (SQLite in memory; PostgreSQL too when `TEST_DATABASE_URL` is set).

use chrono::{NaiveDate, TimeZone, Utc};
use entity::prelude::*;
use entity::{
    counter, organization, part_part_subtype, part_subtype, procedure, run, run_step_field, step,
    step_edge, team_member,
};
use migration::{Migrator, MigratorTrait};
use sea_orm::prelude::DateTimeUtc;
use sea_orm::{ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use sea_orm::{EntityTrait, NotSet, Set};

async fn connect(url: &str) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(1).sqlx_logging(false);
    Database::connect(opts).await.expect("connect")
}

async fn roundtrip(db: &DatabaseConnection) {
    Migrator::up(db, None).await.unwrap();
    let ts = Utc.with_ymd_and_hms(2026, 11, 28, 12, 34, 56).unwrap()
        + chrono::Duration::microseconds(123_456);

    let org = organization::ActiveModel {
        id: NotSet,
        name: Set("Acme".into()),
        require_part_procedure_link: Set(true),
        domain: Set(Some("acme.example".into())),
        created_at: Set(ts),
        created_by_id: Set(None),
        updated_by_id: Set(Some(7)),
        updated_at: Set(ts),
    }
    .insert(db)
    .await
    .unwrap();
    assert!(org.id > 0);
    assert_eq!(
        Organization::find_by_id(org.id).one(db).await.unwrap(),
        Some(org.clone())
    );

    let r = run::Model {
        id: 1 << 53 | 7,
        organization_id: org.id,
        number: 42,
        title: "Run".into(),
        status: "TODO".into(),
        procedure_id: None,
        part_id: 0,
        part_inventory_id: None,
        source: "MANUAL".into(),
        run_batch_id: None,
        assigned_to_id: None,
        assigned_team_id: None,
        due_date: NaiveDate::from_ymd_opt(2027, 1, 31),
        export_controlled: false,
        attributes: r#"{"a":1}"#.into(),
        lock_version: 1,
        created_at: ts,
        started_at: Some(ts),
        completed_at: None,
        work_center_id: None,
        scheduled_start: Some(ts),
        scheduled_end: None,
        priority: 3,
        updated_at: ts,
        created_by_id: Some(1 << 40),
        updated_by_id: None,
    };
    // runs.part_id has a foreign key: create the part first.
    let part_id = entity::part::ActiveModel {
        id: NotSet,
        organization_id: Set(org.id),
        part_number: Set("P-1".into()),
        revision: Set("A".into()),
        description: Set(None),
        tracking_type: Set("SERIAL".into()),
        serial_scheme: Set("SN-{n}".into()),
        lot_scheme: Set("LOT-{n}".into()),
        part_type: Set(Some("ASSEMBLY".into())),
        status: Set("ARCHIVED".into()),
        lock_version: Set(1),
        created_at: Set(ts),
        created_by_id: Set(None),
        updated_by_id: Set(Some(7)),
        updated_at: Set(ts),
    }
    .insert(db)
    .await
    .unwrap()
    .id;
    let r = run::Model { part_id, ..r };
    run::ActiveModel::from(r.clone()).insert(db).await.unwrap();
    assert_eq!(
        Run::find_by_id(r.id).one(db).await.unwrap(),
        Some(r.clone())
    );

    let rs_id = 1 << 40;
    entity::run_step::ActiveModel::from(entity::run_step::Model {
        id: rs_id,
        organization_id: org.id,
        run_id: r.id,
        origin_step_id: None,
        parent_id: None,
        position: 0,
        title: "S".into(),
        content: None,
        status: "TODO".into(),
        held_from: None,
        lock_version: 1,
        started_at: None,
        completed_at: None,
        lead_time: 15,
        created_at: ts,
        updated_at: ts,
        created_by_id: Some(3),
        updated_by_id: Some(4),
    })
    .insert(db)
    .await
    .unwrap();
    let f = run_step_field::Model {
        id: (1 << 40) + 1,
        organization_id: org.id,
        run_id: r.id,
        run_step_id: rs_id,
        origin_field_id: None,
        position: 0,
        name: "torque".into(),
        field_type: "NUMBER".into(),
        required: true,
        unit: Some("Nm".into()),
        options: None,
        min: Some(1.5),
        max: Some(2.25),
        pattern: None,
        value: Some("2".into()),
        signed_by_id: None,
        signed_at: Some(ts),
        lock_version: 1,
        created_at: ts,
        updated_at: ts,
        created_by_id: None,
        updated_by_id: Some(5),
    };
    run_step_field::ActiveModel::from(f.clone())
        .insert(db)
        .await
        .unwrap();
    assert_eq!(
        RunStepField::find_by_id(f.id).one(db).await.unwrap(),
        Some(f)
    );

    part_things(db, org.id, part_id, ts).await;
    step_edge_with_writers(db, org.id, ts).await;

    let c = counter::Model {
        organization_id: org.id,
        name: "run".into(),
        value: 5,
    };
    counter::ActiveModel::from(c.clone())
        .insert(db)
        .await
        .unwrap();
    assert_eq!(
        Counter::find_by_id((org.id, "run".to_string()))
            .one(db)
            .await
            .unwrap(),
        Some(c)
    );
    let tm = team_member::Model {
        team_id: 3,
        user_id: 4,
        organization_id: org.id,
    };
    team_member::ActiveModel::from(tm.clone())
        .insert(db)
        .await
        .unwrap();
    assert_eq!(
        TeamMember::find_by_id((3, 4)).one(db).await.unwrap(),
        Some(tm)
    );
}

/// A part subtype and its link to part `part_id`.
async fn part_things(db: &DatabaseConnection, org: i64, part_id: i64, ts: DateTimeUtc) {
    let st = part_subtype::Model {
        id: 1 << 41,
        organization_id: org,
        name: "Fastener".into(),
        description: Some("Screws".into()),
        lock_version: 2,
        created_at: ts,
        updated_at: ts,
        created_by_id: Some(3),
        updated_by_id: None,
    };
    part_subtype::ActiveModel::from(st.clone())
        .insert(db)
        .await
        .unwrap();
    assert_eq!(
        PartSubtype::find_by_id(st.id).one(db).await.unwrap(),
        Some(st)
    );
    let link = part_part_subtype::Model {
        part_id,
        part_subtype_id: 1 << 41,
        organization_id: org,
    };
    part_part_subtype::ActiveModel::from(link.clone())
        .insert(db)
        .await
        .unwrap();
    let found = PartPartSubtype::find_by_id((part_id, 1 << 41))
        .one(db)
        .await;
    assert_eq!(found.unwrap(), Some(link));
}

/// A step edge (with its writers) between two steps of a procedure.
async fn step_edge_with_writers(db: &DatabaseConnection, org: i64, ts: DateTimeUtc) {
    let p = procedure::Model {
        id: 1 << 42,
        organization_id: org,
        family_id: 1 << 42,
        version: 1,
        title: "P".into(),
        description: None,
        status: "DRAFT".into(),
        procedure_type: "BUILD".into(),
        export_controlled: false,
        lock_version: 1,
        created_at: ts,
        released_at: None,
        updated_at: ts,
        created_by_id: None,
        updated_by_id: None,
    };
    procedure::ActiveModel::from(p.clone())
        .insert(db)
        .await
        .unwrap();
    for i in 0..2 {
        step::ActiveModel::from(step::Model {
            id: p.id + i,
            organization_id: org,
            procedure_id: p.id,
            parent_id: None,
            position: i as i32,
            title: "S".into(),
            content: None,
            approved: false,
            approved_by_id: None,
            approved_at: None,
            lock_version: 1,
            created_at: ts,
            lead_time: 0,
            updated_at: ts,
            created_by_id: None,
            updated_by_id: None,
        })
        .insert(db)
        .await
        .unwrap();
    }
    let e = step_edge::Model {
        id: 1 << 42,
        organization_id: org,
        procedure_id: p.id,
        step_id: p.id + 1,
        upstream_step_id: p.id,
        created_at: ts,
        updated_at: ts,
        created_by_id: Some(9),
        updated_by_id: Some(9),
    };
    step_edge::ActiveModel::from(e.clone())
        .insert(db)
        .await
        .unwrap();
    assert_eq!(StepEdge::find_by_id(e.id).one(db).await.unwrap(), Some(e));
}

#[tokio::test]
async fn roundtrip_sqlite() {
    let db = connect("sqlite::memory:").await;
    roundtrip(&db).await;
}

#[tokio::test]
async fn roundtrip_postgres() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        return;
    };
    if !url.starts_with("postgres") || url.contains('?') {
        return;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!("traveler_migtest_{}_{nanos}", std::process::id());
    let admin = connect(&url).await;
    admin
        .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let db = connect(&format!("{base}/{name}")).await;
    let result = tokio::spawn({
        let db = db.clone();
        async move { roundtrip(&db).await }
    })
    .await;
    db.close().await.unwrap();
    admin
        .execute_unprepared(&format!(r#"DROP DATABASE IF EXISTS "{name}""#))
        .await
        .unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
