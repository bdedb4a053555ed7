//! Text helpers of the Apex parser: type-name normalization, collection element types,
//! SObject-name heuristics, the string-literal rule and the grammar's field ids.
//!
//! Nothing here walks a tree; every function looks at one string or one node.

use crate::facts::DmlEvents;
use std::sync::OnceLock;
use tree_sitter::{Language, Node};

/// Field ids of the Apex grammar, looked up once: `child_by_field_name` would scan the
/// grammar's field names on every call.
pub(super) struct FieldIds {
    pub alternative: u16,
    pub arguments: u16,
    pub array: u16,
    pub body: u16,
    pub condition: u16,
    pub consequence: u16,
    pub constructor: u16,
    pub element: u16,
    pub field: u16,
    pub from_clause: u16,
    pub index: u16,
    pub interfaces: u16,
    pub key: u16,
    pub left: u16,
    pub merge_with: u16,
    pub name: u16,
    pub object: u16,
    pub parameters: u16,
    pub right: u16,
    pub superclass: u16,
    pub target: u16,
    pub type_: u16,
    pub upsert_key: u16,
    pub value: u16,
}

/// The grammar's field ids (0 for a name the grammar lacks: never matches).
pub(super) fn fields() -> &'static FieldIds {
    static IDS: OnceLock<FieldIds> = OnceLock::new();
    IDS.get_or_init(|| {
        let language = Language::new(tree_sitter_sfapex::apex::LANGUAGE);
        let id = |name: &str| language.field_id_for_name(name).map_or(0, |id| id.get());
        FieldIds {
            alternative: id("alternative"),
            arguments: id("arguments"),
            array: id("array"),
            body: id("body"),
            condition: id("condition"),
            consequence: id("consequence"),
            constructor: id("constructor"),
            element: id("element"),
            field: id("field"),
            from_clause: id("from_clause"),
            index: id("index"),
            interfaces: id("interfaces"),
            key: id("key"),
            left: id("left"),
            merge_with: id("merge_with"),
            name: id("name"),
            object: id("object"),
            parameters: id("parameters"),
            right: id("right"),
            superclass: id("superclass"),
            target: id("target"),
            type_: id("type"),
            upsert_key: id("upsert_key"),
            value: id("value"),
        }
    })
}

/// The child in field `id`, if any.
pub(super) fn child<'t>(node: Node<'t>, id: u16) -> Option<Node<'t>> {
    if id == 0 {
        return None;
    }
    node.child_by_field_id(id)
}

/// The node kinds the walk dispatches on; everything else is [`Kind::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Other,
    Comment,
    Identifier,
    This,
    Super,
    StringLiteral,
    FieldAccess,
    MethodInvocation,
    ObjectCreation,
    CollectionCreation,
    Cast,
    Parenthesized,
    Instanceof,
    ClassLiteral,
    ArrayAccess,
    Ternary,
    Assignment,
    Binary,
    If,
    Dml,
    Query,
    ExplicitConstructor,
    ScopedBlock,
    LocalDeclaration,
    EnhancedFor,
    Catch,
    SwitchRule,
    WhenSObjectType,
    FormalParameter,
    Annotation,
    AnnotationKeyValue,
    VariableDeclarator,
    Type,
    Return,
    Ignored,
}

