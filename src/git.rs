//! Git access: resolving revisions, read-only snapshots of the files at a revision,
//! file-level diffs with rename detection, and the files that differ between commits'
//! trees, read one commit after another ([`TreeDiff`], for churn).
//!
//! A [`Snapshot`] is either a commit's tree or the working tree as a user sees it (the
//! index overlaid with unstaged and untracked-but-not-ignored files). Every file
//! carries a git blob id; for working-tree files it is computed the way git would for the
//! same bytes, so blob ids are content hashes usable as cache keys across revisions.
//!
//! This module knows nothing about Salesforce: it never filters paths itself (callers
//! pass a filter built from [`crate::project::Project`]) and never maps files to
//! components. It does not fetch: a shallow clone that lacks a revision is reported as
//! [`Error::ShallowClone`]. Content filters (`core.autocrlf`, `.gitattributes`) are not
//! applied to working-tree files that differ from the index: their blob ids hash the
//! bytes on disk.

use crate::error::{Error, Result};
use git2::{
    BranchType, Delta, DiffFindOptions, DiffOptions, ErrorCode, ObjectType, Oid, Repository, Tree,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

mod kept_tree;

use crate::cache::ToKeep;

/// The revision a snapshot or a diff's new side is taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Revision {
    /// A commit's tree.
    Commit(Oid),
    /// The index and the working directory, untracked files included.
    Worktree,
}

impl Revision {
    /// The 40-hex commit id, or `WORKTREE` (as written in plan JSON).
    pub fn label(&self) -> String {
        match self {
            Revision::Commit(oid) => sha(*oid),
            Revision::Worktree => "WORKTREE".to_string(),
        }
    }
}

/// One file of a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotFile {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// Git blob id of the file's content.
    pub blob: Oid,
}

/// How a file differs between two revisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileStatus {
    Added,
    Modified,
    Deleted,
    /// Moved, possibly with edits (`old_blob` and `new_blob` then differ).
    Renamed,
}

/// One changed file between a base commit and a head revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    pub status: FileStatus,
    /// Path at the base; `None` for an added file.
    pub old_path: Option<String>,
    /// Path at the head; `None` for a deleted file.
    pub new_path: Option<String>,
    /// Blob at the base; `None` for an added file.
    pub old_blob: Option<Oid>,
    /// Blob at the head; `None` for a deleted file.
    pub new_blob: Option<Oid>,
}

impl FileChange {
    /// The head path, or the base path for a deletion: the path the change is sorted
    /// and reported by.
    pub fn path(&self) -> &str {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .unwrap_or("")
    }
}

/// The 40-hex form of a git id.
pub fn sha(oid: Oid) -> String {
    oid.to_string()
}

/// A git repository.
pub struct Repo {
    repo: Repository,
}

impl Repo {
    /// Opens the repository containing `path` (searching parent directories).
    pub fn discover(path: &Path) -> Result<Repo> {
        let repo = Repository::discover(path).map_err(|_| Error::NotAGitRepository {
            path: path.to_path_buf(),
        })?;
        read_without_hash_checks();
        Ok(Repo { repo })
    }

    /// Opens the repository whose working directory (or `.git`) is `git_root`, such as
    /// [`crate::project::Project::git_root`].
    pub fn open(git_root: &Path) -> Result<Repo> {
        let repo = Repository::open(git_root).map_err(|_| Error::NotAGitRepository {
            path: git_root.to_path_buf(),
        })?;
        read_without_hash_checks();
        Ok(Repo { repo })
    }

    /// Another handle on this repository, to read a plan's trees through ([`TreeReader`]);
    /// `None` when it cannot be opened (read through this one, then).
    pub fn tree_reader(&self) -> Option<TreeReader> {
        let repo = Repo::open(self.git_dir()).ok()?;
        set_tree_cache_limit(TREE_CACHE_KEPT);
        Some(TreeReader { repo })
    }

    /// The underlying `git2` repository, for queries this module does not wrap.
    pub fn git(&self) -> &Repository {
        &self.repo
    }

    /// The working directory root, `None` for a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// The `.git` directory; other threads open their own [`Repo`] from it, as a
    /// repository handle cannot be shared between threads.
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// True for a shallow clone (history cut at some depth).
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The branch HEAD is on (`main`), `None` when HEAD is detached or unborn.
    pub fn current_branch(&self) -> Option<String> {
        let head = self.git().head().ok()?;
        head.is_branch()
            .then(|| head.shorthand().map(str::to_string))
            .flatten()
    }

