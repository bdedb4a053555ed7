//! Test harness: real git repositories built from `fixtures/`, and the real binary.
//!
//! [`TestRepo`] copies a fixture org into a fresh temporary directory, commits it as
//! `base` on branch `main` with `git2`, and then lets a test describe a change in Rust
//! (write, edit, delete, rename), which it either commits or leaves in the working tree
//! (optionally staged). [`TestRepo::run`] runs `target/…/impact` in that repository and
//! returns what it printed. Set `IMPACT_KEEP_TEMP=1` to keep the repositories after the
//! tests (their paths are printed) and rerun a command by hand.
//!
//! Nothing here knows how `impact` works inside: the tests see only the command line and
//! the `impact.plan/v1` JSON of DESIGN.md. Helpers panic with a message on misuse (a
//! string to edit that is not there), because a test with a wrong premise must fail loudly.

#![allow(dead_code)] // Each topic module uses a different part of the harness.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{IndexAddOption, Oid, Repository, RepositoryInitOptions, Signature, Time};
use serde_json::Value;

/// Where the fixture org's Apex classes live, relative to the repository root.
pub const CLASSES: &str = "force-app/main/default/classes";
/// Where the fixture org's triggers live.
pub const TRIGGERS: &str = "force-app/main/default/triggers";
/// The `Invoice__c` object folder.
pub const INVOICE: &str = "force-app/main/default/objects/Invoice__c";
/// The Apex classes of the second package directory.
pub const EXTRAS: &str = "billing-extras/classes";

/// The fixture's `@isTest(critical=true)` class: selected by every plan.
pub const CRITICAL: &str = "BillingSmokeTest";

/// Path of a `force-app` Apex class source file.
pub fn class(name: &str) -> String {
    format!("{CLASSES}/{name}.cls")
}

/// A fixture org turned into a git repository in a temporary directory.
pub struct TestRepo {
    dir: tempfile::TempDir,
    repo: Repository,
    base: String,
    clock: std::cell::Cell<i64>,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The command line, for failure messages.
    pub command: String,
}

impl TestRepo {
    /// `fixtures/<org>` committed as `base` on branch `main`.
    pub fn new(org: &str) -> TestRepo {
        TestRepo::build(org, "main", |_| {})
    }

    /// Like [`TestRepo::new`], with `prepare` editing the files before the base commit
    /// (e.g. to remove the critical test for a scenario that must run nothing).
    pub fn with_base(org: &str, prepare: impl FnOnce(&TestRepo)) -> TestRepo {
        TestRepo::build(org, "main", prepare)
    }

    /// Like [`TestRepo::new`] with another name for the first branch (`master`).
    pub fn on_branch(org: &str, branch: &str) -> TestRepo {
        TestRepo::build(org, branch, |_| {})
    }

    fn build(org: &str, branch: &str, prepare: impl FnOnce(&TestRepo)) -> TestRepo {
        let fixture = fixture_dir(org);
        assert!(fixture.is_dir(), "no fixture org at {}", fixture.display());
        let dir = tempfile::Builder::new()
            .prefix(&format!("impact-it-{org}-"))
            .tempdir()
            .expect("create a temporary directory");
        copy_tree(&fixture, dir.path());
        let mut options = RepositoryInitOptions::new();
        options.initial_head(branch);
        let repo = Repository::init_opts(dir.path(), &options).expect("git init");
        let mut test_repo = TestRepo {
            dir,
            repo,
            base: String::new(),
            clock: std::cell::Cell::new(1_700_000_000),
        };
        prepare(&test_repo);
        test_repo.base = test_repo.commit("base");
        if std::env::var_os("IMPACT_KEEP_TEMP").is_some_and(|v| v == "1") {
            eprintln!("IMPACT_KEEP_TEMP: keeping {}", test_repo.path().display());
        }
        test_repo
    }

    /// The repository root (also its working tree).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The sha of the `base` commit.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The sha HEAD points at.
    pub fn head(&self) -> String {
        self.repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .map(|c| c.id().to_string())
            .expect("HEAD is a commit")
    }

