//! Resolutions kept between builds, so that a plan resolves again only the files that
//! changed (most of a warm plan's graph).
//!
//! Resolving a file's uses ([`Graph::resolve_uses`]) reads the file's uses and the graph
//! of declarations: the nodes, the class hierarchy, and the names the revision's uses
//! name (see [`Graph::known`]). So when a build's declarations are those an earlier
//! build resolved against, a file with the same blob and path resolves as it did then.
//! [`Resolutions`] keeps each file's resolutions as the last build left them, under a
//! digest of the declarations they were resolved against ([`declarations_digest`]), with
//! the tokens of what each file's resolution looked up ([`super::reads`]). A build of
//! that digest reuses every unchanged file's; a build whose digest differs reuses those
//! whose lookups the difference does not touch ([`Changes`]: the declarations that
//! differ are found by matching each changed file's declarations by digest, [`Table`])
//! and resolves the others again.
//!
//! The digest covers the files in order (path, component, declarations) and the names
//! the revision's uses name. A declaration enters it whole but for its lines and its
//! body hash: an edit inside a method moves the lines below it and changes its hash, and
//! resolution reads neither. The digest also covers this version of `impact` and
//! [`RESOLUTIONS_VERSION`], so another resolver never reads these records.
//!
//! A node among the declarations is kept by its file and its declaration's position in
//! the file ([`Places`]): declarations added or removed elsewhere do not move it, and
//! one that moved in its file is found where it went (the record is then written again
//! with its new place). A node a use interned is kept by its id and interned again when
//! the use is added, as a fresh resolution's would be.
//!
//! No file system here: records are read from a `Read` and written to a `Write` that the
//! pipeline opens in the facts cache's directory, one for the head graph and one for the
//! base graph (`cache::open_resolutions`; `cache::close_resolutions` puts the new file in
//! place when it differs). Records are framed and checked like the facts cache's
//! ([`crate::cache::frame_records`]); one that is damaged, or that does not fit the
//! file's uses, is resolved again.

use super::build::{ResolvedUse, ResolvedUses, UseEdge};
use super::reads::{self, Token};
use super::resolve::{Found, Reached, Resolution, Targets};
use super::{Graph, NodeIx};
use crate::cache::{
    encode_record, intact_payload, read_record, FactsCache, ReadRecord, RECORD_HEADER,
};
use crate::facts::{Declaration, DmlEvents, EdgeKind, FileFacts};
use crate::metadata::component::ComponentId;
use rayon::prelude::*;
use rustc_hash::FxHashSet as HashSet;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cell::Cell;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Bump when resolution changes what it returns for the same declarations and uses,
/// and when the records' layout changes: records of another version are never read.
/// (2: the targets of a record's resolutions in one list, [`Stored::targets`]. 3: nodes
/// by file and position, what each resolution read ([`Stored::reads`]), and the
/// declarations' [`Table`]. 4: the table by declaration. 5: only the uses that add
/// something, [`Stored::use_count`]. 6: a string literal may name a field set. 7: the records a write saves through a
/// relationship, `Parent__r` or `Contacts`, are typed as the related object. 8: fields
/// read through relationships and untyped receivers, a target's [`Reached`] kept whole,
/// and a string literal may name a custom field by its name. 9: `Owner`, `CreatedBy`
/// and `LastModifiedBy` reach a user in a field path, and a standard object's `Parent`
/// its object, `sobject::standard_parent`. 10: records passed to a static method that
/// saves them are the caller's write, `Target::DmlThrough`. 11: a standard relationship
/// named like an object a use names, not only one declared, is that object. 12: records
/// of a known type handed to a class the repository does not declare are written. 13: a
/// project's namespace finds its objects and fields by their prefixed names. 14: a
/// string literal may name a custom metadata record by its own name. 15: a chain of
/// static fields and properties read as a type name, `Injector.Org.Bindings`, is typed
/// link by link, and a task's or an event's custom field is the activity's. 16: a
/// record goes by its own name only when that is no plain word, `POST_PDL_API`. 17: a
/// class named with the project's namespace, `ns.Class`, is its own. 18: a dotted type
/// name whose prefix is a class of ours that does not declare the rest is a platform
/// type, `Database.DmlOptions`. 19: a class literal's edge is a `type-ref`, not a
/// `references`. 20: an interface's method reaches an implementation an implementor
/// inherits from a superclass outside the interface. 21: a string literal names a
/// component with the project's namespace prefix, `ns__Approve_Orders`. 22: a name a
/// subclass reads alone may be a field it inherits, as a receiver's type and as a read.)
pub const RESOLUTIONS_VERSION: u32 = 22;

/// The resolutions an earlier build kept, read from `R` as a build reaches their files,
/// and those this build keeps, written to `W` as it goes: a plan holds a batch of
/// records at a time, never the file (16 MB on a 10,000-class org, which held whole
/// took a warm plan past 300 MB).
///
/// Records come in the build's file order (by path), so reading them is a merge of two
/// sorted lists.
#[derive(Debug)]
pub struct Resolutions<R, W> {
    source: Option<R>,
    /// Records another build kept, read instead of `source`'s when those were resolved
    /// against other declarations and these against this build's.
    alternate: Option<R>,
    sink: Option<W>,
    /// The next record of `source`, read but not reached yet.
    next: Option<Loaded>,
    /// True when `source`'s records are read: resolved against this build's
    /// declarations, or against others, which `changes` tells from them.
    reusing: bool,
    /// When `source`'s records were resolved against other declarations: what differs.
    changes: Option<Changes>,
    outcome: Outcome,
}

/// How the declarations a source's records were resolved against differ from the
/// build's ([`Resolutions::begin`]): a record that names a declaration that changed or
/// went, or that read a name with a token in `tokens`, is resolved again.
#[derive(Debug, Default)]
pub(super) struct Changes {
    /// Files (by [`path_hash`]) whose declarations differ: where each of the earlier
    /// build's declarations is now in the file (`None`: it changed or went), or `None`
    /// for a file the build no longer has. Other files' declarations are where they were.
    moved: rustc_hash::FxHashMap<u64, Option<Vec<Option<u32>>>>,
    /// The tokens the declarations that differ offer (as they were and as they are), of
    /// names the revision's uses name at one revision only, and the hierarchy tokens of
    /// classes whose superclass or interfaces are named like a class that differs.
    tokens: reads::TokenSet,
}

/// The second record: what the records were resolved against, file by file, so that a
/// build of other declarations can tell which records still hold ([`Changes`]).
///
/// A build of the records' digest copies it as it was read; one of other declarations
/// takes each file whose declarations did not change from it, and finds only the other
/// files' tokens.
#[derive(Serialize, Deserialize)]
struct Table<'a> {
    /// The version of `impact` that wrote it, and the project's namespace
    /// ([`resolver`]): another resolves otherwise.
    tool: String,
    #[serde(borrow)]
    files: Vec<TableFile<'a>>,
    /// The names the revision's uses name ([`Graph::known`]): each key's hash, and its
    /// name's token.
    named: Vec<(u64, Token)>,
}

/// A file of the [`Table`].
#[derive(Serialize, Deserialize)]
struct TableFile<'a> {
    /// [`path_hash`] of its path.
    path: u64,
    /// Its part of [`declarations_digest`].
    digest: u64,
    /// Each declaration's digest ([`hash_declaration`]), eight bytes each
    /// (little-endian); a file that declares nothing has one for its component.
    #[serde(borrow)]
    declarations: Cow<'a, [u8]>,
    /// How many tokens each declaration offers ([`reads::declared_tokens`]).
    counts: Vec<u32>,
    /// The tokens, declaration after declaration ([`reads::to_bytes`]).
    #[serde(borrow)]
    tokens: Cow<'a, [u8]>,
}

impl TableFile<'_> {
    fn of(file: &FileFacts, path: u64, digest: u64) -> TableFile<'static> {
        let (tokens, counts) = reads::declared_tokens(file);
        // Each digest gathered and hashed at once ([`Gathered`]).
        let mut bytes = Vec::new();
        let declarations = if file.facts.declares.is_empty() {
            let mut hasher = Gathered { bytes: &mut bytes };
            "component".hash(&mut hasher);
            hash_id(&file.component, &mut hasher);
            hasher.finish().to_le_bytes().to_vec()
        } else {
            file.facts
                .declares
                .iter()
                .flat_map(|declaration| {
                    let mut hasher = Gathered { bytes: &mut bytes };
                    hasher.bytes.clear();
                    hash_declaration(declaration, &mut hasher);
                    hasher.finish().to_le_bytes()
                })
                .collect()
        };
        TableFile {
            path,
            digest,
            declarations: Cow::Owned(declarations),
            counts,
            tokens: Cow::Owned(reads::to_bytes(&tokens)),
        }
    }

    /// Each declaration's digest and the bytes of its tokens; `None` when the lists do
    /// not fit each other (a table this version did not write).
    fn declarations(&self) -> Option<Vec<(u64, &[u8])>> {
        let digests = self.declarations.chunks_exact(8);
        if !digests.remainder().is_empty() || digests.len() != self.counts.len() {
            return None;
        }
        let mut rest: &[u8] = &self.tokens;
        let mut declarations = Vec::with_capacity(self.counts.len());
        for (digest, &count) in digests.zip(&self.counts) {
            let length = (count as usize).checked_mul(reads::TOKEN_BYTES)?;
            let tokens = rest.get(..length)?;
            rest = &rest[length..];
            let digest = u64::from_le_bytes(digest.try_into().ok()?);
            declarations.push((digest, tokens));
        }
        rest.is_empty().then_some(declarations)
    }
}

