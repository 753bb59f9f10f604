//! `ropa fix`: writes the mechanical fixes of findings into the inventory's YAML by
//! splicing text at the spans ropa keeps, never re-serializing a file, so comments,
//! ordering, quoting and line endings stay as they are. A fix inserts: a held category
//! (with `retention: TODO`) into a store's `holds`, a `retention: TODO` into an entry of
//! `holds`, a sub-processor for an SDK (and the region it needs). Edits near anchors or
//! aliases are refused rather than guessed. Computing the new texts is here; writing
//! them (with checks) is the command's.

use crate::finding::Finding;
use crate::inventory::Inventory;
use crate::source::{FileId, Span};
use std::collections::BTreeMap;

/// A fix a finding can carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Declare `categories` in the `holds` of the store with this id.
    DeclareHolding {
        store: String,
        categories: Vec<String>,
    },
    /// Add `retention: TODO` to the entry of `holds` at this span.
    AddRetention { holding: Span },
    /// Add `category` to the `data` of the flow at this span.
    AddFlowCategory { flow: Span, category: String },
    /// Map structs matching `pattern` to the node `to`, in the `code` section at `section`.
    MapStruct {
        pattern: String,
        to: String,
        section: Span,
    },
    /// Declare the vendor of an SDK as a sub-processor, in the file of `near`.
    AddSubprocessor {
        vendor: String,
        legal_name: String,
        country: String,
        near: Span,
    },
}

/// What to add to one place, and the fingerprints of the findings it fixes.
type Pending<T> = (Vec<T>, Vec<String>);

/// One insertion into a file's text.
#[derive(Clone, Debug)]
struct Insert {
    at: usize,
    text: String,
}

/// A fix that cannot be written, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    pub finding: String,
    pub why: String,
}

/// The new text of each file the fixes touch, and the fixes left out.
#[derive(Debug, Default)]
pub struct Plan {
    pub files: BTreeMap<FileId, String>,
    /// Fingerprints of the findings the plan fixes.
    pub fixed: Vec<String>,
    pub skipped: Vec<Skipped>,
}

fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

fn column(text: &str, pos: usize) -> usize {
    pos - line_start(text, pos)
}

/// The file's line ending: `\r\n` if it uses it, else `\n`.
fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Whether a stretch of YAML uses anchors or aliases, which an edit could silently
/// change the meaning of.
fn has_anchors(text: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if previous.is_whitespace() => return false,
            (None, '&' | '*')
                if previous.is_whitespace() || matches!(previous, '[' | '{' | ',') =>
            {
                return true;
            }
            _ => {}
        }
        previous = c;
    }
    false
}

/// Where to start looking for anchors around a node: the line before its first line
/// (a block mapping's anchor, `- &name`, may stand alone above it).
fn around(text: &str, start: usize) -> usize {
    line_start(text, line_start(text, start).saturating_sub(1))
}

/// The end of the node that starts at `start`, without trailing blanks and comments.
fn end_of(text: &str, start: usize) -> usize {
    crate::fingerprint::extent(text, start)
}

/// Where to insert before the closing `}` of the flow mapping starting at `start`.
fn before_close(text: &str, start: usize) -> usize {
    let end = end_of(text, start); // just after `}`
    let inner = &text[start..end.saturating_sub(1)];
    start + inner.trim_end().len()
}

/// Where a list item (at `start`) sits: in a block sequence (after `- `) or a flow one.
fn in_block_sequence(text: &str, start: usize) -> bool {
    text[..start].trim_end_matches([' ', '\t']).ends_with('-')
}

