//! Run lists sorted by planned start put runs without one last in both directions
//! (`store::lists`). PostgreSQL reads `scheduled_start ASC NULLS LAST` forwards through
//! `(organization_id, scheduled_start)`; `DESC NULLS LAST` is that index's reverse only
//! with nulls first, so it gets its own. SQLite's indexes have no null ordering (and its
//! planner sorts these lists itself): nothing to add there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_runs_organization_id_scheduled_start_desc";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let sql = format!(
            "CREATE INDEX IF NOT EXISTS {NAME} ON runs (organization_id, scheduled_start DESC NULLS LAST)"
        );
        manager.get_connection().execute_unprepared(&sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let sql = format!("DROP INDEX IF EXISTS {NAME}");
        manager.get_connection().execute_unprepared(&sql).await?;
        Ok(())
    }
}
