//! The report of `ropa scan`: every field ropa believes holds personal data (category,
//! confidence, reason), SDK dependencies, personal values passed to logging macros and
//! skipped files, as an aligned table or as JSON (schema `ropa-scan/1`).

use super::plural;
use crate::code::Scan;
use crate::code::manifest;
use crate::code::verdicts::{self, FieldStatus, Origin};
use crate::text::{sanitize, sanitize_line};
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;

#[derive(Serialize)]
pub struct ScanReport {
    pub schema: &'static str,
    pub roots: Vec<String>,
    pub fields: Vec<PersonalField>,
    pub not_personal: Vec<AcknowledgedField>,
    pub dependencies: Vec<SdkDependency>,
    pub logs: Vec<LoggedValue>,
    pub skipped: Vec<Skipped>,
    /// Large literals inside scanned files that were not read.
    pub not_read: Vec<NotRead>,
    pub summary: ScanSummary,
}

#[derive(Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Serialize)]
pub struct PersonalField {
    #[serde(flatten)]
    pub at: Location,
    pub module: String,
    #[serde(rename = "struct")]
    pub item: String,
    pub variant: Option<String>,
    pub field: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub category: String,
    pub confidence: f32,
    pub reason: String,
    pub origin: Origin,
}

#[derive(Serialize)]
pub struct AcknowledgedField {
    #[serde(flatten)]
    pub at: Location,
    #[serde(rename = "struct")]
    pub item: String,
    pub field: String,
    pub reason: String,
    pub origin: Origin,
}

#[derive(Serialize)]
pub struct SdkDependency {
    #[serde(flatten)]
    pub at: Location,
    #[serde(rename = "crate")]
    pub krate: String,
    pub vendor: String,
    pub legal_name: String,
    pub kind: String,
    pub region: String,
}

#[derive(Serialize)]
pub struct LoggedValue {
    #[serde(flatten)]
    pub at: Location,
    #[serde(rename = "macro")]
    pub macro_name: String,
    pub expr: String,
    pub category: String,
    pub reason: String,
}

#[derive(Serialize)]
pub struct Skipped {
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub reason: String,
}

/// A literal of more tokens than the scanner reads; it holds no fields or log calls.
#[derive(Serialize)]
pub struct NotRead {
    #[serde(flatten)]
    pub at: Location,
    pub tokens: usize,
}

#[derive(Serialize)]
pub struct ScanSummary {
    pub rust_files: usize,
    pub manifests: usize,
    pub fields: usize,
    pub personal_fields: usize,
    pub personal_structs: usize,
    pub sdks: usize,
    pub logged_values: usize,
    pub skipped: usize,
}

fn display(path: &Path) -> String {
    sanitize_line(&path.display().to_string())
}

