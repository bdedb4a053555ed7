//! Collections of untyped records a member builds and saves: `List<SObject> changed = new
//! List<SObject>(); changed.add(account); update changed;`, a `Map<Id, SObject>` filled
//! with `put` and saved through `values()`. DML on such a list writes the objects of the
//! records put in it, where a list of `SObject` would otherwise write every object with
//! automation (a trigger framework's or a large org's every save).
//!
//! The list is followed within the member only, and only while the walk sees everything
//! that can change it: every record put in has a type this file tells, and the variable
//! appears nowhere but in calls that put records in or read it, in a loop over it, in an
//! operator (`rows != null`), in an element read or set (`rows[0].Id`, `rows[0] = r`),
//! in a system method's arguments (`System.debug(rows)`) and in DML. Anything else (the
//! list assigned, returned, handed to an instance method, a record of unknown type put
//! in) leaves the DML writing every object, as before. A list handed to a static call
//! passes its objects to it and its own DML writes every object ([`super::wrappers`]).
//! Writes are decided at the member's end, so a record put in after the DML in the text
//! (in a loop) counts.
//!
//! A static method's records parameters are followed the same way, for the method may
//! save them for its callers ([`super::wrappers`]); so is a local list of a parameter's
//! records (filled by a loop over it, or initialized with a record parameter).

use super::text::{is_comment, kind_name};
use super::walk::{Recv, Walker};
use super::wrappers::{Handed, WalkedParameter};
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
    /// A parameter of a static method, by position: its caller's records, which the
    /// method may save for its callers ([`super::wrappers`]).
    parameter: Option<u32>,
    /// One record (an `SObject` parameter), not a collection: its methods (`put`,
    /// `get`) set and read fields.
    single: bool,
    /// The static calls it is handed to ([`super::wrappers`]).
    handed: Vec<Handed<'t>>,
    /// Records of followed parameters put in, by a loop over one (`for (SObject r :
    /// records) { changed.add(r); }`) or in an initializer (`new List<SObject>{ record
    /// }`): the parameter's position and the declared type node of the loop variable
    /// (or of the parameter). The list holds those callers' records.
    sources: Vec<(u32, Node<'t>)>,
}

impl<'t> RecordList<'t> {
    fn new(declared: Node<'t>) -> RecordList<'t> {
        RecordList {
            declared,
            objects: Vec::new(),
            open: false,
            seen: 0,
            accounted: 0,
            writes: Vec::new(),
            parameter: None,
            single: false,
            handed: Vec::new(),
            sources: Vec::new(),
        }
    }
}

/// What a declared type of untyped records holds ([`Walker::untyped_records`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Records {
    One,
    Collection,
}

