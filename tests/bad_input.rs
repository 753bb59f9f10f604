//! Every kind of bad input gives exit status 2 and a precise message (code, file, line,
//! column where one exists), never a panic.

mod common;

use common::{check_human, check_json};
use std::fs;

/// Runs a bad input; returns the single finding's (code, line, column, message, help).
fn one_problem(args: &[&str]) -> (String, u64, u64, String, String) {
    let (status, report) = check_json(args);
    assert_eq!(status, 2, "exit status for {args:?}: {report}");
    assert_eq!(report["status"], "input-error");
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{args:?}: {report}");
    let f = &findings[0];
    (
        f["code"].as_str().unwrap_or_default().to_owned(),
        f["location"]["line"].as_u64().unwrap_or(0),
        f["location"]["column"].as_u64().unwrap_or(0),
        f["message"].as_str().unwrap_or_default().to_owned(),
        f["help"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn malformed_yaml() {
    let (code, line, column, message, _) = one_problem(&["fixtures/bad/malformed.yaml"]);
    assert_eq!((code.as_str(), line, column), ("yaml-syntax", 3, 5));
    assert!(message.contains("unclosed bracket"), "{message}");
}

#[test]
fn unknown_key_suggests_the_closest() {
    let (code, line, column, message, help) = one_problem(&["fixtures/bad/unknown-key.yaml"]);
    assert_eq!((code.as_str(), line, column), ("unknown-key", 6, 5));
    assert!(message.contains("`regoin`"), "{message}");
    assert!(help.starts_with("did you mean `region`?"), "{help}");
}

#[test]
fn wrong_types_are_all_reported() {
    let (status, report) = check_json(&["fixtures/bad/wrong-type.yaml"]);
    assert_eq!(status, 2);
    let got = common::summary(&report);
    let codes: Vec<_> = got.iter().map(|f| (f.0.as_str(), f.3, f.4)).collect();
    assert_eq!(codes, [("wrong-type", 7, 24), ("wrong-type", 8, 12)]);
}

#[test]
fn duplicate_key() {
    let (code, line, column, message, _) = one_problem(&["fixtures/bad/duplicate-key.yaml"]);
    assert_eq!((code.as_str(), line, column), ("duplicate-key", 5, 5));
    assert!(message.contains("`country`"), "{message}");
}

#[test]
fn duplicate_id_across_two_files() {
    let (status, report) = check_json(&["fixtures/bad/duplicate-id"]);
    assert_eq!(status, 2);
    let f = &report["findings"][0];
    assert_eq!(f["code"], "duplicate-id");
    assert_eq!(f["file"], "fixtures/bad/duplicate-id/b.yaml");
    assert_eq!(f["location"]["line"], 3);
    assert_eq!(
        f["related"][0]["location"]["file"],
        "fixtures/bad/duplicate-id/a.yaml"
    );
    assert_eq!(f["related"][0]["location"]["line"], 5);
}

#[test]
fn unknown_reference_says_did_you_mean() {
    let (code, line, column, _, help) = one_problem(&["fixtures/bad/unknown-reference.yaml"]);
    assert_eq!((code.as_str(), line, column), ("unknown-reference", 10, 9));
    assert_eq!(help, "did you mean `storefront`?");
}

#[test]
fn unknown_category() {
    let (code, line, column, _, help) = one_problem(&["fixtures/bad/unknown-category.yaml"]);
    assert_eq!((code.as_str(), line, column), ("unknown-category", 9, 12));
    assert!(
        help.starts_with("did you mean `user.contact.email`?"),
        "{help}"
    );
}

#[test]
fn region_parent_cycle() {
    let (code, line, _, message, _) = one_problem(&["fixtures/bad/region-cycle.yaml"]);
    assert_eq!((code.as_str(), line), ("region-cycle", 3));
    assert!(message.contains("us → us-oregon → us"), "{message}");
}

#[test]
fn alias_bomb_is_refused() {
    let (code, line, column, message, _) = one_problem(&["fixtures/bad/alias-bomb.yaml"]);
    assert_eq!((code.as_str(), line, column), ("input-limit", 6, 45));
    assert!(
        message.contains("aliases replay more than 100000"),
        "{message}"
    );
}

#[test]
fn a_merge_key_alias_bomb_is_reported_where_the_budget_ran_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("merge-bomb.yaml");
    let mut text = String::from("version: 1\na0: &a0 {k0: v, k1: v, k2: v, k3: v, k4: v}\n");
    for i in 1..9 {
        let aliases = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i}\n  <<: [{aliases}]\n  x{i}: 1\n"));
    }
    fs::write(&path, text).expect("write");
    let (code, line, column, message, _) = one_problem(&[path.to_str().expect("path")]);
    // Not at the first anchor (line 2), where the replayed events were written, but
    // at the alias whose replay crossed the limit.
    assert_eq!(
        (code.as_str(), line, column),
        ("input-limit", 13, 38),
        "{message}"
    );
}

#[test]
fn nesting_ten_thousand_deep_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("deep.yaml");
    fs::write(
        &path,
        format!(
            "version: 1\nx: {}{}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
    )
    .expect("write");
    let (code, line, _, message, help) = one_problem(&[path.to_str().expect("path")]);
    assert_eq!((code.as_str(), line), ("input-limit", 2));
    assert!(help.contains("64"), "{help}");
    assert!(
        message.ends_with("nested more than 64 levels deep"),
        "{message}"
    );
    assert!(
        !message.contains('{'),
        "no internal debug formatting: {message}"
    );
}

#[test]
fn file_over_the_size_limit_says_the_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.yaml");
    let file = fs::File::create(&path).expect("create");
    file.set_len(ropa::inventory::files::MAX_FILE_BYTES + 1)
        .expect("sparse file");
    let (code, _, _, message, _) = one_problem(&[path.to_str().expect("path")]);
    assert_eq!(code, "input-limit");
    assert!(message.contains("over the limit of 64 MiB"), "{message}");
}

