//! The Graph view: the data-flow graph around one node, drawn with boxes and arrows:
//! the nodes that send it data on the left, the node in the middle, the nodes it sends
//! data to on the right, each box coloured by region. The arrows move between
//! neighbours, Enter walks along the edge, Esc walks back. The category mode (`c`)
//! highlights every node a chosen category reaches and shows the path that brings it
//! to the node in the middle. Box labels too long end in `…`; the selected edge's full
//! list of categories (and the flows behind it) shows below the graph.

use super::{Action, Hint, Target, View, fit_title, not_loaded, pane};
use crate::graph::{DataFlowGraph, GraphEdge};
use crate::inventory::Inventory;
use crate::tui::data::{Data, Location, Ready};
use crate::tui::excerpt::clean;
use crate::tui::fit::{self, truncate};
use crate::tui::list::{Column, Columns, FilteredList};
use crate::tui::theme::Theme;
use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Which neighbours the cursor is on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Side {
    #[default]
    Downstream,
    Upstream,
}

/// What a picker chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PickerKind {
    Category,
    Node,
}

struct Picker {
    kind: PickerKind,
    items: Vec<String>,
    list: FilteredList,
}

impl Picker {
    fn new(kind: PickerKind, items: Vec<String>) -> Self {
        let mut list = FilteredList::default();
        list.set_items(items.clone(), items.clone());
        Picker { kind, items, list }
    }

    fn chosen(&self) -> Option<String> {
        self.items.get(self.list.selected()?).cloned()
    }
}

/// A node next to the centre, with the categories the edges between them carry.
struct Neighbour {
    node: NodeIndex,
    id: String,
    data: Vec<String>,
    /// The flows behind the edges (their ids, or `from → to`; `backup` for a copy).
    flows: Vec<String>,
    region: Option<usize>,
}

#[derive(Default)]
pub struct GraphView {
    center: Option<String>,
    side: Side,
    cursor: [usize; 2],
    history: Vec<String>,
    category: Option<String>,
    /// Nodes the chosen category reaches, computed once per category.
    reach: Option<(String, Vec<bool>)>,
    picker: Option<Picker>,
    /// Boxes drawn at the last frame, for mouse clicks.
    boxes: Vec<(Rect, Side, usize)>,
}

