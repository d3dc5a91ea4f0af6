//! Permissions, the roles every organization starts with, and the rule that nobody grants
//! or acts beyond what they hold. Roles themselves are rows (`store::roles`): named sets of
//! these permissions.

/// The permissions (`contract_enums!`), handed to `$m!`. A permission's stored name is
/// also the one FORBIDDEN messages use, e.g. `catalog:write`.
macro_rules! permission_enum {
    ($m:ident) => {
        $m! {
            /// What a role lets its holders do (`createRole`, `Role.permissions`).
            Permission {
                /// Read everything in the organization (export-controlled work needs clearance too).
                ReadAll => "read",
                /// Create and change parts, procedures, steps, fields and attributes.
                ManageCatalog => "catalog:write",
                /// Create and update runs and batches.
                ManageRuns => "runs:write",
                /// Change step statuses and field values.
                WorkRunSteps => "steps:work",
                /// Redline run steps (add steps and fields to running runs).
                Redline => "steps:redline",
                /// Create users, teams, roles and API keys.
                ManageUsers => "users:write",
                /// Create organizations: system administrators only; no role can hold it.
                ManageOrganizations => "organizations:write",
            }
        }
    };
}
pub(crate) use permission_enum;
permission_enum!(contract_enums);

/// A set of permissions: what a role holds, or the union of a user's roles.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Perms(u8);

impl Perms {
    /// Whether `p` is in the set.
    pub fn contains(self, p: Permission) -> bool {
        self.0 & bit(p) != 0
    }

    /// Both sets together.
    pub fn union(self, other: Perms) -> Perms {
        Perms(self.0 | other.0)
    }

    /// Whether every permission of `other` is in `self`.
    pub fn covers(self, other: Perms) -> bool {
        other.0 & !self.0 == 0
    }

    /// The set without `p`.
    pub fn without(self, p: Permission) -> Perms {
        Perms(self.0 & !bit(p))
    }

    /// The permissions in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(move |&p| self.contains(p))
    }

    /// The stored form: names joined by commas (`read,steps:work`).
    pub fn encode(self) -> String {
        self.iter()
            .map(Permission::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Inverse of [`Self::encode`]; `Err` with the first unknown name.
    pub fn decode(s: &str) -> Result<Perms, &str> {
        s.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| Permission::parse(n).ok_or(n))
            .collect()
    }
}

impl FromIterator<Permission> for Perms {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Perms(iter.into_iter().fold(0, |acc, p| acc | bit(p)))
    }
}

fn bit(p: Permission) -> u8 {
    let i = Permission::ALL.iter().position(|&q| q == p).unwrap_or(0);
    1 << i
}

/// The roles every organization starts with, holding what Traveler's fixed roles held
/// before roles were objects, so that behaviour is unchanged until someone edits them.
pub const BUILTIN_ROLES: &[(&str, &[Permission])] = {
    use Permission::*;
    &[
        (
            "ADMIN",
            &[
                ReadAll,
                ManageCatalog,
                ManageRuns,
                WorkRunSteps,
                Redline,
                ManageUsers,
            ],
        ),
        ("ENGINEER", &[ReadAll, ManageCatalog, WorkRunSteps, Redline]),
        ("PLANNER", &[ReadAll, ManageRuns]),
        ("OPERATOR", &[ReadAll, WorkRunSteps]),
        ("VIEWER", &[ReadAll]),
    ]
};

/// The roles a new user gets when `createUser` names none: all five built-ins, as the API
/// contract says (the caller must still hold everything they give).
pub const DEFAULT_ROLES: &[&str] = &["ADMIN", "ENGINEER", "PLANNER", "OPERATOR", "VIEWER"];

/// Whether a role may hold `p`: creating organizations belongs to system administrators
/// (a flag on the user, set only at bootstrap), never to a role an admin can hand out.
pub fn role_may_hold(p: Permission) -> bool {
    p != Permission::ManageOrganizations
}

/// What a user may do: their permissions (from their own and their teams' roles, plus
/// `ManageOrganizations` for a system administrator) and export-control clearance.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Rights {
    perms: Perms,
    pub cleared: bool,
}

impl Rights {
    /// `roles` is the union of the user's roles; a role never carries `ManageOrganizations`
    /// into it, only `system_admin` does.
    pub fn of(roles: Perms, cleared: bool, system_admin: bool) -> Self {
        let mut perms = roles.without(Permission::ManageOrganizations);
        if system_admin {
            perms = perms.union([Permission::ManageOrganizations].into_iter().collect());
        }
        Rights { perms, cleared }
    }

    /// Whether these rights include `p`.
    pub fn has(&self, p: Permission) -> bool {
        self.perms.contains(p)
    }

    /// Whether everything `other` may do, `self` may do too: then acting on `other` (a key
    /// for them, revoking theirs, changing their teams) gains `self` nothing.
    pub fn covers(&self, other: &Rights) -> bool {
        self.perms.covers(other.perms) && (self.cleared || !other.cleared)
    }
}

/// Why a grant is refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum GrantRefusal {
    /// The role at this index gives a permission the granter does not hold.
    Role(usize),
    /// Export clearance is granted only by a cleared caller.
    Clearance,
}

