//! Precision on real pull requests (issue 12): DML events matched to automation (also
//! where saving one record saves another: a roll-up summary, a flow that updates a
//! related record, a workflow field update, a record's change event), inactive flows,
//! object files diffed by element, fields read through relationships and looked-up
//! records. Each rule has a safety twin that must still select.
//!
//! Scenarios add a trigger and a few tests to the billing org in the base commit, then
//! change one file.

use crate::plan::INVOICE_WRITERS;
use crate::support::*;

/// `InvoiceDeleteGuard` runs before delete, `InvoiceStamp` before insert;
/// `InvoicePurgeTest` inserts and deletes an invoice, `InvoiceImportTest` only upserts.
fn with_event_triggers() -> TestRepo {
    with_event_triggers_and(|_| {})
}

/// [`with_event_triggers`], and what `more` adds to the base commit.
fn with_event_triggers_and(more: impl FnOnce(&TestRepo)) -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        repo.write_trigger(
            "InvoiceDeleteGuard",
            "trigger InvoiceDeleteGuard on Invoice__c (before delete) {\n    \
                 for (Invoice__c inv : Trigger.old) {\n        \
                 if (inv.Status__c == 'Paid') { inv.addError('Paid invoices stay'); }\n    }\n}\n",
        );
        repo.write_trigger(
            "InvoiceStamp",
            "trigger InvoiceStamp on Invoice__c (before insert) {\n    \
                 for (Invoice__c inv : Trigger.new) { inv.Due_Date__c = Date.today(); }\n}\n",
        );
        repo.write_invoice_event_tests();
        more(repo);
    })
}

/// Commits a change to `InvoiceStamp`, the before-insert trigger: invoices are due in
/// `days` days.
fn stamp_due_in(repo: &TestRepo, days: u32) {
    repo.edit(
        &format!("{TRIGGERS}/InvoiceStamp.trigger"),
        "Date.today()",
        &format!("Date.today().addDays({days})"),
    );
    repo.commit(&format!("Invoices are due in {days} days"));
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
    stamp_due_in(&repo, 30);

    let plan = repo.plan_committed();

    let mut expected: Vec<&str> = INVOICE_WRITERS.to_vec();
    expected.extend(["InvoiceImportTest", "InvoicePurgeTest"]);
    assert_selected(&plan, &expected);
    assert_path(&plan, "InvoiceImportTest", "ApexTrigger:InvoiceStamp");
}

/// fflib is often a package the org installs: a unit of work's register calls are the
/// DML its commit runs, so a test that inserts invoices only through one runs the
/// before-insert trigger. One that only registers deletions does not.
#[test]
fn a_unit_of_work_s_register_calls_reach_the_automation_they_run() {
    let repo = with_event_triggers_and(|repo| {
        repo.write_class(
        "InvoiceUnitOfWorkTest",
        "@IsTest\nprivate class InvoiceUnitOfWorkTest {\n    @IsTest\n    static void savesThroughTheUnitOfWork() {\n        \
             fflib_ISObjectUnitOfWork uow = Application.UnitOfWork.newInstance();\n        \
             uow.registerNew(new Invoice__c(Amount__c = 7));\n        uow.commitWork();\n        \
             Assert.areEqual(1, [SELECT COUNT() FROM Invoice__c]);\n    }\n}\n",
    )
    .write_class(
        "InvoiceUnitOfWorkPurgeTest",
        "@IsTest\nprivate class InvoiceUnitOfWorkPurgeTest {\n    @IsTest\n    static void purgesThroughTheUnitOfWork() {\n        \
             fflib_ISObjectUnitOfWork uow = Application.UnitOfWork.newInstance();\n        \
             uow.registerDeleted([SELECT Id FROM Invoice__c]);\n        uow.commitWork();\n        \
             Assert.areEqual(0, [SELECT COUNT() FROM Invoice__c]);\n    }\n}\n",
        );
    });
    stamp_due_in(&repo, 14);

    let plan = repo.plan_committed();

    assert_path(&plan, "InvoiceUnitOfWorkTest", "ApexTrigger:InvoiceStamp");
    assert_excludes(&plan, &["InvoiceUnitOfWorkPurgeTest"]);
}

/// A test that saves records through a `List<SObject>` it fills runs the automation of
/// the objects it puts in, not every object's. Its twin hands the list to a call, which
/// may put anything in: it still runs every object's.
#[test]
fn a_list_of_records_saved_together_runs_the_automation_of_what_it_holds() {
    let save = |name: &str, puts: &str| {
        format!(
            "@IsTest\nprivate class {name} {{\n    @IsTest\n    static void savesTogether() {{\n        \
             List<SObject> rows = new List<SObject>();\n        {puts}\n        insert rows;\n        \
             Assert.areEqual(2, rows.size());\n    }}\n}}\n"
        )
    };
    let repo = with_event_triggers_and(|repo| {
        repo.write_class(
            "InvoiceBatchSaveTest",
            &save(
                "InvoiceBatchSaveTest",
                "rows.add(new Account(Name = 'A'));\n        rows.add(new Invoice__c(Amount__c = 3));",
            ),
        )
        .write_class(
            "ContactBatchSaveTest",
            &save(
                "ContactBatchSaveTest",
                "rows.add(new Account(Name = 'A'));\n        rows.add(new Contact(LastName = 'B'));",
            ),
        )
        .write_class(
            "FilledBatchSaveTest",
            &save(
                "FilledBatchSaveTest",
                "rows.add(new Account(Name = 'A'));\n        SampleRows.fill(rows);",
            ),
        );
    });
    stamp_due_in(&repo, 7);

    let plan = repo.plan_committed();

    assert_path(&plan, "InvoiceBatchSaveTest", "ApexTrigger:InvoiceStamp");
    assert_path(&plan, "FilledBatchSaveTest", "ApexTrigger:InvoiceStamp");
    assert_excludes(&plan, &["ContactBatchSaveTest"]);
}

