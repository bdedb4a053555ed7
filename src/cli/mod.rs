//! The command line: clap types, and one file per subcommand. Each parses its flags into
//! a request, calls one library function, and hands the result to a renderer in
//! [`crate::report`]. Only this module knows clap.

mod diff;
mod gate;
mod graph;
mod history;
mod hotspots;
mod junit;
mod plan;
mod record;
mod why;

use crate::error::{Error, Result};
use crate::pipeline::Request;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
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
    Plan(plan::PlanArgs),
    /// JUnit XML from test results, for GitHub's test reporters.
    Junit(junit::JunitArgs),
    /// Whether the release may go on: exit 0 yes, 1 no, each reason printed.
    Gate(gate::GateArgs),
    /// The shortest path from each change to a test, or how near a change comes to it.
    Why(why::WhyArgs),
    /// The changed components, and optionally a package.xml and destructiveChanges.xml.
    Diff(diff::DiffArgs),
    /// The dependency graph, or the neighbourhood of one component.
    Graph(graph::GraphArgs),
    /// Import test results (sf JSON or JUnit XML) into the history.
    Record(record::RecordArgs),
    /// What the history knows: flaky, slow and failing tests.
    History(history::HistoryArgs),
    /// The components that change often, reach many tests and whose tests fail.
    Hotspots(hotspots::HotspotsArgs),
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let result = match cli.command {
        Command::Plan(args) => plan::run(args),
        Command::Junit(args) => junit::run(args),
        Command::Gate(args) => gate::run(args),
        Command::Why(args) => why::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Record(args) => record::run(args),
        Command::History(args) => history::run(args),
        Command::Hotspots(args) => hotspots::run(args),
    };
    crate::pipeline::report_memory_at_end();
    result
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
    /// Do not read or write the facts cache under `.impact/cache`.
    #[arg(long)]
    pub no_cache: bool,
}

/// What decides which tests a change selects: `impact plan` and `impact why`.
#[derive(Debug, Args)]
pub struct SelectionArgs {
    /// More changed components than this run all local tests.
    /// (default 500, or `max_changes` in impact.toml)
    #[arg(long)]
    pub max_changes: Option<usize>,
    /// Fall back to RunLocalTests when a deployed Apex class or trigger has no test that
    /// can cover it (or `fallback_on_uncovered` under `[coverage]` in impact.toml).
    #[arg(long)]
    pub fallback_on_uncovered: bool,
    /// `member` (default): a change to one method reaches only its callers; `class`:
    /// any use of a class counts, as class-level tools do (to compare).
    #[arg(long, value_enum, default_value_t = GranularityArg::Member)]
    pub granularity: GranularityArg,
    /// The history database (default: `.impact/history.db` in the repository, used when
    /// it exists; a path given here is created when missing).
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,
}

/// `--granularity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GranularityArg {
    Member,
    Class,
}

/// The analysis request for the revisions, and for `plan` and `why` the selection
/// settings (`diff` and `graph` select no tests).
fn request(args: &RevisionArgs, selection: Option<&SelectionArgs>) -> Request {
    Request {
        repo: args.repo.clone(),
        base: args.base.clone(),
        head: args.head.clone(),
        manifest: args.manifest.clone(),
        max_changes: selection.and_then(|s| s.max_changes),
        fallback_on_uncovered: selection.is_some_and(|s| s.fallback_on_uncovered),
        no_cache: args.no_cache,
        granularity: match selection.map_or(GranularityArg::Member, |s| s.granularity) {
            GranularityArg::Member => crate::graph::Granularity::Member,
            GranularityArg::Class => crate::graph::Granularity::Class,
        },
        history: selection.and_then(|s| s.history.clone()),
        parse_all: false,
    }
}

/// Writes to the file (whole, via a temporary file, so nothing is left half-written) or
/// to standard output. A path that exists and is no regular file (`/dev/null`,
/// `/dev/stdout`, a named pipe) is written to directly: renaming a file over it would
/// replace the device, link or pipe (run as root, `/dev/null` itself). A link to a
/// regular file is followed, and the file it names replaced, not the link.
pub fn write_output(output: Option<&PathBuf>, text: &str) -> Result<()> {
    write_output_with(output, |out| out.write_all(text.as_bytes()))
}

/// [`write_output`] of what `write` writes, streamed: a large plan's JSON (15 MB for
/// 3,500 selected tests) is not held whole in memory first (such a plan's peak was
/// about 10 MB higher).
pub fn write_output_with(
    output: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match output {
        Some(path) => {
            let cannot = |error: std::io::Error| Error::CannotWrite {
                path: path.clone(),
                reason: error.to_string(),
            };
            let path = match std::fs::metadata(path) {
                Ok(meta) if !meta.is_file() && !meta.is_dir() => {
                    let file = std::fs::OpenOptions::new()
                        .write(true)
                        .open(path)
                        .map_err(cannot)?;
                    let mut out = std::io::BufWriter::new(file);
                    return write(&mut out).and_then(|()| out.flush()).map_err(cannot);
                }
                Ok(_) => std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()),
                Err(_) => path.clone(),
            };
            let file_name = path
                .file_name()
                .map(|name| name.to_string_lossy().to_string())
                .unwrap_or_else(|| "output".into());
            let tmp = path.with_file_name(format!(".{file_name}.impact-tmp"));
            let written = std::fs::File::create(&tmp).and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                write(&mut out)?;
                out.into_inner()
                    .map(drop)
                    .map_err(|error| error.into_error())
            });
            written
                .and_then(|()| std::fs::rename(&tmp, &path))
                .map_err(|error| {
                    let _ = std::fs::remove_file(&tmp);
                    cannot(error)
                })
        }
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            match write(&mut stdout).and_then(|()| stdout.flush()) {
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
