//! Access control: roles granted through teams, and the append-only audit log; an index
//! for batch propagation.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("teams")
                    .add_column(ColumnDef::new("roles").text().not_null().default(""))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("events")
                    .if_not_exists()
                    .col(
                        ColumnDef::new("id")
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new("organization_id").big_integer().not_null())
                    .col(ColumnDef::new("user_id").big_integer().not_null())
                    .col(ColumnDef::new("api_key_id").big_integer().not_null())
                    .col(ColumnDef::new("action").text().not_null())
                    .col(ColumnDef::new("entity").text().not_null())
                    .col(ColumnDef::new("entity_id").big_integer().null())
                    .col(ColumnDef::new("change").text().not_null())
                    .col(
                        ColumnDef::new("created_at")
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_events_organization_id_entity")
                    .table("events")
                    .col("organization_id")
                    .col("entity")
                    .col("entity_id")
                    .take(),
            )
            .await?;
        // Batch propagation finds a step's siblings by their origin step.
        manager
            .create_index(
                Index::create()
                    .name("idx_run_steps_origin_step_id")
                    .table("run_steps")
                    .col("origin_step_id")
                    .take(),
            )
            .await?;
        // The log is append-only for everyone, the application included.
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'events are append-only'; END; $$ LANGUAGE plpgsql",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events \
                     FOR EACH ROW EXECUTE FUNCTION events_append_only()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER events_no_{} BEFORE {op} ON events \
                         BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
                        op.to_lowercase()
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("events").if_exists().take())
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS events_append_only()")
                .await?;
        }
        manager
            .alter_table(Table::alter().table("teams").drop_column("roles").take())
            .await
    }
}
