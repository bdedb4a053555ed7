//! History in the plan (issue 4): `impact record` imports result files, and the next plan
//! ranks by failure history, lists flaky tests, adds tests for the 75% coverage rule or
//! flags the risk, follows covered-by edges, and cuts the order to a budget.
//!
//! Result files are written here in the shape `sf apex run test --json
//! --code-coverage` prints (reference/formats.md §4), one file per simulated CI run, or
//! taken from `tests/data/results/`. The change in most tests edits the body of
//! `InvoiceService.balance`, which at member level selects `InvoiceServiceTest`,
//! `PaymentServiceTest`, `PaymentNotifierTest` and the critical `BillingSmokeTest`, but
//! not `InvoiceTotalsLegacyTest` nor `InvoiceCsvExporterTest`, which only call `total`.

use crate::support::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// One test method's result: class, method, passed, run time in ms.
type Row<'a> = (&'a str, &'a str, bool, u64);

/// Per-test coverage: test class, method, covered class, covered lines, class lines.
type Cover<'a> = (&'a str, &'a str, &'a str, &'a [u32], u32);

/// The JSON of `sf apex run test --json --code-coverage` for one run.
fn sf_run(run_id: &str, rows: &[Row], coverage: &[Cover]) -> String {
    let tests: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (class, method, passed, ms))| {
            json!({
                "Id": format!("07M5g00000Zz{i:03}AAB"),
                "QueueItemId": "7095g000001Q01AAE",
                "StackTrace": if *passed { Value::Null } else { json!(format!("Class.{class}.{method}: line 10, column 1")) },
                "Message": if *passed { Value::Null } else { json!("System.AssertException: Assertion Failed") },
                "AsyncApexJobId": run_id,
                "MethodName": method,
                "Outcome": if *passed { "Pass" } else { "Fail" },
                "ApexClass": { "Id": "01p5g00000Tst01AAA", "Name": class, "NamespacePrefix": null },
                "RunTime": ms,
                "FullName": format!("{class}.{method}"),
            })
        })
        .collect();
    let records: Vec<Value> = coverage
        .iter()
        .map(|(test, method, covered, lines, total)| {
            let uncovered: Vec<u32> = (1..=*total).filter(|l| !lines.contains(l)).collect();
            json!({
                "ApexTestClass": { "Id": "07M5g00000Aa001AAB", "Name": test },
                "Coverage": { "coveredLines": lines, "uncoveredLines": uncovered },
                "TestMethodName": method,
                "NumLinesCovered": lines.len(),
                "ApexClassOrTrigger": { "Id": "01p5g00000Cls01AAA", "Name": covered },
                "NumLinesUncovered": uncovered.len(),
            })
        })
        .collect();
    let failing = rows.iter().filter(|r| !r.2).count();
    let doc = json!({
        "status": if failing > 0 { 100 } else { 0 },
        "result": {
            "summary": {
                "outcome": if failing > 0 { "Failed" } else { "Passed" },
                "testsRan": rows.len(),
                "passing": rows.len() - failing,
                "failing": failing,
                "skipped": 0,
                "testRunId": run_id,
                "testStartTime": "2024-06-03T09:14:22.000Z",
            },
            "tests": tests,
            "coverage": { "coverage": [], "records": records },
        },
        "warnings": [],
    });
    serde_json::to_string_pretty(&doc).expect("json")
}

/// The tests the `balance` change selects, plus the two that only call `total`.
const ALL: [&str; 6] = [
    "InvoiceServiceTest",
    "PaymentServiceTest",
    "PaymentNotifierTest",
    "BillingSmokeTest",
    "InvoiceTotalsLegacyTest",
    "InvoiceCsvExporterTest",
];

/// A run in which every test of `ALL` passes in 1 s except those listed as failing.
fn rows<'a>(failing: &[&str]) -> Vec<Row<'a>> {
    ALL.iter()
        .map(|class| (*class, "runs", !failing.contains(class), 1_000))
        .collect()
}

/// A scratch directory for result files and an outside history.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write a result file");
        path.to_string_lossy().into_owned()
    }

    fn history(&self) -> String {
        self.dir
            .path()
            .join("history.db")
            .to_string_lossy()
            .into_owned()
    }
}

