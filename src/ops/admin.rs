//! `traveler migrate` and `traveler create-organization`.

use migration::{Migrator, MigratorTrait};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use super::BoxError;
use crate::store;

/// One migration and whether it is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationState {
    pub name: String,
    pub applied: bool,
}

/// Every migration this binary knows, in order, and whether the database has it; reads
/// only (it does not even create the migrations table).
pub async fn migration_status(db: &DatabaseConnection) -> Result<Vec<MigrationState>, BoxError> {
    Ok(Migrator::get_migration_with_status_read_only(db)
        .await?
        .iter()
        .map(|m| MigrationState {
            name: m.name().to_string(),
            applied: m.status() == migration::MigrationStatus::Applied,
        })
        .collect())
}

/// Applies pending migrations; returns the names it applied.
pub async fn migrate(db: &DatabaseConnection) -> Result<Vec<String>, BoxError> {
    let pending: Vec<String> = migration_status(db)
        .await?
        .into_iter()
        .filter(|m| !m.applied)
        .map(|m| m.name)
        .collect();
    store::migrate(db).await?;
    Ok(pending)
}

/// A new organization with its first admin and key. The first organization of a database
/// gets a system admin, as the first start's does.
pub async fn create_organization(
    db: &DatabaseConnection,
    name: &str,
) -> Result<(entity::organization::Model, String), BoxError> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the organization's name must not be empty".into());
    }
    store::migrate(db).await?;
    let txn = store::begin_write(db).await?;
    let first = entity::organization::Entity::find().count(&txn).await? == 0;
    let (org, token) = store::auth::create_organization_with_admin(
        &txn,
        store::writers::Writer::system(),
        name,
        None,
        first,
    )
    .await?;
    txn.commit().await?;
    Ok((org, token))
}
