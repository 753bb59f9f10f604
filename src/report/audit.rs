//! The audit report for a compliance officer: every promise with its status and
//! evidence (for a kept one, what it checked: how many flows, nodes and code fields;
//! for a broken one, its findings with an excerpt of the line), the scan summary, and
//! the other findings. Markdown, or one self-contained HTML page with the diagram.

use super::html;
use crate::audit::Audit;
use crate::finding::{Finding, Suppression};
use crate::record::RuleVerdicts;
use crate::source::{SourceMap, Span};
use std::fmt::Write as _;
use std::path::Path;

/// Most characters of a source line an excerpt shows.
const EXCERPT_WIDTH: usize = 160;

/// One promise (rule) as the report shows it.
struct Promise {
    id: String,
    claims: Vec<String>,
    description: String,
    kept: bool,
    evidence: String,
    findings: Vec<usize>,
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", super::plural(n, one, many))
}

fn promises(audit: &Audit, verdicts: &RuleVerdicts) -> Vec<Promise> {
    verdicts
        .rules()
        .iter()
        .map(|(rule, coverage, kept)| {
            let findings: Vec<usize> = audit
                .findings
                .iter()
                .enumerate()
                .filter(|(_, f)| {
                    f.suppression.is_none() && f.rule.as_deref() == Some(rule.id.value.as_str())
                })
                .map(|(i, _)| i)
                .collect();
            let stores = coverage
                .nodes
                .iter()
                .filter(|(noun, _)| *noun == "store")
                .count();
            let others = coverage.nodes.len() - stores;
            let mut parts = Vec::new();
            if !coverage.flows.is_empty() {
                parts.push(count(coverage.flows.len(), "flow", "flows"));
            }
            if stores > 0 {
                parts.push(count(stores, "store", "stores"));
            }
            if others > 0 {
                parts.push(count(others, "other node", "other nodes"));
            }
            if !coverage.fields.is_empty() {
                parts.push(count(coverage.fields.len(), "code field", "code fields"));
            }
            let evidence = if parts.is_empty() {
                "nothing to check: its selectors match no flow, node or field".to_owned()
            } else if *kept {
                format!("checked {}", parts.join(", "))
            } else {
                format!(
                    "checked {}; {}",
                    parts.join(", "),
                    count(findings.len(), "finding", "findings")
                )
            };
            Promise {
                id: rule.id.value.clone(),
                claims: rule.claims.iter().map(|c| c.value.clone()).collect(),
                description: rule
                    .description
                    .as_ref()
                    .map(|d| d.value.clone())
                    .unwrap_or_default(),
                kept: *kept,
                evidence,
                findings,
            }
        })
        .collect()
}

/// The source lines around a span: (1-based line number, text), each cut to
/// [`EXCERPT_WIDTH`] characters and made safe.
fn excerpt(sources: &SourceMap, span: Span) -> Vec<(usize, String)> {
    let text = sources.text(span.file);
    let line = span.line as usize;
    let first = line.saturating_sub(1).max(1);
    text.lines()
        .enumerate()
        .skip(first - 1)
        .take(line + 1 - first + 1)
        .map(|(i, l)| {
            let cut = crate::text::floor_char_boundary(l, EXCERPT_WIDTH * 4);
            let mut shown: String = l[..cut].chars().take(EXCERPT_WIDTH).collect();
            if shown.len() < l.len() {
                shown.push('…');
            }
            (i + 1, crate::text::sanitize_line(&shown))
        })
        .collect()
}