fn classify(name: &str) -> Kind {
    match name {
        "line_comment" | "block_comment" => Kind::Comment,
        "identifier" => Kind::Identifier,
        "this" => Kind::This,
        "super" => Kind::Super,
        "string_literal" | "multi_line_string_literal" => Kind::StringLiteral,
        "field_access" => Kind::FieldAccess,
        "method_invocation" => Kind::MethodInvocation,
        "object_creation_expression" => Kind::ObjectCreation,
        "array_creation_expression" | "map_creation_expression" => Kind::CollectionCreation,
        "cast_expression" => Kind::Cast,
        "parenthesized_expression" => Kind::Parenthesized,
        "instanceof_expression" => Kind::Instanceof,
        "class_literal" => Kind::ClassLiteral,
        "array_access" => Kind::ArrayAccess,
        "ternary_expression" => Kind::Ternary,
        "assignment_expression" => Kind::Assignment,
        "binary_expression" => Kind::Binary,
        "if_statement" => Kind::If,
        "dml_expression" => Kind::Dml,
        "query_expression" => Kind::Query,
        "explicit_constructor_invocation" => Kind::ExplicitConstructor,
        "block" | "constructor_body" | "trigger_body" | "for_statement" => Kind::ScopedBlock,
        "local_variable_declaration" => Kind::LocalDeclaration,
        "enhanced_for_statement" => Kind::EnhancedFor,
        "catch_clause" => Kind::Catch,
        "switch_rule" => Kind::SwitchRule,
        "when_sobject_type" => Kind::WhenSObjectType,
        "formal_parameter" => Kind::FormalParameter,
        "annotation" => Kind::Annotation,
        "annotation_key_value" => Kind::AnnotationKeyValue,
        "variable_declarator" => Kind::VariableDeclarator,
        "type_identifier" | "scoped_type_identifier" | "generic_type" | "array_type" => Kind::Type,
        "return_statement" => Kind::Return,
        "java_field_access" | "java_type" | "version_expression" => Kind::Ignored,
        _ => Kind::Other,
    }
}

/// Per node kind id: its [`Kind`], and whether its text keeps its case in hashes
/// (string literals). Looked up by id: `Node::kind` measures and checks a C string on
/// every call, and the walk asks for every node.
struct KindTable {
    kind: Vec<Kind>,
    keeps_case: Vec<bool>,
    /// The grammar's name of each kind, as `Node::kind` gives it.
    name: Vec<Box<str>>,
}

fn kinds() -> &'static KindTable {
    static KINDS: OnceLock<KindTable> = OnceLock::new();
    KINDS.get_or_init(|| {
        let language = Language::new(tree_sitter_sfapex::apex::LANGUAGE);
        let count = language.node_kind_count();
        let mut table = KindTable {
            kind: vec![Kind::Other; count],
            keeps_case: vec![false; count],
            name: vec![Box::from(""); count],
        };
        for index in 0..count {
            let Ok(id) = u16::try_from(index) else {
                continue;
            };
            let Some(name) = language.node_kind_for_id(id) else {
                continue;
            };
            table.name[index] = Box::from(name);
            // Keywords are anonymous nodes named like some rules (`this`, `super`).
            if language.node_kind_is_named(id) {
                table.kind[index] = classify(name);
            }
            table.keeps_case[index] = matches!(
                name,
                "string_literal" | "multi_line_string_literal" | "term"
            );
        }
        table
    })
}

/// A node's kind as `Node::kind` names it, read from a table by kind id (`Node::kind`
/// measures and checks a C string on every call); `ERROR` and other kinds outside the
/// table are asked of the node.
pub(super) fn kind_name<'t>(node: Node<'t>) -> &'t str {
    match kinds().name.get(usize::from(node.kind_id())) {
        Some(name) if !name.is_empty() => name.as_ref(),
        _ => node.kind(),
    }
}

/// The walk's [`Kind`] of a node.
pub(super) fn kind_of(node: Node) -> Kind {
    kinds()
        .kind
        .get(usize::from(node.kind_id()))
        .copied()
        .unwrap_or(Kind::Other)
}

/// True for the grammar's comment nodes, which may appear among any node's children.
pub(super) fn is_comment(node: Node) -> bool {
    kind_of(node) == Kind::Comment
}

/// A node's [`Kind`], and whether its text keeps its case in hashes (string contents),
/// from one lookup of its kind id: the token pass asks both of every node (and asked
/// `Node::kind` as well, which measures and checks a C string: a tenth of that pass).
pub(super) fn kind_and_case(node: Node) -> (Kind, bool) {
    let table = kinds();
    let id = usize::from(node.kind_id());
    (
        table.kind.get(id).copied().unwrap_or(Kind::Other),
        table.keeps_case.get(id).copied().unwrap_or(false),
    )
}

