//! Facts about one Rust file, read with syn (never compiled or run): every field of every
//! struct and enum variant with its enclosing item, module path, type, serde rename,
//! doc comment and position.

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
    /// Comment-style annotations are read by the classifier from the source text; this is
    /// the field's position.
    pub at: Position,
}

impl FieldFact {
    /// `models::user::User`, the path mappings in the inventory match against.
    pub fn item_path(&self) -> String {
        if self.module.is_empty() {
            self.item.clone()
        } else {
            format!("{}::{}", self.module, self.item)
        }
    }
}

/// Why a file could not be read as Rust.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseProblem {
    pub message: String,
    pub at: Option<Position>,
}

/// Parses `text` and collects its fields. `module` is the file's module path.
pub fn collect(text: &str, module: &str) -> Result<Vec<FieldFact>, ParseProblem> {
    let file = syn::parse_file(text).map_err(|e| ParseProblem {
        message: e.to_string(),
        at: Some(position(e.span())),
    })?;
    let mut visitor = FieldVisitor {
        modules: if module.is_empty() {
            Vec::new()
        } else {
            vec![module.to_owned()]
        },
        item: String::new(),
        variant: None,
        fields: Vec::new(),
    };
    visitor.visit_file(&file);
    Ok(visitor.fields)
}

struct FieldVisitor {
    modules: Vec<String>,
    item: String,
    variant: Option<String>,
    fields: Vec<FieldFact>,
}

impl<'ast> Visit<'ast> for FieldVisitor {
    fn visit_item_mod(&mut self, node: &'ast syn::ItemMod) {
        self.modules.push(node.ident.to_string());
        visit::visit_item_mod(self, node);
        self.modules.pop();
    }

    fn visit_item_struct(&mut self, node: &'ast syn::ItemStruct) {
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
        let outer = self.variant.replace(node.ident.to_string());
        visit::visit_variant(self, node);
        self.variant = outer;
    }

    fn visit_fields(&mut self, node: &'ast syn::Fields) {
        for (index, field) in node.iter().enumerate() {
            if self.item.is_empty() {
                continue; // fields outside a struct or enum (none in valid Rust)
            }
            let name = field
                .ident
                .as_ref()
                .map_or_else(|| index.to_string(), ToString::to_string);
            let at = field
                .ident
                .as_ref()
                .map_or_else(|| field.span(), |i| i.span());
            self.fields.push(FieldFact {
                module: self.modules.join("::"),
                item: self.item.clone(),
                variant: self.variant.clone(),
                name,
                ty: type_text(&field.ty),
                serde_rename: serde_rename(&field.attrs),
                docs: docs(&field.attrs),
                at: position(at),
            });
        }
        visit::visit_fields(self, node);
    }
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
        let fields = collect(SOURCE, "models::user").expect("parses");
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
        let fields = collect(SOURCE, "").expect("parses");
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
    fn syntax_errors_have_a_position() {
        let problem = collect(
            "pub struct User {\n    name: String\n    email: String,\n}\n",
            "",
        )
        .unwrap_err();
        assert_eq!(problem.at.map(|p| p.line), Some(3));
    }
}
