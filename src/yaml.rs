//! Parsing one YAML file into a tree of values that each remember where they were
//! written, under input budgets that refuse alias bombs and pathological nesting.

use crate::finding::Finding;
use crate::source::{FileId, Span};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{MessageFormatter, Spanned, UserMessageFormatter};
use std::fmt;

/// Deepest nesting an inventory may use; real inventories need fewer than ten levels.
pub const MAX_DEPTH: usize = 64;
/// Most YAML nodes (scalars, sequences, mappings) one file may contain.
pub const MAX_NODES: usize = 20_000_000;
/// Most events an alias may replay in one file: aliases are for small shared snippets.
pub const MAX_ALIAS_REPLAY: usize = 100_000;

/// A YAML value with where it was written. Compact (16 bytes of position) because a
/// large inventory has millions of nodes.
#[derive(Debug)]
pub struct Node {
    pub value: Value,
    pub at: Mark,
}

/// The position of a node: 1-based line and column, byte offset and byte length.
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    pub line: u32,
    pub column: u32,
    pub start: u32,
    pub len: u32,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        let location = spanned.referenced;
        let span = location.span();
        Ok(Node {
            value: spanned.value,
            at: Mark {
                line: location.line() as u32,
                column: location.column() as u32,
                start: span.byte_offset().unwrap_or(0) as u32,
                len: span.byte_len().unwrap_or(0) as u32,
            },
        })
    }
}

/// The YAML data model ropa reads: plain scalars are typed by the YAML 1.2 core schema
/// (only `true`/`false` are booleans).
#[derive(Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What a user would call this kind of value, for "expected X, found Y" messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

/// The span of a node in `file`. Containers written in block style have no length in
/// the parser's report: their span is empty, at their start.
pub fn span_of(node: &Node, file: FileId) -> Span {
    let at = node.at;
    Span {
        file,
        line: at.line,
        column: at.column,
        start: at.start,
        end: at.start.saturating_add(at.len),
    }
}

/// Parses a whole file. On failure, the finding points at the position the parser gave.
pub fn parse(text: &str, file: FileId) -> Result<Node, Box<Finding>> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_events = MAX_NODES.saturating_mul(2);
    budget.max_total_scalar_bytes = crate::inventory::files::MAX_FILE_BYTES as usize;
    budget.max_documents = 1;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.strict_booleans = true;
    options.with_snippet = false;
    options.alias_limits.max_total_replayed_events = MAX_ALIAS_REPLAY;
    serde_saphyr::from_str_with_options::<Node>(text, options)
        .map_err(|e| Box::new(error_finding(&e, text, file)))
}

/// What an input budget breach means, in words (the parser's own text shows its
/// internal structure, such as `Depth { depth: 65 }`).
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach;
    match breach {
        BudgetBreach::Depth { .. } => format!("nested more than {MAX_DEPTH} levels deep"),
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => {
            format!("more than {MAX_NODES} YAML nodes")
        }
        BudgetBreach::ScalarBytes { .. } => format!(
            "more than {} MiB of text in values",
            crate::inventory::files::MAX_FILE_BYTES / (1024 * 1024)
        ),
        BudgetBreach::Documents { .. } => {
            "more than one YAML document (`---`): an inventory file holds one".to_owned()
        }
        BudgetBreach::Aliases { aliases } => format!("too many aliases ({aliases})"),
        BudgetBreach::Anchors { anchors } => format!("too many anchors ({anchors})"),
        BudgetBreach::MergeKeys { merge_keys } => {
            format!("too many merge keys (`<<`, {merge_keys})")
        }
        BudgetBreach::AliasAnchorRatio { aliases, anchors } => format!(
            "{aliases} aliases for {anchors} anchors: aliases that multiply what they repeat"
        ),
        other => {
            // Any limit added later: its name, without the parser's internal layout.
            let debug = format!("{other:?}");
            let name = debug.split([' ', '{', '(']).next().unwrap_or("a limit");
            format!("over the parser's `{name}` limit")
        }
    }
}

