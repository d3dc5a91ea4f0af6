//! Who wrote a row and when. Every table behind a GraphQL object with an id carries
//! `created_by_id`, `created_at`, `updated_by_id` and `updated_at` (ION's `createdById`,
//! `updatedById`, `createdAt`, `updatedAt`). Inserts stamp all four ([`stamp_new`]); every
//! update stamps the last two, through the one place each kind of write goes:
//! `etag::guarded_update` and `etag::bump_many`/`bump` for versioned rows, [`touch`] for the
//! few plain `ActiveModel::update`s. A writer is the calling user, or none for the system.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    UpdateMany, Value,
};

use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// Who writes, and when.
#[derive(Clone, Copy, Debug)]
pub struct Writer {
    pub user_id: Option<i64>,
    pub at: DateTime<Utc>,
}

impl Writer {
    /// The calling user, now.
    pub fn of(caller: &Caller) -> Self {
        Writer {
            user_id: Some(caller.user_id),
            at: super::now(),
        }
    }

    /// The system itself (bootstrap, organization creation from the command line), now.
    pub fn system() -> Self {
        Writer {
            user_id: None,
            at: super::now(),
        }
    }
}

impl From<&Caller> for Writer {
    fn from(c: &Caller) -> Self {
        Writer::of(c)
    }
}

/// A table whose rows record their writers.
pub trait Written: EntityTrait {
    /// `created_by_id`, `created_at`, `updated_by_id`, `updated_at`.
    fn writer_cols() -> [Self::Column; 4];
}

macro_rules! written {
    ($($m:ident),* $(,)?) => {$(
        impl Written for entity::$m::Entity {
            fn writer_cols() -> [Self::Column; 4] {
                use entity::$m::Column as C;
                [C::CreatedById, C::CreatedAt, C::UpdatedById, C::UpdatedAt]
            }
        }
    )*};
}
written!(
    organization,
    user,
    team,
    role,
    api_key,
    part,
    part_subtype,
    part_inventory,
    attribute_definition,
    work_center,
    procedure,
    step,
    step_field,
    step_edge,
    run_batch,
    run,
    run_step,
    run_step_field,
);

/// Sets all four writer columns of a row about to be inserted.
pub fn stamp_new<A>(am: &mut A, w: impl Into<Writer>)
where
    A: ActiveModelTrait,
    A::Entity: Written,
{
    let w = w.into();
    let [cb, ca, ..] = A::Entity::writer_cols();
    am.set(cb, Value::from(w.user_id));
    am.set(ca, Value::from(w.at));
    touch(am, w);
}

/// Sets `updated_by_id` and `updated_at` of a row about to be updated.
pub fn touch<A>(am: &mut A, w: impl Into<Writer>)
where
    A: ActiveModelTrait,
    A::Entity: Written,
{
    let w = w.into();
    let [_, _, ub, ua] = A::Entity::writer_cols();
    am.set(ub, Value::from(w.user_id));
    am.set(ua, Value::from(w.at));
}

/// A multi-row update that also records its writer on every row it changes.
pub fn touch_many<E: Written>(q: UpdateMany<E>, w: impl Into<Writer>) -> UpdateMany<E> {
    let w = w.into();
    let [_, _, ub, ua] = E::writer_cols();
    q.col_expr(ub, Expr::value(w.user_id))
        .col_expr(ua, Expr::value(w.at))
}

/// `rows` stamped as inserted by `w` (bulk inserts build many rows with one writer).
pub fn stamped<A>(rows: impl IntoIterator<Item = A>, w: impl Into<Writer>) -> Vec<A>
where
    A: ActiveModelTrait,
    A::Entity: Written,
{
    let w = w.into();
    rows.into_iter()
        .map(|mut am| {
            stamp_new(&mut am, w);
            am
        })
        .collect()
}

/// `ActiveModel { .. }.written_by(caller).insert(db)`: a new row stamped by its writer.
pub trait Stamp: ActiveModelTrait + Sized
where
    Self::Entity: Written,
{
    fn written_by(mut self, w: impl Into<Writer>) -> Self {
        stamp_new(&mut self, w);
        self
    }
}

impl<A: ActiveModelTrait> Stamp for A where A::Entity: Written {}

/// Inserts `row` stamped by `w`; a unique violation becomes what `taken` makes of it (a
/// concurrent call may take a name between the caller's check and this insert).
pub async fn insert_new<A>(
    db: &impl ConnectionTrait,
    w: impl Into<Writer>,
    row: A,
    taken: impl FnOnce() -> Option<AppError>,
) -> AppResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    A::Entity: Written,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let inserted = row.written_by(w).insert(db).await;
    inserted.map_err(|e| super::on_unique(e, taken))
}
