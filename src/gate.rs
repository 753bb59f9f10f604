//! What the gate lets through. Applies, in order: the inventory's `severity` map and
//! the `--warn`/`--deny` flags (a code's severity), the inventory's `waivers` (findings
//! accepted on purpose, with a reason, an approver and an expiry; an expired or unused
//! waiver is a finding itself), and a baseline file (findings that were there before,
//! which fail the gate no longer). Suppressed findings stay in the report, marked.

use crate::finding::{Finding, Severity, Suppression};
use crate::inventory::model::{Declarations, Waiver, WaiverTarget};
use crate::source::Span;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Sets the severity of every finding whose code the inventory's `severity` map names.
pub fn apply_severities(decl: &Declarations, findings: &mut [Finding]) {
    for finding in findings.iter_mut() {
        if let Some(entry) = decl
            .severities
            .iter()
            .find(|s| s.code.value == finding.code)
        {
            finding.severity = entry.severity.value;
        }
    }
}

/// `--warn CODE` and `--deny CODE`: the command line has the last word on a code's
/// severity (`--deny` wins when a code is named by both).
pub fn apply_flags(findings: &mut [Finding], warn: &[String], deny: &[String]) {
    for finding in findings.iter_mut() {
        if deny.iter().any(|c| c == finding.code) {
            finding.severity = Severity::Error;
        } else if warn.iter().any(|c| c == finding.code) {
            finding.severity = Severity::Warning;
        }
    }
}

/// Whether a waiver accepts a finding: same code, same rule if it names one, and the
/// node, flow, field or fingerprint it names.
fn waives(waiver: &Waiver, finding: &Finding) -> bool {
    if waiver.code.value != finding.code
        || waiver
            .rule
            .as_ref()
            .is_some_and(|r| finding.rule.as_deref() != Some(r.value.as_str()))
    {
        return false;
    }
    let key = finding.key.as_deref().unwrap_or("");
    let head = key.split('.').next().unwrap_or("");
    match &waiver.target {
        WaiverTarget::Node(id) => {
            head.ends_with(&format!("[id={}]", id.value)) && !head.starts_with("flows[")
        }
        WaiverTarget::Flow(id) => head == format!("flows[id={}]", id.value),
        WaiverTarget::Field(field) => {
            key == field.value || key.ends_with(&format!("::{}", field.value))
        }
        WaiverTarget::Fingerprint(print) => finding.fingerprint == print.value,
    }
}

fn waiver_suppression(waiver: &Waiver) -> Suppression {
    Suppression::Waiver {
        reason: waiver.reason.value.clone(),
        approved_by: waiver.approved_by.as_ref().map(|a| a.value.clone()),
        expires: waiver.expires.as_ref().map(|e| e.value.to_string()),
        at: Some(waiver.span),
    }
}

/// Marks the findings the inventory's waivers accept, and adds a finding for each
/// waiver that expired before `today` (it accepts nothing any more) or accepts nothing.
pub fn apply_waivers(decl: &Declarations, findings: &mut Vec<Finding>, today: time::Date) {
    let mut added = Vec::new();
    for waiver in &decl.waivers {
        if let Some(expires) = waiver.expires.as_ref().filter(|e| e.value < today) {
            let still = findings.iter().filter(|f| waives(waiver, f)).count();
            added.push(
                Finding::new(
                    "expired-waiver",
                    Severity::Error,
                    format!(
                        "the waiver of `{}` expired on {}; the {} it accepted {} again",
                        waiver.code.value,
                        expires.value,
                        crate::report::plural(still, "finding", "findings"),
                        if still == 1 { "counts" } else { "count" }
                    ),
                )
                .at(expires.span, "expired")
                .with_help(
                    "fix what it accepted, or renew it with a new `expires` date and approval",
                ),
            );
            continue;
        }
        let mut used = false;
        for finding in findings.iter_mut() {
            if finding.suppression.is_none() && waives(waiver, finding) {
                finding.suppression = Some(waiver_suppression(waiver));
                used = true;
            }
        }
        if !used {
            added.push(unused_waiver(
                waiver.code.value.as_str(),
                waiver.code.span,
                "waiver",
            ));
        }
    }
    findings.extend(added);
}

/// A waiver that accepts no finding: it should be removed before it silently accepts a
/// future one.
pub fn unused_waiver(code: &str, at: Span, what: &str) -> Finding {
    Finding::new(
        "unused-waiver",
        Severity::Warning,
        format!("this {what} of `{code}` accepts no finding"),
    )
    .at(at, "waives nothing")
    .with_help(
        "the finding it was written for is gone (or the target is misspelt): remove the waiver",
    )
}

/// Whether a finding counts against the gate at `threshold`.
pub fn fails(finding: &Finding, threshold: Severity) -> bool {
    finding.suppression.is_none() && finding.severity >= threshold
}

