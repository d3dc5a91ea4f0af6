//! The contract's list filters (`{eq, neq, in, ilike, lt, lte, gt, gte, isNull}`) as plain
//! data, turned into SQL conditions on a column.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, IntoColumnRef, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, Value};

use crate::domain::enums::{PartInventoryStatus, ProcedureStatus, ProcedureType, TrackingType};
use crate::domain::status::RunStatus;

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
    as str: RunStatus, ProcedureStatus, ProcedureType, TrackingType, PartInventoryStatus
);

/// All the conditions of `f` on `col`, joined with AND.
pub fn condition<C>(col: C, f: &Filter<Value>) -> Condition
where
    C: ColumnTrait + IntoColumnRef + Copy,
{
    let mut c = Condition::all();
    if let Some(v) = &f.eq {
        c = c.add(col.eq(v.clone()));
    }
    if let Some(v) = &f.neq {
        c = c.add(col.ne(v.clone()));
    }
    if let Some(v) = &f.any_of {
        c = c.add(col.is_in(v.iter().cloned()));
    }
    if let Some(p) = &f.ilike {
        // LOWER on both sides: case-insensitive on PostgreSQL and SQLite alike.
        let e: SimpleExpr = Func::lower(Expr::col(col)).into();
        c = c.add(e.like(p.to_lowercase()));
    }
    if let Some(v) = &f.lt {
        c = c.add(col.lt(v.clone()));
    }
    if let Some(v) = &f.lte {
        c = c.add(col.lte(v.clone()));
    }
    if let Some(v) = &f.gt {
        c = c.add(col.gt(v.clone()));
    }
    if let Some(v) = &f.gte {
        c = c.add(col.gte(v.clone()));
    }
    match f.is_null {
        Some(true) => c = c.add(col.is_null()),
        Some(false) => c = c.add(col.is_not_null()),
        None => {}
    }
    c
}
