//! The application state of the terminal UI: which view is active, the way back along
//! the jumps between views, the filter being typed, the help overlay and the status
//! line; it routes each key and mouse event to the active view first (Esc where a jump
//! landed goes back instead), handles the keys that work everywhere, and draws the frame
//! (tab bar, active view, status bar with the focused view's keys). Besides writing a
//! fix (`a`, then `y`) and the audit report (`x`), it does no I/O: the event loop in
//! `mod.rs` carries out the [`Command`]s it returns.

use super::data::{Data, LoadState, Location};
use super::theme::Theme;
use super::trail::{Jump, Trail};
use super::views::code::CodeView;
use super::views::findings::Findings;
use super::views::flows::Flows;
use super::views::graph::GraphView;
use super::views::inventory::InventoryView;
use super::views::overview::Overview;
use super::views::problems::Problems;
use super::views::{Action, Hint, Target, View, pane};
use ratatui::Frame;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

/// The views, in tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewId {
    Overview,
    Inventory,
    Flows,
    Graph,
    Findings,
    Code,
}

impl ViewId {
    pub const ALL: [ViewId; 6] = [
        ViewId::Overview,
        ViewId::Inventory,
        ViewId::Flows,
        ViewId::Graph,
        ViewId::Findings,
        ViewId::Code,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ViewId::Overview => "Overview",
            ViewId::Inventory => "Inventory",
            ViewId::Flows => "Flows",
            ViewId::Graph => "Graph",
            ViewId::Findings => "Findings",
            ViewId::Code => "Code",
        }
    }

    fn index(self) -> usize {
        ViewId::ALL.iter().position(|v| *v == self).unwrap_or(0)
    }

    /// The status-bar hint for Esc when it returns to this view.
    fn back_hint(self) -> &'static str {
        match self {
            ViewId::Overview => "back to Overview",
            ViewId::Inventory => "back to Inventory",
            ViewId::Flows => "back to Flows",
            ViewId::Graph => "back to Graph",
            ViewId::Findings => "back to Findings",
            ViewId::Code => "back to Code",
        }
    }
}

/// What the event loop must do after an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    None,
    Quit,
    Reload,
    Edit(Location),
}

/// A fix shown to the user before it is written.
struct PendingFix {
    plan: crate::fix::Plan,
    /// Its unified diff, one line each.
    lines: Vec<String>,
}

/// Smallest screen the UI draws on.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

const GLOBAL_KEYS: [Hint; 12] = [
    ("Tab / Shift-Tab", "next / previous view"),
    ("1-6", "go to a view"),
    ("↑↓ / j k", "move; PgUp PgDn Home End page"),
    ("Enter", "drill in"),
    ("Esc", "back to where Enter came from; clear the filter"),
    ("/", "fuzzy filter (Enter keeps it, Esc clears it)"),
    ("e", "open the selected item in $EDITOR at its line"),
    ("r", "reload (also automatic when a file changes)"),
    ("x", "write the audit report beside the inventory"),
    ("?", "this help"),
    ("q / Ctrl-C", "quit"),
    ("mouse", "wheel scrolls, click selects, click a tab"),
];

pub struct App {
    pub data: Data,
    theme: Theme,
    overview: Overview,
    inventory: InventoryView,
    flows: Flows,
    graph: GraphView,
    findings: Findings,
    code: CodeView,
    problems: Problems,
    active: ViewId,
    /// The jumps between views that Esc returns along.
    trail: Trail,
    /// The filter being typed, when `/` was pressed.
    filtering: bool,
    help: bool,
    /// A fix shown as a diff, waiting for `y` to be written.
    pending_fix: Option<PendingFix>,
    status: String,
    /// The status changed with the last key: it is shown whole, over the key hints.
    status_fresh: bool,
    /// Files read so far and in all during a load, for the progress shown.
    pub progress: Option<(usize, usize)>,
    tabs: Vec<(Rect, ViewId)>,
}

impl App {
    pub fn new(data: Data, theme: Theme) -> Self {
        let mut app = App {
            data: Data::loading(Vec::new()),
            theme,
            overview: Overview::default(),
            inventory: InventoryView::default(),
            flows: Flows::default(),
            graph: GraphView::default(),
            findings: Findings::default(),
            code: CodeView::default(),
            problems: Problems::default(),
            active: ViewId::Overview,
            trail: Trail::default(),
            filtering: false,
            help: false,
            pending_fix: None,
            status: String::new(),
            status_fresh: false,
            progress: None,
            tabs: Vec::new(),
        };
        app.set_data(data);
        app
    }

