//! Rows decoded by their column's position instead of its name. sea-orm's derived
//! `FromQueryResult` looks every value up by name, and for a nullable column twice (is it
//! null, then its value): on SQLite that is a hash lookup per value. Decoding runs was
//! 11% of the samples of `perf` on the schedule bench by name, 7.5% by position. The tables read in bulk (runs, their steps and fields)
//! list their fields here in column order; the others keep decoding by name. The struct
//! literal names every field once, and a test checks that the order is the columns'.
//!
//! A NULL is asked of the driver's row before sea-orm reads the value: sea-orm answers a
//! NULL in an `Option` column by formatting an error and throwing it away, which was 9.4%
//! of the server's instructions (callgrind) on a traveler read.
//!
//! On PostgreSQL, a value of a built-in type (integers, booleans, floats, text, timestamps)
//! is read from its binary form here, its type checked by the column's oid; anything else
//! goes through sea-orm and sqlx as before. `tests/api/decode.rs` holds both ways equal.

use sea_orm::{
    DbErr, EntityTrait, FromQueryResult, QueryResult, QuerySelect, QueryTrait, Select, TryGetable,
    prelude::*,
};

/// A row of `Entity::find()`'s columns, decoded into the entity's model.
pub trait Decode: Sized {
    /// The fields decoded by position, in order; empty when decoded by name.
    const POSITIONS: &'static [&'static str] = &[];
    fn decode(row: &QueryResult) -> Result<Self, DbErr>;
}

/// Every row of `q`, decoded through [`Decode`]. `q` must select the entity's own
/// columns in their order (`Entity::find()` does), not a join or a custom selection.
pub async fn all<E>(q: Select<E>, db: &impl ConnectionTrait) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait<Model: Decode>,
{
    let rows = db.query_all(&q.into_query()).await?;
    rows.iter().map(E::Model::decode).collect()
}

/// The first row of `q`, as [`all`] decodes it.
pub async fn one<E>(q: Select<E>, db: &impl ConnectionTrait) -> Result<Option<E::Model>, DbErr>
where
    E: EntityTrait<Model: Decode>,
{
    let row = db.query_one(&q.limit(1).into_query()).await?;
    row.as_ref().map(E::Model::decode).transpose()
}

/// A model's field read from column `i` of a row.
trait Field: TryGetable {
    /// The value from PostgreSQL's binary form of a column of type `oid`; `None` (another
    /// type, a malformed value) sends it down sea-orm's generic path, which also words the
    /// errors.
    fn from_pg(_oid: u32, _bytes: &[u8]) -> Option<Self> {
        None
    }

    fn at(row: &QueryResult, i: usize) -> Result<Self, DbErr> {
        if let Some(Some((oid, bytes))) = pg_value(row, i)
            && let Some(v) = Self::from_pg(oid, bytes)
        {
            return Ok(v);
        }
        row.try_get_by_index(i)
    }
}

// PostgreSQL's oids of the built-in types (`pg_type.dat`), the same on every server.
const BOOL: u32 = 16;
const INT8: u32 = 20;
const INT4: u32 = 23;
const TEXT: u32 = 25;
const FLOAT8: u32 = 701;
const BPCHAR: u32 = 1042;
const VARCHAR: u32 = 1043;
const TIMESTAMPTZ: u32 = 1184;
/// PostgreSQL counts a timestamp's microseconds from 2000-01-01 00:00 UTC.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// `Field` for the types of columns that cannot be NULL. A type may list the PostgreSQL
/// types (oids) it reads from their bytes `b`, and how; the others are read by sea-orm only.
/// sqlx's generic decode checks each value's type against the Rust type's compatible set
/// and takes a timestamp through chrono's calendar twice (BENCHMARKS.md, tenth stop).
macro_rules! not_null {
    ($($t:ty $(: [$($oid:ident),+] |$b:ident| $pg:expr)?;)*) => {$(
        impl Field for $t {
            $(fn from_pg(oid: u32, $b: &[u8]) -> Option<Self> {
                if ![$($oid),+].contains(&oid) {
                    return None;
                }
                $pg
            })?
        }
    )*};
}
not_null! {
    i64: [INT8] |b| b.try_into().ok().map(i64::from_be_bytes);
    i32: [INT4] |b| b.try_into().ok().map(i32::from_be_bytes);
    bool: [BOOL] |b| match b { [v] => Some(*v != 0), _ => None };
    f64: [FLOAT8] |b| b.try_into().ok().map(f64::from_be_bytes);
    String: [TEXT, VARCHAR, BPCHAR] |b| std::str::from_utf8(b).ok().map(str::to_owned);
    DateTimeUtc: [TIMESTAMPTZ] |b| {
        let micros = i64::from_be_bytes(b.try_into().ok()?);
        DateTimeUtc::from_timestamp_micros(micros.checked_add(PG_EPOCH_MICROS)?)
    };
    Date;
    Json;
}

impl<T: Field> Field for Option<T> {
    fn at(row: &QueryResult, i: usize) -> Result<Self, DbErr> {
        match pg_value(row, i) {
            Some(None) => return Ok(None),
            Some(Some((oid, bytes))) => {
                return match T::from_pg(oid, bytes) {
                    Some(v) => Ok(Some(v)),
                    None => row.try_get_by_index(i).map(Some),
                };
            }
            None => {}
        }
        match sqlite_null(row, i) {
            Some(true) => Ok(None),
            Some(false) => T::at(row, i).map(Some),
            None => row.try_get_by_index(i),
        }
    }
}

