//! Member-level precision (issue 7): hub classes do not drag every test in.
//!
//! `TestDataFactory` is used by every test that needs records and `InvoiceSelector` by
//! most code that reads invoices. At class granularity any change to them selects all of
//! those tests; at member granularity only the tests that (transitively) call the changed
//! member are selected, while changes that every member depends on (a field initializer
//! that runs code when the class loads) and calls whose receiver cannot be typed still err
//! toward more tests. A field holding a plain value reaches the code that reads it.

use crate::plan::{INVOICE_WRITERS, TOTAL_CALLERS};
use crate::support::*;

#[test]
fn one_factory_method_selects_only_the_tests_that_call_it() {
    let repo = TestRepo::new("billing");
    let factory = class("TestDataFactory");
    // The line is in createPayments only (PaymentService has its own, in another file).
    repo.edit(
        &factory,
        "Amount__c = amount, Received_On__c = Date.today()));",
        "Amount__c = amount, Received_On__c = Date.today().addDays(-1)));",
    );
    repo.commit("Test payments arrive the day before");

    let plan = repo.plan_committed();

    assert_eq!(plan["test_level"], "RunSpecifiedTests");
    // PaymentServiceTest calls createPayments from a private helper (transitively).
    // Seven other tests call TestDataFactory, none of them createPayments.
    assert_selected(&plan, &[CRITICAL, "PaymentServiceTest"]);
    assert_path(&plan, "PaymentServiceTest", "ApexClass:TestDataFactory");
}

/// The same edit planned at class granularity (`--granularity class`, as class-level
/// tools work) selects every test whose class uses the factory's class, each with a path
/// through classes only: the fold keeps every class's edges, and no member.
#[test]
fn at_class_granularity_one_factory_method_selects_every_test_of_its_class() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("TestDataFactory"),
        "Amount__c = amount, Received_On__c = Date.today()));",
        "Amount__c = amount, Received_On__c = Date.today().addDays(-1)));",
    );
    repo.commit("Test payments arrive the day before");
    let base = repo.base().to_string();

    let member = repo.plan_committed();
    let plan = repo.plan_json(&["--base", &base, "--head", "HEAD", "--granularity", "class"]);

    let (by_member, by_class) = (selected_tests(&member), selected_tests(&plan));
    assert!(
        by_member.iter().all(|test| by_class.contains(test)),
        "{by_class:?}"
    );
    for test in [
        "BillingControllerTest",
        "InvoiceServiceTest",
        "InvoiceTriggerHandlerTest",
        "PaymentNotifierTest",
        "PaymentServiceTest",
    ] {
        assert!(by_class.iter().any(|t| t == test), "{test}: {by_class:?}");
        assert_path(&plan, test, "ApexClass:TestDataFactory");
    }
    assert!(
        by_class.len() > by_member.len(),
        "{by_member:?} {by_class:?}"
    );
    let text = plan.to_string();
    assert!(
        !text.contains("ApexMethod:"),
        "no member in a class plan's paths"
    );
}

#[test]
fn another_factory_method_selects_only_its_callers() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("TestDataFactory"),
        "TimeZoneSidKey = 'Europe/Paris',",
        "TimeZoneSidKey = 'America/New_York',",
    );
    repo.commit("Clerks work from New York");

    let plan = repo.plan_committed();

    assert_selected(&plan, &["BillingControllerTest", CRITICAL]);
    assert_path(&plan, "BillingControllerTest", "ApexClass:TestDataFactory");
}

#[test]
fn one_selector_method_selects_only_the_tests_that_call_it() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("InvoiceSelector"),
        "WHERE Due_Date__c < :asOf",
        "WHERE Due_Date__c <= :asOf",
    );
    repo.commit("An invoice is overdue on its due date");

    let plan = repo.plan_committed();

    // selectByAccount and selectByIds are used by services and many tests; only
    // InvoiceSelectorTest calls selectOverdue.
    assert_selected(&plan, &[CRITICAL, "InvoiceSelectorTest"]);
    assert_path(&plan, "InvoiceSelectorTest", "ApexClass:InvoiceSelector");
}

