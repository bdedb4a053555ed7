//! Fixture repositories for the action: an "origin" built with `git2` from
//! `fixtures/billing`, and workspaces cloned from it with the git command line the way
//! `actions/checkout` leaves them (a full clone with the pull request's test merge commit
//! checked out, or a `--depth 1` clone).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{IndexAddOption, Repository, RepositoryInitOptions, Signature, Time};

/// The fixture org the action runs on.
pub const ORG: &str = "billing";

/// Copies a directory tree, dotfiles included.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the target directory");
    for entry in fs::read_dir(from).expect("read a fixture directory") {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

/// The repository a pull request lives in.
pub struct Origin {
    dir: tempfile::TempDir,
    repo: Repository,
    clock: std::cell::Cell<i64>,
}

impl Origin {
    /// `fixtures/billing` committed once on branch `base_branch`.
    pub fn new(base_branch: &str) -> Origin {
        Origin::with_project_in(base_branch, "")
    }

    /// Like [`Origin::new`], with the Salesforce DX project in a subdirectory (`""`: at the
    /// root), as in a repository that holds more than the org.
    pub fn with_project_in(base_branch: &str, subdir: &str) -> Origin {
        let dir = tempfile::Builder::new()
            .prefix("impact-action-origin-")
            .tempdir()
            .expect("create a temporary directory");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(ORG);
        copy_tree(&fixture, &dir.path().join(subdir));
        let mut options = RepositoryInitOptions::new();
        options.initial_head(base_branch);
        let repo = Repository::init_opts(dir.path(), &options).expect("git init");
        let origin = Origin {
            dir,
            repo,
            clock: std::cell::Cell::new(1_700_000_000),
        };
        origin.commit("Billing org");
        origin
    }

    /// The repository directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The URL a clone uses (`file://`, so that `--depth` is honoured).
    pub fn url(&self) -> String {
        format!("file://{}", self.path().display())
    }

    /// Writes a file of the working tree.
    pub fn write(&self, path: &str, content: &str) -> &Self {
        let full = self.path().join(path);
        fs::create_dir_all(full.parent().expect("a parent")).expect("create directories");
        fs::write(full, content).expect("write a file");
        self
    }

    /// Replaces the one occurrence of `from` in a file by `to`.
    pub fn edit(&self, path: &str, from: &str, to: &str) -> &Self {
        let text = fs::read_to_string(self.path().join(path)).expect("read a fixture file");
        assert_eq!(
            text.matches(from).count(),
            1,
            "{path}: {from:?} must occur once"
        );
        self.write(path, &text.replacen(from, to, 1))
    }

    /// Commits every change on the current branch; returns the sha.
    pub fn commit(&self, message: &str) -> String {
        let mut index = self.repo.index().expect("open the index");
        index
            .add_all(["*"].iter(), IndexAddOption::DEFAULT, None)
            .expect("git add");
        index.write().expect("write the index");
        let tree = self
            .repo
            .find_tree(index.write_tree().expect("write the tree"))
            .expect("find the tree");
        let when = self.clock.get() + 60;
        self.clock.set(when);
        let who = Signature::new("Impact Tests", "tests@impact.invalid", &Time::new(when, 0))
            .expect("a signature");
        let parents: Vec<git2::Commit> = match self.repo.head() {
            Ok(head) => vec![head.peel_to_commit().expect("HEAD is a commit")],
            Err(_) => Vec::new(),
        };
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        self.repo
            .commit(Some("HEAD"), &who, &who, message, &tree, &parents)
            .expect("git commit")
            .to_string()
    }

    /// Creates a branch at HEAD and checks it out.
    pub fn branch(&self, name: &str) -> &Self {
        let head = self
            .repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .expect("HEAD");
        self.repo
            .branch(name, &head, false)
            .expect("create a branch");
        self.switch(name)
    }

    /// Checks out an existing branch.
    pub fn switch(&self, name: &str) -> &Self {
        let refname = format!("refs/heads/{name}");
        let object = self
            .repo
            .revparse_single(&refname)
            .expect("the branch exists");
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.force();
        self.repo
            .checkout_tree(&object, Some(&mut checkout))
            .expect("checkout");
        self.repo.set_head(&refname).expect("set HEAD");
        self
    }
}

/// Runs `git ARGS…` in `dir` with no user or system configuration; panics on failure;
/// returns standard output, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Impact Tests")
        .env("GIT_AUTHOR_EMAIL", "tests@impact.invalid")
        .env("GIT_COMMITTER_NAME", "Impact Tests")
        .env("GIT_COMMITTER_EMAIL", "tests@impact.invalid")
        .env("GIT_AUTHOR_DATE", "1700009000 +0000")
        .env("GIT_COMMITTER_DATE", "1700009000 +0000")
        .output()
        .unwrap_or_else(|e| panic!("cannot run git: {e}"));
    assert!(
        output.status.success(),
        "git {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A workspace: a clone in a temporary directory.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    /// The clone's directory.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    /// A full clone with `merge-into` checked out and `head` merged into it, as
    /// `actions/checkout` checks out `refs/pull/N/merge` with `fetch-depth: 0`. Returns the
    /// workspace and the merge commit.
    pub fn pull_request_merge(
        origin: &Origin,
        merge_into: &str,
        head: &str,
    ) -> (Workspace, String) {
        let dir = tempfile::Builder::new()
            .prefix("impact-action-ws-")
            .tempdir()
            .expect("create a temporary directory");
        git(
            dir.path(),
            &["clone", "--quiet", "--no-checkout", &origin.url(), "ws"],
        );
        let ws = Workspace { dir };
        git(&ws.path(), &["checkout", "--quiet", "--detach", merge_into]);
        git(
            &ws.path(),
            &["merge", "--quiet", "--no-ff", "--no-edit", head],
        );
        let merge = git(&ws.path(), &["rev-parse", "HEAD"]);
        (ws, merge)
    }

    /// `git clone --depth 1 --branch BRANCH`: the pull request's head and nothing else, as
    /// `actions/checkout` with its default `fetch-depth: 1`.
    pub fn shallow(origin: &Origin, branch: &str) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("impact-action-ws-")
            .tempdir()
            .expect("create a temporary directory");
        git(
            dir.path(),
            &[
                "clone",
                "--quiet",
                "--depth",
                "1",
                "--branch",
                branch,
                &origin.url(),
                "ws",
            ],
        );
        let ws = Workspace { dir };
        assert_eq!(
            git(&ws.path(), &["rev-parse", "--is-shallow-repository"]),
            "true"
        );
        ws
    }
}
