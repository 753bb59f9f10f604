//! What a rule covered: the flows, nodes and code fields its selectors matched and
//! that its checks looked at, whether or not they found anything. A kept promise can so
//! say what it was checked against, and a rule whose selectors match nothing shows as
//! kept only because there was nothing to check. Each rule family's loop is mirrored
//! here without the verdicts (`placement.rs`, `sharing.rs`, `storage.rs`, `code.rs`).

use super::RuleContext;
use crate::code::sections::SectionScan;
use crate::code::verdicts::{FieldStatus, ItemPattern};
use crate::graph::{DataFlowGraph, GraphEdge, GraphNode};
use crate::inventory::Inventory;
use crate::inventory::model::{Id, NodeKind, Rule, RuleKind};
use crate::retention::Retention;
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

/// What one rule looked at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Flows (by id, or `from → to`) and backup copies (`the backup of x`) checked.
    pub flows: Vec<String>,
    /// Nodes checked, as their kind's noun and their id.
    pub nodes: Vec<(&'static str, String)>,
    /// Struct fields found in code and checked (`models::user::User.card`).
    pub fields: Vec<String>,
}

impl Coverage {
    /// Whether the rule's selectors matched nothing it could check.
    pub fn is_empty(&self) -> bool {
        self.flows.is_empty() && self.nodes.is_empty() && self.fields.is_empty()
    }
}

/// What `rule` covered in the audited inventory, its graph and its code scans.
pub fn coverage(
    inv: &Inventory,
    graph: &DataFlowGraph,
    scans: &[SectionScan],
    rule: &Rule,
) -> Coverage {
    let ctx = RuleContext::new(inv, graph, rule);
    let mut covered = Covered {
        ctx: &ctx,
        coverage: Coverage::default(),
    };
    let g = graph;
    let carries = |e: EdgeIndex| g.carried(e).iter().any(|d| ctx.selects_on(e, d));
    let holds = |n: NodeIndex| g.info(n).holds.iter().any(|d| ctx.selects_held(n, d));
    match &rule.kind {
        RuleKind::Alternatives { nodes, .. } => {
            for id in nodes {
                if let Some(node) = g.node(&id.value) {
                    covered.node(node);
                }
            }
        }
        RuleKind::Notice { nodes, .. } => {
            for node in g.graph.node_indices() {
                let recipient = matches!(
                    g.info(node).kind,
                    NodeKind::Subprocessor | NodeKind::ThirdParty
                );
                if recipient && ctx.node_in_scope(node) && ctx.node_selected(nodes, node) {
                    covered.node(node);
                }
            }
        }
        RuleKind::Location { nodes, .. } => {
            for node in g.graph.node_indices() {
                if !ctx.location_judges(nodes, node) {
                    continue;
                }
                let arrives = g
                    .incoming(node)
                    .any(|(e, d)| ctx.edge_in_scope(e) && ctx.selects_on(e, d));
                if holds(node) || arrives {
                    covered.node(node);
                }
            }
        }
        RuleKind::Transfer { to, .. } => {
            for edge in g.graph.edge_references() {
                let e = edge.id();
                if ctx.edge_in_scope(e)
                    && ctx.node_selected(to, edge.target())
                    && g.crosses_border(inv, e)
                    && !g.info(edge.target()).regions.is_empty()
                    && carries(e)
                {
                    covered.edge(e);
                }
            }
        }
        RuleKind::Sharing { to, from, .. } => {
            for edge in g.graph.edge_references() {
                let e = edge.id();
                if matches!(g.graph[e], GraphEdge::Flow(_))
                    && ctx.edge_in_scope(e)
                    && ctx.node_selected(to, edge.target())
                    && (from.is_empty() || ctx.node_selected(from, edge.source()))
                    && carries(e)
                {
                    covered.edge(e);
                }
            }
        }
        RuleKind::Retention { nodes, max, .. } => {
            for node in g.graph.node_indices() {
                let declared_store =
                    matches!(g.graph[node], GraphNode::Declared(r) if r.kind == NodeKind::Store);
                if declared_store
                    && ctx.node_in_scope(node)
                    && ctx.node_selected(nodes, node)
                    && holds(node)
                {
                    covered.node(node);
                }
            }
            if max.as_ref().is_some_and(|m| m.value == Retention::None) {
                covered.fields(scans, nodes);
            }
        }
        RuleKind::Encryption {
            at_rest,
            in_transit,
            nodes,
            ..
        } => {
            if *at_rest {
                for node in g.graph.node_indices() {
                    if g.store_index(node).is_some()
                        && ctx.node_in_scope(node)
                        && ctx.node_selected(nodes, node)
                        && holds(node)
                    {
                        covered.node(node);
                    }
                }
            }
            if *in_transit {
                for edge in g.graph.edge_references() {
                    let e = edge.id();
                    if matches!(g.graph[e], GraphEdge::Flow(_))
                        && ctx.edge_in_scope(e)
                        && ctx.node_selected(nodes, edge.target())
                        && carries(e)
                    {
                        covered.edge(e);
                    }
                }
            }
        }
        RuleKind::Prohibited { nodes, .. } => {
            for node in g.graph.node_indices() {
                if !matches!(g.graph[node], GraphNode::Backup(_))
                    && ctx.node_in_scope(node)
                    && ctx.node_selected(nodes, node)
                    && holds(node)
                {
                    covered.node(node);
                }
            }
            for edge in g.graph.edge_references() {
                let e = edge.id();
                if matches!(g.graph[e], GraphEdge::Flow(_))
                    && ctx.edge_in_scope(e)
                    && ctx.node_selected(nodes, edge.target())
                    && carries(e)
                {
                    covered.edge(e);
                }
            }
            covered.fields(scans, nodes);
        }
        RuleKind::LawfulBasis { purposes, .. } => {
            let uses = ctx.uses();
            for edge in g.graph.edge_references() {
                let e = edge.id();
                let GraphEdge::Flow(i) = g.graph[e] else {
                    continue;
                };
                let purpose = inv.decl.flows[i]
                    .purpose
                    .as_ref()
                    .and_then(|p| uses.get(&p.value));
                let purpose_matches = purposes.is_empty()
                    || purpose.is_some_and(|p| {
                        purposes
                            .iter()
                            .filter_map(|u| uses.get(&u.value))
                            .any(|u| uses.is_under(p, u))
                    });
                if ctx.edge_in_scope(e) && purpose_matches && carries(e) {
                    covered.edge(e);
                }
            }
        }
    }
    covered.coverage
}