fn yaml_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// The insertions that declare `categories` in the store whose node starts at `store`.
fn declare_holdings(
    text: &str,
    store: usize,
    holdings: &[Span],
    categories: &[String],
) -> Result<Insert, String> {
    let nl = newline(text);
    let data = yaml_list(categories);
    if let Some(last) = holdings.iter().max_by_key(|h| h.start) {
        let at = last.start as usize;
        let end = end_of(text, at);
        if in_block_sequence(text, at) {
            let dash = column(text, at).saturating_sub(2);
            let pad = " ".repeat(dash);
            let entry = if text[at..].starts_with('{') {
                format!("{nl}{pad}- {{ data: {data}, retention: TODO }}")
            } else {
                let inner = " ".repeat(column(text, at));
                format!("{nl}{pad}- data: {data}{nl}{inner}retention: TODO")
            };
            return Ok(Insert {
                at: end,
                text: entry,
            });
        }
        return Ok(Insert {
            at: end,
            text: format!(", {{ data: {data}, retention: TODO }}"),
        });
    }
    let node = &text[store..end_of(text, store)];
    if node.contains("holds:") {
        return Err("its `holds` is written but empty; add the entry by hand".to_owned());
    }
    if text[store..].starts_with('{') {
        return Ok(Insert {
            at: before_close(text, store),
            text: format!(", holds: [{{ data: {data}, retention: TODO }}]"),
        });
    }
    let pad = " ".repeat(column(text, store));
    Ok(Insert {
        at: end_of(text, store),
        text: format!("{nl}{pad}holds:{nl}{pad}  - data: {data}{nl}{pad}    retention: TODO"),
    })
}

/// The insertion that adds `retention: TODO` to the entry of `holds` at `holding`.
fn add_retention(text: &str, holding: usize) -> Insert {
    if text[holding..].starts_with('{') {
        return Insert {
            at: before_close(text, holding),
            text: ", retention: TODO".to_owned(),
        };
    }
    let nl = newline(text);
    let pad = " ".repeat(column(text, holding));
    Insert {
        at: end_of(text, holding),
        text: format!("{nl}{pad}retention: TODO"),
    }
}

/// An item appended to a top-level list whose last item starts at `last`, or a new
/// section at the end of the file; `block` is the item as block lines (first line
/// after `- `), `flow` as one flow mapping.
fn append_item(
    text: &str,
    section: &str,
    last: Option<usize>,
    block: &[String],
    flow: &str,
) -> Insert {
    let nl = newline(text);
    match last {
        Some(at) if in_block_sequence(text, at) => {
            let dash = " ".repeat(column(text, at).saturating_sub(2));
            let item = if text[at..].starts_with('{') {
                format!("{nl}{dash}- {flow}")
            } else {
                let inner = " ".repeat(column(text, at));
                let mut lines = format!("{nl}{dash}- {}", block[0]);
                for line in &block[1..] {
                    lines.push_str(&format!("{nl}{inner}{line}"));
                }
                lines
            };
            Insert {
                at: end_of(text, at),
                text: item,
            }
        }
        Some(at) => Insert {
            at: end_of(text, at),
            text: format!(", {flow}"),
        },
        None => {
            let lead = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                nl
            };
            let mut lines = format!("{lead}{section}:{nl}  - {}", block[0]);
            for line in &block[1..] {
                lines.push_str(&format!("{nl}    {line}"));
            }
            lines.push_str(nl);
            Insert {
                at: text.len(),
                text: lines,
            }
        }
    }
}

