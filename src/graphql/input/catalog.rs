//! Inputs of the catalog mutations on parts and part inventory.

use async_graphql::{ID, InputObject};

use super::{id, input_path};
use crate::error::AppResult;
use crate::graphql::enums::{PartInventoryStatus, PartStatus, TrackingType};
use crate::store::{catalog, inventory, part_subtypes};

/// A new part.
#[derive(InputObject, Clone, Debug)]
pub struct CreatePartInput {
    /// The part number (1 to 500 characters); with the revision, unique in the organization.
    pub part_number: String,
    /// The revision; default `A`.
    #[graphql(default_with = "String::from(\"A\")")]
    pub revision: String,
    /// Free-text description (up to 100,000 characters).
    pub description: Option<String>,
    /// How units will be tracked; default NONE.
    #[graphql(default_with = "TrackingType::None")]
    pub tracking_type: TrackingType,
    /// Serial number template, e.g. `{PART}-{SEQ:5}` (the default).
    pub serial_scheme: Option<String>,
    /// Lot number template, e.g. `LOT-{PART}-{SEQ:4}` (the default).
    pub lot_scheme: Option<String>,
    /// ION's part type: free text up to 100 characters, e.g. `ASSEMBLY`; longer is
    /// BAD_USER_INPUT.
    pub part_type: Option<String>,
}

impl CreatePartInput {
    pub fn cmd(self) -> AppResult<catalog::NewPart> {
        Ok(catalog::NewPart {
            part_number: self.part_number,
            revision: self.revision,
            description: self.description,
            tracking_type: self.tracking_type.into(),
            serial_scheme: self.serial_scheme,
            lot_scheme: self.lot_scheme,
            part_type: self.part_type,
        })
    }
}

/// Changes to a part; absent fields stay as they are.
#[derive(InputObject, Clone, Debug)]
pub struct UpdatePartInput {
    /// The part's id.
    pub id: ID,
    /// The part's `_etag` as last read; a stale one is STALE_ETAG.
    pub etag: String,
    /// New description (up to 100,000 characters).
    pub description: Option<String>,
    /// New serial number template.
    pub serial_scheme: Option<String>,
    /// New lot number template.
    pub lot_scheme: Option<String>,
    /// New part type (up to 100 characters); empty clears it.
    pub part_type: Option<String>,
    /// ARCHIVED retires the part: no new units or lots of it (existing ones are unaffected,
    /// and runs on them still start); RELEASED brings it back.
    pub status: Option<PartStatus>,
}

impl UpdatePartInput {
    pub fn cmd(self) -> AppResult<catalog::PartEdit> {
        Ok(catalog::PartEdit {
            id: id(&self.id, &input_path("id"))?,
            etag: self.etag,
            description: self.description,
            serial_scheme: self.serial_scheme,
            lot_scheme: self.lot_scheme,
            part_type: self.part_type,
            status: self.status.map(Into::into),
        })
    }
}

/// A new unit or lot in stock.
#[derive(InputObject, Clone, Debug)]
pub struct CreatePartInventoryInput {
    /// The part it is a unit or lot of.
    pub part_id: ID,
    /// The serial number of a SERIAL part's unit (up to 200 characters); unique per part.
    pub serial_number: Option<String>,
    /// true: generate the serial number from the part's serial scheme.
    pub autogenerate_serial_number: Option<bool>,
    /// The lot number of a LOT part's lot (up to 200 characters); unique per part.
    pub lot_number: Option<String>,
    /// true: generate the lot number from the part's lot scheme.
    pub autogenerate_lot_number: Option<bool>,
    /// How many, a positive number; default 1 (a SERIAL unit is always 1).
    pub quantity: Option<f64>,
    /// Where it stands; default AVAILABLE.
    #[graphql(default_with = "PartInventoryStatus::Available")]
    pub status: PartInventoryStatus,
}

impl CreatePartInventoryInput {
    pub fn cmd(self) -> AppResult<inventory::NewUnit> {
        Ok(inventory::NewUnit {
            part_id: id(&self.part_id, &input_path("partId"))?,
            serial_number: self.serial_number,
            autogenerate_serial_number: self.autogenerate_serial_number,
            lot_number: self.lot_number,
            autogenerate_lot_number: self.autogenerate_lot_number,
            quantity: self.quantity,
            status: self.status.into(),
        })
    }
}

/// Changes to a unit or lot; absent fields stay as they are.
#[derive(InputObject, Clone, Debug)]
pub struct UpdatePartInventoryInput {
    /// The unit's or lot's id.
    pub id: ID,
    /// Its `_etag` as last read; a stale one is STALE_ETAG.
    pub etag: String,
    /// New status.
    pub status: Option<PartInventoryStatus>,
    /// New quantity, a positive number (a SERIAL unit stays 1).
    pub quantity: Option<f64>,
}

impl UpdatePartInventoryInput {
    pub fn cmd(self) -> AppResult<inventory::UnitEdit> {
        Ok(inventory::UnitEdit {
            id: id(&self.id, &input_path("id"))?,
            etag: self.etag,
            status: self.status.map(Into::into),
            quantity: self.quantity,
        })
    }
}

/// A new part subtype (ION's).
#[derive(InputObject, Clone, Debug)]
pub struct CreatePartSubtypeInput {
    /// Its name (1 to 500 characters), unique in the organization.
    pub name: String,
    /// Free-text description (up to 100,000 characters).
    pub description: Option<String>,
}

impl CreatePartSubtypeInput {
    pub fn cmd(self) -> AppResult<part_subtypes::NewPartSubtype> {
        Ok(part_subtypes::NewPartSubtype {
            name: self.name,
            description: self.description,
        })
    }
}

/// A subtype to attach to a part.
#[derive(InputObject, Clone, Debug)]
pub struct AddSubtypeToPartInput {
    /// The part.
    pub part_id: ID,
    /// The subtype to attach to it.
    pub part_subtype_id: ID,
}

impl AddSubtypeToPartInput {
    pub fn cmd(self) -> AppResult<part_subtypes::SubtypeLink> {
        Ok(part_subtypes::SubtypeLink {
            part_id: id(&self.part_id, &input_path("partId"))?,
            part_subtype_id: id(&self.part_subtype_id, &input_path("partSubtypeId"))?,
        })
    }
}
