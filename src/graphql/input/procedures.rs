//! Inputs of the procedure mutations: versions, steps, fields, edges, links.

use async_graphql::{ID, InputObject};

use super::{id, ids, input_path};
use crate::error::AppResult;
use crate::graphql::enums::{FieldType, ProcedureType};
use crate::store::etag::IdEtag;
use crate::store::procedures::{
    NewEdge, NewField, NewProcedure, NewStep, NewStepField, PartLink, ProcedureEdit, StepEdit,
};

/// A new procedure (version 1, DRAFT).
#[derive(InputObject, Clone, Debug)]
pub struct CreateProcedureInput {
    /// The title (1 to 500 characters).
    pub title: String,
    /// Free-text description (up to 100,000 characters).
    pub description: Option<String>,
    /// What kind of work it describes; default BUILD.
    #[graphql(name = "type", default_with = "ProcedureType::Build")]
    pub procedure_type: ProcedureType,
    /// Only users cleared for export control see it and its runs; default false. Setting it
    /// needs clearance (FORBIDDEN otherwise).
    #[graphql(default)]
    pub export_controlled: bool,
    /// Parts to link it to (what it builds).
    pub part_ids: Option<Vec<ID>>,
}

impl CreateProcedureInput {
    pub fn cmd(self) -> AppResult<NewProcedure> {
        let part_ids = self.part_ids.unwrap_or_default();
        Ok(NewProcedure {
            title: self.title,
            description: self.description,
            procedure_type: self.procedure_type.into(),
            export_controlled: self.export_controlled,
            part_ids: ids(&part_ids, &input_path("partIds"))?,
        })
    }
}

/// Changes to a DRAFT procedure version; absent fields stay as they are.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateProcedureInput {
    /// The version's id.
    pub id: ID,
    /// Its `_etag` as last read; a stale one is STALE_ETAG.
    pub etag: String,
    /// New title (1 to 500 characters).
    pub title: Option<String>,
    /// New description (up to 100,000 characters).
    pub description: Option<String>,
    /// New export control; changing it needs clearance (FORBIDDEN otherwise).
    pub export_controlled: Option<bool>,
}

impl UpdateProcedureInput {
    pub fn cmd(self) -> AppResult<ProcedureEdit> {
        Ok(ProcedureEdit {
            id: id(&self.id, &input_path("id"))?,
            etag: self.etag,
            title: self.title,
            description: self.description,
            export_controlled: self.export_controlled,
        })
    }
}

/// A field defined on a procedure step.
#[derive(InputObject, Clone, Debug)]
pub struct StepFieldInput {
    /// The field's name, shown to the operator; must not be empty.
    pub name: String,
    /// Which values it accepts.
    #[graphql(name = "type")]
    pub field_type: FieldType,
    /// A required field must have a value before its step can complete; default false.
    #[graphql(default)]
    pub required: bool,
    /// Unit of measure of the value, e.g. `mm` (display only).
    pub unit: Option<String>,
    /// The choices of a SELECT or MULTISELECT field (required there, distinct; refused on
    /// other types).
    pub options: Option<Vec<String>>,
    /// Smallest value of a NUMBER field (finite; refused on other types).
    pub min: Option<f64>,
    /// Largest value of a NUMBER field (finite, at least `min`; refused on other types).
    pub max: Option<f64>,
    /// Regular expression a STRING value must match whole (refused on other types).
    pub pattern: Option<String>,
}

impl From<StepFieldInput> for NewField {
    fn from(f: StepFieldInput) -> Self {
        NewField {
            name: f.name,
            field_type: f.field_type.into(),
            required: f.required,
            unit: f.unit,
            options: f.options,
            min: f.min,
            max: f.max,
            pattern: f.pattern,
        }
    }
}

