//! Issue 3's edge kinds, one test each, on `fixtures/automation`: a realistic change, the
//! exact tests selected (Apex, Flow and Jest), and the path in `reasons[0]`.
//!
//! The fixture is an order desk: `Order__c` is saved through `OrderTrigger`, which runs the
//! handler classes that `Order_Handler__mdt` records name (`Type.forName`), through the
//! record-triggered flow `Order_After_Save` (an Apex action, a subflow, a `$Label`; Flow
//! test `Approves_Small_Orders`) and through two workflow rules. Around it: a Process
//! Builder process on `Shipment__c`, a hierarchy custom setting, labels, static resources,
//! a permission set, a custom permission, record types, three LWC bundles with Jest
//! tests, an Aura component, two Visualforce pages and an `impact.toml` that always runs
//! `OrderSmokeTest`. `fixtures/automation/README.md` says more.
//!
//! Expected sets follow DESIGN.md: automation of an object (trigger, record-triggered
//! flow, Process Builder, workflow rule, defaulted field) reaches only tests that *write*
//! the object, directly or through helpers; a changed method reaches its callers, and
//! its class's opaque users (flow actions, string references); Jest tests mock every
//! `@salesforce/*` import. A test counts as writing `Order__c` when it runs DML on it,
//! directly or through `OrderTestFactory.createOrders`, or loads it with `Test.loadData`
//! (which inserts the rows, so triggers, flows and workflow rules run).

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeSet;

const ORG: &str = "automation";
const MAIN: &str = "force-app/main/default";

/// `impact.toml` lists it in `always_run`: it is in every selection.
const ALWAYS: &str = "OrderSmokeTest";

/// The Flow test of `Order_After_Save`.
const FLOW_TEST: &str = "Approves_Small_Orders";
const FLOW_TEST_RUN_NAME: &str = "FlowTesting.Order_After_Save.Approves_Small_Orders";

/// Every test that saves an `Order__c`, so every piece of `Order__c` automation runs for
/// it. `OrderTestFactory` is an `@IsTest` helper without test methods: it is never a
/// selected test. `OrderSelectorTest`, `ShipmentTrackingTest`, `OrderLineValidatorTest`,
/// `OrderDiscountHandlerTest` and `OrderPricingTest` use orders without saving one.
const ORDER_WRITERS: &[&str] = &[
    ALWAYS,
    "OrderApprovalActionTest",
    "OrderHandlerDispatcherTest",
    // `Test.loadData(Order__c.SObjectType, 'OrderSeed')` inserts four orders.
    "OrderImportTest",
    "OrderServiceTest",
    "OrderSummaryControllerTest",
    "ShipmentServiceTest",
];

fn main_path(relative: &str) -> String {
    format!("{MAIN}/{relative}")
}

fn jest(bundle: &str) -> String {
    main_path(&format!("lwc/{bundle}/__tests__/{bundle}.test.js"))
}

fn flow_file(name: &str) -> String {
    main_path(&format!("flows/{name}.flow-meta.xml"))
}

/// `list` plus [`ALWAYS`].
fn with_always<'a>(list: &[&'a str]) -> Vec<&'a str> {
    let mut all = list.to_vec();
    all.push(ALWAYS);
    all.sort_unstable();
    all.dedup();
    all
}

/// The union of several lists of test names.
fn union<'a>(lists: &[&[&'a str]]) -> Vec<&'a str> {
    let set: BTreeSet<&str> = lists.iter().flat_map(|l| l.iter().copied()).collect();
    set.into_iter().collect()
}

fn no_flow_tests(plan: &Value) {
    assert_eq!(
        tests_of_kind(plan, "flow"),
        Vec::<String>::new(),
        "flow tests"
    );
}

fn no_jest_tests(plan: &Value) {
    assert_eq!(
        tests_of_kind(plan, "lwc"),
        Vec::<String>::new(),
        "Jest tests"
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

/// The edge kinds of `reasons[0]` of a selected test.
fn edge_kinds(plan: &Value, test: &str) -> Vec<String> {
    let entry = test_entry(plan, test);
    entry["reasons"][0]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{test} has no reasons[0].edges: {entry}"))
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// Asserts that `reasons[0].path` of `test` starts at `from` (or one of its members),
/// ends at the node `to` (`ApexClass:X`, `FlowTest:Y`, `LwcJestTest:<path>`), and that its
/// edges include every kind in `kinds`.
#[track_caller]
fn assert_reason(plan: &Value, test: &str, from: &str, to: &str, kinds: &[&str]) {
    let path = reason_path(plan, test);
    let first = path.first().map(String::as_str).unwrap_or("");
    let last = path.last().map(String::as_str).unwrap_or("");
    assert!(
        is_within(first, from),
        "{test}: path should start at {from}, got {path:?}"
    );
    assert!(
        last.eq_ignore_ascii_case(to),
        "{test}: path should end at {to}, got {path:?}"
    );
    let found = edge_kinds(plan, test);
    for kind in kinds {
        assert!(
            found.iter().any(|k| k == kind),
            "{test}: expected a `{kind}` edge on {path:?}, got {found:?}"
        );
    }
}

/// Asserts the Flow test of `Order_After_Save` is selected with its flow and run name.
#[track_caller]
fn assert_flow_test_selected(plan: &Value) {
    assert_eq!(
        tests_of_kind(plan, "flow"),
        vec![FLOW_TEST.to_string()],
        "flow tests"
    );
    let entry = test_entry(plan, FLOW_TEST);
    assert_eq!(entry["kind"], "flow", "{entry}");
    assert_eq!(entry["flow"], "Order_After_Save", "{entry}");
    assert_eq!(entry["run_name"], FLOW_TEST_RUN_NAME, "{entry}");
}

/// What `impact why TEST` prints for the committed change.
fn why(repo: &TestRepo, test: &str) -> String {
    let base = repo.base().to_string();
    repo.run(&["why", test, "--base", &base, "--head", "HEAD"])
        .ok()
        .to_string()
}

/// The plan from `base` to a commit made of the edits `change` describes.
fn committed(change: impl FnOnce(&TestRepo)) -> (TestRepo, Value) {
    let repo = TestRepo::new(ORG);
    change(&repo);
    repo.commit("change");
    let plan = repo.plan_committed();
    (repo, plan)
}

// ---------------------------------------------------------------------------------------
// The trigger: what counts as writing an object
// ---------------------------------------------------------------------------------------

/// A change to the `Order__c` trigger.
fn change_trigger(repo: &TestRepo) {
    repo.edit(
        &main_path("triggers/OrderTrigger.trigger"),
        "after update)",
        "after update, after undelete)",
    );
}

#[test]
fn trigger_change_reaches_the_writers_of_its_object_only() {
    let (_repo, plan) = committed(change_trigger);

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ApexTrigger", "OrderTrigger")]
    );
    assert_selected(&plan, ORDER_WRITERS);
    no_flow_tests(&plan);
    no_jest_tests(&plan);
    assert_reason(
        &plan,
        "ShipmentServiceTest",
        "ApexTrigger:OrderTrigger",
        "ApexClass:ShipmentServiceTest",
        &["fires", "writes"],
    );
}

#[test]
fn test_load_data_writes_the_object_it_loads() {
    let (_repo, plan) = committed(change_trigger);

    // `Test.loadData(Order__c.SObjectType, 'OrderSeed')` inserts the resource's rows: the
    // trigger runs for each of them.
    let selected = selected_tests(&plan);
    assert!(
        selected.iter().any(|t| t == "OrderImportTest"),
        "OrderImportTest loads orders with Test.loadData; selected: {selected:?}"
    );
    assert_reason(
        &plan,
        "OrderImportTest",
        "ApexTrigger:OrderTrigger",
        "ApexClass:OrderImportTest",
        &["fires", "writes"],
    );
}

#[test]
fn test_helper_class_without_test_methods_is_never_a_selected_test() {
    let (_repo, plan) = committed(change_trigger);

    // OrderTestFactory is `@IsTest` so that it does not count against the org's code
    // size, but it has no test method: `--tests OrderTestFactory` runs nothing. Its
    // callers are selected through it.
    let selected = selected_tests(&plan);
    assert!(
        !selected.iter().any(|t| t == "OrderTestFactory"),
        "OrderTestFactory is a helper, not a test; selected: {selected:?}"
    );
    assert!(
        selected.iter().any(|t| t == "OrderServiceTest"),
        "the factory's callers are selected: {selected:?}"
    );
    assert!(
        plan["stats"]["tests_total"].as_u64() == Some(21),
        "17 Apex test classes, 1 Flow test and 3 Jest tests: {}",
        plan["stats"]
    );
}

// ---------------------------------------------------------------------------------------
// Flows and Flow tests
// ---------------------------------------------------------------------------------------

#[test]
fn record_triggered_flow_change_reaches_the_writers_of_its_object_and_its_flow_test() {
    let (_repo, plan) = committed(|repo| {
        // Run on approved orders too, not only on submitted ones.
        repo.edit(
            &flow_file("Order_After_Save"),
            "<filterLogic>and</filterLogic>",
            "<filterLogic>or</filterLogic>",
        );
    });

    assert_specified(&plan);
    assert_eq!(changes(&plan), vec![modified("Flow", "Order_After_Save")]);
    // Readers of orders (OrderSelectorTest, ShipmentTrackingTest) never save one, so the
    // flow never runs for them.
    assert_selected(&plan, ORDER_WRITERS);
    assert_flow_test_selected(&plan);
    no_jest_tests(&plan);
    assert_reason(
        &plan,
        "OrderServiceTest",
        "Flow:Order_After_Save",
        "ApexClass:OrderServiceTest",
        &["fires", "writes"],
    );
    assert_reason(
        &plan,
        FLOW_TEST,
        "Flow:Order_After_Save",
        &format!("FlowTest:{FLOW_TEST}"),
        &["tests"],
    );
}

#[test]
fn invocable_action_method_change_reaches_the_flow_test_and_the_writers_through_the_flow() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &class("OrderApprovalAction"),
            "orderRecord.Amount__c <= limitAmount",
            "orderRecord.Amount__c < limitAmount",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ApexClass", "OrderApprovalAction")]
    );
    // OrderApprovalActionTest calls `check` itself; every other writer saves an order,
    // which runs Order_After_Save, which runs the action.
    assert_selected(&plan, ORDER_WRITERS);
    assert_flow_test_selected(&plan);
    no_jest_tests(&plan);
    assert_eq!(uncovered(&plan), Vec::<String>::new(), "uncovered");
    assert_reason(
        &plan,
        FLOW_TEST,
        "ApexClass:OrderApprovalAction",
        &format!("FlowTest:{FLOW_TEST}"),
        &["flow-action", "tests"],
    );
    assert_reason(
        &plan,
        "OrderServiceTest",
        "ApexClass:OrderApprovalAction",
        "ApexClass:OrderServiceTest",
        &["flow-action", "fires", "writes"],
    );
    assert_reason(
        &plan,
        "OrderApprovalActionTest",
        "ApexClass:OrderApprovalAction",
        "ApexClass:OrderApprovalActionTest",
        &["calls"],
    );
}

