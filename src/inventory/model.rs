//! The inventory as ropa understands it after loading: every section of the YAML
//! inventory as typed Rust values, each id, reference, category and rule with its span.

use crate::finding::Severity;
use crate::retention::Retention;
use crate::source::{Sp, Span};

/// An id or a reference to one, as written.
pub type Id = Sp<String>;

/// The organization a file speaks for; nodes and rules of that file belong to it.
#[derive(Clone, Debug)]
pub struct Organization {
    pub id: Id,
    pub name: Option<Sp<String>>,
    pub policy: Option<Sp<String>>,
    pub contact: Option<Sp<String>>,
    pub claims_source: Option<Sp<String>>,
    /// Its data protection officer, for the record of processing (Art. 30(1)(a)).
    pub dpo: Option<Party>,
    /// Its representative in the EU (Art. 27), where it has one.
    pub representative: Option<Party>,
    /// Controllers that decide the purposes and means together with it (Art. 26).
    pub joint_controllers: Vec<Party>,
    /// The controllers it processes data for, as a processor (Art. 30(2)).
    pub controllers: Vec<Controller>,
    /// Where the `organization` mapping is written.
    pub span: Span,
}

/// A person or body with a name and a way to reach them.
#[derive(Clone, Debug)]
pub struct Party {
    pub name: Sp<String>,
    pub contact: Option<Sp<String>>,
}

/// A controller on whose behalf the organization processes personal data.
#[derive(Clone, Debug)]
pub struct Controller {
    pub party: Party,
    pub representative: Option<Party>,
    pub dpo: Option<Party>,
    /// The purposes (data uses) it processes for this controller; empty: all of them.
    pub purposes: Vec<Id>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Region {
    pub id: Id,
    pub name: Option<Sp<String>>,
    pub country: Option<Sp<String>>,
    pub parent: Option<Id>,
    pub groups: Vec<Id>,
    /// Where its declaration starts.
    pub span: Span,
}

/// A taxonomy extension: a new category, use or subject below an existing parent.
#[derive(Clone, Debug)]
pub struct TaxonomyExtension {
    pub tree: crate::taxonomy::Tree,
    pub id: Id,
    pub name: Option<Sp<String>>,
    pub parent: Option<Id>,
    pub sensitive: bool,
}

/// What kind of node a declaration is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Subject,
    System,
    Store,
    Subprocessor,
    ThirdParty,
}

impl NodeKind {
    pub fn noun(self) -> &'static str {
        match self {
            NodeKind::Subject => "subject",
            NodeKind::System => "system",
            NodeKind::Store => "store",
            NodeKind::Subprocessor => "subprocessor",
            NodeKind::ThirdParty => "third party",
        }
    }

    /// The plural section name, which rules also use to select all nodes of a kind.
    pub fn section(self) -> &'static str {
        match self {
            NodeKind::Subject => "subjects",
            NodeKind::System => "systems",
            NodeKind::Store => "stores",
            NodeKind::Subprocessor => "subprocessors",
            NodeKind::ThirdParty => "third_parties",
        }
    }

    pub const ALL: [NodeKind; 5] = [
        NodeKind::Subject,
        NodeKind::System,
        NodeKind::Store,
        NodeKind::Subprocessor,
        NodeKind::ThirdParty,
    ];

    pub fn from_section(name: &str) -> Option<NodeKind> {
        NodeKind::ALL.into_iter().find(|k| k.section() == name)
    }
}