    /// Takes newly loaded data; every view keeps its selection where it still exists.
    pub fn set_data(&mut self, data: Data) {
        self.data = data;
        self.progress = None;
        let data = &self.data;
        self.overview.refresh(data);
        self.inventory.refresh(data);
        self.flows.refresh(data);
        self.graph.refresh(data);
        self.findings.refresh(data);
        self.code.refresh(data);
        self.problems.refresh(data);
    }

    fn failed(&self) -> bool {
        matches!(self.data.state, LoadState::Failed(_))
    }

    /// The view that receives keys: the error view while the inventory does not load.
    fn view(&mut self) -> &mut dyn View {
        self.view_and_data().0
    }

    fn view_ref(&self) -> &dyn View {
        if self.failed() {
            return &self.problems;
        }
        match self.active {
            ViewId::Overview => &self.overview,
            ViewId::Inventory => &self.inventory,
            ViewId::Flows => &self.flows,
            ViewId::Graph => &self.graph,
            ViewId::Findings => &self.findings,
            ViewId::Code => &self.code,
        }
    }

    pub fn active(&self) -> ViewId {
        self.active
    }

    pub fn help_shown(&self) -> bool {
        self.help
    }

    /// The active view's filter.
    pub fn filter(&self) -> &str {
        self.view_ref().filter()
    }

    /// Where the selected item of the active view is written.
    pub fn selected_location(&self) -> Option<Location> {
        self.view_ref().location(&self.data)
    }

    /// The node in the middle of the graph view.
    pub fn graph_center(&self) -> Option<&str> {
        self.graph.center()
    }

    pub fn graph_category(&self) -> Option<&str> {
        self.graph.category()
    }

    pub fn set_status(&mut self, status: impl Into<String>) {
        self.status = status.into();
    }

    pub fn status(&self) -> &str {
        &self.status
    }

    /// Switches to `view` by hand (Tab, a number, a click on its tab): the way back
    /// along earlier jumps is forgotten.
    pub fn show(&mut self, view: ViewId) {
        self.trail.clear();
        self.active = view;
        self.filtering = false;
    }

    /// The view Esc returns to from here, if the active view is where a jump landed
    /// and it has nothing of its own left to take back.
    pub fn way_back(&self) -> Option<ViewId> {
        if self.failed() {
            return None;
        }
        let depth = self.view_ref().depth();
        self.trail
            .way_back(self.active, depth)
            .map(|jump| jump.from)
    }

    /// Esc where a jump landed: clears the view's filter first, then returns to the
    /// view the jump came from, with the focus the landed view had before. False when
    /// there is no way back from here.
    fn go_back(&mut self) -> bool {
        if self.way_back().is_none() {
            return false;
        }
        if !self.filter().is_empty() {
            let (view, data) = self.view_and_data();
            view.set_filter("", data);
            return true;
        }
        let Some(jump) = self.trail.pop() else {
            return false;
        };
        let (view, data) = self.view_and_data();
        view.restore_focus(jump.before.as_ref(), data);
        self.active = jump.from;
        true
    }

    fn follow(&mut self, action: Action) -> Command {
        match action {
            Action::Edit(location) => Command::Edit(location),
            Action::Show(target) => {
                let view = match target {
                    Target::Node(_) => ViewId::Graph,
                    Target::RuleFindings(_) | Target::NodeFindings(_) => ViewId::Findings,
                };
                let from = self.active;
                self.active = view;
                self.filtering = false;
                let before = self.view_ref().focused();
                let (landed, data) = self.view_and_data();
                landed.focus(&target, data);
                let depth = landed.depth();
                if from != view {
                    self.trail.push(Jump {
                        from,
                        to: view,
                        before,
                        depth,
                    });
                }
                Command::None
            }
            Action::ProposeFix(index) => {
                self.propose_fix(index);
                Command::None
            }
            Action::Handled | Action::Ignored => Command::None,
        }
    }

