//! `run_step_edges` table: A dependency edge between two steps of a run.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "run_step_edges")]
pub struct Model {
    pub run_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub step_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub upstream_step_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
