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

const TRIGGER: &str = "force-app/main/default/triggers/InvoiceTrigger.trigger";

/// Adds a comment line at the top of a class: deployed, but no code changed.
fn comment_only(repo: &TestRepo, name: &str) {
    let path = class(name);
    let text = repo.read(&path);
    repo.write(&path, &format!("// Reviewed for the release.\n{text}"));
}

/// The notes of a selected test's reasons.
fn notes(plan: &serde_json::Value, test: &str) -> Vec<String> {
    test_entry(plan, test)["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|reason| reason["note"].as_str().map(str::to_string))
        .collect()
}

/// True when every reason of a selected test is the coverage of a deployed class.
fn only_for_coverage(test: &serde_json::Value) -> bool {
    test["reasons"].as_array().is_some_and(|reasons| {
        reasons.iter().all(|r| {
            r["note"]
                .as_str()
                .is_some_and(|n| n.starts_with("covers-deployed"))
        })
    })
}

#[test]
fn a_comment_only_class_keeps_its_own_test_in_sf() {
    let repo = without_critical();
    comment_only(&repo, "InvoiceService");
    repo.commit("Comments");
    let plan = repo.plan_committed();

    assert_eq!(plan["test_level"], "RunSpecifiedTests");
    assert!(uncovered(&plan).is_empty(), "{plan}");
    assert_selected(&plan, &["InvoiceServiceTest"]);
    assert_eq!(
        notes(&plan, "InvoiceServiceTest"),
        vec!["covers-deployed: ApexClass:InvoiceService is deployed and needs 75% coverage; this test is its own test".to_string()]
    );
    let base = repo.base().to_string();
    let sf = repo.run(&["plan", "--format", "sf", "--base", &base, "--head", "HEAD"]);
    assert_eq!(
        sf.stdout,
        "--test-level RunSpecifiedTests --tests InvoiceServiceTest\n"
    );
}

#[test]
fn a_whitespace_only_trigger_keeps_the_tests_that_save_its_object_in_sf() {
    let repo = without_critical();
    repo.edit(
        TRIGGER,
        "    InvoiceTriggerHandler handler",
        "\tInvoiceTriggerHandler   handler",
    );
    repo.commit("Indentation");
    let plan = repo.plan_committed();

    assert!(!changes(&plan)[0].3, "{plan}");
    assert_eq!(plan["test_level"], "RunSpecifiedTests");
    assert!(uncovered(&plan).is_empty(), "{plan}");
    // The trigger has no test of its own: the nearest tests that save an invoice.
    let selected: Vec<&serde_json::Value> = tests(&plan).iter().collect();
    assert!(!selected.is_empty());
    for test in &selected {
        assert!(only_for_coverage(test), "{test}");
        assert_eq!(reason_path_of(test)[0], "ApexTrigger:InvoiceTrigger");
    }
    let base = repo.base().to_string();
    let sf = repo.run(&["plan", "--format", "sf", "--base", &base, "--head", "HEAD"]);
    for test in &selected {
        let name = test["name"].as_str().unwrap_or_default();
        assert!(sf.stdout.contains(&format!("--tests {name}")), "{sf:?}");
    }
}

/// A deployed class without a test of its own gets the tests that use it from nearest:
/// the one that calls it, not the one that calls its caller (the walk reaches both, and
/// only the nearest are explained and added).
#[test]
fn a_deployed_class_without_its_own_test_gets_only_its_nearest_users() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "TaxTable",
            "public class TaxTable {\n    public static Decimal rate() { return 0.2; }\n}\n",
        );
        repo.write_class(
            "TaxQuote",
            "public class TaxQuote {\n    public static Decimal quote(Decimal amount) { return amount * TaxTable.rate(); }\n}\n",
        );
        repo.write_class(
            "TaxRateCheck",
            "@IsTest\nprivate class TaxRateCheck {\n    @IsTest static void rate() { System.assert(TaxTable.rate() > 0); }\n}\n",
        );
        repo.write_class(
            "TaxQuoteCheck",
            "@IsTest\nprivate class TaxQuoteCheck {\n    @IsTest static void quote() { System.assert(TaxQuote.quote(10) > 0); }\n}\n",
        );
    });
    comment_only(&repo, "TaxTable");
    repo.commit("Review TaxTable");
    let plan = repo.plan_committed();

    assert!(uncovered(&plan).is_empty(), "{plan}");
    assert_includes(&plan, &["TaxRateCheck"]);
    assert_excludes(&plan, &["TaxQuoteCheck"]);
    assert_eq!(
        notes(&plan, "TaxRateCheck"),
        vec!["covers-deployed: ApexClass:TaxTable is deployed and needs 75% coverage; this test uses it".to_string()]
    );
    assert_eq!(
        reason_path_of(test_entry(&plan, "TaxRateCheck"))[0],
        "ApexClass:TaxTable"
    );

    // The walk does reach the farther test: a change of the rate selects both.
    repo.edit(&class("TaxTable"), "return 0.2;", "return 0.25;");
    repo.commit("Raise the rate");
    assert_includes(&repo.plan_committed(), &["TaxRateCheck", "TaxQuoteCheck"]);
}

