//! Shared XML reading for the metadata parsers, and the generic parser for any XML file.
//!
//! [`read_tree`] turns a document into a small owned [`Element`] tree with 1-based line
//! numbers, using `quick-xml`. Text is trimmed and may sit on its own line, and tags may
//! be split across lines (Prettier's XML plugin does both), so nothing here looks at raw
//! lines. A malformed document yields whatever was read plus a [`Problem`] naming the
//! line; nothing here panics. [`Mode::Lenient`] reads XML-ish markup (Visualforce, Aura,
//! LWC templates): unknown entities, bare `&`, unquoted attributes and unclosed or
//! mismatched tags are tolerated.
//!
//! The normalized form behind [`Element::semantic_hash`] keeps element names, attributes
//! and non-empty text without the line breaks and indentation around it (a Lightning web
//! component's template: its text as it renders, [`read_template`]; a metadata file's
//! text keeps the spaces beside it on its line, which are data), and drops comments,
//! processing instructions and the whitespace between elements, so reformatting a file
//! keeps its hash.
//!
//! This module does not know any metadata type: the typed parsers (flow, objects, multi,
//! lwc, markup) read their elements from the tree. It is not a validating parser.

use crate::facts::{stable_hash, DeclKind, Declaration, EdgeKind, Facts, Problem, Target, Use};
use crate::metadata::component::ComponentId;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;

/// The deepest nesting read; deeper documents stop there with a problem.
const MAX_DEPTH: usize = 256;

/// How strictly [`read_tree_with`] reads a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Well-formed XML (metadata files): mismatched or unclosed tags are problems.
    Strict,
    /// XML-ish markup: mismatched end tags close what they match, unclosed tags close at
    /// the end, attributes may be unquoted or valueless, a bare `&` is text.
    Lenient,
}

/// One element of a read document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    /// The qualified name as written (`apex:page`, `c:child`, `fields`).
    pub name: String,
    /// Attributes in source order, values unescaped.
    pub attrs: Vec<(String, String)>,
    /// Trimmed, non-empty runs of text directly inside this element.
    pub texts: Vec<Text>,
    /// Child elements in source order.
    pub children: Vec<Element>,
    /// 1-based line of the start tag's `<`.
    pub line: u32,
    /// 1-based line where the element ends (its end tag, or `/>`).
    pub end_line: u32,
}

/// A trimmed run of text and the line where its first non-blank character sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The unescaped text, trimmed at both ends.
    pub value: String,
    /// 1-based line of the first character of `value`.
    pub line: u32,
    /// The text as it means, when that is not `value`: what [`Element::semantic_hash`]
    /// reads. In a template ([`read_template`]), the text as the template renders it; in
    /// a metadata file, with the spaces beside it on its line ([`metadata_text`]).
    rendered: Option<Box<str>>,
}

impl Text {
    /// The 1-based line of byte `offset` of `value` (text may span lines).
    pub fn line_at(&self, offset: usize) -> u32 {
        let before = self.value.get(..offset).unwrap_or(&self.value);
        self.line + before.matches('\n').count() as u32
    }
}

