//! Finding and reading inventory files: a path is a file or a directory (whose `*.yaml`
//! and `*.yml` files are read in name order). Enforces the size limit and UTF-8, and
//! turns every I/O failure into a finding that names the path.

use crate::finding::Finding;
use crate::source::{FileId, SourceMap, Span};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest inventory file ropa reads: 64 MiB. Split larger inventories across files.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Expands the given paths into the list of inventory files to read.
pub fn discover(paths: &[PathBuf], problems: &mut Vec<Finding>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    // The same file named twice (or as a file and through its folder) is read once.
    let mut seen = std::collections::HashSet::new();
    let mut add = |files: &mut Vec<PathBuf>, path: PathBuf| {
        let identity = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(identity) {
            files.push(path);
        }
    };
    for path in paths {
        let shown = path.display().to_string();
        let metadata = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(
                    Finding::input("missing-path", format!("`{shown}` does not exist"))
                        .in_file(shown)
                        .with_help("pass an inventory file or a directory of `.yaml` files; `ropa check` with no path reads `./inventory`"),
                );
                continue;
            }
            Err(e) => {
                problems.push(unreadable(&shown, &e));
                continue;
            }
        };
        if metadata.is_dir() {
            match yaml_files_in(path) {
                Ok(found) if found.is_empty() => problems.push(
                    Finding::input(
                        "no-inventory",
                        format!("directory `{shown}` has no `.yaml` or `.yml` files"),
                    )
                    .in_file(shown)
                    .with_help(
                        "ropa reads the `*.yaml` and `*.yml` files directly inside the directory",
                    ),
                ),
                Ok(found) => found.into_iter().for_each(|f| add(&mut files, f)),
                Err(e) => problems.push(unreadable(&shown, &e)),
            }
        } else {
            add(&mut files, path.clone());
        }
    }
    files
}

/// The `*.yaml` files beside the given files that were not given themselves: where a
/// reference that resolves nowhere may be declared.
pub fn siblings_not_loaded(loaded: &[PathBuf]) -> Vec<PathBuf> {
    let identity = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let loaded_ids: std::collections::HashSet<PathBuf> =
        loaded.iter().map(|p| identity(p)).collect();
    let mut dirs: Vec<PathBuf> = loaded
        .iter()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs.iter()
        .filter_map(|dir| {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir.as_path()
            };
            yaml_files_in(dir).ok()
        })
        .flatten()
        .filter(|p| !loaded_ids.contains(&identity(p)))
        .collect()
}

fn yaml_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        let yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yaml" || e == "yml");
        if yaml && !hidden {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

fn unreadable(shown: &str, error: &std::io::Error) -> Finding {
    Finding::input("unreadable", format!("cannot read `{shown}`: {error}"))
        .in_file(shown.to_owned())
        .with_help("check that the path is a readable regular file (permissions, not a directory or device)")
}

/// Reads one file into the source map. Returns its id and text, or the reason it
/// cannot be used (the file is still registered when there is text to point into).
pub fn read(path: &Path, sources: &mut SourceMap) -> Result<FileId, Box<Finding>> {
    let shown = path.display().to_string();
    let metadata = fs::metadata(path).map_err(|e| Box::new(unreadable(&shown, &e)))?;
    if !metadata.is_file() {
        return Err(Box::new(
            Finding::input(
                "unreadable",
                format!("cannot read `{shown}`: not a regular file"),
            )
            .in_file(shown)
            .with_help("inventory paths name regular files or directories of them"),
        ));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(Box::new(too_large(&shown, metadata.len())));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    let file = fs::File::open(path).map_err(|e| Box::new(unreadable(&shown, &e)))?;
    // Read one byte past the limit so a file that grew after `metadata` is still caught.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Box::new(unreadable(&shown, &e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Box::new(too_large(&shown, bytes.len() as u64)));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(sources.add(path, text)),
        Err(e) => {
            let valid_up_to = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let prefix = &e.as_bytes()[..valid_up_to];
            let line = prefix.iter().filter(|b| **b == b'\n').count() as u32 + 1;
            let line_start = prefix
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&prefix[line_start..])
                .chars()
                .count() as u32
                + 1;
            // The lossy text replaces the bad byte with U+FFFD (3 bytes) at the same offset.
            let start = valid_up_to as u32;
            let id = sources.add(path, text);
            let span = Span {
                file: id,
                line,
                column,
                start,
                end: start + 3,
            };
            Err(Box::new(
                Finding::input("invalid-utf8", format!("`{shown}` is not valid UTF-8"))
                    .at(span, "invalid byte here")
                    .with_help("save the file as UTF-8"),
            ))
        }
    }
}

fn too_large(shown: &str, size: u64) -> Finding {
    Finding::input(
        "input-limit",
        format!(
            "`{shown}` is {:.1} MiB, over the limit of {} MiB per inventory file",
            size as f64 / (1024.0 * 1024.0),
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
    .in_file(shown.to_owned())
    .with_help("split the inventory across several files in one directory")
}
