//! The dependency graph: components and Apex members as nodes, "A uses B" as edges.
//!
//! Built from the [`Facts`] of every source file of one revision. This is where names are
//! resolved: an Apex type name to an inner or top-level class, a call to the member it
//! reaches (through declared types and the class hierarchy), a string literal to the
//! component it names. Unresolvable calls fall back to every member of that name
//! (conservative) and are counted. No I/O; building never fails.

use crate::facts::{
    DeclKind, Declaration, DmlEvents, EdgeKind, FileFacts, Target, TestMark, TypeExpr,
};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A graph node: a component, an inner class, or an Apex member.
#[derive(Clone, Debug)]
pub struct Node {
    pub id: ComponentId,
    pub kind: DeclKind,
    /// The class that declares a member or inner class.
    pub parent: Option<ComponentId>,
    /// Files that declare the node (empty for nodes only referenced, e.g. `Account`).
    pub files: Vec<String>,
    /// First line of the declaration in its first file.
    pub line: u32,
    pub test: Option<TestMark>,
    /// Declared type of a field/property, return type of a method.
    pub value_type: Option<String>,
    /// Superclass as resolved, for classes.
    pub superclass: Option<NodeIndex>,
    /// True when a file declaring this node could not be parsed completely.
    pub has_problems: bool,
    /// An entry point the platform calls: `start`/`execute`/`finish` of a class that
    /// implements `Database.Batchable`, `Queueable` or `Schedulable`. Code that hands
    /// such a class to `Database.executeBatch`, `System.enqueueJob` or `System.schedule`
    /// runs it without naming the method.
    pub platform_entry: bool,
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
    pub receiver: Option<NodeIndex>,
}

/// Where an edge was found: a file and a line, shown `file:line`, or a note (recorded
/// coverage). The file is shared by every edge found in it: a graph has hundreds of
/// thousands of edges, and a string each was most of its memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At {
    file: Arc<str>,
    /// 1-based; 0 for a note.
    line: u32,
}

impl At {
    /// Line `line` of `file`.
    pub fn new(file: Arc<str>, line: u32) -> At {
        At { file, line }
    }

    /// A note in place of a location.
    pub fn note(text: &str) -> At {
        At {
            file: Arc::from(text),
            line: 0,
        }
    }
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            f.write_str(&self.file)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

/// How a member of a class is named in the lookup tables: class key + folded member.
type MemberKey = (NodeIndex, String);

/// The resolved dependency graph of one revision.
#[derive(Debug, Default)]
pub struct Graph {
    pub graph: DiGraph<Node, Edge>,
    index: HashMap<String, NodeIndex>,
    members: HashMap<MemberKey, NodeIndex>,
    members_by_name: HashMap<String, Vec<NodeIndex>>,
    subclasses: HashMap<NodeIndex, Vec<NodeIndex>>,
    /// Components named in code without their container (a record type without its
    /// object, an email template without its folder), by that short name, for string
    /// references.
    short_names: HashMap<String, Vec<NodeIndex>>,
    /// Members and inner classes of each class, directly declared.
    children: HashMap<NodeIndex, Vec<NodeIndex>>,
    /// The test each node belongs to (see [`Graph::test_owner`]), computed once.
    test_owners: Vec<Option<NodeIndex>>,
    /// Classes registered for objects by configuration records (see
    /// [`Target::Registration`]): handler class → objects.
    registrations: HashMap<NodeIndex, BTreeSet<NodeIndex>>,
    pending_registrations: Vec<Vec<String>>,
    /// Calls whose receiver could not be resolved and fell back to every member of that
    /// name.
    pub n_unresolved_calls: usize,
}

/// How a use reached its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reached {
    /// The target is what the use names.
    Direct,
    /// The target overrides what a call names (class-hierarchy analysis): it runs only
    /// when the receiver is an instance of its class.
    Override,
}

/// The result of resolving a receiver type.
enum Resolved {
    /// A class declared in the repository.
    Class(NodeIndex),
    /// A type the repository does not declare (a system type, an external package),
    /// with its text, so collection element types can still be followed.
    External(String),
    /// The parser's chain could not be followed (a method without a declared type).
    Unknown,
}