/// Plans the fixes of `findings` (those that carry one, and whose code `only` allows).
pub fn plan(inv: &Inventory, findings: &[Finding], only: &[String]) -> Plan {
    let decl = &inv.decl;
    let mut inserts: BTreeMap<FileId, Vec<Insert>> = BTreeMap::new();
    let mut plan = Plan::default();
    let mut skip = |f: &Finding, why: String| {
        plan.skipped.push(Skipped {
            finding: format!("{}: {}", f.code, f.message),
            why,
        })
    };
    let wanted: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.fix.is_some() && f.suppression.is_none())
        .filter(|f| only.is_empty() || only.iter().any(|c| c == f.code))
        .collect();
    // Holdings to declare, gathered per store so one entry carries them all.
    let mut holdings: BTreeMap<String, Pending<String>> = BTreeMap::new();
    let mut retention_done: Vec<Span> = Vec::new();
    let mut vendors_done: Vec<String> = Vec::new();
    let mut regions_added: Vec<(FileId, String)> = Vec::new();
    let mut flow_done: Vec<(u32, String)> = Vec::new();
    // Struct mappings to add, gathered per `code` section so one edit adds them all.
    let mut maps: BTreeMap<Span, Pending<(String, String)>> = BTreeMap::new();
    for f in &wanted {
        match f.fix.as_ref() {
            Some(Fix::DeclareHolding { store, categories }) => {
                let entry = holdings.entry(store.clone()).or_default();
                for category in categories {
                    if !entry.0.contains(category) {
                        entry.0.push(category.clone());
                    }
                }
                entry.1.push(f.fingerprint.clone());
            }
            Some(Fix::AddRetention { holding }) => {
                if retention_done.contains(holding) {
                    plan.fixed.push(f.fingerprint.clone());
                    continue;
                }
                let text = inv.sources.text(holding.file);
                let at = holding.start as usize;
                if has_anchors(&text[around(text, at)..end_of(text, at)]) {
                    skip(f, "the entry uses anchors or aliases".to_owned());
                    continue;
                }
                retention_done.push(*holding);
                inserts
                    .entry(holding.file)
                    .or_default()
                    .push(add_retention(text, at));
                plan.fixed.push(f.fingerprint.clone());
            }
            Some(Fix::AddSubprocessor {
                vendor,
                legal_name,
                country,
                near,
            }) => {
                if vendors_done.contains(vendor) {
                    plan.fixed.push(f.fingerprint.clone());
                    continue;
                }
                let file = near.file;
                let text = inv.sources.text(file);
                // A region of the vendor's country, declared or added here.
                let declared = decl.regions.iter().find(|r| {
                    inv.regions
                        .get(&r.id.value)
                        .and_then(|i| inv.regions.country(&decl.regions, i))
                        == Some(country.as_str())
                });
                let region = match declared {
                    Some(r) => r.id.value.clone(),
                    None => {
                        let id = country.to_ascii_lowercase();
                        if !regions_added.contains(&(file, id.clone())) {
                            let last = decl
                                .regions
                                .iter()
                                .filter(|r| r.span.file == file)
                                .map(|r| r.span.start as usize)
                                .max();
                            let block = vec![format!("id: {id}"), format!("country: {country}")];
                            let flow = format!("{{ id: {id}, country: {country} }}");
                            inserts
                                .entry(file)
                                .or_default()
                                .push(append_item(text, "regions", last, &block, &flow));
                            regions_added.push((file, id.clone()));
                        }
                        id
                    }
                };
                let legal = serde_json::to_string(legal_name).unwrap_or_default();
                let block = vec![
                    format!("id: {vendor}"),
                    format!("legal_name: {legal}"),
                    format!("region: {region}"),
                    "purposes: [essential.service.operations]   # TODO: what it is used for"
                        .to_owned(),
                    "dpa: true   # TODO: is a data processing agreement signed?".to_owned(),
                ];
                let flow = format!(
                    "{{ id: {vendor}, legal_name: {legal}, region: {region}, purposes: [essential.service.operations], dpa: true }}"
                );
                let last = decl
                    .subprocessors
                    .iter()
                    .filter(|s| s.common.span.file == file)
                    .map(|s| s.common.span.start as usize)
                    .max();
                inserts.entry(file).or_default().push(append_item(
                    text,
                    "subprocessors",
                    last,
                    &block,
                    &flow,
                ));
                vendors_done.push(vendor.clone());
                plan.fixed.push(f.fingerprint.clone());
            }
            Some(Fix::AddFlowCategory { flow, category }) => {
                let Some(declared) = decl.flows.iter().find(|x| x.span == *flow) else {
                    continue;
                };
                let text = inv.sources.text(flow.file);
                let at = flow.start as usize;
                if has_anchors(&text[around(text, at)..end_of(text, at)]) {
                    skip(f, "the flow uses anchors or aliases".to_owned());
                    continue;
                }
                let key = (flow.start, category.clone());
                if flow_done.contains(&key) {
                    plan.fixed.push(f.fingerprint.clone());
                    continue;
                }
                let Some(last) = declared.data.last() else {
                    continue;
                };
                let end = last.span.end as usize;
                let insert = if in_block_sequence(text, last.span.start as usize) {
                    let dash = " ".repeat(column(text, last.span.start as usize).saturating_sub(2));
                    Insert {
                        at: end,
                        text: format!("{}{dash}- {category}", newline(text)),
                    }
                } else {
                    Insert {
                        at: end,
                        text: format!(", {category}"),
                    }
                };
                flow_done.push(key);
                inserts.entry(flow.file).or_default().push(insert);
                plan.fixed.push(f.fingerprint.clone());
            }
            Some(Fix::MapStruct {
                pattern,
                to,
                section,
            }) => {
                let entry = maps.entry(*section).or_default();
                if !entry.0.iter().any(|(p, _)| p == pattern) {
                    entry.0.push((pattern.clone(), to.clone()));
                }
                entry.1.push(f.fingerprint.clone());
            }
            None => {}
        }
    }
    for (store_id, (categories, fingerprints)) in holdings {
        let Some(store) = decl.stores.iter().find(|s| s.common.id.value == store_id) else {
            continue;
        };
        let file = store.common.span.file;
        let text = inv.sources.text(file);
        let at = store.common.span.start as usize;
        if has_anchors(&text[around(text, at)..end_of(text, at)]) {
            plan.skipped.push(Skipped {
                finding: format!("store `{store_id}`"),
                why: "its declaration uses anchors or aliases".to_owned(),
            });
            continue;
        }
        let spans: Vec<Span> = store.holds.iter().map(|h| h.span).collect();
        match declare_holdings(text, at, &spans, &categories) {
            Ok(insert) => {
                inserts.entry(file).or_default().push(insert);
                plan.fixed.extend(fingerprints);
            }
            Err(why) => plan.skipped.push(Skipped {
                finding: format!("store `{store_id}`"),
                why,
            }),
        }
    }
    for (section, (mappings, fingerprints)) in maps {
        let Some(code) = decl.code.iter().find(|c| c.span == section) else {
            continue;
        };
        let text = inv.sources.text(section.file);
        let at = section.start as usize;
        let refuse = |why: &str| Skipped {
            finding: "`code.structs`".to_owned(),
            why: why.to_owned(),
        };
        if has_anchors(&text[around(text, at)..end_of(text, at)]) {
            plan.skipped
                .push(refuse("the `code` section uses anchors or aliases"));
            continue;
        }
        if code.structs.is_empty() && text[at..end_of(text, at)].contains("structs:") {
            plan.skipped.push(refuse(
                "`structs` is written but empty; add the mappings by hand",
            ));
            continue;
        }
        let nl = newline(text);
        let quoted = |p: &str| serde_json::to_string(p).unwrap_or_default();
        let insert = match code.structs.iter().map(|m| m.span.start as usize).max() {
            Some(last) if in_block_sequence(text, last) && !text[last..].starts_with('{') => {
                let dash = " ".repeat(column(text, last).saturating_sub(2));
                let inner = " ".repeat(column(text, last));
                let items: String = mappings
                    .iter()
                    .map(|(p, to)| format!("{nl}{dash}- match: {}{nl}{inner}to: {to}", quoted(p)))
                    .collect();
                Insert {
                    at: end_of(text, last),
                    text: items,
                }
            }
            Some(last) if in_block_sequence(text, last) => {
                let dash = " ".repeat(column(text, last).saturating_sub(2));
                let items: String = mappings
                    .iter()
                    .map(|(p, to)| format!("{nl}{dash}- {{ match: {}, to: {to} }}", quoted(p)))
                    .collect();
                Insert {
                    at: end_of(text, last),
                    text: items,
                }
            }
            Some(last) => {
                let items: String = mappings
                    .iter()
                    .map(|(p, to)| format!(", {{ match: {}, to: {to} }}", quoted(p)))
                    .collect();
                Insert {
                    at: end_of(text, last),
                    text: items,
                }
            }
            None if text[at..].starts_with('{') => {
                let items: Vec<String> = mappings
                    .iter()
                    .map(|(p, to)| format!("{{ match: {}, to: {to} }}", quoted(p)))
                    .collect();
                Insert {
                    at: before_close(text, at),
                    text: format!(", structs: [{}]", items.join(", ")),
                }
            }
            None => {
                let pad = " ".repeat(column(text, at));
                let items: String = mappings
                    .iter()
                    .map(|(p, to)| {
                        format!("{nl}{pad}  - match: {}{nl}{pad}    to: {to}", quoted(p))
                    })
                    .collect();
                Insert {
                    at: end_of(text, at),
                    text: format!("{nl}{pad}structs:{items}"),
                }
            }
        };
        inserts.entry(section.file).or_default().push(insert);
        plan.fixed.extend(fingerprints);
    }
    for (file, mut edits) in inserts {
        let mut text = inv.sources.text(file).to_owned();
        edits.sort_by_key(|e| std::cmp::Reverse(e.at));
        for edit in edits {
            text.insert_str(edit.at.min(text.len()), &edit.text);
        }
        plan.files.insert(file, text);
    }
    plan
}

