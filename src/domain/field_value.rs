//! Validation of step field definitions and of the values entered into them.

use super::enums::FieldType;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

/// A field's definition as far as validating a value needs it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldSpec<'a> {
    pub field_type: FieldType,
    pub required: bool,
    pub options: &'a [String],
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pattern: Option<&'a str>,
}

/// Compiled-size cap for user patterns, so one field definition cannot eat the server.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Patterns kept compiled; past this many the cache starts over (each is at most
/// [`PATTERN_SIZE_LIMIT`] compiled).
const PATTERN_CACHE: usize = 64;

/// `pattern` compiled so that it must match the whole value, not a substring of it.
/// Compiled once and shared: completing a step of a 500-run batch checks the same field
/// of 500 siblings, which compiled the pattern 500 times.
fn full_match_regex(pattern: &str) -> Result<Arc<regex::Regex>, String> {
    static CACHE: LazyLock<Mutex<HashMap<String, Arc<regex::Regex>>>> =
        LazyLock::new(Default::default);
    let cache = || CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = cache().get(pattern) {
        return Ok(r.clone());
    }
    let r = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map(Arc::new)
        .map_err(|e| format!("invalid pattern: {e}"))?;
    let mut c = cache();
    if c.len() >= PATTERN_CACHE {
        c.clear();
    }
    c.insert(pattern.to_owned(), r.clone());
    Ok(r)
}

/// Longest text a STRING field holds, in characters: a value is copied to every run of a
/// batch, so its size is multiplied by the batch's.
pub const MAX_STRING_VALUE: usize = 10_000;

/// Checks a value against the field and returns it normalized (DATETIME in UTC).
/// `null` clears the value and is accepted for every type; whether a required field is
/// filled is checked on completion, by [`is_filled`].
pub fn validate_value(spec: &FieldSpec<'_>, value: &Value) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    match spec.field_type {
        FieldType::String => {
            let s = value.as_str().ok_or("expected a string")?;
            let n = s.chars().count();
            if n > MAX_STRING_VALUE {
                return Err(format!(
                    "the value is {n} characters; at most {MAX_STRING_VALUE}"
                ));
            }
            if let Some(p) = spec.pattern
                && !full_match_regex(p)?.is_match(s)
            {
                return Err(format!("\"{s}\" does not match the pattern {p}"));
            }
            Ok(value.clone())
        }
        FieldType::Number => {
            let n = value
                .as_f64()
                .filter(|n| n.is_finite())
                .ok_or("expected a number")?;
            if let Some(min) = spec.min.filter(|&min| n < min) {
                return Err(format!("{n} is below the minimum {min}"));
            }
            if let Some(max) = spec.max.filter(|&max| n > max) {
                return Err(format!("{n} is above the maximum {max}"));
            }
            Ok(value.clone())
        }
        FieldType::Boolean => value
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| "expected true or false".to_owned()),
        FieldType::Select => {
            let s = value.as_str().ok_or("expected one of the options")?;
            check_option(spec.options, s)?;
            Ok(value.clone())
        }
        FieldType::Multiselect => {
            let items = value.as_array().ok_or("expected a list of options")?;
            let mut seen = HashSet::new();
            for item in items {
                let s = item.as_str().ok_or("expected a list of options")?;
                check_option(spec.options, s)?;
                if !seen.insert(s) {
                    return Err(format!("\"{s}\" is chosen twice"));
                }
            }
            Ok(value.clone())
        }
        FieldType::Datetime => {
            let s = value
                .as_str()
                .ok_or("expected an RFC 3339 date-time string")?;
            let t = chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| format!("\"{s}\" is not an RFC 3339 date-time"))?;
            Ok(Value::String(
                t.to_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ))
        }
        // A sign-off is signed with true and cleared with null; false would be an
        // ambiguous third state.
        FieldType::Signoff => match value {
            Value::Bool(true) => Ok(Value::Bool(true)),
            _ => Err("a sign-off is signed with true or cleared with null".to_owned()),
        },
        FieldType::FileAttachment => match value.as_str() {
            Some(s) if !s.trim().is_empty() => Ok(value.clone()),
            _ => Err("expected a non-empty file reference".to_owned()),
        },
    }
}

fn check_option(options: &[String], s: &str) -> Result<(), String> {
    if options.iter().any(|o| o == s) {
        Ok(())
    } else {
        Err(format!(
            "\"{s}\" is not one of the options: {}",
            options.join(", ")
        ))
    }
}