/// What the code scans found, as lines of a summary.
fn scan_summary(audit: &Audit) -> Vec<String> {
    if audit.scans.is_empty() {
        return vec![
            "The inventory names no Rust sources (no `code` section), or code was not scanned."
                .to_owned(),
        ];
    }
    let mut lines = Vec::new();
    let here = std::env::current_dir().ok();
    for scan in &audit.scans {
        let roots: Vec<String> = scan
            .roots
            .iter()
            .map(|r| crate::fingerprint::relative_path(&r.display().to_string(), here.as_deref()))
            .collect();
        let fields = scan.scan.fields().count();
        let personal = scan
            .statuses
            .iter()
            .filter(|s| s.category().is_some())
            .count();
        let logs: usize = scan.scan.files.iter().map(|f| f.logs.len()).sum();
        let dependencies: usize = scan
            .scan
            .manifests
            .iter()
            .map(|m| m.dependencies.len())
            .sum();
        lines.push(format!(
            "{}: {} read ({} skipped); {} of {} struct fields hold personal data; {} seen; {} with {} read",
            roots.join(", "),
            count(scan.scan.files.len(), "Rust file", "Rust files"),
            scan.scan.skipped.len(),
            personal,
            fields,
            count(logs, "logging call", "logging calls"),
            count(scan.scan.manifests.len(), "Cargo.toml", "Cargo.tomls"),
            count(dependencies, "dependency", "dependencies"),
        ));
        for skipped in &scan.scan.skipped {
            lines.push(format!(
                "skipped {}: {}",
                skipped.path.display(),
                skipped.reason
            ));
        }
    }
    let code_findings = audit
        .findings
        .iter()
        .filter(|f| crate::catalog::CODE_CODES.contains(&f.code) && f.suppression.is_none())
        .count();
    lines.push(format!(
        "{} about the code",
        count(code_findings, "finding", "findings")
    ));
    lines
}

/// The findings no rule made that count, and the findings a waiver or the baseline
/// accepts.
fn others_and_accepted(audit: &Audit) -> (Vec<&Finding>, Vec<&Finding>) {
    let others = audit
        .findings
        .iter()
        .filter(|f| f.rule.is_none() && f.suppression.is_none())
        .collect();
    let accepted = audit
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .collect();
    (others, accepted)
}

/// Why an accepted finding is accepted: the waiver's reason, approver and expiry, or
/// the baseline.
fn why_accepted(f: &Finding) -> String {
    match &f.suppression {
        Some(Suppression::Waiver {
            reason,
            approved_by,
            expires,
            ..
        }) => {
            let mut why = format!("waived: {reason}");
            if let Some(by) = approved_by {
                why.push_str(&format!(" (approved by {by})"));
            }
            if let Some(until) = expires {
                why.push_str(&format!(", until {until}"));
            }
            why
        }
        _ => "in the baseline".to_owned(),
    }
}

fn place(f: &Finding, sources: &SourceMap, root: Option<&Path>) -> String {
    super::place(f, sources, root)
}

fn md_text(text: &str) -> String {
    crate::text::sanitize_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('[', "\\[")
        .replace(']', "\\]")
        .replace('*', "\\*")
}

/// The line number of an excerpt line, with `>` on the line the finding is on.
fn gutter(line: usize, marked: usize) -> String {
    format!("{line:>5} {}", if line == marked { '>' } else { '|' })
}