/// A flow's Apex action names its class and runs the class's `@InvocableMethod`: a
/// change to another method of the class reaches the flow only when the invocable
/// method calls it. (northstar-sales-cloud-example: a guard in a method only a
/// component and its own test call reached every test that saves an opportunity, 25
/// tests where 1 runs the change.)
#[test]
fn a_flow_s_apex_action_runs_the_invocable_method_not_every_method_of_its_class() {
    let action = class("OrderApprovalAction");
    let repo = TestRepo::with_base(ORG, |repo| {
        repo.edit(
            &action,
            "        return results;\n    }\n}",
            "        return results;\n    }\n\n    public static String describe(Order__c orderRecord) {\n        return 'Order of ' + orderRecord.Amount__c;\n    }\n}",
        );
        repo.write_class(
            "OrderDescriptionTest",
            "@IsTest\nprivate class OrderDescriptionTest {\n    @IsTest\n    static void describesTheAmount() {\n        System.assertEquals('Order of 5', OrderApprovalAction.describe(new Order__c(Amount__c = 5)));\n    }\n}\n",
        );
    });
    repo.edit(&action, "'Order of '", "'An order of '");
    repo.commit("Describe an order in a sentence");

    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);

    // The class's own test runs too, by its name, whatever it calls.
    assert_specified(&plan);
    assert_selected(
        &plan,
        &with_always(&["OrderApprovalActionTest", "OrderDescriptionTest"]),
    );
    no_flow_tests(&plan);

    repo.edit(
        &action,
        "orderRecord.Amount__c <= limitAmount",
        "orderRecord.Amount__c < limitAmount",
    );
    repo.commit("Orders at the limit need a person");

    let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);

    assert_selected(&plan, ORDER_WRITERS);
    assert_flow_test_selected(&plan);
}

#[test]
fn subflow_change_reaches_the_flow_test_of_the_calling_flow_and_its_writers() {
    let (repo, plan) = committed(|repo| {
        repo.edit(
            &flow_file("Order_Notify_Customer"),
            "<stringValue>Normal</stringValue>",
            "<stringValue>High</stringValue>",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("Flow", "Order_Notify_Customer")]
    );
    assert_selected(&plan, ORDER_WRITERS);
    assert_flow_test_selected(&plan);
    assert_eq!(
        reason_path(&plan, FLOW_TEST),
        vec![
            "Flow:Order_Notify_Customer".to_string(),
            "Flow:Order_After_Save".to_string(),
            format!("FlowTest:{FLOW_TEST}"),
        ]
    );
    assert_eq!(edge_kinds(&plan, FLOW_TEST), vec!["flow-action", "tests"]);
    // `impact why` takes the Flow test's name and shows the same path.
    let why = why(&repo, FLOW_TEST);
    for node in [
        "Flow:Order_Notify_Customer",
        "Flow:Order_After_Save",
        "flow-action",
    ] {
        assert!(why.contains(node), "why {FLOW_TEST} lacks {node}:\n{why}");
    }
    assert_reason(
        &plan,
        "ShipmentServiceTest",
        "Flow:Order_Notify_Customer",
        "ApexClass:ShipmentServiceTest",
        &["flow-action", "fires", "writes"],
    );
}

/// Apex runs an autolaunched flow through its interview type (`new
/// Flow.Interview.Order_Notify_Customer(inputs).start()`): a change to the flow reaches
/// the tests of that code, as it reaches the flows that call it as a subflow (and the
/// code that starts it by name, `Flow.Interview.createInterview`).
#[test]
fn a_flow_apex_runs_through_its_interview_type_reaches_the_tests_of_that_code() {
    let repo = TestRepo::new(ORG);
    repo.write_class("OrderReminder", "public with sharing class OrderReminder {\n    public static void remind(Id orderId) {\n        Flow.Interview.Order_Notify_Customer notify =\n            new Flow.Interview.Order_Notify_Customer(new Map<String, Object>{ 'recordId' => orderId });\n        notify.start();\n    }\n}\n");
    repo.write_class("OrderReminderFlowTest", "@IsTest\nprivate class OrderReminderFlowTest {\n    @IsTest\n    static void remindsTheOwner() {\n        OrderReminder.remind(null);\n    }\n}\n");
    // The same flow started by name, which the README promises too.
    repo.write_class("OrderNudge", "public with sharing class OrderNudge {\n    public static void nudge() {\n        Flow.Interview.createInterview('Order_Notify_Customer', new Map<String, Object>()).start();\n    }\n}\n");
    repo.write_class("OrderNudgeFlowTest", "@IsTest\nprivate class OrderNudgeFlowTest {\n    @IsTest\n    static void nudges() {\n        OrderNudge.nudge();\n    }\n}\n");
    let base = repo.commit("A reminder that runs the flow");
    repo.edit(
        &flow_file("Order_Notify_Customer"),
        "<stringValue>Normal</stringValue>",
        "<stringValue>High</stringValue>",
    );
    repo.commit("A higher priority");

    let plan = repo.plan_json(&["--base", &base, "--head", "HEAD"]);
    assert_reason(
        &plan,
        "OrderReminderFlowTest",
        "Flow:Order_Notify_Customer",
        "ApexClass:OrderReminderFlowTest",
        &["references", "calls", "member-of"],
    );
    assert_reason(
        &plan,
        "OrderNudgeFlowTest",
        "Flow:Order_Notify_Customer",
        "ApexClass:OrderNudgeFlowTest",
        &["string-ref", "calls"],
    );
}

/// Code that takes a field set by name (`fieldSets.getMap().get('Order_Columns')`) lists
/// its fields as the field set says: adding a field to it reaches that code's tests.
#[test]
fn a_field_set_named_in_a_string_reaches_the_tests_of_the_code_that_lists_it() {
    let repo = TestRepo::new(ORG);
    let field_set = main_path("objects/Order__c/fieldSets/Order_Columns.fieldSet-meta.xml");
    repo.write(
        &field_set,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FieldSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Order_Columns</fullName>\n    <displayedFields>\n        <field>Name</field>\n        <isFieldManaged>false</isFieldManaged>\n        <isRequired>false</isRequired>\n    </displayedFields>\n    <label>Order Columns</label>\n</FieldSet>\n",
    );
    repo.write_class("OrderColumns", "public with sharing class OrderColumns {\n    public static Integer count() {\n        Map<String, Schema.FieldSet> sets = Schema.SObjectType.Order__c.fieldSets.getMap();\n        return sets.get('Order_Columns').getFields().size();\n    }\n}\n");
    repo.write_class("ColumnsCountCheck", "@IsTest\nprivate class ColumnsCountCheck {\n    @IsTest\n    static void oneColumn() {\n        System.assertEquals(1, OrderColumns.count());\n    }\n}\n");
    let base = repo.commit("Columns from a field set");
    repo.edit(&field_set, "</displayedFields>", "</displayedFields>\n    <displayedFields>\n        <field>Status__c</field>\n        <isFieldManaged>false</isFieldManaged>\n        <isRequired>false</isRequired>\n    </displayedFields>");
    repo.commit("A second column");

    let plan = repo.plan_json(&["--base", &base, "--head", "HEAD"]);
    assert_eq!(
        changes(&plan),
        vec![modified("FieldSet", "Order__c.Order_Columns")]
    );
    assert_reason(
        &plan,
        "ColumnsCountCheck",
        "FieldSet:Order__c.Order_Columns",
        "ApexClass:ColumnsCountCheck",
        &["string-ref", "calls"],
    );
}

/// A hierarchy custom setting with no stored record gives its fields' default values:
/// `Gate_Settings__c.getOrgDefaults().Enabled__c` reads the default, so changing it
/// reaches the tests of the code that reads it through the setting's own method.
#[test]
fn a_custom_setting_default_reaches_the_code_that_reads_it_through_get_org_defaults() {
    let repo = TestRepo::new(ORG);
    repo.write(
        &main_path("objects/Gate_Settings__c/Gate_Settings__c.object-meta.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <customSettingsType>Hierarchy</customSettingsType>\n    <label>Gate Settings</label>\n    <visibility>Public</visibility>\n</CustomObject>\n",
    );
    let field = main_path("objects/Gate_Settings__c/fields/Enabled__c.field-meta.xml");
    repo.write(
        &field,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Enabled__c</fullName>\n    <defaultValue>false</defaultValue>\n    <label>Enabled</label>\n    <type>Checkbox</type>\n</CustomField>\n",
    );
    repo.write_class("OrderGate", "public with sharing class OrderGate {\n    public static Boolean isOpen() {\n        return Gate_Settings__c.getOrgDefaults().Enabled__c;\n    }\n}\n");
    repo.write_class("GateDefaultsCheck", "@IsTest\nprivate class GateDefaultsCheck {\n    @IsTest\n    static void closedByDefault() {\n        System.assert(!OrderGate.isOpen());\n    }\n}\n");
    let base = repo.commit("A gate read from its setting's defaults");
    repo.edit(
        &field,
        "<defaultValue>false</defaultValue>",
        "<defaultValue>true</defaultValue>",
    );
    repo.commit("Open by default");

    let plan = repo.plan_json(&["--base", &base, "--head", "HEAD"]);
    assert_reason(
        &plan,
        "GateDefaultsCheck",
        "CustomField:Gate_Settings__c.Enabled__c",
        "ApexClass:GateDefaultsCheck",
        &["reads", "calls"],
    );
}

#[test]
fn process_builder_change_reaches_only_the_writers_of_its_object() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &flow_file("Shipment_Delivered_Process"),
            "<stringValue>onAllChanges</stringValue>",
            "<stringValue>onCreateOnly</stringValue>",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("Flow", "Shipment_Delivered_Process")]
    );
    // ShipmentTrackingTest only queries shipments.
    assert_selected(&plan, &with_always(&["ShipmentServiceTest"]));
    no_flow_tests(&plan);
    no_jest_tests(&plan);
    assert_reason(
        &plan,
        "ShipmentServiceTest",
        "Flow:Shipment_Delivered_Process",
        "ApexClass:ShipmentServiceTest",
        &["fires", "writes"],
    );
}

