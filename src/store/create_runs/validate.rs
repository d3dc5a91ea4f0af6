//! Where `createRun`, `createRuns` and `createBatchedRun` validate: every rule of the
//! New Run wizard, checked against a snapshot of the catalog loaded in bulk beforehand.
//! Pure: no database access, so every error of every input is found in one pass.

use std::collections::{HashMap, HashSet};

use entity::{attribute_definition, organization, part, part_inventory, procedure};

use crate::domain::enums::{AttributeType, ProcedureStatus, RunSource, TrackingType};
use crate::error::{AppError, AppResult, Code, Seg};
use crate::input::CreateRunInput;
use crate::store::rows;

/// What the validator may look at, loaded for all inputs at once.
#[derive(Default)]
pub struct Snapshot {
    pub organization: Option<organization::Model>,
    pub parts: HashMap<i64, part::Model>,
    pub inventories: HashMap<i64, part_inventory::Model>,
    pub procedures: HashMap<i64, procedure::Model>,
    /// Procedure id -> every step approved.
    pub approved: HashMap<i64, bool>,
    /// Family id -> the RELEASED version in it.
    pub current_release: HashMap<i64, procedure::Model>,
    /// Procedure id -> part ids it is linked to.
    pub links: HashMap<i64, HashSet<i64>>,
    /// Part ids with at least one RELEASED linked procedure.
    pub parts_with_release: HashSet<i64>,
    pub users: HashSet<i64>,
    pub teams: HashSet<i64>,
    pub run_attributes: Vec<attribute_definition::Model>,
    /// The caller is cleared for export-controlled work.
    pub cleared: bool,
}

/// The ids an input refers to, parsed.
#[derive(Default, Clone, Debug)]
pub struct Refs {
    pub part_id: Option<i64>,
    pub procedure_id: Option<i64>,
    pub part_inventory_id: Option<i64>,
    pub assigned_to_id: Option<i64>,
    pub assigned_team_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Identity {
    None,
    Given(String),
    Generate,
}

/// One validated input: everything needed to write its runs.
#[derive(Clone, Debug)]
pub struct Plan {
    pub index: usize,
    pub part_id: i64,
    pub procedure_id: Option<i64>,
    pub source: RunSource,
    pub part_inventory_id: Option<i64>,
    pub tracking: TrackingType,
    pub serial: Identity,
    pub lot: Identity,
    pub quantity: f64,
    pub title: Option<String>,
    pub due_date: Option<chrono::NaiveDate>,
    pub export_controlled: bool,
    pub assigned_to_id: Option<i64>,
    pub assigned_team_id: Option<i64>,
    /// JSON array of `{key, type, value}`.
    pub attributes: serde_json::Value,
    pub copies: usize,
}

/// Builds input paths under a prefix such as `["input", "runs", 3]`.
pub struct At<'a> {
    pub prefix: &'a [Seg],
    pub index: Option<usize>,
}

impl At<'_> {
    pub fn err(&self, code: Code, field: &'static str, message: impl Into<String>) -> AppError {
        let mut path = self.prefix.to_vec();
        path.push(Seg::Key(field));
        let e = AppError::new(code, message).with_path(path);
        match self.index {
            Some(i) => e.with_index(i),
            None => e,
        }
    }
}

pub const NOT_RELEASED: &str = "Procedure has unreleased steps";
pub const NOT_AVAILABLE: &str = "Part inventory is not in a state that allows a new run";
pub const NO_PROCEDURE: &str = "No procedures available for this part";

