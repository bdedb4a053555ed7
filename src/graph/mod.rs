//! The dependency graph: components and Apex members as nodes, "A uses B" as edges.
//!
//! Built from the [`Facts`] of every source file of one revision. This is where names are
//! resolved: an Apex type name to an inner or top-level class, a call to the member it
//! reaches (through declared types and the class hierarchy), a string literal to the
//! component it names. Unresolvable calls fall back to every member of that name
//! (conservative) and are counted. No I/O; building never fails.
//!
//! The graph is opaque: `petgraph` stays inside this module. Callers hold [`NodeIx`] and
//! [`EdgeIx`] handles, read a node or an edge by indexing the graph (`graph[node]`), and
//! ask for the edges around a node ([`Graph::incoming`], [`Graph::outgoing`]) or for
//! what the walk, the policy and coverage need ([`query`]).
//!
//! - `build.rs`: declarations to nodes, uses to edges, the edges added from declarations;
//! - `resolve.rs`: a use's target to the nodes it names;
//! - `query.rs`: owners, owning tests, handlers, automation;
//! - `export.rs`: component edges for `impact graph`, the class-granularity fold;
//! - `names.rs`: name helpers (test stems, short names, type-name parts, namespace
//!   prefixes).
//! - `reuse.rs`: each file's resolved uses, kept between builds of the same declarations.

mod build;
mod export;
mod names;
mod parameters;
mod query;
mod reads;
mod registrations;
mod resolve;
mod reuse;

pub use build::build_pair;
pub use export::{ComponentEdge, Granularity};
pub use names::named_for;
pub use reuse::{Outcome as ReuseOutcome, Resolutions};

use crate::facts::{
    DeclKind, Declaration, DmlEvents, EdgeKind, FileFacts, Target, TestMark, TypeExpr, Use,
};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::sync::Arc;

/// A node of a [`Graph`]: valid only for the graph that returned it.
///
/// Held as the node's position plus one, so that an `Option<NodeIx>` takes four bytes
/// rather than eight: walk states, the users index and edges hold one or two each, by
/// the million.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeIx(NonZeroU32);

impl NodeIx {
    fn new(node: NodeIndex) -> NodeIx {
        // petgraph's last index is reserved, so the sum never saturates.
        NodeIx(NonZeroU32::MIN.saturating_add(node.index() as u32))
    }

    /// The node's petgraph index.
    fn node(self) -> NodeIndex {
        NodeIndex::new(self.ix())
    }

    /// The position of the node, for tables indexed by node.
    fn ix(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// An edge of a [`Graph`]: valid only for the graph that returned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeIx(EdgeIndex);

/// An edge seen from one of its ends: "`from` uses `to`", with its data.
/// The classes of the repository a trigger hands its framework
/// ([`Graph::classes_handed_by`]).
#[derive(Clone, Debug, Default)]
pub struct Handed {
    /// Held by their type: `fflib_SObjectDomain.triggerHandler(Accounts.class)`.
    pub held: Vec<NodeIx>,
    /// Made: `TriggerDispatcher.run(new AccountTriggerHandler())`.
    pub made: Vec<NodeIx>,
}

#[derive(Clone, Copy, Debug)]
pub struct Link<'a> {
    pub id: EdgeIx,
    pub from: NodeIx,
    pub to: NodeIx,
    pub edge: &'a Edge,
}

/// A graph node: a component, an inner class, or an Apex member.
#[derive(Clone, Debug)]
pub struct Node {
    pub id: ComponentId,
    pub kind: DeclKind,
    /// The class that declares a member or inner class.
    pub parent: Option<ComponentId>,
    /// The file that declares the node, as one of the graph's places ([`Graph::file_of`]):
    /// the one that declares it most fully (a class's `.cls`, not its `-meta.xml`), else
    /// the first read. `None` for nodes only referenced (`Account`). A position, not a
    /// path: a large org has a node per member, and the path was a copy for each.
    file: Option<u32>,
    /// First line of the declaration in its file.
    pub line: u32,
    pub test: Option<TestMark>,
    /// Declared type of a field/property, return type of a method.
    pub value_type: Option<String>,
    /// Superclass as resolved, for classes.
    pub superclass: Option<NodeIx>,
    /// True when a file declaring this node could not be parsed completely.
    pub has_problems: bool,
    /// An entry point the platform calls: `start`/`execute`/`finish` of a class that
    /// implements `Database.Batchable`, `Queueable` or `Schedulable`. Code that hands
    /// such a class to `Database.executeBatch`, `System.enqueueJob` or `System.schedule`
    /// runs it without naming the method. Also an `override` of a class built on one the
    /// repository does not declare (a framework's hook, `onBeforeInsert` of a domain
    /// class on a packaged `fflib_SObjectDomain`), which that framework calls, and a
    /// method of such a class that the repository's code does not call, or that is
    /// named like one of those in a class on the same base (an abstract method's
    /// implementation, `getSObjectFieldList()` of a selector on a packaged
    /// `fflib_SObjectSelector`, needs no `override`; [`Graph::mark_implicit_entries`]).
    pub platform_entry: bool,
    /// A class whose methods the platform or a package may call: it, or a superclass,
    /// implements an interface the repository does not declare
    /// (`Messaging.InboundEmailHandler`, a packaged framework's). Code that holds its
    /// name or type (`Type.forName('X')`, `X.class`) may hand an instance to that caller,
    /// which the graph cannot see; any other class's methods run, after such code made
    /// an instance, only through calls the graph sees (`impact::Mode::MethodChanged`).
    pub called_from_outside: bool,
    /// An `@InvocableMethod`, which a flow's Apex action runs (the action names the
    /// class, [`Node::declares_invocable`]).
    pub invocable: bool,
    /// A class that declares an `@InvocableMethod`: a flow's Apex action runs that
    /// method of it, not any other (`impact::Mode::MethodChanged`).
    pub declares_invocable: bool,
    /// A field whose initializer, or an initializer block that, calls a static method of
    /// a type, the platform's too (`Declaration::initializer_calls`): it runs code when
    /// its class loads, whoever's ([`Graph::runs_code`]).
    pub initializer_calls: bool,
    /// The id is a Lightning web component's, or a trigger's. Kept beside the id, which
    /// is behind a pointer: the walk asks them of every edge it looks at.
    lwc_bundle: bool,
    trigger: bool,
}

impl Node {
    /// Whether a file of the revision declares the node (not only referenced, like
    /// `Account` or a `testFor` target that does not exist).
    pub fn has_file(&self) -> bool {
        self.file.is_some()
    }

