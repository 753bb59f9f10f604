//! How data is kept: `retention` (stores declare how long and stay under a maximum),
//! `encryption` (at rest in stores and backups, in transit on flows) and `prohibited`
//! (matching data appears in no store and on no flow).

use super::{RuleContext, list};
use crate::finding::Finding;
use crate::graph::{Datum, GraphEdge, GraphNode};
use crate::inventory::model::{NodeKind, RuleKind};
use crate::retention::Retention;
use petgraph::visit::EdgeRef;

pub(crate) fn retention(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let RuleKind::Retention { max, nodes, .. } = &ctx.rule.kind else {
        return;
    };
    let g = ctx.graph;
    let tree = ctx.categories();
    for node in g.graph.node_indices() {
        if let Some(finding) = backup_retention(ctx, node) {
            out.push(finding);
            continue;
        }
        let Some(store_index) = declared_store(ctx, node) else {
            continue;
        };
        if !ctx.node_in_scope(node) || !ctx.node_selected(nodes, node) {
            continue;
        }
        let store = &ctx.inv.decl.stores[store_index];
        for holding in &store.holds {
            let matching: Vec<_> = holding
                .data
                .iter()
                .filter(|k| {
                    tree.get(&k.value).is_some_and(|c| {
                        ctx.selects_held(
                            node,
                            &Datum {
                                category: c,
                                anonymized: holding.anonymized,
                                span: k.span,
                            },
                        )
                    })
                })
                .collect();
            let Some(first) = matching.first() else {
                continue;
            };
            let keys: Vec<&str> = matching.iter().map(|k| k.value.as_str()).collect();
            let store_id = &store.common.id.value;
            let path = tree
                .get(&first.value)
                .map(|c| ctx.path_into(node, c))
                .unwrap_or_default();
            if holding.retention.is_none() && holding.retention_todo {
                continue; // reported as a `placeholder` until filled in
            }
            let finding = match (max.as_ref().map(|m| &m.value), &holding.retention) {
                (Some(Retention::None), _) => ctx
                    .finding(
                        format!("store `{store_id}` holds {}, which no store may keep", list(&keys)),
                        first.span,
                        "kept here",
                    )
                    .with_help("stop storing it: pass it through to the processor without persisting it, and remove it from `holds`"),
                (_, None) => ctx
                    .finding(
                        format!("store `{store_id}` holds {} with no declared retention", list(&keys)),
                        first.span,
                        "how long is this kept?",
                    )
                    .fixable(crate::fix::Fix::AddRetention { holding: holding.span })
                    .with_help(match max {
                        Some(m) => format!("add `retention:` of at most `{}` to this entry of `holds`", m.value),
                        None => "add `retention:` to this entry of `holds` (e.g. `60d`, `7y`, `until-account-deleted`)".to_owned(),
                    }),
                (Some(limit), Some(kept)) if kept.value.exceeds(limit) => ctx
                    .finding(
                        format!(
                            "store `{store_id}` keeps {} for `{}`, longer than the maximum of `{limit}`",
                            list(&keys),
                            kept.value
                        ),
                        kept.span,
                        "retention too long",
                    )
                    .with_help(format!("shorten `retention:` to `{limit}` or less, and make the store delete older data")),
                (None, Some(kept)) if kept.value.needs_reason() && holding.reason.is_none() => ctx
                    .finding(
                        format!(
                            "store `{store_id}` keeps {} `{}` without saying why",
                            list(&keys),
                            kept.value
                        ),
                        kept.span,
                        "kept with no end",
                    )
                    .with_help("add `reason:` saying why the data must be kept with no end, or set a period (`7y`) or a deletion event (`until-account-deleted`)"),
                _ => continue,
            };
            out.push(finding.with_path(path));
        }
    }
}

/// A backup keeps copies of what its store holds, for the backup's own `retention`:
/// it is held to the same `retention` rules (`max: none` is reported at the store).
fn backup_retention(ctx: &RuleContext, node: petgraph::graph::NodeIndex) -> Option<Finding> {
    let RuleKind::Retention { max, nodes, .. } = &ctx.rule.kind else {
        return None;
    };
    let store = ctx.backup_of(node)?;
    let backup = store.backups.as_ref()?;
    if !ctx.node_in_scope(node)
        || !ctx.node_selected(nodes, node)
        || max.as_ref().is_some_and(|m| m.value == Retention::None)
    {
        return None;
    }
    let info = ctx.graph.info(node);
    let keys = ctx.selected_holdings(node);
    let first = info.holds.iter().find(|d| ctx.selects_held(node, d))?;
    let store_id = &store.common.id.value;
    let what = format!("the backup of store `{store_id}`");
    let finding = match (max.as_ref().map(|m| &m.value), &backup.retention) {
        (_, None) => ctx
            .finding(
                format!("{what} keeps {} with no declared retention", list(&keys)),
                backup.span,
                "how long are backups kept?",
            )
            .with_help(match max {
                Some(m) => format!(
                    "add `retention:` of at most `{}` under `backups` of `{store_id}`",
                    m.value
                ),
                None => format!(
                    "add `retention:` under `backups` of `{store_id}` (e.g. `30d`, or `indefinite` with a `reason:`)"
                ),
            }),
        (Some(limit), Some(kept)) if kept.value.exceeds(limit) => ctx
            .finding(
                format!(
                    "{what} keeps {} for `{}`, longer than the maximum of `{limit}`",
                    list(&keys),
                    kept.value
                ),
                kept.span,
                "backups kept too long",
            )
            .with_help(format!(
                "keep backups of `{store_id}` for `{limit}` or less (`retention:` under `backups`), or keep this data out of them"
            )),
        (None, Some(kept)) if kept.value.needs_reason() && backup.reason.is_none() => ctx
            .finding(
                format!(
                    "{what} keeps {} `{}` without saying why",
                    list(&keys),
                    kept.value
                ),
                kept.span,
                "kept with no end",
            )
            .with_help(format!(
                "add `reason:` under `backups` of `{store_id}` saying why backups are kept with no end, or set a period (`30d`)"
            )),
        _ => return None,
    };
    Some(finding.with_path(ctx.path_into(node, first.category)))
}

