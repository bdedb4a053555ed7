//! Facts: what one source file declares and what it uses, with line numbers.
//!
//! Every parser in [`crate::parse`] returns [`Facts`]; the graph stage resolves them
//! against each other. Facts of a file depend only on its path and content, so they are
//! cached by git blob id. Targets stay unresolved strings here (an Apex type name may
//! name an inner class, a top-level class, an SObject or a system type): only the graph
//! knows every declared name. This module does no I/O and never fails.

use crate::metadata::component::ComponentId;
use crate::shared_bytes::SharedBytes;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The facts of one source file, with the component it belongs to.
#[derive(Clone, Debug)]
pub struct FileFacts {
    /// Repository-relative path, `/`-separated.
    pub path: String,
    /// Git blob id of the content (the facts cache key).
    pub blob: String,
    /// The component the file belongs to (an `.cls-meta.xml` belongs to its class).
    pub component: ComponentId,
    pub facts: Facts,
}

/// What one file declares and uses. Parsing never fails: a file the parser could not
/// fully read still has facts, plus [`Problem`]s that make the policy err toward more
/// tests.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Components, inner classes and members declared by this file.
    pub declares: Vec<Declaration>,
    /// References from a declared node to something else: read them with
    /// [`Facts::uses`].
    pub uses: Uses,
    /// What stopped the parser from reading the file completely.
    pub problems: Vec<Problem>,
    /// Hash of the file's meaning: its tokens without comments and whitespace (Apex) or
    /// its normalized XML. Two versions with the same hash differ only in form.
    pub semantic_hash: u64,
}

/// The uses of a file: as its parser listed them, or still encoded the way the facts
/// cache stores them.
///
/// Uses are most of what a file's facts weigh once decoded (200 of the 355 MB that a
/// 10,000-class org's cached facts took), and only the graph reads them, a batch of
/// files at a time. So facts read from the cache keep their uses encoded, and
/// [`Facts::uses`] decodes them when the graph asks; the record stores their count and
/// the few that name a component beside them, so reading it decodes nothing else.
#[derive(Clone, Debug)]
pub struct Uses(UsesRepr);

#[derive(Clone, Debug)]
enum UsesRepr {
    Listed(Vec<Use<'static>>),
    /// The postcard encoding of a `Vec<StoredUse>` (read from the cache: a slice of the
    /// cache file's bytes, [`Facts::take_shared`]): `count` uses, each held by a
    /// declaration the facts have, of which `naming` are those that name a component
    /// ([`Target::names_a_component`]), a small part, which the graph reads of every
    /// file before it resolves any. Bytes a parser's uses were encoded into were checked
    /// to decode so; bytes read from the cache are checked when [`Facts::uses`] decodes
    /// them.
    Encoded {
        bytes: SharedBytes,
        count: usize,
        naming: Box<[Use<'static>]>,
    },
}

impl Default for Uses {
    fn default() -> Uses {
        Uses(UsesRepr::Listed(Vec::new()))
    }
}

impl From<Vec<Use<'static>>> for Uses {
    fn from(uses: Vec<Use<'static>>) -> Uses {
        Uses(UsesRepr::Listed(uses))
    }
}

impl Facts {
    /// The file's uses, in the order the parser found them. Uses read from the cache are
    /// decoded at each call; callers read them once per pass, a file at a time.
    ///
    /// `None` when encoded uses do not decode into as many uses as the record says,
    /// each held by a declaration of the file, the naming ones those kept apart: a cache
    /// record whose checksum matched but whose content is not what this version writes.
    /// The caller parses the file again ([`crate::graph::Graph::undecodable`]), never
    /// goes on with fewer uses.
    pub fn uses(&self) -> Option<Cow<'_, [Use<'_>]>> {
        match &self.uses.0 {
            UsesRepr::Listed(uses) => Some(Cow::Borrowed(uses)),
            UsesRepr::Encoded {
                bytes,
                count,
                naming,
            } => {
                let uses = decode_uses(bytes, &self.declares, *count)?;
                let agrees = uses.len() == *count
                    && naming_of(&uses).eq(naming.iter().map(|use_| -> &Use<'_> { use_ }));
                agrees.then_some(Cow::Owned(uses))
            }
        }
    }

    /// The uses that name a component whether or not a file declares it
    /// ([`Target::names_a_component`]), in order, without decoding the others.
    pub fn naming_uses(&self) -> impl Iterator<Item = &Use<'static>> {
        let uses: &[Use<'static>] = match &self.uses.0 {
            UsesRepr::Listed(uses) => uses,
            UsesRepr::Encoded { naming, .. } => naming,
        };
        naming_of(uses)
    }

    /// Keeps a parser's uses encoded, as facts read from the cache keep theirs: a cold
    /// plan then holds the facts of every file as compactly as a warm one, and the cache
    /// writes these bytes as they are. The bytes are checked to decode into as many
    /// uses, so [`Facts::uses`] does not fail on them; should encoding or the check
    /// fail, the list stays.
    pub fn encode_uses(&mut self) {
        let UsesRepr::Listed(uses) = &self.uses.0 else {
            return;
        };
        let Ok(bytes) = encode_uses(uses, &self.declares) else {
            return;
        };
        let mut count = 0;
        let decodes = for_each_use(&bytes, &self.declares, |_| count += 1).is_some();
        if !decodes || count != uses.len() {
            return;
        }
        let naming = naming_of(uses).cloned().collect();
        self.uses = Uses(UsesRepr::Encoded {
            bytes: SharedBytes::from(bytes),
            count: uses.len(),
            naming,
        });
    }

    /// How many uses the file has, without decoding them.
    pub fn use_count(&self) -> usize {
        match &self.uses.0 {
            UsesRepr::Listed(uses) => uses.len(),
            UsesRepr::Encoded { count, .. } => *count,
        }
    }

    /// Makes the uses held by a declared node, and the members of a declared class,
    /// hold the declaration's own id rather than equal copies: one id per node, however
    /// many uses it has.
    pub fn share_ids(&mut self) {
        let declared = self.share_parents();
        // Encoded uses name their holder by position: they decode sharing it already.
        if let UsesRepr::Listed(uses) = &mut self.uses.0 {
            for use_ in uses {
                if let Some(own) = declared.get(&use_.from) {
                    use_.from = own.clone();
                }
            }
        }
    }

    /// Makes each member's parent the class declaration's own id; returns the declared
    /// ids. (Loading from the cache shares the uses by position already.)
    fn share_parents(&mut self) -> FxHashSet<ComponentId> {
        share_parent_ids(&mut self.declares);
        self.declares
            .iter()
            .map(|declaration| declaration.id.clone())
            .collect()
    }
}

/// Makes each declaration's parent, when the same declarations declare it, the parent's
/// own id (the first declaration of its key): what a parser's facts do once parsed, and
/// what facts read from the cache have already ([`StoredDeclarations`]).
fn share_parent_ids(declares: &mut [Declaration]) {
    let parents: Vec<(usize, usize)> = {
        let positions = first_positions(declares);
        declares
            .iter()
            .enumerate()
            .filter_map(|(position, declaration)| {
                let parent = declaration.parent.as_ref()?;
                Some((position, *positions.get(parent.key())? as usize))
            })
            .collect()
    };
    for (child, parent) in parents {
        let own = declares[parent].id.clone();
        declares[child].parent = Some(own);
    }
}

/// The position of the first declaration of each key: the one whose id a parent of that
/// key shares (a set of the ids keeps the first too).
fn first_positions(declares: &[Declaration]) -> FxHashMap<&str, u32> {
    let mut positions: FxHashMap<&str, u32> = FxHashMap::default();
    for (position, declaration) in declares.iter().enumerate() {
        positions
            .entry(declaration.id.key())
            .or_insert(position as u32);
    }
    positions
}

#[cfg(test)]
impl Facts {
    /// A parser's uses, for tests of parsers; facts read from the cache keep theirs
    /// encoded (read them with [`Facts::uses`]), and this panics.
    pub fn parsed_uses(&self) -> &[Use<'static>] {
        match &self.uses.0 {
            UsesRepr::Listed(uses) => uses,
            UsesRepr::Encoded { .. } => panic!("parsed_uses of facts read from the cache"),
        }
    }
}

impl PartialEq for Facts {
    fn eq(&self, other: &Facts) -> bool {
        self.declares == other.declares
            && self.problems == other.problems
            && self.semantic_hash == other.semantic_hash
            && self.uses() == other.uses()
    }
}

/// How [`Facts`] are stored in the cache: the uses are a byte string (the postcard
/// encoding of their [`StoredUse`]s), so that reading the cache can keep them encoded.
#[derive(Serialize)]
struct StoredFacts<'a> {
    declares: StoredDeclarations<'a>,
    /// The declarations' records parameters, by the declaration's position: kept beside
    /// the declarations rather than in each (most declare none, and an empty list in
    /// each of a 10,000-class org's 145,000 took a warm plan 30 M instructions to read).
    parameters: Vec<(u32, &'a [RecordsParameter])>,
    uses: EncodedUses<'a>,
    /// How many uses `uses` holds, and those of them that name a component, encoded
    /// the same way: what reading a record needs of its uses without decoding them.
    count: u64,
    naming: EncodedUses<'a>,
    problems: &'a [Problem],
    semantic_hash: u64,
}

/// Declarations as stored: each parent the same facts declare is named by the position
/// of its first declaration, so loading shares that declaration's id rather than
/// reading a copy of it (at 10,000 classes, 120,000 of the 267,000 ids a warm plan read
/// from the cache, each allocated and case-folded, were members' parents).
struct StoredDeclarations<'a>(&'a [Declaration]);