#[test]
fn flow_test_change_selects_that_flow_test_only() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path("flowtests/Approves_Small_Orders.flowtest-meta.xml"),
            "&quot;Amount__c&quot;:250",
            "&quot;Amount__c&quot;:999",
        );
    });

    assert_specified(&plan);
    assert_eq!(changes(&plan), vec![modified("FlowTest", FLOW_TEST)]);
    assert_selected(&plan, &[ALWAYS]);
    assert_flow_test_selected(&plan);
    no_jest_tests(&plan);
}

// ---------------------------------------------------------------------------------------
// Custom metadata, custom settings
// ---------------------------------------------------------------------------------------

#[test]
fn custom_metadata_record_change_reaches_the_tests_that_read_its_type() {
    let (_repo, plan) = committed(|repo| {
        // Apply the discount before validating the lines.
        repo.edit(
            &main_path("customMetadata/Order_Handler.Apply_Discount.md-meta.xml"),
            ">20.0<",
            ">5.0<",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("CustomMetadata", "Order_Handler.Apply_Discount")]
    );
    // The dispatcher reads Order_Handler__mdt on every Order__c save; the admin
    // controller lists the records with `getAll()`. The handlers' own tests call them
    // directly and never read the type.
    assert_selected(
        &plan,
        &union(&[ORDER_WRITERS, &["OrderHandlerAdminControllerTest"]]),
    );
    no_flow_tests(&plan);
    assert_reason(
        &plan,
        "OrderServiceTest",
        "CustomMetadata:Order_Handler.Apply_Discount",
        "ApexClass:OrderServiceTest",
        &["record-of", "fires", "writes"],
    );
    assert_reason(
        &plan,
        "OrderHandlerAdminControllerTest",
        "CustomMetadata:Order_Handler.Apply_Discount",
        "ApexClass:OrderHandlerAdminControllerTest",
        &["record-of"],
    );
}

#[test]
fn custom_metadata_record_change_does_not_reach_code_that_only_builds_records_in_memory() {
    let repo = TestRepo::with_base(ORG, |repo| {
        repo.write(
            &main_path("classes/OrderHandlerMockTest.cls"),
            "@IsTest\nprivate class OrderHandlerMockTest {\n    \
                 @IsTest\n    static void buildsAHandlerRecord() {\n        \
                     Order_Handler__mdt handler = new Order_Handler__mdt(DeveloperName = 'Mock', Sequence__c = 1);\n        \
                     Assert.areEqual(1, handler.Sequence__c);\n    \
                 }\n}\n",
        )
        .write(
            &main_path("classes/OrderHandlerMockTest.cls-meta.xml"),
            &repo.read(&main_path("classes/OrderServiceTest.cls-meta.xml")),
        );
    });
    repo.edit(
        &main_path("customMetadata/Order_Handler.Apply_Discount.md-meta.xml"),
        ">20.0<",
        ">5.0<",
    );
    repo.commit("Apply the discount first");

    let plan = repo.plan_committed();

    // The records are read by SOQL and `getAll()`; a test that names the type and builds
    // a record in memory reads none of them.
    assert_selected(
        &plan,
        &union(&[ORDER_WRITERS, &["OrderHandlerAdminControllerTest"]]),
    );
}

#[test]
fn handler_class_named_by_a_custom_metadata_record_is_reached_through_the_string_reference() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &class("OrderDiscountHandler"),
            "orderRecord.Line_Count__c >= 10",
            "orderRecord.Line_Count__c >= 20",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ApexClass", "OrderDiscountHandler")]
    );
    // The handler runs as `Callable` (a system interface): no Apex call names it, only
    // the record Order_Handler.Apply_Discount does. Every reader of the record's type
    // is reached, the admin controller's test included: the walk cannot tell which
    // reader passes the value to `Type.forName` (conservative).
    assert_selected(
        &plan,
        &union(&[
            ORDER_WRITERS,
            &[
                "OrderDiscountHandlerTest",
                "OrderHandlerAdminControllerTest",
            ],
        ]),
    );
    no_flow_tests(&plan);
    assert_eq!(uncovered(&plan), Vec::<String>::new(), "uncovered");
    assert_reason(
        &plan,
        "OrderServiceTest",
        "ApexClass:OrderDiscountHandler",
        "ApexClass:OrderServiceTest",
        &["string-ref", "record-of", "fires", "writes"],
    );
    assert!(
        reason_path(&plan, "OrderServiceTest")
            .iter()
            .any(|node| node == "CustomMetadata:Order_Handler.Apply_Discount"),
        "the path goes through the record: {:?}",
        reason_path(&plan, "OrderServiceTest")
    );
    assert_reason(
        &plan,
        "OrderDiscountHandlerTest",
        "ApexClass:OrderDiscountHandler",
        "ApexClass:OrderDiscountHandlerTest",
        &["calls"],
    );
}

#[test]
fn custom_setting_field_change_reaches_the_code_that_reads_the_field() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path("objects/Order_Settings__c/fields/Max_Lines__c.field-meta.xml"),
            "<defaultValue>50</defaultValue>",
            "<defaultValue>25</defaultValue>",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("CustomField", "Order_Settings__c.Max_Lines__c")]
    );
    // OrderLimits.maxLines reads the field; OrderService.addLines calls it. The approval
    // action reads the other field of the setting: not selected.
    assert_selected(
        &plan,
        &with_always(&["OrderLimitsTest", "OrderServiceTest"]),
    );
    no_flow_tests(&plan);
    assert_reason(
        &plan,
        "OrderServiceTest",
        "CustomField:Order_Settings__c.Max_Lines__c",
        "ApexClass:OrderServiceTest",
        &["reads"],
    );
    // OrderLimitsTest sets the field in the setting record it inserts: its shortest path
    // is that write.
    assert_reason(
        &plan,
        "OrderLimitsTest",
        "CustomField:Order_Settings__c.Max_Lines__c",
        "ApexClass:OrderLimitsTest",
        &["writes"],
    );
}

// ---------------------------------------------------------------------------------------
// Labels, static resources, permissions, record types
// ---------------------------------------------------------------------------------------

const LABELS: &str = "labels/CustomLabels.labels-meta.xml";

#[test]
fn one_label_change_selects_the_users_of_that_label_only() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path(LABELS),
            "<value>Order</value>",
            "<value>Order summary</value>",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("CustomLabel", "Order_Summary_Title")]
    );
    // Apex users of Order_Summary_Title only: not OrderLineValidatorTest or
    // OrderHandlerDispatcherTest (Order_No_Lines), nor the Flow test (Order_Approved_Message).
    assert_selected(&plan, &with_always(&["OrderSummaryControllerTest"]));
    no_flow_tests(&plan);
    // orderSummary imports the label, but Jest mocks `@salesforce/label/*`.
    no_jest_tests(&plan);
    assert_reason(
        &plan,
        "OrderSummaryControllerTest",
        "CustomLabel:Order_Summary_Title",
        "ApexClass:OrderSummaryControllerTest",
        &[],
    );
}

#[test]
fn label_used_by_a_record_triggered_flow_reaches_its_flow_test() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path(LABELS),
            "<value>Your order has been approved:</value>",
            "<value>Good news! Your order is approved:</value>",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("CustomLabel", "Order_Approved_Message")]
    );
    assert_flow_test_selected(&plan);
    assert_eq!(
        reason_path(&plan, FLOW_TEST),
        vec![
            "CustomLabel:Order_Approved_Message".to_string(),
            "Flow:Order_After_Save".to_string(),
            format!("FlowTest:{FLOW_TEST}"),
        ]
    );
    // The flow is automation of Order__c: every test that saves an order runs it.
    assert_selected(&plan, ORDER_WRITERS);
    no_jest_tests(&plan);
}

/// The plan's one change is the `OrderSeed` static resource, and it selects the test
/// that loads it by name (a string reference).
fn order_seed_reaches_its_test(plan: &Value) {
    assert_eq!(changes(plan), vec![modified("StaticResource", "OrderSeed")]);
    assert_selected(plan, &with_always(&["OrderImportTest"]));
    assert_reason(
        plan,
        "OrderImportTest",
        "StaticResource:OrderSeed",
        "ApexClass:OrderImportTest",
        &["string-ref"],
    );
}

/// A static resource that is not text (an archive, an image) is hashed as its bytes: a
/// new version that differs only in bytes that are not UTF-8 is a change of meaning, not
/// of formatting, and reaches the test that loads it. (Hashed as lossy text, both
/// versions read the same and the plan ran no test.)
#[test]
fn a_binary_static_resource_changed_in_bytes_that_are_not_text_reaches_its_test() {
    let repo = TestRepo::new(ORG);
    let path = main_path("staticresources/OrderSeed.csv");
    let write = |bytes: &[u8]| {
        std::fs::write(repo.path().join(&path), bytes).expect("write the resource");
    };
    write(b"PK\x03\x04\x80\x93\xffORD-9004");
    let archive = repo.commit("Seed orders from an archive");
    write(b"PK\x03\x04\x81\x94\xfeORD-9004");
    repo.commit("A new archive");
    let plan = repo.plan_json(&["--base", &archive, "--head", "HEAD"]);

    order_seed_reaches_its_test(&plan);
}

#[test]
fn static_resource_change_reaches_the_test_that_loads_it_through_a_string_reference() {
    let repo = TestRepo::new(ORG);
    repo.edit(
        &main_path("staticresources/OrderSeed.csv"),
        "ORD-9004,Delivered,45.00,1",
        "ORD-9004,Delivered,45.00,3",
    );
    repo.commit("Seed an order with three lines");
    let plan = repo.plan_committed();

    assert_specified(&plan);
    order_seed_reaches_its_test(&plan);
    // `impact why` shows the same path, with the weaker edge named.
    let text = why(&repo, "OrderImportTest");
    assert!(
        text.contains("StaticResource:OrderSeed") && text.contains("string-ref"),
        "why OrderImportTest:\n{text}"
    );
}

#[test]
fn permission_set_change_reaches_the_test_that_queries_and_assigns_it() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path("permissionsets/Order_Admin.permissionset-meta.xml"),
            "<viewAllRecords>true</viewAllRecords>",
            "<viewAllRecords>false</viewAllRecords>",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("PermissionSet", "Order_Admin")]
    );
    assert_selected(&plan, &with_always(&["OrderAdminAccessTest"]));
    assert_reason(
        &plan,
        "OrderAdminAccessTest",
        "PermissionSet:Order_Admin",
        "ApexClass:OrderAdminAccessTest",
        &["string-ref"],
    );
}