#[test]
fn invalid_utf8_points_at_the_byte() {
    let (code, line, column, _, _) = one_problem(&["fixtures/bad/invalid-utf8.yaml"]);
    assert_eq!((code.as_str(), line, column), ("invalid-utf8", 4, 15));
}

#[test]
fn empty_file() {
    let (code, line, _, _, _) = one_problem(&["fixtures/bad/empty.yaml"]);
    assert_eq!((code.as_str(), line), ("empty-file", 1));
}

#[test]
fn directory_with_no_yaml() {
    let (code, _, _, message, _) = one_problem(&["fixtures/bad/no-yaml"]);
    assert_eq!(code, "no-inventory");
    assert!(message.contains("fixtures/bad/no-yaml"), "{message}");
}

#[test]
fn missing_path() {
    let (code, _, _, message, _) = one_problem(&["fixtures/does-not-exist"]);
    assert_eq!(code, "missing-path");
    assert!(message.contains("does not exist"), "{message}");
}

#[test]
fn unreadable_file() {
    // A directory named like a YAML file cannot be read as one, even by root.
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir(dir.path().join("inventory.yaml")).expect("mkdir");
    let (code, _, _, message, _) = one_problem(&[dir.path().to_str().expect("path")]);
    assert_eq!(code, "unreadable");
    assert!(message.contains("inventory.yaml"), "{message}");
}

#[cfg(unix)]
#[test]
fn unreadable_by_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("secret.yaml");
    fs::write(&path, "version: 1\n").expect("write");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(&path).is_ok() {
        return; // running as root: permissions do not stop reads
    }
    let (code, _, _, message, _) = one_problem(&[path.to_str().expect("path")]);
    assert_eq!(code, "unreadable");
    assert!(message.contains("ermission denied"), "{message}");
}

#[test]
fn problems_in_several_files_are_reported_together() {
    let (status, report) = check_json(&[
        "fixtures/bad/unknown-key.yaml",
        "fixtures/bad/malformed.yaml",
    ]);
    assert_eq!(status, 2);
    let codes: Vec<_> = common::summary(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["unknown-key", "yaml-syntax"]);
}

#[test]
fn human_input_errors_go_to_stderr() {
    let (status, stdout, stderr) = check_human(&["fixtures/bad/unknown-key.yaml"]);
    assert_eq!(status, 2);
    assert!(stdout.is_empty(), "{stdout}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn hostile_strings_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("evil.yaml");
    fs::write(
        &path,
        "version: 1\nsystems:\n  - id: \"evil\\e[2J\"\n    regoin: x\n",
    )
    .expect("write");
    let (_, _, stderr) = check_human(&[path.to_str().expect("path")]);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn an_over_complex_exclude_glob_is_reported_at_the_glob() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    let path = dir.path().join("inventory.yaml");
    fs::write(
        &path,
        format!(
            "version: 1\norganization: {{ id: acme }}\ncode:\n  roots: [.]\n  exclude:\n    - \"src/a/**\"\n    - \"{}\"\n",
            "?".repeat(200_000)
        ),
    )
    .expect("write");
    let (code, line, column, message, help) = one_problem(&[path.to_str().expect("path")]);
    assert_eq!((code.as_str(), line, column), ("invalid-value", 7, 7));
    assert!(message.contains("is too complex"), "{message}");
    assert!(!message.contains("NFA"), "{message}");
    assert!(
        message.len() < 200,
        "the glob is not quoted whole: {message}"
    );
    assert!(help.contains("split"), "{help}");
}

#[test]
fn one_file_of_a_multi_file_inventory_points_at_the_sibling_that_declares_a_reference() {
    let (status, report) = check_json(&["inventory/actipro.yaml"]);
    assert_eq!(status, 2);
    let help = report["findings"][0]["help"].as_str().unwrap_or_default();
    assert!(
        help.starts_with("`us` is declared in inventory/regions.yaml, which was not loaded")
            && help.contains("`ropa check inventory`"),
        "{help}"
    );
}

#[test]
fn the_same_file_twice_is_read_once() {
    let (status, report) = check_json(&[
        "fixtures/pass/notice.yaml",
        "fixtures/pass/notice.yaml",
        "./fixtures/pass/notice.yaml",
    ]);
    assert_eq!(status, 0, "{report}");
    assert_eq!(report["checked"]["files"], 1);
}
