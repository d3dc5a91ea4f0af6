//! Starting runs, editing them, and batch membership.

use async_graphql::{Context, Result, SimpleObject};
use entity::{run, run_batch};

use super::{mutate, mutations, payload};
use crate::config::Limits;
use crate::domain::permission::Permission::ManageRuns;
use crate::error::AppErrors;
use crate::graphql::ctx::{Gql, caller, db, limits, report_all};
use crate::graphql::input::create_runs::{
    CreateBatchedRunInput, CreateRunInput, CreateRunsInput, under_input,
};
use crate::graphql::input::floor::*;
use crate::graphql::input::work_centers::*;
use crate::graphql::types::run::{Run, RunBatch, StepOrder::Traveler};
use crate::graphql::types::work_center::WorkCenter;
use crate::store::commands::NewRuns;
use crate::store::create_runs::{self, AuditNote, Outcome};
use crate::store::{runs, scope, work_centers};

#[derive(Default)]
pub struct RunMutation;

/// What `createRun` returns.
#[derive(SimpleObject)]
pub struct CreateRunPayload {
    /// The run started (the first of its copies); null for `validateOnly`.
    pub run: Option<Run>,
}

/// What `createRuns` returns.
#[derive(SimpleObject)]
pub struct CreateRunsPayload {
    /// The runs created, in input order (copies together); empty for `validateOnly`.
    pub runs: Vec<Run>,
}

/// What `createBatchedRun` returns.
#[derive(SimpleObject)]
pub struct CreateBatchedRunPayload {
    /// The new batch; null for `validateOnly`.
    pub run_batch: Option<RunBatch>,
    /// The runs created, in input order (copies together); empty for `validateOnly`.
    pub runs: Vec<Run>,
}

payload!(UpdateRunPayload, RemoveRunFromBatchPayload { run: Run });

payload!(
    CreateWorkCenterPayload,
    UpdateWorkCenterPayload {
        work_center: WorkCenter(entity::work_center::Model)
    }
);

payload!(AddRunsToBatchPayload {
    run_batch: RunBatch(entity::run_batch::Model)
});

async fn runs_of(ctx: &Context<'_>, o: &Outcome) -> Result<Vec<Run>> {
    let rows = scope::by_ids::<run::Entity>(db(ctx), caller(ctx)?, &o.run_ids)
        .await
        .gql()?;
    crate::graphql::prefetch::runs(ctx, ctx.look_ahead().field("runs"), &rows, Traveler).await?;
    crate::graphql::prefetch::runs(ctx, ctx.look_ahead().field("run"), &rows, Traveler).await?;
    Ok(rows.into_iter().map(Run::new).collect())
}

/// Converts the input, checks the permission, runs the store; errors under the input.
async fn create(
    ctx: &Context<'_>,
    action: &str,
    single: bool,
    command: impl FnOnce(&Limits) -> Result<NewRuns, AppErrors>,
) -> Result<Outcome> {
    let c = caller(ctx)?;
    c.require(ManageRuns).gql()?;
    let cmd = command(limits(ctx)).map_err(|e| report_all(ctx, e))?;
    let audit = AuditNote {
        action,
        arguments: crate::graphql::ctx::arguments(ctx),
    };
    create_runs::create(db(ctx), c, limits(ctx), &cmd, audit)
        .await
        .map_err(|e| report_all(ctx, under_input(e, single)))
}

