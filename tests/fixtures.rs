//! Runs the binary on every fixture: each broken inventory must produce exactly the
//! findings (code, rule, claim, line, column) of the claim it breaks, each passing one
//! none; a few outputs are snapshotted.

mod common;

use common::{check_human, check_json, summary};

type Expected<'a> = (&'a str, Option<&'a str>, Option<&'a str>, u64, u64);

fn assert_findings(fixture: &str, expected: &[Expected]) {
    let path = format!("fixtures/broken/{fixture}");
    let (status, report) = check_json(&[&path]);
    let got = summary(&report);
    let want: Vec<_> = expected
        .iter()
        .map(|(code, rule, claim, line, column)| {
            (
                code.to_string(),
                rule.map(str::to_owned),
                claim.map(str::to_owned),
                *line,
                *column,
            )
        })
        .collect();
    assert_eq!(got, want, "findings of {fixture}");
    assert_eq!(status, 1, "exit status of {fixture}");
    assert_eq!(report["status"], "findings");
}

#[test]
fn a1_personal_data_to_google_analytics() {
    assert_findings(
        "a1-personal-data-to-google-analytics.yaml",
        &[("sharing", Some("ga-anonymous-only"), Some("A1"), 14, 44)],
    );
}

#[test]
fn a7_religion_collected() {
    let rule = Some("no-sensitive-data");
    assert_findings(
        "a7-religion-collected.yaml",
        &[
            ("prohibited", rule, Some("A7"), 15, 27),
            // The record of processing lacks the Art. 9 condition of both flows.
            ("record-incomplete", None, None, 18, 5),
            ("prohibited", rule, Some("A7"), 21, 23),
            ("record-incomplete", None, None, 25, 5),
            ("prohibited", rule, Some("A7"), 28, 23),
        ],
    );
}

#[test]
fn a10_newsletter_without_consent() {
    assert_findings(
        "a10-newsletter-without-consent.yaml",
        &[(
            "lawful_basis",
            Some("newsletters-need-consent"),
            Some("A10"),
            25,
            19,
        )],
    );
}

#[test]
fn a11_marketing_sharing() {
    assert_findings(
        "a11-marketing-sharing.yaml",
        &[(
            "sharing",
            Some("no-promotional-sharing"),
            Some("A11"),
            23,
            12,
        )],
    );
}

#[test]
fn a12_merchant_gets_email() {
    assert_findings(
        "a12-merchant-gets-email.yaml",
        &[("sharing", Some("merchant-minimum"), Some("A12"), 23, 23)],
    );
}

#[test]
fn a13_card_retained() {
    assert_findings(
        "a13-card-retained.yaml",
        &[(
            "retention",
            Some("card-numbers-not-retained"),
            Some("A13"),
            17,
            16,
        )],
    );
}

#[test]
fn a14_no_retention_declared() {
    assert_findings(
        "a14-no-retention-declared.yaml",
        &[("retention", Some("retention-declared"), Some("A14"), 15, 16)],
    );
}

#[test]
fn a15_unencrypted_flow() {
    assert_findings(
        "a15-unencrypted-flow.yaml",
        &[("encryption", Some("ssl-everywhere"), Some("A15"), 17, 27)],
    );
}

#[test]
fn a16_store_in_eu_west_1() {
    assert_findings(
        "a16-store-in-eu-west-1.yaml",
        &[("location", Some("data-stored-in-us"), Some("A16"), 13, 13)],
    );
}

#[test]
fn b1_transfer_without_mechanism() {
    assert_findings(
        "b1-transfer-no-mechanism.yaml",
        &[(
            "transfer",
            Some("transfers-need-a-mechanism"),
            Some("B1"),
            23,
            9,
        )],
    );
}

#[test]
fn b2_undeclared_recipient() {
    assert_findings(
        "b2-undeclared-recipient.yaml",
        &[("undeclared-recipient", None, None, 13, 9)],
    );
}

