//! `part_subtypes` table: ION's part subtype, a category of the organization attached to
//! parts; names unique per organization.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "part_subtypes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    pub lock_version: i32,
    pub created_at: DateTimeUtc,
    /// When the row last changed (its creation, until it changes).
    pub updated_at: DateTimeUtc,
    /// The user who created the row; null for rows the system wrote.
    pub created_by_id: Option<i64>,
    /// The user who last changed the row; null as for `created_by_id`.
    pub updated_by_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
