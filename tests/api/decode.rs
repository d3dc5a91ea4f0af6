//! The rows read in bulk (runs, their steps, fields and edges) are decoded by position,
//! on PostgreSQL from the values' binary form where the column's type allows
//! (`store::decode`). Whatever the values, that decoding equals sea-orm's own, by name
//! through sqlx's generic path, on both databases.

use entity::{run, run_step, run_step_edge, run_step_field};
use sea_orm::{ConnectionTrait, EntityTrait, Iterable, PrimaryKeyToColumn, QueryOrder};
use traveler::store::decode::{self, Decode};

use crate::harness::*;
use crate::leaves::worked_run;

/// Values at the edges of their types, written over a worked run's rows: timestamps
/// before 1970 and 2000 (PostgreSQL's epoch) and far ahead, with microseconds; text
/// beyond ASCII and empty; floats negative, tiny and huge; integers at their limits.
const EDGES: &[&str] = &[
    "UPDATE run_step_fields SET value = 'ünïcødé ✓ «»', unit = '', min = -1.5e300, \
     max = 4.9e-300, signed_at = '1969-07-20 20:17:40.123456+00:00', \
     created_at = '2999-12-31 23:59:59.999999+00:00', signed_by_id = 9223372036854775807 \
     WHERE position = 0",
    "UPDATE run_steps SET started_at = '1999-12-31 23:59:59.999999+00:00', \
     completed_at = '2000-01-01 00:00:00+00:00', lead_time = 2147483647, \
     content = 'line one\nline two' WHERE position = 0",
    "UPDATE runs SET priority = -2147483648, due_date = '1900-02-28', \
     scheduled_start = '1900-01-01 00:00:00.000001+00:00', \
     scheduled_end = '2262-04-11 23:47:16.854775+00:00'",
];

#[tokio::test]
async fn rows_by_position_equal_sea_orms_own_decoding() {
    let app = app().await;
    worked_run(&app).await;
    same::<run::Entity>(&app).await;
    same::<run_step::Entity>(&app).await;
    same::<run_step_field::Entity>(&app).await;
    same::<run_step_edge::Entity>(&app).await;
    for sql in EDGES {
        app.db.execute_unprepared(sql).await.expect(sql);
    }
    same::<run::Entity>(&app).await;
    same::<run_step::Entity>(&app).await;
    same::<run_step_field::Entity>(&app).await;
}

/// Every row of `E`, decoded both ways, in one order.
async fn same<E>(app: &TestApp)
where
    E: EntityTrait<Model: Decode + PartialEq + std::fmt::Debug>,
{
    let q = E::PrimaryKey::iter().fold(E::find(), |q, k| q.order_by_asc(k.into_column()));
    let ours = decode::all(q.clone(), &app.db)
        .await
        .expect("decoded by position");
    let theirs = q.all(&app.db).await.expect("decoded by sea-orm");
    assert!(!theirs.is_empty());
    assert_eq!(ours, theirs);
}
