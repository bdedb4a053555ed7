//! Regressions found by trying `impact` on real public repositories (issue 2's "try it as
//! a new user would"); each test names what went wrong.

use crate::support::*;

/// A call through a static property (`Qb.Current.getQuery()`) was dropped, with no
/// conservative fallback, so a change to `getQuery` selected nothing.
#[test]
fn a_call_through_a_static_property_reaches_the_method() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "Qb",
            "public with sharing class Qb {\n    public static Qb Current {\n        get { return new Qb(); }\n    }\n    public String getQuery(String objectName) {\n        return 'SELECT Id FROM ' + objectName;\n    }\n}\n",
        );
        repo.write_class(
            "QbTest",
            "@IsTest\nprivate class QbTest {\n    @IsTest\n    static void buildsTheQuery() {\n        System.assertEquals('SELECT Id FROM Account', Qb.Current.getQuery('Account'));\n    }\n}\n",
        );
    });
    repo.edit(&class("Qb"), "'SELECT Id FROM '", "'SELECT Id, Name FROM '");
    repo.commit("Query names too");

    let plan = repo.plan_committed();

    assert!(
        selected_tests(&plan).contains(&"QbTest".to_string()),
        "{:?}",
        selected_tests(&plan)
    );
    assert_eq!(
        reason_path(&plan, "QbTest").first().map(String::as_str),
        Some("ApexMethod:Qb.getQuery")
    );
}

/// Package directories were read from the working tree even for committed revisions, so
/// a revision pair from before a layout change found no changes at all.
#[test]
fn package_directories_come_from_the_head_revision() {
    let repo = TestRepo::new("billing");
    crate::plan::change_total(&repo);
    repo.commit("Void invoices do not count in totals");
    // The working tree now says the source lives elsewhere; the commits do not.
    repo.edit(
        "sfdx-project.json",
        "\"path\": \"force-app\"",
        "\"path\": \"elsewhere\"",
    );

    let plan = repo.plan_json(&["--base", repo.base(), "--head", "HEAD"]);

    assert_eq!(
        changed_ids(&plan),
        vec!["ApexClass:InvoiceService".to_string()]
    );
    assert!(selected_tests(&plan).contains(&"InvoiceServiceTest".to_string()));
}

/// Two classes' identical `-meta.xml` files were paired by git's rename detection, and
/// the class that still existed was put in destructiveChanges.xml.
#[test]
fn identical_meta_files_do_not_make_a_rename() {
    let repo = TestRepo::new("billing");
    repo.delete_class("VolumePricing");
    repo.write_class(
        "FlatPricing",
        "public with sharing class FlatPricing {\n    public static Decimal price(Decimal amount) {\n        return amount;\n    }\n}\n",
    );
    repo.write(
        "force-app/main/default/classes/FlatPricing.cls-meta.xml",
        &repo.read("force-app/main/default/classes/InvoiceService.cls-meta.xml"),
    );
    repo.commit("Flat pricing replaces volume pricing");
    let out = repo.path().join("delta");

    repo.run(&[
        "diff",
        "--base",
        repo.base(),
        "--head",
        "HEAD",
        "--package-xml",
        out.to_str().unwrap(),
    ])
    .ok();

    let package = std::fs::read_to_string(out.join("package.xml")).unwrap();
    let destructive = std::fs::read_to_string(out.join("destructiveChanges.xml")).unwrap();
    assert!(
        package.contains("<members>FlatPricing</members>"),
        "{package}"
    );
    assert!(
        destructive.contains("<members>VolumePricing</members>"),
        "{destructive}"
    );
    assert!(!destructive.contains("FlatPricing"), "{destructive}");
    assert!(!package.contains("VolumePricing"), "{package}");
}

/// A test that runs a batch through `Database.executeBatch` never names `execute`, and
/// was missed when `execute` changed.
#[test]
fn a_batch_run_by_the_platform_reaches_its_test() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "StaleInvoiceBatch",
            "public with sharing class StaleInvoiceBatch implements Database.Batchable<SObject> {\n    public Database.QueryLocator start(Database.BatchableContext context) {\n        return Database.getQueryLocator([SELECT Id FROM Invoice__c]);\n    }\n    public void execute(Database.BatchableContext context, List<Invoice__c> scope) {\n        System.debug(scope.size());\n    }\n    public void finish(Database.BatchableContext context) {\n        System.debug('done');\n    }\n}\n",
        );
        repo.write_class(
            "StaleInvoiceBatchTest",
            "@IsTest\nprivate class StaleInvoiceBatchTest {\n    @IsTest\n    static void runsOverEveryInvoice() {\n        Test.startTest();\n        Database.executeBatch(new StaleInvoiceBatch());\n        Test.stopTest();\n        System.assert(true);\n    }\n}\n",
        );
    });
    repo.edit(
        &class("StaleInvoiceBatch"),
        "System.debug(scope.size());",
        "System.debug(scope.size() + 1);",
    );
    repo.commit("Count from one");

    let plan = repo.plan_committed();

    assert!(
        selected_tests(&plan).contains(&"StaleInvoiceBatchTest".to_string()),
        "{:?}",
        selected_tests(&plan)
    );
}

/// A fallback runs every local test, and the plan's list says so: a consumer of the JSON
/// that reads `tests[]` must not run only the reached ones.
#[test]
fn a_fallback_plan_lists_every_test() {
    let repo = TestRepo::new("billing");
    repo.edit("sfdx-project.json", "\"62.0\"", "\"63.0\"");
    repo.commit("API 63");

    let plan = repo.plan_committed();

    assert_eq!(plan["test_level"], "RunLocalTests");
    assert_eq!(
        plan["stats"]["selected"],
        plan["stats"]["tests_total"],
        "{:?}",
        selected_tests(&plan)
    );
}
