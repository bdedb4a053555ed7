//! The pipeline of `impact plan`: project → snapshot → changes → facts → graph → impact.
//!
//! Each step calls one stage and hands its value to the next; this is the only place
//! that knows the order. I/O happens in the project, git and cache steps only.

use crate::cache::FactsCache;
use crate::changes::{self, Change, ChangeKind, ChangedFile, FileVersion};
use crate::config::Config;
use crate::error::Result;
use crate::facts::Facts;
use crate::git::{FileStatus, Repo, Revision, Snapshot};
use crate::graph::{FileFacts, Granularity, Graph};
use crate::impact::{self, Mode, Seed};
use crate::metadata::component::ComponentId;
use crate::metadata::{manifest, registry, types};
use crate::parse;
use crate::policy::{self, Context, Policy, Selection};
use crate::project::Project;
use crate::project_change::{self, ProjectFileChange};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

/// What `impact plan` (and `why`, `diff`, `graph`) is asked to compare.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Where to start looking for the repository (`--repo`).
    pub repo: PathBuf,
    /// `--base`; `None` means the merge-base with the default branch.
    pub base: Option<String>,
    /// `--head`; `None` means the working tree.
    pub head: Option<String>,
    /// `--manifest`: take the changed components from a package.xml.
    pub manifest: Option<PathBuf>,
    /// `--max-changes`; `None` takes `impact.toml`'s, else the default.
    pub max_changes: Option<usize>,
    /// Skip the facts cache (`--no-cache`).
    pub no_cache: bool,
    /// Members as nodes (default), or classes only (to measure what precision buys).
    pub granularity: Granularity,
    /// `--history PATH`: the history store (created when missing). `None` uses
    /// `<git root>/.impact/history.db` when that file exists.
    pub history: Option<PathBuf>,
    /// Leave history, churn and coverage out (commands that do not rank: `diff`, `graph`).
    pub no_history: bool,
    /// Parse the files of every type, also those with no test impact that a plan only
    /// lists (`graph` shows every edge: a page's controller, an Aura bundle's children).
    pub parse_all: bool,
    /// `--fallback-on-uncovered`: deployed Apex no test covers runs all local tests.
    pub fallback_on_uncovered: bool,
}

/// Everything the pipeline found, for the renderers.
#[derive(Debug)]
pub struct Analysis {
    /// The facts and the cache, kept so the caller decides when to free them: on a large
    /// org freeing them takes longer than a warm plan, and the CLI exits right after.
    pub retained: Retained,
    pub project: Project,
    /// 40-hex sha of the base commit.
    pub base: String,
    /// 40-hex sha of the head commit, or `WORKTREE`.
    pub head: String,
    pub changes: Vec<Change>,
    pub head_graph: Graph,
    pub base_graph: Option<Graph>,
    pub selection: Selection,
    /// Files that could not be read completely, and other notes for the user.
    pub warnings: Vec<String>,
    pub started: Instant,
    /// What ranking needs besides the selected tests: churn, test history, coverage.
    pub ranking: crate::rank::Inputs,
    /// The history file the plan read, if any (coverage risk is computed from it after
    /// a budget).
    pub history_path: Option<PathBuf>,
    /// Changed Apex classes and triggers subject to the coverage rule.
    pub coverage_targets: Vec<ComponentId>,
    /// Predicted coverage (percent) below which a changed class is a coverage risk.
    pub coverage_threshold: f64,
    /// Tests added because they covered a changed class in the last recorded run.
    pub coverage_added: Vec<ComponentId>,
    /// Components of the head revision whose files were listed and not parsed (types
    /// with no test impact): they are not in the head graph but count as components.
    pub listed_components: usize,
}

/// One source file of a revision, classified.
#[derive(Clone, Debug)]
struct SourceEntry {
    path: String,
    blob: String,
    component: ComponentId,
}

