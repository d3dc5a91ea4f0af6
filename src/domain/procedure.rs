//! Lifecycle of a procedure version: DRAFT -> IN_REVIEW -> RELEASED -> SUPERSEDED,
//! ARCHIVED from anywhere.

use super::enums::ProcedureStatus;

/// Only a DRAFT can be edited: a released version is pinned by the runs that use it.
pub fn can_edit(status: ProcedureStatus) -> bool {
    status == ProcedureStatus::Draft
}

/// DRAFT -> IN_REVIEW.
pub fn submit_for_review(status: ProcedureStatus) -> Result<ProcedureStatus, String> {
    match status {
        ProcedureStatus::Draft => Ok(ProcedureStatus::InReview),
        other => Err(format!(
            "only a DRAFT procedure can be submitted for review; this one is {other}"
        )),
    }
}

/// DRAFT or IN_REVIEW -> RELEASED (the caller then supersedes the family's previous
/// release and approves the steps not yet approved).
pub fn release(status: ProcedureStatus) -> Result<ProcedureStatus, String> {
    match status {
        ProcedureStatus::Draft | ProcedureStatus::InReview => Ok(ProcedureStatus::Released),
        other => Err(format!(
            "only a DRAFT or IN_REVIEW procedure can be released; this one is {other}"
        )),
    }
}

/// RELEASED -> SUPERSEDED, when a later version of the family is released.
pub fn supersede(status: ProcedureStatus) -> Result<ProcedureStatus, String> {
    match status {
        ProcedureStatus::Released => Ok(ProcedureStatus::Superseded),
        other => Err(format!(
            "only a RELEASED procedure can be superseded; this one is {other}"
        )),
    }
}

/// Any state but ARCHIVED -> ARCHIVED.
pub fn archive(status: ProcedureStatus) -> Result<ProcedureStatus, String> {
    match status {
        ProcedureStatus::Archived => Err("the procedure is already ARCHIVED".to_owned()),
        _ => Ok(ProcedureStatus::Archived),
    }
}

/// A run may use only a RELEASED version whose steps are all approved; otherwise the
/// API says "Procedure has unreleased steps".
pub fn can_start_run(status: ProcedureStatus, all_steps_approved: bool) -> bool {
    status == ProcedureStatus::Released && all_steps_approved
}

#[cfg(test)]
mod tests {
    use super::ProcedureStatus::*;
    use super::*;

    #[test]
    fn lifecycle() {
        for &s in ProcedureStatus::ALL {
            assert_eq!(can_edit(s), s == Draft, "{s}");
            assert_eq!(submit_for_review(s).ok(), (s == Draft).then_some(InReview));
            assert_eq!(
                release(s).ok(),
                matches!(s, Draft | InReview).then_some(Released)
            );
            assert_eq!(supersede(s).ok(), (s == Released).then_some(Superseded));
            assert_eq!(archive(s).ok(), (s != Archived).then_some(Archived));
            assert_eq!(can_start_run(s, true), s == Released);
            assert!(!can_start_run(s, false));
        }
        assert!(release(Superseded).unwrap_err().contains("SUPERSEDED"));
    }
}
