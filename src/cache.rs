//! The facts cache: facts of each source file, keyed by git blob id and path, on disk
//! under `.impact/cache/`.
//!
//! Facts depend only on a file's path and content, and a blob id is a content hash, so
//! an entry never goes stale; a new parser version starts a new file. A run appends what
//! it parsed to a log; when the log has grown too long, the cache is rewritten whole with
//! only what that run read, so it stays the size of a revision or two. The cache is an
//! optimisation: a missing, unreadable or damaged cache file is never an error. What is
//! damaged is ignored with a warning (those files are parsed again) and the file is
//! rewritten; a cache that cannot be written is a warning too.
//!
//! Both cache files are sequences of records (see [`decode_records`]); each record
//! carries its own length and checksum, so a file cut short or corrupted anywhere loses
//! only the records it touches, and a corrupted record is never mistaken for facts.
//!
//! Problems with this local state are printed on stderr ([`crate::error::warn_local`]),
//! not put into the plan: a plan is the same with a cold, warm or damaged cache.

use crate::error::warn_local;
use crate::facts::Facts;
use crate::graph::Resolutions;
use crate::shared_bytes::SharedBytes;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bump when a parser changes what it returns: old caches are then ignored.
/// (8: records with a length and a checksum each; 9: decomposed workflows and sharing
/// rules; 10: DML through members of other classes, `Target::DmlOf`, and lists built
/// from typed records; 11: the Apex parser types `keySet()`, `iterator()`, `next()` and
/// `put()` through the shared `apex_type::method_type`; 12: whether a call is on `this`,
/// `Target::Member::on_this`; 13: a callout endpoint literal names its named credential;
/// 14: agents and topics list their parts, a flow's prompt action names its template and
/// any other action what it runs; 15: uses stored as one byte string, which loading
/// keeps encoded, `facts::Uses`; 16: a record's checksum is its CRC-32; 17: a record
/// stores its uses' count and the uses that name a component beside the encoded uses, so
/// reading it decodes no other use; 18: a declaration names a parent declared beside it
/// by position, `facts::StoredDeclarations`; 19: tree-sitter's 0.27 runtime, whose error
/// recovery may read code that does not parse otherwise than 0.25's did; 20: a file read
/// as bytes is hashed as its bytes, `parse::dispatch::opaque`, not as their lossy text;
/// 21: a Lightning web component's template hashes its text as it renders,
/// `parse::xml::read_template`; 22: a JavaScript file hashes its syntax tree, not its
/// tokens alone, `parse::lwc::JsFile::scan`; 23: Apex reads a field set by name from an
/// object's describe, and `SObjectType.X` is that describe as `Schema.SObjectType.X` is;
/// 24: a flow interview's type, `Flow.Interview.X`, names the flow X, and a custom
/// setting's or custom metadata type's own static methods return its records,
/// `apex_type::setting_method_type`; 25: a roll-up summary field makes its child object
/// write its parent, and a lookup's object and relationship name are declared,
/// `parse::objects::parse_field`; a flow types the records of Get Records elements,
/// loops and collection filters, writes a related record (`$Record.Account__r`) as the
/// graph types it, and other records of no object it tells as any object; a workflow
/// field update saves its record, or the parent its `targetObject` names, again; 26: a
/// field read through relationships (`Parent__r.Score__c` in a formula, a flow, a
/// Lightning import) is its whole path, which the graph follows, a subquery's object is
/// its relationship's path, `record.get('F__c')` reads the field, and a flow reads the
/// fields of its record variables, Get Records outputs and loops, `Get_Invoice.F__c`;
/// 27: a query written in a string, or built in a string variable, reads its object and
/// fields; 28: also one whose variable goes on through a method of it, `q =
/// q.removeEnd(', ') + ' FROM …'`, and whose field list ends in a comma before `FROM`;
/// 29: a unit of work's register calls, `uow.registerNew(invoices)`, write the records'
/// object; 30: a local string variable set to a literal is that literal in a query built
/// from it; 31: a method declared `override` says so, `Declaration::overrides`; 32: a
/// query built from a variable set to several literals is read with each; 33: DML on a
/// local list of untyped records the member fills writes the objects put in it; 34: so
/// does one whose elements are read, `rows[0].Id`, or set, `rows[0] = record`; 35: a
/// static method's followed records parameters, `Declaration::records_parameters`, and
/// the records a static call passes, `Target::DmlThrough`; 36: `Database.convertLead`
/// writes the lead and the account, contact and opportunity it becomes; 37: a flow a
/// platform event starts automates the event; 38: a subflow's output the flow passed in
/// is of that object; 39: each name of a field declaration that declares several is
/// hashed without the others and the commas between them, and overloads that return
/// different types return an unknown type; a bundle in a folder of bundles is its own
/// component, which its files' facts name; 40: a Jest test tests the bundle of the
/// innermost `lwc/<bundle>/__tests__` folder of its path, and one outside every bundle
/// imports each bundle it names; 41: a metadata file's text keeps the spaces beside it
/// on its line in its hash, and a method sharing its name with a field of a primitive
/// type gives the name its return type; 42: a Jest test imports the components its
/// relative imports and `require`s reach, and an element of a list the file cannot type,
/// `person.addresses[0]`, is what the list's `get` returns; 43: `Type.CONSTANT.name()`
/// is a string naming `CONSTANT`, a flow definition that says no active version leaves
/// its flow active, and returning a followed records parameter keeps it followed; 44: a
/// class literal, `X.class`, is a `type-ref`, a workflow alert uses its email template,
/// a rule switched off, `<active>false</active>`, automates nothing, and a unit of
/// work's register call on a mock's `verify` writes nothing; 45: DML on the records of
/// a `Security.stripInaccessible` decision writes the object of the records it was
/// given; 46: a record type's label is its other name, `Declaration::alias`; 47: a
/// before-save flow's update of `$Record` is no write, and a flow's transform is typed
/// by its `objectType`; 48: an `@InvocableMethod` is marked, `Declaration::invocable`;
/// 49: an email template's name is its other name, and a custom label's value may
/// name a component, `parse::multi::parse_labels`; 50: a flow's condition on a record
/// type's name or label names it; 51: so does a formula's comparison with one, or a
/// lookup filter's, `parse::formula::record_type_literals`; 52: a constructor's implicit
/// `super()`, and a name a class may inherit read on its own object; 53: an
/// initializer that calls the platform, `Declaration::initializer_calls`; 54: a
/// statement that begins with `Trigger.` is read, `parse::apex::repair`; 55: `Page.X`
/// names a Visualforce page; 56: `getRecordTypeInfos()` on an object's describe reads
/// its record types; 57: a branch no test runs, `if (!Test.isRunningTest())`, is not
/// read; 58: `Test.isRunningTest()` told from the tree, not a variable named `Test`.)
pub const FACTS_VERSION: u32 = 59;

