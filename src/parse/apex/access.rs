//! Records that pass through `Security.stripInaccessible`: the decision it returns holds
//! the records it was given, less the fields the user cannot access, so DML on
//! `decision.getRecords()` writes their object, where a `List<SObject>` would write
//! every object with automation (Delivery Hub saves its settings so; MOH-ALR inserts its
//! visits so, from the account trigger). Followed for a decision held in a local
//! variable it initializes (`SObjectAccessDecision decision =
//! Security.stripInaccessible(AccessType.CREATABLE, visits);`) and for the call itself
//! (`Security.stripInaccessible(…).getRecords()`), when the records given are a typed
//! local or a collection built in place (`new List<Visit>{ visit }`).

use super::text::{child, fields, kind_name, kind_of, named_children, unwrapped, Kind};
use super::walk::Walker;
use tree_sitter::Node;

impl<'t> Walker<'t> {
    /// Notes the records a local decision holds, when `value` (the declaration's
    /// initializer, of a variable declared `type_node`) is a `stripInaccessible` call.
    pub(super) fn note_access_decision(&mut self, type_node: Node<'t>, value: Node<'t>) {
        // Asked of every local declaration with a value: the type's text as written is
        // compared, not normalized into a new string.
        let declared = self.text(type_node).trim();
        let is_decision = ["SObjectAccessDecision", "System.SObjectAccessDecision"]
            .iter()
            .any(|name| declared.eq_ignore_ascii_case(name));
        if !is_decision {
            return;
        }
        if let Some(records) = self.stripped_records(value) {
            self.access_decisions.push((type_node, records));
        }
    }

    /// The declared type of the records `decision.getRecords()` returns, for a call of
    /// `name` with `arity` on `receiver` that is one.
    pub(super) fn decision_records(
        &self,
        receiver: Option<Node<'t>>,
        name: &str,
        arity: u32,
    ) -> Option<Node<'t>> {
        if arity != 0 || !name.eq_ignore_ascii_case("getRecords") {
            return None;
        }
        let receiver = unwrapped(receiver?);
        if kind_of(receiver) == Kind::Identifier {
            let variable = self.lookup_var(self.text(receiver))?;
            return self
                .access_decisions
                .iter()
                .find(|(declared, _)| *declared == variable)
                .map(|&(_, records)| records);
        }
        self.stripped_records(receiver)
    }

    /// The type node of the records a `Security.stripInaccessible(access, records…)`
    /// call is given, when the file tells it.
    fn stripped_records(&self, call: Node<'t>) -> Option<Node<'t>> {
        let call = unwrapped(call);
        if kind_of(call) != Kind::MethodInvocation {
            return None;
        }
        let f = fields();
        let named = child(call, f.name)
            .is_some_and(|name| self.text(name).eq_ignore_ascii_case("stripInaccessible"));
        let on_security = child(call, f.object).is_some_and(|object| {
            let object = self.type_text(object);
            ["Security", "System.Security"]
                .iter()
                .any(|class| object.eq_ignore_ascii_case(class))
        });
        if !named || !on_security {
            return None;
        }
        let records = *named_children(child(call, f.arguments)?).get(1)?;
        let records = unwrapped(records);
        match kind_name(records) {
            "identifier" => self.lookup_var(self.text(records)),
            "array_creation_expression" | "object_creation_expression" => child(records, f.type_),
            _ => None,
        }
    }
}
