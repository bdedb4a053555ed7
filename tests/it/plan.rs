//! `impact plan`: which Apex tests a change selects, and why (issue 2's scenarios).
//!
//! Each test builds the billing fixture, makes one realistic change, and asserts the
//! exact set of selected Apex tests, `test_level`, `fallback`, `uncovered`, the changed
//! components and, for some tests, the first and last element of `reasons[0].path`.
//! `BillingSmokeTest` is `@isTest(critical=true)`: it is in every selection.

use crate::support::*;
use serde_json::Value;

/// Everything that calls `InvoiceService.total`, directly or not: its own tests, the
/// lowercase legacy test, `PaymentService.allocate` (and through it `PaymentNotifier`)
/// and the CSV export of `billing-extras`.
pub const TOTAL_CALLERS: &[&str] = &[
    CRITICAL,
    "InvoiceCsvExporterTest",
    "InvoiceServiceTest",
    "InvoiceTotalsLegacyTest",
    "PaymentNotifierTest",
    "PaymentServiceTest",
];

/// Every test that saves an `Invoice__c`: through `TestDataFactory.createInvoices`,
/// `PaymentService.allocate`, or its own DML. Automation of `Invoice__c` (the trigger,
/// the validation rule, the defaulted status) reaches exactly these. `InvoiceSelectorTest`
/// and `InvoiceTotalsLegacyTest` use invoices without saving one.
pub const INVOICE_WRITERS: &[&str] = &[
    "BillingControllerTest",
    CRITICAL,
    "InvoiceCsvExporterTest",
    "InvoiceServiceTest",
    "InvoiceTriggerHandlerTest",
    "PaymentNotifierTest",
    "PaymentServiceTest",
];

/// A behaviour change inside `InvoiceService.total`.
pub fn change_total(repo: &TestRepo) {
    repo.edit(
        &class("InvoiceService"),
        "if (invoice.Amount__c != null) {",
        "if (invoice.Amount__c != null && invoice.Status__c != 'Void') {",
    );
}

/// Removes the method `InvoiceService.balance`: a change only the base revision's graph
/// can walk (its caller `PaymentService` no longer names anything at the head).
pub fn remove_balance(repo: &TestRepo) {
    repo.edit(
        &class("InvoiceService"),
        "    public static Decimal balance(Invoice__c invoice, Decimal paid) {\n        Decimal amount = invoice.Amount__c == null ? 0 : invoice.Amount__c;\n        return roundCurrency(amount - (paid == null ? 0 : paid));\n    }\n",
        "",
    );
}

fn assert_specified(plan: &Value) {
    assert_eq!(plan["test_level"], "RunSpecifiedTests", "test_level");
    assert!(
        plan["fallback"].is_null(),
        "no fallback expected: {}",
        plan["fallback"]
    );
}

fn no_uncovered(plan: &Value) {
    assert_eq!(uncovered(plan), Vec::<String>::new(), "uncovered");
}

#[test]
fn method_change_reaches_its_tests_and_the_tests_of_callers_two_hops_away() {
    let repo = TestRepo::new("billing");
    change_total(&repo);
    let head = repo.commit("Void invoices do not count in totals");

    let plan = repo.plan_committed();

    assert_eq!(plan["base"], repo.base());
    assert_eq!(plan["head"], head.as_str());
    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ApexClass", "InvoiceService")]
    );
    assert_eq!(
        change_entry(&plan, "ApexClass:InvoiceService")["paths"],
        serde_json::json!([class("InvoiceService")])
    );
    assert_selected(&plan, TOTAL_CALLERS);
    no_uncovered(&plan);
    assert_path(&plan, "InvoiceServiceTest", "ApexClass:InvoiceService");
    // PaymentServiceTest → PaymentService.allocate → InvoiceService.total.
    assert_path(&plan, "PaymentServiceTest", "ApexClass:InvoiceService");
    // One hop further: PaymentNotifierTest → PaymentNotifier → PaymentService → total.
    assert_path(&plan, "PaymentNotifierTest", "ApexClass:InvoiceService");
}

#[test]
fn inner_class_change_reaches_the_classes_that_use_the_inner_class() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("PaymentService"),
        "{2} left on account",
        "{2} kept as credit",
    );
    repo.commit("Receipts call the remainder a credit");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ApexClass", "PaymentService")]
    );
    // PaymentNotifier uses PaymentService.Receipt and calls its summary().
    assert_selected(
        &plan,
        &[CRITICAL, "PaymentNotifierTest", "PaymentServiceTest"],
    );
    no_uncovered(&plan);
    assert_path(&plan, "PaymentNotifierTest", "ApexClass:PaymentService");
}

#[test]
fn superclass_change_reaches_subclass_tests_and_calls_through_the_interface() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("BaseDiscount"),
        "System.RoundingMode.HALF_UP",
        "System.RoundingMode.HALF_EVEN",
    );
    repo.commit("Banker's rounding for percentage discounts");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(changes(&plan), vec![modified("ApexClass", "BaseDiscount")]);
    // SeasonalDiscount.apply calls super.apply; InvoiceService.applyDiscount and
    // DiscountRegistry call Discount.apply, which BaseDiscount.apply implements.
    // BillingControllerTest builds a SeasonalDiscount and BillingController names the
    // type in `instanceof`, but neither runs apply(): not selected. VolumeDiscount does
    // not extend BaseDiscount.
    assert_selected(
        &plan,
        &[
            CRITICAL,
            "DiscountRegistryTest",
            "InvoiceServiceTest",
            "SeasonalDiscountTest",
        ],
    );
    no_uncovered(&plan);
    assert_path(&plan, "SeasonalDiscountTest", "ApexClass:BaseDiscount");
}

#[test]
fn interface_change_reaches_the_tests_of_every_implementation_and_caller() {
    let repo = TestRepo::new("billing");
    // A renamed parameter changes the method's declaration (its tokens), not the
    // implementations: the change is located to Discount.apply.
    repo.edit(
        &class("Discount"),
        "Decimal apply(Decimal amount);",
        "Decimal apply(Decimal grossAmount);",
    );
    repo.commit("Say which amount a discount expects");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(changes(&plan), vec![modified("ApexClass", "Discount")]);
    assert_selected(
        &plan,
        &[
            CRITICAL,
            "DiscountRegistryTest",
            "InvoiceServiceTest",
            "SeasonalDiscountTest",
            "VolumeDiscountTest",
        ],
    );
    no_uncovered(&plan);
    assert_path(&plan, "VolumeDiscountTest", "ApexClass:Discount");
    assert_path(&plan, "InvoiceServiceTest", "ApexClass:Discount");
}

#[test]
fn trigger_change_reaches_tests_that_save_the_object_through_the_factory_only() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &format!("{TRIGGERS}/InvoiceTrigger.trigger"),
        "after delete)",
        "after delete, after undelete)",
    );
    repo.commit("Recount open totals when an invoice is restored");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ApexTrigger", "InvoiceTrigger")]
    );
    // InvoiceSelectorTest queries invoices and InvoiceTotalsLegacyTest sums them in
    // memory; neither saves one, so the trigger never fires for them.
    assert_selected(&plan, INVOICE_WRITERS);
    no_uncovered(&plan);
    // InvoiceServiceTest saves invoices in its @TestSetup, via TestDataFactory.
    assert_path(&plan, "InvoiceServiceTest", "ApexTrigger:InvoiceTrigger");
    assert_path(&plan, "PaymentServiceTest", "ApexTrigger:InvoiceTrigger");
}

#[test]
fn trigger_handler_change_reaches_the_same_tests_as_the_trigger() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("InvoiceTriggerHandler"),
        "'A paid invoice cannot change its amount'",
        "'Paid invoices are locked: create a credit payment instead'",
    );
    repo.commit("Clearer error on paid invoices");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ApexClass", "InvoiceTriggerHandler")]
    );
    assert_selected(&plan, INVOICE_WRITERS);
    no_uncovered(&plan);
    assert_path(
        &plan,
        "InvoiceServiceTest",
        "ApexClass:InvoiceTriggerHandler",
    );
}

#[test]
fn validation_rule_change_reaches_the_writers_of_its_object() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &format!("{INVOICE}/validationRules/Amount_Positive.validationRule-meta.xml"),
        "Amount__c &lt;= 0",
        "Amount__c &lt; 0",
    );
    repo.commit("Allow zero-amount invoices");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ValidationRule", "Invoice__c.Amount_Positive")]
    );
    assert_selected(&plan, INVOICE_WRITERS);
    no_uncovered(&plan);
    assert_path(
        &plan,
        "InvoiceServiceTest",
        "ValidationRule:Invoice__c.Amount_Positive",
    );
    assert_path(
        &plan,
        "BillingControllerTest",
        "ValidationRule:Invoice__c.Amount_Positive",
    );
}