/// Builds the report of one scan; `statuses` are in the order of [`Scan::fields`].
pub fn report(roots: &[std::path::PathBuf], scan: &Scan, statuses: &[FieldStatus]) -> ScanReport {
    let mut fields = Vec::new();
    let mut not_personal = Vec::new();
    for ((file, field), status) in scan.fields().zip(statuses) {
        let at = Location {
            file: display(&file.path),
            line: field.at.line,
            column: field.at.column,
        };
        match status {
            FieldStatus::Personal {
                category,
                confidence,
                reason,
                origin,
            } => fields.push(PersonalField {
                at,
                module: field.module.clone(),
                item: field.item.clone(),
                variant: field.variant.clone(),
                field: field.name.clone(),
                ty: field.ty.clone(),
                category: category.clone(),
                confidence: (confidence * 100.0).round() / 100.0,
                reason: sanitize(reason),
                origin: *origin,
            }),
            FieldStatus::NotPersonal { reason, origin } => not_personal.push(AcknowledgedField {
                at,
                item: field.item.clone(),
                field: field.name.clone(),
                reason: sanitize(reason),
                origin: *origin,
            }),
            FieldStatus::Unclassified => {}
        }
    }
    let dependencies: Vec<SdkDependency> = scan
        .manifests
        .iter()
        .flat_map(|m| m.dependencies.iter().map(move |d| (m, d)))
        .filter_map(|(m, d)| {
            let sdk = manifest::sdk(&d.krate)?;
            Some(SdkDependency {
                at: Location {
                    file: display(&m.path),
                    line: d.at.line,
                    column: d.at.column,
                },
                krate: d.krate.clone(),
                vendor: sdk.vendor.to_owned(),
                legal_name: sdk.legal_name.to_owned(),
                kind: sdk.kind.to_owned(),
                region: sdk.region.to_owned(),
            })
        })
        .collect();
    let logs: Vec<LoggedValue> = verdicts::logged_values(scan, statuses)
        .into_iter()
        .map(|v| LoggedValue {
            at: Location {
                file: display(&v.file.path),
                line: v.argument.at.line,
                column: v.argument.at.column,
            },
            macro_name: v.call.macro_name.clone(),
            expr: sanitize(&v.argument.expr),
            category: v.category,
            reason: sanitize(&v.reason),
        })
        .collect();
    let skipped: Vec<Skipped> = scan
        .skipped
        .iter()
        .map(|s| Skipped {
            file: display(&s.path),
            line: s.at.map(|a| a.line),
            column: s.at.map(|a| a.column),
            reason: sanitize(&s.reason),
        })
        .collect();
    let not_read: Vec<NotRead> = scan
        .files
        .iter()
        .flat_map(|file| {
            file.elided.iter().map(|elision| NotRead {
                at: Location {
                    file: display(&file.path),
                    line: elision.at.line,
                    column: elision.at.column,
                },
                tokens: elision.tokens,
            })
        })
        .collect();
    let mut structs: Vec<(&str, &str)> = fields
        .iter()
        .map(|f| (f.module.as_str(), f.item.as_str()))
        .collect();
    structs.sort_unstable();
    structs.dedup();
    let summary = ScanSummary {
        rust_files: scan.files.len(),
        manifests: scan.manifests.len(),
        fields: statuses.len(),
        personal_fields: fields.len(),
        personal_structs: structs.len(),
        sdks: dependencies.len(),
        logged_values: logs.len(),
        skipped: skipped.len(),
    };
    ScanReport {
        schema: "ropa-scan/1",
        roots: roots.iter().map(|r| display(r)).collect(),
        fields,
        not_personal,
        dependencies,
        logs,
        skipped,
        not_read,
        summary,
    }
}

/// The width the table is fitted to: `COLUMNS` when set, else the terminal's width
/// when writing to one; `None` (no limit) into a pipe or file.
pub fn table_width(is_terminal: bool) -> Option<usize> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c >= 40)
    {
        return Some(columns);
    }
    if is_terminal {
        return ratatui::crossterm::terminal::size()
            .ok()
            .map(|(columns, _)| usize::from(columns).max(40));
    }
    None
}

/// `text` cut to `width` characters, the cut marked with `…`.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The width of each column but the last: the widest cell, at most `caps[i]`.
fn column_widths(rows: &[Vec<String>], caps: &[usize]) -> Vec<usize> {
    let columns = rows.first().map_or(0, Vec::len);
    let mut widths = vec![0usize; columns.saturating_sub(1)];
    for row in rows {
        for (i, width) in widths.iter_mut().enumerate() {
            let cap = caps.get(i).copied().unwrap_or(usize::MAX);
            let cell = row.get(i).map_or(0, |c| c.chars().count());
            *width = (*width).max(cell.min(cap));
        }
    }
    widths
}

