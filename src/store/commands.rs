//! Every command the store takes: plain data (i64 ids, domain enums, chrono types) that
//! any caller can build, grouped by the store module whose functions take them. With the
//! lists' `lists::Spec` (filters, sort) and `page::PageArgs`, and plain ids for reads, this
//! is all that crosses from the GraphQL layer (`graphql::input`) into the store.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};

use crate::domain::enums::{
    AttributeEntity, AttributeType, FieldType, PartInventoryStatus, PartStatus, ProcedureType,
    TrackingType,
};
use crate::domain::permission::Permission;
use crate::domain::status::{RunStatus, RunStepStatus};

/// One field of an edit: left as it is, cleared, or set to a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    To(T),
}

impl<T> Patch<T> {
    /// The value after the edit of a field whose value is `current`.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Keep => current,
            Patch::Clear => None,
            Patch::To(v) => Some(v),
        }
    }

    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }
}

// Parts, users, teams, API keys, attribute definitions, the organization: `catalog`.

/// A new part: number + revision, unique in the organization.
#[derive(Clone, Debug)]
pub struct NewPart {
    pub part_number: String,
    pub revision: String,
    pub description: Option<String>,
    pub tracking_type: TrackingType,
    /// Absent: `numbering::DEFAULT_SERIAL_SCHEME`.
    pub serial_scheme: Option<String>,
    /// Absent: `numbering::DEFAULT_LOT_SCHEME`.
    pub lot_scheme: Option<String>,
    /// ION's part type (`domain::part::part_type`).
    pub part_type: Option<String>,
}

/// Changes to a part; `None` leaves a value as it is.
#[derive(Clone, Debug)]
pub struct PartEdit {
    pub id: i64,
    pub etag: String,
    pub description: Option<String>,
    pub serial_scheme: Option<String>,
    pub lot_scheme: Option<String>,
    /// Empty clears it.
    pub part_type: Option<String>,
    /// ARCHIVED retires the part (no new inventory); RELEASED brings it back.
    pub status: Option<PartStatus>,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub name: String,
    pub email: String,
    /// Role names; with `role_ids` absent too, `DEFAULT_ROLES` (those the organization
    /// still has one by that name).
    pub roles: Option<Vec<String>>,
    /// Roles by id, besides those named.
    pub role_ids: Vec<i64>,
    pub export_control_cleared: bool,
}

