//! The record of processing activities (GDPR Art. 30), derived from an audited
//! inventory: for a controller, one activity per processing purpose with its data
//! subjects, data categories, recipients, transfers, erasure time limits, security
//! measures, lawful basis, Art. 9 condition and source (the UK ICO template's columns);
//! for a processor, the same per controller it acts for. Each activity says which
//! rules cover it and whether they are kept, and which required elements it lacks;
//! those gaps are also the `record-incomplete` findings of `ropa check`.

use crate::finding::{Finding, Severity};
use crate::graph::{DataFlowGraph, GraphEdge, GraphNode};
use crate::inventory::Inventory;
use crate::inventory::model::{Anonymized, Flow, NodeKind, Organization, Party};
use crate::rules::Coverage;
use crate::source::Span;
use crate::taxonomy::KeyId;
use petgraph::Direction;
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

/// Whose record: the controller's (Art. 30(1)) or the processor's (Art. 30(2)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Controller,
    Processor,
}

/// The record of one organization.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    pub role: Role,
    pub organization: OrganizationEntry,
    /// Controller record: one per purpose.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<Activity>,
    /// Processor record: the controllers it acts for, each with its processing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub controllers: Vec<ControllerEntry>,
}

/// Who keeps the record, and how to reach them.
#[derive(Clone, Debug, Serialize)]
pub struct OrganizationEntry {
    /// The organization's id; empty when the inventory declares none.
    pub id: String,
    pub name: String,
    pub contact: Option<String>,
    pub policy: Option<String>,
    pub dpo: Option<PartyEntry>,
    pub representative: Option<PartyEntry>,
    pub joint_controllers: Vec<PartyEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PartyEntry {
    pub name: String,
    pub contact: Option<String>,
}

/// A controller a processor acts for, with the processing it does for it.
#[derive(Clone, Debug, Serialize)]
pub struct ControllerEntry {
    pub name: String,
    pub contact: Option<String>,
    pub representative: Option<PartyEntry>,
    pub dpo: Option<PartyEntry>,
    pub activities: Vec<Activity>,
}

/// One processing activity: the flows that share a purpose.
#[derive(Clone, Debug, Serialize)]
pub struct Activity {
    /// The data-use key (`marketing.advertising`); `None` for flows with no purpose.
    pub purpose: Option<String>,
    /// The purpose as a reader says it: the taxonomy name, or a note that none is declared.
    pub purpose_name: String,
    /// Categories of data subjects whose data it processes.
    pub subjects: Vec<String>,
    /// Categories of personal data.
    pub categories: Vec<CategoryEntry>,
    /// Who receives the data outside the organization's own systems and stores.
    pub recipients: Vec<RecipientEntry>,
    /// Flows that cross a border, with the mechanisms they travel under.
    pub transfers: Vec<TransferEntry>,
    /// Erasure time limits: how long each store that keeps the data keeps it.
    pub retention: Vec<RetentionEntry>,
    /// Technical measures the inventory records: encryption, anonymization.
    pub security: Vec<String>,
    pub lawful_bases: Vec<String>,
    /// GDPR Art. 9(2) conditions, for special categories.
    pub special_category_conditions: Vec<String>,
    /// Where the data comes from.
    pub sources: Vec<String>,
    /// The flows it is made of (ids, or `from → to`).
    pub flows: Vec<String>,
    pub audit: AuditStatus,
    /// Required elements it lacks.
    pub missing: Vec<Missing>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CategoryEntry {
    pub key: String,
    pub name: String,
    /// A special category (GDPR Art. 9) or criminal-offence data (Art. 10).
    pub special: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct RecipientEntry {
    pub id: String,
    pub name: String,
    /// `subprocessor` or `third party`.
    pub kind: &'static str,
    /// The regions it is in, as their names.
    pub regions: Vec<String>,
    /// ISO country codes of those regions, where known.
    pub countries: Vec<String>,
    /// Data reaches it across a border.
    pub third_country: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TransferEntry {
    pub flow: String,
    pub to: String,
    /// `US → UA`, or the region ids where countries are unknown.
    pub route: String,
    pub mechanisms: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RetentionEntry {
    /// The store's id.
    pub store_id: String,
    /// The store's name (`backups of …` for its backups).
    pub store: String,
    pub categories: Vec<String>,
    /// The retention as written (`30d`, `until-account-deleted`), or a note that it is
    /// not stated.
    pub retention: String,
}

/// Whether the rules that look at an activity are kept.
#[derive(Clone, Debug, Serialize)]
pub struct AuditStatus {
    /// `kept`, `broken`, or `not covered` when no rule looks at it.
    pub status: &'static str,
    pub rules: Vec<RuleStatus>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleStatus {
    pub id: String,
    pub claims: Vec<String>,
    pub kept: bool,
}

/// A required element an activity lacks.
#[derive(Clone, Debug, Serialize)]
pub struct Missing {
    /// What is missing: `purpose`, `lawful basis`, `Art. 9 condition`, `recipient region`.
    pub element: &'static str,
    pub message: String,
    /// Where to add it.
    #[serde(skip)]
    pub span: Span,
}

/// What the rules of an audit found, to give each activity its status.
pub struct RuleVerdicts<'a> {
    rules: Vec<(&'a crate::inventory::model::Rule, Coverage, bool)>,
}

impl<'a> RuleVerdicts<'a> {
    /// Each rule's coverage and whether it is kept (no finding of it that counts).
    pub fn of(audit: &'a crate::audit::Audit) -> Self {
        let broken: HashSet<&str> = audit
            .findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .filter_map(|f| f.rule.as_deref())
            .collect();
        let rules = audit
            .inventory
            .decl
            .rules
            .iter()
            .map(|rule| {
                let coverage =
                    crate::rules::coverage(&audit.inventory, &audit.graph, &audit.scans, rule);
                let kept = !broken.contains(rule.id.value.as_str());
                (rule, coverage, kept)
            })
            .collect();
        RuleVerdicts { rules }
    }

    /// Each rule with what it covered and whether it is kept, in declaration order.
    pub fn rules(&self) -> &[(&'a crate::inventory::model::Rule, Coverage, bool)] {
        &self.rules
    }

    /// No rules: every activity is `not covered`.
    pub fn none() -> Self {
        RuleVerdicts { rules: Vec::new() }
    }
}

/// The records of every organization the inventory declares (one for the whole
/// inventory when it declares none), for `role`.
pub fn records(
    inv: &Inventory,
    graph: &DataFlowGraph,
    verdicts: &RuleVerdicts,
    role: Role,
) -> Vec<Record> {
    let builder = Builder::new(inv, graph);
    let organizations = &inv.decl.organizations;
    let mut records = Vec::new();
    let mut owners: Vec<Option<usize>> = (0..organizations.len()).map(Some).collect();
    if organizations.is_empty() || inv.decl.flows.iter().any(|f| f.organization.is_none()) {
        owners.push(None);
    }
    for owner in owners {
        let flows: Vec<usize> = (0..inv.decl.flows.len())
            .filter(|&i| inv.decl.flows[i].organization == owner)
            .collect();
        if owner.is_none() && flows.is_empty() && !organizations.is_empty() {
            continue;
        }
        let organization = match owner {
            Some(i) => organization_entry(&organizations[i]),
            None => OrganizationEntry {
                id: String::new(),
                name: "(no organization declared)".to_owned(),
                contact: None,
                policy: None,
                dpo: None,
                representative: None,
                joint_controllers: Vec::new(),
            },
        };
        let activities = builder.activities(&flows, verdicts);
        let record = match role {
            Role::Controller => Record {
                role,
                organization,
                activities,
                controllers: Vec::new(),
            },
            Role::Processor => {
                let Some(i) = owner else { continue };
                let controllers: Vec<ControllerEntry> = organizations[i]
                    .controllers
                    .iter()
                    .map(|c| ControllerEntry {
                        name: c.party.name.value.clone(),
                        contact: c.party.contact.as_ref().map(|s| s.value.clone()),
                        representative: c.representative.as_ref().map(party_entry),
                        dpo: c.dpo.as_ref().map(party_entry),
                        activities: activities
                            .iter()
                            .filter(|a| {
                                c.purposes.is_empty()
                                    || c.purposes
                                        .iter()
                                        .any(|p| a.purpose.as_deref() == Some(p.value.as_str()))
                            })
                            .cloned()
                            .collect(),
                    })
                    .collect();
                if controllers.is_empty() {
                    continue;
                }
                Record {
                    role,
                    organization,
                    activities: Vec::new(),
                    controllers,
                }
            }
        };
        records.push(record);
    }
    records
}

/// The `record-incomplete` findings: each required element of the record that the
/// inventory does not give, at the declaration to complete.
pub fn incomplete(inv: &Inventory, graph: &DataFlowGraph) -> Vec<Finding> {
    let builder = Builder::new(inv, graph);
    let all: Vec<usize> = (0..inv.decl.flows.len()).collect();
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for group in builder.groups(&all).values() {
        for missing in builder.missing(group) {
            // A flow with no purpose is already a `missing-purpose` finding.
            if missing.element == "purpose" || !seen.insert((missing.span, missing.element)) {
                continue;
            }
            findings.push(
                Finding::new(
                    "record-incomplete",
                    Severity::Warning,
                    missing.message.clone(),
                )
                .at(missing.span, format!("no {}", missing.element))
                .with_help(help_for(missing.element)),
            );
        }
    }
    findings
}

fn help_for(element: &str) -> &'static str {
    match element {
        "lawful basis" => {
            "add `lawful_basis:` (consent, contract, legal_obligation, vital_interests, public_task or legitimate_interests)"
        }
        "Art. 9 condition" => {
            "add `special_category_condition:` with the GDPR Art. 9(2) condition, e.g. `explicit_consent` or `employment`"
        }
        _ => "add `region:` (or `regions:`): the record of processing says where each recipient is",
    }
}

fn party_entry(party: &Party) -> PartyEntry {
    PartyEntry {
        name: party.name.value.clone(),
        contact: party.contact.as_ref().map(|s| s.value.clone()),
    }
}

fn organization_entry(org: &Organization) -> OrganizationEntry {
    OrganizationEntry {
        id: org.id.value.clone(),
        name: org
            .name
            .as_ref()
            .map_or_else(|| org.id.value.clone(), |n| n.value.clone()),
        contact: org.contact.as_ref().map(|s| s.value.clone()),
        policy: org.policy.as_ref().map(|s| s.value.clone()),
        dpo: org.dpo.as_ref().map(party_entry),
        representative: org.representative.as_ref().map(party_entry),
        joint_controllers: org.joint_controllers.iter().map(party_entry).collect(),
    }
}

struct Builder<'a> {
    inv: &'a Inventory,
    graph: &'a DataFlowGraph,
    /// The graph edge of each flow, by flow index.
    edges: HashMap<usize, EdgeIndex>,
}

impl<'a> Builder<'a> {
    fn new(inv: &'a Inventory, graph: &'a DataFlowGraph) -> Self {
        let edges = graph
            .graph
            .edge_references()
            .filter_map(|e| match e.weight() {
                GraphEdge::Flow(i) => Some((*i, e.id())),
                GraphEdge::Backup(_) => None,
            })
            .collect();
        Builder { inv, graph, edges }
    }

    /// Flows that carry personal data, grouped by purpose (`None`: no purpose).
    fn groups(&self, flows: &[usize]) -> BTreeMap<Option<String>, Vec<usize>> {
        let mut groups: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
        for &i in flows {
            let flow = &self.inv.decl.flows[i];
            if self.personal(flow).is_empty() {
                continue;
            }
            groups
                .entry(flow.purpose.as_ref().map(|p| p.value.clone()))
                .or_default()
                .push(i);
        }
        groups
    }

    /// The personal-data categories a flow carries in identifiable form.
    fn personal(&self, flow: &Flow) -> Vec<KeyId> {
        let tree = &self.inv.taxonomy.categories;
        flow.data
            .iter()
            .filter(|k| match &flow.anonymized {
                Anonymized::None => true,
                Anonymized::All => false,
                Anonymized::Some(ids) => !ids.iter().any(|a| a.value == k.value),
            })
            .filter_map(|k| tree.get(&k.value))
            .filter(|&c| self.inv.taxonomy.is_personal(c))
            .collect()
    }

    fn activities(&self, flows: &[usize], verdicts: &RuleVerdicts) -> Vec<Activity> {
        self.groups(flows)
            .into_iter()
            .map(|(purpose, group)| self.activity(purpose, &group, verdicts))
            .collect()
    }

    fn node_name(&self, node: NodeIndex) -> String {
        match self.graph.graph[node] {
            GraphNode::Declared(r) => {
                let common = self.inv.node(r);
                common
                    .name
                    .as_ref()
                    .map_or_else(|| common.id.value.clone(), |n| n.value.clone())
            }
            GraphNode::Backup(_) => format!("backups of {}", self.graph.info(node).id),
        }
    }

    fn related(&self, a: KeyId, b: KeyId) -> bool {
        let tree = &self.inv.taxonomy.categories;
        tree.is_under(a, b) || tree.is_under(b, a)
    }

    fn carries_any(&self, edge: EdgeIndex, categories: &[KeyId]) -> bool {
        self.graph
            .carried(edge)
            .iter()
            .any(|d| !d.anonymized && categories.iter().any(|&c| self.related(c, d.category)))
    }

    /// Nodes reached from `starts` along edges (in `direction`) carrying `categories`.
    fn walk(
        &self,
        starts: &[NodeIndex],
        categories: &[KeyId],
        direction: Direction,
    ) -> Vec<NodeIndex> {
        let mut seen: HashSet<NodeIndex> = starts.iter().copied().collect();
        let mut queue: VecDeque<NodeIndex> = starts.iter().copied().collect();
        let mut order = starts.to_vec();
        while let Some(node) = queue.pop_front() {
            for edge in self.graph.graph.edges_directed(node, direction) {
                let next = match direction {
                    Direction::Incoming => edge.source(),
                    Direction::Outgoing => edge.target(),
                };
                if !seen.contains(&next) && self.carries_any(edge.id(), categories) {
                    seen.insert(next);
                    order.push(next);
                    queue.push_back(next);
                }
            }
        }
        order
    }

    fn activity(
        &self,
        purpose: Option<String>,
        group: &[usize],
        verdicts: &RuleVerdicts,
    ) -> Activity {
        let inv = self.inv;
        let decl = &inv.decl;
        let tree = &inv.taxonomy.categories;
        let flows: Vec<&Flow> = group.iter().map(|&i| &decl.flows[i]).collect();
        let mut categories: Vec<KeyId> = flows.iter().flat_map(|f| self.personal(f)).collect();
        categories.sort_unstable();
        categories.dedup();
        let purpose_name = match &purpose {
            Some(key) => inv
                .taxonomy
                .uses
                .get(key)
                .map(|u| inv.taxonomy.uses.entry(u).name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| key.clone()),
            None => "(no purpose declared)".to_owned(),
        };
        let edges: Vec<EdgeIndex> = group
            .iter()
            .filter_map(|i| self.edges.get(i).copied())
            .collect();
        let endpoints: Vec<(NodeIndex, NodeIndex)> = edges
            .iter()
            .filter_map(|&e| self.graph.graph.edge_endpoints(e))
            .collect();

        // Data subjects and sources: walk back from where the flows start.
        let starts: Vec<NodeIndex> = endpoints.iter().map(|(a, _)| *a).collect();
        let upstream = self.walk(&starts, &categories, Direction::Incoming);
        let mut subjects = BTreeSet::new();
        let mut sources = BTreeSet::new();
        for &node in &upstream {
            let info = self.graph.info(node);
            if info.kind == NodeKind::Subject {
                let subject = match self.graph.graph[node] {
                    GraphNode::Declared(r) => decl.subjects[r.index]
                        .subject
                        .as_ref()
                        .map(|s| s.value.clone()),
                    GraphNode::Backup(_) => None,
                };
                let name = self.node_name(node);
                subjects.insert(match subject {
                    Some(key) if key != name => format!("{name} ({key})"),
                    _ => name.clone(),
                });
                sources.insert(format!("the data subject: {name}"));
            } else {
                let fed = self
                    .graph
                    .graph
                    .edges_directed(node, Direction::Incoming)
                    .any(|e| self.carries_any(e.id(), &categories));
                if !fed {
                    sources.insert(format!("{} {}", info.kind.noun(), self.node_name(node)));
                }
            }
        }

        // Recipients and transfers.
        let mut recipients: Vec<RecipientEntry> = Vec::new();
        let mut transfers = Vec::new();
        for (&edge, &(from, to)) in edges.iter().zip(&endpoints) {
            let info = self.graph.info(to);
            let crosses = self.graph.crosses_border(inv, edge);
            if matches!(info.kind, NodeKind::Subprocessor | NodeKind::ThirdParty) {
                match recipients.iter_mut().find(|r| r.id == info.id) {
                    Some(existing) => existing.third_country |= crosses,
                    None => recipients.push(RecipientEntry {
                        id: info.id.clone(),
                        name: self.node_name(to),
                        kind: info.kind.noun(),
                        regions: match (info.regions.is_empty(), self.graph.graph[to]) {
                            (true, GraphNode::Declared(r)) if self.is_public(r) => {
                                vec!["anywhere (published)".to_owned()]
                            }
                            _ => info
                                .regions
                                .iter()
                                .map(|p| self.region_name(p.region))
                                .collect(),
                        },
                        countries: {
                            let mut c: Vec<String> = info
                                .regions
                                .iter()
                                .filter_map(|p| inv.regions.country(&decl.regions, p.region))
                                .map(str::to_owned)
                                .collect();
                            c.dedup();
                            c
                        },
                        third_country: crosses,
                    }),
                }
            }
            if crosses {
                let flow = self.flow_of(edge);
                transfers.push(TransferEntry {
                    flow: flow.map(Flow::label).unwrap_or_default(),
                    to: self.node_name(to),
                    route: format!("{} → {}", self.place(from), self.place(to)),
                    mechanisms: flow
                        .map(|f| {
                            f.transfer_mechanisms
                                .iter()
                                .map(|m| m.value.clone())
                                .collect()
                        })
                        .unwrap_or_default(),
                });
            }
        }
        recipients.sort_by(|a, b| a.id.cmp(&b.id));

        // Erasure time limits: the stores downstream that keep the data.
        let targets: Vec<NodeIndex> = endpoints.iter().map(|(_, b)| *b).collect();
        let downstream: HashSet<NodeIndex> = self
            .walk(&targets, &categories, Direction::Outgoing)
            .into_iter()
            .collect();
        let mut retention = Vec::new();
        let mut at_rest: Vec<(String, Option<bool>)> = Vec::new();
        for store in &decl.stores {
            let Some(node) = self.graph.node(&store.common.id.value) else {
                continue;
            };
            let reached = downstream.contains(&node);
            let mut kept_here = false;
            for holding in &store.holds {
                let own_purpose = holding.purpose.as_ref().map(|p| &p.value);
                let for_this = match (own_purpose, &purpose) {
                    (Some(p), Some(q)) => p == q,
                    (Some(_), None) => false,
                    (None, _) => reached,
                };
                if !for_this {
                    continue;
                }
                let held: Vec<String> = holding
                    .data
                    .iter()
                    .filter(|k| {
                        tree.get(&k.value)
                            .is_some_and(|c| categories.iter().any(|&a| self.related(a, c)))
                    })
                    .map(|k| k.value.clone())
                    .collect();
                if held.is_empty() {
                    continue;
                }
                kept_here = true;
                retention.push(RetentionEntry {
                    store_id: store.common.id.value.clone(),
                    store: self.node_name(node),
                    categories: held,
                    retention: match (&holding.retention, holding.retention_todo) {
                        (Some(r), _) => r.value.to_string(),
                        (None, true) => "TODO (not yet decided)".to_owned(),
                        (None, false) => "not stated".to_owned(),
                    },
                });
            }
            if kept_here {
                at_rest.push((
                    self.node_name(node),
                    store.encrypted_at_rest.as_ref().map(|b| b.value),
                ));
                if let Some(backup) = &store.backups {
                    retention.push(RetentionEntry {
                        store_id: store.common.id.value.clone(),
                        store: format!("backups of {}", self.node_name(node)),
                        categories: Vec::new(),
                        retention: backup
                            .retention
                            .as_ref()
                            .map_or_else(|| "not stated".to_owned(), |r| r.value.to_string()),
                    });
                }
            }
        }

        let security = security(&flows, &at_rest);
        let mut lawful_bases: Vec<String> = flows
            .iter()
            .filter_map(|f| f.lawful_basis.as_ref().map(|b| b.value.replace('_', " ")))
            .collect();
        lawful_bases.sort();
        lawful_bases.dedup();
        let mut conditions: Vec<String> = flows
            .iter()
            .filter_map(|f| {
                f.special_category_condition
                    .as_ref()
                    .map(|b| b.value.replace('_', " "))
            })
            .collect();
        conditions.sort();
        conditions.dedup();

        let labels: Vec<String> = flows.iter().map(|f| f.label()).collect();
        let audit = audit_status(verdicts, &labels, &recipients, &retention);
        Activity {
            purpose,
            purpose_name,
            subjects: subjects.into_iter().collect(),
            categories: categories
                .iter()
                .map(|&c| CategoryEntry {
                    key: tree.key(c).to_owned(),
                    name: tree.entry(c).name.clone(),
                    special: tree.is_sensitive(c),
                })
                .collect(),
            recipients,
            transfers,
            retention,
            security,
            lawful_bases,
            special_category_conditions: conditions,
            sources: sources.into_iter().collect(),
            flows: labels,
            audit,
            missing: self.missing(group),
        }
    }

    /// A third party of `kind: public`: anyone who reads what is published, anywhere.
    fn is_public(&self, node: crate::inventory::NodeRef) -> bool {
        node.kind == NodeKind::ThirdParty
            && self.inv.decl.third_parties[node.index]
                .kind
                .as_ref()
                .is_some_and(|k| k.value == "public")
    }

    fn flow_of(&self, edge: EdgeIndex) -> Option<&'a Flow> {
        match self.graph.graph.edge_weight(edge) {
            Some(GraphEdge::Flow(i)) => self.inv.decl.flows.get(*i),
            _ => None,
        }
    }

    fn region_name(&self, region: usize) -> String {
        let r = &self.inv.decl.regions[region];
        match &r.name {
            Some(name) => format!("{} ({})", name.value, r.id.value),
            None => r.id.value.clone(),
        }
    }

    /// A node's countries (or region ids) for a transfer route.
    fn place(&self, node: NodeIndex) -> String {
        let decl = &self.inv.decl;
        let mut places: Vec<String> = self
            .graph
            .info(node)
            .regions
            .iter()
            .map(|p| {
                self.inv
                    .regions
                    .country(&decl.regions, p.region)
                    .map_or_else(|| decl.regions[p.region].id.value.clone(), str::to_owned)
            })
            .collect();
        places.dedup();
        if places.is_empty() {
            "unknown".to_owned()
        } else {
            places.join("+")
        }
    }

    /// The required elements a group of flows (one purpose) lacks.
    fn missing(&self, group: &[usize]) -> Vec<Missing> {
        let decl = &self.inv.decl;
        let tree = &self.inv.taxonomy.categories;
        let mut missing = Vec::new();
        let mut recipients_seen = HashSet::new();
        for &i in group {
            let flow = &decl.flows[i];
            let personal = self.personal(flow);
            if personal.is_empty() {
                continue;
            }
            let label = flow.label();
            if flow.purpose.is_none() {
                missing.push(Missing {
                    element: "purpose",
                    message: format!(
                        "flow `{label}` carries personal data but declares no purpose, so the record of processing cannot list it"
                    ),
                    span: flow.span,
                });
            }
            if flow.lawful_basis.is_none() {
                let purpose = flow
                    .purpose
                    .as_ref()
                    .map_or_else(String::new, |p| format!(" for `{}`", p.value));
                missing.push(Missing {
                    element: "lawful basis",
                    message: format!(
                        "flow `{label}` carries personal data{purpose} without a lawful basis"
                    ),
                    span: flow.span,
                });
            }
            let special: Vec<&str> = personal
                .iter()
                .filter(|&&c| tree.is_sensitive(c))
                .map(|&c| tree.key(c))
                .collect();
            if !special.is_empty() && flow.special_category_condition.is_none() {
                missing.push(Missing {
                    element: "Art. 9 condition",
                    message: format!(
                        "flow `{label}` carries special-category data ({}) without an Art. 9 condition",
                        special.join(", ")
                    ),
                    span: flow.span,
                });
            }
            if let Some(r) = self.inv.lookup(&flow.to.value)
                && matches!(r.kind, NodeKind::Subprocessor | NodeKind::ThirdParty)
                && recipients_seen.insert(flow.to.value.clone())
            {
                let common = self.inv.node(r);
                if common.regions.is_empty() && !self.is_public(r) {
                    missing.push(Missing {
                        element: "recipient region",
                        message: format!(
                            "{} `{}` receives personal data but has no region, so the record cannot say where it is",
                            r.kind.noun(),
                            common.id.value
                        ),
                        span: common.id.span,
                    });
                }
            }
        }
        missing
    }
}

/// The technical measures the inventory records for an activity's flows and stores.
fn security(flows: &[&Flow], at_rest: &[(String, Option<bool>)]) -> Vec<String> {
    let mut measures = Vec::new();
    let encrypted = flows
        .iter()
        .filter(|f| f.encrypted_in_transit.as_ref().is_some_and(|b| b.value))
        .count();
    let unencrypted: Vec<String> = flows
        .iter()
        .filter(|f| !f.encrypted_in_transit.as_ref().is_some_and(|b| b.value))
        .map(|f| f.label())
        .collect();
    let mut transit = format!(
        "encrypted in transit: {encrypted} of {} {}",
        flows.len(),
        if flows.len() == 1 { "flow" } else { "flows" }
    );
    if !unencrypted.is_empty() {
        transit.push_str(&format!(" (not: {})", unencrypted.join(", ")));
    }
    measures.push(transit);
    let list = |want: Option<bool>| -> Vec<&str> {
        at_rest
            .iter()
            .filter(|(_, e)| *e == want)
            .map(|(n, _)| n.as_str())
            .collect()
    };
    for (want, what) in [
        (Some(true), "encrypted at rest"),
        (Some(false), "not encrypted at rest"),
        (None, "encryption at rest not stated"),
    ] {
        let stores = list(want);
        if !stores.is_empty() {
            measures.push(format!("{what}: {}", stores.join(", ")));
        }
    }
    let anonymized: Vec<String> = flows
        .iter()
        .filter_map(|f| match &f.anonymized {
            Anonymized::None => None,
            Anonymized::All => Some(format!("{} (all data)", f.label())),
            Anonymized::Some(ids) => Some(format!(
                "{} ({})",
                f.label(),
                ids.iter()
                    .map(|i| i.value.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        })
        .collect();
    if !anonymized.is_empty() {
        measures.push(format!("anonymized: {}", anonymized.join("; ")));
    }
    measures
}

/// The rules that cover an activity (its flows, recipients or stores), and whether all
/// of them are kept.
fn audit_status(
    verdicts: &RuleVerdicts,
    flows: &[String],
    recipients: &[RecipientEntry],
    retention: &[RetentionEntry],
) -> AuditStatus {
    let flows: HashSet<&str> = flows.iter().map(String::as_str).collect();
    let nodes: HashSet<&str> = recipients
        .iter()
        .map(|r| r.id.as_str())
        .chain(retention.iter().map(|r| r.store_id.as_str()))
        .collect();
    let rules: Vec<RuleStatus> = verdicts
        .rules
        .iter()
        .filter(|(_, coverage, _)| {
            coverage.flows.iter().any(|f| flows.contains(f.as_str()))
                || coverage
                    .nodes
                    .iter()
                    .any(|(_, id)| nodes.contains(id.as_str()))
        })
        .map(|(rule, _, kept)| RuleStatus {
            id: rule.id.value.clone(),
            claims: rule.claims.iter().map(|c| c.value.clone()).collect(),
            kept: *kept,
        })
        .collect();
    let status = if rules.is_empty() {
        "not covered"
    } else if rules.iter().all(|r| r.kept) {
        "kept"
    } else {
        "broken"
    };
    AuditStatus { status, rules }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVENTORY: &str = "version: 1
organization:
  id: shop
  controllers:
    - { name: Client A, purposes: [essential.service] }
regions:
  - { id: ie, country: IE }
  - { id: us, country: US }
subjects:
  - { id: buyer, name: Buyer, subject: customer }
systems:
  - { id: web, region: ie }
stores:
  - id: db
    region: ie
    encrypted_at_rest: true
    holds:
      - { data: [user.contact.email], retention: 30d }
      - { data: [user.health_and_medical], retention: 1y }
subprocessors:
  - { id: mailer, region: us, purposes: [marketing] }
  - { id: lab }
flows:
  - { id: order, from: buyer, to: web, data: [user.contact.email, user.health_and_medical], purpose: essential.service, lawful_basis: contract }
  - { id: save, from: web, to: db, data: [user.contact.email, user.health_and_medical], purpose: essential.service, lawful_basis: contract, special_category_condition: health_care, encrypted_in_transit: true }
  - { id: newsletter, from: web, to: mailer, data: [user.contact.email], purpose: marketing, transfer_mechanism: sccs }
  - { id: test, from: web, to: lab, data: [user.health_and_medical], purpose: essential.service, lawful_basis: contract, special_category_condition: health_care }
  - { id: stats, from: web, to: db, data: [system.operations], purpose: analytics }
";

    fn load() -> (Inventory, DataFlowGraph) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.yaml");
        std::fs::write(&path, INVENTORY).expect("write");
        match crate::inventory::load(&[path]) {
            Ok(inventory) => {
                let graph = DataFlowGraph::build(&inventory);
                (inventory, graph)
            }
            Err(failure) => panic!("{:?}", failure.problems),
        }
    }

    #[test]
    fn one_activity_per_purpose_of_personal_data() {
        let (inv, graph) = load();
        let records = records(&inv, &graph, &RuleVerdicts::none(), Role::Controller);
        let purposes: Vec<_> = records[0]
            .activities
            .iter()
            .map(|a| a.purpose.as_deref())
            .collect();
        // `stats` carries no personal data: no activity for `analytics`.
        assert_eq!(purposes, [Some("essential.service"), Some("marketing")]);
        let service = &records[0].activities[0];
        assert_eq!(service.subjects, ["Buyer (customer)"]);
        assert_eq!(service.sources, ["the data subject: Buyer"]);
        assert!(service.categories.iter().any(|c| c.special));
        let retention: Vec<_> = service
            .retention
            .iter()
            .map(|r| (r.store_id.as_str(), r.retention.as_str()))
            .collect();
        assert_eq!(retention, [("db", "30d"), ("db", "1y")]);
        assert_eq!(service.audit.status, "not covered");
        let marketing = &records[0].activities[1];
        assert_eq!(marketing.transfers[0].route, "IE → US");
        assert_eq!(marketing.transfers[0].mechanisms, ["sccs"]);
        assert!(marketing.recipients[0].third_country);
    }

    #[test]
    fn missing_elements_are_named_and_become_findings() {
        let (inv, graph) = load();
        let records = records(&inv, &graph, &RuleVerdicts::none(), Role::Controller);
        let missing = |i: usize| -> Vec<&str> {
            records[0].activities[i]
                .missing
                .iter()
                .map(|m| m.element)
                .collect()
        };
        // `order` carries health data without an Art. 9 condition; `lab` has no region.
        assert_eq!(missing(0), ["Art. 9 condition", "recipient region"]);
        // `newsletter` has no lawful basis.
        assert_eq!(missing(1), ["lawful basis"]);
        let findings = incomplete(&inv, &graph);
        assert_eq!(findings.len(), 3);
        assert!(findings.iter().all(|f| f.code == "record-incomplete"));
    }

    #[test]
    fn the_processor_record_keeps_each_controllers_purposes() {
        let (inv, graph) = load();
        let records = records(&inv, &graph, &RuleVerdicts::none(), Role::Processor);
        let controller = &records[0].controllers[0];
        assert_eq!(controller.name, "Client A");
        let purposes: Vec<_> = controller
            .activities
            .iter()
            .map(|a| a.purpose.as_deref())
            .collect();
        assert_eq!(purposes, [Some("essential.service")]);
    }
}
