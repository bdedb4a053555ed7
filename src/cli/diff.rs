//! `impact diff`: the changed components, and optionally the manifests that deploy them.

use super::{request, write_output, RevisionArgs};
use crate::error::{Error, Result, EXIT_OK};
use crate::report;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

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

/// Runs `impact diff`.
pub fn run(args: DiffArgs) -> Result<u8> {
    let delta = crate::pipeline::delta(&request(&args.revisions, None))?;
    let text = match args.format {
        DiffFormat::Json => report::diff::render_json(&delta.base, &delta.head, &delta.changes),
        DiffFormat::Text => report::diff::render_text(&delta.changes),
    };
    if let Some(dir) = &args.package_xml {
        let api_version = delta
            .project
            .api_version
            .clone()
            .unwrap_or_else(|| report::diff::DEFAULT_API_VERSION.to_string());
        let (package, destructive) = report::diff::manifests(&delta.changes, &api_version);
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
