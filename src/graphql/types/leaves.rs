//! Lists of leaf objects, resolved without the executor when their selection allows.
//!
//! A run's steps and their fields in its traveler, or a week's capacity conflicts, are
//! many small objects whose selected fields are plain values of a row. The executor spends
//! a boxed future, a registry lookup and the budget extension's hook on each field of each
//! item; here the selection (fields, aliases, fragments, `__typename`) is read once per
//! list and every item is built as a `Value` directly, as the executor would have built it:
//! keys in the selection's order, a key selected again merged at its first place, an item
//! with no field selected `null`. `@skip` and `@include` are already applied by async-graphql
//! before execution. The fields are counted against the request's budgets as the
//! extension would have counted them.
//!
//! A field that is itself a list of leaf objects (a step's `fields` in a run's steps) is
//! built the same way, inside each item, when its own selection allows.
//!
//! Whatever this cannot answer exactly (a field needing the context, a loader or
//! arguments, another list, a nested object, a list field selected twice, a fragment on an
//! interface, another directive, a row it cannot read) goes to the executor for the whole
//! list.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};

use crate::graphql::budget;

/// How one field of a leaf object reads from its row: its value as the executor would
/// resolve it, or `None` when the row cannot be answered here (the list then goes to the
/// executor, which reports it as it always does).
pub type Read<R> = fn(&R) -> Option<Value>;

/// An object type with fields that are plain values of its row: no context, arguments,
/// guards or loaders.
pub trait LeafObject: OutputType + Sized {
    /// What one item is read from.
    type Row: Clone + Send + Sync;
    /// The object over a row, for the executor.
    fn wrap(row: Self::Row) -> Self;
    /// How field `name` (as the schema spells it) reads from a row; `None` for a field the
    /// executor must resolve.
    fn leaf(name: &str) -> Option<Read<Self::Row>>;
    /// How field `name`, a list of leaf objects without arguments, reads from a row under
    /// the selection `set` (through [`items`]); `None` for a field the executor must
    /// resolve.
    fn list<'a>(
        _name: &str,
        _ctx: &ContextSelectionSet<'a>,
        _set: &'a SelectionSet,
    ) -> Option<ListRead<'a, Self::Row>> {
        None
    }
}

/// How a field that is a list of leaf objects reads from its row: the list's value, the
/// fields the hook would have counted in it and the bytes of its text; `None` when a row
/// cannot be answered here.
pub type ListRead<'a, R> = Box<dyn Fn(&R) -> Option<(Value, usize, usize)> + Send + Sync + 'a>;

/// The [`ListRead`] of a list of `U` under the selection `set`, its rows taken from each
/// row by `of`; `None` when the executor must resolve the selection.
pub fn items<'a, R: 'a, U: LeafObject<Row: 'a>>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
    of: fn(&R) -> Option<&[U::Row]>,
) -> Option<ListRead<'a, R>> {
    let ty = U::type_name();
    let plan = Plan::<U::Row>::of_set::<U>(ctx, set, &ty)?;
    Some(Box::new(move |row| {
        let (items, counted, text) = plan.build(of(row)?, &ty)?;
        Some((Value::List(items), counted, text))
    }))
}

/// How a selected key reads from a row.
enum Reader<'a, R> {
    /// `__typename`.
    Typename,
    Leaf(Read<R>),
    List(ListRead<'a, R>),
}

/// A list of `T`: `[T!]!` in the schema, resolved here when the selection allows.
pub struct LeafList<'a, T: LeafObject>(pub Cow<'a, [T::Row]>);

/// A selection on a leaf object: its response keys in order, each once, with its reader
/// and how often it is selected.
struct Plan<'a, R> {
    keys: Vec<(&'a Name, Reader<'a, R>, usize)>,
    /// Fields the extension's hook would have counted per item: every occurrence but
    /// `__typename`'s, which the executor answers without the hook.
    counted: usize,
}

impl<'a, R> Plan<'a, R> {
    /// The plan of the selection `ctx`, or `None` when the executor must resolve it.
    fn of<T: LeafObject<Row = R>>(ctx: &ContextSelectionSet<'a>, ty: &str) -> Option<Self> {
        Self::of_set::<T>(ctx, &ctx.item.node, ty)
    }

    /// The plan of the selection `set` (the fragments it spreads are `ctx`'s).
    fn of_set<T: LeafObject<Row = R>>(
        ctx: &ContextSelectionSet<'a>,
        set: &'a SelectionSet,
        ty: &str,
    ) -> Option<Self> {
        let mut plan = Plan {
            keys: Vec::new(),
            counted: 0,
        };
        plan.add::<T>(ctx, set, ty)?;
        Some(plan)
    }

