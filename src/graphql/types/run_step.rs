//! Run steps and their fields.

use std::borrow::Cow;
use std::sync::Arc;

use async_graphql::parser::types::SelectionSet;
use async_graphql::resolver_utils::enum_value;
use async_graphql::{Context, ContextSelectionSet, ID, Json, Result, ScalarType, Value};
use chrono::{DateTime, Utc};
use entity::{run_step, run_step_event, run_step_field};

use super::leaves::{LeafList, LeafObject, ListRead, Read, items};
use super::row_object;
use super::run::Run;
use super::{id, opt_id};
use crate::domain::availability;
use crate::error::AppResult;
use crate::graphql::ctx::{Gql, loaders};
use crate::graphql::enums::RunStepStatus;
use crate::graphql::loaders::{HistoryKey, RunEdges, RunEdgesKey, RunKey, RunSteps, RunStepsKey};
use crate::store::rows;

/// A step's upstream steps and its parent, as `(title, status)`.
type Around<'a> = (
    Vec<(&'a str, crate::domain::RunStepStatus)>,
    Option<(&'a str, crate::domain::RunStepStatus)>,
);

/// One step of a run: a copy of a procedure step (or one added by redline), worked by operators.
#[derive(Clone, async_graphql::Description)]
pub struct RunStep {
    pub row: run_step::Model,
    /// The run's steps and whether the run failed, when the step came with them (a run's
    /// list); `None` for a step that came alone (a mutation's payload), whose fields that
    /// need them load them on first use, so a payload of plain columns reads nothing more.
    tree: Option<Tree>,
}

type Tree = (Arc<RunSteps>, bool);

impl RunStep {
    pub fn new(row: run_step::Model, all: Arc<RunSteps>, run_failed: bool) -> Self {
        RunStep {
            row,
            tree: Some((all, run_failed)),
        }
    }

    /// A step without its run's steps; they are loaded (through the loaders) if asked for.
    pub fn alone(row: run_step::Model) -> Self {
        RunStep { row, tree: None }
    }

    async fn tree(&self, ctx: &Context<'_>) -> Result<Tree> {
        if let Some(t) = &self.tree {
            return Ok(t.clone());
        }
        let run_id = self.row.run_id;
        let all = super::load_or_default(ctx, RunStepsKey(run_id)).await?;
        let run = loaders(ctx).load(RunKey(run_id)).await?;
        let failed = run.is_some_and(|r| r.status == crate::domain::RunStatus::Failed.as_str());
        Ok((all, failed))
    }

    /// The dependencies between the steps of this step's run.
    async fn edges(&self, ctx: &Context<'_>) -> Result<Arc<RunEdges>> {
        super::load_or_default(ctx, RunEdgesKey(self.row.run_id)).await
    }

    /// Why this step cannot start now (empty when it can).
    fn compute_blockers(
        (all, edges): (&RunSteps, &RunEdges),
        row: &run_step::Model,
        run_failed: bool,
    ) -> AppResult<Vec<String>> {
        let (upstream, parent) = Self::around(all, edges, row)?;
        Ok(availability::blockers(&upstream, parent, run_failed))
    }

    /// Whether step `row` of the run's steps `all` can be started now
    /// (`availability::available`).
    pub fn available_in(
        (all, edges): (&RunSteps, &RunEdges),
        row: &run_step::Model,
        run_failed: bool,
    ) -> AppResult<bool> {
        let (upstream, parent) = Self::around(all, edges, row)?;
        let status = rows::run_step_status(row)?;
        Ok(availability::available(
            status, &upstream, parent, run_failed,
        ))
    }

    /// The statuses availability depends on: the upstream steps' and the parent's.
    fn around<'a>(
        all: &'a RunSteps,
        edges: &RunEdges,
        row: &run_step::Model,
    ) -> AppResult<Around<'a>> {
        let upstream = edges
            .upstream(row.id)
            .iter()
            .filter_map(|u| all.get(*u))
            .map(|u| Ok((u.title.as_str(), rows::run_step_status(u)?)))
            .collect::<AppResult<_>>()?;
        let parent = row
            .parent_id
            .and_then(|p| all.get(p))
            .map(|p| rows::run_step_status(p).map(|s| (p.title.as_str(), s)))
            .transpose()?;
        Ok((upstream, parent))
    }
}

