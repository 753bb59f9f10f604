//! What the human report shows of a source file. For each diagnostic it builds an
//! excerpt of only the lines the labels touch (with one line of context around them),
//! each cut to a window of at most [`MAX_WIDTH`] characters around the labels, with
//! control and invisible characters escaped (a comment holding `ESC ] 0 ; ... BEL`
//! cannot retitle or clear the terminal) and line breaks counted as the file's parser
//! counts them, so the lines and columns agree with the JSON report. The labels' byte
//! ranges are mapped into the excerpt, which codespan then renders as it would the
//! file: a 60 MB one-line file costs one window, not 60 MB of output.

use crate::source::{FileId, SourceMap};
use crate::text::{floor_char_boundary, is_unsafe, sanitize_line};
use codespan_reporting::files::{Error, Files};
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

/// Most characters of one source line that a diagnostic shows.
pub const MAX_WIDTH: usize = 200;
/// Characters shown before the first label on a line that is cut.
const LEAD: usize = 40;

/// The excerpts of one diagnostic, one per source file its labels point into.
#[derive(Default)]
pub struct Excerpts {
    files: Vec<Excerpt>,
}

struct Excerpt {
    name: String,
    text: String,
    /// The lines shown, in order: the real 0-based line and its range in `text`.
    lines: Vec<(usize, Range<usize>)>,
    /// The real column of excerpt offsets where a label starts.
    columns: HashMap<usize, usize>,
}

impl Excerpts {
    /// Builds the excerpts for labels given as (file, byte range); returns, for each
    /// label in order, its excerpt file and its range in the excerpt.
    pub fn build(
        sources: &SourceMap,
        labels: &[(FileId, Range<usize>)],
    ) -> (Excerpts, Vec<(usize, Range<usize>)>) {
        let mut excerpts = Excerpts::default();
        let mut mapped = vec![(0, 0..0); labels.len()];
        let mut files: Vec<FileId> = labels.iter().map(|(file, _)| *file).collect();
        files.sort_unstable();
        files.dedup();
        for file in files {
            let on_file: Vec<(usize, Range<usize>)> = labels
                .iter()
                .enumerate()
                .filter(|(_, (f, _))| *f == file)
                .map(|(i, (_, range))| (i, range.clone()))
                .collect();
            let id = excerpts.files.len();
            let (excerpt, ranges) = Excerpt::build(sources, file, &on_file);
            excerpts.files.push(excerpt);
            for ((label, _), range) in on_file.iter().zip(ranges) {
                mapped[*label] = (id, range);
            }
        }
        (excerpts, mapped)
    }
}

/// `offset` moved by up to `count` characters, backwards or forwards, within `bounds`.
fn step_chars(
    text: &str,
    offset: usize,
    count: usize,
    forward: bool,
    bounds: &Range<usize>,
) -> usize {
    let mut at = offset;
    for _ in 0..count {
        if forward {
            match text[at..bounds.end].chars().next() {
                Some(c) => at += c.len_utf8(),
                None => break,
            }
        } else {
            match text[bounds.start..at].chars().next_back() {
                Some(c) => at -= c.len_utf8(),
                None => break,
            }
        }
    }
    at
}

impl Excerpt {
    fn build(
        sources: &SourceMap,
        file: FileId,
        labels: &[(usize, Range<usize>)],
    ) -> (Excerpt, Vec<Range<usize>>) {
        let text = sources.text(file);
        let index = sources.line_index(file);
        let last_line = index.lines().saturating_sub(1);
        let clamped: Vec<Range<usize>> = labels
            .iter()
            .map(|(_, range)| {
                let start = floor_char_boundary(text, range.start);
                start..floor_char_boundary(text, range.end.max(start))
            })
            .collect();
        let mut shown: BTreeSet<usize> = BTreeSet::new();
        // Every point where a label starts or ends, by line.
        let mut points: HashMap<usize, Vec<usize>> = HashMap::new();
        for range in &clamped {
            let first = index.line_of(range.start);
            let last = index.line_of(range.end);
            shown.extend(first.saturating_sub(1)..=(last + 1).min(last_line));
            points.entry(first).or_default().push(range.start);
            points.entry(last).or_default().push(range.end);
        }
        let mut excerpt = Excerpt {
            name: sanitize_line(sources.name(file)),
            text: String::new(),
            lines: Vec::with_capacity(shown.len()),
            columns: HashMap::new(),
        };
        // Where each label point landed in the excerpt.
        let mut landed: HashMap<usize, usize> = HashMap::new();
        for line in shown {
            let Some(real) = index.line_range(text, line) else {
                continue;
            };
            let mut marks: Vec<usize> = points.get(&line).cloned().unwrap_or_default();
            marks.sort_unstable();
            marks.dedup();
            let window = window(text, &real, &marks);
            let start = excerpt.text.len();
            if window.start > real.start {
                excerpt.text.push('…');
            }
            let mut pending = marks.iter().peekable();
            // Points before the window land at its start.
            while let Some(&&mark) = pending.peek() {
                if mark >= window.start {
                    break;
                }
                landed.insert(mark, excerpt.text.len());
                pending.next();
            }
            for (offset, c) in text[window.clone()].char_indices() {
                let real_offset = window.start + offset;
                while let Some(&&mark) = pending.peek() {
                    if mark > real_offset {
                        break;
                    }
                    landed.insert(mark, excerpt.text.len());
                    pending.next();
                }
                if is_unsafe(c) || c == '\r' {
                    excerpt.text.push_str(&format!("\\u{{{:x}}}", c as u32));
                } else {
                    excerpt.text.push(c);
                }
            }
            // Points at or after the window's end land at the end of what is shown.
            for &mark in pending {
                landed.insert(mark, excerpt.text.len());
            }
            if window.end < real.end {
                excerpt.text.push('…');
            }
            excerpt.lines.push((line, start..excerpt.text.len()));
            excerpt.text.push('\n');
        }
        let ranges = clamped
            .iter()
            .map(|range| {
                let start = landed.get(&range.start).copied().unwrap_or(0);
                let end = landed.get(&range.end).copied().unwrap_or(start).max(start);
                excerpt
                    .columns
                    .insert(start, index.position(text, range.start).1);
                start..end
            })
            .collect();
        (excerpt, ranges)
    }

