//! What the walk, the policy, coverage and the reports ask of a built graph.

use super::*;
use crate::metadata::sobject;

impl Graph {
    /// The test a node belongs to: a test class (for itself, its members and inner
    /// classes), a Flow test, a Jest test; `None` for everything else.
    pub fn test_owner(&self, index: NodeIx) -> Option<NodeIx> {
        self.test_owners.get(index.ix()).copied().flatten()
    }

    /// The top-level component a node belongs to (a member's or inner class's outermost
    /// class; a component itself).
    pub fn owner(&self, index: NodeIx) -> ComponentId {
        self[self.top_level(index)].id.clone()
    }

    /// The top-level component a node belongs to (a member's class, an inner class's
    /// outer class); the node itself for a top-level one. Read from the table the test
    /// index fills; a node past it (or a graph not indexed yet) is looked up by its
    /// parents' ids ([`Graph::top_level_by_id`]).
    pub fn top_level(&self, index: NodeIx) -> NodeIx {
        match self.tops.get(index.ix()) {
            Some(&top) => top,
            None => self.top_level_by_id(index),
        }
    }

    /// [`Graph::top_level`] found by looking each parent up by id. Nesting is bounded,
    /// so a cycle of parents in broken facts cannot hang the walk.
    pub(super) fn top_level_by_id(&self, index: NodeIx) -> NodeIx {
        let mut current = index;
        for _ in 0..MAX_NESTING {
            match self[current].parent.as_ref().and_then(|p| self.node(p)) {
                Some(parent) => current = parent,
                None => break,
            }
        }
        current
    }

    /// The members and inner classes declared inside `class` (directly).
    pub fn children_of(&self, class: NodeIx) -> &[NodeIx] {
        self.children.of(class)
    }

    /// A class with everything declared inside it: members, inner classes and theirs.
    pub fn family(&self, class: NodeIx) -> Vec<NodeIx> {
        let mut inside = vec![class];
        let mut next = 0;
        while next < inside.len() {
            inside.extend_from_slice(self.children.of(inside[next]));
            next += 1;
        }
        inside
    }

    /// Whether `user` (a top-level class) or anything inside it has an edge to `class` or
    /// to anything inside it.
    pub(super) fn uses_class(&self, user: NodeIx, class: NodeIx) -> bool {
        self.family(user).iter().any(|&from| {
            self.outgoing(from)
                .any(|link| self.top_level(link.to) == class)
        })
    }

    /// The SObjects that `class` (with its members and inner classes) names as a type,
    /// in a query, or through one of their fields; writes alone do not count, because a
    /// write of `List<SObject>` is a write to every automated object. Custom metadata
    /// types do not count either: no trigger runs on one, and a dispatcher reads its
    /// configuration from them (happysoup's copy of the Trigger Actions Framework, whose
    /// `MetadataTriggerHandler` queries `Trigger_Action__mdt`, was taken for a handler of
    /// that type only, and no change to it reached a trigger's tests).
    pub(super) fn objects_named_by(&self, class: NodeIx) -> BTreeSet<NodeIx> {
        self.objects_named_in(self.family(class))
    }

    /// The SObjects that `nodes` name, as [`Graph::objects_named_by`] counts them.
    pub(super) fn objects_named_in(
        &self,
        nodes: impl IntoIterator<Item = NodeIx>,
    ) -> BTreeSet<NodeIx> {
        let mut objects = BTreeSet::new();
        let configuration =
            |object: &NodeIx| sobject::is_custom_metadata(self[*object].id.full_name());
        for from in nodes {
            for link in self.outgoing(from) {
                if !names_object(link.edge.kind) {
                    continue;
                }
                let target = &self[link.to];
                let object = if target.id.is_type(types::CUSTOM_OBJECT) {
                    Some(link.to)
                } else if target.id.is_type(types::CUSTOM_FIELD) {
                    target
                        .id
                        .full_name()
                        .split_once('.')
                        .and_then(|(object, _)| self.node(&sobject::id(object)))
                } else {
                    None
                };
                objects.extend(object.filter(|object| !configuration(object)));
            }
        }
        objects
    }

    /// Whether a node is an SObject (standard or custom, an event, a metadata type).
    /// Asked of the writer of every write edge (the walk, the wildcard writes): the
    /// kind answers for the methods, most writers, without comparing the id's type.
    pub fn is_object(&self, index: NodeIx) -> bool {
        let node = &self[index];
        node.kind == DeclKind::Component && node.id.is_type(types::CUSTOM_OBJECT)
    }

    /// Whether a node is an Apex class, interface, enum or member (not a trigger).
    pub fn is_apex_code(&self, index: NodeIx) -> bool {
        self[self.top_level(index)].id.is_type(types::APEX_CLASS)
    }