mutations! { RunMutation {
    /// Starts one run (or `copies` runs: the payload holds the first).
    /// Errors (each with `extensions.index` and `field`): FORBIDDEN (permission, export control
    /// without clearance), NOT_FOUND, BAD_USER_INPUT, NO_PROCEDURE_FOR_PART,
    /// PROCEDURE_NOT_RELEASED, PART_MISMATCH, INVENTORY_NOT_AVAILABLE, IDENTITY_REQUIRED,
    /// DUPLICATE_SERIAL, DUPLICATE_LOT, IDEMPOTENCY_KEY_REUSED, CONFLICT (the same key in
    /// flight), LIMIT_EXCEEDED (too many inputs or copies).
    fn create_run(ctx, input: CreateRunInput, "The run to start.") -> CreateRunPayload {
        let o = create(ctx, "createRun", true, |l| input.command(l)).await?;
        Ok(CreateRunPayload {
            run: runs_of(ctx, &o).await?.into_iter().next(),
        })
    }

    /// Starts many runs in one transaction: all of them, or on any error none.
    /// Errors (each with `extensions.index` and `field`): FORBIDDEN (permission, export control
    /// without clearance), NOT_FOUND, BAD_USER_INPUT, NO_PROCEDURE_FOR_PART,
    /// PROCEDURE_NOT_RELEASED, PART_MISMATCH, INVENTORY_NOT_AVAILABLE, IDENTITY_REQUIRED,
    /// DUPLICATE_SERIAL, DUPLICATE_LOT, IDEMPOTENCY_KEY_REUSED, CONFLICT (the same key in
    /// flight), LIMIT_EXCEEDED (too many inputs or copies).
    fn create_runs(ctx, input: CreateRunsInput, "The runs to start.") -> CreateRunsPayload {
        let o = create(ctx, "createRuns", false, |l| input.command(l)).await?;
        Ok(CreateRunsPayload {
            runs: runs_of(ctx, &o).await?,
        })
    }

    /// Starts many runs and a batch holding them; they share one procedure version.
    /// Errors (each with `extensions.index` and `field`): FORBIDDEN (permission, export control
    /// without clearance), NOT_FOUND, BAD_USER_INPUT, NO_PROCEDURE_FOR_PART,
    /// PROCEDURE_NOT_RELEASED, PART_MISMATCH, INVENTORY_NOT_AVAILABLE, IDENTITY_REQUIRED,
    /// DUPLICATE_SERIAL, DUPLICATE_LOT, IDEMPOTENCY_KEY_REUSED, CONFLICT (the same key in
    /// flight), LIMIT_EXCEEDED (too many inputs or copies).
    fn create_batched_run(ctx, input: CreateBatchedRunInput, "The batch and its runs.")
        -> CreateBatchedRunPayload {
        let o = create(ctx, "createBatchedRun", false, |l| input.command(l)).await?;
        let batch = match o.batch_id {
            Some(id) => scope::find::<run_batch::Entity>(db(ctx), caller(ctx)?, id)
                .await
                .gql()?
                .map(RunBatch),
            None => None,
        };
        Ok(CreateBatchedRunPayload {
            run_batch: batch,
            runs: runs_of(ctx, &o).await?,
        })
    }

    /// Edits a run's details; `procedureId` only while the run has no steps; `status` moves its
    /// steps. Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, STALE_ETAG, PROCEDURE_NOT_RELEASED,
    /// INVALID_TRANSITION and STEP_NOT_AVAILABLE (`status`).
    fn update_run(ctx, input: UpdateRunInput, "The run and its changes.") -> UpdateRunPayload {
        Ok(Run::new(mutate!(ctx, ManageRuns, input => runs::update_run)).into())
    }

    /// A work center: a station or cell where runs are worked; its name is unique in the
    /// organization. Errors: FORBIDDEN, BAD_USER_INPUT (empty or taken name, capacity
    /// below 1).
    fn create_work_center(ctx, input: CreateWorkCenterInput, "The work center to create.")
        -> CreateWorkCenterPayload {
        Ok(mutate!(ctx, ManageRuns, input => work_centers::create_work_center).into())
    }

    /// Renames, describes, resizes, deactivates or reactivates a work center. Errors:
    /// FORBIDDEN, NOT_FOUND, STALE_ETAG, BAD_USER_INPUT.
    fn update_work_center(ctx, input: UpdateWorkCenterInput, "The work center and its changes.")
        -> UpdateWorkCenterPayload {
        Ok(mutate!(ctx, ManageRuns, input => work_centers::update_work_center).into())
    }

    /// Puts runs in a batch (a run is in at most one batch; same procedure version).
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT.
    fn add_runs_to_batch(ctx, input: AddRunsToBatchInput, "The batch and the runs.")
        -> AddRunsToBatchPayload {
        Ok(mutate!(ctx, ManageRuns, input => runs::add_runs_to_batch).into())
    }

    /// Takes a run out of its batch (refused while one of its steps is in REDLINE).
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT.
    fn remove_run_from_batch(ctx, input: RemoveRunFromBatchInput, "The run.")
        -> RemoveRunFromBatchPayload {
        Ok(Run::new(mutate!(ctx, ManageRuns, input => runs::remove_run_from_batch)).into())
    }
}}
