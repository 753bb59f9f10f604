//! The code checks: what the scanned Rust sources say against what the inventory
//! declares. Personal fields in structs mapped to a store or system that does not
//! declare their category (`undeclared-personal-field`) or mapped to nothing
//! (`unmapped-personal-struct`); persisted fields that `prohibited` and `retention:
//! none` rules forbid; SDK dependencies with no matching subprocessor or third party
//! (`undeclared-third-party`); personal data passed to logging macros
//! (`personal-data-in-logs`); `// ropa:` comments that cannot be read
//! (`invalid-annotation`); files that could not be scanned (`skipped-source`); and
//! `exclude` globs that match nothing (`unused-exclude`).

use super::RuleContext;
use crate::code::FileFacts;
use crate::code::facts::{AnnotationKind, FieldFact, Position};
use crate::code::manifest;
use crate::code::sections::SectionScan;
use crate::code::verdicts::{self, FieldStatus, ItemPattern, Origin};
use crate::finding::{Finding, Severity};
use crate::graph::DataFlowGraph;
use crate::inventory::Inventory;
use crate::inventory::model::{CodeSection, NodeKind, RuleKind, StructMapping};
use crate::retention::Retention;
use crate::source::{FileId, Span};
use crate::taxonomy::KeyId;
use petgraph::graph::NodeIndex;
use std::collections::BTreeMap;

/// The span of a scanned position in a registered file.
fn span(file: FileId, at: Position) -> Span {
    Span {
        file,
        line: at.line,
        column: at.column,
        start: at.start,
        end: at.end,
    }
}

pub(crate) fn check(
    inv: &Inventory,
    graph: &DataFlowGraph,
    scans: &[SectionScan],
    out: &mut Vec<Finding>,
) {
    for scan in scans {
        let section = &inv.decl.code[scan.section];
        let forbidding = inv
            .decl
            .rules
            .iter()
            .filter(|rule| same_scope(section.organization, rule.organization))
            .filter_map(|rule| {
                let nodes = match &rule.kind {
                    RuleKind::Prohibited { nodes, .. } => nodes,
                    RuleKind::Retention {
                        nodes,
                        max: Some(max),
                        ..
                    } if max.value == Retention::None => nodes,
                    _ => return None,
                };
                Some((RuleContext::new(inv, graph, rule), nodes.as_slice()))
            })
            .collect();
        let checker = SectionChecker {
            inv,
            graph,
            section,
            forbidding,
            mappings: section
                .structs
                .iter()
                .filter_map(|m| ItemPattern::new(&m.pattern.value).map(|p| (p, m)))
                .collect(),
        };
        let first = out.len();
        checker.fields(scan, out);
        checker.dependencies(scan, out);
        checker.logs(scan, out);
        checker.skipped(scan, out);
        checker.unused_excludes(scan, out);
        apply_allow_comments(scan, first, out);
    }
}

/// `// ropa: allow(<code>) <reason>` on a field or a logging call accepts the findings
/// of that code on its lines; one that accepts none is an `unused-waiver`.
fn apply_allow_comments(scan: &SectionScan, first: usize, out: &mut Vec<Finding>) {
    let mut unused = Vec::new();
    for file in &scan.scan.files {
        let Some(source) = file.source else {
            continue;
        };
        let fields = file
            .fields
            .iter()
            .map(|f| (f.annotation.as_ref(), f.at.line, f.at.line, false));
        let calls = file
            .logs
            .iter()
            .map(|c| (c.annotation.as_ref(), c.at.line, c.end_line, true));
        for (annotation, from, to, call) in fields.chain(calls) {
            let Some(annotation) = annotation else {
                continue;
            };
            let AnnotationKind::Allow { code, reason } = &annotation.kind else {
                continue;
            };
            let known = crate::catalog::all_codes().any(|c| c == code);
            // A field's comment is checked with the field's other annotations.
            if call && !known {
                let hint = crate::text::closest(code, crate::catalog::all_codes())
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                unused.push(
                    Finding::new(
                        "invalid-annotation",
                        Severity::Warning,
                        format!("`{code}` in `ropa: allow(...)` is not a finding code"),
                    )
                    .at(span(source, annotation.at), "this comment")
                    .with_help(format!("{hint}The comment is ignored until it is fixed")),
                );
            }
            let mut used = false;
            for finding in out[first..].iter_mut() {
                let here = finding
                    .span
                    .is_some_and(|s| s.file == source && (from..=to).contains(&s.line));
                if here && finding.code == code && finding.suppression.is_none() {
                    finding.suppression = Some(crate::finding::Suppression::Waiver {
                        reason: reason.clone(),
                        approved_by: None,
                        expires: None,
                        at: Some(span(source, annotation.at)),
                    });
                    used = true;
                }
            }
            if !used && known {
                unused.push(crate::gate::unused_waiver(
                    code,
                    span(source, annotation.at),
                    "`ropa: allow` comment",
                ));
            }
        }
    }
    out.extend(unused);
}

