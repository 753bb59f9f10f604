//! Finding the Rust sources under a code root: every `.rs` file and every `Cargo.toml`
//! (so workspace members are read with the workspace), skipping `target/`,
//! hidden folders and the configured glob excludes. Symbolic links are never followed,
//! so a walk can neither leave its root nor loop.

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// What a walk leaves out besides `target/` and hidden folders: the configured exclude
/// globs, and test code (`tests/`, `benches/` and `examples/` folders) unless asked for.
#[derive(Clone, Debug, Default)]
pub struct SourceFilter {
    pub excluded: GlobSet,
    /// Read test code too: the folders above, and `#[cfg(test)]` items in sources.
    pub include_tests: bool,
}

impl SourceFilter {
    /// The default filter with `excluded` globs: test code is left out.
    pub fn new(excluded: GlobSet) -> Self {
        SourceFilter {
            excluded,
            include_tests: false,
        }
    }

    /// Whether the walk skips a folder of this name.
    fn skips_dir(&self, name: &str) -> bool {
        name == "target"
            || name.starts_with('.')
            || (!self.include_tests && matches!(name, "tests" | "benches" | "examples"))
    }
}

/// A path the walk could not enter or read, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub message: String,
}

/// Why exclude patterns could not be compiled: the message, and which pattern (by
/// index) is at fault when one is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExcludeProblem {
    pub pattern: Option<usize>,
    pub message: String,
}

/// A pattern as a message quotes it: escaped, and cut after 60 characters.
fn quoted(pattern: &str) -> String {
    let mut shown: String = pattern.chars().take(60).collect();
    if shown.len() < pattern.len() {
        shown.push_str(&format!("…` ({} characters", pattern.chars().count()));
        return format!("`{})", crate::text::sanitize_line(&shown));
    }
    format!("`{}`", crate::text::sanitize_line(&shown))
}

/// Compiles exclude patterns (matched against paths relative to the root, with `/`).
pub fn excludes(patterns: &[&str]) -> Result<GlobSet, ExcludeProblem> {
    let mut builder = GlobSetBuilder::new();
    let mut globs = Vec::with_capacity(patterns.len());
    for (index, pattern) in patterns.iter().enumerate() {
        let glob = Glob::new(pattern).map_err(|e| ExcludeProblem {
            pattern: Some(index),
            message: format!("{} is not a valid glob: {}", quoted(pattern), e.kind()),
        })?;
        globs.push(glob.clone());
        builder.add(glob);
    }
    builder.build().map_err(|_| {
        // The set is too large to compile: name the first pattern that is too large
        // on its own, if one is.
        let culprit = globs.iter().position(|glob| {
            let mut alone = GlobSetBuilder::new();
            alone.add(glob.clone());
            alone.build().is_err()
        });
        ExcludeProblem {
            pattern: culprit,
            message: match culprit {
                Some(index) => format!(
                    "exclude glob {} is too complex: it compiles to a matcher over the size limit",
                    quoted(patterns[index])
                ),
                None => "the exclude globs together are too complex: they compile to a matcher over the size limit".to_owned(),
            },
        }
    })
}

/// Which of the filter's exclude patterns match at least one path under `roots` (by
/// pattern index). The walk skips the folders [`source_files`] skips but goes on
/// inside excluded folders, so a pattern counts as used when anything below matches.
pub fn used_excludes(roots: &[PathBuf], filter: &SourceFilter) -> Vec<bool> {
    let excluded = &filter.excluded;
    let mut used = vec![false; excluded.len()];
    if used.is_empty() {
        return used;
    }
    for root in roots {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_entry(|entry| {
                let name = entry.file_name().to_string_lossy();
                entry.depth() == 0 || !(entry.file_type().is_dir() && filter.skips_dir(&name))
            });
        for entry in walker.flatten() {
            if entry.depth() == 0 {
                continue;
            }
            let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
            for index in excluded.matches(relative) {
                if let Some(flag) = used.get_mut(index) {
                    *flag = true;
                }
            }
            if used.iter().all(|u| *u) {
                return used;
            }
        }
    }
    used
}

