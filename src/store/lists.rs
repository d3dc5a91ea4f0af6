//! The contract's list queries: filters and sorts applied to scoped selects, then paged.

use entity::{part, part_inventory, procedure, run, run_batch, team, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, Select};

use super::filter::condition;
use super::page::{Page, PageArgs, paginate};
use super::scope::{OrgScoped, visible};
use crate::caller::Caller;
use crate::error::AppResult;
use crate::input::*;

fn order<E: EntityTrait>(
    mut q: Select<E>,
    sorts: &[(E::Column, Order)],
    id: E::Column,
) -> Select<E> {
    for (c, o) in sorts {
        q = q.order_by(*c, o.clone());
    }
    q.order_by(id, Order::Asc)
}

fn dir(asc: bool) -> Order {
    if asc { Order::Asc } else { Order::Desc }
}

async fn list<E>(
    db: &impl ConnectionTrait,
    q: Select<E>,
    sorts: Vec<(E::Column, Order)>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<E::Model>>
where
    E: OrgScoped,
    E::Model: sea_orm::FromQueryResult + Sync + Send,
{
    paginate(db, order(q, &sorts, E::id_col()), args, max).await
}

fn strs<T: Copy>(
    f: Option<&super::filter::Filter<T>>,
    as_str: fn(T) -> &'static str,
) -> Option<super::filter::Filter<String>> {
    f.cloned().map(|f| f.map(|v| as_str(v).to_string()))
}

pub async fn runs(
    db: &impl ConnectionTrait,
    caller: &Caller,
    f: Option<RunsInputFilters>,
    sort: Option<Vec<RunSortEnum>>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<run::Model>> {
    runs_where(db, visible::<run::Entity>(caller), f, sort, args, max).await
}

/// Runs matching `f` within `base` (a scoped select, possibly narrowed further).
pub async fn runs_where(
    db: &impl ConnectionTrait,
    base: Select<run::Entity>,
    f: Option<RunsInputFilters>,
    sort: Option<Vec<RunSortEnum>>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<run::Model>> {
    use run::Column as C;
    let mut q = base;
    if let Some(f) = f {
        let status = f.status.as_ref().map(|s| s.to_filter());
        q = q
            .filter(condition(C::Id, f.id.map(|x| x.to_filter()).as_ref()))
            .filter(condition(C::Title, f.title.map(|x| x.to_filter()).as_ref()))
            .filter(condition(
                C::Status,
                strs(status.as_ref(), |s| s.as_str()).as_ref(),
            ))
            .filter(condition(
                C::ProcedureId,
                f.procedure_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::PartId,
                f.part_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::PartInventoryId,
                f.part_inventory_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::RunBatchId,
                f.run_batch_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::AssignedToId,
                f.assigned_to_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::AssignedTeamId,
                f.assigned_team_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::DueDate,
                f.due_date.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::ExportControlled,
                f.export_controlled.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::CreatedAt,
                f.created_at.map(|x| x.to_filter()).as_ref(),
            ));
    }
    let sorts = sort
        .unwrap_or_default()
        .into_iter()
        .map(|s| match s {
            RunSortEnum::ID_ASC | RunSortEnum::ID_DESC => (C::Id, dir(s == RunSortEnum::ID_ASC)),
            RunSortEnum::CREATED_AT_ASC | RunSortEnum::CREATED_AT_DESC => {
                (C::CreatedAt, dir(s == RunSortEnum::CREATED_AT_ASC))
            }
            RunSortEnum::DUE_DATE_ASC | RunSortEnum::DUE_DATE_DESC => {
                (C::DueDate, dir(s == RunSortEnum::DUE_DATE_ASC))
            }
            RunSortEnum::TITLE_ASC | RunSortEnum::TITLE_DESC => {
                (C::Title, dir(s == RunSortEnum::TITLE_ASC))
            }
        })
        .collect();
    list(db, q, sorts, args, max).await
}

pub async fn procedures(
    db: &impl ConnectionTrait,
    caller: &Caller,
    f: Option<ProceduresInputFilters>,
    sort: Option<Vec<ProcedureSortEnum>>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<procedure::Model>> {
    use procedure::Column as C;
    let mut q = visible::<procedure::Entity>(caller);
    if let Some(f) = f {
        let status = f.status.as_ref().map(|s| s.to_filter());
        let ty = f.procedure_type.as_ref().map(|s| s.to_filter());
        q = q
            .filter(condition(C::Id, f.id.map(|x| x.to_filter()).as_ref()))
            .filter(condition(C::Title, f.title.map(|x| x.to_filter()).as_ref()))
            .filter(condition(
                C::FamilyId,
                f.family_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::Version,
                f.version.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::Status,
                strs(status.as_ref(), |s| s.as_str()).as_ref(),
            ))
            .filter(condition(
                C::ProcedureType,
                strs(ty.as_ref(), |s| s.as_str()).as_ref(),
            ))
            .filter(condition(
                C::ExportControlled,
                f.export_controlled.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::CreatedAt,
                f.created_at.map(|x| x.to_filter()).as_ref(),
            ));
    }
    let sorts = sort
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            use ProcedureSortEnum as S;
            match s {
                S::ID_ASC | S::ID_DESC => (C::Id, dir(s == S::ID_ASC)),
                S::CREATED_AT_ASC | S::CREATED_AT_DESC => {
                    (C::CreatedAt, dir(s == S::CREATED_AT_ASC))
                }
                S::TITLE_ASC | S::TITLE_DESC => (C::Title, dir(s == S::TITLE_ASC)),
                S::VERSION_ASC | S::VERSION_DESC => (C::Version, dir(s == S::VERSION_ASC)),
            }
        })
        .collect();
    list(db, q, sorts, args, max).await
}

pub async fn parts(
    db: &impl ConnectionTrait,
    caller: &Caller,
    f: Option<PartsInputFilters>,
    sort: Option<Vec<PartSortEnum>>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<part::Model>> {
    use part::Column as C;
    let mut q = visible::<part::Entity>(caller);
    if let Some(f) = f {
        let tt = f.tracking_type.as_ref().map(|s| s.to_filter());
        q = q
            .filter(condition(C::Id, f.id.map(|x| x.to_filter()).as_ref()))
            .filter(condition(
                C::PartNumber,
                f.part_number.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::Revision,
                f.revision.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::Description,
                f.description.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::TrackingType,
                strs(tt.as_ref(), |s| s.as_str()).as_ref(),
            ))
            .filter(condition(
                C::CreatedAt,
                f.created_at.map(|x| x.to_filter()).as_ref(),
            ));
    }
    let sorts = sort
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            use PartSortEnum as S;
            match s {
                S::ID_ASC | S::ID_DESC => (C::Id, dir(s == S::ID_ASC)),
                S::CREATED_AT_ASC | S::CREATED_AT_DESC => {
                    (C::CreatedAt, dir(s == S::CREATED_AT_ASC))
                }
                S::PART_NUMBER_ASC | S::PART_NUMBER_DESC => {
                    (C::PartNumber, dir(s == S::PART_NUMBER_ASC))
                }
            }
        })
        .collect();
    list(db, q, sorts, args, max).await
}

pub async fn part_inventories(
    db: &impl ConnectionTrait,
    caller: &Caller,
    f: Option<PartInventoriesInputFilters>,
    sort: Option<Vec<PartInventorySortEnum>>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<part_inventory::Model>> {
    use part_inventory::Column as C;
    let mut q = visible::<part_inventory::Entity>(caller);
    if let Some(f) = f {
        let st = f.status.as_ref().map(|s| s.to_filter());
        q = q
            .filter(condition(C::Id, f.id.map(|x| x.to_filter()).as_ref()))
            .filter(condition(
                C::PartId,
                f.part_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::SerialNumber,
                f.serial_number.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::LotNumber,
                f.lot_number.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::Quantity,
                f.quantity.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::Status,
                strs(st.as_ref(), |s| s.as_str()).as_ref(),
            ))
            .filter(condition(
                C::CreatedAt,
                f.created_at.map(|x| x.to_filter()).as_ref(),
            ));
    }
    let sorts = sort
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            use PartInventorySortEnum as S;
            match s {
                S::ID_ASC | S::ID_DESC => (C::Id, dir(s == S::ID_ASC)),
                S::CREATED_AT_ASC | S::CREATED_AT_DESC => {
                    (C::CreatedAt, dir(s == S::CREATED_AT_ASC))
                }
                S::SERIAL_NUMBER_ASC | S::SERIAL_NUMBER_DESC => {
                    (C::SerialNumber, dir(s == S::SERIAL_NUMBER_ASC))
                }
            }
        })
        .collect();
    list(db, q, sorts, args, max).await
}

