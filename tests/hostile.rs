//! Hostile input: Rust files nested or chained deep enough to overflow a parser's
//! stack, and files large enough to exhaust memory, are skipped or read in part with a
//! position and a reason, in `scan` and in `check`, and the rest of the tree is still
//! scanned; escape sequences, bidi overrides and zero-width characters in sources, ids
//! and file names never reach the terminal or a JSON value raw; lines are counted the
//! same in every format. Each input is generated into a temporary directory.

mod common;

use common::ropa;
use ropa::fuzz_targets::assert_printable;
use serde_json::Value;
use std::fs;
use std::path::Path;

/// The hostile files, named after what they nest or chain, with the line and column
/// where the scanner's limit is crossed.
fn hostile_files() -> Vec<(&'static str, String, (u64, u64))> {
    let nested = |open: &str, n: usize, middle: &str, close: &str| {
        format!("{}{middle}{}", open.repeat(n), close.repeat(n))
    };
    let chain = |n: usize, term: &str, joint: &str| vec![term; n].join(joint);
    let mut else_ifs = String::from("fn f(x: u32) {\n    if x == 0 {}");
    for i in 1..65_000 {
        else_ifs.push_str(&format!(" else if x == {i} {{}}"));
    }
    else_ifs.push_str("\n}\n");
    vec![
        (
            "vec.rs",
            format!(
                "pub struct Deep {{\n    pub f: {},\n}}\n",
                nested("Vec<", 400, "u8", ">")
            ),
            (2, 1035),
        ),
        (
            "parens.rs",
            format!("fn f() -> u8 {{\n    {}\n}}\n", nested("(", 1000, "1", ")")),
            (2, 260),
        ),
        (
            "plus.rs",
            format!("fn f() -> u32 {{\n    {}\n}}\n", chain(32_700, "1", " + ")),
            (2, 9991),
        ),
        ("else_if.rs", else_ifs, (2, 14_170)),
        (
            "modules.rs",
            nested("mod m { ", 2000, "pub struct S { pub email: String }", " }"),
            (1, 2055),
        ),
        (
            "closures.rs",
            format!("fn f() {{\n    let c = {}1;\n}}\n", "|x| ".repeat(5000)),
            (2, 6670),
        ),
        (
            "methods.rs",
            format!("fn f() {{\n    let c = x{};\n}}\n", ".a()".repeat(30_000)),
            (2, 6670),
        ),
        (
            "attributes.rs",
            format!(
                "#[a{}{}]\nfn f() {{}}\n",
                "(b".repeat(3000),
                ")".repeat(3000)
            ),
            (1, 514),
        ),
        (
            "references.rs",
            format!("fn f() {{\n    let c = {}1;\n}}\n", "&".repeat(50_000)),
            (2, 5006),
        ),
    ]
}

fn write_tree(root: &Path) {
    let src = root.join("src");
    fs::create_dir_all(&src).expect("mkdir");
    for (name, text, _) in hostile_files() {
        fs::write(src.join(name), text).expect("write");
    }
    fs::write(
        src.join("user.rs"),
        "pub struct User {\n    pub email: String,\n}\n",
    )
    .expect("write");
}