#[test]
fn custom_permission_change_reaches_the_code_that_checks_it() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path("customPermissions/Approve_Orders.customPermission-meta.xml"),
            "<isLicensed>false</isLicensed>",
            "<isLicensed>true</isLicensed>",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("CustomPermission", "Approve_Orders")]
    );
    // OrderApprovalService.canApprove checks it; both tests call canApprove. The Aura
    // controller calls it too, but no test runs the Aura component.
    assert_selected(
        &plan,
        &with_always(&["OrderAdminAccessTest", "OrderApprovalServiceTest"]),
    );
    assert_reason(
        &plan,
        "OrderApprovalServiceTest",
        "CustomPermission:Approve_Orders",
        "ApexClass:OrderApprovalServiceTest",
        &["string-ref", "calls"],
    );
}

#[test]
fn record_type_change_reaches_the_code_that_looks_it_up_by_developer_name() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path("objects/Order__c/recordTypes/Wholesale.recordType-meta.xml"),
            "<active>true</active>",
            "<active>false</active>",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("RecordType", "Order__c.Wholesale")]
    );
    assert_selected(&plan, &with_always(&["OrderPricingTest"]));
    assert_reason(
        &plan,
        "OrderPricingTest",
        "RecordType:Order__c.Wholesale",
        "ApexClass:OrderPricingTest",
        &["string-ref"],
    );
}

/// Code that lists an object's record types through its describe
/// (`Order__c.SObjectType.getDescribe().getRecordTypeInfos()`, `Schema.SObjectType.Order__c
/// .getRecordTypeInfosByName()`) counts one fewer when one is switched off, though it
/// names none (InnovationHubCoDevelopment's `IH_ActivityCtrTestClass` asserts how many
/// its controller lists): the change reaches it, and not code that lists another object's.
#[test]
fn a_record_type_switched_off_reaches_the_code_that_lists_its_object_s_record_types() {
    let repo = TestRepo::with_base(ORG, |repo| {
        repo.write_class(
            "OrderChannels",
            "public with sharing class OrderChannels {\n    \
                 public static Integer available() {\n        Integer count = 0;\n        \
                 for (Schema.RecordTypeInfo info : Order__c.SObjectType.getDescribe().getRecordTypeInfos()) {\n            \
                 if (info.isAvailable()) { count++; }\n        }\n        return count;\n    }\n    \
                 public static Set<String> labels() {\n        return Schema.SObjectType.Order__c.getRecordTypeInfosByName().keySet();\n    }\n    \
                 public static Integer accountKinds() {\n        return Account.SObjectType.getDescribe().getRecordTypeInfos().size();\n    }\n}\n",
        );
        for (test, call) in [
            ("OrderChannelsTest", "OrderChannels.available()"),
            ("OrderChannelLabelsTest", "OrderChannels.labels().size()"),
            ("AccountKindsTest", "OrderChannels.accountKinds()"),
        ] {
            repo.write_class(
                test,
                &format!("@IsTest\nprivate class {test} {{\n    @IsTest\n    static void counts() {{\n        System.assertEquals(2, {call});\n    }}\n}}\n"),
            );
        }
    });
    repo.edit(
        &retail_record_type(),
        "<active>true</active>",
        "<active>false</active>",
    );
    repo.commit("Retail orders are taken no more");
    let selected = selected_tests(&repo.plan_committed());
    assert!(
        selected.contains(&"OrderChannelsTest".to_string())
            && selected.contains(&"OrderChannelLabelsTest".to_string())
            && !selected.contains(&"AccountKindsTest".to_string()),
        "{selected:?}"
    );
}

/// The `Retail` record type of orders.
fn retail_record_type() -> String {
    main_path("objects/Order__c/recordTypes/Retail.recordType-meta.xml")
}

/// The plan of relabelling the `Retail` record type from `Retail Orders` (its label on
/// the base, beside what `prepare` adds) to `Consumer Orders`.
fn relabelled_retail(prepare: impl FnOnce(&TestRepo)) -> Value {
    let retail = retail_record_type();
    let repo = TestRepo::with_base(ORG, |repo| {
        repo.edit(
            &retail,
            "<label>Retail</label>",
            "<label>Retail Orders</label>",
        );
        prepare(repo);
    });
    repo.edit(
        &retail,
        "<label>Retail Orders</label>",
        "<label>Consumer Orders</label>",
    );
    repo.commit("Retail orders are consumer orders");
    repo.plan_committed()
}

/// A record type's label is what `RecordType.Name` and `getRecordTypeInfosByName()`
/// read: code that looks the record type up by its label, or by a `LIKE` pattern around
/// it, finds nothing once the label changes. The change is walked from the base, where
/// the old label still named it; a phrase that is no record type's label names nothing.
/// (BetterLifeGroup's BB_Salesforce: relabelling `Sub-Branch` planned none of the six
/// tests that query it by label.)
#[test]
fn record_type_label_change_reaches_the_code_that_looks_it_up_by_its_old_label() {
    let plan = relabelled_retail(|repo| {
        repo.write_class(
            "OrderChannels",
            "public with sharing class OrderChannels {\n    public static Id retailType() {\n        return [SELECT Id FROM RecordType WHERE SObjectType = 'Order__c' AND Name = 'Retail Orders'].Id;\n    }\n    public static List<RecordType> consumerTypes() {\n        return [SELECT Id FROM RecordType WHERE Name LIKE '%retail orders%'];\n    }\n    public static String heading() {\n        return 'Open Orders';\n    }\n}\n",
        );
        for (test, method) in [
            ("OrderChannelsTest", "retailType"),
            ("OrderConsumersTest", "consumerTypes"),
            ("OrderHeadingTest", "heading"),
        ] {
            repo.write_class(
                test,
                &format!("@isTest\nprivate class {test} {{\n    @isTest\n    static void reads() {{\n        System.assertNotEquals(null, OrderChannels.{method}());\n    }}\n}}\n"),
            );
        }
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("RecordType", "Order__c.Retail")]
    );
    assert_selected(
        &plan,
        &with_always(&["OrderChannelsTest", "OrderConsumersTest"]),
    );
    assert_reason(
        &plan,
        "OrderChannelsTest",
        "RecordType:Order__c.Retail",
        "ApexClass:OrderChannelsTest",
        &["string-ref", "calls"],
    );
}

/// A flow's condition on the record's record type by its label names the record type:
/// relabelling it reaches the flow, and through it every test that saves an order (the
/// flow's condition no longer holds for them). (BetterLifeGroup's BB_Salesforce:
/// `$Record.RecordType.Name` equal to `General Opportunity` in an opportunity's flow.)
#[test]
fn a_flow_condition_on_a_record_type_label_reaches_the_flow_s_writers() {
    let plan = relabelled_retail(|repo| {
        repo.edit(
            &flow_file("Order_After_Save"),
            "    <decisions>",
            "    <decisions>\n        <name>Is_Retail</name>\n        <label>Is Retail</label>\n        <rules>\n            <name>Retail</name>\n            <conditionLogic>and</conditionLogic>\n            <conditions>\n                <leftValueReference>$Record.RecordType.Name</leftValueReference>\n                <operator>EqualTo</operator>\n                <rightValue>\n                    <stringValue>Retail Orders</stringValue>\n                </rightValue>\n            </conditions>\n            <label>Retail</label>\n        </rules>\n    </decisions>\n    <decisions>",
        );
    });

    assert_specified(&plan);
    assert_selected(&plan, ORDER_WRITERS);
    assert_flow_test_selected(&plan);
}