/// A static method that saves the records its callers pass (a DML wrapper, which
/// first hands them to a helper of another class that reads their type) runs the
/// automation of what each caller passes: a test saving an invoice through it runs the
/// invoice trigger, one saving contacts does not. The twins still run it: a test
/// passing records whose type its file cannot tell, and one saving contacts through a
/// wrapper whose helper puts an invoice in the list.
#[test]
fn records_saved_through_a_static_wrapper_run_the_automation_of_what_the_caller_passes() {
    let wrapper = |name: &str, helper: &str| {
        format!(
            "public with sharing class {name} {{\n    \
             public static void saveAll(List<SObject> records) {{\n        \
             RecordChecks.{helper}(records);\n        insert records;\n    }}\n\n    \
             public static void saveOne(SObject record) {{\n        \
             saveAll(new List<SObject>{{ record }});\n    }}\n}}\n"
        )
    };
    let test = |name: &str, call: &str| {
        format!(
            "@IsTest\nprivate class {name} {{\n    @IsTest\n    static void saves() {{\n        \
             {call};\n        Assert.isTrue(true);\n    }}\n}}\n"
        )
    };
    let repo = with_event_triggers_and(|repo| {
        repo.write_class(
            "RecordChecks",
            "public with sharing class RecordChecks {\n    \
             public static String typeOf(List<SObject> records) {\n        \
             return records.isEmpty() ? null : String.valueOf(records[0].getSObjectType());\n    }\n\n    \
             public static void addDefaults(List<SObject> records) {\n        \
             records.add(new Invoice__c(Amount__c = 0));\n    }\n}\n",
        )
        .write_class("RecordSaver", &wrapper("RecordSaver", "typeOf"))
        .write_class("PaddedSaver", &wrapper("PaddedSaver", "addDefaults"))
        .write_class(
            "InvoiceWrapperTest",
            &test(
                "InvoiceWrapperTest",
                "RecordSaver.saveOne(new Invoice__c(Amount__c = 4))",
            ),
        )
        .write_class(
            "ContactWrapperTest",
            &test(
                "ContactWrapperTest",
                "RecordSaver.saveAll(new List<Contact>{ new Contact(LastName = 'C') })",
            ),
        )
        .write_class(
            "QueriedWrapperTest",
            &test(
                "QueriedWrapperTest",
                "RecordSaver.saveAll(Database.query('SELECT Id FROM Contact'))",
            ),
        )
        .write_class(
            "PaddedWrapperTest",
            &test(
                "PaddedWrapperTest",
                "PaddedSaver.saveAll(new List<Contact>{ new Contact(LastName = 'C') })",
            ),
        );
    });
    stamp_due_in(&repo, 9);

    let plan = repo.plan_committed();

    assert_path(&plan, "InvoiceWrapperTest", "ApexTrigger:InvoiceStamp");
    assert_path(&plan, "QueriedWrapperTest", "ApexTrigger:InvoiceStamp");
    assert_path(&plan, "PaddedWrapperTest", "ApexTrigger:InvoiceStamp");
    assert_excludes(&plan, &["ContactWrapperTest"]);
}

const FLOW: &str = "force-app/main/default/flows/Order_After_Save.flow-meta.xml";
const FLOW_DEFINITION: &str =
    "force-app/main/default/flowDefinitions/Order_After_Save.flowDefinition-meta.xml";
/// The Flow test of `Order_After_Save`.
const FLOW_TEST: &str = "Approves_Small_Orders";
/// Saves orders, so an active `Order_After_Save` runs for it.
const ORDER_WRITER: &str = "OrderServiceTest";

fn assert_flow_test_selected(plan: &serde_json::Value) {
    assert!(
        tests(plan)
            .iter()
            .any(|test| test["kind"] == "flow" && test["name"] == FLOW_TEST),
        "{FLOW_TEST} not selected"
    );
}

/// A change to the record-triggered flow `Order_After_Save` of the automation org.
fn change_flow_filter(repo: &TestRepo) {
    repo.edit(
        FLOW,
        "<filterLogic>and</filterLogic>",
        "<filterLogic>or</filterLogic>",
    );
}

#[test]
fn a_draft_flow_reaches_its_flow_test_not_the_writers_of_its_object() {
    let repo = TestRepo::with_base("automation", |repo| {
        repo.edit(FLOW, "<status>Active</status>", "<status>Draft</status>");
    });
    change_flow_filter(&repo);
    repo.commit("Draft: run on approved orders too");

    let plan = repo.plan_committed();

    assert_flow_test_selected(&plan);
    assert_excludes(&plan, &[ORDER_WRITER, "OrderImportTest"]);
}

#[test]
fn a_flow_deactivated_by_its_definition_does_not_reach_the_writers() {
    let plan = plan_filter_change_beside_definition(
        "<FlowDefinition xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <activeVersionNumber>0</activeVersionNumber>\n</FlowDefinition>\n",
    );

    assert_flow_test_selected(&plan);
    assert_excludes(&plan, &[ORDER_WRITER]);
}

/// A definition that says no active version (`<FlowDefinition/>`, as a retrieval leaves
/// it) leaves the flow's own `Active` status to decide: its writers' tests run
/// (Woonstad's Case flow, a stub beside it, selected none of the ten tests that insert
/// cases).
#[test]
fn a_flow_beside_a_definition_stub_reaches_the_writers() {
    let plan = plan_filter_change_beside_definition(
        "<FlowDefinition xmlns=\"http://soap.sforce.com/2006/04/metadata\"/>\n",
    );

    assert_flow_test_selected(&plan);
    assert_includes(&plan, &[ORDER_WRITER]);
}

/// The plan of a change to `Order_After_Save`'s filter, with a flow definition whose
/// root element (after the XML declaration) is `definition` beside the flow.
fn plan_filter_change_beside_definition(definition: &str) -> serde_json::Value {
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(
            FLOW_DEFINITION,
            &format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{definition}"),
        );
    });
    change_flow_filter(&repo);
    repo.commit("Run on approved orders too");
    repo.plan_committed()
}

/// The twin: activation is the change that matters, both ways. Deactivating a flow
/// changes what every writer of its object sees, and so does activating it.
#[test]
fn deactivating_or_activating_a_flow_reaches_the_writers() {
    let repo = TestRepo::new("automation");
    repo.edit(FLOW, "<status>Active</status>", "<status>Draft</status>");
    repo.commit("Switch Order_After_Save off");

    let plan = repo.plan_committed();

    assert_flow_test_selected(&plan);
    assert_includes(&plan, &[ORDER_WRITER, "OrderImportTest"]);

    let repo = TestRepo::with_base("automation", |repo| {
        repo.edit(FLOW, "<status>Active</status>", "<status>Draft</status>");
    });
    repo.edit(FLOW, "<status>Draft</status>", "<status>Active</status>");
    repo.commit("Switch Order_After_Save on");

    let plan = repo.plan_committed();

    assert_flow_test_selected(&plan);
    assert_includes(&plan, &[ORDER_WRITER, "OrderImportTest"]);
}