/// Whether a walked file is a manifest rather than Rust source.
pub fn is_manifest(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "Cargo.toml")
}

/// The `.rs` and `Cargo.toml` files under `root` that `filter` lets through, sorted, and
/// the paths that could not be read.
pub fn source_files(root: &Path, filter: &SourceFilter) -> (Vec<PathBuf>, Vec<WalkProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let skipped_dir = entry.file_type().is_dir() && filter.skips_dir(&name);
            !skipped_dir && !filter.excluded.is_match(relative)
        });
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_rust = entry.path().extension().is_some_and(|e| e == "rs");
                if entry.file_type().is_file() && (is_rust || is_manifest(entry.path())) {
                    files.push(entry.into_path());
                }
            }
            Err(error) => problems.push(WalkProblem {
                path: error
                    .path()
                    .map_or_else(|| root.to_path_buf(), Path::to_path_buf),
                message: error
                    .io_error()
                    .map_or_else(|| error.to_string(), |io| io.to_string()),
            }),
        }
    }
    (files, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn skips_target_hidden_and_excluded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for path in [
            "src/lib.rs",
            "src/models/user.rs",
            "target/debug/build.rs",
            ".git/hook.rs",
            "src/generated/x.rs",
            "tests/api.rs",
            "benches/speed.rs",
            "examples/demo.rs",
            "crates/core/tests/it.rs",
            "README.md",
            "Cargo.toml",
        ] {
            let full = root.join(path);
            fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            fs::write(full, "").expect("write");
        }
        let excluded = excludes(&["src/generated/**"]).expect("globs");
        let too_complex = "?".repeat(200_000);
        let problem = excludes(&["src/**", &too_complex]).expect_err("too complex");
        assert_eq!(problem.pattern, Some(1));
        assert!(
            problem
                .message
                .starts_with("exclude glob `????????????????????????????????????????????????????????????…` (200000 characters) is too complex"),
            "{}",
            problem.message
        );
        let invalid = excludes(&["src/[a"]).expect_err("unclosed class");
        assert_eq!(invalid.pattern, Some(0));
        assert!(!invalid.message.contains("Error"), "{}", invalid.message);
        let mut filter = SourceFilter::new(excluded);
        let relative = |filter: &SourceFilter| -> Vec<String> {
            let (files, problems) = source_files(root, filter);
            assert!(problems.is_empty());
            files
                .iter()
                .map(|f| {
                    f.strip_prefix(root)
                        .expect("inside")
                        .to_string_lossy()
                        .replace('\\', "/")
                })
                .collect()
        };
        assert_eq!(
            relative(&filter),
            ["Cargo.toml", "src/lib.rs", "src/models/user.rs"]
        );
        filter.include_tests = true;
        assert_eq!(
            relative(&filter),
            [
                "Cargo.toml",
                "benches/speed.rs",
                "crates/core/tests/it.rs",
                "examples/demo.rs",
                "src/lib.rs",
                "src/models/user.rs",
                "tests/api.rs"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("root");
        fs::create_dir_all(root.join("src")).expect("mkdir");
        fs::write(root.join("src/lib.rs"), "").expect("write");
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).expect("mkdir");
        fs::write(outside.join("secret.rs"), "").expect("write");
        std::os::unix::fs::symlink(&outside, root.join("src/escape")).expect("symlink");
        std::os::unix::fs::symlink(&root, root.join("src/loop")).expect("symlink");
        let (files, problems) = source_files(&root, &SourceFilter::default());
        assert_eq!(files, [root.join("src/lib.rs")]);
        assert!(problems.is_empty());
    }

    #[test]
    fn excludes_that_match_nothing_are_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        fs::create_dir_all(root.join("src/generated/deep")).expect("mkdir");
        fs::write(root.join("src/generated/deep/x.rs"), "").expect("write");
        let excluded =
            excludes(&["src/generated/**", "**/deep/*.rs", "src/vendor/**"]).expect("globs");
        assert_eq!(
            used_excludes(&[root], &SourceFilter::new(excluded)),
            [true, true, false]
        );
    }

    #[test]
    fn invalid_globs_are_reported() {
        assert!(excludes(&["src/[oops"]).is_err());
    }
}
