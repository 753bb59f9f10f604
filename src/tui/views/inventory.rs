//! The Inventory view: every store, system, subprocessor, third party, subject and region
//! as one list grouped by kind, and the selected item's details: region, the categories
//! a store holds with their retention, encryption, purposes, incoming and outgoing
//! flows, and the findings that concern it.

use super::{Action, Hint, Target, View, detail_pane, not_loaded, pane};
use crate::inventory::model::{NodeKind, Region};
use crate::inventory::{Inventory, NodeRef};
use crate::source::{Sp, Span};
use crate::tui::data::{Data, Location, Ready};
use crate::tui::excerpt::clean;
use crate::tui::fit::widest;
use crate::tui::list::{Column, Columns, FilteredList};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span as Text};

/// One entry of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    Node(NodeRef),
    Region(usize),
}

#[derive(Default)]
pub struct InventoryView {
    items: Vec<Item>,
    labels: Vec<(&'static str, String)>,
    list: FilteredList,
    detail_scroll: u16,
    /// The widest kind and id, for the column widths.
    widest: [u16; 2],
}

fn join(ids: &[Sp<String>]) -> String {
    ids.iter()
        .map(|i| clean(&i.value))
        .collect::<Vec<_>>()
        .join(", ")
}

fn field(lines: &mut Vec<Line<'static>>, name: &str, value: String, theme: &Theme) {
    if !value.is_empty() {
        lines.push(Line::from(vec![
            Text::styled(format!("{name}: "), theme.header()),
            Text::raw(value),
        ]));
    }
}

fn opt(value: &Option<Sp<String>>) -> String {
    value.as_ref().map(|v| clean(&v.value)).unwrap_or_default()
}

fn yes_no(value: &Option<Sp<bool>>) -> String {
    match value {
        Some(v) if v.value => "yes".to_owned(),
        Some(_) => "no".to_owned(),
        None => String::new(),
    }
}

fn region_label(inv: &Inventory, id: &Sp<String>) -> String {
    let name = inv
        .regions
        .get(&id.value)
        .and_then(|r| inv.decl.regions.get(r))
        .and_then(|r| r.name.as_ref())
        .map(|n| format!(" ({})", clean(&n.value)))
        .unwrap_or_default();
    format!("{}{name}", clean(&id.value))
}

/// When a recipient was announced and took effect, where it says.
fn engagement_fields(
    lines: &mut Vec<Line<'static>>,
    dates: &crate::inventory::model::EngagementDates,
    theme: &Theme,
) {
    let date =
        |d: &Option<Sp<time::Date>>| d.as_ref().map(|d| d.value.to_string()).unwrap_or_default();
    field(lines, "announced", date(&dates.announced), theme);
    field(lines, "effective", date(&dates.effective), theme);
}

fn node_detail(ready: &Ready, node: NodeRef, theme: &Theme) -> Vec<Line<'static>> {
    let inv = &ready.audit.inventory;
    let d = &inv.decl;
    let common = inv.node(node);
    let mut lines = vec![Line::from(vec![
        Text::styled(clean(&common.id.value), theme.title()),
        Text::styled(format!("  {}", node.kind.noun()), theme.dim()),
    ])];
    field(&mut lines, "name", opt(&common.name), theme);
    let regions: Vec<String> = common
        .regions
        .iter()
        .map(|r| region_label(inv, r))
        .collect();
    let label = if regions.len() > 1 {
        "regions"
    } else {
        "region"
    };
    field(&mut lines, label, regions.join(", "), theme);
    if let Some(org) = common.organization.and_then(|o| d.organizations.get(o)) {
        field(&mut lines, "organization", clean(&org.id.value), theme);
    }
    field(&mut lines, "description", opt(&common.description), theme);
    field(&mut lines, "claims", join(&common.claims), theme);
    match node.kind {
        NodeKind::Store => {
            let store = &d.stores[node.index];
            field(&mut lines, "kind", opt(&store.kind), theme);
            field(
                &mut lines,
                "encrypted at rest",
                yes_no(&store.encrypted_at_rest),
                theme,
            );
            field(&mut lines, "hosted by", opt(&store.hosted_by), theme);
            if !store.holds.is_empty() {
                lines.push(Line::styled("holds:", theme.header()));
            }
            for holding in &store.holds {
                let mut text = format!("  • {}", join(&holding.data));
                if let Some(retention) = &holding.retention {
                    text.push_str(&format!("  kept {}", retention.value));
                }
                if holding.anonymized {
                    text.push_str("  anonymized");
                }
                if let Some(purpose) = &holding.purpose {
                    text.push_str(&format!("  for {}", clean(&purpose.value)));
                }
                lines.push(Line::raw(text));
            }
            if let Some(backup) = &store.backups {
                let mut text = "backups:".to_owned();
                if let Some(region) = &backup.region {
                    text.push_str(&format!(" in {}", clean(&region.value)));
                }
                if let Some(every) = &backup.every {
                    text.push_str(&format!(" every {}", every.value));
                }
                if let Some(retention) = &backup.retention {
                    text.push_str(&format!(" kept {}", retention.value));
                }
                if let Some(encrypted) = &backup.encrypted {
                    text.push_str(if encrypted.value {
                        " encrypted"
                    } else {
                        " unencrypted"
                    });
                }
                lines.push(Line::raw(text));
            }
        }
        NodeKind::System => {
            let system = &d.systems[node.index];
            field(&mut lines, "entity", opt(&system.entity), theme);
            field(&mut lines, "hosted by", opt(&system.hosted_by), theme);
        }
        NodeKind::Subprocessor => {
            let sub = &d.subprocessors[node.index];
            field(&mut lines, "legal name", opt(&sub.legal_name), theme);
            field(&mut lines, "purposes", join(&sub.purposes), theme);
            field(&mut lines, "DPA signed", yes_no(&sub.dpa), theme);
            field(
                &mut lines,
                "DPF certified",
                yes_no(&sub.dpf_certified),
                theme,
            );
            if sub.stores_data {
                field(&mut lines, "stores data", "yes".to_owned(), theme);
            }
            engagement_fields(&mut lines, &sub.dates, theme);
        }
        NodeKind::ThirdParty => {
            let party = &d.third_parties[node.index];
            field(&mut lines, "kind", opt(&party.kind), theme);
            field(&mut lines, "risk", opt(&party.risk), theme);
            field(&mut lines, "purposes", join(&party.purposes), theme);
            field(
                &mut lines,
                "DPF certified",
                yes_no(&party.dpf_certified),
                theme,
            );
            engagement_fields(&mut lines, &party.dates, theme);
        }
        NodeKind::Subject => {
            field(
                &mut lines,
                "subject",
                opt(&d.subjects[node.index].subject),
                theme,
            );
        }
    }
    let id = &common.id.value;
    let incoming: Vec<_> = d.flows.iter().filter(|f| &f.to.value == id).collect();
    let outgoing: Vec<_> = d.flows.iter().filter(|f| &f.from.value == id).collect();
    if !incoming.is_empty() {
        lines.push(Line::styled(
            format!("incoming flows ({}):", incoming.len()),
            theme.header(),
        ));
        for f in incoming {
            lines.push(Line::raw(format!(
                "  ← {}: {}",
                clean(&f.from.value),
                join(&f.data)
            )));
        }
    }
    if !outgoing.is_empty() {
        lines.push(Line::styled(
            format!("outgoing flows ({}):", outgoing.len()),
            theme.header(),
        ));
        for f in outgoing {
            lines.push(Line::raw(format!(
                "  → {}: {}",
                clean(&f.to.value),
                join(&f.data)
            )));
        }
    }
    let findings = ready.findings_about(id);
    if findings.is_empty() {
        lines.push(Line::styled("no findings", theme.good()));
    } else {
        lines.push(Line::styled(
            format!("findings ({}, f to list):", findings.len()),
            theme.header(),
        ));
        for &i in findings {
            let f = &ready.audit.findings[i];
            lines.push(Line::from(vec![
                Text::styled(format!("  {} ", f.severity), theme.severity(f.severity)),
                Text::raw(clean(&f.message)),
            ]));
        }
    }
    lines
}

