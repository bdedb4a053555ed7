//! SOQL and SOSL: the objects a query reads (FROM, subqueries, RETURNING) and the fields
//! it names in any clause. One reader serves a query written in Apex (`[SELECT …]`, whose
//! binds are walked as Apex) and a query written in a string ([`super::dynamic`], parsed
//! on its own as the Apex query it would be): a [`QuerySink`] says where what it reads
//! goes.
//!
//! Fields are recorded as written (`Account__r.Name` on the queried object); aliases
//! and `TYPEOF` branches are not resolved.

use super::text::{child, fields, first_named, kind_name, named_children, normalize_type};
use super::walk::{Recv, Walker, MAX_DEPTH};
use crate::facts::{EdgeKind, Target, TypeExpr};
use crate::metadata::sobject::strip_schema;
use tree_sitter::Node;

/// Where the reads of a query's tree (its nodes live for `'n`) are recorded.
pub(super) trait QuerySink<'n> {
    /// The text of a node of the query.
    fn text(&self, node: Node<'n>) -> &str;
    /// The query reads `target`, named at `at`.
    fn read(&mut self, target: Target<'static>, at: Node<'n>);
    /// A string literal in the query (`RecordType.DeveloperName = 'Household'`).
    fn literal(&mut self, node: Node<'n>);
    /// An Apex expression bound into the query (`:ids`).
    fn bind(&mut self, expression: Node<'n>);
    /// The nesting depth the walk guards with [`MAX_DEPTH`].
    fn depth(&mut self) -> &mut u32;
    /// The named children of a node of the query, comments left out.
    fn kids(&self, node: Node<'n>) -> Vec<Node<'n>> {
        named_children(node)
    }
    /// Takes back a list [`QuerySink::kids`] gave.
    fn recycle(&self, _kids: Vec<Node<'n>>) {}
}

impl<'t> QuerySink<'t> for Walker<'t> {
    fn text(&self, node: Node<'t>) -> &str {
        Walker::text(self, node)
    }

    fn read(&mut self, target: Target<'static>, at: Node<'t>) {
        self.emit(target, EdgeKind::Reads, at);
    }

    fn literal(&mut self, node: Node<'t>) {
        self.string_literal(node);
    }

    fn bind(&mut self, expression: Node<'t>) {
        for inner in named_children(expression) {
            self.walk(inner);
        }
    }

    fn depth(&mut self) -> &mut u32 {
        &mut self.depth
    }

    fn kids(&self, node: Node<'t>) -> Vec<Node<'t>> {
        Walker::kids(self, node)
    }

    fn recycle(&self, kids: Vec<Node<'t>>) {
        Walker::recycle(self, kids);
    }
}

impl<'t> Walker<'t> {
    /// `[SELECT …]` or `[FIND …]`; a SOQL query is a list of its object.
    pub(super) fn query(&mut self, node: Node<'t>) -> Recv<'t> {
        for body in named_children(node) {
            match kind_name(body) {
                "soql_query_body" => {
                    return match soql(self, body, None) {
                        Some(object) => {
                            Recv::Value(TypeExpr::Named(format!("List<{object}>").into()))
                        }
                        None => Recv::Unknown,
                    };
                }
                "sosl_query_body" => sosl(self, body),
                _ => {}
            }
        }
        Recv::Unknown
    }
}

/// Records a SOQL query's object and fields; returns the object. A subquery of a query
/// on `parent` reads a child relationship of it (`FROM Contacts`): its object is the
/// relationship's path (`Account.Contacts`), which the graph types.
pub(super) fn soql<'n>(
    sink: &mut impl QuerySink<'n>,
    body: Node<'n>,
    parent: Option<&str>,
) -> Option<String> {
    let from = child(body, fields().from_clause);
    let object = from
        .and_then(first_named)
        .and_then(|storage| match kind_name(storage) {
            "storage_alias" => first_named(storage),
            _ => Some(storage),
        })
        .map(|storage| strip_schema(sink.text(storage).trim()).to_string())
        .filter(|o| !o.is_empty())
        .map(|o| match parent {
            Some(parent) => format!("{parent}.{o}"),
            None => o,
        });
    if let (Some(object), Some(from)) = (&object, from) {
        sink.read(Target::SObject(object.clone().into()), from);
    }
    for part in named_children(body) {
        if from.is_some_and(|from| from.id() == part.id()) {
            continue;
        }
        soql_part(sink, part, object.as_deref());
    }
    object
}

/// Records a SOSL query's `RETURNING` objects and their fields.
fn sosl<'n>(sink: &mut impl QuerySink<'n>, body: Node<'n>) {
    for part in named_children(body) {
        if kind_name(part) != "returning_clause" {
            soql_part(sink, part, None);
            continue;
        }
        for ret in named_children(part) {
            let pieces = named_children(ret);
            let Some(object) = pieces.first().map(|o| sink.text(*o).to_string()) else {
                continue;
            };
            sink.read(Target::SObject(object.clone().into()), ret);
            for piece in pieces.iter().skip(1) {
                soql_part(sink, *piece, Some(&object));
            }
        }
    }
}

/// One clause or expression of a query on `object`: fields, subqueries, binds.
fn soql_part<'n>(sink: &mut impl QuerySink<'n>, node: Node<'n>, object: Option<&str>) {
    if *sink.depth() >= MAX_DEPTH {
        return;
    }
    *sink.depth() += 1;
    match kind_name(node) {
        "field_identifier" => {
            if let Some(object) = object {
                let field = normalize_type(sink.text(node));
                sink.read(field_of(object, field), node);
            }
        }
        "subquery" => {
            // In the selected fields, a subquery reads a child relationship of the
            // query's object; elsewhere (`WHERE Id IN (SELECT …)`) an object of its own.
            let selected = node
                .parent()
                .is_some_and(|parent| kind_name(parent) == "select_clause");
            let parent = object.filter(|_| selected);
            for inner in named_children(node) {
                match kind_name(inner) {
                    "soql_query_body" => {
                        soql(sink, inner, parent);
                    }
                    "sosl_query_body" => sosl(sink, inner),
                    _ => {}
                }
            }
        }
        "bound_apex_expression" => sink.bind(node),
        "string_literal" => sink.literal(node),
        "alias_expression" => {
            if let Some(value) = first_named(node) {
                soql_part(sink, value, object);
            }
        }
        "type_of_clause" => {
            // `TYPEOF What WHEN … END`: only the polymorphic field is ours to record.
            if let (Some(object), Some(field)) = (object, first_named(node)) {
                let name = normalize_type(sink.text(field));
                sink.read(field_of(object, name), field);
            }
        }
        // Function names, aliases, keywords.
        "identifier" | "line_comment" | "block_comment" => {}
        _ => {
            let parts = sink.kids(node);
            for &part in &parts {
                soql_part(sink, part, object);
            }
            sink.recycle(parts);
        }
    }
    *sink.depth() -= 1;
}

fn field_of(object: &str, field: String) -> Target<'static> {
    Target::Field {
        object: object.to_string().into(),
        field: field.into(),
    }
}
