//! The org as a history source (issue 17): `impact record` reads `sf data query --json`
//! over `ApexTestResult` and `ApexCodeCoverage`, and `impact history --merge` pools
//! histories; recording and merging in any order give the same history.
//!
//! The query results are in `tests/data/org/`, in the shape `sf data query --json`
//! prints (records with `attributes`, nested relationship objects, `totalSize`, `done`):
//! six test runs (jobs) of four tests over June 1–6, split into two files that overlap
//! on June 3; `PaymentServiceTest.appliesPayment` flips every run,
//! `PaymentNotifierTest.notifiesCustomer` fails every run; and the Tooling API's
//! per-test coverage.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A file of `tests/data/org/`.
fn org(name: &str) -> String {
    data_file("org", name)
}

/// A file of `tests/data/<dir>/`.
fn data_file(dir: &str, name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A history path in a scratch directory.
fn db(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).to_string_lossy().into_owned()
}

/// `impact history --format json` of a history.
fn summary(repo: &TestRepo, history: &str) -> Value {
    repo.run(&["history", "--history", history, "--format", "json"])
        .json()
}

/// `impact history --format dump` of a history.
fn dump(repo: &TestRepo, history: &str) -> String {
    repo.run(&["history", "--history", history, "--format", "dump"])
        .ok()
        .to_string()
}