pub async fn run_batches(
    db: &impl ConnectionTrait,
    caller: &Caller,
    f: Option<RunBatchesInputFilters>,
    sort: Option<Vec<RunBatchSortEnum>>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<run_batch::Model>> {
    use run_batch::Column as C;
    let mut q = visible::<run_batch::Entity>(caller);
    if let Some(f) = f {
        q = q
            .filter(condition(C::Id, f.id.map(|x| x.to_filter()).as_ref()))
            .filter(condition(C::Title, f.title.map(|x| x.to_filter()).as_ref()))
            .filter(condition(
                C::ProcedureId,
                f.procedure_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::CreatedAt,
                f.created_at.map(|x| x.to_filter()).as_ref(),
            ));
    }
    let sorts = sort
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            use RunBatchSortEnum as S;
            match s {
                S::ID_ASC | S::ID_DESC => (C::Id, dir(s == S::ID_ASC)),
                S::CREATED_AT_ASC | S::CREATED_AT_DESC => {
                    (C::CreatedAt, dir(s == S::CREATED_AT_ASC))
                }
                S::TITLE_ASC | S::TITLE_DESC => (C::Title, dir(s == S::TITLE_ASC)),
            }
        })
        .collect();
    list(db, q, sorts, args, max).await
}

pub async fn users(
    db: &impl ConnectionTrait,
    caller: &Caller,
    f: Option<UsersInputFilters>,
    sort: Option<Vec<UserSortEnum>>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<user::Model>> {
    use user::Column as C;
    let mut q = visible::<user::Entity>(caller);
    if let Some(f) = f {
        q = q
            .filter(condition(C::Id, f.id.map(|x| x.to_filter()).as_ref()))
            .filter(condition(C::Name, f.name.map(|x| x.to_filter()).as_ref()))
            .filter(condition(C::Email, f.email.map(|x| x.to_filter()).as_ref()))
            .filter(condition(
                C::ExportControlCleared,
                f.export_control_cleared.map(|x| x.to_filter()).as_ref(),
            ));
    }
    let sorts = sort
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            use UserSortEnum as S;
            match s {
                S::ID_ASC | S::ID_DESC => (C::Id, dir(s == S::ID_ASC)),
                S::NAME_ASC | S::NAME_DESC => (C::Name, dir(s == S::NAME_ASC)),
            }
        })
        .collect();
    list(db, q, sorts, args, max).await
}

