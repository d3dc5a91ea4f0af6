//! Who is making a request: resolved from the API key by the HTTP layer, read by every
//! resolver. Every store query is scoped by `organization_id`, and export-controlled rows
//! are hidden from callers who are not cleared.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::domain::permission::{GrantRefusal, Permission, Perms, Rights, check_grant};
use crate::error::{AppError, AppResult, Code};

/// Rows one HTTP request may read, shared by every operation of a batch and counted as the
/// store returns them: a read that passes the static complexity check but fans out over
/// large runs stops at the budget instead of holding the database and memory. The default
/// (`RowBudget::default()`) counts nothing: for work that is not a client's request.
#[derive(Clone, Debug, Default)]
pub struct RowBudget(Option<Arc<(AtomicUsize, usize)>>);

impl RowBudget {
    pub fn new(limit: usize) -> Self {
        RowBudget(Some(Arc::new((AtomicUsize::new(0), limit))))
    }

    /// Counts `n` rows read; `LIMIT_EXCEEDED` once the total passes the budget.
    pub fn take(&self, n: usize) -> AppResult<()> {
        let Some(b) = &self.0 else { return Ok(()) };
        let total = b.0.fetch_add(n, Ordering::Relaxed).saturating_add(n);
        if total <= b.1 {
            return Ok(());
        }
        Err(AppError::new(
            Code::LimitExceeded,
            format!(
                "the request read {total} rows; the budget is {} rows read per request \
                 (TRAVELER_MAX_ROWS_READ): ask for fewer or smaller pages",
                b.1
            ),
        ))
    }
}

#[derive(Clone, Debug)]
pub struct Caller {
    pub organization_id: i64,
    pub user_id: i64,
    pub api_key_id: i64,
    /// What the caller's roles (their own and their teams') hold together.
    pub perms: Perms,
    pub export_control_cleared: bool,
    pub system_admin: bool,
    /// The id of the request being served (`X-Request-Id`), set by the HTTP layer; the
    /// audit log stores it so an event leads to the request's log lines.
    pub request_id: Option<String>,
    /// Rows this request may still read.
    pub rows: RowBudget,
}

impl Caller {
    /// Export-controlled work is for cleared callers only; for others it does not exist,
    /// and they may not create it.
    pub fn require_clearance(&self, field: &'static str) -> AppResult<()> {
        if self.export_control_cleared {
            Ok(())
        } else {
            Err(AppError::new(
                Code::Forbidden,
                "export-controlled work needs export-control clearance",
            )
            .at(&["input", field]))
        }
    }

    /// What this caller may do, for comparing with a user it acts on.
    pub fn rights(&self) -> Rights {
        Rights::of(self.perms, self.export_control_cleared, self.system_admin)
    }

    /// Refuses with `FORBIDDEN` at `["input", field]` unless the caller may give `roles`
    /// (each a name and what it holds; and clearance, when `clearance`): nobody grants what
    /// they do not hold.
    pub fn require_grant(
        &self,
        roles: &[(&str, Perms)],
        clearance: bool,
        field: &'static str,
    ) -> AppResult<()> {
        let perms: Vec<Perms> = roles.iter().map(|r| r.1).collect();
        match check_grant(&self.rights(), &perms, clearance) {
            Ok(()) => Ok(()),
            Err(GrantRefusal::Role(i)) => Err(AppError::new(
                Code::Forbidden,
                format!("role {} grants permissions you do not hold", roles[i].0),
            )
            .at(&["input", field])),
            Err(GrantRefusal::Clearance) => Err(AppError::new(
                Code::Forbidden,
                "only a cleared caller may grant export-control clearance",
            )
            .at(&["input", "exportControlCleared"])),
        }
    }

    /// Refuses with `FORBIDDEN` naming the permission unless one of the caller's roles grants it.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.rights().has(permission) {
            Ok(())
        } else {
            Err(AppError::new(
                Code::Forbidden,
                format!("missing permission {}", permission.as_str()),
            ))
        }
    }
}
