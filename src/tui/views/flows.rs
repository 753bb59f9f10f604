//! The Flows view: every declared flow with its ends, categories, purpose, lawful basis
//! and regions, marked when it crosses a border (⇄) or travels unencrypted (⊘);
//! sortable by column and filterable, with the selected flow in full below (what it
//! carries only anonymized, and the claims it supports, too).

use super::{Action, Hint, Target, View, detail_pane, fit_title, not_loaded, pane};
use crate::inventory::model::{Anonymized, Flow};
use crate::tui::data::{Data, Location, Ready};
use crate::tui::excerpt::clean;
use crate::tui::fit::{self, widest};
use crate::tui::list::{Column, Columns, FilteredList};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

/// How the table is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Declared,
    From,
    To,
    Purpose,
    Basis,
    /// Border crossings and unencrypted flows first.
    Flags,
}

impl SortBy {
    fn next(self) -> Self {
        match self {
            SortBy::Declared => SortBy::From,
            SortBy::From => SortBy::To,
            SortBy::To => SortBy::Purpose,
            SortBy::Purpose => SortBy::Basis,
            SortBy::Basis => SortBy::Flags,
            SortBy::Flags => SortBy::Declared,
        }
    }

    fn label(self) -> &'static str {
        match self {
            SortBy::Declared => "as declared",
            SortBy::From => "by from",
            SortBy::To => "by to",
            SortBy::Purpose => "by purpose",
            SortBy::Basis => "by basis",
            SortBy::Flags => "markers first",
        }
    }
}

/// One flow, as the table shows it.
struct FlowRow {
    flow: usize,
    key: String,
    from: String,
    to: String,
    data: String,
    purpose: String,
    basis: String,
    regions: String,
    /// What it carries only anonymized: "all", or the categories; empty when nothing.
    anonymized: String,
    /// The claims it supports, joined.
    claims: String,
    crosses_border: bool,
    unencrypted: bool,
}

#[derive(Default)]
pub struct Flows {
    rows: Vec<FlowRow>,
    list: FilteredList,
    sort: SortBy,
    /// The widest from, to, data, purpose, basis and regions, for the column widths.
    widest: [u16; 6],
}

fn text(value: Option<&crate::source::Sp<String>>) -> String {
    value.map(|v| clean(&v.value)).unwrap_or_default()
}

fn region_of(ready: &Ready, node: &str) -> String {
    let audit = &ready.audit;
    let names: Vec<String> = audit
        .graph
        .node(node)
        .map(|n| audit.graph.info(n).regions.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|p| audit.inventory.decl.regions.get(p.region))
        .map(|r| clean(&r.id.value))
        .collect();
    if names.is_empty() {
        "—".to_owned()
    } else {
        names.join(", ")
    }
}

fn flow_row(ready: &Ready, index: usize, flow: &Flow) -> FlowRow {
    let audit = &ready.audit;
    let crosses_border =
        ready.flow_edges[index].is_some_and(|e| audit.graph.crosses_border(&audit.inventory, e));
    FlowRow {
        flow: index,
        key: format!(
            "{}|{}|{}|{index}",
            flow.label(),
            flow.from.value,
            flow.to.value
        ),
        from: clean(&flow.from.value),
        to: clean(&flow.to.value),
        data: join(&flow.data),
        purpose: text(flow.purpose.as_ref()),
        basis: text(flow.lawful_basis.as_ref()),
        regions: format!(
            "{}→{}",
            region_of(ready, &flow.from.value),
            region_of(ready, &flow.to.value)
        ),
        anonymized: match &flow.anonymized {
            Anonymized::None => String::new(),
            Anonymized::All => "all".to_owned(),
            Anonymized::Some(categories) => join(categories),
        },
        claims: join(&flow.claims),
        crosses_border,
        unencrypted: flow.encrypted_in_transit.as_ref().is_some_and(|e| !e.value),
    }
}