#[test]
fn one_service_method_does_not_select_the_callers_of_its_siblings() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("InvoiceService"),
        "return roundCurrency(amount - (paid == null ? 0 : paid));",
        "return roundCurrency(Math.max(0, amount - (paid == null ? 0 : paid)));",
    );
    repo.commit("Overpaid invoices have no negative balance");

    let plan = repo.plan_committed();

    // balance() is called by InvoiceServiceTest and PaymentService.allocate. The CSV
    // export and the legacy test call only total().
    assert_selected(
        &plan,
        &[
            CRITICAL,
            "InvoiceServiceTest",
            "PaymentNotifierTest",
            "PaymentServiceTest",
        ],
    );
    assert_path(&plan, "PaymentServiceTest", "ApexClass:InvoiceService");
}

#[test]
fn private_helper_change_reaches_the_callers_of_every_method_using_it() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("InvoiceService"),
        "return value == null ? null : value.setScale(SCALE, ROUNDING);",
        "return value == null ? 0 : value.setScale(SCALE, ROUNDING);",
    );
    repo.commit("Never return a null amount");

    let plan = repo.plan_committed();

    // roundCurrency is private; total, applyDiscount and balance call it.
    assert_selected(&plan, TOTAL_CALLERS);
}

#[test]
fn interface_method_change_reaches_the_tests_of_every_implementation() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("Discount"),
        "Decimal apply(Decimal amount);",
        "Decimal apply(Decimal grossAmount);",
    );
    repo.commit("Say which amount a discount expects");

    let plan = repo.plan_committed();

    // VolumeDiscountTest and SeasonalDiscountTest call their class's apply() on a
    // variable of the concrete type: only the hierarchy links them to Discount.apply.
    assert_path(&plan, "VolumeDiscountTest", "ApexClass:Discount");
    assert_path(&plan, "SeasonalDiscountTest", "ApexClass:Discount");
    // BillingController only names Discount as a parameter type and never calls apply().
    assert_excludes(&plan, &["BillingControllerTest"]);
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
}

#[test]
fn field_initializer_change_reaches_every_user_of_the_class() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("TestDataFactory"),
        "private static Integer sequence = 0;",
        "private static Integer sequence = 1000;",
    );
    repo.commit("Four-digit record names from the start");

    let plan = repo.plan_committed();

    // `sequence` holds a plain value, so it reaches its reader, nextName(), used by
    // createAccounts and createBillingClerk; every test that uses the factory creates
    // accounts, so here the field's users are the class's users (a field whose
    // initializer runs code reaches every user of the class: see below).
    assert_selected(&plan, INVOICE_WRITERS);
    assert_path(&plan, "InvoiceServiceTest", "ApexClass:TestDataFactory");
    assert_excludes(
        &plan,
        &[
            "InvoiceSelectorTest",
            "DiscountRegistryTest",
            "VolumeDiscountTest",
        ],
    );
}

#[test]
fn unresolvable_receiver_falls_back_to_every_method_of_that_name() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("VolumeDiscount"),
        "return (amount * (1 - rate())).setScale(2, System.RoundingMode.HALF_UP);",
        "return (amount * (1 - rate())).setScale(2, System.RoundingMode.HALF_EVEN);",
    );
    repo.commit("Banker's rounding for volume discounts");

    let plan = repo.plan_committed();

    // DiscountRegistry calls `BY_CODE.get(code).apply(amount)`: the receiver is the value
    // type of a Map, which a resolver either reads from the generic (Discount.apply, and
    // through the hierarchy VolumeDiscount.apply) or cannot type at all (then: every
    // apply/1 in the repository). Both reach DiscountRegistryTest; dropping the call
    // would not. InvoiceService.applyDiscount calls Discount.apply, which
    // VolumeDiscount.apply implements.
    assert_selected(
        &plan,
        &[
            CRITICAL,
            "DiscountRegistryTest",
            "InvoiceServiceTest",
            "VolumeDiscountTest",
        ],
    );
    assert_path(&plan, "DiscountRegistryTest", "ApexClass:VolumeDiscount");
}