/// Runs the pipeline.
pub fn analyze(request: &Request) -> Result<Analysis> {
    let started = Instant::now();
    let mut timings = Timings::new();
    let project = Project::discover(&request.repo)?;
    let config = Config::load(&project.git_root)?;
    let coverage_threshold = config
        .coverage_threshold
        .unwrap_or(crate::coverage::DEFAULT_THRESHOLD);
    let mut history = if request.no_history {
        None
    } else {
        open_history(&project, request.history.as_deref())?
    };
    let ignore = config.ignore.clone();
    let mut policy = Policy::default();
    if let Some(max_changes) = request.max_changes.or(config.max_changes) {
        policy.max_changes = max_changes;
    }
    config.apply(&mut policy);
    policy.fallback_on_uncovered |= request.fallback_on_uncovered;
    let is_ignored = |path: &str| ignore.as_ref().is_some_and(|set| set.is_match(path));
    let repo = Repo::open(&project.git_root)?;
    let base_oid = match &request.base {
        Some(rev) => repo.resolve(rev)?,
        None => repo.default_base()?,
    };
    let head_revision = match &request.head {
        Some(rev) => Revision::Commit(repo.resolve(rev)?),
        None => Revision::Worktree,
    };
    let head_label = match &head_revision {
        Revision::Commit(oid) => oid.to_string(),
        Revision::Worktree => "WORKTREE".to_string(),
    };
    timings.lap("resolve");
    let head_snapshot = repo.snapshot(&head_revision)?;
    // Package directories and `.forceignore` are read at each revision: a past commit may
    // have had other package directories than the working tree has now.
    let project = match &head_revision {
        Revision::Commit(oid) => project_at(&repo, &project, *oid)?,
        Revision::Worktree => project,
    };
    check_package_dirs(&project, &head_snapshot)?;
    let base_read = project_at(&repo, &project, base_oid).ok();
    let base_project = base_read.clone().unwrap_or_else(|| project.clone());

    timings.lap("snapshots");
    let mut cache = if request.no_cache {
        FactsCache::disabled()
    } else {
        FactsCache::load(&project.git_root.join(".impact").join("cache"))
    };
    let mut warnings: Vec<String> = project.warnings.clone();
    warnings.extend(head_snapshot.warnings(|path| project.is_source(path)));

    timings.lap("cache load");
    let head_entries = source_entries(&project, &head_snapshot);
    let manifest_components = match &request.manifest {
        Some(path) => Some(manifest::read_package_xml(path)?),
        None => None,
    };
    let skip = Skip::new(request.parse_all, manifest_components.as_deref());
    let (graph_entries, listed) = skip.split(&head_entries);
    timings.lap("list files");
    let mut parser = Parser::default();
    let head_facts = parser.facts(&head_snapshot, &graph_entries, &mut cache)?;
    drop(graph_entries);

    timings.lap("head facts");
    let mut context = Context::default();
    // Changed files of types whose facts the graph does not need, parsed (not cached) to
    // tell a change of meaning from one of form and to report what cannot be read.
    let mut listed_changed: Vec<FileFacts> = Vec::new();
    let (changes, changed_new_paths, changed_old) = if let Some(components) = &manifest_components {
        (
            manifest_changes(components, &head_facts),
            HashSet::new(),
            Vec::new(),
        )
    } else {
        let file_changes = repo.diff(base_oid, &head_revision)?;
        let project_file = project.project_file();
        let mut changed = Vec::new();
        let mut new_paths = HashSet::new();
        let mut old_entries = Vec::new();
        for file_change in &file_changes {
            let touched = [&file_change.old_path, &file_change.new_path];
            if touched
                .iter()
                .copied()
                .flatten()
                .all(|path| is_ignored(path))
            {
                continue;
            }
            let paths: BTreeSet<&String> = touched.into_iter().flatten().collect();
            for path in paths {
                if *path == project_file {
                    context
                        .project_files
                        .extend(project_change::project_json_change(
                            path,
                            base_read.as_ref().map(|base| &base.settings),
                            &project.settings,
                        ));
                } else if *path == project.forceignore_file() {
                    context
                        .project_files
                        .push(ProjectFileChange::ForceIgnore { path: path.clone() });
                }
            }
            let old = file_change
                .old_path
                .as_ref()
                .zip(file_change.old_blob)
                .and_then(|(path, blob)| classify_entry(&base_project, path, &blob.to_string()));
            let new = file_change
                .new_path
                .as_ref()
                .zip(file_change.new_blob)
                .and_then(|(path, blob)| classify_entry(&project, path, &blob.to_string()));
            if old.is_none() && new.is_none() {
                let unclaimed = [&file_change.new_path, &file_change.old_path]
                    .into_iter()
                    .flatten()
                    .find(|path| project.is_source(path) && !is_inert(path));
                if let Some(path) = unclaimed {
                    context.unknown_files.push(path.clone());
                }
                continue;
            }
            if let Some(new) = &new {
                new_paths.insert(new.path.clone());
            }
            if let Some(old) = &old {
                old_entries.push(old.clone());
            }
            changed.push((old, new));
        }
        // Old versions are read by blob id: no need to list the base revision's tree.
        let (old_graph_entries, old_listed) = skip.split(&old_entries);
        let old_facts = parser.facts(&head_snapshot, &old_graph_entries, &mut cache)?;
        let new_listed: Vec<SourceEntry> = changed
            .iter()
            .filter_map(|(_, new)| new.clone())
            .filter(|entry| !skip.parses(entry))
            .collect();
        let mut uncached = FactsCache::disabled();
        let new_listed_facts = parser.facts(&head_snapshot, &new_listed, &mut uncached)?;
        let old_listed_facts = parser.facts(&head_snapshot, &old_listed, &mut uncached)?;
        let new_by_path: HashMap<&str, &FileFacts> = head_facts
            .iter()
            .chain(new_listed_facts.iter())
            .map(|file| (file.path.as_str(), file))
            .collect();
        let old_by_path: HashMap<&str, &FileFacts> = old_facts
            .iter()
            .chain(old_listed_facts.iter())
            .map(|file| (file.path.as_str(), file))
            .collect();
        let changed_files: Vec<ChangedFile> = changed
            .iter()
            .map(|(old, new)| ChangedFile {
                old: old.as_ref().and_then(|entry| version(&old_by_path, entry)),
                new: new.as_ref().and_then(|entry| version(&new_by_path, entry)),
            })
            .collect();
        // The components that exist at the base, without listing the base tree: every
        // head file that was not added exists there too, and so does the old side of
        // every change.
        let added: HashSet<&str> = file_changes
            .iter()
            .filter(|change| matches!(change.status, FileStatus::Added | FileStatus::Renamed))
            .filter_map(|change| change.new_path.as_deref())
            .collect();
        let base_components: HashSet<String> = head_entries
            .iter()
            .filter(|entry| !added.contains(entry.path.as_str()))
            .chain(old_entries.iter())
            .map(|entry| entry.component.key().to_string())
            .collect();
        let head_components: HashSet<String> = head_entries
            .iter()
            .map(|entry| entry.component.key().to_string())
            .collect();
        let changes = changes::locate(
            &changed_files,
            &|id| base_components.contains(id.key()),
            &|id| head_components.contains(id.key()),
        );
        listed_changed = new_listed_facts;
        listed_changed.extend(old_listed_facts);
        (changes, new_paths, old_facts)
    };
    context.unknown_files.sort();
    context.unknown_files.dedup();

    for file in head_facts
        .iter()
        .chain(changed_old.iter())
        .chain(listed_changed.iter())
    {
        for problem in &file.facts.problems {
            let line = problem.line.map(|l| format!(":{l}")).unwrap_or_default();
            warnings.push(format!("{}{}: {}", file.path, line, problem.message));
        }
    }
    warnings.sort();
    warnings.dedup();

    timings.lap("changes");
    // The base revision's graph, when deleted or removed code must be walked: unchanged
    // files are the same at both revisions, so only the changed files differ from the
    // head's. The two graphs are independent, so they are built side by side.
    let needs_base = changes.iter().any(|change| !change.base_seeds.is_empty());
    let (mut head_graph, base_graph) = rayon::join(
        || Graph::build(&head_facts),
        || {
            needs_base.then(|| {
                Graph::build(
                    head_facts
                        .iter()
                        .filter(|file| !changed_new_paths.contains(&file.path))
                        .chain(changed_old.iter()),
                )
            })
        },
    );
    timings.lap("graphs");
    let mut changes = changes;
    if request.granularity == Granularity::Class {
        head_graph = fold_to_classes(head_graph, &mut changes, Side::Head);
    }
    let coverage_targets = crate::coverage::targets(&head_graph, &changes);
    if let Some(history) = &history {
        // Recorded coverage reveals dynamic dependencies: add them before the walk.
        crate::coverage::add_covered_by_edges(&mut head_graph, history, &coverage_targets)?;
    }
    let listed_components = listed_components(&head_graph, &listed);
    timings.lap("coverage edges");
    let mut head_seeds: Vec<Seed> = changes.iter().flat_map(|c| c.head_seeds.clone()).collect();
    head_seeds.extend(unparseable_tests(&head_graph));
    let head_reach = impact::walk(&head_graph, &head_seeds);

    timings.lap("head walk");
    let base_graph = base_graph.map(|graph| match request.granularity {
        Granularity::Member => graph,
        Granularity::Class => fold_to_classes(graph, &mut changes, Side::Base),
    });
    let base_seeds: Vec<Seed> = changes.iter().flat_map(|c| c.base_seeds.clone()).collect();
    let base_reach = base_graph
        .as_ref()
        .map(|graph| impact::walk(graph, &base_seeds));

    timings.lap("base walk");
    let mut selection = policy::select(
        &head_graph,
        head_reach,
        base_reach,
        &changes,
        &policy,
        &context,
    );
    timings.lap("policy");
    let mut coverage_added = Vec::new();
    let mut ranking = crate::rank::Inputs::default();
    if let Some(history) = history.as_mut() {
        coverage_added = crate::coverage::top_up(
            &head_graph,
            history,
            &coverage_targets,
            &mut selection,
            coverage_threshold,
        )?;
        ranking.history = test_history(history)?;
        ranking.covers_changed = crate::coverage::covers_changed(history, &coverage_targets)?;
    }
    crate::deployed::cover(
        &head_graph,
        history.as_ref(),
        &changes,
        &mut selection,
        policy.fallback_on_uncovered,
    )?;
    if !request.no_history && !selection.tests.is_empty() {
        let head_commit = match &head_revision {
            Revision::Commit(oid) => Some(*oid),
            Revision::Worktree => repo.head_commit().ok(),
        };
        let mut commit_cache = (!request.no_cache && history.is_none()).then(|| {
            crate::cache::CommitCache::load(&project.git_root.join(".impact").join("cache"))
        });
        if let Some(head_commit) = head_commit {
            ranking.churn = crate::churn::compute(
                &repo,
                &project,
                head_commit,
                &crate::churn::Window::default(),
                history.as_mut(),
                commit_cache.as_mut(),
            )?;
        }
        if let Some(cache) = &commit_cache {
            cache.save();
        }
        ranking.change_of_node = change_of_node(&changes);
        if let Some(history) = history.as_ref() {
            let changed: Vec<String> = changes
                .iter()
                .map(|change| change.component.key().to_string())
                .collect();
            ranking.co_failures = history.co_failures(&changed)?;
        }
    }

    timings.lap("history and churn");
    // The cache lent its facts to the parser; they go back before it is written.
    let mut files = Vec::new();
    if cache.is_dirty() && cache.can_append() {
        let fresh = head_facts
            .iter()
            .chain(changed_old.iter())
            .map(|file| (FactsCache::key(&file.blob, &file.path), &file.facts));
        cache.append_fresh(fresh);
        files = head_facts;
        files.extend(changed_old);
    } else if cache.is_dirty() {
        for file in head_facts.into_iter().chain(changed_old) {
            let blob = file.blob.clone();
            cache.insert(FactsCache::key(&blob, &file.path), file.facts);
        }
        cache.save();
    } else {
        files = head_facts;
        files.extend(changed_old);
    }
    timings.lap("cache save");
    timings.report(parser.n_parsed, parser.n_cached, listed.len());

    Ok(Analysis {
        project,
        base: base_oid.to_string(),
        head: head_label,
        changes,
        head_graph,
        base_graph,
        selection,
        warnings,
        started,
        ranking,
        history_path: history.as_ref().map(|h| h.path().to_path_buf()),
        coverage_targets,
        coverage_threshold,
        coverage_added,
        listed_components,
        retained: Retained { files, cache },
    })
}

