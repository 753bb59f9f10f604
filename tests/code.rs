//! The code scanner end to end: `ropa check` on inventories whose `code` sections point
//! at the seed crates under `fixtures/code/`, `ropa scan` as a table and as JSON, and
//! every kind of bad source input.

mod common;

use common::{check_human, check_json, ropa, summary};
use serde_json::Value;
use std::fs;
use std::path::Path;

type Expected<'a> = (&'a str, Option<&'a str>, Option<&'a str>, u64, u64, &'a str);

/// Checks `fixtures/code/<fixture>/inventory.yaml`: exactly these findings (code, rule,
/// claim, line, column, file suffix), exit status 1.
fn assert_code_findings(fixture: &str, expected: &[Expected]) {
    let path = format!("fixtures/code/{fixture}/inventory.yaml");
    let (status, report) = check_json(&[&path]);
    let got: Vec<_> = summary(&report)
        .into_iter()
        .zip(report["findings"].as_array().expect("findings"))
        .map(|(key, finding)| {
            let file = finding["location"]["file"].as_str().unwrap_or_default();
            (key, file.to_owned())
        })
        .collect();
    assert_eq!(got.len(), expected.len(), "findings of {fixture}: {got:#?}");
    for ((key, file), (code, rule, claim, line, column, suffix)) in got.iter().zip(expected) {
        let want = (
            code.to_string(),
            rule.map(str::to_owned),
            claim.map(str::to_owned),
            *line,
            *column,
        );
        assert_eq!(key, &want, "finding of {fixture}");
        assert!(
            file.ends_with(suffix),
            "{fixture}: {code} in {file}, expected …{suffix}"
        );
    }
    assert_eq!(status, 1, "exit status of {fixture}");
}

#[test]
fn a13_card_number_saved_with_the_order() {
    assert_code_findings(
        "a13-card-stored",
        &[(
            "retention",
            Some("card-numbers-not-retained"),
            Some("A13"),
            7,
            9,
            "a13-card-stored/src/lib.rs",
        )],
    );
}

#[test]
fn b15_email_column_in_the_license_record() {
    assert_code_findings(
        "b15-email-stored",
        &[(
            "prohibited",
            Some("email-never-stored"),
            Some("B15"),
            8,
            9,
            "b15-email-stored/src/install.rs",
        )],
    );
}

#[test]
fn sentry_dependency_without_a_subprocessor() {
    assert_code_findings(
        "sentry-undeclared",
        &[(
            "undeclared-third-party",
            None,
            None,
            9,
            1,
            "sentry-undeclared/Cargo.toml",
        )],
    );
}

#[test]
fn token_logged_in_clear() {
    assert_code_findings(
        "token-logged",
        &[(
            "personal-data-in-logs",
            None,
            None,
            11,
            41,
            "token-logged/src/lib.rs",
        )],
    );
}

#[test]
fn phone_field_not_declared_by_its_store() {
    assert_code_findings(
        "phone-undeclared",
        &[
            (
                "undeclared-personal-field",
                None,
                None,
                8,
                9,
                "src/models/user.rs",
            ),
            (
                "invalid-annotation",
                None,
                None,
                15,
                5,
                "src/models/user.rs",
            ),
            (
                "unmapped-personal-struct",
                None,
                None,
                16,
                9,
                "src/models/user.rs",
            ),
        ],
    );
}

#[test]
fn diagnostics_point_at_the_rust_line_and_say_what_to_write() {
    let (status, stdout, _) = check_human(&["fixtures/code/phone-undeclared/inventory.yaml"]);
    assert_eq!(status, 1);
    insta::assert_snapshot!("code_phone_undeclared_human", stdout);
    let (status, stdout, _) = check_human(&["fixtures/code/sentry-undeclared/inventory.yaml"]);
    assert_eq!(status, 1);
    insta::assert_snapshot!("code_sentry_undeclared_human", stdout);
}

#[test]
fn the_bundled_inventories_scan_their_clean_example_code() {
    let (status, report) = check_json(&["inventory"]);
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(report["checked"]["rust_files"], 6);
    assert_eq!(report["checked"]["manifests"], 2);
    let (status, report) = check_json(&["inventory", "--no-code"]);
    assert_eq!(status, 0);
    assert_eq!(report["checked"]["rust_files"], 0);
}

