//! A released procedure's steps, fields and edges, loaded once and copied into any number
//! of runs with multi-row inserts. Ids are reserved in blocks from `counters`, so parent
//! and dependency references are remapped in memory, with no read-back.

use crate::store::writers::{Writer, stamped};
use std::collections::HashMap;

use entity::{run_step, run_step_edge, run_step_field, step, step_edge, step_field};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter};

use crate::domain::status::RunStepStatus;
use crate::error::AppResult;
use crate::store::{counters, ordered};

pub struct Template {
    pub steps: Vec<step::Model>,
    pub fields: Vec<step_field::Model>,
    pub edges: Vec<(i64, i64)>,
    /// Step id -> its index in `steps`.
    index: HashMap<i64, usize>,
}

impl Template {
    pub async fn load(db: &impl ConnectionTrait, procedure_id: i64) -> AppResult<Template> {
        use {step::Column as S, step_field::Column as F};
        let steps = step::Entity::find().filter(S::ProcedureId.eq(procedure_id));
        let steps = ordered(steps, &[S::Position, S::Id]).all(db).await?;
        let fields = step_field::Entity::find().filter(F::ProcedureId.eq(procedure_id));
        let fields = ordered(fields, &[F::StepId, F::Position, F::Id]);
        let fields = fields.all(db).await?;
        let edges = edges(db, procedure_id).await?;
        let index = steps.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        Ok(Template {
            steps,
            fields,
            edges,
            index,
        })
    }
}

impl Template {
    /// Minutes from start to end of a run of this procedure (`domain::schedule`).
    pub fn lead_minutes(&self) -> i64 {
        let steps: Vec<(i64, i64)> = self
            .steps
            .iter()
            .map(|s| (s.id, i64::from(s.lead_time)))
            .collect();
        crate::domain::schedule::critical_path_by_id(&steps, &self.edges).unwrap_or(0)
    }
}

/// The dependency edges of a procedure's steps, as (step, upstream step).
pub async fn edges(db: &impl ConnectionTrait, procedure_id: i64) -> AppResult<Vec<(i64, i64)>> {
    Ok(step_edge::Entity::find()
        .filter(step_edge::Column::ProcedureId.eq(procedure_id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.step_id, e.upstream_step_id))
        .collect())
}

/// A row of the entity `$am` (an active model) carrying a field definition, plus the
/// columns given; shared by new fields, redlines, and copies into runs and new versions.
macro_rules! with_field_spec {
    // A copy of template field `$f` (a `step_field::Model`): its definition as stored.
    ($am:path, copy $f:expr, { $($k:ident: $v:expr),* $(,)? }) => {{
        let f: &entity::step_field::Model = $f;
        with_field_spec!($am, f, {
            position: Set(f.position),
            name: Set(f.name.clone()),
            field_type: Set(f.field_type.clone()),
            options: Set(f.options.clone()),
            $($k: $v,)*
        })
    }};
    // `$f` (a `step_field::Model` or a checked `NewField`) gives the columns stored as
    // they are; name, type and options are among those given.
    ($am:path, $f:expr, { $($k:ident: $v:expr),* $(,)? }) => {{
        let f = $f;
        $am {
            required: Set(f.required),
            unit: Set(f.unit.clone()),
            min: Set(f.min),
            max: Set(f.max),
            pattern: Set(f.pattern.clone()),
            lock_version: Set(1),
            $($k: $v,)*
            ..Default::default()
        }
    }};
}
pub(crate) use with_field_spec;

/// One run to receive a copy of a template.
pub struct Target {
    pub run_id: i64,
    pub organization_id: i64,
}

/// Bound parameters per INSERT: under SQLite's 32,766 and PostgreSQL's 65,535.
const PARAMS_PER_STATEMENT: usize = 30_000;

/// How many rows of `E` fit in one INSERT.
fn rows_per_statement<E: EntityTrait>() -> usize {
    let columns = <E::Column as Iterable>::iter().count();
    (PARAMS_PER_STATEMENT / columns.max(1)).max(1)
}

