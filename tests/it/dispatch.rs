//! Code the platform or a framework runs without a call the graph can see: handlers a
//! trigger framework creates by name, platform events delivered to their triggers, and
//! `Comparable.compareTo` run by `List.sort()`.
//!
//! Each scenario adds a few classes to the billing org in the base commit, then changes
//! one of them.

use crate::support::*;

/// The tests that save a payment (and the critical test): what a change to the payment
/// handler's code reaches through the payment trigger.
const PAYMENT_WRITERS: &[&str] = &[
    CRITICAL,
    "PaymentNotifierTest",
    "PaymentServiceTest",
    "PaymentWritingTest",
];

/// A small trigger framework: each object's trigger hands its records to
/// `HandlerRegistry`, which creates the handlers configured for the object by name and
/// calls the abstract `handle` on each. `AuditHandler` names no object.
fn with_trigger_framework() -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "TriggerHandlerBase",
            "public abstract class TriggerHandlerBase {\n    \
                 public abstract void handle(List<SObject> records);\n}\n",
        );
        repo.write_class(
            "HandlerRegistry",
            "public with sharing class HandlerRegistry {\n    \
                 private static final Map<String, List<String>> HANDLERS = new Map<String, List<String>>{\n        \
                     'Invoice__c' => new List<String>{ 'InvoiceStampHandler', 'AuditHandler' },\n        \
                     'Payment__c' => new List<String>{ 'PaymentStampHandler', 'AuditHandler' }\n    \
                 };\n\n    \
                 public static void run(String objectName, List<SObject> records) {\n        \
                     for (String name : HANDLERS.get(objectName)) {\n            \
                         TriggerHandlerBase handler = (TriggerHandlerBase) Type.forName(name).newInstance();\n            \
                         handler.handle(records);\n        \
                     }\n    \
                 }\n}\n",
        );
        repo.write_class(
            "InvoiceStampHandler",
            "public with sharing class InvoiceStampHandler extends TriggerHandlerBase {\n    \
                 public override void handle(List<SObject> records) {\n        \
                     for (Invoice__c invoice : (List<Invoice__c>) records) {\n            \
                         invoice.Description__c = 'stamped';\n        \
                     }\n    \
                 }\n}\n",
        );
        repo.write_class(
            "PaymentStampHandler",
            "public with sharing class PaymentStampHandler extends TriggerHandlerBase {\n    \
                 public override void handle(List<SObject> records) {\n        \
                     for (Payment__c payment : (List<Payment__c>) records) {\n            \
                         payment.Reference__c = 'stamped';\n        \
                     }\n    \
                 }\n}\n",
        );
        repo.write_class(
            "AuditHandler",
            "public with sharing class AuditHandler extends TriggerHandlerBase {\n    \
                 public static Integer seen = 0;\n    \
                 public override void handle(List<SObject> records) {\n        \
                     seen += records.size();\n    \
                 }\n}\n",
        );
        // Names no object itself; a configuration record registers it for payments.
        repo.write_class(
            "PaymentLogHandler",
            "public with sharing class PaymentLogHandler extends TriggerHandlerBase {\n    \
                 public static List<SObject> logged = new List<SObject>();\n    \
                 public override void handle(List<SObject> records) {\n        \
                     logged.addAll(records);\n    \
                 }\n}\n",
        );
        repo.write_class(
            "HandlerSettings",
            "public with sharing class HandlerSettings {\n    \
                 public static List<Handler_Setting__c> defaults() {\n        \
                     return new List<Handler_Setting__c>{\n            \
                         new Handler_Setting__c(Class__c = 'PaymentLogHandler', Object__c = 'Payment__c', Active__c = true)\n        \
                     };\n    \
                 }\n}\n",
        );
        repo.write_class(
            "HandlerSettingsTest",
            "@IsTest\nprivate class HandlerSettingsTest {\n    \
                 @IsTest\n    static void listsTheDefaults() {\n        \
                     Assert.areEqual(1, HandlerSettings.defaults().size());\n    \
                 }\n}\n",
        );
        repo.write_trigger(
            "InvoiceStampTrigger",
            "trigger InvoiceStampTrigger on Invoice__c (before insert) {\n    \
                 HandlerRegistry.run('Invoice__c', Trigger.new);\n}\n",
        );
        repo.write_trigger(
            "PaymentStampTrigger",
            "trigger PaymentStampTrigger on Payment__c (before insert) {\n    \
                 HandlerRegistry.run('Payment__c', Trigger.new);\n}\n",
        );
        repo.write_class(
            "PaymentWritingTest",
            "@IsTest\nprivate class PaymentWritingTest {\n    \
                 @IsTest\n    static void savesAPayment() {\n        \
                     insert new Payment__c(Reference__c = 'x');\n    \
                 }\n}\n",
        );
    })
}

#[test]
fn a_handler_change_reaches_only_the_triggers_of_the_object_it_handles() {
    let repo = with_trigger_framework();
    repo.edit(
        &class("PaymentStampHandler"),
        "payment.Reference__c = 'stamped';",
        "payment.Reference__c = 'stamped twice';",
    );
    repo.commit("Stamp payments differently");

    let plan = repo.plan_committed();

    // The tests that save payments run PaymentStampHandler. The tests that save only
    // invoices reach HandlerRegistry too, but through the Invoice__c trigger, which
    // does not run a handler that handles payments.
    assert_selected(&plan, PAYMENT_WRITERS);
    for test in ["PaymentWritingTest", "PaymentServiceTest"] {
        let path = reason_path(&plan, test);
        assert_eq!(
            path[..4],
            [
                "ApexMethod:PaymentStampHandler.handle",
                "ApexMethod:HandlerRegistry.run",
                "ApexTrigger:PaymentStampTrigger",
                "CustomObject:Payment__c",
            ],
            "{test}"
        );
    }
    assert_excludes(
        &plan,
        &[
            "BillingControllerTest",
            "InvoiceCsvExporterTest",
            "InvoiceServiceTest",
        ],
    );
}

