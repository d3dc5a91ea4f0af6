//! Procedures and their versions: steps, fields, dependency edges, part links, review,
//! approval, release and new versions. Only DRAFT versions are editable.
//!
//! Step and step-field ids are reserved from `counters` (not the table's sequence), so a
//! new version's steps can be copied with multi-row inserts and their references remapped
//! in memory.

use super::commands::{
    IdEtag, NewEdge, NewField, NewProcedure, NewStep, NewStepField, PartLink, ProcedureEdit,
    StepEdit,
};
use super::writers::{Stamp as _, Writer, insert_new, stamped};
use sea_orm::sea_query::ExprTrait as _;
use std::collections::HashMap;

use entity::{part, part_procedure, procedure, step, step_edge, step_field};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};

use super::counters::{self, Counter};
use super::create_runs::template::{self, Template, insert_chunked, with_field_spec};
use super::etag;

use super::scope::{self, path};
use crate::caller::Caller;
use crate::domain::enums::ProcedureStatus;
use crate::domain::{field_value, graph, procedure as rules};
use crate::error::{AppError, AppResult, Code, Seg};

use super::rows::procedure_status as status_of;

fn require_draft(p: &procedure::Model) -> AppResult<()> {
    if rules::can_edit(status_of(p)?) {
        Ok(())
    } else {
        Err(AppError::bad_input(format!(
            "procedure {} version {} is {}; only a DRAFT version can be edited (create a new version)",
            p.title, p.version, p.status
        )))
    }
}

/// A procedure's or step's title, trimmed; an empty one is refused at `input.title`.
fn title(t: &str) -> AppResult<String> {
    let t = t.trim();
    if t.is_empty() {
        return Err(AppError::bad_input("`title` must not be empty").at(&["input", "title"]));
    }
    Ok(t.to_string())
}

/// The highest `col` of the rows `q` selects (`None` when there are none).
async fn max_of<E: EntityTrait>(
    db: &impl ConnectionTrait,
    q: sea_orm::Select<E>,
    col: E::Column,
) -> AppResult<Option<i32>> {
    let top = q.select_only().column_as(col.max(), "m");
    Ok(top.into_tuple::<Option<i32>>().one(db).await?.flatten())
}

async fn get_procedure(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    field: Vec<Seg>,
) -> AppResult<procedure::Model> {
    scope::get::<procedure::Entity>(db, caller, id, "procedure", field).await
}

/// The procedure owning `step_id`, and the step.
async fn step_and_procedure(
    db: &impl ConnectionTrait,
    caller: &Caller,
    step_id: i64,
    field: Vec<Seg>,
) -> AppResult<(step::Model, procedure::Model)> {
    let s = scope::get::<step::Entity>(db, caller, step_id, "step", field.clone()).await?;
    let p = get_procedure(db, caller, s.procedure_id, field).await?;
    Ok((s, p))
}

/// A procedure to edit: visible, and `sent` is its current etag.
async fn current_procedure(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    sent: &str,
) -> AppResult<procedure::Model> {
    scope::get_current::<procedure::Entity>(db, caller, id, "procedure", sent).await
}

/// A step to edit, with its procedure: both visible, and `sent` is the step's current etag.
async fn current_step(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
    sent: &str,
) -> AppResult<(step::Model, procedure::Model)> {
    let (s, p) = step_and_procedure(db, caller, id, path(&["input", "id"])).await?;
    etag::check(s.lock_version, sent, "step")?;
    Ok((s, p))
}

async fn touch_procedure(db: &impl ConnectionTrait, caller: &Caller, id: i64) -> AppResult<()> {
    etag::bump::<procedure::Entity>(db, caller, id).await
}

