//! Plans Salesforce accepts (issue 11): test levels the target org takes, a covering
//! test for every deployed Apex class or trigger, and destructive changes that leave
//! standard components and remaining parts of a component alone.

use crate::support::*;

const LABELS: &str = "force-app/main/default/labels/CustomLabels.labels-meta.xml";

/// The billing org without its critical test, so that a change can select nothing.
fn without_critical() -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        repo.delete_class(CRITICAL);
    })
}

/// A label only an LWC reads: Jest mocks labels, so no test is needed.
fn label_only_change(repo: &TestRepo) {
    repo.edit(LABELS, "<value>Overdue</value>", "<value>Late</value>");
    repo.commit("Reword the overdue badge");
}

#[test]
fn a_label_only_change_prints_no_test_run_in_sf_or_sf_run() {
    let repo = without_critical();
    label_only_change(&repo);
    let base = repo.base().to_string();
    let range = ["--base", base.as_str(), "--head", "HEAD"];

    let plan = repo.plan_committed();
    assert_eq!(
        plan["test_level"], "NoTestRun",
        "the plan JSON keeps its contract"
    );

    // Production refuses NoTestRun: no --test-level at all, the org's default applies.
    let sf = repo.run(&[&["plan", "--format", "sf"][..], &range].concat());
    assert_eq!(sf.code, 0, "{sf:?}");
    assert_eq!(sf.stdout, "", "{sf:?}");
    assert!(sf.stderr.contains("org's default applies"), "{}", sf.stderr);

    // A sandbox accepts it when asked for.
    let sandbox = repo.run(
        &[
            &["plan", "--format", "sf", "--target-org-type", "sandbox"][..],
            &range,
        ]
        .concat(),
    );
    assert_eq!(sandbox.code, 0, "{sandbox:?}");
    assert_eq!(sandbox.stdout, "--test-level NoTestRun\n");

    // `sf apex run test` refuses NoTestRun everywhere: nothing on stdout, why on stderr.
    let run = repo.run(&[&["plan", "--format", "sf-run"][..], &range].concat());
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(run.stderr.contains("no Apex test to run"), "{}", run.stderr);
}

#[test]
fn a_plan_with_tests_prints_its_level_whatever_the_target() {
    let repo = TestRepo::new("billing");
    label_only_change(&repo);
    let base = repo.base().to_string();
    for target in ["production", "sandbox"] {
        let sf = repo.run(&[
            "plan",
            "--format",
            "sf",
            "--target-org-type",
            target,
            "--base",
            &base,
            "--head",
            "HEAD",
        ]);
        assert_eq!(
            sf.stdout,
            format!("--test-level RunSpecifiedTests --tests {CRITICAL}\n"),
            "{sf:?}"
        );
    }
}
