//! Stable fingerprints of findings, shared by SARIF, the baseline, waivers and `ropa
//! diff`. A fingerprint hashes the finding's code, rule, file (relative, with `/`) and a
//! logical key, never a line number, so it survives edits that move lines. The logical
//! key of a finding in the inventory is the path of the declaration it points into
//! (`stores[id=orders-db].holds[user.name]`), the YAML key it points at (`.retention`)
//! and, for a value inside a declaration, the value itself; findings in Rust code carry
//! their key from the code checks (`models::user::User.phone`, `dependencies.sentry`).

use crate::finding::Finding;
use crate::inventory::model::{Declarations, NodeCommon};
use crate::source::{FileId, SourceMap, Span};
use std::collections::HashMap;
use std::hash::Hasher;
use std::path::Path;

/// One declaration a finding may point into, with the declarations inside it.
struct Entry {
    start: u32,
    end: u32,
    path: String,
    children: Vec<Entry>,
}

impl Entry {
    /// The declaration that starts at `span` and extends as far as YAML says (see
    /// [`extent`]): a mapping's span from the parser marks only where it starts.
    fn new(sources: &SourceMap, span: Span, path: String) -> Self {
        let text = sources.text(span.file);
        let end = extent(text, span.start as usize) as u32;
        Entry {
            start: span.start,
            end: end.max(span.end),
            path,
            children: Vec::new(),
        }
    }

    fn contains(&self, span: Span) -> bool {
        self.start <= span.start && span.end <= self.end
    }
}

/// Where the YAML node starting at byte `start` ends: after the matching bracket of a
/// flow collection (`{ ... }`, `[ ... ]`), else after the last following line indented
/// at least as far as the node's first key (a block mapping's other keys).
pub fn extent(text: &str, start: usize) -> usize {
    let Some(rest) = text.get(start..) else {
        return text.len();
    };
    if rest.starts_with(['{', '[']) {
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        for (i, c) in rest.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '{' | '[') => depth += 1,
                (None, '}' | ']') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return start + i + 1;
                    }
                }
                _ => {}
            }
        }
        return text.len();
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = start - line_start;
    let mut end = rest.find('\n').map_or(text.len(), |i| start + i);
    let mut next = end + 1;
    while next < text.len() {
        let line_end = text[next..].find('\n').map_or(text.len(), |i| next + i);
        let line = &text[next..line_end];
        let trimmed = line.trim_start_matches(' ');
        let blank = trimmed.is_empty() || trimmed.starts_with('#');
        if !blank {
            if line.len() - trimmed.len() < column {
                break;
            }
            end = line_end;
        }
        next = line_end + 1;
    }
    end
}

/// The declarations of every inventory file, in file order, for finding keys.
struct Outline {
    files: HashMap<FileId, Vec<Entry>>,
}

