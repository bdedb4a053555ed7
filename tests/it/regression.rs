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

/// Methods the platform calls on an object the code only made: `compareTo` when a list
/// is sorted, `hasNext`/`next` when an iterator is walked, `call` through `Callable`, a
/// stub's `handleMethodCall`, a callout mock's `respond`. No code names them, so a change
/// to one reached only the tests that name its class themselves (EDA's trigger handlers
/// sort `Comparable` tokens; PMM's trigger tests get a stub from a helper class).
#[test]
fn a_method_the_platform_calls_back_reaches_the_tests_that_use_its_class() {
    let repo = TestRepo::with_base("billing", |repo| {
        let classes = [
            ("InvoiceRank", "public with sharing class InvoiceRank implements Comparable {\n    public Decimal amount;\n    public InvoiceRank(Decimal amount) { this.amount = amount; }\n    public Integer compareTo(Object other) {\n        return amount > ((InvoiceRank) other).amount ? 1 : -1;\n    }\n}\n"),
            ("InvoiceDays", "public with sharing class InvoiceDays implements Iterator<Date> {\n    private Date day;\n    private Date last;\n    public InvoiceDays(Date first, Date last) { this.day = first; this.last = last; }\n    public Boolean hasNext() { return day <= last; }\n    public Date next() {\n        Date current = day;\n        day = day.addDays(1);\n        return current;\n    }\n}\n"),
            ("InvoiceAction", "public with sharing class InvoiceAction implements System.Callable {\n    public Object call(String action, Map<String, Object> args) {\n        return action == 'void' ? 'voided' : null;\n    }\n}\n"),
            ("InvoiceSchedule", "public with sharing class InvoiceSchedule {\n    public static List<InvoiceRank> ranked(List<Decimal> amounts) {\n        List<InvoiceRank> ranks = new List<InvoiceRank>();\n        for (Decimal amount : amounts) { ranks.add(new InvoiceRank(amount)); }\n        ranks.sort();\n        return ranks;\n    }\n    public static Integer days(Date first, Date last) {\n        Integer count = 0;\n        Iterator<Date> days = new InvoiceDays(first, last);\n        while (days.hasNext()) { days.next(); count++; }\n        return count;\n    }\n    public static Object act(String name) {\n        Callable action = new InvoiceAction();\n        return action.call(name, new Map<String, Object>());\n    }\n}\n"),
            ("InvoiceStub", "@IsTest\npublic class InvoiceStub implements System.StubProvider {\n    public Object handleMethodCall(Object stubbed, String name, Type returnType, List<Type> types, List<String> names, List<Object> args) {\n        return null;\n    }\n}\n"),
            ("InvoiceStubs", "@IsTest\npublic class InvoiceStubs {\n    public static InvoiceSchedule schedule() {\n        return (InvoiceSchedule) Test.createStub(InvoiceSchedule.class, new InvoiceStub());\n    }\n}\n"),
            ("RateFeedTest", "@IsTest\npublic class RateFeedTest {\n    public class RateResponse implements HttpCalloutMock {\n        public HttpResponse respond(HttpRequest request) {\n            HttpResponse response = new HttpResponse();\n            response.setBody('{}');\n            return response;\n        }\n    }\n    @IsTest\n    static void readsNothing() { System.assert(true); }\n}\n"),
            ("InvoiceScheduleTest", "@IsTest\nprivate class InvoiceScheduleTest {\n    @IsTest\n    static void ranksDaysAndActs() {\n        System.assertEquals(2, InvoiceSchedule.ranked(new List<Decimal>{ 2, 1 }).size());\n        System.assertEquals(3, InvoiceSchedule.days(Date.today(), Date.today().addDays(2)));\n        System.assertEquals('voided', InvoiceSchedule.act('void'));\n    }\n}\n"),
            ("InvoiceStubTest", "@IsTest\nprivate class InvoiceStubTest {\n    @IsTest\n    static void stubsTheSchedule() {\n        System.assertNotEquals(null, InvoiceStubs.schedule());\n    }\n}\n"),
            ("RateCalloutTest", "@IsTest\nprivate class RateCalloutTest {\n    @IsTest\n    static void mocksTheFeed() {\n        Test.setMock(HttpCalloutMock.class, new RateFeedTest.RateResponse());\n        System.assert(true);\n    }\n}\n"),
        ];
        for (name, text) in classes {
            repo.write_class(name, text);
        }
        // Each deployed class's own test, which the coverage rule takes before the
        // tests that reach it through other classes.
        for class in ["InvoiceRank", "InvoiceDays", "InvoiceAction"] {
            repo.write_class(
                &format!("{class}Test"),
                &format!("@IsTest\nprivate class {class}Test {{\n    @IsTest\n    static void makes() {{\n        System.assertNotEquals(null, {class}.class);\n    }}\n}}\n"),
            );
        }
    });
    let cases = [
        ("InvoiceRank", "? 1 : -1", "? -1 : 1", "InvoiceScheduleTest"),
        (
            "InvoiceDays",
            "day.addDays(1)",
            "day.addDays(2)",
            "InvoiceScheduleTest",
        ),
        ("InvoiceAction", "'voided'", "'void'", "InvoiceScheduleTest"),
        (
            "InvoiceStub",
            "return null;",
            "return 0;",
            "InvoiceStubTest",
        ),
        (
            "RateFeedTest",
            "setBody('{}')",
            "setBody('[]')",
            "RateCalloutTest",
        ),
    ];
    for (changed, from, to, test) in cases {
        repo.edit(&class(changed), from, to);
        repo.commit(&format!("Change {changed}"));
        let plan = repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]);
        let selected = selected_tests(&plan);
        assert!(
            selected.contains(&test.to_string()),
            "{changed}: {selected:?}"
        );
        // The users of the class only: the tests of the others are not run.
        for other in ["InvoiceScheduleTest", "InvoiceStubTest", "RateCalloutTest"] {
            let expected = other == test;
            assert_eq!(
                selected.contains(&other.to_string()),
                expected,
                "{changed}: {selected:?}"
            );
        }
    }
}

/// A fluent assertion library's overloads each return their own class
/// (`Expect.that(Boolean)` a `BooleanExpectation`, `Expect.that(Date)` a
/// `DateExpectation`): the call on what `that` returns was looked up on the first
/// overload's class alone, so a change to `DateExpectation.isAfter` missed the test that
/// calls `Expect.that(someDate).isAfter(…)` (FluentAssert: 101 test classes missed).
#[test]
fn a_call_on_what_overloads_of_different_types_return_reaches_each_class_s_member() {
    let selected = selected_after_editing(
        &[
            ("Expect", "public with sharing class Expect {\n    public static BooleanExpectation that(Boolean actual) { return new BooleanExpectation(actual); }\n    public static DateExpectation that(Date actual) { return new DateExpectation(actual); }\n}\n"),
            ("BooleanExpectation", "public with sharing class BooleanExpectation {\n    private Boolean actual;\n    public BooleanExpectation(Boolean actual) { this.actual = actual; }\n    public void isTrue() { System.assert(actual == true); }\n}\n"),
            ("DateExpectation", "public with sharing class DateExpectation {\n    private Date actual;\n    public DateExpectation(Date actual) { this.actual = actual; }\n    public void isAfter(Date other) { System.assert(actual > other); }\n    public void isToday() { System.assert(actual == Date.today()); }\n}\n"),
            ("DueDateTest", "@IsTest\nprivate class DueDateTest {\n    @IsTest\n    static void isAfterToday() {\n        Expect.that(Date.today().addDays(1)).isAfter(Date.today());\n    }\n}\n"),
            ("TodayTest", "@IsTest\nprivate class TodayTest {\n    @IsTest\n    static void isToday() {\n        Expect.that(Date.today()).isToday();\n    }\n}\n"),
        ],
        (
            &class("DateExpectation"),
            "System.assert(actual > other);",
            "System.assert(actual > other, 'not after');",
        ),
    );

    assert!(
        selected.contains(&"DueDateTest".to_string()),
        "{selected:?}"
    );
    // Another member of the class, and another class's, are not reached.
    assert!(!selected.contains(&"TodayTest".to_string()), "{selected:?}");
}

/// A builder's flag and the method that sets it share a name (`Boolean strict` and
/// `Safely strict()`, which returns the builder): a call chained on the method,
/// `new Safely().strict().doDelete(a)`, is a call of `Safely.doDelete`. The two types
/// made the name's type unknown, and the call reached every `doDelete` of the
/// repository (ApexKit: `SafelyTests` ran for a change to `BaseRepo.doDelete`). Two
/// overloads of different types still leave it unknown (above).
#[test]
fn a_call_on_a_method_named_as_a_primitive_field_is_on_the_method_s_type() {
    let classes = [
        ("Safely", "public with sharing class Safely {\n    private Boolean strict = false;\n    public Safely strict() {\n        this.strict = true;\n        return this;\n    }\n    public Integer doDelete(Account record) { return strict ? 1 : 0; }\n}\n"),
        ("BaseRepo", "public with sharing class BaseRepo {\n    public Integer doDelete(Account record) { return 2; }\n}\n"),
        ("SafelyTest", "@IsTest\nprivate class SafelyTest {\n    @IsTest\n    static void deletes() {\n        System.assertEquals(1, new Safely().strict().doDelete(new Account()));\n    }\n}\n"),
        ("BaseRepoTest", "@IsTest\nprivate class BaseRepoTest {\n    @IsTest\n    static void deletes() {\n        System.assertEquals(2, new BaseRepo().doDelete(new Account()));\n    }\n}\n"),
    ];
    let selected = selected_after_editing(&classes, (&class("BaseRepo"), "return 2;", "return 3;"));
    assert!(
        selected.contains(&"BaseRepoTest".to_string()),
        "{selected:?}"
    );
    assert!(
        !selected.contains(&"SafelyTest".to_string()),
        "{selected:?}"
    );

    let selected = selected_after_editing(
        &classes,
        (
            &class("Safely"),
            "return strict ? 1 : 0;",
            "return strict ? 1 : -1;",
        ),
    );
    assert!(selected.contains(&"SafelyTest".to_string()), "{selected:?}");
    assert!(
        !selected.contains(&"BaseRepoTest".to_string()),
        "{selected:?}"
    );
}

