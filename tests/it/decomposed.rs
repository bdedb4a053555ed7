//! Workflows and sharing rules in the decomposed source layouts (`decomposeWorkflowBeta`,
//! `decomposeSharingRulesBeta`; issue 11): one file per child under
//! `workflows/<Object>/workflowRules/…` and `sharingRules/<Object>/sharingCriteriaRules/…`.
//! Each scenario runs twice, on the monolithic file and on the decomposed files of the
//! same metadata, and the two plans must list the same changes, select the same tests
//! for the same reasons and write the same destructive changes.

use crate::support::*;
use serde_json::Value;

const MAIN: &str = "force-app/main/default";
const OBJECT: &str = "Order__c";
const MONOLITHIC: &str = "force-app/main/default/workflows/Order__c.workflow-meta.xml";
const SHARING: &str = "force-app/main/default/sharingRules/Order__c.sharingRules-meta.xml";
const NS: &str = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";

/// Which layout a repository uses.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    Monolithic,
    Decomposed,
}

/// The children of a monolithic workflow or sharing-rules file, as
/// `(element, fullName, inner XML)`, in file order.
fn children(text: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    // A child opens at four spaces of indentation: `    <rules>`.
    while let Some(at) = rest.find("\n    <") {
        let line_start = at + 1;
        let line_end = line_start + rest[line_start..].find('\n').unwrap_or(0);
        let element = rest[line_start..line_end]
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string();
        if element.starts_with('/') || element.contains(' ') {
            rest = &rest[line_end..];
            continue;
        }
        let close = format!("\n    </{element}>\n");
        let inner_end = line_end + rest[line_end..].find(&close).expect("the element ends");
        let inner = &rest[line_end + 1..inner_end + 1];
        let name_start = inner.find("<fullName>").expect("a fullName") + "<fullName>".len();
        let name_end = inner.find("</fullName>").expect("a fullName");
        found.push((
            element,
            inner[name_start..name_end].to_string(),
            inner.to_string(),
        ));
        rest = &rest[inner_end + close.len() - 1..];
    }
    found
}

/// The decomposed files of a monolithic workflow or sharing-rules file of `Order__c`:
/// `(path, content)` with the child's element as its own file's root, as
/// `sf project convert source-behavior` writes them.
fn decompose(dir: &str, parent_root: &str, text: &str) -> Vec<(String, String)> {
    let mut files = vec![(
        format!(
            "{MAIN}/{dir}/{OBJECT}/{OBJECT}.{}-meta.xml",
            suffix(parent_root)
        ),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{parent_root} {NS}>\n</{parent_root}>\n"
        ),
    )];
    for (element, name, inner) in children(text) {
        let (folder, root) = child_layout(&element);
        let child_suffix = lower_first(root);
        files.push((
            format!("{MAIN}/{dir}/{OBJECT}/{folder}/{name}.{child_suffix}-meta.xml"),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} {NS}>\n{inner}</{root}>\n"
            ),
        ));
    }
    files
}

fn suffix(parent_root: &str) -> &'static str {
    match parent_root {
        "Workflow" => "workflow",
        _ => "sharingRules",
    }
}

/// The folder and root element of a child element of the monolithic file (SDR's
/// presets `decomposeWorkflowBeta` and `decomposeSharingRulesBeta`).
fn child_layout(element: &str) -> (&'static str, &'static str) {
    match element {
        "fieldUpdates" => ("workflowFieldUpdates", "WorkflowFieldUpdate"),
        "rules" => ("workflowRules", "WorkflowRule"),
        "tasks" => ("workflowTasks", "WorkflowTask"),
        "alerts" => ("workflowAlerts", "WorkflowAlert"),
        "sharingCriteriaRules" => ("sharingCriteriaRules", "SharingCriteriaRule"),
        "sharingOwnerRules" => ("sharingOwnerRules", "SharingOwnerRule"),
        other => panic!("no layout for <{other}> in this test"),
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Sharing rules of `Order__c`: a criteria rule on large orders and an owner rule.
fn sharing_rules() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<SharingRules {NS}>
    <sharingCriteriaRules>
        <fullName>Share_Large_Orders</fullName>
        <accessLevel>Read</accessLevel>
        <label>Share large orders</label>
        <sharedTo><allInternalUsers></allInternalUsers></sharedTo>
        <criteriaItems>
            <field>Amount__c</field>
            <operation>greaterThan</operation>
            <value>10000</value>
        </criteriaItems>
    </sharingCriteriaRules>
    <sharingOwnerRules>
        <fullName>Share_With_Desk</fullName>
        <accessLevel>Read</accessLevel>
        <label>Share with the order desk</label>
    </sharingOwnerRules>
</SharingRules>
"
    )
}