/// A validation rule's formula that compares the record's record type with its label
/// names the record type, and so does a lookup filter on it: relabelling it reaches the
/// rule, and through it every test that saves an order, and the lookup field, and
/// through it the code that sets it (and reads it). (BetterLifeGroup's BB_Salesforce: `RecordType.Name
/// = 'General Opportunity'` in an opportunity's validation rule, `Account.RecordType.Name
/// equals Sub-Branch` in a contact's lookup filter.)
#[test]
fn a_validation_rule_or_lookup_filter_on_a_record_type_label_reaches_what_runs_it() {
    let rule = |repo: &TestRepo| {
        repo.write(
            &main_path("objects/Order__c/validationRules/Retail_Needs_Email.validationRule-meta.xml"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ValidationRule xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Retail_Needs_Email</fullName>\n    <active>true</active>\n    <errorConditionFormula>AND(\n    RecordType.Name = &apos;Retail Orders&apos;,\n    ISBLANK(Customer_Email__c)\n)</errorConditionFormula>\n    <errorMessage>A retail order needs an email.</errorMessage>\n</ValidationRule>\n",
        );
    };
    let plan = relabelled_retail(rule);
    assert_specified(&plan);
    assert_selected(&plan, ORDER_WRITERS);
    assert_reason(
        &plan,
        "OrderServiceTest",
        "RecordType:Order__c.Retail",
        "ApexClass:OrderServiceTest",
        &["string-ref"],
    );
    assert!(reason_path(&plan, "OrderServiceTest")
        .iter()
        .any(|node| node == "ValidationRule:Order__c.Retail_Needs_Email"));

    let plan = relabelled_retail(|repo| {
        repo.edit(
            &main_path("objects/Shipment__c/fields/Order__c.field-meta.xml"),
            "    <referenceTo>",
            "    <lookupFilter>\n        <active>true</active>\n        <filterItems>\n            <field>Order__c.RecordType.Name</field>\n            <operation>equals</operation>\n            <value>Retail Orders</value>\n        </filterItems>\n        <isOptional>false</isOptional>\n    </lookupFilter>\n    <referenceTo>",
        );
    });
    assert_specified(&plan);
    // A filter refuses saves only, but a change of the field reaches its readers too.
    assert_selected(
        &plan,
        &with_always(&["ShipmentServiceTest", "ShipmentTrackingTest"]),
    );
    assert_reason(
        &plan,
        "ShipmentServiceTest",
        "RecordType:Order__c.Retail",
        "ApexClass:ShipmentServiceTest",
        &["string-ref"],
    );
    assert!(reason_path(&plan, "ShipmentServiceTest")
        .iter()
        .any(|node| node == "CustomField:Shipment__c.Order__c"));
}

/// A custom label's value may name a record type (or a class) as a string literal
/// would: code that reads the label finds the record type by it. Deactivating the
/// record type reaches the tests that save orders of it through the label.
/// (ProjectManagementTool: `getRecordTypeInfosByDeveloperName().get(
/// System.Label.PMT_Project_Record_Type_on_Case)`, the label's value `PMT_Project`.)
#[test]
fn a_label_whose_value_names_a_record_type_reaches_it() {
    let retail = retail_record_type();
    let labels = main_path("labels/CustomLabels.labels-meta.xml");
    let repo = TestRepo::with_base(ORG, |repo| {
        repo.edit(
            &labels,
            "</CustomLabels>",
            "    <labels>\n        <fullName>Retail_Record_Type</fullName>\n        <language>en_US</language>\n        <protected>false</protected>\n        <shortDescription>Retail record type</shortDescription>\n        <value>Retail</value>\n    </labels>\n</CustomLabels>",
        );
        repo.write_class(
            "RetailOrders",
            "public with sharing class RetailOrders {\n    public static Id recordTypeId() {\n        return Schema.SObjectType.Order__c.getRecordTypeInfosByDeveloperName().get(Label.Retail_Record_Type).getRecordTypeId();\n    }\n}\n",
        );
        repo.write_class(
            "RetailOrdersTest",
            "@IsTest\nprivate class RetailOrdersTest {\n    @IsTest\n    static void findsTheRecordType() {\n        System.assertNotEquals(null, RetailOrders.recordTypeId());\n    }\n}\n",
        );
    });
    repo.edit(&retail, "<active>true</active>", "<active>false</active>");
    repo.commit("No more retail orders");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_selected(&plan, &with_always(&["RetailOrdersTest"]));
    assert_reason(
        &plan,
        "RetailOrdersTest",
        "RecordType:Order__c.Retail",
        "ApexClass:RetailOrdersTest",
        &["string-ref", "references", "calls"],
    );
}

/// An email template goes by its name (its label) as well as its developer name: code
/// that reads it `WHERE Name = 'Order Confirmation'` finds nothing once the name
/// changes. (Volunteers-for-Salesforce: a rename of a template's name planned nothing.)
#[test]
fn an_email_template_s_name_change_reaches_the_code_that_reads_it_by_name() {
    let meta = main_path("email/Order_Templates/Order_Confirmation.email-meta.xml");
    let repo = TestRepo::with_base(ORG, |repo| {
        repo.write(
            &main_path("email/Order_Templates/Order_Confirmation.email"),
            "Your order {!Order__c.Name} is confirmed.\n",
        );
        repo.write(
            &meta,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EmailTemplate xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <available>true</available>\n    <encodingKey>UTF-8</encodingKey>\n    <name>Order Confirmation</name>\n    <style>none</style>\n    <subject>Order confirmed</subject>\n    <type>text</type>\n    <uiType>Aloha</uiType>\n</EmailTemplate>\n",
        );
        repo.write_class(
            "OrderMails",
            "public with sharing class OrderMails {\n    public static Id confirmation() {\n        return [SELECT Id FROM EmailTemplate WHERE Name = 'Order Confirmation' LIMIT 1].Id;\n    }\n}\n",
        );
        repo.write_class(
            "OrderMailsTest",
            "@IsTest\nprivate class OrderMailsTest {\n    @IsTest\n    static void findsTheTemplate() {\n        System.assertNotEquals(null, OrderMails.confirmation());\n    }\n}\n",
        );
    });
    repo.edit(
        &meta,
        "<name>Order Confirmation</name>",
        "<name>Order Receipt</name>",
    );
    repo.commit("Confirmations are receipts");

    let plan = repo.plan_committed();

    assert_specified(&plan);
    assert_selected(&plan, &with_always(&["OrderMailsTest"]));
}

// ---------------------------------------------------------------------------------------
// LWC and Jest
// ---------------------------------------------------------------------------------------

#[test]
fn lwc_change_selects_its_jest_test_and_the_jest_test_of_the_component_that_contains_it() {
    let (repo, plan) = committed(|repo| {
        repo.edit(
            &main_path("lwc/orderLineList/orderLineList.js"),
            "return formatLines(this.lines.length);",
            "return formatLines(this.lines.filter((line) => line.quantity > 0).length);",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("LightningComponentBundle", "orderLineList")]
    );
    assert_selected(&plan, &[ALWAYS]);
    no_flow_tests(&plan);
    // orderSummary renders <c-order-line-list>; orderFormat is only used by the list.
    assert_eq!(
        tests_of_kind(&plan, "lwc"),
        vec![jest("orderLineList"), jest("orderSummary")]
    );
    let summary_test = jest("orderSummary");
    assert_eq!(test_entry(&plan, &summary_test)["kind"], "lwc");
    assert_reason(
        &plan,
        &summary_test,
        "LightningComponentBundle:orderLineList",
        &format!("LwcJestTest:{summary_test}"),
        &["imports", "tests"],
    );
    // `impact why` takes the Jest test's path.
    let why = why(&repo, &summary_test);
    assert!(
        why.contains("LightningComponentBundle:orderLineList") && why.contains("imports"),
        "why {summary_test}:\n{why}"
    );
    assert_eq!(
        reason_path(&plan, &jest("orderLineList")),
        vec![
            "LightningComponentBundle:orderLineList".to_string(),
            format!("LwcJestTest:{}", jest("orderLineList")),
        ]
    );
}

/// A template's text is compared as the LWC compiler renders it: re-indenting text that
/// spans lines renders the same and is formatting, but a space that ends the last line of
/// a text is rendered (`{countText} `), so removing or adding it runs the Jest tests of
/// the component and of the one that contains it. (Compared trimmed, the re-indenting
/// read as a change and the space as formatting.)
#[test]
fn a_template_space_the_component_renders_runs_its_jest_tests_and_reindenting_does_not() {
    let repo = TestRepo::new(ORG);
    let html = main_path("lwc/orderLineList/orderLineList.html");
    let template = |paragraph: &str| {
        format!("<template>\n    <p class=\"slds-text-body_small\">{paragraph}</p>\n</template>\n")
    };
    repo.write(
        &html,
        &template("\n        Lines:\n        {countText}\n    "),
    );
    let indented = repo.commit("The count on lines of their own");
    repo.write(
        &html,
        &template("\n            Lines:\n                {countText}\n        "),
    );
    let reindented = repo.commit("Re-indented");
    repo.write(&html, &template("Lines: {countText} "));
    repo.commit("One line, a space at its end");

    let plan = repo.plan_json(&["--base", &indented, "--head", &reindented]);
    assert_eq!(
        changes(&plan),
        vec![formatting_only("LightningComponentBundle", "orderLineList")]
    );
    assert!(tests_of_kind(&plan, "lwc").is_empty(), "{plan:#}");

    let plan = repo.plan_json(&["--base", &reindented, "--head", "HEAD"]);
    assert_eq!(
        changes(&plan),
        vec![modified("LightningComponentBundle", "orderLineList")]
    );
    assert_eq!(
        tests_of_kind(&plan, "lwc"),
        vec![jest("orderLineList"), jest("orderSummary")]
    );
}

/// A space beside a metadata value on its line is data: a record-triggered flow whose
/// filter asks for `"Submitted "` runs on other records than one asking for
/// `"Submitted"`, so the tests that save the object run. Putting the value on a line of
/// its own, as a formatter may, is formatting. (Compared trimmed, the space read as
/// formatting and no test ran: ActionPlansV4's onboarding flow, 0 → 11 tests.)
#[test]
fn a_space_beside_a_flow_value_runs_its_tests_and_reflowing_the_value_does_not() {
    let repo = TestRepo::new(ORG);
    let flow = main_path("flows/Order_After_Save.flow-meta.xml");
    let value = "<stringValue>Submitted</stringValue>";
    repo.edit(
        &flow,
        value,
        "<stringValue>\n                    Submitted\n                </stringValue>",
    );
    let reflowed = repo.commit("The value on a line of its own");
    let plan = repo.plan_json(&["--base", repo.base(), "--head", &reflowed]);
    assert_eq!(
        changes(&plan),
        vec![formatting_only("Flow", "Order_After_Save")]
    );
    assert!(
        selected_tests(&plan).iter().all(|t| t == "OrderSmokeTest"),
        "{plan:#}"
    );

    repo.edit(
        &flow,
        "\n                    Submitted\n                ",
        "Submitted ",
    );
    repo.commit("A space after the status");
    let plan = repo.plan_json(&["--base", &reflowed, "--head", "HEAD"]);
    assert_eq!(changes(&plan), vec![modified("Flow", "Order_After_Save")]);
    assert!(
        selected_tests(&plan).contains(&"OrderServiceTest".to_string()),
        "{plan:#}"
    );
}

/// JavaScript ends a statement at a line break after `return`: `formatLines` then
/// returns nothing. Every token of the file is kept, but not its meaning, so the Jest
/// tests of every component that imports the module run. Wrapping the expression over
/// lines, as Prettier does, is a change of layout and runs none.
#[test]
fn a_line_break_that_ends_a_javascript_statement_runs_its_jest_tests_and_wrapping_does_not() {
    let repo = TestRepo::new(ORG);
    let module = main_path("lwc/orderFormat/orderFormat.js");
    repo.edit(
        &module,
        "return count === 1 ? '1 line' : `${count || 0} lines`;",
        "return count === 1\n        ? '1 line'\n        : `${count || 0} lines`;",
    );
    let wrapped = repo.commit("Wrapped over lines");
    repo.edit(
        &module,
        "return count === 1\n",
        "return\n        count === 1\n",
    );
    repo.commit("The return on a line of its own");

    let plan = repo.plan_json(&["--base", "HEAD~2", "--head", &wrapped]);
    assert_eq!(
        changes(&plan),
        vec![formatting_only("LightningComponentBundle", "orderFormat")]
    );
    assert!(tests_of_kind(&plan, "lwc").is_empty(), "{plan:#}");

    let plan = repo.plan_json(&["--base", &wrapped, "--head", "HEAD"]);
    assert_eq!(
        changes(&plan),
        vec![modified("LightningComponentBundle", "orderFormat")]
    );
    assert_eq!(
        tests_of_kind(&plan, "lwc"),
        vec![
            jest("orderFormat"),
            jest("orderLineList"),
            jest("orderSummary")
        ]
    );
}

#[test]
fn lwc_module_change_reaches_every_jest_test_that_imports_it_through_c_imports() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path("lwc/orderFormat/orderFormat.js"),
            "currency: 'USD'",
            "currency: 'EUR'",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("LightningComponentBundle", "orderFormat")]
    );
    assert_selected(&plan, &[ALWAYS]);
    assert_eq!(
        tests_of_kind(&plan, "lwc"),
        vec![
            jest("orderFormat"),
            jest("orderLineList"),
            jest("orderSummary")
        ]
    );
    assert_reason(
        &plan,
        &jest("orderLineList"),
        "LightningComponentBundle:orderFormat",
        &format!("LwcJestTest:{}", jest("orderLineList")),
        &["imports"],
    );
}

