//! The catalog and organization enums shared by GraphQL and storage.

/// The catalog's and organization's enums (`contract_enums!`), handed to `$m!`.
macro_rules! catalog_enums {
    ($m:ident) => {
        $m! {
            /// How units of a part are identified.
            TrackingType {
                /// Each unit has its own serial number; quantity is always 1.
                Serial => "SERIAL",
                /// Units are tracked in lots: a lot number with a quantity.
                Lot => "LOT",
                /// Only a quantity is tracked.
                None => "NONE",
            }

            /// Whether a part (one revision) is current (ION's part status).
            PartStatus {
                /// Current: new units and lots of it may be made; the status of a new part.
                Released => "RELEASED",
                /// Retired: no new units or lots (createPartInventory, and runs that would make a
                /// new unit, are refused); existing ones are unaffected. Can be released again.
                Archived => "ARCHIVED",
            }

            /// Where a tracked unit or lot stands.
            PartInventoryStatus {
                /// Stock that can be used.
                Available => "AVAILABLE",
                /// Work in progress: being built by a run that has not completed.
                Wip => "WIP",
                /// On hold or otherwise not usable for now.
                Unavailable => "UNAVAILABLE",
                /// Installed into another unit.
                Installed => "INSTALLED",
                /// Used up.
                Consumed => "CONSUMED",
                /// Scrapped.
                Scrapped => "SCRAPPED",
            }

            /// Lifecycle of one procedure version.
            ProcedureStatus {
                /// Being written; the only editable state.
                Draft => "DRAFT",
                /// Submitted for review.
                InReview => "IN_REVIEW",
                /// Released: runs may be started from it.
                Released => "RELEASED",
                /// Replaced by a later release of the same family.
                Superseded => "SUPERSEDED",
                /// Withdrawn.
                Archived => "ARCHIVED",
            }

            /// What kind of work a procedure describes.
            ProcedureType {
                /// Builds a unit.
                Build => "BUILD",
                /// Tests a unit.
                Test => "TEST",
                /// Inspects a unit.
                Inspection => "INSPECTION",
                /// Maintains a unit.
                Maintenance => "MAINTENANCE",
            }

            /// Type of a step's input field; decides which values it accepts.
            FieldType {
                /// Free text, optionally constrained by a pattern.
                String => "STRING",
                /// A finite number, optionally within min/max.
                Number => "NUMBER",
                /// true or false.
                Boolean => "BOOLEAN",
                /// One of the field's options.
                Select => "SELECT",
                /// A list of distinct options.
                Multiselect => "MULTISELECT",
                /// An RFC 3339 date-time, stored in UTC.
                Datetime => "DATETIME",
                /// A sign-off: true when signed.
                Signoff => "SIGNOFF",
                /// A reference to an uploaded file.
                FileAttachment => "FILE_ATTACHMENT",
            }

            /// The kind of entity an organization-defined attribute belongs to.
            AttributeEntity {
                /// A run.
                Run => "RUN",
                /// A part.
                Part => "PART",
                /// A procedure.
                Procedure => "PROCEDURE",
                /// A part inventory unit or lot.
                PartInventory => "PART_INVENTORY",
            }

            /// Value type of an organization-defined attribute.
            AttributeType {
                /// Text.
                String => "STRING",
                /// A number.
                Number => "NUMBER",
                /// true or false.
                Boolean => "BOOLEAN",
                /// One of the attribute's options.
                Select => "SELECT",
                /// A calendar date.
                Date => "DATE",
            }

            /// How a run got its unit.
            RunSource {
                /// The run builds a new unit, which is WIP until the run completes.
                Build => "BUILD",
                /// The run works on a unit already in inventory.
                Attach => "ATTACH",
            }
        }
    };
}
pub(crate) use catalog_enums;
catalog_enums!(contract_enums);

impl PartInventoryStatus {
    /// Whether a run may be attached to a unit in this state: a consumed, installed or
    /// scrapped unit is gone from the floor, anything else (even one with runs) may.
    pub fn accepts_new_run(self) -> bool {
        !matches!(self, Self::Consumed | Self::Installed | Self::Scrapped)
    }
}

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
