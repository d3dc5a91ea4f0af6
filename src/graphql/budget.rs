//! Field budgets, enforced by a schema extension:
//! - before parsing checks and validation, the document's fields with every fragment spread expanded are
//!   counted (memoized per fragment, so a fragment that spreads another twice at each of 30
//!   levels costs 30 steps, not 2^30) and a document over the budget is refused;
//! - while executing, every resolved field and list item is counted, and the operation is
//!   stopped at the budget (a list multiplies fields, which no static count knows);
//! - while executing, the text of resolved strings is counted against the response-bytes
//!   budget, so a response of large values is stopped before it is built (the HTTP
//!   handler checks the exact size of what it serialized);
//! - an output type that resolves its own fields rather than through the executor (a list
//!   of leaf objects, `types::leaves`) counts them with [`charge`], as the extension would
//!   have.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest, NextResolve,
    NextValidation, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    ContextBase, Request, Response, ServerError, ServerResult, ValidationResult, Value,
};

use super::validation_limits::ValidationLimits;

/// Fragment spreads nested deeper than this are refused (validation would recurse as deep).
const MAX_SPREAD_NESTING: usize = 64;

/// Fields of the largest operation of `doc` with fragments expanded, saturating; `None`
/// when fragment spreads nest deeper than [`MAX_SPREAD_NESTING`].
pub fn expanded_fields(doc: &ExecutableDocument) -> Option<u64> {
    let mut memo = HashMap::new();
    let mut max = 0u64;
    for (_, op) in doc.operations.iter() {
        max = max.max(count_set(&op.node.selection_set.node, doc, &mut memo, 0)?);
    }
    Some(max)
}

/// Per fragment name: its count, or `None` while it is being counted (a cycle, which
/// validation refuses afterwards, counts 0 here).
type Memo<'a> = HashMap<&'a str, Option<u64>>;

fn count_set<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    memo: &mut Memo<'a>,
    nesting: usize,
) -> Option<u64> {
    let mut n = 0u64;
    for s in &set.items {
        let add = match &s.node {
            Selection::Field(f) => {
                1u64.saturating_add(count_set(&f.node.selection_set.node, doc, memo, nesting)?)
            }
            Selection::InlineFragment(f) => {
                count_set(&f.node.selection_set.node, doc, memo, nesting)?
            }
            Selection::FragmentSpread(sp) => {
                fragment(sp.node.fragment_name.node.as_str(), doc, memo, nesting + 1)?
            }
        };
        n = n.saturating_add(add);
    }
    Some(n)
}

fn fragment<'a>(
    name: &str,
    doc: &'a ExecutableDocument,
    memo: &mut Memo<'a>,
    nesting: usize,
) -> Option<u64> {
    if nesting > MAX_SPREAD_NESTING {
        return None;
    }
    let Some((key, def)) = doc.fragments.get_key_value(name) else {
        return Some(0);
    };
    match memo.get(key.as_str()) {
        Some(Some(n)) => return Some(*n),
        Some(None) => return Some(0),
        None => {}
    }
    memo.insert(key.as_str(), None);
    let n = count_set(&def.node.selection_set.node, doc, memo, nesting)?;
    memo.insert(key.as_str(), Some(n));
    Some(n)
}

/// The bytes of a resolved leaf: a string, or a list of strings. Objects are counted by
/// their own fields' hooks.
pub fn text_bytes(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        Value::List(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.len(),
                _ => 0,
            })
            .sum(),
        _ => 0,
    }
}

fn limit_error(message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", "LIMIT_EXCEEDED");
    e
}

/// The extension's factory: one [`FieldBudget`] per request.
pub struct FieldBudgetFactory {
    pub max_fields: usize,
    pub max_response_bytes: usize,
    /// Depth and complexity, checked here too so the schema has one extension.
    pub limits: ValidationLimits,
}

impl ExtensionFactory for FieldBudgetFactory {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(FieldBudget {
            limits: self.limits,
            tally: Arc::new(Tally {
                max: self.max_fields,
                max_bytes: self.max_response_bytes,
                resolved: AtomicUsize::new(0),
                bytes: AtomicUsize::new(0),
                executing: AtomicBool::new(false),
                exceeded: tokio::sync::Notify::new(),
            }),
        })
    }
}

pub struct FieldBudget {
    limits: ValidationLimits,
    /// Also in the request's data, for output types that resolve their own fields.
    tally: Arc<Tally>,
}

