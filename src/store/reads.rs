//! Batched reads behind the GraphQL DataLoaders: one statement per key set, whatever the
//! number of parents.

use std::collections::HashMap;

use entity::{
    part_inventory, part_part_subtype, part_procedure, part_subtype, procedure, run, run_step,
    run_step_edge, run_step_field, step, step_edge, step_field,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter, QueryOrder, Value,
};

use super::scope::{OrgScoped, visible};
use crate::caller::Caller;
use crate::domain::enums::ProcedureStatus;
use crate::error::AppError;
use sea_orm::DbErr;

/// The i64 in column `col` of `m` (an id or a reference), if set.
pub(super) fn int<M: ModelTrait>(m: &M, col: <M::Entity as EntityTrait>::Column) -> Option<i64> {
    match m.get(col) {
        Value::BigInt(Some(v)) => Some(v),
        _ => None,
    }
}

/// Rows of `E` by id, as the caller may see them.
pub async fn by_ids<E>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<HashMap<i64, E::Model>, AppError>
where
    E: OrgScoped,
    E::Model: ModelTrait<Entity = E>,
{
    let q = visible::<E>(caller).filter(E::id_col().is_in(ids.iter().copied()));
    let rows = super::decode::all(q, db).await?;
    caller.rows.take(rows.len())?;
    Ok(rows
        .into_iter()
        .filter_map(|m| int(&m, E::id_col()).map(|id| (id, m)))
        .collect())
}

/// Rows of `E` whose `parent` is one of `ids`, as the caller may see them, in `order`,
/// grouped by parent.
async fn by_parent<E>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    parent: E::Column,
    ids: &[i64],
    order: &[E::Column],
) -> Result<Groups<E::Model>, AppError>
where
    E: OrgScoped,
    E::Model: ModelTrait<Entity = E>,
{
    let q = visible::<E>(caller).filter(parent.is_in(ids.iter().copied()));
    let rows = super::decode::all(super::ordered(q, order), db).await?;
    caller.rows.take(rows.len())?;
    Ok(group(rows, |m| int(m, parent).unwrap_or_default()))
}

/// Rows grouped by `key`, in their order. Each group is sized before it is filled: a row
/// is a few hundred bytes, and growing a group moves every row already in it.
pub fn group<M>(rows: Vec<M>, key: impl Fn(&M) -> i64) -> Groups<M> {
    // One parent (a run's traveler, say): the rows are its group as they are, unmoved.
    if let Some(k) = rows.first().map(&key)
        && rows.iter().all(|r| key(r) == k)
    {
        return IdMap::from_iter([(k, rows)]);
    }
    let mut sizes: IdMap<usize> = IdMap::default();
    for r in &rows {
        *sizes.entry(key(r)).or_default() += 1;
    }
    let mut out: Groups<M> = IdMap::with_capacity_and_hasher(sizes.len(), Default::default());
    for r in rows {
        let k = key(&r);
        out.entry(k)
            .or_insert_with(|| Vec::with_capacity(sizes[&k]))
            .push(r);
    }
    out
}

/// Rows by their (unique) key, in the map the caller names.
pub fn keyed<M, C: FromIterator<(i64, M)>>(rows: Vec<M>, key: impl Fn(&M) -> i64) -> C {
    rows.into_iter().map(|r| (key(&r), r)).collect()
}

/// A map keyed by row ids. The ids are the database's, not a client's, so a fast hasher
/// (foldhash, seeded per process) serves: SipHash was 7% of a traveler read's
/// instructions (BENCHMARKS.md, thirteenth stop).
pub type IdMap<V> = foldhash::HashMap<i64, V>;

/// Rows grouped by the id of their parent.
pub type Groups<M> = IdMap<Vec<M>>;

/// Three kinds of rows of the same parents, each grouped by parent.
pub type Trees<A, B, C> = (Groups<A>, Groups<B>, Groups<C>);