/// A fenced code block that no line of `lines` can close.
fn md_fence(lines: &[(usize, String)], marked: usize) -> String {
    let longest = lines
        .iter()
        .map(|(_, l)| {
            let mut run = 0;
            let mut best = 0;
            for c in l.chars() {
                run = if c == '`' { run + 1 } else { 0 };
                best = best.max(run);
            }
            best
        })
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let mut out = format!("{fence}text\n");
    for (n, l) in lines {
        let _ = writeln!(out, "{} {l}", gutter(*n, marked));
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

fn title(audit: &Audit) -> String {
    let names: Vec<String> = audit
        .inventory
        .decl
        .organizations
        .iter()
        .map(|o| {
            o.name
                .as_ref()
                .map_or_else(|| o.id.value.clone(), |n| n.value.clone())
        })
        .collect();
    if names.is_empty() {
        "Privacy audit".to_owned()
    } else {
        format!("Privacy audit: {}", names.join("; "))
    }
}

fn headline(audit: &Audit, promises: &[Promise]) -> String {
    let summary = super::Summary::of(&audit.findings);
    let broken = promises.iter().filter(|p| !p.kept).count();
    format!(
        "{} ({} kept, {} broken); {} ({} {}, {} {}, {} info){}",
        count(promises.len(), "promise", "promises"),
        promises.len() - broken,
        broken,
        count(summary.total, "finding", "findings"),
        summary.error,
        super::plural(summary.error, "error", "errors"),
        summary.warning,
        super::plural(summary.warning, "warning", "warnings"),
        summary.info,
        if summary.suppressed > 0 {
            format!("; {} waived or in the baseline", summary.suppressed)
        } else {
            String::new()
        }
    )
}

fn scope_line(audit: &Audit) -> String {
    let scope = audit.scope();
    format!(
        "Checked {}, {}, {} and {}; {} and {} scanned.",
        count(scope.files, "inventory file", "inventory files"),
        count(scope.nodes, "node", "nodes"),
        count(scope.flows, "flow", "flows"),
        count(scope.rules, "rule", "rules"),
        count(scope.rust_files, "Rust file", "Rust files"),
        count(scope.manifests, "Cargo.toml", "Cargo.tomls")
    )
}

/// The audit report as Markdown.
pub fn markdown(
    audit: &Audit,
    verdicts: &RuleVerdicts,
    generated_on: &str,
    root: Option<&Path>,
) -> String {
    let promises = promises(audit, verdicts);
    let sources = &audit.inventory.sources;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md_text(&title(audit)));
    let _ = writeln!(
        out,
        "Generated by ropa {} on {generated_on}. {}\n",
        env!("CARGO_PKG_VERSION"),
        scope_line(audit)
    );
    let _ = writeln!(out, "**{}**\n", headline(audit, &promises));
    let _ = writeln!(out, "## Promises\n");
    if promises.is_empty() {
        out.push_str("The inventory encodes no promise (no `rules`).\n\n");
    } else {
        out.push_str("| Status | Rule | Claims | Promise | Evidence |\n|---|---|---|---|---|\n");
        for p in &promises {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                if p.kept { "kept" } else { "**broken**" },
                p.id.replace('`', "'"),
                md_text(&p.claims.join(", ")),
                md_text(&p.description),
                md_text(&p.evidence)
            );
        }
        out.push('\n');
    }
    let broken: Vec<&Promise> = promises.iter().filter(|p| !p.kept).collect();
    if !broken.is_empty() {
        let _ = writeln!(out, "## Broken promises\n");
        for p in broken {
            let claims = if p.claims.is_empty() {
                String::new()
            } else {
                format!(" (claim {})", md_text(&p.claims.join(", ")))
            };
            let _ = writeln!(out, "### `{}`{claims}\n", p.id.replace('`', "'"));
            if !p.description.is_empty() {
                let _ = writeln!(out, "{}\n", md_text(&p.description));
            }
            for &i in &p.findings {
                md_finding(&mut out, &audit.findings[i], sources, root);
            }
        }
    }
    let _ = writeln!(out, "## Code scan\n");
    for line in scan_summary(audit) {
        let _ = writeln!(out, "- {}", md_text(&line));
    }
    out.push('\n');
    let (others, suppressed) = others_and_accepted(audit);
    let _ = writeln!(out, "## Other findings ({})\n", others.len());
    if others.is_empty() {
        out.push_str("None.\n\n");
    }
    for f in others {
        md_finding(&mut out, f, sources, root);
    }
    if !suppressed.is_empty() {
        let _ = writeln!(out, "## Accepted findings ({})\n", suppressed.len());
        for f in suppressed {
            let why = why_accepted(f);
            let _ = writeln!(
                out,
                "- {}[{}] `{}`: {} ({})",
                f.severity,
                f.code,
                place(f, sources, root).replace('`', "'"),
                md_text(&f.message),
                md_text(&why)
            );
        }
        out.push('\n');
    }
    out
}

fn md_finding(out: &mut String, f: &Finding, sources: &SourceMap, root: Option<&Path>) {
    let _ = writeln!(
        out,
        "- **{}[{}]** `{}`: {}",
        f.severity,
        f.code,
        place(f, sources, root).replace('`', "'"),
        md_text(&f.message)
    );
    if !f.path.is_empty() {
        let hops: Vec<String> = f.path.iter().map(|h| md_text(&h.node)).collect();
        let _ = writeln!(out, "  - path: {}", hops.join(" → "));
    }
    if let Some(span) = f.span {
        let lines = excerpt(sources, span);
        if !lines.is_empty() {
            out.push('\n');
            for line in md_fence(&lines, span.line as usize).lines() {
                let _ = writeln!(out, "  {line}");
            }
            out.push('\n');
        }
    }
    if let Some(help) = &f.help {
        let _ = writeln!(out, "  - fix: {}", md_text(help));
    }
    out.push('\n');
}