impl Serialize for StoredDeclarations<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let positions = first_positions(self.0);
        serializer.collect_seq(self.0.iter().map(|declaration| {
            let parent =
                declaration
                    .parent
                    .as_ref()
                    .map(|parent| match positions.get(parent.key()) {
                        Some(&position) => StoredFrom::Declared(position),
                        None => StoredFrom::Other(parent),
                    });
            StoredDeclaration::new(declaration, parent)
        }))
    }
}

/// A [`Declaration`] as stored, its parent by position when declared beside it.
#[derive(Serialize)]
struct StoredDeclaration<'a> {
    id: &'a ComponentId,
    kind: DeclKind,
    parent: Option<StoredFrom<'a>>,
    lines: (u32, u32),
    body_hash: u64,
    extends: &'a Option<String>,
    implements: &'a [String],
    arity: Option<u32>,
    value_type: &'a Option<String>,
    alias: &'a Option<String>,
    automates: &'a Option<String>,
    fires_on: DmlEvents,
    test: &'a Option<TestMark>,
    overrides: bool,
    invocable: bool,
    initializer_calls: bool,
}

impl<'a> StoredDeclaration<'a> {
    fn new(declaration: &'a Declaration, parent: Option<StoredFrom<'a>>) -> StoredDeclaration<'a> {
        StoredDeclaration {
            id: &declaration.id,
            kind: declaration.kind,
            parent,
            lines: declaration.lines,
            body_hash: declaration.body_hash,
            extends: &declaration.extends,
            implements: &declaration.implements,
            arity: declaration.arity,
            value_type: &declaration.value_type,
            alias: &declaration.alias,
            automates: &declaration.automates,
            fires_on: declaration.fires_on,
            test: &declaration.test,
            overrides: declaration.overrides,
            invocable: declaration.invocable,
            initializer_calls: declaration.initializer_calls,
        }
    }
}

/// A [`StoredDeclaration`] as read back.
#[derive(Deserialize)]
struct LoadedDeclaration {
    id: ComponentId,
    kind: DeclKind,
    parent: Option<LoadedFrom>,
    lines: (u32, u32),
    body_hash: u64,
    extends: Option<String>,
    implements: Vec<String>,
    arity: Option<u32>,
    value_type: Option<String>,
    alias: Option<String>,
    automates: Option<String>,
    fires_on: DmlEvents,
    test: Option<TestMark>,
    overrides: bool,
    invocable: bool,
    initializer_calls: bool,
}

/// The records parameters of `declares` as [`StoredFacts`] keeps them.
fn stored_parameters(declares: &[Declaration]) -> Vec<(u32, &[RecordsParameter])> {
    declares
        .iter()
        .enumerate()
        .filter(|(_, declaration)| !declaration.records_parameters.is_empty())
        .map(|(position, declaration)| {
            let position = u32::try_from(position).unwrap_or(u32::MAX);
            (position, declaration.records_parameters.as_slice())
        })
        .collect()
}

/// The declarations of loaded facts, each parent declared beside its child sharing
/// that declaration's id; `None` when a position is past the declarations (a damaged
/// record).
fn loaded_declarations(loaded: Vec<LoadedDeclaration>) -> Option<Vec<Declaration>> {
    let mut parents: Vec<(usize, usize)> = Vec::new();
    let mut declares: Vec<Declaration> = loaded
        .into_iter()
        .enumerate()
        .map(|(position, loaded)| {
            let parent = match loaded.parent {
                Some(LoadedFrom::Declared(parent)) => {
                    parents.push((position, parent as usize));
                    None
                }
                Some(LoadedFrom::Other(parent)) => Some(parent),
                None => None,
            };
            Declaration {
                id: loaded.id,
                kind: loaded.kind,
                parent,
                lines: loaded.lines,
                body_hash: loaded.body_hash,
                extends: loaded.extends,
                implements: loaded.implements,
                arity: loaded.arity,
                value_type: loaded.value_type,
                alias: loaded.alias,
                automates: loaded.automates,
                fires_on: loaded.fires_on,
                test: loaded.test,
                overrides: loaded.overrides,
                invocable: loaded.invocable,
                initializer_calls: loaded.initializer_calls,
                records_parameters: Vec::new(),
            }
        })
        .collect();
    for (child, parent) in parents {
        let own = declares.get(parent)?.id.clone();
        declares[child].parent = Some(own);
    }
    Some(declares)
}

/// Serializes as a byte string, where a `&[u8]` would be a sequence of numbers.
struct EncodedUses<'a>(&'a [u8]);

impl Serialize for EncodedUses<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// A stored use names the declaration that holds it by position, so loading makes one
/// id per node instead of one per use.
#[derive(Serialize)]
struct StoredUse<'a> {
    from: StoredFrom<'a>,
    target: &'a Target<'a>,
    kind: EdgeKind,
    line: u32,
}

#[derive(Serialize)]
enum StoredFrom<'a> {
    Declared(u32),
    Other(&'a ComponentId),
}

