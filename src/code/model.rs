//! The learned part of the personal-data classifier: a logistic regression over the
//! evidence a field carries (every word of its name, its type, its struct, module,
//! enum variant, doc comment and sibling fields, and the hand-written rules' verdict).
//! Its weights are data (`model.tsv`), scored as a dot product; each feature also
//! carries the category most training rows with it had, which names the category
//! when the rules give none. Training lives here too, so the `train` example and the
//! tests use the very features the scanner scores with.

use super::classify::{self, Classification};
use super::facts::FieldFact;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::OnceLock;

const BUILTIN: &str = include_str!("model.tsv");

/// Words of a doc comment that say nothing about what a field holds.
const DOC_STOPWORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "is", "for", "this", "that", "and", "or", "in", "on", "be", "it",
    "with", "by", "as", "if", "which", "will", "are", "was", "can", "from", "at", "its", "we",
    "not", "should", "used", "when", "has", "have",
];

/// Types that only hold others: their own name says nothing.
const CONTAINERS: &[&str] = &[
    "Option", "Vec", "Box", "Arc", "Rc", "Cow", "HashMap", "BTreeMap", "HashSet", "BTreeSet",
    "IndexMap", "IndexSet", "Result", "Mutex", "RwLock", "RefCell", "Cell", "VecDeque",
];

/// How many opening words of a doc comment count.
const DOC_WORDS: usize = 10;

/// A trained model: weights per feature, the bias, and the probability from which a
/// field is personal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    pub bias: f32,
    pub threshold: f32,
    weights: HashMap<String, Weight>,
}

#[derive(Clone, Debug, PartialEq)]
struct Weight {
    value: f32,
    /// The most frequent category of the personal training rows with this feature.
    category: Option<String>,
}

/// A model's verdict on one field.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub probability: f32,
    /// The category the strongest positive evidence is usually about.
    pub category: Option<String>,
    /// The features that pushed most towards personal, strongest first.
    pub evidence: Vec<(String, f32)>,
}

/// One labelled field to train on.
#[derive(Clone, Debug)]
pub struct Example {
    pub features: Vec<String>,
    pub personal: bool,
    pub category: Option<String>,
    /// How much the row counts (less for borderline rows).
    pub weight: f32,
    /// Which repository it comes from: features must be seen in several to count.
    pub repository: String,
}

/// How to train.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// A feature is kept only if training rows of this many repositories have it, so
    /// that one application's private vocabulary does not become a rule.
    pub min_repositories: usize,
    /// L2 penalty per epoch.
    pub l2: f32,
    pub epochs: usize,
    pub learning_rate: f32,
    pub threshold: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            min_repositories: 2,
            l2: 0.002,
            epochs: 60,
            learning_rate: 0.3,
            threshold: 0.5,
        }
    }
}