impl Element {
    /// The name without its namespace prefix (`page` for `apex:page`).
    pub fn local_name(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// The namespace prefix of the name, if any (`apex` for `apex:page`).
    pub fn prefix(&self) -> Option<&str> {
        self.name.split_once(':').map(|(prefix, _)| prefix)
    }

    /// The first child with this local name (metadata XML names are case-sensitive).
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.local_name() == name)
    }

    /// Every child with this local name, in source order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.local_name() == name)
    }

    /// The element's own text runs joined by a space (empty when it has none).
    pub fn text(&self) -> String {
        match self.texts.as_slice() {
            [] => String::new(),
            [one] => one.value.clone(),
            many => many
                .iter()
                .map(|t| t.value.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// The text of the first child with this name, when it is not empty.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(Element::text)
            .filter(|t| !t.is_empty())
    }

    /// True when the first child with this name says `true` (any case).
    pub fn child_is_true(&self, name: &str) -> bool {
        self.child_text(name)
            .is_some_and(|t| t.eq_ignore_ascii_case("true"))
    }

    /// The line of the first text of this element, or of its start tag.
    pub fn text_line(&self) -> u32 {
        self.texts.first().map_or(self.line, |t| t.line)
    }

    /// The value of an attribute, matched case-insensitively (markup is HTML-ish).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Calls `visit` on this element and every descendant, parents before children.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Element)) {
        visit(self);
        for child in &self.children {
            child.walk(visit);
        }
    }

    /// Hash of the normalized element: names, attributes, trimmed text, children.
    pub fn semantic_hash(&self) -> u64 {
        self.hash_without(&|_| false)
    }

    /// Hash of the normalized element, leaving out the direct children `skip` selects
    /// (a multi-component file's header without its child components).
    pub fn hash_without(&self, skip: &dyn Fn(&Element) -> bool) -> u64 {
        let mut parts = Vec::new();
        self.push_parts(&mut parts, skip, true);
        stable_hash(parts)
    }

    fn push_parts<'a>(
        &'a self,
        parts: &mut Vec<&'a str>,
        skip: &dyn Fn(&Element) -> bool,
        top: bool,
    ) {
        parts.push("<");
        parts.push(&self.name);
        for (key, value) in &self.attrs {
            parts.push("@");
            parts.push(key);
            parts.push(value);
        }
        for text in &self.texts {
            parts.push("#");
            parts.push(text.rendered.as_deref().unwrap_or(&text.value));
        }
        for child in &self.children {
            if top && skip(child) {
                continue;
            }
            child.push_parts(parts, skip, false);
        }
        parts.push(">");
    }
}

/// Reads well-formed XML into its root element (see [`read_tree_with`]).
pub fn read_tree(source: &str) -> (Element, Vec<Problem>) {
    read_tree_with(source, Mode::Strict)
}

/// Reads a document into its root element and the problems met. With several top-level
/// elements (or none), the result is a nameless element holding them. Reading stops at
/// the first syntax error; what was read until then is kept.
pub fn read_tree_with(source: &str, mode: Mode) -> (Element, Vec<Problem>) {
    read(source, mode, false)
}

/// Reads a Lightning web component's template ([`Mode::Lenient`]), each text as the
/// template renders it beside its trimmed value ([`template_text`]), so that the
/// [`Element::semantic_hash`] of two templates differs when what they render does.
pub fn read_template(source: &str) -> (Element, Vec<Problem>) {
    read(source, Mode::Lenient, true)
}

fn read(source: &str, mode: Mode, template: bool) -> (Element, Vec<Problem>) {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let lines = LineIndex::new(source);
    let mut builder = Builder {
        source,
        lines: &lines,
        mode,
        template,
        stack: vec![Element::default()],
        pending: None,
        problems: Vec::new(),
    };
    let mut base = 0;
    let mut reader = new_reader(source, mode);
    let mut failed = false;
    loop {
        let start = base + to_usize(reader.buffer_position());
        let event = reader.read_event();
        let end = base + to_usize(reader.buffer_position());
        match event {
            Ok(Event::Start(_)) if builder.stack.len() > MAX_DEPTH => {
                // The tree is walked recursively; no metadata file nests this deep.
                let what = format!("elements nested deeper than {MAX_DEPTH} levels");
                builder.problems.push(malformed(lines.line(start), &what));
                failed = true;
                break;
            }
            Ok(Event::Start(tag)) => {
                builder.open(&tag, start);
                let name = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
                if mode == Mode::Lenient && is_raw_text(&name) {
                    // Script and style bodies are not markup (`a < b && c`): take them
                    // as text up to their end tag and read on from there.
                    let close = find_end_tag(source, end, &name);
                    builder.add_text(end, source.get(end..close).unwrap_or(""));
                    builder.close(&name, close);
                    base = source
                        .get(close..)
                        .and_then(|rest| rest.find('>'))
                        .map_or(source.len(), |i| close + i + 1);
                    reader = new_reader(source.get(base..).unwrap_or(""), mode);
                }
            }
            Ok(Event::Empty(tag)) => {
                builder.open(&tag, start);
                builder.close_top(end.saturating_sub(1));
            }
            Ok(Event::End(tag)) => {
                let name = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
                builder.close(&name, start);
            }
            Ok(Event::Text(text)) => builder.add_text(start, &String::from_utf8_lossy(&text)),
            Ok(Event::CData(data)) => builder.add_text(start, &String::from_utf8_lossy(&data)),
            Ok(Event::GeneralRef(reference)) => {
                let name = String::from_utf8_lossy(&reference);
                builder.add_text(start, &resolve_entity(&name));
            }
            Ok(Event::Comment(_)) => builder.flush_text(),
            Ok(Event::Decl(_) | Event::PI(_) | Event::DocType(_)) => {}
            Ok(Event::Eof) => break,
            Err(error) => {
                let line = lines.line(base + to_usize(reader.error_position()));
                builder.problems.push(malformed(line, &error.to_string()));
                failed = true;
                break;
            }
        }
    }
    builder.finish(failed)
}

