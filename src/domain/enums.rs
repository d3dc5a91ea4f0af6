//! The catalog and organization enums shared by GraphQL and storage.

/// How units of a part are identified.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum TrackingType {
    /// Each unit has its own serial number; quantity is always 1.
    Serial,
    /// Units are tracked in lots: a lot number with a quantity.
    Lot,
    /// Only a quantity is tracked.
    None,
}
str_enum!(TrackingType { Serial => "SERIAL", Lot => "LOT", None => "NONE" });

/// Whether a part (one revision) is current: ION's part status.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PartStatus {
    /// Current: new units and lots of it may be made (the status of a new part).
    Released,
    /// Retired: no new units or lots; existing ones are unaffected. Can be released again.
    Archived,
}
str_enum!(PartStatus { Released => "RELEASED", Archived => "ARCHIVED" });

/// Where a tracked unit or lot stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PartInventoryStatus {
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
str_enum!(PartInventoryStatus {
    Available => "AVAILABLE",
    Wip => "WIP",
    Unavailable => "UNAVAILABLE",
    Installed => "INSTALLED",
    Consumed => "CONSUMED",
    Scrapped => "SCRAPPED",
});

impl PartInventoryStatus {
    /// Whether a run may be attached to a unit in this state: a consumed, installed or
    /// scrapped unit is gone from the floor, anything else (even one with runs) may.
    pub fn accepts_new_run(self) -> bool {
        !matches!(self, Self::Consumed | Self::Installed | Self::Scrapped)
    }
}

/// Lifecycle of one procedure version.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProcedureStatus {
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
str_enum!(ProcedureStatus {
    Draft => "DRAFT",
    InReview => "IN_REVIEW",
    Released => "RELEASED",
    Superseded => "SUPERSEDED",
    Archived => "ARCHIVED",
});

/// What kind of work a procedure describes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProcedureType {
    /// Builds a unit.
    Build,
    /// Tests a unit.
    Test,
    /// Inspects a unit.
    Inspection,
    /// Maintains a unit.
    Maintenance,
}
str_enum!(ProcedureType {
    Build => "BUILD",
    Test => "TEST",
    Inspection => "INSPECTION",
    Maintenance => "MAINTENANCE",
});

/// Type of a step's input field; decides which values it accepts.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
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
str_enum!(FieldType {
    String => "STRING",
    Number => "NUMBER",
    Boolean => "BOOLEAN",
    Select => "SELECT",
    Multiselect => "MULTISELECT",
    Datetime => "DATETIME",
    Signoff => "SIGNOFF",
    FileAttachment => "FILE_ATTACHMENT",
});

/// The kind of entity an organization-defined attribute belongs to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AttributeEntity {
    /// A run.
    Run,
    /// A part.
    Part,
    /// A procedure.
    Procedure,
    /// A part inventory unit or lot.
    PartInventory,
}
str_enum!(AttributeEntity {
    Run => "RUN",
    Part => "PART",
    Procedure => "PROCEDURE",
    PartInventory => "PART_INVENTORY",
});

/// Value type of an organization-defined attribute.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AttributeType {
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
str_enum!(AttributeType {
    String => "STRING",
    Number => "NUMBER",
    Boolean => "BOOLEAN",
    Select => "SELECT",
    Date => "DATE",
});

/// How a run got its unit.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum RunSource {
    /// The run builds a new unit, which is WIP until the run completes.
    Build,
    /// The run works on a unit already in inventory.
    Attach,
}
str_enum!(RunSource { Build => "BUILD", Attach => "ATTACH" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_accepting_new_runs() {
        use PartInventoryStatus::*;
        for (s, ok) in [
            (Available, true),
            (Wip, true),
            (Unavailable, true),
            (Installed, false),
            (Consumed, false),
            (Scrapped, false),
        ] {
            assert_eq!(s.accepts_new_run(), ok, "{s}");
        }
    }

    #[test]
    fn parse_is_exact() {
        assert_eq!(TrackingType::parse("SERIAL"), Some(TrackingType::Serial));
        assert_eq!(TrackingType::parse("serial"), None);
        assert_eq!(
            FieldType::parse("FILE_ATTACHMENT"),
            Some(FieldType::FileAttachment)
        );
        assert_eq!(
            AttributeEntity::parse("PART_INVENTORY"),
            Some(AttributeEntity::PartInventory)
        );
    }
}