const INVOICE_OBJECT: &str = "force-app/main/default/objects/Invoice__c/Invoice__c.object-meta.xml";

#[test]
fn object_edits_to_search_layouts_descriptions_help_text_and_articles_select_nothing() {
    let repo = TestRepo::new("billing");
    repo.edit(
        INVOICE_OBJECT,
        "<searchLayouts/>",
        "<searchLayouts>\n        <searchResultsAdditionalFields>Amount__c</searchResultsAdditionalFields>\n    </searchLayouts>",
    );
    repo.edit(
        INVOICE_OBJECT,
        "Payments settle it.",
        "Payments settle it, in parts.",
    );
    repo.edit(
        &format!("{INVOICE}/fields/Amount__c.field-meta.xml"),
        "    <label>Amount</label>\n",
        "    <inlineHelpText>Taxes included.</inlineHelpText>\n    <label>Amount</label>\n",
    );
    // The article and gender the UI's sentences give the label (NPSP's `Address__c`
    // lost its `<startsWith>Vowel</startsWith>`: every test that saves through the
    // objects looking it up was planned).
    repo.edit(
        INVOICE_OBJECT,
        "    <label>Invoice</label>\n",
        "    <gender>Masculine</gender>\n    <label>Invoice</label>\n    <startsWith>Vowel</startsWith>\n",
    );
    repo.commit("Show amounts in search results; document them; speak of an invoice");

    let plan = repo.plan_committed();

    assert_eq!(plan["fallback"], serde_json::Value::Null);
    assert_selected(&plan, &[CRITICAL]);
    assert!(
        changes(&plan).iter().all(|(_, _, _, semantic)| !semantic),
        "{:?}",
        changes(&plan)
    );
}

/// The twin: the sharing model decides which records a test running as a user sees.
#[test]
fn an_object_sharing_model_change_still_selects() {
    let repo = TestRepo::new("billing");
    repo.edit(
        INVOICE_OBJECT,
        "<sharingModel>ReadWrite</sharingModel>",
        "<sharingModel>Private</sharingModel>",
    );
    repo.commit("Invoices are private");

    let plan = repo.plan_committed();

    assert_includes(&plan, &["InvoiceServiceTest", "InvoiceSelectorTest"]);
}

/// Savers that insert records held by another class (issue 12 item 3): invoices through
/// a property, payments through a field, a mixed array of declared records, and untyped
/// records (the twin).
fn with_savers() -> TestRepo {
    let repo = with_event_triggers();
    let saver = |name: &str, holder: &str, holder_body: &str, statement: &str| {
        repo.write_class(
            holder,
            &format!("public with sharing class {holder} {{\n    {holder_body}\n}}\n"),
        );
        repo.write_class(
            name,
            &format!(
                "public with sharing class {name} {{\n    \
                     public static void save({holder} batch) {{\n        {statement}\n    }}\n}}\n"
            ),
        );
        repo.write_class(
            &format!("{name}Test"),
            &format!(
                "@IsTest\nprivate class {name}Test {{\n    @IsTest\n    static void saves() {{\n        \
                     {name}.save(new {holder}());\n        Assert.isTrue(true);\n    }}\n}}\n"
            ),
        );
    };
    saver(
        "InvoiceSaver",
        "InvoiceBatch",
        "public List<Invoice__c> records { get; set; }",
        "insert batch.records;",
    );
    saver(
        "PaymentSaver",
        "PaymentBatch",
        "public List<Payment__c> records = new List<Payment__c>();",
        "insert batch.records;",
    );
    saver(
        "MixedSaver",
        "MixedBatch",
        "public Payment__c payment;\n    public Account account;",
        "insert new SObject[]{ batch.payment, batch.account };",
    );
    saver(
        "AnySaver",
        "AnyBatch",
        "public List<SObject> records = new List<SObject>();",
        "insert batch.records;",
    );
    repo.commit("Savers");
    repo
}

#[test]
fn writes_through_another_class_s_declared_fields_reach_only_their_object() {
    let repo = with_savers();
    let base = repo.head();
    stamp_due_in(&repo, 30);

    let plan = repo.plan_json(&["--base", &base, "--head", "HEAD"]);

    // `InvoiceBatch.records` (a property) holds invoices: its saver runs the trigger.
    assert_path(&plan, "InvoiceSaverTest", "ApexTrigger:InvoiceStamp");
    // `PaymentBatch.records` holds payments and the array holds a payment and an
    // account: neither runs an invoice trigger.
    assert_excludes(&plan, &["PaymentSaverTest", "MixedSaverTest"]);
    // The twin: `AnyBatch.records` is `List<SObject>`, which may hold invoices.
    assert_path(&plan, "AnySaverTest", "ApexTrigger:InvoiceStamp");
    let mut expected: Vec<&str> = INVOICE_WRITERS.to_vec();
    expected.extend([
        "AnySaverTest",
        "InvoiceImportTest",
        "InvoicePurgeTest",
        "InvoiceSaverTest",
    ]);
    assert_selected(&plan, &expected);
}

const AMOUNT_PAID: &str =
    "force-app/main/default/objects/Invoice__c/fields/Amount_Paid__c.field-meta.xml";
const STAMP_FLOW: &str = "force-app/main/default/flows/Payment_Stamps_Invoice.flow-meta.xml";

/// How saving a payment comes to update its invoice.
#[derive(Clone, Copy)]
enum PaymentSaves {
    /// `Invoice__c.Amount_Paid__c`, a roll-up summary of the invoice's payments.
    ThroughRollUp,
    /// `Payment_Stamps_Invoice`, a flow after a payment is created that updates the
    /// related invoice (`$Record.Invoice__r`).
    ThroughFlow,
}

/// Payments that update their invoice ([`PaymentSaves`]), triggers after an invoice is
/// updated and before one is deleted, and two tests of payments: `PaymentLedgerTest`
/// inserts an invoice (an insert, which runs no update trigger) and then its payment,
/// `PaymentReportTest` only reads payments.
fn with_payments_updating_invoices(how: PaymentSaves) -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        match how {
            PaymentSaves::ThroughRollUp => repo.write(AMOUNT_PAID, ROLL_UP),
            PaymentSaves::ThroughFlow => repo.write(
                STAMP_FLOW,
                &payment_created_flow("Payment Stamps Invoice", STAMP_ELEMENTS, "Stamp_Invoice"),
            ),
        };
        write_update_trigger(repo);
        repo.write_trigger(
            "InvoiceDeleteGuard",
            "trigger InvoiceDeleteGuard on Invoice__c (before delete) {\n    \
                 for (Invoice__c inv : Trigger.old) {\n        \
                 if (inv.Status__c == 'Paid') { inv.addError('Paid invoices stay'); }\n    }\n}\n",
        );
        write_payment_insert_test(repo, "PaymentLedgerTest");
        repo.write_class(
            "PaymentReportTest",
            "@IsTest\nprivate class PaymentReportTest {\n    @IsTest\n    static void listsNoPayments() {\n        \
                 Assert.areEqual(0, [SELECT COUNT() FROM Payment__c]);\n    }\n}\n",
        );
    })
}

