//! The source at a revision: the snapshot's files classified into components, and their
//! facts, parsed or taken from the cache.
//!
//! This is the first stage of the pipeline after the revisions are resolved; it is the
//! only one that reads file contents. The project's package directories and
//! `.forceignore` are read at each revision ([`project_at`]): a past commit may have had
//! other package directories than the working tree has now.

use crate::cache::{CachedResolutions, FactsCache, GraphSide, KeptFile, ToKeep};
use crate::error::{Error, Result};
use crate::facts::{Facts, FileFacts};
use crate::git::{Repo, Revision, Snapshot};
use crate::metadata::component::ComponentId;
use crate::metadata::{registry, types};
use crate::parse;
use crate::parse::lwc;
use crate::project::Project;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One source file of a revision, classified.
#[derive(Clone, Debug)]
pub struct SourceEntry {
    /// Repository-relative path, `/`-separated.
    pub path: String,
    /// Git blob id, or the working tree's content hash.
    pub blob: String,
    pub component: ComponentId,
    /// The parent of a child component's file (`CustomObject:Account` for a field): a
    /// parent exists at a revision while any of its children's files do.
    pub parent: Option<ComponentId>,
}

impl SourceEntry {
    /// The keys of the components this file keeps in existence: its own, and its
    /// parent's.
    pub fn existing_keys(&self) -> impl Iterator<Item = &str> + '_ {
        std::iter::once(&self.component)
            .chain(self.parent.as_ref())
            .map(ComponentId::key)
    }
}

/// A warning for each Apex class or trigger with more than one source file (the same
/// name in two package directories, or twice in one). An org holds one class of a name,
/// so the files cannot be deployed together; the graph reads them as one class, so a
/// change to either selects the tests of both.
pub fn duplicate_sources(entries: &[SourceEntry]) -> Vec<String> {
    let sources: Vec<&SourceEntry> = entries
        .iter()
        .filter(|entry| is_apex_source(entry))
        .collect();
    // Counted by hash first: a revision has thousands of classes and seldom two files of
    // one (a sorted map of every class was 26 M instructions of a warm 10,000-class plan,
    // on the thread the plan waits for).
    let mut counts: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    counts.reserve(sources.len());
    for entry in &sources {
        *counts.entry(entry.component.key()).or_default() += 1;
    }
    let mut duplicated: std::collections::BTreeMap<&str, (&ComponentId, Vec<&str>)> =
        std::collections::BTreeMap::new();
    for entry in sources {
        if counts
            .get(entry.component.key())
            .is_some_and(|&count| count > 1)
        {
            duplicated
                .entry(entry.component.key())
                .or_insert_with(|| (&entry.component, Vec::new()))
                .1
                .push(&entry.path);
        }
    }
    duplicated
        .into_values()
        .map(|(component, paths)| {
            format!(
                "{component} has {} source files ({}): an org holds one of a name, so they cannot be deployed together; the plan reads them as one, and a change to either selects the tests of both",
                paths.len(),
                paths.join(", ")
            )
        })
        .collect()
}

/// Whether `entry` is an Apex class's or trigger's source file (`Foo.cls`, not its
/// `-meta.xml`: the table's suffix).
fn is_apex_source(entry: &SourceEntry) -> bool {
    let id = &entry.component;
    if !(id.is_type(types::APEX_CLASS) || id.is_type(types::APEX_TRIGGER)) {
        return false;
    }
    types::type_info(id.type_name())
        .and_then(|info| info.suffix)
        .and_then(|suffix| entry.path.strip_suffix(suffix))
        .is_some_and(|stem| stem.ends_with('.'))
}

/// The component a repository path belongs to, if it is source. LWC Jest tests count
/// even when `.forceignore` removes them (it usually does: they are not deployed).
pub fn classify(project: &Project, path: &str, blob: &str) -> Option<SourceEntry> {
    classify_with(project, path, || blob.to_string())
}

