//! JSON output: one document with a versioned schema (`ropa-check/1`, documented in
//! docs/json.md), findings in the deterministic report order.

use super::{Scope, Summary};
use crate::finding::{Finding, Suppression};
use crate::source::{Position, SourceMap, Span};
use serde::Serialize;

pub const SCHEMA: &str = "ropa-check/1";

#[derive(Serialize)]
pub struct Report<'a> {
    pub schema: &'static str,
    pub ropa_version: &'static str,
    /// `clean`, `findings` or `input-error`.
    pub status: &'static str,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked: Option<Scope>,
    /// With `--baseline`: the file, how many findings it suppressed and which of its
    /// findings no longer occur.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineStatus>,
    pub findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
pub struct BaselineStatus {
    pub file: String,
    pub suppressed: usize,
    pub gone: Vec<crate::gate::BaselineEntry>,
}

/// Why a finding does not count: a waiver (with its reason, approver and expiry) or the
/// baseline.
#[derive(Serialize)]
pub struct JsonSuppression<'a> {
    pub kind: &'static str,
    pub reason: Option<&'a str>,
    pub approved_by: Option<&'a str>,
    pub expires: Option<&'a str>,
    pub location: Option<Position>,
}

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub code: &'a str,
    pub rule: Option<&'a str>,
    pub severity: &'a str,
    pub message: &'a str,
    /// The first claim, as before several claims per rule existed.
    pub claim: Option<&'a str>,
    pub claims: Vec<&'a str>,
    pub promise: Option<&'a str>,
    pub file: Option<String>,
    pub location: Option<Position>,
    pub label: &'a str,
    pub related: Vec<JsonRelated<'a>>,
    pub path: Vec<JsonHop<'a>>,
    pub help: Option<&'a str>,
    /// Stable across edits that move lines (see docs/json.md); `null` on input errors.
    pub fingerprint: Option<&'a str>,
    /// What the finding is about: `stores[id=db].holds[user.name]`, `models::User.email`.
    pub key: Option<&'a str>,
    /// Set when a waiver or the baseline accepts the finding: it does not count.
    pub suppressed: Option<JsonSuppression<'a>>,
}

#[derive(Serialize)]
pub struct JsonRelated<'a> {
    pub label: &'a str,
    pub location: Position,
}

#[derive(Serialize)]
pub struct JsonHop<'a> {
    pub node: &'a str,
    pub via_flow: Option<&'a str>,
    pub location: Option<Position>,
}

fn position(sources: &SourceMap, span: Span) -> Position {
    sources.position(span)
}

pub fn report<'a>(
    findings: &'a [Finding],
    sources: &SourceMap,
    scope: Option<Scope>,
    input_error: bool,
) -> Report<'a> {
    let status = if input_error {
        "input-error"
    } else if findings.is_empty() {
        "clean"
    } else {
        "findings"
    };
    Report {
        schema: SCHEMA,
        ropa_version: env!("CARGO_PKG_VERSION"),
        status,
        summary: Summary::of(findings),
        checked: scope,
        baseline: None,
        findings: findings
            .iter()
            .map(|f| JsonFinding {
                code: f.code,
                rule: f.rule.as_deref(),
                severity: f.severity.as_str(),
                message: &f.message,
                claim: f.claims.first().map(String::as_str),
                claims: f.claims.iter().map(String::as_str).collect(),
                promise: f.promise.as_deref(),
                file: f
                    .span
                    .map(|s| sources.name(s.file).to_owned())
                    .or_else(|| f.file.clone()),
                location: f.span.map(|s| position(sources, s)),
                label: &f.label,
                related: f
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        label: &r.label,
                        location: position(sources, r.span),
                    })
                    .collect(),
                path: f
                    .path
                    .iter()
                    .map(|h| JsonHop {
                        node: &h.node,
                        via_flow: h.via_flow.as_deref(),
                        location: h.span.map(|s| position(sources, s)),
                    })
                    .collect(),
                help: f.help.as_deref(),
                fingerprint: Some(f.fingerprint.as_str()).filter(|f| !f.is_empty()),
                key: f.key.as_deref(),
                suppressed: f.suppression.as_ref().map(|s| match s {
                    Suppression::Baseline => JsonSuppression {
                        kind: "baseline",
                        reason: None,
                        approved_by: None,
                        expires: None,
                        location: None,
                    },
                    Suppression::Waiver {
                        reason,
                        approved_by,
                        expires,
                        at,
                    } => JsonSuppression {
                        kind: "waiver",
                        reason: Some(reason),
                        approved_by: approved_by.as_deref(),
                        expires: expires.as_deref(),
                        location: at.map(|s| position(sources, s)),
                    },
                }),
            })
            .collect(),
    }
}

/// The report as pretty-printed JSON with a trailing newline. Every string in it, most
/// of which come from input (ids, messages, file names), has its control and invisible
/// characters escaped as in the human report (see [`crate::text::sanitize_json`]).
pub fn to_string(report: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(report)
        .map(|json| crate::text::sanitize_json(&json))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