#[test]
fn b10_sentry_gets_email() {
    assert_findings(
        "b10-sentry-gets-email.yaml",
        &[("sharing", Some("sentry-errors-only"), Some("B10"), 17, 56)],
    );
}

#[test]
fn b11_token_unencrypted() {
    assert_findings(
        "b11-token-unencrypted.yaml",
        &[(
            "encryption",
            Some("api-token-encrypted"),
            Some("B11"),
            13,
            24,
        )],
    );
}

#[test]
fn b12_logs_kept_90_days() {
    assert_findings(
        "b12-logs-kept-90-days.yaml",
        &[("retention", Some("api-logs-60-days"), Some("B12"), 19, 20)],
    );
}

#[test]
fn b15_email_column() {
    let rule = Some("email-never-stored");
    assert_findings(
        "b15-email-column.yaml",
        &[
            ("prohibited", rule, Some("B15"), 17, 16),
            ("prohibited", rule, Some("B15"), 30, 28),
        ],
    );
}

#[test]
fn b18_extra_subprocessor() {
    assert_findings(
        "b18-extra-subprocessor.yaml",
        &[(
            "sharing",
            Some("only-declared-subprocessors"),
            Some("B18"),
            32,
            12,
        )],
    );
}

#[test]
fn a2_personal_data_to_application_insights() {
    assert_findings(
        "a2-personal-data-to-application-insights.yaml",
        &[(
            "sharing",
            Some("insights-anonymous-only"),
            Some("A2"),
            14,
            28,
        )],
    );
}

#[test]
fn a3_personal_data_to_exceptionless() {
    assert_findings(
        "a3-personal-data-to-exceptionless.yaml",
        &[(
            "sharing",
            Some("exceptionless-diagnostics-only"),
            Some("A3"),
            17,
            31,
        )],
    );
}

#[test]
fn a8_downloads_shared() {
    assert_findings(
        "a8-downloads-shared.yaml",
        &[(
            "sharing",
            Some("private-data-never-shared"),
            Some("A8"),
            20,
            12,
        )],
    );
}

#[test]
fn a9_public_profile_shows_email() {
    assert_findings(
        "a9-public-profile-shows-email.yaml",
        &[(
            "sharing",
            Some("public-profile-name-only"),
            Some("A9"),
            17,
            23,
        )],
    );
}

#[test]
fn b3_marketplace_analytics_not_anonymized() {
    assert_findings(
        "b3-marketplace-analytics-not-anonymized.yaml",
        &[(
            "sharing",
            Some("marketplace-analytics-anonymized"),
            Some("B3"),
            14,
            44,
        )],
    );
}

#[test]
fn b5_device_data_outside_support() {
    assert_findings(
        "b5-device-data-outside-support.yaml",
        &[(
            "sharing",
            Some("technical-info-for-support-only"),
            Some("B5"),
            14,
            12,
        )],
    );
}

#[test]
fn b6_customer_data_in_app_store() {
    assert_findings(
        "b6-customer-data-in-app-store.yaml",
        &[
            (
                "prohibited",
                Some("no-customer-data-in-apps"),
                Some("B6"),
                18,
                16,
            ),
            (
                "prohibited",
                Some("no-customer-data-in-apps"),
                Some("B6"),
                25,
                12,
            ),
        ],
    );
}

#[test]
fn b7_usernames_stored() {
    assert_findings(
        "b7-usernames-stored.yaml",
        &[
            (
                "prohibited",
                Some("usernames-stay-in-parent-product"),
                Some("B7"),
                15,
                16,
            ),
            (
                "prohibited",
                Some("usernames-stay-in-parent-product"),
                Some("B7"),
                19,
                67,
            ),
        ],
    );
}