/// [`classify`], the blob id written only for a file that is source.
fn classify_with(
    project: &Project,
    path: &str,
    blob: impl FnOnce() -> String,
) -> Option<SourceEntry> {
    let (component, parent) = match project.split_package_path(path) {
        Some((_, inner)) => classify_inner(project, path, inner)?,
        None => (project_jest_test(project, path)?, None),
    };
    Some(SourceEntry {
        path: path.to_string(),
        blob: blob(),
        component,
        parent,
    })
}

/// The component of `path`, a file inside a package directory (`inner` is its path
/// there), and its parent's: `None` when it is not source. It depends on the path and
/// the project's package directories and `.forceignore` alone
/// ([`Project::classification_key`]), which lets a plan keep it ([`crate::listing`]).
pub(crate) fn classify_inner(
    project: &Project,
    path: &str,
    inner: &str,
) -> Option<(ComponentId, Option<ComponentId>)> {
    match jest_test(inner, path) {
        Some(test) => Some((test, None)),
        None if project.is_force_ignored(path) => None,
        None => registry::classify(inner).map(|source| (source.component, source.parent)),
    }
}

/// The Jest test at `path`, named by its repository path, when `inner` (its path in its
/// package directory or the project's folder) is a Jest test's: `x.test.js` or
/// `x.spec.js` in a Jest test folder ([`lwc::is_jest_test_path`]), a bundle's
/// (`lwc/<bundle>/__tests__/`, in a folder of bundles too) or any other.
fn jest_test(inner: &str, path: &str) -> Option<ComponentId> {
    lwc::is_jest_test_path(inner).then(|| ComponentId::new(types::LWC_JEST_TEST, path))
}

/// A Jest test outside every package directory, in the project's folder
/// ([`lwc::is_jest_test_path`] from there). sfdx-lwc-jest runs Jest from the project's
/// folder with Jest's own test pattern, which finds such a test as it finds a bundle's
/// (LightningWebChartJS keeps 25 of its 27 tests in a `__tests__/unit/` folder beside
/// `force-app/`); the test reaches the bundles it imports.
pub fn project_jest_test(project: &Project, path: &str) -> Option<ComponentId> {
    let inner = match project.root_relative() {
        "" => path,
        root => path.strip_prefix(root)?.strip_prefix('/')?,
    };
    jest_test(inner, path)
}

/// The content of an entry, by blob id (the working tree's files by path, as their
/// content is not in the object database).
fn read_entry(snapshot: &Snapshot, entry: &SourceEntry) -> Result<Vec<u8>> {
    match git2::Oid::from_str(&entry.blob) {
        Ok(oid) => snapshot.read_blob(oid, &entry.path),
        Err(_) => snapshot.read(&entry.path),
    }
}

/// Files are handed from the reading to the parsing in batches of this many (a file
/// at a time, waking a thread for each of the 10,000-class org's 24,000 files cost more
/// than the overlap saved), at most [`BATCHES_AHEAD`] batches ahead of the parsing. No
/// more than a batch (a warm plan's changed files) is read first and parsed after.
const READ_BATCH: usize = 16;
const BATCHES_AHEAD: usize = 16;

/// The contents of the files of `entries` at `positions`, in that order.
type Contents = Vec<(usize, Vec<u8>)>;

