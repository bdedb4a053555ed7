//! `impact graph`: the dependency graph, or the neighbourhood of one component.

use super::{request, write_output, RevisionArgs};
use crate::error::{Error, Result, EXIT_OK};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use crate::report;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

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

/// Runs `impact graph`.
pub fn run(args: GraphArgs) -> Result<u8> {
    // The graph shows every edge, also those of types a plan only lists.
    let (_, graph) = crate::pipeline::graph(&crate::pipeline::Request {
        parse_all: true,
        ..request(&args.revisions, None)
    })?;
    let edges = graph.component_edges();
    let focus = match &args.focus {
        Some(name) => {
            let id = ComponentId::parse(name)
                .unwrap_or_else(|| ComponentId::new(types::APEX_CLASS, name));
            if graph.node(&id).is_none() {
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