/// [`StoredFacts`] as read back; the uses' bytes are borrowed from the record.
#[derive(Deserialize)]
struct LoadedFacts<'a> {
    declares: Vec<LoadedDeclaration>,
    parameters: Vec<(u32, Vec<RecordsParameter>)>,
    #[serde(borrow)]
    uses: &'a [u8],
    count: u64,
    #[serde(borrow)]
    naming: &'a [u8],
    problems: Vec<Problem>,
    semantic_hash: u64,
}

#[derive(Deserialize)]
struct LoadedUse<'a> {
    from: LoadedFrom,
    #[serde(borrow)]
    target: Target<'a>,
    kind: EdgeKind,
    line: u32,
}

#[derive(Deserialize)]
enum LoadedFrom {
    Declared(u32),
    Other(ComponentId),
}

/// The uses that name a component whether or not a file declares it
/// ([`Target::names_a_component`]): what a record keeps apart from its encoded uses.
fn naming_of<'u, 'a>(uses: &'u [Use<'a>]) -> impl Iterator<Item = &'u Use<'a>> {
    uses.iter().filter(|use_| use_.target.names_a_component())
}

/// Encodes uses as [`StoredFacts`] keeps them.
fn encode_uses(uses: &[Use<'_>], declares: &[Declaration]) -> postcard::Result<Vec<u8>> {
    let positions: FxHashMap<&str, u32> = declares
        .iter()
        .enumerate()
        .map(|(position, declaration)| (declaration.id.key(), position as u32))
        .collect();
    let stored: Vec<StoredUse> = uses
        .iter()
        .map(|use_| StoredUse {
            from: match positions.get(use_.from.key()) {
                Some(&position) => StoredFrom::Declared(position),
                None => StoredFrom::Other(&use_.from),
            },
            target: &use_.target,
            kind: use_.kind,
            line: use_.line,
        })
        .collect();
    postcard::to_stdvec(&stored)
}

/// Decodes [`encode_uses`]' bytes into `count` uses (what [`for_each_use`] reads).
fn decode_uses<'a>(
    bytes: &'a [u8],
    declares: &[Declaration],
    count: usize,
) -> Option<Vec<Use<'a>>> {
    // Every use takes several bytes: a count past the bytes' length is not believed (a
    // record's count is read unchecked, and room for it must not exhaust memory).
    let mut uses = Vec::with_capacity(count.min(bytes.len()));
    for_each_use(bytes, declares, |use_| uses.push(use_))?;
    Some(uses)
}

/// Reads [`encode_uses`]' bytes one use at a time, its names borrowed from the bytes,
/// and hands each to `each`: no list of them is built. `None` when the bytes are not
/// exactly a list of uses, or one names a declaration the file does not have.
fn for_each_use<'a>(
    bytes: &'a [u8],
    declares: &[Declaration],
    each: impl FnMut(Use<'a>),
) -> Option<()> {
    let mut deserializer = postcard::Deserializer::from_bytes(bytes);
    let visitor = EachUse {
        declares,
        each,
        bytes: std::marker::PhantomData,
    };
    serde::Deserializer::deserialize_seq(&mut deserializer, visitor).ok()?;
    deserializer.finalize().ok()?.is_empty().then_some(())
}

/// The visitor of [`for_each_use`].
struct EachUse<'d, 'a, F> {
    declares: &'d [Declaration],
    each: F,
    bytes: std::marker::PhantomData<&'a [u8]>,
}

impl<'a, F: FnMut(Use<'a>)> serde::de::Visitor<'a> for EachUse<'_, 'a, F> {
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a list of uses")
    }

    fn visit_seq<A: serde::de::SeqAccess<'a>>(mut self, mut uses: A) -> Result<(), A::Error> {
        while let Some(use_) = uses.next_element::<LoadedUse<'a>>()? {
            let from = match use_.from {
                LoadedFrom::Declared(position) => match self.declares.get(position as usize) {
                    Some(declaration) => declaration.id.clone(),
                    None => return Err(serde::de::Error::custom("a use of an undeclared node")),
                },
                LoadedFrom::Other(id) => id,
            };
            (self.each)(Use {
                from,
                target: use_.target,
                kind: use_.kind,
                line: use_.line,
            });
        }
        Ok(())
    }
}

impl Serialize for Facts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let encode =
            |uses: &[Use<'_>]| encode_uses(uses, &self.declares).map_err(serde::ser::Error::custom);
        let listed;
        let (bytes, count, naming): (&[u8], usize, Vec<u8>) = match &self.uses.0 {
            UsesRepr::Encoded {
                bytes,
                count,
                naming,
            } => (bytes, *count, encode(naming)?),
            UsesRepr::Listed(uses) => {
                listed = encode(uses)?;
                let naming: Vec<Use<'_>> = naming_of(uses).cloned().collect();
                (&listed, uses.len(), encode(&naming)?)
            }
        };
        let stored = self.stored_with_uses(bytes, count as u64, &naming);
        stored.serialize(serializer)
    }
}

impl Facts {
    /// The facts as the cache stores them, with `uses` (encoded, `count` of them) and
    /// `naming` (the encoded uses that name a component) in place of their own: what
    /// [`Facts`] serializes as, and how a test writes a record whose checksum matches but
    /// whose uses do not read back, without copying the stored layout.
    #[doc(hidden)]
    pub fn stored_with_uses<'a>(
        &'a self,
        uses: &'a [u8],
        count: u64,
        naming: &'a [u8],
    ) -> impl Serialize + 'a {
        StoredFacts {
            declares: StoredDeclarations(&self.declares),
            parameters: stored_parameters(&self.declares),
            uses: EncodedUses(uses),
            count,
            naming: EncodedUses(naming),
            problems: &self.problems,
            semantic_hash: self.semantic_hash,
        }
    }
}

impl Facts {
    /// Reads facts, as they are serialized, from the front of `bytes`, a part of
    /// `buffer`, leaving their encoded uses there ([`SharedBytes::share`]): the facts and
    /// the bytes after them. Only the few uses that name a component are decoded; the
    /// rest are checked when [`Facts::uses`] decodes them. `None` for a damaged record:
    /// facts that do not read, or naming uses that do not decode or name no component.
    pub fn take_shared<'a>(bytes: &'a [u8], buffer: &SharedBytes) -> Option<(Facts, &'a [u8])> {
        let (loaded, rest) = postcard::take_from_bytes::<LoadedFacts<'_>>(bytes).ok()?;
        let mut declares = loaded_declarations(loaded.declares)?;
        for (position, parameters) in loaded.parameters {
            let declaration = declares.get_mut(usize::try_from(position).ok()?)?;
            declaration.records_parameters = parameters;
        }
        let mut naming = Vec::new();
        for_each_use(loaded.naming, &declares, |use_| {
            naming.push(use_.into_owned())
        })?;
        if !naming.iter().all(|use_| use_.target.names_a_component()) {
            return None;
        }
        let count = usize::try_from(loaded.count).ok()?;
        let uses = buffer.share(loaded.uses)?;
        let facts = Facts {
            declares,
            uses: Uses(UsesRepr::Encoded {
                bytes: uses,
                count,
                naming: naming.into(),
            }),
            problems: loaded.problems,
            semantic_hash: loaded.semantic_hash,
        };
        Some((facts, rest))
    }
}