fn neighbours(
    graph: &DataFlowGraph,
    inv: &Inventory,
    node: NodeIndex,
    side: Side,
) -> Vec<Neighbour> {
    let direction = match side {
        Side::Upstream => Direction::Incoming,
        Side::Downstream => Direction::Outgoing,
    };
    let tree = &inv.taxonomy.categories;
    let mut found: Vec<Neighbour> = Vec::new();
    for edge in graph.graph.edges_directed(node, direction) {
        let other = match side {
            Side::Upstream => edge.source(),
            Side::Downstream => edge.target(),
        };
        let data = graph
            .carried(edge.id())
            .iter()
            .map(|d| tree.key(d.category).to_owned());
        let flow = match edge.weight() {
            GraphEdge::Flow(i) => inv
                .decl
                .flows
                .get(*i)
                .map_or_else(String::new, |f| f.label()),
            GraphEdge::Backup(_) => "backup".to_owned(),
        };
        match found.iter_mut().find(|n| n.node == other) {
            Some(existing) => {
                existing.data.extend(data);
                existing.flows.push(flow);
            }
            None => found.push(Neighbour {
                node: other,
                id: graph.info(other).id.clone(),
                data: data.collect(),
                flows: vec![flow],
                region: graph.info(other).region(),
            }),
        }
    }
    for n in &mut found {
        n.data.sort();
        n.data.dedup();
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

impl GraphView {
    fn side_index(side: Side) -> usize {
        match side {
            Side::Downstream => 0,
            Side::Upstream => 1,
        }
    }

    /// The node in the middle, once loaded.
    pub fn center(&self) -> Option<&str> {
        self.center.as_deref()
    }

    /// The chosen category of the category mode.
    pub fn category(&self) -> Option<&str> {
        self.category.as_deref()
    }

    fn center_node(&self, ready: &Ready) -> Option<NodeIndex> {
        ready.audit.graph.node(self.center.as_deref()?)
    }

    fn recenter(&mut self, id: String) {
        if self.center.as_deref() == Some(id.as_str()) {
            return;
        }
        if let Some(previous) = self.center.take() {
            self.history.push(previous);
        }
        self.center = Some(id);
        self.cursor = [0, 0];
    }

    fn selected_neighbour(&self, ready: &Ready) -> Option<Neighbour> {
        let node = self.center_node(ready)?;
        let list = neighbours(&ready.audit.graph, &ready.audit.inventory, node, self.side);
        // The wheel may have moved the cursor past the end; it is drawn on the last.
        let index = self.cursor[Self::side_index(self.side)].min(list.len().saturating_sub(1));
        list.into_iter().nth(index)
    }

    /// The selected edge in full: its ends, the flows behind it and every category it
    /// carries.
    fn edge_lines(&self, ready: &Ready, center: NodeIndex, theme: &Theme) -> Vec<Line<'static>> {
        let Some(neighbour) = self.selected_neighbour(ready) else {
            let text = match self.side {
                Side::Upstream => "Nothing flows into it.",
                Side::Downstream => "It sends data nowhere.",
            };
            return vec![Line::styled(text, theme.dim())];
        };
        let center_id = clean(&ready.audit.graph.info(center).id);
        let neighbour_id = clean(&neighbour.id);
        let (from, to) = match self.side {
            Side::Downstream => (center_id, neighbour_id),
            Side::Upstream => (neighbour_id, center_id),
        };
        let flows: Vec<String> = neighbour.flows.iter().map(|f| clean(f)).collect();
        vec![
            Line::from(vec![
                Span::styled(format!("{from} → {to}"), theme.title()),
                Span::styled(format!("  via {}", flows.join(", ")), theme.dim()),
            ]),
            Line::from(vec![
                Span::styled(
                    format!("carries ({}): ", neighbour.data.len()),
                    theme.header(),
                ),
                Span::raw(clean(&neighbour.data.join(", "))),
            ]),
        ]
    }

    fn reached(&mut self, ready: &Ready) -> Option<&[bool]> {
        let category = self.category.clone()?;
        if self.reach.as_ref().is_none_or(|(c, _)| *c != category) {
            let inv = &ready.audit.inventory;
            let key = inv.taxonomy.categories.get(&category)?;
            self.reach = Some((category, ready.audit.graph.reach(inv, key)));
        }
        self.reach.as_ref().map(|(_, r)| r.as_slice())
    }

    fn handle_picker_key(&mut self, key: KeyEvent) -> Action {
        let Some(picker) = &mut self.picker else {
            return Action::Ignored;
        };
        if !matches!(key.code, KeyCode::Char(_)) && picker.list.handle_key(key) {
            return Action::Handled;
        }
        match key.code {
            KeyCode::Esc => self.picker = None,
            KeyCode::Enter => {
                let kind = picker.kind;
                let chosen = picker.chosen();
                self.picker = None;
                match (kind, chosen) {
                    (PickerKind::Category, Some(category)) => self.category = Some(category),
                    (PickerKind::Node, Some(id)) => self.recenter(id),
                    _ => {}
                }
            }
            KeyCode::Backspace => {
                let mut query = picker.list.query().to_owned();
                query.pop();
                picker.list.set_query(&query);
            }
            KeyCode::Char(c) => {
                let query = format!("{}{c}", picker.list.query());
                picker.list.set_query(&query);
            }
            _ => {}
        }
        Action::Handled
    }

    fn render_picker(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let Some(picker) = &mut self.picker else {
            return;
        };
        let width = area.width.clamp(20, 50);
        let height = area.height.clamp(5, 16);
        let popup = Rect {
            x: area.x + area.width.saturating_sub(width) / 2,
            y: area.y + area.height.saturating_sub(height) / 2,
            width,
            height,
        };
        frame.render_widget(Clear, popup);
        let title = match picker.kind {
            PickerKind::Category => format!("Which category? {}▏", picker.list.query()),
            PickerKind::Node => format!("Go to node: {}▏", picker.list.query()),
        };
        let items = &picker.items;
        picker.list.render_table(
            frame,
            popup,
            pane(fit_title(&title, popup), true, theme),
            Columns::new(vec![Column::new("Name", 1, u16::MAX).growing()]),
            theme,
            |i| vec![Span::raw(clean(&items[i]))],
        );
    }
}

/// Draws one node box: id on the first line, `detail` below, region in the title;
/// every text too wide for the box ends in `…`.
fn node_box(
    buf: &mut Buffer,
    area: Rect,
    id: &str,
    detail: &[String],
    region: &str,
    style: Style,
    border: Style,
) {
    let room = usize::from(area.width.saturating_sub(2));
    let region = clean(region);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Line::from(truncate(&region, room).into_owned()).right_aligned());
    let inner = block.inner(area);
    ratatui::widgets::Widget::render(block, area, buf);
    let mut lines = vec![Line::styled(truncate(&clean(id), room).into_owned(), style)];
    lines.extend(
        detail
            .iter()
            .map(|d| Line::raw(truncate(&clean(d), room).into_owned())),
    );
    ratatui::widgets::Widget::render(Paragraph::new(lines), inner, buf);
}

