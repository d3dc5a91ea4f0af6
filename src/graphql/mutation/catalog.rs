//! Parts, procedures, steps, fields, edges, links, release and versions; part inventory.

use async_graphql::{Context, Result};

use super::{mutate, mutations, payload};
use crate::domain::permission::Permission::ManageCatalog;
use crate::graphql::ctx::Gql;
use crate::graphql::input::catalog::*;
use crate::graphql::input::procedures::*;
use crate::graphql::loaders::ProcedureStepsKey;
use crate::graphql::types::catalog::{Part, PartInventory, PartSubtype};
use crate::graphql::types::procedure::{Procedure, Step, StepEdge, StepField};
use crate::store::{catalog, inventory, part_subtypes, procedures};

#[derive(Default)]
pub struct CatalogMutation;

payload!(
    CreatePartPayload,
    UpdatePartPayload,
    AddSubtypeToPartPayload {
        part: Part(entity::part::Model)
    }
);

payload!(
    CreateProcedurePayload,
    UpdateProcedurePayload,
    LinkPartToProcedurePayload,
    SubmitProcedureForReviewPayload,
    ReleaseProcedurePayload,
    CreateProcedureVersionPayload {
        procedure: Procedure(entity::procedure::Model)
    }
);

payload!(
    CreateStepPayload,
    UpdateStepPayload,
    DeleteStepPayload,
    ApproveStepPayload { step: Step }
);

payload!(CreatePartSubtypePayload {
    part_subtype: PartSubtype(entity::part_subtype::Model)
});

payload!(CreateStepFieldPayload {
    step_field: StepField
});

payload!(CreateStepEdgePayload {
    step_edge: StepEdge
});

payload!(
    CreatePartInventoryPayload,
    UpdatePartInventoryPayload {
        part_inventory: PartInventory(entity::part_inventory::Model)
    }
);

/// A step as returned by a mutation, with its procedure's other steps for nesting.
async fn step_out<P: From<Step>>(ctx: &Context<'_>, row: entity::step::Model) -> Result<P> {
    let all =
        crate::graphql::types::load_or_default(ctx, ProcedureStepsKey(row.procedure_id)).await?;
    Ok(Step { row, all }.into())
}