    fn shown_line(&self, line: usize) -> Option<&Range<usize>> {
        self.lines
            .binary_search_by_key(&line, |(real, _)| *real)
            .ok()
            .map(|i| &self.lines[i].1)
    }
}

/// The part of a line to show: all of it if it is short, else [`MAX_WIDTH`] characters
/// from a little before the first mark.
fn window(text: &str, line: &Range<usize>, marks: &[usize]) -> Range<usize> {
    let width_end = step_chars(text, line.start, MAX_WIDTH + 1, true, line);
    if width_end >= line.end && text[line.start..width_end].chars().count() <= MAX_WIDTH {
        return line.clone();
    }
    let first = marks
        .iter()
        .copied()
        .find(|m| line.contains(m) || *m == line.end)
        .unwrap_or(line.start);
    let start = step_chars(text, first, LEAD, false, line);
    let end = step_chars(text, start, MAX_WIDTH, true, line);
    start..end
}

impl<'a> Files<'a> for Excerpts {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, Error> {
        self.files
            .get(id)
            .map(|f| f.name.as_str())
            .ok_or(Error::FileMissing)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, Error> {
        self.files
            .get(id)
            .map(|f| f.text.as_str())
            .ok_or(Error::FileMissing)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, Error> {
        let file = self.files.get(id).ok_or(Error::FileMissing)?;
        let shown = file
            .lines
            .partition_point(|(_, range)| range.start <= byte_index)
            .saturating_sub(1);
        file.lines
            .get(shown)
            .map(|(real, _)| *real)
            .ok_or(Error::IndexTooLarge {
                given: byte_index,
                max: file.text.len(),
            })
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, Error> {
        let file = self.files.get(id).ok_or(Error::FileMissing)?;
        file.shown_line(line_index)
            .map(|range| range.start..range.end + 1)
            .ok_or(Error::LineTooLarge {
                given: line_index,
                max: file.lines.last().map_or(0, |(real, _)| *real),
            })
    }

    fn column_number(
        &'a self,
        id: usize,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, Error> {
        let file = self.files.get(id).ok_or(Error::FileMissing)?;
        if let Some(column) = file.columns.get(&byte_index) {
            return Ok(*column);
        }
        let range = self.line_range(id, line_index)?;
        let end = byte_index.clamp(range.start, range.end);
        Ok(file
            .text
            .get(range.start..end)
            .map_or(1, |s| s.chars().count() + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn excerpt_of(text: &str, name: &str, range: Range<usize>) -> (String, Range<usize>, usize) {
        let mut sources = SourceMap::new();
        let file = sources.add(Path::new(name), text.to_owned());
        let (excerpts, mapped) = Excerpts::build(&sources, &[(file, range)]);
        let (id, range) = mapped[0].clone();
        let line = excerpts
            .line_index(id, range.start)
            .expect("the label's line is shown");
        let column = excerpts
            .column_number(id, line, range.start)
            .expect("column");
        (excerpts.files[id].text.clone(), range, column)
    }

    #[test]
    fn escape_sequences_are_shown_escaped_and_labels_follow() {
        let text = "// \u{1b}]0;pwned\u{7}\u{1b}[2J\nstruct A { email: String }\n";
        let start = text.find("email").unwrap_or(0);
        let (shown, range, column) = excerpt_of(text, "a.rs", start..start + 5);
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
        assert!(
            shown.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"),
            "{shown:?}"
        );
        assert_eq!(&shown[range], "email");
        assert_eq!(column, 12);
    }

    #[test]
    fn a_long_line_is_cut_around_the_label() {
        let text = format!("key: [{}oops]\n", "x, ".repeat(20_000_000 / 3));
        let start = text.find("oops").unwrap_or(0);
        let (shown, range, column) = excerpt_of(&text, "big.yaml", start..start + 4);
        assert!(shown.len() < 4 * MAX_WIDTH, "{} bytes shown", shown.len());
        assert!(shown.starts_with('…'));
        assert_eq!(&shown[range], "oops");
        assert_eq!(column, start + 1);
    }

    #[test]
    fn lone_carriage_returns_break_lines_in_yaml_only() {
        let text = "a: 1\rb: 2\rc: [\r";
        let start = text.find('[').unwrap_or(0);
        let mut sources = SourceMap::new();
        let yaml = sources.add(Path::new("x.yaml"), text.to_owned());
        let rust = sources.add(Path::new("x.rs"), text.to_owned());
        let (excerpts, mapped) = Excerpts::build(
            &sources,
            &[(yaml, start..start + 1), (rust, start..start + 1)],
        );
        let line = |i: usize| excerpts.line_index(mapped[i].0, mapped[i].1.start);
        assert_eq!(line(0).ok(), Some(2), "third line of the YAML file");
        assert_eq!(line(1).ok(), Some(0), "Rust counts line feeds only");
        assert_eq!(&excerpts.files[mapped[0].0].text[mapped[0].1.clone()], "[");
    }
}