/// The coverage being collected for one rule.
struct Covered<'c, 'a> {
    ctx: &'c RuleContext<'a>,
    coverage: Coverage,
}

impl Covered<'_, '_> {
    fn node(&mut self, node: NodeIndex) {
        let info = self.ctx.graph.info(node);
        self.coverage
            .nodes
            .push((info.kind.noun(), info.id.clone()));
    }

    fn edge(&mut self, edge: EdgeIndex) {
        let name = match self.ctx.graph.graph[edge] {
            GraphEdge::Flow(i) => self.ctx.inv.decl.flows[i].label(),
            GraphEdge::Backup(i) => format!(
                "the backup of {}",
                self.ctx.inv.decl.stores[i].common.id.value
            ),
        };
        self.coverage.flows.push(name);
    }

    /// Personal fields of structs mapped to a selected store, whose category the rule
    /// selects: what `prohibited` and `retention: none` rules check in code.
    fn fields(&mut self, scans: &[SectionScan], nodes: &[crate::inventory::model::NodeMatch]) {
        let ctx = self.ctx;
        for scan in scans {
            let Some(section) = ctx.inv.decl.code.get(scan.section) else {
                continue;
            };
            if !ctx.same_scope(section.organization) {
                continue;
            }
            let mappings: Vec<(ItemPattern, &[Id])> = section
                .structs
                .iter()
                .filter_map(|m| ItemPattern::new(&m.pattern.value).map(|p| (p, m.to.as_slice())))
                .collect();
            for (file, field, status) in scan.judged() {
                let FieldStatus::Personal { category, .. } = status else {
                    continue;
                };
                let Some(key) = ctx.categories().get(category) else {
                    continue;
                };
                if file.source.is_none() {
                    continue;
                }
                let path = field.item_path();
                let checked = mappings
                    .iter()
                    .filter(|(pattern, _)| pattern.matches(&path))
                    .flat_map(|(_, to)| to.iter())
                    .filter_map(|target| ctx.graph.node(&target.value))
                    .any(|node| {
                        ctx.graph.info(node).kind == NodeKind::Store
                            && ctx.node_selected(nodes, node)
                            && ctx.selects_category(node, key)
                    });
                if checked {
                    self.coverage.fields.push(format!("{path}.{}", field.name));
                }
            }
        }
    }
}