impl Model {
    /// The model shipped with ropa.
    pub fn builtin() -> &'static Model {
        static PARSED: OnceLock<Model> = OnceLock::new();
        PARSED.get_or_init(|| Model::parse(BUILTIN).unwrap_or_default())
    }

    /// Reads `model.tsv`: `bias<TAB>value`, `threshold<TAB>value`, then
    /// `feature<TAB>weight<TAB>category or -` rows.
    pub fn parse(text: &str) -> Result<Model, String> {
        let mut model = Model {
            threshold: 0.5,
            ..Model::default()
        };
        for (number, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let at = || format!("model.tsv:{}: {line:?}", number + 1);
            let value: f32 = cols
                .get(1)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{}: no number in the second column", at()))?;
            match cols[0] {
                "bias" => model.bias = value,
                "threshold" => model.threshold = value,
                feature => {
                    let category = cols
                        .get(2)
                        .filter(|c| **c != "-" && !c.is_empty())
                        .map(|c| (*c).to_owned());
                    model
                        .weights
                        .insert(feature.to_owned(), Weight { value, category });
                }
            }
        }
        Ok(model)
    }

    /// Writes the model in the form [`Model::parse`] reads, features sorted.
    pub fn to_tsv(&self) -> String {
        let mut out = String::from(
            "# ropa's learned personal-data model: written by `cargo run --release --example train`.\n\
             # feature<TAB>weight<TAB>the category most personal training rows with it had\n",
        );
        let _ = writeln!(out, "bias\t{:.4}", self.bias);
        let _ = writeln!(out, "threshold\t{:.3}", self.threshold);
        let mut features: Vec<(&String, &Weight)> = self.weights.iter().collect();
        features.sort_by(|a, b| a.0.cmp(b.0));
        for (feature, weight) in features {
            let _ = writeln!(
                out,
                "{feature}\t{:.4}\t{}",
                weight.value,
                weight.category.as_deref().unwrap_or("-")
            );
        }
        out
    }

    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Scores a field's features.
    pub fn score(&self, features: &[String]) -> Score {
        let mut sum = self.bias;
        let mut evidence: Vec<(&str, f32, Option<&str>)> = Vec::new();
        for feature in features {
            if let Some(weight) = self.weights.get(feature) {
                sum += weight.value;
                evidence.push((feature, weight.value, weight.category.as_deref()));
            }
        }
        evidence.sort_by(|a, b| b.1.total_cmp(&a.1));
        let category = evidence
            .iter()
            .filter(|(_, value, _)| *value > 0.0)
            .find_map(|(_, _, category)| *category)
            .map(str::to_owned);
        Score {
            probability: sigmoid(sum),
            category,
            evidence: evidence
                .into_iter()
                .filter(|(_, value, _)| *value > 0.0)
                .map(|(feature, value, _)| (feature.to_owned(), value))
                .collect(),
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Trains a model on `examples` (stochastic gradient descent on the logistic loss with
/// an L2 penalty, rows visited in a fixed order so training is reproducible).
pub fn train(examples: &[Example], options: &TrainOptions) -> Model {
    let mut repositories: HashMap<&str, HashSet<&str>> = HashMap::new();
    for example in examples {
        for feature in &example.features {
            repositories
                .entry(feature.as_str())
                .or_default()
                .insert(example.repository.as_str());
        }
    }
    let kept = |feature: &str| {
        feature.starts_with("rule")
            || repositories
                .get(feature)
                .is_some_and(|r| r.len() >= options.min_repositories)
    };
    let mut index: HashMap<&str, usize> = HashMap::new();
    let rows: Vec<Vec<usize>> = examples
        .iter()
        .map(|example| {
            let mut row: Vec<usize> = example
                .features
                .iter()
                .filter(|f| kept(f))
                .map(|f| {
                    let next = index.len();
                    *index.entry(f.as_str()).or_insert(next)
                })
                .collect();
            row.sort_unstable();
            row.dedup();
            row
        })
        .collect();
    let mut weights = vec![0.0f32; index.len()];
    let mut squared = vec![1e-6f32; index.len() + 1];
    let mut bias = 0.0f32;
    for _ in 0..options.epochs {
        for (example, row) in examples.iter().zip(&rows) {
            let sum: f32 = bias + row.iter().map(|&i| weights[i]).sum::<f32>();
            let target = if example.personal { 1.0 } else { 0.0 };
            let gradient = (sigmoid(sum) - target) * example.weight;
            // AdaGrad: rare features move as much as common ones.
            squared[index.len()] += gradient * gradient;
            bias -= options.learning_rate * gradient / squared[index.len()].sqrt();
            for &i in row {
                let g = gradient + options.l2 * weights[i];
                squared[i] += g * g;
                weights[i] -= options.learning_rate * g / squared[i].sqrt();
            }
        }
    }
    // The category each feature is most often seen with among personal rows.
    let mut categories: HashMap<usize, HashMap<&str, f32>> = HashMap::new();
    for (example, row) in examples.iter().zip(&rows) {
        if let (true, Some(category)) = (example.personal, example.category.as_deref()) {
            for &i in row {
                *categories
                    .entry(i)
                    .or_default()
                    .entry(category)
                    .or_default() += example.weight;
            }
        }
    }
    let mut model = Model {
        bias,
        threshold: options.threshold,
        weights: HashMap::new(),
    };
    for (feature, i) in index {
        if weights[i].abs() < 0.01 {
            continue;
        }
        let category = categories.get(&i).and_then(|counts| {
            counts
                .iter()
                .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(c, _)| (*c).to_owned())
        });
        model.weights.insert(
            feature.to_owned(),
            Weight {
                value: weights[i],
                category,
            },
        );
    }
    model
}

/// The broad kind of a type: what a value of it can be.
fn type_kind(ty: &str) -> &'static str {
    let names: Vec<&str> = classify::type_names(ty)
        .filter(|t| !matches!(*t, "Option" | "Box" | "Arc" | "Rc" | "Cow" | "std" | "sync"))
        .collect();
    let Some(last) = names.last() else {
        return "none";
    };
    let main = names.first().copied().unwrap_or(last);
    if matches!(main, "Vec" | "HashSet" | "BTreeSet" | "IndexSet") && names.len() > 1 {
        if names[1] == "u8" {
            return "bytes";
        }
        return "list";
    }
    if matches!(main, "HashMap" | "BTreeMap" | "IndexMap") {
        return "map";
    }
    match *last {
        "bool" => "bool",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" | "f32" | "f64" => "number",
        "String" | "str" | "SmolStr" | "CompactString" | "Text" => "string",
        "DateTime" | "NaiveDateTime" | "NaiveDate" | "OffsetDateTime" | "PrimitiveDateTime"
        | "SystemTime" | "Instant" | "Duration" | "Timestamp" | "Date" | "Utc" => "time",
        "Uuid" | "Ulid" => "uuid",
        "Bytes" => "bytes",
        "Url" | "Uri" => "url",
        "Value" | "JsonValue" | "Json" => "json",
        _ => "named",
    }
}

/// Adds `prefix:word` for every word.
fn push_words(features: &mut Vec<String>, prefix: &str, words: &[String]) {
    for word in words {
        features.push(format!("{prefix}:{word}"));
    }
}

/// What the rules found around a field.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context {
    /// What its struct is about: `person`, `thing`, `content`, `secret` or `other`.
    pub item_class: &'static str,
    /// The other fields of its struct or variant.
    pub siblings: usize,
    /// How many of them the rules found personal.
    pub siblings_flagged: usize,
    /// How many of them hold an e-mail address, a name, an account or a credential.
    pub siblings_marking_a_person: usize,
}

