//! Declarations of the Apex walk: classes, interfaces and enums with their `<class>`
//! header, members (methods, constructors, fields, properties, initializers) and test
//! marks.
//!
//! It decides which tokens each declaration's hash covers; what the members' bodies use
//! is the business of the statement and expression walk.

use super::table::interface_types;
use super::text::{
    child, fields, find_kind, first_named, kind_name, line_of, lines_of, literal_content,
    named_children,
};
use super::walk::Walker;
use crate::facts::{DeclKind, Declaration, EdgeKind, TestMark};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use tree_sitter::Node;

impl<'t> Walker<'t> {
    /// The id of class `index`: the component for the top-level one.
    pub(super) fn class_id(&self, index: usize) -> ComponentId {
        if index == 0 {
            self.component.clone()
        } else {
            ComponentId::new(types::APEX_CLASS, &self.table.classes[index].full)
        }
    }

    /// A class, interface or enum: its declaration, its `<class>` header member, the
    /// header's references, then its members.
    pub(super) fn type_decl(&mut self, node: Node<'t>, index: usize) {
        let f = fields();
        let full = self.table.classes[index].full.clone();
        let id = self.class_id(index);
        let parent = self.table.classes[index].parent.map(|p| self.class_id(p));
        let kind = match kind_name(node) {
            "interface_declaration" => DeclKind::Interface,
            "enum_declaration" => DeclKind::Enum,
            _ => DeclKind::Class,
        };
        let body = child(node, f.body);
        let members: Vec<Node<'t>> = body
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .filter(|member| is_member_kind(kind_name(*member)))
            .collect();
        let spans = self.tokens.spans_without(node, &members);
        let modifiers = find_kind(node, "modifiers");
        let superclass = self.table.classes[index].superclass;
        let interfaces = interface_types(node);
        let lines = lines_of(node);
        let header_end = body.map_or(lines.1, line_of);

        let mut class_decl = Declaration::new(id.clone(), kind, parent, lines);
        class_decl.extends = superclass.map(|node| self.type_text(node));
        class_decl.implements = interfaces
            .iter()
            .map(|node| self.type_text(*node))
            .collect();
        class_decl.test = modifiers.and_then(|m| self.test_mark(m, false));
        self.decls.add(class_decl, spans.clone());

        let header = ComponentId::member(&full, "<class>");
        self.decls.add(
            Declaration::new(
                header.clone(),
                DeclKind::ClassHeader,
                Some(id.clone()),
                (lines.0, header_end),
            ),
            spans,
        );

        let saved = (
            std::mem::replace(&mut self.from, header.clone()),
            self.class,
        );
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
                self.finish_member();
            }
        }
        self.from = saved.0;
        self.class = saved.1;
    }

    /// One child of a class body.
    pub(super) fn member(&mut self, node: Node<'t>, full: &str, class: &ComponentId) {
        match kind_name(node) {
            "field_declaration" | "constant_declaration" => self.field_decl(node, full, class),
            "method_declaration" => self.method_decl(node, full, class, false),
            "constructor_declaration" => self.method_decl(node, full, class, true),
            "block" | "static_initializer" => {
                let id = ComponentId::member(full, "<clinit>");
                let spans = vec![self.tokens.span(node)];
                let mut decl = Declaration::new(
                    id.clone(),
                    DeclKind::Initializer,
                    Some(class.clone()),
                    lines_of(node),
                );
                decl.initializer_calls = self.calls_a_type(node);
                self.decls.add(decl, spans);
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

    /// A field or property: one member per declared name.
    pub(super) fn field_decl(&mut self, node: Node<'t>, full: &str, class: &ComponentId) {
        let f = fields();
        let type_node = child(node, f.type_);
        let declarators: Vec<Node<'t>> = named_children(node)
            .into_iter()
            .filter(|d| kind_name(*d) == "variable_declarator")
            .collect();
        let accessors = find_kind(node, "accessor_list");
        let kind = if accessors.is_some() {
            DeclKind::Property
        } else {
            DeclKind::Field
        };
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
            let spans = self
                .tokens
                .declarator_spans(node, &declarators, *declarator);
            let mut decl = Declaration::new(id.clone(), kind, Some(class.clone()), lines_of(node));
            decl.value_type = value_type.clone();
            decl.initializer_calls =
                child(*declarator, f.value).is_some_and(|value| self.calls_a_type(value));
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

    /// A method, or a constructor (`<init>`); overloads merge in [`super::DeclSet`].
    pub(super) fn method_decl(
        &mut self,
        node: Node<'t>,
        full: &str,
        class: &ComponentId,
        constructor: bool,
    ) {
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
            .filter(|p| kind_name(*p) == "formal_parameter")
            .collect();
        let type_node = child(node, f.type_);
        let modifiers = find_kind(node, "modifiers");
        let mut decl = Declaration::new(
            id.clone(),
            if constructor {
                DeclKind::Constructor
            } else {
                DeclKind::Method
            },
            Some(class.clone()),
            lines_of(node),
        );
        decl.arity = Some(u32::try_from(parameters.len()).unwrap_or(u32::MAX));
        decl.value_type = type_node.map(|t| self.type_text(t));
        decl.test = modifiers.and_then(|m| self.test_mark(m, true));
        decl.overrides = modifiers.is_some_and(|modifiers| self.has_override(modifiers));
        decl.invocable = modifiers.is_some_and(|modifiers| self.is_invocable(modifiers));
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
        for &parameter in &parameters {
            self.parameter(parameter);
        }
        // A static method's records parameters: it may save them for its callers.
        if modifiers.is_some_and(|modifiers| self.saves_for_callers(modifiers)) {
            self.track_parameters(&parameters);
        }
        if let Some(body) = child(node, f.body) {
            if constructor {
                self.implicit_super_call(body);
            }
            self.walk(body);
        }
        self.pop_scope();
    }

    /// Whether an initializer (a field's value, a block) calls a static method of a
    /// type, the platform's too (`Url.getOrgDomainUrl()`, `String.valueOf(1 / 0)`,
    /// `Schema.SObjectType.Account.getRecordTypeInfosByDeveloperName().get('Partner')`):
    /// it runs that when its class loads ([`Declaration::initializer_calls`]). A call
    /// on the class's own field or a local (`CHANNELS.put('stable', 'v4')`) only sets a
    /// value its readers see, and a call of the repository's code is an edge already.
    fn calls_a_type(&self, node: Node<'t>) -> bool {
        let f = fields();
        if kind_name(node) == "method_invocation" {
            let mut root = child(node, f.object);
            while let Some(object) = root
                .filter(|object| matches!(kind_name(*object), "field_access" | "method_invocation"))
            {
                root = child(object, f.object);
            }
            let on_a_type = root.is_some_and(|root| {
                let name = self.text(root);
                kind_name(root) == "identifier"
                    && self.lookup_var(name).is_none()
                    && self
                        .class
                        .is_none_or(|class| self.table.find_field(class, name).is_none())
            });
            if on_a_type {
                return true;
            }
        }
        named_children(node)
            .into_iter()
            .any(|child| self.calls_a_type(child))
    }

    /// Whether a member's modifiers hold `override`.
    fn has_override(&self, modifiers: Node<'t>) -> bool {
        self.has_modifier(modifiers, "override")
    }

    /// Whether a member's modifiers hold the keyword `word`, read from the children
    /// index: a tree cursor per method cost 24 M instructions of the 1,000-class org's
    /// cold plan.
    fn has_modifier(&self, modifiers: Node<'t>, word: &str) -> bool {
        let mut found = false;
        self.scan(modifiers, |modifier| {
            found =
                kind_name(modifier) == "modifier" && self.text(modifier).eq_ignore_ascii_case(word);
            !found
        });
        found
    }

    /// A method whose calls all name it (static: no override runs instead of it) and
    /// that no flow calls (not an `@InvocableMethod`): what it saves of its parameters
    /// is its callers' write ([`super::wrappers`]).
    fn saves_for_callers(&self, modifiers: Node<'t>) -> bool {
        self.has_modifier(modifiers, "static") && !self.is_invocable(modifiers)
    }

    /// Whether a method's modifiers hold `@InvocableMethod`: a flow's Apex action runs it.
    fn is_invocable(&self, modifiers: Node<'t>) -> bool {
        let mut invocable = false;
        self.scan(modifiers, |modifier| {
            invocable = kind_name(modifier) == "annotation"
                && self
                    .text(modifier)
                    .get(..16)
                    .is_some_and(|head| head.eq_ignore_ascii_case("@InvocableMethod"));
            !invocable
        });
        invocable
    }

    /// Test marks of a class (`@IsTest`) or method (`@IsTest`, `testMethod`,
    /// `@TestSetup`) from its modifiers.
    pub(super) fn test_mark(&self, modifiers: Node<'t>, method: bool) -> Option<TestMark> {
        let f = fields();
        let mut mark = TestMark::default();
        let mut is_test = false;
        for modifier in named_children(modifiers) {
            match kind_name(modifier) {
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
                "modifier"
                    if method
                        && first_named(modifier).is_some_and(|m| kind_name(m) == "testMethod") =>
                {
                    is_test = true;
                    mark.method = true;
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
    pub(super) fn test_arguments(&self, arguments: Node<'t>, mark: &mut TestMark) {
        let f = fields();
        for pair in named_children(arguments) {
            if kind_name(pair) != "annotation_key_value" {
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
                        (!name.is_empty()).then(|| ComponentId::new(types::APEX_CLASS, name))
                    };
                    if let Some(id) = id {
                        mark.test_for.push(id);
                    }
                }
            }
        }
    }
}

/// Body children that are members or nested types (everything else is class header).
pub(super) fn is_member_kind(kind: &str) -> bool {
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
