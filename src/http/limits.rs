//! Checks on a parsed document that async-graphql does not make itself.

use async_graphql::Positioned;
use async_graphql::parser::types::{
    Directive, ExecutableDocument, OperationType, Selection, SelectionSet,
};

/// The directives a document may use: the executable ones of the spec (the schema
/// declares no others for documents).
const KNOWN_DIRECTIVES: &[&str] = &["skip", "include"];

/// The first directive of `doc` that the server does not know (async-graphql would
/// silently ignore it), e.g. `foo` for `@foo`.
pub fn unknown_directive(doc: &ExecutableDocument) -> Option<String> {
    fn first(ds: &[Positioned<Directive>]) -> Option<String> {
        ds.iter()
            .map(|d| d.node.name.node.as_str())
            .find(|n| !KNOWN_DIRECTIVES.contains(n))
            .map(str::to_string)
    }
    fn walk(set: &SelectionSet) -> Option<String> {
        set.items.iter().find_map(|s| match &s.node {
            Selection::Field(f) => {
                first(&f.node.directives).or_else(|| walk(&f.node.selection_set.node))
            }
            Selection::InlineFragment(f) => {
                first(&f.node.directives).or_else(|| walk(&f.node.selection_set.node))
            }
            Selection::FragmentSpread(f) => first(&f.node.directives),
        })
    }
    let ops = doc.operations.iter().find_map(|(_, op)| {
        let vars = op.node.variable_definitions.iter();
        first(&op.node.directives)
            .or_else(|| vars.clone().find_map(|v| first(&v.node.directives)))
            .or_else(|| walk(&op.node.selection_set.node))
    });
    ops.or_else(|| {
        doc.fragments
            .values()
            .find_map(|f| first(&f.node.directives).or_else(|| walk(&f.node.selection_set.node)))
    })
}

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