/// A custom metadata record named alone in a string (`'Apply_Discount'` for
/// `Order_Handler.Apply_Discount`), as a test hands it to a helper of another package
/// that reads the record (navikt's `ApiMock.setTestMock('POST_SKATTEKORT_API', 200)`):
/// a change to the record runs that test, and a change to another record does not.
/// (The record reached only its type's readers: the test was missed.)
#[test]
fn a_custom_metadata_record_named_alone_in_a_string_reaches_the_code_that_names_it() {
    let selected = tests_naming_a_changed_record(
        |_| {},
        &[
            ("DiscountToggleTest", "'Apply_Discount'"),
            ("LinesToggleTest", "'Validate_Lines'"),
        ],
        "Apply_Discount",
    );
    assert_eq!(selected, ["DiscountToggleTest"]);
}

/// A record named with a plain word (`Order_Handler.Shipping`) goes by its full name,
/// not by the word alone: `'Shipping'` in a test's data is no use of it (Woonstad's
/// records `Account`, `Contact` and `Case` reached every test that wrote the word).
#[test]
fn a_record_named_with_a_plain_word_is_not_every_string_of_that_word() {
    let selected = tests_naming_a_changed_record(
        |repo| {
            repo.write(
                "force-app/main/default/customMetadata/Order_Handler.Shipping.md-meta.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomMetadata xmlns=\"http://soap.sforce.com/2006/04/metadata\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n    <label>Shipping</label>\n    <protected>false</protected>\n    <values>\n        <field>Sequence__c</field>\n        <value xsi:type=\"xsd:double\">20.0</value>\n    </values>\n</CustomMetadata>\n",
            );
        },
        &[
            ("ShippingToggleTest", "'Order_Handler.Shipping'"),
            ("ShippingLabelTest", "'Shipping'"),
        ],
        "Shipping",
    );
    assert_eq!(selected, ["ShippingToggleTest"]);
}

/// Code that names a custom metadata type in a string (a query factory's object,
/// `Database.query('SELECT … FROM ' + objectName)`) reads its records: a changed record
/// reaches it (CnC's `MB_Docusign.getObjectToken('DocuSign_Recipient_Configuration__mdt')`:
/// a record's new value made `MB_DocusignTest` fail, and the plan missed it). A string
/// naming another type does not.
#[test]
fn a_custom_metadata_type_named_in_a_string_reaches_its_readers() {
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write_class(
            "MetadataRows",
            "public with sharing class MetadataRows {\n    public static Integer count(String objectName) {\n        return Database.query('SELECT Id FROM ' + objectName).size();\n    }\n    public static Boolean anyHandler() {\n        return count('Order_Handler__mdt') > 0;\n    }\n    public static Boolean anyRoute() {\n        return count('Order_Route__mdt') > 0;\n    }\n}\n",
        );
        for (test, method) in [
            ("HandlerRowsTest", "anyHandler"),
            ("RouteRowsTest", "anyRoute"),
        ] {
            repo.write_class(
                test,
                &format!("@IsTest\nprivate class {test} {{\n    @IsTest\n    static void counts() {{\n        System.assert(MetadataRows.{method}());\n    }}\n}}\n"),
            );
        }
    });
    repo.edit(
        "force-app/main/default/customMetadata/Order_Handler.Apply_Discount.md-meta.xml",
        "<value xsi:type=\"xsd:double\">20.0</value>",
        "<value xsi:type=\"xsd:double\">15.0</value>",
    );
    repo.commit("The record's value");

    let selected = selected_tests(&repo.plan_committed());

    assert!(
        selected.contains(&"HandlerRowsTest".to_string()),
        "{selected:?}"
    );
    assert!(
        !selected.contains(&"RouteRowsTest".to_string()),
        "{selected:?}"
    );
}

/// An enum constant's name (`Toggle.APPLY_DISCOUNT.name()`) is a string as much as a
/// literal is: a custom metadata record named so is reached (navikt's tests name the
/// records their callout mocks read through a `Services` enum).
#[test]
fn an_enum_constant_s_name_reaches_the_custom_metadata_record_named_so() {
    let selected = tests_naming_a_changed_record(
        |repo| {
            repo.write_class(
                "Toggle",
                "public enum Toggle { Apply_Discount, Validate_Lines }\n",
            );
        },
        &[
            ("DiscountToggleTest", "Toggle.Apply_Discount.name()"),
            ("LinesToggleTest", "Toggle.Validate_Lines.name()"),
        ],
        "Apply_Discount",
    );
    assert_eq!(selected, ["DiscountToggleTest"]);
}

/// In the billing org with `classes` (name, source) on the base, edits one file
/// (`path`, `from` → `to`) and commits: the tests the plan selects.
fn selected_after_editing(classes: &[(&str, &str)], edit: (&str, &str, &str)) -> Vec<String> {
    selected_after_editing_with(classes, None, edit)
}

/// Asserts that the plan of `edit`, with `classes` on the base, selects `test`.
#[track_caller]
fn assert_edit_selects(classes: &[(&str, &str)], edit: (&str, &str, &str), test: &str) {
    let selected = selected_after_editing(classes, edit);
    assert!(selected.contains(&test.to_string()), "{test}: {selected:?}");
}

/// [`selected_after_editing`], with a trigger (name, source) on the base as well.
fn selected_after_editing_with_trigger(
    classes: &[(&str, &str)],
    trigger: (&str, &str),
    edit: (&str, &str, &str),
) -> Vec<String> {
    selected_after_editing_with(classes, Some(trigger), edit)
}

fn selected_after_editing_with(
    classes: &[(&str, &str)],
    trigger: Option<(&str, &str)>,
    (path, from, to): (&str, &str, &str),
) -> Vec<String> {
    let repo = TestRepo::with_base("billing", |repo| {
        for (name, text) in classes {
            repo.write_class(name, text);
        }
        if let Some((name, text)) = trigger {
            repo.write_trigger(name, text);
        }
    });
    repo.edit(path, from, to);
    repo.commit("The edit");
    selected_tests(&repo.plan_committed())
}

/// In the automation org, with `prepare` on the base and a test class for each of
/// `tests` (its name, and the argument it hands `FeatureToggles.isOn`), changes the
/// value of the record `Order_Handler.<record>` from 20 to 15: which of those tests the
/// plan selects.
fn tests_naming_a_changed_record(
    prepare: impl FnOnce(&TestRepo),
    tests: &[(&str, &str)],
    record: &str,
) -> Vec<String> {
    let repo = TestRepo::with_base("automation", |repo| {
        prepare(repo);
        for (name, argument) in tests {
            repo.write_class(
                name,
                &format!("@IsTest\nprivate class {name} {{\n    @IsTest\n    static void isOn() {{\n        System.assert(FeatureToggles.isOn({argument}));\n    }}\n}}\n"),
            );
        }
    });
    repo.edit(
        &format!("force-app/main/default/customMetadata/Order_Handler.{record}.md-meta.xml"),
        "<value xsi:type=\"xsd:double\">20.0</value>",
        "<value xsi:type=\"xsd:double\">15.0</value>",
    );
    repo.commit("The record's value");
    let selected = selected_tests(&repo.plan_committed());
    tests
        .iter()
        .map(|(name, _)| name.to_string())
        .filter(|name| selected.contains(name))
        .collect()
}

/// An element of a list read by index, where the list is another class's field
/// (`person.addresses[0].label()`), is of the list's element type: the call reaches
/// `Address.label`, not every `label` of the repository (navikt's
/// `kafkaPerson.sivilstand[0].type` reached every member named `type`: 12–13 Kafka tests
/// ran for unrelated changes).
#[test]
fn an_element_of_another_class_s_list_field_is_of_its_element_type() {
    let classes = [
        ("Person", "public with sharing class Person {\n    public List<Address> addresses = new List<Address>();\n}\n"),
        ("Address", "public with sharing class Address {\n    public String city;\n    public String label() { return 'Home: ' + city; }\n}\n"),
        ("Shop", "public with sharing class Shop {\n    public String label() { return 'Shop'; }\n}\n"),
        ("PersonFormatter", "public with sharing class PersonFormatter {\n    public static String format(Person person) {\n        return person.addresses[0].label();\n    }\n}\n"),
        ("PersonFormatterTest", "@IsTest\nprivate class PersonFormatterTest {\n    @IsTest\n    static void formats() {\n        Person person = new Person();\n        person.addresses.add(new Address());\n        System.assert(PersonFormatter.format(person).startsWith('Home'));\n    }\n}\n"),
        ("ShopTest", "@IsTest\nprivate class ShopTest {\n    @IsTest\n    static void labels() {\n        System.assertEquals('Shop', new Shop().label());\n    }\n}\n"),
    ];
    let selected = selected_after_editing(
        &classes,
        (&class("Shop"), "return 'Shop';", "return 'Store';"),
    );
    assert!(selected.contains(&"ShopTest".to_string()), "{selected:?}");
    assert!(
        !selected.contains(&"PersonFormatterTest".to_string()),
        "{selected:?}"
    );

    let selected = selected_after_editing(&classes, (&class("Address"), "'Home: '", "'Home - '"));
    assert!(
        selected.contains(&"PersonFormatterTest".to_string()),
        "{selected:?}"
    );
    assert!(!selected.contains(&"ShopTest".to_string()), "{selected:?}");
}

