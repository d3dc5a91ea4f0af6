//! Run-level status changes (ION's `updateRun(input: {status})`) as step changes.
//!
//! A run has no state of its own (`status::rollup`), so starting, completing, holding or
//! canceling a run is planned here as moves of its steps; the rollup of the moved steps is
//! then the run's new status. The rules:
//! - **start** (IN_PROGRESS): held steps go back where they came from; if no step is then in
//!   progress, the first TODO step (in traveler order) that is available to work starts.
//!   A run already in progress is left as it is.
//! - **complete**: every IN_PROGRESS step completes; refused, naming them, while any step is
//!   open otherwise (TODO, HOLD, REDLINE, FAILED, or in progress with fields missing).
//! - **hold**: every TODO and IN_PROGRESS step goes on HOLD.
//! - **cancel**: every step not COMPLETE or CANCELED is canceled (an administrative stop, so
//!   IN_PROGRESS, FAILED and REDLINE steps too); the run ends CANCELED or PARTIAL_COMPLETE.

use std::fmt;

use super::status::{RunStatus, RunStepStatus, rollup};
use super::transition::{StepContext, Transition, transition};

/// What the caller asks of the run, by the run status it asks for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RunAction {
    Start,
    Complete,
    Hold,
    Cancel,
}

impl RunAction {
    /// The action that asks for `status`; `None` for a status that is only ever derived.
    pub fn for_status(status: RunStatus) -> Option<RunAction> {
        match status {
            RunStatus::InProgress => Some(RunAction::Start),
            RunStatus::Complete => Some(RunAction::Complete),
            RunStatus::Hold => Some(RunAction::Hold),
            RunStatus::Canceled => Some(RunAction::Cancel),
            _ => None,
        }
    }

    /// The step status whose context the plan needs (availability to start, fields to
    /// complete).
    pub fn step_target(self) -> RunStepStatus {
        match self {
            RunAction::Start => RunStepStatus::InProgress,
            RunAction::Complete => RunStepStatus::Complete,
            RunAction::Hold => RunStepStatus::Hold,
            RunAction::Cancel => RunStepStatus::Canceled,
        }
    }
}

/// One step of the run as the plan sees it, in traveler order.
#[derive(Clone, Debug)]
pub struct RunStepView {
    pub id: i64,
    pub title: String,
    pub status: RunStepStatus,
    pub ctx: StepContext,
}

/// A refused run-level change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunActionError {
    /// Nothing in the run can make this change (e.g. holding a finished run).
    Invalid { from: RunStatus, to: RunStatus },
    /// Starting: no TODO step is available to work; the first one's blockers.
    NotAvailable { step: String, blockers: Vec<String> },
    /// Completing: the steps still open, each with why.
    OpenSteps { steps: Vec<String> },
}

impl RunActionError {
    /// The `extensions.code` of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAvailable { .. } => "STEP_NOT_AVAILABLE",
            _ => "INVALID_TRANSITION",
        }
    }
}

impl fmt::Display for RunActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid { from, to } => write!(f, "cannot change a run from {from} to {to}"),
            Self::NotAvailable { step, blockers } => write!(
                f,
                "cannot start the run: no step is available to work (\"{step}\": {})",
                blockers.join("; ")
            ),
            Self::OpenSteps { steps } => write!(
                f,
                "cannot complete the run: open steps: {}",
                steps.join(", ")
            ),
        }
    }
}

impl std::error::Error for RunActionError {}

/// A planned move of one step.
pub type Move = (i64, RunStepStatus, Transition);

/// The step moves that carry out `action` on a run whose steps are `steps` (in traveler
/// order). An empty plan means the run already is where the action would take it.
pub fn plan(action: RunAction, steps: &[RunStepView]) -> Result<Vec<Move>, RunActionError> {
    let status = rollup(steps.iter().map(|s| s.status));
    match action {
        RunAction::Start => start(status, steps),
        RunAction::Complete => complete(status, steps),
        RunAction::Hold => every(status, RunStatus::Hold, steps, |s| {
            matches!(s, RunStepStatus::Todo | RunStepStatus::InProgress)
        }),
        RunAction::Cancel => every(status, RunStatus::Canceled, steps, is_open),
    }
}

fn is_open(s: RunStepStatus) -> bool {
    !matches!(s, RunStepStatus::Complete | RunStepStatus::Canceled)
}

fn invalid(from: RunStatus, to: RunStatus) -> RunActionError {
    RunActionError::Invalid { from, to }
}

