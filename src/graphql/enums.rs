//! The contract's enums as GraphQL sees them. Each mirrors a domain enum through
//! async-graphql's `remote`, which generates `From` both ways: a variant added to one side
//! and not the other fails to compile, so the two cannot drift. Descriptions here are the
//! SDL's.

/// Declares a GraphQL enum mirroring `$remote`, with the same variants.
macro_rules! remote_enum {
    ($(#[$m:meta])* $name:ident = $remote:literal { $($(#[$vm:meta])* $v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash)]
        #[graphql(remote = $remote)]
        pub enum $name {
            $($(#[$vm])* $v),+
        }
    };
}

remote_enum! {
    /// How units of a part are identified.
    TrackingType = "crate::domain::TrackingType" {
        /// Each unit has its own serial number; quantity is always 1.
        Serial,
        /// Units are tracked in lots: a lot number with a quantity.
        Lot,
        /// Only a quantity is tracked.
        None,
    }
}

remote_enum! {
    /// Whether a part (one revision) is current (ION's part status).
    PartStatus = "crate::domain::PartStatus" {
        /// Current: new units and lots of it may be made; the status of a new part.
        Released,
        /// Retired: no new units or lots (createPartInventory, and runs that would make a
        /// new unit, are refused); existing ones are unaffected. Can be released again.
        Archived,
    }
}

remote_enum! {
    /// Where a tracked unit or lot stands.
    PartInventoryStatus = "crate::domain::PartInventoryStatus" {
        /// Stock that can be used.
        Available,
        /// Work in progress: being built by a run that has not completed.
        Wip,
        /// On hold or otherwise not usable for now.
        Unavailable,
        /// Installed into another unit.
        Installed,
        /// Used up.
        Consumed,
        /// Scrapped.
        Scrapped,
    }
}

remote_enum! {
    /// Lifecycle of one procedure version.
    ProcedureStatus = "crate::domain::ProcedureStatus" {
        /// Being written; the only editable state.
        Draft,
        /// Submitted for review.
        InReview,
        /// Released: runs may be started from it.
        Released,
        /// Replaced by a later release of the same family.
        Superseded,
        /// Withdrawn.
        Archived,
    }
}

remote_enum! {
    /// What kind of work a procedure describes.
    ProcedureType = "crate::domain::ProcedureType" {
        /// Builds a unit.
        Build,
        /// Tests a unit.
        Test,
        /// Inspects a unit.
        Inspection,
        /// Maintains a unit.
        Maintenance,
    }
}

remote_enum! {
    /// Type of a step's input field; decides which values it accepts.
    FieldType = "crate::domain::FieldType" {
        /// Free text, optionally constrained by a pattern.
        String,
        /// A finite number, optionally within min/max.
        Number,
        /// true or false.
        Boolean,
        /// One of the field's options.
        Select,
        /// A list of distinct options.
        Multiselect,
        /// An RFC 3339 date-time, stored in UTC.
        Datetime,
        /// A sign-off: true when signed.
        Signoff,
        /// A reference to an uploaded file.
        FileAttachment,
    }
}

remote_enum! {
    /// What a role lets its holders do (`createRole`, `Role.permissions`).
    Permission = "crate::domain::Permission" {
        /// Read everything in the organization (export-controlled work needs clearance too).
        ReadAll,
        /// Create and change parts, procedures, steps, fields and attributes.
        ManageCatalog,
        /// Create and update runs and batches.
        ManageRuns,
        /// Change step statuses and field values.
        WorkRunSteps,
        /// Redline run steps (add steps and fields to running runs).
        Redline,
        /// Create users, teams, roles and API keys.
        ManageUsers,
        /// Create organizations: system administrators only; no role can hold it.
        ManageOrganizations,
    }
}

remote_enum! {
    /// The kind of entity an organization-defined attribute belongs to.
    AttributeEntity = "crate::domain::AttributeEntity" {
        /// A run.
        Run,
        /// A part.
        Part,
        /// A procedure.
        Procedure,
        /// A part inventory unit or lot.
        PartInventory,
    }
}

remote_enum! {
    /// Value type of an organization-defined attribute.
    AttributeType = "crate::domain::AttributeType" {
        /// Text.
        String,
        /// A number.
        Number,
        /// true or false.
        Boolean,
        /// One of the attribute's options.
        Select,
        /// A calendar date.
        Date,
    }
}

remote_enum! {
    /// How a run got its unit.
    RunSource = "crate::domain::RunSource" {
        /// The run builds a new unit, which is WIP until the run completes.
        Build,
        /// The run works on a unit already in inventory.
        Attach,
    }
}

remote_enum! {
    /// State of one step of a run.
    RunStepStatus = "crate::domain::RunStepStatus" {
        /// Not started.
        Todo,
        /// Being worked.
        InProgress,
        /// Done: every required field filled and every sign-off signed.
        Complete,
        /// Administratively paused; goes back to the state it came from.
        Hold,
        /// Being edited; cannot be completed or failed until the edit is done.
        Redline,
        /// Failed inspection or non-conforming part.
        Failed,
        /// Skipped.
        Canceled,
    }
}

remote_enum! {
    /// Status of a run. A run has no state of its own: it is derived from its steps by [`rollup`].
    RunStatus = "crate::domain::RunStatus" {
        /// Nothing started (also a run without steps).
        Todo,
        /// Work under way.
        InProgress,
        /// Every step complete.
        Complete,
        /// Every step complete or canceled, at least one of each.
        PartialComplete,
        /// Some step is on hold.
        Hold,
        /// Some step is being redlined.
        Redline,
        /// Some step failed.
        Failed,
        /// Every step canceled.
        Canceled,
    }
}

/// A list of GraphQL enum values as their domain values (or the other way).
pub fn all_into<A: Into<B>, B>(v: Vec<A>) -> Vec<B> {
    v.into_iter().map(Into::into).collect()
}

#[cfg(test)]
mod tests {
    use crate::domain;

    /// The GraphQL name of each value must equal the domain's `as_str` (the stored value),
    /// and the conversion must round-trip.
    macro_rules! assert_names {
        ($($ty:ident),+ $(,)?) => {
            $(
                for v in domain::$ty::ALL {
                    let g: super::$ty = (*v).into();
                    assert_eq!(
                        async_graphql::InputType::to_value(&g),
                        async_graphql::Value::Enum(async_graphql::Name::new(v.as_str())),
                        "{} GraphQL name",
                        stringify!($ty)
                    );
                    assert_eq!(domain::$ty::from(g), *v);
                }
            )+
        };
    }

    #[test]
    fn graphql_names_match_stored_names() {
        assert_names!(
            TrackingType,
            PartInventoryStatus,
            ProcedureStatus,
            ProcedureType,
            FieldType,
            AttributeEntity,
            AttributeType,
            RunSource,
            RunStepStatus,
            RunStatus,
        );
    }
}
