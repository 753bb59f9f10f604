//! The Code view: every struct field the scanner classified (struct, field, category,
//! confidence, and whether the inventory declares it), filterable to the ones it does
//! not declare (undeclared, or in a struct no `code.structs` mapping covers), with the
//! selected field's reason and source line below.

use super::{Action, Hint, View, detail_pane, fit_title, not_loaded, pane};
use crate::code::verdicts::{FieldStatus, ItemPattern, Origin};
use crate::source::{FileId, Span};
use crate::tui::data::{Data, Location, Ready};
use crate::tui::excerpt::{clean, excerpt};
use crate::tui::fit::widest;
use crate::tui::list::{Column, Columns, FilteredList};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span as Text};
use std::collections::HashMap;

/// How the inventory stands towards a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    Declared,
    /// An `undeclared-personal-field` finding points at it.
    Undeclared,
    /// Another finding of a rule (a prohibited or retention rule) points at it.
    BreaksRule,
    /// Personal, in a struct that no `code.structs` mapping covers: the inventory
    /// cannot declare it anywhere.
    Unmapped,
    /// The field of a newtype (`AccountId(String).0`): judged in the structs that use
    /// the newtype, as `check` does.
    Newtype,
    NotPersonal,
}

impl Standing {
    fn label(self) -> &'static str {
        match self {
            Standing::Declared => "declared",
            Standing::Undeclared => "UNDECLARED",
            Standing::BreaksRule => "breaks rule",
            Standing::Unmapped => "unmapped",
            Standing::Newtype => "newtype",
            Standing::NotPersonal => "not personal",
        }
    }
}

struct FieldRow {
    item: String,
    field: String,
    category: String,
    confidence: Option<f32>,
    reason: String,
    origin: Origin,
    ty: String,
    standing: Standing,
    span: Option<Span>,
}

#[derive(Default)]
pub struct CodeView {
    rows: Vec<FieldRow>,
    list: FilteredList,
    only_undeclared: bool,
    /// The widest struct, field, category, standing and type, for the column widths.
    widest: [u16; 5],
}

fn origin_label(origin: Origin) -> &'static str {
    match origin {
        Origin::Classifier => "classifier",
        Origin::Annotation => "`// ropa:` annotation",
        Origin::Inventory => "inventory field override",
    }
}

fn collect_rows(ready: &Ready) -> Vec<FieldRow> {
    let mut at_field: HashMap<(FileId, u32), Standing> = HashMap::new();
    for f in &ready.audit.findings {
        if let Some(span) = f.span {
            let standing = if f.code == "undeclared-personal-field" {
                Standing::Undeclared
            } else if f.rule.is_some() {
                Standing::BreaksRule
            } else {
                continue;
            };
            at_field
                .entry((span.file, span.start))
                .and_modify(|s| {
                    if standing == Standing::Undeclared {
                        *s = standing
                    }
                })
                .or_insert(standing);
        }
    }
    let mut rows = Vec::new();
    let sections = &ready.audit.inventory.decl.code;
    for scan in &ready.audit.scans {
        let mappings: Vec<ItemPattern> = sections
            .get(scan.section)
            .map(|section| {
                section
                    .structs
                    .iter()
                    .filter_map(|m| ItemPattern::new(&m.pattern.value))
                    .collect()
            })
            .unwrap_or_default();
        for (file, field, status) in scan.judged() {
            let span = file.source.map(|source| Span {
                file: source,
                line: field.at.line,
                column: field.at.column,
                start: field.at.start,
                end: field.at.end,
            });
            let (category, confidence, reason, origin, standing) = match status {
                FieldStatus::Personal {
                    category,
                    confidence,
                    reason,
                    origin,
                } => (
                    category.clone(),
                    Some(*confidence),
                    reason.clone(),
                    *origin,
                    if mappings.iter().any(|m| m.matches(&field.item_path())) {
                        span.and_then(|s| at_field.get(&(s.file, s.start)).copied())
                            .unwrap_or(Standing::Declared)
                    } else if file.is_newtype_field(field) {
                        Standing::Newtype
                    } else {
                        Standing::Unmapped
                    },
                ),
                FieldStatus::NotPersonal { reason, origin } => (
                    String::new(),
                    None,
                    reason.clone(),
                    *origin,
                    Standing::NotPersonal,
                ),
                FieldStatus::Unclassified => continue,
            };
            let item = if field.module.is_empty() {
                field.item.clone()
            } else {
                format!("{}::{}", field.module, field.item)
            };
            let item = match &field.variant {
                Some(variant) => format!("{item}::{variant}"),
                None => item,
            };
            rows.push(FieldRow {
                item: clean(&item),
                field: clean(&field.name),
                category: clean(&category),
                confidence,
                reason: clean(&reason),
                origin,
                ty: clean(&field.ty),
                standing,
                span,
            });
        }
    }
    rows
}

