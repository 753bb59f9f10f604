//! Facts about one Rust file, read with syn (never compiled or run): every field of every
//! struct and enum variant with its enclosing item, module path, type, serde rename,
//! doc comment, `// ropa:` annotation and position; and every logging or printing macro
//! call (`log`, `tracing`, `println!` ...) with the field accesses and variables in its
//! arguments.

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Where something is in a source file: 1-based line and column, byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub start: u32,
    pub end: u32,
}

fn position(span: proc_macro2::Span) -> Position {
    let start = span.start();
    let bytes = span.byte_range();
    Position {
        line: start.line as u32,
        column: start.column as u32 + 1,
        start: bytes.start as u32,
        end: bytes.end as u32,
    }
}

/// One field of a struct or of an enum variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldFact {
    /// `models::user` for `src/models/user.rs`; empty at the crate root.
    pub module: String,
    /// The struct or enum that declares the field.
    pub item: String,
    /// The enum variant, for fields of enum variants.
    pub variant: Option<String>,
    /// The field's name, or its index for tuple fields.
    pub name: String,
    /// The type as written (token text, e.g. `Option < String >` normalised to `Option<String>`).
    pub ty: String,
    /// `#[serde(rename = "...")]` on the field.
    pub serde_rename: Option<String>,
    /// Doc comment text, lines joined with spaces.
    pub docs: String,
    /// A `// ropa: ...` comment on or above the field.
    pub annotation: Option<Annotation>,
    /// The position of the field's name.
    pub at: Position,
}

/// What a `// ropa:` comment on a field says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnnotationKind {
    /// `// ropa: not-personal (reason)`.
    NotPersonal(String),
    /// `// ropa: user.contact.email`: the category the field holds.
    Category(String),
    /// `// ropa: allow(personal-data-in-logs) <reason>`: findings of that code on this
    /// field or logging call are accepted.
    Allow { code: String, reason: String },
    /// A `ropa:` comment that says neither; the text says what is wrong.
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    pub kind: AnnotationKind,
    pub at: Position,
}

/// A logging or printing macro call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCall {
    /// The macro as written, e.g. `info` or `tracing::warn`.
    pub macro_name: String,
    /// The enclosing module path.
    pub module: String,
    pub arguments: Vec<LogArgument>,
    pub at: Position,
    /// The line the call ends on (a call may span several).
    pub end_line: u32,
    /// A `// ropa:` comment on or right above the call.
    pub annotation: Option<Annotation>,
}

/// A value passed to a logging macro: a field access (`user.email`), a variable
/// (`email`) or a variable named inside the format string (`{email}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogArgument {
    /// The expression as written, e.g. `user.email`.
    pub expr: String,
    /// The last name in it: the field or variable, e.g. `email`.
    pub name: String,
    /// What the field belongs to, if anything: the variable or field before the last
    /// dot (`user`), or the `impl` type for `self`.
    pub owner: Option<String>,
    pub at: Position,
}

/// Macros whose arguments end up in logs or on the console.
const LOG_MACROS: &[&str] = &[
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "log",
    "event",
    "println",
    "eprintln",
    "print",
    "eprint",
    "dbg",
    "trace_span",
    "debug_span",
    "info_span",
    "warn_span",
    "error_span",
    "span",
];

/// Method calls on a personal value that do not reveal it.
const HARMLESS_METHODS: &[&str] = &[
    "len", "is_empty", "is_some", "is_none", "is_ok", "is_err", "count",
];

/// Calls that make a value safe to log.
const REDACTING_WORDS: &[&str] = &["redact", "mask", "hash", "obfuscate", "anonymi", "truncat"];

/// Everything [`collect`] found in one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceFacts {
    pub fields: Vec<FieldFact>,
    pub logs: Vec<LogCall>,
    /// Structs whose attributes say they are rows of a database (`#[derive(FromRow)]`,
    /// `Queryable`, `#[diesel(table_name = …)]`, `#[sea_orm(table_name = …)]`), by path.
    pub persisted: Vec<String>,
    /// Large literals that were not read (see [`super::prescan`]).
    pub elided: Vec<super::prescan::Elision>,
}

