//! The data taxonomy: fideslang's data categories, data uses (purposes) and data subjects
//! built in (from `fideslang.tsv`), extended by an inventory's `taxonomy` section, with
//! parent matching ("`user.contact` matches `user.contact.email`") and GDPR special
//! categories flagged as sensitive.

use crate::source::Span;
use std::collections::HashMap;

const BUILTIN: &str = include_str!("fideslang.tsv");

/// Which of the three trees a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tree {
    Category,
    Use,
    Subject,
}

impl Tree {
    pub fn noun(self) -> &'static str {
        match self {
            Tree::Category => "data category",
            Tree::Use => "data use (purpose)",
            Tree::Subject => "data subject",
        }
    }
}

/// Interned index of a key within its tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub u32);

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    pub name: String,
    pub parent: Option<KeyId>,
    /// A GDPR Art. 9/10 special category, itself or through an ancestor.
    pub sensitive: bool,
    /// Where an inventory declared it; `None` for built-in keys.
    pub declared_at: Option<Span>,
}

/// One tree of keys.
#[derive(Clone, Debug, Default)]
pub struct KeyTree {
    entries: Vec<Entry>,
    index: HashMap<String, KeyId>,
}

impl KeyTree {
    pub fn get(&self, key: &str) -> Option<KeyId> {
        self.index.get(key).copied()
    }

    pub fn entry(&self, id: KeyId) -> &Entry {
        &self.entries[id.0 as usize]
    }

    pub fn key(&self, id: KeyId) -> &str {
        &self.entries[id.0 as usize].key
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, in the order it was added (built-in keys first).
    pub fn entries(&self) -> impl Iterator<Item = (KeyId, &Entry)> {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, e)| (KeyId(i as u32), e))
    }

    /// How many ancestors a key has (0 for a root).
    pub fn depth(&self, id: KeyId) -> usize {
        let mut depth = 0;
        let mut current = self.entries[id.0 as usize].parent;
        while let Some(c) = current {
            depth += 1;
            current = self.entries[c.0 as usize].parent;
            if depth > self.entries.len() {
                break; // a cycle, which the validator reports
            }
        }
        depth
    }

    /// The keys from the root down to `id`, for sorting a tree depth first.
    pub fn path(&self, id: KeyId) -> Vec<&str> {
        let mut chain = vec![self.key(id)];
        let mut current = self.entries[id.0 as usize].parent;
        while let Some(c) = current {
            if chain.len() > self.entries.len() {
                break;
            }
            chain.push(self.key(c));
            current = self.entries[c.0 as usize].parent;
        }
        chain.reverse();
        chain
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }

    /// True when `id` is `ancestor` or lies below it.
    pub fn is_under(&self, id: KeyId, ancestor: KeyId) -> bool {
        let mut current = Some(id);
        while let Some(c) = current {
            if c == ancestor {
                return true;
            }
            current = self.entries[c.0 as usize].parent;
        }
        false
    }

    /// The key someone most likely meant by `word`: first a key whose last segment is
    /// the word's last segment (`user.email` and `email` → `user.contact.email`),
    /// preferring one that shares the word's first segment, then the shortest; else the
    /// closest spelling.
    pub fn closest(&self, word: &str) -> Option<&str> {
        let last = word.rsplit('.').next().unwrap_or(word);
        let first = word.split('.').next().unwrap_or(word);
        let by_segment = self
            .keys()
            .filter(|k| k.rsplit('.').next() == Some(last) && *k != word)
            .min_by_key(|k| (!k.starts_with(&format!("{first}.")), k.len(), *k));
        by_segment.or_else(|| crate::text::closest(word, self.keys()))
    }

    pub fn is_sensitive(&self, id: KeyId) -> bool {
        self.entries[id.0 as usize].sensitive
    }

    /// Adds a key; its parent must already exist (or be given explicitly).
    pub fn insert(
        &mut self,
        key: &str,
        name: &str,
        parent: Option<KeyId>,
        declared_at: Option<Span>,
    ) -> KeyId {
        if let Some(existing) = self.index.get(key) {
            return *existing;
        }
        let id = KeyId(self.entries.len() as u32);
        let sensitive = parent.is_some_and(|p| self.is_sensitive(p));
        self.entries.push(Entry {
            key: key.to_owned(),
            name: name.to_owned(),
            parent,
            sensitive,
            declared_at,
        });
        self.index.insert(key.to_owned(), id);
        id
    }

    fn mark_sensitive(&mut self, id: KeyId) {
        self.entries[id.0 as usize].sensitive = true;
        // Descendants inserted later inherit the flag; earlier ones are fixed up here.
        for index in 0..self.entries.len() {
            if self.is_under(KeyId(index as u32), id) {
                self.entries[index].sensitive = true;
            }
        }
    }
}

