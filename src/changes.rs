//! Changes: from changed files to changed components, and the nodes each change seeds.
//!
//! A file belongs to one component (`Foo.cls` and `Foo.cls-meta.xml` to `ApexClass:Foo`),
//! so changed files are grouped by component. Inside a component the change is located
//! to the declarations whose text changed: the Apex members whose tokens differ, the one
//! label of `CustomLabels.labels-meta.xml` that changed. A change whose only difference
//! is comments or whitespace is non-semantic and seeds nothing. No I/O.

use crate::facts::{DeclKind, Facts, FileFacts};
use crate::git::{FileChange, FileStatus, SnapshotFile};
use crate::metadata::component::ComponentId;
use crate::metadata::registry::{self, FileRole};
use crate::metadata::types::{self, TestImpact};
use crate::project::Project;
use crate::project_change::{self, LeftOut, ProjectFileChange};
use crate::source::{self, SourceEntry};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One version of a changed file, parsed.
#[derive(Clone, Debug)]
pub struct FileVersion {
    pub path: String,
    pub component: ComponentId,
    pub facts: Facts,
}

/// A changed file: its base version, its head version, or both.
#[derive(Clone, Debug)]
pub struct ChangedFile {
    pub old: Option<FileVersion>,
    pub new: Option<FileVersion>,
}

/// How a component changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

impl ChangeKind {
    /// The word used in the plan.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Deleted => "deleted",
        }
    }
}

/// A changed component and where the walk starts from it.
#[derive(Clone, Debug)]
pub struct Change {
    pub component: ComponentId,
    pub kind: ChangeKind,
    /// Changed files, sorted.
    pub paths: Vec<String>,
    /// False when only comments or whitespace changed.
    pub semantic: bool,
    /// Nodes of the head graph the change starts from (the walk goes to every user).
    pub head_seeds: Vec<ComponentId>,
    /// Nodes of the base graph the change starts from (deleted and removed things).
    pub base_seeds: Vec<ComponentId>,
    /// Files of the change that could not be parsed completely (`path: message`).
    pub problems: Vec<String>,
    /// True when the change could not be located inside the component and the whole
    /// component counts as changed.
    pub whole: bool,
}

/// Groups changed files by component and locates each change.
/// `in_base` / `in_head` tell whether a component exists at all at each revision (a
/// bundle with one file added already existed).
pub fn locate(
    files: &[ChangedFile],
    in_base: &dyn Fn(&ComponentId) -> bool,
    in_head: &dyn Fn(&ComponentId) -> bool,
) -> Vec<Change> {
    // Each side of a file goes to its own component: git pairs renames by content, and
    // two classes' identical `-meta.xml` files pair across components, so a rename
    // across components is judged as the old component's change and the new one's.
    let mut groups: BTreeMap<String, (Vec<&FileVersion>, Vec<&FileVersion>)> = BTreeMap::new();
    for file in files {
        if let Some(old) = &file.old {
            groups
                .entry(old.component.key().to_string())
                .or_default()
                .0
                .push(old);
        }
        if let Some(new) = &file.new {
            groups
                .entry(new.component.key().to_string())
                .or_default()
                .1
                .push(new);
        }
    }

    let mut changes = Vec::new();
    for (old_files, new_files) in groups.into_values() {
        let component = new_files
            .first()
            .or(old_files.first())
            .map(|file| file.component.clone());
        let Some(component) = component else {
            continue;
        };
        let kind = if !in_base(&component) {
            ChangeKind::Added
        } else if !in_head(&component) {
            ChangeKind::Deleted
        } else {
            ChangeKind::Modified
        };
        let group = Group {
            component,
            kind,
            old_files,
            new_files,
        };
        let many_per_file =
            types::type_info(group.component.type_name()).is_some_and(|info| info.many_per_file);
        match kind {
            ChangeKind::Modified if many_per_file => changes.extend(group.locate_children()),
            // A deleted file of many components deletes each of them too, as a deleted
            // decomposed workflow deletes each child's file: `diff` lists the children
            // in `destructiveChanges.xml` rather than their container.
            ChangeKind::Deleted if many_per_file => {
                let whole = group.locate();
                let children: Vec<Change> = group
                    .locate_children()
                    .into_iter()
                    .filter(|child| child.component != whole.component)
                    .collect();
                changes.push(whole);
                changes.extend(children);
            }
            _ => changes.push(group.locate()),
        }
    }
    changes.sort_by(|a, b| a.component.cmp(&b.component));
    merge_moves(changes)
}

/// A child that moved between a file of many components and its own file (a workflow
/// or its sharing rules converted to or from the decomposed layout) is seen as deleted
/// from one file and added in the other. It exists at both revisions: one modified
/// change, never a deletion, which would put a component the same deploy adds into
/// `destructiveChanges.xml`. `changes` are sorted by component.
fn merge_moves(changes: Vec<Change>) -> Vec<Change> {
    let mut merged: Vec<Change> = Vec::with_capacity(changes.len());
    for change in changes {
        let Some(last) = merged.last_mut() else {
            merged.push(change);
            continue;
        };
        let kinds = [last.kind, change.kind];
        let moved = last.component == change.component
            && kinds.contains(&ChangeKind::Added)
            && kinds.contains(&ChangeKind::Deleted);
        if !moved {
            merged.push(change);
            continue;
        }
        last.kind = ChangeKind::Modified;
        last.semantic = true;
        last.whole |= change.whole;
        for (into, from) in [
            (&mut last.paths, change.paths),
            (&mut last.problems, change.problems),
        ] {
            into.extend(from);
            into.sort();
            into.dedup();
        }
        for (into, from) in [
            (&mut last.head_seeds, change.head_seeds),
            (&mut last.base_seeds, change.base_seeds),
        ] {
            into.extend(from);
            into.sort();
            into.dedup();
        }
    }
    merged
}

