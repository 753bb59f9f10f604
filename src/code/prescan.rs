//! A cheap, iterative pass over a Rust file's text before syn sees it, which bounds what
//! parsing the file can cost. syn's parser, its syntax tree's `Drop` and ropa's own
//! visitor all recurse once per level of nesting, so a hostile file (a thousand nested
//! parentheses, 400 nested `Vec<`, a chain of 30,000 `+` or `else if`) would overflow
//! the stack and abort the process. This pass lexes the file (comments, strings, raw
//! strings, char literals and lifetimes included) without building tokens, and measures:
//!
//! - **nesting**: open brackets plus unclosed `<` of generic arguments;
//! - **chain**: the tokens of one expression or statement (between `;` and `,`), summed
//!   over the enclosing brackets, which bounds the depth of an expression tree that is
//!   built without brackets (`1 + 1 + ...`, `x.a().a()...`, `&&&&x`, `else if`, `return
//!   return ...`).
//!
//! A file over either limit is not parsed; the caller reports it as skipped, with the
//! position where the limit was crossed. Array and tuple literals (and macro arguments)
//! of more than [`LITERAL_TOKENS`] tokens are blanked to spaces, keeping every offset and
//! line, so a generated table costs nothing: they hold no fields and no logging calls.
//! A file that still has more than [`MAX_TOKENS`] tokens is skipped, which bounds the
//! memory of its syntax tree.

use super::facts::Position;
use crate::text::{LineBreaks, LineIndex};

/// Most brackets and generic arguments nested in one another that the scanner parses.
/// Hand-written code stays under 40.
pub const MAX_NESTING: usize = 256;
/// Most tokens of one expression, counted through the brackets around it.
pub const MAX_CHAIN: usize = 5_000;
/// Array, tuple and macro-argument literals of more tokens than this are not read.
pub const LITERAL_TOKENS: usize = 20_000;
/// Most tokens in one file (after literals are blanked) that the scanner parses: about
/// 50,000 lines of dense code, and at most some 250 MB of syntax tree.
pub const MAX_TOKENS: usize = 500_000;

/// A literal that was blanked out and not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elision {
    /// The literal, from its opening to its closing bracket.
    pub at: Position,
    pub tokens: usize,
}

/// Why a file is not parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooComplex {
    pub message: String,
    pub at: Option<Position>,
}

/// The text to parse (with large literals blanked) and what was blanked.
#[derive(Debug)]
pub struct Prescanned<'t> {
    pub text: std::borrow::Cow<'t, str>,
    pub elided: Vec<Elision>,
}

/// Bracket kinds, as written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delimiter {
    Paren,
    Bracket,
    Brace,
}

/// One open bracket.
struct Frame {
    delimiter: Delimiter,
    open: usize,
    /// Unclosed `<` at this level.
    angles: usize,
    /// Tokens of the current expression at this level.
    chain: usize,
    /// The chain of the enclosing levels when this one opened.
    outer_chain: usize,
    /// Unclosed `<` of the enclosing levels when this one opened.
    outer_angles: usize,
    /// How many tokens the file had before the first one inside.
    tokens_before: usize,
    /// An attribute's brackets (`#[...]`), which must not be blanked.
    is_attribute: bool,
    /// A macro's arguments (or inside them): syn keeps them as tokens without parsing
    /// them, so they form no expression tree and their chain is not counted.
    in_macro: bool,
}

/// What the lexer saw last, for the rules that look back one token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last<'t> {
    Nothing,
    Punct(u8),
    Word(&'t [u8]),
    /// A closing brace: the end of a block, body or item.
    Brace,
    Other,
}

