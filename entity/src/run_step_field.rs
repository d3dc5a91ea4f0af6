//! `run_step_fields` table: A field instance of a run step (application-allocated id).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "run_step_fields")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub organization_id: i64,
    pub run_id: i64,
    pub run_step_id: i64,
    pub origin_field_id: Option<i64>,
    pub position: i32,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub field_type: String,
    pub required: bool,
    #[sea_orm(column_type = "Text")]
    pub unit: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub options: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    #[sea_orm(column_type = "Text")]
    pub pattern: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub value: Option<String>,
    pub signed_by_id: Option<i64>,
    pub signed_at: Option<DateTimeUtc>,
    pub lock_version: i32,
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

/// A field's step, so that a value entry reads the field, its run and its step in one
/// statement.
impl Related<super::run_step::Entity> for Entity {
    fn to() -> RelationDef {
        Entity::belongs_to(super::run_step::Entity)
            .from(Column::RunStepId)
            .to(super::run_step::Column::Id)
            .into()
    }
}

impl ActiveModelBehavior for ActiveModel {}
