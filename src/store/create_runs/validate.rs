//! Where `createRun`, `createRuns` and `createBatchedRun` validate: every rule of the
//! New Run wizard, checked against a snapshot of the catalog loaded in bulk beforehand.
//! Pure: no database access, so every error of every input is found in one pass.

use std::collections::{HashMap, HashSet};

use entity::{attribute_definition, organization, part, part_inventory, procedure};

use crate::domain::enums::{AttributeType, ProcedureStatus, RunSource, TrackingType};
use crate::error::{AppError, AppResult, Code, Seg};
use crate::store::commands::{NewAttribute, NewRun};
use crate::store::inventory::IdentityKind;
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
    pub work_centers: HashMap<i64, entity::work_center::Model>,
    pub run_attributes: Vec<attribute_definition::Model>,
    /// The caller is cleared for export-controlled work.
    pub cleared: bool,
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
    pub work_center_id: Option<i64>,
    pub scheduled_start: Option<chrono::DateTime<chrono::Utc>>,
    /// As given; `write` computes it from the lead times when only the start is given.
    pub scheduled_end: Option<chrono::DateTime<chrono::Utc>>,
    pub priority: i32,
}

impl Plan {
    pub fn identity(&self, kind: IdentityKind) -> &Identity {
        match kind {
            IdentityKind::Serial => &self.serial,
            IdentityKind::Lot => &self.lot,
        }
    }
}

pub const NOT_RELEASED: &str = "Procedure has unreleased steps";
pub const NOT_AVAILABLE: &str = "Part inventory is not in a state that allows a new run";
pub const NO_PROCEDURE: &str = "No procedures available for this part";

/// An error about field `field` of `runs[index]`. Paths are relative to the command
/// (`["runs", 2, "serialNumber"]`); the GraphQL layer puts them under its input.
pub fn err_at(index: usize, code: Code, field: &'static str, msg: impl Into<String>) -> AppError {
    AppError::new(code, msg)
        .with_path(vec![Seg::Key("runs"), Seg::Index(index), Seg::Key(field)])
        .with_index(index)
}

/// Checks `runs[index]`; pushes every problem found onto `errors`. The rules run in the
/// order of the New Run wizard: copies, source, part, procedure, identity, details,
/// attributes.
pub fn check(
    run: &NewRun,
    index: usize,
    snap: &Snapshot,
    max_copies: usize,
    errors: &mut Vec<AppError>,
) -> Option<Plan> {
    let before = errors.len();
    let mut c = Check {
        run,
        index,
        snap,
        errors,
    };
    let copies = c.copies(max_copies);
    let inventory = c.source(copies);
    let part = c.part(inventory);
    let procedure = c.procedure(part);
    let unit = match inventory {
        Some(inv) => Unit::attached(inv),
        None if run.part_inventory_id.is_some() => Unit::attached_missing(),
        None => {
            c.part_takes_new_units(part);
            c.identity(part, copies)
        }
    };
    let title = c.title();
    let export_controlled = c.export_control(procedure);
    c.assignment();
    c.schedule();
    let attributes = c.attributes();
    if errors.len() > before {
        return None;
    }
    Some(Plan {
        index,
        part_id: part?.id,
        procedure_id: procedure.map(|p| p.id),
        source: unit.source,
        part_inventory_id: inventory.map(|i| i.id),
        serial: unit.serial,
        lot: unit.lot,
        quantity: unit.quantity,
        title,
        due_date: run.due_date,
        export_controlled,
        assigned_to_id: run.assigned_to_id,
        assigned_team_id: run.assigned_team_id,
        attributes,
        copies,
        work_center_id: run.work_center_id,
        scheduled_start: run.scheduled_start,
        scheduled_end: run.scheduled_end,
        priority: run.priority.unwrap_or(0),
    })
}

/// The unit a run works on: an attached one as it is, or a new one as asked.
struct Unit {
    source: RunSource,
    serial: Identity,
    lot: Identity,
    quantity: f64,
}

