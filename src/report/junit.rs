//! JUnit XML, for CI systems that show test reports: one test case per inventory rule
//! (named after its claims), failing with the rule's findings; one per always-on and
//! code check; and, when the inventory does not load, one failing case with every
//! input problem. Suppressed findings do not fail a case; they are listed in its output.

use crate::finding::Finding;
use crate::inventory::model::Rule;
use crate::source::SourceMap;
use std::io::{self, Write};
use std::path::Path;

/// Escapes text for XML content and attribute values. Control characters were already
/// made visible by [`crate::text::sanitize`].
fn escape(text: &str) -> String {
    crate::text::sanitize(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// One test case: its name, class and the findings that decide it.
struct Case<'a> {
    class: &'static str,
    name: String,
    findings: Vec<&'a Finding>,
}

fn line(f: &Finding, sources: &SourceMap, root: Option<&Path>) -> String {
    format!(
        "{}[{}] {}: {}",
        f.severity,
        f.code,
        super::place(f, sources, root),
        f.message
    )
}

pub fn write(
    out: &mut impl Write,
    findings: &[Finding],
    sources: &SourceMap,
    rules: &[Rule],
    input_error: bool,
    root: Option<&Path>,
) -> io::Result<()> {
    let mut cases: Vec<Case> = Vec::new();
    if input_error {
        cases.push(Case {
            class: "ropa.input",
            name: "the inventory loads".to_owned(),
            findings: findings.iter().collect(),
        });
    } else {
        for rule in rules {
            let claims: Vec<&str> = rule.claims.iter().map(|c| c.value.as_str()).collect();
            let name = if claims.is_empty() {
                rule.id.value.clone()
            } else {
                format!("{} (claim {})", rule.id.value, claims.join(", "))
            };
            cases.push(Case {
                class: "ropa.rules",
                name,
                findings: findings
                    .iter()
                    .filter(|f| f.rule.as_deref() == Some(rule.id.value.as_str()))
                    .collect(),
            });
        }
        for code in crate::catalog::ALWAYS_ON_CODES
            .iter()
            .chain(crate::catalog::CODE_CODES)
        {
            cases.push(Case {
                class: "ropa.checks",
                name: (*code).to_owned(),
                findings: findings
                    .iter()
                    .filter(|f| f.rule.is_none() && f.code == *code)
                    .collect(),
            });
        }
    }
    let failing = |c: &Case| c.findings.iter().any(|f| f.suppression.is_none());
    let failures = cases.iter().filter(|c| failing(c)).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="ropa" tests="{}" failures="{failures}">"#,
        cases.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="ropa check" tests="{}" failures="{failures}" errors="0" skipped="0">"#,
        cases.len()
    )?;
    for case in &cases {
        let name = escape(&case.name);
        let (failed, suppressed): (Vec<&&Finding>, Vec<&&Finding>) =
            case.findings.iter().partition(|f| f.suppression.is_none());
        if failed.is_empty() && suppressed.is_empty() {
            writeln!(
                out,
                r#"    <testcase classname="{}" name="{name}"/>"#,
                case.class
            )?;
            continue;
        }
        writeln!(
            out,
            r#"    <testcase classname="{}" name="{name}">"#,
            case.class
        )?;
        if let Some(first) = failed.first() {
            let text: Vec<String> = failed.iter().map(|f| line(f, sources, root)).collect();
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                escape(&first.message),
                first.code,
                escape(&text.join("\n"))
            )?;
        }
        if !suppressed.is_empty() {
            let text: Vec<String> = suppressed
                .iter()
                .map(|f| format!("suppressed: {}", line(f, sources, root)))
                .collect();
            writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape(&text.join("\n"))
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
