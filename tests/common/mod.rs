//! Helpers shared by the integration tests: running the real `ropa` binary and reading
//! its JSON report.

#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;

/// `ropa` with colour off and no inherited NO_COLOR, so output is stable.
pub fn ropa() -> Command {
    let mut cmd = assert_cmd::cargo_bin_cmd!("ropa");
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs `ropa check ARGS --format json`; returns the exit status and the report.
pub fn check_json(args: &[&str]) -> (i32, Value) {
    let output = ropa()
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("ropa runs");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), report)
}

/// (code, rule, claim, line, column) of one finding.
pub type FindingKey = (String, Option<String>, Option<String>, u64, u64);

/// The key of each finding, in report order.
pub fn summary(report: &Value) -> Vec<FindingKey> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["rule"].as_str().map(str::to_owned),
                f["claim"].as_str().map(str::to_owned),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// Runs `ropa check ARGS` in human format; returns (status, stdout, stderr).
pub fn check_human(args: &[&str]) -> (i32, String, String) {
    let output = ropa()
        .arg("check")
        .args(args)
        .args(["--color", "never"])
        .output()
        .expect("ropa runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
