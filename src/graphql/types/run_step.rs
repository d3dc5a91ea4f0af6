//! Run steps and their fields.

use std::sync::Arc;

use async_graphql::{Context, ID, Json, Result};
use chrono::{DateTime, Utc};
use entity::{run_step, run_step_field};

use super::row_object;
use super::run::Run;
use super::{id, opt_id};
use crate::domain::availability;
use crate::error::AppResult;
use crate::graphql::ctx::{Gql, loaders};
use crate::graphql::enums::FieldType;
use crate::graphql::enums::RunStepStatus;
use crate::graphql::loaders::{HistoryKey, RunKey, RunSteps};
use crate::store::rows;

pub struct RunStep {
    pub row: run_step::Model,
    pub all: Arc<RunSteps>,
    pub run_failed: bool,
}

impl RunStep {
    pub fn new(row: run_step::Model, all: Arc<RunSteps>, run_failed: bool) -> Self {
        RunStep {
            row,
            all,
            run_failed,
        }
    }

    /// Why this step cannot start now (empty when it can).
    pub fn compute_blockers(
        all: &RunSteps,
        row: &run_step::Model,
        run_failed: bool,
    ) -> AppResult<Vec<String>> {
        let upstream: Vec<(&str, crate::domain::RunStepStatus)> = all
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
        Ok(availability::blockers(&upstream, parent, run_failed))
    }
}

row_object!(RunStep.row {
    id: ID,
    _etag,
    run_id: ID,
    async fn run(&self, ctx: &Context<'_>) -> Result<Run> {
        let r = loaders(ctx).load(RunKey(self.row.run_id)).await?;
        r.map(Run)
            .ok_or_else(|| crate::error::AppError::not_found("run").into_gql())
    }
    title: &str,
    content: Option<&str>,
    /// Minutes the step takes (copied from the procedure step).
    lead_time: i32,
    position: i32,
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
    parent_id: Option<ID>,
    /// Child steps in order.
    #[list_cost]
    async fn steps(&self) -> Vec<RunStep> {
        self.all
            .children(Some(self.row.id))
            .map(|s| RunStep::new(s.clone(), self.all.clone(), self.run_failed))
            .collect()
    }
    #[list_cost]
    async fn fields(&self) -> Vec<RunStepField> {
        self.all
            .fields(self.row.id)
            .iter()
            .cloned()
            .map(RunStepField)
            .collect()
    }
    /// Steps that must be COMPLETE before this one can start.
    async fn upstream_step_ids(&self) -> Vec<ID> {
        self.all
            .upstream(self.row.id)
            .iter()
            .map(|i| id(*i))
            .collect()
    }
    /// True when the step is TODO and nothing blocks it from starting.
    async fn available_to_work(&self) -> Result<bool> {
        Ok(
            rows::run_step_status(&self.row).gql()? == crate::domain::RunStepStatus::Todo
                && Self::compute_blockers(&self.all, &self.row, self.run_failed)
                    .gql()?
                    .is_empty(),
        )
    }
    /// What keeps this step from starting: upstream steps, its parent, a failed run.
    async fn blockers(&self) -> Result<Vec<String>> {
        Self::compute_blockers(&self.all, &self.row, self.run_failed).gql()
    }
    started_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    /// Every status change and field value of this step: who, when, from, to.
    #[list_cost]
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<RunStepEvent>> {
        let h = super::load_or_default(ctx, HistoryKey(self.row.id)).await?;
        Ok(h.iter()
            .map(|e| RunStepEvent {
                kind: e.kind.clone(),
                run_step_field_id: opt_id(e.run_step_field_id),
                from_value: e.from_value.clone(),
                to_value: e.to_value.clone(),
                user_id: opt_id(e.user_id),
                created_at: e.created_at,
            })
            .collect())
    }
});

/// One recorded change: `kind` is STATUS, FIELD_VALUE or SIGNOFF.
#[derive(async_graphql::SimpleObject)]
pub struct RunStepEvent {
    pub kind: String,
    pub run_step_field_id: Option<ID>,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub user_id: Option<ID>,
    pub created_at: DateTime<Utc>,
}

/// A field of a run step, with its value.
pub struct RunStepField(pub run_step_field::Model);

row_object!(RunStepField {
    id: ID,
    _etag,
    run_step_id: ID,
    /// The procedure step field this one was copied from; null for one added by redline.
    async fn origin_field_id(&self) -> Option<ID> {
        procedure_origin(self.0.origin_field_id)
    }
    name: &str,
    #[graphql(name = "type")]
    async fn field_type(&self) -> Result<FieldType> {
        rows::run_step_field_type(&self.0).map(Into::into).gql()
    }
    required: bool,
    unit: Option<&str>,
    async fn options(&self) -> Vec<String> {
        super::options(&self.0.options)
    }
    /// `{min, max, pattern}` as set on the procedure's field.
    async fn validations(&self) -> Json<serde_json::Value> {
        Json(serde_json::json!({"min": self.0.min, "max": self.0.max, "pattern": self.0.pattern}))
    }
    /// The value, as JSON of the field's type; null when empty.
    async fn value(&self) -> Option<Json<serde_json::Value>> {
        self.0
            .value
            .as_deref()
            .and_then(|v| serde_json::from_str(v).ok())
            .map(Json)
    }
    /// Who signed a SIGNOFF field, and when.
    signed_by_id: Option<ID>,
    signed_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    async fn position(&self) -> i32 {
        self.0.position
    }
});

/// An origin as the API shows it: steps and fields added by redline share a negative origin
/// across a batch (see `store::redlines`), which names no procedure row.
fn procedure_origin(origin: Option<i64>) -> Option<ID> {
    origin.filter(|o| *o > 0).map(super::id)
}
