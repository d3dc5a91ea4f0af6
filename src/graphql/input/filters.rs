//! The contract's list arguments, each list declared once (`list!`): its filter input (each
//! field, its filter type and the column it filters) and its sort enum (each pair of
//! variants and the column it sorts). Both add themselves to the store's `lists::Spec`,
//! which is all the store sees: columns, conditions on plain values, directions.

use async_graphql::{Enum, ID, InputObject};
use chrono::{DateTime, NaiveDate, Utc};

use crate::graphql::scalars::Date;
use entity::{event, part, part_inventory, procedure, run, run_batch, team, user, work_center};

use crate::domain;
use crate::graphql::enums as gql;
use crate::store::filter::{Filter, Scalar};
use crate::store::lists::{Dir, Listed, Spec};

/// A list argument (its `filters`, or one `sort` key) as part of the store's spec.
pub trait SpecPart {
    type Entity: Listed;
    fn add_to(self, spec: &mut Spec<Self::Entity>);
}

/// The store's spec of a list from its `filters` and `sort` arguments.
pub fn spec<F, S>(filters: Option<F>, sort: Option<Vec<S>>) -> Spec<F::Entity>
where
    F: SpecPart,
    S: SpecPart<Entity = F::Entity>,
{
    let mut spec = Spec::default();
    if let Some(f) = filters {
        f.add_to(&mut spec);
    }
    for s in sort.unwrap_or_default() {
        s.add_to(&mut spec);
    }
    spec
}

/// A filter input on one field, as the store's `Filter` of its column's values.
pub trait FieldFilter {
    type Value: Scalar;
    fn into_filter(self) -> Filter<Self::Value>;
}

