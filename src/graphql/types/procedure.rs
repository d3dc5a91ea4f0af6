//! Procedures (one version of a work instruction), their steps and fields.

use std::sync::Arc;

use async_graphql::{Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{procedure, step, step_field};

use super::catalog::Part;
use super::row_object;
use super::{etag, id};
use crate::error::{AppError, AppResult};
use crate::graphql::ctx::Gql;
use crate::graphql::enums::{FieldType, ProcedureStatus, ProcedureType};
use crate::graphql::loaders::{PartKey, ProcedurePartsKey, ProcedureSteps, ProcedureStepsKey};
use crate::store::rows;

pub struct Procedure(pub procedure::Model);

row_object!(Procedure {
    id: ID,
    _etag,
    title: &str,
    description: Option<&str>,
    /// Groups the versions of one procedure.
    family_id: ID,
    version: i32,
    async fn status(&self) -> Result<ProcedureStatus> {
        rows::procedure_status(&self.0).map(Into::into).gql()
    }
    #[graphql(name = "type")]
    async fn procedure_type(&self) -> Result<ProcedureType> {
        rows::procedure_type(&self.0).map(Into::into).gql()
    }
    export_controlled: bool,
    created_at: DateTime<Utc>,
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
pub struct Step {
    pub row: step::Model,
    pub all: Arc<ProcedureSteps>,
}

row_object!(Step.row {
    id: ID,
    _etag,
    procedure_id: ID,
    parent_id: Option<ID>,
    position: i32,
    title: &str,
    content: Option<&str>,
    /// Minutes the step takes; a run's planned end follows from the longest chain of them.
    lead_time: i32,
    /// Approved steps can be run; releasing the procedure approves the rest.
    approved: bool,
    approved_by_id: Option<ID>,
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

/// A typed input on a step.
#[derive(SimpleObject, Clone, Debug)]
pub struct StepField {
    pub id: ID,
    #[graphql(name = "_etag")]
    pub etag: String,
    pub step_id: ID,
    pub name: String,
    #[graphql(name = "type")]
    pub field_type: FieldType,
    pub required: bool,
    pub unit: Option<String>,
    pub options: Vec<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pattern: Option<String>,
    pub position: i32,
}

impl TryFrom<step_field::Model> for StepField {
    type Error = AppError;
    fn try_from(f: step_field::Model) -> AppResult<Self> {
        let field_type = rows::step_field_type(&f)?;
        Ok(StepField {
            id: id(f.id),
            etag: etag(f.lock_version),
            step_id: id(f.step_id),
            name: f.name,
            field_type: field_type.into(),
            required: f.required,
            unit: f.unit,
            options: super::options(&f.options),
            min: f.min,
            max: f.max,
            pattern: f.pattern,
            position: f.position,
        })
    }
}

/// A dependency: `stepId` starts only when `upstreamStepId` is COMPLETE.
#[derive(SimpleObject, Clone, Debug)]
pub struct StepEdge {
    pub id: ID,
    pub step_id: ID,
    pub upstream_step_id: ID,
}

crate::graphql::connection::connection!(ProcedureConnection, ProcedureEdge, Procedure);
