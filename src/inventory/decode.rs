//! Decoding a parsed YAML file into [`Declarations`]: checks every key against the
//! schema (suggesting the closest valid key), every value's type, and collects all
//! problems of a file instead of stopping at the first.

use super::keys;
use super::model::*;
use crate::finding::{Finding, Severity};
use crate::retention::Retention;
use crate::source::{FileId, Sp, Span};
use crate::taxonomy::Tree;
use crate::text::closest;
use crate::yaml::{Node, Value, span_of};

/// The schema version this ropa reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Rule kinds, each of which is also a key of a rule.
pub const RULE_KINDS: &[&str] = &[
    "location",
    "transfer",
    "sharing",
    "retention",
    "encryption",
    "prohibited",
    "lawful_basis",
    "alternatives",
    "notice",
];

/// Decodes one item of a list section into the declarations.
type ItemDecoder<'a> = fn(&mut Decoder<'a>, &Node, &mut Declarations);

/// Decodes one file's documents into `into`, appending problems to `problems`.
pub struct Decoder<'a> {
    /// `TODO` values met, moved into the declarations at the end of the file.
    placeholders: Vec<Span>,
    file: FileId,
    organization: Option<usize>,
    problems: &'a mut Vec<Finding>,
}

/// A mapping whose keys have been checked against a schema.
struct Fields<'n> {
    span: Span,
    what: String,
    entries: Vec<(&'n str, Span, &'n Node)>,
}

impl<'n> Fields<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, n)| *n)
    }

    fn key_span(&self, key: &str) -> Option<Span> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, s, _)| *s)
    }
}

impl<'a> Decoder<'a> {
    pub fn new(file: FileId, problems: &'a mut Vec<Finding>) -> Self {
        Decoder {
            placeholders: Vec::new(),
            file,
            organization: None,
            problems,
        }
    }

    fn span(&self, node: &Node) -> Span {
        span_of(node, self.file)
    }

    fn report(&mut self, finding: Finding) {
        self.problems.push(finding);
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        let found = node.value.kind_name();
        let span = self.span(node);
        self.report(
            Finding::input(
                "wrong-type",
                format!("{what} must be {expected}, found {found}"),
            )
            .at(span, format!("expected {expected}")),
        );
    }

    fn invalid(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: &str,
        help: Option<String>,
    ) {
        let mut finding = Finding::input("invalid-value", message).at(span, label.to_owned());
        if let Some(help) = help {
            finding = finding.with_help(help);
        }
        self.report(finding);
    }