/// A node this file declares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Declaration {
    /// `ApexClass:Outer.Inner`, `ApexMethod:Outer.total`, `Flow:Invoice_After_Save`, …
    pub id: ComponentId,
    pub kind: DeclKind,
    /// The enclosing class of a member or inner class (for members: the class that
    /// declares it, top-level or inner).
    pub parent: Option<ComponentId>,
    /// First and last line (1-based) of the declaration's text.
    pub lines: (u32, u32),
    /// Hash of the declaration's own tokens (comments and whitespace excluded; for a
    /// class, the tokens outside its members and inner classes). A member whose hash
    /// differs between two revisions changed.
    pub body_hash: u64,
    /// Superclass of a class (`extends`), unresolved.
    pub extends: Option<String>,
    /// Interfaces a class implements (or an interface extends), unresolved.
    pub implements: Vec<String>,
    /// Method: number of parameters. `None` for everything else.
    pub arity: Option<u32>,
    /// Method return type, field or property type (unresolved type name, generics
    /// dropped: `List<Invoice__c>` is `List<Invoice__c>` here; the graph strips it).
    pub value_type: Option<String>,
    /// Another name the component goes by. A lookup's or master-detail's relationship
    /// name (`Plans` of `Plan__c.Account__c`), by which records of the object it refers
    /// to (`value_type`) reach the field's object: `$Record.Plans__r` in a flow on
    /// `Account`. A record type's label (`Sub-Branch` of `Account.Sub_Branch`), which
    /// `RecordType.Name` and `getRecordTypeInfosByName()` read: code names the record
    /// type by it as often as by its developer name.
    pub alias: Option<String>,
    /// The SObject whose automation this is: a trigger's `on X`, a record-triggered
    /// flow's start object, a validation rule's object, a required or defaulted field's
    /// object. Automation is reached only by code that writes the object.
    pub automates: Option<String>,
    /// The DML events the automation in `automates` runs on (a trigger's
    /// `before insert, after update`, a record-triggered flow's trigger type); all of
    /// them when it cannot be told. A `FlowDefinition` that deactivates its flow has none.
    pub fires_on: DmlEvents,
    /// Test marks, when this is a test class, test method, test setup, Flow test or Jest
    /// test.
    pub test: Option<TestMark>,
    /// A method declared `override`: it replaces a superclass's method, which the
    /// superclass's own code calls (a framework's hook, `onBeforeInsert`).
    pub overrides: bool,
    /// An `@InvocableMethod`: what a flow's Apex action, which names only the class,
    /// runs of it.
    pub invocable: bool,
    /// A field whose initializer, or an initializer block that, calls a static method of
    /// a type, the platform's too (`Url.getOrgDomainUrl()`, `Schema.SObjectType.Account
    /// .getRecordTypeInfosByDeveloperName().get('Partner').getRecordTypeId()`): it runs
    /// when the class loads (or an instance is made), and what it throws there fails
    /// every use of the class.
    pub initializer_calls: bool,
    /// The parameters of a static method that hold records of any object (`SObject`,
    /// `List<SObject>`) and that every walk of the method followed: it reads the records,
    /// saves them or hands them to static methods, and nothing else (a DML wrapper's
    /// `List<SObject> records`). Empty for most declarations. What a caller passes there
    /// is the caller's write when the method saves it ([`Target::DmlThrough`]).
    pub records_parameters: Vec<RecordsParameter>,
}

/// A followed parameter of a static method ([`Declaration::records_parameters`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordsParameter {
    /// Its position among the method's parameters.
    pub position: u32,
    /// The events of the method's own DML on it (`NONE`: the method does not save it
    /// itself).
    pub saves: DmlEvents,
    /// The static calls it is handed to: it is followed only as far as each of them
    /// follows it in turn, which the graph decides.
    pub handed: Vec<Handoff>,
}

/// A call that hands a followed parameter on: `Util.save(records)` is argument 0 of
/// `save` in the class `Util`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Handoff {
    /// The class called: as written, or, for an unqualified call, the class of the
    /// file that declares a method of that name (else the calling method's own class).
    /// Empty for a receiver that is no type name, which resolves to nothing.
    pub class: String,
    pub member: String,
    pub position: u32,
}

/// A set of DML events: what a write does (`insert`, `upsert` = insert or update, …) or
/// what an automation runs on. A write reaches an automation only when the two sets
/// meet; a write whose kind cannot be told (`merge`, an unknown `Database` method) is
/// every event, so it reaches every automation of its object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DmlEvents(u8);

impl Declaration {
    /// A declaration with nothing known beyond its identity, kind, parent and lines:
    /// no hash, supertypes, value type, automation or test mark yet. Parsers fill in
    /// what they find.
    pub fn new(
        id: ComponentId,
        kind: DeclKind,
        parent: Option<ComponentId>,
        lines: (u32, u32),
    ) -> Declaration {
        Declaration {
            id,
            kind,
            parent,
            lines,
            body_hash: 0,
            extends: None,
            implements: Vec::new(),
            arity: None,
            value_type: None,
            alias: None,
            automates: None,
            fires_on: DmlEvents::ALL,
            test: None,
            overrides: false,
            invocable: false,
            initializer_calls: false,
            records_parameters: Vec::new(),
        }
    }

    /// Whether this version of a component makes automation run on DML: a trigger or an
    /// active record-triggered flow, or a flow definition that leaves its flow active.
    /// Switching it off is a behaviour change for the object's writers too.
    pub fn runs_automation(&self) -> bool {
        if self.id.is_type(crate::metadata::types::FLOW_DEFINITION) {
            self.fires_on != DmlEvents::NONE
        } else {
            self.automates.is_some()
        }
    }
}

impl DmlEvents {
    pub const INSERT: DmlEvents = DmlEvents(1);
    pub const UPDATE: DmlEvents = DmlEvents(2);
    pub const DELETE: DmlEvents = DmlEvents(4);
    pub const UNDELETE: DmlEvents = DmlEvents(8);
    pub const NONE: DmlEvents = DmlEvents(0);
    pub const ALL: DmlEvents = DmlEvents(15);

    /// The events of a DML statement keyword or a `Database` method
    /// (`insertAsync`, `updateImmediate`, …): `upsert` is insert or update; `merge`
    /// (an update of the master and deletes of the others) and anything unknown are all.
    pub fn of_operation(name: &str) -> DmlEvents {
        let name = name.to_ascii_lowercase();
        let base = name
            .strip_suffix("async")
            .or_else(|| name.strip_suffix("immediate"))
            .unwrap_or(&name);
        match base {
            "insert" => DmlEvents::INSERT,
            "update" => DmlEvents::UPDATE,
            "upsert" => DmlEvents::INSERT.union(DmlEvents::UPDATE),
            "delete" => DmlEvents::DELETE,
            "undelete" => DmlEvents::UNDELETE,
            _ => DmlEvents::ALL,
        }
    }

    /// The events a trigger framework's hook runs on, by its name (`onBeforeInsert`,
    /// `afterUpdate`, `handleAfterUndelete`: the event ends it); all of them for any
    /// other name.
    pub fn of_hook(name: &str) -> DmlEvents {
        let name = name.to_ascii_lowercase();
        // `undelete` before `delete`, which ends it too.
        let events = [
            ("undelete", DmlEvents::UNDELETE),
            ("insert", DmlEvents::INSERT),
            ("update", DmlEvents::UPDATE),
            ("delete", DmlEvents::DELETE),
        ];
        events
            .into_iter()
            .find(|(event, _)| name.ends_with(event))
            .map_or(DmlEvents::ALL, |(_, events)| events)
    }

