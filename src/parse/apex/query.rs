//! SOQL and SOSL inside Apex: the objects a query reads (FROM, subqueries, RETURNING)
//! and the fields it names in any clause; bind expressions are walked as Apex.
//!
//! Fields are recorded as written (`Account__r.Name` on the queried object); aliases
//! and `TYPEOF` branches are not resolved.

use super::text::{child, fields, first_named, kind_name, named_children, normalize_type};
use super::walk::{Recv, Walker, MAX_DEPTH};
use crate::facts::{EdgeKind, Target, TypeExpr};
use crate::metadata::sobject::strip_schema;
use tree_sitter::Node;

impl<'t> Walker<'t> {
    /// `[SELECT …]` or `[FIND …]`; a SOQL query is a list of its object.
    pub(super) fn query(&mut self, node: Node<'t>) -> Recv<'t> {
        for body in named_children(node) {
            match kind_name(body) {
                "soql_query_body" => {
                    return match self.soql(body, None) {
                        Some(object) => {
                            Recv::Value(TypeExpr::Named(format!("List<{object}>").into()))
                        }
                        None => Recv::Unknown,
                    };
                }
                "sosl_query_body" => self.sosl(body),
                _ => {}
            }
        }
        Recv::Unknown
    }

    /// Records a SOQL query's object and fields; returns the object. A subquery of a
    /// query on `parent` reads a child relationship of it (`FROM Contacts`): its object
    /// is the relationship's path (`Account.Contacts`), which the graph types.
    pub(super) fn soql(&mut self, body: Node<'t>, parent: Option<&str>) -> Option<String> {
        let from = child(body, fields().from_clause);
        let object = from
            .and_then(first_named)
            .and_then(|storage| match kind_name(storage) {
                "storage_alias" => first_named(storage).map(|s| self.text(s)),
                _ => Some(self.text(storage)),
            });
        let object = object
            .map(|o| strip_schema(o.trim()))
            .filter(|o| !o.is_empty())
            .map(|o| match parent {
                Some(parent) => format!("{parent}.{o}"),
                None => o.to_string(),
            });
        if let (Some(object), Some(from)) = (&object, from) {
            self.emit(
                Target::SObject(object.clone().into()),
                EdgeKind::Reads,
                from,
            );
        }
        for part in named_children(body) {
            if from.is_some_and(|from| from.id() == part.id()) {
                continue;
            }
            self.soql_part(part, object.as_deref());
        }
        object
    }

    /// Records a SOSL query's `RETURNING` objects and their fields.
    pub(super) fn sosl(&mut self, body: Node<'t>) {
        for part in named_children(body) {
            if kind_name(part) != "returning_clause" {
                self.soql_part(part, None);
                continue;
            }
            for ret in named_children(part) {
                let pieces = named_children(ret);
                let Some(object) = pieces.first().map(|o| self.text(*o)) else {
                    continue;
                };
                self.emit(
                    Target::SObject(object.to_string().into()),
                    EdgeKind::Reads,
                    ret,
                );
                for piece in pieces.iter().skip(1) {
                    self.soql_part(*piece, Some(object));
                }
            }
        }
    }

    /// One clause or expression of a query on `object`: fields, subqueries, binds.
    pub(super) fn soql_part(&mut self, node: Node<'t>, object: Option<&str>) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match kind_name(node) {
            "field_identifier" => {
                if let Some(object) = object {
                    let field = normalize_type(self.text(node));
                    self.emit(
                        Target::Field {
                            object: object.to_string().into(),
                            field: field.into(),
                        },
                        EdgeKind::Reads,
                        node,
                    );
                }
            }
            "subquery" => {
                // In the selected fields, a subquery reads a child relationship of the
                // query's object; elsewhere (`WHERE Id IN (SELECT …)`) an object of
                // its own.
                let selected = node
                    .parent()
                    .is_some_and(|parent| kind_name(parent) == "select_clause");
                let parent = object.filter(|_| selected);
                for inner in named_children(node) {
                    match kind_name(inner) {
                        "soql_query_body" => {
                            self.soql(inner, parent);
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
                            object: object.to_string().into(),
                            field: normalize_type(self.text(field)).into(),
                        },
                        EdgeKind::Reads,
                        field,
                    );
                }
            }
            // Function names, aliases, keywords.
            "identifier" | "line_comment" | "block_comment" => {}
            _ => {
                let parts = self.kids(node);
                for &part in &parts {
                    self.soql_part(part, object);
                }
                self.recycle(parts);
            }
        }
        self.depth -= 1;
    }
}
