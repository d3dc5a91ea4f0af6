//! Per-request DataLoaders over the `dataloader` crate: every nested field is loaded in one
//! statement per key type, batched across all the parents of a response. Created by the
//! HTTP layer for each request, bound to the caller so every read stays inside the
//! caller's organization.
//!
//! One generic loader serves every key type: a key type says how a batch of its ids is read
//! (`Key::read`), the crate does the rest. A batch closes when its first caller has yielded
//! `YIELDS` times in the request's own task (not on a timer in another task, so statement
//! counts do not depend on the machine's load): every sibling resolver polled in between
//! joins it. Values are cached for the request, so a key is never loaded twice.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::future::Future;
use std::hash::Hash;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use dataloader::BatchFn;
use dataloader::cached::{Cache, Loader};
use entity::{
    part, part_inventory, part_subtype, procedure, role, run, run_batch, run_step, run_step_event,
    run_step_field, step, step_field, team, user, work_center,
};
use tokio::task::coop::unconstrained;

use crate::caller::Caller;
use crate::error::AppError;
use crate::store::pooled::ReadPool;
use crate::store::reads::{self, IdMap};

/// How many times a batch's first caller yields before the batch loads. Two is what the
/// executor needs: siblings reach the loader in the first pass over a list, or in the next
/// one after a value shared by all of them arrives.
const YIELDS: usize = 2;

/// Keys per statement at most, well under SQLite's and PostgreSQL's bound-parameter limits.
pub const MAX_BATCH: usize = 1000;

pub struct Db {
    /// Reads straight through sqlx (`store::pooled`).
    pub db: ReadPool,
    pub caller: Caller,
}

/// A key type: a newtype over an id, and how the values of a batch of ids are read.
pub trait Key: Copy + Eq + Hash + Debug + Send + Sync + 'static {
    type Value: Clone + Send + Sync + 'static;
    fn id(self) -> i64;
    fn of(id: i64) -> Self;
    /// The values of `ids` the caller may see, in a fixed number of statements; an id
    /// without a value is left out.
    fn read(
        db: &Db,
        ids: &[i64],
    ) -> impl Future<Output = Result<HashMap<i64, Self::Value>, AppError>> + Send;
    /// This key type's loader among the request's.
    fn typed(set: &Set) -> &Typed<Self>;
}

/// What the loader keeps per key: the value, `None` if the caller cannot see one, or the
/// error of the batch that read it.
type Slot<K> = Result<Option<<K as Key>::Value>, AppError>;

pub type KeyLoader<K> = Loader<K, Slot<K>, Batch<K>, Known<K>>;

/// The crate's batch function for key type `K`: one `K::read` per batch.
pub struct Batch<K> {
    db: Arc<Db>,
    key: PhantomData<fn() -> K>,
}

impl<K: Key> BatchFn<K, Slot<K>> for Batch<K> {
    async fn load(&mut self, keys: &[K]) -> HashMap<K, Slot<K>> {
        let ids: Vec<i64> = keys.iter().map(|k| k.id()).collect();
        match K::read(&self.db, &ids).await {
            Ok(mut found) => keys
                .iter()
                .map(|k| (*k, Ok(found.remove(&k.id()))))
                .collect(),
            Err(e) => keys.iter().map(|k| (*k, Err(e.clone()))).collect(),
        }
    }
}

/// The crate's per-loader cache, with its keys mirrored where `prime` can see them: the
/// crate has no "is this key known", and priming must skip known keys so that a key is
/// never loaded twice.
pub struct Known<K: Key> {
    values: HashMap<K, Slot<K>>,
    keys: Arc<Mutex<HashSet<K>>>,
}

impl<K: Key> Known<K> {
    fn keys(&self) -> std::sync::MutexGuard<'_, HashSet<K>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K: Key> Cache for Known<K> {
    type Key = K;
    type Val = Slot<K>;
    fn get(&mut self, key: &K) -> Option<&Slot<K>> {
        self.values.get(key)
    }
    fn insert(&mut self, key: K, val: Slot<K>) {
        self.keys().insert(key);
        self.values.insert(key, val);
    }
    fn remove(&mut self, key: &K) -> Option<Slot<K>> {
        self.keys().remove(key);
        self.values.remove(key)
    }
    fn clear(&mut self) {
        self.keys().clear();
        self.values.clear();
    }
}

/// One key type's loader, with a view of the keys it knows.
pub struct Typed<K: Key> {
    loader: KeyLoader<K>,
    known: Arc<Mutex<HashSet<K>>>,
}

