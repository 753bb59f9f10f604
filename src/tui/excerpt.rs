//! Source excerpts for the detail panes: the lines a span covers (plus one line of
//! context either side, at most a dozen lines), with a line-number gutter and the
//! span itself highlighted. Text from the files is neutralised before display, and
//! capped: a line shows at most a few dozen characters either side of the span and the
//! first characters of a long span, so a 60 MB one-line file costs no more to draw than
//! a short one.

use super::theme::Theme;
use crate::source::{SourceMap, Span};
use ratatui::text::{Line, Span as Text};

/// Most characters of input text shown in one piece (a message, a name, a line).
pub const MAX_TEXT: usize = 2000;

/// Most lines one excerpt shows.
const MAX_LINES: usize = 12;
/// Characters shown before and after the span on a line longer than [`MAX_LINE`].
const CONTEXT: usize = 40;
/// Characters shown of the span itself on one line.
const MAX_HIT: usize = 160;
/// Characters shown of a line; a longer line is cut around the span.
const MAX_LINE: usize = 200;

/// The first `max` characters of `text`, and whether it was cut.
pub fn head(text: &str, max: usize) -> (&str, bool) {
    match text.char_indices().nth(max) {
        Some((at, _)) => (&text[..at], true),
        None => (text, false),
    }
}

/// The last `max` characters of `text`, and whether it was cut.
fn tail(text: &str, max: usize) -> (&str, bool) {
    if max == 0 {
        return ("", !text.is_empty());
    }
    match text.char_indices().rev().nth(max - 1) {
        Some((0, _)) | None => (text, false),
        Some((at, _)) => (&text[at..], true),
    }
}

/// Displayable text: tabs become spaces, control characters visible escapes, and text
/// longer than [`MAX_TEXT`] characters is cut with `…`.
pub fn clean(text: &str) -> String {
    let (shown, cut) = head(text, MAX_TEXT);
    let mut clean = crate::text::sanitize(&shown.replace('\t', "    ")).replace('\n', " ");
    if cut {
        clean.push('…');
    }
    clean
}

/// The first `max` characters of `text`, cleaned, with `…` when cut.
pub fn clean_head(text: &str, max: usize) -> String {
    let (shown, cut) = head(text, max);
    let mut clean = clean(shown);
    if cut {
        clean.push('…');
    }
    clean
}

/// The last `max` characters of `text`, cleaned, with `…` before them when cut.
fn clean_tail(text: &str, max: usize) -> String {
    let (shown, cut) = tail(text, max);
    let clean = clean(shown);
    if cut { format!("…{clean}") } else { clean }
}