/// The position of the selection among `total` neighbours, in at most `room` cells:
/// "3 of 8", or "3/8" when that does not fit; `None` when neither does.
fn position_label(selected: usize, total: usize, room: u16) -> Option<String> {
    let number = selected + 1;
    [format!("{number} of {total}"), format!("{number}/{total}")]
        .into_iter()
        .find(|label| fit::width(label) <= usize::from(room))
}

/// How many boxes of `per_box` rows one side shows in `height` rows when it has `total`
/// neighbours, and whether a row is kept below them for the position label (when not
/// every neighbour is shown): the label never lands on a box's border.
fn side_layout(height: u16, total: usize, per_box: u16) -> (usize, bool) {
    let fits_all = usize::from((height / per_box).max(1));
    if total <= fits_all {
        return (fits_all, false);
    }
    let fits = usize::from((height.saturating_sub(1) / per_box).max(1));
    (fits, true)
}

/// Draws arrows in the gap between a column of boxes (at rows `from_rows`) and the
/// centre box (its middle at `to_row`): `───┐` into a vertical bar, then `─▶`.
fn arrows(
    buf: &mut Buffer,
    gap: Rect,
    from_rows: &[(u16, Style)],
    to_row: u16,
    pointing_right: bool,
    theme: &Theme,
) {
    if gap.width < 3 || from_rows.is_empty() {
        return;
    }
    let bar_x = gap.x + gap.width / 2;
    let top = from_rows
        .iter()
        .map(|r| r.0)
        .min()
        .unwrap_or(to_row)
        .min(to_row);
    let bottom = from_rows
        .iter()
        .map(|r| r.0)
        .max()
        .unwrap_or(to_row)
        .max(to_row);
    for y in top..=bottom {
        buf.set_string(bar_x, y, "│", theme.dim());
    }
    for &(row, style) in from_rows {
        // The horizontal run between the neighbour's box and the bar.
        let (start, end) = if pointing_right {
            (gap.x, bar_x)
        } else {
            (bar_x + 1, gap.x + gap.width)
        };
        for x in start..end {
            buf.set_string(x, row, "─", style);
        }
        if !pointing_right {
            buf.set_string(gap.x + gap.width - 1, row, "▶", style);
        }
    }
    let (start, end) = if pointing_right {
        (bar_x + 1, gap.x + gap.width)
    } else {
        (gap.x, bar_x)
    };
    for x in start..end {
        buf.set_string(x, to_row, "─", theme.dim());
    }
    if pointing_right {
        buf.set_string(gap.x + gap.width - 1, to_row, "▶", theme.dim());
    }
}

