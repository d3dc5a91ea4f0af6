//! Step states and the run status derived from them.

/// A step's and a run's status (`contract_enums!`), handed to `$m!`.
macro_rules! status_enums {
    ($m:ident) => {
        $m! {
            /// State of one step of a run.
            RunStepStatus {
                /// Not started.
                Todo => "TODO",
                /// Being worked.
                InProgress => "IN_PROGRESS",
                /// Done: every required field filled and every sign-off signed.
                Complete => "COMPLETE",
                /// Administratively paused; goes back to the state it came from.
                Hold => "HOLD",
                /// Being edited; cannot be completed or failed until the edit is done.
                Redline => "REDLINE",
                /// Failed inspection or non-conforming part.
                Failed => "FAILED",
                /// Skipped.
                Canceled => "CANCELED",
            }

            /// Status of a run. A run has no state of its own: it is derived from its steps by [`rollup`].
            RunStatus {
                /// Nothing started (also a run without steps).
                Todo => "TODO",
                /// Work under way.
                InProgress => "IN_PROGRESS",
                /// Every step complete.
                Complete => "COMPLETE",
                /// Every step complete or canceled, at least one of each.
                PartialComplete => "PARTIAL_COMPLETE",
                /// Some step is on hold.
                Hold => "HOLD",
                /// Some step is being redlined.
                Redline => "REDLINE",
                /// Some step failed.
                Failed => "FAILED",
                /// Every step canceled.
                Canceled => "CANCELED",
            }
        }
    };
}
pub(crate) use status_enums;
status_enums!(contract_enums);

/// Derives a run's status from the statuses of all its steps (nested ones included),
/// following domain.md's table: the first row that matches wins.
pub fn rollup(steps: impl IntoIterator<Item = RunStepStatus>) -> RunStatus {
    use RunStepStatus as S;
    // Counting once keeps this O(n) and independent of step order.
    let mut n = [0usize; 7];
    for s in steps {
        n[s as usize] += 1;
    }
    let count = |s: S| n[s as usize];
    let total: usize = n.iter().sum();

    if total == 0 {
        // ION says COMPLETE; a new run without a procedure has not been done, so TODO.
        return RunStatus::Todo;
    }
    if count(S::Redline) > 0 {
        return RunStatus::Redline;
    }
    if count(S::Hold) > 0 {
        return RunStatus::Hold;
    }
    if count(S::Failed) > 0 {
        return RunStatus::Failed;
    }
    let (complete, todo, canceled) = (count(S::Complete), count(S::Todo), count(S::Canceled));
    if complete == total {
        return RunStatus::Complete;
    }
    if count(S::InProgress) > 0 {
        return RunStatus::InProgress;
    }
    // From here every step is TODO, CANCELED or COMPLETE.
    if todo == total {
        return RunStatus::Todo;
    }
    if canceled == total {
        return RunStatus::Canceled;
    }
    if todo == 0 {
        // only CANCELED and COMPLETE (both present)
        return RunStatus::PartialComplete;
    }
    if complete == 0 {
        // only CANCELED and TODO
        return RunStatus::Todo;
    }
    // some COMPLETE alongside TODO
    RunStatus::InProgress
}

/// True when a run whose steps roll up to `run` still does after any of its steps move to
/// `to`, whatever its steps are: the roll-up then need not read them. Decided only for
/// steps moving to IN_PROGRESS in a run IN_PROGRESS (it has no REDLINE, HOLD or FAILED
/// step, and one IN_PROGRESS step keeps it so); any other move may change the run.
pub fn keeps(run: RunStatus, to: RunStepStatus) -> bool {
    run == RunStatus::InProgress && to == RunStepStatus::InProgress
}

/// What rolling a run up changes: its status, and whether it starts or completes now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RunChange {
    pub status: RunStatus,
    /// It had not started and now has: `startedAt` is stamped.
    pub starts: bool,
    /// It becomes COMPLETE now: `completedAt` is stamped (and a built unit made AVAILABLE).
    pub completes: bool,
}

impl RunChange {
    /// Whether `completedAt` is cleared (when the run does not complete now): it is not
    /// COMPLETE.
    pub fn clears_completion(&self) -> bool {
        self.status != RunStatus::Complete
    }
}

/// The change to a run stored as `old` (`started`: it has a start time) whose steps are now
/// `steps`; `None` when the run stays as it is. TODO and CANCELED do not start a run.
pub fn run_change(
    old: RunStatus,
    started: bool,
    steps: impl IntoIterator<Item = RunStepStatus>,
) -> Option<RunChange> {
    let status = rollup(steps);
    let starts = !started && !matches!(status, RunStatus::Todo | RunStatus::Canceled);
    let completes = status == RunStatus::Complete && old != RunStatus::Complete;
    (status != old || starts).then_some(RunChange {
        status,
        starts,
        completes,
    })
}

#[cfg(test)]
mod tests {
    use super::RunStepStatus::*;
    use super::*;
    use proptest::prelude::*;