/// A call through a chain of a static field and a property, `Injector.Org.Bindings.get()`
/// (force-di's `di_Injector.Org.Bindings.byName(…).get()`), reaches the method of the
/// property's type. The chain read as a type name was typed one link deep: the call
/// reached nothing and its test was missed; a plain field (`Injector.Org.plain`) was
/// typed.
#[test]
fn a_call_through_a_static_field_and_a_property_reaches_the_property_s_method() {
    let selected = selected_after_editing(
        &[
            ("Injector", "public with sharing class Injector {\n    public static final Injector Org = new Injector();\n    public BindingSet Bindings { get; private set; }\n    public Injector() { Bindings = new BindingSet(); }\n}\n"),
            ("BindingSet", "public with sharing class BindingSet {\n    public List<String> get() { return new List<String>{ 'invoice' }; }\n}\n"),
            ("Resolver", "public with sharing class Resolver {\n    public static List<String> bound() { return Injector.Org.Bindings.get(); }\n}\n"),
            ("ResolverTest", "@IsTest\nprivate class ResolverTest {\n    @IsTest\n    static void resolves() {\n        System.assertEquals(1, Resolver.bound().size());\n    }\n}\n"),
            // Covers the changed class, so the coverage rule does not need the test above.
            ("BindingSetTest", "@IsTest\nprivate class BindingSetTest {\n    @IsTest\n    static void binds() {\n        System.assertEquals(1, new BindingSet().get().size());\n    }\n}\n"),
        ],
        (&class("BindingSet"), "'invoice'", "'invoice', 'order'"),
    );

    assert!(
        selected.contains(&"ResolverTest".to_string()),
        "{selected:?}"
    );
}

/// A platform type whose namespace a class of the repository shadows
/// (`Database.DmlOptions` beside a class named `Database`, as NebulaLogger keeps one to
/// test name shadowing) is the platform's: `new Database.DmlOptions()` reaches no
/// constructor of the repository. It was an unknown type, whose constructor call
/// reached every constructor (a formula change ran 47 of NebulaLogger's tests, 8 now).
#[test]
fn a_platform_type_beside_a_class_of_its_namespace_s_name_is_the_platform_s() {
    let selected = selected_after_editing(
        &[
            ("Database", "public with sharing class Database {\n    public static String describe() { return 'shadow'; }\n}\n"),
            ("Saver", "public with sharing class Saver {\n    public static Boolean partial() {\n        Database.DmlOptions options = new Database.DmlOptions();\n        return options.optAllOrNone == null;\n    }\n}\n"),
            ("SaverTest", "@IsTest\nprivate class SaverTest {\n    @IsTest\n    static void isPartial() {\n        System.assert(Saver.partial());\n    }\n}\n"),
            ("Counter", "public with sharing class Counter {\n    public Integer count;\n    public Counter() { count = 0; }\n}\n"),
            ("CounterTest", "@IsTest\nprivate class CounterTest {\n    @IsTest\n    static void startsAtZero() {\n        System.assertEquals(0, new Counter().count);\n    }\n}\n"),
        ],
        (&class("Counter"), "count = 0;", "count = 0 + 0;"),
    );

    assert!(
        selected.contains(&"CounterTest".to_string()),
        "{selected:?}"
    );
    assert!(!selected.contains(&"SaverTest".to_string()), "{selected:?}");
}

/// The custom fields tasks and events share are declared on `Activity`
/// (`objects/Activity/fields/`), and code names them on `Task` or `Event`: a change to
/// one reaches the code that reads or writes `Task.X__c`, and a default's change reaches
/// the code that saves tasks (the default fills every new task). Before, `Task.X__c` was
/// another field than `Activity.X__c`, and both tests were missed (navikt's
/// crm-arbeidsforhold: shortening `Activity.AAREG_AccessRequest__c` selected nothing).
#[test]
fn an_activity_field_is_the_field_of_tasks_and_events() {
    let field = |name: &str, body: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>{name}</fullName>\n    <label>{name}</label>\n{body}</CustomField>\n"
        )
    };
    let fields = "force-app/main/default/objects/Activity/fields";
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write(
            &format!("{fields}/Access_Request__c.field-meta.xml"),
            &field(
                "Access_Request__c",
                "    <length>18</length>\n    <type>Text</type>\n",
            ),
        );
        repo.write(
            &format!("{fields}/Follow_Up_Days__c.field-meta.xml"),
            &field(
                "Follow_Up_Days__c",
                "    <defaultValue>3</defaultValue>\n    <precision>3</precision>\n    <scale>0</scale>\n    <type>Number</type>\n",
            ),
        );
        let classes = [
            ("AccessRequestTasks", "public with sharing class AccessRequestTasks {\n    public static List<Task> of(Id request) {\n        return [SELECT Id FROM Task WHERE Access_Request__c = :request];\n    }\n}\n"),
            ("AccessRequestTasksTest", "@IsTest\nprivate class AccessRequestTasksTest {\n    @IsTest\n    static void findsTheRequestsTasks() {\n        System.assertEquals(0, AccessRequestTasks.of(UserInfo.getUserId()).size());\n    }\n}\n"),
            ("CallLog", "public with sharing class CallLog {\n    public static void log(String subject) {\n        insert new Task(Subject = subject);\n    }\n}\n"),
            ("CallLogTest", "@IsTest\nprivate class CallLogTest {\n    @IsTest\n    static void logsACall() {\n        CallLog.log('Called');\n        System.assertEquals(1, [SELECT COUNT() FROM Task]);\n    }\n}\n"),
        ];
        for (name, text) in classes {
            repo.write_class(name, text);
        }
    });
    repo.edit(
        &format!("{fields}/Access_Request__c.field-meta.xml"),
        "<length>18</length>",
        "<length>15</length>",
    );
    let before = repo.commit("Shorter request ids");
    let selected = selected_tests(&repo.plan_committed());
    assert!(
        selected.contains(&"AccessRequestTasksTest".to_string()),
        "{selected:?}"
    );

    repo.edit(
        &format!("{fields}/Follow_Up_Days__c.field-meta.xml"),
        "<defaultValue>3</defaultValue>",
        "<defaultValue>5</defaultValue>",
    );
    repo.commit("A longer follow-up");
    let selected = selected_tests(&repo.plan_json(&["--base", &before, "--head", "HEAD"]));
    assert!(
        selected.contains(&"CallLogTest".to_string()),
        "{selected:?}"
    );
    assert!(
        !selected.contains(&"AccessRequestTasksTest".to_string()),
        "{selected:?}"
    );
}

/// A project with a namespace (`sfdx-project.json`'s `namespace`) may write its own
/// objects and fields with the prefix in Apex (`bill__Order__c`, as a packaged org
/// names them) while its triggers and flows name them without (`Order__c`). They were
/// two objects to `impact`: a trigger change missed the tests that save the prefixed
/// name (AnimalShelterStarter: 8 tests over 5 commits). In a project without that
/// namespace the prefix is another package's object, and nothing is joined.
#[test]
fn a_project_s_own_namespace_prefix_names_its_own_objects() {
    const TEST: &str = "@IsTest\nprivate class ImportedOrderTest {\n    @IsTest\n    static void importsAnOrder() {\n        bill__Order__c order = new bill__Order__c(bill__Amount__c = 10);\n        insert order;\n        System.assertNotEquals(null, order.Id);\n    }\n}\n";
    for (namespace, selected) in [("bill", true), ("", false)] {
        let repo = TestRepo::with_base("automation", |repo| {
            repo.edit(
                "sfdx-project.json",
                "\"namespace\": \"\"",
                &format!("\"namespace\": \"{namespace}\""),
            );
            repo.write_class("ImportedOrderTest", TEST);
        });
        repo.edit(
            "force-app/main/default/triggers/OrderTrigger.trigger",
            "OrderHandlerDispatcher.run(Trigger.operationType, Trigger.new, Trigger.oldMap);",
            "if (Trigger.new.isEmpty()) { return; }\n    OrderHandlerDispatcher.run(Trigger.operationType, Trigger.new, Trigger.oldMap);",
        );
        repo.commit("Nothing to dispatch for no records");

        let tests = selected_tests(&repo.plan_committed());

        assert_eq!(
            tests.contains(&"ImportedOrderTest".to_string()),
            selected,
            "namespace {namespace:?}: {tests:?}"
        );
    }
}

/// A batch that inherits its `execute` from an abstract base (which implements no
/// platform interface itself) runs that `execute` when code hands the batch to
/// `Database.executeBatch`, also when the batch declares an `execute` of its own for
/// `Schedulable`: a change to the base's reaches the code that starts the batch (NPSP's
/// roll-up batches: six test classes missed).
#[test]
fn a_batch_s_inherited_execute_runs_for_the_code_that_starts_the_batch() {
    let selected = selected_after_editing(
        &[
            ("AbstractSweep", "public abstract class AbstractSweep {\n    public Database.QueryLocator start(Database.BatchableContext bc) {\n        return Database.getQueryLocator('SELECT Id FROM Account');\n    }\n    public void execute(Database.BatchableContext bc, List<SObject> records) {\n        System.debug(records.size());\n    }\n    public void finish(Database.BatchableContext bc) {\n        System.debug('done');\n    }\n}\n"),
            ("AccountSweep", "public class AccountSweep extends AbstractSweep implements Database.Batchable<SObject>, Schedulable {\n    public void execute(SchedulableContext context) {\n        Database.executeBatch(new AccountSweep());\n    }\n}\n"),
            ("SweepService", "public with sharing class SweepService {\n    public static Id run() {\n        return Database.executeBatch(new AccountSweep());\n    }\n}\n"),
            ("SweepServiceTest", "@IsTest\nprivate class SweepServiceTest {\n    @IsTest\n    static void runs() {\n        Test.startTest();\n        Id job = SweepService.run();\n        Test.stopTest();\n        System.assertNotEquals(null, job);\n    }\n}\n"),
            ("AbstractSweepTest", "@IsTest\nprivate class AbstractSweepTest {\n    @IsTest\n    static void finishes() {\n        new AccountSweep().finish(null);\n        System.assert(true);\n    }\n}\n"),
        ],
        (
            &class("AbstractSweep"),
            "System.debug(records.size());",
            "System.debug('swept ' + records.size());",
        ),
    );

    assert!(
        selected.contains(&"SweepServiceTest".to_string()),
        "{selected:?}"
    );
}

