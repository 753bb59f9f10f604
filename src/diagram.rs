//! The data-flow diagram: which nodes and flows of an audited inventory to draw, in
//! which region cluster, with which categories on each edge and which flows and nodes
//! break a promise. Filters by category (`--category`) and by neighbourhood
//! (`--around NODE --depth N`); above a node limit it groups the nodes by region and
//! says so. The report layer renders it as DOT, Mermaid or SVG.

use crate::audit::Audit;
use crate::graph::{GraphEdge, GraphNode};
use crate::inventory::model::NodeKind;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

/// How many nodes a diagram shows before it groups them by region.
pub const DEFAULT_NODE_LIMIT: usize = 150;

/// What to draw.
#[derive(Clone, Debug)]
pub struct Options {
    /// Only flows that carry this category (or one above or below it).
    pub category: Option<String>,
    /// Only nodes within `depth` flows of this node, in either direction.
    pub around: Option<String>,
    pub depth: usize,
    /// Above this many nodes, one node per region instead.
    pub node_limit: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            category: None,
            around: None,
            depth: 1,
            node_limit: DEFAULT_NODE_LIMIT,
        }
    }
}

/// What a diagram node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Node(NodeKind),
    Backup,
    /// Several nodes of one region, drawn as one.
    Group,
}

#[derive(Clone, Debug)]
pub struct DiagramNode {
    pub id: String,
    /// Its name (or id), for the box.
    pub label: String,
    pub shape: Shape,
    /// Every region it is in, as ids; the first decides its cluster.
    pub regions: Vec<String>,
    /// A finding that counts is about it.
    pub violating: bool,
}

#[derive(Clone, Debug)]
pub struct DiagramEdge {
    pub from: usize,
    pub to: usize,
    /// The categories it carries, in order; anonymized ones end with ` (anonymized)`.
    pub categories: Vec<String>,
    /// The flows it stands for (one, or many once grouped).
    pub flows: Vec<String>,
    pub violating: bool,
}

/// One region's cluster of nodes.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// The region id; empty for nodes with no region.
    pub region: String,
    pub label: String,
    pub nodes: Vec<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct Diagram {
    pub nodes: Vec<DiagramNode>,
    pub edges: Vec<DiagramEdge>,
    pub clusters: Vec<Cluster>,
    /// Set when the nodes were grouped by region: says why and how many.
    pub grouped: Option<String>,
}

/// A filter that names something the inventory does not have.
#[derive(Debug)]
pub struct UnknownName {
    pub message: String,
    pub help: Option<String>,
}

