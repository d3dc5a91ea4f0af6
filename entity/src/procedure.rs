//! `procedures` table: A versioned procedure (template) belonging to a procedure family.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "procedures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub family_id: i64,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub procedure_type: String,
    pub export_controlled: bool,
    pub lock_version: i32,
    pub created_at: DateTimeUtc,
    pub released_at: Option<DateTimeUtc>,
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
