//! Step 3 of `create`: primary keys reserved before the write transaction (`reserve_ids`),
//! then inside it numbers and multi-row inserts of units, runs and (through `template`)
//! run steps, fields and edges.

use crate::store::writers::{Writer, stamp_new, stamped};
use std::collections::{HashMap, HashSet};

use entity::{part_inventory, run, run_batch};
use sea_orm::{ActiveValue::Set, DatabaseConnection, DatabaseTransaction, EntityTrait};

use super::template::{self, Target, Template, insert_chunked};
use super::validate::{Identity, Plan, Snapshot};
use super::{Outcome, map_unique};
use crate::caller::Caller;
use crate::domain::enums::{PartInventoryStatus, RunSource};
use crate::domain::numbering;
use crate::domain::status::RunStatus;
use crate::error::AppError;
use crate::store::commands::NewRuns;
use crate::store::counters::{self, Counter};
use crate::store::inventory::{self, IdentityKind};

/// One run to write: its plan and the numbers of its new unit.
struct Item<'a> {
    plan: &'a Plan,
    serial: Option<String>,
    lot: Option<String>,
}

impl Item<'_> {
    fn number(&self, kind: IdentityKind) -> &Option<String> {
        match kind {
            IdentityKind::Serial => &self.serial,
            IdentityKind::Lot => &self.lot,
        }
    }
}

/// Numbers reserved for the whole call, inside its transaction (per organization).
struct Reserved {
    first_number: i64,
    batch_number: Option<i64>,
}

/// Primary keys for the whole call, reserved before its transaction opens, one short
/// statement per block. The `ids:*` counter rows are shared by every organization: taken
/// inside a big creation's transaction, they stayed locked until it committed, and every
/// other organization's creation waited (29 s on PostgreSQL). A block left unused by a
/// refused or failed call is a gap; ids never repeat.
pub struct IdBlocks {
    inv_base: i64,
    batch_id: Option<i64>,
    run_base: i64,
    /// Per procedure: its copies' first run step id and run step field id.
    steps: HashMap<i64, (i64, i64)>,
}

pub async fn reserve_ids(
    db: &DatabaseConnection,
    cmd: &NewRuns,
    plans: &[Plan],
    templates: &HashMap<i64, Template>,
) -> Result<IdBlocks, AppError> {
    let n: usize = plans.iter().map(|p| p.copies).sum();
    let builds: usize = plans
        .iter()
        .filter(|p| p.source == RunSource::Build)
        .map(|p| p.copies)
        .sum();
    let inv_base = if builds > 0 {
        counters::ids(db, "part_inventories", builds).await?
    } else {
        0
    };
    let batch_id = match &cmd.batch {
        Some(_) => Some(counters::ids(db, "run_batches", 1).await?),
        None => None,
    };
    let run_base = counters::ids(db, "runs", n).await?;
    let mut copies: std::collections::BTreeMap<i64, usize> = Default::default();
    for p in plans {
        if let Some(pid) = p.procedure_id {
            *copies.entry(pid).or_default() += p.copies;
        }
    }
    let mut steps = HashMap::new();
    for (pid, k) in copies {
        steps.insert(pid, template::reserve_ids(db, &templates[&pid], k).await?);
    }
    Ok(IdBlocks {
        inv_base,
        batch_id,
        run_base,
        steps,
    })
}

/// Rows to insert, built in memory.
#[derive(Default)]
struct Rows {
    units: Vec<part_inventory::ActiveModel>,
    runs: Vec<run::ActiveModel>,
    by_procedure: HashMap<i64, Vec<Target>>,
}

