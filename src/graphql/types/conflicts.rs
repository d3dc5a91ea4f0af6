//! `ScheduledRun.conflicts`, resolved here rather than field by field through the
//! executor: a week's timeline has tens of thousands of these values, and the executor
//! spends a boxed future, a registry lookup and the budget extension's hook on each.
//! The selection (fields, aliases, fragments) is read once per list; `@skip` and
//! `@include` are already applied by async-graphql before execution; the fields are
//! counted against the request's budgets as the extension would have counted them.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{
    ContextSelectionSet, Name, OutputType, Positioned, ScalarType, ServerError, ServerResult, Value,
};
use chrono::{DateTime, Utc};

use super::work_center::CapacityConflict;
use crate::domain::schedule::Overload;
use crate::graphql::budget;

/// A run's capacity conflicts: `[CapacityConflict!]!` in the schema.
pub struct Conflicts<'a> {
    pub stretches: &'a [Overload<DateTime<Utc>>],
    pub capacity: i32,
}

/// A field of `CapacityConflict`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Leaf {
    From,
    To,
    RunCount,
    Capacity,
    Typename,
}

/// The response keys of a selection on `CapacityConflict`, in order, each once with how
/// often it is selected; and how many fields the executor would have resolved through the
/// extension for each item (every occurrence but `__typename`, which it answers without
/// the hook).
struct Plan<'a> {
    keys: Vec<(&'a Name, Leaf, usize)>,
    counted: usize,
}

const TYPE: &str = "CapacityConflict";

impl<'a> Plan<'a> {
    fn of(ctx: &ContextSelectionSet<'a>) -> ServerResult<Self> {
        let mut plan = Plan {
            keys: Vec::new(),
            counted: 0,
        };
        plan.add(ctx, &ctx.item.node)?;
        Ok(plan)
    }

    fn add(&mut self, ctx: &ContextSelectionSet<'a>, set: &'a SelectionSet) -> ServerResult<()> {
        for s in &set.items {
            match &s.node {
                Selection::Field(f) => self.field(f)?,
                Selection::InlineFragment(f) => {
                    let on = f
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str());
                    if on.is_none_or(|t| t == TYPE) {
                        self.add(ctx, &f.node.selection_set.node)?;
                    }
                }
                Selection::FragmentSpread(sp) => {
                    let name = &sp.node.fragment_name.node;
                    let Some(f) = ctx.query_env.fragments.get(name) else {
                        let msg = format!(r#"Unknown fragment "{name}"."#);
                        return Err(ServerError::new(msg, Some(sp.pos)));
                    };
                    if f.node.type_condition.node.on.node == TYPE {
                        self.add(ctx, &f.node.selection_set.node)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn field(&mut self, f: &'a Positioned<Field>) -> ServerResult<()> {
        let leaf = match f.node.name.node.as_str() {
            "from" => Leaf::From,
            "to" => Leaf::To,
            "runCount" => Leaf::RunCount,
            "capacity" => Leaf::Capacity,
            "__typename" => Leaf::Typename,
            other => {
                let msg = format!(r#"Cannot query field "{other}" on type "{TYPE}"."#);
                return Err(ServerError::new(msg, Some(f.pos)));
            }
        };
        if leaf != Leaf::Typename {
            self.counted += 1;
        }
        let key = &f.node.response_key().node;
        // Fields of one response key are the same field (validation checks it).
        match self.keys.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, times)) => *times += 1,
            None => self.keys.push((key, leaf, 1)),
        }
        Ok(())
    }
}

impl Conflicts<'_> {
    /// One stretch as the selection asks for it, and the bytes of its text.
    fn item(&self, o: &Overload<DateTime<Utc>>, plan: &Plan<'_>, text: &mut usize) -> Value {
        let mut out = IndexMap::with_capacity(plan.keys.len());
        for &(key, leaf, times) in &plan.keys {
            let v = match leaf {
                Leaf::From => o.from.to_value(),
                Leaf::To => o.to.to_value(),
                Leaf::RunCount => Value::from(i32::try_from(o.count).unwrap_or(i32::MAX)),
                Leaf::Capacity => Value::from(self.capacity),
                Leaf::Typename => Value::String(TYPE.to_string()),
            };
            // The hook counts each occurrence's text, and not `__typename`'s.
            if let (Value::String(s), false) = (&v, leaf == Leaf::Typename) {
                *text += s.len() * times;
            }
            out.insert(key.clone(), v);
        }
        Value::Object(out)
    }
}

impl OutputType for Conflicts<'_> {
    fn type_name() -> Cow<'static, str> {
        <Vec<CapacityConflict> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<CapacityConflict> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<CapacityConflict> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if self.stretches.is_empty() {
            return Ok(Value::List(Vec::new()));
        }
        let plan = Plan::of(ctx)?;
        // Each item, then its fields, as the executor's hook counts them.
        let n = self.stretches.len();
        budget::charge(ctx, n * (1 + plan.counted), 0)?;
        let mut text = 0;
        let items = self
            .stretches
            .iter()
            .map(|o| self.item(o, &plan, &mut text))
            .collect();
        budget::charge(ctx, 0, text)?;
        Ok(Value::List(items))
    }
}
