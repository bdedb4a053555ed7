//! The pipeline: the stages in order, each a function of the module that owns it.
//!
//! ```text
//! scope ─► source (snapshot → classified files → facts) ─► changes ─► graphs
//!       ─► walk ─► policy ─► ranking inputs
//! ```
//!
//! This is the only place that knows the order. `impact diff` stops after the changes
//! ([`delta`]), `impact graph` after the head graph ([`graph`]); `plan` and `why` run
//! every stage ([`analyze`]). I/O happens in the scope, source and history steps only.

use crate::cache::KeptFile;
use crate::changes::{self, Change, ChangedSources, Context};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::facts::FileFacts;
use crate::git::{Repo, Revision, Snapshot, TreeReader};
use crate::graph::{Granularity, Graph};
use crate::history::History;
use crate::impact::{self, Reason, TestKind};
use crate::metadata::component::ComponentId;
use crate::metadata::manifest;
use crate::policy::{self, Policy, Selection};
use crate::project::Project;
use crate::rank::{self, Budget};
use crate::report::{self, plan::Plan};
use crate::source::{self, SourceEntry};
use std::path::{Path, PathBuf};
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
    /// Parse the files of every type, also those with no test impact that a plan only
    /// lists (`graph` shows every edge: a page's controller, an Aura bundle's children).
    pub parse_all: bool,
    /// `--fallback-on-uncovered`: deployed Apex no test covers runs all local tests.
    pub fallback_on_uncovered: bool,
}

/// Everything the pipeline found, for ranking and the renderers.
pub struct Analysis {
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
    pub ranking: rank::Inputs,
    /// The history the plan read, if any (coverage risk is computed from it after a
    /// budget).
    pub history: Option<History>,
    /// Changed Apex classes and triggers subject to the coverage rule.
    pub coverage_targets: Vec<ComponentId>,
    /// Predicted coverage (percent) below which a changed class is a coverage risk.
    pub coverage_threshold: f64,
    /// Components of the head revision whose files were listed and not parsed (types
    /// with no test impact): they are not in the head graph but count as components.
    pub listed_components: usize,
}

/// The changed components between two revisions (`impact diff`).
pub struct Delta {
    /// The project at the head revision.
    pub project: Project,
    pub base: String,
    pub head: String,
    pub changes: Vec<Change>,
}

/// `impact plan`: every stage, then the ranking, the budget and the coverage risk of
/// what runs now.
pub fn plan(request: &Request, budget: &Budget) -> Result<Plan> {
    let mut analysis = analyze(request)?;
    let ranked = rank::rank(analysis.selection.tests.clone(), &analysis.ranking);
    let suite =
        match &budget.suite {
            Some(name) => Some(analysis.head_graph.suite_members(name).ok_or_else(|| {
                Error::UnknownSuite {
                    name: name.to_string(),
                }
            })?),
            None => None,
        };
    let (ranked, confidence_cut) = confidence_cut(ranked, budget.confidence);
    let (kept, mut deferred) = rank::apply_budget_within(ranked, budget, suite.as_ref());
    let confidence = confidence_cut.map(|(level, curve, all, cut)| {
        let estimate = crate::confidence::estimate(&kept, &all);
        deferred.extend(cut);
        deferred.sort_by_key(|d| d.test.rank);
        report::plan::Confidence {
            level,
            estimate: (estimate * 10_000.0).round() / 10_000.0,
            curve,
        }
    });
    // Coverage risk is judged on what actually runs now, after the budget.
    let coverage_risk = match analysis.history.as_mut() {
        Some(history) if analysis.selection.fallback.is_none() => {
            let names: Vec<String> = kept
                .iter()
                .filter(|test| test.test.kind == TestKind::Apex)
                .map(|test| test.test.id.full_name().to_string())
                .collect();
            crate::coverage::risks(
                history,
                &analysis.coverage_targets,
                &names,
                analysis.coverage_threshold,
            )?
        }
        _ => Vec::new(),
    };
    let extras = report::assemble::Extras {
        deferred,
        coverage_risk,
        confidence,
    };
    let mut plan = report::assemble::build(&analysis.outcome(), &kept, &extras);
    plan.manifest = request
        .manifest
        .as_ref()
        .map(|path| path.display().to_string());
    // The graphs of a large org take a noticeable while to free, and the process is
    // about to exit: let the OS reclaim them.
    std::mem::forget(analysis);
    Ok(plan)
}

