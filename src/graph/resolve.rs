//! Name resolution: a use's target (a type name, a call on a receiver, a string
//! literal, …) to the nodes it reaches.

use super::names::*;
use super::*;
use crate::apex_type::{method_type, strip_generics, type_names};
use crate::metadata::sobject;

/// How a use reached its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reached {
    /// The target is what the use names.
    Direct,
    /// The target overrides what a call names (class-hierarchy analysis): it runs only
    /// when the receiver is an instance of its class.
    Override,
}

/// The result of resolving a receiver type.
pub(super) enum Resolved {
    /// A class declared in the repository.
    Class(NodeIx),
    /// A type the repository does not declare (a system type, an external package),
    /// with its text, so collection element types can still be followed.
    External(String),
    /// The parser's chain could not be followed (a method without a declared type).
    Unknown,
}

impl Graph {
    /// The class that encloses a node, for resolving names relative to it.
    pub(super) fn context_class(&self, from: &ComponentId) -> ComponentId {
        if from.is_member() {
            if let Some(index) = self.node(from) {
                if let Some(parent) = &self[index].parent {
                    return parent.clone();
                }
            }
        }
        from.clone()
    }

    pub(super) fn resolve_target(
        &mut self,
        target: &Target,
        context: &ComponentId,
    ) -> Vec<(NodeIx, Reached)> {
        let direct = |nodes: Vec<NodeIx>| -> Vec<(NodeIx, Reached)> {
            nodes
                .into_iter()
                .map(|node| (node, Reached::Direct))
                .collect()
        };
        match target {
            Target::ApexType(name) => direct(
                type_names(name)
                    .into_iter()
                    .filter_map(|name| self.resolve_type_reference(&name, context))
                    .collect(),
            ),
            Target::Member {
                receiver,
                member,
                arity,
                on_this: _,
            } => match self.resolve_type_expr(receiver, context) {
                Resolved::Class(class) => self.resolve_member(class, member, *arity),
                // `Config__mdt.getAll()`, `Settings__c.getInstance()`: reading a custom
                // metadata type or custom setting reads its records.
                // `new Config__mdt(…)` builds a record in memory and reads none.
                Resolved::External(type_text)
                    if sobject::has_custom_suffix(&type_text) && member != "<init>" =>
                {
                    let object = sobject::id(sobject::strip_schema(&type_text));
                    direct(vec![self.intern(&object, DeclKind::Component)])
                }
                Resolved::External(_) => Vec::new(),
                Resolved::Unknown => direct(self.any_member(member, *arity)),
            },
            Target::AnyMember { member, arity } => direct(self.any_member(member, *arity)),
            Target::SObject(name) | Target::Dml { object: name, .. } => direct(vec![self.intern(
                &sobject::id(sobject::strip_schema(name)),
                DeclKind::Component,
            )]),
            Target::Field { object, field } => {
                let object = sobject::strip_schema(object);
                let id = ComponentId::new(types::CUSTOM_FIELD, &format!("{object}.{field}"));
                // Only fields of objects: `LoggingLevel.WARN` is an enum value, not a
                // field, and would only clutter the graph.
                let is_object = self.node(&id).is_some()
                    || sobject::has_custom_suffix(object)
                    || self.node(&sobject::id(object)).is_some();
                if is_object && self.resolve_class(object, context).is_none() {
                    direct(vec![self.intern(&id, DeclKind::Component)])
                } else {
                    Vec::new()
                }
            }
            Target::DmlOf { records, .. } => {
                let object = match self.resolve_type_expr(records, context) {
                    Resolved::External(type_text) => self.records_object(&type_text, context),
                    Resolved::Class(_) | Resolved::Unknown => None,
                };
                let object = object.unwrap_or_else(|| "*".to_string());
                direct(vec![self.intern(
                    &sobject::id(sobject::strip_schema(&object)),
                    DeclKind::Component,
                )])
            }
            Target::Label(name) => direct(vec![self.intern(
                &ComponentId::new(types::CUSTOM_LABEL, name),
                DeclKind::Component,
            )]),
            Target::Component(id) => direct(vec![self.intern(id, DeclKind::Component)]),
            Target::StringLiteral(text) => direct(self.resolve_string(text)),
            Target::Registration(values) => {
                // Resolved once every object is a node (triggers add theirs later).
                self.pending_registrations.push(values.clone());
                Vec::new()
            }
        }
    }