impl Graph {
    /// Builds the graph of a revision from the facts of all its source files.
    pub fn build<'a>(files: impl IntoIterator<Item = &'a FileFacts>) -> Graph {
        let mut graph = Graph::default();
        let mut ordered: Vec<&FileFacts> = files.into_iter().collect();
        ordered.sort_by(|a, b| a.path.cmp(&b.path));
        for file in &ordered {
            graph.declare_file(file);
        }
        graph.resolve_hierarchy(&ordered);
        graph.mark_platform_entries(&ordered);
        for file in &ordered {
            graph.add_uses(file);
        }
        graph.add_structure(&ordered);
        graph.add_initialized_fields();
        for values in std::mem::take(&mut graph.pending_registrations) {
            graph.register(&values);
        }
        graph.add_implementations();
        graph.add_wildcard_writes();
        graph.index_tests();
        graph.add_named_tests();
        graph
    }

    /// Fills the children lists and the test owner of every node.
    fn index_tests(&mut self) {
        let mut children: HashMap<NodeIndex, Vec<NodeIndex>> = HashMap::default();
        for index in self.graph.node_indices() {
            if let Some(parent) = self.graph[index].parent.as_ref().and_then(|p| self.node(p)) {
                children.entry(parent).or_default().push(index);
            }
        }
        self.children = children;
        self.test_owners = self
            .graph
            .node_indices()
            .map(|index| self.compute_test_owner(index))
            .collect();
    }

    /// The test a node belongs to: a test class (for itself, its members and inner
    /// classes), a Flow test, a Jest test; `None` for everything else.
    pub fn test_owner(&self, index: NodeIndex) -> Option<NodeIndex> {
        self.test_owners.get(index.index()).copied().flatten()
    }

    fn compute_test_owner(&self, index: NodeIndex) -> Option<NodeIndex> {
        let current = self.top_level(index);
        let top = &self.graph[current];
        if top.id.is_type(types::APEX_CLASS) {
            // A test class is one that has test methods: an `@IsTest` helper (a test data
            // factory) runs no test of its own, though its callers reach through it.
            let has_test_methods = self.children_of(current).iter().any(|&child| {
                self.graph[child]
                    .test
                    .as_ref()
                    .is_some_and(|mark| mark.method)
            });
            return has_test_methods.then_some(current);
        }
        if top.test.is_some()
            && (top.id.is_type(types::FLOW_TEST) || top.id.is_type(types::LWC_JEST_TEST))
        {
            return Some(current);
        }
        None
    }

    /// The node of a component or member, if the graph has it.
    pub fn node(&self, id: &ComponentId) -> Option<NodeIndex> {
        self.index.get(id.key()).copied()
    }

    /// All nodes, for callers that scan (tests, reports).
    pub fn nodes(&self) -> impl Iterator<Item = (NodeIndex, &Node)> {
        self.graph
            .node_indices()
            .map(move |index| (index, &self.graph[index]))
    }

    /// The members and inner classes declared inside `class` (directly).
    pub fn children_of(&self, class: NodeIndex) -> Vec<NodeIndex> {
        self.children.get(&class).cloned().unwrap_or_default()
    }

    /// Adds a `covered-by` edge from recorded coverage: `test_class` ran code of `class`
    /// (an Apex class or trigger). Both must already be nodes; returns whether an edge
    /// was added (false when a node is missing or the edge exists).
    pub fn add_coverage_edge(
        &mut self,
        class: &ComponentId,
        test_class: &ComponentId,
        at: &str,
    ) -> bool {
        let (Some(covered), Some(test)) = (self.node(class), self.node(test_class)) else {
            return false;
        };
        if covered == test
            || self
                .graph
                .edges_connecting(test, covered)
                .any(|edge| edge.weight().kind == EdgeKind::CoveredBy)
        {
            return false;
        }
        // "A uses B" reads test → class, so the backwards walk goes class → test.
        self.add_edge(test, covered, EdgeKind::CoveredBy, At::note(at));
        true
    }

    fn declare_file(&mut self, file: &FileFacts) {
        let has_problems = !file.facts.problems.is_empty();
        if file.facts.declares.is_empty() {
            let index = self.intern(&file.component, DeclKind::Component);
            self.graph[index].files.push(file.path.clone());
        }
        for declaration in &file.facts.declares {
            let index = self.declare(declaration, &file.path);
            if has_problems {
                self.graph[index].has_problems = true;
            }
        }
    }

    fn declare(&mut self, declaration: &Declaration, path: &str) -> NodeIndex {
        let index = self.intern(&declaration.id, declaration.kind);
        if let Some(name) = short_name(&declaration.id) {
            let list = self.short_names.entry(name.to_lowercase()).or_default();
            if !list.contains(&index) {
                list.push(index);
            }
        }
        let node = &mut self.graph[index];
        // A `.cls-meta.xml` declares its class as a plain component; the `.cls` knows
        // better, so a richer kind always wins.
        if node.kind == DeclKind::Component && declaration.kind != DeclKind::Component {
            node.kind = declaration.kind;
            node.line = declaration.lines.0;
            node.files.insert(0, path.to_string());
        } else if node.files.is_empty() {
            node.line = declaration.lines.0;
            node.files.push(path.to_string());
        } else if !node.files.iter().any(|f| f == path) {
            node.files.push(path.to_string());
        }
        if declaration.parent.is_some() {
            node.parent = declaration.parent.clone();
        }
        if declaration.test.is_some() {
            node.test = declaration.test.clone();
        }
        if declaration.value_type.is_some() {
            node.value_type = declaration.value_type.clone();
        }
        if let Some(parent) = &declaration.parent {
            if declaration.id.is_member() {
                let parent_index = self.intern(parent, DeclKind::Class);
                let member = member_name(&declaration.id, parent);
                // Listed by name once, when first declared: scanning the list instead
                // made `<class>`, which every class has, quadratic in the org's size.
                let first = self
                    .members
                    .insert((parent_index, member.clone()), index)
                    .is_none_or(|previous| previous != index);
                if first {
                    self.members_by_name.entry(member).or_default().push(index);
                }
            }
        }
        index
    }

    fn intern(&mut self, id: &ComponentId, kind: DeclKind) -> NodeIndex {
        if let Some(&index) = self.index.get(id.key()) {
            return index;
        }
        let index = self.graph.add_node(Node {
            id: id.clone(),
            kind,
            parent: None,
            files: Vec::new(),
            line: 0,
            test: None,
            value_type: None,
            superclass: None,
            has_problems: false,
            platform_entry: false,
        });
        self.index.insert(id.key().to_string(), index);
        index
    }

    fn resolve_hierarchy(&mut self, files: &[&FileFacts]) {
        for file in files {
            let path: Arc<str> = Arc::from(file.path.as_str());
            for declaration in &file.facts.declares {
                let Some(class) = self.node(&declaration.id) else {
                    continue;
                };
                let supertypes = declaration
                    .extends
                    .iter()
                    .chain(declaration.implements.iter());
                for (position, supertype) in supertypes.enumerate() {
                    let Some(super_index) = self.resolve_class(supertype, &declaration.id) else {
                        continue;
                    };
                    if super_index == class {
                        continue;
                    }
                    if position == 0 && declaration.extends.is_some() {
                        self.graph[class].superclass = Some(super_index);
                    }
                    self.subclasses.entry(super_index).or_default().push(class);
                    let kind = if position == 0 && declaration.extends.is_some() {
                        EdgeKind::Extends
                    } else {
                        EdgeKind::Implements
                    };
                    let at = At::new(path.clone(), declaration.lines.0);
                    self.add_edge(class, super_index, kind, at);
                }
            }
        }
    }

    fn mark_platform_entries(&mut self, files: &[&FileFacts]) {
        const ASYNC_INTERFACES: &[&str] = &[
            "database.batchable",
            "batchable",
            "queueable",
            "system.queueable",
            "schedulable",
            "system.schedulable",
            "finalizer",
            "system.finalizer",
        ];
        for file in files {
            for declaration in &file.facts.declares {
                let is_async = declaration.implements.iter().any(|interface| {
                    let base = strip_generics(interface).to_ascii_lowercase();
                    ASYNC_INTERFACES.contains(&base.as_str())
                });
                let Some(class) = is_async.then(|| self.node(&declaration.id)).flatten() else {
                    continue;
                };
                for entry in ["start", "execute", "finish"] {
                    if let Some(&member) = self.members.get(&(class, entry.to_string())) {
                        self.graph[member].platform_entry = true;
                    }
                }
            }
        }
    }

    /// Member-of, automation and test-for edges, which come from declarations rather
    /// than from uses.
    fn add_structure(&mut self, files: &[&FileFacts]) {
        let mut deactivated: Vec<ComponentId> = Vec::new();
        for file in files {
            let path: Arc<str> = Arc::from(file.path.as_str());
            for declaration in &file.facts.declares {
                if declaration.id.is_type(types::FLOW_DEFINITION) && !declaration.runs_automation()
                {
                    deactivated.push(ComponentId::new(types::FLOW, declaration.id.full_name()));
                }
                let Some(index) = self.node(&declaration.id) else {
                    continue;
                };
                let at = At::new(path.clone(), declaration.lines.0);
                if let Some(parent) = &declaration.parent {
                    if let Some(parent_index) = self.node(parent) {
                        self.add_edge(parent_index, index, EdgeKind::MemberOf, at.clone());
                    }
                }
                // Custom metadata records cannot be written by DML: nothing fires on them.
                let automates = declaration
                    .automates
                    .as_ref()
                    .filter(|object| !object.to_ascii_lowercase().ends_with("__mdt"));
                if let Some(object) = automates {
                    let object_index = self.intern(&sobject_id(object), DeclKind::Component);
                    let (kind, events) = (EdgeKind::Fires, declaration.fires_on);
                    self.add_edge_with_events(object_index, index, kind, at.clone(), events);
                }
                if let Some(mark) = &declaration.test {
                    for target in &mark.test_for {
                        let target_index = self.intern(target, DeclKind::Component);
                        self.add_edge(index, target_index, EdgeKind::TestFor, at.clone());
                    }
                }
            }
        }
        self.silence_automation(&deactivated);
    }

    /// Flows deactivated by their `FlowDefinition` run on no DML event: their firing
    /// edges keep the path for `impact why` but let no write through.
    fn silence_automation(&mut self, flows: &[ComponentId]) {
        for flow in flows {
            let Some(index) = self.node(flow) else {
                continue;
            };
            let firing: Vec<EdgeIndex> = self
                .graph
                .edges_directed(index, petgraph::Direction::Incoming)
                .filter(|edge| edge.weight().kind == EdgeKind::Fires)
                .map(|edge| petgraph::visit::EdgeRef::id(&edge))
                .collect();
            for edge in firing {
                self.graph[edge].events = DmlEvents::NONE;
            }
        }
    }

    /// A method that implements an interface method uses it: a change to the interface
    /// method (its signature) reaches every implementation and, through them, the code
    /// and tests that call the implementations.
    fn add_implementations(&mut self) {
        let mut declared: HashMap<NodeIndex, Vec<(&str, NodeIndex)>> = HashMap::default();
        for ((class, name), &member) in &self.members {
            if self.graph[*class].kind == DeclKind::Interface {
                declared.entry(*class).or_default().push((name, member));
            }
        }
        let mut pairs: Vec<(NodeIndex, NodeIndex)> = Vec::new();
        for (&interface, implementors) in &self.subclasses {
            let Some(interface_members) = declared.get(&interface) else {
                continue;
            };
            for &(name, interface_member) in interface_members {
                for &implementor in implementors {
                    if let Some(&member) = self.members.get(&(implementor, name.to_string())) {
                        pairs.push((member, interface_member));
                    }
                }
            }
        }
        pairs.sort();
        for (member, interface_member) in pairs {
            let at = self.declared_at(member);
            self.add_edge(member, interface_member, EdgeKind::Implements, at);
        }
    }

    /// A test class named for a class it uses (`FooTest`, `Foo_Test`, `TestFoo`, and
    /// `ADDR_Addresses_TEST` for `ADDR_Addresses_TDTM`) gets a `named-test` edge to it.
    /// The walk follows it whichever member of the class changed: member resolution can
    /// miss a dynamic path (`Type.forName`, a callback), and a class's own test is the
    /// cheapest insurance against that. The test must already use the class, so a name
    /// alone selects nothing.
    fn add_named_tests(&mut self) {
        let mut by_stem: HashMap<String, Vec<NodeIndex>> = HashMap::default();
        for index in self.graph.node_indices() {
            let node = &self.graph[index];
            if node.kind != DeclKind::Class || node.parent.is_some() || node.files.is_empty() {
                continue;
            }
            let name = node.id.full_name().to_lowercase();
            // `ADDR_Addresses_TDTM` is also known as `ADDR_Addresses`, so that
            // `ADDR_Addresses_TEST` finds it; a one-segment stem (`UTIL`) is too vague.
            if let Some((stem, _)) = name.rsplit_once('_') {
                if stem.contains('_') {
                    by_stem.entry(stem.to_string()).or_default().push(index);
                }
            }
            by_stem.entry(name).or_default().push(index);
        }
        let mut pairs: Vec<(NodeIndex, NodeIndex)> = Vec::new();
        for test in self.graph.node_indices() {
            if self.test_owner(test) != Some(test)
                || !self.graph[test].id.is_type(types::APEX_CLASS)
            {
                continue;
            }
            let name = self.graph[test].id.full_name().to_lowercase();
            for stem in test_stems(&name) {
                for &class in by_stem.get(stem).map(Vec::as_slice).unwrap_or_default() {
                    if class != test && self.uses_class(test, class) {
                        pairs.push((test, class));
                    }
                }
            }
        }
        // Two stems of one test may name the same class.
        pairs.sort();
        pairs.dedup();
        for (test, class) in pairs {
            let at = self.declared_at(test);
            self.add_edge(test, class, EdgeKind::NamedTest, at);
        }
    }

    /// A class with everything declared inside it: members, inner classes and theirs.
    fn family(&self, class: NodeIndex) -> Vec<NodeIndex> {
        let mut inside = vec![class];
        let mut next = 0;
        while next < inside.len() {
            if let Some(children) = self.children.get(&inside[next]) {
                inside.extend(children.iter().copied());
            }
            next += 1;
        }
        inside
    }

    /// Whether `user` (a top-level class) or anything inside it has an edge to `class` or
    /// to anything inside it.
    fn uses_class(&self, user: NodeIndex, class: NodeIndex) -> bool {
        self.family(user).iter().any(|&from| {
            self.graph
                .neighbors_directed(from, petgraph::Direction::Outgoing)
                .any(|to| self.top_level(to) == class)
        })
    }

    /// The SObjects that `class` (with its members and inner classes) names as a type,
    /// in a query, or through one of their fields; writes alone do not count, because a
    /// write of `List<SObject>` is a write to every automated object.
    fn objects_named_by(&self, class: NodeIndex) -> BTreeSet<NodeIndex> {
        let mut objects = BTreeSet::new();
        for from in self.family(class) {
            for edge in self
                .graph
                .edges_directed(from, petgraph::Direction::Outgoing)
            {
                if !matches!(edge.weight().kind, EdgeKind::References | EdgeKind::Reads) {
                    continue;
                }
                let target = &self.graph[petgraph::visit::EdgeRef::target(&edge)];
                let object = if target.id.is_type(types::CUSTOM_OBJECT) {
                    Some(petgraph::visit::EdgeRef::target(&edge))
                } else if target.id.is_type(types::CUSTOM_FIELD) {
                    target
                        .id
                        .full_name()
                        .split_once('.')
                        .and_then(|(object, _)| self.node(&sobject_id(object)))
                } else {
                    None
                };
                objects.extend(object);
            }
        }
        objects
    }

    /// Whether a node is an Apex class, interface, enum or member (not a trigger).
    pub fn is_apex_code(&self, index: NodeIndex) -> bool {
        self.graph[self.top_level(index)]
            .id
            .is_type(types::APEX_CLASS)
    }

    /// Records a configuration record's strings: each Apex class it names is registered
    /// for each object it names.
    fn register(&mut self, values: &[String]) {
        // A record names top-level classes: no class is the context.
        let no_context = ComponentId::new(types::CUSTOM_METADATA, "");
        let mut classes = Vec::new();
        let mut objects = Vec::new();
        for value in values {
            let value = value.trim();
            if let Some(class) = self.resolve_class(value, &no_context) {
                classes.push(class);
            } else if let Some(object) = self.node(&sobject_id(value)) {
                objects.push(object);
            }
        }
        for class in classes {
            self.registrations
                .entry(class)
                .or_default()
                .extend(objects.iter().copied());
        }
    }

    /// Whether `class` is a handler that configuration records register for objects and
    /// that some call in the repository reaches through the class hierarchy: then the
    /// triggers of those objects reach it through that call, and the code that merely
    /// holds its name in a record (a default configuration, a test setup) does not run it.
    pub fn is_registered_handler(&self, class: NodeIndex) -> bool {
        let registered = self
            .registrations
            .get(&class)
            .is_some_and(|objects| !objects.is_empty());
        registered
            && self.children_of(class).iter().any(|&member| {
                self.graph
                    .edges_directed(member, petgraph::Direction::Incoming)
                    .any(|edge| edge.weight().kind == EdgeKind::Dispatches)
            })
    }

    /// The SObjects a handler class is registered for by configuration records, else
    /// the ones it names itself (see [`Graph::objects_named_by`]). Empty when nothing
    /// tells.
    pub fn objects_handled_by(&self, class: NodeIndex) -> BTreeSet<NodeIndex> {
        match self.registrations.get(&class) {
            Some(objects) if !objects.is_empty() => objects.clone(),
            _ => self.objects_named_by(class),
        }
    }

    /// Where a node is declared, for edges the graph adds from declarations.
    fn declared_at(&self, index: NodeIndex) -> At {
        let node = &self.graph[index];
        match node.files.first() {
            Some(file) => At::new(Arc::from(file.as_str()), node.line),
            None => At::note(""),
        }
    }

    /// Whether a node (a field, an initializer block) runs code of the repository, a
    /// query or DML: a field initializer or block that does runs when its class loads,
    /// so its change reaches every user of the class. Reading or assigning a field, or
    /// naming an enum value, runs no code; a property runs its accessors.
    pub fn runs_code(&self, index: NodeIndex) -> bool {
        self.graph
            .edges_directed(index, petgraph::Direction::Outgoing)
            .any(|edge| match edge.weight().kind {
                EdgeKind::Reads | EdgeKind::Writes => true,
                EdgeKind::Calls | EdgeKind::Dispatches => {
                    let target = &self.graph[petgraph::visit::EdgeRef::target(&edge)];
                    let runnable = target.id.is_type(types::APEX_CLASS) || target.id.is_member();
                    runnable
                        && !matches!(
                            target.kind,
                            DeclKind::Field | DeclKind::Enum | DeclKind::Interface
                        )
                }
                _ => false,
            })
    }

    /// An initializer block (`static { … }`) that names a field of any class gets an
    /// `assigns` edge from that field: a block that runs no code changes nothing but
    /// the values of the fields it assigns, so its change reaches their readers. Fields
    /// it only reads are included (the parser does not tell reads from writes), which
    /// errs toward more tests.
    fn add_initialized_fields(&mut self) {
        let mut pairs: Vec<(NodeIndex, NodeIndex, At)> = Vec::new();
        for block in self.graph.node_indices() {
            if self.graph[block].kind != DeclKind::Initializer {
                continue;
            }
            for edge in self
                .graph
                .edges_directed(block, petgraph::Direction::Outgoing)
            {
                let field = petgraph::visit::EdgeRef::target(&edge);
                if edge.weight().kind == EdgeKind::Calls
                    && self.graph[field].kind == DeclKind::Field
                {
                    pairs.push((field, block, edge.weight().at.clone()));
                }
            }
        }
        for (field, block, at) in pairs {
            self.add_edge(field, block, EdgeKind::Assigns, at);
        }
    }

    /// Whether `class` is `ancestor` or extends or implements it, directly or not.
    pub fn is_subtype(&self, class: NodeIndex, ancestor: NodeIndex) -> bool {
        let mut stack = vec![ancestor];
        let mut seen: HashSet<NodeIndex> = HashSet::default();
        while let Some(current) = stack.pop() {
            if current == class {
                return true;
            }
            if seen.insert(current) {
                if let Some(subs) = self.subclasses.get(&current) {
                    stack.extend(subs.iter().copied());
                }
            }
        }
        false
    }

    /// Whether a variable of static type `declared` can hold an instance of `class`
    /// that runs `class`'s overrides: the two are in one line of the hierarchy.
    pub fn can_hold(&self, declared: NodeIndex, class: NodeIndex) -> bool {
        self.is_subtype(class, declared) || self.is_subtype(declared, class)
    }

    /// The class that declares a member (or inner class); a class itself otherwise.
    pub fn declaring_class(&self, index: NodeIndex) -> NodeIndex {
        match self.graph[index].parent.as_ref().and_then(|p| self.node(p)) {
            Some(parent) if self.graph[index].id.is_member() => parent,
            _ => index,
        }
    }

    /// The SObjects whose automation `node` is (a trigger's object).
    pub fn objects_automated_by(&self, node: NodeIndex) -> Vec<NodeIndex> {
        self.graph
            .edges_directed(node, petgraph::Direction::Incoming)
            .filter(|edge| edge.weight().kind == EdgeKind::Fires)
            .map(|edge| petgraph::visit::EdgeRef::source(&edge))
            .collect()
    }

    /// Code that writes an SObject of unknown type (`List<SObject>`) may fire the
    /// automation of any object: give it a write edge to every automated object. DML
    /// cannot write platform events and `EventBus.publish` writes nothing else, so the
    /// two wildcards (`*` and `*__e`) split the automated objects between them.
    fn add_wildcard_writes(&mut self) {
        let automated: BTreeSet<NodeIndex> = self
            .graph
            .edge_indices()
            .filter(|&edge| self.graph[edge].kind == EdgeKind::Fires)
            .filter_map(|edge| self.graph.edge_endpoints(edge).map(|(object, _)| object))
            .collect();
        for (wildcard, events) in [("*", false), ("*__e", true)] {
            let Some(wildcard) = self.node(&sobject_id(wildcard)) else {
                continue;
            };
            let writers: Vec<(NodeIndex, At, DmlEvents)> = self
                .graph
                .edges_directed(wildcard, petgraph::Direction::Incoming)
                .filter(|edge| edge.weight().kind == EdgeKind::Writes)
                .map(|edge| {
                    (
                        petgraph::visit::EdgeRef::source(&edge),
                        edge.weight().at.clone(),
                        edge.weight().events,
                    )
                })
                .collect();
            let objects: Vec<NodeIndex> = automated
                .iter()
                .copied()
                .filter(|&object| is_platform_event(self.graph[object].id.full_name()) == events)
                .collect();
            for (writer, at, events) in writers {
                for &object in &objects {
                    self.add_edge_with_events(writer, object, EdgeKind::Writes, at.clone(), events);
                }
            }
        }
    }

    fn add_uses(&mut self, file: &FileFacts) {
        let file_node = self.node(&file.component);
        let path: Arc<str> = Arc::from(file.path.as_str());
        // Uses come grouped by the node that holds them: resolve that node and its class
        // once per group, not once per use.
        let mut current: Option<(&ComponentId, Option<NodeIndex>, ComponentId)> = None;
        for use_ in &file.facts.uses {
            let same = matches!(&current, Some((id, _, _)) if *id == &use_.from);
            if !same {
                let from = self.node(&use_.from).or(file_node);
                current = Some((&use_.from, from, self.context_class(&use_.from)));
            }
            let Some((_, Some(from), context)) = &current else {
                continue;
            };
            let (from, context) = (*from, context.clone());
            let targets = self.resolve_target(&use_.target, &context);
            let receiver = match &use_.target {
                Target::Member { receiver, .. } if !targets.is_empty() => {
                    match self.resolve_type_expr(receiver, &context) {
                        Resolved::Class(class) => Some(class),
                        _ => None,
                    }
                }
                _ => None,
            };
            for (to, reached) in targets {
                if to == from {
                    continue;
                }
                // A record belongs to its type; code that reads the type reads every
                // record, so the type uses its records (and likewise for the other kinds
                // written from the dependent side).
                let (a, b) = if use_.kind.points_back() {
                    (to, from)
                } else {
                    (from, to)
                };
                let kind = match reached {
                    Reached::Override if use_.kind == EdgeKind::Calls => EdgeKind::Dispatches,
                    _ => use_.kind,
                };
                let events = match &use_.target {
                    Target::Dml { events, .. } | Target::DmlOf { events, .. } => *events,
                    _ => DmlEvents::ALL,
                };
                // `insert x` and `delete y` in one method: one edge, both events.
                let at = At::new(path.clone(), use_.line);
                self.add_use_edge((a, b), kind, at, events, receiver);
            }
        }
    }

    /// The class that encloses a node, for resolving names relative to it.
    fn context_class(&self, from: &ComponentId) -> ComponentId {
        if from.is_member() {
            if let Some(index) = self.node(from) {
                if let Some(parent) = &self.graph[index].parent {
                    return parent.clone();
                }
            }
        }
        from.clone()
    }

    fn resolve_target(
        &mut self,
        target: &Target,
        context: &ComponentId,
    ) -> Vec<(NodeIndex, Reached)> {
        let direct = |nodes: Vec<NodeIndex>| -> Vec<(NodeIndex, Reached)> {
            nodes
                .into_iter()
                .map(|node| (node, Reached::Direct))
                .collect()
        };
        match target {
            Target::ApexType(name) => direct(
                type_names(name)
                    .into_iter()
                    .filter_map(|name| self.resolve_type_reference(&name, context))
                    .collect(),
            ),
            Target::Member {
                receiver,
                member,
                arity,
            } => match self.resolve_type_expr(receiver, context) {
                Resolved::Class(class) => self.resolve_member(class, member, *arity),
                // `Config__mdt.getAll()`, `Settings__c.getInstance()`: reading a custom
                // metadata type or custom setting reads its records.
                // `new Config__mdt(…)` builds a record in memory and reads none.
                Resolved::External(type_text)
                    if is_custom_object_name(&type_text) && member != "<init>" =>
                {
                    let object = sobject_id(strip_schema(&type_text));
                    direct(vec![self.intern(&object, DeclKind::Component)])
                }
                Resolved::External(_) => Vec::new(),
                Resolved::Unknown => direct(self.any_member(member, *arity)),
            },
            Target::AnyMember { member, arity } => direct(self.any_member(member, *arity)),
            Target::SObject(name) | Target::Dml { object: name, .. } => direct(vec![
                self.intern(&sobject_id(strip_schema(name)), DeclKind::Component)
            ]),
            Target::Field { object, field } => {
                let object = strip_schema(object);
                let id = ComponentId::new(types::CUSTOM_FIELD, &format!("{object}.{field}"));
                // Only fields of objects: `LoggingLevel.WARN` is an enum value, not a
                // field, and would only clutter the graph.
                let is_object = self.node(&id).is_some()
                    || is_custom_object_name(object)
                    || self.node(&sobject_id(object)).is_some();
                if is_object && self.resolve_class(object, context).is_none() {
                    direct(vec![self.intern(&id, DeclKind::Component)])
                } else {
                    Vec::new()
                }
            }
            Target::DmlOf { records, .. } => {
                let object = match self.resolve_type_expr(records, context) {
                    Resolved::External(type_text) => self.records_object(&type_text, context),
                    Resolved::Class(_) | Resolved::Unknown => None,
                };
                let object = object.unwrap_or_else(|| "*".to_string());
                direct(vec![self.intern(
                    &sobject_id(strip_schema(&object)),
                    DeclKind::Component,
                )])
            }
            Target::Label(name) => direct(vec![self.intern(
                &ComponentId::new(types::CUSTOM_LABEL, name),
                DeclKind::Component,
            )]),
            Target::Component(id) => direct(vec![self.intern(id, DeclKind::Component)]),
            Target::StringLiteral(text) => direct(self.resolve_string(text)),
            Target::Registration(values) => {
                // Resolved once every object is a node (triggers add theirs later).
                self.pending_registrations.push(values.clone());
                Vec::new()
            }
        }
    }

    /// The object of records declared as `type_text` (`Account`, `List<Account>`,
    /// `Account[]`); `None` for untyped records (`SObject`) and anything else.
    fn records_object(&self, type_text: &str, context: &ComponentId) -> Option<String> {
        let text = type_text.trim();
        let element = match text.strip_suffix("[]") {
            Some(element) => element.trim(),
            None => match (text.find('<'), text.strip_suffix('>')) {
                (Some(open), Some(inner)) => {
                    let base = text[..open].trim().to_ascii_lowercase();
                    let base = base.rsplit('.').next().unwrap_or(&base).to_string();
                    if base != "list" && base != "set" {
                        return None;
                    }
                    inner[open + 1..].trim()
                }
                _ => text,
            },
        };
        let object = strip_schema(element);
        let is_name = !object.is_empty()
            && object
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
        let untyped = ["sobject", "object", "id", "string"]
            .iter()
            .any(|generic| object.eq_ignore_ascii_case(generic));
        (is_name && !untyped && self.resolve_class(object, context).is_none())
            .then(|| object.to_string())
    }

    /// A type named in code: a class (inner classes of the context first), else an
    /// SObject when it looks like one or the repository declares it.
    fn resolve_type_reference(&mut self, name: &str, context: &ComponentId) -> Option<NodeIndex> {
        if let Some(script) = dataweave_script(name) {
            return self.node(&ComponentId::new(types::DATAWEAVE_RESOURCE, script));
        }
        if let Some(class) = self.resolve_class(name, context) {
            return Some(class);
        }
        let object = strip_schema(name);
        let object_id = sobject_id(object);
        if self.node(&object_id).is_some() || is_custom_object_name(object) {
            return Some(self.intern(&object_id, DeclKind::Component));
        }
        None
    }

    /// Resolves an Apex class name as seen from `context` (a class id): inner classes of
    /// the context and its outer classes first, then top-level classes.
    fn resolve_class(&self, name: &str, context: &ComponentId) -> Option<NodeIndex> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        // Keys are case-folded `type:fullname`; build candidates in one buffer rather than
        // through `ComponentId::new`, because this runs for every type name in the org.
        let name = name.to_lowercase();
        let context_key = context.key();
        let mut scope = context_key
            .split_once(':')
            .map(|(_, full_name)| full_name)
            .filter(|_| context.is_type(types::APEX_CLASS));
        let mut key = String::with_capacity(64);
        while let Some(prefix) = scope {
            key.clear();
            key.push_str("apexclass:");
            key.push_str(prefix);
            key.push('.');
            key.push_str(&name);
            if let Some(&index) = self.index.get(&key) {
                return Some(index);
            }
            scope = prefix.rsplit_once('.').map(|(outer, _)| outer);
        }
        key.clear();
        key.push_str("apexclass:");
        key.push_str(&name);
        let index = *self.index.get(&key)?;
        let node = &self.graph[index];
        // A class only referenced (a `testFor` target that does not exist) is not one.
        (node.kind != DeclKind::Component || !node.files.is_empty()).then_some(index)
    }

    fn resolve_type_expr(&self, expr: &TypeExpr, context: &ComponentId) -> Resolved {
        match expr {
            TypeExpr::Named(name) => self.resolve_named(name, context),
            TypeExpr::ReturnOf(inner, member) | TypeExpr::MemberOf(inner, member) => {
                match self.resolve_type_expr(inner, context) {
                    Resolved::Class(class) => {
                        let Some(member_index) = self.find_member(class, member) else {
                            return Resolved::Unknown;
                        };
                        let member_node = &self.graph[member_index];
                        let Some(value_type) = member_node.value_type.clone() else {
                            return Resolved::Unknown;
                        };
                        let owner = member_node
                            .parent
                            .clone()
                            .unwrap_or_else(|| context.clone());
                        self.resolve_named(&value_type, &owner)
                    }
                    Resolved::External(type_text) => {
                        // A collection's element: `List<Discount>.get(0)`,
                        // `Map<String, Discount>.get(code)`, `.values()`.
                        match element_type(&type_text, member) {
                            Some(element) => self.resolve_named(&element, context),
                            None => Resolved::External(String::new()),
                        }
                    }
                    Resolved::Unknown => Resolved::Unknown,
                }
            }
        }
    }

    fn resolve_named(&self, name: &str, context: &ComponentId) -> Resolved {
        let base = strip_generics(name);
        if let Some(class) = self.resolve_class(&base, context) {
            return Resolved::Class(class);
        }
        // `Selector.Current` read as a type name: a static field or property of a class
        // of ours, whose declared type is the receiver.
        if let Some((prefix, member)) = base.rsplit_once('.') {
            if !base.contains('<') && self.resolve_class(prefix, context).is_some() {
                let expr = TypeExpr::MemberOf(
                    Box::new(TypeExpr::Named(prefix.to_string())),
                    member.to_string(),
                );
                return self.resolve_type_expr(&expr, context);
            }
        }
        Resolved::External(name.trim().to_string())
    }

    /// The member named `member` of `class` or of its nearest superclass that declares it.
    fn find_member(&self, class: NodeIndex, member: &str) -> Option<NodeIndex> {
        let folded = member.to_lowercase();
        let mut current = Some(class);
        // A superclass chain is short; the bound stops a cycle (`A extends B extends A`).
        for _ in 0..64 {
            let Some(index) = current else {
                break;
            };
            if let Some(&found) = self.members.get(&(index, folded.clone())) {
                return Some(found);
            }
            current = self.graph[index].superclass;
        }
        None
    }

    /// A call on a receiver of static type `class`: the member it names (found in the
    /// class or inherited), plus every override in subclasses and implementations
    /// (class-hierarchy analysis), marked as reached through an override. A member the
    /// repository does not declare (inherited from a system type, or a default
    /// constructor) is a use of the class itself.
    fn resolve_member(
        &self,
        class: NodeIndex,
        member: &str,
        _arity: Option<u32>,
    ) -> Vec<(NodeIndex, Reached)> {
        let folded = member.to_lowercase();
        let mut found: Vec<(NodeIndex, Reached)> = Vec::new();
        if let Some(index) = self.find_member(class, member) {
            found.push((index, Reached::Direct));
        }
        // `new C()` and `super()` run C's own constructor: constructors are not
        // overridden, so there is no hierarchy to fan out to.
        let mut stack = if folded == "<init>" {
            Vec::new()
        } else {
            vec![class]
        };
        let mut seen: HashSet<NodeIndex> = HashSet::default();
        while let Some(index) = stack.pop() {
            if !seen.insert(index) {
                continue;
            }
            if let Some(subs) = self.subclasses.get(&index) {
                for &sub in subs {
                    if let Some(&override_index) = self.members.get(&(sub, folded.clone())) {
                        if !found.iter().any(|&(node, _)| node == override_index) {
                            found.push((override_index, Reached::Override));
                        }
                    }
                    stack.push(sub);
                }
            }
        }
        if found.is_empty() {
            found.push((class, Reached::Direct));
        }
        found
    }

    /// Every member of that name in the repository: the conservative fallback for a
    /// receiver whose type cannot be told. Overloads share one node, so the arity
    /// cannot narrow the match and is not used.
    fn any_member(&mut self, member: &str, _arity: Option<u32>) -> Vec<NodeIndex> {
        let Some(candidates) = self.members_by_name.get(&member.to_lowercase()) else {
            return Vec::new();
        };
        let found = candidates.clone();
        if !found.is_empty() {
            self.n_unresolved_calls += 1;
        }
        found
    }

    /// A string literal that exactly names a known component (an Apex class, a static
    /// resource, a permission set, …), case-insensitively.
    fn resolve_string(&self, text: &str) -> Vec<NodeIndex> {
        let text = text.trim();
        if let Some(id) = ComponentId::parse(text) {
            if let Some(index) = self.node(&id) {
                return vec![index];
            }
        }
        // Types a string literal may name (`Type.forName('X')`, `Test.loadData(…, 'X')`,
        // `PermissionSet WHERE Name = 'X'`, …).
        let mut found: Vec<NodeIndex> = types::string_ref_types()
            .iter()
            .filter_map(|type_name| {
                let index = self.node(&ComponentId::new(type_name, text))?;
                (!self.graph[index].files.is_empty()).then_some(index)
            })
            .collect();
        // Record types are named without their object
        // (`getRecordTypeInfosByDeveloperName().get('Partner')`), email templates without
        // their folder (`WHERE DeveloperName = 'Welcome'`).
        if let Some(short) = self.short_names.get(&text.to_lowercase()) {
            for index in short {
                if !found.contains(index) {
                    found.push(*index);
                }
            }
        }
        found
    }

    fn add_edge(&mut self, from: NodeIndex, to: NodeIndex, kind: EdgeKind, at: At) -> EdgeIndex {
        self.add_edge_with_events(from, to, kind, at, DmlEvents::ALL)
    }

    /// Adds an edge that carries DML events (a write, a firing); when one of the same
    /// kind already joins the two nodes, it gets these events too.
    fn add_edge_with_events(
        &mut self,
        from: NodeIndex,
        to: NodeIndex,
        kind: EdgeKind,
        at: At,
        events: DmlEvents,
    ) -> EdgeIndex {
        if let Some(existing) = self.widen_events(from, to, kind, events) {
            return existing;
        }
        let receiver = None;
        self.graph.add_edge(
            from,
            to,
            Edge {
                kind,
                at,
                events,
                receiver,
            },
        )
    }

    /// Adds the edge of a use, with its call's receiver class; when one of the same kind
    /// joins the two nodes already, it gets these events too, and its receiver becomes
    /// unknown unless both calls had the same.
    fn add_use_edge(
        &mut self,
        (from, to): (NodeIndex, NodeIndex),
        kind: EdgeKind,
        at: At,
        events: DmlEvents,
        receiver: Option<NodeIndex>,
    ) {
        if let Some(existing) = self.widen_events(from, to, kind, events) {
            let edge = &mut self.graph[existing];
            if edge.receiver != receiver {
                edge.receiver = None;
            }
            return;
        }
        let edge = Edge {
            kind,
            at,
            events,
            receiver,
        };
        self.graph.add_edge(from, to, edge);
    }

    /// Adds `events` to the edge of `kind` from `from` to `to`, if there is one.
    fn widen_events(
        &mut self,
        from: NodeIndex,
        to: NodeIndex,
        kind: EdgeKind,
        events: DmlEvents,
    ) -> Option<EdgeIndex> {
        let existing = self
            .graph
            .edges_connecting(from, to)
            .find(|edge| edge.weight().kind == kind)
            .map(|edge| petgraph::visit::EdgeRef::id(&edge))?;
        let edge = &mut self.graph[existing];
        edge.events = edge.events.union(events);
        Some(existing)
    }
}

