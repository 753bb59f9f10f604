//! `ropa schema` agrees with the loader: every inventory fixture that loads validates
//! against the schema it prints, and every fixture the loader rejects for a reason the
//! schema can state (an unknown key, a wrong type, a missing key, a bad word) does not.

mod common;

use common::ropa;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn validator() -> jsonschema::Validator {
    let output = ropa().arg("schema").output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&output.stdout).expect("schema is JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&schema)
        .expect("the schema compiles")
}

fn as_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).expect("fixture");
    serde_saphyr::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_that_loads_validates() {
    let validator = validator();
    let mut files = Vec::new();
    for dir in [
        "inventory",
        "fixtures/pass",
        "fixtures/broken",
        "fixtures/policies/cucinovo",
    ] {
        files.extend(yaml_files(dir));
    }
    for entry in fs::read_dir("fixtures/code").expect("dir").flatten() {
        let inventory = entry.path().join("inventory.yaml");
        if inventory.exists() {
            files.push(inventory);
        }
    }
    assert!(files.len() > 90, "{}", files.len());
    for file in files {
        let errors: Vec<String> = validator
            .iter_errors(&as_json(&file))
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn fixtures_rejected_for_a_schema_reason_do_not_validate() {
    let validator = validator();
    for file in [
        "fixtures/bad/unknown-key.yaml",
        "fixtures/bad/wrong-type.yaml",
        "fixtures/bad/waivers.yaml",
    ] {
        assert!(
            !validator.is_valid(&as_json(Path::new(file))),
            "{file} validates, but ropa check rejects it"
        );
    }
    let cases = [
        "version: 2\n",
        "version: 1\nstores:\n  - { id: db, regoin: us }\n",
        "version: 1\nflows:\n  - { from: a, data: [x] }\n",
        "version: 1\nrules:\n  - { id: r }\n",
        "version: 1\nrules:\n  - { id: r, retention: {}, prohibited: {} }\n",
        "version: 1\nflows:\n  - { from: a, to: b, data: [x], lawful_basis: vibes }\n",
        "version: 1\nsubprocessors:\n  - { id: a, announced: soon }\n",
        "version: 1\nwaivers:\n  - { code: retention, reason: x }\n",
    ];
    for yaml in cases {
        let value: Value = serde_saphyr::from_str(yaml).expect("yaml");
        assert!(!validator.is_valid(&value), "{yaml}");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inventory.yaml");
        fs::write(&path, yaml).expect("write");
        let status = ropa()
            .args(["check", path.to_str().expect("path")])
            .output()
            .expect("runs")
            .status
            .code();
        assert_eq!(
            status,
            Some(2),
            "ropa check accepts what the schema rejects: {yaml}"
        );
    }
}
