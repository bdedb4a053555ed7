//! Queries written in strings: `Database.query('SELECT Id, Status__c FROM Invoice__c')`,
//! a batch's `Database.getQueryLocator('SELECT Id FROM ' + 'Invoice__c WHERE …')`. The
//! pieces of a string that starts with `SELECT` are joined (a local variable set to a
//! literal is that literal), each piece code supplies (another variable, a call)
//! standing in as a hole, and the text is parsed as the Apex query it would be
//! (`[SELECT …]`) and read as one ([`super::query`]).
//!
//! A name with a hole in it (`'FROM ' + objectName`, a field list a call joins) is not
//! read: the code decides it when it runs. A hole right before a name is taken for a
//! prefix (`'FROM ' + namespace + 'Allocation__c'` reads `Allocation__c`); a hole where a
//! value goes (`'WHERE Paid__c = ' + paid`) is a bind, as the value is. Binds name the
//! variables of the code that runs the query, which is not always this code: they are
//! not read.

use super::query::{soql, QuerySink};
use super::text::{
    child, fields, find_kind, first_named, kind_of, literal_content, literal_name, Kind,
};
use super::walk::Walker;
use crate::facts::{EdgeKind, Target};
use tree_sitter::{Language, Node, Parser};

/// What a piece code supplies stands for in the query's text: a name no org declares.
const HOLE: &str = "impact_hole__";

/// The literals kept of one variable: each is a reading of the query again.
const MAX_VALUES: usize = 4;

/// The text a string builds, as an Apex query: its literal pieces, unescaped, and holes
/// between them, in brackets.
struct Built<'t> {
    text: String,
    /// Where each literal piece starts in `text`, and its node (for the line of a read).
    pieces: Vec<(usize, Node<'t>)>,
}

/// How an assignment gives a variable its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Assignment {
    /// `=`, or a declaration's initial value.
    Set,
    /// `+=`.
    Append,
    /// Any other compound assignment (`-=`, `|=`): the value is no string's piece.
    Other,
}

impl Assignment {
    pub(super) fn of_operator(operator: &str) -> Assignment {
        match operator {
            "=" => Assignment::Set,
            "+=" => Assignment::Append,
            _ => Assignment::Other,
        }
    }
}

/// A query being built in a string variable, statement by statement (`String q =
/// 'SELECT Id'; q += ', Name FROM Account';`): read when its member ends.
pub(super) struct Building<'t> {
    variable: &'t str,
    /// The pieces of the string so far, left to right.
    parts: Vec<Node<'t>>,
    /// Whether a later statement added to it.
    extended: bool,
}

impl<'t> Walker<'t> {
    /// Reads the string `parts` build (the operands of a `+` chain, left to right, or a
    /// lone literal) as a query, if it is one: its first part is a literal that starts
    /// with `SELECT`. A variable set to several literals (a filter field chosen under an
    /// `if`) is read with each in turn.
    pub(super) fn dynamic_query(&mut self, parts: &[Node<'t>]) {
        let several = parts.iter().find_map(|&part| {
            let name = (kind_of(part) == Kind::Identifier).then(|| self.text(part))?;
            let count = self.values_of(name).count();
            (count > 1).then_some((name, count))
        });
        let Some((name, count)) = several else {
            self.read_dynamic(parts);
            return;
        };
        for index in 0..count {
            self.chosen = Some((name, index));
            self.read_dynamic(parts);
        }
        self.chosen = None;
    }

    /// The literals a variable of the member is set to, in the order of the code.
    fn values_of<'w>(&'w self, name: &'w str) -> impl Iterator<Item = Node<'t>> + 'w {
        self.strings
            .iter()
            .filter(move |(variable, _)| variable.eq_ignore_ascii_case(name))
            .map(|(_, literal)| *literal)
    }