const ROLL_UP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Amount_Paid__c</fullName>
    <label>Amount Paid</label>
    <summarizedField>Payment__c.Amount__c</summarizedField>
    <summaryForeignKey>Payment__c.Invoice__c</summaryForeignKey>
    <summaryOperation>sum</summaryOperation>
    <type>Summary</type>
</CustomField>
"#;

/// The elements of `Payment_Stamps_Invoice` ([`payment_created_flow`]): an update of the
/// payment's invoice.
const STAMP_ELEMENTS: &str = r#"    <recordUpdates>
        <name>Stamp_Invoice</name>
        <label>Stamp Invoice</label>
        <inputAssignments>
            <field>Status__c</field>
            <value><stringValue>Part Paid</stringValue></value>
        </inputAssignments>
        <inputReference>$Record.Invoice__r</inputReference>
    </recordUpdates>
"#;

/// A flow that runs after a payment is created: `elements`, starting at the one named
/// `first`.
fn payment_created_flow(label: &str, elements: &str, first: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <label>{label}</label>
    <processType>AutoLaunchedFlow</processType>
{elements}    <start>
        <connector><targetReference>{first}</targetReference></connector>
        <object>Payment__c</object>
        <recordTriggerType>Create</recordTriggerType>
        <triggerType>RecordAfterSave</triggerType>
    </start>
    <status>Active</status>
</Flow>
"#
    )
}

/// A test class `name` that inserts an invoice and then a payment of it.
fn write_payment_insert_test(repo: &TestRepo, name: &str) {
    repo.write_class(
        name,
        &format!(
            "@IsTest\nprivate class {name} {{\n    @IsTest\n    static void recordsAPayment() {{\n        \
                 Invoice__c inv = new Invoice__c(Amount__c = 10);\n        insert inv;\n        \
                 insert new Payment__c(Invoice__c = inv.Id, Amount__c = 4);\n        \
                 Assert.areEqual(1, [SELECT COUNT() FROM Payment__c]);\n    }}\n}}\n"
        ),
    );
}

/// `InvoiceOverpaid`, a trigger that runs after an invoice is updated.
fn write_update_trigger(repo: &TestRepo) {
    repo.write_trigger(
        "InvoiceOverpaid",
        "trigger InvoiceOverpaid on Invoice__c (after update) {\n    \
             for (Invoice__c inv : Trigger.new) {\n        \
             if (inv.Status__c == 'Paid') { inv.addError('Overpaid'); }\n    }\n}\n",
    );
}

/// A change to `InvoiceOverpaid` ([`write_update_trigger`]).
fn change_update_trigger(repo: &TestRepo) {
    repo.edit(
        &format!("{TRIGGERS}/InvoiceOverpaid.trigger"),
        "inv.Status__c == 'Paid'",
        "inv.Status__c == 'Paid' || inv.Status__c == 'Part Paid'",
    );
    repo.commit("Part-paid invoices take no more payments either");
}

/// Asserts that `test` is selected for the change to `InvoiceOverpaid` over a path
/// with a `writes` edge found in the file at `through`: what saves the invoice.
#[track_caller]
fn assert_invoice_saved_through(plan: &serde_json::Value, test: &str, through: &str) {
    assert_path(plan, test, "ApexTrigger:InvoiceOverpaid");
    assert_written_through(plan, test, through);
}

/// Asserts that the first reason of `test` has a `writes` edge found in the file at
/// `through`.
#[track_caller]
fn assert_written_through(plan: &serde_json::Value, test: &str, through: &str) {
    let entry = test_entry(plan, test);
    let saved = entry["reasons"][0]["edges"]
        .as_array()
        .is_some_and(|edges| {
            edges.iter().any(|edge| {
                edge["kind"] == "writes"
                    && edge["at"]
                        .as_str()
                        .is_some_and(|at| at.starts_with(through))
            })
        });
    assert!(saved, "{test}: no write at {through}: {entry}");
}

/// A roll-up summary saves its parent whenever a child is saved: inserting a payment
/// updates its invoice, so it runs the invoice's update triggers.
#[test]
fn a_child_saved_runs_the_update_automation_of_its_roll_up_parent() {
    a_payment_saved_runs_the_invoice_update_trigger(PaymentSaves::ThroughRollUp, AMOUNT_PAID);
}

/// Changes the invoice's update trigger: the test that inserts payments is selected,
/// through what saves the invoice (at `through`); the test that reads payments is not.
#[track_caller]
fn a_payment_saved_runs_the_invoice_update_trigger(how: PaymentSaves, through: &str) {
    let repo = with_payments_updating_invoices(how);
    change_update_trigger(&repo);

    let plan = repo.plan_committed();

    assert_invoice_saved_through(&plan, "PaymentLedgerTest", through);
    // Reading payments saves no invoice.
    assert_excludes(&plan, &["PaymentReportTest"]);
}

/// The twin: the roll-up updates its parent, so a child saved does not run the parent's
/// delete triggers.
#[test]
fn a_child_saved_does_not_run_the_delete_automation_of_its_roll_up_parent() {
    let repo = with_payments_updating_invoices(PaymentSaves::ThroughRollUp);
    repo.edit(
        &format!("{TRIGGERS}/InvoiceDeleteGuard.trigger"),
        "inv.Status__c == 'Paid'",
        "inv.Status__c != 'Draft'",
    );
    repo.commit("Only drafts are deleted");

    let plan = repo.plan_committed();

    assert_excludes(&plan, &["PaymentLedgerTest", "PaymentReportTest"]);
}

/// A flow that updates the record's parent (`$Record.Invoice__r`, no object named)
/// writes the object its lookup field refers to: a payment created runs the invoice's
/// update triggers.
#[test]
fn a_flow_that_updates_a_related_record_runs_its_update_automation() {
    a_payment_saved_runs_the_invoice_update_trigger(PaymentSaves::ThroughFlow, STAMP_FLOW);
}