macro_rules! field_filter {
    // The common description; `ordered` adds lt/lte/gt/gte.
    ($name:ident($t:ty) ordered) => {
        field_filter!(
            /// Conditions on one field, joined with AND.
            $name($t => $t, <$t>::from) { lt: $t, lte: $t, gt: $t, gte: $t }
        );
    };
    ($name:ident($t:ty)) => {
        field_filter!(
            /// Conditions on one field, joined with AND.
            $name($t => $t, <$t>::from) {}
        );
    };
    // A GraphQL enum `$t` filtering a column of domain values `$v`.
    ($name:ident($t:ty => $v:ty)) => {
        field_filter!(
            /// Conditions on one field, joined with AND.
            $name($t => $v, <$v>::from) {}
        );
    };
    ($(#[$doc:meta])* $name:ident($t:ty => $v:ty, $conv:expr) { $($extra:ident: $et:ty),* }) => {
        $(#[$doc])*
        #[derive(InputObject, Clone, Debug, Default)]
        pub struct $name {
            pub eq: Option<$t>,
            pub neq: Option<$t>,
            #[graphql(name = "in")]
            pub any_of: Option<Vec<$t>>,
            $(pub $extra: Option<$et>,)*
            pub is_null: Option<bool>,
        }

        impl FieldFilter for $name {
            type Value = $v;
            fn into_filter(self) -> Filter<$v> {
                let f = Filter {
                    eq: self.eq,
                    neq: self.neq,
                    any_of: self.any_of,
                    $($extra: self.$extra,)*
                    is_null: self.is_null,
                    ..Default::default()
                };
                f.map($conv)
            }
        }
    };
}

field_filter!(
    /// Conditions on a text field; `ilike` is a case-insensitive SQL LIKE pattern (`%` any).
    StringFilter(String => String, String::from) { ilike: String }
);
field_filter!(
    /// Conditions on an id field.
    IdFilter(ID => i64, id_or_none) {}
);
field_filter!(IntFilter(i32) ordered);
field_filter!(FloatFilter(f64) ordered);
field_filter!(
    /// Conditions on one field, joined with AND.
    DateFilter(Date => NaiveDate, NaiveDate::from) { lt: Date, lte: Date, gt: Date, gte: Date }
);
field_filter!(DateTimeFilter(DateTime<Utc>) ordered);
field_filter!(BooleanFilter(bool));
field_filter!(RunStatusFilter(gql::RunStatus => domain::RunStatus));
field_filter!(TrackingTypeFilter(gql::TrackingType => domain::TrackingType));
field_filter!(ProcedureStatusFilter(gql::ProcedureStatus => domain::ProcedureStatus));
field_filter!(ProcedureTypeFilter(gql::ProcedureType => domain::ProcedureType));
field_filter!(PartInventoryStatusFilter(gql::PartInventoryStatus => domain::PartInventoryStatus));

/// Ids that are not integers match nothing (-1 is never a key).
fn id_or_none(v: ID) -> i64 {
    v.as_str().trim().parse().unwrap_or(-1)
}

/// One list's arguments: `$entity: $filters { field: FilterType => Column, .. }` then
/// `$sort { ASC_VARIANT, DESC_VARIANT => Column; .. }`.
macro_rules! list {
    ($entity:ident: $filters:ident {
        $($(#[$m:meta])* $field:ident: $ty:ident => $col:ident,)*
    } $sort:ident {
        $($asc:ident, $desc:ident => $key:ident;)*
    }) => {
        #[derive(InputObject, Clone, Debug, Default)]
        pub struct $filters {
            $($(#[$m])* pub $field: Option<$ty>,)*
        }

        impl SpecPart for $filters {
            type Entity = $entity::Entity;
            fn add_to(self, spec: &mut Spec<Self::Entity>) {
                $(if let Some(f) = self.$field {
                    spec.filter($entity::Column::$col, f.into_filter());
                })*
            }
        }

        /// Sort order; several may be given, the first wins. Ties break on id.
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
        #[allow(non_camel_case_types)]
        pub enum $sort {
            $($asc, $desc,)*
        }

        impl SpecPart for $sort {
            type Entity = $entity::Entity;
            fn add_to(self, spec: &mut Spec<Self::Entity>) {
                let (col, dir) = match self {
                    $(Self::$asc => ($entity::Column::$key, Dir::Asc),
                    Self::$desc => ($entity::Column::$key, Dir::Desc),)*
                };
                spec.sort(col, dir);
            }
        }
    };
}

list!(run: RunsInputFilters {
    id: IdFilter => Id,
    title: StringFilter => Title,
    status: RunStatusFilter => Status,
    procedure_id: IdFilter => ProcedureId,
    part_id: IdFilter => PartId,
    part_inventory_id: IdFilter => PartInventoryId,
    run_batch_id: IdFilter => RunBatchId,
    assigned_to_id: IdFilter => AssignedToId,
    assigned_team_id: IdFilter => AssignedTeamId,
    due_date: DateFilter => DueDate,
    export_controlled: BooleanFilter => ExportControlled,
    created_at: DateTimeFilter => CreatedAt,
    work_center_id: IdFilter => WorkCenterId,
    scheduled_start: DateTimeFilter => ScheduledStart,
    scheduled_end: DateTimeFilter => ScheduledEnd,
    priority: IntFilter => Priority,
} RunSortEnum {
    ID_ASC, ID_DESC => Id;
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt;
    DUE_DATE_ASC, DUE_DATE_DESC => DueDate;
    TITLE_ASC, TITLE_DESC => Title;
    SCHEDULED_START_ASC, SCHEDULED_START_DESC => ScheduledStart;
    PRIORITY_ASC, PRIORITY_DESC => Priority;
});

list!(procedure: ProceduresInputFilters {
    id: IdFilter => Id,
    title: StringFilter => Title,
    family_id: IdFilter => FamilyId,
    version: IntFilter => Version,
    status: ProcedureStatusFilter => Status,
    #[graphql(name = "type")]
    procedure_type: ProcedureTypeFilter => ProcedureType,
    export_controlled: BooleanFilter => ExportControlled,
    created_at: DateTimeFilter => CreatedAt,
} ProcedureSortEnum {
    ID_ASC, ID_DESC => Id;
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt;
    TITLE_ASC, TITLE_DESC => Title;
    VERSION_ASC, VERSION_DESC => Version;
});

list!(part: PartsInputFilters {
    id: IdFilter => Id,
    part_number: StringFilter => PartNumber,
    revision: StringFilter => Revision,
    description: StringFilter => Description,
    tracking_type: TrackingTypeFilter => TrackingType,
    created_at: DateTimeFilter => CreatedAt,
} PartSortEnum {
    ID_ASC, ID_DESC => Id;
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt;
    PART_NUMBER_ASC, PART_NUMBER_DESC => PartNumber;
});

list!(part_inventory: PartInventoriesInputFilters {
    id: IdFilter => Id,
    part_id: IdFilter => PartId,
    serial_number: StringFilter => SerialNumber,
    lot_number: StringFilter => LotNumber,
    quantity: FloatFilter => Quantity,
    status: PartInventoryStatusFilter => Status,
    created_at: DateTimeFilter => CreatedAt,
} PartInventorySortEnum {
    ID_ASC, ID_DESC => Id;
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt;
    SERIAL_NUMBER_ASC, SERIAL_NUMBER_DESC => SerialNumber;
});

list!(run_batch: RunBatchesInputFilters {
    id: IdFilter => Id,
    title: StringFilter => Title,
    procedure_id: IdFilter => ProcedureId,
    created_at: DateTimeFilter => CreatedAt,
} RunBatchSortEnum {
    ID_ASC, ID_DESC => Id;
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt;
    TITLE_ASC, TITLE_DESC => Title;
});

list!(user: UsersInputFilters {
    id: IdFilter => Id,
    name: StringFilter => Name,
    email: StringFilter => Email,
    export_control_cleared: BooleanFilter => ExportControlCleared,
} UserSortEnum {
    ID_ASC, ID_DESC => Id;
    NAME_ASC, NAME_DESC => Name;
});

list!(team: TeamsInputFilters {
    id: IdFilter => Id,
    name: StringFilter => Name,
} TeamSortEnum {
    ID_ASC, ID_DESC => Id;
    NAME_ASC, NAME_DESC => Name;
});

list!(event: EventsInputFilters {
    id: IdFilter => Id,
    entity: StringFilter => Entity,
    entity_id: IdFilter => EntityId,
    action: StringFilter => Action,
    user_id: IdFilter => UserId,
    created_at: DateTimeFilter => CreatedAt,
} EventSortEnum {
    ID_ASC, ID_DESC => Id;
});

list!(work_center: WorkCentersInputFilters {
    id: IdFilter => Id,
    name: StringFilter => Name,
    capacity: IntFilter => Capacity,
    active: BooleanFilter => Active,
    created_at: DateTimeFilter => CreatedAt,
} WorkCenterSortEnum {
    ID_ASC, ID_DESC => Id;
    NAME_ASC, NAME_DESC => Name;
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt;
});