#[test]
fn trigger_change_does_not_reach_tests_that_only_read_the_object() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &format!("{TRIGGERS}/InvoiceTrigger.trigger"),
        "after delete)",
        "after delete, after undelete)",
    );
    repo.commit("Recount open totals when an invoice is restored");

    let plan = repo.plan_committed();

    // InvoiceSelectorTest calls the selector (a hub that most writers also call) and
    // inserts an Account, never an invoice; the legacy test sums invoices in memory.
    assert_excludes(&plan, &["InvoiceSelectorTest", "InvoiceTotalsLegacyTest"]);
}

#[test]
fn plan_lists_the_test_methods_that_reach_the_change() {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("InvoiceService"),
        "return roundCurrency(amount - (paid == null ? 0 : paid));",
        "return roundCurrency(Math.max(0, amount - (paid == null ? 0 : paid)));",
    );
    repo.commit("Overpaid invoices have no negative balance");

    let plan = repo.plan_committed();

    // Issue 7, item 4: per class, the test methods that were reached.
    let methods = |test: &str| -> Vec<String> {
        let mut list: Vec<String> = test_entry(&plan, test)["methods"]
            .as_array()
            .unwrap_or_else(|| panic!("{test} has no `methods`: {}", test_entry(&plan, test)))
            .iter()
            .map(|m| m.as_str().expect("a method name").to_string())
            .collect();
        list.sort();
        list
    };
    assert_eq!(
        methods("InvoiceServiceTest"),
        vec!["balanceSubtractsWhatWasPaid".to_string()]
    );
    // Every PaymentServiceTest method calls allocate(), which calls balance().
    assert_eq!(
        methods("PaymentServiceTest"),
        names(&[
            "countsEarlierPayments",
            "paysTheOldestInvoicesFirst",
            "rejectsPaymentsThatAreNotPositive",
            "summaryDescribesTheAllocation",
        ])
    );
}

/// A change located to members is not `whole`; a change that counts for the whole class
/// (here a new class) says so in the plan, so a reader can tell why more tests run.
#[test]
fn the_plan_says_when_a_change_counts_for_the_whole_component() {
    let repo = TestRepo::new("billing");
    crate::plan::change_total(&repo);
    repo.write_class(
        "FlatPricing",
        "public with sharing class FlatPricing {\n    public static Decimal price(Decimal amount) {\n        return amount;\n    }\n}\n",
    );
    repo.commit("Void invoices do not count; flat pricing");

    let plan = repo.plan_committed();

    assert!(change_entry(&plan, "ApexClass:InvoiceService")
        .get("whole")
        .is_none());
    assert_eq!(change_entry(&plan, "ApexClass:FlatPricing")["whole"], true);
}

/// A hub with a plain constant and a field whose initializer runs code.
fn with_price_book() -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "PriceBook",
            "public with sharing class PriceBook {\n    \
                 private static final Decimal VAT = 0.20;\n    \
                 private static final Map<String, Decimal> LIST_PRICES = PriceBook.load();\n\n    \
                 public static Decimal gross(Decimal net) {\n        \
                     return net * (1 + VAT);\n    \
                 }\n\n    \
                 public static Decimal listPrice(String code) {\n        \
                     return LIST_PRICES.get(code);\n    \
                 }\n\n    \
                 private static Map<String, Decimal> load() {\n        \
                     return new Map<String, Decimal>{ 'A' => 10 };\n    \
                 }\n}\n",
        );
        repo.write_class(
            "GrossPriceTest",
            "@IsTest\nprivate class GrossPriceTest {\n    \
                 @IsTest\n    static void addsVat() {\n        \
                     Assert.areEqual(12, PriceBook.gross(10));\n    \
                 }\n}\n",
        );
        repo.write_class(
            "ListPriceTest",
            "@IsTest\nprivate class ListPriceTest {\n    \
                 @IsTest\n    static void knowsA() {\n        \
                     Assert.areEqual(10, PriceBook.listPrice('A'));\n    \
                 }\n}\n",
        );
    })
}

#[test]
fn a_constant_reaches_only_the_code_that_reads_it() {
    let repo = with_price_book();
    repo.edit(&class("PriceBook"), "VAT = 0.20;", "VAT = 0.21;");
    repo.commit("New VAT rate");

    let plan = repo.plan_committed();

    assert_selected(&plan, &[CRITICAL, "GrossPriceTest"]);
    assert_path(&plan, "GrossPriceTest", "ApexClass:PriceBook");
}