/// Code a handler runs may itself be reached through an interface (a stamp the handler
/// makes by name, which reads invoices): the handler the triggers' framework dispatches
/// to is the later override, the payment handler, and the payment triggers run the
/// change, not the invoice trigger. (apex-async-actions: a processor its queueable makes
/// by name, enqueued by the start event's handler, reached no test that publishes the
/// event.)
#[test]
fn the_handler_a_trigger_runs_is_the_last_override_climbed_to_it() {
    let repo = with_trigger_framework();
    repo.write_class(
        "IStamp",
        "public interface IStamp {\n    void apply(List<SObject> records);\n}\n",
    );
    repo.write_class(
        "InvoiceCountStamp",
        "public with sharing class InvoiceCountStamp implements IStamp {\n    \
             public void apply(List<SObject> records) {\n        \
                 Integer invoices = [SELECT COUNT() FROM Invoice__c];\n        \
                 for (SObject record : records) {\n            \
                     record.put('Reference__c', 'R-' + invoices);\n        \
                 }\n    \
             }\n}\n",
    );
    repo.edit(
        &class("PaymentStampHandler"),
        "        for (Payment__c payment : (List<Payment__c>) records) {",
        "        IStamp stamp = (IStamp) Type.forName('InvoiceCountStamp').newInstance();\n        \
         stamp.apply(records);\n        for (Payment__c payment : (List<Payment__c>) records) {",
    );
    repo.commit("Payments stamped with the invoice count");
    repo.edit(
        &class("InvoiceCountStamp"),
        "'R-' + invoices",
        "'REF-' + invoices",
    );
    repo.commit("A longer prefix");

    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);

    assert_selected(&plan, PAYMENT_WRITERS);
    let path = reason_path(&plan, "PaymentWritingTest");
    assert_eq!(
        path[..5],
        [
            "ApexMethod:InvoiceCountStamp.apply",
            "ApexMethod:PaymentStampHandler.handle",
            "ApexMethod:HandlerRegistry.run",
            "ApexTrigger:PaymentStampTrigger",
            "CustomObject:Payment__c",
        ]
    );
    assert_excludes(&plan, &["BillingControllerTest", "InvoiceServiceTest"]);
}

#[test]
fn a_configuration_record_tells_which_objects_a_handler_handles() {
    let repo = with_trigger_framework();
    repo.edit(
        &class("PaymentLogHandler"),
        "logged.addAll(records);",
        "logged.addAll(records.deepClone());",
    );
    repo.commit("Log copies");

    let plan = repo.plan_committed();

    assert_includes(&plan, &["PaymentWritingTest"]);
    assert_eq!(
        reason_path(&plan, "PaymentWritingTest")[2],
        "ApexTrigger:PaymentStampTrigger"
    );
    // HandlerSettingsTest reads the record that names the handler, but saves nothing.
    assert_excludes(
        &plan,
        &[
            "BillingControllerTest",
            "InvoiceCsvExporterTest",
            "InvoiceServiceTest",
            "HandlerSettingsTest",
        ],
    );
}

#[test]
fn a_handler_that_names_no_object_reaches_every_trigger_it_may_run_for() {
    let repo = with_trigger_framework();
    repo.edit(
        &class("AuditHandler"),
        "seen += records.size();",
        "seen += records.size() + 0;",
    );
    repo.commit("Count audited records");

    let plan = repo.plan_committed();

    // Nothing tells which objects AuditHandler is configured for: every test that saves
    // an invoice or a payment may run it.
    assert_includes(&plan, &["PaymentWritingTest", "InvoiceServiceTest"]);
}

/// The common dispatcher that each trigger hands a handler it makes
/// (`TriggerDispatcher.run(new PaymentTriggerHandler())`), and whose interface call joins
/// every handler; the dispatcher also runs an audit handler of the interface it makes
/// itself, for every trigger.
fn with_dispatcher_of_made_handlers() -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "ITriggerHandler",
            "public interface ITriggerHandler {\n    void beforeInsert(List<SObject> records);\n}\n",
        );
        repo.write_class(
            "TriggerDispatcher",
            "public with sharing class TriggerDispatcher {\n    \
                 public static void run(ITriggerHandler handler) {\n        \
                     if (Trigger.isBefore && Trigger.isInsert) {\n            \
                         ITriggerHandler audit = new AuditTrail();\n            \
                         audit.beforeInsert(Trigger.new);\n            \
                         handler.beforeInsert(Trigger.new);\n        \
                     }\n    \
                 }\n}\n",
        );
        repo.write_class(
            "Stamps",
            "public with sharing class Stamps {\n    \
                 public static Integer payments = 0;\n    \
                 public static Integer invoices = 0;\n    \
                 public static Integer audited = 0;\n    \
                 public static void payments(List<SObject> records) {\n        \
                     payments += records.size();\n    \
                 }\n    \
                 public static void invoices(List<SObject> records) {\n        \
                     invoices += records.size();\n    \
                 }\n    \
                 public static void audit(List<SObject> records) {\n        \
                     audited += records.size();\n    \
                 }\n}\n",
        );
        for (handler, stamp) in [
            ("PaymentTriggerHandler", "payments"),
            ("InvoiceDispatchHandler", "invoices"),
            ("AuditTrail", "audit"),
        ] {
            repo.write_class(
                handler,
                &format!("public with sharing virtual class {handler} implements ITriggerHandler {{\n    \
                     public virtual void beforeInsert(List<SObject> records) {{\n        \
                         Stamps.{stamp}(records);\n    \
                     }}\n}}\n"),
            );
        }
        repo.write_trigger(
            "PaymentTrigger",
            "trigger PaymentTrigger on Payment__c (before insert) {\n    TriggerDispatcher.run(new PaymentTriggerHandler());\n}\n",
        );
        repo.write_trigger(
            "InvoiceDispatchTrigger",
            "trigger InvoiceDispatchTrigger on Invoice__c (before insert) {\n    TriggerDispatcher.run(new InvoiceDispatchHandler());\n}\n",
        );
    })
}

