//! Issue 9, "no silent passes": every selector that selects nothing, every flow whose
//! regions are unknown, every backup and every key the inventory accepts is checked,
//! so a typo or an omission can never turn a broken promise into a clean exit.

mod common;

use common::{check_json, summary};
use std::fs;

type Expected<'a> = (&'a str, Option<&'a str>, u64, u64);

/// Checks `path`: exactly these findings (code, rule, line, column) and this exit status.
fn assert_report(path: &str, status: i32, expected: &[Expected]) -> serde_json::Value {
    let (got_status, report) = check_json(&[path]);
    let got: Vec<_> = summary(&report)
        .into_iter()
        .map(|(code, rule, _, line, column)| (code, rule, line, column))
        .collect();
    let want: Vec<_> = expected
        .iter()
        .map(|(code, rule, line, column)| {
            (code.to_string(), rule.map(str::to_owned), *line, *column)
        })
        .collect();
    assert_eq!(got, want, "findings of {path}: {report}");
    assert_eq!(got_status, status, "exit status of {path}");
    report
}

/// The field `key` (message, help, ...) of every finding.
fn texts(report: &serde_json::Value, key: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_struct_mapping_or_field_override_that_matches_nothing_is_an_error() {
    let report = assert_report(
        "fixtures/code/mapping-typo/inventory.yaml",
        2,
        &[
            ("unmatched-pattern", None, 32, 14),
            ("unmatched-pattern", None, 35, 14),
        ],
    );
    let messages = texts(&report, "message");
    assert!(
        messages[0].contains("`billing::Checkoutform` in `code.structs` matches no struct"),
        "{messages:?}"
    );
    let helps = texts(&report, "help");
    assert!(
        helps[0].starts_with("did you mean `billing::CheckoutForm`?"),
        "{helps:?}"
    );
    assert!(
        helps[1].starts_with("did you mean `billing::CheckoutForm.card_number`?"),
        "{helps:?}"
    );
}

#[test]
fn without_the_typo_the_stored_card_number_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = std::path::Path::new("fixtures/code/mapping-typo");
    fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    for file in ["src/lib.rs", "src/billing.rs"] {
        fs::copy(fixture.join(file), dir.path().join(file)).expect("copy");
    }
    let inventory = fs::read_to_string(fixture.join("inventory.yaml"))
        .expect("read")
        .replace("Checkoutform", "CheckoutForm")
        .replace("card_numbr", "amount_cents");
    let path = dir.path().join("inventory.yaml");
    fs::write(&path, inventory).expect("write");
    let (status, report) = check_json(&[path.to_str().expect("path")]);
    assert_eq!(status, 1, "{report}");
    let codes: Vec<_> = summary(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["retention"], "{report}");
}

