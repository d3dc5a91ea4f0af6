//! The contract's lists: one generic path for all of them. A list is an entity with a scope
//! (`Listed`); the caller's filters and sort arrive as a `Spec` of column conditions and
//! sort keys, applied to the scoped select, then paged (`page::paginate`).

use entity::{event, run};
use sea_orm::sea_query::NullOrdering;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, Select, Value,
};

use super::filter::{Filter, Scalar, condition};
use super::page::{Page, PageArgs, paginate};
use super::scope::{OrgScoped, visible};
use crate::caller::Caller;
use crate::error::AppResult;

/// An entity the contract lists: the rows the caller may see, and the key that breaks ties.
pub trait Listed: EntityTrait<Model: super::decode::Decode + Sync + Send> {
    fn scoped(caller: &Caller) -> Select<Self>;
    fn id_col() -> Self::Column;
}

/// A row of a list of `E`.
pub type Row<E> = <E as EntityTrait>::Model;

macro_rules! listed {
    ($($m:ident),*) => {$(
        impl Listed for entity::$m::Entity {
            fn scoped(caller: &Caller) -> Select<Self> {
                visible::<Self>(caller)
            }
            fn id_col() -> Self::Column {
                <Self as OrgScoped>::id_col()
            }
        }
    )*};
}
listed!(
    run,
    procedure,
    part,
    part_inventory,
    run_batch,
    user,
    team,
    role,
    work_center
);

/// The audit log is the organization's; events about export-controlled work only for
/// cleared callers (`scope::hidden_events`).
impl Listed for event::Entity {
    fn scoped(caller: &Caller) -> Select<Self> {
        let q =
            event::Entity::find().filter(event::Column::OrganizationId.eq(caller.organization_id));
        if caller.export_control_cleared {
            q
        } else {
            q.filter(super::scope::hidden_events().not())
        }
    }
    fn id_col() -> Self::Column {
        event::Column::Id
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Asc,
    Desc,
}

/// What the caller asks of a list of `E`: conditions on columns (joined with AND) and sort
/// keys (the first wins; ties break on id).
pub struct Spec<E: EntityTrait> {
    filters: Vec<(E::Column, Filter<Value>)>,
    sorts: Vec<(E::Column, Dir)>,
}

impl<E: EntityTrait> Default for Spec<E> {
    fn default() -> Self {
        Spec {
            filters: Vec::new(),
            sorts: Vec::new(),
        }
    }
}

impl<E: Listed> Spec<E> {
    pub fn filter<V: Scalar>(&mut self, col: E::Column, f: Filter<V>) {
        self.filters.push((col, f.map(V::into_value)));
    }

    pub fn sort(&mut self, col: E::Column, dir: Dir) {
        self.sorts.push((col, dir));
    }

    /// Refuses filters the databases would fail on (`filter::check`).
    pub fn check(&self) -> AppResult<()> {
        for (col, f) in &self.filters {
            super::filter::check(&sea_orm::Iden::to_string(col), f)?;
        }
        Ok(())
    }

    pub fn apply(self, mut q: Select<E>) -> Select<E> {
        for (col, f) in &self.filters {
            q = q.filter(condition(*col, f));
        }
        for (col, dir) in self.sorts {
            let o = match dir {
                Dir::Asc => Order::Asc,
                Dir::Desc => Order::Desc,
            };
            // Rows without a value come last either way, on both databases (SQLite puts
            // nulls first ascending, PostgreSQL descending): "soonest first" ends with
            // the undated. Only nullable columns say so, so NOT NULL ones keep their plans.
            q = match col.def().is_null() {
                true => q.order_by_with_nulls(col, o, NullOrdering::Last),
                false => q.order_by(col, o),
            };
        }
        q.order_by(E::id_col(), Order::Asc)
    }
}

/// One page of the list of `E` that the caller may see.
pub async fn page<E: Listed>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    spec: Spec<E>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<E::Model>> {
    page_of(db, caller, E::scoped(caller), spec, args, max).await
}

/// One page of `q`, a select the caller may see, narrowed and sorted by `spec`; its rows
/// count against the caller's read budget.
pub async fn page_of<E: Listed>(
    db: &impl ConnectionTrait,
    caller: &Caller,
    q: Select<E>,
    spec: Spec<E>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<E::Model>> {
    spec.check()?;
    let page = paginate(db, spec.apply(q), args, max).await?;
    caller.rows.take(page.rows.len())?;
    Ok(page)
}

/// One page of the runs assigned to `user_id` or to a team the user is on. The user's teams
/// are read first, so that the condition is two plain column tests that indexes serve
/// (`assigned_team_id IN (<subquery>)` inside an OR makes PostgreSQL filter every run of
/// the organization).
pub async fn assigned_runs(
    db: &impl ConnectionTrait,
    caller: &Caller,
    user_id: i64,
    spec: Spec<run::Entity>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<run::Model>> {
    use entity::team_member;
    use sea_orm::QuerySelect;
    // A bad filter is refused before the teams are read.
    spec.check()?;
    let teams: Vec<i64> = team_member::Entity::find()
        .select_only()
        .column(team_member::Column::TeamId)
        .filter(team_member::Column::UserId.eq(user_id))
        .into_tuple()
        .all(db)
        .await?;
    let assigned = run::Entity::scoped(caller).filter(
        sea_orm::Condition::any()
            .add(run::Column::AssignedToId.eq(user_id))
            .add(run::Column::AssignedTeamId.is_in(teams)),
    );
    page_of(db, caller, assigned, spec, args, max).await
}