/// A job's override of a hook its abstract queueable base runs from the platform's entry
/// point (`execute(QueueableContext)` calling `this.work()`) runs for the code that hands
/// the job to the platform (`System.enqueueJob(this)` in the base): every test that starts
/// that job is selected, and none that starts only a sibling job (apex-async-chainable:
/// `ChainableQueueableSuccess.execute()` and `ChainableBatchQLSuccess.start()`, each
/// started by two test classes, reached neither).
#[test]
fn an_override_run_from_an_inherited_platform_entry_reaches_the_tests_that_start_the_job() {
    let test = |name: &str, job: &str| {
        format!("@IsTest\nprivate class {name} {{\n    @IsTest\n    static void runs() {{\n        Test.startTest();\n        new {job}().start();\n        Test.stopTest();\n        System.assert(true);\n    }}\n}}\n")
    };
    let (first, second, sibling) = (
        test("NightlyRunTest", "LedgerJob"),
        test("MonthEndTest", "LedgerJob"),
        test("ReminderRunTest", "ReminderJob"),
    );
    let selected = selected_after_editing(
        &[
            ("ChainJob", "public abstract class ChainJob implements Queueable {\n    public static final Integer PRIORITY = 1;\n    protected abstract void work();\n    public void execute(QueueableContext context) {\n        this.work();\n    }\n    public Id start() {\n        return System.enqueueJob(this);\n    }\n}\n"),
            ("LedgerJob", "public class LedgerJob extends ChainJob {\n    protected override void work() {\n        System.debug('ledger');\n    }\n}\n"),
            // A sibling whose constructor names the base class runs for itself.
            ("ReminderJob", "public class ReminderJob extends ChainJob {\n    public ReminderJob() {\n        System.debug(ChainJob.PRIORITY);\n    }\n    protected override void work() {\n        System.debug('reminders');\n    }\n}\n"),
            ("NightlyRunTest", &first),
            ("MonthEndTest", &second),
            ("ReminderRunTest", &sibling),
            // The job's own test covers it: no test is added only for coverage.
            ("LedgerJobTest", "@IsTest\nprivate class LedgerJobTest {\n    @IsTest\n    static void makes() {\n        System.assertNotEquals(null, new LedgerJob());\n    }\n}\n"),
        ],
        (
            &class("LedgerJob"),
            "System.debug('ledger');",
            "System.debug('ledger closed');",
        ),
    );

    for test in ["NightlyRunTest", "MonthEndTest"] {
        assert!(selected.contains(&test.to_string()), "{test}: {selected:?}");
    }
    assert!(
        !selected.contains(&"ReminderRunTest".to_string()),
        "{selected:?}"
    );
}

/// A handler bound to a trigger framework installed as a package
/// (`Triggers.dispatcher.bind(…, new PaymentWebhooks())`, the handler implementing the
/// package's `Triggers.IHandler`) runs through the package's call of its
/// `handle(Triggers.Context)`, which no code of the repository makes: a change to what
/// it runs reaches the tests that save the trigger's object, also through a notifier
/// that names another object (the trigger makes the handler itself). Apex-ChatBot-Hub:
/// eight edits of its handlers and the services they run missed the tests that insert
/// bots or publish their events.
#[test]
fn a_handler_a_packaged_framework_calls_runs_for_the_trigger_that_binds_it() {
    let classes = [
        ("PaymentWebhooks", "public with sharing class PaymentWebhooks implements Triggers.IHandler {\n    public void handle(Triggers.Context context) {\n        for (Notifier notifier : Notifiers.all()) {\n            notifier.send();\n        }\n    }\n}\n"),
        ("Notifier", "public abstract class Notifier {\n    public abstract void send();\n}\n"),
        ("MailNotifier", "public class MailNotifier extends Notifier {\n    public override void send() {\n        System.debug([SELECT COUNT() FROM Invoice__c]);\n    }\n}\n"),
        ("Notifiers", "public with sharing class Notifiers {\n    public static List<Notifier> all() {\n        return new List<Notifier>{ new MailNotifier() };\n    }\n}\n"),
        ("MailNotifierTest", "@IsTest\nprivate class MailNotifierTest {\n    @IsTest\n    static void sends() {\n        new MailNotifier().send();\n        System.assert(true);\n    }\n}\n"),
        ("PaymentSaveTest", "@IsTest\nprivate class PaymentSaveTest {\n    @IsTest\n    static void saves() {\n        Account account = new Account(Name = 'A');\n        insert account;\n        Invoice__c invoice = new Invoice__c(Account__c = account.Id);\n        insert invoice;\n        insert new Payment__c(Invoice__c = invoice.Id, Amount__c = 1);\n        System.assert(true);\n    }\n}\n"),
    ];
    let trigger = (
        "PaymentTrigger",
        "trigger PaymentTrigger on Payment__c (after insert) {\n    Triggers.dispatcher.bind(TriggerOperation.AFTER_INSERT, new PaymentWebhooks()).run();\n}\n",
    );
    let selected = selected_after_editing_with_trigger(
        &classes,
        trigger,
        (
            &class("MailNotifier"),
            "SELECT COUNT() FROM Invoice__c",
            "SELECT COUNT(Id) FROM Invoice__c",
        ),
    );

    assert!(
        selected.contains(&"PaymentSaveTest".to_string()),
        "{selected:?}"
    );
}

/// The Trigger Actions Framework kept in the repository, as happysoup keeps an old
/// version of it: the trigger runs `new MetadataTriggerHandler().run()`, the base class's
/// `run()` calls `((TriggerAction.AfterInsert) this).afterInsert(…)`, and the handler's
/// `afterInsert` runs the actions its custom metadata lists. A change to the handler
/// reaches the tests that insert the trigger's object: the custom metadata type it
/// queries is no object it handles (taken for one, it stopped the walk at every trigger
/// on another object: happysoup's changes to the handler, and to the records it reads,
/// selected its own test only).
#[test]
fn a_handler_run_by_its_base_class_through_a_cast_of_this_reaches_the_trigger_s_tests() {
    let classes = [
        ("TriggerAction", "public class TriggerAction {\n    public interface AfterInsert {\n        void afterInsert(List<SObject> newList);\n    }\n}\n"),
        ("TriggerBase", "public inherited sharing virtual class TriggerBase {\n    public void run() {\n        if (Trigger.operationType == System.TriggerOperation.AFTER_INSERT && this instanceof TriggerAction.AfterInsert) {\n            ((TriggerAction.AfterInsert) this).afterInsert(Trigger.new);\n        }\n    }\n}\n"),
        ("MetadataTriggerHandler", "public inherited sharing class MetadataTriggerHandler extends TriggerBase implements TriggerAction.AfterInsert {\n    public void afterInsert(List<SObject> newList) {\n        this.executeActions(newList);\n    }\n    private void executeActions(List<SObject> newList) {\n        for (Trigger_Action__mdt action : [SELECT Apex_Class_Name__c FROM Trigger_Action__mdt]) {\n            System.debug(newList.size());\n        }\n    }\n}\n"),
        ("InvoiceSaveTest", "@IsTest\nprivate class InvoiceSaveTest {\n    @IsTest\n    static void saves() {\n        Account account = new Account(Name = 'A');\n        insert account;\n        insert new Invoice__c(Account__c = account.Id);\n        System.assert(true);\n    }\n}\n"),
        ("MetadataTriggerHandlerTest", "@IsTest\nprivate class MetadataTriggerHandlerTest {\n    @IsTest\n    static void runs() {\n        new MetadataTriggerHandler().afterInsert(new List<SObject>());\n        System.assert(true);\n    }\n}\n"),
    ];
    let trigger = (
        "InvoiceActions",
        "trigger InvoiceActions on Invoice__c (after insert) {\n    new MetadataTriggerHandler().run();\n}\n",
    );
    let selected = selected_after_editing_with_trigger(
        &classes,
        trigger,
        (
            &class("MetadataTriggerHandler"),
            "System.debug(newList.size());",
            "System.debug(newList.size() + 1);",
        ),
    );
    assert!(
        selected.contains(&"InvoiceSaveTest".to_string()),
        "{selected:?}"
    );
}

/// Code under `if (!Test.isRunningTest())` never runs in a test: a change to what only
/// it calls reaches no test through it (charterschoolcapital's `OpportunityAfterTrigger`
/// creates forms outside tests only, and 144 of 166 tests of a plan came through it;
/// hair-sfdx's triggers start a batch so), while what runs beside it still does.
#[test]
fn code_no_test_runs_reaches_no_test_through_it() {
    assert_mailer_runs_outside_tests_only(
        &[],
        "trigger InvoiceNotices on Invoice__c (after insert) {\n    if (!Test.isRunningTest()) {\n        InvoiceMailer.send(Trigger.new);\n    }\n    InvoiceLog.write(Trigger.new);\n}\n",
    );
}

/// With `classes` beside a mailer, a log and their tests, and the trigger `InvoiceNotices`
/// written as `trigger`, which runs the mailer outside tests only and the log always:
/// a change to the mailer reaches its own test and not a test that saves an invoice,
/// and a change to the log reaches that test.
#[track_caller]
fn assert_mailer_runs_outside_tests_only(classes: &[(&str, &str)], trigger: &str) {
    let mut all = vec![
        ("InvoiceMailer", "public with sharing class InvoiceMailer {\n    public static void send(List<Invoice__c> invoices) {\n        System.debug(invoices.size());\n    }\n}\n"),
        ("InvoiceLog", "public with sharing class InvoiceLog {\n    public static void write(List<Invoice__c> invoices) {\n        System.debug(invoices.size());\n    }\n}\n"),
        ("InvoiceMailerTest", "@IsTest\nprivate class InvoiceMailerTest {\n    @IsTest\n    static void sends() {\n        InvoiceMailer.send(new List<Invoice__c>());\n        System.assert(true);\n    }\n}\n"),
        ("InvoiceLogTest", "@IsTest\nprivate class InvoiceLogTest {\n    @IsTest\n    static void writes() {\n        InvoiceLog.write(new List<Invoice__c>());\n        System.assert(true);\n    }\n}\n"),
        ("InvoiceSaveTest", "@IsTest\nprivate class InvoiceSaveTest {\n    @IsTest\n    static void saves() {\n        Account account = new Account(Name = 'A');\n        insert account;\n        insert new Invoice__c(Account__c = account.Id);\n        System.assert(true);\n    }\n}\n"),
    ];
    all.extend_from_slice(classes);
    let trigger = ("InvoiceNotices", trigger);
    let edit = |name: &str| {
        selected_after_editing_with_trigger(
            &all,
            trigger,
            (&class(name), "invoices.size()", "invoices.size() + 1"),
        )
    };
    let mailer = edit("InvoiceMailer");
    assert!(
        mailer.contains(&"InvoiceMailerTest".to_string())
            && !mailer.contains(&"InvoiceSaveTest".to_string()),
        "{mailer:?}"
    );
    let log = edit("InvoiceLog");
    assert!(log.contains(&"InvoiceSaveTest".to_string()), "{log:?}");
}