    /// The sha a branch points at.
    pub fn branch_sha(&self, branch: &str) -> String {
        self.repo
            .find_branch(branch, git2::BranchType::Local)
            .and_then(|b| b.get().peel_to_commit())
            .map(|c| c.id().to_string())
            .unwrap_or_else(|e| panic!("no branch {branch}: {e}"))
    }

    /// The text of a file in the working tree.
    pub fn read(&self, path: &str) -> String {
        fs::read_to_string(self.path().join(path))
            .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
    }

    /// Writes (creates or replaces) a file in the working tree.
    pub fn write(&self, path: &str, content: &str) -> &Self {
        let full = self.path().join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).expect("create parent directories");
        }
        fs::write(&full, content).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
        self
    }

    /// Adds `lines` at the end of a file, on a line of their own (a pattern to
    /// `.forceignore`).
    pub fn append(&self, path: &str, lines: &str) -> &Self {
        let text = self.read(path);
        self.write(path, &format!("{text}\n{lines}\n"))
    }

    /// Removes the lines of a file that contain `needle`.
    pub fn drop_lines(&self, path: &str, needle: &str) -> &Self {
        let text = self.read(path);
        let kept: Vec<&str> = text.lines().filter(|line| !line.contains(needle)).collect();
        self.write(path, &kept.join("\n"))
    }

    /// Replaces the one occurrence of `from` in a file by `to`. Panics when `from` does
    /// not occur exactly once, so a scenario cannot silently change nothing.
    pub fn edit(&self, path: &str, from: &str, to: &str) -> &Self {
        let text = self.read(path);
        let count = text.matches(from).count();
        assert_eq!(
            count, 1,
            "{path}: expected exactly one occurrence of {from:?}, found {count}"
        );
        self.write(path, &text.replacen(from, to, 1))
    }

    /// Deletes a file from the working tree.
    pub fn delete(&self, path: &str) -> &Self {
        fs::remove_file(self.path().join(path))
            .unwrap_or_else(|e| panic!("cannot delete {path}: {e}"));
        self
    }

    /// Moves a file in the working tree.
    pub fn rename(&self, from: &str, to: &str) -> &Self {
        let target = self.path().join(to);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).expect("create parent directories");
        }
        fs::rename(self.path().join(from), target)
            .unwrap_or_else(|e| panic!("cannot rename {from} to {to}: {e}"));
        self
    }

    /// Deletes an Apex class of `force-app` with its `-meta.xml`.
    pub fn delete_class(&self, name: &str) -> &Self {
        self.delete(&class(name))
            .delete(&format!("{}-meta.xml", class(name)))
    }

    /// Writes an Apex class of `force-app` with a standard `-meta.xml`.
    pub fn write_class(&self, name: &str, source: &str) -> &Self {
        self.write(&class(name), source)
            .write(&format!("{}-meta.xml", class(name)), CLASS_META)
    }

    /// Writes the tests that tell DML events apart: `InvoicePurgeTest` inserts and
    /// deletes an invoice, `InvoiceImportTest` only upserts invoices.
    pub fn write_invoice_event_tests(&self) -> &Self {
        self.write_class(
            "InvoicePurgeTest",
            "@IsTest\nprivate class InvoicePurgeTest {\n    @IsTest\n    static void purges() {\n        \
                 Invoice__c inv = new Invoice__c(Amount__c = 1);\n        insert inv;\n        \
                 delete inv;\n        Assert.areEqual(0, [SELECT COUNT() FROM Invoice__c]);\n    }\n}\n",
        )
        .write_class(
            "InvoiceImportTest",
            "@IsTest\nprivate class InvoiceImportTest {\n    @IsTest\n    static void imports() {\n        \
                 List<Invoice__c> rows = new List<Invoice__c>{ new Invoice__c(Amount__c = 2) };\n        \
                 Database.upsert(rows, false);\n        Assert.areEqual(1, [SELECT COUNT() FROM Invoice__c]);\n    }\n}\n",
        )
    }

    /// Writes an active Apex trigger of `force-app` with a standard `-meta.xml`.
    pub fn write_trigger(&self, name: &str, source: &str) -> &Self {
        self.write(&format!("{TRIGGERS}/{name}.trigger"), source)
            .write(&format!("{TRIGGERS}/{name}.trigger-meta.xml"), TRIGGER_META)
    }

    /// Stages every change of the working tree (additions, edits, deletions), like
    /// `git add -A`.
    pub fn stage(&self) -> &Self {
        let mut index = self.repo.index().expect("open the index");
        // `impact` may keep a cache under `.impact/`; it is not part of any scenario.
        let mut skip_cache =
            |path: &Path, _: &[u8]| -> i32 { i32::from(path.starts_with(".impact")) };
        index
            .add_all(["*"].iter(), IndexAddOption::DEFAULT, Some(&mut skip_cache))
            .expect("git add");
        index.update_all(["*"].iter(), None).expect("git add -u");
        index.write().expect("write the index");
        self
    }

    /// Records in the index that `path` will be added, without its content, like
    /// `git add -N`: an entry of the empty blob, flagged intent-to-add.
    pub fn intend_to_add(&self, path: &str) -> &Self {
        let mut index = self.repo.index().expect("open the index");
        let empty = self.repo.blob(b"").expect("write the empty blob");
        let zero = git2::IndexTime::new(0, 0);
        let entry = git2::IndexEntry {
            ctime: zero,
            mtime: zero,
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: empty,
            flags: 0,
            flags_extended: git2::IndexEntryExtendedFlag::INTENT_TO_ADD.bits(),
            path: path.as_bytes().to_vec(),
        };
        index.add(&entry).expect("git add -N");
        index.write().expect("write the index");
        self
    }

    /// Leaves `path` out of the working tree as a sparse checkout does: its index entry
    /// flagged skip-worktree, its file removed.
    pub fn leave_out_of_checkout(&self, path: &str) -> &Self {
        let mut index = self.repo.index().expect("open the index");
        let mut entry = index
            .get_path(Path::new(path), 0)
            .unwrap_or_else(|| panic!("{path} is not in the index"));
        entry.flags_extended |= git2::IndexEntryExtendedFlag::SKIP_WORKTREE.bits();
        index.add(&entry).expect("flag skip-worktree");
        index.write().expect("write the index");
        self.delete(path)
    }

    /// Stages everything and commits it on the current branch; returns the new sha.
    pub fn commit(&self, message: &str) -> String {
        self.stage();
        let mut index = self.repo.index().expect("open the index");
        let tree_id = index.write_tree().expect("write the tree");
        let tree = self.repo.find_tree(tree_id).expect("find the tree");
        // A fixed, increasing clock keeps shas stable from run to run.
        let when = self.clock.get() + 60;
        self.clock.set(when);
        let who = Signature::new("Impact Tests", "tests@impact.invalid", &Time::new(when, 0))
            .expect("signature");
        let parents: Vec<git2::Commit> = match self.repo.head() {
            Ok(head) => vec![head.peel_to_commit().expect("HEAD is a commit")],
            Err(_) => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        let oid = self
            .repo
            .commit(Some("HEAD"), &who, &who, message, &tree, &parent_refs)
            .expect("git commit");
        oid.to_string()
    }

    /// Creates branch `name` at HEAD and checks it out (`git switch -c`).
    pub fn branch(&self, name: &str) -> &Self {
        let head = self
            .repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .expect("HEAD is a commit");
        self.repo
            .branch(name, &head, false)
            .expect("create the branch");
        self.switch(name)
    }

    /// Checks out an existing local branch (the working tree must be clean).
    pub fn switch(&self, name: &str) -> &Self {
        let refname = format!("refs/heads/{name}");
        let object = self.repo.revparse_single(&refname).expect("branch exists");
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.force();
        self.repo
            .checkout_tree(&object, Some(&mut checkout))
            .expect("checkout");
        self.repo.set_head(&refname).expect("set HEAD");
        self
    }

    /// Creates or moves a reference (e.g. `refs/remotes/origin/main`) to a commit.
    pub fn set_ref(&self, name: &str, sha: &str) -> &Self {
        let oid = Oid::from_str(sha).expect("a sha");
        self.repo
            .reference(name, oid, true, "test")
            .expect("create the reference");
        self
    }

    /// Creates a symbolic reference (e.g. `refs/remotes/origin/HEAD`).
    pub fn set_symbolic_ref(&self, name: &str, target: &str) -> &Self {
        self.repo
            .reference_symbolic(name, target, true, "test")
            .expect("create the symbolic reference");
        self
    }

    /// Runs `impact ARGS…` with the repository as the current directory.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.path(), args)
    }

    /// `impact plan --format json ARGS…`: asserts exit code 0, parses the JSON and checks
    /// the parts of its shape that every plan must have.
    pub fn plan_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["plan", "--format", "json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        let plan = run.json();
        check_plan_shape(&plan);
        plan
    }

    /// The plan from `base` to the commit at HEAD.
    pub fn plan_committed(&self) -> Value {
        let base = self.base.clone();
        self.plan_json(&["--base", &base, "--head", "HEAD"])
    }

    /// The plan from `base` to the working tree (the default head).
    pub fn plan_worktree(&self) -> Value {
        let base = self.base.clone();
        self.plan_json(&["--base", &base])
    }
}

