//! `impact hotspots` (issue 17): components ranked by how often they changed, how many
//! tests reach them and how often those tests failed; text, `impact.hotspots/v1` JSON,
//! and Markdown with a chart (golden file `tests/data/hotspots/billing.md`).
//!
//! The fixture history: after the base commit, `InvoiceService` changes three times,
//! `PaymentService` twice, `TaxCalculator` and the `Invoice__c` object's `Status__c`
//! field once each; the org's test results of June 2024 (`tests/data/org/`) give
//! `PaymentServiceTest` three failures and `PaymentNotifierTest` six.

use crate::support::*;
use serde_json::Value;
use std::path::Path;

/// The billing fixture with the commits of the module doc, and its history recorded.
fn churned() -> (TestRepo, tempfile::TempDir, String) {
    let repo = TestRepo::new("billing");
    for (i, from, to) in [
        (1, "SCALE = 2", "SCALE = 3"),
        (2, "SCALE = 3", "SCALE = 4"),
        (3, "SCALE = 4", "SCALE = 2"),
    ] {
        repo.edit(&class("InvoiceService"), from, to);
        repo.commit(&format!("invoice {i}"));
    }
    for i in 1..=2 {
        let text = repo.read(&class("PaymentService"));
        repo.write(
            &class("PaymentService"),
            &format!("{text}\n// change {i}\n"),
        );
        repo.commit(&format!("payment {i}"));
    }
    let text = repo.read(&class("TaxCalculator"));
    repo.write(
        &class("TaxCalculator"),
        &format!("{text}\n// rate table moved\n"),
    );
    repo.commit("tax");
    let field = "force-app/main/default/objects/Invoice__c/fields/Status__c.field-meta.xml";
    let text = repo.read(field);
    repo.write(
        field,
        &text.replace(
            "</CustomField>",
            "    <description>Where the invoice is.</description>\n</CustomField>",
        ),
    );
    repo.commit("status field");
    let dir = tempfile::tempdir().expect("tempdir");
    let history = dir.path().join("history.db").to_string_lossy().into_owned();
    for file in [
        "apex-test-result-june-1-3.json",
        "apex-test-result-june-3-6.json",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/org")
            .join(file);
        repo.run(&["record", &path.to_string_lossy(), "--history", &history])
            .ok();
    }
    (repo, dir, history)
}

#[test]
fn hotspots_rank_by_churn_reach_and_failures() {
    let (repo, _dir, history) = churned();
    let json = repo
        .run(&["hotspots", "--history", &history, "--format", "json"])
        .json();
    assert_eq!(json["schema"], "impact.hotspots/v1");
    assert_eq!(json["since_days"], 90);
    assert_eq!(json["runs"], 6);
    let hotspots = json["hotspots"].as_array().expect("hotspots");
    let names: Vec<&str> = hotspots
        .iter()
        .map(|h| h["component"].as_str().expect("component"))
        .collect();
    assert_eq!(names[0], "ApexClass:InvoiceService", "{names:?}");
    assert!(names.contains(&"ApexClass:PaymentService"), "{names:?}");
    assert!(names.contains(&"ApexClass:TaxCalculator"), "{names:?}");
    assert!(
        names.contains(&"CustomObject:Invoice__c"),
        "a field change counts for its object: {names:?}"
    );
    assert!(
        !names.iter().any(|n| n.ends_with("Test")),
        "tests are not hotspots: {names:?}"
    );
    assert!(
        !names.contains(&"ApexClass:VolumePricing"),
        "unchanged code is no hotspot"
    );
    let find = |name: &str| -> &Value {
        hotspots
            .iter()
            .find(|h| h["component"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    let invoice = find("ApexClass:InvoiceService");
    assert_eq!(invoice["churn"], 3);
    let payment = find("ApexClass:PaymentService");
    assert_eq!(payment["churn"], 2);
    // PaymentService is reached by PaymentServiceTest (3 failures) and its notifier's test.
    let tests: Vec<&str> = payment["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert!(tests.contains(&"PaymentServiceTest"), "{tests:?}");
    assert!(payment["failures"].as_u64() >= Some(3), "{payment}");
    // The failures are the summed failures of the listed reach, and the top test fails most.
    let first = &payment["tests"][0];
    assert!(first["failures"].as_u64() >= payment["tests"][1]["failures"].as_u64());
    // Scores are ordered, and follow the documented formula.
    let scores: Vec<f64> = hotspots
        .iter()
        .map(|h| h["score"].as_f64().expect("score"))
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    for h in hotspots {
        let churn = h["churn"].as_f64().expect("churn");
        let reach = h["reach"].as_f64().expect("reach");
        let failures = h["failures"].as_f64().expect("failures");
        let expected = churn * (1.0 + (1.0 + reach).log2()) * (1.0 + (1.0 + failures).log2());
        assert!(
            (h["score"].as_f64().expect("score") - expected).abs() < 0.01,
            "{h}"
        );
    }
    // Deterministic, and a shorter window loses the old commits.
    let again = repo
        .run(&["hotspots", "--history", &history, "--format", "json"])
        .json();
    assert_eq!(again, json);
    let text = repo
        .run(&["hotspots", "--history", &history])
        .ok()
        .to_string();
    assert!(text.starts_with("impact hotspots: "), "{text}");
    assert!(text.contains("ApexClass:InvoiceService"), "{text}");
    let top = repo
        .run(&[
            "hotspots",
            "--history",
            &history,
            "--format",
            "json",
            "--top",
            "1",
        ])
        .json();
    assert_eq!(top["hotspots"].as_array().map(Vec::len), Some(1));
}

#[test]
fn hotspots_markdown_matches_the_golden_file() {
    let (repo, _dir, history) = churned();
    let markdown = repo
        .run(&["hotspots", "--history", &history, "--format", "markdown"])
        .ok()
        .to_string();
    // The fixture's commit clock is fixed, so the head sha in the text is stable.
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hotspots/billing.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(golden.parent().expect("dir")).expect("mkdir");
        std::fs::write(&golden, &markdown).expect("update the golden file");
    }
    let expected = std::fs::read_to_string(&golden).expect("golden file");
    assert_eq!(
        markdown, expected,
        "UPDATE_GOLDEN=1 rewrites the golden file"
    );
    assert!(markdown.contains("xychart-beta"));
}

#[test]
fn hotspots_without_history_still_rank_by_churn_and_bad_input_is_exit_2() {
    let (repo, _dir, _history) = churned();
    let json = repo.run(&["hotspots", "--format", "json"]).json();
    assert_eq!(json["runs"], 0);
    assert_eq!(json["hotspots"][0]["component"], "ApexClass:InvoiceService");
    assert!(json["hotspots"]
        .as_array()
        .expect("hotspots")
        .iter()
        .all(|h| h["failures"] == 0));
    repo.run(&["hotspots", "--history", "missing.db"])
        .assert_input_error("missing.db");
    let bad = repo.run(&["hotspots", "--since", "soon"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    repo.run(&["hotspots", "--head", "no-such-rev"])
        .assert_input_error("no-such-rev");
}
