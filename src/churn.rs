//! Change frequency from git: how many recent commits changed each component.
//!
//! [`compute`] walks the history back from the head commit, newest first, over a
//! [`Window`] (by default the last 90 days before the head commit, at most 1,000
//! commits), and counts per component the commits that changed one of its files. A
//! commit's changed files are its tree diff against its first parent, mapped to
//! components through the package directories and the metadata registry, as the plan
//! maps its own changes.
//!
//! - The window is anchored at the head commit's time, not the clock, so the same
//!   revisions give the same counts (and the same plan) on every machine.
//! - Merge commits and root commits count nothing: a merge repeats the changes of the
//!   commits it merges (which the walk visits too), and a root commit adds the whole
//!   project at once, which says nothing about how often anything changes.
//! - With a history store, every walked commit's component list is cached in it
//!   ([`History::record_commit_changes`]), so a second plan diffs no commit again; only
//!   the (cheap) walk over commit ids and times repeats. Without a store the same walk
//!   runs uncached; it is bounded by the same 1,000 commits.
//! - Git failures inside the walk (a shallow clone's missing parents, a damaged object)
//!   end the walk early: churn is a ranking hint, never a reason to fail a plan.
//!
//! This module does not rank anything (that is [`crate::rank`]) and does not look at
//! uncommitted changes.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use git2::Oid;
use rayon::prelude::*;

use crate::cache::CommitCache;
use crate::error::{warn_local, Result};
use crate::git::{Repo, TreeDiff};
use crate::history::History;
use crate::metadata::component::ComponentId;
use crate::metadata::registry;
use crate::project::Project;

/// Which commits count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Commits older than this many days before the head commit do not count.
    pub max_age_days: u32,
    /// At most this many commits (newest first) count.
    pub max_commits: usize,
}

impl Default for Window {
    fn default() -> Window {
        Window {
            max_age_days: 90,
            max_commits: 1_000,
        }
    }
}

/// Commit counts per component over a window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Churn {
    /// Commits in the window that changed each component, by case-folded id key.
    counts: HashMap<String, u32>,
    /// Commits in the window (merges and the root included).
    pub commits: usize,
    /// Commits whose trees this call diffed (the rest came from the cache).
    pub walked: usize,
    /// True when the counts came through the history store's cache.
    pub cached: bool,
}

impl Churn {
    /// Builds churn from counts by component key (for tests and the ranking benchmark).
    pub fn from_counts(counts: HashMap<String, u32>, commits: usize) -> Churn {
        let counts = counts
            .into_iter()
            .map(|(key, count)| (key.to_lowercase(), count))
            .collect();
        Churn {
            counts,
            commits,
            walked: 0,
            cached: false,
        }
    }

    /// Commits in the window that changed a child of an object (a field, a validation
    /// rule, …: any component whose full name starts with `object_prefix`, the object's
    /// lowercase name and a dot), summed over the children.
    pub fn children_of_object(&self, object_prefix: &str) -> u32 {
        self.counts
            .iter()
            .filter(|(key, _)| {
                key.split_once(':')
                    .is_some_and(|(_, name)| name.starts_with(object_prefix))
            })
            .map(|(_, count)| *count)
            .fold(0, u32::saturating_add)
    }

    /// Commits in the window that changed `id`.
    pub fn count(&self, id: &ComponentId) -> u32 {
        self.count_key(id.key())
    }

    /// Commits in the window that changed the component with this case-folded key.
    pub fn count_key(&self, key: &str) -> u32 {
        self.counts.get(key).copied().unwrap_or(0)
    }

    /// The largest count of any component (0 when nothing changed in the window).
    pub fn max(&self) -> u32 {
        self.counts.values().copied().max().unwrap_or(0)
    }
}