/// The parts of a confidence cut the plan reports.
type ConfidenceCut = (
    f64,
    Vec<report::plan::CurvePoint>,
    Vec<rank::RankedTest>,
    Vec<rank::Deferred>,
);

/// Applies `--confidence` to the ranked order: the kept prefix, and the level, the curve
/// of the full order, the full order (to estimate against) and the deferred rest.
fn confidence_cut(
    ranked: Vec<rank::RankedTest>,
    level: Option<f64>,
) -> (Vec<rank::RankedTest>, Option<ConfidenceCut>) {
    let Some(level) = level else {
        return (ranked, None);
    };
    let curve = crate::confidence::curve(&ranked)
        .into_iter()
        .map(|point| report::plan::CurvePoint {
            tests: point.tests,
            minutes: (point.seconds / 60.0 * 100.0).round() / 100.0,
            confidence: point.confidence,
        })
        .collect();
    let all = ranked.clone();
    let (kept, cut) = crate::confidence::cut(ranked, level);
    (kept, Some((level, curve, all, cut)))
}

/// What `impact why` found.
pub enum Why {
    /// The plan selects the test: one path from each change that reaches it, plus the
    /// policy's notes.
    Selected { name: String, reasons: Vec<Reason> },
    /// The head revision has the test but the plan does not select it: the nearest path
    /// from a change over any edge, if one leads there.
    NotSelected {
        name: String,
        nearest: Option<Reason>,
    },
}

/// `impact why TEST`: why the plan selects the test named `test`, or how near a change
/// comes to it; an error when the head revision has no test of that name.
pub fn why(request: &Request, test: &str) -> Result<Why> {
    let analysis = analyze(request)?;
    let wanted = test.to_lowercase();
    let Some(selected) = analysis
        .selection
        .tests
        .iter()
        .find(|selected| selected.id.full_name().to_lowercase() == wanted)
    else {
        return why_not(&analysis, test);
    };
    let mut reasons = impact::paths_per_change(
        &analysis.head_graph,
        analysis.base_graph.as_ref(),
        &analysis.changes,
        &selected.id,
    );
    for reason in &selected.reasons {
        if reason.note.is_some() && !reasons.contains(reason) {
            reasons.push(reason.clone());
        }
    }
    Ok(Why::Selected {
        name: selected.id.full_name().to_string(),
        reasons,
    })
}

/// `impact why` for a test the plan does not select.
fn why_not(analysis: &Analysis, test: &str) -> Result<Why> {
    let graph = &analysis.head_graph;
    let wanted = test.to_lowercase();
    let id = policy::all_tests(graph)
        .into_values()
        .map(|index| &graph[index].id)
        .find(|id| id.full_name().to_lowercase() == wanted)
        .ok_or_else(|| Error::UnknownTest {
            name: test.to_string(),
        })?;
    let nearest = analysis
        .changes
        .iter()
        .filter_map(|change| impact::nearest_path(graph, &impact::seeds(&change.head_seeds), id))
        .min_by_key(|reason| reason.edges.len());
    Ok(Why::NotSelected {
        name: id.full_name().to_string(),
        nearest,
    })
}

/// `impact diff`: the stages up to the changes.
pub fn delta(request: &Request) -> Result<Delta> {
    let mut timings = Timings::new();
    let scope = Scope::open(request, false, &mut timings)?;
    let mut reader = source::Reader::open(&scope.project.git_root, request.no_cache);
    let (head, diffed) = read_head(&scope, request, &mut reader, &mut timings, true)?;
    let located = locate(&scope, &head, diffed, &mut reader)?;
    let (head_facts, _) = head.release();
    reader.finish(join(
        head_facts,
        [located.old_facts, located.listed_changed],
    ));
    Ok(Delta {
        base: scope.base.to_string(),
        head: scope.head_label(),
        project: scope.project,
        changes: located.changes,
    })
}

