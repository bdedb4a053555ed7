//! `impact record`: test result files into the history, with the commit they ran on.

use crate::error::{Error, Result};
use crate::git::Repo;
use crate::history::{History, OrgOutcome, RecordOutcome};
use crate::report::plan::Plan;
use crate::results::org::{OrgQuery, QueryObject};
use crate::results::ResultFile;
use std::collections::HashSet;
use std::path::PathBuf;

/// What to import.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Result files (`sf` JSON or JUnit XML).
    pub results: Vec<PathBuf>,
    /// The commit the tests ran on (a sha or a revision); default: the plan's head, else
    /// HEAD.
    pub commit: Option<String>,
    /// The plan the run followed.
    pub plan: Option<PathBuf>,
    /// The history file; default: the repository's.
    pub history: Option<PathBuf>,
    /// Any directory inside the repository.
    pub repo: PathBuf,
}

/// What an import did.
#[derive(Clone, Debug)]
pub struct Imported {
    /// Result files of one run each, in the order given.
    pub files: Vec<ImportedFile>,
    /// Org query result files (`sf data query --json`), in the order given.
    pub queries: Vec<ImportedQuery>,
    /// Failed tests (`Class.method`) the plan did not select, sorted: not explained by
    /// the change. Empty without a plan.
    pub unrelated_failures: Vec<String>,
}

/// One result file imported.
#[derive(Clone, Debug)]
pub struct ImportedFile {
    pub path: PathBuf,
    /// The format the file was read as.
    pub format: &'static str,
    pub run_id: String,
    pub outcome: RecordOutcome,
}

/// One org query result file imported.
#[derive(Clone, Debug)]
pub struct ImportedQuery {
    pub path: PathBuf,
    /// What was queried; `None` for an empty result.
    pub object: Option<QueryObject>,
    /// `ApexCodeCoverage` records in the file.
    pub coverage_records: usize,
    /// Records that could not be used.
    pub skipped: usize,
    /// False when the query said more records were left (`done: false`).
    pub complete: bool,
    pub outcome: OrgOutcome,
}

/// Reads every file before writing anything (one bad file records nothing), then
/// records each run in the history.
pub fn import(request: &Request) -> Result<Imported> {
    let mut runs = Vec::new();
    let mut queries: Vec<(&PathBuf, OrgQuery)> = Vec::new();
    for path in &request.results {
        match crate::results::read_result_file(path)? {
            ResultFile::Run(run) => runs.push((path, run)),
            ResultFile::OrgQuery(query) => queries.push((path, query)),
        }
    }
    let plan = request.plan.as_deref().map(Plan::read).transpose()?;
    let repo = Repo::discover(&request.repo).ok();
    let commit = match &request.commit {
        Some(rev) if is_full_sha(rev) => Some(rev.to_lowercase()),
        Some(rev) => match &repo {
            Some(repo) => Some(repo.resolve(rev)?.to_string()),
            None => return Err(Error::UnknownRevision { rev: rev.clone() }),
        },
        None => plan
            .as_ref()
            .map(|plan| plan.head.as_str())
            .filter(|head| is_full_sha(head))
            .map(str::to_string)
            .or_else(|| {
                repo.as_ref()
                    .and_then(|repo| repo.head_commit().ok())
                    .map(|oid| oid.to_string())
            }),
    };
    let path = crate::history::path_for_repo(request.history.as_ref(), &request.repo)?;
    let mut history = History::open(&path)?;
    let mut files = Vec::new();
    for (file, run) in &runs {
        files.push(ImportedFile {
            path: file.to_path_buf(),
            format: run.format.as_str(),
            run_id: run.run_id.clone(),
            outcome: history.record(run, commit.as_deref())?,
        });
    }
    let mut imported_queries = Vec::new();
    for (file, query) in &queries {
        imported_queries.push(ImportedQuery {
            path: file.to_path_buf(),
            object: query.object,
            coverage_records: query.coverage.len(),
            skipped: query.skipped,
            complete: query.complete,
            outcome: history.record_org(query)?,
        });
    }
    let mut unrelated_failures = Vec::new();
    if let Some(plan) = &plan {
        // A failure in a test the plan did not select is not explained by the change.
        let selected: HashSet<String> = plan
            .tests
            .iter()
            .map(|test| test.name.to_lowercase())
            .collect();
        unrelated_failures = runs
            .iter()
            .flat_map(|(_, run)| run.tests.iter())
            .filter(|test| test.outcome.is_failure())
            .filter(|test| !selected.contains(&test.class_name.to_lowercase()))
            .map(|test| format!("{}.{}", test.class_name, test.method_name))
            .collect();
        unrelated_failures.sort();
        unrelated_failures.dedup();
    }
    Ok(Imported {
        files,
        queries: imported_queries,
        unrelated_failures,
    })
}

/// True for a 40-digit hex commit id.
fn is_full_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}
