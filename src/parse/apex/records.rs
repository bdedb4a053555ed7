//! Collections of untyped records a member builds and saves: `List<SObject> changed = new
//! List<SObject>(); changed.add(account); update changed;`, a `Map<Id, SObject>` filled
//! with `put` and saved through `values()`. DML on such a list writes the objects of the
//! records put in it, where a list of `SObject` would otherwise write every object with
//! automation (a trigger framework's or a large org's every save).
//!
//! The list is followed within the member only, and only while the walk sees everything
//! that can change it: every record put in has a type this file tells, and the variable
//! appears nowhere but in calls that put records in or read it, in a loop over it, in an
//! operator (`rows != null`), in an element read or set (`rows[0].Id`, `rows[0] = r`)
//! and in DML. Anything else (the list handed to a call, assigned, returned, a record of
//! unknown type put in) leaves the DML writing every object, as before. Writes are
//! decided at the member's end, so a record put in after the DML in the text (in a loop)
//! counts.

use super::text::{is_comment, kind_name};
use super::walk::{Recv, Walker};
use crate::apex_type::element_type;
use crate::facts::{DmlEvents, EdgeKind, Target};
use crate::metadata::sobject::strip_schema;
use tree_sitter::Node;

/// A local collection of untyped records of the member being walked.
pub(super) struct RecordList<'t> {
    /// The declaration's type node: the variable's identity (a later declaration of
    /// the same name is another list).
    declared: Node<'t>,
    /// The objects of the records put in, each once.
    objects: Vec<String>,
    /// A record of unknown object went in, or the list was given a value the walk
    /// cannot follow.
    open: bool,
    /// Occurrences of the variable the walk met, and those it accounted for (DML on
    /// the list, a loop over it, an operand, an element): any other occurrence may
    /// change the list.
    seen: u32,
    accounted: u32,
    /// DML on the list, its events and where: written at the member's end.
    writes: Vec<(DmlEvents, Node<'t>)>,
}

/// What a method called on a record list does to it.
enum ListMethod {
    /// Puts the records of its last argument in (`add`, `addAll`, `put`, `putAll`,
    /// `set`).
    Put,
    /// Leaves the list as it is.
    Read,
    /// Returns its records (`values()` of a map): DML on the result is DML on the list.
    Values,
}

fn list_method(name: &str) -> Option<ListMethod> {
    const PUT: [&str; 5] = ["add", "addall", "put", "putall", "set"];
    const READ: [&str; 15] = [
        "size",
        "isempty",
        "get",
        "contains",
        "containskey",
        "containsall",
        "keyset",
        "remove",
        "clear",
        "sort",
        "indexof",
        "iterator",
        "equals",
        "hashcode",
        "tostring",
    ];
    let is = |names: &[&str]| names.iter().any(|n| name.eq_ignore_ascii_case(n));
    if is(&PUT) {
        Some(ListMethod::Put)
    } else if is(&READ) {
        Some(ListMethod::Read)
    } else if name.eq_ignore_ascii_case("values") {
        Some(ListMethod::Values)
    } else {
        None
    }
}

impl<'t> Walker<'t> {
    /// A local declared `type_node`, with its initial value (the node, and what the
    /// walk made of it): a collection of untyped records starts being followed.
    pub(super) fn track_record_list(
        &mut self,
        type_node: Node<'t>,
        value: Option<(Node<'t>, &Recv<'t>)>,
    ) {
        // Most locals are not: a look at the text before normalizing it.
        let raw = self.text(type_node).as_bytes();
        if !raw
            .windows(7)
            .any(|word| word.eq_ignore_ascii_case(b"sobject"))
        {
            return;
        }
        let declared = self.type_text(type_node);
        let element = element_type(&declared);
        // `element_type` gives a name that is no collection back whole.
        if element.len() == declared.len() || !strip_schema(element).eq_ignore_ascii_case("sobject")
        {
            return;
        }
        let mut list = RecordList {
            declared: type_node,
            objects: Vec::new(),
            open: false,
            seen: 0,
            accounted: 0,
            writes: Vec::new(),
        };
        match value {
            None => {}
            Some((_, Recv::Elements { elements, .. })) => {
                for element in elements {
                    let object = self.dml_object(Some(&Recv::Value(element.clone())));
                    put_object(&mut list, object);
                }
            }
            Some((node, _)) => list.open = !self.is_empty_creation(node),
        }
        self.record_lists.push(list);
    }

