//! The contract's enums as GraphQL sees them. Each mirrors a domain enum: it is declared
//! from the domain's own list (`domain::contract_enums!`), with the same variants and
//! descriptions (the SDL's), and `From` both ways, so the two cannot drift.

/// Declares the GraphQL enums mirroring the domain's, from the domain's lists.
macro_rules! mirror {
    ($($(#[$m:meta])* $ty:ident { $($(#[$vm:meta])* $v:ident => $stored:literal),+ $(,)? })+) => {$(
        $(#[$m])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $ty {
            $($(#[$vm])* $v),+
        }

        impl From<$ty> for $crate::domain::$ty {
            fn from(v: $ty) -> Self {
                match v {
                    $($ty::$v => Self::$v),+
                }
            }
        }

        impl From<$crate::domain::$ty> for $ty {
            fn from(v: $crate::domain::$ty) -> Self {
                match v {
                    $($crate::domain::$ty::$v => Self::$v),+
                }
            }
        }
    )+};
}

crate::domain::enums::catalog_enums!(mirror);
crate::domain::status::status_enums!(mirror);
crate::domain::permission::permission_enum!(mirror);

/// A list of GraphQL enum values as their domain values (or the other way).
pub fn all_into<A: Into<B>, B>(v: Vec<A>) -> Vec<B> {
    v.into_iter().map(Into::into).collect()
}

#[cfg(test)]
mod tests {
    use crate::domain;

    /// The GraphQL name of each value must equal the domain's `as_str` (the stored value),
    /// and the conversion must round-trip.
    macro_rules! assert_names {
        ($($(#[$m:meta])* $ty:ident { $($(#[$vm:meta])* $v:ident => $stored:literal),+ $(,)? })+) => {$(
            for v in domain::$ty::ALL {
                let g: super::$ty = (*v).into();
                assert_eq!(
                    async_graphql::InputType::to_value(&g),
                    async_graphql::Value::Enum(async_graphql::Name::new(v.as_str())),
                    "{} GraphQL name",
                    stringify!($ty)
                );
                assert_eq!(domain::$ty::from(g), *v);
            }
        )+};
    }

    /// Every enum but `Permission`, whose stored names are its own (`catalog:write`).
    #[test]
    fn graphql_names_match_stored_names() {
        domain::enums::catalog_enums!(assert_names);
        domain::status::status_enums!(assert_names);
    }
}
