//! Who wrote a row and when (ION's `createdById`, `updatedById`, `createdAt`, `updatedAt`
//! on every object): `created_by_id`, `updated_by_id` and `updated_at` on every table behind
//! a GraphQL object with an id, and `created_at` on run steps and their fields, which had
//! none.
//!
//! Rows written before this migration have no writer (null, as for rows the system writes);
//! their `updated_at` is their `created_at`, and a run's steps and fields were created with
//! their run.
//!
//! Also `parts.part_type` (ION's `Part.partType`): free text, null until set.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables, and whether each already has `updated_at` (`roles` and `run_step_fields` do).
const TABLES: &[(&str, bool)] = &[
    ("organizations", false),
    ("users", false),
    ("teams", false),
    ("roles", true),
    ("api_keys", false),
    ("parts", false),
    ("part_inventories", false),
    ("attribute_definitions", false),
    ("work_centers", false),
    ("procedures", false),
    ("steps", false),
    ("step_fields", false),
    ("run_batches", false),
    ("runs", false),
    ("run_steps", false),
    ("run_step_fields", true),
];

/// Tables that had no `created_at`: their rows were created with their run.
const NO_CREATED_AT: &[&str] = &["run_steps", "run_step_fields"];

/// A NOT NULL timestamp added to existing rows: SQLite's `ADD COLUMN` needs a constant
/// default for it; the backfill below overwrites it on every existing row.
fn stamp(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .default("1970-01-01 00:00:00+00:00")
        .take()
}

/// One column per statement: SQLite alters one column at a time.
async fn add(m: &SchemaManager<'_>, table: &'static str, col: ColumnDef) -> Result<(), DbErr> {
    let alter = Table::alter().table(table).add_column(col).to_owned();
    m.alter_table(alter).await
}

async fn drop(m: &SchemaManager<'_>, table: &'static str, col: &'static str) -> Result<(), DbErr> {
    let alter = Table::alter().table(table).drop_column(col).to_owned();
    m.alter_table(alter).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for &(table, has_updated_at) in TABLES {
            for col in ["created_by_id", "updated_by_id"] {
                add(
                    manager,
                    table,
                    ColumnDef::new(col).big_integer().null().take(),
                )
                .await?;
            }
            if NO_CREATED_AT.contains(&table) {
                add(manager, table, stamp("created_at")).await?;
                db.execute_unprepared(&format!(
                    "UPDATE {table} SET created_at = \
                     (SELECT r.created_at FROM runs r WHERE r.id = {table}.run_id)"
                ))
                .await?;
            }
            if has_updated_at {
                db.execute_unprepared(&format!(
                    "UPDATE {table} SET updated_at = created_at WHERE updated_at IS NULL"
                ))
                .await?;
            } else {
                add(manager, table, stamp("updated_at")).await?;
                db.execute_unprepared(&format!("UPDATE {table} SET updated_at = created_at"))
                    .await?;
            }
        }
        let part_type = ColumnDef::new("part_type").text().null().take();
        add(manager, "parts", part_type).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop(manager, "parts", "part_type").await?;
        for &(table, has_updated_at) in TABLES {
            if !has_updated_at {
                drop(manager, table, "updated_at").await?;
            }
            if NO_CREATED_AT.contains(&table) {
                drop(manager, table, "created_at").await?;
            }
            for col in ["created_by_id", "updated_by_id"] {
                drop(manager, table, col).await?;
            }
        }
        Ok(())
    }
}
