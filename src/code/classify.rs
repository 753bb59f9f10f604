//! Deciding whether a struct field holds personal data, of which fideslang category,
//! with what confidence, and why, from the field's name (snake_case and camelCase
//! split into words), negative patterns, the struct it lives in, foreign keys to
//! people, its type, and types that are themselves structs holding personal data. The
//! vocabulary is data, in `vocabulary.tsv`.

use super::facts::FieldFact;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const VOCABULARY: &str = include_str!("vocabulary.tsv");

/// Fields are reported from this confidence up.
pub const REPORT_THRESHOLD: f32 = 0.5;

/// The verdict on one field.
#[derive(Clone, Debug, PartialEq)]
pub struct Classification {
    pub category: String,
    pub confidence: f32,
    pub reason: String,
}

type Rule = (Vec<String>, String, f32);

/// A kind of struct, known by words of its name, whose fields named by `fields` hold
/// what `about` says.
#[derive(Default)]
struct Kind {
    name: String,
    words: HashSet<String>,
    about: String,
    fields: Vec<Rule>,
}

#[derive(Default)]
struct Vocabulary {
    fields: Vec<Rule>,
    person_fields: Vec<Rule>,
    not: Vec<Vec<String>>,
    not_last: HashSet<String>,
    types: HashMap<String, (String, f32)>,
    persons: HashSet<String>,
    things: HashSet<String>,
    fk_last: HashMap<String, (String, f32)>,
    fk_owners: HashSet<String>,
    /// Struct words about content people write (`Post`, `Comment`), and the fields
    /// that hold that content there.
    contents: HashSet<String>,
    content_fields: Vec<Rule>,
    /// Struct name words that make a message the application's (`FlashMessage`).
    not_contents: HashSet<String>,
    /// Struct words about a person's secrets (`PasswordReset`, `ApiToken`), and the
    /// fields that hold the secret there.
    secrets: HashSet<String>,
    secret_fields: Vec<Rule>,
    /// Kinds of struct whose ordinary-sounding fields hold a person's data: a password
    /// manager's vault item (its `name`, `notes`), a browsing or command history entry
    /// (its `url`, `command`), a device's push subscription (its `endpoint`).
    kinds: Vec<Kind>,
    /// Thing words that, after a person word, are that person's (`AccountConfig`,
    /// `UserSettings`): the struct is about the person.
    belongings: HashSet<String>,
    /// Types that can hold no personal data whatever the field is called (`bool`,
    /// timestamps), and wrappers that only carry another type (`Option`, `Vec`).
    not_types: HashSet<String>,
    wrappers: HashSet<String>,
    /// Channel ends and task handles: plumbing, whatever flows through them.
    opaque_types: HashSet<String>,
    /// Words after the data they qualify (`password_new`): set aside in field names.
    qualifiers: HashSet<String>,
    /// Words that say a struct's shape, not what it is about (`UserResponse`).
    shapes: HashSet<String>,
    /// Struct names that say nothing (`Model`): the module names the subject.
    generic_items: HashSet<String>,
}

fn vocabulary() -> &'static Vocabulary {
    static PARSED: OnceLock<Vocabulary> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut v = Vocabulary::default();
        for line in VOCABULARY
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let cols: Vec<&str> = line.split('\t').collect();
            let words = |i: usize| -> Vec<String> {
                cols.get(i)
                    .map(|c| c.split(' ').map(str::to_owned).collect())
                    .unwrap_or_default()
            };
            let category = cols.get(2).map(|c| (*c).to_owned()).unwrap_or_default();
            let confidence = cols.get(3).and_then(|c| c.parse().ok()).unwrap_or(0.0);
            let first = cols.get(1).map(|c| (*c).to_owned()).unwrap_or_default();
            match cols[0] {
                "field" => v.fields.push((words(1), category, confidence)),
                "person-field" => v.person_fields.push((words(1), category, confidence)),
                "not" => v.not.push(words(1)),
                "not-last" => {
                    v.not_last.insert(first);
                }
                "type" => {
                    v.types.insert(first, (category, confidence));
                }
                "person" => {
                    v.persons.insert(first.to_lowercase());
                }
                "thing" => {
                    v.things.insert(first.to_lowercase());
                }
                "fk-last" => {
                    v.fk_last.insert(first, (category, confidence));
                }
                "fk-owner" => {
                    v.fk_owners.insert(first);
                }
                "content" => {
                    v.contents.insert(first.to_lowercase());
                }
                "content-field" => v.content_fields.push((words(1), category, confidence)),
                "not-content" => {
                    v.not_contents.insert(first.to_lowercase());
                }
                "secret" => {
                    v.secrets.insert(first.to_lowercase());
                }
                "secret-field" => v.secret_fields.push((words(1), category, confidence)),
                "kind" => v.kinds.push(Kind {
                    name: first,
                    words: words(2).into_iter().collect(),
                    about: cols.get(3).map(|c| (*c).to_owned()).unwrap_or_default(),
                    fields: Vec::new(),
                }),
                "kind-field" => {
                    let category = cols.get(3).map(|c| (*c).to_owned()).unwrap_or_default();
                    let confidence = cols.get(4).and_then(|c| c.parse().ok()).unwrap_or(0.0);
                    if let Some(kind) = v.kinds.iter_mut().find(|k| k.name == first) {
                        kind.fields.push((words(2), category, confidence));
                    }
                }
                "belonging" => {
                    v.belongings.insert(first.to_lowercase());
                }
                "not-type" => {
                    v.not_types.insert(first);
                }
                "wrapper" => {
                    v.wrappers.insert(first);
                }
                "opaque-type" => {
                    v.opaque_types.insert(first);
                }
                "qualifier" => {
                    v.qualifiers.insert(first);
                }
                "shape" => {
                    v.shapes.insert(first.to_lowercase());
                }
                "generic-item" => {
                    v.generic_items.insert(first);
                }
                _ => {}
            }
        }
        v
    })
}

/// Splits `emailAddr`, `email_addr`, `EmailAddr` and `IPAddress` into lowercase words.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c == ' ' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether a name's words end with a pattern's; a pattern whose first word starts
/// with `=` (`=id`) must be the whole name.
fn ends_with(words: &[String], pattern: &[String]) -> bool {
    if let Some(first) = pattern.first().and_then(|w| w.strip_prefix('=')) {
        return words.len() == pattern.len() && words[0] == first && words[1..] == pattern[1..];
    }
    words.len() >= pattern.len() && words[words.len() - pattern.len()..] == *pattern
}

/// The best name rule matching the end of `words`: the longest pattern wins.
fn best<'a>(rules: &'a [Rule], words: &[String]) -> Option<&'a Rule> {
    rules
        .iter()
        .filter(|(pattern, _, _)| ends_with(words, pattern))
        .max_by_key(|(pattern, _, _)| pattern.len())
}

/// Identifiers in a type's text: `Option<Vec<UserId>>` gives Option, Vec, UserId.
fn type_names(ty: &str) -> impl Iterator<Item = &str> {
    ty.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|s| !s.is_empty())
}

/// The types a field's type names, without the modules of their paths:
/// `Vec<app::bsky::actor::Profile>` gives `Vec` and `Profile`.
fn type_leaves(ty: &str) -> impl Iterator<Item = &str> {
    let mut rest = ty;
    std::iter::from_fn(move || {
        loop {
            rest = rest.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '_');
            if rest.is_empty() {
                return None;
            }
            let end = rest
                .find(|c: char| !c.is_alphanumeric() && c != '_')
                .unwrap_or(rest.len());
            let (name, after) = rest.split_at(end);
            rest = after;
            if !after.starts_with("::") {
                return Some(name);
            }
        }
    })
}

/// The outermost type a field's type names, past wrappers (`Option`, `Arc`) and module
/// paths: `Sender` for `Option<tokio::sync::mpsc::Sender<Event>>`.
fn outer_type(ty: &str) -> Option<&str> {
    let v = vocabulary();
    type_leaves(ty).find(|name| !v.wrappers.contains(*name))
}