    /// Whether the node is a Lightning web component (`LightningComponentBundle`).
    pub fn is_lwc_bundle(&self) -> bool {
        self.lwc_bundle
    }

    /// Whether the node is an Apex trigger.
    pub fn is_trigger(&self) -> bool {
        self.trigger
    }
}

/// An edge "A uses B": its kind and where it was found.
#[derive(Clone, Debug)]
pub struct Edge {
    pub kind: EdgeKind,
    pub at: At,
    /// For a write: the DML events it performs; for a firing (object → automation): the
    /// events the automation runs on. All events for every other kind.
    pub events: DmlEvents,
    /// For a call: the class of the receiver's static type (`handler.run()` with
    /// `handler` declared `InvoiceHandler`), when it resolves to one class of the
    /// repository and every call the edge stands for has it; `None` when unknown.
    pub receiver: Option<NodeIx>,
    /// For a call: every call the edge stands for is on the caller's own object
    /// (`hook()`, `this.hook()`), so an override it dispatches to runs on that object.
    /// False when one is on another object (`next.hook()`) or it is not a call.
    pub on_this: bool,
}

/// Where an edge was found: a file and a line, shown `file:line`, or a note (recorded
/// coverage). The file or note is one of the graph's places ([`Graph::place`],
/// [`Graph::show_at`]): an edge holds its position in that list, so a graph's million
/// edges hold eight bytes each for where they were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    place: u32,
    /// 1-based; 0 for a note.
    line: u32,
}

impl At {
    /// Line `line` of the file at `place` ([`Graph::place`]).
    fn new(place: u32, line: u32) -> At {
        At { place, line }
    }

    /// A note (at `place`) in place of a location.
    fn note(place: u32) -> At {
        At { place, line: 0 }
    }
}

/// An [`At`] shown with its graph's place: `file:line`, or the note.
pub struct ShownAt<'a> {
    place: &'a str,
    line: u32,
}

impl std::fmt::Display for ShownAt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            f.write_str(self.place)
        } else {
            write!(f, "{}:{}", self.place, self.line)
        }
    }
}

/// How many of a node's edges out [`Graph::find_edge`] reads before it walks the other
/// end's edges in beside them.
const FEW_EDGES: usize = 32;

/// The share of a graph's edges (numerator, denominator) that walks follow through its
/// lists of edges before [`Graph::followed`] lays out rows of positions ([`Links`]). Each
/// walk of a plan of one commit of the 10,000-class org follows fewer than a thousand of
/// its 1.1 million edges, and each of the plans of twelve NPSP merges at most 1,460: they
/// lay out nothing. A change to a class the whole org uses follows 1.4 million, and with the
/// rows laid out after an eighth, its walk took 180 rather than 224 ms, and the walks
/// that find each deployed class's covering test 39 rather than 51 (medians of seven).
const ROWS_AFTER: (usize, usize) = (1, 8);

/// How many parents the search for a node's top-level node climbs at most: real Apex
/// nests one class in another, and a cycle of parents in broken facts must end.
const MAX_NESTING: usize = 16;

/// How many classes a superclass chain climbs at most: real chains are short, and the
/// bound ends a cycle (`A extends B extends A`) in broken code.
const MAX_SUPERCLASSES: usize = 64;

/// How a member of a class is named in [`Graph::members`]: its class's node and its
/// folded name.
#[derive(Debug)]
struct MemberKey {
    class: NodeIx,
    name: names::MemberName,
}

/// A member of a class as [`Graph::members`] is asked for it: a [`MemberKey`], or a
/// class and a name borrowed from elsewhere (no key built for a lookup). Hashed and
/// compared by the class and the name, whichever it is.
trait MemberLookup {
    fn class(&self) -> NodeIx;
    fn name(&self) -> &str;
}

impl MemberLookup for MemberKey {
    fn class(&self) -> NodeIx {
        self.class
    }

    fn name(&self) -> &str {
        self.name.as_str()
    }
}

impl MemberLookup for (NodeIx, &str) {
    fn class(&self) -> NodeIx {
        self.0
    }

    fn name(&self) -> &str {
        self.1
    }
}