/// A handler that names no object runs for the trigger that makes it (or a subclass of
/// it), not for a trigger that makes another handler of the interface (ctr-sf-devm41's
/// `CauseTriggerHandler`: a change to a class it uses reached every trigger of the
/// dispatcher, 233 tests where 6 save a cause).
#[test]
fn a_handler_a_trigger_makes_runs_for_that_trigger_only() {
    let repo = with_dispatcher_of_made_handlers();
    repo.edit(
        &class("PaymentTriggerHandler"),
        "Stamps.payments(records);",
        "Stamps.payments(records.clone());",
    );
    repo.commit("Stamp a copy");

    let plan = repo.plan_committed();

    assert_includes(&plan, &["PaymentServiceTest"]);
    assert_excludes(&plan, &["InvoiceServiceTest"]);
}

/// A handler the dispatcher makes itself runs for every trigger that calls the
/// dispatcher, whatever handler the trigger makes.
#[test]
fn a_handler_the_dispatcher_makes_runs_for_every_trigger() {
    let repo = with_dispatcher_of_made_handlers();
    repo.edit(
        &class("AuditTrail"),
        "Stamps.audit(records);",
        "Stamps.audit(records.clone());",
    );
    repo.commit("Audit a copy");

    let plan = repo.plan_committed();

    assert_includes(&plan, &["PaymentServiceTest", "InvoiceServiceTest"]);
}

/// A copy of the Trigger Actions Framework kept in the repository: `TriggerBase.run`
/// calls the hooks on its own object, cast to the framework's interfaces, and
/// `MetadataTriggerHandler`'s hooks run the actions the records name.
fn with_framework_in_the_repository(repo: &TestRepo) {
    repo.write_class(
        "TriggerAction",
        "public class TriggerAction {\n    \
             public interface BeforeInsert {\n        void beforeInsert(List<SObject> newList);\n    }\n}\n",
    );
    repo.write_class(
        "TriggerBase",
        "public virtual class TriggerBase {\n    \
             public void run() {\n        \
                 if (Trigger.isBefore && Trigger.isInsert && this instanceof TriggerAction.BeforeInsert) {\n            \
                     ((TriggerAction.BeforeInsert) this).beforeInsert(Trigger.new);\n        \
                 }\n    \
             }\n}\n",
    );
    repo.write_class(
        "MetadataTriggerHandler",
        "public class MetadataTriggerHandler extends TriggerBase implements TriggerAction.BeforeInsert {\n    \
             public void beforeInsert(List<SObject> newList) {\n        \
                 for (Trigger_Action__mdt action : [SELECT Apex_Class_Name__c FROM Trigger_Action__mdt]) {\n            \
                     ((TriggerAction.BeforeInsert) Type.forName(action.Apex_Class_Name__c).newInstance()).beforeInsert(newList);\n        \
                 }\n    \
             }\n}\n",
    );
}

/// An action a record registers for one object runs for that object's trigger only, also
/// when the framework's dispatcher is code of the repository (which handles every
/// trigger), and the test class the record names as the action's test is no user of
/// the records (Cloud-Peritus' EMS: a Case before-insert action reached the tests of all
/// 29 triggers, 77 tests where 3 run it).
#[test]
fn an_action_runs_for_the_object_its_record_registers_under_a_framework_of_the_repository() {
    let repo = TestRepo::with_base("billing", |repo| {
        with_framework_in_the_repository(repo);
        repo.write_class(
            "TA_Payment_Stamp",
            "public with sharing class TA_Payment_Stamp implements TriggerAction.BeforeInsert {\n    \
                 public void beforeInsert(List<SObject> newList) {\n        \
                     System.debug(stamp(newList));\n    }\n\n    \
                 private String stamp(List<SObject> payments) {\n        \
                     return 'stamped';\n    }\n}\n",
        );
        repo.write_class(
            "TA_Payment_StampTest",
            "@IsTest\nprivate class TA_Payment_StampTest {\n    @IsTest\n    static void stamps() {\n        \
                 new TA_Payment_Stamp().beforeInsert(new List<SObject>());\n        System.assert(true);\n    }\n}\n",
        );
        for (object, trigger) in [
            ("Payment__c", "PaymentActions"),
            ("Invoice__c", "InvoiceActions"),
        ] {
            repo.write_trigger(
                trigger,
                &format!("trigger {trigger} on {object} (before insert) {{\n    new MetadataTriggerHandler().run();\n}}\n"),
            );
        }
        write_metadata_record(
            repo,
            "Trigger_Action.Payment_Stamp",
            &[
                ("Apex_Class_Name__c", "TA_Payment_Stamp"),
                ("Apex_Class_Test_Class__c", "TA_Payment_StampTest"),
                ("Before_Insert__c", "Payment"),
            ],
        );
        write_metadata_record(
            repo,
            "sObject_Trigger_Setting.Payment",
            &[("Object_API_Name__c", "Payment__c")],
        );
    });
    repo.edit(
        &class("TA_Payment_Stamp"),
        "return 'stamped';",
        "return 'stamped: ' + payments.size();",
    );
    repo.commit("Say how many payments were stamped");

    let plan = repo.plan_committed();

    assert_includes(&plan, &["TA_Payment_StampTest", "PaymentServiceTest"]);
    assert_excludes(&plan, &["InvoiceServiceTest"]);
}