    /// Whether `class` is a handler that configuration records register for objects and
    /// that some call in the repository reaches through the class hierarchy: then the
    /// triggers of those objects reach it through that call, and the code that merely
    /// holds its name in a record (a default configuration, a test setup) does not run it.
    pub fn is_registered_handler(&self, class: NodeIx) -> bool {
        let registered = self
            .registrations
            .get(&class)
            .is_some_and(|objects| !objects.is_empty());
        registered
            && self.children_of(class).iter().any(|&member| {
                self.incoming(member)
                    .any(|link| link.edge.kind == EdgeKind::Dispatches)
            })
    }

    /// The SObjects a handler class is registered for by configuration records, else
    /// the ones it names itself (see [`Graph::objects_named_by`]). Empty when nothing
    /// tells.
    pub fn objects_handled_by(&self, class: NodeIx) -> BTreeSet<NodeIx> {
        match self.registrations.get(&class) {
            Some(objects) if !objects.is_empty() => objects.clone(),
            _ => self.objects_named_by(class),
        }
    }

    /// Whether a class (or trigger) has a line Salesforce counts for coverage. One whose
    /// every declaration is a class, interface or enum (with its header), or a method of
    /// an interface, has none: the org computes no coverage for it, so deploying it
    /// needs no test. Anything else counts: fields too (an initializer is an executable
    /// line, and the facts do not say whether a field has one), and a class whose file
    /// did not parse completely.
    pub fn has_executable_code(&self, class: NodeIx) -> bool {
        if let Some(folded_code) = &self.folded_code {
            return folded_code.contains(&class);
        }
        self.family(class).into_iter().any(|index| {
            let node = &self[index];
            let in_interface = || {
                node.parent
                    .as_ref()
                    .and_then(|parent| self.node(parent))
                    .is_some_and(|parent| self[parent].kind == DeclKind::Interface)
            };
            node.has_problems
                || match node.kind {
                    DeclKind::Class
                    | DeclKind::Interface
                    | DeclKind::Enum
                    | DeclKind::ClassHeader => false,
                    DeclKind::Method => !in_interface(),
                    DeclKind::Component
                    | DeclKind::Trigger
                    | DeclKind::Constructor
                    | DeclKind::Property
                    | DeclKind::Field
                    | DeclKind::Initializer => true,
                }
        })
    }

    /// Whether a node (a field, an initializer block) runs code of the repository, a
    /// query or DML, or calls a static method of the platform (`Url.getOrgDomainUrl()`:
    /// `Node::initializer_calls`): a field initializer or block that does runs when its
    /// class loads, so its change reaches every user of the class. Reading or assigning
    /// a field, or naming an enum value, runs no code; a property runs its accessors. A
    /// block that names a field of another class counts as running code.
    pub fn runs_code(&self, index: NodeIx) -> bool {
        if self[index].initializer_calls {
            return true;
        }
        let block_of = (self[index].kind == DeclKind::Initializer)
            .then(|| self[index].parent.as_ref())
            .flatten();
        self.outgoing(index).any(|link| match link.edge.kind {
            EdgeKind::Reads | EdgeKind::Writes => true,
            EdgeKind::Calls | EdgeKind::Dispatches => {
                let target = &self[link.to];
                let runnable = target.id.is_type(types::APEX_CLASS) || target.id.is_member();
                // What a block sets in another class's field is seen only where the
                // block's own class loads, that is by its class's users.
                let foreign_field = target.kind == DeclKind::Field
                    && block_of.is_some_and(|class| target.parent.as_ref() != Some(class));
                foreign_field
                    || (runnable
                        && !matches!(
                            target.kind,
                            DeclKind::Field | DeclKind::Enum | DeclKind::Interface
                        ))
            }
            EdgeKind::References
            | EdgeKind::Extends
            | EdgeKind::Implements
            | EdgeKind::Fires
            | EdgeKind::MemberOf
            | EdgeKind::TestFor
            | EdgeKind::Tests
            | EdgeKind::FlowAction
            | EdgeKind::Imports
            | EdgeKind::RecordOf
            | EdgeKind::StringRef
            | EdgeKind::CoveredBy
            | EdgeKind::NamedTest
            | EdgeKind::Defines
            | EdgeKind::Assigns
            | EdgeKind::TypeRef => false,
        })
    }

