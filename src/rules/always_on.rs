//! Checks that need no rule: data a flow delivers to a store that does not declare
//! holding it (`undeclared-holding`), personal data on a flow with no purpose
//! (`missing-purpose`), personal data reaching a recipient whose declaration does not
//! cover it (`undeclared-recipient`) and nodes that no flow reaches and nothing is hosted on
//! (`unreachable-node`).

use crate::finding::{Finding, Severity};
use crate::graph::{DataFlowGraph, Datum, GraphEdge, GraphNode};
use crate::inventory::Inventory;
use crate::inventory::model::NodeKind;
use petgraph::Direction;
use petgraph::visit::EdgeRef;

pub(crate) fn check(inv: &Inventory, g: &DataFlowGraph, out: &mut Vec<Finding>) {
    let tree = &inv.taxonomy.categories;
    let personal = |d: &Datum| !d.anonymized && inv.taxonomy.is_personal(d.category);
    for edge in g.graph.edge_references() {
        let e = edge.id();
        let GraphEdge::Flow(i) = g.graph[e] else {
            continue;
        };
        let flow = &inv.decl.flows[i];
        let target = g.info(edge.target());
        let carried = g.carried(e);

        if target.kind == NodeKind::Store {
            let undeclared: Vec<&Datum> = carried
                .iter()
                .filter(|d| {
                    !target
                        .holds
                        .iter()
                        .any(|h| tree.is_under(d.category, h.category))
                })
                .collect();
            if let Some(first) = undeclared.first() {
                let keys: Vec<&str> = undeclared.iter().map(|d| tree.key(d.category)).collect();
                out.push(
                    Finding::new(
                        "undeclared-holding",
                        Severity::Error,
                        format!(
                            "flow `{}` delivers {} to store `{}`, which does not declare holding it",
                            flow.label(),
                            super::list(&keys),
                            target.id
                        ),
                    )
                    .at(first.span, "not declared by the store")
                    .with_related(target.span, "store declared here")
                    .with_help(format!(
                        "declare it: add `- data: [{}]` with a `retention:` to `holds` of `{}`, or stop sending it",
                        keys.join(", "),
                        target.id
                    ))
                    .with_path(g.explain(inv, e, first.category)),
                );
            }
        }

        let Some(first_personal) = carried.iter().find(|d| personal(d)) else {
            continue;
        };
        if flow.purpose.is_none() {
            out.push(
                Finding::new(
                    "missing-purpose",
                    Severity::Error,
                    format!(
                        "flow `{}` carries personal data (`{}`) but declares no purpose",
                        flow.label(),
                        tree.key(first_personal.category)
                    ),
                )
                .at(flow.span, "no `purpose`")
                .with_help("add `purpose:` with a data use such as `essential.service` or `analytics.reporting`"),
            );
        }
        if let Some(finding) = recipient_check(inv, g, edge.target(), flow, first_personal) {
            out.push(finding.with_path(g.explain(inv, e, first_personal.category)));
        }
    }

    // A subprocessor that hosts a system or store is reached through that hosting.
    let hosts: std::collections::HashSet<&str> = inv
        .decl
        .systems
        .iter()
        .filter_map(|s| s.hosted_by.as_ref())
        .chain(inv.decl.stores.iter().filter_map(|s| s.hosted_by.as_ref()))
        .map(|h| h.value.as_str())
        .collect();
    for node in g.graph.node_indices() {
        let info = g.info(node);
        let fed = g
            .graph
            .edges_directed(node, Direction::Incoming)
            .next()
            .is_some()
            || hosts.contains(info.id.as_str());
        if info.kind == NodeKind::Subject || fed || matches!(g.graph[node], GraphNode::Backup(_)) {
            continue;
        }
        out.push(
            Finding::new(
                "unreachable-node",
                Severity::Warning,
                format!("no flow reaches {} `{}`", info.kind.noun(), info.id),
            )
            .at(info.span, "nothing flows here")
            .with_help("declare the flows that feed it, or remove it if it is no longer used"),
        );
    }
}

/// A subprocessor must list the purpose a flow serves; a third party must state the risk
/// of what it may do with the data.
fn recipient_check(
    inv: &Inventory,
    g: &DataFlowGraph,
    target: petgraph::graph::NodeIndex,
    flow: &crate::inventory::model::Flow,
    datum: &Datum,
) -> Option<Finding> {
    let GraphNode::Declared(node) = g.graph[target] else {
        return None;
    };
    let category = inv.taxonomy.categories.key(datum.category);
    let uses = &inv.taxonomy.uses;
    match node.kind {
        NodeKind::Subprocessor => {
            let sub = &inv.decl.subprocessors[node.index];
            let purpose = flow.purpose.as_ref().and_then(|p| uses.get(&p.value));
            let covered = purpose.is_some_and(|p| {
                sub.purposes
                    .iter()
                    .filter_map(|d| uses.get(&d.value))
                    .any(|d| uses.is_under(p, d))
            });
            if covered || flow.purpose.is_none() {
                return None;
            }
            let purpose_name = flow.purpose.as_ref().map_or("", |p| p.value.as_str());
            Some(
                Finding::new(
                    "undeclared-recipient",
                    Severity::Error,
                    format!(
                        "subprocessor `{}` receives `{category}` for `{purpose_name}`, a purpose it is not declared for",
                        sub.common.id.value
                    ),
                )
                .at(flow.to.span, "recipient not declared for this purpose")
                .with_related(sub.common.id.span, "subprocessor declared here")
                .with_help(format!(
                    "add `{purpose_name}` to `purposes` of `{}` (and check its DPA covers it), or change the flow",
                    sub.common.id.value
                )),
            )
        }
        NodeKind::ThirdParty => {
            let third = &inv.decl.third_parties[node.index];
            if third.risk.is_some() {
                return None;
            }
            Some(
                Finding::new(
                    "undeclared-recipient",
                    Severity::Error,
                    format!(
                        "third party `{}` receives personal data (`{category}`) but its declaration does not acknowledge it",
                        third.common.id.value
                    ),
                )
                .at(flow.to.span, "personal data leaves the organization's control here")
                .with_related(third.common.id.span, "third party declared here")
                .with_help(format!(
                    "add `risk:` to `{}` saying what it may do with the data and how users are told, or stop the flow",
                    third.common.id.value
                )),
            )
        }
        _ => None,
    }
}