fn new_reader(source: &str, mode: Mode) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(source);
    let config = reader.config_mut();
    config.check_end_names = mode == Mode::Strict;
    config.allow_unmatched_ends = mode == Mode::Lenient;
    config.allow_dangling_amp = mode == Mode::Lenient;
    reader
}

/// Elements whose content is raw text in HTML, read as such in lenient mode.
fn is_raw_text(name: &str) -> bool {
    name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style")
}

/// The offset of `</name` at or after `from` (any case), or the end of the source.
fn find_end_tag(source: &str, from: usize, name: &str) -> usize {
    let needle = format!("</{}", name.to_ascii_lowercase());
    source
        .get(from..)
        .map(|rest| rest.to_ascii_lowercase())
        .and_then(|rest| rest.find(&needle))
        .map_or(source.len(), |i| from + i)
}

/// A problem naming the line of malformed XML.
pub fn malformed(line: u32, what: &str) -> Problem {
    Problem {
        line: Some(line),
        message: format!("malformed XML near line {line}: {what}"),
    }
}

fn to_usize(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

/// Byte offset → 1-based line, by binary search over the newline offsets.
struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(source: &str) -> LineIndex {
        let newlines = source
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect();
        LineIndex { newlines }
    }

    fn line(&self, offset: usize) -> u32 {
        let before = self.newlines.partition_point(|&nl| nl < offset);
        u32::try_from(before + 1).unwrap_or(u32::MAX)
    }
}

/// The text a run of template text renders, as the LWC template compiler reads it: each
/// line's tabs are spaces, every line but the first loses its leading spaces and every
/// line but the last its trailing ones, lines left empty are dropped, and the rest are
/// joined by one space. So re-indenting a template renders the same text, while the
/// spaces that open the first line or close the last (`<p> {name}</p>`, `Total: </b>`)
/// are rendered and kept. (A run that is only whitespace renders nothing; the reader
/// drops it before.)
fn template_text(run: &str) -> String {
    let run = run.replace("\r\n", "\n");
    let lines: Vec<String> = run
        .split(['\n', '\r'])
        .map(|line| line.replace('\t', " "))
        .collect();
    let last = lines.len().saturating_sub(1);
    let last_written = lines
        .iter()
        .rposition(|line| line.chars().any(|c| c != ' '))
        .unwrap_or(0);
    let mut rendered = String::with_capacity(run.len());
    for (index, line) in lines.iter().enumerate() {
        let mut kept = line.as_str();
        if index > 0 {
            kept = kept.trim_start_matches(' ');
        }
        if index < last {
            kept = kept.trim_end_matches(' ');
        }
        if kept.is_empty() {
            continue;
        }
        rendered.push_str(kept);
        if index != last_written {
            rendered.push(' ');
        }
    }
    rendered
}