/// The automation org with its workflow and `Order__c` sharing rules in `layout`.
fn repo_in(layout: Layout) -> TestRepo {
    TestRepo::with_base("automation", |repo| {
        repo.write(SHARING, &sharing_rules());
        if layout == Layout::Decomposed {
            convert(repo);
        }
    })
}

/// Rewrites the monolithic workflow and sharing rules into the decomposed layout.
fn convert(repo: &TestRepo) {
    let workflow = repo.read(MONOLITHIC);
    let sharing = repo.read(SHARING);
    repo.delete(MONOLITHIC).delete(SHARING);
    for (path, content) in decompose("workflows", "Workflow", &workflow)
        .into_iter()
        .chain(decompose("sharingRules", "SharingRules", &sharing))
    {
        repo.write(&path, &content);
    }
}

/// The file holding `child` (`workflowRules/Flag_Large_Orders`) in `layout`.
fn file_of(layout: Layout, dir: &str, child: &str) -> String {
    match (layout, dir) {
        (Layout::Monolithic, "workflows") => MONOLITHIC.to_string(),
        (Layout::Monolithic, _) => SHARING.to_string(),
        (Layout::Decomposed, _) => {
            let (folder, name) = child.split_once('/').expect("folder/name");
            let suffix = folder.trim_end_matches('s');
            format!("{MAIN}/{dir}/{OBJECT}/{folder}/{name}.{suffix}-meta.xml")
        }
    }
}

/// A listed change: (type, name, kind, semantic).
type Change = (String, String, String, bool);

/// What must be equal between the layouts: the changes (type, name, kind, semantic),
/// the selected tests, and for each the first reason's path.
fn outcome(plan: &Value) -> (Vec<Change>, Vec<(String, Vec<String>)>) {
    let reasons = selected_tests(plan)
        .into_iter()
        .map(|test| {
            let path = reason_path(plan, &test);
            (test, path)
        })
        .collect();
    (changes(plan), reasons)
}

/// Runs `edit` on the repository of each layout and returns the two plans.
fn twins(edit: impl Fn(&TestRepo, Layout)) -> (Value, Value) {
    let plans: Vec<Value> = [Layout::Monolithic, Layout::Decomposed]
        .into_iter()
        .map(|layout| {
            let repo = repo_in(layout);
            edit(&repo, layout);
            repo.commit("change");
            repo.plan_committed()
        })
        .collect();
    (plans[0].clone(), plans[1].clone())
}

#[test]
fn the_decomposition_helper_writes_sdrs_layout() {
    let repo = repo_in(Layout::Decomposed);
    for path in [
        "workflows/Order__c/Order__c.workflow-meta.xml",
        "workflows/Order__c/workflowFieldUpdates/Set_Needs_Review.workflowFieldUpdate-meta.xml",
        "workflows/Order__c/workflowRules/Flag_Large_Orders.workflowRule-meta.xml",
        "workflows/Order__c/workflowTasks/Call_Customer_About_Cancellation.workflowTask-meta.xml",
        "sharingRules/Order__c/Order__c.sharingRules-meta.xml",
        "sharingRules/Order__c/sharingCriteriaRules/Share_Large_Orders.sharingCriteriaRule-meta.xml",
    ] {
        assert!(repo.path().join(MAIN).join(path).is_file(), "{path}");
    }
    assert!(!repo.path().join(MONOLITHIC).exists());
    let update = repo.read(&file_of(
        Layout::Decomposed,
        "workflows",
        "workflowFieldUpdates/Set_Needs_Review",
    ));
    assert!(update.contains("<WorkflowFieldUpdate xmlns="), "{update}");
    assert!(
        update.contains("<field>Needs_Review__c</field>"),
        "{update}"
    );
}

#[test]
fn a_decomposed_workflow_field_update_reaches_the_tests_the_monolithic_one_does() {
    let (monolithic, decomposed) = twins(|repo, layout| {
        let file = file_of(layout, "workflows", "workflowFieldUpdates/Set_Needs_Review");
        repo.edit(
            &file,
            "<literalValue>1</literalValue>",
            "<literalValue>0</literalValue>",
        );
    });
    let expected = vec![modified("WorkflowFieldUpdate", "Order__c.Set_Needs_Review")];
    assert_eq!(changes(&decomposed), expected);
    assert_eq!(outcome(&decomposed), outcome(&monolithic));
    assert!(decomposed["fallback"].is_null(), "{decomposed}");
    // The update is automation of Order__c: the tests that save an order run it.
    let path = reason_path(&decomposed, "OrderServiceTest");
    assert_eq!(path[0], "WorkflowFieldUpdate:Order__c.Set_Needs_Review");
    assert!(
        path.contains(&"CustomObject:Order__c".to_string()),
        "{path:?}"
    );
}

