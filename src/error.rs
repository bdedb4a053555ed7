//! Expected failures of `impact`, their one-line causes, hints and exit codes.
//!
//! Every variant is input the tool cannot work with. Each holds the file or revision it
//! is about; `Display` is the one-line cause (lowercase, no final period), [`Error::hint`]
//! says what to do. Problems inside one source file are not errors: they are
//! [`crate::facts::Problem`]s and make the plan run more tests.

use std::path::PathBuf;

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code when `impact gate` says the release may not go on.
pub const EXIT_GATE_FAILED: u8 = 1;
/// Exit code for bad input or usage.
pub const EXIT_BAD_INPUT: u8 = 2;

/// An input `impact` cannot work with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{path}` is not inside a git repository")]
    NotAGitRepository { path: PathBuf },

    /// `below`: a folder under `path` that holds one, when one does.
    #[error("no `sfdx-project.json` found in `{path}` or any parent directory")]
    NotSfdxProject {
        path: PathBuf,
        below: Option<PathBuf>,
    },

    #[error("`{file}` does not exist at revision `{rev}`")]
    NoProjectAtRevision { file: String, rev: String },

    #[error("`{path}` is not a valid sfdx-project.json: {reason}")]
    MalformedProject { path: PathBuf, reason: String },

    #[error("package directory `{dir}` in `{file}` does not exist")]
    MissingPackageDirectory { file: String, dir: String },

    #[error("package directory `{dir}` in `{file}` is outside the git repository")]
    PackageDirectoryOutside { file: PathBuf, dir: String },

    #[error("unknown revision `{rev}`")]
    UnknownRevision { rev: String },

    #[error("revision `{rev}` is not in this clone, which is shallow")]
    ShallowClone { rev: String },

    /// `branch`: a branch that does exist, for the hint (none when HEAD's is the only one).
    #[error("cannot find a default base: none of `origin/HEAD`, `main`, `master` exists")]
    NoDefaultBase { branch: Option<String> },

    #[error("`HEAD` and `{rev}` have no common ancestor")]
    NoMergeBase { rev: String },

    #[error("the repository at `{path}` has no commits yet")]
    NoCommits { path: PathBuf },

    #[error("cannot read `{path}`: {reason}")]
    UnreadableFile { path: PathBuf, reason: String },

    #[error("`{path}` is not a valid package.xml: {reason}")]
    MalformedManifest { path: PathBuf, reason: String },

    #[error("`{path}` is not a valid impact.toml: {reason}")]
    MalformedConfig { path: PathBuf, reason: String },

    #[error("`{path}` is not a result file `impact` knows (sf JSON or JUnit XML)")]
    UnknownResultFormat { path: PathBuf },

    #[error("`{path}` is a query result `impact record` cannot use: {reason}")]
    UnusableQuery { path: PathBuf, reason: String },

    #[error("`{path}` is not a usable history database: {reason}")]
    BadHistory { path: PathBuf, reason: String },

    #[error("no history at `{path}`")]
    NoHistory { path: PathBuf },

    #[error("`--format sf` is a deploy's test list, and a budget, a suite or a confidence level would cut it short")]
    PartialDeploy,

    #[error("no Apex test suite `{name}` in the repository")]
    UnknownSuite { name: String },

    #[error("no component `{name}` in the graph")]
    UnknownComponent { name: String },

    #[error("no test named `{name}` in the head revision")]
    UnknownTest { name: String },

    #[error("cannot write `{path}`: {reason}")]
    CannotWrite { path: PathBuf, reason: String },

    #[error("`{path}` is a bare repository, without a working tree")]
    BareRepository { path: PathBuf },

    #[error("object `{oid}` is missing from the partial clone at `{repo}`: {reason}")]
    MissingObject {
        oid: String,
        repo: PathBuf,
        reason: String,
    },

    #[error("the blob `{oid}` of `{path}` is missing from the repository at `{repo}`")]
    DamagedRepository {
        oid: String,
        path: String,
        repo: PathBuf,
    },

    #[error("git failed: {0}")]
    Git(#[from] git2::Error),
}