#[test]
fn acknowledging_a_field_in_the_inventory_silences_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = Path::new("fixtures/code/phone-undeclared");
    copy_dir(fixture, dir.path());
    let inventory = dir.path().join("inventory.yaml");
    let text = fs::read_to_string(&inventory).expect("read");
    let text = text.replace(
        "      to: accounts-db\n",
        "      to: accounts-db\n  fields:\n    - match: \"*::User.phone\"\n      not_personal: the shop's switchboard number\n    - match: \"*::Signup.first_name\"\n      not_personal: a greeting, never stored\n",
    );
    fs::write(&inventory, text).expect("write");
    let path = inventory.to_string_lossy().into_owned();
    let (_, report) = check_json(&[&path]);
    let codes: Vec<_> = summary(&report).into_iter().map(|k| k.0).collect();
    assert_eq!(codes, ["invalid-annotation"]);
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn a_missing_source_root_is_an_input_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = dir.path().join("inventory.yaml");
    fs::write(
        &inventory,
        "version: 1\ncode:\n  roots: [../nowhere, src]\n",
    )
    .expect("write");
    let path = inventory.to_string_lossy().into_owned();
    let (status, report) = check_json(&[&path]);
    assert_eq!(status, 2);
    assert_eq!(
        summary(&report),
        [
            ("missing-code-root".to_owned(), None, None, 3, 11),
            ("missing-code-root".to_owned(), None, None, 3, 23),
        ]
    );
    let message = report["findings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(message, "source root `../nowhere` does not exist");
}

#[test]
fn code_section_mistakes_are_reported_with_suggestions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = dir.path().join("inventory.yaml");
    fs::write(
        &inventory,
        "version: 1\nstores:\n  - { id: accounts-db }\ncode:\n  roots: [.]\n  structs:\n    - match: \"*::User\"\n      to: acounts-db\n    - match: \"[oops\"\n      to: accounts-db\n  fields:\n    - match: \"*::User.phone\"\n      data: user.contact.phone\n    - match: \"*::User.bio\"\n  exclud: [\"x\"]\n",
    )
    .expect("write");
    let path = inventory.to_string_lossy().into_owned();
    let (status, report) = check_json(&[&path]);
    assert_eq!(status, 2);
    let codes: Vec<_> = summary(&report).into_iter().map(|k| (k.0, k.3)).collect();
    assert_eq!(
        codes,
        [
            ("invalid-value".to_owned(), 9),
            ("missing-key".to_owned(), 14),
            ("unknown-key".to_owned(), 15),
        ]
    );
    // Fix the schema errors; the references are checked next.
    fs::write(
        &inventory,
        "version: 1\nstores:\n  - { id: accounts-db }\ncode:\n  roots: [.]\n  structs:\n    - match: \"*::User\"\n      to: acounts-db\n  fields:\n    - match: \"*::User.phone\"\n      data: user.contact.phone\n",
    )
    .expect("write");
    let (status, report) = check_json(&[&path]);
    assert_eq!(status, 2);
    let findings = report["findings"].as_array().expect("findings");
    let helps: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default(),
                f["help"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(helps.len(), 2, "{helps:?}");
    assert_eq!(helps[0].0, "unknown-reference");
    assert!(helps[0].1.contains("accounts-db"), "{}", helps[0].1);
    assert_eq!(helps[1].0, "unknown-category");
    assert!(
        helps[1].1.contains("user.contact.phone_number"),
        "{}",
        helps[1].1
    );
}

