//! The documents a compliance officer asks for, through the binary: `ropa report
//! record` (every format, both roles), `ropa report audit`, `ropa graph` (DOT, Mermaid,
//! SVG, filters, grouping), the `record-incomplete` finding, every bad input, and
//! hostile names escaped in every format.

mod common;

use common::{check_json, ropa, summary};
use serde_json::Value;

/// 2026-01-15, so that the date in the documents does not change the snapshots.
const EPOCH: &str = "1768435200";
const COMPLETE: &str = "fixtures/pass/record-complete.yaml";
const INCOMPLETE: &str = "fixtures/broken/record-incomplete.yaml";
const HOSTILE: &str = "fixtures/reports/hostile.yaml";

/// Runs ropa with ARGS; returns (status, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let output = ropa()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(args)
        .output()
        .expect("ropa runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every `href` points inside the page (the diagram's edge labels follow their paths).
fn only_local_links(html: &str) -> bool {
    html.match_indices("href=")
        .all(|(at, _)| html[at + 5..].starts_with("\"#arrow"))
}

fn stdout_of(args: &[&str]) -> String {
    let (status, stdout, stderr) = run(args);
    assert_eq!(status, 0, "{args:?}: {stderr}");
    stdout
}

#[test]
fn the_controller_record_has_every_element_of_article_30_1() {
    let md = stdout_of(&["report", "record", COMPLETE]);
    for element in [
        "Controller | Kindred Clinic Software Ltd (kindred-clinic)",
        "Data protection officer | Dana Ortiz (dpo@kindred.example)",
        "Representative (Art. 27) | EU Rep Ltd (rep@eurep.example)",
        "Joint controllers | Kindred Research Foundation (research@kindred.example)",
        "| Data subjects | Patient (patient) |",
        "| Special categories (Art. 9) | Health and Medical Data (user.health_and_medical) |",
        "| Recipients | Mailer Inc (subprocessor; United States (us), third country) |",
        "| Transfers to third countries | send-reminder to Mailer Inc, IE → US: dpf |",
        "Bookings database (user.name, user.contact.email, user.health_and_medical): 6y",
        "backups of Bookings database: 30d",
        "encrypted at rest: Bookings database",
        "| Lawful basis (Art. 6) | contract |",
        "| Art. 9 condition | health care |",
        "| Source of the data | the data subject: Patient |",
        "kept: health-data-in-the-eea (claim K1)",
    ] {
        assert!(md.contains(element), "missing {element:?} in:\n{md}");
    }
    assert!(!md.contains("Missing"), "{md}");
    insta::assert_snapshot!("record-complete-controller-md", md);
}

#[test]
fn the_processor_record_lists_each_controller_with_its_processing() {
    let md = stdout_of(&["report", "record", COMPLETE, "--role", "processor"]);
    assert!(md.contains("Processor record (GDPR Art. 30(2))"), "{md}");
    assert!(
        md.contains("## On behalf of Harbour Street Practice"),
        "{md}"
    );
    assert!(
        md.contains("## On behalf of Hillside Physiotherapy"),
        "{md}"
    );
    // Harbour Street has one purpose; Hillside two.
    let harbour = md
        .split("## On behalf of Hillside")
        .next()
        .unwrap_or_default();
    assert!(
        harbour.contains("Categories of processing (1)"),
        "{harbour}"
    );
    assert!(md.contains("Categories of processing (2)"), "{md}");
    // A processor's record has no lawful basis column: that is the controller's.
    assert!(!md.contains("Lawful basis"), "{md}");
    insta::assert_snapshot!("record-complete-processor-md", md);
}

#[test]
fn the_record_as_json_csv_and_html() {
    let json: Value = serde_json::from_str(&stdout_of(&[
        "report", "record", COMPLETE, "--format", "json",
    ]))
    .expect("JSON");
    assert_eq!(json["schema"], "ropa-record/1");
    assert_eq!(json["generated_on"], "2026-01-15");
    let activity = &json["records"][0]["activities"][0];
    assert_eq!(activity["purpose"], "essential.service");
    assert_eq!(activity["audit"]["status"], "kept");
    insta::assert_snapshot!(
        "record-complete-json",
        serde_json::to_string_pretty(&json).expect("json")
    );

    let csv = stdout_of(&["report", "record", COMPLETE, "--format", "csv"]);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.starts_with("organization,role,controller,purpose,")),
        "{csv}"
    );
    assert_eq!(lines.count(), 2, "one row per activity: {csv}");
    insta::assert_snapshot!("record-complete-csv", csv);

    let html = stdout_of(&["report", "record", COMPLETE, "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<svg role=\"img\""), "{html}");
    assert!(!html.contains("<script"), "{html}");
    for loads in ["src=", "<link", "url(http", "@import"] {
        assert!(
            !html.contains(loads),
            "{loads} in a self-contained page: {html}"
        );
    }
    assert!(only_local_links(&html), "{html}");
}

