//! Database-backed counters: run numbers, serial and lot sequences, and id blocks.
//!
//! A counter row is incremented with an upsert inside the caller's transaction, so the row
//! stays locked until commit: numbers never repeat, across clients and server processes.
//! To avoid deadlocks every transaction takes counters in the order of `Counter`'s variants
//! (see `create_runs`), part counters by ascending part id.

use entity::counter;
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

/// Organization id used for counters that are global (id blocks).
const GLOBAL: i64 = 0;

pub enum Counter<'a> {
    SerialSeq(i64),
    LotSeq(i64),
    RunNumber,
    BatchNumber,
    ProcedureFamily,
    Ids(&'a str),
}

impl Counter<'_> {
    fn key(&self) -> String {
        match self {
            Counter::SerialSeq(part) => format!("serial:{part}"),
            Counter::LotSeq(part) => format!("lot:{part}"),
            Counter::RunNumber => "run".into(),
            Counter::BatchNumber => "batch".into(),
            Counter::ProcedureFamily => "procedure_family".into(),
            Counter::Ids(table) => format!("ids:{table}"),
        }
    }

    fn global(&self) -> bool {
        matches!(self, Counter::Ids(_) | Counter::ProcedureFamily)
    }
}

/// Reserves `n` consecutive values and returns the first. `n` must be at least 1.
pub async fn reserve(
    db: &impl ConnectionTrait,
    organization_id: i64,
    which: Counter<'_>,
    n: i64,
) -> Result<i64, DbErr> {
    debug_assert!(n >= 1);
    let org = if which.global() {
        GLOBAL
    } else {
        organization_id
    };
    let row = counter::Entity::insert(counter::ActiveModel {
        organization_id: Set(org),
        name: Set(which.key()),
        value: Set(n),
    })
    .on_conflict(
        OnConflict::columns([counter::Column::OrganizationId, counter::Column::Name])
            .value(
                counter::Column::Value,
                Expr::col((counter::Entity, counter::Column::Value)).add(n),
            )
            .to_owned(),
    )
    .exec_with_returning(db)
    .await?;
    Ok(row.value - n + 1)
}

/// Reserves a block of `n` primary keys for `table`.
pub async fn ids(db: &impl ConnectionTrait, table: &str, n: usize) -> Result<i64, DbErr> {
    reserve(db, GLOBAL, Counter::Ids(table), n.max(1) as i64).await
}