#[test]
fn an_exclude_glob_that_matches_nothing_is_a_warning() {
    let report = assert_report(
        "fixtures/code/exclude-unused/inventory.yaml",
        0,
        &[("unused-exclude", None, 6, 13)],
    );
    let messages = texts(&report, "message");
    assert!(messages[0].contains("`src/generated/**`"), "{messages:?}");
    let (status, _) = check_json(&[
        "fixtures/code/exclude-unused/inventory.yaml",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(status, 1);
}

#[test]
fn rule_selectors_that_select_nothing_are_errors() {
    let report = assert_report(
        "fixtures/bad/unmatched-selector.yaml",
        2,
        &[
            ("unmatched-selector", None, 15, 35),
            ("unmatched-selector", None, 17, 46),
            ("unmatched-selector", None, 21, 36),
            ("unmatched-selector", None, 21, 46),
            ("unmatched-selector", None, 23, 49),
        ],
    );
    let messages = texts(&report, "message");
    assert!(
        messages[0].contains("`to: [third_parties]`")
            && messages[0].contains("organization `shop` declares no third party"),
        "{messages:?}"
    );
}

const SCOPES: &str = "version: 1
organization: { id: ORG }
regions:
  - { id: us, country: US }
subjects:
  - { id: SUBJECT, subject: customer }
systems:
  - { id: SYSTEM, region: us }
flows:
  - { from: SUBJECT, to: SYSTEM, data: [user.name], purpose: essential.service, lawful_basis: contract, encrypted_in_transit: true }
";

#[test]
fn a_rule_selecting_another_organizations_node_selects_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (org, subject, system) in [("a", "a-person", "a-app"), ("b", "b-person", "b-app")] {
        let mut text = SCOPES
            .replace("ORG", org)
            .replace("SUBJECT", subject)
            .replace("SYSTEM", system);
        if org == "a" {
            text = text.replace("  - { id: us, country: US }\n", "");
            text.push_str(
                "rules:\n  - id: no-names-in-b\n    prohibited: { data: [user.name], nodes: [b-app, a-app] }\n",
            );
        }
        fs::write(dir.path().join(format!("{org}.yaml")), text).expect("write");
    }
    let (status, report) = check_json(&[dir.path().to_str().expect("path")]);
    assert_eq!(status, 2, "{report}");
    let got: Vec<_> = summary(&report)
        .into_iter()
        .map(|f| (f.0, f.3, f.4))
        .collect();
    assert_eq!(got, [("unmatched-selector".to_owned(), 12, 46)], "{report}");
    let messages = texts(&report, "message");
    assert!(messages[0].contains("organization `b`"), "{messages:?}");
}

#[test]
fn a_transfer_to_a_node_with_no_region_is_unverifiable() {
    let report = assert_report(
        "fixtures/broken/transfer-region-unknown.yaml",
        1,
        &[
            // The record of processing cannot say where the recipient is either.
            ("record-incomplete", None, 12, 9),
            ("transfer", Some("transfers-need-a-mechanism"), 25, 9),
        ],
    );
    let messages = texts(&report, "message");
    assert!(messages[1].contains("cannot be verified"), "{messages:?}");
    assert!(messages[1].contains("`helpdesk-vendor`"), "{messages:?}");
}

#[test]
fn a_backup_is_held_to_the_retention_rules_of_its_store() {
    let report = assert_report(
        "fixtures/broken/backup-kept-longer.yaml",
        1,
        &[
            ("retention", Some("carts-deleted-in-14-days"), 16, 55),
            ("retention", Some("retention-declared"), 23, 55),
        ],
    );
    let messages = texts(&report, "message");
    assert!(
        messages[0].contains("the backup of store `carts-db`"),
        "{messages:?}"
    );
    assert!(
        !messages.iter().any(|m| m.contains("#backup")),
        "{messages:?}"
    );
}

#[test]
fn a_backup_abroad_needs_a_transfer_mechanism() {
    let report = assert_report(
        "fixtures/broken/backup-abroad.yaml",
        1,
        &[("transfer", Some("transfers-need-a-mechanism"), 17, 24)],
    );
    let helps = texts(&report, "help");
    assert!(
        helps[0].contains("`backups` of store `tickets-db`"),
        "{helps:?}"
    );
    assert!(!helps[0].contains("#backup"), "{helps:?}");
}

#[test]
fn processors_need_a_dpa_and_recipients_a_declared_purpose() {
    let report = assert_report(
        "fixtures/broken/recipients-not-covered.yaml",
        1,
        &[
            ("missing-dpa", None, 24, 10),
            ("undeclared-recipient", None, 47, 9),
            ("holding-purpose", None, 56, 14),
        ],
    );
    let messages = texts(&report, "message");
    assert!(messages[0].contains("`mailer`"), "{messages:?}");
    assert!(
        messages[1].contains("`marketing.advertising`"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("`essential.fraud_detection`"),
        "{messages:?}"
    );
}

#[test]
fn the_repaired_fixtures_pass() {
    for path in [
        "fixtures/pass/backups.yaml",
        "fixtures/pass/recipients.yaml",
    ] {
        assert_report(path, 0, &[]);
    }
}

/// Checks a small inventory written on the fly; returns the exit status and report.
fn check_text(text: &str) -> (i32, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("inventory.yaml");
    fs::write(&path, text).expect("write");
    check_json(&[path.to_str().expect("path")])
}

#[test]
fn backup_keys_are_checked_not_ignored() {
    let base = "version: 1\nregions:\n  - { id: us, country: US }\nstores:\n  - id: db\n    region: us\n    holds: [ { data: [system.operations], retention: 60d } ]\n    backups: { BACKUP }\n";
    for (backup, code) in [
        ("every: indefinite", "invalid-value"),
        ("every: 1d, transfer_mechanism: sscs", "invalid-value"),
        (
            "every: 1d, transfer_mechanism: [sccs, dfp]",
            "invalid-value",
        ),
        (
            "every: 1d, transfer_mechanism: { tool: sccs }",
            "wrong-type",
        ),
    ] {
        let (status, report) = check_text(&base.replace("BACKUP", backup));
        assert_eq!(status, 2, "{backup}: {report}");
        let codes: Vec<_> = summary(&report).into_iter().map(|f| f.0).collect();
        assert_eq!(codes, [code], "{backup}: {report}");
    }
    let (status, report) = check_text(&base.replace("BACKUP", "every: 1d, retention: 30d"));
    assert_eq!(status, 0, "{report}");
}

#[test]
fn a_subprocessor_that_hosts_a_store_stores_data() {
    let text = "version: 1\nsubprocessors:\n  - { id: cloud, purposes: [essential.service], dpa: true, stores_data: false }\nstores:\n  - { id: db, hosted_by: cloud }\n";
    let (status, report) = check_text(text);
    assert_eq!(status, 2, "{report}");
    let got: Vec<_> = summary(&report)
        .into_iter()
        .map(|f| (f.0, f.3, f.4))
        .collect();
    assert_eq!(got, [("invalid-value".to_owned(), 3, 73)], "{report}");
    let (status, report) = check_text(&text.replace("stores_data: false", "stores_data: true"));
    assert_ne!(status, 2, "{report}");
}

#[test]
fn what_stays_quiet() {
    // A data subject has no region: collection from a person is not a transfer; a
    // flow into an allowed region needs no mechanism whatever its source; a processor
    // that does not say `dpa` and a third party with no `purposes` are not flagged.
    let text = "version: 1
regions:
  - { id: us, country: US }
subjects:
  - { id: person, subject: customer }
systems:
  - { id: app, region: us }
third_parties:
  - { id: partner-instance, risk: the customer's own instance }
subprocessors:
  - { id: vendor, region: us, purposes: [essential.service] }
flows:
  - { id: collect, from: person, to: app, data: [user.name], purpose: essential.service, lawful_basis: contract }
  - { id: fetch, from: partner-instance, to: app, data: [user.name], purpose: essential.service, lawful_basis: contract }
  - { id: share, from: app, to: vendor, data: [user.name], purpose: essential.service, lawful_basis: contract }
  - { id: show, from: app, to: partner-instance, data: [user.name], purpose: essential.service, lawful_basis: contract }
rules:
  - id: transfers
    transfer: { data: [user], allowed_regions: [us] }
";
    let (status, report) = check_text(text);
    let got: Vec<_> = summary(&report).into_iter().map(|f| (f.0, f.3)).collect();
    // Only `show` is unverifiable: its recipient has no region, which the record of
    // processing lacks too.
    assert_eq!(
        got,
        [
            ("record-incomplete".to_owned(), 9),
            ("transfer".to_owned(), 16)
        ],
        "{report}"
    );
    assert_eq!(status, 1);
}

#[test]
fn an_unmatched_pattern_mentions_files_that_could_not_be_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    fs::write(dir.path().join("src/lib.rs"), "pub struct User {\n").expect("write");
    let path = dir.path().join("inventory.yaml");
    fs::write(
        &path,
        "version: 1\nstores:\n  - { id: db }\ncode:\n  roots: [.]\n  structs:\n    - { match: \"*::User\", to: db }\n",
    )
    .expect("write");
    let (status, report) = check_json(&[path.to_str().expect("path")]);
    assert_eq!(status, 2, "{report}");
    let helps = texts(&report, "help");
    assert!(
        helps[0].contains("could not be scanned") && helps[0].contains("lib.rs"),
        "{helps:?}"
    );
}

#[test]
fn human_output_of_a_mapping_typo() {
    let (status, _, stderr) = common::check_human(&["fixtures/code/mapping-typo/inventory.yaml"]);
    assert_eq!(status, 2);
    insta::assert_snapshot!(stderr);
}

#[test]
fn human_output_of_a_backup_abroad() {
    let (status, stdout, _) = common::check_human(&["fixtures/broken/backup-abroad.yaml"]);
    assert_eq!(status, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn json_output_of_recipients_not_covered() {
    let (_, report) = check_json(&["fixtures/broken/recipients-not-covered.yaml"]);
    insta::assert_snapshot!(serde_json::to_string_pretty(&report).expect("json"));
}

#[test]
fn dpf_certification_is_a_flag_not_a_word() {
    let text = "version: 1\nregions:\n  - { id: us, country: US }\nsubprocessors:\n  - { id: mailer, region: us, dpf_certified: yes-since-2023 }\n";
    let (status, report) = check_text(text);
    assert_eq!(status, 2, "{report}");
    let codes: Vec<_> = summary(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["wrong-type"], "{report}");
}

#[test]
fn a_node_status_is_one_of_three_words() {
    let text = "version: 1\nregions:\n  - { id: us, country: US }\nsubprocessors:\n  - { id: mailer, region: us, status: paused }\n";
    let (status, report) = check_text(text);
    assert_eq!(status, 2, "{report}");
    let codes: Vec<_> = summary(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["invalid-value"], "{report}");
    let text = "version: 1\nsubprocessors:\n  - { id: a }\nrules:\n  - { id: r, alternatives: { nodes: [a] } }\n";
    let (status, report) = check_text(text);
    assert_eq!(status, 2, "{report}");
    let codes: Vec<_> = summary(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["invalid-value"], "{report}");
}
