//! Scheduling rules: how long a run takes from its steps' lead times, and where a work
//! center is over capacity. Pure functions over plain values.

use std::collections::HashMap;
use std::ops::Range;

/// The longest lead time of one step, in minutes: a year.
pub const MAX_LEAD_TIME: i32 = 525_600;

/// Minutes from a run's start to its end: the longest chain of lead times through the
/// step dependencies (a step starts when all its upstream steps are complete; steps
/// without a dependency between them run side by side). `lead[i]` is step `i`'s lead
/// time; each edge `(step, upstream)` is a pair of indexes into `lead`. `None` when the
/// dependencies form a cycle (which procedures and redlines refuse) or name no step.
pub fn critical_path(lead: &[i64], edges: &[(usize, usize)]) -> Option<i64> {
    let n = lead.len();
    let mut downstream: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting = vec![0usize; n];
    for &(step, up) in edges {
        if step >= n || up >= n {
            return None;
        }
        downstream[up].push(step);
        waiting[step] += 1;
    }
    // Kahn's order: a step's earliest finish is known once all its upstream steps are.
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut start = vec![0i64; n];
    let (mut done, mut longest) = (0, 0i64);
    while let Some(i) = ready.pop() {
        done += 1;
        let finish = start[i].saturating_add(lead[i]);
        longest = longest.max(finish);
        for &d in &downstream[i] {
            start[d] = start[d].max(finish);
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.push(d);
            }
        }
    }
    (done == n).then_some(longest)
}

/// [`critical_path`] over steps named by id: `(id, lead minutes)` and `(step, upstream)`
/// edges by id; edges naming an unknown step are left out.
pub fn critical_path_by_id(steps: &[(i64, i64)], edges: &[(i64, i64)]) -> Option<i64> {
    let index: HashMap<i64, usize> = steps.iter().enumerate().map(|(i, s)| (s.0, i)).collect();
    let lead: Vec<i64> = steps.iter().map(|s| s.1).collect();
    let pairs: Vec<(usize, usize)> = edges
        .iter()
        .filter_map(|(s, u)| Some((*index.get(s)?, *index.get(u)?)))
        .collect();
    critical_path(&lead, &pairs)
}

/// A stretch `[from, to)` in which `count` windows overlap, more than the capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overload<T> {
    pub from: T,
    pub to: T,
    pub count: usize,
}

/// The stretches in which more than `capacity` of `windows` overlap, in time order. Each
/// window is half-open, `[start, end)` (a run ending at 10:00 and one starting at 10:00 do
/// not overlap); empty windows occupy nothing. A stretch has one count throughout, and
/// touching stretches always differ in count (an overload that rises and falls is
/// several stretches).
pub fn overloads<T: Ord + Copy>(windows: &[(T, T)], capacity: usize) -> Vec<Overload<T>> {
    // +1 at each start, -1 at each end; at one instant ends go first (half-open).
    let mut edges: Vec<(T, i64)> = Vec::with_capacity(windows.len() * 2);
    for &(s, e) in windows.iter().filter(|(s, e)| s < e) {
        edges.push((s, 1));
        edges.push((e, -1));
    }
    edges.sort_unstable();
    let mut out: Vec<Overload<T>> = Vec::new();
    let mut count = 0i64;
    let mut i = 0;
    while i < edges.len() {
        let (at, before) = (edges[i].0, count);
        while i < edges.len() && edges[i].0 == at {
            count += edges[i].1;
            i += 1;
        }
        if count == before {
            continue;
        }
        close_open(&mut out, at);
        if count > capacity as i64 {
            out.push(Overload {
                from: at,
                to: at,
                count: count as usize,
            });
        }
    }
    out.retain(|o| o.from < o.to);
    out
}

/// The indexes of the stretches of `found` (as [`overloads`] returns them: in time order,
/// disjoint) that overlap the window `[start, end)`: a range, found by two binary searches
/// (a week's timeline asks this of a thousand runs, each against hundreds of stretches).
pub fn overlapping<T: Ord + Copy>(found: &[Overload<T>], start: T, end: T) -> Range<usize> {
    let first = found.partition_point(|o| o.to <= start);
    let last = found.partition_point(|o| o.from < end);
    first..last.max(first)
}