/// Memory the pipeline no longer needs (see [`Analysis::retained`]).
#[derive(Debug)]
pub struct Retained {
    pub files: Vec<FileFacts>,
    pub cache: FactsCache,
}

/// The default history file of a project.
pub fn default_history_path(project: &Project) -> PathBuf {
    project.git_root.join(".impact").join("history.db")
}

/// Opens the history: the `--history` file (created when missing), else the default
/// file when it exists. A plan never creates the default file: without one, it ranks
/// without history and walks churn uncached.
fn open_history(
    project: &Project,
    explicit: Option<&std::path::Path>,
) -> Result<Option<crate::history::History>> {
    match explicit {
        Some(path) => crate::history::History::open_for_reading(path).map(Some),
        None => {
            let path = default_history_path(project);
            if path.is_file() {
                crate::history::History::open_for_reading(&path).map(Some)
            } else {
                Ok(None)
            }
        }
    }
}

/// Recent runs over which flakiness and mean durations are computed.
pub const HISTORY_WINDOW: usize = 20;

/// The history of every recorded test, by the id key of the test it belongs to: Apex
/// classes as `apexclass:<class>`, Flow tests as `flowtest:<test>`.
fn test_history(
    history: &crate::history::History,
) -> Result<HashMap<String, crate::rank::TestHistory>> {
    use crate::results::TestKind as Kind;
    let mut out = HashMap::new();
    for class in history.class_stats(HISTORY_WINDOW)? {
        if class.kind != Kind::Apex {
            continue;
        }
        out.insert(
            ComponentId::new("ApexClass", &class.class_name)
                .key()
                .to_string(),
            crate::rank::TestHistory {
                runs: class.runs,
                failure_rate: class.failure_rate,
                flakiness: class.flakiness,
                duration_ms: class.duration_ms,
            },
        );
    }
    // A Flow test is one "method" (the test) of its flow.
    for test in history.test_stats(HISTORY_WINDOW)? {
        if test.kind != Kind::Flow {
            continue;
        }
        out.insert(
            ComponentId::new("FlowTest", &test.method_name)
                .key()
                .to_string(),
            crate::rank::TestHistory {
                runs: test.runs,
                failure_rate: test.failure_rate,
                flakiness: test.flakiness,
                duration_ms: test.mean_duration_ms,
            },
        );
    }
    Ok(out)
}

