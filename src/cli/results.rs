//! `impact junit` and `impact gate`: after the tests ran.

use crate::error::{Result, EXIT_GATE_FAILED, EXIT_OK};
use crate::gate::{self, Flakiness, GatePolicy};
use crate::report::junit::SourceIndex;
use crate::report::plan::Plan;
use crate::results::TestRun;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// `impact junit`.
#[derive(Debug, Args)]
pub struct JunitArgs {
    /// Result files: `sf apex run test --json`, `sf logic run test --json`,
    /// `sf project deploy … --json`, or JUnit XML.
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// The plan the tests ran for: each testcase gets its rank and reason, and a planned
    /// test that did not run becomes a failure.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// The repository, to give each testcase its file and line.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Also print GitHub annotations (`::error file=…::`) for failing tests on stderr.
    #[arg(long)]
    pub annotations: bool,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// `impact gate`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Result files (as for `impact junit`).
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// The plan: every planned test must have run, and its changed classes are the ones
    /// whose coverage counts.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// The policy file (default: `impact.toml` at the repository root, `[gate]`).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// The branch being released, for per-branch thresholds (default: the current branch).
    #[arg(long)]
    pub branch: Option<String>,
    /// The history database, to know which tests are flaky (default:
    /// `.impact/history.db`, when it exists).
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// The repository.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    #[arg(long, value_enum, default_value_t = GateFormat::Text)]
    pub format: GateFormat,
    /// Also print GitHub annotations for failing tests and uncovered classes on stderr.
    #[arg(long)]
    pub annotations: bool,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Formats of `impact gate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GateFormat {
    Text,
    Json,
    Markdown,
}

/// Reads every result file before anything is written: one bad file stops the command.
fn read_runs(paths: &[PathBuf]) -> Result<Vec<TestRun>> {
    paths
        .iter()
        .map(|path| crate::results::read_results(path))
        .collect()
}

/// Runs `impact junit`.
pub fn junit(args: JunitArgs) -> Result<u8> {
    let runs = read_runs(&args.results)?;
    let plan = args.plan.as_deref().map(Plan::read).transpose()?;
    let coverage = gate::deploy_coverage_failures(&runs, plan.as_ref());
    let sources = source_index(&args.repo, &runs, plan.as_ref(), &coverage);
    let xml = crate::report::junit::render_junit(&runs, plan.as_ref(), &coverage, &sources);
    super::write_output(args.output.as_ref(), &xml)?;
    if args.annotations {
        eprint!(
            "{}",
            crate::report::annotations::render_annotations(&runs, plan.as_ref(), &sources)
        );
    }
    Ok(EXIT_OK)
}

/// Runs `impact gate`.
pub fn gate(args: GateArgs) -> Result<u8> {
    let runs = read_runs(&args.results)?;
    let plan = args.plan.as_deref().map(Plan::read).transpose()?;
    let repo = crate::git::Repo::discover(&args.repo).ok();
    let root = repo
        .as_ref()
        .and_then(|repo| repo.workdir().map(Path::to_path_buf));
    let policy = match (&args.policy, &root) {
        (Some(path), _) => GatePolicy::load(path)?,
        (None, Some(root)) => GatePolicy::load_or_default(&root.join(crate::config::CONFIG_FILE))?,
        (None, None) => GatePolicy::default(),
    };
    let branch = args
        .branch
        .clone()
        .or_else(|| current_branch(repo.as_ref()));
    let history_path = match (&args.history, &root) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(root)) => Some(root.join(".impact").join("history.db")).filter(|p| p.exists()),
        (None, None) => None,
    };
    let flakiness = match history_path {
        Some(path) => {
            let history = crate::history::History::open_for_reading(&path)?;
            Flakiness::from_test_stats(&history.test_stats(crate::pipeline::HISTORY_WINDOW)?)
        }
        None => Flakiness::new(),
    };
    let decision = gate::evaluate(&runs, plan.as_ref(), &flakiness, &policy, branch.as_deref());
    let text = match args.format {
        GateFormat::Text => gate::render_text(&decision),
        GateFormat::Json => gate::render_json(&decision),
        GateFormat::Markdown => gate::render_markdown(&decision),
    };
    super::write_output(args.output.as_ref(), &text)?;
    if args.annotations {
        let sources = root
            .as_deref()
            .map(|root| source_index(root, &runs, plan.as_ref(), &[]))
            .unwrap_or_default();
        eprint!(
            "{}",
            crate::report::annotations::render_annotations(&runs, plan.as_ref(), &sources)
        );
    }
    Ok(if decision.pass {
        EXIT_OK
    } else {
        EXIT_GATE_FAILED
    })
}

fn current_branch(repo: Option<&crate::git::Repo>) -> Option<String> {
    let head = repo?.git().head().ok()?;
    head.is_branch()
        .then(|| head.shorthand().map(str::to_string))
        .flatten()
}

/// Where each test class and Flow test lives, and the line of each test method that ran:
/// read from the working tree of the repository, when there is one. Without a
/// repository the JUnit simply has no `file`/`line`.
fn source_index(
    repo: &Path,
    runs: &[TestRun],
    plan: Option<&Plan>,
    coverage: &[gate::CoverageFailure],
) -> SourceIndex {
    let mut index = SourceIndex::new();
    let Ok(project) = crate::project::Project::discover(repo) else {
        return index;
    };
    let Ok(git) = crate::git::Repo::open(&project.git_root) else {
        return index;
    };
    let Ok(snapshot) = git.snapshot(&crate::git::Revision::Worktree) else {
        return index;
    };
    let mut wanted: std::collections::HashSet<String> = runs
        .iter()
        .flat_map(|run| run.tests.iter().map(|test| test.class_name.to_lowercase()))
        .collect();
    if let Some(plan) = plan {
        wanted.extend(plan.tests.iter().map(|test| test.name.to_lowercase()));
    }
    wanted.extend(
        coverage
            .iter()
            .map(|failure| failure.subject.to_lowercase()),
    );
    for file in snapshot.files(|path| project.package_dir_of(path).is_some()) {
        let Some((_, inner)) = project.split_package_path(&file.path) else {
            continue;
        };
        let Some(source) = crate::metadata::registry::classify(inner) else {
            continue;
        };
        let component = &source.component;
        if component.is_type("FlowTest") && file.path.ends_with(".flowtest-meta.xml") {
            index.add_flow_test(component.full_name(), &file.path);
            continue;
        }
        if !(component.is_type("ApexClass") && file.path.ends_with(".cls")) {
            continue;
        }
        if !wanted.contains(&component.full_name().to_lowercase()) {
            continue;
        }
        index.add_class(component.full_name(), &file.path);
        let Ok(bytes) = snapshot.read(&file.path) else {
            continue;
        };
        let facts = crate::parse::parse_file(component, &file.path, &bytes);
        for declaration in &facts.declares {
            if declaration.test.as_ref().is_some_and(|mark| mark.method) {
                let full = declaration.id.full_name();
                let method = full.rsplit('.').next().unwrap_or(full);
                index.add_method(component.full_name(), method, declaration.lines.0);
            }
        }
    }
    index
}