/// Bytes before a record's payload: a little-endian `u32` length, then the payload's
/// CRC-32, little-endian. A CRC tells a damaged record from an intact one (the cache is
/// not a security boundary: anyone who can write it can write the repository too), and
/// `crc32fast` computes it many bytes at a time: FNV-1a, a byte at a time, was a tenth
/// of a warm 10,000-class plan's cache load.
pub const RECORD_HEADER: usize = 8;

/// One record of the facts cache: `(blob id:path key, facts)`.
pub type FactsRecord = (String, Facts);

/// What [`decode_records`] read from a cache file.
#[derive(Debug)]
pub struct Decoded<T> {
    /// The records whose checksum and content are intact, in file order.
    pub records: Vec<T>,
    /// Records skipped because their checksum or content was wrong.
    pub damaged: usize,
    /// True when the file ended inside a record (a process killed while writing, a
    /// truncated copy): what came before it is kept.
    pub torn: bool,
}

impl<T> Decoded<T> {
    /// True when anything in the file could not be used.
    pub fn is_damaged(&self) -> bool {
        self.damaged > 0 || self.torn
    }
}

/// Decodes the records of a cache file. Never fails and never panics: a record whose
/// checksum does not match, or whose payload is not exactly one `T`, is skipped and
/// counted; a record running past the end of the bytes ends the file.
///
/// A corrupted length makes the following records unreadable (their checksums fail),
/// never wrong: a record is used only when its checksum matches.
///
/// The records are framed in one pass, then checked and decoded on every core (a warm
/// plan's largest step before the graph); they keep their file order.
pub fn decode_records<T: DeserializeOwned + Send>(bytes: &[u8]) -> Decoded<T> {
    decode_with(bytes, |payload| {
        postcard::take_from_bytes::<T>(payload)
            .ok()
            .filter(|(_, unread)| unread.is_empty())
            .map(|(record, _)| record)
    })
}

/// [`decode_records`], each intact record's payload read by `read` (`None`: damaged).
fn decode_with<T: Send>(bytes: &[u8], read: impl Fn(&[u8]) -> Option<T> + Sync) -> Decoded<T> {
    let (framed, torn) = frame_records(bytes);
    let read: Vec<Option<T>> = framed
        .into_par_iter()
        .map(|record| record.is_intact().then(|| read(record.payload)).flatten())
        .collect();
    let damaged = read.iter().filter(|record| record.is_none()).count();
    Decoded {
        records: read.into_iter().flatten().collect(),
        damaged,
        torn,
    }
}

/// One record of a cache file, framed but not yet checked.
#[derive(Clone, Copy, Debug)]
pub struct Framed<'a> {
    /// The whole record: header and payload.
    pub record: &'a [u8],
    /// The payload alone.
    pub payload: &'a [u8],
    /// The checksum the header gives for the payload.
    pub checksum: u32,
}

impl Framed<'_> {
    /// Whether the payload's checksum is the one its header gives.
    pub fn is_intact(&self) -> bool {
        crc32fast::hash(self.payload) == self.checksum
    }
}

/// Splits a cache file into its records ([`decode_records`] reads them), checking
/// nothing but their lengths; true when the file ends inside a record.
pub fn frame_records(bytes: &[u8]) -> (Vec<Framed<'_>>, bool) {
    let mut framed = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let Some((record, after)) = frame_first(rest) else {
            return (framed, true);
        };
        framed.push(record);
        rest = after;
    }
    (framed, false)
}

/// The first record of `bytes`, and what follows it; `None` when `bytes` ends inside it.
fn frame_first(bytes: &[u8]) -> Option<(Framed<'_>, &[u8])> {
    let (header, after) = bytes.split_first_chunk::<RECORD_HEADER>()?;
    let length = record_length(header);
    let payload = after.get(..length)?;
    let [.., a, b, c, d] = *header;
    let framed = Framed {
        record: &bytes[..RECORD_HEADER + length],
        payload,
        checksum: u32::from_le_bytes([a, b, c, d]),
    };
    Some((framed, &after[length..]))
}

/// The payload length a record's header gives.
fn record_length(header: &[u8; RECORD_HEADER]) -> usize {
    let [a, b, c, d, ..] = *header;
    u32::from_le_bytes([a, b, c, d]) as usize
}

