//! The keys of every mapping in an inventory file, with the type of each value: the one
//! table the decoder checks keys against and `ropa schema` writes the JSON Schema
//! from, so that the two cannot drift apart.

use super::model::{
    LAWFUL_BASES, NODE_STATUSES, SELECTOR_ATTRIBUTES, SPECIAL_CATEGORY_CONDITIONS,
    TRANSFER_MECHANISMS,
};

/// What a key's value may be.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// An id or a reference: one word.
    Id,
    /// One id, or a list of them.
    Ids,
    /// Free text (a number is read as its text).
    Text,
    /// One string, or a list of them (paths, globs).
    Texts,
    Bool,
    /// A whole number.
    Int,
    /// A calendar date, `2025-03-01`.
    Date,
    /// A retention or period: `30d`, `until-account-closed+30d`, `indefinite`.
    Retention,
    /// One of these words, or a list of them.
    Words(&'static [&'static str]),
    /// One of these words.
    Word(&'static [&'static str]),
    /// A node selector: ids, section names, globs and `{ key: value }` mappings.
    Selector,
    /// `true`, or the list of categories that are anonymized.
    BoolOrIds,
    /// A mapping with these keys.
    Map(&'static [Key]),
    /// A list of mappings with these keys.
    List(&'static [Key]),
    /// A mapping of names to ids (`sdks: { aws-sdk-s3: r2 }`).
    NameToId,
    /// `severity`: finding codes to `error`, `warning` or `info`.
    Severities,
}

/// One key of a mapping.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

const fn key(name: &'static str, ty: Ty) -> Key {
    Key {
        name,
        ty,
        required: false,
    }
}

const fn required(name: &'static str, ty: Ty) -> Key {
    Key {
        name,
        ty,
        required: true,
    }
}

/// A person or body named in the record of processing: a DPO, a representative, a
/// joint controller.
pub const PARTY: &[Key] = &[required("name", Ty::Text), key("contact", Ty::Text)];

/// A controller the organization processes data for, as a processor (Art. 30(2)).
pub const CONTROLLER: &[Key] = &[
    required("name", Ty::Text),
    key("contact", Ty::Text),
    key("representative", Ty::Map(PARTY)),
    key("dpo", Ty::Map(PARTY)),
    key("purposes", Ty::Ids),
];

pub const ORGANIZATION: &[Key] = &[
    required("id", Ty::Id),
    key("name", Ty::Text),
    key("policy", Ty::Text),
    key("contact", Ty::Text),
    key("claims_source", Ty::Text),
    key("dpo", Ty::Map(PARTY)),
    key("representative", Ty::Map(PARTY)),
    key("joint_controllers", Ty::List(PARTY)),
    key("controllers", Ty::List(CONTROLLER)),
];

pub const REGION: &[Key] = &[
    required("id", Ty::Id),
    key("name", Ty::Text),
    key("country", Ty::Text),
    key("parent", Ty::Id),
    key("groups", Ty::Ids),
];

pub const TAXONOMY_ENTRY: &[Key] = &[
    required("id", Ty::Id),
    key("name", Ty::Text),
    key("parent", Ty::Id),
    key("sensitive", Ty::Bool),
];

pub const TAXONOMY: &[Key] = &[
    key("data_categories", Ty::List(TAXONOMY_ENTRY)),
    key("data_uses", Ty::List(TAXONOMY_ENTRY)),
    key("data_subjects", Ty::List(TAXONOMY_ENTRY)),
];

/// Keys every node shares.
pub const NODE_COMMON: &[Key] = &[
    required("id", Ty::Id),
    key("name", Ty::Text),
    key("description", Ty::Text),
    key("region", Ty::Ids),
    key("regions", Ty::Ids),
    key("claims", Ty::Ids),
    key("status", Ty::Word(&NODE_STATUSES)),
];

pub const SUBJECT: &[Key] = &[key("subject", Ty::Id)];

pub const SYSTEM: &[Key] = &[key("entity", Ty::Text), key("hosted_by", Ty::Id)];

pub const HOLDING: &[Key] = &[
    required("data", Ty::Ids),
    key("retention", Ty::Retention),
    key("reason", Ty::Text),
    key("anonymized", Ty::Bool),
    key("purpose", Ty::Id),
    key("claims", Ty::Ids),
];

pub const BACKUP: &[Key] = &[
    key("region", Ty::Id),
    key("encrypted", Ty::Bool),
    key("every", Ty::Retention),
    key("retention", Ty::Retention),
    key("reason", Ty::Text),
    key("transfer_mechanism", Ty::Words(&TRANSFER_MECHANISMS)),
    key("claims", Ty::Ids),
];

pub const STORE: &[Key] = &[
    key("kind", Ty::Text),
    key("encrypted_at_rest", Ty::Bool),
    key("holds", Ty::List(HOLDING)),
    key("backups", Ty::Map(BACKUP)),
    key("hosted_by", Ty::Id),
];

pub const SUBPROCESSOR: &[Key] = &[
    key("legal_name", Ty::Text),
    key("purposes", Ty::Ids),
    key("dpa", Ty::Bool),
    key("dpf_certified", Ty::Bool),
    key("announced", Ty::Date),
    key("effective", Ty::Date),
    key("stores_data", Ty::Bool),
];

pub const THIRD_PARTY: &[Key] = &[
    key("kind", Ty::Text),
    key("risk", Ty::Text),
    key("purposes", Ty::Ids),
    key("dpf_certified", Ty::Bool),
    key("announced", Ty::Date),
    key("effective", Ty::Date),
];

pub const FLOW: &[Key] = &[
    key("id", Ty::Id),
    required("from", Ty::Id),
    required("to", Ty::Id),
    required("data", Ty::Ids),
    key("purpose", Ty::Id),
    key("lawful_basis", Ty::Word(&LAWFUL_BASES)),
    key(
        "special_category_condition",
        Ty::Word(&SPECIAL_CATEGORY_CONDITIONS),
    ),
    key("encrypted_in_transit", Ty::Bool),
    key("transfer_mechanism", Ty::Words(&TRANSFER_MECHANISMS)),
    key("anonymized", Ty::BoolOrIds),
    key("claims", Ty::Ids),
    key("description", Ty::Text),
];

/// The severities a rule or the `severity` map may give.
pub const SEVERITIES: [&str; 3] = ["error", "warning", "info"];

pub const RULE_COMMON: &[Key] = &[
    required("id", Ty::Id),
    key("claim", Ty::Ids),
    key("claims", Ty::Ids),
    key("description", Ty::Text),
    key("severity", Ty::Word(&SEVERITIES)),
];

/// Keys any rule kind takes.
pub const RULE_KIND_COMMON: &[Key] = &[key("subjects", Ty::Selector)];

const DATA: Key = key("data", Ty::Ids);
const INCLUDE_ANONYMIZED: Key = key("include_anonymized", Ty::Bool);

/// Each rule kind with its keys.
pub const RULE_KINDS: &[(&str, &[Key])] = &[
    (
        "location",
        &[
            DATA,
            required("allowed_regions", Ty::Ids),
            key("nodes", Ty::Selector),
            INCLUDE_ANONYMIZED,
        ],
    ),
    (
        "transfer",
        &[
            DATA,
            required("allowed_regions", Ty::Ids),
            key("mechanisms", Ty::Words(&TRANSFER_MECHANISMS)),
            key("to", Ty::Selector),
            INCLUDE_ANONYMIZED,
        ],
    ),
    (
        "sharing",
        &[
            DATA,
            key("to", Ty::Selector),
            key("from", Ty::Selector),
            key("allow_data", Ty::Ids),
            key("allow_recipients", Ty::Ids),
            key("allow_purposes", Ty::Ids),
            key("deny_purposes", Ty::Ids),
            key("unless_basis", Ty::Words(&LAWFUL_BASES)),
            INCLUDE_ANONYMIZED,
        ],
    ),
    (
        "retention",
        &[
            DATA,
            key("max", Ty::Retention),
            key("nodes", Ty::Selector),
            INCLUDE_ANONYMIZED,
        ],
    ),
    (
        "encryption",
        &[
            DATA,
            key("at_rest", Ty::Bool),
            key("in_transit", Ty::Bool),
            key("nodes", Ty::Selector),
            INCLUDE_ANONYMIZED,
        ],
    ),
    (
        "prohibited",
        &[DATA, key("nodes", Ty::Selector), INCLUDE_ANONYMIZED],
    ),
    (
        "lawful_basis",
        &[
            DATA,
            key("purposes", Ty::Ids),
            key("require", Ty::Words(&LAWFUL_BASES)),
            INCLUDE_ANONYMIZED,
        ],
    ),
    (
        "alternatives",
        &[DATA, required("nodes", Ty::Ids), INCLUDE_ANONYMIZED],
    ),
    (
        "notice",
        &[
            required("period", Ty::Retention),
            key("nodes", Ty::Selector),
            key("since", Ty::Date),
        ],
    ),
];

/// The keys of a rule kind, if it is one.
pub fn rule_kind(name: &str) -> Option<&'static [Key]> {
    RULE_KINDS
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, keys)| *keys)
}