#[test]
fn b8_session_data_not_anonymized() {
    assert_findings(
        "b8-session-data-not-anonymized.yaml",
        &[
            (
                "prohibited",
                Some("session-data-anonymized"),
                Some("B8"),
                15,
                16,
            ),
            (
                "prohibited",
                Some("session-data-anonymized"),
                Some("B8"),
                15,
                32,
            ),
        ],
    );
}

#[test]
fn b13_license_data_outside_oregon() {
    assert_findings(
        "b13-license-data-outside-oregon.yaml",
        &[(
            "location",
            Some("license-data-in-oregon"),
            Some("B13"),
            17,
            13,
        )],
    );
}

#[test]
fn b14_shared_with_third_party() {
    assert_findings(
        "b14-shared-with-third-party.yaml",
        &[("sharing", Some("no-sharing"), Some("B14"), 17, 12)],
    );
}

#[test]
fn b16_backup_unencrypted() {
    assert_findings(
        "b16-backup-unencrypted.yaml",
        &[("encryption", Some("backups-encrypted"), Some("B16"), 17, 39)],
    );
}

#[test]
fn b17_billing_without_legal_basis() {
    assert_findings(
        "b17-billing-without-legal-basis.yaml",
        &[(
            "lawful_basis",
            Some("billing-for-tax-law"),
            Some("B17"),
            16,
            19,
        )],
    );
}

#[test]
fn b19_kept_forever() {
    assert_findings(
        "b19-kept-forever.yaml",
        &[("retention", Some("retention-declared"), Some("B19"), 16, 20)],
    );
}

#[test]
fn always_on_checks() {
    assert_findings(
        "undeclared-holding-and-purpose.yaml",
        &[
            ("unreachable-node", None, None, 16, 9),
            ("missing-purpose", None, None, 22, 5),
            ("record-incomplete", None, None, 22, 5),
            ("record-incomplete", None, None, 26, 5),
            ("undeclared-holding", None, None, 29, 32),
        ],
    );
}

#[test]
fn every_rule_kind_has_a_passing_fixture() {
    for kind in ropa::catalog::RULE_KIND_CODES {
        let path = format!("fixtures/pass/{kind}.yaml");
        let (status, report) = check_json(&[&path]);
        assert_eq!(report["status"], "clean", "{path}: {report}");
        assert_eq!(status, 0, "{path}");
    }
}

#[test]
fn every_rule_kind_has_a_failing_fixture() {
    let mut seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir("fixtures/broken").expect("fixtures/broken") {
        let path = entry.expect("entry").path();
        let (_, report) = check_json(&[path.to_str().expect("utf-8 path")]);
        for finding in report["findings"].as_array().expect("findings") {
            seen.insert(finding["code"].as_str().unwrap_or_default().to_owned());
        }
    }
    for kind in ropa::catalog::RULE_KIND_CODES
        .iter()
        .chain(ropa::catalog::ALWAYS_ON_CODES)
    {
        assert!(seen.contains(*kind), "no broken fixture triggers `{kind}`");
    }
}