    /// The commit HEAD points at.
    pub fn head_commit(&self) -> Result<Oid> {
        match self.repo.head() {
            Ok(head) => Ok(head.peel_to_commit()?.id()),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
                Err(self.no_commits())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Resolves any revision git accepts (sha, short sha, branch, tag, `HEAD~3`,
    /// `origin/main`) to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<Oid> {
        let unknown = || Error::UnknownRevision {
            rev: rev.to_string(),
        };
        if rev.trim().is_empty() {
            return Err(unknown());
        }
        match self.repo.revparse_single(rev) {
            Ok(object) => object
                .peel_to_commit()
                .map(|commit| commit.id())
                .map_err(|_| unknown()),
            // Nothing resolves before the first commit; say why.
            Err(_) if self.repo.is_empty().unwrap_or(false) => Err(self.no_commits()),
            // In a shallow clone a missing object or a parent walk that runs off the
            // cut history both mean "fetch more", not "you mistyped".
            Err(_) if self.repo.is_shallow() => Err(Error::ShallowClone {
                rev: rev.to_string(),
            }),
            Err(_) => Err(unknown()),
        }
    }

    /// A branch other than HEAD's, for a hint: the first local one by name, else the
    /// first remote-tracking one (never `origin/HEAD`).
    fn other_branch(&self) -> Option<String> {
        let current = self
            .repo
            .head()
            .ok()
            .filter(|head| head.is_branch())
            .and_then(|head| head.shorthand().map(str::to_string));
        let names = |kind: BranchType| -> Vec<String> {
            let mut names: Vec<String> = self
                .repo
                .branches(Some(kind))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|(branch, _)| branch.name().ok().flatten().map(str::to_string))
                .filter(|name| Some(name) != current.as_ref() && !name.ends_with("/HEAD"))
                .collect();
            names.sort();
            names
        };
        names(BranchType::Local)
            .into_iter()
            .chain(names(BranchType::Remote))
            .next()
    }

    /// The merge-base of HEAD with the default branch: the first of `origin/HEAD`,
    /// `main`, `master`, `origin/main`, `origin/master` that exists.
    pub fn default_base(&self) -> Result<Oid> {
        let head = self.head_commit()?;
        const CANDIDATES: [(&str, &str); 5] = [
            ("refs/remotes/origin/HEAD", "origin/HEAD"),
            ("refs/heads/main", "main"),
            ("refs/heads/master", "master"),
            ("refs/remotes/origin/main", "origin/main"),
            ("refs/remotes/origin/master", "origin/master"),
        ];
        let found = CANDIDATES.iter().find_map(|(reference, name)| {
            let commit = self
                .repo
                .find_reference(reference)
                .and_then(|r| r.resolve())
                .and_then(|r| r.peel_to_commit())
                .ok()?;
            Some((*name, commit.id()))
        });
        let Some((name, target)) = found else {
            // A CI checkout with `fetch-depth: 1` has no branch to compare with: saying
            // "shallow" points at the fix directly.
            if self.repo.is_shallow() {
                return Err(Error::ShallowClone {
                    rev: "origin/HEAD".to_string(),
                });
            }
            return Err(Error::NoDefaultBase {
                branch: self.other_branch(),
            });
        };
        match self.repo.merge_base(head, target) {
            Ok(base) => Ok(base),
            Err(e) if e.code() == ErrorCode::NotFound => {
                if self.repo.is_shallow() {
                    Err(Error::ShallowClone {
                        rev: name.to_string(),
                    })
                } else {
                    Err(Error::NoMergeBase {
                        rev: name.to_string(),
                    })
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A read-only view of every file at `revision`.
    ///
    /// The working tree's is the index's entries overlaid with the index-to-working-tree
    /// diff (what `git status` shows unstaged or untracked), so only files that differ
    /// from the index are read and hashed; the diff is kept for [`Repo::diff`].
    pub fn snapshot(&self, revision: &Revision) -> Result<Snapshot<'_>> {
        Ok(self.snapshot_kept(revision, None, false, self)?.0)
    }

    /// [`Repo::snapshot`], a commit's directories taken from `kept` (the record an
    /// earlier snapshot of a commit gave) where their tree is the one it listed, and read
    /// through `trees` (this repository, or another handle on it: [`TreeReader`]); with
    /// what to keep for the next snapshot when `keeping` (nothing for the working tree).
    pub fn snapshot_kept(
        &self,
        revision: &Revision,
        kept: Option<&[u8]>,
        keeping: bool,
        trees: &Repo,
    ) -> Result<(Snapshot<'_>, ToKeep)> {
        let mut disk_blobs = HashMap::new();
        let mut unread = Vec::new();
        let mut to_keep = ToKeep::default();
        let (entries, origin) = match *revision {
            Revision::Commit(oid) => {
                let tree = trees.commit_tree(oid)?;
                let (walked, kept) = kept_tree::walk(&trees.repo, &tree, kept, keeping)?;
                to_keep = kept;
                unread = walked.unread;
                // Built from the walk's list at once: the walk gives the paths nearly
                // sorted (git sorts a directory as if its name ended in `/`), and a map
                // built from a sorted list compares each path with its neighbour only,
                // where inserting them one by one compared each with a dozen (NPSP:
                // 14,000 paths, most 40 bytes or more alike at the start).
                let entries = walked.files.into_iter().collect();
                (entries, Origin::Commit(oid))
            }
            Revision::Worktree => {
                let workdir = self.worktree_dir()?;
                let index = self.repo.index()?;
                let (mut entries, flagged) = collect_index(&index, &mut unread);
                let sparse = sparse_view(&index, &workdir, &flagged.skip_worktree)?;
                let to_workdir = self.repo.diff_index_to_workdir(
                    Some(sparse.as_ref().unwrap_or(&index)),
                    Some(&mut worktree_options(true)),
                )?;
                // An intended file is read first, so that the diff's word on it (deleted,
                // say) comes after.
                let intended = flagged.intent_to_add.into_iter().map(|path| (path, true));
                for (path, on_disk) in intended.chain(changed_on_disk(&to_workdir, &mut unread)) {
                    let bytes = if on_disk {
                        read_worktree_file(&workdir.join(&path))?
                    } else {
                        None
                    };
                    match bytes {
                        Some(bytes) => {
                            let blob = Oid::hash_object(ObjectType::Blob, &bytes)?;
                            entries.insert(
                                path.clone(),
                                Entry {
                                    blob,
                                    on_disk: true,
                                },
                            );
                            disk_blobs.insert(blob, path);
                        }
                        None => {
                            entries.remove(&path);
                        }
                    }
                }
                (entries, Origin::Worktree { index, to_workdir })
            }
        };
        unread.sort();
        unread.dedup();
        let snapshot = Snapshot {
            repo: self,
            origin,
            entries,
            disk_blobs,
            unread,
        };
        Ok((snapshot, to_keep))
    }

    /// The files that differ between the commit `base` and the snapshot `head`, with
    /// renames detected (git's default 50% similarity), sorted by path; and the
    /// submodules (gitlinks) added, removed or moved to another commit, sorted.
    ///
    /// For the working tree, staged, unstaged and untracked (not ignored) files count,
    /// and the index's gitlinks (`git add` of a submodule), not the submodules' own
    /// checkouts, which are not looked into. The diff is libgit2's
    /// `git_diff_tree_to_workdir_with_index` taken in its two halves: the base tree to
    /// the index, onto which the index-to-working-tree diff the snapshot already took is
    /// merged. Diffing the working tree again was most of a pre-push plan's changes stage
    /// (NPSP: 60 ms, now 23).
    ///
    /// A gitlink moved to another commit is not a file change: its files are in another
    /// repository (one added or removed comes as a file too). The policy runs every test
    /// when one inside a package directory changes, because what changed inside it
    /// cannot be seen. Rename detection looks at blobs only, so keeping the gitlinks in
    /// the diff changes nothing else.
    pub fn diff(&self, base: Oid, head: &Snapshot<'_>) -> Result<(Vec<FileChange>, Vec<String>)> {
        self.diff_reading(base, head, self)
    }

    /// [`Repo::diff`], a commit's trees read through `trees` (this repository, or another
    /// handle on it: [`TreeReader`]).
    pub fn diff_reading(
        &self,
        base: Oid,
        head: &Snapshot<'_>,
        trees: &Repo,
    ) -> Result<(Vec<FileChange>, Vec<String>)> {
        let (diff, submodules) = match &head.origin {
            Origin::Commit(oid) => {
                let base_tree = trees.commit_tree(base)?;
                let head_tree = trees.commit_tree(*oid)?;
                let mut options = DiffOptions::new();
                options.ignore_submodules(false);
                // libgit2's diff reads every directory of both trees; the files that
                // differ are found reading only the directories that differ, and the
                // diff (for its rename detection) is then taken of those paths alone,
                // which it reads only the directories of (as exact paths, not patterns:
                // NPSP's diff read 1,400 directories on each side). A name that is not
                // UTF-8 is not found that way: then the diff reads everything.
                let mut differing = TreeDiff::new(trees);
                let changed = differing.changed_paths(base_tree.id(), head_tree.id(), |_| true)?;
                if !differing.left_out_a_name {
                    if changed.is_empty() {
                        return Ok((Vec::new(), Vec::new()));
                    }
                    options.disable_pathspec_match(true);
                    for path in changed {
                        options.pathspec(path);
                    }
                }
                let diff = trees.repo.diff_tree_to_tree(
                    Some(&base_tree),
                    Some(&head_tree),
                    Some(&mut options),
                )?;
                let submodules = gitlinks(&diff);
                (diff, submodules)
            }
            Origin::Worktree { index, to_workdir } => {
                let base_tree = self.commit_tree(base)?;
                // The tree-to-index half keeps the gitlinks the index moved; the other
                // half has none (`worktree_options(true)`).
                let mut diff = self.repo.diff_tree_to_index(
                    Some(&base_tree),
                    Some(index),
                    Some(&mut worktree_options(false)),
                )?;
                let submodules = gitlinks(&diff);
                diff.merge(to_workdir)?;
                (diff, submodules)
            }
        };
        Ok((self.file_changes(diff, head)?, submodules))
    }

    /// The file changes of `diff` (whose new side is `head`), renames detected, sorted by
    /// path; a gitlink moved to another commit is not one (see [`Repo::diff`]).
    fn file_changes(
        &self,
        mut diff: git2::Diff<'_>,
        head: &Snapshot<'_>,
    ) -> Result<Vec<FileChange>> {
        let new_side_on_disk = matches!(head.origin, Origin::Worktree { .. });
        self.fetch_rename_candidates(&diff, new_side_on_disk)?;
        let mut find = DiffFindOptions::new();
        find.renames(true).for_untracked(true).rename_limit(1000);
        diff.find_similar(Some(&mut find))?;

        let is_gitlink = |file: git2::DiffFile<'_>| file.mode() == git2::FileMode::Commit;
        let mut changes = Vec::new();
        for delta in diff.deltas() {
            if is_gitlink(delta.old_file()) && is_gitlink(delta.new_file()) {
                continue;
            }
            let status = match delta.status() {
                Delta::Added | Delta::Untracked | Delta::Copied => FileStatus::Added,
                Delta::Deleted => FileStatus::Deleted,
                Delta::Renamed => FileStatus::Renamed,
                Delta::Modified | Delta::Typechange | Delta::Conflicted | Delta::Unreadable => {
                    FileStatus::Modified
                }
                Delta::Unmodified | Delta::Ignored => continue,
            };
            let path_of = |file: git2::DiffFile<'_>| {
                file.path().map(|p| {
                    p.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
            };
            let old_path = (status != FileStatus::Added)
                .then(|| path_of(delta.old_file()))
                .flatten();
            let new_path = (status != FileStatus::Deleted)
                .then(|| path_of(delta.new_file()))
                .flatten();
            let old_blob = (status != FileStatus::Added).then(|| delta.old_file().id());
            let new_blob = match (status, &head.origin, &new_path) {
                (FileStatus::Deleted, _, _) => None,
                // libgit2 leaves working-tree ids unset unless it hashed the file (and
                // then hashes it through the content filters): the snapshot's ids, which
                // hash the bytes on disk, are the ones the plan reads.
                (_, Origin::Worktree { .. }, Some(path)) => head.blob(path),
                _ => Some(delta.new_file().id()),
            };
            changes.push(FileChange {
                status,
                old_path,
                new_path,
                old_blob,
                new_blob,
            });
        }
        changes.sort_by(|a, b| {
            a.path()
                .cmp(b.path())
                .then_with(|| a.old_path.cmp(&b.old_path))
        });
        Ok(changes)
    }

    /// Reads a blob, the content of `path`, from the object database.
    ///
    /// In a partial clone (`git clone --filter=blob:none`, as CI checkouts can be) a blob
    /// of another revision may not be local: libgit2 cannot fetch it, so `git cat-file`
    /// is asked, which fetches it from the promisor remote. In any other clone a missing
    /// blob means the repository is damaged: the error names the file and what to run
    /// (it was libgit2's "object not found").
    pub fn read_blob(&self, oid: Oid, path: &str) -> Result<Vec<u8>> {
        match self.repo.find_blob(oid) {
            Ok(blob) => Ok(blob.content().to_vec()),
            Err(e) if e.code() == ErrorCode::NotFound && self.is_partial_clone() => {
                self.fetch_blob(oid)
            }
            Err(e) if e.code() == ErrorCode::NotFound => Err(Error::DamagedRepository {
                oid: sha(oid),
                path: path.to_string(),
                repo: self.location(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Rename detection compares the blobs of added and deleted files, and libgit2 cannot
    /// fetch them: in a partial clone, the missing ones are fetched through `git` first
    /// (a moved and edited class would otherwise stop the plan). In any other clone a
    /// missing blob means the repository is damaged: the error names its file.
    ///
    /// When `new_side_on_disk` (a diff to the working tree), an added file is read from
    /// the working tree: its id may be of content no object holds (a file staged and then
    /// edited, or `git add -N`), which is no damage.
    fn fetch_rename_candidates(&self, diff: &git2::Diff<'_>, new_side_on_disk: bool) -> Result<()> {
        let odb = self.repo.odb()?;
        let mut missing = BTreeMap::new();
        for delta in diff.deltas() {
            let file = match delta.status() {
                Delta::Added if !new_side_on_disk => delta.new_file(),
                Delta::Deleted => delta.old_file(),
                _ => continue,
            };
            let id = file.id();
            if file.mode() != git2::FileMode::Commit && !id.is_zero() && !odb.exists(id) {
                let path = file.path().map(|p| p.to_string_lossy().into_owned());
                missing.insert(id, path.unwrap_or_default());
            }
        }
        if let Some((&oid, path)) = missing.iter().next() {
            if !self.is_partial_clone() {
                return Err(Error::DamagedRepository {
                    oid: sha(oid),
                    path: path.clone(),
                    repo: self.location(),
                });
            }
        }
        for oid in missing.into_keys() {
            self.fetch_blob(oid)?;
        }
        Ok(())
    }

    /// The repository as errors name it: its working tree, or its git directory when bare.
    fn location(&self) -> PathBuf {
        self.repo
            .workdir()
            .unwrap_or(self.repo.path())
            .to_path_buf()
    }

    /// True when a remote is a promisor (the clone is partial: objects may be missing).
    fn is_partial_clone(&self) -> bool {
        let Ok(config) = self.repo.config() else {
            return false;
        };
        let Ok(mut entries) = config.entries(Some(r"remote\..*\.promisor")) else {
            return false;
        };
        let mut partial = false;
        while let Some(Ok(entry)) = entries.next() {
            partial |= entry
                .value()
                .is_some_and(|value| value.eq_ignore_ascii_case("true"));
        }
        partial || config.get_string("extensions.partialclone").is_ok()
    }

    /// Reads a missing blob through `git cat-file`, which fetches it; the bytes are
    /// checked against the id.
    fn fetch_blob(&self, oid: Oid) -> Result<Vec<u8>> {
        let missing = |reason: String| Error::MissingObject {
            oid: sha(oid),
            repo: self.location(),
            reason,
        };
        let output = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(self.repo.path())
            .args(["cat-file", "blob", &sha(oid)])
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| missing(format!("`git` could not be run: {e}")))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first = stderr.lines().next().unwrap_or("no message").trim();
            return Err(missing(format!("`git cat-file` failed: {first}")));
        }
        if Oid::hash_object(ObjectType::Blob, &output.stdout)? != oid {
            return Err(missing("`git cat-file` returned other content".into()));
        }
        Ok(output.stdout)
    }

    /// The tree of commit `oid`.
    fn commit_tree(&self, oid: Oid) -> Result<Tree<'_>> {
        let commit = self.repo.find_commit(oid).map_err(|e| {
            if e.code() == ErrorCode::NotFound && self.repo.is_shallow() {
                Error::ShallowClone { rev: sha(oid) }
            } else {
                Error::UnknownRevision { rev: sha(oid) }
            }
        })?;
        Ok(commit.tree()?)
    }

    /// The content of `path` at commit `oid`, `None` when the commit has no such file.
    pub fn read_at(&self, oid: Oid, path: &str) -> Result<Option<Vec<u8>>> {
        let tree = self.commit_tree(oid)?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry,
            Err(_) => return Ok(None),
        };
        Ok(Some(self.read_blob(entry.id(), path)?))
    }

    /// The working directory, or a usage error for a bare repository.
    fn worktree_dir(&self) -> Result<PathBuf> {
        self.repo
            .workdir()
            .map(Path::to_path_buf)
            .ok_or_else(|| Error::BareRepository {
                path: self.repo.path().to_path_buf(),
            })
    }

    fn no_commits(&self) -> Error {
        Error::NoCommits {
            path: self
                .repo
                .workdir()
                .unwrap_or_else(|| self.repo.path())
                .to_path_buf(),
        }
    }
}

/// The paths that differ between pairs of trees, read one pair after another, keeping
/// the old side's trees for the next pair.
///
/// Churn diffs each commit of a window against its parent, newest first, so a commit's
/// tree is the old side of the pair before. libgit2's own tree diff reads both trees
/// each time and caches no tree over 4 KB: on a 10,000-class org each commit unpacked
/// the 1.3 MB class directory twice from its delta chain, half of a first plan's
/// churn. Enlarging libgit2's object cache instead kept every tree of the window (50 MB
/// at the peak); this keeps one side's, about what libgit2's diff held anyway.
pub struct TreeDiff<'r> {
    repo: &'r Repository,
    /// The trees of the last pair's old side, by id.
    kept: HashMap<Oid, Tree<'r>>,
    /// The trees of this pair's old side.
    read: HashMap<Oid, Tree<'r>>,
    /// The last pair had an entry that differs and whose name is not UTF-8, which
    /// [`TreeDiff::changed_paths`] leaves out.
    left_out_a_name: bool,
}

/// One directory of a [`TreeDiff`] pair: its tree on each side (`None` where the side
/// has no such directory) and its path with a trailing `/` (`""` at the root).
type DirPair = (Option<Oid>, Option<Oid>, String);

impl<'r> TreeDiff<'r> {
    pub fn new(repo: &'r Repo) -> TreeDiff<'r> {
        TreeDiff {
            repo: &repo.repo,
            kept: HashMap::new(),
            read: HashMap::new(),
            left_out_a_name: false,
        }
    }

    /// The repository the trees are read from.
    pub fn repo(&self) -> &'r Repository {
        self.repo
    }

    /// The path of every file (blob or submodule) added, deleted, or changed in content
    /// or mode from the tree `old` to the tree `new`, in no set order: the files
    /// libgit2's tree diff reports without rename detection. Directories `descend`
    /// refuses (given with a trailing `/`) are not looked into, nor are names that are
    /// not UTF-8.
    pub fn changed_paths(
        &mut self,
        old: Oid,
        new: Oid,
        descend: impl Fn(&str) -> bool,
    ) -> std::result::Result<Vec<String>, git2::Error> {
        let mut paths = Vec::new();
        // What a pair that failed half-way read is not kept.
        self.read.clear();
        self.left_out_a_name = false;
        // A list of directories to compare rather than recursion: a tree nested
        // thousands deep cannot overflow the stack.
        let mut pending: Vec<DirPair> = vec![(Some(old), Some(new), String::new())];
        while let Some((old, new, dir)) = pending.pop() {
            if old == new {
                continue;
            }
            let old = old.map(|oid| self.tree(oid, true)).transpose()?;
            let new = new.map(|oid| self.tree(oid, false)).transpose()?;
            let unnamed = compare_dir(old.as_ref(), new.as_ref(), &dir, &mut paths, &mut |pair| {
                if descend(&pair.2) {
                    pending.push(pair);
                }
            });
            self.left_out_a_name |= unnamed;
        }
        self.kept = std::mem::take(&mut self.read);
        Ok(paths)
    }

    /// The tree `oid`, from the last pair's old side when it has it; kept for the next
    /// pair when it is on this pair's `old_side`.
    fn tree(&mut self, oid: Oid, old_side: bool) -> std::result::Result<Tree<'r>, git2::Error> {
        let tree = match self.kept.get(&oid).or_else(|| self.read.get(&oid)) {
            Some(tree) => tree.clone(),
            None => self.repo.find_tree(oid)?,
        };
        if old_side {
            self.read.insert(oid, tree.clone());
        }
        Ok(tree)
    }
}

/// Compares one directory's entries on the two sides (either may be missing): a file
/// that differs goes to `paths`, a subdirectory that differs to `pending`. True when an
/// entry whose name is not UTF-8 was left out.
fn compare_dir(
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    dir: &str,
    paths: &mut Vec<String>,
    pending: &mut impl FnMut(DirPair),
) -> bool {
    let mut unnamed = false;
    let mut old_entries = old.into_iter().flat_map(Tree::iter).peekable();
    let mut new_entries = new.into_iter().flat_map(Tree::iter).peekable();
    loop {
        let order = match (old_entries.peek(), new_entries.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            // Most entries of a commit's directories are the same on both sides: they
            // are passed over before any name is read as UTF-8 or any path is built.
            (Some(old), Some(new))
                if old.id() == new.id()
                    && old.filemode() == new.filemode()
                    && old.name_bytes() == new.name_bytes() =>
            {
                old_entries.next();
                new_entries.next();
                continue;
            }
            (Some(old), Some(new)) => tree_order(old, new),
        };
        let (old, new) = match order {
            std::cmp::Ordering::Less => (old_entries.next(), None),
            std::cmp::Ordering::Greater => (None, new_entries.next()),
            std::cmp::Ordering::Equal => (old_entries.next(), new_entries.next()),
        };
        let Some(name) = old.as_ref().or(new.as_ref()).and_then(|entry| entry.name()) else {
            unnamed = true;
            continue;
        };
        let id = |entry: &Option<git2::TreeEntry<'_>>| entry.as_ref().map(|entry| entry.id());
        let mode = |entry: &Option<git2::TreeEntry<'_>>| entry.as_ref().map(|e| e.filemode());
        if old.as_ref().or(new.as_ref()).is_some_and(is_tree) {
            pending((id(&old), id(&new), format!("{dir}{name}/")));
        } else if id(&old) != id(&new) || mode(&old) != mode(&new) {
            paths.push(format!("{dir}{name}"));
        }
    }
    unnamed
}

/// Whether a tree entry is a directory.
fn is_tree(entry: &git2::TreeEntry<'_>) -> bool {
    entry.kind() == Some(ObjectType::Tree)
}

/// The order git sorts a tree's entries in: by name, a directory's name read as if it
/// ended in `/` (so a file and a directory of one name are different entries, as they
/// are to libgit2's diff, which reports a file replaced by a directory as one deleted
/// and the directory's files added).
fn tree_order(a: &git2::TreeEntry<'_>, b: &git2::TreeEntry<'_>) -> std::cmp::Ordering {
    let (a_name, b_name) = (a.name_bytes(), b.name_bytes());
    let common = a_name.len().min(b_name.len());
    a_name[..common].cmp(&b_name[..common]).then_with(|| {
        // One name starts the other: what follows the shared part is the longer name's
        // next byte, a directory's `/`, or nothing (a name holds no `/`).
        let next = |entry: &git2::TreeEntry<'_>, name: &[u8]| {
            name.get(common)
                .copied()
                .or_else(|| is_tree(entry).then_some(b'/'))
        };
        next(a, a_name).cmp(&next(b, b_name))
    })
}

/// Where a snapshot file's content lives.
#[derive(Clone, Copy, Debug)]
struct Entry {
    blob: Oid,
    /// True when the content is only on disk (working-tree snapshot, changed file).
    on_disk: bool,
}

/// A read-only view of the files at one revision.
pub struct Snapshot<'r> {
    repo: &'r Repo,
    origin: Origin<'r>,
    entries: BTreeMap<String, Entry>,
    /// Blob ids of working-tree files whose content may not be in the object database.
    disk_blobs: HashMap<Oid, String>,
    /// Entries that are not files `impact` can read (see [`Snapshot::warnings`]).
    unread: Vec<(String, Unread)>,
}

/// Where a snapshot's files come from.
enum Origin<'r> {
    /// A commit's tree.
    Commit(Oid),
    /// The index, and its diff to the working tree (untracked files included, moved
    /// submodules not: [`worktree_options`]), which [`Repo::diff`] merges onto the base
    /// tree's diff to the same index.
    Worktree {
        index: git2::Index,
        to_workdir: git2::Diff<'r>,
    },
}

/// Why a snapshot entry is not read.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
enum Unread {
    /// A submodule (gitlink): its files are in another repository.
    Submodule,
    /// A name git cannot give as UTF-8 (`String::from_utf8_lossy` of it is kept).
    NotUtf8,
}

impl Snapshot<'_> {
    /// The revision this snapshot shows.
    pub fn revision(&self) -> Revision {
        match self.origin {
            Origin::Commit(oid) => Revision::Commit(oid),
            Origin::Worktree { .. } => Revision::Worktree,
        }
    }

