//! `ropa fix` through the binary: the edits it writes (exact text, with comments,
//! quoting, CRLF line endings and a byte-order mark kept), `--dry-run` and `--only`,
//! and what it refuses: a read-only file, anchors around the edit point.

mod common;

use common::{check_json, ropa};
use std::fs;
use std::path::Path;

fn run_fix(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = ropa()
        .current_dir(dir)
        .arg("fix")
        .args(args)
        .output()
        .expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const BLOCK: &str = "version: 1
# The shop's inventory.
subjects:
  - { id: customer, subject: customer }
systems:
  - { id: web }
stores:
  - id: accounts-db   # the main database
    holds:
      - data: [user.contact.email]
        retention: until-account-deleted
  - id: cache
flows:
  - { id: save, from: web, to: accounts-db, data: [user.contact.email, user.contact.phone_number], purpose: essential.service, lawful_basis: contract }
  - { id: sign-up, from: customer, to: web, data: [user.contact.email, user.contact.phone_number], purpose: essential.service, lawful_basis: contract }
  - { id: warm, from: web, to: cache, data: [user.name], purpose: essential.service, lawful_basis: contract }
rules:
  - id: retention-declared
    retention: { data: [user] }
";

#[test]
fn declared_holdings_are_spliced_in_keeping_everything_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("inventory.yaml"), BLOCK).expect("write");
    let (status, _, stderr) = run_fix(dir.path(), &["inventory.yaml"]);
    assert_eq!(status, Some(0), "{stderr}");
    let fixed = fs::read_to_string(dir.path().join("inventory.yaml")).expect("read");
    assert_eq!(
        fixed,
        BLOCK
            .replace(
                "        retention: until-account-deleted\n",
                "        retention: until-account-deleted\n      - data: [user.contact.phone_number]\n        retention: TODO\n",
            )
            .replace(
                "  - id: cache\n",
                "  - id: cache\n    holds:\n      - data: [user.name]\n        retention: TODO\n",
            )
    );
    // It loads, and what is left is the TODOs to fill in.
    let (_, report) = check_json(&[dir.path().join("inventory.yaml").to_str().expect("path")]);
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["placeholder", "placeholder"], "{report}");
}

#[test]
fn crlf_endings_a_bom_and_flow_style_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "version: 1\r\nsystems:\r\n  - { id: web }\r\nstores:\r\n  - { id: cache, region: eu }\r\nregions:\r\n  - { id: eu }\r\nflows:\r\n  - { from: web, to: cache, data: [user.name], purpose: essential.service }\r\n";
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    fs::write(dir.path().join("inventory.yaml"), &bytes).expect("write");
    let (status, _, stderr) = run_fix(dir.path(), &["inventory.yaml"]);
    assert_eq!(status, Some(0), "{stderr}");
    let fixed = fs::read(dir.path().join("inventory.yaml")).expect("read");
    let mut expected = b"\xEF\xBB\xBF".to_vec();
    expected.extend_from_slice(
        text.replace(
            "{ id: cache, region: eu }",
            "{ id: cache, region: eu, holds: [{ data: [user.name], retention: TODO }] }",
        )
        .as_bytes(),
    );
    assert_eq!(
        String::from_utf8_lossy(&fixed),
        String::from_utf8_lossy(&expected)
    );
}

#[test]
fn a_missing_retention_gets_a_todo_and_an_sdk_a_subprocessor() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("inventory.yaml"),
        BLOCK.replace("        retention: until-account-deleted\n", ""),
    )
    .expect("write");
    let (status, _, stderr) = run_fix(dir.path(), &["inventory.yaml", "--only", "retention"]);
    assert_eq!(status, Some(0), "{stderr}");
    let fixed = fs::read_to_string(dir.path().join("inventory.yaml")).expect("read");
    assert!(
        fixed.contains(
            "      - data: [user.contact.email]\n        retention: TODO\n  - id: cache\n"
        ),
        "{fixed}"
    );
    assert!(
        !fixed.contains("phone_number]\n        retention: TODO"),
        "--only: {fixed}"
    );
    // An SDK in Cargo.toml: the vendor becomes a sub-processor, with a US region added.
    let code = tempfile::tempdir().expect("tempdir");
    for entry in fs::read_dir("fixtures/code/sentry-undeclared")
        .expect("fixture")
        .flatten()
    {
        if entry.path().is_file() {
            fs::copy(entry.path(), code.path().join(entry.file_name())).expect("copy");
        }
    }
    fs::create_dir_all(code.path().join("src")).expect("mkdir");
    for entry in fs::read_dir("fixtures/code/sentry-undeclared/src")
        .expect("fixture")
        .flatten()
    {
        fs::copy(
            entry.path(),
            code.path().join("src").join(entry.file_name()),
        )
        .expect("copy");
    }
    let (status, _, stderr) = run_fix(code.path(), &["inventory.yaml"]);
    assert_eq!(status, Some(0), "{stderr}");
    let fixed = fs::read_to_string(code.path().join("inventory.yaml")).expect("read");
    assert!(
        fixed.ends_with("subprocessors:\n  - id: sentry\n    legal_name: \"Functional Software, Inc. (Sentry)\"\n    region: us-oregon\n    purposes: [essential.service.operations]   # TODO: what it is used for\n    dpa: true   # TODO: is a data processing agreement signed?\n"),
        "{fixed}"
    );
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("inventory.yaml"), BLOCK).expect("write");
    let (status, stdout, _) = run_fix(dir.path(), &["inventory.yaml", "--dry-run"]);
    assert_eq!(status, Some(0));
    assert!(
        stdout.starts_with("--- inventory.yaml\n+++ inventory.yaml\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+      - data: [user.contact.phone_number]\n"),
        "{stdout}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("inventory.yaml")).expect("read"),
        BLOCK
    );
}