/// Which changed component each seed node belongs to (node key → component key).
fn change_of_node(changes: &[Change]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for change in changes {
        let component = change.component.key().to_string();
        for seed in change.head_seeds.iter().chain(change.base_seeds.iter()) {
            out.entry(seed.node.key().to_string())
                .or_insert_with(|| component.clone());
        }
        out.insert(component.clone(), component);
    }
    out
}

/// Refuses a project whose package directory is missing at the planned revision: no
/// file of the snapshot lies under it (and, in the working tree, no such directory).
fn check_package_dirs(project: &Project, snapshot: &Snapshot) -> Result<()> {
    project.check_package_dirs(|dir| {
        snapshot.has_dir(dir)
            || (snapshot.revision() == Revision::Worktree && project.git_root.join(dir).is_dir())
    })
}

/// The project as `sfdx-project.json` and `.forceignore` say at commit `oid` (found where
/// the working tree has them).
fn project_at(repo: &Repo, on_disk: &Project, oid: git2::Oid) -> Result<Project> {
    let project_file = on_disk.project_file();
    let json = repo.read_at(oid, &project_file)?.ok_or_else(|| {
        crate::error::Error::NoProjectAtRevision {
            file: project_file.clone(),
            rev: oid.to_string(),
        }
    })?;
    let forceignore = repo.read_at(oid, &on_disk.forceignore_file())?;
    Project::from_parts(
        &on_disk.git_root,
        on_disk.root_relative(),
        &String::from_utf8_lossy(&json),
        forceignore
            .as_deref()
            .map(String::from_utf8_lossy)
            .as_deref(),
    )
    .map_err(|error| match error {
        crate::error::Error::MalformedProject { path, reason } => {
            crate::error::Error::MalformedProject {
                path: PathBuf::from(format!("{} at {oid}", path.display())),
                reason,
            }
        }
        other => other,
    })
}

