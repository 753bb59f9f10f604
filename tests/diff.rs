//! `ropa diff` and `ropa check --new-since` through the binary: two directories (no git
//! needed), and two revisions of a repository the test creates with `git` (skipped,
//! saying so, where git is not installed), with the bad inputs each can meet.

mod common;

use common::ropa;
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Command;

const BASE: &str = "fixtures/pass/selectors.yaml";

/// The head side: the base with a new US mail provider receiving e-mail addresses, a
/// log kept too long, and a rule's maximum raised.
fn head_text() -> String {
    fs::read_to_string(BASE)
        .expect("fixture")
        .replace("retention: 14d", "retention: 90d")
        .replace("max: 1y, nodes", "max: 2y, nodes")
        .replace(
            "  - { id: cdn,",
            "  - { id: mailer, region: us, purposes: [essential], dpa: true }\n  - { id: cdn,",
        )
        .replace(
            "rules:\n",
            "  - { from: app, to: mailer, data: [user.contact.email], purpose: essential.service, lawful_basis: contract, transfer_mechanism: sccs }\nrules:\n",
        )
}

fn write_inventory(root: &Path, text: &str) {
    fs::create_dir_all(root.join("inventory")).expect("mkdir");
    fs::write(root.join("inventory/main.yaml"), text).expect("write");
}

fn diff_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let output = ropa()
        .current_dir(dir)
        .arg("diff")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap_or(-1), report)
}

fn assert_changes(report: &Value) {
    let c = &report["changes"];
    assert_eq!(report["schema"], "ropa-diff/1");
    assert_eq!(c["recipients_added"][0]["id"], "mailer");
    assert_eq!(c["newly_reaching"][0]["recipient"], "mailer");
    assert_eq!(
        c["newly_reaching"][0]["categories"][0],
        "user.contact.email"
    );
    assert_eq!(c["newly_crossing"][0]["from"], "ie");
    assert_eq!(c["newly_crossing"][0]["to"], "us");
    assert_eq!(c["flows_added"].as_array().map(Vec::len), Some(1));
    assert_eq!(c["rules_changed"][0]["rule"], "us-data-kept-a-year");
    assert!(
        c["rules_changed"][0]["weakened"][0]
            .as_str()
            .is_some_and(|w| w.contains("from 1y to 2y")),
        "{c}"
    );
    assert_eq!(c["findings_introduced"].as_array().map(Vec::len), Some(1));
    assert_eq!(c["findings_introduced"][0]["code"], "retention");
    assert_eq!(c["findings_introduced"][0]["file"], "inventory/main.yaml");
    assert_eq!(c["findings_fixed"].as_array().map(Vec::len), Some(0));
}

#[test]
fn two_directories_are_compared_without_git() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_inventory(
        &dir.path().join("old"),
        &fs::read_to_string(BASE).expect("fixture"),
    );
    write_inventory(&dir.path().join("new"), &head_text());
    let (status, report) = diff_json(dir.path(), &["old", "new"]);
    assert_eq!(status, 1, "a finding was introduced: {report}");
    assert_changes(&report);
    // The same side twice: nothing changed.
    let (status, report) = diff_json(dir.path(), &["old", "old"]);
    assert_eq!(status, 0);
    assert_eq!(
        report["changes"]["flows_added"].as_array().map(Vec::len),
        Some(0)
    );
    // Markdown for the pull request.
    let output = ropa()
        .current_dir(dir.path())
        .args(["diff", "old", "new", "--format", "markdown"])
        .output()
        .expect("runs");
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn a_side_that_does_not_load_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_inventory(
        &dir.path().join("old"),
        "version: 1\nstores:\n  - { id: a, regoin: us }\n",
    );
    write_inventory(&dir.path().join("new"), &head_text());
    let output = ropa()
        .current_dir(dir.path())
        .args(["diff", "old", "new"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the inventory at old does not load"),
        "{stderr}"
    );
    assert!(stderr.contains("unknown key `regoin`"), "{stderr}");
}

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A repository with the base committed and the head in the working tree; `None` (and
/// a note on stderr) where git is not installed.
fn repository() -> Option<tempfile::TempDir> {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: the revision tests are skipped");
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write_inventory(root, &fs::read_to_string(BASE).expect("fixture"));
    fs::write(root.join("README.md"), "not read by ropa\n").expect("write");
    let ok = git(root, &["init", "-q"])
        && git(
            root,
            &[
                "-c",
                "user.email=t@example.com",
                "-c",
                "user.name=t",
                "add",
                ".",
            ],
        )
        && git(
            root,
            &[
                "-c",
                "user.email=t@example.com",
                "-c",
                "user.name=t",
                "commit",
                "-qm",
                "base",
            ],
        );
    assert!(ok, "git init and commit in {}", root.display());
    write_inventory(root, &head_text());
    Some(dir)
}

#[test]
fn a_revision_is_read_with_git_without_touching_the_working_copy() {
    let Some(repo) = repository() else {
        return;
    };
    let root = repo.path();
    let before = fs::read_to_string(root.join("inventory/main.yaml")).expect("read");
    let (status, report) = diff_json(root, &["HEAD"]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(report["base"], "HEAD");
    assert_eq!(report["head"], "the working tree");
    assert_changes(&report);
    let after = fs::read_to_string(root.join("inventory/main.yaml")).expect("read");
    assert_eq!(before, after, "the working copy is untouched");
    // From a subdirectory, paths stay relative to it on both sides.
    let output = ropa()
        .current_dir(root.join("inventory"))
        .args([
            "diff",
            "HEAD",
            "--inventory",
            "main.yaml",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        report["changes"]["findings_introduced"][0]["file"],
        "main.yaml"
    );
}

#[test]
fn new_since_fails_only_on_what_the_branch_introduced() {
    let Some(repo) = repository() else {
        return;
    };
    let output = ropa()
        .current_dir(repo.path())
        .args(["check", "--new-since", "HEAD", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["summary"]["total"], 1);
    assert_eq!(report["findings"][0]["code"], "retention");
    // Against itself, nothing is new.
    git(
        repo.path(),
        &[
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "commit",
            "-qam",
            "head",
        ],
    );
    let output = ropa()
        .current_dir(repo.path())
        .args(["check", "--new-since", "HEAD"])
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// Runs `ropa ARGS` in `dir` (with PATH set to `path` when given), checks it exits 2,
/// and gives its stderr.
fn input_error(dir: &Path, path: Option<&Path>, args: &[&str]) -> String {
    let mut command = ropa();
    command.current_dir(dir).args(args);
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let output = command.output().expect("runs");
    assert_eq!(output.status.code(), Some(2), "{args:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn bad_revisions_and_places_are_input_errors() {
    let outside = tempfile::tempdir().expect("tempdir");
    let stderr = input_error(outside.path(), None, &["diff", "main"]);
    assert!(
        stderr.contains("not in a git repository") || stderr.contains("git is not installed"),
        "{stderr}"
    );
    let stderr = input_error(outside.path(), Some(outside.path()), &["diff", "main"]);
    assert!(stderr.contains("git is not installed"), "{stderr}");
    let Some(repo) = repository() else {
        return;
    };
    let stderr = input_error(repo.path(), None, &["diff", "no-such-branch"]);
    assert!(
        stderr.contains("revision `no-such-branch` does not exist"),
        "{stderr}"
    );
}
