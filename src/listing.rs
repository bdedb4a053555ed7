//! The classification of a revision's paths, kept between plans:
//! `.impact/cache/listing-v<N>.bin`.
//!
//! Listing a revision classifies every path inside a package directory
//! ([`crate::source::classify`]): `.forceignore`'s patterns, then the metadata registry;
//! outside them, it finds the Jest tests in the project's folder by their paths alone
//! ([`crate::source::project_jest_test`]), which are not kept.
//! A path's answer depends on the path and on what [`Project::classification_key`]
//! covers alone, and classifying was the largest part of listing a warm plan's revision
//! (NPSP: 125 M of a warm plan's 939 M instructions, most of them `.forceignore`'s
//! regular expressions, on the thread the plan waits for while the facts cache loads).
//! So a plan keeps every path's answer, and the next one takes the answer of each path
//! the last one listed, in one pass beside the snapshot's (both are sorted by path),
//! classifying only the paths that are new.
//!
//! The kept listing is one record, framed and checked like the facts cache's
//! ([`crate::cache::encode_record`]). It is read only when it was written by this
//! version of `impact` ([`LISTING_VERSION`], the crate's version) for a project of the
//! same classification key; one that is damaged is not read either, with a warning.
//! A listing that differs from the kept one is kept in its place
//! ([`crate::source::Reader::keep`]). A kept list out of order (no `impact` writes one)
//! costs only misses: a path takes a kept answer only when the kept path is its own.

use crate::cache::{encode_record, read_kept_record, Damaged, ToKeep};
use crate::git::Snapshot;
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use crate::project::Project;
use crate::source::{classify_inner, project_jest_test, SourceEntry};
use serde::{Deserialize, Serialize};

/// Bump when classifying a path changes what it returns for a reason the table of types
/// does not show (`source::classify`, the metadata registry's code), or when the
/// record's layout changes: a listing of another version is never read. A change to the
/// table itself needs no bump ([`table_digest`]). (2: a bundle in a folder of bundles is
/// named by the innermost type directory, and the Jest tests under it are tests; 3: a
/// Jest test is a test file in any `__tests__` or `__test__` folder.)
pub const LISTING_VERSION: u32 = 3;

/// A revision's source files, listed.
pub struct Listed {
    /// Every source file, classified, sorted by path.
    pub entries: Vec<SourceEntry>,
    /// What to keep for the next plan.
    pub to_keep: ToKeep,
}

/// The kept listing as stored: what it was classified under, and every path inside a
/// package directory with its answer, sorted by path.
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    version: u32,
    impact: &'a str,
    table: u64,
    key: &'a str,
    #[serde(borrow)]
    paths: Vec<StoredPath<'a>>,
}

#[derive(Serialize, Deserialize)]
struct StoredPath<'a> {
    path: &'a str,
    /// The component and its parent's, each by type and full name; `None` for a path
    /// that is not source.
    #[serde(borrow)]
    source: Option<(StoredId<'a>, Option<StoredId<'a>>)>,
}

type StoredId<'a> = (&'a str, &'a str);

/// Lists `snapshot`'s source files, taking each path's answer from the `kept` record
/// (the bytes of the listing file) where it holds one for this project; with `keeping`,
/// gives the record to keep when it differs.
pub fn list(project: &Project, snapshot: &Snapshot, kept: Option<&[u8]>, keeping: bool) -> Listed {
    let read = kept.map(|record| {
        read_kept_record(record, LISTING_VERSION, |payload| {
            postcard::from_bytes::<Stored>(payload).ok()
        })
    });
    let damaged = matches!(read, Some(Err(Damaged)));
    let stored = read
        .and_then(Result::ok)
        .flatten()
        .filter(|stored| is_current(stored, project.classification_key()));
    let mut changed = stored.is_none();
    let mut kept_paths = stored.iter().flat_map(|stored| &stored.paths).peekable();
    let mut entries = Vec::new();
    // Every path inside a package directory, with its entry's position when it is
    // source: what a listing to keep is written from.
    let mut listed: Vec<(&str, Option<usize>)> = Vec::new();
    for (path, blob) in snapshot.each_file() {
        let Some((_, inner)) = project.split_package_path(path) else {
            // A Jest test beside the package directories: told by its path alone, with
            // no `.forceignore` or registry to read, so not kept.
            if let Some(component) = project_jest_test(project, path) {
                entries.push(SourceEntry {
                    path: path.to_string(),
                    blob: blob.to_string(),
                    component,
                    parent: None,
                });
            }
            continue;
        };
        // Paths the kept listing holds and this revision does not.
        while kept_paths.next_if(|kept| kept.path < path).is_some() {
            changed = true;
        }
        let answer = match kept_paths.next_if(|kept| kept.path == path) {
            Some(kept) => kept.source.map(|(component, parent)| {
                (
                    ComponentId::new(component.0, component.1),
                    parent.map(|(type_name, full_name)| ComponentId::new(type_name, full_name)),
                )
            }),
            None => {
                changed = true;
                classify_inner(project, path, inner)
            }
        };
        let position = answer.map(|(component, parent)| {
            entries.push(SourceEntry {
                path: path.to_string(),
                blob: blob.to_string(),
                component,
                parent,
            });
            entries.len() - 1
        });
        listed.push((path, position));
    }
    changed |= kept_paths.next().is_some();
    let record = (keeping && changed)
        .then(|| encode(project, &listed, &entries))
        .flatten();
    Listed {
        entries,
        to_keep: ToKeep { record, damaged },
    }
}