/// The facts of the files of `entries` at `positions`, in that order: parsed on every
/// core while this thread reads their contents from the repository (a `Snapshot` reads
/// through libgit2, whose repository a thread may not share). Read first and parsed
/// after, NPSP's 4,455 blobs took 122-132 ms of a cold plan on one core while the other
/// waited, and the contents of every file were held at once.
fn parse_while_reading(
    snapshot: &Snapshot,
    entries: &[SourceEntry],
    positions: &[usize],
) -> Result<Vec<(usize, Facts)>> {
    // A batch or less is read, then parsed: no thread to wait for. So is all of it on a
    // thread of rayon's pool (no caller is today): waiting there for the parsing would
    // hold a thread the parsing may need (with one thread, forever).
    if positions.len() <= READ_BATCH || rayon::current_thread_index().is_some() {
        return Ok(read_contents(snapshot, entries, positions)?
            .into_par_iter()
            .map(|(position, bytes)| (position, parse_entry(&entries[position], &bytes)))
            .collect());
    }
    let (batches, received) = std::sync::mpsc::sync_channel::<Contents>(BATCHES_AHEAD);
    let progress = crate::progress::bar(crate::progress::PARSING, positions.len());
    let shown = progress.as_ref();
    std::thread::scope(|scope| {
        let parsing = scope.spawn(move || {
            received
                .into_iter()
                .par_bridge()
                .flat_map_iter(|batch| {
                    batch.into_iter().map(|(position, bytes)| {
                        let facts = parse_entry(&entries[position], &bytes);
                        if let Some(progress) = shown {
                            progress.inc(1);
                        }
                        (position, facts)
                    })
                })
                .collect::<Vec<_>>()
        });
        let reading = positions.chunks(READ_BATCH).try_for_each(|chunk| {
            // Fails only when the parsing thread is gone, which means it panicked: the
            // join below passes that on.
            let _ = batches.send(read_contents(snapshot, entries, chunk)?);
            Ok(())
        });
        // The parsing ends when the channel closes: after the last batch, or at a file
        // that could not be read (what was sent is parsed, and the error returned).
        drop(batches);
        let mut parsed = parsing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        if let Some(progress) = shown {
            progress.finish_and_clear();
        }
        parsed.sort_unstable_by_key(|(position, _)| *position);
        reading.map(|()| parsed)
    })
}

/// The contents of the files of `entries` at `positions`, read in order.
fn read_contents(
    snapshot: &Snapshot,
    entries: &[SourceEntry],
    positions: &[usize],
) -> Result<Contents> {
    positions
        .iter()
        .map(|&position| Ok((position, read_entry(snapshot, &entries[position])?)))
        .collect()
}

/// The facts of one file, its uses encoded at once (a cold plan holds them as a warm one
/// does, [`Facts::encode_uses`]).
fn parse_entry(entry: &SourceEntry, bytes: &[u8]) -> Facts {
    let mut facts = parse::parse_file(&entry.component, &entry.path, bytes);
    facts.encode_uses();
    facts
}

/// Which source files a plan parses for the graph: those of types whose facts can change
/// a plan ([`types::needs_facts`]), and every file of a component a manifest names (its
/// files and declarations become the change). `parse_all` (`graph`, `hotspots`) or
/// `IMPACT_PARSE_ALL=1` parses every file (the latter to check that leaving the others
/// out changes no plan).
pub struct Skip<'a> {
    parse_all: bool,
    manifest: Option<&'a [ComponentId]>,
}

impl<'a> Skip<'a> {
    pub fn new(parse_all: bool, manifest: Option<&'a [ComponentId]>) -> Skip<'a> {
        Skip {
            parse_all: parse_all || std::env::var_os("IMPACT_PARSE_ALL").is_some(),
            manifest,
        }
    }

    /// Whether the entry's facts go into the graph.
    pub fn parses(&self, entry: &SourceEntry) -> bool {
        self.parse_all
            || types::needs_facts(entry.component.type_name())
            || self
                .manifest
                .is_some_and(|components| components.contains(&entry.component))
    }

    /// The entries to parse, and those only listed.
    pub fn split(&self, entries: &[SourceEntry]) -> (Vec<SourceEntry>, Vec<SourceEntry>) {
        entries
            .iter()
            .cloned()
            .partition(|entry| self.parses(entry))
    }
}

/// The directory of the caches of a repository (`.impact/cache`).
pub fn cache_dir(git_root: &Path) -> PathBuf {
    git_root.join(".impact").join("cache")
}

/// The kept resolutions of a plan's graphs ([`Reader::resolutions`]): the head graph's,
/// and the base graph's when it is built.
pub struct KeptResolutions<'a> {
    pub head: &'a mut CachedResolutions,
    pub base: Option<&'a mut CachedResolutions>,
}