impl std::hash::Hash for dyn MemberLookup + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.class().hash(state);
        self.name().hash(state);
    }
}

impl PartialEq for dyn MemberLookup + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.class() == other.class() && self.name() == other.name()
    }
}

impl Eq for dyn MemberLookup + '_ {}

// A key hashes and compares as its lookup does, as `Borrow` requires.
impl std::hash::Hash for MemberKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self as &dyn MemberLookup).hash(state);
    }
}

impl PartialEq for MemberKey {
    fn eq(&self, other: &Self) -> bool {
        (self as &dyn MemberLookup) == (other as &dyn MemberLookup)
    }
}

impl Eq for MemberKey {}

impl<'a> std::borrow::Borrow<dyn MemberLookup + 'a> for MemberKey {
    fn borrow(&self) -> &(dyn MemberLookup + 'a) {
        self
    }
}

/// Each node's children (the nodes whose [`Node::parent`] it is), in node order: one
/// list of every child, grouped by parent. A map to a list per parent took an allocation
/// per class and a hash per node (at 10,000 classes, a fifth of indexing the tests,
/// which a warm plan does on one core).
#[derive(Debug, Default)]
struct Children {
    /// Where each node's children start in `nodes`; one more entry than nodes, so a
    /// node's end is the next node's start.
    starts: Vec<u32>,
    nodes: Vec<NodeIx>,
}

impl Children {
    /// The children of every node, from each node's parent (indexed by node; a parent
    /// past the nodes is no node's).
    fn new(parents: &[Option<NodeIx>]) -> Children {
        let parent_of =
            |position: usize| parents[position].filter(|parent| parent.ix() < parents.len());
        let mut starts = vec![0u32; parents.len() + 1];
        for position in 0..parents.len() {
            if let Some(parent) = parent_of(position) {
                starts[parent.ix() + 1] += 1;
            }
        }
        for position in 1..starts.len() {
            starts[position] += starts[position - 1];
        }
        // Each parent's next free place, filled in node order.
        let mut next = starts.clone();
        let mut nodes = Vec::new();
        nodes.resize(
            starts[parents.len()] as usize,
            NodeIx::new(NodeIndex::new(0)),
        );
        for position in 0..parents.len() {
            if let Some(parent) = parent_of(position) {
                let slot = &mut next[parent.ix()];
                nodes[*slot as usize] = NodeIx::new(NodeIndex::new(position));
                *slot += 1;
            }
        }
        Children { starts, nodes }
    }

    /// The children of `node`, in node order; none for a node added after the lists.
    fn of(&self, node: NodeIx) -> &[NodeIx] {
        match (self.starts.get(node.ix()), self.starts.get(node.ix() + 1)) {
            (Some(&start), Some(&end)) => &self.nodes[start as usize..end as usize],
            _ => &[],
        }
    }
}