impl Outline {
    fn build(decl: &Declarations, sources: &SourceMap) -> Self {
        let mut files: HashMap<FileId, Vec<Entry>> = HashMap::new();
        let mut add = |entry: Entry, file: FileId| files.entry(file).or_default().push(entry);
        let new = |span: Span, path: String| Entry::new(sources, span, path);
        let node = |section: &str, common: &NodeCommon| {
            new(common.span, format!("{section}[id={}]", common.id.value))
        };
        for region in &decl.regions {
            add(
                new(region.id.span, format!("regions[id={}]", region.id.value)),
                region.id.span.file,
            );
        }
        for s in &decl.subjects {
            add(node("subjects", &s.common), s.common.span.file);
        }
        for s in &decl.systems {
            add(node("systems", &s.common), s.common.span.file);
        }
        for store in &decl.stores {
            let mut entry = node("stores", &store.common);
            for holding in &store.holds {
                let data: Vec<&str> = holding.data.iter().map(|d| d.value.as_str()).collect();
                entry.children.push(new(
                    holding.span,
                    format!("{}.holds[{}]", entry.path, data.join(",")),
                ));
            }
            if let Some(backup) = &store.backups {
                entry
                    .children
                    .push(new(backup.span, format!("{}.backups", entry.path)));
            }
            add(entry, store.common.span.file);
        }
        for s in &decl.subprocessors {
            add(node("subprocessors", &s.common), s.common.span.file);
        }
        for t in &decl.third_parties {
            add(node("third_parties", &t.common), t.common.span.file);
        }
        for flow in &decl.flows {
            let path = match &flow.id {
                Some(id) => format!("flows[id={}]", id.value),
                None => format!("flows[from={},to={}]", flow.from.value, flow.to.value),
            };
            add(new(flow.span, path), flow.span.file);
        }
        for rule in &decl.rules {
            add(
                new(rule.span, format!("rules[id={}]", rule.id.value)),
                rule.span.file,
            );
        }
        for section in &decl.code {
            let mut entry = new(section.span, "code".to_owned());
            for mapping in &section.structs {
                entry.children.push(new(
                    mapping.span,
                    format!("code.structs[match={}]", mapping.pattern.value),
                ));
            }
            for field in &section.fields {
                entry.children.push(new(
                    field.span,
                    format!("code.fields[match={}]", field.pattern.value),
                ));
            }
            add(entry, section.span.file);
        }
        for entries in files.values_mut() {
            entries.sort_by_key(|e| (e.start, std::cmp::Reverse(e.end)));
        }
        Outline { files }
    }

    /// The innermost declaration containing `span`.
    fn find(&self, span: Span) -> Option<&Entry> {
        let entries = self.files.get(&span.file)?;
        let after = entries.partition_point(|e| e.start <= span.start);
        let top = entries[..after].iter().rev().find(|e| e.contains(span))?;
        Some(
            top.children
                .iter()
                .find(|c| c.contains(span))
                .unwrap_or(top),
        )
    }
}

/// The logical key of a finding in an inventory file: the declaration's path, the key
/// the span is under, and the value at the span when it is a short one.
fn yaml_key(outline: &Outline, sources: &SourceMap, span: Span) -> String {
    let text = sources.text(span.file);
    let at = |start: u32, end: u32| text.get(start as usize..end as usize).unwrap_or("");
    let spanned = at(span.start, span.end);
    let Some(entry) = outline.find(span) else {
        return short(spanned).map(str::to_owned).unwrap_or_default();
    };
    if entry.start == span.start && entry.end == span.end {
        return entry.path.clone();
    }
    let mut key = entry.path.clone();
    // The key is either the spanned text itself (`unknown-key` points at a key) or the
    // nearest `key:` written before it inside the declaration.
    let before = at(entry.start, span.start);
    let after_span = at(span.end, span.end.saturating_add(1));
    if after_span == ":" {
        key.push('.');
        key.push_str(spanned);
        return key;
    }
    if let Some(name) = last_key(before) {
        key.push('.');
        key.push_str(name);
    }
    // An item of a list (`data: [a, b]`) is told apart from its siblings by its value;
    // a key's own value (`encrypted: false`) is not part of the key, so fixing it in
    // another wrong way is the same finding.
    let list_item = before
        .trim_end()
        .ends_with(['[', ',', '-'])
        .then(|| short(spanned))
        .flatten();
    if let Some(value) = list_item {
        key.push('=');
        key.push_str(value);
    }
    key
}

/// A spanned value short enough to name a finding: one line, at most 120 bytes.
fn short(text: &str) -> Option<&str> {
    (!text.is_empty() && text.len() <= 120 && !text.contains('\n')).then_some(text)
}

/// The last `name:` (a YAML key followed by a space or the end of a line) in `text`.
fn last_key(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = bytes.len();
    while i > 0 {
        i -= 1;
        if bytes[i] != b':' {
            continue;
        }
        let followed = bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace());
        let mut start = i;
        while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            start -= 1;
        }
        let preceded =
            start == 0 || matches!(bytes[start - 1], b' ' | b'\t' | b'\n' | b'{' | b',' | b'-');
        if followed && preceded && start < i {
            return text.get(start..i);
        }
    }
    None
}

