//! The one result type of ropa: a [`Finding`], produced by the loader (input problems) and
//! by the rules and always-on checks (broken promises), and rendered by the report layer.

use crate::source::Span;
use std::fmt;
use std::str::FromStr;

/// How serious a finding is. Ordered so that `Error > Warning > Info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(()),
        }
    }
}

/// A secondary location with a short label ("rule declared here").
#[derive(Clone, Debug)]
pub struct Related {
    pub span: Span,
    pub label: String,
}

/// One hop of the path that explains a finding: a node, and the flow that led to it.
#[derive(Clone, Debug)]
pub struct PathHop {
    pub node: String,
    /// The flow that carried the data into `node` (none for the first hop).
    pub via_flow: Option<String>,
    pub span: Option<Span>,
}

/// Why a finding does not count against the gate. It is still reported, as suppressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Suppression {
    /// It was already there when the baseline was written (`ropa check --baseline`).
    Baseline,
    /// A waiver in the inventory's `waivers` section, or a `// ropa: allow(code) reason`
    /// comment in code, accepts it.
    Waiver {
        reason: String,
        approved_by: Option<String>,
        expires: Option<String>,
        /// Where the waiver is written.
        at: Option<Span>,
    },
}

/// A problem found in the inventory: a broken promise, a missing declaration, or bad input.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Stable id of the check that produced it (`retention`, `unknown-key`, ...);
    /// `ropa explain CODE` documents each.
    pub code: &'static str,
    /// Id of the inventory rule that produced it, when it came from a rule.
    pub rule: Option<String>,
    pub severity: Severity,
    pub message: String,
    /// The primary location; `None` only for problems that concern no file (a missing path).
    pub span: Option<Span>,
    /// Label under the primary span.
    pub label: String,
    pub related: Vec<Related>,
    pub path: Vec<PathHop>,
    /// Claim ids the rule cites (`A13`), and the rule's description of the promise.
    pub claims: Vec<String>,
    pub promise: Option<String>,
    pub help: Option<String>,
    /// A path that concerns no span (for input errors about whole files).
    pub file: Option<String>,
    /// What the finding is about, independent of lines: a declaration's path in the
    /// inventory (`stores[id=db].holds[user.name]`), a Rust field (`models::User.email`).
    /// Set by checks that know it, else by [`crate::fingerprint::assign`].
    pub key: Option<String>,
    /// Stable across edits that move lines; empty until [`crate::fingerprint::assign`].
    pub fingerprint: String,
    /// Set when a waiver or the baseline accepts it: reported, but not failing the gate.
    pub suppression: Option<Suppression>,
    /// The edit `ropa fix` can make for it, when it is mechanical.
    pub fix: Option<crate::fix::Fix>,
}

impl Finding {
    pub fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code,
            rule: None,
            severity,
            message: message.into(),
            span: None,
            label: String::new(),
            related: Vec::new(),
            path: Vec::new(),
            claims: Vec::new(),
            promise: None,
            help: None,
            file: None,
            key: None,
            fingerprint: String::new(),
            suppression: None,
            fix: None,
        }
    }

    /// An input error: always severity error.
    pub fn input(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = label.into();
        self
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            label: label.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches the mechanical fix `ropa fix` can make.
    pub fn fixable(mut self, fix: crate::fix::Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Sets the logical key fingerprints are made from (see [`Finding::key`]).
    pub fn keyed(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn with_path(mut self, path: Vec<PathHop>) -> Self {
        self.path = path;
        self
    }
}

/// Sorts findings into the documented, deterministic report order: by file, line,
/// column, then code and message.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| (f.span.map(|s| (s.file, s.start)), f.file.clone());
        key(a)
            .cmp(&key(b))
            .then_with(|| a.code.cmp(b.code))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.message.cmp(&b.message))
    });
}