/// What a build resolves against ([`Resolutions::begin`]).
pub(super) struct Declarations<'b> {
    /// The build's files, in order.
    pub files: &'b [&'b FileFacts],
    /// Each file's part of the digest ([`file_digests`]).
    pub digests: &'b [u64],
    /// The names the revision's uses name ([`named_table`]).
    pub named: Vec<(u64, Token)>,
    /// [`declarations_digest`] of the above.
    pub digest: u64,
    /// The project's namespace, whose prefixed names find its declarations.
    pub namespace: Option<&'b str>,
}

impl<'a> Table<'a> {
    /// A table that lists nothing, which no build reads records against (its `tool`
    /// is no version of `impact`).
    fn unlisted() -> Table<'static> {
        Table {
            tool: String::new(),
            files: Vec::new(),
            named: Vec::new(),
        }
    }

    /// Whether the table `record` holds is [`Table::unlisted`] (its first field, alone,
    /// is read).
    fn is_unlisted(record: &[u8]) -> bool {
        intact_payload(record)
            .and_then(|payload| postcard::take_from_bytes::<&str>(payload).ok())
            .is_some_and(|(tool, _)| tool.is_empty())
    }

    /// The table of `declarations`, and when an earlier build `kept` one, how the two
    /// differ: each file whose declarations `kept` lists as they are is taken from it,
    /// the others' tokens are found (on every core).
    fn of(declarations: &Declarations, kept: Option<Table<'a>>) -> (Table<'a>, Option<Changes>) {
        let (mut kept_files, kept_named) = match kept {
            Some(kept) => {
                let files: rustc_hash::FxHashMap<u64, TableFile<'a>> = kept
                    .files
                    .into_iter()
                    .map(|file| (file.path, file))
                    .collect();
                (Some(files), kept.named)
            }
            None => (None, Vec::new()),
        };
        let mut files: Vec<(u64, u64, Option<TableFile<'a>>)> = declarations
            .files
            .iter()
            .zip(declarations.digests)
            .map(|(file, &digest)| {
                let path = path_hash(&file.path);
                let same = kept_files
                    .as_mut()
                    .filter(|kept| kept.get(&path).is_some_and(|kept| kept.digest == digest))
                    .and_then(|kept| kept.remove(&path));
                (path, digest, same)
            })
            .collect();
        let found: Vec<TableFile<'static>> = files
            .par_iter()
            .zip(declarations.files)
            .filter(|((_, _, same), _)| same.is_none())
            .map(|((path, digest, _), file)| TableFile::of(file, *path, *digest))
            .collect();
        // `None` when the kept table does not read: then no record is read either.
        let changes = kept_files.and_then(|gone| {
            changes(
                &gone,
                &found,
                &kept_named,
                &declarations.named,
                declarations.files,
            )
        });
        let mut found = found.into_iter();
        let files = files
            .iter_mut()
            .filter_map(|(_, _, same)| same.take().or_else(|| found.next()))
            .collect();
        let table = Table {
            tool: resolver(declarations.namespace),
            files,
            named: declarations.named.clone(),
        };
        (table, changes)
    }
}

/// Who resolves: this version of `impact`, in a project of this namespace (which finds
/// declarations by their prefixed names too). Never empty ([`Table::unlisted`]).
fn resolver(namespace: Option<&str>) -> String {
    match namespace {
        Some(namespace) => format!("{} namespace {namespace}", env!("CARGO_PKG_VERSION")),
        None => env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// The hash a record and the [`Table`] name a file by.
pub(super) fn path_hash(path: &str) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(path.as_bytes());
    hasher.finish()
}

/// A record read from the source: the file it is for, and its bytes (header and
/// payload).
#[derive(Debug)]
struct Loaded {
    path: String,
    blob: String,
    record: IntactRecord,
}

/// A record whose checksum was checked when it was read: header and payload.
#[derive(Debug)]
pub(super) struct IntactRecord(Vec<u8>);

impl IntactRecord {
    fn payload(&self) -> &[u8] {
        &self.0[RECORD_HEADER..]
    }
}

/// What a build did with the kept resolutions.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The records written differ from those read: the new file should replace the
    /// old one.
    pub changed: bool,
    /// Records that could not be read (damaged, torn, of no known layout) or did not
    /// fit their file's uses: those files were resolved again.
    pub damaged: usize,
    /// Files whose uses were resolved.
    pub resolved: usize,
    /// Files whose resolutions were taken from the source.
    pub reused: usize,
    /// Writing a record failed: the written file is incomplete.
    pub write_error: Option<std::io::Error>,
}

/// A file's record, to be written.
#[derive(Debug)]
enum Kept {
    /// As it was read.
    Loaded(IntactRecord),
    /// As it was read, written again with the new places of declarations that moved
    /// in their files (a record's places must be those of the table it is written
    /// beside).
    Moved(Vec<u8>),
    /// Encoded by this build.
    Fresh(Vec<u8>),
}

/// A file's resolutions, read or resolved, and what to keep of them.
pub(super) struct FileResolutions {
    pub resolved: ResolvedUses,
    kept: Option<Kept>,
    /// A record of the file did not fit its uses.
    damaged: bool,
}

/// The first record of the file: the digest its records were resolved against.
#[derive(Serialize, Deserialize)]
struct Header {
    version: u32,
    digest: u64,
}

/// One file's resolutions ([`ResolvedUses`]) as stored.
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    /// The file's key ([`FactsCache::key`]).
    key: &'a str,
    /// The targets of every resolution, one resolution's after another's, each with
    /// whether it was reached as an override: one list rather than one per resolution
    /// (630,000 of them at 10,000 classes; one list cut reading the records from 642 to
    /// 572 M instructions, and the graph's edges wait for the reading).
    #[serde(borrow)]
    targets: Vec<(StoredFound<'a>, Reached)>,
    /// The files ([`path_hash`]) whose declared nodes the record names, by position in
    /// this list ([`StoredFound::Node`]).
    files: Vec<u64>,
    /// The tokens of what resolving the file looked up ([`reads::noting`]),
    /// [`reads::TOKEN_BYTES`] each (little-endian), borrowed: a build of the records'
    /// digest reads none.
    reads: &'a [u8],
    resolutions: Vec<StoredResolution>,
    /// The nodes holding the uses, in runs: a holder and how many uses in a row it
    /// holds (a file's uses come grouped by holder: a few bytes per use were most of
    /// the file).
    holders: Vec<(Option<StoredFound<'a>>, u32)>,
    /// The kind, events and `this`-ness of the uses' edges, in runs likewise.
    shapes: Vec<((EdgeKind, DmlEvents, bool), u32)>,
    /// Per use, its resolution's position and how far its line is from the use
    /// before's (uses come nearly in line order: a byte each). Only the uses that add
    /// something to the graph ([`Graph::resolve_uses`]).
    uses: Vec<(u32, i32)>,
    /// How many uses the file has, kept or not: a record fits only the file's uses.
    use_count: u32,
    #[serde(borrow)]
    registrations: Vec<Vec<&'a str>>,
}

#[derive(Serialize, Deserialize)]
struct StoredResolution {
    /// How many of [`Stored::targets`] are this resolution's.
    targets: u32,
    receiver: Option<(u32, u32)>,
    fell_back: bool,
}

/// A [`Found`] as stored: a declared node by its file (a position in [`Stored::files`])
/// and its declaration's position in the file, so that declarations added or removed
/// elsewhere do not move it; any other by its id's type and full name.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
enum StoredFound<'a> {
    Node(u32, u32),
    Named(&'a str, &'a str),
}

impl<R: std::io::Read, W: std::io::Write> Resolutions<R, W> {
    /// Reads the records of an earlier build from `source` and writes this build's to
    /// `sink`; either may be missing (no earlier build; a cache that cannot be
    /// written).
    pub fn new(source: Option<R>, sink: Option<W>) -> Resolutions<R, W> {
        Resolutions {
            source,
            alternate: None,
            sink,
            next: None,
            reusing: false,
            changes: None,
            outcome: Outcome::default(),
        }
    }

    /// How the declarations the records read were resolved against differ from the
    /// build's; `None` when they are the build's.
    pub(super) fn changes(&self) -> Option<&Changes> {
        self.changes.as_ref()
    }

    /// Whether the build will write records (encoding them costs time otherwise saved).
    pub(super) fn keeps(&self) -> bool {
        self.sink.is_some()
    }

    /// Reads `alternate`'s records when `source`'s were resolved against other
    /// declarations than this build's and these against the same: the base graph of a
    /// plan is the head graph of the plan before when the one's base is the other's head
    /// (pull requests merged one after another).
    pub fn or_from(mut self, alternate: Option<R>) -> Resolutions<R, W> {
        self.alternate = alternate;
        self
    }

