//! A commit's files as the last snapshot listed them, kept so that the next snapshot of
//! a commit reads only the directories that changed: `.impact/cache/tree-v<N>.bin`.
//!
//! Listing a commit walks its tree, and reading each directory's tree object (found in
//! a pack, inflated, often rebuilt from deltas) was most of it: NPSP's 1,400 directories
//! took 57 M instructions, on the thread a warm plan waits for. A tree's id is the hash
//! of everything under it, so a directory whose id is the one the kept listing holds
//! has the same files: they are taken from the listing, and only the directories whose
//! id differs (those holding what changed since the listed commit) are read.
//!
//! The listing holds every directory in the order the walk meets it (a directory before
//! what it holds), each with its tree id and the runs of the files, unread entries and
//! directories under it, which are contiguous in that order. It is one record framed
//! like the facts cache's; one that is damaged or of another layout is not read.

use super::{Entry, Unread};
use crate::cache::{encode_record, read_kept_record, Damaged, ToKeep};
use crate::error::Result;
use git2::{ObjectType, Oid, Repository, Tree};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Bump when the record's layout changes.
const KEPT_TREE_VERSION: u32 = 1;

/// A commit's tree as stored: the root's id and, in walk order, every directory, file
/// and unread entry (ids as bytes).
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    version: u32,
    #[serde(borrow)]
    root: &'a [u8],
    #[serde(borrow)]
    dirs: Vec<StoredDir<'a>>,
    #[serde(borrow)]
    files: Vec<(&'a str, &'a [u8])>,
    #[serde(borrow)]
    unread: Vec<(&'a str, Unread)>,
}

/// A directory (its path ends with `/`), its tree's id, and where what lies under it
/// starts and ends among the files, the unread entries and the directories after it.
#[derive(Clone, Copy, Serialize, Deserialize)]
struct StoredDir<'a> {
    path: &'a str,
    tree: &'a [u8],
    files: (u32, u32),
    unread: (u32, u32),
    dirs_end: u32,
}

/// What a walk of a commit's tree found, in walk order.
#[derive(Default)]
pub(super) struct Walked {
    pub files: Vec<(String, Entry)>,
    pub unread: Vec<(String, Unread)>,
    dirs: Vec<Dir>,
    /// Whether any directory was read rather than taken from the kept listing.
    read_any: bool,
}

/// A directory the walk met ([`StoredDir`], owned).
struct Dir {
    path: String,
    tree: Oid,
    files: (usize, usize),
    unread: (usize, usize),
    dirs_end: usize,
}

/// Walks `tree`, the root of a commit, taking each directory whose id the `kept`
/// listing holds from it. Returns what it found, and (with `keeping`) what to keep.
pub(super) fn walk(
    repo: &Repository,
    tree: &Tree<'_>,
    kept: Option<&[u8]>,
    keeping: bool,
) -> Result<(Walked, ToKeep)> {
    let read = kept.map(Kept::read);
    let damaged = matches!(read, Some(Err(Damaged)));
    let kept = read.and_then(Result::ok).flatten();
    let mut walked = Walked::default();
    let taken = kept
        .as_ref()
        .is_some_and(|kept| kept.root == tree.id() && walked.take_all(kept));
    if !taken {
        walked.read_any = true;
        walked.walk_dir(repo, tree, kept.as_ref())?;
    }
    let record = (keeping && walked.read_any)
        .then(|| walked.record(tree.id()))
        .flatten();
    Ok((walked, ToKeep { record, damaged }))
}

/// A kept listing, read: borrowed from the record's bytes.
struct Kept<'a> {
    root: Oid,
    stored: Stored<'a>,
    /// Each directory's position, by path.
    dirs: HashMap<&'a str, usize>,
}