/// `impact graph` (and `hotspots`): the stages up to the head revision's graph; also the
/// project at the head revision.
pub fn graph(request: &Request) -> Result<(Project, Graph)> {
    let mut timings = Timings::new();
    let scope = Scope::open(request, false, &mut timings)?;
    let mut reader = source::Reader::open(&scope.project.git_root, request.no_cache);
    let (mut head, _) = read_head(&scope, request, &mut reader, &mut timings, false)?;
    let (graph, _) = build_graphs(
        &mut reader,
        &head.snapshot,
        &mut head.facts,
        &mut Vec::new(),
        &Default::default(),
        false,
        scope.project.namespace.as_deref(),
    )?;
    reader.finish(head.release().0);
    Ok((scope.project, graph))
}

/// Runs every stage.
pub fn analyze(request: &Request) -> Result<Analysis> {
    let started = Instant::now();
    let mut timings = Timings::new();
    let mut scope = Scope::open(request, true, &mut timings)?;
    let mut reader = source::Reader::open(&scope.project.git_root, request.no_cache);
    let (mut head, diffed) = read_head(&scope, request, &mut reader, &mut timings, true)?;
    let churn = scope.start_churn();
    let mut located = locate(&scope, &head, diffed, &mut reader)?;
    timings.lap("changes");
    let (head_graph, base_graph) = build_graphs(
        &mut reader,
        &head.snapshot,
        &mut head.facts,
        &mut located.old_facts,
        &located.sources.new_paths(),
        located
            .changes
            .iter()
            .any(|change| !change.base_seeds.is_empty()),
        scope.project.namespace.as_deref(),
    )?;
    // The facts are final (`build_graphs` may have parsed some again): their problems
    // are the plan's warnings.
    let warnings = warnings(
        &scope.project,
        std::mem::take(&mut head.snapshot_warnings),
        &head.entries,
        &head.facts,
        &located,
    );
    let (head_facts, listed) = head.release();
    let mut changes = located.changes;
    timings.lap("graphs");
    let mut head_graph = match request.granularity {
        Granularity::Member => head_graph,
        Granularity::Class => {
            head_graph.fold_to_classes(changes.iter_mut().map(|c| &mut c.head_seeds))
        }
    };
    let coverage_targets = crate::coverage::targets(&head_graph, &changes);
    if let Some(history) = &scope.history {
        // Recorded coverage reveals dynamic dependencies: add them before the walk.
        crate::coverage::add_covered_by_edges(&mut head_graph, history, &coverage_targets)?;
    }
    let listed_components = listed_components(&head_graph, &listed);
    timings.lap("coverage edges");
    let base_graph = base_graph.map(|graph| match request.granularity {
        Granularity::Member => graph,
        Granularity::Class => graph.fold_to_classes(changes.iter_mut().map(|c| &mut c.base_seeds)),
    });
    let (head_reach, base_reach) = impact::walk_changes(&head_graph, base_graph.as_ref(), &changes);
    timings.lap("walks");
    let mut selection = policy::select(
        &head_graph,
        head_reach,
        base_reach,
        &changes,
        &scope.policy,
        &located.context,
    );
    timings.lap("policy");
    let ranking = ranking_inputs(
        &mut scope,
        churn,
        &head_graph,
        &changes,
        &coverage_targets,
        &mut selection,
    )?;
    timings.lap("history and churn");
    let (n_parsed, n_cached) = (reader.n_parsed, reader.n_cached);
    let resolved = reader.resolution_counts();
    reader.finish(join(
        head_facts,
        [located.old_facts, located.listed_changed],
    ));
    timings.lap("cache save");
    timings.report(n_parsed, n_cached, listed.len(), resolved);
    Ok(Analysis {
        base: scope.base.to_string(),
        head: scope.head_label(),
        project: scope.project,
        changes,
        head_graph,
        base_graph,
        selection,
        warnings,
        started,
        ranking,
        history: scope.history,
        coverage_targets,
        coverage_threshold: scope.coverage_threshold,
        listed_components,
    })
}

impl Analysis {
    /// What the plan reports of the analysis.
    pub fn outcome(&self) -> report::assemble::Outcome<'_> {
        report::assemble::Outcome {
            base: &self.base,
            head: &self.head,
            changes: &self.changes,
            selection: &self.selection,
            warnings: &self.warnings,
            components: self.head_graph.n_components() + self.listed_components,
            unresolved_calls: self.head_graph.unresolved_calls(),
            started: self.started,
            tests_total_by_kind: report::assemble::totals_by_kind(&self.head_graph),
        }
    }
}