impl Unit {
    fn attached(inv: &part_inventory::Model) -> Unit {
        Unit {
            quantity: inv.quantity,
            ..Unit::attached_missing()
        }
    }

    /// The unit named is missing; already reported, so any placeholder will do.
    fn attached_missing() -> Unit {
        Unit {
            source: RunSource::Attach,
            serial: Identity::None,
            lot: Identity::None,
            quantity: 1.0,
        }
    }
}

/// One input under check, and where its errors go.
struct Check<'a, 'e> {
    run: &'a NewRun,
    index: usize,
    snap: &'a Snapshot,
    errors: &'e mut Vec<AppError>,
}

impl<'a> Check<'a, '_> {
    fn fail(&mut self, code: Code, field: &'static str, msg: impl Into<String>) {
        self.errors.push(err_at(self.index, code, field, msg));
    }

    fn bad(&mut self, field: &'static str, msg: impl Into<String>) {
        self.fail(Code::BadUserInput, field, msg);
    }

    fn copies(&mut self, max_copies: usize) -> usize {
        match self.run.copies {
            None => 1,
            Some(n) if n < 1 => {
                self.bad("copies", "`copies` must be at least 1");
                1
            }
            Some(n) if n as usize > max_copies => {
                self.fail(
                    Code::LimitExceeded,
                    "copies",
                    format!("`copies` is {n}; at most {max_copies} copies per input"),
                );
                1
            }
            Some(n) => n as usize,
        }
    }

    /// ATTACH to the unit named by `partInventoryId`, or BUILD a new one.
    fn source(&mut self, copies: usize) -> Option<&'a part_inventory::Model> {
        let id = self.run.part_inventory_id?;
        let Some(inv) = self.snap.inventories.get(&id) else {
            let msg = "part inventory not found".to_string();
            self.fail(Code::NotFound, "partInventoryId", msg);
            return None;
        };
        self.attached_unit(inv, copies);
        Some(inv)
    }

    fn attached_unit(&mut self, inv: &part_inventory::Model, copies: usize) {
        let status = rows::inventory_status(inv)
            .map_err(|e| self.errors.push(e))
            .ok();
        if status.is_some_and(|s| !s.accepts_new_run()) {
            let msg = format!("{NOT_AVAILABLE}: unit {} is {}", inv.id, inv.status);
            self.fail(Code::InventoryNotAvailable, "partInventoryId", msg);
        }
        if let Some(pid) = self.run.part_id.filter(|pid| *pid != inv.part_id) {
            let msg = format!(
                "part inventory {} is a unit of part {}, not of part {pid}",
                inv.id, inv.part_id
            );
            self.fail(Code::PartMismatch, "partInventoryId", msg);
        }
        if copies > 1 {
            self.bad(
                "copies",
                "copies make new units; they cannot be combined with `partInventoryId`",
            );
        }
        let r = self.run;
        for (given, field) in [
            (
                r.serial_number.is_some() || r.autogenerate_serial_number,
                "serialNumber",
            ),
            (
                r.lot_number.is_some() || r.autogenerate_lot_number,
                "lotNumber",
            ),
            (r.tracking_type.is_some(), "trackingType"),
            (r.quantity.is_some(), "quantity"),
        ] {
            if given {
                let msg =
                    format!("`{field}` describes a new unit; the run attaches to an existing one");
                self.bad(field, msg);
            }
        }
    }

    fn part(&mut self, inventory: Option<&part_inventory::Model>) -> Option<&'a part::Model> {
        let Some(id) = inventory.map(|i| i.part_id).or(self.run.part_id) else {
            if self.run.part_inventory_id.is_none() {
                self.bad(
                    "partId",
                    "`partId` is required unless `partInventoryId` is given",
                );
            }
            return None;
        };
        let p = self.snap.parts.get(&id);
        if p.is_none() {
            self.fail(Code::NotFound, "partId", "part not found".to_string());
        }
        p
    }

    fn procedure(&mut self, part: Option<&part::Model>) -> Option<&'a procedure::Model> {
        let snap = self.snap;
        let found = self.run.procedure_id.and_then(|id| {
            let p = snap.procedures.get(&id);
            if p.is_none() {
                self.fail(
                    Code::NotFound,
                    "procedureId",
                    "procedure not found".to_string(),
                );
            }
            p
        });
        match (found, part) {
            (Some(p), part) => {
                self.released(p);
                if let Some(part) = part {
                    self.linked(p, part);
                }
            }
            (None, Some(part)) => self.part_has_release(part),
            (None, None) => {}
        }
        found
    }

    fn released(&mut self, p: &procedure::Model) {
        // A corrupt stored status is reported as such; no follow-on error quotes it.
        let Ok(status) = rows::procedure_status(p).map_err(|e| self.errors.push(e)) else {
            return;
        };
        let approved = self.snap.approved.get(&p.id).copied().unwrap_or(false);
        if crate::domain::procedure::can_start_run(status, approved) {
            return;
        }
        let why = match (status, self.snap.current_release.get(&p.family_id)) {
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
        self.fail(Code::ProcedureNotReleased, "procedureId", why);
    }

    fn link_required(&self) -> bool {
        self.snap
            .organization
            .as_ref()
            .is_some_and(|o| o.require_part_procedure_link)
    }

    /// The procedure builds this part: required by the organization, or implied when the
    /// procedure is linked to other parts.
    fn linked(&mut self, p: &procedure::Model, part: &part::Model) {
        let links = self.snap.links.get(&p.id);
        if links.is_some_and(|l| l.contains(&part.id)) {
            return;
        }
        let (number, rev) = (&part.part_number, &part.revision);
        if self.link_required() {
            let msg = format!(
                "{NO_PROCEDURE}: procedure {} is not linked to part {number} rev {rev}",
                p.id
            );
            self.fail(Code::NoProcedureForPart, "procedureId", msg);
        } else if links.is_some_and(|l| !l.is_empty()) {
            let msg = format!(
                "procedure {} builds other parts, not {number} rev {rev}",
                p.id
            );
            self.fail(Code::PartMismatch, "procedureId", msg);
        }
    }

    /// Without a procedure, a part that must be built by a linked one needs a release.
    fn part_has_release(&mut self, part: &part::Model) {
        if self.link_required() && !self.snap.parts_with_release.contains(&part.id) {
            let msg = format!("{NO_PROCEDURE}: {} rev {}", part.part_number, part.revision);
            self.fail(Code::NoProcedureForPart, "partId", msg);
        }
    }

    /// A BUILD run makes a new unit: not of an archived part (`domain::part::new_inventory`).
    fn part_takes_new_units(&mut self, part: Option<&part::Model>) {
        let Some(p) = part else { return };
        match rows::part_status(p) {
            Err(e) => self.errors.push(e),
            Ok(st) => {
                if let Err(msg) =
                    crate::domain::part::new_inventory(st, &p.part_number, &p.revision)
                {
                    self.bad("partId", msg);
                }
            }
        }
    }

    /// The new unit of a BUILD run: its tracking, serial or lot number, and quantity.
    fn identity(&mut self, part: Option<&part::Model>, copies: usize) -> Unit {
        let part_tracking = part
            .and_then(|p| {
                rows::part_tracking_type(p)
                    .map_err(|e| self.errors.push(e))
                    .ok()
            })
            .unwrap_or(TrackingType::None);
        let tracking = self.run.tracking_type.unwrap_or(part_tracking);
        let (serial, lot) = match tracking {
            TrackingType::Serial => (self.serial_identity(), Identity::None),
            TrackingType::Lot => (Identity::None, self.lot_identity()),
            TrackingType::None => {
                self.untracked_identity();
                (Identity::None, Identity::None)
            }
        };
        let quantity = if tracking == TrackingType::Serial {
            1.0
        } else {
            self.quantity()
        };
        self.given_numbers(&[(&serial, "serialNumber"), (&lot, "lotNumber")], copies);
        Unit {
            source: RunSource::Build,
            serial,
            lot,
            quantity,
        }
    }

    fn serial_identity(&mut self) -> Identity {
        let r = self.run;
        if r.quantity.is_some_and(|q| q != 1.0) {
            self.bad("quantity", "a serialized unit has quantity 1");
        }
        self.numbered(
            pick(&r.serial_number, r.autogenerate_serial_number),
            (
                "serialNumber",
                "a serialized unit needs `serialNumber` or `autogenerateSerialNumber: true`",
            ),
            r.lot_number
                .is_some()
                .then_some(("lotNumber", "a serialized unit has no lot number")),
        )
    }

    fn lot_identity(&mut self) -> Identity {
        let r = self.run;
        self.numbered(
            pick(&r.lot_number, r.autogenerate_lot_number),
            (
                "lotNumber",
                "a lot needs `lotNumber` or `autogenerateLotNumber: true`",
            ),
            r.serial_number
                .is_some()
                .then_some(("serialNumber", "a lot has no serial number")),
        )
    }

    /// A unit's own number (`field` and the message when it is missing), then the other
    /// kind of number, refused when given.
    fn numbered(
        &mut self,
        id: Identity,
        (field, missing): (&'static str, &str),
        other: Option<(&'static str, &str)>,
    ) -> Identity {
        let id = self.required(id, field, missing);
        if let Some((field, msg)) = other {
            self.bad(field, msg);
        }
        id
    }

    /// A SERIAL or LOT unit needs its number, given or generated.
    fn required(&mut self, id: Identity, field: &'static str, msg: &str) -> Identity {
        if id == Identity::None {
            self.fail(Code::IdentityRequired, field, msg);
        }
        id
    }

    fn untracked_identity(&mut self) {
        let r = self.run;
        for (v, field) in [
            (&r.serial_number, "serialNumber"),
            (&r.lot_number, "lotNumber"),
        ] {
            if v.is_some() {
                self.bad(field, format!("an untracked unit has no `{field}`"));
            }
        }
    }

    /// The quantity of a LOT or NONE unit.
    fn quantity(&mut self) -> f64 {
        let quantity = self.run.quantity.unwrap_or(1.0);
        if !quantity.is_finite() || quantity <= 0.0 {
            self.bad("quantity", "`quantity` must be a positive number");
        }
        quantity
    }

    /// A given serial or lot number names one unit, of a bounded length.
    fn given_numbers(&mut self, ids: &[(&Identity, &'static str)], copies: usize) {
        for (id, field) in ids {
            let Identity::Given(v) = id else { continue };
            if copies > 1 {
                let msg = format!(
                    "{copies} copies cannot share `{field}` {v}; ask for generated numbers"
                );
                self.bad(field, msg);
            }
            if v.len() > 200 {
                self.bad(field, format!("`{field}` is longer than 200 characters"));
            }
        }
    }

    /// A title given and not blank, or `None` for a generated one.
    fn title(&mut self) -> Option<String> {
        let run = self.run;
        let t = run.title.as_deref().filter(|_| !run.autogenerate_title)?;
        if t.trim().is_empty() {
            return None;
        }
        if t.len() > 500 {
            self.bad("title", "`title` is longer than 500 characters");
            return None;
        }
        Some(t.trim().to_string())
    }

    fn export_control(&mut self, procedure: Option<&procedure::Model>) -> bool {
        let proc_export = procedure.is_some_and(|p| p.export_controlled);
        if proc_export && self.run.export_controlled == Some(false) {
            self.bad(
                "exportControlled",
                "a run of an export-controlled procedure is always export-controlled",
            );
        }
        let export_controlled = proc_export || self.run.export_controlled == Some(true);
        if export_controlled && !self.snap.cleared {
            self.fail(
                Code::Forbidden,
                "exportControlled",
                "export-controlled work needs export-control clearance",
            );
        }
        export_controlled
    }

    fn assignment(&mut self) {
        let (user, team) = (self.run.assigned_to_id, self.run.assigned_team_id);
        if user.is_some() && team.is_some() {
            self.bad(
                "assignedTeamId",
                "assign a run to a user or to a team, not both",
            );
        }
        if user.is_some_and(|u| !self.snap.users.contains(&u)) {
            self.fail(Code::NotFound, "assignedToId", "user not found".to_string());
        }
        if team.is_some_and(|t| !self.snap.teams.contains(&t)) {
            self.fail(
                Code::NotFound,
                "assignedTeamId",
                "team not found".to_string(),
            );
        }
    }

    /// The work center (visible and active) and the planned window.
    fn schedule(&mut self) {
        if let Some(w) = self.run.work_center_id {
            match self.snap.work_centers.get(&w) {
                None => self.fail(Code::NotFound, "workCenterId", "work center not found"),
                Some(wc) if !wc.active => {
                    let msg = format!("work center {} is inactive", wc.name);
                    self.bad("workCenterId", msg);
                }
                Some(_) => {}
            }
        }
        if let Err((field, msg)) =
            crate::store::runs::check_window(self.run.scheduled_start, self.run.scheduled_end)
        {
            self.bad(field, msg);
        }
    }

    /// The JSON stored on the run; `[]` once refused (the input fails anyway).
    fn attributes(&mut self) -> serde_json::Value {
        match check_attribute_values(&self.run.attributes, &self.snap.run_attributes) {
            Ok(Ok(a)) => a,
            Ok(Err(msg)) => {
                self.bad("attributes", msg);
                serde_json::Value::Array(vec![])
            }
            Err(e) => {
                self.errors.push(e);
                serde_json::Value::Array(vec![])
            }
        }
    }
}

/// A given number wins over generating one.
fn pick(given: &Option<String>, autogenerate: bool) -> Identity {
    let given = given.as_deref().map(str::trim).filter(|s| !s.is_empty());
    match (given, autogenerate) {
        (Some(v), _) => Identity::Given(v.to_string()),
        (None, true) => Identity::Generate,
        (None, false) => Identity::None,
    }
}

/// Checks custom attributes against the organization's RUN definitions; returns the JSON
/// stored on the run.
pub fn check_attribute_values(
    given: &[NewAttribute],
    defs: &[attribute_definition::Model],
) -> AppResult<Result<serde_json::Value, String>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for a in given {
        let key = a.key.as_str();
        let Some(def) = defs.iter().find(|d| d.key == key) else {
            return Ok(Err(format!("attribute `{key}` is not defined for runs")));
        };
        if !seen.insert(key.to_string()) {
            return Ok(Err(format!("attribute `{key}` is given twice")));
        }
        if let Err(msg) = check_attribute_value(def, &a.value)? {
            return Ok(Err(msg));
        }
        out.push(serde_json::json!({"key": key, "type": def.attr_type, "value": a.value}));
    }
    if let Some(missing) = defs.iter().find(|d| d.required && !seen.contains(&d.key)) {
        return Ok(Err(format!("attribute `{}` is required", missing.key)));
    }
    Ok(Ok(serde_json::Value::Array(out)))
}

/// A value of the definition's type (any may be null unless required).
fn check_attribute_value(
    def: &attribute_definition::Model,
    v: &serde_json::Value,
) -> AppResult<Result<(), String>> {
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
        return Ok(Err(format!("attribute `{}` must be {expected}", def.key)));
    }
    if def.required && v.is_null() {
        return Ok(Err(format!("attribute `{}` is required", def.key)));
    }
    Ok(Ok(()))
}
