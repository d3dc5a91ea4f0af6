//! Live subscriptions: on PostgreSQL every insert into `events` sends a `NOTIFY` in the
//! writing transaction, so server processes following the log wake up exactly when a
//! change commits (a rolled-back transaction announces nothing). SQLite has no
//! notifications; there the followers poll the newest event id.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // No payload: a wake-up only (the follower reads the log itself), which also lets
        // PostgreSQL fold the notifications of one transaction into one.
        db.execute_unprepared(
            "CREATE OR REPLACE FUNCTION events_notify() RETURNS trigger AS $$ \
             BEGIN PERFORM pg_notify('traveler_events', ''); RETURN NULL; END; $$ LANGUAGE plpgsql",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER events_notify AFTER INSERT ON events \
             FOR EACH STATEMENT EXECUTE FUNCTION events_notify()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared("DROP TRIGGER IF EXISTS events_notify ON events")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS events_notify()")
                .await?;
        }
        Ok(())
    }
}
