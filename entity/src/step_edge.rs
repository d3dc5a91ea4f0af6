//! `step_edges` table: A dependency edge between two steps of a procedure.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "step_edges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub procedure_id: i64,
    pub step_id: i64,
    pub upstream_step_id: i64,
    pub created_at: DateTimeUtc,
    /// Equal to `created_at`: an edge is never edited, only created and deleted.
    pub updated_at: DateTimeUtc,
    /// The user who created the edge; null for edges the system wrote or from before
    /// writers were recorded.
    pub created_by_id: Option<i64>,
    /// Equal to `created_by_id`, as `updated_at` is `created_at`.
    pub updated_by_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
