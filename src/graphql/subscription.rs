//! Subscriptions: live run changes over WebSocket (`http/ws.rs`). Each subscription reads
//! its organization's changes from the process's hub (`live`), keeps those it asked for,
//! and loads what it sends through the store with its own caller, so scoping (organization,
//! export control) is applied to every event as to a query.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, Subscription as SubscriptionRoot};
use entity::run;
use futures_util::{Stream, StreamExt, stream};

use super::ctx::{Gql, caller, loaders, reads};
use super::input::filters::{RunSortEnum, RunsInputFilters, spec};
use super::input::{id as parse_id, keys};
use super::loaders::{Db, Key, Loaders, RunEdges, RunEdgesKey, RunSteps, RunStepsKey};
use super::types::id;
use super::types::run::Run;
use super::types::run_step::RunStep;
use crate::caller::Caller;
use crate::domain::status::RunStatus;
use crate::error::{AppError, AppResult};
use crate::live::{Change, Closer, Hub, close};
use crate::store::pooled::ReadPool;
use crate::store::{events, scope};

/// A run's steps and their dependencies, loaded once for every subscriber of a change.
type Steps = (Arc<RunSteps>, Arc<RunEdges>);

/// Gives the subscriber's loaders the run's steps and dependencies loaded for the change.
async fn seed(l: &Loaders, run_id: i64, (steps, edges): &Steps) {
    l.seed(RunStepsKey(run_id), Some(steps.clone())).await;
    l.seed(RunEdgesKey(run_id), Some(edges.clone())).await;
}

pub struct Subscription;

/// A run changed: a step or field of it (or of its batch), the run itself, or its batch.
#[derive(async_graphql::Description)]
pub struct RunChangedEvent {
    event_id: i64,
    action: String,
    run: run::Model,
    steps: Option<Steps>,
}

#[Object(use_type_description)]
impl RunChangedEvent {
    /// The audit event that made the change; pass it as `after` when resubscribing.
    async fn event_id(&self) -> ID {
        id(self.event_id)
    }
    /// The mutation, e.g. `updateRunStep`.
    async fn action(&self) -> &str {
        &self.action
    }
    /// The run as it is now.
    async fn run(&self, ctx: &Context<'_>) -> Run {
        // The subscription's loaders live as long as it does: forget what they loaded
        // before this change. (Its events are resolved one at a time.)
        let l = loaders(ctx);
        l.invalidate();
        if let Some(steps) = &self.steps {
            seed(l, self.run.id, steps).await;
        }
        Run::new(self.run.clone())
    }
}

/// A run step changed (its status, its fields), directly or by batch propagation.
#[derive(async_graphql::Description)]
pub struct RunStepChangedEvent {
    event_id: i64,
    action: String,
    run: run::Model,
    steps: Steps,
    run_step_id: i64,
}

#[Object(use_type_description)]
impl RunStepChangedEvent {
    /// The audit event that made the change; pass it as `after` when resubscribing.
    async fn event_id(&self) -> ID {
        id(self.event_id)
    }
    /// The mutation, e.g. `updateRunStep`.
    async fn action(&self) -> &str {
        &self.action
    }
    /// The step as it is now.
    async fn run_step(&self, ctx: &Context<'_>) -> Result<RunStep> {
        let l = loaders(ctx);
        l.invalidate();
        seed(l, self.run.id, &self.steps).await;
        let row = self
            .steps
            .0
            .get(self.run_step_id)
            .cloned()
            .ok_or_else(|| AppError::not_found("run step").into_gql())?;
        let failed = self.run.status == RunStatus::Failed.as_str();
        Ok(RunStep::new(row, self.steps.0.clone(), failed))
    }
}

/// Runs were created (one event per creating mutation).
#[derive(async_graphql::Description)]
pub struct RunsCreatedEvent {
    event_id: i64,
    runs: Vec<run::Model>,
}

#[Object(use_type_description)]
impl RunsCreatedEvent {
    /// The audit event that created them; pass it as `after` when resubscribing.
    async fn event_id(&self) -> ID {
        id(self.event_id)
    }
    /// The new runs the subscriber may see and that match its filters.
    async fn runs(&self, ctx: &Context<'_>) -> Vec<Run> {
        loaders(ctx).invalidate();
        self.runs.iter().cloned().map(Run::new).collect()
    }
}

