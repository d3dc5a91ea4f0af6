//! Editing runs after creation, and batch membership.

use entity::{attribute_definition, procedure, run, run_batch, run_step, team, user};
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

use super::create_runs::validate::check_attribute_values;
use super::etag;
use super::scope::{self, path};
use crate::caller::Caller;
use crate::domain::enums::AttributeEntity;
use crate::domain::status::RunStepStatus;
use crate::error::{AppError, AppResult, Code, Seg};
use crate::input::*;

pub async fn update_run(
    txn: &DatabaseTransaction,
    caller: &Caller,
    input: UpdateRunInput,
) -> AppResult<run::Model> {
    let id = parse_id(&input.id, &["input", "id"])?;
    let r = scope::get::<run::Entity>(txn, caller, id, "run", path(&["input", "id"])).await?;
    etag::check(r.lock_version, &input.etag, "run")?;
    let mut am: run::ActiveModel = r.clone().into();
    if let Some(t) = input.title {
        let t = t.trim().to_string();
        if t.is_empty() || t.len() > 500 {
            return Err(
                AppError::bad_input("`title` must be 1 to 500 characters").at(&["input", "title"])
            );
        }
        am.title = Set(t);
    }
    if let Some(d) = input.due_date {
        am.due_date = Set(Some(d));
    }
    let user_id = input
        .assigned_to_id
        .as_ref()
        .map(|v| parse_id(v, &["input", "assignedToId"]))
        .transpose()?;
    let team_id = input
        .assigned_team_id
        .as_ref()
        .map(|v| parse_id(v, &["input", "assignedTeamId"]))
        .transpose()?;
    if user_id.is_some() && team_id.is_some() {
        return Err(
            AppError::bad_input("assign a run to a user or to a team, not both")
                .at(&["input", "assignedTeamId"]),
        );
    }
    if let Some(u) = user_id {
        scope::get::<user::Entity>(txn, caller, u, "user", path(&["input", "assignedToId"]))
            .await?;
        am.assigned_to_id = Set(Some(u));
        am.assigned_team_id = Set(None);
    }
    if let Some(t) = team_id {
        scope::get::<team::Entity>(txn, caller, t, "team", path(&["input", "assignedTeamId"]))
            .await?;
        am.assigned_team_id = Set(Some(t));
        am.assigned_to_id = Set(None);
    }
    if let Some(attrs) = input.attributes {
        let defs = scope::visible::<attribute_definition::Entity>(caller)
            .filter(attribute_definition::Column::Entity.eq(AttributeEntity::Run.as_str()))
            .all(txn)
            .await?;
        let json = check_attribute_values(&attrs, &defs)?
            .map_err(|e| AppError::bad_input(e).at(&["input", "attributes"]))?;
        am.attributes = Set(json);
    }
    let mut new_procedure = None;
    if let Some(pid) = &input.procedure_id {
        let pid = parse_id(pid, &["input", "procedureId"])?;
        let steps = run_step::Entity::find()
            .filter(run_step::Column::RunId.eq(id))
            .count(txn)
            .await?;
        if steps > 0 || r.procedure_id.is_some() {
            return Err(AppError::bad_input(
                "the run already has a procedure; its version is pinned",
            )
            .at(&["input", "procedureId"]));
        }
        let p = scope::get::<procedure::Entity>(
            txn,
            caller,
            pid,
            "procedure",
            path(&["input", "procedureId"]),
        )
        .await?;
        let approved = super::procedures::all_steps_approved(txn, &[p.id]).await?;
        let status = super::rows::procedure_status(&p)?;
        if !crate::domain::procedure::can_start_run(
            status,
            approved.get(&p.id).copied().unwrap_or(false),
        ) {
            return Err(AppError::new(
                Code::ProcedureNotReleased,
                format!(
                    "{}: {} version {} is {}",
                    super::create_runs::validate::NOT_RELEASED,
                    p.title,
                    p.version,
                    p.status
                ),
            )
            .at(&["input", "procedureId"]));
        }
        if r.run_batch_id.is_some() {
            return Err(AppError::bad_input(
                "a batched run shares its batch's procedure; remove it from the batch first",
            )
            .at(&["input", "procedureId"]));
        }
        am.procedure_id = Set(Some(p.id));
        if p.export_controlled {
            am.export_controlled = Set(true);
        }
        new_procedure = Some(p.id);
    }
    let updated = super::catalog::guarded_update::<run::Entity>(
        txn,
        am,
        run::Column::Id,
        run::Column::LockVersion,
        id,
        r.lock_version,
        "run",
    )
    .await?;
    if let Some(pid) = new_procedure {
        super::create_runs::add_procedure_steps(txn, &updated, pid).await?;
    }
    Ok(updated)
}