    /// Starts a build resolved against `declarations`: reads the source's header and
    /// table, and writes this build's.
    ///
    /// Records are read from the build's own source when they were resolved against
    /// these declarations, else from the alternate when its were (either's table is
    /// then this build's, and copied), else from the own source with [`Changes`]
    /// telling which of them still hold.
    pub(super) fn begin(&mut self, declarations: &Declarations) {
        let digest = declarations.digest;
        let mut own = self.source.take();
        let first = own.is_none();
        let own_header = own
            .as_mut()
            .and_then(|source| self.read_header(source, true));
        let current = |header: &Header| header.version == RESOLUTIONS_VERSION;
        // The table to write as it was read, when the records are of this digest.
        let mut same_table = None;
        if own_header
            .as_ref()
            .is_some_and(|header| current(header) && header.digest == digest)
        {
            if let Some((source, table)) =
                own.take().and_then(|source| self.past_table(source, true))
            {
                self.source = Some(source);
                same_table = table;
            }
        }
        if self.source.is_none() {
            // What is reused differs from what the build's own source held.
            self.outcome.changed = true;
            let alternate = self.alternate.take().and_then(|mut source| {
                let header = self.read_header(&mut source, false)?;
                (current(&header) && header.digest == digest).then_some(source)
            });
            if let Some((source, table)) =
                alternate.and_then(|source| self.past_table(source, false))
            {
                self.source = Some(source);
                same_table = table;
            }
        }
        // Else the own records, told apart by the table they were resolved against.
        let mut kept_record = None;
        if self.source.is_none() && own_header.as_ref().is_some_and(current) {
            if let Some((source, Some(record))) =
                own.take().and_then(|source| self.past_table(source, true))
            {
                self.source = Some(source);
                kept_record = Some(record);
            }
        }
        let kept = kept_record.as_deref().and_then(|record| {
            let table = intact_payload(record)
                .and_then(|payload| postcard::from_bytes::<Table>(payload).ok());
            self.outcome.damaged += usize::from(table.is_none());
            // Another version of `impact` may resolve otherwise.
            table.filter(|table| table.tool == resolver(declarations.namespace))
        });
        if kept_record.is_some() && kept.is_none() {
            self.source = None;
        }
        // A table that lists nothing is written again listing this build's declarations
        // (and the file put in place though no record changed).
        if same_table.as_deref().is_some_and(Table::is_unlisted) {
            same_table = None;
            self.outcome.changed = true;
        }
        let mut table = None;
        if same_table.is_none() && first && self.source.is_none() {
            // A first build (no kept file) lists nothing: finding every file's tokens
            // took a cold 10,000-class plan 12 MB higher and 70 ms longer. The next build
            // lists them (one of other declarations resolves every file first, as one
            // without a table does).
            table = Some(Table::unlisted());
        } else if same_table.is_none() {
            let had_kept = kept.is_some();
            let (new, changes) = Table::of(declarations, kept);
            if had_kept && changes.is_none() {
                // A kept table whose lists do not fit each other tells nothing.
                self.outcome.damaged += 1;
                self.source = None;
            }
            self.changes = changes;
            table = Some(new);
        }
        // Read no further than its header.
        self.alternate = None;
        self.reusing = self.source.is_some();
        let header = Header {
            version: RESOLUTIONS_VERSION,
            digest,
        };
        if let Some(record) = encode_record(&header) {
            self.write(&record);
        }
        let table_record = same_table.or_else(|| table.and_then(|table| encode_record(&table)));
        if let Some(record) = table_record {
            self.write(&record);
        }
    }

    /// The header of `source`; `None` at its end or when damaged. A damaged header of
    /// the build's `own` source is counted (the alternate's is its own build's to
    /// report).
    fn read_header(&mut self, source: &mut R, own: bool) -> Option<Header> {
        match read_record(source) {
            ReadRecord::Record(record) => {
                let header = intact_payload(&record)
                    .and_then(|payload| postcard::from_bytes::<Header>(payload).ok());
                self.outcome.damaged += usize::from(own && header.is_none());
                header
            }
            ReadRecord::Torn => {
                self.outcome.damaged += usize::from(own);
                None
            }
            ReadRecord::End => None,
        }
    }

    /// `source` past its table, and the table's record when it is intact (a damaged
    /// one is counted, and the records after it are read all the same); `None` when
    /// there is none.
    fn past_table(&mut self, mut source: R, own: bool) -> Option<(R, Option<Vec<u8>>)> {
        match read_record(&mut source) {
            ReadRecord::Record(record) => {
                let intact = intact_payload(&record).is_some();
                if own && !intact {
                    self.outcome.damaged += 1;
                    self.outcome.changed = true;
                }
                Some((source, intact.then_some(record)))
            }
            ReadRecord::Torn => {
                self.outcome.damaged += usize::from(own);
                None
            }
            ReadRecord::End => None,
        }
    }

    /// The record kept for `file`, if the source holds one for this path and blob.
    /// Files must be asked for in path order.
    pub(super) fn take_record(&mut self, file: &FileFacts) -> Option<IntactRecord> {
        while self.reusing {
            if self.next.is_none() {
                self.next = Some(self.read_next()?);
            }
            let next = self.next.as_ref()?;
            match next.path.as_str().cmp(&file.path) {
                // A file this build does not have: not written again.
                std::cmp::Ordering::Less => {
                    self.next = None;
                    self.outcome.changed = true;
                }
                std::cmp::Ordering::Equal => {
                    let next = self.next.take()?;
                    if next.blob == file.blob {
                        return Some(next.record);
                    }
                    self.outcome.changed = true;
                    return None;
                }
                std::cmp::Ordering::Greater => return None,
            }
        }
        None
    }

    /// The source's next intact record, skipping (and counting) damaged ones; `None` at
    /// its end, or where it is torn.
    fn read_next(&mut self) -> Option<Loaded> {
        loop {
            let record = match read_record(self.source.as_mut()?) {
                ReadRecord::Record(record) => record,
                ReadRecord::End => {
                    self.source = None;
                    return None;
                }
                ReadRecord::Torn => {
                    self.source = None;
                    self.outcome.damaged += 1;
                    self.outcome.changed = true;
                    return None;
                }
            };
            let key = intact_payload(&record)
                .and_then(|payload| postcard::take_from_bytes::<&str>(payload).ok())
                .and_then(|(key, _)| FactsCache::split_key(key))
                .map(|(blob, path)| (blob.to_string(), path.to_string()));
            match key {
                Some((blob, path)) => {
                    let record = IntactRecord(record);
                    return Some(Loaded { path, blob, record });
                }
                None => {
                    self.outcome.damaged += 1;
                    self.outcome.changed = true;
                }
            }
        }
    }

    /// Writes a file's record (files come in order), counts it, and returns its
    /// resolutions for the graph to add.
    pub(super) fn keep(&mut self, file: FileResolutions) -> ResolvedUses {
        self.outcome.damaged += usize::from(file.damaged);
        self.outcome.changed |= file.damaged;
        match &file.kept {
            Some(Kept::Loaded(record)) => {
                self.outcome.reused += 1;
                self.write(&record.0);
            }
            Some(Kept::Moved(record)) => {
                self.outcome.reused += 1;
                self.outcome.changed = true;
                self.write(record);
            }
            Some(Kept::Fresh(record)) => {
                self.outcome.resolved += 1;
                self.outcome.changed = true;
                self.write(record);
            }
            None => {
                self.outcome.resolved += 1;
                self.outcome.changed = true;
            }
        }
        file.resolved
    }

    /// Ends the build: records left in the source are of files it does not have.
    pub(super) fn end(&mut self) {
        if self.next.take().is_some() || self.read_next().is_some() {
            self.outcome.changed = true;
        }
        self.source = None;
    }

    fn write(&mut self, bytes: &[u8]) {
        if self.outcome.write_error.is_some() {
            return;
        }
        if let Some(sink) = self.sink.as_mut() {
            if let Err(error) = sink.write_all(bytes) {
                self.outcome.write_error = Some(error);
            }
        }
    }

    /// How many files the build resolved, and how many it took from the source.
    pub fn counts(&self) -> (usize, usize) {
        (self.outcome.resolved, self.outcome.reused)
    }

    /// What the build did, and the sink, to be flushed and put in place.
    pub fn finish(self) -> (Outcome, Option<W>) {
        (self.outcome, self.sink)
    }
}

/// What differs between two builds' declarations, given the earlier build's files whose
/// declarations differ or that the build no longer has (`before`), the build's files
/// whose declarations differ or that are new (`after`), and each build's named set;
/// `files` are the build's. `None` when a file of the earlier build's table does not
/// read.
fn changes(
    before: &rustc_hash::FxHashMap<u64, TableFile>,
    after: &[TableFile],
    named_before: &[(u64, Token)],
    named_after: &[(u64, Token)],
    files: &[&FileFacts],
) -> Option<Changes> {
    let mut changes = Changes::default();
    let after_by_path: rustc_hash::FxHashMap<u64, &TableFile> =
        after.iter().map(|file| (file.path, file)).collect();
    for (path, old) in before {
        let old = old.declarations()?;
        let new = match after_by_path.get(path) {
            Some(new) => new.declarations()?,
            None => Vec::new(),
        };
        // Each declaration as it was is found where it is now, if it is: the first of
        // its digest not found yet.
        let mut positions: rustc_hash::FxHashMap<u64, Vec<u32>> = Default::default();
        for (position, (digest, _)) in new.iter().enumerate().rev() {
            positions.entry(*digest).or_default().push(position as u32);
        }
        let mut found = vec![false; new.len()];
        let mut moved = Vec::with_capacity(old.len());
        for (digest, tokens) in &old {
            let now = positions.get_mut(digest).and_then(Vec::pop);
            match now {
                Some(position) => found[position as usize] = true,
                None => changes.tokens.insert_bytes(tokens),
            }
            moved.push(now);
        }
        for ((_, tokens), found) in new.iter().zip(found) {
            if !found {
                changes.tokens.insert_bytes(tokens);
            }
        }
        let still_there = after_by_path.contains_key(path);
        changes.moved.insert(*path, still_there.then_some(moved));
    }
    for new in after.iter().filter(|file| !before.contains_key(&file.path)) {
        for (_, tokens) in new.declarations()? {
            changes.tokens.insert_bytes(tokens);
        }
    }
    let named_before: HashSet<&(u64, Token)> = named_before.iter().collect();
    let named_after: HashSet<&(u64, Token)> = named_after.iter().collect();
    for (_, token) in named_before.symmetric_difference(&named_after) {
        changes.tokens.insert(*token);
    }
    // A class whose superclass or interface is named like a declaration that differs may
    // now extend another class, or none: its place in the hierarchy changed.
    for declaration in files.iter().flat_map(|file| &file.facts.declares) {
        let names_changed = declaration
            .extends
            .iter()
            .chain(&declaration.implements)
            .any(|parent| changes.tokens.contains(reads::simple_name_token(parent)));
        if names_changed {
            changes
                .tokens
                .insert(reads::hierarchy_token(declaration.id.full_name()));
        }
    }
    Some(changes)
}