impl FieldFact {
    /// The item the field belongs to as shown: `User`, or `Contact::Email` for a field
    /// of an enum variant.
    pub fn owner(&self) -> String {
        match &self.variant {
            Some(variant) => format!("{}::{variant}", self.item),
            None => self.item.clone(),
        }
    }

    /// The field as shown: `User.email`, `Contact::Email.address`, `Recipient::User.0`.
    pub fn display_name(&self) -> String {
        format!("{}.{}", self.owner(), self.name)
    }

    /// `models::user::User`, the path mappings in the inventory match against.
    pub fn item_path(&self) -> String {
        if self.module.is_empty() {
            self.item.clone()
        } else {
            format!("{}::{}", self.module, self.item)
        }
    }
}

/// Why a file could not be read as Rust; the message says which it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseProblem {
    pub message: String,
    pub at: Option<Position>,
}

/// Stack for a thread that runs [`collect`]: syn's parser and ropa's visitor recurse once
/// per level of nesting, which [`super::prescan`] bounds; this leaves a wide margin over
/// what the deepest file it lets through needs, even in a debug build. Only the pages
/// used are ever committed.
pub const PARSER_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Runs `work` on a thread with a [`PARSER_STACK_BYTES`] stack, for callers of
/// [`collect`] that are not on such a thread already (the scanner's own pool is).
pub fn on_parser_stack<T: Send>(work: impl FnOnce() -> T + Send) -> std::io::Result<T> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("ropa-parse".to_owned())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, work)?;
        handle
            .join()
            .map_err(|_| std::io::Error::other("the parser thread panicked"))
    })
}

/// Parses `text` and collects its fields and logging calls. `module` is the file's
/// module path. Must run on a thread with [`PARSER_STACK_BYTES`] of stack (see
/// [`on_parser_stack`]). Items are visited one at a time as they are parsed and then
/// dropped, so memory holds one item's syntax tree at a time.
pub fn collect(text: &str, module: &str) -> Result<SourceFacts, ParseProblem> {
    collect_with(text, module, false)
}

/// [`collect`], reading `#[cfg(test)]` modules and items too when `include_tests`.
pub fn collect_with(
    text: &str,
    module: &str,
    include_tests: bool,
) -> Result<SourceFacts, ParseProblem> {
    let prescanned = super::prescan::prescan(text).map_err(|problem| ParseProblem {
        message: format!("over the scanner's limits: {}", problem.message),
        at: problem.at,
    })?;
    let source = blank_preamble(&prescanned.text);
    let tokens: proc_macro2::TokenStream =
        source
            .parse()
            .map_err(|e: proc_macro2::LexError| ParseProblem {
                message: format!("does not parse as Rust: {e}"),
                at: Some(position(e.span())),
            })?;
    drop(source);
    let mut visitor = FieldVisitor {
        include_tests,
        modules: if module.is_empty() {
            Vec::new()
        } else {
            vec![module.to_owned()]
        },
        item: String::new(),
        variant: None,
        self_type: None,
        lines: LineIndex::new(text),
        facts: SourceFacts::default(),
    };
    let visit_items = |input: syn::parse::ParseStream| -> syn::Result<()> {
        input.call(syn::Attribute::parse_inner)?;
        while !input.is_empty() {
            if is_data_item(input) {
                skip_data_item(input)?;
            } else {
                let item: syn::Item = input.parse()?;
                visitor.visit_item(&item);
            }
        }
        Ok(())
    };
    syn::parse::Parser::parse2(visit_items, tokens).map_err(|e| ParseProblem {
        message: format!("does not parse as Rust: {e}"),
        at: Some(position(e.span())),
    })?;
    visitor.facts.elided = prescanned.elided;
    Ok(visitor.facts)
}

