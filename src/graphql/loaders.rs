//! Per-request DataLoaders: every nested field is loaded in one statement per key type,
//! batched across all the parents of a response. Created by the HTTP layer for each
//! request, bound to the caller so every read stays inside the caller's organization.

use std::collections::HashMap;
use std::sync::Arc;

use std::any::{Any, TypeId};
use std::hash::Hash;
use std::sync::Mutex;

use async_graphql::dataloader::Loader;
use entity::{
    part, part_inventory, procedure, run, run_batch, run_step, run_step_edge, run_step_field, step,
    step_field, team, user,
};
use futures_util::future::{BoxFuture, FutureExt, Shared};
use sea_orm::DatabaseConnection;

use crate::caller::Caller;
use crate::error::AppError;
use crate::store::reads;

pub struct Db {
    pub db: DatabaseConnection,
    pub caller: Caller,
}

/// The request's loaders, over async-graphql's `Loader` trait.
///
/// async-graphql's `DataLoader` closes a batch on a 1 ms timer in another task, so on a busy
/// machine one page of runs takes a varying number of statements. Here a batch closes when
/// the request's own task has yielded twice: every sibling resolver polled in between joins
/// it, then all its keys load in one call. A key loaded or in flight is shared, never
/// loaded twice; `invalidate` empties the memo after a mutation so its payload sees its
/// own writes.
pub struct Loaders {
    db: Arc<Db>,
    state: Arc<Mutex<HashMap<TypeId, Box<dyn Any + Send + Sync>>>>,
}

type Pending<V> = Shared<BoxFuture<'static, Result<Option<V>, AppError>>>;
type Batch<K, V> = Shared<BoxFuture<'static, Result<Arc<HashMap<K, V>>, AppError>>>;

/// Per key type: every key asked for, and the open batch with its keys.
struct Typed<K, V> {
    memo: HashMap<K, Pending<V>>,
    open: Option<(Vec<K>, Batch<K, V>)>,
}

fn typed<K, V>(state: &mut HashMap<TypeId, Box<dyn Any + Send + Sync>>) -> &mut Typed<K, V>
where
    K: Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    state
        .entry(TypeId::of::<K>())
        .or_insert_with(|| {
            Box::new(Typed::<K, V> {
                memo: HashMap::new(),
                open: None,
            })
        })
        .downcast_mut::<Typed<K, V>>()
        .expect("one state type per key type")
}

pub fn new(db: DatabaseConnection, caller: Caller) -> Loaders {
    Loaders {
        db: Arc::new(Db { db, caller }),
        state: Arc::new(Mutex::new(HashMap::new())),
    }
}

impl Loaders {
    pub async fn load<K, V>(&self, key: K) -> Result<Option<V>, AppError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        Db: Loader<K, Value = V, Error = AppError>,
    {
        let pending = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let t = typed::<K, V>(&mut state);
            match t.memo.get(&key) {
                Some(p) => p.clone(),
                None => {
                    let batch = match &mut t.open {
                        Some((keys, batch)) => {
                            keys.push(key.clone());
                            batch.clone()
                        }
                        None => {
                            let batch = self.start_batch::<K, V>();
                            t.open = Some((vec![key.clone()], batch.clone()));
                            batch
                        }
                    };
                    let k = key.clone();
                    let p = async move { batch.await.map(|m| m.get(&k).cloned()) }
                        .boxed()
                        .shared();
                    t.memo.insert(key, p.clone());
                    p
                }
            }
        };
        pending.await
    }

    fn start_batch<K, V>(&self) -> Batch<K, V>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        Db: Loader<K, Value = V, Error = AppError>,
    {
        let db = self.db.clone();
        let state = self.state.clone();
        async move {
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            let keys = {
                let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
                typed::<K, V>(&mut state)
                    .open
                    .take()
                    .map(|(k, _)| k)
                    .unwrap_or_default()
            };
            Ok(Arc::new(db.load(&keys).await?))
        }
        .boxed()
        .shared()
    }

    pub async fn load_many<K, V>(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<Vec<V>, AppError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        Db: Loader<K, Value = V, Error = AppError>,
    {
        let all =
            futures_util::future::try_join_all(keys.into_iter().map(|k| self.load(k))).await?;
        Ok(all.into_iter().flatten().collect())
    }

    /// Loads every key not yet known in one call, ahead of the resolvers that will ask
    /// for them: list resolvers prime their children so a page takes the same statements
    /// however the resolvers interleave.
    pub async fn prime<K, V>(&self, keys: impl IntoIterator<Item = K>) -> Result<(), AppError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
        Db: Loader<K, Value = V, Error = AppError>,
    {
        let missing: Vec<K> = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let t = typed::<K, V>(&mut state);
            let mut seen = std::collections::HashSet::new();
            keys.into_iter()
                .filter(|k| !t.memo.contains_key(k) && seen.insert(k.clone()))
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        let loaded = self.db.load(&missing).await?;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let t = typed::<K, V>(&mut state);
        for k in missing {
            let v = loaded.get(&k).cloned();
            t.memo
                .entry(k)
                .or_insert_with(|| futures_util::future::ready(Ok(v)).boxed().shared());
        }
        Ok(())
    }

    /// Records `value` as loaded for `key` (a subscription shares what it loaded once for
    /// all its subscribers).
    pub fn seed<K, V>(&self, key: K, value: Option<V>)
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Send + Sync + Clone + 'static,
    {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        typed::<K, V>(&mut state)
            .memo
            .insert(key, futures_util::future::ready(Ok(value)).boxed().shared());
    }

    /// Forgets everything loaded so far: a mutation's payload must see its own writes.
    pub fn invalidate(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

pub fn invalidate(l: &Loaders) {
    l.invalidate();
}

macro_rules! by_id {
    ($key:ident, $entity:ident) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);
        impl Loader<$key> for Db {
            type Value = $entity::Model;
            type Error = AppError;
            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, AppError> {
                let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let rows = reads::by_ids::<$entity::Entity>(&self.db, &self.caller, &ids).await?;
                Ok(rows.into_iter().map(|(id, m)| ($key(id), m)).collect())
            }
        }
    };
}