fn region_detail(inv: &Inventory, region: &Region, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Text::styled(clean(&region.id.value), theme.title()),
        Text::styled("  region", theme.dim()),
    ])];
    field(&mut lines, "name", opt(&region.name), theme);
    field(&mut lines, "country", opt(&region.country), theme);
    field(&mut lines, "within", opt(&region.parent), theme);
    field(&mut lines, "groups", join(&region.groups), theme);
    let located: Vec<String> = inv
        .all_nodes()
        .filter(|n| n.regions.iter().any(|r| r.value == region.id.value))
        .map(|n| clean(&n.id.value))
        .collect();
    field(&mut lines, "nodes here", located.join(", "), theme);
    lines
}

impl InventoryView {
    fn selected(&self) -> Option<Item> {
        self.items.get(self.list.selected()?).copied()
    }

    fn span(&self, data: &Data) -> Option<Span> {
        let inv = &data.ready()?.audit.inventory;
        Some(match self.selected()? {
            Item::Node(node) => inv.node(node).span,
            Item::Region(r) => inv.decl.regions.get(r)?.id.span,
        })
    }
}

impl View for InventoryView {
    fn refresh(&mut self, data: &Data) {
        self.items.clear();
        self.labels.clear();
        if let Some(ready) = data.ready() {
            let inv = &ready.audit.inventory;
            let d = &inv.decl;
            for kind in [
                NodeKind::Store,
                NodeKind::System,
                NodeKind::Subprocessor,
                NodeKind::ThirdParty,
                NodeKind::Subject,
            ] {
                for index in 0..d.count(kind) {
                    let node = NodeRef { kind, index };
                    self.items.push(Item::Node(node));
                    self.labels
                        .push((kind.noun(), clean(&inv.node(node).id.value)));
                }
            }
            for (i, region) in d.regions.iter().enumerate() {
                self.items.push(Item::Region(i));
                self.labels.push(("region", clean(&region.id.value)));
            }
        }
        let haystacks = self
            .labels
            .iter()
            .map(|(kind, id)| format!("{kind} {id}"))
            .collect();
        let keys = self
            .labels
            .iter()
            .map(|(kind, id)| format!("{kind}:{id}"))
            .collect();
        self.list.set_items(haystacks, keys);
        self.widest = [
            widest(self.labels.iter().map(|(kind, _)| *kind)),
            widest(self.labels.iter().map(|(_, id)| id.as_str())),
        ];
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, data: &Data, theme: &Theme) {
        let Some(ready) = data.ready() else {
            return not_loaded(frame, area, theme);
        };
        let [kind_width, id_width] = self.widest;
        // As wide as the longest kind and id need (borders, marker and gap included),
        // between 38% and 45% of the screen: the details keep the rest.
        let wanted = kind_width.saturating_add(id_width).saturating_add(5);
        let share = |percent: u32| (u32::from(area.width) * percent / 100) as u16;
        let list_width = wanted.clamp(share(38), share(45));
        let [left, right] =
            Layout::horizontal([Constraint::Length(list_width), Constraint::Fill(1)]).areas(area);
        let labels = &self.labels;
        self.list.render_table(
            frame,
            left,
            pane(
                format!("Inventory ({})", self.list.count_label()),
                true,
                theme,
            ),
            Columns::new(vec![
                Column::new("Kind", 4, kind_width),
                Column::new("Id", 8, id_width).growing(),
            ]),
            theme,
            |i| {
                let (kind, id) = &labels[i];
                vec![Text::styled(*kind, theme.dim()), Text::raw(id.clone())]
            },
        );
        let inv = &ready.audit.inventory;
        let lines = match self.selected() {
            Some(Item::Node(node)) => node_detail(ready, node, theme),
            Some(Item::Region(r)) => inv
                .decl
                .regions
                .get(r)
                .map(|region| region_detail(inv, region, theme))
                .unwrap_or_default(),
            None => vec![Line::styled("Nothing matches the filter.", theme.dim())],
        };
        frame.render_widget(
            detail_pane("Details", lines, false, theme).scroll((self.detail_scroll, 0)),
            right,
        );
    }

