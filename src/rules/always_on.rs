//! Checks that need no rule: data a flow delivers to a store that does not declare
//! holding it (`undeclared-holding`) or for a purpose its holding does not declare
//! (`holding-purpose`), personal data on a flow with no purpose (`missing-purpose`),
//! personal data reaching a recipient whose declaration does not cover it
//! (`undeclared-recipient`) or a processor that declares no DPA (`missing-dpa`), and
//! nodes that no flow reaches and nothing is hosted on, unless documented as
//! `inactive` or `standby` (`unreachable-node`).

use crate::finding::{Finding, Severity};
use crate::graph::{DataFlowGraph, Datum, GraphEdge, GraphNode};
use crate::inventory::Inventory;
use crate::inventory::model::NodeKind;
use petgraph::Direction;
use petgraph::visit::EdgeRef;

pub(crate) fn check(inv: &Inventory, g: &DataFlowGraph, out: &mut Vec<Finding>) {
    for span in &inv.decl.placeholders {
        out.push(
            Finding::new(
                "placeholder",
                crate::finding::Severity::Error,
                "a value is still `TODO`",
            )
            .at(*span, "fill this in")
            .with_help("write how long the data is kept: a period (`30d`, `12mo`), `until-<event>` (`until-account-deleted`), `none` or `indefinite` with a `reason`"),
        );
    }
    let tree = &inv.taxonomy.categories;
    let personal = |d: &Datum| !d.anonymized && inv.taxonomy.is_personal(d.category);
    // Per subprocessor without a DPA, the first flow that sends it personal data.
    let mut without_dpa: std::collections::BTreeMap<usize, &crate::inventory::model::Flow> =
        std::collections::BTreeMap::new();
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
                    .fixable(crate::fix::Fix::DeclareHolding {
                        store: target.id.clone(),
                        categories: keys.iter().map(|k| (*k).to_owned()).collect(),
                    })
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

        if target.kind == NodeKind::Store
            && let Some((finding, category)) = holding_purpose(inv, g, edge.target(), flow)
        {
            out.push(finding.with_path(g.explain(inv, e, category)));
        }

        let Some(first_personal) = carried.iter().find(|d| personal(d)) else {
            continue;
        };
        if let GraphNode::Declared(node) = g.graph[edge.target()]
            && node.kind == NodeKind::Subprocessor
            && inv.decl.subprocessors[node.index]
                .dpa
                .as_ref()
                .is_some_and(|d| !d.value)
        {
            without_dpa.entry(node.index).or_insert(flow);
        }
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

    for (index, flow) in without_dpa {
        let sub = &inv.decl.subprocessors[index];
        let Some(dpa) = &sub.dpa else { continue };
        out.push(
            Finding::new(
                "missing-dpa",
                Severity::Error,
                format!(
                    "subprocessor `{}` processes personal data (flow `{}`) without a data processing agreement",
                    sub.common.id.value,
                    flow.label()
                ),
            )
            .at(dpa.span, "no DPA")
            .with_related(flow.to.span, "personal data sent to it here")
            .with_help(format!(
                "sign a data processing agreement with `{}` (GDPR Art. 28) and declare `dpa: true`, or stop sending it personal data",
                sub.common.id.value
            )),
        );
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
    // A processor documented as `inactive` or `standby` is not expected to be reached.
    let dormant: std::collections::HashSet<&str> = inv
        .all_nodes()
        .filter(|n| n.dormant())
        .map(|n| n.id.value.as_str())
        .collect();
    for node in g.graph.node_indices() {
        let info = g.info(node);
        if dormant.contains(info.id.as_str()) {
            continue;
        }
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

/// A third party that declares `purposes` receives personal data for those only.
fn third_party_purpose(
    inv: &Inventory,
    third: &crate::inventory::model::ThirdParty,
    flow: &crate::inventory::model::Flow,
    category: &str,
) -> Option<Finding> {
    let purpose = flow.purpose.as_ref()?;
    if third.purposes.is_empty() || covered(inv, &purpose.value, &third.purposes) {
        return None;
    }
    let id = &third.common.id.value;
    Some(
        Finding::new(
            "undeclared-recipient",
            Severity::Error,
            format!(
                "third party `{id}` receives `{category}` for `{}`, a purpose it is not declared for",
                purpose.value
            ),
        )
        .at(flow.to.span, "recipient not declared for this purpose")
        .with_related(third.common.id.span, "third party declared here")
        .with_help(format!(
            "add `{}` to `purposes` of `{id}` if it truly receives data for that, or change the flow",
            purpose.value
        )),
    )
}

/// Whether a purpose lies under one of the declared uses.
fn covered(inv: &Inventory, purpose: &str, declared: &[crate::inventory::model::Id]) -> bool {
    let uses = &inv.taxonomy.uses;
    uses.get(purpose).is_some_and(|p| {
        declared
            .iter()
            .filter_map(|d| uses.get(&d.value))
            .any(|d| uses.is_under(p, d))
    })
}

/// A store's holding that declares a `purpose` keeps its data for that purpose only: a
/// flow that delivers the data for another purpose is reported.
fn holding_purpose(
    inv: &Inventory,
    g: &DataFlowGraph,
    target: petgraph::graph::NodeIndex,
    flow: &crate::inventory::model::Flow,
) -> Option<(Finding, crate::taxonomy::KeyId)> {
    let store = &inv.decl.stores[g.store_index(target)?];
    let purpose = flow.purpose.as_ref()?;
    let tree = &inv.taxonomy.categories;
    for key in &flow.data {
        let Some(category) = tree.get(&key.value) else {
            continue;
        };
        let holdings: Vec<_> = store
            .holds
            .iter()
            .filter(|h| {
                h.data
                    .iter()
                    .filter_map(|d| tree.get(&d.value))
                    .any(|d| tree.is_under(category, d))
            })
            .collect();
        // Not declared at all is `undeclared-holding`; a holding with no purpose accepts any.
        if holdings.is_empty() || holdings.iter().any(|h| h.purpose.is_none()) {
            continue;
        }
        let declared: Vec<_> = holdings.iter().filter_map(|h| h.purpose.clone()).collect();
        if covered(inv, &purpose.value, &declared) {
            continue;
        }
        let store_id = &store.common.id.value;
        let names: Vec<&str> = declared.iter().map(|d| d.value.as_str()).collect();
        let mut finding = Finding::new(
            "holding-purpose",
            Severity::Error,
            format!(
                "flow `{}` delivers `{}` to store `{store_id}` for `{}`, but the store keeps it for {} only",
                flow.label(),
                key.value,
                purpose.value,
                super::list(&names)
            ),
        )
        .at(purpose.span, "purpose the store does not declare");
        for d in &declared {
            finding = finding.with_related(d.span, "the store keeps it for this");
        }
        let finding = finding.with_help(format!(
            "change the flow's purpose to one the store declares, or add an entry to `holds` of `{store_id}` with `data: [{}]` and `purpose: {}`",
            key.value, purpose.value
        ));
        return Some((finding, category));
    }
    None
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
    match node.kind {
        NodeKind::Subprocessor => {
            let sub = &inv.decl.subprocessors[node.index];
            let covered = flow
                .purpose
                .as_ref()
                .is_some_and(|p| covered(inv, &p.value, &sub.purposes));
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
                return third_party_purpose(inv, third, flow, category);
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
