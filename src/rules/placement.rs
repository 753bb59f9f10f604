//! Where data may be: `location` (matching data is held by or reaches only nodes in the
//! allowed regions) and `transfer` (a flow that carries matching data out of the allowed
//! regions into another country must declare a transfer mechanism).

use super::{RuleContext, list};
use crate::finding::Finding;
use crate::inventory::model::{NodeKind, RuleKind};
use petgraph::visit::EdgeRef;

pub(crate) fn location(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let RuleKind::Location {
        allowed_regions,
        nodes,
        ..
    } = &ctx.rule.kind
    else {
        return;
    };
    let g = ctx.graph;
    let regions = &ctx.inv.decl.regions;
    let allowed = ids(allowed_regions);
    for node in g.graph.node_indices() {
        let info = g.info(node);
        if !ctx.location_judges(nodes, node) {
            continue;
        }
        let inside = info.region.is_some_and(|r| {
            allowed
                .iter()
                .any(|a| ctx.inv.regions.within(regions, r, a))
        });
        if inside {
            continue;
        }
        // What matching data is here: held, or delivered by a flow.
        let held = info.holds.iter().filter(|d| ctx.selects(d));
        let arriving: Vec<_> = g
            .incoming(node)
            .filter(|(e, d)| ctx.edge_in_scope(*e) && ctx.selects(d))
            .collect();
        let mut keys: Vec<&str> = held.map(|d| ctx.key(d)).collect();
        let first_arrival = arriving.first().copied();
        keys.extend(arriving.iter().map(|(_, d)| ctx.key(d)));
        keys.sort_unstable();
        keys.dedup();
        if keys.is_empty() {
            continue;
        }
        let allowed_list = list(&allowed);
        let what = ctx.describe(node);
        let (message, span, label) = match info.region {
            Some(r) => (
                format!(
                    "{what} is in `{}`, outside {allowed_list}, but holds or receives {}",
                    regions[r].id.value,
                    list(&keys)
                ),
                info.region_span.unwrap_or(info.span),
                "region outside the allowed ones",
            ),
            None => (
                format!(
                    "{what} declares no region, so it cannot be shown to keep {} inside {allowed_list}",
                    list(&keys)
                ),
                info.span,
                "no `region` declared",
            ),
        };
        let mut finding = ctx.finding(message, span, label).with_help(format!(
            "move it into one of {allowed_list} (set {}), or stop the flow that carries the data there",
            ctx.region_key(node)
        ));
        if let Some((edge, datum)) = first_arrival {
            finding = finding.with_path(ctx.path(edge, datum));
        } else if let Some(held) = info.holds.iter().find(|d| ctx.selects(d)) {
            finding = finding.with_path(ctx.path_into(node, held.category));
        }
        out.push(finding);
    }
}