/// Data declared as held by a store.
#[derive(Clone, Debug)]
pub struct Holding {
    pub data: Vec<Id>,
    pub retention: Option<Sp<Retention>>,
    /// `retention: TODO`: to be filled in, reported as a `placeholder` instead.
    pub retention_todo: bool,
    pub reason: Option<Sp<String>>,
    pub anonymized: bool,
    pub purpose: Option<Id>,
    pub claims: Vec<Id>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Backup {
    pub region: Option<Id>,
    pub encrypted: Option<Sp<bool>>,
    /// How often a backup is taken: always a period (`1d`).
    pub every: Option<Sp<Retention>>,
    /// How long each backup is kept; checked by `retention` rules like the store's holdings.
    pub retention: Option<Sp<Retention>>,
    /// Why backups are kept with no end, where `retention` is `indefinite`.
    pub reason: Option<Sp<String>>,
    /// The mechanisms under which a backup in another country is transferred there.
    pub transfer_mechanisms: Vec<Id>,
    pub claims: Vec<Id>,
    pub span: Span,
}

/// Fields every node declaration shares.
#[derive(Clone, Debug)]
pub struct NodeCommon {
    pub id: Id,
    pub name: Option<Sp<String>>,
    pub description: Option<Sp<String>>,
    /// Where it keeps or processes data: `region: ie`, or several, `regions: [ie, us]`.
    pub regions: Vec<Id>,
    pub claims: Vec<Id>,
    /// `active` (the default), `inactive` (documented but not in use) or `standby` (an
    /// alternative ready to take over).
    pub status: Option<Id>,
    /// Index into [`Inventory::organizations`] of the file that declared it.
    pub organization: Option<usize>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Subject {
    pub common: NodeCommon,
    /// The fideslang data subject this is (`customer`, `visitor`, ...).
    pub subject: Option<Id>,
}

#[derive(Clone, Debug)]
pub struct System {
    pub common: NodeCommon,
    pub entity: Option<Sp<String>>,
    pub hosted_by: Option<Id>,
}

#[derive(Clone, Debug)]
pub struct Store {
    pub common: NodeCommon,
    pub kind: Option<Sp<String>>,
    pub encrypted_at_rest: Option<Sp<bool>>,
    pub holds: Vec<Holding>,
    pub backups: Option<Backup>,
    pub hosted_by: Option<Id>,
}

#[derive(Clone, Debug)]
pub struct Subprocessor {
    pub common: NodeCommon,
    pub legal_name: Option<Sp<String>>,
    pub purposes: Vec<Id>,
    pub dpa: Option<Sp<bool>>,
    /// Certified under the EU-US Data Privacy Framework (and its UK Extension).
    pub dpf_certified: Option<Sp<bool>>,
    /// When its engagement was announced, and when it takes (or took) effect.
    pub dates: EngagementDates,
    pub stores_data: bool,
    /// Where `stores_data` was written, when it was.
    pub stores_data_at: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct ThirdParty {
    pub common: NodeCommon,
    pub kind: Option<Sp<String>>,
    pub risk: Option<Sp<String>>,
    pub purposes: Vec<Id>,
    /// Certified under the EU-US Data Privacy Framework (and its UK Extension).
    pub dpf_certified: Option<Sp<bool>>,
    pub dates: EngagementDates,
}

/// When a recipient's engagement was announced (`announced`) and when it takes effect
/// (`effective`), as a sub-processor page lists them; `notice` rules compare the two.
#[derive(Clone, Debug, Default)]
pub struct EngagementDates {
    pub announced: Option<Sp<time::Date>>,
    pub effective: Option<Sp<time::Date>>,
}

/// What a node's `status` may say.
pub const NODE_STATUSES: [&str; 3] = ["active", "inactive", "standby"];

impl NodeCommon {
    /// Whether its `status` says it is not in use (`inactive` or `standby`).
    pub fn dormant(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|s| s.value == "inactive" || s.value == "standby")
    }
}

/// GDPR Art. 6 lawful bases.
pub const LAWFUL_BASES: [&str; 6] = [
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
];

/// The conditions of GDPR Art. 9(2) under which special categories of personal data may
/// be processed, (a) to (j).
pub const SPECIAL_CATEGORY_CONDITIONS: [&str; 10] = [
    "explicit_consent",
    "employment",
    "vital_interests",
    "not_for_profit",
    "made_public",
    "legal_claims",
    "substantial_public_interest",
    "health_care",
    "public_health",
    "archiving_research",
];

/// Mechanisms that make a cross-border transfer lawful: an adequacy decision, the EU-US
/// Data Privacy Framework, standard contractual clauses, the UK's International Data
/// Transfer Agreement and its Addendum to the EU clauses, binding corporate rules, and
/// the Art. 49 derogations (explicit consent, or another).
pub const TRANSFER_MECHANISMS: [&str; 8] = [
    "adequacy",
    "dpf",
    "sccs",
    "uk-idta",
    "uk-addendum",
    "bcrs",
    "consent",
    "derogation",
];

#[derive(Clone, Debug)]
pub struct Flow {
    pub id: Option<Id>,
    pub from: Id,
    pub to: Id,
    pub data: Vec<Id>,
    pub purpose: Option<Id>,
    pub lawful_basis: Option<Id>,
    /// The Art. 9(2) condition for special categories it carries.
    pub special_category_condition: Option<Id>,
    pub encrypted_in_transit: Option<Sp<bool>>,
    /// The transfer tools it travels under across a border (`[dpf, sccs]`).
    pub transfer_mechanisms: Vec<Id>,
    /// Categories this flow carries only in anonymized form; `all` when `anonymized: true`.
    pub anonymized: Anonymized,
    pub claims: Vec<Id>,
    pub description: Option<Sp<String>>,
    pub organization: Option<usize>,
    pub span: Span,
}

impl Flow {
    /// How the flow is named in messages: its id, or `from → to`.
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => id.value.clone(),
            None => format!("{} → {}", self.from.value, self.to.value),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub enum Anonymized {
    #[default]
    None,
    All,
    Some(Vec<Id>),
}

/// The promises, as typed rules.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: Id,
    /// The claims it protects: `claim: B1`, or several, `claim: [B1, B2]`.
    pub claims: Vec<Id>,
    pub description: Option<Sp<String>>,
    pub severity: Severity,
    pub kind: RuleKind,
    /// The data subjects whose data it is about (`subjects:` in the kind's mapping):
    /// only data that flows from a matching subject. Empty: everyone's.
    pub subjects: NodeSelector,
    /// Where the kind's key (`retention:`) was written.
    pub kind_span: Span,
    pub organization: Option<usize>,
    pub span: Span,
}

/// A list of data-category keys (or `sensitive`) that a rule selects.
pub type DataSelector = Vec<Id>;

/// Which nodes a rule looks at; an item matches a node, the list matches when any does.
pub type NodeSelector = Vec<NodeMatch>;

/// One item of a node selector.
#[derive(Clone, Debug)]
pub enum NodeMatch {
    /// A node id or a section name (`stores`, `subprocessors`, ...); in a `subjects`
    /// selector also a data-subject key (`customer`).
    Name(Id),
    /// A glob over node ids: `"*-logs"`.
    Glob(Id, globset::GlobMatcher),
    /// Nodes whose attributes all match: `{ kind: log, region: eu }`.
    Where(Vec<(Id, Id)>, Span),
}

/// The attributes a `{ key: value }` selector may test.
pub const SELECTOR_ATTRIBUTES: [&str; 5] = ["section", "kind", "region", "hosted_by", "subject"];

impl NodeMatch {
    /// Where it was written.
    pub fn span(&self) -> Span {
        match self {
            NodeMatch::Name(id) | NodeMatch::Glob(id, _) => id.span,
            NodeMatch::Where(_, span) => *span,
        }
    }