#[test]
fn defaulted_field_change_reaches_writers_of_the_object_and_users_of_the_field() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &format!("{INVOICE}/fields/Status__c.field-meta.xml"),
        "            <value>\n                <fullName>Paid</fullName>",
        "            <value>\n                <fullName>Disputed</fullName>\n                <default>false</default>\n                <label>Disputed</label>\n            </value>\n            <value>\n                <fullName>Paid</fullName>",
    );
    repo.commit("Invoices can be disputed");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("CustomField", "Invoice__c.Status__c")]
    );
    // Status__c has a default value, so every insert of Invoice__c depends on it; and
    // InvoiceSelectorTest reads the field (filterOpen, selectOverdue) without saving.
    let mut expected = INVOICE_WRITERS.to_vec();
    expected.push("InvoiceSelectorTest");
    assert_selected(&plan, &expected);
    no_uncovered(&plan);
    assert_path(
        &plan,
        "InvoiceSelectorTest",
        "CustomField:Invoice__c.Status__c",
    );
    assert_path(
        &plan,
        "InvoiceServiceTest",
        "CustomField:Invoice__c.Status__c",
    );
}

#[test]
fn plain_field_change_reaches_only_code_that_reads_or_writes_it() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &format!("{INVOICE}/fields/Purchase_Order__c.field-meta.xml"),
        "<length>40</length>",
        "<length>80</length>",
    );
    repo.commit("Longer purchase order numbers");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("CustomField", "Invoice__c.Purchase_Order__c")]
    );
    // Only the CSV export (billing-extras) and its test touch Purchase_Order__c; the
    // field is neither required nor defaulted, so saving an invoice does not depend on it.
    assert_selected(&plan, &[CRITICAL, "InvoiceCsvExporterTest"]);
    no_uncovered(&plan);
    assert_path(
        &plan,
        "InvoiceCsvExporterTest",
        "CustomField:Invoice__c.Purchase_Order__c",
    );
}

fn comment_only_change(repo: &TestRepo) {
    repo.edit(
        &class("InvoiceService"),
        "        Decimal sum = 0;\n",
        "        // Start from zero: an empty list totals 0.00, not null.\n        Decimal   sum = 0;\n\n",
    );
}

#[test]
fn comment_only_change_is_listed_as_not_semantic_and_selects_only_its_covering_test() {
    let repo = TestRepo::new("billing");
    comment_only_change(&repo);
    repo.commit("Explain the starting value");

    let plan = repo.plan_committed();

    assert_eq!(
        changes(&plan),
        vec![(
            "ApexClass".into(),
            "InvoiceService".into(),
            "modified".into(),
            false
        )]
    );
    // The critical test still runs: it is always selected. The class is deployed all the
    // same, and a RunSpecifiedTests deploy needs a test that covers it: its own test.
    assert_specified(&plan);
    assert_selected(&plan, &[CRITICAL, "InvoiceServiceTest"]);
    no_uncovered(&plan);
}

#[test]
fn comment_only_change_without_critical_tests_runs_its_covering_test() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.delete_class(CRITICAL);
    });
    comment_only_change(&repo);
    repo.commit("Explain the starting value");

    let plan = repo.plan_committed();

    assert_eq!(
        changes(&plan),
        vec![(
            "ApexClass".into(),
            "InvoiceService".into(),
            "modified".into(),
            false
        )]
    );
    assert_specified(&plan);
    assert!(plan["fallback"].is_null());
    assert_selected(&plan, &["InvoiceServiceTest"]);
    no_uncovered(&plan);
}

#[test]
fn deleted_class_selects_the_tests_that_used_it_on_the_base_revision() {
    let repo = TestRepo::new("billing");
    repo.delete_class("SeasonalDiscount");
    repo.commit("Drop seasonal discounts");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    let changed = changes(&plan);
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(
        (
            changed[0].0.as_str(),
            changed[0].1.as_str(),
            changed[0].2.as_str()
        ),
        ("ApexClass", "SeasonalDiscount", "deleted")
    );
    // Everything that named SeasonalDiscount in the base revision breaks without it,
    // even BillingController, which only names it in `instanceof`.
    assert_selected(
        &plan,
        &[
            "BillingControllerTest",
            CRITICAL,
            "DiscountRegistryTest",
            "InvoiceServiceTest",
            "SeasonalDiscountTest",
        ],
    );
    // A deleted class is not deployed, so it needs no coverage.
    no_uncovered(&plan);
    assert_path(&plan, "BillingControllerTest", "ApexClass:SeasonalDiscount");
    assert_path(&plan, "InvoiceServiceTest", "ApexClass:SeasonalDiscount");
}

#[test]
fn renamed_class_is_judged_on_both_names() {
    let repo = TestRepo::new("billing");
    let old = class("PaymentNotifier");
    let new = class("PaymentReceiptMailer");
    repo.rename(&old, &new)
        .rename(&format!("{old}-meta.xml"), &format!("{new}-meta.xml"))
        .edit(
            &new,
            "public with sharing class PaymentNotifier {",
            "public with sharing class PaymentReceiptMailer {",
        )
        .edit(
            &class("PaymentNotifierTest"),
            "PaymentNotifier.notifyPayment(",
            "PaymentReceiptMailer.notifyPayment(",
        );
    repo.commit("Rename PaymentNotifier to PaymentReceiptMailer");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    let ids = changed_ids(&plan);
    assert!(
        ids.contains(&"ApexClass:PaymentReceiptMailer".to_string()),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"ApexClass:PaymentNotifierTest".to_string()),
        "{ids:?}"
    );
    // Either two changes (deleted + added) or one `renamed` change; both name the old
    // class somewhere so a reader sees where the new one came from.
    let new_entry = change_entry(&plan, "ApexClass:PaymentReceiptMailer");
    if !ids.contains(&"ApexClass:PaymentNotifier".to_string()) {
        assert_eq!(new_entry["change"], "renamed", "{new_entry}");
        assert!(
            new_entry.to_string().contains("PaymentNotifier"),
            "{new_entry}"
        );
    } else {
        assert_eq!(
            change_entry(&plan, "ApexClass:PaymentNotifier")["change"],
            "deleted"
        );
    }
    assert_selected(&plan, &[CRITICAL, "PaymentNotifierTest"]);
    // The new class is reached by the (edited) test, so it is covered.
    no_uncovered(&plan);
}

#[test]
fn changed_test_is_always_selected() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("SeasonalDiscountTest"),
        "        Assert.isTrue(discount.isActive(Date.today()));\n",
        "        Assert.isTrue(discount.isActive(Date.today()));\n        Assert.isTrue(discount.isActive(Date.today().addDays(7)));\n",
    );
    repo.commit("The last day of the season counts");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ApexClass", "SeasonalDiscountTest")]
    );
    assert_selected(&plan, &[CRITICAL, "SeasonalDiscountTest"]);
    no_uncovered(&plan);
    assert_path(
        &plan,
        "SeasonalDiscountTest",
        "ApexClass:SeasonalDiscountTest",
    );
    // A modified test says "changed", as a new one does: in the JSON and in the text.
    let entry = test_entry(&plan, "SeasonalDiscountTest");
    assert_eq!(entry["reasons"][0]["note"], "changed", "{entry}");
    let base = repo.base().to_string();
    let text = repo.run(&["plan", "--base", &base, "--head", "HEAD"]);
    let line = text
        .ok()
        .lines()
        .find(|line| line.contains("SeasonalDiscountTest") && line.contains(" apex "))
        .unwrap_or_default()
        .to_string();
    assert!(line.ends_with("  changed"), "{line}");
}

#[test]
fn test_for_annotation_links_a_test_to_a_class_it_never_names() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("TaxCalculator"),
        "        'DE' => 0.19,\n",
        "        'DE' => 0.19,\n        'IT' => 0.22,\n",
    );
    repo.commit("Italian VAT");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(changes(&plan), vec![modified("ApexClass", "TaxCalculator")]);
    // TaxFlowTest runs the Calculate_Tax flow by name; only
    // @IsTest(testFor='ApexClass:TaxCalculator') ties it to the class.
    assert_selected(&plan, &[CRITICAL, "TaxFlowTest"]);
    no_uncovered(&plan);
    assert_path(&plan, "TaxFlowTest", "ApexClass:TaxCalculator");
}

#[test]
fn critical_test_runs_with_a_change_no_test_reaches_and_the_class_is_uncovered() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("VolumePricing"),
        "quantity >= 1000 ? 0.80",
        "quantity >= 500 ? 0.80",
    );
    repo.commit("Bigger break from 500 units");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(changes(&plan), vec![modified("ApexClass", "VolumePricing")]);
    assert_selected(&plan, &[CRITICAL]);
    assert_eq!(
        uncovered(&plan),
        vec!["ApexClass:VolumePricing".to_string()]
    );
}

#[test]
fn critical_test_runs_when_the_change_touches_no_apex() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &format!("{INVOICE}/listViews/All.listView-meta.xml"),
        "    <columns>Status__c</columns>\n",
        "    <columns>Status__c</columns>\n    <columns>Due_Date__c</columns>\n",
    );
    repo.commit("Show due dates in the All list view");

    let plan = repo.plan_committed();

    assert_eq!(changes(&plan), vec![modified("ListView", "Invoice__c.All")]);
    // Nothing else is selected, yet the critical test still runs: RunSpecifiedTests.
    assert_specified(&plan);
    assert_selected(&plan, &[CRITICAL]);
    no_uncovered(&plan);
}