    fn add<T: LeafObject<Row = R>>(
        &mut self,
        ctx: &ContextSelectionSet<'a>,
        set: &'a SelectionSet,
        ty: &str,
    ) -> Option<()> {
        for s in &set.items {
            // Directives left after `@skip` and `@include` are the executor's to run.
            if !s.node.directives().is_empty() {
                return None;
            }
            let (on, inner) = match &s.node {
                Selection::Field(f) => {
                    self.field::<T>(ctx, f)?;
                    continue;
                }
                Selection::InlineFragment(f) => (
                    f.node.type_condition.as_ref().map(|c| &c.node.on.node),
                    &f.node.selection_set.node,
                ),
                Selection::FragmentSpread(sp) => {
                    let f = ctx.query_env.fragments.get(&sp.node.fragment_name.node)?;
                    (
                        Some(&f.node.type_condition.node.on.node),
                        &f.node.selection_set.node,
                    )
                }
            };
            // On an object type, a valid condition names it or an interface or union
            // that holds it; those the executor matches against the registry.
            if on.is_some_and(|t| t.as_str() != ty) {
                return None;
            }
            self.add::<T>(ctx, inner, ty)?;
        }
        Some(())
    }

    fn field<T: LeafObject<Row = R>>(
        &mut self,
        ctx: &ContextSelectionSet<'a>,
        f: &'a Positioned<Field>,
    ) -> Option<()> {
        let f = &f.node;
        if !f.arguments.is_empty() {
            return None;
        }
        let set = &f.selection_set.node;
        let read = match f.name.node.as_str() {
            "__typename" => Reader::Typename,
            name if set.items.is_empty() => Reader::Leaf(T::leaf(name)?),
            name => Reader::List(T::list(name, ctx, set)?),
        };
        if !matches!(read, Reader::Typename) {
            self.counted += 1;
        }
        let key = &f.response_key().node;
        // Fields of one response key are the same field (validation checks it); the
        // executor resolves each and keeps the first place. It also merges the selections
        // of a list selected twice: that is left to it.
        match self.keys.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, Reader::List(_), _)) => return None,
            Some((_, _, times)) => *times += 1,
            None => self.keys.push((key, read, 1)),
        }
        Some(())
    }

    /// The items, the fields the hook counts in them (each item, then each occurrence of a
    /// field but `__typename`, then those of their lists), and the bytes of their text as
    /// it counts them; `None` when a row cannot be answered here.
    fn build(&self, rows: &[R], ty: &str) -> Option<(Vec<Value>, usize, usize)> {
        let (mut text, mut nested) = (0, 0);
        let mut item = |row: &R| {
            if self.keys.is_empty() {
                // The executor's answer for an object none of whose fields is selected.
                return Some(Value::Null);
            }
            let mut out = IndexMap::with_capacity(self.keys.len());
            for (key, read, times) in &self.keys {
                let v = match read {
                    Reader::Typename => Value::String(ty.to_string()),
                    Reader::Leaf(read) => {
                        let v = read(row)?;
                        text += budget::text_bytes(&v) * times;
                        v
                    }
                    Reader::List(read) => {
                        let (v, counted, bytes) = read(row)?;
                        nested += counted;
                        text += bytes;
                        v
                    }
                };
                out.insert((*key).clone(), v);
            }
            Some(Value::Object(out))
        };
        let items: Vec<Value> = rows.iter().map(&mut item).collect::<Option<_>>()?;
        let counted = items.len() * (1 + self.counted) + nested;
        Some((items, counted, text))
    }
}

impl<T: LeafObject> LeafList<'_, T> {
    async fn executor(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let items: Vec<T> = self.0.iter().cloned().map(T::wrap).collect();
        <Vec<T> as OutputType>::resolve(&items, ctx, field).await
    }
}

impl<T: LeafObject> OutputType for LeafList<'_, T> {
    fn type_name() -> Cow<'static, str> {
        <Vec<T> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<T> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<T> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if self.0.is_empty() {
            return Ok(Value::List(Vec::new()));
        }
        let ty = T::type_name();
        let Some(plan) = Plan::of::<T>(ctx, &ty) else {
            return self.executor(ctx, field).await;
        };
        let Some((items, counted, text)) = plan.build(&self.0, &ty) else {
            return self.executor(ctx, field).await;
        };
        budget::charge(ctx, counted, 0)?;
        budget::charge(ctx, 0, text)?;
        Ok(Value::List(items))
    }
}