/// The path of a file as fingerprints use it: relative to `root` when under it, with
/// `/` separators and no leading `./`.
pub fn relative_path(path: &str, root: Option<&Path>) -> String {
    let relative = root
        .and_then(|root| Path::new(path).strip_prefix(root).ok())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned());
    let mut normal = relative.replace('\\', "/");
    while let Some(rest) = normal.strip_prefix("./") {
        normal = rest.to_owned();
    }
    normal
}

/// Gives every finding its logical key (unless the check set one) and its fingerprint.
/// Findings with the same fingerprint are told apart by their order: `…:2`, `…:3`.
/// `root` is what file paths are made relative to (the working directory for `ropa
/// check`, a revision's checkout for `ropa diff`).
pub fn assign(
    decl: Option<&Declarations>,
    sources: &SourceMap,
    findings: &mut [Finding],
    root: Option<&Path>,
) {
    // The outline is built only when a finding still needs its key.
    let outline = decl
        .filter(|_| findings.iter().any(|f| f.key.is_none()))
        .map(|d| Outline::build(d, sources));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for finding in findings.iter_mut() {
        if finding.key.is_none() {
            finding.key = match (finding.span, &outline) {
                (Some(span), Some(outline)) if is_yaml(sources, span.file) => {
                    Some(yaml_key(outline, sources, span))
                }
                (Some(span), _) => short(
                    sources
                        .text(span.file)
                        .get(span.start as usize..span.end as usize)
                        .unwrap_or(""),
                )
                .map(str::to_owned),
                _ => None,
            };
        }
        let file = finding
            .span
            .map(|s| sources.name(s.file).to_owned())
            .or_else(|| finding.file.clone())
            .unwrap_or_default();
        let mut hasher = fnv::FnvHasher::default();
        for part in [
            finding.code,
            finding.rule.as_deref().unwrap_or(""),
            &relative_path(&file, root),
            finding.key.as_deref().unwrap_or(""),
        ] {
            hasher.write(part.as_bytes());
            hasher.write(&[0]);
        }
        let base = format!("{:016x}", hasher.finish());
        let count = seen.entry(base.clone()).or_insert(0);
        *count += 1;
        finding.fingerprint = if *count == 1 {
            base
        } else {
            format!("{base}:{count}")
        };
    }
}

fn is_yaml(sources: &SourceMap, file: FileId) -> bool {
    let name = sources.name(file);
    name.ends_with(".yaml") || name.ends_with(".yml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_before_a_value() {
        assert_eq!(last_key("{ id: a, region: "), Some("region"));
        assert_eq!(
            last_key("  - id: db\n    holds:\n      - data: [a, "),
            Some("data")
        );
        assert_eq!(last_key("url: http://x"), Some("url"));
        assert_eq!(last_key("no keys here"), None);
    }

    #[test]
    fn a_declaration_extends_over_its_block_or_its_brackets() {
        let text = "stores:\n  - id: db\n    region: us\n\n    holds: [a]\n  - id: b\nflows: [{ a: '}' }, x]\n";
        let db = text.find("id: db").unwrap_or(0);
        assert_eq!(
            &text[db..extent(text, db)],
            "id: db\n    region: us\n\n    holds: [a]"
        );
        let flow = text.find("{ a").unwrap_or(0);
        assert_eq!(&text[flow..extent(text, flow)], "{ a: '}' }");
    }

    #[test]
    fn paths_are_relative_and_slashed() {
        assert_eq!(
            relative_path("./inventory/a.yaml", None),
            "inventory/a.yaml"
        );
        assert_eq!(
            relative_path("/repo/inventory/a.yaml", Some(Path::new("/repo"))),
            "inventory/a.yaml"
        );
    }
}