/// The repository, the revisions to compare, the project at each, and the settings.
struct Scope {
    /// The project at the head revision.
    project: Project,
    /// The project at the base revision (the head's when the base has none readable).
    base_project: Project,
    /// The project at the base revision, when it has a readable one.
    base_read: Option<Project>,
    /// `impact.toml`'s `ignore` globs.
    ignore: Option<globset::GlobSet>,
    policy: Policy,
    /// `--no-cache`: read and write no cache (facts, commits).
    no_cache: bool,
    coverage_threshold: f64,
    /// The history, opened once for the whole plan.
    history: Option<History>,
    repo: Repo,
    base: git2::Oid,
    head: Revision,
}

impl Scope {
    /// Starts counting churn for the head commit (the working tree's `HEAD`): the plan
    /// ranks by it when it selects a test ([`crate::churn::Prefetch`]).
    fn start_churn(&self) -> Option<crate::churn::Prefetch> {
        let head_commit = match &self.head {
            Revision::Commit(oid) => Some(*oid),
            Revision::Worktree => self.repo.head_commit().ok(),
        };
        head_commit.map(|head| {
            crate::churn::Prefetch::start(
                &self.repo,
                &self.project,
                head,
                self.history.as_ref(),
                self.no_cache,
            )
        })
    }

    /// Finds the project, reads `impact.toml`, opens the history (`with_history`),
    /// resolves the revisions and reads the project at each (a past commit may have had
    /// other package directories than the working tree has now).
    fn open(request: &Request, with_history: bool, timings: &mut Timings) -> Result<Scope> {
        let project = Project::discover(&request.repo)?;
        let config = Config::load(&project.git_root)?;
        let coverage_threshold = config
            .coverage_threshold
            .unwrap_or(crate::coverage::DEFAULT_THRESHOLD);
        let history = if with_history {
            open_history(&project, request.history.as_deref())?
        } else {
            None
        };
        let mut policy = Policy::default();
        if let Some(max_changes) = request.max_changes.or(config.max_changes) {
            policy.max_changes = max_changes;
        }
        let ignore = config.ignore.clone();
        config.apply(&mut policy);
        policy.fallback_on_uncovered |= request.fallback_on_uncovered;
        let repo = Repo::open(&project.git_root)?;
        let base = match &request.base {
            Some(rev) => repo.resolve(rev)?,
            None => repo.default_base()?,
        };
        let head = match &request.head {
            Some(rev) => Revision::Commit(repo.resolve(rev)?),
            None => Revision::Worktree,
        };
        timings.lap("resolve");
        // Package directories and `.forceignore` are read at each revision.
        let project = match &head {
            Revision::Commit(oid) => source::project_at(&repo, &project, *oid)?,
            Revision::Worktree => project,
        };
        let base_read = source::project_at(&repo, &project, base).ok();
        let base_project = base_read.clone().unwrap_or_else(|| project.clone());
        Ok(Scope {
            base_project,
            base_read,
            project,
            ignore,
            policy,
            no_cache: request.no_cache,
            coverage_threshold,
            history,
            repo,
            base,
            head,
        })
    }

    /// The head revision as the plan names it.
    fn head_label(&self) -> String {
        match &self.head {
            Revision::Commit(oid) => oid.to_string(),
            Revision::Worktree => "WORKTREE".to_string(),
        }
    }

    /// Whether `impact.toml` ignores a path.
    fn is_ignored(&self, path: &str) -> bool {
        self.ignore.as_ref().is_some_and(|set| set.is_match(path))
    }
}

/// The head revision's source files and their facts.
struct HeadSource<'r> {
    snapshot: Snapshot<'r>,
    /// Every source file of the head revision.
    entries: Vec<SourceEntry>,
    /// The facts of the files the graph needs.
    facts: Vec<FileFacts>,
    /// The files only listed, not parsed (see [`source::Skip`]).
    listed: Vec<SourceEntry>,
    /// `--manifest`: the components it names.
    manifest: Option<Vec<ComponentId>>,
    parse_all: bool,
    /// What the snapshot could not read completely, for the plan's warnings.
    snapshot_warnings: Vec<String>,
}