impl<K: Key> Typed<K> {
    fn new(db: &Arc<Db>) -> Self {
        let known = Arc::new(Mutex::new(HashSet::new()));
        let cache = Known {
            values: HashMap::new(),
            keys: known.clone(),
        };
        let batch = Batch {
            db: db.clone(),
            key: PhantomData,
        };
        let loader = Loader::with_cache(batch, cache)
            .with_yield_count(YIELDS)
            .with_max_batch_size(MAX_BATCH);
        Typed { loader, known }
    }
}

/// The request's loaders. A mutation empties them (`invalidate`) so that its payload sees
/// its own writes: the next read starts a fresh set.
pub struct Loaders {
    set: Mutex<Arc<Set>>,
}

pub fn new(db: ReadPool, caller: Caller) -> Loaders {
    let db = Arc::new(Db { db, caller });
    Loaders {
        set: Mutex::new(Arc::new(Set::new(&db))),
    }
}

/// Forgets everything loaded so far.
pub fn invalidate(l: &Loaders) {
    let mut set = l.set.lock().unwrap_or_else(PoisonError::into_inner);
    *set = Arc::new(Set::new(&set.db));
}

impl Loaders {
    fn set(&self) -> Arc<Set> {
        self.set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub async fn load<K: Key>(&self, key: K) -> Result<Option<K::Value>, AppError> {
        let set = self.set();
        unconstrained(K::typed(&set).loader.try_load(key))
            .await
            .map_err(AppError::internal)?
    }

    /// The values of `keys` that exist, in one batch with their siblings'.
    pub async fn load_many<K: Key>(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<Vec<K::Value>, AppError> {
        let keys: Vec<K> = keys.into_iter().collect();
        let set = self.set();
        let mut found = unconstrained(K::typed(&set).loader.try_load_many(keys.clone()))
            .await
            .map_err(AppError::internal)?;
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            if let Some(slot) = found.remove(&k) {
                out.extend(slot?);
            }
        }
        Ok(out)
    }

    /// Loads the keys not yet known, `MAX_BATCH` per statement, ahead of the resolvers that
    /// will ask for them (`prime_many`): list resolvers prime their children so a page
    /// takes the same statements however the resolvers interleave.
    pub async fn prime<K: Key>(&self, keys: impl IntoIterator<Item = K>) -> Result<(), AppError> {
        let set = self.set();
        let missing: Vec<i64> = {
            let known = K::typed(&set)
                .known
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let mut seen = HashSet::new();
            keys.into_iter()
                .filter(|k| !known.contains(k) && seen.insert(*k))
                .map(Key::id)
                .collect()
        };
        for ids in missing.chunks(MAX_BATCH) {
            let mut found = K::read(&set.db, ids).await?;
            let slots = ids.iter().map(|i| (K::of(*i), Ok(found.remove(i))));
            K::typed(&set).loader.prime_many(slots).await;
        }
        Ok(())
    }

    /// Records `value` as loaded for `key` (a subscription shares what it loaded once for
    /// all its subscribers).
    pub async fn seed<K: Key>(&self, key: K, value: Option<K::Value>) {
        let set = self.set();
        K::typed(&set).loader.prime(key, Ok(value)).await;
    }

    /// Forgets everything loaded so far (see [`invalidate`]).
    pub fn invalidate(&self) {
        invalidate(self)
    }
}

/// A run's steps and their fields, with indexes for the tree.
#[derive(Default)]
pub struct RunSteps {
    pub steps: Vec<run_step::Model>,
    by_id: IdMap<usize>,
    children: foldhash::HashMap<Option<i64>, Vec<usize>>,
    /// The run's fields, each step's together in their order; `fields_of` indexes them.
    /// Kept in one list: a field row is a few hundred bytes, and regrouping moves each.
    fields: Vec<run_step_field::Model>,
    fields_of: IdMap<Range<usize>>,
}

impl RunSteps {
    pub fn new(steps: Vec<run_step::Model>, mut fields: Vec<run_step_field::Model>) -> Self {
        let by_id = steps.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let mut children = foldhash::HashMap::<Option<i64>, Vec<usize>>::default();
        for (i, s) in steps.iter().enumerate() {
            children.entry(s.parent_id).or_default().push(i);
        }
        // Read in step order already (`reads::run_trees`, `store::traveler`): the stable
        // sort then moves nothing.
        fields.sort_by_key(|f| f.run_step_id);
        let fields_of = runs_of(&fields, |f| f.run_step_id);
        RunSteps {
            steps,
            by_id,
            children,
            fields,
            fields_of,
        }
    }