    /// [`Walker::dynamic_query`] with each variable's literal chosen.
    fn read_dynamic(&mut self, parts: &[Node<'t>]) {
        let Some(built) = self.build(parts) else {
            return;
        };
        if self.query_parser.is_none() {
            let mut parser = Parser::new();
            let language = Language::new(tree_sitter_sfapex::apex::LANGUAGE);
            if parser.set_language(&language).is_err() {
                return;
            }
            self.query_parser = Some(parser);
        }
        let Some(parser) = self.query_parser.as_mut() else {
            return;
        };
        let Some(tree) = crate::parse::parse_within_budget(parser, &built.text) else {
            return;
        };
        let body = find_kind(tree.root_node(), "expression_statement")
            .and_then(|statement| find_kind(statement, "query_expression"))
            .and_then(|query| find_kind(query, "soql_query_body"));
        if let Some(body) = body {
            let mut sink = InString {
                walker: self,
                built: &built,
            };
            soql(&mut sink, body, None);
        }
    }

    /// A variable is given a value (`String q = value`, `q = value`, `q += value`): a
    /// query may start, go on or end in it, and a literal value is the variable's piece
    /// of a query built from it.
    pub(super) fn assign_string(&mut self, variable: &'t str, how: Assignment, value: Node<'t>) {
        if how == Assignment::Set {
            self.remember_string(variable, value);
        }
        let open = self
            .building
            .iter()
            .position(|building| building.variable.eq_ignore_ascii_case(variable));
        // Most assignments are neither: decide before listing the value's parts.
        let starts = how == Assignment::Set && self.starts_query(self.leftmost(value));
        if open.is_none() && !starts {
            return;
        }
        let mut parts = self.concatenation(value).unwrap_or_else(|| vec![value]);
        // What the value adds to the string: all of it, or what follows the variable
        // (`q = q + ' FROM Invoice__c'`).
        let added = match how {
            Assignment::Append => Some(0),
            Assignment::Set => parts
                .first()
                .filter(|first| self.continues(variable, **first))
                .map(|_| 1),
            Assignment::Other => None,
        };
        if let (Some(from), Some(index)) = (added, open) {
            let building = &mut self.building[index];
            building.parts.extend(parts.drain(from..));
            building.extended = true;
            return;
        }
        if let Some(index) = open {
            let done = self.building.swap_remove(index);
            self.finish_query(done);
        }
        if starts {
            self.building.push(Building {
                variable,
                parts,
                extended: false,
            });
        }
    }

    /// Whether the first operand of a variable's new value is the variable's string so
    /// far: the variable, or a method of it (`q.removeEnd(', ')`, `q.trim()`).
    fn continues(&self, variable: &str, first: Node<'t>) -> bool {
        let text = self.text(first);
        let named = text
            .get(..variable.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(variable));
        named && (text.len() == variable.len() || text[variable.len()..].starts_with('.'))
    }

    /// Reads the queries built in variables so far (at the end of each member).
    pub(super) fn finish_queries(&mut self) {
        while let Some(building) = self.building.pop() {
            self.finish_query(building);
        }
        self.strings.clear();
    }

    /// Keeps the literals a variable is set to (`String clause = 'WHERE Type__c = :t'`,
    /// or `''` first and a clause under an `if`), [`MAX_VALUES`] at most.
    fn remember_string(&mut self, variable: &'t str, value: Node<'t>) {
        let Some((literal, _)) = self.piece_text(value) else {
            return;
        };
        if self.values_of(variable).count() < MAX_VALUES {
            self.strings.push((variable, literal));
        }
    }

    fn finish_query(&mut self, building: Building<'t>) {
        // A query given whole was read where it was written.
        if building.extended {
            self.dynamic_query(&building.parts);
        }
    }

    /// The operands of a `+` chain, left to right; `None` for any other expression.
    fn concatenation(&self, node: Node<'t>) -> Option<Vec<Node<'t>>> {
        match self.operands(node) {
            (operands, true) if operands.len() > 1 => Some(operands),
            _ => None,
        }
    }

    /// The first operand of a chain of operators.
    fn leftmost(&self, node: Node<'t>) -> Node<'t> {
        let mut node = node;
        while let Some(left) = (kind_of(node) == Kind::Binary)
            .then(|| child(node, fields().left))
            .flatten()
        {
            node = left;
        }
        node
    }

    /// Whether a string whose first part is `first` starts with `SELECT`.
    fn starts_query(&self, first: Node<'t>) -> bool {
        let Some((_, first)) = self.piece_text(first) else {
            return false;
        };
        let first = first.trim_start();
        first
            .get(..6)
            .is_some_and(|keyword| keyword.eq_ignore_ascii_case("select"))
            && first[6..].chars().next().is_none_or(char::is_whitespace)
    }

    fn build(&self, parts: &[Node<'t>]) -> Option<Built<'t>> {
        if !self.starts_query(*parts.first()?) {
            return None;
        }
        let mut built = Built {
            text: String::from("["),
            pieces: Vec::new(),
        };
        for (index, part) in parts.iter().enumerate() {
            if let Some((literal, content)) = self.piece_text(*part) {
                drop_dangling_comma(&mut built.text, content);
                built.pieces.push((built.text.len(), literal));
                unescape(content, &mut built.text);
                continue;
            }
            let prefix = parts
                .get(index + 1)
                .and_then(|next| self.piece_text(*next))
                .map(|(_, content)| content)
                .and_then(|next| next.chars().next())
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            if prefix {
                continue;
            }
            if takes_value(&built.text) {
                built.text.push(':');
            }
            built.text.push_str(HOLE);
        }
        built.text.push(']');
        Some(built)
    }

    /// The literal a part of a string is, and its content: a string literal, a choice
    /// of two (`(multiCurrency ? 'CurrencyIsoCode, ' : '')`), of which the longer is
    /// taken (it names more, and a test that reads more is the safer choice), or a
    /// variable of the member set to one ([`Walker::remember_string`]).
    fn piece_text(&self, part: Node<'t>) -> Option<(Node<'t>, &'t str)> {
        self.piece_within(part, 0)
    }

    /// [`Walker::piece_text`], `depth` choices down: deeper, a part is code's.
    fn piece_within(&self, part: Node<'t>, depth: u32) -> Option<(Node<'t>, &'t str)> {
        let mut part = part;
        while kind_of(part) == Kind::Parenthesized {
            part = first_named(part)?;
        }
        match kind_of(part) {
            Kind::StringLiteral => Some((part, literal_content(self.text(part))?)),
            Kind::Identifier if depth < 4 => {
                let name = self.text(part);
                let literal = match self.chosen {
                    Some((chosen, index)) if chosen.eq_ignore_ascii_case(name) => {
                        self.values_of(name).nth(index)?
                    }
                    // Another variable of several values: the longest, as of a choice.
                    _ => self.values_of(name).max_by_key(|literal| {
                        literal_content(self.text(*literal)).map_or(0, str::len)
                    })?,
                };
                self.piece_within(literal, depth + 1)
            }
            Kind::Ternary if depth < 4 => {
                let f = fields();
                let consequence = self.piece_within(child(part, f.consequence)?, depth + 1)?;
                let alternative = self.piece_within(child(part, f.alternative)?, depth + 1)?;
                Some(if alternative.1.len() > consequence.1.len() {
                    alternative
                } else {
                    consequence
                })
            }
            _ => None,
        }
    }
}

/// Whether a query's text so far ends where a value goes: after a comparison, `IN`,
/// `LIKE`, `INCLUDES`, `EXCLUDES`, `LIMIT` or `OFFSET`.
fn takes_value(text: &str) -> bool {
    let text = text.trim_end();
    if text.ends_with(['=', '<', '>']) {
        return true;
    }
    let word = text
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    ["in", "like", "includes", "excludes", "limit", "offset"]
        .iter()
        .any(|keyword| word.eq_ignore_ascii_case(keyword))
}

/// A list of fields built in a loop (`q += field + ', '`) ends in a comma that the code
/// takes off before it adds `FROM` (`q = q.removeEnd(', ') + ' FROM …'`); left in, the
/// query would not parse.
fn drop_dangling_comma(text: &mut String, next: &str) {
    let from = next
        .trim_start()
        .get(..5)
        .is_some_and(|word| word.eq_ignore_ascii_case("from "));
    if from && text.trim_end().ends_with(',') {
        let end = text.trim_end().len() - 1;
        text.truncate(end);
        text.push(' ');
    }
}

/// Apex's escapes in a literal's content, as the query Salesforce runs reads them.
fn unescape(content: &str, out: &mut String) {
    let mut chars = content.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'r' | 't' | 'b' | 'f') => out.push(' '),
            Some(escaped) => out.push(escaped),
            None => {}
        }
    }
}

/// The reads of a query in a string go to the walk, each at the line of the literal
/// piece that names it.
struct InString<'w, 't, 'b> {
    walker: &'w mut Walker<'t>,
    built: &'b Built<'t>,
}

impl<'t> InString<'_, 't, '_> {
    /// The literal piece a node of the query's text lies in.
    fn piece(&self, node: Node) -> Option<Node<'t>> {
        let start = node.start_byte();
        let index = self.built.pieces.partition_point(|(at, _)| *at <= start);
        self.built
            .pieces
            .get(index.checked_sub(1)?)
            .map(|(_, n)| *n)
    }
}

