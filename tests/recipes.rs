//! The CI recipes in `docs/ci/` work: both files parse as YAML with the structure their
//! CI expects, and every `ropa` command they run succeeds on a repository this test
//! creates with git (skipped, saying so, where git is not installed).

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Command;

fn parse(path: &str) -> Value {
    let text = fs::read_to_string(path).expect("recipe");
    serde_saphyr::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn github_commands() -> Vec<String> {
    let workflow = parse("docs/ci/github-workflow.yml");
    let steps = workflow["jobs"]["ropa"]["steps"].as_array().expect("steps");
    assert!(steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))
    }));
    assert_eq!(workflow["permissions"]["security-events"], "write");
    steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .filter(|r| r.starts_with("ropa "))
        .map(str::to_owned)
        .collect()
}

fn gitlab_commands() -> Vec<String> {
    let pipeline = parse("docs/ci/gitlab-ci.yml");
    let job = &pipeline["ropa"];
    assert_eq!(
        job["artifacts"]["reports"]["codequality"],
        "gl-code-quality-report.json"
    );
    job["script"]
        .as_array()
        .expect("script")
        .iter()
        .filter_map(|s| s.as_str())
        .filter(|r| r.starts_with("ropa "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_recipes_parse_and_run_ropa() {
    let github = github_commands();
    let gitlab = gitlab_commands();
    assert_eq!(github.len(), 5, "{github:?}");
    assert_eq!(gitlab.len(), 3, "{gitlab:?}");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn every_ropa_command_of_the_recipes_succeeds_on_a_repository() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: the recipes' commands are not run");
        return;
    }
    let repo = tempfile::tempdir().expect("tempdir");
    let root = repo.path();
    fs::create_dir_all(root.join("inventory")).expect("mkdir");
    let inventory = fs::read_to_string("fixtures/pass/selectors.yaml").expect("fixture");
    fs::write(root.join("inventory/main.yaml"), &inventory).expect("write");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "inventory"]);
    git(root, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(root, &["checkout", "-qb", "feature"]);
    fs::write(
        root.join("inventory/main.yaml"),
        format!("# reviewed\n{inventory}"),
    )
    .expect("write");
    git(root, &["commit", "-qam", "a comment"]);
    let binary = Path::new(env!("CARGO_BIN_EXE_ropa"));
    let path = format!(
        "{}:{}",
        binary.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let summary = root.join("summary.md");
    for command in github_commands().into_iter().chain(gitlab_commands()) {
        let command = command.replace("${{ github.base_ref }}", "main");
        let output = Command::new("sh")
            .current_dir(root)
            .arg("-c")
            .arg(&command)
            .env("PATH", &path)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
            .output()
            .expect("sh runs");
        assert!(
            output.status.success(),
            "{command}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let sarif: Value =
        serde_json::from_str(&fs::read_to_string(root.join("ropa.sarif")).expect("sarif"))
            .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let summary = fs::read_to_string(summary).expect("summary");
    assert!(
        summary.contains("## ropa: what this change does to the data map"),
        "{summary}"
    );
    assert!(summary.contains("## ropa: every promise kept"), "{summary}");
    let quality: Value = serde_json::from_str(
        &fs::read_to_string(root.join("gl-code-quality-report.json")).expect("report"),
    )
    .expect("JSON");
    assert_eq!(quality, Value::Array(Vec::new()));
    let junit = fs::read_to_string(root.join("ropa-junit.xml")).expect("junit");
    assert!(junit.starts_with("<?xml"), "{junit}");
}