#[test]
fn apex_method_imported_by_an_lwc_selects_apex_tests_but_not_the_mocked_jest_test() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &class("OrderSummaryController"),
            "System.Label.Order_Summary_Title + ' ' + orderRecord.Name",
            "System.Label.Order_Summary_Title + ' #' + orderRecord.Name",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("ApexClass", "OrderSummaryController")]
    );
    assert_selected(&plan, &with_always(&["OrderSummaryControllerTest"]));
    // orderSummary.test.js mocks `@salesforce/apex/OrderSummaryController.getSummary`.
    no_jest_tests(&plan);
    no_flow_tests(&plan);
    assert_reason(
        &plan,
        "OrderSummaryControllerTest",
        "ApexClass:OrderSummaryController",
        "ApexClass:OrderSummaryControllerTest",
        &["calls"],
    );
}

// ---------------------------------------------------------------------------------------
// Aura, Visualforce, `impact graph`
// ---------------------------------------------------------------------------------------

/// `impact graph --focus FOCUS --depth DEPTH --format json`, parsed.
fn graph_json(repo: &TestRepo, focus: &str, depth: &str) -> Value {
    let out = repo.run(&[
        "graph", "--focus", focus, "--depth", depth, "--format", "json",
    ]);
    let graph = out.json();
    assert_eq!(graph["schema"], "impact.graph/v1", "{graph}");
    graph
}

/// The edges of a graph JSON as `(from, to, kind)`.
fn graph_edges(graph: &Value) -> Vec<(String, String, String)> {
    graph["edges"]
        .as_array()
        .expect("`edges` is an array")
        .iter()
        .map(|e| {
            (
                e["from"].as_str().unwrap_or("?").to_string(),
                e["to"].as_str().unwrap_or("?").to_string(),
                e["kind"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

#[track_caller]
fn assert_graph_edge(graph: &Value, from: &str, to: &str, kind: &str, at_file: &str) {
    let edge = graph["edges"]
        .as_array()
        .expect("`edges` is an array")
        .iter()
        .find(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
        .unwrap_or_else(|| {
            panic!(
                "no `{kind}` edge {from} -> {to}; edges: {:#?}",
                graph_edges(graph)
            )
        });
    let at = edge["at"].as_str().unwrap_or("");
    assert!(
        at.starts_with(&format!("{at_file}:")),
        "edge {from} -> {to} should be found in {at_file}, got {at:?}"
    );
}

#[test]
fn aura_and_visualforce_controllers_are_edges_of_the_graph() {
    let repo = TestRepo::new(ORG);

    let aura = graph_json(&repo, "ApexClass:OrderApprovalController", "1");
    assert_graph_edge(
        &aura,
        "AuraDefinitionBundle:orderApprovalPanel",
        "ApexClass:OrderApprovalController",
        "imports",
        &main_path("aura/orderApprovalPanel/orderApprovalPanel.cmp"),
    );

    let extension = graph_json(&repo, "ApexClass:OrderInvoiceExtension", "1");
    assert_graph_edge(
        &extension,
        "ApexPage:OrderInvoicePdf",
        "ApexClass:OrderInvoiceExtension",
        "imports",
        &main_path("pages/OrderInvoicePdf.page"),
    );
    let page = graph_json(&repo, "ApexPage:OrderInvoicePdf", "1");
    assert_graph_edge(
        &page,
        "ApexPage:OrderInvoicePdf",
        "CustomObject:Order__c",
        "references",
        &main_path("pages/OrderInvoicePdf.page"),
    );

    let controller = graph_json(&repo, "ApexClass:OrderSearchController", "1");
    assert_graph_edge(
        &controller,
        "ApexPage:OrderSearch",
        "ApexClass:OrderSearchController",
        "imports",
        &main_path("pages/OrderSearch.page"),
    );
}

#[test]
fn aura_controller_change_reaches_no_test_and_is_reported_uncovered() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &class("OrderApprovalController"),
            "'You cannot approve orders.'",
            "'Only order admins can approve orders.'",
        );
    });

    assert_specified(&plan);
    assert_selected(&plan, &[ALWAYS]);
    no_flow_tests(&plan);
    no_jest_tests(&plan);
    assert_eq!(
        uncovered(&plan),
        vec!["ApexClass:OrderApprovalController".to_string()]
    );
}

/// Apex that names a page (`Page.OrderSearch`) compiles only while the page exists: the
/// page's deletion reaches the test that names it (charterschoolcapital's
/// `FundingEstimate_InternalSummaryTest`, which no longer compiles without its page),
/// and a change to its markup, which no Apex test renders, reaches none.
#[test]
fn a_page_s_deletion_reaches_the_apex_that_names_it_and_its_markup_no_test() {
    let with_page_test = || {
        TestRepo::with_base(ORG, |repo| {
            repo.write_class(
                "OrderSearchPageTest",
                "@IsTest\nprivate class OrderSearchPageTest {\n    @IsTest\n    static void opens() {\n        \
                     Test.setCurrentPage(Page.OrderSearch);\n        \
                     System.assertNotEquals(null, ApexPages.currentPage());\n    }\n}\n",
            );
        })
    };
    let page = main_path("pages/OrderSearch.page");

    let repo = with_page_test();
    repo.edit(&page, "title=\"Order search\"", "title=\"Find orders\"");
    repo.commit("Rename the page's title");
    let plan = repo.plan_committed();
    assert!(
        !selected_tests(&plan).contains(&"OrderSearchPageTest".to_string()),
        "{plan}"
    );

    let repo = with_page_test();
    repo.delete(&page).delete(&format!("{page}-meta.xml"));
    repo.commit("Retire the order search page");
    let plan = repo.plan_committed();
    assert!(
        selected_tests(&plan).contains(&"OrderSearchPageTest".to_string()),
        "{plan}"
    );
}

#[test]
fn graph_focus_depth_one_in_json_dot_and_mermaid() {
    let repo = TestRepo::new(ORG);

    let graph = graph_json(&repo, "ApexClass:OrderLimits", "1");
    let edges = graph_edges(&graph);
    let has = |from: &str, to: &str, kind: &str| {
        edges
            .iter()
            .any(|(f, t, k)| f == from && t == to && k == kind)
    };
    for (from, to, kind) in [
        ("ApexClass:OrderService", "ApexClass:OrderLimits", "calls"),
        (
            "ApexClass:OrderApprovalAction",
            "ApexClass:OrderLimits",
            "calls",
        ),
        (
            "ApexClass:OrderLimitsTest",
            "ApexClass:OrderLimits",
            "calls",
        ),
        (
            "ApexClass:OrderLimits",
            "CustomField:Order_Settings__c.Max_Lines__c",
            "reads",
        ),
    ] {
        assert!(
            has(from, to, kind),
            "no `{kind}` edge {from} -> {to}: {edges:#?}"
        );
    }
    // Depth 1: only the focus and its direct neighbours.
    let focus = "ApexClass:OrderLimits";
    let neighbours: BTreeSet<&str> = edges
        .iter()
        .filter(|(f, t, _)| f == focus || t == focus)
        .flat_map(|(f, t, _)| [f.as_str(), t.as_str()])
        .collect();
    for (from, to, kind) in &edges {
        assert!(
            neighbours.contains(from.as_str()) && neighbours.contains(to.as_str()),
            "`{kind}` edge {from} -> {to} is more than one hop from {focus}"
        );
    }
    assert!(
        !neighbours.contains("ApexClass:OrderServiceTest"),
        "OrderServiceTest is two hops away: {neighbours:?}"
    );

    // A bare class name is the same focus.
    let bare = repo.run(&[
        "graph",
        "--focus",
        "OrderLimits",
        "--depth",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(bare.json(), graph, "--focus OrderLimits");

    let dot = repo.run(&["graph", "--focus", focus, "--depth", "1", "--format", "dot"]);
    let dot = dot.ok();
    assert!(dot.trim_start().starts_with("digraph"), "dot:\n{dot}");
    assert!(
        dot.contains(r#""ApexClass:OrderService" -> "ApexClass:OrderLimits" [label="calls"]"#),
        "dot:\n{dot}"
    );
    assert!(!dot.contains("OrderServiceTest"), "dot:\n{dot}");

    let mermaid = repo.run(&[
        "graph", "--focus", focus, "--depth", "1", "--format", "mermaid",
    ]);
    let mermaid = mermaid.ok();
    assert!(
        mermaid.trim_start().starts_with("flowchart"),
        "mermaid:\n{mermaid}"
    );
    assert!(
        mermaid.contains("\"ApexClass:OrderLimits\""),
        "mermaid:\n{mermaid}"
    );
    assert!(mermaid.contains("-->|calls|"), "mermaid:\n{mermaid}");
    assert!(mermaid.contains("-->|reads|"), "mermaid:\n{mermaid}");
    assert!(!mermaid.contains("OrderServiceTest"), "mermaid:\n{mermaid}");
}

// ---------------------------------------------------------------------------------------
// Workflow rules, `impact diff`, `--format sf`
// ---------------------------------------------------------------------------------------

const WORKFLOW: &str = "workflows/Order__c.workflow-meta.xml";

#[test]
fn workflow_rule_change_lists_only_that_rule_and_reaches_the_writers_of_its_object() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path(WORKFLOW),
            "<value>10000</value>",
            "<value>50000</value>",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("WorkflowRule", "Order__c.Flag_Large_Orders")]
    );
    assert_eq!(
        change_entry(&plan, "WorkflowRule:Order__c.Flag_Large_Orders")["paths"],
        serde_json::json!([main_path(WORKFLOW)])
    );
    assert_selected(&plan, ORDER_WRITERS);
    no_flow_tests(&plan);
    assert_reason(
        &plan,
        "OrderServiceTest",
        "WorkflowRule:Order__c.Flag_Large_Orders",
        "ApexClass:OrderServiceTest",
        &["fires", "writes"],
    );
}

/// `<types>` of a package.xml as `name → members`, and its `<version>`.
fn read_manifest(text: &str) -> (Vec<(String, Vec<String>)>, String) {
    fn inner<'a>(text: &'a str, tag: &str) -> Vec<&'a str> {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        let mut found = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(&open) {
            let after = &rest[start + open.len()..];
            let Some(end) = after.find(&close) else { break };
            found.push(&after[..end]);
            rest = &after[end + close.len()..];
        }
        found
    }
    let types = inner(text, "types")
        .into_iter()
        .map(|block| {
            let name = inner(block, "name").first().map(|n| n.trim().to_string());
            let mut members: Vec<String> = inner(block, "members")
                .into_iter()
                .map(|m| m.trim().to_string())
                .collect();
            members.sort();
            (name.unwrap_or_default(), members)
        })
        .collect();
    let version = inner(text, "version")
        .first()
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    (types, version)
}