    fn handle_key(&mut self, key: KeyEvent, _data: &Data) -> Action {
        if self.list.handle_key(key) {
            self.detail_scroll = 0;
            return Action::Handled;
        }
        let node_id = || match self.selected() {
            Some(Item::Node(_)) => self
                .list
                .selected_key()
                .and_then(|k| k.split_once(':'))
                .map(|(_, id)| id.to_owned()),
            _ => None,
        };
        match key.code {
            KeyCode::Enter => {
                node_id().map_or(Action::Ignored, |id| Action::Show(Target::Node(id)))
            }
            KeyCode::Char('f') => {
                node_id().map_or(Action::Ignored, |id| Action::Show(Target::NodeFindings(id)))
            }
            KeyCode::Char('J') => {
                self.detail_scroll += 1;
                Action::Handled
            }
            KeyCode::Char('K') => {
                self.detail_scroll = self.detail_scroll.saturating_sub(1);
                Action::Handled
            }
            _ => Action::Ignored,
        }
    }

    fn hints(&self) -> Vec<Hint> {
        vec![
            ("↑↓", "item"),
            ("Enter", "graph"),
            ("f", "findings"),
            ("J/K", "scroll details"),
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
        data.location(self.span(data)?)
    }

    fn scroll(&mut self, delta: isize) {
        self.list.scroll(delta);
        self.detail_scroll = 0;
    }

    fn click(&mut self, column: u16, row: u16, _data: &Data) -> Action {
        if self.list.click(column, row) {
            self.detail_scroll = 0;
            Action::Handled
        } else {
            Action::Ignored
        }
    }

    fn focus(&mut self, target: &Target, _data: &Data) {
        if let Target::Node(id) = target {
            for kind in ["store", "system", "subprocessor", "third party", "subject"] {
                if self.list.select_key(&format!("{kind}:{id}")) {
                    break;
                }
            }
        }
    }
}
