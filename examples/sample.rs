//! Builds a sample Salesforce DX git repository to try `impact` on.
//!
//! `cargo run --release --example sample -- DIR` copies `fixtures/billing` (the org of the
//! integration tests) to DIR, commits it on `main`, then commits a realistic feature on
//! branch `feature`: `InvoiceService.total` stops counting void invoices, and
//! `InvoiceTrigger` also runs after an undelete. It prints the command that plans the
//! feature's tests. It uses `git2` only, so no git command line is needed.
//!
//! It never overwrites a directory it did not create: DIR must be missing, empty, or a
//! previous sample (recognised by a marker inside its `.git`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use git2::{IndexAddOption, Repository, RepositoryInitOptions, Signature, Time};

/// Marker file inside `.git` that says this directory is a sample built here.
const MARKER: &str = "impact-sample";

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: cargo run --release --example sample -- DIR");
        return ExitCode::from(2);
    };
    match build(&dir) {
        Ok(()) => {
            println!("Built a Salesforce DX repository in {}:", dir.display());
            println!("  main     the billing org (base)");
            println!("  feature  InvoiceService.total skips void invoices; InvoiceTrigger runs after undelete");
            println!();
            println!("Next, plan the feature's tests:");
            println!("  cargo run -q --release -- plan --repo {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("sample: {message}");
            ExitCode::from(2)
        }
    }
}

fn build(dir: &Path) -> Result<(), String> {
    prepare_dir(dir)?;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/billing");
    copy_tree(&fixture, dir).map_err(|e| format!("cannot copy {}: {e}", fixture.display()))?;

    let mut options = RepositoryInitOptions::new();
    options.initial_head("main");
    let repo = Repository::init_opts(dir, &options).map_err(git)?;
    fs::write(
        repo.path().join(MARKER),
        "built by `cargo run --example sample`\n",
    )
    .map_err(|e| format!("cannot write the marker: {e}"))?;
    commit(&repo, "Billing org", 1_700_000_000)?;

    let head = repo.head().and_then(|h| h.peel_to_commit()).map_err(git)?;
    repo.branch("feature", &head, false).map_err(git)?;
    repo.set_head("refs/heads/feature").map_err(git)?;

    edit(
        dir,
        "force-app/main/default/classes/InvoiceService.cls",
        "if (invoice.Amount__c != null) {",
        "if (invoice.Amount__c != null && invoice.Status__c != 'Void') {",
    )?;
    edit(
        dir,
        "force-app/main/default/triggers/InvoiceTrigger.trigger",
        "after delete)",
        "after delete, after undelete)",
    )?;
    commit(
        &repo,
        "Void invoices no longer count in totals\n\nRestored invoices count again in the account's open total.",
        1_700_000_600,
    )?;
    Ok(())
}

/// Accepts a missing or empty directory, or clears a previous sample.
fn prepare_dir(dir: &Path) -> Result<(), String> {
    if !dir.exists() {
        return fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()));
    }
    if !dir.is_dir() {
        return Err(format!("{} exists and is not a directory", dir.display()));
    }
    let mut entries =
        fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if entries.next().is_none() {
        return Ok(());
    }
    if dir.join(".git").join(MARKER).is_file() {
        fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
        return fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()));
    }
    Err(format!(
        "{} is not empty and is not a previous sample; pick another directory",
        dir.display()
    ))
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn edit(dir: &Path, path: &str, from: &str, to: &str) -> Result<(), String> {
    let full = dir.join(path);
    let text = fs::read_to_string(&full).map_err(|e| format!("cannot read {path}: {e}"))?;
    if !text.contains(from) {
        return Err(format!(
            "{path} no longer contains {from:?}; update examples/sample.rs"
        ));
    }
    fs::write(&full, text.replacen(from, to, 1)).map_err(|e| format!("cannot write {path}: {e}"))
}

/// Stages the whole working tree and commits it on HEAD with a fixed date, so the sample
/// has the same shas on every machine.
fn commit(repo: &Repository, message: &str, when: i64) -> Result<(), String> {
    let mut index = repo.index().map_err(git)?;
    index
        .add_all(["*"].iter(), IndexAddOption::DEFAULT, None)
        .map_err(git)?;
    index.write().map_err(git)?;
    let tree = repo
        .find_tree(index.write_tree().map_err(git)?)
        .map_err(git)?;
    let who = Signature::new(
        "Sample Author",
        "sample@impact.invalid",
        &Time::new(when, 0),
    )
    .map_err(git)?;
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &who, &who, message, &tree, &parents)
        .map_err(git)?;
    Ok(())
}

fn git(error: git2::Error) -> String {
    format!("git: {}", error.message())
}