impl HeadSource<'_> {
    fn skip(&self) -> source::Skip<'_> {
        source::Skip::new(self.parse_all, self.manifest.as_deref())
    }

    /// The facts and the files only listed, the snapshot dropped: what follows reads no
    /// file of the revisions, and the scope the snapshot borrows is free again (a
    /// working-tree snapshot holds a diff, whose drop needs the repository).
    fn release(self) -> (Vec<FileFacts>, Vec<SourceEntry>) {
        (self.facts, self.listed)
    }
}

/// The source stage at the head revision: every file listed, the ones the graph needs
/// parsed (all of them with `parse_all`); and, `with_diff` (no manifest), the files that
/// differ from the base ([`diff_sources`]).
///
/// The diff needs only the snapshot, so it is taken before the facts, while the facts
/// cache may still be loading on other threads: a warm 10,000-class plan lists its files
/// in about 55 ms and then waited for the cache about as long, and the diff of its
/// 20,000-entry class directory (18 ms) came after. Part of it now runs in that wait
/// (the cache's decoding shares the two cores): 478 → 467 ms, medians of 15 runs
/// alternated.
fn read_head<'r>(
    scope: &'r Scope,
    request: &Request,
    reader: &mut source::Reader,
    timings: &mut Timings,
    with_diff: bool,
) -> Result<(HeadSource<'r>, Option<Diffed>)> {
    // The snapshot and the diff read the same trees, each once through this handle.
    let tree_reader = scope.repo.tree_reader();
    let trees = tree_reader.as_ref().map_or(&scope.repo, TreeReader::repo);
    // Only a commit's snapshot reads a kept tree.
    let kept_tree = matches!(scope.head, Revision::Commit(_))
        .then(|| reader.kept(KeptFile::Tree))
        .flatten();
    let (snapshot, to_keep) =
        scope
            .repo
            .snapshot_kept(&scope.head, kept_tree.as_deref(), reader.keeps(), trees)?;
    reader.keep(KeptFile::Tree, to_keep);
    source::check_package_dirs(&scope.project, &snapshot)?;
    let snapshot_warnings =
        snapshot.warnings(|path| scope.project.holds_sources_in_submodule(path));
    timings.lap("snapshots");
    let entries = reader.entries(&scope.project, &snapshot);
    let manifest = match &request.manifest {
        Some(path) => Some(manifest::read_package_xml(path)?),
        None => None,
    };
    let (graph_entries, listed) =
        source::Skip::new(request.parse_all, manifest.as_deref()).split(&entries);
    timings.lap("list files");
    let diffed = if with_diff && manifest.is_none() {
        Some(diff_sources(scope, &snapshot, trees)?)
    } else {
        None
    };
    drop(tree_reader);
    timings.lap("diff");
    let facts = reader.facts(&snapshot, &graph_entries)?;
    timings.lap("head facts");
    let head = HeadSource {
        snapshot,
        entries,
        facts,
        listed,
        manifest,
        parse_all: request.parse_all,
        snapshot_warnings,
    };
    Ok((head, diffed))
}

/// The files that differ between the base and the head snapshot, classified (a
/// `.forceignore` edit's moves included).
struct Diffed {
    file_changes: Vec<crate::git::FileChange>,
    sources: ChangedSources,
}

/// The diff part of the changes stage: what differs between the revisions, classified.
fn diff_sources(scope: &Scope, snapshot: &Snapshot, trees: &Repo) -> Result<Diffed> {
    let (mut file_changes, changed_submodules) =
        scope.repo.diff_reading(scope.base, snapshot, trees)?;
    let forceignore_moves = scope.base_read.as_ref().and_then(|base| {
        changes::forceignore_moves(
            || snapshot.files(|path| scope.project.package_dir_of(path).is_some()),
            &file_changes,
            &scope.project,
            base,
        )
    });
    let left_out = forceignore_moves.map(|moves| {
        file_changes.extend(moves.changes);
        moves.left_out
    });
    let mut sources = changes::classify_diff(
        &file_changes,
        &changed_submodules,
        &scope.project,
        &scope.base_project,
        scope.base_read.as_ref(),
        &|| source::jest_config_paths(&scope.project, snapshot),
        &|path| scope.is_ignored(path),
    );
    if let Some(left_out) = left_out {
        sources.context.settle_forceignore(&left_out);
    }
    Ok(Diffed {
        file_changes,
        sources,
    })
}