/// The folders two paths of a file differ by: what is left when their longest common
/// tail of whole segments is taken off, each with its `/` (`("a/b/", "c/")` for
/// `a/b/x/F.cls` and `c/x/F.cls`, `("", "src/")` for `x/F.cls` and `src/x/F.cls`; two
/// empty folders for one path); `None` when the file's names differ.
fn moved_folders<'p>(old: &'p str, new: &'p str) -> Option<(&'p str, &'p str)> {
    let shared = old
        .rsplit('/')
        .zip(new.rsplit('/'))
        .take_while(|(old, new)| old == new)
        .count();
    if shared == 0 {
        return None;
    }
    let folder = |path: &'p str| {
        let mut end = path.len();
        for _ in 0..shared {
            match path[..end].rfind('/') {
                Some(slash) => end = slash,
                None => return "",
            }
        }
        &path[..end + 1]
    };
    Some((folder(old), folder(new)))
}

struct Group<'a> {
    component: ComponentId,
    kind: ChangeKind,
    old_files: Vec<&'a FileVersion>,
    new_files: Vec<&'a FileVersion>,
}

impl<'a> Group<'a> {
    fn paths(&self) -> Vec<String> {
        let paths: BTreeSet<String> = self
            .old_files
            .iter()
            .chain(self.new_files.iter())
            .map(|file| file.path.clone())
            .collect();
        paths.into_iter().collect()
    }

    fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .new_files
            .iter()
            .flat_map(|file| {
                file.facts
                    .problems
                    .iter()
                    .map(move |problem| format!("{}: {}", file.path, problem.message))
            })
            .collect();
        problems.sort();
        problems.dedup();
        problems
    }

    /// Whether anything but comments and whitespace changed. A component moved unchanged,
    /// all its files from one folder to another (a package directory reorganized, a
    /// component moved to the folder a team deploys apart), deploys the same component:
    /// navikt's crm-nks-chat moved eight routing configs and ran every test. Whether the
    /// folder it went to is deployed at all is `.forceignore`'s and `sfdx-project.json`'s
    /// to say, and planned as their changes. Only the changed files are in the group, so
    /// a bundle moved only if its folder moved with each file ([`Group::moves_whole`]): a
    /// file moved inside a bundle is a change (an import of it may no longer find it).
    fn is_semantic(&self) -> bool {
        if self.kind != ChangeKind::Modified {
            return true;
        }
        let sorted = |files: &[&'a FileVersion]| {
            let mut files = files.to_vec();
            files.sort_by(|a, b| a.path.cmp(&b.path));
            files
        };
        let (old, new) = (sorted(&self.old_files), sorted(&self.new_files));
        let (Some(first_old), Some(first_new)) = (old.first(), new.first()) else {
            return old.len() != new.len();
        };
        let Some((old_folder, new_folder)) = moved_folders(&first_old.path, &first_new.path) else {
            return true;
        };
        let moved = old_folder != new_folder;
        old.len() != new.len()
            || old.iter().zip(&new).any(|(old, new)| {
                let rest = old.path.strip_prefix(old_folder);
                old.facts.semantic_hash != new.facts.semantic_hash
                    || rest != new.path.strip_prefix(new_folder)
                    || (moved && !self.moves_whole(rest.unwrap_or_default()))
            })
    }

    /// Whether a file of the component moved by a change of the folder above `rest` (its
    /// path below the folders that differ) moved with the whole component: any file of a
    /// component that is one file and its `-meta.xml`, a file of a bundle only when the
    /// bundle's folder is in `rest`. Static resources, experience bundles and children
    /// in their parent's file are never taken for moved.
    fn moves_whole(&self, rest: &str) -> bool {
        let Some(info) = types::type_info(self.component.type_name()) else {
            return false;
        };
        match info.strategy {
            types::Strategy::Bundle => {
                let bundle = self.component.full_name();
                let mut folders = rest.split('/').rev().skip(1);
                folders.any(|folder| folder.eq_ignore_ascii_case(bundle))
            }
            types::Strategy::MixedContent
            | types::Strategy::DigitalExperience
            | types::Strategy::ChildInFile => false,
            _ => true,
        }
    }

    fn has_problems(&self) -> bool {
        self.old_files
            .iter()
            .chain(self.new_files.iter())
            .any(|file| !file.facts.problems.is_empty())
    }

    fn locate(&self) -> Change {
        let semantic = self.is_semantic();
        let mut change = Change {
            component: self.component.clone(),
            kind: self.kind,
            paths: self.paths(),
            semantic,
            head_seeds: Vec::new(),
            base_seeds: Vec::new(),
            problems: self.problems(),
            whole: false,
        };
        // A page's markup runs in no test: only its deletion, which breaks the Apex that
        // names it (`Page.X`), is walked.
        if !semantic
            || (self.kind != ChangeKind::Deleted
                && types::deletion_only(self.component.type_name()))
        {
            return change;
        }
        let old_hashes = declaration_hashes(&self.old_files);
        let new_hashes = declaration_hashes(&self.new_files);
        let locatable = self.kind == ChangeKind::Modified && !self.has_problems();
        let mut head: BTreeSet<ComponentId> = BTreeSet::new();
        let mut base: BTreeSet<ComponentId> = BTreeSet::new();
        if locatable {
            for (id, (hash, kind)) in &new_hashes {
                let changed = match old_hashes.get(id) {
                    Some((old_hash, _)) => old_hash != hash,
                    None => true,
                };
                if changed && !is_container(*kind) {
                    head.insert(id.clone());
                }
            }
            for id in old_hashes.keys() {
                if !new_hashes.contains_key(id) {
                    base.insert(id.clone());
                }
            }
        }
        if head.is_empty() && base.is_empty() {
            // Nothing located (added, deleted, unparseable, or a change the
            // declarations do not show): the whole component changed.
            change.whole = true;
            head = new_hashes.keys().cloned().collect();
            base = old_hashes.keys().cloned().collect();
            if self.kind != ChangeKind::Deleted {
                head.insert(self.component.clone());
            }
            if self.kind != ChangeKind::Added {
                base.insert(self.component.clone());
            }
        }
        // Switching automation off (a flow set to Draft, deactivated by its definition, a
        // validation rule switched off) changes what the object's writers see: walk from
        // the base, where it still ran.
        // So does renaming what code finds it by (a record type's label, a lookup's
        // relationship name): code holding the old name reads nothing at the head.
        let walked_from_base = self.switched_off().contains(&self.component)
            || self.renamed().contains(&self.component);
        if self.kind == ChangeKind::Modified && walked_from_base {
            base.insert(self.component.clone());
        }
        change.head_seeds = head.into_iter().collect();
        change.base_seeds = base.into_iter().collect();
        change
    }

    /// The declarations (the component, or children of it) whose base version ran
    /// automation on DML and whose head version does not: read once per component, not
    /// once per changed child.
    fn switched_off(&self) -> HashSet<&'a ComponentId> {
        let running = |files: &[&'a FileVersion]| -> HashSet<&'a ComponentId> {
            files
                .iter()
                .flat_map(|file| file.facts.declares.iter())
                .filter(|decl| decl.runs_automation())
                .map(|decl| &decl.id)
                .collect()
        };
        let head = running(&self.new_files);
        running(&self.old_files)
            .into_iter()
            .filter(|id| !head.contains(id))
            .collect()
    }

    /// The declarations whose other name ([`crate::facts::Declaration::alias`]: a record
    /// type's label, a lookup's relationship name) at the base is not theirs at the head.
    fn renamed(&self) -> HashSet<&'a ComponentId> {
        let aliases = |files: &[&'a FileVersion]| -> HashMap<&'a ComponentId, &'a str> {
            let declarations = files.iter().flat_map(|file| file.facts.declares.iter());
            declarations
                .filter_map(|decl| Some((&decl.id, decl.alias.as_deref()?)))
                .collect()
        };
        let head = aliases(&self.new_files);
        aliases(&self.old_files)
            .into_iter()
            .filter(|(id, alias)| head.get(id) != Some(alias))
            .map(|(id, _)| id)
            .collect()
    }

    /// For files that hold many components: one change per child that changed.
    fn locate_children(&self) -> Vec<Change> {
        if self.has_problems() {
            return vec![self.locate()];
        }
        let old_hashes = declaration_hashes(&self.old_files);
        let new_hashes = declaration_hashes(&self.new_files);
        let parent = &self.component;
        let switched_off = self.switched_off();
        let mut changes = Vec::new();
        let children: BTreeSet<&ComponentId> = old_hashes
            .keys()
            .chain(new_hashes.keys())
            .filter(|id| *id != parent)
            .collect();
        for id in children {
            let (kind, head, base) = match (old_hashes.get(id), new_hashes.get(id)) {
                (Some(old), Some(new)) if old.0 == new.0 => continue,
                // A rule switched off: walked on the base as well, where it still ran.
                (Some(_), Some(_)) if switched_off.contains(id) => {
                    (ChangeKind::Modified, vec![id.clone()], vec![id.clone()])
                }
                (Some(_), Some(_)) => (ChangeKind::Modified, vec![id.clone()], vec![]),
                (None, Some(_)) => (ChangeKind::Added, vec![id.clone()], vec![]),
                (Some(_), None) => (ChangeKind::Deleted, vec![], vec![id.clone()]),
                (None, None) => continue,
            };
            changes.push(Change {
                component: id.clone(),
                kind,
                paths: self.paths(),
                semantic: true,
                head_seeds: head,
                base_seeds: base,
                problems: Vec::new(),
                whole: false,
            });
        }
        if changes.is_empty() {
            // The file changed but no child did: list the file's component, and let the
            // semantic hash decide whether it matters.
            let mut change = self.locate();
            if change.semantic {
                change.whole = true;
            }
            return vec![change];
        }
        changes
    }
}

/// Classes, interfaces and enums are containers: their own text is covered by their
/// members and their `<class>` header member, so their hash is not compared.
fn is_container(kind: DeclKind) -> bool {
    matches!(kind, DeclKind::Class | DeclKind::Interface | DeclKind::Enum)
}