/// The element type a collection method returns: `List<X>.get` → `X`,
/// `Map<K, V>.get` → `V`, `Map<K, V>.values` → `List<V>`, `X[].get` → `X`.
fn element_type(collection: &str, method: &str) -> Option<String> {
    let collection = collection.trim();
    let method = method.to_ascii_lowercase();
    if let Some(element) = collection.strip_suffix("[]") {
        return matches!(method.as_str(), "get" | "remove").then(|| element.trim().to_string());
    }
    let open = collection.find('<')?;
    let close = collection.rfind('>')?;
    if close <= open {
        return None;
    }
    let base = collection[..open].trim().to_ascii_lowercase();
    let base = base.strip_prefix("system.").unwrap_or(&base).to_string();
    let args = split_generic_args(&collection[open + 1..close]);
    match (base.as_str(), args.as_slice()) {
        ("list" | "set" | "iterable" | "iterator", [element]) => match method.as_str() {
            "get" | "remove" | "next" => Some(element.clone()),
            "clone" | "deepclone" => Some(collection.to_string()),
            "iterator" => Some(format!("Iterator<{element}>")),
            _ => None,
        },
        ("map", [key, value]) => match method.as_str() {
            "get" | "remove" | "put" => Some(value.clone()),
            "values" => Some(format!("List<{value}>")),
            "keyset" => Some(format!("Set<{key}>")),
            "clone" | "deepclone" => Some(collection.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// Splits `String, List<Foo>` at top-level commas.
fn split_generic_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '<' => {
                depth += 1;
                current.push(c);
            }
            '>' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' if depth == 0 => {
                args.push(current.trim().to_string());
                current.clear();
            }
            _ => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        args.push(current.trim().to_string());
    }
    args
}

/// Whether an object name is a platform event's (`Order_Shipped__e`).
fn is_platform_event(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() > 3 && bytes[bytes.len() - 3..].eq_ignore_ascii_case(b"__e")
}

/// Whether a test class (its name case-folded) is named for one of `classes` (case-folded
/// class names): `FooTest` for `Foo`, and `ADDR_Addresses_TEST` for
/// `ADDR_Addresses_TDTM`, as `named-test` edges match them.
pub(crate) fn named_for(test: &str, classes: &std::collections::HashSet<String>) -> bool {
    let stems = test_stems(test);
    classes.iter().any(|class| {
        let short = class
            .rsplit_once('_')
            .map(|(stem, _)| stem)
            .filter(|stem| stem.contains('_'));
        stems
            .iter()
            .any(|stem| *stem == class.as_str() || Some(*stem) == short)
    })
}

/// The class names a test class's name says it tests, case-folded: `FooTest`,
/// `Foo_Tests`, `TestFoo`, `Test_Foo` → `foo`. Empty for a name with no test affix.
fn test_stems(test: &str) -> Vec<&str> {
    let mut stems = Vec::new();
    for suffix in ["_tests", "_test", "tests", "test"] {
        if let Some(stem) = test.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            stems.push(stem.trim_end_matches('_'));
            break;
        }
    }
    for prefix in ["test_", "test"] {
        if let Some(stem) = test.strip_prefix(prefix).filter(|s| !s.is_empty()) {
            stems.push(stem.trim_start_matches('_'));
            break;
        }
    }
    stems.retain(|stem| !stem.is_empty());
    stems
}