/// Checks one input; pushes every problem found onto `errors`.
pub fn check(
    input: &CreateRunInput,
    refs: &Refs,
    snap: &Snapshot,
    at: &At<'_>,
    max_copies: usize,
    errors: &mut Vec<AppError>,
) -> Option<Plan> {
    let before = errors.len();
    let mut fail = |e: AppError| errors.push(e);

    let copies = match input.copies {
        None => 1,
        Some(n) if n < 1 => {
            fail(at.err(Code::BadUserInput, "copies", "`copies` must be at least 1"));
            1
        }
        Some(n) if n as usize > max_copies => {
            fail(at.err(
                Code::LimitExceeded,
                "copies",
                format!("`copies` is {n}; at most {max_copies} copies per input"),
            ));
            1
        }
        Some(n) => n as usize,
    };

    // Source and part.
    let inventory = refs
        .part_inventory_id
        .and_then(|id| snap.inventories.get(&id));
    if let (Some(id), None) = (refs.part_inventory_id, inventory) {
        fail(at.err(
            Code::NotFound,
            "partInventoryId",
            format!("part inventory {id} not found"),
        ));
    }
    let source = if refs.part_inventory_id.is_some() {
        RunSource::Attach
    } else {
        RunSource::Build
    };
    if let Some(inv) = inventory {
        let status = rows::inventory_status(inv).map_err(&mut fail).ok();
        if status.is_some_and(|s| !s.accepts_new_run()) {
            fail(at.err(
                Code::InventoryNotAvailable,
                "partInventoryId",
                format!("{NOT_AVAILABLE}: unit {} is {}", inv.id, inv.status),
            ));
        }
        if let Some(pid) = refs.part_id.filter(|pid| *pid != inv.part_id) {
            fail(at.err(
                Code::PartMismatch,
                "partInventoryId",
                format!(
                    "part inventory {} is a unit of part {}, not of part {pid}",
                    inv.id, inv.part_id
                ),
            ));
        }
        if copies > 1 {
            fail(at.err(
                Code::BadUserInput,
                "copies",
                "copies make new units; they cannot be combined with `partInventoryId`",
            ));
        }
        for (given, field) in [
            (
                input.serial_number.is_some() || input.autogenerate_serial_number == Some(true),
                "serialNumber",
            ),
            (
                input.lot_number.is_some() || input.autogenerate_lot_number == Some(true),
                "lotNumber",
            ),
            (input.tracking_type.is_some(), "trackingType"),
            (input.quantity.is_some(), "quantity"),
        ] {
            if given {
                fail(at.err(
                    Code::BadUserInput,
                    field,
                    format!("`{field}` describes a new unit; the run attaches to an existing one"),
                ));
            }
        }
    }
    let part_id = inventory.map(|i| i.part_id).or(refs.part_id);
    let part = match part_id {
        None if refs.part_inventory_id.is_none() => {
            fail(at.err(
                Code::BadUserInput,
                "partId",
                "`partId` is required unless `partInventoryId` is given",
            ));
            None
        }
        None => None,
        Some(id) => {
            let p = snap.parts.get(&id);
            if p.is_none() {
                fail(at.err(Code::NotFound, "partId", format!("part {id} not found")));
            }
            p
        }
    };

    // Procedure.
    let procedure = refs.procedure_id.and_then(|id| snap.procedures.get(&id));
    if let (Some(id), None) = (refs.procedure_id, procedure) {
        fail(at.err(
            Code::NotFound,
            "procedureId",
            format!("procedure {id} not found"),
        ));
    }
    if let Some(p) = procedure {
        // A corrupt status fails the request; no release check then (its message would
        // quote the stored value).
        let status = rows::procedure_status(p).map_err(&mut fail).ok();
        let approved = snap.approved.get(&p.id).copied().unwrap_or(false);
        if let Some(status) = status
            && !crate::domain::procedure::can_start_run(status, approved)
        {
            let why = match (status, snap.current_release.get(&p.family_id)) {
                (ProcedureStatus::Superseded, Some(cur)) => format!(
                    "{NOT_RELEASED}: {} version {} is SUPERSEDED; the current release is version {} (procedure {})",
                    p.title, p.version, cur.version, cur.id
                ),
                (ProcedureStatus::Released, _) => format!(
                    "{NOT_RELEASED}: some steps of {} version {} are not approved",
                    p.title, p.version
                ),
                _ => format!(
                    "{NOT_RELEASED}: {} version {} is {}",
                    p.title, p.version, p.status
                ),
            };
            fail(at.err(Code::ProcedureNotReleased, "procedureId", why));
        }
        if let Some(part) = part {
            let linked = snap.links.get(&p.id);
            let is_linked = linked.is_some_and(|l| l.contains(&part.id));
            let required = snap
                .organization
                .as_ref()
                .is_some_and(|o| o.require_part_procedure_link);
            if required && !is_linked {
                fail(at.err(
                    Code::NoProcedureForPart,
                    "procedureId",
                    format!(
                        "{NO_PROCEDURE}: procedure {} is not linked to part {} rev {}",
                        p.id, part.part_number, part.revision
                    ),
                ));
            } else if !is_linked && linked.is_some_and(|l| !l.is_empty()) {
                fail(at.err(
                    Code::PartMismatch,
                    "procedureId",
                    format!(
                        "procedure {} builds other parts, not {} rev {}",
                        p.id, part.part_number, part.revision
                    ),
                ));
            }
        }
    } else if let Some(part) = part {
        let required = snap
            .organization
            .as_ref()
            .is_some_and(|o| o.require_part_procedure_link);
        if required && !snap.parts_with_release.contains(&part.id) {
            fail(at.err(
                Code::NoProcedureForPart,
                "partId",
                format!("{NO_PROCEDURE}: {} rev {}", part.part_number, part.revision),
            ));
        }
    }

    // Identity (BUILD only).
    let part_tracking = part
        .and_then(|p| rows::part_tracking_type(p).map_err(&mut fail).ok())
        .unwrap_or(TrackingType::None);
    let tracking = input.tracking_type.unwrap_or(part_tracking);
    let mut serial = Identity::None;
    let mut lot = Identity::None;
    let mut quantity = 1.0;
    if source == RunSource::Build {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let pick = |v: Option<String>, auto: Option<bool>| match (v, auto) {
            (Some(v), _) => Identity::Given(v),
            (None, Some(true)) => Identity::Generate,
            (None, _) => Identity::None,
        };
        match tracking {
            TrackingType::Serial => {
                serial = pick(
                    given(&input.serial_number),
                    input.autogenerate_serial_number,
                );
                if input.quantity.is_some_and(|q| q != 1.0) {
                    fail(at.err(
                        Code::BadUserInput,
                        "quantity",
                        "a serialized unit has quantity 1",
                    ));
                }
                if serial == Identity::None {
                    fail(at.err(Code::IdentityRequired, "serialNumber", "a serialized unit needs `serialNumber` or `autogenerateSerialNumber: true`"));
                }
                if input.lot_number.is_some() {
                    fail(at.err(
                        Code::BadUserInput,
                        "lotNumber",
                        "a serialized unit has no lot number",
                    ));
                }
            }
            TrackingType::Lot => {
                lot = pick(given(&input.lot_number), input.autogenerate_lot_number);
                if lot == Identity::None {
                    fail(at.err(
                        Code::IdentityRequired,
                        "lotNumber",
                        "a lot needs `lotNumber` or `autogenerateLotNumber: true`",
                    ));
                }
                if input.serial_number.is_some() {
                    fail(at.err(
                        Code::BadUserInput,
                        "serialNumber",
                        "a lot has no serial number",
                    ));
                }
            }
            TrackingType::None => {
                for (v, field) in [
                    (&input.serial_number, "serialNumber"),
                    (&input.lot_number, "lotNumber"),
                ] {
                    if v.is_some() {
                        fail(at.err(
                            Code::BadUserInput,
                            field,
                            format!("an untracked unit has no `{field}`"),
                        ));
                    }
                }
            }
        }
        if tracking != TrackingType::Serial {
            quantity = input.quantity.unwrap_or(1.0);
            if !quantity.is_finite() || quantity <= 0.0 {
                fail(at.err(
                    Code::BadUserInput,
                    "quantity",
                    "`quantity` must be a positive number",
                ));
            }
        }
        for (id, field) in [(&serial, "serialNumber"), (&lot, "lotNumber")] {
            if let Identity::Given(v) = id {
                if copies > 1 {
                    fail(at.err(
                        Code::BadUserInput,
                        field,
                        format!(
                            "{} copies cannot share `{field}` {v}; ask for generated numbers",
                            copies
                        ),
                    ));
                }
                if v.len() > 200 {
                    fail(at.err(
                        Code::BadUserInput,
                        field,
                        format!("`{field}` is longer than 200 characters"),
                    ));
                }
            }
        }
    }

    // Details.
    let title = match (&input.title, input.autogenerate_title) {
        (_, Some(true)) | (None, _) => None,
        (Some(t), _) if t.trim().is_empty() => None,
        (Some(t), _) if t.len() > 500 => {
            fail(at.err(
                Code::BadUserInput,
                "title",
                "`title` is longer than 500 characters",
            ));
            None
        }
        (Some(t), _) => Some(t.trim().to_string()),
    };
    let proc_export = procedure.is_some_and(|p| p.export_controlled);
    if proc_export && input.export_controlled == Some(false) {
        fail(at.err(
            Code::BadUserInput,
            "exportControlled",
            "a run of an export-controlled procedure is always export-controlled",
        ));
    }
    let export_controlled = proc_export || input.export_controlled == Some(true);
    if export_controlled && !snap.cleared {
        fail(at.err(
            Code::Forbidden,
            "exportControlled",
            "export-controlled work needs export-control clearance",
        ));
    }
    if refs.assigned_to_id.is_some() && refs.assigned_team_id.is_some() {
        fail(at.err(
            Code::BadUserInput,
            "assignedTeamId",
            "assign a run to a user or to a team, not both",
        ));
    }
    if let Some(u) = refs.assigned_to_id.filter(|u| !snap.users.contains(u)) {
        fail(at.err(
            Code::NotFound,
            "assignedToId",
            format!("user {u} not found"),
        ));
    }
    if let Some(t) = refs.assigned_team_id.filter(|t| !snap.teams.contains(t)) {
        fail(at.err(
            Code::NotFound,
            "assignedTeamId",
            format!("team {t} not found"),
        ));
    }
    let attributes = match check_attributes(input, &snap.run_attributes) {
        Ok(Ok(a)) => a,
        Ok(Err(msg)) => {
            fail(at.err(Code::BadUserInput, "attributes", msg));
            serde_json::Value::Array(Vec::new())
        }
        Err(e) => {
            fail(e);
            serde_json::Value::Array(Vec::new())
        }
    };

    if errors.len() > before {
        return None;
    }
    Some(Plan {
        index: at.index.unwrap_or(0),
        part_id: part?.id,
        procedure_id: procedure.map(|p| p.id),
        source,
        part_inventory_id: inventory.map(|i| i.id),
        tracking,
        serial,
        lot,
        quantity: if source == RunSource::Attach {
            inventory.map_or(1.0, |i| i.quantity)
        } else {
            quantity
        },
        title,
        due_date: input.due_date,
        export_controlled,
        assigned_to_id: refs.assigned_to_id,
        assigned_team_id: refs.assigned_team_id,
        attributes,
        copies,
    })
}

