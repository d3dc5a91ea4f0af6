//! Starting runs in bulk: `createRun`, `createRuns` and `createBatchedRun` all land here,
//! as one `NewRuns` command (plain data; the GraphQL layer converts its inputs).
//!
//! 1. load everything the runs refer to, a few statements for the whole call (`load`);
//! 2. validate every run against that snapshot (`validate`), reporting every error; load
//!    each procedure's template and refuse a call over the rows-written budget;
//! 3. reserve primary keys, each block in its own short statement (`write::reserve_ids`:
//!    the shared id counters are never held by a long transaction); then in one write
//!    transaction: reserve numbers, then multi-row inserts of units, runs, run steps,
//!    fields and edges (`write`, `template`). All or nothing.
//!
//! Error paths are relative to the command (`["runs", 2, "serialNumber"]`, index 2); the
//! caller puts them under its own input.

pub mod hash;
mod load;
pub mod template;
pub mod validate;
mod write;

use std::collections::{HashMap, HashSet};

use entity::{idempotency_key, run};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter,
};
use serde::{Deserialize, Serialize};

use self::template::{Target, Template};
use self::validate::{Identity, Plan, Snapshot, err_at};
use super::commands::NewRuns;
use super::inventory::{self, IdentityKind};
use crate::caller::Caller;
use crate::config::Limits;
use crate::error::{AppError, AppErrors, Code};

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Outcome {
    pub run_ids: Vec<i64>,
    pub batch_id: Option<i64>,
}

/// What the audit event of the call records: the mutation's name and its arguments.
pub struct AuditNote<'a> {
    pub action: &'a str,
    pub arguments: serde_json::Value,
}

