//! `runs.attributes` as JSON: `jsonb` on PostgreSQL, so the value is checked by the
//! database and read without parsing text. SQLite keeps JSON as text (it has no JSON type),
//! which the entity's JSON column reads as is.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE runs ALTER COLUMN attributes TYPE jsonb USING attributes::jsonb",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE runs ALTER COLUMN attributes TYPE text USING attributes::text",
                )
                .await?;
        }
        Ok(())
    }
}
