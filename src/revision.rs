//! Reading the project as it was at a git revision, without touching the working copy:
//! `git ls-tree` lists the files of the revision and one `git cat-file --batch` reads
//! them, into a temporary directory that mirrors the repository. Only what ropa reads is
//! copied: inventory files (`*.yaml`, `*.yml`), Rust sources and `Cargo.toml`s.
//! A directory given instead of a revision is used as it is.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One side of a comparison: where its files are, and how to name it in messages.
pub struct Side {
    /// What the user wrote: a revision (`main`, `HEAD~1`) or a directory.
    pub name: String,
    /// The directory that plays the working directory's part for this side: paths the
    /// user gave relative to the working directory are resolved against it, and
    /// fingerprints are made relative to it.
    pub root: PathBuf,
    /// The checked-out copy, removed when the side is dropped.
    _checkout: Option<tempfile::TempDir>,
}

impl Side {
    /// The working directory as it is.
    pub fn working_tree() -> Result<Side, String> {
        let root = std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?;
        Ok(Side {
            name: "the working tree".to_owned(),
            root,
            _checkout: None,
        })
    }

    /// `spec` as a directory if one exists at that path, else as a git revision of the
    /// repository the working directory is in.
    pub fn open(spec: &str) -> Result<Side, String> {
        let path = Path::new(spec);
        if path.is_dir() {
            return Ok(Side {
                name: spec.to_owned(),
                root: path.to_path_buf(),
                _checkout: None,
            });
        }
        checkout(spec)
    }
}

/// Runs git with `args` in the working directory; its stdout, or why it failed.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                "git is not installed (ropa reads revisions with git); install git, or compare two directories: `ropa diff OLD_DIR NEW_DIR`".to_owned()
            }
            _ => format!("cannot run git: {e}"),
        })?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// Whether ropa reads a file at this path of a revision.
fn wanted(path: &str) -> bool {
    let skipped_dir = path
        .split('/')
        .rev()
        .skip(1)
        .any(|part| part == "target" || (part.starts_with('.') && part.len() > 1));
    !skipped_dir
        && (path.ends_with(".yaml")
            || path.ends_with(".yml")
            || path.ends_with(".rs")
            || path == "Cargo.toml"
            || path.ends_with("/Cargo.toml"))
}

fn checkout(revision: &str) -> Result<Side, String> {
    let top = git(&["rev-parse", "--show-toplevel"]).map_err(|e| {
        if e.starts_with("git is not installed") {
            e
        } else {
            format!(
                "`{revision}` is not a directory, and the working directory is not in a git repository to read it as a revision from (git: {e}); to compare two directories, pass both: `ropa diff OLD_DIR NEW_DIR`"
            )
        }
    })?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let prefix = git(&["rev-parse", "--show-prefix"])?;
    let prefix = String::from_utf8_lossy(&prefix).trim().to_owned();
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{revision}^{{commit}}"),
    ])
    .map_err(|_| format!("revision `{revision}` does not exist in {}", top.display()))?;
    let commit = String::from_utf8_lossy(&commit).trim().to_owned();
    let listing = git(&[
        "-C",
        &top.to_string_lossy(),
        "ls-tree",
        "-r",
        "-z",
        "--full-tree",
        &commit,
    ])?;
    // `<mode> blob <object>\t<path>`, NUL-separated.
    let mut files: Vec<(String, String)> = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split(' ');
        let (Some(_mode), Some("blob"), Some(object)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if wanted(path) {
            files.push((object.to_owned(), path.to_owned()));
        }
    }
    let dir = tempfile::Builder::new()
        .prefix("ropa-revision-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    read_blobs(&top, &files, dir.path())?;
    Ok(Side {
        name: revision.to_owned(),
        root: dir.path().join(&prefix),
        _checkout: Some(dir),
    })
}

/// Writes each `(object, path)` blob under `into`, read with one `git cat-file --batch`.
fn read_blobs(top: &Path, files: &[(String, String)], into: &Path) -> Result<(), String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git cat-file: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file has no stdin")?;
    let objects: Vec<String> = files.iter().map(|(o, _)| o.clone()).collect();
    // Feed the object names from another thread so that neither pipe fills up.
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        for object in objects {
            writeln!(stdin, "{object}")?;
        }
        Ok(())
    });
    let mut out = BufReader::new(child.stdout.take().ok_or("git cat-file has no stdout")?);
    for (_, path) in files {
        let mut header = String::new();
        out.read_line(&mut header)
            .map_err(|e| format!("cannot read from git cat-file: {e}"))?;
        // `<object> <type> <size>`, then the content and a line feed.
        let size: usize = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("git cat-file answered `{}` for {path}", header.trim()))?;
        let mut content = vec![0; size];
        out.read_exact(&mut content)
            .and_then(|_| out.read_exact(&mut [0u8; 1]))
            .map_err(|e| format!("cannot read {path} from git: {e}"))?;
        let target = into.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot write {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, content)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_ropa_reads_is_checked_out() {
        assert!(wanted("inventory/a.yaml"));
        assert!(wanted("crates/api/src/lib.rs"));
        assert!(wanted("Cargo.toml"));
        assert!(wanted("crates/api/Cargo.toml"));
        assert!(!wanted("target/debug/build.rs"));
        assert!(!wanted(".github/workflows/ci.yml"));
        assert!(!wanted("README.md"));
    }
}
