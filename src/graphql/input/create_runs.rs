//! The inputs of `createRun`, `createRuns` and `createBatchedRun`, and their conversion
//! into the store's `NewRuns` command. Here are the request-size limits, id parsing and the
//! input paths of errors; the store's errors are relative to the command.

use crate::graphql::scalars::Date;
use async_graphql::{ID, InputObject, Json};

use super::{input_path, keys, opt_id};
use crate::config::Limits;
use crate::error::{AppError, AppErrors, Code, Seg};
use crate::graphql::enums::TrackingType;
use crate::store::commands::{NewAttribute, NewBatch, NewRun, NewRuns};

/// A custom attribute value: `value` holds the attribute's type (string, number, bool, date).
#[derive(InputObject, Clone, Debug)]
pub struct AttributeInput {
    /// The attribute's key, as defined for runs (`defineAttribute`).
    pub key: String,
    /// The value, JSON of the attribute's type: a string, a number, true or false, one of
    /// the options, or a date `YYYY-MM-DD`; null when not required.
    pub value: Json<serde_json::Value>,
}

/// `CreateRunInput` and `new_run`, its conversion into the store's `NewRun`, each field
/// written once with its conversion: `id("key")` parses an id, and a bad one is pushed onto
/// the call's errors (so that every bad id of every run is reported, not only the first);
/// `flag` is true only when given true; `into` and `each_into` convert a value, or each
/// value of a list (absent: empty), into the store's type; `clone` copies a text; the rest
/// are copied as they are. Fields after the braces are the input's only.
macro_rules! run_input {
    ($(#[$sm:meta])* $name:ident => $cmd:ident {
        $($(#[$m:meta])* $f:ident: $t:ty $(=> $conv:ident $(($key:literal))?)?,)*
    } $($(#[$xm:meta])* $x:ident: $xt:ty,)*) => {
        $(#[$sm])*
        #[derive(InputObject, Clone, Debug)]
        pub struct $name {
            $($(#[$m])* pub $f: $t,)*
            $($(#[$xm])* pub $x: $xt,)*
        }

        impl $name {
            /// The run at `at` (`["input"]`, or `["input", "runs", i]` with `index` i); every
            /// bad id is pushed onto `errors` and left out.
            fn new_run(
                &self,
                at: &[Seg],
                index: Option<usize>,
                errors: &mut Vec<AppError>,
            ) -> $cmd {
                let mut id = |v: &Option<ID>, field: &'static str| {
                    let mut path = at.to_vec();
                    path.push(Seg::Key(field));
                    opt_id(v, &path).unwrap_or_else(|e| {
                        errors.push(match index {
                            Some(i) => e.with_index(i),
                            None => e,
                        });
                        None
                    })
                };
                $cmd {
                    $($f: run_input!(@conv id, self.$f $(, $conv $(, $key)?)?),)*
                }
            }
        }
    };
    (@conv $id:ident, $v:expr) => { $v };
    (@conv $id:ident, $v:expr, id, $key:literal) => { $id(&$v, $key) };
    (@conv $id:ident, $v:expr, flag) => { $v == Some(true) };
    (@conv $id:ident, $v:expr, into) => { $v.map(Into::into) };
    (@conv $id:ident, $v:expr, each_into) => {
        $v.iter().flatten().cloned().map(Into::into).collect()
    };
    (@conv $id:ident, $v:expr, clone) => { $v.clone() };
}

run_input! {
    /// One run to start. See the contract: BUILD a new unit unless `partInventoryId` is given.
    CreateRunInput => NewRun {
        /// Required unless `partInventoryId` is given.
        part_id: Option<ID> => id("partId"),
        /// A RELEASED procedure version; may be left out and set later with `updateRun`.
        procedure_id: Option<ID> => id("procedureId"),
        /// Given: the run works on that existing unit (ATTACH). Absent: it builds a new one.
        part_inventory_id: Option<ID> => id("partInventoryId"),
        /// Absent (or `autogenerateTitle`): generated from the run number and the part.
        title: Option<String> => clone,
        /// true: generate the title even when one is given.
        autogenerate_title: Option<bool> => flag,
        /// BUILD only; defaults to the part's tracking type.
        tracking_type: Option<TrackingType> => into,
        /// BUILD of a SERIAL unit: its serial number, unique per part.
        serial_number: Option<String> => clone,
        /// BUILD of a SERIAL unit: true generates the serial number from the part's scheme.
        autogenerate_serial_number: Option<bool> => flag,
        /// BUILD of a LOT: its lot number, unique per part.
        lot_number: Option<String> => clone,
        /// BUILD of a LOT: true generates the lot number from the part's scheme.
        autogenerate_lot_number: Option<bool> => flag,
        /// BUILD: the quantity of a LOT or NONE unit; a SERIAL unit is always 1.
        quantity: Option<f64>,
        /// The date the run is due (`YYYY-MM-DD`).
        due_date: Option<Date> => into,
        /// A run of an export-controlled procedure is always export-controlled.
        export_controlled: Option<bool>,
        /// The user to assign the run to; not together with `assignedTeamId`.
        assigned_to_id: Option<ID> => id("assignedToId"),
        /// The team to assign the run to; not together with `assignedToId`.
        assigned_team_id: Option<ID> => id("assignedTeamId"),
        /// Values of the organization's run attributes; every required one must be given.
        attributes: Option<Vec<AttributeInput>> => each_into,
        /// N identical runs, each with its own unit and number (default 1, at most 500 by
        /// default; more is LIMIT_EXCEEDED).
        copies: Option<i32>,
        /// An active work center where the run is worked (besides a user or team).
        work_center_id: Option<ID> => id("workCenterId"),
        /// The planned start; without `scheduledEnd`, the end follows from the lead times.
        scheduled_start: Option<chrono::DateTime<chrono::Utc>>,
        /// The planned end; not before `scheduledStart`.
        scheduled_end: Option<chrono::DateTime<chrono::Utc>>,
        /// Higher first in a work center's queue (default 0).
        priority: Option<i32>,
    }
    /// `createRun` only: a retried call with the same key returns the first call's result
    /// (the same key with another input is IDEMPOTENCY_KEY_REUSED); ignored inside `runs`.
    idempotency_key: Option<String>,
}

/// Many runs to start in one transaction.
#[derive(InputObject, Clone, Debug)]
pub struct CreateRunsInput {
    /// The runs (at most 500 by default; more is LIMIT_EXCEEDED).
    pub runs: Vec<CreateRunInput>,
    /// A retried call with the same key returns the first call's result; the same key with
    /// another input is IDEMPOTENCY_KEY_REUSED.
    pub idempotency_key: Option<String>,
    /// Check everything, create nothing.
    pub validate_only: Option<bool>,
}

/// Many runs to start in one transaction, in a new batch; they share one procedure version.
#[derive(InputObject, Clone, Debug)]
pub struct CreateBatchedRunInput {
    /// Batch title; generated when absent.
    pub title: Option<String>,
    /// The runs (at most 500 by default; more is LIMIT_EXCEEDED).
    pub runs: Vec<CreateRunInput>,
    /// A retried call with the same key returns the first call's result; the same key with
    /// another input is IDEMPOTENCY_KEY_REUSED.
    pub idempotency_key: Option<String>,
    /// Check everything, create nothing; default false.
    pub validate_only: Option<bool>,
}

impl From<AttributeInput> for NewAttribute {
    /// The store's plain attribute value.
    fn from(a: AttributeInput) -> Self {
        NewAttribute {
            key: a.key,
            value: a.value.0,
        }
    }
}

impl CreateRunInput {
    /// `createRun`: a command of this one run.
    pub fn command(&self, limits: &Limits) -> Result<NewRuns, AppErrors> {
        Ok(NewRuns {
            runs: new_runs(std::slice::from_ref(self), true, limits)?,
            batch: None,
            idempotency_key: self.idempotency_key.clone(),
            validate_only: false,
        })
    }
}

impl CreateRunsInput {
    pub fn command(&self, limits: &Limits) -> Result<NewRuns, AppErrors> {
        Ok(NewRuns {
            runs: new_runs(&self.runs, false, limits)?,
            batch: None,
            idempotency_key: self.idempotency_key.clone(),
            validate_only: self.validate_only.unwrap_or(false),
        })
    }
}

impl CreateBatchedRunInput {
    pub fn command(&self, limits: &Limits) -> Result<NewRuns, AppErrors> {
        Ok(NewRuns {
            runs: new_runs(&self.runs, false, limits)?,
            batch: Some(NewBatch {
                title: self.title.clone(),
            }),
            idempotency_key: self.idempotency_key.clone(),
            validate_only: self.validate_only.unwrap_or(false),
        })
    }
}

/// The runs of one call, within the request limits; every bad id, or the runs.
fn new_runs(
    inputs: &[CreateRunInput],
    single: bool,
    limits: &Limits,
) -> Result<Vec<NewRun>, AppErrors> {
    check_size(inputs, limits)?;
    let mut errors = Vec::new();
    let runs = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            if single {
                input.new_run(&keys(&["input"]), None, &mut errors)
            } else {
                let at = [input_path("runs"), vec![Seg::Index(i)]].concat();
                input.new_run(&at, Some(i), &mut errors)
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(runs)
    } else {
        Err(AppErrors(errors))
    }
}

/// How many inputs, and runs in all, one call may ask for.
fn check_size(inputs: &[CreateRunInput], limits: &Limits) -> Result<(), AppError> {
    let n = inputs.len();
    if n > limits.bulk_inputs {
        let msg = format!("{n} inputs; at most {} in one call", limits.bulk_inputs);
        return Err(AppError::new(Code::LimitExceeded, msg).at(&["input", "runs"]));
    }
    let total: usize = inputs
        .iter()
        .map(|i| i.copies.unwrap_or(1).max(1) as usize)
        .sum();
    let max_total = limits.bulk_inputs.max(limits.copies);
    if total > max_total {
        let msg = format!("{total} runs asked for; at most {max_total} in one call");
        return Err(AppError::new(Code::LimitExceeded, msg).at(&["input"]));
    }
    Ok(())
}

/// Puts the store's errors (relative to the command) under the input: `["runs", 2, f]`
/// is `["input", "runs", 2, f]`, or `["input", f]` without an index for `createRun`.
pub fn under_input(errors: AppErrors, single: bool) -> AppErrors {
    AppErrors(errors.0.into_iter().map(|e| place(e, single)).collect())
}

fn place(mut e: AppError, single: bool) -> AppError {
    if e.field.is_empty() {
        return e;
    }
    let mut rel = std::mem::take(&mut e.field);
    if single && matches!(rel.as_slice(), [Seg::Key("runs"), Seg::Index(_), ..]) {
        rel.drain(..2);
        e.index = None;
    }
    e.field = [vec![Seg::Key("input")], rel].concat();
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_error(path: Vec<Seg>, index: Option<usize>) -> AppError {
        let e = AppError::bad_input("x").with_path(path);
        match index {
            Some(i) => e.with_index(i),
            None => e,
        }
    }

    #[test]
    fn store_paths_go_under_the_input() {
        let run = vec![Seg::Key("runs"), Seg::Index(2), Seg::Key("serialNumber")];
        let many = place(store_error(run.clone(), Some(2)), false);
        assert_eq!(many.field[..2], [Seg::Key("input"), Seg::Key("runs")]);
        assert_eq!((many.field.len(), many.index), (4, Some(2)));
        let one = place(store_error(run, Some(2)), true);
        assert_eq!(one.field, input_path("serialNumber"));
        assert_eq!(one.index, None);
        let key = place(store_error(keys(&["idempotencyKey"]), None), true);
        assert_eq!(key.field, input_path("idempotencyKey"));
        assert!(place(store_error(vec![], None), false).field.is_empty());
    }
}