/// A workflow field update saves its record again, so the object's update triggers run
/// for code that only inserts: an invoice inserted runs the trigger after an update.
#[test]
fn a_workflow_field_update_runs_the_update_automation_for_inserts() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write(
            "force-app/main/default/workflows/Invoice__c.workflow-meta.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Workflow xmlns="http://soap.sforce.com/2006/04/metadata">
    <fieldUpdates>
        <fullName>Stamp_Draft</fullName>
        <field>Status__c</field>
        <literalValue>Draft</literalValue>
        <name>Stamp Draft</name>
        <notifyAssignee>false</notifyAssignee>
        <operation>Literal</operation>
        <protected>false</protected>
    </fieldUpdates>
    <rules>
        <fullName>New_Invoices</fullName>
        <actions><name>Stamp_Draft</name><type>FieldUpdate</type></actions>
        <active>true</active>
        <formula>true</formula>
        <triggerType>onCreateOnly</triggerType>
    </rules>
</Workflow>
"#,
        );
        write_update_trigger(repo);
        repo.write_class(
            "InvoiceDraftTest",
            "@IsTest\nprivate class InvoiceDraftTest {\n    @IsTest\n    static void startsAsDraft() {\n        \
                 insert new Invoice__c(Amount__c = 10);\n        \
                 Assert.areEqual('Draft', [SELECT Status__c FROM Invoice__c].Status__c);\n    }\n}\n",
        );
    });
    change_update_trigger(&repo);

    let plan = repo.plan_committed();

    assert_invoice_saved_through(
        &plan,
        "InvoiceDraftTest",
        "force-app/main/default/workflows/Invoice__c.workflow-meta.xml",
    );
}

/// Saving an invoice publishes its Change Data Capture event (`Invoice__ChangeEvent`):
/// a change to the code the event's trigger runs selects the tests that save invoices,
/// which deliver the event, through the object's write of its change event (found in
/// the trigger's file). A test that only reads invoices publishes nothing.
#[test]
fn a_record_saved_runs_the_triggers_of_its_change_event() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_trigger(
            "InvoiceChangeTrigger",
            "trigger InvoiceChangeTrigger on Invoice__ChangeEvent (after insert) {\n    \
                 InvoiceSync.forward(Trigger.new);\n}\n",
        );
        repo.write_class(
            "InvoiceSync",
            "public with sharing class InvoiceSync {\n    \
                 public static void forward(List<Invoice__ChangeEvent> changes) {\n        \
                 List<Task> tasks = new List<Task>();\n        \
                 for (Invoice__ChangeEvent change : changes) {\n            \
                 tasks.add(new Task(Subject = 'Invoice changed'));\n        }\n        \
                 insert tasks;\n    }\n}\n",
        );
        repo.write_class(
            "InvoiceChangeFeedTest",
            "@IsTest\nprivate class InvoiceChangeFeedTest {\n    @IsTest\n    static void forwardsChanges() {\n        \
                 Test.enableChangeDataCapture();\n        insert new Invoice__c(Amount__c = 5);\n        \
                 Test.getEventBus().deliver();\n        \
                 Assert.areEqual(1, [SELECT COUNT() FROM Task]);\n    }\n}\n",
        );
        repo.write_class(
            "InvoiceCountTest",
            "@IsTest\nprivate class InvoiceCountTest {\n    @IsTest\n    static void countsNone() {\n        \
                 Assert.areEqual(0, [SELECT COUNT() FROM Invoice__c]);\n    }\n}\n",
        );
    });
    repo.edit(
        &class("InvoiceSync"),
        "'Invoice changed'",
        "'Invoice ' + change.ChangeEventHeader.getChangeType()",
    );
    repo.commit("Say what changed");

    let plan = repo.plan_committed();

    assert_path(&plan, "InvoiceChangeFeedTest", "ApexClass:InvoiceSync");
    let trigger = format!("{TRIGGERS}/InvoiceChangeTrigger.trigger");
    assert_written_through(&plan, "InvoiceChangeFeedTest", &trigger);
    // Every test that saves invoices delivers their change events too.
    assert_includes(&plan, INVOICE_WRITERS);
    assert_excludes(&plan, &["InvoiceCountTest"]);
}

/// The account's open total, which code reads through an invoice's account.
const OPEN_TOTAL: &str =
    "force-app/main/default/objects/Account/fields/Open_Invoice_Total__c.field-meta.xml";

/// Asserts that `test` is selected from `field` through code that reads it: the first
/// edge of its reason is a read.
#[track_caller]
fn assert_reached_by_a_read(plan: &serde_json::Value, test: &str, field: &str) {
    assert_path(plan, test, field);
    let first = &test_entry(plan, test)["reasons"][0]["edges"][0];
    assert_eq!(first["kind"], "reads", "{test}: {first}");
}

/// A field of a parent read through a relationship (`Account__r.Open_Invoice_Total__c`,
/// in SOQL and in an Apex chain) is read by that code: a change to the field selects
/// its tests, through the read of the field itself; a test that reads only the
/// invoice's own fields is not selected.
#[test]
fn a_field_read_through_a_relationship_reaches_its_readers() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "Dunning",
            "public with sharing class Dunning {\n    \
                 public static List<Invoice__c> risky() {\n        \
                 return [SELECT Id FROM Invoice__c WHERE Account__r.Open_Invoice_Total__c > 1000];\n    }\n    \
                 public static Boolean isRisky(Invoice__c inv) {\n        \
                 return inv.Account__r != null && inv.Account__r.Open_Invoice_Total__c > 1000;\n    }\n}\n",
        )
        .write_class(
            "DunningQueryTest",
            "@IsTest\nprivate class DunningQueryTest {\n    @IsTest\n    static void none() {\n        \
                 Assert.areEqual(0, Dunning.risky().size());\n    }\n}\n",
        )
        .write_class(
            "DunningChainTest",
            "@IsTest\nprivate class DunningChainTest {\n    @IsTest\n    static void small() {\n        \
                 Assert.isFalse(Dunning.isRisky(new Invoice__c(Amount__c = 5)));\n    }\n}\n",
        )
        .write_class(
            "InvoiceDueTest",
            "@IsTest\nprivate class InvoiceDueTest {\n    @IsTest\n    static void dueDates() {\n        \
                 Assert.areEqual(0, [SELECT Due_Date__c FROM Invoice__c].size());\n    }\n}\n",
        );
    });
    repo.edit(
        OPEN_TOTAL,
        "<precision>16</precision>",
        "<precision>18</precision>",
    );
    repo.commit("Larger open totals");

    let plan = repo.plan_committed();

    for test in ["DunningQueryTest", "DunningChainTest"] {
        assert_reached_by_a_read(&plan, test, "CustomField:Account.Open_Invoice_Total__c");
    }
    assert_excludes(&plan, &["InvoiceDueTest"]);
}