/// Inserts `rows` in as few statements as the parameter limit allows; the column count
/// comes from the entity, so a new column cannot make a statement too large.
pub async fn insert_chunked<A, E>(
    db: &impl ConnectionTrait,
    rows: Vec<A>,
) -> Result<(), sea_orm::DbErr>
where
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
    E: EntityTrait,
{
    let per = rows_per_statement::<E>();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Copies `t` into every target run: steps in TODO, fields, and edges, remapped.
pub async fn copy_into(
    db: &impl ConnectionTrait,
    w: Writer,
    t: &Template,
    targets: &[Target],
) -> AppResult<()> {
    let bases = reserve_ids(db, t, targets.len()).await?;
    copy_into_at(db, w, t, targets, bases).await
}

/// The first run step id and run step field id of `copies` copies of `t`.
pub async fn reserve_ids(
    db: &impl ConnectionTrait,
    t: &Template,
    copies: usize,
) -> AppResult<(i64, i64)> {
    let (ns, nf) = (t.steps.len(), t.fields.len());
    if ns == 0 || copies == 0 {
        return Ok((0, 0));
    }
    let step_base = counters::ids(db, "run_steps", ns * copies).await?;
    let field_base = if nf > 0 {
        counters::ids(db, "run_step_fields", nf * copies).await?
    } else {
        0
    };
    Ok((step_base, field_base))
}

/// `copy_into` with ids reserved beforehand (`reserve_ids` for `targets.len()` copies).
pub async fn copy_into_at(
    db: &impl ConnectionTrait,
    w: Writer,
    t: &Template,
    targets: &[Target],
    (step_base, field_base): (i64, i64),
) -> AppResult<()> {
    let (ns, nf) = (t.steps.len(), t.fields.len());
    if ns == 0 || targets.is_empty() {
        return Ok(());
    }
    let mut steps = Vec::with_capacity(ns * targets.len());
    let mut fields = Vec::with_capacity(nf * targets.len());
    let mut edges = Vec::with_capacity(t.edges.len() * targets.len());
    for (r, target) in targets.iter().enumerate() {
        let sid = |origin: i64| step_base + (r * ns + t.index[&origin]) as i64;
        for s in &t.steps {
            steps.push(step_row(s, target, sid));
        }
        for (j, f) in t.fields.iter().enumerate() {
            let id = field_base + (r * nf + j) as i64;
            fields.push(field_row(f, id, target, sid(f.step_id)));
        }
        for (s, u) in &t.edges {
            edges.push(run_step_edge::ActiveModel {
                run_id: Set(target.run_id),
                step_id: Set(sid(*s)),
                upstream_step_id: Set(sid(*u)),
            });
        }
    }
    insert_chunked(db, stamped(steps, w)).await?;
    insert_chunked(db, stamped(fields, w)).await?;
    insert_chunked(db, edges).await?;
    Ok(())
}

/// A template step as a TODO step of `target`; `sid` maps template step ids to new ones.
fn step_row(s: &step::Model, target: &Target, sid: impl Fn(i64) -> i64) -> run_step::ActiveModel {
    run_step::ActiveModel {
        id: Set(sid(s.id)),
        organization_id: Set(target.organization_id),
        run_id: Set(target.run_id),
        origin_step_id: Set(Some(s.id)),
        parent_id: Set(s.parent_id.map(&sid)),
        position: Set(s.position),
        title: Set(s.title.clone()),
        content: Set(s.content.clone()),
        lead_time: Set(s.lead_time),
        ..unstarted_step(RunStepStatus::Todo)
    }
}

/// A run step not started (no hold, no times, version 1) in `status` (TODO, or REDLINE
/// for a redline), for the caller to place in its run.
pub fn unstarted_step(status: RunStepStatus) -> run_step::ActiveModel {
    run_step::ActiveModel {
        status: Set(status.as_str().into()),
        held_from: Set(None),
        lock_version: Set(1),
        started_at: Set(None),
        completed_at: Set(None),
        ..Default::default()
    }
}

/// A template field as an empty field of `target`'s step `run_step_id`.
fn field_row(
    f: &step_field::Model,
    id: i64,
    target: &Target,
    run_step_id: i64,
) -> run_step_field::ActiveModel {
    with_field_spec!(run_step_field::ActiveModel, copy f, {
        id: Set(id),
        organization_id: Set(target.organization_id),
        run_id: Set(target.run_id),
        run_step_id: Set(run_step_id),
        origin_field_id: Set(Some(f.id)),
        value: Set(None),
        signed_by_id: Set(None),
        signed_at: Set(None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_per_statement_follows_the_entity_columns() {
        // 26 columns in `runs` (23 before the writer columns; a hand-counted 20 had
        // drifted), 3 in `run_step_edges`.
        assert_eq!(rows_per_statement::<entity::run::Entity>(), 30_000 / 26);
        assert_eq!(rows_per_statement::<run_step_edge::Entity>(), 10_000);
    }
}
