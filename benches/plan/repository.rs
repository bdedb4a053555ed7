//! The benchmark on a real repository: `--repo DIR --base REV --head REV`, for the NPSP
//! pull request that issue 15's targets name, or any project of your own.
//!
//! It changes no file of the repository (impact keeps its cache under `.impact/`, as
//! after any plan). Cold is `impact plan --no-cache` (every file parsed,
//! churn walked without its cache); warm is the same plan with the facts cache under
//! `DIR/.impact/cache`, which one unmeasured run fills first. Worktree is the change as
//! a developer has it before committing, planned by default (`--base BASE`, no
//! `--head`): a scratch repository that borrows the repository's objects (git's
//! alternates, nothing copied), its index at `--base` and its working tree holding
//! `--head`'s files, with its own facts cache, which one unmeasured run fills first.
//! Its changes and selected tests must be the warm plan's (their order may differ: its
//! churn does not count the head commit), or the benchmark stops: the scratch checkout
//! would not be the change. `--also 'COMMAND'` times
//! another tool on the same range in the same run, through `sh -c`, with `{repo}`,
//! `{base}`, `{head}` and `{out}` (a fresh empty directory per run) replaced: for
//! sfdx-git-delta, `--also 'sf sgd source delta --from {base} --to {head} --output-dir
//! {out} --repo-dir {repo}'`. Its time is the whole process's, start-up included.

