//! The main walk of the Apex parser: declarations, then every statement and expression
//! once, recording uses with the innermost declared member as their source.
//!
//! Types are tracked only as far as the file declares them: variables (locals,
//! parameters, loop and catch variables), fields and properties of the enclosing classes,
//! and return types of this file's methods. Anything else stays a [`TypeExpr`] for the
//! graph to resolve, or an [`Target::AnyMember`] when not even that can be told.

use super::table::{interface_types, ClassTable};
use super::text::{
    child, count_args, element_type, fields, find_kind, first_named, has_sobject_suffix,
    is_comment, is_database_dml, is_simple_name, is_system_namespace, is_untyped_record,
    line_of, lines_of, literal_content, looks_like_sobject, name_like_literal,
    named_children, normalize_type, strip_schema,
};
use super::{ApexFileKind, DeclSet, Tokens};
use crate::facts::{DeclKind, Declaration, EdgeKind, Facts, Problem, Target, TestMark, TypeExpr, Use};
use crate::metadata::component::ComponentId;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use tree_sitter::Node;

/// Deepest nesting of statements and expressions the walk follows; beyond it a subtree
/// is skipped with a [`Problem`] (real code stays far below; this guards the stack).
const MAX_DEPTH: u32 = 200;

/// What the walk knows about the value of an expression.
pub(super) enum Recv<'t> {
    /// Nothing: a literal, an operator result, an unresolvable receiver.
    Unknown,
    /// A name that is no variable in scope: a type, `ns.Type`, or a static member path.
    Static(String),
    /// A value whose declared type is this type node.
    Typed(Node<'t>),
    /// A value of this type expression.
    Value(TypeExpr),
    /// `Schema.SObjectType.X`: the describe of object X.
    Describe(String),
    /// `Schema.SObjectType.X.fields`.
    DescribeFields(String),
}

