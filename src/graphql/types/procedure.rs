//! Procedures (one version of a work instruction), their steps and fields.

use std::sync::Arc;

use async_graphql::{Context, ID, Result};
use chrono::{DateTime, Utc};
use entity::{procedure, step, step_edge, step_field};

use super::catalog::Part;
use super::id;
use super::row_object;
use crate::error::{AppError, AppResult};
use crate::graphql::ctx::Gql;
use crate::graphql::enums::{ProcedureStatus, ProcedureType};
use crate::graphql::loaders::{PartKey, ProcedurePartsKey, ProcedureSteps, ProcedureStepsKey};
use crate::store::rows;

row_object!(
    /// One version of a procedure: the steps a run follows; only a DRAFT version can be edited.
    pub struct Procedure(pub procedure::Model) in ProcedureConnection, ProcedureEdge {
    /// The version's id.
    id: ID,
    _etag,
    _writers,
    /// The title.
    title: &str,
    /// Free-text description.
    description: Option<&str>,
    /// Groups the versions of one procedure.
    family_id: ID,
    /// The version number within the family, from 1.
    version: i32,
    /// Where the version stands in its lifecycle.
    async fn status(&self) -> Result<ProcedureStatus> {
        rows::procedure_status(&self.0).map(Into::into).gql()
    }
    /// What kind of work it describes.
    #[graphql(name = "type")]
    async fn procedure_type(&self) -> Result<ProcedureType> {
        rows::procedure_type(&self.0).map(Into::into).gql()
    }
    /// Only users cleared for export control see it and its runs.
    export_controlled: bool,
    /// When the version was released; null until then.
    released_at: Option<DateTime<Utc>>,
    /// Top-level steps in order; children are under `Step.steps`.
    #[list_cost]
    async fn steps(&self, ctx: &Context<'_>) -> Result<Vec<Step>> {
        let all = super::load_or_default(ctx, ProcedureStepsKey(self.0.id)).await?;
        Ok(all
            .children(None)
            .cloned()
            .map(|s| Step {
                row: s,
                all: all.clone(),
            })
            .collect())
    }
    /// The parts this procedure builds.
    #[list_cost]
    async fn parts(&self, ctx: &Context<'_>) -> Result<Vec<Part>> {
        super::members::<_, PartKey, _>(ctx, ProcedurePartsKey(self.0.id), Part, |p| p.0.id).await
    }
});

/// A step of a procedure.
#[derive(async_graphql::Description)]
pub struct Step {
    pub row: step::Model,
    pub all: Arc<ProcedureSteps>,
}

row_object!(Step.row {
    /// The step's id.
    id: ID,
    _etag,
    _writers,
    /// The procedure version the step belongs to.
    procedure_id: ID,
    /// The parent step; null for a top-level step.
    parent_id: Option<ID>,
    /// Order among its siblings (ascending; new steps go after the last, from 1).
    position: i32,
    /// The step's title.
    title: &str,
    /// The work instruction (up to 100,000 characters).
    content: Option<&str>,
    /// Minutes the step takes; a run's planned end follows from the longest chain of them.
    lead_time: i32,
    /// Approved steps can be run; releasing the procedure approves the rest.
    approved: bool,
    /// Who approved the step; null until approved.
    approved_by_id: Option<ID>,
    /// When the step was approved; null until approved.
    approved_at: Option<DateTime<Utc>>,
    /// Child steps in order.
    #[list_cost]
    async fn steps(&self) -> Vec<Step> {
        self.all
            .children(Some(self.row.id))
            .cloned()
            .map(|s| Step {
                row: s,
                all: self.all.clone(),
            })
            .collect()
    }
    /// The step's input fields, in position order.
    #[list_cost]
    async fn fields(&self) -> Result<Vec<StepField>> {
        self.all
            .fields
            .get(&self.row.id)
            .into_iter()
            .flatten()
            .map(|f| StepField::try_from(f.clone()))
            .collect::<AppResult<_>>()
            .gql()
    }
    /// Steps that must be COMPLETE before this one can start.
    async fn upstream_step_ids(&self) -> Vec<ID> {
        self.all
            .upstream
            .get(&self.row.id)
            .into_iter()
            .flatten()
            .map(|i| id(*i))
            .collect()
    }
});

row_object!(
    /// A typed input on a step.
    #[derive(Clone, Debug)]
    pub struct StepField(pub step_field::Model) {
    /// The field's id.
    id: ID,
    _etag,
    _writers,
    /// The step it belongs to.
    step_id: ID,
    _definition(rows::step_field_type),
    /// Smallest value a NUMBER field accepts; null: no minimum.
    min: Option<f64>,
    /// Largest value a NUMBER field accepts; null: no maximum.
    max: Option<f64>,
    /// Regular expression a STRING value must match whole; null: any text.
    pattern: Option<&str>,
    /// Order among the step's fields (ascending).
    position: i32,
});

/// A field whose stored type is unreadable is refused when the field is read, not later.
impl TryFrom<step_field::Model> for StepField {
    type Error = AppError;
    fn try_from(f: step_field::Model) -> AppResult<Self> {
        rows::step_field_type(&f)?;
        Ok(StepField(f))
    }
}

row_object!(
    /// A dependency: `stepId` starts only when `upstreamStepId` is COMPLETE.
    /// Never edited (only created and deleted), so its `updated*` are its `created*`.
    pub struct StepEdge(pub step_edge::Model) {
    /// The dependency's id.
    id: ID,
    _writers,
    /// The step that waits.
    step_id: ID,
    /// The step that must be COMPLETE first.
    upstream_step_id: ID,
});