mutations! { CatalogMutation {
    /// A part: number + revision, unique in the organization.
    /// Errors: FORBIDDEN, BAD_USER_INPUT (empty or too long, a bad scheme, the number and
    /// revision taken).
    #[graphql(name = "createPart")]
    fn create_part(ctx, input: CreatePartInput, "The part to create.") -> CreatePartPayload {
        Ok(mutate!(ctx, ManageCatalog, input => catalog::create_part).into())
    }

    /// A part subtype (ION's): a category of the organization, attached to parts with
    /// `addSubtypeToPart`.
    /// Errors: FORBIDDEN, BAD_USER_INPUT (empty or too long, the name taken).
    fn create_part_subtype(ctx, input: CreatePartSubtypeInput, "The part subtype to create.")
        -> CreatePartSubtypePayload {
        Ok(mutate!(ctx, ManageCatalog, input => part_subtypes::create_part_subtype).into())
    }

    /// Attaches a part subtype to a part; attaching it again changes nothing.
    /// Errors: FORBIDDEN, NOT_FOUND (the part or the subtype, at its input field).
    fn add_subtype_to_part(ctx, input: AddSubtypeToPartInput, "The part and the subtype.")
        -> AddSubtypeToPartPayload {
        Ok(mutate!(ctx, ManageCatalog, input => part_subtypes::add_subtype_to_part).into())
    }

    /// Changes a part's description or numbering schemes.
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, STALE_ETAG.
    fn update_part(ctx, input: UpdatePartInput, "The part and its changes.") -> UpdatePartPayload {
        Ok(mutate!(ctx, ManageCatalog, input => catalog::update_part).into())
    }

    /// A new procedure: version 1, DRAFT.
    /// Errors: FORBIDDEN (also export control without clearance), NOT_FOUND (a part),
    /// BAD_USER_INPUT.
    fn create_procedure(ctx, input: CreateProcedureInput, "The procedure to create.")
        -> CreateProcedurePayload {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::create_procedure).into())
    }

    /// Edits a DRAFT version.
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (not a DRAFT, bad title), STALE_ETAG.
    fn update_procedure(ctx, input: UpdateProcedureInput, "The version and its changes.")
        -> UpdateProcedurePayload {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::update_procedure).into())
    }

    /// Adds a step (with fields and upstream dependencies) to a DRAFT version.
    /// Errors: FORBIDDEN, NOT_FOUND (procedure, parent or upstream step), BAD_USER_INPUT (not a
    /// DRAFT, bad title or field, nesting too deep), LIMIT_EXCEEDED (no position left).
    fn create_step(ctx, input: CreateStepInput, "The step to add.") -> CreateStepPayload {
        let s = mutate!(ctx, ManageCatalog, input => procedures::create_step);
        step_out(ctx, s).await
    }

    /// Changes a step of a DRAFT version.
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (not a DRAFT, bad title), STALE_ETAG.
    fn update_step(ctx, input: UpdateStepInput, "The step and its changes.") -> UpdateStepPayload {
        let s = mutate!(ctx, ManageCatalog, input => procedures::update_step);
        step_out(ctx, s).await
    }

    /// Deletes a leaf step of a DRAFT version (with its fields and edges); returns it as it was.
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (not a DRAFT, the step has children),
    /// STALE_ETAG.
    fn delete_step(ctx, input: DeleteStepInput, "The step to delete.") -> DeleteStepPayload {
        let s = mutate!(ctx, ManageCatalog, input => procedures::delete_step);
        Ok(Step {
            row: s,
            all: Default::default(),
        }
        .into())
    }

    /// Adds an input field to a step of a DRAFT version.
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (not a DRAFT, a bad definition).
    fn create_step_field(ctx, input: CreateStepFieldInput, "The field to add.")
        -> CreateStepFieldPayload {
        let f = mutate!(ctx, ManageCatalog, input => procedures::create_step_field);
        Ok(StepField::try_from(f).gql()?.into())
    }

    /// `stepId` will start only after `upstreamStepId` is COMPLETE. Cycles are refused.
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (not a DRAFT, steps of two procedures, the
    /// edge exists, a cycle).
    fn create_step_edge(ctx, input: CreateStepEdgeInput, "The dependency to add.")
        -> CreateStepEdgePayload {
        let e = mutate!(ctx, ManageCatalog, input => procedures::create_step_edge);
        Ok(StepEdge(e).into())
    }

    /// Links a part to a procedure version (what it builds).
    /// Errors: FORBIDDEN, NOT_FOUND.
    fn link_part_to_procedure(
        ctx,
        input: LinkPartToProcedureInput,
        "The part and the procedure version.",
    ) -> LinkPartToProcedurePayload {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::link_part).into())
    }

    /// DRAFT -> IN_REVIEW.
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (not a DRAFT), STALE_ETAG.
    fn submit_procedure_for_review(
        ctx,
        input: SubmitProcedureForReviewInput,
        "The version to submit.",
    ) -> SubmitProcedureForReviewPayload {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::submit_for_review).into())
    }

    /// Approves a step, as the caller.
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (its procedure is past review), STALE_ETAG.
    fn approve_step(ctx, input: ApproveStepInput, "The step to approve.") -> ApproveStepPayload {
        let s = mutate!(ctx, ManageCatalog, input => procedures::approve_step);
        step_out(ctx, s).await
    }

    /// DRAFT or IN_REVIEW -> RELEASED: approves the remaining steps and supersedes the
    /// family's previous release.
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (not DRAFT or IN_REVIEW), STALE_ETAG.
    fn release_procedure(ctx, input: ReleaseProcedureInput, "The version to release.")
        -> ReleaseProcedurePayload {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::release).into())
    }

    /// A new DRAFT version with copies of the steps, fields, edges and part links.
    /// Errors: FORBIDDEN, NOT_FOUND, CONFLICT (another new version of the family at the same
    /// time; retry).
    fn create_procedure_version(ctx, input: CreateProcedureVersionInput, "The version to copy.")
        -> CreateProcedureVersionPayload {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::create_version).into())
    }

    /// A unit or lot in stock; serial and lot numbers given or generated from the part's scheme.
    /// Errors: FORBIDDEN, NOT_FOUND (the part), BAD_USER_INPUT (quantity, length),
    /// DUPLICATE_SERIAL, DUPLICATE_LOT, IDENTITY_REQUIRED.
    fn create_part_inventory(ctx, input: CreatePartInventoryInput, "The unit or lot to create.")
        -> CreatePartInventoryPayload {
        Ok(mutate!(ctx, ManageCatalog, input => inventory::create).into())
    }

    /// Changes a unit's or lot's status or quantity.
    /// Errors: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT (quantity), STALE_ETAG.
    fn update_part_inventory(
        ctx,
        input: UpdatePartInventoryInput,
        "The unit or lot and its changes.",
    ) -> UpdatePartInventoryPayload {
        Ok(mutate!(ctx, ManageCatalog, input => inventory::update).into())
    }
}}