fn html_finding(out: &mut String, f: &Finding, sources: &SourceMap, root: Option<&Path>) {
    let _ = write!(
        out,
        "<div class=\"finding\"><p><b class=\"{}\">{}[{}]</b> <code>{}</code>: {}</p>",
        f.severity,
        f.severity,
        html::escape(f.code),
        html::escape(&place(f, sources, root)),
        html::escape(&f.message)
    );
    if !f.path.is_empty() {
        let hops: Vec<String> = f.path.iter().map(|h| html::escape(&h.node)).collect();
        let _ = write!(out, "<p class=\"muted\">path: {}</p>", hops.join(" → "));
    }
    if let Some(span) = f.span {
        let lines = excerpt(sources, span);
        if !lines.is_empty() {
            out.push_str("<pre>");
            for (n, l) in &lines {
                let _ = writeln!(
                    out,
                    "{} {}",
                    gutter(*n, span.line as usize),
                    html::escape(l)
                );
            }
            out.push_str("</pre>");
        }
    }
    if let Some(help) = &f.help {
        let _ = write!(out, "<p>Fix: {}</p>", html::escape(help));
    }
    out.push_str("</div>\n");
}

/// The audit report as one self-contained HTML page with the diagram (`svg`).
pub fn html(
    audit: &Audit,
    verdicts: &RuleVerdicts,
    generated_on: &str,
    root: Option<&Path>,
    svg: &str,
    diagram_note: Option<&str>,
) -> String {
    let promises = promises(audit, verdicts);
    let sources = &audit.inventory.sources;
    let mut body = String::new();
    let _ = writeln!(body, "<h1>{}</h1>", html::escape(&title(audit)));
    let _ = writeln!(
        body,
        "<p class=\"meta\">Generated by ropa {} on {}. {}</p>",
        env!("CARGO_PKG_VERSION"),
        html::escape(generated_on),
        html::escape(&scope_line(audit))
    );
    let _ = writeln!(
        body,
        "<p><b>{}</b></p>",
        html::escape(&headline(audit, &promises))
    );
    body.push_str("<h2>Promises</h2>\n");
    if promises.is_empty() {
        body.push_str("<p>The inventory encodes no promise (no <code>rules</code>).</p>\n");
    } else {
        body.push_str("<table id=\"promises\"><tr><th>Status</th><th>Rule</th><th>Claims</th><th>Promise</th><th>Evidence</th></tr>\n");
        for p in &promises {
            let _ = writeln!(
                body,
                "<tr class=\"promise\"><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html::badge(if p.kept { "kept" } else { "broken" }),
                html::escape(&p.id),
                html::escape(&p.claims.join(", ")),
                html::escape(&p.description),
                html::escape(&p.evidence)
            );
        }
        body.push_str("</table>\n");
    }
    let broken: Vec<&Promise> = promises.iter().filter(|p| !p.kept).collect();
    if !broken.is_empty() {
        body.push_str("<h2>Broken promises</h2>\n");
        for p in broken {
            let _ = writeln!(
                body,
                "<h3><code>{}</code> {}</h3>",
                html::escape(&p.id),
                html::escape(&if p.claims.is_empty() {
                    String::new()
                } else {
                    format!("(claim {})", p.claims.join(", "))
                })
            );
            if !p.description.is_empty() {
                let _ = writeln!(body, "<p>{}</p>", html::escape(&p.description));
            }
            for &i in &p.findings {
                html_finding(&mut body, &audit.findings[i], sources, root);
            }
        }
    }
    body.push_str("<h2>Data map</h2>\n");
    if let Some(note) = diagram_note {
        let _ = writeln!(body, "<p class=\"note\">{}</p>", html::escape(note));
    }
    let _ = writeln!(body, "<div class=\"diagram\">{svg}</div>");
    body.push_str("<h2>Code scan</h2>\n");
    body.push_str(&html::list(&scan_summary(audit), ""));
    let (others, suppressed) = others_and_accepted(audit);
    let _ = writeln!(body, "<h2>Other findings ({})</h2>", others.len());
    if others.is_empty() {
        body.push_str("<p>None.</p>\n");
    }
    for f in others {
        html_finding(&mut body, f, sources, root);
    }
    if !suppressed.is_empty() {
        let _ = writeln!(body, "<h2>Accepted findings ({})</h2>", suppressed.len());
        let items: Vec<String> = suppressed
            .iter()
            .map(|f| {
                let why = why_accepted(f);
                format!(
                    "{}[{}] {}: {} ({why})",
                    f.severity,
                    f.code,
                    place(f, sources, root),
                    f.message
                )
            })
            .collect();
        body.push_str(&html::list(&items, ""));
    }
    html::page(&title(audit), &body)
}
