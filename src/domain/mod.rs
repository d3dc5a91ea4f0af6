//! Pure domain rules of Traveler: no database, no HTTP, no async.
//!
//! Everything here is plain functions and types so that the rules can be unit- and
//! property-tested on their own; the GraphQL and storage layers call into it.

/// Gives a fieldless enum `ALL`, `as_str` (the UPPER_CASE GraphQL name, also what the
/// database stores), `parse` and `Display`, from one list so the three cannot drift apart.
macro_rules! str_enum {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The name stored in the database: for all but `Permission` also the GraphQL
            /// name (UPPER_CASE); a permission's is also the one of FORBIDDEN messages.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// Inverse of [`Self::as_str`]; `None` for anything else (exact match).
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Declares the contract's enums (`Copy`, `Eq`, `Hash`, and `str_enum!`) from their lists:
/// each enum with its description, each variant with its description and stored name. A
/// module hands its list (`enums::catalog_enums!`, `status::status_enums!`,
/// `permission::permission_enum!`) to this macro, and `graphql::enums` hands the same lists
/// to its own, so the GraphQL enums are declared from them and cannot drift.
macro_rules! contract_enums {
    ($($(#[$m:meta])* $ty:ident { $($(#[$vm:meta])* $v:ident => $name:literal),+ $(,)? })+) => {$(
        $(#[$m])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $ty {
            $($(#[$vm])* $v),+
        }
        str_enum!($ty { $($v => $name),+ });
    )+};
}

pub mod availability;
pub mod enums;
pub mod field_value;
pub mod graph;
pub mod numbering;
pub mod part;
pub mod permission;
pub mod procedure;
pub mod run_action;
pub mod schedule;
pub mod status;
pub mod transition;

pub use enums::{
    AttributeEntity, AttributeType, FieldType, PartInventoryStatus, PartStatus, ProcedureStatus,
    ProcedureType, RunSource, TrackingType,
};
pub use permission::Permission;
pub use status::{RunStatus, RunStepStatus};
pub use transition::{StepContext, Transition, TransitionError};

#[cfg(test)]
mod tests {
    use super::*;

    /// `parse` inverts `as_str` (the stored value), and `Display` prints it.
    macro_rules! assert_round_trip {
        ($($(#[$m:meta])* $ty:ident { $($(#[$vm:meta])* $v:ident => $name:literal),+ $(,)? })+) => {$(
            for v in $ty::ALL {
                assert_eq!($ty::parse(v.as_str()), Some(*v));
                assert_eq!(v.to_string(), v.as_str());
            }
            assert_eq!($ty::parse("no such value"), None);
        )+};
    }

    #[test]
    fn stored_names_round_trip() {
        enums::catalog_enums!(assert_round_trip);
        status::status_enums!(assert_round_trip);
        permission::permission_enum!(assert_round_trip);
    }
}
