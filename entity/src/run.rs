//! `runs` table: A run (work order) executing a procedure for a part (application-allocated id).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub organization_id: i64,
    pub number: i64,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub procedure_id: Option<i64>,
    pub part_id: i64,
    pub part_inventory_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub source: String,
    pub run_batch_id: Option<i64>,
    pub assigned_to_id: Option<i64>,
    pub assigned_team_id: Option<i64>,
    pub due_date: Option<Date>,
    pub export_controlled: bool,
    /// JSON array of `{key, type, value}`: `jsonb` on PostgreSQL, JSON text on SQLite.
    #[sea_orm(column_type = "JsonBinary")]
    pub attributes: Json,
    pub lock_version: i32,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    /// Where the run is worked (independent of the person or team it is assigned to).
    pub work_center_id: Option<i64>,
    /// The planned window.
    pub scheduled_start: Option<DateTimeUtc>,
    pub scheduled_end: Option<DateTimeUtc>,
    /// Higher first in a work center's queue; 0 by default.
    pub priority: i32,
    /// When the row last changed (its creation, until it changes).
    pub updated_at: DateTimeUtc,
    /// The user who created the row; null for rows the system wrote or from before writers
    /// were recorded.
    pub created_by_id: Option<i64>,
    /// The user who last changed the row; null as for `created_by_id`.
    pub updated_by_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
