//! GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per
//! finding, which GitHub shows as an annotation on the pull request's diff at the
//! finding's file, line and column. Suppressed findings are not annotated.

use crate::finding::{Finding, Severity};
use crate::source::SourceMap;
use std::io::{self, Write};
use std::path::Path;

/// Escapes a command's message (`%`, carriage return, line feed).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value: as a message, plus `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(
    out: &mut impl Write,
    findings: &[Finding],
    sources: &SourceMap,
    root: Option<&Path>,
) -> io::Result<()> {
    for f in findings.iter().filter(|f| f.suppression.is_none()) {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = Vec::new();
        match (f.span, &f.file) {
            (Some(span), _) => {
                let p = sources.position(span);
                let file = crate::fingerprint::relative_path(&p.file, root);
                properties.push(format!("file={}", property(&file)));
                properties.push(format!("line={}", p.line));
                properties.push(format!("col={}", p.column));
                properties.push(format!("endLine={}", p.end_line.max(p.line)));
                if p.end_line == p.line {
                    properties.push(format!("endColumn={}", p.end_column));
                }
            }
            (None, Some(file)) => properties.push(format!(
                "file={}",
                property(&crate::fingerprint::relative_path(file, root))
            )),
            (None, None) => {}
        }
        let title = match &f.rule {
            Some(rule) => format!("ropa {} (rule {rule})", f.code),
            None => format!("ropa {}", f.code),
        };
        properties.push(format!("title={}", property(&title)));
        let mut message = f.message.clone();
        if !f.claims.is_empty() {
            message.push_str(&format!("\nbreaks claim {}", f.claims.join(", ")));
        }
        if let Some(help) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            data(&crate::text::sanitize(&message))
        )?;
    }
    Ok(())
}

/// A scan's results as annotations: personal fields as notices, the rest as warnings.
pub fn write_scan(
    out: &mut impl Write,
    results: &[super::scan::ScanResult],
    root: Option<&Path>,
) -> io::Result<()> {
    for r in results {
        let command = match r.level {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},title={}::{}",
            property(&crate::fingerprint::relative_path(&r.file, root)),
            r.line,
            r.column,
            property(&format!("ropa {}", r.rule)),
            data(&crate::text::sanitize(&r.message))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped() {
        assert_eq!(data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