/// The diagram of `audit`, filtered and grouped as `options` say.
pub fn build(audit: &Audit, options: &Options) -> Result<Diagram, UnknownName> {
    let inv = &audit.inventory;
    let graph = &audit.graph;
    let tree = &inv.taxonomy.categories;
    let category = match &options.category {
        Some(key) => match tree.get(key) {
            Some(id) => Some(id),
            None => {
                return Err(UnknownName {
                    message: format!(
                        "`{}` is not a data category",
                        crate::text::sanitize_line(key)
                    ),
                    help: Some(match tree.closest(key) {
                        Some(close) => format!(
                            "did you mean `{close}`? `ropa taxonomy {key}` lists close keys"
                        ),
                        None => "`ropa taxonomy` lists every data category".to_owned(),
                    }),
                });
            }
        },
        None => None,
    };
    let (violating_flows, violating_nodes) = violations(audit);
    // Which edges and nodes to draw.
    let mut keep_edge = vec![true; graph.graph.edge_count()];
    let mut keep_node = vec![true; graph.graph.node_count()];
    if let Some(c) = category {
        keep_node.iter_mut().for_each(|k| *k = false);
        for edge in graph.graph.edge_references() {
            let carries = graph
                .carried(edge.id())
                .iter()
                .any(|d| tree.is_under(d.category, c) || tree.is_under(c, d.category));
            keep_edge[edge.id().index()] = carries;
            if carries {
                keep_node[edge.source().index()] = true;
                keep_node[edge.target().index()] = true;
            }
        }
        for node in graph.graph.node_indices() {
            if graph
                .info(node)
                .holds
                .iter()
                .any(|d| tree.is_under(d.category, c))
            {
                keep_node[node.index()] = true;
            }
        }
    }
    if let Some(center) = &options.around {
        let Some(start) = graph.node(center) else {
            let ids: Vec<&str> = graph.info.iter().map(|i| i.id.as_str()).collect();
            return Err(UnknownName {
                message: format!(
                    "no node `{}` in the inventory",
                    crate::text::sanitize_line(center)
                ),
                help: Some(match crate::text::closest(center, ids.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "give the id of a subject, system, store, subprocessor or third party"
                        .to_owned(),
                }),
            });
        };
        let near = neighbourhood(audit, start, options.depth, &keep_edge);
        for node in graph.graph.node_indices() {
            keep_node[node.index()] &= near.contains(&node);
        }
    }
    let mut diagram = Diagram::default();
    let mut index: HashMap<NodeIndex, usize> = HashMap::new();
    for node in graph.graph.node_indices() {
        if !keep_node[node.index()] {
            continue;
        }
        let info = graph.info(node);
        let (label, shape) = match graph.graph[node] {
            GraphNode::Declared(r) => {
                let common = inv.node(r);
                (
                    common
                        .name
                        .as_ref()
                        .map_or_else(|| common.id.value.clone(), |n| n.value.clone()),
                    Shape::Node(r.kind),
                )
            }
            GraphNode::Backup(store) => {
                let name = inv.decl.stores.get(store).map_or_else(
                    || info.id.clone(),
                    |s| {
                        s.common
                            .name
                            .as_ref()
                            .map_or_else(|| s.common.id.value.clone(), |n| n.value.clone())
                    },
                );
                (format!("backups of {name}"), Shape::Backup)
            }
        };
        index.insert(node, diagram.nodes.len());
        diagram.nodes.push(DiagramNode {
            id: info.id.clone(),
            label,
            shape,
            regions: info
                .regions
                .iter()
                .map(|p| inv.decl.regions[p.region].id.value.clone())
                .collect(),
            violating: violating_nodes.contains(info.id.as_str()),
        });
    }
    for edge in graph.graph.edge_references() {
        if !keep_edge[edge.id().index()] {
            continue;
        }
        let (Some(&from), Some(&to)) = (index.get(&edge.source()), index.get(&edge.target()))
        else {
            continue;
        };
        let flow = match edge.weight() {
            GraphEdge::Flow(i) => inv.decl.flows.get(*i).map(|f| f.label()),
            GraphEdge::Backup(_) => None,
        };
        let categories = graph
            .carried(edge.id())
            .iter()
            .map(|d| {
                let key = tree.key(d.category);
                if d.anonymized {
                    format!("{key} (anonymized)")
                } else {
                    key.to_owned()
                }
            })
            .collect();
        let violating = flow
            .as_ref()
            .is_some_and(|f| violating_flows.contains(f.as_str()));
        diagram.edges.push(DiagramEdge {
            from,
            to,
            categories,
            flows: flow.map_or_else(|| vec!["backup".to_owned()], |f| vec![f]),
            violating,
        });
    }
    diagram.clusters = clusters(audit, &diagram.nodes);
    if diagram.nodes.len() > options.node_limit {
        diagram = group_by_region(diagram, options.node_limit);
    }
    Ok(diagram)
}

/// Nodes within `depth` kept edges of `start`, following flows either way.
fn neighbourhood(
    audit: &Audit,
    start: NodeIndex,
    depth: usize,
    keep_edge: &[bool],
) -> HashSet<NodeIndex> {
    let graph = &audit.graph.graph;
    let mut seen = HashSet::from([start]);
    let mut queue = VecDeque::from([(start, 0)]);
    while let Some((node, d)) = queue.pop_front() {
        if d == depth {
            continue;
        }
        let edges = graph
            .edges_directed(node, petgraph::Direction::Outgoing)
            .chain(graph.edges_directed(node, petgraph::Direction::Incoming));
        for edge in edges {
            if !keep_edge[edge.id().index()] {
                continue;
            }
            let next = if edge.source() == node {
                edge.target()
            } else {
                edge.source()
            };
            if seen.insert(next) {
                queue.push_back((next, d + 1));
            }
        }
    }
    seen
}

