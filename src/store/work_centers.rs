//! Work centers (stations or cells where runs are worked), a work center's queue, and the
//! timeline of scheduled runs with the stretches in which a work center is over capacity.

use super::commands::{NewWorkCenter, Window, WorkCenterEdit};
use super::writers::insert_new;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::{run, work_center};
use sea_orm::sea_query::NullOrdering;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select,
    Set,
};

use super::lists::{Listed, Spec};
use super::page::{Page, PageArgs};
use super::scope;
use crate::caller::Caller;
use crate::domain::schedule::{Overload, overlapping, overloads};
use crate::domain::status::RunStatus;
use crate::error::{AppError, AppResult, Code, Seg};

fn capacity(v: Option<i32>) -> AppResult<Option<i32>> {
    match v {
        Some(c) if c < 1 => Err(AppError::bad_input(format!(
            "`capacity` is {c}; a work center works at least 1 run at a time"
        ))
        .at(&["input", "capacity"])),
        v => Ok(v),
    }
}

/// The refusal of a name another work center of the organization has.
fn name_taken(name: &str) -> AppError {
    AppError::bad_input(format!("a work center named {name} already exists")).at(&["input", "name"])
}

/// Refuses `name` when another work center (not `except`) of the organization has it.
async fn unique_name(
    db: &impl ConnectionTrait,
    caller: &Caller,
    name: &str,
    except: Option<i64>,
) -> AppResult<()> {
    let mut same =
        scope::visible::<work_center::Entity>(caller).filter(work_center::Column::Name.eq(name));
    if let Some(id) = except {
        same = same.filter(work_center::Column::Id.ne(id));
    }
    super::refuse_if_any(db, same, || name_taken(name)).await
}

pub async fn create_work_center(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewWorkCenter,
) -> AppResult<work_center::Model> {
    let name = super::catalog::non_empty(&input.name, "name")?;
    let description = super::long_text(input.description, "description")?;
    let capacity = capacity(input.capacity)?;
    unique_name(db, caller, &name, None).await?;
    let row = work_center::ActiveModel {
        organization_id: Set(caller.organization_id),
        name: Set(name.clone()),
        description: Set(description),
        capacity: Set(capacity),
        active: Set(true),
        lock_version: Set(1),
        ..Default::default()
    };
    insert_new(db, caller, row, || Some(name_taken(&name))).await
}

pub async fn update_work_center(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: WorkCenterEdit,
) -> AppResult<work_center::Model> {
    let id = input.id;
    let current =
        scope::get_current::<work_center::Entity>(db, caller, id, "work center", &input.etag)
            .await?;
    let mut am: work_center::ActiveModel = current.clone().into();
    if let Some(n) = input.name.as_deref() {
        let n = super::catalog::non_empty(n, "name")?;
        unique_name(db, caller, &n, Some(id)).await?;
        am.name = Set(n);
    }
    if let Some(d) = super::long_text(input.description, "description")? {
        am.description = Set(Some(d));
    }
    if let Some(c) = capacity(input.capacity)? {
        am.capacity = Set(Some(c));
    }
    if let Some(a) = input.active {
        am.active = Set(a);
    }
    let lv = current.lock_version;
    super::etag::guarded_update::<work_center::Entity>(db, caller, am, id, lv, "work center").await
}

/// Statuses of runs that are done: they leave the queue.
const FINISHED: [RunStatus; 3] = [
    RunStatus::Complete,
    RunStatus::PartialComplete,
    RunStatus::Canceled,
];

