//! A traveler (a run with its steps and their fields): what `run(id)` reads when its
//! steps are selected.
//!
//! On PostgreSQL the three kinds of rows come in one statement, a `UNION ALL`. Read
//! apart they were three statements, and a statement's round trip cost the server and
//! PostgreSQL more than its rows (BENCHMARKS.md, fourteenth stop). Columns of one SQL type
//! share slots across the kinds, so a row is as wide as the most columns any kind has of
//! each type (33 columns, not 67): PostgreSQL sends, and sqlx splits, every column of
//! every row, NULL or not.
//!
//! On SQLite a statement is no network round trip, only a hand-off to the connection's
//! thread, and the union's wider rows cost more than the two hand-offs they save
//! (`bench/http.sh`: 0.96 against 0.73 µs per resolved field); the floor's step actions
//! waited longer behind it too. There the three statements stay.

use std::sync::OnceLock;

use entity::{run, run_step, run_step_field};
use sea_orm::sea_query::{Expr, SelectStatement, UnionType};
use sea_orm::{
    ColumnTrait, ColumnType, ConnectionTrait, DbBackend, DbErr, EntityTrait, Iterable, QueryFilter,
    QueryResult, QueryTrait, Select, Statement, Value,
};

use super::decode::{DecodeAt, int_at};
use super::reads;
use super::scope::{self, visible};
use crate::caller::Caller;
use crate::error::AppError;

/// Run `id` as a traveler: one statement on PostgreSQL, three on SQLite. `None` when the
/// caller cannot see the run; its steps are then not read, or not kept.
pub async fn read(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> Result<Option<Traveler>, AppError> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return apart(db, caller, id).await;
    }
    let rows = db.query_all_raw(statement(backend, caller, id)).await?;
    let traveler = split(&rows)?;
    if let Some(t) = &traveler {
        caller.rows.take(t.steps.len() + t.fields.len())?;
    }
    Ok(traveler)
}

/// A run with its steps (in traveler order) and their fields, as the caller may see them.
pub struct Traveler {
    pub run: run::Model,
    pub steps: Vec<run_step::Model>,
    /// Each step's fields together, in the steps' order of ids, each step's in order.
    pub fields: Vec<run_step_field::Model>,
}

