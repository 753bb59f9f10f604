//! Cross-file validation after decoding: duplicate ids, references to unknown ids
//! (with "did you mean"), unknown taxonomy keys, taxonomy extensions, region cycles.

use super::model::*;
use super::regions::Regions;
use super::{NodeIndex, NodeRef};
use crate::finding::Finding;
use crate::source::Span;
use crate::taxonomy::{Taxonomy, Tree};
use crate::text::closest;
use std::collections::HashMap;

/// Everything validation produces besides problems.
pub struct Resolved {
    pub regions: Regions,
    pub nodes: NodeIndex,
}

pub fn validate(
    decl: &Declarations,
    taxonomy: &mut Taxonomy,
    problems: &mut Vec<Finding>,
) -> Resolved {
    extend_taxonomy(decl, taxonomy, problems);
    let nodes = index_nodes(decl, problems);
    unique(problems, "region", decl.regions.iter().map(|r| &r.id));
    unique(
        problems,
        "flow",
        decl.flows.iter().filter_map(|f| f.id.as_ref()),
    );
    unique(problems, "rule", decl.rules.iter().map(|r| &r.id));
    let regions = Regions::build(&decl.regions);
    let mut check = Checker {
        decl,
        taxonomy,
        regions: &regions,
        nodes: &nodes,
        problems,
    };
    check.regions();
    check.nodes();
    check.flows();
    check.rules();
    check.code();
    Resolved { regions, nodes }
}

fn duplicate(problems: &mut Vec<Finding>, what: &str, id: &Id, first: Span) {
    problems.push(
        Finding::input(
            "duplicate-id",
            format!("{what} id `{}` is declared twice", id.value),
        )
        .at(id.span, "declared again here")
        .with_related(first, "first declared here")
        .with_help("ids must be unique across all inventory files: rename one of them"),
    );
}

fn unique<'a>(problems: &mut Vec<Finding>, what: &str, ids: impl Iterator<Item = &'a Id>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for id in ids {
        match seen.get(id.value.as_str()) {
            Some(first) => duplicate(problems, what, id, *first),
            None => {
                seen.insert(&id.value, id.span);
            }
        }
    }
}

fn index_nodes(decl: &Declarations, problems: &mut Vec<Finding>) -> NodeIndex {
    let mut index: NodeIndex = HashMap::new();
    let all = decl
        .subjects
        .iter()
        .map(|n| &n.common)
        .enumerate()
        .map(|(i, c)| (NodeKind::Subject, i, c))
        .chain(
            decl.systems
                .iter()
                .enumerate()
                .map(|(i, n)| (NodeKind::System, i, &n.common)),
        )
        .chain(
            decl.stores
                .iter()
                .enumerate()
                .map(|(i, n)| (NodeKind::Store, i, &n.common)),
        )
        .chain(
            decl.subprocessors
                .iter()
                .enumerate()
                .map(|(i, n)| (NodeKind::Subprocessor, i, &n.common)),
        )
        .chain(
            decl.third_parties
                .iter()
                .enumerate()
                .map(|(i, n)| (NodeKind::ThirdParty, i, &n.common)),
        );
    let mut first_span: HashMap<String, Span> = HashMap::new();
    for (kind, i, common) in all {
        if let Some(first) = first_span.get(&common.id.value) {
            duplicate(problems, kind.noun(), &common.id, *first);
            continue;
        }
        first_span.insert(common.id.value.clone(), common.id.span);
        index.insert(common.id.value.clone(), NodeRef { kind, index: i });
    }
    index
}

