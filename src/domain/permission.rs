//! What each role may do.

use super::enums::Role;

/// A capability checked before an operation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read anything in the organization (export control is checked separately).
    ReadAll,
    /// Create and change parts, procedures, steps, fields, attributes.
    ManageCatalog,
    /// Create and update runs and batches.
    ManageRuns,
    /// Change step statuses and field values.
    WorkRunSteps,
    /// Redline run steps.
    Redline,
    /// Create users, teams and API keys.
    ManageUsers,
    /// Create and change organizations: system administrators only, checked elsewhere.
    ManageOrganizations,
}

impl Permission {
    /// Every permission, in declaration order.
    pub const ALL: &'static [Permission] = &[
        Self::ReadAll,
        Self::ManageCatalog,
        Self::ManageRuns,
        Self::WorkRunSteps,
        Self::Redline,
        Self::ManageUsers,
        Self::ManageOrganizations,
    ];

    /// The name used in FORBIDDEN messages, e.g. `catalog:write`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadAll => "read",
            Self::ManageCatalog => "catalog:write",
            Self::ManageRuns => "runs:write",
            Self::WorkRunSteps => "steps:work",
            Self::Redline => "steps:redline",
            Self::ManageUsers => "users:write",
            Self::ManageOrganizations => "organizations:write",
        }
    }

    /// Inverse of [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == s)
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `role` grants `p`.
pub fn role_grants(role: Role, p: Permission) -> bool {
    use Permission::*;
    match role {
        // Organizations are a system administrator's business, not an org admin's.
        Role::Admin => p != ManageOrganizations,
        Role::Engineer => matches!(p, ReadAll | ManageCatalog | Redline | WorkRunSteps),
        Role::Planner => matches!(p, ReadAll | ManageRuns),
        Role::Operator => matches!(p, ReadAll | WorkRunSteps),
        Role::Viewer => p == ReadAll,
    }
}

/// Whether any of `roles` grants `p`.
pub fn roles_grant(roles: &[Role], p: Permission) -> bool {
    roles.iter().any(|&r| role_grants(r, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        // Columns: ReadAll, ManageCatalog, ManageRuns, WorkRunSteps, Redline, ManageUsers,
        // ManageOrganizations.
        let table: [(Role, [bool; 7]); 5] = [
            (Role::Admin, [true, true, true, true, true, true, false]),
            (
                Role::Engineer,
                [true, true, false, true, true, false, false],
            ),
            (
                Role::Planner,
                [true, false, true, false, false, false, false],
            ),
            (
                Role::Operator,
                [true, false, false, true, false, false, false],
            ),
            (
                Role::Viewer,
                [true, false, false, false, false, false, false],
            ),
        ];
        assert_eq!(table.len(), Role::ALL.len());
        for (role, row) in table {
            for (&p, &granted) in Permission::ALL.iter().zip(row.iter()) {
                assert_eq!(role_grants(role, p), granted, "{role} {p}");
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for &p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert_eq!(Permission::ManageCatalog.as_str(), "catalog:write");
        assert!(roles_grant(
            &[Role::Viewer, Role::Planner],
            Permission::ManageRuns
        ));
        assert!(!roles_grant(&[], Permission::ReadAll));
    }
}
