//! `run_steps` table: A step instance of a run (application-allocated id).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "run_steps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub organization_id: i64,
    pub run_id: i64,
    pub origin_step_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub position: i32,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub content: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub held_from: Option<String>,
    pub lock_version: i32,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    /// Minutes the step takes, for scheduling.
    pub lead_time: i32,
    /// When the row was created.
    pub created_at: DateTimeUtc,
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