pub async fn create_procedure(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewProcedure,
) -> AppResult<procedure::Model> {
    let title = title(&input.title)?;
    for (i, &pid) in input.part_ids.iter().enumerate() {
        let p = vec![Seg::Key("input"), Seg::Key("partIds"), Seg::Index(i)];
        scope::get::<part::Entity>(db, caller, pid, "part", p).await?;
    }
    if input.export_controlled {
        caller.require_clearance("exportControlled")?;
    }
    let family = counters::reserve(db, caller.organization_id, Counter::ProcedureFamily, 1).await?;
    let p = procedure::ActiveModel {
        organization_id: Set(caller.organization_id),
        family_id: Set(family),
        version: Set(1),
        title: Set(title),
        description: Set(super::long_text(input.description, "description")?),
        status: Set(ProcedureStatus::Draft.as_str().into()),
        procedure_type: Set(input.procedure_type.as_str().into()),
        export_controlled: Set(input.export_controlled),
        lock_version: Set(1),
        released_at: Set(None),
        ..Default::default()
    }
    .written_by(caller)
    .insert(db)
    .await?;
    link_parts(db, caller.organization_id, p.id, &input.part_ids).await?;
    Ok(p)
}

async fn link_parts(
    db: &impl ConnectionTrait,
    org: i64,
    procedure_id: i64,
    part_ids: &[i64],
) -> AppResult<()> {
    if part_ids.is_empty() {
        return Ok(());
    }
    let rows = part_ids.iter().map(|pid| part_procedure::ActiveModel {
        part_id: Set(*pid),
        procedure_id: Set(procedure_id),
        organization_id: Set(org),
    });
    use part_procedure::Column as C;
    super::insert_new(db, rows.collect(), [C::PartId, C::ProcedureId]).await?;
    Ok(())
}

pub async fn update_procedure(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: ProcedureEdit,
) -> AppResult<procedure::Model> {
    let id = input.id;
    let p = current_procedure(db, caller, id, &input.etag).await?;
    require_draft(&p)?;
    let mut am: procedure::ActiveModel = p.clone().into();
    if let Some(t) = input.title {
        am.title = Set(title(&t)?);
    }
    if let Some(d) = super::long_text(input.description, "description")? {
        am.description = Set(Some(d));
    }
    if let Some(x) = input.export_controlled {
        if x {
            caller.require_clearance("exportControlled")?;
        }
        am.export_controlled = Set(x);
    }
    etag::guarded_update::<procedure::Entity>(db, caller, am, id, p.lock_version, "procedure").await
}

pub async fn link_part(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: PartLink,
) -> AppResult<procedure::Model> {
    let PartLink {
        part_id,
        procedure_id: proc_id,
    } = input;
    scope::named::<part::Entity>(db, caller, part_id, "part", "partId").await?;
    let p = get_procedure(db, caller, proc_id, path(&["input", "procedureId"])).await?;
    link_parts(db, caller.organization_id, p.id, &[part_id]).await?;
    touch_procedure(db, caller, p.id).await?;
    get_procedure(db, caller, proc_id, path(&["input", "procedureId"])).await
}

/// A field definition's trimmed name and options (as stored: a JSON array, `None` without
/// any), if the definition is valid; errors at `at` (the name's at `at` + `name`).
pub(super) fn checked_field(f: &NewField, at: Vec<Seg>) -> AppResult<(String, Option<String>)> {
    let name = f.name.trim().to_string();
    if name.is_empty() {
        let mut p = at.clone();
        p.push(Seg::Key("name"));
        return Err(AppError::bad_input("a field needs a name").with_path(p));
    }
    let options = f.options.clone().unwrap_or_default();
    field_value::validate_spec(f.field_type, &options, f.min, f.max, f.pattern.as_deref())
        .map_err(|e| AppError::bad_input(format!("field {name}: {e}")).with_path(at))?;
    let options =
        (!options.is_empty()).then(|| serde_json::to_string(&options).unwrap_or_default());
    Ok((name, options))
}