/// A hook called on the caller's own object cast to an interface (`((TriggerAction.
/// BeforeInsert) this).beforeInsert(…)` in `TriggerBase`) runs an implementation in the
/// caller's line of the hierarchy only: an action class that implements the interface
/// but extends no `TriggerBase` never runs there.
#[test]
fn a_call_on_this_cast_to_an_interface_runs_no_implementation_outside_the_caller_s_line() {
    let repo = TestRepo::with_base("billing", |repo| {
        with_framework_in_the_repository(repo);
        repo.write_class(
            "AuditHandler",
            "public class AuditHandler extends TriggerBase implements TriggerAction.BeforeInsert {\n    \
                 public void beforeInsert(List<SObject> newList) {\n        \
                     System.debug(newList.size());\n    }\n}\n",
        );
        repo.write_class(
            "TA_Stamp",
            "public with sharing class TA_Stamp implements TriggerAction.BeforeInsert {\n    \
                 public void beforeInsert(List<SObject> newList) {\n        \
                     System.debug('stamped');\n    }\n}\n",
        );
        for (test, call) in [
            ("AuditRunTest", "new AuditHandler().run();"),
            (
                "TA_StampTest",
                "new TA_Stamp().beforeInsert(new List<SObject>());",
            ),
        ] {
            repo.write_class(
                test,
                &format!("@IsTest\nprivate class {test} {{\n    @IsTest\n    static void runs() {{\n        {call}\n        System.assert(true);\n    }}\n}}\n"),
            );
        }
    });
    repo.edit(
        &class("TA_Stamp"),
        "System.debug('stamped');",
        "System.debug('stamped once');",
    );
    repo.commit("Stamp once");

    let plan = repo.plan_committed();

    assert_includes(&plan, &["TA_StampTest"]);
    assert_excludes(&plan, &["AuditRunTest"]);
}

#[test]
fn a_dispatcher_change_reaches_every_trigger_that_calls_it() {
    let repo = with_trigger_framework();
    repo.edit(
        &class("HandlerRegistry"),
        "handler.handle(records);",
        "if (!records.isEmpty()) {\n                handler.handle(records);\n            }",
    );
    repo.commit("Skip empty batches");

    let plan = repo.plan_committed();

    assert_includes(&plan, &["PaymentWritingTest", "InvoiceServiceTest"]);
}

#[test]
fn publishing_a_platform_event_runs_its_trigger() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "InvoiceEvents",
            "public with sharing class InvoiceEvents {\n    \
                 public static void announce(Id invoiceId) {\n        \
                     EventBus.publish(new Invoice_Issued__e(Invoice_Id__c = invoiceId));\n    \
                 }\n}\n",
        );
        repo.write_class(
            "InvoiceIssuedHandler",
            "public with sharing class InvoiceIssuedHandler {\n    \
                 public static Integer received = 0;\n    \
                 public static void handle(List<Invoice_Issued__e> events) {\n        \
                     received += events.size();\n    \
                 }\n}\n",
        );
        repo.write_trigger(
            "InvoiceIssuedTrigger",
            "trigger InvoiceIssuedTrigger on Invoice_Issued__e (after insert) {\n    \
                 InvoiceIssuedHandler.handle(Trigger.new);\n}\n",
        );
        repo.write_class(
            "AnnouncementTest",
            "@IsTest\nprivate class AnnouncementTest {\n    \
                 @IsTest\n    static void announcesAnInvoice() {\n        \
                     Test.startTest();\n        \
                     InvoiceEvents.announce(null);\n        \
                     Test.stopTest();\n    \
                 }\n}\n",
        );
    });
    repo.edit(
        &class("InvoiceIssuedHandler"),
        "received += events.size();",
        "received += 2 * events.size();",
    );
    repo.commit("Count each event twice");

    let plan = repo.plan_committed();

    assert_selected(&plan, &[CRITICAL, "AnnouncementTest"]);
    assert_path(&plan, "AnnouncementTest", "ApexClass:InvoiceIssuedHandler");
    let path = reason_path(&plan, "AnnouncementTest");
    assert!(
        path.contains(&"CustomObject:Invoice_Issued__e".to_string()),
        "{path:?}"
    );
}

