//! Serial and lot numbering schemes, and auto-generated run and batch names.
//!
//! A scheme is a template: `{PART}` part number, `{REV}` revision, `{SEQ}` or `{SEQ:n}`
//! the per-part sequence number (zero-padded to n digits), `{YYYY}` `{YY}` `{MM}` `{DD}`
//! from the date given. Everything else is literal text. Picking the sequence number
//! (unique, never repeating, skipping hand-typed serials) is the storage layer's job.

use chrono::{Datelike, NaiveDate};

/// Default serial scheme, e.g. `BRKT-001-00001`.
pub const DEFAULT_SERIAL_SCHEME: &str = "{PART}-{SEQ:5}";
/// Default lot scheme, e.g. `LOT-BRKT-001-0001`.
pub const DEFAULT_LOT_SCHEME: &str = "LOT-{PART}-{SEQ:4}";

/// Widest `{SEQ:n}` allowed: 12 digits is more than any factory will number.
const MAX_SEQ_WIDTH: usize = 12;

/// What a scheme is rendered with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchemeVars<'a> {
    pub part_number: &'a str,
    pub revision: &'a str,
    pub date: NaiveDate,
}

#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Lit(&'a str),
    Part,
    Rev,
    Seq(Option<usize>),
    Year4,
    Year2,
    Month,
    Day,
}

/// Splits a scheme into pieces. Bad pieces become literal text plus an error, so
/// `render` never fails and `validate_scheme` can report every problem at once.
fn tokenize(scheme: &str) -> (Vec<Piece<'_>>, Vec<String>) {
    let (mut pieces, mut errors) = (Vec::new(), Vec::new());
    let mut rest = scheme;
    while !rest.is_empty() {
        let Some(i) = rest.find(['{', '}']) else {
            pieces.push(Piece::Lit(rest));
            break;
        };
        if i > 0 {
            pieces.push(Piece::Lit(&rest[..i]));
        }
        rest = &rest[i..];
        if rest.starts_with('}') {
            errors.push("unbalanced '}' in scheme".to_owned());
            pieces.push(Piece::Lit("}"));
            rest = &rest[1..];
            continue;
        }
        // rest starts with '{': the placeholder ends at the next '}', with no '{' before it.
        match rest[1..].find(['{', '}']) {
            Some(j) if rest.as_bytes()[j + 1] == b'}' => {
                let whole = &rest[..j + 2];
                let name = &rest[1..j + 1];
                pieces.push(placeholder(name).unwrap_or_else(|e| {
                    errors.push(e);
                    Piece::Lit(whole)
                }));
                rest = &rest[j + 2..];
            }
            _ => {
                errors.push("unbalanced '{' in scheme".to_owned());
                pieces.push(Piece::Lit("{"));
                rest = &rest[1..];
            }
        }
    }
    (pieces, errors)
}

fn placeholder(name: &str) -> Result<Piece<'static>, String> {
    Ok(match name {
        "PART" => Piece::Part,
        "REV" => Piece::Rev,
        "SEQ" => Piece::Seq(None),
        "YYYY" => Piece::Year4,
        "YY" => Piece::Year2,
        "MM" => Piece::Month,
        "DD" => Piece::Day,
        _ => match name.strip_prefix("SEQ:") {
            Some(n) => {
                let width = (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| n.parse::<usize>().ok())
                    .flatten()
                    .filter(|w| (1..=MAX_SEQ_WIDTH).contains(w));
                Piece::Seq(Some(width.ok_or_else(|| {
                    format!("{{SEQ:{n}}}: the width must be a number from 1 to {MAX_SEQ_WIDTH}")
                })?))
            }
            None => {
                return Err(format!(
                    "unknown placeholder {{{name}}}; use {{PART}}, {{REV}}, {{SEQ}}, {{SEQ:n}}, \
                     {{YYYY}}, {{YY}}, {{MM}} or {{DD}}"
                ));
            }
        },
    })
}

/// Longest serial or lot scheme, in characters.
pub const MAX_SCHEME_LEN: usize = 100;

