//! GraphQL object types: thin wrappers over entity rows; nested fields go through loaders.

pub mod catalog;
pub mod leaves;
pub mod procedure;
pub mod run;
pub mod run_step;
pub mod work_center;

use async_graphql::ID;

pub fn id(v: i64) -> ID {
    ID(v.to_string())
}

pub fn opt_id(v: Option<i64>) -> Option<ID> {
    v.map(id)
}

pub fn etag(lock_version: i32) -> String {
    crate::store::etag::etag(lock_version)
}

/// A field's or attribute's stored choices (a JSON list); none when unset or unreadable.
pub fn options(stored: &Option<String>) -> Vec<String> {
    stored
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or_default()
}

/// Complexity of a connection field: its page size times what one node costs.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let n = first
        .or(last)
        .unwrap_or(crate::store::page::DEFAULT_PAGE_SIZE as i32)
        .max(1) as usize;
    n.saturating_mul(child).saturating_add(1)
}

/// Assumed length of plain child lists (a run's steps, a step's fields) for complexity.
pub const LIST_COST: usize = 10;

/// How a column reads as a GraphQL field: strings borrowed, ids as `ID`, the rest copied.
pub trait Column<'a, T> {
    fn read(&'a self) -> T;
}

impl<'a> Column<'a, &'a str> for String {
    fn read(&'a self) -> &'a str {
        self
    }
}

impl<'a> Column<'a, Option<&'a str>> for Option<String> {
    fn read(&'a self) -> Option<&'a str> {
        self.as_deref()
    }
}

impl Column<'_, ID> for i64 {
    fn read(&self) -> ID {
        id(*self)
    }
}

impl Column<'_, Option<ID>> for Option<i64> {
    fn read(&self) -> Option<ID> {
        opt_id(*self)
    }
}

impl<T: Copy> Column<'_, T> for T {
    fn read(&self) -> T {
        *self
    }
}

/// The row an optional foreign key points at, through its loader, as its GraphQL type.
pub async fn related<K: crate::graphql::loaders::Key, T>(
    ctx: &async_graphql::Context<'_>,
    key: Option<K>,
    wrap: impl FnOnce(K::Value) -> T,
) -> async_graphql::Result<Option<T>> {
    let Some(key) = key else {
        return Ok(None);
    };
    Ok(crate::graphql::ctx::loaders(ctx).load(key).await?.map(wrap))
}

/// What a loader holds for `key`; nothing stored reads as empty (a row without children).
pub async fn load_or_default<K: crate::graphql::loaders::Key>(
    ctx: &async_graphql::Context<'_>,
    key: K,
) -> async_graphql::Result<K::Value>
where
    K::Value: Default,
{
    Ok(crate::graphql::ctx::loaders(ctx)
        .load(key)
        .await?
        .unwrap_or_default())
}

/// The rows a list of ids (`list`) names, through their own loader, wrapped and in id
/// order.
pub async fn members<L, K, T>(
    ctx: &async_graphql::Context<'_>,
    list: L,
    wrap: impl Fn(K::Value) -> T,
    id_of: impl Fn(&T) -> i64,
) -> async_graphql::Result<Vec<T>>
where
    L: crate::graphql::loaders::Key<Value = std::sync::Arc<Vec<i64>>>,
    K: crate::graphql::loaders::Key,
{
    let ids = load_or_default(ctx, list).await?;
    let rows = crate::graphql::ctx::loaders(ctx)
        .load_many(ids.iter().map(|i| K::of(*i)))
        .await?;
    let mut out: Vec<T> = rows.into_iter().map(wrap).collect();
    out.sort_by_key(|t| id_of(t));
    Ok(out)
}

/// A row's writer (`createdBy`, `updatedBy`), through the user loader: a list of rows
/// asks for all of their writers in one statement.
pub async fn writer(
    ctx: &async_graphql::Context<'_>,
    user_id: Option<i64>,
) -> async_graphql::Result<Option<catalog::User>> {
    related(
        ctx,
        user_id.map(crate::graphql::loaders::UserKey),
        catalog::User,
    )
    .await
}

/// Complexity of a plain child list: `LIST_COST` children.
pub fn list_cost(child: usize) -> usize {
    LIST_COST * child
}

