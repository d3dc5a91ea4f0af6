//! Subscriptions: live run changes over WebSocket (`http/ws.rs`). Each subscription reads
//! its organization's changes from the process's hub (`live`), keeps those it asked for,
//! and loads what it sends through the store with its own caller, so scoping (organization,
//! export control) is applied to every event as to a query.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, Subscription as SubscriptionRoot};
use entity::run;
use futures_util::{Stream, StreamExt, stream};

use super::ctx::{Gql, caller, db, loaders};
use super::loaders::RunStepsKey;
use super::types::id;
use super::types::run::Run;
use super::types::run_step::RunStep;
use crate::caller::Caller;
use crate::domain::status::RunStatus;
use crate::error::AppResult;
use crate::input::{RunsInputFilters, parse_id};
use crate::live::{Change, Closer, Hub, close};
use crate::store::{events, scope};

pub struct Subscription;

/// A run changed: a step or field of it (or of its batch), the run itself, or its batch.
pub struct RunChangedEvent {
    event_id: i64,
    action: String,
    run: run::Model,
}

#[Object]
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
        loaders(ctx).invalidate();
        Run(self.run.clone())
    }
}

/// A run step changed (its status, its fields), directly or by batch propagation.
pub struct RunStepChangedEvent {
    event_id: i64,
    action: String,
    run: run::Model,
    run_step_id: i64,
}

#[Object]
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
        let all = l
            .load(RunStepsKey(self.run.id))
            .await
            .gql()?
            .unwrap_or_default();
        let row = all
            .get(self.run_step_id)
            .cloned()
            .ok_or_else(|| crate::error::AppError::not_found("run step").into_gql())?;
        let failed = self.run.status == RunStatus::Failed.as_str();
        Ok(RunStep::new(row, all, failed))
    }
}

/// Runs were created (one event per creating mutation).
pub struct RunsCreatedEvent {
    event_id: i64,
    runs: Vec<run::Model>,
}

#[Object]
impl RunsCreatedEvent {
    /// The audit event that created them; pass it as `after` when resubscribing.
    async fn event_id(&self) -> ID {
        id(self.event_id)
    }
    /// The new runs the subscriber may see and that match its filters.
    async fn runs(&self, ctx: &Context<'_>) -> Vec<Run> {
        loaders(ctx).invalidate();
        self.runs.iter().cloned().map(Run).collect()
    }
}

/// What a subscription needs outside the request: its caller, database and hub.
struct Sub {
    caller: Caller,
    db: sea_orm::DatabaseConnection,
}

async fn start(
    ctx: &Context<'_>,
    after: Option<ID>,
) -> Result<(Sub, impl Stream<Item = AppResult<Arc<Change>>> + use<>)> {
    let caller = caller(ctx)?.clone();
    let after = after.map(|a| parse_id(&a, &["after"])).transpose().gql()?;
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
            db: db(ctx).clone(),
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

#[SubscriptionRoot]
impl Subscription {
    /// Every change of one run: its steps and fields (also when a batch sibling's action
    /// propagates to it), the run itself, its batch membership. `after`: an `eventId`;
    /// the changes since that event are sent first, then live ones.
    async fn run_changed(
        &self,
        ctx: &Context<'_>,
        id: ID,
        after: Option<ID>,
    ) -> Result<impl Stream<Item = Result<RunChangedEvent>> + use<>> {
        let run_id = parse_id(&id, &["id"]).gql()?;
        let (sub, changes) = start(ctx, after).await?;
        scope::get::<run::Entity>(&sub.db, &sub.caller, run_id, "run", scope::path(&["id"]))
            .await
            .gql()?;
        Ok(events_of(sub, changes, move |sub, c| async move {
            if c.created || !c.run_ids.contains(&run_id) {
                return Ok(Vec::new());
            }
            let run = scope::find::<run::Entity>(&sub.db, &sub.caller, run_id).await?;
            Ok(run
                .map(|run| RunChangedEvent {
                    event_id: c.event_id,
                    action: c.action.clone(),
                    run,
                })
                .into_iter()
                .collect())
        }))
    }

    /// Every step change of the runs matching `filters` (all visible runs without), one
    /// event per step: a batch action sends one for each run of the batch.
    async fn run_steps_changed(
        &self,
        ctx: &Context<'_>,
        filters: Option<RunsInputFilters>,
        after: Option<ID>,
    ) -> Result<impl Stream<Item = Result<RunStepChangedEvent>> + use<>> {
        let (sub, changes) = start(ctx, after).await?;
        Ok(events_of(sub, changes, move |sub, c| {
            let filters = filters.clone();
            async move {
                if c.run_step_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let runs = events::visible_runs(&sub.db, &sub.caller, &c.run_ids, filters).await?;
                let ids: Vec<i64> = runs.iter().map(|r| r.id).collect();
                let steps = events::run_steps(&sub.db, &c.run_step_ids, &ids).await?;
                Ok(steps
                    .into_iter()
                    .filter_map(|s| {
                        let run = runs.iter().find(|r| r.id == s.run_id)?.clone();
                        Some(RunStepChangedEvent {
                            event_id: c.event_id,
                            action: c.action.clone(),
                            run,
                            run_step_id: s.id,
                        })
                    })
                    .collect())
            }
        }))
    }

    /// Runs created (`createRun`, `createRuns`, `createBatchedRun`) that match `filters`:
    /// one event per creating mutation, with its runs the subscriber may see.
    async fn runs_created(
        &self,
        ctx: &Context<'_>,
        filters: Option<RunsInputFilters>,
        after: Option<ID>,
    ) -> Result<impl Stream<Item = Result<RunsCreatedEvent>> + use<>> {
        let (sub, changes) = start(ctx, after).await?;
        Ok(events_of(sub, changes, move |sub, c| {
            let filters = filters.clone();
            async move {
                if !c.created {
                    return Ok(Vec::new());
                }
                let runs = events::visible_runs(&sub.db, &sub.caller, &c.run_ids, filters).await?;
                Ok(if runs.is_empty() {
                    Vec::new()
                } else {
                    vec![RunsCreatedEvent {
                        event_id: c.event_id,
                        runs,
                    }]
                })
            }
        }))
    }
}
