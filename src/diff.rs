//! What a change does to the data map: two audits (the base and the head of a pull
//! request) compared for what a reviewer must look at. New and removed recipients,
//! flows, regions and data categories; nodes that moved region; categories newly
//! reaching a recipient or newly crossing a border; rules added, removed, changed or
//! weakened; findings introduced and fixed (by fingerprint).

use crate::audit::Audit;
use crate::finding::Finding;
use crate::graph::DataFlowGraph;
use crate::inventory::Inventory;
use crate::inventory::model::{NodeKind, NodeMatch, Rule, RuleKind};
use petgraph::visit::EdgeRef;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A recipient (sub-processor or third party) that appeared or went.
#[derive(Serialize, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Recipient {
    pub id: String,
    pub kind: &'static str,
    pub regions: Vec<String>,
}

/// A flow that appeared or went, named by its id or `from → to`.
#[derive(Serialize, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FlowChange {
    pub flow: String,
    pub from: String,
    pub to: String,
    pub data: Vec<String>,
}

/// A node whose regions changed.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Moved {
    pub node: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

/// Categories that reach a recipient now and did not before.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Reaching {
    pub recipient: String,
    pub categories: Vec<String>,
}

/// A category that now crosses from one region to another.
#[derive(Serialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Crossing {
    pub category: String,
    pub from: String,
    pub to: String,
    pub flow: String,
}

/// A rule present on both sides whose text changed; `weakened` says how it now
/// promises less, when it does.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct RuleChange {
    pub rule: String,
    pub weakened: Vec<String>,
}

/// A finding introduced or fixed.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct FindingChange {
    pub fingerprint: String,
    pub code: String,
    pub rule: Option<String>,
    pub severity: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Everything the change does, each list sorted.
#[derive(Serialize, Debug, Default)]
pub struct Changes {
    pub recipients_added: Vec<Recipient>,
    pub recipients_removed: Vec<Recipient>,
    pub flows_added: Vec<FlowChange>,
    pub flows_removed: Vec<FlowChange>,
    pub regions_added: Vec<String>,
    pub regions_removed: Vec<String>,
    pub nodes_moved: Vec<Moved>,
    pub categories_added: Vec<String>,
    pub categories_removed: Vec<String>,
    pub newly_reaching: Vec<Reaching>,
    pub newly_crossing: Vec<Crossing>,
    pub rules_added: Vec<String>,
    pub rules_removed: Vec<String>,
    pub rules_changed: Vec<RuleChange>,
    pub findings_introduced: Vec<FindingChange>,
    pub findings_fixed: Vec<FindingChange>,
}

impl Changes {
    /// Whether the data map, the rules and the findings are the same on both sides.
    pub fn is_empty(&self) -> bool {
        self.recipients_added.is_empty()
            && self.recipients_removed.is_empty()
            && self.flows_added.is_empty()
            && self.flows_removed.is_empty()
            && self.regions_added.is_empty()
            && self.regions_removed.is_empty()
            && self.nodes_moved.is_empty()
            && self.categories_added.is_empty()
            && self.categories_removed.is_empty()
            && self.newly_reaching.is_empty()
            && self.newly_crossing.is_empty()
            && self.rules_added.is_empty()
            && self.rules_removed.is_empty()
            && self.rules_changed.is_empty()
            && self.findings_introduced.is_empty()
            && self.findings_fixed.is_empty()
    }
}

/// Items of `head` not in `base`.
fn added<T: Ord + Clone>(base: &BTreeSet<T>, head: &BTreeSet<T>) -> Vec<T> {
    head.difference(base).cloned().collect()
}

fn region_ids(inv: &Inventory, regions: &[crate::graph::Placement]) -> Vec<String> {
    regions
        .iter()
        .filter_map(|p| inv.decl.regions.get(p.region))
        .map(|r| r.id.value.clone())
        .collect()
}

fn recipients(inv: &Inventory, graph: &DataFlowGraph) -> BTreeMap<String, Recipient> {
    graph
        .info
        .iter()
        .filter(|i| matches!(i.kind, NodeKind::Subprocessor | NodeKind::ThirdParty))
        .map(|i| {
            (
                i.id.clone(),
                Recipient {
                    id: i.id.clone(),
                    kind: i.kind.noun(),
                    regions: region_ids(inv, &i.regions),
                },
            )
        })
        .collect()
}

