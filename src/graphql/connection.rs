//! Relay connections: `edges { cursor node }`, `pageInfo`, `totalCount`.

use async_graphql::SimpleObject;

#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
    /// Rows matching the filters, on all pages.
    pub total_count: i64,
    /// Rows on this page.
    pub count: i64,
}

macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty) => {
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }

        #[derive(async_graphql::SimpleObject)]
        pub struct $conn {
            pub edges: Vec<$edge>,
            pub page_info: $crate::graphql::connection::PageInfo,
            /// Rows matching the filters, on all pages.
            pub total_count: i64,
        }

        impl $conn {
            pub fn from_page<M>(
                page: $crate::store::page::Page<M>,
                node: impl Fn(M) -> $node,
            ) -> Self {
                let cursors: Vec<String> = page
                    .rows
                    .iter()
                    .map(|(o, _)| $crate::store::page::encode_cursor(*o))
                    .collect();
                let page_info = $crate::graphql::connection::PageInfo {
                    has_next_page: page.has_next,
                    has_previous_page: page.has_prev,
                    start_cursor: cursors.first().cloned(),
                    end_cursor: cursors.last().cloned(),
                    total_count: page.total as i64,
                    count: page.rows.len() as i64,
                };
                $conn {
                    edges: page
                        .rows
                        .into_iter()
                        .zip(cursors)
                        .map(|((_, m), cursor)| $edge {
                            cursor,
                            node: node(m),
                        })
                        .collect(),
                    page_info,
                    total_count: page.total as i64,
                }
            }
        }
    };
}

pub(crate) use connection;
