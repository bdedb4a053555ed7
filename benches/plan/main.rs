//! Benchmark of `impact plan` on generated Salesforce DX orgs of realistic shape.
//!
//! Run (release build of `impact` and of this runner, then the measurements):
//!
//! ```text
//! cargo bench --bench plan -- --classes 1000,10000
//! ```
//!
//! Options (after `--`): `--classes N[,N…]` (default `1000,10000`), `--runs R` runs per
//! measurement, median reported (default 5), `--history H` commits after the initial one
//! (default 200), `--seed S` (default 42), `--keep DIR` keep each generated repository as
//! `DIR/org-N`, `--generate DIR` only generate the first size into `DIR` and stop,
//! `--impact PATH` measure another binary; `--repo DIR --base REV --head REV [--also
//! 'COMMAND']` measure a real repository instead of generated orgs (see `repository.rs`;
//! the NPSP pull request of issue 15 is the command in README.md, "How fast").
//!
//! For each size it generates an org (see `generator.rs`), commits it with a history, and
//! measures `impact plan --format json`:
//! - cold: no `.impact/` cache, `--base HEAD~1 --head HEAD` (the last history commit);
//! - warm: cache present, HEAD is a new commit that edits one method of one class;
//! - worktree: cache present, one class edited in the working tree, `--base HEAD`;
//! - the same three with `--granularity class` if `impact plan --help` lists the flag.
//!
//! Wall time is the median of the runs; peak memory is each child's own peak resident
//! size, as `impact` reports it (`measure::own_peak_kb`).
//! It prints a Markdown table, then the median per stage that `impact` reports with
//! `IMPACT_TIMINGS=1`. Without `--bench` (as under `cargo test`, which runs it: `test =
//! true` in `Cargo.toml`) it only checks itself: the generator is deterministic, and the
//! real-repository mode plans a small generated org cold, warm and in a working tree and
//! leaves its files as they were. The test suite never runs the benchmark.

mod generator;
mod measure;
mod repository;

