//! The CI output formats of `ropa check` run on fixtures: SARIF validated against the
//! official SARIF 2.1.0 schema (vendored in `fixtures/sarif/`), GitHub annotations,
//! the GitLab Code Quality report, JUnit XML and Markdown as snapshots, and the
//! fingerprints they share staying put when lines move.

mod common;

use common::ropa;
use serde_json::Value;
use std::fs;

/// Runs `ropa check ARGS --format FORMAT`; returns the exit status and stdout.
fn check_format(args: &[&str], format: &str) -> (i32, String) {
    let output = ropa()
        .arg("check")
        .args(args)
        .args(["--format", format])
        .output()
        .expect("ropa runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn sarif_validator() -> jsonschema::Validator {
    let text = fs::read_to_string("fixtures/sarif/sarif-schema-2.1.0.json").expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn assert_valid_sarif(args: &[&str]) -> Value {
    let (_, stdout) = check_format(args, "sarif");
    let log: Value = serde_json::from_str(&stdout).expect("SARIF is JSON");
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    log
}

#[test]
fn sarif_is_valid_and_carries_rules_locations_and_fingerprints() {
    let log = assert_valid_sarif(&["fixtures/broken/b1-transfer-no-mechanism.yaml"]);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| {
        r["id"] == "transfer"
            && r["help"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("transfer_mechanism"))
    }));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "transfer");
    assert_eq!(
        rules[result["ruleIndex"].as_u64().expect("index") as usize]["id"],
        "transfer"
    );
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "fixtures/broken/b1-transfer-no-mechanism.yaml"
    );
    assert!(
        location["region"]["startLine"]
            .as_u64()
            .is_some_and(|l| l > 1)
    );
    assert!(
        !result["relatedLocations"]
            .as_array()
            .expect("related")
            .is_empty()
    );
    assert!(result["partialFingerprints"]["ropaFingerprint/v1"].is_string());
}

#[test]
fn sarif_is_valid_for_code_findings_and_input_errors() {
    let log = assert_valid_sarif(&["fixtures/code/sentry-undeclared/inventory.yaml"]);
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert!(
        uri.as_str().is_some_and(|u| u.ends_with("Cargo.toml")),
        "{uri}"
    );
    assert_valid_sarif(&["fixtures/code/phone-undeclared/inventory.yaml"]);
    assert_valid_sarif(&["fixtures/bad/unknown-key.yaml"]);
    assert_valid_sarif(&["fixtures/pass/transfer.yaml"]);
}

#[test]
fn github_gitlab_junit_and_markdown_outputs() {
    let file = "fixtures/broken/b1-transfer-no-mechanism.yaml";
    for format in ["github", "gitlab", "junit", "markdown"] {
        let (status, stdout) = check_format(&[file], format);
        assert_eq!(status, 1, "{format}");
        insta::assert_snapshot!(format!("b1_{format}"), stdout);
    }
    let (_, gitlab) = check_format(&[file], "gitlab");
    let issues: Value = serde_json::from_str(&gitlab).expect("gitlab is JSON");
    assert_eq!(issues[0]["check_name"], "transfer");
    let (_, github) = check_format(&["fixtures/bad/unknown-key.yaml"], "github");
    assert!(
        github.starts_with("::error file=fixtures/bad/unknown-key.yaml,line="),
        "{github}"
    );
}

/// The fingerprints of `ropa check` on one inventory file.
fn fingerprints(path: &str) -> Vec<String> {
    let (_, stdout) = check_format(&[path], "json");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn fingerprints_survive_edits_that_move_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = fs::read_to_string("fixtures/broken/selectors-hosted-by.yaml").expect("read");
    let path = dir.path().join("inventory.yaml");
    fs::write(&path, &original).expect("write");
    let before = fingerprints(path.to_str().expect("path"));
    assert_eq!(before.len(), 2);
    assert_ne!(before[0], before[1]);
    // Comments and blank lines above, and the flows moved before the stores.
    let moved = format!("# a new comment\n\n{original}").replace(
        "  - { from: eu-customer,",
        "  # first flow\n  - { from: eu-customer,",
    );
    fs::write(&path, moved).expect("write");
    let mut after = fingerprints(path.to_str().expect("path"));
    after.sort();
    let mut sorted = before.clone();
    sorted.sort();
    assert_eq!(after, sorted);
    // Fixing the flow removes its finding and leaves the other one's fingerprint.
    let fixed = original.replace(
        "data: [system.operations, user.contact.email], purpose",
        "data: [system.operations], purpose",
    );
    fs::write(&path, fixed).expect("write");
    let remaining = fingerprints(path.to_str().expect("path"));
    assert_eq!(remaining.len(), 1);
    assert!(before.contains(&remaining[0]));
}

#[test]
fn scan_sarif_is_valid_and_github_annotations_point_at_the_code() {
    let output = ropa()
        .args(["scan", "fixtures/code/token-logged", "--format", "sarif"])
        .output()
        .expect("runs");
    let log: Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let rules: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    assert_eq!(
        rules,
        [
            "personal-field",
            "personal-field",
            "personal-data-logged",
            "personal-data-logged"
        ]
    );
    let output = ropa()
        .args(["scan", "fixtures/code/token-logged", "--format", "github"])
        .output()
        .expect("runs");
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}