/// A query written in a string reads its object and fields as one written in Apex: a
/// batch that builds its query statement by statement, a lookup that concatenates it in
/// a call, and a filter whose `WHERE` clause is a variable set to a literal, are selected
/// when a field they filter on changes; a query of another object's fields is not.
#[test]
fn a_query_written_in_a_string_reaches_its_readers() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "PurchaseOrderSweep",
            "public with sharing class PurchaseOrderSweep implements Database.Batchable<SObject> {\n    \
                 public Boolean withAccount = false;\n    \
                 public Database.QueryLocator start(Database.BatchableContext context) {\n        \
                 String query = 'SELECT Id, Status__c';\n        \
                 if (withAccount) {\n            query += ', Account__r.Name';\n        }\n        \
                 query += ' FROM Invoice__c WHERE Purchase_Order__c = null AND Status__c = \\'Draft\\'';\n        \
                 return Database.getQueryLocator(query);\n    }\n    \
                 public void execute(Database.BatchableContext context, List<SObject> scope) {}\n    \
                 public void finish(Database.BatchableContext context) {}\n}\n",
        )
        .write_class(
            "PurchaseOrderSweepTest",
            "@IsTest\nprivate class PurchaseOrderSweepTest {\n    @IsTest\n    static void sweeps() {\n        \
                 Test.startTest();\n        Database.executeBatch(new PurchaseOrderSweep());\n        Test.stopTest();\n    }\n}\n",
        )
        .write_class(
            "PurchaseOrderLookup",
            "public with sharing class PurchaseOrderLookup {\n    \
                 public static List<Invoice__c> latest(Integer max) {\n        \
                 return Database.query('SELECT Id, Purchase_Order__c FROM Invoice__c ORDER BY CreatedDate DESC LIMIT ' + max);\n    }\n}\n",
        )
        .write_class(
            "PurchaseOrderLookupTest",
            "@IsTest\nprivate class PurchaseOrderLookupTest {\n    @IsTest\n    static void none() {\n        \
                 Assert.areEqual(0, PurchaseOrderLookup.latest(5).size());\n    }\n}\n",
        )
        .write_class(
            "PurchaseOrderFilter",
            "public with sharing class PurchaseOrderFilter {\n    \
                 public static List<Invoice__c> ordered(Boolean onlyOrdered) {\n        \
                 String clause = '';\n        \
                 if (onlyOrdered) {\n            clause = 'WHERE Purchase_Order__c != null ';\n        }\n        \
                 return Database.query('SELECT Id, Status__c FROM Invoice__c ' + clause + 'ORDER BY Name');\n    }\n}\n",
        )
        .write_class(
            "PurchaseOrderFilterTest",
            "@IsTest\nprivate class PurchaseOrderFilterTest {\n    @IsTest\n    static void none() {\n        \
                 Assert.areEqual(0, PurchaseOrderFilter.ordered(true).size());\n    }\n}\n",
        )
        .write_class(
            "PaymentWindow",
            "public with sharing class PaymentWindow {\n    \
                 public static List<Payment__c> recent(Integer days) {\n        \
                 return Database.query('SELECT Id, Amount__c FROM Payment__c WHERE Received_On__c = LAST_N_DAYS:' + days);\n    }\n}\n",
        )
        .write_class(
            "PaymentWindowTest",
            "@IsTest\nprivate class PaymentWindowTest {\n    @IsTest\n    static void none() {\n        \
                 Assert.areEqual(0, PaymentWindow.recent(7).size());\n    }\n}\n",
        );
    });
    repo.edit(
        "force-app/main/default/objects/Invoice__c/fields/Purchase_Order__c.field-meta.xml",
        "<length>40</length>",
        "<length>80</length>",
    );
    repo.commit("Longer purchase orders");

    let plan = repo.plan_committed();

    for test in [
        "PurchaseOrderSweepTest",
        "PurchaseOrderLookupTest",
        "PurchaseOrderFilterTest",
    ] {
        assert_reached_by_a_read(&plan, test, "CustomField:Invoice__c.Purchase_Order__c");
    }
    assert_excludes(&plan, &["PaymentWindowTest"]);
}

/// A validation rule on payments that reads a field of their invoice
/// (`Invoice__r.Written_Off__c`) runs when a payment is saved: a change to that field
/// selects the test that inserts payments, through the rule, and not the test that
/// inserts invoices only.
#[test]
fn a_rule_that_reads_a_parent_s_field_runs_for_the_child_s_writers() {
    a_payment_check_of_the_written_off_date_runs_for_payment_writers(
        "force-app/main/default/objects/Payment__c/validationRules/Not_Written_Off.validationRule-meta.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Not_Written_Off</fullName>
    <active>true</active>
    <errorConditionFormula>NOT(ISBLANK(Invoice__r.Written_Off__c))</errorConditionFormula>
    <errorMessage>The invoice is written off.</errorMessage>
</ValidationRule>
"#,
    );
}

/// The same check in a flow that runs when a payment is created, on the invoice its Get
/// Records element found (`Get_Invoice.Written_Off__c`).
#[test]
fn a_flow_that_reads_a_looked_up_record_s_field_runs_for_its_object_s_writers() {
    a_payment_check_of_the_written_off_date_runs_for_payment_writers(
        "force-app/main/default/flows/Payment_Written_Off.flow-meta.xml",
        &payment_created_flow(
            "Payment Written Off",
            r#"    <decisions>
        <name>Written_Off</name>
        <label>Written Off</label>
        <defaultConnectorLabel>Open</defaultConnectorLabel>
        <rules>
            <name>Is_Written_Off</name>
            <conditionLogic>and</conditionLogic>
            <conditions>
                <leftValueReference>Get_Invoice.Written_Off__c</leftValueReference>
                <operator>IsNull</operator>
                <rightValue><booleanValue>false</booleanValue></rightValue>
            </conditions>
            <label>Is Written Off</label>
        </rules>
    </decisions>
    <recordLookups>
        <name>Get_Invoice</name>
        <label>Get Invoice</label>
        <connector><targetReference>Written_Off</targetReference></connector>
        <filterLogic>and</filterLogic>
        <filters>
            <field>Id</field>
            <operator>EqualTo</operator>
            <value><elementReference>$Record.Invoice__c</elementReference></value>
        </filters>
        <getFirstRecordOnly>true</getFirstRecordOnly>
        <object>Invoice__c</object>
        <storeOutputAutomatically>true</storeOutputAutomatically>
    </recordLookups>
"#,
            "Get_Invoice",
        ),
    );
}

