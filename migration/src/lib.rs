//! Database migrations of the Traveler server.

/// For `traveler migrate --status`.
pub use sea_orm_migration::MigrationStatus;
pub use sea_orm_migration::prelude::*;

mod m20261128_000001_init;
mod m20261128_000002_access;
mod m20261129_000003_event_request_id;
mod m20261129_000004_run_attributes_json;
mod m20261129_000010_live_notify;
mod m20261205_000011_organization_domain;
mod m20261205_000012_work_centers;
mod m20261205_000013_list_indexes;
mod m20261205_000014_roles;
mod m20261205_000016_team_supervisor;
mod m20261205_000017_writers;
mod m20261205_000018_schedule;
mod m20261205_000019_part_status;

/// Runs all migrations of the Traveler schema.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_init::Migration),
            Box::new(m20261128_000002_access::Migration),
            Box::new(m20261129_000003_event_request_id::Migration),
            Box::new(m20261129_000004_run_attributes_json::Migration),
            Box::new(m20261129_000010_live_notify::Migration),
            Box::new(m20261205_000011_organization_domain::Migration),
            Box::new(m20261205_000012_work_centers::Migration),
            Box::new(m20261205_000013_list_indexes::Migration),
            Box::new(m20261205_000014_roles::Migration),
            Box::new(m20261205_000016_team_supervisor::Migration),
            Box::new(m20261205_000017_writers::Migration),
            Box::new(m20261205_000018_schedule::Migration),
            Box::new(m20261205_000019_part_status::Migration),
        ]
    }
}