/// The index of a declared store (not a backup copy).
fn declared_store(ctx: &RuleContext, node: petgraph::graph::NodeIndex) -> Option<usize> {
    match ctx.graph.graph[node] {
        GraphNode::Declared(r) if r.kind == NodeKind::Store => Some(r.index),
        _ => None,
    }
}

pub(crate) fn encryption(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let RuleKind::Encryption {
        at_rest,
        in_transit,
        nodes,
        ..
    } = &ctx.rule.kind
    else {
        return;
    };
    let g = ctx.graph;
    if *at_rest {
        for node in g.graph.node_indices() {
            let Some(store_index) = g.store_index(node) else {
                continue;
            };
            if !ctx.node_in_scope(node) || !ctx.node_selected(nodes, node) {
                continue;
            }
            let info = g.info(node);
            let keys = ctx.selected_holdings(node);
            if keys.is_empty() {
                continue;
            }
            let store = &ctx.inv.decl.stores[store_index];
            let is_backup = matches!(g.graph[node], GraphNode::Backup(_));
            let flag = if is_backup {
                store.backups.as_ref().and_then(|b| b.encrypted.as_ref())
            } else {
                store.encrypted_at_rest.as_ref()
            };
            let key_name = if is_backup {
                "encrypted"
            } else {
                "encrypted_at_rest"
            };
            let what = if is_backup {
                format!("the backup of store `{}`", store.common.id.value)
            } else {
                format!("store `{}`", store.common.id.value)
            };
            let (message, span, label) = match flag {
                Some(f) if f.value => continue,
                Some(f) => (
                    format!("{what} holds {} unencrypted at rest", list(&keys)),
                    f.span,
                    "not encrypted",
                ),
                None => (
                    format!(
                        "{what} holds {} and does not declare `{key_name}`",
                        list(&keys)
                    ),
                    info.span,
                    "encryption at rest not declared",
                ),
            };
            out.push(ctx.finding(message, span, label).with_help(format!(
                "encrypt the storage and declare `{key_name}: true`"
            )));
        }
    }
    if *in_transit {
        for edge in g.graph.edge_references() {
            let e = edge.id();
            let GraphEdge::Flow(i) = g.graph[e] else {
                continue;
            };
            if !ctx.edge_in_scope(e) || !ctx.node_selected(nodes, edge.target()) {
                continue;
            }
            let Some(first) = g.carried(e).iter().find(|d| ctx.selects_on(e, d)) else {
                continue;
            };
            let flow = &ctx.inv.decl.flows[i];
            let (message, span, label) = match &flow.encrypted_in_transit {
                Some(f) if f.value => continue,
                Some(f) => (
                    format!(
                        "flow `{}` carries `{}` unencrypted",
                        flow.label(),
                        ctx.key(first)
                    ),
                    f.span,
                    "not encrypted in transit",
                ),
                None => (
                    format!(
                        "flow `{}` carries `{}` and does not declare `encrypted_in_transit`",
                        flow.label(),
                        ctx.key(first)
                    ),
                    flow.span,
                    "encryption in transit not declared",
                ),
            };
            out.push(
                ctx.finding(message, span, label)
                    .with_help("use TLS (HTTPS) for this connection and declare `encrypted_in_transit: true`")
                    .with_path(ctx.path(e, first)),
            );
        }
    }
}

pub(crate) fn prohibited(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let RuleKind::Prohibited { nodes, .. } = &ctx.rule.kind else {
        return;
    };
    let g = ctx.graph;
    for node in g.graph.node_indices() {
        if !ctx.node_in_scope(node) || !ctx.node_selected(nodes, node) {
            continue;
        }
        if matches!(g.graph[node], GraphNode::Backup(_)) {
            continue; // the store itself is reported
        }
        let info = g.info(node);
        for datum in info.holds.iter().filter(|d| ctx.selects_held(node, d)) {
            out.push(
                ctx.finding(
                    format!(
                        "store `{}` holds `{}`, which is prohibited",
                        info.id,
                        ctx.key(datum)
                    ),
                    datum.span,
                    "prohibited data held here",
                )
                .with_help("remove it from the store and from every flow that delivers it")
                .with_path(ctx.path_into(node, datum.category)),
            );
        }
    }
    for edge in g.graph.edge_references() {
        let e = edge.id();
        let GraphEdge::Flow(_) = g.graph[e] else {
            continue;
        };
        if !ctx.edge_in_scope(e) || !ctx.node_selected(nodes, edge.target()) {
            continue;
        }
        for datum in g.carried(e).iter().filter(|d| ctx.selects_on(e, d)) {
            out.push(
                ctx.finding(
                    format!(
                        "{} carries `{}` to `{}`, which is prohibited",
                        ctx.edge_label(e),
                        ctx.key(datum),
                        ctx.name(edge.target())
                    ),
                    datum.span,
                    "prohibited data carried here",
                )
                .with_help("stop collecting or sending this data")
                .with_path(ctx.path(e, datum)),
            );
        }
    }
}