/// Measures `text` and blanks its large literals; an error if it is over a limit.
pub fn prescan(text: &str) -> Result<Prescanned<'_>, TooComplex> {
    let mut lexer = Lexer {
        bytes: text.as_bytes(),
        at: 0,
    };
    // The file itself is the outermost level.
    let mut frames: Vec<Frame> = vec![Frame {
        delimiter: Delimiter::Brace,
        open: 0,
        angles: 0,
        chain: 0,
        outer_chain: 0,
        outer_angles: 0,
        tokens_before: 0,
        is_attribute: false,
        in_macro: false,
    }];
    let mut last = Last::Nothing;
    let mut before_last = Last::Nothing;
    // Set by `name!` (or `macro_rules! name`): the next bracket holds macro arguments.
    let mut macro_bang = false;
    let mut total_tokens = 0usize;
    let mut elided: Vec<(usize, usize, usize)> = Vec::new();
    while let Some(token) = lexer.next_token() {
        let (start, kind) = token;
        let Some(frame) = frames.last_mut() else {
            break;
        };
        // After a block, a new statement or item starts unless an operator or `else`
        // continues the expression (`{a} + {b}`, `if a {} else if b {}`).
        if last == Last::Brace {
            let continues = match kind {
                Token::Punct(b'#') => false,
                Token::Punct(_) | Token::Close(_) => true,
                Token::Word(word) => word == b"else",
                _ => false,
            };
            if !continues {
                frame.chain = 0;
                frame.angles = 0;
            }
        }
        total_tokens += 1;
        let open_groups = frames.len() - 1;
        let Some(frame) = frames.last_mut() else {
            break;
        };
        match kind {
            Token::Open(delimiter) => {
                frame.chain += 1;
                let is_attribute = delimiter == Delimiter::Bracket
                    && (last == Last::Punct(b'#')
                        || (last == Last::Punct(b'!') && before_last == Last::Punct(b'#')));
                let outer_chain = frame.outer_chain + frame.chain;
                let outer_angles = frame.outer_angles + frame.angles;
                let in_macro = frame.in_macro || macro_bang;
                macro_bang = false;
                frames.push(Frame {
                    delimiter,
                    open: start,
                    angles: 0,
                    chain: 0,
                    outer_chain,
                    outer_angles,
                    tokens_before: total_tokens,
                    is_attribute,
                    in_macro,
                });
                let nesting = frames.len() - 1 + outer_angles;
                if nesting > MAX_NESTING {
                    return Err(too_complex(
                        text,
                        start,
                        format!(
                            "brackets and generic arguments nested more than {MAX_NESTING} deep"
                        ),
                    ));
                }
                before_last = Last::Nothing;
                last = Last::Nothing;
                continue;
            }
            Token::Close(delimiter) => {
                // The file's own level is never closed; a stray bracket is syn's to report.
                if frames.len() > 1
                    && let Some(closed) = frames.pop()
                {
                    let blankable =
                        matches!(closed.delimiter, Delimiter::Paren | Delimiter::Bracket)
                            && !closed.is_attribute;
                    // The closing bracket is counted already; it stays.
                    let inside = total_tokens - 1 - closed.tokens_before;
                    if blankable && inside > LITERAL_TOKENS {
                        elided.push((closed.open, start + 1, inside));
                    }
                }
                before_last = Last::Nothing;
                last = if delimiter == Delimiter::Brace {
                    Last::Brace
                } else {
                    Last::Other
                };
                continue;
            }
            Token::Punct(b';') => {
                frame.chain = 0;
                frame.angles = 0;
            }
            Token::Punct(b',') => frame.chain = 0,
            Token::Punct(b'<') => {
                frame.chain += 1;
                // `<=` and `<<=` compare or shift; `<` opens generic arguments or
                // compares, and is counted either way (an over-count is harmless).
                if lexer.peek() != Some(b'=') {
                    frame.angles += 1;
                }
            }
            Token::Punct(b'>') => {
                frame.chain += 1;
                let arrow = matches!(last, Last::Punct(b'-') | Last::Punct(b'='))
                    && lexer.joint_with_previous(start);
                if !arrow {
                    frame.angles = frame.angles.saturating_sub(1);
                }
            }
            Token::Punct(_) | Token::Word(_) | Token::Literal => frame.chain += 1,
        }
        let nesting = open_groups + frame.outer_angles + frame.angles;
        if nesting > MAX_NESTING {
            return Err(too_complex(
                text,
                start,
                format!("brackets and generic arguments nested more than {MAX_NESTING} deep"),
            ));
        }
        if !frame.in_macro && frame.outer_chain + frame.chain > MAX_CHAIN {
            return Err(too_complex(
                text,
                start,
                format!(
                    "an expression of more than {MAX_CHAIN} tokens (counted through the brackets around it)"
                ),
            ));
        }
        macro_bang = match kind {
            Token::Punct(b'!') => matches!(last, Last::Word(word) if !is_keyword(word)),
            // `macro_rules! name { ... }`
            Token::Word(_) => macro_bang && last == Last::Punct(b'!'),
            _ => false,
        };
        before_last = last;
        last = match kind {
            Token::Punct(byte) => Last::Punct(byte),
            Token::Word(word) => Last::Word(word),
            _ => Last::Other,
        };
    }
    // Keep the outermost of nested blanked literals.
    elided.sort_by_key(|&(open, close, _)| (open, std::cmp::Reverse(close)));
    let mut outermost: Vec<(usize, usize, usize)> = Vec::new();
    for span in elided {
        if outermost.last().is_none_or(|&(_, end, _)| span.0 >= end) {
            outermost.push(span);
        }
    }
    let blanked_tokens: usize = outermost.iter().map(|&(_, _, tokens)| tokens).sum();
    if total_tokens - blanked_tokens > MAX_TOKENS {
        return Err(TooComplex {
            message: format!(
                "{} tokens is over the scanner's limit of {MAX_TOKENS} per file",
                total_tokens - blanked_tokens
            ),
            at: None,
        });
    }
    if outermost.is_empty() {
        return Ok(Prescanned {
            text: std::borrow::Cow::Borrowed(text),
            elided: Vec::new(),
        });
    }
    let mut blanked = text.as_bytes().to_vec();
    let lines = LineIndex::new(text, LineBreaks::LineFeed);
    let elided = outermost
        .iter()
        .map(|&(open, close, tokens)| {
            // Keep the brackets and line breaks; everything between becomes spaces.
            for byte in &mut blanked[open + 1..close - 1] {
                if *byte != b'\n' {
                    *byte = b' ';
                }
            }
            let mut at = position_at(&lines, text, open);
            at.end = close as u32;
            Elision { at, tokens }
        })
        .collect();
    // Only whole characters between two ASCII brackets were replaced by ASCII spaces.
    let text = String::from_utf8(blanked).map_err(|_| TooComplex {
        message: "could not blank a large literal".to_owned(),
        at: None,
    })?;
    Ok(Prescanned {
        text: std::borrow::Cow::Owned(text),
        elided,
    })
}

