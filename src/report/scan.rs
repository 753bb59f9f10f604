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

/// Writes rows as columns padded to the widest cell; the last column is not padded.
fn write_table(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let last = cells.len().saturating_sub(1);
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if i == last {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(width - cell.chars().count() + 2));
            }
        }
        text
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

fn location(at: &Location) -> String {
    format!("{}:{}:{}", at.file, at.line, at.column)
}

/// Writes a titled table followed by a blank line; nothing when there are no rows.
fn write_section(
    out: &mut dyn Write,
    title: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "{title}")?;
    write_table(out, header, rows)?;
    writeln!(out)
}

/// Writes the report as tables, one section per kind of fact, and a summary line.
pub fn write_table_report(out: &mut dyn Write, report: &ScanReport) -> io::Result<()> {
    let fields: Vec<Vec<String>> = report
        .fields
        .iter()
        .map(|f| {
            let item = match &f.variant {
                Some(v) => format!("{}::{v}.{}", f.item, f.field),
                None => format!("{}.{}", f.item, f.field),
            };
            vec![
                location(&f.at),
                item,
                f.category.clone(),
                format!("{:.2}", f.confidence),
                f.reason.clone(),
            ]
        })
        .collect();
    write_section(
        out,
        "Personal data in struct fields:",
        &["LOCATION", "FIELD", "CATEGORY", "CONFIDENCE", "REASON"],
        &fields,
    )?;
    let dependencies: Vec<Vec<String>> = report
        .dependencies
        .iter()
        .map(|d| {
            vec![
                location(&d.at),
                d.krate.clone(),
                d.legal_name.clone(),
                d.kind.clone(),
                d.region.clone(),
            ]
        })
        .collect();
    write_section(
        out,
        "Third-party SDKs in Cargo.toml:",
        &["LOCATION", "CRATE", "VENDOR", "KIND", "REGION"],
        &dependencies,
    )?;
    let logs: Vec<Vec<String>> = report
        .logs
        .iter()
        .map(|l| {
            vec![
                location(&l.at),
                format!("{}!", l.macro_name),
                l.expr.clone(),
                l.category.clone(),
            ]
        })
        .collect();
    write_section(
        out,
        "Personal data passed to logging:",
        &["LOCATION", "MACRO", "VALUE", "CATEGORY"],
        &logs,
    )?;
    let skipped: Vec<Vec<String>> = report
        .skipped
        .iter()
        .map(|s| {
            let at = match (s.line, s.column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}", s.file),
                _ => s.file.clone(),
            };
            vec![at, s.reason.clone()]
        })
        .collect();
    write_section(out, "Not scanned:", &["LOCATION", "REASON"], &skipped)?;
    let not_read: Vec<Vec<String>> = report
        .not_read
        .iter()
        .map(|n| {
            vec![
                format!("{}:{}:{}", n.at.file, n.at.line, n.at.column),
                format!(
                    "a literal of {} tokens (over {}): holds no fields or log calls",
                    n.tokens,
                    crate::code::prescan::LITERAL_TOKENS
                ),
            ]
        })
        .collect();
    write_section(out, "Not read:", &["LOCATION", "WHAT"], &not_read)?;
    let s = &report.summary;
    writeln!(
        out,
        "{} personal {} in {} {}, {} third-party {}, {} logged personal {}; {} Rust {} and {} {} scanned, {} skipped",
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
