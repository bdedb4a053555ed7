//! `impact gate`: whether the release may go on (exit 0 yes, 1 no), each reason printed.

use super::write_output;
use crate::error::{Result, EXIT_GATE_FAILED, EXIT_OK};
use crate::report;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

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

/// Runs `impact gate`.
pub fn run(args: GateArgs) -> Result<u8> {
    let checked = crate::gate::check(&crate::gate::Request {
        results: args.results,
        plan: args.plan,
        policy: args.policy,
        branch: args.branch,
        history: args.history,
        repo: args.repo,
    })?;
    let decision = &checked.decision;
    let text = match args.format {
        GateFormat::Text => report::gate::render_text(decision),
        GateFormat::Json => report::gate::render_json(decision),
        GateFormat::Markdown => report::gate::render_markdown(decision),
    };
    write_output(args.output.as_ref(), &text)?;
    if args.annotations {
        let sources = checked
            .root
            .as_deref()
            .map(|root| crate::test_sources::index(root, &checked.runs, checked.plan.as_ref(), &[]))
            .unwrap_or_default();
        eprint!(
            "{}",
            report::annotations::render_annotations(&checked.runs, checked.plan.as_ref(), &sources)
        );
    }
    Ok(if decision.pass {
        EXIT_OK
    } else {
        EXIT_GATE_FAILED
    })
}
