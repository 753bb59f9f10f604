//! The error view, shown instead of every other view when the inventory does not load:
//! each problem with its location, and the selected one in full with its excerpt and
//! fix. The UI reloads by itself when a file changes, so fixing the YAML brings the
//! other views back.

use super::findings::detail_lines;
use super::{Action, Hint, View, detail_pane, pane};
use crate::finding::Finding;
use crate::source::SourceMap;
use crate::tui::data::{Data, LoadState, Location};
use crate::tui::excerpt::{MAX_TEXT, clean, head};
use crate::tui::fit::widest;
use crate::tui::list::{Column, Columns, FilteredList};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Characters of a message measured for its column's width: a wider message is cut
/// anyway.
const MAX_MESSAGE_WIDTH: usize = 300;

#[derive(Default)]
pub struct Problems {
    list: FilteredList,
    /// The widest place, code and message, for the column widths.
    widest: [u16; 3],
}

/// Where a problem is: `file:line:column`, the file alone, or nothing; cleaned.
fn place(problem: &Finding, sources: &SourceMap) -> String {
    let place = match (problem.span, &problem.file) {
        (Some(s), _) => format!("{}:{}:{}", sources.name(s.file), s.line, s.column),
        (None, Some(file)) => file.clone(),
        (None, None) => String::new(),
    };
    clean(&place)
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
        self.widest = match &data.state {
            LoadState::Failed(failure) => {
                let places: Vec<String> = failure
                    .problems
                    .iter()
                    .map(|p| place(p, &failure.sources))
                    .collect();
                [
                    widest(places.iter().map(String::as_str)),
                    widest(failure.problems.iter().map(|p| p.code)),
                    widest(
                        failure
                            .problems
                            .iter()
                            .map(|p| head(&p.message, MAX_MESSAGE_WIDTH).0),
                    ),
                ]
            }
            _ => [0, 0, 0],
        };
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
        let [place_width, code_width, message_width] = self.widest;
        self.list.render_table(
            frame,
            top,
            pane(
                format!("Problems ({})", self.list.count_label()),
                true,
                theme,
            ),
            Columns::new(vec![
                Column::new("Where", 12, place_width).keeping_the_end(),
                Column::new("Code", 8, code_width),
                Column::new("Problem", 16, message_width).growing(),
            ]),
            theme,
            |i| {
                let p = &problems[i];
                vec![
                    Span::styled(place(p, sources), theme.dim()),
                    Span::styled(p.code, theme.severity(p.severity)),
                    Span::raw(clean(&p.message)),
                ]
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
