//! `events` table: the append-only audit log, one row per mutation.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub user_id: i64,
    pub api_key_id: i64,
    /// The mutation, e.g. `createRun`.
    #[sea_orm(column_type = "Text")]
    pub action: String,
    /// The kind of entity changed, e.g. `Run`.
    #[sea_orm(column_type = "Text")]
    pub entity: String,
    pub entity_id: Option<i64>,
    /// JSON: the mutation's input.
    #[sea_orm(column_type = "Text")]
    pub change: String,
    pub created_at: DateTimeUtc,
    /// The id of the request that wrote the event (`X-Request-Id`); none before it was kept.
    #[sea_orm(column_type = "Text", nullable)]
    pub request_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