/// The payload of one whole record, when its checksum is the one its header gives.
pub fn intact_payload(record: &[u8]) -> Option<&[u8]> {
    match frame_first(record)? {
        (framed, []) if framed.is_intact() => Some(framed.payload),
        _ => None,
    }
}

/// A record read whole from a stream ([`read_record`]), or where the stream ends.
pub enum ReadRecord {
    /// The record's bytes, header and payload, not yet checked.
    Record(Vec<u8>),
    End,
    /// It ends inside a record, or a record's length is past [`LONGEST_RECORD`].
    Torn,
}

/// A record longer than this is taken for a damaged length: the rest of a stream is
/// not read.
const LONGEST_RECORD: usize = 1 << 26;

/// Reads the next record of a stream: its header, then as many bytes as the header says
/// (for files read as they are used, rather than whole: [`crate::graph::Resolutions`]).
pub fn read_record(source: &mut impl std::io::Read) -> ReadRecord {
    let mut header = [0u8; RECORD_HEADER];
    let mut read = 0;
    while read < RECORD_HEADER {
        match source.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return ReadRecord::Torn,
        }
    }
    match read {
        0 => return ReadRecord::End,
        RECORD_HEADER => {}
        _ => return ReadRecord::Torn,
    }
    let length = record_length(&header);
    if length > LONGEST_RECORD {
        return ReadRecord::Torn;
    }
    // Room for what a record usually holds: a damaged length must not allocate what
    // the source does not have.
    let mut record = Vec::with_capacity(RECORD_HEADER + length.min(1 << 16));
    record.extend_from_slice(&header);
    let mut payload = std::io::Read::take(source, length as u64);
    match std::io::Read::read_to_end(&mut payload, &mut record) {
        Ok(n) if n == length => ReadRecord::Record(record),
        _ => ReadRecord::Torn,
    }
}

/// Decodes a facts cache file (`facts-v<N>.bin` or its `.log`) into [`FactsRecord`]s,
/// framed and checked as [`decode_records`] does; the facts' encoded uses are slices of
/// one copy of `bytes` ([`FactsCache::load`] decodes the file's own bytes).
pub fn decode(bytes: &[u8]) -> Decoded<FactsRecord> {
    decode_shared(&SharedBytes::from(bytes.to_vec()))
}

/// Decodes a facts cache file as [`decode`] does, the facts keeping their encoded uses
/// in `bytes` ([`Facts::take_shared`]) rather than a copy of them.
fn decode_shared(bytes: &SharedBytes) -> Decoded<FactsRecord> {
    decode_with(bytes, |payload| {
        let (key, rest) = postcard::take_from_bytes::<String>(payload).ok()?;
        let (facts, unread) = Facts::take_shared(rest, bytes)?;
        unread.is_empty().then_some((key, facts))
    })
}