#[test]
fn a_field_whose_initializer_runs_code_reaches_every_user_of_the_class() {
    let repo = with_price_book();
    repo.edit(
        &class("PriceBook"),
        "LIST_PRICES = PriceBook.load();",
        "LIST_PRICES = PriceBook.load().clone();",
    );
    repo.commit("Copy the list prices");

    let plan = repo.plan_committed();

    // The initializer runs when the class loads, whichever method a test calls.
    assert_selected(&plan, &[CRITICAL, "GrossPriceTest", "ListPriceTest"]);
}

#[test]
fn a_subclass_constructor_is_not_run_by_new_of_its_superclass() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "Notice",
            "public virtual class Notice {\n    \
                 public String text;\n    \
                 public Notice() { this.text = 'notice'; }\n}\n",
        );
        repo.write_class(
            "LateNotice",
            "public class LateNotice extends Notice {\n    \
                 public LateNotice() { super(); this.text = 'late'; }\n}\n",
        );
        repo.write_class(
            "NoticeTest",
            "@IsTest\nprivate class NoticeTest {\n    \
                 @IsTest\n    static void saysNotice() {\n        \
                     Assert.areEqual('notice', new Notice().text);\n    \
                 }\n}\n",
        );
        repo.write_class(
            "LateNoticeTest",
            "@IsTest\nprivate class LateNoticeTest {\n    \
                 @IsTest\n    static void saysLate() {\n        \
                     Assert.areEqual('late', new LateNotice().text);\n    \
                 }\n}\n",
        );
    });
    repo.edit(
        &class("LateNotice"),
        "this.text = 'late';",
        "this.text = 'overdue';",
    );
    repo.commit("Late notices say overdue");

    let plan = repo.plan_committed();

    // `new Notice()` runs Notice's constructor only: constructors are not overridden.
    assert_selected(&plan, &[CRITICAL, "LateNoticeTest"]);
}

/// A class with a version constant set in a static block (issue 12 item 8), read by one
/// method, beside a method that does not read it.
fn with_release_info() -> TestRepo {
    TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "ReleaseInfo",
            "public with sharing class ReleaseInfo {\n    \
                 private static final String VERSION;\n    \
                 private static final Map<String, String> CHANNELS = new Map<String, String>();\n\n    \
                 static {\n        \
                     VERSION = 'v4.1.0';\n        \
                     CHANNELS.put('stable', 'v4');\n    \
                 }\n\n    \
                 public static String version() {\n        \
                     return VERSION;\n    \
                 }\n\n    \
                 public static String channel(String name) {\n        \
                     return name.toUpperCase();\n    \
                 }\n\n    \
                 public static String track() {\n        \
                     return CHANNELS.get('stable');\n    \
                 }\n}\n",
        );
        repo.write_class(
            "VersionTest",
            "@IsTest\nprivate class VersionTest {\n    \
                 @IsTest\n    static void saysVersion() {\n        \
                     Assert.isNotNull(ReleaseInfo.version());\n    \
                 }\n}\n",
        );
        repo.write_class(
            "ChannelTest",
            "@IsTest\nprivate class ChannelTest {\n    \
                 @IsTest\n    static void upperCases() {\n        \
                     Assert.areEqual('BETA', ReleaseInfo.channel('beta'));\n    \
                 }\n}\n",
        );
        repo.write_class(
            "TrackTest",
            "@IsTest\nprivate class TrackTest {\n    \
                 @IsTest\n    static void stable() {\n        \
                     Assert.areEqual('v4', ReleaseInfo.track());\n    \
                 }\n}\n",
        );
    })
}