    /// The object of records declared as `type_text` (`Account`, `List<Account>`,
    /// `Account[]`); `None` for untyped records (`SObject`) and anything else.
    pub(super) fn records_object(&self, type_text: &str, context: &ComponentId) -> Option<String> {
        let text = type_text.trim();
        let element = match text.strip_suffix("[]") {
            Some(element) => element.trim(),
            None => match (text.find('<'), text.strip_suffix('>')) {
                (Some(open), Some(inner)) => {
                    let base = text[..open].trim().to_ascii_lowercase();
                    let base = base.rsplit('.').next().unwrap_or(&base).to_string();
                    if base != "list" && base != "set" {
                        return None;
                    }
                    inner[open + 1..].trim()
                }
                _ => text,
            },
        };
        let object = sobject::strip_schema(element);
        let is_name = !object.is_empty()
            && object
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
        let untyped = ["sobject", "object", "id", "string"]
            .iter()
            .any(|generic| object.eq_ignore_ascii_case(generic));
        (is_name && !untyped && self.resolve_class(object, context).is_none())
            .then(|| object.to_string())
    }

    /// A type named in code: a class (inner classes of the context first), else an
    /// SObject when it looks like one or the repository declares it.
    pub(super) fn resolve_type_reference(
        &mut self,
        name: &str,
        context: &ComponentId,
    ) -> Option<NodeIx> {
        if let Some(script) = dataweave_script(name) {
            return self.node(&ComponentId::new(types::DATAWEAVE_RESOURCE, script));
        }
        if let Some(class) = self.resolve_class(name, context) {
            return Some(class);
        }
        let object = sobject::strip_schema(name);
        let object_id = sobject::id(object);
        if self.node(&object_id).is_some() || sobject::has_custom_suffix(object) {
            return Some(self.intern(&object_id, DeclKind::Component));
        }
        None
    }