/// The name code uses for a component whose full name is qualified by its container:
/// a string-referenced child (`Partner` of `RecordType:Account.Partner`) or foldered
/// component (`Welcome` of `EmailTemplate:Mail/Welcome`).
fn short_name(id: &ComponentId) -> Option<&str> {
    let info = types::type_info(id.type_name())?;
    if !info.string_refs {
        return None;
    }
    let separator = if info.folder_type.is_some() {
        '/'
    } else if info.parent.is_some() {
        '.'
    } else {
        return None;
    };
    id.full_name().rsplit_once(separator).map(|(_, name)| name)
}

/// The node id of an SObject.
pub fn sobject_id(name: &str) -> ComponentId {
    ComponentId::new(types::CUSTOM_OBJECT, name)
}

fn member_name(member: &ComponentId, parent: &ComponentId) -> String {
    let full = member.full_name();
    let prefix_len = parent.full_name().len() + 1;
    full.get(prefix_len..).unwrap_or(full).to_lowercase()
}

fn strip_schema(name: &str) -> &str {
    let trimmed = name.trim();
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("schema.") {
        &trimmed[7..]
    } else {
        trimmed
    }
}

/// `List<Invoice__c>` → `List`; `Invoice__c[]` → `Invoice__c`.
fn strip_generics(name: &str) -> String {
    let base = name.split('<').next().unwrap_or(name);
    base.trim().trim_end_matches("[]").trim().to_string()
}