/// The text with a byte-order mark or a `#!` interpreter line blanked out (as
/// `syn::parse_file` strips them), keeping every byte offset and line in place.
fn blank_preamble(text: &str) -> std::borrow::Cow<'_, str> {
    let mut end = text
        .strip_prefix('\u{feff}')
        .map_or(0, |_| '\u{feff}'.len_utf8());
    let rest = &text[end..];
    if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        end += rest.find('\n').unwrap_or(rest.len());
    }
    if end == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(format!("{}{}", " ".repeat(end), &text[end..]))
}

/// The values of top-level `const` and `static` items are skipped token by token
/// instead of being parsed. They hold no fields and no logging calls, and generated
/// tables (a 2.5 MB array of numbers) would otherwise cost hundreds of megabytes of
/// syntax tree.
///
/// Whether the next item is `const NAME` or `static [mut] NAME`: not `const fn`, and
/// not `const _`, whose block often holds items (derive expansions).
fn is_data_item(input: syn::parse::ParseStream) -> bool {
    let fork = input.fork();
    if fork.call(syn::Attribute::parse_outer).is_err() || fork.parse::<syn::Visibility>().is_err() {
        return false;
    }
    (fork.peek(syn::Token![const]) && fork.peek2(syn::Ident))
        || (fork.peek(syn::Token![static])
            && (fork.peek2(syn::Ident) || fork.peek2(syn::Token![mut])))
}

/// Consumes a `const` or `static` item up to its closing `;`.
fn skip_data_item(input: syn::parse::ParseStream) -> syn::Result<()> {
    input.call(syn::Attribute::parse_outer)?;
    input.parse::<syn::Visibility>()?;
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((token, next)) = rest.token_tree() {
            rest = next;
            if matches!(&token, proc_macro2::TokenTree::Punct(p) if p.as_char() == ';') {
                return Ok(((), rest));
            }
        }
        Err(cursor.error("expected `;` at the end of the item"))
    })
}

struct FieldVisitor<'t> {
    /// Whether `#[cfg(test)]` code is read too.
    include_tests: bool,
    modules: Vec<String>,
    item: String,
    variant: Option<String>,
    /// The type of the enclosing `impl` block, which `self` refers to.
    self_type: Option<String>,
    lines: LineIndex<'t>,
    facts: SourceFacts,
}

/// The lines of a file, for reading comments near a field.
struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// Line `number` (1-based) with its byte offset, without the line break.
    fn line(&self, number: usize) -> Option<(usize, &'t str)> {
        let start = *self.starts.get(number.checked_sub(1)?)?;
        let end = self
            .starts
            .get(number)
            .map_or(self.text.len(), |next| next - 1);
        let line = self.text.get(start..end)?;
        Some((start, line.strip_suffix('\r').unwrap_or(line)))
    }

    /// The first `ropa:` comment from the plain comment lines right above `first` down to
    /// line `last` (a field's attributes, doc comments and its trailing comment).
    fn annotation(&self, first: usize, last: usize) -> Option<Annotation> {
        let mut top = first;
        while top > 1
            && self
                .line(top - 1)
                .is_some_and(|(_, l)| l.trim_start().starts_with("//"))
        {
            top -= 1;
        }
        (top..=last).find_map(|number| {
            let (offset, line) = self.line(number)?;
            let comment = line.find("//")?;
            let body = line[comment..].trim_start_matches(['/', '!']).trim_start();
            let rest = body.strip_prefix("ropa:")?;
            let column = comment + 1;
            let at = Position {
                line: number as u32,
                column: column as u32,
                start: (offset + comment) as u32,
                end: (offset + line.len()) as u32,
            };
            Some(Annotation {
                kind: parse_annotation(rest.trim()),
                at,
            })
        })
    }
}

