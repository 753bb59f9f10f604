//! Evaluating the inventory's rules and the always-on checks on the data-flow graph.
//! One module per family of checks; this one holds what they share: a rule's scope
//! (its organization), its resolved data selector, and how a finding cites its rule.

mod always_on;
mod code;
mod coverage;
mod notice;
mod placement;
mod sharing;
mod storage;

pub use coverage::{Coverage, coverage};

use crate::finding::{Finding, PathHop, sort_findings};
use crate::graph::{DataFlowGraph, Datum, GraphEdge, GraphNode};
use crate::inventory::model::{Id, NodeKind, NodeMatch, Rule, RuleKind};
use crate::inventory::{Inventory, NodeRef, select};
use crate::source::Span;
use crate::taxonomy::{KeyId, KeyTree, Selector, Tree};
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::HashMap;

/// Runs every rule, every always-on check and the code checks on `code` (the scans of
/// the inventory's `code` sections; empty when code is not checked). Findings come back
/// in report order.
pub fn evaluate(
    inv: &Inventory,
    graph: &DataFlowGraph,
    code: &[crate::code::sections::SectionScan],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in &inv.decl.rules {
        let ctx = RuleContext::new(inv, graph, rule);
        match &rule.kind {
            RuleKind::Location { .. } => placement::location(&ctx, &mut findings),
            RuleKind::Transfer { .. } => placement::transfer(&ctx, &mut findings),
            RuleKind::Sharing { .. } => sharing::sharing(&ctx, &mut findings),
            RuleKind::Retention { .. } => storage::retention(&ctx, &mut findings),
            RuleKind::Encryption { .. } => storage::encryption(&ctx, &mut findings),
            RuleKind::Prohibited { .. } => storage::prohibited(&ctx, &mut findings),
            RuleKind::LawfulBasis { .. } => sharing::lawful_basis(&ctx, &mut findings),
            RuleKind::Alternatives { .. } => sharing::alternatives(&ctx, &mut findings),
            RuleKind::Notice { .. } => notice::notice(&ctx, &mut findings),
        }
    }
    always_on::check(inv, graph, &mut findings);
    findings.extend(crate::record::incomplete(inv, graph));
    code::check(inv, graph, code, &mut findings);
    sort_findings(&mut findings);
    findings
}

/// Resolves a list of taxonomy keys (and the word `sensitive`) into a selector.
pub fn selector(tree: &KeyTree, keys: &[Id]) -> Selector {
    Selector {
        keys: keys.iter().filter_map(|k| tree.get(&k.value)).collect(),
        sensitive: keys.iter().any(|k| k.value == "sensitive"),
    }
}

/// What one rule's checks share.
pub(crate) struct RuleContext<'a> {
    pub inv: &'a Inventory,
    pub graph: &'a DataFlowGraph,
    pub rule: &'a Rule,
    data: Selector,
    /// With `subjects`: per node, the categories that reach it (or leave it, for a
    /// subject) from the selected data subjects. `None`: the rule is about everyone.
    from_subjects: Option<HashMap<NodeIndex, Vec<KeyId>>>,
}

impl<'a> RuleContext<'a> {
    fn new(inv: &'a Inventory, graph: &'a DataFlowGraph, rule: &'a Rule) -> Self {
        let data = selector(&inv.taxonomy.categories, rule.kind.data());
        let mut ctx = RuleContext {
            inv,
            graph,
            rule,
            data,
            from_subjects: None,
        };
        if !rule.subjects.is_empty() {
            ctx.from_subjects = Some(ctx.trace_subjects());
        }
        ctx
    }

    /// Follows the data of the rule's `subjects` along the flows: a category reaches a
    /// node from them when a flow carrying it (or a category below or above it) leaves a
    /// selected subject, or a node it already reached.
    fn trace_subjects(&self) -> HashMap<NodeIndex, Vec<KeyId>> {
        let g = self.graph;
        let tree = self.categories();
        let mut reached: HashMap<NodeIndex, Vec<KeyId>> = HashMap::new();
        let mut work: Vec<(NodeIndex, KeyId)> = Vec::new();
        for node in g.graph.node_indices() {
            let info = g.info(node);
            if info.kind != NodeKind::Subject
                || !self.node_in_scope(node)
                || !self.node_selected(&self.rule.subjects, node)
            {
                continue;
            }
            for edge in g.graph.edges(node) {
                for datum in g.carried(edge.id()) {
                    work.push((node, datum.category));
                }
            }
        }
        for (node, category) in &work {
            let seen = reached.entry(*node).or_default();
            if !seen.contains(category) {
                seen.push(*category);
            }
        }
        while let Some((node, category)) = work.pop() {
            for edge in g.graph.edges(node) {
                for datum in g.carried(edge.id()) {
                    let related = tree.is_under(datum.category, category)
                        || tree.is_under(category, datum.category);
                    let seen = reached.entry(edge.target()).or_default();
                    if related && !seen.contains(&datum.category) {
                        seen.push(datum.category);
                        work.push((edge.target(), datum.category));
                    }
                }
            }
        }
        reached
    }

