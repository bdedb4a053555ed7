//! Expressions of the Apex walk: names, field accesses, calls, object creation, DML,
//! and the type names written in declarations.
//!
//! Each expression returns what is known of its value ([`Recv`]), so a call on it can
//! name its receiver type. Types come only from this file; the rest is left to the graph.

use super::text::{
    child, fields, interview_flow, is_comment, is_database_dml, is_platform_class, is_simple_name,
    is_system_namespace, is_this, is_unit_of_work, is_untyped_record, kind_name, kind_of,
    literal_content, named_children, normalize_type, unit_of_work_method, unwrapped, Kind,
    RecordWrite, LEAD_CONVERSION,
};
use super::walk::{Recv, Walker};
use crate::apex_type::{element_type, method_type, setting_method_type};
use crate::facts::{DmlEvents, EdgeKind, Target, TypeExpr};
use crate::metadata::component::ComponentId;
use crate::metadata::sobject::{has_custom_suffix, looks_like_sobject, strip_schema};
use crate::metadata::types::{APEX_PAGE, FIELD_SET, FLOW, RECORD_TYPE};
use smallvec::SmallVec;
use tree_sitter::Node;

impl<'t> Walker<'t> {
    /// A bare name: a variable in scope, a field of the enclosing classes (a use of that
    /// member), or else a type name.
    pub(super) fn identifier(&mut self, node: Node<'t>) -> Recv<'t> {
        let name = self.text(node);
        if let Some(type_node) = self.lookup_var(name) {
            self.saw_variable(type_node);
            return Recv::Typed(type_node);
        }
        if let Some(class) = self.class {
            let field = self.table.find_field(class, name);
            // A name the file declares nowhere, in a class built on one declared
            // elsewhere: perhaps a field or property it inherits (a base class's
            // protected `updateEvent`, read as `return (TelegramUpdateEvent)
            // updateEvent;`). Read on the own object (`on_this`) without an arity, the
            // graph takes it for the inherited member when a superclass declares one,
            // and for nothing else (a type's name, `BotUtils.run()`, which the graph
            // resolves as such).
            let read = match field {
                Some((owner, _)) => Some((owner, false)),
                None => (self.table.extends_elsewhere(class)
                    && !is_platform_class(name)
                    && self.table.resolve_type(name, Some(class)).is_none())
                .then_some((class, true)),
            };
            if let Some((owner, on_this)) = read {
                let receiver = TypeExpr::Named(self.table.classes[owner].full.clone().into());
                self.emit(
                    Target::Member {
                        receiver,
                        member: name.to_string().into(),
                        arity: None,
                        on_this,
                    },
                    EdgeKind::Calls,
                    node,
                );
            }
            if let Some((_, type_node)) = field {
                return Recv::Typed(type_node);
            }
        }
        Recv::Static(name.to_string())
    }

    /// `this`: a value of the enclosing class.
    pub(super) fn this_value(&self) -> Recv<'t> {
        match self.class {
            Some(class) => Recv::Value(TypeExpr::Named(
                self.table.classes[class].full.clone().into(),
            )),
            None => Recv::Unknown,
        }
    }