#[test]
fn apex_names_match_whatever_their_case() {
    let repo = TestRepo::new("billing");
    change_total(&repo);
    repo.commit("Void invoices do not count in totals");

    let plan = repo.plan_committed();

    // InvoiceTotalsLegacyTest writes `invoiceservice.total(...)`, `INVOICESERVICE.Total`
    // and `list<invoice__c>`.
    assert!(
        selected_tests(&plan).contains(&"InvoiceTotalsLegacyTest".to_string()),
        "{:?}",
        selected_tests(&plan)
    );
    assert_path(&plan, "InvoiceTotalsLegacyTest", "ApexClass:InvoiceService");
    // Names are displayed as declared, not as a caller spelled them.
    let path = reason_path(&plan, "InvoiceTotalsLegacyTest");
    assert_eq!(
        path.last().map(String::as_str),
        Some("ApexClass:InvoiceTotalsLegacyTest")
    );
    assert!(path[0].contains("InvoiceService"), "{path:?}");
}

/// The same class in two package directories cannot be deployed together; the plan says
/// so, reads the two as one class, and a change to either copy selects the class's tests.
#[test]
fn a_class_in_two_package_directories_is_a_warning_and_one_class() {
    let selector = std::fs::read_to_string(
        fixture_dir("billing")
            .join(CLASSES)
            .join("InvoiceSelector.cls"),
    )
    .expect("the fixture's selector");
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write(&format!("{EXTRAS}/InvoiceSelector.cls"), &selector)
            .write(
                &format!("{EXTRAS}/InvoiceSelector.cls-meta.xml"),
                CLASS_META,
            );
    });
    repo.edit(
        &format!("{EXTRAS}/InvoiceSelector.cls"),
        "ORDER BY Name\n",
        "ORDER BY Name DESC\n",
    );
    repo.commit("The extras' copy sorts newest first");

    let plan = repo.plan_committed();

    let warning = plan["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w.as_str())
        .find(|w| w.starts_with("ApexClass:InvoiceSelector has 2 source files"))
        .unwrap_or_else(|| panic!("no warning: {}", plan["warnings"]));
    assert!(
        warning.contains(&format!("{EXTRAS}/InvoiceSelector.cls"))
            && warning.contains(&format!("{CLASSES}/InvoiceSelector.cls")),
        "{warning}"
    );
    assert_specified(&plan);
    assert_path(&plan, "InvoiceSelectorTest", "ApexClass:InvoiceSelector");
}

#[test]
fn second_package_directory_is_read_and_linked_to_the_first() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &format!("{EXTRAS}/InvoiceCsvExporter.cls"),
        "ORDER BY Name\n",
        "ORDER BY Name DESC\n",
    );
    repo.commit("Newest invoices first in the export");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ApexClass", "InvoiceCsvExporter")]
    );
    assert_eq!(
        change_entry(&plan, "ApexClass:InvoiceCsvExporter")["paths"],
        serde_json::json!([format!("{EXTRAS}/InvoiceCsvExporter.cls")])
    );
    assert_selected(&plan, &[CRITICAL, "InvoiceCsvExporterTest"]);
    no_uncovered(&plan);
    assert_path(
        &plan,
        "InvoiceCsvExporterTest",
        "ApexClass:InvoiceCsvExporter",
    );
}

#[test]
fn forceignored_files_and_files_outside_package_directories_are_not_changes() {
    let repo = TestRepo::new("billing");
    repo.edit(&class("InvoiceArchiver"), "LIMIT 5000", "LIMIT 2000")
        .edit(
            "force-app/main/default/lwc/jsconfig.json",
            "\"experimentalDecorators\": true,",
            "\"experimentalDecorators\": true,\n        \"checkJs\": true,",
        )
        .edit(
            "scripts/apex/seed.apex",
            "createAccounts(3)",
            "createAccounts(5)",
        )
        .edit(
            "README.md",
            "A small Salesforce DX project",
            "A small Salesforce DX project (billing)",
        )
        .edit(
            "config/project-scratch-def.json",
            "Billing Dev",
            "Billing Scratch",
        );
    repo.commit("Housekeeping");

    let plan = repo.plan_committed();

    assert_eq!(changed_ids(&plan), Vec::<String>::new());
    // Nothing changed, but a critical test is always selected (the safer reading of
    // "always"), so the plan still runs it.
    assert_specified(&plan);
    assert_selected(&plan, &[CRITICAL]);
    no_uncovered(&plan);
}

#[test]
fn changed_sfdx_project_json_falls_back_to_all_local_tests() {
    let repo = TestRepo::new("billing");
    repo.edit("sfdx-project.json", "\"62.0\"", "\"63.0\"");
    repo.commit("API 63");

    let plan = repo.plan_committed();

    assert_eq!(plan["test_level"], "RunLocalTests");
    assert_eq!(fallback_paths(&plan), vec!["sfdx-project.json".to_string()]);
    let reason = plan["fallback"]["reason"].as_str().expect("a reason");
    assert!(reason.contains("`sourceApiVersion`"), "{reason}");
}

/// A team that deploys only what changed can say a `sourceApiVersion` bump alone runs no
/// more tests; a bump beside a key that still matters falls back, naming that key only.
#[test]
fn a_source_api_version_bump_can_be_told_not_to_fall_back() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write("impact.toml", "[fallback]\nsource_api_version = false\n");
    });
    repo.edit("sfdx-project.json", "\"62.0\"", "\"63.0\"");
    repo.commit("API 63");

    let plan = repo.plan_committed();

    assert!(plan["fallback"].is_null(), "{}", plan["fallback"]);
    assert_specified(&plan);
    assert_selected(&plan, &[CRITICAL]);

    repo.edit(
        "sfdx-project.json",
        "\"namespace\": \"\"",
        "\"namespace\": \"bill\"",
    );
    repo.edit("sfdx-project.json", "\"63.0\"", "\"64.0\"");
    repo.commit("API 64 and a namespace");

    let plan = repo.plan_committed();

    assert_eq!(plan["test_level"], "RunLocalTests");
    let reason = plan["fallback"]["reason"].as_str().expect("a reason");
    assert!(reason.contains("`namespace`"), "{reason}");
    assert!(!reason.contains("sourceApiVersion"), "{reason}");
}

/// The twin: a class compiles at the `apiVersion` of its own `-meta.xml`, so bumping it
/// changes that class alone, as an edit of its source would, and falls back to nothing.
#[test]
fn a_class_api_version_bump_is_a_change_of_that_class() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &format!("{CLASSES}/InvoiceSelector.cls-meta.xml"),
        "62.0",
        "63.0",
    );
    repo.commit("InvoiceSelector at API 63");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_eq!(
        changed_ids(&plan),
        vec!["ApexClass:InvoiceSelector".to_string()]
    );
    assert_path(&plan, "InvoiceSelectorTest", "ApexClass:InvoiceSelector");
    assert_excludes(&plan, &["DiscountRegistryTest"]);
}

/// Packaged projects bump version fields in nearly every commit; those edits change
/// neither what is deployed nor how it compiles.
#[test]
fn packaging_edits_to_sfdx_project_json_do_not_fall_back() {
    let repo = TestRepo::new("billing");
    repo.edit(
        "sfdx-project.json",
        "\"default\": true\n",
        "\"default\": true,\n      \"package\": \"Billing\",\n      \"versionName\": \"Spring\",\n      \"versionNumber\": \"1.2.0.NEXT\"\n",
    );
    repo.edit(
        "sfdx-project.json",
        "\"name\": \"billing\",",
        "\"name\": \"billing\",\n  \"packageAliases\": { \"Billing\": \"0Ho000000000001\" },",
    );
    change_total(&repo);
    repo.commit("Release 1.2: void invoices do not count in totals");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_selected(&plan, TOTAL_CALLERS);
}