fn reason_path_of(test: &serde_json::Value) -> Vec<String> {
    test["reasons"][0]["path"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|node| node.as_str().map(str::to_string))
        .collect()
}

/// A class planned at class granularity is deployed as it is at member granularity: a
/// comment-only change still needs a test that covers it. Folded to classes, the graph
/// had lost the members that tell an interface from a class with code, and the plan ran
/// no covering test nor called the class uncovered (trailheadapps' redwoods-insurance:
/// a formatting-only `IncidentController`).
#[test]
fn a_comment_only_class_gets_a_covering_test_at_class_granularity_too() {
    let repo = TestRepo::new("billing");
    comment_only(&repo, "PaymentService");
    repo.commit("Reviewed");

    for granularity in ["member", "class"] {
        let plan = repo.plan_json(&[
            "--base",
            "HEAD~1",
            "--head",
            "HEAD",
            "--granularity",
            granularity,
        ]);
        test_entry(&plan, "PaymentServiceTest");
        assert!(uncovered(&plan).is_empty(), "{granularity}: {plan}");
    }
}

#[test]
fn comment_only_classes_beside_a_real_change_each_get_a_covering_test_ranked_last() {
    let repo = TestRepo::new("billing");
    let reviewed = ["PaymentService", "DiscountRegistry", "VolumeDiscount"];
    for name in reviewed {
        comment_only(&repo, name);
    }
    real_change_elsewhere(&repo);
    repo.commit("A fix and three reviewed classes");
    let plan = repo.plan_committed();

    // Each reviewed class has its own test in the plan (reached by the fix, or added to
    // cover the class).
    for name in reviewed {
        test_entry(&plan, &format!("{name}Test"));
    }
    assert!(uncovered(&plan).is_empty(), "{plan}");
    let ranks = |coverage: bool| -> Vec<u64> {
        tests(&plan)
            .iter()
            .filter(|test| only_for_coverage(test) == coverage)
            .filter_map(|test| test["rank"].as_u64())
            .collect()
    };
    let (added, others) = (ranks(true), ranks(false));
    assert!(!added.is_empty(), "{plan}");
    assert!(
        added.iter().min() > others.iter().max(),
        "coverage-only tests {added:?} must rank after {others:?}"
    );
}

#[test]
fn a_comment_only_class_gets_its_own_test_even_when_a_subclass_s_own_test_is_selected() {
    // SeasonalDiscountTest reaches BaseDiscount through SeasonalDiscount (extends, then
    // SeasonalDiscount's named test): it is SeasonalDiscount's own test, not
    // BaseDiscount's. A real change selects it; the comment-only BaseDiscount still needs
    // its own BaseDiscountTest. (Found on trigger-actions-framework fb789a5ebf: a
    // formatting-only TriggerActionFlow was left to MetadataTriggerHandlerTest, which
    // reaches it through MetadataTriggerHandler, and TriggerActionFlowTest did not run.)
    let repo = TestRepo::with_base("billing", |repo| {
        repo.delete_class(CRITICAL);
        repo.write_class(
            "BaseDiscountTest",
            "@IsTest\nprivate class BaseDiscountTest {\n    @IsTest\n    static void refusesANegativeRate() {\n        BaseDiscount discount;\n        try {\n            discount = new SeasonalDiscount(-1, Date.today(), Date.today());\n        } catch (IllegalArgumentException e) {\n            Assert.isNull(discount);\n        }\n    }\n}\n",
        );
    });
    comment_only(&repo, "BaseDiscount");
    real_change_elsewhere(&repo);
    repo.commit("A seasonal fix and a reviewed base class");
    let plan = repo.plan_committed();

    assert!(uncovered(&plan).is_empty(), "{plan}");
    assert_includes(&plan, &["SeasonalDiscountTest", "BaseDiscountTest"]);
    assert_eq!(
        notes(&plan, "BaseDiscountTest"),
        vec!["covers-deployed: ApexClass:BaseDiscount is deployed and needs 75% coverage; this test is its own test".to_string()]
    );
}

