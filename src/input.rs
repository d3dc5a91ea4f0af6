//! Input shapes of the API contract: plain data, derived as GraphQL input objects and read
//! by the store. Names and fields follow `api-contract.md` (ION's dialect).

use async_graphql::{ID, InputObject, Json};
use chrono::NaiveDate;

use crate::domain::enums::{PartInventoryStatus, ProcedureType, TrackingType};
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
