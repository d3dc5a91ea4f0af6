//! Input shapes of the API contract: plain data, derived as GraphQL input objects and read
//! by the store. Names and fields follow `api-contract.md` (ION's dialect).

use async_graphql::{ID, InputObject, Json};
use chrono::NaiveDate;

use crate::domain::enums::TrackingType;
use crate::error::{AppError, AppResult, Seg};

/// Parses an `ID` at `path` (bulk run creation; the other inputs use `graphql::input::id`).
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