/// What the changes stage found.
struct Located {
    changes: Vec<Change>,
    sources: ChangedSources,
    context: Context,
    /// Facts of the changed files' base sides the graph needs.
    old_facts: Vec<FileFacts>,
    /// Facts of changed files of types the graph does not need (both sides), read to
    /// tell a change of meaning from one of form and to report what cannot be read
    /// (through the cache, like the graph's: a pull request that changes thousands of
    /// translations parses them once, not on every plan).
    listed_changed: Vec<FileFacts>,
}

/// The head revision's graph, and the base revision's when `needs_base`
/// ([`crate::graph::build_pair`]). Should a file's cached uses not decode
/// ([`Graph::undecodable`]: a record whose checksum matched but whose content this
/// version did not write), those files are parsed again and the graphs built anew, so the
/// plan is the one a cold cache gives. `namespace` is the head project's (a change of it
/// runs every test: `project_change`).
fn build_graphs(
    reader: &mut source::Reader,
    snapshot: &Snapshot,
    head_facts: &mut [FileFacts],
    old_facts: &mut [FileFacts],
    changed_new_paths: &std::collections::HashSet<String>,
    needs_base: bool,
    namespace: Option<&str>,
) -> Result<(Graph, Option<Graph>)> {
    let (head_resolutions, base_resolutions) = match reader.resolutions(needs_base) {
        Some(kept) => (Some(kept.head), kept.base),
        None => (None, None),
    };
    let (head_graph, base_graph) = crate::graph::build_pair(
        head_facts,
        changed_new_paths,
        old_facts,
        needs_base,
        head_resolutions,
        base_resolutions,
        namespace,
    );
    // The base graph shares the head's unchanged files: a path may come twice.
    let undecodable: Vec<String> = std::iter::once(&head_graph)
        .chain(&base_graph)
        .flat_map(|graph| graph.undecodable().iter().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if undecodable.is_empty() {
        return Ok((head_graph, base_graph));
    }
    crate::error::warn_local(format_args!(
        "the facts cache held facts of {} that do not read back: parsed again",
        undecodable.join(", ")
    ));
    reader.reparse(snapshot, head_facts, &undecodable)?;
    reader.reparse(snapshot, old_facts, &undecodable)?;
    // Facts just parsed keep their uses listed or checked (`Facts::encode_uses`): they
    // always decode.
    // Built again without the kept resolutions: the first build read them, and wrote
    // what it kept (resolved against its own declarations, so still true of them).
    Ok(crate::graph::build_pair::<&[u8], Vec<u8>>(
        head_facts,
        changed_new_paths,
        old_facts,
        needs_base,
        None,
        None,
        namespace,
    ))
}

/// The changes stage: from the manifest, or from the diff between the revisions
/// (`diffed` when [`read_head`] took it, else taken here).
fn locate(
    scope: &Scope,
    head: &HeadSource,
    diffed: Option<Diffed>,
    reader: &mut source::Reader,
) -> Result<Located> {
    if let Some(components) = &head.manifest {
        let (changes, unseen) = changes::from_manifest(components, &head.facts);
        return Ok(Located {
            changes,
            sources: ChangedSources::default(),
            context: Context {
                unseen,
                ..Context::default()
            },
            old_facts: Vec::new(),
            listed_changed: Vec::new(),
        });
    }
    let Diffed {
        file_changes,
        mut sources,
    } = match diffed {
        Some(diffed) => diffed,
        None => diff_sources(scope, &head.snapshot, &scope.repo)?,
    };
    // Old versions are read by blob id: no need to list the base revision's tree.
    let skip = head.skip();
    let (old_graph_entries, old_listed) = skip.split(&sources.old_entries());
    let old_facts = reader.facts(&head.snapshot, &old_graph_entries)?;
    let new_listed: Vec<SourceEntry> = sources
        .files
        .iter()
        .filter_map(|(_, new)| new.clone())
        .filter(|entry| !skip.parses(entry))
        .collect();
    let new_listed_facts = reader.facts(&head.snapshot, &new_listed)?;
    let old_listed_facts = reader.facts(&head.snapshot, &old_listed)?;
    let changes = changes::locate_diff(
        &file_changes,
        &sources,
        &head.entries,
        head.facts.iter().chain(&new_listed_facts),
        old_facts.iter().chain(&old_listed_facts),
    );
    let context = std::mem::take(&mut sources.context);
    let mut listed_changed = new_listed_facts;
    listed_changed.extend(old_listed_facts);
    Ok(Located {
        changes,
        sources,
        context,
        old_facts,
        listed_changed,
    })
}

/// The project's and the snapshot's warnings, sources declared twice, and every parse
/// problem, sorted.
fn warnings(
    project: &Project,
    snapshot_warnings: Vec<String>,
    entries: &[SourceEntry],
    head: &[FileFacts],
    located: &Located,
) -> Vec<String> {
    let mut warnings: Vec<String> = project.warnings.clone();
    warnings.extend(snapshot_warnings);
    warnings.extend(source::duplicate_sources(entries));
    let files = head
        .iter()
        .chain(&located.old_facts)
        .chain(&located.listed_changed);
    for file in files {
        for problem in &file.facts.problems {
            let line = problem.line.map(|l| format!(":{l}")).unwrap_or_default();
            warnings.push(format!("{}{}: {}", file.path, line, problem.message));
        }
    }
    warnings.sort();
    warnings.dedup();
    warnings
}

/// What ranking needs: the history of each test, how much each covers the changes,
/// the churn, and which change each seed belongs to. Also tops the selection up with
/// recorded covering tests while a changed class's predicted coverage is too low.
fn ranking_inputs(
    scope: &mut Scope,
    churn: Option<crate::churn::Prefetch>,
    head_graph: &Graph,
    changes: &[Change],
    coverage_targets: &[ComponentId],
    selection: &mut Selection,
) -> Result<rank::Inputs> {
    let mut ranking = rank::Inputs::default();
    if let Some(history) = &scope.history {
        crate::coverage::top_up(
            head_graph,
            history,
            coverage_targets,
            selection,
            scope.coverage_threshold,
        )?;
        ranking.history = rank::test_history(history)?;
        ranking.covers_changed = crate::coverage::covers_changed(history, coverage_targets)?;
    }
    crate::deployed::cover(
        head_graph,
        scope.history.as_ref(),
        changes,
        selection,
        scope.policy.fallback_on_uncovered,
    )?;
    if !selection.tests.is_empty() {
        if let Some(churn) = churn {
            ranking.churn = churn.finish(&scope.repo, &scope.project, scope.history.as_mut())?;
        }
        ranking.change_of_node = rank::change_of_node(changes);
        if let Some(history) = scope.history.as_ref() {
            let changed: Vec<String> = changes
                .iter()
                .map(|change| change.component.key().to_string())
                .collect();
            ranking.co_failures = history.co_failures(&changed)?;
        }
    }
    Ok(ranking)
}

/// Opens the history: the `--history` file (created when missing), else the default
/// file when it exists. A plan never creates the default file: without one, it ranks
/// without history and walks churn uncached.
fn open_history(project: &Project, explicit: Option<&Path>) -> Result<Option<History>> {
    match explicit {
        Some(path) => History::open_for_reading(path).map(Some),
        None => {
            let path = crate::history::default_path(&project.git_root);
            if path.is_file() {
                History::open_for_reading(&path).map(Some)
            } else {
                Ok(None)
            }
        }
    }
}

/// How many components of the listed (unparsed) files the graph does not declare: the
/// plan's component count is the same whether they were parsed or not.
fn listed_components(graph: &Graph, listed: &[SourceEntry]) -> usize {
    let keys: rustc_hash::FxHashSet<&str> = listed
        .iter()
        .filter(|entry| !graph.has_file_of(&entry.component))
        .map(|entry| entry.component.key())
        .collect();
    keys.len()
}

/// Every file's facts a plan read, for the cache to keep ([`source::Reader::finish`]).
fn join(mut head: Vec<FileFacts>, others: [Vec<FileFacts>; 2]) -> Vec<FileFacts> {
    head.extend(others.into_iter().flatten());
    head
}

/// Stage timings, printed to stderr when `IMPACT_TIMINGS` is set: the first thing to
/// look at when a plan is slow.
struct Timings {
    enabled: bool,
    last: Instant,
    /// The process's CPU time (every thread's, user and system) when the last stage
    /// ended, in microseconds.
    last_cpu: Option<u64>,
    /// Each stage: its name, its time, its CPU time (Unix; `None` elsewhere), and the
    /// process's resident and peak memory when it ended (Linux; `None` elsewhere).
    laps: Vec<(&'static str, u128, Option<u64>, Option<Memory>)>,
}

/// The CPU time of every thread of the process so far (user and system), in
/// microseconds: over a stage's wall time, how many cores it kept busy.
#[cfg(unix)]
fn process_cpu_micros() -> Option<u64> {
    // SAFETY: `getrusage` writes the struct it is given, which is zeroed plain data.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return None;
        }
        usage
    };
    let micros = |time: libc::timeval| -> Option<u64> {
        Some(u64::try_from(time.tv_sec).ok()? * 1_000_000 + u64::try_from(time.tv_usec).ok()?)
    };
    Some(micros(usage.ru_utime)? + micros(usage.ru_stime)?)
}

