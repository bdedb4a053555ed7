//! Static DML wrappers: a static method that saves the records its caller passes
//! (`public static void updateRecords(List<SObject> records) { update records; }`, a
//! large org's `DatabaseService`) writes what each caller gives it, not every object.
//!
//! The parser says what it sees and the graph decides, for what a wrapper does with
//! its records may be another class's business (it hands them to a helper that reads
//! their type, or to another wrapper that saves them):
//!
//! - A static method's parameter of type `SObject`, `List<SObject>`, `SObject[]` or
//!   `Map<Id, SObject>` is followed through the method as a local record list is
//!   ([`super::records`]). One that every walk of the method (each overload) followed,
//!   with no record put in, is declared with the events of its DML and the static calls
//!   it is handed to ([`crate::facts::RecordsParameter`]); its DML is a write of every
//!   object unless the graph finds it saved for the callers ([`Target::ParameterDml`]).
//!   An `@InvocableMethod` (which flows call) and instance methods (which a subclass may
//!   override) keep writing every object, as before.
//! - Every call of a static method says what each argument may pass
//!   ([`Target::DmlThrough`]): the object of a typed argument, the objects of a local
//!   record list followed to the call, `*` for records whose type this file cannot tell,
//!   or the calling method's own followed parameter handed on.
//! - The graph settles which parameters are saved, across classes (`graph::parameters`),
//!   and makes each `DmlThrough` to a saved parameter the caller's write.

use super::text::{is_simple_name, kind_name};
use super::walk::{Recv, Walker};
use crate::apex_type::element_type;
use crate::facts::{
    DmlEvents, EdgeKind, Handoff, OwnParameter, Passed, RecordsParameter, Target, TypeExpr,
};
use crate::metadata::component::ComponentId;
use crate::metadata::sobject::strip_schema;
use tree_sitter::Node;

/// A parameter of a static method as one walk of the method (an overload) found it:
/// declared at the file's end ([`Walker::finish_parameters`]).
pub(super) struct WalkedParameter {
    /// The method (overloads share it).
    pub(super) method: ComponentId,
    pub(super) position: u32,
    /// The walk accounted for every occurrence, and nothing was put in.
    pub(super) followed: bool,
    /// The events of the DML on it.
    pub(super) saves: DmlEvents,
    /// The static calls it is handed to.
    pub(super) handed: Vec<Handoff>,
}

/// A static call a followed list or parameter is handed to, as argument `position`.
pub(super) struct Handed<'t> {
    pub(super) receiver: TypeExpr<'static>,
    pub(super) member: String,
    pub(super) arity: u32,
    pub(super) position: u32,
    pub(super) at: Node<'t>,
}

impl Handed<'_> {
    /// The call as a parameter's declaration keeps it: its class as written (a static
    /// call's receiver is a type name; any other leaves the class empty, which the
    /// graph resolves to nothing, so the parameter is not followed).
    pub(super) fn handoff(&self) -> Handoff {
        let class = match &self.receiver {
            TypeExpr::Named(class) => class.to_string(),
            TypeExpr::ReturnOf(..) | TypeExpr::MemberOf(..) => String::new(),
        };
        Handoff {
            class,
            member: self.member.clone(),
            position: self.position,
        }
    }

    /// The call passing records of `object`, or the calling method's own parameter.
    pub(super) fn through(
        &self,
        object: &str,
        handed: Option<OwnParameter<'static>>,
    ) -> Target<'static> {
        Target::DmlThrough(Box::new(Passed {
            receiver: self.receiver.clone(),
            member: self.member.clone().into(),
            arity: self.arity,
            position: self.position,
            object: object.to_string().into(),
            handed,
        }))
    }
}

/// Types no record can be passed as (an argument of one cannot be a parameter of
/// `SObject` type).
fn is_plain_value(name: &str) -> bool {
    [
        "string", "id", "integer", "long", "decimal", "double", "boolean", "date", "datetime",
        "time", "blob", "object",
    ]
    .iter()
    .any(|plain| name.eq_ignore_ascii_case(plain))
}

/// A custom field's name (`Amount__c`).
fn is_custom_field(name: &str) -> bool {
    let name = name.as_bytes();
    name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case(b"__c")
}

/// Expressions whose value is never a record.
fn is_plain_expression(node: Node) -> bool {
    let kind = kind_name(node);
    kind.ends_with("literal")
        || matches!(
            kind,
            "boolean" | "binary_expression" | "unary_expression" | "instanceof_expression"
        )
}

