//! Resolutions kept between builds, so that a plan resolves again only the files that
//! changed (most of a warm plan's graph).
//!
//! Resolving a file's uses ([`Graph::resolve_uses`]) reads the file's uses and the graph
//! of declarations: the nodes, the class hierarchy, and the names the revision's uses
//! name (see [`Graph::known`]). So when a build's declarations are those an earlier
//! build resolved against, a file with the same blob and path resolves as it did then.
//! [`Resolutions`] keeps each file's resolutions as the last build left them, under a
//! digest of the declarations they were resolved against ([`declarations_digest`]); a
//! build whose digest differs resolves every file again and keeps the new ones.
//!
//! The digest covers the files in order (path, component, declarations) and the names
//! the revision's uses name. A declaration enters it whole but for its lines and its
//! body hash: an edit inside a method moves the lines below it and changes its hash, and
//! resolution reads neither. The digest also covers this version of `impact` and
//! [`RESOLUTIONS_VERSION`], so another resolver never reads these records.
//!
//! A node among the declarations is kept by its position: two builds of one digest
//! declare the same nodes in the same order. A node a use interned is kept by its id
//! and interned again when the use is added, as a fresh resolution's would be.
//!
//! No file system here: records are read from a `Read` and written to a `Write` that the
//! pipeline opens in the facts cache's directory, one for the head graph and one for the
//! base graph (`cache::open_resolutions`; `cache::close_resolutions` puts the new file in
//! place when it differs). Records are framed and checked like the facts cache's
//! ([`crate::cache::frame_records`]); one that is damaged, or that does not fit the
//! file's uses, is resolved again.

use super::build::{ResolvedUse, ResolvedUses, UseEdge};
use super::resolve::{Found, Reached, Resolution, Targets};
use super::{Graph, NodeIx};
use crate::cache::{
    encode_record, intact_payload, read_record, FactsCache, ReadRecord, RECORD_HEADER,
};
use crate::facts::{Declaration, DmlEvents, EdgeKind, FileFacts};
use crate::metadata::component::ComponentId;
use petgraph::graph::NodeIndex;
use rayon::prelude::*;
use rustc_hash::FxHashSet as HashSet;
use serde::{Deserialize, Serialize};
use std::hash::{DefaultHasher, Hash, Hasher};

