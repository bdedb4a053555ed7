//! Name resolution: a use's target (a type name, a call on a receiver, a string
//! literal, …) to the nodes it reaches.

use super::names::*;
use super::*;
use crate::apex_type::{element_type, method_type, strip_generics, type_names};
use crate::metadata::sobject;
use std::borrow::Cow;

/// How a use reached its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) enum Reached {
    /// The target is what the use names.
    Direct,
    /// The target overrides what a call names (class-hierarchy analysis): it runs only
    /// when the receiver is an instance of its class.
    Override,
    /// The target is a field of the record the access's receiver holds
    /// (`child.Parent__r.Score__c`, `model.record.Score__c`): the use reads it.
    Field,
}

/// A node a use reaches, as resolution sees it. Resolution reads the graph of
/// declarations only (the uses of many files are resolved side by side, then added in
/// file order), so a node that uses add (an object written, a label read) is named here
/// and interned when the use's edges are added.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Found {
    /// A node of the graph of declarations.
    Node(NodeIx),
    /// A component to intern: an object written, a label, a component a flow names, or
    /// a name the revision knows (see [`Graph::known`]).
    Named(ComponentId),
}

/// The nodes a use reaches: most reach one, kept inline rather than in an allocation of
/// its own (a warm 10,000-class plan reads every file's resolutions from the kept
/// records: adding the uses took 94 ms rather than 100, medians of six).
pub(super) type Targets = smallvec::SmallVec<[(Found, Reached); 1]>;

/// What a use's target resolves to ([`Graph::resolve_target`]).
pub(super) struct Resolution {
    pub targets: Targets,
    /// For a call: the class of its receiver's static type, when the repository
    /// declares it.
    pub receiver: Option<NodeIx>,
    /// A call whose receiver's type could not be told, resolved to every member of its
    /// name (counted: `Graph::unresolved_calls`).
    pub fell_back: bool,
    /// Records passed to a method that saves them ([`Target::DmlThrough`]): the events
    /// of the write, which only the method tells. Not kept: the use's edge keeps them.
    pub events: Option<DmlEvents>,
}

impl Resolution {
    /// A resolution that adds nothing to the graph: no target, and no fallback to count
    /// as an unresolved call (a system type's method, an unknown name).
    pub(super) fn is_nothing(&self) -> bool {
        self.targets.is_empty() && !self.fell_back
    }

    /// [`Resolution::is_nothing`] as a value.
    pub(super) fn nothing() -> Resolution {
        Resolution {
            targets: Targets::new(),
            receiver: None,
            fell_back: false,
            events: None,
        }
    }
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

    /// What a use's target reaches, read from the graph of declarations (`&self`: see
    /// [`Found`]). A registration reaches no node: the builder records it.
    pub(super) fn resolve_target(&self, target: &Target, context: &ComponentId) -> Resolution {
        let mut resolution = Resolution::nothing();
        resolution.targets = match target {
            Target::Member {
                receiver,
                member,
                arity,
                on_this,
            } => match self.resolve_type_expr(receiver, context) {
                Resolved::Class(class) => {
                    resolution.receiver = Some(class);
                    // A name read on the own object that its file does not declare
                    // (no arity, on `this`: `parse::apex`'s `identifier`): a field or
                    // property the class inherits, or nothing (a type's name). And a
                    // constructor's implicit `super()` (a constructor called on `this`):
                    // the superclass's constructor, or nothing when it declares none.
                    let inherited_only = *on_this && (arity.is_none() || member == "<init>");
                    self.resolve_member(class, member, *arity)
                        .into_iter()
                        .filter(|&(node, _)| !(inherited_only && node == class))
                        .map(|(node, reached)| (Found::Node(node), reached))
                        .collect()
                }
                // `Config__mdt.getAll()`, `Settings__c.getInstance()`: reading a custom
                // metadata type or custom setting reads its records.
                // `new Config__mdt(…)` builds a record in memory and reads none.
                Resolved::External(type_text) => {
                    let mut targets = Targets::new();
                    if sobject::has_custom_suffix(&type_text) && member != "<init>" {
                        let object = sobject::strip_schema(&type_text);
                        targets.push((self.found(types::CUSTOM_OBJECT, object), Reached::Direct));
                    }
                    if arity.is_none() {
                        let field = self.field_of_record(receiver, &type_text, member, context);
                        targets.extend(field.map(|field| (field, Reached::Field)));
                    }
                    targets.extend(self.sorted_by(&type_text, member, *arity, context));
                    targets
                }
                Resolved::Unknown => self.any_member(member, &mut resolution.fell_back).into(),
            },
            Target::AnyMember { member, .. } => {
                self.any_member(member, &mut resolution.fell_back).into()
            }
            Target::DmlThrough(_) => {
                let mut targets = Targets::new();
                if let Some((object, events)) = self.records_passed(target, context) {
                    targets.push((self.found(types::CUSTOM_OBJECT, object), Reached::Direct));
                    resolution.events = Some(events);
                }
                targets
            }
            Target::ParameterDml { parameter, .. } => {
                let mut targets = Targets::new();
                if !self.saves_own(context, parameter) {
                    targets.push((self.found(types::CUSTOM_OBJECT, "*"), Reached::Direct));
                }
                targets
            }
            _ => self
                .resolve_named_target(target, context)
                .into_iter()
                .map(|found| (found, Reached::Direct))
                .collect(),
        };
        resolution
    }

