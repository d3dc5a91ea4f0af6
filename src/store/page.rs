//! Relay-style paging over any sea-orm select: offset cursors, a total count, and the
//! page-size cap. Two statements per page (count, rows).

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QuerySelect, Select};

use crate::error::{AppError, AppResult, Code};

#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    /// Whether the total is wanted: without it no `COUNT(*)` is sent (one row more than the
    /// page is read to know whether there is a next page).
    pub total: bool,
}

pub struct Page<M> {
    /// Each row with its offset in the full ordered result (the cursor's content).
    pub rows: Vec<(u64, M)>,
    /// The rows on all pages, when `PageArgs::total` asked for it.
    pub total: Option<u64>,
    pub has_next: bool,
    pub has_prev: bool,
}

pub const DEFAULT_PAGE_SIZE: u64 = 50;

pub fn encode_cursor(offset: u64) -> String {
    format!("c{offset}")
}

/// Ours (`c12`), or ION's (Relay's `arrayconnection:12`, base64): both are offsets.
fn decode_cursor(c: &str, arg: &'static str) -> AppResult<u64> {
    c.strip_prefix('c')
        .and_then(|n| n.parse().ok())
        .or_else(|| ion_cursor(c))
        // An offset the database can take (a signed 64-bit OFFSET).
        .filter(|n| *n < i64::MAX as u64)
        .ok_or_else(|| AppError::bad_input(format!("`{arg}` is not a valid cursor")).at(&[arg]))
}

fn ion_cursor(c: &str) -> Option<u64> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(c).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("arrayconnection:")?.parse().ok()
}

fn size(v: Option<i32>, arg: &'static str, max: i64) -> AppResult<Option<u64>> {
    match v {
        None => Ok(None),
        Some(n) if n < 0 => {
            Err(AppError::bad_input(format!("`{arg}` must not be negative")).at(&[arg]))
        }
        Some(n) if i64::from(n) > max => Err(AppError::new(
            Code::LimitExceeded,
            format!("`{arg}` is {n}; at most {max} rows a page"),
        )
        .at(&[arg])),
        Some(n) => Ok(Some(n as u64)),
    }
}

/// The window [start, end) of the full result that the arguments select.
pub fn window(args: &PageArgs, total: u64, max: i64) -> AppResult<(u64, u64)> {
    let first = size(args.first, "first", max)?;
    let last = size(args.last, "last", max)?;
    let mut start = match &args.after {
        Some(c) => decode_cursor(c, "after")?.saturating_add(1),
        None => 0,
    };
    let mut end = match &args.before {
        Some(c) => decode_cursor(c, "before")?.min(total),
        None => total,
    };
    start = start.min(end);
    match (first, last) {
        (Some(f), _) => {
            end = end.min(start.saturating_add(f));
            if let Some(l) = last {
                start = start.max(end.saturating_sub(l));
            }
        }
        (None, Some(l)) => start = start.max(end.saturating_sub(l)),
        (None, None) => end = end.min(start.saturating_add(DEFAULT_PAGE_SIZE.min(max as u64))),
    }
    Ok((start, end))
}

pub async fn paginate<E>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    args: &PageArgs,
    max: i64,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: super::decode::Decode + Sync + Send,
{
    // The last rows of the whole result can only be found from the total.
    let counted = args.total || (args.last.is_some() && args.before.is_none());
    let total = match counted {
        true => Some(select.clone().count(db).await?),
        false => None,
    };
    let (start, end) = window(args, total.unwrap_or(u64::MAX), max)?;
    // Uncounted, one row past the page tells whether there is a next page.
    let peek = u64::from(total.is_none());
    let mut rows = if end > start {
        let q = select.offset(start).limit(end - start + peek);
        super::decode::all(q, db).await?
    } else {
        Vec::new()
    };
    let has_next = match total {
        Some(t) => end < t,
        None => rows.len() as u64 > end - start,
    };
    rows.truncate((end - start) as usize);
    Ok(Page {
        rows: rows
            .into_iter()
            .enumerate()
            .map(|(i, m)| (start + i as u64, m))
            .collect(),
        total,
        has_next,
        has_prev: start > 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ours_and_ions_cursors_are_offsets() {
        assert_eq!(decode_cursor(&encode_cursor(7), "after").unwrap(), 7);
        // base64("arrayconnection:12"), as ION's graphene-based API returns it.
        assert_eq!(
            decode_cursor("YXJyYXljb25uZWN0aW9uOjEy", "after").unwrap(),
            12
        );
        let huge = format!("c{}", u64::MAX);
        for bad in [
            "",
            "c",
            "cx",
            "YXJyYXljb25uZWN0aW9uOng=",
            "bm9wZToxMg==",
            &huge,
        ] {
            assert!(decode_cursor(bad, "after").is_err(), "{bad}");
        }
    }

    fn args(
        first: Option<i32>,
        after: Option<u64>,
        last: Option<i32>,
        before: Option<u64>,
    ) -> PageArgs {
        PageArgs {
            first,
            after: after.map(encode_cursor),
            last,
            before: before.map(encode_cursor),
            total: true,
        }
    }

    #[test]
    fn windows() {
        assert_eq!(
            window(&args(Some(10), None, None, None), 25, 100).unwrap(),
            (0, 10)
        );
        assert_eq!(
            window(&args(Some(10), Some(9), None, None), 25, 100).unwrap(),
            (10, 20)
        );
        assert_eq!(
            window(&args(Some(10), Some(19), None, None), 25, 100).unwrap(),
            (20, 25)
        );
        assert_eq!(
            window(&args(None, None, Some(5), None), 25, 100).unwrap(),
            (20, 25)
        );
        assert_eq!(
            window(&args(None, None, Some(5), Some(20)), 25, 100).unwrap(),
            (15, 20)
        );
        assert_eq!(
            window(&args(None, None, None, None), 500, 100).unwrap(),
            (0, 50)
        );
    }

    #[test]
    fn over_the_cap_is_refused() {
        let e = window(&args(Some(101), None, None, None), 25, 100).unwrap_err();
        assert_eq!(e.code, Code::LimitExceeded);
        assert!(window(&args(Some(-1), None, None, None), 25, 100).is_err());
        assert!(
            window(
                &PageArgs {
                    after: Some("zz".into()),
                    ..Default::default()
                },
                5,
                100
            )
            .is_err()
        );
    }
}
