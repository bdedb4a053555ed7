use super::*;
use crate::facts::{EdgeKind, Target, TestMark, TypeExpr, Use};

fn class(name: &str, source: &str) -> Facts {
    parse_apex(
        &ComponentId::new("ApexClass", name),
        ApexFileKind::Class,
        source,
    )
}

fn trigger(name: &str, source: &str) -> Facts {
    parse_apex(
        &ComponentId::new("ApexTrigger", name),
        ApexFileKind::Trigger,
        source,
    )
}

fn decl<'a>(facts: &'a Facts, id: &str) -> &'a Declaration {
    let id = ComponentId::parse(id).expect("test id");
    facts
        .declares
        .iter()
        .find(|d| d.id == id)
        .unwrap_or_else(|| panic!("no declaration {id}; have {:?}", ids(facts)))
}

fn ids(facts: &Facts) -> Vec<String> {
    facts.declares.iter().map(|d| d.id.to_string()).collect()
}

fn uses_from<'a>(facts: &'a Facts, from: &str) -> Vec<&'a Use<'static>> {
    let from = ComponentId::parse(from).expect("test id");
    facts
        .parsed_uses()
        .iter()
        .filter(|u| u.from == from)
        .collect()
}

fn has(facts: &Facts, from: &str, kind: EdgeKind, target: &Target) -> bool {
    uses_from(facts, from)
        .iter()
        .any(|u| u.kind == kind && &written_object(&u.target) == target)
}

/// A DML write's object as a plain SObject target, whatever its events (those are
/// checked by `dml_writes_carry_their_events`); other targets as they are.
fn written_object(target: &Target<'static>) -> Target<'static> {
    match target {
        Target::Dml { object, .. } => Target::SObject(object.clone()),
        other => other.clone(),
    }
}

fn assert_use(facts: &Facts, from: &str, kind: EdgeKind, target: Target) {
    assert!(
        has(facts, from, kind, &target),
        "missing {kind:?} {target:?} from {from}; uses from it: {:#?}",
        uses_from(facts, from)
            .iter()
            .map(|u| (u.kind, &u.target, u.line))
            .collect::<Vec<_>>()
    );
}

fn ty(name: &str) -> Target<'static> {
    Target::ApexType(name.to_string().into())
}

fn named(name: &str) -> TypeExpr<'_> {
    TypeExpr::Named(name.to_string().into())
}

fn member(receiver: TypeExpr<'static>, name: &str, arity: Option<u32>) -> Target<'static> {
    Target::Member {
        receiver,
        member: name.to_string().into(),
        arity,
        on_this: false,
    }
}

/// The same call made on the caller's own object (`hook()`, `this.hook()`).
fn on_this(target: Target<'static>) -> Target<'static> {
    match target {
        Target::Member {
            receiver,
            member,
            arity,
            ..
        } => Target::Member {
            receiver,
            member,
            arity,
            on_this: true,
        },
        other => other,
    }
}

fn sobject(name: &str) -> Target<'static> {
    Target::SObject(name.to_string().into())
}

fn field(object: &str, name: &str) -> Target<'static> {
    Target::Field {
        object: object.to_string().into(),
        field: name.to_string().into(),
    }
}

fn type_refs(facts: &Facts) -> Vec<String> {
    facts
        .parsed_uses()
        .iter()
        .filter_map(|u| match &u.target {
            Target::ApexType(name) => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

const STRUCTURE: &str = r#"
public with sharing class InvoiceService extends BaseService implements Queueable, ns.Auditable {
    private static final Integer LIMIT_SIZE = 10, OTHER = 2;
    public String status { get; set; }
    static { LIMIT_SIZE = 5; }
    { status = 'new'; }
    static { OTHER = 3; }
    public InvoiceService() { }
    public InvoiceService(String s) { this(); }
    public Decimal total(List<Invoice__c> invoices) { return 0; }
    public Decimal total(Invoice__c one, Integer scale) {
        return 1;
    }
    public void execute(QueueableContext ctx) { }
    public class Line implements Comparable {
        public Integer compareTo(Object other) { return 0; }
        private class Deep { void go() { } }
    }
    public interface Pricing { Decimal price(Invoice__c inv); }
    public enum Mode { FAST, SLOW }
}
"#;

#[test]
fn declares_classes_inner_types_and_members() {
    let facts = class("InvoiceService", STRUCTURE);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let top = decl(&facts, "ApexClass:InvoiceService");
    assert_eq!(top.kind, DeclKind::Class);
    assert_eq!(top.parent, None);
    assert_eq!(top.extends.as_deref(), Some("BaseService"));
    assert_eq!(top.implements, vec!["Queueable", "ns.Auditable"]);
    assert_eq!(top.lines, (2, 21));

    let header = decl(&facts, "ApexMethod:InvoiceService.<class>");
    assert_eq!(header.kind, DeclKind::ClassHeader);
    assert_eq!(header.parent, Some(top.id.clone()));
    assert_eq!(header.body_hash, top.body_hash);

    let line = decl(&facts, "ApexClass:InvoiceService.Line");
    assert_eq!(line.parent, Some(top.id.clone()));
    assert_eq!(line.implements, vec!["Comparable"]);
    let deep = decl(&facts, "ApexClass:InvoiceService.Line.Deep");
    assert_eq!(deep.parent, Some(line.id.clone()));
    decl(&facts, "ApexMethod:InvoiceService.Line.Deep.go");
    decl(&facts, "ApexMethod:InvoiceService.Line.<class>");
    assert_eq!(
        decl(&facts, "ApexClass:InvoiceService.Pricing").kind,
        DeclKind::Interface
    );
    let price = decl(&facts, "ApexMethod:InvoiceService.Pricing.price");
    assert_eq!(
        (price.arity, price.value_type.as_deref()),
        (Some(1), Some("Decimal"))
    );
    assert_eq!(
        decl(&facts, "ApexClass:InvoiceService.Mode").kind,
        DeclKind::Enum
    );

    // One declaration per declared variable, typed.
    let limit = decl(&facts, "ApexMethod:InvoiceService.LIMIT_SIZE");
    assert_eq!(
        (limit.kind, limit.value_type.as_deref()),
        (DeclKind::Field, Some("Integer"))
    );
    assert_eq!(
        decl(&facts, "ApexMethod:InvoiceService.OTHER").kind,
        DeclKind::Field
    );
    assert_eq!(
        decl(&facts, "ApexMethod:InvoiceService.status").kind,
        DeclKind::Property
    );

    // Overloads merge: lines span both, arity differs so it is unknown.
    let total = decl(&facts, "ApexMethod:InvoiceService.total");
    assert_eq!(total.kind, DeclKind::Method);
    assert_eq!(total.lines, (10, 13));
    assert_eq!(total.arity, None);
    assert_eq!(total.value_type.as_deref(), Some("Decimal"));
    let init = decl(&facts, "ApexMethod:InvoiceService.<init>");
    assert_eq!(
        (init.kind, init.arity, init.lines),
        (DeclKind::Constructor, None, (8, 9))
    );
    let execute = decl(&facts, "ApexMethod:InvoiceService.execute");
    assert_eq!(execute.arity, Some(1));

    // Static and instance initializers are one member.
    let clinit = decl(&facts, "ApexMethod:InvoiceService.<clinit>");
    assert_eq!((clinit.kind, clinit.lines), (DeclKind::Initializer, (5, 7)));
    let count = facts.declares.iter().filter(|d| d.id == clinit.id).count();
    assert_eq!(count, 1);
    let count = facts.declares.iter().filter(|d| d.id == total.id).count();
    assert_eq!(count, 1);

    // Header references come from the `<class>` member.
    let header = "ApexMethod:InvoiceService.<class>";
    assert_use(&facts, header, EdgeKind::Extends, ty("BaseService"));
    assert_use(&facts, header, EdgeKind::Implements, ty("Queueable"));
    assert_use(&facts, header, EdgeKind::Implements, ty("ns.Auditable"));
    assert_use(
        &facts,
        "ApexMethod:InvoiceService.Line.<class>",
        EdgeKind::Implements,
        ty("Comparable"),
    );
    // `this()` calls the other constructor.
    assert_use(
        &facts,
        "ApexMethod:InvoiceService.<init>",
        EdgeKind::Calls,
        member(named("InvoiceService"), "<init>", Some(0)),
    );
}

#[test]
fn records_every_type_reference_form() {
    let source = r#"
public class Refs {
    private Map<Id, Invoice__c> byId;
    public Outer.Inner nested;
    public ns.Cls external;
    Schema.Account acc;
    public Result__c run(Param__c p, List<Set<Deep__c>> deep) {
        Local__c l = new Created__c();
        Arr__c[] arr = new ArrNew__c[3];
        List<ListNew__c> xs = new List<ListNew__c>{};
        Object o = (Cast__c) p;
        if (o instanceof Inst__c) { }
        Type t = Lit__c.class;
        Type g = List<GenLit__c>.class;
        StaticRecv.doIt();
        try { } catch (Custom_Exception e) { }
        for (Loop__c item : xs) { }
        return null;
    }
}
"#;
    let facts = class("Refs", source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert_use(
        &facts,
        "ApexMethod:Refs.byId",
        EdgeKind::References,
        ty("Id"),
    );
    assert_use(
        &facts,
        "ApexMethod:Refs.byId",
        EdgeKind::References,
        ty("Invoice__c"),
    );
    assert_use(
        &facts,
        "ApexMethod:Refs.nested",
        EdgeKind::References,
        ty("Outer.Inner"),
    );
    assert_use(
        &facts,
        "ApexMethod:Refs.external",
        EdgeKind::References,
        ty("ns.Cls"),
    );
    assert_use(
        &facts,
        "ApexMethod:Refs.acc",
        EdgeKind::References,
        ty("Schema.Account"),
    );
    let run = "ApexMethod:Refs.run";
    for name in [
        "Result__c",
        "Param__c",
        "Deep__c",
        "Local__c",
        "Created__c",
        "Arr__c",
        "ArrNew__c",
        "ListNew__c",
        "Cast__c",
        "Inst__c",
        "GenLit__c",
        "StaticRecv",
        "Custom_Exception",
        "Loop__c",
    ] {
        assert_use(&facts, run, EdgeKind::References, ty(name));
    }
    // A class literal is a type held as a value, which code may make an instance of.
    assert_use(&facts, run, EdgeKind::TypeRef, ty("Lit__c"));
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Created__c"), "<init>", Some(0)),
    );
    assert_eq!(
        decl(&facts, "ApexMethod:Refs.byId").value_type.as_deref(),
        Some("Map<Id, Invoice__c>")
    );
    // Uses carry the line they were found on.
    let cast = facts
        .parsed_uses()
        .iter()
        .find(|u| u.target == ty("Cast__c"))
        .expect("cast use");
    assert_eq!(cast.line, 11);
}

#[test]
fn resolves_call_receivers() {
    let source = r#"
public class Calls {
    private Helper helper;
    public Repo repo { get; set; }
    public void run(Service svc) {
        Util.format('x');
        svc.process(1, 2);
        helper.help();
        repo.load();
        Widget w = new Widget();
        w.spin();
        this.local();
        local();
        ((Calls) this).cast();
        (this).wrapped();
        ((Calls) other).elsewhere();
        new Builder(5).build().finish();
        ((Shape) thing).area();
        svc.config.apply();
        System.debug(svc);
        for (Item it : items()) { it.touch(); }
        try { } catch (MyException ex) { ex.report(); }
        Util.CONSTANT.trim();
        super.base();
    }
    private void local() { }
    private List<Item> items() { return null; }
    class Nested {
        void go() { local(); Calls.Nested.help(); }
    }
}
"#;
    let facts = class("Calls", source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let run = "ApexMethod:Calls.run";
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Util"), "format", Some(1)),
    );
    assert_use(&facts, run, EdgeKind::References, ty("Util"));
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Service"), "process", Some(2)),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Helper"), "help", Some(0)),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Repo"), "load", Some(0)),
    );
    // Reading a field of the class is a use of that member.
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Calls"), "helper", None),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Widget"), "spin", Some(0)),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Widget"), "<init>", Some(0)),
    );
    // `this.local()` and `local()` are calls on the caller's own object; `svc.process`
    // and `super.base()` are not.
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        on_this(member(named("Calls"), "local", Some(0))),
    );
    assert!(!has(
        &facts,
        run,
        EdgeKind::Calls,
        &member(named("Calls"), "local", Some(0))
    ));
    assert!(!has(
        &facts,
        run,
        EdgeKind::Calls,
        &on_this(member(named("Service"), "process", Some(2)))
    ));
    // `this` cast or parenthesized is still the caller's own object; a cast of another
    // value is not.
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        on_this(member(named("Calls"), "cast", Some(0))),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        on_this(member(named("Calls"), "wrapped", Some(0))),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Calls"), "elsewhere", Some(0)),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Builder"), "<init>", Some(1)),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Builder"), "build", Some(0)),
    );
    let built = TypeExpr::ReturnOf(Box::new(named("Builder")), "build".into());
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(built, "finish", Some(0)),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Shape"), "area", Some(0)),
    );
    let config = TypeExpr::MemberOf(Box::new(named("Service")), "config".into());
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Service"), "config", None),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(config, "apply", Some(0)),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("System"), "debug", Some(1)),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Item"), "touch", Some(0)),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("MyException"), "report", Some(0)),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Util"), "CONSTANT", None),
    );
    let constant = TypeExpr::MemberOf(Box::new(named("Util")), "CONSTANT".into());
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(constant, "trim", Some(0)),
    );
    // An unqualified call in an inner class goes to the outer class that declares it.
    let go = "ApexMethod:Calls.Nested.go";
    assert_use(
        &facts,
        go,
        EdgeKind::Calls,
        on_this(member(named("Calls"), "local", Some(0))),
    );
    assert_use(
        &facts,
        go,
        EdgeKind::Calls,
        member(named("Calls.Nested"), "help", Some(0)),
    );
    assert_use(&facts, go, EdgeKind::References, ty("Calls.Nested"));
}

