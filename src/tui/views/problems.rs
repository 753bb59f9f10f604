//! The error view, shown instead of every other view when the inventory does not load:
//! each problem with its location, and the selected one in full with its excerpt and
//! fix. The UI reloads by itself when a file changes, so fixing the YAML brings the
//! other views back.

use super::findings::detail_lines;
use super::{Action, Hint, View, detail_pane, pane};
use crate::tui::data::{Data, LoadState, Location};
use crate::tui::excerpt::{MAX_TEXT, clean, head};
use crate::tui::list::{Columns, FilteredList};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

#[derive(Default)]
pub struct Problems {
    list: FilteredList,
}

impl View for Problems {
    fn refresh(&mut self, data: &Data) {
        let (haystacks, keys) = match &data.state {
            LoadState::Failed(failure) => failure
                .problems
                .iter()
                .map(|p| {
                    let at = p
                        .span
                        .map(|s| format!("{}:{}", failure.sources.name(s.file), s.line))
                        .unwrap_or_default();
                    // Messages can quote input of any size: match and key on their start.
                    let message = head(&p.message, MAX_TEXT).0;
                    (
                        format!("{} {message} {at}", p.code),
                        format!("{}|{message}", p.code),
                    )
                })
                .unzip(),
            _ => (Vec::new(), Vec::new()),
        };
        self.list.set_items(haystacks, keys);
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, data: &Data, theme: &Theme) {
        let LoadState::Failed(failure) = &data.state else {
            return;
        };
        let [head, top, bottom] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length((failure.problems.len() as u16 + 2).clamp(3, area.height / 3)),
            Constraint::Min(0),
        ])
        .areas(area);
        let count = failure.problems.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(vec![
                    Span::styled("ropa could not load the inventory: ", theme.bad()),
                    Span::raw(format!("{count} {noun}.")),
                ]),
                Line::styled(
                    "Fix the files and ropa reloads by itself (or press r).",
                    theme.dim(),
                ),
            ]),
            head,
        );
        let problems = &failure.problems;
        let sources = &failure.sources;
        self.list.render_table(
            frame,
            top,
            pane(
                format!("Problems ({})", self.list.count_label()),
                true,
                theme,
            ),
            Columns::new(vec![Constraint::Length(24), Constraint::Fill(1)]),
            theme,
            |i| {
                let p = &problems[i];
                let at = match (p.span, &p.file) {
                    (Some(s), _) => format!("{}:{}:{}", sources.name(s.file), s.line, s.column),
                    (None, Some(file)) => file.clone(),
                    (None, None) => String::new(),
                };
                Row::new([
                    Cell::from(Span::styled(clean(&at), theme.dim())),
                    Cell::from(Line::from(vec![
                        Span::styled(format!("{} ", p.code), theme.severity(p.severity)),
                        Span::raw(clean(&p.message)),
                    ])),
                ])
            },
        );
        let detail = self
            .list
            .selected()
            .and_then(|i| problems.get(i))
            .map(|p| detail_lines(p, sources, theme))
            .unwrap_or_default();
        frame.render_widget(detail_pane("Detail", detail, false, theme), bottom);
    }

    fn handle_key(&mut self, key: KeyEvent, _data: &Data) -> Action {
        if self.list.handle_key(key) {
            Action::Handled
        } else {
            Action::Ignored
        }
    }

    fn hints(&self) -> Vec<Hint> {
        vec![("↑↓", "problem"), ("e", "edit"), ("r", "reload")]
    }

    fn list(&self) -> Option<&FilteredList> {
        Some(&self.list)
    }

    fn list_mut(&mut self) -> Option<&mut FilteredList> {
        Some(&mut self.list)
    }

    fn location(&self, data: &Data) -> Option<Location> {
        let LoadState::Failed(failure) = &data.state else {
            return None;
        };
        let problem = failure.problems.get(self.list.selected()?)?;
        match (problem.span, &problem.file) {
            (Some(span), _) => data.location(span),
            (None, Some(file)) => Some(Location {
                path: file.into(),
                line: 1,
                column: 1,
            }),
            (None, None) => None,
        }
    }
}
