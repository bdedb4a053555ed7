//! Which static methods save the records their callers pass (DML wrappers, see
//! `parse::apex::wrappers`), settled across the revision.
//!
//! The parser declares each static method's followed records parameters: the events of
//! the method's own DML on one, and the static calls it is handed to
//! ([`RecordsParameter`]). Whether such a parameter stays followed depends on those
//! calls, in any class: it does while each method it is handed to resolves, and
//! follows that parameter in turn (a method that reads the records' type, or another
//! wrapper that saves them); its events are its own DML's and theirs. That is a
//! fixpoint over the revision's few such parameters, settled once the declarations and
//! the class hierarchy are known, before any use is resolved.
//!
//! A resolution that asks ([`Graph::saved_events`], [`Graph::saves_own`]) notes the
//! tokens of every lookup the settling made for what it asked ([`reads`]), so a kept
//! resolution is resolved again when a method down the chain changes.

use super::build::Declared;
use super::reads::{self, Token};
use super::resolve::{Found, Resolved};
use super::{Graph, NodeIx};
use crate::facts::{DmlEvents, FileFacts, OwnParameter, Passed, Target};
use crate::metadata::component::ComponentId;
use crate::metadata::sobject;
use rustc_hash::FxHashMap as HashMap;

/// Each followed parameter of a static method, by method and position, and the names
/// of those methods: a call of a method by any other name passes nothing to save, which
/// a resolution tells without looking the method up (most calls).
#[derive(Debug, Default)]
pub(super) struct Settled {
    parameters: HashMap<(NodeIx, u32), Parameter>,
    /// The methods' names, case-folded.
    names: rustc_hash::FxHashSet<String>,
}

/// A followed parameter as the revision settles it.
#[derive(Debug)]
pub(super) struct Parameter {
    /// Followed still, once every method it is handed to follows it: what a caller
    /// passes there is the caller's to write.
    pub followed: bool,
    /// The events the records are saved with, by the method or those it hands them to
    /// (`NONE`: only read).
    pub events: DmlEvents,
    /// The tokens of the lookups its settling read, and those of the parameters it is
    /// handed to, transitively.
    pub tokens: Vec<Token>,
}

/// A parameter while settling: what it is handed to, resolved.
struct Pending {
    key: (NodeIx, u32),
    followed: bool,
    events: DmlEvents,
    /// The parameters it is handed to (their methods and positions).
    handed: Vec<(NodeIx, u32)>,
    tokens: Vec<Token>,
}

impl Graph {
    /// Settles the followed records parameters the declarations of `files` declare
    /// (`declared`: the node of each declaration, in order).
    pub(super) fn settle_parameters(&mut self, files: &[&FileFacts], declared: &[Declared]) {
        let declarations = files.iter().flat_map(|file| &file.facts.declares);
        let mut pending: Vec<Pending> = Vec::new();
        for (declaration, declared) in declarations.zip(declared) {
            if declaration.records_parameters.is_empty() {
                continue;
            }
            let Some(class) = declared.parent else {
                continue;
            };
            for parameter in &declaration.records_parameters {
                let context = self[class].id.clone();
                let ((followed, handed), tokens) = reads::noting(|| {
                    let mut handed = Vec::new();
                    for handoff in &parameter.handed {
                        let callees =
                            self.handoff_callees(&handoff.class, &handoff.member, &context);
                        if callees.is_empty() {
                            return (false, handed);
                        }
                        handed.extend(callees.into_iter().map(|callee| (callee, handoff.position)));
                    }
                    (true, handed)
                });
                pending.push(Pending {
                    key: (declared.node, parameter.position),
                    followed,
                    events: parameter.saves,
                    handed,
                    tokens,
                });
            }
        }
        if pending.is_empty() {
            return;
        }
        let position: HashMap<(NodeIx, u32), usize> = pending
            .iter()
            .enumerate()
            .map(|(index, parameter)| (parameter.key, index))
            .collect();
        settle(&mut pending, &position);
        let closed = close_tokens(&pending, &position);
        let names = pending
            .iter()
            .map(|parameter| self[parameter.key.0].id.last_name().to_lowercase())
            .collect();
        let parameters = pending
            .into_iter()
            .zip(closed)
            .map(|(parameter, tokens)| {
                let settled = Parameter {
                    followed: parameter.followed,
                    events: parameter.events,
                    tokens,
                };
                (parameter.key, settled)
            })
            .collect();
        self.parameters = Settled { parameters, names };
    }

    /// Whether a method named `member` may save a parameter for its callers: one of
    /// that name declares a followed parameter. When none does, the lookup is noted by
    /// the name alone, which every declaration of a method of that name offers.
    fn may_save_for_callers(&self, member: &str) -> bool {
        let folded = member.to_lowercase();
        if self.parameters.names.contains(&folded) {
            return true;
        }
        reads::note_member_name(&folded);
        false
    }

    /// The methods `Class.member(…)` may call, seen from the class `context`.
    fn handoff_callees(&self, class: &str, member: &str, context: &ComponentId) -> Vec<NodeIx> {
        let Some(class) = self.resolve_class(class, context) else {
            return Vec::new();
        };
        self.resolve_member(class, member, None)
            .into_iter()
            .map(|(node, _)| node)
            .collect()
    }