/// Column `i` of a PostgreSQL row: `Some(None)` when NULL, else its type's oid and its
/// bytes in binary form; `None` for a row of another kind, a value in text form, or a
/// column it does not have.
fn pg_value(row: &QueryResult, i: usize) -> Option<Option<(u32, &[u8])>> {
    use sea_orm::sqlx::postgres::PgValueFormat;
    use sea_orm::sqlx::{Row, ValueRef};
    let v = row.try_as_pg_row()?.try_get_raw(i).ok()?;
    if v.is_null() {
        return Some(None);
    }
    if v.format() != PgValueFormat::Binary {
        return None;
    }
    let oid = v.type_info().oid()?.0;
    Some(Some((oid, v.as_bytes().ok()?)))
}

/// Whether column `i` of a SQLite row is NULL; `None` for a row of another kind, or a
/// column it does not have (sea-orm then answers as it does). A PostgreSQL row's NULLs
/// are found by [`pg_value`].
fn sqlite_null(row: &QueryResult, i: usize) -> Option<bool> {
    use sea_orm::sqlx::{Row, ValueRef};
    let r = row.try_as_sqlite_row()?;
    r.try_get_raw(i).ok().map(|v| v.is_null())
}

/// A model decoded from the columns `at` names, one per field in order: a row that holds
/// other models' columns too (a traveler's run, steps and fields, `store::traveler`).
pub trait DecodeAt: Decode {
    fn decode_at(row: &QueryResult, at: impl Iterator<Item = usize>) -> Result<Self, DbErr>;
}

/// The integer in column `i` of a row (a literal of the statement's own, such as a row's
/// kind in a union).
pub fn int_at(row: &QueryResult, i: usize) -> Result<i32, DbErr> {
    i32::at(row, i)
}

/// `Decode` by position: the model's fields, every one, in the entity's column order.
macro_rules! by_position {
    ($($m:ident { $($f:ident),* $(,)? })*) => {$(
        impl Decode for entity::$m::Model {
            const POSITIONS: &'static [&'static str] = &[$(stringify!($f)),*];
            fn decode(row: &QueryResult) -> Result<Self, DbErr> {
                Self::decode_at(row, 0..)
            }
        }
        impl DecodeAt for entity::$m::Model {
            fn decode_at(
                row: &QueryResult,
                mut at: impl Iterator<Item = usize>,
            ) -> Result<Self, DbErr> {
                Ok(entity::$m::Model {
                    $($f: Field::at(row, at.next().unwrap_or_default())?,)*
                })
            }
        }
    )*};
}

/// `Decode` by name, as sea-orm derives it.
macro_rules! by_name {
    ($($m:ident),* $(,)?) => {$(
        impl Decode for entity::$m::Model {
            fn decode(row: &QueryResult) -> Result<Self, DbErr> {
                <Self as FromQueryResult>::from_query_result(row, "")
            }
        }
    )*};
}

by_name!(
    api_key,
    attribute_definition,
    counter,
    event,
    idempotency_key,
    organization,
    part,
    part_inventory,
    part_part_subtype,
    part_procedure,
    part_subtype,
    procedure,
    role,
    run_batch,
    run_step_event,
    step,
    step_edge,
    step_field,
    team,
    team_member,
    team_role,
    user,
    user_role,
    work_center,
);

// What a traveler or a run list reads by the thousand.
by_position! {
    run {
        id, organization_id, number, title, status, procedure_id, part_id,
        part_inventory_id, source, run_batch_id, assigned_to_id, assigned_team_id, due_date,
        export_controlled, attributes, lock_version, created_at, started_at, completed_at,
        work_center_id, scheduled_start, scheduled_end, priority, updated_at, created_by_id,
        updated_by_id,
    }
    run_step {
        id, organization_id, run_id, origin_step_id, parent_id, position, title, content,
        status, held_from, lock_version, started_at, completed_at, lead_time, created_at,
        updated_at, created_by_id, updated_by_id,
    }
    run_step_field {
        id, organization_id, run_id, run_step_id, origin_field_id, position, name,
        field_type, required, unit, options, min, max, pattern, value, signed_by_id,
        signed_at, lock_version, created_at, updated_at, created_by_id, updated_by_id,
    }
    run_step_edge { run_id, step_id, upstream_step_id }
}

#[cfg(test)]
mod tests {
    use super::Decode;
    use entity::{run, run_step, run_step_edge, run_step_field};
    use sea_orm::{EntityTrait, IdenStatic, Iterable};

    fn in_column_order<E: EntityTrait<Model: Decode>>() {
        let columns: Vec<&str> = E::Column::iter().map(|c| c.as_str()).collect();
        assert_eq!(E::Model::POSITIONS, columns.as_slice());
    }

    #[test]
    fn positional_decodes_list_every_column_in_order() {
        in_column_order::<run::Entity>();
        in_column_order::<run_step::Entity>();
        in_column_order::<run_step_field::Entity>();
        in_column_order::<run_step_edge::Entity>();
    }
}