#[test]
fn the_seed_records_one_per_organization() {
    let md = stdout_of(&["report", "record"]);
    assert!(
        md.contains("# Record of processing activities: Actipro Software"),
        "{md}"
    );
    assert!(
        md.contains("# Record of processing activities: Alpha Serve"),
        "{md}"
    );
    let only = stdout_of(&["report", "record", "--organization", "actipro"]);
    assert!(!only.contains("Alpha Serve"), "{only}");
    insta::assert_snapshot!("seeds-record-actipro-md", only);
}

#[test]
fn a_missing_element_is_marked_in_the_record_and_a_finding_in_check() {
    let (status, report) = check_json(&[INCOMPLETE]);
    assert_eq!(status, 0, "warnings do not fail by default: {report}");
    let got: Vec<_> = summary(&report)
        .into_iter()
        .map(|(code, _, _, line, column)| (code, line, column))
        .collect();
    assert_eq!(
        got,
        [
            ("record-incomplete".to_owned(), 42, 11),
            ("record-incomplete".to_owned(), 44, 5),
            ("record-incomplete".to_owned(), 59, 5),
        ],
        "{report}"
    );
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(messages[0].contains("`mailer` receives personal data but has no region"));
    assert!(messages[1].contains("without an Art. 9 condition"));
    assert!(messages[2].contains("without a lawful basis"));
    let (status, _) = check_json(&[INCOMPLETE, "--fail-on", "warning"]);
    assert_eq!(status, 1);
    let (status, report) = check_json(&[COMPLETE]);
    assert_eq!(
        (status, report["status"].as_str()),
        (0, Some("clean")),
        "{report}"
    );

    let md = stdout_of(&["report", "record", INCOMPLETE]);
    assert!(md.contains("kept, incomplete"), "{md}");
    assert!(md.contains("| **Missing** |"), "{md}");
    assert!(
        md.contains("Mailer Inc (subprocessor; region not declared)"),
        "{md}"
    );
    let json: Value = serde_json::from_str(&stdout_of(&[
        "report", "record", INCOMPLETE, "--format", "json",
    ]))
    .expect("JSON");
    let missing: Vec<&str> = json["records"][0]["activities"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|a| a["missing"].as_array().into_iter().flatten())
        .filter_map(|m| m["element"].as_str())
        .collect();
    assert_eq!(
        missing,
        ["Art. 9 condition", "lawful basis", "recipient region"]
    );
}