#[test]
fn a_class_s_own_test_runs_whichever_member_changed() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "InvoiceRank",
            "public with sharing class InvoiceRank implements Comparable {\n    \
                 public Decimal amount;\n    \
                 public InvoiceRank(Decimal amount) { this.amount = amount; }\n    \
                 public Integer compareTo(Object other) {\n        \
                     Decimal theirs = ((InvoiceRank) other).amount;\n        \
                     return amount < theirs ? -1 : (amount > theirs ? 1 : 0);\n    \
                 }\n}\n",
        );
        repo.write_class(
            "InvoiceRankTest",
            "@IsTest\nprivate class InvoiceRankTest {\n    \
                 @IsTest\n    static void sortsSmallestFirst() {\n        \
                     List<Object> ranks = new List<Object>{ new InvoiceRank(2), new InvoiceRank(1) };\n        \
                     ranks.sort();\n        \
                     Assert.areEqual(1, ((InvoiceRank) ranks[0]).amount);\n    \
                 }\n}\n",
        );
        repo.write_class(
            "RankedExportTest",
            "@IsTest\nprivate class RankedExportTest {\n    \
                 @IsTest\n    static void keepsTheAmount() {\n        \
                     Assert.areEqual(3, new InvoiceRank(3).amount);\n    \
                 }\n}\n",
        );
    });
    repo.edit(
        &class("InvoiceRank"),
        "return amount < theirs ? -1 : (amount > theirs ? 1 : 0);",
        "return amount > theirs ? -1 : (amount < theirs ? 1 : 0);",
    );
    repo.commit("Largest invoices first");

    let plan = repo.plan_committed();

    // Sorting a `List<Object>` calls compareTo, which no code of the repository names
    // (on a `List<InvoiceRank>`, `Graph::sorted_by` makes `sort()` a call of it). The
    // class's own test (by name, and it uses the class) runs; another test that only
    // builds ranks does not.
    assert_selected(&plan, &[CRITICAL, "InvoiceRankTest"]);
    let entry = test_entry(&plan, "InvoiceRankTest");
    assert_eq!(
        entry["reasons"][0]["edges"][1]["kind"], "named-test",
        "{entry}"
    );
}

/// A base class whose template method dispatches to its subclasses' overrides (issue 12
/// item 2): `TemplateHandler.run()` calls `this.afterSave()`. Its own test runs it on a
/// private test double; each handler's test runs its handler; one test runs a handler
/// through a variable of the base type (from a factory), one through a receiver whose type cannot be
/// told (`Handlers.current()`: `Handlers` inherits `current` from a class the repository
/// does not declare).
fn with_template_handlers() -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "TemplateHandler",
            "public virtual class TemplateHandler {\n    \
                 public void run() {\n        this.afterSave();\n    }\n    \
                 protected virtual void afterSave() {}\n}\n",
        );
        for (name, object) in [
            ("InvoiceSaveHandler", "Invoice__c"),
            ("PaymentSaveHandler", "Payment__c"),
        ] {
            repo.write_class(
                name,
                &format!(
                    "public class {name} extends TemplateHandler {{\n    \
                         protected override void afterSave() {{\n        \
                             System.debug('{object}');\n    }}\n}}\n"
                ),
            );
            repo.write_class(
                &format!("{name}Test"),
                &format!(
                    "@IsTest\nprivate class {name}Test {{\n    @IsTest\n    static void runs() {{\n        \
                         new {name}().run();\n        Assert.isTrue(true);\n    }}\n}}\n"
                ),
            );
        }
        repo.write_class(
            "TemplateHandlerTest",
            "@IsTest\nprivate class TemplateHandlerTest {\n    \
                 private class Double extends TemplateHandler {\n        \
                     public Integer calls = 0;\n        \
                     protected override void afterSave() { calls++; }\n    }\n    \
                 @IsTest\n    static void runsTheHook() {\n        \
                     Double handler = new Double();\n        handler.run();\n        \
                     Assert.areEqual(1, handler.calls);\n    }\n}\n",
        );
        repo.write_class(
            "BaseTypedRunTest",
            "@IsTest\nprivate class BaseTypedRunTest {\n    @IsTest\n    static void runs() {\n        \
                 TemplateHandler handler = HandlerFactory.make();\n        \
                 handler.run();\n        Assert.isTrue(true);\n    }\n}\n",
        );
        repo.write_class(
            "HandlerFactory",
            "public class HandlerFactory {\n    \
                 public static TemplateHandler make() {\n        return new TemplateHandler();\n    }\n}\n",
        );
        repo.write_class(
            "Handlers",
            "public class Handlers extends fflib_Application {\n}\n",
        );
        repo.write_class(
            "UnknownRunTest",
            "@IsTest\nprivate class UnknownRunTest {\n    @IsTest\n    static void runs() {\n        \
                 Handlers.current().run();\n        Assert.isTrue(true);\n    }\n}\n",
        );
    })
}

#[test]
fn an_override_is_reached_only_through_receivers_that_can_hold_its_class() {
    let repo = with_template_handlers();
    repo.edit(
        &class("InvoiceSaveHandler"),
        "System.debug('Invoice__c');",
        "System.debug('Invoice__c saved');",
    );
    repo.commit("Say what was saved");

    let plan = repo.plan_committed();

    assert_path(
        &plan,
        "InvoiceSaveHandlerTest",
        "ApexClass:InvoiceSaveHandler",
    );
    // A variable of the base type may hold an InvoiceSaveHandler.
    assert_path(&plan, "BaseTypedRunTest", "ApexClass:InvoiceSaveHandler");
    // The twin: a receiver of unknown type may hold one too.
    assert_path(&plan, "UnknownRunTest", "ApexClass:InvoiceSaveHandler");
    // The base class's test runs its own test double, the payment handler's test a
    // sibling: neither runs the invoice handler's override.
    assert_excludes(&plan, &["TemplateHandlerTest", "PaymentSaveHandlerTest"]);
    assert_selected(
        &plan,
        &[
            CRITICAL,
            "BaseTypedRunTest",
            "InvoiceSaveHandlerTest",
            "UnknownRunTest",
        ],
    );
}