pub async fn write(
    txn: &DatabaseTransaction,
    caller: &Caller,
    cmd: &NewRuns,
    plans: &[Plan],
    snap: &Snapshot,
    templates: &HashMap<i64, Template>,
    ids: &IdBlocks,
) -> Result<Outcome, AppError> {
    // Counters in a fixed order (serial, lot per part ascending; run; batch) so that
    // concurrent transactions never wait on each other in a cycle.
    let mut items = items(plans);
    for kind in [IdentityKind::Serial, IdentityKind::Lot] {
        generate_numbers(txn, snap, kind, &mut items).await?;
    }
    let org = caller.organization_id;
    let r = reserve(txn, org, cmd, &items).await?;
    let w = Writer::of(caller);
    let now = w.at;
    if let (Some(id), Some(batch)) = (ids.batch_id, &cmd.batch) {
        let first = &snap.parts[&plans[0].part_id];
        let title = batch
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| {
                let number = r.batch_number.unwrap_or(0);
                numbering::batch_title(number, &first.part_number, &first.revision, items.len())
            });
        let mut batch = run_batch::ActiveModel {
            id: Set(id),
            organization_id: Set(org),
            title: Set(title),
            procedure_id: Set(plans[0].procedure_id),
            lock_version: Set(1),
            ..Default::default()
        };
        stamp_new(&mut batch, w);
        run_batch::Entity::insert(batch)
            .exec_without_returning(txn)
            .await?;
    }
    let minutes: HashMap<i64, i64> = templates
        .iter()
        .map(|(pid, t)| (*pid, t.lead_minutes()))
        .collect();
    let rows = rows(org, now, &items, &r, ids, snap, &minutes);
    insert_chunked(txn, stamped(rows.units, w))
        .await
        .map_err(map_unique)?;
    insert_chunked(txn, stamped(rows.runs, w)).await?;
    let mut pids: Vec<&i64> = rows.by_procedure.keys().collect();
    pids.sort_unstable();
    for pid in pids {
        let (t, targets) = (&templates[pid], &rows.by_procedure[pid]);
        template::copy_into_at(txn, w, t, targets, ids.steps[pid]).await?;
    }
    Ok(Outcome {
        run_ids: (0..items.len() as i64).map(|k| ids.run_base + k).collect(),
        batch_id: ids.batch_id,
    })
}

/// Every run to write, copies together, with the numbers given in the input.
fn items(plans: &[Plan]) -> Vec<Item<'_>> {
    let given = |id: &Identity| match id {
        Identity::Given(v) => Some(v.clone()),
        _ => None,
    };
    plans
        .iter()
        .flat_map(|plan| {
            (0..plan.copies).map(move |_| Item {
                plan,
                serial: given(&plan.serial),
                lot: given(&plan.lot),
            })
        })
        .collect()
}

