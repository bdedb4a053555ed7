//! Hostile repositories (issue 13): symlinks inside and outside the repository,
//! submodules, git LFS pointer files, names differing only by case, non-UTF-8 names, a
//! 50 MB Apex class, a package directory of 100,000 files, and a partial clone whose
//! blobs are missing. Each gives a plan (with warnings where a file could not be read,
//! erring toward more tests) or a clear exit 2, never a panic.

use crate::support::*;
use std::fs;
use std::path::Path;
use std::process::Command;

/// Asserts that `run` is a plan (exit 0, JSON) and did not panic; returns the plan.
fn a_plan(run: &Run) -> serde_json::Value {
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.json()
}

fn warnings(plan: &serde_json::Value) -> Vec<String> {
    plan["warnings"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|warning| warning.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn plan_args(repo: &TestRepo) -> Vec<String> {
    ["plan", "--format", "json", "--base", repo.base()]
        .map(String::from)
        .to_vec()
}

fn run_plan(repo: &TestRepo, extra: &[&str]) -> Run {
    let mut args = plan_args(repo);
    args.extend(extra.iter().map(|arg| arg.to_string()));
    repo.run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn symlinks_inside_and_outside_the_repository_are_read_as_links_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("Secret.cls");
    fs::write(
        &secret,
        "public class Secret { public static void leak() {} }\n",
    )
    .expect("write");
    let repo = TestRepo::new("billing");
    let classes = repo.path().join(CLASSES);
    symlink("InvoiceService.cls", classes.join("InvoiceAlias.cls")).expect("symlink");
    symlink(&secret, classes.join("Outside.cls")).expect("symlink");
    symlink(
        outside.path(),
        repo.path().join("force-app/main/default/linked"),
    )
    .expect("symlink");
    symlink(
        "../../../billing-extras",
        repo.path().join(CLASSES).join("loop"),
    )
    .expect("symlink");

    // Uncommitted (read from the working tree) and committed (read from git) alike.
    for committed in [false, true] {
        if committed {
            repo.commit("links");
        }
        let run = if committed {
            run_plan(&repo, &["--head", "HEAD"])
        } else {
            run_plan(&repo, &[])
        };
        let plan = a_plan(&run);
        let text = plan.to_string();
        assert!(
            !text.contains("Secret") && !text.contains("leak"),
            "a link out of the repository was followed: {text}"
        );
        // A link is its target's path, as git stores it: not Apex, so the policy errs
        // toward more tests.
        assert!(
            warnings(&plan).iter().any(|w| w.contains("Outside.cls")),
            "committed={committed}: {:?}",
            warnings(&plan)
        );
    }
}

#[test]
fn a_submodule_inside_a_package_directory_is_named_in_a_warning() {
    let repo = TestRepo::new("billing");
    let vendor = tempfile::tempdir().expect("tempdir");
    let inner = git2::Repository::init(vendor.path()).expect("init the submodule");
    fs::write(vendor.path().join("Vendor.cls"), "public class Vendor {}\n").expect("write");
    let first = commit_all(&inner, "vendor");
    let path = "force-app/main/default/classes/vendor";
    commit_gitlink(repo.path(), path, first, "add a submodule");
    assert_warns_of_submodule(&a_plan(&run_plan(&repo, &["--head", "HEAD"])), path);
    // The working tree holds the submodule as a directory (checked out or empty).
    fs::create_dir_all(repo.path().join(path)).expect("mkdir");
    let plan = a_plan(&run_plan(&repo, &[]));
    assert!(
        warnings(&plan).iter().any(|w| w.contains(path)),
        "{:?}",
        warnings(&plan)
    );

    // Adding the submodule is a change impact cannot see into: every test runs.
    assert!(
        plan_between(&repo, "HEAD~1", "HEAD")["fallback"]["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("submodule")),
        "adding a submodule inside a package directory falls back: {:#}",
        plan_between(&repo, "HEAD~1", "HEAD")
    );

    // A new submodule commit: impact cannot see inside, says so, and runs every test.
    fs::write(
        vendor.path().join("Vendor.cls"),
        "public class Vendor { Integer x; }\n",
    )
    .expect("write");
    let second = commit_all(&inner, "vendor 2");
    commit_gitlink(repo.path(), path, second, "move the submodule");
    let plan = a_plan(&run_plan(&repo, &["--head", "HEAD"]));
    assert!(
        warnings(&plan).iter().any(|w| w.contains(path)),
        "{:?}",
        warnings(&plan)
    );
    let moved = plan_between(&repo, "HEAD~1", "HEAD");
    assert_eq!(
        moved["fallback"]["paths"],
        serde_json::json!([path]),
        "{moved:#}"
    );
    assert!(
        selected_tests(&moved).contains(&"InvoiceServiceTest".to_string()),
        "{moved:#}"
    );

    // A submodule outside every package directory changes nothing impact plans.
    let outside = "vendor/tools";
    commit_gitlink(
        repo.path(),
        outside,
        first,
        "a submodule outside the package",
    );
    assert!(plan_between(&repo, "HEAD~1", "HEAD")["fallback"].is_null());
}

/// A package directory kept in a submodule (madmax983/revenant's
/// `lib/chunkedcursoriterator/force-app`): the project is planned, not refused as
/// naming a directory that does not exist, with a warning that names the submodule; a
/// plan that moves it runs every test.
#[test]
fn a_package_directory_in_a_submodule_is_planned_with_a_warning() {
    let repo = TestRepo::new("billing");
    let vendor = tempfile::tempdir().expect("tempdir");
    let inner = git2::Repository::init(vendor.path()).expect("init the submodule");
    fs::create_dir_all(vendor.path().join("force-app")).expect("mkdir");
    fs::write(
        vendor.path().join("force-app/Vendor.cls"),
        "public class Vendor {}\n",
    )
    .expect("write");
    let first = commit_all(&inner, "vendor");
    let project = repo.read("sfdx-project.json");
    repo.write(
        "sfdx-project.json",
        &project.replace(
            "\"path\": \"billing-extras\"",
            "\"path\": \"billing-extras\"\n    },\n    {\n      \"path\": \"lib/vendor/force-app\"",
        ),
    );
    repo.commit("A package directory from a submodule");
    let path = "lib/vendor";
    commit_gitlink(repo.path(), path, first, "add the submodule");
    assert_warns_of_submodule(&a_plan(&run_plan(&repo, &["--head", "HEAD"])), path);

    fs::write(
        vendor.path().join("force-app/Vendor.cls"),
        "public class Vendor { Integer x; }\n",
    )
    .expect("write");
    let second = commit_all(&inner, "vendor 2");
    commit_gitlink(repo.path(), path, second, "move the submodule");
    let moved = plan_between(&repo, "HEAD~1", "HEAD");
    assert_eq!(
        moved["fallback"]["paths"],
        serde_json::json!([path]),
        "{moved:#}"
    );
}

/// Asserts that `plan` warns that the submodule at `path` is not read.
#[track_caller]
fn assert_warns_of_submodule(plan: &serde_json::Value, path: &str) {
    assert!(
        warnings(plan)
            .iter()
            .any(|w| w.contains(path) && w.contains("submodule")),
        "{:?}",
        warnings(plan)
    );
}

/// The plan of `impact plan --base BASE --head HEAD`.
fn plan_between(repo: &TestRepo, base: &str, head: &str) -> serde_json::Value {
    a_plan(&repo.run(&["plan", "--format", "json", "--base", base, "--head", head]))
}

/// Commits HEAD's tree with a submodule entry (gitlink) at `path` pointing at `commit`.
fn commit_gitlink(repo_dir: &Path, path: &str, commit: git2::Oid, message: &str) {
    let repo = git2::Repository::open(repo_dir).expect("open");
    let mut index = repo.index().expect("index");
    index.read(true).expect("read the index");
    let time = git2::IndexTime::new(0, 0);
    index
        .add(&git2::IndexEntry {
            ctime: time,
            mtime: time,
            dev: 0,
            ino: 0,
            mode: 0o160000,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: commit,
            flags: 0,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        })
        .expect("add the gitlink");
    index.write().expect("write the index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    commit_tree(&repo, &tree, message);
}

/// `git add -A && git commit` in a repository opened with git2; returns the commit.
fn commit_all(repo: &git2::Repository, message: &str) -> git2::Oid {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("write the index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    commit_tree(repo, &tree, message)
}

/// Commits `tree` on HEAD.
fn commit_tree(repo: &git2::Repository, tree: &git2::Tree<'_>, message: &str) -> git2::Oid {
    let who = git2::Signature::new("t", "t@impact.invalid", &git2::Time::new(1_800_000_000, 0))
        .expect("signature");
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|head| head.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &who, &who, message, tree, &parents)
        .expect("commit")
}

const LFS_POINTER: &str = "version https://git-lfs.github.com/spec/v1\n\
     oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n\
     size 12345\n";

#[test]
fn lfs_pointers_in_place_of_apex_and_static_resources_are_named_and_run_more() {
    let repo = TestRepo::new("billing");
    repo.write(&class("InvoiceService"), LFS_POINTER);
    repo.write(
        "force-app/main/default/staticresources/pricing.resource",
        LFS_POINTER,
    );
    repo.write(
        "force-app/main/default/staticresources/pricing.resource-meta.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StaticResource xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <cacheControl>Private</cacheControl>\n    <contentType>application/json</contentType>\n</StaticResource>\n",
    );
    let plan = a_plan(&run_plan(&repo, &[]));
    let found = warnings(&plan);
    assert!(
        found
            .iter()
            .any(|w| w.contains("InvoiceService.cls") && w.contains("LFS")),
        "{found:?}"
    );
    // The class's content is unknown: every test that used it still runs.
    let selected = selected_tests(&plan);
    for test in ["InvoiceServiceTest", "PaymentServiceTest", CRITICAL] {
        assert!(
            selected.contains(&test.to_string()),
            "{test} missing: {selected:?}"
        );
    }
}

#[test]
fn classes_whose_names_differ_only_by_case_give_a_plan_with_a_warning() {
    let repo = TestRepo::new("billing");
    repo.write(&class("invoiceservice"), "public class invoiceservice {}\n");
    repo.commit("a second InvoiceService by case");
    let plan = a_plan(&run_plan(&repo, &["--head", "HEAD"]));
    // One warning per group of paths, the group's paths in order (the duplicate
    // sources of one component are a warning of their own).
    let group = format!(
        "{}, {}: these paths differ only by case",
        class("InvoiceService"),
        class("invoiceservice")
    );
    let named: Vec<String> = warnings(&plan)
        .into_iter()
        .filter(|w| w.contains("differ only by case"))
        .collect();
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(named[0].starts_with(&group), "{named:?}");
    assert!(selected_tests(&plan).contains(&"InvoiceServiceTest".to_string()));
}

#[test]
fn a_file_name_that_is_not_utf8_is_named_in_a_warning() {
    use std::os::unix::ffi::OsStrExt;
    let repo = TestRepo::new("billing");
    let name = std::ffi::OsStr::from_bytes(b"Caf\xe9.cls");
    fs::write(
        repo.path().join(CLASSES).join(name),
        "public class Cafe {}\n",
    )
    .expect("write");
    for committed in [false, true] {
        if committed {
            repo.commit("a Latin-1 name");
        }
        let run = if committed {
            run_plan(&repo, &["--head", "HEAD"])
        } else {
            run_plan(&repo, &[])
        };
        let plan = a_plan(&run);
        assert!(
            warnings(&plan).iter().any(|w| w.contains("not UTF-8")),
            "committed={committed}: {:?}",
            warnings(&plan)
        );
    }
}

/// An Apex class of about `bytes` bytes: many small methods.
fn big_class(name: &str, bytes: usize) -> String {
    let mut source = format!("public with sharing class {name} {{\n");
    let mut index = 0;
    while source.len() < bytes {
        source.push_str(&format!(
            "    public static Integer method{index}(Integer value) {{\n        Integer doubled = value * 2;\n        return InvoiceService.SCALE + doubled + {index};\n    }}\n"
        ));
        index += 1;
    }
    source.push_str("}\n");
    source
}

#[test]
fn a_50_mb_apex_class_gives_a_plan() {
    let repo = TestRepo::new("billing");
    repo.write(&class("Huge"), &big_class("Huge", 50 << 20));
    let plan = a_plan(&run_plan(&repo, &[]));
    assert!(plan["changes"].to_string().contains("Huge"));
    // Every method of the class reads `InvoiceService.SCALE`: a change to it reaches the
    // class, which has no test, so the plan says so instead of missing it.
    repo.commit("a 50 MB class");
    repo.edit(&class("InvoiceService"), "SCALE = 2", "SCALE = 3");
    let plan = a_plan(&repo.run(&["plan", "--format", "json", "--base", "HEAD"]));
    assert!(
        selected_tests(&plan).contains(&"InvoiceServiceTest".to_string()),
        "{plan:#}"
    );
}

/// A package directory of 100,000 files (50,000 static resources and their meta files),
/// committed through git2's tree builder: writing and adding them through the working
/// tree would take minutes of the suite.
#[test]
fn a_package_directory_of_100000_files_gives_a_plan() {
    let repo = TestRepo::new("billing");
    let git = git2::Repository::open(repo.path()).expect("open");
    let head = git.head().expect("HEAD").peel_to_commit().expect("commit");
    let meta = git
        .blob(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StaticResource xmlns=\"http://soap.sforce.com/2006/04/metadata\"><cacheControl>Private</cacheControl><contentType>text/plain</contentType></StaticResource>\n",
        )
        .expect("blob");
    let mut resources = git.treebuilder(None).expect("tree builder");
    for index in 0..50_000 {
        let content = git.blob(format!("{index}\n").as_bytes()).expect("blob");
        resources
            .insert(format!("r{index}.resource"), content, 0o100644)
            .expect("insert");
        resources
            .insert(format!("r{index}.resource-meta.xml"), meta, 0o100644)
            .expect("insert");
    }
    let resources = resources.write().expect("write the tree");
    let mut update = git2::build::TreeUpdateBuilder::new();
    update.upsert(
        "force-app/main/default/staticresources",
        resources,
        git2::FileMode::Tree,
    );
    let tree = update
        .create_updated(&git, &head.tree().expect("tree"))
        .expect("update the tree");
    let many = commit_tree(&git, &git.find_tree(tree).expect("tree"), "100,000 files");

    let service = class("InvoiceService");
    let source = repo.read(&service);
    let edited = git
        .blob(source.replace("SCALE = 2", "SCALE = 3").as_bytes())
        .expect("blob");
    let mut update = git2::build::TreeUpdateBuilder::new();
    update.upsert(service.as_str(), edited, git2::FileMode::Blob);
    let many_tree = git.find_commit(many).expect("commit").tree().expect("tree");
    let tree = update
        .create_updated(&git, &many_tree)
        .expect("update the tree");
    let edit = commit_tree(&git, &git.find_tree(tree).expect("tree"), "SCALE = 3");

    let plan = a_plan(&repo.run(&[
        "plan",
        "--format",
        "json",
        "--base",
        &many.to_string(),
        "--head",
        &edit.to_string(),
    ]));
    assert!(selected_tests(&plan).contains(&"InvoiceServiceTest".to_string()));
    // The whole package directory is classified: a change among the 100,000 files is seen.
    let plan = a_plan(&repo.run(&[
        "plan",
        "--format",
        "json",
        "--base",
        &head.id().to_string(),
        "--head",
        &many.to_string(),
    ]));
    let changed = plan["changes"].as_array().map(Vec::len);
    assert_eq!(changed, Some(50_000), "one change per static resource");
}

/// `git ARGS…` in `dir`; panics with git's message on failure.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_partial_clone_reads_missing_blobs_through_git_or_says_what_to_run() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git CLI not available; skipping");
        return;
    }
    let origin = TestRepo::new("billing");
    origin.edit(&class("InvoiceService"), "SCALE = 2", "SCALE = 3");
    // Moved to another folder and edited: rename detection compares the two blobs, and
    // the base one is not local in the partial clone either.
    let moved = class("InvoiceService").replace("/classes/", "/classes/billing/");
    origin.rename(&class("InvoiceService"), &moved);
    origin.rename(
        &format!("{}-meta.xml", class("InvoiceService")),
        &format!("{moved}-meta.xml"),
    );
    origin.commit("change balance, move the service");
    git(origin.path(), &["config", "uploadpack.allowFilter", "true"]);
    git(
        origin.path(),
        &["config", "uploadpack.allowAnySHA1InWant", "true"],
    );
    let full = without_elapsed(
        origin
            .run(&[
                "plan",
                "--format",
                "json",
                "--base",
                origin.base(),
                "--head",
                "HEAD",
            ])
            .ok(),
    );

    let scratch = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", origin.path().display());
    git(
        scratch.path(),
        &["clone", "-q", "--filter=blob:none", &url, "partial"],
    );
    let partial = scratch.path().join("partial");
    let args = [
        "plan",
        "--format",
        "json",
        "--base",
        origin.base(),
        "--head",
        "HEAD",
    ];
    // The base revision's blobs are not local: git fetches them.
    let run = run_in(&partial, &args);
    assert_eq!(
        without_elapsed(run.ok()),
        full,
        "the partial clone plans otherwise"
    );

    // Without the remote, the missing blob is a clear input error saying what to run.
    git(
        scratch.path(),
        &["clone", "-q", "--filter=blob:none", &url, "cut-off"],
    );
    let cut_off = scratch.path().join("cut-off");
    git(
        &cut_off,
        &[
            "remote",
            "set-url",
            "origin",
            "file:///nonexistent/impact-origin",
        ],
    );
    let cause = run_in(&cut_off, &args).assert_input_error("partial clone");
    assert!(cause.contains("missing"), "{cause}");
}

/// The id of the blob `revision:path` names.
fn blob_at(repo: &TestRepo, revision_path: &str) -> String {
    git2::Repository::open(repo.path())
        .expect("the repository")
        .revparse_single(revision_path)
        .expect("the blob")
        .id()
        .to_string()
}

/// Damages the clone: removes the object `id`, which the test repositories keep loose.
fn remove_loose_object(repo: &TestRepo, id: &str) {
    let loose = repo
        .path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..]);
    fs::remove_file(&loose).expect("the object is loose");
}