    /// `list.sort()` on a list of a class of the repository calls that class's
    /// `compareTo` (`Comparable`), which no code names: the platform sorts by it.
    fn sorted_by(
        &self,
        type_text: &str,
        member: &str,
        arity: Option<u32>,
        context: &ComponentId,
    ) -> Vec<(Found, Reached)> {
        if arity != Some(0) || !member.eq_ignore_ascii_case("sort") {
            return Vec::new();
        }
        let element = element_type(type_text);
        let class = match element != type_text {
            true => self.resolve_class(element, context),
            false => None,
        };
        let Some(class) = class else {
            return Vec::new();
        };
        self.resolve_member(class, "compareTo", Some(1))
            .into_iter()
            .map(|(node, reached)| (Found::Node(node), reached))
            .collect()
    }

    /// A target that is not a call: what it names.
    fn resolve_named_target(&self, target: &Target, context: &ComponentId) -> Vec<Found> {
        match target {
            Target::ApexType(name) => type_names(name)
                .filter_map(|name| self.resolve_type_reference(name, context))
                .collect(),
            Target::SObject(name) => {
                let name = sobject::strip_schema(name);
                match name.split_once('.') {
                    // A subquery's relationship (`Account.Contacts`).
                    Some((object, relationships)) => self
                        .related_through(object, relationships.split('.'))
                        .map(|object| self.found(types::CUSTOM_OBJECT, &object))
                        .into_iter()
                        .collect(),
                    None => vec![self.found(types::CUSTOM_OBJECT, name)],
                }
            }
            Target::Dml { object, .. } => {
                vec![self.found(types::CUSTOM_OBJECT, sobject::strip_schema(object))]
            }
            Target::Field { object, field } => self.resolve_field(object, field, context),
            Target::DmlOf { records, .. } => {
                let object = match self.records_type(records, context) {
                    Resolved::External(type_text) => self.records_object(&type_text, context),
                    Resolved::Class(_) | Resolved::Unknown => None,
                };
                let object = object.unwrap_or_else(|| "*".to_string());
                vec![self.found(types::CUSTOM_OBJECT, sobject::strip_schema(&object))]
            }
            Target::Label(name) => vec![self.found(types::CUSTOM_LABEL, name)],
            Target::Component(id) => vec![self.found_id(id)],
            Target::StringLiteral(text) => self.resolve_string(text),
            // Resolved once every object is a node (triggers add theirs later).
            Target::Registration(_) => Vec::new(),
            // Calls: `resolve_target`.
            Target::Member { .. }
            | Target::AnyMember { .. }
            | Target::DmlThrough(_)
            | Target::ParameterDml { .. } => Vec::new(),
        }
    }

    /// The field `member` of the record an access's receiver holds, when the receiver is
    /// an expression the parser could not type (`child.Parent__r`, `model.record`,
    /// `records.get(0)`) and the graph types it as an object, through relationships too
    /// ([`Graph::records_type`]); `type_text` is what [`Graph::resolve_type_expr`] gave.
    /// A named receiver's field the parser reads itself.
    fn field_of_record(
        &self,
        receiver: &TypeExpr,
        type_text: &str,
        member: &str,
        context: &ComponentId,
    ) -> Option<Found> {
        if matches!(receiver, TypeExpr::Named(_)) {
            return None;
        }
        let object = if type_text.is_empty() {
            match self.records_type(receiver, context) {
                Resolved::External(object) => object,
                Resolved::Class(_) | Resolved::Unknown => return None,
            }
        } else {
            type_text.to_string()
        };
        let object = sobject::strip_schema(&object);
        let plain = object
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !plain {
            return None;
        }
        self.field_of(object, member, context)
    }

