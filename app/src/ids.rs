//! Procore ids as their own types, so a company id is never passed where a project id
//! belongs. On the wire they are plain numbers.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! procore_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The number Procore uses.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

procore_id!(
    /// A Procore company id.
    CompanyId
);
procore_id!(
    /// A Procore project id.
    ProjectId
);
procore_id!(
    /// A Procore user id.
    UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_numbers_on_the_wire() {
        assert_eq!(serde_json::to_string(&CompanyId(42)).unwrap(), "42");
        assert_eq!(
            serde_json::from_str::<ProjectId>("7").unwrap(),
            ProjectId(7)
        );
        assert_eq!(UserId(-3).to_string(), "-3");
        assert_eq!(ProjectId(9).get(), 9);
    }
}