fn declaration_hashes(files: &[&FileVersion]) -> BTreeMap<ComponentId, (u64, DeclKind)> {
    let mut hashes: BTreeMap<ComponentId, (u64, DeclKind)> = BTreeMap::new();
    for file in files {
        for declaration in &file.facts.declares {
            let entry = hashes
                .entry(declaration.id.clone())
                .or_insert((0, declaration.kind));
            // Several files may declare the same node (a class and its meta file).
            entry.0 = entry.0.rotate_left(7) ^ declaration.body_hash;
            if declaration.kind != DeclKind::Component {
                entry.1 = declaration.kind;
            }
        }
    }
    hashes
}

/// What the diff shows besides the changed components; the policy reads it.
#[derive(Debug, Default)]
pub struct Context {
    /// Changes to `sfdx-project.json` or `.forceignore` that can change every test.
    pub project_files: Vec<ProjectFileChange>,
    /// Changed files inside a package directory that no metadata type claims.
    pub unknown_files: Vec<String>,
    /// Changed files inside a package directory that only Jest reads: mocks and helpers
    /// under a `jest-mocks`, `__mocks__` or `__tests__` folder outside any bundle (see
    /// [`is_jest_support`]).
    pub jest_support_files: Vec<String>,
    /// Submodules inside a package directory that were added, removed or moved to
    /// another commit: what changed inside them cannot be seen.
    pub changed_submodules: Vec<String>,
    /// Components a manifest names that the repository does not hold (an Apex class
    /// deployed from a folder outside the package directories): what they run cannot be
    /// seen either.
    pub unseen: Vec<ComponentId>,
}

impl Context {
    /// Settles the `.forceignore` change once [`forceignore_moves`] has made the files
    /// it starts or stops deploying part of the diff: it is planned through them, and
    /// falls back only for the whole components it stops deploying (`left_out`).
    pub fn settle_forceignore(&mut self, left_out: &[String]) {
        if let Some((first, more)) = left_out.split_first() {
            for change in &mut self.project_files {
                if let ProjectFileChange::ForceIgnore { left_out, .. } = change {
                    *left_out = Some(LeftOut {
                        first: first.clone(),
                        more: more.len(),
                    });
                }
            }
        } else {
            self.project_files
                .retain(|change| !matches!(change, ProjectFileChange::ForceIgnore { .. }));
        }
    }
}

/// The files of a diff that are source, classified at each side (the base side by the
/// base revision's project), and what else the diff shows.
#[derive(Debug, Default)]
pub struct ChangedSources {
    /// The base and head side of each changed source file, in diff order.
    pub files: Vec<(Option<SourceEntry>, Option<SourceEntry>)>,
    pub context: Context,
}

impl ChangedSources {
    /// The base sides, whose facts the caller reads (by blob id: no need to list the
    /// base revision's tree).
    pub fn old_entries(&self) -> Vec<SourceEntry> {
        self.files
            .iter()
            .filter_map(|(old, _)| old.clone())
            .collect()
    }

    /// The head paths of the changed files.
    pub fn new_paths(&self) -> HashSet<String> {
        self.files
            .iter()
            .filter_map(|(_, new)| new.as_ref().map(|entry| entry.path.clone()))
            .collect()
    }
}

/// Classifies the files of a diff. Files `is_ignored` matches on every side are left
/// out; a changed file in a package directory that no type claims is noted as unknown;
/// `sfdx-project.json` is diffed by key against the base's (`base_read`, when the base
/// revision has a readable one). `jest_paths` gives what Jest's configuration names
/// (`source::jest_config_paths`), asked at most once, when a file needs it.
pub fn classify_diff(
    file_changes: &[FileChange],
    changed_submodules: &[String],
    project: &Project,
    base_project: &Project,
    base_read: Option<&Project>,
    jest_paths: &dyn Fn() -> Vec<String>,
    is_ignored: &dyn Fn(&str) -> bool,
) -> ChangedSources {
    let project_file = project.project_file();
    // Read only when a changed file outside what Salesforce deploys needs them.
    let named_by_jest = std::cell::OnceCell::new();
    let mut out = ChangedSources::default();
    out.context.changed_submodules = changed_submodules
        .iter()
        .filter(|path| project.holds_sources_in_submodule(path) && !is_ignored(path))
        .cloned()
        .collect();
    for file_change in file_changes {
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
                out.context
                    .project_files
                    .extend(project_change::project_json_change(
                        path,
                        base_read.map(|base| &base.settings),
                        &project.settings,
                    ));
            } else if *path == project.forceignore_file() {
                out.context
                    .project_files
                    .push(ProjectFileChange::ForceIgnore {
                        path: path.clone(),
                        left_out: None,
                    });
            }
        }
        let old = file_change
            .old_path
            .as_ref()
            .zip(file_change.old_blob)
            .and_then(|(path, blob)| source::classify(base_project, path, &blob.to_string()));
        let new = file_change
            .new_path
            .as_ref()
            .zip(file_change.new_blob)
            .and_then(|(path, blob)| source::classify(project, path, &blob.to_string()));
        if old.is_none() && new.is_none() {
            // A Jest file counts even when `.forceignore` leaves it out, as it usually
            // does (`__tests__`, `jest-mocks`: not deployed), and outside the package
            // directories (a project's own `__tests__/` beside them, its set-up files):
            // Jest reads it, a fixture a test `require`s or a mock of `lightning/*`.
            // Jest's configuration beside `sfdx-project.json` counts as well, and so do
            // a file in a bundle folder or a script that `.forceignore` leaves out of a
            // package directory (`test/jest-utils/`) and a file the
            // configuration names (`jest_paths`: a `moduleNameMapper` mock) that
            // Salesforce does not deploy (a configuration's `roots` may name a package
            // directory, whose unclaimed files still fall back).
            let is_jest_file = |path: &str| {
                is_jest_support(path)
                    || is_jest_configuration(path, project.root_relative())
                    || is_undeployed_jest_file(project, path)
                    || is_loose_jest_module(project, path)
                    || (!project.is_source(path)
                        && is_named_by_jest_config(path, named_by_jest.get_or_init(jest_paths)))
            };
            let unclaimed = [&file_change.new_path, &file_change.old_path]
                .into_iter()
                .flatten()
                .filter(|path| !is_inert(path))
                .find(|path| project.is_source(path) || is_jest_file(path));
            if let Some(path) = unclaimed {
                if is_jest_file(path) {
                    out.context.jest_support_files.push(path.clone());
                } else {
                    out.context.unknown_files.push(path.clone());
                }
            }
            continue;
        }
        out.files.push((old, new));
    }
    drop_ignored_at_head(&mut out.files, file_changes, project);
    out.context.unknown_files.sort();
    out.context.unknown_files.dedup();
    out.context.jest_support_files.sort();
    out.context.jest_support_files.dedup();
    out
}