/// The churn a plan ranks by: over the default window, each commit's components cached
/// in the history when there is one, else (unless `no_cache`) under `.impact/cache`.
pub fn for_plan(
    repo: &Repo,
    project: &Project,
    head: Oid,
    history: Option<&mut crate::history::History>,
    no_cache: bool,
) -> Result<Churn> {
    let mut commit_cache = (!no_cache && history.is_none())
        .then(|| crate::cache::CommitCache::load(&crate::source::cache_dir(&project.git_root)));
    let churn = compute(
        repo,
        project,
        head,
        &Window::default(),
        history,
        commit_cache.as_mut(),
    )?;
    if let Some(cache) = &commit_cache {
        cache.save();
    }
    Ok(churn)
}

/// A plan's churn ([`for_plan`]) counted on a thread of its own, started once the plan
/// has read the head's facts: the commits are diffed while the graph stage leaves a
/// core idle, instead of after it (started with the plan, the thread competed with the
/// parse for both cores and made a cold plan slower). The counts are [`for_plan`]'s;
/// when the thread cannot run, [`Prefetch::finish`] counts them as [`for_plan`] does.
/// Dropped unfinished (a plan that selects no test ranks nothing), it stops diffing
/// and waits for the thread.
pub struct Prefetch {
    head: Oid,
    no_cache: bool,
    thread: Option<std::thread::JoinHandle<Option<Prefetched>>>,
    stop: Arc<AtomicBool>,
}

/// What the [`Prefetch`] thread found.
struct Prefetched {
    walk: Walk,
    diffed: Vec<Diffed>,
    commit_cache: Option<CommitCache>,
}

impl Prefetch {
    /// Starts diffing the commits of the default window before `head` that neither
    /// `history` nor (unless `no_cache`, and only without a history) the commit cache
    /// knows. A history that cannot be read starts nothing: [`Prefetch::finish`] then
    /// counts as [`for_plan`] does, which reports it, as a plan that ranks nothing
    /// never did.
    pub fn start(
        repo: &Repo,
        project: &Project,
        head: Oid,
        history: Option<&History>,
        no_cache: bool,
    ) -> Prefetch {
        let unstarted = || Prefetch {
            head,
            no_cache,
            thread: None,
            stop: Arc::new(AtomicBool::new(false)),
        };
        let known = match history.map(History::known_commits).transpose() {
            Ok(known) => known.unwrap_or_default(),
            Err(_) => return unstarted(),
        };
        let has_history = history.is_some();
        let cache_dir =
            (!no_cache && !has_history).then(|| crate::source::cache_dir(&project.git_root));
        let git_dir = repo.git().path().to_path_buf();
        let project = project.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("impact-churn".to_string())
            .spawn(move || {
                let repo = Repo::open(&git_dir).ok()?;
                // Quietly: a plan that selects no test never uses it ([`Prefetch::finish`]
                // warns).
                let commit_cache = cache_dir.map(|dir| CommitCache::load_quietly(&dir));
                let window = Window::default();
                let walk = Walk::new(
                    &repo,
                    head,
                    &window,
                    &known,
                    commit_cache.as_ref(),
                    has_history,
                );
                let diffed = diff_run(&repo, &project, &walk.missing, None, &thread_stop);
                Some(Prefetched {
                    walk,
                    diffed,
                    commit_cache,
                })
            })
            .ok();
        Prefetch {
            head,
            no_cache,
            thread,
            stop,
        }
    }