    /// Handles one key press.
    pub fn handle_key(&mut self, key: KeyEvent) -> Command {
        if key.kind != KeyEventKind::Press {
            return Command::None;
        }
        // What a key just did (wrote a report, applied a fix) outranks the key hints
        // until the next key; any other status stays as it was.
        let before = std::mem::take(&mut self.status);
        let command = self.handle_press(key);
        self.status_fresh = !self.status.is_empty();
        if !self.status_fresh {
            self.status = before;
        }
        command
    }

    fn handle_press(&mut self, key: KeyEvent) -> Command {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return Command::Quit;
        }
        if self.help {
            self.help = false;
            return Command::None;
        }
        if let Some(pending) = self.pending_fix.take() {
            if key.code == KeyCode::Char('y') {
                return self.apply_fix(pending);
            }
            self.status = "fix not applied".to_owned();
            return Command::None;
        }
        if self.filtering {
            return self.handle_filter_key(key);
        }
        if key.code == KeyCode::Esc && self.go_back() {
            return Command::None;
        }
        let (view, data) = self.view_and_data();
        let action = view.handle_key(key, data);
        if action != Action::Ignored {
            return self.follow(action);
        }
        self.handle_global_key(key)
    }

    /// The active view and the data, borrowed together (disjoint fields).
    fn view_and_data(&mut self) -> (&mut dyn View, &Data) {
        let data = &self.data;
        let view: &mut dyn View = if matches!(data.state, LoadState::Failed(_)) {
            &mut self.problems
        } else {
            match self.active {
                ViewId::Overview => &mut self.overview,
                ViewId::Inventory => &mut self.inventory,
                ViewId::Flows => &mut self.flows,
                ViewId::Graph => &mut self.graph,
                ViewId::Findings => &mut self.findings,
                ViewId::Code => &mut self.code,
            }
        };
        (view, data)
    }

    fn handle_filter_key(&mut self, key: KeyEvent) -> Command {
        let mut query = self.filter().to_owned();
        match key.code {
            KeyCode::Esc => {
                self.filtering = false;
                let (view, data) = self.view_and_data();
                view.set_filter("", data);
                return Command::None;
            }
            KeyCode::Enter => {
                self.filtering = false;
                let (view, data) = self.view_and_data();
                let action = view.accept_filter(data);
                return self.follow(action);
            }
            KeyCode::Backspace => {
                query.pop();
            }
            KeyCode::Char(c) => query.push(c),
            KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
                let (view, data) = self.view_and_data();
                view.handle_key(key, data);
                return Command::None;
            }
            _ => return Command::None,
        }
        let (view, data) = self.view_and_data();
        view.set_filter(&query, data);
        Command::None
    }

    fn handle_global_key(&mut self, key: KeyEvent) -> Command {
        let count = ViewId::ALL.len();
        match key.code {
            KeyCode::Char('q') => return Command::Quit,
            KeyCode::Char('r') => return Command::Reload,
            KeyCode::Char('?') => self.help = true,
            KeyCode::Char('/') => self.filtering = true,
            KeyCode::Esc if !self.filter().is_empty() => {
                let (view, data) = self.view_and_data();
                view.set_filter("", data);
            }
            KeyCode::Tab => self.show(ViewId::ALL[(self.active.index() + 1) % count]),
            KeyCode::BackTab => self.show(ViewId::ALL[(self.active.index() + count - 1) % count]),
            KeyCode::Char(c @ '1'..='6') => {
                let index = usize::from(c as u8 - b'1');
                self.show(ViewId::ALL[index]);
            }
            KeyCode::Char('x') => self.status = super::export::export(&self.data),
            KeyCode::Char('e') => match self.selected_location() {
                Some(location) => return Command::Edit(location),
                None => self.status = "nothing selected to open".to_owned(),
            },
            _ => {}
        }
        Command::None
    }

    /// Handles a mouse event: the wheel scrolls, a click selects (or switches tab).
    pub fn handle_mouse(&mut self, mouse: MouseEvent) -> Command {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.view().scroll(3),
            MouseEventKind::ScrollUp => self.view().scroll(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                if self.help {
                    self.help = false;
                    return Command::None;
                }
                let tab = self.tabs.iter().find(|(area, _)| {
                    mouse.row == area.y
                        && mouse.column >= area.x
                        && mouse.column < area.x + area.width
                });
                if let Some(&(_, view)) = tab {
                    self.show(view);
                    return Command::None;
                }
                let (view, data) = self.view_and_data();
                let action = view.click(mouse.column, mouse.row, data);
                return self.follow(action);
            }
            _ => {}
        }
        Command::None
    }

    /// Draws the whole screen.
    pub fn draw(&mut self, frame: &mut Frame) {
        let area = frame.area();
        let theme = self.theme;
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            frame.render_widget(
                Paragraph::new(format!(
                    "The terminal is {}×{}; ropa needs at least {MIN_WIDTH}×{MIN_HEIGHT}. Enlarge it, or press q to quit.",
                    area.width, area.height
                ))
                .wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        let [tabs, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        self.draw_tabs(frame, tabs);
        match &self.data.state {
            LoadState::Loading => {
                let progress = match self.progress {
                    Some((done, total)) if total > 0 => format!(" {done}/{total} Rust files read"),
                    _ => String::new(),
                };
                frame.render_widget(
                    Paragraph::new(Line::styled(
                        format!("Loading the inventory…{progress}"),
                        theme.dim(),
                    )),
                    body,
                );
            }
            LoadState::Failed(_) | LoadState::Ready(_) => {
                let (view, data) = self.view_and_data();
                view.render(frame, body, data, &theme);
            }
        }
        self.draw_status(frame, status);
        if let Some(pending) = &self.pending_fix {
            self.draw_fix(frame, body, pending);
        }
        if self.help {
            self.draw_help(frame, body);
        }
    }

    fn draw_tabs(&mut self, frame: &mut Frame, area: Rect) {
        let theme = self.theme;
        let mut spans = vec![Span::styled(" ropa ", theme.title())];
        let mut x = area.x + 6;
        self.tabs.clear();
        let failed = self.failed();
        for (i, view) in ViewId::ALL.into_iter().enumerate() {
            let label = format!(" {} {} ", i + 1, view.name());
            let width = label.chars().count() as u16;
            let style = if failed {
                theme.dim()
            } else if view == self.active {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            if x + width <= area.x + area.width {
                self.tabs.push((
                    Rect {
                        x,
                        y: area.y,
                        width,
                        height: 1,
                    },
                    view,
                ));
            }
            x += width;
            spans.push(Span::styled(label, style));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn draw_status(&self, frame: &mut Frame, area: Rect) {
        let theme = self.theme;
        let mut spans = Vec::new();
        if self.filtering {
            spans.push(Span::styled("/", theme.key()));
            spans.push(Span::raw(format!("{}▏", self.filter())));
            spans.push(Span::styled("  Enter keep · Esc clear", theme.dim()));
        } else {
            let mut hints = self.view_ref().hints();
            if !self.filter().is_empty() {
                hints.push(("Esc", "clear filter"));
            } else if let Some(back) = self.way_back() {
                // Esc returns along the jump here, whatever it would do in the view.
                hints.retain(|(key, _)| *key != "Esc");
                hints.insert(0, ("Esc", back.back_hint()));
            }
            hints.extend([("/", "filter"), ("?", "help"), ("q", "quit")]);
            for (key, what) in hints {
                spans.push(Span::styled(key, theme.key()));
                spans.push(Span::raw(format!(" {what}  ")));
            }
        }
        let hints = Line::from(spans);
        let width = usize::from(area.width);
        let room = if self.status_fresh {
            width.saturating_sub(2)
        } else {
            width.saturating_sub(hints.width() + 2)
        };
        let status = super::fit::truncate(&self.status, room).into_owned();
        let [left, right] = Layout::horizontal([
            Constraint::Min(0),
            Constraint::Length(super::fit::width(&status) as u16),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(hints), left);
        frame.render_widget(Paragraph::new(Line::styled(status, theme.dim())), right);
    }

    /// Shows the diff of the selected finding's fix, or says why there is none.
    fn propose_fix(&mut self, index: usize) {
        let Some(ready) = self.data.ready() else {
            return;
        };
        let inv = &ready.audit.inventory;
        let Some(finding) = ready.audit.findings.get(index) else {
            return;
        };
        if finding.fix.is_none() {
            self.status = format!("`{}` has no fix ropa can write", finding.code);
            return;
        }
        let plan = crate::fix::plan(inv, std::slice::from_ref(finding), &[]);
        if let Some(skipped) = plan.skipped.first() {
            self.status = format!("no fix: {}", skipped.why);
            return;
        }
        let mut lines = Vec::new();
        for (file, text) in &plan.files {
            let name = inv.sources.name(*file);
            let diff = similar::TextDiff::from_lines(inv.sources.text(*file), text.as_str());
            let unified = diff
                .unified_diff()
                .context_radius(2)
                .header(name, name)
                .to_string();
            lines.extend(unified.lines().map(crate::text::sanitize_line));
        }
        self.pending_fix = Some(PendingFix { plan, lines });
    }

    /// Writes a shown fix; the inventory reloads by itself. A result that does not load
    /// is undone.
    fn apply_fix(&mut self, pending: PendingFix) -> Command {
        let Some(ready) = self.data.ready() else {
            return Command::None;
        };
        let inv = &ready.audit.inventory;
        match crate::fix::write(inv, &pending.plan) {
            Err(why) => self.status = format!("fix not written: {why}"),
            Ok(originals) => {
                let paths: Vec<std::path::PathBuf> =
                    originals.iter().map(|(p, _)| p.clone()).collect();
                let yaml: Vec<std::path::PathBuf> = (0..inv.sources.len())
                    .map(|i| inv.sources.path(crate::source::FileId(i)).to_path_buf())
                    .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                    .collect();
                if crate::inventory::load(&yaml).is_err() {
                    crate::fix::restore(&originals);
                    self.status = "fix undone: the result did not load".to_owned();
                } else {
                    self.status = format!(
                        "fixed: {}",
                        paths
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    return Command::Reload;
                }
            }
        }
        Command::None
    }

    fn draw_fix(&self, frame: &mut Frame, area: Rect, pending: &PendingFix) {
        let theme = self.theme;
        let mut lines: Vec<Line> = pending
            .lines
            .iter()
            .map(|l| {
                let style = if l.starts_with('+') && !l.starts_with("+++") {
                    theme.severity(crate::finding::Severity::Info)
                } else if l.starts_with('-') && !l.starts_with("---") {
                    theme.severity(crate::finding::Severity::Error)
                } else {
                    theme.dim()
                };
                Line::styled(l.clone(), style)
            })
            .collect();
        lines.push(Line::default());
        lines.push(Line::styled(
            "y writes it; any other key cancels.",
            theme.dim(),
        ));
        let width = area.width.min(100);
        let height = (lines.len() as u16 + 2).min(area.height);
        let popup = Rect {
            x: area.x + area.width.saturating_sub(width) / 2,
            y: area.y + area.height.saturating_sub(height) / 2,
            width,
            height,
        };
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).block(pane("Fix", true, &theme)),
            popup,
        );
    }

    fn draw_help(&self, frame: &mut Frame, area: Rect) {
        let theme = self.theme;
        let key_line = |(key, what): Hint| {
            Line::from(vec![
                Span::styled(format!("  {key:<16}"), theme.key()),
                Span::raw(what),
            ])
        };
        let view_name = if self.failed() {
            "Problems"
        } else {
            self.active.name()
        };
        let view_keys = self.view_ref().hints();
        // The blank lines between the parts go first when the screen is short.
        let rows = GLOBAL_KEYS.len() + view_keys.len() + 2;
        // Two blank lines, the closing line and the two borders.
        let spacious = rows + 5 <= usize::from(area.height);
        let mut lines = vec![Line::styled("Everywhere", theme.header())];
        lines.extend(GLOBAL_KEYS.into_iter().map(key_line));
        if spacious {
            lines.push(Line::default());
        }
        lines.push(Line::styled(format!("In {view_name}"), theme.header()));
        lines.extend(view_keys.into_iter().map(key_line));
        if spacious {
            lines.push(Line::default());
            lines.push(Line::styled("Any key closes this help.", theme.dim()));
        }
        let width = area.width.min(72);
        let height = (lines.len() as u16 + 2).min(area.height);
        let popup = Rect {
            x: area.x + area.width.saturating_sub(width) / 2,
            y: area.y + area.height.saturating_sub(height) / 2,
            width,
            height,
        };
        let title = if spacious {
            "Keys"
        } else {
            "Keys · any key closes"
        };
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).block(pane(title, true, &theme)),
            popup,
        );
    }
}