    /// The fields a field reference reads: `field` of `object`, or, for a path through
    /// relationships (`Parent__r.Score__c` of `Child__c`, as SOQL, formulas, flows and
    /// Lightning imports write it), the lookup behind each relationship and the field at
    /// the path's end, of the object the relationships reach ([`Graph::related_object`]).
    /// `Owner`, `CreatedBy` and `LastModifiedBy` reach a user ([`sobject::reaches_user`]).
    /// A relationship that reaches no one object (`What`, a lookup the revision does not
    /// declare) ends the path at its lookup, and a custom relationship read as a value
    /// (`child.Parent__r`) is its lookup. The object of a subquery's field is the
    /// subquery's relationship (`Account.Contacts`), typed likewise.
    fn resolve_field(&self, object: &str, path: &str, context: &ComponentId) -> Vec<Found> {
        // A subquery's field: `object` is the relationship's path (`Account.Contacts`).
        let mut object = match sobject::strip_schema(object).split_once('.') {
            Some((object, relationships)) => {
                match self.related_through(object, relationships.split('.')) {
                    Some(related) => related,
                    None => return Vec::new(),
                }
            }
            None => sobject::strip_schema(object).to_string(),
        };
        let mut steps = path.split('.');
        let mut field = steps.next().unwrap_or_default();
        let mut found = Vec::new();
        for next in steps {
            found.extend(self.field_of(&object, &sobject::relationship_field(field), context));
            let related = self
                .related_object(&object, field)
                .or_else(|| sobject::reaches_user(field).then(|| "User".to_string()));
            match related {
                Some(related) => object = related,
                None => return found,
            }
            field = next;
        }
        // A custom relationship read as a value (`child.Parent__r`) reads its lookup.
        let field = match sobject::strip_suffix(field, "__r") {
            Some(_) => Cow::Owned(sobject::relationship_field(field)),
            None => Cow::Borrowed(field),
        };
        found.extend(self.field_of(&object, &field, context));
        found
    }

    /// The field `field` of `object`, when `object` is an object: `LoggingLevel.WARN` is
    /// an enum value, not a field, and would only clutter the graph.
    fn field_of(&self, object: &str, field: &str, context: &ComponentId) -> Option<Found> {
        if object.is_empty() || field.is_empty() {
            return None;
        }
        // A task's or an event's custom field is declared on `Activity`.
        if sobject::is_activity_kind(object) {
            let shared = format!("Activity.{field}");
            if self.is_known(types::CUSTOM_FIELD, &shared) {
                return Some(self.found(types::CUSTOM_FIELD, &shared));
            }
        }
        let name = format!("{object}.{field}");
        let is_object = sobject::has_custom_suffix(object)
            || self.is_known(types::CUSTOM_FIELD, &name)
            || self.is_known(types::CUSTOM_OBJECT, object);
        (is_object && self.resolve_class(object, context).is_none())
            .then(|| self.found(types::CUSTOM_FIELD, &name))
    }

