//! Checks on a parsed document that async-graphql does not make itself.

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};

/// Number of aliased fields in the document (operations and fragments).
pub fn aliases(doc: &ExecutableDocument) -> usize {
    fn walk(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + walk(&f.node.selection_set.node)
                }
                Selection::InlineFragment(f) => walk(&f.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    doc.operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set.node))
        .sum::<usize>()
        + doc
            .fragments
            .values()
            .map(|f| walk(&f.node.selection_set.node))
            .sum::<usize>()
}

/// The type of the operation that `operation_name` selects, if it can be told.
pub fn operation_type(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    let mut ops = doc.operations.iter();
    match operation_name {
        Some(name) => ops
            .find(|(n, _)| n.map(|n| n.as_str()) == Some(name))
            .map(|(_, op)| op.node.ty),
        None => {
            let first = ops.next()?;
            if ops.next().is_some() {
                None
            } else {
                Some(first.1.node.ty)
            }
        }
    }
}

/// Whether the request carries a NUL character (U+0000) in its text. PostgreSQL cannot store
/// one, so both databases refuse it before anything runs, with the same answer.
pub fn has_nul(query: &str, variables: &async_graphql::Variables) -> bool {
    query.contains('\0') || query.contains("\\u0000") || variables.values().any(value_has_nul)
}

fn value_has_nul(v: &async_graphql::Value) -> bool {
    use async_graphql::Value;
    match v {
        Value::String(s) => s.contains('\0'),
        Value::List(items) => items.iter().any(value_has_nul),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains('\0') || value_has_nul(v)),
        _ => false,
    }
}
