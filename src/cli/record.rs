//! `impact record RESULTS…`: import test results into the history.

use super::write_output;
use crate::error::{Result, EXIT_OK};
use clap::Args;
use std::path::PathBuf;

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

/// Runs `impact record`.
pub fn run(args: RecordArgs) -> Result<u8> {
    let imported = crate::record::import(&crate::record::Request {
        results: args.results,
        commit: args.commit,
        plan: args.plan,
        history: args.history,
        repo: args.repo,
    })?;
    for warning in crate::report::history::import_warnings(&imported) {
        eprintln!("impact: warning: {warning}");
    }
    write_output(None, &crate::report::history::render_imported(&imported))?;
    Ok(EXIT_OK)
}
