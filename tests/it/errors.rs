//! Bad input: exit code 2, a one-line cause naming what is wrong, and a `hint:` line.
//! Broken source files are not errors: they make the plan run more tests.

use crate::plan::change_total;
use crate::support::*;
use std::process::Command;

#[test]
fn unknown_base_revision() {
    let repo = TestRepo::new("billing");

    let out = repo.run(&["plan", "--base", "no-such-branch", "--head", "HEAD"]);

    out.assert_input_error("no-such-branch");
}

#[test]
fn unknown_head_revision() {
    let repo = TestRepo::new("billing");
    let base = repo.base().to_string();

    let out = repo.run(&["plan", "--base", &base, "--head", "v9.9.9"]);

    out.assert_input_error("v9.9.9");
}

#[test]
fn missing_sfdx_project_json() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.delete("sfdx-project.json");
    });
    let base = repo.base().to_string();

    let out = repo.run(&["plan", "--base", &base]);

    out.assert_input_error("sfdx-project.json");
}

#[test]
fn head_revision_without_sfdx_project_json() {
    // An older revision in the Metadata API layout has no sfdx-project.json, though the
    // working tree has one.
    let repo = TestRepo::new("billing");
    let project = repo.read("sfdx-project.json");
    repo.delete("sfdx-project.json");
    let old = repo.commit("Before the move to source format");
    repo.write("sfdx-project.json", &project);
    repo.commit("Source format");
    let base = repo.base().to_string();

    let out = repo.run(&["plan", "--base", &base, "--head", &old]);

    let message = out.assert_input_error(&old);
    assert!(message.contains("does not exist at revision"), "{message}");
}

#[test]
fn bare_repository_has_no_working_tree_to_plan() {
    let repo = TestRepo::new("billing");
    let bare_dir = tempfile::tempdir().expect("temporary directory");
    let bare = bare_dir.path().join("billing.git");
    git2::build::RepoBuilder::new()
        .bare(true)
        .clone(repo.path().to_str().expect("utf-8 path"), &bare)
        .expect("bare clone");

    let out = run_in(&bare, &["plan", "--base", "HEAD", "--head", "HEAD"]);

    out.assert_input_error("bare repository");
}

#[test]
fn malformed_sfdx_project_json() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write(
            "sfdx-project.json",
            "{\n  \"packageDirectories\": [\n    { \"path\": \"force-app\", \"default\": true },\n",
        );
    });
    let base = repo.base().to_string();

    let out = repo.run(&["plan", "--base", &base]);

    out.assert_input_error("sfdx-project.json");
}

#[test]
fn sfdx_project_json_without_package_directories() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write(
            "sfdx-project.json",
            "{\n  \"name\": \"billing\",\n  \"sourceApiVersion\": \"62.0\"\n}\n",
        );
    });
    let base = repo.base().to_string();

    let out = repo.run(&["plan", "--base", &base]);

    out.assert_input_error("sfdx-project.json");
}

#[test]
fn repo_that_is_not_a_git_repository() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    copy_tree(&fixture_dir("billing"), dir.path());
    let path = dir.path().to_string_lossy().into_owned();

    let out = run_in(dir.path(), &["plan", "--repo", &path]);

    out.assert_input_error("git");
}

#[test]
fn repo_that_does_not_exist() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let missing = dir.path().join("nowhere").to_string_lossy().into_owned();

    let out = run_in(dir.path(), &["plan", "--repo", &missing]);

    out.assert_input_error("nowhere");
}

#[test]
fn manifest_that_cannot_be_read() {
    let repo = TestRepo::new("billing");

    let out = repo.run(&["plan", "--manifest", "manifest/missing-package.xml"]);

    out.assert_input_error("missing-package.xml");
}

#[test]
fn manifest_that_is_not_a_package_xml() {
    let repo = TestRepo::new("billing");
    repo.write(
        "manifest/broken.xml",
        "<Package><types><members>InvoiceService</members>",
    );

    let out = repo.run(&["plan", "--manifest", "manifest/broken.xml"]);

    out.assert_input_error("broken.xml");
}

/// A repository with `base` and one commit on main, cloned with `--depth 1`.
fn shallow_clone() -> (TestRepo, tempfile::TempDir) {
    let origin = TestRepo::new("billing");
    change_total(&origin);
    origin.commit("Void invoices do not count in totals");
    let clone = tempfile::tempdir().expect("a temporary directory");
    let target = clone.path().join("billing");
    let status = Command::new("git")
        .args(["clone", "--quiet", "--depth", "1"])
        .arg(format!("file://{}", origin.path().display()))
        .arg(&target)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("the git command line is installed");
    assert!(status.success(), "git clone --depth 1 failed");
    (origin, clone)
}

#[test]
fn shallow_clone_without_the_base_commit_says_how_to_fetch_it() {
    let (origin, clone) = shallow_clone();
    let target = clone.path().join("billing");
    let base = origin.base().to_string();

    let out = run_in(&target, &["plan", "--base", &base, "--head", "HEAD"]);

    out.assert_input_error("shallow");
    let stderr = out.stderr.to_ascii_lowercase();
    assert!(
        stderr.contains("unshallow") || stderr.contains("fetch-depth"),
        "the hint says how to get the history: {}",
        out.stderr
    );
}