/// Writes one row padded to `widths`; the last cell takes what is left of `width`.
fn write_row(
    out: &mut dyn Write,
    indent: &str,
    row: &[String],
    widths: &[usize],
    width: Option<usize>,
) -> io::Result<()> {
    let mut line = indent.to_owned();
    for (i, cell) in row.iter().enumerate() {
        match widths.get(i) {
            Some(&column) => {
                let shown = fit(cell, column);
                let pad = column - shown.chars().count() + 2;
                line.push_str(&shown);
                line.push_str(&" ".repeat(pad));
            }
            None => {
                let used = line.chars().count();
                let rest = width.map_or(usize::MAX, |w| w.saturating_sub(used).max(12));
                line.push_str(&fit(cell, rest));
            }
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// Writes rows as columns padded to the widest cell (each at most `caps[i]`
/// characters); the last column takes what is left of `width` and is cut to it.
fn write_rows(
    out: &mut dyn Write,
    indent: &str,
    rows: &[Vec<String>],
    caps: &[usize],
    width: Option<usize>,
) -> io::Result<()> {
    let widths = column_widths(rows, caps);
    for row in rows {
        write_row(out, indent, row, &widths, width)?;
    }
    Ok(())
}

/// A path as the table shows it: relative to the scanned root when one root was
/// scanned; as given when several were, so that files in different roots stay apart.
fn relative<'a>(file: &'a str, roots: &[String]) -> &'a str {
    match roots {
        [root] => file
            .strip_prefix(root.trim_end_matches('/'))
            .and_then(|rest| rest.strip_prefix('/'))
            .unwrap_or(file),
        _ => file,
    }
}

/// `file:line:column`, relative to the root.
fn location(at: &Location, roots: &[String]) -> String {
    format!("{}:{}:{}", relative(&at.file, roots), at.line, at.column)
}

/// Writes a titled section followed by a blank line; nothing when there are no rows.
fn write_section(
    out: &mut dyn Write,
    title: &str,
    rows: &[Vec<String>],
    caps: &[usize],
    width: Option<usize>,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "{title}")?;
    write_rows(out, "  ", rows, caps, width)?;
    writeln!(out)
}