#[test]
fn a_deployed_class_without_an_executable_line_needs_no_test() {
    // An interface, an enum and an empty class (NebulaLogger keeps 72 such name-shadowing
    // classes, and bumps their API version in releases) have no line the org can
    // cover: Salesforce computes no coverage for them. A class of constants has one (an
    // initializer is an executable line) and still needs a test.
    let repo = TestRepo::with_base("billing", |repo| {
        repo.delete_class(CRITICAL);
        repo.write_class("Shadow", "public without sharing class Shadow {\n}\n");
        repo.write_class("Stage", "public enum Stage {\n    DRAFT,\n    SENT\n}\n");
        repo.write_class(
            "Labels",
            "public class Labels {\n    public static final String PAID = 'Paid';\n}\n",
        );
    });
    for name in ["Discount", "Shadow", "Stage", "Labels"] {
        comment_only(&repo, name);
    }
    repo.commit("Reviewed");
    let plan = repo.plan_committed();

    assert_eq!(uncovered(&plan), vec!["ApexClass:Labels".to_string()]);
    for test in tests(&plan) {
        let reasons = test["reasons"].to_string();
        assert!(
            !reasons.contains("ApexClass:Discount is deployed")
                && !reasons.contains("ApexClass:Shadow is deployed")
                && !reasons.contains("ApexClass:Stage is deployed"),
            "{test}"
        );
    }
}

/// A real change to one method of `SeasonalDiscount`.
fn real_change_elsewhere(repo: &TestRepo) {
    let path = class("SeasonalDiscount");
    let text = repo.read(&path);
    let changed = text.replacen("return ", "return 0 + ", 1);
    assert_ne!(text, changed, "SeasonalDiscount has a return to change");
    repo.write(&path, &changed);
}

#[test]
fn a_deployed_class_no_test_covers_is_uncovered_and_can_fall_back() {
    let repo = TestRepo::new("billing");
    comment_only(&repo, "VolumePricing");
    repo.commit("Review VolumePricing");
    let base = repo.base().to_string();
    let range = ["--base", base.as_str(), "--head", "HEAD"];

    let plan = repo.plan_committed();
    assert_eq!(
        uncovered(&plan),
        vec!["ApexClass:VolumePricing".to_string()]
    );
    assert!(plan["fallback"].is_null());
    let text = repo.run(&[&["plan", "--format", "text"][..], &range].concat());
    assert!(text.stdout.contains("will likely fail"), "{}", text.stdout);
    let markdown = repo.run(&[&["plan", "--format", "markdown"][..], &range].concat());
    assert!(
        markdown.stdout.contains("will likely fail"),
        "{}",
        markdown.stdout
    );

    // The option, and its impact.toml key, run all local tests instead.
    let flagged = repo.plan_json(&[&["--fallback-on-uncovered"][..], &range].concat());
    assert_eq!(flagged["test_level"], "RunLocalTests");
    let reason = flagged["fallback"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("ApexClass:VolumePricing"), "{reason}");
    assert_eq!(
        fallback_paths(&flagged),
        vec!["force-app/main/default/classes/VolumePricing.cls".to_string()]
    );

    repo.write("impact.toml", "[coverage]\nfallback_on_uncovered = true\n");
    let configured = repo.plan_worktree();
    assert_eq!(configured["test_level"], "RunLocalTests");
}

const OBJECTS: &str = "force-app/main/default/objects";

/// `impact diff --package-xml DIR`: the destructiveChanges.xml it writes.
fn destructive(repo: &TestRepo) -> String {
    let dir = repo.path().join("delta");
    let base = repo.base().to_string();
    let out = dir.to_string_lossy().to_string();
    let run = repo.run(&[
        "diff",
        "--base",
        &base,
        "--head",
        "HEAD",
        "--package-xml",
        &out,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    std::fs::read_to_string(dir.join("destructiveChanges.xml")).expect("destructiveChanges.xml")
}

#[test]
fn a_deleted_standard_object_file_with_remaining_fields_is_no_destructive_change() {
    let object = format!("{OBJECTS}/Account/Account.object-meta.xml");
    let industry = format!("{OBJECTS}/Account/fields/Industry.field-meta.xml");
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write(
            &object,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <enableHistory>true</enableHistory>\n</CustomObject>\n",
        );
        repo.write(
            &industry,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Industry</fullName>\n    <trackHistory>false</trackHistory>\n</CustomField>\n",
        );
    });
    repo.delete(&object).delete(&industry);
    repo.commit("Stop tracking Account in source");

    let destroy = destructive(&repo);
    assert!(!destroy.contains("<members>"), "{destroy}");
    // The object stays (its custom field remains): its file's deletion is a change, not
    // a deletion of the object.
    let plan = repo.plan_committed();
    assert!(changes(&plan)
        .iter()
        .all(|(type_name, _, change, _)| type_name != "CustomObject" || change != "deleted"));
}

