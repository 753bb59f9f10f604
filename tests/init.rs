//! `ropa init` on the bundled example crates: the inventory it writes loads, `ropa
//! check` then reports only what a person has to decide, and the bad inputs it can meet.

mod common;

use common::ropa;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else if entry.file_name() != "inventory.yaml" {
            fs::copy(&path, &target).expect("copy");
        }
    }
}

/// Runs `ropa init` in a copy of a fixture crate; returns the copy and the check report.
fn init_and_check(fixture: &str) -> (tempfile::TempDir, String, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(Path::new(fixture), dir.path());
    let output = ropa()
        .current_dir(dir.path())
        .arg("init")
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let name = fs::read_dir(dir.path().join("inventory"))
        .expect("inventory written")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "yaml"))
        .expect("a yaml file");
    let text = fs::read_to_string(&name).expect("read");
    let output = ropa()
        .current_dir(dir.path())
        .args(["check", "inventory", "--format", "json"])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_ne!(output.status.code(), Some(2), "input errors: {report}");
    (dir, text, report)
}

fn codes(report: &Value) -> Vec<String> {
    let mut codes: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn init_on_the_example_crates_loads_and_leaves_only_decisions() {
    let (_, text, report) = init_and_check("fixtures/code/alpha-serve-app");
    assert!(
        text.starts_with("# yaml-language-server: $schema=ropa-schema.json\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "# Functional Software, Inc. (Sentry) (error tracking), from sentry in Cargo.toml:"
        ),
        "{text}"
    );
    assert!(
        text.contains("- match: \"*::LicenseRecord\"   # src/install.rs:"),
        "{text}"
    );
    assert_eq!(codes(&report), ["encryption", "personal-data-in-logs"]);
    let (_, _, report) = init_and_check("fixtures/code/actipro-checkout");
    for code in codes(&report) {
        assert!(
            [
                "encryption",
                "personal-data-in-logs",
                "retention",
                "placeholder"
            ]
            .contains(&code.as_str()),
            "{code}: {report}"
        );
    }
}

#[test]
fn database_rows_become_a_store_with_todo_retention() {
    let (dir, text, report) = init_and_check("fixtures/code/init-orm");
    assert!(
        text.contains("  # Rows of db::Customer (src/lib.rs:7), db::Order (src/lib.rs:16).\n  - id: orm-shop-db"),
        "{text}"
    );
    assert!(text.contains("retention: TODO"), "{text}");
    assert!(text.contains("- match: \"*::CheckoutForm\""), "{text}");
    assert!(dir.path().join("inventory/ropa-schema.json").exists());
    assert_eq!(codes(&report), ["encryption", "placeholder"], "{report}");
}

#[test]
fn init_refuses_to_overwrite_and_bad_roots() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(Path::new("fixtures/code/init-orm"), dir.path());
    let run = |args: &[&str]| {
        let output = ropa()
            .current_dir(dir.path())
            .args(args)
            .output()
            .expect("runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    assert_eq!(run(&["init"]).0, Some(0));
    let (status, stderr) = run(&["init"]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("does not overwrite"), "{stderr}");
    assert_eq!(run(&["init", "--force"]).0, Some(0));
    let (status, stderr) = run(&["init", "no/such/dir"]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("is not a directory"), "{stderr}");
    fs::create_dir_all(dir.path().join("empty")).expect("mkdir");
    let (status, stderr) = run(&["init", "empty", "-o", "elsewhere"]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("no Rust sources"), "{stderr}");
}