/// The resolved dependency graph of one revision.
#[derive(Debug, Default)]
pub struct Graph {
    /// The edges, and each node's lists of edges in and out; the nodes themselves are
    /// `nodes`, at the same positions. Adding an edge writes both ends' list heads in
    /// petgraph's node table: with each node's data beside its heads (150 bytes a node,
    /// 23 MB at 10,000 classes) every edge to a node added long before missed the cache;
    /// eight bytes a node (1.2 MB) stay in it.
    graph: DiGraph<(), Edge>,
    /// Every node, by position ([`NodeIx`]).
    nodes: Vec<Node>,
    /// The files and notes edges were found at ([`At`]), each once.
    places: Vec<Arc<str>>,
    place_index: HashMap<Arc<str>, u32>,
    /// Every node by its id, looked up by key (`&str`); keyed by the node's own id, so
    /// the key is not a second copy of it.
    index: HashMap<ComponentId, NodeIx>,
    /// The project's namespace prefix, folded, with its separator (`bill__`): a name
    /// written with it finds the project's own object or field ([`Graph::indexed`]).
    namespace: Option<String>,
    members: HashMap<MemberKey, NodeIx>,
    /// Each member, in the order first declared under its class, with where its name
    /// starts in its full name: what [`Graph::members_by_name`] is built from.
    declared_members: Vec<(NodeIx, u32)>,
    /// Every member of a name (folded), in the order declared; built when a use first
    /// falls back to it ([`Graph::any_member`]), which a build whose uses were all
    /// resolved before never does.
    members_by_name: std::sync::OnceLock<HashMap<String, Vec<NodeIx>>>,
    subclasses: HashMap<NodeIx, Vec<NodeIx>>,
    /// Components named in code without their container (a record type without its
    /// object, an email template without its folder, a custom field without its
    /// object), by that short name, for string references.
    short_names: HashMap<String, Vec<NodeIx>>,
    /// The objects whose lookups name a child relationship, by the relationship as its
    /// parent's records reach it (`account.plans__r`, folded): `Plan__c` for a lookup
    /// `Plan__c.Account__c` whose relationship name is `Plans`.
    child_relationships: HashMap<String, Vec<String>>,
    /// Members and inner classes of each class, directly declared.
    children: Children,
    /// The test each node belongs to (see [`Graph::test_owner`]), computed once.
    test_owners: Vec<Option<NodeIx>>,
    /// Each node's top-level node (see [`Graph::top_level`]), computed with the test
    /// owners from the same parents: the walk asks it of every string reference it
    /// steps over, and the named-test pass of every edge out of a test class.
    tops: Vec<NodeIx>,
    /// Classes (and flows) registered for objects by configuration records (see
    /// [`Target::Registration`]): handler → objects.
    registrations: HashMap<NodeIx, BTreeSet<NodeIx>>,
    /// While building: each configuration record's strings, with the custom metadata
    /// record that holds them (none for a record Apex builds).
    pending_registrations: Vec<(Option<NodeIx>, Vec<String>)>,
    /// While building: the custom metadata records that register each handler, in
    /// order.
    registered_by: HashMap<NodeIx, Vec<NodeIx>>,
    /// The hooks (and flows) each custom metadata record registers, which fire for the
    /// objects it names ([`Graph::registered_hooks`]).
    record_hooks: HashMap<NodeIx, Vec<NodeIx>>,
    /// The classes that implement an interface the repository does not declare (a
    /// platform's, or a packaged framework's: `TriggerAction.BeforeInsert`), in
    /// declaration order: their hooks run for the objects records register them for
    /// ([`Graph::fire_registered_hooks`]).
    interface_classes: Vec<NodeIx>,
    /// The classes that implement an interface the repository does not declare and whose
    /// calls `impact` does not model (a packaged framework's `Triggers.IHandler`, the
    /// platform's `InstallHandler`; not `Queueable` or `Comparable`, whose calls it
    /// does): the caller outside may run any of their methods
    /// ([`Graph::mark_implicit_entries`]).
    foreign_interface_classes: HashSet<NodeIx>,
    /// The classes whose superclass is named but not declared (a framework's base class
    /// installed as a package, `fflib_SObjectSelector`, or the platform's), with that
    /// name, folded: the base class's code calls their hooks
    /// ([`Graph::mark_framework_hooks`], [`Graph::mark_implicit_entries`]).
    on_foreign_base: HashMap<NodeIx, Box<str>>,
    /// The followed records parameters of static methods, settled across the revision
    /// ([`Graph::settle_parameters`]): what [`Target::DmlThrough`] and
    /// [`Target::ParameterDml`] resolve against.
    parameters: parameters::Settled,
    /// Calls whose receiver could not be resolved and fell back to every member of that
    /// name.
    n_unresolved_calls: usize,
    /// In a graph folded to classes ([`Graph::fold_to_classes`]): the classes that held
    /// executable code before the fold, which [`Graph::has_executable_code`] cannot see
    /// in members that are gone. `None` in a graph of members.
    folded_code: Option<HashSet<NodeIx>>,
    /// While building: what the revision's uses name (see [`Graph::known`]).
    named: HashSet<ComponentId>,
    /// While building: nodes below this position are declarations.
    n_declared: usize,
    /// Files whose cached uses did not decode (see [`Graph::undecodable`]).
    undecodable: Vec<String>,
    /// Every node's users, contiguous, once [`Graph::index_users`] or
    /// [`Graph::followed`] laid them out; dropped when a node or an edge is added or an
    /// edge changes.
    users: std::sync::OnceLock<Users>,
    /// How many edges walks followed through the lists ([`Graph::followed`]). Not reset
    /// when an added edge drops the rows: the walks that follow lay them out again at
    /// once, having shown they follow many.
    followed: std::sync::atomic::AtomicUsize,
}

/// What a walk reads of an edge into a node: who uses it, over which edge, of what kind,
/// with the data the walk's rules look at.
#[derive(Clone, Copy, Debug)]
pub struct UserLink {
    pub id: EdgeIx,
    pub from: NodeIx,
    pub kind: EdgeKind,
    pub events: DmlEvents,
    /// See [`Edge::receiver`].
    pub receiver: Option<NodeIx>,
    /// See [`Edge::on_this`].
    pub on_this: bool,
}

impl UserLink {
    fn of(link: Link<'_>) -> UserLink {
        UserLink {
            id: link.id,
            from: link.from,
            kind: link.edge.kind,
            events: link.edge.events,
            receiver: link.edge.receiver,
            on_this: link.edge.on_this,
        }
    }
}

/// The incoming edges of every node in compressed rows: node `n`'s are
/// `links[starts[n]..starts[n + 1]]`, in the order [`Graph::incoming`] gives them. A walk
/// over a large graph follows petgraph's linked lists of edges, and cannot ask for an
/// edge before it has read the one before (a cache miss at every step); in a row it knows
/// them all.
#[derive(Debug)]
struct Users {
    starts: Vec<u32>,
    links: Links,
}

/// What a row holds of each edge.
#[derive(Debug)]
enum Links {
    /// What a walk reads of it, in the row: for many walks (`impact hotspots` of the
    /// 10,000-class org took 6.5-6.8 s, and 8.0-8.2 s over positions, three runs each).
    Copies(Vec<UserLink>),
    /// Its position, the edge read where the graph keeps it: four bytes an edge rather
    /// than sixteen, for the walks of one plan, whose walk over most of a 10,000-class
    /// org comes near the 300 MB it is measured against (with copies: its walk 158 rather
    /// than 176 ms, the deployed classes' walks 26 rather than 39, the peak 299 rather
    /// than 285 MB, medians of seven). Tried again once warm plans kept their facts'
    /// uses in the mapped cache (50-60 MB off their peak): a cold plan, which reads no
    /// cache, of the same change peaked at 337-339 MB with copies, 324-325 without.
    Positions(Vec<u32>),
}

