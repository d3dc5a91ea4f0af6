//! Whether a run step is available to work, and if not, why.

use super::status::RunStepStatus;

/// What keeps a step from starting, as messages a person can act on; empty = available.
///
/// A step is available when every upstream step is COMPLETE (a CANCELED one blocks too:
/// domain.md asks for COMPLETE), its parent step, if any, is IN_PROGRESS, and the run is
/// not FAILED.
pub fn blockers(
    upstream: &[(&str, RunStepStatus)],
    parent: Option<(&str, RunStepStatus)>,
    run_failed: bool,
) -> Vec<String> {
    let mut out: Vec<String> = upstream
        .iter()
        .filter(|(_, s)| *s != RunStepStatus::Complete)
        .map(|(title, s)| format!("upstream step \"{title}\" is {s}"))
        .collect();
    if let Some((title, s)) = parent
        && s != RunStepStatus::InProgress
    {
        out.push(format!("parent step \"{title}\" is {s}"));
    }
    if run_failed {
        out.push("the run has FAILED".to_owned());
    }
    out
}

/// A step can be started now: it is TODO and nothing blocks it (see [`blockers`]).
pub fn available(
    status: RunStepStatus,
    upstream: &[(&str, RunStepStatus)],
    parent: Option<(&str, RunStepStatus)>,
    run_failed: bool,
) -> bool {
    status == RunStepStatus::Todo && blockers(upstream, parent, run_failed).is_empty()
}

/// `steps` with those available to work first, each group in its given (traveler) order:
/// what a station's queue shows, so the operator sees what to start without losing the
/// traveler's sequence.
pub fn available_first<T>(steps: Vec<T>, is_available: impl Fn(&T) -> bool) -> Vec<T> {
    let (mut first, rest): (Vec<T>, Vec<T>) = steps.into_iter().partition(|s| is_available(s));
    first.extend(rest);
    first
}

#[cfg(test)]
mod tests {
    use super::RunStepStatus::*;
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn available_first_is_a_stable_partition(flags in proptest::collection::vec(any::<bool>(), 0..20)) {
            let steps: Vec<(usize, bool)> = flags.iter().copied().enumerate().collect();
            let out = available_first(steps.clone(), |s| s.1);
            let n = flags.iter().filter(|f| **f).count();
            prop_assert_eq!(out.len(), steps.len());
            prop_assert!(out[..n].iter().all(|s| s.1));
            prop_assert!(out[n..].iter().all(|s| !s.1));
            // Each group keeps its traveler order.
            prop_assert!(out[..n].windows(2).all(|w| w[0].0 < w[1].0));
            prop_assert!(out[n..].windows(2).all(|w| w[0].0 < w[1].0));
        }
    }

    #[test]
    fn available_needs_todo_and_no_blocker() {
        assert!(available(Todo, &[("a", Complete)], None, false));
        assert!(!available(InProgress, &[], None, false));
        assert!(!available(Todo, &[("a", Todo)], None, false));
        assert!(!available(Todo, &[], None, true));
    }

    #[test]
    fn available_when_nothing_blocks() {
        assert!(blockers(&[], None, false).is_empty());
        assert!(
            blockers(
                &[("Drill holes", Complete), ("Deburr", Complete)],
                Some(("Assembly", InProgress)),
                false
            )
            .is_empty()
        );
    }

    #[test]
    fn names_each_blocker() {
        assert_eq!(
            blockers(
                &[
                    ("Drill holes", InProgress),
                    ("Deburr", Complete),
                    ("Paint", Canceled)
                ],
                Some(("Assembly", Todo)),
                true
            ),
            vec![
                "upstream step \"Drill holes\" is IN_PROGRESS",
                "upstream step \"Paint\" is CANCELED",
                "parent step \"Assembly\" is TODO",
                "the run has FAILED",
            ]
        );
        assert_eq!(
            blockers(&[], Some(("Assembly", Complete)), false),
            vec!["parent step \"Assembly\" is COMPLETE"]
        );
    }
}
