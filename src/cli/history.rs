//! `impact history`: what the history knows (flaky, slow and failing tests).

use super::write_output;
use crate::error::{Error, Result, EXIT_OK};
use crate::report::history::Views;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

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

/// Runs `impact history`.
pub fn run(args: HistoryArgs) -> Result<u8> {
    let path = crate::history::path_for_repo(args.history.as_ref(), &args.repo)?;
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
    let summary = history.summary()?;
    let views = Views {
        flaky: args.flaky,
        slow: args.slow,
        failing: args.failing,
    };
    let text = match args.format {
        HistoryFormat::Json | HistoryFormat::Dump => {
            crate::report::history::render_json(&summary, views)
        }
        HistoryFormat::Text => crate::report::history::render_text(&summary, &path, views),
    };
    write_output(args.output.as_ref(), &text)?;
    Ok(EXIT_OK)
}
