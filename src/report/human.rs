//! Human output: each finding as a rustc-style diagnostic (header, the YAML excerpt
//! with the span underlined, labelled related spans, the rule and claim, the path that
//! carried the data, a help line), then a summary line.

use super::excerpt::Excerpts;
use super::{Scope, Summary, plural};
use crate::finding::{Finding, Severity, Suppression};
use crate::source::SourceMap;
use crate::text::{sanitize, sanitize_line};
use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CodespanSeverity};
use codespan_reporting::term::{self, Config};
use std::io;

fn severity(s: Severity) -> CodespanSeverity {
    match s {
        Severity::Error => CodespanSeverity::Error,
        Severity::Warning => CodespanSeverity::Warning,
        Severity::Info => CodespanSeverity::Note,
    }
}

/// Builds the codespan diagnostic for one finding, with its labels pointing into the
/// excerpts it returns (escaped, cut to a window, lines as the file's parser counts).
pub fn diagnostic(finding: &Finding, sources: &SourceMap) -> (Diagnostic<usize>, Excerpts) {
    let mut spans = Vec::new();
    let mut messages = Vec::new();
    if let Some(span) = finding.span {
        spans.push((span.file, span.start as usize..span.end as usize));
        messages.push((true, sanitize(&finding.label)));
    }
    for related in &finding.related {
        let s = related.span;
        spans.push((s.file, s.start as usize..s.end as usize));
        messages.push((false, sanitize(&related.label)));
    }
    let (excerpts, mapped) = Excerpts::build(sources, &spans);
    let labels = mapped
        .into_iter()
        .zip(messages)
        .map(|((file, range), (primary, message))| {
            let label = if primary {
                Label::primary(file, range)
            } else {
                Label::secondary(file, range)
            };
            label.with_message(message)
        })
        .collect();
    let mut notes = Vec::new();
    if let (None, Some(file)) = (finding.span, &finding.file) {
        notes.push(format!("in: {}", sanitize_line(file)));
    }
    if let Some(rule) = &finding.rule {
        let mut note = format!("rule `{}`", sanitize(rule));
        match finding.claims.as_slice() {
            [] => {}
            [claim] => note.push_str(&format!(" protects claim {}", sanitize(claim))),
            claims => note.push_str(&format!(
                " protects claims {}",
                sanitize(&claims.join(", "))
            )),
        }
        if let Some(promise) = &finding.promise {
            note.push_str(&format!(": {}", sanitize(promise)));
        }
        notes.push(note);
    }
    if !finding.path.is_empty() {
        notes.push(format!("path: {}", path_text(finding)));
    }
    if let Some(help) = &finding.help {
        notes.push(format!("help: {}", sanitize(help)));
    }
    let diagnostic = Diagnostic::new(severity(finding.severity))
        .with_code(finding.code)
        .with_message(sanitize(&finding.message))
        .with_labels(labels)
        .with_notes(notes);
    (diagnostic, excerpts)
}

/// `customer ─[signup]→ web-app ─[save]→ accounts-db`: nodes and the flows between them.
pub fn path_text(finding: &Finding) -> String {
    let mut text = String::new();
    for (i, hop) in finding.path.iter().enumerate() {
        if i > 0 {
            match &hop.via_flow {
                Some(flow) => text.push_str(&format!(" ─[{}]→ ", sanitize(flow))),
                None => text.push_str(" → "),
            }
        }
        text.push_str(&sanitize(&hop.node));
    }
    text
}

/// Writes every finding and, unless `quiet`, a summary line.
pub fn write(
    out: &mut dyn term::WriteStyle,
    findings: &[Finding],
    sources: &SourceMap,
    scope: Option<Scope>,
    quiet: bool,
) -> io::Result<()> {
    let config = Config::default();
    for finding in findings.iter().filter(|f| f.suppression.is_none()) {
        let (diagnostic, excerpts) = diagnostic(finding, sources);
        term::emit_to_write_style(out, &config, &excerpts, &diagnostic).map_err(to_io)?;
    }
    if quiet {
        return Ok(());
    }
    write_waived(out, findings, sources)?;
    let summary = Summary::of(findings);
    let in_baseline = summary.suppressed
        - findings
            .iter()
            .filter(|f| matches!(f.suppression, Some(Suppression::Waiver { .. })))
            .count();
    if in_baseline > 0 {
        writeln!(
            out,
            "{in_baseline} {} in the baseline not shown",
            plural(in_baseline, "finding", "findings")
        )?;
    }
    match (summary.total, scope) {
        (0, Some(scope)) => {
            let code = if scope.rust_files + scope.manifests > 0 {
                format!(
                    ", {} Rust {} and {} {}",
                    scope.rust_files,
                    plural(scope.rust_files, "file", "files"),
                    scope.manifests,
                    plural(scope.manifests, "manifest", "manifests")
                )
            } else {
                String::new()
            };
            writeln!(
                out,
                "no findings: {} {}, {} {}, {} {}, {} {}{code} checked",
                scope.files,
                plural(scope.files, "file", "files"),
                scope.nodes,
                plural(scope.nodes, "node", "nodes"),
                scope.flows,
                plural(scope.flows, "flow", "flows"),
                scope.rules,
                plural(scope.rules, "rule", "rules")
            )
        }
        (0, None) => writeln!(out, "no findings"),
        _ => writeln!(out, "{}", summary_line(&summary)),
    }
}

/// One line per waived finding: what, where, and the waiver's reason, approver, expiry.
fn write_waived(
    out: &mut dyn term::WriteStyle,
    findings: &[Finding],
    sources: &SourceMap,
) -> io::Result<()> {
    for finding in findings {
        let Some(Suppression::Waiver {
            reason,
            approved_by,
            expires,
            ..
        }) = &finding.suppression
        else {
            continue;
        };
        let at = finding
            .span
            .map(|s| {
                let p = sources.position(s);
                format!("{}:{}:{}: ", sanitize_line(&p.file), p.line, p.column)
            })
            .unwrap_or_default();
        let mut why = format!("\n  waived: {}", sanitize(reason));
        if let Some(by) = approved_by {
            why.push_str(&format!("\n  approved by {}", sanitize(by)));
        }
        if let Some(until) = expires {
            why.push_str(&format!(", until {until}"));
        }
        writeln!(
            out,
            "waived {}[{}]: {at}{}{why}",
            finding.severity,
            finding.code,
            sanitize(&finding.message)
        )?;
    }
    Ok(())
}

pub fn summary_line(summary: &Summary) -> String {
    let mut parts = Vec::new();
    for (count, one, many) in [
        (summary.error, "error", "errors"),
        (summary.warning, "warning", "warnings"),
        (summary.info, "info", "infos"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {}", plural(count, one, many)));
        }
    }
    format!(
        "{} {}: {}",
        summary.total,
        plural(summary.total, "finding", "findings"),
        parts.join(", ")
    )
}

fn to_io(error: codespan_reporting::files::Error) -> io::Error {
    match error {
        codespan_reporting::files::Error::Io(e) => e,
        other => io::Error::other(other.to_string()),
    }
}