/// A file as it was before `write` replaced it: its path and its bytes.
pub type Original = (std::path::PathBuf, Vec<u8>);

/// The bytes to write for a file's new text: its byte-order mark kept, if it had one.
fn with_bom(original: &[u8], text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len() + 3);
    if original.starts_with(b"\xEF\xBB\xBF") {
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// Replaces a file through a temporary file beside it and a rename, so that an
/// interrupted run never leaves a half-written inventory; a read-only file is refused.
fn replace_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let metadata = std::fs::metadata(path).ok();
    if metadata
        .as_ref()
        .is_some_and(|m| m.permissions().readonly())
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the file is read-only",
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    if let Some(metadata) = metadata {
        std::fs::set_permissions(temp.path(), metadata.permissions())?;
    }
    temp.persist(path).map(|_| ()).map_err(|e| e.error)
}

/// Writes a plan's files. Refuses, writing nothing, when a file changed on disk since
/// the inventory was read or cannot be written; returns what the files were before.
pub fn write(inv: &Inventory, plan: &Plan) -> Result<Vec<Original>, String> {
    let mut originals: Vec<Original> = Vec::new();
    for file in plan.files.keys() {
        let path = inv.sources.path(*file).to_path_buf();
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let on_disk = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        if on_disk != inv.sources.text(*file).as_bytes() {
            return Err(format!(
                "{} changed on disk since ropa read it; run ropa fix again",
                path.display()
            ));
        }
        originals.push((path, bytes));
    }
    for ((_, text), (path, original)) in plan.files.iter().zip(&originals) {
        if let Err(e) = replace_file(path, &with_bom(original, text)) {
            restore(&originals);
            return Err(format!("cannot write {}: {e}", path.display()));
        }
    }
    Ok(originals)
}

