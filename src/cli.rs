//! The command line: clap types, and one function per subcommand that runs the stages in
//! order. Only this module knows clap; it turns flags into plain option structs.

mod hotspots;
mod results;

use crate::error::{Error, Result, EXIT_OK};
use crate::pipeline::{self, Request};
use crate::rank;
use crate::report::{self, plan::Plan, Color};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Select, rank and explain the Salesforce tests a change touches.
#[derive(Debug, Parser)]
#[command(name = "impact", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The tests a change touches, ranked, each with the reason.
    Plan(PlanArgs),
    /// JUnit XML from test results, for GitHub's test reporters.
    Junit(results::JunitArgs),
    /// Whether the release may go on: exit 0 yes, 1 no, each reason printed.
    Gate(results::GateArgs),
    /// Every path from the changes to one selected test.
    Why(WhyArgs),
    /// The changed components, and optionally a package.xml and destructiveChanges.xml.
    Diff(DiffArgs),
    /// The dependency graph, or the neighbourhood of one component.
    Graph(GraphArgs),
    /// Import test results (sf JSON or JUnit XML) into the history.
    Record(RecordArgs),
    /// What the history knows: flaky, slow and failing tests.
    History(HistoryArgs),
    /// The components that change often, reach many tests and whose tests fail.
    Hotspots(hotspots::HotspotsArgs),
}

/// `impact diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub revisions: RevisionArgs,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Write `package.xml` and `destructiveChanges.xml` for deploying the delta here.
    #[arg(long, value_name = "DIR")]
    pub package_xml: Option<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Formats of `impact diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

/// `impact graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub revisions: RevisionArgs,
    /// Show only the neighbourhood of this component (`ApexClass:InvoiceService`, or a
    /// class name).
    #[arg(long)]
    pub focus: Option<String>,
    /// Hops around `--focus` to show.
    #[arg(long, default_value_t = 2)]
    pub depth: usize,
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Formats of `impact graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

/// Where to look and what to compare; shared by `plan`, `why`, `diff` and `graph`.
#[derive(Debug, Args)]
pub struct RevisionArgs {
    /// The repository (any directory inside it).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Base revision (default: merge-base of HEAD with `origin/HEAD`, `main` or `master`).
    #[arg(long)]
    pub base: Option<String>,
    /// Head revision (default: the working tree, uncommitted and untracked files included).
    #[arg(long)]
    pub head: Option<String>,
    /// Take the changed components from a package.xml instead of a git diff.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Do not read or write the facts cache under `.impact/cache`.
    #[arg(long)]
    pub no_cache: bool,
}

/// What decides which tests a change selects: `impact plan` and `impact why`.
#[derive(Debug, Args)]
pub struct SelectionArgs {
    /// More changed components than this run all local tests.
    /// (default 500, or `max_changes` in impact.toml)
    #[arg(long)]
    pub max_changes: Option<usize>,
    /// Fall back to RunLocalTests when a deployed Apex class or trigger has no test that
    /// can cover it (or `fallback_on_uncovered` under `[coverage]` in impact.toml).
    #[arg(long)]
    pub fallback_on_uncovered: bool,
    /// `member` (default): a change to one method reaches only its callers; `class`:
    /// any use of a class counts, as class-level tools do (to compare).
    #[arg(long, value_enum, default_value_t = GranularityArg::Member)]
    pub granularity: GranularityArg,
    /// The history database (default: `.impact/history.db` in the repository, used when
    /// it exists; a path given here is created when missing).
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,
}

/// `impact plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub revisions: RevisionArgs,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Run at most N tests now (the highest ranked); list the rest as deferred.
    #[arg(long, value_name = "N")]
    pub max_tests: Option<usize>,
    /// Run the highest-ranked tests that fit in this time (`10m`, `90s`, `1h30m`); list
    /// the rest as deferred.
    #[arg(long, value_name = "DURATION", value_parser = parse_time_budget)]
    pub time_budget: Option<std::time::Duration>,
    /// Keep only the test classes of this Apex test suite; list the rest as deferred.
    #[arg(long, value_name = "NAME")]
    pub suite: Option<String>,
    /// Run the fewest top-ranked tests estimated to catch a failure caused by the change
    /// with this chance (`0.95` or `95%`); list the rest as deferred.
    #[arg(long, value_name = "LEVEL", value_parser = crate::confidence::parse_level)]
    pub confidence: Option<f64>,
    /// Let `--format sf` print a deploy test list cut by a budget, a suite or a
    /// confidence level.
    #[arg(long)]
    pub allow_partial: bool,
    /// The org `--format sf` deploys to: `production` refuses `NoTestRun`, so when no
    /// test is needed no `--test-level` is printed; `sandbox` (or a scratch org) takes
    /// `--test-level NoTestRun`.
    #[arg(long, value_enum, default_value_t = TargetOrgArg::Production)]
    pub target_org_type: TargetOrgArg,
}

