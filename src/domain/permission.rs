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

/// What a user may do: their permissions (from their own and their teams' roles, plus
/// `ManageOrganizations` for a system administrator) and export-control clearance.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Rights {
    /// One bit per [`Permission::ALL`] entry.
    perms: u8,
    pub cleared: bool,
}

impl Rights {
    pub fn of(roles: &[Role], cleared: bool, system_admin: bool) -> Self {
        let mut perms = 0u8;
        for (i, &p) in Permission::ALL.iter().enumerate() {
            let granted = match p {
                Permission::ManageOrganizations => system_admin,
                p => roles_grant(roles, p),
            };
            if granted {
                perms |= 1 << i;
            }
        }
        Rights { perms, cleared }
    }

    /// Whether everything `other` may do, `self` may do too: then acting on `other` (a key
    /// for them, revoking theirs, changing their teams) gains `self` nothing.
    pub fn covers(&self, other: &Rights) -> bool {
        other.perms & !self.perms == 0 && (self.cleared || !other.cleared)
    }
}

/// Why a grant is refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum GrantRefusal {
    /// The role gives a permission the granter does not hold.
    Role(Role),
    /// Export clearance is granted only by a cleared caller.
    Clearance,
}

/// Whether a caller with `granter` rights may give `roles` (and clearance when `clearance`)
/// to a user: nobody gives what they do not hold themselves.
pub fn check_grant(granter: &Rights, roles: &[Role], clearance: bool) -> Result<(), GrantRefusal> {
    if let Some(&r) = roles
        .iter()
        .find(|&&r| !granter.covers(&Rights::of(&[r], false, false)))
    {
        return Err(GrantRefusal::Role(r));
    }
    if clearance && !granter.cleared {
        return Err(GrantRefusal::Clearance);
    }
    Ok(())
}

/// Whether the caller may act on another user's credentials (mint or revoke an API key for
/// them): always for oneself; for someone else only if the caller's rights cover theirs, so
/// a key can never lift its holder above the one who minted it.
pub fn may_act_on_user(caller: &Rights, same_user: bool, target: &Rights) -> bool {
    same_user || caller.covers(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    fn role() -> impl Strategy<Value = Role> {
        proptest::sample::select(Role::ALL.to_vec())
    }

    fn rights() -> impl Strategy<Value = (Vec<Role>, bool, bool)> {
        (
            proptest::collection::vec(role(), 0..4),
            any::<bool>(),
            any::<bool>(),
        )
    }

    #[test]
    fn escalations_refused() {
        let org_admin = Rights::of(&[Role::Admin], false, false);
        let sysadmin = Rights::of(&[Role::Admin], true, true);
        // An org admin cannot take over a system administrator's identity...
        assert!(!may_act_on_user(&org_admin, false, &sysadmin));
        assert!(may_act_on_user(&sysadmin, false, &org_admin));
        // ...nor clear anyone (itself included) without being cleared.
        assert_eq!(
            check_grant(&org_admin, &[Role::Viewer], true),
            Err(GrantRefusal::Clearance)
        );
        let planner = Rights::of(&[Role::Planner], true, false);
        assert_eq!(
            check_grant(&planner, &[Role::Operator], false),
            Err(GrantRefusal::Role(Role::Operator))
        );
        assert_eq!(check_grant(&org_admin, Role::ALL, false), Ok(()));
    }

    proptest! {
        /// Whoever acts on a user, or grants roles, already holds every permission and the
        /// clearance that results: no sequence of grants and keys raises anyone.
        #[test]
        fn no_grant_raises_the_granter((gr, gc, gs) in rights(), (tr, tc, ts) in rights()) {
            let granter = Rights::of(&gr, gc, gs);
            let target = Rights::of(&tr, tc, ts);
            if may_act_on_user(&granter, false, &target) {
                for &p in Permission::ALL {
                    let target_has = match p {
                        Permission::ManageOrganizations => ts,
                        p => roles_grant(&tr, p),
                    };
                    let granter_has = match p {
                        Permission::ManageOrganizations => gs,
                        p => roles_grant(&gr, p),
                    };
                    prop_assert!(!target_has || granter_has);
                }
                prop_assert!(!tc || gc);
            }
            if check_grant(&granter, &tr, tc).is_ok() {
                let after = Rights::of(&tr, tc, false);
                prop_assert!(granter.covers(&after));
            }
            // Covering is a preorder: reflexive and transitive.
            prop_assert!(granter.covers(&granter));
            let mid = Rights::of(&gr, gc && tc, false);
            if target.covers(&granter) && granter.covers(&mid) {
                prop_assert!(target.covers(&mid));
            }
        }

        /// Oneself is always allowed; a system administrator who is cleared may act on anyone.
        #[test]
        fn self_and_system_admin((r, c, s) in rights(), (tr, tc, ts) in rights()) {
            let me = Rights::of(&r, c, s);
            prop_assert!(may_act_on_user(&me, true, &me));
            let root = Rights::of(&[Role::Admin], true, true);
            prop_assert!(may_act_on_user(&root, false, &Rights::of(&tr, tc, ts)));
        }
    }
}