/// A component moved unchanged, all its files from one folder to another, deploys the
/// same component: it is a formatting-only change, which runs only the test a deployed
/// class needs for its coverage, not its callers' (navikt's crm-nks-chat moved eight
/// routing configs to the folder it deploys apart, and ran every test). Moved and edited, it is the edit's change; a file moved inside a bundle
/// is a change of the bundle (the module importing it may no longer find it).
#[test]
fn a_component_moved_unchanged_to_another_folder_changes_nothing() {
    let repo = TestRepo::new("billing");
    let moved = class("InvoiceService").replace("/classes/", "/classes/billing/");
    repo.rename(&class("InvoiceService"), &moved).rename(
        &format!("{}-meta.xml", class("InvoiceService")),
        &format!("{moved}-meta.xml"),
    );
    repo.commit("Billing classes in a folder of their own");

    let plan = repo.plan_committed();

    assert_eq!(
        changes(&plan),
        vec![formatting_only("ApexClass", "InvoiceService")]
    );
    assert_specified(&plan);
    assert_selected(&plan, &[CRITICAL, "InvoiceServiceTest"]);

    let back = class("InvoiceService").replace("/classes/", "/classes/core/");
    repo.rename(&moved, &back)
        .rename(&format!("{moved}-meta.xml"), &format!("{back}-meta.xml"));
    repo.edit(
        &back,
        "if (invoice.Amount__c != null) {",
        "if (invoice.Amount__c != null && invoice.Status__c != 'Void') {",
    );
    repo.commit("Moved again, and void invoices do not count in totals");

    let plan = repo.plan_committed();

    assert_eq!(
        changes(&plan),
        vec![modified("ApexClass", "InvoiceService")]
    );
    assert_selected(&plan, TOTAL_CALLERS);

    let bundle = "force-app/main/default/lwc/invoiceList";
    repo.rename(
        &format!("{bundle}/invoiceList.html"),
        &format!("{bundle}/templates/invoiceList.html"),
    );
    repo.commit("The template in a folder of its own");

    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);

    assert_eq!(
        changes(&plan),
        vec![modified("LightningComponentBundle", "invoiceList")]
    );
    assert_eq!(
        jest_tests_of(&plan),
        vec![format!("{bundle}/__tests__/invoiceList.test.js")]
    );

    for file in [
        "templates/invoiceList.html",
        "invoiceList.js",
        "invoiceList.js-meta.xml",
    ] {
        repo.rename(
            &format!("{bundle}/{file}"),
            &format!("force-app/ui/lwc/invoiceList/{file}"),
        );
    }
    repo.commit("The bundle in a folder of its own");

    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);

    assert_eq!(
        changes(&plan),
        vec![formatting_only("LightningComponentBundle", "invoiceList")]
    );
    assert_eq!(jest_tests_of(&plan), Vec::<String>::new());

    // One file of the bundle gone and another come, of other names: no move.
    let moved_bundle = "force-app/ui/lwc/invoiceList";
    repo.delete(&format!("{moved_bundle}/templates/invoiceList.html"))
        .write(
            &format!("{moved_bundle}/format.js"),
            "export const format = (n) => `${n}`;\n",
        );
    repo.commit("The list renders through a helper");

    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);

    assert_eq!(
        changes(&plan),
        vec![modified("LightningComponentBundle", "invoiceList")]
    );
}

/// A package's dependency at a new version changes what every test runs against (the
/// package build and a scratch org install it; an upgraded package's objects and
/// automation can fail any test): it falls back and says so. A team that installs
/// dependencies as their own release can say a bump alone runs no more tests.
/// (navikt's crm-nks-chat bumped two dependencies in a commit that planned nothing.)
#[test]
fn a_dependency_s_new_version_falls_back_unless_told_not_to() {
    let with_dependency = |version: &str| {
        format!(
            "\"default\": true,\n      \"package\": \"Billing\",\n      \"versionNumber\": \"1.2.0.NEXT\",\n      \"dependencies\": [{{ \"package\": \"Ledger@{version}\" }}]\n"
        )
    };
    let repo = TestRepo::with_base("billing", |repo| {
        repo.edit(
            "sfdx-project.json",
            "\"default\": true\n",
            &with_dependency("0.28.0-1"),
        );
    });
    repo.edit("sfdx-project.json", "0.28.0-1", "0.35.0-2");
    repo.commit("Ledger 0.35");

    let plan = repo.plan_committed();

    assert_eq!(plan["test_level"], "RunLocalTests");
    assert_eq!(fallback_paths(&plan), vec!["sfdx-project.json".to_string()]);
    let reason = plan["fallback"]["reason"].as_str().expect("a reason");
    assert!(
        reason.starts_with("sfdx-project.json changed `packageDirectories[0].dependencies` (the versions of the packages every test runs against)"),
        "{reason}"
    );

    repo.write("impact.toml", "[fallback]\ndependencies = false\n");
    repo.edit("sfdx-project.json", "0.35.0-2", "0.36.0-1");
    change_total(&repo);
    repo.commit("Ledger 0.36; void invoices do not count in totals");

    let plan = repo.plan_committed();

    assert!(plan["fallback"].is_null(), "{}", plan["fallback"]);
    assert_specified(&plan);
    assert_selected(&plan, TOTAL_CALLERS);
}

/// The twin: a package directory's path is what gets deployed, so changing it falls back,
/// and the reason says which key.
#[test]
fn a_package_directory_edit_falls_back_and_names_the_key() {
    let repo = TestRepo::new("billing");
    repo.edit(
        "sfdx-project.json",
        "\"path\": \"billing-extras\"\n",
        "\"path\": \"billing-extras\",\n      \"versionNumber\": \"1.0.0.NEXT\"\n    },\n    {\n      \"path\": \"force-app/main\"\n",
    );
    repo.commit("Deploy force-app/main as its own directory");

    let plan = repo.plan_committed();

    assert_eq!(plan["test_level"], "RunLocalTests");
    let reason = plan["fallback"]["reason"].as_str().expect("a reason");
    assert!(
        reason.starts_with(
            "sfdx-project.json changed `packageDirectories (paths, order or default)`"
        ),
        "{reason}"
    );
}

/// A `.forceignore` edit is planned through the files it starts deploying: a class it
/// starts deploying is added (and uncovered, a deploy risk); a Jest test is read
/// wherever `.forceignore` puts it, so no longer ignoring `__tests__` changes nothing.
/// (apex-recipes and EDA each had a commit that ran every test for such an edit.)
#[test]
fn a_forceignore_change_is_planned_through_the_files_it_starts_deploying() {
    let repo = TestRepo::new("billing");
    repo.drop_lines(".forceignore", "InvoiceArchiver")
        .drop_lines(".forceignore", "__tests__");
    repo.commit("Deploy the archiver; Jest tests need no pattern");

    let plan = repo.plan_committed();

    assert!(plan["fallback"].is_null(), "{plan}");
    assert_eq!(plan["test_level"], "RunSpecifiedTests", "{plan}");
    assert_eq!(
        change_kinds(&plan),
        vec!["added ApexClass:InvoiceArchiver".to_string()]
    );
    assert_eq!(
        uncovered(&plan),
        vec!["ApexClass:InvoiceArchiver".to_string()]
    );
    assert!(
        tests(&plan).iter().all(|test| test["kind"] != "lwc"),
        "{plan}"
    );
}

/// A `.forceignore` edit that stops deploying a whole class falls back, naming it: the
/// org keeps the class, but code deployed to a new org (a scratch org) no longer sees
/// it. (NebulaLogger `8d00cf5f7` left out classes named like system types, `Test` and
/// `SObjectType`, that every test's `Test.startTest()` had resolved to.)
#[test]
fn a_forceignore_change_that_leaves_a_class_out_falls_back_naming_it() {
    let repo = TestRepo::new("billing");
    repo.append(".forceignore", "**/InvoiceCsvExporter.cls*");
    repo.commit("Stop deploying the CSV exporter");

    let plan = repo.plan_committed();

    assert_eq!(plan["test_level"], "RunLocalTests", "{plan}");
    assert_eq!(fallback_paths(&plan), vec![".forceignore".to_string()]);
    let reason = plan["fallback"]["reason"].as_str().unwrap_or_default();
    assert_eq!(
        reason,
        ".forceignore changed: it now leaves billing-extras/classes/InvoiceCsvExporter.cls \
         and 1 more file out of the deploy; the org keeps what it has, but code deployed to \
         a new org no longer sees it, which can change every test"
    );
    // A layout no test reads changes no test in a new org either.
    let repo = TestRepo::new("billing");
    repo.append(".forceignore", "**/layouts/**");
    repo.commit("Stop deploying layouts");
    let plan = repo.plan_committed();
    assert!(plan["fallback"].is_null(), "{plan}");
    assert!(
        plan["changes"].as_array().expect("changes").is_empty(),
        "{plan}"
    );
}

/// The Jest mocks that `moduleNameMapper` points `lightning/*` at (the sfdx-lwc-jest
/// layout of lwc-recipes): Salesforce does not deploy them and no Apex test reads them,
/// so a change runs every Jest test, not every local test. Any other file no type
/// claims still falls back.
#[test]
fn a_jest_mock_change_runs_every_jest_test_and_no_apex_fallback() {
    const MOCK: &str = "force-app/test/jest-mocks/lightning/refresh.js";
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(MOCK, "export const refreshApex = jest.fn();\n");
    });
    repo.write(
        MOCK,
        "export const refreshApex = jest.fn(() => Promise.resolve());\n",
    );
    repo.commit("Resolve the refresh mock");

    let plan = repo.plan_committed();

    assert!(plan["fallback"].is_null(), "{plan}");
    let jest: Vec<&Value> = tests(&plan)
        .iter()
        .filter(|test| test["kind"] == "lwc")
        .collect();
    assert_eq!(
        jest.len() as u64,
        plan["stats"]["tests_total_by_kind"]["lwc"]
            .as_u64()
            .unwrap_or(0),
        "{plan}"
    );
    assert!(!jest.is_empty());
    for test in jest {
        let note = test["reasons"][0]["note"].as_str().unwrap_or_default();
        assert!(
            note.starts_with(
                "jest-support: `force-app/test/jest-mocks/lightning/refresh.js` changed"
            ),
            "{note}"
        );
    }
    assert!(
        tests(&plan)
            .iter()
            .filter(|test| test["kind"] == "apex")
            .all(|test| test["name"] == "OrderSmokeTest"),
        "only the always-run Apex test: {plan}"
    );

    // A script nobody deploys and no type claims is not Jest's: it still falls back.
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write("force-app/main/default/scripts/setup.js", "run(1);\n");
    });
    repo.write("force-app/main/default/scripts/setup.js", "run(2);\n");
    repo.commit("A setup script");
    let plan = repo.plan_committed();
    assert_eq!(plan["test_level"], "RunLocalTests", "{plan}");
    assert_eq!(
        fallback_paths(&plan),
        vec!["force-app/main/default/scripts/setup.js".to_string()]
    );
}