/// The run, then its steps and their fields (`reads::run_trees`): three statements.
async fn apart(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> Result<Option<Traveler>, AppError> {
    let Some(run) = scope::find::<run::Entity>(db, caller, id).await? else {
        return Ok(None);
    };
    let (mut steps, mut fields) = reads::run_trees(db, caller, &[id]).await?;
    Ok(Some(Traveler {
        run,
        steps: steps.remove(&id).unwrap_or_default(),
        fields: fields.remove(&id).unwrap_or_default(),
    }))
}

/// The statement. Its SQL is made once per database and clearance, with stand-ins for
/// the organization and the run: building its column references anew was a fifth of a
/// traveler read's instructions (callgrind). Its values are the made statement's, the
/// stand-ins replaced by the caller's organization and the run's id.
fn statement(backend: DbBackend, caller: &Caller, id: i64) -> Statement {
    // Never a row's id, nor an organization's: those are positive.
    const ORG: i64 = -7_000_001;
    const RUN: i64 = -7_000_002;
    static MADE: [OnceLock<(String, Vec<Value>)>; 4] = [const { OnceLock::new() }; 4];
    let cleared = caller.export_control_cleared;
    let slot = usize::from(backend == DbBackend::Postgres) * 2 + usize::from(cleared);
    let made = MADE[slot].get_or_init(|| {
        let stand_in = Caller {
            organization_id: ORG,
            ..caller.clone()
        };
        let made = backend.build(&query(&stand_in, RUN));
        (made.sql, made.values.map(|v| v.0).unwrap_or_default())
    });
    let values = made.1.iter().map(|v| match v {
        Value::BigInt(Some(ORG)) => Value::BigInt(Some(caller.organization_id)),
        Value::BigInt(Some(RUN)) => Value::BigInt(Some(id)),
        v => v.clone(),
    });
    Statement::from_sql_and_values(backend, made.0.clone(), values)
}

/// The union of the three kinds of rows, as `caller` may see them. Unsorted: sorting the
/// union's rows cost PostgreSQL more than sorting them here (pgbench, BENCHMARKS.md).
fn query(caller: &Caller, id: i64) -> SelectStatement {
    use {run::Column as R, run_step::Column as S, run_step_field::Column as F};
    kind(visible::<run::Entity>(caller).filter(R::Id.eq(id)), 0)
        .union(
            UnionType::All,
            kind(
                visible::<run_step::Entity>(caller).filter(S::RunId.eq(id)),
                1,
            ),
        )
        .union(
            UnionType::All,
            kind(
                visible::<run_step_field::Entity>(caller).filter(F::RunId.eq(id)),
                2,
            ),
        )
        .to_owned()
}

/// One kind of rows: `q`'s columns in their slots, a NULL of the slot's type in the
/// others (PostgreSQL types an untyped NULL in a union's first branches as text, which a
/// later branch's column of another type does not match), then the kind.
fn kind<E: EntityTrait>(q: Select<E>, kind: usize) -> SelectStatement {
    let mut s = q.into_query();
    s.clear_selects();
    let columns: Vec<E::Column> = E::Column::iter().collect();
    for slot in &layout().slots[kind] {
        match *slot {
            Slot::Column(i) => s.column((E::default(), columns[i])),
            Slot::Null(ty) => s.expr(Expr::cust(format!("CAST(NULL AS {ty})"))),
        };
    }
    s.expr(Expr::cust(kind.to_string()));
    s
}

/// The run, steps and fields of the rows, told apart by their kind, each kind sorted.
fn split(rows: &[QueryResult]) -> Result<Option<Traveler>, DbErr> {
    let l = layout();
    let kinds = rows
        .iter()
        .map(|row| int_at(row, l.width))
        .collect::<Result<Vec<_>, _>>()?;
    let count = |k| kinds.iter().filter(|x| **x == k).count();
    let mut steps = Vec::with_capacity(count(1));
    let mut fields = Vec::with_capacity(count(2));
    let mut run = None;
    for (row, k) in rows.iter().zip(kinds) {
        match k {
            0 => run = Some(run::Model::decode_at(row, l.at[0].iter().copied())?),
            1 => steps.push(run_step::Model::decode_at(row, l.at[1].iter().copied())?),
            _ => fields.push(run_step_field::Model::decode_at(
                row,
                l.at[2].iter().copied(),
            )?),
        }
    }
    // They mostly come in order already, which the sort finds in one pass.
    steps.sort_by_key(|s| (s.position, s.id));
    fields.sort_by_key(|f| (f.run_step_id, f.position, f.id));
    Ok(run.map(|run| Traveler { run, steps, fields }))
}

/// What stands in one column of a kind's rows.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    /// The kind's column at this index, in its table's column order.
    Column(usize),
    /// A NULL of this SQL type.
    Null(&'static str),
}

/// Where each kind's columns stand in the rows.
#[derive(Debug)]
struct Layout {
    /// Each kind's row, slot by slot.
    slots: [Vec<Slot>; 3],
    /// Each kind's columns' slots, in column order.
    at: [Vec<usize>; 3],
    /// The slots in a row; the kind stands after them.
    width: usize,
}

fn layout() -> &'static Layout {
    static LAYOUT: OnceLock<Layout> = OnceLock::new();
    LAYOUT.get_or_init(|| {
        Layout::of([
            types::<run::Entity>(),
            types::<run_step::Entity>(),
            types::<run_step_field::Entity>(),
        ])
    })
}

/// The SQL type of each of `E`'s columns, in column order.
fn types<E: EntityTrait>() -> Vec<&'static str> {
    E::Column::iter()
        .map(|c| sql_type(c.def().get_column_type()))
        .collect()
}