/// The fixture with `InvoiceService.balance` changed in the working tree.
fn balance_changed() -> TestRepo {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("InvoiceService"),
        "return roundCurrency(amount - (paid == null ? 0 : paid));",
        "return roundCurrency(amount - (paid == null ? 0 : paid.abs()));",
    );
    repo
}

/// Records each run (one file per run) into `history`.
fn record_runs(repo: &TestRepo, scratch: &Scratch, history: &str, runs: &[String]) {
    for (i, run) in runs.iter().enumerate() {
        let file = scratch.file(&format!("run-{i}.json"), run);
        repo.run(&["record", &file, "--history", history]).ok();
    }
}

fn position(plan: &Value, test: &str) -> usize {
    ranked_tests(plan)
        .iter()
        .position(|t| t == test)
        .unwrap_or_else(|| panic!("{test} not in {:?}", ranked_tests(plan)))
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/results")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn recent_failures_move_a_test_up_and_every_factor_is_in_the_plan() {
    let repo = balance_changed();
    let scratch = Scratch::new();
    let base = repo.base().to_string();
    let without = repo.plan_json(&["--base", &base]);
    assert_eq!(ranked_tests(&without)[0], "InvoiceServiceTest");
    assert!(position(&without, "PaymentNotifierTest") > position(&without, "PaymentServiceTest"));

    // PaymentNotifierTest, three hops from the change, failed in the last three runs.
    let runs: Vec<String> = (0..6)
        .map(|i| {
            let failing: &[&str] = if i >= 3 {
                &["PaymentNotifierTest"]
            } else {
                &[]
            };
            sf_run(&format!("7075g00000Rn{i:03}AAF"), &rows(failing), &[])
        })
        .collect();
    record_runs(&repo, &scratch, &scratch.history(), &runs);
    let with = repo.plan_json(&["--base", &base, "--history", &scratch.history()]);
    assert_eq!(ranked_tests(&with)[0], "PaymentNotifierTest", "{with:#}");
    let factors = &test_entry(&with, "PaymentNotifierTest")["factors"];
    for key in [
        "distance",
        "churn",
        "failure_rate",
        "flaky",
        "duration_ms",
        "covers_changed",
        "probability",
    ] {
        assert!(
            factors.get(key).is_some(),
            "factor {key} missing: {factors}"
        );
    }
    assert_eq!(factors["distance"], 3);
    assert_eq!(factors["duration_ms"], 1000);
    assert!(
        factors["failure_rate"].as_f64().expect("rate") > 0.4,
        "{factors}"
    );
    assert_eq!(
        with["flaky"],
        json!([]),
        "a test failing in a block is not flaky"
    );
    // Same inputs, same bytes.
    let again = repo.run(&[
        "plan",
        "--format",
        "json",
        "--base",
        &base,
        "--history",
        &scratch.history(),
    ]);
    let first = repo.run(&[
        "plan",
        "--format",
        "json",
        "--base",
        &base,
        "--history",
        &scratch.history(),
    ]);
    assert_eq!(without_elapsed(again.ok()), without_elapsed(first.ok()));
}