/// Every type name inside a type expression: `Map<Id, List<Invoice__c>>` gives `Map`,
/// `Id`, `List`, `Invoice__c`.
fn type_names(name: &str) -> Vec<String> {
    name.split(|c: char| matches!(c, '<' | '>' | ',' | '[' | ']') || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

/// Custom objects, custom metadata types, platform events, big objects, external
/// objects and knowledge article types are recognisable by their suffix.
fn is_custom_object_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "__c",
        "__mdt",
        "__e",
        "__b",
        "__x",
        "__kav",
        "__share",
        "__history",
    ]
    .iter()
    .any(|suffix| lower.ends_with(suffix))
}

/// An edge between components, members folded into their classes (for `impact graph`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ComponentEdge {
    pub from: ComponentId,
    pub to: ComponentId,
    pub kind: EdgeKind,
    pub at: String,
}

impl Graph {
    /// The top-level component a node belongs to (a member's or inner class's outermost
    /// class; a component itself).
    pub fn owner(&self, index: NodeIndex) -> ComponentId {
        self.graph[self.top_level(index)].id.clone()
    }

    /// The outermost declaration that contains a node (itself for a component). Nesting
    /// is bounded, so a cycle of parents in broken facts cannot hang the walk.
    /// The top-level component a node belongs to (a member's class, an inner class's
    /// outer class); the node itself for a top-level one.
    pub fn top_level(&self, index: NodeIndex) -> NodeIndex {
        let mut current = index;
        for _ in 0..16 {
            match self.graph[current]
                .parent
                .as_ref()
                .and_then(|p| self.node(p))
            {
                Some(parent) => current = parent,
                None => break,
            }
        }
        current
    }