/// Checks custom attributes against the organization's RUN definitions; returns the JSON
/// stored on the run, or the caller's mistake (inner `Err`); the outer `Err` is a corrupt
/// definition row.
pub fn check_attributes(
    input: &CreateRunInput,
    defs: &[attribute_definition::Model],
) -> AppResult<Result<serde_json::Value, String>> {
    check_attribute_values(input.attributes.as_deref().unwrap_or(&[]), defs)
}

pub fn check_attribute_values(
    given: &[crate::input::AttributeInput],
    defs: &[attribute_definition::Model],
) -> AppResult<Result<serde_json::Value, String>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for a in given {
        let Some(def) = defs.iter().find(|d| d.key == a.key) else {
            return Ok(Err(format!(
                "attribute `{}` is not defined for runs",
                a.key
            )));
        };
        if !seen.insert(a.key.clone()) {
            return Ok(Err(format!("attribute `{}` is given twice", a.key)));
        }
        let v = &a.value.0;
        let ty = rows::attribute_type(def)?;
        let options: Vec<String> = def
            .options
            .as_deref()
            .and_then(|o| serde_json::from_str(o).ok())
            .unwrap_or_default();
        let ok = match ty {
            _ if v.is_null() => true,
            AttributeType::String => v.is_string(),
            AttributeType::Number => v.as_f64().is_some_and(f64::is_finite),
            AttributeType::Boolean => v.is_boolean(),
            AttributeType::Select => v.as_str().is_some_and(|s| options.iter().any(|o| o == s)),
            AttributeType::Date => v
                .as_str()
                .is_some_and(|s| s.parse::<chrono::NaiveDate>().is_ok()),
        };
        if !ok {
            let expected = match ty {
                AttributeType::Select => format!("one of {}", options.join(", ")),
                AttributeType::Date => "a date (YYYY-MM-DD)".into(),
                t => format!("a {}", t.as_str().to_lowercase()),
            };
            return Ok(Err(format!("attribute `{}` must be {expected}", a.key)));
        }
        if def.required && v.is_null() {
            return Ok(Err(format!("attribute `{}` is required", a.key)));
        }
        out.push(serde_json::json!({"key": a.key, "type": def.attr_type, "value": v}));
    }
    if let Some(missing) = defs.iter().find(|d| d.required && !seen.contains(&d.key)) {
        return Ok(Err(format!("attribute `{}` is required", missing.key)));
    }
    Ok(Ok(serde_json::Value::Array(out)))
}
