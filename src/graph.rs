//! The data-flow graph: one petgraph node per subject, system, store, subprocessor and
//! third party (plus one per declared store backup), one edge per flow (plus one from
//! each store to its backup) with the data categories it carries. Answers which
//! categories reach a node, by which shortest path, and which flows cross a border.

use crate::finding::PathHop;
use crate::inventory::model::{Anonymized, Flow, NodeKind};
use crate::inventory::{Inventory, NodeRef};
use crate::source::Span;
use crate::taxonomy::{KeyId, KeyTree};
use petgraph::Direction;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// What a graph node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphNode {
    Declared(NodeRef),
    /// The backup copy of the store with this index.
    Backup(usize),
}

/// What a graph edge stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphEdge {
    Flow(usize),
    /// Store (by index) to its backup.
    Backup(usize),
}

/// One category on an edge or in a store, as the rules see it.
#[derive(Clone, Copy, Debug)]
pub struct Datum {
    pub category: KeyId,
    pub anonymized: bool,
    /// Where the category was written.
    pub span: Span,
}

/// Node attributes the rules need, resolved once.
#[derive(Clone, Debug)]
pub struct NodeInfo {
    pub id: String,
    pub kind: NodeKind,
    /// The declared regions it is in (index into the inventory's regions), each with
    /// where it was written; empty when it declares none.
    pub regions: Vec<Placement>,
    pub organization: Option<usize>,
    pub span: Span,
    /// Categories a store (or backup) declares holding.
    pub holds: Vec<Datum>,
}

/// One region a node is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub region: usize,
    pub span: Span,
}

impl NodeInfo {
    /// Its first region: the one a view shows first and colours it by.
    pub fn region(&self) -> Option<usize> {
        self.regions.first().map(|p| p.region)
    }

    /// Where its first region was written.
    pub fn region_span(&self) -> Option<Span> {
        self.regions.first().map(|p| p.span)
    }
}

/// How far a category reaches (see [`DataFlowGraph::reach`]), with nodes counted as
/// `ropa check` counts them in its summary: the declared nodes, and the backup copies
/// of stores apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReachCount {
    /// Declared nodes it reaches.
    pub nodes: usize,
    /// Declared nodes in all: the "N nodes" of `check`'s summary.
    pub of: usize,
    /// Backup copies of stores it reaches.
    pub backups: usize,
}

pub struct DataFlowGraph {
    pub graph: DiGraph<GraphNode, GraphEdge>,
    pub info: Vec<NodeInfo>,
    /// Categories carried by each edge, by edge index.
    pub carried: Vec<Vec<Datum>>,
    index: HashMap<String, NodeIndex>,
    /// Per category, the BFS parent edge of each node (see [`DataFlowGraph::explain`]).
    paths: Mutex<HashMap<KeyId, Arc<Vec<Option<EdgeIndex>>>>>,
}

fn data(
    keys: &[crate::source::Sp<String>],
    tree: &KeyTree,
    anonymized: impl Fn(&str) -> bool,
) -> Vec<Datum> {
    keys.iter()
        .filter_map(|k| {
            tree.get(&k.value).map(|category| Datum {
                category,
                anonymized: anonymized(&k.value),
                span: k.span,
            })
        })
        .collect()
}