/// Stage timings, printed to stderr when `IMPACT_TIMINGS` is set: the first thing to
/// look at when a plan is slow.
struct Timings {
    enabled: bool,
    last: Instant,
    laps: Vec<(&'static str, u128)>,
}

impl Timings {
    fn new() -> Timings {
        Timings {
            enabled: std::env::var_os("IMPACT_TIMINGS").is_some(),
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        if self.enabled {
            let now = Instant::now();
            self.laps
                .push((stage, now.duration_since(self.last).as_micros()));
            self.last = now;
        }
    }

    fn report(&self, n_parsed: usize, n_cached: usize, n_listed: usize) {
        if !self.enabled {
            return;
        }
        for (stage, micros) in &self.laps {
            eprintln!(
                "impact: timing: {stage:<18} {:>9.1} ms",
                *micros as f64 / 1000.0
            );
        }
        eprintln!(
            "impact: timing: files parsed {n_parsed}, taken from the cache {n_cached}, listed without parsing {n_listed}"
        );
    }
}

/// Which revision's seeds a graph serves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Head,
    Base,
}

/// Folds a graph to class granularity, and the changes' seeds on that side to the
/// classes that own them.
fn fold_to_classes(graph: Graph, changes: &mut [Change], side: Side) -> Graph {
    for change in changes.iter_mut() {
        let seeds = match side {
            Side::Head => &mut change.head_seeds,
            Side::Base => &mut change.base_seeds,
        };
        let mut owners: BTreeSet<ComponentId> = BTreeSet::new();
        for seed in seeds.iter() {
            match graph.node(&seed.node) {
                Some(index) => owners.insert(graph.owner(index)),
                None => owners.insert(seed.node.clone()),
            };
        }
        *seeds = owners
            .into_iter()
            .map(|node| Seed {
                node,
                mode: Mode::All,
            })
            .collect();
    }
    graph.collapse()
}

/// Test classes that could not be parsed: what they touch is unknown, so they run.
fn unparseable_tests(graph: &Graph) -> Vec<Seed> {
    graph
        .nodes()
        .filter(|(index, node)| {
            node.has_problems && impact::owning_test(graph, *index) == Some(*index)
        })
        .map(|(_, node)| Seed {
            node: node.id.clone(),
            mode: Mode::All,
        })
        .collect()
}

fn version(by_path: &HashMap<&str, &FileFacts>, entry: &SourceEntry) -> Option<FileVersion> {
    let file = by_path.get(entry.path.as_str())?;
    Some(FileVersion {
        path: file.path.clone(),
        component: file.component.clone(),
        facts: file.facts.clone(),
    })
}

/// Changes named by a manifest: each component counts as wholly changed.
fn manifest_changes(components: &[ComponentId], head_facts: &[FileFacts]) -> Vec<Change> {
    let mut changes = Vec::new();
    for component in components {
        let files: Vec<&FileFacts> = head_facts
            .iter()
            .filter(|file| &file.component == component)
            .collect();
        let mut seeds: BTreeSet<ComponentId> = BTreeSet::new();
        seeds.insert(component.clone());
        for file in &files {
            for declaration in &file.facts.declares {
                seeds.insert(declaration.id.clone());
            }
        }
        let component = files
            .first()
            .map(|file| file.component.clone())
            .unwrap_or_else(|| component.clone());
        changes.push(Change {
            component,
            kind: ChangeKind::Modified,
            paths: files.iter().map(|file| file.path.clone()).collect(),
            semantic: true,
            head_seeds: seeds
                .into_iter()
                .map(|node| Seed {
                    node,
                    mode: Mode::All,
                })
                .collect(),
            base_seeds: Vec::new(),
            problems: Vec::new(),
            whole: true,
        });
    }
    changes.sort_by(|a, b| a.component.cmp(&b.component));
    changes.dedup_by(|a, b| a.component == b.component);
    changes
}

/// Which source files a plan parses for the graph: those of types whose facts can change
/// a plan ([`types::needs_facts`]), and every file of a component a manifest names (its
/// files and declarations become the change). [`Request::parse_all`] or
/// `IMPACT_PARSE_ALL=1` parses every file (the latter to check that leaving the others
/// out changes no plan).
struct Skip<'a> {
    parse_all: bool,
    manifest: Option<&'a [ComponentId]>,
}