/// `--target-org-type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetOrgArg {
    Production,
    Sandbox,
}

impl From<TargetOrgArg> for report::sf::TargetOrg {
    fn from(arg: TargetOrgArg) -> report::sf::TargetOrg {
        match arg {
            TargetOrgArg::Production => report::sf::TargetOrg::Production,
            TargetOrgArg::Sandbox => report::sf::TargetOrg::Sandbox,
        }
    }
}

/// `impact record RESULTS…`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Result files: `sf apex run test --json`, `sf apex get test --json`,
    /// `sf logic run test --json`, `sf project deploy … --json`, or JUnit XML.
    #[arg(required = true, value_name = "RESULTS")]
    pub results: Vec<PathBuf>,
    /// The commit the tests ran on (default: the plan's head, else HEAD).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// The plan the run followed (`impact plan --format json`).
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// The history database (default: `.impact/history.db` in the repository).
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// The repository (any directory inside it).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
}

/// `impact history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only tests judged flaky (their outcome flips between runs).
    #[arg(long, group = "view")]
    pub flaky: bool,
    /// The slowest test classes first.
    #[arg(long, group = "view")]
    pub slow: bool,
    /// Only tests that failed in their latest run, most failing first.
    #[arg(long, group = "view")]
    pub failing: bool,
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
    /// Merge another runner's history database into this one first (repeatable);
    /// merging in any order gives the same history.
    #[arg(long, value_name = "OTHER.db")]
    pub merge: Vec<PathBuf>,
    /// The history database (default: `.impact/history.db` in the repository).
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// The repository (any directory inside it).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Formats of `impact history`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Text,
    Json,
    /// Every stored row, sorted, one per line: to compare two histories.
    Dump,
}

/// `impact why TEST`.
#[derive(Debug, Args)]
pub struct WhyArgs {
    /// The test: an Apex test class, a Flow test, or a Jest test path.
    pub test: String,
    #[command(flatten)]
    pub revisions: RevisionArgs,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// `--granularity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GranularityArg {
    Member,
    Class,
}

/// Formats of `impact plan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A table for a terminal.
    Text,
    /// The `impact.plan/v1` JSON.
    Json,
    /// A report for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// Arguments for `sf project deploy start`.
    Sf,
    /// Arguments for `sf apex run test`, naming only the reached test methods.
    SfRun,
    /// The command that runs the selected LWC Jest tests (nothing when there are none).
    Jest,
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Plan(args) => plan(args),
        Command::Junit(args) => results::junit(args),
        Command::Gate(args) => results::gate(args),
        Command::Why(args) => why(args),
        Command::Diff(args) => diff(args),
        Command::Graph(args) => graph(args),
        Command::Record(args) => record(args),
        Command::History(args) => history(args),
        Command::Hotspots(args) => hotspots::hotspots(args),
    }
}