impl DataFlowGraph {
    pub fn build(inv: &Inventory) -> Self {
        let d = &inv.decl;
        let tree = &inv.taxonomy.categories;
        let node_count = inv.nodes.len() + d.stores.len();
        let mut graph = DiGraph::with_capacity(node_count, d.flows.len() + d.stores.len());
        let mut info = Vec::with_capacity(node_count);
        let mut index = HashMap::with_capacity(node_count);
        let placements = |ids: &[crate::source::Sp<String>]| -> Vec<Placement> {
            ids.iter()
                .filter_map(|r| {
                    inv.regions.get(&r.value).map(|region| Placement {
                        region,
                        span: r.span,
                    })
                })
                .collect()
        };
        for kind in NodeKind::ALL {
            for i in 0..d.count(kind) {
                let node = NodeRef { kind, index: i };
                if inv.nodes.get(&inv.node(node).id.value) != Some(&node) {
                    continue; // a duplicate id, already reported by the loader
                }
                let common = inv.node(node);
                let holds = if kind == NodeKind::Store {
                    d.stores[i]
                        .holds
                        .iter()
                        .flat_map(|h| data(&h.data, tree, |_| h.anonymized))
                        .collect()
                } else {
                    Vec::new()
                };
                let n = graph.add_node(GraphNode::Declared(node));
                index.insert(common.id.value.clone(), n);
                info.push(NodeInfo {
                    id: common.id.value.clone(),
                    kind,
                    regions: placements(&common.regions),
                    organization: common.organization,
                    span: common.id.span,
                    holds,
                });
            }
        }
        let mut carried = Vec::with_capacity(d.flows.len() + d.stores.len());
        for (i, flow) in d.flows.iter().enumerate() {
            let (Some(&from), Some(&to)) = (index.get(&flow.from.value), index.get(&flow.to.value))
            else {
                continue;
            };
            graph.add_edge(from, to, GraphEdge::Flow(i));
            carried.push(flow_data(flow, tree));
        }
        for (i, store) in d.stores.iter().enumerate() {
            let Some(backup) = &store.backups else {
                continue;
            };
            let Some(&source) = index.get(&store.common.id.value) else {
                continue;
            };
            let source_info = &info[source.index()];
            let holds = source_info.holds.clone();
            let b = graph.add_node(GraphNode::Backup(i));
            info.push(NodeInfo {
                id: format!("{}#backup", store.common.id.value),
                kind: NodeKind::Store,
                regions: match &backup.region {
                    Some(region) => placements(std::slice::from_ref(region)),
                    None => source_info.regions.clone(),
                },
                organization: store.common.organization,
                span: backup.span,
                holds: holds.clone(),
            });
            graph.add_edge(source, b, GraphEdge::Backup(i));
            carried.push(holds);
        }
        DataFlowGraph {
            graph,
            info,
            carried,
            index,
            paths: Mutex::new(HashMap::new()),
        }
    }

    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    pub fn info(&self, node: NodeIndex) -> &NodeInfo {
        &self.info[node.index()]
    }

    pub fn carried(&self, edge: EdgeIndex) -> &[Datum] {
        &self.carried[edge.index()]
    }

    /// The store index behind a store or backup node.
    pub fn store_index(&self, node: NodeIndex) -> Option<usize> {
        match self.graph[node] {
            GraphNode::Declared(NodeRef {
                kind: NodeKind::Store,
                index,
            })
            | GraphNode::Backup(index) => Some(index),
            GraphNode::Declared(_) => None,
        }
    }

    /// Categories that reach `node` over its incoming edges, with the edge.
    pub fn incoming(&self, node: NodeIndex) -> impl Iterator<Item = (EdgeIndex, &Datum)> {
        self.graph
            .edges_directed(node, Direction::Incoming)
            .flat_map(move |e| self.carried(e.id()).iter().map(move |d| (e.id(), d)))
    }

    /// Shortest path of edges, each carrying `category` or a category related to it (an
    /// ancestor or descendant), from an origin (a subject, or a node that nothing feeds
    /// with that data) to `edge`'s target, ending with `edge`.
    pub fn explain(&self, inv: &Inventory, edge: EdgeIndex, category: KeyId) -> Vec<PathHop> {
        let Some((start, target)) = self.graph.edge_endpoints(edge) else {
            return Vec::new();
        };
        let parents = self.parents(inv, category);
        let mut chain = vec![edge];
        let mut node = start;
        while let Some(&into) = parents.get(node.index()).and_then(Option::as_ref) {
            if chain.len() > self.graph.node_count() {
                break; // defensive: parent links never loop, but never spin if they did
            }
            chain.push(into);
            let Some((source, _)) = self.graph.edge_endpoints(into) else {
                break;
            };
            node = source;
        }
        chain.reverse();
        let mut hops = vec![self.hop(inv, node, None)];
        hops.extend(chain.iter().map(|e| {
            let next = self.graph.edge_endpoints(*e).map_or(target, |(_, t)| t);
            self.hop(inv, next, Some(*e))
        }));
        hops
    }

    /// Which nodes `category` (or a category above or below it) reaches: the origins
    /// that send it and every node a flow carrying it leads to.
    pub fn reach(&self, inv: &Inventory, category: KeyId) -> Vec<bool> {
        let parents = self.parents(inv, category);
        let tree = &inv.taxonomy.categories;
        let mut reached: Vec<bool> = parents.iter().map(Option::is_some).collect();
        for edge in self.graph.edge_references() {
            let related = self.carried(edge.id()).iter().any(|d| {
                tree.is_under(d.category, category) || tree.is_under(category, d.category)
            });
            if related {
                reached[edge.source().index()] = true;
                reached[edge.target().index()] = true;
            }
        }
        reached
    }

