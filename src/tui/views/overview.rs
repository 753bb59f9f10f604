//! The Overview view: the organizations, what the inventory declares, the findings by
//! severity, and the promises table (every rule with its claim id, promise and status).

use super::{Action, Hint, Target, View, fit_title, not_loaded, pane};
use crate::finding::Severity;
use crate::tui::data::{Data, Location};
use crate::tui::excerpt::clean;
use crate::tui::fit::widest;
use crate::tui::list::{Column, Columns, FilteredList};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// One promise (rule) and how it stands.
struct Promise {
    /// The rule's id as written, to find its findings.
    id: String,
    rule: String,
    claim: String,
    description: String,
    findings: usize,
}

impl Promise {
    /// "kept", or "broken (3)".
    fn status(&self) -> String {
        match self.findings {
            0 => "kept".to_owned(),
            n => format!("broken ({n})"),
        }
    }
}

#[derive(Default)]
pub struct Overview {
    promises: Vec<Promise>,
    list: FilteredList,
    /// The widest claim, rule, promise and status, for the column widths.
    widest: [u16; 4],
}

impl View for Overview {
    fn refresh(&mut self, data: &Data) {
        self.promises.clear();
        if let Some(ready) = data.ready() {
            let mut broken: std::collections::HashMap<&str, usize> = Default::default();
            for finding in ready
                .audit
                .findings
                .iter()
                .filter(|f| f.suppression.is_none())
            {
                if let Some(rule) = &finding.rule {
                    *broken.entry(rule.as_str()).or_default() += 1;
                }
            }
            self.promises = ready
                .audit
                .inventory
                .decl
                .rules
                .iter()
                .map(|rule| Promise {
                    id: rule.id.value.clone(),
                    rule: clean(&rule.id.value),
                    claim: clean(
                        &rule
                            .claims
                            .iter()
                            .map(|c| c.value.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    description: rule
                        .description
                        .as_ref()
                        .map(|d| clean(&d.value))
                        .unwrap_or_else(|| format!("{} rule", rule.kind.code())),
                    findings: broken.get(rule.id.value.as_str()).copied().unwrap_or(0),
                })
                .collect();
            // Broken promises first, in the order they are declared; then the kept ones.
            self.promises.sort_by_key(|p| p.findings == 0);
        }
        // The status words match too: `/broken`, `/kept`.
        let haystacks = self
            .promises
            .iter()
            .map(|p| {
                let status = if p.findings == 0 { "kept" } else { "broken" };
                format!("{} {} {} {status}", p.claim, p.rule, p.description)
            })
            .collect();
        let keys = self.promises.iter().map(|p| p.id.clone()).collect();
        self.list.set_items(haystacks, keys);
        let promises = &self.promises;
        let statuses: Vec<String> = promises.iter().map(Promise::status).collect();
        self.widest = [
            widest(promises.iter().map(|p| p.claim.as_str())),
            widest(promises.iter().map(|p| p.rule.as_str())),
            widest(promises.iter().map(|p| p.description.as_str())),
            widest(statuses.iter().map(String::as_str)),
        ];
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, data: &Data, theme: &Theme) {
        let Some(ready) = data.ready() else {
            return not_loaded(frame, area, theme);
        };
        let inv = &ready.audit.inventory;
        let d = &inv.decl;
        let mut summary: Vec<Line> = Vec::new();
        for org in &d.organizations {
            let name = org.name.as_ref().map_or(&org.id.value, |n| &n.value);
            let mut line = vec![Span::styled(clean(name), theme.title())];
            if let Some(policy) = &org.policy {
                line.push(Span::styled(
                    format!("  {}", clean(&policy.value)),
                    theme.dim(),
                ));
            }
            summary.push(Line::from(line));
        }
        if d.organizations.is_empty() {
            summary.push(Line::styled("(no organization declared)", theme.dim()));
        }
        let count = |n: usize, one: &str, many: &str| {
            format!("{n} {}", crate::report::plural(n, one, many))
        };
        summary.push(Line::raw(
            [
                count(d.stores.len(), "store", "stores"),
                count(d.systems.len(), "system", "systems"),
                count(d.subprocessors.len(), "subprocessor", "subprocessors"),
                count(d.third_parties.len(), "third party", "third parties"),
            ]
            .join(" · "),
        ));
        summary.push(Line::raw(
            [
                count(d.subjects.len(), "subject", "subjects"),
                count(d.regions.len(), "region", "regions"),
                count(d.flows.len(), "flow", "flows"),
                count(d.rules.len(), "promise", "promises"),
            ]
            .join(" · "),
        ));
        let by = |severity: Severity| {
            ready
                .audit
                .findings
                .iter()
                .filter(|f| f.severity == severity && f.suppression.is_none())
                .count()
        };
        let waived = ready
            .audit
            .findings
            .iter()
            .filter(|f| f.suppression.is_some())
            .count();
        let broken = self.promises.iter().filter(|p| p.findings > 0).count();
        summary.push(Line::from(vec![
            Span::styled(
                {
                    let n = by(Severity::Error);
                    format!("{n} {}", crate::report::plural(n, "error", "errors"))
                },
                theme.severity(Severity::Error),
            ),
            Span::raw(" · "),
            Span::styled(
                {
                    let n = by(Severity::Warning);
                    format!("{n} {}", crate::report::plural(n, "warning", "warnings"))
                },
                theme.severity(Severity::Warning),
            ),
            Span::raw(" · "),
            Span::styled(
                format!("{} info", by(Severity::Info)),
                theme.severity(Severity::Info),
            ),
            Span::raw(if waived > 0 {
                format!(" · {waived} waived or in the baseline")
            } else {
                String::new()
            }),
            Span::raw(format!(
                "   promises: {} kept, {} broken",
                self.promises.len() - broken,
                broken
            )),
        ]));
        let height = summary.len() as u16 + 2;
        let [top, bottom] =
            Layout::vertical([Constraint::Length(height), Constraint::Min(3)]).areas(area);
        frame.render_widget(
            Paragraph::new(summary).block(pane("Overview", false, theme)),
            top,
        );
        let title = format!("Promises ({})", self.list.count_label());
        let [claim, rule, promise, status] = self.widest;
        let columns = vec![
            Column::new("Claim", 5, claim),
            Column::new("Rule", 12, rule),
            Column::new("Promise", 16, promise).growing().favoured(),
            Column::new("Status", 6, status),
        ];
        let promises = &self.promises;
        self.list.render_table(
            frame,
            bottom,
            pane(fit_title(&title, bottom), true, theme),
            Columns::new(columns).with_header(),
            theme,
            |i| {
                let p = &promises[i];
                let status_style = if p.findings == 0 {
                    theme.good()
                } else {
                    theme.bad()
                };
                vec![
                    Span::raw(p.claim.clone()),
                    Span::raw(p.rule.clone()),
                    Span::raw(p.description.clone()),
                    Span::styled(p.status(), status_style),
                ]
            },
        );
    }

    fn handle_key(&mut self, key: KeyEvent, _data: &Data) -> Action {
        if self.list.handle_key(key) {
            return Action::Handled;
        }
        match (key.code, self.list.selected()) {
            (KeyCode::Enter, Some(i)) => {
                Action::Show(Target::RuleFindings(self.promises[i].id.clone()))
            }
            _ => Action::Ignored,
        }
    }

    fn hints(&self) -> Vec<Hint> {
        vec![
            ("↑↓", "promise"),
            ("Enter", "findings or checks"),
            ("e", "edit rule"),
        ]
    }

    fn list(&self) -> Option<&FilteredList> {
        Some(&self.list)
    }

    fn list_mut(&mut self) -> Option<&mut FilteredList> {
        Some(&mut self.list)
    }

    fn location(&self, data: &Data) -> Option<Location> {
        let rule = self.list.selected_key()?;
        let ready = data.ready()?;
        let rule = ready
            .audit
            .inventory
            .decl
            .rules
            .iter()
            .find(|r| r.id.value == rule)?;
        data.location(rule.span)
    }
}
