//! Inputs of the procedure mutations: versions, steps, fields, edges, links.

use async_graphql::{ID, InputObject};

use super::{id, input_path};
use crate::error::AppResult;
use crate::graphql::enums::{FieldType, ProcedureType};
use crate::store::commands::IdEtag;
use crate::store::commands::{
    NewEdge, NewField, NewProcedure, NewStep, NewStepField, PartLink, ProcedureEdit, StepEdit,
};

command_input! {
    /// A new procedure (version 1, DRAFT).
    CreateProcedureInput => NewProcedure {
        /// The title (1 to 500 characters).
        title: String,
        /// Free-text description (up to 100,000 characters).
        description: Option<String>,
        /// What kind of work it describes; default BUILD.
        #[graphql(name = "type", default_with = "ProcedureType::Build")]
        procedure_type: ProcedureType => into,
        /// Only users cleared for export control see it and its runs; default false. Setting it
        /// needs clearance (FORBIDDEN otherwise).
        #[graphql(default)]
        export_controlled: bool,
        /// Parts to link it to (what it builds).
        part_ids: Option<Vec<ID>> => ids_or_empty("partIds"),
    }

    /// Changes to a DRAFT procedure version; absent fields stay as they are.
    UpdateProcedureInput => ProcedureEdit {
        /// The version's id.
        id: ID => id("id"),
        /// Its `_etag` as last read; a stale one is STALE_ETAG.
        etag: String,
        /// New title (1 to 500 characters).
        title: Option<String>,
        /// New description (up to 100,000 characters).
        description: Option<String>,
        /// New export control; changing it needs clearance (FORBIDDEN otherwise).
        export_controlled: Option<bool>,
    }
}

command_input! {
    From
    /// A field defined on a procedure step.
    StepFieldInput => NewField {
        /// The field's name, shown to the operator; must not be empty.
        name: String,
        /// Which values it accepts.
        #[graphql(name = "type")]
        field_type: FieldType => into,
        /// A required field must have a value before its step can complete; default false.
        #[graphql(default)]
        required: bool,
        /// Unit of measure of the value, e.g. `mm` (display only).
        unit: Option<String>,
        /// The choices of a SELECT or MULTISELECT field (required there, distinct; refused on
        /// other types).
        options: Option<Vec<String>>,
        /// Smallest value of a NUMBER field (finite; refused on other types).
        min: Option<f64>,
        /// Largest value of a NUMBER field (finite, at least `min`; refused on other types).
        max: Option<f64>,
        /// Regular expression a STRING value must match whole (refused on other types).
        pattern: Option<String>,
    }
}

command_input! {
    /// A new step of a DRAFT procedure version.
    CreateStepInput => NewStep {
        /// The DRAFT procedure version to add it to.
        procedure_id: ID => id("procedureId"),
        /// The title (1 to 500 characters).
        title: String,
        /// The work instruction (up to 100,000 characters).
        content: Option<String>,
        /// Position among its siblings; appended at the end when absent.
        position: Option<i32>,
        /// The parent step, for a nested step (steps nest at most 5 levels); absent:
        /// top level.
        parent_id: Option<ID> => opt_id("parentId"),
        /// The step's input fields, in order.
        fields: Option<Vec<StepFieldInput>> => all_into_or_empty,
        /// Steps of the same procedure that must be COMPLETE before this one can start.
        upstream_step_ids: Option<Vec<ID>> => ids_or_empty("upstreamStepIds"),
        /// Minutes the step takes (0 when absent); a run's planned end follows from them.
        lead_time: Option<i32>,
    }

    /// Changes to a step of a DRAFT procedure version; absent fields stay as they are.
    UpdateStepInput => StepEdit {
        /// The step's id.
        id: ID => id("id"),
        /// Its `_etag` as last read; a stale one is STALE_ETAG.
        etag: String,
        /// New title (1 to 500 characters).
        title: Option<String>,
        /// New work instruction (up to 100,000 characters).
        content: Option<String>,
        /// New position among its siblings.
        position: Option<i32>,
        /// Minutes the step takes.
        lead_time: Option<i32>,
    }
}

/// Inputs that name one object at its current version: each mutation has its own name (the
/// contract's `VerbNounInput`), the same two fields.
macro_rules! id_etag_inputs {
    ($($(#[$doc:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$doc])*
        #[derive(InputObject, Clone, Debug)]
        pub struct $name {
            /// Its id.
            pub id: ID,
            /// The `_etag` last read; a stale one is STALE_ETAG.
            pub etag: String,
        }

        impl $name {
            pub fn cmd(self) -> AppResult<IdEtag> {
                Ok(IdEtag {
                    id: id(&self.id, &input_path("id"))?,
                    etag: self.etag,
                })
            }
        }
    )+};
}

id_etag_inputs!(
    /// The step to delete.
    DeleteStepInput,
    /// The DRAFT procedure to submit.
    SubmitProcedureForReviewInput,
    /// The step to approve.
    ApproveStepInput,
    /// The DRAFT or IN_REVIEW procedure to release.
    ReleaseProcedureInput,
);

command_input! {
    /// A new input field on a step of a DRAFT procedure version.
    CreateStepFieldInput => NewStepField {
        /// The step to add it to.
        step_id: ID => id("stepId"),
        /// The field's definition, inlined: the same fields as `StepFieldInput`.
        #[graphql(flatten)]
        field: StepFieldInput => into,
    }

    /// A new dependency between two steps of one DRAFT procedure version.
    CreateStepEdgeInput => NewEdge {
        /// The step that waits.
        step_id: ID => id("stepId"),
        /// The step that must be COMPLETE first; a cycle is refused.
        upstream_step_id: ID => id("upstreamStepId"),
    }

    /// A part to link to a procedure version.
    LinkPartToProcedureInput => PartLink {
        /// The part.
        part_id: ID => id("partId"),
        /// The procedure version.
        procedure_id: ID => id("procedureId"),
    }
}

/// The procedure version to copy into a new DRAFT.
#[derive(InputObject, Clone, Debug)]
pub struct CreateProcedureVersionInput {
    /// The version to copy; the new one is numbered after the family's highest.
    pub procedure_id: ID,
}

impl CreateProcedureVersionInput {
    /// The procedure id to copy.
    pub fn cmd(self) -> AppResult<i64> {
        id(&self.procedure_id, &input_path("procedureId"))
    }
}
