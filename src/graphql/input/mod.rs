//! The contract's GraphQL input objects, and their conversion into the store's plain
//! commands. ID parsing and input paths (`extensions.field`) are owned here: the store only
//! sees `i64` ids, domain enums and chrono types.

pub mod filters;

use async_graphql::{ID, MaybeUndefined};

use crate::error::{AppError, AppResult, Seg};
use crate::store::runs::Patch;

/// Parses an `ID` holding an integer key (`12` and `"12"` both arrive here as text); an
/// invalid one is `BAD_USER_INPUT` at `path`.
pub fn id(id: &ID, path: &[Seg]) -> AppResult<i64> {
    id.as_str()
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            AppError::bad_input(format!("`{}` is not a valid id", id.as_str()))
                .with_path(path.to_vec())
        })
}

/// `id` for an optional input field.
pub fn opt_id(v: &Option<ID>, path: &[Seg]) -> AppResult<Option<i64>> {
    v.as_ref().map(|v| id(v, path)).transpose()
}

/// An input field that may be cleared: absent keeps the value, null clears it, a value
/// sets it (converted by `f`).
pub fn patch<T, U>(v: MaybeUndefined<T>, f: impl FnOnce(T) -> AppResult<U>) -> AppResult<Patch<U>> {
    Ok(match v {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::To(f(v)?),
    })
}

/// [`patch`] of an id, refused at `path` when it is not one.
pub fn patch_id(v: MaybeUndefined<ID>, path: &[Seg]) -> AppResult<Patch<i64>> {
    patch(v, |v| id(&v, path))
}

/// Every id of a list, each refused at its own index (`[.., "userIds", 2]`).
pub fn ids(v: &[ID], path: &[Seg]) -> AppResult<Vec<i64>> {
    v.iter()
        .enumerate()
        .map(|(i, v)| {
            let mut p = path.to_vec();
            p.push(Seg::Index(i));
            id(v, &p)
        })
        .collect()
}

/// The path of a field of the mutation's `input` argument, e.g. `input_path("id")`.
pub fn input_path(key: &'static str) -> Vec<Seg> {
    keys(&["input", key])
}

/// A path of keys, e.g. `keys(&["input", "runs"])`.
pub fn keys(path: &[&'static str]) -> Vec<Seg> {
    path.iter().map(|k| Seg::Key(k)).collect()
}

pub mod admin;
pub mod catalog;
pub mod create_runs;
pub mod floor;
pub mod procedures;
pub mod work_centers;