/// A clone that lacks a blob rename detection needs (not a partial clone: a damaged
/// one) is an input error naming the file and what to run, not libgit2's "object not
/// found".
#[test]
fn a_damaged_clone_missing_a_blob_names_the_file() {
    let repo = TestRepo::new("billing");
    let old_blob = blob_at(&repo, &format!("HEAD:{}", class("InvoiceService")));
    repo.edit(&class("InvoiceService"), "SCALE = 2", "SCALE = 3");
    let moved = class("InvoiceService").replace("/classes/", "/classes/billing/");
    repo.rename(&class("InvoiceService"), &moved);
    repo.commit("change balance, move the service");
    remove_loose_object(&repo, &old_blob);

    let run = repo.run(&["plan", "--base", repo.base(), "--head", "HEAD"]);
    let cause = run.assert_input_error(&old_blob);
    assert!(cause.contains(&class("InvoiceService")), "{cause}");
    assert!(run.stderr.contains("fsck"), "{}", run.stderr);
}

/// A blob of the head missing from a damaged clone, met while the head's files are read
/// and parsed (the reading hands them to the parsing in batches: here the file comes
/// hundreds of files in, with parsing under way), is the same input error naming the
/// file, and the plan writes no cache.
#[test]
fn a_damaged_clone_missing_a_blob_of_the_head_names_the_file_and_writes_no_cache() {
    let repo = TestRepo::new("billing");
    for n in 0..400 {
        repo.write_class(
            &format!("Filler{n:03}"),
            &format!("public class Filler{n:03} {{ public Integer n() {{ return {n}; }} }}"),
        );
    }
    repo.commit("fillers");
    repo.edit(&class("InvoiceService"), "SCALE = 2", "SCALE = 3");
    repo.commit("change balance");
    let missing = class("Filler300");
    let blob = blob_at(&repo, &format!("HEAD:{missing}"));
    remove_loose_object(&repo, &blob);

    let run = repo.run(&["plan", "--base", "HEAD~1", "--head", "HEAD"]);
    let cause = run.assert_input_error(&blob);
    assert!(cause.contains(&missing), "{cause}");
    assert!(run.stderr.contains("fsck"), "{}", run.stderr);
    assert!(
        !repo.path().join(".impact/cache").exists(),
        "a plan that stopped wrote its cache"
    );
}

