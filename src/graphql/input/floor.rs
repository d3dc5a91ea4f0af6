//! Inputs of the floor mutations: editing runs, batch membership, working steps.

use async_graphql::{ID, InputObject, Json};

use super::{id, ids, input_path, opt_id};
use crate::error::AppResult;
use crate::graphql::enums::{RunStatus, RunStepStatus};
use crate::graphql::input::create_runs::AttributeInput;
use crate::graphql::input::procedures::StepFieldInput;
use crate::graphql::scalars::Date;
use crate::store::execution::{FieldValueChange, StepChange};
use crate::store::redlines::{NewRunStep, NewRunStepField};
use crate::store::runs::{BatchAdd, RunEdit};

#[derive(InputObject, Clone, Debug)]
pub struct UpdateRunInput {
    pub id: ID,
    pub etag: String,
    pub title: Option<String>,
    pub due_date: Option<Date>,
    pub assigned_to_id: Option<ID>,
    pub assigned_team_id: Option<ID>,
    pub attributes: Option<Vec<AttributeInput>>,
    /// Only while the run has no steps: gives it a procedure (its steps are copied in).
    pub procedure_id: Option<ID>,
    /// Starts (IN_PROGRESS), completes, holds or cancels the run by moving its steps (the
    /// run's status stays their rollup); needs the permission to work run steps. Refused
    /// with INVALID_TRANSITION naming the open steps, or STEP_NOT_AVAILABLE naming the
    /// blockers.
    pub status: Option<RunStatus>,
    /// Moves the run to an active work center.
    pub work_center_id: Option<ID>,
    /// Reschedules the run; without `scheduledEnd`, the end follows from the lead times.
    pub scheduled_start: Option<chrono::DateTime<chrono::Utc>>,
    /// The planned end; not before the planned start.
    pub scheduled_end: Option<chrono::DateTime<chrono::Utc>>,
    /// Higher first in a work center's queue.
    pub priority: Option<i32>,
}

impl UpdateRunInput {
    pub fn cmd(self) -> AppResult<RunEdit> {
        let attributes =
            (self.attributes.as_deref()).map(|v| v.iter().map(AttributeInput::cmd).collect());
        Ok(RunEdit {
            id: id(&self.id, &input_path("id"))?,
            etag: self.etag,
            title: self.title,
            due_date: self.due_date.map(Into::into),
            assigned_to_id: opt_id(&self.assigned_to_id, &input_path("assignedToId"))?,
            assigned_team_id: opt_id(&self.assigned_team_id, &input_path("assignedTeamId"))?,
            attributes,
            procedure_id: opt_id(&self.procedure_id, &input_path("procedureId"))?,
            status: self.status.map(Into::into),
            work_center_id: opt_id(&self.work_center_id, &input_path("workCenterId"))?,
            scheduled_start: self.scheduled_start,
            scheduled_end: self.scheduled_end,
            priority: self.priority,
        })
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct UpdateRunStepInput {
    pub id: ID,
    pub etag: String,
    pub status: RunStepStatus,
}

impl UpdateRunStepInput {
    pub fn cmd(self) -> AppResult<StepChange> {
        Ok(StepChange {
            id: id(&self.id, &input_path("id"))?,
            etag: self.etag,
            status: self.status.into(),
        })
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct UpdateRunStepFieldValueInput {
    pub id: ID,
    pub etag: String,
    pub value: Json<serde_json::Value>,
}

impl UpdateRunStepFieldValueInput {
    pub fn cmd(self) -> AppResult<FieldValueChange> {
        Ok(FieldValueChange {
            id: id(&self.id, &input_path("id"))?,
            etag: self.etag,
            value: self.value.0,
        })
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct AddRunsToBatchInput {
    pub run_batch_id: ID,
    pub run_ids: Vec<ID>,
}

impl AddRunsToBatchInput {
    pub fn cmd(self) -> AppResult<BatchAdd> {
        Ok(BatchAdd {
            run_batch_id: id(&self.run_batch_id, &input_path("runBatchId"))?,
            run_ids: ids(&self.run_ids, &input_path("runIds"))?,
        })
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct RemoveRunFromBatchInput {
    pub run_id: ID,
}

impl RemoveRunFromBatchInput {
    /// The run to take out of its batch.
    pub fn cmd(self) -> AppResult<i64> {
        id(&self.run_id, &input_path("runId"))
    }
}

/// A step added to a run while it runs (a redline): it starts in REDLINE.
#[derive(InputObject, Clone, Debug)]
pub struct CreateRunStepInput {
    pub run_id: ID,
    pub title: String,
    pub content: Option<String>,
    /// A step of the same run to nest under.
    pub parent_id: Option<ID>,
    /// Among its siblings; after the last when absent.
    pub position: Option<i32>,
    /// Steps of the same run that must be COMPLETE before this one starts.
    pub upstream_step_ids: Option<Vec<ID>>,
}

impl CreateRunStepInput {
    pub fn cmd(self) -> AppResult<NewRunStep> {
        let upstream = self.upstream_step_ids.unwrap_or_default();
        Ok(NewRunStep {
            run_id: id(&self.run_id, &input_path("runId"))?,
            title: self.title,
            content: self.content,
            parent_id: opt_id(&self.parent_id, &input_path("parentId"))?,
            position: self.position,
            upstream_step_ids: ids(&upstream, &input_path("upstreamStepIds"))?,
        })
    }
}

/// A field added to a run step in REDLINE.
#[derive(InputObject, Clone, Debug)]
pub struct CreateRunStepFieldInput {
    pub run_step_id: ID,
    /// The field's definition: the same fields as `StepFieldInput`.
    #[graphql(flatten)]
    pub field: StepFieldInput,
}

impl CreateRunStepFieldInput {
    pub fn cmd(self) -> AppResult<NewRunStepField> {
        Ok(NewRunStepField {
            run_step_id: id(&self.run_step_id, &input_path("runStepId"))?,
            field: self.field.into(),
        })
    }
}
