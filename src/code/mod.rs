//! The code scanner's foundation: walking the configured source roots and reading the
//! facts of every Rust file in parallel on all cores. A file that cannot be read, is not
//! UTF-8, is too large or does not parse becomes a warning and is skipped. Nothing
//! scanned is ever built or executed.

pub mod classify;
pub mod evaluation;
pub mod facts;
pub mod manifest;
pub mod prescan;
pub mod sections;
pub mod verdicts;
pub mod walk;

use crate::source::{FileId, SourceMap};
use facts::{FieldFact, LogCall, Position};
use manifest::Dependency;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Largest Rust file the scanner reads: 10 MiB (generated code beyond that is skipped).
pub const MAX_SOURCE_BYTES: u64 = 10 * 1024 * 1024;

/// One scanned Rust file's facts; its text is registered in the run's [`SourceMap`]
/// when it has any, so findings can quote it.
#[derive(Clone, Debug)]
pub struct FileFacts {
    pub path: PathBuf,
    pub source: Option<FileId>,
    pub fields: Vec<FieldFact>,
    pub logs: Vec<LogCall>,
    /// Structs that are database rows (see [`facts::SourceFacts::persisted`]).
    pub persisted: Vec<String>,
    /// Large literals that were blanked and not read.
    pub elided: Vec<prescan::Elision>,
}

impl FileFacts {
    /// Whether `field` is the one field of a newtype (`AccountId(String).0`). A newtype
    /// is stored inside the structs that use it, so those are what a mapping names and
    /// what the checks judge; the newtype itself is never reported as unmapped.
    pub fn is_newtype_field(&self, field: &FieldFact) -> bool {
        field.variant.is_none()
            && field.name == "0"
            && !self.fields.iter().any(|other| {
                other.item == field.item && other.module == field.module && other.name == "1"
            })
    }
}

/// One `Cargo.toml`'s dependencies.
#[derive(Clone, Debug)]
pub struct ManifestFacts {
    pub path: PathBuf,
    pub source: FileId,
    pub dependencies: Vec<Dependency>,
}

/// A file or directory that was skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedSource {
    pub path: PathBuf,
    pub reason: String,
    pub at: Option<Position>,
    /// The file's text, when it could be read, so a finding can quote the position.
    pub source: Option<FileId>,
}

/// Everything one scan found.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    pub files: Vec<FileFacts>,
    pub manifests: Vec<ManifestFacts>,
    pub skipped: Vec<SkippedSource>,
}

impl Scan {
    /// Every field with the file it was found in, in file order.
    pub fn fields(&self) -> impl Iterator<Item = (&FileFacts, &FieldFact)> {
        self.files
            .iter()
            .flat_map(|file| file.fields.iter().map(move |field| (file, field)))
    }
}

/// Told how a scan advances, so the caller can show progress. Called from worker
/// threads.
pub trait Progress: Sync {
    /// The walk is done; `files` files will be read.
    fn start(&self, files: usize);
    /// One more file was read.
    fn advance(&self);
    /// The scan is complete.
    fn finish(&self);
}

/// Progress that nobody watches.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: usize) {}
    fn advance(&self) {}
    fn finish(&self) {}
}

/// The module path of a file below a crate's `src/`: `src/models/user.rs` is
/// `models::user`; `lib.rs`, `main.rs` and `mod.rs` name their directory.
pub fn module_path(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file);
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if let Some(src) = parts.iter().rposition(|p| p == "src") {
        parts.drain(..=src);
    }
    if let Some(last) = parts.pop() {
        let stem = last.strip_suffix(".rs").unwrap_or(&last).to_owned();
        let is_root = parts.is_empty() && (stem == "lib" || stem == "main");
        if stem != "mod" && !is_root {
            parts.push(stem);
        }
    }
    parts.join("::")
}

/// What reading one file produced, before its text is registered.
enum FileResult {
    Rust {
        text: String,
        facts: facts::SourceFacts,
    },
    Manifest {
        text: String,
        dependencies: Vec<Dependency>,
    },
    Skipped {
        reason: String,
        at: Option<Position>,
        text: Option<String>,
    },
}