fn field_row(
    org: i64,
    procedure_id: i64,
    step_id: i64,
    id: i64,
    position: i32,
    f: &NewField,
    at: Vec<Seg>,
) -> AppResult<step_field::ActiveModel> {
    let (name, options) = checked_field(f, at)?;
    Ok(with_field_spec!(step_field::ActiveModel, f, {
        id: Set(id),
        organization_id: Set(org),
        procedure_id: Set(procedure_id),
        step_id: Set(step_id),
        position: Set(position),
        name: Set(name),
        field_type: Set(f.field_type.as_str().into()),
        options: Set(options),
    }))
}

pub async fn create_step(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewStep,
) -> AppResult<step::Model> {
    let proc_id = input.procedure_id;
    let p = get_procedure(db, caller, proc_id, path(&["input", "procedureId"])).await?;
    require_draft(&p).map_err(|e| e.at(&["input", "procedureId"]))?;
    let title = title(&input.title)?;
    if let Some(pid) = input.parent_id {
        check_parent(db, proc_id, pid).await?;
    }
    let position = match input.position {
        Some(p) => p,
        None => next_position(db, proc_id, input.parent_id).await?,
    };
    let step_id = counters::ids(db, "steps", 1).await?;
    let s = step::ActiveModel {
        id: Set(step_id),
        organization_id: Set(caller.organization_id),
        procedure_id: Set(proc_id),
        parent_id: Set(input.parent_id),
        position: Set(position),
        title: Set(title),
        content: Set(super::long_text(input.content, "content")?),
        approved: Set(false),
        approved_by_id: Set(None),
        approved_at: Set(None),
        lock_version: Set(1),
        lead_time: Set(lead_time(input.lead_time)?.unwrap_or(0)),
        ..Default::default()
    }
    .written_by(caller);
    let rows = new_field_rows(db, caller.organization_id, proc_id, step_id, &input.fields).await?;
    let upstream = upstream_steps(db, caller, proc_id, &input.upstream_step_ids).await?;
    let s = step::Entity::insert(s).exec_with_returning(db).await?;
    if !rows.is_empty() {
        step_field::Entity::insert_many(stamped(rows, caller))
            .exec_without_returning(db)
            .await?;
    }
    if !upstream.is_empty() {
        // A new step has no downstream edges yet, so its upstream edges cannot close a cycle.
        let edges = upstream.iter().map(|u| step_edge::ActiveModel {
            organization_id: Set(caller.organization_id),
            procedure_id: Set(proc_id),
            step_id: Set(s.id),
            upstream_step_id: Set(*u),
            ..Default::default()
        });
        step_edge::Entity::insert_many(stamped(edges, caller))
            .exec_without_returning(db)
            .await?;
    }
    touch_procedure(db, caller, proc_id).await?;
    Ok(s)
}

/// A parent must be a step of the same procedure, not nested too deep already.
async fn check_parent(db: &impl ConnectionTrait, proc_id: i64, pid: i64) -> AppResult<()> {
    let all: HashMap<i64, Option<i64>> = step::Entity::find()
        .filter(step::Column::ProcedureId.eq(proc_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.parent_id))
        .collect();
    if !all.contains_key(&pid) {
        return Err(AppError::not_found("step in this procedure").at(&["input", "parentId"]));
    }
    if graph::depth_of(|id| all.get(&id).copied().flatten(), pid) >= graph::MAX_STEP_DEPTH {
        return Err(AppError::bad_input(format!(
            "steps nest at most {} levels",
            graph::MAX_STEP_DEPTH
        ))
        .at(&["input", "parentId"]));
    }
    Ok(())
}

