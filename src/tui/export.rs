//! Export from the terminal UI (`x`): the Markdown audit report of the loaded
//! inventory, the one `ropa report audit` prints, written as `ropa-audit.md` beside
//! the inventory, in the folder that holds the first path the UI was opened on
//! (`inventory/` gives `./ropa-audit.md`, `fixtures/x/inventory.yaml` gives
//! `fixtures/x/ropa-audit.md`). The file is written through a temporary file in the
//! same folder and a rename, so it is never seen half-written; it is not YAML, so the
//! inventory never reads it back and the UI's watcher ignores it.

use super::data::{Data, LoadState};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The name of the report file.
pub const FILE_NAME: &str = "ropa-audit.md";

/// Where the report of an inventory opened on `paths` goes; `None` without a path.
pub fn target(paths: &[PathBuf]) -> Option<PathBuf> {
    let first = paths.first()?;
    Some(folder_of(first).join(FILE_NAME))
}

/// Writes the audit report of `data` beside its inventory; returns the status line.
pub fn export(data: &Data) -> String {
    let ready = match &data.state {
        LoadState::Ready(ready) => ready,
        LoadState::Loading => {
            return "nothing to export: the inventory is still loading".to_owned();
        }
        LoadState::Failed(failure) => {
            return match failure.problems.len() {
                1 => "nothing to export: the inventory does not load (1 problem)".to_owned(),
                n => format!("nothing to export: the inventory does not load ({n} problems)"),
            };
        }
    };
    let Some(path) = target(&data.paths) else {
        return "nothing to export: the UI was opened on no inventory path".to_owned();
    };
    let shown = shown(&path);
    let sources = &ready.audit.inventory.sources;
    let inputs = (0..sources.len())
        .map(|i| sources.path(crate::source::FileId(i)))
        .chain(data.paths.iter().map(PathBuf::as_path));
    if inputs.into_iter().any(|input| same_file(input, &path)) {
        return format!("audit report not written: {shown} is a file of the inventory");
    }
    let text = crate::cli::documents::render_audit(
        &ready.audit,
        crate::cli::documents::AuditFormat::Markdown,
        usize::MAX,
    );
    match write_atomically(&path, text.as_bytes()) {
        Ok(()) => format!("wrote the audit report to {shown}"),
        Err(e) => format!(
            "cannot write the audit report to {shown}: {}",
            crate::text::sanitize_line(&e.to_string())
        ),
    }
}

/// The folder that holds `path` (empty for the working directory): its parent, or for a path that names no file or
/// folder of its own (`.`, `..`, `a/..`), the parent of the folder it resolves to.
fn folder_of(path: &Path) -> PathBuf {
    if matches!(path.components().next_back(), Some(Component::Normal(_)))
        && let Some(parent) = path.parent()
    {
        return parent.to_path_buf();
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let resolved = resolve_dots(&absolute);
    resolved
        .parent()
        .map_or(resolved.clone(), Path::to_path_buf)
}

/// `path` with `.` dropped and each `..` taking away the folder before it, by the
/// letters of the path (symbolic links are not followed).
fn resolve_dots(path: &Path) -> PathBuf {
    let mut resolved = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !resolved.pop() {
                    resolved.push(component);
                }
            }
            other => resolved.push(other),
        }
    }
    resolved
}

/// `path` for the status line: relative to the working directory when under it,
/// control characters escaped.
fn shown(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .filter(|_| path.is_absolute())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    let path = relative.as_deref().unwrap_or(path);
    crate::text::sanitize_line(&path.display().to_string())
}

/// Whether `a` and `b` are the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
/// A file that was there keeps its permissions; a new one gets the usual ones (the
/// umask applies).
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ropa-audit-").suffix(".md.tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    if let Ok(metadata) = std::fs::metadata(path)
        && metadata.is_file()
    {
        std::fs::set_permissions(temp.path(), metadata.permissions())?;
    }
    temp.persist(path).map(|_| ()).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_goes_in_the_folder_that_holds_the_inventory() {
        let of = |p: &str| target(&[PathBuf::from(p)]).expect("a target");
        assert_eq!(of("inventory"), PathBuf::from("ropa-audit.md"));
        assert_eq!(of("inventory/"), PathBuf::from("ropa-audit.md"));
        assert_eq!(
            of("fixtures/x/inventory.yaml"),
            PathBuf::from("fixtures/x/ropa-audit.md")
        );
        assert_eq!(
            of("/srv/inv/a.yaml"),
            PathBuf::from("/srv/inv/ropa-audit.md")
        );
        let cwd = std::env::current_dir().expect("cwd");
        let above = cwd.parent().expect("a parent").join(FILE_NAME);
        assert_eq!(of("."), above);
        assert_eq!(of("inventory/.."), above);
        assert!(target(&[]).is_none());
    }

    #[test]
    fn dots_resolve_by_the_letters_of_the_path() {
        assert_eq!(
            resolve_dots(Path::new("/a/./b/../c")),
            PathBuf::from("/a/c")
        );
        assert_eq!(resolve_dots(Path::new("/a/..")), PathBuf::from("/"));
    }

    #[test]
    fn a_write_replaces_the_file_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "old").expect("write");
        write_atomically(&path, b"new").expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        assert_eq!(names, [std::ffi::OsString::from(FILE_NAME)]);
    }
}