/// Which [`Links`] to lay out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Copies,
    Positions,
}

impl std::ops::Index<NodeIx> for Graph {
    type Output = Node;

    fn index(&self, node: NodeIx) -> &Node {
        &self.nodes[node.ix()]
    }
}

impl std::ops::IndexMut<NodeIx> for Graph {
    fn index_mut(&mut self, node: NodeIx) -> &mut Node {
        &mut self.nodes[node.ix()]
    }
}

impl std::ops::Index<EdgeIx> for Graph {
    type Output = Edge;

    fn index(&self, edge: EdgeIx) -> &Edge {
        &self.graph[edge.0]
    }
}

impl std::ops::IndexMut<EdgeIx> for Graph {
    fn index_mut(&mut self, edge: EdgeIx) -> &mut Edge {
        self.users.take();
        &mut self.graph[edge.0]
    }
}

impl Graph {
    /// The node of a component or member, if the graph has it.
    pub fn node(&self, id: &ComponentId) -> Option<NodeIx> {
        self.indexed(id.key())
    }

    /// The node of `key`, or in a project with a namespace, of its custom object or field
    /// written with the prefix (`customobject:bill__order__c` is the project's
    /// `Order__c`, as a packaged org names it; Apex in the package may write either).
    /// A name the revision declares with the prefix is its own.
    #[inline]
    pub(super) fn indexed(&self, key: &str) -> Option<NodeIx> {
        match self.index.get(key) {
            Some(&node) => Some(node),
            None => self.indexed_in_namespace(key),
        }
    }

    /// [`Graph::indexed`] of a key the index does not hold.
    #[cold]
    fn indexed_in_namespace(&self, key: &str) -> Option<NodeIx> {
        let namespace = self.namespace.as_deref()?;
        let own = names::without_own_namespace(key, namespace)?;
        self.index.get(own.as_str()).copied()
    }

    /// The member of `class` itself whose folded name is `folded` (no key built).
    pub(super) fn member(&self, class: NodeIx, folded: &str) -> Option<NodeIx> {
        self.members
            .get(&(class, folded) as &dyn MemberLookup)
            .copied()
    }