/// What a list of a parameter's records did with them ([`Walker::finish_record_lists`]).
enum Carried {
    /// Saved them, with these events.
    Saved(DmlEvents),
    /// Handed them to a static call.
    Handed(crate::facts::Handoff),
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
        if self.untyped_records(type_node) != Some(Records::Collection) {
            return;
        }
        let mut list = RecordList::new(type_node);
        match value {
            None => {}
            Some((node, Recv::Elements { elements, .. })) => {
                let values = self.initializer_values(node);
                for (index, element) in elements.iter().enumerate() {
                    // A followed record parameter: its caller's record.
                    let source = values
                        .get(index)
                        .and_then(|&value| self.record_parameter(value));
                    if let Some(source) = source {
                        list.sources.push(source);
                        continue;
                    }
                    let object = self.dml_object(Some(&Recv::Value(element.clone())));
                    put_object(&mut list, object);
                }
            }
            Some((node, _)) => list.open = !self.is_empty_creation(node),
        }
        self.record_lists.push(list);
    }

    /// The values of the initializer in `node` (`new List<SObject>{ a, b }`).
    fn initializer_values(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let mut values = Vec::new();
        self.scan(node, |part| {
            if kind_name(part) == "array_initializer" {
                self.scan(part, |value| {
                    if !is_comment(value) {
                        values.push(value);
                    }
                    true
                });
            }
            true
        });
        values
    }

    /// `value`, when it names a followed parameter that is one record (`SObject
    /// record`): its position and declared type node, the occurrence accounted for.
    fn record_parameter(&mut self, value: Node<'t>) -> Option<(u32, Node<'t>)> {
        let declared = self.record_list_receiver(value)?;
        let index = self.record_list(declared)?;
        let list = &self.record_lists[index];
        let position = list.parameter.filter(|_| list.single)?;
        self.account(declared);
        Some((position, declared))
    }

    /// What a declared type holds, when it is records of any object: one (`SObject`) or
    /// a collection (`List<SObject>`, `SObject[]`, `Map<Id, SObject>`).
    fn untyped_records(&self, type_node: Node<'t>) -> Option<Records> {
        // Most types are not: a look at the text before normalizing it.
        let raw = self.text(type_node).as_bytes();
        if !raw
            .windows(7)
            .any(|word| word.eq_ignore_ascii_case(b"sobject"))
        {
            return None;
        }
        let declared = self.type_text(type_node);
        let element = element_type(&declared);
        if !strip_schema(element).eq_ignore_ascii_case("sobject") {
            return None;
        }
        // `element_type` gives a name that is no collection back whole.
        Some(if element.len() == declared.len() {
            Records::One
        } else {
            Records::Collection
        })
    }

    /// The parameters of a static method (`parameters`, formal parameter nodes) that
    /// hold records of any object (`SObject`, `List<SObject>`): followed, for the
    /// method may save them for its callers ([`super::wrappers`]).
    pub(super) fn track_parameters(&mut self, parameters: &[Node<'t>]) {
        let f = super::text::fields();
        for (position, &parameter) in parameters.iter().enumerate() {
            let Some(type_node) = super::text::child(parameter, f.type_) else {
                continue;
            };
            let Some(records) = self.untyped_records(type_node) else {
                continue;
            };
            let mut list = RecordList::new(type_node);
            list.parameter = u32::try_from(position).ok();
            list.single = records == Records::One;
            self.record_lists.push(list);
        }
    }

    /// An argument of a static call that is a followed record list or parameter
    /// (`records`), or a list of a followed record (`new List<SObject>{ record }`): its
    /// position, the occurrence accounted for.
    pub(super) fn handed_list(&mut self, argument: Node<'t>) -> Option<usize> {
        if self.record_lists.is_empty() {
            return None;
        }
        let mut name = Some(argument);
        let mut wrapped = false;
        if kind_name(argument) != "identifier" {
            wrapped = true;
            name = match self.initializer_values(argument)[..] {
                [value] => Some(value),
                _ => None,
            };
        }
        let declared = self.record_list_receiver(name?)?;
        let index = self.record_list(declared)?;
        let list = &mut self.record_lists[index];
        // Only a record is wrapped in a list of its own.
        if wrapped && !list.single {
            return None;
        }
        list.accounted += 1;
        Some(index)
    }

    /// Keeps a static call the followed list at `list` is handed to.
    pub(super) fn hand(&mut self, list: usize, handed: Handed<'t>) {
        self.record_lists[list].handed.push(handed);
    }

    /// A system method's call given a followed list (`System.debug(records)`,
    /// `JSON.serialize(records)`): no system method puts records in a list it is given.
    pub(super) fn read_by_system(&mut self, argument: Node<'t>) {
        if let Some(declared) = self.record_list_receiver(argument) {
            self.account(declared);
        }
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

    /// `return records;`: the caller gets the records back, after whatever this method
    /// did with them; what it does then is its own DML (a test data factory's
    /// `createRecord(SObject record)` inserts the record and returns it: it saves what
    /// each caller passes, not every object). The occurrence is accounted for.
    pub(super) fn return_statement(&mut self, node: Node<'t>) -> Recv<'t> {
        let children = self.kids(node);
        for &child in &children {
            let value = self.walk(child);
            self.record_list_value(&value);
        }
        self.recycle(children);
        Recv::Unknown
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
        if self.record_lists[index].single {
            // A record's own methods set and read its fields.
            return None;
        }
        match list_method(name) {
            Some(ListMethod::Put) => {
                if let Some(source) = self.parameter_element(last) {
                    let list = &mut self.record_lists[index];
                    if !list.sources.contains(&source) {
                        list.sources.push(source);
                    }
                    return None;
                }
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

    /// `for (SObject record : list)`: reading the list leaves it as it is. The list's
    /// declared type node, when it is followed.
    pub(super) fn loop_over(&mut self, value: Option<Node<'t>>) -> Option<Node<'t>> {
        let declared = value.and_then(|value| self.record_list_receiver(value))?;
        self.account(declared);
        Some(declared)
    }

    /// A variable assigned: a loop variable that was is no longer only the loop's
    /// records ([`Walker::loop_elements`]).
    pub(super) fn reassigned(&mut self, variable: Node<'t>) {
        if self.loop_elements.is_empty() {
            return;
        }
        if let Some(type_node) = self.lookup_var(self.text(variable)) {
            self.reassigned_loops.push(type_node);
        }
    }

    /// A value put in a list that is an element of a followed parameter, by a loop over
    /// it: the parameter's position and the loop variable's type node.
    fn parameter_element(&self, value: Option<&Recv<'t>>) -> Option<(u32, Node<'t>)> {
        let Some(Recv::Typed(type_node)) = value else {
            return None;
        };
        let &(_, list) = self
            .loop_elements
            .iter()
            .find(|(variable, _)| variable.id() == type_node.id())?;
        let position = self.record_lists[self.record_list(list)?].parameter?;
        Some((position, *type_node))
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
    /// or every object when the walk could not follow the list. A list handed to a
    /// static call passes those objects to it ([`super::wrappers`]), and its own DML
    /// writes every object (the method called may put other records in). A followed
    /// parameter's DML and hand-offs are the graph's to decide, and so are those of a
    /// list that holds a parameter's records.
    pub(super) fn finish_record_lists(&mut self) {
        let lists = std::mem::take(&mut self.record_lists);
        let reassigned = std::mem::take(&mut self.reassigned_loops);
        self.loop_elements.clear();
        let (parameters, locals): (Vec<_>, Vec<_>) =
            lists.into_iter().partition(|list| list.parameter.is_some());
        // What lists of their records do, by parameter position: DML and hand-offs.
        let mut carried: Vec<(u32, Carried)> = Vec::new();
        for list in locals {
            let reassigned = list
                .sources
                .iter()
                .any(|(_, variable)| reassigned.iter().any(|node| node.id() == variable.id()));
            let followed = !list.open && list.seen <= list.accounted && !reassigned;
            let mut objects = list.objects;
            let mut sources: Vec<u32> =
                list.sources.iter().map(|(position, _)| *position).collect();
            if !followed || (objects.is_empty() && sources.is_empty()) {
                objects = vec!["*".to_string()];
                sources.clear();
            }
            for handed in &list.handed {
                for object in &objects {
                    self.emit(handed.through(object, None), EdgeKind::Writes, handed.at);
                }
                for &position in &sources {
                    let own = self.own_parameter(position);
                    self.emit(handed.through("*", Some(own)), EdgeKind::Writes, handed.at);
                    carried.push((position, Carried::Handed(handed.handoff())));
                }
            }
            if !list.handed.is_empty() {
                self.write_objects(&["*".to_string()], &list.writes);
                continue;
            }
            self.write_objects(&objects, &list.writes);
            for &position in &sources {
                let own = self.own_parameter(position);
                for &(events, at) in &list.writes {
                    let write = Target::ParameterDml {
                        parameter: own.clone(),
                        events,
                    };
                    self.emit(write, EdgeKind::Writes, at);
                    carried.push((position, Carried::Saved(events)));
                }
            }
        }
        for list in parameters {
            let followed = !list.open && list.seen <= list.accounted;
            self.finish_parameter(list, followed, &carried);
        }
    }

    /// A parameter of a static method at the member's end: followed (every occurrence
    /// accounted for, no record put in), its DML is the graph's to decide
    /// ([`Target::ParameterDml`]); else every object's, as before. Each hand-off passes
    /// the parameter on ([`Target::DmlThrough`]). `carried` holds what lists of its
    /// records did.
    fn finish_parameter(
        &mut self,
        list: RecordList<'t>,
        followed: bool,
        carried: &[(u32, Carried)],
    ) {
        let Some(position) = list.parameter else {
            return;
        };
        let followed = followed && list.objects.is_empty();
        let own = self.own_parameter(position);
        let mut saves = DmlEvents::NONE;
        for &(events, at) in &list.writes {
            saves = saves.union(events);
            let write = if followed {
                Target::ParameterDml {
                    parameter: own.clone(),
                    events,
                }
            } else {
                Target::Dml {
                    object: "*".into(),
                    events,
                }
            };
            self.emit(write, EdgeKind::Writes, at);
        }
        let mut handoffs = Vec::new();
        for handed in &list.handed {
            self.emit(
                handed.through("*", Some(own.clone())),
                EdgeKind::Writes,
                handed.at,
            );
            handoffs.push(handed.handoff());
        }
        for (_, carried) in carried.iter().filter(|(at, _)| *at == position) {
            match carried {
                Carried::Saved(events) => saves = saves.union(*events),
                Carried::Handed(handoff) => handoffs.push(handoff.clone()),
            }
        }
        self.walked_parameters.push(WalkedParameter {
            method: self.from.clone(),
            position,
            followed,
            saves,
            handed: handoffs,
        });
    }

    /// Each DML of `writes` as a write of each of `objects`.
    fn write_objects(&mut self, objects: &[String], writes: &[(DmlEvents, Node<'t>)]) {
        for &(events, at) in writes {
            for object in objects {
                let write = Target::Dml {
                    object: object.clone().into(),
                    events,
                };
                self.emit(write, EdgeKind::Writes, at);
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
