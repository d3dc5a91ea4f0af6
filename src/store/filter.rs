//! The contract's list filters (`{eq, neq, in, ilike, lt, lte, gt, gte, isNull}`) as plain
//! data, turned into SQL conditions on a column.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, IntoColumnRef, LikeExpr, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, Value};

use crate::domain::enums::{
    PartInventoryStatus, PartStatus, ProcedureStatus, ProcedureType, TrackingType,
};
use crate::domain::status::RunStatus;
use crate::error::{AppError, AppResult, Code};

#[derive(Clone, Debug)]
pub struct Filter<V> {
    pub eq: Option<V>,
    pub neq: Option<V>,
    pub any_of: Option<Vec<V>>,
    pub ilike: Option<String>,
    pub lt: Option<V>,
    pub lte: Option<V>,
    pub gt: Option<V>,
    pub gte: Option<V>,
    pub is_null: Option<bool>,
}

impl<V> Default for Filter<V> {
    fn default() -> Self {
        Filter {
            eq: None,
            neq: None,
            any_of: None,
            ilike: None,
            lt: None,
            lte: None,
            gt: None,
            gte: None,
            is_null: None,
        }
    }
}

impl<V> Filter<V> {
    pub fn map<W>(self, f: impl Fn(V) -> W) -> Filter<W> {
        Filter {
            eq: self.eq.map(&f),
            neq: self.neq.map(&f),
            any_of: self.any_of.map(|v| v.into_iter().map(&f).collect()),
            ilike: self.ilike,
            lt: self.lt.map(&f),
            lte: self.lte.map(&f),
            gt: self.gt.map(&f),
            gte: self.gte.map(&f),
            is_null: self.is_null,
        }
    }
}

/// A value a list can be filtered on, as its column stores it.
pub trait Scalar {
    fn into_value(self) -> Value;
}

macro_rules! scalar {
    (as is: $($t:ty),*; as str: $($e:ty),*) => {
        $(impl Scalar for $t {
            fn into_value(self) -> Value {
                self.into()
            }
        })*
        // Enum columns hold the variant's upper-case name.
        $(impl Scalar for $e {
            fn into_value(self) -> Value {
                self.as_str().into()
            }
        })*
    };
}
scalar!(
    as is: i64, i32, f64, bool, String, NaiveDate, DateTime<Utc>;
    as str: RunStatus, ProcedureStatus, ProcedureType, TrackingType, PartInventoryStatus,
        PartStatus
);

/// Most values in one `in` list: more would exceed the databases' bound parameters (SQLite's
/// 32,766) and gain nothing a narrower filter would not.
pub const MAX_IN: usize = 1000;
/// Longest `ilike` pattern, in characters (SQLite refuses patterns over 50,000 bytes).
pub const MAX_PATTERN: usize = 1000;

/// Refuses, as the caller's mistake rather than a database error, what one filter on
/// `column` may not ask: an `in` list over [`MAX_IN`], an `ilike` pattern over
/// [`MAX_PATTERN`] or ending in a lone `\` (the escape character).
pub fn check<V>(column: &str, f: &Filter<V>) -> AppResult<()> {
    if let Some(n) = f.any_of.as_ref().map(Vec::len).filter(|&n| n > MAX_IN) {
        let msg = format!("filter on {column}: `in` lists {n} values; at most {MAX_IN}");
        return Err(AppError::new(Code::LimitExceeded, msg).at(&["filters"]));
    }
    let Some(p) = &f.ilike else { return Ok(()) };
    let n = p.chars().count();
    if n > MAX_PATTERN {
        let msg = format!("filter on {column}: `ilike` is {n} characters; at most {MAX_PATTERN}");
        return Err(AppError::new(Code::LimitExceeded, msg).at(&["filters"]));
    }
    if p.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1 {
        let msg = format!(
            "filter on {column}: `ilike` ends with the escape character `\\` (write `\\\\` for a backslash)"
        );
        return Err(AppError::bad_input(msg).at(&["filters"]));
    }
    Ok(())
}