#[derive(Clone, Debug)]
pub struct NewTeam {
    pub name: String,
    /// Members; an unknown one is `NOT_FOUND` at `["input", "userIds", i]`.
    pub user_ids: Vec<i64>,
    /// Role names every member gets through the team.
    pub roles: Vec<String>,
    /// Roles by id, besides those named.
    pub role_ids: Vec<i64>,
    /// The user who leads the team; `NOT_FOUND` at `["input", "supervisorId"]` if unknown.
    pub supervisor_id: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct NewApiKey {
    /// The key acts as this user, with the user's current roles.
    pub user_id: i64,
    pub name: Option<String>,
}

/// A custom attribute definition; a SELECT one needs options.
#[derive(Clone, Debug)]
pub struct AttributeDefinition {
    pub entity: AttributeEntity,
    pub key: String,
    pub attr_type: AttributeType,
    pub required: bool,
    pub options: Option<Vec<String>>,
}

/// Settings of the caller's organization; `None` leaves a value as it is.
#[derive(Clone, Debug, Default)]
pub struct OrganizationEdit {
    pub name: Option<String>,
    /// When true, a run's procedure must be linked to its part.
    pub require_part_procedure_link: Option<bool>,
    /// The e-mail domain; empty clears it.
    pub domain: Option<String>,
}

#[derive(Clone, Copy, Debug)]
pub struct TeamMember {
    pub team_id: i64,
    pub user_id: i64,
}

// Roles and who holds them: `roles`.

/// A new role.
#[derive(Clone, Debug)]
pub struct NewRole {
    pub name: String,
    pub permissions: Vec<Permission>,
}

/// Changes to a role; `None` leaves a value as it is.
#[derive(Clone, Debug)]
pub struct RoleEdit {
    pub id: i64,
    pub etag: String,
    pub name: Option<String>,
    pub permissions: Option<Vec<Permission>>,
}

/// A role given to, or taken from, exactly one user or team.
#[derive(Clone, Copy, Debug)]
pub struct Assignment {
    pub role_id: i64,
    pub user_id: Option<i64>,
    pub team_id: Option<i64>,
}

// Part subtypes and their links to parts: `part_subtypes`.

/// A new part subtype.
#[derive(Clone, Debug)]
pub struct NewPartSubtype {
    pub name: String,
    pub description: Option<String>,
}

/// A subtype to attach to a part.
#[derive(Clone, Debug)]
pub struct SubtypeLink {
    pub part_id: i64,
    pub part_subtype_id: i64,
}

// Units and lots in stock: `inventory`.

/// A unit or lot in stock; its serial or lot number given or generated from the part's
/// scheme (as its tracking type asks).
#[derive(Clone, Debug)]
pub struct NewUnit {
    pub part_id: i64,
    pub serial_number: Option<String>,
    pub autogenerate_serial_number: Option<bool>,
    pub lot_number: Option<String>,
    pub autogenerate_lot_number: Option<bool>,
    /// Absent: 1.
    pub quantity: Option<f64>,
    pub status: PartInventoryStatus,
}

/// Changes to a unit; `None` leaves a value as it is.
#[derive(Clone, Debug)]
pub struct UnitEdit {
    pub id: i64,
    pub etag: String,
    pub status: Option<PartInventoryStatus>,
    pub quantity: Option<f64>,
}

// Procedure versions, their steps, fields, edges and part links: `procedures`.

/// A new procedure: version 1, DRAFT.
#[derive(Clone, Debug)]
pub struct NewProcedure {
    pub title: String,
    pub description: Option<String>,
    pub procedure_type: ProcedureType,
    pub export_controlled: bool,
    /// Parts linked at once; an unknown one is `NOT_FOUND` at `["input", "partIds", i]`.
    pub part_ids: Vec<i64>,
}

/// Changes to a DRAFT version; `None` leaves a value as it is.
#[derive(Clone, Debug)]
pub struct ProcedureEdit {
    pub id: i64,
    pub etag: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub export_controlled: Option<bool>,
}

/// A field defined on a procedure step.
#[derive(Clone, Debug)]
pub struct NewField {
    pub name: String,
    pub field_type: FieldType,
    pub required: bool,
    pub unit: Option<String>,
    pub options: Option<Vec<String>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pattern: Option<String>,
}

/// A step added to a DRAFT version, with its fields and upstream dependencies.
#[derive(Clone, Debug)]
pub struct NewStep {
    pub procedure_id: i64,
    pub title: String,
    pub content: Option<String>,
    /// Position among its siblings; appended at the end when absent.
    pub position: Option<i32>,
    pub parent_id: Option<i64>,
    pub fields: Vec<NewField>,
    /// An unknown or foreign one is refused at `["input", "upstreamStepIds", i]`.
    pub upstream_step_ids: Vec<i64>,
    /// Minutes; 0 when absent.
    pub lead_time: Option<i32>,
}

/// Changes to a step of a DRAFT version; `None` leaves a value as it is.
#[derive(Clone, Debug)]
pub struct StepEdit {
    pub id: i64,
    pub etag: String,
    pub title: Option<String>,
    pub content: Option<String>,
    pub position: Option<i32>,
    pub lead_time: Option<i32>,
}

/// A field appended to a step of a DRAFT version.
#[derive(Clone, Debug)]
pub struct NewStepField {
    pub step_id: i64,
    pub field: NewField,
}

/// `step_id` starts only after `upstream_step_id` is COMPLETE.
#[derive(Clone, Copy, Debug)]
pub struct NewEdge {
    pub step_id: i64,
    pub upstream_step_id: i64,
}

#[derive(Clone, Copy, Debug)]
pub struct PartLink {
    pub part_id: i64,
    pub procedure_id: i64,
}

// Runs to create, one by one, in bulk or in a batch: `create_runs::create`.

/// One run to start, or `copies` identical ones. BUILD a new unit unless
/// `part_inventory_id` names an existing one (ATTACH).
///
/// The hash leaves out every field at its default (`None` serializes as null, which the
/// canonical form drops; the others skip themselves), so a field added later with its
/// default leaves the hashes of stored idempotency keys unchanged.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NewRun {
    pub part_id: Option<i64>,
    pub procedure_id: Option<i64>,
    pub part_inventory_id: Option<i64>,
    pub title: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub autogenerate_title: bool,
    #[serde(serialize_with = "tracking_name")]
    pub tracking_type: Option<TrackingType>,
    pub serial_number: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub autogenerate_serial_number: bool,
    pub lot_number: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub autogenerate_lot_number: bool,
    pub quantity: Option<f64>,
    pub due_date: Option<NaiveDate>,
    /// `Some(false)` is a request (refused for an export-controlled procedure), not a default.
    pub export_controlled: Option<bool>,
    pub assigned_to_id: Option<i64>,
    pub assigned_team_id: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<NewAttribute>,
    /// Validated against the limit with its own error, so kept as given (`None` is 1).
    pub copies: Option<i32>,
    /// Where the run is worked: an active work center of the organization.
    pub work_center_id: Option<i64>,
    /// The planned window; without an end, the end is the start plus the procedure's
    /// longest chain of lead times (`domain::schedule::critical_path`).
    pub scheduled_start: Option<chrono::DateTime<chrono::Utc>>,
    pub scheduled_end: Option<chrono::DateTime<chrono::Utc>>,
    /// `None` is 0.
    pub priority: Option<i32>,
}