use crate::measure::{self, median, stage_median, stage_timings, summarize, Run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What `--repo` measures.
#[derive(Debug)]
pub struct RepoOptions {
    pub dir: PathBuf,
    pub base: String,
    pub head: String,
    /// `--also`: another tool's command on the same range.
    pub also: Option<String>,
}

/// The runs of one measured command.
struct Measured {
    label: String,
    runs: Vec<Run>,
}

impl Measured {
    fn median_of(&self, f: impl Fn(&Run) -> f64) -> f64 {
        median(&self.runs.iter().map(f).collect::<Vec<_>>())
    }

    fn peak_mb(&self) -> f64 {
        self.runs
            .iter()
            .map(|run| run.max_rss_kb as f64 / 1024.0)
            .fold(0.0, f64::max)
    }
}

/// Measures cold, warm and working-tree plans (and `--also`) `runs` times each, and
/// prints the table.
pub fn bench(repo: &RepoOptions, impact: &Path, runs: usize) -> Result<(), String> {
    let (base, head) = resolve(repo)?;
    let dir = repo.dir.to_string_lossy().into_owned();
    let cold_args = [
        "plan",
        "--repo",
        &dir,
        "--base",
        &base,
        "--head",
        &head,
        "--format",
        "json",
        "--no-cache",
    ];
    let (warm_args, _) = cold_args.split_at(cold_args.len() - 1);
    eprintln!("{}: {base}..{head}", repo.dir.display());
    let plan = |args: &[&str]| measure::run_impact(impact, args);
    let cold = measure("cold (--no-cache)".into(), runs, || plan(&cold_args))?;
    // Fills the facts cache; not measured.
    plan(warm_args)?;
    let warm = measure("warm (facts cached)".into(), runs, || plan(warm_args))?;
    let scratch = worktree_checkout(&repo.dir, &base, &head)?;
    let scratch_dir = scratch.path().to_string_lossy().into_owned();
    let worktree_args = [
        "plan",
        "--repo",
        &scratch_dir,
        "--base",
        &base,
        "--format",
        "json",
    ];
    // Fills the scratch repository's facts cache; not measured.
    plan(&worktree_args)?;
    let worktree = measure("worktree (facts cached)".into(), runs, || {
        plan(&worktree_args)
    })?;
    same_selection(&warm, &worktree)?;
    let mut rows = vec![cold, warm, worktree];
    if let Some(command) = &repo.also {
        let label = format!("`{command}`");
        rows.push(measure(label, runs, || {
            run_also(command, &dir, &base, &head)
        })?);
    }
    print_table(repo, &base, &head, &rows, runs);
    Ok(())
}

/// A scratch repository for the working-tree plan: it reads `dir`'s objects through
/// git's alternates (nothing is copied, nothing of `dir` changes), its HEAD and index
/// are at `base`, and its working tree holds `head`'s files, so the change is unstaged:
/// edits, deletions and untracked additions.
fn worktree_checkout(dir: &Path, base: &str, head: &str) -> Result<tempfile::TempDir, String> {
    let failed = |what: &str, e: &dyn std::fmt::Display| format!("scratch checkout: {what}: {e}");
    let source = git2::Repository::open(dir).map_err(|e| failed("open", &e))?;
    let scratch = tempfile::tempdir().map_err(|e| failed("temporary directory", &e))?;
    git2::Repository::init(scratch.path()).map_err(|e| failed("init", &e))?;
    let alternates = scratch.path().join(".git/objects/info/alternates");
    // The common directory: a linked worktree's objects are its main repository's.
    let objects = source.commondir().join("objects");
    std::fs::write(&alternates, format!("{}\n", objects.display()))
        .map_err(|e| failed("alternates", &e))?;
    // Opened again, so that its object database reads the alternates.
    let repo = git2::Repository::open(scratch.path()).map_err(|e| failed("open", &e))?;
    let commit = |sha: &str| {
        git2::Oid::from_str(sha)
            .and_then(|oid| repo.find_commit(oid))
            .map_err(|e| failed(sha, &e))
    };
    let base_commit = commit(base)?;
    repo.set_head_detached(base_commit.id())
        .map_err(|e| failed("HEAD", &e))?;
    let mut checkout = git2::build::CheckoutBuilder::new();
    repo.checkout_head(Some(checkout.force()))
        .map_err(|e| failed("checkout of the base", &e))?;
    let head_tree = commit(head)?.tree().map_err(|e| failed(head, &e))?;
    let mut checkout = git2::build::CheckoutBuilder::new();
    checkout.force().update_index(false);
    repo.checkout_tree(head_tree.as_object(), Some(&mut checkout))
        .map_err(|e| failed("checkout of the head's files", &e))?;
    Ok(scratch)
}

/// An error when the first runs of `a` and `b` differ in their changes or in the tests
/// they select (by name; the order is the ranking's, which churn moves).
fn same_selection(a: &Measured, b: &Measured) -> Result<(), String> {
    let selection = |measured: &Measured| -> Result<_, String> {
        let run = measured.runs.first().ok_or("no run")?;
        let plan: serde_json::Value = serde_json::from_slice(&run.stdout)
            .map_err(|e| format!("{}: the plan is not JSON: {e}", measured.label))?;
        let mut tests: Vec<String> = plan["tests"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|test| test["name"].as_str().map(str::to_string))
            .collect();
        tests.sort();
        Ok((plan["changes"].clone(), tests))
    };
    if selection(a)? != selection(b)? {
        return Err(format!(
            "the {} plan's changes or tests differ from the {} plan's: the scratch checkout \
             is not the change",
            b.label, a.label
        ));
    }
    Ok(())
}

/// The commit ids of `--base` and `--head`, so that every command gets the same range.
fn resolve(repo: &RepoOptions) -> Result<(String, String), String> {
    let git = git2::Repository::open(&repo.dir)
        .map_err(|e| format!("{} is not a git repository: {e}", repo.dir.display()))?;
    let commit = |rev: &str| {
        git.revparse_single(rev)
            .and_then(|object| object.peel_to_commit())
            .map(|commit| commit.id().to_string())
            .map_err(|e| format!("cannot resolve `{rev}` in {}: {e}", repo.dir.display()))
    };
    Ok((commit(&repo.base)?, commit(&repo.head)?))
}

/// Runs `one` `runs` times and keeps the runs, printing each as it ends.
fn measure(
    label: String,
    runs: usize,
    mut one: impl FnMut() -> Result<Run, String>,
) -> Result<Measured, String> {
    let mut measured = Measured {
        label,
        runs: Vec::new(),
    };
    for _ in 0..runs {
        let run = one()?;
        eprintln!(
            "  {:<22} {:>8.1} ms wall, {:>8.1} ms CPU, {:>6.1} MB peak",
            measured.label,
            run.wall_ms,
            run.cpu_ms,
            run.max_rss_kb as f64 / 1024.0
        );
        measured.runs.push(run);
    }
    Ok(measured)
}

/// `command` with `{repo}`, `{base}`, `{head}` and `{out}` (a fresh empty directory)
/// replaced, run through `sh -c` in the repository.
fn run_also(command: &str, dir: &str, base: &str, head: &str) -> Result<Run, String> {
    let out = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
    let line = command
        .replace("{repo}", dir)
        .replace("{base}", base)
        .replace("{head}", head)
        .replace("{out}", &out.path().to_string_lossy());
    let mut shell = Command::new("sh");
    shell.arg("-c").arg(&line).current_dir(dir);
    let run = measure::run_command(shell).map_err(|e| format!("cannot run `{line}`: {e}"))?;
    measure::exited_ok(run, &line)
}

fn print_table(repo: &RepoOptions, base: &str, head: &str, rows: &[Measured], runs: usize) {
    println!();
    println!(
        "impact plan on {}, {base}..{head}: median of {runs} runs; peak RSS = max over the runs",
        repo.dir.display()
    );
    println!();
    println!("| measurement | wall ms | CPU ms | peak RSS MB | parsed / cached | selected / total tests |");
    println!("|---|---|---|---|---|---|");
    for row in rows {
        let plan = row
            .runs
            .first()
            .and_then(|run| summarize(&run.stdout, &run.stderr));
        let counts = plan.as_ref().map_or_else(
            || ("-".to_string(), "-".to_string()),
            |plan| {
                let show = |n: Option<u64>| n.map_or_else(|| "-".to_string(), |n| n.to_string());
                (
                    format!("{} / {}", show(plan.files_parsed), show(plan.files_cached)),
                    format!("{} / {}", plan.selected, show(plan.tests_total)),
                )
            },
        );
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {} | {} |",
            row.label,
            row.median_of(|run| run.wall_ms),
            row.median_of(|run| run.cpu_ms),
            row.peak_mb(),
            counts.0,
            counts.1
        );
    }
    println!();
    println!("targets (NPSP pull request, 2 cores): cold <= 1,100 ms, warm <= 100 ms");
    print_stages(rows);
}

/// The median time of each stage `IMPACT_TIMINGS` printed, for each row that has them.
fn print_stages(rows: &[Measured]) {
    for row in rows {
        let timings: Vec<Vec<(String, f64)>> = row
            .runs
            .iter()
            .map(|run| stage_timings(&run.stderr))
            .collect();
        let Some(stages) = timings.first().filter(|stages| !stages.is_empty()) else {
            continue;
        };
        println!();
        println!("stage timings, {} (median ms):", row.label);
        println!();
        println!("| stage | ms |");
        println!("|---|---|");
        for (stage, _) in stages {
            if let Some(ms) = stage_median(timings.iter().map(Vec::as_slice), stage) {
                println!("| {stage} | {ms:.1} |");
            }
        }
    }
}