impl<'a> Skip<'a> {
    fn new(parse_all: bool, manifest: Option<&'a [ComponentId]>) -> Skip<'a> {
        Skip {
            parse_all: parse_all || std::env::var_os("IMPACT_PARSE_ALL").is_some(),
            manifest,
        }
    }

    fn parses(&self, entry: &SourceEntry) -> bool {
        self.parse_all
            || types::needs_facts(entry.component.type_name())
            || self
                .manifest
                .is_some_and(|components| components.contains(&entry.component))
    }

    /// The entries to parse, and those only listed.
    fn split(&self, entries: &[SourceEntry]) -> (Vec<SourceEntry>, Vec<SourceEntry>) {
        entries
            .iter()
            .cloned()
            .partition(|entry| self.parses(entry))
    }
}

/// How many components of the listed (unparsed) files the graph does not declare: the
/// plan's component count is the same whether they were parsed or not.
fn listed_components(graph: &Graph, listed: &[SourceEntry]) -> usize {
    let keys: HashSet<&str> = listed
        .iter()
        .filter(|entry| {
            graph
                .node(&entry.component)
                .is_none_or(|index| graph.graph[index].files.is_empty())
        })
        .map(|entry| entry.component.key())
        .collect();
    keys.len()
}

/// Files in a package directory that are not metadata and never matter (editor and
/// tool configuration).
fn is_inert(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "jsconfig.json" | ".eslintrc.json" | "tsconfig.json" | ".prettierrc" | "README.md"
    ) || name.ends_with(".md")
}

