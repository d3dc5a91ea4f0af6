//! Per-request DataLoaders: every nested field is loaded in one statement per key type,
//! batched across all the parents of a response. Created by the HTTP layer for each
//! request, bound to the caller so every read stays inside the caller's organization.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    part, part_inventory, procedure, run, run_batch, run_step, run_step_edge, run_step_field, step,
    step_field, team, user,
};
use sea_orm::DatabaseConnection;

use crate::caller::Caller;
use crate::error::AppError;
use crate::store::reads;

pub struct Db {
    pub db: DatabaseConnection,
    pub caller: Caller,
}

pub type Loaders = DataLoader<Db>;

pub fn new(db: DatabaseConnection, caller: Caller) -> Loaders {
    DataLoader::new(Db { db, caller }, tokio::spawn)
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