    /// The object the records of `object` reach through a path of relationships
    /// (`Account`, then `Contacts`), each as [`Graph::related_object`] types it; `None`
    /// when one reaches no one object.
    fn related_through<'p>(
        &self,
        object: &str,
        relationships: impl IntoIterator<Item = &'p str>,
    ) -> Option<String> {
        let mut object = object.to_string();
        for relationship in relationships {
            object = self.related_object(&object, relationship)?;
        }
        Some(object)
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
    /// SObject when it looks like one (a custom suffix) or is known.
    pub(super) fn resolve_type_reference(
        &self,
        name: &str,
        context: &ComponentId,
    ) -> Option<Found> {
        if let Some(script) = dataweave_script(name) {
            return self.known(types::DATAWEAVE_RESOURCE, script);
        }
        if let Some(class) = self.resolve_class(name, context) {
            return Some(Found::Node(class));
        }
        let object = sobject::strip_schema(name);
        if sobject::has_custom_suffix(object) {
            return Some(self.found(types::CUSTOM_OBJECT, object));
        }
        // Most names here are system types (`String`, `Map<Id, Account>`): they are
        // looked up by key, and no id is built for them.
        self.known(types::CUSTOM_OBJECT, object)
    }

    /// `type_name:full_name` when the revision knows it: declared, or named by one of its
    /// uses whether or not anything declares it (an object written or queried, a label,
    /// a component a flow names: [`Graph::names_named`]). Known to the whole revision,
    /// never to the files added so far, so resolution does not depend on the order
    /// files are read in.
    pub(super) fn known(&self, type_name: &str, full_name: &str) -> Option<Found> {
        let key = key_of(type_name, full_name);
        self.is_known_key(&key)
            .then(|| self.found_key(&key, || ComponentId::new(type_name, full_name)))
    }

    /// [`Graph::known`] of an id.
    pub(super) fn known_id(&self, id: &ComponentId) -> Option<Found> {
        self.is_known_key(id.key()).then(|| self.found_id(id))
    }

    fn is_known(&self, type_name: &str, full_name: &str) -> bool {
        let key = key_of(type_name, full_name);
        self.is_known_key(&key)
    }

    fn is_known_key(&self, key: &str) -> bool {
        self.declared_key(key).is_some() || self.named.contains(key)
    }

    /// The node a file of the revision declares under `key`.
    fn declared_key(&self, key: &str) -> Option<NodeIx> {
        reads::note_key(key);
        self.indexed(key).filter(|node| node.ix() < self.n_declared)
    }

    /// A component a use names, to be interned: its node when the graph has one already
    /// (adding the use would find that node), else the id.
    pub(super) fn found(&self, type_name: &str, full_name: &str) -> Found {
        let key = key_of(type_name, full_name);
        self.found_key(&key, || ComponentId::new(type_name, full_name))
    }

    fn found_id(&self, id: &ComponentId) -> Found {
        self.found_key(id.key(), || id.clone())
    }

    fn found_key(&self, key: &str, id: impl FnOnce() -> ComponentId) -> Found {
        match self.indexed(key) {
            Some(node) => Found::Node(node),
            None => Found::Named(id()),
        }
    }

    /// Adds to `names` the names a file's uses name whether or not anything declares
    /// them (see [`Graph::known`]): objects written or queried, labels, components.
    /// `seen` holds the objects and labels that files before looked up on this thread:
    /// what they name is in `names` already, and most files name the same few (10,000
    /// classes: 81,000 lookups, each building a key, for a few hundred names).
    pub(super) fn names_named<'f>(
        &self,
        file: &'f FileFacts,
        seen: &mut HashSet<&'f Target<'static>>,
        names: &mut HashSet<ComponentId>,
    ) {
        for use_ in file.facts.naming_uses() {
            let context = match &use_.target {
                // Resolved in no context: the same target names the same in every file.
                Target::SObject(_) | Target::Dml { .. } | Target::Label(_) => {
                    if !seen.insert(&use_.target) {
                        continue;
                    }
                    file.component.clone()
                }
                Target::Component(_) => file.component.clone(),
                // Only these need the context: which class holds the records.
                Target::DmlOf { .. } => self.context_class(&use_.from),
                _ => continue,
            };
            for found in self.resolve_named_target(&use_.target, &context) {
                if let Found::Named(id) = found {
                    names.insert(id);
                }
            }
        }
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
        // Every key tried ends in the name: a class declared under any of them offers
        // the name's token ([`reads::declared_tokens`]).
        reads::note_name(&name);
        let mut scope = context
            .is_type(types::APEX_CLASS)
            .then(|| context.folded_full_name());
        let mut key = String::with_capacity(64);
        while let Some(prefix) = scope {
            key.clear();
            key.push_str("apexclass:");
            key.push_str(prefix);
            key.push('.');
            key.push_str(&name);
            if let Some(&index) = self.index.get(key.as_str()) {
                return Some(index);
            }
            scope = prefix.rsplit_once('.').map(|(outer, _)| outer);
        }
        key.clear();
        key.push_str("apexclass:");
        key.push_str(&name);
        let Some(&index) = self.index.get(key.as_str()) else {
            return self
                .without_own_apex_namespace(&name)
                .and_then(|own| self.resolve_class(own, context));
        };
        let node = &self[index];
        // A class only referenced (a `testFor` target that does not exist) is not one.
        (node.kind != DeclKind::Component || node.has_file()).then_some(index)
    }

    pub(super) fn resolve_type_expr(&self, expr: &TypeExpr, context: &ComponentId) -> Resolved {
        match expr {
            TypeExpr::Named(name) => self.resolve_named(name, context),
            TypeExpr::ReturnOf(inner, member) | TypeExpr::MemberOf(inner, member) => {
                match self.resolve_type_expr(inner, context) {
                    Resolved::Class(class) => self
                        .member_type(class, member, context)
                        .unwrap_or(Resolved::Unknown),
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

    /// The type of a field or property a class inherits from a superclass declared in
    /// another file, read by its name alone (`calloutService.call(…)` in a subclass of
    /// the class that declares `calloutService`): the parser, which sees one file, takes
    /// such a name for a type's. A field shadows a type of its name, as in Apex.
    /// `None` for a name no superclass of `context`'s class declares.
    fn inherited_field_type(&self, name: &str, context: &ComponentId) -> Option<Resolved> {
        let class = self.declaring_class(self.node(context)?);
        let superclass = self[class].superclass?;
        let member = self.find_member(superclass, name)?;
        if !matches!(self[member].kind, DeclKind::Field | DeclKind::Property) {
            return None;
        }
        self.member_type(superclass, name, context)
    }

    /// The type of `member` of `class` (or of a superclass): its declared type, resolved
    /// where the member is declared; `Unknown` when it declares none, `None` when the
    /// class has no such member.
    fn member_type(&self, class: NodeIx, member: &str, context: &ComponentId) -> Option<Resolved> {
        let member_node = &self[self.find_member(class, member)?];
        let Some(value_type) = &member_node.value_type else {
            return Some(Resolved::Unknown);
        };
        let owner = member_node.parent.as_ref().unwrap_or(context);
        Some(self.resolve_named(value_type, owner))
    }

    /// The type of the records a write saves: as [`Graph::resolve_type_expr`] types
    /// it, but for a record's relationship, typed as the object it reaches
    /// ([`Graph::related_object`]): `update invoice.Account__r`, a flow's
    /// `$Record.Contacts`.
    fn records_type(&self, records: &TypeExpr, context: &ComponentId) -> Resolved {
        if let TypeExpr::MemberOf(inner, relationship) = records {
            if let Resolved::External(object) = self.records_type(inner, context) {
                if method_type(&object, relationship).is_none() {
                    let related = self.related_object(&object, relationship);
                    return Resolved::External(related.unwrap_or_default());
                }
            }
        }
        self.resolve_type_expr(records, context)
    }

    /// The object records of `object` reach through `relationship`: a custom one's
    /// (`Parent__r`: the object its field `Parent__c` refers to; `Plans__r`: the object
    /// of the lookup to `object` whose relationship name is `Plans`), when the revision
    /// declares the field; a standard one's (`Account`, `Contacts`, `TimeSheetEntries`),
    /// the object named like it or like its singular among the common standard objects
    /// and the objects the revision knows (declares, or names in a use: `ServiceResource`
    /// of a `ServiceTerritoryMember`), and a standard object's `Parent`
    /// ([`sobject::standard_parent`]: an account's is an account, an email message's a
    /// case). `None` (records of any object) when not exactly one object is found: a
    /// polymorphic lookup (`Owner`, `What`, an attachment's `Parent`), a field or object
    /// not declared here.
    fn related_object(&self, object: &str, relationship: &str) -> Option<String> {
        let plain =
            |name: &str| !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !plain(object) || !plain(relationship) {
            return None;
        }
        if let Some(stem) = sobject::strip_suffix(relationship, "__r") {
            // A lookup of `object` (`Plan__r`: its field `Plan__c`), or a lookup of
            // another object to it (`Plans__r`: a lookup whose relationship is `Plans`).
            let key = key_of(types::CUSTOM_FIELD, &format!("{object}.{stem}__c"));
            let parent = self
                .declared_key(&key)
                .and_then(|field| self[field].value_type.clone());
            let child_relationship = format!("{object}.{relationship}").to_lowercase();
            reads::note_name(&child_relationship);
            let children = self.child_relationships.get(&child_relationship);
            let mut objects = parent
                .into_iter()
                .chain(children.into_iter().flatten().cloned());
            return match (objects.next(), objects.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            };
        }
        if relationship.contains("__") {
            return None;
        }
        if relationship.eq_ignore_ascii_case("Parent") {
            return sobject::standard_parent(object).map(str::to_string);
        }
        let singulars = [("ies", "y"), ("es", ""), ("s", "")]
            .into_iter()
            .filter_map(|(plural, singular)| {
                sobject::strip_suffix(relationship, plural).map(|stem| format!("{stem}{singular}"))
            });
        // An object the revision knows: declared, or named by a use (a standard object
        // whose fields alone the repository keeps, `objects/ServiceResource/fields/`,
        // which its code queries).
        let mut objects = std::iter::once(relationship.to_string())
            .chain(singulars)
            .filter(|name| {
                sobject::looks_like_sobject(name) || self.is_known(types::CUSTOM_OBJECT, name)
            });
        match (objects.next(), objects.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    pub(super) fn resolve_named(&self, name: &str, context: &ComponentId) -> Resolved {
        let base = strip_generics(name);
        if let Some(class) = self.resolve_class(&base, context) {
            return Resolved::Class(class);
        }
        // `Selector.Current` read as a type name: a static field or property of a class
        // of ours, whose declared type is the receiver; through a chain of them too
        // (`Injector.Org.Bindings`, a property of what the static field holds). A name
        // the class does not declare is a platform type whose namespace a class of
        // ours shadows (`Database.DmlOptions` beside NebulaLogger's own `Database`
        // class): it was an unknown type, and `new Database.DmlOptions()` reached every
        // constructor of the repository.
        if let Some((prefix, member)) = base.rsplit_once('.') {
            if let (false, Resolved::Class(class)) =
                (base.contains('<'), self.resolve_named(prefix, context))
            {
                if let Some(resolved) = self.member_type(class, member, context) {
                    return resolved;
                }
            }
        } else if let Some(resolved) = self.inherited_field_type(&base, context) {
            return resolved;
        }
        Resolved::External(name.trim().to_string())
    }

    /// The member named `member` of `class` or of its nearest superclass that declares it.
    pub(super) fn find_member(&self, class: NodeIx, member: &str) -> Option<NodeIx> {
        let folded = member.to_lowercase();
        self.superclass_chain(class).find_map(|index| {
            reads::note_member_of(&self[index].id, &folded);
            self.member(index, &folded)
        })
    }

    /// A call on a receiver of static type `class`: the member it names (found in the
    /// class or inherited), plus every override in subclasses and implementations
    /// (class-hierarchy analysis), marked as reached through an override. An
    /// implementation of an interface's method may be inherited from a superclass that
    /// does not implement the interface (`ContactSelector extends SObjectSelector
    /// implements IContactSelector`, its `selectWithInjectable` `SObjectSelector`'s): it
    /// is reached too. A member the repository does not declare (inherited from a system
    /// type, or a default constructor) is a use of the class itself.
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
        let interface = self[class].kind == DeclKind::Interface;
        while let Some(index) = stack.pop() {
            if !seen.insert(index) {
                continue;
            }
            reads::note_member_of(&self[index].id, &folded);
            if let Some(subs) = self.subclasses.get(&index) {
                for &sub in subs {
                    let own = self.member(sub, &folded);
                    let implementation = match own {
                        None if interface => self.find_member(sub, member),
                        own => own,
                    };
                    if let Some(override_index) = implementation {
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
    /// receiver whose type cannot be told (`fell_back` says it found one). Overloads
    /// share one node, so the arity cannot narrow the match.
    pub(super) fn any_member(&self, member: &str, fell_back: &mut bool) -> Vec<(Found, Reached)> {
        let folded = member.to_lowercase();
        reads::note_member_name(&folded);
        let found: Vec<(Found, Reached)> = self
            .members_by_name()
            .get(&folded)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&node| (Found::Node(node), Reached::Direct))
            .collect();
        *fell_back = !found.is_empty();
        found
    }

    /// Every member by its folded name, built from the members as declared the first
    /// time a use asks.
    fn members_by_name(&self) -> &HashMap<String, Vec<NodeIx>> {
        self.members_by_name.get_or_init(|| {
            let mut by_name: HashMap<String, Vec<NodeIx>> = HashMap::default();
            for &(member, start) in &self.declared_members {
                let full = self[member].id.full_name();
                let name = full.get(start as usize..).unwrap_or(full).to_lowercase();
                by_name.entry(name).or_default().push(member);
            }
            by_name
        })
    }

    /// A string literal that exactly names a known component (an Apex class, a static
    /// resource, a permission set, …), case-insensitively.
    pub(super) fn resolve_string(&self, text: &str) -> Vec<Found> {
        let text = text.trim();
        if let Some(found) = ComponentId::parse(text).and_then(|id| self.known_id(&id)) {
            return vec![found];
        }
        // Types a string literal may name (`Type.forName('X')`, `Test.loadData(…, 'X')`,
        // `PermissionSet WHERE Name = 'X'`, …), looked up by key: most literals name
        // nothing.
        let mut key = String::new();
        let mut found: Vec<NodeIx> = types::string_ref_types()
            .iter()
            .filter_map(|type_name| {
                ComponentId::write_key(&mut key, type_name, text);
                reads::note_key(&key);
                let index = self.indexed(key.as_str())?;
                self[index].has_file().then_some(index)
            })
            .collect();
        // A custom metadata type by its name (`getObjectToken('Routing__mdt')`, whose
        // query a factory builds): the code reads its records (CnC's `MB_Docusign`, whose
        // test fails when one of the type's records changes). No other object is named
        // so: a string equal to an object's name is seldom a query's.
        if sobject::is_custom_metadata(text) {
            ComponentId::write_key(&mut key, types::CUSTOM_OBJECT, text);
            reads::note_key(&key);
            let index = self
                .indexed(key.as_str())
                .filter(|&index| self[index].has_file());
            found.extend(index);
        }
        // Record types are named without their object
        // (`getRecordTypeInfosByDeveloperName().get('Partner')`), email templates without
        // their folder (`WHERE DeveloperName = 'Welcome'`), custom fields without their
        // object (`record.get('Rating__c')`), custom metadata records without their type
        // (`ApiMock.setTestMock('Orders', 200)`).
        let folded = text.to_lowercase();
        reads::note_name(&folded);
        if let Some(short) = self.short_names.get(&folded) {
            for index in short {
                if !found.contains(index) {
                    found.push(*index);
                }
            }
        }
        let mut found: Vec<Found> = found.into_iter().map(Found::Node).collect();
        let own = self
            .without_own_apex_namespace(text)
            .or_else(|| self.without_own_metadata_namespace(text));
        if let Some(own) = own {
            for named in self.resolve_string(own) {
                if !found.contains(&named) {
                    found.push(named);
                }
            }
        }
        found
    }

    /// `name` written with the project's own namespace prefix as the metadata API
    /// writes it (`ns__Approve_Orders`, a custom permission, a permission set or a
    /// metadata record a packaged org's code names so: `FeatureManagement.checkPermission(
    /// 'psa255__BypassPermsetTrigger')`), without it. (A custom object or field so
    /// prefixed is found by its key, [`Graph::indexed`].)
    pub(super) fn without_own_metadata_namespace<'n>(&self, name: &'n str) -> Option<&'n str> {
        self.without_own_namespace(name, "__")
    }

    /// `name` written with the project's own namespace as Apex writes it (`ns.Class`,
    /// `ns.Class.Inner`), without it: a packaged org's code names the package's classes
    /// so (nebula-core's `new nebc.TestIdGenerator()`, its trigger's
    /// `nebc.MetadataTriggerManager`, a record's `'nebc.TestFieldFunctions.CreateRecord'`).
    fn without_own_apex_namespace<'n>(&self, name: &'n str) -> Option<&'n str> {
        self.without_own_namespace(name, ".")
    }

    /// `name` without the project's namespace and the `separator` after it. `None` in a
    /// project without a namespace, and for a name without the prefix.
    fn without_own_namespace<'n>(&self, name: &'n str, separator: &str) -> Option<&'n str> {
        let namespace = self.namespace.as_deref()?.strip_suffix("__")?;
        let prefix = name.get(..namespace.len())?;
        let rest = name[namespace.len()..].strip_prefix(separator)?;
        (prefix.eq_ignore_ascii_case(namespace) && !rest.is_empty()).then_some(rest)
    }
}

/// The key of `type_name:full_name` ([`ComponentId::key`]), without building the id.
fn key_of(type_name: &str, full_name: &str) -> String {
    let mut key = String::new();
    ComponentId::write_key(&mut key, type_name, full_name);
    key
}