    /// Whether `class` is `ancestor` or extends or implements it, directly or not.
    pub fn is_subtype(&self, class: NodeIx, ancestor: NodeIx) -> bool {
        let mut stack = vec![ancestor];
        let mut seen: HashSet<NodeIx> = HashSet::default();
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
    pub fn can_hold(&self, declared: NodeIx, class: NodeIx) -> bool {
        self.is_subtype(class, declared) || self.is_subtype(declared, class)
    }

    /// The classes of the repository `node` hands over, each once, in edge order: by
    /// their type (`type-ref` edges: a class literal, `Accounts.class`), and made
    /// (`new X()`: a call of a constructor, or of a class that declares none).
    pub fn classes_handed_by(&self, node: NodeIx) -> Handed {
        let mut handed = Handed::default();
        for link in self.outgoing(node) {
            let (list, class) = match (link.edge.kind, self[link.to].kind) {
                (EdgeKind::TypeRef, _) => (&mut handed.held, self.top_level(link.to)),
                (EdgeKind::Calls, DeclKind::Constructor) => {
                    (&mut handed.made, self.declaring_class(link.to))
                }
                (EdgeKind::Calls, DeclKind::Class) => (&mut handed.made, link.to),
                _ => continue,
            };
            if self[class].id.is_type(types::APEX_CLASS) && !list.contains(&class) {
                list.push(class);
            }
        }
        handed
    }

    /// Whether `a` and `b` are built on one class or interface of the repository (two
    /// handlers of one dispatcher's interface).
    pub fn share_supertype(&self, a: NodeIx, b: NodeIx) -> bool {
        let supertypes = |class: NodeIx| {
            let mut found: Vec<NodeIx> = Vec::new();
            let mut stack = vec![class];
            while let Some(current) = stack.pop() {
                for link in self.outgoing(current) {
                    let builds_on =
                        matches!(link.edge.kind, EdgeKind::Extends | EdgeKind::Implements);
                    if builds_on && !found.contains(&link.to) {
                        found.push(link.to);
                        stack.push(link.to);
                    }
                }
            }
            found
        };
        let of_a = supertypes(a);
        !of_a.is_empty() && supertypes(b).iter().any(|ancestor| of_a.contains(ancestor))
    }

    /// Whether only triggers, tests and the class itself (a queueable that enqueues
    /// another of itself) make `class` (`new X()`) or hold its name or type (which could
    /// make one): a handler each trigger makes for itself, not one a dispatcher or a
    /// factory makes for every trigger.
    pub fn made_only_by_triggers(&self, class: NodeIx) -> bool {
        let constructors = self
            .children_of(class)
            .iter()
            .copied()
            .filter(|&member| self[member].kind == DeclKind::Constructor);
        std::iter::once(class).chain(constructors).all(|node| {
            self.incoming(node).all(|link| match link.edge.kind {
                EdgeKind::Calls | EdgeKind::StringRef | EdgeKind::TypeRef => {
                    let top = self.top_level(link.from);
                    top == class || self[top].is_trigger() || self.test_owner(link.from).is_some()
                }
                _ => true,
            })
        })
    }

    /// Whether configuration records register `class` as a handler of some object.
    pub fn has_registrations(&self, class: NodeIx) -> bool {
        self.registrations
            .get(&class)
            .is_some_and(|objects| !objects.is_empty())
    }

    /// The class that declares a member (or inner class); a class itself otherwise.
    pub fn declaring_class(&self, index: NodeIx) -> NodeIx {
        match self[index].parent.as_ref().and_then(|p| self.node(p)) {
            Some(parent) if self[index].id.is_member() => parent,
            _ => index,
        }
    }

    /// The SObjects whose automation `node` is (a trigger's object).
    pub fn objects_automated_by(&self, node: NodeIx) -> Vec<NodeIx> {
        self.incoming(node)
            .filter(|edge| edge.edge.kind == EdgeKind::Fires)
            .map(|edge| edge.from)
            .collect()
    }

    /// Whether the graph declares `id` from a file of the revision.
    pub fn has_file_of(&self, id: &ComponentId) -> bool {
        self.node_with_file(id).is_some()
    }

    /// The node of `id` when a file of the revision declares it (not only named, like a
    /// standard object or a flow a record names that the repository does not hold).
    pub(super) fn node_with_file(&self, id: &ComponentId) -> Option<NodeIx> {
        self.node(id).filter(|&index| self[index].has_file())
    }

    /// The number of components that have a file (members and inner classes aside).
    pub fn n_components(&self) -> usize {
        self.nodes()
            .filter(|(_, node)| !node.id.is_member() && node.has_file())
            .count()
    }

    /// The keys of the test classes an Apex test suite of the repository names; `None`
    /// when the repository has no such suite.
    pub fn suite_members(&self, name: &str) -> Option<std::collections::HashSet<String>> {
        let suite = ComponentId::new(types::APEX_TEST_SUITE, name);
        let index = self.node_with_file(&suite)?;
        Some(
            self.outgoing(index)
                .map(|link| self[link.to].id.key().to_string())
                .collect(),
        )
    }
}

/// Whether an edge of `kind` names an object the way a handler names the objects it
/// handles: as a type, in a query, through a field. A write does not: a write of
/// `List<SObject>` is a write to every automated object.
fn names_object(kind: EdgeKind) -> bool {
    match kind {
        // `Account.class` names the object as a type does.
        EdgeKind::References | EdgeKind::TypeRef | EdgeKind::Reads => true,
        EdgeKind::Calls
        | EdgeKind::Extends
        | EdgeKind::Implements
        | EdgeKind::Writes
        | EdgeKind::Fires
        | EdgeKind::MemberOf
        | EdgeKind::TestFor
        | EdgeKind::Tests
        | EdgeKind::FlowAction
        | EdgeKind::Imports
        | EdgeKind::RecordOf
        | EdgeKind::StringRef
        | EdgeKind::CoveredBy
        | EdgeKind::NamedTest
        | EdgeKind::Dispatches
        | EdgeKind::Defines
        | EdgeKind::Assigns => false,
    }
}
