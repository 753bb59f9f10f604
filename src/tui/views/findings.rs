//! The Findings view: every finding sorted by severity then rule, and for the selected
//! one its message, the claim it protects, the explaining path, the YAML and Rust
//! excerpts with the span highlighted, and the suggested fix. Can be narrowed to the
//! findings of one rule or about one node.

use super::{Action, Hint, Target, View, detail_pane, fit_title, not_loaded, pane};
use crate::finding::Finding;
use crate::rules::{Coverage, coverage};
use crate::source::SourceMap;
use crate::tui::data::{Data, Location};
use crate::tui::excerpt::{MAX_TEXT, clean, clean_head, excerpt, head};
use crate::tui::fit;
use crate::tui::list::{Column, Columns, FilteredList};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

/// Which findings the list holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Scope {
    #[default]
    All,
    Rule(String),
    Node(String),
}

#[derive(Default)]
pub struct Findings {
    /// Finding indices, in display order, within the scope.
    rows: Vec<usize>,
    list: FilteredList,
    scope: Scope,
    /// The detail pane has the focus (it scrolls with the arrows).
    detail_focus: bool,
    detail_scroll: u16,
    detail_area: Rect,
    /// What the rule in scope checked, for the detail pane when it has no findings.
    coverage: Option<Coverage>,
    /// The widest rule (or code) and message of the findings listed, for the column
    /// widths.
    widest: [u16; 2],
}

/// Most characters of a message the detail pane shows.
const MAX_MESSAGE: usize = 500;

/// Characters of a message measured for its column's width: a wider message is cut
/// anyway.
const MAX_MESSAGE_WIDTH: usize = 300;

/// Most lines of a fix the detail pane shows.
const MAX_FIX_LINES: usize = 40;

/// A key that identifies a finding across reloads.
fn finding_key(f: &Finding) -> String {
    format!(
        "{}|{}|{}",
        f.code,
        f.rule.as_deref().unwrap_or(""),
        head(&f.message, MAX_TEXT).0
    )
}

impl Findings {
    fn rebuild(&mut self, data: &Data) {
        self.rows.clear();
        self.coverage = match (&self.scope, data.ready()) {
            (Scope::Rule(id), Some(ready)) => {
                let audit = &ready.audit;
                audit
                    .inventory
                    .decl
                    .rules
                    .iter()
                    .find(|r| &r.id.value == id)
                    .map(|rule| coverage(&audit.inventory, &audit.graph, &audit.scans, rule))
            }
            _ => None,
        };
        let mut haystacks = Vec::new();
        let mut keys = Vec::new();
        if let Some(ready) = data.ready() {
            let findings = &ready.audit.findings;
            let about: Option<&[usize]> = match &self.scope {
                Scope::Node(node) => Some(ready.findings_about(node)),
                _ => None,
            };
            for &i in &ready.order {
                let f = &findings[i];
                let keep = match &self.scope {
                    Scope::All => true,
                    Scope::Rule(rule) => f.rule.as_deref() == Some(rule),
                    Scope::Node(_) => about.is_some_and(|a| a.binary_search(&i).is_ok()),
                };
                if keep {
                    self.rows.push(i);
                    haystacks.push(format!(
                        "{}{} {} {} {}",
                        if f.suppression.is_some() {
                            "waived "
                        } else {
                            ""
                        },
                        f.severity,
                        f.code,
                        f.rule.as_deref().unwrap_or(""),
                        head(&f.message, MAX_TEXT).0
                    ));
                    keys.push(finding_key(f));
                }
            }
        }
        self.list.set_items(haystacks, keys);
        self.widest = data.ready().map_or([0, 0], |ready| {
            let listed = || self.rows.iter().map(|&i| &ready.audit.findings[i]);
            [
                fit::widest(listed().map(rule_or_code)),
                fit::widest(listed().map(|f| head(&f.message, MAX_MESSAGE_WIDTH).0)),
            ]
        });
    }

    fn selected<'d>(&self, data: &'d Data) -> Option<&'d Finding> {
        let ready = data.ready()?;
        let row = self.list.selected()?;
        ready.audit.findings.get(*self.rows.get(row)?)
    }
}

/// What the list's second column shows: the finding's rule, or its code.
fn rule_or_code(f: &Finding) -> &str {
    f.rule.as_deref().unwrap_or(f.code)
}

