//! The report layer: the only place (with the TUI) that prints. Renders findings as
//! rustc-style diagnostics, JSON, SARIF, GitHub annotations, a GitLab Code Quality
//! report, JUnit XML or Markdown, and the rule documentation for `ropa explain`.

pub mod audit;
pub mod diagram;
pub mod diff;
pub mod excerpt;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod progress;
pub mod record;
pub mod sarif;
pub mod scan;
pub mod taxonomy;

use crate::finding::{Finding, Severity};

/// The date a document is generated on (ISO), from `SOURCE_DATE_EPOCH` when set (for
/// reproducible reports), else today (UTC).
pub fn generated_on() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    let date = now.date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Counts of findings by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    /// Findings that count: not waived, not in the baseline.
    pub total: usize,
    /// Findings a waiver or the baseline accepts, reported but not counted above.
    pub suppressed: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Self {
        let mut summary = Summary::default();
        for f in findings {
            if f.suppression.is_some() {
                summary.suppressed += 1;
                continue;
            }
            match f.severity {
                Severity::Error => summary.error += 1,
                Severity::Warning => summary.warning += 1,
                Severity::Info => summary.info += 1,
            }
        }
        summary.total = findings.len() - summary.suppressed;
        summary
    }
}

/// What was checked, for the closing line of a clean run.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Scope {
    pub files: usize,
    pub nodes: usize,
    pub flows: usize,
    pub rules: usize,
    /// Rust files scanned for the inventory's `code` sections.
    pub rust_files: usize,
    /// `Cargo.toml` files read.
    pub manifests: usize,
}

/// Where a finding is, for one-line formats: `file:line:column` with the file relative
/// to `root`, the file alone for a finding about a whole file, or nothing.
pub fn place(
    f: &Finding,
    sources: &crate::source::SourceMap,
    root: Option<&std::path::Path>,
) -> String {
    match (f.span, &f.file) {
        (Some(span), _) => {
            let p = sources.position(span);
            format!(
                "{}:{}:{}",
                crate::fingerprint::relative_path(&p.file, root),
                p.line,
                p.column
            )
        }
        (None, Some(file)) => crate::fingerprint::relative_path(file, root),
        (None, None) => String::new(),
    }
}

/// `one` or `many`, by count.
pub(crate) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