/// Whether a stored value counts as filled for a required field: non-null and valid.
/// A blank string or an empty selection also counts as not filled, since it records
/// nothing.
pub fn is_filled(spec: &FieldSpec<'_>, value: Option<&Value>) -> bool {
    let Some(v) = value.filter(|v| !v.is_null()) else {
        return false;
    };
    let blank = match v {
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    !blank && validate_value(spec, v).is_ok()
}

/// Checks a field definition: SELECT/MULTISELECT need at least one option and no
/// duplicates (options are refused on other types); min/max only on NUMBER, finite,
/// min <= max; a pattern only on STRING, and it must compile.
pub fn validate_spec(
    field_type: FieldType,
    options: &[String],
    min: Option<f64>,
    max: Option<f64>,
    pattern: Option<&str>,
) -> Result<(), String> {
    let is_select = matches!(field_type, FieldType::Select | FieldType::Multiselect);
    if is_select {
        if options.is_empty() {
            return Err(format!("a {field_type} field needs at least one option"));
        }
        if options.iter().any(|o| o.trim().is_empty()) {
            return Err("options cannot be blank".to_owned());
        }
        let mut seen = HashSet::new();
        if let Some(dup) = options.iter().find(|o| !seen.insert(o.as_str())) {
            return Err(format!("option \"{dup}\" is listed twice"));
        }
    } else if !options.is_empty() {
        return Err(format!("a {field_type} field has no options"));
    }

    if min.is_some() || max.is_some() {
        if field_type != FieldType::Number {
            return Err(format!(
                "min and max apply to NUMBER fields, not {field_type}"
            ));
        }
        if min.is_some_and(|m| !m.is_finite()) || max.is_some_and(|m| !m.is_finite()) {
            return Err("min and max must be finite numbers".to_owned());
        }
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            return Err(format!("min {lo} is greater than max {hi}"));
        }
    }

    if let Some(p) = pattern {
        if field_type != FieldType::String {
            return Err(format!(
                "a pattern applies to STRING fields, not {field_type}"
            ));
        }
        full_match_regex(p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn a_pattern_is_compiled_once() {
        let a = full_match_regex("[A-Z]{3}-[0-9]+").unwrap();
        let b = full_match_regex("[A-Z]{3}-[0-9]+").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(a.is_match("ABC-12") && !a.is_match("xABC-12"));
        assert!(full_match_regex("(").is_err());
    }

    fn spec(field_type: FieldType) -> FieldSpec<'static> {
        FieldSpec {
            field_type,
            required: true,
            options: &[],
            min: None,
            max: None,
            pattern: None,
        }
    }

    fn opts() -> Vec<String> {
        vec!["red".into(), "green".into(), "blue".into()]
    }

    #[test]
    fn null_clears_every_type() {
        for &t in FieldType::ALL {
            assert_eq!(validate_value(&spec(t), &Value::Null), Ok(Value::Null));
            assert!(!is_filled(&spec(t), Some(&Value::Null)));
            assert!(!is_filled(&spec(t), None));
        }
    }

    #[test]
    fn strings_and_patterns() {
        let s = spec(FieldType::String);
        assert_eq!(validate_value(&s, &json!("abc")), Ok(json!("abc")));
        assert!(validate_value(&s, &json!(5)).is_err());
        let p = FieldSpec {
            pattern: Some("[A-Z]{3}-\\d+"),
            ..s
        };
        assert!(validate_value(&p, &json!("ABC-12")).is_ok());
        // Full match, not a substring.
        assert!(validate_value(&p, &json!("xABC-12")).is_err());
        assert!(validate_value(&p, &json!("ABC-12x")).is_err());
        let alt = FieldSpec {
            pattern: Some("a|b"),
            ..s
        };
        assert!(validate_value(&alt, &json!("ab")).is_err());
        assert!(validate_value(&alt, &json!("b")).is_ok());
        assert!(!is_filled(&s, Some(&json!("  "))));
        assert!(is_filled(&s, Some(&json!("x"))));
    }

    #[test]
    fn numbers() {
        let n = FieldSpec {
            min: Some(1.0),
            max: Some(10.5),
            ..spec(FieldType::Number)
        };
        assert_eq!(validate_value(&n, &json!(5)), Ok(json!(5)));
        assert!(validate_value(&n, &json!(1)).is_ok());
        assert!(validate_value(&n, &json!(10.5)).is_ok());
        assert!(
            validate_value(&n, &json!(0.99))
                .unwrap_err()
                .contains("minimum")
        );
        assert!(
            validate_value(&n, &json!(11))
                .unwrap_err()
                .contains("maximum")
        );
        assert!(validate_value(&n, &json!("5")).is_err());
        assert!(is_filled(&n, Some(&json!(2))));
        assert!(!is_filled(&n, Some(&json!(20))));
    }

    #[test]
    fn booleans_and_signoffs() {
        let b = spec(FieldType::Boolean);
        assert_eq!(validate_value(&b, &json!(false)), Ok(json!(false)));
        assert!(is_filled(&b, Some(&json!(false))));
        assert!(validate_value(&b, &json!("true")).is_err());
        let so = spec(FieldType::Signoff);
        assert_eq!(validate_value(&so, &json!(true)), Ok(json!(true)));
        assert!(validate_value(&so, &json!(false)).is_err());
        assert!(validate_value(&so, &json!("yes")).is_err());
        assert!(is_filled(&so, Some(&json!(true))));
    }

    #[test]
    fn selects() {
        let o = opts();
        let sel = FieldSpec {
            options: &o,
            ..spec(FieldType::Select)
        };
        assert!(validate_value(&sel, &json!("red")).is_ok());
        assert!(validate_value(&sel, &json!("pink")).is_err());
        assert!(validate_value(&sel, &json!(["red"])).is_err());
        let multi = FieldSpec {
            field_type: FieldType::Multiselect,
            ..sel
        };
        assert_eq!(
            validate_value(&multi, &json!(["blue", "red"])),
            Ok(json!(["blue", "red"]))
        );
        assert!(validate_value(&multi, &json!(["red", "red"])).is_err());
        assert!(validate_value(&multi, &json!(["pink"])).is_err());
        assert!(validate_value(&multi, &json!("red")).is_err());
        assert!(validate_value(&multi, &json!([])).is_ok());
        assert!(!is_filled(&multi, Some(&json!([]))));
        assert!(is_filled(&multi, Some(&json!(["green"]))));
    }

    #[test]
    fn datetimes_normalize_to_utc() {
        let d = spec(FieldType::Datetime);
        assert_eq!(
            validate_value(&d, &json!("2026-11-28T10:00:00Z")),
            Ok(json!("2026-11-28T10:00:00Z"))
        );
        assert_eq!(
            validate_value(&d, &json!("2026-11-28T12:30:00+02:00")),
            Ok(json!("2026-11-28T10:30:00Z"))
        );
        assert_eq!(
            validate_value(&d, &json!("2026-11-28T10:00:00.250-01:00")),
            Ok(json!("2026-11-28T11:00:00.250Z"))
        );
        assert!(validate_value(&d, &json!("2026-11-28")).is_err());
        assert!(validate_value(&d, &json!("tomorrow")).is_err());
        assert!(validate_value(&d, &json!(1700000000)).is_err());
    }

    #[test]
    fn attachments() {
        let f = spec(FieldType::FileAttachment);
        assert!(validate_value(&f, &json!("files/123")).is_ok());
        assert!(validate_value(&f, &json!("")).is_err());
        assert!(validate_value(&f, &json!(" ")).is_err());
        assert!(validate_value(&f, &json!(123)).is_err());
    }

    #[test]
    fn field_definitions() {
        let o = opts();
        let none: &[String] = &[];
        assert!(validate_spec(FieldType::Select, &o, None, None, None).is_ok());
        assert!(validate_spec(FieldType::Multiselect, none, None, None, None).is_err());
        let dup = vec!["a".to_owned(), "a".to_owned()];
        assert!(validate_spec(FieldType::Select, &dup, None, None, None).is_err());
        assert!(validate_spec(FieldType::Select, &["".to_owned()], None, None, None).is_err());
        assert!(validate_spec(FieldType::String, &o, None, None, None).is_err());
        assert!(validate_spec(FieldType::Number, none, Some(1.0), Some(2.0), None).is_ok());
        assert!(validate_spec(FieldType::Number, none, Some(2.0), Some(2.0), None).is_ok());
        assert!(validate_spec(FieldType::Number, none, Some(3.0), Some(2.0), None).is_err());
        assert!(validate_spec(FieldType::Number, none, Some(f64::NAN), None, None).is_err());
        assert!(validate_spec(FieldType::String, none, Some(1.0), None, None).is_err());
        assert!(validate_spec(FieldType::String, none, None, None, Some("\\d+")).is_ok());
        assert!(validate_spec(FieldType::String, none, None, None, Some("(")).is_err());
        assert!(validate_spec(FieldType::Number, none, None, None, Some("\\d")).is_err());
        for &t in FieldType::ALL {
            let needs_options = matches!(t, FieldType::Select | FieldType::Multiselect);
            assert_eq!(
                validate_spec(t, none, None, None, None).is_ok(),
                !needs_options,
                "{t}"
            );
        }
    }

    proptest! {
        #[test]
        fn numbers_within_bounds(a in -1e6f64..1e6, b in -1e6f64..1e6, x in -2e6f64..2e6) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let none: &[String] = &[];
            prop_assert!(validate_spec(FieldType::Number, none, Some(lo), Some(hi), None).is_ok());
            let s = FieldSpec { min: Some(lo), max: Some(hi), ..spec(FieldType::Number) };
            prop_assert_eq!(validate_value(&s, &json!(x)).is_ok(), lo <= x && x <= hi);
        }

        #[test]
        fn normalized_values_validate_again(v in prop_oneof![
            Just(json!("2026-01-02T03:04:05+05:30")),
            (0i64..4_000_000_000).prop_map(|s| json!(chrono::DateTime::from_timestamp(s, 0).unwrap().to_rfc3339())),
        ]) {
            let d = spec(FieldType::Datetime);
            let n = validate_value(&d, &v).unwrap();
            prop_assert_eq!(validate_value(&d, &n), Ok(n.clone()));
        }
    }
}