impl Error {
    /// What the user can do about it, when there is something concrete to say.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Error::BareRepository { .. } => "`impact` reads `sfdx-project.json` and the \
                 changes from a working tree: run it in a clone that has one"
                .into(),
            Error::NotAGitRepository { .. } => {
                "run `impact` inside a git clone of the project, or pass `--repo DIR`".into()
            }
            Error::NotSfdxProject {
                below: Some(below), ..
            } => {
                // Quoted for the shell when the folder's name has spaces (Data-Fetcher's
                // project is in `Data Fetcher/`).
                let below = below.display().to_string();
                let below = if below.contains(char::is_whitespace) {
                    format!("'{below}'")
                } else {
                    below
                };
                format!("a Salesforce DX project is below it: pass `--repo {below}`")
            }
            Error::NotSfdxProject { below: None, .. } => {
                "`impact` works on Salesforce DX projects; pass `--repo` pointing at one".into()
            }
            Error::NoProjectAtRevision { .. } => "that revision is not a Salesforce DX project \
                 (an older Metadata API `src/` layout?); compare revisions that both have the \
                 file, or give the change as `--manifest package.xml`"
                .into(),
            Error::MalformedProject { .. } => {
                "fix the file: it needs `packageDirectories` with at least one `path`".into()
            }
            Error::MissingPackageDirectory { .. } => "create the directory with at least one \
                 file in it (git keeps no empty directory), or remove it from \
                 `packageDirectories`; the Salesforce CLI refuses the project as it is"
                .into(),
            Error::PackageDirectoryOutside { .. } => "package directories must be inside the \
                 repository `impact` reads: move the directory in, or plan from a repository \
                 that holds it"
                .into(),
            Error::UnknownRevision { .. } => {
                "check the name with `git rev-parse`, or `git fetch` the branch first".into()
            }
            Error::ShallowClone { .. } => {
                "run `git fetch --unshallow`, or set `fetch-depth: 0` in actions/checkout".into()
            }
            Error::NoDefaultBase { branch: Some(branch) } => {
                format!("pass `--base REV`, for example `--base {branch}`, a branch of this repository")
            }
            Error::NoDefaultBase { branch: None } => "pass `--base REV`, for example `--base HEAD~1` to plan the last commit (HEAD's branch is the only one)".into(),
            Error::NoMergeBase { .. } => "pass `--base REV` with a revision on HEAD's history".into(),
            Error::NoCommits { .. } => "commit once, then run `impact` again".into(),
            Error::MalformedManifest { .. } => {
                "pass a package.xml with `<types><members>…</members><name>…</name></types>`"
                    .into()
            }
            Error::UnknownResultFormat { .. } => {
                "pass the output of `sf apex run test --json`, `sf project deploy … --json`, `sf data query --json`, or JUnit XML".into()
            }
            Error::UnusableQuery { .. } => {
                "record `sf data query --json` over ApexTestResult, or over ApexCodeCoverage with `--use-tooling-api`, selecting the fields the README lists".into()
            }
            Error::BadHistory { .. } => {
                "move the file aside to start a new history, or pass `--history PATH`".into()
            }
            Error::UnknownSuite { .. } => {
                "suites are `testSuites/<Name>.testSuite-meta.xml` files; check the name".into()
            }
            Error::UnknownComponent { .. } => {
                "name it as `Type:FullName` (for example `ApexClass:InvoiceService`), or a class name".into()
            }
            Error::UnknownTest { .. } => "name an Apex test class, a Flow test, or a Jest test by its path; `impact plan` lists the selected ones".into(),
            Error::DamagedRepository { repo, .. } => format!(
                "the clone is incomplete or damaged: `git -C {} fsck` lists what is missing; \
                 fetch again or clone anew",
                repo.display()
            ),
            Error::MissingObject { oid, repo, .. } => format!(
                "the clone was made with `--filter` and `git` could not fetch the object from \
                 its remote: run `git -C {} cat-file -e {oid}` where the remote is reachable \
                 (that fetches it), or check out without `--filter`",
                repo.display()
            ),
            Error::CannotWrite { .. } => {
                "check that the disk has space and the directory is writable".into()
            }
            Error::UnreadableFile { .. } => "check that the path is right and the file readable".into(),
            Error::NoHistory { .. } => {
                "import results first with `impact record RESULTS…`, or pass `--history PATH`".into()
            }
            Error::PartialDeploy => {
                "a deploy running fewer tests may miss the 75% coverage rule: add `--allow-partial` to accept that, or drop `--max-tests`/`--time-budget`/`--suite`/`--confidence`".into()
            }
            _ => return None,
        };
        Some(hint)
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        EXIT_BAD_INPUT
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Prints a warning about `impact`'s local state (the caches under `.impact/`, the
/// history's churn cache) on stderr. Such problems never change a plan, so they are not
/// put into it: a plan is the same with a cold, warm, damaged or unwritable cache. Each
/// distinct warning is printed once per process.
pub fn warn_local(message: std::fmt::Arguments<'_>) {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static PRINTED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let message = message.to_string();
    let mut printed = PRINTED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if printed
        .get_or_insert_with(HashSet::new)
        .insert(message.clone())
    {
        eprintln!("impact: warning: {message}");
    }
}