impl<'a> Kept<'a> {
    /// The listing of a kept record; `None` when it is of another layout's version.
    fn read(record: &'a [u8]) -> std::result::Result<Option<Kept<'a>>, Damaged> {
        read_kept_record(record, KEPT_TREE_VERSION, |payload| {
            let stored: Stored = postcard::from_bytes(payload).ok()?;
            let root = Oid::from_bytes(stored.root).ok()?;
            let dirs = stored
                .dirs
                .iter()
                .enumerate()
                .map(|(at, dir)| (dir.path, at))
                .collect();
            Some(Kept { root, stored, dirs })
        })
    }
}

impl Walked {
    /// Adds the entries of `root`, a commit's tree, reading the directories the `kept`
    /// listing does not hold. A list of the directories being walked rather than
    /// recursion: a tree nested thousands deep cannot overflow the stack.
    fn walk_dir(
        &mut self,
        repo: &Repository,
        root: &Tree<'_>,
        kept: Option<&Kept<'_>>,
    ) -> Result<()> {
        /// A directory being walked: its tree, its next entry's position, its path
        /// (`""` or ending with `/`) and its position among `dirs` (none for the root).
        struct Walking<'r> {
            tree: Tree<'r>,
            next: usize,
            path: String,
            at: Option<usize>,
        }
        /// The next entry of the directory `top`: its kind, its id, and its path (`Err`
        /// with the name read lossily when it is not UTF-8).
        fn next_entry(
            top: &mut Walking<'_>,
        ) -> Option<(Option<ObjectType>, Oid, std::result::Result<String, String>)> {
            let entry = top.tree.get(top.next)?;
            top.next += 1;
            let path = match entry.name() {
                Some(name) => {
                    let mut path = String::with_capacity(top.path.len() + name.len() + 1);
                    path.push_str(&top.path);
                    path.push_str(name);
                    Ok(path)
                }
                None => Err(format!(
                    "{}{}",
                    top.path,
                    String::from_utf8_lossy(entry.name_bytes())
                )),
            };
            Some((entry.kind(), entry.id(), path))
        }
        let mut walking = vec![Walking {
            tree: root.clone(),
            next: 0,
            path: String::new(),
            at: None,
        }];
        while let Some(top) = walking.last_mut() {
            let Some((kind, id, path)) = next_entry(top) else {
                if let Some(at) = walking.pop().and_then(|done| done.at) {
                    self.close_dir(at);
                }
                continue;
            };
            match (kind, path) {
                (Some(ObjectType::Blob), Ok(path)) => {
                    let entry = Entry {
                        blob: id,
                        on_disk: false,
                    };
                    self.files.push((path, entry));
                }
                (Some(ObjectType::Blob | ObjectType::Tree), Err(path)) => {
                    self.unread.push((path, Unread::NotUtf8));
                }
                (Some(ObjectType::Commit), Ok(path) | Err(path)) => {
                    self.unread.push((path, Unread::Submodule));
                }
                (Some(ObjectType::Tree), Ok(mut path)) => {
                    path.push('/');
                    let at = self.dirs.len();
                    self.dirs.push(Dir {
                        path,
                        tree: id,
                        files: (self.files.len(), 0),
                        unread: (self.unread.len(), 0),
                        dirs_end: 0,
                    });
                    if kept.is_some_and(|kept| self.take_dir(kept, at)) {
                        self.close_dir(at);
                    } else {
                        self.read_any = true;
                        walking.push(Walking {
                            tree: repo.find_tree(id)?,
                            next: 0,
                            path: self.dirs[at].path.clone(),
                            at: Some(at),
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Ends the runs of the directory at `at` among `dirs`: everything met since it
    /// began lies under it.
    fn close_dir(&mut self, at: usize) {
        let (files, unread, dirs) = (self.files.len(), self.unread.len(), self.dirs.len());
        let dir = &mut self.dirs[at];
        dir.files.1 = files;
        dir.unread.1 = unread;
        dir.dirs_end = dirs;
    }

    /// Takes what lies under the directory just met (the last of `self.dirs`) from the
    /// kept listing, when it holds that directory with the same tree id.
    fn take_dir(&mut self, kept: &Kept<'_>, at: usize) -> bool {
        let met = &self.dirs[at];
        let Some(&position) = kept.dirs.get(met.path.as_str()) else {
            return false;
        };
        let dir = kept.stored.dirs[position];
        if Oid::from_bytes(dir.tree).ok() != Some(met.tree) {
            return false;
        }
        self.take(
            kept,
            dir.files,
            dir.unread,
            (position + 1, dir.dirs_end as usize),
        )
    }

    /// Takes the whole kept listing (the commit's tree is the one it was listed from);
    /// `false`, taking nothing, when its runs do not fit its lists.
    fn take_all(&mut self, kept: &Kept<'_>) -> bool {
        let stored = &kept.stored;
        let all = |n: usize| u32::try_from(n).ok().map(|n| (0, n));
        let (Some(files), Some(unread)) = (all(stored.files.len()), all(stored.unread.len()))
        else {
            return false;
        };
        self.take(kept, files, unread, (0, stored.dirs.len()))
    }

    /// Takes the kept runs of files, unread entries and directories (the last with
    /// their runs moved to where they now fall); `false`, taking nothing, when a run
    /// does not lie inside the listing.
    fn take(
        &mut self,
        kept: &Kept<'_>,
        files: (u32, u32),
        unread: (u32, u32),
        dirs: (usize, usize),
    ) -> bool {
        let stored = &kept.stored;
        let run = |(start, end): (u32, u32), len: usize| {
            let (start, end) = (start as usize, end as usize);
            (start <= end && end <= len).then_some(start..end)
        };
        let (Some(file_run), Some(unread_run)) = (
            run(files, stored.files.len()),
            run(unread, stored.unread.len()),
        ) else {
            return false;
        };
        let Some(kept_dirs) = stored.dirs.get(dirs.0..dirs.1.max(dirs.0)) else {
            return false;
        };
        let blobs: Option<Vec<Oid>> = stored.files[file_run.clone()]
            .iter()
            .map(|(_, blob)| Oid::from_bytes(blob).ok())
            .collect();
        let trees: Option<Vec<Oid>> = kept_dirs
            .iter()
            .map(|dir| Oid::from_bytes(dir.tree).ok())
            .collect();
        let (Some(blobs), Some(trees)) = (blobs, trees) else {
            return false;
        };
        let within = |(start, end): (u32, u32), outer: &std::ops::Range<usize>| {
            let (start, end) = (start as usize, end as usize);
            outer.start <= start && start <= end && end <= outer.end
        };
        let dirs_fit = kept_dirs.iter().enumerate().all(|(at, dir)| {
            within(dir.files, &file_run)
                && within(dir.unread, &unread_run)
                && (dirs.0 + at < dir.dirs_end as usize)
                && (dir.dirs_end as usize) <= dirs.1.max(dirs.0)
        });
        if !dirs_fit {
            return false;
        }
        let (file_base, unread_base, dir_base) =
            (self.files.len(), self.unread.len(), self.dirs.len());
        let moved =
            |position: u32, kept_start: usize, base: usize| base + position as usize - kept_start;
        for (dir, tree) in kept_dirs.iter().zip(trees) {
            self.dirs.push(Dir {
                path: dir.path.to_string(),
                tree,
                files: (
                    moved(dir.files.0, file_run.start, file_base),
                    moved(dir.files.1, file_run.start, file_base),
                ),
                unread: (
                    moved(dir.unread.0, unread_run.start, unread_base),
                    moved(dir.unread.1, unread_run.start, unread_base),
                ),
                dirs_end: dir_base + dir.dirs_end as usize - dirs.0,
            });
        }
        for ((path, _), blob) in stored.files[file_run].iter().zip(blobs) {
            self.files.push((
                path.to_string(),
                Entry {
                    blob,
                    on_disk: false,
                },
            ));
        }
        for &(path, why) in &stored.unread[unread_run] {
            self.unread.push((path.to_string(), why));
        }
        true
    }

    /// The record of this walk, to keep.
    fn record(&self, root: Oid) -> Option<Vec<u8>> {
        let run = |(start, end): (usize, usize)| {
            Some((u32::try_from(start).ok()?, u32::try_from(end).ok()?))
        };
        let dirs: Option<Vec<StoredDir>> = self
            .dirs
            .iter()
            .map(|dir| {
                Some(StoredDir {
                    path: &dir.path,
                    tree: dir.tree.as_bytes(),
                    files: run(dir.files)?,
                    unread: run(dir.unread)?,
                    dirs_end: u32::try_from(dir.dirs_end).ok()?,
                })
            })
            .collect();
        encode_record(&Stored {
            version: KEPT_TREE_VERSION,
            root: root.as_bytes(),
            dirs: dirs?,
            files: self
                .files
                .iter()
                .map(|(path, entry)| (path.as_str(), entry.blob.as_bytes()))
                .collect(),
            unread: self
                .unread
                .iter()
                .map(|(path, why)| (path.as_str(), *why))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch repository, a blob of `content`, and a tree holding it as `name`.
    fn one_file(content: &[u8], name: &str) -> (tempfile::TempDir, Repository, Oid, Oid) {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        let blob = repo.blob(content).expect("blob");
        let tree = {
            let mut builder = repo.treebuilder(None).expect("builder");
            builder.insert(name, blob, 0o100644).expect("insert");
            builder.write().expect("tree")
        };
        (dir, repo, blob, tree)
    }

    /// A tree nested 10,000 deep is walked, and taken from its listing, without running
    /// out of stack (a test thread has 2 MB).
    #[test]
    fn a_tree_nested_thousands_deep_is_walked() {
        let (_dir, repo, _, mut tree) = one_file(b"x", "f.txt");
        for _ in 0..10_000 {
            let mut outer = repo.treebuilder(None).expect("builder");
            outer.insert("d", tree, 0o040000).expect("insert");
            tree = outer.write().expect("tree");
        }
        let tree = repo.find_tree(tree).expect("tree");
        let (walked, kept) = walk(&repo, &tree, None, true).expect("walk");
        assert_eq!(walked.files.len(), 1);
        assert!(walked.files[0].0.ends_with("d/d/f.txt"));
        let record = kept.record.expect("kept");
        let (again, kept) = walk(&repo, &tree, Some(&record), true).expect("walk");
        assert_eq!(again.files[0].0, walked.files[0].0);
        assert!(kept.record.is_none());
    }

    /// A record whose checksum holds but whose runs do not fit its lists (no `impact`
    /// writes one) is read around: the tree is walked, and nothing panics.
    #[test]
    fn a_kept_listing_whose_runs_do_not_fit_is_read_around() {
        let (_dir, repo, blob, sub) = one_file(b"class A {}", "A.cls");
        let mut root = repo.treebuilder(None).expect("builder");
        root.insert("src", sub, 0o040000).expect("insert");
        root.insert("B.cls", blob, 0o100644).expect("insert");
        let tree = repo.find_tree(root.write().expect("tree")).expect("tree");
        let (whole, _) = walk(&repo, &tree, None, true).expect("walk");
        let paths = |walked: &Walked| -> Vec<String> {
            walked.files.iter().map(|(path, _)| path.clone()).collect()
        };
        assert_eq!(paths(&whole), ["B.cls", "src/A.cls"]);

        let (root_id, sub_id) = (tree.id(), sub);
        let record = |root: &[u8], dirs: Vec<StoredDir<'_>>| {
            encode_record(&Stored {
                version: KEPT_TREE_VERSION,
                root,
                dirs,
                files: vec![("src/A.cls", blob.as_bytes())],
                unread: Vec::new(),
            })
            .expect("encode")
        };
        let past_the_files = StoredDir {
            path: "src/",
            tree: sub_id.as_bytes(),
            files: (0, 5),
            unread: (0, 0),
            dirs_end: 1,
        };
        let nested_outside = StoredDir {
            files: (1, 1),
            dirs_end: 2,
            ..past_the_files
        };
        let inner = StoredDir {
            files: (0, 1),
            dirs_end: 2,
            ..past_the_files
        };
        // As a whole tree's listing, and as a listing whose one directory is this tree's
        // (its root another tree's). A listing whose runs fit but which leaves files out
        // is a damaged record whose checksum holds: a cache trusts its checksums.
        let zero = Oid::zero();
        let (whole_tree, other_root) = (root_id.as_bytes(), zero.as_bytes());
        for (what, dirs, roots) in [
            (
                "a run past the files",
                vec![past_the_files],
                vec![whole_tree, other_root],
            ),
            (
                "a directory ending before itself",
                vec![StoredDir {
                    dirs_end: 0,
                    ..inner
                }],
                vec![whole_tree, other_root],
            ),
            (
                "a subdirectory outside its parent's run",
                vec![nested_outside, inner],
                vec![other_root],
            ),
        ] {
            for root in roots {
                let record = record(root, dirs.clone());
                let (walked, kept) = walk(&repo, &tree, Some(&record), true).expect("walk");
                assert_eq!(paths(&walked), paths(&whole), "{what}");
                assert!(!kept.damaged && kept.record.is_some(), "{what}");
            }
        }
    }
}