/// Reads what follows `ropa:` in a comment.
pub fn parse_annotation(text: &str) -> AnnotationKind {
    if let Some(rest) = text.strip_prefix("allow(") {
        let Some((code, reason)) = rest.split_once(')') else {
            return AnnotationKind::Invalid(
                "`ropa: allow(` is not closed: `// ropa: allow(<code>) <reason>`".to_owned(),
            );
        };
        let reason = reason.trim().trim_start_matches([':', '-']).trim();
        return if reason.is_empty() {
            AnnotationKind::Invalid(format!(
                "`ropa: allow({})` needs a reason: `// ropa: allow({}) <why>`",
                crate::text::sanitize(code.trim()),
                crate::text::sanitize(code.trim())
            ))
        } else {
            AnnotationKind::Allow {
                code: code.trim().to_owned(),
                reason: reason.to_owned(),
            }
        };
    }
    if let Some(rest) = text.strip_prefix("not-personal") {
        let reason = rest
            .trim()
            .trim_start_matches([':', '-'])
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        return if reason.is_empty() {
            AnnotationKind::Invalid(
                "`ropa: not-personal` needs a reason: `// ropa: not-personal (why)`".to_owned(),
            )
        } else {
            AnnotationKind::NotPersonal(reason.to_owned())
        };
    }
    let key = text.split_whitespace().next().unwrap_or("");
    let is_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    if is_key {
        AnnotationKind::Category(key.to_owned())
    } else {
        AnnotationKind::Invalid(format!(
            "`ropa: {}` is neither `not-personal (reason)` nor a data category",
            crate::text::sanitize(text)
        ))
    }
}

impl<'ast> Visit<'ast> for FieldVisitor<'_> {
    fn visit_item_impl(&mut self, node: &'ast syn::ItemImpl) {
        let name = match &*node.self_ty {
            syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        let outer = std::mem::replace(&mut self.self_type, name);
        visit::visit_item_impl(self, node);
        self.self_type = outer;
    }

    fn visit_macro(&mut self, node: &'ast syn::Macro) {
        let segments: Vec<String> = node
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let is_log = segments
            .last()
            .is_some_and(|m| LOG_MACROS.contains(&m.as_str()))
            && (segments.len() == 1
                || matches!(segments[0].as_str(), "log" | "tracing" | "std" | "core"));
        if is_log {
            let mut arguments = Vec::new();
            let tokens: Vec<proc_macro2::TokenTree> = node.tokens.clone().into_iter().collect();
            log_arguments(&tokens, self.self_type.as_deref(), &mut arguments);
            let at = position(node.path.span());
            let end_line = node.delimiter.span().close().end().line as u32;
            let annotation = self.lines.annotation(at.line as usize, at.line as usize);
            self.facts.logs.push(LogCall {
                macro_name: segments.join("::"),
                module: self.modules.join("::"),
                arguments,
                at,
                end_line: end_line.max(at.line),
                annotation,
            });
        }
        visit::visit_macro(self, node);
    }

    fn visit_item(&mut self, node: &'ast syn::Item) {
        // Test code does not ship: `#[cfg(test)]` modules and items are left out.
        if !self.include_tests && is_test_only(item_attrs(node)) {
            return;
        }
        visit::visit_item(self, node);
    }

    fn visit_item_mod(&mut self, node: &'ast syn::ItemMod) {
        self.modules.push(node.ident.to_string());
        visit::visit_item_mod(self, node);
        self.modules.pop();
    }

    fn visit_item_struct(&mut self, node: &'ast syn::ItemStruct) {
        if is_persisted(&node.attrs) {
            let mut path = self.modules.clone();
            path.push(node.ident.to_string());
            self.facts.persisted.push(path.join("::"));
        }
        let outer = std::mem::replace(&mut self.item, node.ident.to_string());
        let outer_variant = self.variant.take();
        visit::visit_item_struct(self, node);
        self.item = outer;
        self.variant = outer_variant;
    }

    fn visit_item_enum(&mut self, node: &'ast syn::ItemEnum) {
        let outer = std::mem::replace(&mut self.item, node.ident.to_string());
        visit::visit_item_enum(self, node);
        self.item = outer;
    }

    fn visit_variant(&mut self, node: &'ast syn::Variant) {
        if !self.include_tests && is_test_only(&node.attrs) {
            return;
        }
        let outer = self.variant.replace(node.ident.to_string());
        visit::visit_variant(self, node);
        self.variant = outer;
    }

    fn visit_fields(&mut self, node: &'ast syn::Fields) {
        for (index, field) in node.iter().enumerate() {
            if self.item.is_empty() {
                continue; // fields outside a struct or enum (none in valid Rust)
            }
            // A field that exists in test builds only does not ship either.
            if !self.include_tests && is_test_only(&field.attrs) {
                continue;
            }
            let name = field
                .ident
                .as_ref()
                .map_or_else(|| index.to_string(), ToString::to_string);
            let at = field
                .ident
                .as_ref()
                .map_or_else(|| field.span(), |i| i.span());
            let whole = field.span();
            let annotation = self.lines.annotation(whole.start().line, whole.end().line);
            self.facts.fields.push(FieldFact {
                module: self.modules.join("::"),
                item: self.item.clone(),
                variant: self.variant.clone(),
                name,
                ty: type_text(&field.ty),
                serde_rename: serde_rename(&field.attrs),
                docs: docs(&field.attrs),
                annotation,
                at: position(at),
            });
        }
        visit::visit_fields(self, node);
    }
}

