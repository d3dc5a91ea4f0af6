//! Who is making a request: resolved from the API key by the HTTP layer, read by every
//! resolver. Every store query is scoped by `organization_id`, and export-controlled rows
//! are hidden from callers who are not cleared.

use crate::domain::enums::Role;
use crate::domain::permission::{Permission, role_grants};
use crate::error::{AppError, AppResult, Code};

#[derive(Clone, Debug)]
pub struct Caller {
    pub organization_id: i64,
    pub user_id: i64,
    pub api_key_id: i64,
    pub roles: Vec<Role>,
    pub export_control_cleared: bool,
    pub system_admin: bool,
    /// The id of the request being served (`X-Request-Id`), set by the HTTP layer; the
    /// audit log stores it so an event leads to the request's log lines.
    pub request_id: Option<String>,
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

    /// Refuses with `FORBIDDEN` naming the permission unless one of the caller's roles grants it.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        let granted = match permission {
            Permission::ManageOrganizations => self.system_admin,
            p => self.roles.iter().any(|r| role_grants(*r, p)),
        };
        if granted {
            Ok(())
        } else {
            Err(AppError::new(
                Code::Forbidden,
                format!("missing permission {}", permission.as_str()),
            ))
        }
    }
}