impl<'t> Walker<'t> {
    /// The parameter `position` of the method being walked, as its uses name it.
    pub(super) fn own_parameter(&self, position: u32) -> OwnParameter<'static> {
        OwnParameter {
            method: self.from.last_name().to_string().into(),
            position,
        }
    }

    /// The objects of the records an argument may pass: `*` when they cannot be told;
    /// nothing for a value that is no record (a literal, a number, a class of this
    /// file).
    fn records_passed(&self, value: &Recv<'t>, node: Node<'t>) -> Vec<String> {
        match value {
            Recv::Unknown if is_plain_expression(node) => Vec::new(),
            // A custom field's value (`row.Amount__c`): a custom relationship ends in
            // `__r`, and no Apex name holds `__`.
            Recv::Value(TypeExpr::MemberOf(_, field)) if is_custom_field(field) => Vec::new(),
            Recv::Unknown => vec!["*".to_string()],
            // `new List<SObject>{ account, contact }`: the records' objects.
            Recv::Elements { declared, elements }
                if strip_schema(element_type(declared)).eq_ignore_ascii_case("sobject") =>
            {
                let mut objects: Vec<String> = Vec::new();
                for element in elements {
                    let object = self.dml_object(Some(&Recv::Value(element.clone())));
                    if !objects.contains(&object) {
                        objects.push(object);
                    }
                }
                objects
            }
            Recv::Elements { .. } | Recv::Typed(_) | Recv::Value(_) => {
                let Some(type_name) = self.concrete_name(value) else {
                    return vec!["*".to_string()];
                };
                let element = strip_schema(element_type(&type_name));
                if element.eq_ignore_ascii_case("sobject") {
                    vec!["*".to_string()]
                } else if !is_simple_name(element)
                    || is_plain_value(element)
                    || self.table.resolve_type(element, self.class).is_some()
                {
                    Vec::new()
                } else {
                    vec![element.to_string()]
                }
            }
            Recv::Static(_)
            | Recv::Describe(_)
            | Recv::DescribeFields(_)
            | Recv::DescribeFieldSets(_) => Vec::new(),
        }
    }

    /// A call of a static method of the repository (`receiver.member`, `arity`): what
    /// each argument may pass ([`Target::DmlThrough`]). A followed record list or
    /// parameter handed to it is kept with the list, decided at the member's end.
    pub(super) fn pass_records(
        &mut self,
        receiver: &TypeExpr<'static>,
        member: &str,
        arity: u32,
        arguments: &[(Node<'t>, Recv<'t>)],
        at: Node<'t>,
    ) {
        for (position, (node, value)) in arguments.iter().enumerate() {
            let handed = || Handed {
                receiver: receiver.clone(),
                member: member.to_string(),
                arity,
                position: u32::try_from(position).unwrap_or(u32::MAX),
                at,
            };
            if let Some(list) = self.handed_list(*node) {
                self.hand(list, handed());
                continue;
            }
            let objects = self.records_passed(value, *node);
            if !objects.is_empty() {
                let handed = handed();
                for object in objects {
                    self.emit(handed.through(&object, None), EdgeKind::Writes, at);
                }
            }
        }
    }

    /// At the file's end: each static method's followed parameters, declared once for
    /// all its overloads (a parameter is followed when every walk of it was).
    pub(super) fn finish_parameters(&mut self) {
        let mut walked = std::mem::take(&mut self.walked_parameters);
        if walked.is_empty() {
            return;
        }
        walked.sort_by(|a, b| (a.method.key(), a.position).cmp(&(b.method.key(), b.position)));
        let mut walked = walked.into_iter().peekable();
        while let Some(first) = walked.next() {
            let mut followed = first.followed;
            let mut saves = first.saves;
            let mut handed = first.handed;
            while let Some(next) = walked.next_if(|next| {
                next.method.key() == first.method.key() && next.position == first.position
            }) {
                followed &= next.followed;
                saves = saves.union(next.saves);
                for handoff in next.handed {
                    if !handed.contains(&handoff) {
                        handed.push(handoff);
                    }
                }
            }
            if followed {
                let parameter = RecordsParameter {
                    position: first.position,
                    saves,
                    handed,
                };
                self.decls.declare_parameter(&first.method, parameter);
            }
        }
    }
}