    /// `class` and its superclasses, nearest first ([`MAX_SUPERCLASSES`] at most).
    pub(super) fn superclass_chain(&self, class: NodeIx) -> impl Iterator<Item = NodeIx> + '_ {
        std::iter::successors(Some(class), |&class| self[class].superclass).take(MAX_SUPERCLASSES)
    }

    /// All nodes, for callers that scan (tests, reports).
    pub fn nodes(&self) -> impl Iterator<Item = (NodeIx, &Node)> {
        self.node_ixs().map(move |index| (index, &self[index]))
    }

    /// Every node, in the order they were added.
    fn node_ixs(&self) -> impl Iterator<Item = NodeIx> {
        self.graph.node_indices().map(NodeIx::new)
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// The edges into `node`: its users ("`from` uses `node`"), newest edge first.
    pub fn incoming(&self, node: NodeIx) -> impl Iterator<Item = Link<'_>> {
        self.graph
            .edges_directed(node.node(), Direction::Incoming)
            .map(link)
    }

    /// The edges out of `node`: what it uses ("`node` uses `to`"), newest edge first.
    pub fn outgoing(&self, node: NodeIx) -> impl Iterator<Item = Link<'_>> {
        self.graph
            .edges_directed(node.node(), Direction::Outgoing)
            .map(link)
    }

    /// The edge of `kind` from `from` to `to`, if there is one. It walks `from`'s
    /// outgoing and `to`'s incoming edges side by side and stops when either list ends
    /// (such an edge is in both), so the cost is the smaller degree: a class with tens of
    /// thousands of members, or a constant every method reads, would make a one-sided
    /// search quadratic over a build.
    fn find_edge(&self, from: NodeIx, to: NodeIx, kind: EdgeKind) -> Option<EdgeIx> {
        // Most nodes have few edges out, and those were added just before, near each
        // other in memory; a popular node's edges in were added by files all over the
        // revision, and each step along them missed the cache (three quarters of adding a
        // 10,000-class org's uses). So the edges out are read first, and only a node with
        // many of them makes the walk side by side worth it; it goes on from there.
        let mut outgoing = self.outgoing(from);
        for _ in 0..FEW_EDGES {
            match outgoing.next() {
                None => return None,
                Some(out) if out.to == to && out.edge.kind == kind => return Some(out.id),
                Some(_) => {}
            }
        }
        let mut incoming = self.incoming(to);
        loop {
            let (Some(out), Some(inc)) = (outgoing.next(), incoming.next()) else {
                return None;
            };
            if let Some(found) = [out, inc]
                .into_iter()
                .find(|link| link.from == from && link.to == to && link.edge.kind == kind)
            {
                return Some(found.id);
            }
        }
    }

    /// Every edge, in the order they were added.
    pub fn edges(&self) -> impl Iterator<Item = Link<'_>> {
        self.graph.edge_references().map(link)
    }

    /// Every edge of `kind`, in the order they were added.
    pub fn edges_of_kind(&self, kind: EdgeKind) -> impl Iterator<Item = Link<'_>> {
        self.edges().filter(move |link| link.edge.kind == kind)
    }

    /// Calls whose receiver could not be resolved and fell back to every member of that
    /// name.
    pub fn unresolved_calls(&self) -> usize {
        self.n_unresolved_calls
    }

    /// The full names of what the node `from` writes, sorted: for the tests of what a
    /// write saves.
    #[cfg(test)]
    pub(crate) fn written_by(&self, from: &ComponentId) -> Vec<String> {
        self.used_by(from, EdgeKind::Writes)
    }

    /// The full names of what the node `from` reads, sorted: for the tests of what a
    /// read reaches.
    #[cfg(test)]
    pub(crate) fn read_by(&self, from: &ComponentId) -> Vec<String> {
        self.used_by(from, EdgeKind::Reads)
    }

    /// The full names of what the node `from` uses over edges of `kind`, sorted.
    #[cfg(test)]
    pub(crate) fn used_by(&self, from: &ComponentId, kind: EdgeKind) -> Vec<String> {
        let node = self.node(from).expect("declared");
        let mut used: Vec<String> = self
            .outgoing(node)
            .filter(|link| link.edge.kind == kind)
            .map(|link| self[link.to].id.full_name().to_string())
            .collect();
        used.sort();
        used.dedup();
        used
    }

    /// Every node and edge as they are, in order (an edge with all its data and where it
    /// was found), then the unresolved calls and the registrations: what two builds of
    /// the same files must agree on, for the tests and fuzz targets that compare builds.
    #[doc(hidden)]
    pub fn dump(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .nodes()
            .map(|(ix, node)| format!("{ix:?} {node:?}"))
            .collect();
        for ix in self.node_ixs() {
            for link in self.outgoing(ix) {
                let at = self.show_at(link.edge.at);
                lines.push(format!(
                    "{:?} {:?} {:?} {:?} {at}",
                    link.id, link.from, link.to, link.edge
                ));
            }
        }
        lines.push(format!("unresolved calls {}", self.n_unresolved_calls));
        let registrations: std::collections::BTreeMap<_, _> = self.registrations.iter().collect();
        lines.push(format!("registrations {registrations:?}"));
        lines
    }

    fn add_node(&mut self, node: Node) -> NodeIx {
        self.users.take();
        self.nodes.push(node);
        NodeIx::new(self.graph.add_node(()))
    }

    /// Files whose uses, read from the facts cache, did not decode when the graph read
    /// them ([`crate::facts::Facts::uses`]: a record whose checksum matched but whose content this
    /// version did not write). The graph lacks their edges, so it must not be walked: the
    /// caller parses them again and builds the graph anew.
    pub fn undecodable(&self) -> &[String] {
        &self.undecodable
    }

    /// Room for a revision's declarations (each a node, most of them members) and its
    /// files (each a place).
    pub(super) fn reserve_declarations(&mut self, declarations: usize, files: usize) {
        self.graph.reserve_nodes(declarations);
        self.nodes.reserve(declarations);
        self.index.reserve(declarations);
        self.members.reserve(declarations);
        self.places.reserve(files);
        self.place_index.reserve(files);
    }

    /// The position of `text` (a file, or a note) among the graph's places, added when
    /// new.
    fn place(&mut self, text: &str) -> u32 {
        if let Some(&place) = self.place_index.get(text) {
            return place;
        }
        let place = u32::try_from(self.places.len()).unwrap_or(u32::MAX);
        let text: Arc<str> = Arc::from(text);
        self.places.push(text.clone());
        self.place_index.insert(text, place);
        place
    }

    /// The file that declares the node ([`Node::has_file`]).
    pub fn file_of(&self, index: NodeIx) -> Option<&str> {
        let place = self[index].file?;
        self.places.get(place as usize).map(|place| &**place)
    }

    /// Where `at` is, as the plan shows it: `file:line`, or the note.
    pub fn show_at(&self, at: At) -> ShownAt<'_> {
        ShownAt {
            place: self.places.get(at.place as usize).map_or("", |place| place),
            line: at.line,
        }
    }

    fn add_raw_edge(&mut self, from: NodeIx, to: NodeIx, edge: Edge) -> EdgeIx {
        self.users.take();
        EdgeIx(self.graph.add_edge(from.node(), to.node(), edge))
    }

    /// Lays out every node's users in rows ([`Users`]) of copies, for the many walks that
    /// follow (`impact hotspots`). A plan's walks lay out rows of positions themselves
    /// once they have followed a good part of the graph's edges ([`Graph::followed`]),
    /// not before its few short ones (10,000 classes: 10 ms to lay out 1.1 million edges'
    /// positions, against a 1 ms walk for a change to one method).
    pub fn index_users(&self) {
        self.lay_out_users(Layout::Copies);
    }

    fn lay_out_users(&self, layout: Layout) {
        self.users.get_or_init(|| {
            // Edges are read where they are stored: following each node's list of edges
            // missed the cache at every step. A node's list holds its edges newest first,
            // and edges are never removed, so reading them from the last to the first
            // fills each row in the list's order. Positions fit in 32 bits, as petgraph's
            // indices do.
            let edges = self.graph.raw_edges();
            let mut starts = vec![0u32; self.node_count() + 1];
            for edge in edges {
                starts[edge.target().index() + 1] += 1;
            }
            for node in 0..self.node_count() {
                starts[node + 1] += starts[node];
            }
            let mut next = starts.clone();
            let mut positions = vec![0u32; edges.len()];
            for (position, edge) in edges.iter().enumerate().rev() {
                let slot = &mut next[edge.target().index()];
                positions[*slot as usize] = position as u32;
                *slot += 1;
            }
            let links = match layout {
                Layout::Positions => Links::Positions(positions),
                Layout::Copies => Links::Copies(
                    positions
                        .par_iter()
                        .map(|&position| user_link(edges, position))
                        .collect(),
                ),
            };
            Users { starts, links }
        });
    }

    /// Counts `edges` more that a walk followed through the graph's lists of edges, and
    /// lays out rows of their positions ([`Links::Positions`]) once walks have followed
    /// [`ROWS_AFTER`] of the graph's edges: what a change to one method walks never pays
    /// for them, and a change reaching most of the org walks the rest over them.
    pub fn followed(&self, edges: usize) {
        if self.users.get().is_some() {
            return;
        }
        let before = self
            .followed
            .fetch_add(edges, std::sync::atomic::Ordering::Relaxed);
        if (before + edges) * ROWS_AFTER.1 > self.graph.edge_count() * ROWS_AFTER.0 {
            self.lay_out_users(Layout::Positions);
        }
    }

    /// The edges into `node`, as [`Graph::incoming`] gives them, read from the rows once
    /// they are laid out.
    #[inline]
    pub fn users_of(&self, node: NodeIx) -> UsersOf<'_> {
        match self.users.get() {
            Some(users) => {
                let row = users.starts[node.ix()] as usize..users.starts[node.ix() + 1] as usize;
                match &users.links {
                    Links::Copies(links) => UsersOf(Rows::Copies(links[row].iter())),
                    Links::Positions(positions) => UsersOf(Rows::Positions(
                        self.graph.raw_edges(),
                        positions[row].iter(),
                    )),
                }
            }
            None => UsersOf(Rows::Edges(
                self.graph.edges_directed(node.node(), Direction::Incoming),
            )),
        }
    }
}