/// Reads the facts of files: from the cache, else by parsing them on every core. It
/// owns the facts cache for one plan and writes it back in [`Reader::finish`].
pub struct Reader {
    cache: FactsCache,
    /// The cache while it loads on its own thread, until a read needs it.
    loading: Option<std::thread::JoinHandle<FactsCache>>,
    /// The cache directory, `None` with `--no-cache`.
    dir: Option<PathBuf>,
    /// The resolutions earlier plans kept and this one keeps (`graph::Resolutions`),
    /// the head graph's and the base graph's, each opened when its graph asks.
    resolutions: Option<CachedResolutions>,
    base_resolutions: Option<CachedResolutions>,
    /// The threads writing what this plan keeps in files read whole ([`Reader::keep`]),
    /// each to a temporary file.
    keeping: Vec<(KeptFile, std::thread::JoinHandle<std::io::Result<PathBuf>>)>,
    /// Files parsed, and taken from the cache (for `IMPACT_TIMINGS`).
    pub n_parsed: usize,
    pub n_cached: usize,
}

impl Reader {
    /// A reader on the repository's cache, or on none (`--no-cache`). The cache loads
    /// on its own thread while the caller lists the revision's files (a warm plan's
    /// largest step before the graph, which the listing would otherwise wait for).
    pub fn open(git_root: &Path, no_cache: bool) -> Reader {
        let dir = (!no_cache).then(|| cache_dir(git_root));
        let (cache, loading) = match &dir {
            None => (FactsCache::disabled(), None),
            Some(dir) => {
                let spawned = std::thread::Builder::new()
                    .name("facts-cache".to_string())
                    .spawn({
                        let dir = dir.clone();
                        move || FactsCache::load(&dir)
                    });
                match spawned {
                    Ok(handle) => (FactsCache::disabled(), Some(handle)),
                    Err(_) => (FactsCache::load(dir), None),
                }
            }
        };
        Reader {
            cache,
            loading,
            resolutions: None,
            base_resolutions: None,
            dir,
            keeping: Vec::new(),
            n_parsed: 0,
            n_cached: 0,
        }
    }

    /// Every source file of `snapshot`, classified, sorted by path ([`entries`]), with
    /// each path's answer taken from the listing the last plan kept where it holds one;
    /// this plan's is kept when it ends ([`Reader::finish`]).
    pub fn entries(&mut self, project: &Project, snapshot: &Snapshot) -> Vec<SourceEntry> {
        let kept = self.kept(KeptFile::Listing);
        let listed = crate::listing::list(project, snapshot, kept.as_deref(), self.keeps());
        self.keep(KeptFile::Listing, listed.to_keep);
        listed.entries
    }

    /// Whether this plan keeps files for the next ([`Reader::keep`]): not with
    /// `--no-cache`, nor in a first plan, whose cache directory does not exist yet.
    pub fn keeps(&self) -> bool {
        self.dir.as_deref().is_some_and(Path::is_dir)
    }

    /// What an earlier plan kept in `file` (nothing with `--no-cache`).
    pub fn kept(&self, file: KeptFile) -> Option<Vec<u8>> {
        crate::cache::read_kept(self.dir.as_deref()?, file)
    }