/// Reads a file as UTF-8 text within the size limit.
fn read_text(path: &Path) -> Result<String, FileResult> {
    let skip = |reason: String, at: Option<Position>| FileResult::Skipped {
        reason,
        at,
        text: None,
    };
    let metadata = std::fs::metadata(path).map_err(|e| skip(format!("cannot read: {e}"), None))?;
    if metadata.len() > MAX_SOURCE_BYTES {
        return Err(skip(
            format!(
                "{:.1} MiB is over the scanner's limit of {} MiB per file",
                metadata.len() as f64 / (1024.0 * 1024.0),
                MAX_SOURCE_BYTES / (1024 * 1024)
            ),
            None,
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| skip(format!("cannot read: {e}"), None))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid_up_to = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        // Everything before the first bad byte is valid UTF-8.
        let valid = std::str::from_utf8(&bytes[..valid_up_to]).unwrap_or_default();
        let (line, column) = crate::text::LineIndex::new(valid, crate::text::LineBreaks::LineFeed)
            .position(valid, valid.len());
        // The text is kept with the bad bytes replaced, so a finding can quote the line:
        // everything before the first bad byte keeps its offsets, and the replacement
        // character that stands for it spans three bytes.
        let start = valid_up_to as u32;
        FileResult::Skipped {
            reason: "not valid UTF-8".to_owned(),
            at: Some(Position {
                line: line as u32,
                column: column as u32,
                start,
                end: start + '\u{fffd}'.len_utf8() as u32,
            }),
            text: Some(String::from_utf8_lossy(&bytes).into_owned()),
        }
    })
}

/// Reads and parses one file; `include_tests` reads `#[cfg(test)]` items too.
fn scan_file(root: &Path, path: &Path, include_tests: bool) -> FileResult {
    let text = match read_text(path) {
        Ok(text) => text,
        Err(skipped) => return skipped,
    };
    if walk::is_manifest(path) {
        return match manifest::dependencies(&text) {
            Ok(dependencies) => FileResult::Manifest { text, dependencies },
            Err(problem) => FileResult::Skipped {
                reason: problem.message,
                at: problem.at,
                text: Some(text),
            },
        };
    }
    let result = facts::collect_with(&text, &module_path(root, path), include_tests);
    // Spans index a per-thread source map that grows with every file; positions are
    // already computed, so free it before the next file.
    proc_macro2::extra::invalidate_current_thread_spans();
    match result {
        Ok(facts) => FileResult::Rust { text, facts },
        Err(problem) => FileResult::Skipped {
            reason: problem.message,
            at: problem.at,
            text: Some(text),
        },
    }
}

