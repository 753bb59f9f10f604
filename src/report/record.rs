//! The record of processing activities (GDPR Art. 30) as a document: Markdown, one
//! self-contained HTML page with the data-flow diagram, CSV for a spreadsheet (one row
//! per activity, the UK ICO template's columns) and JSON (`ropa-record/1`).

use super::html;
use crate::record::{Activity, ControllerEntry, OrganizationEntry, PartyEntry, Record, Role};
use std::fmt::Write as _;

/// Markdown inline text: HTML and Markdown syntax escaped, one line.
fn md(text: &str) -> String {
    let clean = crate::text::sanitize_line(text);
    let mut out = String::with_capacity(clean.len() + 8);
    for c in clean.chars() {
        match c {
            '&' | '<' | '>' => out.push_str(html::entity(c).unwrap_or_default()),
            '\\' | '`' | '*' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn md_list(items: &[String], none: &str) -> String {
    if items.is_empty() {
        none.to_owned()
    } else {
        items.iter().map(|i| md(i)).collect::<Vec<_>>().join("<br>")
    }
}

fn party(p: &Option<PartyEntry>) -> Option<String> {
    p.as_ref().map(|p| match &p.contact {
        Some(contact) => format!("{} ({contact})", p.name),
        None => p.name.clone(),
    })
}

fn title(record: &Record) -> String {
    match record.role {
        Role::Controller => format!(
            "Record of processing activities: {}",
            record.organization.name
        ),
        Role::Processor => format!(
            "Record of processing activities: {} (processor)",
            record.organization.name
        ),
    }
}

fn role_line(role: Role) -> &'static str {
    match role {
        Role::Controller => "Controller record (GDPR Art. 30(1))",
        Role::Processor => "Processor record (GDPR Art. 30(2))",
    }
}

/// `items` joined with commas, or `none` when there are none.
fn joined_or(items: &[String], none: &str) -> String {
    if items.is_empty() {
        none.to_owned()
    } else {
        items.join(", ")
    }
}

/// Each element of an activity as (heading, entries), in the order of Art. 30(1) and
/// then the ICO template's columns.
fn elements(a: &Activity, role: Role) -> Vec<(&'static str, Vec<String>, &'static str)> {
    let categories_where = |special: bool| -> Vec<String> {
        a.categories
            .iter()
            .filter(|c| c.special == special)
            .map(|c| format!("{} ({})", c.name, c.key))
            .collect()
    };
    let (categories, special) = (categories_where(false), categories_where(true));
    let recipients: Vec<String> = a
        .recipients
        .iter()
        .map(|r| {
            let place = joined_or(&r.regions, "region not declared");
            let third = if r.third_country {
                ", third country"
            } else {
                ""
            };
            format!("{} ({}; {place}{third})", r.name, r.kind)
        })
        .collect();
    let transfers: Vec<String> = a
        .transfers
        .iter()
        .map(|t| {
            let mechanisms = joined_or(&t.mechanisms, "no mechanism declared");
            format!("{} to {}, {}: {mechanisms}", t.flow, t.to, t.route)
        })
        .collect();
    let retention: Vec<String> = a
        .retention
        .iter()
        .map(|r| {
            if r.categories.is_empty() {
                format!("{}: {}", r.store, r.retention)
            } else {
                format!("{} ({}): {}", r.store, r.categories.join(", "), r.retention)
            }
        })
        .collect();
    let mut out = vec![
        ("Data subjects", a.subjects.clone(), "none found"),
        ("Personal data", categories, "none"),
        ("Special categories (Art. 9)", special, "none"),
    ];
    if role == Role::Controller {
        out.push(("Recipients", recipients, "none outside the organization"));
    }
    out.push(("Transfers to third countries", transfers, "none"));
    if role == Role::Controller {
        out.push(("Erasure time limits", retention, "no store keeps it"));
    }
    out.push(("Security measures", a.security.clone(), "none recorded"));
    if role == Role::Controller {
        out.push((
            "Lawful basis (Art. 6)",
            a.lawful_bases.clone(),
            "not declared",
        ));
        out.push((
            "Art. 9 condition",
            a.special_category_conditions.clone(),
            if a.categories.iter().any(|c| c.special) {
                "not declared"
            } else {
                "not applicable"
            },
        ));
        out.push(("Source of the data", a.sources.clone(), "not found"));
    }
    out.push(("Flows", a.flows.clone(), "none"));
    out
}

fn audit_entries(a: &Activity) -> Vec<String> {
    a.audit
        .rules
        .iter()
        .map(|r| {
            let claims = if r.claims.is_empty() {
                String::new()
            } else {
                format!(" (claim {})", r.claims.join(", "))
            };
            format!(
                "{}: {}{claims}",
                if r.kept { "kept" } else { "broken" },
                r.id
            )
        })
        .collect()
}

fn status_text(a: &Activity) -> String {
    if a.missing.is_empty() {
        a.audit.status.to_owned()
    } else {
        format!("{}, incomplete", a.audit.status)
    }
}

fn organization_rows(o: &OrganizationEntry, role: Role) -> Vec<(&'static str, String)> {
    let who = match role {
        Role::Controller => "Controller",
        Role::Processor => "Processor",
    };
    let name = if o.id.is_empty() {
        o.name.clone()
    } else {
        format!("{} ({})", o.name, o.id)
    };
    let mut rows = contact_rows(who, name, &o.contact, &o.dpo, &o.representative);
    if role == Role::Controller {
        let joint: Vec<String> = o
            .joint_controllers
            .iter()
            .filter_map(|p| party(&Some(p.clone())))
            .collect();
        rows.push((
            "Joint controllers",
            if joint.is_empty() {
                "none declared".to_owned()
            } else {
                joint.join("; ")
            },
        ));
    }
    if let Some(policy) = &o.policy {
        rows.push(("Privacy policy", policy.clone()));
    }
    rows
}

fn controller_rows(c: &ControllerEntry) -> Vec<(&'static str, String)> {
    contact_rows(
        "Controller",
        c.name.clone(),
        &c.contact,
        &c.dpo,
        &c.representative,
    )
}

/// Who someone is and how to reach them, their DPO and their representative.
fn contact_rows(
    who: &'static str,
    name: String,
    contact: &Option<String>,
    dpo: &Option<PartyEntry>,
    representative: &Option<PartyEntry>,
) -> Vec<(&'static str, String)> {
    let or_not = |value: Option<String>| value.unwrap_or_else(|| "not declared".to_owned());
    vec![
        (who, name),
        ("Contact", or_not(contact.clone())),
        ("Data protection officer", or_not(party(dpo))),
        ("Representative (Art. 27)", or_not(party(representative))),
    ]
}

fn activities_of(record: &Record) -> Vec<(Option<&ControllerEntry>, &Activity)> {
    match record.role {
        Role::Controller => record.activities.iter().map(|a| (None, a)).collect(),
        Role::Processor => record
            .controllers
            .iter()
            .flat_map(|c| c.activities.iter().map(move |a| (Some(c), a)))
            .collect(),
    }
}

fn md_activity(out: &mut String, n: usize, a: &Activity, role: Role) {
    let level = match role {
        Role::Controller => "###",
        Role::Processor => "####",
    };
    let key = a
        .purpose
        .as_ref()
        .map(|k| format!(" (`{}`)", k.replace('`', "'")))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{level} {n}. {}{key}: {}\n",
        md(&a.purpose_name),
        status_text(a)
    );
    out.push_str("| Element | Entry |\n|---|---|\n");
    for (heading, entries, none) in elements(a, role) {
        let _ = writeln!(out, "| {heading} | {} |", md_list(&entries, none));
    }
    let _ = writeln!(
        out,
        "| Audit | {} |",
        md_list(&audit_entries(a), "no rule covers this activity")
    );
    if !a.missing.is_empty() {
        let missing: Vec<String> = a.missing.iter().map(|m| m.message.clone()).collect();
        let _ = writeln!(out, "| **Missing** | {} |", md_list(&missing, ""));
    }
    out.push('\n');
}

/// The records as one Markdown document.
pub fn markdown(records: &[Record], generated_on: &str) -> String {
    let mut out = String::new();
    for record in records {
        let _ = writeln!(out, "# {}\n", md(&title(record)));
        let _ = writeln!(
            out,
            "{}, generated by ropa {} from the data inventory on {generated_on}.\n",
            role_line(record.role),
            env!("CARGO_PKG_VERSION")
        );
        out.push_str("| | |\n|---|---|\n");
        for (heading, value) in organization_rows(&record.organization, record.role) {
            let _ = writeln!(out, "| {heading} | {} |", md(&value));
        }
        out.push('\n');
        match record.role {
            Role::Controller => {
                md_summary(&mut out, &record.activities, record.role);
                for (i, a) in record.activities.iter().enumerate() {
                    md_activity(&mut out, i + 1, a, record.role);
                }
            }
            Role::Processor => {
                for c in &record.controllers {
                    let _ = writeln!(out, "## On behalf of {}\n", md(&c.name));
                    out.push_str("| | |\n|---|---|\n");
                    for (heading, value) in controller_rows(c) {
                        let _ = writeln!(out, "| {heading} | {} |", md(&value));
                    }
                    out.push('\n');
                    md_summary(&mut out, &c.activities, record.role);
                    for (i, a) in c.activities.iter().enumerate() {
                        md_activity(&mut out, i + 1, a, record.role);
                    }
                }
            }
        }
    }
    out
}

fn md_summary(out: &mut String, activities: &[Activity], role: Role) {
    let heading = match role {
        Role::Controller => "## Processing activities",
        Role::Processor => "### Categories of processing",
    };
    let _ = writeln!(out, "{heading} ({})\n", activities.len());
    if activities.is_empty() {
        out.push_str("No flow carries personal data.\n\n");
        return;
    }
    out.push_str("| # | Purpose | Personal data | Recipients | Status |\n|---|---|---|---|---|\n");
    for (i, a) in activities.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            i + 1,
            md(&a.purpose_name),
            a.categories.len(),
            a.recipients.len(),
            status_text(a)
        );
    }
    out.push('\n');
}