    /// `new List<SObject>()`, `new Map<Id, SObject>()`, `new SObject[n]`, `new
    /// List<SObject>{}`: a collection created with nothing in it.
    fn is_empty_creation(&self, node: Node<'t>) -> bool {
        if !matches!(
            kind_name(node),
            "object_creation_expression" | "array_creation_expression" | "map_creation_expression"
        ) {
            return false;
        }
        let mut empty = true;
        self.scan(node, |part| {
            if matches!(
                kind_name(part),
                "argument_list" | "array_initializer" | "map_initializer"
            ) {
                self.scan(part, |inner| {
                    empty &= is_comment(inner);
                    empty
                });
            }
            empty
        });
        empty
    }

    /// The record list a variable of this declared type is, if one is followed.
    fn record_list(&self, type_node: Node<'t>) -> Option<usize> {
        if self.record_lists.is_empty() {
            return None;
        }
        self.record_lists
            .iter()
            .position(|list| list.declared.id() == type_node.id())
    }

    /// An occurrence of a variable declared `type_node`.
    pub(super) fn saw_variable(&mut self, type_node: Node<'t>) {
        if let Some(list) = self.record_list(type_node) {
            self.record_lists[list].seen += 1;
        }
    }

    /// `receiver`, when it names a followed record list: its declared type node.
    pub(super) fn record_list_receiver(&self, receiver: Node<'t>) -> Option<Node<'t>> {
        if self.record_lists.is_empty() || kind_name(receiver) != "identifier" {
            return None;
        }
        let type_node = self.lookup_var(self.text(receiver))?;
        self.record_list(type_node).map(|_| type_node)
    }

    /// A value that is a followed record list (the variable, or a map's `values()`)
    /// where its use only reads it or decides itself what it does: a call's receiver,
    /// an operand (`rows != null`), an element read (`rows[0]`). The occurrence is
    /// accounted for.
    pub(super) fn record_list_value(&mut self, value: &Recv<'t>) -> Option<Node<'t>> {
        let Recv::Typed(type_node) = value else {
            return None;
        };
        self.account(*type_node).map(|_| *type_node)
    }

    /// An occurrence of the record list declared `type_node` (if one is followed) that
    /// leaves it as it is: its position.
    fn account(&mut self, type_node: Node<'t>) -> Option<usize> {
        let index = self.record_list(type_node)?;
        self.record_lists[index].accounted += 1;
        Some(index)
    }

    /// `list.name(…, last)` on a followed record list (its declared type node); what
    /// the call returns when it is the list's records.
    pub(super) fn record_list_call(
        &mut self,
        declared: Node<'t>,
        name: &str,
        last: Option<&Recv<'t>>,
    ) -> Option<Recv<'t>> {
        let index = self.record_list(declared)?;
        match list_method(name) {
            Some(ListMethod::Put) => {
                let object = self.dml_object(last);
                put_object(&mut self.record_lists[index], object);
                None
            }
            Some(ListMethod::Read) => None,
            Some(ListMethod::Values) => {
                // The records go on as a value: an occurrence to account for.
                self.record_lists[index].seen += 1;
                Some(Recv::Typed(declared))
            }
            None => {
                self.record_lists[index].open = true;
                None
            }
        }
    }

    /// `for (SObject record : list)`: reading the list leaves it as it is.
    pub(super) fn loop_over(&mut self, value: Option<Node<'t>>) {
        if let Some(declared) = value.and_then(|value| self.record_list_receiver(value)) {
            self.account(declared);
        }
    }

    /// DML on `value` with `events` at `at`: kept for the member's end when the value
    /// is a followed record list.
    pub(super) fn defer_record_write(
        &mut self,
        value: Option<&Recv<'t>>,
        events: DmlEvents,
        at: Node<'t>,
    ) -> bool {
        let Some(Recv::Typed(type_node)) = value else {
            return false;
        };
        let Some(index) = self.account(*type_node) else {
            return false;
        };
        self.record_lists[index].writes.push((events, at));
        true
    }

    /// At the member's end: the DML on each record list writes the objects put in it,
    /// or every object when the walk could not follow the list.
    pub(super) fn finish_record_lists(&mut self) {
        let lists = std::mem::take(&mut self.record_lists);
        for list in lists {
            let followed = !list.open && list.seen <= list.accounted && !list.objects.is_empty();
            for (events, at) in list.writes {
                if !followed {
                    let write = Target::Dml {
                        object: "*".into(),
                        events,
                    };
                    self.emit(write, EdgeKind::Writes, at);
                    continue;
                }
                for object in &list.objects {
                    let write = Target::Dml {
                        object: object.clone().into(),
                        events,
                    };
                    self.emit(write, EdgeKind::Writes, at);
                }
            }
        }
    }
}

fn put_object(list: &mut RecordList<'_>, object: String) {
    if object == "*" {
        list.open = true;
    } else if !list
        .objects
        .iter()
        .any(|known| known.eq_ignore_ascii_case(&object))
    {
        list.objects.push(object);
    }
}