#[test]
fn a_flaky_test_ranks_lower_and_is_listed() {
    let repo = balance_changed();
    let scratch = Scratch::new();
    let base = repo.base().to_string();
    // InvoiceServiceTest flips every run; everything else always passes.
    let runs: Vec<String> = (0..8)
        .map(|i| {
            let failing: &[&str] = if i % 2 == 1 {
                &["InvoiceServiceTest"]
            } else {
                &[]
            };
            sf_run(&format!("7075g00000Fl{i:03}AAF"), &rows(failing), &[])
        })
        .collect();
    record_runs(&repo, &scratch, &scratch.history(), &runs);
    let plan = repo.plan_json(&["--base", &base, "--history", &scratch.history()]);
    // Without history it is first (distance 1, named for the changed class); flaky, it
    // falls below a stable test.
    let without = repo.plan_json(&["--base", &base]);
    assert_eq!(ranked_tests(&without)[0], "InvoiceServiceTest");
    assert_eq!(
        test_entry(&without, "InvoiceServiceTest")["factors"]["named"],
        true
    );
    assert!(
        position(&plan, "InvoiceServiceTest") > 0,
        "{:?}",
        ranked_tests(&plan)
    );
    assert!(
        test_entry(&plan, "InvoiceServiceTest")["factors"]["probability"].as_f64()
            < test_entry(&without, "InvoiceServiceTest")["factors"]["probability"].as_f64(),
        "flakiness lowers its estimate"
    );
    let flaky = plan["flaky"].as_array().expect("flaky list");
    assert_eq!(flaky.len(), 1, "{plan:#}");
    assert_eq!(flaky[0]["name"], "InvoiceServiceTest");
    assert_eq!(flaky[0]["flakiness"], 1.0);
    assert_eq!(
        test_entry(&plan, "InvoiceServiceTest")["factors"]["flaky"],
        1.0
    );
    let text = repo.run(&["plan", "--base", &base, "--history", &scratch.history()]);
    assert!(text.ok().contains("flaky:"), "{}", text.stdout);

    let listed = repo.run(&[
        "history",
        "--flaky",
        "--format",
        "json",
        "--history",
        &scratch.history(),
    ]);
    let listed = listed.json();
    assert_eq!(listed["runs"], 8);
    let names: Vec<&str> = listed["flaky"]
        .as_array()
        .expect("flaky")
        .iter()
        .map(|t| t["class"].as_str().expect("class"))
        .collect();
    assert_eq!(names, ["InvoiceServiceTest"]);
    let text = repo.run(&["history", "--flaky", "--history", &scratch.history()]);
    assert!(
        text.ok().contains("InvoiceServiceTest.runs"),
        "{}",
        text.stdout
    );
}

#[test]
fn coverage_prediction_adds_a_covering_test_then_flags_what_stays_short() {
    let repo = balance_changed();
    let scratch = Scratch::new();
    let base = repo.base().to_string();
    // Of InvoiceService's 20 lines, the selected tests covered 1-10; the legacy test,
    // which the change does not reach, covered 9-16, and the exporter 11, 12 and 17.
    let coverage: Vec<Cover> = vec![
        (
            "InvoiceServiceTest",
            "runs",
            "InvoiceService",
            &[1, 2, 3, 4, 5, 6],
            20,
        ),
        (
            "PaymentServiceTest",
            "runs",
            "InvoiceService",
            &[5, 6, 7, 8, 9, 10],
            20,
        ),
        (
            "InvoiceTotalsLegacyTest",
            "runs",
            "InvoiceService",
            &[9, 10, 11, 12, 13, 14, 15, 16],
            20,
        ),
        (
            "InvoiceCsvExporterTest",
            "runs",
            "InvoiceService",
            &[11, 12, 17],
            20,
        ),
    ];
    record_runs(
        &repo,
        &scratch,
        &scratch.history(),
        &[sf_run("7075g00000Cv001AAF", &rows(&[]), &coverage)],
    );
    let plan = repo.plan_json(&["--base", &base, "--history", &scratch.history()]);
    assert!(
        selected_tests(&plan).contains(&"InvoiceTotalsLegacyTest".to_string()),
        "{plan:#}"
    );
    assert!(
        !selected_tests(&plan).contains(&"InvoiceCsvExporterTest".to_string()),
        "80% is reached without it: {plan:#}"
    );
    let legacy = test_entry(&plan, "InvoiceTotalsLegacyTest");
    assert_eq!(
        legacy["reasons"][0]["note"],
        "coverage: covers 40% of InvoiceService"
    );
    assert_eq!(legacy["reasons"][0]["edges"][0]["kind"], "covered-by");
    assert_eq!(legacy["factors"]["covers_changed"], 0.4);
    assert_eq!(plan["coverage_risk"], json!([]));

    // With a 95% threshold nothing recorded reaches it: the plan says so.
    repo.write("impact.toml", "[coverage]\nthreshold = 95\n");
    let plan = repo.plan_json(&["--base", &base, "--history", &scratch.history()]);
    assert!(
        selected_tests(&plan).contains(&"InvoiceCsvExporterTest".to_string()),
        "{plan:#}"
    );
    assert_eq!(
        plan["coverage_risk"],
        json!([{"type": "ApexClass", "name": "InvoiceService", "predicted_percent": 85.0,
                "covered_lines": 17, "total_lines": 20}])
    );
    let text = repo.run(&["plan", "--base", &base, "--history", &scratch.history()]);
    assert!(text.ok().contains("coverage risk:"), "{}", text.stdout);
}