/// The features of one field. `siblings` are the other fields of its struct or enum
/// variant; `rule` is what the hand-written rules decided.
pub fn features(
    field: &FieldFact,
    siblings: &[&FieldFact],
    rule: Option<&Classification>,
    context: &Context,
) -> Vec<String> {
    let mut features = Vec::with_capacity(48);
    let tuple = field.name.chars().all(|c| c.is_ascii_digit());
    let mut name_words = if tuple {
        Vec::new()
    } else {
        classify::words(&field.name)
    };
    if let Some(last) = name_words.last_mut() {
        if last == "ids" {
            *last = "id".to_owned();
        } else if let Some(singular) = classify::singular(last) {
            *last = singular;
        }
    }
    if tuple {
        features.push("tuple".to_owned());
    }
    // Every word but the last (which has a feature of its own).
    push_words(
        &mut features,
        "name",
        &name_words[..name_words.len().saturating_sub(1)],
    );
    if let Some(rename) = field.serde_rename.as_deref() {
        let renamed = classify::words(rename);
        if renamed != name_words {
            push_words(&mut features, "name", &renamed);
        }
    }
    let kind = type_kind(&field.ty);
    features.push(format!("kind:{kind}"));
    if let Some(last) = name_words.last() {
        features.push(format!("last:{last}"));
        features.push(format!("last+kind:{last}|{kind}"));
        if name_words.len() > 1 {
            features.push(format!("whole:{}", name_words.join("_")));
            features.push(format!("first:{}", name_words[0]));
        }
    }
    // The words of named types (`HostId`, `Account`); primitive types have a kind.
    let mut type_words: Vec<String> = classify::type_names(&field.ty)
        .filter(|t| {
            type_kind(t) == "named"
                && t.chars().next().is_some_and(char::is_uppercase)
                && !CONTAINERS.contains(t)
        })
        .flat_map(classify::words)
        .collect();
    type_words.sort();
    type_words.dedup();
    push_words(&mut features, "type", &type_words);
    let subject = classify::subject_name(field);
    let item_words = classify::words(&subject);
    push_words(&mut features, "item", &item_words);
    let item_last = classify::item_subject_word(&item_words);
    if let Some(item_last) = &item_last {
        features.push(format!("itemlast:{item_last}"));
        if let Some(last) = name_words.last() {
            features.push(format!("last+item:{last}|{item_last}"));
        }
    }
    if let Some(variant) = field.variant.as_deref() {
        push_words(&mut features, "variant", &classify::words(variant));
    }
    let module_words: Vec<String> = field
        .module
        .rsplit("::")
        .take(2)
        .flat_map(classify::words)
        .collect();
    push_words(&mut features, "module", &module_words);
    let mut doc_words: Vec<String> = classify::words(&field.docs.replace(['-', '\''], " "))
        .into_iter()
        .filter(|w| w.chars().all(char::is_alphabetic) && !DOC_STOPWORDS.contains(&w.as_str()))
        .take(DOC_WORDS)
        .collect();
    doc_words.sort();
    doc_words.dedup();
    push_words(&mut features, "doc", &doc_words);
    let mut sibling_words: Vec<String> = siblings
        .iter()
        .filter(|s| s.name != field.name)
        .flat_map(|s| classify::words(&s.name))
        .collect();
    sibling_words.sort();
    sibling_words.dedup();
    push_words(&mut features, "sibling", &sibling_words);
    features.push(format!("class:{}", context.item_class));
    let around = if context.siblings == 0 {
        "alone"
    } else if context.siblings_flagged == 0 {
        "none"
    } else if context.siblings_flagged * 2 < context.siblings {
        "some"
    } else {
        "most"
    };
    features.push(format!("siblings:{around}"));
    features.push(format!("siblings+kind:{around}|{kind}"));
    features.push(format!("class+kind:{}|{kind}", context.item_class));
    if context.siblings_marking_a_person > 0 {
        features.push("siblings:person".to_owned());
        features.push(format!("siblings-person+kind:{kind}"));
    }
    match rule {
        Some(rule) => {
            let broad: Vec<&str> = rule.category.split('.').take(2).collect();
            features.push("rule".to_owned());
            features.push(format!("rule:{}", broad.join(".")));
            features.push(format!(
                "rule-confidence:{}",
                if rule.confidence >= 0.85 {
                    "high"
                } else {
                    "low"
                }
            ));
        }
        None => features.push("rule-none".to_owned()),
    }
    features
}