/// The text of a metadata file's element as it is data: the whitespace that ends a
/// line at its start or starts one at its end is formatting (a formatter that puts the
/// text on a line of its own), but spaces beside the text on its own line are part of
/// the value (`<stringValue>Customer </stringValue>`: a flow's filter on `"Customer "`
/// matches other records than one on `"Customer"`).
fn metadata_text(run: &str) -> &str {
    let start = run.len() - run.trim_start().len();
    let end = run.trim_end().len();
    let from = if run[..start].contains(['\n', '\r']) {
        start
    } else {
        0
    };
    let to = if run[end..].contains(['\n', '\r']) {
        end
    } else {
        run.len()
    };
    &run[from..to]
}

/// Builds the tree from reader events; `stack[0]` is the nameless document node.
struct Builder<'s> {
    source: &'s str,
    lines: &'s LineIndex,
    mode: Mode,
    /// Texts also keep the form a template renders ([`read_template`]).
    template: bool,
    stack: Vec<Element>,
    /// Text gathered since the last tag: start offset and unescaped content. Entity
    /// references arrive as separate events, so a run is assembled here.
    pending: Option<(usize, String)>,
    problems: Vec<Problem>,
}

impl Builder<'_> {
    fn open(&mut self, tag: &BytesStart<'_>, start: usize) {
        self.flush_text();
        let line = self.lines.line(start);
        let name = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
        let mut attrs = Vec::new();
        let mut iter = match self.mode {
            Mode::Strict => tag.attributes(),
            Mode::Lenient => tag.html_attributes(),
        };
        iter.with_checks(self.mode == Mode::Strict);
        for attr in iter {
            match attr {
                Ok(attr) => {
                    let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
                    let value = unescape(&String::from_utf8_lossy(&attr.value));
                    attrs.push((key, value));
                }
                Err(error) => {
                    // A bad attribute costs only itself; in strict mode it is reported.
                    if self.mode == Mode::Strict {
                        self.problems.push(malformed(line, &error.to_string()));
                    }
                    break;
                }
            }
        }
        self.stack.push(Element {
            name,
            attrs,
            line,
            end_line: line,
            ..Element::default()
        });
    }

    /// Closes the innermost open element, ending at byte `end`.
    fn close_top(&mut self, end: usize) {
        self.flush_text();
        if self.stack.len() < 2 {
            return;
        }
        if let Some(mut element) = self.stack.pop() {
            element.end_line = self.lines.line(end);
            if let Some(parent) = self.stack.last_mut() {
                parent.children.push(element);
            }
        }
    }

    /// Handles an end tag. Strict mode: quick-xml already checked that it matches.
    /// Lenient mode: closes up to the innermost open element of that name (the ones
    /// above it were never closed, as `<br>` in HTML); an unmatched end tag is ignored.
    fn close(&mut self, name: &str, start: usize) {
        self.flush_text();
        let depth = match self.mode {
            Mode::Strict => self.stack.len().saturating_sub(1),
            Mode::Lenient => match self
                .stack
                .iter()
                .rposition(|e| e.name.eq_ignore_ascii_case(name.trim()))
            {
                Some(depth) if depth > 0 => depth,
                _ => return,
            },
        };
        while self.stack.len() > depth.max(1) {
            self.close_top(start);
        }
    }

    fn add_text(&mut self, start: usize, text: &str) {
        match &mut self.pending {
            Some((_, run)) => run.push_str(text),
            None => self.pending = Some((start, text.to_string())),
        }
    }

    fn flush_text(&mut self) {
        let Some((start, run)) = self.pending.take() else {
            return;
        };
        let value = run.trim();
        if value.is_empty() {
            return;
        }
        let leading = run.len() - run.trim_start().len();
        let rendered = if self.template {
            Some(template_text(&run)).filter(|rendered| rendered != value)
        } else if self.mode == Mode::Strict {
            let kept = metadata_text(&run);
            (kept != value).then(|| kept.to_string())
        } else {
            None
        }
        .map(String::into_boxed_str);
        let text = Text {
            value: value.to_string(),
            line: self.lines.line(start + leading),
            rendered,
        };
        // Text outside the root element has no element to belong to.
        if self.stack.len() > 1 {
            if let Some(top) = self.stack.last_mut() {
                top.texts.push(text);
            }
        }
    }

    fn finish(mut self, failed: bool) -> (Element, Vec<Problem>) {
        self.flush_text();
        let end = self.source.len();
        if self.mode == Mode::Strict && !failed && self.stack.len() > 1 {
            if let Some(open) = self.stack.last() {
                let what = format!("element <{}> is not closed", open.name);
                self.problems.push(malformed(open.line, &what));
            }
        }
        while self.stack.len() > 1 {
            self.close_top(end);
        }
        let mut document = self.stack.pop().unwrap_or_default();
        if self.mode == Mode::Strict && !failed {
            match document.children.len() {
                0 => self.problems.push(malformed(1, "no root element")),
                1 => {}
                _ => {
                    let line = document.children.get(1).map_or(1, |e| e.line);
                    self.problems
                        .push(malformed(line, "more than one root element"));
                }
            }
        }
        if document.children.len() == 1 {
            if let Some(root) = document.children.pop() {
                return (root, self.problems);
            }
        }
        document.line = 1;
        document.end_line = self.lines.line(end);
        (document, self.problems)
    }
}