/// Whether a type holds text or an address: `String`, `Vec<&str>`, `Option<Mailbox>`.
fn holds_text(ty: &str) -> bool {
    let v = vocabulary();
    type_names(ty).all(|name| {
        v.wrappers.contains(name)
            || matches!(name, "String" | "str" | "SmolStr" | "CompactString" | "a")
            || ["Address", "Mailbox", "Email", "Mail"]
                .iter()
                .any(|word| name.contains(word))
    })
}

/// Whether a type is a number: `u64`, `Option<i32>`.
fn holds_a_number(ty: &str) -> bool {
    let mut names = type_names(ty).filter(|t| !matches!(*t, "Option" | "Box"));
    let only = names.next();
    names.next().is_none()
        && only.is_some_and(|t| {
            matches!(
                t,
                "u8" | "u16"
                    | "u32"
                    | "u64"
                    | "u128"
                    | "usize"
                    | "i8"
                    | "i16"
                    | "i32"
                    | "i64"
                    | "i128"
                    | "isize"
                    | "f32"
                    | "f64"
            )
        })
}

/// Whether a struct is a service's configuration (`Config`, or `MailerAuth` in a
/// `config` module): its secrets are the service's and its names say less.
fn is_configuration(field: &FieldFact) -> bool {
    field
        .module
        .rsplit("::")
        .next()
        .is_some_and(|m| matches!(m, "config" | "configuration" | "settings"))
        || names_configuration(&field.item)
}

/// Whether a struct's name says it is configuration: `Config`, `ServerSettings`.
fn names_configuration(item: &str) -> bool {
    words(item).last().is_some_and(|w| {
        matches!(
            w.as_str(),
            "config" | "configuration" | "settings" | "options" | "opts"
        )
    })
}

/// How much name and type evidence counts in a service's configuration.
const CONFIGURATION_FACTOR: f32 = 0.5;

/// How much a name (`full_name`, `display_name`) counts in a struct about a thing.
const THING_NAME_FACTOR: f32 = 0.5;

/// How much name and type evidence counts in a struct about a thing.
const THING_FACTOR: f32 = 0.6;

/// The name a struct is known by: its own, or for a generic name (`Model` of a SeaORM
/// entity, `Row`, `Entity`) the module it is defined in (`entity::user::Model` is a
/// user).
fn subject_name(field: &FieldFact) -> std::borrow::Cow<'_, str> {
    let v = vocabulary();
    let generic = v.generic_items.contains(field.item.as_str());
    // `ResponseBody`, `QueryParams`: a name made only of shape words says nothing
    // either; the last two modules (`account::login`) say what it is about.
    let only_shape = || {
        words(&field.item)
            .iter()
            .all(|w| v.shapes.contains(w.as_str()))
    };
    match field.module.rsplit("::").next() {
        Some(module) if generic && !module.is_empty() => module.into(),
        Some(module) if !module.is_empty() && only_shape() => {
            let mut modules: Vec<&str> = field.module.rsplit("::").take(2).collect();
            modules.reverse();
            modules.join("_").into()
        }
        _ => field.item.as_str().into(),
    }
}

/// Whether a struct name is about a person, a thing, or a link between a thing and a
/// person (`CrateUser`, `GroupMember`: the person's fields are theirs, but the row's
/// own id is the link's), from its last word once words that only say what shape it
/// has (`UserResponse`, `UpdateUserRequest`, `UserEntity`) are set aside.
struct StructKind {
    person: bool,
    thing: bool,
    link: bool,
}

fn struct_kind(item_words: &[String]) -> StructKind {
    let v = vocabulary();
    let mut end = item_words.len();
    while end > 1 && v.shapes.contains(item_words[end - 1].as_str()) {
        end -= 1;
    }
    // `Reviewers`, `Users`: a list of people is about people.
    let mut words_singular = item_words[..end].to_vec();
    if let Some(last) = words_singular.last_mut()
        && let Some(singular) = singular(last)
    {
        *last = singular;
    }
    let Some((last, before)) = words_singular.split_last() else {
        return StructKind {
            person: false,
            thing: false,
            link: false,
        };
    };
    // `AccountConfig`, `UserSettings`: a person's settings are about the person (but
    // the row's own id is the settings').
    let belongs_to_a_person =
        v.belongings.contains(last) && before.last().is_some_and(|w| v.persons.contains(w));
    StructKind {
        person: v.persons.contains(last) || belongs_to_a_person,
        thing: v.things.contains(last) && !belongs_to_a_person,
        link: belongs_to_a_person || before.iter().any(|w| v.things.contains(w)),
    }
}

/// The singular of a plural word (`emails`, `addresses`, `photos`), if it is one.
fn singular(word: &str) -> Option<String> {
    if word == "ids" {
        return Some("id".to_owned());
    }
    if word.len() <= 3 || word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return None;
    }
    if let Some(stem) = word.strip_suffix("sses") {
        return Some(format!("{stem}ss"));
    }
    // `cookies`, `selfies`: words ending in -ie take a plain -s.
    if matches!(
        word,
        "cookies" | "selfies" | "movies" | "rookies" | "calories"
    ) {
        return word.strip_suffix('s').map(str::to_owned);
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return Some(format!("{stem}y"));
    }
    word.strip_suffix('s').map(str::to_owned)
}

/// The category of an id type named by these words: `… user id` (any person word
/// before `id`) is a person's id, `… device id` a device's.
fn id_type_category(type_words: &[String]) -> Option<&'static str> {
    let v = vocabulary();
    // `UserMarker` of `Id<UserMarker>` (twilight's typed ids) names the id as well.
    let names_an_id = |last: &String| last == "id" || last == "marker";
    match type_words {
        [.., owner, last] if names_an_id(last) && v.fk_owners.contains(owner.as_str()) => {
            Some("user.unique_id")
        }
        [.., device, last] if names_an_id(last) && device == "device" => {
            Some("user.device.device_id")
        }
        _ => None,
    }
}

/// Classifies one field on its own evidence.
pub fn classify(field: &FieldFact) -> Option<Classification> {
    classify_in(field, Siblings::default())
}

/// What a struct's other fields show about it.
#[derive(Clone, Copy, Default)]
struct Siblings {
    /// It is about a person: it holds an e-mail address and a password hash.
    personal: bool,
    /// It names a person it belongs to (`author_id`, `sender`, `user_id`): its text is
    /// what that person wrote.
    authored: bool,
}

/// Classifies one field; `siblings` says what its struct's other fields show about it.
/// A serde rename is read as a second name, and the better verdict kept.
fn classify_in(field: &FieldFact, siblings: Siblings) -> Option<Classification> {
    let own = classify_named(field, siblings);
    let renamed = field
        .serde_rename
        .as_deref()
        .filter(|rename| {
            !field.name.chars().all(|c| c.is_ascii_digit()) && words(rename) != words(&field.name)
        })
        .and_then(|rename| {
            let mut as_renamed = field.clone();
            as_renamed.name = rename.to_owned();
            as_renamed.serde_rename = None;
            classify_named(&as_renamed, siblings)
        });
    match (own, renamed) {
        (Some(a), Some(b)) => Some(if b.confidence > a.confidence { b } else { a }),
        (a, b) => a.or(b),
    }
}

