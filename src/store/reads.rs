//! Batched reads behind the GraphQL DataLoaders: one statement per key set, whatever the
//! number of parents.

use std::collections::HashMap;

use entity::{
    part_procedure, procedure, run, run_step, run_step_edge, run_step_field, step, step_edge,
    step_field, team_member,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::scope::{OrgScoped, visible};
use crate::caller::Caller;
use crate::domain::enums::ProcedureStatus;

/// Rows of `E` by id, as the caller may see them.
pub async fn by_ids<E>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<HashMap<i64, E::Model>, DbErr>
where
    E: OrgScoped,
    E::Model: sea_orm::ModelTrait<Entity = E>,
{
    let rows = visible::<E>(caller)
        .filter(E::id_col().is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| match sea_orm::ModelTrait::get(&m, E::id_col()) {
            sea_orm::Value::BigInt(Some(id)) => Some((id, m)),
            _ => None,
        })
        .collect())
}

fn group<M>(rows: Vec<M>, key: impl Fn(&M) -> i64) -> HashMap<i64, Vec<M>> {
    let mut out: HashMap<i64, Vec<M>> = HashMap::new();
    for r in rows {
        out.entry(key(&r)).or_default().push(r);
    }
    out
}

pub async fn run_steps_by_run(
    db: &impl ConnectionTrait,
    caller: &Caller,
    run_ids: &[i64],
) -> Result<HashMap<i64, Vec<run_step::Model>>, DbErr> {
    let rows = run_step::Entity::find()
        .filter(run_step::Column::OrganizationId.eq(caller.organization_id))
        .filter(run_step::Column::RunId.is_in(run_ids.iter().copied()))
        .order_by_asc(run_step::Column::Position)
        .order_by_asc(run_step::Column::Id)
        .all(db)
        .await?;
    Ok(group(rows, |r| r.run_id))
}

pub async fn run_fields_by_run(
    db: &impl ConnectionTrait,
    caller: &Caller,
    run_ids: &[i64],
) -> Result<HashMap<i64, Vec<run_step_field::Model>>, DbErr> {
    let rows = run_step_field::Entity::find()
        .filter(run_step_field::Column::OrganizationId.eq(caller.organization_id))
        .filter(run_step_field::Column::RunId.is_in(run_ids.iter().copied()))
        .order_by_asc(run_step_field::Column::RunStepId)
        .order_by_asc(run_step_field::Column::Position)
        .order_by_asc(run_step_field::Column::Id)
        .all(db)
        .await?;
    Ok(group(rows, |r| r.run_id))
}

pub async fn run_edges_by_run(
    db: &impl ConnectionTrait,
    run_ids: &[i64],
) -> Result<HashMap<i64, Vec<run_step_edge::Model>>, DbErr> {
    let rows = run_step_edge::Entity::find()
        .filter(run_step_edge::Column::RunId.is_in(run_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(group(rows, |r| r.run_id))
}

pub async fn steps_by_procedure(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<step::Model>>, DbErr> {
    let rows = step::Entity::find()
        .filter(step::Column::OrganizationId.eq(caller.organization_id))
        .filter(step::Column::ProcedureId.is_in(ids.iter().copied()))
        .order_by_asc(step::Column::Position)
        .order_by_asc(step::Column::Id)
        .all(db)
        .await?;
    Ok(group(rows, |r| r.procedure_id))
}

pub async fn step_fields_by_procedure(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<step_field::Model>>, DbErr> {
    let rows = step_field::Entity::find()
        .filter(step_field::Column::OrganizationId.eq(caller.organization_id))
        .filter(step_field::Column::ProcedureId.is_in(ids.iter().copied()))
        .order_by_asc(step_field::Column::StepId)
        .order_by_asc(step_field::Column::Position)
        .order_by_asc(step_field::Column::Id)
        .all(db)
        .await?;
    Ok(group(rows, |r| r.procedure_id))
}

pub async fn step_edges_by_procedure(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<step_edge::Model>>, DbErr> {
    let rows = step_edge::Entity::find()
        .filter(step_edge::Column::OrganizationId.eq(caller.organization_id))
        .filter(step_edge::Column::ProcedureId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(group(rows, |r| r.procedure_id))
}

/// Part id -> ids of the procedures linked to it; `released_only` keeps RELEASED ones.
pub async fn procedures_by_part(
    db: &impl ConnectionTrait,
    caller: &Caller,
    part_ids: &[i64],
    released_only: bool,
) -> Result<HashMap<i64, Vec<procedure::Model>>, DbErr> {
    let links = part_procedure::Entity::find()
        .filter(part_procedure::Column::OrganizationId.eq(caller.organization_id))
        .filter(part_procedure::Column::PartId.is_in(part_ids.iter().copied()))
        .all(db)
        .await?;
    let mut q = visible::<procedure::Entity>(caller)
        .filter(procedure::Column::Id.is_in(links.iter().map(|l| l.procedure_id)));
    if released_only {
        q = q.filter(procedure::Column::Status.eq(ProcedureStatus::Released.as_str()));
    }
    let procs: HashMap<i64, procedure::Model> = q
        .order_by_asc(procedure::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut out: HashMap<i64, Vec<procedure::Model>> = HashMap::new();
    for l in links {
        if let Some(p) = procs.get(&l.procedure_id) {
            out.entry(l.part_id).or_default().push(p.clone());
        }
    }
    for v in out.values_mut() {
        v.sort_by_key(|p| p.id);
    }
    Ok(out)
}

/// Procedure id -> ids of the parts it is linked to.
pub async fn part_ids_by_procedure(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, DbErr> {
    let links = part_procedure::Entity::find()
        .filter(part_procedure::Column::OrganizationId.eq(caller.organization_id))
        .filter(part_procedure::Column::ProcedureId.is_in(ids.iter().copied()))
        .order_by_asc(part_procedure::Column::PartId)
        .all(db)
        .await?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for l in links {
        out.entry(l.procedure_id).or_default().push(l.part_id);
    }
    Ok(out)
}

pub async fn runs_by_batch(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<run::Model>>, DbErr> {
    let rows = visible::<run::Entity>(caller)
        .filter(run::Column::RunBatchId.is_in(ids.iter().copied()))
        .order_by_asc(run::Column::Id)
        .all(db)
        .await?;
    Ok(group(rows, |r| r.run_batch_id.unwrap_or_default()))
}

/// Team id -> member user ids.
pub async fn members_by_team(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, DbErr> {
    let rows = team_member::Entity::find()
        .filter(team_member::Column::OrganizationId.eq(caller.organization_id))
        .filter(team_member::Column::TeamId.is_in(ids.iter().copied()))
        .order_by_asc(team_member::Column::UserId)
        .all(db)
        .await?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in rows {
        out.entry(r.team_id).or_default().push(r.user_id);
    }
    Ok(out)
}
