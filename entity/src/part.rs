//! `parts` table: A part definition (part number + revision).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "parts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    #[sea_orm(column_type = "Text")]
    pub part_number: String,
    #[sea_orm(column_type = "Text")]
    pub revision: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub tracking_type: String,
    #[sea_orm(column_type = "Text")]
    pub serial_scheme: String,
    #[sea_orm(column_type = "Text")]
    pub lot_scheme: String,
    /// ION's part type: free text (e.g. `ASSEMBLY`); null until set.
    #[sea_orm(column_type = "Text")]
    pub part_type: Option<String>,
    /// ION's part status: `RELEASED` (the default) or `ARCHIVED` (no new inventory).
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub lock_version: i32,
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