/// What every subscriber of this process needs for one change, loaded once for all.
struct Loaded {
    runs: HashMap<i64, run::Model>,
    steps: HashMap<i64, Steps>,
}

/// The change's runs (of the organization, cleared or not: each subscriber applies its
/// own clearance with `run_visible_to`) and their steps, from the change's memo.
async fn loaded(sub: &Sub, c: &Change) -> AppResult<Arc<Loaded>> {
    let any = c
        .memo
        .get_or_try_init(|| async {
            let mut org = sub.caller.clone();
            org.export_control_cleared = true;
            let runs: HashMap<i64, run::Model> =
                scope::by_ids::<run::Entity>(&sub.reads, &org, &c.run_ids)
                    .await?
                    .into_iter()
                    .map(|r| (r.id, r))
                    .collect();
            let ids: Vec<i64> = runs.keys().copied().collect();
            let db = Db {
                db: sub.reads.clone(),
                caller: org,
            };
            let (steps, mut edges) =
                tokio::try_join!(RunStepsKey::read(&db, &ids), RunEdgesKey::read(&db, &ids))?;
            let steps = steps
                .into_iter()
                .map(|(id, s)| (id, (s, edges.remove(&id).unwrap_or_default())))
                .collect();
            Ok::<_, AppError>(Arc::new(Loaded { runs, steps }) as Arc<dyn Any + Send + Sync>)
        })
        .await?;
    any.clone()
        .downcast::<Loaded>()
        .map_err(|_| AppError::internal("a change's memo of another type"))
}

/// What a subscription needs outside the request: its caller, database and hub.
struct Sub {
    caller: Caller,
    reads: ReadPool,
}

async fn start(
    ctx: &Context<'_>,
    after: Option<ID>,
) -> Result<(Sub, impl Stream<Item = AppResult<Arc<Change>>> + use<>)> {
    let caller = caller(ctx)?.clone();
    let after = after
        .map(|a| parse_id(&a, &keys(&["after"])))
        .transpose()
        .gql()?;
    let hub = ctx.data_unchecked::<Hub>();
    let feed = hub.feed(&caller, after).await.gql()?;
    // A subscriber that fell behind is dropped with its connection, so the client
    // reconnects and resumes with `after`.
    let closer = ctx.data_opt::<Closer>().cloned();
    let feed = feed.into_stream().inspect(move |c| {
        if let (Err(e), Some(closer)) = (c, &closer) {
            closer.close(
                close::LIMIT_EXCEEDED,
                format!("LIMIT_EXCEEDED: {}", e.message),
            );
        }
    });
    Ok((
        Sub {
            caller,
            reads: reads(ctx).clone(),
        },
        feed,
    ))
}

/// Maps each change to the events it yields for this subscriber (none, one or several);
/// an error ends the subscription.
fn events_of<T, F, Fut>(
    sub: Sub,
    changes: impl Stream<Item = AppResult<Arc<Change>>>,
    f: F,
) -> impl Stream<Item = Result<T>>
where
    F: Fn(Arc<Sub>, Arc<Change>) -> Fut,
    Fut: Future<Output = AppResult<Vec<T>>>,
{
    let sub = Arc::new(sub);
    changes
        .then(move |c| {
            let sub = sub.clone();
            let out = c.map(|c| f(sub, c));
            async move {
                match out {
                    Ok(fut) => fut.await.gql().map(|v| v.into_iter().map(Ok).collect()),
                    Err(e) => Err(e.into_gql()),
                }
            }
        })
        .flat_map(|r: Result<Vec<Result<T>>>| match r {
            Ok(items) => stream::iter(items),
            Err(e) => stream::iter(vec![Err(e)]),
        })
}

/// `events_of` for a subscription with run filters: starts it (`after`), and maps each
/// change with its own copy of the filters.
async fn filtered_events<T, F, Fut>(
    ctx: &Context<'_>,
    after: Option<ID>,
    filters: Option<RunsInputFilters>,
    f: F,
) -> Result<impl Stream<Item = Result<T>> + use<T, F, Fut>>
where
    F: Fn(Arc<Sub>, Arc<Change>, Option<RunsInputFilters>) -> Fut,
    Fut: Future<Output = AppResult<Vec<T>>>,
{
    let (sub, changes) = start(ctx, after).await?;
    Ok(events_of(sub, changes, move |sub, c| {
        f(sub, c, filters.clone())
    }))
}

