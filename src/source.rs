//! Source files and locations: every value that a finding can point at keeps a [`Span`]
//! into a file registered in the [`SourceMap`], which the report layer renders from.

use crate::text::{LineBreaks, LineIndex};
use codespan_reporting::files::SimpleFiles;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub usize);

/// A region of a source file: byte range plus the 1-based line and column of its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub line: u32,
    pub column: u32,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span covering a whole file that could not be read or parsed at a position.
    pub fn file_start(file: FileId) -> Self {
        Span {
            file,
            line: 1,
            column: 1,
            start: 0,
            end: 0,
        }
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Span) -> Self {
        Sp { value, span }
    }
}

impl Sp<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl<T: fmt::Display> fmt::Display for Sp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// A 1-based position with its end, as reported in JSON output.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// Every file read during one run, by [`FileId`].
#[derive(Default)]
pub struct SourceMap {
    files: SimpleFiles<String, String>,
    paths: Vec<PathBuf>,
    /// Each file's line index, built the first time a position in it is needed.
    lines: Vec<OnceLock<LineIndex>>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a file's text; `path` is kept as given for display.
    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        self.paths.push(path.to_path_buf());
        self.lines.push(OnceLock::new());
        FileId(self.files.add(display_path(path), text))
    }

    /// The file's line index, with line breaks as its parser counts them (a lone `\r`
    /// ends a line in YAML, not in Rust or TOML).
    pub fn line_index(&self, file: FileId) -> &LineIndex {
        static EMPTY: OnceLock<LineIndex> = OnceLock::new();
        match self.lines.get(file.0) {
            Some(cell) => cell
                .get_or_init(|| LineIndex::new(self.text(file), LineBreaks::of(self.path(file)))),
            None => EMPTY.get_or_init(|| LineIndex::new("", LineBreaks::LineFeed)),
        }
    }

    pub fn path(&self, file: FileId) -> &Path {
        &self.paths[file.0]
    }

    pub fn name(&self, file: FileId) -> &str {
        self.files
            .get(file.0)
            .map(|f| f.name().as_str())
            .unwrap_or("<unknown>")
    }

    pub fn text(&self, file: FileId) -> &str {
        self.files
            .get(file.0)
            .map(|f| f.source().as_str())
            .unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The text a span covers (empty when the span is out of range).
    pub fn snippet(&self, span: Span) -> &str {
        self.text(span.file)
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Line and column of both ends of a span, 1-based.
    pub fn position(&self, span: Span) -> Position {
        let text = self.text(span.file);
        let end = if (span.end as usize) <= text.len() && text.is_char_boundary(span.end as usize) {
            self.line_index(span.file).position(text, span.end as usize)
        } else {
            (span.line as usize, span.column as usize)
        };
        Position {
            file: self.name(span.file).to_owned(),
            line: span.line as usize,
            column: span.column as usize,
            end_line: end.0,
            end_column: end.1,
            byte_start: span.start as usize,
            byte_end: span.end as usize,
        }
    }
}

/// Paths are shown with forward slashes and without a leading `./`.
fn display_path(path: &Path) -> String {
    let shown = path.to_string_lossy().replace('\\', "/");
    shown.strip_prefix("./").map(str::to_owned).unwrap_or(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_reports_end_line_and_column() {
        let mut map = SourceMap::new();
        let id = map.add(Path::new("./a.yaml"), "ab\ncdef\n".to_owned());
        let span = Span {
            file: id,
            line: 2,
            column: 2,
            start: 4,
            end: 7,
        };
        let pos = map.position(span);
        assert_eq!(pos.file, "a.yaml");
        assert_eq!(
            (pos.end_line, pos.end_column),
            (2, 5),
            "end column is exclusive"
        );
        assert_eq!(map.snippet(span), "def");
    }
}