pub async fn create(
    db: &DatabaseConnection,
    caller: &Caller,
    limits: &Limits,
    cmd: &NewRuns,
    audit: AuditNote<'_>,
) -> Result<Outcome, AppErrors> {
    if cmd.runs.is_empty() {
        return Err(AppError::bad_input("`runs` must not be empty")
            .at(&["runs"])
            .into());
    }
    let hash = hash::canonical_hash(cmd);
    if let Some(key) = &cmd.idempotency_key
        && let Some(done) = replay(db, caller, key, &hash).await?
    {
        return Ok(done);
    }
    let snap = load::snapshot(db, caller, &cmd.runs).await?;
    let plans = validate_all(db, cmd, &snap, limits.copies).await?;
    let templates = load_templates(db, &plans).await?;
    check_rows_written(&plans, &templates, limits.rows_written)?;
    if cmd.validate_only {
        return Ok(Outcome::default());
    }
    let ids = write::reserve_ids(db, cmd, &plans, &templates).await?;
    let txn = super::begin_write(db).await?;
    if let Some(key) = &cmd.idempotency_key
        && !claim(&txn, caller, key, &hash).await?
    {
        // Another call with this key committed while we validated: answer as it did.
        txn.rollback().await?;
        return replay(db, caller, key, &hash).await?.ok_or_else(|| {
            let msg = "a call with this idempotency key is in progress; retry";
            AppError::new(Code::Conflict, msg).into()
        });
    }
    let outcome = write::write(&txn, caller, cmd, &plans, &snap, &templates, &ids).await?;
    if let Some(key) = &cmd.idempotency_key {
        store_response(&txn, caller, key, &outcome).await?;
    }
    let subject = match outcome.batch_id {
        Some(b) => ("RunBatch", Some(b)),
        None => ("Run", outcome.run_ids.first().copied()),
    };
    let change = serde_json::json!({"arguments": audit.arguments, "runIds": outcome.run_ids, "batchId": outcome.batch_id});
    super::audit::record(&txn, caller, audit.action, subject, change).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// Every run checked, then what holds across them; every error found, or the plans.
async fn validate_all(
    db: &DatabaseConnection,
    cmd: &NewRuns,
    snap: &Snapshot,
    max_copies: usize,
) -> Result<Vec<Plan>, AppErrors> {
    let mut errors = Vec::new();
    let plans: Vec<Plan> = cmd
        .runs
        .iter()
        .enumerate()
        .filter_map(|(i, run)| validate::check(run, i, snap, max_copies, &mut errors))
        .collect();
    check_identities_unique(db, &plans, &mut errors).await?;
    if cmd.batch.is_some() {
        let procs: HashSet<Option<i64>> = plans.iter().map(|p| p.procedure_id).collect();
        if procs.len() > 1 {
            let msg = "runs of one batch share one procedure version; these inputs name several";
            errors.push(AppError::bad_input(msg).at(&["runs"]));
        }
    }
    if errors.is_empty() {
        Ok(plans)
    } else {
        Err(AppErrors(errors))
    }
}

/// Each procedure's template, loaded once (before the write transaction opens).
async fn load_templates(
    db: &DatabaseConnection,
    plans: &[Plan],
) -> Result<HashMap<i64, Template>, AppError> {
    let mut templates = HashMap::new();
    for pid in plans.iter().filter_map(|p| p.procedure_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = templates.entry(pid) {
            e.insert(Template::load(db, pid).await?);
        }
    }
    Ok(templates)
}

/// The rows the call would write (runs with their steps, fields and edges, counted from
/// the templates), refused before anything is written when over `budget`.
fn check_rows_written(
    plans: &[Plan],
    templates: &HashMap<i64, Template>,
    budget: usize,
) -> Result<(), AppError> {
    let (mut runs, mut steps, mut fields, mut edges) = (0usize, 0usize, 0usize, 0usize);
    for p in plans {
        runs += p.copies;
        if let Some(t) = p.procedure_id.and_then(|id| templates.get(&id)) {
            steps += p.copies * t.steps.len();
            fields += p.copies * t.fields.len();
            edges += p.copies * t.edges.len();
        }
    }
    let rows = runs + steps + fields + edges;
    if rows <= budget {
        return Ok(());
    }
    let msg = format!(
        "this call would write {rows} rows ({runs} runs, {steps} steps, {fields} fields, \
         {edges} dependencies); the budget is {budget} rows per mutation \
         (TRAVELER_MAX_ROWS_WRITTEN): start fewer copies per call"
    );
    Err(AppError::new(Code::LimitExceeded, msg))
}

/// Takes `key` for this call; `false` when another call holds it already.
async fn claim(
    txn: &DatabaseTransaction,
    caller: &Caller,
    key: &str,
    hash: &str,
) -> Result<bool, AppError> {
    let row = idempotency_key::ActiveModel {
        organization_id: Set(caller.organization_id),
        key: Set(key.to_string()),
        request_hash: Set(hash.to_string()),
        response: Set(String::new()),
        created_at: Set(super::now()),
    };
    use idempotency_key::Column as C;
    let claimed = super::insert_new(txn, vec![row], [C::OrganizationId, C::Key]).await?;
    Ok(claimed > 0)
}

/// Keeps the outcome with the key, for a retried call to replay.
async fn store_response(
    txn: &DatabaseTransaction,
    caller: &Caller,
    key: &str,
    outcome: &Outcome,
) -> Result<(), AppError> {
    let response = serde_json::to_string(outcome).unwrap_or_default();
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::Response,
            sea_orm::sea_query::Expr::value(response),
        )
        .filter(idempotency_key::Column::OrganizationId.eq(caller.organization_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .exec(txn)
        .await?;
    Ok(())
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
        .at(&["idempotencyKey"])
        .into());
    }
    Ok(serde_json::from_str(&row.response).ok())
}

/// Given serial and lot numbers: not twice in the call, not taken in the database.
async fn check_identities_unique(
    db: &DatabaseConnection,
    plans: &[Plan],
    errors: &mut Vec<AppError>,
) -> Result<(), AppErrors> {
    for kind in [IdentityKind::Serial, IdentityKind::Lot] {
        let field = match kind {
            IdentityKind::Serial => "serialNumber",
            IdentityKind::Lot => "lotNumber",
        };
        let mut by_part: HashMap<i64, Vec<(usize, String)>> = HashMap::new();
        for p in plans {
            if let Identity::Given(v) = p.identity(kind) {
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
                    let e = kind.duplicate(&v);
                    errors.push(err_at(i, e.code, field, e.message));
                }
            }
        }
    }
    Ok(())
}

/// The typed error for a unique violation raised while inserting units.
pub fn map_unique(err: sea_orm::DbErr) -> AppError {
    super::on_unique(err, || {
        Some(AppError::new(
            Code::DuplicateSerial,
            "a serial or lot number in this call was taken by another call at the same time; retry",
        ))
    })
}

/// Used by `updateRun`: copies the procedure's steps into a run that has none.
pub async fn add_procedure_steps(
    txn: &sea_orm::DatabaseTransaction,
    w: crate::store::writers::Writer,
    run: &run::Model,
    procedure_id: i64,
) -> Result<(), AppError> {
    let t = Template::load(txn, procedure_id).await?;
    template::copy_into(
        txn,
        w,
        &t,
        &[Target {
            run_id: run.id,
            organization_id: run.organization_id,
        }],
    )
    .await
}