fn scan_json(root: &Path) -> Value {
    let output = ropa()
        .args(["scan", "--format", "json"])
        .arg(root)
        .output()
        .expect("ropa runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

#[test]
fn deeply_nested_files_are_skipped_with_their_position_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path());
    let report = scan_json(dir.path());
    let mut skipped: Vec<(String, u64, u64)> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            let file = s["file"].as_str().unwrap_or_default();
            let name = file.rsplit('/').next().unwrap_or_default().to_owned();
            let reason = s["reason"].as_str().unwrap_or_default();
            assert!(
                reason.starts_with("over the scanner's limits: "),
                "{reason}"
            );
            (
                name,
                s["line"].as_u64().unwrap_or(0),
                s["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    skipped.sort();
    let mut expected: Vec<(String, u64, u64)> = hostile_files()
        .into_iter()
        .map(|(name, _, (line, column))| (name.to_owned(), line, column))
        .collect();
    expected.sort();
    assert_eq!(skipped, expected);
    let fields: Vec<&str> = report["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["email"], "user.rs is still scanned");
}

#[test]
fn check_reports_a_deep_file_as_a_skipped_source_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path());
    fs::write(
        dir.path().join("inventory.yaml"),
        "version: 1\norganization: { id: acme }\nregions:\n  - { id: us, country: US }\n\
         stores:\n  - id: accounts-db\n    region: us\n    encrypted_at_rest: true\n    holds:\n\
         \x20     - data: [user.contact.email]\n        retention: until-account-deleted\n\
         code:\n  roots: [.]\n  structs:\n    - match: \"user::User\"\n      to: accounts-db\n",
    )
    .expect("write");
    let inventory = dir.path().join("inventory.yaml");
    let inventory = inventory.to_str().expect("UTF-8 path");
    let (status, report) = common::check_json(&[inventory]);
    assert_eq!(status, 0, "warnings only: {report}");
    let skipped: Vec<(u64, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "skipped-source")
        .map(|f| {
            assert_eq!(f["severity"], "warning");
            (
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(skipped.len(), hostile_files().len(), "{report}");
    assert!(
        skipped
            .iter()
            .all(|&(line, column)| line >= 1 && column > 1)
    );
}

#[test]
fn a_ten_megabyte_literal_is_set_aside_and_the_file_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    fs::create_dir_all(&src).expect("mkdir");
    let numbers: Vec<String> = (0..3_000_000).map(|i| (i % 10).to_string()).collect();
    fs::write(
        src.join("table.rs"),
        format!(
            "fn table() -> Vec<u8> {{\n    vec![{}]\n}}\npub struct User {{\n    pub email: String,\n}}\n",
            numbers.join(", ")
        ),
    )
    .expect("write");
    let report = scan_json(dir.path());
    let not_read = report["not_read"].as_array().expect("not_read");
    assert_eq!(not_read.len(), 1, "{}", report["not_read"]);
    assert_eq!(
        (&not_read[0]["line"], &not_read[0]["column"]),
        (&Value::from(2), &Value::from(9))
    );
    assert_eq!(not_read[0]["tokens"], 5_999_999);
    assert_eq!(report["fields"][0]["field"], "email");
    assert_eq!(report["fields"][0]["line"], 5);
    let human = ropa()
        .arg("scan")
        .arg(dir.path())
        .output()
        .expect("ropa runs");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("Not read:"), "{text}");
    assert!(
        text.contains("table.rs:2:9  a literal of 5999999 tokens"),
        "{text}"
    );
}

const TERMINAL_ATTACK: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}";

/// A crate whose struct `User` keeps a phone number that its store does not declare,
/// with an escape sequence in the comment on that line, and its inventory.
fn write_attack(root: &Path, file_name: &str, store_id: &str) -> std::path::PathBuf {
    let src = root.join("src");
    fs::create_dir_all(&src).expect("mkdir");
    fs::write(
        src.join(file_name),
        format!("pub struct User {{\n    pub phone: String, // {TERMINAL_ATTACK}\n}}\n"),
    )
    .expect("write");
    let inventory = root.join(format!("inv{TERMINAL_ATTACK}.yaml"));
    fs::write(
        &inventory,
        format!(
            "version: 1\norganization: {{ id: acme }}\nregions:\n  - {{ id: us, country: US }}\n\
             stores:\n  - id: \"{store_id}\"\n    region: us\n    encrypted_at_rest: true\n    holds:\n\
             \x20     - data: [user.contact.email]\n        retention: until-account-deleted\n\
             code:\n  roots: [.]\n  structs:\n    - match: \"*::User\"\n      to: \"{store_id}\"\n"
        ),
    )
    .expect("write");
    inventory
}

#[test]
fn escape_sequences_in_sources_ids_and_file_names_are_shown_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = write_attack(
        dir.path(),
        &format!("user{TERMINAL_ATTACK}.rs"),
        "accounts\u{202e}\u{200b}-db",
    );
    let inventory = inventory.to_str().expect("UTF-8 path");
    let (status, stdout, stderr) = common::check_human(&[inventory]);
    assert_eq!(status, 1, "{stdout}{stderr}");
    assert!(stdout.contains("undeclared-personal-field"), "{stdout}");
    assert!(
        stdout.contains("\\u{1b}]0;pwned\\u{7}"),
        "the comment is shown escaped: {stdout}"
    );
    assert!(
        stdout.contains("user\\u{1b}"),
        "the file name is shown escaped: {stdout}"
    );
    assert!(stdout.contains("accounts\\u{202e}\\u{200b}-db"), "{stdout}");
    assert_printable("human stdout", &stdout);
    assert_printable("human stderr", &stderr);
    let output = ropa()
        .args(["check", "--format", "json", inventory])
        .output()
        .expect("ropa runs");
    let json = String::from_utf8_lossy(&output.stdout);
    assert_printable("JSON", &json);
    let report: Value = serde_json::from_str(&json).expect("JSON");
    for finding in report["findings"].as_array().expect("findings") {
        assert_printable("a decoded JSON value", &finding.to_string());
        let file = finding["file"].as_str().unwrap_or_default();
        assert!(!file.chars().any(ropa::text::is_unsafe), "{file:?}");
    }
    let scan = ropa()
        .arg("scan")
        .arg(dir.path())
        .output()
        .expect("ropa runs");
    assert_printable("scan table", &String::from_utf8_lossy(&scan.stdout));
}