pub async fn teams(
    db: &impl ConnectionTrait,
    caller: &Caller,
    f: Option<TeamsInputFilters>,
    sort: Option<Vec<TeamSortEnum>>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<team::Model>> {
    use team::Column as C;
    let mut q = visible::<team::Entity>(caller);
    if let Some(f) = f {
        q = q
            .filter(condition(C::Id, f.id.map(|x| x.to_filter()).as_ref()))
            .filter(condition(C::Name, f.name.map(|x| x.to_filter()).as_ref()));
    }
    let sorts = sort
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            use TeamSortEnum as S;
            match s {
                S::ID_ASC | S::ID_DESC => (C::Id, dir(s == S::ID_ASC)),
                S::NAME_ASC | S::NAME_DESC => (C::Name, dir(s == S::NAME_ASC)),
            }
        })
        .collect();
    list(db, q, sorts, args, max).await
}

/// Runs assigned to `user_id` or to a team the user is on.
pub fn assigned_to_user(caller: &Caller, user_id: i64) -> Select<run::Entity> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let teams = Query::select()
        .column(entity::team_member::Column::TeamId)
        .from(entity::team_member::Entity)
        .and_where(Expr::col(entity::team_member::Column::UserId).eq(user_id))
        .to_owned();
    visible::<run::Entity>(caller).filter(
        sea_orm::Condition::any()
            .add(run::Column::AssignedToId.eq(user_id))
            .add(run::Column::AssignedTeamId.in_subquery(teams)),
    )
}

pub async fn events(
    db: &impl ConnectionTrait,
    caller: &Caller,
    f: Option<EventsInputFilters>,
    sort: Option<Vec<EventSortEnum>>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<entity::event::Model>> {
    use entity::event::Column as C;
    let mut q = entity::event::Entity::find().filter(C::OrganizationId.eq(caller.organization_id));
    if let Some(f) = f {
        q = q
            .filter(condition(C::Id, f.id.map(|x| x.to_filter()).as_ref()))
            .filter(condition(
                C::Entity,
                f.entity.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::EntityId,
                f.entity_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::Action,
                f.action.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::UserId,
                f.user_id.map(|x| x.to_filter()).as_ref(),
            ))
            .filter(condition(
                C::CreatedAt,
                f.created_at.map(|x| x.to_filter()).as_ref(),
            ));
    }
    for s in sort.unwrap_or_default() {
        q = q.order_by(C::Id, dir(s == EventSortEnum::ID_ASC));
    }
    paginate(db, q.order_by(C::Id, Order::Asc), args, max).await
}