#[cfg(not(unix))]
fn process_cpu_micros() -> Option<u64> {
    None
}

/// Resident and peak resident memory in megabytes, from `/proc/self/status`: which stage
/// raised the peak.
#[derive(Clone, Copy)]
struct Memory {
    resident: u64,
    peak: u64,
}

impl Memory {
    fn now() -> Option<Memory> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let megabytes = |field: &str| -> Option<u64> {
            let line = status.lines().find_map(|line| line.strip_prefix(field))?;
            let kilobytes: u64 = line.trim().trim_end_matches("kB").trim().parse().ok()?;
            Some(kilobytes / 1024)
        };
        Some(Memory {
            resident: megabytes("VmRSS:")?,
            peak: megabytes("VmHWM:")?,
        })
    }
}

/// With `IMPACT_TIMINGS`, the process's resident and peak memory once the command has
/// written its output. The stages' lines stop before ranking and rendering, so this is
/// the peak of the whole run (what `cargo bench --bench plan` reports).
pub fn report_memory_at_end() {
    if std::env::var_os("IMPACT_TIMINGS").is_none() {
        return;
    }
    if let Some(memory) = Memory::now() {
        eprintln!(
            "impact: timing: whole run, {} MB resident, {} MB peak",
            memory.resident, memory.peak
        );
    }
}

