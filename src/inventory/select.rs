//! What a rule's node selector picks. An item is a node id or section name, a glob over
//! node ids (`"*-logs"`), or a mapping of attributes that must all hold (`{ kind: log,
//! region: eu }`, `{ hosted_by: aws }`, `{ subject: customer }`); a selector picks a
//! node when any of its items does. Used by the validator (does an item select
//! anything?) and by the rules (is this node selected?).

use super::model::{Declarations, NodeKind, NodeMatch};
use super::regions::Regions;
use super::{Inventory, NodeRef};
use crate::taxonomy::KeyTree;

/// What a selector may test of one node.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub id: &'a str,
    pub section: NodeKind,
    /// A store's or third party's `kind`.
    pub kind: Option<&'a str>,
    pub hosted_by: Option<&'a str>,
    /// A data subject's taxonomy key.
    pub subject: Option<&'a str>,
    /// Indices of its declared regions.
    pub regions: Vec<usize>,
}

/// The facts of a declared node.
pub fn facts<'a>(decl: &'a Declarations, regions: &Regions, node: NodeRef) -> Facts<'a> {
    let i = node.index;
    let (common, kind, hosted_by, subject) = match node.kind {
        NodeKind::Subject => {
            let s = &decl.subjects[i];
            (&s.common, None, None, s.subject.as_ref())
        }
        NodeKind::System => {
            let s = &decl.systems[i];
            (&s.common, None, s.hosted_by.as_ref(), None)
        }
        NodeKind::Store => {
            let s = &decl.stores[i];
            (&s.common, s.kind.as_ref(), s.hosted_by.as_ref(), None)
        }
        NodeKind::Subprocessor => (&decl.subprocessors[i].common, None, None, None),
        NodeKind::ThirdParty => {
            let t = &decl.third_parties[i];
            (&t.common, t.kind.as_ref(), None, None)
        }
    };
    Facts {
        id: &common.id.value,
        section: node.kind,
        kind: kind.map(|k| k.value.as_str()),
        hosted_by: hosted_by.map(|h| h.value.as_str()),
        subject: subject.map(|s| s.value.as_str()),
        regions: common
            .regions
            .iter()
            .filter_map(|r| regions.get(&r.value))
            .collect(),
    }
}

/// Everything matching needs besides the node.
#[derive(Clone, Copy)]
pub struct Matcher<'a> {
    pub decl: &'a Declarations,
    pub regions: &'a Regions,
    /// The data-subject taxonomy, for `subject:` and subject keys.
    pub subjects: &'a KeyTree,
}

impl<'a> Matcher<'a> {
    pub fn of(inv: &'a Inventory) -> Self {
        Matcher {
            decl: &inv.decl,
            regions: &inv.regions,
            subjects: &inv.taxonomy.subjects,
        }
    }

    /// Whether one selector item picks a node with these facts.
    pub fn matches(&self, item: &NodeMatch, facts: &Facts) -> bool {
        match item {
            NodeMatch::Name(name) => {
                let name = name.value.as_str();
                facts.id == name
                    || facts.section.section() == name
                    || self.subject_under(facts.subject, name)
            }
            NodeMatch::Glob(_, glob) => glob.is_match(facts.id),
            NodeMatch::Where(conditions, _) => conditions.iter().all(|(key, value)| {
                let value = value.value.as_str();
                match key.value.as_str() {
                    "section" => facts.section.section() == value,
                    "kind" => facts.kind.is_some_and(|k| k.eq_ignore_ascii_case(value)),
                    "region" => facts
                        .regions
                        .iter()
                        .any(|r| self.regions.within(&self.decl.regions, *r, value)),
                    "hosted_by" => facts.hosted_by == Some(value),
                    "subject" => self.subject_under(facts.subject, value),
                    _ => false,
                }
            }),
        }
    }

    /// Whether any item of `selection` picks the node; an empty selection picks all.
    pub fn selects(&self, selection: &[NodeMatch], facts: &Facts) -> bool {
        selection.is_empty() || selection.iter().any(|item| self.matches(item, facts))
    }

    /// Whether a subject's taxonomy key is `key` or below it.
    fn subject_under(&self, subject: Option<&str>, key: &str) -> bool {
        let (Some(subject), Some(ancestor)) = (
            subject.and_then(|s| self.subjects.get(s)),
            self.subjects.get(key),
        ) else {
            return false;
        };
        self.subjects.is_under(subject, ancestor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::model::RuleKind;

    const INVENTORY: &str = "version: 1
regions:
  - { id: eu }
  - { id: ie, country: IE, parent: eu }
  - { id: us, country: US }
subjects:
  - { id: shoppers, subject: customer, region: ie }
  - { id: staff, subject: employee }
subprocessors:
  - { id: aws, regions: [ie, us], purposes: [essential] }
stores:
  - { id: api-logs, kind: log, region: us, hosted_by: aws }
  - { id: orders, kind: database, region: ie }
rules:
  - id: r
    prohibited: { nodes: SELECTOR }
";

    /// The ids of the nodes a `nodes:` selector written as `yaml` picks.
    fn picked(yaml: &str) -> Vec<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.yaml");
        std::fs::write(&path, INVENTORY.replace("SELECTOR", yaml)).expect("write");
        let inv = match crate::inventory::load(&[path]) {
            Ok(inventory) => inventory,
            Err(failure) => panic!("{yaml}: {:?}", failure.problems),
        };
        let RuleKind::Prohibited { nodes, .. } = &inv.decl.rules[0].kind else {
            panic!("prohibited")
        };
        let matcher = Matcher::of(&inv);
        let mut ids: Vec<String> = inv
            .nodes
            .values()
            .filter(|n| matcher.selects(nodes, &facts(&inv.decl, &inv.regions, **n)))
            .map(|n| inv.node(*n).id.value.clone())
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn names_globs_and_attributes_select_nodes() {
        assert_eq!(picked("[orders, subprocessors]"), ["aws", "orders"]);
        assert_eq!(picked("\"*-logs\""), ["api-logs"]);
        assert_eq!(picked("{ kind: LOG }"), ["api-logs"]);
        assert_eq!(picked("{ region: eu }"), ["aws", "orders", "shoppers"]);
        assert_eq!(picked("{ region: eu, section: stores }"), ["orders"]);
        assert_eq!(picked("{ hosted_by: aws }"), ["api-logs"]);
        assert_eq!(
            picked("[{ subject: employee }, orders]"),
            ["orders", "staff"]
        );
    }
}