/// The steps (in order) and fields of runs, by run: two statements for any number of
/// runs. Their dependencies are read apart (`run_edges`), only when a field needs them.
pub async fn run_trees(
    db: &impl ConnectionTrait,
    caller: &Caller,
    run_ids: &[i64],
) -> Result<(Groups<run_step::Model>, Groups<run_step_field::Model>), AppError> {
    use {run_step::Column as S, run_step_field::Column as F};
    let steps = by_parent::<run_step::Entity>(db, caller, S::RunId, run_ids, &[S::Position, S::Id]);
    let steps = steps.await?;
    let order = [F::RunStepId, F::Position, F::Id];
    let fields = by_parent::<run_step_field::Entity>(db, caller, F::RunId, run_ids, &order);
    Ok((steps, fields.await?))
}

/// The dependencies between the steps of runs, by run: one statement for any number.
/// Edges have no organization: the caller must have seen the runs already (their steps
/// are read through the same scope).
pub async fn run_edges(
    db: &impl ConnectionTrait,
    caller: &Caller,
    run_ids: &[i64],
) -> Result<Groups<run_step_edge::Model>, AppError> {
    let q = run_step_edge::Entity::find()
        .filter(run_step_edge::Column::RunId.is_in(run_ids.iter().copied()));
    let edges = super::decode::all(q, db).await?;
    caller.rows.take(edges.len())?;
    Ok(group(edges, |e| e.run_id))
}

