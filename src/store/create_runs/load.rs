//! Step 1 of `create`: everything the commands name, in a fixed number of statements
//! whatever their count, so that validation is pure.

use std::collections::{HashMap, HashSet};

use entity::{attribute_definition, organization, part, part_inventory, part_procedure, procedure};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ModelTrait, QueryFilter};

use super::validate::Snapshot;
use crate::caller::Caller;
use crate::domain::enums::{AttributeEntity, ProcedureStatus};
use crate::error::AppResult;
use crate::store::commands::NewRun;
use crate::store::reads::{int, keyed};
use crate::store::scope::{OrgScoped, visible};

/// The distinct ids one field of the runs names, sorted.
fn ids(runs: &[NewRun], f: impl Fn(&NewRun) -> Option<i64>) -> Vec<i64> {
    sorted(runs.iter().filter_map(f).collect())
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v.dedup();
    v
}

/// The visible rows of `E` with these ids, by id; no statement for none.
async fn visible_by_id<E>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: Vec<i64>,
) -> Result<HashMap<i64, E::Model>, DbErr>
where
    E: OrgScoped,
    E::Model: ModelTrait<Entity = E>,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = visible::<E>(caller)
        .filter(E::id_col().is_in(ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| int(&m, E::id_col()).map(|id| (id, m)))
        .collect())
}

pub async fn snapshot(
    db: &impl ConnectionTrait,
    caller: &Caller,
    runs: &[NewRun],
) -> AppResult<Snapshot> {
    let mut snap = Snapshot {
        organization: organization::Entity::find_by_id(caller.organization_id)
            .one(db)
            .await?,
        cleared: caller.export_control_cleared,
        ..Default::default()
    };
    let inv_ids = ids(runs, |r| r.part_inventory_id);
    snap.inventories = visible_by_id::<part_inventory::Entity>(db, caller, inv_ids).await?;
    let mut part_ids = ids(runs, |r| r.part_id);
    part_ids.extend(snap.inventories.values().map(|i| i.part_id));
    let part_ids = sorted(part_ids);
    snap.parts = visible_by_id::<part::Entity>(db, caller, part_ids.clone()).await?;
    procedures(db, caller, &ids(runs, |r| r.procedure_id), &mut snap).await?;
    if snap
        .organization
        .as_ref()
        .is_some_and(|o| o.require_part_procedure_link)
        && !part_ids.is_empty()
    {
        snap.parts_with_release = parts_with_release(db, caller, part_ids).await?;
    }
    snap.users = visible_by_id::<entity::user::Entity>(db, caller, ids(runs, |r| r.assigned_to_id))
        .await?
        .into_keys()
        .collect();
    let team_ids = ids(runs, |r| r.assigned_team_id);
    snap.teams = visible_by_id::<entity::team::Entity>(db, caller, team_ids)
        .await?
        .into_keys()
        .collect();
    let wc_ids = ids(runs, |r| r.work_center_id);
    snap.work_centers = visible_by_id::<entity::work_center::Entity>(db, caller, wc_ids).await?;
    snap.run_attributes = visible::<attribute_definition::Entity>(caller)
        .filter(attribute_definition::Column::Entity.eq(AttributeEntity::Run.as_str()))
        .all(db)
        .await?;
    Ok(snap)
}

/// The procedures named, whether their steps are approved, the current release of the
/// superseded ones, and the parts each is linked to.
async fn procedures(
    db: &impl ConnectionTrait,
    caller: &Caller,
    proc_ids: &[i64],
    snap: &mut Snapshot,
) -> AppResult<()> {
    if proc_ids.is_empty() {
        return Ok(());
    }
    snap.procedures = visible_by_id::<procedure::Entity>(db, caller, proc_ids.to_vec()).await?;
    snap.approved = crate::store::procedures::all_steps_approved(db, proc_ids).await?;
    let superseded: Vec<i64> = snap
        .procedures
        .values()
        .filter(|p| p.status == ProcedureStatus::Superseded.as_str())
        .map(|p| p.family_id)
        .collect();
    if !superseded.is_empty() {
        let q = released(caller).filter(procedure::Column::FamilyId.is_in(superseded));
        snap.current_release = keyed(q.all(db).await?, |m| m.family_id);
    }
    for l in part_procedure::Entity::find()
        .filter(part_procedure::Column::ProcedureId.is_in(proc_ids.iter().copied()))
        .all(db)
        .await?
    {
        snap.links
            .entry(l.procedure_id)
            .or_default()
            .insert(l.part_id);
    }
    Ok(())
}

fn released(caller: &Caller) -> sea_orm::Select<procedure::Entity> {
    visible::<procedure::Entity>(caller)
        .filter(procedure::Column::Status.eq(ProcedureStatus::Released.as_str()))
}

/// The parts among `part_ids` with at least one RELEASED linked procedure.
async fn parts_with_release(
    db: &impl ConnectionTrait,
    caller: &Caller,
    part_ids: Vec<i64>,
) -> Result<HashSet<i64>, DbErr> {
    let linked = part_procedure::Entity::find()
        .filter(part_procedure::Column::PartId.is_in(part_ids))
        .all(db)
        .await?;
    let released: HashSet<i64> = released(caller)
        .filter(procedure::Column::Id.is_in(linked.iter().map(|l| l.procedure_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    Ok(linked
        .iter()
        .filter(|l| released.contains(&l.procedure_id))
        .map(|l| l.part_id)
        .collect())
}
