//! The final word on each scanned field: the inventory's field overrides win, then a
//! `// ropa:` annotation on the field, then the classifier. Also matches the item-path
//! globs (`*::User`, `models::user::User.email`) that the inventory's `code` section uses.

use super::classify::{self, Classification};
use super::facts::{AnnotationKind, FieldFact, LogArgument, LogCall};
use super::{FileFacts, Scan};
use globset::{Glob, GlobMatcher};
use std::collections::HashMap;

/// Who decided a field's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    Classifier,
    Annotation,
    Inventory,
}

/// Whether a field holds personal data, and why.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldStatus {
    Personal {
        category: String,
        confidence: f32,
        reason: String,
        origin: Origin,
    },
    NotPersonal {
        reason: String,
        origin: Origin,
    },
    /// The classifier found no evidence of personal data.
    Unclassified,
}

impl FieldStatus {
    pub fn category(&self) -> Option<&str> {
        match self {
            FieldStatus::Personal { category, .. } => Some(category),
            _ => None,
        }
    }
}

/// A compiled `match:` pattern over item paths.
#[derive(Clone, Debug)]
pub struct ItemPattern {
    matcher: GlobMatcher,
}

impl ItemPattern {
    /// Compiles a pattern; the inventory decoder has already checked it is a glob.
    pub fn new(pattern: &str) -> Option<Self> {
        Glob::new(pattern).ok().map(|g| ItemPattern {
            matcher: g.compile_matcher(),
        })
    }

    /// Whether `path` (`models::user::User`, or `models::user::User.email` for fields)
    /// matches. A leading `*::` also matches items at the crate root.
    pub fn matches(&self, path: &str) -> bool {
        self.matcher.is_match(path) || self.matcher.is_match(format!("::{path}"))
    }
}

/// The path a field pattern matches against: `models::user::User.email`.
pub fn field_path(field: &FieldFact) -> String {
    format!("{}.{}", field.item_path(), field.name)
}

/// Decides every field's status. `inventory_override` gives the inventory's verdict on a
/// field, if it has one; `is_category` says whether an annotated key is a known
/// category (unknown keys fall back to the classifier and are reported elsewhere).
pub fn judge(
    fields: &[&FieldFact],
    inventory_override: impl Fn(&FieldFact) -> Option<FieldStatus>,
    is_category: impl Fn(&str) -> bool,
) -> Vec<FieldStatus> {
    // What the inventory and the source say come first; the classifier reads them as
    // sibling evidence (a first name acknowledged as not personal is none).
    let decided: Vec<Option<FieldStatus>> = fields
        .iter()
        .map(|field| {
            if let Some(status) = inventory_override(field) {
                return Some(status);
            }
            match field.annotation.as_ref().map(|a| &a.kind) {
                Some(AnnotationKind::NotPersonal(reason)) => Some(FieldStatus::NotPersonal {
                    reason: reason.clone(),
                    origin: Origin::Annotation,
                }),
                Some(AnnotationKind::Category(category)) if is_category(category) => {
                    Some(FieldStatus::Personal {
                        category: category.clone(),
                        confidence: 1.0,
                        reason: "annotated in the source".to_owned(),
                        origin: Origin::Annotation,
                    })
                }
                _ => None,
            }
        })
        .collect();
    let known: Vec<Option<Option<&str>>> = decided
        .iter()
        .map(|status| status.as_ref().map(FieldStatus::category))
        .collect();
    let classified: Vec<Option<Classification>> = classify::classify_all_known(fields, &known);
    decided
        .into_iter()
        .zip(classified)
        .map(
            |(decided, classification)| match (decided, classification) {
                (Some(status), _) => status,
                (None, Some(c)) => FieldStatus::Personal {
                    category: c.category,
                    confidence: c.confidence,
                    reason: c.reason,
                    origin: Origin::Classifier,
                },
                (None, None) => FieldStatus::Unclassified,
            },
        )
        .collect()
}

/// A personal value passed to a logging macro.
pub struct LoggedValue<'s> {
    pub file: &'s FileFacts,
    pub call: &'s LogCall,
    pub argument: &'s LogArgument,
    pub category: String,
    pub reason: String,
}