/// The text of entity reference `name` (without `&` and `;`). Unknown entities stay as
/// written, so HTML entities in markup (`&nbsp;`) are never fatal.
fn resolve_entity(name: &str) -> String {
    let known = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => name.strip_prefix('#').and_then(|num| {
            let code = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            code.and_then(char::from_u32)
        }),
    };
    match known {
        Some(c) => c.to_string(),
        None => format!("&{name};"),
    }
}

/// Unescapes entity and character references in an attribute value, leniently.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&i| {
            i > 0
                && after[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '#')
        });
        match end {
            Some(i) => {
                out.push_str(&resolve_entity(&after[..i]));
                rest = &after[i + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A declaration of a whole metadata component: no parent, members or test mark.
pub fn component_decl(id: &ComponentId, lines: (u32, u32), body_hash: u64) -> Declaration {
    Declaration {
        body_hash,
        ..Declaration::new(id.clone(), DeclKind::Component, None, lines)
    }
}

/// The number of lines of a file (at least 1), for whole-file declarations.
pub fn line_count(source: &str) -> u32 {
    let count = source.lines().count().max(1);
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Reads any XML file as one component: declares it with its normalized hash, and
/// reports a problem when the file is malformed. Used for metadata types that reference
/// nothing the graph follows.
pub fn parse_generic(component: &ComponentId, source: &str) -> Facts {
    parse_generic_with(component, source, |_, _| {})
}

/// Reads an email template's `-meta.xml` as [`parse_generic`] does, with its `<name>`
/// as its other name (`Declaration::alias`): code finds a template by it
/// (`[SELECT Id FROM EmailTemplate WHERE Name = 'Volunteers Personal Site Contact
/// Lookup']`) as often as by its developer name.
pub fn parse_email_template_meta(component: &ComponentId, source: &str) -> Facts {
    parse_generic_with(component, source, |root, declaration| {
        declaration.alias = root
            .child_text("name")
            .filter(|name| !name.trim().is_empty());
    })
}

/// [`parse_generic`], with `describe` filling in the declaration from the tree.
fn parse_generic_with(
    component: &ComponentId,
    source: &str,
    describe: impl FnOnce(&Element, &mut Declaration),
) -> Facts {
    let (root, problems) = read_tree(source);
    let hash = root.semantic_hash();
    let mut declaration = component_decl(component, (1, line_count(source)), hash);
    describe(&root, &mut declaration);
    Facts {
        declares: vec![declaration],
        uses: Default::default(),
        problems,
        semantic_hash: hash,
    }
}

/// Collects uses, keeping one per `(from, target, kind)` at its lowest line: a flow
/// naming `$Record.Status__c` twenty times needs one edge, not twenty.
#[derive(Default)]
pub(crate) struct UseSet {
    seen: HashMap<(String, String, EdgeKind), usize>,
    list: Vec<Use<'static>>,
}

impl UseSet {
    /// Adds a use, or lowers the line of the same edge already recorded.
    pub(crate) fn add(
        &mut self,
        from: &ComponentId,
        target: Target<'static>,
        kind: EdgeKind,
        line: u32,
    ) {
        let key = (
            from.key().to_string(),
            format!("{target:?}").to_lowercase(),
            kind,
        );
        match self.seen.get(&key).and_then(|&i| self.list.get_mut(i)) {
            Some(existing) => existing.line = existing.line.min(line),
            None => {
                self.seen.insert(key, self.list.len());
                self.list.push(Use {
                    from: from.clone(),
                    target,
                    kind,
                    line,
                });
            }
        }
    }

    /// Adds a `string-ref` for a string in metadata that may name a component as a
    /// string literal in Apex would (`apex::literal_name`: a name, a record type's
    /// label): a custom label's value, the value a flow condition, a formula or a lookup
    /// filter compares a record type with. Nothing for text that names nothing.
    pub(crate) fn add_string_name(&mut self, from: &ComponentId, text: &str, line: u32) {
        if let Some(name) = crate::parse::apex::literal_name(text.trim()) {
            let target = Target::StringLiteral(name.to_string().into());
            self.add(from, target, EdgeKind::StringRef, line);
        }
    }

    /// The uses, sorted by line for deterministic, readable output.
    pub(crate) fn into_vec(mut self) -> Vec<Use<'static>> {
        self.list.sort_by_key(|u| u.line);
        self.list
    }
}

/// A `$Global.Name.Name` reference found in text (flow formulas, Visualforce and Aura
/// expressions): `global` is the part after `$`, `path` the dotted names after it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct GlobalRef<'t> {
    /// Byte offset of the `$` in the scanned text.
    pub offset: usize,
    pub global: &'t str,
    pub path: Vec<&'t str>,
}

/// Finds every `$Word(.Word)*` in `text`, where words are letters, digits and `_`.
pub(crate) fn global_refs(text: &str) -> Vec<GlobalRef<'_>> {
    let bytes = text.as_bytes();
    let word_end = |from: usize| {
        let mut i = from;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        i
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let offset = i;
        let end = word_end(i + 1);
        if end == i + 1 {
            i += 1;
            continue;
        }
        let global = &text[i + 1..end];
        let mut path = Vec::new();
        i = end;
        while i < bytes.len() && bytes[i] == b'.' {
            let next = word_end(i + 1);
            if next == i + 1 {
                break;
            }
            path.push(&text[i + 1..next]);
            i = next;
        }
        found.push(GlobalRef {
            offset,
            global,
            path,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOW: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <!-- a comment -->
    <start>
        <doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria>
        <object>Invoice__c</object>
    </start>
    <label>Tom &amp; Jerry</label>
</Flow>
"#;

    const FLOW_PRETTIER: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
  <start>
    <doesRequireRecordChangedToMeetCriteria
    >true</doesRequireRecordChangedToMeetCriteria>
    <object>
      Invoice__c
    </object>
  </start>
  <label>Tom &amp; Jerry</label>
</Flow>"#;

    #[test]
    fn reads_tree_with_lines_and_unescaped_text() {
        let (root, problems) = read_tree(FLOW);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(root.name, "Flow");
        assert_eq!(root.line, 2);
        assert_eq!(root.end_line, 9);
        let start = root.child("start").expect("start");
        assert_eq!(start.line, 4);
        assert_eq!(start.child_text("object").as_deref(), Some("Invoice__c"));
        assert_eq!(start.child("object").map(|o| o.line), Some(6));
        assert_eq!(root.child_text("label").as_deref(), Some("Tom & Jerry"));
        assert!(start.child_is_true("doesRequireRecordChangedToMeetCriteria"));
    }

    #[test]
    fn prettier_text_on_its_own_line_gets_its_line() {
        let (root, problems) = read_tree(FLOW_PRETTIER);
        assert!(problems.is_empty(), "{problems:?}");
        let object = root
            .child("start")
            .and_then(|s| s.child("object"))
            .expect("object");
        assert_eq!(object.text(), "Invoice__c");
        assert_eq!(object.line, 6);
        assert_eq!(object.text_line(), 7);
    }

    #[test]
    fn reformatting_and_comments_keep_the_semantic_hash() {
        let (a, _) = read_tree(FLOW);
        let (b, _) = read_tree(FLOW_PRETTIER);
        assert_eq!(a.semantic_hash(), b.semantic_hash());
        let changed = FLOW.replace("Invoice__c", "Order__c");
        let (c, _) = read_tree(&changed);
        assert_ne!(a.semantic_hash(), c.semantic_hash());
    }

    /// Spaces beside a value on its line are data (a flow filter on `"Customer "`); the
    /// line breaks and indentation around a value on a line of its own are formatting.
    /// Either way the value read is trimmed.
    #[test]
    fn spaces_beside_a_value_on_its_line_are_part_of_it() {
        let hash = |text: &str| {
            let (root, problems) = read_tree(text);
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(root.children[0].texts[0].value, "Customer");
            root.semantic_hash()
        };
        let plain = hash("<value><stringValue>Customer</stringValue></value>");
        assert_eq!(
            plain,
            hash("<value>\n    <stringValue>\n        Customer\n    </stringValue>\n</value>")
        );
        assert_eq!(
            plain,
            hash("<value>\r\n<stringValue>\r\n\tCustomer\r\n</stringValue></value>")
        );
        for padded in [
            "<value><stringValue>Customer </stringValue></value>",
            "<value><stringValue> Customer</stringValue></value>",
            "<value><stringValue>\n  Customer </stringValue></value>",
        ] {
            assert_ne!(plain, hash(padded), "{padded:?}");
        }
    }

    #[test]
    fn malformed_xml_is_a_problem_with_a_line_not_a_panic() {
        let source = "<Flow>\n  <start>\n    <object>X</object>\n  </strat>\n</Flow>\n";
        let (root, problems) = read_tree(source);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(4));
        assert!(problems[0]
            .message
            .starts_with("malformed XML near line 4:"));
        // What was read before the error is kept.
        assert_eq!(
            root.child("start")
                .and_then(|s| s.child_text("object"))
                .as_deref(),
            Some("X")
        );
    }

    #[test]
    fn unclosed_and_empty_documents_are_problems() {
        let (_, problems) = read_tree("<Flow>\n<start>\n");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("not closed"), "{problems:?}");
        let (_, problems) = read_tree("   \n");
        assert_eq!(problems.len(), 1);
        for garbage in [
            "<",
            "<a",
            "</a>",
            "<a b=>",
            "<a>&bogus</a>",
            "\u{feff}<a/>",
            "<!--",
            "<![CDATA[",
        ] {
            let _ = read_tree(garbage);
            let _ = read_tree_with(garbage, Mode::Lenient);
        }
    }

    #[test]
    fn lenient_mode_tolerates_html_ish_markup() {
        let source = "<template>\n<input disabled value={x}>\n<p>a &nbsp; b &amp; c</p>\n<c-child onclick={go}></c-child></div>\n</template>";
        let (root, problems) = read_tree_with(source, Mode::Lenient);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(root.name, "template");
        let mut names = Vec::new();
        root.walk(&mut |e| names.push((e.name.clone(), e.line)));
        assert!(names.contains(&("c-child".to_string(), 4)), "{names:?}");
        let mut text = String::new();
        root.walk(&mut |e| {
            if e.name == "p" {
                text = e.text();
            }
        });
        assert_eq!(text, "a &nbsp; b & c");
    }

    #[test]
    fn lenient_mode_reads_script_bodies_as_text() {
        let source = "<apex:page>\n<script>\nif (a < b && c) { x('</p>'); }\n</SCRIPT>\n<c:footer/>\n</apex:page>";
        let (root, problems) = read_tree_with(source, Mode::Lenient);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(root.name, "apex:page");
        let names: Vec<(&str, u32)> = root
            .children
            .iter()
            .map(|c| (c.name.as_str(), c.line))
            .collect();
        assert_eq!(names, [("script", 2), ("c:footer", 5)]);
        assert_eq!(root.children[0].text(), "if (a < b && c) { x('</p>'); }");
        assert_eq!(root.children[0].texts[0].line, 3);
        assert_eq!(root.end_line, 6);
        let (_, problems) = read_tree_with("<p><script>never closed", Mode::Lenient);
        assert!(problems.is_empty());
    }

    #[test]
    fn absurd_nesting_stops_with_a_problem() {
        let source = "<a>".repeat(100_000);
        let (root, problems) = read_tree_with(&source, Mode::Lenient);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("nested deeper"));
        assert_eq!(root.name, "a");
    }

    #[test]
    fn every_prefix_of_a_document_reads_without_panic() {
        let sample = "<?xml version=\"1.0\"?>\n<Flow a=\"x&amp;y\">é<!-- c --><b><![CDATA[<x>]]>t&#233;&#xZZ;&bogus;</b><c/></Flow>";
        for (i, _) in sample.char_indices() {
            let _ = read_tree(&sample[..i]);
            let _ = read_tree_with(&sample[..i], Mode::Lenient);
        }
    }

    #[test]
    fn finds_global_references() {
        let refs = global_refs("{!$Record.Account__r.Name} & $Label.Greeting + $ x");
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].global, "Record");
        assert_eq!(refs[0].path, vec!["Account__r", "Name"]);
        assert_eq!(refs[1].global, "Label");
        assert_eq!(refs[1].path, vec!["Greeting"]);
    }

    #[test]
    fn generic_parser_declares_and_hashes() {
        let id = ComponentId::new("Layout", "Account-Account Layout");
        let facts = parse_generic(&id, FLOW);
        assert_eq!(facts.declares.len(), 1);
        assert_eq!(facts.declares[0].id, id);
        assert_eq!(facts.declares[0].lines, (1, 9));
        assert_eq!(
            facts.semantic_hash,
            parse_generic(&id, FLOW_PRETTIER).semantic_hash
        );
        let broken = parse_generic(&id, "<Layout><a></Layout>");
        assert_eq!(broken.problems.len(), 1);
    }

    /// A template's text renders as the LWC compiler reads it: lines joined by one space,
    /// indentation and line ends dropped, but the spaces that open the first line and
    /// close the last kept; tabs are spaces; `\r\n` and `\r` end lines too.
    #[test]
    fn template_text_is_what_the_template_renders() {
        let cases = [
            ("Hello", "Hello"),
            (" Hello", " Hello"),
            ("Total: ", "Total: "),
            ("\n    Hello\n  ", "Hello"),
            ("\n  Hello\n      world\n", "Hello world"),
            ("a\t\tb", "a  b"),
            ("one  \n\n   two", "one two"),
            ("\r\n  a\r\n  b\r\n", "a b"),
            ("a\rb", "a b"),
            (" first\n  last ", " first last "),
        ];
        for (run, rendered) in cases {
            assert_eq!(template_text(run), rendered, "{run:?}");
        }
    }

    /// A template's hash is that of what it renders; other markup keeps trimmed text.
    #[test]
    fn a_template_hashes_its_text_as_rendered() {
        let hash = |source: &str| read_template(source).0.semantic_hash();
        let markup = |source: &str| read_tree_with(source, Mode::Lenient).0.semantic_hash();
        let one_line = "<template><p>Lines: {n}</p></template>";
        let spaced = "<template><p>Lines: {n} </p></template>";
        let split = "<template><p>\n  Lines:\n  {n}\n</p></template>";
        let split_deeper = "<template>\n<p>\n      Lines:\n          {n}\n    </p>\n</template>";
        assert_ne!(hash(one_line), hash(spaced));
        assert_eq!(hash(split), hash(split_deeper));
        assert_eq!(hash(one_line), hash(split));
        assert_eq!(markup(one_line), markup(spaced));
        assert_ne!(markup(split), markup(split_deeper));
        assert_eq!(
            read_template(spaced).0.children[0].texts[0].value,
            "Lines: {n}"
        );
    }
}
