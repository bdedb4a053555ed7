//! Apex parser: turns one class (`.cls`) or trigger (`.trigger`) file into [`Facts`].
//!
//! It parses with tree-sitter-sfapex, whose grammar also covers the SOQL and SOSL
//! embedded in Apex, so comments and string contents never look like references. It
//! declares the file's classes (inner ones as `ApexClass:Outer.Inner`), their members
//! (`ApexMethod:Outer.m`, constructors `<init>`, initializers `<clinit>`, the class-level
//! tokens `<class>`) with token hashes, and records what each member uses: type names,
//! calls with receiver types as far as this file tells them, SOQL/SOSL reads, DML writes,
//! labels, name-like string literals and queries written in strings.
//!
//! What it does not do: resolve names across files (the graph does), or infer types of
//! expressions beyond declared types of variables, fields and this file's methods. A file
//! that does not parse still yields what could be read, plus a [`Problem`].

mod access;
mod children;
mod decl;
mod dynamic;
mod expr;
mod query;
mod records;
mod repair;
mod stmt;
mod table;
mod text;
mod walk;
mod wrappers;

#[cfg(test)]
mod tests;

use super::Preorder;
use crate::facts::{stable_hash, DeclKind, Declaration, Facts, Problem, RecordsParameter};
use crate::metadata::component::ComponentId;
use children::Children;
use rustc_hash::FxHashMap as HashMap;
use tree_sitter::{Language, Node, Parser};

/// The name a string gives a component, the rule string literals in Apex follow; custom
/// labels' values follow it too (`parse::multi::parse_labels`).
pub(crate) use text::literal_name;

/// Whether the file is a class (.cls) or a trigger (.trigger).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApexFileKind {
    /// A `.cls` file: one top-level class, interface or enum.
    Class,
    /// A `.trigger` file.
    Trigger,
}

/// The problem of a file the Apex parser could not read at all (see
/// [`super::gave_up`]).
pub(crate) const UNREAD: &str = "the Apex parser could not read this file";

/// Parses one Apex file; `component` is `ApexClass:Name` or `ApexTrigger:Name` from the
/// file name, whose casing the ids use. Never fails: problems are reported in the facts.
pub fn parse_apex(component: &ComponentId, kind: ApexFileKind, source: &str) -> Facts {
    let mut parser = Parser::new();
    let language = Language::new(tree_sitter_sfapex::apex::LANGUAGE);
    let tree = match parser.set_language(&language) {
        Ok(()) => super::parse_within_budget(&mut parser, source),
        Err(_) => None,
    };
    let Some(mut tree) = tree else {
        return unparsed(component, kind, source);
    };
    // A statement that begins with `Trigger.` does not parse (`repair`): parsed again
    // with it in parentheses.
    let repaired = repair::trigger_statements(tree.root_node(), source);
    let mut source = source;
    if let Some(text) = &repaired {
        if let Some(again) = super::parse_within_budget(&mut parser, text) {
            tree = again;
            source = text;
        }
    }
    let root = tree.root_node();
    let (tokens, children) = Tokens::collect(root, source);
    let mut facts = walk::Walker::run(root, source, component, kind, &tokens, &children);
    facts.semantic_hash = tokens.hash(&[(0, tokens.list.len())]);
    if let Some(line) = first_error_line(root) {
        facts.problems.insert(
            0,
            Problem {
                line: Some(line),
                message: format!("Apex does not parse near line {line}"),
            },
        );
    }
    facts
}

/// Facts for a file the parser could not even start on: the component alone, hashed on
/// its whitespace-separated words.
fn unparsed(component: &ComponentId, kind: ApexFileKind, source: &str) -> Facts {
    let hash = stable_hash(source.split_whitespace());
    let last = u32::try_from(source.lines().count().max(1)).unwrap_or(u32::MAX);
    let decl_kind = match kind {
        ApexFileKind::Class => DeclKind::Class,
        ApexFileKind::Trigger => DeclKind::Trigger,
    };
    Facts {
        declares: vec![Declaration {
            body_hash: hash,
            ..Declaration::new(component.clone(), decl_kind, None, (1, last))
        }],
        uses: Default::default(),
        problems: vec![Problem {
            line: None,
            message: UNREAD.to_string(),
        }],
        semantic_hash: hash,
    }
}