/// One page of work center `work_center_id`'s queue: its runs that are not finished, most
/// urgent first: higher `priority` first, then earlier `scheduled_start`, then earlier
/// `due_date` (runs without a date after those with one), then by id. The caller's
/// filters narrow it.
pub async fn queue(
    db: &impl ConnectionTrait,
    caller: &Caller,
    work_center_id: i64,
    spec: Spec<run::Entity>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<run::Model>> {
    use run::Column as R;
    let q = run::Entity::scoped(caller)
        .filter(R::WorkCenterId.eq(work_center_id))
        .filter(R::Status.is_not_in(FINISHED.iter().map(|s| s.as_str())))
        .order_by(R::Priority, Order::Desc)
        .order_by_with_nulls(R::ScheduledStart, Order::Asc, NullOrdering::Last)
        .order_by_with_nulls(R::DueDate, Order::Asc, NullOrdering::Last);
    super::lists::page_of(db, caller, q, spec, args, max).await
}

/// One run on the timeline, with the stretches of its window in which its work center
/// has more runs than its capacity.
pub struct Scheduled {
    pub run: run::Model,
    pub load: Load,
}

/// How loaded a run's work center is during the run's window.
pub struct Load {
    /// The work center's capacity; `None` without one (or without a work center).
    pub capacity: Option<i32>,
    /// Every over-capacity stretch of the work center in the window, shared by its runs
    /// (a week of five work centers is a thousand runs and thousands of stretches).
    stretches: Arc<[Overload<DateTime<Utc>>]>,
    /// The indexes of `stretches` that overlap the run's own window.
    mine: Range<usize>,
}

impl Load {
    /// The stretches of the run's window in which its work center is over capacity.
    pub fn conflicts(&self) -> &[Overload<DateTime<Utc>>] {
        &self.stretches[self.mine.clone()]
    }
}

/// Most runs one timeline returns: a window wider than that is refused, not truncated.
pub const MAX_SCHEDULE_RUNS: u64 = 5_000;
/// Longest window of one timeline, in days.
pub const MAX_SCHEDULE_DAYS: i64 = 366;

/// Every visible run whose planned window `[start, end)` overlaps `[from, to)` (a run
/// planned with no duration counts when its start is in the window), by planned start;
/// and the work centers they are at. Two statements, three for a caller who is not
/// export-control cleared: runs hidden from the caller still occupy their work center
/// (a station's capacity is about every run at it), so their windows are counted in the
/// conflicts, as counts only.
pub async fn schedule(
    db: &impl ConnectionTrait,
    caller: &Caller,
    w: Window,
) -> AppResult<(Vec<Scheduled>, Vec<work_center::Model>)> {
    check_window(&w)?;
    use run::Column as R;
    let q = in_window(run::Entity::scoped(caller), &w)
        .order_by_asc(R::ScheduledStart)
        .order_by_asc(R::Id)
        .limit(MAX_SCHEDULE_RUNS + 1);
    let runs = super::decode::all(q, db).await?;
    if runs.len() as u64 > MAX_SCHEDULE_RUNS {
        let msg = format!(
            "schedule: more than {MAX_SCHEDULE_RUNS} runs in the window; narrow `from`/`to` or `workCenterIds`"
        );
        return Err(AppError::new(Code::LimitExceeded, msg).at(&["to"]));
    }
    caller.rows.take(runs.len())?;
    let mut wc_ids: Vec<i64> = runs.iter().filter_map(|r| r.work_center_id).collect();
    wc_ids.sort_unstable();
    wc_ids.dedup();
    let centers = scope::by_ids::<work_center::Entity>(db, caller, &wc_ids).await?;
    let capacity: HashMap<i64, Option<i32>> = centers.iter().map(|c| (c.id, c.capacity)).collect();
    let hidden = hidden_windows(db, caller, &w, &wc_ids).await?;
    Ok((conflicts(runs, hidden, &capacity, &w), centers))
}

/// `q` narrowed to runs whose planned window overlaps `w`, at `w`'s work centers.
fn in_window(q: Select<run::Entity>, w: &Window) -> Select<run::Entity> {
    use run::Column as R;
    let overlaps = Condition::any()
        .add(R::ScheduledEnd.gt(w.from))
        .add(R::ScheduledStart.gte(w.from));
    // `end >= from` is implied (a planned end is never before its start) and bounds the
    // scan from below: with `start < to`, the two indexes meet whatever the window.
    let mut q = q
        .filter(R::ScheduledStart.lt(w.to))
        .filter(R::ScheduledEnd.gte(w.from))
        .filter(overlaps);
    if let Some(ids) = &w.work_center_ids {
        q = q.filter(R::WorkCenterId.is_in(ids.iter().copied()));
    }
    q
}

/// The work center and planned window of each run at `centers` in the window that the
/// caller cannot see (none read for a cleared caller, or without capacity to check).
async fn hidden_windows(
    db: &impl ConnectionTrait,
    caller: &Caller,
    w: &Window,
    centers: &[i64],
) -> AppResult<Vec<(i64, Span)>> {
    let Some(hidden) = scope::hidden::<run::Entity>(caller).filter(|_| !centers.is_empty()) else {
        return Ok(Vec::new());
    };
    use run::Column as R;
    let rows: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = in_window(hidden, w)
        .filter(R::WorkCenterId.is_in(centers.iter().copied()))
        .filter(R::Status.ne(RunStatus::Canceled.as_str()))
        .select_only()
        .columns([R::WorkCenterId, R::ScheduledStart, R::ScheduledEnd])
        .into_tuple()
        .all(db)
        .await?;
    caller.rows.take(rows.len())?;
    Ok(rows.into_iter().map(|(c, s, e)| (c, (s, e))).collect())
}

fn check_window(w: &Window) -> AppResult<()> {
    if w.to <= w.from {
        return Err(AppError::bad_input("`to` must be after `from`").at(&["to"]));
    }
    if w.to - w.from > chrono::Duration::days(MAX_SCHEDULE_DAYS) {
        let msg = format!("schedule: the window is longer than {MAX_SCHEDULE_DAYS} days");
        return Err(AppError::new(Code::LimitExceeded, msg).at(&["to"]));
    }
    if let Some(n) = w.work_center_ids.as_ref().map(Vec::len)
        && n > super::filter::MAX_IN
    {
        let msg = format!(
            "schedule: {n} work centers; at most {}",
            super::filter::MAX_IN
        );
        return Err(
            AppError::new(Code::LimitExceeded, msg).with_path(vec![Seg::Key("workCenterIds")])
        );
    }
    Ok(())
}

/// A planned window, `[start, end)`.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// Each run with the over-capacity stretches of its work center that overlap its own
/// window, counting the `hidden` runs' windows too. Canceled runs occupy no capacity.
/// Stretches are clipped to the asked window, outside which not every run was read.
fn conflicts(
    runs: Vec<run::Model>,
    hidden: Vec<(i64, Span)>,
    capacity: &HashMap<i64, Option<i32>>,
    w: &Window,
) -> Vec<Scheduled> {
    let occupies = |r: &run::Model| r.status != RunStatus::Canceled.as_str();
    let window = |r: &run::Model| {
        let s = r.scheduled_start.unwrap_or(w.from);
        (s, r.scheduled_end.unwrap_or(s))
    };
    let mut by_center: HashMap<i64, Vec<Span>> = HashMap::new();
    for r in runs.iter().filter(|r| occupies(r)) {
        if let Some(c) = r.work_center_id {
            by_center.entry(c).or_default().push(window(r));
        }
    }
    for (c, span) in hidden {
        by_center.entry(c).or_default().push(span);
    }
    let stretches: HashMap<i64, Arc<[Overload<DateTime<Utc>>]>> = by_center
        .into_iter()
        .filter_map(|(c, windows)| {
            let cap = capacity.get(&c).copied().flatten()?;
            let mut found = overloads(&windows, cap.max(0) as usize);
            for o in &mut found {
                o.from = o.from.max(w.from);
                o.to = o.to.min(w.to);
            }
            found.retain(|o| o.from < o.to);
            Some((c, found.into()))
        })
        .collect();
    let none: Arc<[Overload<DateTime<Utc>>]> = Arc::new([]);
    runs.into_iter()
        .map(|r| {
            let (s, e) = window(&r);
            let mine = match (r.work_center_id, occupies(&r)) {
                (Some(c), true) => stretches.get(&c),
                _ => None,
            };
            let stretches = mine.unwrap_or(&none).clone();
            let capacity = r
                .work_center_id
                .and_then(|c| capacity.get(&c).copied().flatten());
            let load = Load {
                capacity,
                mine: overlapping(&stretches, s, e),
                stretches,
            };
            Scheduled { run: r, load }
        })
        .collect()
}