    /// Whether `category` at `node` came from the rule's `subjects` (always, without).
    fn of_subjects(&self, node: NodeIndex, category: KeyId) -> bool {
        let Some(reached) = &self.from_subjects else {
            return true;
        };
        let tree = self.categories();
        reached.get(&node).is_some_and(|keys| {
            keys.iter()
                .any(|k| tree.is_under(*k, category) || tree.is_under(category, *k))
        })
    }

    pub fn categories(&self) -> &KeyTree {
        &self.inv.taxonomy.categories
    }

    pub fn key(&self, datum: &Datum) -> &str {
        self.categories().key(datum.category)
    }

    /// A rule speaks for its file's organization: it sees that organization's nodes and
    /// flows, and those declared in files with no organization.
    fn same_scope(&self, organization: Option<usize>) -> bool {
        match (self.rule.organization, organization) {
            (Some(rule), Some(other)) => rule == other,
            _ => true,
        }
    }

    pub fn node_in_scope(&self, node: NodeIndex) -> bool {
        self.same_scope(self.graph.info(node).organization)
    }

    pub fn edge_in_scope(&self, edge: EdgeIndex) -> bool {
        let organization = match self.graph.graph[edge] {
            GraphEdge::Flow(i) => self.inv.decl.flows[i].organization,
            GraphEdge::Backup(i) => self.inv.decl.stores[i].common.organization,
        };
        self.same_scope(organization)
    }

    /// Whether the rule's `data` selects this datum (anonymized data only when asked),
    /// wherever it is; see [`RuleContext::selects_on`] and [`RuleContext::selects_held`].
    fn selects(&self, datum: &Datum) -> bool {
        (self.rule.kind.include_anonymized() || !datum.anonymized)
            && self.data.matches(self.categories(), datum.category)
    }

    /// Whether the rule is about this datum carried by `edge`: its `data` selects it and,
    /// with `subjects`, it came from one of them.
    pub fn selects_on(&self, edge: EdgeIndex, datum: &Datum) -> bool {
        self.selects(datum)
            && self
                .graph
                .graph
                .edge_endpoints(edge)
                .is_some_and(|(source, _)| self.of_subjects(source, datum.category))
    }

    /// Whether the rule is about this datum held by `node`.
    pub fn selects_held(&self, node: NodeIndex, datum: &Datum) -> bool {
        self.selects(datum) && self.of_subjects(node, datum.category)
    }

