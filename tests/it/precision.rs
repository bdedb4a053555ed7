//! Precision on real pull requests (issue 12): DML events matched to automation,
//! inactive flows, object files diffed by element. Each rule has a safety twin that must
//! still select.
//!
//! Scenarios add a trigger and a few tests to the billing org in the base commit, then
//! change one file.

use crate::plan::INVOICE_WRITERS;
use crate::support::*;

const TRIGGER_META: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ApexTrigger xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexTrigger>
"#;

fn write_trigger(repo: &TestRepo, name: &str, source: &str) {
    repo.write(&format!("{TRIGGERS}/{name}.trigger"), source)
        .write(&format!("{TRIGGERS}/{name}.trigger-meta.xml"), TRIGGER_META);
}

/// `InvoiceDeleteGuard` runs before delete, `InvoiceStamp` before insert;
/// `InvoicePurgeTest` inserts and deletes an invoice, `InvoiceImportTest` only upserts.
fn with_event_triggers() -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        write_trigger(
            repo,
            "InvoiceDeleteGuard",
            "trigger InvoiceDeleteGuard on Invoice__c (before delete) {\n    \
                 for (Invoice__c inv : Trigger.old) {\n        \
                 if (inv.Status__c == 'Paid') { inv.addError('Paid invoices stay'); }\n    }\n}\n",
        );
        write_trigger(
            repo,
            "InvoiceStamp",
            "trigger InvoiceStamp on Invoice__c (before insert) {\n    \
                 for (Invoice__c inv : Trigger.new) { inv.Due_Date__c = Date.today(); }\n}\n",
        );
        repo.write_class(
            "InvoicePurgeTest",
            "@IsTest\nprivate class InvoicePurgeTest {\n    @IsTest\n    static void purges() {\n        \
                 Invoice__c inv = new Invoice__c(Amount__c = 1);\n        insert inv;\n        \
                 delete inv;\n        Assert.areEqual(0, [SELECT COUNT() FROM Invoice__c]);\n    }\n}\n",
        );
        repo.write_class(
            "InvoiceImportTest",
            "@IsTest\nprivate class InvoiceImportTest {\n    @IsTest\n    static void imports() {\n        \
                 List<Invoice__c> rows = new List<Invoice__c>{ new Invoice__c(Amount__c = 2) };\n        \
                 Database.upsert(rows, false);\n        Assert.areEqual(1, [SELECT COUNT() FROM Invoice__c]);\n    }\n}\n",
        );
    })
}

#[test]
fn a_delete_trigger_is_reached_only_by_code_that_deletes() {
    let repo = with_event_triggers();
    repo.edit(
        &format!("{TRIGGERS}/InvoiceDeleteGuard.trigger"),
        "'Paid'",
        "'Paid' || inv.Status__c == 'Sent'",
    );
    repo.commit("Sent invoices cannot be deleted either");

    let plan = repo.plan_committed();

    assert_selected(&plan, &[CRITICAL, "InvoicePurgeTest"]);
    assert_path(&plan, "InvoicePurgeTest", "ApexTrigger:InvoiceDeleteGuard");
    // Tests that insert or upsert invoices do not run a before-delete trigger.
    assert_excludes(&plan, &["InvoiceImportTest", "InvoiceServiceTest"]);
}

/// The twin: an upsert may insert, so it runs a before-insert trigger; so does the insert
/// before a delete.
#[test]
fn an_upsert_still_reaches_an_insert_trigger() {
    let repo = with_event_triggers();
    repo.edit(
        &format!("{TRIGGERS}/InvoiceStamp.trigger"),
        "Date.today()",
        "Date.today().addDays(30)",
    );
    repo.commit("Invoices are due in thirty days");

    let plan = repo.plan_committed();

    let mut expected: Vec<&str> = INVOICE_WRITERS.to_vec();
    expected.extend(["InvoiceImportTest", "InvoicePurgeTest"]);
    assert_selected(&plan, &expected);
    assert_path(&plan, "InvoiceImportTest", "ApexTrigger:InvoiceStamp");
}