#[test]
fn recorded_coverage_adds_a_dynamic_dependency_the_graph_cannot_see() {
    let repo = balance_changed();
    let scratch = Scratch::new();
    let base = repo.base().to_string();
    let before = repo.plan_json(&["--base", &base]);
    assert!(!selected_tests(&before).contains(&"DiscountRegistryTest".to_string()));
    // DiscountRegistryTest ran InvoiceService code (say through `Type.forName`).
    let coverage: Vec<Cover> = vec![
        (
            "InvoiceServiceTest",
            "runs",
            "InvoiceService",
            &[1, 2, 3, 4, 5, 6, 7, 8],
            10,
        ),
        ("DiscountRegistryTest", "runs", "InvoiceService", &[9], 10),
    ];
    record_runs(
        &repo,
        &scratch,
        &scratch.history(),
        &[sf_run("7075g00000Dy001AAF", &rows(&[]), &coverage)],
    );
    let plan = repo.plan_json(&["--base", &base, "--history", &scratch.history()]);
    let path = reason_path(&plan, "DiscountRegistryTest");
    assert_eq!(
        path.last().map(String::as_str),
        Some("ApexClass:DiscountRegistryTest")
    );
    let edges = &test_entry(&plan, "DiscountRegistryTest")["reasons"][0]["edges"];
    assert!(
        edges
            .as_array()
            .expect("edges")
            .iter()
            .any(|e| e["kind"] == "covered-by"),
        "{edges}"
    );
    let why = repo.run(&[
        "why",
        "DiscountRegistryTest",
        "--base",
        &base,
        "--history",
        &scratch.history(),
    ]);
    assert!(why.ok().contains("covered-by"), "{}", why.stdout);
}