/// Named children without comments, collected (a cursor cannot outlive the loop that
/// would need `&mut self`).
pub(super) fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| !is_comment(*child))
        .collect()
}

/// The first named, non-comment child of `node` of kind `kind`.
pub(super) fn find_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .find(|child| kind_name(*child) == kind);
    found
}

/// Whether an expression is the current object: `this`, also parenthesized or cast
/// (`((TriggerAction.AfterUpdate) this).afterUpdate()` runs on the same object).
pub(super) fn is_this(node: Node) -> bool {
    kind_of(unwrapped(node)) == Kind::This
}

/// The expression inside casts and parentheses: `x` of `((Type) (x))`.
pub(super) fn unwrapped(node: Node) -> Node {
    let mut node = node;
    loop {
        let inner = match kind_of(node) {
            Kind::Cast => child(node, fields().value),
            Kind::Parenthesized => first_named(node),
            _ => None,
        };
        match inner {
            Some(inner) => node = inner,
            None => return node,
        }
    }
}

/// The first named, non-comment child of `node`.
pub(super) fn first_named(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .find(|child| !is_comment(*child));
    found
}

/// 1-based line of a node's start.
pub(super) fn line_of(node: Node) -> u32 {
    u32::try_from(node.start_position().row).map_or(u32::MAX, |row| row.saturating_add(1))
}

/// 1-based first and last line of a node.
pub(super) fn lines_of(node: Node) -> (u32, u32) {
    let end = u32::try_from(node.end_position().row).map_or(u32::MAX, |row| row.saturating_add(1));
    (line_of(node), end)
}

/// The flow an interview type runs: Apex starts a flow with `new
/// Flow.Interview.Approve_Order(inputs)`, so `Flow.Interview.Approve_Order` is the flow
/// `Approve_Order` (a namespace before the name, `Flow.Interview.ns.Approve_Order`, is
/// left out: the flow's file does not carry it).
pub(super) fn interview_flow(type_name: &str) -> Option<&str> {
    const PREFIX: &str = "flow.interview.";
    let head = type_name.get(..PREFIX.len())?;
    if !head.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    let name = type_name[PREFIX.len()..].rsplit('.').next()?;
    (!name.is_empty()).then_some(name)
}

/// A type as written, without whitespace, and `", "` between generic arguments:
/// `Map< Id ,Invoice__c >` is `Map<Id, Invoice__c>`.
pub(super) fn normalize_type(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for ch in raw.chars() {
        if ch.is_whitespace() {
            continue;
        }
        out.push(ch);
        if ch == ',' {
            out.push(' ');
        }
    }
    out
}

/// Namespaces and classes of the platform whose capitalized members are types
/// (`Database.SaveResult`, `Schema.SObjectType`, `Messaging.SingleEmailMessage`).
const SYSTEM_NAMESPACES: [&str; 24] = [
    "apexpages",
    "auth",
    "cache",
    "canvas",
    "commercepayments",
    "connectapi",
    "database",
    "dataweave",
    "dom",
    "eventbus",
    "flow",
    "functions",
    "invocable",
    "kbmanagement",
    "messaging",
    "metadata",
    "process",
    "quickaction",
    "reports",
    "schema",
    "search",
    "site",
    "support",
    "system",
];

/// Whether `name` is a platform namespace whose capitalized members are types.
pub(super) fn is_system_namespace(name: &str) -> bool {
    SYSTEM_NAMESPACES
        .iter()
        .any(|namespace| name.eq_ignore_ascii_case(namespace))
}

/// Classes of the `System` namespace, written without it, whose static methods take
/// records and save none (`JSON.serialize(invoice)`, `Assert.isNotNull(invoice)`,
/// `Security.stripInaccessible(…, invoices)`): a call of one passes no record to a
/// class outside the repository ([`crate::facts::Target::DmlThrough`]).
const SYSTEM_CLASSES: [&str; 30] = [
    "approval",
    "assert",
    "blob",
    "boolean",
    "crypto",
    "date",
    "datetime",
    "decimal",
    "double",
    "encodingutil",
    "featuremanagement",
    "formula",
    "http",
    "id",
    "integer",
    "json",
    "limits",
    "list",
    "long",
    "map",
    "math",
    "object",
    "pattern",
    "security",
    "set",
    "sobject",
    "string",
    "test",
    "trigger",
    "userinfo",
];