/// One request's count of resolved fields and text bytes against its budgets.
pub struct Tally {
    max: usize,
    max_bytes: usize,
    resolved: AtomicUsize,
    /// Bytes of resolved strings (values, and lists of them).
    bytes: AtomicUsize,
    /// Set by `execute`: a subscription's stream never enters it, so its events, which
    /// arrive for hours, are not counted against one request's budget.
    executing: AtomicBool,
    exceeded: tokio::sync::Notify,
}

impl Tally {
    fn over_bytes(&self) -> ServerError {
        limit_error(format!(
            "the response's text passed {} bytes, the budget per response \
             (TRAVELER_MAX_RESPONSE_BYTES): ask for fewer fields or smaller pages",
            self.max_bytes
        ))
    }

    fn over(&self, what: &str, n: impl std::fmt::Display) -> ServerError {
        limit_error(format!(
            "{what} {n} fields; the budget is {} fields per request (TRAVELER_MAX_FIELDS)",
            self.max
        ))
    }

    fn executing(&self) -> bool {
        self.executing.load(Ordering::Relaxed)
    }

    /// Counts `n` resolved fields; past the budget, stops the operation.
    fn fields(&self, n: usize) -> ServerResult<()> {
        if self.executing() && self.resolved.fetch_add(n, Ordering::Relaxed) + n > self.max {
            self.exceeded.notify_one();
            return Err(self.over("the request resolved more than", self.max));
        }
        Ok(())
    }

    /// Counts `n` bytes of resolved text; past the budget, stops the operation.
    fn text(&self, n: usize) -> ServerResult<()> {
        if n > 0
            && self.executing()
            && self.bytes.fetch_add(n, Ordering::Relaxed) + n > self.max_bytes
        {
            self.exceeded.notify_one();
            return Err(self.over_bytes());
        }
        Ok(())
    }
}

/// The request's [`Tally`] as its data: how an output type that resolves its own fields
/// (not through the executor, so not through [`FieldBudget::resolve`]) counts them.
#[derive(Clone)]
struct Budget(Arc<Tally>);

/// Counts `fields` resolved fields and `bytes` bytes of resolved text against the request's
/// budgets, as the extension counts each field it sees; an error past either budget (the
/// operation is then stopped). Counts nothing outside a budgeted request.
pub fn charge<T>(ctx: &ContextBase<'_, T>, fields: usize, bytes: usize) -> ServerResult<()> {
    let Some(Budget(t)) = ctx.data_opt::<Budget>() else {
        return Ok(());
    };
    t.fields(fields)?;
    t.text(bytes)
}

#[async_trait::async_trait]
impl Extension for FieldBudget {
    /// Before async-graphql's own checks, which walk every fragment spread as often as it
    /// is spread (2^30 times for a 1 KB document).
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let t = &self.tally;
        // A parse error is left for async-graphql to report as it always does.
        if let Ok(doc) = request.parsed_query() {
            match expanded_fields(doc) {
                None => {
                    let msg = format!("fragment spreads nest deeper than {MAX_SPREAD_NESTING}");
                    return Err(limit_error(msg));
                }
                Some(n) if n > t.max as u64 => return Err(t.over("the document selects", n)),
                Some(_) => {}
            }
        }
        request = request.data(Budget(t.clone()));
        next.run(ctx, request).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        self.limits.check(next.run(ctx).await?)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let t = &self.tally;
        t.executing.store(true, Ordering::Relaxed);
        // Stop the whole operation at once (a mutation's transaction is dropped, so rolled
        // back) rather than answer every remaining field with an error.
        let r = tokio::select! {
            r = next.run(ctx, operation_name) => r,
            () = t.exceeded.notified() => Response::default(),
        };
        if t.resolved.load(Ordering::Relaxed) > t.max && t.executing() {
            return Response::from_errors(vec![t.over("the request resolved more than", t.max)]);
        }
        if t.bytes.load(Ordering::Relaxed) > t.max_bytes && t.executing() {
            return Response::from_errors(vec![t.over_bytes()]);
        }
        r
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let t = &self.tally;
        if info.parent_type == "Mutation" {
            // A mutation's payload is read after its change is committed: stopping it
            // then would hide a kept change. Its size is bounded by the bulk limits.
            t.executing.store(false, Ordering::Relaxed);
        }
        t.fields(1)?;
        let r = next.run(ctx, info).await;
        if let Ok(Some(v)) = &r {
            t.text(text_bytes(v))?;
        }
        r
    }
}