    /// Keeps `record` in `file` for the next plan: written at once to a temporary file,
    /// on its own thread, and put in place when the plan ends ([`Reader::finish`]; a plan
    /// that stops on an error removes it). Held until the plan ended, the records (5 MB
    /// at 10,000 classes) stayed in the peak: the bench's cold 10,000-class plan peaked at
    /// 298–300 MB with them and the trees held to its end, 280–281 with neither. A plan
    /// whose cache directory does not exist yet (a first plan) keeps nothing: a plan that
    /// stops writes no cache, and the next plan keeps them. When the kept one was
    /// damaged, warns of it.
    pub fn keep(&mut self, file: KeptFile, to_keep: ToKeep) {
        let Some(dir) = &self.dir else { return };
        if to_keep.damaged {
            crate::cache::warn_damaged(dir, file);
        }
        let Some(record) = to_keep.record.filter(|_| dir.is_dir()) else {
            return;
        };
        let dir = dir.clone();
        // A thread that cannot be started keeps nothing either.
        let spawned = std::thread::Builder::new()
            .name("keep".to_string())
            .spawn(move || crate::cache::stage_kept(&dir, file, &record));
        if let Ok(handle) = spawned {
            self.keeping.push((file, handle));
        }
    }

    /// The cache, once loaded. Loading never panics; were it to, the files are parsed
    /// again and nothing is written, as with `--no-cache`.
    fn loaded_cache(&mut self) -> FactsCache {
        if let Some(handle) = self.loading.take() {
            self.cache = handle.join().unwrap_or_else(|_| FactsCache::disabled());
        }
        std::mem::take(&mut self.cache)
    }

    /// The resolutions earlier plans kept, for the head graph and (`with_base`) the base
    /// graph to reuse and keep their own in; `None` with `--no-cache`.
    pub fn resolutions(&mut self, with_base: bool) -> Option<KeptResolutions<'_>> {
        let dir = self.dir.as_ref()?;
        let head = self
            .resolutions
            .get_or_insert_with(|| crate::cache::open_resolutions(dir, GraphSide::Head));
        let base = with_base.then(|| {
            self.base_resolutions
                .get_or_insert_with(|| crate::cache::open_resolutions(dir, GraphSide::Base))
        });
        Some(KeptResolutions { head, base })
    }

    /// How many files the head graph resolved, and how many it took from the kept
    /// resolutions; the same of the base graph when it was built (for
    /// `IMPACT_TIMINGS`).
    pub fn resolution_counts(&self) -> ((usize, usize), Option<(usize, usize)>) {
        let head = self
            .resolutions
            .as_ref()
            .map_or((0, 0), |resolutions| resolutions.counts());
        let base = self
            .base_resolutions
            .as_ref()
            .map(|resolutions| resolutions.counts());
        (head, base)
    }

    /// The facts of `entries`, in their order, through the cache.
    pub fn facts(
        &mut self,
        snapshot: &Snapshot,
        entries: &[SourceEntry],
    ) -> Result<Vec<FileFacts>> {
        let mut cache = self.loaded_cache();
        let facts = self.facts_with(snapshot, entries, &mut cache);
        self.cache = cache;
        facts
    }

    /// The facts of `entries`, parsed without the cache (whose records of them did not
    /// read back, [`Reader::reparse`]).
    fn facts_uncached(
        &mut self,
        snapshot: &Snapshot,
        entries: &[SourceEntry],
    ) -> Result<Vec<FileFacts>> {
        self.facts_with(snapshot, entries, &mut FactsCache::disabled())
    }

    fn facts_with(
        &mut self,
        snapshot: &Snapshot,
        entries: &[SourceEntry],
        cache: &mut FactsCache,
    ) -> Result<Vec<FileFacts>> {
        let mut missing: Vec<usize> = Vec::new();
        let mut results: Vec<Option<Facts>> = vec![None; entries.len()];
        let mut key = String::new();
        for (position, entry) in entries.iter().enumerate() {
            FactsCache::write_key(&mut key, &entry.blob, &entry.path);
            match cache.take(&key) {
                Some(facts) => {
                    results[position] = Some(facts);
                    self.n_cached += 1;
                }
                None => missing.push(position),
            }
        }
        let parsed = parse_while_reading(snapshot, entries, &missing)?;
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

    /// Parses again the files of `files` whose path is in `paths`: their cached uses did
    /// not decode when the graph read them ([`crate::graph::Graph::undecodable`]). The
    /// cache takes their new facts when it is written.
    pub fn reparse(
        &mut self,
        snapshot: &Snapshot,
        files: &mut [FileFacts],
        paths: &[String],
    ) -> Result<()> {
        let entries: Vec<SourceEntry> = files
            .iter()
            .filter(|file| paths.contains(&file.path))
            .map(|file| SourceEntry {
                path: file.path.clone(),
                blob: file.blob.clone(),
                component: file.component.clone(),
                parent: None,
            })
            .collect();
        let parsed = self.facts_uncached(snapshot, &entries)?;
        let mut cache = self.loaded_cache();
        let mut by_path: HashMap<String, Facts> = HashMap::new();
        for file in parsed {
            cache.note_parsed(FactsCache::key(&file.blob, &file.path));
            by_path.insert(file.path, file.facts);
        }
        self.cache = cache;
        for file in files.iter_mut() {
            if let Some(facts) = by_path.remove(&file.path) {
                file.facts = facts;
            }
        }
        Ok(())
    }

    /// Writes what was parsed back to the cache (the cache lent its facts to the
    /// reader; they go back before it is written). The facts and the cache are then
    /// leaked on purpose: on a large org freeing them takes longer than a warm plan, and
    /// the process exits soon after.
    pub fn finish(mut self, files: Vec<FileFacts>) {
        let keeping = std::mem::take(&mut self.keeping);
        if let Some(dir) = &self.dir {
            for (file, writing) in keeping {
                crate::cache::place_kept(dir, file, joined(writing));
            }
            let sides = [
                (GraphSide::Head, self.resolutions.take()),
                (GraphSide::Base, self.base_resolutions.take()),
            ];
            for (side, resolutions) in sides {
                if let Some(resolutions) = resolutions {
                    crate::cache::close_resolutions(dir, side, resolutions);
                }
            }
        }
        let mut cache = self.loaded_cache();
        let mut files = files;
        if cache.is_dirty() && cache.can_append() {
            let fresh = files
                .iter()
                .map(|file| (FactsCache::key(&file.blob, &file.path), &file.facts));
            cache.append_fresh(fresh);
        } else if cache.is_dirty() {
            cache.save_read(
                std::mem::take(&mut files)
                    .into_iter()
                    .map(|file| (FactsCache::key(&file.blob, &file.path), file.facts)),
            );
        }
        std::mem::forget((files, cache));
    }
}