/// A mock kept outside the package directories where `moduleNameMapper` points
/// `lightning/*` (`<rootDir>/config/jest/mocks/lightning/navigation`, NebulaLogger's
/// layout) is Jest's: its change runs every Jest test. It planned nothing before (a
/// change to NebulaLogger's `empApi` mock missed the test that publishes through it).
/// A file beside it that the configuration does not name still plans nothing, and a
/// file in a package directory it names falls back as before.
#[test]
fn a_mock_jest_s_configuration_names_outside_the_package_directories_runs_the_jest_tests() {
    const MOCK: &str = "config/jest/mocks/lightning/navigation.js";
    const OTHER: &str = "config/jest/notes.js";
    const SCRIPT: &str = "force-app/main/default/scripts/setup.js";
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(
            "jest.config.js",
            "const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');\nmodule.exports = {\n    ...jestConfig,\n    moduleNameMapper: {\n        '^lightning/navigation$': '<rootDir>/config/jest/mocks/lightning/navigation'\n    },\n    roots: ['<rootDir>/force-app'],\n    testPathIgnorePatterns: ['<rootDir>/.*/temp/']\n};\n",
        );
        repo.write(MOCK, "export const Navigate = 'navigate';\n");
        repo.write(OTHER, "// notes\n");
        repo.write(SCRIPT, "run(1);\n");
    });
    repo.write(MOCK, "export const Navigate = 'Navigate';\n");
    let mock = repo.commit("The mixin's key as the platform spells it");

    let plan = repo.plan_committed();

    assert!(plan["fallback"].is_null(), "{plan}");
    let jest = tests(&plan)
        .iter()
        .filter(|test| test["kind"] == "lwc")
        .count() as u64;
    assert!(jest > 0, "{plan}");
    assert_eq!(
        Some(jest),
        plan["stats"]["tests_total_by_kind"]["lwc"].as_u64(),
        "{plan}"
    );

    repo.write(OTHER, "// more notes\n");
    repo.commit("Notes");
    let plan = repo.plan_json(&["--base", &mock, "--head", "HEAD"]);
    assert!(plan["fallback"].is_null(), "{plan}");
    assert!(
        tests(&plan).iter().all(|test| test["kind"] != "lwc"),
        "{plan}"
    );

    // A file in a package directory the configuration's `roots` names, which no type
    // claims and Salesforce would deploy, still falls back.
    let notes = repo.head().to_string();
    repo.write(SCRIPT, "run(2);\n");
    repo.commit("A setup script");
    let plan = repo.plan_json(&["--base", &notes, "--head", "HEAD"]);
    assert_eq!(plan["test_level"], "RunLocalTests", "{plan}");
}

/// A fixture a Jest test `require`s, in its bundle's `__tests__` folder, which
/// `.forceignore` leaves out (`**/__tests__/**`: not deployed): its change runs the Jest
/// tests, as a mock's does. Before, `.forceignore` dropped it and the plan ran nothing
/// (lwc-recipes, ebikes-lwc, PMM keep such fixtures).
#[test]
fn a_jest_fixture_left_out_by_forceignore_runs_the_jest_tests() {
    const FIXTURE: &str = "force-app/main/default/lwc/orderFormat/__tests__/data/order.json";
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(FIXTURE, "{ \"total\": 1 }\n");
    });
    repo.write(FIXTURE, "{ \"total\": 2 }\n");
    repo.commit("A larger order in the fixture");

    let plan = repo.plan_committed();

    assert!(plan["fallback"].is_null(), "{plan}");
    let jest: Vec<String> = tests(&plan)
        .iter()
        .filter(|test| test["kind"] == "lwc")
        .map(|test| test["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        jest.iter()
            .any(|name| name.ends_with("orderFormat.test.js")),
        "{jest:?}"
    );
}

/// Jest's configuration beside `sfdx-project.json` (`jest.config.js`, the set-up file it
/// names, `package.json` with the `sfdx-lwc-jest` version) is outside every package
/// directory, but a change to it can make any Jest test fail: every Jest test runs, and
/// no Apex test; so does a Jest helper beside the package directories (a `__tests__`
/// folder of the project's own). A README beside them runs nothing. (lwc-recipes and
/// ebikes-lwc keep `jest.config.js` and `jest-sa11y-setup.js` there; NPSP and EDA
/// `jest.setup.js`; LightningWebChartJS a `__tests__/__utils__` set-up file.)
#[test]
fn a_change_to_jest_s_configuration_runs_the_jest_tests() {
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(
            "jest.config.js",
            "module.exports = { testTimeout: 5000 };\n",
        );
        repo.write(
            "package.json",
            "{ \"devDependencies\": { \"@salesforce/sfdx-lwc-jest\": \"^7.0.0\" } }\n",
        );
        repo.write("NOTES.md", "How to run the tests.\n");
        repo.write("__tests__/__utils__/setup.js", "global.TIMEOUT = 5000;\n");
    });
    let selected = |plan: &serde_json::Value| -> Vec<String> {
        assert!(plan["fallback"].is_null(), "{plan}");
        tests(plan)
            .iter()
            .map(|test| {
                format!(
                    "{}:{}",
                    test["kind"].as_str().unwrap_or_default(),
                    test["name"].as_str().unwrap_or_default()
                )
            })
            .collect()
    };
    // The fixture's critical smoke test runs whatever changes.
    repo.write("NOTES.md", "How to run the Jest tests.\n");
    repo.commit("Notes");
    let always = selected(&repo.plan_committed());
    assert_eq!(always, ["apex:OrderSmokeTest"]);
    for (file, text) in [
        (
            "jest.config.js",
            "module.exports = { testTimeout: 10000 };\n",
        ),
        (
            "package.json",
            "{ \"devDependencies\": { \"@salesforce/sfdx-lwc-jest\": \"^7.1.0\" } }\n",
        ),
        ("__tests__/__utils__/setup.js", "global.TIMEOUT = 10000;\n"),
    ] {
        repo.write(file, text);
        repo.commit(&format!("Change {file}"));
        let more: Vec<String> = selected(&repo.plan_committed())
            .into_iter()
            .filter(|name| !always.contains(name))
            .collect();
        assert!(
            more.iter()
                .any(|name| name.starts_with("lwc:") && name.ends_with("orderFormat.test.js")),
            "{file}: {more:?}"
        );
        assert!(
            more.iter().all(|name| name.starts_with("lwc:")),
            "{file}: {more:?}"
        );
        // The Jest command runs every Jest test Jest finds, not the list `impact` knows.
        let base = repo.base().to_string();
        let command = repo.run(&[
            "plan", "--base", &base, "--head", "HEAD", "--format", "jest",
        ]);
        assert_eq!(command.ok(), "npx sfdx-lwc-jest\n", "{file}");
    }
}

/// The Jest tests a plan selects, sorted; the plan does not fall back.
fn jest_tests_of(plan: &Value) -> Vec<String> {
    assert!(plan["fallback"].is_null(), "{plan}");
    tests_of_kind(plan, "lwc")
}

