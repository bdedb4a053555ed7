//! The walk of the Apex parser: one pass over the tree, declarations first, then every
//! statement and expression once, recording uses with the innermost declared member as
//! their source. This file holds the walk state, scopes, the dispatch on node kinds and
//! the recording of uses; declarations, statements, expressions and queries are in
//! sibling modules.
//!
//! Types are tracked only as far as the file declares them: variables (locals,
//! parameters, loop and catch variables), fields and properties of the enclosing classes,
//! and return types of this file's methods. Anything else stays a [`TypeExpr`] for the
//! graph to resolve, or a [`Target::AnyMember`] when not even that can be told.

use super::children::Children;
use super::dynamic::Building;
use super::records::RecordList;
use super::table::ClassTable;
use super::text::{
    child, fields, find_kind, is_comment, kind_name, kind_of, line_of, lines_of, literal_content,
    literal_name, named_children, top_declarations, Kind,
};
use super::wrappers::WalkedParameter;
use super::{ApexFileKind, DeclSet, Tokens};
use crate::facts::{
    DeclKind, Declaration, DmlEvents, EdgeKind, Facts, Passed, Problem, Target, TypeExpr, Use,
};
use crate::metadata::component::ComponentId;
use rustc_hash::FxHasher;
use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use tree_sitter::{Node, Parser, TreeCursor};

/// Deepest nesting of statements and expressions the walk follows; beyond it a subtree
/// is skipped with a [`Problem`] (real code stays far below; this guards the stack).
pub(super) const MAX_DEPTH: u32 = 200;

