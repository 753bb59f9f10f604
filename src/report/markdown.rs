//! Markdown for a pull-request comment or a CI job summary: a headline with the counts,
//! the broken promises first (one row per rule with its claims), then every finding in
//! a collapsible block with where it is, the path that carried the data and how to fix
//! it; suppressed findings are counted and listed last.

use super::Summary;
use crate::finding::{Finding, Suppression};
use crate::source::SourceMap;
use std::fmt::Write as _;
use std::path::Path;

/// Escapes text from the input for Markdown: HTML-significant characters, and `|` so
/// that a table cell stays one cell.
fn escape(text: &str) -> String {
    crate::text::sanitize(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

fn details(out: &mut String, f: &Finding, sources: &SourceMap, root: Option<&Path>) {
    let _ = writeln!(
        out,
        "<details><summary><b>{}[{}]</b> <code>{}</code>: {}</summary>\n",
        f.severity,
        f.code,
        escape(&super::place(f, sources, root)),
        escape(&f.message)
    );
    if let Some(rule) = &f.rule {
        let claims = if f.claims.is_empty() {
            String::new()
        } else {
            format!(", claim {}", escape(&f.claims.join(", ")))
        };
        let promise = f
            .promise
            .as_ref()
            .map(|p| format!(": {}", escape(p)))
            .unwrap_or_default();
        let _ = writeln!(out, "- rule `{}`{claims}{promise}", escape(rule));
    }
    if !f.path.is_empty() {
        let hops: Vec<String> = f
            .path
            .iter()
            .map(|h| format!("`{}`", escape(&h.node)))
            .collect();
        let _ = writeln!(out, "- path: {}", hops.join(" → "));
    }
    if let Some(help) = &f.help {
        let _ = writeln!(out, "- help: {}", escape(help).replace('\n', "<br>"));
    }
    let _ = writeln!(out, "- fingerprint: `{}`\n\n</details>\n", f.fingerprint);
}

/// The report as Markdown.
pub fn render(
    findings: &[Finding],
    sources: &SourceMap,
    input_error: bool,
    root: Option<&Path>,
) -> String {
    let (active, suppressed): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.suppression.is_none());
    let owned: Vec<Finding> = active.iter().map(|f| (*f).clone()).collect();
    let summary = Summary::of(&owned);
    let mut out = String::new();
    let broken_rules = {
        let mut rules: Vec<&str> = active.iter().filter_map(|f| f.rule.as_deref()).collect();
        rules.sort_unstable();
        rules.dedup();
        rules.len()
    };
    let headline = if input_error {
        format!(
            "ropa could not load the inventory: {} input {}",
            summary.total,
            super::plural(summary.total, "error", "errors")
        )
    } else if active.is_empty() {
        "ropa: every promise kept, no findings".to_owned()
    } else {
        format!(
            "ropa: {broken_rules} {} broken, {} {} ({} {}, {} {}, {} info)",
            super::plural(broken_rules, "promise", "promises"),
            summary.total,
            super::plural(summary.total, "finding", "findings"),
            summary.error,
            super::plural(summary.error, "error", "errors"),
            summary.warning,
            super::plural(summary.warning, "warning", "warnings"),
            summary.info
        )
    };
    let _ = writeln!(out, "## {headline}\n");
    if broken_rules > 0 {
        let _ = writeln!(out, "### Broken promises\n");
        let _ = writeln!(
            out,
            "| rule | claims | promise | findings |\n|---|---|---|---|"
        );
        let mut seen: Vec<&str> = Vec::new();
        for f in &active {
            let Some(rule) = f.rule.as_deref() else {
                continue;
            };
            if seen.contains(&rule) {
                continue;
            }
            seen.push(rule);
            let count = active
                .iter()
                .filter(|g| g.rule.as_deref() == Some(rule))
                .count();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {count} |",
                escape(rule),
                escape(&f.claims.join(", ")),
                escape(f.promise.as_deref().unwrap_or(""))
            );
        }
        out.push('\n');
        for f in active.iter().filter(|f| f.rule.is_some()) {
            details(&mut out, f, sources, root);
        }
    }
    let others: Vec<&&Finding> = active.iter().filter(|f| f.rule.is_none()).collect();
    if !others.is_empty() {
        let _ = writeln!(
            out,
            "### {}\n",
            if input_error {
                "Input errors"
            } else {
                "Other findings"
            }
        );
        for f in others {
            details(&mut out, f, sources, root);
        }
    }
    if !suppressed.is_empty() {
        let waived = suppressed
            .iter()
            .filter(|f| matches!(f.suppression, Some(Suppression::Waiver { .. })))
            .count();
        let _ = writeln!(
            out,
            "### Suppressed: {waived} waived, {} in the baseline\n",
            suppressed.len() - waived
        );
        let _ = writeln!(
            out,
            "<details><summary>{} suppressed findings</summary>\n",
            suppressed.len()
        );
        for f in &suppressed {
            let why = match &f.suppression {
                Some(Suppression::Waiver { reason, .. }) => format!("waived: {}", escape(reason)),
                _ => "in the baseline".to_owned(),
            };
            let _ = writeln!(
                out,
                "- {}[{}] <code>{}</code>: {} ({why})",
                f.severity,
                f.code,
                escape(&super::place(f, sources, root)),
                escape(&f.message)
            );
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}