impl Timings {
    fn new() -> Timings {
        Timings {
            enabled: std::env::var_os("IMPACT_TIMINGS").is_some(),
            last: Instant::now(),
            last_cpu: process_cpu_micros(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        if self.enabled {
            let now = Instant::now();
            let micros = now.duration_since(self.last).as_micros();
            let cpu = process_cpu_micros();
            let cpu_micros = cpu
                .zip(self.last_cpu)
                .map(|(now, last)| now.saturating_sub(last));
            self.laps.push((stage, micros, cpu_micros, Memory::now()));
            // Reading the memory is not the next stage's time.
            self.last = Instant::now();
            self.last_cpu = process_cpu_micros();
        }
    }

    /// Prints the laps, the file counts and each graph's resolution counts (files
    /// resolved, files whose kept resolutions were reused; the base graph's when built).
    fn report(
        &self,
        n_parsed: usize,
        n_cached: usize,
        n_listed: usize,
        resolved: ((usize, usize), Option<(usize, usize)>),
    ) {
        if !self.enabled {
            return;
        }
        for (stage, micros, cpu_micros, memory) in &self.laps {
            let cpu = cpu_micros
                .map(|cpu| format!(", {:>7.1} ms CPU", cpu as f64 / 1000.0))
                .unwrap_or_default();
            let memory = memory
                .map(|m| format!(", {} MB resident, {} MB peak", m.resident, m.peak))
                .unwrap_or_default();
            eprintln!(
                "impact: timing: {stage:<18} {:>9.1} ms{cpu}{memory}",
                *micros as f64 / 1000.0
            );
        }
        eprintln!(
            "impact: timing: files parsed {n_parsed}, taken from the cache {n_cached}, listed without parsing {n_listed}"
        );
        let (head, base) = resolved;
        eprintln!(
            "impact: timing: files whose uses were resolved {}, whose resolutions were reused {}",
            head.0, head.1
        );
        if let Some(base) = base {
            eprintln!(
                "impact: timing: base graph, files whose uses were resolved {}, whose resolutions were reused {}",
                base.0, base.1
            );
        }
    }
}