/// The detail lines of one finding.
pub fn detail_lines(f: &Finding, sources: &SourceMap, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut head = vec![Span::styled(
        format!("{}[{}]", f.severity, f.code),
        theme.severity(f.severity),
    )];
    if let Some(rule) = &f.rule {
        head.push(Span::styled(format!("  rule {}", clean(rule)), theme.dim()));
    }
    lines.push(Line::from(head));
    match &f.suppression {
        Some(crate::finding::Suppression::Waiver {
            reason,
            approved_by,
            expires,
            ..
        }) => {
            let mut text = format!("Waived: {}", clean(reason));
            if let Some(by) = approved_by {
                text.push_str(&format!(" (approved by {}", clean(by)));
                text.push_str(
                    &expires
                        .as_ref()
                        .map(|e| format!(", until {e})"))
                        .unwrap_or(")".into()),
                );
            } else if let Some(until) = expires {
                text.push_str(&format!(" (until {until})"));
            }
            lines.push(Line::styled(text, theme.dim()));
        }
        Some(crate::finding::Suppression::Baseline) => {
            lines.push(Line::styled(
                "In the baseline: accepted, not counted",
                theme.dim(),
            ));
        }
        None => {}
    }
    // A message can quote input of any size; a few lines of it say what went wrong.
    lines.push(Line::styled(
        clean_head(&f.message, MAX_MESSAGE),
        theme.title(),
    ));
    if !f.claims.is_empty() || f.promise.is_some() {
        let claim = clean(&f.claims.join(", "));
        lines.push(Line::from(vec![
            Span::styled(format!("Claim {claim}: "), theme.header()),
            Span::raw(f.promise.as_deref().map(clean).unwrap_or_default()),
        ]));
    }
    if !f.path.is_empty() {
        let mut path = vec![Span::styled("Path: ", theme.header())];
        for (i, hop) in f.path.iter().enumerate() {
            if i > 0 {
                let via = hop.via_flow.as_deref().map(clean).unwrap_or_default();
                path.push(Span::styled(format!(" —{via}→ "), theme.dim()));
            }
            path.push(Span::raw(clean(&hop.node)));
        }
        lines.push(Line::from(path));
    }
    if let Some(span) = f.span {
        lines.push(Line::default());
        if !f.label.is_empty() {
            lines.push(Line::styled(clean(&f.label), theme.dim()));
        }
        lines.extend(excerpt(sources, span, theme));
    } else if let Some(file) = &f.file {
        lines.push(Line::raw(format!("  in: {}", clean(file))));
    }
    for related in &f.related {
        lines.push(Line::default());
        lines.push(Line::styled(clean(&related.label), theme.dim()));
        lines.extend(excerpt(sources, related.span, theme));
    }
    if let Some(help) = &f.help {
        // The fix often ends in a YAML snippet to paste: keep its lines and indentation.
        lines.push(Line::default());
        for (i, line) in help.lines().take(MAX_FIX_LINES).enumerate() {
            let line = clean(line.trim_end());
            lines.push(if i == 0 {
                Line::from(vec![Span::styled("Fix: ", theme.good()), Span::raw(line)])
            } else {
                Line::raw(line)
            });
        }
    }
    lines
}

/// Most names of each kind the coverage of a kept promise lists.
const MAX_COVERED_NAMES: usize = 20;

/// "2 flows: a, b" with at most [`MAX_COVERED_NAMES`] names, cleaned.
fn covered_line<'a>(
    count_of: &str,
    names: impl ExactSizeIterator<Item = &'a str>,
    theme: &Theme,
) -> Line<'static> {
    let n = names.len();
    let mut shown: Vec<String> = names.take(MAX_COVERED_NAMES).map(clean).collect();
    if n > MAX_COVERED_NAMES {
        shown.push(format!("and {} more", n - MAX_COVERED_NAMES));
    }
    Line::from(vec![
        Span::styled(format!("  {n} {count_of}: "), theme.header()),
        Span::raw(shown.join(", ")),
    ])
}

/// `noun` in the plural when `n` is not 1.
fn plural(n: usize, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => noun.to_owned(),
        (_, Some(stem)) => format!("{stem}ies"),
        (_, None) => format!("{noun}s"),
    }
}

