//! The catalogue of finding codes: every code ropa can report, documented in
//! `docs/rules.md` (one `## code` heading each), which `ropa explain` prints from.

/// docs/rules.md, compiled in so `ropa explain` needs no files at run time.
const RULES_DOC: &str = include_str!("../docs/rules.md");

/// Every finding code, by family.
pub const RULE_KIND_CODES: &[&str] = crate::inventory::decode::RULE_KINDS;
pub const ALWAYS_ON_CODES: &[&str] = &[
    "undeclared-holding",
    "missing-purpose",
    "undeclared-recipient",
    "missing-dpa",
    "holding-purpose",
    "unreachable-node",
    "placeholder",
    "record-incomplete",
];
pub const CODE_CODES: &[&str] = &[
    "undeclared-personal-field",
    "unmapped-personal-struct",
    "undeclared-third-party",
    "personal-data-in-logs",
    "invalid-annotation",
    "skipped-source",
    "unused-exclude",
];
/// Findings about the gate's own configuration: waivers.
pub const GATE_CODES: &[&str] = &["expired-waiver", "unused-waiver"];
pub const INPUT_CODES: &[&str] = &[
    "yaml-syntax",
    "duplicate-key",
    "input-limit",
    "invalid-utf8",
    "empty-file",
    "missing-path",
    "no-inventory",
    "unreadable",
    "unknown-key",
    "wrong-type",
    "missing-key",
    "invalid-value",
    "duplicate-id",
    "unknown-reference",
    "unknown-category",
    "region-cycle",
    "missing-code-root",
    "unmatched-selector",
    "unmatched-pattern",
];

pub fn all_codes() -> impl Iterator<Item = &'static str> {
    RULE_KIND_CODES
        .iter()
        .chain(ALWAYS_ON_CODES)
        .chain(CODE_CODES)
        .chain(GATE_CODES)
        .chain(INPUT_CODES)
        .copied()
}

/// Codes whose findings are warnings unless the inventory's `severity` map or a rule
/// says otherwise; every other code is an error.
const WARNING_CODES: &[&str] = &[
    "unreachable-node",
    "record-incomplete",
    "unmapped-personal-struct",
    "invalid-annotation",
    "skipped-source",
    "unused-exclude",
    "unused-waiver",
];

/// The severity a code's findings have by default.
pub fn default_severity(code: &str) -> crate::finding::Severity {
    if WARNING_CODES.contains(&code) {
        crate::finding::Severity::Warning
    } else {
        crate::finding::Severity::Error
    }
}

/// The documentation section for `code` (heading included), if it exists.
pub fn explain(code: &str) -> Option<&'static str> {
    let heading = format!("## {code}\n");
    let start = RULES_DOC.find(&heading)?;
    let rest = &RULES_DOC[start..];
    let end = rest[heading.len()..]
        .find("\n## ")
        .map_or(rest.len(), |i| i + heading.len() + 1);
    Some(rest[..end].trim_end())
}

/// The first sentence of a code's documentation, for listings.
pub fn summary(code: &str) -> String {
    let Some(section) = explain(code) else {
        return String::new();
    };
    let paragraph: Vec<&str> = section
        .lines()
        .skip(1)
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let text = paragraph.join(" ");
    match text.find(". ") {
        Some(end) => text[..=end].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_documented() {
        for code in all_codes() {
            let section =
                explain(code).unwrap_or_else(|| panic!("docs/rules.md has no `## {code}`"));
            assert!(
                section.lines().count() > 2,
                "{code} is documented in one line"
            );
        }
    }

    #[test]
    fn explain_stops_at_the_next_heading() {
        let section = explain("location").unwrap();
        assert!(!section.contains("## transfer"));
    }
}