/// Ids from the inventory, cleaned and joined with commas.
fn join(ids: &[crate::source::Sp<String>]) -> String {
    ids.iter()
        .map(|id| clean(&id.value))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Flows {
    fn rebuild(&mut self, data: &Data) {
        self.rows = match data.ready() {
            Some(ready) => ready
                .audit
                .inventory
                .decl
                .flows
                .iter()
                .enumerate()
                .map(|(i, f)| flow_row(ready, i, f))
                .collect(),
            None => Vec::new(),
        };
        match self.sort {
            SortBy::Declared => {}
            SortBy::From => self.rows.sort_by(|a, b| a.from.cmp(&b.from)),
            SortBy::To => self.rows.sort_by(|a, b| a.to.cmp(&b.to)),
            SortBy::Purpose => self.rows.sort_by(|a, b| a.purpose.cmp(&b.purpose)),
            SortBy::Basis => self.rows.sort_by(|a, b| a.basis.cmp(&b.basis)),
            SortBy::Flags => self
                .rows
                .sort_by_key(|r| !(r.crosses_border || r.unencrypted)),
        }
        let haystacks = self
            .rows
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {} {} {} {}{}{}{}",
                    r.from,
                    r.to,
                    r.data,
                    r.purpose,
                    r.basis,
                    r.regions,
                    r.claims,
                    if r.crosses_border { " border" } else { "" },
                    if r.unencrypted { " unencrypted" } else { "" },
                    if r.anonymized.is_empty() {
                        ""
                    } else {
                        " anonymized"
                    }
                )
            })
            .collect();
        let keys = self.rows.iter().map(|r| r.key.clone()).collect();
        self.list.set_items(haystacks, keys);
        let rows = &self.rows;
        self.widest = [
            widest(rows.iter().map(|r| r.from.as_str())),
            widest(rows.iter().map(|r| r.to.as_str())),
            widest(rows.iter().map(|r| r.data.as_str())),
            widest(rows.iter().map(|r| r.purpose.as_str())),
            widest(rows.iter().map(|r| r.basis.as_str())),
            widest(rows.iter().map(|r| r.regions.as_str())),
        ];
    }

    fn selected(&self) -> Option<&FlowRow> {
        self.rows.get(self.list.selected()?)
    }
}

fn detail(ready: &Ready, row: &FlowRow, theme: &Theme) -> Vec<Line<'static>> {
    let flow = &ready.audit.inventory.decl.flows[row.flow];
    let mut lines = vec![Line::from(vec![
        Span::styled(clean(&flow.label()), theme.title()),
        Span::raw(format!("  {} → {}  ({})", row.from, row.to, row.regions)),
    ])];
    lines.push(Line::from(vec![
        Span::styled("data: ", theme.header()),
        Span::raw(row.data.clone()),
    ]));
    let mut facts = vec![
        format!("purpose: {}", or_none(&row.purpose)),
        format!("basis: {}", or_none(&row.basis)),
    ];
    if !flow.transfer_mechanisms.is_empty() {
        let mechanisms: Vec<&str> = flow
            .transfer_mechanisms
            .iter()
            .map(|m| m.value.as_str())
            .collect();
        facts.push(format!("mechanism: {}", clean(&mechanisms.join(", "))));
    }
    if let Some(encrypted) = &flow.encrypted_in_transit {
        facts.push(format!("encrypted in transit: {}", encrypted.value));
    }
    lines.push(Line::raw(facts.join(" · ")));
    let mut extra = Vec::new();
    if !row.anonymized.is_empty() {
        extra.push(Span::styled("anonymized: ", theme.header()));
        extra.push(Span::raw(format!("{}  ", row.anonymized)));
    }
    if !row.claims.is_empty() {
        extra.push(Span::styled("claims: ", theme.header()));
        extra.push(Span::raw(row.claims.clone()));
    }
    if !extra.is_empty() {
        lines.push(Line::from(extra));
    }
    let mut marks = Vec::new();
    if row.crosses_border {
        marks.push(Span::styled("⇄ crosses a border  ", theme.warn()));
    }
    if row.unencrypted {
        marks.push(Span::styled("⊘ not encrypted in transit  ", theme.warn()));
    }
    if let Some(description) = &flow.description {
        marks.push(Span::styled(clean(&description.value), theme.dim()));
    }
    if !marks.is_empty() {
        lines.push(Line::from(marks));
    }
    lines
}