/// The excerpt of `span`: a `--> file:line:column` header, then the lines.
pub fn excerpt(sources: &SourceMap, span: Span, theme: &Theme) -> Vec<Line<'static>> {
    let text = sources.text(span.file);
    let mut lines = vec![Line::from(vec![
        Text::styled("  --> ", theme.dim()),
        Text::raw(clean(&format!(
            "{}:{}:{}",
            sources.name(span.file),
            span.line,
            span.column
        ))),
    ])];
    let start = crate::text::floor_char_boundary(text, (span.start as usize).min(text.len()));
    let end = crate::text::floor_char_boundary(text, (span.end as usize).clamp(start, text.len()));
    // Work from the span outwards, never from the start of the file: excerpts of the
    // last line of a large file cost no more than those of the first. Line ends are
    // found with `find`/`rfind`, which scan at memory speed.
    let line_start_of = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    let first_line = span.line.max(1) as usize;
    let mut from = line_start_of(start);
    let mut number = first_line;
    if from > 0 {
        from = line_start_of(from - 1);
        number = number.saturating_sub(1).max(1);
    }
    let covered = text.get(start..end).unwrap_or("");
    let covered_lines = covered
        .trim_end_matches('\n')
        .match_indices('\n')
        .take(MAX_LINES)
        .count();
    let end_line = first_line + covered_lines;
    let context_last = (end_line + 1).min(number + MAX_LINES - 1);
    let mut line_start = from;
    for line in text[from..].split_inclusive('\n') {
        if number > context_last {
            break;
        }
        let body = line.trim_end_matches(['\n', '\r']);
        let body_end = line_start + body.len();
        let mut spans = vec![Text::styled(format!("{number:>5} │ "), theme.dim())];
        // The span's own line is shown around where the span starts, even when the
        // span is empty; the further lines it covers from their start.
        let on_span =
            (line_start <= start && start <= body_end) || (line_start > start && line_start < end);
        let pieces = on_span
            .then(|| {
                let hit_start = start.max(line_start) - line_start;
                let hit_end = end.clamp(line_start, body_end) - line_start;
                Some((
                    body.get(..hit_start)?,
                    body.get(hit_start..hit_end.max(hit_start))?,
                    body.get(hit_end.max(hit_start)..)?,
                ))
            })
            .flatten();
        match pieces {
            Some((before, hit, after)) if head(body, MAX_LINE).1 => {
                spans.push(Text::raw(clean_tail(before, CONTEXT)));
                spans.push(Text::styled(clean_head(hit, MAX_HIT), theme.span()));
                spans.push(Text::raw(clean_head(after, CONTEXT)));
            }
            Some((before, hit, after)) => {
                spans.push(Text::raw(clean(before)));
                spans.push(Text::styled(clean(hit), theme.span()));
                spans.push(Text::raw(clean(after)));
            }
            None => spans.push(Text::raw(clean_head(body, MAX_LINE))),
        }
        lines.push(Line::from(spans));
        line_start += line.len();
        number += 1;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn excerpt_shows_context_and_marks_the_span() {
        let mut map = SourceMap::new();
        let text = "a: 1\nb: secret\nc: 3\nd: 4\ne: 5\n";
        let file = map.add(Path::new("inv.yaml"), text.to_owned());
        let start = text.find("secret").unwrap_or(0) as u32;
        let span = Span {
            file,
            line: 2,
            column: 4,
            start,
            end: start + 6,
        };
        let theme = Theme { color: false };
        let lines: Vec<String> = excerpt(&map, span, &theme)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "  --> inv.yaml:2:4",
                "    1 │ a: 1",
                "    2 │ b: secret",
                "    3 │ c: 3",
            ]
        );
        let marked = excerpt(&map, span, &theme);
        assert_eq!(marked[2].spans[2].content, "secret");
    }

    #[test]
    fn control_characters_never_reach_the_screen() {
        let mut map = SourceMap::new();
        let file = map.add(Path::new("x.rs"), "let a = \"\u{1b}[2J\";\n".to_owned());
        let span = Span {
            file,
            line: 1,
            column: 1,
            start: 0,
            end: 3,
        };
        let shown: String = excerpt(&map, span, &Theme { color: false })
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert!(!shown.contains('\u{1b}'), "{shown}");
    }

    #[test]
    fn a_huge_line_is_cut_around_the_span() {
        let mut map = SourceMap::new();
        let mut text = "a: 1\n".to_owned();
        text.push_str(&"x".repeat(10_000_000));
        let start = text.len() as u32;
        text.push_str("secret");
        text.push_str(&"y".repeat(10_000_000));
        text.push_str("\nb: 2\n");
        let file = map.add(Path::new("huge.yaml"), text);
        let span = Span {
            file,
            line: 2,
            column: 10_000_001,
            start,
            end: start + 6,
        };
        let lines = excerpt(&map, span, &Theme { color: false });
        let shown: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert!(shown.iter().all(|l| l.chars().count() < 400), "{shown:?}");
        let marked = &shown[2];
        assert!(marked.starts_with("    2 │ …x"), "{marked}");
        assert!(
            marked.contains("xsecrety") && marked.ends_with("y…"),
            "{marked}"
        );
        assert_eq!(lines[2].spans[2].content, "secret");
        assert_eq!(shown[1], "    1 │ a: 1");
        assert_eq!(
            shown[3], "    3 │ b: 2",
            "the line after a huge one is shown"
        );
    }

    #[test]
    fn a_huge_span_is_cut_too() {
        let mut map = SourceMap::new();
        let text = "z".repeat(1_000_000);
        let file = map.add(Path::new("x.rs"), text);
        let span = Span {
            file,
            line: 1,
            column: 1,
            start: 0,
            end: 1_000_000,
        };
        let lines = excerpt(&map, span, &Theme { color: false });
        let hit = &lines[1].spans[2].content;
        assert!(hit.chars().count() < 400 && hit.ends_with('…'), "{hit}");
    }

    #[test]
    fn clean_caps_long_text() {
        let long = "é".repeat(100_000);
        let shown = clean(&long);
        assert!(shown.chars().count() <= MAX_TEXT + 1, "{}", shown.len());
        assert!(shown.ends_with('…'));
        assert_eq!(clean("a\tb\nc"), "a    b c");
    }
}
