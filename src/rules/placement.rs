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
        if info.kind == NodeKind::Subject
            || !ctx.node_in_scope(node)
            || !ctx.node_selected(nodes, node)
        {
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
        let (message, span, label) = match info.region {
            Some(r) => (
                format!(
                    "{} `{}` is in `{}`, outside {allowed_list}, but holds or receives {}",
                    info.kind.noun(),
                    info.id,
                    regions[r].id.value,
                    list(&keys)
                ),
                info.region_span.unwrap_or(info.span),
                "region outside the allowed ones",
            ),
            None => (
                format!(
                    "{} `{}` declares no region, so it cannot be shown to keep {} inside {allowed_list}",
                    info.kind.noun(),
                    info.id,
                    list(&keys)
                ),
                info.span,
                "no `region` declared",
            ),
        };
        let mut finding = ctx.finding(message, span, label).with_help(format!(
            "move `{}` into one of {allowed_list} (set its `region`), or stop the flow that carries the data there",
            info.id
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
        if !ctx.edge_in_scope(e) || !g.crosses_border(ctx.inv, e) {
            continue;
        }
        let Some(target_region) = g.info(edge.target()).region else {
            continue;
        };
        if allowed
            .iter()
            .any(|a| ctx.inv.regions.within(regions, target_region, a))
        {
            continue;
        }
        let matching: Vec<_> = g.carried(e).iter().filter(|d| ctx.selects(d)).collect();
        let Some(first) = matching.first() else {
            continue;
        };
        let mut keys: Vec<&str> = matching.iter().map(|d| ctx.key(d)).collect();
        keys.dedup();
        let source_region = g
            .info(edge.source())
            .region
            .map_or("?", |r| regions[r].id.value.as_str());
        let target = &regions[target_region].id.value;
        let declared = ctx.flow(e).and_then(|f| f.transfer_mechanism.as_ref());
        let accepted = |m: &str| mechanisms.is_empty() || mechanisms.iter().any(|x| x.value == m);
        let (message, span, label, help) = match declared {
            Some(m) if accepted(&m.value) => continue,
            Some(m) => (
                format!(
                    "{} moves {} from `{source_region}` to `{target}` under `{}`, which this rule does not accept",
                    ctx.edge_label(e),
                    list(&keys),
                    m.value
                ),
                m.span,
                "mechanism not accepted",
                format!(
                    "use one of: {}",
                    mechanisms.iter().map(|m| m.value.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ),
            None => (
                format!(
                    "{} moves {} from `{source_region}` to `{target}`, outside {}, with no transfer mechanism",
                    ctx.edge_label(e),
                    list(&keys),
                    list(&allowed)
                ),
                ctx.flow(e).map_or(first.span, |f| f.to.span),
                "crosses a border here",
                "declare `transfer_mechanism:` on the flow (adequacy, sccs, bcrs, consent or derogation), or keep the data inside the allowed regions".to_owned(),
            ),
        };
        out.push(
            ctx.finding(message, span, label)
                .with_help(help)
                .with_path(ctx.path(e, first)),
        );
    }
}

fn ids(items: &[crate::inventory::model::Id]) -> Vec<&str> {
    items.iter().map(|i| i.value.as_str()).collect()
}