    /// Every file's path and blob id, sorted by path, borrowed: what lists a whole
    /// revision copies only the paths it keeps.
    pub fn each_file(&self) -> impl Iterator<Item = (&str, Oid)> {
        self.entries
            .iter()
            .map(|(path, entry)| (path.as_str(), entry.blob))
    }

    /// The files whose path passes `filter`, sorted by path.
    pub fn files(&self, filter: impl Fn(&str) -> bool) -> Vec<SnapshotFile> {
        self.entries
            .iter()
            .filter(|(path, _)| filter(path))
            .map(|(path, entry)| SnapshotFile {
                path: path.clone(),
                blob: entry.blob,
            })
            .collect()
    }

    /// True when `path` (repository-relative) is a submodule of this snapshot, or lies
    /// inside one.
    pub fn in_submodule(&self, path: &str) -> bool {
        self.unread.iter().any(|(unread, why)| {
            *why == Unread::Submodule
                && path
                    .strip_prefix(unread.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }

    /// True when some file of this snapshot lies under the directory `dir`
    /// (repository-relative, no trailing slash).
    pub fn has_dir(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.entries
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(path, _)| path.starts_with(&prefix))
    }

    /// What a plan should warn about in this snapshot, for the paths `is_source` keeps
    /// (a non-UTF-8 name is checked with its undecodable bytes replaced): submodules
    /// (`impact` cannot see their files, so a change inside one is not seen), names that
    /// are not UTF-8 (skipped), and files whose paths differ only by case (a Salesforce
    /// org, and a checkout on macOS or Windows, keep only one of them).
    pub fn warnings(&self, is_source: impl Fn(&str) -> bool) -> Vec<String> {
        let mut warnings = Vec::new();
        for (path, why) in &self.unread {
            if !is_source(path) {
                continue;
            }
            warnings.push(match why {
                Unread::Submodule => format!(
                    "{path}: a submodule that holds or lies in a package directory; impact \
                     does not read its files, so a change inside it is not seen"
                ),
                Unread::NotUtf8 => {
                    format!("{path}: the file name is not UTF-8; impact does not read the file")
                }
            });
        }
        // Hashed, not sorted: a large org has tens of thousands of paths and few or no
        // such groups, which are then listed in the order of their folded paths. Every
        // path is grouped first and `is_source` asked only of the groups' paths: asking it
        // of every path (`.forceignore`'s patterns) was 7 ms of a warm NPSP plan.
        let mut first_of: rustc_hash::FxHashMap<String, &str> = Default::default();
        let mut by_folded: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for path in self.entries.keys() {
            match first_of.entry(path.to_lowercase()) {
                std::collections::hash_map::Entry::Occupied(first) => by_folded
                    .entry(first.key().clone())
                    .or_insert_with(|| vec![*first.get()])
                    .push(path),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(path);
                }
            }
        }
        by_folded.retain(|_, paths| {
            paths.retain(|path| is_source(path));
            paths.len() > 1
        });
        for paths in by_folded.values() {
            warnings.push(format!(
                "{}: these paths differ only by case; an org (and a checkout on macOS or \
                 Windows) keeps only one of them",
                paths.join(", ")
            ));
        }
        warnings
    }

    /// The blob id of `path`, if the file exists in this snapshot.
    pub fn blob(&self, path: &str) -> Option<Oid> {
        self.entries.get(path).map(|entry| entry.blob)
    }

    /// The content of `path`.
    pub fn read(&self, path: &str) -> Result<Vec<u8>> {
        let entry = self
            .entries
            .get(path)
            .ok_or_else(|| Error::UnreadableFile {
                path: PathBuf::from(path),
                reason: format!("no such file at {}", self.revision().label()),
            })?;
        if entry.on_disk {
            self.read_disk(path, entry.blob)
        } else {
            self.repo.read_blob(entry.blob, path)
        }
    }

    /// The content of a blob of this snapshot (or any blob in the object database), the
    /// content of `path` (which errors name).
    pub fn read_blob(&self, oid: Oid, path: &str) -> Result<Vec<u8>> {
        if let Some(on_disk) = self.disk_blobs.get(&oid) {
            return self.read_disk(on_disk, oid);
        }
        self.repo.read_blob(oid, path)
    }

    /// Reads a working-tree file and checks it still has the content the snapshot saw,
    /// so facts are never cached under the wrong blob id.
    fn read_disk(&self, path: &str, expected: Oid) -> Result<Vec<u8>> {
        let workdir = self.repo.worktree_dir()?;
        let full = workdir.join(path);
        let unreadable = |reason: &str| Error::UnreadableFile {
            path: full.clone(),
            reason: reason.to_string(),
        };
        let bytes = read_worktree_file(&full)?.ok_or_else(|| unreadable("it was deleted"))?;
        if Oid::hash_object(ObjectType::Blob, &bytes)? != expected {
            return Err(unreadable("it changed while impact was running"));
        }
        Ok(bytes)
    }
}

/// The options of both halves of a diff to the working tree: untracked files in full.
/// `ignore_submodules` leaves out gitlinks moved to another commit (and, index to working
/// tree, submodules whose checkouts differ).
fn worktree_options(ignore_submodules: bool) -> DiffOptions {
    let mut options = DiffOptions::new();
    options
        .ignore_submodules(ignore_submodules)
        .include_untracked(true)
        .recurse_untracked_dirs(true);
    options
}

/// The bits of an index entry's flags that hold its stage: 0 for a path without
/// conflict, 1 to 3 for the sides of a conflict (`GIT_INDEX_ENTRY_STAGEMASK`).
const INDEX_STAGE_MASK: u16 = 0x3000;

/// The index's entries whose flags say their file is not what the entry holds.
#[derive(Default)]
struct Flagged {
    /// Flagged skip-worktree: a sparse checkout may leave them out ([`sparse_view`]).
    skip_worktree: Vec<String>,
    /// Flagged intent-to-add (`git add -N`): the entry holds the empty blob, whose object
    /// git writes but another tool may not, and the content is the file's, so it is read
    /// from disk.
    intent_to_add: Vec<String>,
}

/// Adds every entry of `index` without conflict to `entries`; gitlinks and non-UTF-8
/// names go to `unread` instead. A conflicted path's file is the working tree's: the
/// index-to-working-tree diff lists it ([`changed_on_disk`]).
fn collect_index(
    index: &git2::Index,
    unread: &mut Vec<(String, Unread)>,
) -> (BTreeMap<String, Entry>, Flagged) {
    let mut flagged = Flagged::default();
    // Listed, then built into the map at once, as a commit's snapshot is
    // (`Repo::snapshot_kept`): the index is sorted by path.
    let mut entries: Vec<(String, Entry)> = Vec::with_capacity(index.len());
    for entry in index.iter() {
        if entry.flags & INDEX_STAGE_MASK != 0 {
            continue;
        }
        let path = match String::from_utf8(entry.path) {
            Ok(path) => path,
            Err(e) => {
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                unread.push((lossy, Unread::NotUtf8));
                continue;
            }
        };
        if entry.mode == u32::from(git2::FileMode::Commit) {
            unread.push((path, Unread::Submodule));
            continue;
        }
        let flags = git2::IndexEntryExtendedFlag::from_bits_truncate(entry.flags_extended);
        if flags.contains(git2::IndexEntryExtendedFlag::SKIP_WORKTREE) {
            flagged.skip_worktree.push(path.clone());
        }
        if flags.contains(git2::IndexEntryExtendedFlag::INTENT_TO_ADD) {
            flagged.intent_to_add.push(path.clone());
        }
        let blob = entry.id;
        entries.push((
            path,
            Entry {
                blob,
                on_disk: false,
            },
        ));
    }
    (entries.into_iter().collect(), flagged)
}

/// The index to compare the working tree with in a sparse checkout: `index` without the
/// entries flagged skip-worktree (`skipped`) whose files are absent, as a sparse checkout
/// leaves them. libgit2 gives such a file as deleted, where git (and a user) sees it
/// unchanged; so the snapshot keeps its index blob and the diff does not list it. One
/// that is present is left in: libgit2 honours the flag then. `None` when no entry is
/// left out, as in any checkout that is not sparse.
fn sparse_view(
    index: &git2::Index,
    workdir: &Path,
    skipped: &[String],
) -> Result<Option<git2::Index>> {
    let absent: BTreeSet<&str> = skipped
        .iter()
        .map(String::as_str)
        .filter(|path| std::fs::symlink_metadata(workdir.join(path)).is_err())
        .collect();
    if absent.is_empty() {
        return Ok(None);
    }
    let mut visible = git2::Index::new()?;
    for entry in index.iter() {
        let stage = entry.flags & INDEX_STAGE_MASK;
        let left_out =
            stage == 0 && std::str::from_utf8(&entry.path).is_ok_and(|path| absent.contains(path));
        if !left_out {
            visible.add(&entry)?;
        }
    }
    Ok(Some(visible))
}

/// The paths whose working-tree file differs from the index (modified, untracked,
/// conflicted, of another type), each with `true`, and those deleted from the working
/// tree, with `false`. Names that are not UTF-8 go to `unread`: they cannot be Salesforce
/// source.
fn changed_on_disk(
    to_workdir: &git2::Diff<'_>,
    unread: &mut Vec<(String, Unread)>,
) -> Vec<(String, bool)> {
    let mut paths = Vec::new();
    for delta in to_workdir.deltas() {
        let (file, on_disk) = match delta.status() {
            Delta::Unmodified | Delta::Ignored => continue,
            Delta::Deleted => (delta.old_file(), false),
            _ => (delta.new_file(), true),
        };
        let Some(bytes) = file.path_bytes() else {
            continue;
        };
        match std::str::from_utf8(bytes) {
            Ok(path) => paths.push((path.to_string(), on_disk)),
            Err(_) => unread.push((String::from_utf8_lossy(bytes).into_owned(), Unread::NotUtf8)),
        }
    }
    paths
}

/// The paths of the gitlinks (submodules) on either side of `diff`'s deltas, sorted.
fn gitlinks(diff: &git2::Diff<'_>) -> Vec<String> {
    let mut paths = BTreeSet::new();
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            if file.mode() == git2::FileMode::Commit {
                if let Some(path) = file.path() {
                    paths.insert(path.to_string_lossy().into_owned());
                }
            }
        }
    }
    paths.into_iter().collect()
}