/// Adds the inventory's own taxonomy keys; a key's parent is `parent:` or its dotted prefix.
fn extend_taxonomy(decl: &Declarations, taxonomy: &mut Taxonomy, problems: &mut Vec<Finding>) {
    let mut pending: Vec<&TaxonomyExtension> = Vec::new();
    for ext in &decl.taxonomy {
        let tree = taxonomy.tree(ext.tree);
        let earlier = pending
            .iter()
            .find(|p| p.tree == ext.tree && p.id.value == ext.id.value)
            .map(|p| Some(p.id.span));
        let existing =
            earlier.or_else(|| tree.get(&ext.id.value).map(|id| tree.entry(id).declared_at));
        let Some(first) = existing else {
            pending.push(ext);
            continue;
        };
        let finding = Finding::input(
            "duplicate-id",
            format!("{} `{}` is already defined", ext.tree.noun(), ext.id.value),
        )
        .at(ext.id.span, "defined again here");
        problems.push(match first {
            Some(first) => finding.with_related(first, "first defined here"),
            None => finding.with_help(
                "it is part of the built-in fideslang taxonomy: use it without declaring it",
            ),
        });
    }
    // Extensions may build on each other in any order: insert until nothing changes.
    loop {
        let before = pending.len();
        pending.retain(|ext| {
            let parent_key = parent_key(ext);
            let tree = taxonomy.tree_mut(ext.tree);
            let parent = match parent_key {
                Some(p) => match tree.get(p) {
                    Some(id) => Some(id),
                    None => return true,
                },
                None => None,
            };
            let name = ext
                .name
                .as_ref()
                .map_or(ext.id.value.as_str(), |n| n.value.as_str());
            let id = tree.insert(&ext.id.value, name, parent, Some(ext.id.span));
            if ext.sensitive && ext.tree == Tree::Category {
                taxonomy.mark_sensitive(id);
            }
            false
        });
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    for ext in pending {
        let parent = parent_key(ext).unwrap_or_default();
        let span = ext.parent.as_ref().map_or(ext.id.span, |p| p.span);
        let tree = taxonomy.tree(ext.tree);
        let mut finding = Finding::input(
            "unknown-category",
            format!(
                "parent `{parent}` of {} `{}` is not defined",
                ext.tree.noun(),
                ext.id.value
            ),
        )
        .at(span, "unknown parent");
        if let Some(s) = closest(parent, tree.keys()) {
            finding = finding.with_help(format!("did you mean `{s}`?"));
        }
        problems.push(finding);
    }
}

fn parent_key(ext: &TaxonomyExtension) -> Option<&str> {
    match &ext.parent {
        Some(p) => Some(p.value.as_str()),
        None => ext.id.value.rsplit_once('.').map(|(p, _)| p),
    }
}

struct Checker<'a> {
    decl: &'a Declarations,
    taxonomy: &'a Taxonomy,
    regions: &'a Regions,
    nodes: &'a NodeIndex,
    problems: &'a mut Vec<Finding>,
}