/// Drops the base side of components that `.forceignore` leaves out at the head while
/// their file is still in the repository (a file moved under an ignored pattern, or
/// ignored by a new pattern): the deploy leaves such a component alone, so it is not a
/// deletion (a standard profile put into `destructiveChanges.xml` fails the deploy).
fn drop_ignored_at_head(
    files: &mut Vec<(Option<SourceEntry>, Option<SourceEntry>)>,
    file_changes: &[FileChange],
    project: &Project,
) {
    let kept_out: HashSet<String> = file_changes
        .iter()
        .filter_map(|change| change.new_path.as_deref())
        .filter(|path| project.is_force_ignored(path))
        .filter_map(|path| project.split_package_path(path))
        .filter_map(|(_, inner)| registry::classify(inner))
        // A bundle's ignored part (an LWC's `__tests__/`) leaves the bundle in source.
        .filter(|file| file.role != FileRole::BundlePart)
        .map(|file| file.component.key().to_string())
        .collect();
    if kept_out.is_empty() {
        return;
    }
    files.retain(|(old, new)| {
        new.is_some()
            || old
                .as_ref()
                .is_none_or(|entry| !kept_out.contains(entry.component.key()))
    });
}

/// The changes of a diff, located inside their components. `head_entries` are the head
/// revision's source files; `head_facts` and `old_facts` the facts of (at least) the
/// changed files' head and base sides.
pub fn locate_diff<'a>(
    file_changes: &[FileChange],
    sources: &ChangedSources,
    head_entries: &[SourceEntry],
    head_facts: impl IntoIterator<Item = &'a FileFacts>,
    old_facts: impl IntoIterator<Item = &'a FileFacts>,
) -> Vec<Change> {
    let new_by_path: FxHashMap<&str, &FileFacts> = head_facts
        .into_iter()
        .map(|file| (file.path.as_str(), file))
        .collect();
    let old_by_path: FxHashMap<&str, &FileFacts> = old_facts
        .into_iter()
        .map(|file| (file.path.as_str(), file))
        .collect();
    let changed_files: Vec<ChangedFile> = sources
        .files
        .iter()
        .map(|(old, new)| ChangedFile {
            old: old.as_ref().and_then(|entry| version(&old_by_path, entry)),
            new: new.as_ref().and_then(|entry| version(&new_by_path, entry)),
        })
        .collect();
    // The components that exist at the base, without listing the base tree: every
    // head file that was not added exists there too, and so does the old side of
    // every change.
    let added: FxHashSet<&str> = file_changes
        .iter()
        .filter(|change| matches!(change.status, FileStatus::Added | FileStatus::Renamed))
        .filter_map(|change| change.new_path.as_deref())
        .collect();
    let base_components: FxHashSet<&str> = head_entries
        .iter()
        .filter(|entry| !added.contains(entry.path.as_str()))
        .chain(sources.files.iter().filter_map(|(old, _)| old.as_ref()))
        .flat_map(SourceEntry::existing_keys)
        .collect();
    // A deleted object file is a deletion of the object only when nothing of the object
    // (a field, a record type) remains: a child's file keeps its parent.
    let head_components: FxHashSet<&str> = head_entries
        .iter()
        .flat_map(SourceEntry::existing_keys)
        .collect();
    locate(
        &changed_files,
        &|id| base_components.contains(id.key()),
        &|id| head_components.contains(id.key()),
    )
}

fn version(by_path: &FxHashMap<&str, &FileFacts>, entry: &SourceEntry) -> Option<FileVersion> {
    let file = by_path.get(entry.path.as_str())?;
    Some(FileVersion {
        path: file.path.clone(),
        component: file.component.clone(),
        facts: file.facts.clone(),
    })
}