#[test]
fn the_audit_report_gives_evidence_for_kept_and_findings_for_broken_promises() {
    let md = stdout_of(&["report", "audit", "fixtures/broken/a13-card-retained.yaml"]);
    assert!(md.contains("**broken**"), "{md}");
    assert!(md.contains("## Broken promises"), "{md}");
    // The finding's line, quoted.
    assert!(md.contains("```text"), "{md}");
    insta::assert_snapshot!("audit-a13-md", md);

    let seeds = stdout_of(&["report", "audit"]);
    assert!(seeds.contains("36 promises (36 kept, 0 broken)"), "{seeds}");
    assert!(
        seeds.contains("| kept | `actipro-ssl-everywhere` | A15 |"),
        "{seeds}"
    );
    assert!(seeds.contains("checked 15 flows"), "{seeds}");
    assert!(seeds.contains("## Code scan"), "{seeds}");
    assert!(seeds.contains("## Accepted findings (1)"), "{seeds}");

    let html = stdout_of(&["report", "audit", "--format", "html"]);
    assert_eq!(html.matches("<tr class=\"promise\">").count(), 36);
}

#[test]
fn the_graph_in_dot_and_mermaid_highlights_what_breaks_a_promise() {
    let broken = "fixtures/broken/b1-transfer-no-mechanism.yaml";
    let dot = stdout_of(&["graph", broken]);
    assert!(dot.starts_with("// The data-flow graph"), "{dot}");
    assert!(dot.contains("subgraph cluster_0"), "{dot}");
    assert!(
        dot.contains("color=\"#d93025\""),
        "a violating flow is red: {dot}"
    );
    insta::assert_snapshot!("graph-b1-dot", dot);
    let mermaid = stdout_of(&["graph", broken, "--format", "mermaid"]);
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(mermaid.contains("linkStyle "), "{mermaid}");
    insta::assert_snapshot!("graph-b1-mermaid", mermaid);
    let svg = stdout_of(&["graph", broken, "--format", "svg"]);
    assert!(svg.starts_with("<svg "), "{svg}");
    assert!(svg.contains("#d93025"), "{svg}");
}

#[test]
fn the_graph_filters_by_category_and_neighbourhood_and_groups_when_large() {
    let all = stdout_of(&["graph"]);
    let email = stdout_of(&["graph", "--category", "user.contact.email"]);
    let edges = |dot: &str| dot.lines().filter(|l| l.contains(" -> ")).count();
    assert!(edges(&email) < edges(&all));
    assert!(
        email
            .lines()
            .filter(|l| l.contains(" -> "))
            .all(|l| l.contains("user.contact")),
        "{email}"
    );
    let around = stdout_of(&["graph", "--around", "actipro-email-sender", "--depth", "1"]);
    assert!(around.contains("E-mail delivery service"), "{around}");
    assert!(!around.contains("Sentry"), "{around}");
    let two = stdout_of(&["graph", "--around", "actipro-email-sender", "--depth", "2"]);
    assert!(edges(&two) > edges(&around), "{two}");

    let (status, grouped, stderr) = run(&["graph", "--max-nodes", "5"]);
    assert_eq!(status, 0);
    assert!(stderr.contains("grouped by region"), "{stderr}");
    assert!(
        grouped.contains("// ") && grouped.contains("grouped by region"),
        "{grouped}"
    );
    assert!(grouped.contains("shape=box3d"), "{grouped}");
    assert!(
        grouped
            .lines()
            .filter(|l| l.contains("shape=box3d"))
            .count()
            <= 5
    );
}

#[test]
fn bad_input_gets_a_message_and_exit_status_2() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["graph", "--category", "user.contact.emial"],
            "did you mean `user.contact.email`?",
        ),
        (
            &["graph", "--around", "actipro-email-sendr"],
            "did you mean `actipro-email-sender`?",
        ),
        (
            &["report", "record", "--organization", "nobody"],
            "no organization `nobody` in the inventory; it declares: actipro, alpha-serve",
        ),
        (
            &["report", "record", "--role", "processor"],
            "add `controllers:` under `organization`",
        ),
        (
            &["report", "audit", "fixtures/bad/unknown-reference.yaml"],
            "so no audit report was written",
        ),
        (
            &["report", "record", "--output", "/nonexistent-dir/record.md"],
            "cannot write the record of processing activities to /nonexistent-dir/record.md",
        ),
        (&["graph", "--depth", "2"], "--around"),
    ];
    for (args, expected) in cases {
        let (status, stdout, stderr) = run(args);
        assert_eq!(status, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
    }
}