/// Where aliases first replay more than [`MAX_ALIAS_REPLAY`] events: the 1-based line
/// and column of the alias (a plain `*a` or one under a merge key `<<`) at which the
/// budget runs out. The parser reports the replayed event instead, which sits inside
/// the first anchor, far from the alias that multiplied it.
fn where_aliases_ran_out(text: &str) -> Option<(u64, u64)> {
    use serde_saphyr::granit_parser::{Event, Parser};
    use std::collections::HashMap;
    // Events each anchored node stands for, its own aliases expanded.
    let mut sizes: HashMap<usize, usize> = HashMap::new();
    // Open containers: their anchor (0 for none) and the events before them.
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut events = 0usize;
    let mut replayed = 0usize;
    for result in Parser::new_from_str(text) {
        let (event, span) = result.ok()?;
        match event {
            Event::Alias(id) => {
                let size = sizes.get(&id).copied().unwrap_or(1);
                events = events.saturating_add(size);
                replayed = replayed.saturating_add(size);
                if replayed > MAX_ALIAS_REPLAY {
                    return Some((span.start.line() as u64, span.start.col() as u64 + 1));
                }
            }
            Event::Scalar(_, _, id, _) => {
                events = events.saturating_add(1);
                if id > 0 {
                    sizes.insert(id, 1);
                }
            }
            Event::SequenceStart(_, id, _) | Event::MappingStart(_, id, _) => {
                open.push((id, events));
                events = events.saturating_add(1);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                events = events.saturating_add(1);
                if let Some((id, before)) = open.pop()
                    && id > 0
                {
                    sizes.insert(id, events - before);
                }
            }
            _ => {}
        }
    }
    None
}

fn error_finding(error: &serde_saphyr::Error, text: &str, file: FileId) -> Finding {
    let mut inner = error.without_snippet();
    // An error met while replaying an alias comes wrapped with where the alias was
    // defined and used.
    while let serde_saphyr::Error::AliasError { error, .. } = inner {
        inner = error.without_snippet();
    }
    let raw = match inner {
        serde_saphyr::Error::Budget { breach, .. } => {
            format!(
                "YAML document too large or too complex: {}",
                budget_message(breach)
            )
        }
        serde_saphyr::Error::AliasReplayLimitExceeded { .. } => format!(
            "aliases replay more than {MAX_ALIAS_REPLAY} events (an alias bomb); the limit is crossed here"
        ),
        _ => {
            let text = UserMessageFormatter.format_message(inner).into_owned();
            // The scanner's own guard, met before the depth budget on very deep input.
            if text.contains("recursion limit exceeded") {
                format!(
                    "YAML document too large or too complex: nested more than {MAX_DEPTH} levels deep"
                )
            } else {
                text
            }
        }
    };
    let message = crate::text::sanitize(&raw);
    // Where the alias budget ran out, rather than where the replayed event was written.
    let alias_overflow = match inner {
        serde_saphyr::Error::AliasReplayLimitExceeded { .. } => where_aliases_ran_out(text),
        _ => None,
    };
    let duplicate_key = match inner {
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => {
            Some(key.clone().unwrap_or_default())
        }
        _ => None,
    };
    let (code, message, help) = match &duplicate_key {
        Some(key) => (
            "duplicate-key",
            format!(
                "duplicate key `{}` in one mapping",
                crate::text::sanitize(key)
            ),
            Some(
                "each key may appear once per mapping: merge the two entries or remove one"
                    .to_owned(),
            ),
        ),
        None => classify(&message),
    };
    let mut finding = Finding::input(code, message);
    if let Some(help) = help {
        finding = finding.with_help(help);
    }
    let at_alias = alias_overflow.map(|(line, column)| {
        let start = line_column_to_byte(text, line, column);
        Span {
            file,
            line: line as u32,
            column: column as u32,
            start,
            end: start + next_char_len(text, start as usize),
        }
    });
    let span = at_alias
        .or_else(|| {
            error.location().filter(|l| l.line() > 0).map(|l| {
                let start = l
                    .span()
                    .byte_offset()
                    .map(|b| b as u32)
                    .unwrap_or_else(|| line_column_to_byte(text, l.line(), l.column()));
                Span {
                    file,
                    line: l.line() as u32,
                    column: l.column().max(1) as u32,
                    start,
                    end: start
                        + duplicate_key
                            .as_ref()
                            .filter(|k| {
                                text.get(start as usize..)
                                    .is_some_and(|rest| rest.starts_with(k.as_str()))
                            })
                            .map_or_else(
                                || next_char_len(text, start as usize),
                                |k| k.len() as u32,
                            ),
                }
            })
        })
        .unwrap_or_else(|| Span::file_start(file));
    let label = if duplicate_key.is_some() {
        "second occurrence"
    } else {
        "here"
    };
    finding.at(span, label)
}