    /// What a call passing records to a static method writes ([`Target::DmlThrough`]):
    /// the object of the records passed (`*` for a parameter of the calling method that
    /// it does not save for its own callers), with the events the method saves that
    /// parameter with; `None` when it does not save it, or when the calling method saves
    /// the parameter it hands on for its own callers, who write what they pass.
    pub(super) fn records_passed<'t>(
        &self,
        target: &'t Target,
        context: &ComponentId,
    ) -> Option<(&'t str, DmlEvents)> {
        let Target::DmlThrough(passed) = target else {
            return None;
        };
        if let Some(object) = self.passed_outside(passed, context) {
            return Some((object, DmlEvents::ALL));
        }
        let member = &passed.member;
        if !self.may_save_for_callers(member) {
            return None;
        }
        let callees: Vec<NodeIx> = match self.resolve_type_expr(&passed.receiver, context) {
            Resolved::Class(class) => self
                .resolve_member(class, member, Some(passed.arity))
                .into_iter()
                .map(|(node, _)| node)
                .collect(),
            Resolved::External(_) => Vec::new(),
            Resolved::Unknown => self
                .any_member(member, &mut false)
                .into_iter()
                .filter_map(|(found, _)| match found {
                    Found::Node(node) => Some(node),
                    Found::Named(_) => None,
                })
                .collect(),
        };
        let events = callees.iter().fold(DmlEvents::NONE, |events, &callee| {
            events.union(self.saved_events(callee, passed.position))
        });
        if events == DmlEvents::NONE {
            return None;
        }
        let object = match &passed.handed {
            Some(own) if self.saves_own(context, own) => return None,
            Some(_) => "*",
            None => sobject::strip_schema(&passed.object),
        };
        Some((object, events))
    }

    /// The object of records of a known type that a call hands to a class the repository
    /// does not declare: a dependency package's (`dlrs.RollupService.testHandler(new
    /// Case())`, a base package's `UTIL_TestDataFactory.createRecord(new Task__c())`),
    /// which may save them with any event. The parser does not pass records to the
    /// platform's classes ([`Target::DmlThrough`]). Records of a type the file cannot
    /// tell are not taken: as a write of every object they would run every automation
    /// for any such call, which may well save nothing.
    fn passed_outside<'t>(&self, passed: &'t Passed, context: &ComponentId) -> Option<&'t str> {
        if passed.handed.is_some() || passed.object.as_ref() == "*" {
            return None;
        }
        match self.resolve_type_expr(&passed.receiver, context) {
            Resolved::External(_) => Some(sobject::strip_schema(&passed.object)),
            Resolved::Class(_) | Resolved::Unknown => None,
        }
    }

    /// The events `method` saves its parameter `position` with for its callers: `NONE`
    /// when it does not (not followed, or only read).
    pub(super) fn saved_events(&self, method: NodeIx, position: u32) -> DmlEvents {
        match self.parameters.parameters.get(&(method, position)) {
            Some(parameter) => {
                reads::note_tokens(&parameter.tokens);
                if parameter.followed {
                    parameter.events
                } else {
                    DmlEvents::NONE
                }
            }
            None => DmlEvents::NONE,
        }
    }

    /// Whether the method `own` names in the class `context` follows that parameter
    /// for its callers, who then write what they pass.
    pub(super) fn saves_own(&self, context: &ComponentId, own: &OwnParameter) -> bool {
        let Some(method) = self
            .node(context)
            .and_then(|class| self.find_member(class, &own.method))
        else {
            return false;
        };
        self.parameters
            .parameters
            .get(&(method, own.position))
            .is_some_and(|parameter| {
                reads::note_tokens(&parameter.tokens);
                parameter.followed
            })
    }
}

/// The fixpoint: a parameter handed to one that is not followed (or not a followed
/// parameter at all) is not followed; a followed one takes the events of those it is
/// handed to.
fn settle(pending: &mut [Pending], position: &HashMap<(NodeIx, u32), usize>) {
    loop {
        let mut changed = false;
        for index in 0..pending.len() {
            if !pending[index].followed {
                continue;
            }
            let mut events = pending[index].events;
            let mut followed = true;
            for target in &pending[index].handed {
                match position.get(target).map(|&at| &pending[at]) {
                    Some(callee) if callee.followed => events = events.union(callee.events),
                    _ => followed = false,
                }
            }
            let parameter = &mut pending[index];
            if !followed || events != parameter.events {
                parameter.followed = followed;
                parameter.events = events;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Each parameter's tokens with those of every parameter it is handed to,
/// transitively, sorted and without repeats.
fn close_tokens(pending: &[Pending], position: &HashMap<(NodeIx, u32), usize>) -> Vec<Vec<Token>> {
    (0..pending.len())
        .map(|start| {
            let mut seen = vec![false; pending.len()];
            let mut stack = vec![start];
            let mut tokens = Vec::new();
            while let Some(index) = stack.pop() {
                if std::mem::replace(&mut seen[index], true) {
                    continue;
                }
                tokens.extend_from_slice(&pending[index].tokens);
                stack.extend(
                    pending[index]
                        .handed
                        .iter()
                        .filter_map(|target| position.get(target).copied()),
                );
            }
            tokens.sort_unstable();
            tokens.dedup();
            tokens
        })
        .collect()
}
