//! The step state machine (domain.md, "Executing a run").

use super::status::RunStepStatus;
use std::fmt;

/// What the caller knows about the step when a change is asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepContext {
    /// Whether the step is available to work (see `availability::blockers`).
    pub available: bool,
    /// Why it is not available; reported in [`TransitionError::NotAvailable`].
    pub blockers: Vec<String>,
    /// Names of required fields without a valid value and of unsigned sign-offs.
    pub missing_required_fields: Vec<String>,
    /// The state the step was in when it was put on HOLD (stored with the step).
    pub held_from: Option<RunStepStatus>,
}

impl StepContext {
    /// A context whose availability follows from the blockers (none = available).
    pub fn from_blockers(blockers: Vec<String>) -> Self {
        StepContext {
            available: blockers.is_empty(),
            blockers,
            ..Self::default()
        }
    }

    /// Available only when flagged so and nothing blocks: either alone is not enough,
    /// so a caller that fills one of the two cannot let a blocked step start.
    fn is_available(&self) -> bool {
        self.available && self.blockers.is_empty()
    }
}

/// An accepted change: what to store on the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The step's new status.
    pub status: RunStepStatus,
    /// `Some(from)` when entering HOLD, so HOLD can go back there; `None` otherwise.
    pub held_from: Option<RunStepStatus>,
}

/// A refused change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransitionError {
    /// The table does not allow this change.
    Invalid {
        from: RunStepStatus,
        to: RunStepStatus,
    },
    /// TODO -> IN_PROGRESS while the step is not available to work.
    NotAvailable { blockers: Vec<String> },
    /// IN_PROGRESS -> COMPLETE with required fields or sign-offs missing.
    FieldsMissing { fields: Vec<String> },
}