    pub const fn union(self, other: DmlEvents) -> DmlEvents {
        DmlEvents(self.0 | other.0)
    }

    pub const fn without(self, other: DmlEvents) -> DmlEvents {
        DmlEvents(self.0 & !other.0)
    }

    pub fn meets(self, other: DmlEvents) -> bool {
        self.0 & other.0 != 0
    }
}

/// What kind of thing a [`Declaration`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeclKind {
    /// A whole metadata component (anything that is not Apex code).
    Component,
    Class,
    Interface,
    Enum,
    Trigger,
    Method,
    Constructor,
    Property,
    Field,
    /// Static or instance initializer block: runs on any use, so a change to one that
    /// runs code is a change to the whole class; one that only sets fields changes
    /// what their readers see.
    Initializer,
    /// The class-level declarations (header, annotations, modifiers) of a class, as a
    /// member named `<class>`: a change there is a change to the whole class.
    ClassHeader,
}

/// Test annotations on a declaration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestMark {
    /// `@IsTest(critical=true)`: always selected.
    pub critical: bool,
    /// `@IsTest(testFor='ApexClass:X, ApexTrigger:Y')`.
    pub test_for: Vec<ComponentId>,
    /// `@TestSetup`: runs before every test method of its class.
    pub setup: bool,
    /// A test method (`@IsTest` / `testMethod` on a method) rather than a test class.
    pub method: bool,
}

/// A reference from a declared node to a target.
///
/// Its names are borrowed (`'a`) when it is decoded from the facts cache's bytes, which
/// the graph does a batch of files at a time: no string is copied. A parser's uses own
/// theirs (`Use<'static>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Use<'a> {
    /// The declared node that holds the reference (a member, or the component).
    pub from: ComponentId,
    #[serde(borrow)]
    pub target: Target<'a>,
    pub kind: EdgeKind,
    /// 1-based line of the reference in this file.
    pub line: u32,
}

/// A type expression as far as the parser can tell it, resolved by the graph.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TypeExpr<'a> {
    /// A type named in code: `Foo`, `Outer.Inner`, `List<Invoice__c>`.
    Named(#[serde(borrow)] Cow<'a, str>),
    /// The return type of `method` called on a value of the inner type.
    ReturnOf(
        #[serde(borrow)] Box<TypeExpr<'a>>,
        #[serde(borrow)] Cow<'a, str>,
    ),
    /// The declared type of field or property `name` of a value of the inner type.
    MemberOf(
        #[serde(borrow)] Box<TypeExpr<'a>>,
        #[serde(borrow)] Cow<'a, str>,
    ),
}

/// A parameter of the method that holds a use ([`Target::DmlThrough`],
/// [`Target::ParameterDml`]): the method's name within its class, and the parameter's
/// position.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OwnParameter<'a> {
    #[serde(borrow)]
    pub method: Cow<'a, str>,
    pub position: u32,
}

impl OwnParameter<'_> {
    pub fn into_owned(self) -> OwnParameter<'static> {
        OwnParameter {
            method: Cow::Owned(self.method.into_owned()),
            position: self.position,
        }
    }
}

/// What a call of a static method passes ([`Target::DmlThrough`]), behind a pointer: a
/// use's target is as large as its largest kind, and these few are the largest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Passed<'a> {
    /// The receiver, member and arity of the call, as in [`Target::Member`].
    #[serde(borrow)]
    pub receiver: TypeExpr<'a>,
    #[serde(borrow)]
    pub member: Cow<'a, str>,
    pub arity: u32,
    /// The argument's position.
    pub position: u32,
    /// The object of the records passed, `*` when their type cannot be told.
    #[serde(borrow)]
    pub object: Cow<'a, str>,
    /// A parameter of the calling method handed on, instead of `object`.
    #[serde(borrow)]
    pub handed: Option<OwnParameter<'a>>,
}

impl Passed<'_> {
    pub fn into_owned(self) -> Passed<'static> {
        Passed {
            receiver: self.receiver.into_owned(),
            member: Cow::Owned(self.member.into_owned()),
            arity: self.arity,
            position: self.position,
            object: Cow::Owned(self.object.into_owned()),
            handed: self.handed.map(OwnParameter::into_owned),
        }
    }
}

/// What a [`Use`] points at, unresolved where only the whole repository can tell.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target<'a> {
    /// An Apex type named in code (declarations, `new`, casts, generics, `instanceof`,
    /// `X.class`, static call receivers). Resolved against inner classes of the using
    /// class first, then top-level classes; unknown names (system types) are dropped,
    /// names ending in `__c`, `__mdt`, … or naming a known object become SObjects.
    ApexType(#[serde(borrow)] Cow<'a, str>),
    /// A member (method, property, field, constructor `<init>`) called or read on a
    /// receiver of known static type. `arity` is `None` for field/property access.
    Member {
        #[serde(borrow)]
        receiver: TypeExpr<'a>,
        #[serde(borrow)]
        member: Cow<'a, str>,
        arity: Option<u32>,
        /// A method called on the caller's own object (`hook()`, `this.hook()`): an
        /// override it reaches runs on that object. False for any other receiver
        /// (`next.hook()`) and for fields, properties and constructors.
        on_this: bool,
    },
    /// A call whose receiver type is unknown: every method of that name and arity in the
    /// repository (conservative; counted in the plan's stats).
    AnyMember {
        #[serde(borrow)]
        member: Cow<'a, str>,
        arity: Option<u32>,
    },
    /// An SObject (read in SOQL/SOSL, written by DML, named as a type).
    SObject(#[serde(borrow)] Cow<'a, str>),
    /// A field `Object.Field`.
    Field {
        #[serde(borrow)]
        object: Cow<'a, str>,
        #[serde(borrow)]
        field: Cow<'a, str>,
    },
    /// A custom label, `Label.X` / `System.Label.X` / `@salesforce/label/c.X`.
    Label(#[serde(borrow)] Cow<'a, str>),
    /// An already-known component (a subflow, an LWC child, a flow of a FlowTest).
    Component(ComponentId),
    /// A string literal that may name a component (a class for `Type.forName`, a static
    /// resource, a permission set). Matched exactly, case-insensitively, to known names;
    /// the resulting edge is the weaker `string-ref`.
    StringLiteral(#[serde(borrow)] Cow<'a, str>),
    /// A DML write of a whole SObject with the events it performs (`insert x` is
    /// `Dml { object, events: INSERT }`), always with [`EdgeKind::Writes`]; `object` is
    /// `*` when the records' type cannot be told. The graph makes it an edge to the
    /// object that carries the events, so the walk passes only automation that runs on
    /// one of them.
    Dml {
        #[serde(borrow)]
        object: Cow<'a, str>,
        events: DmlEvents,
    },
    /// A DML write whose records' type only the whole repository can tell: a field,
    /// property or method of another class (`update model.records`, `insert
    /// Selector.pending()`). The graph resolves the declared type to its object, and
    /// makes it a write of every automated object (`*`) when it cannot.
    DmlOf {
        #[serde(borrow)]
        records: TypeExpr<'a>,
        events: DmlEvents,
    },
    /// Records passed as argument `position` of a call of a static method (the
    /// receiver, member and arity of the call, as in [`Target::Member`]): the caller's
    /// write of them, with the events the method saves that parameter with
    /// ([`Declaration::records_parameters`]) when it saves it, and nothing otherwise. The
    /// records are `object`'s (`*` when their type cannot be told), or, when `handed`
    /// names a parameter of the calling method (a wrapper handing its own caller's
    /// records on), that parameter's: then a write of every object, unless the calling
    /// method saves that parameter for its own callers.
    DmlThrough(#[serde(borrow)] Box<Passed<'a>>),
    /// DML with `events` on a followed parameter of the calling method
    /// ([`Declaration::records_parameters`]): a write of every object unless the method
    /// saves that parameter for its callers, who then write what they pass.
    ParameterDml {
        #[serde(borrow)]
        parameter: OwnParameter<'a>,
        events: DmlEvents,
    },
    /// String values set together on one record: the fields of an SObject constructor
    /// (`new Trigger_Handler__c(Class__c = 'X', Object__c = 'Account')`) or the values of
    /// a custom metadata record. When one names an Apex class and another an SObject, the
    /// record registers the class for the object, the way trigger frameworks configure
    /// their handlers. Makes no edge; the walk uses it at triggers.
    Registration(Vec<String>),
}

impl Use<'_> {
    /// The use with its names copied out of the bytes it was decoded from.
    pub fn into_owned(self) -> Use<'static> {
        Use {
            from: self.from,
            target: self.target.into_owned(),
            kind: self.kind,
            line: self.line,
        }
    }
}

impl TypeExpr<'_> {
    pub fn into_owned(self) -> TypeExpr<'static> {
        let owned = |name: Cow<'_, str>| Cow::Owned(name.into_owned());
        match self {
            TypeExpr::Named(name) => TypeExpr::Named(owned(name)),
            TypeExpr::ReturnOf(inner, name) => {
                TypeExpr::ReturnOf(Box::new(inner.into_owned()), owned(name))
            }
            TypeExpr::MemberOf(inner, name) => {
                TypeExpr::MemberOf(Box::new(inner.into_owned()), owned(name))
            }
        }
    }
}