    /// Counts what [`DataFlowGraph::reach`] returned the way `check` counts nodes.
    pub fn count_reach(&self, reached: &[bool]) -> ReachCount {
        let mut count = ReachCount {
            nodes: 0,
            of: 0,
            backups: 0,
        };
        for node in self.graph.node_indices() {
            let is_reached = reached.get(node.index()).copied().unwrap_or(false);
            match self.graph[node] {
                GraphNode::Declared(_) => {
                    count.of += 1;
                    count.nodes += usize::from(is_reached);
                }
                GraphNode::Backup(_) => count.backups += usize::from(is_reached),
            }
        }
        count
    }

    /// The shortest path by which `category` reaches `node`; empty when it does not
    /// (or when `node` is where it starts).
    pub fn path_to(&self, inv: &Inventory, node: NodeIndex, category: KeyId) -> Vec<PathHop> {
        match self.parents(inv, category).get(node.index()) {
            Some(Some(edge)) => self.explain(inv, *edge, category),
            _ => Vec::new(),
        }
    }

    /// For one category: the edge by which a breadth-first search from every origin first
    /// reached each node, over edges carrying a related category. Computed once per
    /// category and cached, so explaining many findings stays linear.
    fn parents(&self, inv: &Inventory, category: KeyId) -> Arc<Vec<Option<EdgeIndex>>> {
        let mut cache = self
            .paths
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(found) = cache.get(&category) {
            return Arc::clone(found);
        }
        let tree = &inv.taxonomy.categories;
        let related: Vec<bool> = self
            .carried
            .iter()
            .map(|data| {
                data.iter().any(|d| {
                    tree.is_under(d.category, category) || tree.is_under(category, d.category)
                })
            })
            .collect();
        let nodes = self.graph.node_count();
        let mut fed = vec![false; nodes];
        for e in self
            .graph
            .edge_references()
            .filter(|e| related[e.id().index()])
        {
            fed[e.target().index()] = true;
        }
        let mut visited = vec![false; nodes];
        let mut queue: VecDeque<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|n| self.info(*n).kind == NodeKind::Subject || !fed[n.index()])
            .collect();
        queue.iter().for_each(|n| visited[n.index()] = true);
        let mut parent = vec![None; nodes];
        while let Some(node) = queue.pop_front() {
            for e in self.graph.edges_directed(node, Direction::Outgoing) {
                let next = e.target();
                if related[e.id().index()] && !visited[next.index()] {
                    visited[next.index()] = true;
                    parent[next.index()] = Some(e.id());
                    queue.push_back(next);
                }
            }
        }
        let parent = Arc::new(parent);
        cache.insert(category, Arc::clone(&parent));
        parent
    }

    fn hop(&self, inv: &Inventory, node: NodeIndex, edge: Option<EdgeIndex>) -> PathHop {
        let (via_flow, span) = match edge.map(|e| self.graph[e]) {
            Some(GraphEdge::Flow(i)) => (
                Some(inv.decl.flows[i].label()),
                Some(inv.decl.flows[i].span),
            ),
            Some(GraphEdge::Backup(i)) => (
                Some("backup".to_owned()),
                inv.decl.stores[i].backups.as_ref().map(|b| b.span),
            ),
            None => (None, Some(self.info(node).span)),
        };
        PathHop {
            node: self.info(node).id.clone(),
            via_flow,
            span,
        }
    }

    /// Flows whose two ends lie in different countries (or, without countries, in
    /// regions neither of which contains the other).
    pub fn crossings(&self, inv: &Inventory) -> Vec<EdgeIndex> {
        self.graph
            .edge_indices()
            .filter(|e| self.crosses_border(inv, *e))
            .collect()
    }

    /// Whether the flow may cross a border: some region of its source and some region of
    /// its target lie in different countries.
    pub fn crosses_border(&self, inv: &Inventory, edge: EdgeIndex) -> bool {
        let Some((a, b)) = self.graph.edge_endpoints(edge) else {
            return false;
        };
        self.info(a).regions.iter().any(|ra| {
            self.info(b)
                .regions
                .iter()
                .any(|rb| regions_cross(inv, ra.region, rb.region))
        })
    }
}