/// The temporary file a thread of [`Reader::keep`] wrote.
fn joined(handle: std::thread::JoinHandle<std::io::Result<PathBuf>>) -> std::io::Result<PathBuf> {
    handle
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the writing thread stopped")))
}

/// A plan that stops on an error writes no cache: the files it began keeping are
/// waited for and removed (the process must not exit while one is half written).
impl Drop for Reader {
    fn drop(&mut self) {
        for (_, writing) in self.keeping.drain(..) {
            if let Ok(temp) = joined(writing) {
                let _ = std::fs::remove_file(temp);
            }
        }
    }
}

/// Refuses a project whose package directory is missing at the planned revision: no
/// file of the snapshot lies under it (and, in the working tree, no such directory). A
/// package directory in a submodule is there, though `impact` cannot read it
/// ([`Project::holds_sources_in_submodule`]).
pub fn check_package_dirs(project: &Project, snapshot: &Snapshot) -> Result<()> {
    project.check_package_dirs(|dir| {
        snapshot.has_dir(dir)
            || snapshot.in_submodule(dir)
            || (snapshot.revision() == Revision::Worktree && project.git_root.join(dir).is_dir())
    })
}

/// The paths, from the repository's root, that the project's Jest configuration in
/// `snapshot` names ([`lwc::jest_config_paths`]): its files are Jest's wherever they lie
/// (`changes::classify_diff`). None without a configuration file, or with one that cannot
/// be read (a plan then treats those files as it did before, with a warning).
pub fn jest_config_paths(project: &Project, snapshot: &Snapshot) -> Vec<String> {
    let Some(config) = lwc::JEST_CONFIG_FILES
        .iter()
        .map(|name| project.in_root(name))
        .find(|path| snapshot.blob(path).is_some())
    else {
        return Vec::new();
    };
    match snapshot.read(&config) {
        Ok(bytes) => lwc::jest_config_paths(&String::from_utf8_lossy(&bytes))
            .iter()
            .map(|path| project.in_root(path))
            .collect(),
        Err(error) => {
            crate::error::warn_local(format_args!(
                "{config}: not read ({error}); the files it names are not known as Jest's"
            ));
            Vec::new()
        }
    }
}