#[test]
fn a_yaml_error_excerpt_on_stderr_is_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = dir.path().join("bad.yaml");
    fs::write(
        &inventory,
        format!("version: 1\nregions: [ {{ id: us{TERMINAL_ATTACK}, country: US }}\n"),
    )
    .expect("write");
    let (status, stdout, stderr) = common::check_human(&[inventory.to_str().expect("UTF-8 path")]);
    assert_eq!(status, 2, "{stdout}{stderr}");
    assert!(stderr.contains("\\u{1b}]0;pwned"), "{stderr}");
    assert_printable("stderr", &stderr);
    assert_printable("stdout", &stdout);
}

#[test]
fn a_huge_one_line_yaml_error_prints_a_window_of_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = dir.path().join("wide.yaml");
    let mut text = String::from("version: 1\nregions: [");
    text.push_str(&"{ id: r, country: US }, ".repeat(40_000));
    text.push_str("oops: [\n");
    fs::write(&inventory, &text).expect("write");
    let (status, stdout, stderr) = common::check_human(&[inventory.to_str().expect("UTF-8 path")]);
    assert_eq!(status, 2, "{stdout}{stderr}");
    assert!(
        stderr.len() < 4_000,
        "{} bytes of stderr for a {} byte line",
        stderr.len(),
        text.len()
    );
    assert!(stderr.contains('…'), "{stderr}");
}

#[test]
fn cr_only_line_endings_give_the_same_line_in_human_and_json_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = dir.path().join("mac.yaml");
    let lines = [
        "version: 1",
        "regions:",
        "  - { id: us, country: US }",
        "stores:",
        "  - id: db",
        "    regoin: us",
    ];
    fs::write(&inventory, lines.join("\r") + "\r").expect("write");
    let path = inventory.to_str().expect("UTF-8 path");
    let (_, report) = common::check_json(&[path]);
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "unknown-key", "{report}");
    assert_eq!(
        (&finding["location"]["line"], &finding["location"]["column"]),
        (&Value::from(6), &Value::from(5))
    );
    let (_, stdout, stderr) = common::check_human(&[path]);
    let human = format!("{stdout}{stderr}");
    assert!(human.contains("mac.yaml:6:5"), "{human}");
    assert!(human.contains("6 │     regoin: us"), "{human}");
    assert_printable("human output", &human);
}

#[test]
fn a_non_utf8_file_has_the_same_position_in_check_as_in_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    fs::create_dir_all(&src).expect("mkdir");
    fs::write(
        src.join("latin1.rs"),
        b"pub struct User {\n    // caf\xe9\n    pub email: String,\n}\n".as_slice(),
    )
    .expect("write");
    let report = scan_json(dir.path());
    let skipped = &report["skipped"][0];
    assert_eq!(
        (&skipped["line"], &skipped["column"]),
        (&Value::from(2), &Value::from(11))
    );
    fs::write(
        dir.path().join("inventory.yaml"),
        "version: 1\norganization: { id: acme }\ncode:\n  roots: [.]\n",
    )
    .expect("write");
    let inventory = dir.path().join("inventory.yaml");
    let (_, report) = common::check_json(&[inventory.to_str().expect("UTF-8 path")]);
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "skipped-source")
        .cloned()
        .expect("a skipped-source finding");
    assert_eq!(
        (&finding["location"]["line"], &finding["location"]["column"]),
        (&Value::from(2), &Value::from(11)),
        "{finding}"
    );
}