/// Encodes one record as [`decode_records`] reads it; `None` when the record does not
/// serialize or is over 4 GiB.
pub fn encode_record<T: Serialize + ?Sized>(record: &T) -> Option<Vec<u8>> {
    let payload = postcard::to_stdvec(record).ok()?;
    let length = u32::try_from(payload.len()).ok()?;
    let mut bytes = Vec::with_capacity(RECORD_HEADER + payload.len());
    bytes.extend_from_slice(&length.to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    Some(bytes)
}

/// How many records [`FactsCache::save`] encodes at once: enough for every core, few
/// enough to hold little beside the facts (a few megabytes of a 10,000-class org's).
const SAVE_BATCH: usize = 1024;

/// Facts by `(blob id, path)`.
#[derive(Debug, Default)]
pub struct FactsCache {
    file: Option<PathBuf>,
    /// Hashed by FxHash: a warm plan looks up every file of the revision (24,000 at
    /// 10,000 classes), each key a blob id and a path, after inserting each.
    entries: rustc_hash::FxHashMap<String, Facts>,
    dirty: bool,
    /// Keys parsed in this run (not found in the cache).
    fresh: std::collections::HashSet<String>,
    /// Records in the append log (see [`FactsCache::append_fresh`]).
    log_records: usize,
    /// True when a cache file was damaged: the next save rewrites it whole.
    damaged: bool,
}

impl FactsCache {
    /// A cache that is never read or written (`--no-cache`).
    pub fn disabled() -> FactsCache {
        FactsCache::default()
    }

    /// Loads the cache from `dir` (usually `<repo>/.impact/cache`): the main file, then
    /// the append log of later runs. Damaged records are skipped with a warning.
    pub fn load(dir: &Path) -> FactsCache {
        let file = dir.join(format!("facts-v{FACTS_VERSION}.bin"));
        let mut entries = rustc_hash::FxHashMap::default();
        let mut damaged = false;
        let mut log_records = 0;
        for (path, is_log) in [(file.clone(), false), (log_path(&file), true)] {
            // The facts read keep their encoded uses in the file's bytes
            // ([`SharedBytes`]). The log is appended to in place, so it is not mapped.
            let mapped = if is_log { None } else { map_file(&path) };
            let bytes = match &mapped {
                Some(map) => SharedBytes::new(Arc::clone(map)),
                None => match std::fs::read(&path) {
                    Ok(bytes) => SharedBytes::from(bytes),
                    Err(_) => continue,
                },
            };
            let decoded = decode_shared(&bytes);
            if let Some(map) = &mapped {
                release_pages(map);
            }
            if decoded.is_damaged() {
                damaged = true;
                warn_local(format_args!(
                    "the facts cache `{}` is damaged ({} unreadable record{}{}): the files \
                     it misses are parsed again and the cache is rewritten",
                    path.display(),
                    decoded.damaged,
                    if decoded.damaged == 1 { "" } else { "s" },
                    if decoded.torn {
                        ", and it ends inside a record"
                    } else {
                        ""
                    },
                ));
            }
            if is_log {
                log_records = decoded.records.len();
            }
            entries.extend(decoded.records);
        }
        FactsCache {
            file: Some(file),
            entries,
            dirty: damaged,
            fresh: Default::default(),
            log_records,
            damaged,
        }
    }

    /// Notes that `key` was parsed in this run.
    pub fn note_parsed(&mut self, key: String) {
        if self.file.is_some() {
            self.fresh.insert(key);
            self.dirty = true;
        }
    }

    /// True when appending this run's new facts to the log is better than rewriting the
    /// whole cache: a warm plan that parsed one file should not rewrite the facts of
    /// every file (that took longer than the rest of the plan). A damaged cache is
    /// always rewritten.
    pub fn can_append(&self) -> bool {
        let main_exists = self.file.as_ref().is_some_and(|file| file.exists());
        let limit = (self.entries.len() / 8).max(256);
        !self.damaged && main_exists && self.log_records + self.fresh.len() <= limit
    }

    /// Appends the facts of the files parsed in this run to the log. A write that fails
    /// part-way (a full disk) is undone, so the log never keeps half a record.
    pub fn append_fresh<'a>(&self, files: impl IntoIterator<Item = (String, &'a Facts)>) {
        let Some(file) = &self.file else { return };
        let mut bytes = Vec::new();
        for (key, facts) in files {
            if !self.fresh.contains(&key) {
                continue;
            }
            if let Some(record) = encode_record(&(&key, facts)) {
                bytes.extend_from_slice(&record);
            }
        }
        let log = log_path(file);
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut out| {
                let before = out.metadata()?.len();
                out.write_all(&bytes).inspect_err(|_| {
                    let _ = out.set_len(before);
                })
            });
        if let Err(error) = appended {
            warn_unwritable(&log, &error);
        }
    }

    /// False for `--no-cache`.
    pub fn is_enabled(&self) -> bool {
        self.file.is_some()
    }

    /// The cache key of a file version.
    pub fn key(blob: &str, path: &str) -> String {
        let mut key = String::new();
        FactsCache::write_key(&mut key, blob, path);
        key
    }

    /// Writes the cache key of a file version into `key`, replacing what it held: one
    /// buffer for the lookups of a whole revision.
    pub fn write_key(key: &mut String, blob: &str, path: &str) {
        key.clear();
        key.reserve(blob.len() + 1 + path.len());
        key.push_str(blob);
        key.push(':');
        key.push_str(path);
    }

    /// The blob id and path of a key ([`FactsCache::key`]).
    pub fn split_key(key: &str) -> Option<(&str, &str)> {
        key.split_once(':')
    }

    /// Takes cached facts out of the cache (no copy); give them back with
    /// [`FactsCache::insert`] before [`FactsCache::save`].
    pub fn take(&mut self, key: &str) -> Option<Facts> {
        self.entries.remove(key)
    }

    /// True when new facts were parsed since the cache was loaded, or the cache on disk
    /// was damaged and must be rewritten.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Stores facts for a key.
    pub fn insert(&mut self, key: String, facts: Facts) {
        if self.file.is_none() {
            return;
        }
        self.entries.insert(key, facts);
    }

    /// Writes the cache whole with the facts of `read`, the files this run read through
    /// it (lent out with [`FactsCache::take`] or parsed), if it changed. What it held and
    /// this run did not read, the facts of versions the revisions no longer have, is
    /// dropped: the cache stays the size of what plans read, rather than growing with
    /// every version of every file a plan ever parsed (in CI, where the cache is restored
    /// and saved on every run, it would grow with every pull request).
    pub fn save_read(&mut self, read: impl IntoIterator<Item = (String, Facts)>) {
        if !self.dirty {
            return;
        }
        // Leaked, not freed: the process is about to exit (see `source::Reader::finish`).
        std::mem::forget(std::mem::take(&mut self.entries));
        if self.file.is_none() {
            return;
        }
        // Written from a list, not put in the map first: a cold 10,000-class plan's
        // 24,000 facts moved into a table peaked at the cache's write.
        let mut list: Vec<(String, Facts)> = read.into_iter().collect();
        list.par_sort_by(|a, b| a.0.cmp(&b.0));
        // A file read at both revisions comes twice, with the same facts.
        list.dedup_by(|a, b| a.0 == b.0);
        self.write(list.iter().map(|(key, facts)| (key, facts)).collect());
        std::mem::forget(list);
    }

    /// Writes the cache back if it changed: to a temporary file, then renamed, so a
    /// reader never sees half a cache. A failure is a warning (the cache is optional).
    pub fn save(&self) {
        if !self.dirty {
            return;
        }
        let mut list: Vec<(&String, &Facts)> = self.entries.iter().collect();
        list.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
        self.write(list);
    }

    /// Writes `list`, sorted by key, as the whole cache.
    fn write(&self, list: Vec<(&String, &Facts)>) {
        let Some(file) = &self.file else { return };
        // Streamed a batch of records at a time, each batch encoded on every core and
        // written in order: encoding the whole cache into one buffer first raised a cold
        // plan's peak memory by the size of the cache.
        let written = write_atomically(file, |out| {
            for batch in list.chunks(SAVE_BATCH) {
                let encoded: Vec<Option<Vec<u8>>> = batch.par_iter().map(encode_record).collect();
                for record in encoded.into_iter().flatten() {
                    out.write_all(&record)?;
                }
            }
            Ok(())
        });
        match written {
            // Everything in the log is in the new file now.
            Ok(()) => {
                let _ = std::fs::remove_file(log_path(file));
                write_gitignore(file);
                remove_older_versions(file);
            }
            Err(error) => warn_unwritable(file, &error),
        }
    }
}

