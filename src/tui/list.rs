//! A selectable, fuzzy-filterable list of rows, shared by every view: keeps the selection
//! and scroll offset, filters with `nucleo-matcher`, keeps the selected item across
//! reloads by its key, and draws only the rows that are on screen, so lists of 100,000
//! items cost no more per frame than lists of ten.

use super::fit::{self, ColumnWidth};
use super::theme::Theme;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Cell, HighlightSpacing, Row, Table, TableState};

/// One column of a table: its header and how wide it may be.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub header: &'static str,
    pub width: ColumnWidth,
    /// Text too wide is cut at its start (`…/inventory.yaml:12:5`), not its end.
    pub keep_end: bool,
}

impl Column {
    /// A column of at least `min` cells whose widest content takes `ideal` cells (the
    /// header, when shown, counts too).
    pub fn new(header: &'static str, min: u16, ideal: u16) -> Self {
        Column {
            header,
            width: ColumnWidth::new(min, ideal),
            keep_end: false,
        }
    }

    /// The same column, with twice the share of the others while width is short: the
    /// column that says most.
    pub fn favoured(self) -> Self {
        Column {
            width: self.width.favoured(),
            ..self
        }
    }

    /// The same column, cutting text too wide at its start: for places, whose end
    /// (the file name and line) matters most.
    pub fn keeping_the_end(self) -> Self {
        Column {
            keep_end: true,
            ..self
        }
    }

    /// The same column, taking the width left over once every column has all it needs.
    pub fn growing(self) -> Self {
        Column {
            width: self.width.growing(),
            ..self
        }
    }
}

/// A table's columns, and whether their header row is shown.
pub struct Columns {
    columns: Vec<Column>,
    show_header: bool,
}

impl Columns {
    pub fn new(columns: Vec<Column>) -> Self {
        Columns {
            columns,
            show_header: false,
        }
    }

    /// Shows the header row.
    pub fn with_header(mut self) -> Self {
        self.show_header = true;
        self
    }

    /// Each column's width in a table `inner_width` cells wide, with a one-cell
    /// selection marker in front and one cell between columns.
    pub fn widths(&self, inner_width: u16) -> Vec<u16> {
        let gaps = u16::try_from(self.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
        let available = inner_width
            .saturating_sub(HIGHLIGHT_SYMBOL_WIDTH)
            .saturating_sub(gaps);
        let wanted: Vec<ColumnWidth> = self
            .columns
            .iter()
            .map(|c| match self.show_header {
                true => ColumnWidth {
                    ideal: c.width.ideal.max(fit::widest([c.header])),
                    ..c.width
                },
                false => c.width,
            })
            .collect();
        fit::allocate(available, &wanted)
    }
}

/// The selection marker's width (`›`).
const HIGHLIGHT_SYMBOL_WIDTH: u16 = 1;

/// `cells` cut to `widths`, each ending (or, for a column that keeps the end,
/// starting) with `…` when cut, as a table row.
fn fitted_row<'a>(cells: Vec<Span<'a>>, columns: &[Column], widths: &[u16]) -> Row<'a> {
    let cells =
        cells
            .into_iter()
            .zip(columns.iter().zip(widths))
            .map(|(span, (column, &width))| {
                let width = usize::from(width);
                let text = if column.keep_end {
                    fit::truncate_start(&span.content, width)
                } else {
                    fit::truncate(&span.content, width)
                };
                Cell::from(Span::styled(text.into_owned(), span.style))
            });
    Row::new(cells)
}

/// The rows of a list, with what the filter matches against and a key that survives reloads.
#[derive(Default)]
pub struct FilteredList {
    /// Text the filter matches, one per item.
    haystacks: Vec<String>,
    /// Stable identity of each item, to keep the selection across reloads.
    keys: Vec<String>,
    /// Indices of the items that pass the filter, in item order.
    visible: Vec<usize>,
    /// Position of the selection within `visible`.
    selected: usize,
    /// First visible row drawn.
    offset: usize,
    query: String,
    /// Rows that fit on screen at the last draw, for paging.
    page: usize,
    /// Where the rows were last drawn, for mouse clicks.
    rows_area: Rect,
    /// Which items a view narrowed the list to (a mode such as "undeclared only"),
    /// before the filter applies; `None` keeps every item.
    allowed: Option<Vec<bool>>,
    /// The selected key while the list is empty (the inventory failed to load), so the
    /// selection comes back when the items do.
    remembered: Option<String>,
}