fn classify_named(field: &FieldFact, siblings: Siblings) -> Option<Classification> {
    let v = vocabulary();
    let mut name_words = words(&field.name);
    if name_words.is_empty() || field.name.chars().all(|c| c.is_ascii_digit()) {
        // Tuple fields: only the type speaks; a serde rename may name them.
        name_words = field.serde_rename.as_deref().map(words).unwrap_or_default();
    }
    let shown = field.name.as_str();
    let as_written = name_words.clone();
    // `password_new`, `email_confirmation`: a qualifier after the data it qualifies.
    while name_words.len() > 1
        && name_words
            .last()
            .is_some_and(|w| v.qualifiers.contains(w.as_str()))
    {
        name_words.pop();
    }
    // `address_line_1`: a number word after the data.
    if name_words.len() > 1
        && name_words
            .last()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
    {
        name_words.pop();
    }
    // `pwd1`, `email2`: a number after the data.
    if let Some(last) = name_words.last_mut() {
        let trimmed = last.trim_end_matches(|c: char| c.is_ascii_digit());
        if !trimmed.is_empty() && trimmed.len() < last.len() {
            *last = trimmed.to_owned();
        }
    }
    // `emails`, `phone_numbers`: a list of the data is the data.
    if let Some(last) = name_words.last_mut()
        && let Some(singular) = singular(last)
    {
        *last = singular;
    }
    if v.not
        .iter()
        .any(|pattern| ends_with(&name_words, pattern) || ends_with(&as_written, pattern))
        || name_words
            .last()
            .is_some_and(|last| v.not_last.contains(last))
    {
        return None;
    }
    // `is_system_message`, `has_avatar`: a predicate's name names a flag.
    if as_written.len() > 1 && matches!(as_written[0].as_str(), "is" | "has") {
        return None;
    }
    // A flag, a timestamp or a duration holds no personal data, whatever its name
    // (`notify_by_email: bool`, `email_verified_at: DateTime<Utc>`).
    let mut carried = type_names(&field.ty)
        .filter(|t| !v.wrappers.contains(*t))
        .peekable();
    if carried.peek().is_some() && carried.all(|t| v.not_types.contains(t)) {
        return None;
    }
    // A channel end or a task handle is plumbing, whatever flows through it.
    if outer_type(&field.ty).is_some_and(|t| v.opaque_types.contains(t)) {
        return None;
    }
    let item_words = words(&subject_name(field));
    let StructKind {
        person: named_person,
        thing,
        link,
    } = struct_kind(&item_words);
    // `Config`, `MailerAuth` in a `config` module: the service's configuration, whose
    // secrets are the service's and whose names say less.
    let configuration = !named_person && is_configuration(field);
    let thing = thing || configuration;
    let person = named_person || (siblings.personal && !thing);
    let mut candidates: Vec<Classification> = Vec::new();
    // A newtype holds what its name says: `UserId(String).0` is a person's id.
    // `MaybeUser::Admin(String).0`: a variant of an enum about a person, named for
    // what kind of person, holds who they are.
    if field.name == "0"
        && let Some(variant) = field.variant.as_deref()
        && named_person
        && !link
        && best(&v.fields, &words(variant)).is_none()
        && type_names(&field.ty).all(|t| matches!(t, "String" | "str" | "Box" | "Arc"))
    {
        candidates.push(Classification {
            category: "user.unique_id".to_owned(),
            confidence: 0.7,
            reason: format!("`{}::{variant}` holds a person", field.item),
        });
    }
    // `AuthToken::Bearer(String).0`: a variant that does not say what it holds holds
    // what its enum's name says.
    if field.name == "0"
        && let Some(variant) = field.variant.as_deref()
        && best(&v.fields, &words(variant)).is_none()
        && let Some((pattern, category, confidence)) = best(&v.fields, &item_words)
    {
        candidates.push(Classification {
            category: category.clone(),
            confidence: *confidence * 0.9,
            reason: format!("`{}` holds it ({})", field.item, pattern.join(" ")),
        });
    }
    if field.name == "0" && field.variant.is_none() {
        if let Some((category, confidence)) = v.types.get(field.item.as_str()) {
            candidates.push(Classification {
                category: category.clone(),
                confidence: *confidence,
                reason: format!("`{}` wraps it", field.item),
            });
        } else if let Some(category) = id_type_category(&item_words) {
            candidates.push(Classification {
                category: category.to_owned(),
                confidence: 0.8,
                reason: format!("`{}` wraps it", field.item),
            });
        } else if named_person {
            // `AdminUser(String)`: a newtype for a person holds who they are.
            candidates.push(Classification {
                category: "user.unique_id".to_owned(),
                confidence: 0.7,
                reason: format!("`{}` wraps it, a person", field.item),
            });
        } else if let Some((pattern, category, confidence)) =
            best(&v.fields, &item_words).or_else(|| {
                item_words
                    .iter()
                    .any(|w| v.fk_owners.contains(w.as_str()))
                    .then(|| best(&v.person_fields, &item_words))
                    .flatten()
            })
        {
            // `UserName(String)`, `UserKeyHash(String)`: the newtype's name says it.
            candidates.push(Classification {
                category: category.clone(),
                confidence: *confidence,
                reason: format!("`{}` wraps it ({})", field.item, pattern.join(" ")),
            });
        }
    }
    // `Post`, `MessageComposeCommand`: a struct about what a person writes, unless it is
    // about a thing (`EmailConfig`).
    // `message::builder::BuilderArgs`: the last two modules can say it too.
    let module_words: Vec<String> = field.module.rsplit("::").take(2).flat_map(words).collect();
    let about_content = item_words.iter().any(|w| v.contents.contains(w))
        || module_words.iter().any(|w| v.contents.contains(w));
    if (about_content || siblings.authored)
        && !thing
        // A flash or error message is the application's, not a person's writing.
        && !item_words.iter().any(|w| v.not_contents.contains(w))
        && let Some((pattern, category, confidence)) = best(&v.content_fields, &name_words)
        // `from`, `to`: addresses only when they hold text (not `EnvelopeColors.from`).
        && (!pattern[0].starts_with('=') || holds_text(&field.ty))
        // What a person writes is not a number (`file_bytes: u64` is a size).
        && !holds_a_number(&field.ty)
        // Next to an author, only the text itself: a `message` there is often the
        // application's answer, a `comment` a foreign key.
        && (about_content
            || pattern
                .last()
                .is_some_and(|w| matches!(w.as_str(), "body" | "text" | "content" | "subject")))
    {
        candidates.push(Classification {
            category: category.clone(),
            confidence: *confidence,
            reason: format!(
                "`{}` of `{}`, content a person writes",
                pattern.join(" "),
                field.item
            ),
        });
    }
    if item_words.iter().any(|w| v.secrets.contains(w))
        // An OAuth client's secret is a service's, not a person's.
        && !thing
        && let Some((pattern, category, confidence)) = best(&v.secret_fields, &name_words)
    {
        candidates.push(Classification {
            category: category.clone(),
            confidence: *confidence,
            reason: format!(
                "`{}` of `{}`, a person's secret",
                pattern.join(" "),
                field.item
            ),
        });
    }
    // A vault item (`Cipher`, `VaultItem`), a history entry (`HistoryRecord`), a push
    // subscription: their `name`, `url`, `endpoint` are the person's.
    // `EntryData::Identity { state }`: the variant can say the kind too, and so can
    // the module (`push::Keys`).
    let variant_words = field.variant.as_deref().map(words).unwrap_or_default();
    let last_module_words = field
        .module
        .rsplit("::")
        .next()
        .map(words)
        .unwrap_or_default();
    for kind in &v.kinds {
        let of_kind = |w: &String| {
            kind.words.contains(w) || singular(w).is_some_and(|s| kind.words.contains(&s))
        };
        if (item_words.iter().any(of_kind)
            || variant_words.iter().any(of_kind)
            || last_module_words.iter().any(of_kind))
            && !thing
            && let Some((pattern, category, confidence)) = best(&kind.fields, &name_words)
        {
            candidates.push(Classification {
                category: category.clone(),
                confidence: *confidence,
                reason: format!(
                    "`{}` of `{}`, {}",
                    pattern.join(" "),
                    field.item,
                    kind.about
                ),
            });
        }
    }
    let thing_factor = if configuration {
        CONFIGURATION_FACTOR
    } else if thing && !person {
        THING_FACTOR
    } else {
        1.0
    };
    let with_variant: Vec<String> = field
        .variant
        .as_deref()
        .map(words)
        .unwrap_or_default()
        .into_iter()
        .chain(name_words.iter().cloned())
        .collect();
    // `Error::InvalidPassword(String).0` is a message about a password, not one.
    let an_error = item_words.last().is_some_and(|w| w == "error");
    if let Some((pattern, category, confidence)) = best(&v.fields, &with_variant)
        // A variant named by weak evidence (`Value::Age(Age)`) is a kind of value.
        && !(pattern.len() > name_words.len() && (an_error || *confidence < 0.7))
    {
        // A thing's `full_name` or `display_name` is the thing's.
        let factor = if thing && !person && category == "user.name" {
            thing_factor.min(THING_NAME_FACTOR)
        } else {
            thing_factor
        };
        candidates.push(Classification {
            category: category.clone(),
            confidence: *confidence * factor,
            reason: match &field.variant {
                // A tuple field of a variant is named by the variant: `Email(String)`.
                Some(variant) if pattern.len() > name_words.len() || name_words.is_empty() => {
                    format!("variant `{variant}` says {}", pattern.join(" "))
                }
                _ => format!("field name `{shown}` says {}", pattern.join(" ")),
            },
        });
    }
    if person
        && !thing
        && let Some((pattern, category, confidence)) = best(&v.person_fields, &name_words)
        // A row's own id is a person's id only in a table named for people: a commit
        // with an author's e-mail is not a person.
        // ... and a bare `id` or `description` only in a struct named for people, not
        // in one that merely holds someone's e-mail.
        && ((named_person && !link)
            || !matches!(pattern[0].as_str(), "=id" | "=uuid" | "=pid" | "=description"))
        // The person's `name`, `full_name`; not an `os_release_name` of theirs.
        && name_words.len() <= pattern.len() + 1
    {
        candidates.push(Classification {
            category: category.clone(),
            confidence: *confidence,
            reason: format!(
                "`{}` of `{}`, a struct about a person",
                pattern.join(" ").trim_start_matches('='),
                field.item
            ),
        });
    }
    // `author_name`, `contact_name`: the name of a person.
    if let [.., owner, last] = name_words.as_slice()
        && last == "name"
        && owner != "user"
        && v.fk_owners.contains(owner.as_str())
    {
        candidates.push(Classification {
            category: "user.name".to_owned(),
            confidence: 0.85,
            reason: format!("`{shown}` is the name of a person"),
        });
    }
    // The id of a device a person uses.
    if matches!(name_words.as_slice(), [id] if id == "id" || id == "uuid")
        && item_words.iter().any(|w| w == "device")
    {
        candidates.push(Classification {
            category: "user.device.device_id".to_owned(),
            confidence: 0.75,
            reason: format!("`id` of `{}`, a person's device", field.item),
        });
    }
    if let [.., owner, last] = name_words.as_slice()
        && let Some((category, confidence)) = v.fk_last.get(last)
        && (v.fk_owners.contains(owner.as_str()) || last == "by")
    {
        candidates.push(Classification {
            category: category.clone(),
            confidence: *confidence,
            reason: format!("`{shown}` refers to a person"),
        });
    }
    // `members: Vec<u64>`, `reviewers: HashSet<String>`: a list of people, even in a
    // struct about a thing (a team's members are people).
    // `past_members`, `extra_people` too.
    if let Some(owner) = name_words
        .last()
        .map(|w| if w == "people" { "person" } else { w.as_str() })
        && v.fk_owners.contains(owner)
        && as_written
            .last()
            .is_some_and(|w| w == "people" || (w.ends_with('s') && w != owner))
        && type_names(&field.ty)
            .find(|t| *t != "Option")
            .is_some_and(|outer| {
                matches!(
                    outer,
                    "Vec"
                        | "HashSet"
                        | "BTreeSet"
                        | "IndexSet"
                        | "VecDeque"
                        | "HashMap"
                        | "BTreeMap"
                )
            })
    {
        candidates.push(Classification {
            category: "user.unique_id".to_owned(),
            confidence: 0.7,
            reason: format!("`{shown}` lists people"),
        });
    }
    // `fk_user`, `fk_assignee`: a foreign key named the other way round.
    if let [fk, owner] = name_words.as_slice()
        && fk == "fk"
        && v.fk_owners.contains(owner.as_str())
    {
        candidates.push(Classification {
            category: "user.unique_id".to_owned(),
            confidence: 0.75,
            reason: format!("`{shown}` refers to a person"),
        });
    }
    for name in type_leaves(&field.ty) {
        // `author: User`, `members: Vec<Member>`: a type named for a person holds that
        // person's data, even when it is defined in another crate. Not a mail `Sender`,
        // an `Address` or a JWT `Claim`, which say what they are otherwise.
        let type_words = words(name);
        let type_kind = struct_kind(&type_words);
        // `Followers { href, total }` sums people up; it does not hold one.
        let plural = type_words
            .last()
            .is_some_and(|w| singular(w).is_some() && !v.persons.contains(w.as_str()));
        if type_kind.person
            && !plural
            && !type_kind.link
            && name != field.item
            && !v.types.contains_key(name)
            && !type_words
                .last()
                .is_some_and(|w| matches!(w.as_str(), "sender" | "recipient" | "address" | "claim"))
        {
            candidates.push(Classification {
                category: "user".to_owned(),
                confidence: 0.65 * thing_factor,
                reason: format!("type `{name}` is about a person"),
            });
        }
        if let Some((category, confidence)) = v.types.get(name) {
            candidates.push(Classification {
                category: category.clone(),
                confidence: *confidence * thing_factor,
                reason: format!("type `{name}`"),
            });
        } else if let Some(category) = id_type_category(&words(name)) {
            // `OwnedUserId`, `MemberId`, `HashMap<(UserId, DeviceId), Instant>`.
            candidates.push(Classification {
                category: category.to_owned(),
                confidence: 0.8 * thing_factor,
                reason: format!("type `{name}` is a person's id"),
            });
        }
    }
    if candidates.is_empty() && !field.docs.is_empty() {
        // A doc comment that names strong evidence (`/// The customer's e-mail address`).
        // Only the doc's opening words: what the field is, not what it relates to.
        let mut doc_words = words(&field.docs.replace(|c: char| !c.is_alphanumeric(), " "));
        doc_words.truncate(6);
        let mentioned = v
            .fields
            .iter()
            .filter(|(pattern, _, confidence)| *confidence >= 0.9 && !pattern[0].starts_with('='))
            .filter(|(pattern, _, _)| {
                doc_words
                    .windows(pattern.len())
                    .any(|window| window == pattern.as_slice())
            })
            .max_by_key(|(pattern, _, _)| pattern.len());
        if let Some((pattern, category, confidence)) = mentioned {
            candidates.push(Classification {
                category: category.clone(),
                confidence: confidence * 0.7 * thing_factor,
                reason: format!("its doc comment mentions {}", pattern.join(" ")),
            });
        }
        // `/// The ID of the user who ...`, `/// The user's id` on an id field.
        let mut doc_words = words(&field.docs.replace(|c: char| !c.is_alphanumeric(), " "));
        doc_words.truncate(10);
        let owner = |w: &String| v.fk_owners.contains(w.as_str());
        let says_a_persons_id = doc_words
            .windows(2)
            .any(|pair| owner(&pair[0]) && matches!(pair[1].as_str(), "id" | "uuid"))
            || doc_words
                .windows(3)
                .any(|triple| owner(&triple[0]) && triple[1] == "s" && triple[2] == "id")
            || (0..doc_words.len().saturating_sub(3)).any(|i| {
                // ... but not `the id of the user's guild`.
                doc_words[i] == "id"
                    && doc_words[i + 1] == "of"
                    && matches!(doc_words[i + 2].as_str(), "the" | "a" | "an")
                    && owner(&doc_words[i + 3])
                    && doc_words.get(i + 4).is_none_or(|next| next != "s")
            });
        if says_a_persons_id
            && name_words
                .last()
                .is_some_and(|w| matches!(w.as_str(), "id" | "uuid" | "ident" | "target"))
        {
            candidates.push(Classification {
                category: "user.unique_id".to_owned(),
                confidence: 0.7,
                reason: "its doc comment says it is a person's id".to_owned(),
            });
        }
    }
    if configuration {
        // A password or token in the service's configuration is the service's.
        candidates.retain(|c| !c.category.starts_with("user.authorization"));
    }
    let best = candidates
        .iter()
        .max_by(|a, b| a.confidence.total_cmp(&b.confidence))?
        .clone();
    // Two kinds of evidence for the same category make it surer.
    let agreeing = candidates
        .iter()
        .filter(|c| c.category == best.category)
        .count();
    let confidence = if agreeing > 1 {
        (best.confidence + 0.05).min(1.0)
    } else {
        best.confidence
    };
    (confidence >= REPORT_THRESHOLD).then_some(Classification { confidence, ..best })
}