/// The steps (in order), fields and edges of procedures, by procedure: three statements
/// for any number of procedures.
pub async fn procedure_trees(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<Trees<step::Model, step_field::Model, step_edge::Model>, AppError> {
    use {step::Column as S, step_edge::Column as E, step_field::Column as F};
    let steps = by_parent::<step::Entity>(db, caller, S::ProcedureId, ids, &[S::Position, S::Id]);
    let steps = steps.await?;
    let order = [F::StepId, F::Position, F::Id];
    let fields = by_parent::<step_field::Entity>(db, caller, F::ProcedureId, ids, &order).await?;
    let edges = by_parent::<step_edge::Entity>(db, caller, E::ProcedureId, ids, &[]).await?;
    Ok((steps, fields, edges))
}

/// Rows of the link table `E` whose `from` is one of `ids`, in the caller's organization
/// (`org`): each `from` id with its `to` ids, ascending.
async fn linked<E>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    [org, from, to]: [E::Column; 3],
    ids: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, AppError>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E>,
{
    let rows = E::find()
        .filter(org.eq(caller.organization_id))
        .filter(from.is_in(ids.iter().copied()))
        .order_by_asc(to)
        .all(db)
        .await?;
    caller.rows.take(rows.len())?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in rows {
        if let (Some(f), Some(t)) = (int(&r, from), int(&r, to)) {
            out.entry(f).or_default().push(t);
        }
    }
    Ok(out)
}

/// Reads over link tables, each `name: table(from -> to)`: for each `from` id of `ids`,
/// its `to` ids (`linked`).
macro_rules! links {
    ($($(#[$doc:meta])* $name:ident: $table:ident($from:ident -> $to:ident);)*) => {$(
        $(#[$doc])*
        pub async fn $name(
            db: &impl ConnectionTrait,
            caller: &Caller,
            ids: &[i64],
        ) -> Result<HashMap<i64, Vec<i64>>, AppError> {
            use entity::$table::Column as C;
            let cols = [C::OrganizationId, C::$from, C::$to];
            linked::<entity::$table::Entity>(db, caller, cols, ids).await
        }
    )*};
}
links! {
    /// Procedure id -> ids of the parts it is linked to.
    part_ids_by_procedure: part_procedure(ProcedureId -> PartId);
    /// Team id -> member user ids.
    members_by_team: team_member(TeamId -> UserId);
    /// User id -> ids of the roles the user holds directly.
    roles_by_user: user_role(UserId -> RoleId);
    /// Team id -> ids of the roles the team gives its members.
    roles_by_team: team_role(TeamId -> RoleId);
}

/// Part id -> the procedures linked to it, by id; `released_only` keeps RELEASED ones.
pub async fn procedures_by_part(
    db: &impl ConnectionTrait,
    caller: &Caller,
    part_ids: &[i64],
    released_only: bool,
) -> Result<HashMap<i64, Vec<procedure::Model>>, AppError> {
    use part_procedure::Column as C;
    let links = linked::<part_procedure::Entity>(
        db,
        caller,
        [C::OrganizationId, C::PartId, C::ProcedureId],
        part_ids,
    )
    .await?;
    let mut q = visible::<procedure::Entity>(caller)
        .filter(procedure::Column::Id.is_in(links.values().flatten().copied()));
    if released_only {
        q = q.filter(procedure::Column::Status.eq(ProcedureStatus::Released.as_str()));
    }
    let procs = super::decode::all(q, db).await?;
    caller.rows.take(procs.len())?;
    Ok(by_link(links, procs, |p| p.id))
}

/// Each key's linked ids as the rows of those ids found (in the links' order).
fn by_link<M: Clone>(
    links: HashMap<i64, Vec<i64>>,
    rows: Vec<M>,
    id: impl Fn(&M) -> i64,
) -> HashMap<i64, Vec<M>> {
    let rows: HashMap<i64, M> = rows.into_iter().map(|r| (id(&r), r)).collect();
    links
        .into_iter()
        .map(|(key, ids)| {
            let found = ids.iter().filter_map(|i| rows.get(i).cloned());
            (key, found.collect())
        })
        .collect()
}

/// Part id -> its subtypes, by id.
pub async fn subtypes_by_part(
    db: &impl ConnectionTrait,
    caller: &Caller,
    part_ids: &[i64],
) -> Result<HashMap<i64, Vec<part_subtype::Model>>, AppError> {
    use part_part_subtype::Column as C;
    let cols = [C::OrganizationId, C::PartId, C::PartSubtypeId];
    let links = linked::<part_part_subtype::Entity>(db, caller, cols, part_ids).await?;
    let subtypes = visible::<part_subtype::Entity>(caller)
        .filter(part_subtype::Column::Id.is_in(links.values().flatten().copied()))
        .all(db)
        .await?;
    caller.rows.take(subtypes.len())?;
    Ok(by_link(links, subtypes, |s| s.id))
}

pub async fn runs_by_batch(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<Groups<run::Model>, AppError> {
    use run::Column as C;
    by_parent::<run::Entity>(db, caller, C::RunBatchId, ids, &[C::Id]).await
}

/// Part id -> the summed quantity of its units and lots (ION's `Part.quantity`); parts
/// without any are absent.
pub async fn quantity_by_part(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<HashMap<i64, f64>, AppError> {
    use part_inventory::Column as C;
    use sea_orm::QuerySelect;
    let rows: Vec<(i64, Option<f64>)> = visible::<part_inventory::Entity>(caller)
        .filter(C::PartId.is_in(ids.iter().copied()))
        .select_only()
        .column(C::PartId)
        .column_as(C::Quantity.sum(), "quantity")
        .group_by(C::PartId)
        .into_tuple()
        .all(db)
        .await?;
    caller.rows.take(rows.len())?;
    Ok(rows
        .into_iter()
        .map(|(p, q)| (p, q.unwrap_or(0.0)))
        .collect())
}

/// The organizations of `ids` the caller belongs to (a caller sees its own organization
/// only; the rows that name one are all in it).
pub async fn organizations(
    db: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[i64],
) -> Result<HashMap<i64, entity::organization::Model>, DbErr> {
    if !ids.contains(&caller.organization_id) {
        return Ok(HashMap::new());
    }
    let org = entity::organization::Entity::find_by_id(caller.organization_id)
        .one(db)
        .await?;
    Ok(org.into_iter().map(|o| (o.id, o)).collect())
}

#[cfg(test)]
mod tests {
    use super::group;

    #[test]
    fn groups_keep_their_rows_order_with_one_parent_or_many() {
        let one = group(vec![(7, 'a'), (7, 'b')], |r| r.0);
        assert_eq!(one.len(), 1);
        assert_eq!(one[&7], [(7, 'a'), (7, 'b')]);
        let many = group(vec![(1, 'a'), (2, 'b'), (1, 'c')], |r| r.0);
        assert_eq!(many[&1], [(1, 'a'), (1, 'c')]);
        assert_eq!(many[&2], [(2, 'b')]);
        assert!(group(Vec::<(i64, char)>::new(), |r| r.0).is_empty());
    }
}