/// Every personal value the scanned code logs. A field access whose owner names a
/// scanned struct (`user.email` and struct `User`) takes that field's status, so fields
/// acknowledged as not personal stay quiet; anything else is classified by its name.
pub fn logged_values<'s>(scan: &'s Scan, statuses: &[FieldStatus]) -> Vec<LoggedValue<'s>> {
    let mut known: HashMap<(String, &str), &FieldStatus> = HashMap::new();
    for ((_, field), status) in scan.fields().zip(statuses) {
        known
            .entry((field.item.to_lowercase(), field.name.as_str()))
            .or_insert(status);
    }
    let mut values = Vec::new();
    for file in &scan.files {
        for call in &file.logs {
            for argument in &call.arguments {
                let verdict =
                    match argument.owner.as_ref().and_then(|owner| {
                        known.get(&(owner.to_lowercase(), argument.name.as_str()))
                    }) {
                        Some(FieldStatus::Personal {
                            category, reason, ..
                        }) => Some((category.clone(), reason.clone())),
                        Some(_) => None,
                        None => classify_value(argument),
                    };
                if let Some((category, reason)) = verdict {
                    values.push(LoggedValue {
                        file,
                        call,
                        argument,
                        category,
                        reason,
                    });
                }
            }
        }
    }
    values
}

/// Classifies a logged value by its name, with its owner as the struct it belongs to.
fn classify_value(argument: &LogArgument) -> Option<(String, String)> {
    let as_field = FieldFact {
        module: String::new(),
        item: argument.owner.clone().unwrap_or_default(),
        variant: None,
        name: argument.name.clone(),
        ty: String::new(),
        serde_rename: None,
        docs: String::new(),
        annotation: None,
        at: argument.at,
    };
    classify::classify(&as_field).map(|c| (c.category, c.reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::facts::collect;

    #[test]
    fn patterns_match_paths_and_crate_root_items() {
        let user = ItemPattern::new("*::User").expect("glob");
        assert!(user.matches("models::user::User"));
        assert!(user.matches("User"));
        assert!(!user.matches("models::user::UserId"));
        let exact = ItemPattern::new("models::user::User").expect("glob");
        assert!(exact.matches("models::user::User"));
        assert!(!exact.matches("api::User"));
        let field = ItemPattern::new("*::{User,Customer}.phone").expect("glob");
        assert!(field.matches("crm::Customer.phone"));
        assert!(!field.matches("crm::Customer.phone_verified"));
    }

    #[test]
    fn inventory_beats_annotation_beats_classifier() {
        let source = "pub struct User {
    pub email: String,
    // ropa: not-personal (a team inbox, not a person)
    pub support_email: String,
    // ropa: user.contact.phone_number
    pub contact: String,
    pub phone: String,
    // ropa: user.nonsense
    pub ip: String,
}
";
        let facts = collect(source, "").expect("parses");
        let fields: Vec<&FieldFact> = facts.fields.iter().collect();
        let statuses = judge(
            &fields,
            |f| {
                (f.name == "phone").then(|| FieldStatus::NotPersonal {
                    reason: "the shop's number".into(),
                    origin: Origin::Inventory,
                })
            },
            |key| key.starts_with("user.contact"),
        );
        let summary: Vec<(Option<&str>, Option<Origin>)> = statuses
            .iter()
            .map(|s| match s {
                FieldStatus::Personal {
                    category, origin, ..
                } => (Some(category.as_str()), Some(*origin)),
                FieldStatus::NotPersonal { origin, .. } => (None, Some(*origin)),
                FieldStatus::Unclassified => (None, None),
            })
            .collect();
        assert_eq!(
            summary,
            [
                (Some("user.contact.email"), Some(Origin::Classifier)),
                (None, Some(Origin::Annotation)),
                (Some("user.contact.phone_number"), Some(Origin::Annotation)),
                (None, Some(Origin::Inventory)),
                (Some("user.device.ip_address"), Some(Origin::Classifier)),
            ]
        );
    }
}