/// Ends the open stretch (the last one, still `from == to`) at `at`.
fn close_open<T: Ord + Copy>(out: &mut [Overload<T>], at: T) {
    if let Some(last) = out.last_mut()
        && last.from == last.to
    {
        last.to = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every path's total by walking all of them: exponential, fine on small graphs.
    fn brute_longest(lead: &[i64], edges: &[(usize, usize)]) -> i64 {
        fn walk(i: usize, lead: &[i64], edges: &[(usize, usize)]) -> i64 {
            let up = edges.iter().filter(|(s, _)| *s == i).map(|(_, u)| *u);
            lead[i] + up.map(|u| walk(u, lead, edges)).max().unwrap_or(0)
        }
        (0..lead.len())
            .map(|i| walk(i, lead, edges))
            .max()
            .unwrap_or(0)
    }

    /// A DAG: edges only from a later step to an earlier one, then relabelled.
    fn dag() -> impl Strategy<Value = (Vec<i64>, Vec<(usize, usize)>)> {
        (1usize..8).prop_flat_map(|n| {
            let lead = proptest::collection::vec(0i64..500, n);
            let edges = proptest::collection::vec((0..n, 0..n), 0..(n * 2));
            let perm = Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
            (lead, edges, perm).prop_map(|(lead, edges, perm)| {
                let mut e: Vec<(usize, usize)> = edges
                    .into_iter()
                    .filter(|(a, b)| a > b)
                    .map(|(a, b)| (perm[a], perm[b]))
                    .collect();
                e.sort_unstable();
                e.dedup();
                (lead, e)
            })
        })
    }

    proptest! {
        #[test]
        fn critical_path_is_the_longest_chain((lead, edges) in dag()) {
            prop_assert_eq!(critical_path(&lead, &edges), Some(brute_longest(&lead, &edges)));
        }

        #[test]
        fn overloads_match_counting_every_instant(
            windows in proptest::collection::vec((0i64..40, 0i64..12), 0..12),
            capacity in 0usize..4,
        ) {
            let windows: Vec<(i64, i64)> = windows.into_iter().map(|(s, d)| (s, s + d)).collect();
            let found = overloads(&windows, capacity);
            for t in -1..60 {
                let n = windows.iter().filter(|(s, e)| *s <= t && t < *e).count();
                let at: Vec<&Overload<i64>> = found.iter().filter(|o| o.from <= t && t < o.to).collect();
                if n > capacity {
                    prop_assert_eq!(at.len(), 1, "t={} n={}", t, n);
                    prop_assert_eq!(at[0].count, n);
                } else {
                    prop_assert!(at.is_empty(), "t={} n={}", t, n);
                }
            }
            for w in found.windows(2) {
                prop_assert!(w[0].to <= w[1].from);
                prop_assert!(w[0].to < w[1].from || w[0].count != w[1].count);
            }
        }

        #[test]
        fn overlapping_is_the_filter_of_overlaps(
            windows in proptest::collection::vec((0i64..40, 0i64..12), 0..12),
            capacity in 0usize..3,
            (start, len) in (-5i64..60, 0i64..20),
        ) {
            let windows: Vec<(i64, i64)> = windows.into_iter().map(|(s, d)| (s, s + d)).collect();
            let found = overloads(&windows, capacity);
            let end = start + len;
            let want: Vec<usize> = (0..found.len())
                .filter(|&i| found[i].from < end && found[i].to > start)
                .collect();
            let got: Vec<usize> = overlapping(&found, start, end).collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn critical_path_examples() {
        // a(30) -> b(10), a -> c(45), b, c -> d(5): 30 + 45 + 5.
        let edges = [(1, 0), (2, 0), (3, 1), (3, 2)];
        assert_eq!(critical_path(&[30, 10, 45, 5], &edges), Some(80));
        assert_eq!(critical_path(&[30, 10], &[]), Some(30));
        assert_eq!(critical_path(&[], &[]), Some(0));
        assert_eq!(critical_path(&[1, 1], &[(0, 1), (1, 0)]), None);
        assert_eq!(critical_path_by_id(&[(7, 20), (9, 5)], &[(9, 7)]), Some(25));
    }

    #[test]
    fn overload_examples() {
        let w = [(0, 10), (5, 15), (5, 8), (10, 20)];
        assert_eq!(
            overloads(&w, 1),
            vec![
                Overload {
                    from: 5,
                    to: 8,
                    count: 3
                },
                Overload {
                    from: 8,
                    to: 15,
                    count: 2
                },
            ]
        );
        assert!(overloads(&w, 3).is_empty());
        assert!(overloads(&[(0, 10), (10, 20)], 1).is_empty());
    }
}
