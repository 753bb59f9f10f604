//! The views of the terminal UI, one component each: every view owns its state, draws
//! itself, handles its own keys and names the keys that work in it for the status bar
//! and the help overlay.

pub mod code;
pub mod findings;
pub mod flows;
pub mod graph;
pub mod inventory;
pub mod overview;
pub mod problems;

use super::data::{Data, Location};
use super::list::FilteredList;
use super::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// What handling a key asks the application to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The view used the key.
    Handled,
    /// The view has no use for the key; the application may.
    Ignored,
    /// Open a file at a line in the editor.
    Edit(Location),
    /// Switch to another view, focused on something.
    Show(Target),
    /// Propose the fix of the finding with this index (in the audit's findings).
    ProposeFix(usize),
}

/// Something another view can be focused on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A node, by id, in the graph view.
    Node(String),
    /// The findings of a rule, by id.
    RuleFindings(String),
    /// Findings about a node, by id.
    NodeFindings(String),
}

/// A key and what it does, for the status bar and the help overlay.
pub type Hint = (&'static str, &'static str);

/// One view of the UI.
pub trait View {
    /// Rebuilds the view's rows after a (re)load, keeping the selection where it still
    /// exists.
    fn refresh(&mut self, data: &Data);
    fn render(&mut self, frame: &mut Frame, area: Rect, data: &Data, theme: &Theme);
    fn handle_key(&mut self, key: KeyEvent, data: &Data) -> Action;
    /// Keys that work in the view, in the order the status bar shows them.
    fn hints(&self) -> Vec<Hint>;
    /// The view's main list, which the default filter, wheel and click handling use.
    fn list(&self) -> Option<&FilteredList> {
        None
    }
    fn list_mut(&mut self) -> Option<&mut FilteredList> {
        None
    }
    /// The current fuzzy filter.
    fn filter(&self) -> &str {
        self.list().map_or("", FilteredList::query)
    }
    /// Sets the fuzzy filter (empty clears it).
    fn set_filter(&mut self, query: &str, _data: &Data) {
        if let Some(list) = self.list_mut() {
            list.set_query(query);
        }
    }
    /// The filter was confirmed with Enter.
    fn accept_filter(&mut self, _data: &Data) -> Action {
        Action::Handled
    }
    /// The selected item's file and line, for `e`.
    fn location(&self, data: &Data) -> Option<Location>;
    /// Mouse wheel.
    fn scroll(&mut self, delta: isize) {
        if let Some(list) = self.list_mut() {
            list.scroll(delta);
        }
    }
    /// Mouse click at a screen cell: selects the row clicked.
    fn click(&mut self, column: u16, row: u16, _data: &Data) -> Action {
        if self.list_mut().is_some_and(|list| list.click(column, row)) {
            Action::Handled
        } else {
            Action::Ignored
        }
    }
    /// Focus on something another view asked for.
    fn focus(&mut self, _target: &Target, _data: &Data) {}
    /// What the view is focused on, as [`View::focus`] would set it (`None`: nothing in
    /// particular, such as every finding).
    fn focused(&self) -> Option<Target> {
        None
    }
    /// Puts back the focus the view had before another view jumped into it (`None`:
    /// nothing in particular).
    fn restore_focus(&mut self, _before: Option<&Target>, _data: &Data) {}
    /// How many steps Esc takes back inside the view before it may leave it: a walk
    /// along the graph, an open picker, a detail pane that has the focus.
    fn depth(&self) -> usize {
        0
    }
}

/// A bordered pane with a bold title; the focused pane's border stands out.
pub fn pane<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title.into().style(theme.title()));
    if focused {
        block.border_style(theme.focus_border())
    } else {
        block.border_style(theme.dim())
    }
}

/// `title` cut with `…` to fit between the corners of a pane drawn over `area`.
pub fn fit_title(title: &str, area: Rect) -> String {
    crate::tui::fit::truncate(title, usize::from(area.width.saturating_sub(2))).into_owned()
}

/// A pane of wrapped text (a detail pane): untrimmed, so excerpts keep their indentation.
pub fn detail_pane<'a>(
    title: &'a str,
    lines: Vec<Line<'a>>,
    focused: bool,
    theme: &Theme,
) -> Paragraph<'a> {
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(pane(title, focused, theme))
}

/// A message for a view that has nothing to show because the inventory did not load.
pub fn not_loaded(frame: &mut Frame, area: Rect, theme: &Theme) {
    frame.render_widget(
        Paragraph::new(Line::styled("Loading the inventory…", theme.dim())),
        area,
    );
}
