//! `notice`: the promise to announce a new sub-processor some time before it takes
//! effect ("we notify you 30 days before engaging a new sub-processor"). Each selected
//! sub-processor or third party declares when it was `announced` and when it takes
//! `effective`; the gap must be at least the rule's `period`.

use super::RuleContext;
use crate::finding::Finding;
use crate::inventory::model::{EngagementDates, NodeKind, RuleKind};
use crate::source::Sp;

pub(crate) fn notice(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let RuleKind::Notice {
        period,
        nodes,
        since,
        ..
    } = &ctx.rule.kind
    else {
        return;
    };
    let Some(hours) = period.value.bound_hours() else {
        return; // not a period: reported by the loader
    };
    let notice_days = hours.div_ceil(24);
    let g = ctx.graph;
    for node in g.graph.node_indices() {
        if !ctx.node_in_scope(node) || !ctx.node_selected(nodes, node) {
            continue;
        }
        let Some((dates, inactive)) = engagement(ctx, node) else {
            continue;
        };
        if inactive {
            continue; // documented, never engaged
        }
        let info = g.info(node);
        let what = format!("{} `{}`", info.kind.noun(), info.id);
        let since_text = since
            .as_ref()
            .map(|s| {
                format!(
                    ", or `effective` before {} if it was engaged before the promise",
                    s.value
                )
            })
            .unwrap_or_default();
        let Some(effective) = &dates.effective else {
            out.push(
                ctx.finding(
                    format!(
                        "{what} declares no `effective` date, so the {} notice before it took effect cannot be verified",
                        period.value
                    ),
                    info.span,
                    "no `effective` date",
                )
                .with_help(format!(
                    "declare when it was announced and when it takes effect, e.g. `announced: 2025-03-01` and `effective: 2025-04-01`{since_text}"
                )),
            );
            continue;
        };
        if since.as_ref().is_some_and(|s| effective.value < s.value) {
            continue; // engaged before the promise was made
        }
        let Some(announced) = &dates.announced else {
            out.push(
                ctx.finding(
                    format!(
                        "{what} takes effect on {}, but declares no `announced` date, so the {} notice cannot be verified",
                        effective.value, period.value
                    ),
                    effective.span,
                    "no `announced` date",
                )
                .with_help("declare when customers were notified: `announced: <date>`".to_owned()),
            );
            continue;
        };
        let gap = (effective.value - announced.value).whole_days();
        if gap >= notice_days as i64 {
            continue;
        }
        let when = if gap < 0 {
            "before".to_owned()
        } else {
            format!("{} after", days(gap))
        };
        out.push(
            ctx.finding(
                format!(
                    "{what} takes effect on {}, {when} it was announced on {}; the promised notice is {}",
                    effective.value, announced.value, period.value
                ),
                effective.span,
                "notice too short",
            )
            .with_related(announced.span, "announced here")
            .with_help(format!(
                "take it into use no earlier than {} (set `effective`), or announce it earlier",
                announced.value.saturating_add(time::Duration::days(notice_days as i64))
            )),
        );
    }
}

/// The dates a recipient declares, and whether its `status` is `inactive`; `None` for
/// nodes that are not recipients (a notice rule is about sub-processors and third
/// parties).
fn engagement<'a>(
    ctx: &RuleContext<'a>,
    node: petgraph::graph::NodeIndex,
) -> Option<(&'a EngagementDates, bool)> {
    let crate::graph::GraphNode::Declared(declared) = ctx.graph.graph[node] else {
        return None;
    };
    let decl = &ctx.inv.decl;
    let (dates, common) = match declared.kind {
        NodeKind::Subprocessor => {
            let s = &decl.subprocessors[declared.index];
            (&s.dates, &s.common)
        }
        NodeKind::ThirdParty => {
            let t = &decl.third_parties[declared.index];
            (&t.dates, &t.common)
        }
        _ => return None,
    };
    let inactive = common
        .status
        .as_ref()
        .is_some_and(|s: &Sp<String>| s.value == "inactive");
    Some((dates, inactive))
}

/// "1 day", "12 days".
fn days(gap: i64) -> String {
    if gap == 1 {
        "1 day".to_owned()
    } else {
        format!("{gap} days")
    }
}