pub const STRUCT_MAPPING: &[Key] = &[required("match", Ty::Text), required("to", Ty::Ids)];

pub const FIELD_OVERRIDE: &[Key] = &[
    required("match", Ty::Text),
    key("data", Ty::Id),
    key("not_personal", Ty::Text),
];

pub const CODE: &[Key] = &[
    required("roots", Ty::Texts),
    key("exclude", Ty::Texts),
    key("include_tests", Ty::Bool),
    key("structs", Ty::List(STRUCT_MAPPING)),
    key("fields", Ty::List(FIELD_OVERRIDE)),
    key("logs", Ty::Id),
    key("sdks", Ty::NameToId),
];

pub const WAIVER: &[Key] = &[
    required("code", Ty::Id),
    key("node", Ty::Id),
    key("flow", Ty::Id),
    key("field", Ty::Text),
    key("fingerprint", Ty::Text),
    key("rule", Ty::Id),
    required("reason", Ty::Text),
    key("approved_by", Ty::Text),
    key("expires", Ty::Date),
];

/// The attributes a `{ key: value }` node selector may test.
pub const SELECTOR: &[Key] = &[
    key(SELECTOR_ATTRIBUTES[0], Ty::Id),
    key(SELECTOR_ATTRIBUTES[1], Ty::Text),
    key(SELECTOR_ATTRIBUTES[2], Ty::Id),
    key(SELECTOR_ATTRIBUTES[3], Ty::Id),
    key(SELECTOR_ATTRIBUTES[4], Ty::Id),
];