/// The detail of a promise with no findings: what its rule checked, so "kept" is seen
/// to mean something (or, when its selectors matched nothing, that it does not).
fn coverage_lines(
    rule_id: &str,
    coverage: Option<&Coverage>,
    data: &Data,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some(coverage) = coverage else {
        return Vec::new();
    };
    let rule = data.ready().and_then(|ready| {
        ready
            .audit
            .inventory
            .decl
            .rules
            .iter()
            .find(|r| r.id.value == rule_id)
    });
    let mut head = vec![Span::styled("kept", theme.good())];
    if let Some(rule) = rule {
        if !rule.claims.is_empty() {
            let claims: Vec<&str> = rule.claims.iter().map(|c| c.value.as_str()).collect();
            head.push(Span::styled(
                format!("  claim {}", clean(&claims.join(", "))),
                theme.header(),
            ));
        }
        head.push(Span::styled(
            format!("  rule {} ({})", clean(rule_id), rule.kind.code()),
            theme.dim(),
        ));
    }
    let mut lines = vec![Line::from(head)];
    if let Some(description) = rule.and_then(|r| r.description.as_ref()) {
        lines.push(Line::styled(clean(&description.value), theme.title()));
    }
    lines.push(Line::default());
    if coverage.is_empty() {
        lines.push(Line::styled(
            "Kept only because its selectors matched nothing: no flow, store or code field \
             carries the data it names where it looks. Check its `data` and node selectors.",
            theme.bad(),
        ));
        return lines;
    }
    lines.push(Line::raw(
        "No finding: it checked, and found nothing wrong in,",
    ));
    if !coverage.flows.is_empty() {
        let n = coverage.flows.len();
        lines.push(covered_line(
            &plural(n, "flow"),
            coverage.flows.iter().map(String::as_str),
            theme,
        ));
    }
    let mut kinds: Vec<&str> = coverage.nodes.iter().map(|(kind, _)| *kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        let ids: Vec<&str> = coverage
            .nodes
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| id.as_str())
            .collect();
        lines.push(covered_line(
            &plural(ids.len(), kind),
            ids.into_iter(),
            theme,
        ));
    }
    if !coverage.fields.is_empty() {
        let n = coverage.fields.len();
        lines.push(covered_line(
            &plural(n, "code field"),
            coverage.fields.iter().map(String::as_str),
            theme,
        ));
    }
    lines
}

impl View for Findings {
    fn refresh(&mut self, data: &Data) {
        self.rebuild(data);
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, data: &Data, theme: &Theme) {
        let Some(ready) = data.ready() else {
            return not_loaded(frame, area, theme);
        };
        let list_height = if self.detail_focus {
            0
        } else {
            (self.list.visible_len() as u16 + 3).clamp(4, area.height * 2 / 5)
        };
        let [top, bottom] =
            Layout::vertical([Constraint::Length(list_height), Constraint::Min(0)]).areas(area);
        let scope = match &self.scope {
            Scope::All => String::new(),
            Scope::Rule(rule) => format!(" of rule {}", clean(rule)),
            Scope::Node(node) => format!(" about {}", clean(node)),
        };
        let title = format!("Findings{scope} ({})", self.list.count_label());
        let findings = &ready.audit.findings;
        let rows = &self.rows;
        if list_height > 0 {
            self.list.render_table(
                frame,
                top,
                pane(fit_title(&title, top), !self.detail_focus, theme),
                Columns::new(vec![
                    Column::new("Severity", 7, 7),
                    Column::new("Rule", 10, self.widest[0]),
                    Column::new("Message", 20, self.widest[1]).growing(),
                ]),
                theme,
                |row| {
                    let f = &findings[rows[row]];
                    vec![
                        match f.suppression {
                            Some(_) => Span::styled("waived", theme.dim()),
                            None => Span::styled(f.severity.as_str(), theme.severity(f.severity)),
                        },
                        Span::raw(clean(rule_or_code(f))),
                        Span::raw(clean(&f.message)),
                    ]
                },
            );
        }
        self.detail_area = bottom;
        let detail = match self.selected(data) {
            Some(f) => detail_lines(f, &ready.audit.inventory.sources, theme),
            None if self.list.is_empty() && self.coverage.is_some() => match &self.scope {
                Scope::Rule(id) => coverage_lines(id, self.coverage.as_ref(), data, theme),
                _ => Vec::new(),
            },
            None if findings.is_empty() => vec![Line::styled(
                "No findings: every promise is kept.",
                theme.good(),
            )],
            None => vec![Line::styled("No finding matches the filter.", theme.dim())],
        };
        frame.render_widget(
            detail_pane("Detail", detail, self.detail_focus, theme).scroll((self.detail_scroll, 0)),
            bottom,
        );
    }