/// Jest tests wherever Jest's default pattern finds them: one kept beside the package
/// directories (`__tests__/unit/`, as LightningWebChartJS keeps 25 of its 27) tests the
/// bundles it imports; a `.spec.js` in a bundle's `__test__` folder (base-components-recipes
/// keeps nine so, which its `.forceignore` leaves out) tests its bundle. A change to a bundle
/// either reaches, directly or through another bundle, selects it, and a change to a
/// bundle it does not reach does not; a change to a test runs it alone, not every Jest
/// test; the Jest command names it by path.
#[test]
fn jest_tests_beside_the_package_directories_and_in_test_folders_test_what_they_import() {
    const ROOT_TEST: &str = "__tests__/unit/lineList.test.js";
    const SPEC: &str = "force-app/main/default/lwc/orderSummary/__test__/orderSummary.spec.js";
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(
            ROOT_TEST,
            "import { createElement } from 'lwc';\n\
             import OrderLineList from 'c/orderLineList';\n\
             it('counts', () => {\n\
             \x20   const element = createElement('c-order-line-list', { is: OrderLineList });\n\
             \x20   expect(element).toBeTruthy();\n\
             });\n",
        );
        repo.write(
            SPEC,
            "import { createElement } from 'lwc';\n\
             import OrderSummary from 'c/orderSummary';\n\
             it('renders', () => {\n\
             \x20   expect(createElement('c-order-summary', { is: OrderSummary })).toBeTruthy();\n\
             });\n",
        );
        repo.append(".forceignore", "**/__test__/**");
    });
    let step = |file: &str, from: &str, to: &str| {
        repo.edit(file, from, to);
        repo.commit(&format!("Change {file}"));
        jest_tests_of(&repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]))
    };
    let lwc = "force-app/main/default/lwc";
    // Each bundle, and which of the two tests it reaches: the summary card renders the
    // line list and imports the module, so those reach both.
    for (file, from, to, reaches) in [
        (
            format!("{lwc}/orderLineList/orderLineList.js"),
            "formatLines(this.lines.length)",
            "formatLines(this.lines.length || 0)",
            [true, true],
        ),
        (
            format!("{lwc}/orderFormat/orderFormat.js"),
            "'1 line'",
            "'one line'",
            [true, true],
        ),
        (
            format!("{lwc}/orderSummary/orderSummary.js"),
            "summary;",
            "summary = null;",
            [false, true],
        ),
    ] {
        let selected = step(&file, from, to);
        for (test, reached) in [ROOT_TEST, SPEC].into_iter().zip(reaches) {
            assert_eq!(
                selected.iter().any(|name| name == test),
                reached,
                "{file}, {test}: {selected:?}"
            );
        }
    }
    // A test itself: it runs, and no other Jest test does.
    assert_eq!(step(SPEC, "toBeTruthy", "toBeDefined"), [SPEC]);
    assert_eq!(
        step(ROOT_TEST, "expect(element)", "expect(element.lines)"),
        [ROOT_TEST]
    );
    let command = repo.run(&[
        "plan", "--base", "HEAD~1", "--head", "HEAD", "--format", "jest",
    ]);
    assert_eq!(
        command.ok(),
        format!("npx sfdx-lwc-jest -- --runTestsByPath {ROOT_TEST}\n")
    );
}

/// Checks that `plan` runs every Jest test of the automation org (`test` among them) and
/// no Apex test but the smoke test the fixture always runs.
fn assert_every_jest_test_and_only_the_smoke_test(plan: &Value, test: &str) {
    let every = jest_tests_of(plan);
    assert!(
        every.len() > 2 && every.contains(&test.to_string()),
        "{plan}"
    );
    assert_no_apex_test_but_the_smoke_test(plan);
}

/// Checks that `plan` runs no Jest test, and no Apex test but the smoke test.
fn assert_no_test_but_the_smoke_test(plan: &Value) {
    assert!(jest_tests_of(plan).is_empty(), "{plan}");
    assert_no_apex_test_but_the_smoke_test(plan);
}

/// Checks that `plan` runs no Apex test but the smoke test the fixture always runs.
fn assert_no_apex_test_but_the_smoke_test(plan: &Value) {
    assert!(
        selected_tests(plan)
            .iter()
            .all(|name| name == "OrderSmokeTest"),
        "{plan}"
    );
}

/// A script in a package directory that `.forceignore` leaves out is Jest's (a
/// project's `test/jest-utils/` helpers, which its Jest tests import by relative path):
/// its change runs every Jest test and no Apex test. Another file left out there (a data
/// plan's CSV) changes nothing. (The helper's change planned nothing before.)
#[test]
fn a_script_left_out_of_a_package_directory_is_jest_s() {
    const TEST: &str = "force-app/main/default/lwc/orderLineList/__tests__/lines.test.js";
    const HELPER: &str = "force-app/test/jest-utils/orderLines.js";
    const DATA: &str = "force-app/test/data/lines.csv";
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(
            TEST,
            "import OrderLineList from 'c/orderLineList';\n\
             import { lines } from '../../../../../test/jest-utils/orderLines';\n\
             it('lists', () => expect(lines).toBeTruthy());\n",
        );
        repo.write(HELPER, "export const lines = [];\n");
        repo.write(DATA, "Amount\n1\n");
        repo.append(".forceignore", "force-app/test/**");
    });
    repo.write(HELPER, "export const lines = [{ amount: 1 }];\n");
    repo.commit("A line in the helper");
    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);
    assert_every_jest_test_and_only_the_smoke_test(&plan, TEST);

    repo.write(DATA, "Amount\n2\n");
    repo.commit("Another amount in the data plan");
    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);
    assert_no_test_but_the_smoke_test(&plan);
}

/// A JavaScript module outside every package directory (Data-Fetcher's
/// `test-utils/pickerTestUtils.js`, which its Jest tests import by relative path) is
/// Jest's: its change runs every Jest test and no Apex test. It planned nothing before:
/// no change, no test. Tools there (ESLint's `eslint.config.js`, a file in a hidden
/// folder, a script in `scripts/`) change nothing.
#[test]
fn a_javascript_module_outside_the_package_directories_is_jest_s() {
    const TEST: &str = "force-app/main/default/lwc/orderLineList/__tests__/picker.test.js";
    const HELPER: &str = "test-utils/pickerUtils.js";
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(
            TEST,
            "import OrderLineList from 'c/orderLineList';\n\
             import { flush } from '../../../../../../test-utils/pickerUtils';\n\
             it('picks', () => flush().then(() => expect(OrderLineList).toBeTruthy()));\n",
        );
        repo.write(HELPER, "export const flush = () => Promise.resolve();\n");
        repo.write("eslint.config.js", "module.exports = [];\n");
        repo.write(".husky/lint.js", "module.exports = {};\n");
        repo.write("scripts/login-url.js", "console.log('login');\n");
    });
    repo.write(
        HELPER,
        "export const flush = () => new Promise((done) => setTimeout(done, 16));\n",
    );
    repo.commit("Wait a frame in the picker helper");
    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);
    assert_every_jest_test_and_only_the_smoke_test(&plan, TEST);

    repo.write("eslint.config.js", "module.exports = [{ rules: {} }];\n");
    repo.write(".husky/lint.js", "module.exports = { strict: true };\n");
    repo.write("scripts/login-url.js", "console.log('login url');\n");
    repo.commit("Lint rules; a script's message");
    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);
    assert_no_test_but_the_smoke_test(&plan);
}

/// A Jest test that loads a file by relative path (`require('../../../staticresources/
/// x.json')`, as NebulaLogger's load a static resource) runs when that component changes,
/// and the other Jest tests do not. A file in a bundle folder that `.forceignore` leaves
/// out (apex-rollup's `lwc/__mockData__/`, which its tests import) is Jest's alone: its
/// change runs every Jest test, and no Apex test. (Both planned no Jest test before.)
#[test]
fn a_jest_test_reaches_what_it_loads_by_relative_path() {
    const TEST: &str = "force-app/main/default/lwc/orderLineList/__tests__/rates.test.js";
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(
            TEST,
            "import OrderLineList from 'c/orderLineList';\n\
             import { lines } from '../../__mockData__';\n\
             const rates = require('../../../staticresources/carrier_rates_ups.json');\n\
             it('prices', () => expect(rates).toBeTruthy());\n",
        );
        repo.write(
            "force-app/main/default/lwc/__mockData__/index.js",
            "export const lines = [];\n",
        );
        repo.append(".forceignore", "**/__mockData__");
    });
    let resource = "force-app/main/default/staticresources/carrier_rates_ups.json";
    let text = repo.read(resource);
    repo.write(resource, &text.replacen('{', "{ \"version\": 2,", 1));
    repo.commit("Rates, version 2");
    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);
    assert_eq!(jest_tests_of(&plan), [TEST], "{plan}");

    repo.write(
        "force-app/main/default/lwc/__mockData__/index.js",
        "export const lines = [{ amount: 1 }];\n",
    );
    repo.commit("A line of mock data");
    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);
    assert_every_jest_test_and_only_the_smoke_test(&plan, TEST);
}

/// A `.forceignore` edit that changes no file's part in the deploy (patterns for tool
/// files the repository does not deploy anyway) changes no test; one that starts
/// deploying a file adds that file's component. (NPSP, NebulaLogger and apex-recipes each added
/// `**/*.ts`, `**/tsconfig.json` or `**/__mocks__/**` in a commit that ran every test.)
#[test]
fn a_forceignore_edit_that_moves_no_file_does_not_fall_back() {
    let repo = TestRepo::new("billing");
    repo.append(
        ".forceignore",
        "# TypeScript tooling\n**/*.ts\n**/tsconfig.json",
    );
    repo.edit(
        &class("InvoiceService"),
        "Decimal sum = 0;",
        "Decimal sum = 0.00;",
    );
    repo.commit("Ignore TypeScript tooling; a total fix");
    let plan = repo.plan_committed();
    assert!(plan["fallback"].is_null(), "{plan}");
    assert_includes(&plan, &["InvoiceServiceTest"]);

    // Stop ignoring the unfinished InvoiceArchiver: it is deployed now, without a test.
    let repo = TestRepo::new("billing");
    repo.drop_lines(".forceignore", "InvoiceArchiver");
    repo.commit("Deploy the archiver");
    let plan = repo.plan_committed();
    assert!(plan["fallback"].is_null(), "{plan}");
    assert_eq!(
        uncovered(&plan),
        vec!["ApexClass:InvoiceArchiver".to_string()]
    );
}