/// Runs `ropa scan ARGS --format json`.
fn scan_json(args: &[&str]) -> (i32, Value, String) {
    let output = ropa()
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("ropa runs");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (
        output.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn scan_lists_personal_fields_sdks_and_logged_values() {
    let (status, report, _) = scan_json(&["fixtures/code/phone-undeclared"]);
    assert_eq!(status, 0);
    insta::assert_snapshot!(
        "scan_phone_undeclared_json",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
    let output = ropa()
        .args(["scan", "fixtures/code/alpha-serve-app"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    insta::assert_snapshot!(
        "scan_alpha_serve_table",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn scan_help_teaches() {
    let output = ropa().args(["scan", "--help"]).output().expect("runs");
    insta::assert_snapshot!("scan_help", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn scan_of_a_missing_path_exits_2_with_a_message() {
    let output = ropa().args(["scan", "no/such/dir"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: `no/such/dir` does not exist; `ropa scan` reads the Rust sources under directories\n"
    );
    assert!(output.stdout.is_empty());
}

/// Every bad source: each is skipped with a reason and position where it has one, and
/// the good file beside them is still scanned.
#[test]
fn bad_sources_are_skipped_with_a_reason_and_never_stop_the_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    fs::create_dir_all(&src).expect("mkdir");
    fs::write(
        src.join("good.rs"),
        "pub struct User { pub email: String }\n",
    )
    .expect("write");
    fs::write(
        src.join("syntax.rs"),
        "pub struct User {\n    email String\n}\n",
    )
    .expect("write");
    fs::write(src.join("latin1.rs"), b"// caf\xe9\n".as_slice()).expect("write");
    fs::write(src.join("empty.rs"), "").expect("write");
    // 50 MB of valid Rust comments: over the per-file limit, so never parsed.
    let line = "// padding padding padding padding padding padding padding padding\n";
    fs::write(
        src.join("huge.rs"),
        line.repeat(50 * 1024 * 1024 / line.len()),
    )
    .expect("write");
    fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"x\"\n[dependencies\nsentry = \"1\"\n",
    )
    .expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), src.join("loop")).expect("symlink");
    let root = dir.path().to_string_lossy().into_owned();
    let (status, report, _) = scan_json(&[&root]);
    assert_eq!(status, 0);
    let fields: Vec<_> = report["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(fields, ["email"]);
    let mut skipped: Vec<(String, Option<u64>, String)> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            let file = s["file"].as_str().unwrap_or_default();
            let name = Path::new(file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let reason = s["reason"].as_str().unwrap_or_default();
            (name, s["line"].as_u64(), reason.to_owned())
        })
        .collect();
    skipped.sort();
    let names: Vec<_> = skipped.iter().map(|(n, l, _)| (n.as_str(), *l)).collect();
    assert_eq!(
        names,
        [
            ("Cargo.toml", Some(3)),
            ("huge.rs", None),
            ("latin1.rs", Some(1)),
            ("syntax.rs", Some(2)),
        ]
    );
    assert!(
        skipped[0].2.starts_with("not valid TOML"),
        "{}",
        skipped[0].2
    );
    assert!(skipped[1].2.contains("over the scanner's limit of 10 MiB"));
    assert_eq!(skipped[2].2, "not valid UTF-8");
    assert!(skipped[3].2.starts_with("does not parse as Rust"));
    assert_eq!(report["summary"]["rust_files"], 2, "good.rs and empty.rs");
}

#[cfg(unix)]
#[test]
fn an_unreadable_directory_is_skipped_with_a_reason() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let locked = dir.path().join("locked");
    fs::create_dir_all(&locked).expect("mkdir");
    fs::write(locked.join("secret.rs"), "pub struct A;").expect("write");
    fs::write(
        dir.path().join("lib.rs"),
        "pub struct User { pub email: String }\n",
    )
    .expect("write");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read_dir(&locked).is_ok() {
        // Running as root: permissions do not apply, nothing to test.
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod");
        return;
    }
    let root = dir.path().to_string_lossy().into_owned();
    let (status, report, _) = scan_json(&[&root]);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(status, 0);
    assert_eq!(report["summary"]["personal_fields"], 1);
    let skipped = report["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("ermission denied"),
        "{}",
        skipped[0]
    );
}

#[test]
fn skipped_sources_are_warnings_in_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    fs::write(dir.path().join("src/lib.rs"), "fn broken( {\n").expect("write");
    fs::write(
        dir.path().join("inventory.yaml"),
        "version: 1\ncode:\n  roots: [.]\n",
    )
    .expect("write");
    let path = dir
        .path()
        .join("inventory.yaml")
        .to_string_lossy()
        .into_owned();
    let (status, report) = check_json(&[&path]);
    assert_eq!(status, 0, "warnings do not fail by default");
    assert_eq!(
        summary(&report),
        [("skipped-source".to_owned(), None, None, 1, 12)]
    );
    let (status, _) = check_json(&[&path, "--fail-on", "warning"]);
    assert_eq!(status, 1);
}

/// A crate with personal fields in shipped code, in `#[cfg(test)]` code and in the
/// `tests/`, `benches/` and `examples/` folders.
fn write_crate_with_tests(root: &Path) {
    for (path, text) in [
        (
            "src/lib.rs",
            "pub struct User { pub email: String }\n#[cfg(test)]\nmod tests {\n    struct Fixture { phone: String }\n}\n",
        ),
        ("tests/api.rs", "struct Person { first_name: String }\n"),
        ("benches/load.rs", "struct Sample { ip_address: String }\n"),
        ("examples/demo.rs", "struct Demo { last_name: String }\n"),
    ] {
        let full = root.join(path);
        fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        fs::write(full, text).expect("write");
    }
}

fn personal_fields(report: &Value) -> Vec<String> {
    let mut names: Vec<String> = report["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

#[test]
fn test_code_is_left_out_unless_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_crate_with_tests(dir.path());
    let root = dir.path().to_str().expect("UTF-8 path");
    let (status, report, _) = scan_json(&[root]);
    assert_eq!(status, 0);
    assert_eq!(personal_fields(&report), ["email"]);
    let (_, report, _) = scan_json(&[root, "--include-tests"]);
    assert_eq!(
        personal_fields(&report),
        ["email", "first_name", "ip_address", "last_name", "phone"]
    );
    // The inventory's `code` section has the same switch.
    let inventory = dir.path().join("inventory.yaml");
    let write = |include: &str| {
        fs::write(
            &inventory,
            format!("version: 1\norganization: {{ id: acme }}\ncode:\n  roots: [.]\n{include}"),
        )
        .expect("write")
    };
    let unmapped = |report: &Value| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["code"] == "unmapped-personal-struct")
            .count()
    };
    write("");
    let (_, report) = check_json(&[inventory.to_str().expect("UTF-8 path")]);
    assert_eq!(unmapped(&report), 1, "{report}");
    write("  include_tests: true\n");
    let (_, report) = check_json(&[inventory.to_str().expect("UTF-8 path")]);
    assert_eq!(unmapped(&report), 5, "{report}");
}

#[test]
fn scan_min_confidence_and_fail_on() {
    let (_, all, _) = scan_json(&["fixtures/code/alpha-serve-app"]);
    let (_, sure, _) = scan_json(&["fixtures/code/alpha-serve-app", "--min-confidence", "0.85"]);
    assert_eq!(
        personal_fields(&all).len(),
        5,
        "four fields and the AccountId newtype"
    );
    assert_eq!(personal_fields(&sure), ["access_token"]);
    let (status, _, stderr) =
        scan_json(&["fixtures/code/alpha-serve-app", "--min-confidence", "0.3"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("outside 0.5 to 1"), "{stderr}");
    let status = |args: &[&str]| {
        ropa()
            .arg("scan")
            .args(args)
            .output()
            .expect("runs")
            .status
            .code()
    };
    assert_eq!(status(&["fixtures/code/token-logged"]), Some(0));
    assert_eq!(
        status(&["fixtures/code/token-logged", "--fail-on", "logs"]),
        Some(1)
    );
    assert_eq!(
        status(&["fixtures/code/token-logged", "--fail-on", "any"]),
        Some(1)
    );
    assert_eq!(
        status(&["fixtures/code/phone-undeclared", "--fail-on", "sdks"]),
        Some(0)
    );
    assert_eq!(
        status(&["fixtures/code/phone-undeclared", "--fail-on", "fields"]),
        Some(1)
    );
}

#[test]
fn the_scan_table_fits_80_columns_with_paths_relative_to_the_root() {
    let output = ropa()
        .args(["scan", "fixtures/code/alpha-serve-app"])
        .env("COLUMNS", "80")
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert!(text.contains("\nsrc/install.rs\n  AccountId\n"), "{text}");
    assert!(
        !text.contains("fixtures/code/alpha-serve-app/src"),
        "{text}"
    );
}

#[test]
fn enum_variant_fields_are_named_by_their_variant() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    fs::write(
        dir.path().join("src/lib.rs"),
        "pub enum Contact {\n    Email { address: String },\n    Phone(PhoneNumber),\n}\npub struct PhoneNumber(String);\npub enum Recipient {\n    Member { email: String },\n}\n",
    )
    .expect("write");
    let inventory = dir.path().join("inventory.yaml");
    fs::write(
        &inventory,
        "version: 1\norganization: { id: acme }\nregions:\n  - { id: us, country: US }\nstores:\n  - id: db\n    region: us\n    encrypted_at_rest: true\n    holds:\n      - data: [user.name]\n        retention: 30d\ncode:\n  roots: [.]\n  structs:\n    - match: \"Recipient\"\n      to: db\n",
    )
    .expect("write");
    let (_, report) = check_json(&[inventory.to_str().expect("UTF-8 path")]);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("`Recipient::Member.email` holds `user.contact.email`")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("enum `Contact` holds personal data (`Email.address`")),
        "{messages:?}"
    );
}

#[test]
fn a_crate_can_be_mapped_to_the_declared_vendor_it_talks_to() {
    let (status, report) = check_json(&["fixtures/code/sdk-other-vendor/inventory.yaml"]);
    assert_eq!(
        (status, report["status"].as_str()),
        (0, Some("clean")),
        "{report:#}"
    );
    assert_code_findings(
        "sdk-other-vendor-unmapped",
        &[(
            "undeclared-third-party",
            None,
            None,
            9,
            1,
            "sdk-other-vendor-unmapped/Cargo.toml",
        )],
    );
    let (_, stdout, _) = check_human(&["fixtures/code/sdk-other-vendor-unmapped/inventory.yaml"]);
    assert!(
        stdout.contains("sdks: { aws-sdk-s3: <node id> }"),
        "{stdout}"
    );
}

#[test]
fn a_crate_mapped_to_an_undeclared_node_is_an_input_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string("fixtures/code/sdk-other-vendor/inventory.yaml")
        .expect("fixture")
        .replace("aws-sdk-s3: cloudflare-r2", "aws-sdk-s3: cloudflare-r3");
    let path = dir.path().join("inventory.yaml");
    std::fs::write(&path, text).expect("write");
    let (status, report) = check_json(&[path.to_str().expect("path")]);
    assert_eq!(status, 2, "{report:#}");
    let codes: Vec<_> = common::summary(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["unknown-reference"], "{report:#}");
}