/// Where each file's declarations are among a build's nodes: kept records name a
/// declared node by its file and its declaration's position there ([`StoredFound`]).
/// Empty ([`Default`]) for a build that keeps no resolutions.
#[derive(Default)]
pub(super) struct Places {
    /// Each file's first declaration in `nodes`, and how many it has, by [`path_hash`];
    /// `None` for a path the build has twice.
    files: rustc_hash::FxHashMap<u64, Option<(u32, u32)>>,
    /// The node of each declaration, file after file.
    nodes: Vec<NodeIx>,
    /// For each declared node, its first declaration: its file's path hash and its
    /// position there.
    of_node: Vec<Option<(u64, u32)>>,
}

impl Places {
    /// The places of `files`' declarations, `declared` in order.
    pub(super) fn new(
        files: &[&FileFacts],
        declared: &[super::build::Declared],
        n_declared: usize,
    ) -> Places {
        let mut places = Places {
            files: rustc_hash::FxHashMap::default(),
            nodes: declared.iter().map(|declared| declared.node).collect(),
            of_node: vec![None; n_declared],
        };
        let mut start = 0u32;
        for file in files {
            let path = path_hash(&file.path);
            let count = file.facts.declares.len() as u32;
            let slot = places.files.entry(path).or_insert(Some((start, count)));
            if slot.is_some_and(|(first, _)| first != start) {
                *slot = None;
            }
            for position in 0..count {
                if let Some(node) = places.nodes.get((start + position) as usize) {
                    if let Some(place) = places.of_node.get_mut(node.ix()) {
                        place.get_or_insert((path, position));
                    }
                }
            }
            start += count;
        }
        places
    }

    /// Where the declarations of the file `path` are in `nodes`: the first, and how
    /// many.
    fn span(&self, path: u64) -> Option<(u32, u32)> {
        *self.files.get(&path)?
    }
}

/// What a kept record is read against: the build's [`Places`], and when the record was
/// resolved against other declarations, how they differ.
pub(super) struct Fit<'b> {
    pub places: &'b Places,
    pub changes: Option<&'b Changes>,
}

/// Why a file's resolutions were not read from a kept record ([`read_kept`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NotKept {
    /// The earlier build kept none for this path and blob.
    NoRecord,
    /// It kept one that does not fit the file's uses: counted as damaged.
    Unfitting,
    /// It kept one resolved against declarations that changed where it looked.
    Stale,
}

/// The resolutions of `file`'s uses read from its kept `record`, when it has one that
/// fits and still holds. Reading one needs no graph but where the declarations are
/// (`fit`), so the build reads a batch's records while it adds the batch before.
/// Otherwise the file must be resolved ([`resolve_fresh`]).
pub(super) fn read_kept(
    file: &FileFacts,
    record: Option<IntactRecord>,
    fit: &Fit,
) -> Result<FileResolutions, NotKept> {
    let Some(record) = record else {
        return Err(NotKept::NoRecord);
    };
    let (resolved, moved) = read_stored(record.payload(), file, fit)?;
    Ok(FileResolutions {
        resolved,
        kept: Some(match moved {
            Some(moved) => Kept::Moved(moved),
            None => Kept::Loaded(record),
        }),
        damaged: false,
    })
}

/// The resolutions of `file`'s uses, resolved against `graph` (and encoded, when
/// `keeping`), after [`read_kept`] found none (`not_kept`). `None` when the uses did not
/// decode (`Facts::uses`).
pub(super) fn resolve_fresh(
    graph: &Graph,
    places: &Places,
    file: &FileFacts,
    keeping: bool,
    not_kept: NotKept,
) -> Option<FileResolutions> {
    let uses = file.facts.uses()?;
    let (resolved, reads) = if keeping {
        reads::noting(|| graph.resolve_uses(file, &uses))
    } else {
        (graph.resolve_uses(file, &uses), Vec::new())
    };
    let key = FactsCache::key(&file.blob, &file.path);
    let kept = keeping
        .then(|| {
            encode_stored(
                Some(graph),
                places,
                (&key, u32::try_from(file.facts.use_count()).ok()?),
                &resolved,
                &reads::to_bytes(&reads),
            )
        })
        .flatten()
        .map(Kept::Fresh);
    Some(FileResolutions {
        resolved,
        kept,
        damaged: not_kept == NotKept::Unfitting,
    })
}

/// Reads a stored record into the resolutions of `file`'s uses: [`NotKept::Stale`] when
/// it was resolved against declarations that changed where it looked
/// ([`Fit::changes`]), [`NotKept::Unfitting`] when it is not that file's (its key is not
/// the file's blob and path, [`FactsCache::key`]) or does not fit (a node past its
/// file's declarations, a resolution past the list, a count of uses that differs).
fn read_stored(
    payload: &[u8],
    file: &FileFacts,
    fit: &Fit,
) -> Result<(ResolvedUses, Option<Vec<u8>>), NotKept> {
    let stored: Stored = postcard::from_bytes(payload).map_err(|_| NotKept::Unfitting)?;
    // Compared half by half: building the file's key was an allocation per file.
    let for_file =
        FactsCache::split_key(stored.key) == Some((file.blob.as_str(), file.path.as_str()));
    if !for_file || !stored.reads.len().is_multiple_of(reads::TOKEN_BYTES) {
        return Err(NotKept::Unfitting);
    }
    if let Some(changes) = fit.changes {
        let read_changed =
            reads::from_bytes(stored.reads).any(|token| changes.tokens.contains(token));
        if read_changed {
            return Err(NotKept::Stale);
        }
    }
    let (stale, moved) = (Cell::new(false), Cell::new(false));
    let resolved = match fitted(&stored, file, fit, &stale, &moved) {
        Some(resolved) => resolved,
        None if stale.get() => return Err(NotKept::Stale),
        None => return Err(NotKept::Unfitting),
    };
    if !moved.get() {
        return Ok((resolved, None));
    }
    // Written again with the nodes' new places (every node of a kept record is a
    // declared one, so no graph is needed to name it).
    let record = (stored.key, stored.use_count);
    match encode_stored(None, fit.places, record, &resolved, stored.reads) {
        Some(record) => Ok((resolved, Some(record))),
        None => Err(NotKept::Stale),
    }
}

/// The resolutions a record holds, as nodes of the build ([`read_stored`]); `None` when
/// it does not fit the file or the build, or names a declaration that changed or went
/// (`stale` is then set). `moved` is set when a declaration it names moved in its file.
fn fitted(
    stored: &Stored,
    file: &FileFacts,
    fit: &Fit,
    stale: &Cell<bool>,
    moved: &Cell<bool>,
) -> Option<ResolvedUses> {
    if usize::try_from(stored.use_count).ok()? != file.facts.use_count() {
        return None;
    }
    // Each of the record's files looked up once, not once per node: where its
    // declarations are, and where each of them went when the file's changed.
    /// One of the record's files, as the build has it.
    struct RecordFile<'c> {
        span: Option<(u32, u32)>,
        /// Where its declarations went, when they changed ([`Changes::moved`]).
        went: Option<&'c Option<Vec<Option<u32>>>>,
    }
    let spans: Vec<RecordFile> = stored
        .files
        .iter()
        .map(|&path| RecordFile {
            span: fit.places.span(path),
            went: fit.changes.and_then(|changes| changes.moved.get(&path)),
        })
        .collect();
    let node = |slot: u32, position: u32| {
        let RecordFile { span, went } = spans.get(slot as usize)?;
        let position = match went {
            None => position,
            Some(went) => {
                let now = went.as_ref().and_then(|went| *went.get(position as usize)?);
                match now {
                    Some(now) if now != position => moved.set(true),
                    Some(_) => {}
                    None => stale.set(true),
                }
                now?
            }
        };
        let (start, count) = (*span)?;
        (position < count).then(|| fit.places.nodes.get((start + position) as usize).copied())?
    };
    let found = |stored: &StoredFound| match *stored {
        StoredFound::Node(slot, position) => node(slot, position).map(Found::Node),
        StoredFound::Named(type_name, full_name) => {
            Some(Found::Named(ComponentId::new(type_name, full_name)))
        }
    };
    let mut resolutions = Vec::with_capacity(stored.resolutions.len());
    let mut all_targets = stored.targets.iter();
    for resolution in &stored.resolutions {
        let n_targets = resolution.targets as usize;
        let mut targets = Targets::with_capacity(n_targets.min(all_targets.len()));
        for _ in 0..n_targets {
            let (target, reached) = all_targets.next()?;
            targets.push((found(target)?, *reached));
        }
        let receiver = match resolution.receiver {
            Some((slot, position)) => Some(node(slot, position)?),
            None => None,
        };
        resolutions.push(Resolution {
            targets,
            receiver,
            fell_back: resolution.fell_back,
            events: None,
        });
    }
    if all_targets.next().is_some() {
        return None;
    }
    let uses = fitted_uses(stored, resolutions.len(), found)?;
    let registrations = stored
        .registrations
        .iter()
        .map(|values| values.iter().map(|value| value.to_string()).collect())
        .collect();
    Some(ResolvedUses {
        resolutions,
        uses,
        registrations,
    })
}