impl Drop for TestRepo {
    fn drop(&mut self) {
        if std::env::var_os("IMPACT_KEEP_TEMP").is_some_and(|v| v == "1") {
            // Replace the directory with a fresh one that is dropped instead, so the
            // repository survives the test.
            let placeholder = tempfile::tempdir().expect("create a temporary directory");
            let kept = std::mem::replace(&mut self.dir, placeholder).keep();
            eprintln!("IMPACT_KEEP_TEMP: kept {}", kept.display());
        }
    }
}

impl Run {
    /// Asserts success and parses stdout as JSON.
    pub fn json(&self) -> Value {
        assert_eq!(
            self.code, 0,
            "`{}` failed\nstdout:\n{}\nstderr:\n{}",
            self.command, self.stdout, self.stderr
        );
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`{}` did not print JSON ({e})\nstdout:\n{}\nstderr:\n{}",
                self.command, self.stdout, self.stderr
            )
        })
    }

    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "`{}` failed\nstdout:\n{}\nstderr:\n{}",
            self.command, self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts the error contract of DESIGN.md: exit code 2, a one-line cause that
    /// mentions `needle` (case-insensitively), and a `hint:` line. Returns the cause.
    pub fn assert_input_error(&self, needle: &str) -> String {
        let context = format!(
            "`{}`\nexit code {}\nstdout:\n{}\nstderr:\n{}",
            self.command, self.code, self.stdout, self.stderr
        );
        assert_eq!(
            self.code, 2,
            "expected exit code 2 for bad input: {context}"
        );
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let (hints, causes): (Vec<&str>, Vec<&str>) = lines
            .iter()
            .partition(|l| l.to_ascii_lowercase().starts_with("hint:"));
        assert_eq!(causes.len(), 1, "expected a one-line cause: {context}");
        assert_eq!(hints.len(), 1, "expected one `hint:` line: {context}");
        assert!(
            hints[0].len() > "hint:".len() + 3,
            "the hint says nothing: {context}"
        );
        assert!(
            causes[0]
                .to_ascii_lowercase()
                .contains(&needle.to_ascii_lowercase()),
            "the cause does not mention {needle:?}: {context}"
        );
        assert!(
            !self.stderr.contains("panicked"),
            "the tool panicked: {context}"
        );
        causes[0].to_string()
    }
}