    /// Every edge folded to components, without self-loops and member-of edges, sorted
    /// and deduplicated by (from, to, kind).
    pub fn component_edges(&self) -> Vec<ComponentEdge> {
        let mut edges: Vec<ComponentEdge> = self
            .graph
            .edge_indices()
            .filter_map(|edge| {
                let (from, to) = self.graph.edge_endpoints(edge)?;
                let weight = &self.graph[edge];
                if weight.kind == EdgeKind::MemberOf {
                    return None;
                }
                let (from, to) = (self.owner(from), self.owner(to));
                (from != to).then(|| ComponentEdge {
                    from,
                    to,
                    kind: weight.kind,
                    at: weight.at.to_string(),
                })
            })
            .collect();
        edges.sort();
        edges.dedup_by(|a, b| a.from == b.from && a.to == b.to && a.kind == b.kind);
        edges
    }
}

/// How fine the graph's nodes are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Granularity {
    /// Apex members are nodes: a change to one method reaches only its callers.
    #[default]
    Member,
    /// Members and inner classes fold into their top-level class, as class-level tools
    /// work: safe, imprecise (kept to measure what member precision buys).
    Class,
}

impl Graph {
    /// The same graph with members and inner classes folded into their top-level
    /// components (see [`Granularity::Class`]).
    pub fn collapse(&self) -> Graph {
        let mut collapsed = Graph::default();
        let mut owner_of: Vec<NodeIndex> = Vec::with_capacity(self.graph.node_count());
        for index in self.graph.node_indices() {
            let owner_id = self.owner(index);
            let owner = match collapsed.index.get(owner_id.key()) {
                Some(&existing) => existing,
                None => {
                    let original = self.node(&owner_id).unwrap_or(index);
                    let mut node = self.graph[original].clone();
                    node.parent = None;
                    node.superclass = None;
                    let new_index = collapsed.graph.add_node(node);
                    collapsed
                        .index
                        .insert(owner_id.key().to_string(), new_index);
                    new_index
                }
            };
            if self.graph[index].has_problems {
                collapsed.graph[owner].has_problems = true;
            }
            owner_of.push(owner);
        }
        for edge in self.graph.edge_indices() {
            let Some((from, to)) = self.graph.edge_endpoints(edge) else {
                continue;
            };
            let (from, to) = (owner_of[from.index()], owner_of[to.index()]);
            let weight = &self.graph[edge];
            if from != to && weight.kind != EdgeKind::MemberOf {
                collapsed.add_edge(from, to, weight.kind, weight.at.clone());
            }
        }
        collapsed.n_unresolved_calls = self.n_unresolved_calls;
        collapsed.index_tests();
        // Test classes lost their test methods in the fold; they stay tests.
        for index in self.graph.node_indices() {
            if self.test_owner(index) == Some(index) {
                let owner = owner_of[index.index()];
                if let Some(slot) = collapsed.test_owners.get_mut(owner.index()) {
                    *slot = Some(owner);
                }
            }
        }
        collapsed
    }
}

