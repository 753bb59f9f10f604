//! How `ropa diff` shows what a change does to the data map: as text for a terminal,
//! as Markdown for a pull-request comment, or as JSON (schema `ropa-diff/1`).

use crate::diff::Changes;
use serde::Serialize;
use std::fmt::Write as _;

pub const SCHEMA: &str = "ropa-diff/1";

#[derive(Serialize)]
pub struct Document<'a> {
    pub schema: &'static str,
    pub ropa_version: &'static str,
    pub base: &'a str,
    pub head: &'a str,
    pub changes: &'a Changes,
}

/// A flow as a reviewer reads it: `from → to`, with its id when it has one.
fn flow_name(f: &crate::diff::FlowChange) -> String {
    let ends = format!("{} → {}", f.from, f.to);
    if f.flow == ends {
        format!("flow {ends}")
    } else {
        format!("flow `{}` ({ends})", f.flow)
    }
}

/// The sections of a diff, each a heading and its lines, in review order: what the
/// reviewer must decide on first.
fn sections(c: &Changes, code: &dyn Fn(&str) -> String) -> Vec<(String, Vec<String>)> {
    let list = |items: &[String]| items.iter().map(|i| code(i)).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    let mut push = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            out.push((title.to_owned(), lines));
        }
    };
    push(
        "Findings introduced",
        c.findings_introduced
            .iter()
            .map(|f| {
                format!(
                    "{}[{}] {}:{}:{}: {}",
                    f.severity, f.code, f.file, f.line, f.column, f.message
                )
            })
            .collect(),
    );
    push(
        "Rules removed or weakened",
        c.rules_removed
            .iter()
            .map(|r| format!("removed {}", code(r)))
            .chain(
                c.rules_changed
                    .iter()
                    .filter(|r| !r.weakened.is_empty())
                    .map(|r| format!("weakened {}: {}", code(&r.rule), r.weakened.join("; "))),
            )
            .collect(),
    );
    push(
        "Recipients",
        c.recipients_added
            .iter()
            .map(|r| format!("new {} {} in {}", r.kind, code(&r.id), list(&r.regions)))
            .chain(
                c.recipients_removed
                    .iter()
                    .map(|r| format!("removed {} {}", r.kind, code(&r.id))),
            )
            .collect(),
    );
    push(
        "Data newly reaching a recipient",
        c.newly_reaching
            .iter()
            .map(|r| {
                format!(
                    "{} now receives {}",
                    code(&r.recipient),
                    list(&r.categories)
                )
            })
            .collect(),
    );
    push(
        "Data newly crossing a border",
        c.newly_crossing
            .iter()
            .map(|x| {
                format!(
                    "{} from {} to {} on {}",
                    code(&x.category),
                    code(&x.from),
                    code(&x.to),
                    x.flow
                )
            })
            .collect(),
    );
    push(
        "Flows",
        c.flows_added
            .iter()
            .map(|f| format!("new {}: {}", flow_name(f), list(&f.data)))
            .chain(
                c.flows_removed
                    .iter()
                    .map(|f| format!("removed {}: {}", flow_name(f), list(&f.data))),
            )
            .collect(),
    );
    push(
        "Regions",
        c.regions_added
            .iter()
            .map(|r| format!("new region {}", code(r)))
            .chain(
                c.regions_removed
                    .iter()
                    .map(|r| format!("removed region {}", code(r))),
            )
            .chain(c.nodes_moved.iter().map(|m| {
                format!(
                    "{} moved from {} to {}",
                    code(&m.node),
                    list(&m.from),
                    list(&m.to)
                )
            }))
            .collect(),
    );
    push(
        "Data categories",
        c.categories_added
            .iter()
            .map(|k| format!("new {}", code(k)))
            .chain(
                c.categories_removed
                    .iter()
                    .map(|k| format!("no longer used {}", code(k))),
            )
            .collect(),
    );
    push(
        "Rules added or changed",
        c.rules_added
            .iter()
            .map(|r| format!("new {}", code(r)))
            .chain(
                c.rules_changed
                    .iter()
                    .filter(|r| r.weakened.is_empty())
                    .map(|r| format!("changed {}", code(&r.rule))),
            )
            .collect(),
    );
    push(
        "Findings fixed",
        c.findings_fixed
            .iter()
            .map(|f| format!("{}[{}] {}: {}", f.severity, f.code, f.file, f.message))
            .collect(),
    );
    out
}

/// The changes as plain text; input-derived strings are made safe for a terminal.
pub fn text(c: &Changes, base: &str, head: &str) -> String {
    let mut out = String::new();
    let base = crate::text::sanitize(base);
    let head = crate::text::sanitize(head);
    if c.is_empty() {
        let _ = writeln!(
            out,
            "no changes to the data map, the rules or the findings between {base} and {head}"
        );
        return out;
    }
    let _ = writeln!(out, "ropa diff {base} → {head}");
    for (title, lines) in sections(c, &|s: &str| format!("`{}`", crate::text::sanitize(s))) {
        let _ = writeln!(out, "\n{title}:");
        for line in lines {
            let _ = writeln!(out, "  {}", crate::text::sanitize(&line));
        }
    }
    let _ = writeln!(
        out,
        "\n{} introduced, {} fixed",
        c.findings_introduced.len(),
        c.findings_fixed.len()
    );
    out
}

/// The changes as Markdown for a pull-request comment.
pub fn markdown(c: &Changes, base: &str, head: &str) -> String {
    let escape = |s: &str| {
        crate::text::sanitize(s)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## ropa: what this change does to the data map ({} → {})\n",
        escape(base),
        escape(head)
    );
    if c.is_empty() {
        let _ = writeln!(
            out,
            "No changes to the data map, the rules or the findings."
        );
        return out;
    }
    let _ = writeln!(
        out,
        "**{}** findings introduced, **{}** fixed.\n",
        c.findings_introduced.len(),
        c.findings_fixed.len()
    );
    for (title, lines) in sections(c, &|s: &str| format!("`{}`", s.replace('`', "'"))) {
        let _ = writeln!(out, "### {title}\n");
        for line in lines {
            let _ = writeln!(out, "- {}", escape(&line));
        }
        out.push('\n');
    }
    out
}