/// What the walk knows about the value of an expression.
pub(super) enum Recv<'t> {
    /// Nothing: a literal, an operator result, an unresolvable receiver.
    Unknown,
    /// A name that is no variable in scope: a type, `ns.Type`, or a static member path.
    Static(String),
    /// A value whose declared type is this type node.
    Typed(Node<'t>),
    /// A value of this type expression.
    Value(TypeExpr<'static>),
    /// `Schema.SObjectType.X`: the describe of object X.
    Describe(String),
    /// `Schema.SObjectType.X.fields`.
    DescribeFields(String),
    /// `Schema.SObjectType.X.fieldSets`: a field set of object X is read by name from it.
    DescribeFieldSets(String),
    /// A collection of untyped records built from listed values (`new SObject[]{ a, b }`):
    /// its declared type and the type of each value, so DML on it writes their objects.
    Elements {
        declared: String,
        elements: Vec<TypeExpr<'static>>,
    },
}

/// Walk state for one file.
pub(super) struct Walker<'t> {
    pub(super) src: &'t str,
    pub(super) tokens: &'t Tokens<'t>,
    /// The children of the nodes the token walk descended into.
    pub(super) children: &'t Children<'t>,
    pub(super) table: ClassTable<'t>,
    pub(super) component: &'t ComponentId,
    pub(super) decls: DeclSet,
    pub(super) uses: Vec<Use<'static>>,
    /// Dedup key of each recorded use → its index in `uses`.
    pub(super) seen: HashMap<u64, usize, rustc_hash::FxBuildHasher>,
    pub(super) problems: Vec<Problem>,
    /// Variables in scope, innermost last: name and declared type node.
    pub(super) vars: Vec<(&'t str, Node<'t>)>,
    /// Length of `vars` at each open scope.
    pub(super) marks: Vec<usize>,
    /// The declared node uses are recorded from.
    pub(super) from: ComponentId,
    /// The class being walked.
    pub(super) class: Option<usize>,
    /// In a trigger, the object of `on X`.
    pub(super) trigger_object: Option<&'t str>,
    pub(super) depth: u32,
    /// Queries being built in string variables of the member being walked.
    pub(super) building: Vec<Building<'t>>,
    /// The literals the string variables of the member being walked are set to, each
    /// variable's in the order of the code: a query built from one reads it in its
    /// place.
    pub(super) strings: Vec<(&'t str, Node<'t>)>,
    /// The local collections of untyped records of the member being walked
    /// ([`super::records`]).
    pub(super) record_lists: Vec<RecordList<'t>>,
    /// The records parameters of the file's static methods, as each walk found them:
    /// declared at the file's end ([`super::wrappers`]).
    pub(super) walked_parameters: Vec<WalkedParameter>,
    /// Whether the file may call `Test.isRunningTest()` (its text holds `unning`): if
    /// not, no condition is asked what it is in tests ([`Walker::value_in_tests`]),
    /// which costs a walk of each condition's operands.
    pub(super) may_ask_running_test: bool,
    /// The locals of the member being walked declared from an object's describe
    /// (`Schema.DescribeSObjectResult d = Account.SObjectType.getDescribe();`): each
    /// one's declared type node and the object.
    pub(super) described: Vec<(Node<'t>, String)>,
    /// The loop variables of the member being walked that go over a followed record
    /// list: the variable's declared type node and the list's ([`super::records`]).
    pub(super) loop_elements: Vec<(Node<'t>, Node<'t>)>,
    /// The declared type nodes of loop variables assigned in the member.
    pub(super) reassigned_loops: Vec<Node<'t>>,
    /// While a query is read once per literal of a variable: the variable and which.
    pub(super) chosen: Option<(&'t str, usize)>,
    /// The parser of queries written in strings, made for the file's first one.
    pub(super) query_parser: Option<Parser>,
    /// While the arguments of a call that makes no instance of a type it is given are
    /// walked (`JSON.deserialize(body, Order.class)`, `mocks.mock(OrderService.class)`):
    /// a class literal there is a plain reference, not a `type-ref`.
    pub(super) types_not_instantiated: bool,
    /// Local `SObjectAccessDecision`s of `Security.stripInaccessible` calls: the
    /// variable's declared type node (its identity) and that of the records it was
    /// given ([`super::access`]).
    pub(super) access_decisions: Vec<(Node<'t>, Node<'t>)>,
    /// Reused cursor and child lists: allocating them for every node dominated the
    /// walk's time.
    pub(super) scratch: RefCell<Scratch<'t>>,
}

/// See [`Walker::scratch`].
#[derive(Default)]
pub(super) struct Scratch<'t> {
    cursor: Option<TreeCursor<'t>>,
    lists: Vec<Vec<Node<'t>>>,
}

impl<'t> Walker<'t> {
    /// Walks the whole file and returns its facts (semantic hash and parse problems are
    /// the caller's).
    pub(super) fn run(
        root: Node<'t>,
        src: &'t str,
        component: &'t ComponentId,
        kind: ApexFileKind,
        tokens: &'t Tokens<'t>,
        children: &'t Children<'t>,
    ) -> Facts {
        let tops = match kind {
            ApexFileKind::Class => top_declarations(root),
            ApexFileKind::Trigger => Vec::new(),
        };
        let mut walker = Walker {
            src,
            tokens,
            children,
            table: ClassTable::build(&tops, src, component.full_name()),
            component,
            decls: DeclSet::default(),
            uses: Vec::new(),
            seen: HashMap::default(),
            problems: Vec::new(),
            vars: Vec::new(),
            marks: Vec::new(),
            from: component.clone(),
            class: None,
            trigger_object: None,
            depth: 0,
            building: Vec::new(),
            strings: Vec::new(),
            record_lists: Vec::new(),
            walked_parameters: Vec::new(),
            loop_elements: Vec::new(),
            described: Vec::new(),
            may_ask_running_test: src.contains("unning"),
            reassigned_loops: Vec::new(),
            chosen: None,
            query_parser: None,
            types_not_instantiated: false,
            access_decisions: Vec::new(),
            scratch: RefCell::default(),
        };
        match kind {
            ApexFileKind::Class => walker.class_file(root, &tops),
            ApexFileKind::Trigger => walker.trigger_file(root),
        }
        walker.finish_member();
        walker.finish_parameters();
        Facts {
            declares: walker.decls.finish(tokens),
            uses: walker.uses.into(),
            problems: walker.problems,
            semantic_hash: 0,
        }
    }

    pub(super) fn class_file(&mut self, root: Node<'t>, tops: &[Node<'t>]) {
        if tops.is_empty() {
            // Nothing that looks like a class: keep the component as a node anyway.
            let spans = vec![self.tokens.span(root)];
            self.decls.add(
                Declaration::new(
                    self.component.clone(),
                    DeclKind::Class,
                    None,
                    (1, lines_of(root).1),
                ),
                spans,
            );
        }
        self.top_level(root);
    }

    /// Walks the top-level nodes: declarations recorded in the table as types, anything
    /// else (stray statements, error recovery) from the component.
    pub(super) fn top_level(&mut self, node: Node<'t>) {
        for top in named_children(node) {
            if let Some(index) = self.table.index_of(top) {
                self.type_decl(top, index);
            } else if top.is_error() {
                self.top_level(top);
            } else {
                self.from = self.component.clone();
                self.class = None;
                self.walk(top);
            }
        }
    }

    pub(super) fn trigger_file(&mut self, root: Node<'t>) {
        let f = fields();
        let trigger = find_kind(root, "trigger_declaration").or_else(|| {
            named_children(root)
                .into_iter()
                .filter(|node| node.is_error())
                .find_map(|node| find_kind(node, "trigger_declaration"))
        });
        let Some(trigger) = trigger else {
            let spans = vec![self.tokens.span(root)];
            self.decls.add(
                Declaration::new(
                    self.component.clone(),
                    DeclKind::Trigger,
                    None,
                    (1, lines_of(root).1),
                ),
                spans,
            );
            self.walk_children(root);
            return;
        };
        let object = child(trigger, f.object).map(|node| self.text(node));
        self.trigger_object = object.filter(|object| !object.is_empty());
        let mut trigger_decl = Declaration::new(
            self.component.clone(),
            DeclKind::Trigger,
            None,
            lines_of(trigger),
        );
        trigger_decl.automates = self.trigger_object.map(str::to_string);
        trigger_decl.fires_on = trigger_events(trigger);
        let spans = vec![self.tokens.span(trigger)];
        self.decls.add(trigger_decl, spans);
        if let Some(body) = child(trigger, f.body) {
            self.walk(body);
        }
        // Error recovery may leave code beside the declaration.
        for other in named_children(root) {
            if other.id() != trigger.id() {
                self.walk(other);
            }
        }
    }

    /// At the end of each member (and of a trigger): the queries built in its string
    /// variables are read, and the DML on its record lists written.
    pub(super) fn finish_member(&mut self) {
        self.finish_queries();
        self.finish_record_lists();
        self.described.clear();
    }

    pub(super) fn push_scope(&mut self) {
        self.marks.push(self.vars.len());
    }

    pub(super) fn pop_scope(&mut self) {
        let len = self.marks.pop().unwrap_or(0);
        self.vars.truncate(len);
    }

    pub(super) fn lookup_var(&self, name: &str) -> Option<Node<'t>> {
        self.vars
            .iter()
            .rev()
            .find(|(var, _)| var.eq_ignore_ascii_case(name))
            .map(|(_, type_node)| *type_node)
    }

    /// Calls `visit` on each named, non-comment child of `node` until it returns false.
    /// `visit` must not call back into the scratch helpers (it holds their cursor).
    pub(super) fn scan(&self, node: Node<'t>, mut visit: impl FnMut(Node<'t>) -> bool) {
        if let Some(children) = self.children.of(node) {
            for &child in children {
                if !visit(child) {
                    return;
                }
            }
            return;
        }
        let mut scratch = self.scratch.borrow_mut();
        let cursor = match &mut scratch.cursor {
            Some(cursor) => {
                cursor.reset(node);
                cursor
            }
            slot => slot.insert(node.walk()),
        };
        if !cursor.goto_first_child() {
            return;
        }
        loop {
            let child = cursor.node();
            if child.is_named() && !is_comment(child) && !visit(child) {
                return;
            }
            if !cursor.goto_next_sibling() {
                return;
            }
        }
    }

    /// The named, non-comment children of `node`, in a reused list; hand it back with
    /// [`Walker::recycle`].
    pub(super) fn kids(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let mut list = self.scratch.borrow_mut().lists.pop().unwrap_or_default();
        list.clear();
        self.scan(node, |child| {
            list.push(child);
            true
        });
        list
    }

    /// Returns a list from [`Walker::kids`] for reuse.
    pub(super) fn recycle(&self, list: Vec<Node<'t>>) {
        self.scratch.borrow_mut().lists.push(list);
    }

    /// The first named, non-comment child of `node` of kind `kind`.
    pub(super) fn find_kind(&self, node: Node<'t>, kind: &str) -> Option<Node<'t>> {
        let mut found = None;
        self.scan(node, |child| {
            if kind_name(child) == kind {
                found = Some(child);
            }
            found.is_none()
        });
        found
    }

    /// The first named, non-comment child of `node`.
    pub(super) fn first_named(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut found = None;
        self.scan(node, |child| {
            found = Some(child);
            false
        });
        found
    }

    /// Number of arguments in an `argument_list`.
    pub(super) fn count_args(&self, arguments: Node<'t>) -> u32 {
        let mut count = 0u32;
        self.scan(arguments, |_| {
            count = count.saturating_add(1);
            true
        });
        count
    }

    pub(super) fn walk_children(&mut self, node: Node<'t>) -> Recv<'t> {
        let children = self.kids(node);
        for &child in &children {
            self.walk(child);
        }
        self.recycle(children);
        Recv::Unknown
    }

    /// A block's statements, in a scope of their own; those after a statement that a test
    /// leaves the block at (`if (Test.isRunningTest()) return;`) are not walked.
    pub(super) fn scoped_children(&mut self, node: Node<'t>) -> Recv<'t> {
        self.push_scope();
        let children = self.kids(node);
        for &child in &children {
            self.walk(child);
            if kind_of(child) == Kind::If && self.leaves_block_in_tests(child) {
                break;
            }
        }
        self.recycle(children);
        self.pop_scope();
        Recv::Unknown
    }

    /// Walks a statement or expression, recording its uses; returns what is known of its
    /// value.
    pub(super) fn walk(&mut self, node: Node<'t>) -> Recv<'t> {
        if self.depth >= MAX_DEPTH {
            if self.problems.is_empty() {
                let line = line_of(node);
                self.problems.push(Problem {
                    line: Some(line),
                    message: format!(
                        "Apex nesting too deep near line {line}; code inside it was not read"
                    ),
                });
            }
            return Recv::Unknown;
        }
        self.depth += 1;
        let recv = self.walk_node(node);
        self.depth -= 1;
        recv
    }

    /// Dispatches on the node kind. Kept small: every arm is a call, so that in debug
    /// builds the frame of this recursive function stays small.
    fn walk_node(&mut self, node: Node<'t>) -> Recv<'t> {
        match kind_of(node) {
            Kind::Comment | Kind::Ignored => Recv::Unknown,
            Kind::Identifier => self.identifier(node),
            Kind::This => self.this_value(),
            Kind::Super => self.super_value(),
            Kind::StringLiteral => {
                self.string_literal(node);
                self.dynamic_query(&[node]);
                Recv::Unknown
            }
            Kind::FieldAccess => self.field_access(node, false),
            Kind::MethodInvocation => self.method_invocation(node),
            Kind::ObjectCreation => self.object_creation(node),
            Kind::CollectionCreation => self.collection_creation(node),
            Kind::Cast => self.cast(node),
            Kind::Parenthesized => match self.first_named(node) {
                Some(inner) => self.walk(inner),
                None => Recv::Unknown,
            },
            Kind::Instanceof => self.instance_of(node),
            Kind::ClassLiteral => self.class_literal(node),
            Kind::ArrayAccess => self.array_access(node),
            Kind::Ternary => self.ternary(node),
            Kind::Assignment => self.assignment(node),
            Kind::Binary => self.binary(node),
            Kind::If => self.if_chain(node),
            Kind::Dml => {
                self.dml(node);
                Recv::Unknown
            }
            Kind::Query => self.query(node),
            Kind::ExplicitConstructor => {
                self.constructor_call(node);
                Recv::Unknown
            }
            Kind::ScopedBlock | Kind::SwitchRule => self.scoped_children(node),
            Kind::LocalDeclaration => self.local_declaration(node),
            Kind::EnhancedFor => self.enhanced_for(node),
            Kind::Catch => self.catch_clause(node),
            Kind::WhenSObjectType => self.when_sobject_type(node),
            Kind::FormalParameter => self.parameter(node),
            Kind::Annotation => self.field_value(node, fields().arguments),
            Kind::AnnotationKeyValue | Kind::VariableDeclarator => {
                self.field_value(node, fields().value)
            }
            Kind::Return => self.return_statement(node),
            Kind::Type => {
                self.emit_type(node, EdgeKind::References, 0);
                Recv::Unknown
            }
            Kind::Other => self.walk_children(node),
        }
    }

    pub(super) fn text(&self, node: Node) -> &'t str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    pub(super) fn string_literal(&mut self, node: Node<'t>) {
        self.literal_text(self.text(node), node);
    }

    /// Records the name a string literal written as `raw` (quotes included) gives a
    /// component, if any ([`literal_name`]), at `at`.
    pub(super) fn literal_text(&mut self, raw: &str, at: Node) {
        if let Some(content) = literal_content(raw) {
            self.string_value(content, at);
        }
    }

    /// Records the name a string whose value is `content` gives a component, if any
    /// ([`literal_name`]), at `at`.
    pub(super) fn string_value(&mut self, content: &str, at: Node) {
        if let Some(name) = literal_name(content) {
            self.emit(
                Target::StringLiteral(name.to_string().into()),
                EdgeKind::StringRef,
                at,
            );
        }
    }

    /// Records a use from the current node, once per source, target and kind: the first
    /// line is enough to explain an edge, and repeats would only weigh on the graph.
    pub(super) fn emit(&mut self, target: Target<'static>, kind: EdgeKind, at: Node) {
        let line = line_of(at);
        let mut hasher = FxHasher::default();
        self.from.key().hash(&mut hasher);
        kind.hash(&mut hasher);
        hash_target(&target, &mut hasher);
        match self.seen.entry(hasher.finish()) {
            Entry::Occupied(entry) => {
                // Equal keys are almost always equal uses; compare to be sure, so a
                // collision never drops a use.
                if let Some(old) = self.uses.get(*entry.get()) {
                    if old.kind == kind && old.target == target && old.from == self.from {
                        return;
                    }
                }
            }
            Entry::Vacant(entry) => {
                entry.insert(self.uses.len());
            }
        }
        self.uses.push(Use {
            from: self.from.clone(),
            target,
            kind,
            line,
        });
    }
}

/// The DML events a trigger runs on (`before insert, after update` is insert and
/// update); every event when none can be read.
fn trigger_events(trigger: Node) -> DmlEvents {
    let events = named_children(trigger)
        .into_iter()
        .filter(|node| kind_name(*node) == "trigger_event")
        .filter_map(|event| event.named_child(0))
        .filter_map(|timing| {
            kind_name(timing)
                .split_once('_')
                .map(|(_, operation)| operation)
        })
        .fold(DmlEvents::NONE, |all, operation| {
            all.union(DmlEvents::of_operation(operation))
        });
    if events == DmlEvents::NONE {
        DmlEvents::ALL
    } else {
        events
    }
}

fn hash_target(target: &Target<'static>, hasher: &mut impl Hasher) {
    match target {
        Target::ApexType(name) => (0u8, name).hash(hasher),
        // Whether a call is on `this` changes how far a change reaches, not what the
        // code means: `hook()` and `this.hook()` hash alike.
        Target::Member {
            receiver,
            member,
            arity,
            on_this: _,
        } => {
            (1u8, member, arity).hash(hasher);
            hash_type_expr(receiver, hasher);
        }
        Target::AnyMember { member, arity } => (2u8, member, arity).hash(hasher),
        Target::SObject(name) => (3u8, name).hash(hasher),
        Target::Field { object, field } => (4u8, object, field).hash(hasher),
        Target::Label(name) => (5u8, name).hash(hasher),
        Target::Component(id) => (6u8, id.key()).hash(hasher),
        Target::StringLiteral(text) => (7u8, text).hash(hasher),
        Target::Registration(values) => (8u8, values).hash(hasher),
        Target::Dml { object, events } => (9u8, object, events).hash(hasher),
        Target::DmlOf { records, events } => {
            (10u8, events).hash(hasher);
            hash_type_expr(records, hasher);
        }
        Target::DmlThrough(passed) => {
            let Passed {
                receiver,
                member,
                arity,
                position,
                object,
                handed,
            } = &**passed;
            (11u8, member, arity, position, object).hash(hasher);
            hash_type_expr(receiver, hasher);
            handed.hash(hasher);
        }
        Target::ParameterDml { parameter, events } => (12u8, parameter, events).hash(hasher),
    }
}

fn hash_type_expr(expr: &TypeExpr<'static>, hasher: &mut impl Hasher) {
    match expr {
        TypeExpr::Named(name) => (0u8, name).hash(hasher),
        TypeExpr::ReturnOf(inner, member) => {
            (1u8, member).hash(hasher);
            hash_type_expr(inner, hasher);
        }
        TypeExpr::MemberOf(inner, member) => {
            (2u8, member).hash(hasher);
            hash_type_expr(inner, hasher);
        }
    }
}
