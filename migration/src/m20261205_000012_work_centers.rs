//! Work centers and scheduling (issue 14): the `work_centers` table (names unique per
//! organization); on runs a work center, a planned window and a priority; a lead time in
//! minutes on procedure steps and run steps; indexes for a work center's queue and for the
//! timeline.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(table, column, definition)` of every column added to an existing table. One ALTER
/// each: SQLite adds one column per statement.
fn added_columns() -> Vec<(&'static str, ColumnDef)> {
    let big_null = |n: &'static str| ColumnDef::new(n).big_integer().null().take();
    let ts_null = |n: &'static str| ColumnDef::new(n).timestamp_with_time_zone().null().take();
    let int0 = |n: &'static str| ColumnDef::new(n).integer().not_null().default(0).take();
    vec![
        ("runs", big_null("work_center_id")),
        ("runs", ts_null("scheduled_start")),
        ("runs", ts_null("scheduled_end")),
        ("runs", int0("priority")),
        ("steps", int0("lead_time")),
        ("run_steps", int0("lead_time")),
    ]
}

fn work_centers() -> TableCreateStatement {
    Table::create()
        .table("work_centers")
        .if_not_exists()
        .col(
            ColumnDef::new("id")
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new("organization_id").big_integer().not_null())
        .col(ColumnDef::new("name").text().not_null())
        .col(ColumnDef::new("description").text().null())
        .col(ColumnDef::new("capacity").integer().null())
        .col(ColumnDef::new("active").boolean().not_null().default(true))
        .col(
            ColumnDef::new("lock_version")
                .integer()
                .not_null()
                .default(1),
        )
        .col(
            ColumnDef::new("created_at")
                .timestamp_with_time_zone()
                .not_null(),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_work_centers_organization_id")
                .from("work_centers", "organization_id")
                .to("organizations", "id"),
        )
        .take()
}

/// The indexes: one work center's name, its queue (runs of the work center by priority,
/// most urgent first, then planned start), and the timeline (runs by planned start, and by
/// planned end, so that a window is bounded on both sides).
fn indexes() -> Vec<IndexCreateStatement> {
    let name = Index::create()
        .if_not_exists()
        .name("uq_work_centers_organization_id_name")
        .table("work_centers")
        .col("organization_id")
        .col("name")
        .unique()
        .take();
    let queue = Index::create()
        .if_not_exists()
        .name("idx_runs_organization_id_work_center_id_priority_scheduled_start")
        .table("runs")
        .col("organization_id")
        .col("work_center_id")
        .col((Alias::new("priority"), IndexOrder::Desc))
        .col("scheduled_start")
        .take();
    let timeline = Index::create()
        .if_not_exists()
        .name("idx_runs_organization_id_scheduled_start")
        .table("runs")
        .col("organization_id")
        .col("scheduled_start")
        .take();
    let ends = Index::create()
        .if_not_exists()
        .name("idx_runs_organization_id_scheduled_end")
        .table("runs")
        .col("organization_id")
        .col("scheduled_end")
        .take();
    vec![name, queue, timeline, ends]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(work_centers()).await?;
        for (table, mut col) in added_columns() {
            let alter = Table::alter().table(table).add_column(&mut col).take();
            manager.alter_table(alter).await?;
        }
        for idx in indexes() {
            manager.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for idx in indexes().into_iter().skip(1) {
            let name = idx
                .get_index_spec()
                .get_name()
                .unwrap_or_default()
                .to_string();
            let drop = Index::drop().name(name).table("runs").to_owned();
            manager.drop_index(drop).await?;
        }
        for (table, col) in added_columns().into_iter().rev() {
            let name = col.get_column_name();
            let alter = Table::alter().table(table).drop_column(name).take();
            manager.alter_table(alter).await?;
        }
        let drop = Table::drop().table("work_centers").take();
        manager.drop_table(drop).await
    }
}