/// The analysis request for the revisions, and for `plan` and `why` the selection
/// settings (`diff` and `graph` select no tests, and read no history).
fn request(args: &RevisionArgs, selection: Option<&SelectionArgs>) -> Request {
    Request {
        repo: args.repo.clone(),
        base: args.base.clone(),
        head: args.head.clone(),
        manifest: args.manifest.clone(),
        max_changes: selection.and_then(|s| s.max_changes),
        fallback_on_uncovered: selection.is_some_and(|s| s.fallback_on_uncovered),
        no_cache: args.no_cache,
        granularity: match selection.map_or(GranularityArg::Member, |s| s.granularity) {
            GranularityArg::Member => crate::graph::Granularity::Member,
            GranularityArg::Class => crate::graph::Granularity::Class,
        },
        history: selection.and_then(|s| s.history.clone()),
        no_history: selection.is_none(),
        parse_all: false,
    }
}

fn make_plan(args: &PlanArgs, budget: &rank::Budget) -> Result<Plan> {
    let analysis = pipeline::analyze(&request(&args.revisions, Some(&args.selection)))?;
    let ranked = rank::rank(analysis.selection.tests.clone(), &analysis.ranking);
    let suite = match &budget.suite {
        Some(name) => Some(suite_members(&analysis.head_graph, name)?),
        None => None,
    };
    let (ranked, confidence_cut) = confidence_cut(ranked, budget.confidence);
    let (kept, mut deferred) = rank::apply_budget_within(ranked, budget, suite.as_ref());
    let confidence = confidence_cut.map(|(level, curve, all, cut)| {
        let estimate = crate::confidence::estimate(&kept, &all);
        deferred.extend(cut);
        deferred.sort_by_key(|d| d.test.rank);
        report::plan::Confidence {
            level,
            estimate: (estimate * 10_000.0).round() / 10_000.0,
            curve,
        }
    });
    // Coverage risk is judged on what actually runs now, after the budget.
    let coverage_risk = match &analysis.history_path {
        Some(path) if analysis.selection.fallback.is_none() => {
            let history = crate::history::History::open_for_reading(path)?;
            let names: Vec<String> = kept
                .iter()
                .filter(|test| test.test.kind == crate::impact::TestKind::Apex)
                .map(|test| test.test.id.full_name().to_string())
                .collect();
            crate::coverage::risks(
                &history,
                &analysis.coverage_targets,
                &names,
                analysis.coverage_threshold,
            )?
        }
        _ => Vec::new(),
    };
    let extras = report::assemble::Extras {
        deferred,
        coverage_risk,
        confidence,
    };
    let mut plan = report::assemble::build_with(&analysis, &kept, &extras);
    plan.manifest = args
        .revisions
        .manifest
        .as_ref()
        .map(|path| path.display().to_string());
    // The graphs and facts of a large org take a noticeable while to free, and the
    // process is about to exit: let the OS reclaim them.
    std::mem::forget(analysis);
    Ok(plan)
}

/// The parts of a confidence cut the plan reports.
type ConfidenceCut = (
    f64,
    Vec<report::plan::CurvePoint>,
    Vec<rank::RankedTest>,
    Vec<rank::Deferred>,
);

/// Applies `--confidence` to the ranked order: the kept prefix, and the level, the curve
/// of the full order, the full order (to estimate against) and the deferred rest.
fn confidence_cut(
    ranked: Vec<rank::RankedTest>,
    level: Option<f64>,
) -> (Vec<rank::RankedTest>, Option<ConfidenceCut>) {
    let Some(level) = level else {
        return (ranked, None);
    };
    let curve = crate::confidence::curve(&ranked)
        .into_iter()
        .map(|point| report::plan::CurvePoint {
            tests: point.tests,
            minutes: (point.seconds / 60.0 * 100.0).round() / 100.0,
            confidence: point.confidence,
        })
        .collect();
    let all = ranked.clone();
    let (kept, cut) = crate::confidence::cut(ranked, level);
    (kept, Some((level, curve, all, cut)))
}

/// Parses `--time-budget` for clap.
fn parse_time_budget(text: &str) -> std::result::Result<std::time::Duration, String> {
    rank::parse_duration(text)
        .ok_or_else(|| "not a duration: write it like `10m`, `90s` or `1h30m`".to_string())
}