/// The bytes git would store for a working-tree file: its content, or a symlink's
/// target. `None` when the file does not exist.
fn read_worktree_file(path: &Path) -> Result<Option<Vec<u8>>> {
    let unreadable = |e: std::io::Error| Error::UnreadableFile {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(e)),
    };
    if metadata.file_type().is_symlink() {
        let target = std::fs::read_link(path).map_err(unreadable)?;
        return Ok(Some(symlink_bytes(&target)));
    }
    if metadata.is_dir() {
        return Ok(None);
    }
    std::fs::read(path).map(Some).map_err(unreadable)
}

#[cfg(unix)]
fn symlink_bytes(target: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    target.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn symlink_bytes(target: &Path) -> Vec<u8> {
    target.to_string_lossy().replace('\\', "/").into_bytes()
}

/// By default libgit2 hashes every object it reads to check it (SHA-1 with collision
/// detection): on NPSP that was a sixth of a plan's time. `impact` only reads, and
/// checking an object store's integrity is `git fsck`'s job, so the check is off.
fn read_without_hash_checks() {
    git2::opts::strict_hash_verification(false);
}

/// The largest tree libgit2 keeps in its object cache unless told otherwise.
const TREE_CACHE_DEFAULT: usize = 4096;

/// The largest tree kept while a [`TreeReader`] lives: far more than any directory holds
/// (a 20,000-file directory's tree is 1.3 MB).
const TREE_CACHE_KEPT: usize = 64 << 20;

/// Another handle on a repository, for the trees a plan lists and diffs its head with
/// ([`Repo::snapshot_kept`], [`Repo::diff_reading`]). While it lives, libgit2 caches
/// every tree it reads, whatever its size; dropping it frees those read through it (a
/// repository's cache lives as long as it does), and trees over 4 KB are read again
/// each time, as by default.
///
/// A plan's snapshot walks the directories that changed, `TreeDiff` reads them on both
/// sides, and libgit2's diff of the changed paths reads them again. Caching no tree over
/// 4 KB, libgit2 unpacked a large directory again through its chain of deltas at each
/// read (a 10,000-class org's class directory, 1.3 MB: 182 M instructions of a warm
/// plan). The limit is the process's, so it is raised only while a plan lists and diffs
/// its head, when no other thread reads trees; the first plan's churn walk, which reads
/// every tree of hundreds of commits, runs with the default. Cached in the plan's own
/// handle, the trees stayed to its end: a cold 10,000-class plan peaked at 288–294 MB
/// against 280–288 (two runs each).
pub struct TreeReader {
    repo: Repo,
}

impl TreeReader {
    /// The handle to read trees through.
    pub fn repo(&self) -> &Repo {
        &self.repo
    }
}

impl Drop for TreeReader {
    fn drop(&mut self) {
        set_tree_cache_limit(TREE_CACHE_DEFAULT);
    }
}

fn set_tree_cache_limit(bytes: usize) {
    // SAFETY: libgit2 reads the limit, a plain size, when it caches an object, and a
    // limit of any value only decides whether a tree is cached. `git2` marks the
    // setter unsafe because the options are global to the process.
    let _ = unsafe { git2::opts::set_cache_object_limit(ObjectType::Tree, bytes) };
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use git2::{IndexAddOption, IndexEntry, IndexEntryExtendedFlag, Signature};
    use std::fs;
    use std::process::Command;
    use tempfile::TempDir;

    /// A scratch repository built with git2 (the listing's tests use it too).
    pub(crate) struct Fixture {
        dir: TempDir,
        repo: Repository,
    }

    impl Fixture {
        pub(crate) fn new() -> Fixture {
            let dir = TempDir::new().unwrap();
            let repo = Repository::init(dir.path()).unwrap();
            Fixture { dir, repo }
        }

        pub(crate) fn path(&self) -> &Path {
            self.dir.path()
        }

        pub(crate) fn write(&self, path: &str, content: &str) {
            let full = self.path().join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, content).unwrap();
        }

        pub(crate) fn remove(&self, path: &str) {
            fs::remove_file(self.path().join(path)).unwrap();
        }

        fn stage(&self, path: &str) {
            let mut index = self.repo.index().unwrap();
            if self.path().join(path).exists() {
                index.add_path(Path::new(path)).unwrap();
            } else {
                index.remove_path(Path::new(path)).unwrap();
            }
            index.write().unwrap();
        }

        /// Stages everything (additions, edits, deletions) and commits.
        pub(crate) fn commit(&self, message: &str) -> Oid {
            let mut index = self.repo.index().unwrap();
            index
                .add_all(["*"].iter(), IndexAddOption::DEFAULT, None)
                .unwrap();
            index.update_all(["*"].iter(), None).unwrap();
            index.write().unwrap();
            let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
            let sig = Signature::now("t", "t@example.com").unwrap();
            let parents: Vec<git2::Commit<'_>> = match self.repo.head() {
                Ok(head) => vec![head.peel_to_commit().unwrap()],
                Err(_) => vec![],
            };
            let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
            self.repo
                .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
                .unwrap()
        }

        pub(crate) fn repo(&self) -> Repo {
            Repo::discover(self.path()).unwrap()
        }
    }

    /// The file changes and changed submodules between `base` and `head`.
    fn diff_of(repo: &Repo, base: Oid, head: Revision) -> Result<(Vec<FileChange>, Vec<String>)> {
        repo.diff(base, &repo.snapshot(&head)?)
    }

    /// Each change's status and path, in order.
    fn summary(changes: &[FileChange]) -> Vec<(FileStatus, &str)> {
        changes.iter().map(|c| (c.status, c.path())).collect()
    }

    /// Every file of `snap` with its blob id.
    fn files_of(snap: &Snapshot<'_>) -> BTreeMap<String, Oid> {
        snap.files(|_| true)
            .into_iter()
            .map(|file| (file.path, file.blob))
            .collect()
    }

    /// Each path with the blob id of its content.
    fn blobs_of(files: &[(&str, &str)]) -> BTreeMap<String, Oid> {
        files
            .iter()
            .map(|(path, content)| (path.to_string(), blob_of(content)))
            .collect()
    }

    /// The changes libgit2's one call (`git_diff_tree_to_workdir_with_index`) gives
    /// between `base` and the working tree `snap` shows: what [`Repo::diff`] must give.
    fn diff_in_one_call(repo: &Repo, base: Oid, snap: &Snapshot<'_>) -> Vec<FileChange> {
        let base_tree = repo.commit_tree(base).unwrap();
        let diff = repo
            .git()
            .diff_tree_to_workdir_with_index(Some(&base_tree), Some(&mut worktree_options(true)))
            .unwrap();
        repo.file_changes(diff, snap).unwrap()
    }

    /// An index entry of no file on disk yet (its times and sizes zero), as `git add -N`
    /// writes one.
    fn index_entry(path: &str, mode: u32, id: Oid, flags: IndexEntryExtendedFlag) -> IndexEntry {
        IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: 0,
            id,
            flags: 0,
            flags_extended: flags.bits(),
            path: path.as_bytes().to_vec(),
        }
    }

    /// Numbers below `n` from a xorshift generator seeded with `state`: random edits a
    /// failing test can replay.
    fn xorshift(mut state: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        }
    }

    fn blob_of(content: &str) -> Oid {
        Oid::hash_object(ObjectType::Blob, content.as_bytes()).unwrap()
    }

    const LONG: &str = "public class Invoice {\n    public Integer a;\n    public Integer b;\n    public Integer c;\n    public Integer d;\n}\n";

    #[test]
    fn resolves_revspecs_and_rejects_unknown_ones() {
        let f = Fixture::new();
        f.write("a.txt", "1");
        let first = f.commit("one");
        f.write("a.txt", "2");
        let second = f.commit("two");
        let repo = f.repo();
        assert_eq!(repo.resolve("HEAD").unwrap(), second);
        assert_eq!(repo.resolve("HEAD~1").unwrap(), first);
        assert_eq!(repo.resolve(&sha(first)[..8]).unwrap(), first);
        assert_eq!(repo.head_commit().unwrap(), second);
        let tag_target = f.repo.find_object(first, None).unwrap();
        f.repo.tag_lightweight("v1", &tag_target, false).unwrap();
        assert_eq!(repo.resolve("v1").unwrap(), first);
        for bad in ["nope", "HEAD~5", "", "a..b"] {
            let err = repo.resolve(bad).unwrap_err();
            assert!(
                matches!(err, Error::UnknownRevision { .. }),
                "{bad}: {err:?}"
            );
        }
        assert_eq!(Revision::Commit(first).label(), sha(first));
        assert_eq!(sha(first).len(), 40);
    }

    #[test]
    fn empty_repository_gives_a_clear_error() {
        let f = Fixture::new();
        let repo = f.repo();
        assert!(matches!(repo.head_commit(), Err(Error::NoCommits { .. })));
        assert!(matches!(repo.resolve("HEAD"), Err(Error::NoCommits { .. })));
        assert!(matches!(repo.default_base(), Err(Error::NoCommits { .. })));
        // The working tree of an empty repository is still readable.
        f.write("new.txt", "x");
        let snap = repo.snapshot(&Revision::Worktree).unwrap();
        assert_eq!(snap.files(|_| true).len(), 1);
        assert_eq!(snap.read("new.txt").unwrap(), b"x");
    }

    #[test]
    fn commit_snapshot_lists_blobs_sorted_and_reads_them() {
        let f = Fixture::new();
        f.write("b/z.txt", "z");
        f.write("a.txt", "a");
        f.write("b.txt", "b");
        let head = f.commit("c");
        let repo = f.repo();
        let snap = repo.snapshot(&Revision::Commit(head)).unwrap();
        let paths: Vec<String> = snap.files(|_| true).into_iter().map(|f| f.path).collect();
        assert_eq!(paths, vec!["a.txt", "b.txt", "b/z.txt"]);
        let only_b = snap.files(|p| p.starts_with("b/"));
        assert_eq!(
            only_b,
            vec![SnapshotFile {
                path: "b/z.txt".into(),
                blob: blob_of("z")
            }]
        );
        assert_eq!(snap.read("b/z.txt").unwrap(), b"z");
        assert_eq!(snap.read_blob(blob_of("a"), "a").unwrap(), b"a");
        assert!(matches!(
            snap.read("missing"),
            Err(Error::UnreadableFile { .. })
        ));
    }

    #[test]
    fn worktree_snapshot_overlays_index_and_working_directory() {
        let f = Fixture::new();
        f.write(".gitignore", "*.log\n");
        f.write("keep.txt", "keep");
        f.write("gone.txt", "gone");
        f.write("staged.txt", "v1");
        f.write("unstaged-delete.txt", "x");
        f.commit("base");
        f.write("staged.txt", "v2");
        f.stage("staged.txt");
        f.write("staged.txt", "v3"); // staged, then modified again
        f.remove("gone.txt");
        f.stage("gone.txt"); // staged deletion
        f.remove("unstaged-delete.txt");
        f.write("dir/untracked.txt", "new");
        f.write("debug.log", "ignored");
        let repo = f.repo();
        let snap = repo.snapshot(&Revision::Worktree).unwrap();
        let files = files_of(&snap);
        let paths: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            vec![".gitignore", "dir/untracked.txt", "keep.txt", "staged.txt"]
        );
        assert_eq!(files["staged.txt"], blob_of("v3"));
        assert_eq!(files["keep.txt"], blob_of("keep"));
        assert_eq!(files["dir/untracked.txt"], blob_of("new"));
        assert_eq!(snap.read("staged.txt").unwrap(), b"v3");
        assert_eq!(snap.read_blob(blob_of("new"), "new").unwrap(), b"new");
        assert_eq!(snap.read("keep.txt").unwrap(), b"keep");
        // Content changed after the snapshot was taken is refused, not mis-keyed.
        f.write("staged.txt", "v4");
        assert!(matches!(
            snap.read("staged.txt"),
            Err(Error::UnreadableFile { .. })
        ));
    }

    #[test]
    fn worktree_blob_ids_equal_git_blob_ids() {
        let f = Fixture::new();
        f.write("a.cls", "class A {}\n");
        f.commit("c");
        f.write("a.cls", "class A { }\n");
        let repo = f.repo();
        let snap = repo.snapshot(&Revision::Worktree).unwrap();
        let written = f.repo.blob("class A { }\n".as_bytes()).unwrap();
        assert_eq!(snap.blob("a.cls"), Some(written));
    }

    /// A commit of two directories built entry by entry: `classes` of files, `libs` of
    /// gitlinks (submodules at the commits given), which a working tree cannot hold
    /// without their repositories.
    fn commit_tree_of(f: &Fixture, classes: &[(&str, &str)], libs: &[(&str, Oid)]) -> Oid {
        let repo = &f.repo;
        let mut dir = repo.treebuilder(None).unwrap();
        for (name, content) in classes {
            let blob = repo.blob(content.as_bytes()).unwrap();
            dir.insert(name, blob, 0o100644).unwrap();
        }
        let classes = dir.write().unwrap();
        let mut dir = repo.treebuilder(None).unwrap();
        for (name, commit) in libs {
            dir.insert(name, *commit, 0o160000).unwrap();
        }
        let libs = dir.write().unwrap();
        let mut root = repo.treebuilder(None).unwrap();
        root.insert("classes", classes, 0o040000).unwrap();
        root.insert("libs", libs, 0o040000).unwrap();
        let tree = repo.find_tree(root.write().unwrap()).unwrap();
        let sig = Signature::now("t", "t@example.com").unwrap();
        repo.commit(None, &sig, &sig, "tree", &tree, &[]).unwrap()
    }

    /// One diff gives the file changes (a rename among them) without the moved
    /// submodule, and the submodules added, moved and removed.
    #[test]
    fn one_diff_gives_the_file_changes_and_the_changed_submodules() {
        let f = Fixture::new();
        let (first, second) = (
            Oid::from_bytes(&[1; 20]).unwrap(),
            Oid::from_bytes(&[2; 20]).unwrap(),
        );
        let base = commit_tree_of(
            &f,
            &[("Invoice.cls", LONG), ("Keep.cls", "class Keep {}")],
            &[("moved", first), ("removed", first), ("same", first)],
        );
        let head = commit_tree_of(
            &f,
            &[("Bill.cls", LONG), ("Keep.cls", "class Keep { }")],
            &[("added", first), ("moved", second), ("same", first)],
        );
        let repo = f.repo();
        let (changes, submodules) = diff_of(&repo, base, Revision::Commit(head)).unwrap();
        assert_eq!(submodules, ["libs/added", "libs/moved", "libs/removed"]);
        assert_eq!(
            summary(&changes),
            [
                (FileStatus::Renamed, "classes/Bill.cls"),
                (FileStatus::Modified, "classes/Keep.cls"),
                (FileStatus::Added, "libs/added"),
                (FileStatus::Deleted, "libs/removed"),
            ]
        );
    }

    #[test]
    fn commit_diff_detects_renames_adds_modifies_and_deletes() {
        let f = Fixture::new();
        f.write("classes/Invoice.cls", LONG);
        f.write("classes/Keep.cls", "class Keep {}");
        f.write("classes/Old.cls", "class Old {}");
        let base = f.commit("base");
        fs::rename(
            f.path().join("classes/Invoice.cls"),
            f.path().join("classes/Bill.cls"),
        )
        .unwrap();
        f.write("classes/Keep.cls", "class Keep { }");
        f.remove("classes/Old.cls");
        f.write("classes/New.cls", "class New {}");
        let head = f.commit("head");
        let repo = f.repo();
        let (changes, _) = diff_of(&repo, base, Revision::Commit(head)).unwrap();
        let summary: Vec<(FileStatus, Option<&str>, Option<&str>)> = changes
            .iter()
            .map(|c| (c.status, c.old_path.as_deref(), c.new_path.as_deref()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    FileStatus::Renamed,
                    Some("classes/Invoice.cls"),
                    Some("classes/Bill.cls")
                ),
                (
                    FileStatus::Modified,
                    Some("classes/Keep.cls"),
                    Some("classes/Keep.cls")
                ),
                (FileStatus::Added, None, Some("classes/New.cls")),
                (FileStatus::Deleted, Some("classes/Old.cls"), None),
            ]
        );
        assert_eq!(changes[0].old_blob, Some(blob_of(LONG)));
        assert_eq!(changes[0].new_blob, Some(blob_of(LONG)));
        assert_eq!(changes[1].new_blob, Some(blob_of("class Keep { }")));
        assert_eq!(changes[2].old_blob, None);
        assert_eq!(changes[3].new_blob, None);
    }

    #[test]
    fn worktree_diff_sees_untracked_staged_and_unstaged_renames() {
        let f = Fixture::new();
        f.write("classes/Invoice.cls", LONG);
        f.write("classes/Staged.cls", "class Staged {}");
        let base = f.commit("base");
        // Unstaged rename with an edit: old path deleted on disk, new path untracked.
        let edited = LONG.replace("d;", "e;");
        f.remove("classes/Invoice.cls");
        f.write("classes/Bill.cls", &edited);
        f.write("classes/Staged.cls", "class Staged { }");
        f.stage("classes/Staged.cls");
        f.write("classes/Staged.cls", "class Staged { /* again */ }");
        f.write("classes/Untracked.cls", "class U {}");
        let repo = f.repo();
        let (changes, _) = diff_of(&repo, base, Revision::Worktree).unwrap();
        assert_eq!(
            summary(&changes),
            vec![
                (FileStatus::Renamed, "classes/Bill.cls"),
                (FileStatus::Modified, "classes/Staged.cls"),
                (FileStatus::Added, "classes/Untracked.cls"),
            ]
        );
        assert_eq!(changes[0].old_path.as_deref(), Some("classes/Invoice.cls"));
        assert_eq!(changes[0].new_blob, Some(blob_of(&edited)));
        assert_eq!(
            changes[1].new_blob,
            Some(blob_of("class Staged { /* again */ }"))
        );
        // The diff and the snapshot agree on working-tree blob ids.
        let snap = repo.snapshot(&Revision::Worktree).unwrap();
        for change in &changes {
            assert_eq!(snap.blob(change.path()), change.new_blob);
        }
    }

    /// A working tree in the middle of a merge, with a file intended to add and a
    /// submodule staged: the snapshot holds what a user sees, and the diff taken in two
    /// halves is libgit2's diff of the base tree to the working tree in one.
    #[test]
    fn worktree_snapshot_and_diff_read_conflicts_intents_and_staged_submodules() {
        let f = Fixture::new();
        f.write(".gitignore", "*.log\n");
        f.write("classes/Conflict.cls", "class C { Integer a; }");
        f.write("classes/Invoice.cls", LONG);
        f.write("classes/Staged.cls", "class Staged {}");
        let base = f.commit("base");
        let base_commit = f.repo.find_commit(base).unwrap();
        f.repo.branch("other", &base_commit, false).unwrap();
        f.repo.branch("mine", &base_commit, false).unwrap();
        f.repo.set_head("refs/heads/other").unwrap();
        f.write("classes/Conflict.cls", "class C { Integer b; }");
        let other = f.commit("other");
        f.repo.set_head("refs/heads/mine").unwrap();
        f.write("classes/Conflict.cls", "class C { Integer c; }");
        f.commit("mine");
        let theirs = f.repo.find_annotated_commit(other).unwrap();
        f.repo.merge(&[&theirs], None, None).unwrap();
        let conflicted = fs::read_to_string(f.path().join("classes/Conflict.cls")).unwrap();
        assert!(conflicted.contains("<<<<<<<"));

        let edited = LONG.replace("d;", "e;");
        f.remove("classes/Invoice.cls");
        f.write("classes/Bill.cls", &edited);
        f.write("classes/Staged.cls", "class Staged { }");
        f.stage("classes/Staged.cls");
        f.write("debug.log", "ignored");
        f.write("classes/Intent.cls", "class Intent {}");
        let mut index = f.repo.index().unwrap();
        let intent = IndexEntryExtendedFlag::INTENT_TO_ADD;
        let empty = f.repo.blob(b"").unwrap();
        let intended = index_entry("classes/Intent.cls", 0o100644, empty, intent);
        index.add(&intended).unwrap();
        let dep = Oid::from_bytes(&[3; 20]).unwrap();
        let gitlink = index_entry("libs/dep", 0o160000, dep, IndexEntryExtendedFlag::empty());
        index.add(&gitlink).unwrap();
        index.write().unwrap();

        let repo = f.repo();
        let snap = repo.snapshot(&Revision::Worktree).unwrap();
        let files = files_of(&snap);
        let expected = [
            (".gitignore", "*.log\n"),
            ("classes/Bill.cls", edited.as_str()),
            ("classes/Conflict.cls", conflicted.as_str()),
            ("classes/Intent.cls", "class Intent {}"),
            ("classes/Staged.cls", "class Staged { }"),
        ];
        assert_eq!(files, blobs_of(&expected));
        for (path, content) in expected {
            assert_eq!(snap.read(path).unwrap(), content.as_bytes(), "{path}");
        }
        let warnings = snap.warnings(|_| true);
        assert!(
            warnings[0].starts_with("libs/dep: a submodule"),
            "{warnings:?}"
        );

        let (changes, submodules) = repo.diff(base, &snap).unwrap();
        assert_eq!(submodules, ["libs/dep"]);
        assert_eq!(changes, diff_in_one_call(&repo, base, &snap));
        assert_eq!(
            summary(&changes),
            [
                (FileStatus::Renamed, "classes/Bill.cls"),
                (FileStatus::Modified, "classes/Conflict.cls"),
                (FileStatus::Added, "classes/Intent.cls"),
                (FileStatus::Modified, "classes/Staged.cls"),
            ]
        );
        for change in &changes {
            assert_eq!(
                snap.blob(change.path()),
                change.new_blob,
                "{}",
                change.path()
            );
        }
    }

    /// Edits, stages, deletions, untracked and intended files, in a seeded random order:
    /// after each step the working-tree snapshot holds exactly the files a user sees (on
    /// disk, and tracked or not ignored), each with the blob id of its bytes,
    /// and the diff taken in two halves is libgit2's one-call diff.
    #[test]
    fn worktree_snapshot_and_diff_follow_random_edits() {
        const PATHS: [&str; 6] = [
            "d/A.cls",
            "d/B.cls",
            "d/e/C.cls",
            "D.cls",
            "new/N.cls",
            "x.log",
        ];
        let f = Fixture::new();
        f.write(".gitignore", "*.log\n");
        for path in &PATHS[..4] {
            f.write(path, &format!("class {path} {{}}"));
        }
        let base = f.commit("base");
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for step in 0..60 {
            let path = PATHS[next(PATHS.len())];
            let exists = f.path().join(path).exists();
            match next(6) {
                // Same length as the last content when there was one: libgit2 must hash.
                0 | 1 => f.write(path, &format!("class {path} {{ /* {step:02} */ }}")),
                2 if exists => f.remove(path),
                3 => f.stage(path),
                4 if exists
                    && f.repo
                        .index()
                        .unwrap()
                        .get_path(Path::new(path), 0)
                        .is_none() =>
                {
                    let empty = f.repo.blob(b"").unwrap();
                    let intent = IndexEntryExtendedFlag::INTENT_TO_ADD;
                    let mut index = f.repo.index().unwrap();
                    index
                        .add(&index_entry(path, 0o100644, empty, intent))
                        .unwrap();
                    index.write().unwrap();
                }
                5 if step % 3 == 0 => {
                    f.commit(&format!("step {step}"));
                }
                _ => continue,
            }
            let repo = f.repo();
            let snap = repo.snapshot(&Revision::Worktree).unwrap();
            let seen = files_of(&snap);
            // Ignored files count once tracked, as git shows them.
            let index = f.repo.index().unwrap();
            let on_disk: BTreeMap<String, Oid> = [".gitignore"]
                .iter()
                .chain(&PATHS)
                .filter(|path| {
                    !path.ends_with(".log") || index.get_path(Path::new(path), 0).is_some()
                })
                .filter_map(|path| {
                    let bytes = fs::read(f.path().join(path)).ok()?;
                    Some((
                        path.to_string(),
                        Oid::hash_object(ObjectType::Blob, &bytes).unwrap(),
                    ))
                })
                .collect();
            assert_eq!(seen, on_disk, "step {step}");
            let (changes, _) = repo.diff(base, &snap).unwrap();
            assert_eq!(changes, diff_in_one_call(&repo, base, &snap), "step {step}");
        }
    }

    /// The changes libgit2's diff of the two whole trees gives, renames detected: what
    /// [`Repo::diff`] of a commit, which reads only the directories that differ, must
    /// give.
    fn diff_of_whole_trees(repo: &Repo, base: Oid, snap: &Snapshot<'_>) -> Vec<FileChange> {
        let Origin::Commit(head) = snap.origin else {
            panic!("a commit's snapshot");
        };
        let (base, head) = (
            repo.commit_tree(base).unwrap(),
            repo.commit_tree(head).unwrap(),
        );
        let diff = repo
            .git()
            .diff_tree_to_tree(
                Some(&base),
                Some(&head),
                Some(DiffOptions::new().ignore_submodules(false)),
            )
            .unwrap();
        repo.file_changes(diff, snap).unwrap()
    }

    /// Commits of random edits, moves (across directories, for rename detection), mode
    /// changes, files replaced by directories of their name, deletions of whole
    /// directories, and now and then a commit that changes nothing. Each commit's
    /// snapshot taken from the one before's kept listing has the files and unread
    /// entries of one read whole, and keeps a listing exactly when it read a directory;
    /// the diff from the first commit, which reads only the directories that differ, is
    /// libgit2's diff of the whole trees.
    #[test]
    fn commit_snapshots_and_diffs_read_only_what_changed_and_give_what_reading_all_does() {
        const PATHS: [&str; 9] = [
            "a/A.cls",
            "a/b/B.cls",
            "a/b/c/C.cls",
            "a/b/c",
            "d/D.cls",
            "d/e/E.cls",
            "F.cls",
            "g/h/i/G.cls",
            "a/b/Long.cls",
        ];
        let f = Fixture::new();
        for path in &PATHS[..3] {
            f.write(path, &format!("class {path} {{}}"));
        }
        f.write("a/b/Long.cls", LONG);
        let base = f.commit("base");
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let mut kept: Option<Vec<u8>> = None;
        let mut last_tree: Option<Oid> = None;
        for step in 0..80 {
            let path = PATHS[next(PATHS.len())];
            let full = f.path().join(path);
            match next(6) {
                0 | 1 if !full.is_dir() => f.write(path, &format!("class X {{ /* {step} */ }}")),
                2 if full.is_file() => f.remove(path),
                2 if full.is_dir() => fs::remove_dir_all(&full).unwrap(),
                3 if full.is_file() => {
                    // Moved elsewhere with its content: a rename.
                    let to = PATHS[next(PATHS.len())];
                    let to_full = f.path().join(to);
                    if to != path && !to_full.exists() && !to_full.is_dir() {
                        let content = fs::read_to_string(&full).unwrap();
                        f.remove(path);
                        f.write(to, &content);
                    }
                }
                4 if full.is_file() => {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = fs::metadata(&full).unwrap().permissions().mode();
                    fs::set_permissions(&full, fs::Permissions::from_mode(mode ^ 0o111)).unwrap();
                }
                _ => {}
            }
            let head = f.commit(&format!("step {step}"));
            let repo = f.repo();
            let revision = Revision::Commit(head);
            // Read as a plan reads: through another handle on the repository.
            let trees = repo.tree_reader().expect("a second handle");
            let (snap, to_keep) = repo
                .snapshot_kept(&revision, kept.as_deref(), true, trees.repo())
                .unwrap();
            let whole = repo.snapshot(&revision).unwrap();
            assert_eq!(files_of(&snap), files_of(&whole), "step {step}");
            assert_eq!(snap.unread, whole.unread, "step {step}");
            assert!(!to_keep.damaged);
            let tree = repo.commit_tree(head).unwrap().id();
            assert_eq!(
                to_keep.record.is_some(),
                last_tree != Some(tree),
                "step {step}: a listing is kept when the tree differs"
            );
            if let Some(record) = to_keep.record {
                kept = Some(record);
            }
            last_tree = Some(tree);
            let (changes, _) = repo.diff_reading(base, &snap, trees.repo()).unwrap();
            assert_eq!(
                changes,
                diff_of_whole_trees(&repo, base, &snap),
                "step {step}"
            );
            assert_eq!(repo.diff(base, &snap).unwrap().0, changes, "step {step}");
        }
    }

    /// A submodule and names that are not UTF-8: the snapshot taken from a kept listing
    /// lists them unread as one read whole does, and the diff, which cannot find a
    /// differing name that is not UTF-8 by the directories that differ, reads the whole
    /// trees. A kept listing that is damaged is read around, and said to be.
    #[test]
    fn kept_listings_keep_unread_entries_and_damaged_ones_are_not_read() {
        let f = Fixture::new();
        f.write("src/A.cls", "class A {}");
        let base = f.commit("base");
        let repo = f.repo();
        let git = repo.git();
        let base_tree = repo.commit_tree(base).unwrap();
        let blob = git.blob(b"class B {}").unwrap();
        let mut odd = git.treebuilder(None).unwrap();
        odd.insert(b"caf\xe9.cls".to_vec(), blob, 0o100644).unwrap();
        odd.insert("B.cls", blob, 0o100644).unwrap();
        let odd = odd.write().unwrap();
        let mut root = git.treebuilder(Some(&base_tree)).unwrap();
        root.insert("odd", odd, 0o040000).unwrap();
        root.insert("lib", base, 0o160000).unwrap();
        let tree = git.find_tree(root.write().unwrap()).unwrap();
        let sig = Signature::now("t", "t@example.com").unwrap();
        let parent = git.find_commit(base).unwrap();
        let head = git
            .commit(None, &sig, &sig, "odd names", &tree, &[&parent])
            .unwrap();
        let revision = Revision::Commit(head);

        let (first, to_keep) = repo.snapshot_kept(&revision, None, true, &repo).unwrap();
        let record = to_keep.record.expect("a first listing is kept");
        let (again, to_keep) = repo
            .snapshot_kept(&revision, Some(&record), true, &repo)
            .unwrap();
        assert!(to_keep.record.is_none(), "the same tree: nothing to keep");
        for snap in [&first, &again] {
            assert_eq!(
                files_of(snap).keys().collect::<Vec<_>>(),
                ["odd/B.cls", "src/A.cls"]
            );
            assert_eq!(
                snap.unread,
                [
                    ("lib".to_string(), Unread::Submodule),
                    ("odd/caf\u{fffd}.cls".to_string(), Unread::NotUtf8)
                ]
            );
        }
        let (changes, submodules) = repo.diff(base, &again).unwrap();
        assert_eq!(changes, diff_of_whole_trees(&repo, base, &again));
        assert!(changes
            .iter()
            .any(|change| change.path().starts_with("odd/caf")));
        assert_eq!(submodules, ["lib"]);

        let mut damaged = record.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0x01;
        let (read, to_keep) = repo
            .snapshot_kept(&revision, Some(&damaged), true, &repo)
            .unwrap();
        assert!(to_keep.damaged);
        assert_eq!(to_keep.record, Some(record));
        assert_eq!(files_of(&read), files_of(&first));
    }

    /// An empty file intended to add whose empty blob no object holds (git writes it;
    /// another tool may not): the snapshot reads it from disk, and the diff adds it.
    #[test]
    fn an_empty_file_intended_to_add_is_read_from_disk() {
        let f = Fixture::new();
        f.write("A.cls", "class A {}");
        let base = f.commit("base");
        f.write("Empty.cls", "");
        // An index of no repository does not ask whether the object exists.
        let mut index = git2::Index::open(&f.repo.path().join("index")).unwrap();
        let intent = IndexEntryExtendedFlag::INTENT_TO_ADD;
        index
            .add(&index_entry("Empty.cls", 0o100644, blob_of(""), intent))
            .unwrap();
        index.write().unwrap();
        assert!(!f.repo.odb().unwrap().exists(blob_of("")));

        let repo = f.repo();
        let snap = repo.snapshot(&Revision::Worktree).unwrap();
        assert_eq!(snap.blob("Empty.cls"), Some(blob_of("")));
        assert_eq!(snap.read("Empty.cls").unwrap(), b"");
        assert_eq!(snap.read_blob(blob_of(""), "").unwrap(), b"");
        let (changes, _) = repo.diff(base, &snap).unwrap();
        assert_eq!(summary(&changes), [(FileStatus::Added, "Empty.cls")]);
    }

    /// Files a sparse checkout leaves out (skip-worktree, absent from disk) are in the
    /// snapshot with their index blobs, and the diff does not list them as deleted; one
    /// flagged but present stays as the index has it, edits and all, as git shows it.
    #[test]
    fn worktree_snapshot_keeps_the_files_a_sparse_checkout_leaves_out() {
        let f = Fixture::new();
        f.write("in/A.cls", "class A {}");
        f.write("out/Left.cls", "class Left {}");
        f.write("out/Present.cls", "class Present {}");
        let base = f.commit("base");
        let mut index = f.repo.index().unwrap();
        for path in ["out/Left.cls", "out/Present.cls"] {
            let mut entry = index.get_path(Path::new(path), 0).unwrap();
            entry.flags_extended = git2::IndexEntryExtendedFlag::SKIP_WORKTREE.bits();
            index.add(&entry).unwrap();
        }
        index.write().unwrap();
        f.remove("out/Left.cls");
        f.write("out/Present.cls", "class Present { }");
        f.write("in/A.cls", "class A { }");
        f.write("in/New.cls", "class New {}");

        let repo = f.repo();
        let snap = repo.snapshot(&Revision::Worktree).unwrap();
        let files = files_of(&snap);
        let expected = [
            ("in/A.cls", "class A { }"),
            ("in/New.cls", "class New {}"),
            ("out/Left.cls", "class Left {}"),
            ("out/Present.cls", "class Present {}"),
        ];
        assert_eq!(files, blobs_of(&expected));
        assert_eq!(snap.read("out/Left.cls").unwrap(), b"class Left {}");
        let (changes, submodules) = repo.diff(base, &snap).unwrap();
        assert!(submodules.is_empty());
        assert_eq!(
            summary(&changes),
            [
                (FileStatus::Modified, "in/A.cls"),
                (FileStatus::Added, "in/New.cls"),
            ]
        );
    }

    /// Paths that differ only by case are one warning per group, naming the group's
    /// source paths, when two or more of them are source.
    #[test]
    fn paths_differing_only_by_case_are_warned_of_when_two_are_source() {
        let f = Fixture::new();
        for path in [
            "src/A.cls",
            "src/a.cls",
            "SRC/a.cls",
            "src/B.cls",
            "SRC/b.cls",
            "docs/X.md",
            "DOCS/x.md",
        ] {
            f.write(path, path);
        }
        let head = f.commit("cases");
        let repo = f.repo();
        let snap = repo.snapshot(&Revision::Commit(head)).unwrap();
        let warnings = snap.warnings(|path| path.starts_with("src/"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("src/A.cls, src/a.cls: these paths differ only by case"),
            "{warnings:?}"
        );
    }

    #[test]
    fn default_base_is_the_merge_base_with_main() {
        let f = Fixture::new();
        f.write("a.txt", "1");
        let root = f.commit("root");
        let root_commit = f.repo.find_commit(root).unwrap();
        f.repo.branch("main", &root_commit, true).unwrap();
        f.repo.branch("feature", &root_commit, true).unwrap();
        f.repo.set_head("refs/heads/feature").unwrap();
        f.write("a.txt", "2");
        f.commit("feature work");
        let repo = f.repo();
        assert_eq!(repo.default_base().unwrap(), root);
    }

    #[test]
    fn default_base_missing_and_unrelated() {
        let f = Fixture::new();
        f.write("a.txt", "1");
        let root = f.commit("root");
        let root_commit = f.repo.find_commit(root).unwrap();
        f.repo.branch("topic", &root_commit, true).unwrap();
        f.repo.set_head("refs/heads/topic").unwrap();
        // `git init` names the first branch after the user's config; drop it.
        for name in ["master", "main"] {
            if let Ok(mut branch) = f.repo.find_branch(name, git2::BranchType::Local) {
                branch.delete().unwrap();
            }
        }
        let repo = f.repo();
        // The hint names the branch that exists, not `origin/main`.
        match repo.default_base() {
            Err(Error::NoDefaultBase { branch }) => assert_eq!(branch, None),
            other => panic!("{other:?}"),
        }
        f.repo.branch("develop", &root_commit, true).unwrap();
        match repo.default_base() {
            Err(error @ Error::NoDefaultBase { .. }) => {
                assert_eq!(
                    error.hint().unwrap(),
                    "pass `--base REV`, for example `--base develop`, a branch of this repository"
                );
            }
            other => panic!("{other:?}"),
        }
        f.repo
            .find_branch("develop", git2::BranchType::Local)
            .unwrap()
            .delete()
            .unwrap();

        // An unrelated `main` (orphan history) has no merge base.
        let sig = Signature::now("t", "t@example.com").unwrap();
        let tree = f.repo.find_commit(root).unwrap().tree().unwrap();
        f.repo
            .commit(Some("refs/heads/main"), &sig, &sig, "orphan", &tree, &[])
            .unwrap();
        match repo.default_base() {
            Err(Error::NoMergeBase { rev }) => assert_eq!(rev, "main"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shallow_clone_reports_missing_history() {
        let f = Fixture::new();
        f.write("a.txt", "1");
        let first = f.commit("one");
        f.write("a.txt", "2");
        f.commit("two");
        f.write("a.txt", "3");
        f.commit("three");
        let clone_dir = TempDir::new().unwrap();
        let clone = clone_dir.path().join("clone");
        let status = Command::new("git")
            .arg("clone")
            .arg("--quiet")
            .arg("--depth")
            .arg("1")
            .arg(format!("file://{}", f.path().display()))
            .arg(&clone)
            .status();
        let Ok(status) = status else {
            eprintln!("git CLI not available; skipping");
            return;
        };
        assert!(status.success());
        let repo = Repo::discover(&clone).unwrap();
        assert!(repo.is_shallow());
        assert!(repo.resolve("HEAD").is_ok());
        for rev in ["HEAD~1", sha(first).as_str()] {
            match repo.resolve(rev) {
                Err(Error::ShallowClone { rev: r }) => assert_eq!(r, rev),
                other => panic!("{rev}: {other:?}"),
            }
        }
        let hint = Error::ShallowClone { rev: "x".into() }.hint().unwrap();
        assert!(hint.contains("--unshallow") && hint.contains("fetch-depth: 0"));
        // The clone's own branch is HEAD, so the default base is HEAD itself.
        assert_eq!(repo.default_base().unwrap(), repo.head_commit().unwrap());
        // A base commit that is not in the clone cannot be diffed.
        assert!(matches!(
            diff_of(&repo, first, Revision::Worktree),
            Err(Error::ShallowClone { .. })
        ));
    }

    #[test]
    fn not_a_repository() {
        let dir = TempDir::new().unwrap();
        assert!(matches!(
            Repo::discover(dir.path()),
            Err(Error::NotAGitRepository { .. })
        ));
        assert!(matches!(
            Repo::open(dir.path()),
            Err(Error::NotAGitRepository { .. })
        ));
        let f = Fixture::new();
        let repo = Repo::open(f.path()).unwrap();
        assert_eq!(
            repo.workdir().map(|p| p.canonicalize().unwrap()),
            Some(f.path().canonicalize().unwrap())
        );
    }

    /// [`TreeDiff`] reports the files libgit2's tree diff does, commit after commit, newest
    /// first as churn reads them: edits, additions, deletions, a mode change, a file
    /// replaced by a directory of the same name and back, a whole directory removed;
    /// directories it is told not to look into are left out.
    #[test]
    fn tree_diff_reports_what_libgit2_does_pair_after_pair() {
        use std::os::unix::fs::PermissionsExt;
        let f = Fixture::new();
        let mut commits = Vec::new();
        f.write("src/a/A.cls", "1");
        f.write("src/a/B.cls", "1");
        f.write("src/b/deep/er/C.cls", "1");
        f.write("src/x", "a file");
        f.write("docs/readme.md", "1");
        commits.push(f.commit("first"));
        f.write("src/a/A.cls", "2");
        f.write("src/a/D.cls", "new");
        f.remove("src/a/B.cls");
        f.write("docs/readme.md", "2");
        commits.push(f.commit("edit, add, delete"));
        let script = f.path().join("src/a/A.cls");
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        commits.push(f.commit("mode"));
        f.remove("src/x");
        f.write("src/x/inside.cls", "1");
        f.write("src/x/more/other.cls", "1");
        commits.push(f.commit("file to directory"));
        fs::remove_dir_all(f.path().join("src/x")).unwrap();
        f.write("src/x", "a file again");
        fs::remove_dir_all(f.path().join("src/b")).unwrap();
        commits.push(f.commit("directory to file, directory removed"));
        f.write("src/b-c", "1");
        f.write("src/b/deep/er/C.cls", "back");
        commits.push(f.commit("a name sorting beside a directory's"));
        let repo = f.repo();
        let tree_of = |oid: Oid| repo.git().find_commit(oid).unwrap().tree().unwrap();
        let descend = |dir: &str| !dir.starts_with("docs/");
        let mut trees = TreeDiff::new(&repo);
        for pair in commits.windows(2).rev() {
            let (old, new) = (tree_of(pair[0]), tree_of(pair[1]));
            let mut ours = trees.changed_paths(old.id(), new.id(), descend).unwrap();
            ours.sort();
            let diff = repo
                .git()
                .diff_tree_to_tree(Some(&old), Some(&new), None)
                .unwrap();
            let theirs: BTreeSet<String> = diff
                .deltas()
                .flat_map(|delta| [delta.old_file().path(), delta.new_file().path()])
                .flatten()
                .map(|path| path.to_str().unwrap().to_string())
                .filter(|path| descend(path))
                .collect();
            assert!(!theirs.is_empty());
            assert_eq!(ours, theirs.into_iter().collect::<Vec<_>>(), "{pair:?}");
        }
        let last = tree_of(commits[commits.len() - 1]).id();
        assert!(trees.changed_paths(last, last, descend).unwrap().is_empty());
    }
}
