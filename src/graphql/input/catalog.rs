//! Inputs of the catalog mutations on parts and part inventory.

use async_graphql::ID;

use crate::graphql::enums::{PartInventoryStatus, PartStatus, TrackingType};
use crate::store::commands;

command_input! {
    /// A new part.
    CreatePartInput => commands::NewPart {
        /// The part number (1 to 500 characters); with the revision, unique in the organization.
        part_number: String,
        /// The revision; default `A`.
        #[graphql(default_with = "String::from(\"A\")")]
        revision: String,
        /// Free-text description (up to 100,000 characters).
        description: Option<String>,
        /// How units will be tracked; default NONE.
        #[graphql(default_with = "TrackingType::None")]
        tracking_type: TrackingType => into,
        /// Serial number template, e.g. `{PART}-{SEQ:5}` (the default).
        serial_scheme: Option<String>,
        /// Lot number template, e.g. `LOT-{PART}-{SEQ:4}` (the default).
        lot_scheme: Option<String>,
        /// ION's part type: free text up to 100 characters, e.g. `ASSEMBLY`; longer is
        /// BAD_USER_INPUT.
        part_type: Option<String>,
    }

    /// Changes to a part; absent fields stay as they are.
    UpdatePartInput => commands::PartEdit {
        /// The part's id.
        id: ID => id("id"),
        /// The part's `_etag` as last read; a stale one is STALE_ETAG.
        etag: String,
        /// New description (up to 100,000 characters).
        description: Option<String>,
        /// New serial number template.
        serial_scheme: Option<String>,
        /// New lot number template.
        lot_scheme: Option<String>,
        /// New part type (up to 100 characters); empty clears it.
        part_type: Option<String>,
        /// ARCHIVED retires the part: no new units or lots of it (existing ones are unaffected,
        /// and runs on them still start); RELEASED brings it back.
        status: Option<PartStatus> => opt_into,
    }

    /// A new unit or lot in stock.
    CreatePartInventoryInput => commands::NewUnit {
        /// The part it is a unit or lot of.
        part_id: ID => id("partId"),
        /// The serial number of a SERIAL part's unit (up to 200 characters); unique per part.
        serial_number: Option<String>,
        /// true: generate the serial number from the part's serial scheme.
        autogenerate_serial_number: Option<bool>,
        /// The lot number of a LOT part's lot (up to 200 characters); unique per part.
        lot_number: Option<String>,
        /// true: generate the lot number from the part's lot scheme.
        autogenerate_lot_number: Option<bool>,
        /// How many, a positive number; default 1 (a SERIAL unit is always 1).
        quantity: Option<f64>,
        /// Where it stands; default AVAILABLE.
        #[graphql(default_with = "PartInventoryStatus::Available")]
        status: PartInventoryStatus => into,
    }

    /// Changes to a unit or lot; absent fields stay as they are.
    UpdatePartInventoryInput => commands::UnitEdit {
        /// The unit's or lot's id.
        id: ID => id("id"),
        /// Its `_etag` as last read; a stale one is STALE_ETAG.
        etag: String,
        /// New status.
        status: Option<PartInventoryStatus> => opt_into,
        /// New quantity, a positive number (a SERIAL unit stays 1).
        quantity: Option<f64>,
    }

    /// A new part subtype (ION's).
    CreatePartSubtypeInput => commands::NewPartSubtype {
        /// Its name (1 to 500 characters), unique in the organization.
        name: String,
        /// Free-text description (up to 100,000 characters).
        description: Option<String>,
    }

    /// A subtype to attach to a part.
    AddSubtypeToPartInput => commands::SubtypeLink {
        /// The part.
        part_id: ID => id("partId"),
        /// The subtype to attach to it.
        part_subtype_id: ID => id("partSubtypeId"),
    }
}
