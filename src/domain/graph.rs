//! Step dependency edges and nesting depth.
//!
//! An edge `(step, upstream)` means `step` cannot start before `upstream` is complete.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

/// Deepest nesting of steps: a top-level step is depth 1.
pub const MAX_STEP_DEPTH: usize = 5;

/// Whether adding `new = (step, upstream)` to `edges` would close a cycle, i.e. `step`
/// is already (transitively) upstream of `upstream`. A self-edge is a cycle.
pub fn creates_cycle(edges: &[(i64, i64)], new: (i64, i64)) -> bool {
    let (step, upstream) = new;
    if step == upstream {
        return true;
    }
    let mut ups: HashMap<i64, Vec<i64>> = HashMap::new();
    for &(s, u) in edges {
        ups.entry(s).or_default().push(u);
    }
    // Walk upstream from `upstream`; reaching `step` means step <- ... <- upstream <- step.
    let mut seen = HashSet::from([upstream]);
    let mut stack = vec![upstream];
    while let Some(n) = stack.pop() {
        for &u in ups.get(&n).map(Vec::as_slice).unwrap_or_default() {
            if u == step {
                return true;
            }
            if seen.insert(u) {
                stack.push(u);
            }
        }
    }
    false
}

/// Orders `nodes` so that every upstream comes before the steps that depend on it;
/// among ready nodes the one earlier in `nodes` goes first, so a list given in position
/// order stays in position order where edges allow. `None` when there is a cycle.
/// Edges naming a node not in `nodes` are ignored; duplicate nodes appear once.
pub fn topo_order(nodes: &[i64], edges: &[(i64, i64)]) -> Option<Vec<i64>> {
    let mut index: HashMap<i64, usize> = HashMap::new();
    let mut unique = Vec::new();
    for &n in nodes {
        index.entry(n).or_insert_with(|| {
            unique.push(n);
            unique.len() - 1
        });
    }
    let mut indegree = vec![0usize; unique.len()];
    let mut downstream: Vec<Vec<usize>> = vec![Vec::new(); unique.len()];
    let distinct: HashSet<&(i64, i64)> = edges.iter().collect();
    for &(s, u) in distinct {
        if let (Some(&si), Some(&ui)) = (index.get(&s), index.get(&u)) {
            indegree[si] += 1;
            downstream[ui].push(si);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..unique.len())
        .filter(|&i| indegree[i] == 0)
        .map(Reverse)
        .collect();
    let mut order = Vec::with_capacity(unique.len());
    while let Some(Reverse(i)) = ready.pop() {
        order.push(unique[i]);
        for &d in &downstream[i] {
            indegree[d] -= 1;
            if indegree[d] == 0 {
                ready.push(Reverse(d));
            }
        }
    }
    (order.len() == unique.len()).then_some(order)
}

/// Nesting depth of `id` (top-level = 1), following `parent_of`. A cycle in the parent
/// chain gives `usize::MAX`, so it is always "too deep" rather than a hang.
pub fn depth_of(parent_of: impl Fn(i64) -> Option<i64>, id: i64) -> usize {
    let mut seen = HashSet::from([id]);
    let mut depth = 1;
    let mut current = id;
    while let Some(p) = parent_of(current) {
        if !seen.insert(p) {
            return usize::MAX;
        }
        depth += 1;
        current = p;
    }
    depth
}

/// Whether `ancestor` is `id` itself or one of its parents: moving a step under such a
/// parent would nest it inside itself.
pub fn is_self_or_ancestor(parent_of: impl Fn(i64) -> Option<i64>, ancestor: i64, id: i64) -> bool {
    let mut seen = HashSet::new();
    let mut current = Some(id);
    while let Some(c) = current {
        if c == ancestor {
            return true;
        }
        if !seen.insert(c) {
            return false;
        }
        current = parent_of(c);
    }
    false
}

/// Positions of `nodes` (id, parent) in traveler order: each parent before its children,
/// siblings in the order given. A node whose parent is not among `nodes` is left out.
pub fn tree_order(nodes: &[(i64, Option<i64>)]) -> Vec<usize> {
    let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
    for (i, (_, parent)) in nodes.iter().enumerate() {
        children.entry(*parent).or_default().push(i);
    }
    let mut out = Vec::with_capacity(nodes.len());
    let mut stack: Vec<usize> = children.remove(&None).unwrap_or_default();
    stack.reverse();
    while let Some(i) = stack.pop() {
        if let Some(mut kids) = children.remove(&Some(nodes[i].0)) {
            kids.reverse();
            stack.extend(kids);
        }
        out.push(i);
    }
    out
}

/// `items` in traveler order (`tree_order`), `node` giving each one's (id, parent).
pub fn in_tree_order<T: Clone>(items: &[T], node: impl Fn(&T) -> (i64, Option<i64>)) -> Vec<T> {
    let nodes: Vec<(i64, Option<i64>)> = items.iter().map(node).collect();
    tree_order(&nodes)
        .into_iter()
        .map(|i| items[i].clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traveler_order() {
        // 1 [3 [5], 4], 2; node 6's parent is unknown.
        let nodes = [
            (1, None),
            (2, None),
            (3, Some(1)),
            (4, Some(1)),
            (5, Some(3)),
            (6, Some(9)),
        ];
        let ids: Vec<i64> = tree_order(&nodes).into_iter().map(|i| nodes[i].0).collect();
        assert_eq!(ids, [1, 3, 5, 4, 2]);
    }
    use proptest::prelude::*;

    #[test]
    fn cycles() {
        assert!(creates_cycle(&[], (1, 1)));
        assert!(!creates_cycle(&[], (1, 2)));
        assert!(creates_cycle(&[(1, 2)], (2, 1)));
        assert!(!creates_cycle(&[(1, 2)], (1, 2)));
        assert!(creates_cycle(&[(1, 2), (2, 3)], (3, 1)));
        assert!(!creates_cycle(&[(1, 2), (2, 3)], (1, 3)));
        assert!(!creates_cycle(&[(1, 2), (3, 2)], (3, 1)));
    }

    #[test]
    fn topo() {
        assert_eq!(topo_order(&[], &[]), Some(vec![]));
        assert_eq!(topo_order(&[1, 2, 3], &[]), Some(vec![1, 2, 3]));
        assert_eq!(topo_order(&[1, 2, 3], &[(1, 3)]), Some(vec![2, 3, 1]));
        assert_eq!(topo_order(&[1, 2, 3], &[(1, 2), (2, 3), (3, 1)]), None);
        assert_eq!(
            topo_order(&[1, 1, 2], &[(2, 1), (2, 1), (2, 9)]),
            Some(vec![1, 2])
        );
    }

    #[test]
    fn depths() {
        let parents: HashMap<i64, i64> = [(2, 1), (3, 2), (4, 3), (5, 4), (6, 5)].into();
        let p = |id| parents.get(&id).copied();
        assert_eq!(depth_of(p, 1), 1);
        assert_eq!(depth_of(p, 3), 3);
        assert_eq!(depth_of(p, 5), MAX_STEP_DEPTH);
        assert!(depth_of(p, 6) > MAX_STEP_DEPTH);
        let looped: HashMap<i64, i64> = [(1, 2), (2, 1)].into();
        assert_eq!(depth_of(|id| looped.get(&id).copied(), 1), usize::MAX);
        assert!(is_self_or_ancestor(p, 2, 4));
        assert!(is_self_or_ancestor(p, 4, 4));
        assert!(!is_self_or_ancestor(p, 4, 2));
        assert!(!is_self_or_ancestor(|id| looped.get(&id).copied(), 9, 1));
    }

    proptest! {
        #[test]
        fn accepted_edges_form_a_dag(candidates in prop::collection::vec((0i64..12, 0i64..12), 0..80)) {
            let mut edges = Vec::new();
            for e in candidates {
                if !creates_cycle(&edges, e) {
                    edges.push(e);
                }
            }
            let nodes: Vec<i64> = (0..12).collect();
            let order = topo_order(&nodes, &edges).expect("a DAG has a topological order");
            prop_assert_eq!(order.len(), nodes.len());
            let pos: HashMap<i64, usize> = order.iter().enumerate().map(|(i, &n)| (n, i)).collect();
            for (s, u) in &edges {
                prop_assert!(pos[u] < pos[s], "upstream {} after {}", u, s);
            }
        }

        #[test]
        fn refused_edge_really_cycles(candidates in prop::collection::vec((0i64..8, 0i64..8), 0..40)) {
            let mut edges = Vec::new();
            for e in candidates {
                if creates_cycle(&edges, e) {
                    let mut with = edges.clone();
                    with.push(e);
                    prop_assert!(topo_order(&(0..8).collect::<Vec<_>>(), &with).is_none());
                } else {
                    edges.push(e);
                }
            }
        }
    }
}