/// Every source file of a snapshot, classified, sorted by path.
fn source_entries(project: &Project, snapshot: &Snapshot) -> Vec<SourceEntry> {
    snapshot
        .files(|path: &str| project.package_dir_of(path).is_some())
        .into_iter()
        .filter_map(|file| classify_entry(project, &file.path, &file.blob.to_string()))
        .collect()
}

/// The component a repository path belongs to, if it is source. LWC Jest tests count
/// even when `.forceignore` removes them (it usually does: they are not deployed).
fn classify_entry(project: &Project, path: &str, blob: &str) -> Option<SourceEntry> {
    let (_, inner) = project.split_package_path(path)?;
    if let Some(test) = jest_test(inner, path) {
        return Some(SourceEntry {
            path: path.to_string(),
            blob: blob.to_string(),
            component: test,
        });
    }
    if project.is_force_ignored(path) {
        return None;
    }
    let source = registry::classify(inner)?;
    Some(SourceEntry {
        path: path.to_string(),
        blob: blob.to_string(),
        component: source.component,
    })
}

/// `lwc/<bundle>/__tests__/<name>.test.js` is a Jest test named by its repository path.
fn jest_test(inner: &str, path: &str) -> Option<ComponentId> {
    let segments: Vec<&str> = inner.split('/').collect();
    let lwc = segments.iter().position(|segment| *segment == "lwc")?;
    let is_test_dir = segments.get(lwc + 2) == Some(&"__tests__");
    let name = segments.last()?;
    (is_test_dir && (name.ends_with(".test.js") || name.ends_with(".spec.js")))
        .then(|| ComponentId::new("LwcJestTest", path))
}

/// The content of an entry, by blob id (the working tree's files by path, as their
/// content is not in the object database).
fn read_entry(snapshot: &Snapshot, entry: &SourceEntry) -> Result<Vec<u8>> {
    match git2::Oid::from_str(&entry.blob) {
        Ok(oid) => snapshot.read_blob(oid),
        Err(_) => snapshot.read(&entry.path),
    }
}

/// Parses files, through the cache, using every core.
#[derive(Default)]
struct Parser {
    n_parsed: usize,
    n_cached: usize,
}

impl Parser {
    fn facts(
        &mut self,
        snapshot: &Snapshot,
        entries: &[SourceEntry],
        cache: &mut FactsCache,
    ) -> Result<Vec<FileFacts>> {
        let mut missing: Vec<(usize, Vec<u8>)> = Vec::new();
        let mut results: Vec<Option<Facts>> = vec![None; entries.len()];
        for (position, entry) in entries.iter().enumerate() {
            let key = FactsCache::key(&entry.blob, &entry.path);
            match cache.take(&key) {
                Some(facts) => {
                    results[position] = Some(facts);
                    self.n_cached += 1;
                }
                None => missing.push((position, read_entry(snapshot, entry)?)),
            }
        }
        let parsed: Vec<(usize, Facts)> = missing
            .into_par_iter()
            .map(|(position, bytes)| {
                let entry = &entries[position];
                let facts = parse::parse_file(&entry.component, &entry.path, &bytes);
                (position, facts)
            })
            .collect();
        self.n_parsed += parsed.len();
        for (position, _) in &parsed {
            let entry = &entries[*position];
            cache.note_parsed(FactsCache::key(&entry.blob, &entry.path));
        }
        for (position, facts) in parsed {
            results[position] = Some(facts);
        }
        Ok(entries
            .iter()
            .zip(results)
            .filter_map(|(entry, facts)| {
                Some(FileFacts {
                    path: entry.path.clone(),
                    blob: entry.blob.clone(),
                    component: entry.component.clone(),
                    facts: facts?,
                })
            })
            .collect())
    }
}
