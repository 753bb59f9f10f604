//! SARIF 2.1.0 output, for code-scanning services (GitHub code scanning, Azure DevOps,
//! IDE viewers): one run of the `ropa` tool whose rules are every finding code with its
//! help from `docs/rules.md`, one result per finding with its location in the YAML,
//! Rust or `Cargo.toml` file, related locations, the stable fingerprint as a
//! `partialFingerprints` entry, and waived or baselined findings as suppressed.

use crate::finding::{Finding, Severity, Suppression};
use crate::source::{SourceMap, Span};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key under which ropa's fingerprint appears in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "ropaFingerprint/v1";

#[derive(Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    /// Columns count characters, as ropa's positions do.
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    short_description: Message,
    full_description: Message,
    help: Help,
    default_configuration: Configuration,
}

impl Rule {
    /// A rule with a one-line summary, its documentation as description and help
    /// (plain and Markdown), and its default level.
    fn new(id: &'static str, summary: String, doc: &str, level: &'static str) -> Self {
        Rule {
            id,
            short_description: Message { text: summary },
            full_description: Message {
                text: doc.to_owned(),
            },
            help: Help {
                text: doc.to_owned(),
                markdown: doc.to_owned(),
            },
            default_configuration: Configuration { level },
        }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    properties: Properties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Properties {
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    claims: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
}

#[derive(Serialize)]
struct SarifSuppression {
    /// `inSource` for a waiver in the inventory or the code, `external` for a baseline.
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// One run of the `ropa` tool with these rules and results.
fn log_of(rules: Vec<Rule>, results: Vec<SarifResult>) -> Log {
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "ropa",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file path as a URI reference: relative to `root` when under it, `/`-separated,
/// with every byte outside the unreserved set and `/` percent-encoded; an absolute
/// path becomes a `file://` URI.
pub fn uri(path: &str, root: Option<&Path>) -> String {
    let relative = crate::fingerprint::relative_path(path, root);
    let mut encoded = String::with_capacity(relative.len());
    for byte in relative.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    if relative.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

fn location(
    sources: &SourceMap,
    span: Span,
    root: Option<&Path>,
    message: Option<&str>,
    id: Option<usize>,
) -> Location {
    let position = sources.position(span);
    Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(&position.file, root),
            },
            region: Some(Region {
                start_line: position.line.max(1),
                start_column: position.column.max(1),
                end_line: position.end_line.max(position.line.max(1)),
                end_column: position.end_column.max(1),
            }),
        },
        message: message.map(|text| Message {
            text: text.to_owned(),
        }),
    }
}

/// The SARIF log of one `ropa check`: every finding code as a rule, every finding
/// (suppressed ones included, marked) as a result.
pub fn log(findings: &[Finding], sources: &SourceMap, root: Option<&Path>) -> Log {
    let codes: Vec<&'static str> = crate::catalog::all_codes().collect();
    let rules = codes
        .iter()
        .map(|code| {
            let doc = crate::catalog::explain(code).unwrap_or_default();
            let body = doc.split_once('\n').map_or("", |(_, rest)| rest).trim();
            Rule::new(
                code,
                crate::catalog::summary(code),
                body,
                level(crate::catalog::default_severity(code)),
            )
        })
        .collect();
    let results = findings
        .iter()
        .map(|f| {
            let mut message = f.message.clone();
            if let Some(help) = &f.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let mut locations = Vec::new();
            match (f.span, &f.file) {
                (Some(span), _) => locations.push(location(sources, span, root, None, None)),
                (None, Some(file)) => locations.push(Location {
                    id: None,
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: uri(file, root),
                        },
                        region: None,
                    },
                    message: None,
                }),
                (None, None) => {}
            }
            let related_locations = f
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| location(sources, r.span, root, Some(&r.label), Some(i + 1)))
                .collect();
            let mut partial_fingerprints = BTreeMap::new();
            if !f.fingerprint.is_empty() {
                partial_fingerprints.insert(FINGERPRINT_KEY, f.fingerprint.clone());
            }
            SarifResult {
                rule_id: f.code,
                rule_index: codes.iter().position(|c| *c == f.code).unwrap_or(0),
                level: level(f.severity),
                message: Message { text: message },
                locations,
                related_locations,
                partial_fingerprints,
                suppressions: f
                    .suppression
                    .iter()
                    .map(|s| match s {
                        Suppression::Baseline => SarifSuppression {
                            kind: "external",
                            justification: "in the baseline".to_owned(),
                        },
                        Suppression::Waiver { reason, .. } => SarifSuppression {
                            kind: "inSource",
                            justification: reason.clone(),
                        },
                    })
                    .collect(),
                properties: Properties {
                    rule: f.rule.clone(),
                    claims: f.claims.clone(),
                    key: f.key.clone(),
                },
            }
        })
        .collect();
    log_of(rules, results)
}

/// The SARIF log of one `ropa scan`: personal fields as notes, SDKs, logged personal
/// values and skipped files as warnings, each with a fingerprint of what it is about.
pub fn scan_log(results: &[super::scan::ScanResult], root: Option<&Path>) -> Log {
    let rules = super::scan::SCAN_RULES
        .iter()
        .map(|(id, help)| Rule {
            id,
            short_description: Message {
                text: (*help).to_owned(),
            },
            full_description: Message {
                text: (*help).to_owned(),
            },
            help: Help {
                text: (*help).to_owned(),
                markdown: (*help).to_owned(),
            },
            default_configuration: Configuration {
                level: if *id == "personal-field" {
                    "note"
                } else {
                    "warning"
                },
            },
        })
        .collect();
    let results = results
        .iter()
        .map(|r| {
            use std::hash::Hasher;
            let file = crate::fingerprint::relative_path(&r.file, root);
            let mut hasher = fnv::FnvHasher::default();
            for part in [r.rule, file.as_str(), r.key.as_str()] {
                hasher.write(part.as_bytes());
                hasher.write(&[0]);
            }
            SarifResult {
                rule_id: r.rule,
                rule_index: super::scan::SCAN_RULES
                    .iter()
                    .position(|(id, _)| *id == r.rule)
                    .unwrap_or(0),
                level: level(r.level),
                message: Message {
                    text: r.message.clone(),
                },
                locations: vec![Location {
                    id: None,
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: uri(&r.file, root),
                        },
                        region: Some(Region {
                            start_line: (r.line as usize).max(1),
                            start_column: (r.column as usize).max(1),
                            end_line: (r.line as usize).max(1),
                            end_column: (r.column as usize).max(1) + 1,
                        }),
                    },
                    message: None,
                }],
                related_locations: Vec::new(),
                partial_fingerprints: BTreeMap::from([(
                    FINGERPRINT_KEY,
                    format!("{:016x}", hasher.finish()),
                )]),
                suppressions: Vec::new(),
                properties: Properties {
                    rule: None,
                    claims: Vec::new(),
                    key: Some(r.key.clone()),
                },
            }
        })
        .collect();
    log_of(rules, results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("./inventory/a b.yaml", None), "inventory/a%20b.yaml");
        assert_eq!(uri("/tmp/x.yaml", None), "file:///tmp/x.yaml");
        assert_eq!(uri("src/é.rs", None), "src/%C3%A9.rs");
    }
}
