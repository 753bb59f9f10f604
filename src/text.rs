//! Small text helpers shared by the loader, the scanner and the report layer:
//! neutralising control and invisible characters from untrusted input, line and column
//! positions in linear time, and finding the closest spelling of a misspelt word.

/// Whether a character must not reach a terminal or a report as itself: C0 and C1
/// controls (but line feed and tab), DEL, and the invisible formatting characters that
/// reorder or hide text (bidirectional overrides and isolates, zero-width characters,
/// the byte-order mark, soft hyphen, line and paragraph separators).
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Replaces control characters (including ANSI escape introducers) and invisible
/// formatting characters (bidi overrides, zero-width spaces) with visible escapes such
/// as `\u{1b}`, so strings from input can never drive the terminal or hide text.
pub fn sanitize(text: &str) -> String {
    escape_where(text, is_unsafe)
}

/// [`sanitize`], and line breaks and tabs escaped too: for file names, ids and other
/// values shown on one line, which must not forge lines of output.
pub fn sanitize_line(text: &str) -> String {
    escape_where(text, |c| is_unsafe(c) || c == '\n' || c == '\t')
}

fn escape_where(text: &str, unsafe_char: impl Fn(char) -> bool) -> String {
    if !text.chars().any(&unsafe_char) {
        return text.to_owned();
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            escaped.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// JSON text with every string's unsafe characters (see [`is_unsafe`]) replaced by the
/// visible escape [`sanitize`] uses: `"a\\u001b[2J"` becomes `"a\\\\u{1b}[2J"`, which a
/// consumer decodes to the text `a\\u{1b}[2J`, not to an escape sequence. JSON itself
/// escapes only C0 controls, and a consumer that prints a decoded value would pass them,
/// C1 controls and bidi overrides to its terminal. Key order and number formatting are
/// kept. Line feeds and tabs (`\\n`, `\\t`) stay as they are.
pub fn sanitize_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut chars = json.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if !in_string {
            in_string = c == '"';
            out.push(c);
            continue;
        }
        match c {
            '"' => {
                in_string = false;
                out.push(c);
            }
            '\\' => {
                let Some(escape) = chars.next() else {
                    out.push(c);
                    break;
                };
                let decoded = match escape {
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'r' => Some('\r'),
                    'u' => {
                        let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(decoded) if is_unsafe(decoded) => Some(decoded),
                            _ => {
                                out.push_str("\\u");
                                out.push_str(&hex);
                                continue;
                            }
                        }
                    }
                    _ => None,
                };
                match decoded {
                    Some(unsafe_char) => {
                        out.push_str(&format!("\\\\u{{{:x}}}", unsafe_char as u32));
                    }
                    None => {
                        out.push(c);
                        out.push(escape);
                    }
                }
            }
            c if is_unsafe(c) => out.push_str(&format!("\\\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Which characters end a line: YAML counts a lone carriage return as a line break,
/// Rust and TOML (and the parsers ropa reads them with) count only line feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineBreaks {
    /// `\n`, `\r\n` and a lone `\r`.
    Yaml,
    /// `\n` (a `\r` before it belongs to the break).
    LineFeed,
}

impl LineBreaks {
    /// The convention of a file, by its extension.
    pub fn of(path: &std::path::Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => LineBreaks::Yaml,
            _ => LineBreaks::LineFeed,
        }
    }
}

/// Where each line of a text starts, and how many characters precede every 64th byte,
/// so the line and column of any byte offset cost O(log lines + 64): positions for
/// 100,000 keys of a manifest, or for every label of a report, stay linear overall.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the first byte of each line.
    starts: Vec<usize>,
    /// Characters in `text[..64 * i]`.
    chars_before_block: Vec<u32>,
    len: usize,
}

const BLOCK: usize = 64;

impl LineIndex {
    pub fn new(text: &str, breaks: LineBreaks) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if breaks == LineBreaks::Yaml && bytes.get(i + 1) != Some(&b'\n') => {
                    starts.push(i + 1)
                }
                _ => {}
            }
            i += 1;
        }
        let mut chars_before_block = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut count = 0u32;
        for block in bytes.chunks(BLOCK) {
            chars_before_block.push(count);
            count += block.iter().filter(|b| !is_continuation(**b)).count() as u32;
        }
        chars_before_block.push(count);
        LineIndex {
            starts,
            chars_before_block,
            len: bytes.len(),
        }
    }

    /// Number of lines (a text ending in a break has an empty last line).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// The 0-based line that holds byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.starts.partition_point(|start| *start <= offset) - 1
    }

    /// The byte range of 0-based line `line`, without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.starts.get(line)?;
        let mut end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some(start..end)
    }

    /// Characters in `text[..offset]`; `offset` must be on a character boundary.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let offset = offset.min(self.len);
        let block = offset / BLOCK;
        let counted = self.chars_before_block.get(block).copied().unwrap_or(0) as usize;
        counted
            + text.as_bytes()[block * BLOCK..offset]
                .iter()
                .filter(|b| !is_continuation(**b))
                .count()
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = self.chars_before(text, offset) - self.chars_before(text, start) + 1;
        (line + 1, column)
    }
}