/// A getter and a `void` setter of one name share a node: the chain
/// `Environment.current().handler().process(e)` goes on from the getter's type, not the
/// setter's `void` (sf-accc-dx declares `exceptionhandler()` before `void
/// exceptionhandler(handler)`, and 21 such chains were taken for calls of every `process`
/// of the repository: 74 of 101 tests for an edit of an unrelated one).
#[test]
fn a_void_setter_does_not_hide_its_getter_s_type_in_a_call_chain() {
    let classes = [
        ("Handler", "public interface Handler {\n    void process(Exception failure);\n}\n"),
        ("Environment", "public interface Environment {\n    Handler handler();\n    void handler(Handler replacement);\n}\n"),
        ("LogHandler", "public class LogHandler implements Handler {\n    public void process(Exception failure) {\n        System.debug(failure.getMessage());\n    }\n}\n"),
        ("DefaultEnvironment", "public class DefaultEnvironment implements Environment {\n    private Handler current = new LogHandler();\n    public Handler handler() {\n        return current;\n    }\n    public void handler(Handler replacement) {\n        current = replacement;\n    }\n    public static Environment get() {\n        return new DefaultEnvironment();\n    }\n}\n"),
        ("BatchStep", "public class BatchStep {\n    public void process(Exception failure) {\n        System.debug(LoggingLevel.ERROR, failure);\n    }\n}\n"),
        ("Parser", "public with sharing class Parser {\n    public static Integer parse(String value) {\n        try {\n            return Integer.valueOf(value);\n        } catch (Exception failure) {\n            DefaultEnvironment.get().handler().process(failure);\n            return null;\n        }\n    }\n}\n"),
        ("ParserTest", "@IsTest\nprivate class ParserTest {\n    @IsTest\n    static void parses() {\n        System.assertEquals(null, Parser.parse('x'));\n    }\n}\n"),
        ("BatchStepTest", "@IsTest\nprivate class BatchStepTest {\n    @IsTest\n    static void processes() {\n        new BatchStep().process(new DmlException('x'));\n        System.assert(true);\n    }\n}\n"),
        ("LogHandlerTest", "@IsTest\nprivate class LogHandlerTest {\n    @IsTest\n    static void logs() {\n        new LogHandler().process(new DmlException('x'));\n        System.assert(true);\n    }\n}\n"),
    ];
    let unrelated = selected_after_editing(
        &classes,
        (
            &class("BatchStep"),
            "System.debug(LoggingLevel.ERROR, failure);",
            "System.debug(LoggingLevel.WARN, failure);",
        ),
    );
    assert!(
        unrelated.contains(&"BatchStepTest".to_string())
            && !unrelated.contains(&"ParserTest".to_string()),
        "{unrelated:?}"
    );
    assert_edit_selects(
        &classes,
        (
            &class("LogHandler"),
            "System.debug(failure.getMessage());",
            "System.debug(failure.getTypeName());",
        ),
        "ParserTest",
    );
}

/// A `for` loop over an object calls its class's `iterator()`, which no code names:
/// the platform does. A class that implements `Iterable` through an interface of the
/// repository (force-framework's immutable collections, through
/// `ImmutableV1.Collection extends Iterable<Object>`), or a subclass of one that does,
/// is iterated so too: a change to its `iterator()` reaches the tests that use the
/// class, not only its own.
#[test]
fn an_iterator_inherited_through_an_interface_of_the_repository_reaches_the_users_of_its_class() {
    let classes = [
        ("Items", "public interface Items extends Iterable<Object> {\n    Integer size();\n}\n"),
        ("ItemList", "public virtual class ItemList implements Items {\n    protected List<Object> values = new List<Object>{ 1, 2 };\n    public Integer size() {\n        return values.size();\n    }\n    public virtual Iterator<Object> iterator() {\n        return values.iterator();\n    }\n}\n"),
        ("SortedItems", "public class SortedItems extends ItemList {\n    public override Iterator<Object> iterator() {\n        List<Object> copy = values.clone();\n        return copy.iterator();\n    }\n}\n"),
        ("Counter", "public with sharing class Counter {\n    public static Integer count(Items items) {\n        Integer counted = 0;\n        for (Object item : items) {\n            counted++;\n        }\n        return counted;\n    }\n}\n"),
        ("ItemListTest", "@IsTest\nprivate class ItemListTest {\n    @IsTest\n    static void sizes() {\n        System.assertEquals(2, new ItemList().size());\n        System.assertEquals(2, new SortedItems().size());\n    }\n}\n"),
        ("CounterTest", "@IsTest\nprivate class CounterTest {\n    @IsTest\n    static void counts() {\n        System.assertEquals(2, Counter.count(new ItemList()));\n    }\n}\n"),
        ("SortedCounterTest", "@IsTest\nprivate class SortedCounterTest {\n    @IsTest\n    static void counts() {\n        System.assertEquals(2, Counter.count(new SortedItems()));\n    }\n}\n"),
    ];
    assert_edit_selects(
        &classes,
        (
            &class("ItemList"),
            "return values.iterator();",
            "return values.clone().iterator();",
        ),
        "CounterTest",
    );
    assert_edit_selects(
        &classes,
        (
            &class("SortedItems"),
            "return copy.iterator();",
            "copy.sort();\n        return copy.iterator();",
        ),
        "SortedCounterTest",
    );
}

/// What follows `if (Test.isRunningTest()) return;` in a block never runs in a test
/// either: a change to what only it calls reaches no test through it (cooperparry's
/// `MatrixOrderSyncTriggerHandler` returns so, and 6 tests of a flow's plan came through
/// the code after it), while what runs before it still does.
#[test]
fn code_after_a_return_in_tests_reaches_no_test_through_it() {
    assert_mailer_runs_outside_tests_only(
        &[("InvoiceHandler", "public with sharing class InvoiceHandler {\n    public static void afterInsert(List<Invoice__c> invoices) {\n        InvoiceLog.write(invoices);\n        if (Test.isRunningTest()) {\n            return;\n        }\n        InvoiceMailer.send(invoices);\n    }\n}\n")],
        "trigger InvoiceNotices on Invoice__c (after insert) {\n    InvoiceHandler.afterInsert(Trigger.new);\n}\n",
    );
}

/// Selectors built on a packaged `fflib_SObjectSelector` implement its abstract
/// `getSObjectFieldList()` without `override`, and its inherited `newQueryFactory()`
/// calls it for every query: a change to the field list reaches the code that runs the
/// selector's queries, also where the repository calls the method itself as well
/// (navikt's crm-henvendelse: three edits of selectors' field lists reached only the
/// selectors' own tests, not the REST services' tests that fail by them).
#[test]
fn a_hook_of_a_packaged_base_class_without_override_reaches_the_users_of_its_class() {
    let classes = [
        ("ThreadSelector", "public with sharing class ThreadSelector extends fflib_SObjectSelector {\n    public List<Schema.SObjectField> getSObjectFieldList() {\n        return new List<Schema.SObjectField>{ Invoice__c.Id, Invoice__c.Status__c };\n    }\n    public Schema.SObjectType getSObjectType() {\n        return Invoice__c.SObjectType;\n    }\n    public List<Invoice__c> selectOpen() {\n        fflib_QueryFactory query = newQueryFactory();\n        query.subselectQuery('Payments__r').selectFields(new PaymentSelector().getSObjectFieldList());\n        return (List<Invoice__c>) Database.query(query.toSOQL());\n    }\n}\n"),
        ("PaymentSelector", "public with sharing class PaymentSelector extends fflib_SObjectSelector {\n    public List<Schema.SObjectField> getSObjectFieldList() {\n        return new List<Schema.SObjectField>{ Payment__c.Id, Payment__c.Amount__c };\n    }\n    public Schema.SObjectType getSObjectType() {\n        return Payment__c.SObjectType;\n    }\n    public List<Payment__c> selectRecent() {\n        return (List<Payment__c>) Database.query(newQueryFactory().toSOQL());\n    }\n}\n"),
        ("OpenInvoices", "public with sharing class OpenInvoices {\n    public static Integer count() {\n        return new ThreadSelector().selectOpen().size();\n    }\n}\n"),
        ("RecentPayments", "public with sharing class RecentPayments {\n    public static Integer count() {\n        return new PaymentSelector().selectRecent().size();\n    }\n}\n"),
        ("OpenInvoicesTest", "@IsTest\nprivate class OpenInvoicesTest {\n    @IsTest\n    static void counts() {\n        System.assertEquals(0, OpenInvoices.count());\n    }\n}\n"),
        ("RecentPaymentsTest", "@IsTest\nprivate class RecentPaymentsTest {\n    @IsTest\n    static void counts() {\n        System.assertEquals(0, RecentPayments.count());\n    }\n}\n"),
        // Their own tests cover the selectors: no test is added for coverage.
        ("ThreadSelectorTest", "@IsTest\nprivate class ThreadSelectorTest {\n    @IsTest\n    static void selects() {\n        System.assertEquals(0, new ThreadSelector().selectOpen().size());\n    }\n}\n"),
        ("PaymentSelectorTest", "@IsTest\nprivate class PaymentSelectorTest {\n    @IsTest\n    static void lists() {\n        System.assertEquals(2, new PaymentSelector().getSObjectFieldList().size());\n    }\n}\n"),
    ];
    let selected = selected_after_editing(
        &classes,
        (
            &class("ThreadSelector"),
            "Invoice__c.Id, Invoice__c.Status__c",
            "Invoice__c.Id",
        ),
    );
    assert!(
        selected.contains(&"OpenInvoicesTest".to_string())
            && !selected.contains(&"RecentPaymentsTest".to_string()),
        "{selected:?}"
    );
    // Called by the repository too (`ThreadSelector.selectOpen`), and by the base class.
    let selected = selected_after_editing(
        &classes,
        (
            &class("PaymentSelector"),
            "Payment__c.Id, Payment__c.Amount__c",
            "Payment__c.Id",
        ),
    );
    assert!(
        selected.contains(&"RecentPaymentsTest".to_string())
            && selected.contains(&"OpenInvoicesTest".to_string()),
        "{selected:?}"
    );
}