/// Whether a declaration of `other`'s organization is in a section's scope: the same
/// organization, or either has none.
fn same_scope(section: Option<usize>, other: Option<usize>) -> bool {
    match (section, other) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

struct SectionChecker<'a> {
    inv: &'a Inventory,
    graph: &'a DataFlowGraph,
    section: &'a CodeSection,
    /// The `prohibited` rules and `retention: none` rules in scope, with their nodes.
    forbidding: Vec<(RuleContext<'a>, &'a [crate::inventory::model::NodeMatch])>,
    mappings: Vec<(ItemPattern, &'a StructMapping)>,
}

impl<'a> SectionChecker<'a> {
    fn same_scope(&self, organization: Option<usize>) -> bool {
        same_scope(self.section.organization, organization)
    }

    fn category(&self, key: &str) -> Option<KeyId> {
        self.inv.taxonomy.categories.get(key)
    }

    /// Whether a node that declares or receives `held` covers a field of `field`: one
    /// is the other or below it.
    fn overlaps(&self, field: KeyId, held: KeyId) -> bool {
        let tree = &self.inv.taxonomy.categories;
        tree.is_under(field, held) || tree.is_under(held, field)
    }

    /// The categories a node is declared to hold (a store) or receives through flows.
    fn declared(&self, node: NodeIndex) -> Vec<KeyId> {
        let info = self.graph.info(node);
        let mut keys: Vec<KeyId> = info.holds.iter().map(|d| d.category).collect();
        keys.extend(self.graph.incoming(node).map(|(_, d)| d.category));
        keys
    }

    fn fields(&self, scan: &SectionScan, out: &mut Vec<Finding>) {
        let mut unmapped: BTreeMap<String, Vec<(&FileFacts, &FieldFact, &str)>> = BTreeMap::new();
        for (file, field, status) in scan.judged() {
            let Some(source) = file.source else {
                continue;
            };
            self.annotation(source, field, out);
            let FieldStatus::Personal {
                category,
                confidence,
                reason,
                origin,
            } = status
            else {
                continue;
            };
            let item_path = field.item_path();
            let mapped: Vec<&StructMapping> = self
                .mappings
                .iter()
                .filter(|(pattern, _)| pattern.matches(&item_path))
                .map(|(_, m)| *m)
                .collect();
            if mapped.is_empty() {
                if !file.is_newtype_field(field) {
                    unmapped
                        .entry(item_path)
                        .or_default()
                        .push((file, field, category));
                }
                continue;
            }
            let evidence = match origin {
                Origin::Classifier => format!("{reason}; confidence {confidence:.2}"),
                Origin::Annotation => "annotated in the source".to_owned(),
                Origin::Inventory => "declared under `code.fields`".to_owned(),
            };
            let at = span(source, field.at);
            for mapping in mapped {
                for target in &mapping.to {
                    let Some(node) = self.graph.node(&target.value) else {
                        continue;
                    };
                    let forbidden = self.forbidding_rules(node, category, at, field, out);
                    if forbidden {
                        continue;
                    }
                    let Some(key) = self.category(category) else {
                        continue;
                    };
                    if self
                        .declared(node)
                        .into_iter()
                        .any(|held| self.overlaps(key, held))
                    {
                        continue;
                    }
                    out.push(self.undeclared_field(field, category, &evidence, at, node, mapping));
                }
            }
        }
        for (item_path, fields) in unmapped {
            out.push(self.unmapped_struct(&item_path, &fields));
        }
    }

    fn undeclared_field(
        &self,
        field: &FieldFact,
        category: &str,
        evidence: &str,
        at: Span,
        node: NodeIndex,
        mapping: &StructMapping,
    ) -> Finding {
        let info = self.graph.info(node);
        let file = self.inv.sources.name(info.span.file);
        let (how, fix) = if info.kind == NodeKind::Store {
            (
                "does not declare holding it",
                format!(
                    "declare it under `holds` of store `{}` in {file}:\n    - data: [{category}]\n      retention: <how long it is kept, e.g. until-account-deleted>",
                    info.id
                ),
            )
        } else {
            (
                "receives it through no declared flow",
                format!(
                    "declare a flow into system `{}` in {file}:\n  - from: <where it comes from>\n    to: {}\n    data: [{category}]\n    purpose: <why>",
                    info.id, info.id
                ),
            )
        };
        let finding = Finding::new(
            "undeclared-personal-field",
            Severity::Error,
            format!(
                "`{}` holds `{category}`, but {} `{}` {how}",
                field.display_name(),
                info.kind.noun(),
                info.id
            ),
        )
        .at(at, format!("`{category}` ({evidence})"))
        .keyed(field_key(field));
        let into_system = self
            .graph
            .graph
            .edges_directed(node, petgraph::Direction::Incoming)
            .filter_map(
                |e| match self.graph.graph[petgraph::visit::EdgeRef::id(&e)] {
                    crate::graph::GraphEdge::Flow(i) => Some(&self.inv.decl.flows[i]),
                    crate::graph::GraphEdge::Backup(_) => None,
                },
            )
            .min_by_key(|f| f.span.start);
        let finding = match (info.kind, into_system) {
            (NodeKind::Store, _) => finding.fixable(crate::fix::Fix::DeclareHolding {
                store: info.id.clone(),
                categories: vec![category.to_owned()],
            }),
            (_, Some(flow)) => finding.fixable(crate::fix::Fix::AddFlowCategory {
                flow: flow.span,
                category: category.to_owned(),
            }),
            _ => finding,
        };
        finding
        .with_related(
            mapping.pattern.span,
            format!("`{}` is mapped to `{}` here", field.item, info.id),
        )
        .with_related(info.span, format!("{} declared here", info.kind.noun()))
        .with_help(format!(
            "{fix}\nor, if the field holds no personal data, mark it: `// ropa: not-personal (why)`"
        ))
    }

    fn unmapped_struct(
        &self,
        item_path: &str,
        fields: &[(&FileFacts, &FieldFact, &str)],
    ) -> Finding {
        let kind = if fields.iter().any(|(_, f, _)| f.variant.is_some()) {
            "enum"
        } else {
            "struct"
        };
        let mut finding = Finding::new(
            "unmapped-personal-struct",
            Severity::Warning,
            format!(
                "{kind} `{item_path}` holds personal data ({}) but the inventory maps it to no store or system",
                fields
                    .iter()
                    .map(|(_, f, c)| match &f.variant {
                        Some(variant) => format!("`{variant}.{}`: `{c}`", f.name),
                        None => format!("`{}`: `{c}`", f.name),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        for (index, (file, field, category)) in fields.iter().enumerate() {
            let Some(source) = file.source else {
                continue;
            };
            let at = span(source, field.at);
            if index == 0 {
                finding = finding.at(at, format!("`{category}`"));
            } else {
                finding = finding.with_related(at, format!("`{category}`"));
            }
        }
        let item = item_path.rsplit("::").next().unwrap_or(item_path);
        // With one system in scope, the struct is most likely handled by it.
        let systems: Vec<&str> = self
            .inv
            .decl
            .systems
            .iter()
            .filter(|s| self.same_scope(s.common.organization))
            .map(|s| s.common.id.value.as_str())
            .collect();
        if let [system] = systems.as_slice() {
            finding = finding.fixable(crate::fix::Fix::MapStruct {
                pattern: format!("*::{item}"),
                to: (*system).to_owned(),
                section: self.section.span,
            });
        }
        finding.keyed(item_path).with_related(self.section.span, "the inventory's `code` section").with_help(format!(
            "map it under `code.structs`:\n  - match: \"*::{item}\"\n    to: <the store it is saved to, or the system that handles it>\nor mark fields that hold no personal data: `// ropa: not-personal (why)`"
        ))
    }

    /// `prohibited` rules, and `retention` rules with `max: none`, that forbid a
    /// persisted field of `category` in `node`. Reports each and says whether any did.
    fn forbidding_rules(
        &self,
        node: NodeIndex,
        category: &str,
        at: Span,
        field: &FieldFact,
        out: &mut Vec<Finding>,
    ) -> bool {
        // Code is checked where it persists data; what systems receive is checked on
        // the flows.
        if self.graph.info(node).kind != NodeKind::Store {
            return false;
        }
        let Some(key) = self.category(category) else {
            return false;
        };
        let mut forbidden = false;
        for (ctx, nodes) in &self.forbidding {
            if !ctx.selects_category(node, key) || !ctx.node_selected(nodes, node) {
                continue;
            }
            let rule = ctx.rule;
            forbidden = true;
            let target = &self.graph.info(node).id;
            let verb = match rule.kind {
                RuleKind::Prohibited { .. } => "is prohibited",
                _ => "may not be retained",
            };
            out.push(
                ctx.finding(
                    format!(
                        "`{}` keeps `{category}` in `{target}`, which {verb} by rule `{}`",
                        field.display_name(),
                        rule.id.value
                    ),
                    at,
                    format!("`{category}` persisted to `{target}`"),
                )
                .keyed(field_key(field))
                .with_help(format!(
                    "do not persist `{}`: drop the field from `{}` or keep it out of what is saved to `{target}`",
                    field.name, field.item
                )),
            );
        }
        forbidden
    }

    fn annotation(&self, source: FileId, field: &FieldFact, out: &mut Vec<Finding>) {
        let Some(annotation) = &field.annotation else {
            return;
        };
        let at = span(source, annotation.at);
        let problem = match &annotation.kind {
            AnnotationKind::Invalid(message) => Some((message.clone(), None)),
            AnnotationKind::Allow { code, .. }
                if !crate::catalog::all_codes().any(|c| c == code) =>
            {
                Some((
                    format!("`{code}` in `ropa: allow(...)` is not a finding code"),
                    crate::text::closest(code, crate::catalog::all_codes()),
                ))
            }
            AnnotationKind::Category(key) if self.category(key).is_none() => {
                let suggestion = self.inv.taxonomy.categories.closest(key);
                Some((
                    format!("`{key}` in a `ropa:` comment is not a data category"),
                    suggestion,
                ))
            }
            _ => None,
        };
        if let Some((message, suggestion)) = problem {
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`? The comment is ignored until it is fixed"),
                None => "write `// ropa: not-personal (why)` or `// ropa: <category>`, e.g. `// ropa: user.contact.email`; the comment is ignored until it is fixed".to_owned(),
            };
            out.push(
                Finding::new("invalid-annotation", Severity::Warning, message)
                    .at(at, "this comment")
                    .keyed(field_key(field))
                    .with_help(help),
            );
        }
    }

    fn dependencies(&self, scan: &SectionScan, out: &mut Vec<Finding>) {
        let d = &self.inv.decl;
        let recipients: Vec<(&str, &crate::inventory::model::NodeCommon, Option<&str>)> = d
            .subprocessors
            .iter()
            .map(|s| {
                (
                    "subprocessor",
                    &s.common,
                    s.legal_name.as_ref().map(|l| l.value.as_str()),
                )
            })
            .chain(
                d.third_parties
                    .iter()
                    .map(|t| ("third party", &t.common, None)),
            )
            .filter(|(_, common, _)| self.same_scope(common.organization))
            .collect();
        for manifest in &scan.scan.manifests {
            for dependency in &manifest.dependencies {
                let Some(sdk) = manifest::sdk(&dependency.krate) else {
                    continue;
                };
                // `code.sdks: { aws-sdk-s3: r2-storage }`: the crate talks to a node the
                // inventory declares, under another vendor's name.
                let mapped = self.section.sdks.iter().any(|(krate, node)| {
                    krate.value == dependency.krate && self.graph.node(&node.value).is_some()
                });
                if mapped {
                    continue;
                }
                let declared = recipients.iter().any(|(_, common, legal)| {
                    let mut names = vec![common.id.value.as_str()];
                    names.extend(common.name.as_ref().map(|n| n.value.as_str()));
                    names.extend(*legal);
                    sdk.is_named_by(&names)
                });
                if declared {
                    continue;
                }
                out.push(
                    Finding::new(
                        "undeclared-third-party",
                        Severity::Error,
                        format!(
                            "dependency `{}` sends data to {} ({}, usually {}), which the inventory does not declare",
                            dependency.krate, sdk.legal_name, sdk.kind, sdk.region
                        ),
                    )
                    .at(span(manifest.source, dependency.at), format!("{} SDK", sdk.kind))
                    .keyed(format!("dependencies.{}", dependency.krate))
                    .fixable(crate::fix::Fix::AddSubprocessor {
                        vendor: sdk.vendor.to_owned(),
                        legal_name: sdk.legal_name.to_owned(),
                        country: if sdk.region.starts_with("Netherlands") { "NL" } else { "US" }.to_owned(),
                        near: self.section.span,
                    })
                    .with_related(self.section.span, "the inventory's `code` section")
                    .with_help(format!(
                        "declare the vendor under `subprocessors`:\n  - id: {}\n    legal_name: {}\n    region: <region id>\n    purposes: [<what it is used for>]\n    dpa: true\nand the flows that send it data; or, if the crate talks to a node you declare under another name, map it in the `code` section: `sdks: {{ {}: <node id> }}`; or remove the dependency",
                        sdk.vendor, sdk.legal_name, dependency.krate
                    )),
                );
            }
        }
    }

    /// The log store's declared categories, if the section names one.
    fn log_store(&self) -> Option<(NodeIndex, Vec<KeyId>)> {
        let id = self.section.logs.as_ref()?;
        let node = self.graph.node(&id.value)?;
        Some((node, self.declared(node)))
    }

    fn logs(&self, scan: &SectionScan, out: &mut Vec<Finding>) {
        let log_store = self.log_store();
        for value in verdicts::logged_values(&scan.scan, &scan.statuses) {
            let Some(source) = value.file.source else {
                continue;
            };
            let category = &value.category;
            if let (Some((_, held)), Some(key)) = (&log_store, self.category(category))
                && held.iter().any(|h| self.overlaps(key, *h))
            {
                continue;
            }
            let expr = &value.argument.expr;
            let help = match &log_store {
                Some((node, _)) => format!(
                    "log an id or a redacted value instead (e.g. `redact({expr})`), or declare `{category}` under `holds` of the log store `{}`",
                    self.graph.info(*node).id
                ),
                None => format!(
                    "log an id or a redacted value instead (e.g. `redact({expr})`); if logs may hold it, name the log store in `code.logs` and declare `{category}` under its `holds`"
                ),
            };
            out.push(
                Finding::new(
                    "personal-data-in-logs",
                    Severity::Error,
                    format!(
                        "`{}!` logs `{expr}`, which holds `{category}`",
                        value.call.macro_name
                    ),
                )
                .at(
                    span(source, value.argument.at),
                    format!("`{category}` ({})", value.reason),
                )
                .keyed(format!("{}!({expr})", value.call.macro_name))
                .with_related(span(source, value.call.at), "logged here")
                .with_help(help),
            );
        }
    }

    /// `exclude` globs that match no path under the roots: they exclude nothing, so the
    /// folder they were meant to skip (if it exists) is being scanned.
    fn unused_excludes(&self, scan: &SectionScan, out: &mut Vec<Finding>) {
        for pattern in scan
            .unused_excludes
            .iter()
            .filter_map(|i| self.section.exclude.get(*i))
        {
            out.push(
                Finding::new(
                    "unused-exclude",
                    Severity::Warning,
                    format!(
                        "exclude pattern `{}` matches no path under the code roots",
                        pattern.value
                    ),
                )
                .at(pattern.span, "excludes nothing")
                .with_help(
                    "patterns match paths relative to each root, such as `src/generated/**` or `**/tests/**`; correct the pattern or remove it",
                ),
            );
        }
    }

    fn skipped(&self, scan: &SectionScan, out: &mut Vec<Finding>) {
        for skipped in &scan.scan.skipped {
            let mut finding = Finding::new(
                "skipped-source",
                Severity::Warning,
                format!(
                    "{} was not scanned: {}",
                    skipped.path.display(),
                    skipped.reason
                ),
            );
            match (skipped.source, skipped.at) {
                (Some(file), Some(at)) => finding = finding.at(span(file, at), "here"),
                _ => finding = finding.in_file(skipped.path.display().to_string()),
            }
            out.push(finding.with_help(
                "ropa reads Rust and Cargo.toml files without building them; fix the file or exclude it under `code.exclude`",
            ));
        }
    }
}

/// The logical key of a field finding: `models::user::User.email`, with the variant
/// for enum fields (`models::Event::SignedUp.email`).
fn field_key(field: &FieldFact) -> String {
    let mut key = field.item_path();
    if let Some(variant) = &field.variant {
        key.push_str("::");
        key.push_str(variant);
    }
    key.push('.');
    key.push_str(&field.name);
    key
}