#[test]
fn a_custom_object_deleted_with_everything_in_it_is_destructive() {
    let repo = TestRepo::new("billing");
    for file in [
        "Payment__c.object-meta.xml",
        "fields/Received_On__c.field-meta.xml",
        "fields/Invoice__c.field-meta.xml",
        "fields/Amount__c.field-meta.xml",
    ] {
        repo.delete(&format!("{OBJECTS}/Payment__c/{file}"));
    }
    repo.commit("Drop payments");
    let destroy = destructive(&repo);
    assert!(
        destroy.contains("<members>Payment__c</members>"),
        "{destroy}"
    );
    assert!(
        destroy.contains("<members>Payment__c.Amount__c</members>"),
        "{destroy}"
    );
}

/// `sf data query --json` over `ApexCodeCoverage` (Tooling API): one record per test
/// method and covered class, as `(test class, covered class, covered lines, total)`.
fn org_coverage(rows: &[(&str, &str, u32, u32)]) -> String {
    let records: Vec<serde_json::Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (test, covered, lines, total))| {
            let covered_lines: Vec<u32> = (1..=*lines).collect();
            let uncovered_lines: Vec<u32> = (lines + 1..=*total).collect();
            serde_json::json!({
                "attributes": { "type": "ApexCodeCoverage", "url": format!("/services/data/v61.0/tooling/sobjects/ApexCodeCoverage/7145g00000Cov{i:02}AAA") },
                "Id": format!("7145g00000Cov{i:02}AAA"),
                "ApexTestClass": { "attributes": { "type": "ApexClass" }, "Name": test },
                "TestMethodName": "runs",
                "ApexClassOrTrigger": { "attributes": { "type": "Name" }, "Name": covered },
                "NumLinesCovered": lines,
                "NumLinesUncovered": total - lines,
                "Coverage": { "coveredLines": covered_lines, "uncoveredLines": uncovered_lines },
                "LastModifiedDate": "2024-06-06T09:00:10.000+0000",
            })
        })
        .collect();
    serde_json::json!({
        "status": 0,
        "result": { "records": records, "totalSize": rows.len(), "done": true },
    })
    .to_string()
}

/// `sf apex run test --code-coverage --json`: the same per-test coverage from a run in
/// which every listed test passed.
fn run_coverage(rows: &[(&str, &str, u32, u32)]) -> String {
    let tests: Vec<serde_json::Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (test, _, _, _))| {
            serde_json::json!({
                "Id": format!("07M5g00000Zz{i:03}AAB"),
                "AsyncApexJobId": "7075g00000Cv001AAF",
                "MethodName": "runs",
                "Outcome": "Pass",
                "ApexClass": { "Name": test, "NamespacePrefix": null },
                "RunTime": 100,
                "FullName": format!("{test}.runs"),
            })
        })
        .collect();
    let records: Vec<serde_json::Value> = rows
        .iter()
        .map(|(test, covered, lines, total)| {
            let covered_lines: Vec<u32> = (1..=*lines).collect();
            let uncovered_lines: Vec<u32> = (lines + 1..=*total).collect();
            serde_json::json!({
                "ApexTestClass": { "Name": test },
                "TestMethodName": "runs",
                "ApexClassOrTrigger": { "Name": covered },
                "NumLinesCovered": lines,
                "NumLinesUncovered": total - lines,
                "Coverage": { "coveredLines": covered_lines, "uncoveredLines": uncovered_lines },
            })
        })
        .collect();
    serde_json::json!({
        "status": 0,
        "result": {
            "summary": { "outcome": "Passed", "testsRan": rows.len(), "passing": rows.len(), "failing": 0, "skipped": 0, "testRunId": "7075g00000Cv001AAF", "testStartTime": "2024-06-03T09:14:22.000Z" },
            "tests": tests,
            "coverage": { "coverage": [], "records": records },
        },
    })
    .to_string()
}

