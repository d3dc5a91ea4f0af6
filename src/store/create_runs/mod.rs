//! Starting runs in bulk: `createRun`, `createRuns` and `createBatchedRun` all land here.
//!
//! 1. load everything the inputs refer to, a few statements for the whole call;
//! 2. validate every input against that snapshot (`validate`), reporting every error;
//! 3. in one write transaction: reserve numbers and ids, then multi-row inserts of units,
//!    runs, run steps, fields and edges (`template`). All or nothing.

pub mod template;
pub mod validate;

use std::collections::{HashMap, HashSet};

use entity::{
    attribute_definition, idempotency_key, organization, part, part_inventory, part_procedure,
    procedure, run, run_batch, team, user,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use self::template::{Target, Template, insert_chunked};
use self::validate::{At, Identity, Plan, Refs, Snapshot};
use super::counters::{self, Counter};
use super::inventory::{self, IdentityKind};
use crate::caller::Caller;
use crate::config::Limits;
use crate::domain::enums::{AttributeEntity, PartInventoryStatus, ProcedureStatus, RunSource};
use crate::domain::numbering;
use crate::domain::status::RunStatus;
use crate::error::{AppError, AppErrors, Code, Seg};
use crate::input::{CreateRunInput, parse_id_at};

/// What one call asks for.
pub struct Request<'a> {
    pub inputs: &'a [CreateRunInput],
    /// Input path of `inputs[i]`: `["input"]` for createRun, `["input", "runs", i]` otherwise.
    pub single: bool,
    pub batch: Option<Option<String>>,
    pub idempotency_key: Option<String>,
    pub validate_only: bool,
    /// For the audit log: the mutation's name and its arguments.
    pub action: &'a str,
    pub change: serde_json::Value,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Outcome {
    pub run_ids: Vec<i64>,
    pub batch_id: Option<i64>,
}

fn prefix(single: bool, i: usize) -> Vec<Seg> {
    if single {
        vec![Seg::Key("input")]
    } else {
        vec![Seg::Key("input"), Seg::Key("runs"), Seg::Index(i)]
    }
}

fn request_hash(req: &Request<'_>) -> String {
    // Debug output is a stable rendering of every input field, so equal inputs hash equal.
    let body = format!("{:?}|{:?}", req.inputs, req.batch);
    hex::encode(Sha256::digest(body.as_bytes()))
}

pub async fn create(
    db: &DatabaseConnection,
    caller: &Caller,
    limits: &Limits,
    req: Request<'_>,
) -> Result<Outcome, AppErrors> {
    let n_inputs = req.inputs.len();
    if n_inputs == 0 {
        return Err(AppError::bad_input("`runs` must not be empty")
            .at(&["input", "runs"])
            .into());
    }
    if n_inputs > limits.bulk_inputs {
        return Err(AppError::new(
            Code::LimitExceeded,
            format!(
                "{n_inputs} inputs; at most {} in one call",
                limits.bulk_inputs
            ),
        )
        .at(&["input", "runs"])
        .into());
    }
    let total: usize = req
        .inputs
        .iter()
        .map(|i| i.copies.unwrap_or(1).max(1) as usize)
        .sum();
    let max_total = limits.bulk_inputs.max(limits.copies);
    if total > max_total {
        return Err(AppError::new(
            Code::LimitExceeded,
            format!("{total} runs asked for; at most {max_total} in one call"),
        )
        .at(&["input"])
        .into());
    }
    let hash = request_hash(&req);
    if let Some(key) = &req.idempotency_key
        && let Some(done) = replay(db, caller, key, &hash).await?
    {
        return Ok(done);
    }

    // 1. Parse ids, then load what they name.
    let mut errors = Vec::new();
    let refs: Vec<Refs> = req
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            parse_refs(
                input,
                &prefix(req.single, i),
                (!req.single).then_some(i),
                &mut errors,
            )
        })
        .collect();
    let snap = load_snapshot(db, caller, &refs).await?;

    // 2. Validate every input.
    let mut plans = Vec::with_capacity(n_inputs);
    for (i, input) in req.inputs.iter().enumerate() {
        let p = prefix(req.single, i);
        let at = At {
            prefix: &p,
            index: (!req.single).then_some(i),
        };
        if let Some(plan) = validate::check(input, &refs[i], &snap, &at, limits.copies, &mut errors)
        {
            plans.push(plan);
        }
    }
    check_identities_unique(db, &plans, req.single, &mut errors).await?;
    if req.batch.is_some() {
        let procs: HashSet<Option<i64>> = plans.iter().map(|p| p.procedure_id).collect();
        if procs.len() > 1 {
            errors.push(
                AppError::bad_input(
                    "runs of one batch share one procedure version; these inputs name several",
                )
                .at(&["input", "runs"]),
            );
        }
    }
    if !errors.is_empty() {
        return Err(AppErrors(errors));
    }
    if req.validate_only {
        return Ok(Outcome::default());
    }

    // 3. Write.
    let mut templates = HashMap::new();
    for pid in plans.iter().filter_map(|p| p.procedure_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = templates.entry(pid) {
            e.insert(Template::load(db, pid).await?);
        }
    }
    let txn = super::begin_write(db).await?;
    if let Some(key) = &req.idempotency_key {
        let claimed = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
            organization_id: Set(caller.organization_id),
            key: Set(key.clone()),
            request_hash: Set(hash.clone()),
            response: Set(String::new()),
            created_at: Set(super::now()),
        })
        .on_conflict(
            OnConflict::columns([
                idempotency_key::Column::OrganizationId,
                idempotency_key::Column::Key,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if claimed == 0 {
            // Another call with this key committed while we validated: answer as it did.
            txn.rollback().await?;
            return replay(db, caller, key, &hash).await?.ok_or_else(|| {
                AppError::new(
                    Code::Conflict,
                    "a call with this idempotency key is in progress; retry",
                )
                .into()
            });
        }
    }
    let outcome = write(&txn, caller, &req, &plans, &snap, &templates).await?;
    if let Some(key) = &req.idempotency_key {
        idempotency_key::Entity::update_many()
            .col_expr(
                idempotency_key::Column::Response,
                sea_orm::sea_query::Expr::value(
                    serde_json::to_string(&outcome).unwrap_or_default(),
                ),
            )
            .filter(idempotency_key::Column::OrganizationId.eq(caller.organization_id))
            .filter(idempotency_key::Column::Key.eq(key.clone()))
            .exec(&txn)
            .await?;
    }
    let subject = match outcome.batch_id {
        Some(b) => ("RunBatch", Some(b)),
        None => ("Run", outcome.run_ids.first().copied()),
    };
    let change = serde_json::json!({"arguments": req.change, "runIds": outcome.run_ids, "batchId": outcome.batch_id});
    super::audit::record(&txn, caller, req.action, subject, change).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// The stored result of an earlier call with `key`, or `IDEMPOTENCY_KEY_REUSED`.
async fn replay(
    db: &DatabaseConnection,
    caller: &Caller,
    key: &str,
    hash: &str,
) -> Result<Option<Outcome>, AppErrors> {
    let Some(row) = idempotency_key::Entity::find_by_id((caller.organization_id, key.to_string()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.request_hash != hash {
        return Err(AppError::new(
            Code::IdempotencyKeyReused,
            format!("idempotency key {key} was used with a different input"),
        )
        .at(&["input", "idempotencyKey"])
        .into());
    }
    Ok(serde_json::from_str(&row.response).ok())
}

fn parse_refs(
    input: &CreateRunInput,
    prefix: &[Seg],
    index: Option<usize>,
    errors: &mut Vec<AppError>,
) -> Refs {
    let mut one = |id: &Option<async_graphql::ID>, field: &'static str| {
        id.as_ref().and_then(|id| {
            let mut p = prefix.to_vec();
            p.push(Seg::Key(field));
            parse_id_at(id, p)
                .map_err(|e| {
                    errors.push(match index {
                        Some(i) => e.with_index(i),
                        None => e,
                    })
                })
                .ok()
        })
    };
    Refs {
        part_id: one(&input.part_id, "partId"),
        procedure_id: one(&input.procedure_id, "procedureId"),
        part_inventory_id: one(&input.part_inventory_id, "partInventoryId"),
        assigned_to_id: one(&input.assigned_to_id, "assignedToId"),
        assigned_team_id: one(&input.assigned_team_id, "assignedTeamId"),
    }
}

fn ids(refs: &[Refs], f: impl Fn(&Refs) -> Option<i64>) -> Vec<i64> {
    let mut v: Vec<i64> = refs.iter().filter_map(f).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Everything the inputs name, in a fixed number of statements whatever their count.
async fn load_snapshot(
    db: &DatabaseConnection,
    caller: &Caller,
    refs: &[Refs],
) -> Result<Snapshot, AppErrors> {
    use super::scope::visible;
    let mut snap = Snapshot {
        organization: organization::Entity::find_by_id(caller.organization_id)
            .one(db)
            .await?,
        cleared: caller.export_control_cleared,
        ..Default::default()
    };
    let inv_ids = ids(refs, |r| r.part_inventory_id);
    if !inv_ids.is_empty() {
        snap.inventories = visible::<part_inventory::Entity>(caller)
            .filter(part_inventory::Column::Id.is_in(inv_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
    }
    let mut part_ids = ids(refs, |r| r.part_id);
    part_ids.extend(snap.inventories.values().map(|i| i.part_id));
    part_ids.sort_unstable();
    part_ids.dedup();
    if !part_ids.is_empty() {
        snap.parts = visible::<part::Entity>(caller)
            .filter(part::Column::Id.is_in(part_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
    }
    let proc_ids = ids(refs, |r| r.procedure_id);
    if !proc_ids.is_empty() {
        snap.procedures = visible::<procedure::Entity>(caller)
            .filter(procedure::Column::Id.is_in(proc_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        snap.approved = super::procedures::all_steps_approved(db, &proc_ids).await?;
        let superseded: Vec<i64> = snap
            .procedures
            .values()
            .filter(|p| p.status == ProcedureStatus::Superseded.as_str())
            .map(|p| p.family_id)
            .collect();
        if !superseded.is_empty() {
            snap.current_release = visible::<procedure::Entity>(caller)
                .filter(procedure::Column::FamilyId.is_in(superseded))
                .filter(procedure::Column::Status.eq(ProcedureStatus::Released.as_str()))
                .all(db)
                .await?
                .into_iter()
                .map(|m| (m.family_id, m))
                .collect();
        }
        for l in part_procedure::Entity::find()
            .filter(part_procedure::Column::ProcedureId.is_in(proc_ids))
            .all(db)
            .await?
        {
            snap.links
                .entry(l.procedure_id)
                .or_default()
                .insert(l.part_id);
        }
    }
    if snap
        .organization
        .as_ref()
        .is_some_and(|o| o.require_part_procedure_link)
        && !part_ids.is_empty()
    {
        let linked = part_procedure::Entity::find()
            .filter(part_procedure::Column::PartId.is_in(part_ids))
            .all(db)
            .await?;
        let released: HashSet<i64> = visible::<procedure::Entity>(caller)
            .filter(procedure::Column::Id.is_in(linked.iter().map(|l| l.procedure_id)))
            .filter(procedure::Column::Status.eq(ProcedureStatus::Released.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        snap.parts_with_release = linked
            .iter()
            .filter(|l| released.contains(&l.procedure_id))
            .map(|l| l.part_id)
            .collect();
    }
    let user_ids = ids(refs, |r| r.assigned_to_id);
    if !user_ids.is_empty() {
        snap.users = visible::<user::Entity>(caller)
            .filter(user::Column::Id.is_in(user_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
    }
    let team_ids = ids(refs, |r| r.assigned_team_id);
    if !team_ids.is_empty() {
        snap.teams = visible::<team::Entity>(caller)
            .filter(team::Column::Id.is_in(team_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect();
    }
    snap.run_attributes = visible::<attribute_definition::Entity>(caller)
        .filter(attribute_definition::Column::Entity.eq(AttributeEntity::Run.as_str()))
        .all(db)
        .await?;
    Ok(snap)
}

/// Given serial and lot numbers: not twice in the call, not taken in the database.
async fn check_identities_unique(
    db: &DatabaseConnection,
    plans: &[Plan],
    single: bool,
    errors: &mut Vec<AppError>,
) -> Result<(), AppErrors> {
    for kind in [IdentityKind::Serial, IdentityKind::Lot] {
        let field = if kind == IdentityKind::Serial {
            "serialNumber"
        } else {
            "lotNumber"
        };
        let mut by_part: HashMap<i64, Vec<(usize, String)>> = HashMap::new();
        for p in plans {
            let id = if kind == IdentityKind::Serial {
                &p.serial
            } else {
                &p.lot
            };
            if let Identity::Given(v) = id {
                by_part
                    .entry(p.part_id)
                    .or_default()
                    .push((p.index, v.clone()));
            }
        }
        for (part_id, given) in by_part {
            let values: Vec<String> = given.iter().map(|(_, v)| v.clone()).collect();
            let taken = inventory::taken(db, part_id, kind, &values).await?;
            let mut seen = HashSet::new();
            for (i, v) in given {
                if taken.contains(&v) || !seen.insert(v.clone()) {
                    let mut path = prefix(single, i);
                    path.push(Seg::Key(field));
                    let e = kind.duplicate(&v).with_path(path);
                    errors.push(if single { e } else { e.with_index(i) });
                }
            }
        }
    }
    Ok(())
}

/// One run to write: its plan and which copy it is.
struct Item<'a> {
    plan: &'a Plan,
    serial: Option<String>,
    lot: Option<String>,
}

async fn write(
    txn: &sea_orm::DatabaseTransaction,
    caller: &Caller,
    req: &Request<'_>,
    plans: &[Plan],
    snap: &Snapshot,
    templates: &HashMap<i64, Template>,
) -> Result<Outcome, AppErrors> {
    let org = caller.organization_id;
    let now = super::now();
    // Counters in a fixed order (serial, lot per part ascending; run; batch; ids) so that
    // concurrent transactions never wait on each other in a cycle.
    let mut items: Vec<Item<'_>> = Vec::new();
    for plan in plans {
        for _ in 0..plan.copies {
            let given = |id: &Identity| {
                if let Identity::Given(v) = id {
                    Some(v.clone())
                } else {
                    None
                }
            };
            items.push(Item {
                plan,
                serial: given(&plan.serial),
                lot: given(&plan.lot),
            });
        }
    }
    let mut part_order: Vec<i64> = plans.iter().map(|p| p.part_id).collect();
    part_order.sort_unstable();
    part_order.dedup();
    for kind in [IdentityKind::Serial, IdentityKind::Lot] {
        for part_id in &part_order {
            let wants: Vec<usize> = items
                .iter()
                .enumerate()
                .filter(|(_, it)| {
                    it.plan.part_id == *part_id
                        && *(if kind == IdentityKind::Serial {
                            &it.plan.serial
                        } else {
                            &it.plan.lot
                        }) == Identity::Generate
                })
                .map(|(i, _)| i)
                .collect();
            if wants.is_empty() {
                continue;
            }
            let claimed: HashSet<String> = items
                .iter()
                .filter(|it| it.plan.part_id == *part_id)
                .filter_map(|it| {
                    if kind == IdentityKind::Serial {
                        it.serial.clone()
                    } else {
                        it.lot.clone()
                    }
                })
                .collect();
            let numbers =
                inventory::generate(txn, &snap.parts[part_id], kind, wants.len(), &claimed).await?;
            for (i, n) in wants.into_iter().zip(numbers) {
                match kind {
                    IdentityKind::Serial => items[i].serial = Some(n),
                    IdentityKind::Lot => items[i].lot = Some(n),
                }
            }
        }
    }
    let n = items.len();
    let first_number = counters::reserve(txn, org, Counter::RunNumber, n as i64).await?;
    let batch_number = match &req.batch {
        Some(None) => Some(counters::reserve(txn, org, Counter::BatchNumber, 1).await?),
        _ => None,
    };
    let builds = items
        .iter()
        .filter(|it| it.plan.source == RunSource::Build)
        .count();
    let inv_base = if builds > 0 {
        counters::ids(txn, "part_inventories", builds).await?
    } else {
        0
    };
    let batch_id = match &req.batch {
        Some(_) => Some(counters::ids(txn, "run_batches", 1).await?),
        None => None,
    };
    let run_base = counters::ids(txn, "runs", n).await?;

    if let (Some(id), Some(title)) = (batch_id, &req.batch) {
        let first = &plans[0];
        let p = &snap.parts[&first.part_id];
        let title = title
            .clone()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| {
                numbering::batch_title(batch_number.unwrap_or(0), &p.part_number, &p.revision, n)
            });
        run_batch::Entity::insert(run_batch::ActiveModel {
            id: Set(id),
            organization_id: Set(org),
            title: Set(title),
            procedure_id: Set(first.procedure_id),
            lock_version: Set(1),
            created_at: Set(now),
        })
        .exec_without_returning(txn)
        .await?;
    }

    let mut units = Vec::with_capacity(builds);
    let mut runs = Vec::with_capacity(n);
    let mut by_procedure: HashMap<i64, Vec<Target>> = HashMap::new();
    let mut b = 0;
    for (k, it) in items.iter().enumerate() {
        let plan = it.plan;
        let run_id = run_base + k as i64;
        let number = first_number + k as i64;
        let inventory_id = match plan.source {
            RunSource::Attach => plan.part_inventory_id,
            RunSource::Build => {
                let id = inv_base + b;
                b += 1;
                units.push(part_inventory::ActiveModel {
                    id: Set(id),
                    organization_id: Set(org),
                    part_id: Set(plan.part_id),
                    serial_number: Set(it.serial.clone()),
                    lot_number: Set(it.lot.clone()),
                    quantity: Set(plan.quantity),
                    status: Set(PartInventoryStatus::Wip.as_str().into()),
                    lock_version: Set(1),
                    created_at: Set(now),
                });
                Some(id)
            }
        };
        let part = &snap.parts[&plan.part_id];
        let identity = match plan.source {
            RunSource::Build => it
                .serial
                .as_deref()
                .map(|s| ("SN", s))
                .or(it.lot.as_deref().map(|l| ("LOT", l))),
            RunSource::Attach => plan
                .part_inventory_id
                .and_then(|id| snap.inventories.get(&id))
                .and_then(|i| {
                    i.serial_number
                        .as_deref()
                        .map(|s| ("SN", s))
                        .or(i.lot_number.as_deref().map(|l| ("LOT", l)))
                }),
        };
        let title = plan.title.clone().unwrap_or_else(|| {
            numbering::run_title(number, &part.part_number, &part.revision, identity)
        });
        runs.push(run::ActiveModel {
            id: Set(run_id),
            organization_id: Set(org),
            number: Set(number),
            title: Set(title),
            status: Set(RunStatus::Todo.as_str().into()),
            procedure_id: Set(plan.procedure_id),
            part_id: Set(plan.part_id),
            part_inventory_id: Set(inventory_id),
            source: Set(plan.source.as_str().into()),
            run_batch_id: Set(batch_id),
            assigned_to_id: Set(plan.assigned_to_id),
            assigned_team_id: Set(plan.assigned_team_id),
            due_date: Set(plan.due_date),
            export_controlled: Set(plan.export_controlled),
            attributes: Set(plan.attributes.clone()),
            lock_version: Set(1),
            created_at: Set(now),
            started_at: Set(None),
            completed_at: Set(None),
        });
        if let Some(pid) = plan.procedure_id {
            by_procedure.entry(pid).or_default().push(Target {
                run_id,
                organization_id: org,
            });
        }
    }
    insert_chunked(txn, units, 9).await.map_err(map_unique)?;
    insert_chunked(txn, runs, 20).await?;
    let mut pids: Vec<&i64> = by_procedure.keys().collect();
    pids.sort_unstable();
    for pid in pids {
        template::copy_into(txn, &templates[pid], &by_procedure[pid]).await?;
    }
    Ok(Outcome {
        run_ids: (0..n as i64).map(|k| run_base + k).collect(),
        batch_id,
    })
}

/// The typed error for a unique violation raised while inserting units.
pub fn map_unique(err: sea_orm::DbErr) -> AppError {
    if super::is_unique_violation(&err) {
        AppError::new(
            Code::DuplicateSerial,
            "a serial or lot number in this call was taken by another call at the same time; retry",
        )
    } else {
        err.into()
    }
}

/// Used by `updateRun`: copies the procedure's steps into a run that has none.
pub async fn add_procedure_steps(
    txn: &sea_orm::DatabaseTransaction,
    run: &run::Model,
    procedure_id: i64,
) -> Result<(), AppError> {
    let t = Template::load(txn, procedure_id).await?;
    template::copy_into(
        txn,
        &t,
        &[Target {
            run_id: run.id,
            organization_id: run.organization_id,
        }],
    )
    .await
}