/// A base-class method that runs the hook on another object of the base type
/// (`next.afterSave()`, not `this`) runs whichever override that object has: a test
/// that calls it on its own test double, passing a handler of the base type, runs the
/// invoice handler's override when the factory makes one.
#[test]
fn a_hook_called_on_another_object_of_the_base_type_is_not_narrowed_to_the_caller() {
    let repo = with_template_handlers();
    repo.edit(
        &class("TemplateHandler"),
        "protected virtual void afterSave() {}",
        "protected virtual void afterSave() {}\n    \
             public void relay(TemplateHandler next) {\n        next.afterSave();\n    }",
    );
    repo.write_class(
        "RelayTest",
        "@IsTest\nprivate class RelayTest {\n    \
             private class Double extends TemplateHandler {}\n    \
             @IsTest\n    static void relays() {\n        \
                 new Double().relay(HandlerFactory.make());\n        \
                 Assert.isTrue(true);\n    }\n}\n",
    );
    repo.commit("Relay the hook");
    repo.edit(
        &class("InvoiceSaveHandler"),
        "System.debug('Invoice__c');",
        "System.debug('Invoice__c saved');",
    );
    repo.commit("Say what was saved");

    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);

    assert_path(&plan, "RelayTest", "ApexClass:InvoiceSaveHandler");
    // `this.afterSave()` in `run()` is still narrowed to the caller's own object: the
    // sibling handler's test runs `run()` on its own handler. (The base class's own test
    // is selected now, by the named-test rule, since `relay` is reached.)
    assert_excludes(&plan, &["PaymentSaveHandlerTest"]);
}

/// The template method itself changed: every test that runs it is selected.
#[test]
fn a_change_to_the_template_method_reaches_every_caller() {
    let repo = with_template_handlers();
    repo.edit(
        &class("TemplateHandler"),
        "this.afterSave();",
        "if (true) { this.afterSave(); }",
    );
    repo.commit("Guard the hook");

    let plan = repo.plan_committed();

    assert_selected(
        &plan,
        &[
            CRITICAL,
            "BaseTypedRunTest",
            "InvoiceSaveHandlerTest",
            "PaymentSaveHandlerTest",
            "TemplateHandlerTest",
            "UnknownRunTest",
        ],
    );
}

/// A domain class built on fflib's `fflib_SObjectDomain`, which the org installs as a
/// package: its trigger hands the class to the framework, which calls the class's
/// overrides. `InvoiceAgeTest` inserts an invoice; `InvoiceArchiveTest` calls a plain
/// method of the domain, which the framework does not call.
fn with_packaged_domain() -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "InvoicesDomain",
            "public with sharing class InvoicesDomain extends fflib_SObjectDomain {\n    \
                 public InvoicesDomain(List<Invoice__c> records) { super(records); }\n    \
                 public override void onBeforeInsert() {\n        \
                     for (Invoice__c inv : (List<Invoice__c>) Records) { inv.Due_Date__c = Date.today(); }\n    \
                 }\n    \
                 public Integer archive() { return Records.size(); }\n    \
                 public class Constructor implements fflib_SObjectDomain.IConstructable {\n        \
                     public fflib_SObjectDomain construct(List<SObject> records) { return new InvoicesDomain(records); }\n    \
                 }\n}\n",
        );
        repo.write_trigger(
            "InvoicesDomainTrigger",
            "trigger InvoicesDomainTrigger on Invoice__c (before insert) {\n    \
                 fflib_SObjectDomain.triggerHandler(InvoicesDomain.class);\n}\n",
        );
        repo.write_class(
            "InvoiceAgeTest",
            "@IsTest\nprivate class InvoiceAgeTest {\n    @IsTest\n    static void stampsTheDueDate() {\n        \
                 insert new Invoice__c(Amount__c = 3);\n        \
                 Assert.areEqual(Date.today(), [SELECT Due_Date__c FROM Invoice__c].Due_Date__c);\n    }\n}\n",
        );
        repo.write_class(
            "InvoiceArchiveTest",
            "@IsTest\nprivate class InvoiceArchiveTest {\n    @IsTest\n    static void archivesNone() {\n        \
                 Assert.areEqual(0, new InvoicesDomain(new List<Invoice__c>()).archive());\n    }\n}\n",
        );
    })
}

/// The framework calls the override for the trigger that hands it the class: a change
/// to it reaches the tests that insert invoices.
#[test]
fn an_override_of_a_packaged_framework_class_runs_for_its_trigger() {
    let repo = with_packaged_domain();
    repo.edit(
        &class("InvoicesDomain"),
        "Date.today(); }",
        "Date.today().addDays(30); }",
    );
    repo.commit("Invoices are due in thirty days");

    let plan = repo.plan_committed();

    assert_path(&plan, "InvoiceAgeTest", "ApexClass:InvoicesDomain");
    let path = reason_path(&plan, "InvoiceAgeTest");
    assert!(
        path.iter()
            .any(|node| node == "ApexTrigger:InvoicesDomainTrigger"),
        "InvoiceAgeTest should be reached through the trigger: {path:?}"
    );
}

/// The twin: a method that overrides nothing is reached by its callers only.
#[test]
fn a_plain_method_of_a_packaged_framework_class_reaches_its_callers_only() {
    let repo = with_packaged_domain();
    repo.edit(
        &class("InvoicesDomain"),
        "return Records.size();",
        "return Records.size() + 0;",
    );
    repo.commit("Archive count");

    let plan = repo.plan_committed();

    assert_includes(&plan, &["InvoiceArchiveTest"]);
    assert_excludes(&plan, &["InvoiceAgeTest"]);
}