/// The uses a record holds ([`fitted`]), each naming one of `n_resolutions`, their
/// holders found by `found`.
fn fitted_uses(
    stored: &Stored,
    n_resolutions: usize,
    found: impl Fn(&StoredFound) -> Option<Found>,
) -> Option<Vec<ResolvedUse>> {
    // Holders and shapes come in runs (a holder's uses in a row): each run's holder is
    // found once, not once per use.
    let mut holders = Runs::new(&stored.holders);
    let mut shapes = Runs::new(&stored.shapes);
    let mut from: Option<Found> = None;
    let mut uses = Vec::with_capacity(stored.uses.len());
    let mut line: u32 = 0;
    for &(position, delta) in &stored.uses {
        let position = position as usize;
        if position >= n_resolutions {
            return None;
        }
        let (holder, new_run) = holders.next()?;
        if new_run {
            from = match holder {
                Some(holder) => Some(found(holder)?),
                None => None,
            };
        }
        let (&(kind, events, on_this), _) = shapes.next()?;
        line = line.checked_add_signed(delta)?;
        let edge = UseEdge {
            kind,
            line,
            events,
            on_this,
        };
        uses.push(ResolvedUse {
            from: from.clone(),
            resolution: position,
            edge,
        });
    }
    let all_read = holders.next().is_none() && shapes.next().is_none();
    all_read.then_some(uses)
}

/// Encodes a file's resolutions as a record; `None` when one names a node that is
/// neither declared nor has an id (never, as resolution goes), so nothing is kept.
fn encode_stored(
    graph: Option<&Graph>,
    places: &Places,
    (key, use_count): (&str, u32),
    resolved: &ResolvedUses,
    reads: &[u8],
) -> Option<Vec<u8>> {
    /// A declared node by its file's position in `files` (added when new) and its
    /// declaration's position in the file; `None` for any other node.
    fn declared(places: &Places, files: &mut Vec<u64>, node: NodeIx) -> Option<(u32, u32)> {
        let (path, position) = (*places.of_node.get(node.ix())?)?;
        let slot = match files.iter().position(|&file| file == path) {
            Some(slot) => slot,
            None => {
                files.push(path);
                files.len() - 1
            }
        };
        Some((u32::try_from(slot).ok()?, position))
    }
    /// `None` for a node neither declared nor in `graph` (no graph is given when a
    /// kept record is written again with its nodes' new places).
    fn store<'a>(
        graph: Option<&'a Graph>,
        places: &Places,
        files: &mut Vec<u64>,
        found: &'a Found,
    ) -> Option<StoredFound<'a>> {
        Some(match found {
            Found::Node(node) => match declared(places, files, *node) {
                Some((slot, position)) => StoredFound::Node(slot, position),
                // Interned by an earlier batch's uses (or by a declaration, as a parent
                // or a test's target): kept by its id, as fresh resolution names it.
                None => {
                    let id = &graph?[*node].id;
                    StoredFound::Named(id.type_name(), id.full_name())
                }
            },
            Found::Named(id) => StoredFound::Named(id.type_name(), id.full_name()),
        })
    }
    let ResolvedUses {
        resolutions,
        uses,
        registrations,
    } = resolved;
    let mut files = Vec::new();
    let mut stored = Stored {
        key,
        targets: Vec::with_capacity(resolutions.len()),
        files: Vec::new(),
        reads,
        resolutions: Vec::with_capacity(resolutions.len()),
        holders: Vec::new(),
        shapes: Vec::new(),
        uses: Vec::with_capacity(uses.len()),
        use_count,
        registrations: registrations
            .iter()
            .map(|values| values.iter().map(String::as_str).collect())
            .collect(),
    };
    for resolution in resolutions {
        let receiver = match resolution.receiver {
            Some(node) => Some(declared(places, &mut files, node)?),
            None => None,
        };
        for (found, reached) in &resolution.targets {
            let target = store(graph, places, &mut files, found)?;
            stored.targets.push((target, *reached));
        }
        stored.resolutions.push(StoredResolution {
            targets: u32::try_from(resolution.targets.len()).ok()?,
            receiver,
            fell_back: resolution.fell_back,
        });
    }
    let mut line: u32 = 0;
    for ResolvedUse {
        from,
        resolution,
        edge,
    } in uses
    {
        let delta = i64::from(edge.line) - i64::from(line);
        stored
            .uses
            .push((u32::try_from(*resolution).ok()?, i32::try_from(delta).ok()?));
        line = edge.line;
        let holder = match from {
            Some(from) => Some(store(graph, places, &mut files, from)?),
            None => None,
        };
        push_run(&mut stored.holders, holder);
        push_run(&mut stored.shapes, (edge.kind, edge.events, edge.on_this));
    }
    stored.files = files;
    encode_record(&stored)
}

/// Adds `value` to a list of runs (a value and how many times in a row it comes).
fn push_run<T: PartialEq>(runs: &mut Vec<(T, u32)>, value: T) {
    match runs.last_mut() {
        Some((last, count)) if *last == value => *count += 1,
        _ => runs.push((value, 1)),
    }
}

/// The values of a list of runs (a value and how many times in a row it comes), one by
/// one.
struct Runs<'r, T> {
    runs: std::slice::Iter<'r, (T, u32)>,
    current: Option<&'r T>,
    /// How many more times `current` comes.
    left: u32,
}

impl<'r, T> Runs<'r, T> {
    fn new(runs: &'r [(T, u32)]) -> Runs<'r, T> {
        Runs {
            runs: runs.iter(),
            current: None,
            left: 0,
        }
    }

    /// The next value, and whether it starts a run; `None` past the last.
    fn next(&mut self) -> Option<(&'r T, bool)> {
        let mut starts = false;
        while self.left == 0 {
            let (value, count) = self.runs.next()?;
            self.current = Some(value);
            self.left = *count;
            starts = true;
        }
        self.left -= 1;
        Some((self.current?, starts))
    }
}

/// The digest of what resolution reads of a revision's files: each file's path,
/// component and declarations (but for their lines and body hashes), in order
/// ([`file_digests`]), and the names the revision's uses name (`named`, by key).
pub(super) fn declarations_digest(
    per_file: &[u64],
    named: &HashSet<ComponentId>,
    namespace: Option<&str>,
) -> u64 {
    let mut named: Vec<&str> = named.iter().map(ComponentId::key).collect();
    named.par_sort_unstable();
    let mut hasher = DefaultHasher::new();
    RESOLUTIONS_VERSION.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    namespace.hash(&mut hasher);
    per_file.hash(&mut hasher);
    named.hash(&mut hasher);
    hasher.finish()
}

/// Each file's part of [`declarations_digest`]: it reads the facts alone, so the build
/// computes it while it declares the nodes.
pub(super) fn file_digests(files: &[&FileFacts]) -> Vec<u64> {
    files
        .par_iter()
        .map_init(Vec::new, |bytes, file| {
            let mut hasher = Gathered { bytes };
            hasher.bytes.clear();
            file.path.hash(&mut hasher);
            hash_id(&file.component, &mut hasher);
            file.facts.declares.len().hash(&mut hasher);
            for declaration in &file.facts.declares {
                hash_declaration(declaration, &mut hasher);
            }
            hasher.finish()
        })
        .collect()
}

/// The names the revision's uses name, as the [`Table`] keeps them: by key hash, in
/// order.
pub(super) fn named_table(named: &HashSet<ComponentId>) -> Vec<(u64, Token)> {
    let mut table: Vec<(u64, Token)> = named
        .iter()
        .map(|id| {
            (
                path_hash(id.key()),
                reads::name_token(id.folded_full_name()),
            )
        })
        .collect();
    table.sort_unstable();
    table
}

/// A [`Hasher`] that gathers what is written and hashes it all at once when finished
/// (SipHash, as [`DefaultHasher`]): a file's declarations are written a few bytes at a
/// time, and SipHash's cost per write was most of it (NPSP, both graphs: 63 M
/// instructions for 766,000 writes).
struct Gathered<'a> {
    bytes: &'a mut Vec<u8>,
}

impl Hasher for Gathered<'_> {
    fn write(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        hasher.write(self.bytes);
        hasher.finish()
    }
}

/// Hashes an id as written (type and full name).
fn hash_id(id: &ComponentId, hasher: &mut impl Hasher) {
    id.type_name().hash(hasher);
    id.full_name().hash(hasher);
}