/// The position after the last sibling under `parent` (1 for the first).
async fn next_position(
    db: &impl ConnectionTrait,
    proc_id: i64,
    parent: Option<i64>,
) -> AppResult<i32> {
    let q = step::Entity::find().filter(step::Column::ProcedureId.eq(proc_id));
    let q = match parent {
        Some(pid) => q.filter(step::Column::ParentId.eq(pid)),
        None => q.filter(step::Column::ParentId.is_null()),
    };
    let last = max_of(db, q, step::Column::Position).await?;
    // A sibling placed at i32::MAX leaves no position after it (it used to wrap negative).
    last.map_or(Some(1), |l| l.checked_add(1)).ok_or_else(|| {
        let msg = format!(
            "no position is left after {}; give this step a `position`",
            i32::MAX
        );
        AppError::new(crate::error::Code::LimitExceeded, msg).at(&["input", "position"])
    })
}

/// Checked rows for a new step's fields, with ids reserved in one block.
async fn new_field_rows(
    db: &impl ConnectionTrait,
    org: i64,
    proc_id: i64,
    step_id: i64,
    fields: &[NewField],
) -> AppResult<Vec<step_field::ActiveModel>> {
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    let first = counters::ids(db, "step_fields", fields.len()).await?;
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let at = vec![Seg::Key("input"), Seg::Key("fields"), Seg::Index(i)];
            field_row(org, proc_id, step_id, first + i as i64, i as i32 + 1, f, at)
        })
        .collect()
}

/// The distinct upstream steps of a new step, each visible and of the same procedure.
async fn upstream_steps(
    db: &impl ConnectionTrait,
    caller: &Caller,
    proc_id: i64,
    ids: &[i64],
) -> AppResult<Vec<i64>> {
    let mut upstream = Vec::new();
    for (i, &uid) in ids.iter().enumerate() {
        let at = vec![
            Seg::Key("input"),
            Seg::Key("upstreamStepIds"),
            Seg::Index(i),
        ];
        let u = scope::get::<step::Entity>(db, caller, uid, "step", at.clone()).await?;
        if u.procedure_id != proc_id {
            return Err(
                AppError::bad_input("an upstream step must belong to the same procedure")
                    .with_path(at),
            );
        }
        if !upstream.contains(&uid) {
            upstream.push(uid);
        }
    }
    Ok(upstream)
}

/// A step's lead time in minutes: 0 to a year (`domain::schedule::MAX_LEAD_TIME`), else
/// BAD_USER_INPUT at `["input", "leadTime"]`.
pub fn lead_time(v: Option<i32>) -> AppResult<Option<i32>> {
    use crate::domain::schedule::MAX_LEAD_TIME;
    match v {
        Some(m) if !(0..=MAX_LEAD_TIME).contains(&m) => Err(AppError::bad_input(format!(
            "`leadTime` is {m} minutes; it must be 0 to {MAX_LEAD_TIME}"
        ))
        .at(&["input", "leadTime"])),
        v => Ok(v),
    }
}

pub async fn update_step(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: StepEdit,
) -> AppResult<step::Model> {
    let id = input.id;
    let (s, p) = current_step(db, caller, id, &input.etag).await?;
    require_draft(&p)?;
    let mut am: step::ActiveModel = s.clone().into();
    if let Some(t) = input.title {
        am.title = Set(title(&t)?);
    }
    if let Some(c) = super::long_text(input.content, "content")? {
        am.content = Set(Some(c));
    }
    if let Some(pos) = input.position {
        am.position = Set(pos);
    }
    if let Some(m) = lead_time(input.lead_time)? {
        am.lead_time = Set(m);
    }
    // An edited step needs approval again.
    am.approved = Set(false);
    am.approved_by_id = Set(None);
    am.approved_at = Set(None);
    let s =
        etag::guarded_update::<step::Entity>(db, caller, am, id, s.lock_version, "step").await?;
    touch_procedure(db, caller, p.id).await?;
    Ok(s)
}

