//! Parts, procedures, steps, fields, edges, links, release and versions; part inventory.

use async_graphql::{Context, Object, Result};

use super::{mutate, payload};
use crate::domain::permission::Permission::ManageCatalog;
use crate::graphql::ctx::Gql;
use crate::graphql::input::catalog::*;
use crate::graphql::input::procedures::*;
use crate::graphql::loaders::ProcedureStepsKey;
use crate::graphql::types::catalog::{Part, PartInventory};
use crate::graphql::types::id;
use crate::graphql::types::procedure::{Procedure, Step, StepEdge, StepField};
use crate::store::{catalog, inventory, procedures};

#[derive(Default)]
pub struct CatalogMutation;

payload!(
    CreatePartPayload,
    UpdatePartPayload {
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

#[Object]
impl CatalogMutation {
    /// A part: number + revision, unique in the organization.
    #[graphql(name = "createPart")]
    async fn create_part(
        &self,
        ctx: &Context<'_>,
        input: CreatePartInput,
    ) -> Result<CreatePartPayload> {
        Ok(mutate!(ctx, ManageCatalog, input => catalog::create_part).into())
    }

    async fn update_part(
        &self,
        ctx: &Context<'_>,
        input: UpdatePartInput,
    ) -> Result<UpdatePartPayload> {
        Ok(mutate!(ctx, ManageCatalog, input => catalog::update_part).into())
    }

    /// A new procedure: version 1, DRAFT.
    async fn create_procedure(
        &self,
        ctx: &Context<'_>,
        input: CreateProcedureInput,
    ) -> Result<CreateProcedurePayload> {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::create_procedure).into())
    }

    /// Edits a DRAFT version.
    async fn update_procedure(
        &self,
        ctx: &Context<'_>,
        input: UpdateProcedureInput,
    ) -> Result<UpdateProcedurePayload> {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::update_procedure).into())
    }

    /// Adds a step (with fields and upstream dependencies) to a DRAFT version.
    async fn create_step(
        &self,
        ctx: &Context<'_>,
        input: CreateStepInput,
    ) -> Result<CreateStepPayload> {
        let s = mutate!(ctx, ManageCatalog, input => procedures::create_step);
        step_out(ctx, s).await
    }

    async fn update_step(
        &self,
        ctx: &Context<'_>,
        input: UpdateStepInput,
    ) -> Result<UpdateStepPayload> {
        let s = mutate!(ctx, ManageCatalog, input => procedures::update_step);
        step_out(ctx, s).await
    }

    /// Deletes a leaf step of a DRAFT version (with its fields and edges); returns it as it was.
    async fn delete_step(
        &self,
        ctx: &Context<'_>,
        input: DeleteStepInput,
    ) -> Result<DeleteStepPayload> {
        let s = mutate!(ctx, ManageCatalog, input => procedures::delete_step);
        Ok(Step {
            row: s,
            all: Default::default(),
        }
        .into())
    }

    async fn create_step_field(
        &self,
        ctx: &Context<'_>,
        input: CreateStepFieldInput,
    ) -> Result<CreateStepFieldPayload> {
        let f = mutate!(ctx, ManageCatalog, input => procedures::create_step_field);
        Ok(StepField::try_from(f).gql()?.into())
    }

    /// `stepId` will start only after `upstreamStepId` is COMPLETE. Cycles are refused.
    async fn create_step_edge(
        &self,
        ctx: &Context<'_>,
        input: CreateStepEdgeInput,
    ) -> Result<CreateStepEdgePayload> {
        let e = mutate!(ctx, ManageCatalog, input => procedures::create_step_edge);
        Ok(StepEdge {
            id: id(e.id),
            step_id: id(e.step_id),
            upstream_step_id: id(e.upstream_step_id),
        }
        .into())
    }

    async fn link_part_to_procedure(
        &self,
        ctx: &Context<'_>,
        input: LinkPartToProcedureInput,
    ) -> Result<LinkPartToProcedurePayload> {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::link_part).into())
    }

    /// DRAFT -> IN_REVIEW.
    async fn submit_procedure_for_review(
        &self,
        ctx: &Context<'_>,
        input: SubmitProcedureForReviewInput,
    ) -> Result<SubmitProcedureForReviewPayload> {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::submit_for_review).into())
    }

    async fn approve_step(
        &self,
        ctx: &Context<'_>,
        input: ApproveStepInput,
    ) -> Result<ApproveStepPayload> {
        let s = mutate!(ctx, ManageCatalog, input => procedures::approve_step);
        step_out(ctx, s).await
    }

    /// DRAFT or IN_REVIEW -> RELEASED: approves the remaining steps and supersedes the
    /// family's previous release.
    async fn release_procedure(
        &self,
        ctx: &Context<'_>,
        input: ReleaseProcedureInput,
    ) -> Result<ReleaseProcedurePayload> {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::release).into())
    }

    /// A new DRAFT version with copies of the steps, fields, edges and part links.
    async fn create_procedure_version(
        &self,
        ctx: &Context<'_>,
        input: CreateProcedureVersionInput,
    ) -> Result<CreateProcedureVersionPayload> {
        Ok(mutate!(ctx, ManageCatalog, input => procedures::create_version).into())
    }

    /// A unit or lot in stock; serial and lot numbers given or generated from the part's scheme.
    async fn create_part_inventory(
        &self,
        ctx: &Context<'_>,
        input: CreatePartInventoryInput,
    ) -> Result<CreatePartInventoryPayload> {
        Ok(mutate!(ctx, ManageCatalog, input => inventory::create).into())
    }

    async fn update_part_inventory(
        &self,
        ctx: &Context<'_>,
        input: UpdatePartInventoryInput,
    ) -> Result<UpdatePartInventoryPayload> {
        Ok(mutate!(ctx, ManageCatalog, input => inventory::update).into())
    }
}