/// Each flow by what it is (id or ends, and its sorted categories), hashed: the flows of
/// a large inventory are compared without copying them.
fn flow_keys(inv: &Inventory) -> std::collections::HashMap<u64, usize> {
    use std::hash::Hasher;
    inv.decl
        .flows
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut hasher = fnv::FnvHasher::default();
            for part in [
                f.id.as_ref().map_or("", |id| id.value.as_str()),
                &f.from.value,
                &f.to.value,
            ] {
                hasher.write(part.as_bytes());
                hasher.write(&[0]);
            }
            let mut data: Vec<&str> = f.data.iter().map(|d| d.value.as_str()).collect();
            data.sort_unstable();
            for key in data {
                hasher.write(key.as_bytes());
                hasher.write(&[1]);
            }
            (hasher.finish(), i)
        })
        .collect()
}

fn flow_change(f: &crate::inventory::model::Flow) -> FlowChange {
    let mut data: Vec<String> = f.data.iter().map(|d| d.value.clone()).collect();
    data.sort();
    FlowChange {
        flow: f.label(),
        from: f.from.value.clone(),
        to: f.to.value.clone(),
        data,
    }
}

/// The flows of `inv` (by index) whose key `other` does not have.
fn flows_missing_from(
    inv: &Inventory,
    keys: &std::collections::HashMap<u64, usize>,
    other: &std::collections::HashMap<u64, usize>,
) -> Vec<FlowChange> {
    let mut changes: Vec<FlowChange> = keys
        .iter()
        .filter(|(key, _)| !other.contains_key(*key))
        .map(|(_, i)| flow_change(&inv.decl.flows[*i]))
        .collect();
    changes.sort();
    changes
}

fn categories(inv: &Inventory) -> std::collections::HashSet<&str> {
    let flows = inv.decl.flows.iter().flat_map(|f| f.data.iter());
    let holds = inv
        .decl
        .stores
        .iter()
        .flat_map(|s| s.holds.iter().flat_map(|h| h.data.iter()));
    flows.chain(holds).map(|d| d.value.as_str()).collect()
}

/// Per recipient, the categories that reach it (not anonymized).
fn reaching(audit: &Audit) -> BTreeMap<&str, BTreeSet<&str>> {
    let g = &audit.graph;
    let tree = &audit.inventory.taxonomy.categories;
    let mut map: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for node in g.graph.node_indices() {
        let info = g.info(node);
        if !matches!(info.kind, NodeKind::Subprocessor | NodeKind::ThirdParty) {
            continue;
        }
        let keys = g
            .incoming(node)
            .filter(|(_, d)| !d.anonymized)
            .map(|(_, d)| tree.key(d.category));
        map.entry(info.id.as_str()).or_default().extend(keys);
    }
    map
}

/// Every flow crossing a border: its regions on each side, its name, and the
/// categories it carries (not anonymized).
fn crossings(audit: &Audit) -> Vec<(String, String, String, Vec<&str>)> {
    let g = &audit.graph;
    let inv = &audit.inventory;
    let tree = &inv.taxonomy.categories;
    let mut list = Vec::new();
    for edge in g.graph.edge_references() {
        if !g.crosses_border(inv, edge.id()) {
            continue;
        }
        let from = region_ids(inv, &g.info(edge.source()).regions).join(",");
        let to = region_ids(inv, &g.info(edge.target()).regions).join(",");
        let flow = match g.graph[edge.id()] {
            crate::graph::GraphEdge::Flow(i) => inv.decl.flows[i].label(),
            crate::graph::GraphEdge::Backup(i) => {
                format!("the backup of `{}`", inv.decl.stores[i].common.id.value)
            }
        };
        let keys = g
            .carried(edge.id())
            .iter()
            .filter(|d| !d.anonymized)
            .map(|d| tree.key(d.category))
            .collect();
        list.push((from, to, flow, keys));
    }
    list
}

