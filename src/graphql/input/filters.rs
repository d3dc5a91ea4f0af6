//! The contract's list arguments, each list declared once (`list!`): its filter input (each
//! field, its filter type and the column it filters) and its sort enum (each pair of
//! variants and the column it sorts). Both add themselves to the store's `lists::Spec`,
//! which is all the store sees: columns, conditions on plain values, directions.

use async_graphql::{Enum, ID, InputObject};
use chrono::{DateTime, NaiveDate, Utc};

use crate::graphql::scalars::Date;
use entity::{
    event, part, part_inventory, procedure, role, run, run_batch, team, user, work_center,
};

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
            $name($t => $t, <$t>::from) { ORDERED $t }
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
    // lt/lte/gt/gte, each with its description.
    ($(#[$doc:meta])* $name:ident($t:ty => $v:ty, $conv:expr) { ORDERED $ot:ty }) => {
        field_filter!(
            $(#[$doc])*
            $name($t => $v, $conv) {
                /// Less than this.
                lt: $ot,
                /// Less than or equal to this.
                lte: $ot,
                /// Greater than this.
                gt: $ot,
                /// Greater than or equal to this.
                gte: $ot
            }
        );
    };
    ($(#[$doc:meta])* $name:ident($t:ty => $v:ty, $conv:expr) {
        $($(#[$em:meta])* $extra:ident: $et:ty),*
    }) => {
        $(#[$doc])*
        #[derive(InputObject, Clone, Debug, Default)]
        pub struct $name {
            /// Equal to this.
            pub eq: Option<$t>,
            /// Not equal to this (rows where the field is null do not match).
            pub neq: Option<$t>,
            /// Equal to one of these (at most 1,000 values; more is LIMIT_EXCEEDED).
            #[graphql(name = "in")]
            pub any_of: Option<Vec<$t>>,
            $($(#[$em])* pub $extra: Option<$et>,)*
            /// true: the field is null; false: it is not.
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
    StringFilter(String => String, String::from) {
        /// Case-insensitive SQL LIKE pattern: `%` any text, `_` one character, `\` escapes
        /// (at most 1,000 characters; more is LIMIT_EXCEEDED).
        ilike: String
    }
);
field_filter!(
    /// Conditions on an id field; an id that is not an integer matches nothing.
    IdFilter(ID => i64, id_or_none) {}
);
field_filter!(IntFilter(i32) ordered);
field_filter!(FloatFilter(f64) ordered);
field_filter!(
    /// Conditions on one field, joined with AND.
    DateFilter(Date => NaiveDate, NaiveDate::from) { ORDERED Date }
);
field_filter!(DateTimeFilter(DateTime<Utc>) ordered);
field_filter!(BooleanFilter(bool));
field_filter!(RunStatusFilter(gql::RunStatus => domain::RunStatus));
field_filter!(TrackingTypeFilter(gql::TrackingType => domain::TrackingType));
field_filter!(PartStatusFilter(gql::PartStatus => domain::PartStatus));
field_filter!(ProcedureStatusFilter(gql::ProcedureStatus => domain::ProcedureStatus));
field_filter!(ProcedureTypeFilter(gql::ProcedureType => domain::ProcedureType));
field_filter!(PartInventoryStatusFilter(gql::PartInventoryStatus => domain::PartInventoryStatus));

/// Ids that are not integers match nothing (-1 is never a key).
fn id_or_none(v: ID) -> i64 {
    super::key(&v).unwrap_or(-1)
}

/// One list's arguments: `$entity: $filters { field: FilterType => Column, .. }` then
/// `$sort { ASC_VARIANT, DESC_VARIANT => Column "what it sorts by"; .. }`. Doc comments
/// before `$filters` and on each field are their descriptions; each sort variant's is
/// generated from the pair's "what it sorts by".
macro_rules! list {
    ($entity:ident: $(#[$fm:meta])* $filters:ident {
        $($(#[$m:meta])* $field:ident: $ty:ident => $col:ident,)*
    } $sort:ident {
        $($asc:ident, $desc:ident => $key:ident $($by:literal)?;)*
    }) => {
        $(#[$fm])*
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
            $(
                $(#[doc = concat!("By ", $by, ", ascending.")])?
                $asc,
                $(#[doc = concat!("By ", $by, ", descending.")])?
                $desc,
            )*
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

list!(run:
    /// Conditions on runs; every one given must hold.
    RunsInputFilters {
    /// The run's id.
    id: IdFilter => Id,
    /// The run's title.
    title: StringFilter => Title,
    /// The run's status (rolled up from its steps).
    status: RunStatusFilter => Status,
    /// The procedure version the run is pinned to.
    procedure_id: IdFilter => ProcedureId,
    /// The part the run's unit is of.
    part_id: IdFilter => PartId,
    /// The unit or lot the run builds or works on.
    part_inventory_id: IdFilter => PartInventoryId,
    /// The batch the run is in.
    run_batch_id: IdFilter => RunBatchId,
    /// The user the run is assigned to.
    assigned_to_id: IdFilter => AssignedToId,
    /// The team the run is assigned to.
    assigned_team_id: IdFilter => AssignedTeamId,
    /// The date the run is due.
    due_date: DateFilter => DueDate,
    /// Whether the run is export-controlled.
    export_controlled: BooleanFilter => ExportControlled,
    /// When the run was created.
    created_at: DateTimeFilter => CreatedAt,
    /// The work center the run is worked at.
    work_center_id: IdFilter => WorkCenterId,
    /// The planned start.
    scheduled_start: DateTimeFilter => ScheduledStart,
    /// The planned end.
    scheduled_end: DateTimeFilter => ScheduledEnd,
    /// The run's priority in its work center's queue (higher first).
    priority: IntFilter => Priority,
} RunSortEnum {
    ID_ASC, ID_DESC => Id "id (creation order)";
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt "creation time";
    DUE_DATE_ASC, DUE_DATE_DESC => DueDate "due date";
    TITLE_ASC, TITLE_DESC => Title "title";
    SCHEDULED_START_ASC, SCHEDULED_START_DESC => ScheduledStart "planned start";
    PRIORITY_ASC, PRIORITY_DESC => Priority "priority";
});

list!(procedure:
    /// Conditions on procedure versions; every one given must hold.
    ProceduresInputFilters {
    /// The version's id.
    id: IdFilter => Id,
    /// The version's title.
    title: StringFilter => Title,
    /// The family: a number shared by every version of one procedure.
    family_id: IdFilter => FamilyId,
    /// The version number within the family, from 1.
    version: IntFilter => Version,
    /// The version's lifecycle status.
    status: ProcedureStatusFilter => Status,
    /// What kind of work the procedure describes.
    #[graphql(name = "type")]
    procedure_type: ProcedureTypeFilter => ProcedureType,
    /// Whether the procedure is export-controlled.
    export_controlled: BooleanFilter => ExportControlled,
    /// When the version was created.
    created_at: DateTimeFilter => CreatedAt,
} ProcedureSortEnum {
    ID_ASC, ID_DESC => Id "id (creation order)";
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt "creation time";
    TITLE_ASC, TITLE_DESC => Title "title";
    VERSION_ASC, VERSION_DESC => Version "version number";
});

list!(part:
    /// Conditions on parts; every one given must hold.
    PartsInputFilters {
    /// The part's id.
    id: IdFilter => Id,
    /// The part number.
    part_number: StringFilter => PartNumber,
    /// The revision.
    revision: StringFilter => Revision,
    /// The description.
    description: StringFilter => Description,
    /// How the part's units are tracked.
    tracking_type: TrackingTypeFilter => TrackingType,
    /// Whether the part is RELEASED or ARCHIVED.
    status: PartStatusFilter => Status,
    /// When the part was created.
    created_at: DateTimeFilter => CreatedAt,
} PartSortEnum {
    ID_ASC, ID_DESC => Id "id (creation order)";
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt "creation time";
    PART_NUMBER_ASC, PART_NUMBER_DESC => PartNumber "part number";
});

list!(part_inventory:
    /// Conditions on units and lots; every one given must hold.
    PartInventoriesInputFilters {
    /// The unit's or lot's id.
    id: IdFilter => Id,
    /// The part it is a unit or lot of.
    part_id: IdFilter => PartId,
    /// The serial number.
    serial_number: StringFilter => SerialNumber,
    /// The lot number.
    lot_number: StringFilter => LotNumber,
    /// The quantity (1 for a serial unit).
    quantity: FloatFilter => Quantity,
    /// Where it stands.
    status: PartInventoryStatusFilter => Status,
    /// When it was created.
    created_at: DateTimeFilter => CreatedAt,
} PartInventorySortEnum {
    ID_ASC, ID_DESC => Id "id (creation order)";
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt "creation time";
    SERIAL_NUMBER_ASC, SERIAL_NUMBER_DESC => SerialNumber "serial number";
});

list!(run_batch:
    /// Conditions on batches; every one given must hold.
    RunBatchesInputFilters {
    /// The batch's id.
    id: IdFilter => Id,
    /// The batch's title.
    title: StringFilter => Title,
    /// The procedure version of the batch's runs.
    procedure_id: IdFilter => ProcedureId,
    /// When the batch was created.
    created_at: DateTimeFilter => CreatedAt,
} RunBatchSortEnum {
    ID_ASC, ID_DESC => Id "id (creation order)";
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt "creation time";
    TITLE_ASC, TITLE_DESC => Title "title";
});

list!(user:
    /// Conditions on users; every one given must hold.
    UsersInputFilters {
    /// The user's id.
    id: IdFilter => Id,
    /// The user's name.
    name: StringFilter => Name,
    /// The user's e-mail address.
    email: StringFilter => Email,
    /// Whether the user is cleared for export-controlled work.
    export_control_cleared: BooleanFilter => ExportControlCleared,
} UserSortEnum {
    ID_ASC, ID_DESC => Id "id (creation order)";
    NAME_ASC, NAME_DESC => Name "name";
});

list!(team:
    /// Conditions on teams; every one given must hold.
    TeamsInputFilters {
    /// The team's id.
    id: IdFilter => Id,
    /// The team's name.
    name: StringFilter => Name,
} TeamSortEnum {
    ID_ASC, ID_DESC => Id "id (creation order)";
    NAME_ASC, NAME_DESC => Name "name";
});

list!(role:
    /// Conditions on roles; every one given must hold.
    RolesInputFilters {
    /// The role's id.
    id: IdFilter => Id,
    /// The role's name.
    name: StringFilter => Name,
} RoleSortEnum {
    ID_ASC, ID_DESC => Id "id (creation order)";
    NAME_ASC, NAME_DESC => Name "name";
});

list!(event:
    /// Conditions on audit events; every one given must hold.
    EventsInputFilters {
    /// The event's id (events are numbered in the order they were written).
    id: IdFilter => Id,
    /// The kind of entity changed, e.g. `Run`.
    entity: StringFilter => Entity,
    /// The id of the entity changed.
    entity_id: IdFilter => EntityId,
    /// The mutation, e.g. `createRun`.
    action: StringFilter => Action,
    /// The user who made the change.
    user_id: IdFilter => UserId,
    /// When the change was made.
    created_at: DateTimeFilter => CreatedAt,
} EventSortEnum {
    ID_ASC, ID_DESC => Id "id (creation order)";
});

list!(work_center:
    /// Conditions on work centers; every one given must hold.
    WorkCentersInputFilters {
    /// The work center's id.
    id: IdFilter => Id,
    /// The work center's name.
    name: StringFilter => Name,
    /// Runs worked at once (null: unbounded).
    capacity: IntFilter => Capacity,
    /// Whether it takes new runs.
    active: BooleanFilter => Active,
    /// When it was created.
    created_at: DateTimeFilter => CreatedAt,
} WorkCenterSortEnum {
    ID_ASC, ID_DESC => Id "id (creation order)";
    NAME_ASC, NAME_DESC => Name "name";
    CREATED_AT_ASC, CREATED_AT_DESC => CreatedAt "creation time";
});
