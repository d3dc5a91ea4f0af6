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