/// The crossings of `head` that `base` does not have.
fn new_crossings(base: &Audit, head: &Audit) -> Vec<Crossing> {
    let before = crossings(base);
    let seen: std::collections::HashSet<(&str, &str, &str, &str)> = before
        .iter()
        .flat_map(|(from, to, flow, keys)| {
            keys.iter()
                .map(move |k| (*k, from.as_str(), to.as_str(), flow.as_str()))
        })
        .collect();
    let mut new: Vec<Crossing> = crossings(head)
        .iter()
        .flat_map(|(from, to, flow, keys)| {
            keys.iter()
                .filter(|k| !seen.contains(&(**k, from.as_str(), to.as_str(), flow.as_str())))
                .map(|k| Crossing {
                    category: (*k).to_owned(),
                    from: from.clone(),
                    to: to.clone(),
                    flow: flow.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    new.sort();
    new.dedup();
    new
}

fn selector_items(selector: &[NodeMatch]) -> BTreeSet<String> {
    selector.iter().map(NodeMatch::text).collect()
}

fn ids(items: &[crate::inventory::model::Id]) -> BTreeSet<String> {
    items.iter().map(|i| i.value.clone()).collect()
}

/// The lists of a rule kind that make it promise less as they grow (`true`) or as they
/// shrink (`false`), by name.
fn aspects(kind: &RuleKind) -> Vec<(&'static str, BTreeSet<String>, bool)> {
    let mut list = vec![("data", ids(kind.data()), false)];
    match kind {
        RuleKind::Location {
            allowed_regions,
            nodes,
            ..
        } => {
            list.push(("allowed_regions", ids(allowed_regions), true));
            list.push(("nodes", selector_items(nodes), false));
        }
        RuleKind::Transfer {
            allowed_regions,
            mechanisms,
            to,
            ..
        } => {
            list.push(("allowed_regions", ids(allowed_regions), true));
            list.push(("mechanisms", ids(mechanisms), true));
            list.push(("to", selector_items(to), false));
        }
        RuleKind::Sharing {
            to,
            from,
            allow_data,
            allow_recipients,
            allow_purposes,
            deny_purposes,
            unless_basis,
            ..
        } => {
            list.push(("to", selector_items(to), false));
            list.push(("from", selector_items(from), false));
            list.push((
                "allow_data",
                allow_data.as_deref().map(ids).unwrap_or_default(),
                true,
            ));
            list.push(("allow_recipients", ids(allow_recipients), true));
            list.push(("allow_purposes", ids(allow_purposes), true));
            list.push(("deny_purposes", ids(deny_purposes), false));
            list.push(("unless_basis", ids(unless_basis), true));
        }
        RuleKind::Retention { nodes, .. } | RuleKind::Prohibited { nodes, .. } => {
            list.push(("nodes", selector_items(nodes), false));
        }
        RuleKind::Encryption { nodes, .. } => list.push(("nodes", selector_items(nodes), false)),
        RuleKind::LawfulBasis {
            purposes, require, ..
        } => {
            list.push(("purposes", ids(purposes), false));
            list.push(("require", ids(require), true));
        }
        RuleKind::Alternatives { nodes, .. } => list.push(("nodes", ids(nodes), false)),
        RuleKind::Notice { nodes, .. } => list.push(("nodes", selector_items(nodes), false)),
    }
    list
}

/// How `head` promises less than `base`, in words; empty when it does not.
fn weakened(base: &Rule, head: &Rule) -> Vec<String> {
    let mut why = Vec::new();
    if base.kind.code() != head.kind.code() {
        why.push(format!(
            "its kind changed from `{}` to `{}`",
            base.kind.code(),
            head.kind.code()
        ));
        return why;
    }
    if head.severity < base.severity {
        why.push(format!(
            "its severity went down from {} to {}",
            base.severity, head.severity
        ));
    }
    if base.kind.include_anonymized() && !head.kind.include_anonymized() {
        why.push("it no longer covers anonymized data".to_owned());
    }
    let list = |items: Vec<&String>| {
        items
            .iter()
            .map(|i| format!("`{i}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for ((name, before, grows_weaker), (_, after, _)) in
        aspects(&base.kind).into_iter().zip(aspects(&head.kind))
    {
        // An empty selector selects everything: emptying one widens it.
        let widened = !before.is_empty() && after.is_empty();
        let (gained, lost): (Vec<&String>, Vec<&String>) = (
            after.difference(&before).collect(),
            before.difference(&after).collect(),
        );
        if grows_weaker && !gained.is_empty() {
            why.push(format!("`{name}` now also allows {}", list(gained)));
        } else if !grows_weaker && !lost.is_empty() && !widened {
            why.push(format!("`{name}` no longer includes {}", list(lost)));
        }
    }
    if let (
        RuleKind::Retention {
            max: Some(before), ..
        },
        RuleKind::Retention { max: after, .. },
    ) = (&base.kind, &head.kind)
    {
        match after {
            None => why.push(format!("its `max: {}` was removed", before.value)),
            Some(after) if after.value.exceeds(&before.value) => why.push(format!(
                "its `max` grew from {} to {}",
                before.value, after.value
            )),
            _ => {}
        }
    }
    if let (RuleKind::Notice { period: before, .. }, RuleKind::Notice { period: after, .. }) =
        (&base.kind, &head.kind)
        && before.value.exceeds(&after.value)
    {
        why.push(format!(
            "its notice `period` went down from {} to {}",
            before.value, after.value
        ));
    }
    if !base.subjects.is_empty() || !head.subjects.is_empty() {
        let (before, after) = (
            selector_items(&base.subjects),
            selector_items(&head.subjects),
        );
        if before != after {
            why.push("the data subjects it is about changed".to_owned());
        }
    }
    why
}

/// The text of a rule as written, whitespace collapsed, to tell whether it changed.
fn rule_text(inv: &Inventory, rule: &Rule) -> String {
    let text = inv.sources.text(rule.span.file);
    let start = rule.span.start as usize;
    let end = crate::fingerprint::extent(text, start);
    text.get(start..end)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn finding_change(f: &Finding, audit: &Audit, root: Option<&Path>) -> FindingChange {
    let sources = &audit.inventory.sources;
    let (file, line, column) = match (f.span, &f.file) {
        (Some(span), _) => {
            let p = sources.position(span);
            (p.file, p.line, p.column)
        }
        (None, Some(file)) => (file.clone(), 0, 0),
        (None, None) => (String::new(), 0, 0),
    };
    FindingChange {
        fingerprint: f.fingerprint.clone(),
        code: f.code.to_owned(),
        rule: f.rule.clone(),
        severity: f.severity.to_string(),
        file: crate::fingerprint::relative_path(&file, root),
        line,
        column,
        message: f.message.clone(),
    }
}

/// Compares two audits; `base_root` and `head_root` are what each side's file paths are
/// relative to.
pub fn compare(
    base: &Audit,
    head: &Audit,
    base_root: Option<&Path>,
    head_root: Option<&Path>,
) -> Changes {
    let (bi, hi) = (&base.inventory, &head.inventory);
    let mut changes = Changes::default();
    let (br, hr) = (recipients(bi, &base.graph), recipients(hi, &head.graph));
    changes.recipients_added = hr
        .iter()
        .filter(|(id, _)| !br.contains_key(*id))
        .map(|(_, r)| Recipient {
            id: r.id.clone(),
            kind: r.kind,
            regions: r.regions.clone(),
        })
        .collect();
    changes.recipients_removed = br
        .iter()
        .filter(|(id, _)| !hr.contains_key(*id))
        .map(|(_, r)| Recipient {
            id: r.id.clone(),
            kind: r.kind,
            regions: r.regions.clone(),
        })
        .collect();
    let (bf, hf) = (flow_keys(bi), flow_keys(hi));
    changes.flows_added = flows_missing_from(hi, &hf, &bf);
    changes.flows_removed = flows_missing_from(bi, &bf, &hf);
    let region_set = |inv: &Inventory| -> BTreeSet<String> {
        inv.decl
            .regions
            .iter()
            .map(|r| r.id.value.clone())
            .collect()
    };
    changes.regions_added = added(&region_set(bi), &region_set(hi));
    changes.regions_removed = added(&region_set(hi), &region_set(bi));
    for info in &head.graph.info {
        if info.id.ends_with("#backup") {
            continue;
        }
        let Some(before) = base.graph.node(&info.id).map(|n| base.graph.info(n)) else {
            continue;
        };
        let (from, to) = (
            region_ids(bi, &before.regions),
            region_ids(hi, &info.regions),
        );
        if from != to {
            changes.nodes_moved.push(Moved {
                node: info.id.clone(),
                from,
                to,
            });
        }
    }
    let (bc, hc) = (categories(bi), categories(hi));
    let difference = |a: &std::collections::HashSet<&str>, b: &std::collections::HashSet<&str>| {
        let mut keys: Vec<String> = a.difference(b).map(|k| (*k).to_owned()).collect();
        keys.sort();
        keys
    };
    changes.categories_added = difference(&hc, &bc);
    changes.categories_removed = difference(&bc, &hc);
    let before = reaching(base);
    let nothing = BTreeSet::new();
    for (recipient, keys) in reaching(head) {
        let old = before.get(recipient).unwrap_or(&nothing);
        let new: Vec<String> = keys.difference(old).map(|k| (*k).to_owned()).collect();
        if !new.is_empty() {
            changes.newly_reaching.push(Reaching {
                recipient: recipient.to_owned(),
                categories: new,
            });
        }
    }
    changes.newly_crossing = new_crossings(base, head);
    let base_rules: BTreeMap<&str, &Rule> = bi
        .decl
        .rules
        .iter()
        .map(|r| (r.id.value.as_str(), r))
        .collect();
    let head_rules: BTreeMap<&str, &Rule> = hi
        .decl
        .rules
        .iter()
        .map(|r| (r.id.value.as_str(), r))
        .collect();
    changes.rules_added = head_rules
        .keys()
        .filter(|id| !base_rules.contains_key(*id))
        .map(|id| (*id).to_owned())
        .collect();
    changes.rules_removed = base_rules
        .keys()
        .filter(|id| !head_rules.contains_key(*id))
        .map(|id| (*id).to_owned())
        .collect();
    for (id, rule) in &head_rules {
        let Some(old) = base_rules.get(id) else {
            continue;
        };
        if rule_text(bi, old) != rule_text(hi, rule) {
            changes.rules_changed.push(RuleChange {
                rule: (*id).to_owned(),
                weakened: weakened(old, rule),
            });
        }
    }
    fn counts(audit: &Audit) -> std::collections::HashSet<&str> {
        audit
            .findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| f.fingerprint.as_str())
            .collect()
    }
    let (bp, hp) = (counts(base), counts(head));
    changes.findings_introduced = head
        .findings
        .iter()
        .filter(|f| f.suppression.is_none() && !bp.contains(f.fingerprint.as_str()))
        .map(|f| finding_change(f, head, head_root))
        .collect();
    changes.findings_fixed = base
        .findings
        .iter()
        .filter(|f| f.suppression.is_none() && !hp.contains(f.fingerprint.as_str()))
        .map(|f| finding_change(f, base, base_root))
        .collect();
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(text: &str) -> Audit {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.yaml");
        std::fs::write(&path, text).expect("write");
        match crate::audit::run_at(&[path], false, &crate::code::NoProgress, Some(dir.path())) {
            Ok(audit) => audit,
            Err(failure) => panic!("{:?}", failure.problems),
        }
    }

    const RULES: &str = "version: 1
regions:
  - { id: ie, country: IE }
  - { id: us, country: US }
stores:
  - { id: db, region: ie }
rules:
  - id: stay
    severity: error
    location: { data: [user.contact, user.name], allowed_regions: [ie], nodes: [db] }
  - id: tools
    transfer: { allowed_regions: [ie], mechanisms: [sccs] }
";

    #[test]
    fn weakened_rules_say_how() {
        let base = audit(RULES);
        let head = audit(
            &RULES
                .replace("severity: error", "severity: warning")
                .replace("[user.contact, user.name]", "[user.name]")
                .replace(
                    "allowed_regions: [ie], nodes",
                    "allowed_regions: [ie, us], nodes",
                )
                .replace("mechanisms: [sccs]", "mechanisms: [sccs, consent]"),
        );
        let changes = compare(&base, &head, None, None);
        let why: Vec<(&str, &[String])> = changes
            .rules_changed
            .iter()
            .map(|r| (r.rule.as_str(), r.weakened.as_slice()))
            .collect();
        assert_eq!(
            why,
            [
                (
                    "stay",
                    &[
                        "its severity went down from error to warning".to_owned(),
                        "`data` no longer includes `user.contact`".to_owned(),
                        "`allowed_regions` now also allows `us`".to_owned(),
                    ][..]
                ),
                (
                    "tools",
                    &["`mechanisms` now also allows `consent`".to_owned()][..]
                ),
            ]
        );
        assert_eq!(changes.regions_added, Vec::<String>::new());
    }
}