impl Target<'_> {
    pub fn into_owned(self) -> Target<'static> {
        let owned = |name: Cow<'_, str>| Cow::Owned(name.into_owned());
        match self {
            Target::ApexType(name) => Target::ApexType(owned(name)),
            Target::Member {
                receiver,
                member,
                arity,
                on_this,
            } => Target::Member {
                receiver: receiver.into_owned(),
                member: owned(member),
                arity,
                on_this,
            },
            Target::AnyMember { member, arity } => Target::AnyMember {
                member: owned(member),
                arity,
            },
            Target::SObject(name) => Target::SObject(owned(name)),
            Target::Field { object, field } => Target::Field {
                object: owned(object),
                field: owned(field),
            },
            Target::Label(name) => Target::Label(owned(name)),
            Target::Component(id) => Target::Component(id),
            Target::StringLiteral(text) => Target::StringLiteral(owned(text)),
            Target::Dml { object, events } => Target::Dml {
                object: owned(object),
                events,
            },
            Target::DmlOf { records, events } => Target::DmlOf {
                records: records.into_owned(),
                events,
            },
            Target::DmlThrough(passed) => Target::DmlThrough(Box::new(passed.into_owned())),
            Target::ParameterDml { parameter, events } => Target::ParameterDml {
                parameter: parameter.into_owned(),
                events,
            },
            Target::Registration(values) => Target::Registration(values),
        }
    }

    /// Whether the graph learns a name from this target whether or not a file declares
    /// it: the objects written or queried, labels and components a revision's uses name
    /// (`Graph::known`).
    pub fn names_a_component(&self) -> bool {
        matches!(
            self,
            Target::SObject(_)
                | Target::Dml { .. }
                | Target::Label(_)
                | Target::Component(_)
                | Target::DmlOf { .. }
        )
    }
}

/// The kind of an edge "A uses B". The walk from a change to the tests looks at kinds:
/// automation of an object is reached only through [`EdgeKind::Writes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EdgeKind {
    /// Type named in a declaration, `new`, cast, generic, `instanceof`, `X.class`.
    References,
    /// Method or constructor call, property or field access.
    Calls,
    Extends,
    Implements,
    /// SOQL/SOSL, typed field read.
    Reads,
    /// DML (`insert`, `update`, `upsert`, `delete`, `undelete`, `merge`, `Database.*`).
    Writes,
    /// Object → its automation (trigger, record-triggered flow, validation rule,
    /// required or defaulted field). Added by the graph from `automates`.
    Fires,
    /// Member → the class that declares it; a member change reaches the class's opaque
    /// users (flow actions, `testFor`, string references) through it.
    MemberOf,
    /// `@IsTest(testFor=…)`.
    TestFor,
    /// A Flow test → its flow; a Jest test → its component.
    Tests,
    /// A flow's subflow, Apex action or plugin.
    FlowAction,
    /// LWC/Aura/Visualforce import, child tag, controller.
    Imports,
    /// A custom metadata record or custom setting → its type.
    RecordOf,
    /// A string literal that exactly names a component: weaker evidence.
    StringRef,
    /// A class's type as a value (`X.class`): code holding it may make an instance
    /// (`Type.newInstance()`, an fflib application's factory map), which runs the
    /// class's constructor. Otherwise a reference.
    TypeRef,
    /// Per-test coverage from a recorded run (history).
    CoveredBy,
    /// A test class named for a class it uses (`FooTest` → `Foo`): the class's own test
    /// runs whichever member of the class changed. Added by the graph.
    NamedTest,
    /// A call on a supertype or interface → an override in a subclass or implementation
    /// (class-hierarchy analysis). Added by the graph.
    Dispatches,
    /// A flow → its `FlowDefinition`, which picks the flow's active version: a change to
    /// the definition is a change to the flow. Added by the graph.
    Defines,
    /// A field → an initializer block of its class that names it (assigns or reads it):
    /// when the block runs no code, its change reaches the field's readers, not every
    /// user of the class. Added by the graph.
    Assigns,
}

impl EdgeKind {
    /// Every kind, in declaration order (`every_edge_kind_is_listed` fails to compile
    /// when a kind is added, as a reminder to list it here).
    pub const ALL: [EdgeKind; 20] = [
        EdgeKind::References,
        EdgeKind::Calls,
        EdgeKind::Extends,
        EdgeKind::Implements,
        EdgeKind::Reads,
        EdgeKind::Writes,
        EdgeKind::Fires,
        EdgeKind::MemberOf,
        EdgeKind::TestFor,
        EdgeKind::Tests,
        EdgeKind::FlowAction,
        EdgeKind::Imports,
        EdgeKind::RecordOf,
        EdgeKind::StringRef,
        EdgeKind::CoveredBy,
        EdgeKind::NamedTest,
        EdgeKind::Dispatches,
        EdgeKind::Defines,
        EdgeKind::Assigns,
        EdgeKind::TypeRef,
    ];

