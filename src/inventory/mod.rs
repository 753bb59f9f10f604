//! The YAML data inventory: finding its files, parsing and decoding them with spans,
//! and validating references across files. [`load`] is the entry point.

pub mod decode;
pub mod files;
pub mod keys;
pub mod model;
pub mod regions;
pub mod schema;
pub mod select;
pub mod validate;

use crate::finding::Finding;
use crate::source::{FileId, SourceMap};
use crate::taxonomy::Taxonomy;
use model::{Declarations, NodeCommon, NodeKind};
use regions::Regions;
use std::collections::HashMap;
use std::path::PathBuf;

/// Where a node id points: its kind and index within that kind's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeRef {
    pub kind: NodeKind,
    pub index: usize,
}

pub type NodeIndex = HashMap<String, NodeRef>;

/// A loaded, validated inventory.
pub struct Inventory {
    pub sources: SourceMap,
    pub decl: Declarations,
    pub taxonomy: Taxonomy,
    pub regions: Regions,
    pub nodes: NodeIndex,
}

/// Loading failed: every problem found, and the files they point into.
pub struct LoadFailure {
    pub sources: SourceMap,
    pub problems: Vec<Finding>,
}

impl Inventory {
    /// The shared fields of the node a reference resolves to.
    pub fn node(&self, node: NodeRef) -> &NodeCommon {
        let d = &self.decl;
        match node.kind {
            NodeKind::Subject => &d.subjects[node.index].common,
            NodeKind::System => &d.systems[node.index].common,
            NodeKind::Store => &d.stores[node.index].common,
            NodeKind::Subprocessor => &d.subprocessors[node.index].common,
            NodeKind::ThirdParty => &d.third_parties[node.index].common,
        }
    }

    pub fn lookup(&self, id: &str) -> Option<NodeRef> {
        self.nodes.get(id).copied()
    }

    /// Claim ids that rules and declarations cite, for coverage reports.
    pub fn cited_claims(&self) -> Vec<String> {
        let d = &self.decl;
        let mut claims: Vec<String> = d
            .rules
            .iter()
            .flat_map(|r| &r.claims)
            .chain(d.flows.iter().flat_map(|f| &f.claims))
            .chain(d.stores.iter().flat_map(|s| {
                s.holds
                    .iter()
                    .flat_map(|h| &h.claims)
                    .chain(s.backups.iter().flat_map(|b| &b.claims))
            }))
            .chain(self.all_nodes().flat_map(|n| &n.claims))
            .map(|c| c.value.clone())
            .collect();
        claims.sort();
        claims.dedup();
        claims
    }

    /// Every declared node's shared fields, in declaration order by kind.
    pub fn all_nodes(&self) -> impl Iterator<Item = &NodeCommon> {
        let d = &self.decl;
        d.subjects
            .iter()
            .map(|n| &n.common)
            .chain(d.systems.iter().map(|n| &n.common))
            .chain(d.stores.iter().map(|n| &n.common))
            .chain(d.subprocessors.iter().map(|n| &n.common))
            .chain(d.third_parties.iter().map(|n| &n.common))
    }
}

/// One decoded file: its text, what it declares and the problems found in it.
type Decoded = (String, Declarations, Vec<Finding>);

/// Where a decoded file is kept until both loads have it.
type Slot = std::sync::Arc<std::sync::OnceLock<Decoded>>;

/// Decoded files shared by the loads of two versions of one inventory (`ropa diff`): a
/// file at the same place in the file list with the same text is parsed and decoded
/// once, by whichever load reaches it first, and copied for the other.
#[derive(Default)]
pub struct SharedDecodes {
    slots: std::sync::Mutex<HashMap<(usize, u64), Slot>>,
}

impl SharedDecodes {
    fn slot(&self, file: FileId, text: &str) -> Slot {
        use std::hash::Hasher;
        let mut hasher = fnv::FnvHasher::default();
        hasher.write(text.as_bytes());
        let key = (file.0, hasher.finish());
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slots.entry(key).or_default().clone()
    }
}

