//! The canonical hash that idempotency keys compare, over a `create` command
//! (`store::commands::NewRuns`).

use serde::Serialize;
use sha2::{Digest, Sha256};

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
    use chrono::NaiveDate;
    use serde::Serialize;

    use super::*;
    use crate::domain::enums::TrackingType;
    use crate::store::commands::{NewAttribute, NewBatch, NewRun, NewRuns};

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
