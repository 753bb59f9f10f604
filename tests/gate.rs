//! The gate a team adopts: waivers and the `severity` map in the inventory, `--warn` and
//! `--deny`, and baselines (`ropa baseline`, `ropa check --baseline`), run through the
//! binary on fixtures, with every bad input they can meet.

mod common;

use common::{check_json, ropa, summary};
use serde_json::Value;
use std::fs;

#[test]
fn waived_findings_are_reported_as_waived_and_do_not_fail() {
    let (status, report) = check_json(&["fixtures/pass/waivers.yaml"]);
    assert_eq!(status, 0, "{report}");
    assert_eq!(report["summary"]["total"], 0);
    assert_eq!(report["summary"]["suppressed"], 2);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 2);
    // The severity map made the unreachable node an error; the waiver accepts it.
    assert_eq!(findings[0]["code"], "unreachable-node");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(findings[0]["suppressed"]["kind"], "waiver");
    assert_eq!(
        findings[0]["suppressed"]["approved_by"],
        "dpo@ledgerly.example"
    );
    assert_eq!(findings[1]["code"], "transfer");
    assert_eq!(findings[1]["suppressed"]["expires"], "2099-12-31");
    assert_eq!(findings[1]["suppressed"]["location"]["line"], 35);
}

#[test]
fn an_expired_waiver_accepts_nothing_and_is_an_error() {
    let (status, report) = check_json(&["fixtures/broken/waiver-expired.yaml"]);
    assert_eq!(status, 1, "{report}");
    let active: Vec<_> = summary(&report)
        .into_iter()
        .zip(report["findings"].as_array().expect("findings"))
        .filter(|(_, f)| f["suppressed"].is_null())
        .map(|(s, _)| (s.0, s.1, s.3, s.4))
        .collect();
    assert_eq!(
        active,
        [
            (
                "transfer".to_owned(),
                Some("transfers-use-a-tool".to_owned()),
                19,
                41
            ),
            ("expired-waiver".to_owned(), None, 37, 14),
        ]
    );
}

#[test]
fn an_unused_waiver_is_a_warning() {
    let (status, report) = check_json(&["fixtures/broken/waiver-unused.yaml"]);
    assert_eq!(status, 0, "warnings pass by default: {report}");
    let codes: Vec<_> = summary(&report)
        .into_iter()
        .map(|s| (s.0, s.3, s.4))
        .collect();
    assert_eq!(
        codes,
        [
            ("unreachable-node".to_owned(), 14, 11),
            ("unused-waiver".to_owned(), 32, 11)
        ]
    );
    let (status, _) = check_json(&["fixtures/broken/waiver-unused.yaml", "--fail-on", "warning"]);
    assert_eq!(status, 1);
}

#[test]
fn malformed_waivers_and_severities_are_input_errors() {
    let (status, report) = check_json(&["fixtures/bad/waivers.yaml"]);
    assert_eq!(status, 2, "{report}");
    let got: Vec<_> = summary(&report)
        .into_iter()
        .map(|s| (s.0, s.3, s.4))
        .collect();
    assert_eq!(
        got,
        [
            ("invalid-value".to_owned(), 8, 13),
            ("missing-key".to_owned(), 9, 5),
            ("invalid-value".to_owned(), 10, 40),
            ("missing-key".to_owned(), 11, 5),
            ("invalid-value".to_owned(), 11, 51),
            ("invalid-value".to_owned(), 12, 48),
            ("invalid-value".to_owned(), 14, 14),
            ("invalid-value".to_owned(), 15, 3),
        ]
    );
    let helps: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["help"].as_str())
        .collect();
    assert!(
        helps
            .iter()
            .any(|h| h.contains("did you mean `unreachable-node`")),
        "{helps:?}"
    );
    assert!(
        helps.iter().any(|h| h.contains("did you mean `retention`")),
        "{helps:?}"
    );
}