/// Changes named by a manifest: each component counts as wholly changed, and a `*`
/// member (`<members>*</members>`) stands for every component of its type the head
/// holds. A component kept in another's file (a label in `CustomLabels`) is found by
/// that file's declarations. The second list is the named components no file of the head
/// holds or declares, of types whose changes can reach tests: what they run cannot be
/// seen ([`Context::unseen`]).
pub fn from_manifest(
    components: &[ComponentId],
    head_facts: &[FileFacts],
) -> (Vec<Change>, Vec<ComponentId>) {
    let mut named: BTreeSet<ComponentId> = BTreeSet::new();
    for component in components {
        if component.full_name() == "*" {
            let every = head_facts
                .iter()
                .filter(|file| file.component.is_type(component.type_name()))
                .map(|file| file.component.clone());
            let before = named.len();
            named.extend(every);
            if named.len() == before {
                named.insert(component.clone());
            }
        } else {
            named.insert(component.clone());
        }
    }
    let mut changes = Vec::new();
    let mut unseen = Vec::new();
    let declared_in = std::cell::OnceCell::new();
    for component in named {
        let files: Vec<&FileFacts> = head_facts
            .iter()
            .filter(|file| file.component == component)
            .collect();
        // A component kept in another's file (a label in `CustomLabels`): that file's
        // path, and the component alone as its seed.
        let containers: &[&FileFacts] = if files.is_empty() {
            declared_in
                .get_or_init(|| declaring_files(head_facts))
                .get(&component)
                .map_or(&[], Vec::as_slice)
        } else {
            &[]
        };
        let wildcard = component.full_name() == "*";
        let impact = types::test_impact(component.type_name());
        if files.is_empty()
            && containers.is_empty()
            && !wildcard
            && !matches!(impact, TestImpact::None(_))
            && !holds_children(head_facts, &component)
        {
            unseen.push(component.clone());
        }
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
            .unwrap_or(component);
        changes.push(Change {
            component,
            kind: ChangeKind::Modified,
            paths: files
                .iter()
                .chain(containers)
                .map(|file| file.path.clone())
                .collect(),
            semantic: true,
            head_seeds: seeds.into_iter().collect(),
            base_seeds: Vec::new(),
            problems: Vec::new(),
            whole: true,
        });
    }
    changes.sort_by(|a, b| a.component.cmp(&b.component));
    changes.dedup_by(|a, b| a.component == b.component);
    (changes, unseen)
}

/// The files that declare each component, by the component.
fn declaring_files(head_facts: &[FileFacts]) -> HashMap<&ComponentId, Vec<&FileFacts>> {
    let mut declared_in: HashMap<&ComponentId, Vec<&FileFacts>> = HashMap::new();
    for file in head_facts {
        for declaration in &file.facts.declares {
            declared_in.entry(&declaration.id).or_default().push(file);
        }
    }
    declared_in
}

/// Whether the head holds files of `component`'s children (the fields of an object whose
/// own file the repository does not keep, `objects/Account/fields/`): the component is
/// then the repository's, in part.
fn holds_children(head_facts: &[FileFacts], component: &ComponentId) -> bool {
    head_facts
        .iter()
        .any(|file| file.component.is_child_of(component))
}

/// What a `.forceignore` edit does to the deploy (see [`forceignore_moves`]).
#[derive(Debug, Default)]
pub struct ForceIgnoreMoves {
    /// The files the edit starts deploying, as added files, and the bundle files it
    /// stops deploying, as files changed into ones `.forceignore` leaves out.
    pub changes: Vec<FileChange>,
    /// The files of whole components it stops deploying, in the head's tree order.
    pub left_out: Vec<String>,
}

/// What a `.forceignore` edit does to the deploy, as changes of files, so that it is
/// planned like any other change. `None` when the diff does not touch `.forceignore`.
///
/// The files the diff touches are classified at each side by that side's project
/// already; what is left are the head's other files in package directories
/// (`head_files`, listed only when `.forceignore` changed), read by the base project
/// (`base`, as read at the base revision) and the head's. A file the edit starts
/// deploying is added. A bundle file it stops deploying changes what the bundle deploys:
/// it is changed into a file `.forceignore` leaves out, and [`classify_diff`] keeps the
/// bundle's base side. A whole component it stops deploying stays in the org as it was,
/// but code deployed to a fresh org (a scratch org, a new sandbox) no longer sees it,
/// and `impact` does not plan that: it is `left_out`, and the edit falls back, unless
/// the type table says its type changes no test (a layout, a translation). An edit that
/// moves no file (`**/*.ts` for tool files nothing deploys, `**/__tests__/**` for Jest
/// tests) changes nothing.
pub fn forceignore_moves(
    head_files: impl FnOnce() -> Vec<SnapshotFile>,
    file_changes: &[FileChange],
    project: &Project,
    base: &Project,
) -> Option<ForceIgnoreMoves> {
    let forceignore = project.forceignore_file();
    let touched: HashSet<&str> = file_changes
        .iter()
        .flat_map(|change| [change.old_path.as_deref(), change.new_path.as_deref()])
        .flatten()
        .collect();
    if !touched.contains(forceignore.as_str()) {
        return None;
    }
    let mut moves = ForceIgnoreMoves::default();
    for file in head_files() {
        let deployed = project.is_source(&file.path);
        if touched.contains(file.path.as_str()) || deployed == base.is_source(&file.path) {
            continue;
        }
        // A Jest test is read wherever `.forceignore` puts it (Jest runs it, Salesforce
        // never deploys it): it is the same source at both sides.
        let blob = file.blob.to_string();
        let sides = [project, base].map(|side| source::classify(side, &file.path, &blob));
        if sides.iter().all(Option::is_some) {
            continue;
        }
        if deployed {
            moves.changes.push(FileChange {
                status: FileStatus::Added,
                old_path: None,
                new_path: Some(file.path),
                old_blob: None,
                new_blob: Some(file.blob),
            });
            continue;
        }
        let source = base
            .split_package_path(&file.path)
            .and_then(|(_, inner)| registry::classify(inner));
        match source {
            // No component: nothing it belongs to was deployed.
            None => {}
            Some(source) if source.role == FileRole::BundlePart => moves.changes.push(FileChange {
                status: FileStatus::Modified,
                old_path: Some(file.path.clone()),
                new_path: Some(file.path),
                old_blob: Some(file.blob),
                new_blob: Some(file.blob),
            }),
            // A layout or a translation no test reads: whether a new org has it
            // changes no test.
            Some(source)
                if matches!(
                    types::test_impact(source.component.type_name()),
                    TestImpact::None(_)
                ) => {}
            Some(_) => moves.left_out.push(file.path),
        }
    }
    Some(moves)
}