/// Whether a caller with `granter` rights may give roles holding `roles` (and clearance
/// when `clearance`), or shape a role into one of them: nobody gives what they do not hold.
pub fn check_grant(granter: &Rights, roles: &[Perms], clearance: bool) -> Result<(), GrantRefusal> {
    if let Some(i) = roles.iter().position(|&r| !granter.perms.covers(r)) {
        return Err(GrantRefusal::Role(i));
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

    fn builtin(name: &str) -> Perms {
        let (_, ps) = BUILTIN_ROLES.iter().find(|(n, _)| *n == name).unwrap();
        ps.iter().copied().collect()
    }

    #[test]
    fn builtin_table() {
        // Columns: ReadAll, ManageCatalog, ManageRuns, WorkRunSteps, Redline, ManageUsers,
        // ManageOrganizations: what the fixed roles granted before roles were objects.
        let table: [(&str, [bool; 7]); 5] = [
            ("ADMIN", [true, true, true, true, true, true, false]),
            ("ENGINEER", [true, true, false, true, true, false, false]),
            ("PLANNER", [true, false, true, false, false, false, false]),
            ("OPERATOR", [true, false, false, true, false, false, false]),
            ("VIEWER", [true, false, false, false, false, false, false]),
        ];
        assert_eq!(table.len(), BUILTIN_ROLES.len());
        for (role, row) in table {
            for (&p, &granted) in Permission::ALL.iter().zip(row.iter()) {
                assert_eq!(builtin(role).contains(p), granted, "{role} {p}");
            }
        }
        for d in DEFAULT_ROLES {
            assert!(BUILTIN_ROLES.iter().any(|(n, _)| n == d), "{d}");
        }
    }

    #[test]
    fn names_round_trip() {
        for &p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert_eq!(Permission::ManageCatalog.as_str(), "catalog:write");
        let planner = builtin("PLANNER");
        assert_eq!(planner.encode(), "read,runs:write");
        assert_eq!(Perms::decode("read, runs:write"), Ok(planner));
        assert_eq!(Perms::decode(""), Ok(Perms::default()));
        assert_eq!(Perms::decode("read,fly"), Err("fly"));
    }

    fn perms() -> impl Strategy<Value = Perms> {
        proptest::collection::vec(proptest::sample::select(Permission::ALL.to_vec()), 0..5)
            .prop_map(|v| v.into_iter().collect())
    }

    fn rights() -> impl Strategy<Value = (Perms, bool, bool)> {
        (perms(), any::<bool>(), any::<bool>())
    }

    #[test]
    fn escalations_refused() {
        let admin = builtin("ADMIN");
        let org_admin = Rights::of(admin, false, false);
        let sysadmin = Rights::of(admin, true, true);
        // An org admin cannot take over a system administrator's identity...
        assert!(!may_act_on_user(&org_admin, false, &sysadmin));
        assert!(may_act_on_user(&sysadmin, false, &org_admin));
        // ...nor clear anyone (itself included) without being cleared.
        assert_eq!(
            check_grant(&org_admin, &[builtin("VIEWER")], true),
            Err(GrantRefusal::Clearance)
        );
        let planner = Rights::of(builtin("PLANNER"), true, false);
        let roles = [builtin("VIEWER"), builtin("OPERATOR")];
        assert_eq!(
            check_grant(&planner, &roles, false),
            Err(GrantRefusal::Role(1))
        );
        let all: Vec<Perms> = BUILTIN_ROLES.iter().map(|(n, _)| builtin(n)).collect();
        assert_eq!(check_grant(&org_admin, &all, false), Ok(()));
        // A role holding organizations:write gives nothing of it.
        let forged: Perms = Permission::ALL.iter().copied().collect();
        assert!(!Rights::of(forged, true, false).has(Permission::ManageOrganizations));
    }

    proptest! {
        /// Whoever acts on a user, or grants roles, already holds every permission and the
        /// clearance that results: no sequence of grants and keys raises anyone.
        #[test]
        fn no_grant_raises_the_granter((gr, gc, gs) in rights(), (tr, tc, ts) in rights()) {
            let granter = Rights::of(gr, gc, gs);
            let target = Rights::of(tr, tc, ts);
            if may_act_on_user(&granter, false, &target) {
                for &p in Permission::ALL {
                    prop_assert!(!target.has(p) || granter.has(p));
                }
                prop_assert!(!tc || gc);
            }
            if check_grant(&granter, &[tr], tc).is_ok() {
                let after = Rights::of(tr, tc, false);
                prop_assert!(granter.covers(&after));
            }
            // Covering is a preorder: reflexive and transitive.
            prop_assert!(granter.covers(&granter));
            let mid = Rights::of(gr, gc && tc, false);
            if target.covers(&granter) && granter.covers(&mid) {
                prop_assert!(target.covers(&mid));
            }
        }

        /// Oneself is always allowed; a system administrator who is cleared may act on anyone.
        #[test]
        fn self_and_system_admin((r, c, s) in rights(), (tr, tc, ts) in rights()) {
            let me = Rights::of(r, c, s);
            prop_assert!(may_act_on_user(&me, true, &me));
            let root = Rights::of(builtin("ADMIN"), true, true);
            prop_assert!(may_act_on_user(&root, false, &Rights::of(tr, tc, ts)));
        }

        /// The stored form round-trips every set.
        #[test]
        fn encode_round_trips(p in perms()) {
            let stored = p.encode();
            prop_assert_eq!(Perms::decode(&stored), Ok(p));
        }
    }
}
