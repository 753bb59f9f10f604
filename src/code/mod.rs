//! The code scanner's foundation: walking the configured source roots and reading the
//! facts of every Rust file in parallel on all cores. A file that cannot be read, is not
//! UTF-8, is too large or does not parse becomes a warning and is skipped. Nothing
//! scanned is ever built or executed.

pub mod classify;
pub mod facts;
pub mod walk;

use facts::{FieldFact, Position};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Largest Rust file the scanner reads: 10 MiB (generated code beyond that is skipped).
pub const MAX_SOURCE_BYTES: u64 = 10 * 1024 * 1024;

/// One scanned file's facts.
#[derive(Clone, Debug)]
pub struct FileFacts {
    pub path: PathBuf,
    pub fields: Vec<FieldFact>,
}

/// A file or directory that was skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedSource {
    pub path: PathBuf,
    pub reason: String,
    pub at: Option<Position>,
}

/// Everything one scan found.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    pub files: Vec<FileFacts>,
    pub skipped: Vec<SkippedSource>,
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

/// Reads and parses one file; the error says why it was skipped.
fn scan_file(root: &Path, path: &Path) -> Result<FileFacts, SkippedSource> {
    let skip = |reason: String, at: Option<Position>| SkippedSource {
        path: path.to_path_buf(),
        reason,
        at,
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
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() as u32 + 1;
        let start = valid.len() as u32;
        skip(
            "not valid UTF-8".to_owned(),
            Some(Position {
                line,
                column: 1,
                start,
                end: start + 1,
            }),
        )
    })?;
    let result = facts::collect(&text, &module_path(root, path)).map(|f| f.fields);
    // Spans index a per-thread source map that grows with every file; positions are
    // already computed, so free it before the next file.
    proc_macro2::extra::invalidate_current_thread_spans();
    match result {
        Ok(fields) => Ok(FileFacts {
            path: path.to_path_buf(),
            fields,
        }),
        Err(problem) => Err(skip(
            format!("does not parse as Rust: {}", problem.message),
            problem.at,
        )),
    }
}

/// Scans the Rust files under each root (excluding `excluded`), in parallel.
pub fn scan(roots: &[PathBuf], excluded: &globset::GlobSet) -> Scan {
    let mut scan = Scan::default();
    let mut work: Vec<(PathBuf, PathBuf)> = Vec::new();
    for root in roots {
        if !root.is_dir() {
            scan.skipped.push(SkippedSource {
                path: root.clone(),
                reason: "source root does not exist or is not a directory".to_owned(),
                at: None,
            });
            continue;
        }
        let (files, problems) = walk::rust_files(root, excluded);
        work.extend(files.into_iter().map(|f| (root.clone(), f)));
        scan.skipped
            .extend(problems.into_iter().map(|p| SkippedSource {
                path: p.path,
                reason: format!("cannot read: {}", p.message),
                at: None,
            }));
    }
    let results: Vec<Result<FileFacts, SkippedSource>> = work
        .par_iter()
        .map(|(root, path)| scan_file(root, path))
        .collect();
    for result in results {
        match result {
            Ok(file) => scan.files.push(file),
            Err(skipped) => scan.skipped.push(skipped),
        }
    }
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
            &walk::excludes(&[]).expect("globs"),
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
            &walk::excludes(&[]).expect("globs"),
        );
        assert!(scan.files.is_empty());
        assert_eq!(scan.skipped.len(), 1);
    }
}
