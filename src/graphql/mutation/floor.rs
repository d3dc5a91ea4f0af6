//! Working run steps: status changes and field values (propagated across a batch).

use async_graphql::{ID, SimpleObject};

use super::{mutate, mutations};
use crate::domain::permission::Permission::{Redline, WorkRunSteps};
use crate::graphql::input::floor::*;
use crate::graphql::types::id;
use crate::graphql::types::run_step::{RunStep, RunStepField};
use crate::store::execution::{self, Skipped};
use crate::store::redlines;

#[derive(Default)]
pub struct FloorMutation;

/// A sibling step of the batch that could not take the change.
#[derive(SimpleObject)]
pub struct SkippedSibling {
    /// The sibling's run.
    pub run_id: ID,
    /// The sibling step.
    pub run_step_id: ID,
    /// Why it could not take the change.
    pub reason: String,
}

fn skipped(v: Vec<Skipped>) -> Vec<SkippedSibling> {
    v.into_iter()
        .map(|s| SkippedSibling {
            run_id: id(s.run_id),
            run_step_id: id(s.run_step_id),
            reason: s.reason,
        })
        .collect()
}

/// What `updateRunStep` returns.
#[derive(SimpleObject)]
pub struct UpdateRunStepPayload {
    /// The step as it is now.
    pub run_step: RunStep,
    /// Sibling steps of the other runs of the batch that took the same change.
    pub updated_sibling_ids: Vec<ID>,
    /// Sibling steps that could not take it (a different state), left alone.
    pub skipped_siblings: Vec<SkippedSibling>,
}

/// What `updateRunStepFieldValue` returns.
#[derive(SimpleObject)]
pub struct UpdateRunStepFieldValuePayload {
    /// The field with its new value.
    pub run_step_field: RunStepField,
    /// Steps of the other runs of the batch whose same field took the value.
    pub updated_sibling_step_ids: Vec<ID>,
    /// Sibling fields that could not take it, left alone.
    pub skipped_siblings: Vec<SkippedSibling>,
}

/// What `createRunStep` returns.
#[derive(SimpleObject)]
pub struct CreateRunStepPayload {
    /// The step added to the run (its copies in the batch siblings share its origin).
    pub step: RunStep,
}

/// What `createRunStepField` returns.
#[derive(SimpleObject)]
pub struct CreateRunStepFieldPayload {
    /// The field added.
    pub run_step_field: RunStepField,
}

mutations! {
/// A run step as a payload shows it: with its run's other steps and the run's state.
FloorMutation {
    /// Changes a step's status by the state machine (REDLINE needs the redline permission);
    /// the batch siblings in the same state take the change too. Errors: FORBIDDEN, NOT_FOUND,
    /// BAD_USER_INPUT, STALE_ETAG, INVALID_TRANSITION, STEP_NOT_AVAILABLE, FIELD_INVALID (a
    /// required field empty on completion).
    fn update_run_step(ctx, input: UpdateRunStepInput, "The step and its new status.")
        -> UpdateRunStepPayload {
        let out = mutate!(ctx, WorkRunSteps, input => execution::update_run_step);
        Ok(UpdateRunStepPayload {
            run_step: RunStep::alone(out.step),
            updated_sibling_ids: out.applied_sibling_ids.into_iter().map(id).collect(),
            skipped_siblings: skipped(out.skipped),
        })
    }

    /// Sets a field's value (checked against its type and validations) while its step is
    /// IN_PROGRESS; `true` on a SIGNOFF field signs it as the caller. Errors: FORBIDDEN,
    /// NOT_FOUND, BAD_USER_INPUT, STALE_ETAG, FIELD_INVALID.
    fn update_run_step_field_value(
        ctx,
        input: UpdateRunStepFieldValueInput,
        "The field and its value.",
    ) -> UpdateRunStepFieldValuePayload {
        let out = mutate!(ctx, WorkRunSteps, input => execution::update_field_value);
        Ok(UpdateRunStepFieldValuePayload {
            run_step_field: RunStepField(out.field),
            updated_sibling_step_ids: out.applied_sibling_ids.into_iter().map(id).collect(),
            skipped_siblings: skipped(out.skipped),
        })
    }

    /// Adds a step to a run that is not finished (a redline; needs the redline permission):
    /// it starts in REDLINE (set it to TODO to close the redline) and is added to the
    /// unfinished runs of the batch too. Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT,
    /// INVALID_TRANSITION (a finished run).
    fn create_run_step(ctx, input: CreateRunStepInput, "The step to add.") -> CreateRunStepPayload {
        let step = mutate!(ctx, Redline, input => redlines::create_run_step);
        Ok(CreateRunStepPayload {
            step: RunStep::alone(step),
        })
    }

    /// Adds a field to a run step in REDLINE (and to the same step of the batch siblings
    /// being redlined). Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, INVALID_TRANSITION (a
    /// step in another state).
    fn create_run_step_field(ctx, input: CreateRunStepFieldInput, "The field to add.")
        -> CreateRunStepFieldPayload {
        let f = mutate!(ctx, Redline, input => redlines::create_run_step_field);
        Ok(CreateRunStepFieldPayload {
            run_step_field: RunStepField(f),
        })
    }
}}