    /// The churn: waits for the thread and caches what it diffed, in `history` when
    /// given, else (unless `no_cache`) in the commit cache.
    pub fn finish(
        mut self,
        repo: &Repo,
        project: &Project,
        history: Option<&mut History>,
    ) -> Result<Churn> {
        let prefetched = self
            .thread
            .take()
            .and_then(|thread| thread.join().ok().flatten());
        let Some(Prefetched {
            walk,
            diffed,
            mut commit_cache,
        }) = prefetched
        else {
            return for_plan(repo, project, self.head, history, self.no_cache);
        };
        if let Some(cache) = &commit_cache {
            cache.warn_if_damaged();
        }
        let churn = walk.settle(diffed, history, commit_cache.as_mut())?;
        if let Some(cache) = &commit_cache {
            cache.save();
        }
        Ok(churn)
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Counts, per component, the commits in `window` before and including `head` that
/// changed it, caching each commit's component list in `history` when given.
pub fn compute(
    repo: &Repo,
    project: &Project,
    head: Oid,
    window: &Window,
    history: Option<&mut History>,
    commit_cache: Option<&mut CommitCache>,
) -> Result<Churn> {
    let known = match history.as_deref() {
        Some(history) => history.known_commits()?,
        None => Default::default(),
    };
    let walk = Walk::new(
        repo,
        head,
        window,
        &known,
        commit_cache.as_deref(),
        history.is_some(),
    );
    let progress = crate::progress::bar(crate::progress::CHURN, walk.missing.len());
    // Diffing is the slow part of a first plan (200 commits: 0.8 s on a 10,000-class
    // org), so commits are diffed on every core, each thread with its own handle on the
    // repository (a `git2::Repository` is not shared between threads). Each thread takes
    // a run of consecutive commits, so the tree of one is the parent tree of the one
    // before ([`TreeDiff`] keeps it); the results are used in window order.
    let git_dir = repo.git().path().to_path_buf();
    let run = walk
        .missing
        .len()
        .div_ceil(rayon::current_num_threads())
        .max(1);
    let never = AtomicBool::new(false);
    let diffed: Vec<Diffed> = walk
        .missing
        .par_chunks(run)
        .flat_map_iter(|run| match Repo::open(&git_dir) {
            Ok(thread_repo) => diff_run(&thread_repo, project, run, progress.as_ref(), &never),
            Err(_) => vec![None; run.len()],
        })
        .collect();
    if let Some(progress) = progress {
        progress.finish_and_clear();
    }
    walk.settle(diffed, history, commit_cache)
}

/// What one commit changed: its time and components ([`changed_components`]); `None`
/// when git could not read it.
type Diffed = Option<(i64, BTreeSet<String>)>;

/// A window's commits, and which of them still need their trees diffed.
struct Walk {
    /// The window's commits, newest first.
    commits: Vec<Oid>,
    /// The commits neither the history nor the commit cache knows, newest first.
    missing: Vec<Oid>,
    /// Counts from the commit cache (without a history store).
    counts: HashMap<String, u32>,
}

impl Walk {
    /// Walks the window; commits in `known` (the history's) are counted by the history,
    /// those in `commit_cache` (used only without a history) from it.
    fn new(
        repo: &Repo,
        head: Oid,
        window: &Window,
        known: &HashSet<String>,
        commit_cache: Option<&CommitCache>,
        has_history: bool,
    ) -> Walk {
        let commits = window_commits(repo, head, window);
        let mut counts: HashMap<String, u32> = HashMap::new();
        let mut missing: Vec<Oid> = Vec::new();
        for oid in &commits {
            let id = oid.to_string();
            if known.contains(&id) {
                continue;
            }
            // Without a history store, the facts cache's directory keeps what each
            // commit changed, so a second plan diffs no commit again either.
            match commit_cache.and_then(|cache| cache.get(&id)) {
                Some(components) if !has_history => {
                    for component in components {
                        *counts.entry(component.to_lowercase()).or_insert(0) += 1;
                    }
                }
                _ => missing.push(*oid),
            }
        }
        Walk {
            commits,
            missing,
            counts,
        }
    }

    /// The churn, from the diffs of the missing commits (in their order), which are
    /// cached in `history` when given, else in `commit_cache`.
    fn settle(
        self,
        diffed: Vec<Diffed>,
        mut history: Option<&mut History>,
        mut commit_cache: Option<&mut CommitCache>,
    ) -> Result<Churn> {
        let Walk {
            commits,
            missing,
            mut counts,
        } = self;
        let mut walked = 0;
        // Commits the history could not store (a full disk, a read-only file): counted
        // here.
        let mut unstored: HashMap<String, u32> = HashMap::new();
        let mut store_failed = false;
        for (oid, found) in missing.iter().zip(diffed) {
            let Some((time, components)) = found else {
                // A commit git cannot read ends the walk; what was counted stays.
                break;
            };
            walked += 1;
            match history.as_deref_mut() {
                Some(history) if !store_failed => {
                    let list: Vec<String> = components.into_iter().collect();
                    if let Err(error) = history.record_commit_changes(&oid.to_string(), time, &list)
                    {
                        // Churn is a ranking hint: a history that cannot be written costs
                        // the cache, never the plan.
                        warn_local(format_args!("{error}; churn is counted without caching it"));
                        store_failed = true;
                        for component in &list {
                            *unstored.entry(component.to_lowercase()).or_insert(0) += 1;
                        }
                    }
                }
                Some(_) => {
                    for component in &components {
                        *unstored.entry(component.to_lowercase()).or_insert(0) += 1;
                    }
                }
                None => {
                    for component in &components {
                        *counts.entry(component.to_lowercase()).or_insert(0) += 1;
                    }
                    if let Some(cache) = commit_cache.as_deref_mut() {
                        cache.insert(oid.to_string(), components.into_iter().collect());
                    }
                }
            }
        }
        let cached = history.is_some();
        if let Some(history) = history.as_deref() {
            let ids: Vec<String> = commits.iter().map(Oid::to_string).collect();
            counts = history.churn_counts(&ids)?;
            for (component, count) in unstored {
                *counts.entry(component).or_insert(0) += count;
            }
        }
        Ok(Churn {
            counts,
            commits: commits.len(),
            walked,
            cached,
        })
    }
}

/// Diffs a run of consecutive commits through one handle on the repository, so the
/// tree of one is the parent tree of the one before ([`TreeDiff`] keeps it). A commit
/// after `stop` is set is not diffed (`None`, as if git could not read it).
fn diff_run(
    repo: &Repo,
    project: &Project,
    run: &[Oid],
    progress: Option<&indicatif::ProgressBar>,
    stop: &AtomicBool,
) -> Vec<Diffed> {
    let mut trees = TreeDiff::new(repo);
    run.iter()
        .map(|oid| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let found = changed_components(&mut trees, project, *oid);
            if let Some(progress) = progress {
                progress.inc(1);
            }
            found
        })
        .collect()
}

/// The commits of the window, newest first. A git error ends the list where it happens.
///
/// A walk of its own, newest commit first, rather than libgit2's time-sorted revwalk:
/// any sorted revwalk first walks the whole history (46,609 commits on NPSP, a third of
/// a second), while this one reads only the commits of the window and their parents.
fn window_commits(repo: &Repo, head: Oid, window: &Window) -> Vec<Oid> {
    let git = repo.git();
    let Ok(head_commit) = git.find_commit(head) else {
        return Vec::new();
    };
    let horizon = head_commit
        .time()
        .seconds()
        .saturating_sub(i64::from(window.max_age_days).saturating_mul(86_400));
    // Newest first; equal times by id, so the order is deterministic.
    let mut queue: std::collections::BinaryHeap<(i64, std::cmp::Reverse<Oid>)> =
        std::collections::BinaryHeap::new();
    let mut seen: HashSet<Oid> = HashSet::new();
    queue.push((head_commit.time().seconds(), std::cmp::Reverse(head)));
    seen.insert(head);
    let mut commits = Vec::new();
    while let Some((time, std::cmp::Reverse(oid))) = queue.pop() {
        if commits.len() >= window.max_commits || time < horizon {
            break;
        }
        commits.push(oid);
        let Ok(commit) = git.find_commit(oid) else {
            break;
        };
        for parent in commit.parents() {
            if seen.insert(parent.id()) {
                queue.push((parent.time().seconds(), std::cmp::Reverse(parent.id())));
            }
        }
    }
    commits
}

/// The commit's time and the components (`Type:FullName`) its first-parent diff
/// touches; empty for merges and root commits. `None` when git cannot read it.
fn changed_components(
    trees: &mut TreeDiff<'_>,
    project: &Project,
    oid: Oid,
) -> Option<(i64, BTreeSet<String>)> {
    let commit = trees.repo().find_commit(oid).ok()?;
    let time = commit.time().seconds();
    if commit.parent_count() != 1 {
        return Some((time, BTreeSet::new()));
    }
    let parent_tree = commit.parent(0).ok()?.tree_id();
    let paths = trees
        .changed_paths(parent_tree, commit.tree_id(), |dir| {
            project.may_hold_sources(dir)
        })
        .ok()?;
    let components = paths
        .iter()
        .filter_map(|path| component_of(project, path))
        .map(|component| component.to_string())
        .collect();
    Some((time, components))
}

/// The component a repository path belongs to, if it is source of a package directory.
pub fn component_of(project: &Project, path: &str) -> Option<ComponentId> {
    let (_, inner) = project.split_package_path(path)?;
    registry::classify(inner).map(|source| source.component)
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{Repository, Signature, Time};
    use std::path::Path;

    /// A repository with an sfdx project; returns it and a commit helper's state.
    struct Fixture {
        dir: tempfile::TempDir,
        git: Repository,
        clock: i64,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = tempfile::tempdir().expect("tempdir");
            let git = Repository::init(dir.path()).expect("init");
            let mut fixture = Fixture {
                dir,
                git,
                clock: 1_700_000_000,
            };
            fixture.write(
                "sfdx-project.json",
                r#"{"packageDirectories":[{"path":"force-app","default":true}]}"#,
            );
            fixture.write("force-app/main/default/classes/A.cls", "public class A {}");
            fixture.write("force-app/main/default/classes/B.cls", "public class B {}");
            fixture.commit("root", 0);
            fixture
        }

        fn write(&self, path: &str, text: &str) {
            let full = self.dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, text).expect("write");
        }

