//! ION's part status (`parts.status`: `RELEASED`, the default, or `ARCHIVED`), and who
//! wrote a step edge and when (`step_edges.created_by_id`, `created_at`, `updated_by_id`,
//! `updated_at`; an edge is never edited, so updated is created).
//!
//! Existing parts are RELEASED; existing edges have no writer (null) and were created with
//! their procedure version.
//!
//! ION's part subtypes: `part_subtypes` (names unique per organization, with writers) and
//! `part_part_subtypes` (which part has which).

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

fn part_subtypes() -> TableCreateStatement {
    let big = |n: &'static str| ColumnDef::new(n).big_integer().not_null().take();
    let ts = |n: &'static str| {
        ColumnDef::new(n)
            .timestamp_with_time_zone()
            .not_null()
            .take()
    };
    let writer = |n: &'static str| ColumnDef::new(n).big_integer().null().take();
    Table::create()
        .table("part_subtypes")
        .if_not_exists()
        .col(big("id").auto_increment().primary_key())
        .col(big("organization_id"))
        .col(ColumnDef::new("name").text().not_null())
        .col(ColumnDef::new("description").text().null())
        .col(
            ColumnDef::new("lock_version")
                .integer()
                .not_null()
                .default(1),
        )
        .col(ts("created_at"))
        .col(ts("updated_at"))
        .col(writer("created_by_id"))
        .col(writer("updated_by_id"))
        .foreign_key(
            ForeignKey::create()
                .name("fk_part_subtypes_organization_id")
                .from("part_subtypes", "organization_id")
                .to("organizations", "id"),
        )
        .take()
}

/// A link goes with its part and with its subtype.
fn part_part_subtypes() -> TableCreateStatement {
    let big = |n: &'static str| ColumnDef::new(n).big_integer().not_null().take();
    let fk = |col: &'static str, to: &'static str| {
        ForeignKey::create()
            .name(format!("fk_part_part_subtypes_{col}"))
            .from("part_part_subtypes", col)
            .to(to, "id")
            .on_delete(ForeignKeyAction::Cascade)
            .take()
    };
    Table::create()
        .table("part_part_subtypes")
        .if_not_exists()
        .col(big("part_id"))
        .col(big("part_subtype_id"))
        .col(big("organization_id"))
        .primary_key(Index::create().col("part_id").col("part_subtype_id"))
        .foreign_key(&mut fk("part_id", "parts"))
        .foreign_key(&mut fk("part_subtype_id", "part_subtypes"))
        .take()
}

fn unique_subtype_name() -> IndexCreateStatement {
    Index::create()
        .if_not_exists()
        .name("uq_part_subtypes_organization_id_name")
        .table("part_subtypes")
        .col("organization_id")
        .col("name")
        .unique()
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
        manager.create_table(part_subtypes()).await?;
        manager.create_index(unique_subtype_name()).await?;
        manager.create_table(part_part_subtypes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["part_part_subtypes", "part_subtypes"] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        for col in ["created_by_id", "updated_by_id", "created_at", "updated_at"] {
            drop(manager, "step_edges", col).await?;
        }
        drop(manager, "parts", "status").await
    }
}
