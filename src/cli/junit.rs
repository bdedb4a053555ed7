//! `impact junit`: JUnit XML from test results, for GitHub's test reporters.

use super::write_output;
use crate::error::{Result, EXIT_OK};
use crate::report::plan::Plan;
use clap::Args;
use std::path::PathBuf;

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

/// Runs `impact junit`.
pub fn run(args: JunitArgs) -> Result<u8> {
    let runs = crate::results::read_all(&args.results)?;
    let plan = args.plan.as_deref().map(Plan::read).transpose()?;
    let coverage = crate::gate::deploy_coverage_failures(&runs, plan.as_ref());
    let sources = crate::test_sources::index(&args.repo, &runs, plan.as_ref(), &coverage);
    let xml = crate::report::junit::render_junit(&runs, plan.as_ref(), &coverage, &sources);
    write_output(args.output.as_ref(), &xml)?;
    if args.annotations {
        eprint!(
            "{}",
            crate::report::annotations::render_annotations(&runs, plan.as_ref(), &sources)
        );
    }
    Ok(EXIT_OK)
}
