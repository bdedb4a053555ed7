//! The command line: clap types, and one function per subcommand that runs the stages in
//! order. Only this module knows clap; it turns flags into plain option structs.

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
    /// Every path from the changes to one selected test.
    Why(WhyArgs),
    /// The changed components, and optionally a package.xml and destructiveChanges.xml.
    Diff(DiffArgs),
    /// The dependency graph, or the neighbourhood of one component.
    Graph(GraphArgs),
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
    /// More changed components than this run all local tests.
    /// (default 500, or `max_changes` in impact.toml)
    #[arg(long)]
    pub max_changes: Option<usize>,
    /// Do not read or write the facts cache under `.impact/cache`.
    #[arg(long)]
    pub no_cache: bool,
}

/// `impact plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub revisions: RevisionArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// `impact why TEST`.
#[derive(Debug, Args)]
pub struct WhyArgs {
    /// The test: an Apex test class, a Flow test, or a Jest test path.
    pub test: String,
    #[command(flatten)]
    pub revisions: RevisionArgs,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Formats of `impact plan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A table for a terminal.
    Text,
    /// The `impact.plan/v1` JSON.
    Json,
    /// Arguments for `sf project deploy start`.
    Sf,
    /// Arguments for `sf apex run test`, naming only the reached test methods.
    SfRun,
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Plan(args) => plan(args),
        Command::Why(args) => why(args),
        Command::Diff(args) => diff(args),
        Command::Graph(args) => graph(args),
    }
}

fn request(args: &RevisionArgs) -> Request {
    Request {
        repo: args.repo.clone(),
        base: args.base.clone(),
        head: args.head.clone(),
        manifest: args.manifest.clone(),
        max_changes: args.max_changes,
        no_cache: args.no_cache,
    }
}

fn make_plan(args: &RevisionArgs) -> Result<Plan> {
    let analysis = pipeline::analyze(&request(args))?;
    let ranked = rank::rank(analysis.selection.tests.clone());
    Ok(report::assemble::build(&analysis, &ranked))
}

fn plan(args: PlanArgs) -> Result<u8> {
    let plan = make_plan(&args.revisions)?;
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
        PlanFormat::Sf => {
            if let Some(command) = report::sf::flow_command(&plan) {
                eprintln!("impact: Flow tests do not run in a deploy; run them with: {command}");
            }
            format!("{}\n", report::sf::deploy_args(&plan))
        }
        PlanFormat::SfRun => format!("{}\n", report::sf::run_args(&plan)),
    };
    write_output(args.output.as_ref(), &text)?;
    for warning in &plan.warnings {
        if args.format != PlanFormat::Text || args.output.is_some() {
            eprintln!("impact: warning: {warning}");
        }
    }
    Ok(EXIT_OK)
}

fn why(args: WhyArgs) -> Result<u8> {
    let plan = make_plan(&args.revisions)?;
    let wanted = args.test.to_lowercase();
    let test = plan
        .tests
        .iter()
        .find(|test| test.name.to_lowercase() == wanted)
        .ok_or_else(|| Error::UnknownTest {
            name: args.test.clone(),
        })?;
    let text = report::text::render_why(&test.name, &test.reasons);
    write_output(args.output.as_ref(), &text)?;
    Ok(EXIT_OK)
}

fn diff(args: DiffArgs) -> Result<u8> {
    let analysis = pipeline::analyze(&request(&args.revisions))?;
    let ranked = rank::rank(Vec::new());
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
    let analysis = pipeline::analyze(&request(&args.revisions))?;
    let edges = analysis.head_graph.component_edges();
    let focus = match &args.focus {
        Some(name) => {
            let id = crate::metadata::component::ComponentId::parse(name)
                .unwrap_or_else(|| crate::metadata::component::ComponentId::new("ApexClass", name));
            if analysis.head_graph.node(&id).is_none() {
                return Err(Error::Usage {
                    message: format!("no component `{name}` in the graph"),
                });
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
            match stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()) {
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