/// Whether `type_name` is the platform's: in one of its namespaces
/// (`Database.QueryLocator`), or a class of the `System` namespace written without it
/// whose static methods save no record ([`SYSTEM_CLASSES`]: `JSON`).
pub(super) fn is_platform_class(type_name: &str) -> bool {
    type_name.split('.').next().is_some_and(is_system_namespace)
        || SYSTEM_CLASSES
            .iter()
            .any(|class| type_name.eq_ignore_ascii_case(class))
}

/// Types a DML statement cannot tell the object from (`SObject`, an `Id`).
pub(super) fn is_untyped_record(name: &str) -> bool {
    ["sobject", "object", "id", "string"]
        .iter()
        .any(|generic| name.eq_ignore_ascii_case(generic))
}

/// A plain identifier: ASCII letters, digits and `_`.
pub(super) fn is_simple_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}

/// What `Database.convertLead` writes: the lead, updated as converted, and the
/// account, contact and opportunity it is converted into, inserted, or merged into
/// existing ones the conversion names (counted as updates). Their after triggers run on
/// every conversion, before triggers and validation rules only where the org enforces
/// them on conversion (Lead Settings): counted either way, the safer side.
pub(super) const LEAD_CONVERSION: [(&str, DmlEvents); 4] = [
    ("Lead", DmlEvents::UPDATE),
    ("Account", DmlEvents::INSERT.union(DmlEvents::UPDATE)),
    ("Contact", DmlEvents::INSERT.union(DmlEvents::UPDATE)),
    ("Opportunity", DmlEvents::INSERT.union(DmlEvents::UPDATE)),
];

/// `Database` methods that write records.
pub(super) fn is_database_dml(method: &str) -> bool {
    [
        "insert",
        "update",
        "upsert",
        "delete",
        "undelete",
        "merge",
        "insertasync",
        "updateasync",
        "deleteasync",
        "insertimmediate",
        "updateimmediate",
        "deleteimmediate",
    ]
    .iter()
    .any(|name| method.eq_ignore_ascii_case(name))
}

/// What a call does with the records it is handed (`Database.insert(invoices)`,
/// `EventBus.publish(event)`, a unit of work's `registerNew(invoices)` once the work is
/// committed).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum RecordWrite {
    /// DML of these events (`registerNew` inserts, `registerDirty` updates, …).
    Save(DmlEvents),
    /// `EventBus.publish` of the platform events handed over.
    Publish,
}

/// A unit of work's register method (fflib's `fflib_ISObjectUnitOfWork`, or any type
/// [`is_unit_of_work`] takes for one) and what committing the work does with its
/// records. `registerRelationship` and `registerEmptyRecycleBin` run no automation.
pub(super) fn unit_of_work_method(method: &str) -> Option<RecordWrite> {
    const METHODS: [(&str, RecordWrite); 8] = [
        ("registerNew", RecordWrite::Save(DmlEvents::INSERT)),
        ("registerDirty", RecordWrite::Save(DmlEvents::UPDATE)),
        (
            "registerUpsert",
            RecordWrite::Save(DmlEvents::INSERT.union(DmlEvents::UPDATE)),
        ),
        ("registerDeleted", RecordWrite::Save(DmlEvents::DELETE)),
        (
            "registerPermanentlyDeleted",
            RecordWrite::Save(DmlEvents::DELETE),
        ),
        ("registerPublishBeforeTransaction", RecordWrite::Publish),
        (
            "registerPublishAfterSuccessTransaction",
            RecordWrite::Publish,
        ),
        (
            "registerPublishAfterFailureTransaction",
            RecordWrite::Publish,
        ),
    ];
    // Most calls are not `register…`: a byte compare before the table.
    if !method
        .get(..8)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("register"))
    {
        return None;
    }
    METHODS
        .iter()
        .find(|(name, _)| method.eq_ignore_ascii_case(name))
        .map(|&(_, write)| write)
}

