//! The bundled inventories encode the two seed privacy statements: they load, check
//! clean, and cite every claim of CLAIMS.md.

mod common;

use common::{check_human, check_json};
use std::path::PathBuf;

#[test]
fn bundled_inventory_is_clean() {
    let (status, report) = check_json(&["inventory"]);
    // One finding, waived in alpha-serve.yaml: the customer's Atlassian instance has
    // no region the statement names, which the record of processing would need.
    assert_eq!(report["summary"]["total"], 0, "{report}");
    assert_eq!(report["summary"]["suppressed"], 1, "{report}");
    assert_eq!(
        report["findings"][0]["code"], "record-incomplete",
        "{report}"
    );
    assert_eq!(status, 0);
    assert_eq!(report["checked"]["files"], 3);
}

#[test]
fn check_defaults_to_the_inventory_directory() {
    let output = common::ropa().arg("check").output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("waived warning[record-incomplete]"),
        "{stdout}"
    );
    assert!(stdout.contains("\nno findings: 3 files"), "{stdout}");
}

fn expected_claims() -> Vec<String> {
    let claims_md = PathBuf::from("../shared/seeds/CLAIMS.md");
    match std::fs::read_to_string(&claims_md) {
        // The table rows of CLAIMS.md: `| A1 | ...`.
        Ok(text) => text
            .lines()
            .filter_map(|l| l.strip_prefix("| "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|id| {
                id.len() <= 3 && id[1..].chars().all(|c| c.is_ascii_digit()) && !id[1..].is_empty()
            })
            .map(str::to_owned)
            .collect(),
        Err(_) => (1..=17)
            .map(|i| format!("A{i}"))
            .chain((1..=19).map(|i| format!("B{i}")))
            .collect(),
    }
}

#[test]
fn every_claim_is_cited() {
    let inventory = match ropa::inventory::load(&[PathBuf::from("inventory")]) {
        Ok(inventory) => inventory,
        Err(failure) => panic!("inventory does not load: {:?}", failure.problems),
    };
    let cited = inventory.cited_claims();
    let expected = expected_claims();
    assert_eq!(expected.len(), 36, "CLAIMS.md lists A1-A17 and B1-B19");
    let missing: Vec<_> = expected.iter().filter(|c| !cited.contains(c)).collect();
    assert!(
        missing.is_empty(),
        "claims not cited by any rule or declaration: {missing:?}"
    );
}

#[test]
fn organizations_scope_their_rules() {
    // Actipro's "everything in the US" rule does not judge Alpha Serve's Ukrainian
    // support workstations: checking both together stays clean.
    let (status, _, _) = check_human(&[
        "inventory/regions.yaml",
        "inventory/actipro.yaml",
        "inventory/alpha-serve.yaml",
    ]);
    assert_eq!(status, 0);
}
