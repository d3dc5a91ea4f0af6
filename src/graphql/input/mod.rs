//! The contract's GraphQL input objects, and their conversion into the store's plain
//! commands. ID parsing and input paths (`extensions.field`) are owned here: the store only
//! sees `i64` ids, domain enums and chrono types.

pub mod filters;

use async_graphql::{ID, MaybeUndefined};

use crate::error::{AppError, AppResult, Seg};
use crate::store::commands::Patch;

/// The integer an `ID` holds (`12` and `"12"` both arrive as text); `None` when it holds
/// none. Lookups and filters take that as finding nothing.
pub fn key(id: &ID) -> Option<i64> {
    id.as_str().trim().parse().ok()
}

/// Parses an `ID` holding an integer key; an invalid one is `BAD_USER_INPUT` at `path`.
pub fn id(id: &ID, path: &[Seg]) -> AppResult<i64> {
    key(id).filter(|v| *v > 0).ok_or_else(|| {
        AppError::bad_input(format!("`{}` is not a valid id", id.as_str())).with_path(path.to_vec())
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

/// An input object and its conversion into its store command, each field written once:
/// `field: Type` is moved into the command as it is; `field: Type => conv` is converted by
/// `conv::conv(value)`, and `field: Type => conv("inputName")` by
/// `conv::conv(value, "inputName")?`, which refuses a bad id at `["input", "inputName"]`.
/// Doc comments and `#[graphql(..)]` attributes are the input's and its fields'.
/// `From Input => Command { .. }` is an input nested in others, whose fields convert
/// without failing: it gets `From` instead of `cmd()`.
macro_rules! command_input {
    (From $(#[$sm:meta])* $name:ident => $($cmd:ident)::+ {
        $($(#[$m:meta])* $f:ident: $t:ty $(=> $conv:ident)?,)*
    }) => {
        $(#[$sm])*
        #[derive(async_graphql::InputObject, Clone, Debug)]
        pub struct $name {
            $($(#[$m])* pub $f: $t,)*
        }

        impl From<$name> for $($cmd)::+ {
            fn from(v: $name) -> Self {
                Self {
                    $($f: $crate::graphql::input::command_input!(@field v.$f $(, $conv)?),)*
                }
            }
        }
    };
    ($(
        $(#[$sm:meta])*
        $name:ident => $($cmd:ident)::+ {
            $($(#[$m:meta])* $f:ident: $t:ty $(=> $conv:ident $(($key:literal))?)?,)*
        }
    )*) => {$(
        $(#[$sm])*
        #[derive(async_graphql::InputObject, Clone, Debug)]
        pub struct $name {
            $($(#[$m])* pub $f: $t,)*
        }

        impl $name {
            pub fn cmd(self) -> $crate::error::AppResult<$($cmd)::+> {
                Ok($($cmd)::+ {
                    $($f: $crate::graphql::input::command_input!(
                        @field self.$f $(, $conv $(, $key)?)?
                    ),)*
                })
            }
        }
    )*};
    (@field $v:expr) => { $v };
    (@field $v:expr, $conv:ident) => { $crate::graphql::input::conv::$conv($v) };
    (@field $v:expr, $conv:ident, $key:literal) => {
        $crate::graphql::input::conv::$conv($v, $key)?
    };
}

pub(crate) use command_input;

/// The field conversions of `command_input!`; those with a key refuse a bad id at
/// `["input", key]` (and a list's at its index).
pub mod conv {
    use async_graphql::{ID, Json, MaybeUndefined};

    use crate::error::AppResult;
    use crate::store::commands::Patch;

    pub fn into<A: Into<B>, B>(v: A) -> B {
        v.into()
    }

    /// An optional value (a GraphQL enum) as the store's.
    pub fn opt_into<A: Into<B>, B>(v: Option<A>) -> Option<B> {
        v.map(Into::into)
    }

    pub fn all_into<A: Into<B>, B>(v: Vec<A>) -> Vec<B> {
        crate::graphql::enums::all_into(v)
    }

    pub fn opt_all_into<A: Into<B>, B>(v: Option<Vec<A>>) -> Option<Vec<B>> {
        v.map(all_into)
    }

    /// An optional list as the store's, absent as empty.
    pub fn all_into_or_empty<A: Into<B>, B>(v: Option<Vec<A>>) -> Vec<B> {
        v.map(all_into).unwrap_or_default()
    }

    pub fn or_default<T: Default>(v: Option<T>) -> T {
        v.unwrap_or_default()
    }

    pub fn json(v: Json<serde_json::Value>) -> serde_json::Value {
        v.0
    }

    pub fn id(v: ID, key: &'static str) -> AppResult<i64> {
        super::id(&v, &super::input_path(key))
    }

    pub fn opt_id(v: Option<ID>, key: &'static str) -> AppResult<Option<i64>> {
        super::opt_id(&v, &super::input_path(key))
    }

    pub fn ids(v: Vec<ID>, key: &'static str) -> AppResult<Vec<i64>> {
        super::ids(&v, &super::input_path(key))
    }

    /// An optional list of ids, absent as empty.
    pub fn ids_or_empty(v: Option<Vec<ID>>, key: &'static str) -> AppResult<Vec<i64>> {
        ids(v.unwrap_or_default(), key)
    }

    /// A value that may be cleared (absent keeps it, null clears it), as the store's.
    pub fn patch_into<A: Into<B>, B>(v: MaybeUndefined<A>) -> Patch<B> {
        match v {
            MaybeUndefined::Undefined => Patch::Keep,
            MaybeUndefined::Null => Patch::Clear,
            MaybeUndefined::Value(v) => Patch::To(v.into()),
        }
    }

    pub fn patch_id(v: MaybeUndefined<ID>, key: &'static str) -> AppResult<Patch<i64>> {
        super::patch_id(v, &super::input_path(key))
    }
}

pub mod admin;
pub mod catalog;
pub mod create_runs;
pub mod floor;
pub mod procedures;
pub mod work_centers;
