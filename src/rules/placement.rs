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
        let inside = |r: usize| {
            allowed
                .iter()
                .any(|a| ctx.inv.regions.within(regions, r, a))
        };
        // A node in several regions is inside only if every one of them is.
        let outside = info.regions.iter().find(|p| !inside(p.region));
        if !info.regions.is_empty() && outside.is_none() {
            continue;
        }
        // What matching data is here: held, or delivered by a flow.
        let held = info.holds.iter().filter(|d| ctx.selects_held(node, d));
        let arriving: Vec<_> = g
            .incoming(node)
            .filter(|(e, d)| ctx.edge_in_scope(*e) && ctx.selects_on(*e, d))
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
        let (message, span, label) = match outside {
            Some(placement) => (
                format!(
                    "{what} is in `{}`{}, outside {allowed_list}, but holds or receives {}",
                    regions[placement.region].id.value,
                    if info.regions.len() > 1 {
                        " (one of its regions)"
                    } else {
                        ""
                    },
                    list(&keys)
                ),
                placement.span,
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
        } else if let Some(held) = info.holds.iter().find(|d| ctx.selects_held(node, d)) {
            finding = finding.with_path(ctx.path_into(node, held.category));
        }
        out.push(finding);
    }
}

pub(crate) fn transfer(ctx: &RuleContext, out: &mut Vec<Finding>) {
    let RuleKind::Transfer {
        allowed_regions,
        mechanisms,
        to,
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
        // `to: [mailer]`: a requirement for given recipients only.
        if !ctx.edge_in_scope(e) || !ctx.node_selected(to, edge.target()) {
            continue;
        }
        let matching: Vec<_> = g
            .carried(e)
            .iter()
            .filter(|d| ctx.selects_on(e, d))
            .collect();
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
        // Data that arrives inside the allowed regions leaves nothing, wherever it came
        // from; a recipient in several regions receives it in each of them.
        let target_regions = &g.info(target).regions;
        if !target_regions.is_empty() && target_regions.iter().all(|p| inside(p.region)) {
            continue;
        }
        // A data subject is a person, not an exporter or an importer: collecting data from
        // one (or showing it to one) somewhere unstated is not a transfer.
        let regionless = |n: petgraph::graph::NodeIndex| g.info(n).regions.is_empty();
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
        let backup = ctx.backup_of(target).filter(|_| ctx.flow(e).is_none());
        let declared: &[crate::inventory::model::Id] = match backup {
            Some(store) => store
                .backups
                .as_ref()
                .map_or(&[], |b| b.transfer_mechanisms.as_slice()),
            None => ctx
                .flow(e)
                .map_or(&[], |f| f.transfer_mechanisms.as_slice()),
        };
        let accepted = |m: &str| mechanisms.is_empty() || mechanisms.iter().any(|x| x.value == m);
        let recipient = &g.info(target).id;
        let certified = dpf_certified(ctx, recipient);
        // Every crossing from a region of the exporter to a region of the recipient outside
        // the allowed ones must be covered by one declared tool the rule accepts.
        let failed = target_regions
            .iter()
            .filter(|t| !inside(t.region))
            .flat_map(|t| {
                g.info(source)
                    .regions
                    .iter()
                    .filter(move |s| crate::graph::regions_cross(ctx.inv, s.region, t.region))
                    .map(move |s| (s.region, *t))
            })
            .find_map(|(source_region, target_placement)| {
                let transfer = Transfer {
                    exporter_country: ctx.inv.regions.country(regions, source_region),
                    importer_country: ctx.inv.regions.country(regions, target_placement.region),
                    recipient,
                    certified,
                };
                let checked: Vec<(&crate::inventory::model::Id, Result<(), String>)> = declared
                    .iter()
                    .filter(|m| accepted(&m.value))
                    .map(|m| (m, transfer.check(&m.value)))
                    .collect();
                let holds = checked.iter().any(|(_, verdict)| verdict.is_ok());
                (!holds).then_some((source_region, target_placement, checked))
            });
        let Some((source_region, target_placement, checked)) = failed else {
            continue;
        };
        let source_region = regions[source_region].id.value.as_str();
        let target_name = &regions[target_placement.region].id.value;
        // A recipient that could be certified but does not say so is worth pointing at.
        let uncertified = checked.iter().any(|(_, verdict)| {
            verdict
                .as_ref()
                .is_err_and(|why| why.contains("dpf_certified"))
        });
        let (message, span, label, help) = match (declared.first(), checked.first()) {
            (Some(_), Some((m, Err(why)))) => (
                format!(
                    "{} moves {} from `{source_region}` to `{target_name}` under `{}`, but {why}",
                    ctx.edge_label(e),
                    list(&keys),
                    m.value
                ),
                m.span,
                "transfer tool does not hold",
                if uncertified {
                    format!(
                        "if `{}` is on the Data Privacy Framework list (https://www.dataprivacyframework.gov/list), set `dpf_certified: true` on it; otherwise declare `sccs`",
                        g.info(target).id
                    )
                } else {
                    "declare a tool that holds for this transfer (`sccs`, with `uk-addendum` or `uk-idta` from the UK), or keep the data inside the allowed regions".to_owned()
                },
            ),
            (Some(m), _) => (
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
            (None, _) => {
                let (span, help) = match backup {
                    Some(store) => (
                        target_placement.span,
                        format!(
                            "declare `transfer_mechanism:` under `backups` of store `{}` ({MECHANISM_LIST}), or keep the backup inside {}",
                            store.common.id.value,
                            list(&allowed)
                        ),
                    ),
                    None => (
                        ctx.flow(e).map_or(first.span, |f| f.to.span),
                        format!(
                            "declare `transfer_mechanism:` on the flow ({MECHANISM_LIST}), or keep the data inside the allowed regions"
                        ),
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
        let mut finding = ctx
            .finding(message, span, label)
            .with_help(help)
            .with_path(ctx.path(e, first));
        if uncertified {
            finding = finding.with_related(
                g.info(target).span,
                format!(
                    "`{}` declared here without `dpf_certified: true`",
                    g.info(target).id
                ),
            );
        }
        out.push(finding);
    }
}

/// The mechanisms a flow or backup may declare, for help texts.
const MECHANISM_LIST: &str =
    "adequacy, dpf, sccs, uk-idta, uk-addendum, bcrs, consent or derogation; several as a list";

/// One border crossing, as much as the transfer tools need to know of it.
struct Transfer<'a> {
    exporter_country: Option<&'a str>,
    importer_country: Option<&'a str>,
    recipient: &'a str,
    certified: bool,
}

impl Transfer<'_> {
    /// Whether a declared transfer tool holds for this crossing, or why it does not.
    /// Contracts and derogations (`sccs`, `bcrs`, `consent`, `derogation`) are taken on
    /// the inventory's word; adequacy, the Data Privacy Framework and the UK's own tools
    /// are checked against the exporter's regime and the shipped adequacy decisions.
    fn check(&self, mechanism: &str) -> Result<(), String> {
        let list = crate::adequacy::adequacy();
        let regime = self.exporter_country.and_then(|c| list.regime_of(c));
        let importer = self.importer_country.unwrap_or("?");
        let listed = |regime: &str| {
            format!(
                "{}'s list ({}, compiled {})",
                crate::adequacy::Adequacy::regime_name(regime),
                list.source(regime).unwrap_or("no source"),
                crate::adequacy::COMPILED
            )
        };
        match mechanism {
            "adequacy" | "dpf" => {
                let Some(regime) = regime else {
                    return Err(format!(
                        "the exporter's country ({}) is under no regime whose adequacy decisions ropa knows (EU/EEA and UK)",
                        self.exporter_country.unwrap_or("not declared")
                    ));
                };
                let decision = list.decision(regime, importer);
                if mechanism == "dpf"
                    && decision.is_none_or(|d| d.scope != crate::adequacy::Scope::DpfCertified)
                {
                    return Err(format!(
                        "the Data Privacy Framework covers recipients in the US only, and `{}` is in {importer}",
                        self.recipient
                    ));
                }
                match decision {
                    None => Err(format!(
                        "{importer} has no adequacy decision in {}",
                        listed(regime)
                    )),
                    Some(d)
                        if d.scope == crate::adequacy::Scope::DpfCertified && !self.certified =>
                    {
                        Err(format!(
                            "{}, and `{}` does not declare `dpf_certified: true`",
                            if mechanism == "dpf" {
                                "the Data Privacy Framework covers only certified recipients"
                                    .to_owned()
                            } else {
                                format!(
                                    "adequacy towards {importer} covers only recipients certified under the Data Privacy Framework"
                                )
                            },
                            self.recipient
                        ))
                    }
                    Some(_) => Ok(()),
                }
            }
            "uk-idta" | "uk-addendum" if regime != Some("uk") => Err(format!(
                "`{mechanism}` is a tool for exports from the UK, and this one leaves {}",
                self.exporter_country.unwrap_or("a region with no country")
            )),
            _ => Ok(()),
        }
    }
}

/// Whether the node with this id (a sub-processor or third party) declares
/// `dpf_certified: true`.
fn dpf_certified(ctx: &RuleContext, id: &str) -> bool {
    let decl = &ctx.inv.decl;
    let certified = |c: &Option<crate::source::Sp<bool>>| c.as_ref().is_some_and(|c| c.value);
    decl.subprocessors
        .iter()
        .any(|s| s.common.id.value == id && certified(&s.dpf_certified))
        || decl
            .third_parties
            .iter()
            .any(|t| t.common.id.value == id && certified(&t.dpf_certified))
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