fn members_of(types: &[(String, Vec<String>)], type_name: &str) -> Vec<String> {
    types
        .iter()
        .filter(|(name, _)| name == type_name)
        .flat_map(|(_, members)| members.clone())
        .collect()
}

#[test]
fn diff_writes_package_xml_and_destructive_changes_with_the_projects_api_version() {
    let repo = TestRepo::new(ORG);
    repo.edit(
        &class("OrderService"),
        "'Only draft orders can be submitted'",
        "'Only a draft order can be submitted'",
    );
    repo.write(
        &main_path("objects/Order__c/fields/Priority__c.field-meta.xml"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Priority__c</fullName>
    <externalId>false</externalId>
    <label>Priority</label>
    <required>false</required>
    <type>Checkbox</type>
    <defaultValue>false</defaultValue>
</CustomField>
"#,
    );
    repo.edit(
        &main_path(LABELS),
        "<value>Order</value>",
        "<value>Order summary</value>",
    );
    // The cancelled-order rule goes; its task stays for a later cleanup.
    let workflow = repo.read(&main_path(WORKFLOW));
    let start = workflow
        .find("    <rules>\n        <fullName>Follow_Up_Cancelled_Orders")
        .expect("the rule is in the fixture");
    let end =
        start + workflow[start..].find("</rules>\n").expect("the rule ends") + "</rules>\n".len();
    repo.write(
        &main_path(WORKFLOW),
        &format!("{}{}", &workflow[..start], &workflow[end..]),
    );
    repo.delete(&main_path("pages/OrderSearch.page"))
        .delete(&main_path("pages/OrderSearch.page-meta.xml"))
        .delete_class("OrderSearchController");
    repo.commit("Retire the order search page");
    let out_dir = repo.path().join("out");
    let out_arg = out_dir.to_string_lossy().into_owned();
    let base = repo.base().to_string();

    let run = repo.run(&[
        "diff",
        "--base",
        &base,
        "--head",
        "HEAD",
        "--format",
        "json",
        "--package-xml",
        &out_arg,
    ]);

    let diff = run.json();
    assert_eq!(diff["schema"], "impact.diff/v1", "{diff}");
    let listed: BTreeSet<String> = diff["changes"]
        .as_array()
        .expect("`changes` is an array")
        .iter()
        .map(|c| {
            format!(
                "{} {}:{}",
                c["change"].as_str().unwrap_or("?"),
                c["type"].as_str().unwrap_or("?"),
                c["name"].as_str().unwrap_or("?")
            )
        })
        .collect();
    for expected in [
        "modified ApexClass:OrderService",
        "added CustomField:Order__c.Priority__c",
        "modified CustomLabel:Order_Summary_Title",
        "deleted WorkflowRule:Order__c.Follow_Up_Cancelled_Orders",
        "deleted ApexPage:OrderSearch",
        "deleted ApexClass:OrderSearchController",
    ] {
        assert!(
            listed.contains(expected),
            "{expected} missing from {listed:#?}"
        );
    }

    let package = std::fs::read_to_string(out_dir.join("package.xml")).expect("package.xml");
    let destructive = std::fs::read_to_string(out_dir.join("destructiveChanges.xml"))
        .expect("destructiveChanges.xml");
    let (deploy, deploy_version) = read_manifest(&package);
    let (destroy, destroy_version) = read_manifest(&destructive);
    assert_eq!(deploy_version, "61.0", "package.xml:\n{package}");
    assert_eq!(
        destroy_version, "61.0",
        "destructiveChanges.xml:\n{destructive}"
    );
    assert_eq!(
        members_of(&deploy, "ApexClass"),
        vec!["OrderService"],
        "{package}"
    );
    assert_eq!(
        members_of(&deploy, "CustomField"),
        vec!["Order__c.Priority__c"],
        "{package}"
    );
    assert_eq!(
        members_of(&deploy, "CustomLabel"),
        vec!["Order_Summary_Title"],
        "{package}"
    );
    for gone in [
        "OrderSearch",
        "OrderSearchController",
        "Follow_Up_Cancelled_Orders",
    ] {
        assert!(!package.contains(gone), "{gone} in package.xml:\n{package}");
    }
    assert_eq!(
        destroy,
        vec![
            (
                "ApexClass".to_string(),
                vec!["OrderSearchController".to_string()]
            ),
            ("ApexPage".to_string(), vec!["OrderSearch".to_string()]),
            (
                "WorkflowRule".to_string(),
                vec!["Order__c.Follow_Up_Cancelled_Orders".to_string()]
            ),
        ],
        "destructiveChanges.xml:\n{destructive}"
    );
}

#[test]
fn sf_format_keeps_flow_tests_out_of_the_deploy_and_prints_their_run_command() {
    let repo = TestRepo::new(ORG);
    repo.edit(
        &flow_file("Order_After_Save"),
        "<filterLogic>and</filterLogic>",
        "<filterLogic>or</filterLogic>",
    );
    repo.commit("Run the approval flow on approved orders too");
    let plan = repo.plan_committed();
    assert_flow_test_selected(&plan);
    let base = repo.base().to_string();

    let out = repo.run(&["plan", "--format", "sf", "--base", &base, "--head", "HEAD"]);

    let tokens: Vec<&str> = out.ok().split_whitespace().collect();
    let mut expected = vec!["--test-level".to_string(), "RunSpecifiedTests".to_string()];
    for test in ranked_tests(&plan) {
        expected.push("--tests".into());
        expected.push(test);
    }
    assert_eq!(tokens, expected, "deploy arguments:\n{}", out.stdout);
    assert!(!out.stdout.contains(FLOW_TEST), "stdout:\n{}", out.stdout);
    let command = out
        .stderr
        .lines()
        .find(|line| line.contains("sf logic run test"))
        .unwrap_or_else(|| panic!("no `sf logic run test` on stderr:\n{}", out.stderr));
    assert!(
        command.contains(&format!("--tests {FLOW_TEST_RUN_NAME}")),
        "stderr:\n{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------
// impact.toml
// ---------------------------------------------------------------------------------------

#[test]
fn impact_toml_always_run_test_is_selected_with_its_policy_reason() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path("pages/OrderSearch.page"),
            "title=\"Order search\"",
            "title=\"Find orders\"",
        );
    });

    assert_specified(&plan);
    assert_eq!(changes(&plan), vec![modified("ApexPage", "OrderSearch")]);
    assert_selected(&plan, &[ALWAYS]);
    let notes: Vec<String> = test_entry(&plan, ALWAYS)["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r["note"].as_str().map(str::to_string))
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("always-run") && n.contains("impact.toml")),
        "the reason names the policy: {notes:?}"
    );
}

#[test]
fn impact_toml_fallback_glob_runs_all_local_tests() {
    let path = main_path("remoteSiteSettings/Carrier_API.remoteSite-meta.xml");
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &path,
            "https://api.carrier.example.com",
            "https://api.v2.carrier.example.com",
        );
    });

    assert_eq!(plan["test_level"], "RunLocalTests");
    assert_eq!(fallback_paths(&plan), vec![path]);
    let reason = plan["fallback"]["reason"].as_str().unwrap_or("");
    assert!(reason.contains("impact.toml"), "fallback reason: {reason}");
}