pub async fn delete_step(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: IdEtag,
) -> AppResult<step::Model> {
    let id = input.id;
    let (s, p) = current_step(db, caller, id, &input.etag).await?;
    require_draft(&p)?;
    let children = step::Entity::find().filter(step::Column::ParentId.eq(id));
    super::refuse_if_any(db, children, || {
        AppError::bad_input("delete the step's child steps first").at(&["input", "id"])
    })
    .await?;
    step_edge::Entity::delete_many()
        .filter(
            step_edge::Column::StepId
                .eq(id)
                .or(step_edge::Column::UpstreamStepId.eq(id)),
        )
        .exec(db)
        .await?;
    step_field::Entity::delete_many()
        .filter(step_field::Column::StepId.eq(id))
        .exec(db)
        .await?;
    step::Entity::delete_by_id(id).exec(db).await?;
    touch_procedure(db, caller, p.id).await?;
    Ok(s)
}

pub async fn create_step_field(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewStepField,
) -> AppResult<step_field::Model> {
    let sid = input.step_id;
    let (s, p) = step_and_procedure(db, caller, sid, path(&["input", "stepId"])).await?;
    require_draft(&p).map_err(|e| e.at(&["input", "stepId"]))?;
    let fields = step_field::Entity::find().filter(step_field::Column::StepId.eq(sid));
    let last = max_of(db, fields, step_field::Column::Position).await?;
    let id = counters::ids(db, "step_fields", 1).await?;
    let row = field_row(
        caller.organization_id,
        p.id,
        s.id,
        id,
        last.map_or(1, |l| l + 1),
        &input.field,
        path(&["input"]),
    )?;
    let created = step_field::Entity::insert(row.written_by(caller))
        .exec_with_returning(db)
        .await?;
    touch_procedure(db, caller, p.id).await?;
    Ok(created)
}

pub async fn create_step_edge(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewEdge,
) -> AppResult<step_edge::Model> {
    let (sid, uid) = (input.step_id, input.upstream_step_id);
    let (s, p) = step_and_procedure(db, caller, sid, path(&["input", "stepId"])).await?;
    require_draft(&p).map_err(|e| e.at(&["input", "stepId"]))?;
    let u = scope::named::<step::Entity>(db, caller, uid, "step", "upstreamStepId").await?;
    if u.procedure_id != s.procedure_id {
        return Err(
            AppError::bad_input("both steps must belong to the same procedure")
                .at(&["input", "upstreamStepId"]),
        );
    }
    let edges = template::edges(db, p.id).await?;
    if edges.contains(&(sid, uid)) {
        return Err(
            AppError::bad_input("this dependency already exists").at(&["input", "upstreamStepId"])
        );
    }
    if graph::creates_cycle(&edges, (sid, uid)) {
        return Err(AppError::bad_input(format!(
            "step \"{}\" cannot depend on \"{}\": the dependencies would form a cycle",
            s.title, u.title
        ))
        .at(&["input", "upstreamStepId"]));
    }
    let e = step_edge::Entity::insert(
        step_edge::ActiveModel {
            organization_id: Set(caller.organization_id),
            procedure_id: Set(p.id),
            step_id: Set(sid),
            upstream_step_id: Set(uid),
            ..Default::default()
        }
        .written_by(caller),
    )
    .exec_with_returning(db)
    .await?;
    touch_procedure(db, caller, p.id).await?;
    Ok(e)
}

pub async fn submit_for_review(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: IdEtag,
) -> AppResult<procedure::Model> {
    let id = input.id;
    let p = current_procedure(db, caller, id, &input.etag).await?;
    let next = rules::submit_for_review(status_of(&p)?)
        .map_err(|e| AppError::new(Code::BadUserInput, e).at(&["input", "id"]))?;
    let mut am: procedure::ActiveModel = p.clone().into();
    am.status = Set(next.as_str().into());
    etag::guarded_update::<procedure::Entity>(db, caller, am, id, p.lock_version, "procedure").await
}