row_object!(RunStep.row {
    /// The step's id.
    id: ID,
    _etag,
    _writers,
    /// The run the step belongs to.
    run_id: ID,
    /// The run the step belongs to.
    async fn run(&self, ctx: &Context<'_>) -> Result<Run> {
        let r = loaders(ctx).load(RunKey(self.row.run_id)).await?;
        r.map(Run::new)
            .ok_or_else(|| crate::error::AppError::not_found("run").into_gql())
    }
    /// The step's title.
    title: &str,
    /// The work instruction.
    content: Option<&str>,
    /// Minutes the step takes (copied from the procedure step).
    lead_time: i32,
    /// Order among its siblings (ascending).
    position: i32,
    /// Where the step stands; changed with `updateRunStep`.
    async fn status(&self) -> Result<RunStepStatus> {
        rows::run_step_status(&self.row).map(Into::into).gql()
    }
    /// The procedure step this one was copied from; null for a step added by redline.
    async fn origin_step_id(&self) -> Option<ID> {
        procedure_origin(self.row.origin_step_id)
    }
    /// ION's name for `originStepId`.
    async fn entity_id(&self) -> Option<ID> {
        procedure_origin(self.row.origin_step_id)
    }
    /// The parent step; null for a top-level step.
    parent_id: Option<ID>,
    /// Child steps in order.
    #[list_cost]
    async fn steps(&self, ctx: &Context<'_>) -> Result<LeafList<'static, RunStep>> {
        let (all, failed) = self.tree(ctx).await?;
        let children = all.children(Some(self.row.id));
        let steps = children.map(|s| RunStep::new(s.clone(), all.clone(), failed));
        Ok(LeafList(Cow::Owned(steps.collect())))
    }
    /// The step's input fields with their values, in position order.
    #[list_cost]
    async fn fields(&self, ctx: &Context<'_>) -> Result<LeafList<'_, RunStepField>> {
        // A step of a run's list holds its run's fields: no copy of the rows.
        if let Some((all, _)) = &self.tree {
            return Ok(LeafList(Cow::Borrowed(all.fields(self.row.id))));
        }
        let (all, _) = self.tree(ctx).await?;
        Ok(LeafList(Cow::Owned(all.fields(self.row.id).to_vec())))
    }
    /// Steps that must be COMPLETE before this one can start.
    async fn upstream_step_ids(&self, ctx: &Context<'_>) -> Result<Vec<ID>> {
        let edges = self.edges(ctx).await?;
        Ok(edges.upstream(self.row.id).iter().map(|i| id(*i)).collect())
    }
    /// True when the step is TODO and nothing blocks it from starting.
    async fn available_to_work(&self, ctx: &Context<'_>) -> Result<bool> {
        if rows::run_step_status(&self.row).gql()? != crate::domain::RunStepStatus::Todo {
            return Ok(false);
        }
        let (all, failed) = self.tree(ctx).await?;
        let edges = self.edges(ctx).await?;
        Self::available_in((&all, &edges), &self.row, failed).gql()
    }
    /// What keeps this step from starting: upstream steps, its parent, a failed run.
    async fn blockers(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let (all, failed) = self.tree(ctx).await?;
        let edges = self.edges(ctx).await?;
        Self::compute_blockers((&all, &edges), &self.row, failed).gql()
    }
    /// When the step was started; null until then.
    started_at: Option<DateTime<Utc>>,
    /// When the step was completed; null until then.
    completed_at: Option<DateTime<Utc>>,
    /// Every status change and field value of this step: who, when, from, to.
    #[list_cost]
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<RunStepEvent>> {
        let h = super::load_or_default(ctx, HistoryKey(self.row.id)).await?;
        Ok(h.iter().cloned().map(RunStepEvent).collect())
    }
});

row_object!(
    /// One recorded change: `kind` is STATUS, FIELD_VALUE or SIGNOFF.
    pub struct RunStepEvent(pub run_step_event::Model) {
    /// STATUS, FIELD_VALUE or SIGNOFF.
    kind: &str,
    /// The field whose value changed; null for a STATUS change.
    run_step_field_id: Option<ID>,
    /// The value before (a status name, or the field value as JSON text); null when empty.
    #[allow(clippy::wrong_self_convention)] // the contract's name, not a conversion
    from_value: Option<&str>,
    /// The value after (a status name, or the field value as JSON text); null when cleared.
    to_value: Option<&str>,
    /// Who made the change.
    user_id: Option<ID>,
    /// When the change was made.
    created_at: DateTime<Utc>,
});

row_object!(
    /// A field of a run step, with its value.
    pub struct RunStepField(pub run_step_field::Model) {
    /// The field's id.
    id: ID,
    _etag,
    _writers,
    /// The run step it belongs to.
    run_step_id: ID,
    /// The procedure step field this one was copied from; null for one added by redline.
    async fn origin_field_id(&self) -> Option<ID> {
        procedure_origin(self.0.origin_field_id)
    }
    _definition(rows::run_step_field_type),
    /// `{min, max, pattern}` as set on the procedure's field.
    async fn validations(&self) -> Json<serde_json::Value> {
        Json(validations(&self.0))
    }
    /// The value, as JSON of the field's type; null when empty.
    async fn value(&self) -> Option<Json<serde_json::Value>> {
        value(&self.0).map(Json)
    }
    /// Who signed a SIGNOFF field, and when.
    signed_by_id: Option<ID>,
    /// When a SIGNOFF field was signed; null until signed.
    signed_at: Option<DateTime<Utc>>,
    /// Order among the step's fields (ascending).
    async fn position(&self) -> i32 {
        self.0.position
    }
});

fn validations(f: &run_step_field::Model) -> serde_json::Value {
    serde_json::json!({"min": f.min, "max": f.max, "pattern": f.pattern})
}

fn value(f: &run_step_field::Model) -> Option<serde_json::Value> {
    f.value
        .as_deref()
        .and_then(|v| serde_json::from_str(v).ok())
}

/// A run's traveler lists thousands of fields: those of their fields that are plain values
/// of the row are built without the executor. Each reads as the resolver above does.
impl LeafObject for RunStepField {
    type Row = run_step_field::Model;

    fn wrap(row: Self::Row) -> Self {
        RunStepField(row)
    }

    fn leaf(name: &str) -> Option<Read<Self::Row>> {
        use crate::graphql::enums::FieldType;
        let read: Read<Self::Row> = match name {
            "id" => |f| Some(id(f.id).to_value()),
            "_etag" => |f| Some(super::etag(f.lock_version).to_value()),
            "createdById" => |f| Some(scalar(opt_id(f.created_by_id))),
            "createdAt" => |f| Some(f.created_at.to_value()),
            "updatedById" => |f| Some(scalar(opt_id(f.updated_by_id))),
            "updatedAt" => |f| Some(f.updated_at.to_value()),
            "runStepId" => |f| Some(id(f.run_step_id).to_value()),
            "originFieldId" => |f| Some(scalar(procedure_origin(f.origin_field_id))),
            "name" => |f| Some(f.name.to_value()),
            "type" => |f| {
                let t = rows::run_step_field_type(f).ok()?;
                Some(enum_value(FieldType::from(t)))
            },
            "required" => |f| Some(f.required.to_value()),
            "unit" => |f| Some(scalar(f.unit.clone())),
            "validations" => |f| Some(json(&validations(f))),
            "value" => |f| Some(value(f).map_or(Value::Null, |v| json(&v))),
            "signedById" => |f| Some(scalar(opt_id(f.signed_by_id))),
            "signedAt" => |f| Some(scalar(f.signed_at)),
            "position" => |f| Some(f.position.to_value()),
            _ => return None,
        };
        Some(read)
    }
}

/// A run's traveler lists its steps, each with its fields: a step's plain values and its
/// `fields` are built without the executor, as for the fields alone. Each reads as the
/// resolver above does.
impl LeafObject for RunStep {
    type Row = Self;

    fn wrap(row: Self) -> Self {
        row
    }

    fn leaf(name: &str) -> Option<Read<Self>> {
        let read: Read<Self> = match name {
            "id" => |s| Some(id(s.row.id).to_value()),
            "_etag" => |s| Some(super::etag(s.row.lock_version).to_value()),
            "createdById" => |s| Some(scalar(opt_id(s.row.created_by_id))),
            "createdAt" => |s| Some(s.row.created_at.to_value()),
            "updatedById" => |s| Some(scalar(opt_id(s.row.updated_by_id))),
            "updatedAt" => |s| Some(s.row.updated_at.to_value()),
            "runId" => |s| Some(id(s.row.run_id).to_value()),
            "title" => |s| Some(s.row.title.to_value()),
            "content" => |s| Some(scalar(s.row.content.clone())),
            "leadTime" => |s| Some(s.row.lead_time.to_value()),
            "position" => |s| Some(s.row.position.to_value()),
            "status" => |s| {
                let status = rows::run_step_status(&s.row).ok()?;
                Some(enum_value(RunStepStatus::from(status)))
            },
            "originStepId" | "entityId" => |s| Some(scalar(procedure_origin(s.row.origin_step_id))),
            "parentId" => |s| Some(scalar(opt_id(s.row.parent_id))),
            "startedAt" => |s| Some(scalar(s.row.started_at)),
            "completedAt" => |s| Some(scalar(s.row.completed_at)),
            _ => return None,
        };
        Some(read)
    }

    /// A step of a run's list holds its run's fields; one that came alone goes to the
    /// executor, which loads them.
    fn list<'a>(
        name: &str,
        ctx: &ContextSelectionSet<'a>,
        set: &'a SelectionSet,
    ) -> Option<ListRead<'a, Self>> {
        match name {
            "fields" => items::<_, RunStepField>(ctx, set, |s| {
                let (all, _) = s.tree.as_ref()?;
                Some(all.fields(s.row.id))
            }),
            _ => None,
        }
    }
}

/// An optional scalar as the executor resolves it.
fn scalar<T: ScalarType>(v: Option<T>) -> Value {
    v.map_or(Value::Null, |v| v.to_value())
}

/// A `JSON` value as the executor resolves it (`Json`'s `OutputType`).
fn json(v: &serde_json::Value) -> Value {
    async_graphql::to_value(v).ok().unwrap_or_default()
}

/// An origin as the API shows it: steps and fields added by redline share a negative origin
/// across a batch (see `store::redlines`), which names no procedure row.
fn procedure_origin(origin: Option<i64>) -> Option<ID> {
    origin.filter(|o| *o > 0).map(super::id)
}