use generator::Org;
use measure::{median, stage_timings, summarize, PlanSummary};
use repository::RepoOptions;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Parsed command line of the benchmark.
#[derive(Debug)]
struct Options {
    classes: Vec<usize>,
    runs: usize,
    history: usize,
    seed: u64,
    keep: Option<PathBuf>,
    generate: Option<PathBuf>,
    impact: PathBuf,
    /// `--repo`, `--base`, `--head`, `--also`: a real repository instead.
    repo: Option<PathBuf>,
    base: Option<String>,
    head: Option<String>,
    also: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        classes: vec![1000, 10000],
        runs: 5,
        history: 200,
        seed: 42,
        keep: None,
        generate: None,
        impact: PathBuf::from(env!("CARGO_BIN_EXE_impact")),
        repo: None,
        base: None,
        head: None,
        also: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, text: String| {
            text.trim()
                .parse::<usize>()
                .map_err(|_| format!("{name}: `{text}` is not a number"))
        };
        match arg.as_str() {
            "--bench" => {}
            "--classes" => {
                let text = value("--classes")?;
                opts.classes = text
                    .split(',')
                    .map(|n| number("--classes", n.to_string()))
                    .collect::<Result<_, _>>()?;
            }
            "--runs" => opts.runs = number("--runs", value("--runs")?)?.max(1),
            "--history" => opts.history = number("--history", value("--history")?)?,
            "--seed" => opts.seed = number("--seed", value("--seed")?)? as u64,
            "--keep" => opts.keep = Some(PathBuf::from(value("--keep")?)),
            "--generate" => opts.generate = Some(PathBuf::from(value("--generate")?)),
            "--impact" => opts.impact = PathBuf::from(value("--impact")?),
            "--repo" => opts.repo = Some(PathBuf::from(value("--repo")?)),
            "--base" => opts.base = Some(value("--base")?),
            "--head" => opts.head = Some(value("--head")?),
            "--also" => opts.also = Some(value("--also")?),
            other => {
                return Err(format!(
                    "unknown argument `{other}` (try: --classes 1000,10000 --runs 5 --history 200 --seed 42 --keep DIR --generate DIR --impact PATH, or --repo DIR --base REV --head REV --also 'COMMAND')"
                ))
            }
        }
    }
    Ok(opts)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        return self_check();
    }
    let opts = match parse_args(&args) {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("plan bench: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(repo) = repo_options(&opts) {
        let result = repo.and_then(|repo| repository::bench(&repo, &opts.impact, opts.runs));
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("plan bench: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(dir) = &opts.generate {
        let classes = opts.classes.first().copied().unwrap_or(1000);
        return match generate(dir, classes, &opts) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("plan bench: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let granularity = supports_granularity(&opts.impact);
    let mut rows = Vec::new();
    for &classes in &opts.classes {
        match bench_size(classes, &opts, granularity) {
            Ok(mut size_rows) => rows.append(&mut size_rows),
            Err(e) => {
                eprintln!("plan bench: {classes} classes: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    print_table(&rows, &opts, granularity);
    ExitCode::SUCCESS
}

/// The real-repository options when `--repo` is given: it needs `--base` and `--head`.
fn repo_options(opts: &Options) -> Option<Result<RepoOptions, String>> {
    let dir = opts.repo.clone()?;
    Some(match (&opts.base, &opts.head) {
        (Some(base), Some(head)) => Ok(RepoOptions {
            dir,
            base: base.clone(),
            head: head.clone(),
            also: opts.also.clone(),
        }),
        _ => Err("--repo needs --base REV and --head REV".to_string()),
    })
}

/// Under `cargo test --all-targets`: the generator gives byte-identical files and commit
/// ids for the same seed, and different ones for another seed.
fn self_check() -> ExitCode {
    let check = || -> Result<(), String> {
        let a = Org::generate(20, 7);
        let b = Org::generate(20, 7);
        if a.snapshot() != b.snapshot() {
            return Err("two models from one seed differ".into());
        }
        if Org::generate(20, 8).snapshot() == a.snapshot() {
            return Err("two seeds give the same org".into());
        }
        let mut heads = Vec::new();
        for _ in 0..2 {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let mut org = Org::generate(20, 7);
            let stats = org
                .write_and_commit(dir.path(), 5)
                .map_err(|e| e.to_string())?;
            if !(20..=26).contains(&stats.classes) || stats.commits != 6 || stats.test_classes == 0
            {
                return Err(format!("unexpected shape: {stats:?}"));
            }
            let repo = git2::Repository::open(dir.path()).map_err(|e| e.to_string())?;
            let head = repo
                .head()
                .and_then(|h| h.peel_to_commit())
                .map_err(|e| e.to_string())?;
            heads.push(head.id());
        }
        if heads[0] != heads[1] {
            return Err(format!("head commits differ: {} vs {}", heads[0], heads[1]));
        }
        // The peak is the child's own, from its timing lines (the whole run's last);
        // that line is no stage.
        let timings = b"impact: timing: graphs   5.0 ms,     7.5 ms CPU, 40 MB resident, 52 MB peak\n\
                        impact: timing: walks   1.0 ms,     1.0 ms CPU, 41 MB resident, 61 MB peak\n\
                        impact: timing: files parsed 3, taken from the cache 0\n\
                        impact: timing: whole run, 41 MB resident, 70 MB peak\n";
        if measure::own_peak_kb(timings) != Some(70 * 1024) {
            return Err("the peak is not read from impact's timing lines".to_string());
        }
        if stage_timings(timings) != [("graphs".to_string(), 5.0), ("walks".to_string(), 1.0)] {
            return Err(format!("stages: {:?}", stage_timings(timings)));
        }
        // The real-repository mode, once, on a small generated org: it plans cold, warm
        // and in a scratch working tree (which must select what warm selects: it stops
        // otherwise), times a command on the same range, and leaves the files as they were.
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        Org::generate(20, 7)
            .write_and_commit(dir.path(), 2)
            .map_err(|e| e.to_string())?;
        let repo = RepoOptions {
            dir: dir.path().to_path_buf(),
            base: "HEAD~1".to_string(),
            head: "HEAD".to_string(),
            also: Some(
                "git -C {repo} diff --quiet {base} {head} -- sfdx-project.json && test -d {out}"
                    .to_string(),
            ),
        };
        repository::bench(&repo, Path::new(env!("CARGO_BIN_EXE_impact")), 1)?;
        // Only impact's own cache is new (`.impact/`, as after any plan).
        let changed: Vec<String> = git2::Repository::open(dir.path())
            .and_then(|git| {
                let statuses = git.statuses(None)?;
                Ok(statuses
                    .iter()
                    .filter_map(|entry| entry.path().map(str::to_string))
                    .filter(|path| !path.starts_with(".impact/"))
                    .collect())
            })
            .map_err(|e| e.to_string())?;
        if !changed.is_empty() {
            return Err(format!("the real-repository mode changed {changed:?}"));
        }
        Ok(())
    };
    match check() {
        Ok(()) => {
            println!("plan bench: generator self-check passed (run the benchmark with `cargo bench --bench plan`)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("plan bench: generator self-check failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate(dir: &Path, classes: usize, opts: &Options) -> Result<Org, String> {
    if dir.join(".git").exists() {
        return Err(format!("{} already holds a repository", dir.display()));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let start = Instant::now();
    let mut org = Org::generate(classes, opts.seed);
    let stats = org
        .write_and_commit(dir, opts.history)
        .map_err(|e| format!("generating the repository failed: {e}"))?;
    eprintln!(
        "generated {} classes ({} tests), {} triggers, {} objects, {} fields, {} flows: {} files, {:.1} MB, {} commits, in {:.1} s (write {:.1}, commit {:.1}, history {:.1}, pack {:.1}) at {}",
        stats.classes,
        stats.test_classes,
        stats.triggers,
        stats.objects,
        stats.fields,
        stats.flows,
        stats.files,
        stats.bytes as f64 / 1e6,
        stats.commits,
        start.elapsed().as_secs_f64(),
        stats.write_s,
        stats.commit_s,
        stats.history_s,
        stats.pack_s,
        dir.display()
    );
    Ok(org)
}

fn supports_granularity(bin: &Path) -> bool {
    match measure::run(bin, &["plan", "--help"]) {
        Ok(run) => String::from_utf8_lossy(&run.stdout).contains("--granularity"),
        Err(_) => false,
    }
}

/// One measured invocation.
#[derive(Debug)]
struct Sample {
    wall_ms: f64,
    rss_mb: f64,
    plan: PlanSummary,
    /// `IMPACT_TIMINGS` stages, in order.
    stages: Vec<(String, f64)>,
}

/// One line of the result table.
#[derive(Debug)]
struct Row {
    label: String,
    files: usize,
    commits: usize,
    cold: Vec<Sample>,
    warm: Vec<Sample>,
    worktree: Vec<Sample>,
}

/// Runs `impact plan … --format json` in `dir` and checks it succeeded.
fn plan(bin: &Path, dir: &Path, extra: &[&str]) -> Result<Sample, String> {
    let repo = dir.to_string_lossy();
    let mut args = vec!["plan", "--repo", repo.as_ref(), "--format", "json"];
    args.extend_from_slice(extra);
    let run = measure::run_impact(bin, &args)?;
    let plan = summarize(&run.stdout, &run.stderr)
        .ok_or_else(|| format!("`impact {}` did not print plan JSON", args.join(" ")))?;
    if let Some(reason) = &plan.fallback {
        eprintln!("  note: the plan fell back to all tests: {reason}");
    }
    Ok(Sample {
        wall_ms: run.wall_ms,
        rss_mb: run.max_rss_kb as f64 / 1024.0,
        plan,
        stages: stage_timings(&run.stderr),
    })
}

fn report_sample(what: &str, sample: &Sample) {
    eprintln!(
        "  {what:<10} {:>8.1} ms wall, {:>6} ms internal, {:>6.1} MB peak, parsed {:>6}, cached {:>6}, components {:>6}, unresolved calls {:>5}, selected {:>5}/{} ({})",
        sample.wall_ms,
        show(sample.plan.elapsed_ms),
        sample.rss_mb,
        show(sample.plan.files_parsed),
        show(sample.plan.files_cached),
        show(sample.plan.components),
        show(sample.plan.unresolved_calls),
        sample.plan.selected,
        show(sample.plan.tests_total),
        sample.plan.test_level
    );
}

fn show(value: Option<u64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn bench_size(classes: usize, opts: &Options, granularity: bool) -> Result<Vec<Row>, String> {
    let temp;
    let dir = match &opts.keep {
        Some(keep) => keep.join(format!("org-{classes}")),
        None => {
            temp = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
            temp.path().join(format!("org-{classes}"))
        }
    };
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    let mut org = generate(&dir, classes, opts)?;
    let files = org.snapshot().len();
    let bin = &opts.impact;
    let cache = dir.join(".impact");
    let mut rows = Vec::new();
    let variants: Vec<(String, Vec<&str>)> = if granularity {
        vec![
            (format!("{classes}"), vec![]),
            (
                format!("{classes} (class granularity)"),
                vec!["--granularity", "class"],
            ),
        ]
    } else {
        vec![(format!("{classes}"), vec![])]
    };
    for (label, flags) in variants {
        eprintln!("{label} classes:");
        let mut row = Row {
            label,
            files,
            commits: 0,
            cold: Vec::new(),
            warm: Vec::new(),
            worktree: Vec::new(),
        };
        let committed = |extra: &[&'static str]| {
            let mut args = vec!["--base", "HEAD~1", "--head", "HEAD"];
            args.extend_from_slice(extra);
            args
        };
        for _ in 0..opts.runs {
            if cache.exists() {
                std::fs::remove_dir_all(&cache)
                    .map_err(|e| format!("cannot clear the cache: {e}"))?;
            }
            let sample = plan(bin, &dir, &committed(&flags))?;
            report_sample("cold", &sample);
            row.cold.push(sample);
        }
        for _ in 0..opts.runs {
            let path = org
                .edit_one_service(&dir, true)
                .map_err(|e| e.to_string())?;
            let sample = plan(bin, &dir, &committed(&flags))?;
            report_sample("warm", &sample);
            eprintln!("             edited {path}");
            row.warm.push(sample);
        }
        for _ in 0..opts.runs {
            let path = org
                .edit_one_service(&dir, false)
                .map_err(|e| e.to_string())?;
            let mut args = vec!["--base", "HEAD"];
            args.extend_from_slice(&flags);
            let sample = plan(bin, &dir, &args)?;
            report_sample("worktree", &sample);
            row.worktree.push(sample);
            org.commit_paths(&dir, &[path], "Commit the working-tree edit")
                .map_err(|e| e.to_string())?;
        }
        row.commits = git2::Repository::open(&dir)
            .and_then(|repo| {
                let mut walk = repo.revwalk()?;
                walk.push_head()?;
                Ok(walk.count())
            })
            .unwrap_or(0);
        rows.push(row);
    }
    Ok(rows)
}

fn med(samples: &[Sample], f: impl Fn(&Sample) -> f64) -> f64 {
    median(&samples.iter().map(f).collect::<Vec<_>>())
}

fn print_table(rows: &[Row], opts: &Options, granularity: bool) {
    println!();
    println!(
        "impact plan benchmark: median of {} runs each; wall time of the process; peak RSS = max over all runs of the row",
        opts.runs
    );
    println!();
    println!("| classes | files | cold ms | warm ms | worktree ms | peak RSS MB | cold: parsed | warm: parsed/cached | selected / total tests (cold) | selected (warm, median) |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let peak = row
            .cold
            .iter()
            .chain(&row.warm)
            .chain(&row.worktree)
            .map(|s| s.rss_mb)
            .fold(0.0, f64::max);
        let first_cold = row.cold.first().map(|s| &s.plan);
        let first_warm = row.warm.first().map(|s| &s.plan);
        println!(
            "| {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {}/{} | {}/{} | {:.0} |",
            row.label,
            row.files,
            med(&row.cold, |s| s.wall_ms),
            med(&row.warm, |s| s.wall_ms),
            med(&row.worktree, |s| s.wall_ms),
            peak,
            show(first_cold.and_then(|p| p.files_parsed)),
            show(first_warm.and_then(|p| p.files_parsed)),
            show(first_warm.and_then(|p| p.files_cached)),
            first_cold.map_or(0, |p| p.selected),
            show(first_cold.and_then(|p| p.tests_total)),
            med(&row.warm, |s| s.plan.selected as f64),
        );
    }
    println!();
    println!(
        "commits in each repository after the runs: {}",
        rows.iter()
            .map(|r| format!("{}: {}", r.label, r.commits))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !granularity {
        println!("`impact plan --help` lists no --granularity flag: the class-granularity rows were skipped");
    }
    println!("targets: 1,000 classes cold < 500 ms; 10,000 classes cold < 5,000 ms and peak < 300 MB; warm one-file change < 50 ms");
    print_stages(rows);
}

/// Median time per stage (from `IMPACT_TIMINGS`) for each row, when `impact` prints them.
fn print_stages(rows: &[Row]) {
    for row in rows {
        let mut stages: Vec<String> = Vec::new();
        for sample in row.cold.iter().chain(&row.warm).chain(&row.worktree) {
            for (stage, _) in &sample.stages {
                if !stages.contains(stage) {
                    stages.push(stage.clone());
                }
            }
        }
        if stages.is_empty() {
            continue;
        }
        println!();
        println!("stage timings, {} classes (median ms):", row.label);
        println!();
        println!("| stage | cold | warm | worktree |");
        println!("|---|---|---|---|");
        let stage_median = |samples: &[Sample], stage: &str| {
            let runs = samples.iter().map(|sample| sample.stages.as_slice());
            measure::stage_median(runs, stage)
                .map_or_else(|| "-".to_string(), |ms| format!("{ms:.1}"))
        };
        for stage in &stages {
            println!(
                "| {stage} | {} | {} | {} |",
                stage_median(&row.cold, stage),
                stage_median(&row.warm, stage),
                stage_median(&row.worktree, stage)
            );
        }
    }
}