pub async fn approve_step(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: IdEtag,
) -> AppResult<step::Model> {
    let id = input.id;
    let (s, p) = current_step(db, caller, id, &input.etag).await?;
    if !matches!(
        status_of(&p)?,
        ProcedureStatus::Draft | ProcedureStatus::InReview
    ) {
        return Err(AppError::bad_input(format!(
            "procedure is {}; its steps can no longer be approved",
            p.status
        ))
        .at(&["input", "id"]));
    }
    let mut am: step::ActiveModel = s.clone().into();
    am.approved = Set(true);
    am.approved_by_id = Set(Some(caller.user_id));
    am.approved_at = Set(Some(super::now()));
    etag::guarded_update::<step::Entity>(db, caller, am, id, s.lock_version, "step").await
}

pub async fn release(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: IdEtag,
) -> AppResult<procedure::Model> {
    let id = input.id;
    let p = current_procedure(db, caller, id, &input.etag).await?;
    let next =
        rules::release(status_of(&p)?).map_err(|e| AppError::bad_input(e).at(&["input", "id"]))?;
    let now = super::now();
    // The releaser approves every step not yet approved.
    etag::bump_many::<step::Entity>(caller)
        .col_expr(step::Column::Approved, Expr::value(true))
        .col_expr(step::Column::ApprovedById, Expr::value(caller.user_id))
        .col_expr(step::Column::ApprovedAt, Expr::value(now))
        .filter(step::Column::ProcedureId.eq(id))
        .filter(step::Column::Approved.eq(false))
        .exec(db)
        .await?;
    etag::bump_many::<procedure::Entity>(caller)
        .col_expr(
            procedure::Column::Status,
            Expr::value(ProcedureStatus::Superseded.as_str()),
        )
        .filter(procedure::Column::FamilyId.eq(p.family_id))
        .filter(procedure::Column::Status.eq(ProcedureStatus::Released.as_str()))
        .filter(procedure::Column::Id.ne(id))
        .exec(db)
        .await?;
    let mut am: procedure::ActiveModel = p.clone().into();
    am.status = Set(next.as_str().into());
    am.released_at = Set(Some(now));
    etag::guarded_update::<procedure::Entity>(db, caller, am, id, p.lock_version, "procedure").await
}

/// A new DRAFT in the family (version = highest + 1) with copies of the steps, fields,
/// edges and part links of procedure `src_id`, written with multi-row inserts.
pub async fn create_version(
    db: &impl ConnectionTrait,
    caller: &Caller,
    src_id: i64,
) -> AppResult<procedure::Model> {
    let src = get_procedure(db, caller, src_id, path(&["input", "procedureId"])).await?;
    let p = insert_next_version(db, caller, &src).await?;
    copy_template(db, caller, src_id, &p).await?;
    Ok(p)
}

/// The new version's row: `src` as a DRAFT numbered after the family's highest version.
async fn insert_next_version(
    db: &impl ConnectionTrait,
    caller: &Caller,
    src: &procedure::Model,
) -> AppResult<procedure::Model> {
    let family = procedure::Entity::find().filter(procedure::Column::FamilyId.eq(src.family_id));
    let top = max_of(db, family, procedure::Column::Version).await?;
    let row = procedure::ActiveModel {
        organization_id: Set(caller.organization_id),
        family_id: Set(src.family_id),
        version: Set(top.unwrap_or(src.version) + 1),
        title: Set(src.title.clone()),
        description: Set(src.description.clone()),
        status: Set(ProcedureStatus::Draft.as_str().into()),
        procedure_type: Set(src.procedure_type.clone()),
        export_controlled: Set(src.export_controlled),
        lock_version: Set(1),
        released_at: Set(None),
        ..Default::default()
    };
    insert_new(db, caller, row, || {
        let msg = "another version of this procedure was created at the same time; retry";
        Some(AppError::new(Code::Conflict, msg))
    })
    .await
}