/// Whether moving data from region `ra` to region `rb` crosses a border: they lie in
/// different countries or, without countries, neither contains the other.
pub fn regions_cross(inv: &Inventory, ra: usize, rb: usize) -> bool {
    let regions = &inv.decl.regions;
    match (
        inv.regions.country(regions, ra),
        inv.regions.country(regions, rb),
    ) {
        (Some(ca), Some(cb)) => ca != cb,
        _ => {
            let ida = &regions[ra].id.value;
            let idb = &regions[rb].id.value;
            !inv.regions.within(regions, ra, idb) && !inv.regions.within(regions, rb, ida)
        }
    }
}

fn flow_data(flow: &Flow, tree: &KeyTree) -> Vec<Datum> {
    match &flow.anonymized {
        Anonymized::None => data(&flow.data, tree, |_| false),
        Anonymized::All => data(&flow.data, tree, |_| true),
        Anonymized::Some(keys) => data(&flow.data, tree, |k| keys.iter().any(|a| a.value == k)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVENTORY: &str = "version: 1
regions:
  - { id: us, country: US }
  - { id: us-oregon, parent: us }
  - { id: ua, country: UA }
subjects:
  - { id: customer }
systems:
  - { id: web, region: us-oregon }
  - { id: support, region: ua }
stores:
  - id: db
    region: us-oregon
    holds: [ { data: [user.contact] } ]
    backups: { encrypted: true }
flows:
  - { id: sign-up, from: customer, to: web, data: [user.contact.email] }
  - { id: save, from: web, to: db, data: [user.contact.email] }
  - { id: download, from: db, to: support, data: [user.contact.email] }
";

    fn load() -> Inventory {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.yaml");
        std::fs::write(&path, INVENTORY).expect("write");
        match crate::inventory::load(&[path]) {
            Ok(inventory) => inventory,
            Err(failure) => panic!("{:?}", failure.problems),
        }
    }

    #[test]
    fn explains_the_shortest_path_from_the_subject() {
        let inv = load();
        let graph = DataFlowGraph::build(&inv);
        let support = graph.node("support").expect("node");
        let (edge, datum) = graph.incoming(support).next().expect("incoming");
        let hops: Vec<_> = graph
            .explain(&inv, edge, datum.category)
            .into_iter()
            .map(|h| (h.node, h.via_flow))
            .collect();
        assert_eq!(
            hops,
            [
                ("customer".to_owned(), None),
                ("web".to_owned(), Some("sign-up".to_owned())),
                ("db".to_owned(), Some("save".to_owned())),
                ("support".to_owned(), Some("download".to_owned())),
            ]
        );
    }

    #[test]
    fn backups_are_nodes_that_inherit_the_store() {
        let inv = load();
        let graph = DataFlowGraph::build(&inv);
        let backup = graph
            .graph
            .node_indices()
            .find(|n| matches!(graph.graph[*n], GraphNode::Backup(_)))
            .expect("backup node");
        let info = graph.info(backup);
        assert_eq!(info.id, "db#backup");
        assert_eq!(
            info.regions,
            graph.info(graph.node("db").expect("db")).regions
        );
        assert_eq!(info.holds.len(), 1);
    }

    #[test]
    fn reach_counts_declared_nodes_as_check_does_and_backups_apart() {
        let inv = load();
        let graph = DataFlowGraph::build(&inv);
        let email = inv
            .taxonomy
            .categories
            .get("user.contact.email")
            .expect("category");
        let count = graph.count_reach(&graph.reach(&inv, email));
        assert_eq!(
            count,
            ReachCount {
                nodes: 4,
                of: 4,
                backups: 1
            }
        );
        assert_eq!(count.of, inv.nodes.len(), "the nodes `check` counts");
    }

    #[test]
    fn only_the_flow_into_another_country_crosses_a_border() {
        let inv = load();
        let graph = DataFlowGraph::build(&inv);
        let crossing: Vec<_> = graph
            .crossings(&inv)
            .into_iter()
            .map(|e| match graph.graph[e] {
                GraphEdge::Flow(i) => inv.decl.flows[i].label(),
                GraphEdge::Backup(_) => "backup".to_owned(),
            })
            .collect();
        assert_eq!(crossing, ["download"]);
    }
}