/// The keys of the test classes an Apex test suite names.
fn suite_members(
    graph: &crate::graph::Graph,
    name: &str,
) -> Result<std::collections::HashSet<String>> {
    let suite = crate::metadata::component::ComponentId::new("ApexTestSuite", name);
    let index = graph
        .node(&suite)
        .filter(|&index| !graph.graph[index].files.is_empty())
        .ok_or_else(|| Error::UnknownSuite {
            name: name.to_string(),
        })?;
    Ok(graph
        .graph
        .neighbors_directed(index, petgraph::Direction::Outgoing)
        .map(|class| graph.graph[class].id.key().to_string())
        .collect())
}

/// The budget of `impact plan`, checked against the format.
fn budget(args: &PlanArgs) -> Result<rank::Budget> {
    let budget = rank::Budget {
        max_tests: args.max_tests,
        time: args.time_budget,
        suite: args.suite.clone(),
        confidence: args.confidence,
    };
    if budget.is_set() && args.format == PlanFormat::Sf && !args.allow_partial {
        return Err(Error::PartialDeploy);
    }
    Ok(budget)
}

/// The history file for `record` and `history`: `--history`, else the repository's
/// `.impact/history.db`.
fn history_path(explicit: Option<&PathBuf>, repo: &std::path::Path) -> Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.clone());
    }
    let git = crate::git::Repo::discover(repo)?;
    let root = git.workdir().ok_or_else(|| Error::BareRepository {
        path: repo.to_path_buf(),
    })?;
    Ok(root.join(".impact").join("history.db"))
}