/// Classifies every field, then fields whose type is a struct that holds personal data.
pub fn classify_all(fields: &[&FieldFact]) -> Vec<Option<Classification>> {
    classify_all_known(fields, &vec![None; fields.len()])
}

/// [`classify_all`], where `known[i]` is what the inventory or an annotation already
/// decided about field `i` (`Some(None)`: not personal; `Some(Some(category))`), which
/// counts as sibling evidence instead of the classifier's own verdict.
pub fn classify_all_known(
    fields: &[&FieldFact],
    known: &[Option<Option<&str>>],
) -> Vec<Option<Classification>> {
    // Each field on its own first, on every core: this is most of the work.
    let mut verdicts: Vec<Option<Classification>> =
        fields.par_iter().map(|f| classify(f)).collect();
    // A struct whose fields hold a person's contact details or credentials is about a
    // person, whatever it is called: read its other fields again in that light.
    // A display name alone does not: apps, domains and teams have them too; a first or
    // last name does.
    let marks_a_person = |category: &str| {
        category.starts_with("user.contact.email")
            || category.starts_with("user.authorization")
            || category.starts_with("user.name.")
    };
    let accounts: HashSet<(&str, &str)> = fields
        .iter()
        .zip(&verdicts)
        .zip(known.iter().chain(std::iter::repeat(&None)))
        .filter(|((_, v), known)| match known {
            Some(decided) => decided.is_some_and(marks_a_person),
            None => v
                .as_ref()
                .is_some_and(|v| v.confidence >= 0.85 && marks_a_person(&v.category)),
        })
        .map(|((f, _), _)| (f.module.as_str(), f.item.as_str()))
        .collect();
    // A struct that names the person it belongs to (`author_id`, `sender`): its text is
    // theirs.
    let authored: HashSet<(&str, &str)> = fields
        .iter()
        .zip(&verdicts)
        .filter(|(f, v)| {
            v.as_ref()
                .is_some_and(|v| v.category == "user.unique_id" && v.confidence >= 0.7)
                && !matches!(f.name.as_str(), "id" | "uuid" | "0")
        })
        .map(|(f, _)| (f.module.as_str(), f.item.as_str()))
        .collect();
    for (field, verdict) in fields.iter().zip(verdicts.iter_mut()) {
        let key = (field.module.as_str(), field.item.as_str());
        let siblings = Siblings {
            personal: accounts.contains(&key),
            authored: authored.contains(&key),
        };
        if verdict.is_none() && (siblings.personal || siblings.authored) {
            *verdict = classify_in(field, siblings).map(|c| {
                let why = if siblings.personal {
                    "its other fields hold a person's data"
                } else {
                    "its struct names the person who wrote it"
                };
                Classification {
                    reason: format!("{}; {why}", c.reason),
                    ..c
                }
            });
        }
    }
    propagate_composites(fields, &mut verdicts);
    verdicts
}

