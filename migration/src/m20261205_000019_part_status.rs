//! ION's part status (`parts.status`: `RELEASED`, the default, or `ARCHIVED`), and who
//! wrote a step edge and when (`step_edges.created_by_id`, `created_at`, `updated_by_id`,
//! `updated_at`; an edge is never edited, so updated is created).
//!
//! Existing parts are RELEASED; existing edges have no writer (null) and were created with
//! their procedure version.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One column per statement: SQLite alters one column at a time.
async fn add(m: &SchemaManager<'_>, table: &'static str, col: ColumnDef) -> Result<(), DbErr> {
    let alter = Table::alter().table(table).add_column(col).to_owned();
    m.alter_table(alter).await
}

async fn drop(m: &SchemaManager<'_>, table: &'static str, col: &'static str) -> Result<(), DbErr> {
    let alter = Table::alter().table(table).drop_column(col).to_owned();
    m.alter_table(alter).await
}

/// A NOT NULL timestamp added to existing rows: SQLite's `ADD COLUMN` needs a constant
/// default for it; the backfill below overwrites it on every existing row.
fn stamp(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .default("1970-01-01 00:00:00+00:00")
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let status = ColumnDef::new("status")
            .text()
            .not_null()
            .default("RELEASED")
            .take();
        add(manager, "parts", status).await?;
        for col in ["created_by_id", "updated_by_id"] {
            let c = ColumnDef::new(col).big_integer().null().take();
            add(manager, "step_edges", c).await?;
        }
        for col in ["created_at", "updated_at"] {
            add(manager, "step_edges", stamp(col)).await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE step_edges SET \
                 created_at = (SELECT p.created_at FROM procedures p \
                               WHERE p.id = step_edges.procedure_id), \
                 updated_at = (SELECT p.created_at FROM procedures p \
                               WHERE p.id = step_edges.procedure_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in ["created_by_id", "updated_by_id", "created_at", "updated_at"] {
            drop(manager, "step_edges", col).await?;
        }
        drop(manager, "parts", "status").await
    }
}