/// A trigger whose statement begins with `Trigger.` (`Trigger.new[0].Amount__c = …;`),
/// which tree-sitter-sfapex does not parse: a change to the trigger ran every test, and a
/// change to the class its statement calls reached no test through the trigger
/// (Salesforce-Partial's `LicenseAutoGenerate` and two more triggers, Rossari's
/// `LeadShareTrigger`, GBTest's handlers, which write `trigger.newMap.get(…)` in a class).
#[test]
fn a_trigger_statement_that_begins_with_trigger_is_read() {
    let classes = [
        ("PaymentRules", "public with sharing class PaymentRules {\n    public static Decimal rounded(Decimal amount) {\n        return amount.setScale(2);\n    }\n}\n"),
        ("PaymentRulesTest", "@IsTest\nprivate class PaymentRulesTest {\n    @IsTest\n    static void rounds() {\n        System.assertEquals(1.00, PaymentRules.rounded(1));\n    }\n}\n"),
        ("PaymentSaveTest", "@IsTest\nprivate class PaymentSaveTest {\n    @IsTest\n    static void saves() {\n        Account account = new Account(Name = 'A');\n        insert account;\n        Invoice__c invoice = new Invoice__c(Account__c = account.Id);\n        insert invoice;\n        insert new Payment__c(Invoice__c = invoice.Id, Amount__c = 1);\n        System.assert(true);\n    }\n}\n"),
    ];
    let trigger = (
        "PaymentRounding",
        "trigger PaymentRounding on Payment__c (before insert) {\n    Trigger.new[0].Amount__c = PaymentRules.rounded(Trigger.new[0].Amount__c);\n}\n",
    );
    let trigger_path = "force-app/main/default/triggers/PaymentRounding.trigger";
    for edit in [
        (
            trigger_path,
            "(before insert)",
            "(before insert, before update)",
        ),
        (&class("PaymentRules")[..], "setScale(2)", "setScale(3)"),
    ] {
        let selected = selected_after_editing_with_trigger(&classes, trigger, edit);
        assert!(
            selected.contains(&"PaymentSaveTest".to_string())
                && !selected.contains(&"DiscountRegistryTest".to_string()),
            "{}: {selected:?}",
            edit.0
        );
    }
}

/// A field or property a class inherits from a superclass in another file, read by its
/// name alone (`return (Amount) base;`, `calculator.total()` with `calculator` the base
/// class's property): the parser, which sees one file, took it for a type's name, and
/// the read and the call reached nothing (Apex-ChatBot-Hub: `TelegramBotContext` reads
/// `updateEvent`, and `TelegramBotWebhookService` calls `calloutService.call(…)`, both
/// `BotContext`'s and `BotWebhookService`'s protected properties).
#[test]
fn an_inherited_field_read_by_its_name_alone_is_the_superclass_s() {
    let classes = [
        ("PricedItem", "public abstract class PricedItem {\n    protected Decimal base {\n        get { return 10; }\n    }\n    protected TaxCalculator calculator {\n        get { return new TaxCalculator(); }\n    }\n}\n"),
        ("TaxCalculator", "public with sharing class TaxCalculator {\n    public Decimal total(Decimal amount) {\n        return amount * 1.2;\n    }\n}\n"),
        ("ServiceItem", "public with sharing class ServiceItem extends PricedItem {\n    public Decimal price() {\n        return (Decimal) base;\n    }\n    public Decimal gross() {\n        return calculator.total(5);\n    }\n}\n"),
        ("ServiceItemPriceTest", "@IsTest\nprivate class ServiceItemPriceTest {\n    @IsTest\n    static void prices() {\n        System.assertEquals(10, new ServiceItem().price());\n    }\n}\n"),
        ("ServiceItemGrossTest", "@IsTest\nprivate class ServiceItemGrossTest {\n    @IsTest\n    static void grosses() {\n        System.assertEquals(6, new ServiceItem().gross());\n    }\n}\n"),
        // Their own tests cover the changed classes: no test is added for coverage.
        ("PricedItemTest", "@IsTest\nprivate class PricedItemTest {\n    @IsTest\n    static void exists() {\n        System.assert(true);\n    }\n}\n"),
        ("TaxCalculatorTest", "@IsTest\nprivate class TaxCalculatorTest {\n    @IsTest\n    static void totals() {\n        System.assertEquals(12, new TaxCalculator().total(10));\n    }\n}\n"),
    ];
    let selected = selected_after_editing(
        &classes,
        (
            &class("PricedItem"),
            "get { return 10; }",
            "get { return 12; }",
        ),
    );
    assert!(
        selected.contains(&"ServiceItemPriceTest".to_string())
            && !selected.contains(&"ServiceItemGrossTest".to_string()),
        "{selected:?}"
    );
    let selected = selected_after_editing(
        &classes,
        (&class("TaxCalculator"), "amount * 1.2", "amount * 1.25"),
    );
    assert!(
        selected.contains(&"ServiceItemGrossTest".to_string())
            && !selected.contains(&"ServiceItemPriceTest".to_string()),
        "{selected:?}"
    );
}

/// A static field whose initializer calls the platform only (`Url.getOrgDomainUrl()`)
/// runs when its class loads, whichever member is used first: a change to it reaches
/// every test that reaches the class, also through another class's method (Rossari:
/// `Utility.baseUrl = System.Url.getOrgDomainUrl()…`; what such a field throws fails
/// every use of the class).
#[test]
fn a_static_initializer_calling_the_platform_reaches_every_use_of_its_class() {
    assert_edit_selects(
        &[
            ("Regions", "public with sharing class Regions {\n    static final String PORTAL = Url.getOrgDomainUrl().toExternalForm() + '/portal';\n    public static String home() {\n        return 'EU';\n    }\n    public static String portal() {\n        return PORTAL;\n    }\n}\n"),
            ("Shipping", "public with sharing class Shipping {\n    public static String origin() {\n        return Regions.home();\n    }\n}\n"),
            ("ShippingTest", "@IsTest\nprivate class ShippingTest {\n    @IsTest\n    static void ships() {\n        System.assertEquals('EU', Shipping.origin());\n    }\n}\n"),
            ("RegionsTest", "@IsTest\nprivate class RegionsTest {\n    @IsTest\n    static void partners() {\n        System.assert(Regions.portal().endsWith('/portal'));\n    }\n}\n"),
        ],
        (
            &class("Regions"),
            "toExternalForm() + '/portal'",
            "toExternalForm().substring(8) + '/portal'",
        ),
        "ShippingTest",
    );
}

/// A constructor that calls neither `this(…)` nor `super(…)` runs its superclass's
/// constructor first: a change to that reaches the code that makes the subclass
/// (NebulaFramework: `new QueryFilter()` runs `NebulaCore()`; the test that makes one
/// was missed).
#[test]
fn a_constructor_runs_its_superclass_s_constructor_without_naming_it() {
    assert_edit_selects(
        &[
            ("Ledger", "public virtual class Ledger {\n    public String currency;\n    public Ledger() {\n        currency = 'EUR';\n    }\n}\n"),
            ("SalesLedger", "public with sharing class SalesLedger extends Ledger {\n    public Integer lines;\n    public SalesLedger() {\n        lines = 0;\n    }\n}\n"),
            ("SalesLedgerUseTest", "@IsTest\nprivate class SalesLedgerUseTest {\n    @IsTest\n    static void makes() {\n        System.assertEquals(0, new SalesLedger().lines);\n    }\n}\n"),
            // Its own test covers the changed class: no test is added for coverage.
            ("LedgerTest", "@IsTest\nprivate class LedgerTest {\n    @IsTest\n    static void makes() {\n        System.assertEquals('EUR', new Ledger().currency);\n    }\n}\n"),
        ],
        (&class("Ledger"), "currency = 'EUR';", "currency = 'USD';"),
        "SalesLedgerUseTest",
    );
}

/// `toString`, `equals` and `hashCode` run without their names (`String.valueOf(money)`,
/// `==`, a map's keys): a change to one reaches every user of its class
/// (Apex-GraphQL-Client: `GraphQLEnum.toString`, run by `String.valueOf(value)`).
#[test]
fn a_method_the_runtime_calls_without_its_name_reaches_the_users_of_its_class() {
    assert_edit_selects(
        &[
            ("Money", "public with sharing class Money {\n    public Decimal amount = 1;\n    public override String toString() {\n        return 'EUR ' + amount;\n    }\n}\n"),
            ("Receipt", "public with sharing class Receipt {\n    public static String line(Money money) {\n        return 'Total: ' + String.valueOf(money);\n    }\n}\n"),
            ("ReceiptTest", "@IsTest\nprivate class ReceiptTest {\n    @IsTest\n    static void prints() {\n        System.assertEquals('Total: EUR 1', Receipt.line(new Money()));\n    }\n}\n"),
            ("MoneyTest", "@IsTest\nprivate class MoneyTest {\n    @IsTest\n    static void exists() {\n        System.assertNotEquals(null, new Money());\n    }\n}\n"),
        ],
        (&class("Money"), "return 'EUR ' + amount;", "return 'EUR ' + amount.setScale(2);"),
        "ReceiptTest",
    );
}