/// Whether a struct's attributes make it a database row: an ORM derive, or an ORM's
/// table attribute.
fn is_persisted(attrs: &[syn::Attribute]) -> bool {
    const DERIVES: [&str; 8] = [
        "FromRow",
        "Queryable",
        "Insertable",
        "Selectable",
        "AsChangeset",
        "Identifiable",
        "DeriveEntityModel",
        "Table",
    ];
    attrs.iter().any(|attr| {
        let path = attr.path();
        if path.is_ident("derive") {
            let text = attr.meta.to_token_stream().to_string();
            return DERIVES.iter().any(|d| {
                text.split(|c: char| !c.is_alphanumeric() && c != '_')
                    .any(|word| word == *d)
            });
        }
        ["diesel", "sea_orm", "sqlx", "table_name"]
            .iter()
            .any(|name| path.is_ident(name))
    })
}

/// The attributes of an item, for the kinds that can carry `#[cfg(test)]`.
fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Whether attributes make an item exist in test builds only: `#[cfg(test)]`, or a
/// `cfg(all(test, ...))`. `cfg(any(test, ...))` and `cfg(not(test))` also build outside
/// tests.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        if !attr.path().is_ident("cfg") {
            return false;
        }
        let Ok(list) = attr.meta.require_list() else {
            return false;
        };
        let tokens: Vec<String> = list
            .tokens
            .clone()
            .into_iter()
            .map(|t| t.to_string())
            .collect();
        match tokens.as_slice() {
            [only] => only == "test",
            [all, group] if all == "all" => group
                .trim_start_matches('(')
                .trim_end_matches(')')
                .split(',')
                .any(|part| part.trim() == "test"),
            _ => false,
        }
    })
}

fn is_punct(token: Option<&proc_macro2::TokenTree>, ch: char) -> bool {
    matches!(token, Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == ch)
}

fn ident_of(token: Option<&proc_macro2::TokenTree>) -> Option<&proc_macro2::Ident> {
    match token {
        Some(proc_macro2::TokenTree::Ident(ident)) => Some(ident),
        _ => None,
    }
}