/// Adds `check` (at `path`), which reads the invoice's `Written_Off__c` when a payment is
/// saved, then changes the field: the test that inserts payments is selected, through
/// `check`; the test that inserts invoices only is not.
#[track_caller]
fn a_payment_check_of_the_written_off_date_runs_for_payment_writers(path: &str, check: &str) {
    let field = format!("{INVOICE}/fields/Written_Off__c.field-meta.xml");
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write(
            &field,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Written_Off__c</fullName>
    <label>Written Off</label>
    <type>Date</type>
</CustomField>
"#,
        )
        .write(path, check)
        .write_class(
            "InvoiceIntakeTest",
            "@IsTest\nprivate class InvoiceIntakeTest {\n    @IsTest\n    static void takesAnInvoice() {\n        \
                 insert new Invoice__c(Amount__c = 10);\n    }\n}\n",
        );
        write_payment_insert_test(repo, "PaymentIntakeTest");
    });
    repo.edit(
        &field,
        "<label>Written Off</label>",
        "<label>Bad Debt</label>",
    );
    repo.commit("Call it bad debt");

    let plan = repo.plan_committed();

    let test = "PaymentIntakeTest";
    assert_path(&plan, test, "CustomField:Invoice__c.Written_Off__c");
    let entry = test_entry(&plan, test);
    let through_check = entry["reasons"][0]["edges"]
        .as_array()
        .is_some_and(|edges| {
            edges
                .iter()
                .any(|edge| edge["at"].as_str().is_some_and(|at| at.starts_with(path)))
        });
    assert!(through_check, "{test}: not through {path}: {entry}");
    assert_excludes(&plan, &["InvoiceIntakeTest"]);
}

/// `Database.convertLead` updates the lead and inserts the account, contact and
/// opportunity it becomes: a change to the after-update lead handler reaches the test
/// that converts a lead, not the one that only inserts leads; a change to an account
/// trigger's handler reaches the converting test too.
#[test]
fn converting_a_lead_runs_the_automation_of_the_lead_and_of_what_it_becomes() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_trigger(
            "LeadConverted",
            "trigger LeadConverted on Lead (after update) {\n    \
                 LeadConversionHandler.afterUpdate(Trigger.new);\n}\n",
        )
        .write_class(
            "LeadConversionHandler",
            "public with sharing class LeadConversionHandler {\n    \
                 public static void afterUpdate(List<Lead> leads) {\n        \
                     System.debug('converted');\n    }\n}\n",
        )
        .write_trigger(
            "AccountCreated",
            "trigger AccountCreated on Account (after insert) {\n    \
                 AccountGreeter.greet(Trigger.new);\n}\n",
        )
        .write_class(
            "AccountGreeter",
            "public with sharing class AccountGreeter {\n    \
                 public static void greet(List<Account> accounts) {\n        \
                     System.debug('welcome');\n    }\n}\n",
        )
        .write_class(
            "LeadConvertTest",
            "@IsTest\nprivate class LeadConvertTest {\n    @IsTest\n    static void converts() {\n        \
                 Lead lead = new Lead(LastName = 'Ada', Company = 'Engines');\n        insert lead;\n        \
                 Database.LeadConvert conversion = new Database.LeadConvert();\n        \
                 conversion.setLeadId(lead.Id);\n        \
                 conversion.setConvertedStatus('Closed - Converted');\n        \
                 Assert.isTrue(Database.convertLead(conversion).isSuccess());\n    }\n}\n",
        )
        .write_class(
            "LeadIntakeTest",
            "@IsTest\nprivate class LeadIntakeTest {\n    @IsTest\n    static void takesIn() {\n        \
                 insert new Lead(LastName = 'Grace', Company = 'Compilers');\n        \
                 Assert.areEqual(1, [SELECT COUNT() FROM Lead]);\n    }\n}\n",
        );
    });
    repo.edit(
        &class("LeadConversionHandler"),
        "'converted'",
        "'converted: ' + leads.size()",
    );
    repo.commit("Count converted leads");

    let plan = repo.plan_committed();

    assert_path(&plan, "LeadConvertTest", "ApexClass:LeadConversionHandler");
    assert!(reason_path(&plan, "LeadConvertTest").contains(&"CustomObject:Lead".to_string()));
    assert_excludes(&plan, &["LeadIntakeTest"]);

    repo.edit(
        &class("AccountGreeter"),
        "'welcome'",
        "'welcome: ' + accounts.size()",
    );
    repo.commit("Count greeted accounts");

    let plan = repo.plan_committed();

    assert_path(&plan, "LeadConvertTest", "ApexClass:AccountGreeter");
    assert!(reason_path(&plan, "LeadConvertTest").contains(&"CustomObject:Account".to_string()));
    assert_excludes(&plan, &["LeadIntakeTest"]);
}

/// A flow a platform event starts runs when the event is published: a change to it
/// reaches the tests whose code publishes the event (`EventBus.publish`), as a change to
/// the event's Apex trigger does; before, it reached none (crm-arbeidsgiver-base's
/// feedback subscriber flow planned no test).
#[test]
fn a_flow_a_platform_event_starts_runs_for_the_event_s_publishers() {
    let flow = "force-app/main/default/flows/Invoice_Paid_Subscriber.flow-meta.xml";
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write(
            flow,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Invoice Paid Subscriber</label>
    <processType>AutoLaunchedFlow</processType>
    <recordUpdates>
        <name>Mark_Paid</name>
        <label>Mark Paid</label>
        <inputAssignments>
            <field>Status__c</field>
            <value><stringValue>Paid</stringValue></value>
        </inputAssignments>
        <object>Invoice__c</object>
    </recordUpdates>
    <start>
        <object>Invoice_Paid__e</object>
        <triggerType>PlatformEvent</triggerType>
        <connector><targetReference>Mark_Paid</targetReference></connector>
    </start>
    <status>Active</status>
</Flow>
"#,
        );
        repo.write_class(
            "InvoicePaidNotice",
            "public with sharing class InvoicePaidNotice {\n    public static void send(Id invoiceId) {\n        EventBus.publish(new Invoice_Paid__e(Invoice__c = invoiceId));\n    }\n}\n",
        );
        repo.write_class(
            "InvoicePaidNoticeTest",
            "@IsTest\nprivate class InvoicePaidNoticeTest {\n    @IsTest\n    static void publishes() {\n        Test.startTest();\n        InvoicePaidNotice.send(null);\n        Test.stopTest();\n        System.assert(true);\n    }\n}\n",
        );
        repo.write_invoice_event_tests();
    });
    repo.edit(
        flow,
        "<stringValue>Paid</stringValue>",
        "<stringValue>Settled</stringValue>",
    );
    repo.commit("Settle paid invoices");

    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);

    assert_includes(&plan, &["InvoicePaidNoticeTest"]);
    // The flow runs on the event, not on saves of the invoices it updates.
    assert_excludes(&plan, &["InvoicePurgeTest", "InvoiceImportTest"]);
}