#[test]
fn a_decomposed_workflow_rule_reaches_the_tests_the_monolithic_one_does() {
    let (monolithic, decomposed) = twins(|repo, layout| {
        let file = file_of(layout, "workflows", "workflowRules/Flag_Large_Orders");
        repo.edit(&file, "<value>10000</value>", "<value>50000</value>");
    });
    assert_eq!(
        changes(&decomposed),
        vec![modified("WorkflowRule", "Order__c.Flag_Large_Orders")]
    );
    assert_eq!(outcome(&decomposed), outcome(&monolithic));
    assert_includes(&decomposed, &["OrderServiceTest", "OrderImportTest"]);
    // A comment in the rule's own file is no change of meaning.
    let repo = repo_in(Layout::Decomposed);
    let file = file_of(
        Layout::Decomposed,
        "workflows",
        "workflowRules/Flag_Large_Orders",
    );
    repo.edit(&file, "<active>", "<!-- reviewed --><active>");
    repo.commit("comment");
    let plan = repo.plan_committed();
    assert!(!changes(&plan)[0].3, "{plan}");
    assert_excludes(&plan, &["OrderServiceTest"]);
}

#[test]
fn a_decomposed_sharing_criteria_rule_reaches_the_tests_the_monolithic_one_does() {
    let (monolithic, decomposed) = twins(|repo, layout| {
        let file = file_of(
            layout,
            "sharingRules",
            "sharingCriteriaRules/Share_Large_Orders",
        );
        repo.edit(
            &file,
            "<accessLevel>Read</accessLevel>\n        <label>Share large",
            "<accessLevel>Edit</accessLevel>\n        <label>Share large",
        );
    });
    assert_eq!(
        changes(&decomposed),
        vec![modified(
            "SharingCriteriaRule",
            "Order__c.Share_Large_Orders"
        )]
    );
    assert_eq!(outcome(&decomposed), outcome(&monolithic));
    assert_eq!(
        reason_path(&decomposed, "OrderServiceTest")[0],
        "SharingCriteriaRule:Order__c.Share_Large_Orders"
    );
}

/// `impact diff --package-xml DIR`: package.xml and destructiveChanges.xml.
fn manifests(repo: &TestRepo) -> (String, String) {
    let dir = repo.path().join("delta");
    let out = dir.to_string_lossy().to_string();
    let base = repo.base().to_string();
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
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect(name);
    (read("package.xml"), read("destructiveChanges.xml"))
}

/// The `<types>` blocks of a manifest as `Type:member` lines, sorted.
fn members(manifest: &str) -> Vec<String> {
    let mut found = Vec::new();
    for block in manifest.split("<types>").skip(1) {
        let name = block
            .split("<name>")
            .nth(1)
            .and_then(|rest| rest.split("</name>").next())
            .unwrap_or_default();
        for member in block.split("<members>").skip(1) {
            let member = member.split("</members>").next().unwrap_or_default();
            found.push(format!("{name}:{member}"));
        }
    }
    found.sort();
    found
}

/// Removes the element of `name` from a monolithic file.
fn remove_child(repo: &TestRepo, file: &str, element: &str, name: &str) {
    let text = repo.read(file);
    let marker = format!("<fullName>{name}</fullName>");
    let at = text.find(&marker).expect("the child is in the file");
    let open = format!("    <{element}>\n");
    let close = format!("    </{element}>\n");
    let start = text[..at].rfind(&open).expect("its element opens");
    let end = at + text[at..].find(&close).expect("its element closes") + close.len();
    repo.write(file, &format!("{}{}", &text[..start], &text[end..]));
}