/// Parses and decodes each file on its own, spread over the machine's cores; results
/// come back in file order, so output does not depend on scheduling.
fn parse_all(
    sources: &SourceMap,
    files: &[FileId],
    shared: Option<&SharedDecodes>,
) -> Vec<(Declarations, Vec<Finding>)> {
    let decode = |file: FileId| {
        let mut decl = Declarations::default();
        let mut problems = Vec::new();
        match crate::yaml::parse(sources.text(file), file) {
            Ok(root) => decode::Decoder::new(file, &mut problems).decode_file(&root, &mut decl),
            Err(problem) => problems.push(*problem),
        }
        (decl, problems)
    };
    let parse_one = |file: FileId| {
        let Some(shared) = shared else {
            return decode(file);
        };
        let text = sources.text(file);
        let slot = shared.slot(file, text);
        let (decoded_text, decl, problems) = slot.get_or_init(|| {
            let (decl, problems) = decode(file);
            (text.to_owned(), decl, problems)
        });
        if decoded_text == text {
            (decl.clone(), problems.clone())
        } else {
            decode(file) // a hash collision: not the same file after all
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    if threads <= 1 {
        return files.iter().map(|f| parse_one(*f)).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|f| parse_one(*f)).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// An id that resolves nowhere but is declared in a `.yaml` file beside the loaded
/// ones (one file of a multi-file inventory checked alone): says which file, and to
/// pass the folder.
fn point_at_siblings(sources: &SourceMap, problems: &mut [Finding]) {
    if !problems.iter().any(|p| p.code == "unknown-reference") {
        return;
    }
    let loaded: Vec<PathBuf> = (0..sources.len())
        .map(|i| sources.path(FileId(i)).to_path_buf())
        .collect();
    let siblings: Vec<(PathBuf, String)> = files::siblings_not_loaded(&loaded)
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|text| (p, text)))
        .collect();
    if siblings.is_empty() {
        return;
    }
    for problem in problems
        .iter_mut()
        .filter(|p| p.code == "unknown-reference")
    {
        let Some(span) = problem.span else { continue };
        let Some(id) = sources
            .text(span.file)
            .get(span.start as usize..span.end as usize)
            .map(str::to_owned)
        else {
            continue;
        };
        let declares = |text: &str| {
            text.lines().any(|line| {
                let line = line.trim_start().trim_start_matches(['-', ' ', '{']);
                line.strip_prefix("id:")
                    .map(|rest| rest.trim_start())
                    .is_some_and(|rest| {
                        rest.strip_prefix(id.as_str()).is_some_and(|after| {
                            after.is_empty() || after.starts_with([',', ' ', '}', '#'])
                        })
                    })
            })
        };
        if let Some((path, _)) = siblings.iter().find(|(_, text)| declares(text)) {
            let folder = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| ".".to_owned(), |d| d.display().to_string());
            problem.help = Some(format!(
                "`{id}` is declared in {}, which was not loaded: check the whole folder (`ropa check {folder}`) so every file of the inventory is read",
                path.display()
            ));
        }
    }
}

/// Loads the inventory at `paths` (files or directories). Reads and checks every file
/// before reporting, so all problems come out together.
pub fn load(paths: &[PathBuf]) -> Result<Inventory, LoadFailure> {
    load_shared(paths, None)
}

/// [`load`], reusing the files `shared` already decoded for another version of the
/// inventory.
pub fn load_shared(
    paths: &[PathBuf],
    shared: Option<&SharedDecodes>,
) -> Result<Inventory, LoadFailure> {
    let mut problems = Vec::new();
    let mut sources = SourceMap::new();
    let mut files = Vec::new();
    for path in files::discover(paths, &mut problems) {
        match files::read(&path, &mut sources) {
            Ok(file) => files.push(file),
            Err(problem) => problems.push(*problem),
        }
    }
    let mut decl = Declarations::default();
    for (file_decl, file_problems) in parse_all(&sources, &files, shared) {
        decl.append(file_decl);
        problems.extend(file_problems);
    }
    if !problems.is_empty() {
        crate::finding::sort_findings(&mut problems);
        return Err(LoadFailure { sources, problems });
    }
    let mut taxonomy = Taxonomy::builtin();
    let resolved = validate::validate(&decl, &mut taxonomy, &mut problems);
    point_at_siblings(&sources, &mut problems);
    if !problems.is_empty() {
        crate::finding::sort_findings(&mut problems);
        return Err(LoadFailure { sources, problems });
    }
    Ok(Inventory {
        sources,
        decl,
        taxonomy,
        regions: resolved.regions,
        nodes: resolved.nodes,
    })
}