/// Sorts a parser message into a stable finding code, a message and a hint.
fn classify(message: &str) -> (&'static str, String, Option<String>) {
    let lower = message.to_ascii_lowercase();
    if lower.contains("budget")
        || lower.contains("too large")
        || lower.contains("too complex")
        || lower.contains("alias") && lower.contains("limit")
    {
        return (
            "input-limit",
            format!("input refused: {message}"),
            Some(format!(
                "ropa bounds what one file may cost: at most {MAX_NODES} nodes, nesting {MAX_DEPTH} deep and {MAX_ALIAS_REPLAY} events replayed by aliases; an inventory never needs more"
            )),
        );
    }
    if lower.contains("nesting") || lower.contains("recursion") || lower.contains("depth") {
        return (
            "input-limit",
            format!("input refused: {message}"),
            Some(format!(
                "an inventory may nest at most {MAX_DEPTH} levels deep"
            )),
        );
    }
    (
        "yaml-syntax",
        format!("invalid YAML: {message}"),
        Some("check indentation, unclosed brackets or quotes, and `key: value` spacing near this position".into()),
    )
}

fn line_column_to_byte(text: &str, line: u64, column: u64) -> u32 {
    let mut offset = 0usize;
    for (index, row) in text.split_inclusive('\n').enumerate() {
        if index as u64 + 1 == line {
            let within: usize = row
                .chars()
                .take(column.saturating_sub(1) as usize)
                .map(char::len_utf8)
                .sum();
            return (offset + within) as u32;
        }
        offset += row.len();
    }
    text.len() as u32
}

fn next_char_len(text: &str, at: usize) -> u32 {
    text.get(at..)
        .and_then(|rest| rest.chars().next())
        .filter(|c| *c != '\n')
        .map_or(0, |c| c.len_utf8() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        parse(text, FileId(0)).expect("valid yaml")
    }

    #[test]
    fn plain_scalars_use_the_core_schema() {
        let node = parse_ok("a: n\nb: yes\nc: true\nd: 3\n");
        let Value::Map(entries) = node.value else {
            panic!("map")
        };
        assert!(matches!(entries[0].1.value, Value::Str(ref s) if s == "n"));
        assert!(matches!(entries[1].1.value, Value::Str(ref s) if s == "yes"));
        assert!(matches!(entries[2].1.value, Value::Bool(true)));
        assert!(matches!(entries[3].1.value, Value::Int(3)));
    }

    #[test]
    fn spans_are_byte_ranges() {
        let text = "name: \"é\"\nid: x\n";
        let node = parse_ok(text);
        let Value::Map(entries) = &node.value else {
            panic!("map")
        };
        let span = span_of(&entries[1].1, FileId(0));
        assert_eq!(&text[span.start as usize..span.end as usize], "x");
        assert_eq!((span.line, span.column), (2, 5));
    }

    #[test]
    fn duplicate_keys_are_refused_with_their_line() {
        let err = parse("a: 1\nb: 2\na: 3\n", FileId(0)).unwrap_err();
        assert_eq!(err.code, "duplicate-key");
        assert_eq!(err.span.map(|s| s.line), Some(3));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..12 {
            let prev = level - 1;
            text.push_str(&format!(
                "a{level}: &a{level} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = parse(&text, FileId(0)).unwrap_err();
        assert_eq!(err.code, "input-limit", "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse(&text, FileId(0)).unwrap_err();
        assert_eq!(err.code, "input-limit", "{}", err.message);
    }
}