/// The largest character boundary of `text` at or before byte `at` (clamped to it).
pub fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn is_continuation(byte: u8) -> bool {
    (0x80..0xC0).contains(&byte)
}

/// The candidate closest to `word`, if it is close enough to be a likely misspelling.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(word, candidate);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.filter(|(score, _)| *score >= 0.8).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_invisible_characters_are_escaped() {
        assert_eq!(sanitize("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(sanitize("plain\n\ttext"), "plain\n\ttext");
        assert_eq!(sanitize("id\u{202e}cba\u{200b}"), "id\\u{202e}cba\\u{200b}");
        assert_eq!(sanitize("c1\u{9b}2J"), "c1\\u{9b}2J");
        assert_eq!(sanitize("\u{7f}\u{feff}"), "\\u{7f}\\u{feff}");
        assert_eq!(sanitize_line("a\nb\tc"), "a\\u{a}b\\u{9}c");
        assert_eq!(sanitize("café ✓"), "café ✓");
    }

    #[test]
    fn json_strings_are_escaped_keeping_everything_else() {
        let value = serde_json::json!({
            "z": "esc \u{1b}]0;x\u{7} c1 \u{9b} bidi \u{202e} zw \u{200b} cr \r ok \n\t \\ \"q\" é",
            "k\u{1b}": ["\\u001b literal"],
        });
        let json = serde_json::to_string(&value).unwrap_or_default();
        let cleaned = sanitize_json(&json);
        let back: serde_json::Value = serde_json::from_str(&cleaned).expect("still JSON");
        assert_eq!(
            back["z"],
            "esc \\u{1b}]0;x\\u{7} c1 \\u{9b} bidi \\u{202e} zw \\u{200b} cr \\u{d} ok \n\t \\ \"q\" é"
        );
        assert_eq!(back["k\\u{1b}"][0], "\\u001b literal");
        assert_eq!(
            sanitize_json("{\"a\": 0.95, \"b\": [1]}"),
            "{\"a\": 0.95, \"b\": [1]}"
        );
        assert!(!cleaned.chars().any(is_unsafe));
    }

    #[test]
    fn line_index_positions_agree_with_the_line_break_convention() {
        let text = "ab\r\ncé\rxyz\nlast";
        let yaml = LineIndex::new(text, LineBreaks::Yaml);
        assert_eq!(yaml.lines(), 4);
        assert_eq!(yaml.position(text, text.find('x').unwrap_or(0)), (3, 1));
        assert_eq!(yaml.position(text, text.find('l').unwrap_or(0)), (4, 1));
        assert_eq!(yaml.line_range(text, 0), Some(0..2));
        assert_eq!(yaml.line_range(text, 1), Some(4..7));
        let rust = LineIndex::new(text, LineBreaks::LineFeed);
        assert_eq!(rust.lines(), 3);
        assert_eq!(rust.position(text, text.find('x').unwrap_or(0)), (2, 4));
        assert_eq!(rust.position(text, text.len()), (3, 5));
    }

    #[test]
    fn line_index_columns_count_characters_past_block_boundaries() {
        let line = "é".repeat(100);
        let text = format!("{line}\n{line}x");
        let index = LineIndex::new(&text, LineBreaks::LineFeed);
        let x = text.len() - 1;
        assert_eq!(index.position(&text, x), (2, 101));
        assert_eq!(index.position(&text, 0), (1, 1));
        assert_eq!(index.position(&text, 2 * 70), (1, 71));
    }

    #[test]
    fn closest_suggests_near_misses_only() {
        assert_eq!(closest("regoin", ["id", "region", "holds"]), Some("region"));
        assert_eq!(closest("zzz", ["id", "region", "holds"]), None);
    }
}