/// The list sections of a file that hold nodes, with the keys beyond the common ones.
pub const NODE_SECTIONS: &[(&str, &[Key])] = &[
    ("subjects", SUBJECT),
    ("systems", SYSTEM),
    ("stores", STORE),
    ("subprocessors", SUBPROCESSOR),
    ("third_parties", THIRD_PARTY),
];

/// The top level of an inventory file.
pub const TOP_LEVEL: &[Key] = &[
    required("version", Ty::Int),
    key("organization", Ty::Map(ORGANIZATION)),
    key("regions", Ty::List(REGION)),
    key("taxonomy", Ty::Map(TAXONOMY)),
    // Node sections, flows and rules: lists whose items `ropa schema` describes from
    // NODE_SECTIONS, FLOW and RULE_KINDS.
    key("subjects", Ty::List(SUBJECT)),
    key("systems", Ty::List(SYSTEM)),
    key("stores", Ty::List(STORE)),
    key("subprocessors", Ty::List(SUBPROCESSOR)),
    key("third_parties", Ty::List(THIRD_PARTY)),
    key("flows", Ty::List(FLOW)),
    key("rules", Ty::List(RULE_COMMON)),
    key("code", Ty::Map(CODE)),
    key("waivers", Ty::List(WAIVER)),
    key("severity", Ty::Severities),
];

/// The names of the keys of these tables, for messages.
pub fn names(tables: &[&[Key]]) -> Vec<&'static str> {
    tables
        .iter()
        .flat_map(|t| t.iter().map(|k| k.name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_kinds_are_the_decoders() {
        let kinds: Vec<&str> = RULE_KINDS.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, crate::inventory::decode::RULE_KINDS);
    }
}