/// Generates the `kind` numbers asked for, part by part in ascending order, avoiding the
/// ones given in the same call.
async fn generate_numbers(
    txn: &DatabaseTransaction,
    snap: &Snapshot,
    kind: IdentityKind,
    items: &mut [Item<'_>],
) -> Result<(), AppError> {
    let mut part_order: Vec<i64> = items.iter().map(|it| it.plan.part_id).collect();
    part_order.sort_unstable();
    part_order.dedup();
    for part_id in part_order {
        let of_part = |it: &&Item<'_>| it.plan.part_id == part_id;
        let wants: Vec<usize> = (0..items.len())
            .filter(|&i| of_part(&&items[i]) && *items[i].plan.identity(kind) == Identity::Generate)
            .collect();
        if wants.is_empty() {
            continue;
        }
        let claimed: HashSet<String> = items
            .iter()
            .filter(of_part)
            .filter_map(|it| it.number(kind).clone())
            .collect();
        let part = &snap.parts[&part_id];
        let numbers = inventory::generate(txn, part, kind, wants.len(), &claimed).await?;
        for (i, n) in wants.into_iter().zip(numbers) {
            match kind {
                IdentityKind::Serial => items[i].serial = Some(n),
                IdentityKind::Lot => items[i].lot = Some(n),
            }
        }
    }
    Ok(())
}

async fn reserve(
    txn: &DatabaseTransaction,
    org: i64,
    cmd: &NewRuns,
    items: &[Item<'_>],
) -> Result<Reserved, AppError> {
    let n = items.len();
    let first_number = counters::reserve(txn, org, Counter::RunNumber, n as i64).await?;
    let batch_number = match &cmd.batch {
        Some(b) if b.title.is_none() => {
            Some(counters::reserve(txn, org, Counter::BatchNumber, 1).await?)
        }
        _ => None,
    };
    Ok(Reserved {
        first_number,
        batch_number,
    })
}

/// The unit and run rows of every item, and which runs receive which template.
fn rows(
    org: i64,
    now: chrono::DateTime<chrono::Utc>,
    items: &[Item<'_>],
    r: &Reserved,
    ids: &IdBlocks,
    snap: &Snapshot,
    minutes: &HashMap<i64, i64>,
) -> Rows {
    let mut rows = Rows::default();
    for (k, it) in items.iter().enumerate() {
        let plan = it.plan;
        let run_id = ids.run_base + k as i64;
        let number = r.first_number + k as i64;
        let inventory_id = match plan.source {
            RunSource::Attach => plan.part_inventory_id,
            RunSource::Build => {
                let id = ids.inv_base + rows.units.len() as i64;
                rows.units.push(unit_row(org, now, id, it));
                Some(id)
            }
        };
        let part = &snap.parts[&plan.part_id];
        let title = plan.title.clone().unwrap_or_else(|| {
            let identity = identity_of(it, snap);
            numbering::run_title(number, &part.part_number, &part.revision, identity)
        });
        rows.runs.push(run::ActiveModel {
            id: Set(run_id),
            organization_id: Set(org),
            number: Set(number),
            title: Set(title),
            status: Set(RunStatus::Todo.as_str().into()),
            procedure_id: Set(plan.procedure_id),
            part_id: Set(plan.part_id),
            part_inventory_id: Set(inventory_id),
            source: Set(plan.source.as_str().into()),
            run_batch_id: Set(ids.batch_id),
            assigned_to_id: Set(plan.assigned_to_id),
            assigned_team_id: Set(plan.assigned_team_id),
            due_date: Set(plan.due_date),
            export_controlled: Set(plan.export_controlled),
            attributes: Set(plan.attributes.clone()),
            lock_version: Set(1),
            created_at: Set(now),
            started_at: Set(None),
            completed_at: Set(None),
            work_center_id: Set(plan.work_center_id),
            scheduled_start: Set(plan.scheduled_start),
            scheduled_end: Set(crate::store::runs::planned_end(
                plan.scheduled_start,
                plan.scheduled_end,
                plan.procedure_id.and_then(|p| minutes.get(&p).copied()),
            )),
            priority: Set(plan.priority),
            ..Default::default()
        });
        if let Some(pid) = plan.procedure_id {
            let target = Target {
                run_id,
                organization_id: org,
            };
            rows.by_procedure.entry(pid).or_default().push(target);
        }
    }
    rows
}

fn unit_row(
    org: i64,
    now: chrono::DateTime<chrono::Utc>,
    id: i64,
    it: &Item<'_>,
) -> part_inventory::ActiveModel {
    part_inventory::ActiveModel {
        id: Set(id),
        organization_id: Set(org),
        part_id: Set(it.plan.part_id),
        serial_number: Set(it.serial.clone()),
        lot_number: Set(it.lot.clone()),
        quantity: Set(it.plan.quantity),
        status: Set(PartInventoryStatus::Wip.as_str().into()),
        lock_version: Set(1),
        created_at: Set(now),
        ..Default::default()
    }
}

/// What a generated run title names the unit by: its serial, else its lot number.
fn identity_of<'a>(it: &'a Item<'_>, snap: &'a Snapshot) -> Option<(&'static str, &'a str)> {
    let (serial, lot) = match it.plan.source {
        RunSource::Build => (&it.serial, &it.lot),
        RunSource::Attach => {
            let inv = it
                .plan
                .part_inventory_id
                .and_then(|id| snap.inventories.get(&id))?;
            (&inv.serial_number, &inv.lot_number)
        }
    };
    serial
        .as_deref()
        .map(|s| ("SN", s))
        .or(lot.as_deref().map(|l| ("LOT", l)))
}