async fn bump_batch(db: &impl ConnectionTrait, id: i64) -> AppResult<()> {
    use sea_orm::sea_query::Expr;
    run_batch::Entity::update_many()
        .col_expr(
            run_batch::Column::LockVersion,
            Expr::col(run_batch::Column::LockVersion).add(1),
        )
        .filter(run_batch::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn add_runs_to_batch(
    txn: &DatabaseTransaction,
    caller: &Caller,
    input: AddRunsToBatchInput,
) -> AppResult<run_batch::Model> {
    let bid = parse_id(&input.run_batch_id, &["input", "runBatchId"])?;
    let b = scope::get::<run_batch::Entity>(
        txn,
        caller,
        bid,
        "run batch",
        path(&["input", "runBatchId"]),
    )
    .await?;
    let mut ids = Vec::new();
    for (i, v) in input.run_ids.iter().enumerate() {
        ids.push(parse_id_at(
            v,
            vec![Seg::Key("input"), Seg::Key("runIds"), Seg::Index(i)],
        )?);
    }
    if ids.is_empty() {
        return Err(AppError::bad_input("`runIds` must not be empty").at(&["input", "runIds"]));
    }
    let runs = scope::visible::<run::Entity>(caller)
        .filter(run::Column::Id.is_in(ids.clone()))
        .all(txn)
        .await?;
    for (i, id) in ids.iter().enumerate() {
        let at = vec![Seg::Key("input"), Seg::Key("runIds"), Seg::Index(i)];
        let Some(r) = runs.iter().find(|r| r.id == *id) else {
            return Err(AppError::not_found(&format!("run {id}")).with_path(at));
        };
        if let Some(other) = r.run_batch_id.filter(|o| *o != bid) {
            return Err(AppError::bad_input(format!(
                "run {id} is already in batch {other}; a run is in at most one batch"
            ))
            .with_path(at));
        }
        if r.procedure_id != b.procedure_id {
            return Err(AppError::bad_input(format!(
                "run {id} uses another procedure version than the batch"
            ))
            .with_path(at));
        }
    }
    use sea_orm::sea_query::Expr;
    run::Entity::update_many()
        .col_expr(run::Column::RunBatchId, Expr::value(bid))
        .col_expr(
            run::Column::LockVersion,
            Expr::col(run::Column::LockVersion).add(1),
        )
        .filter(run::Column::Id.is_in(ids))
        .filter(run::Column::RunBatchId.is_null())
        .exec(txn)
        .await?;
    bump_batch(txn, bid).await?;
    Ok(run_batch::Entity::find_by_id(bid)
        .one(txn)
        .await?
        .unwrap_or(b))
}

pub async fn remove_run_from_batch(
    txn: &DatabaseTransaction,
    caller: &Caller,
    input: RemoveRunFromBatchInput,
) -> AppResult<run::Model> {
    let id = parse_id(&input.run_id, &["input", "runId"])?;
    let r = scope::get::<run::Entity>(txn, caller, id, "run", path(&["input", "runId"])).await?;
    let Some(bid) = r.run_batch_id else {
        return Err(
            AppError::bad_input(format!("run {id} is not in a batch")).at(&["input", "runId"])
        );
    };
    let redlined = run_step::Entity::find()
        .filter(run_step::Column::RunId.eq(id))
        .filter(run_step::Column::Status.eq(RunStepStatus::Redline.as_str()))
        .count(txn)
        .await?;
    if redlined > 0 {
        return Err(AppError::bad_input(format!(
            "run {id} has a step in REDLINE; finish the redline before it leaves the batch"
        ))
        .at(&["input", "runId"]));
    }
    let mut am: run::ActiveModel = r.clone().into();
    am.run_batch_id = Set(None);
    let out = super::catalog::guarded_update::<run::Entity>(
        txn,
        am,
        run::Column::Id,
        run::Column::LockVersion,
        id,
        r.lock_version,
        "run",
    )
    .await?;
    bump_batch(txn, bid).await?;
    Ok(out)
}
