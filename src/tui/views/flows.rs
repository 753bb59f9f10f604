//! The Flows view: every declared flow with its ends, categories, purpose, lawful basis
//! and regions, marked when it crosses a border (⇄) or travels unencrypted (⊘);
//! sortable by column and filterable, with the selected flow in full below.

use super::{Action, Hint, Target, View, detail_pane, not_loaded, pane};
use crate::inventory::model::Flow;
use crate::tui::data::{Data, Location, Ready};
use crate::tui::excerpt::clean;
use crate::tui::list::{Columns, FilteredList};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

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
    crosses_border: bool,
    unencrypted: bool,
}

#[derive(Default)]
pub struct Flows {
    rows: Vec<FlowRow>,
    list: FilteredList,
    sort: SortBy,
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
        data: flow
            .data
            .iter()
            .map(|d| clean(&d.value))
            .collect::<Vec<_>>()
            .join(", "),
        purpose: text(flow.purpose.as_ref()),
        basis: text(flow.lawful_basis.as_ref()),
        regions: format!(
            "{}→{}",
            region_of(ready, &flow.from.value),
            region_of(ready, &flow.to.value)
        ),
        crosses_border,
        unencrypted: flow.encrypted_in_transit.as_ref().is_some_and(|e| !e.value),
    }
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
                    "{} {} {} {} {} {}{}{}",
                    r.from,
                    r.to,
                    r.data,
                    r.purpose,
                    r.basis,
                    r.regions,
                    if r.crosses_border { " border" } else { "" },
                    if r.unencrypted { " unencrypted" } else { "" }
                )
            })
            .collect();
        let keys = self.rows.iter().map(|r| r.key.clone()).collect();
        self.list.set_items(haystacks, keys);
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
        let [top, bottom] =
            Layout::vertical([Constraint::Min(5), Constraint::Length(6)]).areas(area);
        let wide = area.width >= 110;
        let title = format!(
            "Flows ({}, {}) ⇄ border ⊘ unencrypted",
            self.list.count_label(),
            self.sort.label()
        );
        let mut widths = vec![
            Constraint::Length(2),
            Constraint::Percentage(18),
            Constraint::Percentage(18),
            Constraint::Fill(1),
        ];
        let mut header = vec!["", "From", "To", "Data"];
        if wide {
            widths.extend([
                Constraint::Percentage(14),
                Constraint::Length(12),
                Constraint::Length(22),
            ]);
            header.extend(["Purpose", "Basis", "Regions"]);
        } else {
            widths.push(Constraint::Length(12));
            header.push("Regions");
        }
        let rows = &self.rows;
        self.list.render_table(
            frame,
            top,
            pane(title, true, theme),
            Columns::new(widths).header(Row::new(header)),
            theme,
            |i| {
                let r = &rows[i];
                let marks = format!(
                    "{}{}",
                    if r.crosses_border { "⇄" } else { " " },
                    if r.unencrypted { "⊘" } else { " " }
                );
                let mut cells = vec![
                    Cell::from(Span::styled(marks, theme.warn())),
                    Cell::from(r.from.clone()),
                    Cell::from(r.to.clone()),
                    Cell::from(r.data.clone()),
                ];
                if wide {
                    cells.push(Cell::from(r.purpose.clone()));
                    cells.push(Cell::from(r.basis.clone()));
                }
                cells.push(Cell::from(r.regions.clone()));
                Row::new(cells)
            },
        );
        let lines = self
            .selected()
            .map(|row| detail(ready, row, theme))
            .unwrap_or_else(|| vec![Line::styled("No flow matches the filter.", theme.dim())]);
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
