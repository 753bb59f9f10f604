//! The command line as a user meets it: help, explain, exit statuses, --fail-on,
//! --quiet, colour.

mod common;

use common::{check_human, check_json, ropa};
use std::fs;

#[test]
fn top_level_help() {
    let output = ropa().arg("--help").output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn tui_help() {
    let output = ropa().args(["tui", "--help"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn check_help() {
    let output = ropa().args(["check", "--help"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn baseline_help() {
    let output = ropa().args(["baseline", "--help"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn diff_help() {
    let output = ropa().args(["diff", "--help"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn usage_errors_exit_2() {
    let output = ropa()
        .args(["check", "--format", "xml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("possible values: human, json"));
}

#[test]
fn explain_lists_every_code() {
    let output = ropa().arg("explain").output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for code in ropa::catalog::all_codes() {
        assert!(
            stdout.contains(&format!("  {code} ")),
            "{code} missing from the list"
        );
    }
}

#[test]
fn explain_a_code() {
    let output = ropa()
        .args(["explain", "retention"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("## retention"));
    assert!(stdout.contains("max: none"));
}

#[test]
fn explain_unknown_code_suggests() {
    let output = ropa().args(["explain", "retenton"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Did you mean `retention`?"));
}

/// A clean inventory plus a store nothing feeds: one warning, no error.
fn warning_only() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = fs::read_to_string("fixtures/pass/encryption.yaml").expect("fixture");
    text.push_str("stores:\n  - { id: unused, region: us }\n");
    fs::write(dir.path().join("inventory.yaml"), text).expect("write");
    dir
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = warning_only();
    let path = dir.path().to_str().expect("path");
    let (status, stdout, _) = check_human(&[path]);
    assert_eq!(status, 0, "{stdout}");
    assert!(stdout.contains("warning[unreachable-node]"));
    let (status, _, _) = check_human(&[path, "--fail-on", "warning"]);
    assert_eq!(status, 1);
    let (status, _, _) = check_human(&[path, "--fail-on", "info"]);
    assert_eq!(status, 1);
}

#[test]
fn quiet_prints_nothing_when_clean() {
    let output = ropa()
        .args(["check", "inventory", "--quiet"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
}

#[test]
fn quiet_still_prints_findings() {
    let output = ropa()
        .args([
            "check",
            "fixtures/broken/a13-card-retained.yaml",
            "-q",
            "--color",
            "never",
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("error[retention]"));
    assert!(!stdout.contains("1 finding"));
}

#[test]
fn color_always_colours_and_never_does_not() {
    let args = ["check", "fixtures/broken/a13-card-retained.yaml", "--color"];
    let coloured = ropa().args(args).arg("always").output().expect("runs");
    assert!(coloured.stdout.contains(&0x1b));
    let plain = ropa().args(args).arg("never").output().expect("runs");
    assert!(!plain.stdout.contains(&0x1b));
}

#[test]
fn no_color_is_honoured_and_pipes_are_plain() {
    let output = ropa()
        .args(["check", "fixtures/broken/a13-card-retained.yaml"])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(!output.stdout.contains(&0x1b));
}

#[cfg(unix)]
#[test]
fn closed_pipe_keeps_the_exit_status() {
    // `ropa check ... | true`: the reader exits at once, so writing the multi-megabyte
    // report hits a closed pipe; the findings still mean status 1.
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in ropa::synth::generate(1_000, 10) {
        fs::write(dir.path().join(name), text).expect("write");
    }
    let bin = assert_cmd::cargo::cargo_bin!("ropa");
    let script = format!(
        "set -o pipefail; '{}' check '{}' --format json | true",
        bin.display(),
        dir.path().display()
    );
    let status = std::process::Command::new("bash")
        .args(["-c", &script])
        .status()
        .expect("bash runs");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn taxonomy_lists_trees_and_finds_keys() {
    let output = ropa()
        .args([
            "taxonomy",
            "email",
            "--inventory",
            "fixtures/pass/selectors.yaml",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("category  user.contact.email"),
        "{stdout}"
    );
    let output = ropa()
        .args([
            "taxonomy",
            "--tree",
            "categories",
            "--inventory",
            "fixtures/pass/selectors.yaml",
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("Data categories ("), "{stdout}");
    assert!(stdout.contains("    user.contact.email"), "{stdout}");
    assert!(stdout.contains("user.criminal_history") && stdout.contains("[sensitive]"));
    assert!(!stdout.contains("Data uses"), "{stdout}");
    // The inventory's own extensions are listed and marked.
    let output = ropa()
        .args([
            "taxonomy",
            "api request",
            "--inventory",
            "fixtures/pass/retention.yaml",
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("system.operations.api_request") && stdout.contains("[inventory]"),
        "{stdout}"
    );
}

#[test]
fn a_misspelt_category_is_matched_by_its_last_segment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("inventory.yaml");
    std::fs::write(
        &path,
        "version: 1\nsubjects:\n  - { id: customer, subject: customer }\nsystems:\n  - { id: web }\nflows:\n  - { from: customer, to: web, data: [user.email, phone_number], purpose: essential.service }\n",
    )
    .expect("write");
    let (status, report) = check_json(&[path.to_str().expect("path")]);
    assert_eq!(status, 2);
    let helps: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["help"].as_str())
        .collect();
    assert!(
        helps[0].starts_with("did you mean `user.contact.email`?"),
        "{helps:?}"
    );
    assert!(
        helps[1].starts_with("did you mean `user.contact.phone_number`?"),
        "{helps:?}"
    );
}

#[test]
fn taxonomy_help() {
    let output = ropa().args(["taxonomy", "--help"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}