/// The same with a cache from an earlier plan: the files the stopped plan began keeping
/// (its listing and its commit's tree, written as it goes) are removed, and what the
/// earlier plan kept is left as it was.
#[test]
fn a_damaged_clone_leaves_an_earlier_plans_cache_as_it_was() {
    let repo = TestRepo::new("billing");
    repo.edit(&class("InvoiceService"), "SCALE = 2", "SCALE = 3");
    repo.commit("change balance");
    repo.run(&["plan", "--base", "HEAD~1", "--head", "HEAD"])
        .ok();
    let cache = repo.path().join(".impact/cache");
    let before = cache_files(&cache);
    repo.write_class(
        "Added",
        "public class Added { public Integer n() { return 1; } }",
    );
    repo.commit("added");
    let blob = blob_at(&repo, &format!("HEAD:{}", class("Added")));
    remove_loose_object(&repo, &blob);

    let run = repo.run(&["plan", "--base", "HEAD~1", "--head", "HEAD"]);
    run.assert_input_error(&blob);
    assert_eq!(cache_files(&cache), before, "the cache changed");
}

/// Each file of a cache directory with its bytes.
fn cache_files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("the cache directory")
        .flatten()
        .map(|entry| {
            let bytes = std::fs::read(entry.path()).expect("read");
            (entry.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}