/// The three trees together.
#[derive(Clone, Debug, Default)]
pub struct Taxonomy {
    pub categories: KeyTree,
    pub uses: KeyTree,
    pub subjects: KeyTree,
}

impl Taxonomy {
    /// The fideslang default taxonomy with special categories flagged.
    pub fn builtin() -> Self {
        let mut taxonomy = Taxonomy::default();
        for line in BUILTIN
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let mut fields = line.split('\t');
            let (Some(kind), Some(key), Some(name)) = (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let tree = match kind {
                "category" => &mut taxonomy.categories,
                "use" => &mut taxonomy.uses,
                "subject" => &mut taxonomy.subjects,
                "sensitive" => {
                    if let Some(id) = taxonomy.categories.get(key) {
                        taxonomy.categories.mark_sensitive(id);
                    }
                    continue;
                }
                _ => continue,
            };
            let parent = key.rsplit_once('.').and_then(|(p, _)| tree.get(p));
            tree.insert(key, name, parent, None);
        }
        taxonomy
    }

    pub fn tree(&self, tree: Tree) -> &KeyTree {
        match tree {
            Tree::Category => &self.categories,
            Tree::Use => &self.uses,
            Tree::Subject => &self.subjects,
        }
    }

    pub fn tree_mut(&mut self, tree: Tree) -> &mut KeyTree {
        match tree {
            Tree::Category => &mut self.categories,
            Tree::Use => &mut self.uses,
            Tree::Subject => &mut self.subjects,
        }
    }

    /// Marks a category (and all below it) sensitive; used by inventory extensions.
    pub fn mark_sensitive(&mut self, id: KeyId) {
        self.categories.mark_sensitive(id);
    }

    /// Whether a category is personal data: anything under `user`.
    pub fn is_personal(&self, id: KeyId) -> bool {
        self.categories
            .get("user")
            .is_some_and(|user| self.categories.is_under(id, user))
    }
}

/// A rule's selection of data categories or uses: keys that match themselves and all
/// their descendants, or the word `sensitive` for every special category.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    pub keys: Vec<KeyId>,
    pub sensitive: bool,
}

impl Selector {
    pub fn matches(&self, tree: &KeyTree, id: KeyId) -> bool {
        (self.sensitive && tree.is_sensitive(id)) || self.keys.iter().any(|k| tree.is_under(id, *k))
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && !self.sensitive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_reads_the_last_segment_first() {
        let t = Taxonomy::builtin();
        let c = &t.categories;
        assert_eq!(c.closest("user.email"), Some("user.contact.email"));
        assert_eq!(c.closest("email"), Some("user.contact.email"));
        assert_eq!(c.closest("user.contact.emial"), Some("user.contact.email"));
        assert_eq!(
            c.closest("user.phone_number"),
            Some("user.contact.phone_number")
        );
    }

    #[test]
    fn builtin_has_every_fideslang_key() {
        let t = Taxonomy::builtin();
        assert_eq!(t.categories.len(), 85);
        assert_eq!(t.uses.len(), 54);
        assert_eq!(t.subjects.len(), 15);
    }

    #[test]
    fn parent_matching_and_sensitivity() {
        let t = Taxonomy::builtin();
        let c = &t.categories;
        let email = c.get("user.contact.email").unwrap();
        assert!(c.is_under(email, c.get("user.contact").unwrap()));
        assert!(c.is_under(email, c.get("user").unwrap()));
        assert!(!c.is_under(email, c.get("user.name").unwrap()));
        assert!(c.is_sensitive(c.get("user.health_and_medical.genetic").unwrap()));
        assert!(!c.is_sensitive(email));
        assert!(t.is_personal(email));
        assert!(!t.is_personal(c.get("system.operations").unwrap()));
    }

    #[test]
    fn selector_matches_sensitive_word() {
        let t = Taxonomy::builtin();
        let selector = Selector {
            keys: vec![],
            sensitive: true,
        };
        let religion = t
            .categories
            .get("user.demographic.religious_belief")
            .unwrap();
        assert!(selector.matches(&t.categories, religion));
    }
}