/// Which graph a file of kept resolutions serves. Each keeps its own: a build reuses
/// only records resolved against its own declarations, and the head graph's are the
/// head revision's while the base graph's are the base revision's (the same from one
/// plan against a base to the next, whatever the head).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphSide {
    Head,
    Base,
}

/// The file of kept resolutions ([`Resolutions`]) of the `side` graph in the cache
/// directory `dir`. Its records are keyed like the facts, so its name carries the facts'
/// version.
fn resolutions_file(dir: &Path, side: GraphSide) -> PathBuf {
    let stem = match side {
        GraphSide::Head => "resolutions",
        GraphSide::Base => "resolutions-base",
    };
    dir.join(format!("{stem}-v{FACTS_VERSION}.bin"))
}

/// Kept resolutions ([`Resolutions`]) as the cache directory holds them: read from the
/// file an earlier plan wrote, written to a temporary file that takes its place when
/// they changed.
pub type CachedResolutions = Resolutions<std::io::BufReader<File>, std::io::BufWriter<File>>;

/// The temporary file a plan writes its resolutions to, beside `file`.
fn resolutions_temp(file: &Path) -> PathBuf {
    file.with_extension(format!("tmp{}", std::process::id()))
}

/// Opens the resolutions of the `side` graph an earlier plan kept in `dir` (and the
/// other graph's, read when they were resolved against this graph's declarations:
/// [`Resolutions::or_from`]), and a temporary file for this plan's. None is required:
/// without the first two every file is resolved, without the last nothing is kept (the
/// facts cache warns when the directory cannot be written).
pub fn open_resolutions(dir: &Path, side: GraphSide) -> CachedResolutions {
    let file = resolutions_file(dir, side);
    let other = match side {
        GraphSide::Head => GraphSide::Base,
        GraphSide::Base => GraphSide::Head,
    };
    let open = |file: &Path| File::open(file).ok().map(std::io::BufReader::new);
    let source = open(&file);
    let alternate = open(&resolutions_file(dir, other));
    let sink = std::fs::create_dir_all(dir)
        .and_then(|()| File::create(resolutions_temp(&file)))
        .ok()
        .map(std::io::BufWriter::new);
    Resolutions::new(source, sink).or_from(alternate)
}

/// Puts the resolutions a build wrote in place of the old ones when they changed, and
/// removes the temporary file otherwise; warns of records that could not be read (they
/// were resolved again) and of a write that failed (the old file is left as it was).
pub fn close_resolutions(dir: &Path, side: GraphSide, resolutions: CachedResolutions) {
    let file = resolutions_file(dir, side);
    let temp = resolutions_temp(&file);
    let (outcome, sink) = resolutions.finish();
    if outcome.damaged > 0 {
        warn_local(format_args!(
            "the resolutions cache `{}` is damaged ({} unreadable record{}): those files \
             were resolved again and the cache is rewritten",
            file.display(),
            outcome.damaged,
            if outcome.damaged == 1 { "" } else { "s" },
        ));
    }
    let Some(sink) = sink else { return };
    let written = match outcome.write_error {
        Some(error) => Err(error),
        None => sink
            .into_inner()
            .map_err(|error| error.into_error())
            .map(drop),
    };
    let placed = written.and_then(|()| match outcome.changed {
        true => std::fs::rename(&temp, &file),
        false => std::fs::remove_file(&temp),
    });
    if let Err(error) = placed {
        let _ = std::fs::remove_file(&temp);
        warn_unwritable(&file, &error);
    }
}

/// A file of the cache directory that a plan reads whole, and writes whole for the next
/// plan when what it holds changed: one record each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeptFile {
    /// Every path's classification ([`crate::listing`]).
    Listing,
    /// The files of the last commit listed (`git::Repo::snapshot_kept`).
    Tree,
}

impl KeptFile {
    /// The file in the cache directory `dir`. Named with the facts' version, like the
    /// other files, so that the first save of a new parser version's facts removes it
    /// with them; its own layout's version is inside.
    fn path(self, dir: &Path) -> PathBuf {
        let stem = match self {
            KeptFile::Listing => "listing",
            KeptFile::Tree => "tree",
        };
        dir.join(format!("{stem}-v{FACTS_VERSION}.bin"))
    }

    fn what(self) -> &'static str {
        match self {
            KeptFile::Listing => "the listing cache",
            KeptFile::Tree => "the tree cache",
        }
    }
}

/// What a plan leaves to keep in a [`KeptFile`]: the record, when it differs from the
/// kept one, and whether the kept one could not be read.
#[derive(Debug, Default)]
pub struct ToKeep {
    pub record: Option<Vec<u8>>,
    pub damaged: bool,
}

/// A kept record whose checksum or layout is wrong.
#[derive(Debug)]
pub struct Damaged;