/// Apex in a packaged org names the package's classes with its namespace
/// (`bill.OrderLimits.maxLines()`, a record's `'bill.OrderLimits'`): in a project of that
/// namespace they are its own classes (nebula-core, namespace `nebc`: a trigger calling
/// `nebc.MetadataTriggerManager` and two test classes building `nebc.TestIdGenerator`
/// reached nothing). In a project without it, `bill.` is another package's.
#[test]
fn a_class_named_with_the_project_s_namespace_is_its_own() {
    for (namespace, selected) in [("bill", true), ("", false)] {
        let repo = TestRepo::with_base("automation", |repo| {
            repo.edit(
                "sfdx-project.json",
                "\"namespace\": \"\"",
                &format!("\"namespace\": \"{namespace}\""),
            );
            repo.write_class(
                "PackagedLimitsTest",
                "@IsTest\nprivate class PackagedLimitsTest {\n    @IsTest\n    static void capsLines() {\n        System.assert(bill.OrderLimits.maxLines() > 0);\n    }\n}\n",
            );
            repo.write_class(
                "LimitsByNameTest",
                "@IsTest\nprivate class LimitsByNameTest {\n    @IsTest\n    static void loads() {\n        System.assertNotEquals(null, Type.forName('Bill.OrderLimits'));\n    }\n}\n",
            );
        });
        // The class's header: a change to one of its methods no longer reaches code that
        // only holds its name (`Mode::MethodChanged`), its header still does.
        repo.edit(
            &class("OrderLimits"),
            "public with sharing class OrderLimits {",
            "public inherited sharing class OrderLimits {",
        );
        repo.commit("Sharing of the limits");

        let tests = selected_tests(&repo.plan_committed());

        for test in ["PackagedLimitsTest", "LimitsByNameTest"] {
            assert_eq!(
                tests.contains(&test.to_string()),
                selected,
                "{test}, namespace {namespace:?}: {tests:?}"
            );
        }
    }
}

/// A packaged org's code names the package's custom permissions (and permission sets,
/// metadata records) with its namespace prefix as the metadata API writes it
/// (`FeatureManagement.checkPermission('bill__Approve_Orders')`): in a project of that
/// namespace the string names its own component (PSGMgr, namespace `psa255`: deleting
/// the `BypassPermsetTrigger` permission its trigger handler checks as
/// `'psa255__BypassPermsetTrigger'` planned nothing). In a project without it, the
/// prefix is another package's.
#[test]
fn a_string_with_the_project_s_namespace_prefix_names_its_own_component() {
    for (namespace, selected) in [("bill", true), ("", false)] {
        let repo = TestRepo::with_base("automation", |repo| {
            repo.edit(
                "sfdx-project.json",
                "\"namespace\": \"\"",
                &format!("\"namespace\": \"{namespace}\""),
            );
            repo.write_class(
                "PackagedApprovalTest",
                "@IsTest\nprivate class PackagedApprovalTest {\n    @IsTest\n    static void checksThePermission() {\n        System.assertEquals(false, FeatureManagement.checkPermission('bill__Approve_Orders'));\n    }\n}\n",
            );
        });
        repo.edit(
            "force-app/main/default/customPermissions/Approve_Orders.customPermission-meta.xml",
            "<isLicensed>false</isLicensed>",
            "<isLicensed>true</isLicensed>",
        );
        repo.commit("Approving orders is licensed");

        let tests = selected_tests(&repo.plan_committed());

        assert_eq!(
            tests.contains(&"PackagedApprovalTest".to_string()),
            selected,
            "namespace {namespace:?}: {tests:?}"
        );
    }
}

/// A plan that reused what an earlier plan resolved finds a field the project adds when
/// code names it with the namespace prefix (`bill__Rush__c`), as a plan without the
/// cache does: the earlier plan's lookup of the prefixed name is redone once the field
/// it stands for is declared.
#[test]
fn a_field_named_with_the_namespace_is_found_when_it_is_added_after_a_warm_plan() {
    let repo = TestRepo::with_base("automation", |repo| {
        repo.edit(
            "sfdx-project.json",
            "\"namespace\": \"\"",
            "\"namespace\": \"bill\"",
        );
        repo.write_class(
            "RushOrderTest",
            "@IsTest\nprivate class RushOrderTest {\n    @IsTest\n    static void readsTheRushFlag() {\n        Order__c order = new Order__c(Amount__c = 10);\n        System.assertEquals(null, order.bill__Rush__c);\n    }\n}\n",
        );
    });
    let base = repo.base().to_string();
    let args = [
        "plan", "--format", "json", "--base", &base, "--head", "HEAD",
    ];
    // Plans keep the resolutions, the prefixed field not found (the first makes the
    // cache, the second keeps them).
    repo.write("NOTES.md", "Rush orders next.\n");
    repo.commit("Notes");
    repo.run(&args).ok();
    repo.run(&args).ok();
    repo.write(
        "force-app/main/default/objects/Order__c/fields/Rush__c.field-meta.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Rush__c</fullName>\n    <defaultValue>false</defaultValue>\n    <label>Rush</label>\n    <type>Checkbox</type>\n</CustomField>\n",
    );
    repo.commit("Rush orders");

    let run = repo.run(&args);

    assert_cold_plan(&repo, &args, &run);
    let plan: serde_json::Value = serde_json::from_str(run.ok()).expect("a plan");
    assert!(
        selected_tests(&plan).contains(&"RushOrderTest".to_string()),
        "{plan}"
    );
}

/// A class held by its type in a factory's map (`PricingApi.class => PricingService.class`,
/// as fflib's `Application.Service` holds every service) is made by the factory
/// (`Type.newInstance()`): a change to its constructor reaches the tests that ask the
/// factory for it (they ran none before: FFLIB_Working_Examples, a service's base
/// constructor missed the trigger tests). A stub of the class (`Test.createStub`) makes
/// no instance, and a change to another member does not reach the factory's users; nor
/// does the constructor's reach the factory's other users, though the field holding the
/// map builds an object when its class loads (fflib's `Application.Service`).
#[test]
fn a_constructor_reaches_the_code_that_holds_its_class_s_type() {
    let classes = [
        (
            "ServiceFactory",
            "public class ServiceFactory {\n    static final TypeMap IMPLEMENTATIONS = new TypeMap(new Map<Type, Type>{\n        PricingApi.class => PricingService.class\n    });\n    public static Object make(Type api) {\n        return IMPLEMENTATIONS.get(api).newInstance();\n    }\n    public static String version() {\n        return 'v1';\n    }\n}\n",
        ),
        (
            "TypeMap",
            "public class TypeMap {\n    Map<Type, Type> types;\n    public TypeMap(Map<Type, Type> types) {\n        this.types = types;\n    }\n    public Type get(Type api) {\n        return types.get(api);\n    }\n}\n",
        ),
        (
            "FactoryVersionTest",
            "@IsTest\nprivate class FactoryVersionTest {\n    @IsTest\n    static void versions() {\n        System.assertEquals('v1', ServiceFactory.version());\n    }\n}\n",
        ),
        ("PricingApi", "public interface PricingApi {\n    Decimal price();\n}\n"),
        (
            "PricingService",
            "public class PricingService implements PricingApi {\n    Decimal rate;\n    public PricingService() {\n        rate = 2;\n    }\n    public Decimal price() {\n        return rate;\n    }\n    public Decimal doubled() {\n        return rate * 2;\n    }\n}\n",
        ),
        (
            "PricingFactoryTest",
            "@IsTest\nprivate class PricingFactoryTest {\n    @IsTest\n    static void prices() {\n        PricingApi api = (PricingApi) ServiceFactory.make(PricingApi.class);\n        System.assertEquals(2, api.price());\n    }\n}\n",
        ),
        (
            "PricingDirectTest",
            "@IsTest\nprivate class PricingDirectTest {\n    @IsTest\n    static void doubles() {\n        System.assertEquals(4, new PricingService().doubled());\n    }\n}\n",
        ),
        (
            "PricingStubTest",
            "@IsTest\nprivate class PricingStubTest {\n    @IsTest\n    static void stubs() {\n        System.assert(Test.createStub(PricingService.class, null) == null);\n    }\n}\n",
        ),
    ];
    let service = "force-app/main/default/classes/PricingService.cls";
    // The billing org's smoke test runs on every plan.
    let ours = |edit: (&str, &str)| -> Vec<String> {
        selected_after_editing(&classes, (service, edit.0, edit.1))
            .into_iter()
            .filter(|test| test.starts_with("Pricing") || test.starts_with("Factory"))
            .collect()
    };
    assert_eq!(
        ours(("rate = 2;", "rate = 3;")),
        ["PricingDirectTest", "PricingFactoryTest"]
    );
    assert_eq!(ours(("rate * 2", "rate * 3")), ["PricingDirectTest"]);
}

/// A workflow rule's email alert sends its template when a test saves a record the rule
/// fires on: a change to the template reaches the same tests as a change to the rule's
/// field update (it reached none before: NPSP's acknowledgment template, sent by an
/// active rule on the opportunities a controller updates).
#[test]
fn an_email_template_reaches_the_savers_of_the_records_whose_rule_sends_it() {
    const WORKFLOW: &str = "force-app/main/default/workflows/Order__c.workflow-meta.xml";
    const TEMPLATE: &str = "force-app/main/default/email/Orders/Large_Order.email";
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(
            "force-app/main/default/email/Orders.emailFolder-meta.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EmailFolder xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <accessType>Public</accessType>\n    <name>Orders</name>\n    <publicFolderAccess>ReadOnly</publicFolderAccess>\n</EmailFolder>\n",
        );
        repo.write(TEMPLATE, "A large order: {!Order__c.Name}\n");
        repo.write(
            &format!("{TEMPLATE}-meta.xml"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EmailTemplate xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <available>true</available>\n    <encodingKey>UTF-8</encodingKey>\n    <name>Large Order</name>\n    <style>none</style>\n    <subject>Large order</subject>\n    <type>text</type>\n</EmailTemplate>\n",
        );
        repo.edit(
            WORKFLOW,
            "    <fieldUpdates>",
            "    <alerts>\n        <fullName>Tell_Order_Desk</fullName>\n        <description>Tell the order desk</description>\n        <protected>false</protected>\n        <recipients><type>owner</type></recipients>\n        <senderType>CurrentUser</senderType>\n        <template>Orders/Large_Order</template>\n    </alerts>\n    <fieldUpdates>",
        );
        repo.edit(
            WORKFLOW,
            "            <type>FieldUpdate</type>\n        </actions>",
            "            <type>FieldUpdate</type>\n        </actions>\n        <actions>\n            <name>Tell_Order_Desk</name>\n            <type>Alert</type>\n        </actions>",
        );
    });
    repo.write(TEMPLATE, "A large order to review: {!Order__c.Name}\n");
    repo.commit("The template's text");
    let by_template = selected_tests(&repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]));
    repo.edit(
        WORKFLOW,
        "<literalValue>1</literalValue>",
        "<literalValue>0</literalValue>",
    );
    repo.commit("The field update's value");
    let by_update = selected_tests(&repo.plan_json(&["--base", "HEAD~1", "--head", "HEAD"]));
    assert!(by_update.len() > 2, "{by_update:?}");
    assert_eq!(by_template, by_update);
}

