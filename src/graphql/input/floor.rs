//! Inputs of the floor mutations: editing runs, batch membership, working steps.

use async_graphql::{ID, InputObject, Json, MaybeUndefined};

use super::{id, input_path};
use crate::error::AppResult;
use crate::graphql::enums::{RunStatus, RunStepStatus};
use crate::graphql::input::create_runs::AttributeInput;
use crate::graphql::input::procedures::StepFieldInput;
use crate::graphql::scalars::Date;
use crate::store::commands::{
    BatchAdd, FieldValueChange, NewRunStep, NewRunStepField, RunEdit, StepChange,
};

command_input! {
    /// Changes to a run; absent fields stay as they are. `dueDate`, `assignedToId`,
    /// `assignedTeamId`, `workCenterId`, `scheduledStart` and `scheduledEnd` take an explicit
    /// null to clear them; a null elsewhere leaves the value as it is.
    UpdateRunInput => RunEdit {
        /// The run's id.
        id: ID => id("id"),
        /// The run's `_etag` as last read; a stale one is STALE_ETAG.
        etag: String,
        /// New title (1 to 500 characters).
        title: Option<String>,
        /// New due date (`YYYY-MM-DD`); null clears it.
        due_date: MaybeUndefined<Date> => patch_into,
        /// Assign the run to this user (the team assignment is cleared); not together with
        /// `assignedTeamId`. Null unassigns the user.
        assigned_to_id: MaybeUndefined<ID> => patch_id("assignedToId"),
        /// Assign the run to this team (the user assignment is cleared); not together with
        /// `assignedToId`. Null unassigns the team.
        assigned_team_id: MaybeUndefined<ID> => patch_id("assignedTeamId"),
        /// The run's attribute values, replacing all of them; every required one must be given.
        attributes: Option<Vec<AttributeInput>> => opt_all_into,
        /// Only while the run has no steps: gives it a procedure (its steps are copied in).
        procedure_id: Option<ID> => opt_id("procedureId"),
        /// Starts (IN_PROGRESS), completes, holds or cancels the run by moving its steps (the
        /// run's status stays their rollup); needs the permission to work run steps. Refused
        /// with INVALID_TRANSITION naming the open steps, or STEP_NOT_AVAILABLE naming the
        /// blockers.
        status: Option<RunStatus> => opt_into,
        /// Moves the run to an active work center; null takes it off its work center.
        work_center_id: MaybeUndefined<ID> => patch_id("workCenterId"),
        /// Reschedules the run; without `scheduledEnd`, the end follows from the lead times.
        /// Null unschedules it (clears the planned start and end).
        scheduled_start: MaybeUndefined<chrono::DateTime<chrono::Utc>> => patch_into,
        /// The planned end; not before the planned start. Null sets it back to the start plus
        /// the longest chain of the run's step lead times.
        scheduled_end: MaybeUndefined<chrono::DateTime<chrono::Utc>> => patch_into,
        /// Higher first in a work center's queue.
        priority: Option<i32>,
    }
}

command_input! {
    /// A status change of a run step.
    UpdateRunStepInput => StepChange {
        /// The step's id.
        id: ID => id("id"),
        /// The step's `_etag` as last read; a stale one is STALE_ETAG.
        etag: String,
        /// The new status; the step state machine decides which changes are allowed.
        status: RunStepStatus => into,
    }

    /// A value for a field of a run step.
    UpdateRunStepFieldValueInput => FieldValueChange {
        /// The field's id.
        id: ID => id("id"),
        /// The field's `_etag` as last read; a stale one is STALE_ETAG.
        etag: String,
        /// The value, JSON of the field's type (5, "abc", true, ["a","b"],
        /// "2026-11-28T10:00:00Z"); null clears it.
        value: Json<serde_json::Value> => json,
    }

    /// Runs to put in a batch.
    AddRunsToBatchInput => BatchAdd {
        /// The batch.
        run_batch_id: ID => id("runBatchId"),
        /// The runs; each in no other batch, with the batch's procedure version.
        run_ids: Vec<ID> => ids("runIds"),
    }
}

/// A run to take out of its batch.
#[derive(InputObject, Clone, Debug)]
pub struct RemoveRunFromBatchInput {
    /// The run.
    pub run_id: ID,
}

impl RemoveRunFromBatchInput {
    /// The run to take out of its batch.
    pub fn cmd(self) -> AppResult<i64> {
        id(&self.run_id, &input_path("runId"))
    }
}

command_input! {
    /// A step added to a run while it runs (a redline): it starts in REDLINE.
    CreateRunStepInput => NewRunStep {
        /// The running run to add the step to.
        run_id: ID => id("runId"),
        /// The step's title; must not be empty.
        title: String,
        /// The work instruction (up to 100,000 characters).
        content: Option<String>,
        /// A step of the same run to nest under.
        parent_id: Option<ID> => opt_id("parentId"),
        /// Among its siblings; after the last when absent.
        position: Option<i32>,
        /// Steps of the same run that must be COMPLETE before this one starts.
        upstream_step_ids: Option<Vec<ID>> => ids_or_empty("upstreamStepIds"),
    }

    /// A field added to a run step in REDLINE.
    CreateRunStepFieldInput => NewRunStepField {
        /// The run step in REDLINE to add it to.
        run_step_id: ID => id("runStepId"),
        /// The field's definition: the same fields as `StepFieldInput`.
        #[graphql(flatten)]
        field: StepFieldInput => into,
    }
}