    /// The keys of the categories a node holds that the rule selects, in the order they
    /// are held, without repeats in a row.
    pub fn selected_holdings(&self, node: NodeIndex) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .graph
            .info(node)
            .holds
            .iter()
            .filter(|d| self.selects_held(node, d))
            .map(|d| self.key(d))
            .collect();
        keys.dedup();
        keys
    }

    /// Whether the rule is about a category found in code (never anonymized) that ends
    /// up at `node`.
    pub fn selects_category(&self, node: NodeIndex, category: crate::taxonomy::KeyId) -> bool {
        self.data.matches(self.categories(), category) && self.of_subjects(node, category)
    }

    /// Whether a node matches a node selector (ids, section names, globs, attributes);
    /// an empty selector matches every node. What selects a store also selects its
    /// backup, which is where the backup's own region says.
    pub fn node_selected(&self, selection: &[NodeMatch], node: NodeIndex) -> bool {
        if selection.is_empty() {
            return true;
        }
        let declared = match self.graph.graph[node] {
            GraphNode::Declared(declared) => declared,
            GraphNode::Backup(store) => NodeRef {
                kind: NodeKind::Store,
                index: store,
            },
        };
        let id = &self.inv.node(declared).id.value;
        let section = declared.kind.section();
        // Names and globs need only the id; attributes are looked up once, when asked.
        let mut facts = None;
        selection.iter().any(|item| match item {
            NodeMatch::Name(name) if name.value == *id || name.value == section => true,
            NodeMatch::Name(_) if declared.kind != NodeKind::Subject => false,
            NodeMatch::Glob(_, glob) => glob.is_match(id),
            _ => {
                let facts = facts.get_or_insert_with(|| {
                    let mut facts = select::facts(&self.inv.decl, &self.inv.regions, declared);
                    facts.regions = self
                        .graph
                        .info(node)
                        .regions
                        .iter()
                        .map(|p| p.region)
                        .collect();
                    facts
                });
                select::Matcher::of(self.inv).matches(item, facts)
            }
        })
    }

    /// Whether a location rule with node selector `nodes` judges this node: a node of
    /// the rule's organization that the selector picks, not a data subject (people are
    /// where data comes from, not where it is kept).
    pub fn location_judges(&self, nodes: &[NodeMatch], node: NodeIndex) -> bool {
        self.graph.info(node).kind != NodeKind::Subject
            && self.node_in_scope(node)
            && self.node_selected(nodes, node)
    }

    pub fn uses(&self) -> &KeyTree {
        self.inv.taxonomy.tree(Tree::Use)
    }

    /// A finding of this rule, citing its claim and pointing back at the rule.
    pub fn finding(&self, message: String, span: Span, label: impl Into<String>) -> Finding {
        let rule = self.rule;
        let mut finding = Finding::new(rule.kind.code(), rule.severity, message)
            .at(span, label)
            .with_related(
                rule.kind_span,
                format!("rule `{}` requires this", rule.id.value),
            );
        finding.rule = Some(rule.id.value.clone());
        finding.claims = rule.claims.iter().map(|c| c.value.clone()).collect();
        finding.promise = rule.description.as_ref().map(|d| d.value.clone());
        finding
    }

    pub fn path(&self, edge: EdgeIndex, datum: &Datum) -> Vec<PathHop> {
        self.graph.explain(self.inv, edge, datum.category)
    }

    /// The path that brought `category` into `node`, through the first incoming flow
    /// carrying it or a category below or above it; empty when none does.
    pub fn path_into(&self, node: NodeIndex, category: crate::taxonomy::KeyId) -> Vec<PathHop> {
        let tree = self.categories();
        self.graph
            .incoming(node)
            .find(|(_, d)| {
                tree.is_under(d.category, category) || tree.is_under(category, d.category)
            })
            .map(|(edge, _)| self.graph.explain(self.inv, edge, category))
            .unwrap_or_default()
    }

    /// The node's id, for messages.
    pub fn name(&self, node: NodeIndex) -> &str {
        &self.graph.info(node).id
    }

    /// The store whose backup `node` is, if it is a backup copy.
    pub fn backup_of(&self, node: NodeIndex) -> Option<&'a crate::inventory::model::Store> {
        match self.graph.graph[node] {
            GraphNode::Backup(i) => self.inv.decl.stores.get(i),
            GraphNode::Declared(_) => None,
        }
    }

    /// How a node is named in messages, with ids as the inventory writes them:
    /// "store `db`", or "the backup of store `db`" for a backup copy.
    pub fn describe(&self, node: NodeIndex) -> String {
        match self.backup_of(node) {
            Some(store) => format!("the backup of store `{}`", store.common.id.value),
            None => {
                let info = self.graph.info(node);
                format!("{} `{}`", info.kind.noun(), info.id)
            }
        }
    }

    /// Where a node's region is set, for help lines: "`region` of `web`", or
    /// "`region` under `backups` of store `db`".
    pub fn region_key(&self, node: NodeIndex) -> String {
        match self.backup_of(node) {
            Some(store) => format!(
                "`region` under `backups` of store `{}`",
                store.common.id.value
            ),
            None => {
                let info = self.graph.info(node);
                let key = if info.regions.len() > 1 {
                    "regions"
                } else {
                    "region"
                };
                format!("`{key}` of `{}`", info.id)
            }
        }
    }

    /// Up to five declared region ids, for help lines.
    pub fn some_regions(&self) -> String {
        let ids: Vec<&str> = self
            .inv
            .decl
            .regions
            .iter()
            .take(5)
            .map(|r| r.id.value.as_str())
            .collect();
        list(&ids)
    }

    /// The flow behind an edge, if it is a declared flow (not a backup copy).
    pub fn flow(&self, edge: EdgeIndex) -> Option<&'a crate::inventory::model::Flow> {
        match self.graph.graph[edge] {
            GraphEdge::Flow(i) => Some(&self.inv.decl.flows[i]),
            GraphEdge::Backup(_) => None,
        }
    }

    /// How an edge is named in messages.
    pub fn edge_label(&self, edge: EdgeIndex) -> String {
        match self.graph.graph[edge] {
            GraphEdge::Flow(i) => format!("flow `{}`", self.inv.decl.flows[i].label()),
            GraphEdge::Backup(i) => format!(
                "the backup of `{}`",
                self.inv.decl.stores[i].common.id.value
            ),
        }
    }
}

/// Joins category keys for a message: "`a`, `b`".
pub(crate) fn list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
