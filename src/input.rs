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
use crate::graphql::input::create_runs::AttributeInput;

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

// ---- List filters and sorts ------------------------------------------------------------

macro_rules! filter_input {
    ($name:ident, $t:ty, ordered) => {
        /// Conditions on one field, joined with AND.
        #[derive(InputObject, Clone, Debug, Default)]
        pub struct $name {
            pub eq: Option<$t>,
            pub neq: Option<$t>,
            #[graphql(name = "in")]
            pub any_of: Option<Vec<$t>>,
            pub lt: Option<$t>,
            pub lte: Option<$t>,
            pub gt: Option<$t>,
            pub gte: Option<$t>,
            pub is_null: Option<bool>,
        }
        impl $name {
            pub fn to_filter(&self) -> crate::store::filter::Filter<$t> {
                crate::store::filter::Filter {
                    eq: self.eq.clone(),
                    neq: self.neq.clone(),
                    any_of: self.any_of.clone(),
                    ilike: None,
                    lt: self.lt.clone(),
                    lte: self.lte.clone(),
                    gt: self.gt.clone(),
                    gte: self.gte.clone(),
                    is_null: self.is_null,
                }
            }
        }
    };
    ($name:ident, $t:ty) => {
        /// Conditions on one field, joined with AND.
        #[derive(InputObject, Clone, Debug, Default)]
        pub struct $name {
            pub eq: Option<$t>,
            pub neq: Option<$t>,
            #[graphql(name = "in")]
            pub any_of: Option<Vec<$t>>,
            pub is_null: Option<bool>,
        }
        impl $name {
            pub fn to_filter(&self) -> crate::store::filter::Filter<$t> {
                crate::store::filter::Filter {
                    eq: self.eq.clone(),
                    neq: self.neq.clone(),
                    any_of: self.any_of.clone(),
                    is_null: self.is_null,
                    ..Default::default()
                }
            }
        }
    };
}

/// Conditions on a text field; `ilike` is a case-insensitive SQL LIKE pattern (`%` any).
#[derive(InputObject, Clone, Debug, Default)]
pub struct StringFilter {
    pub eq: Option<String>,
    pub neq: Option<String>,
    #[graphql(name = "in")]
    pub any_of: Option<Vec<String>>,
    pub ilike: Option<String>,
    pub is_null: Option<bool>,
}

impl StringFilter {
    pub fn to_filter(&self) -> crate::store::filter::Filter<String> {
        crate::store::filter::Filter {
            eq: self.eq.clone(),
            neq: self.neq.clone(),
            any_of: self.any_of.clone(),
            ilike: self.ilike.clone(),
            is_null: self.is_null,
            ..Default::default()
        }
    }
}

/// Conditions on an id field.
#[derive(InputObject, Clone, Debug, Default)]
pub struct IdFilter {
    pub eq: Option<ID>,
    pub neq: Option<ID>,
    #[graphql(name = "in")]
    pub any_of: Option<Vec<ID>>,
    pub is_null: Option<bool>,
}

impl IdFilter {
    /// Ids that are not integers match nothing (-1 is never a key).
    pub fn to_filter(&self) -> crate::store::filter::Filter<i64> {
        let id = |v: &ID| v.as_str().trim().parse::<i64>().unwrap_or(-1);
        crate::store::filter::Filter {
            eq: self.eq.as_ref().map(id),
            neq: self.neq.as_ref().map(id),
            any_of: self.any_of.as_ref().map(|v| v.iter().map(id).collect()),
            is_null: self.is_null,
            ..Default::default()
        }
    }
}

filter_input!(IntFilter, i32, ordered);
filter_input!(FloatFilter, f64, ordered);
filter_input!(DateFilter, NaiveDate, ordered);
filter_input!(DateTimeFilter, chrono::DateTime<chrono::Utc>, ordered);
filter_input!(BooleanFilter, bool);
filter_input!(RunStatusFilter, crate::domain::status::RunStatus);
filter_input!(TrackingTypeFilter, TrackingType);
filter_input!(ProcedureStatusFilter, crate::domain::enums::ProcedureStatus);
filter_input!(ProcedureTypeFilter, ProcedureType);
filter_input!(PartInventoryStatusFilter, PartInventoryStatus);

