//! Git access: resolving revisions, read-only snapshots of the files at a revision,
//! file-level diffs with rename detection, and the files that differ between commits'
//! trees, read one commit after another ([`TreeDiff`], for churn).
//!
//! A [`Snapshot`] is either a commit's tree or the working tree as a user sees it (HEAD
//! overlaid with staged, unstaged and untracked-but-not-ignored files). Every file
//! carries a git blob id; for working-tree files it is computed the way git would for the
//! same bytes, so blob ids are content hashes usable as cache keys across revisions.
//!
//! This module knows nothing about Salesforce: it never filters paths itself (callers
//! pass a filter built from [`crate::project::Project`]) and never maps files to
//! components. It does not fetch: a shallow clone that lacks a revision is reported as
//! [`Error::ShallowClone`]. Content filters (`core.autocrlf`, `.gitattributes`) are not
//! applied to working-tree files: their blob ids hash the bytes on disk.

use crate::error::{Error, Result};
use git2::{
    BranchType, Delta, DiffFindOptions, DiffOptions, ErrorCode, ObjectType, Oid, Repository,
    Status, StatusOptions, Tree, TreeWalkMode, TreeWalkResult,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The revision a snapshot or a diff's new side is taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Revision {
    /// A commit's tree.
    Commit(Oid),
    /// HEAD plus the index and the working directory, untracked files included.
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
    pub fn snapshot(&self, revision: &Revision) -> Result<Snapshot<'_>> {
        let revision = *revision;
        let mut entries = BTreeMap::new();
        let mut disk_blobs = HashMap::new();
        let mut unread = Vec::new();
        match revision {
            Revision::Commit(oid) => {
                let tree = self.commit_tree(oid)?;
                collect_tree(&tree, &mut entries, &mut unread)?;
            }
            Revision::Worktree => {
                let workdir = self.worktree_dir()?;
                if let Some(tree) = self.head_tree()? {
                    collect_tree(&tree, &mut entries, &mut unread)?;
                }
                let mut options = StatusOptions::new();
                options
                    .include_untracked(true)
                    .recurse_untracked_dirs(true)
                    .include_ignored(false)
                    .exclude_submodules(true)
                    .renames_head_to_index(false)
                    .renames_index_to_workdir(false);
                let statuses = self.repo.statuses(Some(&mut options))?;
                for entry in statuses.iter() {
                    let status = entry.status();
                    if status.is_empty() || status.contains(Status::IGNORED) {
                        continue;
                    }
                    // Paths git cannot give as UTF-8 cannot be Salesforce source.
                    let Some(path) = entry.path() else {
                        let lossy = String::from_utf8_lossy(entry.path_bytes()).into_owned();
                        unread.push((lossy, Unread::NotUtf8));
                        continue;
                    };
                    let tracked_or_untracked =
                        !status.contains(Status::INDEX_DELETED) || status.contains(Status::WT_NEW);
                    let present = !status.contains(Status::WT_DELETED) && tracked_or_untracked;
                    let file = workdir.join(path);
                    let bytes = if present {
                        read_worktree_file(&file)?
                    } else {
                        None
                    };
                    match bytes {
                        Some(bytes) => {
                            let blob = Oid::hash_object(ObjectType::Blob, &bytes)?;
                            entries.insert(
                                path.to_string(),
                                Entry {
                                    blob,
                                    on_disk: true,
                                },
                            );
                            disk_blobs.insert(blob, path.to_string());
                        }
                        None => {
                            entries.remove(path);
                        }
                    }
                }
            }
        }
        unread.sort();
        unread.dedup();
        Ok(Snapshot {
            repo: self,
            revision,
            entries,
            disk_blobs,
            unread,
        })
    }

    /// The files that differ between the commit `base` and `head`, with renames
    /// detected (git's default 50% similarity), sorted by path. For the working tree,
    /// staged, unstaged and untracked (not ignored) files count.
    pub fn diff(&self, base: Oid, head: &Revision) -> Result<Vec<FileChange>> {
        let (diff, workdir) = self.diff_trees(base, head, true)?;
        self.file_changes(diff, workdir.as_deref())
    }

    /// [`Repo::diff`] and [`Repo::changed_submodules`] at once. Between two commits one
    /// diff serves both (the second walked the same two trees again: 16 ms of a warm
    /// 10,000-class plan): it keeps the gitlinks moved to another commit, which
    /// [`Repo::file_changes`] then leaves out as `diff` does; rename detection looks at
    /// blobs only, so they change nothing else.
    pub fn diff_with_submodules(
        &self,
        base: Oid,
        head: &Revision,
    ) -> Result<(Vec<FileChange>, Vec<String>)> {
        match head {
            Revision::Commit(_) => {
                let (diff, workdir) = self.diff_trees(base, head, false)?;
                let submodules = gitlinks(&diff);
                Ok((self.file_changes(diff, workdir.as_deref())?, submodules))
            }
            Revision::Worktree => {
                Ok((self.diff(base, head)?, self.changed_submodules(base, head)?))
            }
        }
    }

    /// The raw diff between the commit `base` and `head` (for the working tree, staged,
    /// unstaged and untracked files), and the working tree's directory when `head` is it.
    /// `ignore_submodules` leaves out gitlinks moved to another commit.
    fn diff_trees(
        &self,
        base: Oid,
        head: &Revision,
        ignore_submodules: bool,
    ) -> Result<(git2::Diff<'_>, Option<PathBuf>)> {
        let base_tree = self.commit_tree(base)?;
        let mut options = DiffOptions::new();
        options.ignore_submodules(ignore_submodules);
        Ok(match head {
            Revision::Commit(oid) => {
                let head_tree = self.commit_tree(*oid)?;
                let diff = self.repo.diff_tree_to_tree(
                    Some(&base_tree),
                    Some(&head_tree),
                    Some(&mut options),
                )?;
                (diff, None)
            }
            Revision::Worktree => {
                let workdir = self.worktree_dir()?;
                options.include_untracked(true).recurse_untracked_dirs(true);
                let diff = self
                    .repo
                    .diff_tree_to_workdir_with_index(Some(&base_tree), Some(&mut options))?;
                (diff, Some(workdir))
            }
        })
    }

    /// The file changes of `diff`, renames detected, sorted by path; a gitlink moved to
    /// another commit is not one (see [`Repo::changed_submodules`]).
    fn file_changes(
        &self,
        mut diff: git2::Diff<'_>,
        workdir: Option<&Path>,
    ) -> Result<Vec<FileChange>> {
        self.fetch_rename_candidates(&diff)?;
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
            let new_blob = match (status, workdir, &new_path) {
                (FileStatus::Deleted, _, _) => None,
                // libgit2 leaves working-tree ids unset unless it hashed the file; hash
                // it here the same way the snapshot does so ids agree.
                (_, Some(workdir), Some(path)) => match read_worktree_file(&workdir.join(path))? {
                    Some(bytes) => Some(Oid::hash_object(ObjectType::Blob, &bytes)?),
                    None => None,
                },
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

    /// The submodules (gitlinks) added, removed or moved to another commit between the
    /// commit `base` and `head`, sorted by path. [`Repo::diff`] leaves out a gitlink
    /// moved to another commit (one added or removed comes as a file), since its files
    /// are in another repository; the policy runs every test when one inside a package
    /// directory changes, because what changed inside it cannot be seen. For the working
    /// tree, the index's gitlinks count (`git add` of a submodule), not the submodule's
    /// own checkout, which is not looked into.
    pub fn changed_submodules(&self, base: Oid, head: &Revision) -> Result<Vec<String>> {
        let base_tree = self.commit_tree(base)?;
        let mut options = DiffOptions::new();
        options.ignore_submodules(false);
        let diff = match head {
            Revision::Commit(oid) => {
                let head_tree = self.commit_tree(*oid)?;
                self.repo.diff_tree_to_tree(
                    Some(&base_tree),
                    Some(&head_tree),
                    Some(&mut options),
                )?
            }
            Revision::Worktree => {
                let index = self.repo.index()?;
                self.repo
                    .diff_tree_to_index(Some(&base_tree), Some(&index), Some(&mut options))?
            }
        };
        Ok(gitlinks(&diff))
    }

    /// Reads a blob from the object database.
    ///
    /// In a partial clone (`git clone --filter=blob:none`, as CI checkouts can be) a blob
    /// of another revision may not be local: libgit2 cannot fetch it, so `git cat-file`
    /// is asked, which fetches it from the promisor remote.
    pub fn read_blob(&self, oid: Oid) -> Result<Vec<u8>> {
        match self.repo.find_blob(oid) {
            Ok(blob) => Ok(blob.content().to_vec()),
            Err(e) if e.code() == ErrorCode::NotFound && self.is_partial_clone() => {
                self.fetch_blob(oid)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Rename detection compares the blobs of added and deleted files, and libgit2 cannot
    /// fetch them: in a partial clone, the missing ones are fetched through `git` first
    /// (a moved and edited class would otherwise stop the plan). In any other clone a
    /// missing blob means the repository is damaged: the error names its file.
    fn fetch_rename_candidates(&self, diff: &git2::Diff<'_>) -> Result<()> {
        let odb = self.repo.odb()?;
        let mut missing = BTreeMap::new();
        for delta in diff.deltas() {
            let file = match delta.status() {
                Delta::Added => delta.new_file(),
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
        Ok(Some(self.read_blob(entry.id())?))
    }

    /// HEAD's tree, `None` before the first commit.
    fn head_tree(&self) -> Result<Option<Tree<'_>>> {
        match self.head_commit() {
            Ok(oid) => Ok(Some(self.commit_tree(oid)?)),
            Err(Error::NoCommits { .. }) => Ok(None),
            Err(e) => Err(e),
        }
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
        // A list of directories to compare rather than recursion: a tree nested
        // thousands deep cannot overflow the stack.
        let mut pending: Vec<DirPair> = vec![(Some(old), Some(new), String::new())];
        while let Some((old, new, dir)) = pending.pop() {
            if old == new {
                continue;
            }
            let old = old.map(|oid| self.tree(oid, true)).transpose()?;
            let new = new.map(|oid| self.tree(oid, false)).transpose()?;
            compare_dir(old.as_ref(), new.as_ref(), &dir, &mut paths, &mut |pair| {
                if descend(&pair.2) {
                    pending.push(pair);
                }
            });
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
/// that differs goes to `paths`, a subdirectory that differs to `pending`.
fn compare_dir(
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    dir: &str,
    paths: &mut Vec<String>,
    pending: &mut impl FnMut(DirPair),
) {
    let mut old_entries = old.into_iter().flat_map(Tree::iter).peekable();
    let mut new_entries = new.into_iter().flat_map(Tree::iter).peekable();
    loop {
        let order = match (old_entries.peek(), new_entries.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(old), Some(new)) => tree_order(old).cmp(tree_order(new)),
        };
        let (old, new) = match order {
            std::cmp::Ordering::Less => (old_entries.next(), None),
            std::cmp::Ordering::Greater => (None, new_entries.next()),
            std::cmp::Ordering::Equal => (old_entries.next(), new_entries.next()),
        };
        let Some(name) = old.as_ref().or(new.as_ref()).and_then(|entry| entry.name()) else {
            continue;
        };
        let id = |entry: &Option<git2::TreeEntry<'_>>| entry.as_ref().map(|entry| entry.id());
        let mode = |entry: &Option<git2::TreeEntry<'_>>| entry.as_ref().map(|e| e.filemode());
        let is_tree =
            old.as_ref().or(new.as_ref()).map(|e| e.kind()) == Some(Some(ObjectType::Tree));
        if is_tree {
            pending((id(&old), id(&new), format!("{dir}{name}/")));
        } else if id(&old) != id(&new) || mode(&old) != mode(&new) {
            paths.push(format!("{dir}{name}"));
        }
    }
}

/// The order git sorts a tree's entries in: by name, a directory's name read as if it
/// ended in `/` (so a file and a directory of one name are different entries, as they
/// are to libgit2's diff, which reports a file replaced by a directory as one deleted
/// and the directory's files added).
fn tree_order<'a>(entry: &'a git2::TreeEntry<'_>) -> impl Iterator<Item = u8> + 'a {
    let slash: &[u8] = if entry.kind() == Some(ObjectType::Tree) {
        b"/"
    } else {
        b""
    };
    entry.name_bytes().iter().chain(slash).copied()
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
    revision: Revision,
    entries: BTreeMap<String, Entry>,
    /// Blob ids of working-tree files whose content may not be in the object database.
    disk_blobs: HashMap<Oid, String>,
    /// Entries that are not files `impact` can read (see [`Snapshot::warnings`]).
    unread: Vec<(String, Unread)>,
}

/// Why a snapshot entry is not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Unread {
    /// A submodule (gitlink): its files are in another repository.
    Submodule,
    /// A name git cannot give as UTF-8 (`String::from_utf8_lossy` of it is kept).
    NotUtf8,
}

impl Snapshot<'_> {
    /// The revision this snapshot shows.
    pub fn revision(&self) -> Revision {
        self.revision
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
                    "{path}: a submodule inside a package directory; impact does not read \
                     its files, so a change inside it is not seen"
                ),
                Unread::NotUtf8 => {
                    format!("{path}: the file name is not UTF-8; impact does not read the file")
                }
            });
        }
        // Hashed, not sorted: a large org has tens of thousands of paths and few or no
        // such groups, which are then listed in the order of their folded paths.
        let mut first_of: rustc_hash::FxHashMap<String, &str> = Default::default();
        let mut by_folded: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for path in self.entries.keys().filter(|path| is_source(path)) {
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
                reason: format!("no such file at {}", self.revision.label()),
            })?;
        if entry.on_disk {
            self.read_disk(path, entry.blob)
        } else {
            self.repo.read_blob(entry.blob)
        }
    }

    /// The content of a blob of this snapshot (or any blob in the object database).
    pub fn read_blob(&self, oid: Oid) -> Result<Vec<u8>> {
        if let Some(path) = self.disk_blobs.get(&oid) {
            return self.read_disk(path, oid);
        }
        self.repo.read_blob(oid)
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

/// Adds every blob of `tree` to `entries`; submodules and non-UTF-8 names go to
/// `unread` instead.
fn collect_tree(
    tree: &Tree<'_>,
    entries: &mut BTreeMap<String, Entry>,
    unread: &mut Vec<(String, Unread)>,
) -> Result<()> {
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        let name = entry.name();
        let path = || format!("{dir}{}", String::from_utf8_lossy(entry.name_bytes()));
        match entry.kind() {
            Some(ObjectType::Blob) => match name {
                Some(name) => {
                    entries.insert(
                        format!("{dir}{name}"),
                        Entry {
                            blob: entry.id(),
                            on_disk: false,
                        },
                    );
                }
                None => unread.push((path(), Unread::NotUtf8)),
            },
            Some(ObjectType::Commit) => unread.push((path(), Unread::Submodule)),
            Some(ObjectType::Tree) if name.is_none() => {
                unread.push((path(), Unread::NotUtf8));
                return TreeWalkResult::Skip;
            }
            _ => {}
        }
        TreeWalkResult::Ok
    })?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{IndexAddOption, Signature};
    use std::fs;
    use std::process::Command;
    use tempfile::TempDir;

    /// A scratch repository built with git2.
    struct Fixture {
        dir: TempDir,
        repo: Repository,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = TempDir::new().unwrap();
            let repo = Repository::init(dir.path()).unwrap();
            Fixture { dir, repo }
        }

        fn path(&self) -> &Path {
            self.dir.path()
        }

        fn write(&self, path: &str, content: &str) {
            let full = self.path().join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, content).unwrap();
        }

        fn remove(&self, path: &str) {
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
        fn commit(&self, message: &str) -> Oid {
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

        fn repo(&self) -> Repo {
            Repo::discover(self.path()).unwrap()
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
        assert_eq!(snap.read_blob(blob_of("a")).unwrap(), b"a");
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
        let files: BTreeMap<String, Oid> = snap
            .files(|_| true)
            .into_iter()
            .map(|f| (f.path, f.blob))
            .collect();
        let paths: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            vec![".gitignore", "dir/untracked.txt", "keep.txt", "staged.txt"]
        );
        assert_eq!(files["staged.txt"], blob_of("v3"));
        assert_eq!(files["keep.txt"], blob_of("keep"));
        assert_eq!(files["dir/untracked.txt"], blob_of("new"));
        assert_eq!(snap.read("staged.txt").unwrap(), b"v3");
        assert_eq!(snap.read_blob(blob_of("new")).unwrap(), b"new");
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

    /// One diff with the gitlinks kept gives what the two diffs give: the file changes
    /// (a rename among them) without the moved submodule, and the submodules added,
    /// moved and removed.
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
        let head = Revision::Commit(head);
        let (changes, submodules) = repo.diff_with_submodules(base, &head).unwrap();
        assert_eq!(changes, repo.diff(base, &head).unwrap());
        assert_eq!(submodules, repo.changed_submodules(base, &head).unwrap());
        assert_eq!(submodules, ["libs/added", "libs/moved", "libs/removed"]);
        assert!(changes.iter().all(|change| change.path() != "libs/moved"));
        assert!(changes
            .iter()
            .any(|change| change.status == FileStatus::Renamed));
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
        let changes = repo.diff(base, &Revision::Commit(head)).unwrap();
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
        let changes = repo.diff(base, &Revision::Worktree).unwrap();
        let summary: Vec<(FileStatus, &str)> =
            changes.iter().map(|c| (c.status, c.path())).collect();
        assert_eq!(
            summary,
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
            repo.diff(first, &Revision::Worktree),
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