/// Whether a declared type is a unit of work: its name, namespace and generics aside,
/// ends with `UnitOfWork` (`fflib_ISObjectUnitOfWork`, `fflib_SObjectUnitOfWork`, a
/// team's own `UnitOfWork`). fflib is often a package the org installs, not code in the
/// repository, so its register calls are read as the DML they defer.
pub(super) fn is_unit_of_work(type_name: &str) -> bool {
    const SUFFIX: &str = "unitofwork";
    let name = type_name.split('<').next().unwrap_or(type_name).trim();
    let name = name.rsplit('.').next().unwrap_or(name);
    name.len() >= SUFFIX.len()
        && name.as_bytes()[name.len() - SUFFIX.len()..].eq_ignore_ascii_case(SUFFIX.as_bytes())
}

/// The content of a string literal token (`'x'` or `'''x'''`).
pub(super) fn literal_content(raw: &str) -> Option<&str> {
    if raw.len() >= 6 && raw.starts_with("'''") && raw.ends_with("'''") {
        return raw.get(3..raw.len() - 3);
    }
    if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
        return raw.get(1..raw.len() - 1);
    }
    None
}

/// The name a string literal gives a component, if it could name one: the literal
/// itself (without a `LIKE` pattern's `%` around it) when it is name-like
/// ([`name_like_literal`]) or a record type's label ([`label_like_literal`]), or the
/// named credential of a callout endpoint (`'callout:Billing_API/invoices?id='` names
/// `Billing_API`).
pub(crate) fn literal_name(content: &str) -> Option<&str> {
    const CALLOUT: &str = "callout:";
    let name = match content.get(..CALLOUT.len()) {
        Some(prefix) if prefix.eq_ignore_ascii_case(CALLOUT) => {
            let rest = &content[CALLOUT.len()..];
            &rest[..rest.find(['/', '?']).unwrap_or(rest.len())]
        }
        // A `LIKE` pattern's wildcards around a name (`'%Sub-Branch%'`) look for it.
        _ => content.trim_matches('%'),
    };
    (name_like_literal(name) || label_like_literal(name)).then_some(name)
}

/// Whether a string literal's content could be a record type's label (`'Sub-Branch'`,
/// `'General Opportunity'`, as `RecordType.Name` and `getRecordTypeInfosByName()` read
/// it): words of letters and digits joined by spaces or hyphens, 2 to 80 characters,
/// starting with a letter. Only record types go by such a name
/// ([`crate::facts::Declaration::alias`]); any other phrase names nothing.
fn label_like_literal(content: &str) -> bool {
    (2..=80).contains(&content.len())
        && content.starts_with(|ch: char| ch.is_ascii_alphabetic())
        && !content.ends_with([' ', '-'])
        && content.contains([' ', '-'])
        && !content.contains("  ")
        && content
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b' ' | b'-'))
}

/// Whether a string literal's content could name a component: an identifier, a dotted
/// name or `Type:Name`, 2 to 80 characters, starting with a letter.
fn name_like_literal(content: &str) -> bool {
    (2..=80).contains(&content.len())
        && content.starts_with(|ch: char| ch.is_ascii_alphabetic())
        && content
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b':'))
}

/// The file's top-level type declarations in source order, looking through error
/// recovery nodes.
pub(super) fn top_declarations(root: Node) -> Vec<Node> {
    let mut found = Vec::new();
    let mut stack: Vec<Node> = named_children(root).into_iter().rev().collect();
    while let Some(node) = stack.pop() {
        match kind_name(node) {
            "class_declaration" | "interface_declaration" | "enum_declaration" => found.push(node),
            _ if node.is_error() => stack.extend(named_children(node).into_iter().rev()),
            _ => {}
        }
    }
    found
}