impl FilteredList {
    /// Replaces the items; the selection stays on the item with the same key when it
    /// still exists, and the filter is applied again.
    pub fn set_items(&mut self, haystacks: Vec<String>, keys: Vec<String>) {
        let previous = self
            .selected_key()
            .map(str::to_owned)
            .or(self.remembered.take());
        self.haystacks = haystacks;
        self.keys = keys;
        self.apply_filter();
        if let Some(key) = previous {
            if self.haystacks.is_empty() {
                self.remembered = Some(key);
            } else {
                self.select_key(&key);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.haystacks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.haystacks.is_empty()
    }

    /// How many items pass the filter.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    /// Filters the items with a fuzzy query (empty shows everything); the selection
    /// stays on the same item when it still passes.
    pub fn set_query(&mut self, query: &str) {
        if query == self.query {
            return;
        }
        let previous = self.selected_key().map(str::to_owned);
        self.query = query.to_owned();
        self.refilter_keeping(previous);
    }

    /// Filters again and puts the selection back on `previous` when it is still
    /// visible, else on the first row.
    fn refilter_keeping(&mut self, previous: Option<String>) {
        self.apply_filter();
        match previous {
            Some(key) if self.select_key(&key) => {}
            _ => {
                self.selected = 0;
                self.offset = 0;
            }
        }
    }

    /// Narrows the list to the items whose entry in `allowed` is true (`None` keeps
    /// every item), then filters them; the selection stays on the same item when it is
    /// still visible.
    pub fn set_allowed(&mut self, allowed: Option<Vec<bool>>) {
        let previous = self.selected_key().map(str::to_owned);
        self.allowed = allowed;
        self.refilter_keeping(previous);
    }

    fn is_allowed(&self, item: usize) -> bool {
        self.allowed
            .as_ref()
            .is_none_or(|allowed| allowed.get(item).copied().unwrap_or(false))
    }

    fn apply_filter(&mut self) {
        self.visible = if self.query.trim().is_empty() {
            (0..self.haystacks.len())
                .filter(|&i| self.is_allowed(i))
                .collect()
        } else {
            let pattern = Pattern::parse(&self.query, CaseMatching::Smart, Normalization::Smart);
            let mut matcher = Matcher::new(Config::DEFAULT);
            let mut buffer = Vec::new();
            self.haystacks
                .iter()
                .enumerate()
                .filter(|&(i, _)| self.is_allowed(i))
                .filter(|(_, text)| {
                    pattern
                        .score(Utf32Str::new(text, &mut buffer), &mut matcher)
                        .is_some()
                })
                .map(|(i, _)| i)
                .collect()
        };
        self.clamp();
    }

    fn clamp(&mut self) {
        if self.selected >= self.visible.len() {
            self.selected = self.visible.len().saturating_sub(1);
        }
        self.offset = self.offset.min(self.selected);
    }

    /// The selected item's index, if any item is visible.
    pub fn selected(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    pub fn selected_key(&self) -> Option<&str> {
        self.selected()
            .and_then(|i| self.keys.get(i))
            .map(String::as_str)
    }

    /// Selects the item with this key; false when it is not visible.
    pub fn select_key(&mut self, key: &str) -> bool {
        match self
            .visible
            .iter()
            .position(|&i| self.keys.get(i).is_some_and(|k| k == key))
        {
            Some(position) => {
                self.selected = position;
                true
            }
            None => false,
        }
    }

    /// Moves the selection by `delta` rows, stopping at the ends.
    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Handles the movement keys (arrows, vim keys, paging, Home/End); true when the key
    /// was one of them.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        let page = self.page.max(1) as isize;
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.move_by(1),
            KeyCode::Up | KeyCode::Char('k') => self.move_by(-1),
            KeyCode::PageDown => self.move_by(page),
            KeyCode::PageUp => self.move_by(-page),
            KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') => self.move_by(isize::MAX),
            _ => return false,
        }
        true
    }

    /// Scrolls by mouse wheel: moves the selection.
    pub fn scroll(&mut self, delta: isize) {
        self.move_by(delta);
    }

    /// Selects the row drawn at screen row `row`; true when a row was hit.
    pub fn click(&mut self, column: u16, row: u16) -> bool {
        let area = self.rows_area;
        if column < area.x
            || column >= area.x + area.width
            || row < area.y
            || row >= area.y + area.height
        {
            return false;
        }
        let position = self.offset + usize::from(row - area.y);
        if position < self.visible.len() {
            self.selected = position;
            true
        } else {
            false
        }
    }

    /// The visible window of `height` rows: adjusts the offset so the selection shows,
    /// and returns the item indices to draw.
    fn window(&mut self, height: usize) -> &[usize] {
        self.page = height;
        if height == 0 {
            return &[];
        }
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let end = (self.offset + height).min(self.visible.len());
        self.offset = self.offset.min(end);
        &self.visible[self.offset..end]
    }

    /// Draws the list as a table inside `block`, building rows only for the items on
    /// screen (`row` makes the cells of one item index, one styled text per column).
    /// Column widths follow the content (see [`fit::allocate`]); text wider than its
    /// column ends in `…`.
    pub fn render_table<'a>(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        block: Block<'a>,
        columns: Columns,
        theme: &Theme,
        mut row: impl FnMut(usize) -> Vec<Span<'a>>,
    ) {
        let inner = block.inner(area);
        let widths = columns.widths(inner.width);
        let header_height = u16::from(columns.show_header);
        let rows_height = inner.height.saturating_sub(header_height);
        self.rows_area = Rect {
            y: inner.y + header_height,
            height: rows_height,
            ..inner
        };
        let window: Vec<usize> = self.window(usize::from(rows_height)).to_vec();
        let rows: Vec<Row> = window
            .iter()
            .map(|&i| fitted_row(row(i), &columns.columns, &widths))
            .collect();
        let constraints = widths.iter().map(|&w| Constraint::Length(w));
        let mut table = Table::new(rows, constraints)
            .block(block)
            .column_spacing(1)
            .highlight_symbol("›")
            .highlight_spacing(HighlightSpacing::Always)
            .row_highlight_style(theme.selected());
        if columns.show_header {
            let header = columns
                .columns
                .iter()
                .map(|c| Span::raw(c.header))
                .collect();
            table =
                table.header(fitted_row(header, &columns.columns, &widths).style(theme.header()));
        }
        let mut state = TableState::default();
        if !window.is_empty() {
            state.select(Some(self.selected - self.offset));
        }
        frame.render_stateful_widget(table, area, &mut state);
    }