/// Whether `stored` was written by this version of `impact`, with this table of types,
/// for a project of `key`.
fn is_current(stored: &Stored, key: &str) -> bool {
    stored.version == LISTING_VERSION
        && stored.impact == env!("CARGO_PKG_VERSION")
        && stored.table == table_digest()
        && stored.key == key
}

/// A digest of the table of types, which classifying a path reads: a build with another
/// table (a type added while developing) does not read a listing an earlier one kept.
fn table_digest() -> u64 {
    static DIGEST: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *DIGEST.get_or_init(|| {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        types::all_types().hash(&mut hasher);
        hasher.finish()
    })
}

fn stored_id(id: &ComponentId) -> StoredId<'_> {
    (id.type_name(), id.full_name())
}

/// The record of a listing: `listed` paths, each with its position among `entries`.
fn encode(
    project: &Project,
    listed: &[(&str, Option<usize>)],
    entries: &[SourceEntry],
) -> Option<Vec<u8>> {
    let paths = listed
        .iter()
        .map(|&(path, position)| StoredPath {
            path,
            source: position.map(|at| {
                let entry = &entries[at];
                (
                    stored_id(&entry.component),
                    entry.parent.as_ref().map(stored_id),
                )
            }),
        })
        .collect();
    encode_record(&Stored {
        version: LISTING_VERSION,
        impact: env!("CARGO_PKG_VERSION"),
        table: table_digest(),
        key: project.classification_key(),
        paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::tests::Fixture;
    use crate::git::Revision;
    use std::path::Path;

    const PROJECT: &str = r#"{"packageDirectories":[{"path":"force-app","default":true}]}"#;

    /// A repository whose first commit holds the project file and `files`.
    fn fixture(files: &[&str]) -> (Fixture, git2::Oid) {
        let f = Fixture::new();
        f.write("sfdx-project.json", PROJECT);
        for path in files {
            f.write(path, &format!("// {path}\n"));
        }
        let first = f.commit("files");
        (f, first)
    }

    /// Source of many kinds, and files inside the package directory that are not source
    /// or that `.forceignore` leaves out.
    const FILES: &[&str] = &[
        "README.md",
        "force-app/main/default/classes/Invoice.cls",
        "force-app/main/default/classes/Invoice.cls-meta.xml",
        "force-app/main/default/classes/Scratch.cls",
        "force-app/main/default/objects/Invoice__c/Invoice__c.object-meta.xml",
        "force-app/main/default/objects/Invoice__c/fields/Total__c.field-meta.xml",
        "force-app/main/default/lwc/invoiceCard/invoiceCard.js",
        "force-app/main/default/lwc/invoiceCard/__tests__/invoiceCard.test.js",
        "force-app/main/default/lwc/jsconfig.json",
        "force-app/main/default/notes.txt",
    ];

    fn project(root: &Path, forceignore: &str) -> Project {
        Project::from_parts(root, "", PROJECT, Some(forceignore)).expect("project")
    }

    /// What the listing says of each file: its path, component and parent.
    fn said(entries: &[SourceEntry]) -> Vec<(String, String, String, Option<String>)> {
        entries
            .iter()
            .map(|entry| {
                (
                    entry.path.clone(),
                    entry.blob.clone(),
                    entry.component.to_string(),
                    entry.parent.as_ref().map(ComponentId::to_string),
                )
            })
            .collect()
    }

    /// A listing taken from the one kept for another revision says what classifying
    /// every path says: paths the kept one does not hold are classified, paths it holds
    /// and the revision does not are dropped. A listing the kept one already holds is
    /// not kept again.
    #[test]
    fn a_listing_from_the_kept_one_says_what_classifying_says() {
        let (f, first) = fixture(FILES);
        f.write("force-app/main/default/classes/Payment.cls", "// Payment\n");
        f.remove("force-app/main/default/classes/Scratch.cls");
        let second = f.commit("one more, one less");
        let repo = f.repo();
        let project = project(f.path(), "**/jsconfig.json\n");
        let snapshot = |oid| repo.snapshot(&Revision::Commit(oid)).expect("snapshot");
        let (first, second) = (snapshot(first), snapshot(second));

        let cold = list(&project, &first, None, true);
        assert!(!cold.to_keep.damaged);
        let kept = cold.to_keep.record.expect("a first listing is kept");
        let paths: Vec<&str> = cold.entries.iter().map(|e| e.path.as_str()).collect();
        assert!(
            paths.contains(&"force-app/main/default/lwc/invoiceCard/__tests__/invoiceCard.test.js")
        );
        assert!(!paths.contains(&"force-app/main/default/lwc/jsconfig.json"));
        assert!(!paths.contains(&"force-app/main/default/notes.txt"));
        assert!(!paths.contains(&"README.md"));
        let field = cold
            .entries
            .iter()
            .find(|e| e.path.ends_with("Total__c.field-meta.xml"))
            .expect("the field");
        assert!(field.parent.is_some(), "a field keeps its object's id");

        let again = list(&project, &first, Some(&kept), true);
        assert_eq!(said(&again.entries), said(&cold.entries));
        assert!(
            again.to_keep.record.is_none(),
            "the kept listing says the same"
        );

        let from_kept = list(&project, &second, Some(&kept), true);
        assert_eq!(
            said(&from_kept.entries),
            said(&list(&project, &second, None, true).entries)
        );
        let kept_second = from_kept
            .to_keep
            .record
            .expect("one path more, one less: kept anew");
        let again = list(&project, &second, Some(&kept_second), true);
        assert!(again.to_keep.record.is_none());
        assert_eq!(said(&again.entries), said(&from_kept.entries));
    }

    /// A listing kept for another `.forceignore` (or package directories), by another
    /// version, or damaged, is not read: every path is classified under this project,
    /// and the listing kept; only the damaged one is said to be.
    #[test]
    fn a_listing_kept_for_other_patterns_or_damaged_is_not_read() {
        let (f, oid) = fixture(FILES);
        let repo = f.repo();
        let snapshot = repo.snapshot(&Revision::Commit(oid)).expect("snapshot");
        let lenient = project(f.path(), "");
        let strict = project(f.path(), "**/classes/**\n");
        assert_ne!(lenient.classification_key(), strict.classification_key());

        let kept = list(&lenient, &snapshot, None, true)
            .to_keep
            .record
            .expect("kept");
        let under_strict = list(&strict, &snapshot, Some(&kept), true);
        assert_eq!(
            said(&under_strict.entries),
            said(&list(&strict, &snapshot, None, true).entries)
        );
        assert!(
            !under_strict
                .entries
                .iter()
                .any(|entry| entry.path.contains("/classes/")),
            "the classes are left out"
        );
        assert!(under_strict.to_keep.record.is_some() && !under_strict.to_keep.damaged);

        // Another version's record is not read, and is not damaged.
        let newer = encode_record(&Stored {
            version: LISTING_VERSION + 1,
            impact: env!("CARGO_PKG_VERSION"),
            table: table_digest(),
            key: lenient.classification_key(),
            paths: Vec::new(),
        })
        .expect("encode");
        let read = list(&lenient, &snapshot, Some(&newer), true);
        assert!(!read.to_keep.damaged && read.to_keep.record.as_ref() == Some(&kept));

        let mut damaged = kept.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0x01;
        let read = list(&lenient, &snapshot, Some(&damaged), true);
        assert!(read.to_keep.damaged);
        assert_eq!(
            said(&read.entries),
            said(&list(&lenient, &snapshot, None, true).entries)
        );
        assert!(read.to_keep.record == Some(kept));
    }
}