/// A spreadsheet cell that cannot be read as a formula (`=`, `+`, `-`, `@` first).
fn cell(text: &str) -> String {
    let clean = crate::text::sanitize_line(text);
    if clean.starts_with(['=', '+', '-', '@']) {
        format!("'{clean}")
    } else {
        clean
    }
}

/// The header of the CSV record.
const CSV_HEADER: [&str; 21] = [
    "organization",
    "role",
    "controller",
    "purpose",
    "purpose_key",
    "data_subjects",
    "personal_data",
    "special_categories",
    "recipients",
    "third_country_recipients",
    "transfers",
    "erasure_time_limits",
    "security_measures",
    "lawful_basis",
    "art9_condition",
    "source",
    "flows",
    "audit_status",
    "rules",
    "missing",
    "dpo",
];

/// The records as CSV, one row per activity (and controller, for a processor).
pub fn csv(records: &[Record]) -> Result<String, String> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let fail = |e: ::csv::Error| format!("cannot write CSV: {e}");
    writer.write_record(CSV_HEADER).map_err(fail)?;
    for record in records {
        for (controller, a) in activities_of(record) {
            let elements = elements(a, Role::Controller);
            let by = |heading: &str| {
                elements
                    .iter()
                    .find(|(h, _, _)| *h == heading)
                    .map(|(_, entries, _)| entries.join("; "))
                    .unwrap_or_default()
            };
            let third: Vec<String> = a
                .recipients
                .iter()
                .filter(|r| r.third_country)
                .map(|r| r.name.clone())
                .collect();
            let row = [
                record.organization.name.clone(),
                match record.role {
                    Role::Controller => "controller".to_owned(),
                    Role::Processor => "processor".to_owned(),
                },
                controller.map(|c| c.name.clone()).unwrap_or_default(),
                a.purpose_name.clone(),
                a.purpose.clone().unwrap_or_default(),
                by("Data subjects"),
                by("Personal data"),
                by("Special categories (Art. 9)"),
                by("Recipients"),
                third.join("; "),
                by("Transfers to third countries"),
                by("Erasure time limits"),
                by("Security measures"),
                by("Lawful basis (Art. 6)"),
                by("Art. 9 condition"),
                by("Source of the data"),
                by("Flows"),
                status_text(a),
                audit_entries(a).join("; "),
                a.missing
                    .iter()
                    .map(|m| m.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                party(&record.organization.dpo).unwrap_or_default(),
            ];
            writer
                .write_record(row.iter().map(|c| cell(c)))
                .map_err(fail)?;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| format!("cannot write CSV: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("cannot write CSV: {e}"))
}

/// The records as JSON (`ropa-record/1`).
pub fn json(records: &[Record], generated_on: &str) -> String {
    let document = serde_json::json!({
        "schema": "ropa-record/1",
        "ropa_version": env!("CARGO_PKG_VERSION"),
        "generated_on": generated_on,
        "records": records,
    });
    let text = serde_json::to_string_pretty(&document)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    crate::text::sanitize_json(&text)
}

fn html_rows(rows: &[(&str, String)]) -> String {
    let mut out = String::from("<table class=\"entries\">");
    for (heading, value) in rows {
        let _ = write!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            html::escape(heading),
            html::escape(value)
        );
    }
    out.push_str("</table>\n");
    out
}

fn html_summary(out: &mut String, activities: &[Activity]) {
    let _ = writeln!(out, "<h2>Processing activities ({})</h2>", activities.len());
    if activities.is_empty() {
        out.push_str("<p>No flow carries personal data.</p>\n");
        return;
    }
    out.push_str("<table><tr><th>#</th><th>Purpose</th><th>Personal data</th><th>Recipients</th><th>Status</th></tr>\n");
    for (i, a) in activities.iter().enumerate() {
        let mut status = html::badge(a.audit.status);
        if !a.missing.is_empty() {
            status.push(' ');
            status.push_str(&html::badge("incomplete"));
        }
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{status}</td></tr>",
            i + 1,
            html::escape(&a.purpose_name),
            a.categories.len(),
            a.recipients.len()
        );
    }
    out.push_str("</table>\n");
}

fn html_activity(out: &mut String, n: usize, a: &Activity, role: Role) {
    let key = a
        .purpose
        .as_ref()
        .map(|k| format!(" <code>{}</code>", html::escape(k)))
        .unwrap_or_default();
    let mut status = html::badge(a.audit.status);
    if !a.missing.is_empty() {
        status.push(' ');
        status.push_str(&html::badge("incomplete"));
    }
    let _ = writeln!(
        out,
        "<h3>{n}. {}{key} {status}</h3>",
        html::escape(&a.purpose_name)
    );
    out.push_str("<table class=\"entries\">");
    for (heading, entries, none) in elements(a, role) {
        let _ = write!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            html::escape(heading),
            html::list(&entries, none)
        );
    }
    let _ = write!(
        out,
        "<tr><th>Audit</th><td>{}</td></tr>",
        html::list(&audit_entries(a), "no rule covers this activity")
    );
    if !a.missing.is_empty() {
        let missing: Vec<String> = a.missing.iter().map(|m| m.message.clone()).collect();
        let _ = write!(
            out,
            "<tr><th class=\"incomplete\">Missing</th><td class=\"incomplete\">{}</td></tr>",
            html::list(&missing, "")
        );
    }
    out.push_str("</table>\n");
}