/// The flows (by label) and nodes (by id) that findings which count are about: the
/// flow or declaration a finding's key names, and the last flow of its path.
fn violations(audit: &Audit) -> (HashSet<String>, HashSet<String>) {
    let mut flows = HashSet::new();
    let mut nodes = HashSet::new();
    let labels: HashMap<String, String> = audit
        .inventory
        .decl
        .flows
        .iter()
        .map(|f| {
            let key = match &f.id {
                Some(id) => format!("flows[id={}]", id.value),
                None => format!("flows[from={},to={}]", f.from.value, f.to.value),
            };
            (key, f.label())
        })
        .collect();
    for finding in audit.findings.iter().filter(|f| f.suppression.is_none()) {
        if let Some(hop) = finding.path.last()
            && let Some(flow) = &hop.via_flow
        {
            flows.insert(flow.clone());
        }
        let Some(key) = &finding.key else { continue };
        if let Some(end) = key.find(']') {
            let head = &key[..=end];
            if let Some(label) = labels.get(head) {
                flows.insert(label.clone());
                continue;
            }
            let declared = NodeKind::ALL
                .iter()
                .find_map(|k| head.strip_prefix(k.section()))
                .and_then(|rest| rest.strip_prefix("[id="))
                .and_then(|rest| rest.strip_suffix(']'));
            if let Some(id) = declared {
                nodes.insert(id.to_owned());
            }
        }
    }
    (flows, nodes)
}

/// One cluster per region (first region of each node), in declaration order, then the
/// nodes with no region.
fn clusters(audit: &Audit, nodes: &[DiagramNode]) -> Vec<Cluster> {
    let regions = &audit.inventory.decl.regions;
    let mut by_region: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut unplaced = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        match node
            .regions
            .first()
            .and_then(|r| audit.inventory.regions.get(r))
        {
            Some(region) => by_region.entry(region).or_default().push(i),
            None => unplaced.push(i),
        }
    }
    let mut clusters: Vec<Cluster> = by_region
        .into_iter()
        .map(|(region, nodes)| {
            let r = &regions[region];
            Cluster {
                region: r.id.value.clone(),
                label: match &r.name {
                    Some(name) => format!("{} ({})", name.value, r.id.value),
                    None => r.id.value.clone(),
                },
                nodes,
            }
        })
        .collect();
    if !unplaced.is_empty() {
        clusters.push(Cluster {
            region: String::new(),
            label: "no region".to_owned(),
            nodes: unplaced,
        });
    }
    clusters
}