/// A column's type, as a slot's and a NULL's. Text of any length shares slots. A type
/// not named here is taken as text: a traveler read's tests then fail on PostgreSQL.
fn sql_type(t: &ColumnType) -> &'static str {
    match t {
        ColumnType::BigInteger => "bigint",
        ColumnType::Integer => "integer",
        ColumnType::Boolean => "boolean",
        ColumnType::Double => "double precision",
        ColumnType::TimestampWithTimeZone => "timestamptz",
        ColumnType::Date => "date",
        ColumnType::JsonBinary => "jsonb",
        ColumnType::Json => "json",
        _ => "text",
    }
}

impl Layout {
    /// Each type gets as many slots as the kind with the most columns of it has; a kind's
    /// columns of a type fill its slots in column order.
    fn of(kinds: [Vec<&'static str>; 3]) -> Layout {
        let mut all: Vec<&'static str> = kinds.iter().flatten().copied().collect();
        all.sort_unstable();
        all.dedup();
        let mut slots: [Vec<Slot>; 3] = Default::default();
        let mut at: [Vec<usize>; 3] = kinds.each_ref().map(|k| vec![0; k.len()]);
        for ty in all {
            let of_type = |k: &Vec<&str>| (0..k.len()).filter(|i| k[*i] == ty).collect::<Vec<_>>();
            let mine = kinds.each_ref().map(of_type);
            let n = mine.iter().map(Vec::len).max().unwrap_or(0);
            for (k, cols) in mine.iter().enumerate() {
                for j in 0..n {
                    match cols.get(j) {
                        Some(&i) => {
                            at[k][i] = slots[k].len();
                            slots[k].push(Slot::Column(i));
                        }
                        None => slots[k].push(Slot::Null(ty)),
                    }
                }
            }
        }
        let width = slots[0].len();
        Layout { slots, at, width }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caller::RowBudget;

    /// Every kind's row is as wide, its columns each in a slot of their own type, and
    /// where it has no column a NULL of the slot's type.
    #[test]
    fn kinds_share_slots_by_type() {
        let kinds = [
            vec!["bigint", "text", "bigint"],
            vec!["text", "text"],
            vec!["double precision"],
        ];
        let l = Layout::of(kinds.clone());
        assert_eq!(l.width, 5, "2 bigint, 1 double, 2 text");
        for (k, types) in kinds.iter().enumerate() {
            assert_eq!(l.slots[k].len(), l.width);
            for (i, ty) in types.iter().enumerate() {
                assert_eq!(l.slots[k][l.at[k][i]], Slot::Column(i));
                // The slot's type is the column's: another kind's NULL there says so.
                let other = (k + 1) % 3;
                if let Slot::Null(t) = l.slots[other][l.at[k][i]] {
                    assert_eq!(t, *ty);
                }
            }
        }
        assert_eq!(l.at[0], [0, 3, 1]);
        assert_eq!(l.slots[2][3], Slot::Null("text"));
        assert_eq!(layout().width, 32, "the traveler's 26, 18 and 22 columns");
    }

    /// The made statement, its stand-ins replaced, is the one built for the caller and the
    /// run, on both databases, cleared or not, whatever the first caller was.
    #[test]
    fn the_made_statement_is_the_built_one() {
        let caller = |org, cleared| Caller {
            organization_id: org,
            user_id: 3,
            api_key_id: 4,
            perms: Default::default(),
            export_control_cleared: cleared,
            system_admin: false,
            request_id: None,
            rows: RowBudget::default(),
        };
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            for (org, id, cleared) in [(1, 1, false), (7, 9, true), (9, 7, false), (2, 2, true)] {
                let c = caller(org, cleared);
                let built = backend.build(&query(&c, id));
                let made = statement(backend, &c, id);
                assert_eq!((made.sql, made.values), (built.sql, built.values));
            }
        }
    }
}