/// Reads every file of `work` in parallel on threads with a stack large enough for the
/// deepest file the prescan lets through, as many as the caller's rayon pool has (all
/// cores, or `RAYON_NUM_THREADS`, or one inside a one-thread pool).
fn scan_all(
    work: &[(PathBuf, PathBuf)],
    include_tests: bool,
    progress: &dyn Progress,
) -> Vec<FileResult> {
    let read = |(root, path): &(PathBuf, PathBuf)| {
        let result = scan_file(root, path, include_tests);
        progress.advance();
        result
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .thread_name(|i| format!("ropa-scan-{i}"))
        .stack_size(facts::PARSER_STACK_BYTES)
        .build()
    {
        Ok(pool) => pool.install(|| work.par_iter().map(read).collect()),
        // No threads to be had: one file at a time, each on a thread of its own.
        Err(_) => work
            .iter()
            .map(|item| {
                facts::on_parser_stack(|| read(item)).unwrap_or_else(|e| FileResult::Skipped {
                    reason: format!("no thread to parse it on ({e})"),
                    at: None,
                    text: None,
                })
            })
            .collect(),
    }
}

/// Scans the Rust files and manifests under each root that `filter` lets through, in
/// parallel. Files with facts are registered in `sources`.
pub fn scan(
    roots: &[PathBuf],
    filter: &walk::SourceFilter,
    sources: &mut SourceMap,
    progress: &dyn Progress,
) -> Scan {
    let mut scan = Scan::default();
    let mut work: Vec<(PathBuf, PathBuf)> = Vec::new();
    for root in roots {
        if !root.is_dir() {
            scan.skipped.push(SkippedSource {
                path: root.clone(),
                reason: "source root does not exist or is not a directory".to_owned(),
                at: None,
                source: None,
            });
            continue;
        }
        let (files, problems) = walk::source_files(root, filter);
        work.extend(files.into_iter().map(|f| (root.clone(), f)));
        scan.skipped
            .extend(problems.into_iter().map(|p| SkippedSource {
                path: p.path,
                reason: format!("cannot read: {}", p.message),
                at: None,
                source: None,
            }));
    }
    progress.start(work.len());
    let results = scan_all(&work, filter.include_tests, progress);
    for ((_, path), result) in work.into_iter().zip(results) {
        match result {
            FileResult::Rust { text, facts } => {
                let has_facts =
                    !facts.fields.is_empty() || !facts.logs.is_empty() || !facts.elided.is_empty();
                let source = has_facts.then(|| sources.add(&path, text));
                scan.files.push(FileFacts {
                    path,
                    source,
                    fields: facts.fields,
                    logs: facts.logs,
                    elided: facts.elided,
                    persisted: facts.persisted,
                });
            }
            FileResult::Manifest { text, dependencies } => {
                let source = sources.add(&path, text);
                scan.manifests.push(ManifestFacts {
                    path,
                    source,
                    dependencies,
                });
            }
            FileResult::Skipped { reason, at, text } => {
                let source = text.map(|text| sources.add(&path, text));
                scan.skipped.push(SkippedSource {
                    path,
                    reason,
                    at,
                    source,
                });
            }
        }
    }
    progress.finish();
    scan
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn module_paths_follow_the_file_layout() {
        let root = Path::new("/repo");
        assert_eq!(module_path(root, Path::new("/repo/src/lib.rs")), "");
        assert_eq!(
            module_path(root, Path::new("/repo/src/models/user.rs")),
            "models::user"
        );
        assert_eq!(
            module_path(root, Path::new("/repo/src/models/mod.rs")),
            "models"
        );
        assert_eq!(
            module_path(root, Path::new("/repo/crates/api/src/main.rs")),
            ""
        );
    }

    #[test]
    fn bad_files_are_skipped_with_a_reason_and_the_rest_scanned() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("src");
        fs::create_dir_all(&src).expect("mkdir");
        fs::write(
            src.join("good.rs"),
            "pub struct User { pub email: String }\n",
        )
        .expect("write");
        fs::write(src.join("empty.rs"), "").expect("write");
        fs::write(
            src.join("broken.rs"),
            "pub struct User {\n  email String\n}\n",
        )
        .expect("write");
        fs::write(src.join("latin1.rs"), b"// caf\xe9\n".as_slice()).expect("write");
        let big = fs::File::create(src.join("huge.rs")).expect("create");
        big.set_len(MAX_SOURCE_BYTES + 1).expect("sparse");
        let scan = scan(
            &[dir.path().to_path_buf()],
            &walk::SourceFilter::default(),
            &mut SourceMap::new(),
            &NoProgress,
        );
        let scanned: Vec<_> = scan
            .files
            .iter()
            .map(|f| {
                (
                    f.path.file_name().map(|n| n.to_string_lossy().into_owned()),
                    f.fields.len(),
                )
            })
            .collect();
        assert_eq!(
            scanned,
            [(Some("empty.rs".into()), 0), (Some("good.rs".into()), 1)]
        );
        let mut reasons: Vec<_> = scan
            .skipped
            .iter()
            .map(|s| {
                (
                    s.path.file_name().map(|n| n.to_string_lossy().into_owned()),
                    s.at.map(|a| a.line),
                )
            })
            .collect();
        reasons.sort();
        assert_eq!(
            reasons,
            [
                (Some("broken.rs".into()), Some(2)),
                (Some("huge.rs".into()), None),
                (Some("latin1.rs".into()), Some(1))
            ]
        );
        assert!(scan.skipped.iter().any(|s| s.reason.contains("10 MiB")));
    }

    #[test]
    fn a_missing_root_is_reported() {
        let scan = scan(
            &[PathBuf::from("/definitely/not/here")],
            &walk::SourceFilter::default(),
            &mut SourceMap::new(),
            &NoProgress,
        );
        assert!(scan.files.is_empty());
        assert_eq!(scan.skipped.len(), 1);
    }
}