/// Whether a file no metadata type claims is Jest's alone: it sits under a folder
/// named by Jest's conventions (`jest-mocks`, the sfdx-lwc-jest layout that
/// `moduleNameMapper` points `lightning/*` and `@salesforce/*` at; `__mocks__`; the
/// Jest test folders, `__tests__` and `__test__`). Salesforce does not deploy such a
/// file and no Apex or Flow test reads it, but any Jest test may import it, so its
/// change runs every Jest test instead of every local test.
fn is_jest_support(path: &str) -> bool {
    let mut folders = path.split('/').rev().skip(1);
    folders.any(|folder| {
        matches!(folder, "jest-mocks" | "__mocks__")
            || crate::parse::lwc::JEST_TEST_FOLDERS.contains(&folder)
    })
}

/// Whether `path` is one of `named` (files and folders Jest's configuration names, from
/// the repository's root: `source::jest_config_paths`), in one of them, or one of them
/// with an extension (`moduleNameMapper` names a module without its `.js`).
fn is_named_by_jest_config(path: &str, named: &[String]) -> bool {
    named.iter().any(|named| {
        path.strip_prefix(named.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('.'))
    })
}

/// Whether `path` is a file in a package directory that `.forceignore` leaves out and
/// that only Jest reads: one in a bundle folder (`lwc/`; apex-rollup keeps the mock data
/// its Jest tests import in `lwc/__mockData__/`, which it does not deploy), or a
/// JavaScript module or JSON file anywhere (a project's `test/jest-utils/` helpers,
/// which its Jest tests import by relative path). Salesforce never sees such a file and
/// no Apex or Flow test reads it; a Jest test may.
fn is_undeployed_jest_file(project: &Project, path: &str) -> bool {
    let Some((_, inner)) = project.split_package_path(path) else {
        return false;
    };
    let in_bundle_folder = inner.split('/').rev().skip(1).any(|folder| folder == "lwc");
    (in_bundle_folder || is_script(inner)) && project.is_force_ignored(path)
}

/// Whether `path` is a JavaScript module of the project outside every package directory
/// (Data-Fetcher's `test-utils/pickerTestUtils.js`, which its Jest tests import by
/// relative path): Salesforce never sees it, and a Jest test may import it, so its
/// change runs every Jest test rather than none. Tools are left out: a file in a hidden
/// folder or `node_modules`, one named `*.config.*` or `*.conf.*` (ESLint's, WebdriverIO's;
/// Jest's and Babel's are [`is_jest_configuration`]'s), and one in the project's
/// `scripts`, `bin`, `config` or `e2e` folder (the Salesforce DX template's scripts,
/// ebikes-lwc's `scripts/generate-login-url.js`: a change to it ran every Jest test).
fn is_loose_jest_module(project: &Project, path: &str) -> bool {
    const TOOL_FOLDERS: [&str; 4] = ["scripts", "bin", "config", "e2e"];
    let root = project.root_relative();
    let Some(in_project) = (match root {
        "" => Some(path),
        root => path
            .strip_prefix(root)
            .and_then(|rest| rest.strip_prefix('/')),
    }) else {
        return false;
    };
    let (folder, name) = in_project.rsplit_once('/').unwrap_or(("", in_project));
    let tool = folder
        .split('/')
        .any(|segment| segment.starts_with('.') || segment == "node_modules")
        || folder
            .split('/')
            .next()
            .is_some_and(|first| TOOL_FOLDERS.contains(&first))
        || name.starts_with('.')
        || name.contains(".config.")
        || name.contains(".conf.");
    !tool && !name.ends_with(".json") && is_script(name) && project.package_dir_of(path).is_none()
}

/// Whether `path` configures how Jest runs, in the project's root folder (`root`, where
/// `sfdx-project.json` is) or the repository's: `jest.config.js` and the set-up files it
/// names (`jest-sa11y-setup.js`, `jest.setup.js`: their names start with `jest`),
/// Babel's configuration, and `package.json` with its lock file (the versions of
/// `@salesforce/sfdx-lwc-jest` and of the mocks it brings, and often the `jest` settings
/// themselves). Such a file is outside every package directory, but a change to it can
/// make any Jest test pass or fail, so it runs every Jest test.
fn is_jest_configuration(path: &str, root: &str) -> bool {
    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
    if folder != root && !folder.is_empty() {
        return false;
    }
    let script = is_script(name);
    let jest = name.starts_with("jest") && script;
    let babel = name.starts_with("babel.config.") && script;
    let node = matches!(
        name,
        "package.json"
            | "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
    );
    jest || babel || node || name == ".babelrc" || name.starts_with(".babelrc.")
}

