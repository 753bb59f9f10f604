//! `ropa taxonomy`: the data categories, uses and subjects an inventory may name, as
//! indented trees with each key's name and the sensitive (GDPR special) categories
//! marked; or, with a query, the keys that match it best (fuzzy, on key and name).

use crate::taxonomy::{KeyTree, Taxonomy, Tree};
use crate::text::sanitize_line;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::fmt::Write as _;

/// The trees in the order they are listed, with their headings.
const TREES: [(Tree, &str); 3] = [
    (Tree::Category, "Data categories"),
    (Tree::Use, "Data uses (purposes)"),
    (Tree::Subject, "Data subjects"),
];

fn marks(tree: &KeyTree, id: crate::taxonomy::KeyId) -> String {
    let entry = tree.entry(id);
    let mut marks = String::new();
    if entry.sensitive {
        marks.push_str("  [sensitive]");
    }
    if entry.declared_at.is_some() {
        marks.push_str("  [inventory]");
    }
    marks
}

/// Every tree (or the one in `only`), indented, depth first.
pub fn trees(taxonomy: &Taxonomy, only: Option<Tree>) -> String {
    let mut out = String::new();
    for (kind, heading) in TREES {
        if only.is_some_and(|o| o != kind) {
            continue;
        }
        let tree = taxonomy.tree(kind);
        let _ = writeln!(out, "{heading} ({}):", tree.len());
        let mut ids: Vec<_> = tree.entries().map(|(id, _)| id).collect();
        ids.sort_by_cached_key(|id| {
            tree.path(*id)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        });
        for id in ids {
            let entry = tree.entry(id);
            let indent = "  ".repeat(tree.depth(id) + 1);
            let key = format!("{indent}{}", sanitize_line(&entry.key));
            let _ = writeln!(
                out,
                "{key:<48} {}{}",
                sanitize_line(&entry.name),
                marks(tree, id)
            );
        }
        out.push('\n');
    }
    out
}

/// The keys of every tree (or the one in `only`) that match `query` best, with their
/// tree, name and marks; at most `limit`.
pub fn search(taxonomy: &Taxonomy, only: Option<Tree>, query: &str, limit: usize) -> String {
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buffer = Vec::new();
    let mut hits = Vec::new();
    for (kind, _) in TREES {
        if only.is_some_and(|o| o != kind) {
            continue;
        }
        let tree = taxonomy.tree(kind);
        for (id, entry) in tree.entries() {
            let haystack = format!("{} {}", entry.key, entry.name);
            let score = pattern.score(Utf32Str::new(&haystack, &mut buffer), &mut matcher);
            if let Some(score) = score {
                hits.push((score, kind, id));
            }
        }
    }
    // A fuzzy match far below the best one is noise (`email` in `religious belief`).
    let best = hits.iter().map(|h| h.0).max().unwrap_or(0);
    hits.retain(|h| h.0 * 4 >= best * 3);
    hits.sort_by(|a, b| {
        b.0.cmp(&a.0).then_with(|| {
            taxonomy
                .tree(a.1)
                .key(a.2)
                .len()
                .cmp(&taxonomy.tree(b.1).key(b.2).len())
        })
    });
    let mut out = String::new();
    if hits.is_empty() {
        let _ = writeln!(
            out,
            "no key matches `{}`; `ropa taxonomy` lists them all",
            sanitize_line(query)
        );
        return out;
    }
    for (_, kind, id) in hits.iter().take(limit) {
        let tree = taxonomy.tree(*kind);
        let entry = tree.entry(*id);
        let noun = match kind {
            Tree::Category => "category",
            Tree::Use => "use",
            Tree::Subject => "subject",
        };
        let key = sanitize_line(&entry.key);
        let _ = writeln!(
            out,
            "{noun:<9} {key:<44} {}{}",
            sanitize_line(&entry.name),
            marks(tree, *id)
        );
    }
    if hits.len() > limit {
        let _ = writeln!(out, "… and {} more; narrow the query", hits.len() - limit);
    }
    out
}