/// Runs `impact ARGS…` in `dir`. Colour is off (`NO_COLOR`) unless a test removes it.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_with_env(dir, args, &[("NO_COLOR", Some("1"))])
}

/// The file counts a plan run with `IMPACT_TIMINGS=1` prints: files parsed, taken from
/// the cache, and listed without parsing.
pub fn file_counts(run: &Run) -> (usize, usize, usize) {
    let numbers = timing_numbers(run, "files parsed");
    (numbers[0], numbers[1], numbers[2])
}

/// Runs `impact ARGS…` in `repo` with `IMPACT_TIMINGS=1`: its stderr gives the counts
/// ([`file_counts`], [`resolution_counts`]).
pub fn run_timed(repo: &TestRepo, args: &[&str]) -> Run {
    run_with_env(repo.path(), args, &[("IMPACT_TIMINGS", Some("1"))])
}

/// Asserts that `run`, a plan of `impact ARGS…`, is the plan `--no-cache` gives: what a
/// plan keeps for the next never changes it.
pub fn assert_cold_plan(repo: &TestRepo, args: &[&str], run: &Run) {
    let mut no_cache = args.to_vec();
    no_cache.push("--no-cache");
    assert_eq!(
        without_elapsed(run.ok()),
        without_elapsed(repo.run(&no_cache).ok())
    );
}