/// Line of the first ERROR or MISSING node, found without recursion (hostile input can
/// nest deeply).
fn first_error_line(root: Node) -> Option<u32> {
    if !root.has_error() {
        return None;
    }
    let mut node = root;
    'descend: loop {
        if node.is_error() || node.is_missing() {
            return Some(text::line_of(node));
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.is_error() || child.is_missing() || child.has_error() {
                node = child;
                continue 'descend;
            }
        }
        return Some(text::line_of(node));
    }
}

/// `@SuppressWarnings(…)`, given an annotation: a note to static analysers that the
/// compiled code ignores, so editing it changes no hash (and selects no test).
fn is_suppress_warnings(annotation: Node, src: &str) -> bool {
    annotation
        .child_by_field_name("name")
        .and_then(|name| src.get(name.byte_range()))
        .is_some_and(|name| name.trim().eq_ignore_ascii_case("suppresswarnings"))
}

/// One leaf token: byte range, and whether its text is case-folded for hashing (string
/// literals keep their case: `'a'` and `'A'` are different values).
#[derive(Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    fold: bool,
}

/// The file's leaf tokens without comments, in source order: the text every hash is
/// computed over, so a change of whitespace or comments changes no hash.
pub(super) struct Tokens<'s> {
    src: &'s str,
    /// `src` with ASCII letters folded; same byte offsets as `src`.
    lower: String,
    list: Vec<Token>,
}

impl<'s> Tokens<'s> {
    /// Collects the tokens in one walk of the whole tree, which also indexes the
    /// children of the nodes it descends into.
    fn collect<'t>(root: Node<'t>, src: &'s str) -> (Tokens<'s>, Children<'t>) {
        let mut list = Vec::with_capacity(src.len() / 4);
        let mut children = Children::for_source(src);
        let mut walk = Preorder::new(root);
        loop {
            let node = walk.node();
            let (kind, keeps_case) = text::kind_and_case(node);
            children.see(node, kind != text::Kind::Comment && node.is_named());
            let skipped = match kind {
                text::Kind::Comment => true,
                text::Kind::Annotation => is_suppress_warnings(node, src),
                _ => false,
            };
            if !skipped {
                if walk.enter() {
                    children.enter(node);
                    continue;
                }
                list.push(Token {
                    start: node.start_byte(),
                    end: node.end_byte(),
                    fold: !keeps_case,
                });
            }
            if !walk.advance(|| children.leave()) {
                break;
            }
        }
        let tokens = Tokens {
            src,
            lower: src.to_ascii_lowercase(),
            list,
        };
        (tokens, children)
    }

    fn text(&self, token: &Token) -> &str {
        let text = if token.fold { &self.lower } else { self.src };
        text.get(token.start..token.end).unwrap_or("")
    }

    /// Token index range `[first, last)` covered by `node`.
    pub(super) fn span(&self, node: Node) -> (usize, usize) {
        let (start, end) = (node.start_byte(), node.end_byte());
        let first = self.list.partition_point(|token| token.start < start);
        let last = self.list.partition_point(|token| token.start < end);
        (first, last.max(first))
    }

    /// The spans of `node` minus those of `holes` (children of `node`, in source order).
    pub(super) fn spans_without(&self, node: Node, holes: &[Node]) -> Vec<(usize, usize)> {
        let (mut at, end) = self.span(node);
        let mut spans = Vec::with_capacity(holes.len() + 1);
        for hole in holes {
            let (hole_start, hole_end) = self.span(*hole);
            if hole_start > at {
                spans.push((at, hole_start.min(end)));
            }
            at = at.max(hole_end);
        }
        if at < end {
            spans.push((at, end));
        }
        spans
    }

    /// The spans of one of the names a field declaration declares (`own`, one of
    /// `declarators`, in source order): the declaration's tokens before the first
    /// (modifiers, type), the declarator's own and those after the last (`;`). Neither
    /// the other declarators nor the commas between them: a constant added to
    /// `static final String A = 'a', B = 'b';` changes no other constant's hash (b2c-crm-sync
    /// keeps 70 constants in one statement; adding one selected every test that reads
    /// any). With one declarator these are the whole declaration's tokens.
    pub(super) fn declarator_spans(
        &self,
        node: Node,
        declarators: &[Node],
        own: Node,
    ) -> Vec<(usize, usize)> {
        let (start, end) = self.span(node);
        let (first, last) = match (declarators.first(), declarators.last()) {
            (Some(first), Some(last)) => (self.span(*first).0, self.span(*last).1),
            _ => return vec![(start, end)],
        };
        vec![(start, first), self.span(own), (last, end)]
    }

    /// [`stable_hash`] over the tokens of `spans`, in order.
    pub(super) fn hash(&self, spans: &[(usize, usize)]) -> u64 {
        stable_hash(
            spans
                .iter()
                .flat_map(|&(first, last)| self.list.get(first..last).unwrap_or(&[]))
                .map(|token| self.text(token)),
        )
    }
}