impl View for GraphView {
    fn refresh(&mut self, data: &Data) {
        self.reach = None;
        let Some(ready) = data.ready() else { return };
        let graph = &ready.audit.graph;
        let exists = |id: &str| graph.node(id).is_some();
        if !self.center.as_deref().is_some_and(exists) {
            self.center = graph
                .graph
                .node_indices()
                .find(|n| graph.info(*n).kind == crate::inventory::model::NodeKind::Subject)
                .or_else(|| graph.graph.node_indices().next())
                .map(|n| graph.info(n).id.clone());
        }
        self.history.retain(|id| exists(id));
        if let Some(category) = &self.category
            && ready
                .audit
                .inventory
                .taxonomy
                .categories
                .get(category)
                .is_none()
        {
            self.category = None;
        }
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, data: &Data, theme: &Theme) {
        let Some(ready) = data.ready() else {
            return not_loaded(frame, area, theme);
        };
        let Some(center) = self.center_node(ready) else {
            frame.render_widget(
                Paragraph::new("The inventory declares no nodes.")
                    .block(pane("Graph", true, theme)),
                area,
            );
            return;
        };
        let graph = &ready.audit.graph;
        let inv = &ready.audit.inventory;
        let reached = self.reached(ready).map(<[bool]>::to_vec);
        let info = graph.info(center);
        let edge_lines = self.edge_lines(ready, center, theme);
        let edge_height =
            fit::wrapped_height(&edge_lines, area.width.saturating_sub(2)).clamp(2, 4);
        let reach_height = if self.category.is_some() { 5 } else { 0 };
        let [main, edge_area, reach_area] = Layout::vertical([
            Constraint::Min(5),
            Constraint::Length(edge_height + 2),
            Constraint::Length(reach_height),
        ])
        .areas(area);
        let title = format!(
            "Graph around {}: ← sends to it · it sends to →",
            clean(&info.id)
        );
        let block = pane(fit_title(&title, main), true, theme);
        let inner = block.inner(main);
        frame.render_widget(block, main);
        let [left, gap_left, middle, gap_right, right] = Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(5),
            Constraint::Fill(1),
            Constraint::Length(5),
            Constraint::Fill(1),
        ])
        .areas(inner);
        let region_name = |region: Option<usize>| {
            region
                .and_then(|r| inv.decl.regions.get(r))
                .map(|r| r.id.value.clone())
                .unwrap_or_default()
        };
        let is_reached = |node: NodeIndex| {
            reached
                .as_ref()
                .map(|r| r.get(node.index()).copied().unwrap_or(false))
        };
        // The centre box.
        let center_height = 7.min(middle.height);
        let center_area = Rect {
            y: middle.y + middle.height.saturating_sub(center_height) / 2,
            height: center_height,
            ..middle
        };
        let mut detail = vec![info.kind.noun().to_owned()];
        if !info.holds.is_empty() {
            detail.push(format!("holds {} categories", info.holds.len()));
        }
        let findings = ready.findings_about(&info.id).len();
        detail.push(match findings {
            0 => "no findings".to_owned(),
            1 => "1 finding".to_owned(),
            n => format!("{n} findings"),
        });
        let center_style = match is_reached(center) {
            Some(true) => theme.reached(),
            _ => theme.title(),
        };
        let buf = frame.buffer_mut();
        node_box(
            buf,
            center_area,
            &info.id,
            &detail,
            &region_name(info.region()),
            center_style,
            theme.region(info.region()).patch(theme.title()),
        );
        self.boxes.clear();
        let to_row = center_area.y + center_area.height / 2;
        for (side, column, gap) in [
            (Side::Upstream, left, gap_left),
            (Side::Downstream, right, gap_right),
        ] {
            let list = neighbours(graph, inv, center, side);
            let per_box = 4u16;
            let (fits, with_label) = side_layout(column.height, list.len(), per_box);
            let cursor = self.cursor[Self::side_index(side)].min(list.len().saturating_sub(1));
            let first = cursor.saturating_sub(fits - 1);
            let mut rows = Vec::new();
            let shown = list.len().min(fits) as u16;
            let used = shown * per_box + u16::from(with_label);
            let top = column.y + column.height.saturating_sub(used) / 2;
            for (slot, (index, n)) in list.iter().enumerate().skip(first).take(fits).enumerate() {
                let area = Rect {
                    y: top + slot as u16 * per_box,
                    height: per_box.min(column.height),
                    ..column
                };
                let selected = self.side == side && index == cursor;
                let reached_here = is_reached(n.node);
                let style = match (selected, reached_here) {
                    (true, _) => theme.selected(),
                    (false, Some(true)) => theme.reached(),
                    (false, Some(false)) => theme.dim(),
                    (false, None) => Style::new(),
                };
                let border = if selected {
                    theme.focus_border()
                } else {
                    theme.region(n.region)
                };
                node_box(
                    buf,
                    area,
                    &n.id,
                    &[n.data.join(", ")],
                    &region_name(n.region),
                    style,
                    border,
                );
                let arrow_style = if reached_here == Some(true) {
                    theme.reached()
                } else {
                    theme.dim()
                };
                rows.push((area.y + 1, arrow_style));
                self.boxes.push((area, side, index));
            }
            let label_row = top + shown * per_box;
            if with_label
                && label_row < column.y + column.height
                && let Some(label) =
                    position_label(cursor, list.len(), column.width.saturating_sub(1))
            {
                buf.set_string(column.x + 1, label_row, label, theme.dim());
            }
            if list.is_empty() {
                let text = match side {
                    Side::Upstream => "nothing flows in",
                    Side::Downstream => "flows nowhere",
                };
                let text = truncate(text, usize::from(column.width.saturating_sub(1)));
                buf.set_string(column.x + 1, to_row, text, theme.dim());
            }
            arrows(buf, gap, &rows, to_row, side == Side::Upstream, theme);
        }
        frame.render_widget(
            Paragraph::new(edge_lines)
                .wrap(Wrap { trim: true })
                .block(pane("Selected edge", false, theme)),
            edge_area,
        );
        if let (Some(category), Some(reached)) = (&self.category, &reached) {
            let count = graph.count_reach(reached);
            let backups = match count.backups {
                0 => String::new(),
                1 => " and 1 backup".to_owned(),
                n => format!(" and {n} backups"),
            };
            let mut lines = vec![Line::from(vec![
                Span::styled(clean(category), theme.reached()),
                Span::raw(format!(
                    " reaches {} of {} nodes{backups} (highlighted)",
                    count.nodes, count.of
                )),
            ])];
            let path = inv
                .taxonomy
                .categories
                .get(category)
                .map(|key| graph.path_to(inv, center, key))
                .unwrap_or_default();
            let mut spans = vec![Span::styled(
                format!("path to {}: ", clean(&info.id)),
                theme.header(),
            )];
            if path.is_empty() {
                spans.push(Span::raw(
                    if reached.get(center.index()).copied().unwrap_or(false) {
                        "it starts here"
                    } else {
                        "it does not get here"
                    },
                ));
            }
            for (i, hop) in path.iter().enumerate() {
                if i > 0 {
                    let via = hop.via_flow.as_deref().map(clean).unwrap_or_default();
                    spans.push(Span::styled(format!(" —{via}→ "), theme.dim()));
                }
                spans.push(Span::raw(clean(&hop.node)));
            }
            lines.push(Line::from(spans));
            frame.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: true }).block(pane(
                    "Where does it go? (x to clear)",
                    false,
                    theme,
                )),
                reach_area,
            );
        }
        self.render_picker(frame, area, theme);
    }

    fn handle_key(&mut self, key: KeyEvent, data: &Data) -> Action {
        if self.picker.is_some() {
            return self.handle_picker_key(key);
        }
        let Some(ready) = data.ready() else {
            return Action::Ignored;
        };
        let side = Self::side_index(self.side);
        match key.code {
            KeyCode::Left | KeyCode::Char('h') => self.side = Side::Upstream,
            KeyCode::Right | KeyCode::Char('l') => self.side = Side::Downstream,
            KeyCode::Down | KeyCode::Char('j') => {
                let count = self
                    .center_node(ready)
                    .map(|c| {
                        neighbours(&ready.audit.graph, &ready.audit.inventory, c, self.side).len()
                    })
                    .unwrap_or(0);
                self.cursor[side] = (self.cursor[side] + 1).min(count.saturating_sub(1));
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.cursor[side] = self.cursor[side].saturating_sub(1)
            }
            KeyCode::Enter => match self.selected_neighbour(ready) {
                Some(n) => self.recenter(n.id),
                None => return Action::Ignored,
            },
            KeyCode::Esc | KeyCode::Backspace => match self.history.pop() {
                Some(previous) => {
                    self.center = Some(previous);
                    self.cursor = [0, 0];
                }
                None => return Action::Ignored,
            },
            KeyCode::Char('c') => {
                let tree = &ready.audit.inventory.taxonomy.categories;
                let mut categories: Vec<String> = ready
                    .audit
                    .graph
                    .carried
                    .iter()
                    .flatten()
                    .map(|d| tree.key(d.category).to_owned())
                    .collect();
                categories.sort();
                categories.dedup();
                let mut picker = Picker::new(PickerKind::Category, categories);
                if let Some(current) = &self.category {
                    picker.list.select_key(current);
                }
                self.picker = Some(picker);
            }
            KeyCode::Char('C') if self.category.is_some() => self.category = None,
            KeyCode::Char('f') => {
                return match &self.center {
                    Some(id) => Action::Show(Target::NodeFindings(id.clone())),
                    None => Action::Ignored,
                };
            }
            _ => return Action::Ignored,
        }
        Action::Handled
    }

    fn hints(&self) -> Vec<Hint> {
        if self.picker.is_some() {
            return vec![
                ("type", "filter"),
                ("↑↓", "choose"),
                ("Enter", "pick"),
                ("Esc", "close"),
            ];
        }
        let mut hints = vec![
            ("←→", "side"),
            ("↑↓", "neighbour"),
            ("Enter", "follow"),
            ("Esc", "back"),
            ("c", "category"),
        ];
        if self.category.is_some() {
            hints.push(("C", "clear"));
        }
        hints.push(("f", "findings"));
        hints
    }

    fn filter(&self) -> &str {
        match &self.picker {
            Some(p) if p.kind == PickerKind::Node => p.list.query(),
            _ => "",
        }
    }

    fn set_filter(&mut self, query: &str, data: &Data) {
        if query.is_empty() {
            if self
                .picker
                .as_ref()
                .is_some_and(|p| p.kind == PickerKind::Node)
            {
                self.picker = None;
            }
            return;
        }
        if self
            .picker
            .as_ref()
            .is_none_or(|p| p.kind != PickerKind::Node)
        {
            let nodes = data
                .ready()
                .map(|r| r.audit.graph.info.iter().map(|i| i.id.clone()).collect())
                .unwrap_or_default();
            self.picker = Some(Picker::new(PickerKind::Node, nodes));
        }
        if let Some(picker) = &mut self.picker {
            picker.list.set_query(query);
        }
    }

    fn accept_filter(&mut self, _data: &Data) -> Action {
        if let Some(picker) = self.picker.take()
            && let Some(id) = picker.chosen()
        {
            self.recenter(id);
        }
        Action::Handled
    }

    fn location(&self, data: &Data) -> Option<Location> {
        let ready = data.ready()?;
        let node = self.center_node(ready)?;
        data.location(ready.audit.graph.info(node).span)
    }

    fn scroll(&mut self, delta: isize) {
        let side = Self::side_index(self.side);
        self.cursor[side] = self.cursor[side].saturating_add_signed(delta);
    }

    fn click(&mut self, column: u16, row: u16, data: &Data) -> Action {
        let hit = self.boxes.iter().find(|(area, _, _)| {
            column >= area.x
                && column < area.x + area.width
                && row >= area.y
                && row < area.y + area.height
        });
        let Some(&(_, side, index)) = hit else {
            return Action::Ignored;
        };
        if self.side == side && self.cursor[Self::side_index(side)] == index {
            if let Some(n) = data.ready().and_then(|r| self.selected_neighbour(r)) {
                self.recenter(n.id);
            }
        } else {
            self.side = side;
            self.cursor[Self::side_index(side)] = index;
        }
        Action::Handled
    }

    fn focus(&mut self, target: &Target, _data: &Data) {
        if let Target::Node(id) = target {
            self.recenter(id.clone());
            self.side = Side::Downstream;
        }
    }

    fn focused(&self) -> Option<Target> {
        self.center.clone().map(Target::Node)
    }

    fn restore_focus(&mut self, before: Option<&Target>, _data: &Data) {
        let Some(Target::Node(id)) = before else {
            return;
        };
        if self.center.as_ref() == Some(id) {
            return;
        }
        // The jump put the node it left on the walk; going back takes it off.
        if self.history.last() == Some(id) {
            self.history.pop();
        }
        self.center = Some(id.clone());
        self.cursor = [0, 0];
    }

    fn depth(&self) -> usize {
        self.history.len() + usize::from(self.picker.is_some())
    }
}