/// Moves every step matching `which` to the step state of `to` (no table check: holding and
/// canceling a run are administrative).
fn every(
    from: RunStatus,
    to: RunStatus,
    steps: &[RunStepView],
    which: impl Fn(RunStepStatus) -> bool,
) -> Result<Vec<Move>, RunActionError> {
    let target = if to == RunStatus::Hold {
        RunStepStatus::Hold
    } else {
        RunStepStatus::Canceled
    };
    let moves: Vec<Move> = steps
        .iter()
        .filter(|s| which(s.status))
        .map(|s| {
            let held_from = (target == RunStepStatus::Hold).then_some(s.status);
            let t = Transition {
                status: target,
                held_from,
            };
            (s.id, s.status, t)
        })
        .collect();
    if moves.is_empty() && from != to {
        return Err(invalid(from, to));
    }
    Ok(moves)
}

fn start(status: RunStatus, steps: &[RunStepView]) -> Result<Vec<Move>, RunActionError> {
    use RunStepStatus as S;
    if status == RunStatus::InProgress {
        return Ok(Vec::new());
    }
    // A failed or redlined step keeps the run out of progress whatever else moves.
    let stuck = steps
        .iter()
        .any(|s| matches!(s.status, S::Failed | S::Redline));
    if !matches!(status, RunStatus::Todo | RunStatus::Hold) || steps.is_empty() || stuck {
        return Err(invalid(status, RunStatus::InProgress));
    }
    let mut moves = Vec::new();
    for s in steps.iter().filter(|s| s.status == S::Hold) {
        let back = s.ctx.held_from.unwrap_or(S::Todo);
        if let Ok(t) = transition(S::Hold, back, &s.ctx) {
            moves.push((s.id, S::Hold, t));
        }
    }
    if moves.iter().any(|(_, _, t)| t.status == S::InProgress) {
        return Ok(moves);
    }
    let resumed: Vec<i64> = moves.iter().map(|m| m.0).collect();
    let todo = || {
        steps
            .iter()
            .filter(|s| s.status == S::Todo || resumed.contains(&s.id))
    };
    match todo().find_map(|s| {
        transition(S::Todo, S::InProgress, &s.ctx)
            .ok()
            .map(|t| (s, t))
    }) {
        Some((s, t)) => {
            // A resumed step starts from the TODO it went back to: one move from HOLD.
            moves.retain(|m| m.0 != s.id);
            moves.push((s.id, s.status, t));
            Ok(moves)
        }
        None => Err(match todo().next() {
            Some(s) => RunActionError::NotAvailable {
                step: s.title.clone(),
                blockers: s.ctx.blockers.clone(),
            },
            None => invalid(status, RunStatus::InProgress),
        }),
    }
}

fn complete(status: RunStatus, steps: &[RunStepView]) -> Result<Vec<Move>, RunActionError> {
    use RunStepStatus as S;
    if steps.is_empty() {
        return Err(invalid(status, RunStatus::Complete));
    }
    let mut open = Vec::new();
    let mut moves = Vec::new();
    for s in steps.iter().filter(|s| is_open(s.status)) {
        match transition(s.status, S::Complete, &s.ctx) {
            Ok(t) if s.status == S::InProgress => moves.push((s.id, s.status, t)),
            Err(e) if s.status == S::InProgress => open.push(format!("\"{}\" ({e})", s.title)),
            _ => open.push(format!("\"{}\" ({})", s.title, s.status)),
        }
    }
    if !open.is_empty() {
        return Err(RunActionError::OpenSteps { steps: open });
    }
    // Every step canceled: nothing was done, so the run cannot be called complete.
    if moves.is_empty() && !steps.iter().any(|s| s.status == S::Complete) {
        return Err(invalid(status, RunStatus::Complete));
    }
    Ok(moves)
}

#[cfg(test)]
mod tests {
    use super::RunStepStatus::*;
    use super::*;
    use proptest::prelude::*;

    fn view(id: i64, status: RunStepStatus, blockers: Vec<String>, missing: bool) -> RunStepView {
        let mut ctx = StepContext::from_blockers(blockers);
        if missing {
            ctx.missing_required_fields = vec!["Torque".into()];
        }
        if status == Hold {
            ctx.held_from = Some(if id % 2 == 0 { Todo } else { InProgress });
        }
        RunStepView {
            id,
            title: format!("S{id}"),
            status,
            ctx,
        }
    }