/// Declarations under construction: members of the same id (overloads, or a field and a
/// method sharing a name) merge into one, whose hash covers all their tokens.
#[derive(Default)]
pub(super) struct DeclSet {
    list: Vec<Declaration>,
    spans: Vec<Vec<(usize, usize)>>,
    index: HashMap<String, usize>,
}

impl DeclSet {
    /// Adds a declaration, or merges it into the one with the same id.
    pub(super) fn add(&mut self, declaration: Declaration, spans: Vec<(usize, usize)>) {
        if let Some(&at) = self.index.get(declaration.id.key()) {
            let existing = &mut self.list[at];
            existing.lines = (
                existing.lines.0.min(declaration.lines.0),
                existing.lines.1.max(declaration.lines.1),
            );
            if existing.arity != declaration.arity {
                existing.arity = None;
            }
            // Overloads that return different types (a fluent assertion library's
            // `that(Boolean)`, `that(Date)`, each returning its own assert class): which
            // one a call takes is not told, so the type of what it returns is unknown
            // and a call on it reaches every member of its name, not the first
            // overload's class alone.
            // A field and a method of one name (a builder's `Boolean strict` and its
            // `Builder strict()`, which sets it and returns the builder) share this
            // declaration: a call on the field's primitive value reaches nothing of the
            // repository, so what a chained call reaches is the method's type. So do a
            // getter and its `void` setter (sf-accc-dx's `exceptionhandler()` and `void
            // exceptionhandler(handler)`): nothing is called on a `void`, so a chained
            // call is on the getter's type (it was taken for a call of every `process`
            // of the repository: 74 of 101 tests for an edit of an unrelated one).
            let same_type = match (&existing.value_type, &declaration.value_type) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                (a, b) => a.is_none() && b.is_none(),
            };
            if !same_type {
                existing.value_type = method_type_beside_primitive_field(existing, &declaration);
            }
            existing.test = match (existing.test.take(), declaration.test) {
                (Some(mut old), Some(new)) => {
                    old.critical |= new.critical;
                    old.setup |= new.setup;
                    old.method |= new.method;
                    old.test_for.extend(new.test_for);
                    Some(old)
                }
                (old, new) => old.or(new),
            };
            existing.invocable |= declaration.invocable;
            existing.initializer_calls |= declaration.initializer_calls;
            self.spans[at].extend(spans);
            return;
        }
        self.index
            .insert(declaration.id.key().to_string(), self.list.len());
        self.list.push(declaration);
        self.spans.push(spans);
    }

    /// Method `id` follows a records parameter ([`Declaration::records_parameters`]).
    pub(super) fn declare_parameter(&mut self, id: &ComponentId, parameter: RecordsParameter) {
        if let Some(&at) = self.index.get(id.key()) {
            self.list[at].records_parameters.push(parameter);
        }
    }

    /// The declarations with their hashes.
    pub(super) fn finish(mut self, tokens: &Tokens) -> Vec<Declaration> {
        for (declaration, spans) in self.list.iter_mut().zip(&self.spans) {
            declaration.body_hash = tokens.hash(spans);
        }
        self.list
    }
}

/// The type a call of the name `a` and `b` share returns, when one is a method and the
/// other a field or property of a primitive type, or a `void` method: the other
/// method's. `None` otherwise (two overloads of different return types: which one a call
/// takes is not told).
fn method_type_beside_primitive_field(a: &Declaration, b: &Declaration) -> Option<String> {
    let is_void = |d: &Declaration| {
        d.kind == DeclKind::Method
            && d.value_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("void"))
    };
    match (is_void(a), is_void(b)) {
        (true, false) if b.kind == DeclKind::Method => return b.value_type.clone(),
        (false, true) if a.kind == DeclKind::Method => return a.value_type.clone(),
        _ => {}
    }
    let is_value = |d: &Declaration| matches!(d.kind, DeclKind::Field | DeclKind::Property);
    let (method, field) = match (a.kind, b.kind) {
        (DeclKind::Method, _) if is_value(b) => (a, b),
        (_, DeclKind::Method) if is_value(a) => (b, a),
        _ => return None,
    };
    let field_is_primitive = field
        .value_type
        .as_deref()
        .is_some_and(crate::apex_type::is_primitive);
    field_is_primitive
        .then(|| method.value_type.clone())
        .flatten()
}