    async fn read(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Arc<Self>>, AppError> {
        let (mut steps, mut fields) = reads::run_trees(&db.db, &db.caller, ids).await?;
        let mut take = |id: &i64| {
            RunSteps::new(
                steps.remove(id).unwrap_or_default(),
                fields.remove(id).unwrap_or_default(),
            )
        };
        Ok(ids.iter().map(|id| (*id, Arc::new(take(id)))).collect())
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

    pub fn fields(&self, id: i64) -> &[run_step_field::Model] {
        self.fields_of
            .get(&id)
            .map_or(&[], |r| &self.fields[r.clone()])
    }
}

/// The dependencies between a run's steps: read apart from the steps, since only
/// availability (`availableToWork`, `blockers`, `availableFirst`) and `upstreamStepIds`
/// need them, and a traveler's read is a statement shorter without.
#[derive(Default)]
pub struct RunEdges {
    upstream: HashMap<i64, Vec<i64>>,
}

impl RunEdges {
    async fn read(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Arc<Self>>, AppError> {
        let mut edges = reads::run_edges(&db.db, &db.caller, ids).await?;
        let mut take = |id: &i64| {
            let edges = edges.remove(id).unwrap_or_default();
            RunEdges {
                upstream: upstream(edges.iter().map(|e| (e.step_id, e.upstream_step_id))),
            }
        };
        Ok(ids.iter().map(|id| (*id, Arc::new(take(id)))).collect())
    }

    /// The steps that step `id` waits for, ascending.
    pub fn upstream(&self, id: i64) -> &[i64] {
        self.upstream.get(&id).map_or(&[], Vec::as_slice)
    }
}

/// A procedure's steps, edges and fields.
#[derive(Default)]
pub struct ProcedureSteps {
    pub steps: Vec<step::Model>,
    pub fields: reads::Groups<step_field::Model>,
    pub upstream: HashMap<i64, Vec<i64>>,
}

impl ProcedureSteps {
    pub fn children(&self, parent: Option<i64>) -> impl Iterator<Item = &step::Model> {
        self.steps.iter().filter(move |s| s.parent_id == parent)
    }

    async fn read(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Arc<Self>>, AppError> {
        let (mut steps, mut fields, mut edges) =
            reads::procedure_trees(&db.db, &db.caller, ids).await?;
        let mut take = |id: &i64| {
            let edges = edges.remove(id).unwrap_or_default();
            ProcedureSteps {
                steps: steps.remove(id).unwrap_or_default(),
                fields: reads::group(fields.remove(id).unwrap_or_default(), |f| f.step_id),
                upstream: upstream(edges.iter().map(|e| (e.step_id, e.upstream_step_id))),
            }
        };
        Ok(ids.iter().map(|id| (*id, Arc::new(take(id)))).collect())
    }
}

/// Declares the key types, how each reads a batch, and the request's set of loaders with
/// one loader per key type.
macro_rules! keys {
    ($($(#[$doc:meta])* $field:ident: $key:ident => $value:ty = |$db:ident, $ids:ident| $read:expr;)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub struct $key(pub i64);

            impl Key for $key {
                type Value = $value;
                fn id(self) -> i64 {
                    self.0
                }
                fn of(id: i64) -> Self {
                    $key(id)
                }
                async fn read($db: &Db, $ids: &[i64]) -> Result<HashMap<i64, $value>, AppError> {
                    $read
                }
                fn typed(set: &Set) -> &Typed<Self> {
                    set.$field.get_or_init(|| Typed::new(&set.db))
                }
            }
        )*

        /// One loader per key type, for one request between mutations, each made when
        /// first used: a request reads through a few of the twenty, and making them all
        /// was 8% of the server's CPU for a small query (`perf`, `{ __typename }`).
        pub struct Set {
            db: Arc<Db>,
            $($field: OnceLock<Typed<$key>>,)*
        }

        impl Set {
            fn new(db: &Arc<Db>) -> Set {
                Set { db: db.clone(), $($field: OnceLock::new(),)* }
            }
        }
    };
}

keys! {
    runs: RunKey => run::Model = |db, ids| rows::<run::Entity>(db, ids).await;
    parts: PartKey => part::Model = |db, ids| rows::<part::Entity>(db, ids).await;
    procedures: ProcedureKey => procedure::Model =
        |db, ids| rows::<procedure::Entity>(db, ids).await;
    inventory: InventoryKey => part_inventory::Model =
        |db, ids| rows::<part_inventory::Entity>(db, ids).await;
    users: UserKey => user::Model = |db, ids| rows::<user::Entity>(db, ids).await;
    teams: TeamKey => team::Model = |db, ids| rows::<team::Entity>(db, ids).await;
    batches: BatchKey => run_batch::Model = |db, ids| rows::<run_batch::Entity>(db, ids).await;
    work_centers: WorkCenterKey => work_center::Model =
        |db, ids| rows::<work_center::Entity>(db, ids).await;
    /// All of a run's steps and fields: two statements for any number of runs.
    run_steps: RunStepsKey => Arc<RunSteps> = |db, ids| RunSteps::read(db, ids).await;
    /// The dependencies between a run's steps: one statement for any number of runs.
    run_edges: RunEdgesKey => Arc<RunEdges> = |db, ids| RunEdges::read(db, ids).await;
    /// A procedure's steps, edges and fields: three statements for any number.
    procedure_steps: ProcedureStepsKey => Arc<ProcedureSteps> =
        |db, ids| ProcedureSteps::read(db, ids).await;
    /// Released procedures linked to a part.
    part_procedures: PartProceduresKey => Arc<Vec<procedure::Model>> =
        |db, ids| shared(reads::procedures_by_part(&db.db, &db.caller, ids, true).await?);
    /// A part's subtypes, by id.
    part_subtypes: PartSubtypesKey => Arc<Vec<part_subtype::Model>> =
        |db, ids| shared(reads::subtypes_by_part(&db.db, &db.caller, ids).await?);
    /// The summed quantity of a part's units and lots.
    part_quantities: PartQuantityKey => f64 =
        |db, ids| reads::quantity_by_part(&db.db, &db.caller, ids).await;
    /// Ids of the parts a procedure is linked to.
    procedure_parts: ProcedurePartsKey => Arc<Vec<i64>> =
        |db, ids| shared(reads::part_ids_by_procedure(&db.db, &db.caller, ids).await?);
    batch_runs: BatchRunsKey => Arc<Vec<run::Model>> =
        |db, ids| shared(reads::runs_by_batch(&db.db, &db.caller, ids).await?);
    team_members: TeamMembersKey => Arc<Vec<i64>> =
        |db, ids| shared(reads::members_by_team(&db.db, &db.caller, ids).await?);
    roles: RoleKey => role::Model = |db, ids| rows::<role::Entity>(db, ids).await;
    /// Ids of the roles a user holds directly.
    user_roles: UserRolesKey => Arc<Vec<i64>> =
        |db, ids| shared(reads::roles_by_user(&db.db, &db.caller, ids).await?);
    /// Ids of the roles a team gives its members.
    team_roles: TeamRolesKey => Arc<Vec<i64>> =
        |db, ids| shared(reads::roles_by_team(&db.db, &db.caller, ids).await?);
    /// Organizations: only the caller's own is ever visible.
    organizations: OrganizationKey => entity::organization::Model =
        |db, ids| Ok(reads::organizations(&db.db, &db.caller, ids).await?);
    /// The recorded changes of a run step, oldest first.
    history: HistoryKey => Arc<Vec<run_step_event::Model>> =
        |db, ids| shared(crate::store::execution::history(&db.db, &db.caller, ids).await?);
}

async fn rows<E>(db: &Db, ids: &[i64]) -> Result<HashMap<i64, E::Model>, AppError>
where
    E: crate::store::scope::OrgScoped,
    E::Model: sea_orm::ModelTrait<Entity = E>,
{
    reads::by_ids::<E>(&db.db, &db.caller, ids).await
}

fn shared<T, S>(m: HashMap<i64, Vec<T>, S>) -> Result<HashMap<i64, Arc<Vec<T>>>, AppError> {
    Ok(m.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
}

/// Each step's upstream step ids, ascending.
/// Where each key's rows stand in `rows`, which holds each key's rows together.
fn runs_of<T>(rows: &[T], key: impl Fn(&T) -> i64) -> IdMap<Range<usize>> {
    let mut out = IdMap::default();
    let mut start = 0;
    for chunk in rows.chunk_by(|a, b| key(a) == key(b)) {
        out.insert(key(&chunk[0]), start..start + chunk.len());
        start += chunk.len();
    }
    out
}

fn upstream(edges: impl IntoIterator<Item = (i64, i64)>) -> HashMap<i64, Vec<i64>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (step, up) in edges {
        out.entry(step).or_default().push(up);
    }
    for v in out.values_mut() {
        v.sort_unstable();
    }
    out
}
