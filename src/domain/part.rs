//! Rules of a part's own fields (ION's `Part.partType`, `Part.status`).

use super::PartStatus;

/// The longest part type, in characters: a category name, not a description.
pub const PART_TYPE_MAX: usize = 100;

/// A part type as stored: trimmed; empty is none (clears it). ION lists no fixed set of
/// part types, so it is free text within [`PART_TYPE_MAX`] characters.
pub fn part_type(raw: &str) -> Result<Option<String>, String> {
    let t = raw.trim();
    if t.chars().count() > PART_TYPE_MAX {
        return Err(format!(
            "`partType` is at most {PART_TYPE_MAX} characters; this one has {}",
            t.chars().count()
        ));
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
}

/// Whether a new unit or lot of a part in `status` may be made (createPartInventory, or a
/// run that builds a new unit). ION: archiving a part "will prevent any new inventory of
/// that part from being created. Existing inventory will remain unaffected", so runs on
/// existing units are not asked.
pub fn new_inventory(status: PartStatus, number: &str, revision: &str) -> Result<(), String> {
    match status {
        PartStatus::Released => Ok(()),
        PartStatus::Archived => Err(format!(
            "part {number} rev {revision} is ARCHIVED: no new inventory of it can be made"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert_eq!(part_type("  Assembly "), Ok(Some("Assembly".into())));
        assert_eq!(part_type("   "), Ok(None));
        assert!(part_type(&"x".repeat(PART_TYPE_MAX + 1)).is_err());
    }

    /// Every status, and whether it takes new inventory.
    #[test]
    fn new_inventory_by_status() {
        for &s in PartStatus::ALL {
            let expected = match s {
                PartStatus::Released => true,
                PartStatus::Archived => false,
            };
            assert_eq!(new_inventory(s, "P", "A").is_ok(), expected, "{s}");
        }
        let msg = new_inventory(PartStatus::Archived, "BRKT", "B").unwrap_err();
        assert!(
            msg.contains("BRKT rev B") && msg.contains("ARCHIVED"),
            "{msg}"
        );
    }

    proptest! {
        /// What is kept is trimmed, non-empty and within the limit; nothing else is refused.
        #[test]
        fn kept_is_trimmed_and_bounded(raw in "\\PC{0,120}") {
            match part_type(&raw) {
                Ok(Some(t)) => {
                    prop_assert_eq!(t.trim(), t.as_str());
                    prop_assert!(!t.is_empty() && t.chars().count() <= PART_TYPE_MAX);
                }
                Ok(None) => prop_assert!(raw.trim().is_empty()),
                Err(_) => prop_assert!(raw.trim().chars().count() > PART_TYPE_MAX),
            }
        }
    }
}
