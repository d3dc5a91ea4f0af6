//! Relay connections (`edges { cursor node }`, `pageInfo`, `totalCount`) and the one path
//! every list field takes: its arguments become the store's spec and page arguments, the
//! store returns the page of rows the caller may see.

use async_graphql::{Context, Result, SimpleObject};

use super::ctx::{Gql, caller, limits, reads};
use super::input::filters::{SpecPart, spec};
use crate::store::lists::{self, Row};
use crate::store::page::{Page, PageArgs};

/// Where this page lies in the whole list.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    /// More rows follow this page.
    pub has_next_page: bool,
    /// Rows precede this page.
    pub has_previous_page: bool,
    /// The cursor of the page's first row; null on an empty page.
    pub start_cursor: Option<String>,
    /// The cursor of the page's last row (pass it as `after` for the next page); null on
    /// an empty page.
    pub end_cursor: Option<String>,
    /// Rows matching the filters, on all pages.
    pub total_count: i64,
    /// Rows on this page.
    pub count: i64,
}

/// A connection type built from a page of rows, each row wrapped as a `Node`.
pub trait Connection: Sized {
    type Node;
    fn from_page<M>(page: Page<M>, node: impl Fn(M) -> Self::Node) -> Self;
}

/// The page arguments of a connection field.
pub fn page_args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
        total: true,
    }
}

/// One page of a list, as the caller may see it.
pub async fn page<F, S>(
    ctx: &Context<'_>,
    filters: Option<F>,
    sort: Option<Vec<S>>,
    args: PageArgs,
) -> Result<Page<Row<F::Entity>>>
where
    F: SpecPart,
    S: SpecPart<Entity = F::Entity>,
{
    let max = limits(ctx).page_size;
    let spec = spec(filters, sort);
    let args = PageArgs {
        total: wants_total(ctx),
        ..args
    };
    lists::page(reads(ctx), caller(ctx)?, spec, &args, max)
        .await
        .gql()
}

/// A list field: one page of a list, as the connection `C` of `node`s.
pub async fn list<C, F, S>(
    ctx: &Context<'_>,
    filters: Option<F>,
    sort: Option<Vec<S>>,
    args: PageArgs,
    node: impl Fn(Row<F::Entity>) -> C::Node,
) -> Result<C>
where
    C: Connection,
    F: SpecPart,
    S: SpecPart<Entity = F::Entity>,
{
    Ok(C::from_page(page(ctx, filters, sort, args).await?, node))
}

/// The total for `totalCount`: counted whenever a connection selects it (see [`page`]).
pub fn total_count<M>(page: &Page<M>) -> i64 {
    page.total.unwrap_or_default() as i64
}

/// Whether the list field of `ctx` selects `totalCount` or `pageInfo { totalCount }`.
pub fn wants_total(ctx: &Context<'_>) -> bool {
    let look = ctx.look_ahead();
    look.field("totalCount").exists() || look.field("pageInfo").field("totalCount").exists()
}

pub fn page_info<M>(page: &Page<M>, cursors: &[String]) -> PageInfo {
    PageInfo {
        has_next_page: page.has_next,
        has_previous_page: page.has_prev,
        start_cursor: cursors.first().cloned(),
        end_cursor: cursors.last().cloned(),
        total_count: total_count(page),
        count: page.rows.len() as i64,
    }
}

/// A connection `$conn` of `$edge`s over `$node`; the descriptions name `$node`.
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty) => {
        #[doc = concat!("One ", stringify!($node), " of a page, with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// This row's position, for `after` and `before`.
            pub cursor: String,
            #[doc = concat!("The ", stringify!($node), ".")]
            pub node: $node,
        }

        #[doc = concat!(
            "One page of a list of ", stringify!($node), " rows (a Relay connection), at most the ",
            "page size (100 by default; asking for more is LIMIT_EXCEEDED)."
        )]
        #[derive(async_graphql::SimpleObject)]
        pub struct $conn {
            /// The rows of this page, in order.
            pub edges: Vec<$edge>,
            /// Where this page lies in the whole list.
            pub page_info: $crate::graphql::connection::PageInfo,
            /// Rows matching the filters, on all pages.
            pub total_count: i64,
        }

        impl $crate::graphql::connection::Connection for $conn {
            type Node = $node;
            fn from_page<M>(page: $crate::store::page::Page<M>, node: impl Fn(M) -> $node) -> Self {
                let cursors: Vec<String> = page
                    .rows
                    .iter()
                    .map(|(o, _)| $crate::store::page::encode_cursor(*o))
                    .collect();
                let page_info = $crate::graphql::connection::page_info(&page, &cursors);
                let total_count = page_info.total_count;
                let edges = page.rows.into_iter().zip(cursors);
                $conn {
                    edges: edges
                        .map(|((_, m), cursor)| $edge {
                            cursor,
                            node: node(m),
                        })
                        .collect(),
                    page_info,
                    total_count,
                }
            }
        }
    };
}

pub(crate) use connection;