/// A custom attribute value as given; checked against the RUN definitions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewAttribute {
    pub key: String,
    pub value: serde_json::Value,
}

/// What one call asks for: `createRun` is a command of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NewRuns {
    pub runs: Vec<NewRun>,
    /// `Some` for `createBatchedRun`: the runs go in one new batch.
    pub batch: Option<NewBatch>,
    /// Names the call, so it is not part of what the hash compares.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
    /// Check everything, create nothing: nothing is stored, so not hashed either.
    #[serde(skip)]
    pub validate_only: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NewBatch {
    /// Generated when absent.
    pub title: Option<String>,
}

fn is_false(v: &bool) -> bool {
    !*v
}

fn tracking_name<S: Serializer>(v: &Option<TrackingType>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(t) => s.serialize_str(t.as_str()),
        None => s.serialize_none(),
    }
}

// Editing runs and batch membership: `runs`.

/// Changes to a run; `None` and `Patch::Keep` leave a value as it is.
#[derive(Clone, Debug)]
pub struct RunEdit {
    pub id: i64,
    pub etag: String,
    pub title: Option<String>,
    pub due_date: Patch<NaiveDate>,
    /// Assigns the run to a user (and unassigns its team); not with `assigned_team_id`.
    pub assigned_to_id: Patch<i64>,
    pub assigned_team_id: Patch<i64>,
    /// Replaces every custom attribute of the run.
    pub attributes: Option<Vec<NewAttribute>>,
    /// Only while the run has no steps: gives it a procedure (its steps are copied in).
    pub procedure_id: Option<i64>,
    /// Sets the run's status through its steps (`run_status::set_status`), after the edits.
    pub status: Option<RunStatus>,
    /// Moves the run to this (active) work center, or takes it off its work center.
    pub work_center_id: Patch<i64>,
    /// Reschedules: a new start without an end moves the end to the start plus the run
    /// steps' longest chain of lead times; a cleared start clears the planned window; a
    /// cleared end is the start plus that chain again.
    pub scheduled_start: Patch<DateTime<Utc>>,
    pub scheduled_end: Patch<DateTime<Utc>>,
    pub priority: Option<i32>,
}

#[derive(Clone, Debug)]
pub struct BatchAdd {
    pub run_batch_id: i64,
    /// A run that cannot join is refused at `["input", "runIds", i]`.
    pub run_ids: Vec<i64>,
}

// Working a run's steps and fields: `execution`.

/// A step's new status, by the state machine (REDLINE needs the redline permission).
#[derive(Clone, Debug)]
pub struct StepChange {
    pub id: i64,
    pub etag: String,
    pub status: RunStepStatus,
}

/// A field's new value, checked against its type and validations.
#[derive(Clone, Debug)]
pub struct FieldValueChange {
    pub id: i64,
    pub etag: String,
    /// JSON null clears the value.
    pub value: serde_json::Value,
}

// Steps and fields added to a running run: `redlines`.

/// A step added to a run (and its batch siblings), in REDLINE.
#[derive(Clone, Debug)]
pub struct NewRunStep {
    pub run_id: i64,
    pub title: String,
    pub content: Option<String>,
    pub parent_id: Option<i64>,
    /// Among its siblings; after the last when absent.
    pub position: Option<i32>,
    pub upstream_step_ids: Vec<i64>,
}

/// A field added to a run step in REDLINE (and to the same step of the batch siblings).
#[derive(Clone, Debug)]
pub struct NewRunStepField {
    pub run_step_id: i64,
    pub field: NewField,
}

// Work centers and the timeline: `work_centers`.

#[derive(Clone, Debug)]
pub struct NewWorkCenter {
    pub name: String,
    pub description: Option<String>,
    /// Runs worked at once; `None` is unbounded.
    pub capacity: Option<i32>,
}

/// Changes to a work center; `None` leaves a value as it is.
#[derive(Clone, Debug)]
pub struct WorkCenterEdit {
    pub id: i64,
    pub etag: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub capacity: Option<i32>,
    /// An inactive work center takes no new runs; its runs stay where they are.
    pub active: Option<bool>,
}

/// What the timeline asks for: a window, and optionally some work centers.
#[derive(Clone, Debug)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Only runs at these work centers; `None` for every scheduled run.
    pub work_center_ids: Option<Vec<i64>>,
}

// Actions on one row with no other input (`procedures`: deleting a step, review, approval,
// release).

/// A row named by id, with the etag the client last read (for actions with no other input).
#[derive(Clone, Debug)]
pub struct IdEtag {
    pub id: i64,
    pub etag: String,
}
