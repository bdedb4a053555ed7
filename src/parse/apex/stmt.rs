//! Statements and the simpler expressions of the Apex walk: declarations of locals,
//! loops, catch clauses and `switch` type patterns (which bring variables into scope),
//! operators, casts and conditionals.
//!
//! Each function handles one node kind for [`Walker::walk`] and returns what is known
//! of the value. Chains that nest deeply in real code (`a + b + …`, `else if …`) are
//! walked in loops so they do not deepen the recursion.

use super::dynamic::Assignment;
use super::text::{child, fields, first_named, kind_name, kind_of, unwrapped, Kind};
use super::walk::{Recv, Walker};
use crate::apex_type::element_type;
use crate::facts::{EdgeKind, TypeExpr};
use tree_sitter::Node;

impl<'t> Walker<'t> {
    /// A formal parameter (method or catch): its type is a reference, its name a
    /// variable.
    pub(super) fn parameter(&mut self, parameter: Node<'t>) -> Recv<'t> {
        let f = fields();
        if let Some(type_node) = child(parameter, f.type_) {
            self.emit_type(type_node, EdgeKind::References, 0);
            if let Some(name) = child(parameter, f.name) {
                let name = self.text(name);
                self.vars.push((name, type_node));
            }
        }
        Recv::Unknown
    }

    pub(super) fn local_declaration(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let type_node = child(node, f.type_);
        if let Some(type_node) = type_node {
            self.emit_type(type_node, EdgeKind::References, 0);
        }
        let declarators = self.kids(node);
        for &declarator in &declarators {
            if kind_of(declarator) != Kind::VariableDeclarator {
                continue;
            }
            let name = child(declarator, f.name).map(|name| self.text(name));
            let value = child(declarator, f.value);
            let walked = value.map(|value| self.walk(value));
            if let (Some(name), Some(value)) = (name, value) {
                self.assign_string(name, Assignment::Set, value);
            }
            if let (Some(type_node), Some(value)) = (type_node, value) {
                self.note_access_decision(type_node, value);
            }
            if let (Some(type_node), Some(value), Some(walked)) = (type_node, value, &walked) {
                self.note_described(type_node, value, walked);
            }
            if let (Some(name), Some(type_node)) = (name, type_node) {
                self.vars.push((name, type_node));
                self.track_record_list(type_node, value.zip(walked.as_ref()));
            }
        }
        self.recycle(declarators);
        Recv::Unknown
    }

    /// `for (T x : values) body`: `x` is in scope in the body only.
    pub(super) fn enhanced_for(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        self.push_scope();
        let value = child(node, f.value);
        if let Some(value) = value {
            self.walk(value);
        }
        let over = self.loop_over(value);
        if let Some(type_node) = child(node, f.type_) {
            self.emit_type(type_node, EdgeKind::References, 0);
            if let Some(name) = child(node, f.name) {
                let name = self.text(name);
                self.vars.push((name, type_node));
                if let Some(list) = over {
                    self.loop_elements.push((type_node, list));
                }
            }
        }
        if let Some(body) = child(node, f.body) {
            self.walk(body);
        }
        self.pop_scope();
        Recv::Unknown
    }

    pub(super) fn catch_clause(&mut self, node: Node<'t>) -> Recv<'t> {
        self.push_scope();
        if let Some(parameter) = self.find_kind(node, "formal_parameter") {
            self.parameter(parameter);
        }
        if let Some(body) = child(node, fields().body) {
            self.walk(body);
        }
        self.pop_scope();
        Recv::Unknown
    }

    /// `when Account a` in a `switch on`: a typed variable for the rule's block (the
    /// enclosing `switch_rule` holds the scope).
    pub(super) fn when_sobject_type(&mut self, node: Node<'t>) -> Recv<'t> {
        let parts = self.kids(node);
        if let (Some(&type_node), Some(&name)) = (parts.first(), parts.get(1)) {
            self.emit_type(type_node, EdgeKind::References, 0);
            let name = self.text(name);
            self.vars.push((name, type_node));
        }
        self.recycle(parts);
        Recv::Unknown
    }

    /// Walks only the child in field `id` (an annotation's arguments, a key-value's or
    /// declarator's value), not the names beside it.
    pub(super) fn field_value(&mut self, node: Node<'t>, id: u16) -> Recv<'t> {
        if let Some(value) = child(node, id) {
            self.walk(value);
        }
        Recv::Unknown
    }

    /// `a + b + c + …` nests to the left: walk the operands in a loop, not by recursion.
    /// A string it builds may be a query ([`Walker::dynamic_query`]). An operand of `&&`
    /// or `||` that a test never evaluates is not walked: what follows
    /// `!Test.isRunningTest() &&` (or `Test.isRunningTest() ||`) runs outside tests only
    /// (a handler's `return … || (!Test.isRunningTest() && !settings.Enabled__c)` made a
    /// setting's default reach 196 tests that never read it).
    pub(super) fn binary(&mut self, node: Node<'t>) -> Recv<'t> {
        let (operands, concatenation) = self.operands(node);
        if concatenation {
            self.dynamic_query(&operands);
        }
        // What the chain so far is whenever a test runs, if `Test.isRunningTest()`
        // decides it.
        let mut in_tests = None;
        // The operators between the operands, each read once, and only where a test may
        // decide the chain (none: the chain is read as before).
        let src = self.src;
        let operators: Vec<Option<&'t str>> = match !concatenation && self.may_ask_running_test {
            true => operands
                .windows(2)
                .map(|pair| {
                    src.get(pair[0].end_byte()..pair[1].start_byte())
                        .map(str::trim)
                })
                .collect(),
            false => Vec::new(),
        };
        for (index, &operand) in operands.iter().enumerate() {
            let operator = index
                .checked_sub(1)
                .and_then(|before| operators.get(before).copied().flatten());
            let next_operator = operators.get(index).copied().flatten();
            let logical = matches!(operator, Some("&&" | "||"));
            let evaluated = !matches!(
                (operator, in_tests),
                (Some("&&"), Some(false)) | (Some("||"), Some(true))
            );
            // A literal of a concatenation was read as part of the whole string.
            if concatenation && kind_of(operand) == Kind::StringLiteral {
                self.string_literal(operand);
            } else if evaluated {
                // An operator only reads a list (`changed != null`).
                let value = self.walk(operand);
                self.record_list_value(&value);
            }
            let next_is_logical = matches!(next_operator, Some("&&" | "||"));
            in_tests = match operator {
                _ if !evaluated => in_tests,
                None if next_is_logical => self.value_in_tests(operand, 1),
                Some(operator) if logical => {
                    let value = self.value_in_tests(operand, 1);
                    match (operator, in_tests, value) {
                        ("&&", _, Some(false)) | ("||", _, Some(true)) => value,
                        (_, Some(before), Some(after)) if before == after => value,
                        _ => None,
                    }
                }
                _ => None,
            };
        }
        Recv::Unknown
    }

    /// The operands of a chain of binary operators that nests to the left (`a + b - c`),
    /// left to right, and whether every operator is `+`. The operator is read from the
    /// text between its operands: asking the tree for it cost as much as the rest.
    pub(super) fn operands(&self, node: Node<'t>) -> (Vec<Node<'t>>, bool) {
        let f = fields();
        let mut rights = Vec::new();
        let mut concatenation = true;
        let mut current = Some(node);
        while let Some(binary) = current.filter(|n| kind_of(*n) == Kind::Binary) {
            let left = child(binary, f.left);
            let right = child(binary, f.right);
            let operator = match (left, right) {
                (Some(left), Some(right)) => self.src.get(left.end_byte()..right.start_byte()),
                _ => None,
            };
            concatenation &= operator.is_some_and(|operator| operator.trim() == "+");
            rights.extend(right);
            current = left;
        }
        let mut operands: Vec<Node<'t>> = current.into_iter().collect();
        operands.extend(rights.into_iter().rev());
        (operands, concatenation)
    }

    /// `if … else if … else if …` nests to the right: walk the chain in a loop. A branch
    /// that never runs in a test is not walked (`if (!Test.isRunningTest())`, and what
    /// follows `if (Test.isRunningTest()) { … } else`): no test runs what it calls, so a
    /// change to that reaches no test through it (charterschoolcapital's
    /// `OpportunityAfterTrigger` creates forms only outside tests: a change to what the
    /// forms' trigger runs reached 144 tests through it).
    pub(super) fn if_chain(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let mut current = Some(node);
        while let Some(statement) = current.take() {
            let condition = child(statement, f.condition);
            if let Some(condition) = condition {
                self.walk(condition);
            }
            let in_tests = condition.and_then(|condition| self.value_in_tests(condition, 0));
            if let Some(consequence) = child(statement, f.consequence) {
                if in_tests != Some(false) {
                    self.walk(consequence);
                }
            }
            if in_tests == Some(true) {
                break;
            }
            match child(statement, f.alternative) {
                Some(alternative) if kind_of(alternative) == Kind::If => {
                    current = Some(alternative)
                }
                Some(alternative) => {
                    self.walk(alternative);
                }
                None => {}
            }
        }
        Recv::Unknown
    }

    /// What a condition is whenever a test runs, when `Test.isRunningTest()` decides it:
    /// `Test.isRunningTest()` (or `System.Test.…`) is true, `!` of one false, and `&&`
    /// with a false operand false, `||` with a true one true; `None` otherwise, and past
    /// a few levels of operators (`depth`: hostile input nests without end).
    pub(super) fn value_in_tests(&self, condition: Node<'t>, depth: u8) -> Option<bool> {
        const DEEPEST: u8 = 6;
        if depth > DEEPEST || !self.may_ask_running_test {
            return None;
        }
        let condition = unwrapped(condition);
        if kind_of(condition) == Kind::MethodInvocation {
            return self.is_running_test(condition).then_some(true);
        }
        match kind_name(condition) {
            "unary_expression" => {
                let operand = first_named(condition)?;
                let operator = self.src.get(condition.start_byte()..operand.start_byte())?;
                if operator.trim() != "!" {
                    return None;
                }
                self.value_in_tests(operand, depth + 1).map(|value| !value)
            }
            "binary_expression" => {
                let f = fields();
                let (left, right) = (child(condition, f.left)?, child(condition, f.right)?);
                let operator = self.src.get(left.end_byte()..right.start_byte())?.trim();
                let (left, right) = (
                    self.value_in_tests(left, depth + 1),
                    self.value_in_tests(right, depth + 1),
                );
                match operator {
                    "&&" if left == Some(false) || right == Some(false) => Some(false),
                    "||" if left == Some(true) || right == Some(true) => Some(true),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether `call` is `Test.isRunningTest()` (or `System.Test.isRunningTest()`, unless
    /// `Test` is a variable).
    fn is_running_test(&self, call: Node<'t>) -> bool {
        let f = fields();
        child(call, f.name)
            .is_some_and(|name| self.text(name).eq_ignore_ascii_case("isrunningtest"))
            && child(call, f.arguments).is_some_and(|arguments| first_named(arguments).is_none())
            && child(call, f.object).is_some_and(|object| self.is_system_class(object, "test"))
    }

    /// `(T) value`: a value of type `T`.
    pub(super) fn cast(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let type_node = child(node, f.type_);
        if let Some(type_node) = type_node {
            self.emit_type(type_node, EdgeKind::References, 0);
        }
        if let Some(value) = child(node, f.value) {
            self.walk(value);
        }
        type_node.map_or(Recv::Unknown, Recv::Typed)
    }

    pub(super) fn instance_of(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        if let Some(left) = child(node, f.left) {
            self.walk(left);
        }
        if let Some(right) = child(node, f.right) {
            self.emit_type(right, EdgeKind::References, 0);
        }
        Recv::Unknown
    }

    /// `List<X>.class` (a plain `X.class` parses as a field access).
    pub(super) fn class_literal(&mut self, node: Node<'t>) -> Recv<'t> {
        if let Some(type_node) = self.first_named(node) {
            self.emit_type(type_node, EdgeKind::References, 0);
        }
        Recv::Value(TypeExpr::Named("System.Type".into()))
    }

    /// `list[i]`: an element of the list's type, when the file tells it; else what the
    /// list's `get` returns, which the graph tells from the list's declared type (a field
    /// of another class: `person.addresses[0].city`).
    pub(super) fn array_access(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let array = child(node, f.array).map(|a| self.walk(a));
        if let Some(array) = &array {
            // Reading an element leaves a record list as it is (`rows[0].Id`); setting
            // one puts a record in (`assignment`).
            self.record_list_value(array);
        }
        if let Some(index) = child(node, f.index) {
            self.walk(index);
        }
        let Some(array) = array else {
            return Recv::Unknown;
        };
        match self.concrete_name(&array) {
            Some(name) if element_type(&name) != name.trim() => {
                Recv::Value(TypeExpr::Named(element_type(&name).to_string().into()))
            }
            Some(_) => Recv::Unknown,
            None => match array {
                Recv::Value(list) => Recv::Value(TypeExpr::ReturnOf(Box::new(list), "get".into())),
                _ => Recv::Unknown,
            },
        }
    }

    /// `condition ? a : b`; the side a test never evaluates (`Test.isRunningTest() ? a :
    /// b`) is not walked.
    pub(super) fn ternary(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let condition = child(node, f.condition);
        if let Some(condition) = condition {
            self.walk(condition);
        }
        let in_tests = condition.and_then(|condition| self.value_in_tests(condition, 0));
        let value = child(node, f.consequence)
            .filter(|_| in_tests != Some(false))
            .map(|c| self.walk(c));
        if let Some(alternative) = child(node, f.alternative).filter(|_| in_tests != Some(true)) {
            self.walk(alternative);
        }
        value.unwrap_or(Recv::Unknown)
    }

    /// Whether a test that reaches `statement`, an `if`, leaves its block there:
    /// `if (Test.isRunningTest()) return;` (or `throw`, `break`, `continue`, alone or
    /// last in a block), with no `else`. No test runs what follows it in the block
    /// (MatrixOrderSyncTriggerHandler's dispatch returns so in tests: what it calls after
    /// reached 6 tests).
    pub(super) fn leaves_block_in_tests(&self, statement: Node<'t>) -> bool {
        let f = fields();
        let jumps = |node: Node<'t>| {
            matches!(
                kind_name(node),
                "return_statement" | "throw_statement" | "break_statement" | "continue_statement"
            )
        };
        if !self.may_ask_running_test {
            return false;
        }
        let Some(consequence) = child(statement, f.consequence) else {
            return false;
        };
        let leaves = jumps(consequence)
            || (kind_of(consequence) == Kind::ScopedBlock && {
                let mut last = None;
                self.scan(consequence, |statement| {
                    last = Some(statement);
                    true
                });
                last.is_some_and(jumps)
            });
        leaves
            && child(statement, f.alternative).is_none()
            && child(statement, f.condition).and_then(|condition| self.value_in_tests(condition, 0))
                == Some(true)
    }

    /// `left = right`: a field access on the left is a write; a variable's string may be
    /// a query built statement by statement ([`Walker::assign_string`]).
    pub(super) fn assignment(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let left = child(node, f.left);
        if let Some(left) = left {
            if kind_of(left) == Kind::FieldAccess {
                self.field_access(left, true);
            } else {
                self.walk(left);
            }
        }
        let Some(right) = child(node, f.right) else {
            return Recv::Unknown;
        };
        let value = self.walk(right);
        // `rows[0] = record` puts a record in a list.
        let array = left
            .filter(|left| kind_of(*left) == Kind::ArrayAccess)
            .and_then(|left| child(left, f.array))
            .and_then(|array| self.record_list_receiver(array));
        if let Some(declared) = array {
            self.record_list_call(declared, "set", Some(&value));
        }
        if let Some(variable) = left.filter(|left| kind_of(*left) == Kind::Identifier) {
            self.reassigned(variable);
            let operator = self.src.get(variable.end_byte()..right.start_byte());
            let how = Assignment::of_operator(operator.unwrap_or("").trim());
            self.assign_string(self.text(variable), how, right);
        }
        value
    }
}
