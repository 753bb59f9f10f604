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
    check.waivers();
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

/// The shared fields of the node `node` points at.
fn node_common(decl: &Declarations, node: NodeRef) -> &NodeCommon {
    match node.kind {
        NodeKind::Subject => &decl.subjects[node.index].common,
        NodeKind::System => &decl.systems[node.index].common,
        NodeKind::Store => &decl.stores[node.index].common,
        NodeKind::Subprocessor => &decl.subprocessors[node.index].common,
        NodeKind::ThirdParty => &decl.third_parties[node.index].common,
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
        finding = match keys.closest(&key.value) {
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
        for region in &common.regions {
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
                self.hosts_a_store(host, &store.common.id);
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
        for organization in &decl.organizations {
            for controller in &organization.controllers {
                self.keys(Tree::Use, &controller.purposes);
            }
        }
    }

    /// A subprocessor that hosts a store stores data: `stores_data: false` contradicts it.
    fn hosts_a_store(&mut self, host: &Id, store: &Id) {
        let Some(NodeRef {
            kind: NodeKind::Subprocessor,
            index,
        }) = self.nodes.get(&host.value).copied()
        else {
            return;
        };
        let sub = &self.decl.subprocessors[index];
        let Some(at) = sub.stores_data_at.filter(|_| !sub.stores_data) else {
            return;
        };
        self.problems.push(
            Finding::input(
                "invalid-value",
                format!(
                    "subprocessor `{}` says `stores_data: false` but hosts store `{}`",
                    host.value, store.value
                ),
            )
            .at(at, "contradicted by the hosting")
            .with_related(host.span, format!("`{}` hosts this store", host.value))
            .with_help(format!(
                "set `stores_data: true` on `{}`, or correct `hosted_by` of `{}`",
                host.value, store.value
            )),
        );
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

    /// A rule's node selector must select at least one node the rule sees; each id in
    /// it must be declared and visible to the rule, and each glob or `{ key: value }`
    /// item must pick at least one such node (a typo there would silently pass).
    fn node_selector(&mut self, rule: &Rule, selector: &[NodeMatch], key: &str) {
        let mut selects = false;
        for item in selector {
            match item {
                NodeMatch::Name(name) => match NodeKind::from_section(&name.value) {
                    Some(kind) => selects |= self.section_selects(rule, kind),
                    None if self.nodes.contains_key(&name.value) => {
                        // An id outside the rule's scope is reported on its own, once.
                        self.id_selects(rule, name, key);
                        selects = true;
                    }
                    // `subjects: [customer]`: the data subjects of a taxonomy key.
                    None if key == "subjects"
                        && self.taxonomy.tree(Tree::Subject).get(&name.value).is_some() =>
                    {
                        selects = true;
                        self.item_must_select(rule, item, key);
                    }
                    None => {
                        let kinds: &[NodeKind] = if key == "subjects" {
                            &[NodeKind::Subject]
                        } else {
                            &NodeKind::ALL
                        };
                        self.node_ref(name, kinds);
                        selects = true; // reported as an unknown reference
                    }
                },
                NodeMatch::Glob(..) | NodeMatch::Where(..) => {
                    selects = true; // reported on its own
                    let valid = match item {
                        NodeMatch::Where(conditions, _) => self.selector_conditions(conditions),
                        _ => true,
                    };
                    if valid {
                        self.item_must_select(rule, item, key);
                    }
                }
            }
        }
        // `to` of a sharing rule defaults to `[subprocessors, third_parties]`, written
        // nowhere (its span is the kind's key): only what the user wrote is checked.
        let written = selector.iter().any(|item| item.span() != rule.kind_span);
        let (false, true, Some(first)) = (selects, written, selector.first()) else {
            return;
        };
        let names: Vec<String> = selector.iter().map(NodeMatch::text).collect();
        let whose = self.whose(rule);
        let kinds: Vec<&str> = selector
            .iter()
            .filter_map(|i| i.name().and_then(|n| NodeKind::from_section(&n.value)))
            .map(|k| k.noun())
            .collect();
        let declares = if kinds.is_empty() {
            format!("{whose} sees none of these nodes")
        } else {
            format!("{whose} declares no {}", kinds.join(" and no "))
        };
        self.problems.push(
            Finding::input(
                "unmatched-selector",
                format!(
                    "`{key}: [{}]` of rule `{}` selects nothing: {declares}",
                    names.join(", "),
                    rule.id.value,
                ),
            )
            .at(first.span(), "selects no node")
            .with_help(format!(
                "a rule that selects nothing passes whatever the inventory says: declare the nodes it is about, or correct `{key}`"
            )),
        );
    }

    /// "organization `x`", or "the inventory" for a rule of a file with none.
    fn whose(&self, rule: &Rule) -> String {
        match rule.organization {
            Some(o) => format!("organization `{}`", self.organization_name(Some(o))),
            None => "the inventory".to_owned(),
        }
    }

    /// The values of a `{ key: value }` selector item must name what exists; says
    /// whether they all do.
    fn selector_conditions(&mut self, conditions: &[(Id, Id)]) -> bool {
        let before = self.problems.len();
        for (key, value) in conditions {
            match key.value.as_str() {
                "region" => self.region_selector(std::slice::from_ref(value)),
                "hosted_by" => self.node_ref(value, &[NodeKind::Subprocessor]),
                "subject" => self.key(Tree::Subject, value),
                _ => {}
            }
        }
        self.problems.len() == before
    }

    /// A glob, an attribute match or a subject key must pick a node the rule sees: one
    /// that picks none is most likely a typo, and would protect nothing.
    fn item_must_select(&mut self, rule: &Rule, item: &NodeMatch, key: &str) {
        if self.item_selects(rule, item) {
            return;
        }
        let whose = self.whose(rule);
        self.problems.push(
            Finding::input(
                "unmatched-selector",
                format!(
                    "`{}` in `{key}` of rule `{}` selects nothing: no node {whose} sees matches it",
                    item.text(),
                    rule.id.value
                ),
            )
            .at(item.span(), "selects no node")
            .with_help(format!(
                "an item that selects nothing protects nothing: correct it, or remove it from `{key}`"
            )),
        );
    }

    /// Whether one selector item picks a node the rule sees.
    fn item_selects(&self, rule: &Rule, item: &NodeMatch) -> bool {
        let matcher = super::select::Matcher {
            decl: self.decl,
            regions: self.regions,
            subjects: self.taxonomy.tree(Tree::Subject),
        };
        self.nodes.values().any(|node| {
            Self::in_scope(rule, node_common(self.decl, *node).organization)
                && matcher.matches(item, &super::select::facts(self.decl, self.regions, *node))
        })
    }

    /// Whether a declaration of `organization` is visible to `rule`: the same
    /// organization, or either has none.
    fn in_scope(rule: &Rule, organization: Option<usize>) -> bool {
        match (rule.organization, organization) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }

    fn organization_name(&self, organization: Option<usize>) -> &str {
        organization
            .and_then(|o| self.decl.organizations.get(o))
            .map_or("(none)", |o| o.id.value.as_str())
    }

    /// Whether a section name selects at least one node the rule sees.
    fn section_selects(&self, rule: &Rule, kind: NodeKind) -> bool {
        self.nodes
            .values()
            .filter(|n| n.kind == kind)
            .any(|n| Self::in_scope(rule, node_common(self.decl, *n).organization))
    }

    /// A node id in a rule's selector must be a node the rule sees: one of its own
    /// organization's, or one declared in a file with no organization.
    /// Says whether it does, reporting it when it does not.
    fn id_selects(&mut self, rule: &Rule, item: &Id, key: &str) -> bool {
        let Some(node) = self.nodes.get(&item.value).copied() else {
            return false;
        };
        let organization = node_common(self.decl, node).organization;
        if Self::in_scope(rule, organization) {
            return true;
        }
        let candidates: Vec<&str> = self
            .nodes
            .iter()
            .filter(|(_, n)| Self::in_scope(rule, node_common(self.decl, **n).organization))
            .map(|(id, _)| id.as_str())
            .collect();
        let suggestion = closest(&item.value, candidates.iter().copied());
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`? A rule sees only its own organization's nodes"),
            None => "a rule sees only its own organization's nodes (and those of files with no `organization`): move the rule to that organization's file".to_owned(),
        };
        let message = format!(
            "`{}` in `{key}` of rule `{}` selects nothing: it belongs to organization `{}`, which rules of `{}` do not see",
            item.value,
            rule.id.value,
            self.organization_name(organization),
            self.organization_name(rule.organization),
        );
        self.problems.push(
            Finding::input("unmatched-selector", message)
                .at(item.span, "outside the rule's organization")
                .with_help(help),
        );
        false
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
        let decl = self.decl;
        for rule in &decl.rules {
            self.data_selector(rule.kind.data());
            self.node_selector(rule, &rule.subjects, "subjects");
            match &rule.kind {
                RuleKind::Location {
                    allowed_regions,
                    nodes,
                    ..
                } => {
                    self.region_selector(allowed_regions);
                    self.node_selector(rule, nodes, "nodes");
                }
                RuleKind::Transfer {
                    allowed_regions,
                    to,
                    ..
                } => {
                    self.region_selector(allowed_regions);
                    self.node_selector(rule, to, "to");
                }
                RuleKind::Sharing {
                    to,
                    from,
                    allow_data,
                    allow_recipients,
                    allow_purposes,
                    deny_purposes,
                    ..
                } => {
                    self.node_selector(rule, to, "to");
                    self.node_selector(rule, from, "from");
                    if let Some(allow) = allow_data {
                        self.data_selector(allow);
                    }
                    for recipient in allow_recipients {
                        if self.nodes.contains_key(&recipient.value) {
                            self.id_selects(rule, recipient, "allow_recipients");
                        } else {
                            self.node_ref(recipient, &NodeKind::ALL);
                        }
                    }
                    self.keys(Tree::Use, allow_purposes);
                    self.keys(Tree::Use, deny_purposes);
                }
                RuleKind::Retention { nodes, .. }
                | RuleKind::Prohibited { nodes, .. }
                | RuleKind::Notice { nodes, .. } => self.node_selector(rule, nodes, "nodes"),
                RuleKind::Encryption { nodes, .. } => self.node_selector(rule, nodes, "nodes"),
                RuleKind::LawfulBasis { purposes, .. } => self.keys(Tree::Use, purposes),
                RuleKind::Alternatives { nodes, .. } => {
                    for node in nodes {
                        self.node_ref(
                            node,
                            &[
                                NodeKind::Subprocessor,
                                NodeKind::ThirdParty,
                                NodeKind::Store,
                                NodeKind::System,
                            ],
                        );
                    }
                }
            }
        }
    }

    /// A waiver names a declared node, flow and rule; the `severity` map gives each code
    /// one severity.
    fn waivers(&mut self) {
        let decl = self.decl;
        let flows: Vec<&str> = decl
            .flows
            .iter()
            .filter_map(|f| f.id.as_ref())
            .map(|id| id.value.as_str())
            .collect();
        let rules: Vec<&str> = decl.rules.iter().map(|r| r.id.value.as_str()).collect();
        for waiver in &decl.waivers {
            match &waiver.target {
                WaiverTarget::Node(id) => self.node_ref(id, &NodeKind::ALL),
                WaiverTarget::Flow(id) if !flows.contains(&id.value.as_str()) => self.unknown(
                    "flow",
                    id,
                    flows.clone(),
                    "name a flow by its `id` (a flow without one can be waived by `fingerprint`)",
                ),
                _ => {}
            }
            if let Some(rule) = &waiver.rule
                && !rules.contains(&rule.value.as_str())
            {
                self.unknown("rule", rule, rules.clone(), "name a rule by its `id`");
            }
        }
        let mut seen: HashMap<&str, &SeverityOverride> = HashMap::new();
        for entry in &decl.severities {
            match seen.get(entry.code.value.as_str()) {
                Some(first) if first.severity.value != entry.severity.value => self.problems.push(
                    Finding::input(
                        "invalid-value",
                        format!(
                            "`severity` sets `{}` to {} here and to {} elsewhere",
                            entry.code.value, entry.severity.value, first.severity.value
                        ),
                    )
                    .at(entry.severity.span, "second severity")
                    .with_related(first.severity.span, "first set here")
                    .with_help("give each code one severity across the inventory's files"),
                ),
                Some(_) => {}
                None => {
                    seen.insert(&entry.code.value, entry);
                }
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
            for (_, node) in &section.sdks {
                self.node_ref(
                    node,
                    &[
                        NodeKind::Subprocessor,
                        NodeKind::ThirdParty,
                        NodeKind::Store,
                        NodeKind::System,
                    ],
                );
            }
        }
    }
}
