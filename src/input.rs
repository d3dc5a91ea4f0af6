//! Input shapes of the API contract: plain data, derived as GraphQL input objects and read
//! by the store. Names and fields follow `api-contract.md` (ION's dialect).

use async_graphql::{ID, InputObject, Json};
use chrono::NaiveDate;

use crate::domain::enums::{
    AttributeEntity, AttributeType, FieldType, PartInventoryStatus, ProcedureType, Role,
    TrackingType,
};
use crate::domain::status::RunStepStatus;
use crate::error::{AppError, AppResult, Seg};

/// Parses an `ID` holding an integer key (`12` and `"12"` both arrive here as text).
pub fn parse_id(id: &ID, path: &[&'static str]) -> AppResult<i64> {
    id.as_str()
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| AppError::bad_input(format!("`{}` is not a valid id", id.as_str())).at(path))
}

pub fn parse_id_at(id: &ID, path: Vec<Seg>) -> AppResult<i64> {
    id.as_str()
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            AppError::bad_input(format!("`{}` is not a valid id", id.as_str())).with_path(path)
        })
}

#[derive(InputObject, Clone, Debug)]
pub struct CreatePartInput {
    pub part_number: String,
    #[graphql(default_with = "String::from(\"A\")")]
    pub revision: String,
    pub description: Option<String>,
    #[graphql(default_with = "TrackingType::None")]
    pub tracking_type: TrackingType,
    /// Serial number template, e.g. `{PART}-{SEQ:5}` (the default).
    pub serial_scheme: Option<String>,
    /// Lot number template, e.g. `LOT-{PART}-{SEQ:4}` (the default).
    pub lot_scheme: Option<String>,
}

#[derive(InputObject, Clone, Debug)]
pub struct UpdatePartInput {
    pub id: ID,
    pub etag: String,
    pub description: Option<String>,
    pub serial_scheme: Option<String>,
    pub lot_scheme: Option<String>,
}

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

#[derive(InputObject, Clone, Debug)]
pub struct UpdateProcedureInput {
    pub id: ID,
    pub etag: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub export_controlled: Option<bool>,
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
}

#[derive(InputObject, Clone, Debug)]
pub struct UpdateStepInput {
    pub id: ID,
    pub etag: String,
    pub title: Option<String>,
    pub content: Option<String>,
    pub position: Option<i32>,
}

