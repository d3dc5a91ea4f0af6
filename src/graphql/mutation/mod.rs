//! Mutations, one module per area, merged into one root. Each resolver: check the
//! permission, open a write transaction, call the store, commit. A refused mutation
//! returns before the commit, so it changes nothing.

pub mod admin;
pub mod catalog;
pub mod floor;
pub mod runs;

use async_graphql::MergedObject;

/// What can be changed. A refused mutation changes nothing; its error carries
/// `extensions.code` and the input field at fault in `extensions.field`. Besides the codes
/// each mutation names, any request can be UNAUTHENTICATED or LIMIT_EXCEEDED (a budget).
#[derive(MergedObject, Default)]
pub struct Mutation(
    catalog::CatalogMutation,
    runs::RunMutation,
    floor::FloorMutation,
    admin::AdminMutation,
);

/// Runs `$body` in a write transaction after checking `$perm`; commits on success.
/// `mutate!(ctx, perm, input => store_fn)` converts `input` into its store command (a bad
/// id is refused after the permission check, as before) and calls `store_fn(txn, caller,
/// command)`.
macro_rules! mutate {
    ($ctx:expr, $perm:expr, $input:expr => $f:path) => {
        $crate::graphql::mutation::mutate!($ctx, $perm, |txn, c| match $input.cmd() {
            Ok(cmd) => $f(&txn, c, cmd).await,
            Err(e) => Err(e),
        })
    };
    ($ctx:expr, $perm:expr, |$txn:ident, $caller:ident| $body:expr) => {{
        use $crate::graphql::ctx::Gql as _;
        let $caller = $crate::graphql::ctx::caller($ctx)?;
        $caller.require($perm).gql()?;
        let $txn = $crate::store::begin_write($crate::graphql::ctx::db($ctx))
            .await
            .gql()?;
        let out = $body.gql()?;
        $crate::store::audit::record(
            &$txn,
            $caller,
            $ctx.item.node.name.node.as_str(),
            $crate::store::audit::Subject::subject(&out),
            $crate::graphql::ctx::arguments($ctx),
        )
        .await
        .gql()?;
        $txn.commit().await.gql()?;
        $crate::graphql::loaders::invalidate($crate::graphql::ctx::loaders($ctx));
        out
    }};
}

pub(crate) use mutate;

/// A group's `#[Object]` impl, each mutation written as
/// `fn name(ctx, input: InputType, "what the input is") -> Payload { body }`: a resolver
/// with the contract's one `input` argument, described by the string. Doc comments and
/// `#[graphql(..)]` before an entry are its field's.
macro_rules! mutations {
    ($(#[$tm:meta])* $ty:ident { $(
        $(#[$m:meta])*
        fn $field:ident($ctx:ident, $input:ident: $in_ty:ty, $what:literal $(,)?) -> $out:ty $body:block
    )* }) => {
        $(#[$tm])*
        #[async_graphql::Object]
        impl $ty {
            $(
                $(#[$m])*
                async fn $field(
                    &self,
                    $ctx: &async_graphql::Context<'_>,
                    #[graphql(desc = $what)] $input: $in_ty,
                ) -> async_graphql::Result<$out> $body
            )*
        }
    };
}

pub(crate) use mutations;

/// Mutation payloads: each mutation returns its own `VerbNounPayload` (the contract's names),
/// several of which hold the same thing. `{ field: Wrapper(Model) }` builds from the store's
/// row with `into()`; `{ field: Type }` from the value itself. The descriptions are
/// generated from `Type` (what the mutation changed, as it left it).
macro_rules! payload {
    ($($name:ident),+ { $field:ident: $ty:ident($model:ty) }) => {$(
        #[doc = concat!("What the mutation returns: the ", stringify!($ty), " it changed.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            #[doc = concat!("The ", stringify!($ty), " as the mutation left it.")]
            pub $field: $ty,
        }

        impl From<$model> for $name {
            fn from(row: $model) -> Self {
                Self { $field: $ty(row) }
            }
        }
    )+};
    ($($name:ident),+ { $field:ident: $ty:ty }) => {$(
        #[doc = concat!("What the mutation returns: the ", stringify!($ty), " it changed.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            #[doc = concat!("The ", stringify!($ty), " as the mutation left it.")]
            pub $field: $ty,
        }

        impl From<$ty> for $name {
            fn from(v: $ty) -> Self {
                Self { $field: v }
            }
        }
    )+};
}

pub(crate) use payload;