/// Hashes every field of a declaration but `lines`, `body_hash` and `overrides` (which
/// marks the framework hooks after resolution, `Graph::mark_framework_hooks`, and which no
/// resolution reads). Destructured, so a new field does not compile until it is hashed or
/// left out here.
fn hash_declaration(declaration: &Declaration, hasher: &mut impl Hasher) {
    let Declaration {
        id,
        kind,
        parent,
        lines: _,
        body_hash: _,
        extends,
        implements,
        arity,
        value_type,
        alias,
        automates,
        fires_on,
        test,
        overrides: _,
        invocable: _,
        initializer_calls: _,
        records_parameters,
    } = declaration;
    hash_id(id, hasher);
    kind.hash(hasher);
    parent.is_some().hash(hasher);
    if let Some(parent) = parent {
        hash_id(parent, hasher);
    }
    extends.hash(hasher);
    implements.hash(hasher);
    arity.hash(hasher);
    value_type.hash(hasher);
    alias.hash(hasher);
    automates.hash(hasher);
    fires_on.hash(hasher);
    records_parameters.hash(hasher);
    test.is_some().hash(hasher);
    if let Some(mark) = test {
        let crate::facts::TestMark {
            critical,
            test_for,
            setup,
            method,
        } = mark;
        critical.hash(hasher);
        test_for.len().hash(hasher);
        for id in test_for {
            hash_id(id, hasher);
        }
        setup.hash(hasher);
        method.hash(hasher);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::frame_records;
    use crate::parse::apex_file as apex;

    /// More classes than one batch of resolution holds, so that names interned by an
    /// earlier batch are found as nodes by a later one. They call each other through
    /// typed receivers, override a virtual method, write objects, read labels, name
    /// classes in strings and register handlers for objects.
    fn org(edited: Option<&str>) -> Vec<FileFacts> {
        let n = super::super::build::RESOLVE_BATCH * 2 + 7;
        let mut files = vec![
            apex("Base", "public virtual class Base { public virtual void run() {} }"),
            apex(
                "Sub",
                "public class Sub extends Base { public override void run() { insert new Account(); } }",
            ),
        ];
        for i in 0..n {
            let next = (i * 7 + 3) % n;
            let body = match edited {
                Some(body) if i == 5 => body.to_string(),
                _ => format!(
                    "C{next:04} other = new C{next:04}(); other.go(); Base b = this.pick(); b.run(); \
                     insert new Obj{}__c(); String s = Label.L{}; Type t = Type.forName('C{next:04}'); \
                     Handler__mdt h = new Handler__mdt(Class__c = 'C{next:04}', Object__c = 'Obj{}__c');",
                    i % 13,
                    i % 5,
                    i % 13
                ),
            };
            files.push(apex(
                &format!("C{i:04}"),
                &format!(
                    "public class C{i:04} {{ public Base pick() {{ return new Sub(); }}\n \
                     public void go() {{ {body} }} }}"
                ),
            ));
        }
        files
    }

    type InMemory = Resolutions<&'static [u8], Vec<u8>>;

    /// Builds `files` reusing `bytes`' resolutions: the graph's dump, what the build did
    /// and the bytes it wrote.
    fn rebuild(files: &[FileFacts], bytes: Vec<u8>) -> (Vec<String>, Outcome, Vec<u8>) {
        let mut resolutions = InMemory::new(Some(leaked(&bytes)), Some(Vec::new()));
        let graph = Graph::build_reusing(files, Some(&mut resolutions), None);
        let (outcome, written) = resolutions.finish();
        (graph.dump(), outcome, written.unwrap_or_default())
    }

    /// Bytes that live as long as the test, for an [`InMemory`] source.
    fn leaked(bytes: &[u8]) -> &'static [u8] {
        Box::leak(bytes.to_vec().into_boxed_slice())
    }

    /// [`org`] with a method declared in `C0000`: declarations that differ.
    fn org_with_a_method_declared() -> Vec<FileFacts> {
        let mut files = org(None);
        files[2] = apex(
            "C0000",
            "public class C0000 { public Base pick() { return new Sub(); }\n public void go() {}\n \
             public void added() { C0001.added(); } }",
        );
        files
    }

    /// A build with an empty kept file (one with none lists nothing for the next build,
    /// [`Table::unlisted`]): every file resolved, and every declaration listed.
    fn first_build(files: &[FileFacts]) -> Vec<u8> {
        let mut resolutions = InMemory::new(Some(leaked(&[])), Some(Vec::new()));
        let graph = Graph::build_reusing(files, Some(&mut resolutions), None);
        assert_eq!(graph.dump(), Graph::build(files).dump());
        let (outcome, written) = resolutions.finish();
        assert!(outcome.changed);
        assert_eq!((outcome.resolved, outcome.reused), (files.len(), 0));
        written.expect("written")
    }

    #[test]
    fn an_edit_inside_a_method_resolves_that_file_alone_and_gives_the_graph_built_anew() {
        let before = org(None);
        let bytes = first_build(&before);
        // The edited method is longer (the lines below it move) and calls and writes
        // something else (which the revision names already).
        let after = org(Some(
            "\n\n\nC0100 other = new C0100();\n other.go(); insert new Account();",
        ));
        let (reused, outcome, written) = rebuild(&after, bytes);
        assert_eq!(reused, Graph::build(&after).dump());
        assert_eq!((outcome.resolved, outcome.reused), (1, before.len() - 1));
        assert!(outcome.changed, "the edited file's record is new");
        assert_eq!(outcome.damaged, 0);

        // The next plan of the same files resolves nothing, and writes the same bytes.
        let (again, unchanged, rewritten) = rebuild(&after, written.clone());
        assert_eq!(again, reused);
        assert_eq!((unchanged.resolved, unchanged.reused), (0, after.len()));
        assert!(!unchanged.changed);
        assert!(rewritten == written);
    }

    /// When the build's own records were resolved against other declarations, those of
    /// the other graph's (the head graph of the plan before, for this plan's base graph)
    /// are read if they were resolved against the same: every file is reused, and the
    /// own file is rewritten with them.
    #[test]
    fn the_alternate_records_serve_when_the_own_are_of_other_declarations() {
        let own = first_build(&org(None));
        let after = org_with_a_method_declared();
        let alternate = first_build(&after);
        let mut resolutions =
            InMemory::new(Some(leaked(&own)), Some(Vec::new())).or_from(Some(leaked(&alternate)));
        let graph = Graph::build_reusing(&after, Some(&mut resolutions), None);
        let (outcome, written) = resolutions.finish();
        assert_eq!(graph.dump(), Graph::build(&after).dump());
        assert_eq!((outcome.resolved, outcome.reused), (0, after.len()));
        assert!(outcome.changed, "the own file held other records");
        assert_eq!(outcome.damaged, 0);
        assert!(written.expect("written") == alternate);

        // Own records of this build's declarations come first.
        let mut resolutions =
            InMemory::new(Some(leaked(&alternate)), Some(Vec::new())).or_from(Some(leaked(&own)));
        Graph::build_reusing(&after, Some(&mut resolutions), None);
        let (outcome, _) = resolutions.finish();
        assert_eq!((outcome.resolved, outcome.reused), (0, after.len()));
        assert!(!outcome.changed);
    }

    /// A method declared in `C0000`: only `C0000` is resolved again (no other file looked
    /// the new method up; the file that calls `C0000.go` finds it where it was), and
    /// the nodes the declaration moved are found by file and position.
    #[test]
    fn a_changed_declaration_resolves_again_the_files_that_looked_it_up() {
        let bytes = first_build(&org(None));
        let after = org_with_a_method_declared();
        let (rebuilt, outcome, _) = rebuild(&after, bytes);
        assert_eq!(rebuilt, Graph::build(&after).dump());
        assert_eq!((outcome.resolved, outcome.reused), (1, after.len() - 1));
        assert!(outcome.changed);
        assert_eq!(outcome.damaged, 0);
    }

    /// The build reads a batch's records while it adds the batch before, and resolves
    /// the files no record serves once that batch is added: edits and a damaged record
    /// in the later batches give the graph built anew, as in the first.
    #[test]
    fn records_read_ahead_and_files_resolved_in_later_batches_give_the_graph_built_anew() {
        let before = org(None);
        let intact = first_build(&before);
        let batch = super::super::build::RESOLVE_BATCH;
        // In path order `Base` comes first, then `C0000`…: `C0300` and `C0400` are in the
        // second batch, `C0515` in the third.
        let mut after = before.clone();
        for name in ["C0300", "C0515"] {
            let index = after
                .iter()
                .position(|file| file.path.ends_with(&format!("{name}.cls")))
                .expect("the class");
            after[index] = apex(
                name,
                &format!(
                    "public class {name} {{ public Base pick() {{ return new Sub(); }}\n \
                     public void go() {{ C0001 other = new C0001(); other.go(); insert new Account(); }} }}"
                ),
            );
        }
        let (framed, _) = frame_records(&intact);
        let damaged = framed
            .iter()
            .position(|record| {
                postcard::take_from_bytes::<&str>(record.payload)
                    .is_ok_and(|(key, _)| key.ends_with("C0400.cls"))
            })
            .expect("C0400's record");
        assert!(
            damaged > batch && damaged <= 2 * batch,
            "in the second batch"
        );
        let start = framed[damaged].record.as_ptr() as usize - intact.as_ptr() as usize;
        let mut bytes = intact.clone();
        bytes[start + crate::cache::RECORD_HEADER] ^= 0x01;

        let (rebuilt, outcome, _) = rebuild(&after, bytes);
        assert_eq!(rebuilt, Graph::build(&after).dump());
        assert_eq!(
            (outcome.resolved, outcome.reused, outcome.damaged),
            (3, after.len() - 3, 1)
        );
    }

    #[test]
    fn a_damaged_or_unfitting_record_is_resolved_again() {
        let files = org(None);
        let intact = first_build(&files);
        let built = Graph::build(&files).dump();
        let (framed, _) = frame_records(&intact);
        assert_eq!(
            framed.len(),
            files.len() + 2,
            "a header, a table and a record per file"
        );

        // A byte of the last record's payload flipped: its checksum fails. The file is
        // written again as it was.
        let mut flipped = intact.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x01;
        let (rebuilt, outcome, written) = rebuild(&files, flipped);
        assert_eq!(rebuilt, built);
        assert_eq!((outcome.reused, outcome.damaged), (files.len() - 1, 1));
        assert!(outcome.changed, "a damaged file is rewritten");
        assert!(written == intact);

        // In place of `C0002`'s record (the fourth by path, after the header and the
        // table), one with a valid checksum naming a node past its file's declarations,
        // one naming a file past the record's list of files, one whose resolution counts more targets
        // than the record lists, one that lists a target no resolution counts, and one
        // that counts fewer uses than the file has: each resolved again.
        let file = &files[4];
        assert!(file.path.ends_with("C0002.cls"));
        let key = FactsCache::key(&file.blob, &file.path);
        let n_uses = file.facts.use_count();
        let files_named = vec![path_hash(&files[0].path)];
        let one_resolution =
            |n_targets: u32, targets: Vec<(StoredFound<'static>, Reached)>| Stored {
                key: &key,
                targets,
                files: files_named.clone(),
                reads: &[],
                resolutions: vec![StoredResolution {
                    targets: n_targets,
                    receiver: None,
                    fell_back: false,
                }],
                holders: vec![(None, n_uses as u32)],
                shapes: vec![((EdgeKind::Calls, DmlEvents::ALL, false), n_uses as u32)],
                uses: vec![(0, 1); n_uses],
                use_count: n_uses as u32,
                registrations: Vec::new(),
            };
        let declared = (StoredFound::Node(0, 0), Reached::Direct);
        let unfitting = [
            one_resolution(1, vec![(StoredFound::Node(0, 1_000_000), Reached::Direct)]),
            one_resolution(1, vec![(StoredFound::Node(1, 0), Reached::Direct)]),
            one_resolution(2, vec![declared.clone()]),
            one_resolution(1, vec![declared.clone(), declared.clone()]),
            Stored {
                key: &key,
                targets: Vec::new(),
                files: Vec::new(),
                reads: &[],
                resolutions: Vec::new(),
                holders: Vec::new(),
                shapes: Vec::new(),
                uses: Vec::new(),
                use_count: n_uses as u32 - 1,
                registrations: Vec::new(),
            },
        ];
        let fourth = framed[5].record;
        let at = fourth.as_ptr() as usize - intact.as_ptr() as usize;
        for stored in unfitting {
            let mut bytes = intact[..at].to_vec();
            bytes.extend(encode_record(&stored).expect("encode"));
            bytes.extend(&intact[at + fourth.len()..]);
            let (rebuilt, outcome, written) = rebuild(&files, bytes);
            assert_eq!(rebuilt, built);
            assert_eq!((outcome.reused, outcome.damaged), (files.len() - 1, 1));
            assert!(written == intact);
        }

        // Another version's records are not read, and not damaged.
        let mut other = encode_record(&Header {
            version: RESOLUTIONS_VERSION + 1,
            digest: 0,
        })
        .expect("encode");
        other.extend(&intact[framed[0].record.len()..]);
        let (rebuilt, outcome, written) = rebuild(&files, other);
        assert_eq!(rebuilt, built);
        assert_eq!((outcome.reused, outcome.damaged), (0, 0));
        assert!(written == intact);

        // Cut inside a record: what comes before it is read.
        let cut = intact[..at + 5].to_vec();
        let (rebuilt, outcome, written) = rebuild(&files, cut);
        assert_eq!(rebuilt, built);
        assert_eq!((outcome.reused, outcome.damaged), (3, 1));
        assert!(written == intact);

        // A length past any record, and one past the end of the source: what comes
        // before is read.
        for length in [u32::MAX, (intact.len() - at) as u32] {
            let mut bytes = intact[..at].to_vec();
            bytes.extend(length.to_le_bytes());
            bytes.extend(&intact[at + 4..]);
            let (rebuilt, outcome, written) = rebuild(&files, bytes);
            assert_eq!(rebuilt, built);
            assert_eq!((outcome.reused, outcome.damaged), (3, 1));
            assert!(written == intact);
        }
    }

    /// Whether `from` (`Class.member`) has an edge to `to` in the graph of `files`.
    /// `n` empty classes, `Other00` on: files a change leaves alone, whose records a
    /// build reuses.
    fn empty_classes(n: usize) -> Vec<FileFacts> {
        (0..n)
            .map(|i| {
                apex(
                    &format!("Other{i:02}"),
                    &format!("public class Other{i:02} {{ }}"),
                )
            })
            .collect()
    }

    fn reaches(files: &[FileFacts], from: (&str, &str), to: (&str, &str)) -> bool {
        let graph = Graph::build(files);
        let (Some(from), Some(to)) = (
            graph.node(&ComponentId::member(from.0, from.1)),
            graph.node(&ComponentId::member(to.0, to.1)),
        ) else {
            return false;
        };
        let reached = graph.outgoing(from).any(|link| link.to == to);
        reached
    }

    /// Records written through a custom relationship are of the object a lookup field
    /// names: a parent through the record's own lookup (`update c.Parent__r`), children
    /// through a lookup to the record's object by its relationship name (`update
    /// a.Plans__r`). When the field comes to name another object or relationship, the
    /// file that writes is resolved again, and the graph is the graph built anew.
    #[test]
    fn a_lookup_that_changes_what_it_names_resolves_its_writers_again() {
        let revision = |field: &str, name: &str, text: &str| -> Vec<FileFacts> {
            let mut files = empty_classes(40);
            files.push(apex(
                "Stamper",
                "public class Stamper { public void stamp(Child__c c, Account a) { \
                 update c.Parent__r; update a.Plans__r; } }",
            ));
            // Names the objects written in every revision, so that no change of what the
            // revision names is what resolves `Stamper` again.
            files.push(apex(
                "Maker",
                "public class Maker { public void make() { \
                 insert new Gadget__c(); insert new Widget__c(); insert new Plan__c(); } }",
            ));
            let (object, field_name) = field.split_once('.').expect("Object.Field");
            files.push(crate::parse::file_at(
                "CustomField",
                field,
                &format!("force-app/main/default/objects/{object}/fields/{field_name}.field-meta.xml"),
                &format!("<CustomField><fullName>{name}</fullName>{text}<type>Lookup</type></CustomField>"),
            ));
            files
        };
        let written = |files: &[FileFacts]| {
            Graph::build(files).written_by(&ComponentId::member("Stamper", "stamp"))
        };
        let parent = |object: &str| {
            revision(
                "Child__c.Parent__c",
                "Parent__c",
                &format!("<referenceTo>{object}</referenceTo>"),
            )
        };
        let children = |relationship: &str| {
            revision(
                "Plan__c.Account__c",
                "Account__c",
                &format!("<referenceTo>Account</referenceTo><relationshipName>{relationship}</relationshipName>"),
            )
        };
        // Each pair: a revision, the next one, and what `stamp` writes in each.
        let pairs: [(_, _, &[&str], &[&str]); 2] = [
            (
                parent("Gadget__c"),
                parent("Widget__c"),
                &["*", "Gadget__c"],
                &["*", "Widget__c"],
            ),
            (
                children("Schemes"),
                children("Plans"),
                &["*"],
                &["*", "Plan__c"],
            ),
        ];
        for (before, after, writes_before, writes_after) in pairs {
            assert_eq!(written(&before), writes_before);
            assert_eq!(written(&after), writes_after);
            let (rebuilt, outcome, _) = rebuild(&after, first_build(&before));
            assert_eq!(rebuilt, Graph::build(&after).dump());
            assert_eq!((outcome.resolved, outcome.reused), (2, 41));
        }
    }

    /// A static DML wrapper hands its records to a helper of another class before
    /// saving them: while the helper only reads them, the wrapper's caller writes what it
    /// passes; once the helper puts records in, the wrapper writes every object and the
    /// caller nothing through it. The caller's and the wrapper's files do not change:
    /// their records are resolved again, for they read the wrapper's parameter, which
    /// read the helper ([`super::parameters`]).
    #[test]
    fn a_helper_that_changes_what_a_wrapper_saves_resolves_the_wrappers_callers_again() {
        let revision = |helper: &str| -> Vec<FileFacts> {
            let mut files = empty_classes(40);
            files.push(apex(
                "Caller",
                "public class Caller { public void run() { \
                 Saver.save(new List<Account>{ new Account() }); } }",
            ));
            files.push(apex(
                "Checks",
                &format!("public class Checks {{ public static void check(List<SObject> rows) {{ {helper} }} }}"),
            ));
            files.push(apex(
                "Saver",
                "public class Saver { public static void save(List<SObject> rows) { \
                 Checks.check(rows); insert rows; } }",
            ));
            files
        };
        let reading = revision("System.debug(rows.size());");
        let padding = revision("rows.add(new Contact());");
        let written = |files: &[FileFacts], class: &str| {
            let method = if class == "Caller" { "run" } else { "save" };
            Graph::build(files).written_by(&ComponentId::member(class, method))
        };
        assert_eq!(written(&reading, "Caller"), ["Account"]);
        assert!(written(&reading, "Saver").is_empty());
        assert!(written(&padding, "Caller").is_empty());
        assert_eq!(written(&padding, "Saver"), ["*"]);
        for (before, after) in [(&reading, &padding), (&padding, &reading)] {
            let (rebuilt, outcome, _) = rebuild(after, first_build(before));
            assert_eq!(rebuilt, Graph::build(after).dump());
            assert_eq!((outcome.resolved, outcome.reused), (3, 40));
        }
    }

    /// Declarations that change what unchanged files resolve to, each built reusing the
    /// records the build before wrote: every graph is the graph built anew, and the
    /// edge each change makes or takes away is there or not.
    #[test]
    fn declarations_that_change_what_others_resolve_to_resolve_those_others_again() {
        // Many files that change nothing, so that most records are reused.
        let bystanders = (0..40).map(|i| {
            apex(
                &format!("Other{i:02}"),
                &format!(
                    "public class Other{i:02} {{ public void idle() {{ Integer n = {i}; }} }}"
                ),
            )
        });
        let base = |extra: Vec<FileFacts>| -> Vec<FileFacts> {
            let mut files = vec![
                apex(
                    "Root",
                    "public virtual class Root { public virtual void go() {} public void inherited() {} }",
                ),
                apex("Leaf", "public class Leaf extends Mid { public override void go() {} }"),
                apex(
                    "Factory",
                    "public class Factory { public static Widget make() { return null; } }",
                ),
                apex(
                    "Caller",
                    "public class Caller { public void call(Root r) { r.go(); Factory.make().spin(); Helper.assist(); } \
                     public void test() {} }",
                ),
                apex("Helper", "public class Helper { public static void assist() {} }"),
                // Calls through a class whose superclass a later revision declares.
                apex(
                    "Inheritor",
                    "public class Inheritor { public void call() { new Leaf().inherited(); } }",
                ),
                // Writes an object the last revision no longer declares.
                apex(
                    "Maker",
                    "public class Maker { public void make() { insert new Gadget__c(); } }",
                ),
            ];
            files.extend(bystanders.clone());
            files.extend(extra);
            files
        };
        let widget = || apex("Widget", "public class Widget { public void spin() {} }");
        let gadget = || {
            let path = "force-app/main/default/objects/Gadget__c/Gadget__c.object-meta.xml";
            let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                <CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
                <label>Gadget</label></CustomObject>\n";
            let component = ComponentId::new("CustomObject", "Gadget__c");
            FileFacts {
                path: path.to_string(),
                blob: "gadget".to_string(),
                facts: crate::parse::parse_file(&component, path, text.as_bytes()),
                component,
            }
        };
        // Whether the object `Maker` writes is declared (its node has a file).
        fn gadget_declared(files: &[FileFacts]) -> bool {
            let graph = Graph::build(files);
            graph
                .node(&ComponentId::new("CustomObject", "Gadget__c"))
                .is_some_and(|node| graph[node].has_file())
        }
        let mid = |parent: &str| {
            apex(
                "Mid",
                &format!("public virtual class Mid extends {parent} {{ }}"),
            )
        };
        /// A revision, and what holds of its graph and not of the one before.
        type Revision = (&'static str, Vec<FileFacts>, fn(&[FileFacts]) -> bool);
        let revisions: Vec<Revision> = vec![
            ("the first", base(vec![gadget()]), |_| true),
            (
                "a class a return type names is declared",
                base(vec![gadget(), widget()]),
                |files| reaches(files, ("Caller", "call"), ("Widget", "spin")),
            ),
            (
                "a class declared between a class and the superclass it names",
                base(vec![gadget(), widget(), mid("Root")]),
                |files| {
                    reaches(files, ("Caller", "call"), ("Leaf", "go"))
                        && reaches(files, ("Inheritor", "call"), ("Root", "inherited"))
                },
            ),
            (
                "that class extends another",
                base(vec![gadget(), widget(), mid("Object2")]),
                |files| {
                    !reaches(files, ("Caller", "call"), ("Leaf", "go"))
                        && !reaches(files, ("Inheritor", "call"), ("Root", "inherited"))
                },
            ),
            (
                "a method others call is removed",
                {
                    let mut files = base(vec![gadget(), widget(), mid("Root")]);
                    files[4] = apex("Helper", "public class Helper { }");
                    files
                },
                |files| !reaches(files, ("Caller", "call"), ("Helper", "assist")),
            ),
            (
                "an object a class writes is no longer declared",
                {
                    let mut files = base(vec![widget(), mid("Root")]);
                    files[4] = apex("Helper", "public class Helper { }");
                    files
                },
                |files| !gadget_declared(files),
            ),
        ];
        let mut bytes = first_build(&revisions[0].1);
        for window in revisions.windows(2) {
            let ((_, before, _), (what, after, holds)) = (&window[0], &window[1]);
            assert!(
                holds(after) && !holds(before),
                "{what}: the change shows in the graph"
            );
            let (rebuilt, outcome, written) = rebuild(after, bytes);
            assert_eq!(rebuilt, Graph::build(after).dump(), "{what}");
            assert_eq!(outcome.damaged, 0, "{what}");
            assert!(outcome.reused >= 40, "{what}: the bystanders are reused");
            assert!(
                outcome.resolved >= 1,
                "{what}: the caller is resolved again"
            );
            bytes = written;
        }
    }

    /// A label a class reads, in a file of labels: when a label before it goes, the
    /// class's record finds it at its new place (the class looked nothing up that the
    /// change declares) and is written again with it, so that the next build, whose
    /// table has the new places, finds it too; when it goes itself, the record is
    /// resolved again.
    #[test]
    fn a_declaration_that_moves_in_its_file_is_found_where_it_went() {
        let labels = |names: &[&str]| {
            let path = "force-app/main/default/labels/CustomLabels.labels-meta.xml";
            let mut text = String::from(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                 <CustomLabels xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n",
            );
            for name in names {
                text.push_str(&format!(
                    "<labels><fullName>{name}</fullName><language>en_US</language>\
                     <protected>false</protected><shortDescription>{name}</shortDescription>\
                     <value>{name}</value></labels>\n"
                ));
            }
            text.push_str("</CustomLabels>\n");
            let component = ComponentId::new("CustomLabels", "CustomLabels");
            FileFacts {
                path: path.to_string(),
                blob: names.join(","),
                facts: crate::parse::parse_file(&component, path, text.as_bytes()),
                component,
            }
        };
        let revision = |names: &[&str]| {
            let mut files = vec![
                labels(names),
                apex(
                    "Greeter",
                    "public class Greeter { public String greet() { return Label.Greeting; } }",
                ),
            ];
            files.extend((0..20).map(|i| {
                apex(
                    &format!("Other{i:02}"),
                    &format!("public class Other{i:02} {{ public void idle() {{ }} }}"),
                )
            }));
            files
        };
        let greeting_declared = |files: &[FileFacts]| {
            let graph = Graph::build(files);
            graph
                .node(&ComponentId::new("CustomLabel", "Greeting"))
                .is_some_and(|node| graph[node].has_file())
        };
        let first = revision(&["Aaa", "Greeting", "Ccc"]);
        let moved = revision(&["Greeting", "Ccc"]);
        // At `Greeting`'s first place is now `Ccc`.
        let grown = revision(&["Greeting", "Ccc", "Ddd"]);
        let gone = revision(&["Aaa", "Ccc"]);
        assert!(greeting_declared(&first) && greeting_declared(&moved));
        assert!(greeting_declared(&grown) && !greeting_declared(&gone));
        let mut bytes = first_build(&first);
        let steps = [
            ("moved", &moved, 1),
            ("grown", &grown, 1),
            ("gone", &gone, 2),
        ];
        for (what, files, resolved) in steps {
            let (rebuilt, outcome, written) = rebuild(files, bytes);
            assert_eq!(rebuilt, Graph::build(files).dump(), "{what}");
            assert_eq!(outcome.damaged, 0, "{what}");
            assert_eq!(
                outcome.resolved, resolved,
                "{what}: the labels and who read them"
            );
            bytes = written;
        }
    }

    /// A first build (no kept file) lists no declarations; the next one, of the same
    /// declarations, lists them and puts its file in place; one of other declarations
    /// then reuses what its change does not touch.
    #[test]
    fn a_first_build_lists_no_declarations_and_the_next_lists_them() {
        let files = org(None);
        let mut resolutions = InMemory::new(None, Some(Vec::new()));
        Graph::build_reusing(&files, Some(&mut resolutions), None);
        let unlisted = resolutions.finish().1.expect("written");
        let listed = first_build(&files);
        assert!(
            unlisted.len() < listed.len(),
            "the first build lists nothing"
        );

        let (rebuilt, outcome, written) = rebuild(&files, unlisted);
        assert_eq!(rebuilt, Graph::build(&files).dump());
        assert_eq!((outcome.resolved, outcome.reused), (0, files.len()));
        assert!(outcome.changed, "written again with the table");
        assert!(written == listed);

        let after = org_with_a_method_declared();
        let (rebuilt, outcome, _) = rebuild(&after, written);
        assert_eq!(rebuilt, Graph::build(&after).dump());
        assert_eq!((outcome.resolved, outcome.reused), (1, after.len() - 1));
    }

    #[test]
    fn a_name_another_file_starts_naming_resolves_every_file_again() {
        // `Holder` names the type `Contact`, which is the object only when the revision
        // names the object: here, when `Writer` starts writing it.
        let files = |writes: &str| {
            vec![
                apex("Holder", "public class Holder { public Contact held; }"),
                apex(
                    "Writer",
                    &format!("public class Writer {{ public void save() {{ {writes} }} }}"),
                ),
            ]
        };
        let (before, after) = (
            files("update new Account();"),
            files("insert new Contact();"),
        );
        let holds_contact = |files: &[FileFacts]| {
            Graph::build(files)
                .dump()
                .iter()
                .any(|line| line.contains("References") && line.contains("Holder.cls"))
        };
        assert!(!holds_contact(&before) && holds_contact(&after));
        let (rebuilt, outcome, _) = rebuild(&after, first_build(&before));
        assert_eq!(rebuilt, Graph::build(&after).dump());
        assert_eq!(outcome.reused, 0);
    }
}