#[test]
fn deleting_a_decomposed_child_is_the_same_destructive_change_as_removing_it_from_the_file() {
    let mut destroyed = Vec::new();
    for layout in [Layout::Monolithic, Layout::Decomposed] {
        let repo = repo_in(layout);
        match layout {
            Layout::Monolithic => {
                remove_child(&repo, MONOLITHIC, "rules", "Follow_Up_Cancelled_Orders");
                remove_child(&repo, SHARING, "sharingCriteriaRules", "Share_Large_Orders");
            }
            Layout::Decomposed => {
                repo.delete(&file_of(
                    layout,
                    "workflows",
                    "workflowRules/Follow_Up_Cancelled_Orders",
                ));
                repo.delete(&file_of(
                    layout,
                    "sharingRules",
                    "sharingCriteriaRules/Share_Large_Orders",
                ));
            }
        }
        repo.commit("retire a rule");
        let (deploy, destroy) = manifests(&repo);
        assert_eq!(
            members(&deploy),
            Vec::<String>::new(),
            "{layout:?}: {deploy}"
        );
        destroyed.push(members(&destroy));
    }
    assert_eq!(
        destroyed[1],
        vec![
            "SharingCriteriaRule:Order__c.Share_Large_Orders".to_string(),
            "WorkflowRule:Order__c.Follow_Up_Cancelled_Orders".to_string(),
        ]
    );
    assert_eq!(destroyed[0], destroyed[1]);
}

#[test]
fn a_decomposed_parent_file_deleted_while_its_children_remain_is_no_deletion() {
    let repo = repo_in(Layout::Decomposed);
    repo.delete(&format!(
        "{MAIN}/workflows/Order__c/Order__c.workflow-meta.xml"
    ));
    repo.delete(&format!(
        "{MAIN}/sharingRules/Order__c/Order__c.sharingRules-meta.xml"
    ));
    repo.commit("drop the empty parent files");
    let (_, destroy) = manifests(&repo);
    assert_eq!(members(&destroy), Vec::<String>::new(), "{destroy}");
}

#[test]
fn converting_to_the_decomposed_layout_deletes_nothing() {
    let repo = repo_in(Layout::Monolithic);
    convert(&repo);
    repo.commit("sf project convert source-behavior --behavior decomposeWorkflowBeta");
    let (deploy, destroy) = manifests(&repo);
    // Every child exists at both revisions: nothing the deploy adds may be deleted.
    assert_eq!(members(&destroy), Vec::<String>::new(), "{destroy}");
    let deployed = members(&deploy);
    for child in [
        "WorkflowRule:Order__c.Flag_Large_Orders",
        "WorkflowFieldUpdate:Order__c.Set_Needs_Review",
        "SharingCriteriaRule:Order__c.Share_Large_Orders",
    ] {
        assert!(deployed.contains(&child.to_string()), "{child}: {deploy}");
    }
    // And back: the decomposed files deleted, the monolithic ones written again.
    let back = repo_in(Layout::Decomposed);
    let workflow_dir = back.path().join(MAIN).join("workflows").join(OBJECT);
    let sharing_dir = back.path().join(MAIN).join("sharingRules").join(OBJECT);
    std::fs::remove_dir_all(&workflow_dir).expect("remove the decomposed workflow");
    std::fs::remove_dir_all(&sharing_dir).expect("remove the decomposed sharing rules");
    let original = std::fs::read_to_string(fixture_dir("automation").join(MONOLITHIC))
        .expect("the fixture's workflow");
    back.write(MONOLITHIC, &original);
    back.write(SHARING, &sharing_rules());
    back.commit("back to one file per workflow");
    let (_, destroy) = manifests(&back);
    assert_eq!(members(&destroy), Vec::<String>::new(), "{destroy}");
}

#[test]
fn deleting_a_whole_workflow_deletes_its_children_in_either_layout() {
    let mut destroyed = Vec::new();
    for layout in [Layout::Monolithic, Layout::Decomposed] {
        let repo = repo_in(layout);
        match layout {
            Layout::Monolithic => {
                repo.delete(MONOLITHIC);
            }
            Layout::Decomposed => {
                let dir = repo.path().join(MAIN).join("workflows").join(OBJECT);
                std::fs::remove_dir_all(dir).expect("remove the decomposed workflow");
            }
        }
        repo.commit("retire the order workflow");
        let (_, destroy) = manifests(&repo);
        destroyed.push(members(&destroy));
    }
    // The children, as sfdx-git-delta lists them; not the `Workflow` container.
    assert_eq!(
        destroyed[1],
        vec![
            "WorkflowFieldUpdate:Order__c.Set_Needs_Review".to_string(),
            "WorkflowRule:Order__c.Flag_Large_Orders".to_string(),
            "WorkflowRule:Order__c.Follow_Up_Cancelled_Orders".to_string(),
            "WorkflowTask:Order__c.Call_Customer_About_Cancellation".to_string(),
        ]
    );
    assert_eq!(destroyed[0], destroyed[1]);
}