/// Collects field accesses, whole-argument variables and format-string variables from a
/// macro's tokens (and the groups nested in them), skipping values passed through a
/// redacting call and harmless methods such as `.len()`.
fn log_arguments(
    tokens: &[proc_macro2::TokenTree],
    self_type: Option<&str>,
    out: &mut Vec<LogArgument>,
) {
    use proc_macro2::{Delimiter, TokenTree};
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(group) => {
                let callee = i
                    .checked_sub(1)
                    .and_then(|p| ident_of(tokens.get(p)))
                    .map(|c| c.to_string().to_ascii_lowercase());
                let redacted =
                    callee.is_some_and(|c| REDACTING_WORDS.iter().any(|w| c.contains(w)));
                if !redacted {
                    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                    log_arguments(&inner, self_type, out);
                }
                i += 1;
            }
            TokenTree::Literal(literal) => {
                if let Ok(text) =
                    syn::parse2::<syn::LitStr>(TokenTree::Literal(literal.clone()).into())
                {
                    for name in format_variables(&text.value()) {
                        out.push(LogArgument {
                            expr: format!("{{{name}}}"),
                            name,
                            owner: None,
                            at: position(literal.span()),
                        });
                    }
                }
                i += 1;
            }
            TokenTree::Ident(first) => {
                // A path (`a::b`) or a macro name (`format!`) is not a value.
                if is_punct(tokens.get(i + 1), ':') || is_punct(tokens.get(i + 1), '!') {
                    i += 1;
                    continue;
                }
                let start = i;
                let mut chain = vec![first.clone()];
                let mut j = i + 1;
                while is_punct(tokens.get(j), '.')
                    && let Some(next) = ident_of(tokens.get(j + 1))
                {
                    chain.push(next.clone());
                    j += 2;
                }
                let called = matches!(tokens.get(j), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                if called {
                    let method = chain.pop().map(|m| m.to_string()).unwrap_or_default();
                    if HARMLESS_METHODS.contains(&method.as_str())
                        || REDACTING_WORDS
                            .iter()
                            .any(|w| method.to_ascii_lowercase().contains(w))
                    {
                        // Skip the call's arguments too: they are not logged.
                        i = j + 1;
                        continue;
                    }
                }
                let before = start.checked_sub(1).map(|p| &tokens[p]);
                let whole_argument = start == 0
                    || before.is_some_and(|t| matches!(t, TokenTree::Punct(p) if matches!(p.as_char(), ',' | '%' | '?' | '=' | '&')));
                let keyword = matches!(
                    first.to_string().as_str(),
                    "target"
                        | "parent"
                        | "name"
                        | "Level"
                        | "true"
                        | "false"
                        | "self"
                        | "crate"
                        | "super"
                ) && chain.len() == 1;
                if chain.len() >= 2
                    || (chain.len() == 1
                        && whole_argument
                        && !keyword
                        && !called
                        && !is_punct(tokens.get(j), '='))
                {
                    let names: Vec<String> = chain.iter().map(ToString::to_string).collect();
                    let owner = (names.len() >= 2).then(|| {
                        let owner = &names[names.len() - 2];
                        match (owner.as_str(), self_type) {
                            ("self", Some(ty)) => ty.to_owned(),
                            _ => owner.clone(),
                        }
                    });
                    let first_span = first.span();
                    let last_span = chain.last().map_or(first_span, |l| l.span());
                    let mut at = position(first_span);
                    at.end = last_span.byte_range().end as u32;
                    out.push(LogArgument {
                        expr: names.join("."),
                        name: names.last().cloned().unwrap_or_default(),
                        owner,
                        at,
                    });
                }
                i = j;
            }
            TokenTree::Punct(_) => i += 1,
        }
    }
}

/// Variables named inside a format string: `{email}` and `{email:?}`, not `{}`, `{0}`
/// or `{{`.
fn format_variables(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(escaped) = rest.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let end = rest.find(['}', ':']).unwrap_or(rest.len());
        let name = &rest[..end];
        let is_ident = name.starts_with(|c: char| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if is_ident {
            names.push(name.to_owned());
        }
        rest = &rest[end..];
    }
    names
}

/// Token text of a type without the spaces the token printer puts between tokens.
fn type_text(ty: &syn::Type) -> String {
    let printed = ty.to_token_stream().to_string();
    let mut text = String::with_capacity(printed.len());
    for (i, part) in printed.split(' ').enumerate() {
        let keep_space = i > 0
            && !text.ends_with(['<', '&', ':', '(', '['])
            && !part.starts_with(['<', '>', ',', ':', ')', ']'])
            && !text.is_empty();
        if keep_space {
            text.push(' ');
        }
        text.push_str(part);
    }
    text.replace(" ,", ",")
}

fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