    /// Resolves an Apex class name as seen from `context` (a class id): inner classes of
    /// the context and its outer classes first, then top-level classes.
    pub(super) fn resolve_class(&self, name: &str, context: &ComponentId) -> Option<NodeIx> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        // Keys are case-folded `type:fullname`; build candidates in one buffer rather than
        // through `ComponentId::new`, because this runs for every type name in the org.
        let name = name.to_lowercase();
        let context_key = context.key();
        let mut scope = context_key
            .split_once(':')
            .map(|(_, full_name)| full_name)
            .filter(|_| context.is_type(types::APEX_CLASS));
        let mut key = String::with_capacity(64);
        while let Some(prefix) = scope {
            key.clear();
            key.push_str("apexclass:");
            key.push_str(prefix);
            key.push('.');
            key.push_str(&name);
            if let Some(&index) = self.index.get(&key) {
                return Some(index);
            }
            scope = prefix.rsplit_once('.').map(|(outer, _)| outer);
        }
        key.clear();
        key.push_str("apexclass:");
        key.push_str(&name);
        let index = *self.index.get(&key)?;
        let node = &self[index];
        // A class only referenced (a `testFor` target that does not exist) is not one.
        (node.kind != DeclKind::Component || !node.files.is_empty()).then_some(index)
    }

    pub(super) fn resolve_type_expr(&self, expr: &TypeExpr, context: &ComponentId) -> Resolved {
        match expr {
            TypeExpr::Named(name) => self.resolve_named(name, context),
            TypeExpr::ReturnOf(inner, member) | TypeExpr::MemberOf(inner, member) => {
                match self.resolve_type_expr(inner, context) {
                    Resolved::Class(class) => {
                        let Some(member_index) = self.find_member(class, member) else {
                            return Resolved::Unknown;
                        };
                        let member_node = &self[member_index];
                        let Some(value_type) = member_node.value_type.clone() else {
                            return Resolved::Unknown;
                        };
                        let owner = member_node
                            .parent
                            .clone()
                            .unwrap_or_else(|| context.clone());
                        self.resolve_named(&value_type, &owner)
                    }
                    Resolved::External(type_text) => {
                        // A collection's element: `List<Discount>.get(0)`,
                        // `Map<String, Discount>.get(code)`, `.values()`.
                        match method_type(&type_text, member) {
                            Some(element) => self.resolve_named(&element, context),
                            None => Resolved::External(String::new()),
                        }
                    }
                    Resolved::Unknown => Resolved::Unknown,
                }
            }
        }
    }

    pub(super) fn resolve_named(&self, name: &str, context: &ComponentId) -> Resolved {
        let base = strip_generics(name);
        if let Some(class) = self.resolve_class(&base, context) {
            return Resolved::Class(class);
        }
        // `Selector.Current` read as a type name: a static field or property of a class
        // of ours, whose declared type is the receiver.
        if let Some((prefix, member)) = base.rsplit_once('.') {
            if !base.contains('<') && self.resolve_class(prefix, context).is_some() {
                let expr = TypeExpr::MemberOf(
                    Box::new(TypeExpr::Named(prefix.to_string())),
                    member.to_string(),
                );
                return self.resolve_type_expr(&expr, context);
            }
        }
        Resolved::External(name.trim().to_string())
    }

    /// The member named `member` of `class` or of its nearest superclass that declares it.
    pub(super) fn find_member(&self, class: NodeIx, member: &str) -> Option<NodeIx> {
        let folded = member.to_lowercase();
        let mut current = Some(class);
        // A superclass chain is short; the bound stops a cycle (`A extends B extends A`).
        for _ in 0..64 {
            let Some(index) = current else {
                break;
            };
            if let Some(&found) = self.members.get(&(index, folded.clone())) {
                return Some(found);
            }
            current = self[index].superclass;
        }
        None
    }

    /// A call on a receiver of static type `class`: the member it names (found in the
    /// class or inherited), plus every override in subclasses and implementations
    /// (class-hierarchy analysis), marked as reached through an override. A member the
    /// repository does not declare (inherited from a system type, or a default
    /// constructor) is a use of the class itself.
    pub(super) fn resolve_member(
        &self,
        class: NodeIx,
        member: &str,
        _arity: Option<u32>,
    ) -> Vec<(NodeIx, Reached)> {
        let folded = member.to_lowercase();
        let mut found: Vec<(NodeIx, Reached)> = Vec::new();
        if let Some(index) = self.find_member(class, member) {
            found.push((index, Reached::Direct));
        }
        // `new C()` and `super()` run C's own constructor: constructors are not
        // overridden, so there is no hierarchy to fan out to.
        let mut stack = if folded == "<init>" {
            Vec::new()
        } else {
            vec![class]
        };
        let mut seen: HashSet<NodeIx> = HashSet::default();
        while let Some(index) = stack.pop() {
            if !seen.insert(index) {
                continue;
            }
            if let Some(subs) = self.subclasses.get(&index) {
                for &sub in subs {
                    if let Some(&override_index) = self.members.get(&(sub, folded.clone())) {
                        if !found.iter().any(|&(node, _)| node == override_index) {
                            found.push((override_index, Reached::Override));
                        }
                    }
                    stack.push(sub);
                }
            }
        }
        if found.is_empty() {
            found.push((class, Reached::Direct));
        }
        found
    }

    /// Every member of that name in the repository: the conservative fallback for a
    /// receiver whose type cannot be told. Overloads share one node, so the arity
    /// cannot narrow the match and is not used.
    pub(super) fn any_member(&mut self, member: &str, _arity: Option<u32>) -> Vec<NodeIx> {
        let Some(candidates) = self.members_by_name.get(&member.to_lowercase()) else {
            return Vec::new();
        };
        let found = candidates.clone();
        if !found.is_empty() {
            self.n_unresolved_calls += 1;
        }
        found
    }

    /// A string literal that exactly names a known component (an Apex class, a static
    /// resource, a permission set, …), case-insensitively.
    pub(super) fn resolve_string(&self, text: &str) -> Vec<NodeIx> {
        let text = text.trim();
        if let Some(id) = ComponentId::parse(text) {
            if let Some(index) = self.node(&id) {
                return vec![index];
            }
        }
        // Types a string literal may name (`Type.forName('X')`, `Test.loadData(…, 'X')`,
        // `PermissionSet WHERE Name = 'X'`, …).
        let mut found: Vec<NodeIx> = types::string_ref_types()
            .iter()
            .filter_map(|type_name| {
                let index = self.node(&ComponentId::new(type_name, text))?;
                (!self[index].files.is_empty()).then_some(index)
            })
            .collect();
        // Record types are named without their object
        // (`getRecordTypeInfosByDeveloperName().get('Partner')`), email templates without
        // their folder (`WHERE DeveloperName = 'Welcome'`).
        if let Some(short) = self.short_names.get(&text.to_lowercase()) {
            for index in short {
                if !found.contains(index) {
                    found.push(*index);
                }
            }
        }
        found
    }
}