#[test]
fn impact_toml_mapping_selects_the_mapped_test_for_what_no_graph_sees() {
    let (_repo, plan) = committed(|repo| {
        repo.edit(
            &main_path("staticresources/carrier_rates_ups.json"),
            "\"perKg\": 1.25",
            "\"perKg\": 1.40",
        );
    });

    assert_specified(&plan);
    assert_eq!(
        changes(&plan),
        vec![modified("StaticResource", "carrier_rates_ups")]
    );
    assert_selected(&plan, &with_always(&["ShipmentRatesTest"]));
    let note = test_entry(&plan, "ShipmentRatesTest")["reasons"][0]["note"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        note.contains("mapping") && note.contains("carrier_rates_"),
        "the reason names the mapping: {note:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Files that cannot be read
// ---------------------------------------------------------------------------------------

fn warnings(plan: &Value) -> Vec<String> {
    plan["warnings"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|w| w.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[track_caller]
fn assert_warns_about(plan: &Value, path: &str) {
    let list = warnings(plan);
    assert!(
        list.iter().any(|w| w.contains(path)),
        "expected a warning naming {path}, got {list:?}"
    );
}

#[test]
fn malformed_xml_in_a_changed_flow_is_named_in_a_warning_and_runs_all_local_tests() {
    let path = flow_file("Order_Notify_Customer");
    let repo = TestRepo::new(ORG);
    // A typo in an end tag: the flow cannot be read past it.
    repo.edit(&path, "<object>Task</object>", "<object>Task</objet>");
    repo.commit("Notify with a task");
    let base = repo.base().to_string();

    let out = repo.run(&[
        "plan", "--format", "json", "--base", &base, "--head", "HEAD",
    ]);

    let plan = out.json();
    check_plan_shape(&plan);
    assert_warns_about(&plan, &path);
    assert!(
        out.stderr.contains("warning") && out.stderr.contains(&path),
        "the warning is printed on stderr:\n{}",
        out.stderr
    );
    assert_eq!(plan["test_level"], "RunLocalTests");
    assert!(
        fallback_paths(&plan).contains(&path),
        "the fallback names the flow: {}",
        plan["fallback"]
    );
}

/// A permission set left with merge-conflict markers, committed in the base.
const CONFLICTED_PERMISSION_SET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <description>Read-only access to orders.</description>
    <hasActivationRequired>false</hasActivationRequired>
<<<<<<< HEAD
    <label>Order Viewer</label>
=======
    <label>Order Read Only</label>
>>>>>>> feature/rename-viewer
    <objectPermissions>
        <allowRead>true</allowRead>
        <object>Order__c</object>
    </objectPermissions>
</PermissionSet>
"#;

#[test]
fn malformed_xml_in_an_unchanged_file_is_named_in_a_warning_and_the_plan_still_selects() {
    let broken = main_path("permissionsets/Order_Viewer.permissionset-meta.xml");
    let repo = TestRepo::with_base(ORG, |repo| {
        repo.write(&broken, CONFLICTED_PERMISSION_SET);
    });
    repo.edit(
        &class("OrderSummaryController"),
        "System.Label.Order_Summary_Title + ' ' + orderRecord.Name",
        "System.Label.Order_Summary_Title + ' #' + orderRecord.Name",
    );
    repo.commit("Number sign before the order name");

    let plan = repo.plan_committed();

    assert_warns_about(&plan, &broken);
    assert_specified(&plan);
    assert_selected(&plan, &with_always(&["OrderSummaryControllerTest"]));
    no_jest_tests(&plan);
}

#[test]
fn unparseable_flow_test_that_did_not_change_is_selected_with_a_warning() {
    let broken = main_path("flowtests/Rejects_Large_Orders.flowtest-meta.xml");
    let repo = TestRepo::with_base(ORG, |repo| {
        // A file cut short (a bad merge, a partial save).
        repo.write(
            &broken,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<FlowTest xmlns="http://soap.sforce.com/2006/04/metadata">
    <flowApiName>Order_After_Save</flowApiName>
    <label>Rejects large orders</label>
    <testPoints>
        <elementApiName>Start</elementApiName>
        <parameters>
            <leftValueReference>$Record</leftValueReference>
"#,
        );
    });
    repo.edit(
        &class("OrderSummaryController"),
        "System.Label.Order_Summary_Title + ' ' + orderRecord.Name",
        "System.Label.Order_Summary_Title + ' #' + orderRecord.Name",
    );
    repo.commit("Number sign before the order name");

    let plan = repo.plan_committed();

    assert_warns_about(&plan, &broken);
    // What the unreadable test covers is unknown: it runs.
    assert_eq!(
        tests_of_kind(&plan, "flow"),
        vec!["Rejects_Large_Orders".to_string()]
    );
    assert_selected(&plan, &with_always(&["OrderSummaryControllerTest"]));
}

#[test]
fn unknown_xml_in_a_package_directory_runs_all_local_tests() {
    let path = main_path("orderRouting/Default.orderRouting-meta.xml");
    let (_repo, plan) = committed(|repo| {
        repo.write(
            &path,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<OrderRouting xmlns="http://soap.sforce.com/2006/04/metadata">
    <rule>Wholesale</rule>
</OrderRouting>
"#,
        );
    });

    assert_eq!(plan["test_level"], "RunLocalTests");
    assert_eq!(fallback_paths(&plan), vec![path]);
}

// ---------------------------------------------------------------------------------------
// Test suites
// ---------------------------------------------------------------------------------------

#[test]
fn suite_flag_restricts_the_plan_to_the_suite() {
    let repo = TestRepo::new(ORG);
    change_trigger(&repo);
    repo.commit("Run the handlers on undelete");
    let base = repo.base().to_string();

    let plan = repo.plan_json(&[
        "--base",
        &base,
        "--head",
        "HEAD",
        "--suite",
        "Order_Regression",
    ]);

    // Order_Regression lists three of the writers; the always-run test may stay.
    let suite = [
        "OrderApprovalActionTest",
        "OrderHandlerDispatcherTest",
        "OrderServiceTest",
    ];
    let selected = selected_tests(&plan);
    for test in suite {
        assert!(
            selected.iter().any(|t| t == test),
            "{test} missing: {selected:?}"
        );
    }
    for test in &selected {
        assert!(
            suite.contains(&test.as_str()) || test == ALWAYS,
            "{test} is not in the suite: {selected:?}"
        );
    }
    no_flow_tests(&plan);
    // The writers outside the suite are deferred, never dropped silently.
    let deferred: Vec<(String, String)> = plan["deferred"]
        .as_array()
        .expect("`deferred` is an array")
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap_or("?").to_string(),
                d["reason"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    for test in ["OrderSummaryControllerTest", "ShipmentServiceTest"] {
        assert!(
            deferred.contains(&(test.to_string(), "suite".to_string())),
            "{test} should be deferred by the suite: {deferred:?}"
        );
    }
}

#[test]
fn jest_format_runs_exactly_the_selected_jest_tests_and_sf_formats_say_they_leave_them_out() {
    let (repo, _) = committed(|repo| {
        repo.edit(
            &main_path("lwc/orderLineList/orderLineList.js"),
            "return formatLines(this.lines.length);",
            "return formatLines(this.lines.filter((line) => line.quantity > 0).length);",
        );
    });
    let base = repo.base().to_string();
    let range = ["--base", base.as_str(), "--head", "HEAD"];
    let plan = |format: &str| {
        let mut args = vec!["plan", "--format", format];
        args.extend(range);
        repo.run(&args)
    };

    let out = plan("jest");
    assert_eq!(
        out.ok(),
        format!(
            "npx sfdx-lwc-jest -- --runTestsByPath {} {}\n",
            jest("orderLineList"),
            jest("orderSummary")
        )
    );
    for format in ["sf", "sf-run"] {
        let out = plan(format);
        out.ok();
        assert!(
            out.stderr
                .contains("2 LWC Jest tests are not in this output")
                && out.stderr.contains("npx sfdx-lwc-jest -- --runTestsByPath"),
            "{format}: {}",
            out.stderr
        );
    }
    // The headline counts Apex and Jest tests apart.
    let text = plan("text");
    let first = text.ok().lines().next().unwrap_or_default().to_string();
    assert!(first.contains(": 1 of "), "{first}");
    assert!(first.contains(" Apex test classes, "), "{first}");
    assert!(
        first.ends_with(", 2 of 3 LWC Jest tests; RunSpecifiedTests"),
        "{first}"
    );

    // A change that selects no Jest test: nothing on stdout, a note on stderr.
    let (repo, _) = committed(|repo| {
        repo.edit(
            &main_path("objects/Order_Settings__c/fields/Max_Lines__c.field-meta.xml"),
            "<defaultValue>50</defaultValue>",
            "<defaultValue>40</defaultValue>",
        );
    });
    let base = repo.base().to_string();
    let out = repo.run(&[
        "plan", "--format", "jest", "--base", &base, "--head", "HEAD",
    ]);
    assert_eq!(out.ok(), "");
    assert!(out.stderr.contains("no LWC Jest test"), "{}", out.stderr);
}

#[test]
fn an_xml_escape_is_a_formatting_only_change_not_a_comment() {
    let (repo, plan) = committed(|repo| {
        repo.edit(
            &main_path("objects/Order_Settings__c/fields/Max_Lines__c.field-meta.xml"),
            "<label>Max Lines</label>",
            "<label>Max&#32;Lines</label>",
        );
    });
    let change = &plan["changes"][0];
    assert_eq!(change["semantic"], false, "{change}");
    let base = repo.base().to_string();
    let text = repo
        .run(&["plan", "--base", &base, "--head", "HEAD"])
        .ok()
        .to_string();
    assert!(text.contains("Max_Lines__c  (formatting only)"), "{text}");
    assert!(!text.contains("comments or whitespace"), "{text}");
}

/// Bundles kept in a folder of bundles (`lwc/forms/lwc/addressInput/`, as
/// gps-design-systems-lwc keeps 250 of its components): the innermost `lwc` folder
/// names the component, as the Salesforce CLI deploys it and Jest resolves `c/…`. The
/// outer folder was taken for the component and the Jest tests inside were not tests:
/// an edit selected none of them, and `diff` listed a component that does not exist.
#[test]
fn a_bundle_in_a_folder_of_bundles_is_its_own_component_with_its_jest_tests() {
    const INPUT: &str = "lwc/forms/lwc/addressInput";
    const CARD: &str = "lwc/forms/lwc/addressCard";
    let repo = TestRepo::with_base("automation", |repo| {
        let meta = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LightningComponentBundle xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <isExposed>false</isExposed>\n</LightningComponentBundle>\n";
        for (dir, name) in [(INPUT, "addressInput"), (CARD, "addressCard")] {
            repo.write(&main_path(&format!("{dir}/{name}.js-meta.xml")), meta);
            repo.write(
                &main_path(&format!("{dir}/__tests__/{name}.test.js")),
                &format!("import {{ createElement }} from 'lwc';\nimport Subject from 'c/{name}';\n\ndescribe('c-{name}', () => {{\n    it('renders', () => {{\n        const element = createElement('c-{name}', {{ is: Subject }});\n        document.body.appendChild(element);\n        expect(element).toBeTruthy();\n    }});\n}});\n"),
            );
        }
        repo.write(
            &main_path(&format!("{INPUT}/addressInput.js")),
            "import { LightningElement, api } from 'lwc';\n\nexport default class AddressInput extends LightningElement {\n    @api street;\n    get label() {\n        return this.street ? this.street.trim() : '';\n    }\n}\n",
        );
        repo.write(
            &main_path(&format!("{INPUT}/addressInput.html")),
            "<template>\n    <p>{label}</p>\n</template>\n",
        );
        repo.write(
            &main_path(&format!("{CARD}/addressCard.js")),
            "import { LightningElement, api } from 'lwc';\n\nexport default class AddressCard extends LightningElement {\n    @api address;\n}\n",
        );
        repo.write(
            &main_path(&format!("{CARD}/addressCard.html")),
            "<template>\n    <c-address-input street={address}></c-address-input>\n</template>\n",
        );
    });
    repo.edit(
        &main_path(&format!("{INPUT}/addressInput.js")),
        "this.street.trim()",
        "this.street.trim().toUpperCase()",
    );
    repo.commit("Street names in capitals");

    let plan = repo.plan_committed();

    assert_eq!(
        changes(&plan),
        vec![modified("LightningComponentBundle", "addressInput")]
    );
    let test_of =
        |dir: &str, name: &str| format!("force-app/main/default/{dir}/__tests__/{name}.test.js");
    assert_eq!(
        tests_of_kind(&plan, "lwc"),
        vec![test_of(CARD, "addressCard"), test_of(INPUT, "addressInput")]
    );

    let base = repo.base().to_string();
    let diff = repo
        .run(&[
            "diff", "--base", &base, "--head", "HEAD", "--format", "json",
        ])
        .json();
    assert_eq!(
        changes(&diff),
        vec![modified("LightningComponentBundle", "addressInput")]
    );
}