impl TransitionError {
    /// The `extensions.code` of the API contract for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "INVALID_TRANSITION",
            Self::NotAvailable { .. } => "STEP_NOT_AVAILABLE",
            Self::FieldsMissing { .. } => "FIELD_INVALID",
        }
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid { from, to } => write!(f, "cannot change a step from {from} to {to}"),
            Self::NotAvailable { blockers } if blockers.is_empty() => {
                f.write_str("the step is not available to work")
            }
            Self::NotAvailable { blockers } => {
                write!(
                    f,
                    "the step is not available to work: {}",
                    blockers.join("; ")
                )
            }
            Self::FieldsMissing { fields } => {
                let names: Vec<String> = fields.iter().map(|n| format!("\"{n}\"")).collect();
                write!(
                    f,
                    "the step cannot be completed: required fields missing or invalid: {}",
                    names.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for TransitionError {}

/// The targets the table allows from `from`, before the context is looked at. From HOLD
/// only the state in `held_from` (or CANCELED) is actually accepted.
pub fn allowed_targets(from: RunStepStatus) -> &'static [RunStepStatus] {
    use RunStepStatus::*;
    match from {
        Todo => &[InProgress, Hold, Redline, Canceled],
        InProgress => &[Complete, Failed, Hold, Redline],
        // COMPLETE is final: the table has no row leaving it.
        Complete => &[],
        Hold => &[Todo, InProgress, Canceled],
        Redline => &[Todo],
        Failed => &[Redline, Todo],
        Canceled => &[Todo],
    }
}

/// Checks one change of a step's status against the table and the step's context.
pub fn transition(
    from: RunStepStatus,
    to: RunStepStatus,
    ctx: &StepContext,
) -> Result<Transition, TransitionError> {
    use RunStepStatus::*;
    let invalid = || TransitionError::Invalid { from, to };
    if !allowed_targets(from).contains(&to) {
        return Err(invalid());
    }
    match (from, to) {
        // HOLD goes back only where it came from. A step held before held_from was
        // recorded came from TODO or IN_PROGRESS; TODO is the safe guess (it re-checks
        // availability on the way to IN_PROGRESS).
        (Hold, Todo | InProgress) if ctx.held_from.unwrap_or(Todo) != to => Err(invalid()),
        (Todo, InProgress) if !ctx.is_available() => Err(TransitionError::NotAvailable {
            blockers: ctx.blockers.clone(),
        }),
        (InProgress, Complete) if !ctx.missing_required_fields.is_empty() => {
            Err(TransitionError::FieldsMissing {
                fields: ctx.missing_required_fields.clone(),
            })
        }
        _ => Ok(Transition {
            status: to,
            held_from: (to == Hold).then_some(from),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::RunStepStatus::*;
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn ok_ctx() -> StepContext {
        StepContext::from_blockers(vec![])
    }

    #[test]
    fn table_is_exact() {
        let allowed: HashSet<(RunStepStatus, RunStepStatus)> = [
            (Todo, InProgress),
            (InProgress, Complete),
            (InProgress, Failed),
            (Todo, Hold),
            (InProgress, Hold),
            (Hold, Todo),
            (Hold, InProgress),
            (Todo, Redline),
            (InProgress, Redline),
            (Failed, Redline),
            (Redline, Todo),
            (Failed, Todo),
            (Todo, Canceled),
            (Hold, Canceled),
            (Canceled, Todo),
        ]
        .into();
        for &from in RunStepStatus::ALL {
            for &to in RunStepStatus::ALL {
                assert_eq!(
                    allowed_targets(from).contains(&to),
                    allowed.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn invalid_message() {
        let e = transition(Todo, Complete, &ok_ctx()).unwrap_err();
        assert_eq!(
            e,
            TransitionError::Invalid {
                from: Todo,
                to: Complete
            }
        );
        assert_eq!(e.to_string(), "cannot change a step from TODO to COMPLETE");
        assert_eq!(e.code(), "INVALID_TRANSITION");
        assert!(transition(Todo, Todo, &ok_ctx()).is_err());
        assert!(transition(Complete, Todo, &ok_ctx()).is_err());
    }

    #[test]
    fn start_needs_availability() {
        let blocked = StepContext::from_blockers(vec!["the run has FAILED".into()]);
        let e = transition(Todo, InProgress, &blocked).unwrap_err();
        assert_eq!(e.code(), "STEP_NOT_AVAILABLE");
        assert!(e.to_string().contains("the run has FAILED"));
        // The flag alone also blocks.
        let flagged = StepContext {
            available: false,
            ..StepContext::default()
        };
        assert!(matches!(
            transition(Todo, InProgress, &flagged),
            Err(TransitionError::NotAvailable { .. })
        ));
        assert_eq!(
            transition(Todo, InProgress, &ok_ctx()),
            Ok(Transition {
                status: InProgress,
                held_from: None
            })
        );
    }

    #[test]
    fn complete_needs_fields() {
        let ctx = StepContext {
            missing_required_fields: vec!["Torque".into()],
            ..ok_ctx()
        };
        let e = transition(InProgress, Complete, &ctx).unwrap_err();
        assert_eq!(e.code(), "FIELD_INVALID");
        assert!(e.to_string().contains("\"Torque\""));
        assert!(transition(InProgress, Complete, &ok_ctx()).is_ok());
        // Missing fields do not stop failing or holding.
        assert!(transition(InProgress, Failed, &ctx).is_ok());
    }

    #[test]
    fn hold_remembers_and_returns() {
        let t = transition(InProgress, Hold, &ok_ctx()).unwrap();
        assert_eq!(t.held_from, Some(InProgress));
        let held = StepContext {
            held_from: t.held_from,
            ..ok_ctx()
        };
        assert!(transition(Hold, Todo, &held).is_err());
        assert_eq!(
            transition(Hold, InProgress, &held),
            Ok(Transition {
                status: InProgress,
                held_from: None
            })
        );
        assert!(transition(Hold, Canceled, &held).is_ok());
        let from_todo = StepContext {
            held_from: Some(Todo),
            ..ok_ctx()
        };
        assert!(transition(Hold, InProgress, &from_todo).is_err());
        assert!(transition(Hold, Todo, &from_todo).is_ok());
        // Unknown origin: only TODO.
        assert!(transition(Hold, Todo, &ok_ctx()).is_ok());
        assert!(transition(Hold, InProgress, &ok_ctx()).is_err());
    }

    #[test]
    fn redline_and_rework() {
        assert!(transition(Failed, Redline, &ok_ctx()).is_ok());
        assert!(transition(Redline, Complete, &ok_ctx()).is_err());
        assert!(transition(Redline, Failed, &ok_ctx()).is_err());
        assert!(transition(Redline, InProgress, &ok_ctx()).is_err());
        assert!(transition(Redline, Todo, &ok_ctx()).is_ok());
        assert!(transition(Failed, Todo, &ok_ctx()).is_ok());
        assert!(transition(Canceled, Todo, &ok_ctx()).is_ok());
    }

    fn reachable_from_todo() -> HashSet<RunStepStatus> {
        let mut seen: HashSet<_> = [Todo].into();
        let mut stack = vec![Todo];
        while let Some(s) = stack.pop() {
            for &t in allowed_targets(s) {
                if seen.insert(t) {
                    stack.push(t);
                }
            }
        }
        seen
    }

    fn step_strategy() -> impl Strategy<Value = (RunStepStatus, bool, bool)> {
        (
            prop::sample::select(RunStepStatus::ALL.to_vec()),
            any::<bool>(),
            any::<bool>(),
        )
    }

    /// Runs a sequence from TODO, calling `check(from, to, ctx, before_hold)` on every
    /// accepted change; `before_hold` is the state the step was in before its last HOLD.
    fn walk(
        seq: &[(RunStepStatus, bool, bool)],
        always_missing: bool,
        mut check: impl FnMut(RunStepStatus, RunStepStatus, &StepContext, Option<RunStepStatus>),
    ) -> RunStepStatus {
        let (mut state, mut held_from) = (Todo, None);
        let mut before_hold = None;
        for &(to, available, missing) in seq {
            let ctx = StepContext {
                available,
                blockers: if available {
                    vec![]
                } else {
                    vec!["upstream".into()]
                },
                missing_required_fields: if missing || always_missing {
                    vec!["f".into()]
                } else {
                    vec![]
                },
                held_from,
            };
            if let Ok(t) = transition(state, to, &ctx) {
                check(state, to, &ctx, before_hold);
                if to == Hold {
                    before_hold = Some(state);
                }
                state = t.status;
                held_from = t.held_from;
            }
        }
        state
    }

    proptest! {
        #[test]
        fn never_complete_with_missing_fields(seq in prop::collection::vec(step_strategy(), 0..60)) {
            let end = walk(&seq, true, |_, to, _, _| assert_ne!(to, Complete));
            prop_assert_ne!(end, Complete);
        }

        #[test]
        fn never_start_when_unavailable(seq in prop::collection::vec(step_strategy(), 0..60)) {
            walk(&seq, false, |from, to, ctx, _| {
                if from == Todo && to == InProgress {
                    assert!(ctx.available && ctx.blockers.is_empty());
                }
            });
        }

        #[test]
        fn accepted_changes_follow_the_table(seq in prop::collection::vec(step_strategy(), 0..60)) {
            let reachable = reachable_from_todo();
            let end = walk(&seq, false, |from, to, _, _| {
                assert!(allowed_targets(from).contains(&to), "{from} -> {to}");
                assert!(reachable.contains(&to));
            });
            prop_assert!(reachable.contains(&end));
        }

        #[test]
        fn hold_returns_where_it_came_from(seq in prop::collection::vec(step_strategy(), 0..60)) {
            walk(&seq, false, |from, to, _, before_hold| {
                if from == Hold && to != Canceled {
                    assert_eq!(Some(to), before_hold);
                }
            });
        }
    }
}