/// The graph whose counts [`resolution_counts`] reads.
pub enum Graph {
    Head,
    /// Built when a change removes code.
    Base,
}

/// The counts a plan run with `IMPACT_TIMINGS=1` prints of a graph: files whose uses
/// were resolved, and files whose resolutions, kept by an earlier plan, were reused.
pub fn resolution_counts(run: &Run, graph: Graph) -> (usize, usize) {
    let needle = match graph {
        Graph::Head => "timing: files whose uses were resolved",
        Graph::Base => "timing: base graph, files whose uses were resolved",
    };
    let numbers = timing_numbers(run, needle);
    (numbers[0], numbers[1])
}

/// The numbers of the line a plan run with `IMPACT_TIMINGS=1` prints that contains
/// `needle`, in order.
pub fn timing_numbers(run: &Run, needle: &str) -> Vec<usize> {
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run
        .stderr
        .lines()
        .find(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("no `{needle}` in {}", run.stderr));
    line.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// Runs `impact ARGS…` in `dir` with environment changes (`None` removes a variable).
pub fn run_with_env(dir: &Path, args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_impact"));
    command.args(args).current_dir(dir);
    // The developer's git configuration must not change what the tests see.
    command.env("GIT_CONFIG_NOSYSTEM", "1");
    for (key, value) in env {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", env!("CARGO_BIN_EXE_impact")));
    Run {
        // A signal (a crash) has no code: report it as -1 so every assertion fails.
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        command: format!("impact {}", args.join(" ")),
    }
}

/// The `fixtures/<org>` directory of this crate.
pub fn fixture_dir(org: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(org)
}

/// Copies a directory tree, dotfiles included.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the target directory");
    let mut entries: Vec<_> = fs::read_dir(from)
        .expect("read the fixture directory")
        .map(|e| e.expect("a directory entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

/// The `-meta.xml` of an active Apex trigger at the fixture's API version.
pub const TRIGGER_META: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ApexTrigger xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexTrigger>
"#;

/// The `-meta.xml` of an Apex class at the fixture's API version.
pub const CLASS_META: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
"#;

// ---------------------------------------------------------------------------------------
// Reading plans
// ---------------------------------------------------------------------------------------

/// The names of the selected tests of one kind (`flow`, `lwc`), sorted.
pub fn tests_of_kind(plan: &Value, kind: &str) -> Vec<String> {
    let mut names: Vec<String> = tests(plan)
        .iter()
        .filter(|t| t["kind"] == kind)
        .map(|t| t["name"].as_str().unwrap_or("?").to_string())
        .collect();
    names.sort();
    names
}

/// The names of the selected Apex tests, sorted. Flow and LWC tests are left out so that
/// these tests keep meaning the same when those kinds are added.
pub fn selected_tests(plan: &Value) -> Vec<String> {
    let mut names: Vec<String> = tests(plan)
        .iter()
        .filter(|t| t["kind"] == "apex")
        .map(|t| t["name"].as_str().expect("a test name").to_string())
        .collect();
    names.sort();
    names
}

/// The names of the selected Apex tests in plan (rank) order.
pub fn ranked_tests(plan: &Value) -> Vec<String> {
    tests(plan)
        .iter()
        .filter(|t| t["kind"] == "apex")
        .map(|t| t["name"].as_str().expect("a test name").to_string())
        .collect()
}

/// The selected test entries.
pub fn tests(plan: &Value) -> &Vec<Value> {
    plan["tests"].as_array().expect("`tests` is an array")
}

/// The entry of a selected test; panics with the selection when it is absent.
pub fn test_entry<'a>(plan: &'a Value, test: &str) -> &'a Value {
    tests(plan)
        .iter()
        .find(|t| {
            t["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(test))
        })
        .unwrap_or_else(|| {
            panic!(
                "{test} is not selected; selected: {:?}",
                selected_tests(plan)
            )
        })
}

/// `reasons[0].path` of a selected test.
pub fn reason_path(plan: &Value, test: &str) -> Vec<String> {
    let entry = test_entry(plan, test);
    entry["reasons"][0]["path"]
        .as_array()
        .unwrap_or_else(|| panic!("{test} has no reasons[0].path: {entry}"))
        .iter()
        .map(|e| e.as_str().expect("path elements are strings").to_string())
        .collect()
}

/// A modified component whose change is one of meaning, as [`changes`] lists it.
pub fn modified(type_name: &str, name: &str) -> (String, String, String, bool) {
    (type_name.into(), name.into(), "modified".into(), true)
}

/// A modified component whose change is formatting only, as [`changes`] lists it.
pub fn formatting_only(type_name: &str, name: &str) -> (String, String, String, bool) {
    (type_name.into(), name.into(), "modified".into(), false)
}

/// The changed components as `(type, name, change, semantic)`, sorted.
pub fn changes(plan: &Value) -> Vec<(String, String, String, bool)> {
    let mut list: Vec<_> = plan["changes"]
        .as_array()
        .expect("`changes` is an array")
        .iter()
        .map(|c| {
            (
                c["type"].as_str().expect("a change type").to_string(),
                c["name"].as_str().expect("a change name").to_string(),
                c["change"].as_str().expect("a change kind").to_string(),
                c["semantic"].as_bool().expect("`semantic` is a boolean"),
            )
        })
        .collect();
    list.sort();
    list
}

/// The changed components as `change Type:Name` (`added ApexClass:Foo`), sorted.
pub fn change_kinds(plan: &Value) -> Vec<String> {
    changes(plan)
        .into_iter()
        .map(|(t, n, change, _)| format!("{change} {t}:{n}"))
        .collect()
}

/// The changed components as `Type:Name`, sorted.
pub fn changed_ids(plan: &Value) -> Vec<String> {
    changes(plan)
        .into_iter()
        .map(|(t, n, _, _)| format!("{t}:{n}"))
        .collect()
}

/// The change entry of one component.
pub fn change_entry<'a>(plan: &'a Value, id: &str) -> &'a Value {
    let (type_name, name) = id.split_once(':').expect("Type:Name");
    plan["changes"]
        .as_array()
        .expect("`changes` is an array")
        .iter()
        .find(|c| {
            c["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(type_name))
                && c["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .unwrap_or_else(|| panic!("{id} is not among the changes: {:?}", changed_ids(plan)))
}

/// `uncovered` as `Type:Name`, sorted.
pub fn uncovered(plan: &Value) -> Vec<String> {
    let mut list: Vec<String> = plan["uncovered"]
        .as_array()
        .expect("`uncovered` is an array")
        .iter()
        .map(|u| {
            format!(
                "{}:{}",
                u["type"].as_str().expect("a type"),
                u["name"].as_str().expect("a name")
            )
        })
        .collect();
    list.sort();
    list
}

/// `fallback.paths`, sorted; panics when there is no fallback.
pub fn fallback_paths(plan: &Value) -> Vec<String> {
    let fallback = &plan["fallback"];
    assert!(fallback.is_object(), "expected a fallback, got {fallback}");
    let mut paths: Vec<String> = fallback["paths"]
        .as_array()
        .expect("`fallback.paths` is an array")
        .iter()
        .map(|p| p.as_str().expect("a path").to_string())
        .collect();
    paths.sort();
    paths
}

/// Test names as owned, sorted strings, for comparisons with [`selected_tests`].
pub fn names(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Asserts the exact set of selected Apex tests. On failure the message lists the
/// missing and extra tests and the first reason path of every selected test.
#[track_caller]
pub fn assert_selected(plan: &Value, expected: &[&str]) {
    let got = selected_tests(plan);
    let want = names(expected);
    if got == want {
        return;
    }
    let missing: Vec<&String> = want.iter().filter(|t| !got.contains(t)).collect();
    let extra: Vec<&String> = got.iter().filter(|t| !want.contains(t)).collect();
    let mut why = String::new();
    for test in tests(plan) {
        let name = test["name"].as_str().unwrap_or("?");
        let path = &test["reasons"][0]["path"];
        why.push_str(&format!("\n  {name}: {path}"));
    }
    panic!(
        "selected tests differ\n  missing: {missing:?}\n  extra:   {extra:?}\n  changes: {:?}\n  \
         test_level: {}, fallback: {}\nreasons:{why}",
        changed_ids(plan),
        plan["test_level"],
        plan["fallback"],
    );
}

/// True when a path element is `component` or one of its members or inner classes:
/// `ApexClass:InvoiceService` matches itself, `ApexMethod:InvoiceService.total` and
/// `ApexClass:InvoiceService.Receipt` (case-insensitively).
pub fn is_within(element: &str, component: &str) -> bool {
    let element = element.to_ascii_lowercase();
    let component = component.to_ascii_lowercase();
    if element == component {
        return true;
    }
    let Some((_, name)) = component.split_once(':') else {
        return false;
    };
    let Some((element_type, element_name)) = element.split_once(':') else {
        return false;
    };
    let inside = element_name.starts_with(&format!("{name}."));
    inside && (element_type == "apexmethod" || component.starts_with(&format!("{element_type}:")))
}

/// Checks that the plan selects each of `tests` (among possibly others).
pub fn assert_includes(plan: &Value, tests: &[&str]) {
    let selected = selected_tests(plan);
    for test in tests {
        assert!(
            selected.iter().any(|s| s == test),
            "{test} not selected: {selected:?}"
        );
    }
}

/// Checks that the plan selects none of `tests`.
pub fn assert_excludes(plan: &Value, tests: &[&str]) {
    let selected = selected_tests(plan);
    for test in tests {
        assert!(
            !selected.iter().any(|s| s == test),
            "{test} selected: {selected:?}"
        );
    }
}

/// Asserts that `reasons[0].path` of `test` starts at `from` (the changed component, one
/// of its members or inner classes) and ends at the test class.
#[track_caller]
pub fn assert_path(plan: &Value, test: &str, from: &str) {
    let path = reason_path(plan, test);
    let first = path.first().map(String::as_str).unwrap_or("");
    let last = path.last().map(String::as_str).unwrap_or("");
    assert!(
        is_within(first, from),
        "{test}: path should start at {from} (or a member), got {path:?}"
    );
    assert!(
        last.eq_ignore_ascii_case(&format!("ApexClass:{test}")),
        "{test}: path should end at ApexClass:{test}, got {path:?}"
    );
}

/// Checks what every `impact.plan/v1` document must hold, whatever the change.
pub fn check_plan_shape(plan: &Value) {
    let dump = || serde_json::to_string_pretty(plan).unwrap_or_default();
    assert_eq!(plan["schema"], "impact.plan/v1", "schema: {}", dump());
    let base = plan["base"].as_str().unwrap_or("");
    assert!(is_sha(base), "`base` must be a 40-hex sha: {}", dump());
    let head = plan["head"].as_str().unwrap_or("");
    assert!(
        is_sha(head) || head == "WORKTREE",
        "`head` must be a sha or WORKTREE: {}",
        dump()
    );
    let level = plan["test_level"].as_str().unwrap_or("");
    assert!(
        ["RunSpecifiedTests", "RunLocalTests", "NoTestRun"].contains(&level),
        "`test_level`: {}",
        dump()
    );
    if plan["fallback"].is_null() {
        assert_ne!(
            level,
            "RunLocalTests",
            "RunLocalTests needs a fallback reason: {}",
            dump()
        );
    } else {
        assert_eq!(
            level,
            "RunLocalTests",
            "a fallback means RunLocalTests: {}",
            dump()
        );
        let reason = plan["fallback"]["reason"].as_str().unwrap_or("");
        assert!(
            !reason.trim().is_empty(),
            "a fallback states its reason: {}",
            dump()
        );
        assert!(
            plan["fallback"]["paths"].is_array(),
            "`fallback.paths`: {}",
            dump()
        );
    }
    for change in plan["changes"].as_array().expect("`changes` is an array") {
        for key in ["type", "name", "change"] {
            assert!(change[key].is_string(), "change.{key}: {change}");
        }
        assert!(change["semantic"].is_boolean(), "change.semantic: {change}");
        let paths = change["paths"]
            .as_array()
            .expect("change.paths is an array");
        // A manifest may name a component the repository does not hold: no file.
        assert!(
            !paths.is_empty() || plan["manifest"].is_string(),
            "a change names its files: {change}"
        );
    }
    let tests = tests(plan);
    if level == "RunSpecifiedTests" {
        assert!(
            !tests.is_empty(),
            "RunSpecifiedTests with no test: {}",
            dump()
        );
    }
    if level == "NoTestRun" {
        assert!(tests.is_empty(), "NoTestRun with tests: {}", dump());
    }
    for (index, test) in tests.iter().enumerate() {
        assert!(test["name"].is_string(), "test.name: {test}");
        assert!(
            ["apex", "flow", "lwc"].contains(&test["kind"].as_str().unwrap_or("")),
            "test.kind: {test}"
        );
        assert_eq!(
            test["rank"].as_u64(),
            Some(index as u64 + 1),
            "ranks count up from 1: {test}"
        );
        assert!(test["score"].is_number(), "test.score: {test}");
        let reasons = test["reasons"]
            .as_array()
            .expect("test.reasons is an array");
        // A critical test may be there by policy alone; every other test says why.
        if !test["name"]
            .as_str()
            .unwrap_or("")
            .eq_ignore_ascii_case(CRITICAL)
        {
            assert!(
                !reasons.is_empty(),
                "a selected test carries a reason: {test}"
            );
        }
        for reason in reasons {
            if let Some(path) = reason["path"].as_array() {
                assert!(
                    path.iter().all(Value::is_string),
                    "path elements are strings: {reason}"
                );
                if let Some(edges) = reason["edges"].as_array() {
                    assert_eq!(
                        edges.len() + 1,
                        path.len().max(1),
                        "one edge between each two path elements: {reason}"
                    );
                    for edge in edges {
                        assert!(edge["kind"].is_string(), "edge.kind: {reason}");
                    }
                }
            }
        }
    }
    let names: Vec<String> = tests
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_ascii_lowercase))
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        names.len(),
        "a test is listed twice: {}",
        dump()
    );
    let stats = &plan["stats"];
    for key in ["components", "tests_total", "selected", "elapsed_ms"] {
        assert!(stats[key].is_u64(), "stats.{key}: {}", dump());
    }
    assert_eq!(
        stats["selected"].as_u64(),
        Some(tests.len() as u64),
        "stats.selected: {}",
        dump()
    );
    assert!(
        stats["tests_total"].as_u64() >= Some(tests.len() as u64),
        "stats.tests_total: {}",
        dump()
    );
    assert!(plan["uncovered"].is_array(), "`uncovered`: {}", dump());
}

/// True for a 40-digit lowercase hex string.
pub fn is_sha(text: &str) -> bool {
    text.len() == 40
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The JSON text with the value of `"elapsed_ms"` replaced by 0, so two runs can be
/// compared byte for byte.
pub fn without_elapsed(json: &str) -> String {
    let key = "\"elapsed_ms\"";
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(at) = rest.find(key) {
        let (before, after) = rest.split_at(at + key.len());
        out.push_str(before);
        let colon = after.find(':').map(|i| i + 1).unwrap_or(0);
        let (sep, value) = after.split_at(colon);
        let spaces = value.len() - value.trim_start().len();
        let digits = value[spaces..]
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        out.push_str(sep);
        out.push_str(&value[..spaces]);
        out.push('0');
        rest = &value[spaces + digits..];
    }
    out.push_str(rest);
    out
}