    /// Checks that `node` is a mapping with only `known` keys.
    fn fields<'n>(&mut self, node: &'n Node, what: &str, known: &[&str]) -> Option<Fields<'n>> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(node, what, "a mapping of `key: value`");
            return None;
        };
        let mut fields = Fields {
            span: self.span(node),
            what: what.to_owned(),
            entries: Vec::with_capacity(entries.len()),
        };
        for (key, value) in entries {
            let key_span = self.span(key);
            let Value::Str(name) = &key.value else {
                self.wrong_type(key, &format!("a key in {what}"), "a string");
                continue;
            };
            if !known.contains(&name.as_str()) {
                let mut finding =
                    Finding::input("unknown-key", format!("unknown key `{name}` in {what}"))
                        .at(key_span, "not a key ropa knows here");
                let valid = known.join(", ");
                finding = match closest(name, known.iter().copied()) {
                    Some(suggestion) => finding.with_help(format!(
                        "did you mean `{suggestion}`? valid keys here: {valid}"
                    )),
                    None => finding.with_help(format!("valid keys here: {valid}")),
                };
                self.report(finding);
                continue;
            }
            fields.entries.push((name.as_str(), key_span, value));
        }
        Some(fields)
    }

    fn required<'n>(&mut self, fields: &Fields<'n>, key: &str) -> Option<&'n Node> {
        let found = fields.get(key);
        if found.is_none() {
            self.report(
                Finding::input("missing-key", format!("{} has no `{key}`", fields.what))
                    .at(fields.span, format!("`{key}` is required here")),
            );
        }
        found
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<Sp<String>> {
        let text = match &node.value {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            _ => {
                self.wrong_type(node, what, "a string");
                return None;
            }
        };
        Some(Sp::new(crate::text::sanitize(&text), self.span(node)))
    }

    fn opt_string(&mut self, fields: &Fields, key: &str) -> Option<Sp<String>> {
        let what = format!("`{key}` of {}", fields.what);
        fields.get(key).and_then(|n| self.string(n, &what))
    }

    /// An id or a reference: a non-empty string without whitespace.
    fn id(&mut self, node: &Node, what: &str) -> Option<Id> {
        let id = self.string(node, what)?;
        if id.value.is_empty()
            || id
                .value
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            self.invalid(
                id.span,
                format!("{what} `{}` is not a valid id", id.value),
                "ids are one word",
                Some("write ids in kebab-case, e.g. `accounts-db`".into()),
            );
            return None;
        }
        Some(id)
    }

    fn opt_id(&mut self, fields: &Fields, key: &str) -> Option<Id> {
        let what = format!("`{key}` of {}", fields.what);
        fields.get(key).and_then(|n| self.id(n, &what))
    }

    fn required_id(&mut self, fields: &Fields, key: &str) -> Option<Id> {
        let what = format!("`{key}` of {}", fields.what);
        self.required(fields, key).and_then(|n| self.id(n, &what))
    }

    fn bool(&mut self, node: &Node, what: &str) -> Option<Sp<bool>> {
        match node.value {
            Value::Bool(b) => Some(Sp::new(b, self.span(node))),
            _ => {
                self.wrong_type(node, what, "`true` or `false`");
                None
            }
        }
    }

    fn opt_bool(&mut self, fields: &Fields, key: &str) -> Option<Sp<bool>> {
        let what = format!("`{key}` of {}", fields.what);
        fields.get(key).and_then(|n| self.bool(n, &what))
    }

    fn flag(&mut self, fields: &Fields, key: &str) -> bool {
        self.opt_bool(fields, key).is_some_and(|b| b.value)
    }

    /// A list of ids; a single id is accepted as a list of one.
    fn id_list(&mut self, node: &Node, what: &str) -> Vec<Id> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|item| self.id(item, what))
                .collect(),
            Value::Str(_) => self.id(node, what).into_iter().collect(),
            _ => {
                self.wrong_type(node, what, "a list of ids");
                Vec::new()
            }
        }
    }

    fn opt_id_list(&mut self, fields: &Fields, key: &str) -> Vec<Id> {
        let what = format!("`{key}` of {}", fields.what);
        fields
            .get(key)
            .map(|n| self.id_list(n, &what))
            .unwrap_or_default()
    }

    /// A node selector: one item or a list of them. An item is a node id or section name,
    /// a glob over ids (`"*-logs"`), or a mapping of attributes (`{ kind: log }`).
    fn node_selector(&mut self, node: &Node, what: &str) -> NodeSelector {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|item| self.node_match(item, what))
                .collect(),
            _ => self.node_match(node, what).into_iter().collect(),
        }
    }

    fn opt_node_selector(&mut self, fields: &Fields, key: &str) -> NodeSelector {
        let what = format!("`{key}` of {}", fields.what);
        fields
            .get(key)
            .map(|n| self.node_selector(n, &what))
            .unwrap_or_default()
    }

    fn node_match(&mut self, node: &Node, what: &str) -> Option<NodeMatch> {
        if let Value::Map(written) = &node.value {
            let item = format!("an item of {what}");
            let f = self.fields(node, &item, &keys::names(&[keys::SELECTOR]))?;
            let conditions: Vec<(Id, Id)> = f
                .entries
                .iter()
                .filter_map(|(key, key_span, value)| {
                    let value = self.id(value, &format!("`{key}` in {item}"))?;
                    Some((Sp::new((*key).to_owned(), *key_span), value))
                })
                .collect();
            if conditions.len() < written.len() {
                return None; // a bad key or value, reported
            }
            if written.is_empty() {
                self.invalid(
                    f.span,
                    format!("an empty mapping in {what} selects every node"),
                    "no condition",
                    Some(format!(
                        "give at least one of: {}",
                        SELECTOR_ATTRIBUTES.join(", ")
                    )),
                );
                return None;
            }
            if let Some((key, value)) = conditions.iter().find(|(k, _)| k.value == "section")
                && NodeKind::from_section(&value.value).is_none()
            {
                self.invalid(
                    value.span,
                    format!("`{}` is not a section of nodes", value.value),
                    "unknown section",
                    Some(format!(
                        "`{}` is one of: {}",
                        key.value,
                        NodeKind::ALL.map(|k| k.section()).join(", ")
                    )),
                );
                return None;
            }
            return Some(NodeMatch::Where(conditions, f.span));
        }
        let id = self.id(node, what)?;
        if !id.value.contains(['*', '?', '[', '{']) {
            return Some(NodeMatch::Name(id));
        }
        match globset::Glob::new(&id.value) {
            Ok(glob) => Some(NodeMatch::Glob(id, glob.compile_matcher())),
            Err(error) => {
                self.invalid(
                    id.span,
                    format!("`{}` is not a valid glob: {}", id.value, error.kind()),
                    "invalid glob",
                    Some("`*` matches any run of characters in an id, `?` one character: `\"*-logs\"`".into()),
                );
                None
            }
        }
    }

    fn retention(&mut self, node: &Node, what: &str) -> Option<Sp<Retention>> {
        let text = self.string(node, what)?;
        // `TODO`, as `ropa init` writes it: no retention yet, reported until filled.
        if text.value.trim() == "TODO" {
            self.placeholders.push(text.span);
            return None;
        }
        match Retention::parse(&text.value) {
            Ok(retention) => Some(Sp::new(retention, text.span)),
            Err(message) => {
                self.invalid(text.span, message, "not a retention", None);
                None
            }
        }
    }

    fn opt_retention(&mut self, fields: &Fields, key: &str) -> Option<Sp<Retention>> {
        let what = format!("`{key}` of {}", fields.what);
        fields.get(key).and_then(|n| self.retention(n, &what))
    }

    /// A calendar date, written `2025-03-01`.
    fn opt_date(&mut self, fields: &Fields, key: &str) -> Option<Sp<time::Date>> {
        let what = format!("`{key}` of {}", fields.what);
        let text = fields.get(key).and_then(|n| self.string(n, &what))?;
        let format = time::format_description::parse_borrowed::<2>("[year]-[month]-[day]");
        let parsed = format
            .ok()
            .and_then(|format| time::Date::parse(&text.value, &format).ok());
        if parsed.is_none() {
            self.invalid(
                text.span,
                format!("{what} `{}` is not a date", text.value),
                "not a date",
                Some("write dates as year-month-day: `2025-03-01`".into()),
            );
        }
        parsed.map(|date| Sp::new(date, text.span))
    }

    /// `announced` and `effective` of a sub-processor or third party.
    fn engagement_dates(&mut self, fields: &Fields) -> EngagementDates {
        EngagementDates {
            announced: self.opt_date(fields, "announced"),
            effective: self.opt_date(fields, "effective"),
        }
    }

    /// Calls `item` for each element of a list section.
    fn list<'n>(&mut self, node: &'n Node, what: &str, mut item: impl FnMut(&mut Self, &'n Node)) {
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|n| item(self, n)),
            Value::Null => {}
            _ => self.wrong_type(node, what, "a list"),
        }
    }

    /// Decodes a whole file into `out`.
    pub fn decode_file(&mut self, root: &Node, out: &mut Declarations) {
        if matches!(root.value, Value::Null) {
            let span = Span::file_start(self.file);
            self.report(
                Finding::input("empty-file", "the file is empty")
                    .at(span, "no content")
                    .with_help("an inventory file starts with `version: 1`; delete the file if it is not needed"),
            );
            return;
        }
        let Some(top) = self.fields(root, "the inventory file", &keys::names(&[keys::TOP_LEVEL]))
        else {
            return;
        };
        match self.required(&top, "version") {
            Some(node) if matches!(node.value, Value::Int(SCHEMA_VERSION)) => {}
            Some(node) => {
                let span = self.span(node);
                self.invalid(
                    span,
                    "unsupported inventory version",
                    "ropa reads version 1",
                    Some(format!("write `version: {SCHEMA_VERSION}`")),
                );
            }
            None => {}
        }
        if let Some(node) = top.get("organization") {
            self.organization(node, out);
        }
        if let Some(node) = top.get("taxonomy") {
            self.taxonomy(node, out);
        }
        if let Some(node) = top.get("severity") {
            self.severities(node, out);
        }
        let sections: [(&str, ItemDecoder<'a>); 9] = [
            ("regions", Self::region),
            ("subjects", Self::subject),
            ("systems", Self::system),
            ("stores", Self::store),
            ("subprocessors", Self::subprocessor),
            ("third_parties", Self::third_party),
            ("flows", Self::flow),
            ("rules", Self::rule),
            ("waivers", Self::waiver),
        ];
        if let Some(node) = top.get("code") {
            self.code(node, out);
        }
        for (key, decode_item) in sections {
            if let Some(node) = top.get(key) {
                self.list(node, &format!("`{key}`"), |d, item| {
                    decode_item(d, item, out)
                });
            }
        }
        out.placeholders.append(&mut self.placeholders);
    }

    /// A finding code written in a waiver or the `severity` map: one ropa reports.
    fn finding_code(&mut self, code: &Id) -> bool {
        if crate::catalog::all_codes().any(|c| c == code.value) {
            return true;
        }
        let help = match closest(&code.value, crate::catalog::all_codes()) {
            Some(s) => format!("did you mean `{s}`? `ropa explain` lists every code"),
            None => "`ropa explain` lists every finding code".to_owned(),
        };
        self.invalid(
            code.span,
            format!("`{}` is not a finding code", code.value),
            "unknown finding code",
            Some(help),
        );
        false
    }

    /// `severity: { code: error|warning|info }`.
    fn severities(&mut self, node: &Node, out: &mut Declarations) {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(
                node,
                "`severity`",
                "a mapping of finding codes to `error`, `warning` or `info`",
            );
            return;
        };
        for (key, value) in entries {
            let Some(code) = self.id(key, "a finding code in `severity`") else {
                continue;
            };
            if !self.finding_code(&code) {
                continue;
            }
            let Some(level) = self.string(value, &format!("the severity of `{}`", code.value))
            else {
                continue;
            };
            match level.value.parse::<Severity>() {
                Ok(severity) => out.severities.push(SeverityOverride {
                    code,
                    severity: Sp::new(severity, level.span),
                }),
                Err(()) => self.invalid(
                    level.span,
                    format!("`{}` is not a severity", level.value),
                    "unknown severity",
                    Some("one of: error, warning, info".into()),
                ),
            }
        }
    }

    fn waiver(&mut self, node: &Node, out: &mut Declarations) {
        let Some(f) = self.fields(node, "a waiver", &keys::names(&[keys::WAIVER])) else {
            return;
        };
        let code = self.required_id(&f, "code");
        let reason = self
            .required(&f, "reason")
            .and_then(|n| self.string(n, "`reason` of a waiver"));
        if let Some(reason) = reason.as_ref().filter(|r| r.value.trim().is_empty()) {
            self.invalid(
                reason.span,
                "a waiver's `reason` is empty",
                "no reason given",
                Some("say why the finding is accepted, e.g. `reason: decommissioned in Q3, data deleted`".into()),
            );
        }
        let targets: Vec<&str> = WAIVER_TARGETS
            .into_iter()
            .filter(|t| f.get(t).is_some())
            .collect();
        let target = match targets.as_slice() {
            [one] => match *one {
                "node" => self.opt_id(&f, "node").map(WaiverTarget::Node),
                "flow" => self.opt_id(&f, "flow").map(WaiverTarget::Flow),
                "field" => self.opt_string(&f, "field").map(WaiverTarget::Field),
                _ => self
                    .opt_string(&f, "fingerprint")
                    .map(WaiverTarget::Fingerprint),
            },
            [] => {
                self.report(
                    Finding::input("missing-key", "a waiver names nothing it applies to")
                        .at(f.span, "applies to nothing")
                        .with_help("add one of `node: <id>`, `flow: <id>`, `field: <Struct.field>` or `fingerprint: <from the JSON or SARIF report>`"),
                );
                None
            }
            [_, second, ..] => {
                let span = f.key_span(second).unwrap_or(f.span);
                self.report(
                    Finding::input(
                        "invalid-value",
                        "a waiver names more than one thing it applies to",
                    )
                    .at(span, "second target")
                    .with_help("write one waiver per node, flow, field or fingerprint"),
                );
                None
            }
        };
        let expires = self.opt_date(&f, "expires");
        let (Some(code), Some(reason), Some(target)) = (code, reason, target) else {
            return;
        };
        if !self.finding_code(&code) {
            return;
        }
        out.waivers.push(Waiver {
            code,
            target,
            rule: self.opt_id(&f, "rule"),
            reason,
            approved_by: self.opt_string(&f, "approved_by"),
            expires,
            organization: self.organization,
            span: self.span(node),
        });
    }

    /// A list of non-empty strings (paths, globs); a single string is a list of one.
    fn string_list(&mut self, node: &Node, what: &str) -> Vec<Sp<String>> {
        let items: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Str(_) => vec![node],
            _ => {
                self.wrong_type(node, what, "a list of strings");
                return Vec::new();
            }
        };
        let mut strings = Vec::new();
        for item in items {
            let Some(text) = self.string(item, what) else {
                continue;
            };
            if text.value.trim().is_empty() {
                self.invalid(text.span, format!("{what} is empty"), "empty", None);
            } else {
                strings.push(text);
            }
        }
        strings
    }

    /// A glob over Rust item paths (`*::User`, `models::user::User.email`).
    fn pattern(&mut self, fields: &Fields, key: &str) -> Option<Sp<String>> {
        let what = format!("`{key}` of {}", fields.what);
        let text = self
            .required(fields, key)
            .and_then(|n| self.string(n, &what))?;
        match globset::Glob::new(&text.value) {
            Ok(_) => Some(text),
            Err(error) => {
                self.invalid(
                    text.span,
                    format!("`{}` is not a valid pattern: {}", text.value, error.kind()),
                    "not a glob",
                    Some(
                        "write a path such as `models::user::User` or a glob such as `*::User`"
                            .into(),
                    ),
                );
                None
            }
        }
    }

    fn code(&mut self, node: &Node, out: &mut Declarations) {
        let Some(f) = self.fields(node, "`code`", &keys::names(&[keys::CODE])) else {
            return;
        };
        let roots = match self.required(&f, "roots") {
            Some(n) => self.string_list(n, "a source root"),
            None => Vec::new(),
        };
        let exclude = match f.get("exclude") {
            Some(n) => self.string_list(n, "an exclude pattern"),
            None => Vec::new(),
        };
        for pattern in &exclude {
            if let Err(error) = globset::Glob::new(&pattern.value) {
                self.invalid(
                    pattern.span,
                    format!("`{}` is not a valid glob: {}", pattern.value, error.kind()),
                    "not a glob",
                    Some("globs match paths relative to a root, e.g. `**/tests/**`".into()),
                );
            }
        }
        let mut structs = Vec::new();
        if let Some(list) = f.get("structs") {
            self.list(list, "`structs` of `code`", |d, item| {
                let Some(m) = d.fields(
                    item,
                    "a struct mapping",
                    &keys::names(&[keys::STRUCT_MAPPING]),
                ) else {
                    return;
                };
                let pattern = d.pattern(&m, "match");
                let to = match d.required(&m, "to") {
                    Some(n) => d.id_list(n, "`to` of a struct mapping"),
                    None => Vec::new(),
                };
                if let Some(pattern) = pattern {
                    structs.push(StructMapping {
                        pattern,
                        to,
                        span: m.span,
                    });
                }
            });
        }
        let mut overrides = Vec::new();
        if let Some(list) = f.get("fields") {
            self.list(list, "`fields` of `code`", |d, item| {
                let Some(m) = d.fields(item, "a field override", &keys::names(&[keys::FIELD_OVERRIDE])) else {
                    return;
                };
                let pattern = d.pattern(&m, "match");
                let verdict = match (d.opt_id(&m, "data"), d.opt_string(&m, "not_personal")) {
                    (Some(category), None) => Some(FieldVerdict::Category(category)),
                    (None, Some(reason)) if !reason.value.trim().is_empty() => {
                        Some(FieldVerdict::NotPersonal(reason))
                    }
                    (None, Some(reason)) => {
                        d.invalid(
                            reason.span,
                            "`not_personal` needs a reason",
                            "empty reason",
                            Some("say why the field holds no personal data, e.g. `not_personal: hash of the file contents`".into()),
                        );
                        None
                    }
                    (Some(category), Some(_)) => {
                        d.invalid(
                            category.span,
                            "a field override has either `data` or `not_personal`, not both",
                            "one of the two",
                            None,
                        );
                        None
                    }
                    (None, None) => {
                        d.report(
                            Finding::input(
                                "missing-key",
                                "a field override needs `data` (the category the field holds) or `not_personal` (why it holds none)",
                            )
                            .at(m.span, "`data` or `not_personal` is required here"),
                        );
                        None
                    }
                };
                if let (Some(pattern), Some(verdict)) = (pattern, verdict) {
                    overrides.push(FieldOverride {
                        pattern,
                        verdict,
                        span: m.span,
                    });
                }
            });
        }
        let mut sdks = Vec::new();
        if let Some(map) = f.get("sdks") {
            match &map.value {
                Value::Map(entries) => {
                    for (key, value) in entries {
                        let krate = self.string(key, "a crate name under `code.sdks`");
                        let node = self.id(value, "the node a crate of `code.sdks` talks to");
                        if let (Some(krate), Some(node)) = (krate, node) {
                            sdks.push((krate, node));
                        }
                    }
                }
                _ => self.wrong_type(
                    map,
                    "`sdks` of `code`",
                    "a mapping from crate names to node ids, e.g. `{ aws-sdk-s3: r2-storage }`",
                ),
            }
        }
        out.code.push(CodeSection {
            roots,
            exclude,
            structs,
            fields: overrides,
            logs: self.opt_id(&f, "logs"),
            sdks,
            include_tests: self
                .opt_bool(&f, "include_tests")
                .is_some_and(|flag| flag.value),
            organization: self.organization,
            span: f.span,
        });
    }

    fn organization(&mut self, node: &Node, out: &mut Declarations) {
        let Some(f) = self.fields(node, "`organization`", &keys::names(&[keys::ORGANIZATION]))
        else {
            return;
        };
        let Some(id) = self.required_id(&f, "id") else {
            return;
        };
        let existing = out
            .organizations
            .iter()
            .position(|o| o.id.value == id.value);
        self.organization = Some(existing.unwrap_or(out.organizations.len()));
        if existing.is_none() {
            let organization = Organization {
                id,
                name: self.opt_string(&f, "name"),
                policy: self.opt_string(&f, "policy"),
                contact: self.opt_string(&f, "contact"),
                claims_source: self.opt_string(&f, "claims_source"),
                dpo: f.get("dpo").and_then(|n| self.party(n, "`dpo`")),
                representative: f
                    .get("representative")
                    .and_then(|n| self.party(n, "`representative`")),
                joint_controllers: self.parties(&f, "joint_controllers"),
                controllers: self.controllers(&f),
                span: f.span,
            };
            out.organizations.push(organization);
        }
    }

    /// A `{ name, contact }` mapping: a DPO, a representative, a joint controller.
    fn party(&mut self, node: &Node, what: &str) -> Option<Party> {
        let f = self.fields(node, what, &keys::names(&[keys::PARTY]))?;
        let name_node = self.required(&f, "name")?;
        Some(Party {
            name: self.string(name_node, &format!("`name` of {what}"))?,
            contact: self.opt_string(&f, "contact"),
        })
    }

    fn parties(&mut self, f: &Fields, key: &str) -> Vec<Party> {
        let mut parties = Vec::new();
        if let Some(list) = f.get(key) {
            let what = format!("an entry of `{key}`");
            self.list(list, &format!("`{key}`"), |d, item| {
                if let Some(party) = d.party(item, &what) {
                    parties.push(party);
                }
            });
        }
        parties
    }

    /// `controllers:` of an organization that acts as a processor.
    fn controllers(&mut self, f: &Fields) -> Vec<Controller> {
        let mut controllers = Vec::new();
        let Some(list) = f.get("controllers") else {
            return controllers;
        };
        self.list(list, "`controllers`", |d, item| {
            let what = "an entry of `controllers`";
            let Some(c) = d.fields(item, what, &keys::names(&[keys::CONTROLLER])) else {
                return;
            };
            let Some(name) = d
                .required(&c, "name")
                .and_then(|n| d.string(n, &format!("`name` of {what}")))
            else {
                return;
            };
            controllers.push(Controller {
                party: Party {
                    name,
                    contact: d.opt_string(&c, "contact"),
                },
                representative: c
                    .get("representative")
                    .and_then(|n| d.party(n, "`representative` of a controller")),
                dpo: c
                    .get("dpo")
                    .and_then(|n| d.party(n, "`dpo` of a controller")),
                purposes: d.opt_id_list(&c, "purposes"),
                span: c.span,
            });
        });
        controllers
    }

    fn region(&mut self, node: &Node, out: &mut Declarations) {
        let Some(f) = self.fields(node, "a region", &keys::names(&[keys::REGION])) else {
            return;
        };
        let Some(id) = self.required_id(&f, "id") else {
            return;
        };
        let country = self.opt_string(&f, "country");
        if let Some(country) = &country {
            let valid =
                country.value.len() == 2 && country.value.chars().all(|c| c.is_ascii_uppercase());
            if !valid {
                self.invalid(
                    country.span,
                    format!(
                        "`{}` is not an ISO 3166-1 alpha-2 country code",
                        country.value
                    ),
                    "two capital letters expected",
                    Some("e.g. `US`, `UA`, `DE`".into()),
                );
            }
        }
        out.regions.push(Region {
            id,
            name: self.opt_string(&f, "name"),
            country,
            parent: self.opt_id(&f, "parent"),
            groups: self.opt_id_list(&f, "groups"),
            span: f.span,
        });
    }

    fn taxonomy(&mut self, node: &Node, out: &mut Declarations) {
        let sections = keys::names(&[keys::TAXONOMY]);
        let Some(f) = self.fields(node, "`taxonomy`", &sections) else {
            return;
        };
        for (key, tree) in sections
            .into_iter()
            .zip([Tree::Category, Tree::Use, Tree::Subject])
        {
            let Some(list) = f.get(key) else { continue };
            self.list(list, &format!("`taxonomy.{key}`"), |d, item| {
                let what = format!("an entry of `taxonomy.{key}`");
                let Some(e) = d.fields(item, &what, &keys::names(&[keys::TAXONOMY_ENTRY])) else {
                    return;
                };
                let Some(id) = d.required_id(&e, "id") else {
                    return;
                };
                out.taxonomy.push(TaxonomyExtension {
                    tree,
                    id,
                    name: d.opt_string(&e, "name"),
                    parent: d.opt_id(&e, "parent"),
                    sensitive: d.flag(&e, "sensitive"),
                });
            });
        }
    }

    fn common(&mut self, f: &Fields, node: &Node) -> Option<NodeCommon> {
        let id = self.required_id(f, "id")?;
        Some(NodeCommon {
            id,
            name: self.opt_string(f, "name"),
            description: self.opt_string(f, "description"),
            regions: self.node_regions(f),
            claims: self.opt_id_list(f, "claims"),
            status: self
                .opt_id(f, "status")
                .filter(|status| self.check_word(status, "node status", &NODE_STATUSES)),
            organization: self.organization,
            span: self.span(node),
        })
    }

    /// `region: ie`, or `regions: [ie, us]` for a node in several; not both.
    fn node_regions(&mut self, f: &Fields) -> Vec<Id> {
        let mut regions = self.opt_id_list(f, "region");
        let several = self.opt_id_list(f, "regions");
        if let (Some(first), Some(second)) = (f.get("region"), f.get("regions")) {
            let (first, second) = (self.span(first), self.span(second));
            self.report(
                Finding::input("invalid-value", "both `region` and `regions` are set")
                    .at(second, "second list of regions")
                    .with_related(first, "`region` set here")
                    .with_help("keep one: `regions: [ie, us]` lists every region the node is in"),
            );
        }
        regions.extend(several);
        regions
    }

    fn node_fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        extra: &[keys::Key],
    ) -> Option<Fields<'n>> {
        let known = keys::names(&[keys::NODE_COMMON, extra]);
        self.fields(node, what, &known)
    }

    fn subject(&mut self, node: &Node, out: &mut Declarations) {
        let Some(f) = self.node_fields(node, "a subject", keys::SUBJECT) else {
            return;
        };
        let Some(common) = self.common(&f, node) else {
            return;
        };
        let subject = self.opt_id(&f, "subject");
        out.subjects.push(Subject { common, subject });
    }

    fn system(&mut self, node: &Node, out: &mut Declarations) {
        let Some(f) = self.node_fields(node, "a system", keys::SYSTEM) else {
            return;
        };
        let Some(common) = self.common(&f, node) else {
            return;
        };
        out.systems.push(System {
            common,
            entity: self.opt_string(&f, "entity"),
            hosted_by: self.opt_id(&f, "hosted_by"),
        });
    }

    fn store(&mut self, node: &Node, out: &mut Declarations) {
        let Some(f) = self.node_fields(node, "a store", keys::STORE) else {
            return;
        };
        let Some(common) = self.common(&f, node) else {
            return;
        };
        let mut holds = Vec::new();
        if let Some(list) = f.get("holds") {
            self.list(list, "`holds`", |d, item| {
                if let Some(holding) = d.holding(item) {
                    holds.push(holding);
                }
            });
        }
        let backups = f.get("backups").and_then(|n| self.backup(n));
        out.stores.push(Store {
            common,
            kind: self.opt_string(&f, "kind"),
            encrypted_at_rest: self.opt_bool(&f, "encrypted_at_rest"),
            holds,
            backups,
            hosted_by: self.opt_id(&f, "hosted_by"),
        });
    }

    fn holding(&mut self, node: &Node) -> Option<Holding> {
        let f = self.fields(node, "an entry of `holds`", &keys::names(&[keys::HOLDING]))?;
        let data_node = self.required(&f, "data")?;
        let retention_todo = f
            .get("retention")
            .is_some_and(|n| matches!(&n.value, Value::Str(s) if s.trim() == "TODO"));
        Some(Holding {
            data: self.id_list(data_node, "`data` of a holding"),
            retention: self.opt_retention(&f, "retention"),
            retention_todo,
            reason: self.opt_string(&f, "reason"),
            anonymized: self.flag(&f, "anonymized"),
            purpose: self.opt_id(&f, "purpose"),
            claims: self.opt_id_list(&f, "claims"),
            span: self.span(node),
        })
    }

    fn backup(&mut self, node: &Node) -> Option<Backup> {
        let f = self.fields(node, "`backups`", &keys::names(&[keys::BACKUP]))?;
        let every = self.opt_retention(&f, "every");
        if let Some(every) = every.as_ref().filter(|e| !e.value.is_period()) {
            self.invalid(
                every.span,
                format!(
                    "`every: {}` is not how often a backup is taken",
                    every.value
                ),
                "a period is expected",
                Some("write a period such as `12h`, `1d` or `1w`".into()),
            );
        }
        let transfer_mechanisms = self.opt_id_list(&f, "transfer_mechanism");
        for mechanism in &transfer_mechanisms {
            self.check_word(mechanism, "transfer mechanism", &TRANSFER_MECHANISMS);
        }
        Some(Backup {
            region: self.opt_id(&f, "region"),
            encrypted: self.opt_bool(&f, "encrypted"),
            every,
            retention: self.opt_retention(&f, "retention"),
            reason: self.opt_string(&f, "reason"),
            transfer_mechanisms,
            claims: self.opt_id_list(&f, "claims"),
            span: self.span(node),
        })
    }

    fn subprocessor(&mut self, node: &Node, out: &mut Declarations) {
        let Some(f) = self.node_fields(node, "a subprocessor", keys::SUBPROCESSOR) else {
            return;
        };
        let Some(common) = self.common(&f, node) else {
            return;
        };
        out.subprocessors.push(Subprocessor {
            common,
            legal_name: self.opt_string(&f, "legal_name"),
            purposes: self.opt_id_list(&f, "purposes"),
            dpa: self.opt_bool(&f, "dpa"),
            dpf_certified: self.opt_bool(&f, "dpf_certified"),
            dates: self.engagement_dates(&f),
            stores_data: self.flag(&f, "stores_data"),
            stores_data_at: f.get("stores_data").map(|n| self.span(n)),
        });
    }

    fn third_party(&mut self, node: &Node, out: &mut Declarations) {
        let Some(f) = self.node_fields(node, "a third party", keys::THIRD_PARTY) else {
            return;
        };
        let Some(common) = self.common(&f, node) else {
            return;
        };
        out.third_parties.push(ThirdParty {
            common,
            kind: self.opt_string(&f, "kind"),
            risk: self.opt_string(&f, "risk"),
            purposes: self.opt_id_list(&f, "purposes"),
            dpf_certified: self.opt_bool(&f, "dpf_certified"),
            dates: self.engagement_dates(&f),
        });
    }

    fn flow(&mut self, node: &Node, out: &mut Declarations) {
        let Some(f) = self.fields(node, "a flow", &keys::names(&[keys::FLOW])) else {
            return;
        };
        let from = self.required_id(&f, "from");
        let to = self.required_id(&f, "to");
        let data = match self.required(&f, "data") {
            Some(n) => self.id_list(n, "`data` of a flow"),
            None => Vec::new(),
        };
        let lawful_basis = self.opt_id(&f, "lawful_basis");
        if let Some(basis) = &lawful_basis {
            self.check_word(basis, "lawful basis", &LAWFUL_BASES);
        }
        let special_category_condition = self.opt_id(&f, "special_category_condition");
        if let Some(condition) = &special_category_condition {
            self.check_word(
                condition,
                "special-category condition (GDPR Art. 9(2))",
                &SPECIAL_CATEGORY_CONDITIONS,
            );
        }
        let transfer_mechanisms = self.opt_id_list(&f, "transfer_mechanism");
        for mechanism in &transfer_mechanisms {
            self.check_word(mechanism, "transfer mechanism", &TRANSFER_MECHANISMS);
        }
        let anonymized = match f.get("anonymized") {
            None => Anonymized::None,
            Some(n) => match &n.value {
                Value::Bool(true) => Anonymized::All,
                Value::Bool(false) => Anonymized::None,
                _ => Anonymized::Some(self.id_list(n, "`anonymized` of a flow")),
            },
        };
        let (Some(from), Some(to)) = (from, to) else {
            return;
        };
        out.flows.push(Flow {
            id: self.opt_id(&f, "id"),
            from,
            to,
            data,
            purpose: self.opt_id(&f, "purpose"),
            lawful_basis,
            special_category_condition,
            encrypted_in_transit: self.opt_bool(&f, "encrypted_in_transit"),
            transfer_mechanisms,
            anonymized,
            claims: self.opt_id_list(&f, "claims"),
            description: self.opt_string(&f, "description"),
            organization: self.organization,
            span: self.span(node),
        });
    }

    /// Checks a value against a closed vocabulary, suggesting the closest word.
    fn check_word(&mut self, value: &Id, what: &str, words: &[&str]) -> bool {
        if words.contains(&value.value.as_str()) {
            return true;
        }
        let suggestion = closest(&value.value, words.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        self.invalid(
            value.span,
            format!("`{}` is not a {what}", value.value),
            "unknown value",
            Some(format!("{suggestion}one of: {}", words.join(", "))),
        );
        false
    }

    fn rule(&mut self, node: &Node, out: &mut Declarations) {
        let mut known = keys::names(&[keys::RULE_COMMON]);
        known.extend(keys::RULE_KINDS.iter().map(|(kind, _)| *kind));
        let Some(f) = self.fields(node, "a rule", &known) else {
            return;
        };
        let Some(id) = self.required_id(&f, "id") else {
            return;
        };
        let severity = match self.opt_string(&f, "severity") {
            None => Severity::Error,
            Some(s) => match s.value.parse() {
                Ok(severity) => severity,
                Err(()) => {
                    self.invalid(
                        s.span,
                        format!("`{}` is not a severity", s.value),
                        "unknown severity",
                        Some("one of: error, warning, info".into()),
                    );
                    Severity::Error
                }
            },
        };
        let kinds: Vec<&str> = RULE_KINDS
            .iter()
            .copied()
            .filter(|k| f.get(k).is_some())
            .collect();
        let kind_name = match kinds.as_slice() {
            [one] => *one,
            [] => {
                self.report(
                    Finding::input("missing-key", format!("rule `{}` has no kind", id.value))
                        .at(id.span, "this rule checks nothing")
                        .with_help(format!("add exactly one of: {}", RULE_KINDS.join(", "))),
                );
                return;
            }
            [first, second, ..] => {
                let span = f.key_span(second).unwrap_or(id.span);
                self.report(
                    Finding::input(
                        "invalid-value",
                        format!("rule `{}` has more than one kind", id.value),
                    )
                    .at(span, format!("second kind, after `{first}`"))
                    .with_help("split it into one rule per kind"),
                );
                return;
            }
        };
        let (Some(kind_node), Some(kind_span)) = (f.get(kind_name), f.key_span(kind_name)) else {
            return;
        };
        let Some((kind, subjects)) = self.rule_kind(kind_name, kind_node, kind_span) else {
            return;
        };
        out.rules.push(Rule {
            id,
            claims: {
                let mut claims = self.opt_id_list(&f, "claim");
                claims.extend(self.opt_id_list(&f, "claims"));
                claims
            },
            description: self.opt_string(&f, "description"),
            severity,
            kind,
            subjects,
            kind_span,
            organization: self.organization,
            span: self.span(node),
        });
    }

    /// A rule's kind, and the data subjects it is about (`subjects`, any kind may say).
    fn rule_kind(
        &mut self,
        name: &str,
        node: &Node,
        kind_span: Span,
    ) -> Option<(RuleKind, NodeSelector)> {
        let specific = keys::rule_kind(name).unwrap_or_default();
        let known = keys::names(&[specific, keys::RULE_KIND_COMMON]);
        let f = self.fields(node, &format!("a `{name}` rule"), &known)?;
        let subjects = self.opt_node_selector(&f, "subjects");
        let data = match f.get("data") {
            Some(n) => self.id_list(n, "`data` of a rule"),
            None => vec![Sp::new("user".to_owned(), kind_span)],
        };
        let include_anonymized = self.flag(&f, "include_anonymized");
        let kind = match name {
            "location" | "transfer" => {
                let regions_node = self.required(&f, "allowed_regions")?;
                let allowed_regions = self.id_list(regions_node, "`allowed_regions`");
                if name == "location" {
                    RuleKind::Location {
                        data,
                        allowed_regions,
                        nodes: self.opt_node_selector(&f, "nodes"),
                        include_anonymized,
                    }
                } else {
                    let mechanisms = self.opt_id_list(&f, "mechanisms");
                    for mechanism in &mechanisms {
                        self.check_word(mechanism, "transfer mechanism", &TRANSFER_MECHANISMS);
                    }
                    RuleKind::Transfer {
                        data,
                        allowed_regions,
                        mechanisms,
                        to: self.opt_node_selector(&f, "to"),
                        include_anonymized,
                    }
                }
            }
            "sharing" => {
                let unless_basis = self.opt_id_list(&f, "unless_basis");
                for basis in &unless_basis {
                    self.check_word(basis, "lawful basis", &LAWFUL_BASES);
                }
                let to = match f.get("to") {
                    Some(n) => self.node_selector(n, "`to` of a sharing rule"),
                    None => ["subprocessors", "third_parties"]
                        .map(|s| NodeMatch::Name(Sp::new(s.to_owned(), kind_span)))
                        .to_vec(),
                };
                RuleKind::Sharing {
                    data,
                    to,
                    from: self.opt_node_selector(&f, "from"),
                    allow_data: f.get("allow_data").map(|n| self.id_list(n, "`allow_data`")),
                    allow_recipients: self.opt_id_list(&f, "allow_recipients"),
                    allow_purposes: self.opt_id_list(&f, "allow_purposes"),
                    deny_purposes: self.opt_id_list(&f, "deny_purposes"),
                    unless_basis,
                    include_anonymized,
                }
            }
            "retention" => RuleKind::Retention {
                data,
                max: self.opt_retention(&f, "max"),
                nodes: self.opt_node_selector(&f, "nodes"),
                include_anonymized,
            },
            "encryption" => {
                let at_rest = self.flag(&f, "at_rest");
                let in_transit = self.flag(&f, "in_transit");
                if !at_rest && !in_transit {
                    self.invalid(
                        f.span,
                        "an `encryption` rule must require `at_rest`, `in_transit` or both",
                        "requires nothing",
                        Some("add `at_rest: true` and/or `in_transit: true`".into()),
                    );
                }
                RuleKind::Encryption {
                    data,
                    at_rest,
                    in_transit,
                    nodes: self.opt_node_selector(&f, "nodes"),
                    include_anonymized,
                }
            }
            "prohibited" => RuleKind::Prohibited {
                data,
                nodes: self.opt_node_selector(&f, "nodes"),
                include_anonymized,
            },
            "notice" => {
                let period_node = self.required(&f, "period")?;
                let period = self.retention(period_node, "`period` of a `notice` rule")?;
                if !period.value.is_period() {
                    self.invalid(
                        period.span,
                        format!("`period: {}` is not a length of time", period.value),
                        "a period is expected",
                        Some("write how long before a new sub-processor takes effect it is announced: `30d`, `4w`, `1mo`".into()),
                    );
                }
                let nodes = match f.get("nodes") {
                    Some(n) => self.node_selector(n, "`nodes` of a `notice` rule"),
                    None => vec![NodeMatch::Name(Sp::new(
                        "subprocessors".to_owned(),
                        kind_span,
                    ))],
                };
                RuleKind::Notice {
                    data,
                    period,
                    nodes,
                    since: self.opt_date(&f, "since"),
                }
            }
            "alternatives" => {
                let nodes_node = self.required(&f, "nodes")?;
                let nodes = self.id_list(nodes_node, "`nodes` of an `alternatives` rule");
                if nodes.len() < 2 {
                    self.invalid(
                        self.span(nodes_node),
                        "an `alternatives` rule needs at least two nodes",
                        "fewer than two",
                        Some("list the processors of which at most one may be in use, e.g. `nodes: [mailgun, postmark]`".into()),
                    );
                }
                RuleKind::Alternatives {
                    data,
                    nodes,
                    include_anonymized,
                }
            }
            _ => {
                let require = self.opt_id_list(&f, "require");
                for basis in &require {
                    self.check_word(basis, "lawful basis", &LAWFUL_BASES);
                }
                RuleKind::LawfulBasis {
                    data,
                    purposes: self.opt_id_list(&f, "purposes"),
                    require,
                    include_anonymized,
                }
            }
        };
        Some((kind, subjects))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> (Declarations, Vec<Finding>) {
        let root = crate::yaml::parse(text, FileId(0)).expect("valid yaml");
        let mut problems = Vec::new();
        let mut out = Declarations::default();
        Decoder::new(FileId(0), &mut problems).decode_file(&root, &mut out);
        (out, problems)
    }

    fn codes(problems: &[Finding]) -> Vec<&str> {
        problems.iter().map(|p| p.code).collect()
    }

    #[test]
    fn collects_every_problem_of_a_file() {
        let (_, problems) = decode(
            "version: 2\nstores:\n  - id: a\n    regoin: us\n  - name: b\nflows:\n  - { from: a, data: x }\n",
        );
        assert_eq!(
            codes(&problems),
            ["invalid-value", "unknown-key", "missing-key", "missing-key"]
        );
        assert!(
            problems[1]
                .help
                .as_deref()
                .unwrap_or("")
                .starts_with("did you mean `region`?")
        );
    }

    #[test]
    fn a_node_lists_its_regions_in_one_key() {
        let (decl, problems) = decode(
            "version: 1\nstores:\n  - { id: a, regions: [ie, us] }\n  - { id: b, region: ie }\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let regions = |i: usize| -> Vec<&str> {
            decl.stores[i]
                .common
                .regions
                .iter()
                .map(|r| r.value.as_str())
                .collect()
        };
        assert_eq!((regions(0), regions(1)), (vec!["ie", "us"], vec!["ie"]));
        let (_, problems) =
            decode("version: 1\nstores:\n  - { id: a, region: ie, regions: [us] }\n");
        assert_eq!(codes(&problems), ["invalid-value"]);
        assert_eq!(problems[0].related.len(), 1);
    }

    #[test]
    fn engagement_dates_are_calendar_dates_and_notice_needs_a_period() {
        let (decl, problems) = decode(
            "version: 1\nsubprocessors:\n  - { id: a, announced: 2025-02-28, effective: 2025-02-30 }\nrules:\n  - { id: r, notice: { period: until-closed } }\n",
        );
        assert_eq!(codes(&problems), ["invalid-value", "invalid-value"]);
        let dates = &decl.subprocessors[0].dates;
        assert_eq!(
            dates.announced.as_ref().map(|d| d.value.to_string()),
            Some("2025-02-28".to_owned())
        );
        assert!(dates.effective.is_none());
        let RuleKind::Notice { nodes, .. } = &decl.rules[0].kind else {
            panic!("notice")
        };
        assert_eq!(
            nodes.iter().map(NodeMatch::text).collect::<Vec<_>>(),
            ["subprocessors"]
        );
    }

    #[test]
    fn a_rule_needs_exactly_one_kind() {
        let (_, problems) = decode(
            "version: 1\nrules:\n  - id: r\n  - id: s\n    prohibited: {}\n    retention: {}\n",
        );
        assert_eq!(codes(&problems), ["missing-key", "invalid-value"]);
    }

    #[test]
    fn rule_data_defaults_to_personal_data_and_sharing_to_recipients() {
        let (decl, problems) = decode("version: 1\nrules:\n  - id: r\n    sharing: {}\n");
        assert!(problems.is_empty(), "{problems:?}");
        let RuleKind::Sharing { data, to, .. } = &decl.rules[0].kind else {
            panic!("sharing")
        };
        assert_eq!(data[0].value, "user");
        assert_eq!(
            to.iter().map(NodeMatch::text).collect::<Vec<_>>(),
            ["subprocessors", "third_parties"]
        );
    }

    #[test]
    fn taxonomy_keys_are_defined_once() {
        let (decl, problems) = decode(
            "version: 1\ntaxonomy:\n  data_categories:\n    - id: user.x\n    - id: user.x\n    - id: user.name\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let mut taxonomy = crate::taxonomy::Taxonomy::builtin();
        let mut problems = Vec::new();
        crate::inventory::validate::validate(&decl, &mut taxonomy, &mut problems);
        assert_eq!(codes(&problems), ["duplicate-id", "duplicate-id"]);
        assert_eq!(
            problems[0].related.len(),
            1,
            "points at the first definition"
        );
        assert!(
            problems[1]
                .help
                .as_deref()
                .unwrap_or("")
                .contains("built-in")
        );
    }

    #[test]
    fn closed_vocabularies_suggest_the_closest_word() {
        let (_, problems) = decode(
            "version: 1\nflows:\n  - { from: a, to: b, data: [user], lawful_basis: concent }\n",
        );
        assert_eq!(codes(&problems), ["invalid-value"]);
        assert!(
            problems[0]
                .help
                .as_deref()
                .unwrap_or("")
                .starts_with("did you mean `consent`?")
        );
    }
}
