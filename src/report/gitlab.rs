//! GitLab Code Quality report: a JSON array of issues (`description`, `check_name`,
//! `fingerprint`, `severity`, `location`), which GitLab shows in merge requests.
//! Suppressed findings are left out: GitLab has no notion of a suppressed issue.

use crate::finding::{Finding, Severity};
use crate::source::SourceMap;
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
pub struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

pub fn report(findings: &[Finding], sources: &SourceMap, root: Option<&Path>) -> Vec<Issue> {
    findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .map(|f| {
            let (path, line) = match (f.span, &f.file) {
                (Some(span), _) => {
                    let p = sources.position(span);
                    (p.file, p.line)
                }
                (None, Some(file)) => (file.clone(), 1),
                (None, None) => (String::new(), 1),
            };
            let mut description = f.message.clone();
            if let Some(rule) = &f.rule {
                description.push_str(&format!(" (rule `{rule}`"));
                if !f.claims.is_empty() {
                    description.push_str(&format!(", claim {}", f.claims.join(", ")));
                }
                description.push(')');
            }
            Issue {
                description,
                check_name: f.code,
                fingerprint: f.fingerprint.clone(),
                severity: match f.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                location: Location {
                    path: crate::fingerprint::relative_path(&path, root),
                    lines: Lines { begin: line },
                },
            }
        })
        .collect()
}