/// Accepts a scheme of at most [`MAX_SCHEME_LEN`] characters with exactly one `{SEQ}`/`{SEQ:n}` (n from 1 to 12), only known
/// placeholders and balanced braces; the error lists every problem found.
pub fn validate_scheme(scheme: &str) -> Result<(), String> {
    let n = scheme.chars().count();
    if n > MAX_SCHEME_LEN {
        // Serials are indexed: a long scheme makes numbers no index row can hold.
        return Err(format!(
            "a scheme is at most {MAX_SCHEME_LEN} characters, not {n}"
        ));
    }
    let (pieces, mut errors) = tokenize(scheme);
    let seqs = pieces.iter().filter(|p| matches!(p, Piece::Seq(_))).count();
    if seqs != 1 {
        // Without exactly one sequence, numbers would repeat or be ambiguous.
        errors.push(format!(
            "a scheme needs exactly one {{SEQ}} or {{SEQ:n}}, found {seqs}"
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// Renders a scheme (meant to have passed [`validate_scheme`]; bad pieces come out
/// literally). A sequence wider than its padding is written in full, never cut.
pub fn render(scheme: &str, vars: &SchemeVars<'_>, seq: i64) -> String {
    let mut out = String::with_capacity(scheme.len() + 16);
    for piece in tokenize(scheme).0 {
        match piece {
            Piece::Lit(s) => out.push_str(s),
            Piece::Part => out.push_str(vars.part_number),
            Piece::Rev => out.push_str(vars.revision),
            Piece::Seq(None) => out.push_str(&seq.to_string()),
            Piece::Seq(Some(w)) => out.push_str(&format!("{seq:0w$}")),
            Piece::Year4 => out.push_str(&format!("{:04}", vars.date.year())),
            Piece::Year2 => out.push_str(&format!("{:02}", vars.date.year().rem_euclid(100))),
            Piece::Month => out.push_str(&format!("{:02}", vars.date.month())),
            Piece::Day => out.push_str(&format!("{:02}", vars.date.day())),
        }
    }
    out
}

/// Auto-generated run name naming the run and the part, e.g.
/// `RUN-000042 BRKT-001 rev A SN BRKT-001-00001`; `identity` is `("SN", serial)` or
/// `("LOT", lot)`.
pub fn run_title(
    number: i64,
    part_number: &str,
    revision: &str,
    identity: Option<(&str, &str)>,
) -> String {
    let mut title = format!("RUN-{number:06} {part_number} rev {revision}");
    if let Some((kind, value)) = identity {
        title.push_str(&format!(" {kind} {value}"));
    }
    title
}

/// Auto-generated batch name, e.g. `BATCH-000007 BRKT-001 rev A x100`.
pub fn batch_title(number: i64, part_number: &str, revision: &str, count: usize) -> String {
    format!("BATCH-{number:06} {part_number} rev {revision} x{count}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vars() -> SchemeVars<'static> {
        SchemeVars {
            part_number: "BRKT-001",
            revision: "A",
            date: NaiveDate::from_ymd_opt(2026, 3, 7).unwrap(),
        }
    }

    #[test]
    fn defaults() {
        assert_eq!(validate_scheme(DEFAULT_SERIAL_SCHEME), Ok(()));
        assert_eq!(validate_scheme(DEFAULT_LOT_SCHEME), Ok(()));
        assert_eq!(render(DEFAULT_SERIAL_SCHEME, &vars(), 1), "BRKT-001-00001");
        assert_eq!(render(DEFAULT_LOT_SCHEME, &vars(), 12), "LOT-BRKT-001-0012");
    }

    #[test]
    fn every_placeholder() {
        let s = "{PART}/{REV}/{YYYY}{MM}{DD}/{YY}-{SEQ}";
        assert_eq!(validate_scheme(s), Ok(()));
        assert_eq!(render(s, &vars(), 42), "BRKT-001/A/20260307/26-42");
        assert_eq!(render("SN{SEQ:3}", &vars(), 123456), "SN123456");
        assert_eq!(render("{SEQ:12}", &vars(), 7), "000000000007");
    }

    #[test]
    fn refused_schemes() {
        for bad in [
            "",
            "{PART}",
            "{SEQ}{SEQ:2}",
            "{PART}-{SEQ:0}",
            "{PART}-{SEQ:13}",
            "{SEQ:}",
            "{SEQ:x}",
            "{SEQ:-1}",
            "{FOO}-{SEQ}",
            "{part}-{SEQ}",
            "{PART-{SEQ}",
            "{PART}}-{SEQ}",
            "{SEQ}{",
            "}{SEQ}",
            "{{SEQ}}",
        ] {
            assert!(validate_scheme(bad).is_err(), "{bad:?} should be refused");
        }
        let e = validate_scheme("{FOO}-{BAR}").unwrap_err();
        assert!(e.contains("{FOO}") && e.contains("{BAR}") && e.contains("found 0"));
    }

    #[test]
    fn invalid_pieces_render_literally() {
        assert_eq!(render("{FOO}-{SEQ:2}{", &vars(), 3), "{FOO}-03{");
    }

    #[test]
    fn titles() {
        assert_eq!(
            run_title(42, "BRKT-001", "A", Some(("SN", "BRKT-001-00001"))),
            "RUN-000042 BRKT-001 rev A SN BRKT-001-00001"
        );
        assert_eq!(
            run_title(42, "BRKT-001", "A", Some(("LOT", "LOT-BRKT-001-0001"))),
            "RUN-000042 BRKT-001 rev A LOT LOT-BRKT-001-0001"
        );
        assert_eq!(run_title(1234567, "P", "B", None), "RUN-1234567 P rev B");
        assert_eq!(
            batch_title(7, "BRKT-001", "A", 100),
            "BATCH-000007 BRKT-001 rev A x100"
        );
    }

    proptest! {
        #[test]
        fn distinct_sequences_render_distinct(a in 1i64..10_000_000, b in 1i64..10_000_000, w in 1usize..=12) {
            let scheme = format!("{{PART}}-{{SEQ:{w}}}");
            prop_assert_eq!(validate_scheme(&scheme), Ok(()));
            prop_assert_eq!(a == b, render(&scheme, &vars(), a) == render(&scheme, &vars(), b));
        }

        #[test]
        fn literal_text_round_trips(lit in "[A-Za-z0-9 ._/-]{0,20}", seq in 0i64..1000) {
            let scheme = format!("{lit}{{SEQ}}");
            prop_assert_eq!(validate_scheme(&scheme), Ok(()));
            prop_assert_eq!(render(&scheme, &vars(), seq), format!("{lit}{seq}"));
        }

        #[test]
        fn long_schemes_are_refused(lit in "[A-Z]{100,300}") {
            let scheme = format!("{lit}{{SEQ}}");
            prop_assert!(validate_scheme(&scheme).is_err());
        }

        #[test]
        fn render_never_panics(s in ".{0,40}", seq in any::<i64>()) {
            let _ = validate_scheme(&s);
            let _ = render(&s, &vars(), seq);
        }
    }
}