/// Whether `path` names a file Node loads as a module or as data: JavaScript
/// (`.js`, `.cjs`, `.mjs`), TypeScript or JSON.
fn is_script(path: &str) -> bool {
    [".js", ".cjs", ".mjs", ".ts", ".json"]
        .iter()
        .any(|extension| path.ends_with(extension))
}

/// Files in a package directory that are not metadata and never matter (editor and
/// tool configuration).
fn is_inert(path: &str) -> bool {
    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
    // A custom metadata record in the Metadata API's layout is `customMetadata/X.Y.md`,
    // not Markdown: no type claims it, so it falls back like other files of that layout.
    let record_folder = types::type_info(types::CUSTOM_METADATA).map(|info| info.directory);
    let markdown = name.ends_with(".md") && folder.rsplit('/').next() != record_folder;
    matches!(
        name,
        "jsconfig.json" | ".eslintrc.json" | "tsconfig.json" | ".prettierrc" | "README.md"
    ) || markdown
}

#[cfg(test)]
mod tests {
    use super::{
        is_inert, is_jest_configuration, is_jest_support, is_named_by_jest_config, moved_folders,
    };

    /// Editor configuration and documentation are inert; a custom metadata record in
    /// the Metadata API's layout (`customMetadata/X.Y.md`) is not documentation.
    /// A move is told by the folders above the path the two sides share, also from the
    /// top of the repository into a folder and back; files of other names are no move.
    #[test]
    fn a_move_is_the_folders_above_the_shared_tail() {
        let cases = [
            ("a/b/x/F.cls", "c/x/F.cls", Some(("a/b/", "c/"))),
            ("x/F.cls", "src/x/F.cls", Some(("", "src/"))),
            ("src/x/F.cls", "x/F.cls", Some(("src/", ""))),
            ("x/F.cls", "x/F.cls", Some(("", ""))),
            ("x/F.cls", "x/G.cls", None),
        ];
        for (old, new, folders) in cases {
            assert_eq!(moved_folders(old, new), folders, "{old} → {new}");
        }
    }

    #[test]
    fn inert_files_are_told_by_their_names() {
        for (path, inert) in [
            ("force-app/main/default/lwc/jsconfig.json", true),
            ("force-app/main/default/classes/NOTES.md", true),
            ("src/README.md", true),
            (
                "src/customMetadata/Gift_Entry_Field_Mapping.Payment.md",
                false,
            ),
            ("force-app/main/default/classes/A.cls", false),
        ] {
            assert_eq!(is_inert(path), inert, "{path}");
        }
    }

    #[test]
    fn jest_support_files_are_told_by_their_folders() {
        for path in [
            "force-app/test/jest-mocks/lightning/refresh.js",
            "force-app/test/jest-mocks/apex.js",
            "force-app/main/default/__mocks__/labels.js",
            "force-app/main/default/utils/__tests__/data/record.json",
            "force-app/main/default/lwc/card/__test__/utils.js",
        ] {
            assert!(is_jest_support(path), "{path}");
        }
        for path in [
            "force-app/main/default/scripts/setup.js",
            "force-app/main/default/scripts/jest-mocks",
            "force-app/main/default/scripts/jest-mocks.js",
            "force-app/main/default/jest-mocksish/x.js",
        ] {
            assert!(!is_jest_support(path), "{path}");
        }
    }

    /// A file Jest's configuration names, in a folder it names, or named without its
    /// extension; not a file whose name only starts the same.
    #[test]
    fn files_jest_s_configuration_names_are_jest_s() {
        let named = [
            "config/jest/mocks/lightning/empApi".to_string(),
            "app/test/setup".to_string(),
        ];
        for (path, is_named) in [
            ("config/jest/mocks/lightning/empApi.js", true),
            ("config/jest/mocks/lightning/empApi", true),
            ("app/test/setup/globals.js", true),
            ("config/jest/mocks/lightning/empApiV2.js", false),
            ("app/test/setupx.js", false),
            ("config/jest/readme.md", false),
        ] {
            assert_eq!(is_named_by_jest_config(path, &named), is_named, "{path}");
        }
    }

    #[test]
    fn jest_configuration_is_told_by_its_name_beside_the_project_file() {
        for (path, root) in [
            ("jest.config.js", ""),
            ("jest-sa11y-setup.js", ""),
            ("jest.setup.js", ""),
            ("babel.config.js", ""),
            ("package.json", ""),
            ("yarn.lock", ""),
            ("salesforce/jest.config.cjs", "salesforce"),
            ("salesforce/package-lock.json", "salesforce"),
            // The repository's root, above a project in a folder.
            ("package.json", "salesforce"),
        ] {
            assert!(is_jest_configuration(path, root), "{path} under {root:?}");
        }
        for (path, root) in [
            ("scripts/jest.config.js", ""),
            ("force-app/package.json", ""),
            ("jest.md", ""),
            ("jestify.sh", ""),
            ("README.md", ""),
            ("other/package.json", "salesforce"),
        ] {
            assert!(!is_jest_configuration(path, root), "{path} under {root:?}");
        }
    }
}