/// The schema a baseline file is written in.
pub const BASELINE_SCHEMA: &str = "ropa-baseline/1";

/// A baseline file: the findings that were there when it was written.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub schema: String,
    pub ropa_version: String,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub code: String,
    pub rule: Option<String>,
    pub file: String,
    pub key: Option<String>,
    pub message: String,
}

impl Baseline {
    /// The baseline of these findings (suppressed ones left out), sorted so that a
    /// rewrite changes only the lines of findings that came or went.
    pub fn of(
        findings: &[Finding],
        sources: &crate::source::SourceMap,
        root: Option<&Path>,
    ) -> Self {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                code: f.code.to_owned(),
                rule: f.rule.clone(),
                file: crate::fingerprint::relative_path(
                    &f.span
                        .map(|s| sources.name(s.file).to_owned())
                        .or_else(|| f.file.clone())
                        .unwrap_or_default(),
                    root,
                ),
                key: f.key.clone(),
                message: f.message.clone(),
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.file, &a.code, &a.key, &a.fingerprint).cmp(&(
                &b.file,
                &b.code,
                &b.key,
                &b.fingerprint,
            ))
        });
        Baseline {
            schema: BASELINE_SCHEMA.to_owned(),
            ropa_version: env!("CARGO_PKG_VERSION").to_owned(),
            findings: entries,
        }
    }

    /// Reads a baseline file; the error says what is wrong and where.
    pub fn read(path: &Path) -> Result<Self, String> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!("cannot read the baseline {shown}: {e} (write one with `ropa baseline`)")
        })?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{shown}:{}:{}: the baseline is not valid JSON: {e}",
                e.line(),
                e.column()
            )
        })?;
        match value.get("schema").and_then(|s| s.as_str()) {
            Some(BASELINE_SCHEMA) => {}
            Some(other) if other.starts_with("ropa-baseline/") => {
                return Err(format!(
                    "{shown}: the baseline is in schema `{other}`, which this ropa ({}) does not read; it reads `{BASELINE_SCHEMA}`: upgrade ropa, or rewrite the baseline with `ropa baseline`",
                    env!("CARGO_PKG_VERSION")
                ));
            }
            _ => {
                return Err(format!(
                    "{shown}: not a ropa baseline (no `\"schema\": \"{BASELINE_SCHEMA}\"`); write one with `ropa baseline`"
                ));
            }
        }
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("{shown}:{}:{}: {e}", e.line(), e.column()))?;
        if let Some(entry) = baseline
            .findings
            .iter()
            .find(|e| !crate::catalog::all_codes().any(|c| c == e.code))
        {
            return Err(format!(
                "{shown}: finding `{}` has code `{}`, which ropa does not report (`ropa explain` lists the codes)",
                entry.fingerprint, entry.code
            ));
        }
        Ok(baseline)
    }

    /// The baseline as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Marks the findings the baseline holds as suppressed; returns the entries of the
    /// baseline that no longer occur (fixed since, so the baseline can shrink).
    pub fn apply(&self, findings: &mut [Finding]) -> Vec<BaselineEntry> {
        let known: std::collections::HashSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut present = std::collections::HashSet::new();
        for finding in findings.iter_mut() {
            if known.contains(finding.fingerprint.as_str()) {
                present.insert(finding.fingerprint.clone());
                if finding.suppression.is_none() {
                    finding.suppression = Some(Suppression::Baseline);
                }
            }
        }
        self.findings
            .iter()
            .filter(|e| !present.contains(&e.fingerprint))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &'static str, key: &str) -> Finding {
        let mut f = Finding::new(code, Severity::Error, "m");
        f.key = Some(key.to_owned());
        f.fingerprint = format!("fp-{key}");
        f
    }

    #[test]
    fn flags_set_severities_and_deny_wins() {
        let mut findings = vec![finding("unreachable-node", "a"), finding("retention", "b")];
        apply_flags(
            &mut findings,
            &["retention".into(), "unreachable-node".into()],
            &["unreachable-node".into()],
        );
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(findings[1].severity, Severity::Warning);
    }

    #[test]
    fn the_baseline_suppresses_what_it_holds_and_lists_what_is_gone() {
        let mut findings = vec![finding("retention", "a"), finding("retention", "b")];
        let sources = crate::source::SourceMap::new();
        let mut baseline = Baseline::of(&findings[..1], &sources, None);
        baseline.findings.push(BaselineEntry {
            fingerprint: "fp-gone".into(),
            code: "retention".into(),
            rule: None,
            file: String::new(),
            key: None,
            message: "m".into(),
        });
        let gone = baseline.apply(&mut findings);
        assert_eq!(findings[0].suppression, Some(Suppression::Baseline));
        assert_eq!(findings[1].suppression, None);
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].fingerprint, "fp-gone");
    }
}