#[test]
fn warn_and_deny_change_a_codes_severity() {
    let file = "fixtures/broken/b1-transfer-no-mechanism.yaml";
    let (status, report) = check_json(&[file, "--warn", "transfer"]);
    assert_eq!(
        (status, report["summary"]["warning"].as_u64()),
        (0, Some(1))
    );
    let (status, _) = check_json(&[file, "--warn", "transfer", "--deny", "transfer"]);
    assert_eq!(status, 1);
    let output = ropa()
        .args(["check", file, "--deny", "transfr"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("did you mean `transfer`"), "{stderr}");
}

#[test]
fn a_baseline_accepts_todays_findings_and_fails_only_on_new_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = dir.path().join("inventory.yaml");
    let original = fs::read_to_string("fixtures/broken/selectors-hosted-by.yaml").expect("fixture");
    fs::write(&inventory, &original).expect("write");
    let baseline = dir.path().join("baseline.json");
    let inventory_arg = inventory.to_str().expect("path");
    let baseline_arg = baseline.to_str().expect("path");
    let written = ropa()
        .args(["baseline", inventory_arg, "-o", baseline_arg])
        .output()
        .expect("runs");
    assert_eq!(written.status.code(), Some(0));
    let text = fs::read_to_string(&baseline).expect("baseline written");
    let parsed: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(parsed["schema"], "ropa-baseline/1");
    assert_eq!(parsed["findings"].as_array().map(Vec::len), Some(2));
    // Nothing new: clean, with both suppressed.
    let (status, report) = check_json(&[inventory_arg, "--baseline", baseline_arg]);
    assert_eq!(status, 0, "{report}");
    assert_eq!(report["baseline"]["suppressed"], 2);
    // Lines moved, one finding fixed, one new one: only the new one fails, the fixed
    // one is listed as gone.
    let changed = format!("# moved\n\n{original}")
        .replace(
            "data: [system.operations, user.contact.email], purpose",
            "data: [system.operations], purpose",
        )
        .replace("retention: 14d", "retention: 90d");
    fs::write(&inventory, changed).expect("write");
    let (status, report) = check_json(&[inventory_arg, "--baseline", baseline_arg]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(report["summary"]["total"], 1);
    assert_eq!(report["baseline"]["suppressed"], 1);
    assert_eq!(report["baseline"]["gone"][0]["code"], "prohibited");
    let active: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .map(|f| f["code"].clone())
        .collect();
    assert_eq!(active, ["retention"]);
}

#[test]
fn bad_baselines_are_input_errors_that_say_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = "fixtures/broken/b1-transfer-no-mechanism.yaml";
    let cases = [
        ("{ \"schema\": \"ropa-baseline/1\", ", "is not valid JSON"),
        (
            "{ \"schema\": \"ropa-baseline/7\", \"findings\": [] }",
            "schema `ropa-baseline/7`",
        ),
        ("{ \"findings\": [] }", "not a ropa baseline"),
        (
            "{ \"schema\": \"ropa-baseline/1\", \"ropa_version\": \"0.1.0\", \"findings\": [{ \"fingerprint\": \"x\", \"code\": \"no-such-code\", \"rule\": null, \"file\": \"a\", \"key\": null, \"message\": \"m\" }] }",
            "code `no-such-code`",
        ),
    ];
    for (i, (text, expected)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("baseline-{i}.json"));
        fs::write(&path, text).expect("write");
        let output = ropa()
            .args(["check", file, "--baseline", path.to_str().expect("path")])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{text}: {stderr}");
    }
    let missing = ropa()
        .args(["check", file, "--baseline", "no/such/baseline.json"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn allow_comments_in_code_waive_one_field_or_log_call() {
    let (status, report) = check_json(&["fixtures/code/allow-comments/inventory.yaml"]);
    assert_eq!(status, 1, "{report}");
    let got: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["column"].as_u64().unwrap_or(0),
                f["suppressed"]["reason"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let waived = |code: &str, line, column, reason: &str| {
        (code.to_owned(), line, column, Some(reason.to_owned()))
    };
    assert_eq!(
        got,
        [
            waived(
                "undeclared-personal-field",
                8,
                9,
                "support calls back; declared in PRIV-142"
            ),
            ("unused-waiver".to_owned(), 9, 5, None),
            waived(
                "personal-data-in-logs",
                16,
                41,
                "debug builds only, never shipped"
            ),
            ("invalid-annotation".to_owned(), 17, 5, None),
            ("personal-data-in-logs".to_owned(), 18, 41, None),
        ]
    );
}
