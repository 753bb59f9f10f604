//! Who may receive what, and on which grounds: `sharing` (allow-lists and deny-lists of
//! categories, recipients and purposes), `lawful_basis` (flows for given purposes
//! name one of the required GDPR bases) and `alternatives` (at most one of a set of
//! processors is in use).

use super::{RuleContext, list, selector};
use crate::finding::Finding;
use crate::graph::{Datum, GraphEdge};
use crate::inventory::model::{Id, RuleKind};
use petgraph::visit::EdgeRef;

/// Whether a flow's purpose lies under any of the listed uses.
fn purpose_under(ctx: &RuleContext, purpose: Option<&Id>, uses: &[Id]) -> bool {
    let tree = ctx.uses();
    let Some(purpose) = purpose.and_then(|p| tree.get(&p.value)) else {
        return false;
    };
    uses.iter()
        .filter_map(|u| tree.get(&u.value))
        .any(|u| tree.is_under(purpose, u))
}

pub(crate) fn sharing(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let RuleKind::Sharing {
        to,
        from,
        allow_data,
        allow_recipients,
        allow_purposes,
        deny_purposes,
        unless_basis,
        ..
    } = &ctx.rule.kind
    else {
        return;
    };
    let g = ctx.graph;
    let allowed_data = allow_data
        .as_ref()
        .map(|keys| selector(ctx.categories(), keys));
    let pure_deny = allow_data.is_none()
        && allow_recipients.is_empty()
        && allow_purposes.is_empty()
        && deny_purposes.is_empty();
    for edge in g.graph.edge_references() {
        let e = edge.id();
        let recipient = edge.target();
        // A store's copy to its own backup shares nothing.
        if matches!(g.graph[e], GraphEdge::Backup(_)) {
            continue;
        }
        if !ctx.edge_in_scope(e)
            || !ctx.node_selected(to, recipient)
            || (!from.is_empty() && !ctx.node_selected(from, edge.source()))
        {
            continue;
        }
        let recipient_id = ctx.name(recipient);
        if allow_recipients.iter().any(|r| r.value == recipient_id) {
            continue;
        }
        let flow = ctx.flow(e);
        let basis = flow.and_then(|f| f.lawful_basis.as_ref());
        if basis.is_some_and(|b| unless_basis.iter().any(|u| u.value == b.value)) {
            continue;
        }
        let purpose = flow.and_then(|f| f.purpose.as_ref());
        let purpose_name = purpose.map_or("no purpose", |p| p.value.as_str());
        let mut offending: Vec<&Datum> = Vec::new();
        let mut reason = String::new();
        for datum in g.carried(e).iter().filter(|d| ctx.selects_on(e, d)) {
            let why = if pure_deny {
                Some("must not receive it".to_owned())
            } else if !allow_recipients.is_empty() {
                Some("is not among the allowed recipients".to_owned())
            } else if allowed_data
                .as_ref()
                .is_some_and(|allowed| !allowed.matches(ctx.categories(), datum.category))
            {
                Some("may not receive this category".to_owned())
            } else if !allow_purposes.is_empty() && !purpose_under(ctx, purpose, allow_purposes) {
                Some(format!("may receive it only for {}", ids(allow_purposes)))
            } else if purpose_under(ctx, purpose, deny_purposes) {
                Some(format!("must not receive it for `{purpose_name}`"))
            } else {
                None
            };
            if let Some(why) = why {
                if offending.is_empty() {
                    reason = why;
                }
                offending.push(datum);
            }
        }
        let Some(first) = offending.first() else {
            continue;
        };
        let keys: Vec<&str> = offending.iter().map(|d| ctx.key(d)).collect();
        let message = format!(
            "{} shares {} with {} `{recipient_id}` (purpose: {purpose_name}), which {reason}",
            ctx.edge_label(e),
            list(&keys),
            g.info(recipient).kind.noun(),
        );
        let help = if pure_deny || !allow_recipients.is_empty() {
            format!(
                "remove the data from the flow, mark it `anonymized` if it truly is, or remove the flow to `{recipient_id}`"
            )
        } else {
            "remove the offending categories or change the flow's purpose to one this rule allows"
                .to_owned()
        };
        out.push(
            ctx.finding(message, first.span, "shared here")
                .with_help(help)
                .with_path(ctx.path(e, first)),
        );
    }
}