#[test]
fn apex_file_that_does_not_parse_falls_back_and_is_named() {
    let repo = TestRepo::new("billing");
    // A merge conflict committed by mistake.
    repo.edit(
        &class("InvoiceService"),
        "        Decimal sum = 0;\n",
        "<<<<<<< HEAD\n        Decimal sum = 0;\n=======\n        Decimal sum = 0.00;\n>>>>>>> feature\n",
    );
    repo.commit("Merge branch 'feature'");

    let plan = repo.plan_committed();

    assert_eq!(plan["test_level"], "RunLocalTests");
    let paths = fallback_paths(&plan);
    assert!(paths.contains(&class("InvoiceService")), "{paths:?}");
}

fn two_unrelated_changes(repo: &TestRepo) {
    repo.edit(
        &class("VolumePricing"),
        "quantity >= 1000 ? 0.80",
        "quantity >= 500 ? 0.80",
    )
    .edit(&class("TaxCalculator"), "'DE' => 0.19,", "'DE' => 0.195,");
}

#[test]
fn more_changes_than_max_changes_falls_back_naming_the_files() {
    let repo = TestRepo::new("billing");
    two_unrelated_changes(&repo);
    repo.commit("Two changes");
    let base = repo.base().to_string();

    let plan = repo.plan_json(&["--base", &base, "--head", "HEAD", "--max-changes", "1"]);

    assert_eq!(plan["test_level"], "RunLocalTests");
    let paths = fallback_paths(&plan);
    assert!(paths.contains(&class("VolumePricing")), "{paths:?}");
    assert!(paths.contains(&class("TaxCalculator")), "{paths:?}");
}

#[test]
fn as_many_changes_as_max_changes_is_still_judged() {
    let repo = TestRepo::new("billing");
    two_unrelated_changes(&repo);
    repo.commit("Two changes");
    let base = repo.base().to_string();

    let plan = repo.plan_json(&["--base", &base, "--head", "HEAD", "--max-changes", "2"]);

    assert_specified(&plan);
    assert_selected(&plan, &[CRITICAL, "TaxFlowTest"]);
    assert_eq!(
        uncovered(&plan),
        vec!["ApexClass:VolumePricing".to_string()]
    );
}

const LATE_FEE_SERVICE: &str = r#"/**
 * Late fees: 1.5% of the balance per started month past the due date.
 */
public with sharing class LateFeeService {
    private static final Decimal MONTHLY_RATE = 0.015;

    public static Decimal lateFee(Invoice__c invoice, Decimal paid, Date asOf) {
        if (invoice.Due_Date__c == null || asOf <= invoice.Due_Date__c) {
            return 0;
        }
        Integer months = invoice.Due_Date__c.monthsBetween(asOf) + 1;
        return (InvoiceService.balance(invoice, paid) * MONTHLY_RATE * months).setScale(2);
    }
}
"#;

const LATE_FEE_SERVICE_TEST: &str = r#"@IsTest
private class LateFeeServiceTest {
    @IsTest
    static void oneStartedMonthCostsOneAndAHalfPercent() {
        Invoice__c invoice = new Invoice__c(Amount__c = 100, Due_Date__c = Date.today().addDays(-10));
        Assert.areEqual(1.50, LateFeeService.lateFee(invoice, 0, Date.today()));
    }

    @IsTest
    static void nothingIsDueBeforeTheDueDate() {
        Invoice__c invoice = new Invoice__c(Amount__c = 100, Due_Date__c = Date.today().addDays(10));
        Assert.areEqual(0, LateFeeService.lateFee(invoice, 0, Date.today()));
    }
}
"#;

fn work_in_progress(repo: &TestRepo) {
    change_total(repo);
    repo.write_class("LateFeeService", LATE_FEE_SERVICE)
        .write_class("LateFeeServiceTest", LATE_FEE_SERVICE_TEST);
}

fn assert_work_in_progress_plan(plan: &Value) {
    assert_eq!(plan["head"], "WORKTREE");
    assert_specified(plan);
    let ids = changed_ids(plan);
    assert_eq!(
        ids,
        vec![
            "ApexClass:InvoiceService".to_string(),
            "ApexClass:LateFeeService".to_string(),
            "ApexClass:LateFeeServiceTest".to_string(),
        ]
    );
    assert_eq!(
        change_entry(plan, "ApexClass:LateFeeService")["change"],
        "added"
    );
    assert_eq!(
        change_entry(plan, "ApexClass:InvoiceService")["change"],
        "modified"
    );
    let mut expected = TOTAL_CALLERS.to_vec();
    expected.push("LateFeeServiceTest");
    assert_selected(plan, &expected);
    // LateFeeService is new, and reached by its new test.
    no_uncovered(plan);
}

#[test]
fn working_tree_head_counts_unstaged_and_untracked_files() {
    let repo = TestRepo::new("billing");
    work_in_progress(&repo);

    let plan = repo.plan_worktree();

    assert_eq!(plan["base"], repo.base());
    assert_work_in_progress_plan(&plan);
}

#[test]
fn working_tree_head_counts_staged_files() {
    let repo = TestRepo::new("billing");
    work_in_progress(&repo);
    repo.stage();

    let plan = repo.plan_worktree();

    assert_work_in_progress_plan(&plan);
}

/// A new class staged and then edited (to content of the same size, so libgit2 hashes
/// it), and a new test `git add -N`: the working tree's files, whose blobs no object
/// holds, are what the plan reads. Both stopped the plan with "the clone is damaged".
#[test]
fn working_tree_head_counts_files_staged_then_edited_and_intended_to_add() {
    let repo = TestRepo::new("billing");
    change_total(&repo);
    let staged = LATE_FEE_SERVICE.replace("0.015", "0.020");
    repo.write_class("LateFeeService", &staged).stage();
    repo.write_class("LateFeeService", LATE_FEE_SERVICE)
        .write_class("LateFeeServiceTest", LATE_FEE_SERVICE_TEST)
        .intend_to_add(&class("LateFeeServiceTest"));

    let plan = repo.plan_worktree();

    assert_work_in_progress_plan(&plan);
}

/// A sparse checkout that leaves test classes out of the working tree: they are still in
/// the revision, so they are selected, not taken for deleted.
#[test]
fn working_tree_of_a_sparse_checkout_keeps_the_files_it_leaves_out() {
    let repo = TestRepo::new("billing");
    change_total(&repo);
    for name in ["InvoiceServiceTest", "PaymentServiceTest"] {
        repo.leave_out_of_checkout(&class(name))
            .leave_out_of_checkout(&format!("{}-meta.xml", class(name)));
    }

    let plan = repo.plan_worktree();

    assert_eq!(changed_ids(&plan), ["ApexClass:InvoiceService"]);
    assert_selected(&plan, TOTAL_CALLERS);
}

#[test]
fn working_tree_head_counts_deleted_files() {
    let repo = TestRepo::new("billing");
    repo.delete_class("VolumePricing");

    let plan = repo.plan_worktree();

    assert_eq!(plan["head"], "WORKTREE");
    let changed = changes(&plan);
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(
        (changed[0].1.as_str(), changed[0].2.as_str()),
        ("VolumePricing", "deleted")
    );
    assert_selected(&plan, &[CRITICAL]);
    no_uncovered(&plan);
}

#[test]
fn clean_working_tree_has_no_changes() {
    let repo = TestRepo::new("billing");

    let plan = repo.plan_worktree();

    assert_eq!(changed_ids(&plan), Vec::<String>::new());
    assert_selected(&plan, &[CRITICAL]);
}

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types>
        <members>InvoiceService</members>
        <name>ApexClass</name>
    </types>
    <types>
        <members>Invoice__c.Amount_Positive</members>
        <name>ValidationRule</name>
    </types>
    <version>62.0</version>
</Package>
"#;

#[test]
fn manifest_gives_the_changes_and_the_working_tree_gives_the_graph() {
    let repo = TestRepo::new("billing");
    // A git change that the manifest does not list: it must not count.
    repo.edit(
        &class("VolumePricing"),
        "quantity >= 1000 ? 0.80",
        "quantity >= 500 ? 0.80",
    );
    repo.commit("Not in the manifest");
    repo.write("manifest/package.xml", MANIFEST);

    let plan = repo.plan_json(&["--manifest", "manifest/package.xml"]);
    assert_eq!(plan["manifest"], "manifest/package.xml");
    // The text headline names the manifest, not a git range it did not diff.
    let text = repo.run(&["plan", "--manifest", "manifest/package.xml"]);
    let first = text.ok().lines().next().unwrap_or_default().to_string();
    assert!(
        first.starts_with("impact plan manifest/package.xml (manifest): "),
        "{first}"
    );
    assert!(!first.contains(".."), "{first}");

    assert_eq!(
        changed_ids(&plan),
        vec![
            "ApexClass:InvoiceService".to_string(),
            "ValidationRule:Invoice__c.Amount_Positive".to_string(),
        ]
    );
    assert_specified(&plan);
    // A manifest names whole components: every user of any member of InvoiceService
    // (total, applyDiscount, balance) plus the writers of Invoice__c.
    let mut expected: Vec<&str> = TOTAL_CALLERS.to_vec();
    expected.extend_from_slice(INVOICE_WRITERS);
    expected.sort();
    expected.dedup();
    assert_selected(&plan, &expected);
    no_uncovered(&plan);
    assert_path(&plan, "InvoiceTotalsLegacyTest", "ApexClass:InvoiceService");
    assert_path(
        &plan,
        "InvoiceTriggerHandlerTest",
        "ValidationRule:Invoice__c.Amount_Positive",
    );
}

