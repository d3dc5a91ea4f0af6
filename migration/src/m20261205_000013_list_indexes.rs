//! Indexes for the run lists of the floor's screens: by status, by assignee (a user or a
//! team: `me.assignedRuns` asks for either, an OR that PostgreSQL serves by combining one
//! index per column), and the unassigned pool (`IS NULL` on either). Each ends with `id`,
//! the lists' default order and tie-break, so a first page is read in order and stops at
//! its limit.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(name, columns)` on `runs`.
const INDEXES: &[(&str, &[&str])] = &[
    (
        "idx_runs_organization_id_status_id",
        &["organization_id", "status", "id"],
    ),
    ("idx_runs_assigned_to_id_id", &["assigned_to_id", "id"]),
    ("idx_runs_assigned_team_id_id", &["assigned_team_id", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols) in INDEXES {
            let mut idx = Index::create();
            idx.if_not_exists().name(*name).table("runs");
            for c in *cols {
                idx.col(*c);
            }
            manager.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .if_exists()
                        .name(*name)
                        .table("runs")
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