/// Puts files back as they were.
pub fn restore(originals: &[Original]) {
    for (path, bytes) in originals {
        let _ = replace_file(path, bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(path: &std::path::Path) -> Inventory {
        match crate::inventory::load(&[path.to_path_buf()]) {
            Ok(inventory) => inventory,
            Err(failure) => panic!("{:?}", failure.problems),
        }
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.yaml");
        let text = "version: 1\nstores:\n  - { id: db }\n";
        std::fs::write(&path, text).expect("write");
        let inv = load(&path);
        let mut plan = Plan::default();
        plan.files.insert(FileId(0), format!("{text}# edited\n"));
        std::fs::write(&path, "version: 1\n# someone else's edit\n").expect("write");
        let refused = write(&inv, &plan);
        assert!(refused.is_err_and(|why| why.contains("changed on disk")));
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "version: 1\n# someone else's edit\n"
        );
    }

    #[test]
    fn anchors_and_aliases_are_seen_outside_quotes_and_comments() {
        assert!(has_anchors("- &base { id: a }"));
        assert!(has_anchors("holds: *shared"));
        assert!(!has_anchors("name: \"R&D *team*\" # a & b"));
    }

    #[test]
    fn a_holding_joins_a_block_list_in_its_style() {
        let text = "stores:\n  - id: db\n    holds:\n      - data: [a]\n        retention: 1d\n  - id: next\n";
        let store = text.find("id: db").unwrap_or(0);
        let holding = text.find("data: [a]").unwrap_or(0);
        let span = Span {
            file: FileId(0),
            line: 4,
            column: 9,
            start: holding as u32,
            end: holding as u32 + 1,
        };
        let insert = declare_holdings(text, store, &[span], &["b".to_owned()]).expect("insert");
        let mut out = text.to_owned();
        out.insert_str(insert.at, &insert.text);
        assert_eq!(
            out,
            "stores:\n  - id: db\n    holds:\n      - data: [a]\n        retention: 1d\n      - data: [b]\n        retention: TODO\n  - id: next\n"
        );
    }

    #[test]
    fn a_flow_store_gets_a_holds_key_before_its_brace_with_crlf_kept() {
        let text = "stores:\r\n  - { id: db, region: us }\r\n";
        let store = text.find('{').unwrap_or(0);
        let insert = declare_holdings(text, store, &[], &["b".to_owned()]).expect("insert");
        let mut out = text.to_owned();
        out.insert_str(insert.at, &insert.text);
        assert_eq!(
            out,
            "stores:\r\n  - { id: db, region: us, holds: [{ data: [b], retention: TODO }] }\r\n"
        );
    }
}