impl CodeView {
    /// Narrows the list to the fields the inventory does not declare, or shows all.
    fn apply(&mut self) {
        let allowed = self.only_undeclared.then(|| {
            self.rows
                .iter()
                .map(|r| matches!(r.standing, Standing::Undeclared | Standing::Unmapped))
                .collect()
        });
        self.list.set_allowed(allowed);
    }

    fn selected(&self) -> Option<&FieldRow> {
        self.rows.get(self.list.selected()?)
    }
}

impl View for CodeView {
    fn refresh(&mut self, data: &Data) {
        self.rows = data.ready().map(collect_rows).unwrap_or_default();
        let haystacks = self
            .rows
            .iter()
            .map(|r| {
                format!(
                    "{}.{} {} {}",
                    r.item,
                    r.field,
                    r.category,
                    r.standing.label()
                )
            })
            .collect();
        let keys = self
            .rows
            .iter()
            .map(|r| format!("{}.{}", r.item, r.field))
            .collect();
        self.list.set_items(haystacks, keys);
        self.apply();
        let rows = &self.rows;
        self.widest = [
            widest(rows.iter().map(|r| r.item.as_str())),
            widest(rows.iter().map(|r| r.field.as_str())),
            widest(rows.iter().map(|r| r.category.as_str())),
            widest(rows.iter().map(|r| r.standing.label())),
            widest(rows.iter().map(|r| r.ty.as_str())),
        ];
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, data: &Data, theme: &Theme) {
        let Some(ready) = data.ready() else {
            return not_loaded(frame, area, theme);
        };
        let [top, bottom] =
            Layout::vertical([Constraint::Min(5), Constraint::Length(8)]).areas(area);
        let count = |standing| self.rows.iter().filter(|r| r.standing == standing).count();
        let undeclared = count(Standing::Undeclared);
        let unmapped = match count(Standing::Unmapped) {
            0 => String::new(),
            n => format!(", {n} unmapped"),
        };
        let title = format!(
            "Code: classified fields ({}, {undeclared} undeclared{unmapped}){}",
            self.list.count_label(),
            if self.only_undeclared {
                " · undeclared only"
            } else {
                ""
            }
        );
        let rows = &self.rows;
        let wide = area.width >= 110;
        let [item, field, category, standing, ty] = self.widest;
        let mut columns = vec![
            Column::new("Struct", 10, item),
            Column::new("Field", 8, field),
            Column::new("Category", 10, category).growing(),
            Column::new("Conf", 4, 4),
            Column::new("Inventory", 8, standing),
        ];
        if wide {
            columns.push(Column::new("Type", 6, ty));
        }
        self.list.render_table(
            frame,
            top,
            pane(fit_title(&title, top), true, theme),
            Columns::new(columns).with_header(),
            theme,
            |i| {
                let r = &rows[i];
                let standing = match r.standing {
                    Standing::Undeclared | Standing::BreaksRule | Standing::Unmapped => theme.bad(),
                    Standing::Declared => theme.good(),
                    Standing::NotPersonal | Standing::Newtype => theme.dim(),
                };
                let mut cells = vec![
                    Text::raw(r.item.clone()),
                    Text::raw(r.field.clone()),
                    Text::raw(r.category.clone()),
                    Text::raw(r.confidence.map(|c| format!("{c:.2}")).unwrap_or_default()),
                    Text::styled(r.standing.label(), standing),
                ];
                if wide {
                    cells.push(Text::raw(r.ty.clone()));
                }
                cells
            },
        );
        let lines = match self.selected() {
            Some(r) => {
                let mut lines = vec![Line::from(vec![
                    Text::styled(format!("{}.{}", r.item, r.field), theme.title()),
                    Text::styled(format!(": {}", r.ty), theme.dim()),
                ])];
                lines.push(Line::raw(format!(
                    "{} (by the {})",
                    r.reason,
                    origin_label(r.origin)
                )));
                if let Some(span) = r.span {
                    lines.extend(excerpt(&ready.audit.inventory.sources, span, theme));
                }
                lines
            }
            None if ready.audit.scans.is_empty() => vec![Line::styled(
                "The inventory names no Rust sources: add a `code` section (see docs/inventory.md).",
                theme.dim(),
            )],
            None => vec![Line::styled("No field matches.", theme.dim())],
        };
        frame.render_widget(detail_pane("Field", lines, false, theme), bottom);
    }

    fn handle_key(&mut self, key: KeyEvent, _data: &Data) -> Action {
        if self.list.handle_key(key) {
            return Action::Handled;
        }
        match key.code {
            KeyCode::Char('u') => {
                self.only_undeclared = !self.only_undeclared;
                self.apply();
                Action::Handled
            }
            _ => Action::Ignored,
        }
    }

    fn hints(&self) -> Vec<Hint> {
        vec![("↑↓", "field"), ("u", "undeclared only"), ("e", "edit")]
    }

    fn location(&self, data: &Data) -> Option<Location> {
        data.location(self.selected()?.span?)
    }

    fn list(&self) -> Option<&FilteredList> {
        Some(&self.list)
    }

    fn list_mut(&mut self) -> Option<&mut FilteredList> {
        Some(&mut self.list)
    }
}