#[test]
fn unknown_receivers_become_any_member() {
    let source = r#"
public class Anon {
    public void run() {
        List<List<SObject>> found = [FIND 'x' RETURNING Account];
        Object first = [FIND 'y' RETURNING Contact][0];
        (1 + 2).format();
    }
}
"#;
    let facts = class("Anon", source);
    let any = facts.parsed_uses().iter().any(
        |u| matches!(&u.target, Target::AnyMember { member, arity: Some(0) } if member == "format"),
    );
    assert!(any, "{:#?}", facts.parsed_uses());
}

/// A field set is read by name from an object's describe, with or without `Schema.`;
/// `SObjectType.X` is the describe of X as `Schema.SObjectType.X` is.
#[test]
fn reads_field_sets_from_the_describe() {
    let source = r#"
public class Columns {
    public List<Schema.FieldSetMember> run() {
        List<Schema.FieldSetMember> all = Schema.SObjectType.Allocation__c.fieldSets.Extra_Fields.getFields();
        all.addAll(SObjectType.Contact.FIELDSETS.Merge_FS.getFields());
        Object f = SObjectType.Contact.fields.Email;
        return all;
    }
}
"#;
    let facts = class("Columns", source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let run = "ApexMethod:Columns.run";
    let field_set = |name: &str| Target::Component(ComponentId::new("FieldSet", name));
    assert_use(
        &facts,
        run,
        EdgeKind::Reads,
        field_set("Allocation__c.Extra_Fields"),
    );
    assert_use(&facts, run, EdgeKind::Reads, field_set("Contact.Merge_FS"));
    assert_use(&facts, run, EdgeKind::Reads, sobject("Contact"));
    assert_use(&facts, run, EdgeKind::Reads, field("Contact", "Email"));
}

/// A custom setting's or custom metadata type's own static methods return its records,
/// so a field read on the result is a read of that field (a setting's defaults decide
/// it when no record is stored).
#[test]
fn a_setting_read_through_its_static_methods_reads_the_field() {
    let source = r#"
public class Gate {
    public Boolean open() {
        Decimal cap = Rule__mdt.getInstance('Cap').Limit__c;
        return Limits__c.getOrgDefaults().Enabled__c && Limits__c.getInstance(UserInfo.getUserId()).Strict__c;
    }
}
"#;
    let facts = class("Gate", source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let open = "ApexMethod:Gate.open";
    assert_use(
        &facts,
        open,
        EdgeKind::Reads,
        field("Limits__c", "Enabled__c"),
    );
    assert_use(
        &facts,
        open,
        EdgeKind::Reads,
        field("Limits__c", "Strict__c"),
    );
    assert_use(
        &facts,
        open,
        EdgeKind::Reads,
        field("Rule__mdt", "Limit__c"),
    );
}

/// Apex runs a flow through its interview type: the type names the flow.
#[test]
fn a_flow_interview_type_names_its_flow() {
    let source = r#"
public class Reminders {
    public void remind(Map<String, Object> inputs) {
        Flow.Interview.Notify_Owner notify = new flow.interview.Notify_Owner(inputs);
        notify.start();
        Flow.Interview packaged = new Flow.Interview.acme.Escalate(inputs);
    }
}
"#;
    let facts = class("Reminders", source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let remind = "ApexMethod:Reminders.remind";
    let flow = |name: &str| Target::Component(ComponentId::new("Flow", name));
    assert_use(&facts, remind, EdgeKind::References, flow("Notify_Owner"));
    assert_use(&facts, remind, EdgeKind::References, flow("Escalate"));
    assert_eq!(text::interview_flow("Flow.Interview"), None);
    assert_eq!(text::interview_flow("Flow.Interview."), None);
    assert_eq!(text::interview_flow("FlowInterview.X"), None);
}

/// `get` and `put` with a field's name on a record of a known object read and write
/// that field; on a map, on an untyped record or with a name built at run time they
/// name no field.
#[test]
fn get_and_put_on_a_record_name_its_field() {
    let source = r#"public class Dynamic {
    public Object run(Invoice__c inv, SObject any, Map<String, Object> values, String name) {
        inv.put('Status__c', 'Sent');
        Object a = inv.get('Amount__c');
        Object b = any.get('Total__c');
        Object c = values.get('Due__c');
        Object d = inv.get(name);
        return inv.get('Amount' + '__c');
    }
}
"#;
    let facts = class("Dynamic", source);
    let run = "ApexMethod:Dynamic.run";
    assert_use(
        &facts,
        run,
        EdgeKind::Writes,
        field("Invoice__c", "Status__c"),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::Reads,
        field("Invoice__c", "Amount__c"),
    );
    let fields: Vec<&Target> = uses_from(&facts, run)
        .iter()
        .map(|u| &u.target)
        .filter(|t| matches!(t, Target::Field { .. }))
        .collect();
    assert_eq!(fields.len(), 2, "{fields:?}");
}

#[test]
fn reads_soql_and_sosl() {
    let source = r#"
public class Queries {
    public void run(Set<Id> ids) {
        List<Invoice__c> invs = [
            SELECT Id, Amount__c, Account__r.Name, toLabel(Status__c),
                   (SELECT Id, Qty__c FROM Lines__r)
            FROM Invoice__c
            WHERE Id IN :ids AND Account__c IN (SELECT Id FROM Account WHERE Rating = 'Hot')
            ORDER BY Due__c
        ];
        List<List<SObject>> hits = [FIND 'acme' IN ALL FIELDS RETURNING Contact(Email, Phone__c), Lead];
        Schema.DescribeSObjectResult d = Schema.SObjectType.Payment__c;
        Schema.SObjectType t = Refund__c.SObjectType;
        Object f = Schema.SObjectType.Payment__c.fields.Paid__c;
    }
}
"#;
    let facts = class("Queries", source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let run = "ApexMethod:Queries.run";
    assert_use(&facts, run, EdgeKind::Reads, sobject("Invoice__c"));
    for name in [
        "Id",
        "Amount__c",
        "Account__r.Name",
        "Status__c",
        "Due__c",
        "Account__c",
    ] {
        assert_use(&facts, run, EdgeKind::Reads, field("Invoice__c", name));
    }
    // A subquery of the selected fields reads a child relationship, named by its path;
    // one in the filter (`IN (SELECT Id FROM Account …)`) reads its own object.
    assert_use(&facts, run, EdgeKind::Reads, sobject("Invoice__c.Lines__r"));
    assert_use(
        &facts,
        run,
        EdgeKind::Reads,
        field("Invoice__c.Lines__r", "Qty__c"),
    );
    assert_use(&facts, run, EdgeKind::Reads, sobject("Account"));
    assert_use(&facts, run, EdgeKind::Reads, field("Account", "Rating"));
    assert_use(&facts, run, EdgeKind::Reads, sobject("Contact"));
    assert_use(&facts, run, EdgeKind::Reads, field("Contact", "Phone__c"));
    assert_use(&facts, run, EdgeKind::Reads, sobject("Lead"));
    assert_use(&facts, run, EdgeKind::Reads, sobject("Payment__c"));
    assert_use(&facts, run, EdgeKind::Reads, sobject("Refund__c"));
    assert_use(&facts, run, EdgeKind::Reads, field("Payment__c", "Paid__c"));
    // Function names and the SOQL keywords are not fields.
    assert!(!has(
        &facts,
        run,
        EdgeKind::Reads,
        &field("Invoice__c", "toLabel")
    ));
    // The bind variable is resolved as Apex.
    assert!(!type_refs(&facts).iter().any(|t| t == "ids"));
    assert_use(
        &facts,
        run,
        EdgeKind::StringRef,
        Target::StringLiteral("Hot".into()),
    );
}

/// A string that starts with `SELECT` is read as the query it is: its object and fields,
/// across the literals of a concatenation; a name code supplies is not read.
#[test]
fn reads_queries_written_in_strings() {
    let source = r#"
public class Dynamic {
    public List<SObject> lone(Set<Id> ids) {
        return Database.query('SELECT Id, Status__c FROM Invoice__c WHERE Id IN :ids AND Stage__c = \'Open\' ORDER BY Due__c');
    }
    public Database.QueryLocator start(Database.BatchableContext bc) {
        String soql = 'SELECT Id, Amount__c, ' + String.join(extraFields(), ', ') +
            ', Invoice__r.Name FROM ' + ns + 'Payment__c WHERE Paid__c = ' + paid + ' LIMIT 10';
        return Database.getQueryLocator(soql);
    }
    public List<SObject> holes(String objectName, String field) {
        return Database.query('select Id, ' + field + ' from ' + objectName + ' where Name = \'' + field + '\'');
    }
    public List<SObject> built(Boolean multiCurrency) {
        String query = 'SELECT Id, Amount__c, ';
        query += (multiCurrency ? 'CurrencyIsoCode, ' : '') + 'Refunded__c';
        String other = 'SELECT Id FROM Account';
        query = query + ' FROM Refund__c WHERE Reason__c != null';
        return Database.query(query);
    }
    public List<SObject> looped(List<String> fields) {
        String soql = 'SELECT ';
        for (String field : fields) {
            soql += field + ', ';
        }
        soql = soql.removeEnd(', ') + ' FROM Credit_Note__c WHERE Issued__c = TODAY';
        return Database.query(soql);
    }
    public String notQueries() {
        return 'Selected: ' + 'FROM Refund__c' + 'SELECT' + 'SELECTED Id FROM Refund__c';
    }
    public List<SObject> clauses(String type, String email) {
        String whereClause = '';
        if (type != null) {
            whereClause = 'WHERE Type__c = :type';
        }
        String base = 'SELECT Id FROM Voucher__c ';
        String tail = '\' AND Issued__c = TODAY';
        Database.query('SELECT Id, Name FROM Voucher__c ' + whereClause);
        String flag = 'Gift__c';
        if (type == 'promo') {
            flag = 'Promo__c';
        }
        Database.query('SELECT Id FROM Voucher__c WHERE ' + flag + ' = true');
        return Database.query(base + 'WHERE Email__c = \'' + email + tail);
    }
}
"#;
    let facts = class("Dynamic", source);
    let lone = "ApexMethod:Dynamic.lone";
    assert_use(&facts, lone, EdgeKind::Reads, sobject("Invoice__c"));
    for name in ["Id", "Status__c", "Stage__c", "Due__c"] {
        assert_use(&facts, lone, EdgeKind::Reads, field("Invoice__c", name));
    }
    let start = "ApexMethod:Dynamic.start";
    assert_use(&facts, start, EdgeKind::Reads, sobject("Payment__c"));
    for name in ["Amount__c", "Invoice__r.Name", "Paid__c"] {
        assert_use(&facts, start, EdgeKind::Reads, field("Payment__c", name));
    }
    // Each read is at the line of the literal that names it.
    let line = |from: &str, target: &Target| {
        uses_from(&facts, from)
            .into_iter()
            .find(|u| u.target == *target)
            .map(|u| u.line)
    };
    assert_eq!(line(start, &field("Payment__c", "Amount__c")), Some(7));
    assert_eq!(line(start, &sobject("Payment__c")), Some(8));
    // A query built statement by statement is read when its method ends; of a choice
    // between pieces, the longer.
    let built = "ApexMethod:Dynamic.built";
    assert_use(&facts, built, EdgeKind::Reads, sobject("Refund__c"));
    for name in ["Amount__c", "CurrencyIsoCode", "Refunded__c", "Reason__c"] {
        assert_use(&facts, built, EdgeKind::Reads, field("Refund__c", name));
    }
    assert_use(&facts, built, EdgeKind::Reads, sobject("Account"));
    assert!(!has(
        &facts,
        built,
        EdgeKind::Reads,
        &field("Account", "Amount__c")
    ));
    // A field list built in a loop: the comma the code takes off is not in the way.
    let looped = "ApexMethod:Dynamic.looped";
    assert_use(&facts, looped, EdgeKind::Reads, sobject("Credit_Note__c"));
    assert_use(
        &facts,
        looped,
        EdgeKind::Reads,
        field("Credit_Note__c", "Issued__c"),
    );
    // Where the object is the code's, nothing is read; a string that only looks like a
    // query's piece is not one.
    let reads = |from: &str| {
        uses_from(&facts, from)
            .into_iter()
            .filter(|u| u.kind == EdgeKind::Reads)
            .count()
    };
    assert_eq!(reads("ApexMethod:Dynamic.holes"), 0);
    assert_eq!(reads("ApexMethod:Dynamic.notQueries"), 0);
    // A variable set to a literal is that literal in a query built from it, even the
    // query's start; its reads are at the variable's literal.
    let clauses = "ApexMethod:Dynamic.clauses";
    // A variable set to two literals: the query is read with each.
    for name in ["Type__c", "Email__c", "Issued__c", "Gift__c", "Promo__c"] {
        assert_use(&facts, clauses, EdgeKind::Reads, field("Voucher__c", name));
    }
    assert_eq!(line(clauses, &field("Voucher__c", "Type__c")), Some(35));
    assert_eq!(line(clauses, &field("Voucher__c", "Issued__c")), Some(38));
}

#[test]
fn records_dml_writes_with_their_object() {
    // One method per statement: uses are recorded once per member and target.
    let cases: [(&str, &str); 25] = [
        ("insert invs;", "Invoice__c"),
        ("UPDATE one;", "Invoice__c"),
        ("upsert lines Line__c.External_Id__c;", "Line__c"),
        // The element type of a declared collection is known here.
        ("delete byId.values();", "Payment__c"),
        ("Delete byId;", "Payment__c"),
        ("undelete refunds;", "Refund__c"),
        ("merge one invs[0];", "Invoice__c"),
        ("insert orders;", "Order__c"),
        ("insert new Note__c(Body__c = 'x');", "Note__c"),
        ("insert generic;", "*"),
        ("update unknownThing;", "*"),
        ("insert build();", "Task__c"),
        ("insert as user invs;", "Invoice__c"),
        ("insert new List<Case__c>{ new Case__c() };", "Case__c"),
        ("Database.insert(invs, false);", "Invoice__c"),
        ("Database.update(one);", "Invoice__c"),
        (
            "Database.upsert(lines, Line__c.External_Id__c, true);",
            "Line__c",
        ),
        ("Database.delete(generic);", "*"),
        ("Database.insertAsync(refunds);", "Refund__c"),
        ("insert (List<SObject>) invs;", "*"),
        // Publishing a platform event inserts it.
        (
            "EventBus.publish(new Shipped__e(Note__c = 'x'));",
            "Shipped__e",
        ),
        (
            "System.EventBus.publish(new List<Shipped__e>());",
            "Shipped__e",
        ),
        ("EventBus.publish(generic);", "*__e"),
        ("update byId.get(null);", "Payment__c"),
        ("update invs.clone();", "Invoice__c"),
    ];
    let mut source = String::from(
        "public class Writer {\n    private List<Order__c> orders;\n    private List<Task__c> build() { return null; }\n",
    );
    for (index, (statement, _)) in cases.iter().enumerate() {
        source.push_str(&format!(
            "    void m{index}(Invoice__c one, Map<Id, Payment__c> byId, List<SObject> generic, Set<Refund__c> refunds) {{\n        List<Invoice__c> invs = new List<Invoice__c>();\n        Line__c[] lines = new Line__c[0];\n        {statement}\n    }}\n"
        ));
    }
    source.push_str("    void fields(List<Invoice__c> invs) {\n        for (Invoice__c inv : invs) { inv.Amount__c = 1; inv.Total__c += inv.Tax__c; }\n    }\n}\n");
    let facts = class("Writer", &source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    for (index, (statement, object)) in cases.iter().enumerate() {
        let from = format!("ApexMethod:Writer.m{index}");
        let writes: Vec<Target> = uses_from(&facts, &from)
            .iter()
            .filter(|u| u.kind == EdgeKind::Writes && matches!(u.target, Target::Dml { .. }))
            .map(|u| written_object(&u.target))
            .collect();
        assert_eq!(writes, vec![sobject(object)], "{statement}");
    }
    assert_use(
        &facts,
        "ApexMethod:Writer.m2",
        EdgeKind::Reads,
        field("Line__c", "External_Id__c"),
    );
    assert_use(
        &facts,
        "ApexMethod:Writer.m8",
        EdgeKind::Writes,
        field("Note__c", "Body__c"),
    );
    let fields = "ApexMethod:Writer.fields";
    assert_use(
        &facts,
        fields,
        EdgeKind::Writes,
        field("Invoice__c", "Amount__c"),
    );
    assert_use(
        &facts,
        fields,
        EdgeKind::Writes,
        field("Invoice__c", "Total__c"),
    );
    assert_use(
        &facts,
        fields,
        EdgeKind::Reads,
        field("Invoice__c", "Tax__c"),
    );
    assert!(!has(
        &facts,
        fields,
        EdgeKind::Reads,
        &field("Invoice__c", "Amount__c")
    ));
}

#[test]
fn reads_test_marks_in_any_casing() {
    let source = r#"
@isTest(SeeAllData=true critical=true testFor='ApexClass:InvoiceService, ApexTrigger:InvoiceTrigger, Helper')
private class InvoiceServiceTest {
    @TestSetup static void setup() { }
    @ISTEST static void annotated() { }
    static TestMethod void legacy() { }
    @IsTest(SeeAllData=false) static void withArgs() { }
    static void helper() { }
}
"#;
    let facts = class("InvoiceServiceTest", source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let mark = decl(&facts, "ApexClass:InvoiceServiceTest")
        .test
        .clone()
        .expect("test class");
    assert!(mark.critical);
    assert!(!mark.method && !mark.setup);
    assert_eq!(
        mark.test_for,
        vec![
            ComponentId::new("ApexClass", "InvoiceService"),
            ComponentId::new("ApexTrigger", "InvoiceTrigger"),
            ComponentId::new("ApexClass", "Helper"),
        ]
    );
    let setup = decl(&facts, "ApexMethod:InvoiceServiceTest.setup")
        .test
        .clone()
        .expect("setup");
    assert!(setup.setup && !setup.method);
    for name in ["annotated", "legacy", "withArgs"] {
        let mark = decl(&facts, &format!("ApexMethod:InvoiceServiceTest.{name}"))
            .test
            .clone()
            .unwrap_or_else(|| panic!("{name} is a test"));
        assert!(mark.method && !mark.setup && !mark.critical);
    }
    assert_eq!(
        decl(&facts, "ApexMethod:InvoiceServiceTest.helper").test,
        None
    );

    let plain = class(
        "Plain",
        "public class Plain { @TestVisible static void m() { } }",
    );
    assert_eq!(decl(&plain, "ApexClass:Plain").test, None);
    assert_eq!(decl(&plain, "ApexMethod:Plain.m").test, None);
    let simple = class("T", "@IsTest private class T { }");
    assert_eq!(decl(&simple, "ApexClass:T").test, Some(TestMark::default()));
}

#[test]
fn declares_a_trigger_with_its_object() {
    let source = r#"
trigger InvoiceTrigger on Invoice__c (before insert, after update) {
    for (Invoice__c inv : Trigger.new) { inv.Status__c = 'New'; }
    InvoiceHandler.handle(Trigger.newMap);
    update Trigger.new;
}
"#;
    let facts = trigger("InvoiceTrigger", source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let decl = decl(&facts, "ApexTrigger:InvoiceTrigger");
    assert_eq!(decl.kind, DeclKind::Trigger);
    assert_eq!(decl.automates.as_deref(), Some("Invoice__c"));
    assert_eq!(decl.lines, (2, 6));
    assert_eq!(facts.declares.len(), 1);
    let from = "ApexTrigger:InvoiceTrigger";
    assert_use(
        &facts,
        from,
        EdgeKind::Calls,
        member(named("InvoiceHandler"), "handle", Some(1)),
    );
    assert_use(&facts, from, EdgeKind::References, ty("InvoiceHandler"));
    assert_use(
        &facts,
        from,
        EdgeKind::Writes,
        field("Invoice__c", "Status__c"),
    );
    assert_use(&facts, from, EdgeKind::Writes, sobject("Invoice__c"));
    assert!(facts.parsed_uses().iter().all(|u| u.from == decl.id));
}

#[test]
fn hashes_ignore_comments_and_whitespace() {
    let base = "public class H {\n  public void a() { Integer x = 1; }\n  public void b() { Integer y = 2; }\n}\n";
    let commented = "/* header */\npublic class H { // c\n  public void a() {\n    Integer x = 1; // one\n  }\n  public   void b() { Integer y = 2; }\n}\n";
    let recased = "PUBLIC class H {\n  public VOID a() { integer x = 1; }\n  public void b() { Integer y = 2; }\n}\n";
    let changed = "public class H {\n  public void a() { Integer x = 1; }\n  public void b() { Integer y = 3; }\n}\n";
    let facts = class("H", base);
    let same = class("H", commented);
    assert_eq!(facts.semantic_hash, same.semantic_hash);
    for d in &facts.declares {
        assert_eq!(
            d.body_hash,
            decl(&same, &d.id.to_string()).body_hash,
            "{}",
            d.id
        );
    }
    assert_eq!(facts.semantic_hash, class("H", recased).semantic_hash);

    let other = class("H", changed);
    assert_ne!(facts.semantic_hash, other.semantic_hash);
    assert_ne!(
        decl(&facts, "ApexMethod:H.b").body_hash,
        decl(&other, "ApexMethod:H.b").body_hash
    );
    // Only the changed member's hash moves.
    for id in ["ApexMethod:H.a", "ApexMethod:H.<class>", "ApexClass:H"] {
        assert_eq!(
            decl(&facts, id).body_hash,
            decl(&other, id).body_hash,
            "{id}"
        );
    }
    // String contents keep their case.
    let quoted = class("Q", "public class Q { String s = 'Hello'; }");
    let requoted = class("Q", "public class Q { String s = 'hello'; }");
    assert_ne!(quoted.semantic_hash, requoted.semantic_hash);
}

#[test]
fn class_header_hash_excludes_members_but_not_modifiers() {
    let base = class("K", "public class K { void a() { } }");
    let member_changed = class("K", "public class K { void a() { a(); } }");
    let header_changed = class("K", "public virtual class K { void a() { } }");
    let header = "ApexMethod:K.<class>";
    assert_eq!(
        decl(&base, header).body_hash,
        decl(&member_changed, header).body_hash
    );
    assert_ne!(
        decl(&base, header).body_hash,
        decl(&header_changed, header).body_hash
    );
    assert_eq!(
        decl(&base, "ApexMethod:K.a").body_hash,
        decl(&header_changed, "ApexMethod:K.a").body_hash
    );
}

#[test]
fn broken_file_reports_a_problem_and_keeps_facts() {
    let source = "public class Broken {\n    void a() { Foo x = ; }\n    void b() { Bar.go(); }\n";
    let facts = class("Broken", source);
    assert_eq!(facts.problems.len(), 1, "{:?}", facts.problems);
    assert_eq!(facts.problems[0].line, Some(2));
    assert!(facts.problems[0].message.contains("line 2"));
    decl(&facts, "ApexClass:Broken");
    decl(&facts, "ApexMethod:Broken.b");
    assert_use(
        &facts,
        "ApexMethod:Broken.b",
        EdgeKind::Calls,
        member(named("Bar"), "go", Some(0)),
    );

    // Garbage still yields the component.
    let garbage = class("Junk", "this is { not apex ((");
    assert!(!garbage.problems.is_empty());
    decl(&garbage, "ApexClass:Junk");
    let empty = trigger("Empty", "");
    decl(&empty, "ApexTrigger:Empty");
}

#[test]
fn comments_and_strings_are_not_references() {
    let source = r#"
public class Quiet {
    // new Ghost(); Phantom.call();
    /* Spirit s = new Spirit(); insert s; */
    public void run() {
        String a = 'new Ghost()';
        String b = 'Phantom.call()';
        String c = 'ApexClass:Handler';
        String d = 'Invoice_Handler';
        String e = 'has space, and a comma';
        System.debug(a + b + c + d + e);
    }
}
"#;
    let facts = class("Quiet", source);
    let refs = type_refs(&facts);
    for ghost in ["Ghost", "Phantom", "Spirit"] {
        assert!(!refs.iter().any(|r| r == ghost), "{ghost} in {refs:?}");
    }
    assert!(!facts
        .parsed_uses()
        .iter()
        .any(|u| u.kind == EdgeKind::Writes));
    let literals = string_literals(&facts);
    assert_eq!(literals, vec!["ApexClass:Handler", "Invoice_Handler"]);
}

/// The string literals a file's uses name, in order.
fn string_literals(facts: &Facts) -> Vec<&str> {
    facts
        .parsed_uses()
        .iter()
        .filter_map(|u| match &u.target {
            Target::StringLiteral(s) => Some(s.as_ref()),
            _ => None,
        })
        .collect()
}

/// A record type's label is a string a test reads it by (`WHERE Name = 'Sub-Branch'`, a
/// `LIKE` pattern around it): words joined by spaces or hyphens are kept as names, and a
/// pattern's `%` dropped; sentences with other marks, doubled or trailing spaces are not.
#[test]
fn a_phrase_that_may_be_a_record_type_s_label_is_a_string_name() {
    let source = r#"
public class Labels {
    public void read() {
        List<RecordType> a = [SELECT Id FROM RecordType WHERE Name = 'Sub-Branch'];
        List<RecordType> b = [SELECT Id FROM RecordType WHERE Name LIKE '%General Opportunity%'];
        String c = 'Not a label, a sentence.';
        String d = 'Trailing ';
        String e = 'two  spaces';
        String f = '%Invoice__c';
    }
}
"#;
    let facts = class("Labels", source);
    let literals = string_literals(&facts);
    assert_eq!(
        literals,
        vec!["Sub-Branch", "General Opportunity", "Invoice__c"]
    );
}

/// A callout endpoint names its named credential, whatever follows the name; an endpoint
/// without one names nothing.
#[test]
fn a_callout_endpoint_names_its_named_credential() {
    let source = r#"
public class Billing {
    public void send() {
        HttpRequest a = new HttpRequest();
        a.setEndpoint('callout:Billing_API/invoices?id=' + 'x');
        a.setEndpoint('CALLOUT:Tax_API');
        a.setEndpoint('callout:Rates_API?day=1');
        a.setEndpoint('callout:/nothing');
        a.setEndpoint('https://example.com/callout:Not_This');
    }
}
"#;
    let facts = class("Billing", source);
    let literals = string_literals(&facts);
    assert_eq!(literals, vec!["Billing_API", "Tax_API", "Rates_API"]);
}

/// `Type.CONSTANT.name()` names the constant as a string would (a custom metadata record
/// named by an enum's constant); `name()` on a variable or with arguments names nothing.
#[test]
fn an_enum_constant_s_name_is_a_string() {
    let source = r#"
public class Callouts {
    public void run(Services service, Account record) {
        ApiMock.setTestMock(Services.POST_SKATTEKORT_API.name(), 200);
        System.debug(service.name());
        System.debug(Naming.FORMAL.name('x'));
    }
}
"#;
    let facts = class("Callouts", source);
    assert_eq!(string_literals(&facts), vec!["POST_SKATTEKORT_API"]);
}

#[test]
fn labels_and_string_names() {
    let source = r#"
public class Texts {
    public void run() {
        String a = Label.Invoice_Title;
        String b = System.Label.Invoice_Footer;
        Type t = Type.forName('InvoiceHandler');
        Id rt = Schema.SObjectType.Account.getRecordTypeInfosByDeveloperName().get('Business').getRecordTypeId();
    }
}
"#;
    let facts = class("Texts", source);
    let run = "ApexMethod:Texts.run";
    assert_use(
        &facts,
        run,
        EdgeKind::References,
        Target::Label("Invoice_Title".into()),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::References,
        Target::Label("Invoice_Footer".into()),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::StringRef,
        Target::StringLiteral("InvoiceHandler".into()),
    );
    assert_use(
        &facts,
        run,
        EdgeKind::StringRef,
        Target::StringLiteral("Business".into()),
    );
    assert!(!type_refs(&facts).iter().any(|t| t == "Label"));
}

#[test]
fn keywords_in_any_casing() {
    let source = r#"
PUBLIC CLASS Loud EXTENDS Base {
    PUBLIC STATIC TESTMETHOD VOID t() {
        ACCOUNT a = NEW ACCOUNT(NAME = 'x');
        INSERT a;
    }
    PRIVATE VOID u(ACCOUNT a) { DATABASE.UPDATE(a); }
}
"#;
    let facts = class("Loud", source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert_eq!(
        decl(&facts, "ApexClass:Loud").extends.as_deref(),
        Some("Base")
    );
    assert!(decl(&facts, "ApexMethod:Loud.t")
        .test
        .as_ref()
        .is_some_and(|m| m.method));
    assert_use(
        &facts,
        "ApexMethod:Loud.t",
        EdgeKind::Writes,
        sobject("ACCOUNT"),
    );
    assert_use(
        &facts,
        "ApexMethod:Loud.u",
        EdgeKind::Writes,
        sobject("ACCOUNT"),
    );
    assert_use(
        &facts,
        "ApexMethod:Loud.t",
        EdgeKind::Writes,
        field("ACCOUNT", "NAME"),
    );
}

#[test]
fn long_chains_are_read_without_recursion_problems() {
    let mut source = String::from("public class Long { void m() { String s = 'a'");
    for _ in 0..3000 {
        source.push_str(" + x.y()");
    }
    source.push_str(";\n");
    for i in 0..400 {
        source.push_str(&format!("if (i == {i}) {{ a(); }} else "));
    }
    source.push_str("{ Last.call(); } } }");
    let facts = class("Long", &source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert_use(
        &facts,
        "ApexMethod:Long.m",
        EdgeKind::Calls,
        member(named("Last"), "call", Some(0)),
    );
}

#[test]
fn deep_nesting_is_cut_with_a_problem() {
    let mut source = String::from("public class Deep { void m() { Integer i = ");
    for _ in 0..3000 {
        source.push('(');
    }
    source.push('1');
    for _ in 0..3000 {
        source.push(')');
    }
    source.push_str("; } void n() { Other.go(); } }");
    let facts = class("Deep", &source);
    decl(&facts, "ApexMethod:Deep.m");
    assert!(
        facts
            .problems
            .iter()
            .any(|p| p.message.contains("too deep")),
        "{:?}",
        facts.problems
    );
    // The rest of the file is still read.
    assert_use(
        &facts,
        "ApexMethod:Deep.n",
        EdgeKind::Calls,
        member(named("Other"), "go", Some(0)),
    );
}

#[test]
fn scoped_variables_type_their_uses() {
    let source = r#"
public class Scopes {
    public Invoice__c current {
        get { return current; }
        set { current = value; value.touch(); }
    }
    public void run(Object o) {
        switch on o {
            when Payment__c p { p.settle(); }
            when else { }
        }
        update (List<Invoice__c>) Trigger.new;
        update Trigger.new;
        Integer n = [SELECT COUNT() FROM Refund__c];
    }
}
"#;
    let facts = class("Scopes", source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert_use(
        &facts,
        "ApexMethod:Scopes.current",
        EdgeKind::Calls,
        member(named("Invoice__c"), "touch", Some(0)),
    );
    let run = "ApexMethod:Scopes.run";
    assert_use(
        &facts,
        run,
        EdgeKind::Calls,
        member(named("Payment__c"), "settle", Some(0)),
    );
    assert_use(&facts, run, EdgeKind::References, ty("Payment__c"));
    assert_use(&facts, run, EdgeKind::Writes, sobject("Invoice__c"));
    // Outside a trigger, `Trigger.new` holds records of any object.
    assert_use(&facts, run, EdgeKind::Writes, sobject("*"));
    assert_use(&facts, run, EdgeKind::Reads, sobject("Refund__c"));
}

#[test]
fn overload_hash_covers_every_overload() {
    let base = class(
        "O",
        "public class O { void m() { } void m(Integer a) { a = 1; } }",
    );
    let changed = class(
        "O",
        "public class O { void m() { } void m(Integer a) { a = 2; } }",
    );
    assert_ne!(
        decl(&base, "ApexMethod:O.m").body_hash,
        decl(&changed, "ApexMethod:O.m").body_hash
    );
    assert_eq!(
        decl(&base, "ApexMethod:O.<class>").body_hash,
        decl(&changed, "ApexMethod:O.<class>").body_hash
    );
}

#[test]
fn suppress_warnings_changes_no_hash() {
    let base = class(
        "W",
        "@SuppressWarnings('PMD.ExcessiveParameterList')\npublic class W {\n    @SuppressWarnings('PMD.ApexCRUDViolation')\n    void m() { update new Account(); }\n}",
    );
    let changed = class(
        "W",
        "@SuppressWarnings('PMD.ExcessiveParameterList, PMD.CognitiveComplexity')\npublic class W {\n    @suppressWarnings('PMD')\n    void m() { update new Account(); }\n}",
    );
    for id in ["ApexMethod:W.<class>", "ApexMethod:W.m"] {
        assert_eq!(
            decl(&base, id).body_hash,
            decl(&changed, id).body_hash,
            "{id}"
        );
    }
    // Any other annotation is code.
    let deprecated = class(
        "W",
        "@SuppressWarnings('PMD.ExcessiveParameterList')\npublic class W {\n    @Deprecated\n    void m() { update new Account(); }\n}",
    );
    assert_ne!(
        decl(&base, "ApexMethod:W.m").body_hash,
        decl(&deprecated, "ApexMethod:W.m").body_hash
    );
}

#[test]
fn dml_writes_carry_their_events() {
    use crate::facts::DmlEvents;
    let cases = [
        ("insert one;", DmlEvents::INSERT),
        ("update one;", DmlEvents::UPDATE),
        ("upsert one;", DmlEvents::INSERT.union(DmlEvents::UPDATE)),
        ("delete one;", DmlEvents::DELETE),
        ("undelete one;", DmlEvents::UNDELETE),
        ("merge one other;", DmlEvents::ALL),
        ("Database.insert(one);", DmlEvents::INSERT),
        ("Database.updateImmediate(one);", DmlEvents::UPDATE),
        ("Database.deleteAsync(one);", DmlEvents::DELETE),
        ("Database.merge(one, other);", DmlEvents::ALL),
        (
            "Test.loadData(Invoice__c.SObjectType, 'Seed');",
            DmlEvents::INSERT,
        ),
    ];
    let mut source = String::from("@IsTest\npublic class Writer {\n");
    for (index, (statement, _)) in cases.iter().enumerate() {
        source.push_str(&format!(
            "    static void m{index}(Invoice__c one, Invoice__c other) {{ {statement} }}\n"
        ));
    }
    source.push_str("}\n");
    let facts = class("Writer", &source);
    for (index, (statement, events)) in cases.iter().enumerate() {
        let from = format!("ApexMethod:Writer.m{index}");
        let written: Vec<DmlEvents> = uses_from(&facts, &from)
            .iter()
            .filter_map(|u| match &u.target {
                Target::Dml { events, .. } => Some(*events),
                _ => None,
            })
            .collect();
        assert_eq!(written, vec![*events], "{statement}");
    }
}

/// Converting a lead updates it and inserts (or merges into) an account, a contact and
/// an opportunity: each object's automation runs.
#[test]
fn converting_a_lead_writes_the_lead_and_what_it_becomes() {
    use crate::facts::DmlEvents;
    let facts = class(
        "Converter",
        "public class Converter {\n    \
             static void convert(Database.LeadConvert conversion) {\n        \
                 Database.convertLead(conversion, false);\n    }\n}\n",
    );
    let both = DmlEvents::INSERT.union(DmlEvents::UPDATE);
    let written: Vec<(String, DmlEvents)> = uses_from(&facts, "ApexMethod:Converter.convert")
        .iter()
        .filter_map(|u| match &u.target {
            Target::Dml { object, events } => Some((object.to_string(), *events)),
            _ => None,
        })
        .collect();
    let expected = [
        ("Lead", DmlEvents::UPDATE),
        ("Account", both),
        ("Contact", both),
        ("Opportunity", both),
    ];
    assert_eq!(
        written,
        expected.map(|(object, events)| (object.to_string(), events))
    );
}

/// A unit of work's register calls are the DML its commit runs (fflib is often a package
/// the org installs, so `fflib_SObjectUnitOfWork` is not declared in the repository).
#[test]
fn a_unit_of_work_s_register_calls_are_its_deferred_dml() {
    use crate::facts::DmlEvents;
    let both = DmlEvents::INSERT.union(DmlEvents::UPDATE);
    let cases: [(&str, &[(&str, DmlEvents)]); 11] = [
        (
            "uow.registerNew(invs);",
            &[("Invoice__c", DmlEvents::INSERT)],
        ),
        (
            "uow.registerNew(one, Invoice__c.Account__c, acct);",
            &[("Invoice__c", DmlEvents::INSERT)],
        ),
        (
            "uow.RegisterDirty(one);",
            &[("Invoice__c", DmlEvents::UPDATE)],
        ),
        ("uow.registerUpsert(invs);", &[("Invoice__c", both)]),
        (
            "uow.registerDeleted(invs);",
            &[("Invoice__c", DmlEvents::DELETE)],
        ),
        (
            "uow.registerPermanentlyDeleted(one);",
            &[("Invoice__c", DmlEvents::DELETE)],
        ),
        (
            "uow.registerPublishAfterSuccessTransaction(new Shipped__e());",
            &[("Shipped__e", DmlEvents::INSERT)],
        ),
        ("work.registerNew(generic);", &[("*", DmlEvents::INSERT)]),
        // Neither runs the object's automation, and a method of that name elsewhere is
        // not a unit of work's.
        (
            "uow.registerRelationship(one, Invoice__c.Account__c, acct);",
            &[],
        ),
        ("registry.registerNew(invs);", &[]),
        // A mock's verification checks a call: ApexMocks' `verify`.
        (
            "((fflib_ISObjectUnitOfWork) mocks.verify(uow, 1)).registerNew(generic);",
            &[],
        ),
    ];
    let mut source = String::from("public class Writer {\n");
    for (index, (statement, _)) in cases.iter().enumerate() {
        source.push_str(&format!(
            "    void m{index}(fflib_ISObjectUnitOfWork uow, Invoice__c one, List<Invoice__c> invs, List<SObject> generic, Account acct, Registry registry, fflib_ApexMocks mocks) {{\n        \
                 ns.UnitOfWork work = new ns.UnitOfWork();\n        {statement}\n    }}\n"
        ));
    }
    source.push_str("}\n");
    let facts = class("Writer", &source);
    for (index, (statement, expected)) in cases.iter().enumerate() {
        let from = format!("ApexMethod:Writer.m{index}");
        let written: Vec<(String, DmlEvents)> = uses_from(&facts, &from)
            .iter()
            .filter_map(|u| match &u.target {
                Target::Dml { object, events } => Some((object.to_string(), *events)),
                _ => None,
            })
            .collect();
        let expected: Vec<(String, DmlEvents)> = expected
            .iter()
            .map(|(object, events)| (object.to_string(), *events))
            .collect();
        assert_eq!(written, expected, "{statement}");
    }
}

/// A method declared `override` says so: the graph takes one whose class is built on a
/// class the repository does not declare for a hook that class's framework calls.
#[test]
fn an_override_is_marked() {
    let facts = class(
        "Invoices",
        "public class Invoices extends fflib_SObjectDomain {\n    \
             public override void onBeforeInsert() { }\n    \
             public virtual void archive() { }\n    \
             protected override Boolean isOpen(Id invoiceId) { return true; }\n}\n",
    );
    assert!(decl(&facts, "ApexMethod:Invoices.onBeforeInsert").overrides);
    assert!(decl(&facts, "ApexMethod:Invoices.isOpen").overrides);
    assert!(!decl(&facts, "ApexMethod:Invoices.archive").overrides);
    assert!(!decl(&facts, "ApexClass:Invoices").overrides);
}

/// An `@InvocableMethod` says so, whichever overload carries it (they share a node): a
/// flow's Apex action, which names the class, runs it.
#[test]
fn an_invocable_method_is_marked() {
    let facts = class(
        "Approvals",
        "public class Approvals {\n    \
             public static String describe(Id orderId) { return null; }\n    \
             public static String check(Id orderId) { return null; }\n    \
             @InvocableMethod(label='Check')\n    \
             public static List<Boolean> check(List<Id> orderIds) { return null; }\n}\n",
    );
    assert!(decl(&facts, "ApexMethod:Approvals.check").invocable);
    assert!(!decl(&facts, "ApexMethod:Approvals.describe").invocable);
    assert!(!decl(&facts, "ApexClass:Approvals").invocable);
}

#[test]
fn a_trigger_runs_on_its_events() {
    use crate::facts::DmlEvents;
    let facts = trigger(
        "InvoiceTrigger",
        "trigger InvoiceTrigger on Invoice__c (before insert, after update, before update) { }",
    );
    assert_eq!(
        decl(&facts, "ApexTrigger:InvoiceTrigger").fires_on,
        DmlEvents::INSERT.union(DmlEvents::UPDATE)
    );
    let deletes = trigger(
        "T",
        "trigger T on Invoice__c (before delete, after undelete) { }",
    );
    assert_eq!(
        decl(&deletes, "ApexTrigger:T").fires_on,
        DmlEvents::DELETE.union(DmlEvents::UNDELETE)
    );
}

/// `Trigger.…` at a statement's start, which tree-sitter-sfapex does not parse, is read
/// in parentheses (`repair`): the file parses, and what the statement and the ones after
/// it use is read; a statement with fewer than two blanks before it is left as it was.
#[test]
fn a_statement_that_begins_with_trigger_parses() {
    let body = "trigger InvoiceTrigger on Invoice__c (before insert) {\n    \
                    Trigger.new[0].Total__c = Pricing.total(Trigger.new[0]);\n    \
                    trigger.newMap.get(null).addError(Labels.blocked());\n    \
                    Audit.log();\n}\n";
    let facts = trigger("InvoiceTrigger", body);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let from = "ApexTrigger:InvoiceTrigger";
    for (receiver, name) in [
        ("Pricing", "total"),
        ("Labels", "blocked"),
        ("Audit", "log"),
    ] {
        let called = uses_from(&facts, from).iter().any(|u| {
            matches!(&u.target, Target::Member { receiver: TypeExpr::Named(r), member, .. }
                if r.as_ref() == receiver && member.as_ref() == name)
        });
        assert!(
            called,
            "{receiver}.{name} not read: {:#?}",
            uses_from(&facts, from)
        );
    }
    assert_use(
        &facts,
        from,
        EdgeKind::Writes,
        field("Invoice__c", "Total__c"),
    );
    let line = |facts: &Facts, id: &str| decl(facts, id).lines;
    assert_eq!(line(&facts, from), (1, 5), "every token kept its line");
    let handler = class(
        "Handler",
        "public class Handler {\n    public void run() {\n        Trigger.old[0].addError('no');\n    }\n}\n",
    );
    assert!(handler.problems.is_empty(), "{:?}", handler.problems);
    let squeezed = class(
        "Squeezed",
        "public class Squeezed {\n public void run() {\nTrigger.old[0].addError('no');\n }\n}\n",
    );
    assert_eq!(squeezed.problems.len(), 1, "{:?}", squeezed.problems);
}

/// `Page.X` and `System.Page.X` name a Visualforce page (a `PageReference`); a variable
/// named `page` does not.
#[test]
fn a_page_named_in_apex_is_a_reference_to_it() {
    let facts = class(
        "Nav",
        "public class Nav {\n    PageReference a() { return Page.OrderSearch; }\n    \
             PageReference b() { return System.Page.Order_Pdf; }\n    \
             Object c(Wizard page) { return page.Current; }\n}\n",
    );
    let page = |name: &str| Target::Component(ComponentId::new("ApexPage", name));
    assert_use(
        &facts,
        "ApexMethod:Nav.a",
        EdgeKind::References,
        page("OrderSearch"),
    );
    assert_use(
        &facts,
        "ApexMethod:Nav.b",
        EdgeKind::References,
        page("Order_Pdf"),
    );
    assert!(!has(
        &facts,
        "ApexMethod:Nav.c",
        EdgeKind::References,
        &page("Current")
    ));
}

/// `getRecordTypeInfos()` and its maps on an object's describe read every record type
/// of the object (`RecordType:X.*`); on a describe the file cannot tie to an object (a
/// variable, a record's `getSObjectType()`) they read none, nor does a map looked up at
/// once by a string or a label.
#[test]
fn listing_an_object_s_record_types_reads_them_all() {
    let facts = class(
        "Kinds",
        "public class Kinds {\n    \
             Object a() { return Invoice__c.SObjectType.getDescribe().getRecordTypeInfos(); }\n    \
             Object b() { return Schema.SObjectType.Account.getRecordTypeInfosByDeveloperName(); }\n    \
             Object c() { return Schema.Payment__c.SObjectType.getDescribe().getRecordTypeInfosById(); }\n    \
             Object d(Schema.DescribeSObjectResult described) { return described.getRecordTypeInfos(); }\n    \
             Object e(SObject record) { return record.getSObjectType().getDescribe().getRecordTypeInfos(); }\n    \
             Object f() { return Account.SObjectType.getDescribe().getRecordTypeInfosByDeveloperName().get('Retail'); }\n    \
             Object g() { return Schema.SObjectType.Account.getRecordTypeInfosByName().get(Label.Retail_Name); }\n    \
             Object h(String kind) { return Schema.SObjectType.Account.getRecordTypeInfosByName().get(kind); }\n    \
             Object i() { Schema.DescribeSObjectResult d = Schema.SObjectType.Lead; return d.getRecordTypeInfosByName(); }\n    \
             Object j() { DescribeSObjectResult d = Case.SObjectType.getDescribe(); return d.getRecordTypeInfos(); }\n    \
             Object k() { Schema.DescribeSObjectResult d = Schema.SObjectType.Lead; return d.getRecordTypeInfosByName().get('Web'); }\n}\n",
    );
    let all =
        |object: &str| Target::Component(ComponentId::new("RecordType", &format!("{object}.*")));
    assert_use(
        &facts,
        "ApexMethod:Kinds.a",
        EdgeKind::Reads,
        all("Invoice__c"),
    );
    assert_use(
        &facts,
        "ApexMethod:Kinds.b",
        EdgeKind::Reads,
        all("Account"),
    );
    assert_use(
        &facts,
        "ApexMethod:Kinds.c",
        EdgeKind::Reads,
        all("Payment__c"),
    );
    // A lookup by a name held in a variable may be of any of them.
    assert_use(
        &facts,
        "ApexMethod:Kinds.h",
        EdgeKind::Reads,
        all("Account"),
    );
    // A local declared from a describe: its object's.
    assert_use(&facts, "ApexMethod:Kinds.i", EdgeKind::Reads, all("Lead"));
    assert_use(&facts, "ApexMethod:Kinds.j", EdgeKind::Reads, all("Case"));
    // One looked up by a string or a label: the string names it.
    for method in ["d", "e", "f", "g", "k"] {
        let lists = uses_from(&facts, &format!("ApexMethod:Kinds.{method}"))
            .iter()
            .any(|u| matches!(&u.target, Target::Component(id) if id.is_type("RecordType")));
        assert!(!lists, "{method}");
    }
}

/// A branch that never runs in a test (`if (!Test.isRunningTest())`, the `else` of
/// `if (Test.isRunningTest())`, an `&&` with the first, an `||` with the second) uses
/// nothing a test could reach; the other branches, and conditions that do not depend on
/// it, are read as before.
#[test]
fn a_branch_no_test_runs_uses_nothing() {
    let facts = class(
        "Guarded",
        "public class Guarded {\n    void run(Boolean flag) {\n        \
             if (!Test.isRunningTest()) { Helper.a(); }\n        \
             if (System.Test.isRunningTest()) { Helper.b(); } else if (flag) { Helper.c(); } else { Helper.d(); }\n        \
             if (!Test.isRunningTest() && flag) { Helper.e(); } else { Helper.f(); }\n        \
             if (flag || Test.isRunningTest()) { Helper.g(); } else { Helper.h(); }\n        \
             if (!flag) { Helper.i(); } else { Helper.j(); }\n        \
             if (Test.isRunningTest() == false) { Helper.k(); }\n    }\n}\n",
    );
    assert_eq!(helper_calls(&facts, "run"), ["b", "f", "g", "i", "j", "k"]);
}

/// The methods of `Helper` that `Guarded.{method}` calls, in order.
fn helper_calls(facts: &Facts, method: &str) -> Vec<String> {
    uses_from(facts, &format!("ApexMethod:Guarded.{method}"))
        .iter()
        .filter_map(|u| match &u.target {
            Target::Member {
                receiver: TypeExpr::Named(r),
                member,
                ..
            } if r.as_ref() == "Helper" => Some(member.to_string()),
            _ => None,
        })
        .collect()
}

/// What a test never evaluates elsewhere too: the operand after `!Test.isRunningTest()
/// &&` or `Test.isRunningTest() ||` in any expression, the other side of a conditional
/// on it, and the rest of a block after `if (Test.isRunningTest()) return;` (or a
/// `throw`, `break`, `continue`); operands before it, and code after an `if` that may
/// fall through, are read as before.
#[test]
fn code_a_test_never_evaluates_uses_nothing() {
    let facts = class(
        "Guarded",
        "public class Guarded {\n    Boolean run(Boolean flag) {\n        \
             Boolean x = Helper.a() && !Test.isRunningTest() && Helper.b() || Helper.c();\n        \
             Object y = Test.isRunningTest() ? Helper.d() : Helper.e();\n        \
             Object z = !Test.isRunningTest() ? Helper.f() : Helper.g();\n        \
             for (Integer i = 0; i < 2; i++) {\n            \
                 if (Test.isRunningTest()) { continue; }\n            \
                 Helper.h();\n        }\n        \
             if (Test.isRunningTest() && flag) { return false; }\n        \
             if (Test.isRunningTest()) { Helper.i(); } \n        \
             Helper.j();\n        \
             if (Test.isRunningTest()) {\n            Helper.k();\n            return true;\n        }\n        \
             Helper.l();\n    }\n    \
         Boolean enabled() { return Helper.m() || (!Test.isRunningTest() && Helper.n()); }\n}\n",
    );
    assert_eq!(
        helper_calls(&facts, "run"),
        ["a", "c", "d", "g", "i", "j", "k"]
    );
    assert_eq!(helper_calls(&facts, "enabled"), ["m"]);
}

#[test]
fn dml_through_members_of_other_classes_is_left_to_the_graph() {
    use crate::facts::DmlEvents;
    let facts = class(
        "Saver",
        "public class Saver {\n    \
             private List<Invoice__c> mine;\n    \
             void a(Model model) { update model.records; }\n    \
             void b(Holder holder) { update holder.inner.addrs; }\n    \
             void c() { insert Selector.pending(); }\n    \
             void d(Invoice__c one, Payment__c two) { insert new SObject[]{ one, two }; }\n    \
             void e(Invoice__c one, SObject other) { insert new List<SObject>{ one, other }; }\n    \
             void f(Model model, Invoice__c one) { Database.insert(new List<SObject>{ one, model.records }); }\n    \
             void g() { update this.mine; }\n    \
             void h(Invoice__c one) { insert new SObject[]{ one, unknownName }; }\n}\n",
    );
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let writes = |method: &str| -> Vec<Target> {
        uses_from(&facts, &format!("ApexMethod:Saver.{method}"))
            .iter()
            .filter(|u| u.kind == EdgeKind::Writes)
            .map(|u| match &u.target {
                Target::Dml { object, .. } => Target::SObject(object.clone()),
                other => other.clone(),
            })
            .collect()
    };
    let deferred =
        |records: TypeExpr<'static>, events: DmlEvents| Target::DmlOf { records, events };
    let member_of = |inner: TypeExpr<'static>, name: &str| {
        TypeExpr::MemberOf(Box::new(inner), name.to_string().into())
    };
    assert_eq!(
        writes("a"),
        vec![deferred(
            member_of(named("Model"), "records"),
            DmlEvents::UPDATE
        )]
    );
    assert_eq!(
        writes("b"),
        vec![deferred(
            member_of(member_of(named("Holder"), "inner"), "addrs"),
            DmlEvents::UPDATE
        )]
    );
    assert_eq!(
        writes("c"),
        vec![deferred(
            TypeExpr::ReturnOf(Box::new(named("Selector")), "pending".into()),
            DmlEvents::INSERT
        )]
    );
    // A list of untyped records built from typed values writes their objects.
    assert_eq!(
        writes("d"),
        vec![sobject("Invoice__c"), sobject("Payment__c")]
    );
    // One value of unknown object makes it a write of any object.
    assert_eq!(writes("e"), vec![sobject("*")]);
    assert_eq!(
        writes("f"),
        vec![
            sobject("Invoice__c"),
            deferred(member_of(named("Model"), "records"), DmlEvents::INSERT)
        ]
    );
    // This file's own field is typed here, as before.
    assert_eq!(writes("g"), vec![sobject("Invoice__c")]);
    // A bare name that is no variable may be anything.
    assert_eq!(writes("h"), vec![sobject("*")]);
}

/// Input that makes tree-sitter's error recovery go quadratic is given up on within the
/// time limit: the file is one the parser could not read, so the plan errs toward more
/// tests. Fuzzing found 100 KB of `<a>` (over ten seconds with tree-sitter 0.25, linear
/// since 0.27); 10 KB of `->` takes 5.3 s with 0.27 (ten times its budget; a fifth of
/// that at half the length), in steps between which the budget is checked.
#[test]
fn input_the_parser_would_recover_from_forever_is_given_up() {
    let source = include_str!("../../../tests/data/fuzz/apex-arrows.cls");
    let facts = class("Hostile", source);
    assert!(crate::parse::gave_up(&facts), "{:?}", facts.problems);
}

/// The twin: a large class of ordinary code (over 300 KB) is parsed whole; the time limit
/// is far above what real code needs.
#[test]
fn a_large_ordinary_class_is_parsed_within_the_budget() {
    let mut source = String::from("public class Big {\n");
    for i in 0..4_000 {
        source.push_str(&format!(
            "    public Integer m{i}(Integer x) {{ if (x > {i}) {{ return x * 2 + helper(x); }} return {i}; }}\n"
        ));
    }
    source.push_str("    private Integer helper(Integer x) { return x; }\n}\n");
    assert!(source.len() > 300_000);
    let facts = class("Big", &source);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert!(facts.declares.len() > 3_000);
}

#[test]
fn kind_names_from_the_table_are_the_nodes_own() {
    // An error node and a missing one beside every kind of this small class.
    let source = "@IsTest public class K { Integer x = (1 + ; List<String> s = new List<String>{'a'}; void m() { for (Account a : [SELECT Id FROM Account]) { insert a; } } }";
    let mut parser = Parser::new();
    parser
        .set_language(&Language::new(tree_sitter_sfapex::apex::LANGUAGE))
        .expect("grammar");
    let tree = parser.parse(source, None).expect("parsed");
    assert!(tree.root_node().has_error());
    let mut stack = vec![tree.root_node()];
    let mut seen = 0;
    while let Some(node) = stack.pop() {
        assert_eq!(text::kind_name(node), node.kind());
        seen += 1;
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    assert!(seen > 50, "{seen} nodes");
}

/// DML on a local list of untyped records writes the objects of the records put in it
/// (`add`, `addAll`, `put`, a typed initializer), whatever the order in the text; a list
/// the walk cannot follow (handed to a call, assigned, a record of unknown object put
/// in, its records handed on) writes every object, as before.
#[test]
fn a_list_of_records_built_in_the_member_writes_their_objects() {
    use crate::facts::DmlEvents;
    let cases: [(&str, &[&str]); 14] = [
        (
            "List<SObject> changed = new List<SObject>(); changed.add(inv); update changed;",
            &["Invoice__c"],
        ),
        (
            "List<SObject> changed = new List<SObject>(); \
             if (changed != null && changed.isEmpty()) { changed.addAll(accounts); } \
             changed.add(new Contact()); update changed;",
            &["Account", "Contact"],
        ),
        (
            "Map<Id, SObject> byId = new Map<Id, SObject>(); byId.put(inv.Id, inv); \
             if (!byId.values().isEmpty()) { update byId.values(); }",
            &["Invoice__c"],
        ),
        (
            "SObject[] rows = new SObject[]{ inv, new Account() }; Database.update(rows, false);",
            &["Invoice__c", "Account"],
        ),
        // Put in after the DML, in a loop: still the list's.
        (
            "List<SObject> batch = new List<SObject>(); \
             for (Account a : accounts) { if (batch.size() > 9) { update batch; batch.clear(); } batch.add(a); } \
             for (SObject row : batch) { } update batch;",
            &["Account"],
        ),
        // What the walk cannot follow.
        (
            "List<SObject> changed = new List<SObject>(); changed.add(inv); fill(changed); update changed;",
            &["*"],
        ),
        (
            "List<SObject> changed = new List<SObject>(); changed.add(row); update changed;",
            &["*"],
        ),
        (
            "List<SObject> changed = new List<SObject>(); changed.add(inv); changed = others; update changed;",
            &["*"],
        ),
        (
            "List<SObject> changed = others; changed.add(inv); update changed;",
            &["*"],
        ),
        (
            "List<SObject> changed = new List<SObject>(others); changed.add(inv); update changed;",
            &["*"],
        ),
        (
            "Map<Id, SObject> byId = new Map<Id, SObject>(); byId.put(inv.Id, inv); \
             fill(byId.values()); update byId.values();",
            &["*"],
        ),
        ("List<SObject> changed = new List<SObject>(); update changed;", &["*"]),
        // Reading an element reads the list; setting one puts a record in.
        (
            "List<SObject> rows = new List<SObject>{ new Account() }; update rows; \
             Id first = rows[0].Id; rows[0] = inv; update rows;",
            &["Account", "Invoice__c"],
        ),
        (
            "List<SObject> rows = new List<SObject>{ new Account() }; rows[0] = row; update rows;",
            &["*"],
        ),
    ];
    let mut source = String::from("public class Writer {\n");
    for (index, (statements, _)) in cases.iter().enumerate() {
        source.push_str(&format!(
            "    void m{index}(Invoice__c inv, List<Account> accounts, SObject row, List<SObject> others) {{\n        \
                 {statements}\n    }}\n"
        ));
    }
    source.push_str("}\n");
    let facts = class("Writer", &source);
    for (index, (statements, expected)) in cases.iter().enumerate() {
        let from = format!("ApexMethod:Writer.m{index}");
        let mut written: Vec<String> = uses_from(&facts, &from)
            .iter()
            .filter_map(|u| match &u.target {
                Target::Dml { object, events } => {
                    assert_ne!(*events, DmlEvents::INSERT, "{statements}");
                    Some(object.to_string())
                }
                _ => None,
            })
            .collect();
        written.dedup();
        assert_eq!(written, *expected, "{statements}");
    }
}

/// A static method's records parameter is followed while every occurrence is saved,
/// read, looped over or handed to a static call: it is declared with the events of its
/// DML and the calls it is handed to, and its DML is the graph's to decide
/// (`ParameterDml`). A list of its records built in a loop is handed on for it. A
/// parameter assigned or given records, an instance method's and an `@InvocableMethod`'s
/// write every object, as before. Returning the parameter gives the caller back what it
/// passed (a test data factory's `createRecord`); returning it cast is an occurrence not
/// followed. Each call of a static method says what it passes.
#[test]
fn a_static_method_declares_the_records_parameters_it_follows() {
    use crate::facts::{DmlEvents, Handoff, OwnParameter, RecordsParameter};
    let source = "public class Saver {
    static List<SObject> cache;
    public static void save(List<SObject> rows) {
        Checks.check(rows); System.debug(rows);
        for (SObject row : rows) { Id id = row.Id; }
        update rows;
    }
    public static void saveOne(SObject row) { row.put('Name', 'x'); save(new List<SObject>{ row }); }
    public static void saveWrapped(SObject row) { List<SObject> rows = new List<SObject>{ row }; save(rows); }
    public static void upsertAll(List<SObject> rows) {
        List<SObject> fresh = new List<SObject>();
        for (SObject row : rows) { if (row.Id == null) { fresh.add(row); } }
        insertAll(fresh);
    }
    public static void insertAll(List<SObject> rows) { insert rows; }
    public static SObject returned(SObject row) { insert row; return row; }
    public static SObject cast(SObject row) { insert row; return (Account) row; }
    public static void kept(List<SObject> rows) { cache = rows; update rows; }
    public static void padded(List<SObject> rows) { rows.add(new Account()); update rows; }
    public void instance(List<SObject> rows) { update rows; }
    @InvocableMethod public static void invocable(List<SObject> rows) { update rows; }
    public static void replaced(List<SObject> rows) {
        List<SObject> fresh = new List<SObject>();
        for (SObject row : rows) { row = new Account(); fresh.add(row); }
        insertAll(fresh);
    }
    static void caller(List<Contact> contacts) {
        save(contacts);
        save(new List<SObject>{ new Account() });
        save(Database.query('SELECT Id FROM Lead'));
        save(null);
        Checks.count(contacts.size());
    }
}
";
    let facts = class("Saver", source);
    let handoff = |class: &str, member: &str| Handoff {
        class: class.to_string(),
        member: member.to_string(),
        position: 0,
    };
    let followed = |saves: DmlEvents, handed: Vec<Handoff>| {
        vec![RecordsParameter {
            position: 0,
            saves,
            handed,
        }]
    };
    let declared = |method: &str| {
        let id = ComponentId::member("Saver", method);
        let declaration = facts.declares.iter().find(|d| d.id == id).expect(method);
        declaration.records_parameters.clone()
    };
    assert_eq!(
        declared("save"),
        followed(DmlEvents::UPDATE, vec![handoff("Checks", "check")])
    );
    assert_eq!(
        declared("saveOne"),
        followed(DmlEvents::NONE, vec![handoff("Saver", "save")])
    );
    assert_eq!(
        declared("saveWrapped"),
        followed(DmlEvents::NONE, vec![handoff("Saver", "save")])
    );
    assert_eq!(
        declared("upsertAll"),
        followed(DmlEvents::NONE, vec![handoff("Saver", "insertAll")])
    );
    assert_eq!(declared("insertAll"), followed(DmlEvents::INSERT, vec![]));
    assert_eq!(declared("returned"), followed(DmlEvents::INSERT, vec![]));
    assert_eq!(declared("replaced"), followed(DmlEvents::NONE, vec![]));
    for open in ["cast", "kept", "padded", "instance", "invocable", "caller"] {
        assert_eq!(declared(open), vec![], "{open}");
    }

    // What each method's DML and hand-offs write.
    let writes = |method: &str| -> Vec<String> {
        uses_from(&facts, &format!("ApexMethod:Saver.{method}"))
            .iter()
            .filter_map(|u| match &u.target {
                Target::Dml { object, .. } => Some(format!("dml {object}")),
                Target::ParameterDml {
                    parameter: OwnParameter { method, position },
                    ..
                } => Some(format!("parameter {method} {position}")),
                Target::DmlThrough(passed) => Some(match &passed.handed {
                    Some(own) => format!("{} gets {}'s", passed.member, own.method),
                    None => format!("{} gets {}", passed.member, passed.object),
                }),
                _ => None,
            })
            .collect()
    };
    assert_eq!(writes("save"), ["parameter save 0", "check gets save's"]);
    assert_eq!(writes("saveOne"), ["save gets saveOne's"]);
    assert_eq!(writes("saveWrapped"), ["save gets saveWrapped's"]);
    assert_eq!(writes("upsertAll"), ["insertAll gets upsertAll's"]);
    assert_eq!(writes("returned"), ["parameter returned 0"]);
    assert_eq!(writes("cast"), ["dml *"]);
    assert_eq!(writes("kept"), ["dml *"]);
    assert_eq!(writes("padded"), ["dml *"]);
    assert_eq!(writes("instance"), ["dml *"]);
    assert_eq!(writes("invocable"), ["dml *"]);
    assert_eq!(writes("replaced"), ["insertAll gets *"]);
    // A value whose type the file cannot tell may be records, to any static method.
    assert_eq!(
        writes("caller"),
        [
            "save gets Contact",
            "save gets Account",
            "save gets *",
            "count gets *"
        ]
    );
}

/// Each name of a declaration that declares several is its own member, hashed without
/// the others: a constant added beside them, or another's value edited, leaves it alone
/// (b2c-crm-sync's `B2CConstant` keeps 70 constants in one statement).
#[test]
fn a_constant_declared_beside_others_changes_only_with_its_own_text() {
    let hash = |source: &str, name: &str| {
        let facts = class("Keys", source);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        decl(&facts, &format!("ApexMethod:Keys.{name}")).body_hash
    };
    let before = "public class Keys { public static final String A = 'a', B = 'b'; }";
    let added = "public class Keys { public static final String A = 'a', B = 'b', C = 'c'; }";
    let edited = "public class Keys { public static final String A = 'x', B = 'b'; }";
    let retyped = "public class Keys { public static final Object A = 'a', B = 'b'; }";
    for name in ["A", "B"] {
        assert_eq!(hash(before, name), hash(added, name), "{name}");
    }
    assert_ne!(hash(before, "A"), hash(edited, "A"));
    assert_eq!(hash(before, "B"), hash(edited, "B"));
    // What the names share is part of each.
    for name in ["A", "B"] {
        assert_ne!(hash(before, name), hash(retyped, name), "{name}");
    }
    // A name declared alone hashes as it does beside others.
    let alone = "public class Keys { public static final String A = 'a'; }";
    assert_eq!(hash(alone, "A"), hash(before, "A"));
}

/// A class literal is a type as a value (`type-ref`): a factory's map may make an instance
/// of it. Given to a call that makes none (`JSON.deserialize`, `Test.createStub`, a mock
/// library's `mock`), it is a plain reference; given to `Type`'s, a `type-ref` still.
#[test]
fn a_class_literal_is_a_type_ref_unless_no_instance_is_made_of_it() {
    let source = r#"
public class Literals {
    public void run(String body, Mocks mocks) {
        Map<Type, Type> implementations = new Map<Type, Type>{ Api.class => Service.class };
        Order order = (Order) JSON.deserialize(body, Order.class);
        Object stub = Test.createStub(Stubbed.class, null);
        Object mocked = mocks.mock(Mocked.class);
        Object named = Type.forName(Named.class.getName()).newInstance();
    }
}
"#;
    let facts = class("Literals", source);
    let run = "ApexMethod:Literals.run";
    let apex = |name: &str| -> Target<'static> { Target::ApexType(name.to_string().into()) };
    for made in ["Api", "Service", "Named"] {
        assert_use(&facts, run, EdgeKind::TypeRef, apex(made));
    }
    for held in ["Order", "Stubbed", "Mocked"] {
        assert_use(&facts, run, EdgeKind::References, apex(held));
        assert!(!has(&facts, run, EdgeKind::TypeRef, &apex(held)), "{held}");
    }
}

/// DML on `decision.getRecords()` of `Security.stripInaccessible` writes the object of
/// the records it was given: held in a local decision or called in place, the records a
/// typed local or a list built in place; an untyped list still writes every object.
#[test]
fn the_records_of_an_access_decision_are_those_it_was_given() {
    let source = r#"
public class Guard {
    public void local(List<Visit__c> visits) {
        SObjectAccessDecision decision = Security.stripInaccessible(AccessType.CREATABLE, visits);
        insert decision.getRecords();
    }
    public void inline(Setting__c setting) {
        upsert System.Security.stripInaccessible(AccessType.UPSERTABLE, new List<Setting__c>{ setting }).getRecords();
    }
    public void untyped(List<SObject> rows) {
        System.SObjectAccessDecision decision = Security.stripInaccessible(AccessType.UPDATABLE, rows);
        update decision.getRecords();
    }
}
"#;
    let facts = class("Guard", source);
    let written = |member: &str| -> Vec<String> {
        uses_from(&facts, &format!("ApexMethod:Guard.{member}"))
            .iter()
            .filter_map(|u| match &u.target {
                Target::Dml { object, .. } => Some(object.to_string()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(written("local"), ["Visit__c"]);
    assert_eq!(written("inline"), ["Setting__c"]);
    assert_eq!(written("untyped"), ["*"]);
}