impl<'n> QuerySink<'n> for InString<'_, '_, '_> {
    fn text(&self, node: Node<'n>) -> &str {
        self.built.text.get(node.byte_range()).unwrap_or("")
    }

    fn read(&mut self, target: Target<'static>, at: Node<'n>) {
        let holed = match &target {
            Target::SObject(object) => has_hole(object),
            Target::Field { object, field } => has_hole(object) || has_hole(field),
            _ => false,
        };
        if let (false, Some(piece)) = (holed, self.piece(at)) {
            self.walker.emit(target, EdgeKind::Reads, piece);
        }
    }

    fn literal(&mut self, node: Node<'n>) {
        let raw = self.built.text.get(node.byte_range()).unwrap_or("");
        let holed = literal_content(raw)
            .and_then(literal_name)
            .is_some_and(has_hole);
        if let (false, Some(piece)) = (holed, self.piece(node)) {
            self.walker.literal_text(raw, piece);
        }
    }

    fn bind(&mut self, _expression: Node<'n>) {}

    fn depth(&mut self) -> &mut u32 {
        &mut self.walker.depth
    }
}

/// Whether a name read from a query's text has a hole in it (the text holds [`HOLE`] as
/// it was written into it).
fn has_hole(name: &str) -> bool {
    name.contains(HOLE)
}