/// Bump when resolution changes what it returns for the same declarations and uses,
/// and when the records' layout changes: records of another version are never read.
/// (2: the targets of a record's resolutions in one list, [`Stored::targets`].)
pub const RESOLUTIONS_VERSION: u32 = 2;

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
    /// True when the build's digest is the one `source`'s records were resolved against.
    reusing: bool,
    outcome: Outcome,
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
    targets: Vec<(StoredFound<'a>, bool)>,
    resolutions: Vec<StoredResolution>,
    /// The nodes holding the uses, in runs: a holder and how many uses in a row it
    /// holds (a file's uses come grouped by holder: a few bytes per use were most of
    /// the file).
    holders: Vec<(Option<StoredFound<'a>>, u32)>,
    /// The kind, events and `this`-ness of the uses' edges, in runs likewise.
    shapes: Vec<((EdgeKind, DmlEvents, bool), u32)>,
    /// Per use, its resolution's position and how far its line is from the use
    /// before's (uses come nearly in line order: a byte each).
    uses: Vec<(u32, i32)>,
    #[serde(borrow)]
    registrations: Vec<Vec<&'a str>>,
}

#[derive(Serialize, Deserialize)]
struct StoredResolution {
    /// How many of [`Stored::targets`] are this resolution's.
    targets: u32,
    receiver: Option<u32>,
    fell_back: bool,
}

/// A [`Found`] as stored: a declared node by position, any other by its id's type and
/// full name.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
enum StoredFound<'a> {
    Node(u32),
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
            outcome: Outcome::default(),
        }
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

    /// Starts a build resolved against declarations of `digest`: reads the source's
    /// header (and the alternate's, when the source's is of another digest), and writes
    /// this build's.
    pub(super) fn begin(&mut self, digest: u64) {
        let own = self.source.take();
        self.source = own.and_then(|source| self.of_digest(source, digest, true));
        if self.source.is_none() {
            let alternate = self.alternate.take();
            self.source = alternate.and_then(|source| self.of_digest(source, digest, false));
            // What is reused differs from what the build's own source held.
            self.outcome.changed = true;
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
    }

    /// `source`, its header read, when its records were resolved against declarations
    /// of `digest`. A damaged header of the build's `own` source is counted (the
    /// alternate's is its own build's to report).
    fn of_digest(&mut self, mut source: R, digest: u64, own: bool) -> Option<R> {
        let header = match read_record(&mut source) {
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
        };
        header
            .is_some_and(|header| header.version == RESOLUTIONS_VERSION && header.digest == digest)
            .then_some(source)
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

/// Why a file's resolutions were not read from a kept record ([`read_kept`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NotKept {
    /// The earlier build kept none for this path and blob.
    NoRecord,
    /// It kept one that does not fit the file's uses: counted as damaged.
    Unfitting,
}

/// The resolutions of `file`'s uses read from its kept `record`, when it has one that
/// fits. Reading one needs no graph but how many of its nodes are declarations
/// (`n_declared`), so the build reads a batch's records while it adds the batch before.
/// Otherwise the file must be resolved ([`resolve_fresh`]).
pub(super) fn read_kept(
    file: &FileFacts,
    record: Option<IntactRecord>,
    n_declared: usize,
) -> Result<FileResolutions, NotKept> {
    let Some(record) = record else {
        return Err(NotKept::NoRecord);
    };
    match read_stored(record.payload(), file, n_declared) {
        Some(resolved) => Ok(FileResolutions {
            resolved,
            kept: Some(Kept::Loaded(record)),
            damaged: false,
        }),
        None => Err(NotKept::Unfitting),
    }
}

/// The resolutions of `file`'s uses, resolved against `graph` (and encoded, when
/// `keeping`), after [`read_kept`] found none (`not_kept`). `None` when the uses did not
/// decode (`Facts::uses`).
pub(super) fn resolve_fresh(
    graph: &Graph,
    file: &FileFacts,
    keeping: bool,
    not_kept: NotKept,
) -> Option<FileResolutions> {
    let resolved = graph.resolve_uses(file, &file.facts.uses()?);
    let kept = keeping
        .then(|| encode_stored(graph, &FactsCache::key(&file.blob, &file.path), &resolved))
        .flatten()
        .map(Kept::Fresh);
    Some(FileResolutions {
        resolved,
        kept,
        damaged: not_kept == NotKept::Unfitting,
    })
}

/// Reads a stored record into the resolutions of `file`'s uses; `None` when it is not
/// that file's (its key is not the file's blob and path, [`FactsCache::key`]), or does
/// not fit (a position past the `n_declared` declarations or past the resolutions, a
/// count of uses that differs).
fn read_stored(payload: &[u8], file: &FileFacts, n_declared: usize) -> Option<ResolvedUses> {
    let stored: Stored = postcard::from_bytes(payload).ok()?;
    // Compared half by half: building the file's key was an allocation per file.
    let for_file =
        FactsCache::split_key(stored.key) == Some((file.blob.as_str(), file.path.as_str()));
    let n_uses = file.facts.use_count();
    if !for_file || stored.uses.len() != n_uses {
        return None;
    }
    let node = |position: u32| {
        ((position as usize) < n_declared).then(|| NodeIx::new(NodeIndex::new(position as usize)))
    };
    let found = |stored: &StoredFound| match *stored {
        StoredFound::Node(position) => node(position).map(Found::Node),
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
            let (target, overrides) = all_targets.next()?;
            let reached = if *overrides {
                Reached::Override
            } else {
                Reached::Direct
            };
            targets.push((found(target)?, reached));
        }
        let receiver = match resolution.receiver {
            Some(position) => Some(node(position)?),
            None => None,
        };
        resolutions.push(Resolution {
            targets,
            receiver,
            fell_back: resolution.fell_back,
        });
    }
    if all_targets.next().is_some() {
        return None;
    }
    let mut holders = runs(&stored.holders);
    let mut shapes = runs(&stored.shapes);
    let mut uses = Vec::with_capacity(n_uses);
    let mut line: u32 = 0;
    for &(position, delta) in &stored.uses {
        let position = position as usize;
        if position >= resolutions.len() {
            return None;
        }
        let from = match holders.next()? {
            Some(holder) => Some(found(holder)?),
            None => None,
        };
        let &(kind, events, on_this) = shapes.next()?;
        line = line.checked_add_signed(delta)?;
        let edge = UseEdge {
            kind,
            line,
            events,
            on_this,
        };
        uses.push(ResolvedUse {
            from,
            resolution: position,
            edge,
        });
    }
    if holders.next().is_some() || shapes.next().is_some() {
        return None;
    }
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

/// Encodes a file's resolutions as a record; `None` when one names a node that is
/// neither declared nor has an id (never, as resolution goes), so nothing is kept.
fn encode_stored(graph: &Graph, key: &str, resolved: &ResolvedUses) -> Option<Vec<u8>> {
    fn store<'a>(graph: &'a Graph, found: &'a Found) -> StoredFound<'a> {
        match found {
            Found::Node(node) if node.ix() < graph.n_declared => {
                StoredFound::Node(node.ix() as u32)
            }
            // Interned by an earlier batch's uses: kept by its id, as fresh resolution
            // names it in a batch before.
            Found::Node(node) => {
                let id = &graph[*node].id;
                StoredFound::Named(id.type_name(), id.full_name())
            }
            Found::Named(id) => StoredFound::Named(id.type_name(), id.full_name()),
        }
    }
    let declared = |node: NodeIx| (node.ix() < graph.n_declared).then_some(node.ix() as u32);
    let ResolvedUses {
        resolutions,
        uses,
        registrations,
    } = resolved;
    let mut stored = Stored {
        key,
        targets: Vec::with_capacity(resolutions.len()),
        resolutions: Vec::with_capacity(resolutions.len()),
        holders: Vec::new(),
        shapes: Vec::new(),
        uses: Vec::with_capacity(uses.len()),
        registrations: registrations
            .iter()
            .map(|values| values.iter().map(String::as_str).collect())
            .collect(),
    };
    for resolution in resolutions {
        let receiver = match resolution.receiver {
            Some(node) => Some(declared(node)?),
            None => None,
        };
        stored.targets.extend(
            resolution
                .targets
                .iter()
                .map(|(found, reached)| (store(graph, found), *reached == Reached::Override)),
        );
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
        push_run(
            &mut stored.holders,
            from.as_ref().map(|from| store(graph, from)),
        );
        push_run(&mut stored.shapes, (edge.kind, edge.events, edge.on_this));
    }
    encode_record(&stored)
}

/// Adds `value` to a list of runs (a value and how many times in a row it comes).
fn push_run<T: PartialEq>(runs: &mut Vec<(T, u32)>, value: T) {
    match runs.last_mut() {
        Some((last, count)) if *last == value => *count += 1,
        _ => runs.push((value, 1)),
    }
}

/// The values of a list of runs, one by one.
fn runs<T>(runs: &[(T, u32)]) -> impl Iterator<Item = &T> {
    runs.iter()
        .flat_map(|(value, count)| std::iter::repeat_n(value, *count as usize))
}

/// The digest of what resolution reads of a revision's files: each file's path,
/// component and declarations (but for their lines and body hashes), in order
/// ([`file_digests`]), and the names the revision's uses name (`named`, by key).
pub(super) fn declarations_digest(per_file: &[u64], named: &HashSet<ComponentId>) -> u64 {
    let mut named: Vec<&str> = named.iter().map(ComponentId::key).collect();
    named.par_sort_unstable();
    let mut hasher = DefaultHasher::new();
    RESOLUTIONS_VERSION.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
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

/// Hashes every field of a declaration but `lines` and `body_hash`. Destructured, so a
/// new field does not compile until it is hashed or left out here.
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
        automates,
        fires_on,
        test,
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
    automates.hash(hasher);
    fires_on.hash(hasher);
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
        let graph = Graph::build_reusing(files, Some(&mut resolutions));
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

    fn first_build(files: &[FileFacts]) -> Vec<u8> {
        let mut resolutions = InMemory::new(None, Some(Vec::new()));
        let graph = Graph::build_reusing(files, Some(&mut resolutions));
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
        let graph = Graph::build_reusing(&after, Some(&mut resolutions));
        let (outcome, written) = resolutions.finish();
        assert_eq!(graph.dump(), Graph::build(&after).dump());
        assert_eq!((outcome.resolved, outcome.reused), (0, after.len()));
        assert!(outcome.changed, "the own file held other records");
        assert_eq!(outcome.damaged, 0);
        assert!(written.expect("written") == alternate);

        // Own records of this build's declarations come first.
        let mut resolutions =
            InMemory::new(Some(leaked(&alternate)), Some(Vec::new())).or_from(Some(leaked(&own)));
        Graph::build_reusing(&after, Some(&mut resolutions));
        let (outcome, _) = resolutions.finish();
        assert_eq!((outcome.resolved, outcome.reused), (0, after.len()));
        assert!(!outcome.changed);
    }

    #[test]
    fn a_changed_declaration_resolves_every_file_again() {
        let bytes = first_build(&org(None));
        let after = org_with_a_method_declared();
        let (rebuilt, outcome, _) = rebuild(&after, bytes);
        assert_eq!(rebuilt, Graph::build(&after).dump());
        assert_eq!((outcome.resolved, outcome.reused), (after.len(), 0));
        assert!(outcome.changed);
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
            files.len() + 1,
            "a header and a record per file"
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

        // In place of `C0002`'s record (the fourth by path), one with a valid checksum
        // naming a node past the declarations, one whose resolution counts more targets
        // than the record lists, one that lists a target no resolution counts, and one
        // whose uses are fewer than the file's: each resolved again.
        let file = &files[4];
        assert!(file.path.ends_with("C0002.cls"));
        let key = FactsCache::key(&file.blob, &file.path);
        let n_uses = file.facts.use_count();
        let one_resolution = |n_targets: u32, targets: Vec<(StoredFound<'static>, bool)>| Stored {
            key: &key,
            targets,
            resolutions: vec![StoredResolution {
                targets: n_targets,
                receiver: None,
                fell_back: false,
            }],
            holders: vec![(None, n_uses as u32)],
            shapes: vec![((EdgeKind::Calls, DmlEvents::ALL, false), n_uses as u32)],
            uses: vec![(0, 1); n_uses],
            registrations: Vec::new(),
        };
        let declared = (StoredFound::Node(0), false);
        let unfitting = [
            one_resolution(1, vec![(StoredFound::Node(1_000_000), false)]),
            one_resolution(2, vec![declared.clone()]),
            one_resolution(1, vec![declared.clone(), declared.clone()]),
            Stored {
                key: &key,
                targets: Vec::new(),
                resolutions: Vec::new(),
                holders: Vec::new(),
                shapes: Vec::new(),
                uses: Vec::new(),
                registrations: Vec::new(),
            },
        ];
        let fourth = framed[4].record;
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