/// The head revision's graph, and the base revision's when `needs_base` (deleted or
/// removed code must be walked). Unchanged files are the same at both revisions, so the
/// base graph is the head's files minus the changed ones (`changed_new_paths`) plus the
/// changed files' base sides (`old_facts`). The two graphs are independent, so they are
/// built side by side.
pub fn build_pair(
    head_facts: &[FileFacts],
    changed_new_paths: &std::collections::HashSet<String>,
    old_facts: &[FileFacts],
    needs_base: bool,
) -> (Graph, Option<Graph>) {
    rayon::join(
        || Graph::build(head_facts),
        || {
            needs_base.then(|| {
                Graph::build(
                    head_facts
                        .iter()
                        .filter(|file| !changed_new_paths.contains(&file.path))
                        .chain(old_facts.iter()),
                )
            })
        },
    )
}

impl Graph {
    /// Folds the graph to class granularity ([`Granularity::Class`]), and each list of
    /// seeds on this graph's revision to the classes that own them.
    pub fn fold_to_classes<'a>(
        self,
        seed_lists: impl Iterator<Item = &'a mut Vec<ComponentId>>,
    ) -> Graph {
        for seeds in seed_lists {
            let owners: BTreeSet<ComponentId> = seeds
                .iter()
                .map(|seed| match self.node(seed) {
                    Some(index) => self.owner(index),
                    None => seed.clone(),
                })
                .collect();
            *seeds = owners.into_iter().collect();
        }
        self.collapse()
    }

    /// Whether the graph declares `id` from a file of the revision.
    pub fn has_file_of(&self, id: &ComponentId) -> bool {
        self.node(id)
            .is_some_and(|index| !self.graph[index].files.is_empty())
    }

    /// The number of components that have a file (members and inner classes aside).
    pub fn n_components(&self) -> usize {
        self.nodes()
            .filter(|(_, node)| !node.id.is_member() && !node.files.is_empty())
            .count()
    }

    /// The keys of the test classes an Apex test suite of the repository names; `None`
    /// when the repository has no such suite.
    pub fn suite_members(&self, name: &str) -> Option<std::collections::HashSet<String>> {
        let suite = ComponentId::new("ApexTestSuite", name);
        let index = self
            .node(&suite)
            .filter(|&index| !self.graph[index].files.is_empty())?;
        Some(
            self.graph
                .neighbors_directed(index, petgraph::Direction::Outgoing)
                .map(|class| self.graph[class].id.key().to_string())
                .collect(),
        )
    }
}