fn too_complex(text: &str, offset: usize, message: String) -> TooComplex {
    TooComplex {
        message,
        at: Some(position_at(
            &LineIndex::new(text, LineBreaks::LineFeed),
            text,
            offset,
        )),
    }
}

/// The line and column (in characters) of a byte offset, through the file's line index.
fn position_at(lines: &LineIndex, text: &str, offset: usize) -> Position {
    let offset = crate::text::floor_char_boundary(text, offset);
    let (line, column) = lines.position(text, offset);
    Position {
        line: line as u32,
        column: column as u32,
        start: offset as u32,
        end: (offset + 1).min(text.len()) as u32,
    }
}

/// What the lexer reports: only what the measures need.
#[derive(Clone, Copy)]
enum Token<'t> {
    Open(Delimiter),
    Close(Delimiter),
    Punct(u8),
    Word(&'t [u8]),
    Literal,
}

struct Lexer<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl<'t> Lexer<'t> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn byte(&self, offset: usize) -> Option<u8> {
        self.bytes.get(offset).copied()
    }

    /// Whether the token at `start` follows the previous byte with no space (`->`).
    fn joint_with_previous(&self, start: usize) -> bool {
        start > 0 && !self.bytes[start - 1].is_ascii_whitespace()
    }

    fn next_token(&mut self) -> Option<(usize, Token<'t>)> {
        loop {
            let start = self.at;
            let byte = self.peek()?;
            match byte {
                b if b.is_ascii_whitespace() => self.at += 1,
                b'/' if self.byte(start + 1) == Some(b'/') => self.skip_line(),
                b'/' if self.byte(start + 1) == Some(b'*') => self.skip_block_comment(),
                b'(' | b'[' | b'{' => {
                    self.at += 1;
                    return Some((start, Token::Open(delimiter(byte))));
                }
                b')' | b']' | b'}' => {
                    self.at += 1;
                    return Some((start, Token::Close(delimiter(byte))));
                }
                b'"' => {
                    self.at += 1;
                    self.skip_quoted(b'"');
                    return Some((start, Token::Literal));
                }
                b'\'' => return Some((start, self.quote_or_lifetime())),
                b'0'..=b'9' => {
                    self.skip_number();
                    return Some((start, Token::Literal));
                }
                b if b == b'_' || b.is_ascii_alphabetic() || b >= 0x80 => {
                    return Some((start, self.word_or_prefixed_literal()));
                }
                _ => {
                    self.at += 1;
                    return Some((start, Token::Punct(byte)));
                }
            }
        }
    }

    fn skip_line(&mut self) {
        while let Some(byte) = self.peek() {
            if byte == b'\n' {
                break;
            }
            self.at += 1;
        }
    }

    /// Skips a block comment; they nest in Rust.
    fn skip_block_comment(&mut self) {
        self.at += 2;
        let mut depth = 1usize;
        while depth > 0 {
            match (self.peek(), self.byte(self.at + 1)) {
                (None, _) => return,
                (Some(b'/'), Some(b'*')) => {
                    depth += 1;
                    self.at += 2;
                }
                (Some(b'*'), Some(b'/')) => {
                    depth -= 1;
                    self.at += 2;
                }
                _ => self.at += 1,
            }
        }
    }

    /// Skips to after the closing `quote`, honouring backslash escapes.
    fn skip_quoted(&mut self, quote: u8) {
        while let Some(byte) = self.peek() {
            self.at += 1;
            if byte == b'\\' {
                self.at += 1;
            } else if byte == quote {
                return;
            }
        }
    }

    /// Skips a raw string's body after the `r`: `#`s, `"`, text, `"` and as many `#`s.
    fn skip_raw(&mut self) {
        let mut hashes = 0;
        while self.peek() == Some(b'#') {
            hashes += 1;
            self.at += 1;
        }
        if self.peek() != Some(b'"') {
            return;
        }
        self.at += 1;
        while let Some(byte) = self.peek() {
            self.at += 1;
            if byte == b'"' {
                let closing = (0..hashes).all(|i| self.byte(self.at + i) == Some(b'#'));
                if closing {
                    self.at += hashes;
                    return;
                }
            }
        }
    }

    /// A char literal (`'a'`, `'\n'`, `'é'`) or a lifetime or label (`'a`).
    fn quote_or_lifetime(&mut self) -> Token<'t> {
        self.at += 1;
        if self.peek() == Some(b'\\') {
            self.skip_quoted(b'\'');
            return Token::Literal;
        }
        // One character, then a closing quote makes a char literal.
        let width = self.peek().map_or(1, utf8_width);
        if self.byte(self.at + width) == Some(b'\'') {
            self.at += width + 1;
            return Token::Literal;
        }
        while self
            .peek()
            .is_some_and(|b| b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80)
        {
            self.at += 1;
        }
        Token::Word(b"'")
    }

    fn skip_number(&mut self) {
        while let Some(byte) = self.peek() {
            let fraction =
                byte == b'.' && self.byte(self.at + 1).is_some_and(|b| b.is_ascii_digit());
            if byte == b'_' || byte.is_ascii_alphanumeric() || fraction {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    /// An identifier or keyword, a raw identifier (`r#type`), or a prefixed literal
    /// (`b"..."`, `b'x'`, `r"..."`, `br#"..."#`, `c"..."`).
    fn word_or_prefixed_literal(&mut self) -> Token<'t> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|b| b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80)
        {
            self.at += 1;
        }
        let word = &self.bytes[start..self.at];
        match (word, self.peek()) {
            (b"b" | b"c", Some(b'"')) => {
                self.at += 1;
                self.skip_quoted(b'"');
                Token::Literal
            }
            (b"b", Some(b'\'')) => {
                self.at += 1;
                self.skip_quoted(b'\'');
                Token::Literal
            }
            (b"r" | b"br" | b"cr", Some(b'"')) => {
                self.skip_raw();
                Token::Literal
            }
            (b"r" | b"br" | b"cr", Some(b'#')) => {
                let after_hashes = self.bytes[self.at..]
                    .iter()
                    .position(|b| *b != b'#')
                    .map(|i| self.bytes[self.at + i]);
                if after_hashes == Some(b'"') {
                    self.skip_raw();
                    Token::Literal
                } else {
                    // A raw identifier: `r#type`.
                    self.at += 1;
                    let ident_start = self.at;
                    while self
                        .peek()
                        .is_some_and(|b| b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80)
                    {
                        self.at += 1;
                    }
                    Token::Word(&self.bytes[ident_start..self.at])
                }
            }
            _ => Token::Word(word),
        }
    }
}

/// Whether a word is a keyword, which cannot name a macro (`if !(...)`).
fn is_keyword(word: &[u8]) -> bool {
    const KEYWORDS: &[&[u8]] = &[
        b"as",
        b"async",
        b"await",
        b"box",
        b"break",
        b"const",
        b"continue",
        b"crate",
        b"do",
        b"dyn",
        b"else",
        b"enum",
        b"extern",
        b"false",
        b"fn",
        b"for",
        b"gen",
        b"if",
        b"impl",
        b"in",
        b"let",
        b"loop",
        b"match",
        b"mod",
        b"move",
        b"mut",
        b"pub",
        b"ref",
        b"return",
        b"self",
        b"Self",
        b"static",
        b"struct",
        b"super",
        b"trait",
        b"true",
        b"try",
        b"type",
        b"unsafe",
        b"use",
        b"where",
        b"while",
        b"yield",
        b"'",
    ];
    KEYWORDS.contains(&word)
}

fn delimiter(byte: u8) -> Delimiter {
    match byte {
        b'(' | b')' => Delimiter::Paren,
        b'[' | b']' => Delimiter::Bracket,
        _ => Delimiter::Brace,
    }
}

/// The length of the UTF-8 character that starts with `first`.
fn utf8_width(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(open: &str, n: usize, middle: &str, close: &str) -> String {
        format!("{}{middle}{}", open.repeat(n), close.repeat(n))
    }

    #[test]
    fn ordinary_code_passes_unchanged() {
        let source = r##"
/// Docs with ( unbalanced [ brackets and "quotes.
pub struct User<'a> {
    pub name: Cow<'a, str>, // a comment with {{{
    pub tags: HashMap<String, Vec<Option<Box<[u8]>>>>,
}
fn f(x: u32) -> bool {
    let s = r#"raw " string ((( "#;
    let c = '{';
    let b = b'[';
    let lifetime: &'static str = "}}}";
    /* nested /* block */ comment ((( */
    if x < 3 && x >= 1 { x << 2 > 1 } else { x->y }
}
"##;
        let scanned = prescan(source).expect("passes");
        assert!(matches!(scanned.text, std::borrow::Cow::Borrowed(_)));
        assert!(scanned.elided.is_empty());
    }

    #[test]
    fn deep_nesting_is_refused_with_its_position() {
        let types = format!(
            "pub struct S {{\n    pub f: {},\n}}\n",
            nested("Vec<", 400, "u8", ">")
        );
        let problem = prescan(&types).expect_err("too deep");
        assert!(
            problem.message.contains("nested more than 256"),
            "{}",
            problem.message
        );
        let at = problem.at.expect("position");
        assert_eq!(at.line, 2);
        let parens = format!("fn f() {{ {} }}", nested("(", 1000, "1", ")"));
        assert!(prescan(&parens).is_err());
        let modules = nested("mod m { ", 300, "", " }");
        assert!(prescan(&modules).is_err());
        // Just under the limit is read.
        let ok = format!("fn f() {{ {} }}", nested("(", MAX_NESTING - 2, "1", ")"));
        assert!(prescan(&ok).is_ok());
    }

    #[test]
    fn long_chains_are_refused() {
        let plus = format!("fn f() {{ let x = {}; }}", vec!["1"; 6000].join(" + "));
        assert!(prescan(&plus).is_err());
        let mut else_ifs = String::from("fn f(x: u32) { if x == 0 {} ");
        for i in 0..5000 {
            else_ifs.push_str(&format!("else if x == {i} {{}} "));
        }
        else_ifs.push('}');
        assert!(prescan(&else_ifs).is_err());
        let refs = format!("fn f() {{ let c = {}1; }}", "&".repeat(20_000));
        assert!(prescan(&refs).is_err());
        let returns = format!("fn f() {{ {}1; }}", "return ".repeat(20_000));
        assert!(prescan(&returns).is_err());
        // Many statements, items and match arms are not a chain.
        let mut many = String::new();
        for i in 0..5_000 {
            many.push_str(&format!(
                "fn f{i}() {{ let a = 1 + 2; a; }}\n#[test]\nfn g{i}() {{}}\n"
            ));
        }
        many.push_str("fn m(x: u8) { match x {");
        for i in 0..20_000 {
            many.push_str(&format!(" {i} => {{ x }}"));
        }
        many.push_str(" } }");
        assert!(prescan(&many).is_ok());
    }

    #[test]
    fn macro_arguments_are_not_a_chain_but_keyword_brackets_are() {
        let markup = format!("fn f() {{ view! {{ {} }} }}", "<p>x</p> ".repeat(5000));
        assert!(prescan(&markup).is_ok());
        let rules = format!("macro_rules! m {{ () => {{ {} }} }}", "a b ".repeat(10_000));
        assert!(prescan(&rules).is_ok());
        let negated = format!("fn f() {{ if !({}) {{}} }}", vec!["1"; 6000].join(" + "));
        assert!(prescan(&negated).is_err());
    }

    #[test]
    fn large_literals_are_blanked_keeping_offsets() {
        let numbers: Vec<String> = (0..30_000).map(|i| (i % 100).to_string()).collect();
        let source = format!(
            "pub struct User {{ pub email: String }}\nfn table() -> Vec<u8> {{\n    vec![\n{}\n    ]\n}}\n",
            numbers.join(",\n")
        );
        let scanned = prescan(&source).expect("passes");
        assert_eq!(scanned.text.len(), source.len());
        assert_eq!(
            scanned.text.lines().count(),
            source.lines().count(),
            "lines are kept"
        );
        assert_eq!(scanned.elided.len(), 1);
        assert_eq!(scanned.elided[0].at.line, 3);
        assert!(scanned.elided[0].tokens > 50_000);
        assert!(scanned.text.contains("vec!["));
        assert!(!scanned.text.contains("99"));
        assert!(
            scanned
                .text
                .starts_with("pub struct User { pub email: String }")
        );
    }

    #[test]
    fn unterminated_input_does_not_hang() {
        for source in [
            "\"abc", "r#\"abc", "/* open", "'", "b'", "r#", "x.", "1.", "'\\",
        ] {
            assert!(prescan(source).is_ok(), "{source:?}");
        }
    }
}