    /// How it is written, for messages: `db`, `"*-logs"`, `{ kind: log }`.
    pub fn text(&self) -> String {
        match self {
            NodeMatch::Name(id) => id.value.clone(),
            NodeMatch::Glob(id, _) => format!("\"{}\"", id.value),
            NodeMatch::Where(conditions, _) => format!(
                "{{ {} }}",
                conditions
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.value, v.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The name it is, when it is a plain id or section name.
    pub fn name(&self) -> Option<&Id> {
        match self {
            NodeMatch::Name(id) => Some(id),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum RuleKind {
    Location {
        data: DataSelector,
        allowed_regions: Vec<Id>,
        nodes: NodeSelector,
        include_anonymized: bool,
    },
    Transfer {
        data: DataSelector,
        allowed_regions: Vec<Id>,
        mechanisms: Vec<Id>,
        /// The recipients it is about (ids or section names); empty: every recipient.
        to: NodeSelector,
        include_anonymized: bool,
    },
    Sharing {
        data: DataSelector,
        to: NodeSelector,
        from: NodeSelector,
        allow_data: Option<DataSelector>,
        allow_recipients: Vec<Id>,
        allow_purposes: Vec<Id>,
        deny_purposes: Vec<Id>,
        unless_basis: Vec<Id>,
        include_anonymized: bool,
    },
    Retention {
        data: DataSelector,
        max: Option<Sp<Retention>>,
        nodes: NodeSelector,
        include_anonymized: bool,
    },
    Encryption {
        data: DataSelector,
        at_rest: bool,
        in_transit: bool,
        /// The stores (at rest) and flow recipients (in transit) it is about; empty: all.
        nodes: NodeSelector,
        include_anonymized: bool,
    },
    Prohibited {
        data: DataSelector,
        nodes: NodeSelector,
        include_anonymized: bool,
    },
    LawfulBasis {
        data: DataSelector,
        purposes: Vec<Id>,
        require: Vec<Id>,
        include_anonymized: bool,
    },
    /// At most one of `nodes` is active: a node is active unless its `status` says
    /// `inactive` or `standby`, and any node that receives matching data is.
    Alternatives {
        data: DataSelector,
        nodes: Vec<Id>,
        include_anonymized: bool,
    },
    /// A new sub-processor (or third party) among `nodes` takes effect at least
    /// `period` after it is announced; those in effect before `since` predate the promise.
    Notice {
        data: DataSelector,
        period: Sp<Retention>,
        nodes: NodeSelector,
        since: Option<Sp<time::Date>>,
    },
}

impl RuleKind {
    /// The stable finding code, which is also the YAML key of the kind.
    pub fn code(&self) -> &'static str {
        match self {
            RuleKind::Location { .. } => "location",
            RuleKind::Transfer { .. } => "transfer",
            RuleKind::Sharing { .. } => "sharing",
            RuleKind::Retention { .. } => "retention",
            RuleKind::Encryption { .. } => "encryption",
            RuleKind::Prohibited { .. } => "prohibited",
            RuleKind::LawfulBasis { .. } => "lawful_basis",
            RuleKind::Alternatives { .. } => "alternatives",
            RuleKind::Notice { .. } => "notice",
        }
    }

    pub fn data(&self) -> &DataSelector {
        match self {
            RuleKind::Location { data, .. }
            | RuleKind::Transfer { data, .. }
            | RuleKind::Sharing { data, .. }
            | RuleKind::Retention { data, .. }
            | RuleKind::Encryption { data, .. }
            | RuleKind::Prohibited { data, .. }
            | RuleKind::LawfulBasis { data, .. }
            | RuleKind::Alternatives { data, .. }
            | RuleKind::Notice { data, .. } => data,
        }
    }

    pub fn include_anonymized(&self) -> bool {
        match self {
            RuleKind::Location {
                include_anonymized, ..
            }
            | RuleKind::Transfer {
                include_anonymized, ..
            }
            | RuleKind::Sharing {
                include_anonymized, ..
            }
            | RuleKind::Retention {
                include_anonymized, ..
            }
            | RuleKind::Encryption {
                include_anonymized, ..
            }
            | RuleKind::Prohibited {
                include_anonymized, ..
            }
            | RuleKind::LawfulBasis {
                include_anonymized, ..
            }
            | RuleKind::Alternatives {
                include_anonymized, ..
            } => *include_anonymized,
            RuleKind::Notice { .. } => false,
        }
    }
}

/// The `code` section of one inventory file: where its Rust sources are and how their
/// structs relate to the inventory's stores and systems.
#[derive(Clone, Debug)]
pub struct CodeSection {
    /// Source roots, relative to the directory of the inventory file.
    pub roots: Vec<Sp<String>>,
    /// Glob patterns of paths (relative to a root) not to scan.
    pub exclude: Vec<Sp<String>>,
    pub structs: Vec<StructMapping>,
    pub fields: Vec<FieldOverride>,
    /// The store that log output goes to; categories it declares may be logged.
    pub logs: Option<Id>,
    /// Crates that talk to a declared node under another vendor's name (`aws-sdk-s3`
    /// used against another provider's S3-compatible storage): crate name, node id.
    pub sdks: Vec<(Sp<String>, Id)>,
    /// Scan test code too: `tests/`, `benches/`, `examples/` and `#[cfg(test)]` items.
    pub include_tests: bool,
    pub organization: Option<usize>,
    pub span: Span,
}

/// Structs matching `pattern` (a path such as `models::user::User` or a glob such as
/// `*::User`) are persisted to, or processed by, the nodes in `to`.
#[derive(Clone, Debug)]
pub struct StructMapping {
    pub pattern: Sp<String>,
    pub to: Vec<Id>,
    pub span: Span,
}

/// What a field override says about the fields matching `pattern` (`*::User.phone`).
#[derive(Clone, Debug)]
pub struct FieldOverride {
    pub pattern: Sp<String>,
    pub verdict: FieldVerdict,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum FieldVerdict {
    /// The field holds this category, whatever the classifier thinks.
    Category(Id),
    /// The field holds no personal data, for the reason given.
    NotPersonal(Sp<String>),
}

/// A finding accepted on purpose: which code, on what, why, who approved it, until when.
#[derive(Clone, Debug)]
pub struct Waiver {
    pub code: Id,
    pub target: WaiverTarget,
    /// Only the findings of this rule.
    pub rule: Option<Id>,
    pub reason: Sp<String>,
    pub approved_by: Option<Sp<String>>,
    pub expires: Option<Sp<time::Date>>,
    pub organization: Option<usize>,
    pub span: Span,
}

/// What a waiver applies to.
#[derive(Clone, Debug)]
pub enum WaiverTarget {
    /// Findings about a node (and its holdings and backup).
    Node(Id),
    /// Findings about a flow, by its id.
    Flow(Id),
    /// Findings about a Rust field: `User.phone` or `models::user::User.phone`.
    Field(Sp<String>),
    /// One finding, by its fingerprint.
    Fingerprint(Sp<String>),
}

/// The keys a waiver may name its target with, one of which it must.
pub const WAIVER_TARGETS: [&str; 4] = ["node", "flow", "field", "fingerprint"];

/// `severity: { unreachable-node: error }`: a finding code's severity, set by the inventory.
#[derive(Clone, Debug)]
pub struct SeverityOverride {
    pub code: Id,
    pub severity: Sp<Severity>,
}

/// Everything the loaded files declare.
#[derive(Clone, Debug, Default)]
pub struct Declarations {
    pub organizations: Vec<Organization>,
    pub regions: Vec<Region>,
    pub taxonomy: Vec<TaxonomyExtension>,
    pub subjects: Vec<Subject>,
    pub systems: Vec<System>,
    pub stores: Vec<Store>,
    pub subprocessors: Vec<Subprocessor>,
    pub third_parties: Vec<ThirdParty>,
    pub flows: Vec<Flow>,
    pub rules: Vec<Rule>,
    pub code: Vec<CodeSection>,
    pub waivers: Vec<Waiver>,
    pub severities: Vec<SeverityOverride>,
    /// Values left as `TODO` (by `ropa init`), reported until filled in.
    pub placeholders: Vec<Span>,
}

impl Declarations {
    /// How many nodes of `kind` are declared.
    pub fn count(&self, kind: NodeKind) -> usize {
        match kind {
            NodeKind::Subject => self.subjects.len(),
            NodeKind::System => self.systems.len(),
            NodeKind::Store => self.stores.len(),
            NodeKind::Subprocessor => self.subprocessors.len(),
            NodeKind::ThirdParty => self.third_parties.len(),
        }
    }

    /// Appends another file's declarations, mapping its organization indices onto this
    /// list (files that name the same organization id share one entry).
    pub fn append(&mut self, other: Declarations) {
        let remap: Vec<usize> = other
            .organizations
            .into_iter()
            .map(|org| {
                match self
                    .organizations
                    .iter()
                    .position(|o| o.id.value == org.id.value)
                {
                    Some(existing) => existing,
                    None => {
                        self.organizations.push(org);
                        self.organizations.len() - 1
                    }
                }
            })
            .collect();
        let map = |o: Option<usize>| o.and_then(|i| remap.get(i).copied());
        self.regions.extend(other.regions);
        self.taxonomy.extend(other.taxonomy);
        extend_nodes(&mut self.subjects, other.subjects, |n| &mut n.common, map);
        extend_nodes(&mut self.systems, other.systems, |n| &mut n.common, map);
        extend_nodes(&mut self.stores, other.stores, |n| &mut n.common, map);
        extend_nodes(
            &mut self.subprocessors,
            other.subprocessors,
            |n| &mut n.common,
            map,
        );
        extend_nodes(
            &mut self.third_parties,
            other.third_parties,
            |n| &mut n.common,
            map,
        );
        self.flows.extend(other.flows.into_iter().map(|mut f| {
            f.organization = map(f.organization);
            f
        }));
        self.rules.extend(other.rules.into_iter().map(|mut r| {
            r.organization = map(r.organization);
            r
        }));
        self.code.extend(other.code.into_iter().map(|mut c| {
            c.organization = map(c.organization);
            c
        }));
        self.waivers.extend(other.waivers.into_iter().map(|mut w| {
            w.organization = map(w.organization);
            w
        }));
        self.severities.extend(other.severities);
        self.placeholders.extend(other.placeholders);
    }
}

/// Appends nodes of one kind, mapping their organization index.
fn extend_nodes<T>(
    into: &mut Vec<T>,
    nodes: Vec<T>,
    common: impl Fn(&mut T) -> &mut NodeCommon,
    map: impl Fn(Option<usize>) -> Option<usize>,
) {
    into.extend(nodes.into_iter().map(|mut node| {
        let c = common(&mut node);
        c.organization = map(c.organization);
        node
    }));
}
