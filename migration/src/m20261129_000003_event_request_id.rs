//! The request id on audit events, so an event can be matched with the log lines of the
//! request that wrote it. Nullable: events written before this migration have none.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // ADD COLUMN is not an UPDATE: the append-only triggers on `events` allow it.
        manager
            .alter_table(
                Table::alter()
                    .table("events")
                    .add_column(ColumnDef::new("request_id").text().null())
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("events")
                    .drop_column("request_id")
                    .take(),
            )
            .await
    }
}