    /// The kind [`EdgeKind::as_str`] names, for reading a plan back.
    pub fn from_name(name: &str) -> Option<EdgeKind> {
        EdgeKind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// The name used in plan reasons and `impact why`.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::References => "references",
            EdgeKind::Calls => "calls",
            EdgeKind::Extends => "extends",
            EdgeKind::Implements => "implements",
            EdgeKind::Reads => "reads",
            EdgeKind::Writes => "writes",
            EdgeKind::Fires => "fires",
            EdgeKind::MemberOf => "member-of",
            EdgeKind::TestFor => "test-for",
            EdgeKind::Tests => "tests",
            EdgeKind::FlowAction => "flow-action",
            EdgeKind::Imports => "imports",
            EdgeKind::RecordOf => "record-of",
            EdgeKind::StringRef => "string-ref",
            EdgeKind::CoveredBy => "covered-by",
            EdgeKind::NamedTest => "named-test",
            EdgeKind::Dispatches => "dispatches",
            EdgeKind::Defines => "defines",
            EdgeKind::Assigns => "assigns",
            EdgeKind::TypeRef => "type-ref",
        }
    }
}

impl EdgeKind {
    /// True when a parser writes the use from the dependent side and the graph turns it
    /// around: a custom metadata record names its type, but the type (read by code) uses
    /// its records; a flow definition and a standard value set name their flow and
    /// objects, which use them.
    pub fn points_back(self) -> bool {
        match self {
            EdgeKind::RecordOf | EdgeKind::Defines | EdgeKind::Fires => true,
            EdgeKind::References
            | EdgeKind::Calls
            | EdgeKind::Extends
            | EdgeKind::Implements
            | EdgeKind::Reads
            | EdgeKind::Writes
            | EdgeKind::MemberOf
            | EdgeKind::TestFor
            | EdgeKind::Tests
            | EdgeKind::FlowAction
            | EdgeKind::Imports
            | EdgeKind::StringRef
            | EdgeKind::CoveredBy
            | EdgeKind::NamedTest
            | EdgeKind::Dispatches
            | EdgeKind::Assigns
            | EdgeKind::TypeRef => false,
        }
    }
}

/// Something that kept a parser from reading a file completely.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub line: Option<u32>,
    pub message: String,
}

/// A stable 64-bit FNV-1a hash; `std`'s hasher is not stable across releases, and these
/// hashes are stored in the facts cache.
pub fn stable_hash<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    stable_hash_bytes(parts.into_iter().map(str::as_bytes))
}

