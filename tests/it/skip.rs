//! A plan parses only the files whose facts can change it (issue 15 item 1): files of
//! types with no test impact (layouts, translations, pages, Aura bundles, remote sites)
//! are listed, not parsed. These tests run each scenario twice, once as usual and once
//! with `IMPACT_PARSE_ALL=1` (every file parsed, as before), and require the same plan.

use crate::support::*;
use serde_json::Value;

const MAIN: &str = "force-app/main/default";

/// The plan JSON of `args`, with every file parsed or not, without the elapsed time.
fn plan(repo: &TestRepo, args: &[&str], parse_all: bool) -> Value {
    let mut all = vec!["plan", "--format", "json", "--no-cache"];
    all.extend_from_slice(args);
    let env = [
        ("NO_COLOR", Some("1")),
        ("IMPACT_PARSE_ALL", parse_all.then_some("1")),
    ];
    let mut plan = run_with_env(repo.path(), &all, &env).json();
    check_plan_shape(&plan);
    plan["stats"]["elapsed_ms"] = Value::Null;
    plan
}

/// Asserts that parsing every file gives the same plan, and returns it.
fn same_plan(repo: &TestRepo, args: &[&str]) -> Value {
    let listed = plan(repo, args, false);
    let parsed = plan(repo, args, true);
    assert_eq!(
        listed, parsed,
        "the plan changed when files of types with no test impact were left unparsed"
    );
    listed
}

fn committed(repo: &TestRepo) -> Value {
    let base = repo.base().to_string();
    same_plan(repo, &["--base", &base, "--head", "HEAD"])
}

fn xml(root: &str, body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    {body}\n</{root}>\n")
}

/// The automation org with a layout and an object translation in the base: files of
/// types with no test impact besides its pages, Aura bundle and remote site setting.
fn org() -> TestRepo {
    TestRepo::with_base("automation", |repo| {
        repo.write(
            &format!("{MAIN}/layouts/Order__c-Order Layout.layout-meta.xml"),
            &xml(
                "Layout",
                "<layoutSections><label>One</label></layoutSections>",
            ),
        );
        repo.write(
            &format!(
                "{MAIN}/objectTranslations/Order__c-fr/Order__c-fr.objectTranslation-meta.xml"
            ),
            &xml(
                "CustomObjectTranslation",
                "<caseValues><value>Commande</value></caseValues>",
            ),
        );
    })
}

#[test]
fn changes_to_code_used_by_unparsed_files_plan_the_same() {
    // The controller of a page, and of an Aura bundle's server calls.
    let repo = org();
    repo.edit(
        &class("OrderInvoiceExtension"),
        "return OrderPricing.netAmount(orderRecord);",
        "return OrderPricing.netAmount(orderRecord) + 0;",
    );
    repo.commit("change a page's controller");
    let plan = committed(&repo);
    assert!(plan["tests"].as_array().is_some_and(|t| !t.is_empty()));
}

#[test]
fn changes_to_unparsed_types_plan_the_same() {
    let page = format!("{MAIN}/pages/OrderSearch.page");
    let layout = format!("{MAIN}/layouts/Order__c-Order Layout.layout-meta.xml");
    let aura = format!("{MAIN}/aura/orderApprovalPanel/orderApprovalPanel.cmp");
    let remote = format!("{MAIN}/remoteSiteSettings/Carrier_API.remoteSite-meta.xml");

    // A real change of each.
    let repo = org();
    repo.edit(&page, "title=\"Order search\"", "title=\"Find orders\"");
    repo.edit(&layout, "<label>One</label>", "<label>Two</label>");
    repo.edit(&aura, "label=\"Approve\"", "label=\"Accept\"");
    repo.edit(&remote, "Carrier tracking API.", "Carrier API.");
    repo.commit("edit unparsed types");
    let plan = committed(&repo);
    assert_eq!(plan["changes"].as_array().map(Vec::len), Some(4), "{plan}");

    // Whitespace only: listed as changes that do not change meaning.
    let repo = org();
    repo.edit(&layout, "<label>One</label>", "<label>One</label>\n");
    repo.commit("reformat a layout");
    let plan = committed(&repo);
    let changes = plan["changes"].as_array().cloned().unwrap_or_default();
    assert!(
        changes.iter().any(|c| c["semantic"] == false),
        "{changes:?}"
    );

    // A changed file that cannot be read is still reported.
    let repo = org();
    repo.write(&layout, "<Layout><layoutSections>");
    repo.commit("break a layout");
    committed(&repo);

    // Deleted, and in the working tree.
    let repo = org();
    repo.delete(&page).delete(&format!("{page}-meta.xml"));
    repo.edit(&aura, "label=\"Approve\"", "label=\"Accept\"");
    let base = repo.base().to_string();
    same_plan(&repo, &["--base", &base]);
    repo.commit("delete a page");
    committed(&repo);
}

#[test]
fn a_manifest_naming_an_unparsed_component_plans_the_same() {
    let repo = org();
    repo.write(
        "manifest/package.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <types><members>OrderSearch</members><name>ApexPage</name></types>\n    <types><members>Order__c-Order Layout</members><name>Layout</name></types>\n    <version>62.0</version>\n</Package>\n",
    );
    let plan = same_plan(&repo, &["--manifest", "manifest/package.xml"]);
    let paths: Vec<&str> = plan["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["paths"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    assert!(
        paths.iter().any(|p| p.ends_with("OrderSearch.page")),
        "{paths:?}"
    );
}

#[test]
fn files_of_types_with_no_test_impact_are_not_parsed() {
    let repo = org();
    repo.edit(
        &class("OrderInvoiceExtension"),
        "return OrderPricing.netAmount(orderRecord);",
        "return OrderPricing.netAmount(orderRecord) + 0;",
    );
    repo.commit("change a class");
    let base = repo.base().to_string();
    let args = [
        "plan",
        "--no-cache",
        "--base",
        &base,
        "--head",
        "HEAD",
        "--format",
        "json",
    ];
    let counts = |parse_all: bool| -> (usize, usize) {
        let env = [
            ("IMPACT_TIMINGS", Some("1")),
            ("IMPACT_PARSE_ALL", parse_all.then_some("1")),
        ];
        let (parsed, _, listed) = file_counts(&run_with_env(repo.path(), &args, &env));
        (parsed, listed)
    };
    let (parsed, listed) = counts(false);
    let (all_parsed, none_listed) = counts(true);
    // Pages (2 files each), the Aura bundle (3), the remote site, the layout and the
    // translation: 2 × 2 + 3 + 1 + 1 + 1.
    assert_eq!(listed, 10, "listed without parsing");
    assert_eq!(none_listed, 0);
    assert_eq!(all_parsed, parsed + listed);
}