/// A handler of a trigger framework the org installs as a package, triggers and all
/// (NAV's `MyTriggers`): a custom metadata record registers the class for an object, and
/// the framework's trigger on that object calls the class's hooks, which the repository
/// cannot show. A change to the after-delete hook reaches the test that deletes an
/// invoice, through the invoices it deletes; the hook runs on delete only, so the test
/// that only upserts invoices is not selected.
#[test]
fn a_hook_a_record_registers_for_an_object_runs_on_its_writes_under_a_packaged_framework() {
    let repo = with_packaged_ledger_handler();
    repo.edit(
        &class("InvoiceLedgerHandler"),
        "'reversed'",
        "'reversed: ' + Trigger.old.size()",
    );
    repo.commit("Log how many invoices were reversed");

    let plan = repo.plan_committed();

    assert_path(
        &plan,
        "InvoicePurgeTest",
        "ApexMethod:InvoiceLedgerHandler.onAfterDelete",
    );
    let path = reason_path(&plan, "InvoicePurgeTest");
    assert!(
        path.iter().any(|node| node == "CustomObject:Invoice__c"),
        "InvoicePurgeTest should be reached through the invoices it deletes: {path:?}"
    );
    assert_excludes(&plan, &["InvoiceImportTest"]);
}

/// The record that registers the hooks changes (another event, or it is switched off):
/// the framework now runs other hooks, or none, for the invoices the tests save, so the
/// tests that save invoices run, through the hooks the record registers. Before, a
/// packaged framework's record reached no test (NAV's 92 `MyTriggerSetting` records).
#[test]
fn a_record_that_registers_hooks_under_a_packaged_framework_reaches_their_objects_writers() {
    let repo = with_packaged_ledger_handler();
    repo.edit(
        "force-app/main/default/customMetadata/MyTriggerSetting.Invoice_onAfterDelete.md-meta.xml",
        "AFTER_DELETE",
        "AFTER_UNDELETE",
    );
    repo.commit("Reverse on undelete");

    let plan = repo.plan_committed();

    // From the hooks the record registers (the walk's seeds beside the record).
    assert_path(&plan, "InvoicePurgeTest", "ApexClass:InvoiceLedgerHandler");
    let path = reason_path(&plan, "InvoicePurgeTest");
    assert!(
        path.iter().any(|node| node == "CustomObject:Invoice__c"),
        "InvoicePurgeTest should be reached through the invoices it saves: {path:?}"
    );
}

/// `InvoiceLedgerHandler` on the packaged `MyTriggers`, its after-insert and after-delete
/// hooks registered for invoices by a custom metadata record; the tests that delete and
/// upsert invoices.
fn with_packaged_ledger_handler() -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "InvoiceLedgerHandler",
            "public with sharing class InvoiceLedgerHandler extends MyTriggers {\n    \
                 public override void onAfterInsert() {\n        System.debug('posted');\n    }\n\n    \
                 public override void onAfterDelete() {\n        System.debug('reversed');\n    }\n}\n",
        );
        write_metadata_record(
            repo,
            "MyTriggerSetting.Invoice_onAfterDelete",
            &[
                ("Class__c", "InvoiceLedgerHandler"),
                ("Event__c", "AFTER_DELETE"),
                ("sObject__c", "Invoice__c"),
            ],
        );
        repo.write_invoice_event_tests();
    })
}

/// Writes the custom metadata record `Type.Record` with these string values.
fn write_metadata_record(repo: &TestRepo, name: &str, values: &[(&str, &str)]) {
    let values: String = values
        .iter()
        .map(|(field, value)| {
            format!(
                "    <values>\n        <field>{field}</field>\n        \
                 <value xsi:type=\"xsd:string\">{value}</value>\n    </values>\n"
            )
        })
        .collect();
    let label = name.split_once('.').map_or(name, |(_, record)| record);
    repo.write(
        &format!("force-app/main/default/customMetadata/{name}.md-meta.xml"),
        &format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <CustomMetadata xmlns=\"http://soap.sforce.com/2006/04/metadata\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n    \
             <label>{label}</label>\n    <protected>false</protected>\n{values}</CustomMetadata>\n"
        ),
    );
}

/// The Trigger Actions Framework installed as a package: the trigger on the object
/// calls the packaged `MetadataTriggerHandler`, an action implements the packaged
/// `TriggerAction` interfaces, and a `Trigger_Action__mdt` record registers it through
/// the `sObject_Trigger_Setting__mdt` record of the object (`Invoice`, whose
/// `Object_API_Name__c` is `Invoice__c`; the action's code names no object). A change to
/// a helper of the after-delete action reaches the test that deletes an invoice, through
/// the invoice; the action runs on delete only, and the helper is no hook, so the test
/// that only upserts invoices is not selected.
#[test]
fn an_action_a_record_registers_under_a_packaged_trigger_actions_framework_runs_on_its_objects_writes(
) {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_trigger(
            "InvoiceActions",
            "trigger InvoiceActions on Invoice__c (before insert, after delete) {\n    \
                 new MetadataTriggerHandler().run();\n}\n",
        );
        repo.write_class(
            "TA_Invoice_Reverse",
            "public with sharing class TA_Invoice_Reverse implements TriggerAction.AfterDelete {\n    \
                 public void afterDelete(List<SObject> oldList) {\n        \
                     System.debug(describe(oldList));\n    }\n\n    \
                 private String describe(List<SObject> invoices) {\n        \
                     return 'reversed';\n    }\n}\n",
        );
        write_metadata_record(
            repo,
            "Trigger_Action.Invoice_Reverse",
            &[
                ("Apex_Class_Name__c", "TA_Invoice_Reverse"),
                ("After_Delete__c", "Invoice"),
            ],
        );
        write_metadata_record(
            repo,
            "sObject_Trigger_Setting.Invoice",
            &[("Object_API_Name__c", "Invoice__c")],
        );
        repo.write_invoice_event_tests();
    });
    repo.edit(
        &class("TA_Invoice_Reverse"),
        "return 'reversed';",
        "return 'reversed: ' + invoices.size();",
    );
    repo.commit("Say how many invoices were reversed");

    let plan = repo.plan_committed();

    assert_path(&plan, "InvoicePurgeTest", "ApexClass:TA_Invoice_Reverse");
    let path = reason_path(&plan, "InvoicePurgeTest");
    for step in [
        "ApexMethod:TA_Invoice_Reverse.afterDelete",
        "CustomObject:Invoice__c",
    ] {
        assert!(
            path.iter().any(|node| node == step),
            "InvoicePurgeTest should be reached through {step}: {path:?}"
        );
    }
    assert_excludes(&plan, &["InvoiceImportTest"]);
}