#[derive(InputObject, Clone, Debug)]
pub struct IdEtagInput {
    pub id: ID,
    pub etag: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct CreateStepFieldInput {
    pub step_id: ID,
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

#[derive(InputObject, Clone, Debug)]
pub struct CreateStepEdgeInput {
    pub step_id: ID,
    pub upstream_step_id: ID,
}

#[derive(InputObject, Clone, Debug)]
pub struct LinkPartToProcedureInput {
    pub part_id: ID,
    pub procedure_id: ID,
}

#[derive(InputObject, Clone, Debug)]
pub struct CreateProcedureVersionInput {
    pub procedure_id: ID,
}

#[derive(InputObject, Clone, Debug)]
pub struct CreatePartInventoryInput {
    pub part_id: ID,
    pub serial_number: Option<String>,
    pub autogenerate_serial_number: Option<bool>,
    pub lot_number: Option<String>,
    pub autogenerate_lot_number: Option<bool>,
    pub quantity: Option<f64>,
    #[graphql(default_with = "PartInventoryStatus::Available")]
    pub status: PartInventoryStatus,
}

#[derive(InputObject, Clone, Debug)]
pub struct UpdatePartInventoryInput {
    pub id: ID,
    pub etag: String,
    pub status: Option<PartInventoryStatus>,
    pub quantity: Option<f64>,
}

#[derive(InputObject, Clone, Debug)]
pub struct CreateUserInput {
    pub name: String,
    pub email: String,
    pub roles: Option<Vec<Role>>,
    #[graphql(default)]
    pub export_control_cleared: bool,
}

#[derive(InputObject, Clone, Debug)]
pub struct CreateTeamInput {
    pub name: String,
    pub user_ids: Option<Vec<ID>>,
    /// Roles every member gets through the team.
    pub roles: Option<Vec<Role>>,
}

#[derive(InputObject, Clone, Debug)]
pub struct AddUserToTeamInput {
    pub team_id: ID,
    pub user_id: ID,
}

#[derive(InputObject, Clone, Debug)]
pub struct CreateApiKeyInput {
    pub user_id: ID,
    pub name: Option<String>,
}

#[derive(InputObject, Clone, Debug)]
pub struct DefineAttributeInput {
    pub entity: AttributeEntity,
    pub key: String,
    #[graphql(name = "type")]
    pub attr_type: AttributeType,
    #[graphql(default)]
    pub required: bool,
    pub options: Option<Vec<String>>,
}

/// A custom attribute value: `value` holds the attribute's type (string, number, bool, date).
#[derive(InputObject, Clone, Debug)]
pub struct AttributeInput {
    pub key: String,
    pub value: Json<serde_json::Value>,
}

/// One run to start. See the contract: BUILD a new unit unless `partInventoryId` is given.
#[derive(InputObject, Clone, Debug)]
pub struct CreateRunInput {
    /// Required unless `partInventoryId` is given.
    pub part_id: Option<ID>,
    /// A RELEASED procedure version; may be left out and set later with `updateRun`.
    pub procedure_id: Option<ID>,
    /// Given: the run works on that existing unit (ATTACH). Absent: it builds a new one.
    pub part_inventory_id: Option<ID>,
    /// Absent (or `autogenerateTitle`): generated from the run number and the part.
    pub title: Option<String>,
    pub autogenerate_title: Option<bool>,
    /// BUILD only; defaults to the part's tracking type.
    pub tracking_type: Option<TrackingType>,
    pub serial_number: Option<String>,
    pub autogenerate_serial_number: Option<bool>,
    pub lot_number: Option<String>,
    pub autogenerate_lot_number: Option<bool>,
    /// BUILD: the quantity of a LOT or NONE unit; a SERIAL unit is always 1.
    pub quantity: Option<f64>,
    pub due_date: Option<NaiveDate>,
    /// A run of an export-controlled procedure is always export-controlled.
    pub export_controlled: Option<bool>,
    pub assigned_to_id: Option<ID>,
    pub assigned_team_id: Option<ID>,
    pub attributes: Option<Vec<AttributeInput>>,
    /// N identical runs, each with its own unit and number (default 1).
    pub copies: Option<i32>,
    /// A retried call with the same key returns the first call's result.
    pub idempotency_key: Option<String>,
}

#[derive(InputObject, Clone, Debug)]
pub struct CreateRunsInput {
    pub runs: Vec<CreateRunInput>,
    pub idempotency_key: Option<String>,
    /// Check everything, create nothing.
    pub validate_only: Option<bool>,
}

#[derive(InputObject, Clone, Debug)]
pub struct CreateBatchedRunInput {
    /// Batch title; generated when absent.
    pub title: Option<String>,
    pub runs: Vec<CreateRunInput>,
    pub idempotency_key: Option<String>,
    pub validate_only: Option<bool>,
}

#[derive(InputObject, Clone, Debug)]
pub struct UpdateRunInput {
    pub id: ID,
    pub etag: String,
    pub title: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub assigned_to_id: Option<ID>,
    pub assigned_team_id: Option<ID>,
    pub attributes: Option<Vec<AttributeInput>>,
    /// Only while the run has no steps: gives it a procedure (its steps are copied in).
    pub procedure_id: Option<ID>,
}

#[derive(InputObject, Clone, Debug)]
pub struct UpdateRunStepInput {
    pub id: ID,
    pub etag: String,
    pub status: RunStepStatus,
}

#[derive(InputObject, Clone, Debug)]
pub struct UpdateRunStepFieldValueInput {
    pub id: ID,
    pub etag: String,
    pub value: Json<serde_json::Value>,
}

#[derive(InputObject, Clone, Debug)]
pub struct AddRunsToBatchInput {
    pub run_batch_id: ID,
    pub run_ids: Vec<ID>,
}

#[derive(InputObject, Clone, Debug)]
pub struct RemoveRunFromBatchInput {
    pub run_id: ID,
}

#[derive(InputObject, Clone, Debug)]
pub struct CreateOrganizationInput {
    pub name: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct RevokeApiKeyInput {
    pub id: ID,
}