by_id!(RunKey, run);
by_id!(PartKey, part);
by_id!(ProcedureKey, procedure);
by_id!(InventoryKey, part_inventory);
by_id!(UserKey, user);
by_id!(TeamKey, team);
by_id!(BatchKey, run_batch);

/// A run's steps with indexes for the tree and for dependencies.
#[derive(Default)]
pub struct RunSteps {
    pub steps: Vec<run_step::Model>,
    by_id: HashMap<i64, usize>,
    children: HashMap<Option<i64>, Vec<usize>>,
    upstream: HashMap<i64, Vec<i64>>,
    fields: HashMap<i64, Vec<run_step_field::Model>>,
}

impl RunSteps {
    fn new(
        steps: Vec<run_step::Model>,
        edges: Vec<run_step_edge::Model>,
        fields: Vec<run_step_field::Model>,
    ) -> Self {
        let by_id = steps.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
        for (i, s) in steps.iter().enumerate() {
            children.entry(s.parent_id).or_default().push(i);
        }
        let mut upstream: HashMap<i64, Vec<i64>> = HashMap::new();
        for e in edges {
            upstream
                .entry(e.step_id)
                .or_default()
                .push(e.upstream_step_id);
        }
        for v in upstream.values_mut() {
            v.sort_unstable();
        }
        let mut by_step: HashMap<i64, Vec<run_step_field::Model>> = HashMap::new();
        for f in fields {
            by_step.entry(f.run_step_id).or_default().push(f);
        }
        RunSteps {
            steps,
            by_id,
            children,
            upstream,
            fields: by_step,
        }
    }

    pub fn children(&self, parent: Option<i64>) -> impl Iterator<Item = &run_step::Model> {
        self.children
            .get(&parent)
            .into_iter()
            .flatten()
            .map(|i| &self.steps[*i])
    }

    pub fn get(&self, id: i64) -> Option<&run_step::Model> {
        self.by_id.get(&id).map(|i| &self.steps[*i])
    }

    pub fn upstream(&self, id: i64) -> &[i64] {
        self.upstream.get(&id).map_or(&[], Vec::as_slice)
    }

    pub fn fields(&self, id: i64) -> &[run_step_field::Model] {
        self.fields.get(&id).map_or(&[], Vec::as_slice)
    }
}

/// All of a run's steps, edges and fields: three statements for any number of runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RunStepsKey(pub i64);

impl Loader<RunStepsKey> for Db {
    type Value = Arc<RunSteps>;
    type Error = AppError;
    async fn load(
        &self,
        keys: &[RunStepsKey],
    ) -> Result<HashMap<RunStepsKey, Self::Value>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut steps = reads::run_steps_by_run(&self.db, &self.caller, &ids).await?;
        let mut edges = reads::run_edges_by_run(&self.db, &ids).await?;
        let mut fields = reads::run_fields_by_run(&self.db, &self.caller, &ids).await?;
        Ok(ids
            .into_iter()
            .map(|id| {
                let rs = RunSteps::new(
                    steps.remove(&id).unwrap_or_default(),
                    edges.remove(&id).unwrap_or_default(),
                    fields.remove(&id).unwrap_or_default(),
                );
                (RunStepsKey(id), Arc::new(rs))
            })
            .collect())
    }
}

/// A procedure's steps, edges and fields.
#[derive(Default)]
pub struct ProcedureSteps {
    pub steps: Vec<step::Model>,
    pub fields: HashMap<i64, Vec<step_field::Model>>,
    pub upstream: HashMap<i64, Vec<i64>>,
}