        /// Commits everything, `days` days after the previous commit.
        fn commit(&mut self, message: &str, days: i64) -> Oid {
            self.clock += days * 86_400 + 60;
            let mut index = self.git.index().expect("index");
            index
                .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
                .expect("add");
            index.write().expect("write index");
            let tree = self
                .git
                .find_tree(index.write_tree().expect("tree"))
                .expect("find tree");
            let who = Signature::new("t", "t@t.invalid", &Time::new(self.clock, 0)).expect("sig");
            let parents: Vec<git2::Commit> = self
                .git
                .head()
                .ok()
                .and_then(|h| h.peel_to_commit().ok())
                .into_iter()
                .collect();
            let refs: Vec<&git2::Commit> = parents.iter().collect();
            self.git
                .commit(Some("HEAD"), &who, &who, message, &tree, &refs)
                .expect("commit")
        }

        /// Commits `times` edits of class `A`, a day apart.
        fn edit_a(&mut self, times: usize) {
            for i in 0..times {
                self.write(
                    "force-app/main/default/classes/A.cls",
                    &format!("public class A {{ Integer v{i}; }}"),
                );
                self.commit("edit a", 1);
            }
        }

        fn project(&self) -> Project {
            Project::discover(self.dir.path()).expect("project")
        }

        fn repo(&self) -> Repo {
            Repo::open(self.dir.path()).expect("repo")
        }
    }

    fn key(name: &str) -> ComponentId {
        ComponentId::new("ApexClass", name)
    }

    #[test]
    fn counts_commits_per_component_and_skips_the_root() {
        let mut f = Fixture::new();
        f.write("force-app/main/default/classes/A.cls", "public class A { }");
        f.commit("a1", 1);
        f.write(
            "force-app/main/default/classes/A.cls",
            "public class A { Integer x; }",
        );
        f.write(
            "force-app/main/default/classes/B.cls-meta.xml",
            "<ApexClass/>",
        );
        let head = f.commit("a2 b1", 1);
        f.write("README.md", "not source");
        let head2 = f.commit("docs", 1);
        let churn = compute(
            &f.repo(),
            &f.project(),
            head2,
            &Window::default(),
            None,
            None,
        )
        .expect("churn");
        assert_eq!(churn.count(&key("a")), 2);
        assert_eq!(churn.count(&key("B")), 1);
        assert_eq!(churn.max(), 2);
        assert_eq!(churn.commits, 4);
        assert!(!churn.cached);
        // From the earlier head, the later commit does not count.
        let earlier = compute(
            &f.repo(),
            &f.project(),
            head,
            &Window::default(),
            None,
            None,
        )
        .expect("churn");
        assert_eq!((earlier.count(&key("A")), earlier.commits), (2, 3));
    }

    #[test]
    fn the_window_ends_by_age_and_by_count() {
        let mut f = Fixture::new();
        f.write(
            "force-app/main/default/classes/A.cls",
            "public class A { Integer a; }",
        );
        f.commit("old", 1);
        f.write(
            "force-app/main/default/classes/A.cls",
            "public class A { Integer b; }",
        );
        f.commit("much later", 200);
        f.write(
            "force-app/main/default/classes/B.cls",
            "public class B { Integer b; }",
        );
        let head = f.commit("next day", 1);
        let churn = compute(
            &f.repo(),
            &f.project(),
            head,
            &Window::default(),
            None,
            None,
        )
        .expect("churn");
        assert_eq!((churn.count(&key("A")), churn.count(&key("B"))), (1, 1));
        assert_eq!(churn.commits, 2);
        let one = Window {
            max_age_days: 10_000,
            max_commits: 1,
        };
        let churn = compute(&f.repo(), &f.project(), head, &one, None, None).expect("churn");
        assert_eq!((churn.count(&key("A")), churn.count(&key("B"))), (0, 1));
    }

    #[test]
    fn the_cache_answers_the_second_walk() {
        let mut f = Fixture::new();
        f.edit_a(5);
        let head = f.commit("empty", 1);
        let dir = tempfile::tempdir().expect("tempdir");
        let mut history = History::open(&dir.path().join("h.db")).expect("history");
        let first = compute(
            &f.repo(),
            &f.project(),
            head,
            &Window::default(),
            Some(&mut history),
            None,
        )
        .expect("first");
        assert_eq!((first.walked, first.count(&key("A"))), (7, 5));
        assert!(first.cached);
        let second = compute(
            &f.repo(),
            &f.project(),
            head,
            &Window::default(),
            Some(&mut history),
            None,
        )
        .expect("second");
        assert_eq!(second.walked, 0);
        assert_eq!(
            second,
            Churn {
                walked: 0,
                ..first.clone()
            }
        );
        // Uncached gives the same counts.
        let uncached = compute(
            &f.repo(),
            &f.project(),
            head,
            &Window::default(),
            None,
            None,
        )
        .expect("uncached");
        assert_eq!(uncached.count(&key("A")), 5);
        assert_eq!(uncached.commits, first.commits);
    }

    #[test]
    fn a_prefetch_counts_what_compute_counts_and_caches_it() {
        let mut f = Fixture::new();
        f.edit_a(4);
        f.write(
            "force-app/main/default/classes/B.cls",
            "public class B { Integer b; }",
        );
        let head = f.commit("edit b", 1);
        let (repo, project) = (f.repo(), f.project());
        let uncached =
            compute(&repo, &project, head, &Window::default(), None, None).expect("uncached");
        assert_eq!(
            (uncached.count(&key("A")), uncached.count(&key("B"))),
            (4, 1)
        );
        let cache_files = || {
            std::fs::read_dir(crate::source::cache_dir(f.dir.path()))
                .map(|entries| entries.count())
                .unwrap_or(0)
        };

        // Dropped before it is finished (a plan that selects no test), a prefetch
        // caches nothing.
        drop(Prefetch::start(&repo, &project, head, None, false));
        assert_eq!(cache_files(), 0);

        // Without a history, the commit cache keeps what it diffed: the second one
        // diffs nothing and counts the same.
        let prefetch = Prefetch::start(&repo, &project, head, None, false);
        let first = prefetch.finish(&repo, &project, None).expect("first");
        assert_eq!(first, uncached);
        assert_eq!(cache_files(), 1);
        let prefetch = Prefetch::start(&repo, &project, head, None, false);
        let second = prefetch.finish(&repo, &project, None).expect("second");
        assert_eq!(
            second,
            Churn {
                walked: 0,
                ..uncached.clone()
            }
        );

        // With a history, the history keeps it.
        let dir = tempfile::tempdir().expect("tempdir");
        let mut history = History::open(&dir.path().join("h.db")).expect("history");
        let prefetch = Prefetch::start(&repo, &project, head, Some(&history), true);
        let recorded = prefetch
            .finish(&repo, &project, Some(&mut history))
            .expect("recorded");
        let expected = compute(
            &repo,
            &project,
            head,
            &Window::default(),
            Some(&mut history),
            None,
        )
        .expect("from the history");
        assert_eq!((recorded.walked, expected.walked), (uncached.walked, 0));
        assert_eq!(
            recorded,
            Churn {
                walked: uncached.walked,
                ..expected
            }
        );
    }

    #[test]
    fn merges_count_nothing_themselves() {
        let mut f = Fixture::new();
        let root = f
            .git
            .head()
            .expect("head")
            .peel_to_commit()
            .expect("commit")
            .id();
        f.write(
            "force-app/main/default/classes/A.cls",
            "public class A { Integer x; }",
        );
        let side = f.commit("side", 1);
        // Back to the root, change B, then merge the side branch.
        {
            let root_commit = f.git.find_commit(root).expect("root");
            f.git.set_head_detached(root).expect("detach");
            f.git
                .checkout_tree(
                    root_commit.as_object(),
                    Some(git2::build::CheckoutBuilder::new().force()),
                )
                .expect("checkout");
        }
        f.write(
            "force-app/main/default/classes/B.cls",
            "public class B { Integer y; }",
        );
        let main = f.commit("main", 1);
        let mut index = f
            .git
            .merge_commits(
                &f.git.find_commit(main).expect("main"),
                &f.git.find_commit(side).expect("side"),
                None,
            )
            .expect("merge");
        let tree = f
            .git
            .find_tree(index.write_tree_to(&f.git).expect("tree"))
            .expect("tree");
        let who = Signature::new("t", "t@t.invalid", &Time::new(f.clock + 86_400, 0)).expect("sig");
        let merge = f
            .git
            .commit(
                None,
                &who,
                &who,
                "merge",
                &tree,
                &[
                    &f.git.find_commit(main).expect("main"),
                    &f.git.find_commit(side).expect("side"),
                ],
            )
            .expect("merge commit");
        let churn = compute(
            &f.repo(),
            &f.project(),
            merge,
            &Window::default(),
            None,
            None,
        )
        .expect("churn");
        assert_eq!((churn.count(&key("A")), churn.count(&key("B"))), (1, 1));
        assert_eq!(churn.commits, 4);
    }

    #[test]
    fn paths_map_through_the_registry() {
        let f = Fixture::new();
        let project = f.project();
        assert_eq!(
            component_of(&project, "force-app/main/default/classes/A.cls-meta.xml"),
            Some(key("A"))
        );
        assert_eq!(component_of(&project, "README.md"), None);
        assert!(Path::new(&f.dir.path().join("sfdx-project.json")).exists());
    }
}
