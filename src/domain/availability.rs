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

#[cfg(test)]
mod tests {
    use super::RunStepStatus::*;
    use super::*;

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