/// The records as one self-contained HTML page, with the data-flow diagram (`svg`,
/// already rendered) and the note about its grouping, if any.
pub fn html(
    records: &[Record],
    generated_on: &str,
    svg: &str,
    diagram_note: Option<&str>,
) -> String {
    let mut body = String::new();
    let page_title = records
        .first()
        .map(title)
        .unwrap_or_else(|| "Record of processing activities".to_owned());
    for record in records {
        let _ = writeln!(body, "<h1>{}</h1>", html::escape(&title(record)));
        let _ = writeln!(
            body,
            "<p class=\"meta\">{}, generated by ropa {} from the data inventory on {}.</p>",
            role_line(record.role),
            env!("CARGO_PKG_VERSION"),
            html::escape(generated_on)
        );
        body.push_str(&html_rows(&organization_rows(
            &record.organization,
            record.role,
        )));
        match record.role {
            Role::Controller => {
                html_summary(&mut body, &record.activities);
                for (i, a) in record.activities.iter().enumerate() {
                    html_activity(&mut body, i + 1, a, record.role);
                }
            }
            Role::Processor => {
                for c in &record.controllers {
                    let _ = writeln!(body, "<h2>On behalf of {}</h2>", html::escape(&c.name));
                    body.push_str(&html_rows(&controller_rows(c)));
                    html_summary(&mut body, &c.activities);
                    for (i, a) in c.activities.iter().enumerate() {
                        html_activity(&mut body, i + 1, a, record.role);
                    }
                }
            }
        }
    }
    body.push_str("<h2>Data map</h2>\n");
    if let Some(note) = diagram_note {
        let _ = writeln!(body, "<p class=\"note\">{}</p>", html::escape(note));
    }
    let _ = writeln!(body, "<div class=\"diagram\">{svg}</div>");
    html::page(&page_title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_become_formulas() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("plain"), "plain");
    }

    #[test]
    fn markdown_text_cannot_make_links_or_markup() {
        assert_eq!(
            md("[x](javascript:1) <b>|"),
            "\\[x\\](javascript:1) &lt;b&gt;\\|"
        );
    }
}