/// The project as `sfdx-project.json` and `.forceignore` say at commit `oid` (found where
/// the working tree has them).
pub fn project_at(repo: &Repo, on_disk: &Project, oid: git2::Oid) -> Result<Project> {
    let project_file = on_disk.project_file();
    let json = repo
        .read_at(oid, &project_file)?
        .ok_or_else(|| Error::NoProjectAtRevision {
            file: project_file.clone(),
            rev: oid.to_string(),
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
        Error::MalformedProject { path, reason } => Error::MalformedProject {
            path: PathBuf::from(format!("{} at {oid}", path.display())),
            reason,
        },
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{Repository, Signature};

    /// A Jest test is a `.test.js` or `.spec.js` file anywhere under a `__tests__` or
    /// `__test__` folder, in any package layout; the bundle it tests is the one whose
    /// folder holds that folder, if any.
    #[test]
    fn jest_tests_are_the_test_files_under_a_tests_folder() {
        for (inner, is_test, bundle) in [
            (
                "main/default/lwc/invoiceList/__tests__/invoiceList.test.js",
                true,
                Some("invoiceList"),
            ),
            (
                "lwc/invoiceList/__tests__/nested/invoiceList.spec.js",
                true,
                Some("invoiceList"),
            ),
            (
                "main/default/lwc/button/__test__/button.spec.js",
                true,
                Some("button"),
            ),
            (
                "main/default/lwc/invoiceList/__tests__/data.json",
                false,
                None,
            ),
            (
                "main/default/lwc/invoiceList/__tests__/helper.js",
                false,
                None,
            ),
            (
                "main/default/lwc/invoiceList/invoiceList.test.js",
                false,
                None,
            ),
            // Jest runs these too; they test no bundle of their own.
            ("main/default/lwc/__tests__/shared.test.js", true, None),
            ("main/default/lwc/a/b/__tests__/b.test.js", true, None),
            (
                "test/lightningtest/cardTest/__test__/cardTest.spec.js",
                true,
                None,
            ),
            // A bundle in a folder of bundles.
            (
                "main/default/lwc/forms/lwc/addressInput/__tests__/addressInput.test.js",
                true,
                Some("addressInput"),
            ),
            (
                "main/default/aura/invoiceApp/__tests__/invoiceApp.test.js",
                true,
                None,
            ),
            ("node_modules/x/__tests__/x.test.js", false, None),
            ("x.test.js", false, None),
        ] {
            let path = format!("force-app/{inner}");
            let found = jest_test(inner, &path);
            assert_eq!(found.is_some(), is_test, "{inner}");
            if let Some(id) = found {
                assert_eq!(id, ComponentId::new(types::LWC_JEST_TEST, &path));
                assert_eq!(lwc::bundle_of_jest_test(&path), bundle, "{inner}");
            }
        }
    }

    /// A Jest test outside the package directories is one in a Jest test folder of the
    /// project's folder, not under `node_modules`.
    #[test]
    fn jest_tests_beside_the_package_directories_are_the_project_s() {
        let json = r#"{"packageDirectories":[{"path":"force-app","default":true}]}"#;
        for (root, path, is_test) in [
            ("", "__tests__/unit/chart.test.js", true),
            ("", "__tests__/chart.spec.js", true),
            ("", "test/__tests__/deep/chart.test.js", true),
            ("", "test/unit/__test__/chart.spec.js", true),
            ("", "__tests__/__utils__/setup.js", false),
            ("", "unit/chart.test.js", false),
            ("", "node_modules/pkg/__tests__/index.test.js", false),
            ("sf", "sf/__tests__/unit/chart.test.js", true),
            ("sf", "__tests__/unit/chart.test.js", false),
            ("sf", "sfx/__tests__/unit/chart.test.js", false),
        ] {
            let project =
                Project::from_parts(Path::new("/repo"), root, json, None).expect("project");
            let found = project_jest_test(&project, path);
            assert_eq!(found.is_some(), is_test, "{root}: {path}");
            if let Some(id) = found {
                assert_eq!(id, ComponentId::new(types::LWC_JEST_TEST, path));
                assert!(classify(&project, path, "0").is_some(), "{path}");
            }
        }
    }

    /// A committed project of `classes` Apex classes (each calls the one before), opened.
    fn project_of(classes: usize) -> (tempfile::TempDir, Project, Repo) {
        let dir = tempfile::tempdir().expect("tempdir");
        let git = Repository::init(dir.path()).expect("init");
        let write = |path: &str, text: &str| {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, text).expect("write");
        };
        write(
            "sfdx-project.json",
            r#"{"packageDirectories":[{"path":"force-app","default":true}]}"#,
        );
        for n in 0..classes {
            write(
                &format!("force-app/main/default/classes/C{n:03}.cls"),
                &format!(
                    "public class C{n:03} {{ public Integer n() {{ return C{:03}.n() + {n}; }} }}",
                    n.saturating_sub(1)
                ),
            );
        }
        let mut index = git.index().expect("index");
        index
            .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
            .expect("add");
        let tree = git
            .find_tree(index.write_tree().expect("tree"))
            .expect("find tree");
        let who = Signature::now("t", "t@t.invalid").expect("signature");
        git.commit(Some("HEAD"), &who, &who, "classes", &tree, &[])
            .expect("commit");
        let project = Project::discover(dir.path()).expect("project");
        let repo = Repo::open(dir.path()).expect("repo");
        (dir, project, repo)
    }

    /// Many batches of files, read on this thread and parsed on others, come back in
    /// file order with the facts each file gives alone; so do a batch's worth, and all
    /// of them read on a thread of a rayon pool (both read first, then parsed).
    #[test]
    fn files_parsed_while_read_come_back_in_order_on_any_thread() {
        let (_dir, project, repo) = project_of(READ_BATCH * BATCHES_AHEAD * 2 + 5);
        let head = repo.head_commit().expect("head");
        let snapshot = repo.snapshot(&Revision::Commit(head)).expect("snapshot");
        let entries = crate::listing::list(&project, &snapshot, None, false).entries;
        let positions: Vec<usize> = (0..entries.len()).rev().step_by(2).rev().collect();
        let alone: Vec<(usize, Facts)> = positions
            .iter()
            .map(|&at| {
                let bytes = read_entry(&snapshot, &entries[at]).expect("read");
                (at, parse_entry(&entries[at], &bytes))
            })
            .collect();

        let parsed = parse_while_reading(&snapshot, &entries, &positions).expect("parsed");
        assert_eq!(parsed, alone);
        let few = &positions[..READ_BATCH];
        let parsed = parse_while_reading(&snapshot, &entries, few).expect("parsed");
        assert_eq!(parsed, alone[..READ_BATCH]);

        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a pool");
        // The snapshot is not `Send`; the pool's thread takes its own.
        let in_pool = pool.install(|| {
            let repo = Repo::open(&project.git_root).expect("repo");
            let snapshot = repo.snapshot(&Revision::Commit(head)).expect("snapshot");
            parse_while_reading(&snapshot, &entries, &positions).expect("parsed")
        });
        assert_eq!(in_pool, alone);
    }
}