/// Writes the report as text fitted to `width` columns (no limit when `None`): the
/// personal fields grouped by file and item, with paths relative to the scanned root,
/// then one section per other kind of fact, and a summary line.
pub fn write_table_report(
    out: &mut dyn Write,
    report: &ScanReport,
    width: Option<usize>,
) -> io::Result<()> {
    let roots = &report.roots;
    if !report.fields.is_empty() {
        writeln!(out, "Personal data in struct fields:")?;
        let owner = |f: &PersonalField| match &f.variant {
            Some(variant) => format!("{}::{variant}", f.item),
            None => f.item.clone(),
        };
        let rows: Vec<Vec<String>> = report
            .fields
            .iter()
            .map(|f| {
                vec![
                    f.at.line.to_string(),
                    f.field.clone(),
                    f.category.clone(),
                    format!("{:.2}", f.confidence),
                    f.reason.clone(),
                ]
            })
            .collect();
        // One set of columns for the whole section, so the groups line up.
        let widths = column_widths(&rows, &[6, 24, 30, 4]);
        let mut shown: Option<(&str, String)> = None;
        for (field, row) in report.fields.iter().zip(&rows) {
            let file = relative(&field.at.file, roots);
            let item = owner(field);
            if shown.as_ref().is_none_or(|(f, _)| *f != file) {
                writeln!(out, "{}", fit(file, width.unwrap_or(usize::MAX)))?;
                shown = None;
            }
            if shown.as_ref().is_none_or(|(_, i)| *i != item) {
                writeln!(out, "  {item}")?;
            }
            write_row(out, "    ", row, &widths, width)?;
            shown = Some((file, item));
        }
        writeln!(out)?;
    }
    let dependencies: Vec<Vec<String>> = report
        .dependencies
        .iter()
        .map(|d| {
            vec![
                location(&d.at, roots),
                d.krate.clone(),
                d.kind.clone(),
                format!("{}, {}", d.legal_name, d.region),
            ]
        })
        .collect();
    write_section(
        out,
        "Third-party SDKs in Cargo.toml:",
        &dependencies,
        &[40, 24, 18],
        width,
    )?;
    let logs: Vec<Vec<String>> = report
        .logs
        .iter()
        .map(|l| {
            vec![
                location(&l.at, roots),
                format!("{}!", l.macro_name),
                l.expr.clone(),
                l.category.clone(),
            ]
        })
        .collect();
    write_section(
        out,
        "Personal data passed to logging:",
        &logs,
        &[40, 16, 30],
        width,
    )?;
    let skipped: Vec<Vec<String>> = report
        .skipped
        .iter()
        .map(|s| {
            let file = relative(&s.file, roots);
            let at = match (s.line, s.column) {
                (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
                _ => file.to_owned(),
            };
            vec![at, s.reason.clone()]
        })
        .collect();
    write_section(out, "Not scanned:", &skipped, &[48], width)?;
    let not_read: Vec<Vec<String>> = report
        .not_read
        .iter()
        .map(|n| {
            vec![
                location(&n.at, roots),
                format!(
                    "a literal of {} tokens (over {}): holds no fields or log calls",
                    n.tokens,
                    crate::code::prescan::LITERAL_TOKENS
                ),
            ]
        })
        .collect();
    write_section(out, "Not read:", &not_read, &[48], width)?;
    let s = &report.summary;
    writeln!(
        out,
        "{} personal {} in {} {}, {} third-party {}, {} logged personal {}\n{} Rust {} and {} {} scanned, {} skipped",
        s.personal_fields,
        plural(s.personal_fields, "field", "fields"),
        s.personal_structs,
        plural(s.personal_structs, "struct", "structs"),
        s.sdks,
        plural(s.sdks, "SDK", "SDKs"),
        s.logged_values,
        plural(s.logged_values, "value", "values"),
        s.rust_files,
        plural(s.rust_files, "file", "files"),
        s.manifests,
        plural(s.manifests, "manifest", "manifests"),
        s.skipped
    )
}

/// One thing a scan found, as the CI formats (SARIF, GitHub annotations) show it.
pub struct ScanResult {
    /// `personal-field`, `third-party-sdk`, `personal-data-logged` or `skipped-source`.
    pub rule: &'static str,
    pub level: crate::finding::Severity,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// What it is about, for its fingerprint: `models::User.email`, `sentry`.
    pub key: String,
}

/// The rules of a scan's results, with what each means.
pub const SCAN_RULES: [(&str, &str); 4] = [
    (
        "personal-field",
        "A struct field that holds personal data: declare where it is stored or sent in the inventory, or mark it `// ropa: not-personal (why)`.",
    ),
    (
        "third-party-sdk",
        "A dependency on a third-party SDK that sends data to its vendor: declare the vendor as a sub-processor.",
    ),
    (
        "personal-data-logged",
        "A personal value passed to a logging macro: log an id or a redacted value instead.",
    ),
    (
        "skipped-source",
        "A file ropa could not read or parse without building it; it was not scanned.",
    ),
];

/// The report's fields, SDKs, logged values and skipped files as results.
pub fn results(report: &ScanReport) -> Vec<ScanResult> {
    use crate::finding::Severity;
    let mut results = Vec::new();
    for f in &report.fields {
        let owner = match &f.variant {
            Some(variant) => format!("{}::{variant}", f.item),
            None => f.item.clone(),
        };
        let path = if f.module.is_empty() {
            owner
        } else {
            format!("{}::{owner}", f.module)
        };
        results.push(ScanResult {
            rule: "personal-field",
            level: Severity::Info,
            message: format!(
                "`{path}.{}` holds `{}` ({}; confidence {:.2})",
                f.field, f.category, f.reason, f.confidence
            ),
            file: f.at.file.clone(),
            line: f.at.line,
            column: f.at.column,
            key: format!("{path}.{}", f.field),
        });
    }
    for d in &report.dependencies {
        results.push(ScanResult {
            rule: "third-party-sdk",
            level: Severity::Warning,
            message: format!(
                "dependency `{}` sends data to {} ({}, usually {})",
                d.krate, d.legal_name, d.kind, d.region
            ),
            file: d.at.file.clone(),
            line: d.at.line,
            column: d.at.column,
            key: format!("dependencies.{}", d.krate),
        });
    }
    for l in &report.logs {
        results.push(ScanResult {
            rule: "personal-data-logged",
            level: Severity::Warning,
            message: format!(
                "`{}!` logs `{}`, which holds `{}` ({})",
                l.macro_name, l.expr, l.category, l.reason
            ),
            file: l.at.file.clone(),
            line: l.at.line,
            column: l.at.column,
            key: format!("{}!({})", l.macro_name, l.expr),
        });
    }
    for s in &report.skipped {
        results.push(ScanResult {
            rule: "skipped-source",
            level: Severity::Warning,
            message: format!("{} was not scanned: {}", s.file, s.reason),
            file: s.file.clone(),
            line: s.line.unwrap_or(1),
            column: s.column.unwrap_or(1),
            key: s.file.clone(),
        });
    }
    results
}