fn record(args: RecordArgs) -> Result<u8> {
    // Read every file before writing anything: one bad file records nothing.
    let mut runs = Vec::new();
    let mut queries = Vec::new();
    for path in &args.results {
        match crate::results::read_result_file(path)? {
            crate::results::ResultFile::Run(run) => runs.push((path, run)),
            crate::results::ResultFile::OrgQuery(query) => queries.push((path, query)),
        }
    }
    let plan = args.plan.as_ref().map(read_plan).transpose()?;
    let repo = crate::git::Repo::discover(&args.repo).ok();
    let commit = match &args.commit {
        Some(rev) if is_full_sha(rev) => Some(rev.to_lowercase()),
        Some(rev) => match &repo {
            Some(repo) => Some(repo.resolve(rev)?.to_string()),
            None => return Err(Error::UnknownRevision { rev: rev.clone() }),
        },
        None => plan
            .as_ref()
            .and_then(|plan| plan["head"].as_str())
            .filter(|head| is_full_sha(head))
            .map(str::to_string)
            .or_else(|| {
                repo.as_ref()
                    .and_then(|repo| repo.head_commit().ok())
                    .map(|oid| oid.to_string())
            }),
    };
    let path = history_path(args.history.as_ref(), &args.repo)?;
    let mut history = crate::history::History::open(&path)?;
    let mut out = String::new();
    for (file, run) in &runs {
        let outcome = history.record(run, commit.as_deref())?;
        if outcome.new {
            out.push_str(&format!(
                "recorded {}: {} test results ({}, run {})\n",
                file.display(),
                outcome.tests,
                run.format.as_str(),
                run.run_id
            ));
        } else if outcome.tests == 0 {
            out.push_str(&format!(
                "{}: run {} is already recorded, nothing added\n",
                file.display(),
                run.run_id
            ));
        } else {
            out.push_str(&format!(
                "{}: run {} is already recorded; {} test results added or made more severe\n",
                file.display(),
                run.run_id,
                outcome.tests
            ));
        }
    }
    for (file, query) in &queries {
        out.push_str(&record_org_query(&mut history, file, query)?);
    }
    if let Some(plan) = &plan {
        // A failure in a test the plan did not select is not explained by the change.
        let selected: std::collections::HashSet<String> = plan["tests"]
            .as_array()
            .map(|tests| {
                tests
                    .iter()
                    .filter_map(|test| test["name"].as_str())
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        let mut unrelated: Vec<String> = runs
            .iter()
            .flat_map(|(_, run)| run.tests.iter())
            .filter(|test| test.outcome.is_failure())
            .filter(|test| !selected.contains(&test.class_name.to_lowercase()))
            .map(|test| format!("{}.{}", test.class_name, test.method_name))
            .collect();
        unrelated.sort();
        unrelated.dedup();
        if !unrelated.is_empty() {
            out.push_str(&format!(
                "failed outside the plan (not explained by the change, possibly flaky): {}\n",
                unrelated.join(", ")
            ));
        }
    }
    write_output(None, &out)?;
    Ok(EXIT_OK)
}

/// Records one `sf data query --json` file; returns the line that says what it added.
fn record_org_query(
    history: &mut crate::history::History,
    file: &std::path::Path,
    query: &crate::results::org::OrgQuery,
) -> Result<String> {
    let outcome = history.record_org(query)?;
    let object = query.object.map_or("no", |o| o.as_str());
    let mut line = match query.object {
        Some(crate::results::org::QueryObject::ApexCodeCoverage) => format!(
            "recorded {}: {} ApexCodeCoverage records, {} new or newer",
            file.display(),
            query.coverage.len(),
            outcome.coverage
        ),
        _ => format!(
            "recorded {}: {object} records of {} runs ({} new), {} test results added",
            file.display(),
            outcome.runs,
            outcome.new_runs,
            outcome.tests
        ),
    };
    if query.skipped > 0 {
        line.push_str(&format!(
            "; {} records skipped (no class, method, job or time)",
            query.skipped
        ));
    }
    line.push('\n');
    if !query.complete {
        eprintln!(
            "impact: warning: {}: the query returned part of its records (`done: false`); narrow the date filter",
            file.display()
        );
    }
    Ok(line)
}

/// Reads an `impact.plan/v1` JSON file.
fn read_plan(path: &PathBuf) -> Result<serde_json::Value> {
    let bytes = std::fs::read(path).map_err(|error| Error::UnreadableFile {
        path: path.clone(),
        reason: error.to_string().to_lowercase(),
    })?;
    let plan: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| Error::UnreadableFile {
            path: path.clone(),
            reason: "it is not JSON from `impact plan --format json`".into(),
        })?;
    if plan["schema"].as_str() != Some(report::plan::SCHEMA) {
        return Err(Error::UnreadableFile {
            path: path.clone(),
            reason: format!(
                "it is not a plan (`schema` is not `{}`)",
                report::plan::SCHEMA
            ),
        });
    }
    Ok(plan)
}

/// True for a 40-digit hex commit id.
fn is_full_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn history(args: HistoryArgs) -> Result<u8> {
    let path = history_path(args.history.as_ref(), &args.repo)?;
    if !path.exists() && args.merge.is_empty() {
        return Err(Error::NoHistory { path });
    }
    if let Some(missing) = args.merge.iter().find(|other| !other.is_file()) {
        return Err(Error::NoHistory {
            path: missing.clone(),
        });
    }
    // Only a merge writes: reading works on a file system that refuses writes.
    let mut history = if args.merge.is_empty() {
        crate::history::History::open_for_reading(&path)?
    } else {
        crate::history::History::open(&path)?
    };
    for other in &args.merge {
        let merged = history.merge(other)?;
        eprintln!(
            "impact: merged {}: {} runs ({} new), {} test results added",
            other.display(),
            merged.runs,
            merged.new_runs,
            merged.tests
        );
    }
    if args.format == HistoryFormat::Dump {
        write_output(args.output.as_ref(), &history.dump()?)?;
        return Ok(EXIT_OK);
    }
    let runs = history.run_count()?;
    let tests = history.test_stats(pipeline::HISTORY_WINDOW)?;
    let classes = history.class_stats(pipeline::HISTORY_WINDOW)?;
    let flaky: Vec<&crate::history::TestStats> = {
        let mut list: Vec<_> = tests
            .iter()
            .filter(|t| t.runs >= rank::FLAKY_MIN_RUNS && t.flakiness >= rank::FLAKY_THRESHOLD)
            .collect();
        list.sort_by(|a, b| b.flakiness.total_cmp(&a.flakiness));
        list
    };
    let failing: Vec<&crate::history::TestStats> = {
        let mut list: Vec<_> = tests
            .iter()
            .filter(|t| t.last_outcome.is_failure())
            .collect();
        list.sort_by(|a, b| b.failure_rate.total_cmp(&a.failure_rate));
        list
    };
    let slow: Vec<&crate::history::ClassStats> = {
        let mut list: Vec<_> = classes.iter().filter(|c| c.duration_ms.is_some()).collect();
        list.sort_by(|a, b| {
            b.duration_ms
                .unwrap_or(0.0)
                .total_cmp(&a.duration_ms.unwrap_or(0.0))
        });
        list
    };
    let test_json = |t: &crate::history::TestStats| {
        serde_json::json!({
            "kind": t.kind.as_str(),
            "class": t.class_name,
            "method": t.method_name,
            "runs": t.runs,
            "failures": t.failures,
            "last_outcome": t.last_outcome.as_str(),
            "failure_rate": round4(t.failure_rate),
            "flakiness": round4(t.flakiness),
            "mean_duration_ms": t.mean_duration_ms.map(|ms| ms.round() as u64),
        })
    };
    let class_json = |c: &crate::history::ClassStats| {
        serde_json::json!({
            "kind": c.kind.as_str(),
            "class": c.class_name,
            "methods": c.methods,
            "runs": c.runs,
            "failures": c.failures,
            "last_outcome": c.last_outcome.as_str(),
            "failure_rate": round4(c.failure_rate),
            "flakiness": round4(c.flakiness),
            "duration_ms": c.duration_ms.map(|ms| ms.round() as u64),
        })
    };
    let text = match args.format {
        HistoryFormat::Json | HistoryFormat::Dump => {
            let mut doc = serde_json::json!({
                "schema": "impact.history/v1",
                "runs": runs,
                "tests_recorded": tests.len(),
            });
            let (flaky_on, slow_on, failing_on) = if args.flaky || args.slow || args.failing {
                (args.flaky, args.slow, args.failing)
            } else {
                (true, true, true)
            };
            if flaky_on {
                doc["flaky"] = flaky.iter().map(|t| test_json(t)).collect();
            }
            if failing_on {
                doc["failing"] = failing.iter().map(|t| test_json(t)).collect();
            }
            if slow_on {
                doc["slow"] = slow.iter().map(|c| class_json(c)).collect();
            }
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
            text.push('\n');
            text
        }
        HistoryFormat::Text => {
            let mut out = format!(
                "impact history {}: {} runs, {} tests\n",
                path.display(),
                runs,
                tests.len()
            );
            let all = !(args.flaky || args.slow || args.failing);
            let limit = if all { 10 } else { usize::MAX };
            let name =
                |t: &crate::history::TestStats| format!("{}.{}", t.class_name, t.method_name);
            if all || args.flaky {
                out.push_str(&format!(
                    "\nflaky ({}): the outcome flips between runs; they still run, ranked lower\n",
                    flaky.len()
                ));
                for t in flaky.iter().take(limit) {
                    out.push_str(&format!(
                        "  {:<50}  flips {:>3.0}% of {} runs, failed {}\n",
                        name(t),
                        t.flakiness * 100.0,
                        t.runs,
                        t.failures
                    ));
                }
            }
            if all || args.failing {
                out.push_str(&format!(
                    "\nfailing ({}): failed in their latest run\n",
                    failing.len()
                ));
                for t in failing.iter().take(limit) {
                    out.push_str(&format!(
                        "  {:<50}  failed {} of {} runs, recent failure rate {:.2}\n",
                        name(t),
                        t.failures,
                        t.runs,
                        t.failure_rate
                    ));
                }
            }
            if all || args.slow {
                out.push_str(&format!(
                    "\nslow ({}): test classes by mean run time\n",
                    slow.len()
                ));
                for c in slow.iter().take(limit) {
                    out.push_str(&format!(
                        "  {:<50}  {:>9.1} s  ({} methods)\n",
                        c.class_name,
                        c.duration_ms.unwrap_or(0.0) / 1000.0,
                        c.methods
                    ));
                }
            }
            out
        }
    };
    write_output(args.output.as_ref(), &text)?;
    Ok(EXIT_OK)
}

/// Four decimals, for JSON.
fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

fn plan(args: PlanArgs) -> Result<u8> {
    let budget = budget(&args)?;
    let plan = make_plan(&args, &budget)?;
    let color = if args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none()
    {
        Color::Always
    } else {
        Color::Never
    };
    let text = match args.format {
        PlanFormat::Text => report::text::render(&plan, color),
        PlanFormat::Json => plan.to_json(),
        PlanFormat::Markdown => report::markdown::render_plan_markdown(&plan),
        PlanFormat::Sf => sf_deploy_text(&plan, args.target_org_type.into()),
        PlanFormat::SfRun => {
            jest_left_out(&plan);
            match report::sf::run_args(&plan) {
                Some(line) => format!("{line}\n"),
                None => {
                    eprintln!(
                        "impact: {}",
                        report::sf::nothing_to_run(&plan).unwrap_or_default()
                    );
                    String::new()
                }
            }
        }
        PlanFormat::Jest => match report::jest::command(&plan) {
            Some(command) => format!("{command}\n"),
            None => {
                eprintln!("impact: the plan selects no LWC Jest test");
                String::new()
            }
        },
    };
    write_output(args.output.as_ref(), &text)?;
    for warning in &plan.warnings {
        if args.format != PlanFormat::Text || args.output.is_some() {
            eprintln!("impact: warning: {warning}");
        }
    }
    Ok(EXIT_OK)
}

/// `--format sf`: the deploy arguments, and on standard error what runs elsewhere (Flow
/// tests) or why no `--test-level` is printed.
fn sf_deploy_text(plan: &report::plan::Plan, target: report::sf::TargetOrg) -> String {
    if let Some(command) = report::sf::flow_command(plan) {
        eprintln!("impact: Flow tests do not run in a deploy; run them with: {command}");
    }
    jest_left_out(plan);
    let line = report::sf::deploy_args(plan, target);
    if line.is_empty() {
        eprintln!(
            "impact: no Apex test needs to run; no --test-level printed, so the org's default applies (production refuses NoTestRun; pass --target-org-type sandbox to print it)"
        );
        return String::new();
    }
    format!("{line}\n")
}

/// Says on standard error that the plan's Jest tests are not in an `sf` output.
fn jest_left_out(plan: &report::plan::Plan) {
    if let Some(note) = report::jest::left_out_note(plan) {
        eprintln!("impact: {note}");
    }
}

fn why(args: WhyArgs) -> Result<u8> {
    let analysis = pipeline::analyze(&request(&args.revisions, Some(&args.selection)))?;
    let wanted = args.test.to_lowercase();
    let Some(selected) = analysis
        .selection
        .tests
        .iter()
        .find(|test| test.id.full_name().to_lowercase() == wanted)
    else {
        return why_not(&analysis, &args);
    };
    // One path from each change that reaches the test (the plan keeps only the
    // shortest), plus the policy's notes.
    let mut reasons: Vec<crate::impact::Reason> = Vec::new();
    for change in &analysis.changes {
        let graphs = [
            (Some(&analysis.head_graph), &change.head_seeds),
            (analysis.base_graph.as_ref(), &change.base_seeds),
        ];
        for (graph, seeds) in graphs {
            let Some(graph) = graph else { continue };
            if seeds.is_empty() {
                continue;
            }
            let reach = crate::impact::walk(graph, seeds);
            if let Some(test) = reach.tests.get(selected.id.key()) {
                for reason in &test.reasons {
                    if !reasons.contains(reason) {
                        reasons.push(reason.clone());
                    }
                }
            }
        }
    }
    for reason in &selected.reasons {
        if reason.note.is_some() && !reasons.contains(reason) {
            reasons.push(reason.clone());
        }
    }
    let reasons: Vec<report::plan::Reason> = reasons.iter().map(report::assemble::reason).collect();
    let text = report::text::render_why(selected.id.full_name(), &reasons);
    write_output(args.output.as_ref(), &text)?;
    Ok(EXIT_OK)
}

/// `impact why` for a test the plan does not select: exit 0 with the nearest path from a
/// change when the head revision has the test, exit 2 when it has no test of that name.
fn why_not(analysis: &pipeline::Analysis, args: &WhyArgs) -> Result<u8> {
    let graph = &analysis.head_graph;
    let wanted = args.test.to_lowercase();
    let test = crate::policy::all_tests(graph)
        .into_values()
        .map(|index| &graph.graph[index].id)
        .find(|id| id.full_name().to_lowercase() == wanted)
        .ok_or_else(|| Error::UnknownTest {
            name: args.test.clone(),
        })?;
    let nearest = analysis
        .changes
        .iter()
        .filter_map(|change| crate::impact::nearest_path(graph, &change.head_seeds, test))
        .min_by_key(|reason| reason.edges.len());
    let nearest = nearest.as_ref().map(report::assemble::reason);
    let text = report::text::render_not_selected(test.full_name(), nearest.as_ref());
    write_output(args.output.as_ref(), &text)?;
    Ok(EXIT_OK)
}

fn diff(args: DiffArgs) -> Result<u8> {
    let analysis = pipeline::analyze(&request(&args.revisions, None))?;
    let ranked = rank::rank(Vec::new(), &analysis.ranking);
    let plan = report::assemble::build(&analysis, &ranked);
    let text = match args.format {
        DiffFormat::Json => report::diff::render_json(&plan),
        DiffFormat::Text => report::diff::render_text(&plan),
    };
    if let Some(dir) = &args.package_xml {
        let api_version = analysis
            .project
            .api_version
            .clone()
            .unwrap_or_else(|| report::diff::DEFAULT_API_VERSION.to_string());
        let (package, destructive) = report::diff::manifests(&analysis.changes, &api_version);
        std::fs::create_dir_all(dir).map_err(|error| Error::CannotWrite {
            path: dir.clone(),
            reason: error.to_string(),
        })?;
        write_output(Some(&dir.join("package.xml")), &package)?;
        write_output(Some(&dir.join("destructiveChanges.xml")), &destructive)?;
    }
    write_output(args.output.as_ref(), &text)?;
    Ok(EXIT_OK)
}

fn graph(args: GraphArgs) -> Result<u8> {
    // The graph shows every edge, also those of types a plan only lists.
    let analysis = pipeline::analyze(&Request {
        parse_all: true,
        ..request(&args.revisions, None)
    })?;
    let edges = analysis.head_graph.component_edges();
    let focus = match &args.focus {
        Some(name) => {
            let id = crate::metadata::component::ComponentId::parse(name)
                .unwrap_or_else(|| crate::metadata::component::ComponentId::new("ApexClass", name));
            if analysis.head_graph.node(&id).is_none() {
                return Err(Error::UnknownComponent { name: name.clone() });
            }
            Some(id)
        }
        None => None,
    };
    let edges = report::graph::neighbourhood(&edges, focus.as_ref(), args.depth);
    let text = match args.format {
        GraphFormat::Dot => report::graph::render_dot(&edges),
        GraphFormat::Mermaid => report::graph::render_mermaid(&edges),
        GraphFormat::Json => report::graph::render_json(&edges),
    };
    write_output(args.output.as_ref(), &text)?;
    Ok(EXIT_OK)
}

/// Writes to the file (whole, via a temporary file, so nothing is left half-written) or
/// to standard output.
pub fn write_output(output: Option<&PathBuf>, text: &str) -> Result<()> {
    match output {
        Some(path) => {
            let cannot = |error: std::io::Error| Error::CannotWrite {
                path: path.clone(),
                reason: error.to_string(),
            };
            let file_name = path
                .file_name()
                .map(|name| name.to_string_lossy().to_string())
                .unwrap_or_else(|| "output".into());
            let tmp = path.with_file_name(format!(".{file_name}.impact-tmp"));
            std::fs::write(&tmp, text).map_err(cannot)?;
            std::fs::rename(&tmp, path).map_err(|error| {
                let _ = std::fs::remove_file(&tmp);
                cannot(error)
            })
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Ok(()) => Ok(()),
                // A closed pipe (`impact plan | head`) is not an error.
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(error) => Err(Error::CannotWrite {
                    path: "<stdout>".into(),
                    reason: error.to_string(),
                }),
            }
        }
    }
}
