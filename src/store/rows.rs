//! Typed reads of the enum columns. Each stored string is parsed here, once per column; a
//! value that no variant matches is an internal error naming the table, the row and the
//! value: a silent default would hide a corrupt row (or one written by a newer server).

use entity::{
    attribute_definition, part, part_inventory, procedure, run, run_step, run_step_field,
    step_field,
};
use sea_orm::EntityName;

use crate::domain::enums::{
    AttributeEntity, AttributeType, FieldType, PartInventoryStatus, PartStatus, ProcedureStatus,
    ProcedureType, RunSource, TrackingType,
};
use crate::domain::status::{RunStatus, RunStepStatus};
use crate::error::{AppError, AppResult};

/// A stored enum value that no variant matches.
#[derive(Debug, thiserror::Error)]
#[error("{table}.{column} of {row} holds {value:?}, which is not a known value")]
pub struct UnknownValue {
    pub table: &'static str,
    pub column: &'static str,
    /// Which row, e.g. `id 42`.
    pub row: String,
    pub value: String,
}

/// Parses `value` of `table.column` in `row` (described lazily, only on failure).
pub fn parse<T>(
    parse: fn(&str) -> Option<T>,
    table: &'static str,
    column: &'static str,
    row: impl FnOnce() -> String,
    value: &str,
) -> AppResult<T> {
    parse(value).ok_or_else(|| {
        AppError::internal(UnknownValue {
            table,
            column,
            row: row(),
            value: value.to_string(),
        })
    })
}

/// One accessor per enum column: `fn name(row: &table::Model) -> AppResult<Enum>`.
macro_rules! columns {
    ($($name:ident: $table:ident . $column:ident -> $ty:ty;)*) => {$(
        #[doc = concat!("`", stringify!($table), ".", stringify!($column), "` as [`", stringify!($ty), "`].")]
        pub fn $name(row: &$table::Model) -> AppResult<$ty> {
            parse(
                <$ty>::parse,
                $table::Entity.table_name(),
                stringify!($column),
                || format!("id {}", row.id),
                &row.$column,
            )
        }
    )*};
}

columns! {
    run_status: run.status -> RunStatus;
    run_source: run.source -> RunSource;
    run_step_status: run_step.status -> RunStepStatus;
    run_step_field_type: run_step_field.field_type -> FieldType;
    step_field_type: step_field.field_type -> FieldType;
    procedure_status: procedure.status -> ProcedureStatus;
    procedure_type: procedure.procedure_type -> ProcedureType;
    part_tracking_type: part.tracking_type -> TrackingType;
    part_status: part.status -> PartStatus;
    inventory_status: part_inventory.status -> PartInventoryStatus;
    attribute_entity: attribute_definition.entity -> AttributeEntity;
    attribute_type: attribute_definition.attr_type -> AttributeType;
}

/// `run_steps.held_from`: the status a held step returns to, if it is held.
pub fn run_step_held_from(row: &run_step::Model) -> AppResult<Option<RunStepStatus>> {
    row.held_from
        .as_deref()
        .map(|v| {
            parse(
                RunStepStatus::parse,
                run_step::Entity.table_name(),
                "held_from",
                || format!("id {}", row.id),
                v,
            )
        })
        .transpose()
}

/// `roles.permissions` as a permission set; an unknown name is an internal error naming
/// the row, like the enum columns.
pub fn role_permissions(row: &entity::role::Model) -> AppResult<crate::domain::permission::Perms> {
    role_permissions_or_unknown(row).map_err(AppError::internal)
}

/// [`role_permissions`] with the bare cause, for callers outside a request.
pub fn role_permissions_or_unknown(
    row: &entity::role::Model,
) -> Result<crate::domain::permission::Perms, UnknownValue> {
    crate::domain::permission::Perms::decode(&row.permissions).map_err(|bad| UnknownValue {
        table: "roles",
        column: "permissions",
        row: format!("id {}", row.id),
        value: bad.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_value_names_table_row_and_value() {
        let e = parse(
            RunStatus::parse,
            "runs",
            "status",
            || "id 7".into(),
            "BOGUS",
        )
        .expect_err("unknown value");
        assert_eq!(e.code, crate::error::Code::Internal);
        assert_eq!(
            crate::error::chain(&e),
            "internal server error: runs.status of id 7 holds \"BOGUS\", which is not a known value"
        );
        assert_eq!(
            parse(
                RunStatus::parse,
                "runs",
                "status",
                || unreachable!(),
                "TODO"
            )
            .ok(),
            Some(RunStatus::Todo)
        );
    }
}