/// [`stable_hash`] of parts that need not be text. Each part is closed by a 0xff byte,
/// which no UTF-8 text holds but other bytes may: parts that are not text should be one,
/// or of lengths that tell them apart.
pub fn stable_hash_bytes<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
        // Each part ends with a 0xff byte (which no text part holds).
        hash ^= 0xff;
        hash = hash.wrapping_mul(PRIME);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Facts read back from `bytes` as the cache reads a record's: `None` when they do
    /// not read, or bytes are left over.
    fn read_back(bytes: &[u8]) -> Option<Facts> {
        let buffer = SharedBytes::from(bytes.to_vec());
        let (facts, rest) = Facts::take_shared(&buffer, &buffer)?;
        rest.is_empty().then_some(facts)
    }

    /// The hashes are stored in the facts cache: they must stay FNV-1a over each part's
    /// bytes and a 0xff after each (a part boundary no text holds), whatever the loop.
    #[test]
    fn stable_hash_is_fnv_1a_of_the_parts_each_closed_by_0xff() {
        fn fnv_1a(bytes: &[u8]) -> u64 {
            bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
            })
        }
        // The published FNV-1a 64-bit value of "a".
        assert_eq!(fnv_1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash([]), fnv_1a(b""));
        assert_eq!(stable_hash(["a"]), fnv_1a(b"a\xff"));
        assert_eq!(stable_hash(["ab", "", "c"]), fnv_1a(b"ab\xff\xffc\xff"));
        assert_ne!(stable_hash(["ab", "c"]), stable_hash(["a", "bc"]));
    }

    /// A trigger framework's hook runs on the event its name ends with.
    #[test]
    fn a_hooks_name_tells_its_events() {
        let cases = [
            ("onBeforeInsert", DmlEvents::INSERT),
            ("afterUpdate", DmlEvents::UPDATE),
            ("onAfterDelete", DmlEvents::DELETE),
            ("handleAfterUndelete", DmlEvents::UNDELETE),
            ("ONBEFOREUPDATE", DmlEvents::UPDATE),
            ("execute", DmlEvents::ALL),
        ];
        for (name, events) in cases {
            assert_eq!(DmlEvents::of_hook(name), events, "{name}");
        }
    }

    #[test]
    fn every_edge_kind_is_listed() {
        for kind in EdgeKind::ALL {
            assert_eq!(EdgeKind::from_name(kind.as_str()), Some(kind));
            // Exhaustive: a new kind stops this from compiling until it is in `ALL`.
            let position = match kind {
                EdgeKind::References => 0,
                EdgeKind::Calls => 1,
                EdgeKind::Extends => 2,
                EdgeKind::Implements => 3,
                EdgeKind::Reads => 4,
                EdgeKind::Writes => 5,
                EdgeKind::Fires => 6,
                EdgeKind::MemberOf => 7,
                EdgeKind::TestFor => 8,
                EdgeKind::Tests => 9,
                EdgeKind::FlowAction => 10,
                EdgeKind::Imports => 11,
                EdgeKind::RecordOf => 12,
                EdgeKind::StringRef => 13,
                EdgeKind::CoveredBy => 14,
                EdgeKind::NamedTest => 15,
                EdgeKind::Dispatches => 16,
                EdgeKind::Defines => 17,
                EdgeKind::Assigns => 18,
                EdgeKind::TypeRef => 19,
            };
            assert_eq!(EdgeKind::ALL[position], kind);
        }
        assert_eq!(EdgeKind::from_name("no-such-kind"), None);
    }

    fn declaration(id: &ComponentId, parent: Option<&ComponentId>) -> Declaration {
        Declaration {
            body_hash: 7,
            arity: Some(0),
            ..Declaration::new(id.clone(), DeclKind::Method, parent.cloned(), (1, 2))
        }
    }

    /// A parent declared beside its child is stored by position and reads back as that
    /// declaration's own id, with its casing (the first declaration of its key, as
    /// sharing parents gave it); one declared elsewhere keeps its own. A position past
    /// the declarations is a damaged record.
    #[test]
    fn parents_declared_beside_read_back_as_their_declarations() {
        let class = ComponentId::new("ApexClass", "Invoices");
        let shouted = ComponentId::new("ApexClass", "INVOICES");
        let inner = ComponentId::new("ApexClass", "Invoices.Line");
        let outside = ComponentId::new("ApexClass", "Ledger");
        let facts = Facts {
            declares: vec![
                // Before the class it belongs to, naming it in other casing.
                declaration(&ComponentId::member("Invoices", "total"), Some(&shouted)),
                declaration(&class, None),
                declaration(&inner, Some(&class)),
                declaration(
                    &ComponentId::member("Invoices.Line", "amount"),
                    Some(&inner),
                ),
                declaration(&ComponentId::member("Ledger", "post"), Some(&outside)),
            ],
            uses: Vec::new().into(),
            problems: Vec::new(),
            semantic_hash: 1,
        };
        let bytes = postcard::to_allocvec(&facts).expect("encode");
        let back = read_back(&bytes).expect("decode");
        assert_eq!(back, facts);
        let parents: Vec<Option<&str>> = back
            .declares
            .iter()
            .map(|declaration| declaration.parent.as_ref().map(ComponentId::full_name))
            .collect();
        assert_eq!(
            parents,
            [
                Some("Invoices"),
                None,
                Some("Invoices"),
                Some("Invoices.Line"),
                Some("Ledger")
            ]
        );
        // As a parser's facts have them once their ids are shared.
        let mut shared = facts.clone();
        share_parent_ids(&mut shared.declares);
        let shared_parents: Vec<Option<&str>> = shared
            .declares
            .iter()
            .map(|declaration| declaration.parent.as_ref().map(ComponentId::full_name))
            .collect();
        assert_eq!(parents, shared_parents);

        // The record written by hand, every parent at `position`: past the list, it is
        // damaged.
        let record = |position: u32| {
            let stored: Vec<StoredDeclaration> = facts
                .declares
                .iter()
                .map(|declaration| {
                    let parent = declaration
                        .parent
                        .as_ref()
                        .map(|_| StoredFrom::Declared(position));
                    StoredDeclaration::new(declaration, parent)
                })
                .collect();
            let no_uses = postcard::to_allocvec(&Vec::<StoredUse>::new()).expect("encode");
            let problems: &[Problem] = &[];
            let parameters: Vec<(u32, &[RecordsParameter])> = Vec::new();
            postcard::to_allocvec(&(
                stored,
                parameters,
                EncodedUses(&no_uses),
                0u64,
                EncodedUses(&no_uses),
                problems,
                1u64,
            ))
            .expect("encode")
        };
        let read = read_back(&record(4)).expect("a record written by hand reads");
        assert_eq!(read.declares[0].parent.as_ref(), Some(&read.declares[4].id));
        assert!(read_back(&record(5)).is_none());
    }

    #[test]
    fn facts_read_back_as_written() {
        let class = ComponentId::new("ApexClass", "Invoices");
        let method = ComponentId::member("Invoices", "total");
        // A static method's followed records parameter, kept beside the declarations.
        let mut saver = declaration(&method, Some(&class));
        saver.records_parameters = vec![RecordsParameter {
            position: 1,
            saves: DmlEvents::UPDATE,
            handed: vec![Handoff {
                class: "Checks".into(),
                member: "check".into(),
                position: 0,
            }],
        }];
        let facts = Facts {
            declares: vec![declaration(&class, None), saver],
            uses: vec![
                Use {
                    from: ComponentId::member("invoices", "TOTAL"),
                    target: Target::SObject("Invoice__c".into()),
                    kind: EdgeKind::Reads,
                    line: 3,
                },
                // Held by a node the file does not declare (kept as it is).
                Use {
                    from: ComponentId::new("ApexTrigger", "InvoiceTrigger"),
                    target: Target::ApexType("Invoices".into()),
                    kind: EdgeKind::References,
                    line: 1,
                },
            ]
            .into(),
            problems: vec![Problem {
                line: Some(9),
                message: "x".into(),
            }],
            semantic_hash: 42,
        };
        let bytes = postcard::to_allocvec(&facts).expect("encode");
        let back = read_back(&bytes).expect("decode");
        assert_eq!(back, facts);
        assert_eq!(back.use_count(), 2);
        // The first use is held by the declared method: it reads back with its casing.
        let uses = back.uses().expect("the uses decode");
        assert_eq!(uses[0].from.full_name(), "Invoices.total");
        assert_eq!(uses[1].from.full_name(), "InvoiceTrigger");

        // A cold plan keeps a parser's uses encoded: they read as the cache's do, the
        // naming ones are kept aside, and the cache writes the same bytes.
        let mut encoded = facts.clone();
        encoded.encode_uses();
        assert!(matches!(encoded.uses.0, UsesRepr::Encoded { .. }));
        assert_eq!(encoded, back);
        assert_eq!(encoded.use_count(), 2);
        let naming: Vec<_> = encoded.naming_uses().collect();
        assert_eq!(naming, back.naming_uses().collect::<Vec<_>>());
        assert_eq!(naming.len(), 1, "the SObject names a component: {naming:?}");
        assert_eq!(postcard::to_allocvec(&encoded).expect("encode"), bytes);

        // Read back, the encoded uses are the record's own bytes, not a copy of them.
        let buffer = SharedBytes::from(bytes.clone());
        let (shared, _) = Facts::take_shared(&buffer, &buffer).expect("decode");
        let UsesRepr::Encoded { bytes: uses, .. } = &shared.uses.0 else {
            panic!("uses read back are encoded");
        };
        let within = buffer.as_ptr_range();
        assert!(within.contains(&uses.as_ptr()) && uses.as_ptr_range().end <= within.end);
    }

    /// Reading a record decodes only the uses that name a component: ones that do not
    /// decode are an error (the cache counts the record as damaged). The other uses are
    /// checked when they are read: `Facts::uses` is `None` when they do not decode
    /// exactly into as many uses as the record says, each held by a declaration of the
    /// file, the naming ones those stored apart; never fewer uses, never a panic.
    #[test]
    fn uses_that_do_not_decode_exactly_are_none_not_fewer_and_not_a_panic() {
        let type_name = Target::ApexType("Invoices".into());
        let object = Target::SObject("Invoice__c".into());
        let class = ComponentId::new("ApexClass", "Invoices");
        let declares = [declaration(&class, None)];
        let stored_use = |position, target| StoredUse {
            from: StoredFrom::Declared(position),
            target,
            kind: EdgeKind::References,
            line: 1,
        };
        let encode = |uses: &[StoredUse]| postcard::to_allocvec(uses).expect("encode");
        let record = |uses: &[u8], count: u64, naming: &[u8]| {
            let stored = StoredFacts {
                declares: StoredDeclarations(&declares),
                parameters: Vec::new(),
                uses: EncodedUses(uses),
                count,
                naming: EncodedUses(naming),
                problems: &[],
                semantic_hash: 0,
            };
            postcard::to_allocvec(&stored).expect("encode")
        };
        let read = read_back;
        let none = encode(&[]);
        let one_type = encode(&[stored_use(0, &type_name)]);
        let one_object = encode(&[stored_use(0, &object)]);

        // Intact: one use of a type name, which names no component.
        let facts = read(&record(&one_type, 1, &none)).expect("reads");
        assert_eq!(facts.uses().map(|uses| uses.len()), Some(1));
        // Naming uses that do not decode, or that name nothing, damage the record.
        assert!(read(&record(&one_type, 1, &[0xff, 0xff])).is_none());
        assert!(read(&record(&one_type, 1, &one_type)).is_none());
        // Uses held by a declaration the file does not have, the wrong count, trailing
        // bytes, a naming use the uses lack: read, and `uses()` is None.
        let undeclared = encode(&[stored_use(5, &type_name)]);
        let mut trailing = none.clone();
        trailing.extend(postcard::to_allocvec(&stored_use(0, &type_name)).expect("encode"));
        for (uses, count, naming) in [
            (&undeclared, 1, &none),
            (&one_type, 2, &none),
            (&one_type, u64::MAX, &none),
            (&trailing, 0, &none),
            (&one_type, 1, &one_object),
            (&one_object, 1, &none),
        ] {
            let facts = read(&record(uses, count, naming)).expect("reads");
            assert!(facts.uses().is_none(), "{uses:?} {count} {naming:?}");
        }
        let facts = read(&record(&one_object, 1, &one_object)).expect("reads");
        assert_eq!(facts.uses().map(|uses| uses.len()), Some(1));
        assert_eq!(facts.naming_uses().count(), 1);
    }
}