/// A new step of a DRAFT procedure version.
#[derive(InputObject, Clone, Debug)]
pub struct CreateStepInput {
    /// The DRAFT procedure version to add it to.
    pub procedure_id: ID,
    /// The title (1 to 500 characters).
    pub title: String,
    /// The work instruction (up to 100,000 characters).
    pub content: Option<String>,
    /// Position among its siblings; appended at the end when absent.
    pub position: Option<i32>,
    /// The parent step, for a nested step (steps nest at most 5 levels); absent:
    /// top level.
    pub parent_id: Option<ID>,
    /// The step's input fields, in order.
    pub fields: Option<Vec<StepFieldInput>>,
    /// Steps of the same procedure that must be COMPLETE before this one can start.
    pub upstream_step_ids: Option<Vec<ID>>,
    /// Minutes the step takes (0 when absent); a run's planned end follows from them.
    pub lead_time: Option<i32>,
}

impl CreateStepInput {
    pub fn cmd(self) -> AppResult<NewStep> {
        let upstream = self.upstream_step_ids.unwrap_or_default();
        Ok(NewStep {
            procedure_id: id(&self.procedure_id, &input_path("procedureId"))?,
            title: self.title,
            content: self.content,
            position: self.position,
            parent_id: super::opt_id(&self.parent_id, &input_path("parentId"))?,
            fields: self.fields.into_iter().flatten().map(Into::into).collect(),
            upstream_step_ids: ids(&upstream, &input_path("upstreamStepIds"))?,
            lead_time: self.lead_time,
        })
    }
}

/// Changes to a step of a DRAFT procedure version; absent fields stay as they are.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateStepInput {
    /// The step's id.
    pub id: ID,
    /// Its `_etag` as last read; a stale one is STALE_ETAG.
    pub etag: String,
    /// New title (1 to 500 characters).
    pub title: Option<String>,
    /// New work instruction (up to 100,000 characters).
    pub content: Option<String>,
    /// New position among its siblings.
    pub position: Option<i32>,
    /// Minutes the step takes.
    pub lead_time: Option<i32>,
}

impl UpdateStepInput {
    pub fn cmd(self) -> AppResult<StepEdit> {
        Ok(StepEdit {
            id: id(&self.id, &input_path("id"))?,
            etag: self.etag,
            title: self.title,
            content: self.content,
            position: self.position,
            lead_time: self.lead_time,
        })
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

/// A new input field on a step of a DRAFT procedure version.
#[derive(InputObject, Clone, Debug)]
pub struct CreateStepFieldInput {
    /// The step to add it to.
    pub step_id: ID,
    /// The field's definition, inlined: the same fields as `StepFieldInput`.
    #[graphql(flatten)]
    pub field: StepFieldInput,
}

impl CreateStepFieldInput {
    pub fn cmd(self) -> AppResult<NewStepField> {
        Ok(NewStepField {
            step_id: id(&self.step_id, &input_path("stepId"))?,
            field: self.field.into(),
        })
    }
}

/// A new dependency between two steps of one DRAFT procedure version.
#[derive(InputObject, Clone, Debug)]
pub struct CreateStepEdgeInput {
    /// The step that waits.
    pub step_id: ID,
    /// The step that must be COMPLETE first; a cycle is refused.
    pub upstream_step_id: ID,
}

impl CreateStepEdgeInput {
    pub fn cmd(self) -> AppResult<NewEdge> {
        Ok(NewEdge {
            step_id: id(&self.step_id, &input_path("stepId"))?,
            upstream_step_id: id(&self.upstream_step_id, &input_path("upstreamStepId"))?,
        })
    }
}

/// A part to link to a procedure version.
#[derive(InputObject, Clone, Debug)]
pub struct LinkPartToProcedureInput {
    /// The part.
    pub part_id: ID,
    /// The procedure version.
    pub procedure_id: ID,
}

impl LinkPartToProcedureInput {
    pub fn cmd(self) -> AppResult<PartLink> {
        Ok(PartLink {
            part_id: id(&self.part_id, &input_path("partId"))?,
            procedure_id: id(&self.procedure_id, &input_path("procedureId"))?,
        })
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
