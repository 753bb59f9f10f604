//! Source excerpts for the detail panes: the lines a span covers (plus one line of
//! context either side, at most a dozen lines), with a line-number gutter and the
//! span itself highlighted. Text from the files is neutralised before display.

use super::theme::Theme;
use crate::source::{SourceMap, Span};
use ratatui::text::{Line, Span as Text};

/// Most lines one excerpt shows.
const MAX_LINES: usize = 12;

/// Displayable text: tabs become spaces, control characters visible escapes.
pub fn clean(text: &str) -> String {
    crate::text::sanitize(&text.replace('\t', "    ")).replace('\n', " ")
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
    let start = floor_boundary(text, (span.start as usize).min(text.len()));
    let end = floor_boundary(text, (span.end as usize).clamp(start, text.len()));
    // Work from the span outwards, never from the start of the file: excerpts of the
    // last line of a large file cost no more than those of the first.
    let bytes = text.as_bytes();
    let line_start_of = |at: usize| {
        bytes[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
    };
    let first_line = span.line.max(1) as usize;
    let mut from = line_start_of(start);
    let mut number = first_line;
    if from > 0 {
        from = line_start_of(from - 1);
        number = number.saturating_sub(1).max(1);
    }
    let covered = text.get(start..end).unwrap_or("");
    let end_line = first_line + covered.trim_end_matches('\n').matches('\n').count();
    let context_last = (end_line + 1).min(number + MAX_LINES - 1);
    let mut line_start = from;
    for line in text[from..].split_inclusive('\n') {
        if number > context_last {
            break;
        }
        let body = line.trim_end_matches(['\n', '\r']);
        let body_end = line_start + body.len();
        let mut spans = vec![Text::styled(format!("{number:>5} │ "), theme.dim())];
        let hit_start = start.max(line_start);
        let hit_end = end.min(body_end);
        let pieces = (hit_start < hit_end)
            .then(|| {
                let cut = |at: usize| at - line_start;
                Some((
                    body.get(..cut(hit_start))?,
                    body.get(cut(hit_start)..cut(hit_end))?,
                    body.get(cut(hit_end)..)?,
                ))
            })
            .flatten();
        match pieces {
            Some((before, hit, after)) => {
                spans.push(Text::raw(clean(before)));
                spans.push(Text::styled(clean(hit), theme.span()));
                spans.push(Text::raw(clean(after)));
            }
            None => spans.push(Text::raw(clean(body))),
        }
        lines.push(Line::from(spans));
        line_start += line.len();
        number += 1;
    }
    lines
}

/// The largest char boundary at or before `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
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
}