/// The twin: an action no record of the repository registers (its records may be
/// deployed from elsewhere) runs on the objects it names itself, on the events its
/// hook's name tells: a change to a before-insert action reaches both tests, which
/// insert invoices (an upsert may insert).
#[test]
fn an_action_no_record_registers_runs_on_the_objects_it_names() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "TA_Invoice_Stamp",
            "public with sharing class TA_Invoice_Stamp implements TriggerAction.BeforeInsert {\n    \
                 public void beforeInsert(List<Invoice__c> newList) {\n        \
                     for (Invoice__c invoice : newList) {\n            \
                         invoice.Description__c = 'stamped';\n        }\n    }\n}\n",
        );
        repo.write_invoice_event_tests();
    });
    repo.edit(&class("TA_Invoice_Stamp"), "'stamped'", "'stamped twice'");
    repo.commit("Stamp twice");

    let plan = repo.plan_committed();

    assert_includes(&plan, &["InvoicePurgeTest", "InvoiceImportTest"]);
    assert_path(
        &plan,
        "InvoiceImportTest",
        "ApexMethod:TA_Invoice_Stamp.beforeInsert",
    );
}

/// The Trigger Actions Framework, installed as a package, runs an autolaunched flow as an
/// action: a `Trigger_Action__mdt` record names `TriggerActionFlow`, the flow and the
/// object's `sObject_Trigger_Setting__mdt` record. The billing org's `Calculate_Tax` flow
/// calls the `TaxCalculator` action; registered for invoices, a change to the action
/// reaches the tests that save invoices, through the flow.
#[test]
fn a_flow_a_record_registers_as_an_action_runs_on_its_objects_writes() {
    let repo = TestRepo::with_base("billing", |repo| {
        write_metadata_record(
            repo,
            "Trigger_Action.Invoice_Tax_Flow",
            &[
                ("Apex_Class_Name__c", "TriggerActionFlow"),
                ("Flow_Name__c", "Calculate_Tax"),
                ("After_Insert__c", "Invoice"),
            ],
        );
        write_metadata_record(
            repo,
            "sObject_Trigger_Setting.Invoice",
            &[("Object_API_Name__c", "Invoice__c")],
        );
        repo.write_invoice_event_tests();
    });
    repo.edit(&class("TaxCalculator"), "setScale(2,", "setScale(3,");
    repo.commit("Tax to three decimals");

    let plan = repo.plan_committed();

    assert_path(&plan, "InvoicePurgeTest", "ApexClass:TaxCalculator");
    let path = reason_path(&plan, "InvoicePurgeTest");
    for step in ["Flow:Calculate_Tax", "CustomObject:Invoice__c"] {
        assert!(
            path.iter().any(|node| node == step),
            "InvoicePurgeTest should be reached through {step}: {path:?}"
        );
    }
    assert_includes(&plan, &["InvoiceImportTest", "TaxFlowTest"]);
}

/// A class the platform runs (a queueable: its `execute` is an entry point) implements an
/// interface the repository does not declare, and a record built in code names it (an
/// error log's `Apex_Class__c`): it is no packaged framework's hook, so a change to it
/// does not run on the writes of the objects it names (STASCO: 74 of 110 tests came
/// through a batch an error log named). The code that enqueues it still reaches it.
#[test]
fn a_queueable_a_record_names_is_no_framework_hook() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "InvoiceBackfill",
            "public with sharing class InvoiceBackfill implements Queueable {\n    \
                 public void execute(QueueableContext context) {\n        \
                     List<Invoice__c> invoices = [SELECT Id FROM Invoice__c];\n        \
                     System.debug(describe(invoices));\n    }\n\n    \
                 private String describe(List<Invoice__c> invoices) {\n        \
                     return 'backfilled';\n    }\n}\n",
        );
        repo.write_class(
            "ArchiveFailures",
            "public with sharing class ArchiveFailures {\n    \
                 public static void log(String message) {\n        \
                     insert new Error_Log__c(Apex_Class__c = 'InvoiceBackfill', Message__c = 'Backfill failed', Detail__c = message);\n    }\n}\n",
        );
        repo.write_class(
            "InvoiceBackfillTest",
            "@IsTest\nprivate class InvoiceBackfillTest {\n    @IsTest\n    static void backfills() {\n        \
                 Test.startTest();\n        System.enqueueJob(new InvoiceBackfill());\n        Test.stopTest();\n    }\n}\n",
        );
        repo.write_invoice_event_tests();
    });
    repo.edit(
        &class("InvoiceBackfill"),
        "return 'backfilled';",
        "return 'backfilled: ' + invoices.size();",
    );
    repo.commit("Say how many invoices were backfilled");

    let plan = repo.plan_committed();

    assert_includes(&plan, &["InvoiceBackfillTest"]);
    assert_excludes(&plan, &["InvoicePurgeTest", "InvoiceImportTest"]);
}