/// The payload of a kept record whose first field is its layout's version: `Ok(None)`
/// when it is of another version than `version` (whose layout this one may not read),
/// `Err` when it is damaged. `decode` reads the payload; its failure is damage.
pub fn read_kept_record<'a, T>(
    record: &'a [u8],
    version: u32,
    decode: impl FnOnce(&'a [u8]) -> Option<T>,
) -> std::result::Result<Option<T>, Damaged> {
    let payload = intact_payload(record).ok_or(Damaged)?;
    match postcard::take_from_bytes::<u32>(payload) {
        Ok((found, _)) if found == version => decode(payload).map(Some).ok_or(Damaged),
        Ok(_) => Ok(None),
        Err(_) => Err(Damaged),
    }
}

/// What an earlier plan kept in `file` of `dir`, if anything.
pub fn read_kept(dir: &Path, file: KeptFile) -> Option<Vec<u8>> {
    std::fs::read(file.path(dir)).ok()
}

/// Warns that what an earlier plan kept in `file` of `dir` could not be read.
pub fn warn_damaged(dir: &Path, file: KeptFile) {
    warn_local(format_args!(
        "{} `{}` is damaged: it was not used, and it is rewritten",
        file.what(),
        file.path(dir).display()
    ));
}

/// Writes `record` to a temporary file beside `file` of `dir`, which [`place_kept`] puts
/// in place of what an earlier plan kept (a plan that stops removes it instead); on a
/// failure, nothing is left.
pub fn stage_kept(dir: &Path, file: KeptFile, record: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let temp = file
        .path(dir)
        .with_extension(format!("tmp{}", std::process::id()));
    match std::fs::write(&temp, record) {
        Ok(()) => Ok(temp),
        Err(error) => {
            let _ = std::fs::remove_file(&temp);
            Err(error)
        }
    }
}

/// Puts what [`stage_kept`] wrote in place of `file` of `dir`; warns when it could not
/// be written.
pub fn place_kept(dir: &Path, file: KeptFile, staged: std::io::Result<PathBuf>) {
    let path = file.path(dir);
    let placed = staged.and_then(|temp| {
        std::fs::rename(&temp, &path).inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })
    });
    if let Err(error) = placed {
        warn_unwritable(&path, &error);
    }
}