#[test]
fn output_goes_to_a_file_and_says_where() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.html");
    let path_text = path.to_string_lossy().into_owned();
    let (status, stdout, stderr) = run(&[
        "report", "record", COMPLETE, "--format", "html", "-o", &path_text,
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("wrote the record of processing activities to"),
        "{stderr}"
    );
    let html = std::fs::read_to_string(&path).expect("written");
    assert!(html.contains("Kindred Clinic Software Ltd"));
}

#[test]
fn hostile_names_are_text_in_every_format() {
    let script = "<script";
    for format in ["markdown", "html"] {
        let record = stdout_of(&["report", "record", HOSTILE, "--format", format]);
        let audit = stdout_of(&["report", "audit", HOSTILE, "--format", format]);
        for (what, text) in [("record", &record), ("audit", &audit)] {
            let outside_code: String = if format == "markdown" {
                // A fenced excerpt is shown as code, never as HTML.
                text.split("```").step_by(2).collect()
            } else {
                text.clone()
            };
            assert!(!outside_code.contains(script), "{what} {format}:\n{text}");
            assert!(!outside_code.contains("<img"), "{what} {format}:\n{text}");
            assert!(!outside_code.contains('\u{1b}'), "{what} {format}");
            assert!(!outside_code.contains('\u{202e}'), "{what} {format}");
            // No link: `\]` is an escaped bracket in Markdown; HTML has no `href`.
            assert!(
                !outside_code.replace("\\]", "").contains("](javascript") || format == "html",
                "{what} {format}:\n{text}"
            );
            assert!(only_local_links(&outside_code), "{what} {format}:\n{text}");
        }
    }
    let csv = stdout_of(&["report", "record", HOSTILE, "--format", "csv"]);
    assert!(!csv.contains('\u{1b}'));
    for line in csv.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "a formula cell: {line}");
        }
    }
    let json = stdout_of(&["report", "record", HOSTILE, "--format", "json"]);
    assert!(!json.contains("\\u001b"), "{json}");
    let parsed: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(
        parsed["records"][0]["organization"]["name"],
        "<script>document.title='pwned-org'</script> & Co"
    );

    let dot = stdout_of(&["graph", HOSTILE]);
    // Every label is one DOT string: no quote inside one is left unescaped.
    for line in dot.lines().filter(|l| l.contains("label=")) {
        let unescaped = line
            .replace("\\\\", "")
            .replace("\\\"", "")
            .matches('"')
            .count();
        assert_eq!(unescaped % 2, 0, "{line}");
        assert!(
            !line.contains('\u{1b}') && !line.contains('\u{202e}'),
            "{line}"
        );
    }
    let mermaid = stdout_of(&["graph", HOSTILE, "--format", "mermaid"]);
    for line in mermaid.lines().filter(|l| l.contains('"')) {
        // Only the quotes ropa writes: two per label.
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
        assert!(!line.contains("%%{"), "{line}");
        assert!(!line.contains('<') || line.contains("<br/>"), "{line}");
    }
    let svg = stdout_of(&["graph", HOSTILE, "--format", "svg"]);
    assert!(!svg.contains(script), "{svg}");
    assert_eq!(svg.matches("</svg>").count(), 1, "{svg}");
}

#[test]
fn help_teaches_each_document_command() {
    for (name, args) in [
        ("report-record-help", &["report", "record", "--help"][..]),
        ("report-audit-help", &["report", "audit", "--help"][..]),
        ("graph-help", &["graph", "--help"][..]),
    ] {
        let help = stdout_of(args);
        assert!(help.contains("Examples:"), "{help}");
        insta::assert_snapshot!(name, help);
    }
}
