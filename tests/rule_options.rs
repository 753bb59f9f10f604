//! Each rule option changes what is caught: small inventories written on the fly, each
//! checked with and without the condition the option is about.

mod common;

use common::check_json;

const BASE: &str = "version: 1
organization: { id: org }
regions:
  - { id: us, country: US }
  - { id: ua, country: UA }
subjects:
  - { id: person, subject: customer }
systems:
  - { id: app, region: us }
";

/// Checks BASE + `extra`; returns the codes of the findings.
fn codes(extra: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("inventory.yaml");
    std::fs::write(&path, format!("{BASE}{extra}")).expect("write");
    let (status, report) = check_json(&[path.to_str().expect("path")]);
    assert_ne!(status, 2, "input error: {report}");
    common::summary(&report).into_iter().map(|f| f.0).collect()
}

const SHARE_TO_VENDOR: &str = "subprocessors:
  - { id: vendor, region: us, purposes: [essential, marketing] }
flows:
  - { id: collect, from: person, to: app, data: [user.contact.email], purpose: essential.service, lawful_basis: contract, encrypted_in_transit: true }
  - { id: share, from: app, to: vendor, data: [user.contact.email], purpose: PURPOSE, lawful_basis: BASIS, encrypted_in_transit: true }
";

fn share(purpose: &str, basis: &str, rule: &str) -> Vec<String> {
    codes(&format!(
        "{}rules:\n  - {{ id: r, {rule} }}\n",
        SHARE_TO_VENDOR
            .replace("PURPOSE", purpose)
            .replace("BASIS", basis)
    ))
}

#[test]
fn sharing_allow_purposes() {
    let rule = "sharing: { to: [vendor], allow_purposes: [essential.service] }";
    assert!(share("essential.service.operations", "contract", rule).is_empty());
    assert_eq!(
        share("marketing.communications.email", "consent", rule),
        ["sharing"]
    );
}

#[test]
fn sharing_unless_basis_exempts_consented_flows() {
    let rule = "sharing: { to: [vendor], unless_basis: [consent] }";
    assert!(share("marketing", "consent", rule).is_empty());
    assert_eq!(
        share("marketing", "legitimate_interests", rule),
        ["sharing"]
    );
}

#[test]
fn sharing_from_limits_the_senders() {
    assert!(
        share(
            "essential",
            "contract",
            "sharing: { to: [vendor], from: [subjects] }"
        )
        .is_empty()
    );
    assert_eq!(
        share(
            "essential",
            "contract",
            "sharing: { to: [vendor], from: [systems] }"
        ),
        ["sharing"]
    );
}

#[test]
fn sharing_allow_recipients() {
    assert!(
        share(
            "essential",
            "contract",
            "sharing: { to: [subprocessors], allow_recipients: [vendor] }"
        )
        .is_empty()
    );
    assert_eq!(
        share(
            "essential",
            "contract",
            "sharing: { to: [subprocessors], allow_recipients: [app] }"
        ),
        ["sharing"]
    );
}

#[test]
fn anonymized_data_is_selected_only_when_asked() {
    let flows = "subprocessors:
  - { id: analytics, region: us, purposes: [analytics] }
flows:
  - { from: person, to: app, data: [system.operations], purpose: essential.service }
  - { from: person, to: analytics, data: [user.device.ip_address], anonymized: true, purpose: analytics.reporting, lawful_basis: consent, encrypted_in_transit: true }
";
    assert!(
        codes(&format!(
            "{flows}rules:\n  - {{ id: r, sharing: {{ to: [analytics] }} }}\n"
        ))
        .is_empty()
    );
    assert_eq!(
        codes(&format!(
            "{flows}rules:\n  - {{ id: r, sharing: {{ to: [analytics], include_anonymized: true }} }}\n"
        )),
        ["sharing"]
    );
}

const TRANSFER: &str = "subprocessors:
  - { id: desk, region: ua, purposes: [essential] }
flows:
  - { from: person, to: app, data: [user.name], purpose: essential.service, lawful_basis: contract, encrypted_in_transit: true }
  - { from: app, to: desk, data: [user.name], purpose: essential.service.operations.support, lawful_basis: legitimate_interests, encrypted_in_transit: true, transfer_mechanism: MECHANISM }
rules:
  - { id: r, transfer: { allowed_regions: [us], mechanisms: [sccs] } }
";

#[test]
fn transfer_mechanisms_limit_what_is_accepted() {
    assert!(codes(&TRANSFER.replace("MECHANISM", "sccs")).is_empty());
    assert_eq!(
        codes(&TRANSFER.replace("MECHANISM", "consent")),
        ["transfer"]
    );
    // Several tools on one flow: one the rule accepts is enough.
    assert!(codes(&TRANSFER.replace("MECHANISM", "[consent, sccs]")).is_empty());
    assert_eq!(
        codes(&TRANSFER.replace("MECHANISM", "[consent, derogation]")),
        ["transfer"]
    );
}

const STORE: &str = "stores:
  - id: db
    region: us
    encrypted_at_rest: true
    holds: [ { data: [user.name], retention: 30d } ]
    backups: { region: BACKUP_REGION, encrypted: BACKUP_ENCRYPTED, retention: 7d }
flows:
  - { from: person, to: app, data: [user.name], purpose: essential.service, lawful_basis: contract, encrypted_in_transit: true }
  - { from: app, to: db, data: [user.name], purpose: essential.service, lawful_basis: contract, encrypted_in_transit: true }
";

fn store(region: &str, encrypted: &str, rule: &str) -> Vec<String> {
    codes(&format!(
        "{}rules:\n  - {{ id: r, {rule} }}\n",
        STORE
            .replace("BACKUP_REGION", region)
            .replace("BACKUP_ENCRYPTED", encrypted)
    ))
}

#[test]
fn backups_inherit_location_rules() {
    let rule = "location: { allowed_regions: [us], nodes: [stores] }";
    assert!(store("us", "true", rule).is_empty());
    assert_eq!(store("ua", "true", rule), ["location"]);
}

#[test]
fn backups_inherit_encryption_rules() {
    let rule = "encryption: { at_rest: true }";
    assert!(store("us", "true", rule).is_empty());
    assert_eq!(store("us", "false", rule), ["encryption"]);
}

#[test]
fn nodes_limit_where_a_rule_looks() {
    assert_eq!(
        store(
            "us",
            "true",
            "prohibited: { data: [user.name], nodes: [systems] }"
        ),
        ["prohibited"],
        "only the flow into `app`, not the store"
    );
    assert_eq!(
        store(
            "us",
            "true",
            "retention: { data: [user.name], max: 7d, nodes: [db] }"
        ),
        ["retention"]
    );
    assert!(
        store(
            "us",
            "true",
            "retention: { data: [user.name], max: 7d, nodes: [app] }"
        )
        .is_empty()
    );
}

#[test]
fn rules_see_only_their_own_organization() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.yaml"), STORE.replace("BACKUP_REGION", "ua").replace("BACKUP_ENCRYPTED", "true").replace("stores:", "version: 1\norganization: { id: a }\nsubjects:\n  - { id: person }\nsystems:\n  - { id: app, region: us }\nstores:")).expect("write");
    std::fs::write(
        dir.path().join("b.yaml"),
        "version: 1\norganization: { id: b }\nregions:\n  - { id: us, country: US }\n  - { id: ua, country: UA }\nrules:\n  - { id: r, location: { allowed_regions: [us] } }\n",
    )
    .expect("write");
    let (status, report) = check_json(&[dir.path().to_str().expect("path")]);
    assert_eq!(
        status, 0,
        "organization b's rule must not judge organization a: {report}"
    );
}