/// A handler's constructor calls a bypass service through its interface, and the trigger
/// hands the handler over by its type (dd's `fflib_SObjectDomain.triggerHandler(
/// CommissionRatesHandler.class)`, whose constructor asks `BypassLogicModel`): a change to
/// the service's implementation reaches the tests that save the trigger's object. The
/// walk had taken the implementation, the first override it climbed through, for the
/// trigger's handler, and it handles no object the trigger fires on (two tests missed).
#[test]
fn a_class_a_trigger_holds_by_its_type_is_its_handler() {
    let classes = [
        (
            "DomainRunner",
            "public class DomainRunner {\n    public static void run(Type domainType) {\n        DomainBase domain = (DomainBase) domainType.newInstance();\n        domain.handle();\n    }\n}\n",
        ),
        (
            "DomainBase",
            "public abstract class DomainBase {\n    public virtual void handle() {}\n}\n",
        ),
        (
            "AccountDomain",
            "public class AccountDomain extends DomainBase {\n    Boolean skipped;\n    public AccountDomain() {\n        skipped = Bypass.isOn('Account');\n    }\n    public override void handle() {\n        Integer contacts = [SELECT COUNT() FROM Contact];\n    }\n}\n",
        ),
        (
            "Bypass",
            "public class Bypass {\n    public static Boolean isOn(String name) {\n        return service().isOn(name);\n    }\n    static BypassApi service() {\n        return new BypassImpl();\n    }\n}\n",
        ),
        ("BypassApi", "public interface BypassApi {\n    Boolean isOn(String name);\n}\n"),
        (
            "BypassImpl",
            "public class BypassImpl implements BypassApi {\n    public Boolean isOn(String name) {\n        return [SELECT COUNT() FROM Contact WHERE LastName = :name] > 0;\n    }\n}\n",
        ),
        (
            "BypassImplTest",
            "@IsTest\nprivate class BypassImplTest {\n    @IsTest\n    static void off() {\n        System.assert(!new BypassImpl().isOn('x'));\n    }\n}\n",
        ),
        (
            "AccountDomainTest",
            "@IsTest\nprivate class AccountDomainTest {\n    @IsTest\n    static void inserts() {\n        insert new Account(Name = 'A');\n    }\n}\n",
        ),
    ];
    let trigger = (
        "AccountTrigger",
        "trigger AccountTrigger on Account (before insert) {\n    DomainRunner.run(AccountDomain.class);\n}\n",
    );
    let selected = selected_after_editing_with_trigger(
        &classes,
        trigger,
        (
            "force-app/main/default/classes/BypassImpl.cls",
            "> 0;",
            ">= 1;",
        ),
    );
    assert!(
        selected.contains(&"AccountDomainTest".to_string())
            && selected.contains(&"BypassImplTest".to_string()),
        "{selected:?}"
    );
    // The handler's own hook, which names contacts only: the trigger that holds the
    // handler's type runs it, whatever objects it names.
    let selected = selected_after_editing_with_trigger(
        &classes,
        trigger,
        (
            "force-app/main/default/classes/AccountDomain.cls",
            "COUNT()",
            "COUNT(Id)",
        ),
    );
    assert!(
        selected.contains(&"AccountDomainTest".to_string()),
        "{selected:?}"
    );
}

/// A string naming a class (a logger's category, `CLASS_NAME = 'InvoiceMath'`, a binding
/// record) may make an instance of it (`Type.forName`), which runs only its constructor:
/// a change to one of its methods does not reach the code that holds the name (Delivery
/// Hub: 21 of 26 tests came through an audit row's class name; my_SFDXRepo: 17 of 20
/// through classes' own `CLASS_NAME`). A class that implements an interface the
/// repository does not declare may be handed to the platform or a package, which calls
/// its methods unseen: there the name still reaches whichever method changed.
#[test]
fn a_method_s_change_reaches_the_code_that_holds_its_class_s_name_only_when_outsiders_call_it() {
    for (implements, reached) in [("", false), (" implements System.Callable", true)] {
        let classes = [
            (
                "InvoiceMath",
                format!("public class InvoiceMath{implements} {{\n    public static final String CLASS_NAME = 'InvoiceMath';\n    public Decimal half(Decimal amount) {{\n        return amount / 2;\n    }}\n    public Object call(String action, Map<String, Object> args) {{\n        return null;\n    }}\n}}\n"),
            ),
            (
                "AuditLog",
                "public class AuditLog {\n    public static void write(String category) {\n        System.debug(category);\n    }\n    public static void invoiceTouched() {\n        write('InvoiceMath');\n    }\n}\n".to_string(),
            ),
            (
                "AuditLogTest",
                "@IsTest\nprivate class AuditLogTest {\n    @IsTest\n    static void writes() {\n        AuditLog.invoiceTouched();\n    }\n}\n".to_string(),
            ),
            (
                "InvoiceMathTest",
                "@IsTest\nprivate class InvoiceMathTest {\n    @IsTest\n    static void halves() {\n        System.assertEquals(1, new InvoiceMath().half(2));\n    }\n}\n".to_string(),
            ),
        ];
        let classes: Vec<(&str, &str)> = classes.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let selected = selected_after_editing(
            &classes,
            (
                "force-app/main/default/classes/InvoiceMath.cls",
                "amount / 2",
                "amount * 0.5",
            ),
        );
        assert!(
            selected.contains(&"InvoiceMathTest".to_string()),
            "{selected:?}"
        );
        assert_eq!(
            selected.contains(&"AuditLogTest".to_string()),
            reached,
            "{implements:?}: {selected:?}"
        );
    }
}

/// Code reached because it holds a name changed in nothing: a field holding a class's
/// name (`CATEGORY = 'NightlyJob'`) reaches its readers, not, through its own class, the
/// code that holds that class's name in turn (a registry making the service by name).
#[test]
fn a_holder_of_a_name_does_not_pass_its_class_on() {
    let classes = [
        (
            "NightlyJob",
            "public with sharing class NightlyJob {\n    public static Integer run() {\n        return 1;\n    }\n}\n",
        ),
        (
            "LedgerService",
            "public class LedgerService {\n    public static final String CATEGORY = 'NightlyJob';\n    public Integer work() {\n        return 2;\n    }\n}\n",
        ),
        (
            "ServiceRegistry",
            "public class ServiceRegistry {\n    public static Object make() {\n        return Type.forName('LedgerService').newInstance();\n    }\n}\n",
        ),
        (
            "ServiceRegistryTest",
            "@IsTest\nprivate class ServiceRegistryTest {\n    @IsTest\n    static void makes() {\n        System.assert(ServiceRegistry.make() != null);\n    }\n}\n",
        ),
        (
            "CategoryTest",
            "@IsTest\nprivate class CategoryTest {\n    @IsTest\n    static void names() {\n        System.assertEquals('NightlyJob', LedgerService.CATEGORY);\n    }\n}\n",
        ),
    ];
    let selected = selected_after_editing(
        &classes,
        (
            "force-app/main/default/classes/NightlyJob.cls",
            "public with sharing class NightlyJob {",
            "public inherited sharing class NightlyJob {",
        ),
    );
    assert!(
        selected.contains(&"CategoryTest".to_string()),
        "{selected:?}"
    );
    assert!(
        !selected.contains(&"ServiceRegistryTest".to_string()),
        "{selected:?}"
    );
}

/// An interface's method may be implemented by a method the implementing class inherits
/// from a superclass that does not implement the interface (`ContactSelector extends
/// SObjectSelector implements IContactSelector`, its `selectWithInjectable`
/// `SObjectSelector`'s): a call through the interface runs it, so a change to what it
/// calls reaches the caller's test. (LightArchitectureFramework: a
/// change to `SObjectSelector.getFieldsToQuery` missed the test that selects through
/// `IContactSelector`.)
#[test]
fn an_interface_call_reaches_an_implementation_inherited_from_outside_the_interface() {
    let classes = [
        (
            "IInvoiceSource",
            "public interface IInvoiceSource {\n    List<Invoice__c> load();\n}\n",
        ),
        (
            "RecordSource",
            "public virtual class RecordSource {\n    \
                 public List<Invoice__c> load() {\n        \
                     return Database.query('SELECT ' + fields() + ' FROM Invoice__c');\n    \
                 }\n    \
                 protected virtual String fields() {\n        return 'Id';\n    }\n}\n",
        ),
        (
            "InvoiceSource",
            "public class InvoiceSource extends RecordSource implements IInvoiceSource {\n}\n",
        ),
        (
            "InvoiceLoader",
            "public with sharing class InvoiceLoader {\n    \
                 public static Integer count() {\n        \
                     IInvoiceSource source = new InvoiceSource();\n        \
                     return source.load().size();\n    \
                 }\n}\n",
        ),
        (
            "InvoiceLoaderCheck",
            "@IsTest\nprivate class InvoiceLoaderCheck {\n    \
                 @IsTest\n    static void countsTheInvoices() {\n        \
                     Assert.areEqual(0, InvoiceLoader.count());\n    \
                 }\n}\n",
        ),
        // The superclass's own test covers it for the deploy: the loader's check is
        // selected for the call, not for coverage.
        (
            "RecordSourceTest",
            "@IsTest\nprivate class RecordSourceTest {\n    \
                 @IsTest\n    static void loadsNothing() {\n        \
                     Assert.areEqual(0, new RecordSource().load().size());\n    \
                 }\n}\n",
        ),
    ];
    let selected = selected_after_editing(
        &classes,
        (&class("RecordSource"), "return 'Id';", "return 'Id, Name';"),
    );
    assert_eq!(
        selected,
        [CRITICAL, "InvoiceLoaderCheck", "RecordSourceTest"]
    );
}