/// A comparison of a column with a value (`=`, `<`, ...).
type Compare<C> = fn(C, Value) -> SimpleExpr;

/// All the conditions of `f` on `col`, joined with AND.
pub fn condition<C>(col: C, f: &Filter<Value>) -> Condition
where
    C: ColumnTrait + IntoColumnRef + Copy,
{
    let compare: [(&Option<Value>, Compare<C>); 6] = [
        (&f.eq, |c, v| c.eq(v)),
        (&f.neq, |c, v| c.ne(v)),
        (&f.lt, |c, v| c.lt(v)),
        (&f.lte, |c, v| c.lte(v)),
        (&f.gt, |c, v| c.gt(v)),
        (&f.gte, |c, v| c.gte(v)),
    ];
    let mut c = Condition::all();
    for (v, op) in compare {
        if let Some(v) = v {
            c = c.add(op(col, v.clone()));
        }
    }
    if let Some(v) = &f.any_of {
        c = c.add(col.is_in(v.iter().cloned()));
    }
    if let Some(p) = &f.ilike {
        // LOWER on both sides: case-insensitive on PostgreSQL and SQLite alike; `\` escapes
        // `%` and `_` on both (PostgreSQL's default, SQLite's only when told).
        let e: SimpleExpr = Func::lower(Expr::col(col)).into();
        c = c.add(e.like(LikeExpr::new(p.to_lowercase()).escape('\\')));
    }
    match f.is_null {
        Some(true) => c.add(col.is_null()),
        Some(false) => c.add(col.is_not_null()),
        None => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::part;
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    fn sql(col: part::Column, f: Filter<Value>) -> String {
        let q = part::Entity::find().filter(condition(col, &f));
        let s = q.build(DbBackend::Sqlite).to_string();
        s.split(" WHERE ").nth(1).unwrap_or_default().to_string()
    }

    #[test]
    fn every_condition_is_joined_with_and() {
        let f = Filter {
            neq: Some("A".to_string()),
            any_of: Some(vec!["B".to_string(), "C".to_string()]),
            ilike: Some("B%".into()),
            is_null: Some(false),
            ..Default::default()
        };
        assert_eq!(
            sql(part::Column::PartNumber, f.map(String::into_value)),
            r#""parts"."part_number" <> 'A' AND "parts"."part_number" IN ('B', 'C') AND LOWER("part_number") LIKE 'b%' ESCAPE '\' AND "parts"."part_number" IS NOT NULL"#
        );
        assert_eq!(sql(part::Column::PartNumber, Filter::default()), "TRUE");
    }

    #[test]
    fn check_bounds_in_lists_and_patterns() {
        let f = |any_of: usize, ilike: &str| Filter::<i64> {
            any_of: Some(vec![1; any_of]),
            ilike: Some(ilike.to_string()),
            ..Default::default()
        };
        assert!(check("id", &f(MAX_IN, "a\\\\")).is_ok());
        assert_eq!(
            check("id", &f(MAX_IN + 1, "a")).unwrap_err().code,
            Code::LimitExceeded
        );
        let long = "a".repeat(MAX_PATTERN + 1);
        assert_eq!(
            check("id", &f(1, &long)).unwrap_err().code,
            Code::LimitExceeded
        );
        assert_eq!(
            check("id", &f(1, "a\\")).unwrap_err().code,
            Code::BadUserInput
        );
        assert_eq!(
            check("id", &f(1, "\\\\\\")).unwrap_err().code,
            Code::BadUserInput
        );
    }

    #[test]
    fn enums_filter_on_their_stored_name() {
        let f = Filter {
            eq: Some(TrackingType::Lot),
            ..Default::default()
        };
        assert_eq!(
            sql(part::Column::TrackingType, f.map(TrackingType::into_value)),
            r#""parts"."tracking_type" = 'LOT'"#
        );
    }
}