/// `Class.method` of each entry of a history list.
fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|t| {
                    format!(
                        "{}.{}",
                        t["class"].as_str().unwrap_or(""),
                        t["method"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn org_test_results_become_runs_with_flaky_and_failing_tests() {
    let repo = TestRepo::new("billing");
    let dir = tempfile::tempdir().expect("tempdir");
    let history = db(&dir, "history.db");
    let first = repo.run(&[
        "record",
        &org("apex-test-result-june-1-3.json"),
        "--history",
        &history,
    ]);
    assert!(
        first
            .ok()
            .contains("ApexTestResult records of 3 runs (3 new), 12 test results added"),
        "{}",
        first.stdout
    );
    let after_first = summary(&repo, &history);
    assert_eq!(after_first["runs"], 3);
    assert_eq!(after_first["tests_recorded"], 4);

    // The second file repeats June 3 (the same job and record ids): only June 4–6 are new.
    let second = repo.run(&[
        "record",
        &org("apex-test-result-june-3-6.json"),
        "--history",
        &history,
    ]);
    assert!(
        second
            .ok()
            .contains("ApexTestResult records of 4 runs (3 new), 12 test results added"),
        "{}",
        second.stdout
    );
    let stats = summary(&repo, &history);
    assert_eq!(stats["runs"], 6, "one run per AsyncApexJobId");
    assert_eq!(
        names(&stats["flaky"]),
        vec!["PaymentServiceTest.appliesPayment"]
    );
    let flaky = &stats["flaky"][0];
    assert_eq!(
        (flaky["runs"].as_u64(), flaky["failures"].as_u64()),
        (Some(6), Some(3))
    );
    assert_eq!(flaky["flakiness"], 1.0);
    // TestTimestamp orders the runs: June 6 is the latest, where appliesPayment failed.
    assert_eq!(flaky["last_outcome"], "fail");
    let failing = names(&stats["failing"]);
    assert_eq!(
        failing,
        vec![
            "PaymentNotifierTest.notifiesCustomer",
            "PaymentServiceTest.appliesPayment"
        ],
        "the consistent failure first (higher recent failure rate)"
    );
    assert_eq!(stats["failing"][0]["failures"], 6);
    assert_eq!(stats["failing"][0]["flakiness"], 0.0);

    // Re-recording both files, in the other order, adds nothing.
    let before = dump(&repo, &history);
    let again = repo.run(&[
        "record",
        &org("apex-test-result-june-3-6.json"),
        &org("apex-test-result-june-1-3.json"),
        "--history",
        &history,
    ]);
    assert_eq!(
        again.ok().matches("0 new), 0 test results added").count(),
        2,
        "{}",
        again.stdout
    );
    assert_eq!(dump(&repo, &history), before);
}

#[test]
fn org_coverage_records_feed_the_coverage_prediction() {
    let repo = TestRepo::new("billing");
    let dir = tempfile::tempdir().expect("tempdir");
    let history = db(&dir, "history.db");
    let out = repo.run(&[
        "record",
        &org("apex-code-coverage.json"),
        "--history",
        &history,
    ]);
    assert!(
        out.ok()
            .contains("4 ApexCodeCoverage records, 4 new or newer"),
        "{}",
        out.stdout
    );
    let text = dump(&repo, &history);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("test-coverage"))
        .collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert!(
        rows.iter().any(|r| r.contains(
            "InvoiceService\tPaymentServiceTest\tappliesPayment\t3\t12\t3,4,9\t7145g00000Cov02AAA"
        )),
        "{text}"
    );
    let again = repo.run(&[
        "record",
        &org("apex-code-coverage.json"),
        "--history",
        &history,
    ]);
    assert!(again.ok().contains("0 new or newer"), "{}", again.stdout);
    // A plan of a change to InvoiceService reads the covering tests from that coverage.
    repo.edit(
        &class("InvoiceService"),
        "return roundCurrency(amount - (paid == null ? 0 : paid));",
        "return roundCurrency(amount - (paid == null ? 0 : paid.abs()));",
    );
    let base = repo.base().to_string();
    let plan = repo.plan_json(&["--base", &base, "--history", &history]);
    let invoice = test_entry(&plan, "InvoiceServiceTest");
    assert_eq!(invoice["factors"]["covers_changed"], 0.5, "{invoice}");
}

#[test]
fn recording_and_merging_in_any_order_give_the_same_history() {
    let repo = TestRepo::new("billing");
    let dir = tempfile::tempdir().expect("tempdir");
    let a = org("apex-test-result-june-1-3.json");
    let b = org("apex-test-result-june-3-6.json");
    let c = org("apex-code-coverage.json");
    // The same job as a result file: joined with its org records, whatever comes first.
    let d = data_file("results", "apex-get-test-coverage.json");
    let record = |history: &str, files: &[&str]| {
        for file in files {
            repo.run(&["record", file, "--history", history]).ok();
        }
    };
    let forward = db(&dir, "forward.db");
    record(&forward, &[&a, &b, &c, &d]);
    let backward = db(&dir, "backward.db");
    record(&backward, &[&d, &c, &b, &a]);
    let expected = dump(&repo, &forward);
    assert_eq!(dump(&repo, &backward), expected);

    // Three runners each record part, then pool: (x ⊔ y) ⊔ z and z ⊔ (y ⊔ x).
    let (x, y, z) = (db(&dir, "x.db"), db(&dir, "y.db"), db(&dir, "z.db"));
    record(&x, &[&a, &d]);
    record(&y, &[&b]);
    record(&z, &[&c, &a]);
    let left = db(&dir, "left.db");
    repo.run(&[
        "history",
        "--history",
        &left,
        "--merge",
        &x,
        "--merge",
        &y,
        "--format",
        "json",
    ])
    .json();
    repo.run(&[
        "history",
        "--history",
        &left,
        "--merge",
        &z,
        "--format",
        "json",
    ])
    .json();
    let right = db(&dir, "right.db");
    for other in [&z, &y, &x] {
        repo.run(&[
            "history",
            "--history",
            &right,
            "--merge",
            other,
            "--format",
            "json",
        ])
        .json();
    }
    assert_eq!(dump(&repo, &left), expected);
    assert_eq!(dump(&repo, &right), expected);
    // Merging again, or recording a file again after merging, changes nothing.
    repo.run(&["history", "--history", &left, "--merge", &right])
        .ok();
    record(&left, &[&b, &d]);
    assert_eq!(dump(&repo, &left), expected);
    // The merged history is a history: the flaky test is there.
    let stats = summary(&repo, &left);
    assert_eq!(
        names(&stats["flaky"]),
        vec!["PaymentServiceTest.appliesPayment"]
    );
}

#[test]
fn a_query_over_another_object_is_refused_by_name_and_nothing_is_recorded() {
    let repo = TestRepo::new("billing");
    let dir = tempfile::tempdir().expect("tempdir");
    let history = db(&dir, "history.db");
    let out = repo.run(&[
        "record",
        &org("apex-test-result-june-1-3.json"),
        &org("account.json"),
        "--history",
        &history,
    ]);
    let cause = out.assert_input_error("account.json");
    assert!(cause.contains("`Account` records"), "{cause}");
    assert!(
        !PathBuf::from(&history).exists(),
        "a bad file must record nothing"
    );
    let out = repo.run(&[
        "record",
        &org("apex-test-result-no-job-id.json"),
        "--history",
        &history,
    ]);
    let cause = out.assert_input_error("no-job-id");
    assert!(cause.contains("`AsyncApexJobId`"), "{cause}");
    let missing = repo.run(&[
        "history",
        "--history",
        &history,
        "--merge",
        &db(&dir, "none.db"),
    ]);
    missing.assert_input_error("none.db");
    assert!(
        !PathBuf::from(&history).exists(),
        "a failed merge creates nothing"
    );
}
