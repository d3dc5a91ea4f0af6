//! Inputs of the catalog mutations on parts and part inventory.

use async_graphql::{ID, InputObject};

use super::{id, input_path};
use crate::error::AppResult;
use crate::graphql::enums::{PartInventoryStatus, TrackingType};
use crate::store::{catalog, inventory};

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

impl CreatePartInput {
    pub fn cmd(self) -> AppResult<catalog::NewPart> {
        Ok(catalog::NewPart {
            part_number: self.part_number,
            revision: self.revision,
            description: self.description,
            tracking_type: self.tracking_type.into(),
            serial_scheme: self.serial_scheme,
            lot_scheme: self.lot_scheme,
        })
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct UpdatePartInput {
    pub id: ID,
    pub etag: String,
    pub description: Option<String>,
    pub serial_scheme: Option<String>,
    pub lot_scheme: Option<String>,
}

impl UpdatePartInput {
    pub fn cmd(self) -> AppResult<catalog::PartEdit> {
        Ok(catalog::PartEdit {
            id: id(&self.id, &input_path("id"))?,
            etag: self.etag,
            description: self.description,
            serial_scheme: self.serial_scheme,
            lot_scheme: self.lot_scheme,
        })
    }
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

#[derive(InputObject, Clone, Debug)]
pub struct UpdatePartInventoryInput {
    pub id: ID,
    pub etag: String,
    pub status: Option<PartInventoryStatus>,
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