/// How many structs away from personal data a composite field may be: `Order.customer:
/// Customer` is one, `Event::Signup(Box<Order>)` two. Further out, a chain usually runs
/// through a container of anything (FHIR's `extension: Vec<Extension>`, whose values
/// can be a `HumanName`), which would make every field of a model personal.
const COMPOSITE_DEPTH: usize = 3;

/// Composite fields, up to [`COMPOSITE_DEPTH`]: `Order.customer: Customer`, and a struct
/// that holds such a field is itself personal (`Event::Signup(Box<Order>)`).
fn propagate_composites(fields: &[&FieldFact], verdicts: &mut [Option<Classification>]) {
    let v = vocabulary();
    // The fields that could become composite, with the type names they carry (not their
    // own struct's), worked out once.
    let mut open: Vec<(usize, Vec<&str>)> = fields
        .iter()
        .enumerate()
        .filter(|(i, field)| {
            verdicts[*i].is_none()
                // A service's configuration holds the service's settings, whatever
                // their types are called elsewhere.
                && !is_configuration(field)
                && !words(&field.name)
                    .last()
                    .is_some_and(|last| v.not_last.contains(last))
        })
        .map(|(i, field)| {
            let names: Vec<&str> = type_names(&field.ty).filter(|t| *t != field.item).collect();
            (i, names)
        })
        .filter(|(_, names)| !names.is_empty())
        .collect();
    let mut personal_structs: HashSet<&str> = fields
        .iter()
        .zip(verdicts.iter())
        .filter(|(_, v)| v.is_some())
        .map(|(f, _)| f.item.as_str())
        .collect();
    for _ in 0..COMPOSITE_DEPTH {
        let mut found: Vec<(usize, &str)> = Vec::new();
        open.retain(|(i, names)| {
            let hit = names
                .iter()
                .copied()
                .find(|name| personal_structs.contains(name) && !names_configuration(name));
            match hit {
                Some(name) => {
                    found.push((*i, name));
                    false
                }
                None => true,
            }
        });
        if found.is_empty() {
            break;
        }
        for (i, name) in found {
            verdicts[i] = Some(Classification {
                category: "user".to_owned(),
                confidence: 0.7,
                reason: format!("type `{name}` is a struct that holds personal data"),
            });
            personal_structs.insert(fields[i].item.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::facts::Position;

    fn field(item: &str, name: &str, ty: &str) -> FieldFact {
        FieldFact {
            module: String::new(),
            item: item.to_owned(),
            variant: None,
            name: name.to_owned(),
            ty: ty.to_owned(),
            serde_rename: None,
            docs: String::new(),
            annotation: None,
            at: Position {
                line: 1,
                column: 1,
                start: 0,
                end: 0,
            },
        }
    }

    fn category(item: &str, name: &str, ty: &str) -> Option<String> {
        classify(&field(item, name, ty)).map(|c| c.category)
    }

    #[test]
    fn every_vocabulary_row_is_well_formed() {
        let taxonomy = crate::taxonomy::Taxonomy::builtin();
        let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for (number, line) in VOCABULARY.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let at = format!("vocabulary.tsv:{}: {line:?}", number + 1);
            // A kind's fields are told apart by their tokens, not by the kind.
            let key = if cols[0] == "kind-field" {
                cols.get(2).copied().unwrap_or("")
            } else {
                ""
            };
            if let Some(first) = seen.insert(
                (cols[0], cols.get(1).copied().unwrap_or(""), key),
                number + 1,
            ) {
                panic!("{at} repeats line {first}");
            }
            let with_category = matches!(
                cols[0],
                "field" | "person-field" | "content-field" | "secret-field" | "type" | "fk-last"
            );
            let single = matches!(
                cols[0],
                "not"
                    | "not-last"
                    | "person"
                    | "thing"
                    | "fk-owner"
                    | "content"
                    | "not-content"
                    | "secret"
                    | "belonging"
                    | "opaque-type"
                    | "not-type"
                    | "wrapper"
                    | "qualifier"
                    | "shape"
                    | "generic-item"
            );
            let kind = cols[0] == "kind";
            let kind_field = cols[0] == "kind-field";
            assert!(
                with_category || single || kind || kind_field,
                "unknown kind at {at}"
            );
            if kind {
                assert_eq!(cols.len(), 4, "four columns at {at}");
            } else if kind_field {
                assert_eq!(cols.len(), 5, "five columns at {at}");
                assert!(
                    taxonomy.categories.get(cols[3]).is_some(),
                    "unknown category at {at}"
                );
                let confidence: f32 = cols[4].parse().unwrap_or(-1.0);
                assert!((0.5..=1.0).contains(&confidence), "confidence at {at}");
            } else if with_category {
                assert_eq!(cols.len(), 4, "four columns at {at}");
                assert!(
                    taxonomy.categories.get(cols[2]).is_some(),
                    "unknown category at {at}"
                );
                let confidence: f32 = cols[3].parse().unwrap_or(-1.0);
                assert!((0.5..=1.0).contains(&confidence), "confidence at {at}");
            } else {
                assert_eq!(cols.len(), 2, "two columns at {at}");
            }
        }
    }

    #[test]
    fn the_definition_of_issue_10_holds() {
        // Flags and timestamps are not the data their names mention.
        assert_eq!(category("User", "notify_by_email", "bool"), None);
        assert_eq!(category("Profile", "email_public", "Option<bool>"), None);
        assert_eq!(
            category("User", "email_verified_at", "Option<DateTime<Utc>>"),
            None
        );
        assert_eq!(
            category("Payment", "card_cvc", "String").as_deref(),
            Some("user.financial.credit_card")
        );
        // Newtypes follow what they wrap; types that hold person ids are personal.
        assert_eq!(
            category("MemberId", "0", "String").as_deref(),
            Some("user.unique_id")
        );
        assert_eq!(category("InvoiceId", "0", "Uuid"), None);
        assert_eq!(
            category("Event", "author", "OwnedUserId").as_deref(),
            Some("user.unique_id")
        );
        assert!(category("Cache", "last_seen", "HashMap<(UserId, DeviceId), Instant>").is_some());
        // The primary key of a person table; content people write; a person's secrets.
        assert_eq!(
            category("Account", "id", "Uuid").as_deref(),
            Some("user.unique_id")
        );
        assert_eq!(category("Product", "id", "Uuid"), None);
        assert_eq!(
            category("Post", "body", "String").as_deref(),
            Some("user.content.private")
        );
        assert_eq!(
            category("Comment", "content", "String").as_deref(),
            Some("user.content.private")
        );
        assert_eq!(category("ServerConfig", "token", "String"), None);
        assert_eq!(
            category("PasswordResetToken", "token", "String").as_deref(),
            Some("user.authorization.credentials")
        );
        assert_eq!(
            category("ApiToken", "value", "String").as_deref(),
            Some("user.authorization.credentials")
        );
    }

    #[test]
    fn splits_names_into_words() {
        assert_eq!(words("emailAddr"), ["email", "addr"]);
        assert_eq!(words("email_addr"), ["email", "addr"]);
        assert_eq!(words("IPAddress"), ["ip", "address"]);
        assert_eq!(words("userID"), ["user", "id"]);
    }

    #[test]
    fn names_types_and_context() {
        assert_eq!(
            category("Order", "email_addr", "String").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            category("Session", "ip", "String").as_deref(),
            Some("user.device.ip_address")
        );
        assert_eq!(
            category("Session", "peer", "IpAddr").as_deref(),
            Some("user.device.ip_address")
        );
        assert_eq!(
            category("User", "name", "String").as_deref(),
            Some("user.name")
        );
        assert_eq!(category("Crate", "name", "String"), None);
        assert_eq!(
            category("Post", "creator_id", "i64").as_deref(),
            Some("user.unique_id")
        );
        assert_eq!(
            category("Post", "updated_by", "i64").as_deref(),
            Some("user.unique_id")
        );
        assert_eq!(
            category("Invoice", "payer", "UserId").as_deref(),
            Some("user.unique_id")
        );
    }

    #[test]
    fn negative_patterns_are_not_personal() {
        for name in [
            "file_name",
            "email_template",
            "show_avatars",
            "login_count",
            "sms_enabled",
            "created_at",
            "email_verified",
        ] {
            assert_eq!(category("User", name, "String"), None, "{name}");
        }
    }

    #[test]
    fn agreeing_evidence_raises_confidence() {
        let both = classify(&field("User", "email", "EmailAddress")).expect("personal");
        let one = classify(&field("Order", "email", "String")).expect("personal");
        assert!(both.confidence > one.confidence);
    }

    #[test]
    fn structs_holding_personal_data_make_their_users_personal() {
        let owner = field("Customer", "email", "String");
        let order = field("Order", "placed_by_customer", "Customer");
        let verdicts = classify_all(&[&owner, &order]);
        assert_eq!(
            verdicts[1].as_ref().map(|c| c.category.as_str()),
            Some("user")
        );
    }

    fn in_module(module: &str, item: &str, name: &str, ty: &str) -> FieldFact {
        FieldFact {
            module: module.to_owned(),
            ..field(item, name, ty)
        }
    }

    #[test]
    fn a_link_between_a_thing_and_a_person_has_the_persons_fields_but_its_own_id() {
        assert_eq!(
            category("GroupUser", "name", "String").as_deref(),
            Some("user.name")
        );
        assert_eq!(category("GroupUser", "id", "i32"), None);
        assert_eq!(
            category("User", "id", "i32").as_deref(),
            Some("user.unique_id")
        );
    }

    #[test]
    fn a_struct_named_only_by_its_shape_is_read_through_its_modules() {
        let token = in_module("api::account::login", "ResponseBody", "token", "String");
        assert_eq!(
            classify(&token).map(|c| c.category).as_deref(),
            Some("user.authorization.credentials")
        );
        let elsewhere = in_module("api::crates::search", "ResponseBody", "token", "String");
        assert_eq!(classify(&elsewhere), None);
    }

    #[test]
    fn role_nouns_and_reversed_foreign_keys_refer_to_people() {
        for (item, name) in [
            ("Issue", "assignees"),
            ("Fcp", "initiator"),
            ("FcpIssue", "fk_user"),
            ("FcpIssue", "fk_assignee"),
            ("Author", "gitlab_id"),
            ("Reviewer", "zulip_id"),
        ] {
            assert_eq!(
                category(item, name, "String").as_deref(),
                Some("user.unique_id"),
                "{item}.{name}"
            );
        }
        assert_eq!(category("FcpIssue", "fk_issue", "i32"), None);
    }

    #[test]
    fn application_messages_are_not_what_people_write() {
        assert_eq!(
            category("Comment", "body_html", "String").as_deref(),
            Some("user.content.private")
        );
        assert_eq!(category("LoginFlashMessage", "message", "String"), None);
        assert_eq!(category("ErrorMessage", "message", "String"), None);
        assert_eq!(
            category("DirectMessage", "message", "String").as_deref(),
            Some("user.content.private")
        );
    }

    #[test]
    fn oauth_client_secrets_are_a_services_and_salts_a_persons() {
        assert_eq!(category("DeviceAuthCode", "client_secret", "String"), None);
        assert_eq!(category("OAuthClient", "secret", "String"), None);
        assert_eq!(
            category("Salt", "salt", "String").as_deref(),
            Some("user.authorization.credentials")
        );
        assert_eq!(
            category("LoginResponse", "session", "String").as_deref(),
            Some("user.authorization.credentials")
        );
    }

    #[test]
    fn a_person_enums_text_variants_hold_the_person() {
        let mut admin = field("MaybeUser", "0", "String");
        admin.variant = Some("Admin".to_owned());
        assert_eq!(
            classify(&admin).map(|c| c.category).as_deref(),
            Some("user.unique_id")
        );
        let mut count = field("MaybeUser", "0", "u32");
        count.variant = Some("Anonymous".to_owned());
        assert_eq!(classify(&count), None);
    }

    #[test]
    fn a_struct_about_a_thing_that_holds_personal_data_makes_its_holders_personal() {
        let user = field("User", "email", "String");
        let owner = field("Repository", "owner", "User");
        let event = field("PushEvent", "repository", "Repository");
        let customer = field("Customer", "email", "String");
        let order = field("Order", "buyer", "Customer");
        let verdicts = classify_all(&[&user, &owner, &event, &customer, &order]);
        assert!(verdicts[1].is_some(), "the owner itself is personal");
        // The definition's composite rule: a repository with its owner's login carries
        // that person's data wherever it goes.
        assert!(verdicts[2].is_some());
        assert!(verdicts[4].is_some());
    }

    #[test]
    fn more_of_what_the_definition_names() {
        for (item, name, expected) in [
            ("User", "password_hint", "user.authorization.password"),
            ("User", "security_stamp", "user.authorization.credentials"),
            ("User", "nationality", "user.demographic"),
            ("User", "handle", "user.account.username"),
            ("User", "banner", "user.content.self_image"),
            ("Profile", "summary", "user.content.public"),
            ("Person", "givenname", "user.name.first"),
            ("Subscription", "push_key", "user.device.device_id"),
            ("LoginRequest", "device_identifier", "user.device.device_id"),
            ("Passkey", "user_handle", "user.unique_id"),
            ("Notification", "mentioned_id", "user.unique_id"),
            ("Upload", "bytes", "user.content.private"),
            ("SinglePart", "body", "user.content.private"),
            ("OutgoingEmail", "body", "user.content.private"),
        ] {
            assert_eq!(
                category(item, name, "String").as_deref(),
                Some(expected),
                "{item}.{name}"
            );
        }
        // Not in a person's struct: a window handle, a report summary.
        assert_eq!(category("Window", "handle", "String"), None);
        assert_eq!(category("Build", "summary", "String"), None);
    }

    #[test]
    fn nicknames_id_lists_and_status_enums() {
        assert_eq!(
            category("Member", "nick", "Option<String>").as_deref(),
            Some("user.name")
        );
        assert_eq!(
            category("ThreadMembersUpdate", "removed_member_ids", "Vec<u64>").as_deref(),
            Some("user.unique_id")
        );
        assert_eq!(category("Invite", "max_age", "u32"), None);
        assert_eq!(category("ClientStatus", "mobile", "Option<Status>"), None);
        assert_eq!(
            category("Contact", "mobile", "String").as_deref(),
            Some("user.contact.phone_number")
        );
    }

    #[test]
    fn what_a_person_keeps_in_a_password_vault() {
        for (item, name, expected) in [
            ("SyncResCipher", "notes", "user.content.private"),
            ("CiphersPostReq", "name", "user.content.private"),
            ("VaultItem", "folder", "user.content.private"),
            ("CipherCard", "code", "user.financial.credit_card"),
        ] {
            assert_eq!(
                category(item, name, "String").as_deref(),
                Some(expected),
                "{item}.{name}"
            );
        }
        assert_eq!(category("Library", "name", "String"), None);
        assert_eq!(
            category("SsoHandlerState", "sender", "Sender<String>"),
            None
        );
    }

    #[test]
    fn identity_server_tokens_claims_and_realms() {
        for (item, name, expected) in [
            ("IdTokenClaims", "sub", "user.unique_id"),
            (
                "PasswordResetToken",
                "token_hash",
                "user.authorization.credentials",
            ),
            (
                "AuthenticationResult",
                "token",
                "user.authorization.credentials",
            ),
            ("SecurityEvent", "actor_id", "user.unique_id"),
            ("TokenIntrospectionResponse", "sub", "user.unique_id"),
            ("Reviewer", "id", "user.unique_id"),
        ] {
            assert_eq!(
                category(item, name, "String").as_deref(),
                Some(expected),
                "{item}.{name}"
            );
        }
        for name in ["realm_name", "base_url", "session_code", "project_name"] {
            assert_eq!(category("CreateUserInput", name, "String"), None, "{name}");
        }
    }

    #[test]
    fn histories_push_subscriptions_locations_and_postal_addresses() {
        for (item, name, expected) in [
            (
                "HistoryRecord",
                "hist_uri",
                "user.behavior.browsing_history",
            ),
            ("TabHistoryEntry", "title", "user.behavior.browsing_history"),
            ("HistoryCaptured", "command", "user.content.private"),
            (
                "DevicePushSubscription",
                "endpoint",
                "user.device.device_id",
            ),
            ("PushRecord", "key", "user.device.device_id"),
            ("DeviceLocation", "city", "user.location.imprecise"),
            ("ScimAddress", "region", "user.contact.address.state"),
            ("Passport", "name", "user.name"),
            ("Address", "address_level2", "user.contact.address"),
        ] {
            assert_eq!(
                category(item, name, "String").as_deref(),
                Some(expected),
                "{item}.{name}"
            );
        }
        // A push record's other keys are the application server's.
        assert_eq!(category("PushRecord", "app_server_key", "String"), None);
        assert_eq!(category("Post", "url", "String"), None);
    }

    #[test]
    fn a_persons_settings_e_mail_headers_and_typed_ids() {
        // `AccountConfig` is the person's: its e-mail is theirs, its own id is not.
        assert_eq!(
            category("AccountConfig", "email", "String").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(category("UserPreferences", "id", "String"), None);
        assert_eq!(category("UserAttrConfig", "name", "String"), None);
        // `from` and `to` of a message are addresses when they hold text.
        assert_eq!(
            category("EnvelopeView", "to", "Vec<String>").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(category("EnvelopeColors", "from", "Color"), None);
        assert_eq!(category("Range", "to", "String"), None);
        assert_eq!(
            category("BuilderArgs", "subject", "Option<&'a str>"),
            None,
            "outside a message module"
        );
        assert_eq!(
            classify(&in_module(
                "shared::message::builder",
                "BuilderArgs",
                "subject",
                "Option<&'a str>"
            ))
            .map(|c| c.category)
            .as_deref(),
            Some("user.content.private")
        );
        // twilight's `Id<UserMarker>` and a list struct named for people.
        assert_eq!(
            category("MemberChunk", "not_found", "Vec<Id<UserMarker>>").as_deref(),
            Some("user.unique_id")
        );
        assert_eq!(
            category("Reviewers", "names", "HashSet<String>").as_deref(),
            Some("user.name")
        );
        // A variant that says nothing holds what its enum says.
        assert_eq!(
            classify(&FieldFact {
                variant: Some("Bearer".to_owned()),
                ..field("AuthToken", "0", "String")
            })
            .map(|c| c.category)
            .as_deref(),
            Some("user.authorization.credentials")
        );
        for name in ["order_by", "role_password", "payment_hash", "email_id"] {
            assert_eq!(category("Query", name, "String"), None, "{name}");
        }
    }

    #[test]
    fn a_display_name_alone_does_not_make_a_struct_about_a_person() {
        let display = field("DomainInfo", "displayname", "String");
        let name = field("DomainInfo", "name", "String");
        let verdicts = classify_all(&[&display, &name]);
        assert!(verdicts[1].is_none(), "{:?}", verdicts[1]);
    }

    #[test]
    fn the_text_of_a_struct_that_names_its_author_is_theirs() {
        let sender = field("Event", "pubkey_author_id", "String");
        let content = field("Event", "content", "String");
        let message = field("Event", "message", "String");
        let verdicts = classify_all(&[&sender, &content, &message]);
        assert_eq!(
            verdicts[1].as_ref().map(|c| c.category.as_str()),
            Some("user.content.private")
        );
        // Next to an author, a `message` is often the application's answer.
        assert!(verdicts[2].is_none(), "{:?}", verdicts[2]);
        let alone = classify_all(&[&content]);
        assert!(alone[0].is_none());
    }

    #[test]
    fn a_doc_comment_that_calls_an_id_a_persons() {
        let with_docs = |docs: &str| {
            classify(&FieldFact {
                docs: docs.to_owned(),
                ..field("Invite", "target_id", "u64")
            })
            .map(|c| c.category)
        };
        assert_eq!(
            with_docs("The ID of the user who was invited.").as_deref(),
            Some("user.unique_id")
        );
        assert_eq!(
            with_docs("The user's id.").as_deref(),
            Some("user.unique_id")
        );
        assert_eq!(with_docs("The ID of the user's primary guild."), None);
        assert_eq!(with_docs("The ID of the channel."), None);
    }

    #[test]
    fn builders_lists_of_people_handles_and_dates_of_birth() {
        for (item, name, ty, expected) in [
            (
                "AddressBuilder",
                "line1",
                "Option<String>",
                "user.contact.address.street",
            ),
            ("ShippingBuilder", "name", "Option<String>", "user.name"),
            (
                "LegalEntityDob",
                "year",
                "Option<i64>",
                "user.demographic.date_of_birth",
            ),
            ("GitHubTeam", "members", "Vec<u64>", "user.unique_id"),
            ("Person", "github", "String", "user.account.username"),
            ("ContactObject", "id", "u32", "user.unique_id"),
            (
                "Person",
                "first_name_kana",
                "Option<String>",
                "user.name.first",
            ),
            (
                "LocationContent",
                "geo_uri",
                "String",
                "user.location.precise",
            ),
        ] {
            assert_eq!(
                category(item, name, ty).as_deref(),
                Some(expected),
                "{item}.{name}"
            );
        }
        // A team's own name and a single member field are not lists of people.
        assert_eq!(category("GitHubTeam", "member_count", "u64"), None);
        assert_eq!(category("Message", "file_bytes", "u64"), None);
        assert_eq!(
            category("Message", "is_system_message", "SystemMessage"),
            None
        );
        assert_eq!(category("EnteredLoginParam", "imap_server", "String"), None);
        assert_eq!(
            category("SinglePart", "body", "Vec<u8>").as_deref(),
            Some("user.content.private")
        );
    }

    #[test]
    fn a_type_named_for_a_person_holds_their_data() {
        assert_eq!(
            category("Order", "buyer", "Option<Box<Customer>>").as_deref(),
            Some("user")
        );
        assert_eq!(category("Order", "lines", "Vec<OrderLine>"), None);
        assert_eq!(category("Crate", "entries", "Vec<CrateUser>"), None);
    }

    #[test]
    fn lists_of_people_with_a_qualifier_and_kinds_named_by_a_variant() {
        for name in ["past_members", "extra_people", "all_members"] {
            assert_eq!(
                category("Team", name, "Vec<String>").as_deref(),
                Some("user.unique_id"),
                "{name}"
            );
        }
        assert_eq!(
            classify(&FieldFact {
                variant: Some("Identity".to_owned()),
                ..field("EntryData", "state", "Option<String>")
            })
            .map(|c| c.category)
            .as_deref(),
            Some("user.contact.address.state")
        );
    }

    #[test]
    fn a_services_configuration_holds_the_services_secrets() {
        assert_eq!(category("SmtpConfig", "password", "String"), None);
        assert_eq!(
            classify(&in_module("config", "MailerAuth", "password", "String")),
            None
        );
        // A person's own settings are still theirs.
        assert_eq!(
            category("AccountConfig", "password", "String").as_deref(),
            Some("user.authorization.credentials")
        );
        // Configuration does not carry a composite, even if a struct of the same name
        // elsewhere holds personal data.
        let claims = field("JWT", "claims", "UserClaims");
        let sub = field("UserClaims", "sub", "String");
        let config = in_module("config", "Auth", "jwt", "JWT");
        let verdicts = classify_all(&[&sub, &claims, &config]);
        assert!(verdicts[1].is_some());
        assert!(verdicts[2].is_none(), "{:?}", verdicts[2]);
    }

    #[test]
    fn module_paths_in_types_and_error_messages_say_nothing() {
        assert_eq!(
            category(
                "Prefs",
                "items",
                "Vec<crate::app::bsky::actor::defs::SavedFeed>"
            ),
            None
        );
        assert_eq!(
            classify(&FieldFact {
                variant: Some("InvalidPassword".to_owned()),
                ..field("Error", "0", "Option<String>")
            }),
            None
        );
        assert_eq!(
            classify(&FieldFact {
                variant: Some("Password".to_owned()),
                ..field("Credential", "0", "String")
            })
            .map(|c| c.category)
            .as_deref(),
            Some("user.authorization.credentials")
        );
    }

    #[test]
    fn decentralized_ids_pronouns_memos_and_public_ids() {
        for (item, name, ty, expected) in [
            (
                "MessageRef",
                "did",
                "crate::types::string::Did",
                "user.unique_id",
            ),
            ("SendEmail", "recipient_did", "String", "user.unique_id"),
            ("Job", "user_guid", "String", "user.unique_id"),
            (
                "Profile",
                "pronouns",
                "Option<String>",
                "user.demographic.gender",
            ),
            (
                "Profile",
                "description",
                "Option<String>",
                "user.content.public",
            ),
            ("User", "pid", "Uuid", "user.unique_id"),
            (
                "Transaction",
                "memo",
                "Option<String>",
                "user.content.private",
            ),
        ] {
            assert_eq!(
                category(item, name, ty).as_deref(),
                Some(expected),
                "{item}.{name}"
            );
        }
        // A struct that merely holds someone's e-mail is not named for them.
        let email = field("TeamWebsite", "email", "String");
        let description = field("TeamWebsite", "description", "String");
        assert!(classify_all(&[&email, &description])[1].is_none());
    }

    #[test]
    fn no_name_rule_ends_in_a_plural_that_names_never_reach() {
        // Names are read in the singular (`emails` as `email`), so a rule ending in a
        // plural could never match.
        let v = vocabulary();
        let rules = v
            .fields
            .iter()
            .chain(&v.person_fields)
            .chain(&v.content_fields)
            .chain(&v.secret_fields)
            .chain(v.kinds.iter().flat_map(|k| &k.fields));
        for (pattern, _, _) in rules {
            let last = pattern.last().map(String::as_str).unwrap_or_default();
            assert!(
                singular(last.trim_start_matches('=')).is_none(),
                "rule `{}` ends in a plural",
                pattern.join(" ")
            );
        }
    }

    #[test]
    fn composites_stop_a_few_structs_away_from_personal_data() {
        let family = field("HumanName", "family_name", "Option<String>");
        let value = FieldFact {
            variant: Some("HumanName".to_owned()),
            ..field("ExtensionValue", "0", "HumanName")
        };
        let inner = field("ExtensionInner", "value", "ExtensionValue");
        let extension = field("Extension", "0", "Box<ExtensionInner>");
        let quantity = field("Quantity", "extension", "Vec<Extension>");
        let verdicts = classify_all(&[&family, &value, &inner, &extension, &quantity]);
        assert!(verdicts[1].is_some() && verdicts[2].is_some() && verdicts[3].is_some());
        assert!(verdicts[4].is_none(), "{:?}", verdicts[4]);
    }

    #[test]
    fn numbered_address_lines_identity_documents_and_captions() {
        for (item, name, ty, expected) in [
            (
                "Address",
                "address_line_1",
                "Option<String>",
                "user.contact.address.street",
            ),
            (
                "Address",
                "admin_area_2",
                "Option<String>",
                "user.contact.address",
            ),
            (
                "EncryptedPassportElementPassport",
                "front_side",
                "PassportFile",
                "user.government_id",
            ),
            (
                "SlackUserProfile",
                "real_name_normalized",
                "Option<String>",
                "user.name",
            ),
            (
                "ChatJoinRequest",
                "bio",
                "Option<String>",
                "user.content.public",
            ),
        ] {
            assert_eq!(
                category(item, name, ty).as_deref(),
                Some(expected),
                "{item}.{name}"
            );
        }
        assert_eq!(
            classify(&in_module(
                "types::message",
                "MediaPhoto",
                "caption",
                "Option<String>"
            ))
            .map(|c| c.category)
            .as_deref(),
            Some("user.content.private")
        );
    }

    #[test]
    fn things_names_counters_of_people_and_analytics_ids() {
        assert_eq!(category("Repository", "full_name", "String"), None);
        assert_eq!(
            category("GoogleWorkspace", "first_name", "String").as_deref(),
            Some("user.name.first")
        );
        assert_eq!(category("FullPlaylistInfo", "stats", "Followers"), None);
        assert_eq!(
            category("TokenResult", "claims", "CoreIdTokenClaims").as_deref(),
            Some("user")
        );
        for (item, name, expected) in [
            ("SessionUpdate", "distinct_id", "user.unique_id"),
            ("Author", "node_id", "user.unique_id"),
            ("UserProfile", "blog", "user.contact.url"),
            ("Request", "cookies", "user.device.cookie"),
        ] {
            assert_eq!(
                category(item, name, "Option<String>").as_deref(),
                Some(expected),
                "{item}.{name}"
            );
        }
    }

    #[test]
    fn push_keys_named_by_their_module_and_ages_only_of_people() {
        assert_eq!(
            classify(&in_module("entities::push", "Keys", "p256dh", "String"))
                .map(|c| c.category)
                .as_deref(),
            Some("user.device.device_id")
        );
        assert_eq!(category("ConnectionInfo", "age", "u64"), None);
        assert_eq!(
            category("Person", "age", "Option<u8>").as_deref(),
            Some("user.demographic.age_range")
        );
        assert_eq!(
            category("HawkPayload", "fxa_uid", "String").as_deref(),
            Some("user.unique_id")
        );
    }
}