/// Live changes, over WebSocket (`graphql-transport-ws` or `graphql-ws`) on `/graphql`.
#[SubscriptionRoot]
impl Subscription {
    /// Every change of one run: its steps and fields (also when a batch sibling's action
    /// propagates to it), the run itself, its batch membership. `after`: an `eventId`;
    /// the changes since that event are sent first, then live ones.
    async fn run_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run's id.")] id: ID,
        #[graphql(
            desc = "An `eventId` seen before: the changes since it come first, then live ones."
        )]
        after: Option<ID>,
    ) -> Result<impl Stream<Item = Result<RunChangedEvent>> + use<>> {
        let run_id = parse_id(&id, &keys(&["id"])).gql()?;
        let (sub, changes) = start(ctx, after).await?;
        scope::get::<run::Entity>(&sub.reads, &sub.caller, run_id, "run", scope::path(&["id"]))
            .await
            .gql()?;
        Ok(events_of(sub, changes, move |sub, c| async move {
            if c.created || !c.run_ids.contains(&run_id) {
                return Ok(Vec::new());
            }
            let l = loaded(&sub, &c).await?;
            let Some(run) = l.runs.get(&run_id) else {
                return Ok(Vec::new());
            };
            if !events::run_visible_to(&sub.caller, run) {
                return Ok(Vec::new());
            }
            Ok(vec![RunChangedEvent {
                event_id: c.event_id,
                action: c.action.clone(),
                run: run.clone(),
                steps: l.steps.get(&run_id).cloned(),
            }])
        }))
    }

    /// Every step change of the runs matching `filters` (all visible runs without), one
    /// event per step: a batch action sends one for each run of the batch.
    async fn run_steps_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the runs; absent: every run the caller may see.")]
        filters: Option<RunsInputFilters>,
        #[graphql(
            desc = "An `eventId` seen before: the changes since it come first, then live ones."
        )]
        after: Option<ID>,
    ) -> Result<impl Stream<Item = Result<RunStepChangedEvent>> + use<>> {
        filtered_events(ctx, after, filters, |sub, c, filters| async move {
            if c.run_step_ids.is_empty() {
                return Ok(Vec::new());
            }
            let l = loaded(&sub, &c).await?;
            let runs: Vec<run::Model> = match filters {
                None => c
                    .run_ids
                    .iter()
                    .filter_map(|id| l.runs.get(id))
                    .filter(|r| events::run_visible_to(&sub.caller, r))
                    .cloned()
                    .collect(),
                Some(f) => {
                    events::visible_runs(&sub.reads, &sub.caller, &c.run_ids, Some(run_spec(f)))
                        .await?
                }
            };
            let mut out = Vec::new();
            for step_id in &c.run_step_ids {
                let found = runs.iter().find_map(|r| {
                    let all = l.steps.get(&r.id)?;
                    all.0.get(*step_id).map(|_| (r, all))
                });
                if let Some((run, all)) = found {
                    out.push(RunStepChangedEvent {
                        event_id: c.event_id,
                        action: c.action.clone(),
                        run: run.clone(),
                        steps: all.clone(),
                        run_step_id: *step_id,
                    });
                }
            }
            Ok(out)
        })
        .await
    }

    /// Runs created (`createRun`, `createRuns`, `createBatchedRun`) that match `filters`:
    /// one event per creating mutation, with its runs the subscriber may see.
    async fn runs_created(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the runs; absent: every run the caller may see.")]
        filters: Option<RunsInputFilters>,
        #[graphql(
            desc = "An `eventId` seen before: the changes since it come first, then live ones."
        )]
        after: Option<ID>,
    ) -> Result<impl Stream<Item = Result<RunsCreatedEvent>> + use<>> {
        filtered_events(ctx, after, filters, |sub, c, filters| async move {
            if !c.created {
                return Ok(Vec::new());
            }
            let runs =
                events::visible_runs(&sub.reads, &sub.caller, &c.run_ids, filters.map(run_spec))
                    .await?;
            Ok(if runs.is_empty() {
                Vec::new()
            } else {
                vec![RunsCreatedEvent {
                    event_id: c.event_id,
                    runs,
                }]
            })
        })
        .await
    }
}

/// A subscriber's run filters as the store's list spec (no sort: events come in log order).
fn run_spec(f: RunsInputFilters) -> crate::store::lists::Spec<entity::run::Entity> {
    spec(Some(f), None::<Vec<RunSortEnum>>)
}