/// The iterator of [`Graph::users_of`]; opaque, as petgraph stays in this module.
pub struct UsersOf<'a>(Rows<'a>);

/// Where [`UsersOf`] reads a node's users from.
enum Rows<'a> {
    Copies(std::slice::Iter<'a, UserLink>),
    /// The graph's edges, and the positions of a row.
    Positions(&'a [petgraph::graph::Edge<Edge>], std::slice::Iter<'a, u32>),
    /// The node's list of edges, not laid out.
    Edges(petgraph::graph::Edges<'a, Edge, petgraph::Directed>),
}

impl Iterator for UsersOf<'_> {
    type Item = UserLink;

    // Inlined into the walk, which calls it for every edge it follows (not inlined, a
    // walk of `impact hotspots` took a quarter longer).
    #[inline]
    fn next(&mut self) -> Option<UserLink> {
        match &mut self.0 {
            Rows::Copies(row) => row.next().copied(),
            Rows::Positions(edges, row) => row.next().map(|&position| user_link(edges, position)),
            Rows::Edges(edges) => edges.next().map(|edge| UserLink::of(link(edge))),
        }
    }
}

/// What a walk reads of the edge at `position` of the graph's `edges`.
#[inline]
fn user_link(edges: &[petgraph::graph::Edge<Edge>], position: u32) -> UserLink {
    let edge = &edges[position as usize];
    UserLink::of(Link {
        id: EdgeIx(EdgeIndex::new(position as usize)),
        from: NodeIx::new(edge.source()),
        to: NodeIx::new(edge.target()),
        edge: &edge.weight,
    })
}