    fn r(steps: &[RunStepStatus]) -> RunStatus {
        rollup(steps.iter().copied())
    }

    #[test]
    fn table_rows() {
        assert_eq!(r(&[]), RunStatus::Todo);
        assert_eq!(r(&[Complete, Redline, Hold, Failed]), RunStatus::Redline);
        assert_eq!(r(&[Complete, Hold, Failed, InProgress]), RunStatus::Hold);
        assert_eq!(r(&[Complete, Failed, InProgress, Todo]), RunStatus::Failed);
        assert_eq!(r(&[Complete, Complete]), RunStatus::Complete);
        assert_eq!(r(&[Complete]), RunStatus::Complete);
        assert_eq!(r(&[Todo, InProgress, Canceled]), RunStatus::InProgress);
        assert_eq!(r(&[Todo, Todo]), RunStatus::Todo);
        assert_eq!(r(&[Canceled, Canceled]), RunStatus::Canceled);
        assert_eq!(r(&[Canceled, Complete]), RunStatus::PartialComplete);
        assert_eq!(r(&[Canceled, Todo]), RunStatus::Todo);
        assert_eq!(r(&[Complete, Todo]), RunStatus::InProgress);
        assert_eq!(r(&[Complete, Todo, Canceled]), RunStatus::InProgress);
    }

    fn any_step() -> impl Strategy<Value = RunStepStatus> {
        prop::sample::select(RunStepStatus::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn any_redline_is_redline(mut v in prop::collection::vec(any_step(), 0..20), i in any::<prop::sample::Index>()) {
            let at = i.index(v.len() + 1);
            v.insert(at, Redline);
            prop_assert_eq!(r(&v), RunStatus::Redline);
        }

        #[test]
        fn any_hold_without_redline_is_hold(v in prop::collection::vec(any_step(), 0..20)) {
            let mut v: Vec<_> = v.into_iter().filter(|s| *s != Redline).collect();
            v.push(Hold);
            prop_assert_eq!(r(&v), RunStatus::Hold);
        }

        #[test]
        fn permutation_invariant(
            (v, w) in prop::collection::vec(any_step(), 0..20)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            prop_assert_eq!(r(&v), r(&w));
        }

        #[test]
        fn all_complete_is_complete(n in 1usize..30) {
            prop_assert_eq!(r(&vec![Complete; n]), RunStatus::Complete);
        }

        #[test]
        fn complete_added_to_all_todo_is_in_progress(n in 1usize..30) {
            let mut v = vec![Todo; n];
            v.push(Complete);
            prop_assert_eq!(r(&v), RunStatus::InProgress);
        }

        #[test]
        fn any_in_progress_without_blocking_states(v in prop::collection::vec(any_step(), 0..20)) {
            let mut v: Vec<_> = v.into_iter().filter(|s| !matches!(s, Redline | Hold | Failed)).collect();
            v.push(InProgress);
            prop_assert_eq!(r(&v), RunStatus::InProgress);
        }

        #[test]
        fn duplicating_every_step_keeps_status(v in prop::collection::vec(any_step(), 0..20)) {
            let mut w = v.clone();
            w.extend(v.iter().copied());
            prop_assert_eq!(r(&v), r(&w));
        }

        #[test]
        fn a_move_it_keeps_leaves_the_rollup(
            v in prop::collection::vec(any_step(), 1..20),
            moved in prop::collection::vec(any::<bool>(), 20),
        ) {
            let before = r(&v);
            let all = RunStepStatus::ALL;
            for (from, to) in all.iter().flat_map(|f| all.iter().map(move |t| (*f, *t))) {
                let w: Vec<_> = v.iter().zip(&moved)
                    .map(|(s, m)| if *s == from && *m { to } else { *s })
                    .collect();
                if keeps(before, to) {
                    prop_assert_eq!(r(&w), before, "{:?} -> {:?}", v, w);
                }
            }
        }

        #[test]
        fn complete_or_partial_only_when_all_done(v in prop::collection::vec(any_step(), 1..20)) {
            let s = r(&v);
            if matches!(s, RunStatus::Complete | RunStatus::PartialComplete) {
                prop_assert!(v.iter().all(|s| matches!(s, Complete | Canceled)));
                prop_assert!(v.contains(&Complete));
            }
        }

        #[test]
        fn a_change_applied_is_the_last(
            v in prop::collection::vec(any_step(), 0..20),
            old in prop::sample::select(RunStatus::ALL.to_vec()),
            started in any::<bool>(),
        ) {
            if let Some(c) = run_change(old, started, v.iter().copied()) {
                prop_assert_eq!(c.status, r(&v));
                prop_assert!(!(c.starts && started));
                prop_assert!(!c.completes || (c.status == RunStatus::Complete && old != RunStatus::Complete));
                prop_assert_eq!(run_change(c.status, started || c.starts, v.iter().copied()), None);
            } else {
                prop_assert_eq!(r(&v), old);
            }
        }
    }
}