/// A manifest's `*` member deploys every component of its type: every Apex class of the
/// billing org is planned, so every test that uses one runs.
#[test]
fn a_manifest_wildcard_plans_every_component_of_its_type() {
    let repo = TestRepo::new("billing");

    let plan = plan_manifest(&repo, &[("*", "ApexClass")]);

    let changed = changed_ids(&plan);
    assert!(
        changed.contains(&"ApexClass:InvoiceService".to_string())
            && changed.contains(&"ApexClass:VolumePricing".to_string())
            && !changed.iter().any(|id| id.ends_with(":*")),
        "{changed:?}"
    );
    assert_includes(&plan, TOTAL_CALLERS);
    assert_eq!(
        plan["test_level"], "RunSpecifiedTests",
        "{}",
        plan["fallback"]
    );
}

/// A manifest naming an Apex class the repository does not hold (deployed from a folder
/// outside the package directories): `impact` cannot see what it runs, so the plan falls
/// back to every local test, saying why, rather than run none.
#[test]
fn a_manifest_naming_a_class_the_repository_does_not_hold_runs_every_local_test() {
    let repo = TestRepo::new("billing");

    let plan = plan_manifest(
        &repo,
        &[
            ("QaOnlyHelper", "ApexClass"),
            ("Invoice__c", "CustomObject"),
        ],
    );

    assert_eq!(plan["test_level"], "RunLocalTests");
    let reason = plan["fallback"]["reason"].as_str().expect("a reason");
    assert!(
        reason.contains("ApexClass:QaOnlyHelper") && !reason.contains("Invoice__c"),
        "{reason}"
    );
}

/// A manifest naming one label (a `CustomLabel` member, as sfdx-git-delta writes one)
/// plans that label, found in `CustomLabels.labels-meta.xml`: the tests that read it run,
/// not every local test (it was taken for a component the repository does not hold), and
/// not those of the file's other labels.
#[test]
fn a_manifest_naming_a_label_plans_that_label() {
    let repo = TestRepo::new("automation");
    let label_tests = |member: &str| {
        let plan = plan_manifest(&repo, &[(member, "CustomLabel")]);
        assert!(plan["fallback"].is_null(), "{}", plan["fallback"]);
        assert_eq!(changed_ids(&plan), [format!("CustomLabel:{member}")]);
        let paths: Vec<&str> = plan["changes"][0]["paths"]
            .as_array()
            .expect("paths")
            .iter()
            .filter_map(|path| path.as_str())
            .collect();
        assert_eq!(
            paths,
            ["force-app/main/default/labels/CustomLabels.labels-meta.xml"]
        );
        selected_tests(&plan)
    };
    // Named in another case than the file's: names in metadata are case-insensitive.
    // The summary card's title: its controller's test (and the critical smoke test), not
    // the tests of the validator's label beside it in the file.
    assert_eq!(
        label_tests("order_summary_title"),
        ["OrderSmokeTest", "OrderSummaryControllerTest"]
    );
    let validator = label_tests("Order_No_Lines");
    assert!(
        validator.contains(&"OrderHandlerDispatcherTest".to_string()),
        "{validator:?}"
    );
}

/// Writes `manifest/package.xml` naming these (member, type) pairs and plans it.
fn plan_manifest(repo: &TestRepo, members: &[(&str, &str)]) -> Value {
    let types: String = members
        .iter()
        .map(|(member, type_name)| {
            format!(
                "    <types>\n        <members>{member}</members>\n        \
                 <name>{type_name}</name>\n    </types>\n"
            )
        })
        .collect();
    repo.write(
        "manifest/package.xml",
        &format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n\
             {types}    <version>62.0</version>\n</Package>\n"
        ),
    );
    repo.plan_json(&["--manifest", "manifest/package.xml"])
}

#[test]
fn revisions_accept_branches_tags_and_relative_names() {
    let repo = TestRepo::new("billing");
    change_total(&repo);
    let head = repo.commit("Void invoices do not count in totals");
    let base = repo.base().to_string();
    repo.set_ref("refs/tags/v1.0", &base);

    for (from, to) in [
        ("HEAD~1", "HEAD"),
        ("v1.0", "main"),
        (base.as_str(), head.as_str()),
    ] {
        let plan = repo.plan_json(&["--base", from, "--head", to]);
        assert_eq!(plan["base"], base.as_str(), "--base {from}");
        assert_eq!(plan["head"], head.as_str(), "--head {to}");
        assert_selected(&plan, TOTAL_CALLERS);
    }
}

#[test]
fn default_base_is_the_merge_base_with_main() {
    let repo = TestRepo::new("billing");
    repo.branch("feature");
    change_total(&repo);
    repo.commit("Void invoices do not count in totals");
    // main moves on after the branch was cut: that change is not the feature's.
    repo.switch("main");
    repo.edit(
        &class("VolumePricing"),
        "quantity >= 1000 ? 0.80",
        "quantity >= 500 ? 0.80",
    );
    repo.commit("Meanwhile on main");
    repo.switch("feature");

    let plan = repo.plan_json(&[]);

    assert_eq!(plan["base"], repo.base());
    assert_eq!(plan["head"], "WORKTREE");
    assert_eq!(
        changed_ids(&plan),
        vec!["ApexClass:InvoiceService".to_string()]
    );
    assert_selected(&plan, TOTAL_CALLERS);
}

#[test]
fn default_base_falls_back_to_master() {
    let repo = TestRepo::on_branch("billing", "master");
    repo.branch("feature");
    change_total(&repo);
    repo.commit("Void invoices do not count in totals");

    let plan = repo.plan_json(&[]);

    assert_eq!(plan["base"], repo.base());
    assert_selected(&plan, TOTAL_CALLERS);
}

#[test]
fn default_base_prefers_origin_head() {
    let repo = TestRepo::new("billing");
    let base = repo.base().to_string();
    // The remote's default branch is still at base; local main has an unpushed commit.
    repo.set_ref("refs/remotes/origin/trunk", &base)
        .set_symbolic_ref("refs/remotes/origin/HEAD", "refs/remotes/origin/trunk");
    repo.edit(
        &class("VolumePricing"),
        "quantity >= 1000 ? 0.80",
        "quantity >= 500 ? 0.80",
    );
    repo.commit("Unpushed on main");
    repo.branch("feature");
    repo.edit(&class("TaxCalculator"), "'DE' => 0.19,", "'DE' => 0.195,");
    repo.commit("Feature work");

    let plan = repo.plan_json(&[]);

    assert_eq!(plan["base"], base.as_str());
    assert_eq!(
        changed_ids(&plan),
        vec![
            "ApexClass:TaxCalculator".to_string(),
            "ApexClass:VolumePricing".to_string()
        ]
    );
}

#[test]
fn repo_flag_points_at_the_project_from_elsewhere() {
    let repo = TestRepo::new("billing");
    change_total(&repo);
    repo.commit("Void invoices do not count in totals");
    let elsewhere = tempfile::tempdir().expect("a temporary directory");
    let path = repo.path().to_string_lossy().into_owned();
    let base = repo.base().to_string();

    let run = run_in(
        elsewhere.path(),
        &[
            "plan", "--repo", &path, "--format", "json", "--base", &base, "--head", "HEAD",
        ],
    );

    let plan = run.json();
    check_plan_shape(&plan);
    assert_selected(&plan, TOTAL_CALLERS);
}

#[test]
fn repo_flag_may_name_a_folder_inside_the_project() {
    let repo = TestRepo::new("billing");
    change_total(&repo);
    repo.commit("Void invoices do not count in totals");
    let inside = repo.path().join(CLASSES).to_string_lossy().into_owned();
    let base = repo.base().to_string();

    let plan = repo.plan_json(&["--repo", &inside, "--base", &base, "--head", "HEAD"]);

    assert_selected(&plan, TOTAL_CALLERS);
}

/// A file of a bundle that `.forceignore` stops deploying changes what the bundle
/// deploys: the bundle is modified (never deleted, its other files remain) and its Jest
/// test runs.
#[test]
fn a_bundle_file_a_forceignore_edit_leaves_out_changes_its_bundle() {
    let repo = TestRepo::new("billing");
    repo.append(".forceignore", "**/invoiceList/invoiceList.html");
    repo.commit("Leave the invoice list's template out");

    let plan = repo.plan_committed();

    assert!(plan["fallback"].is_null(), "{plan}");
    assert_eq!(
        change_kinds(&plan),
        vec!["modified LightningComponentBundle:invoiceList".to_string()]
    );
    assert!(
        tests(&plan).iter().any(|test| test["kind"] == "lwc"),
        "{plan}"
    );
}