#[test]
fn shallow_clone_with_a_relative_base_is_told_as_shallow_too() {
    let (_origin, clone) = shallow_clone();
    let target = clone.path().join("billing");

    // HEAD~1 exists in the real history; only the clone lacks it.
    let out = run_in(&target, &["plan", "--base", "HEAD~1", "--head", "HEAD"]);

    out.assert_input_error("shallow");
}

#[test]
fn why_for_a_test_the_plan_did_not_select() {
    let repo = TestRepo::new("billing");
    repo.branch("feature");
    change_total(&repo);
    repo.commit("Void invoices do not count in totals");

    // The test exists: not selected is an answer (exit 0), not bad input.
    let out = repo.run(&["why", "VolumeDiscountTest"]);
    let text = out.ok();
    assert!(
        text.starts_with("VolumeDiscountTest is not selected"),
        "{text}"
    );
    assert!(!text.contains("(changed)"), "{text}");

    // No test of that name: bad input (exit 2), naming it.
    let out = repo.run(&["why", "NoSuchTest"]);
    out.assert_input_error("NoSuchTest");
}

#[test]
fn why_shows_the_nearest_path_the_walk_does_not_follow() {
    let repo = TestRepo::new("billing");
    repo.branch("feature");
    repo.edit(
        "force-app/main/default/triggers/InvoiceTrigger.trigger",
        "after delete)",
        "after delete, after undelete)",
    );
    repo.commit("Restored invoices count");

    // InvoiceSelectorTest builds invoices in memory and never saves one: the trigger
    // cannot run for it, but the graph does link it to the trigger's object.
    let out = repo.run(&["why", "InvoiceSelectorTest"]);
    let text = out.ok();
    assert!(
        text.starts_with("InvoiceSelectorTest is not selected."),
        "{text}"
    );
    assert!(
        text.contains("ApexTrigger:InvoiceTrigger  (changed)"),
        "{text}"
    );
    assert!(text.contains("fires ↑"), "{text}");
}

#[test]
fn unknown_format_is_a_usage_error() {
    let repo = TestRepo::new("billing");

    let out = repo.run(&["plan", "--format", "yaml"]);

    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.trim().is_empty(), "{out:?}");
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let repo = TestRepo::new("billing");

    let out = repo.run(&["plan", "--no-such-flag"]);

    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn apex_file_that_is_not_utf8_is_a_fallback_not_a_crash() {
    let repo = TestRepo::new("billing");
    let path = repo.path().join(class("InvoiceService"));
    let mut bytes = std::fs::read(&path).expect("read the class");
    bytes.extend_from_slice(b"\n// caf\xe9 \xff\xfe\n");
    std::fs::write(&path, bytes).expect("write the class");
    repo.commit("Latin-1 comment");

    let plan = repo.plan_committed();

    // The file may be read lossily (a comment: not semantic) or refused (a fallback);
    // either way the tool answers and does not select fewer tests than the comment-only
    // reading would.
    if plan["fallback"].is_null() {
        assert_eq!(
            changed_ids(&plan),
            vec!["ApexClass:InvoiceService".to_string()]
        );
        assert!(selected_tests(&plan).contains(&CRITICAL.to_string()));
    } else {
        assert_eq!(plan["test_level"], "RunLocalTests");
        assert!(fallback_paths(&plan).contains(&class("InvoiceService")));
    }
}

#[test]
fn empty_apex_class_file_does_not_crash() {
    let repo = TestRepo::new("billing");
    repo.write(&class("VolumePricing"), "");
    repo.commit("Truncated by an editor");

    let plan = repo.plan_committed();

    // An empty file declares nothing: either a fallback, or a change that selects at
    // least the critical test. The point is an answer instead of a panic.
    assert!(!selected_tests(&plan).is_empty() || plan["test_level"] == "RunLocalTests");
}

/// The Salesforce CLI refuses a project whose package directory is missing; planning it
/// as empty would select nothing, silently.
#[test]
fn a_missing_package_directory_is_an_input_error() {
    let repo = TestRepo::new("billing");
    repo.edit(
        "sfdx-project.json",
        "\"billing-extras\"",
        "\"billing-extra\"",
    );
    repo.commit("Typo in a package directory");
    let base = repo.base().to_string();

    let out = repo.run(&["plan", "--base", &base, "--head", "HEAD"]);

    let stderr = out.assert_input_error("billing-extra`");
    assert!(stderr.contains("sfdx-project.json"), "{stderr}");
}

#[test]
fn a_package_directory_outside_the_repository_is_an_input_error() {
    let repo = TestRepo::new("billing");
    repo.edit("sfdx-project.json", "\"billing-extras\"", "\"../shared\"");

    let out = repo.run(&["plan", "--base", "HEAD"]);

    out.assert_input_error("../shared");
}