/// Removes the cache files of older parser versions next to `file`, once this version's
/// facts are written whole: nothing reads them again, and each is the size of a whole
/// revision's facts (62 MB for 10,000 classes), which `.impact/cache` (and the Actions
/// cache that keeps it between runs) would otherwise carry on every version bump.
/// Newer versions' files are left to the newer `impact` that wrote them.
fn remove_older_versions(file: &Path) {
    let Some(Ok(entries)) = file.parent().map(std::fs::read_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let version = name.to_str().and_then(|name| {
            let (stem, extension) = name.rsplit_once('.')?;
            let version = [
                "facts-v",
                "commits-v",
                "resolutions-v",
                "resolutions-base-v",
                "listing-v",
                "tree-v",
            ]
            .iter()
            .find_map(|prefix| stem.strip_prefix(prefix))?;
            let is_cache = matches!(extension, "bin" | "log")
                && !version.is_empty()
                && version.bytes().all(|byte| byte.is_ascii_digit());
            is_cache.then(|| version.parse::<u32>().ok()).flatten()
        });
        if version.is_some_and(|version| version < FACTS_VERSION) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Keeps `.impact/` out of git: writes `.impact/.gitignore` next to the cache directory
/// when it is missing.
fn write_gitignore(file: &Path) {
    if let Some(impact_dir) = file.parent().and_then(Path::parent) {
        let ignore = impact_dir.join(".gitignore");
        if !ignore.exists() {
            let _ = std::fs::write(
                ignore,
                "# written by impact: cache and history stay local\n*\n",
            );
        }
    }
}

/// The append log next to a cache file.
fn log_path(file: &Path) -> PathBuf {
    file.with_extension("log")
}

/// Warns that a cache file could not be written.
fn warn_unwritable(file: &Path, error: &std::io::Error) {
    warn_local(format_args!(
        "cannot write the cache `{}`: {error}; the plan is complete, the next one parses \
         these files again",
        file.display()
    ));
}

/// The components each commit changed, for change frequency (churn) when there is no
/// history database to keep them: `.impact/cache/commits-v<N>.bin`. Like the facts, an
/// entry never goes stale (a commit never changes).
#[derive(Debug, Default)]
pub struct CommitCache {
    file: Option<PathBuf>,
    entries: HashMap<String, Vec<String>>,
    dirty: bool,
    /// Damaged records were skipped (the next save rewrites the file).
    damaged: bool,
}

impl CommitCache {
    /// Loads the cache from `dir`; a missing file is an empty cache, damaged records
    /// are skipped with a warning.
    pub fn load(dir: &Path) -> CommitCache {
        let cache = CommitCache::load_quietly(dir);
        cache.warn_if_damaged();
        cache
    }

    /// [`CommitCache::load`] without the warning, for a caller that may not use the
    /// cache: it warns ([`CommitCache::warn_if_damaged`]) once it does.
    pub fn load_quietly(dir: &Path) -> CommitCache {
        let file = dir.join(format!("commits-v{FACTS_VERSION}.bin"));
        let decoded = std::fs::read(&file)
            .map(|bytes| decode_records::<(String, Vec<String>)>(&bytes))
            .ok();
        let damaged = decoded.as_ref().is_some_and(Decoded::is_damaged);
        CommitCache {
            file: Some(file),
            entries: decoded
                .map(|decoded| decoded.records.into_iter().collect())
                .unwrap_or_default(),
            dirty: damaged,
            damaged,
        }
    }

    /// Warns when loading skipped damaged records.
    pub fn warn_if_damaged(&self) {
        if let (true, Some(file)) = (self.damaged, &self.file) {
            warn_local(format_args!(
                "the commit cache `{}` is damaged: the commits it misses are diffed again",
                file.display()
            ));
        }
    }

    /// The components a commit changed, if known.
    pub fn get(&self, commit: &str) -> Option<&[String]> {
        self.entries.get(commit).map(Vec::as_slice)
    }

    /// Records the components a commit changed.
    pub fn insert(&mut self, commit: String, components: Vec<String>) {
        self.entries.insert(commit, components);
        self.dirty = true;
    }

    /// Writes the cache back if it changed (atomically; a failure is a warning).
    pub fn save(&self) {
        let Some(file) = &self.file else { return };
        if !self.dirty {
            return;
        }
        let mut list: Vec<(&String, &Vec<String>)> = self.entries.iter().collect();
        list.sort();
        let written = write_atomically(file, |out| {
            for record in list {
                if let Some(record) = encode_record(&record) {
                    out.write_all(&record)?;
                }
            }
            Ok(())
        });
        if let Err(error) = written {
            warn_unwritable(file, &error);
        }
    }
}

/// Maps a cache file that `impact` only ever replaces whole (written beside it, then
/// renamed over it: [`write_atomically`]), never changes in place, so a plan running
/// beside this one cannot change the bytes mapped. Mapped, the bytes are read in place
/// from the system's page cache: a warm 10,000-class plan had read 64 MB into a buffer
/// of its own, then copied the 41 MB of encoded uses out of it (a rerun in its working
/// tree, three runs each: 68-71 thousand page faults became 51-52 thousand, 734-749 ms
/// of CPU 704-720). `None` when the file cannot be mapped; the caller reads it. Unix
/// only: elsewhere a mapped file cannot be renamed over, which saving the cache does.
#[cfg(unix)]
fn map_file(path: &Path) -> Option<Arc<memmap2::Mmap>> {
    let file = File::open(path).ok()?;
    // SAFETY: the mapping is only read, and `impact` never writes the file in place
    // (see above); one changed in place by another program while a plan reads it is
    // outside what the cache promises.
    let map = unsafe { memmap2::MmapOptions::new().map(&file) }.ok()?;
    Some(Arc::new(map))
}

/// Takes a mapped file's pages out of the process's resident memory once it has been
/// read through: the few encoded uses a plan decodes later are read from the system's
/// page cache again, page by page. The same runs as [`map_file`]'s peaked at 202-203 MB
/// rather than 246-269 (with the pages kept, 257-263).
#[cfg(unix)]
fn release_pages(map: &memmap2::Mmap) {
    // SAFETY: the mapping is of a file and only read: dropped pages are read from the
    // file again when next touched, with the same bytes (`map_file`).
    let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
}

#[cfg(not(unix))]
fn map_file(_: &Path) -> Option<Arc<memmap2::Mmap>> {
    None
}

#[cfg(not(unix))]
fn release_pages(_: &memmap2::Mmap) {}

/// Writes what `write` produces to a temporary file next to `file`, then renames it over
/// `file`, so a reader never sees half a file; on any failure the temporary file is
/// removed, so nothing half-written stays (a full disk, a read-only directory).
fn write_atomically(
    file: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = file
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent directory"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|created| {
            let mut out = std::io::BufWriter::new(created);
            write(&mut out)?;
            out.flush()
        })
        .and_then(|()| std::fs::rename(&tmp, file));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(hash: u64) -> Facts {
        Facts {
            semantic_hash: hash,
            ..Facts::default()
        }
    }

    #[test]
    fn records_decoded_on_every_core_keep_their_file_order() {
        let mut bytes = Vec::new();
        for n in 0..5_000u32 {
            bytes.extend(encode_record(&n).unwrap());
        }
        // Damage the payload of record 1,234 (header 12 bytes, payload one varint).
        let offset = (0..1_234u32)
            .map(|n| encode_record(&n).unwrap().len())
            .sum::<usize>();
        bytes[offset + RECORD_HEADER] ^= 0x55;
        let decoded = decode_records::<u32>(&bytes);
        assert_eq!(decoded.damaged, 1);
        assert!(!decoded.torn);
        let expected: Vec<u32> = (0..5_000).filter(|&n| n != 1_234).collect();
        assert_eq!(decoded.records, expected);
    }

    #[test]
    fn appended_facts_are_read_back_and_a_torn_frame_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = FactsCache::load(dir.path());
        cache.note_parsed("a".into());
        cache.insert("a".into(), facts(1));
        cache.save();

        let mut cache = FactsCache::load(dir.path());
        assert!(cache.take("a").is_some());
        cache.note_parsed("b".into());
        assert!(cache.can_append());
        let b = facts(2);
        cache.append_fresh([("b".to_string(), &b), ("a".to_string(), &b)]);

        let mut cache = FactsCache::load(dir.path());
        assert_eq!(
            cache.take("a").map(|f| f.semantic_hash),
            Some(1),
            "only fresh keys are appended"
        );
        assert_eq!(cache.take("b").map(|f| f.semantic_hash), Some(2));

        // A process killed mid-write leaves a torn frame: the frames before it stay.
        let log = dir.path().join(format!("facts-v{FACTS_VERSION}.log"));
        let mut bytes = std::fs::read(&log).unwrap();
        bytes.extend_from_slice(&[200, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        std::fs::write(&log, bytes).unwrap();
        let mut cache = FactsCache::load(dir.path());
        assert_eq!(cache.take("b").map(|f| f.semantic_hash), Some(2));

        // A full save folds the log into the main file.
        cache.note_parsed("c".into());
        cache.insert("c".into(), facts(3));
        cache.save();
        assert!(!log.exists());
        let mut cache = FactsCache::load(dir.path());
        assert_eq!(cache.take("c").map(|f| f.semantic_hash), Some(3));
    }

    /// Facts read from the main file keep their encoded uses in the mapped file, whose
    /// pages the load gives back: they decode after that, and after the file has been
    /// replaced (by this plan's save, or another's beside it) and removed.
    #[test]
    fn uses_read_from_a_mapped_file_decode_after_it_is_released_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let class = crate::parse::apex_file(
            "Invoices",
            "public class Invoices { void total() { insert new Account(); Other.run(); } }",
        );
        let parsed = class.facts.uses().expect("parsed uses").into_owned();
        assert_eq!(parsed.len(), 5, "{parsed:?}");
        let mut cache = FactsCache::load(dir.path());
        cache.note_parsed("a".into());
        cache.insert("a".into(), class.facts.clone());
        cache.save();

        let mut cache = FactsCache::load(dir.path());
        let read = cache.take("a").expect("read back");
        let mut other = FactsCache::load(dir.path());
        other.note_parsed("b".into());
        other.insert("b".into(), facts(2));
        other.save_read([("b".to_string(), facts(2))]);
        let main = dir.path().join(format!("facts-v{FACTS_VERSION}.bin"));
        assert!(other.take("a").is_none() && FactsCache::load(dir.path()).take("a").is_none());
        std::fs::remove_file(&main).unwrap();
        assert_eq!(read.uses().expect("the uses decode").into_owned(), parsed);
        assert_eq!(read, class.facts);
    }

    /// Writing this version's facts whole removes older versions' cache files, and
    /// leaves newer versions' and other files alone.
    #[test]
    fn a_whole_write_removes_older_versions_only() {
        let dir = tempfile::tempdir().unwrap();
        let older = FACTS_VERSION - 1;
        let newer = FACTS_VERSION + 1;
        let removed = [
            format!("facts-v{older}.bin"),
            format!("facts-v{older}.log"),
            format!("commits-v{older}.bin"),
            format!("listing-v{older}.bin"),
            format!("tree-v{older}.bin"),
            "facts-v1.bin".to_string(),
        ];
        let kept = [
            format!("facts-v{newer}.bin"),
            format!("commits-v{newer}.bin"),
            format!("tree-v{newer}.bin"),
            format!("facts-v{older}.bin.bak"),
            format!("facts-v{older}x.bin"),
            "notes.txt".to_string(),
        ];
        for name in removed.iter().chain(&kept) {
            std::fs::write(dir.path().join(name), b"old").unwrap();
        }
        let mut cache = FactsCache::load(dir.path());
        cache.note_parsed("a".into());
        cache.insert("a".into(), facts(1));
        cache.save();

        for name in &removed {
            assert!(!dir.path().join(name).exists(), "{name} is removed");
        }
        for name in &kept {
            assert!(dir.path().join(name).exists(), "{name} is kept");
        }
        assert!(dir
            .path()
            .join(format!("facts-v{FACTS_VERSION}.bin"))
            .exists());
    }

    /// A whole rewrite keeps what the run read (taken or parsed) and drops the rest.
    #[test]
    fn a_rewrite_keeps_only_the_facts_the_run_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = FactsCache::load(dir.path());
        for (key, hash) in [("old", 1), ("kept", 2)] {
            cache.note_parsed(key.into());
            cache.insert(key.into(), facts(hash));
        }
        cache.save();

        let mut cache = FactsCache::load(dir.path());
        let kept = cache.take("kept").unwrap();
        cache.note_parsed("new".into());
        cache.save_read([("kept".to_string(), kept), ("new".to_string(), facts(3))]);

        let mut cache = FactsCache::load(dir.path());
        assert_eq!(cache.take("kept").map(|f| f.semantic_hash), Some(2));
        assert_eq!(cache.take("new").map(|f| f.semantic_hash), Some(3));
        assert!(
            cache.take("old").is_none(),
            "a version no run read is dropped"
        );
    }

    /// A cache of more records than [`SAVE_BATCH`] is written a batch at a time, each
    /// encoded on every core: the file holds every record once, in key order, byte for
    /// byte what encoding them one after the other gives, and reads back whole.
    #[test]
    fn a_save_of_many_batches_writes_every_record_in_key_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = FactsCache::load(dir.path());
        let n = 2 * SAVE_BATCH + 77;
        // Inserted out of order: the file is in key order whatever the map's.
        for i in (0..n).rev() {
            let key = format!("blob{i:05}:path/{}", i % 13);
            cache.note_parsed(key.clone());
            cache.insert(key, facts(i as u64));
        }
        cache.save();
        let written =
            std::fs::read(dir.path().join(format!("facts-v{FACTS_VERSION}.bin"))).unwrap();
        let mut keys: Vec<String> = (0..n)
            .map(|i| format!("blob{i:05}:path/{}", i % 13))
            .collect();
        keys.sort();
        let mut expected = Vec::new();
        for key in &keys {
            let i: u64 = key[4..9].parse().unwrap();
            expected.extend(encode_record(&(key, &facts(i))).unwrap());
        }
        assert!(written == expected, "the file is the records in key order");
        let mut cache = FactsCache::load(dir.path());
        for key in &keys {
            let i: u64 = key[4..9].parse().unwrap();
            assert_eq!(cache.take(key).map(|f| f.semantic_hash), Some(i), "{key}");
        }
    }
}