/// The namespace Apex names DataWeave scripts in: `new DataWeaveScriptResource.Name()`.
const DATAWEAVE_NAMESPACE: &str = "DataWeaveScriptResource.";

/// The script a type name `DataWeaveScriptResource.Name` names (case-insensitive).
fn dataweave_script(name: &str) -> Option<&str> {
    let prefix = name.get(..DATAWEAVE_NAMESPACE.len())?;
    prefix
        .eq_ignore_ascii_case(DATAWEAVE_NAMESPACE)
        .then(|| &name[DATAWEAVE_NAMESPACE.len()..])
        .filter(|script| !script.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_names_say_which_class_they_test() {
        assert_eq!(test_stems("invoiceservicetest"), ["invoiceservice"]);
        assert_eq!(test_stems("invoiceservice_test"), ["invoiceservice"]);
        assert_eq!(test_stems("invoiceservice_tests"), ["invoiceservice"]);
        assert_eq!(test_stems("testinvoiceservice"), ["invoiceservice"]);
        assert_eq!(test_stems("test_invoiceservice"), ["invoiceservice"]);
        assert_eq!(test_stems("addr_addresses_test"), ["addr_addresses"]);
        assert!(test_stems("invoiceservice").is_empty());
        let classes: std::collections::HashSet<String> = ["invoiceservice", "addr_addresses_tdtm"]
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert!(named_for("invoiceservicetest", &classes));
        assert!(named_for("addr_addresses_test", &classes));
        assert!(!named_for("paymentservicetest", &classes));
        assert!(!named_for("invoiceservice", &classes));
        assert!(test_stems("test").is_empty());
    }

    #[test]
    fn platform_events_are_told_by_their_suffix() {
        assert!(is_platform_event("Order_Shipped__e"));
        assert!(is_platform_event("order_shipped__E"));
        assert!(!is_platform_event("Order__c"));
        assert!(!is_platform_event("__e"));
        assert!(!is_platform_event("Événement"));
    }
}