/// The `#[Object]` impl of a row wrapper (`struct X(pub model::Model)`, or
/// `row_object!(X.row { .. })` for one whose row is its field `row`), its fields in
/// schema order: `name: Type,` resolves to the column `name` (see [`Column`]), `_etag,` to
/// the row's etag, `_writers,` to who created and last changed the row and when
/// (`createdById`, `createdBy`, `createdAt`, `updatedById`, `updatedBy`, `updatedAt`; see
/// `store::writers`), `_definition(type_of),` to a step field's definition (`name`, `type`
/// read by `type_of`, `required`, `unit`, `options`), and a written-out `async fn` stays as
/// it is. Rows have many plain
/// columns; writing each as a three-line resolver buried the few that do something.
///
/// The type's description is the struct's doc comment: derive `async_graphql::Description`
/// on it, or declare the struct in the macro (`row_object!(/// doc\n pub struct X(pub
/// model::Model) in XConnection, XEdge { .. })`), which derives it and, with `in`, declares
/// the connection too.
///
/// A resolver's complexity is `#[list_cost]` or `#[cost(f)]`, `f` a function of the
/// children's complexity, not `#[graphql(complexity = "..")]`: async-graphql binds
/// `child_complexity` where `#[Object]` expands, here, so the last step below names it.
macro_rules! row_object {
    // The wrapper struct itself, declared here with its description (its doc comment) and,
    // with `in Connection, Edge`, its connection.
    ($(#[$sm:meta])* pub struct $ty:ident(pub $model:ty) $(in $conn:ident, $edge:ident)? {
        $($body:tt)*
    }) => {
        $(#[$sm])*
        #[derive(async_graphql::Description)]
        pub struct $ty(pub $model);
        $($crate::graphql::connection::connection!($conn, $edge, $ty);)?
        $crate::graphql::types::row_object!(@in $ty 0 [] $($body)*);
    };
    ($ty:ident { $($body:tt)* }) => {
        $crate::graphql::types::row_object!(@in $ty 0 [] $($body)*);
    };
    ($ty:ident.$row:ident { $($body:tt)* }) => {
        $crate::graphql::types::row_object!(@in $ty $row [] $($body)*);
    };
    // Every entry is now `{ [cost?] attributes async fn .. }`.
    (@in $ty:ident $row:tt [$({
        [$($cost:expr)?] $(#[$m:meta])*
        async fn $name:ident($($args:tt)*) -> $ret:ty $body:block
    })*]) => {
        #[async_graphql::Object(use_type_description)]
        impl $ty {
            $(
                $(#[graphql(complexity = ($cost)(child_complexity))])?
                $(#[$m])* async fn $name($($args)*) -> $ret $body
            )*
        }
    };
    (@in $ty:ident $row:tt [$($out:tt)*] _etag, $($rest:tt)*) => {
        $crate::graphql::types::row_object!(@in $ty $row [$($out)* {
            [] #[graphql(name = "_etag")]
            /// The row's version, new on every change: send it back as `etag` to update;
            /// a stale one is refused with STALE_ETAG.
            async fn etag(&self) -> String {
                $crate::graphql::types::etag(self.$row.lock_version)
            }
        }] $($rest)*);
    };
    (@in $ty:ident $row:tt [$($out:tt)*] _writers, $($rest:tt)*) => {
        $crate::graphql::types::row_object!(@in $ty $row [$($out)* {
            [] /// The user who created it; null when the system did, or when it was created
            /// before Traveler recorded writers.
            async fn created_by_id(&self) -> Option<async_graphql::ID> {
                $crate::graphql::types::opt_id(self.$row.created_by_id)
            }
        } {
            [] /// The user who created it, as `createdById`.
            async fn created_by(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Option<$crate::graphql::types::catalog::User>> {
                $crate::graphql::types::writer(ctx, self.$row.created_by_id).await
            }
        } {
            [] /// When it was created.
            async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.$row.created_at
            }
        } {
            [] /// The user who last changed it; null as for `createdById`.
            async fn updated_by_id(&self) -> Option<async_graphql::ID> {
                $crate::graphql::types::opt_id(self.$row.updated_by_id)
            }
        } {
            [] /// The user who last changed it, as `updatedById`.
            async fn updated_by(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Option<$crate::graphql::types::catalog::User>> {
                $crate::graphql::types::writer(ctx, self.$row.updated_by_id).await
            }
        } {
            [] /// When it last changed (when it was created, until it changes).
            async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.$row.updated_at
            }
        }] $($rest)*);
    };
    // A field definition's name, type (read by `$type_of`), required, unit and options.
    (@in $ty:ident $row:tt [$($out:tt)*] _definition($type_of:path), $($rest:tt)*) => {
        $crate::graphql::types::row_object!(@in $ty $row [$($out)*]
            /// The field's name, shown to the operator.
            name: &str,
            /// Which values it accepts.
            #[graphql(name = "type")]
            async fn field_type(
                &self,
            ) -> async_graphql::Result<$crate::graphql::enums::FieldType> {
                $crate::graphql::ctx::Gql::gql($type_of(&self.$row).map(Into::into))
            }
            /// A required field must have a value before its step can complete.
            required: bool,
            /// Unit of measure of the value, e.g. `mm` (display only).
            unit: Option<&str>,
            /// The choices of a SELECT or MULTISELECT field; empty otherwise.
            async fn options(&self) -> Vec<String> {
                $crate::graphql::types::options(&self.$row.options)
            }
            $($rest)*);
    };
    (@in $ty:ident $row:tt [$($out:tt)*] $(#[doc = $d:literal])* #[list_cost] $($rest:tt)*) => {
        $crate::graphql::types::row_object!(@in $ty $row [$($out)*]
            @cost($crate::graphql::types::list_cost) $(#[doc = $d])* $($rest)*);
    };
    (@in $ty:ident $row:tt [$($out:tt)*] $(#[doc = $d:literal])* #[cost($f:expr)] $($rest:tt)*) => {
        $crate::graphql::types::row_object!(@in $ty $row [$($out)*] @cost($f) $(#[doc = $d])* $($rest)*);
    };
    (@in $ty:ident $row:tt [$($out:tt)*]
        $(@cost($cost:expr))? $(#[$m:meta])*
        async fn $name:ident($($args:tt)*) -> $ret:ty $body:block $($rest:tt)*
    ) => {
        $crate::graphql::types::row_object!(@in $ty $row [$($out)* {
            [$($cost)?] $(#[$m])* async fn $name($($args)*) -> $ret $body
        }] $($rest)*);
    };
    (@in $ty:ident $row:tt [$($out:tt)*] $(#[$m:meta])* $name:ident: $t:ty, $($rest:tt)*) => {
        $crate::graphql::types::row_object!(@in $ty $row [$($out)* {
            [] $(#[$m])* async fn $name(&self) -> $t {
                $crate::graphql::types::Column::read(&self.$row.$name)
            }
        }] $($rest)*);
    };
}

pub(crate) use row_object;