impl Checker<'_> {
    fn unknown(&mut self, what: &str, reference: &Id, candidates: Vec<&str>, help: &str) {
        let suggestion = closest(&reference.value, candidates.iter().copied());
        let mut finding = Finding::input(
            "unknown-reference",
            format!("unknown {what} `{}`", reference.value),
        )
        .at(reference.span, format!("no {what} has this id"));
        finding = match suggestion {
            Some(s) => finding.with_help(format!("did you mean `{s}`?")),
            None => finding.with_help(help.to_owned()),
        };
        self.problems.push(finding);
    }

    fn region_ref(&mut self, reference: &Id) {
        if !self.regions.contains_id(&reference.value) {
            let candidates = self
                .decl
                .regions
                .iter()
                .map(|r| r.id.value.as_str())
                .collect();
            self.unknown(
                "region",
                reference,
                candidates,
                "declare it under `regions`",
            );
        }
    }

    fn node_ref(&mut self, reference: &Id, kinds: &[NodeKind]) {
        let found = self.nodes.get(&reference.value);
        if found.is_some_and(|n| kinds.contains(&n.kind)) {
            return;
        }
        let what = match kinds {
            [one] => one.noun(),
            _ => "node",
        };
        if let Some(node) = found {
            self.problems.push(
                Finding::input(
                    "unknown-reference",
                    format!(
                        "`{}` is a {}, not a {what}",
                        reference.value,
                        node.kind.noun()
                    ),
                )
                .at(reference.span, format!("a {what} is expected here")),
            );
            return;
        }
        let candidates = self
            .nodes
            .iter()
            .filter(|(_, n)| kinds.contains(&n.kind))
            .map(|(id, _)| id.as_str())
            .collect();
        let sections: Vec<&str> = kinds.iter().map(|k| k.section()).collect();
        self.unknown(
            what,
            reference,
            candidates,
            &format!("declare it under {}", sections.join(" or ")),
        );
    }

    fn key(&mut self, tree: Tree, key: &Id) {
        self.key_or_word(tree, key, false);
    }

    /// A taxonomy key; data selectors in rules may also say `sensitive`.
    fn key_or_word(&mut self, tree: Tree, key: &Id, allow_sensitive: bool) {
        if allow_sensitive && key.value == "sensitive" {
            return;
        }
        if self.taxonomy.tree(tree).get(&key.value).is_some() {
            return;
        }
        let keys = self.taxonomy.tree(tree);
        let mut finding = Finding::input(
            "unknown-category",
            format!("unknown {} `{}`", tree.noun(), key.value),
        )
        .at(key.span, format!("not in the {} taxonomy", tree.noun()));
        finding = match closest(&key.value, keys.keys()) {
            Some(s) => finding.with_help(format!(
                "did you mean `{s}`? Keys follow the fideslang taxonomy (see docs/inventory.md); new ones can be declared under `taxonomy`"
            )),
            None => finding.with_help("keys follow the fideslang taxonomy (see docs/inventory.md); new ones can be declared under `taxonomy`"),
        };
        self.problems.push(finding);
    }

    fn keys(&mut self, tree: Tree, keys: &[Id]) {
        keys.iter().for_each(|k| self.key(tree, k));
    }

    fn regions(&mut self) {
        for region in &self.decl.regions {
            if let Some(parent) = &region.parent {
                self.region_ref(parent);
            }
        }
        for cycle in self.regions.cycles() {
            let names: Vec<&str> = cycle
                .iter()
                .map(|r| self.decl.regions[*r].id.value.as_str())
                .collect();
            let first = &self.decl.regions[cycle[0]];
            let span = first.parent.as_ref().map_or(first.id.span, |p| p.span);
            let mut finding = Finding::input(
                "region-cycle",
                format!("regions form a cycle: {} → {}", names.join(" → "), names[0]),
            )
            .at(span, "parent leads back to this region");
            for r in &cycle[1..] {
                let region = &self.decl.regions[*r];
                if let Some(p) = &region.parent {
                    finding =
                        finding.with_related(p.span, format!("parent of `{}`", region.id.value));
                }
            }
            self.problems.push(
                finding
                    .with_help("a region's `parent` must be a larger region; remove one `parent`"),
            );
        }
    }

    fn common(&mut self, common: &NodeCommon) {
        if let Some(region) = &common.region {
            self.region_ref(region);
        }
    }

    fn nodes(&mut self) {
        let decl = self.decl;
        for subject in &decl.subjects {
            if let Some(kind) = &subject.subject {
                self.key(Tree::Subject, kind);
            }
        }
        for system in &decl.systems {
            self.common(&system.common);
            if let Some(host) = &system.hosted_by {
                self.node_ref(host, &[NodeKind::Subprocessor]);
            }
        }
        for store in &decl.stores {
            self.common(&store.common);
            if let Some(host) = &store.hosted_by {
                self.node_ref(host, &[NodeKind::Subprocessor]);
            }
            for holding in &store.holds {
                self.keys(Tree::Category, &holding.data);
                if let Some(purpose) = &holding.purpose {
                    self.key(Tree::Use, purpose);
                }
            }
            if let Some(region) = store.backups.as_ref().and_then(|b| b.region.as_ref()) {
                self.region_ref(region);
            }
        }
        for sub in &decl.subprocessors {
            self.common(&sub.common);
            self.keys(Tree::Use, &sub.purposes);
        }
        for third in &decl.third_parties {
            self.common(&third.common);
            self.keys(Tree::Use, &third.purposes);
        }
    }

    fn flows(&mut self) {
        for flow in &self.decl.flows {
            self.node_ref(&flow.from, &NodeKind::ALL);
            self.node_ref(&flow.to, &NodeKind::ALL);
            self.keys(Tree::Category, &flow.data);
            if let Anonymized::Some(keys) = &flow.anonymized {
                self.keys(Tree::Category, keys);
            }
            if let Some(purpose) = &flow.purpose {
                self.key(Tree::Use, purpose);
            }
        }
    }

    fn node_selector(&mut self, selector: &[Id]) {
        for item in selector {
            if NodeKind::from_section(&item.value).is_none() {
                self.node_ref(item, &NodeKind::ALL);
            }
        }
    }

    fn data_selector(&mut self, selector: &[Id]) {
        selector
            .iter()
            .for_each(|k| self.key_or_word(Tree::Category, k, true));
    }

    fn region_selector(&mut self, selector: &[Id]) {
        for item in selector {
            let is_group = self
                .decl
                .regions
                .iter()
                .any(|r| r.groups.iter().any(|g| g.value == item.value));
            if !is_group {
                self.region_ref(item);
            }
        }
    }

    fn rules(&mut self) {
        for rule in &self.decl.rules {
            self.data_selector(rule.kind.data());
            match &rule.kind {
                RuleKind::Location {
                    allowed_regions,
                    nodes,
                    ..
                } => {
                    self.region_selector(allowed_regions);
                    self.node_selector(nodes);
                }
                RuleKind::Transfer {
                    allowed_regions, ..
                } => self.region_selector(allowed_regions),
                RuleKind::Sharing {
                    to,
                    from,
                    allow_data,
                    allow_recipients,
                    allow_purposes,
                    deny_purposes,
                    ..
                } => {
                    self.node_selector(to);
                    self.node_selector(from);
                    if let Some(allow) = allow_data {
                        self.data_selector(allow);
                    }
                    for recipient in allow_recipients {
                        self.node_ref(recipient, &NodeKind::ALL);
                    }
                    self.keys(Tree::Use, allow_purposes);
                    self.keys(Tree::Use, deny_purposes);
                }
                RuleKind::Retention { nodes, .. } | RuleKind::Prohibited { nodes, .. } => {
                    self.node_selector(nodes)
                }
                RuleKind::Encryption { .. } => {}
                RuleKind::LawfulBasis { purposes, .. } => self.keys(Tree::Use, purposes),
            }
        }
    }

    fn code(&mut self) {
        for section in &self.decl.code {
            for mapping in &section.structs {
                for target in &mapping.to {
                    self.node_ref(target, &[NodeKind::Store, NodeKind::System]);
                }
            }
            for field in &section.fields {
                if let FieldVerdict::Category(category) = &field.verdict {
                    self.key(Tree::Category, category);
                }
            }
            if let Some(logs) = &section.logs {
                self.node_ref(logs, &[NodeKind::Store]);
            }
        }
    }
}