fn docs(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    lines.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"
/// A customer account.
pub struct User {
    pub id: UserId,
    /// Where we send receipts.
    #[serde(rename = "emailAddress", default)]
    pub email: Option<String>,
    created_at: DateTime<Utc>,
}

mod billing {
    pub enum Payment {
        Card { number: String, holder: String },
        Invoice(Address),
    }
}

pub struct Pair(u32, String);
"#;

    #[test]
    fn collects_struct_and_variant_fields() {
        let fields = collect(SOURCE, "models::user").expect("parses").fields;
        let summary: Vec<_> = fields
            .iter()
            .map(|f| {
                (
                    f.item_path(),
                    f.variant.clone(),
                    f.name.clone(),
                    f.ty.clone(),
                )
            })
            .collect();
        let expected = [
            ("models::user::User", None, "id", "UserId"),
            ("models::user::User", None, "email", "Option<String>"),
            ("models::user::User", None, "created_at", "DateTime<Utc>"),
            (
                "models::user::billing::Payment",
                Some("Card"),
                "number",
                "String",
            ),
            (
                "models::user::billing::Payment",
                Some("Card"),
                "holder",
                "String",
            ),
            (
                "models::user::billing::Payment",
                Some("Invoice"),
                "0",
                "Address",
            ),
            ("models::user::Pair", None, "0", "u32"),
            ("models::user::Pair", None, "1", "String"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(p, v, n, t)| {
                (
                    p.to_string(),
                    v.map(str::to_owned),
                    n.to_string(),
                    t.to_string(),
                )
            })
            .collect();
        assert_eq!(summary, expected);
    }

    #[test]
    fn reads_renames_docs_and_positions() {
        let fields = collect(SOURCE, "").expect("parses").fields;
        let email = &fields[1];
        assert_eq!(email.serde_rename.as_deref(), Some("emailAddress"));
        assert_eq!(email.docs, "Where we send receipts.");
        assert_eq!((email.at.line, email.at.column), (7, 9));
        assert_eq!(
            &SOURCE[email.at.start as usize..email.at.end as usize],
            "email"
        );
        assert_eq!(fields[0].item_path(), "User");
    }

    #[test]
    fn allow_comments_name_a_code_and_need_a_reason() {
        assert_eq!(
            parse_annotation("allow(personal-data-in-logs) debug builds only"),
            AnnotationKind::Allow {
                code: "personal-data-in-logs".into(),
                reason: "debug builds only".into()
            }
        );
        assert!(matches!(
            parse_annotation("allow(personal-data-in-logs)"),
            AnnotationKind::Invalid(message) if message.contains("needs a reason")
        ));
        assert!(matches!(
            parse_annotation("allow(personal-data-in-logs"),
            AnnotationKind::Invalid(_)
        ));
    }

    #[test]
    fn reads_ropa_annotations_above_beside_and_in_doc_comments() {
        let source = "pub struct Upload {
    // ropa: not-personal (hash of the file contents)
    pub content_hash: String,
    pub contact: String, // ropa: user.contact.email
    /// The uploader's handle.
    /// ropa: user.account.username
    #[serde(default)]
    pub handle: String,
    // ropa: not-personal
    pub note: String,
    pub plain: String,
}
";
        let fields = collect(source, "").expect("parses").fields;
        let kinds: Vec<_> = fields
            .iter()
            .map(|f| f.annotation.as_ref().map(|a| (a.kind.clone(), a.at.line)))
            .collect();
        assert_eq!(
            kinds,
            [
                Some((
                    AnnotationKind::NotPersonal("hash of the file contents".into()),
                    2
                )),
                Some((AnnotationKind::Category("user.contact.email".into()), 4)),
                Some((AnnotationKind::Category("user.account.username".into()), 6)),
                Some((
                    AnnotationKind::Invalid(
                        "`ropa: not-personal` needs a reason: `// ropa: not-personal (why)`".into()
                    ),
                    9
                )),
                None,
            ]
        );
    }

    #[test]
    fn collects_logging_calls_with_the_values_they_log() {
        let source = r#"
impl Session {
    fn login(&self, user: &User, token: &str) {
        info!("login {} from {}", user.email, self.ip_address);
        tracing::warn!(user_id = %user.id, "token {token} used");
        debug!("{}", redact(user.phone));
        println!("{} chars", user.name.len());
        log::error!(target: "auth", "failed for {:?}", user.email.clone());
        let s = format!("{}", user.email);
    }
}
"#;
        let logs = collect(source, "auth").expect("parses").logs;
        type Logged = Vec<(String, Option<String>)>;
        let calls: Vec<(String, Logged)> = logs
            .iter()
            .map(|call| {
                (
                    call.macro_name.clone(),
                    call.arguments
                        .iter()
                        .map(|a| (a.expr.clone(), a.owner.clone()))
                        .collect(),
                )
            })
            .collect();
        let owned = |e: &str, o: Option<&str>| (e.to_owned(), o.map(str::to_owned));
        assert_eq!(
            calls,
            [
                (
                    "info".to_owned(),
                    vec![
                        owned("user.email", Some("user")),
                        owned("self.ip_address", Some("Session"))
                    ]
                ),
                (
                    "tracing::warn".to_owned(),
                    vec![owned("user.id", Some("user")), owned("{token}", None)]
                ),
                ("debug".to_owned(), vec![]),
                ("println".to_owned(), vec![]),
                (
                    "log::error".to_owned(),
                    vec![owned("user.email", Some("user"))]
                ),
            ]
        );
        let email = &logs[0].arguments[0];
        assert_eq!(
            &source[email.at.start as usize..email.at.end as usize],
            "user.email"
        );
        assert_eq!(logs[0].at.line, 4);
    }

    #[test]
    fn data_items_are_skipped_and_everything_else_read() {
        let source = "#!/usr/bin/env rust-script
#![allow(dead_code)]
pub static TABLE: [u16; 3] = [1, 2, 3];
const fn twice(x: u32) -> u32 { x * 2 }
const LIMIT: usize = { let x = 1; x + 1 };
static mut COUNTER: u32 = 0;
const _: () = { struct Hidden { phone: String } };
pub struct User { pub email: String }
fn log_it(user: &User) { info!(\"{}\", user.email); }
";
        let facts = collect(source, "").expect("parses");
        let fields: Vec<_> = facts
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.at.line))
            .collect();
        assert_eq!(fields, [("phone", 7), ("email", 8)]);
        assert_eq!(facts.logs.len(), 1);
        let problem = collect("pub struct A;\nstatic X: u8 = 1\n", "").unwrap_err();
        assert!(problem.message.contains("`;`"), "{}", problem.message);
    }

    #[test]
    fn test_only_code_is_left_out_unless_asked_for() {
        let source = "pub struct User { pub email: String }
#[cfg(test)]
mod tests {
    struct Fixture { phone: String }
}
#[cfg(all(unix, test))]
struct UnixFixture { name: String }
#[cfg(not(test))]
struct Real { address: String }
#[cfg(any(test, feature = \"x\"))]
struct Either { city: String }
struct Parsed {
    subject: String,
    #[cfg(test)]
    headers_removed: Vec<String>,
}
enum Event {
    Sent { to: String },
    #[cfg(test)]
    Probe { marker: String },
}
";
        let names = |include_tests| -> Vec<String> {
            collect_with(source, "", include_tests)
                .expect("parses")
                .fields
                .iter()
                .map(|f| f.name.clone())
                .collect()
        };
        assert_eq!(names(false), ["email", "address", "city", "subject", "to"]);
        assert_eq!(
            names(true),
            [
                "email",
                "phone",
                "name",
                "address",
                "city",
                "subject",
                "headers_removed",
                "to",
                "marker"
            ]
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let problem = collect(
            "pub struct User {\n    name: String\n    email: String,\n}\n",
            "",
        )
        .unwrap_err();
        assert_eq!(problem.at.map(|p| p.line), Some(3));
    }
}