/// Copies the steps, fields, edges and part links of `src_id` into the new version `p`,
/// remapping step ids through a block reserved from `counters`.
async fn copy_template(
    db: &impl ConnectionTrait,
    caller: &Caller,
    src_id: i64,
    p: &procedure::Model,
) -> AppResult<()> {
    let Template {
        mut steps,
        mut fields,
        edges,
        ..
    } = Template::load(db, src_id).await?;
    // In id order, as created: a parent precedes its children, and new ids keep the order.
    steps.sort_by_key(|s| s.id);
    fields.sort_by_key(|f| f.id);
    let links: Vec<i64> = part_procedure::Entity::find()
        .filter(part_procedure::Column::ProcedureId.eq(src_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.part_id)
        .collect();
    if !steps.is_empty() {
        let first = counters::ids(db, "steps", steps.len()).await?;
        let map: HashMap<i64, i64> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, first + i as i64))
            .collect();
        let rows = steps.iter().map(|s| copied_step(s, &map, p));
        insert_chunked(db, stamped(rows, version_writer(p))).await?;
        copy_fields(db, &fields, &map, p).await?;
        let edges = edges.iter().map(|(s, u)| step_edge::ActiveModel {
            organization_id: Set(caller.organization_id),
            procedure_id: Set(p.id),
            step_id: Set(map[s]),
            upstream_step_id: Set(map[u]),
            ..Default::default()
        });
        insert_chunked(db, stamped(edges, version_writer(p))).await?;
    }
    link_parts(db, caller.organization_id, p.id, &links).await
}

/// Step `s` of the source version as a step of the new version `p`, not yet approved.
fn copied_step(
    s: &step::Model,
    map: &HashMap<i64, i64>,
    p: &procedure::Model,
) -> step::ActiveModel {
    step::ActiveModel {
        id: Set(map[&s.id]),
        organization_id: Set(s.organization_id),
        procedure_id: Set(p.id),
        parent_id: Set(s.parent_id.and_then(|x| map.get(&x).copied())),
        position: Set(s.position),
        title: Set(s.title.clone()),
        content: Set(s.content.clone()),
        approved: Set(false),
        approved_by_id: Set(None),
        approved_at: Set(None),
        lock_version: Set(1),
        lead_time: Set(s.lead_time),
        ..Default::default()
    }
}

/// The steps and fields of a new version are written with it, by its writer.
fn version_writer(p: &procedure::Model) -> Writer {
    Writer {
        user_id: p.created_by_id,
        at: p.created_at,
    }
}

async fn copy_fields(
    db: &impl ConnectionTrait,
    fields: &[step_field::Model],
    map: &HashMap<i64, i64>,
    p: &procedure::Model,
) -> AppResult<()> {
    if fields.is_empty() {
        return Ok(());
    }
    let first = counters::ids(db, "step_fields", fields.len()).await?;
    let rows = fields.iter().enumerate().map(|(i, f)| {
        with_field_spec!(step_field::ActiveModel, copy f, {
            id: Set(first + i as i64),
            organization_id: Set(f.organization_id),
            procedure_id: Set(p.id),
            step_id: Set(map[&f.step_id]),
        })
    });
    insert_chunked(db, stamped(rows, version_writer(p))).await?;
    Ok(())
}

/// Whether every step of each procedure is approved (procedure id -> all approved).
pub async fn all_steps_approved(
    db: &impl ConnectionTrait,
    procedure_ids: &[i64],
) -> AppResult<HashMap<i64, bool>> {
    let mut out: HashMap<i64, bool> = procedure_ids.iter().map(|id| (*id, true)).collect();
    if procedure_ids.is_empty() {
        return Ok(out);
    }
    let unapproved: Vec<i64> = step::Entity::find()
        .filter(step::Column::ProcedureId.is_in(procedure_ids.iter().copied()))
        .filter(step::Column::Approved.eq(false))
        .select_only()
        .column(step::Column::ProcedureId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    for id in unapproved {
        out.insert(id, false);
    }
    Ok(out)
}