pub(crate) fn lawful_basis(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let RuleKind::LawfulBasis {
        purposes, require, ..
    } = &ctx.rule.kind
    else {
        return;
    };
    let g = ctx.graph;
    for edge in g.graph.edge_references() {
        let e = edge.id();
        let GraphEdge::Flow(i) = g.graph[e] else {
            continue;
        };
        let flow = &ctx.inv.decl.flows[i];
        if !ctx.edge_in_scope(e) {
            continue;
        }
        if !purposes.is_empty() && !purpose_under(ctx, flow.purpose.as_ref(), purposes) {
            continue;
        }
        let Some(first) = g.carried(e).iter().find(|d| ctx.selects_on(e, d)) else {
            continue;
        };
        let required = ids(require);
        let (message, span, label, help) = match &flow.lawful_basis {
            Some(b) if require.is_empty() || require.iter().any(|r| r.value == b.value) => continue,
            Some(b) => (
                format!(
                    "flow `{}` processes `{}` for `{}` on the basis of `{}`; this needs {required}",
                    flow.label(),
                    ctx.key(first),
                    flow.purpose
                        .as_ref()
                        .map_or("no purpose", |p| p.value.as_str()),
                    b.value
                ),
                b.span,
                "wrong lawful basis",
                format!(
                    "set `lawful_basis:` to {required}, and collect it (e.g. an opt-in) before the flow starts"
                ),
            ),
            None => (
                format!(
                    "flow `{}` carries `{}` but names no lawful basis",
                    flow.label(),
                    ctx.key(first)
                ),
                flow.span,
                "no `lawful_basis`",
                if require.is_empty() {
                    "add `lawful_basis:` (consent, contract, legal_obligation, vital_interests, public_task or legitimate_interests)".to_owned()
                } else {
                    format!("add `lawful_basis:` with {required}")
                },
            ),
        };
        out.push(
            ctx.finding(message, span, label)
                .with_help(help)
                .with_path(ctx.path(e, first)),
        );
    }
}

fn ids(items: &[Id]) -> String {
    let words: Vec<&str> = items.iter().map(|i| i.value.as_str()).collect();
    list(&words)
}

pub(crate) fn alternatives(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let RuleKind::Alternatives { nodes, .. } = &ctx.rule.kind else {
        return;
    };
    let g = ctx.graph;
    let declared = |id: &str| ctx.inv.all_nodes().find(|c| c.id.value == id);
    // Each listed node that is in use, and why: its status, or the data it receives.
    let mut active: Vec<(&Id, String, crate::source::Span)> = Vec::new();
    for id in nodes {
        let (Some(common), Some(node)) = (declared(&id.value), g.node(&id.value)) else {
            continue;
        };
        let receiving = g
            .incoming(node)
            .find(|(e, datum)| ctx.edge_in_scope(*e) && ctx.selects_on(*e, datum));
        match (common.dormant(), receiving) {
            (false, _) => active.push((
                id,
                match &common.status {
                    Some(status) => format!("`{}` is `status: {}`", id.value, status.value),
                    None => format!("`{}` declares no `status`, so it is active", id.value),
                },
                common.status.as_ref().map_or(common.id.span, |s| s.span),
            )),
            (true, Some((edge, datum))) => active.push((
                id,
                format!(
                    "`{}` says `{}` but {} sends it {}",
                    id.value,
                    common.status.as_ref().map_or("", |s| s.value.as_str()),
                    ctx.edge_label(edge),
                    list(&[ctx.key(datum)])
                ),
                common.status.as_ref().map_or(common.id.span, |s| s.span),
            )),
            (true, None) => {}
        }
    }
    if active.len() < 2 {
        return;
    }
    let names: Vec<&str> = nodes.iter().map(|n| n.value.as_str()).collect();
    let (_, _, second_span) = &active[1];
    let mut finding = ctx
        .finding(
            format!(
                "{} of the alternatives {} are in use; at most one may be",
                active.len(),
                list(&names)
            ),
            *second_span,
            "a second one in use",
        )
        .with_help(
            "set `status: standby` (ready to take over) or `status: inactive` on all but one, and stop the flows to them".to_owned(),
        );
    for (_, why, span) in &active {
        finding = finding.with_related(*span, why.clone());
    }
    out.push(finding);
}