#[derive(InputObject, Clone, Debug, Default)]
pub struct RunsInputFilters {
    pub id: Option<IdFilter>,
    pub title: Option<StringFilter>,
    pub status: Option<RunStatusFilter>,
    pub procedure_id: Option<IdFilter>,
    pub part_id: Option<IdFilter>,
    pub part_inventory_id: Option<IdFilter>,
    pub run_batch_id: Option<IdFilter>,
    pub assigned_to_id: Option<IdFilter>,
    pub assigned_team_id: Option<IdFilter>,
    pub due_date: Option<DateFilter>,
    pub export_controlled: Option<BooleanFilter>,
    pub created_at: Option<DateTimeFilter>,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct ProceduresInputFilters {
    pub id: Option<IdFilter>,
    pub title: Option<StringFilter>,
    pub family_id: Option<IdFilter>,
    pub version: Option<IntFilter>,
    pub status: Option<ProcedureStatusFilter>,
    #[graphql(name = "type")]
    pub procedure_type: Option<ProcedureTypeFilter>,
    pub export_controlled: Option<BooleanFilter>,
    pub created_at: Option<DateTimeFilter>,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct PartsInputFilters {
    pub id: Option<IdFilter>,
    pub part_number: Option<StringFilter>,
    pub revision: Option<StringFilter>,
    pub description: Option<StringFilter>,
    pub tracking_type: Option<TrackingTypeFilter>,
    pub created_at: Option<DateTimeFilter>,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct PartInventoriesInputFilters {
    pub id: Option<IdFilter>,
    pub part_id: Option<IdFilter>,
    pub serial_number: Option<StringFilter>,
    pub lot_number: Option<StringFilter>,
    pub quantity: Option<FloatFilter>,
    pub status: Option<PartInventoryStatusFilter>,
    pub created_at: Option<DateTimeFilter>,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct RunBatchesInputFilters {
    pub id: Option<IdFilter>,
    pub title: Option<StringFilter>,
    pub procedure_id: Option<IdFilter>,
    pub created_at: Option<DateTimeFilter>,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct UsersInputFilters {
    pub id: Option<IdFilter>,
    pub name: Option<StringFilter>,
    pub email: Option<StringFilter>,
    pub export_control_cleared: Option<BooleanFilter>,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct TeamsInputFilters {
    pub id: Option<IdFilter>,
    pub name: Option<StringFilter>,
}

macro_rules! sort_enum {
    ($name:ident { $($v:ident),* $(,)? }) => {
        /// Sort order; several may be given, the first wins. Ties break on id.
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
        #[allow(non_camel_case_types)]
        pub enum $name { $($v),* }
    };
}

sort_enum!(RunSortEnum {
    ID_ASC,
    ID_DESC,
    CREATED_AT_ASC,
    CREATED_AT_DESC,
    DUE_DATE_ASC,
    DUE_DATE_DESC,
    TITLE_ASC,
    TITLE_DESC
});
sort_enum!(ProcedureSortEnum {
    ID_ASC,
    ID_DESC,
    CREATED_AT_ASC,
    CREATED_AT_DESC,
    TITLE_ASC,
    TITLE_DESC,
    VERSION_ASC,
    VERSION_DESC
});
sort_enum!(PartSortEnum {
    ID_ASC,
    ID_DESC,
    CREATED_AT_ASC,
    CREATED_AT_DESC,
    PART_NUMBER_ASC,
    PART_NUMBER_DESC
});
sort_enum!(PartInventorySortEnum {
    ID_ASC,
    ID_DESC,
    CREATED_AT_ASC,
    CREATED_AT_DESC,
    SERIAL_NUMBER_ASC,
    SERIAL_NUMBER_DESC
});
sort_enum!(RunBatchSortEnum {
    ID_ASC,
    ID_DESC,
    CREATED_AT_ASC,
    CREATED_AT_DESC,
    TITLE_ASC,
    TITLE_DESC
});
sort_enum!(UserSortEnum {
    ID_ASC,
    ID_DESC,
    NAME_ASC,
    NAME_DESC
});
sort_enum!(TeamSortEnum {
    ID_ASC,
    ID_DESC,
    NAME_ASC,
    NAME_DESC
});

#[derive(InputObject, Clone, Debug, Default)]
pub struct EventsInputFilters {
    pub id: Option<IdFilter>,
    pub entity: Option<StringFilter>,
    pub entity_id: Option<IdFilter>,
    pub action: Option<StringFilter>,
    pub user_id: Option<IdFilter>,
    pub created_at: Option<DateTimeFilter>,
}

sort_enum!(EventSortEnum { ID_ASC, ID_DESC });