impl ProcedureSteps {
    pub fn children(&self, parent: Option<i64>) -> impl Iterator<Item = &step::Model> {
        self.steps.iter().filter(move |s| s.parent_id == parent)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProcedureStepsKey(pub i64);

impl Loader<ProcedureStepsKey> for Db {
    type Value = Arc<ProcedureSteps>;
    type Error = AppError;
    async fn load(
        &self,
        keys: &[ProcedureStepsKey],
    ) -> Result<HashMap<ProcedureStepsKey, Self::Value>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut steps = reads::steps_by_procedure(&self.db, &self.caller, &ids).await?;
        let mut fields = reads::step_fields_by_procedure(&self.db, &self.caller, &ids).await?;
        let mut edges = reads::step_edges_by_procedure(&self.db, &self.caller, &ids).await?;
        Ok(ids
            .into_iter()
            .map(|id| {
                let mut by_step: HashMap<i64, Vec<step_field::Model>> = HashMap::new();
                for f in fields.remove(&id).unwrap_or_default() {
                    by_step.entry(f.step_id).or_default().push(f);
                }
                let mut upstream: HashMap<i64, Vec<i64>> = HashMap::new();
                for e in edges.remove(&id).unwrap_or_default() {
                    upstream
                        .entry(e.step_id)
                        .or_default()
                        .push(e.upstream_step_id);
                }
                let ps = ProcedureSteps {
                    steps: steps.remove(&id).unwrap_or_default(),
                    fields: by_step,
                    upstream,
                };
                (ProcedureStepsKey(id), Arc::new(ps))
            })
            .collect())
    }
}

/// Released procedures linked to a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartProceduresKey(pub i64);

impl Loader<PartProceduresKey> for Db {
    type Value = Arc<Vec<procedure::Model>>;
    type Error = AppError;
    async fn load(
        &self,
        keys: &[PartProceduresKey],
    ) -> Result<HashMap<PartProceduresKey, Self::Value>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut m = reads::procedures_by_part(&self.db, &self.caller, &ids, true).await?;
        Ok(ids
            .into_iter()
            .map(|id| {
                (
                    PartProceduresKey(id),
                    Arc::new(m.remove(&id).unwrap_or_default()),
                )
            })
            .collect())
    }
}

/// Ids of the parts a procedure is linked to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProcedurePartsKey(pub i64);

impl Loader<ProcedurePartsKey> for Db {
    type Value = Arc<Vec<i64>>;
    type Error = AppError;
    async fn load(
        &self,
        keys: &[ProcedurePartsKey],
    ) -> Result<HashMap<ProcedurePartsKey, Self::Value>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut m = reads::part_ids_by_procedure(&self.db, &self.caller, &ids).await?;
        Ok(ids
            .into_iter()
            .map(|id| {
                (
                    ProcedurePartsKey(id),
                    Arc::new(m.remove(&id).unwrap_or_default()),
                )
            })
            .collect())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BatchRunsKey(pub i64);

impl Loader<BatchRunsKey> for Db {
    type Value = Arc<Vec<run::Model>>;
    type Error = AppError;
    async fn load(
        &self,
        keys: &[BatchRunsKey],
    ) -> Result<HashMap<BatchRunsKey, Self::Value>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut m = reads::runs_by_batch(&self.db, &self.caller, &ids).await?;
        Ok(ids
            .into_iter()
            .map(|id| {
                (
                    BatchRunsKey(id),
                    Arc::new(m.remove(&id).unwrap_or_default()),
                )
            })
            .collect())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TeamMembersKey(pub i64);

impl Loader<TeamMembersKey> for Db {
    type Value = Arc<Vec<i64>>;
    type Error = AppError;
    async fn load(
        &self,
        keys: &[TeamMembersKey],
    ) -> Result<HashMap<TeamMembersKey, Self::Value>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut m = reads::members_by_team(&self.db, &self.caller, &ids).await?;
        Ok(ids
            .into_iter()
            .map(|id| {
                (
                    TeamMembersKey(id),
                    Arc::new(m.remove(&id).unwrap_or_default()),
                )
            })
            .collect())
    }
}

/// The recorded changes of a run step, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HistoryKey(pub i64);

impl Loader<HistoryKey> for Db {
    type Value = Arc<Vec<entity::run_step_event::Model>>;
    type Error = AppError;
    async fn load(
        &self,
        keys: &[HistoryKey],
    ) -> Result<HashMap<HistoryKey, Self::Value>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut m = crate::store::execution::history(&self.db, &self.caller, &ids).await?;
        Ok(ids
            .into_iter()
            .map(|id| (HistoryKey(id), Arc::new(m.remove(&id).unwrap_or_default())))
            .collect())
    }
}
