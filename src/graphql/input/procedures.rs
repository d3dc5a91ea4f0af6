//! Inputs of the procedure mutations: versions, steps, fields, edges, links.

use async_graphql::{ID, InputObject};

use super::{id, ids, input_path};
use crate::error::AppResult;
use crate::graphql::enums::{FieldType, ProcedureType};
use crate::store::etag::IdEtag;
use crate::store::procedures::{
    NewEdge, NewField, NewProcedure, NewStep, NewStepField, PartLink, ProcedureEdit, StepEdit,
};

#[derive(InputObject, Clone, Debug)]
pub struct CreateProcedureInput {
    pub title: String,
    pub description: Option<String>,
    #[graphql(name = "type", default_with = "ProcedureType::Build")]
    pub procedure_type: ProcedureType,
    #[graphql(default)]
    pub export_controlled: bool,
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

#[derive(InputObject, Clone, Debug)]
pub struct UpdateProcedureInput {
    pub id: ID,
    pub etag: String,
    pub title: Option<String>,
    pub description: Option<String>,
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
    pub name: String,
    #[graphql(name = "type")]
    pub field_type: FieldType,
    #[graphql(default)]
    pub required: bool,
    pub unit: Option<String>,
    pub options: Option<Vec<String>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
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

#[derive(InputObject, Clone, Debug)]
pub struct CreateStepInput {
    pub procedure_id: ID,
    pub title: String,
    pub content: Option<String>,
    /// Position among its siblings; appended at the end when absent.
    pub position: Option<i32>,
    pub parent_id: Option<ID>,
    pub fields: Option<Vec<StepFieldInput>>,
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

#[derive(InputObject, Clone, Debug)]
pub struct UpdateStepInput {
    pub id: ID,
    pub etag: String,
    pub title: Option<String>,
    pub content: Option<String>,
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
            pub id: ID,
            /// The `_etag` last read; a stale one is ETAG_MISMATCH.
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

#[derive(InputObject, Clone, Debug)]
pub struct CreateStepFieldInput {
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

#[derive(InputObject, Clone, Debug)]
pub struct CreateStepEdgeInput {
    pub step_id: ID,
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

#[derive(InputObject, Clone, Debug)]
pub struct LinkPartToProcedureInput {
    pub part_id: ID,
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

#[derive(InputObject, Clone, Debug)]
pub struct CreateProcedureVersionInput {
    pub procedure_id: ID,
}

impl CreateProcedureVersionInput {
    /// The procedure id to copy.
    pub fn cmd(self) -> AppResult<i64> {
        id(&self.procedure_id, &input_path("procedureId"))
    }
}