pub(crate) fn transfer(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let RuleKind::Transfer {
        allowed_regions,
        mechanisms,
        ..
    } = &ctx.rule.kind
    else {
        return;
    };
    let g = ctx.graph;
    let regions = &ctx.inv.decl.regions;
    let allowed = ids(allowed_regions);
    for edge in g.graph.edge_references() {
        let e = edge.id();
        if !ctx.edge_in_scope(e) {
            continue;
        }
        let matching: Vec<_> = g.carried(e).iter().filter(|d| ctx.selects(d)).collect();
        let Some(first) = matching.first() else {
            continue;
        };
        let mut keys: Vec<&str> = matching.iter().map(|d| ctx.key(d)).collect();
        keys.dedup();
        let (source, target) = (edge.source(), edge.target());
        let inside = |r: usize| {
            allowed
                .iter()
                .any(|a| ctx.inv.regions.within(regions, r, a))
        };
        // Data that arrives inside the allowed regions leaves nothing, wherever it came from.
        if g.info(target).region.is_some_and(inside) {
            continue;
        }
        // A data subject is a person, not an exporter or an importer: collecting data from
        // one (or showing it to one) somewhere unstated is not a transfer.
        let regionless = |n: petgraph::graph::NodeIndex| g.info(n).region.is_none();
        let is_subject = |n: petgraph::graph::NodeIndex| g.info(n).kind == NodeKind::Subject;
        if [source, target]
            .into_iter()
            .any(|n| regionless(n) && is_subject(n))
        {
            continue;
        }
        if let Some(unknown) = [target, source].into_iter().find(|n| regionless(*n)) {
            out.push(unverifiable(ctx, e, unknown, &keys, &allowed).with_path(ctx.path(e, first)));
            continue;
        }
        if !g.crosses_border(ctx.inv, e) {
            continue;
        }
        let Some(target_region) = g.info(target).region else {
            continue;
        };
        let source_region = g
            .info(source)
            .region
            .map_or("?", |r| regions[r].id.value.as_str());
        let target_name = &regions[target_region].id.value;
        let backup = ctx.backup_of(target).filter(|_| ctx.flow(e).is_none());
        let declared = match backup {
            Some(store) => store
                .backups
                .as_ref()
                .and_then(|b| b.transfer_mechanism.as_ref()),
            None => ctx.flow(e).and_then(|f| f.transfer_mechanism.as_ref()),
        };
        let accepted = |m: &str| mechanisms.is_empty() || mechanisms.iter().any(|x| x.value == m);
        let (message, span, label, help) = match declared {
            Some(m) if accepted(&m.value) => continue,
            Some(m) => (
                format!(
                    "{} moves {} from `{source_region}` to `{target_name}` under `{}`, which this rule does not accept",
                    ctx.edge_label(e),
                    list(&keys),
                    m.value
                ),
                m.span,
                "mechanism not accepted",
                format!(
                    "use one of: {}",
                    mechanisms
                        .iter()
                        .map(|m| m.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            None => {
                let (span, help) = match backup {
                    Some(store) => (
                        g.info(target).region_span.unwrap_or(first.span),
                        format!(
                            "declare `transfer_mechanism:` under `backups` of store `{}` (adequacy, sccs, bcrs, consent or derogation), or keep the backup inside {}",
                            store.common.id.value,
                            list(&allowed)
                        ),
                    ),
                    None => (
                        ctx.flow(e).map_or(first.span, |f| f.to.span),
                        "declare `transfer_mechanism:` on the flow (adequacy, sccs, bcrs, consent or derogation), or keep the data inside the allowed regions".to_owned(),
                    ),
                };
                (
                    format!(
                        "{} moves {} from `{source_region}` to `{target_name}`, outside {}, with no transfer mechanism",
                        ctx.edge_label(e),
                        list(&keys),
                        list(&allowed)
                    ),
                    span,
                    "crosses a border here",
                    help,
                )
            }
        };
        out.push(
            ctx.finding(message, span, label)
                .with_help(help)
                .with_path(ctx.path(e, first)),
        );
    }
}

/// A flow with an end (other than a data subject) whose region is unknown: whether it
/// leaves the allowed regions cannot be told, so it is reported rather than passed.
fn unverifiable(
    ctx: &RuleContext,
    edge: petgraph::graph::EdgeIndex,
    unknown: petgraph::graph::NodeIndex,
    keys: &[&str],
    allowed: &[&str],
) -> Finding {
    let g = ctx.graph;
    let info = g.info(unknown);
    let is_target = g
        .graph
        .edge_endpoints(edge)
        .is_some_and(|(_, target)| target == unknown);
    let span = match ctx.flow(edge) {
        Some(flow) if is_target => flow.to.span,
        Some(flow) => flow.from.span,
        None => info.span,
    };
    let what = ctx.describe(unknown);
    ctx.finding(
        format!(
            "{} carries {} {} {what}, which declares no region: whether it leaves {} cannot be verified",
            ctx.edge_label(edge),
            list(keys),
            if is_target { "to" } else { "from" },
            list(allowed)
        ),
        span,
        "region unknown",
    )
    .with_related(info.span, format!("{what} declared here with no `region`"))
    .with_help(format!(
        "set {} (declared regions: {}), so the transfer can be checked",
        ctx.region_key(unknown),
        ctx.some_regions()
    ))
}

fn ids(items: &[crate::inventory::model::Id]) -> Vec<&str> {
    items.iter().map(|i| i.value.as_str()).collect()
}