    /// `super`: a value of the superclass, when the class names one.
    pub(super) fn super_value(&self) -> Recv<'t> {
        match self
            .class
            .and_then(|class| self.table.classes[class].superclass)
        {
            Some(type_node) => Recv::Typed(type_node),
            None => Recv::Unknown,
        }
    }

    /// Whether `object` is the `System` namespace's `class` (folded), written with the
    /// namespace or without (`Label`, `System.Label`; `Page`), unless `System` or the
    /// class is a variable: `Label.X` reads a custom label, `Page.X` a Visualforce page.
    pub(super) fn is_system_class(&self, object: Node<'t>, class: &str) -> bool {
        let f = fields();
        let is_name = |node: Node<'t>, name: &str| {
            kind_name(node) == "identifier"
                && self.text(node).eq_ignore_ascii_case(name)
                && self.lookup_var(name).is_none()
        };
        match kind_name(object) {
            "identifier" => is_name(object, class),
            "field_access" => {
                child(object, f.object).is_some_and(|o| is_name(o, "system"))
                    && child(object, f.field)
                        .is_some_and(|n| self.text(n).eq_ignore_ascii_case(class))
            }
            _ => false,
        }
    }

    /// The call of `name` with `arity` arguments, on `receiver` (`None`: any class's).
    fn emit_call(
        &mut self,
        receiver: Option<&TypeExpr<'static>>,
        name: &str,
        arity: u32,
        on_this: bool,
        at: Node<'t>,
    ) {
        if name.is_empty() {
            return;
        }
        let target = match receiver {
            Some(receiver) => Target::Member {
                receiver: receiver.clone(),
                member: name.to_string().into(),
                arity: Some(arity),
                on_this,
            },
            None => Target::AnyMember {
                member: name.to_string().into(),
                arity: Some(arity),
            },
        };
        self.emit(target, EdgeKind::Calls, at);
    }

    /// The constant whose name `Type.CONSTANT.name()` gives (an enum's constant, named
    /// by its type): that name is a string as much as a literal is. navikt's tests name a
    /// custom metadata record so (`Services.POST_SKATTEKORT_API.name()`, see
    /// `TypeInfo::named_alone`). A call on a variable (`status.name()`) names no constant.
    fn enum_constant_named(&self, object: Node<'t>, name: &str, arity: u32) -> Option<&'t str> {
        if arity != 0 || !name.eq_ignore_ascii_case("name") || kind_name(object) != "field_access" {
            return None;
        }
        child(object, fields().field).map(|field| self.text(field))
    }

    /// `object.name`, read or (`write`) assigned: labels, class literals, describes,
    /// static paths and member or field accesses on typed values.
    pub(super) fn field_access(&mut self, node: Node<'t>, write: bool) -> Recv<'t> {
        let f = fields();
        let (Some(object), Some(field)) = (child(node, f.object), child(node, f.field)) else {
            self.walk_children(node);
            return Recv::Unknown;
        };
        let name = self.text(field);
        if name.eq_ignore_ascii_case("class") {
            // A type as a value: whoever holds it may make an instance.
            let type_name = self.type_text(object);
            let kind = if self.types_not_instantiated {
                EdgeKind::References
            } else {
                EdgeKind::TypeRef
            };
            self.emit(Target::ApexType(type_name.into()), kind, object);
            return Recv::Value(TypeExpr::Named("System.Type".into()));
        }
        if self.is_system_class(object, "label") {
            self.emit(
                Target::Label(name.to_string().into()),
                EdgeKind::References,
                field,
            );
            return Recv::Unknown;
        }
        // The page must exist for the class to compile: its deletion breaks this code
        // (a change to its markup runs no test, `changes::Change`). Read on as a static
        // member too: a class of the repository named `Page` would hide the system's.
        if self.is_system_class(object, "page") {
            let page = ComponentId::new(APEX_PAGE, name);
            self.emit(Target::Component(page), EdgeKind::References, field);
        }
        match self.walk(object) {
            Recv::Static(type_name) => self.static_access(type_name, name, object, field, write),
            Recv::Describe(object_name) => {
                if name.eq_ignore_ascii_case("fields") {
                    Recv::DescribeFields(object_name)
                } else if name.eq_ignore_ascii_case("fieldsets") {
                    Recv::DescribeFieldSets(object_name)
                } else {
                    Recv::Value(TypeExpr::Named("Schema.DescribeSObjectResult".into()))
                }
            }
            // Code that lists a field set's fields (to query or show them) behaves as the
            // field set says: a change to it reaches the code.
            Recv::DescribeFieldSets(object_name) => {
                let field_set = ComponentId::new(FIELD_SET, &format!("{object_name}.{name}"));
                self.emit(Target::Component(field_set), EdgeKind::Reads, field);
                Recv::Value(TypeExpr::Named("Schema.FieldSet".into()))
            }
            Recv::DescribeFields(object_name) => {
                self.emit(
                    Target::Field {
                        object: object_name.into(),
                        field: name.to_string().into(),
                    },
                    EdgeKind::Reads,
                    field,
                );
                Recv::Value(TypeExpr::Named("Schema.SObjectField".into()))
            }
            Recv::Unknown => {
                self.emit(
                    Target::AnyMember {
                        member: name.to_string().into(),
                        arity: None,
                    },
                    EdgeKind::Calls,
                    field,
                );
                Recv::Unknown
            }
            value => match self.type_expr(&value) {
                Some(receiver) => {
                    // A record's field leaves the records a list holds as they are.
                    self.record_list_value(&value);
                    self.access(&receiver, name, write, field);
                    Recv::Value(TypeExpr::MemberOf(
                        Box::new(receiver),
                        name.to_string().into(),
                    ))
                }
                None => Recv::Unknown,
            },
        }
    }

    /// `T.name` where `T` is no variable: a nested type, a static field or property, an
    /// object's field token, `X.SObjectType`, `Schema.SObjectType.X` or `Trigger.new`.
    pub(super) fn static_access(
        &mut self,
        type_name: String,
        name: &str,
        object: Node<'t>,
        field: Node<'t>,
        write: bool,
    ) -> Recv<'t> {
        // `SObjectType.X` is `Schema.SObjectType.X`: the namespace may be left out.
        if type_name.eq_ignore_ascii_case("schema.sobjecttype")
            || type_name.eq_ignore_ascii_case("sobjecttype")
        {
            self.emit(
                Target::SObject(name.to_string().into()),
                EdgeKind::Reads,
                field,
            );
            return Recv::Describe(name.to_string());
        }
        if name.eq_ignore_ascii_case("sobjecttype") && !type_name.eq_ignore_ascii_case("schema") {
            let object_name = strip_schema(&type_name).to_string();
            self.emit(Target::SObject(object_name.into()), EdgeKind::Reads, object);
            return Recv::Value(TypeExpr::Named("Schema.SObjectType".into()));
        }
        if type_name.eq_ignore_ascii_case("trigger") {
            let object_name = self.trigger_object.unwrap_or("SObject");
            let folded = name.to_ascii_lowercase();
            return match folded.as_str() {
                "new" | "old" => {
                    Recv::Value(TypeExpr::Named(format!("List<{object_name}>").into()))
                }
                "newmap" | "oldmap" => {
                    Recv::Value(TypeExpr::Named(format!("Map<Id, {object_name}>").into()))
                }
                _ => Recv::Unknown,
            };
        }
        let receiver = TypeExpr::Named(type_name.clone().into());
        match self.segment(&type_name, name) {
            Segment::Type => Recv::Static(format!("{type_name}.{name}")),
            Segment::Ambiguous => {
                // `X.Y` may be a nested type or a static member: record both readings.
                self.emit(
                    Target::ApexType(type_name.clone().into()),
                    EdgeKind::References,
                    object,
                );
                self.emit(
                    Target::Member {
                        receiver,
                        member: name.to_string().into(),
                        arity: None,
                        on_this: false,
                    },
                    EdgeKind::Calls,
                    field,
                );
                Recv::Static(format!("{type_name}.{name}"))
            }
            Segment::Member => {
                self.emit(
                    Target::ApexType(type_name.into()),
                    EdgeKind::References,
                    object,
                );
                self.access(&receiver, name, write, field);
                Recv::Value(TypeExpr::MemberOf(
                    Box::new(receiver),
                    name.to_string().into(),
                ))
            }
        }
    }

    /// Whether `name` after the type path `type_name` names a nested type or a member.
    fn segment(&self, type_name: &str, name: &str) -> Segment {
        let joined = format!("{type_name}.{name}");
        if self.table.resolve_type(&joined, self.class).is_some() {
            return Segment::Type;
        }
        if self.table.resolve_type(type_name, self.class).is_some()
            || looks_like_sobject(type_name)
            || has_custom_suffix(name)
        {
            return Segment::Member;
        }
        let capitalized = name.starts_with(|ch: char| ch.is_ascii_uppercase());
        if is_system_namespace(type_name) {
            return if capitalized {
                Segment::Type
            } else {
                Segment::Member
            };
        }
        if capitalized && name.bytes().any(|byte| byte.is_ascii_lowercase()) {
            Segment::Ambiguous
        } else {
            Segment::Member
        }
    }

    /// A read or write of member `name` on a value of type `receiver`: a member access,
    /// and a field of an object when the type may be an SObject.
    pub(super) fn access(
        &mut self,
        receiver: &TypeExpr<'static>,
        name: &str,
        write: bool,
        at: Node<'t>,
    ) {
        let type_name = match receiver {
            TypeExpr::Named(type_name) => Some(type_name.to_string()),
            other => self.resolve_local(other),
        };
        let (member, object) = match type_name.as_deref().map(strip_schema) {
            None => (true, None),
            Some(t) if !is_simple_name(t) || t.eq_ignore_ascii_case("sobject") => (true, None),
            Some(t) if self.table.resolve_type(t, self.class).is_some() => (true, None),
            Some(t) if looks_like_sobject(t) => (false, Some(t.to_string())),
            // Another file's class or an object of the org: the graph keeps what exists.
            // Constants (`LoggingLevel.INFO`) and camel-case properties are no fields.
            Some(t) => (true, may_be_field(name).then(|| t.to_string())),
        };
        if member {
            self.emit(
                Target::Member {
                    receiver: receiver.clone(),
                    member: name.to_string().into(),
                    arity: None,
                    on_this: false,
                },
                EdgeKind::Calls,
                at,
            );
        }
        if let Some(object) = object {
            let kind = if write {
                EdgeKind::Writes
            } else {
                EdgeKind::Reads
            };
            self.emit(
                Target::Field {
                    object: object.into(),
                    field: name.to_string().into(),
                },
                kind,
                at,
            );
        }
    }

    /// `recv.m(args)` or `m(args)`: a call on the receiver's type (or any member of that
    /// name when it cannot be told), and `Database.insert(x)` and kin as writes.
    pub(super) fn method_invocation(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let name_node = child(node, f.name);
        let name = name_node.map(|n| self.text(n)).unwrap_or("");
        let arguments = child(node, f.arguments);
        let arity = arguments.map_or(0, |a| self.count_args(a));
        let at = name_node.unwrap_or(node);
        let mut writer = Writer::Other;
        // A local list of untyped records this call is on ([`super::records`]).
        let mut list = None;
        // A call that can be of a static method of the repository: unqualified, or on a
        // type name.
        let object = child(node, f.object);
        let mut passes = object.is_none();
        // A system method's (`System.debug(records)`), which puts no record in a list.
        let mut system_call = false;
        let on_this = object.is_none_or(is_this);
        // What a custom setting's own static method returns (`Limits__c.getOrgDefaults()`).
        let mut setting_record = None;
        let receiver = match object {
            None => self.class.map(|class| {
                let owner = self
                    .table
                    .find_method(class, name)
                    .map_or(class, |(owner, _)| owner);
                TypeExpr::Named(self.table.classes[owner].full.clone().into())
            }),
            Some(object) => {
                list = self.record_list_receiver(object);
                let value = if let Some(declared) = list {
                    Recv::Typed(declared)
                } else if kind_name(object) == "super" {
                    self.super_value()
                } else {
                    self.walk(object)
                };
                // A call on a list's records (`changed.values().isEmpty()`).
                list = list.or_else(|| self.record_list_value(&value));
                self.record_type_list(node, object, &value, name);
                if let Recv::Static(type_name) = &value {
                    writer = Writer::of_class(type_name);
                    let system = is_platform_class(type_name);
                    passes = writer == Writer::Other && !system;
                    system_call = writer == Writer::Other && system;
                    self.emit(
                        Target::ApexType(type_name.clone().into()),
                        EdgeKind::References,
                        object,
                    );
                    setting_record = setting_method_type(type_name, name);
                }
                // Most calls are no unit of work's: ask the type only of a register call.
                // One on a mock's verification (ApexMocks' `((fflib_ISObjectUnitOfWork)
                // mocks.verify(uow)).registerNew(…)`) checks a call and saves nothing.
                if let Some(done) = unit_of_work_method(name) {
                    if !self.is_verification(object)
                        && self
                            .concrete_name(&value)
                            .is_some_and(|type_name| is_unit_of_work(&type_name))
                    {
                        writer = Writer::UnitOfWork(done);
                    }
                }
                self.type_expr(&value)
            }
        };
        self.emit_call(receiver.as_ref(), name, arity, on_this, at);
        if let Some(constant) =
            object.and_then(|object| self.enum_constant_named(object, name, arity))
        {
            self.string_value(constant, at);
        }
        let makes_no_instance = (system_call && !is_type_class(&receiver))
            || writer != Writer::Other
            || MOCKING_METHODS.iter().any(|m| name.eq_ignore_ascii_case(m));
        let (passed, first_text) = self.walk_arguments(arguments, makes_no_instance);
        let first = passed.first().map(|(_, value)| value);
        self.dynamic_field_access(receiver.as_ref(), name, arity, first_text, at);
        self.call_writes(writer, name, first, first_text, at);
        // A static method may save the records it is given ([`super::wrappers`]).
        if let (Some(receiver), true) = (&receiver, passes && !passed.is_empty()) {
            self.pass_records(receiver, name, arity, &passed, at);
        }
        if system_call {
            for &(argument, _) in &passed {
                self.read_by_system(argument);
            }
        }
        if let Some(declared) = list {
            let put = passed.last().map(|(_, value)| value);
            if let Some(records) = self.record_list_call(declared, name, put) {
                return records;
            }
        }
        if let Some(record) = setting_record {
            return Recv::Value(TypeExpr::Named(record.into()));
        }
        // `decision.getRecords()` of `Security.stripInaccessible`: the records given.
        if let Some(records) = self.decision_records(object, name, arity) {
            return Recv::Typed(records);
        }
        match receiver {
            Some(receiver) if !name.is_empty() => Recv::Value(TypeExpr::ReturnOf(
                Box::new(receiver),
                name.to_string().into(),
            )),
            _ => Recv::Unknown,
        }
    }

    /// Walks a call's arguments: each with what is known of its value, and the first's
    /// text. `makes_no_instance`: the call makes no instance of a type it is given, so a
    /// class literal among them is a plain reference.
    fn walk_arguments(
        &mut self,
        arguments: Option<Node<'t>>,
        makes_no_instance: bool,
    ) -> (Arguments<'t>, &'t str) {
        let mut passed = Arguments::new();
        let mut first_text = "";
        let Some(arguments) = arguments else {
            return (passed, first_text);
        };
        let outer = std::mem::replace(&mut self.types_not_instantiated, makes_no_instance);
        let values = self.kids(arguments);
        for &argument in &values {
            let value = self.walk(argument);
            if passed.is_empty() {
                first_text = self.text(argument);
            }
            passed.push((argument, value));
        }
        self.recycle(values);
        self.types_not_instantiated = outer;
        (passed, first_text)
    }

    /// `getRecordTypeInfos()` (and its maps, `…ByName`, `…ByDeveloperName`, `…ById`) on an
    /// object's describe (`Schema.SObjectType.X`, `X.SObjectType.getDescribe()`) lists
    /// every record type of the object: the code reads them all
    /// (`RecordType:X.*`, which the graph links to each of them), so one switched off,
    /// added or renamed changes what it counts (InnovationHubCoDevelopment's controllers
    /// keep the record types `isAvailable()` says, and their tests assert how many). A
    /// map's lookup of one by a string or a label (`.get('Wholesale')`) reads that one,
    /// which the string names. A local declared from a describe lists its object's (the
    /// platform documentation's own example: `Schema.DescribeSObjectResult d =
    /// Schema.SObjectType.Account;` then `d.getRecordTypeInfosByName()`).
    fn record_type_list(&mut self, call: Node<'t>, object: Node<'t>, value: &Recv<'t>, name: &str) {
        let lists = name
            .get(..18)
            .is_some_and(|start| start.eq_ignore_ascii_case("getrecordtypeinfos"));
        if !lists {
            return;
        }
        if self.looked_up_by_name(call) {
            return;
        }
        let described = match value {
            Recv::Describe(object_name) => Some(object_name.as_str()),
            Recv::Typed(declared) => self
                .described
                .iter()
                .find(|(local, _)| local == declared)
                .map(|(_, object_name)| object_name.as_str()),
            _ => self.described_token(object),
        };
        if let Some(object_name) = described {
            let all = ComponentId::new(RECORD_TYPE, &format!("{object_name}.*"));
            let at = child(call, fields().name).unwrap_or(call);
            self.emit(Target::Component(all), EdgeKind::Reads, at);
        }
    }

    /// Remembers a local of type `DescribeSObjectResult` declared from an object's
    /// describe (`Schema.SObjectType.X`, `X.SObjectType.getDescribe()`), for
    /// [`Self::record_type_list`]. One assigned another object's describe later keeps
    /// the first (not followed).
    pub(super) fn note_described(
        &mut self,
        declared: Node<'t>,
        value: Node<'t>,
        walked: &Recv<'t>,
    ) {
        if !strip_schema(self.text(declared)).eq_ignore_ascii_case("describesobjectresult") {
            return;
        }
        let object_name = match walked {
            Recv::Describe(object_name) => Some(object_name.clone()),
            _ => self.described_token(value).map(str::to_string),
        };
        if let Some(object_name) = object_name {
            self.described.push((declared, object_name));
        }
    }

    /// Whether `map` is looked up at once by a name a string or a label holds
    /// (`map.get('Wholesale')`, `map.get(Label.Retail_Record_Type)`).
    fn looked_up_by_name(&self, map: Node<'t>) -> bool {
        let f = fields();
        let Some(lookup) = map
            .parent()
            .filter(|p| kind_of(*p) == Kind::MethodInvocation)
        else {
            return false;
        };
        let is_get = child(lookup, f.object) == Some(map)
            && child(lookup, f.name).is_some_and(|n| self.text(n).eq_ignore_ascii_case("get"));
        let key = child(lookup, f.arguments).and_then(|arguments| {
            let mut cursor = arguments.walk();
            let keys: SmallVec<[Node<'t>; 2]> = arguments.named_children(&mut cursor).collect();
            (keys.len() == 1).then(|| keys[0])
        });
        is_get
            && key.is_some_and(|key| {
                kind_name(key) == "string_literal"
                    || (kind_name(key) == "field_access"
                        && child(key, f.object).is_some_and(|o| self.is_system_class(o, "label")))
            })
    }

    /// The object `X` of `X.SObjectType.getDescribe()` (`X` no variable).
    fn described_token(&self, call: Node<'t>) -> Option<&'t str> {
        let f = fields();
        let call = unwrapped(call);
        let is_get_describe = kind_of(call) == Kind::MethodInvocation
            && child(call, f.name)
                .is_some_and(|n| self.text(n).eq_ignore_ascii_case("getdescribe"));
        let token = child(call, f.object).filter(|_| is_get_describe)?;
        if kind_name(token) != "field_access"
            || !child(token, f.field)
                .is_some_and(|n| self.text(n).eq_ignore_ascii_case("sobjecttype"))
        {
            return None;
        }
        // Only an object's name has `.SObjectType`: `Invoice__c`, `Schema.Account`.
        let object = child(token, f.object)?;
        let text = self.text(object);
        let object_name = strip_schema(text);
        let named = match kind_name(object) {
            "identifier" => self.lookup_var(object_name).is_none(),
            _ => object_name.len() < text.len() && !object_name.contains('.'),
        };
        named.then_some(object_name)
    }

    /// Whether `receiver` is what a mock library's `verify` returns (`mocks.verify(uow)`,
    /// cast or parenthesized): calls on it check that the mock was called so.
    fn is_verification(&self, receiver: Node<'t>) -> bool {
        let call = unwrapped(receiver);
        kind_of(call) == Kind::MethodInvocation
            && child(call, fields().name)
                .is_some_and(|name| self.text(name).eq_ignore_ascii_case("verify"))
    }

    /// The writes a call makes: `Database.insert(x)` and kin, `EventBus.publish(e)`,
    /// `Test.loadData(…)`, a unit of work's register calls.
    fn call_writes(
        &mut self,
        writer: Writer,
        name: &str,
        first: Option<&Recv<'t>>,
        first_text: &str,
        at: Node<'t>,
    ) {
        // `Test.loadData(Invoice__c.SObjectType, 'Seed')` inserts the rows, so the
        // object's triggers, flows and rules run.
        if writer == Writer::Test && name.eq_ignore_ascii_case("loaddata") {
            let object = sobject_of_token(first_text).unwrap_or("*");
            let write = Target::Dml {
                object: object.to_string().into(),
                events: DmlEvents::INSERT,
            };
            self.emit(write, EdgeKind::Writes, at);
        }
        if writer == Writer::Database && name.eq_ignore_ascii_case("convertlead") {
            for (object, events) in LEAD_CONVERSION {
                let write = Target::Dml {
                    object: object.into(),
                    events,
                };
                self.emit(write, EdgeKind::Writes, at);
            }
        }
        // A unit of work's register call is the DML its commit runs.
        let done = match writer {
            Writer::UnitOfWork(done) => Some(done),
            Writer::EventBus if name.eq_ignore_ascii_case("publish") => Some(RecordWrite::Publish),
            Writer::Database if is_database_dml(name) => {
                Some(RecordWrite::Save(DmlEvents::of_operation(name)))
            }
            _ => None,
        };
        match done {
            // Publishing a platform event inserts it: its triggers and flows run.
            Some(RecordWrite::Publish) => {
                let mut object = self.dml_object(first);
                if object == "*" {
                    // Any platform event, but not any object: DML cannot write events.
                    object = "*__e".to_string();
                }
                let write = Target::Dml {
                    object: object.into(),
                    events: DmlEvents::INSERT,
                };
                self.emit(write, EdgeKind::Writes, at);
            }
            Some(RecordWrite::Save(events)) => {
                for write in self.dml_writes(first, events, at) {
                    self.emit(write, EdgeKind::Writes, at);
                }
            }
            None => {}
        }
    }

    /// `invoice.get('Amount__c')`, `invoice.put('Amount__c', 5)` on a record of a known
    /// object read and write the field the string (the first argument, `first`) names.
    fn dynamic_field_access(
        &mut self,
        receiver: Option<&TypeExpr<'static>>,
        method: &str,
        arity: u32,
        first: &str,
        at: Node<'t>,
    ) {
        let (Some(TypeExpr::Named(type_name)), Some(field)) = (receiver, literal_content(first))
        else {
            return;
        };
        let write = method.eq_ignore_ascii_case("put") && arity == 2;
        let read = method.eq_ignore_ascii_case("get") && arity == 1;
        let object = strip_schema(type_name);
        if !(read || write) || !looks_like_sobject(object) || !is_simple_name(field) {
            return;
        }
        let kind = if write {
            EdgeKind::Writes
        } else {
            EdgeKind::Reads
        };
        let target = Target::Field {
            object: object.to_string().into(),
            field: field.to_string().into(),
        };
        self.emit(target, kind, at);
    }

    /// `new C(args)`: a type reference and a constructor call; `new Obj__c(F__c = v)`
    /// also writes the named fields.
    pub(super) fn object_creation(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let type_node = child(node, f.type_);
        let type_name = type_node.map(|t| self.type_text(t));
        if let Some(type_node) = type_node {
            self.emit_type(type_node, EdgeKind::References, 0);
        }
        let arguments = child(node, f.arguments);
        if let Some(type_name) = &type_name {
            self.emit(
                Target::Member {
                    receiver: TypeExpr::Named(type_name.clone().into()),
                    member: "<init>".into(),
                    arity: Some(arguments.map_or(0, |a| self.count_args(a))),
                    on_this: false,
                },
                EdgeKind::Calls,
                type_node.unwrap_or(node),
            );
        }
        if let Some(arguments) = arguments {
            let list = self.kids(arguments);
            let mut values: Vec<String> = Vec::new();
            for &argument in &list {
                // `new Invoice__c(Amount__c = 5)` sets a field of the new record.
                let left = (kind_name(argument) == "assignment_expression")
                    .then(|| child(argument, f.left))
                    .flatten()
                    .filter(|left| kind_name(*left) == "identifier");
                match (left, &type_name) {
                    (Some(left), Some(type_name)) => {
                        self.emit(
                            Target::Field {
                                object: strip_schema(type_name).to_string().into(),
                                field: self.text(left).to_string().into(),
                            },
                            EdgeKind::Writes,
                            left,
                        );
                        if let Some(right) = child(argument, f.right) {
                            let literal = (kind_name(right) == "string_literal")
                                .then(|| literal_content(self.text(right)))
                                .flatten();
                            values.extend(literal.map(str::to_string));
                            self.walk(right);
                        }
                    }
                    _ => {
                        self.walk(argument);
                    }
                }
            }
            self.recycle(list);
            if values.len() >= 2 {
                self.emit(Target::Registration(values), EdgeKind::StringRef, node);
            }
        }
        if let Some(body) = self.find_kind(node, "class_body") {
            self.walk_children(body);
        }
        type_name.map_or(Recv::Unknown, |t| Recv::Value(TypeExpr::Named(t.into())))
    }

    /// `new List<X>{…}`, `new X[n]`, `new Map<K, V>{…}`. A list of untyped records
    /// built from typed values (`new SObject[]{ a, b }`) keeps the values' types.
    pub(super) fn collection_creation(&mut self, node: Node<'t>) -> Recv<'t> {
        let f = fields();
        let type_node = child(node, f.type_);
        let mut array = false;
        let mut elements = None;
        let parts = self.kids(node);
        for &part in &parts {
            if type_node.is_some_and(|t| t.id() == part.id()) {
                self.emit_type(part, EdgeKind::References, 0);
                continue;
            }
            array |= matches!(kind_name(part), "dimensions" | "dimensions_expr");
            if kind_name(part) == "array_initializer" {
                elements = self.initializer_types(part);
                continue;
            }
            self.walk(part);
        }
        self.recycle(parts);
        let declared = match type_node.map(|t| self.type_text(t)) {
            Some(t) if array => format!("{t}[]"),
            Some(t) => t,
            None => return Recv::Unknown,
        };
        match elements {
            Some(elements)
                if !elements.is_empty()
                    && is_untyped_record(strip_schema(element_type(&declared))) =>
            {
                Recv::Elements { declared, elements }
            }
            _ => Recv::Value(TypeExpr::Named(declared.into())),
        }
    }

    /// Walks the values of `{ a, b }`; their types when every one is a typed value.
    fn initializer_types(&mut self, initializer: Node<'t>) -> Option<Vec<TypeExpr<'static>>> {
        let values = self.kids(initializer);
        let mut types = Some(Vec::with_capacity(values.len()));
        for &value in &values {
            let recv = self.walk(value);
            match (self.value_type(&recv), types.as_mut()) {
                (Some(found), Some(list)) => list.push(found),
                _ => types = None,
            }
        }
        self.recycle(values);
        types
    }

    /// The superclass's constructor a constructor runs first when it begins with neither
    /// `this(…)` nor `super(…)`, as Apex runs it: `super()` with no arguments
    /// (NebulaFramework: `new QueryFilter()` runs `NebulaCore()`, which no code names).
    pub(super) fn implicit_super_call(&mut self, body: Node<'t>) {
        let mut first = None;
        self.scan(body, |statement| {
            first = Some(statement);
            false
        });
        if first.is_some_and(|statement| kind_of(statement) == Kind::ExplicitConstructor) {
            return;
        }
        let value = self.super_value();
        if let Some(receiver) = self.type_expr(&value) {
            self.emit(
                Target::Member {
                    receiver,
                    member: "<init>".into(),
                    arity: Some(0),
                    // Marks the call as implicit: a superclass that declares no
                    // constructor runs none of its code here.
                    on_this: true,
                },
                EdgeKind::Calls,
                body,
            );
        }
    }

    /// `this(args)` / `super(args)` at the start of a constructor.
    pub(super) fn constructor_call(&mut self, node: Node<'t>) {
        let f = fields();
        if let Some(object) = child(node, f.object) {
            self.walk(object);
        }
        let arguments = child(node, f.arguments);
        if let Some(constructor) = child(node, f.constructor) {
            let value = if kind_name(constructor) == "super" {
                self.super_value()
            } else {
                self.this_value()
            };
            if let Some(receiver) = self.type_expr(&value) {
                self.emit(
                    Target::Member {
                        receiver,
                        member: "<init>".into(),
                        arity: Some(arguments.map_or(0, |a| self.count_args(a))),
                        on_this: false,
                    },
                    EdgeKind::Calls,
                    constructor,
                );
            }
        }
        if let Some(arguments) = arguments {
            self.walk(arguments);
        }
    }

    /// `insert x;` and the other DML statements: a write of the records' object.
    pub(super) fn dml(&mut self, node: Node<'t>) {
        let f = fields();
        let value = child(node, f.target).map(|target| self.walk(target));
        let object = self.dml_object(value.as_ref());
        let operation = named_children(node)
            .into_iter()
            .find(|child| kind_name(*child) == "dml_type")
            .map_or("", |kind| self.text(kind));
        for write in self.dml_writes(value.as_ref(), DmlEvents::of_operation(operation), node) {
            self.emit(write, EdgeKind::Writes, node);
        }
        if let Some(key) = child(node, f.upsert_key) {
            let key = self.type_text(key);
            let (key_object, key_field) = match key.split_once('.') {
                Some((key_object, key_field)) => (strip_schema(key_object).to_string(), key_field),
                None => (object, key.as_str()),
            };
            if key_object != "*" {
                self.emit(
                    Target::Field {
                        object: key_object.into(),
                        field: key_field.to_string().into(),
                    },
                    EdgeKind::Reads,
                    node,
                );
            }
        }
        if let Some(merged) = child(node, f.merge_with) {
            self.walk(merged);
        }
    }

    /// The writes of a DML statement on `value`: one per object of a list built from
    /// typed values, a write the graph resolves when the records' type is declared in
    /// another class, else the object this file tells (`*` when it cannot).
    pub(super) fn dml_writes(
        &mut self,
        value: Option<&Recv<'t>>,
        events: DmlEvents,
        at: Node<'t>,
    ) -> Vec<Target<'static>> {
        // A local list of untyped records: written at the member's end.
        if self.defer_record_write(value, events, at) {
            return Vec::new();
        }
        let Some(Recv::Elements { elements, .. }) = value else {
            return vec![self.dml_write(value, events)];
        };
        let mut writes: Vec<Target<'static>> = Vec::new();
        for element in elements {
            let write = self.dml_write(Some(&Recv::Value(element.clone())), events);
            if matches!(&write, Target::Dml { object, .. } if object == "*") {
                return vec![write];
            }
            if !writes.contains(&write) {
                writes.push(write);
            }
        }
        writes
    }

    /// The write of DML on one value: write to the graph when the value is a chain
    /// this file cannot type (a member of another class).
    fn dml_write(&self, value: Option<&Recv<'t>>, events: DmlEvents) -> Target<'static> {
        if let Some(Recv::Value(expr)) = value {
            if !matches!(expr, TypeExpr::Named(_)) && self.resolve_local(expr).is_none() {
                return Target::DmlOf {
                    records: expr.clone(),
                    events,
                };
            }
        }
        Target::Dml {
            object: self.dml_object(value).into(),
            events,
        }
    }

    /// The object a DML statement writes, or `*` when the type cannot be told.
    pub(super) fn dml_object(&self, value: Option<&Recv<'t>>) -> String {
        let Some(type_name) = value.and_then(|value| self.concrete_name(value)) else {
            return "*".to_string();
        };
        let object = strip_schema(element_type(&type_name));
        if !is_simple_name(object)
            || is_untyped_record(object)
            || self.table.resolve_type(object, self.class).is_some()
        {
            return "*".to_string();
        }
        object.to_string()
    }

    /// Records the type names of a type node: the base with `kind` (extends, implements
    /// or references), generic arguments as references.
    pub(super) fn emit_type(&mut self, node: Node<'t>, kind: EdgeKind, depth: u32) {
        if depth > 32 {
            return;
        }
        match kind_name(node) {
            "type_identifier" => {
                let name = self.text(node).to_string();
                self.emit(Target::ApexType(name.into()), kind, node);
            }
            "scoped_type_identifier" => {
                let parts = self.kids(node);
                if parts.iter().any(|part| kind_name(*part) == "generic_type") {
                    for part in parts {
                        self.emit_type(part, EdgeKind::References, depth + 1);
                    }
                } else {
                    let name = self.type_text(node);
                    // A flow interview's type names the flow it runs.
                    let target = match interview_flow(&name) {
                        Some(flow) => Target::Component(ComponentId::new(FLOW, flow)),
                        None => Target::ApexType(name.into()),
                    };
                    self.emit(target, kind, node);
                }
            }
            "generic_type" => {
                for part in self.kids(node) {
                    if kind_name(part) == "type_arguments" {
                        for argument in self.kids(part) {
                            self.emit_type(argument, EdgeKind::References, depth + 1);
                        }
                    } else {
                        self.emit_type(part, kind, depth + 1);
                    }
                }
            }
            "array_type" => {
                if let Some(element) = child(node, fields().element) {
                    self.emit_type(element, kind, depth + 1);
                }
            }
            "annotated_type" => {
                for part in self.kids(node) {
                    if kind_name(part) != "annotation" {
                        self.emit_type(part, kind, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// A type as written, whitespace and comments removed.
    pub(super) fn type_text(&self, node: Node<'t>) -> String {
        let raw = self.text(node);
        if !raw.contains('/') {
            return normalize_type(raw);
        }
        // A comment inside the type: rebuild it from its leaf tokens.
        let mut out = String::new();
        let mut stack = vec![node];
        while let Some(current) = stack.pop() {
            if is_comment(current) {
                continue;
            }
            if current.child_count() == 0 {
                out.push_str(self.text(current));
                continue;
            }
            let mut cursor = current.walk();
            let children: Vec<Node<'t>> = current.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        normalize_type(&out)
    }

    /// The receiver type of a value, for a call or access on it.
    pub(super) fn type_expr(&self, value: &Recv<'t>) -> Option<TypeExpr<'static>> {
        match value {
            Recv::Unknown => None,
            Recv::Static(name) => Some(TypeExpr::Named(name.clone().into())),
            Recv::Typed(node) => Some(TypeExpr::Named(self.type_text(*node).into())),
            Recv::Value(expr) => Some(expr.clone()),
            Recv::Describe(_) => Some(TypeExpr::Named("Schema.DescribeSObjectResult".into())),
            Recv::DescribeFields(_) => Some(TypeExpr::Named("Schema.SObjectTypeFields".into())),
            Recv::DescribeFieldSets(_) => Some(TypeExpr::Named("Schema.FieldSets".into())),
            Recv::Elements { declared, .. } => Some(TypeExpr::Named(declared.clone().into())),
        }
    }

    /// The type of a value that is a typed expression (a variable, a field, a call, a
    /// creation), not a bare name that may be a type.
    fn value_type(&self, value: &Recv<'t>) -> Option<TypeExpr<'static>> {
        match value {
            Recv::Typed(_) | Recv::Value(_) | Recv::Elements { .. } => self.type_expr(value),
            _ => None,
        }
    }

    /// The declared type name of a value, as far as this file tells it.
    pub(super) fn concrete_name(&self, value: &Recv<'t>) -> Option<String> {
        match value {
            Recv::Typed(node) => Some(self.type_text(*node)),
            Recv::Value(expr) => self.resolve_local(expr),
            Recv::Elements { declared, .. } => Some(declared.clone()),
            _ => None,
        }
    }

    /// A type expression resolved through this file's declarations.
    pub(super) fn resolve_local(&self, expr: &TypeExpr<'static>) -> Option<String> {
        match expr {
            TypeExpr::Named(name) => Some(name.to_string()),
            TypeExpr::ReturnOf(inner, member) | TypeExpr::MemberOf(inner, member) => {
                let owner = self.resolve_local(inner)?;
                if matches!(expr, TypeExpr::ReturnOf(..)) {
                    if let Some(returned) = method_type(&owner, member) {
                        return Some(returned);
                    }
                }
                let class = self.table.resolve_type(&owner, self.class)?;
                let found = if matches!(expr, TypeExpr::ReturnOf(..)) {
                    self.table.find_method(class, member)
                } else {
                    self.table.find_field(class, member)
                };
                found.map(|(_, type_node)| self.type_text(type_node))
            }
        }
    }
}

/// A call's arguments and what is known of their values: most calls have a few, kept
/// inline.
type Arguments<'t> = SmallVec<[(Node<'t>, Recv<'t>); 4]>;

/// Methods that make a stand-in for the type they are given, never an instance of it:
/// `Test.createStub`, `Test.setMock`, ApexMocks' `mocks.mock(X.class)`, an fflib
/// factory's `setMock(IService.class, mock)`.
const MOCKING_METHODS: [&str; 3] = ["mock", "createStub", "setMock"];

/// Whether a call's receiver is `Type` (`Type.forName(X.class.getName())`), the one
/// system class whose static methods lead to an instance of a type.
fn is_type_class(receiver: &Option<TypeExpr>) -> bool {
    matches!(receiver, Some(TypeExpr::Named(name))
        if name.eq_ignore_ascii_case("type") || name.eq_ignore_ascii_case("system.type"))
}

/// The receiver of a call, where that makes the call a write.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Writer {
    /// `Database`: `Database.insert(x)` and kin.
    Database,
    /// `Test`: `Test.loadData(…)`.
    Test,
    /// `EventBus`: `EventBus.publish(e)`.
    EventBus,
    /// A unit of work ([`is_unit_of_work`]) called by a register method
    /// (`uow.registerNew(x)`), and what its commit does with the records.
    UnitOfWork(RecordWrite),
    Other,
}

impl Writer {
    /// The writer a system class named as a receiver is (`Database`, `System.Test`).
    fn of_class(type_name: &str) -> Writer {
        let name = type_name
            .get(..7)
            .filter(|prefix| prefix.eq_ignore_ascii_case("system."))
            .map_or(type_name, |_| &type_name[7..]);
        [
            ("database", Writer::Database),
            ("test", Writer::Test),
            ("eventbus", Writer::EventBus),
        ]
        .into_iter()
        .find(|(class, _)| name.eq_ignore_ascii_case(class))
        .map_or(Writer::Other, |(_, writer)| writer)
    }
}

/// How a name after a type path reads: see [`Walker::segment`].
enum Segment {
    Type,
    Member,
    Ambiguous,
}

/// Whether a member name could be an SObject field: a custom suffix, or a capitalized
/// name that is not an ALL_CAPS constant.
fn may_be_field(name: &str) -> bool {
    has_custom_suffix(name)
        || (name.starts_with(|ch: char| ch.is_ascii_uppercase())
            && name.bytes().any(|byte| byte.is_ascii_lowercase()))
}

/// The object of an `X.SObjectType` / `Schema.X.SObjectType` expression.
fn sobject_of_token(text: &str) -> Option<&str> {
    let segments: Vec<&str> = text.split('.').map(str::trim).collect();
    let position = segments
        .iter()
        .position(|segment| segment.eq_ignore_ascii_case("sobjecttype"))?;
    let object = *segments.get(position.checked_sub(1)?)?;
    let is_name = !object.is_empty()
        && object
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    is_name.then_some(object)
}