fn or_none(value: &str) -> &str {
    if value.is_empty() { "—" } else { value }
}

impl View for Flows {
    fn refresh(&mut self, data: &Data) {
        self.rebuild(data);
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, data: &Data, theme: &Theme) {
        let Some(ready) = data.ready() else {
            return not_loaded(frame, area, theme);
        };
        let lines = self
            .selected()
            .map(|row| detail(ready, row, theme))
            .unwrap_or_else(|| vec![Line::styled("No flow matches the filter.", theme.dim())]);
        // The detail as high as its wrapped lines, between 4 and 7 of them.
        let detail_rows = fit::wrapped_height(&lines, area.width.saturating_sub(2)).clamp(4, 7);
        let [top, bottom] =
            Layout::vertical([Constraint::Min(5), Constraint::Length(detail_rows + 2)]).areas(area);
        let title = format!(
            "Flows ({}, {}) ⇄ border ⊘ unencrypted",
            self.list.count_label(),
            self.sort.label()
        );
        let [from, to, data, purpose, basis, regions] = self.widest;
        // Below 100 columns the regions show only in the detail: from, to, data,
        // purpose and basis keep the room.
        let with_regions = area.width >= 100;
        let mut columns = vec![
            Column::new("", 2, 2),
            Column::new("From", 8, from),
            Column::new("To", 8, to),
            Column::new("Data", 10, data).growing(),
            Column::new("Purpose", 8, purpose),
            Column::new("Basis", 7, basis),
        ];
        if with_regions {
            columns.push(Column::new("Regions", 7, regions));
        }
        let rows = &self.rows;
        self.list.render_table(
            frame,
            top,
            pane(fit_title(&title, top), true, theme),
            Columns::new(columns).with_header(),
            theme,
            |i| {
                let r = &rows[i];
                let marks = format!(
                    "{}{}",
                    if r.crosses_border { "⇄" } else { " " },
                    if r.unencrypted { "⊘" } else { " " }
                );
                let mut cells = vec![
                    Span::styled(marks, theme.warn()),
                    Span::raw(r.from.clone()),
                    Span::raw(r.to.clone()),
                    Span::raw(r.data.clone()),
                    Span::raw(r.purpose.clone()),
                    Span::raw(r.basis.clone()),
                ];
                if with_regions {
                    cells.push(Span::raw(r.regions.clone()));
                }
                cells
            },
        );
        frame.render_widget(detail_pane("Flow", lines, false, theme), bottom);
    }

    fn handle_key(&mut self, key: KeyEvent, data: &Data) -> Action {
        if self.list.handle_key(key) {
            return Action::Handled;
        }
        match key.code {
            KeyCode::Char('s') => {
                self.sort = self.sort.next();
                self.rebuild(data);
                Action::Handled
            }
            KeyCode::Enter => match self.selected() {
                Some(row) => Action::Show(Target::Node(row.from.clone())),
                None => Action::Ignored,
            },
            _ => Action::Ignored,
        }
    }

    fn hints(&self) -> Vec<Hint> {
        vec![
            ("↑↓", "flow"),
            ("s", "sort"),
            ("Enter", "graph"),
            ("e", "edit"),
        ]
    }

    fn list(&self) -> Option<&FilteredList> {
        Some(&self.list)
    }

    fn list_mut(&mut self) -> Option<&mut FilteredList> {
        Some(&mut self.list)
    }

    fn location(&self, data: &Data) -> Option<Location> {
        let row = self.selected()?;
        let flow = data.ready()?.audit.inventory.decl.flows.get(row.flow)?;
        data.location(flow.span)
    }
}