    fn apply(steps: &[RunStepView], moves: &[Move]) -> Vec<RunStepStatus> {
        steps
            .iter()
            .map(|s| {
                moves
                    .iter()
                    .find(|m| m.0 == s.id)
                    .map_or(s.status, |m| m.2.status)
            })
            .collect()
    }

    fn arb_steps() -> impl Strategy<Value = Vec<RunStepView>> {
        let one = (
            proptest::sample::select(RunStepStatus::ALL.to_vec()),
            any::<bool>(),
            any::<bool>(),
        );
        proptest::collection::vec(one, 0..8).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (st, blocked, missing))| {
                    let b = if blocked {
                        vec!["upstream".into()]
                    } else {
                        vec![]
                    };
                    view(i as i64, st, b, missing)
                })
                .collect()
        })
    }

    #[test]
    fn completing_names_every_open_step() {
        let steps = [
            view(1, Complete, vec![], false),
            view(2, InProgress, vec![], true),
            view(3, Todo, vec![], false),
        ];
        let e = plan(RunAction::Complete, &steps).unwrap_err();
        assert_eq!(e.code(), "INVALID_TRANSITION");
        let msg = e.to_string();
        assert!(msg.contains("\"S2\"") && msg.contains("Torque"), "{msg}");
        assert!(
            msg.contains("\"S3\" (TODO)") && !msg.contains("S1"),
            "{msg}"
        );
    }

    #[test]
    fn starting_a_blocked_run_names_the_blocker() {
        let steps = [view(1, Todo, vec!["waits for \"A\"".into()], false)];
        let e = plan(RunAction::Start, &steps).unwrap_err();
        assert_eq!(e.code(), "STEP_NOT_AVAILABLE");
        assert!(e.to_string().contains("waits for \"A\""));
    }

    proptest! {
        /// Whatever the steps, an accepted action leaves the rollup where the action says,
        /// and never moves a finished step (except that nothing moves it at all).
        #[test]
        fn accepted_actions_reach_their_status(steps in arb_steps(), a in 0..4usize) {
            let action = [RunAction::Start, RunAction::Complete, RunAction::Hold, RunAction::Cancel][a];
            let before = rollup(steps.iter().map(|s| s.status));
            if let Ok(moves) = plan(action, &steps) {
                let after = rollup(apply(&steps, &moves));
                let ok = match action {
                    RunAction::Start => after == RunStatus::InProgress,
                    RunAction::Complete => matches!(after, RunStatus::Complete | RunStatus::PartialComplete),
                    RunAction::Hold => matches!(after, RunStatus::Hold | RunStatus::Redline),
                    RunAction::Cancel => matches!(after, RunStatus::Canceled | RunStatus::PartialComplete),
                };
                prop_assert!(ok, "{action:?}: {before} -> {after}");
                for (id, from, _) in &moves {
                    let s = steps.iter().find(|s| s.id == *id).unwrap();
                    prop_assert_eq!(s.status, *from);
                    prop_assert!(is_open(*from), "moved a finished step {}", id);
                }
            }
        }

        /// Completing is refused exactly when a step is open and cannot complete; starting
        /// never starts a step that is not available.
        #[test]
        fn refusals_are_exact(steps in arb_steps()) {
            let blocking = steps.iter().any(|s| is_open(s.status)
                && !(s.status == InProgress && s.ctx.missing_required_fields.is_empty()));
            let refused = plan(RunAction::Complete, &steps).is_err();
            let none_done = !steps.iter().any(|s| matches!(s.status, Complete | InProgress));
            prop_assert_eq!(refused, blocking || none_done);
            if let Ok(moves) = plan(RunAction::Start, &steps) {
                for (id, _, t) in moves {
                    let s = steps.iter().find(|s| s.id == id).unwrap();
                    if t.status == InProgress && s.status == Todo {
                        prop_assert!(s.ctx.blockers.is_empty());
                    }
                }
            }
        }

        /// Canceling leaves no open step; holding leaves no TODO or IN_PROGRESS step.
        #[test]
        fn cancel_and_hold_cover_every_step(steps in arb_steps()) {
            if let Ok(m) = plan(RunAction::Cancel, &steps) {
                prop_assert!(apply(&steps, &m).into_iter().all(|s| !is_open(s)));
            }
            if let Ok(m) = plan(RunAction::Hold, &steps) {
                prop_assert!(apply(&steps, &m).into_iter().all(|s| !matches!(s, Todo | InProgress)));
            }
        }
    }
}