#[test]
fn budgets_defer_the_rest_and_sf_refuses_a_partial_deploy() {
    let repo = balance_changed();
    let scratch = Scratch::new();
    let base = repo.base().to_string();
    let full = repo.plan_json(&["--base", &base]);
    let order = ranked_tests(&full);
    assert_eq!(order.len(), 4);

    let cut = repo.plan_json(&["--base", &base, "--max-tests", "2"]);
    assert_eq!(ranked_tests(&cut), order[..2].to_vec());
    let deferred: Vec<(String, u64, String)> = cut["deferred"]
        .as_array()
        .expect("deferred")
        .iter()
        .map(|d| {
            (
                d["name"].as_str().expect("name").to_string(),
                d["rank"].as_u64().expect("rank"),
                d["reason"].as_str().expect("reason").to_string(),
            )
        })
        .collect();
    assert_eq!(
        deferred,
        vec![
            (order[2].clone(), 3, "max-tests".to_string()),
            (order[3].clone(), 4, "max-tests".to_string())
        ]
    );

    // Recorded durations: each test class takes 4 minutes except PaymentServiceTest (1).
    let runs: Vec<Row> = ALL
        .iter()
        .map(|class| {
            (
                *class,
                "runs",
                true,
                if *class == "PaymentServiceTest" {
                    60_000
                } else {
                    240_000
                },
            )
        })
        .collect();
    record_runs(
        &repo,
        &scratch,
        &scratch.history(),
        &[sf_run("7075g00000Bd001AAF", &runs, &[])],
    );
    let timed = repo.plan_json(&[
        "--base",
        &base,
        "--history",
        &scratch.history(),
        "--time-budget",
        "5m",
    ]);
    let kept = ranked_tests(&timed);
    let deferred = timed["deferred"].as_array().expect("deferred");
    assert_eq!(kept.len() + deferred.len(), 4);
    assert_eq!(
        kept.len(),
        2,
        "one 4-minute test and the 1-minute one fit in 5: {timed:#}"
    );
    assert!(kept.contains(&"PaymentServiceTest".to_string()));
    assert!(deferred.iter().all(|d| d["reason"] == "time-budget"));

    let refused = repo.run(&[
        "plan",
        "--base",
        &base,
        "--format",
        "sf",
        "--max-tests",
        "2",
    ]);
    refused.assert_input_error("--format sf");
    assert!(
        refused.stderr.contains("--allow-partial"),
        "{}",
        refused.stderr
    );
    let partial = repo.run(&[
        "plan",
        "--base",
        &base,
        "--format",
        "sf",
        "--max-tests",
        "2",
        "--allow-partial",
    ]);
    assert_eq!(
        partial.ok().matches("--tests ").count(),
        2,
        "{}",
        partial.stdout
    );
    let bad = repo.run(&["plan", "--base", &base, "--time-budget", "soon"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn recording_the_same_run_twice_adds_nothing() {
    let repo = TestRepo::new("billing");
    let history = repo.path().join(".impact").join("history.db");
    let junit = data("junit-sf-apex.xml");
    let deploy = data("deploy-report-string-typed.json");
    let first = repo.run(&["record", &junit, &deploy]);
    assert!(first.ok().contains("recorded"), "{}", first.stdout);
    assert!(history.is_file(), "the default history is in .impact/");
    let count = |repo: &TestRepo| {
        let out = repo.run(&["history", "--format", "json"]).json();
        (out["runs"].as_u64(), out["tests_recorded"].as_u64())
    };
    let before = count(&repo);
    assert_eq!(before.0, Some(2));
    let second = repo.run(&["record", &deploy, &junit]);
    assert_eq!(
        second.ok().matches("already recorded").count(),
        2,
        "{}",
        second.stdout
    );
    assert_eq!(count(&repo), before);
    // The default history is what the next plan reads.
    repo.edit(&class("InvoiceService"), "SCALE = 2", "SCALE = 3");
    let base = repo.base().to_string();
    let plan = repo.plan_json(&["--base", &base]);
    assert!(!tests(&plan).is_empty());
}

#[test]
fn a_file_that_is_no_result_is_refused_by_name_and_nothing_is_recorded() {
    let repo = TestRepo::new("billing");
    let scratch = Scratch::new();
    let good = data("apex-get-test-coverage.json");
    let bad = data("unrelated-package.xml");
    let out = repo.run(&["record", &good, &bad, "--history", &scratch.history()]);
    out.assert_input_error("unrelated-package.xml");
    assert!(
        !PathBuf::from(scratch.history()).exists(),
        "a bad file must record nothing"
    );
    let missing = repo.run(&[
        "record",
        "no-such-results.json",
        "--history",
        &scratch.history(),
    ]);
    missing.assert_input_error("no-such-results.json");
}

#[test]
fn a_corrupt_history_is_an_input_error_and_is_left_alone() {
    let repo = balance_changed();
    let scratch = Scratch::new();
    let base = repo.base().to_string();
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(scratch.history(), &garbage).expect("write garbage");
    repo.run(&["plan", "--base", &base, "--history", &scratch.history()])
        .assert_input_error("history");
    repo.run(&[
        "record",
        &data("junit-sf-apex.xml"),
        "--history",
        &scratch.history(),
    ])
    .assert_input_error("history");
    repo.run(&["history", "--history", &scratch.history()])
        .assert_input_error("history");
    assert_eq!(std::fs::read(scratch.history()).expect("read"), garbage);
    // The default location too.
    std::fs::create_dir_all(repo.path().join(".impact")).expect("mkdir");
    std::fs::write(repo.path().join(".impact/history.db"), &garbage).expect("write");
    repo.run(&["plan", "--base", &base])
        .assert_input_error("history.db");
}

#[test]
fn churn_from_git_counts_recent_commits_of_the_changed_class() {
    let repo = TestRepo::new("billing");
    for i in 0..3 {
        repo.edit(
            &class("InvoiceService"),
            &format!("SCALE = {}", 2 + i),
            &format!("SCALE = {}", 3 + i),
        );
        repo.commit(&format!("tweak {i}"));
    }
    repo.edit(&class("InvoiceService"), "SCALE = 5", "SCALE = 6");
    let base = repo.base().to_string();
    let scratch = Scratch::new();
    // Uncached (no history), then through the cache twice: the same counts.
    let plans: Vec<Value> = [
        vec![],
        vec!["--history", &scratch.history()],
        vec!["--history", &scratch.history()],
    ]
    .into_iter()
    .map(|extra| {
        let mut args = vec!["--base", base.as_str()];
        args.extend(extra);
        repo.plan_json(&args)
    })
    .collect();
    for plan in &plans {
        assert_eq!(
            test_entry(plan, "InvoiceServiceTest")["factors"]["churn"],
            3,
            "{plan:#}"
        );
    }
    assert_eq!(plans[1]["tests"], plans[2]["tests"]);
}