#[test]
fn human_output_of_card_retained() {
    let (status, stdout, _) = check_human(&["fixtures/broken/a13-card-retained.yaml"]);
    assert_eq!(status, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn human_output_of_transfer_without_mechanism() {
    let (_, stdout, _) = check_human(&["fixtures/broken/b1-transfer-no-mechanism.yaml"]);
    insta::assert_snapshot!(stdout);
}

#[test]
fn json_output_of_store_in_eu_west_1() {
    let (_, report) = check_json(&["fixtures/broken/a16-store-in-eu-west-1.yaml"]);
    insta::assert_snapshot!(serde_json::to_string_pretty(&report).expect("json"));
}

#[test]
fn json_output_of_always_on_checks() {
    let (_, report) = check_json(&["fixtures/broken/undeclared-holding-and-purpose.yaml"]);
    insta::assert_snapshot!(serde_json::to_string_pretty(&report).expect("json"));
}

#[test]
fn every_claim_a_seed_rule_encodes_is_broken_by_a_fixture() {
    let inventory = match ropa::inventory::load(&[std::path::PathBuf::from("inventory")]) {
        Ok(inventory) => inventory,
        Err(failure) => panic!("seed inventory does not load: {:?}", failure.problems),
    };
    let encoded: std::collections::BTreeSet<String> = inventory
        .decl
        .rules
        .iter()
        .flat_map(|r| r.claims.iter().map(|c| c.value.clone()))
        .collect();
    let mut broken = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir("fixtures/broken").expect("fixtures/broken") {
        let path = entry.expect("entry").path();
        let (_, report) = check_json(&[path.to_str().expect("utf-8 path")]);
        for finding in report["findings"].as_array().expect("findings") {
            for claim in finding["claims"].as_array().into_iter().flatten() {
                if let Some(claim) = claim.as_str() {
                    broken.insert(claim.to_owned());
                }
            }
        }
    }
    let unbroken: Vec<_> = encoded.difference(&broken).collect();
    assert!(
        unbroken.is_empty(),
        "claims with a rule but no breaking fixture: {unbroken:?}"
    );
}

#[test]
fn transfer_tools_that_hold_pass() {
    let (status, report) = check_json(&["fixtures/pass/transfer-tools.yaml"]);
    assert_eq!(report["status"], "clean", "{report}");
    assert_eq!(status, 0);
}

const TOOLS_RULE: Option<&str> = Some("transfers-use-a-tool-that-holds");

#[test]
fn adequacy_needs_a_decision_for_the_importers_country() {
    assert_findings(
        "transfer-adequacy-no-decision.yaml",
        &[("transfer", TOOLS_RULE, None, 26, 162)],
    );
}

#[test]
fn the_data_privacy_framework_needs_a_certified_recipient_in_the_us() {
    assert_findings(
        "transfer-dpf-not-certified.yaml",
        &[("transfer", TOOLS_RULE, None, 24, 158)],
    );
    assert_findings(
        "transfer-adequacy-us-uncertified.yaml",
        &[("transfer", TOOLS_RULE, None, 24, 158)],
    );
    assert_findings(
        "transfer-dpf-outside-us.yaml",
        &[("transfer", TOOLS_RULE, None, 25, 164)],
    );
}

#[test]
fn the_uks_tools_are_for_exports_from_the_uk() {
    assert_findings(
        "transfer-uk-tool-outside-uk.yaml",
        &[("transfer", TOOLS_RULE, None, 26, 162)],
    );
}

#[test]
fn adequacy_is_judged_by_the_exporters_regime() {
    assert_findings(
        "transfer-adequacy-unknown-regime.yaml",
        &[
            ("transfer", TOOLS_RULE, None, 28, 168),
            ("transfer", TOOLS_RULE, None, 29, 168),
        ],
    );
}

#[test]
fn human_output_of_a_transfer_to_an_uncertified_recipient() {
    let (_, stdout, _) = check_human(&["fixtures/broken/transfer-dpf-not-certified.yaml"]);
    insta::assert_snapshot!(stdout);
}

#[test]
fn a_rule_can_cite_several_claims() {
    let (status, report) = check_json(&["fixtures/pass/rule-several-claims.yaml"]);
    assert_eq!((status, report["status"].as_str()), (0, Some("clean")));
    assert_findings(
        "rule-several-claims.yaml",
        &[("location", Some("stored-in-the-us"), Some("S1"), 14, 30)],
    );
    let (_, report) = check_json(&["fixtures/broken/rule-several-claims.yaml"]);
    assert_eq!(
        report["findings"][0]["claims"],
        serde_json::json!(["S1", "S2"])
    );
    let (_, stdout, _) = check_human(&["fixtures/broken/rule-several-claims.yaml"]);
    assert!(stdout.contains("protects claims S1, S2"), "{stdout}");
}

#[test]
fn at_most_one_of_a_set_of_alternatives_is_in_use() {
    assert_findings(
        "alternatives-two-in-use.yaml",
        &[(
            "alternatives",
            Some("one-mail-provider"),
            Some("M1"),
            13,
            74,
        )],
    );
    // Standby and inactive processors are documented, not unreachable.
    let (status, report) = check_json(&["fixtures/pass/alternatives.yaml"]);
    assert_eq!(
        (status, report["status"].as_str()),
        (0, Some("clean")),
        "{report}"
    );
}

#[test]
fn a_transfer_rule_can_require_a_tool_of_given_recipients() {
    let (status, report) = check_json(&["fixtures/pass/transfer-per-recipient.yaml"]);
    assert_eq!(
        (status, report["status"].as_str()),
        (0, Some("clean")),
        "{report}"
    );
    assert_findings(
        "transfer-per-recipient.yaml",
        &[("transfer", Some("mailer-under-sccs"), Some("SP3"), 19, 158)],
    );
}

#[test]
fn retention_after_an_event_is_bounded_and_compared() {
    let (status, report) = check_json(&["fixtures/pass/retention-after-event.yaml"]);
    assert_eq!(
        (status, report["status"].as_str()),
        (0, Some("clean")),
        "{report}"
    );
    assert_findings(
        "retention-after-event.yaml",
        &[(
            "retention",
            Some("deleted-after-closure"),
            Some("R1"),
            19,
            20,
        )],
    );
}

#[test]
fn a_node_in_several_regions_is_judged_in_each() {
    let (status, report) = check_json(&["fixtures/pass/multi-region.yaml"]);
    assert_eq!(
        (status, report["status"].as_str()),
        (0, Some("clean")),
        "{report}"
    );
    assert_findings(
        "multi-region-outside.yaml",
        &[("location", Some("hosting-in-the-eea"), Some("MR1"), 15, 30)],
    );
    assert_findings(
        "multi-region-transfer.yaml",
        &[(
            "transfer",
            Some("transfers-under-sccs"),
            Some("MR2"),
            21,
            22,
        )],
    );
}

#[test]
fn rules_select_nodes_by_glob_kind_host_region_and_data_subject() {
    let (status, report) = check_json(&["fixtures/pass/selectors.yaml"]);
    assert_eq!(
        (status, report["status"].as_str()),
        (0, Some("clean")),
        "{report}"
    );
    assert_findings(
        "selectors-glob.yaml",
        &[("retention", Some("logs-kept-30-days"), Some("SEL1"), 34, 54)],
    );
    assert_findings(
        "selectors-kind.yaml",
        &[("retention", Some("logs-kept-30-days"), Some("SEL1"), 29, 54)],
    );
    assert_findings(
        "selectors-hosted-by.yaml",
        &[
            (
                "prohibited",
                Some("cdn-keeps-no-personal-data"),
                Some("SEL2"),
                35,
                37,
            ),
            (
                "prohibited",
                Some("cdn-keeps-no-personal-data"),
                Some("SEL2"),
                52,
                60,
            ),
        ],
    );
    assert_findings(
        "selectors-region.yaml",
        &[(
            "retention",
            Some("us-data-kept-a-year"),
            Some("SEL3"),
            45,
            50,
        )],
    );
    assert_findings(
        "selectors-subjects.yaml",
        &[(
            "location",
            Some("eu-customer-data-stays-in-the-eu"),
            Some("SEL4"),
            43,
            13,
        )],
    );
}

#[test]
fn a_new_subprocessor_is_announced_the_promised_time_before_it_takes_effect() {
    let (status, report) = check_json(&["fixtures/pass/notice.yaml"]);
    assert_eq!(
        (status, report["status"].as_str()),
        (0, Some("clean")),
        "{report}"
    );
    assert_findings(
        "notice-too-short.yaml",
        &[("notice", Some("thirty-days-notice"), Some("N1"), 14, 99)],
    );
    assert_findings(
        "notice-undated.yaml",
        &[("notice", Some("thirty-days-notice"), Some("N1"), 15, 11)],
    );
}

/// One broken copy of a real policy: the file, the promise it breaks, and the one
/// finding expected (code, rule, line, column).
type PolicyBreak = (
    &'static str,
    &'static str,
    (&'static str, &'static str, u64, u64),
);

#[test]
fn cucinovo_subprocessor_page_is_kept_and_each_broken_promise_is_caught() {
    let dir = "fixtures/policies/cucinovo";
    let (status, report) = check_json(&[&format!("{dir}/inventory.yaml")]);
    // The page states no lawful basis, so the record of processing lacks one for each
    // of the 10 flows of personal data (warnings); nothing else is reported.
    let gaps = |report: &serde_json::Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["code"] == "record-incomplete")
            .map(|f| f["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(status, 0, "{report}");
    let record_gaps = gaps(&report);
    assert_eq!(record_gaps.len(), 10, "{report}");
    assert!(
        record_gaps
            .iter()
            .all(|m| m.ends_with("without a lawful basis"))
    );
    assert_eq!(summary(&report).len(), 10, "{report}");
    let breaks: [PolicyBreak; 11] = [
        (
            "broken-P1-short-notice.yaml",
            "P1",
            ("notice", "new-subprocessors-30-days-notice", 136, 16),
        ),
        (
            "broken-P2-production-vm-in-us.yaml",
            "P2",
            ("location", "production-in-eu", 46, 28),
        ),
        (
            "broken-P3-database-in-us.yaml",
            "P3",
            ("location", "database-eu-residency", 61, 13),
        ),
        (
            "broken-P4-staging-outside-frankfurt.yaml",
            "P4",
            ("location", "staging-compute-in-frankfurt", 50, 13),
        ),
        (
            "broken-P5-backups-in-us.yaml",
            "P5",
            ("location", "backups-eu-storage", 70, 13),
        ),
        (
            "broken-P6-stripe-not-dpf-certified.yaml",
            "P6",
            ("transfer", "dpf-subprocessors", 202, 32),
        ),
        (
            "broken-P7-resend-without-sccs.yaml",
            "P7",
            ("transfer", "us-subprocessors-under-sccs", 215, 25),
        ),
        (
            "broken-P8-sentry-no-transfer-tool.yaml",
            "P8",
            ("transfer", "us-subprocessors-under-sccs", 219, 9),
        ),
        (
            "broken-P9-analytics-without-consent.yaml",
            "P9",
            ("lawful_basis", "analytics-needs-consent", 229, 19),
        ),
        (
            "broken-P10-gmail-without-dpf.yaml",
            "P10",
            ("transfer", "dpf-subprocessors", 237, 25),
        ),
        (
            "broken-P11-backups-unencrypted.yaml",
            "P11",
            ("encryption", "backup-storage-encrypted", 72, 24),
        ),
    ];
    for (file, promise, (code, rule, line, column)) in breaks {
        let (status, report) = check_json(&[&format!("{dir}/{file}")]);
        assert_eq!(status, 1, "{file}: {report}");
        let got: Vec<_> = summary(&report)
            .into_iter()
            .filter(|(code, ..)| code != "record-incomplete")
            .map(|(code, rule, _, line, column)| (code, rule, line, column))
            .collect();
        assert_eq!(
            got,
            [(code.to_owned(), Some(rule.to_owned()), line, column)],
            "{file}"
        );
        assert_eq!(gaps(&report).len(), 10, "{file}");
        let broken = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["code"] != "record-incomplete");
        let claims = &broken.expect("the broken promise's finding")["claims"];
        assert!(
            claims
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c == promise)),
            "{file} cites {claims}, not {promise}"
        );
    }
}

#[test]
fn a_todo_retention_loads_and_is_reported_until_filled() {
    assert_findings(
        "retention-todo.yaml",
        &[("placeholder", None, None, 22, 20)],
    );
}