/// Walk state for one file.
pub(super) struct Walker<'t> {
    src: &'t str,
    tokens: &'t Tokens<'t>,
    table: ClassTable<'t>,
    component: &'t ComponentId,
    decls: DeclSet,
    uses: Vec<Use>,
    seen: HashSet<u64>,
    problems: Vec<Problem>,
    /// Variables in scope, innermost last: name and declared type node.
    vars: Vec<(&'t str, Node<'t>)>,
    /// Length of `vars` at each open scope.
    marks: Vec<usize>,
    /// The declared node uses are recorded from.
    from: ComponentId,
    /// The class being walked.
    class: Option<usize>,
    /// In a trigger, the object of `on X`.
    trigger_object: Option<&'t str>,
    depth: u32,
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
    ) -> Facts {
        let tops = match kind {
            ApexFileKind::Class => top_declarations(root),
            ApexFileKind::Trigger => Vec::new(),
        };
        let mut walker = Walker {
            src,
            tokens,
            table: ClassTable::build(&tops, src, component.full_name()),
            component,
            decls: DeclSet::default(),
            uses: Vec::new(),
            seen: HashSet::new(),
            problems: Vec::new(),
            vars: Vec::new(),
            marks: Vec::new(),
            from: component.clone(),
            class: None,
            trigger_object: None,
            depth: 0,
        };
        match kind {
            ApexFileKind::Class => walker.class_file(root, &tops),
            ApexFileKind::Trigger => walker.trigger_file(root),
        }
        Facts {
            declares: walker.decls.finish(tokens),
            uses: walker.uses,
            problems: walker.problems,
            semantic_hash: 0,
        }
    }

    fn class_file(&mut self, root: Node<'t>, tops: &[Node<'t>]) {
        if tops.is_empty() {
            // Nothing that looks like a class: keep the component as a node anyway.
            let spans = vec![self.tokens.span(root)];
            self.decls.add(
                declaration(self.component.clone(), DeclKind::Class, None, (1, lines_of(root).1)),
                spans,
            );
        }
        self.top_level(root);
    }

    /// Walks the top-level nodes: declarations recorded in the table as types, anything
    /// else (stray statements, error recovery) from the component.
    fn top_level(&mut self, node: Node<'t>) {
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

    fn trigger_file(&mut self, root: Node<'t>) {
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
                declaration(self.component.clone(), DeclKind::Trigger, None, (1, lines_of(root).1)),
                spans,
            );
            self.walk_children(root);
            return;
        };
        let object = child(trigger, f.object).map(|node| self.text(node));
        self.trigger_object = object.filter(|object| !object.is_empty());
        let mut trigger_decl = declaration(self.component.clone(), DeclKind::Trigger, None, lines_of(trigger));
        trigger_decl.automates = self.trigger_object.map(str::to_string);
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

    // ----- declarations -------------------------------------------------------------

    fn class_id(&self, index: usize) -> ComponentId {
        if index == 0 {
            self.component.clone()
        } else {
            ComponentId::new("ApexClass", &self.table.classes[index].full)
        }
    }

    fn type_decl(&mut self, node: Node<'t>, index: usize) {
        let f = fields();
        let full = self.table.classes[index].full.clone();
        let id = self.class_id(index);
        let parent = self.table.classes[index].parent.map(|p| self.class_id(p));
        let kind = match node.kind() {
            "interface_declaration" => DeclKind::Interface,
            "enum_declaration" => DeclKind::Enum,
            _ => DeclKind::Class,
        };
        let body = child(node, f.body);
        let members: Vec<Node<'t>> = body
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .filter(|member| is_member_kind(member.kind()))
            .collect();
        let spans = self.tokens.spans_without(node, &members);
        let modifiers = find_kind(node, "modifiers");
        let superclass = self.table.classes[index].superclass;
        let interfaces = interface_types(node);
        let lines = lines_of(node);
        let header_end = body.map_or(lines.1, line_of);

        let mut class_decl = declaration(id.clone(), kind, parent, lines);
        class_decl.extends = superclass.map(|node| self.type_text(node));
        class_decl.implements = interfaces.iter().map(|node| self.type_text(*node)).collect();
        class_decl.test = modifiers.and_then(|m| self.test_mark(m, false));
        self.decls.add(class_decl, spans.clone());

        let header = ComponentId::member(&full, "<class>");
        self.decls.add(
            declaration(header.clone(), DeclKind::ClassHeader, Some(id.clone()), (lines.0, header_end)),
            spans,
        );

        let saved = (std::mem::replace(&mut self.from, header.clone()), self.class);
        self.class = Some(index);
        if let Some(modifiers) = modifiers {
            self.walk(modifiers);
        }
        if let Some(superclass) = superclass {
            self.emit_type(superclass, EdgeKind::Extends, 0);
        }
        for interface in interfaces {
            self.emit_type(interface, EdgeKind::Implements, 0);
        }
        if let Some(body) = body {
            for member in named_children(body) {
                self.from = header.clone();
                self.member(member, &full, &id);
            }
        }
        self.from = saved.0;
        self.class = saved.1;
    }

    fn member(&mut self, node: Node<'t>, full: &str, class: &ComponentId) {
        match node.kind() {
            "field_declaration" | "constant_declaration" => self.field_decl(node, full, class),
            "method_declaration" => self.method_decl(node, full, class, false),
            "constructor_declaration" => self.method_decl(node, full, class, true),
            "block" | "static_initializer" => {
                let id = ComponentId::member(full, "<clinit>");
                let spans = vec![self.tokens.span(node)];
                self.decls.add(
                    declaration(id.clone(), DeclKind::Initializer, Some(class.clone()), lines_of(node)),
                    spans,
                );
                self.from = id;
                self.walk(node);
            }
            "class_declaration" | "interface_declaration" | "enum_declaration" => {
                match self.table.index_of(node) {
                    Some(index) => {
                        let saved = self.class;
                        self.type_decl(node, index);
                        self.class = saved;
                    }
                    None => {
                        self.walk(node);
                    }
                }
            }
            // Enum constants are part of the class header.
            "enum_constant" => {}
            _ => {
                self.walk(node);
            }
        }
    }

    fn field_decl(&mut self, node: Node<'t>, full: &str, class: &ComponentId) {
        let f = fields();
        let type_node = child(node, f.type_);
        let declarators: Vec<Node<'t>> = named_children(node)
            .into_iter()
            .filter(|d| d.kind() == "variable_declarator")
            .collect();
        let accessors = find_kind(node, "accessor_list");
        let kind = if accessors.is_some() { DeclKind::Property } else { DeclKind::Field };
        let modifiers = find_kind(node, "modifiers");
        let value_type = type_node.map(|t| self.type_text(t));
        let mut declared = false;
        for declarator in &declarators {
            let Some(name) = child(*declarator, f.name).map(|n| self.text(n)) else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            declared = true;
            let id = ComponentId::member(full, name);
            let others: Vec<Node<'t>> = declarators
                .iter()
                .filter(|other| other.id() != declarator.id())
                .copied()
                .collect();
            let spans = self.tokens.spans_without(node, &others);
            let mut decl = declaration(id.clone(), kind, Some(class.clone()), lines_of(node));
            decl.value_type = value_type.clone();
            self.decls.add(decl, spans);
            self.from = id;
            if let Some(modifiers) = modifiers {
                self.walk(modifiers);
            }
            if let Some(type_node) = type_node {
                self.emit_type(type_node, EdgeKind::References, 0);
            }
            if let Some(value) = child(*declarator, f.value) {
                self.walk(value);
            }
            if let Some(accessors) = accessors {
                self.push_scope();
                if let Some(type_node) = type_node {
                    self.vars.push(("value", type_node));
                }
                self.walk(accessors);
                self.pop_scope();
            }
        }
        if !declared {
            self.walk(node);
        }
    }

    fn method_decl(&mut self, node: Node<'t>, full: &str, class: &ComponentId, constructor: bool) {
        let f = fields();
        let name = if constructor {
            "<init>"
        } else {
            match child(node, f.name).map(|n| self.text(n)) {
                Some(name) if !name.is_empty() => name,
                _ => {
                    self.walk(node);
                    return;
                }
            }
        };
        let id = ComponentId::member(full, name);
        let parameters: Vec<Node<'t>> = child(node, f.parameters)
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.kind() == "formal_parameter")
            .collect();
        let type_node = child(node, f.type_);
        let modifiers = find_kind(node, "modifiers");
        let mut decl = declaration(
            id.clone(),
            if constructor { DeclKind::Constructor } else { DeclKind::Method },
            Some(class.clone()),
            lines_of(node),
        );
        decl.arity = Some(u32::try_from(parameters.len()).unwrap_or(u32::MAX));
        decl.value_type = type_node.map(|t| self.type_text(t));
        decl.test = modifiers.and_then(|m| self.test_mark(m, true));
        let spans = vec![self.tokens.span(node)];
        self.decls.add(decl, spans);

        self.from = id;
        self.push_scope();
        if let Some(modifiers) = modifiers {
            self.walk(modifiers);
        }
        if let Some(type_node) = type_node {
            self.emit_type(type_node, EdgeKind::References, 0);
        }
        for parameter in parameters {
            self.parameter(parameter);
        }
        if let Some(body) = child(node, f.body) {
            self.walk(body);
        }
        self.pop_scope();
    }

    /// Test marks of a class (`@IsTest`) or method (`@IsTest`, `testMethod`,
    /// `@TestSetup`) from its modifiers.
    fn test_mark(&self, modifiers: Node<'t>, method: bool) -> Option<TestMark> {
        let f = fields();
        let mut mark = TestMark::default();
        let mut is_test = false;
        for modifier in named_children(modifiers) {
            match modifier.kind() {
                "annotation" => {
                    let name = child(modifier, f.name).map(|n| self.text(n)).unwrap_or("");
                    let name = name.rsplit('.').next().unwrap_or(name).trim();
                    if name.eq_ignore_ascii_case("istest") {
                        is_test = true;
                        if let Some(arguments) = child(modifier, f.arguments) {
                            self.test_arguments(arguments, &mut mark);
                        }
                    } else if name.eq_ignore_ascii_case("testsetup") && method {
                        is_test = true;
                        mark.setup = true;
                    }
                }
                "modifier" => {
                    if method && first_named(modifier).is_some_and(|m| m.kind() == "testMethod") {
                        is_test = true;
                        mark.method = true;
                    }
                }
                _ => {}
            }
        }
        if !is_test {
            return None;
        }
        if method && !mark.setup {
            mark.method = true;
        }
        Some(mark)
    }

    /// `critical=true` and `testFor='ApexClass:X, ApexTrigger:Y'` (also `testFor=X.class`).
    fn test_arguments(&self, arguments: Node<'t>, mark: &mut TestMark) {
        let f = fields();
        for pair in named_children(arguments) {
            if pair.kind() != "annotation_key_value" {
                continue;
            }
            let key = child(pair, f.key).map(|k| self.text(k)).unwrap_or("");
            let Some(value) = child(pair, f.value) else {
                continue;
            };
            let value_text = self.text(value);
            if key.eq_ignore_ascii_case("critical") {
                mark.critical = value_text.trim().eq_ignore_ascii_case("true");
            } else if key.eq_ignore_ascii_case("testfor") {
                let list = literal_content(value_text).unwrap_or(value_text);
                for entry in list.split(',') {
                    let entry = entry.trim();
                    if entry.is_empty() {
                        continue;
                    }
                    let id = if entry.contains(':') {
                        ComponentId::parse(entry)
                    } else {
                        let name = strip_suffix_ci(entry, ".class").trim();
                        (!name.is_empty()).then(|| ComponentId::new("ApexClass", name))
                    };
                    if let Some(id) = id {
                        mark.test_for.push(id);
                    }
                }
            }
        }
    }

    // ----- statements and expressions ------------------------------------------------

    fn push_scope(&mut self) {
        self.marks.push(self.vars.len());
    }

    fn pop_scope(&mut self) {
        let len = self.marks.pop().unwrap_or(0);
        self.vars.truncate(len);
    }

    fn lookup_var(&self, name: &str) -> Option<Node<'t>> {
        self.vars
            .iter()
            .rev()
            .find(|(var, _)| var.eq_ignore_ascii_case(name))
            .map(|(_, type_node)| *type_node)
    }

    fn walk_children(&mut self, node: Node<'t>) {
        for child in named_children(node) {
            self.walk(child);
        }
    }

    fn scoped_children(&mut self, node: Node<'t>) {
        self.push_scope();
        self.walk_children(node);
        self.pop_scope();
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

    fn walk_node(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        match node.kind() {
            "line_comment" | "block_comment" => Recv::Unknown,
            "identifier" => self.identifier(node),
            "this" => self.this_value(),
            "super" => self.super_value(),
            "string_literal" | "multi_line_string_literal" => {
                self.string_literal(node);
                Recv::Unknown
            }
            "field_access" => self.field_access(node, false),
            "method_invocation" => self.method_invocation(node),
            "object_creation_expression" => self.object_creation(node),
            "array_creation_expression" | "map_creation_expression" => self.collection_creation(node),
            "cast_expression" => {
                let type_node = child(node, f.type_);
                if let Some(type_node) = type_node {
                    self.emit_type(type_node, EdgeKind::References, 0);
                }
                if let Some(value) = child(node, f.value) {
                    self.walk(value);
                }
                type_node.map_or(Recv::Unknown, Recv::Typed)
            }
            "parenthesized_expression" => match first_named(node) {
                Some(inner) => self.walk(inner),
                None => Recv::Unknown,
            },
            "instanceof_expression" => {
                if let Some(left) = child(node, f.left) {
                    self.walk(left);
                }
                if let Some(right) = child(node, f.right) {
                    self.emit_type(right, EdgeKind::References, 0);
                }
                Recv::Unknown
            }
            "class_literal" => {
                if let Some(type_node) = first_named(node) {
                    self.emit_type(type_node, EdgeKind::References, 0);
                }
                Recv::Value(TypeExpr::Named("System.Type".to_string()))
            }
            "array_access" => {
                let array = child(node, f.array).map(|a| self.walk(a));
                if let Some(index) = child(node, f.index) {
                    self.walk(index);
                }
                match array.and_then(|a| self.concrete_name(&a)) {
                    Some(name) if element_type(&name) != name.trim() => {
                        Recv::Value(TypeExpr::Named(element_type(&name).to_string()))
                    }
                    _ => Recv::Unknown,
                }
            }
            "ternary_expression" => {
                if let Some(condition) = child(node, f.condition) {
                    self.walk(condition);
                }
                let value = child(node, f.consequence).map(|c| self.walk(c));
                if let Some(alternative) = child(node, f.alternative) {
                    self.walk(alternative);
                }
                value.unwrap_or(Recv::Unknown)
            }
            "assignment_expression" => {
                if let Some(left) = child(node, f.left) {
                    if left.kind() == "field_access" {
                        self.field_access(left, true);
                    } else {
                        self.walk(left);
                    }
                }
                match child(node, f.right) {
                    Some(right) => self.walk(right),
                    None => Recv::Unknown,
                }
            }
            "binary_expression" => {
                self.binary(node);
                Recv::Unknown
            }
            "if_statement" => {
                self.if_chain(node);
                Recv::Unknown
            }
            "dml_expression" => {
                self.dml(node);
                Recv::Unknown
            }
            "query_expression" => self.query(node),
            "explicit_constructor_invocation" => {
                self.constructor_call(node);
                Recv::Unknown
            }
            "block" | "constructor_body" | "trigger_body" | "for_statement" => {
                self.scoped_children(node);
                Recv::Unknown
            }
            "local_variable_declaration" => {
                self.local_declaration(node);
                Recv::Unknown
            }
            "enhanced_for_statement" => {
                self.push_scope();
                if let Some(value) = child(node, f.value) {
                    self.walk(value);
                }
                if let Some(type_node) = child(node, f.type_) {
                    self.emit_type(type_node, EdgeKind::References, 0);
                    if let Some(name) = child(node, f.name) {
                        let name = self.text(name);
                        self.vars.push((name, type_node));
                    }
                }
                if let Some(body) = child(node, f.body) {
                    self.walk(body);
                }
                self.pop_scope();
                Recv::Unknown
            }
            "catch_clause" => {
                self.push_scope();
                if let Some(parameter) = find_kind(node, "formal_parameter") {
                    self.parameter(parameter);
                }
                if let Some(body) = child(node, f.body) {
                    self.walk(body);
                }
                self.pop_scope();
                Recv::Unknown
            }
            "switch_rule" => {
                self.push_scope();
                self.walk_children(node);
                self.pop_scope();
                Recv::Unknown
            }
            "when_sobject_type" => {
                let parts = named_children(node);
                if let (Some(type_node), Some(name)) = (parts.first(), parts.get(1)) {
                    self.emit_type(*type_node, EdgeKind::References, 0);
                    let name = self.text(*name);
                    self.vars.push((name, *type_node));
                }
                Recv::Unknown
            }
            "formal_parameter" => {
                self.parameter(node);
                Recv::Unknown
            }
            "annotation" => {
                if let Some(arguments) = child(node, f.arguments) {
                    self.walk(arguments);
                }
                Recv::Unknown
            }
            "annotation_key_value" => {
                if let Some(value) = child(node, f.value) {
                    self.walk(value);
                }
                Recv::Unknown
            }
            "variable_declarator" => {
                if let Some(value) = child(node, f.value) {
                    self.walk(value);
                }
                Recv::Unknown
            }
            "type_identifier" | "scoped_type_identifier" | "generic_type" | "array_type" => {
                self.emit_type(node, EdgeKind::References, 0);
                Recv::Unknown
            }
            "java_field_access" | "java_type" | "version_expression" => Recv::Unknown,
            _ => {
                self.walk_children(node);
                Recv::Unknown
            }
        }
    }

    fn parameter(&mut self, parameter: Node<'t>) {
        let f = fields();
        if let Some(type_node) = child(parameter, f.type_) {
            self.emit_type(type_node, EdgeKind::References, 0);
            if let Some(name) = child(parameter, f.name) {
                let name = self.text(name);
                self.vars.push((name, type_node));
            }
        }
    }

    fn local_declaration(&mut self, node: Node<'t>) {
        let f = fields();
        let type_node = child(node, f.type_);
        if let Some(type_node) = type_node {
            self.emit_type(type_node, EdgeKind::References, 0);
        }
        for declarator in named_children(node) {
            if declarator.kind() != "variable_declarator" {
                continue;
            }
            if let Some(value) = child(declarator, f.value) {
                self.walk(value);
            }
            if let (Some(name), Some(type_node)) = (child(declarator, f.name), type_node) {
                let name = self.text(name);
                self.vars.push((name, type_node));
            }
        }
    }

    /// `a + b + c + …` nests to the left: walk the spine in a loop, not by recursion.
    fn binary(&mut self, node: Node<'t>) {
        let f = fields();
        let mut spine = Vec::new();
        let mut current = Some(node);
        while let Some(binary) = current.filter(|n| n.kind() == "binary_expression") {
            spine.push(binary);
            current = child(binary, f.left);
        }
        if let Some(leftmost) = current {
            self.walk(leftmost);
        }
        for binary in spine.iter().rev() {
            if let Some(right) = child(*binary, f.right) {
                self.walk(right);
            }
        }
    }

    /// `if … else if … else if …` nests to the right: walk the chain in a loop.
    fn if_chain(&mut self, node: Node<'t>) {
        let f = fields();
        let mut current = Some(node);
        while let Some(statement) = current.take() {
            if let Some(condition) = child(statement, f.condition) {
                self.walk(condition);
            }
            if let Some(consequence) = child(statement, f.consequence) {
                self.walk(consequence);
            }
            match child(statement, f.alternative) {
                Some(alternative) if alternative.kind() == "if_statement" => {
                    current = Some(alternative)
                }
                Some(alternative) => {
                    self.walk(alternative);
                }
                None => {}
            }
        }
    }

    fn identifier(&mut self, node: Node<'t>) -> Recv<'t> {
        let name = self.text(node);
        if let Some(type_node) = self.lookup_var(name) {
            return Recv::Typed(type_node);
        }
        if let Some(class) = self.class {
            if let Some((owner, type_node)) = self.table.find_field(class, name) {
                let receiver = TypeExpr::Named(self.table.classes[owner].full.clone());
                self.emit(
                    Target::Member {
                        receiver,
                        member: name.to_string(),
                        arity: None,
                    },
                    EdgeKind::Calls,
                    node,
                );
                return Recv::Typed(type_node);
            }
        }
        Recv::Static(name.to_string())
    }

    fn this_value(&self) -> Recv<'t> {
        match self.class {
            Some(class) => Recv::Value(TypeExpr::Named(self.table.classes[class].full.clone())),
            None => Recv::Unknown,
        }
    }

    fn super_value(&self) -> Recv<'t> {
        match self.class.and_then(|class| self.table.classes[class].superclass) {
            Some(type_node) => Recv::Typed(type_node),
            None => Recv::Unknown,
        }
    }

    /// `Label.X` or `System.Label.X`, unless `Label`/`System` is a variable.
    fn is_label_ref(&self, object: Node<'t>) -> bool {
        let f = fields();
        let is_name = |node: Node<'t>, name: &str| {
            node.kind() == "identifier"
                && self.text(node).eq_ignore_ascii_case(name)
                && self.lookup_var(name).is_none()
        };
        match object.kind() {
            "identifier" => is_name(object, "label"),
            "field_access" => {
                child(object, f.object).is_some_and(|o| is_name(o, "system"))
                    && child(object, f.field).is_some_and(|n| self.text(n).eq_ignore_ascii_case("label"))
            }
            _ => false,
        }
    }

    fn field_access(&mut self, node: Node<'t>, write: bool) -> Recv<'t> {
        let f = fields();
        let (Some(object), Some(field)) = (child(node, f.object), child(node, f.field)) else {
            self.walk_children(node);
            return Recv::Unknown;
        };
        let name = self.text(field);
        if name.eq_ignore_ascii_case("class") {
            let type_name = self.type_text(object);
            self.emit(Target::ApexType(type_name), EdgeKind::References, object);
            return Recv::Value(TypeExpr::Named("System.Type".to_string()));
        }
        if self.is_label_ref(object) {
            self.emit(Target::Label(name.to_string()), EdgeKind::References, field);
            return Recv::Unknown;
        }
        match self.walk(object) {
            Recv::Static(type_name) => self.static_access(type_name, name, object, field, write),
            Recv::Describe(object_name) => {
                if name.eq_ignore_ascii_case("fields") {
                    Recv::DescribeFields(object_name)
                } else {
                    Recv::Value(TypeExpr::Named("Schema.DescribeSObjectResult".to_string()))
                }
            }
            Recv::DescribeFields(object_name) => {
                self.emit(
                    Target::Field {
                        object: object_name,
                        field: name.to_string(),
                    },
                    EdgeKind::Reads,
                    field,
                );
                Recv::Value(TypeExpr::Named("Schema.SObjectField".to_string()))
            }
            Recv::Unknown => {
                self.emit(
                    Target::AnyMember {
                        member: name.to_string(),
                        arity: None,
                    },
                    EdgeKind::Calls,
                    field,
                );
                Recv::Unknown
            }
            value => match self.type_expr(&value) {
                Some(receiver) => {
                    self.access(&receiver, name, write, field);
                    Recv::Value(TypeExpr::MemberOf(Box::new(receiver), name.to_string()))
                }
                None => Recv::Unknown,
            },
        }
    }

    /// `T.name` where `T` is no variable: a nested type, a static field or property, an
    /// object's field token, `X.SObjectType`, `Schema.SObjectType.X` or `Trigger.new`.
    fn static_access(
        &mut self,
        type_name: String,
        name: &str,
        object: Node<'t>,
        field: Node<'t>,
        write: bool,
    ) -> Recv<'t> {
        if type_name.eq_ignore_ascii_case("schema.sobjecttype") {
            self.emit(Target::SObject(name.to_string()), EdgeKind::Reads, field);
            return Recv::Describe(name.to_string());
        }
        if name.eq_ignore_ascii_case("sobjecttype") && !type_name.eq_ignore_ascii_case("schema") {
            let object_name = strip_schema(&type_name).to_string();
            self.emit(Target::SObject(object_name), EdgeKind::Reads, object);
            return Recv::Value(TypeExpr::Named("Schema.SObjectType".to_string()));
        }
        if type_name.eq_ignore_ascii_case("trigger") {
            let object_name = self.trigger_object.unwrap_or("SObject");
            let folded = name.to_ascii_lowercase();
            return match folded.as_str() {
                "new" | "old" => Recv::Value(TypeExpr::Named(format!("List<{object_name}>"))),
                "newmap" | "oldmap" => {
                    Recv::Value(TypeExpr::Named(format!("Map<Id, {object_name}>")))
                }
                _ => Recv::Unknown,
            };
        }
        let receiver = TypeExpr::Named(type_name.clone());
        match self.segment(&type_name, name) {
            Segment::Type => Recv::Static(format!("{type_name}.{name}")),
            Segment::Ambiguous => {
                // `X.Y` may be a nested type or a static member: record both readings.
                self.emit(Target::ApexType(type_name.clone()), EdgeKind::References, object);
                self.emit(
                    Target::Member {
                        receiver,
                        member: name.to_string(),
                        arity: None,
                    },
                    EdgeKind::Calls,
                    field,
                );
                Recv::Static(format!("{type_name}.{name}"))
            }
            Segment::Member => {
                self.emit(Target::ApexType(type_name), EdgeKind::References, object);
                self.access(&receiver, name, write, field);
                Recv::Value(TypeExpr::MemberOf(Box::new(receiver), name.to_string()))
            }
        }
    }

    /// Whether `name` after the type path `type_name` names a nested type or a member.
    fn segment(&self, type_name: &str, name: &str) -> Segment {
        let joined = format!("{type_name}.{name}");
        if self.table.resolve_type(&joined, self.class).is_some() {
            return Segment::Type;
        }
        if self.table.resolve_type(type_name, self.class).is_some()
            || looks_like_sobject(type_name)
            || has_sobject_suffix(name)
        {
            return Segment::Member;
        }
        let capitalized = name.starts_with(|ch: char| ch.is_ascii_uppercase());
        if is_system_namespace(type_name) {
            return if capitalized { Segment::Type } else { Segment::Member };
        }
        if capitalized && name.bytes().any(|byte| byte.is_ascii_lowercase()) {
            Segment::Ambiguous
        } else {
            Segment::Member
        }
    }

    /// A read or write of member `name` on a value of type `receiver`: a member access,
    /// and a field of an object when the type may be an SObject.
    fn access(&mut self, receiver: &TypeExpr, name: &str, write: bool, at: Node<'t>) {
        let type_name = match receiver {
            TypeExpr::Named(type_name) => Some(type_name.clone()),
            other => self.resolve_local(other),
        };
        let (member, object) = match type_name.as_deref().map(strip_schema) {
            None => (true, None),
            Some(t) if !is_simple_name(t) || t.eq_ignore_ascii_case("sobject") => (true, None),
            Some(t) if self.table.resolve_type(t, self.class).is_some() => (true, None),
            Some(t) if looks_like_sobject(t) => (false, Some(t.to_string())),
            // Another file's class or an object of the org: the graph keeps what exists.
            Some(t) => (true, Some(t.to_string())),
        };
        if member {
            self.emit(
                Target::Member {
                    receiver: receiver.clone(),
                    member: name.to_string(),
                    arity: None,
                },
                EdgeKind::Calls,
                at,
            );
        }
        if let Some(object) = object {
            let kind = if write { EdgeKind::Writes } else { EdgeKind::Reads };
            self.emit(
                Target::Field {
                    object,
                    field: name.to_string(),
                },
                kind,
                at,
            );
        }
    }

    fn method_invocation(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let name_node = child(node, f.name);
        let name = name_node.map(|n| self.text(n)).unwrap_or("");
        let arguments = child(node, f.arguments);
        let arity = arguments.map_or(0, count_args);
        let at = name_node.unwrap_or(node);
        let mut database = false;
        let receiver = match child(node, f.object) {
            None => self.class.map(|class| {
                let owner = self
                    .table
                    .find_method(class, name)
                    .map_or(class, |(owner, _)| owner);
                TypeExpr::Named(self.table.classes[owner].full.clone())
            }),
            Some(object) => {
                let value = if object.kind() == "super" {
                    self.super_value()
                } else {
                    self.walk(object)
                };
                if let Recv::Static(type_name) = &value {
                    database = type_name.eq_ignore_ascii_case("database")
                        || type_name.eq_ignore_ascii_case("system.database");
                    self.emit(Target::ApexType(type_name.clone()), EdgeKind::References, object);
                }
                self.type_expr(&value)
            }
        };
        if !name.is_empty() {
            let target = match &receiver {
                Some(receiver) => Target::Member {
                    receiver: receiver.clone(),
                    member: name.to_string(),
                    arity: Some(arity),
                },
                None => Target::AnyMember {
                    member: name.to_string(),
                    arity: Some(arity),
                },
            };
            self.emit(target, EdgeKind::Calls, at);
        }
        let mut first = None;
        if let Some(arguments) = arguments {
            for (position, argument) in named_children(arguments).into_iter().enumerate() {
                let value = self.walk(argument);
                if position == 0 {
                    first = Some(value);
                }
            }
        }
        if database && is_database_dml(name) {
            let object = self.dml_object(first.as_ref());
            self.emit(Target::SObject(object), EdgeKind::Writes, at);
        }
        match receiver {
            Some(receiver) if !name.is_empty() => {
                Recv::Value(TypeExpr::ReturnOf(Box::new(receiver), name.to_string()))
            }
            _ => Recv::Unknown,
        }
    }

    fn object_creation(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let type_node = child(node, f.type_);
        let type_name = type_node.map(|t| self.type_text(t));
        if let Some(type_node) = type_node {
            self.emit_type(type_node, EdgeKind::References, 0);
        }
        let arguments = child(node, f.arguments);
        if let Some(type_name) = &type_name {
            self.emit(
                Target::Member {
                    receiver: TypeExpr::Named(type_name.clone()),
                    member: "<init>".to_string(),
                    arity: Some(arguments.map_or(0, count_args)),
                },
                EdgeKind::Calls,
                type_node.unwrap_or(node),
            );
        }
        if let Some(arguments) = arguments {
            for argument in named_children(arguments) {
                // `new Invoice__c(Amount__c = 5)` sets a field of the new record.
                let left = (argument.kind() == "assignment_expression")
                    .then(|| child(argument, f.left))
                    .flatten()
                    .filter(|left| left.kind() == "identifier");
                match (left, &type_name) {
                    (Some(left), Some(type_name)) => {
                        self.emit(
                            Target::Field {
                                object: strip_schema(type_name).to_string(),
                                field: self.text(left).to_string(),
                            },
                            EdgeKind::Writes,
                            left,
                        );
                        if let Some(right) = child(argument, f.right) {
                            self.walk(right);
                        }
                    }
                    _ => {
                        self.walk(argument);
                    }
                }
            }
        }
        if let Some(body) = find_kind(node, "class_body") {
            self.walk_children(body);
        }
        type_name.map_or(Recv::Unknown, |t| Recv::Value(TypeExpr::Named(t)))
    }

    fn collection_creation(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let type_node = child(node, f.type_);
        let mut array = false;
        for part in named_children(node) {
            if type_node.is_some_and(|t| t.id() == part.id()) {
                self.emit_type(part, EdgeKind::References, 0);
                continue;
            }
            array |= matches!(part.kind(), "dimensions" | "dimensions_expr");
            self.walk(part);
        }
        match type_node.map(|t| self.type_text(t)) {
            Some(t) if array => Recv::Value(TypeExpr::Named(format!("{t}[]"))),
            Some(t) => Recv::Value(TypeExpr::Named(t)),
            None => Recv::Unknown,
        }
    }

    fn constructor_call(&mut self, node: Node<'t>) {
        let f = fields();
        if let Some(object) = child(node, f.object) {
            self.walk(object);
        }
        let arguments = child(node, f.arguments);
        if let Some(constructor) = child(node, f.constructor) {
            let value = if constructor.kind() == "super" {
                self.super_value()
            } else {
                self.this_value()
            };
            if let Some(receiver) = self.type_expr(&value) {
                self.emit(
                    Target::Member {
                        receiver,
                        member: "<init>".to_string(),
                        arity: Some(arguments.map_or(0, count_args)),
                    },
                    EdgeKind::Calls,
                    constructor,
                );
            }
        }
        if let Some(arguments) = arguments {
            self.walk(arguments);
        }
    }

    fn dml(&mut self, node: Node<'t>) {
        let f = fields();
        let value = child(node, f.target).map(|target| self.walk(target));
        let object = self.dml_object(value.as_ref());
        self.emit(Target::SObject(object.clone()), EdgeKind::Writes, node);
        if let Some(key) = child(node, f.upsert_key) {
            let key = self.type_text(key);
            let (key_object, key_field) = match key.split_once('.') {
                Some((key_object, key_field)) => (strip_schema(key_object).to_string(), key_field),
                None => (object, key.as_str()),
            };
            if key_object != "*" {
                self.emit(
                    Target::Field {
                        object: key_object,
                        field: key_field.to_string(),
                    },
                    EdgeKind::Reads,
                    node,
                );
            }
        }
        if let Some(merged) = child(node, f.merge_with) {
            self.walk(merged);
        }
    }

    /// The object a DML statement writes, or `*` when the type cannot be told.
    fn dml_object(&self, value: Option<&Recv<'t>>) -> String {
        let Some(type_name) = value.and_then(|value| self.concrete_name(value)) else {
            return "*".to_string();
        };
        let object = strip_schema(element_type(&type_name));
        if !is_simple_name(object)
            || is_untyped_record(object)
            || self.table.resolve_type(object, self.class).is_some()
        {
            return "*".to_string();
        }
        object.to_string()
    }

    // ----- SOQL and SOSL ----------------------------------------------------------------

    fn query(&mut self, node: Node<'t>) -> Recv<'t> {
        for body in named_children(node) {
            match body.kind() {
                "soql_query_body" => {
                    return match self.soql(body) {
                        Some(object) => Recv::Value(TypeExpr::Named(format!("List<{object}>"))),
                        None => Recv::Unknown,
                    };
                }
                "sosl_query_body" => self.sosl(body),
                _ => {}
            }
        }
        Recv::Unknown
    }

    /// Records a SOQL query's object and fields; returns the object.
    fn soql(&mut self, body: Node<'t>) -> Option<&'t str> {
        let from = child(body, fields().from_clause);
        let object = from.and_then(first_named).and_then(|storage| match storage.kind() {
            "storage_alias" => first_named(storage).map(|s| self.text(s)),
            _ => Some(self.text(storage)),
        });
        let object = object.map(|o| strip_schema(o.trim())).filter(|o| !o.is_empty());
        if let (Some(object), Some(from)) = (object, from) {
            self.emit(Target::SObject(object.to_string()), EdgeKind::Reads, from);
        }
        for part in named_children(body) {
            if from.is_some_and(|from| from.id() == part.id()) {
                continue;
            }
            self.soql_part(part, object);
        }
        object
    }

    fn sosl(&mut self, body: Node<'t>) {
        for part in named_children(body) {
            if part.kind() != "returning_clause" {
                self.soql_part(part, None);
                continue;
            }
            for ret in named_children(part) {
                let pieces = named_children(ret);
                let Some(object) = pieces.first().map(|o| self.text(*o)) else {
                    continue;
                };
                self.emit(Target::SObject(object.to_string()), EdgeKind::Reads, ret);
                for piece in pieces.iter().skip(1) {
                    self.soql_part(*piece, Some(object));
                }
            }
        }
    }

    fn soql_part(&mut self, node: Node<'t>, object: Option<&'t str>) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match node.kind() {
            "field_identifier" => {
                if let Some(object) = object {
                    let field = normalize_type(self.text(node));
                    self.emit(
                        Target::Field {
                            object: object.to_string(),
                            field,
                        },
                        EdgeKind::Reads,
                        node,
                    );
                }
            }
            "subquery" => {
                for inner in named_children(node) {
                    match inner.kind() {
                        "soql_query_body" => {
                            self.soql(inner);
                        }
                        "sosl_query_body" => self.sosl(inner),
                        _ => {}
                    }
                }
            }
            "bound_apex_expression" => {
                for expression in named_children(node) {
                    self.walk(expression);
                }
            }
            "string_literal" => self.string_literal(node),
            "alias_expression" => {
                if let Some(value) = first_named(node) {
                    self.soql_part(value, object);
                }
            }
            "type_of_clause" => {
                // `TYPEOF What WHEN … END`: only the polymorphic field is ours to record.
                if let (Some(object), Some(field)) = (object, first_named(node)) {
                    self.emit(
                        Target::Field {
                            object: object.to_string(),
                            field: normalize_type(self.text(field)),
                        },
                        EdgeKind::Reads,
                        field,
                    );
                }
            }
            // Function names, aliases, keywords.
            "identifier" | "line_comment" | "block_comment" => {}
            _ => {
                for part in named_children(node) {
                    self.soql_part(part, object);
                }
            }
        }
        self.depth -= 1;
    }

    // ----- types ------------------------------------------------------------------------

    /// Records the type names of a type node: the base with `kind` (extends, implements
    /// or references), generic arguments as references.
    fn emit_type(&mut self, node: Node<'t>, kind: EdgeKind, depth: u32) {
        if depth > 32 {
            return;
        }
        match node.kind() {
            "type_identifier" => {
                let name = self.text(node).to_string();
                self.emit(Target::ApexType(name), kind, node);
            }
            "scoped_type_identifier" => {
                let parts = named_children(node);
                if parts.iter().any(|part| part.kind() == "generic_type") {
                    for part in parts {
                        self.emit_type(part, EdgeKind::References, depth + 1);
                    }
                } else {
                    let name = self.type_text(node);
                    self.emit(Target::ApexType(name), kind, node);
                }
            }
            "generic_type" => {
                for part in named_children(node) {
                    if part.kind() == "type_arguments" {
                        for argument in named_children(part) {
                            self.emit_type(argument, EdgeKind::References, depth + 1);
                        }
                    } else {
                        self.emit_type(part, kind, depth + 1);
                    }
                }
            }
            "array_type" => {
                if let Some(element) = child(node, fields().element) {
                    self.emit_type(element, kind, depth + 1);
                }
            }
            "annotated_type" => {
                for part in named_children(node) {
                    if part.kind() != "annotation" {
                        self.emit_type(part, kind, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// A type as written, whitespace and comments removed.
    fn type_text(&self, node: Node<'t>) -> String {
        let raw = self.text(node);
        if !raw.contains('/') {
            return normalize_type(raw);
        }
        // A comment inside the type: rebuild it from its leaf tokens.
        let mut out = String::new();
        let mut stack = vec![node];
        while let Some(current) = stack.pop() {
            if is_comment(current) {
                continue;
            }
            if current.child_count() == 0 {
                out.push_str(self.text(current));
                continue;
            }
            let mut cursor = current.walk();
            let children: Vec<Node<'t>> = current.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        normalize_type(&out)
    }

    /// The receiver type of a value, for a call or access on it.
    fn type_expr(&self, value: &Recv<'t>) -> Option<TypeExpr> {
        match value {
            Recv::Unknown => None,
            Recv::Static(name) => Some(TypeExpr::Named(name.clone())),
            Recv::Typed(node) => Some(TypeExpr::Named(self.type_text(*node))),
            Recv::Value(expr) => Some(expr.clone()),
            Recv::Describe(_) => Some(TypeExpr::Named("Schema.DescribeSObjectResult".to_string())),
            Recv::DescribeFields(_) => Some(TypeExpr::Named("Schema.SObjectTypeFields".to_string())),
        }
    }

    /// The declared type name of a value, as far as this file tells it.
    fn concrete_name(&self, value: &Recv<'t>) -> Option<String> {
        match value {
            Recv::Typed(node) => Some(self.type_text(*node)),
            Recv::Value(expr) => self.resolve_local(expr),
            _ => None,
        }
    }

    /// A type expression resolved through this file's declarations.
    fn resolve_local(&self, expr: &TypeExpr) -> Option<String> {
        match expr {
            TypeExpr::Named(name) => Some(name.clone()),
            TypeExpr::ReturnOf(inner, member) | TypeExpr::MemberOf(inner, member) => {
                let owner = self.resolve_local(inner)?;
                let class = self.table.resolve_type(&owner, self.class)?;
                let found = if matches!(expr, TypeExpr::ReturnOf(..)) {
                    self.table.find_method(class, member)
                } else {
                    self.table.find_field(class, member)
                };
                found.map(|(_, type_node)| self.type_text(type_node))
            }
        }
    }

    // ----- output -----------------------------------------------------------------------

    fn text(&self, node: Node) -> &'t str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    fn string_literal(&mut self, node: Node<'t>) {
        if let Some(content) = literal_content(self.text(node)) {
            if name_like_literal(content) {
                self.emit(Target::StringLiteral(content.to_string()), EdgeKind::StringRef, node);
            }
        }
    }

    /// Records a use from the current node, once per target, kind and line.
    fn emit(&mut self, target: Target, kind: EdgeKind, at: Node) {
        let line = line_of(at);
        let mut hasher = DefaultHasher::new();
        self.from.key().hash(&mut hasher);
        kind.hash(&mut hasher);
        line.hash(&mut hasher);
        hash_target(&target, &mut hasher);
        if self.seen.insert(hasher.finish()) {
            self.uses.push(Use {
                from: self.from.clone(),
                target,
                kind,
                line,
            });
        }
    }
}

/// How a name after a type path reads: see [`Walker::segment`].
enum Segment {
    Type,
    Member,
    Ambiguous,
}

/// Body children that are members or nested types (everything else is class header).
fn is_member_kind(kind: &str) -> bool {
    matches!(
        kind,
        "field_declaration"
            | "constant_declaration"
            | "method_declaration"
            | "constructor_declaration"
            | "block"
            | "static_initializer"
            | "class_declaration"
            | "interface_declaration"
            | "enum_declaration"
    )
}

/// The file's top-level type declarations in source order, looking through error
/// recovery nodes.
fn top_declarations(root: Node) -> Vec<Node> {
    let mut found = Vec::new();
    let mut stack: Vec<Node> = named_children(root).into_iter().rev().collect();
    while let Some(node) = stack.pop() {
        match node.kind() {
            "class_declaration" | "interface_declaration" | "enum_declaration" => found.push(node),
            _ if node.is_error() => stack.extend(named_children(node).into_iter().rev()),
            _ => {}
        }
    }
    found
}

fn declaration(id: ComponentId, kind: DeclKind, parent: Option<ComponentId>, lines: (u32, u32)) -> Declaration {
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
        automates: None,
        test: None,
    }
}

fn strip_suffix_ci<'a>(text: &'a str, suffix: &str) -> &'a str {
    if text.len() >= suffix.len()
        && text.is_char_boundary(text.len() - suffix.len())
        && text[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    {
        &text[..text.len() - suffix.len()]
    } else {
        text
    }
}

fn hash_target(target: &Target, hasher: &mut impl Hasher) {
    match target {
        Target::ApexType(name) => (0u8, name).hash(hasher),
        Target::Member {
            receiver,
            member,
            arity,
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
    }
}

fn hash_type_expr(expr: &TypeExpr, hasher: &mut impl Hasher) {
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