    /// "12 of 340" when filtered or narrowed, "340" otherwise.
    pub fn count_label(&self) -> String {
        if self.query.is_empty() && self.allowed.is_none() {
            self.len().to_string()
        } else {
            format!("{} of {}", self.visible_len(), self.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> FilteredList {
        let mut list = FilteredList::default();
        list.set_items(
            items.iter().map(|s| s.to_string()).collect(),
            items.iter().map(|s| s.to_string()).collect(),
        );
        list
    }

    #[test]
    fn fuzzy_filter_keeps_matching_items_in_order() {
        let mut l = list(&["users-db", "analytics", "user-events", "billing"]);
        l.set_query("usr");
        assert_eq!(l.visible_len(), 2);
        assert_eq!(l.selected_key(), Some("users-db"));
        l.move_by(1);
        assert_eq!(l.selected_key(), Some("user-events"));
        l.set_query("");
        assert_eq!(l.visible_len(), 4);
        assert_eq!(l.selected_key(), Some("user-events"), "selection kept");
    }

    #[test]
    fn selection_survives_reload_by_key() {
        let mut l = list(&["a", "b", "c"]);
        l.move_by(2);
        l.set_items(vec!["c".into(), "a".into()], vec!["c".into(), "a".into()]);
        assert_eq!(l.selected_key(), Some("c"));
        l.set_items(Vec::new(), Vec::new());
        assert_eq!(l.selected_key(), None);
        l.set_items(vec!["a".into(), "c".into()], vec!["a".into(), "c".into()]);
        assert_eq!(l.selected_key(), Some("c"), "kept through an empty load");
    }

    #[test]
    fn allowed_items_narrow_before_the_filter() {
        let mut l = list(&["users-db", "analytics", "user-events", "billing"]);
        l.set_allowed(Some(vec![false, true, true, true]));
        assert_eq!(l.visible_len(), 3);
        assert_eq!(l.count_label(), "3 of 4");
        l.set_query("usr");
        assert_eq!(l.selected_key(), Some("user-events"));
        l.set_allowed(None);
        assert_eq!(l.visible_len(), 2);
        assert_eq!(l.selected_key(), Some("user-events"), "selection kept");
    }

    #[test]
    fn window_follows_selection() {
        let mut l = list(&["a", "b", "c", "d", "e"]);
        l.move_by(4);
        assert_eq!(l.window(2), &[3, 4]);
        l.move_by(-4);
        assert_eq!(l.window(2), &[0, 1]);
        l.set_query("zzz");
        assert!(l.window(2).is_empty());
        assert_eq!(l.selected(), None);
    }
}