#[test]
fn a_static_block_that_only_sets_fields_reaches_their_readers() {
    let repo = with_release_info();
    repo.edit(
        &class("ReleaseInfo"),
        "VERSION = 'v4.1.0';",
        "VERSION = 'v4.2.0';",
    );
    repo.commit("Release 4.2");

    let plan = repo.plan_committed();

    // The block calls nothing of the repository (`put` is a system method): its change
    // is the values of VERSION and CHANNELS, read by version() and track(). channel()
    // reads neither, so its test does not run.
    assert_selected(&plan, &[CRITICAL, "TrackTest", "VersionTest"]);
    assert_path(&plan, "VersionTest", "ApexClass:ReleaseInfo");
    let path = reason_path(&plan, "VersionTest");
    assert!(
        path.iter()
            .any(|node| node.ends_with("ReleaseInfo.VERSION")),
        "the path goes through the field the block sets: {path:?}"
    );
}

#[test]
fn a_constant_read_by_a_static_block_reaches_the_readers_of_what_the_block_sets() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "Limits2",
            "public with sharing class Limits2 {\n    \
                 private static final Integer BASE = 10;\n    \
                 private static Integer ceiling;\n\n    \
                 static {\n        \
                     ceiling = BASE * 2;\n    \
                 }\n\n    \
                 public static Integer getCeiling() {\n        \
                     return ceiling;\n    \
                 }\n\n    \
                 public static Integer twice(Integer value) {\n        \
                     return value * 2;\n    \
                 }\n}\n",
        );
        repo.write_class(
            "CeilingTest",
            "@IsTest\nprivate class CeilingTest {\n    \
                 @IsTest\n    static void isTwenty() {\n        \
                     Assert.areEqual(20, Limits2.getCeiling());\n    \
                 }\n}\n",
        );
        repo.write_class(
            "TwiceTest",
            "@IsTest\nprivate class TwiceTest {\n    \
                 @IsTest\n    static void doubles() {\n        \
                     Assert.areEqual(4, Limits2.twice(2));\n    \
                 }\n}\n",
        );
    });
    repo.edit(&class("Limits2"), "BASE = 10;", "BASE = 12;");
    repo.commit("Higher base");

    let plan = repo.plan_committed();

    // BASE is read by the block, which sets `ceiling`, read by getCeiling().
    assert_selected(&plan, &[CRITICAL, "CeilingTest"]);
}

#[test]
fn a_static_block_that_calls_a_method_reaches_every_user_of_the_class() {
    let repo = with_release_info();
    repo.edit(
        &class("ReleaseInfo"),
        "VERSION = 'v4.1.0';",
        "VERSION = ReleaseInfo.channel('v4.1.0');",
    );
    repo.commit("Version through channel()");

    let plan = repo.plan_committed();

    // The block runs channel() when the class loads, whichever method a test calls.
    assert_selected(
        &plan,
        &[CRITICAL, "ChannelTest", "TrackTest", "VersionTest"],
    );
}

/// A block that sets another class's field changes it only where its own class loads:
/// the block's class's users run, the field's other readers do not.
#[test]
fn a_static_block_that_sets_another_class_s_field_reaches_the_users_of_its_own_class() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write_class(
            "LevelConfig",
            "public with sharing class LevelConfig {\n    \
                 public static Integer level = 1;\n\n    \
                 public static Integer current() {\n        return level;\n    }\n}\n",
        );
        repo.write_class(
            "StrictMode",
            "public with sharing class StrictMode {\n    \
                 static {\n        LevelConfig.level = 3;\n    }\n\n    \
                 public static Boolean on() {\n        return true;\n    }\n}\n",
        );
        repo.write_class(
            "LevelConfigTest",
            "@IsTest\nprivate class LevelConfigTest {\n    \
                 @IsTest\n    static void startsAtOne() {\n        \
                     Assert.areEqual(1, LevelConfig.current());\n    }\n}\n",
        );
        repo.write_class(
            "StrictModeTest",
            "@IsTest\nprivate class StrictModeTest {\n    \
                 @IsTest\n    static void isOn() {\n        \
                     Assert.isTrue(StrictMode.on());\n    }\n}\n",
        );
    });
    repo.edit(
        &class("StrictMode"),
        "LevelConfig.level = 3;",
        "LevelConfig.level = 4;",
    );
    repo.commit("Stricter");

    let plan = repo.plan_committed();

    // LevelConfigTest never loads StrictMode, so the block never runs for it.
    assert_selected(&plan, &[CRITICAL, "StrictModeTest"]);
}
