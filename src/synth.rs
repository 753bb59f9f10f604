//! Synthetic inventories for benchmarks: `nodes` nodes of every kind with
//! `flows_per_node` outgoing flows each, a rule of every kind, split across files of at
//! most `NODES_PER_FILE` nodes. Deterministic: the same arguments give the same text.

/// Nodes per generated file, keeping each file far below the size limit.
pub const NODES_PER_FILE: usize = 5_000;

const CATEGORIES: &[&str] = &[
    "user.contact.email",
    "user.name",
    "user.device.ip_address",
    "user.behavior.browsing_history",
    "user.financial.bank_account",
    "user.account.username",
    "user.unique_id",
    "system.operations",
];
const PURPOSES: &[&str] = &[
    "essential.service",
    "analytics.reporting",
    "essential.service.payment_processing",
    "marketing.communications.email",
];
const BASES: &[&str] = &["contract", "legitimate_interests", "consent"];

/// The kind of the node with this index: 5% subjects, 25% systems, 40% stores,
/// 20% subprocessors, 10% third parties.
fn kind(index: usize) -> &'static str {
    match index % 20 {
        0 => "subjects",
        1..=5 => "systems",
        6..=13 => "stores",
        14..=17 => "subprocessors",
        _ => "third_parties",
    }
}

/// A small deterministic hash for choosing targets and categories.
fn mix(a: usize, b: usize) -> usize {
    let mut x = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    (x ^ (x >> 29)) as usize
}

/// Generates the inventory as (file name, YAML text) pairs.
pub fn generate(nodes: usize, flows_per_node: usize) -> Vec<(String, String)> {
    let nodes = nodes.max(20);
    let mut files = Vec::new();
    let mut header =
        String::from("version: 1\norganization: { id: synth, name: Synthetic Corp }\nregions:\n");
    header.push_str("  - { id: us, country: US }\n  - { id: us-east, parent: us }\n  - { id: eu, country: DE, groups: [eea] }\n");
    header.push_str(&rules());
    files.push(("000-regions-and-rules.yaml".to_owned(), header));
    for (chunk, start) in (0..nodes).step_by(NODES_PER_FILE).enumerate() {
        let end = (start + NODES_PER_FILE).min(nodes);
        let mut text = String::with_capacity((end - start) * (200 + flows_per_node * 220));
        text.push_str("version: 1\norganization: { id: synth }\n");
        for section in [
            "subjects",
            "systems",
            "stores",
            "subprocessors",
            "third_parties",
        ] {
            let members: Vec<usize> = (start..end).filter(|i| kind(*i) == section).collect();
            if members.is_empty() {
                continue;
            }
            text.push_str(section);
            text.push_str(":\n");
            for i in members {
                node(&mut text, section, i);
            }
        }
        text.push_str("flows:\n");
        for i in start..end {
            for k in 0..flows_per_node {
                flow(&mut text, i, k, nodes);
            }
        }
        files.push((format!("{:03}-nodes.yaml", chunk + 1), text));
    }
    files
}

fn node(text: &mut String, section: &str, i: usize) {
    let region = if mix(i, 1).is_multiple_of(50) {
        "eu"
    } else {
        "us-east"
    };
    match section {
        "subjects" => text.push_str(&format!("  - {{ id: n{i}, subject: customer }}\n")),
        "systems" => text.push_str(&format!("  - {{ id: n{i}, region: {region} }}\n")),
        "stores" => text.push_str(&format!(
            "  - id: n{i}\n    region: {region}\n    encrypted_at_rest: {}\n    holds:\n      - data: [user, system]\n        retention: {}d\n",
            !mix(i, 2).is_multiple_of(40),
            30 + mix(i, 3) % 60
        )),
        "subprocessors" => text.push_str(&format!(
            "  - {{ id: n{i}, region: {region}, purposes: [essential, analytics] }}\n"
        )),
        _ => text.push_str(&format!("  - {{ id: n{i}, region: {region}, risk: Receives data. }}\n")),
    }
}

fn flow(text: &mut String, from: usize, k: usize, nodes: usize) {
    // Pick a target that is not a subject.
    let mut to = mix(from, k + 10) % nodes;
    while kind(to) == "subjects" || to == from {
        to = (to + 1) % nodes;
    }
    let first = CATEGORIES[mix(from, k + 20) % CATEGORIES.len()];
    let second = CATEGORIES[mix(from, k + 30) % CATEGORIES.len()];
    text.push_str(&format!(
        "  - from: n{from}\n    to: n{to}\n    data: [{first}, {second}]\n    purpose: {}\n    lawful_basis: {}\n    encrypted_in_transit: {}\n",
        PURPOSES[mix(from, k + 40) % PURPOSES.len()],
        BASES[mix(from, k + 50) % BASES.len()],
        !mix(from, k + 60).is_multiple_of(30)
    ));
}

fn rules() -> String {
    "rules:
  - { id: r-location, claim: S1, location: { data: [user], allowed_regions: [us] } }
  - { id: r-transfer, claim: S2, transfer: { data: [user], allowed_regions: [us] } }
  - { id: r-sharing, claim: S3, sharing: { data: [user], to: [third_parties], deny_purposes: [marketing] } }
  - { id: r-retention, claim: S4, retention: { data: [user.financial], max: 60d } }
  - { id: r-encryption, claim: S5, encryption: { data: [user], at_rest: true, in_transit: true } }
  - { id: r-prohibited, claim: S6, prohibited: { data: [sensitive] } }
  - { id: r-lawful-basis, claim: S7, lawful_basis: { data: [user], purposes: [marketing], require: [consent] } }
"
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_inventory_loads_with_every_rule_kind() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in generate(200, 10) {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        let inventory = match crate::inventory::load(&[dir.path().to_path_buf()]) {
            Ok(inventory) => inventory,
            Err(failure) => panic!("{:?}", failure.problems.first()),
        };
        assert_eq!(inventory.nodes.len(), 200);
        assert_eq!(inventory.decl.rules.len(), 7);
        assert_eq!(inventory.decl.flows.len(), 200 * 10);
    }
}
