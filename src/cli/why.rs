//! `impact why TEST`: every path from the changes to one selected test.

use super::{request, write_output, RevisionArgs, SelectionArgs};
use crate::error::{Result, EXIT_OK};
use crate::report;
use clap::Args;
use std::path::PathBuf;

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

/// Runs `impact why`.
pub fn run(args: WhyArgs) -> Result<u8> {
    let request = request(&args.revisions, Some(&args.selection));
    let text = match crate::pipeline::why(&request, &args.test)? {
        crate::pipeline::Why::Selected { name, reasons } => {
            let reasons: Vec<report::plan::Reason> =
                reasons.iter().map(report::assemble::reason).collect();
            report::text::render_why(&name, &reasons)
        }
        crate::pipeline::Why::NotSelected { name, nearest } => {
            let nearest = nearest.as_ref().map(report::assemble::reason);
            report::text::render_not_selected(&name, nearest.as_ref())
        }
    };
    write_output(args.output.as_ref(), &text)?;
    Ok(EXIT_OK)
}