#[test]
fn recorded_coverage_picks_the_covering_test_of_a_comment_only_class_even_when_it_is_not_its_own_test(
) {
    // The history says DiscountRegistryTest covers most of InvoiceService (through code
    // the graph does not tell), InvoiceServiceTest a little of it.
    let rows = [
        ("DiscountRegistryTest", "InvoiceService", 9, 12),
        ("InvoiceServiceTest", "InvoiceService", 3, 12),
    ];
    for (source, text) in [
        ("ApexCodeCoverage query", org_coverage(&rows)),
        ("sf apex run test --code-coverage", run_coverage(&rows)),
    ] {
        let repo = without_critical();
        comment_only(&repo, "InvoiceService");
        repo.commit("Comments");
        let dir = tempfile::tempdir().expect("tempdir");
        let history = dir.path().join("history.db").to_string_lossy().into_owned();
        let file = dir.path().join("coverage.json");
        std::fs::write(&file, &text).expect("write the result file");
        let file = file.to_string_lossy().into_owned();
        repo.run(&["record", &file, "--history", &history]).ok();

        let base = repo.base().to_string();
        let range = ["--base", base.as_str(), "--head", "HEAD"];
        let with_history = ["--history", history.as_str()];
        let plan = repo.plan_json(&[&range[..], &with_history].concat());
        assert!(
            !changes(&plan)[0].3,
            "{source}: a comment-only change: {plan}"
        );
        assert!(uncovered(&plan).is_empty(), "{source}: {plan}");
        // The recorded covering test wins over the class's own test.
        assert_selected(&plan, &["DiscountRegistryTest"]);
        assert_eq!(
            notes(&plan, "DiscountRegistryTest"),
            vec!["covers-deployed: ApexClass:InvoiceService is deployed and needs 75% coverage; this test covered it in the last recorded run".to_string()],
            "{source}"
        );
        let sf = repo.run(&[&["plan", "--format", "sf"][..], &range, &with_history].concat());
        assert_eq!(
            sf.stdout, "--test-level RunSpecifiedTests --tests DiscountRegistryTest\n",
            "{source}: {sf:?}"
        );
        // Without the history, the class's own test covers it.
        let plain = repo.plan_json(&range);
        assert_selected(&plain, &["InvoiceServiceTest"]);
    }
}

#[test]
fn a_profile_moved_under_a_forceignore_pattern_is_no_destructive_change() {
    // As in NebulaLogger 977993e1af: `Admin.profile-meta.xml` moves to another folder
    // that `.forceignore` leaves out. The org keeps its Admin profile (a standard
    // profile Salesforce cannot delete); the class deleted beside it is still deleted.
    let admin = "force-app/main/default/profiles/Admin.profile-meta.xml";
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write(
            admin,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <custom>false</custom>\n</Profile>\n",
        );
    });
    repo.rename(admin, "force-app/unsorted/profiles/Admin.profile-meta.xml");
    repo.append(".forceignore", "**/unsorted/**");
    repo.delete_class("VolumePricing");
    repo.commit("Move the Admin profile out of the deployed source");
    let destroy = destructive(&repo);
    assert!(!destroy.contains("Admin"), "{destroy}");
    assert!(
        destroy.contains("<members>VolumePricing</members>"),
        "{destroy}"
    );
}

/// A `.forceignore` edit changes what the delta deploys: a class it starts deploying is
/// in `package.xml`, and a layout it stops deploying is left alone in the org, never in
/// `destructiveChanges.xml`.
#[test]
fn a_forceignore_edit_deploys_what_it_starts_deploying_and_deletes_nothing() {
    let repo = TestRepo::new("billing");
    repo.drop_lines(".forceignore", "InvoiceArchiver")
        .append(".forceignore", "**/layouts/**");
    repo.commit("Deploy the archiver, stop deploying layouts");

    let destroy = destructive(&repo);
    assert!(!destroy.contains("Layout"), "{destroy}");
    assert!(!destroy.contains("<members>"), "{destroy}");
    let package = std::fs::read_to_string(repo.path().join("delta").join("package.xml"))
        .expect("package.xml");
    assert!(
        package.contains("<members>InvoiceArchiver</members>"),
        "{package}"
    );
    assert!(!package.contains("Layout"), "{package}");
}