/// One node per cluster, edges merged between them: for graphs too large to draw.
fn group_by_region(full: Diagram, limit: usize) -> Diagram {
    let mut grouped = Diagram::default();
    let mut group_of = vec![0; full.nodes.len()];
    for cluster in &full.clusters {
        let g = grouped.nodes.len();
        for &n in &cluster.nodes {
            group_of[n] = g;
        }
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for &n in &cluster.nodes {
            let noun = match full.nodes[n].shape {
                Shape::Node(kind) => kind.section(),
                Shape::Backup => "backups",
                Shape::Group => "groups",
            };
            *kinds.entry(noun).or_default() += 1;
        }
        let counts: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        grouped.nodes.push(DiagramNode {
            id: if cluster.region.is_empty() {
                "no-region".to_owned()
            } else {
                cluster.region.clone()
            },
            label: format!(
                "{}: {} nodes ({})",
                cluster.label,
                cluster.nodes.len(),
                counts.join(", ")
            ),
            shape: Shape::Group,
            regions: if cluster.region.is_empty() {
                Vec::new()
            } else {
                vec![cluster.region.clone()]
            },
            violating: cluster.nodes.iter().any(|&n| full.nodes[n].violating),
        });
        grouped.clusters.push(Cluster {
            region: cluster.region.clone(),
            label: cluster.label.clone(),
            nodes: vec![g],
        });
    }
    let mut merged: BTreeMap<(usize, usize), (BTreeSet<String>, usize, bool)> = BTreeMap::new();
    for edge in &full.edges {
        let entry = merged
            .entry((group_of[edge.from], group_of[edge.to]))
            .or_default();
        entry.0.extend(edge.categories.iter().cloned());
        entry.1 += edge.flows.len();
        entry.2 |= edge.violating;
    }
    for ((from, to), (categories, flows, violating)) in merged {
        grouped.edges.push(DiagramEdge {
            from,
            to,
            categories: categories.into_iter().collect(),
            flows: vec![format!(
                "{flows} {}",
                if flows == 1 { "flow" } else { "flows" }
            )],
            violating,
        });
    }
    grouped.grouped = Some(format!(
        "{} nodes and {} flows are more than the {limit} nodes a readable diagram holds: grouped by region, one box per region (draw less with --category or --around)",
        full.nodes.len(),
        full.edges.len()
    ));
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVENTORY: &str = "version: 1
regions:
  - { id: ie, name: Ireland, country: IE }
  - { id: us, country: US }
subjects:
  - { id: buyer }
systems:
  - { id: web, region: ie }
stores:
  - { id: db, region: ie, holds: [ { data: [user.contact.email], retention: 30d } ] }
subprocessors:
  - { id: mailer, region: us, purposes: [marketing] }
flows:
  - { id: order, from: buyer, to: web, data: [user.contact.email, user.name], purpose: essential.service, lawful_basis: contract }
  - { id: save, from: web, to: db, data: [user.contact.email], purpose: essential.service, lawful_basis: contract }
  - { id: newsletter, from: web, to: mailer, data: [user.name], purpose: marketing, lawful_basis: consent }
rules:
  - id: stays-in-ireland
    location: { data: [user], allowed_regions: [ie] }
";

    fn audit() -> Audit {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.yaml");
        std::fs::write(&path, INVENTORY).expect("write");
        match crate::audit::run(&[path], false, &crate::code::NoProgress) {
            Ok(audit) => audit,
            Err(failure) => panic!("{:?}", failure.problems),
        }
    }

    fn ids(diagram: &Diagram) -> Vec<&str> {
        diagram.nodes.iter().map(|n| n.id.as_str()).collect()
    }

    #[test]
    fn regions_are_clusters_and_the_broken_flow_is_marked() {
        let audit = audit();
        let diagram = build(&audit, &Options::default()).expect("builds");
        let clusters: Vec<_> = diagram.clusters.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(clusters, ["Ireland (ie)", "us", "no region"]);
        let violating: Vec<_> = diagram
            .edges
            .iter()
            .filter(|e| e.violating)
            .flat_map(|e| e.flows.iter().map(String::as_str))
            .collect();
        assert_eq!(violating, ["newsletter"]);
        assert!(diagram.grouped.is_none());
    }

    #[test]
    fn filters_by_category_and_by_neighbourhood() {
        let audit = audit();
        let email = Options {
            category: Some("user.contact.email".to_owned()),
            ..Options::default()
        };
        let diagram = build(&audit, &email).expect("builds");
        assert_eq!(ids(&diagram), ["buyer", "web", "db"]);
        let around = Options {
            around: Some("db".to_owned()),
            depth: 1,
            ..Options::default()
        };
        assert_eq!(ids(&build(&audit, &around).expect("builds")), ["web", "db"]);
        let unknown = Options {
            around: Some("mailr".to_owned()),
            ..Options::default()
        };
        let error = build(&audit, &unknown).expect_err("an unknown node");
        assert_eq!(error.help.as_deref(), Some("did you mean `mailer`?"));
    }

    #[test]
    fn above_the_limit_nodes_are_grouped_by_region() {
        let audit = audit();
        let small = Options {
            node_limit: 2,
            ..Options::default()
        };
        let diagram = build(&audit, &small).expect("builds");
        assert_eq!(ids(&diagram), ["ie", "us", "no-region"]);
        assert!(
            diagram
                .grouped
                .as_deref()
                .is_some_and(|n| n.contains("grouped by region"))
        );
        // ie → us carries the newsletter's name; no region → ie the order.
        let edges: Vec<_> = diagram
            .edges
            .iter()
            .map(|e| (e.from, e.to, e.categories.join(","), e.violating))
            .collect();
        assert!(
            edges.contains(&(0, 1, "user.name".to_owned(), true)),
            "{edges:?}"
        );
        assert!(
            edges.contains(&(0, 0, "user.contact.email".to_owned(), false)),
            "{edges:?}"
        );
    }
}
