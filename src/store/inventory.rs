//! Part inventory: units and lots, their identities, and auto-numbering from the part's
//! serial and lot schemes.

use super::commands::{NewUnit, UnitEdit};
use super::writers::Stamp as _;
use std::collections::HashSet;

use entity::{part, part_inventory};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::counters::{self, Counter};
use super::etag;
use super::scope::{self};
use crate::caller::Caller;
use crate::domain::enums::TrackingType;
use crate::domain::numbering::{self, SchemeVars};
use crate::error::{AppError, AppResult, Code};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityKind {
    Serial,
    Lot,
}

impl IdentityKind {
    fn column(self) -> part_inventory::Column {
        match self {
            IdentityKind::Serial => part_inventory::Column::SerialNumber,
            IdentityKind::Lot => part_inventory::Column::LotNumber,
        }
    }

    pub fn duplicate(self, value: &str) -> AppError {
        match self {
            IdentityKind::Serial => AppError::new(
                Code::DuplicateSerial,
                format!("serial number {value} is already taken for this part"),
            ),
            IdentityKind::Lot => AppError::new(
                Code::DuplicateLot,
                format!("lot number {value} is already taken for this part"),
            ),
        }
    }
}

/// Which of `values` are already taken by units of `part_id`.
pub async fn taken(
    db: &impl ConnectionTrait,
    part_id: i64,
    kind: IdentityKind,
    values: &[String],
) -> AppResult<HashSet<String>> {
    let mut out = HashSet::new();
    for chunk in values.chunks(1000) {
        let rows: Vec<Option<String>> = part_inventory::Entity::find()
            .filter(part_inventory::Column::PartId.eq(part_id))
            .filter(kind.column().is_in(chunk.iter().cloned()))
            .select_only()
            .column(kind.column())
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows.into_iter().flatten());
    }
    Ok(out)
}

/// Draws `count` new numbers from the part's scheme. Numbers a person already typed by
/// hand are skipped, so generated numbers never collide with existing ones; `also_taken`
/// holds numbers claimed elsewhere in the same request.
pub async fn generate(
    db: &impl ConnectionTrait,
    p: &part::Model,
    kind: IdentityKind,
    count: usize,
    also_taken: &HashSet<String>,
) -> AppResult<Vec<String>> {
    let scheme = match kind {
        IdentityKind::Serial => &p.serial_scheme,
        IdentityKind::Lot => &p.lot_scheme,
    };
    let counter = || match kind {
        IdentityKind::Serial => Counter::SerialSeq(p.id),
        IdentityKind::Lot => Counter::LotSeq(p.id),
    };
    let vars = SchemeVars {
        part_number: &p.part_number,
        revision: &p.revision,
        date: chrono::Utc::now().date_naive(),
    };
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let need = count - out.len();
        let first = counters::reserve(db, p.organization_id, counter(), need as i64).await?;
        let candidates: Vec<String> = (0..need as i64)
            .map(|i| numbering::render(scheme, &vars, first + i))
            .collect();
        let clash = taken(db, p.id, kind, &candidates).await?;
        out.extend(
            candidates
                .into_iter()
                .filter(|c| !clash.contains(c) && !also_taken.contains(c)),
        );
    }
    Ok(out)
}

pub async fn create(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewUnit,
) -> AppResult<part_inventory::Model> {
    let part_id = input.part_id;
    let p = scope::named::<part::Entity>(db, caller, part_id, "part", "partId").await?;
    let status = super::rows::part_status(&p)?;
    crate::domain::part::new_inventory(status, &p.part_number, &p.revision)
        .map_err(|msg| AppError::bad_input(msg).at(&["input", "partId"]))?;
    let tracking = super::rows::part_tracking_type(&p)?;
    let quantity = input.quantity.unwrap_or(1.0);
    if !quantity.is_finite() || quantity <= 0.0 {
        return Err(
            AppError::bad_input("`quantity` must be a positive number").at(&["input", "quantity"])
        );
    }
    let (serial, lot) = match tracking {
        TrackingType::Serial => {
            if quantity != 1.0 {
                return Err(AppError::bad_input("a serialized unit has quantity 1")
                    .at(&["input", "quantity"]));
            }
            let s = identity(
                db,
                &p,
                IdentityKind::Serial,
                input.serial_number,
                input.autogenerate_serial_number,
                "serialNumber",
            )
            .await?;
            (Some(s), None)
        }
        TrackingType::Lot => {
            let l = identity(
                db,
                &p,
                IdentityKind::Lot,
                input.lot_number,
                input.autogenerate_lot_number,
                "lotNumber",
            )
            .await?;
            (None, Some(l))
        }
        TrackingType::None => (None, None),
    };
    let id = counters::ids(db, "part_inventories", 1).await?;
    part_inventory::Entity::insert(
        part_inventory::ActiveModel {
            id: Set(id),
            organization_id: Set(caller.organization_id),
            part_id: Set(p.id),
            serial_number: Set(serial.clone()),
            lot_number: Set(lot.clone()),
            quantity: Set(quantity),
            status: Set(input.status.as_str().into()),
            lock_version: Set(1),
            ..Default::default()
        }
        .written_by(caller),
    )
    .exec_with_returning(db)
    .await
    .map_err(|e| {
        super::on_unique(e, || match (serial, lot) {
            (Some(s), _) => Some(
                IdentityKind::Serial
                    .duplicate(&s)
                    .at(&["input", "serialNumber"]),
            ),
            (_, Some(l)) => Some(IdentityKind::Lot.duplicate(&l).at(&["input", "lotNumber"])),
            _ => None,
        })
    })
}

async fn identity(
    db: &impl ConnectionTrait,
    p: &part::Model,
    kind: IdentityKind,
    given: Option<String>,
    auto: Option<bool>,
    field: &'static str,
) -> AppResult<String> {
    match given
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    {
        Some(v) => {
            if v.len() > 200 {
                return Err(AppError::bad_input(format!(
                    "`{field}` is longer than 200 characters"
                ))
                .at(&["input", field]));
            }
            if !taken(db, p.id, kind, std::slice::from_ref(&v))
                .await?
                .is_empty()
            {
                return Err(kind.duplicate(&v).at(&["input", field]));
            }
            Ok(v)
        }
        None if auto == Some(true) => {
            Ok(generate(db, p, kind, 1, &HashSet::new()).await?.remove(0))
        }
        None => Err(AppError::new(
            Code::IdentityRequired,
            format!(
                "part {} is {}-tracked: give `{field}` or ask for one to be generated",
                p.part_number, p.tracking_type
            ),
        )
        .at(&["input", field])),
    }
}

pub async fn update(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: UnitEdit,
) -> AppResult<part_inventory::Model> {
    let id = input.id;
    let what = "part inventory";
    let inv =
        scope::get_current::<part_inventory::Entity>(db, caller, id, what, &input.etag).await?;
    let mut am: part_inventory::ActiveModel = inv.clone().into();
    if let Some(s) = input.status {
        am.status = Set(s.as_str().into());
    }
    if let Some(q) = input.quantity {
        if !q.is_finite() || q <= 0.0 {
            return Err(AppError::bad_input("`quantity` must be a positive number")
                .at(&["input", "quantity"]));
        }
        if inv.serial_number.is_some() && q != 1.0 {
            return Err(
                AppError::bad_input("a serialized unit has quantity 1").at(&["input", "quantity"])
            );
        }
        am.quantity = Set(q);
    }
    etag::guarded_update::<part_inventory::Entity>(
        db,
        caller,
        am,
        id,
        inv.lock_version,
        "part inventory",
    )
    .await
}