/// Records handed to a class the repository does not declare (a base package's test
/// data factory, a managed package's `dlrs.RollupService.testHandler`) may be saved
/// there: the tests that hand invoices over run the invoice triggers. Before, they ran
/// none (crm-nks-base's record-type handlers missed their own tests, which create
/// records through the base package's `UTIL_TestDataFactory`). The platform's own
/// classes (`JSON`, `Assert`) save nothing.
#[test]
fn records_handed_to_a_package_s_class_run_their_object_s_triggers() {
    let repo = with_event_triggers_and(|repo| {
        repo.write_class(
            "InvoiceFactoryTest",
            "@IsTest\nprivate class InvoiceFactoryTest {\n    @IsTest\n    static void createsThroughThePackage() {\n        \
                 UTIL_TestDataFactory.createRecord(new Invoice__c(Amount__c = 3));\n        \
                 dlrs.RollupService.testHandler(new Invoice__c());\n        System.assert(true);\n    }\n}\n",
        );
        repo.write_class(
            "InvoiceJsonTest",
            "@IsTest\nprivate class InvoiceJsonTest {\n    @IsTest\n    static void serializes() {\n        \
                 Invoice__c inv = new Invoice__c(Amount__c = 4);\n        \
                 Assert.isNotNull(JSON.serialize(inv));\n        Assert.isNotNull(inv);\n    }\n}\n",
        );
    });
    stamp_due_in(&repo, 45);

    let plan = repo.plan_committed();

    assert_includes(&plan, &["InvoiceFactoryTest", "InvoicePurgeTest"]);
    assert_excludes(&plan, &["InvoiceJsonTest"]);
}

/// A validation rule runs when a record is saved, not when it is deleted: a change to
/// one selects the tests that insert the object, not a test whose only write is a
/// `Database.delete` of ids of any object (GEC's untyped deletes reached every rule and
/// workflow field update of the org: 37 of 38 tests for a new field update).
#[test]
fn a_delete_does_not_run_validation_rules() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "RecordPurge",
            "public with sharing class RecordPurge {\n    public static void purge(List<Id> ids) {\n        Database.delete(ids);\n    }\n}\n",
        );
        repo.write_class(
            "RecordPurgeTest",
            "@IsTest\nprivate class RecordPurgeTest {\n    @IsTest\n    static void purgesNothing() {\n        RecordPurge.purge(new List<Id>());\n        Assert.isTrue(true);\n    }\n}\n",
        );
        repo.write_class(
            "InvoiceAmountTest",
            "@IsTest\nprivate class InvoiceAmountTest {\n    @IsTest\n    static void refusesZero() {\n        try {\n            insert new Invoice__c(Amount__c = 0);\n            Assert.fail();\n        } catch (DmlException e) {\n            Assert.isTrue(true);\n        }\n    }\n}\n",
        );
    });
    repo.edit(
        "force-app/main/default/objects/Invoice__c/validationRules/Amount_Positive.validationRule-meta.xml",
        "Amount__c &lt;= 0",
        "Amount__c &lt; 0",
    );
    repo.commit("Zero invoices are allowed");

    let plan = repo.plan_committed();

    let selected = selected_tests(&plan);
    assert!(
        selected.contains(&"InvoiceAmountTest".to_string()),
        "{selected:?}"
    );
    assert_excludes(&plan, &["RecordPurgeTest"]);
}

const AMOUNT_RULE: &str =
    "force-app/main/default/objects/Invoice__c/validationRules/Amount_Positive.validationRule-meta.xml";
const ORDER_WORKFLOW: &str = "force-app/main/default/workflows/Order__c.workflow-meta.xml";

/// A rule switched off (`<active>false</active>`) runs on no save: a change to its
/// formula reaches no writer of its object (NPSP's inactive acknowledgment rule reached
/// 257 tests through its email template). Switching it off or on is the change that
/// does: off walked on the base revision, where it still ran. Both for a validation rule
/// in its own file and for a workflow rule among its workflow's children.
#[test]
fn a_rule_switched_off_reaches_no_writer_until_switched_on() {
    // Fixture, rule file, the rule's `<active>` element and what follows it (a workflow
    // holds two rules), an edit of its formula or criteria, and a writer it reaches.
    let rules = [
        (
            "billing",
            AMOUNT_RULE,
            "</active>\n    <description>",
            ("Amount__c &lt;= 0", "Amount__c &lt; 1"),
            "InvoiceServiceTest",
        ),
        (
            "automation",
            ORDER_WORKFLOW,
            "</active>\n        <criteriaItems>\n            <field>Order__c.Amount__c",
            ("<value>10000</value>", "<value>20000</value>"),
            ORDER_WRITER,
        ),
    ];
    for (fixture, path, after, (from, to), writer) in rules {
        let [on, off] = ["true", "false"].map(|value| format!("<active>{value}{after}"));
        // Switched off on the base: an edit of the rule selects none of the writers.
        let repo = TestRepo::with_base(fixture, |repo| {
            repo.edit(path, &on, &off);
        });
        repo.edit(path, from, to);
        repo.commit("Edit the switched-off rule");
        let last_commit = || repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);
        assert_excludes(&last_commit(), &[writer]);
        // Switched on again: the writers.
        repo.edit(path, &off, &on);
        repo.commit("Switch the rule on");
        assert_includes(&last_commit(), &[writer]);
        // Switched off: the writers, walked on the base.
        repo.edit(path, &on, &off);
        repo.commit("Switch the rule off");
        assert_includes(&last_commit(), &[writer]);
    }
}
