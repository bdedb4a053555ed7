//! `impact hotspots`: the components that change often, that many tests reach, and whose
//! tests fail (see [`crate::hotspots`] for the numbers and the score).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::error::{Error, Result, EXIT_OK};
use crate::pipeline::{self, Request};
use crate::report::hotspots::{self as render, Report};

/// `impact hotspots`.
#[derive(Debug, Args)]
pub struct HotspotsArgs {
    /// The repository (any directory inside it).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// The revision to look back from (default `HEAD`).
    #[arg(long, default_value = "HEAD")]
    pub head: String,
    /// How far back: commits and recorded runs of the last N days before the head commit
    /// (`90d`, or a number of days).
    #[arg(long, default_value = "90d", value_parser = parse_days)]
    pub since: u32,
    /// Show at most this many components (0: all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    #[arg(long, value_enum, default_value_t = HotspotsFormat::Text)]
    pub format: HotspotsFormat,
    /// The history database (default: `.impact/history.db` in the repository, when it
    /// exists); its runs give the failures.
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Formats of `impact hotspots`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HotspotsFormat {
    Text,
    /// `impact.hotspots/v1`.
    Json,
    /// A report with a chart, for `$GITHUB_STEP_SUMMARY`.
    Markdown,
}

/// Parses `--since`: `90d` or `90`.
fn parse_days(text: &str) -> std::result::Result<u32, String> {
    let text = text.trim();
    let number = text.strip_suffix('d').unwrap_or(text);
    match number.parse::<u32>() {
        Ok(days) if days > 0 => Ok(days),
        _ => Err("write the window as a number of days, like `90d`".to_string()),
    }
}

/// Runs `impact hotspots`.
pub fn run(args: HotspotsArgs) -> Result<u8> {
    if let Some(path) = args.history.as_ref().filter(|path| !path.is_file()) {
        return Err(Error::NoHistory { path: path.clone() });
    }
    // The head revision against itself: no change, only the head graph is wanted.
    let (project, graph) = pipeline::graph(&Request {
        repo: args.repo.clone(),
        base: Some(args.head.clone()),
        head: Some(args.head.clone()),
        // Every component of the head revision is ranked, also those a plan only lists.
        parse_all: true,
        ..Request::default()
    })?;
    let repo = crate::git::Repo::discover(&args.repo)?;
    let head = repo.resolve(&args.head)?;
    let head_time = repo.git().find_commit(head)?.time().seconds();
    let history_path = args
        .history
        .clone()
        .unwrap_or_else(|| crate::history::default_path(&project.git_root));
    let mut history = if history_path.is_file() {
        Some(crate::history::History::open(&history_path)?)
    } else {
        None
    };
    let window = crate::churn::Window {
        max_age_days: args.since,
        ..crate::churn::Window::default()
    };
    let churn = crate::churn::compute(&repo, &project, head, &window, history.as_mut(), None)?;
    let since_ms = head_time
        .saturating_sub(i64::from(args.since).saturating_mul(86_400))
        .saturating_mul(1000);
    let (failures, runs) = match &history {
        Some(history) => history.failures_since(since_ms)?,
        None => Default::default(),
    };
    let mut ranked = crate::hotspots::rank(&crate::hotspots::Inputs {
        graph: &graph,
        churn: &churn,
        failures: &failures,
    });
    if args.top > 0 {
        ranked.truncate(args.top);
    }
    let report = Report::new(head.to_string(), args.since, churn.commits, runs, &ranked);
    let text = match args.format {
        HotspotsFormat::Text => render::text(&report),
        HotspotsFormat::Json => render::json(&report),
        HotspotsFormat::Markdown => render::markdown(&report),
    };
    super::write_output(args.output.as_ref(), &text)?;
    Ok(EXIT_OK)
}