#[test]
fn read_only_files_and_anchors_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("inventory.yaml");
    fs::write(&path, BLOCK).expect("write");
    let mut permissions = fs::metadata(&path).expect("metadata").permissions();
    permissions.set_readonly(true);
    fs::set_permissions(&path, permissions).expect("chmod");
    let (status, _, stderr) = run_fix(dir.path(), &["inventory.yaml"]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("read-only"), "{stderr}");
    assert_eq!(fs::read_to_string(&path).expect("read"), BLOCK);
    let anchored = tempfile::tempdir().expect("tempdir");
    let text = BLOCK.replace("  - id: cache\n", "  - &cache\n    id: cache\n");
    fs::write(anchored.path().join("inventory.yaml"), &text).expect("write");
    let (status, _, stderr) = run_fix(
        anchored.path(),
        &["inventory.yaml", "--only", "undeclared-holding"],
    );
    assert_eq!(status, Some(0), "{stderr}");
    assert!(
        stderr.contains("skipped: ") && stderr.contains("anchors"),
        "{stderr}"
    );
    let fixed = fs::read_to_string(anchored.path().join("inventory.yaml")).expect("read");
    assert!(
        fixed.contains("  - &cache\n    id: cache\n  - {")
            || fixed.contains("  - &cache\n    id: cache\nflows:"),
        "{fixed}"
    );
}

#[test]
fn structs_are_mapped_to_the_one_system_and_a_flow_gets_the_missing_category() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = |from: &str, to: &Path| {
        fs::create_dir_all(to).expect("mkdir");
        for entry in fs::read_dir(from).expect("fixture").flatten() {
            if entry.path().is_file() && entry.file_name() != "inventory.yaml" {
                fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
            }
        }
    };
    copy("fixtures/code/alpha-serve-app", dir.path());
    copy("fixtures/code/alpha-serve-app/src", &dir.path().join("src"));
    let inventory = "version: 1
subjects:
  - { id: users, subject: customer }
systems:
  - { id: app }
flows:
  - { from: users, to: app, data: [user.authorization.credentials], purpose: essential.service, lawful_basis: contract }
code:
  roots: [.]
  sdks: { sentry: app, aws-sdk-s3: app }
";
    fs::write(dir.path().join("inventory.yaml"), inventory).expect("write");
    // First the structs are mapped; then the fields they hold reach the system.
    for _ in 0..2 {
        let (status, _, stderr) = run_fix(dir.path(), &["inventory.yaml"]);
        assert_eq!(status, Some(0), "{stderr}");
    }
    let fixed = fs::read_to_string(dir.path().join("inventory.yaml")).expect("read");
    assert_eq!(
        fixed,
        inventory
            .replace(
                "data: [user.authorization.credentials], purpose",
                "data: [user.authorization.credentials, user.unique_id], purpose"
            )
            .replace(
                "  sdks: { sentry: app, aws-sdk-s3: app }\n",
                "  sdks: { sentry: app, aws-sdk-s3: app }\n  structs:\n    - match: \"*::LicenseRecord\"\n      to: app\n    - match: \"*::CurrentUser\"\n      to: app\n    - match: \"*::ApiRequestLog\"\n      to: app\n"
            )
    );
    let (_, report) = check_json(&[dir.path().join("inventory.yaml").to_str().expect("path")]);
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["personal-data-in-logs"], "{report}");
}
