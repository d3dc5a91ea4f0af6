//! The commands `create` takes: plain data (i64 ids, domain enums, chrono types) that any
//! caller can build, and the canonical hash that idempotency keys compare.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::domain::enums::TrackingType;

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

/// SHA-256 of the canonical JSON of `v`: object keys sorted at every level and `null`
/// members dropped, so neither field order nor a new field left at its default changes it.
/// (Inside attribute values too: a null member and a missing one ask for the same.)
pub fn canonical_hash<T: Serialize>(v: &T) -> String {
    let value = serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
    let mut out = String::new();
    write_canonical(&value, &mut out);
    hex::encode(Sha256::digest(out.as_bytes()))
}

fn write_canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut members: Vec<_> = map.iter().filter(|(_, v)| !v.is_null()).collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `NewRun` as a later version might declare it: one more optional field.
    #[derive(Serialize)]
    struct NewRunV2 {
        #[serde(flatten)]
        base: NewRun,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        priority: Option<i32>,
        /// Added without a skip: its null is dropped all the same.
        #[serde(default)]
        station: Option<String>,
    }

    fn sample() -> NewRun {
        NewRun {
            part_id: Some(7),
            procedure_id: Some(9),
            tracking_type: Some(TrackingType::Serial),
            autogenerate_serial_number: true,
            due_date: NaiveDate::from_ymd_opt(2026, 3, 1),
            attributes: vec![NewAttribute {
                key: "customer".into(),
                value: serde_json::json!({"b": 1, "a": [true, null]}),
            }],
            copies: Some(3),
            ..Default::default()
        }
    }

    #[test]
    fn a_new_field_at_its_default_keeps_the_hash() {
        let v1 = canonical_hash(&sample());
        let v2 = |priority, station: Option<&str>| {
            canonical_hash(&NewRunV2 {
                base: sample(),
                priority,
                station: station.map(str::to_string),
            })
        };
        assert_eq!(v1, v2(None, None));
        assert_ne!(
            v1,
            v2(Some(1), None),
            "a field set to a value is part of the hash"
        );
        assert_ne!(v1, v2(None, Some("A")));
    }

    #[test]
    fn any_changed_value_changes_the_hash() {
        let base = canonical_hash(&sample());
        let variants = [
            NewRun {
                part_id: Some(8),
                ..sample()
            },
            NewRun {
                autogenerate_title: true,
                ..sample()
            },
            NewRun {
                tracking_type: Some(TrackingType::Lot),
                ..sample()
            },
            NewRun {
                due_date: None,
                ..sample()
            },
            NewRun {
                copies: Some(4),
                ..sample()
            },
        ];
        for v in variants {
            assert_ne!(canonical_hash(&v), base, "{v:?}");
        }
    }

    #[test]
    fn the_key_and_validate_only_are_not_hashed_but_the_batch_is() {
        let cmd = NewRuns {
            runs: vec![sample()],
            ..Default::default()
        };
        let keyed = NewRuns {
            idempotency_key: Some("erp-42".into()),
            validate_only: true,
            ..cmd.clone()
        };
        assert_eq!(canonical_hash(&cmd), canonical_hash(&keyed));
        let batched = NewRuns {
            batch: Some(NewBatch::default()),
            ..cmd.clone()
        };
        assert_ne!(canonical_hash(&cmd), canonical_hash(&batched));
    }

    #[test]
    fn keys_are_sorted_at_every_level() {
        let a = serde_json::json!({"b": {"y": 1, "x": 2}, "a": null, "c": [{"q": 1, "p": 2}]});
        let mut out = String::new();
        write_canonical(&a, &mut out);
        assert_eq!(out, r#"{"b":{"x":2,"y":1},"c":[{"p":2,"q":1}]}"#);
    }
}
