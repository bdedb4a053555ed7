//! The benchmark on a real repository: `--repo DIR --base REV --head REV`, for the NPSP
//! pull request that issue 15's targets name, or any project of your own.
//!
//! It changes no file of the repository (impact keeps its cache under `.impact/`, as
//! after any plan). Cold is `impact plan --no-cache` (every file parsed,
//! churn walked without its cache); warm is the same plan with the facts cache under
//! `DIR/.impact/cache`, which one unmeasured run fills first. `--also 'COMMAND'` times
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

/// Measures cold and warm plans (and `--also`) `runs` times each, and prints the table.
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
    let mut rows = vec![cold, warm];
    if let Some(command) = &repo.also {
        let label = format!("`{command}`");
        rows.push(measure(label, runs, || {
            run_also(command, &dir, &base, &head)
        })?);
    }
    print_table(repo, &base, &head, &rows, runs);
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