/// Says a feature in words, for the reason shown with a verdict.
pub fn describe(feature: &str) -> String {
    let (kind, value) = feature.split_once(':').unwrap_or((feature, ""));
    let value = value.replace('|', "` with `");
    match kind {
        "name" => format!("name word `{value}`"),
        "last" => format!("name ending `{value}`"),
        "whole" => format!("name `{value}`"),
        "first" => format!("name starting `{value}`"),
        "last+kind" => format!("name ending `{value}`"),
        "last+item" => format!("`{value}`"),
        "type" => format!("type word `{value}`"),
        "kind" => format!("a {value} type"),
        "item" | "itemlast" => format!("struct word `{value}`"),
        "variant" => format!("variant word `{value}`"),
        "module" => format!("module word `{value}`"),
        "doc" => format!("doc word `{value}`"),
        "sibling" => format!("sibling field `{value}`"),
        "class" => format!("a struct about a {value}"),
        "class+kind" => format!("a struct and type `{value}`"),
        "siblings" | "siblings+kind" => format!("personal siblings: {value}"),
        "siblings-person+kind" => format!("siblings about a person and a {value} type"),
        "rule" => format!("the rules' verdict {value}"),
        "rule-confidence" => format!("the rules' {value} confidence"),
        "tuple" => "a tuple field".to_owned(),
        _ => feature.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::facts::Position;

    fn field(item: &str, name: &str, ty: &str) -> FieldFact {
        FieldFact {
            module: "models::account".to_owned(),
            item: item.to_owned(),
            variant: None,
            name: name.to_owned(),
            ty: ty.to_owned(),
            serde_rename: None,
            docs: "The host this came from.".to_owned(),
            annotation: None,
            at: Position {
                line: 1,
                column: 1,
                start: 0,
                end: 0,
            },
        }
    }

    #[test]
    fn features_name_every_kind_of_evidence() {
        let host = field("HostEntry", "host_ids", "Vec<HostId>");
        let email = field("HostEntry", "email", "String");
        let context = Context {
            item_class: "other",
            siblings: 1,
            siblings_flagged: 1,
            siblings_marking_a_person: 1,
        };
        let features = features(&host, &[&host, &email], None, &context);
        for expected in [
            "name:host",
            "last:id",
            "whole:host_id",
            "first:host",
            "kind:list",
            "last+kind:id|list",
            "type:host",
            "item:host",
            "itemlast:host",
            "class:other",
            "siblings:most",
            "siblings-person+kind:list",
            "module:account",
            "doc:host",
            "sibling:email",
            "rule-none",
        ] {
            assert!(
                features.iter().any(|f| f == expected),
                "{expected} missing from {features:?}"
            );
        }
        assert!(!features.iter().any(|f| f == "sibling:host"));
        assert!(!features.iter().any(|f| f == "type:vec"));
        assert!(!features.iter().any(|f| f == "doc:the"));
    }

    #[test]
    fn type_kinds() {
        assert_eq!(type_kind("Option<bool>"), "bool");
        assert_eq!(type_kind("Vec<u8>"), "bytes");
        assert_eq!(type_kind("Vec<String>"), "list");
        assert_eq!(type_kind("HashMap<UserId, Instant>"), "map");
        assert_eq!(type_kind("chrono::DateTime<Utc>"), "time");
        assert_eq!(type_kind("Option<Uuid>"), "uuid");
        assert_eq!(type_kind("MemberId"), "named");
        assert_eq!(type_kind(""), "none");
    }

    fn example(features: &[&str], personal: bool, repository: &str) -> Example {
        Example {
            features: features.iter().map(|f| (*f).to_owned()).collect(),
            personal,
            category: personal.then(|| "user.device.device_id".to_owned()),
            weight: 1.0,
            repository: repository.to_owned(),
        }
    }

    #[test]
    fn training_learns_shared_evidence_and_drops_one_repository_words() {
        let mut examples = Vec::new();
        for repository in ["a", "b", "c"] {
            for _ in 0..10 {
                examples.push(example(&["last:host", "kind:string"], true, repository));
                examples.push(example(&["last:theme", "kind:string"], false, repository));
            }
        }
        examples.push(example(&["last:zork"], true, "a"));
        let model = train(&examples, &TrainOptions::default());
        let host = model.score(&["last:host".to_owned(), "kind:string".to_owned()]);
        let theme = model.score(&["last:theme".to_owned(), "kind:string".to_owned()]);
        assert!(host.probability > 0.9, "{host:?}");
        assert!(theme.probability < 0.1, "{theme:?}");
        assert_eq!(host.category.as_deref(), Some("user.device.device_id"));
        assert_eq!(host.evidence[0].0, "last:host");
        // Seen in one repository only: not kept.
        assert!(!model.weights.contains_key("last:zork"));
    }

    #[test]
    fn the_model_round_trips_through_its_file() {
        let examples = vec![
            example(&["last:host"], true, "a"),
            example(&["last:host"], true, "b"),
            example(&["last:theme"], false, "a"),
            example(&["last:theme"], false, "b"),
        ];
        let model = train(&examples, &TrainOptions::default());
        let parsed = Model::parse(&model.to_tsv()).expect("parses");
        assert_eq!(parsed.len(), model.len());
        let features = ["last:host".to_owned()];
        let (a, b) = (model.score(&features), parsed.score(&features));
        assert!((a.probability - b.probability).abs() < 1e-3);
        assert!(Model::parse("bias\tlots\n").is_err());
    }

    #[test]
    fn the_builtin_model_loads() {
        let model = Model::parse(BUILTIN).expect("model.tsv parses");
        assert!(model.threshold > 0.0 && model.threshold < 1.0);
    }
}