fn link(edge: petgraph::graph::EdgeReference<'_, Edge>) -> Link<'_> {
    Link {
        id: EdgeIx(edge.id()),
        from: NodeIx::new(edge.source()),
        to: NodeIx::new(edge.target()),
        edge: edge.weight(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first node is a valid id, and an optional id takes four bytes (what the
    /// position-plus-one layout is for).
    #[test]
    fn node_ids_round_trip_and_options_of_them_take_four_bytes() {
        let mut graph = Graph::default();
        let first = graph.intern(&ComponentId::new("ApexClass", "First"), DeclKind::Class);
        let second = graph.intern(&ComponentId::new("ApexClass", "Second"), DeclKind::Class);
        assert_eq!((first.ix(), second.ix()), (0, 1));
        assert_eq!(graph[first].id.full_name(), "First");
        assert_eq!(graph.node_ixs().collect::<Vec<_>>(), vec![first, second]);
        assert_eq!(std::mem::size_of::<Option<NodeIx>>(), 4);
    }

    /// Each node's children are the nodes that name it their parent, in node order,
    /// whatever order the parents come in; a node without children, or added after the
    /// lists were made, has none, and a parent past the nodes has no children.
    #[test]
    fn children_are_listed_by_parent_in_node_order() {
        let node = |position: u32| NodeIx(NonZeroU32::MIN.saturating_add(position));
        let parents = [
            None,
            Some(node(3)),
            Some(node(0)),
            None,
            Some(node(3)),
            Some(node(0)),
            Some(node(1)),
            Some(node(100)),
        ];
        let children = Children::new(&parents);
        assert_eq!(children.of(node(0)), [node(2), node(5)]);
        assert_eq!(children.of(node(1)), [node(6)]);
        assert_eq!(children.of(node(3)), [node(1), node(4)]);
        for childless in [2, 4, 5, 6, 7, 100] {
            assert!(children.of(node(childless)).is_empty(), "{childless}");
        }
        assert!(Children::new(&[]).of(node(0)).is_empty());
    }

    /// An edge is found whether its source has few edges out (read alone) or more than
    /// [`FEW_EDGES`] (then read beside the target's edges in), and an edge that is not
    /// there is not found: adding it again joins the one there.
    #[test]
    fn edges_are_found_from_nodes_of_few_and_many_edges_out() {
        let mut graph = Graph::default();
        let mut class =
            |name: &str| graph.intern(&ComponentId::new("ApexClass", name), DeclKind::Class);
        let (hub, lone) = (class("Hub"), class("Lone"));
        let targets: Vec<NodeIx> = (0..FEW_EDGES * 3)
            .map(|n| class(&format!("T{n}")))
            .collect();
        let at = At::new(0, 1);
        for &target in &targets {
            graph.add_edge(hub, target, EdgeKind::Calls, at);
        }
        graph.add_edge(lone, targets[0], EdgeKind::Calls, at);
        // The first edges added are the last read.
        for (n, &target) in targets.iter().enumerate() {
            assert!(
                graph.find_edge(hub, target, EdgeKind::Calls).is_some(),
                "T{n}"
            );
            assert!(
                graph.find_edge(hub, target, EdgeKind::Reads).is_none(),
                "T{n}"
            );
            assert!(
                graph.find_edge(target, hub, EdgeKind::Calls).is_none(),
                "T{n}"
            );
        }
        assert!(graph.find_edge(lone, targets[0], EdgeKind::Calls).is_some());
        assert!(graph.find_edge(lone, targets[1], EdgeKind::Calls).is_none());
        let edges = graph.graph.edge_count();
        graph.add_edge(hub, targets[0], EdgeKind::Calls, at);
        assert_eq!(graph.graph.edge_count(), edges);
    }

    /// Rows of either layout give each node's users as its list of edges does, in its
    /// order (newest first), edges joined by a repeat and edges of every kind included;
    /// walks lay out rows of positions once they have followed an eighth of the graph's
    /// edges ([`ROWS_AFTER`]).
    #[test]
    fn rows_of_users_are_the_lists_of_edges_and_are_laid_out_after_an_eighth() {
        let mut graph = Graph::default();
        let nodes: Vec<NodeIx> = (0..40)
            .map(|n| {
                graph.intern(
                    &ComponentId::new("ApexClass", &format!("C{n}")),
                    DeclKind::Class,
                )
            })
            .collect();
        let kinds = [
            EdgeKind::Calls,
            EdgeKind::Reads,
            EdgeKind::Writes,
            EdgeKind::References,
        ];
        // A fixed sequence that reaches most pairs, some of them again (joined).
        let mut state = 7u64;
        for line in 1..=800 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pick = (state >> 33) as usize;
            let (from, to) = (nodes[pick % 40], nodes[(pick / 40) % 40]);
            let kind = kinds[(pick / 1600) % kinds.len()];
            let id = graph.add_edge(from, to, kind, At::new(0, line));
            if line % 3 == 0 {
                graph[id].receiver = Some(nodes[pick % 7]);
                graph[id].on_this = true;
            }
        }
        let edges = graph.graph.edge_count();
        assert!(edges > 300 && edges < 800, "{edges} edges: some joined");
        // What a walk reads of a node's users, and what its list of edges holds.
        type Read = (EdgeIx, NodeIx, EdgeKind, DmlEvents, Option<NodeIx>, bool);
        let read = |graph: &Graph, node: NodeIx| -> Vec<Read> {
            graph
                .users_of(node)
                .map(|u| (u.id, u.from, u.kind, u.events, u.receiver, u.on_this))
                .collect()
        };
        let listed = |graph: &Graph, node: NodeIx| -> Vec<Read> {
            graph
                .incoming(node)
                .map(|l| {
                    let e = l.edge;
                    (l.id, l.from, e.kind, e.events, e.receiver, e.on_this)
                })
                .collect()
        };
        let lists: Vec<Vec<Read>> = nodes.iter().map(|&node| read(&graph, node)).collect();
        // An eighth of the edges followed: not yet.
        graph.followed(edges * ROWS_AFTER.0 / ROWS_AFTER.1);
        assert!(graph.users.get().is_none());
        graph.followed(1);
        let laid_out = graph.users.get().map(|users| &users.links);
        assert!(
            matches!(laid_out, Some(Links::Positions(_))),
            "past an eighth"
        );
        for (&node, list) in nodes.iter().zip(&lists) {
            assert_eq!(&read(&graph, node), list, "{}", graph[node].id);
            assert_eq!(&listed(&graph, node), list, "{}", graph[node].id);
        }
        // An edge added after drops the rows; rows of copies hold it too, first.
        graph.add_edge(nodes[1], nodes[0], EdgeKind::Extends, At::new(0, 900));
        assert!(graph.users.get().is_none());
        graph.index_users();
        let laid_out = graph.users.get().map(|users| &users.links);
        assert!(matches!(laid_out, Some(Links::Copies(_))));
        for &node in &nodes {
            assert_eq!(
                read(&graph, node),
                listed(&graph, node),
                "{}",
                graph[node].id
            );
        }
        let first = read(&graph, nodes[0]).first().map(|user| user.2);
        assert_eq!(first, Some(EdgeKind::Extends), "the newest edge first");
    }
}