    fn handle_key(&mut self, key: KeyEvent, data: &Data) -> Action {
        if self.detail_focus {
            match key.code {
                KeyCode::Down | KeyCode::Char('j') => self.detail_scroll += 1,
                KeyCode::Up | KeyCode::Char('k') => {
                    self.detail_scroll = self.detail_scroll.saturating_sub(1)
                }
                KeyCode::PageDown => self.detail_scroll += 10,
                KeyCode::PageUp => self.detail_scroll = self.detail_scroll.saturating_sub(10),
                KeyCode::Esc | KeyCode::Enter | KeyCode::Left | KeyCode::Char('h') => {
                    self.detail_focus = false
                }
                _ => return Action::Ignored,
            }
            return Action::Handled;
        }
        if self.list.handle_key(key) {
            self.detail_scroll = 0;
            return Action::Handled;
        }
        match key.code {
            KeyCode::Char('a') => match self.list.selected().and_then(|row| self.rows.get(row)) {
                Some(index) => Action::ProposeFix(*index),
                None => Action::Handled,
            },
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l')
                if self.list.selected().is_some() =>
            {
                self.detail_focus = true;
                Action::Handled
            }
            KeyCode::Esc if self.scope != Scope::All => {
                self.scope = Scope::All;
                self.rebuild(data);
                Action::Handled
            }
            _ => Action::Ignored,
        }
    }

    fn hints(&self) -> Vec<Hint> {
        if self.detail_focus {
            vec![("↑↓", "scroll"), ("Esc", "back to list"), ("e", "edit")]
        } else if self.scope != Scope::All {
            vec![
                ("↑↓", "finding"),
                ("Enter", "detail"),
                ("Esc", "all findings"),
                ("e", "edit"),
            ]
        } else {
            vec![
                ("↑↓", "finding"),
                ("Enter", "detail"),
                ("e", "edit"),
                ("a", "fix"),
            ]
        }
    }

    fn set_filter(&mut self, query: &str, _data: &Data) {
        self.list.set_query(query);
        self.detail_scroll = 0;
    }

    fn list(&self) -> Option<&FilteredList> {
        Some(&self.list)
    }

    fn list_mut(&mut self) -> Option<&mut FilteredList> {
        Some(&mut self.list)
    }

    fn location(&self, data: &Data) -> Option<Location> {
        data.location(self.selected(data)?.span?)
    }

    fn scroll(&mut self, delta: isize) {
        if self.detail_focus {
            self.detail_scroll = self.detail_scroll.saturating_add_signed(delta as i16);
        } else {
            self.list.scroll(delta);
            self.detail_scroll = 0;
        }
    }

    fn click(&mut self, column: u16, row: u16, _data: &Data) -> Action {
        if self.list.click(column, row) {
            self.detail_focus = false;
            self.detail_scroll = 0;
            return Action::Handled;
        }
        let a = self.detail_area;
        if column >= a.x && column < a.x + a.width && row >= a.y && row < a.y + a.height {
            self.detail_focus = true;
            return Action::Handled;
        }
        Action::Ignored
    }

    fn focus(&mut self, target: &Target, data: &Data) {
        self.scope = match target {
            Target::RuleFindings(rule) => Scope::Rule(rule.clone()),
            Target::NodeFindings(node) => Scope::Node(node.clone()),
            Target::Node(_) => return,
        };
        self.detail_focus = false;
        self.detail_scroll = 0;
        self.rebuild(data);
        self.list.move_by(isize::MIN);
    }

    fn focused(&self) -> Option<Target> {
        match &self.scope {
            Scope::All => None,
            Scope::Rule(rule) => Some(Target::RuleFindings(rule.clone())),
            Scope::Node(node) => Some(Target::NodeFindings(node.clone())),
        }
    }

    fn restore_focus(&mut self, before: Option<&Target>, data: &Data) {
        self.scope = match before {
            Some(Target::RuleFindings(rule)) => Scope::Rule(rule.clone()),
            Some(Target::NodeFindings(node)) => Scope::Node(node.clone()),
            Some(Target::Node(_)) | None => Scope::All,
        };
        self.detail_focus = false;
        self.detail_scroll = 0;
        self.rebuild(data);
    }

    fn depth(&self) -> usize {
        usize::from(self.detail_focus)
    }
}
