//! A generator of synthetic Salesforce DX orgs of realistic shape, for the `plan` benchmark.
//!
//! From a class count and a seed it builds an org model (custom objects with fields and
//! validation rules, triggers with handler classes, services that call each other by static
//! calls, typed locals, fields, `new X().m()` chains and interfaces, selectors, a test data
//! factory, test classes, a few record-triggered flows with flow tests), renders it as
//! source-format files, commits it with `git2`, then adds a history of small commits that
//! edit method bodies. The same seed gives byte-identical files and identical commit ids.
//!
//! It does not produce Apex that compiles on a real org (types of arguments are plausible,
//! not checked); it produces Apex that parses and has the reference structure of real code.

use git2::{Oid, Repository, RepositoryInitOptions, Signature, Time};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// SplitMix64: a tiny deterministic PRNG, so the generator needs no `rand` crate.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A seed derived from two numbers, so each class renders from its own stream and editing
/// one method does not shift the random choices of any other.
fn mix(a: u64, b: u64) -> u64 {
    Rng::new(a.wrapping_mul(0x100_0000_01B3) ^ b.rotate_left(17)).next_u64()
}

const NOUNS: &[&str] = &[
    "Invoice",
    "Payment",
    "Shipment",
    "Contract",
    "Quote",
    "Product",
    "Warehouse",
    "Vendor",
    "Customer",
    "Subscription",
    "Renewal",
    "Claim",
    "Policy",
    "Asset",
    "Ticket",
    "Project",
    "Milestone",
    "Timesheet",
    "Expense",
    "Budget",
    "Forecast",
    "Territory",
    "Program",
    "Donation",
    "Grant",
    "Enrollment",
    "Course",
    "Patient",
    "Appointment",
    "Device",
    "Inspection",
    "Permit",
    "License",
    "Property",
    "Lease",
    "Tenant",
    "Loan",
    "Collateral",
    "Delivery",
    "Route",
    "Carrier",
    "Supplier",
    "Requisition",
    "Receipt",
    "Refund",
    "Credit",
    "Commission",
    "Rebate",
    "Voucher",
    "Membership",
];
const QUALIFIERS: &[&str] = &[
    "Line",
    "Item",
    "Schedule",
    "History",
    "Request",
    "Detail",
    "Allocation",
    "Adjustment",
    "Event",
    "Rule",
    "Version",
    "Approval",
];
const ASPECTS: &[&str] = &[
    "Pricing",
    "Billing",
    "Approval",
    "Sync",
    "Validation",
    "Allocation",
    "Notification",
    "Rollup",
    "Scoring",
    "Routing",
    "Matching",
    "Reconciliation",
    "Scheduling",
    "Export",
    "Import",
    "Audit",
    "Tax",
    "Discount",
    "Eligibility",
    "Assignment",
];
const KINDS: &[&str] = &[
    "Service",
    "Domain",
    "Manager",
    "Calculator",
    "Processor",
    "Helper",
    "Engine",
];
const VERBS: &[&str] = &[
    "calculate",
    "apply",
    "validate",
    "sync",
    "load",
    "build",
    "refresh",
    "assign",
    "recalculate",
    "resolve",
    "merge",
    "prepare",
    "evaluate",
    "collect",
    "notify",
    "schedule",
    "archive",
    "reconcile",
    "enrich",
    "normalize",
    "close",
    "open",
    "split",
    "rollUp",
];
const METHOD_NOUNS: &[&str] = &[
    "Totals",
    "Discounts",
    "Status",
    "Owners",
    "Lines",
    "Dates",
    "Balances",
    "Flags",
    "Scores",
    "Summaries",
    "Contacts",
    "Limits",
    "Allocations",
    "Reminders",
    "Defaults",
    "Approvals",
    "Charges",
    "Periods",
    "Tiers",
    "Exceptions",
];
const FIELD_WORDS: &[&str] = &[
    "Quantity",
    "Region",
    "Priority",
    "Start_Date",
    "End_Date",
    "Is_Active",
    "Description",
    "Reference",
    "Category",
    "Discount",
    "Tax_Rate",
    "Score",
    "Owner_Email",
    "External_Id",
    "Notes",
    "Approved",
    "Approval_Date",
    "Currency_Code",
    "Balance",
    "Limit",
    "Channel",
    "Source",
    "Segment",
    "Term_Months",
    "Renewal_Date",
    "Is_Primary",
    "Weight",
    "Rating",
    "Stage",
    "Due_Date",
    "Paid_Date",
    "Total",
    "Net_Amount",
    "Margin",
];
const VARIANTS: &[&str] = &[
    "Default",
    "Express",
    "Standard",
    "Partner",
    "Enterprise",
    "Legacy",
    "Regional",
    "Bulk",
];
const AUTHORS: &[(&str, &str)] = &[
    ("Ana Ortiz", "ana@example.com"),
    ("Ben Carter", "ben@example.com"),
    ("Chen Wei", "chen@example.com"),
    ("Dara Singh", "dara@example.com"),
    ("Eli Novak", "eli@example.com"),
];
const TEST_SUFFIXES: &[&str] = &[
    "ReturnsRecords",
    "HandlesEmptyInput",
    "UpdatesRecords",
    "WorksInBulk",
    "RespectsThreshold",
    "Succeeds",
    "KeepsExistingValues",
    "SkipsClosedRecords",
];

const API_VERSION: &str = "62.0";
const CLASSES_DIR: &str = "force-app/main/default/classes";
const TRIGGERS_DIR: &str = "force-app/main/default/triggers";
const OBJECTS_DIR: &str = "force-app/main/default/objects";
const FLOWS_DIR: &str = "force-app/main/default/flows";
const FLOWTESTS_DIR: &str = "force-app/main/default/flowtests";
/// Commit times start here (2024-01-01) and advance one hour per commit.
const EPOCH: i64 = 1_704_067_200;

/// The data type of a generated custom field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FieldKind {
    Text,
    Number,
    Currency,
    Checkbox,
    Date,
    Picklist,
    LongText,
    Lookup(usize),
}

/// A custom field; `rev` counts the edits made to it in the history.
#[derive(Clone, Debug)]
struct Field {
    api: String,
    label: String,
    kind: FieldKind,
    rev: u32,
}

/// A validation rule on the object's currency field.
#[derive(Clone, Debug)]
struct Rule {
    name: String,
    rev: u32,
}

/// A custom object: `api` is `Invoice_Line__c`, `pascal` is `InvoiceLine`.
#[derive(Clone, Debug)]
struct SObject {
    api: String,
    pascal: String,
    label: String,
    fields: Vec<Field>,
    rules: Vec<Rule>,
    parent: Option<usize>,
    /// The handler class, when the object has a trigger.
    handler: Option<usize>,
    trigger_rev: u32,
}

impl SObject {
    /// Index of the status picklist (always field 0).
    const STATUS: usize = 0;
    /// Index of the currency field (always field 1).
    const AMOUNT: usize = 1;

    fn status(&self) -> &str {
        &self.fields[Self::STATUS].api
    }

    fn amount(&self) -> &str {
        &self.fields[Self::AMOUNT].api
    }

    fn plural(&self) -> String {
        plural(&self.pascal)
    }
}

/// What a class is for; decides how it renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Utils,
    Logger,
    BaseService,
    Factory,
    Selector,
    Interface,
    Impl(usize),
    Service,
    Controller,
    Batch,
    Handler,
    FlowAction,
    Test,
}

/// The shape of a method, which decides its parameters, return type and how it is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sig {
    /// `static List<O> m(Set<Id> ids)`
    Query,
    /// `static Integer m(String key, Integer n)`
    Scalar,
    /// `void m(List<O> records)` (instance)
    Apply,
    /// `Map<Id, O> m(Set<Id> ids)` (instance)
    MapById,
    /// Fixed-shape methods of handlers, batches, flow actions, factories and selectors.
    Fixed,
    /// An `@IsTest` method.
    Test,
}

impl Sig {
    fn is_static(self) -> bool {
        matches!(self, Sig::Query | Sig::Scalar)
    }
}

/// Objects per feature module: services mostly call services of their own module.
const OBJECTS_PER_MODULE: usize = 5;

/// What a new class may call: the services and interfaces of each feature module so far,
/// and the shared core services.
#[derive(Clone, Debug)]
struct Pools {
    modules: Vec<Vec<usize>>,
    core: Vec<usize>,
}

/// How a call site reaches its callee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// `Callee.m(..)`
    Static,
    /// `Callee c = new Callee(); c.m(..)`
    Local,
    /// Through a field of the calling class.
    Field,
    /// `new Callee().m(..)`
    Chain,
    /// `IFace s = new Impl(); s.m(..)`; `class` of the call is the interface.
    Interface { implementor: usize },
    /// Through a field of interface type set with `Type.forName('Impl')`.
    Reflective,
}

/// One call from a method to a method of another class.
#[derive(Clone, Copy, Debug)]
struct Call {
    class: usize,
    method: usize,
    form: Form,
    /// Also declare a local of the callee's inner class type (`Callee.Inner x = ...`).
    inner: bool,
}

/// A method: its shape, the object it works on, its calls, and its edit count.
#[derive(Clone, Debug)]
struct Method {
    name: String,
    sig: Sig,
    obj: usize,
    calls: Vec<Call>,
    soql: bool,
    dml: u8,
    uses_inner: bool,
    base: u32,
    rev: u32,
    seed: u64,
}

/// A class-level field holding a collaborator.
#[derive(Clone, Debug)]
struct Collab {
    class: usize,
    var: String,
    /// Set by `Type.forName('impl')` with the interface as declared type.
    reflective_impl: Option<usize>,
}

/// An Apex class of the model.
#[derive(Clone, Debug)]
struct ApexClass {
    name: String,
    role: Role,
    obj: usize,
    methods: Vec<Method>,
    collabs: Vec<Collab>,
    inner: Option<String>,
    extends_base: bool,
    /// Test classes: the objects created in `@TestSetup`.
    setup_objs: Vec<usize>,
    seed: u64,
}

/// A record-triggered flow on an object, optionally calling a flow action class.
#[derive(Clone, Debug)]
struct Flow {
    name: String,
    obj: usize,
    action: Option<usize>,
    rev: u32,
}

/// Counts of what [`Org::write_and_commit`] produced.
#[derive(Clone, Debug, Default)]
pub struct RepoStats {
    /// Files in the head commit.
    pub files: usize,
    /// Bytes of those files.
    pub bytes: usize,
    /// Commits on the branch.
    pub commits: usize,
    /// Apex classes (test classes included).
    pub classes: usize,
    /// Apex test classes.
    pub test_classes: usize,
    /// Apex triggers.
    pub triggers: usize,
    /// Custom objects.
    pub objects: usize,
    /// Custom fields.
    pub fields: usize,
    /// Flows (each with one flow test).
    pub flows: usize,
    /// Seconds spent rendering and writing the working tree of the base commit.
    pub write_s: f64,
    /// Seconds spent on objects, the index and the base commit.
    pub commit_s: f64,
    /// Seconds spent on the history commits.
    pub history_s: f64,
    /// Seconds spent writing all objects as one pack.
    pub pack_s: f64,
}

/// A generated org: the model, and the state of its repository once written.
#[derive(Debug)]
pub struct Org {
    objects: Vec<SObject>,
    classes: Vec<ApexClass>,
    flows: Vec<Flow>,
    rng: Rng,
    seed: u64,
    commits: usize,
}

/// One file of the org, by what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum FileRef {
    Class(usize),
    ClassMeta(usize),
    Trigger(usize),
    TriggerMeta(usize),
    Object(usize),
    Field(usize, usize),
    Rule(usize, usize),
    Flow(usize),
    FlowTest(usize),
}

fn plural(noun: &str) -> String {
    if let Some(stem) = noun.strip_suffix('y') {
        if !stem.ends_with(['a', 'e', 'o', 'u']) {
            return format!("{stem}ies");
        }
    }
    if noun.ends_with(['s', 'x']) || noun.ends_with("ch") || noun.ends_with("sh") {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Picks a name from `make` that is not yet in `taken` (case-insensitively, as Apex
/// compares), falling back to a numbered name.
fn unique(taken: &mut HashSet<String>, rng: &mut Rng, make: impl Fn(&mut Rng) -> String) -> String {
    for _ in 0..8 {
        let name = make(rng);
        if taken.insert(name.to_ascii_lowercase()) {
            return name;
        }
    }
    let base = make(rng);
    for n in 2.. {
        let name = format!("{base}{n}");
        if taken.insert(name.to_ascii_lowercase()) {
            return name;
        }
    }
    unreachable!("an unbounded counter always finds a free name")
}

impl Org {
    /// Builds the model of an org with `classes` Apex classes (at least 20), deterministically
    /// from `seed`.
    pub fn generate(classes: usize, seed: u64) -> Org {
        let classes = classes.max(20);
        let mut rng = Rng::new(seed);
        let mut org = Org {
            objects: Vec::new(),
            classes: Vec::new(),
            flows: Vec::new(),
            rng: Rng::new(mix(seed, 0xC0FFEE)),
            seed,
            commits: 0,
        };
        org.make_objects(&mut rng, (classes / 50).max(2));
        org.make_classes(&mut rng, classes);
        org
    }

    fn make_objects(&mut self, rng: &mut Rng, count: usize) {
        let mut taken = HashSet::new();
        for i in 0..count {
            let (api_stem, pascal, label) = if i < NOUNS.len() {
                (
                    NOUNS[i].to_string(),
                    NOUNS[i].to_string(),
                    NOUNS[i].to_string(),
                )
            } else {
                let noun = NOUNS[i % NOUNS.len()];
                let qual = QUALIFIERS[(i / NOUNS.len() - 1) % QUALIFIERS.len()];
                let round = i / (NOUNS.len() * (QUALIFIERS.len() + 1));
                let suffix = if round > 0 {
                    format!("{}", round + 1)
                } else {
                    String::new()
                };
                (
                    format!("{noun}_{qual}{suffix}"),
                    format!("{noun}{qual}{suffix}"),
                    format!("{noun} {qual}{suffix}"),
                )
            };
            taken.insert(pascal.to_ascii_lowercase());
            // Earlier objects are parents of later ones, as master records usually are.
            let parent = if i > 0 && rng.chance(60) {
                Some(rng.below(i))
            } else {
                None
            };
            let mut fields = vec![
                Field {
                    api: "Status__c".into(),
                    label: "Status".into(),
                    kind: FieldKind::Picklist,
                    rev: 0,
                },
                Field {
                    api: "Amount__c".into(),
                    label: "Amount".into(),
                    kind: FieldKind::Currency,
                    rev: 0,
                },
            ];
            if let Some(p) = parent {
                let parent_pascal: String = self.objects[p].pascal.clone();
                fields.push(Field {
                    api: format!("{}__c", self.objects[p].api.trim_end_matches("__c")),
                    label: parent_pascal,
                    kind: FieldKind::Lookup(p),
                    rev: 0,
                });
            }
            let n_fields = rng.range(5, 30);
            let mut field_taken: HashSet<String> =
                fields.iter().map(|f| f.api.to_ascii_lowercase()).collect();
            let mut words: Vec<&str> = FIELD_WORDS.to_vec();
            while fields.len() < n_fields && !words.is_empty() {
                let word = words.swap_remove(rng.below(words.len()));
                let kind = match word {
                    w if w.starts_with("Is_") || w == "Approved" => FieldKind::Checkbox,
                    w if w.ends_with("Date") => FieldKind::Date,
                    "Description" | "Notes" => FieldKind::LongText,
                    "Region" | "Priority" | "Category" | "Channel" | "Segment" | "Stage"
                    | "Rating" => FieldKind::Picklist,
                    "Balance" | "Total" | "Net_Amount" | "Limit" => FieldKind::Currency,
                    "Quantity" | "Score" | "Term_Months" | "Weight" | "Tax_Rate" | "Margin"
                    | "Discount" => FieldKind::Number,
                    _ => FieldKind::Text,
                };
                let mut api = format!("{word}__c");
                if !field_taken.insert(api.to_ascii_lowercase()) {
                    api = format!("{word}_{}__c", fields.len());
                    field_taken.insert(api.to_ascii_lowercase());
                }
                fields.push(Field {
                    api,
                    label: word.replace('_', " "),
                    kind,
                    rev: 0,
                });
            }
            let rules = (0..rng.range(0, 3))
                .map(|r| Rule {
                    name: [
                        "Amount_Not_Negative",
                        "Status_Required",
                        "Amount_Within_Limit",
                    ][r]
                        .to_string(),
                    rev: 0,
                })
                .collect();
            self.objects.push(SObject {
                api: format!("{api_stem}__c"),
                pascal,
                label,
                fields,
                rules,
                parent,
                handler: None,
                trigger_rev: 0,
            });
        }
    }

    fn new_class(&mut self, name: String, role: Role, obj: usize) -> usize {
        let seed = mix(self.classes.len() as u64, self.seed);
        self.classes.push(ApexClass {
            name,
            role,
            obj,
            methods: Vec::new(),
            collabs: Vec::new(),
            inner: None,
            extends_base: false,
            setup_objs: Vec::new(),
            seed,
        });
        self.classes.len() - 1
    }

    fn method(name: String, sig: Sig, obj: usize, rng: &mut Rng) -> Method {
        Method {
            name,
            sig,
            obj,
            calls: Vec::new(),
            soql: rng.chance(60),
            dml: if rng.chance(45) {
                rng.range(1, 4) as u8
            } else {
                0
            },
            uses_inner: false,
            base: rng.range(5, 500) as u32,
            rev: 0,
            seed: rng.next_u64(),
        }
    }

    fn method_names(rng: &mut Rng, count: usize) -> Vec<String> {
        let mut taken = HashSet::new();
        (0..count)
            .map(|_| {
                unique(&mut taken, rng, |r| {
                    format!("{}{}", r.pick(VERBS), r.pick(METHOD_NOUNS))
                })
            })
            .collect()
    }

    fn make_classes(&mut self, rng: &mut Rng, total: usize) {
        let n_objs = self.objects.len();
        let mut taken: HashSet<String> = HashSet::new();
        let mut fixed = |name: &str| {
            taken.insert(name.to_ascii_lowercase());
            name.to_string()
        };
        let utils = fixed("Utils");
        let logger = fixed("Logger");
        let base = fixed("BaseService");
        let factory = fixed("TestDataFactory");
        self.new_class(utils, Role::Utils, 0);
        self.new_class(logger, Role::Logger, 0);
        self.new_class(base, Role::BaseService, 0);
        let factory_idx = self.new_class(factory, Role::Factory, 0);
        for o in 0..n_objs {
            let c = self.new_class(
                format!("{}Selector", self.objects[o].pascal),
                Role::Selector,
                o,
            );
            taken.insert(self.classes[c].name.to_ascii_lowercase());
            let names = ["selectById", "selectRecent", "countByStatus"];
            for (k, name) in names.iter().enumerate() {
                let sig = if k == 2 { Sig::Scalar } else { Sig::Query };
                let m = Self::method(name.to_string(), sig, o, rng);
                self.classes[c].methods.push(m);
            }
        }
        for o in 0..n_objs {
            let m = Self::method(
                format!("create{}", self.objects[o].plural()),
                Sig::Fixed,
                o,
                rng,
            );
            self.classes[factory_idx].methods.push(m);
        }

        // Budget: ~35% tests, ~6% controllers, ~4% batches, interfaces with 2-5
        // implementations, triggers on half the objects, the rest services.
        let with_trigger: Vec<usize> = (0..n_objs).filter(|o| o % 2 == 0).collect();
        let n_flows = (total / 250).max(1);
        let n_actions = n_flows.div_ceil(2);
        let n_tests = total * 35 / 100;
        let n_controllers = total * 6 / 100;
        let n_batches = total * 4 / 100;
        let mut iface_sizes = Vec::new();
        for _ in 0..(total / 50).max(1) {
            iface_sizes.push(rng.range(2, 5));
        }
        let fixed_count = self.classes.len()
            + with_trigger.len()
            + n_actions
            + n_tests
            + n_controllers
            + n_batches
            + iface_sizes.iter().map(|s| s + 1).sum::<usize>();
        let n_services = total.saturating_sub(fixed_count).max(1);

        // Services, with interface families interleaved so that later services can call
        // earlier interfaces: `pool` holds what may be called at each point. The first
        // 15% of the services are the shared core every feature module may call.
        let mut pool = Pools {
            modules: vec![Vec::new(); n_objs.div_ceil(OBJECTS_PER_MODULE)],
            core: Vec::new(),
        };
        let n_core = (n_services * 15 / 100).max(1);
        let mut iface_at: Vec<usize> = (0..iface_sizes.len())
            .map(|_| rng.below(n_services))
            .collect();
        iface_at.sort_unstable();
        let mut next_iface = 0;
        for s in 0..n_services {
            while next_iface < iface_sizes.len() && iface_at[next_iface] <= s {
                let size = iface_sizes[next_iface];
                next_iface += 1;
                self.make_interface_family(rng, &mut taken, &mut pool, size);
            }
            let obj = rng.below(n_objs);
            let name = unique(&mut taken, rng, |r| {
                format!(
                    "{}{}{}",
                    self_pascal(&self.objects, obj),
                    r.pick(ASPECTS),
                    r.pick(KINDS)
                )
            });
            let c = self.new_class(name, Role::Service, obj);
            let n_methods = rng.range(5, 20);
            if s < n_core {
                let core_only = Pools {
                    modules: vec![Vec::new(); pool.modules.len()],
                    core: pool.core.clone(),
                };
                self.fill_service(rng, c, n_methods, &core_only);
                pool.core.push(c);
            } else {
                self.fill_service(rng, c, n_methods, &pool);
            }
            pool.modules[obj / OBJECTS_PER_MODULE].push(c);
        }
        while next_iface < iface_sizes.len() {
            let size = iface_sizes[next_iface];
            next_iface += 1;
            self.make_interface_family(rng, &mut taken, &mut pool, size);
        }
        for _ in 0..n_controllers {
            let obj = rng.below(n_objs);
            let name = unique(&mut taken, rng, |r| {
                format!(
                    "{}{}Controller",
                    self_pascal(&self.objects, obj),
                    r.pick(ASPECTS)
                )
            });
            let c = self.new_class(name, Role::Controller, obj);
            let n_methods = rng.range(3, 8);
            self.fill_service(rng, c, n_methods, &pool);
        }
        for _ in 0..n_batches {
            let obj = rng.below(n_objs);
            let name = unique(&mut taken, rng, |r| {
                let kind = r.pick(&["Batch", "CleanupBatch", "RecalculationBatch", "SyncBatch"]);
                format!("{}{}", self_pascal(&self.objects, obj), kind)
            });
            let c = self.new_class(name, Role::Batch, obj);
            let mut m = Self::method("execute".into(), Sig::Fixed, obj, rng);
            m.soql = false;
            self.classes[c].methods.push(m);
            self.add_collaborators(rng, c, &pool);
        }
        for &o in &with_trigger {
            let c = self.new_class(
                format!("{}TriggerHandler", self.objects[o].pascal),
                Role::Handler,
                o,
            );
            taken.insert(self.classes[c].name.to_ascii_lowercase());
            for hook in ["beforeInsert", "beforeUpdate", "afterInsert", "afterUpdate"] {
                let mut m = Self::method(hook.into(), Sig::Fixed, o, rng);
                m.soql = false;
                self.classes[c].methods.push(m);
            }
            self.objects[o].handler = Some(c);
            // Only after-save hooks call other classes, as in most trigger frameworks.
            self.add_collaborators(rng, c, &pool);
            for m in 0..2 {
                self.classes[c].methods[m].calls.clear();
            }
        }
        for f in 0..n_flows {
            let obj = rng.below(n_objs);
            let action = if f < n_actions {
                let c = self.new_class(
                    unique(&mut taken, rng, |r| {
                        format!(
                            "{}{}Action",
                            self_pascal(&self.objects, obj),
                            r.pick(ASPECTS)
                        )
                    }),
                    Role::FlowAction,
                    obj,
                );
                let m = Self::method("run".into(), Sig::Fixed, obj, rng);
                self.classes[c].methods.push(m);
                self.add_collaborators(rng, c, &pool);
                Some(c)
            } else {
                None
            };
            let name = format!(
                "{}_After_Save{}",
                self.objects[obj].api.trim_end_matches("__c"),
                f
            );
            self.flows.push(Flow {
                name,
                obj,
                action,
                rev: 0,
            });
        }
        self.make_tests(rng, &mut taken, n_tests);
    }

    /// An interface with 2-5 methods and `size` implementations that may call the pool.
    fn make_interface_family(
        &mut self,
        rng: &mut Rng,
        taken: &mut HashSet<String>,
        pool: &mut Pools,
        size: usize,
    ) {
        let obj = rng.below(self.objects.len());
        let stem = unique(taken, rng, |r| {
            format!(
                "{}{}Strategy",
                self_pascal(&self.objects, obj),
                r.pick(ASPECTS)
            )
        });
        let iface = self.new_class(format!("I{stem}"), Role::Interface, obj);
        taken.insert(format!("i{}", stem.to_ascii_lowercase()));
        let n_methods = rng.range(2, 5);
        for name in Self::method_names(rng, n_methods) {
            let sig = if rng.chance(50) {
                Sig::Apply
            } else {
                Sig::MapById
            };
            let m = Self::method(name, sig, obj, rng);
            self.classes[iface].methods.push(m);
        }
        let mut variants: Vec<&str> = VARIANTS.to_vec();
        for _ in 0..size {
            let variant = variants.remove(rng.below(variants.len()));
            let name = format!("{variant}{stem}");
            taken.insert(name.to_ascii_lowercase());
            let c = self.new_class(name, Role::Impl(iface), obj);
            let mut methods: Vec<Method> = self.classes[iface].methods.clone();
            for m in &mut methods {
                m.seed = rng.next_u64();
                m.base = rng.range(5, 500) as u32;
                m.soql = rng.chance(50);
                m.dml = if rng.chance(40) {
                    rng.range(1, 4) as u8
                } else {
                    0
                };
            }
            let own: HashSet<String> = methods
                .iter()
                .map(|m| m.name.to_ascii_lowercase())
                .collect();
            let n_own = rng.range(1, 3);
            for name in Self::method_names(rng, n_own) {
                if !own.contains(&name.to_ascii_lowercase()) {
                    let sig = *rng.pick(&[Sig::Query, Sig::Scalar, Sig::Apply]);
                    methods.push(Self::method(name, sig, obj, rng));
                }
            }
            self.classes[c].methods = methods;
            self.add_collaborators(rng, c, pool);
        }
        pool.modules[obj / OBJECTS_PER_MODULE].push(iface);
    }

    /// Gives a service-like class its methods, inner class, base class and collaborators.
    fn fill_service(&mut self, rng: &mut Rng, c: usize, n_methods: usize, pool: &Pools) {
        let role = self.classes[c].role;
        let obj = self.classes[c].obj;
        let n_objs = self.objects.len();
        for name in Self::method_names(rng, n_methods) {
            let sig = if role == Role::Controller {
                if rng.chance(70) {
                    Sig::Query
                } else {
                    Sig::Scalar
                }
            } else {
                *rng.pick(&[
                    Sig::Query,
                    Sig::Scalar,
                    Sig::Apply,
                    Sig::MapById,
                    Sig::Query,
                ])
            };
            // Most methods work on the class's own object, some on a neighbour.
            let m_obj = if rng.chance(75) {
                obj
            } else {
                rng.below(n_objs)
            };
            let m = Self::method(name, sig, m_obj, rng);
            self.classes[c].methods.push(m);
        }
        if role == Role::Service {
            if rng.chance(30) {
                let inner = format!(
                    "{}Result",
                    rng.pick(&["Summary", "Outcome", "Batch", "Run"])
                );
                self.classes[c].inner = Some(inner);
                let k = rng.below(n_methods);
                self.classes[c].methods[k].uses_inner = true;
            }
            self.classes[c].extends_base = rng.chance(20);
        }
        self.add_collaborators(rng, c, pool);
    }

    /// Picks 1-6 collaborator classes (mostly from the class's own feature module, some
    /// from the shared core, as real orgs are layered) and spreads calls to them over the
    /// class's methods.
    fn add_collaborators(&mut self, rng: &mut Rng, c: usize, pool: &Pools) {
        let local = &pool.modules[self.classes[c].obj / OBJECTS_PER_MODULE];
        if local.is_empty() && pool.core.is_empty() {
            return;
        }
        let want = rng.range(1, 6).min(local.len() + pool.core.len());
        let mut chosen: Vec<usize> = Vec::new();
        let mut tries = 0;
        while chosen.len() < want && tries < 40 {
            tries += 1;
            let from_core = local.is_empty() || (!pool.core.is_empty() && rng.chance(30));
            let pick = if from_core {
                *rng.pick(&pool.core)
            } else {
                *rng.pick(local)
            };
            if pick != c && !chosen.contains(&pick) {
                chosen.push(pick);
            }
        }
        let n_methods = self.classes[c].methods.len();
        let role = self.classes[c].role;
        // Static callers (controllers, handlers, actions) cannot use instance fields.
        let has_fields = matches!(role, Role::Service | Role::Impl(_) | Role::Batch);
        for (k, &callee) in chosen.iter().enumerate() {
            let callee_is_iface = self.classes[callee].role == Role::Interface;
            let mut field = false;
            if has_fields && rng.chance(40) {
                let reflective_impl = if callee_is_iface {
                    let impls = self.implementors(callee);
                    if impls.is_empty() {
                        None
                    } else {
                        Some(*rng.pick(&impls))
                    }
                } else {
                    None
                };
                if !callee_is_iface || reflective_impl.is_some() {
                    let var = lower_first(&self.classes[callee].name);
                    self.classes[c].collabs.push(Collab {
                        class: callee,
                        var,
                        reflective_impl,
                    });
                    field = true;
                }
            }
            let calls = rng.range(1, 3);
            for i in 0..calls {
                // The first call goes to a spread-out method so each collaborator is used.
                let at = if i == 0 {
                    (k * 7 + 3) % n_methods
                } else {
                    rng.below(n_methods)
                };
                let callee_methods = self.classes[callee].methods.len();
                if callee_methods == 0 {
                    continue;
                }
                let method = rng.below(callee_methods);
                let sig = self.classes[callee].methods[method].sig;
                let form = if callee_is_iface {
                    if field && rng.chance(60) {
                        Form::Reflective
                    } else {
                        let impls = self.implementors(callee);
                        if impls.is_empty() {
                            continue;
                        }
                        Form::Interface {
                            implementor: *rng.pick(&impls),
                        }
                    }
                } else if sig.is_static() {
                    Form::Static
                } else if field && rng.chance(60) {
                    Form::Field
                } else if rng.chance(50) {
                    Form::Local
                } else {
                    Form::Chain
                };
                let inner = self.classes[callee].inner.is_some() && rng.chance(25);
                self.classes[c].methods[at].calls.push(Call {
                    class: callee,
                    method,
                    form,
                    inner,
                });
            }
        }
    }

    fn implementors(&self, iface: usize) -> Vec<usize> {
        (0..self.classes.len())
            .filter(|&i| self.classes[i].role == Role::Impl(iface))
            .collect()
    }

    /// Test classes: each targets 1-3 classes (each testable class first gets one test, in a
    /// shuffled order) and has 2-8 test methods.
    fn make_tests(&mut self, rng: &mut Rng, taken: &mut HashSet<String>, count: usize) {
        let mut testable: Vec<usize> = (0..self.classes.len())
            .filter(|&i| {
                matches!(
                    self.classes[i].role,
                    Role::Service
                        | Role::Controller
                        | Role::Batch
                        | Role::Impl(_)
                        | Role::Handler
                        | Role::FlowAction
                        | Role::Selector
                )
            })
            .collect();
        for i in (1..testable.len()).rev() {
            let j = rng.below(i + 1);
            testable.swap(i, j);
        }
        for t in 0..count {
            let primary = testable[t % testable.len()];
            let mut targets = vec![primary];
            for _ in 0..rng.range(0, 2) {
                let extra = testable[rng.below(testable.len())];
                if !targets.contains(&extra) {
                    targets.push(extra);
                }
            }
            let base_name = self.classes[primary].name.clone();
            let name = unique(taken, rng, |r| {
                if r.chance(80) {
                    format!("{base_name}Test")
                } else {
                    format!(
                        "{base_name}{}Test",
                        r.pick(&["Bulk", "Integration", "Negative"])
                    )
                }
            });
            let c = self.new_class(name, Role::Test, self.classes[primary].obj);
            let n_methods = rng.range(2, 8);
            let mut names = HashSet::new();
            for k in 0..n_methods {
                let target = targets[k % targets.len()];
                let target_methods = self.classes[target].methods.len();
                if target_methods == 0 {
                    continue;
                }
                let tm = rng.below(target_methods);
                let stem = self.classes[target].methods[tm].name.clone();
                let name = unique(&mut names, rng, |r| {
                    format!("{stem}{}", r.pick(TEST_SUFFIXES))
                });
                let obj = self.classes[target].methods[tm].obj;
                let mut m = Self::method(name, Sig::Test, obj, rng);
                m.calls.push(Call {
                    class: target,
                    method: tm,
                    form: Form::Static,
                    inner: false,
                });
                if !self.classes[c].setup_objs.contains(&obj) {
                    self.classes[c].setup_objs.push(obj);
                }
                self.classes[c].methods.push(m);
            }
        }
    }

    /// Every file of the org, in a stable order.
    fn all_files(&self) -> Vec<FileRef> {
        let mut files = Vec::new();
        for c in 0..self.classes.len() {
            files.push(FileRef::Class(c));
            files.push(FileRef::ClassMeta(c));
        }
        for (o, obj) in self.objects.iter().enumerate() {
            files.push(FileRef::Object(o));
            for f in 0..obj.fields.len() {
                files.push(FileRef::Field(o, f));
            }
            for r in 0..obj.rules.len() {
                files.push(FileRef::Rule(o, r));
            }
            if obj.handler.is_some() {
                files.push(FileRef::Trigger(o));
                files.push(FileRef::TriggerMeta(o));
            }
        }
        for f in 0..self.flows.len() {
            files.push(FileRef::Flow(f));
            files.push(FileRef::FlowTest(f));
        }
        files
    }

    fn path(&self, file: FileRef) -> String {
        match file {
            FileRef::Class(c) => format!("{CLASSES_DIR}/{}.cls", self.classes[c].name),
            FileRef::ClassMeta(c) => format!("{CLASSES_DIR}/{}.cls-meta.xml", self.classes[c].name),
            FileRef::Trigger(o) => {
                format!("{TRIGGERS_DIR}/{}Trigger.trigger", self.objects[o].pascal)
            }
            FileRef::TriggerMeta(o) => {
                format!(
                    "{TRIGGERS_DIR}/{}Trigger.trigger-meta.xml",
                    self.objects[o].pascal
                )
            }
            FileRef::Object(o) => {
                let api = &self.objects[o].api;
                format!("{OBJECTS_DIR}/{api}/{api}.object-meta.xml")
            }
            FileRef::Field(o, f) => format!(
                "{OBJECTS_DIR}/{}/fields/{}.field-meta.xml",
                self.objects[o].api, self.objects[o].fields[f].api
            ),
            FileRef::Rule(o, r) => format!(
                "{OBJECTS_DIR}/{}/validationRules/{}.validationRule-meta.xml",
                self.objects[o].api, self.objects[o].rules[r].name
            ),
            FileRef::Flow(f) => format!("{FLOWS_DIR}/{}.flow-meta.xml", self.flows[f].name),
            FileRef::FlowTest(f) => {
                format!(
                    "{FLOWTESTS_DIR}/{}_Test.flowtest-meta.xml",
                    self.flows[f].name
                )
            }
        }
    }

    fn render(&self, file: FileRef) -> String {
        match file {
            FileRef::Class(c) => self.render_class(c),
            FileRef::ClassMeta(_) => meta_xml("ApexClass"),
            FileRef::Trigger(o) => self.render_trigger(o),
            FileRef::TriggerMeta(_) => meta_xml("ApexTrigger"),
            FileRef::Object(o) => self.render_object(o),
            FileRef::Field(o, f) => self.render_field(o, f),
            FileRef::Rule(o, r) => self.render_rule(o, r),
            FileRef::Flow(f) => self.render_flow(f),
            FileRef::FlowTest(f) => self.render_flow_test(f),
        }
    }

    /// The project files outside the package directory.
    fn project_files() -> Vec<(String, String)> {
        vec![
            (
                "sfdx-project.json".into(),
                format!(
                    "{{\n  \"packageDirectories\": [\n    {{ \"path\": \"force-app\", \"default\": true }}\n  ],\n  \"name\": \"bench-org\",\n  \"namespace\": \"\",\n  \"sfdcLoginUrl\": \"https://login.salesforce.com\",\n  \"sourceApiVersion\": \"{API_VERSION}\"\n}}\n"
                ),
            ),
            (
                ".forceignore".into(),
                "# Files the sf CLI does not deploy\npackage.xml\n**/jsconfig.json\n**/.eslintrc.json\n**/__tests__/**\n".into(),
            ),
            (".gitignore".into(), ".sf/\n.sfdx/\n.impact/\nnode_modules/\n".into()),
            (
                "config/project-scratch-def.json".into(),
                "{\n  \"orgName\": \"Bench Org\",\n  \"edition\": \"Developer\",\n  \"features\": []\n}\n".into(),
            ),
            (
                "README.md".into(),
                "# Bench org\n\nA generated Salesforce DX project used to benchmark `impact`.\n".into(),
            ),
        ]
    }

    /// Writes the org to `dir` (which must not hold a repository yet), commits it as the
    /// base commit, then adds `history` commits that each edit 1-5 files.
    ///
    /// Creating files is the slow part on a VM disk, so the working tree is written by a
    /// few threads, and git objects go to an in-memory backend that is written out as one
    /// pack at the end (as after a clone). Index entries are
    /// built from each file's metadata, and history commits update trees directly:
    /// `add_all` and per-commit index writes would read every file again (racy-git
    /// checks). The index is written once at the end, more than a second after the last
    /// file, so that no entry is racily clean and a working-tree diff can trust the stat
    /// data as it can in a real checkout.
    pub fn write_and_commit(
        &mut self,
        dir: &Path,
        history: usize,
    ) -> Result<RepoStats, git2::Error> {
        let mut opts = RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = Repository::init_opts(dir, &opts)?;
        let odb = repo.odb()?;
        let mempack = odb.add_new_mempack_backend(1000)?;
        let mut stats = RepoStats::default();
        let mut clock = std::time::Instant::now();
        let mut lap = || {
            let secs = clock.elapsed().as_secs_f64();
            clock = std::time::Instant::now();
            secs
        };
        let mut index = repo.index()?;
        let mut files: Vec<(String, String)> = Self::project_files();
        for file in self.all_files() {
            files.push((self.path(file), self.render(file)));
        }
        write_files(dir, &files).map_err(io_to_git)?;
        stats.write_s = lap();
        for (path, text) in &files {
            let id = repo.blob(text.as_bytes())?;
            stage(&mut index, dir, path, id)?;
            stats.bytes += text.len();
        }
        stats.files = files.len();
        drop(files);
        let tree = repo.find_tree(index.write_tree()?)?;
        self.commit(&repo, &tree, "Initial import of the org metadata")?;
        stats.commit_s = lap();
        let mut touched: Vec<String> = Vec::new();
        for _ in 0..history {
            let n = self.rng.range(1, 5);
            for path in self.history_commit(&repo, dir, n)? {
                if !touched.contains(&path) {
                    touched.push(path);
                }
            }
        }
        stats.history_s = lap();
        // One pack, as after a clone (libgit2 searches deltas on one thread; most of the
        // time goes to compressing the 200 versions of the large `classes` tree).
        let mut pack = git2::Buf::new();
        mempack.dump(&repo, &mut pack)?;
        let mut writer = odb.packwriter()?;
        std::io::Write::write_all(&mut writer, &pack).map_err(io_to_git)?;
        writer.commit()?;
        mempack.reset()?;
        stats.pack_s = lap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        for path in &touched {
            let bytes = std::fs::read(dir.join(path)).map_err(io_to_git)?;
            let id = Oid::hash_object(git2::ObjectType::Blob, &bytes)?;
            stage(&mut index, dir, path, id)?;
        }
        index.write()?;
        stats.commits = self.commits;
        stats.classes = self.classes.len();
        stats.test_classes = self.classes.iter().filter(|c| c.role == Role::Test).count();
        stats.triggers = self.objects.iter().filter(|o| o.handler.is_some()).count();
        stats.objects = self.objects.len();
        stats.fields = self.objects.iter().map(|o| o.fields.len()).sum();
        stats.flows = self.flows.len();
        Ok(stats)
    }

    /// Commits `tree` on HEAD with the next author and a time one hour after the last.
    fn commit(
        &mut self,
        repo: &Repository,
        tree: &git2::Tree,
        message: &str,
    ) -> Result<Oid, git2::Error> {
        let (name, email) = AUTHORS[self.commits % AUTHORS.len()];
        let sig = Signature::new(
            name,
            email,
            &Time::new(EPOCH + 3600 * self.commits as i64, 0),
        )?;
        let parent = match repo.head() {
            Ok(head) => Some(head.peel_to_commit()?),
            Err(_) => None,
        };
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let id = repo.commit(Some("HEAD"), &sig, &sig, message, tree, &parents)?;
        self.commits += 1;
        Ok(id)
    }

    /// Edits `n` files the way day-to-day work does (mostly method bodies of services and
    /// tests, sometimes a factory, selector, field, rule, trigger or flow), writes them and
    /// commits them without touching the index. Returns the edited paths.
    fn history_commit(
        &mut self,
        repo: &Repository,
        dir: &Path,
        n: usize,
    ) -> Result<Vec<String>, git2::Error> {
        let mut touched: Vec<FileRef> = Vec::new();
        for _ in 0..n {
            let file = self.random_edit();
            if !touched.contains(&file) {
                touched.push(file);
            }
        }
        let message = format!("Update {}", self.describe(touched[0]));
        let mut made_dirs = HashSet::new();
        let mut update = git2::build::TreeUpdateBuilder::new();
        let mut paths = Vec::new();
        for &file in &touched {
            let path = self.path(file);
            let text = self.render(file);
            write_file(dir, &path, &text, &mut made_dirs).map_err(io_to_git)?;
            let blob = repo.blob(text.as_bytes())?;
            update.upsert(path.as_str(), blob, git2::FileMode::Blob);
            paths.push(path);
        }
        let head_tree = repo.head()?.peel_to_tree()?;
        let tree = repo.find_tree(update.create_updated(repo, &head_tree)?)?;
        self.commit(repo, &tree, &message)?;
        Ok(paths)
    }

    /// Bumps the revision of one thing and returns the file that holds it.
    fn random_edit(&mut self) -> FileRef {
        let roll = self.rng.below(100);
        let pick_class = |org: &mut Org, want: &dyn Fn(Role) -> bool| -> usize {
            loop {
                let c = org.rng.below(org.classes.len());
                if want(org.classes[c].role) && !org.classes[c].methods.is_empty() {
                    return c;
                }
            }
        };
        match roll {
            0..=59 => {
                let c = pick_class(self, &|r| {
                    matches!(
                        r,
                        Role::Service
                            | Role::Controller
                            | Role::Impl(_)
                            | Role::Batch
                            | Role::Handler
                    )
                });
                self.bump_method(c);
                FileRef::Class(c)
            }
            60..=84 => {
                let c = pick_class(self, &|r| r == Role::Test);
                self.bump_method(c);
                FileRef::Class(c)
            }
            85..=89 => {
                let c = pick_class(self, &|r| matches!(r, Role::Factory | Role::Selector));
                self.bump_method(c);
                FileRef::Class(c)
            }
            90..=94 => {
                let o = self.rng.below(self.objects.len());
                let f = self.rng.below(self.objects[o].fields.len());
                self.objects[o].fields[f].rev += 1;
                FileRef::Field(o, f)
            }
            95..=96 => {
                let with_rules: Vec<usize> = (0..self.objects.len())
                    .filter(|&o| !self.objects[o].rules.is_empty())
                    .collect();
                if with_rules.is_empty() {
                    return self.random_edit();
                }
                let o = *self.rng.pick(&with_rules);
                let r = self.rng.below(self.objects[o].rules.len());
                self.objects[o].rules[r].rev += 1;
                FileRef::Rule(o, r)
            }
            97..=98 => {
                let with_trigger: Vec<usize> = (0..self.objects.len())
                    .filter(|&o| self.objects[o].handler.is_some())
                    .collect();
                let o = *self.rng.pick(&with_trigger);
                self.objects[o].trigger_rev += 1;
                FileRef::Trigger(o)
            }
            _ => {
                let f = self.rng.below(self.flows.len());
                self.flows[f].rev += 1;
                FileRef::Flow(f)
            }
        }
    }

    fn bump_method(&mut self, c: usize) -> usize {
        let m = self.rng.below(self.classes[c].methods.len());
        self.classes[c].methods[m].rev += 1;
        m
    }

    fn describe(&self, file: FileRef) -> String {
        match file {
            FileRef::Class(c) | FileRef::ClassMeta(c) => self.classes[c].name.clone(),
            FileRef::Trigger(o) | FileRef::TriggerMeta(o) => {
                format!("{}Trigger", self.objects[o].pascal)
            }
            FileRef::Object(o) => self.objects[o].api.clone(),
            FileRef::Field(o, f) => {
                format!("{}.{}", self.objects[o].api, self.objects[o].fields[f].api)
            }
            FileRef::Rule(o, r) => {
                format!("{}.{}", self.objects[o].api, self.objects[o].rules[r].name)
            }
            FileRef::Flow(f) | FileRef::FlowTest(f) => self.flows[f].name.clone(),
        }
    }

    /// Edits one method body of a service class (semantically: a literal changes) and
    /// commits it as `git commit -a` would when `commit` is true, else leaves it in the
    /// working tree. Returns the edited path.
    pub fn edit_one_service(&mut self, dir: &Path, commit: bool) -> Result<String, git2::Error> {
        let c = loop {
            let c = self.rng.below(self.classes.len());
            if self.classes[c].role == Role::Service {
                break c;
            }
        };
        let m = self.bump_method(c);
        let path = self.path(FileRef::Class(c));
        let text = self.render(FileRef::Class(c));
        write_file(dir, &path, &text, &mut HashSet::new()).map_err(io_to_git)?;
        if commit {
            let message = format!(
                "Tune {}.{}",
                self.classes[c].name, self.classes[c].methods[m].name
            );
            self.commit_paths(dir, std::slice::from_ref(&path), &message)?;
        }
        Ok(path)
    }

    /// Commits files already written to the working tree (by [`Org::edit_one_service`]
    /// without a commit), through the index as `git commit -a` does.
    pub fn commit_paths(
        &mut self,
        dir: &Path,
        paths: &[String],
        message: &str,
    ) -> Result<Oid, git2::Error> {
        let repo = Repository::open(dir)?;
        let mut index = repo.index()?;
        for path in paths {
            index.add_path(Path::new(path))?;
        }
        index.write()?;
        let tree = repo.find_tree(index.write_tree()?)?;
        self.commit(&repo, &tree, message)
    }

    /// The full text of every file, by path, in a stable order (for determinism checks).
    pub fn snapshot(&self) -> Vec<(String, String)> {
        let mut files = Self::project_files();
        for file in self.all_files() {
            files.push((self.path(file), self.render(file)));
        }
        files
    }

    // ----- rendering: Apex -----

    fn render_class(&self, c: usize) -> String {
        let class = &self.classes[c];
        match class.role {
            Role::Utils => render_utils(),
            Role::Logger => render_logger(),
            Role::BaseService => render_base_service(),
            Role::Factory => self.render_factory(c),
            Role::Selector => self.render_selector(c),
            Role::Interface => self.render_interface(c),
            Role::Impl(_) | Role::Service | Role::Controller => self.render_service(c),
            Role::Batch => self.render_batch(c),
            Role::Handler => self.render_handler(c),
            Role::FlowAction => self.render_flow_action(c),
            Role::Test => self.render_test(c),
        }
    }

    fn sig_text(&self, class: &ApexClass, m: &Method) -> String {
        let o = &self.objects[m.obj].api;
        let aura = if class.role == Role::Controller {
            if m.sig == Sig::Query {
                "@AuraEnabled(cacheable=true)\n    "
            } else {
                "@AuraEnabled\n    "
            }
        } else {
            ""
        };
        match m.sig {
            Sig::Query => format!("{aura}public static List<{o}> {}(Set<Id> ids)", m.name),
            Sig::Scalar => format!(
                "{aura}public static Integer {}(String key, Integer n)",
                m.name
            ),
            Sig::Apply => format!("public void {}(List<{o}> records)", m.name),
            Sig::MapById => format!("public Map<Id, {o}> {}(Set<Id> ids)", m.name),
            Sig::Fixed | Sig::Test => format!("public void {}()", m.name),
        }
    }

    fn render_service(&self, c: usize) -> String {
        let class = &self.classes[c];
        let obj = &self.objects[class.obj];
        let mut rng = Rng::new(class.seed);
        let mut s = String::new();
        let what = match class.role {
            Role::Controller => "Lightning controller",
            Role::Impl(_) => "Strategy implementation",
            _ => "Business logic",
        };
        let _ = writeln!(s, "/**\n * {what} for {} records.\n */", obj.label);
        let implements = match class.role {
            Role::Impl(iface) => format!(" implements {}", self.classes[iface].name),
            _ => String::new(),
        };
        let extends = if class.extends_base {
            " extends BaseService"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "public with sharing class {}{extends}{implements} {{",
            class.name
        );
        let _ = writeln!(
            s,
            "    private static final Integer MAX_ROWS = {};",
            rng.range(50, 2000)
        );
        let _ = writeln!(
            s,
            "    private static final String DEFAULT_STATUS = 'Open';"
        );
        for collab in &class.collabs {
            let callee = &self.classes[collab.class].name;
            match collab.reflective_impl {
                Some(imp) => {
                    let _ = writeln!(
                        s,
                        "    private {callee} {} = ({callee}) Type.forName('{}').newInstance();",
                        collab.var, self.classes[imp].name
                    );
                }
                None => {
                    let _ = writeln!(s, "    private {callee} {} = new {callee}();", collab.var);
                }
            }
        }
        for m in &class.methods {
            s.push('\n');
            self.render_method(&mut s, c, m);
        }
        if let Some(inner) = &class.inner {
            let _ = write!(
                s,
                "\n    public class {inner} {{\n        public Integer processed = 0;\n        public List<String> messages = new List<String>();\n\n        public void add(String message) {{\n            messages.add(message);\n            processed++;\n        }}\n    }}\n"
            );
        }
        s.push_str("}\n");
        s
    }

    /// A method body of 5-25 lines: a threshold literal (what history edits change), a
    /// query or selector call, a loop over the records, the calls, and DML.
    fn render_method(&self, s: &mut String, c: usize, m: &Method) {
        let class = &self.classes[c];
        let obj = &self.objects[m.obj];
        let o = &obj.api;
        let mut rng = Rng::new(m.seed);
        let _ = writeln!(s, "    {} {{", self.sig_text(class, m));
        let _ = writeln!(s, "        Integer threshold = {};", m.base + m.rev * 7);
        match m.sig {
            Sig::Apply => {
                let _ = writeln!(s, "        List<{o}> rows = records;");
                let _ = writeln!(s, "        Set<Id> ids = Utils.idsOf(records);");
            }
            Sig::Scalar => {
                self.render_query(s, &mut rng, m.obj, "Name = :key", "n");
                let _ = writeln!(s, "        Set<Id> ids = Utils.idsOf(rows);");
            }
            _ => {
                if m.soql {
                    self.render_query(s, &mut rng, m.obj, "Id IN :ids", "MAX_ROWS");
                } else {
                    let _ = writeln!(
                        s,
                        "        List<{o}> rows = {}Selector.selectById(ids);",
                        obj.pascal
                    );
                }
            }
        }
        if class.extends_base && rng.chance(50) {
            let _ = writeln!(s, "        logStart('{}');", m.name);
        }
        if rng.chance(70) {
            let amount = obj.amount();
            let _ = writeln!(s, "        for ({o} row : rows) {{");
            let _ = writeln!(
                s,
                "            if (row.{amount} == null || row.{amount} < threshold) {{"
            );
            let _ = writeln!(
                s,
                "                row.{amount} = Utils.defaultDecimal(row.{amount}, threshold);"
            );
            let _ = writeln!(s, "            }}");
            if rng.chance(50) {
                let _ = writeln!(
                    s,
                    "            if (String.isBlank(row.{})) {{",
                    obj.status()
                );
                let _ = writeln!(s, "                row.{} = DEFAULT_STATUS;", obj.status());
                let _ = writeln!(s, "            }}");
            }
            let _ = writeln!(s, "        }}");
        }
        for (k, call) in m.calls.iter().enumerate() {
            self.render_call(s, c, call, k, m.sig.is_static());
        }
        if m.uses_inner {
            if let Some(inner) = &class.inner {
                let _ = writeln!(s, "        {inner} summary = new {inner}();");
                let _ = writeln!(s, "        summary.add('{} ' + rows.size());", m.name);
            }
        }
        if m.rev % 2 == 1 {
            let _ = writeln!(
                s,
                "        Logger.debug('{}.{} threshold ' + threshold);",
                class.name, m.name
            );
        }
        match m.dml {
            1 => {
                let _ = writeln!(s, "        update rows;");
            }
            2 => {
                let _ = writeln!(s, "        Database.update(rows, false);");
            }
            3 => {
                let _ = writeln!(s, "        if (rows.isEmpty()) {{");
                let _ = writeln!(
                    s,
                    "            insert new {o}(Name = '{}', {} = threshold);",
                    class.name,
                    obj.amount()
                );
                let _ = writeln!(s, "        }}");
            }
            4 => {
                let _ = writeln!(s, "        upsert rows;");
            }
            _ => {}
        }
        match m.sig {
            Sig::Query => {
                let _ = writeln!(s, "        return rows;");
            }
            Sig::Scalar => {
                let _ = writeln!(s, "        return rows.size() + threshold;");
            }
            Sig::MapById => {
                let _ = writeln!(s, "        return new Map<Id, {o}>(rows);");
            }
            _ => {}
        }
        let _ = writeln!(s, "    }}");
    }

    fn render_query(&self, s: &mut String, rng: &mut Rng, o: usize, filter: &str, limit: &str) {
        let obj = &self.objects[o];
        let mut fields = vec![obj.amount().to_string(), obj.status().to_string()];
        for _ in 0..rng.range(0, 3) {
            let f = &obj.fields[rng.below(obj.fields.len())];
            if f.kind != FieldKind::LongText && !fields.contains(&f.api) {
                fields.push(f.api.clone());
            }
        }
        let _ = writeln!(s, "        List<{}> rows = [", obj.api);
        let _ = writeln!(s, "            SELECT Id, Name, {}", fields.join(", "));
        let _ = writeln!(s, "            FROM {}", obj.api);
        let _ = writeln!(s, "            WHERE {filter}");
        if rng.chance(30) {
            let _ = writeln!(s, "            ORDER BY CreatedDate DESC");
        }
        let _ = writeln!(s, "            LIMIT :{limit}");
        let _ = writeln!(s, "        ];");
    }

    /// The argument list for calling `m` with `ids` (and `threshold`) in scope.
    fn args_for(&self, m: &Method) -> String {
        match m.sig {
            Sig::Query | Sig::MapById => "ids".into(),
            Sig::Scalar => format!("'{}', threshold", m.name),
            Sig::Apply => format!("{}Selector.selectById(ids)", self.objects[m.obj].pascal),
            Sig::Fixed | Sig::Test => String::new(),
        }
    }

    /// Renders one call; in a static method, a call through an instance field becomes a
    /// call through a local of the same declared type (static code has no fields).
    fn render_call(&self, s: &mut String, c: usize, call: &Call, k: usize, static_ctx: bool) {
        let indent = "        ";
        let callee = &self.classes[call.class];
        let m = &callee.methods[call.method];
        let args = self.args_for(m);
        let var = format!("{}{k}", lower_first(&callee.name));
        let receiver = match call.form {
            Form::Static => callee.name.clone(),
            Form::Chain => format!("new {}()", callee.name),
            Form::Local => {
                let _ = writeln!(s, "{indent}{} {var} = new {}();", callee.name, callee.name);
                var.clone()
            }
            Form::Interface { implementor } => {
                let _ = writeln!(
                    s,
                    "{indent}{} {var} = new {}();",
                    callee.name, self.classes[implementor].name
                );
                var.clone()
            }
            Form::Field | Form::Reflective => {
                match self.classes[c]
                    .collabs
                    .iter()
                    .find(|f| f.class == call.class)
                {
                    Some(field) if !static_ctx => field.var.clone(),
                    Some(Collab {
                        reflective_impl: Some(imp),
                        ..
                    }) => {
                        let _ = writeln!(
                            s,
                            "{indent}{} {var} = ({}) Type.forName('{}').newInstance();",
                            callee.name, callee.name, self.classes[*imp].name
                        );
                        var.clone()
                    }
                    _ => {
                        let _ =
                            writeln!(s, "{indent}{} {var} = new {}();", callee.name, callee.name);
                        var.clone()
                    }
                }
            }
        };
        let target = &self.objects[m.obj].api;
        match m.sig {
            Sig::Query => {
                let _ = writeln!(
                    s,
                    "{indent}List<{target}> found{k} = {receiver}.{}({args});",
                    m.name
                );
                let _ = writeln!(s, "{indent}threshold += found{k}.size();");
            }
            Sig::Scalar => {
                let _ = writeln!(s, "{indent}threshold += {receiver}.{}({args});", m.name);
            }
            Sig::MapById => {
                let _ = writeln!(
                    s,
                    "{indent}Map<Id, {target}> byId{k} = {receiver}.{}({args});",
                    m.name
                );
                let _ = writeln!(s, "{indent}ids.addAll(byId{k}.keySet());");
            }
            _ => {
                let _ = writeln!(s, "{indent}{receiver}.{}({args});", m.name);
            }
        }
        if call.inner {
            if let Some(inner) = &callee.inner {
                let _ = writeln!(
                    s,
                    "{indent}{}.{inner} detail{k} = new {}.{inner}();",
                    callee.name, callee.name
                );
                let _ = writeln!(s, "{indent}detail{k}.add('{}');", m.name);
            }
        }
    }

    fn render_interface(&self, c: usize) -> String {
        let class = &self.classes[c];
        let mut s = String::new();
        let _ = writeln!(
            s,
            "/**\n * A pluggable step for {} processing.\n */",
            self.objects[class.obj].label
        );
        let _ = writeln!(s, "public interface {} {{", class.name);
        for m in &class.methods {
            let o = &self.objects[m.obj].api;
            match m.sig {
                Sig::Apply => {
                    let _ = writeln!(s, "    void {}(List<{o}> records);", m.name);
                }
                _ => {
                    let _ = writeln!(s, "    Map<Id, {o}> {}(Set<Id> ids);", m.name);
                }
            }
        }
        s.push_str("}\n");
        s
    }

    fn render_batch(&self, c: usize) -> String {
        let class = &self.classes[c];
        let obj = &self.objects[class.obj];
        let o = &obj.api;
        let m = &class.methods[0];
        let mut s = String::new();
        let _ = writeln!(
            s,
            "/**\n * Nightly processing of {} records.\n */",
            obj.label
        );
        let _ = writeln!(
            s,
            "public with sharing class {} implements Database.Batchable<SObject>, Database.Stateful {{",
            class.name
        );
        let _ = writeln!(s, "    private Integer processed = 0;");
        for collab in &class.collabs {
            let callee = &self.classes[collab.class].name;
            match collab.reflective_impl {
                Some(imp) => {
                    let _ = writeln!(
                        s,
                        "    private {callee} {} = ({callee}) Type.forName('{}').newInstance();",
                        collab.var, self.classes[imp].name
                    );
                }
                None => {
                    let _ = writeln!(s, "    private {callee} {} = new {callee}();", collab.var);
                }
            }
        }
        let _ = writeln!(
            s,
            "\n    public Database.QueryLocator start(Database.BatchableContext context) {{"
        );
        let _ = writeln!(
            s,
            "        return Database.getQueryLocator([SELECT Id, Name, {} FROM {o} WHERE {} != 'Closed']);",
            obj.amount(),
            obj.status()
        );
        let _ = writeln!(s, "    }}\n");
        let _ = writeln!(
            s,
            "    public void execute(Database.BatchableContext context, List<{o}> scope) {{"
        );
        let _ = writeln!(s, "        Integer threshold = {};", m.base + m.rev * 7);
        let _ = writeln!(s, "        Set<Id> ids = Utils.idsOf(scope);");
        for (k, call) in m.calls.iter().enumerate() {
            self.render_call(&mut s, c, call, k, false);
        }
        let _ = writeln!(s, "        processed += scope.size();");
        let _ = writeln!(s, "        update scope;");
        let _ = writeln!(s, "    }}\n");
        let _ = writeln!(
            s,
            "    public void finish(Database.BatchableContext context) {{"
        );
        let _ = writeln!(
            s,
            "        Logger.info('{} processed ' + processed);",
            class.name
        );
        let _ = writeln!(s, "    }}");
        s.push_str("}\n");
        s
    }

    fn render_handler(&self, c: usize) -> String {
        let class = &self.classes[c];
        let obj = &self.objects[class.obj];
        let o = &obj.api;
        let mut s = String::new();
        let _ = writeln!(s, "/**\n * Trigger logic for {}.\n */", obj.label);
        let _ = writeln!(s, "public with sharing class {} {{", class.name);
        let _ = writeln!(
            s,
            "    public static void handle(List<{o}> newRecords, Map<Id, {o}> oldMap, System.TriggerOperation operation) {{"
        );
        let _ = writeln!(s, "        switch on operation {{");
        for (when, call) in [
            ("BEFORE_INSERT", "beforeInsert(newRecords);"),
            ("BEFORE_UPDATE", "beforeUpdate(newRecords, oldMap);"),
            ("AFTER_INSERT", "afterInsert(newRecords);"),
            ("AFTER_UPDATE", "afterUpdate(newRecords, oldMap);"),
        ] {
            let _ = writeln!(
                s,
                "            when {when} {{\n                {call}\n            }}"
            );
        }
        let _ = writeln!(s, "        }}\n    }}");
        for m in &class.methods {
            let params = if m.name.ends_with("Update") {
                format!("List<{o}> records, Map<Id, {o}> oldMap")
            } else {
                format!("List<{o}> records")
            };
            let _ = writeln!(s, "\n    private static void {}({params}) {{", m.name);
            let _ = writeln!(s, "        Integer threshold = {};", m.base + m.rev * 7);
            if m.name.starts_with("before") {
                let _ = writeln!(s, "        for ({o} row : records) {{");
                let _ = writeln!(s, "            if (row.{} == null) {{", obj.status());
                let _ = writeln!(s, "                row.{} = 'Open';", obj.status());
                let _ = writeln!(s, "            }}");
                let _ = writeln!(
                    s,
                    "            if (row.{} != null && row.{} > threshold) {{",
                    obj.amount(),
                    obj.amount()
                );
                let _ = writeln!(s, "                row.{} = threshold;", obj.amount());
                let _ = writeln!(s, "            }}");
                let _ = writeln!(s, "        }}");
            } else {
                let _ = writeln!(s, "        Set<Id> ids = Utils.idsOf(records);");
                for (k, call) in m.calls.iter().enumerate() {
                    self.render_call(&mut s, c, call, k, true);
                }
            }
            let _ = writeln!(s, "    }}");
        }
        s.push_str("}\n");
        s
    }

    fn render_flow_action(&self, c: usize) -> String {
        let class = &self.classes[c];
        let m = &class.methods[0];
        let mut s = String::new();
        let _ = writeln!(
            s,
            "/**\n * Invocable action called from a record-triggered flow.\n */"
        );
        let _ = writeln!(s, "public with sharing class {} {{", class.name);
        let _ = writeln!(
            s,
            "    @InvocableMethod(label='{}' category='Automation')",
            class.name
        );
        let _ = writeln!(s, "    public static void run(List<Id> recordIds) {{");
        let _ = writeln!(s, "        Integer threshold = {};", m.base + m.rev * 7);
        let _ = writeln!(s, "        Set<Id> ids = new Set<Id>(recordIds);");
        for (k, call) in m.calls.iter().enumerate() {
            self.render_call(&mut s, c, call, k, true);
        }
        let _ = writeln!(s, "    }}");
        s.push_str("}\n");
        s
    }

    fn render_selector(&self, c: usize) -> String {
        let class = &self.classes[c];
        let obj = &self.objects[class.obj];
        let o = &obj.api;
        let fields: Vec<&str> = obj
            .fields
            .iter()
            .filter(|f| f.kind != FieldKind::LongText)
            .map(|f| f.api.as_str())
            .collect();
        let mut s = String::new();
        let _ = writeln!(s, "/**\n * All queries on {}.\n */", obj.label);
        let _ = writeln!(s, "public inherited sharing class {} {{", class.name);
        for m in &class.methods {
            let limit = m.base + m.rev * 7;
            match m.name.as_str() {
                "countByStatus" => {
                    let _ = writeln!(
                        s,
                        "\n    public static Integer countByStatus(String key, Integer n) {{"
                    );
                    let _ = writeln!(
                        s,
                        "        return [SELECT COUNT() FROM {o} WHERE {} = :key LIMIT {limit}] + n;",
                        obj.status()
                    );
                }
                name => {
                    let _ = writeln!(s, "\n    public static List<{o}> {name}(Set<Id> ids) {{");
                    let _ = writeln!(s, "        return [");
                    let _ = writeln!(s, "            SELECT Id, Name, {}", fields.join(", "));
                    let _ = writeln!(s, "            FROM {o}");
                    let _ = writeln!(s, "            WHERE Id IN :ids");
                    if name == "selectRecent" {
                        let _ = writeln!(s, "            ORDER BY CreatedDate DESC");
                    }
                    let _ = writeln!(s, "            LIMIT {limit}");
                    let _ = writeln!(s, "        ];");
                }
            }
            let _ = writeln!(s, "    }}");
        }
        s.push_str("}\n");
        s
    }

    fn field_value(&self, o: usize, f: usize, i: &str) -> Option<String> {
        let field = &self.objects[o].fields[f];
        let rev = field.rev;
        Some(match field.kind {
            FieldKind::Text => format!("'{} ' + {i}", field.label),
            FieldKind::Number => format!("{}", 1 + rev),
            FieldKind::Currency => format!("{}", 100 + rev),
            FieldKind::Checkbox => "true".into(),
            FieldKind::Date => "Date.today()".into(),
            FieldKind::Picklist => "'Open'".into(),
            FieldKind::LongText => return None,
            FieldKind::Lookup(_) => "parents[0].Id".into(),
        })
    }

    fn render_factory(&self, c: usize) -> String {
        let class = &self.classes[c];
        let mut s = String::new();
        let _ = writeln!(
            s,
            "/**\n * Test records for every object; the only place tests build data.\n */"
        );
        let _ = writeln!(s, "@IsTest\npublic class TestDataFactory {{");
        for m in &class.methods {
            let obj = &self.objects[m.obj];
            let o = &obj.api;
            let _ = writeln!(
                s,
                "\n    public static List<{o}> {}(Integer count, Boolean doInsert) {{",
                m.name
            );
            if let Some(p) = obj.parent {
                let parent = &self.objects[p];
                let _ = writeln!(
                    s,
                    "        List<{}> parents = create{}(1, true);",
                    parent.api,
                    parent.plural()
                );
            }
            let _ = writeln!(s, "        List<{o}> records = new List<{o}>();");
            let _ = writeln!(s, "        for (Integer i = 0; i < count; i++) {{");
            let _ = writeln!(s, "            records.add(new {o}(");
            let mut assigns = vec![format!("Name = '{} ' + i", obj.label)];
            for f in 0..obj.fields.len().min(6 + (m.rev as usize % 3)) {
                if f == SObject::AMOUNT {
                    continue;
                }
                if let Some(v) = self.field_value(m.obj, f, "i") {
                    assigns.push(format!("{} = {v}", obj.fields[f].api));
                }
            }
            assigns.push(format!("{} = {}", obj.amount(), m.base + m.rev * 7));
            let _ = writeln!(s, "                {}", assigns.join(",\n                "));
            let _ = writeln!(s, "            ));");
            let _ = writeln!(s, "        }}");
            let _ = writeln!(
                s,
                "        if (doInsert) {{\n            insert records;\n        }}"
            );
            let _ = writeln!(s, "        return records;");
            let _ = writeln!(s, "    }}");
        }
        s.push_str("}\n");
        s
    }

    fn render_test(&self, c: usize) -> String {
        let class = &self.classes[c];
        let mut rng = Rng::new(class.seed);
        let mut s = String::new();
        let annotation = if rng.chance(10) {
            "@IsTest(SeeAllData=false)"
        } else {
            "@IsTest"
        };
        let _ = writeln!(s, "{annotation}\nprivate class {} {{", class.name);
        let _ = writeln!(s, "    @TestSetup\n    static void makeData() {{");
        for &o in &class.setup_objs {
            let _ = writeln!(
                s,
                "        TestDataFactory.create{}(5, true);",
                self.objects[o].plural()
            );
        }
        let _ = writeln!(s, "    }}");
        for m in &class.methods {
            let Some(call) = m.calls.first() else {
                continue;
            };
            let target = &self.classes[call.class];
            let tm = &target.methods[call.method];
            let obj = &self.objects[m.obj];
            let o = &obj.api;
            let decorator = if rng.chance(85) {
                "@IsTest\n    static void"
            } else {
                "static testMethod void"
            };
            let _ = writeln!(s, "\n    {decorator} {}() {{", m.name);
            let _ = writeln!(
                s,
                "        Integer batchSize = {};",
                2 + (m.base % 5) + m.rev
            );
            let _ = writeln!(
                s,
                "        List<{o}> records = [SELECT Id, Name, {} FROM {o} LIMIT 50];",
                obj.amount()
            );
            let _ = writeln!(
                s,
                "        Set<Id> ids = new Map<Id, {o}>(records).keySet();"
            );
            let _ = writeln!(s, "        Integer threshold = batchSize;");
            let _ = writeln!(s, "        Test.startTest();");
            match target.role {
                Role::Handler => {
                    let _ = writeln!(
                        s,
                        "        List<{o}> fresh = TestDataFactory.create{}(batchSize, false);",
                        obj.plural()
                    );
                    let _ = writeln!(s, "        insert fresh;");
                    let _ = writeln!(s, "        update fresh;");
                    let _ = writeln!(s, "        Test.stopTest();");
                    let _ = writeln!(s, "        System.assertEquals(batchSize, fresh.size(), 'every record is saved');");
                }
                Role::Batch => {
                    let _ = writeln!(
                        s,
                        "        Database.executeBatch(new {}(), batchSize);",
                        target.name
                    );
                    let _ = writeln!(s, "        Test.stopTest();");
                    let _ = writeln!(s, "        System.assert(![SELECT Id FROM {o} LIMIT 1].isEmpty(), 'records remain');");
                }
                Role::FlowAction => {
                    let _ = writeln!(s, "        {}.run(new List<Id>(ids));", target.name);
                    let _ = writeln!(s, "        Test.stopTest();");
                    let _ = writeln!(s, "        System.assertEquals(records.size(), ids.size(), 'ids are unique');");
                }
                Role::Impl(iface) => {
                    let _ = writeln!(
                        s,
                        "        {} strategy = new {}();",
                        self.classes[iface].name, target.name
                    );
                    self.render_test_call(&mut s, "strategy", tm);
                }
                _ => {
                    let receiver = if tm.sig.is_static() {
                        target.name.clone()
                    } else if rng.chance(50) {
                        format!("new {}()", target.name)
                    } else {
                        let _ = writeln!(
                            s,
                            "        {} subject = new {}();",
                            target.name, target.name
                        );
                        "subject".into()
                    };
                    self.render_test_call(&mut s, &receiver, tm);
                }
            }
            let _ = writeln!(s, "    }}");
        }
        s.push_str("}\n");
        s
    }

    fn render_test_call(&self, s: &mut String, receiver: &str, tm: &Method) {
        let args = self.args_for(tm);
        let target = &self.objects[tm.obj].api;
        match tm.sig {
            Sig::Query => {
                let _ = writeln!(
                    s,
                    "        List<{target}> result = {receiver}.{}({args});",
                    tm.name
                );
                let _ = writeln!(s, "        Test.stopTest();");
                let _ = writeln!(
                    s,
                    "        System.assertNotEquals(null, result, 'a list is returned');"
                );
            }
            Sig::Scalar => {
                let _ = writeln!(
                    s,
                    "        Integer result = {receiver}.{}({args});",
                    tm.name
                );
                let _ = writeln!(s, "        Test.stopTest();");
                let _ = writeln!(
                    s,
                    "        System.assert(result >= 0, 'the count is not negative');"
                );
            }
            Sig::MapById => {
                let _ = writeln!(
                    s,
                    "        Map<Id, {target}> result = {receiver}.{}({args});",
                    tm.name
                );
                let _ = writeln!(s, "        Test.stopTest();");
                let _ = writeln!(
                    s,
                    "        System.assertNotEquals(null, result, 'a map is returned');"
                );
            }
            _ => {
                let _ = writeln!(s, "        {receiver}.{}({args});", tm.name);
                let _ = writeln!(s, "        Test.stopTest();");
                let _ = writeln!(
                    s,
                    "        System.assert(ids.size() >= 0, 'the call completes');"
                );
            }
        }
    }

    fn render_trigger(&self, o: usize) -> String {
        let obj = &self.objects[o];
        let handler = obj
            .handler
            .map(|h| self.classes[h].name.as_str())
            .unwrap_or("Utils");
        let events = if obj.trigger_rev.is_multiple_of(2) {
            "before insert, before update, after insert, after update"
        } else {
            "before insert, before update, after insert, after update, after delete"
        };
        format!(
            "trigger {}Trigger on {} ({events}) {{\n    {handler}.handle(Trigger.new, Trigger.oldMap, Trigger.operationType);\n}}\n",
            obj.pascal, obj.api
        )
    }

    // ----- rendering: metadata XML -----

    fn render_object(&self, o: usize) -> String {
        let obj = &self.objects[o];
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <deploymentStatus>Deployed</deploymentStatus>\n    <enableActivities>true</enableActivities>\n    <enableHistory>true</enableHistory>\n    <enableReports>true</enableReports>\n    <label>{}</label>\n    <nameField>\n        <label>{} Name</label>\n        <type>Text</type>\n    </nameField>\n    <pluralLabel>{}</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n</CustomObject>\n",
            obj.label,
            obj.label,
            plural(&obj.label)
        )
    }

    fn render_field(&self, o: usize, f: usize) -> String {
        let field = &self.objects[o].fields[f];
        let mut s = String::new();
        let _ = write!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>{}</fullName>\n",
            field.api
        );
        if field.rev > 0 {
            let _ = writeln!(
                s,
                "    <description>Revised {} times.</description>",
                field.rev
            );
        }
        let _ = writeln!(s, "    <label>{}</label>", field.label);
        let body = match field.kind {
            FieldKind::Text => "    <length>255</length>\n    <required>false</required>\n    <type>Text</type>\n".to_string(),
            FieldKind::Number => "    <precision>18</precision>\n    <scale>0</scale>\n    <required>false</required>\n    <type>Number</type>\n".into(),
            FieldKind::Currency => "    <precision>18</precision>\n    <scale>2</scale>\n    <required>false</required>\n    <type>Currency</type>\n".into(),
            FieldKind::Checkbox => "    <defaultValue>false</defaultValue>\n    <type>Checkbox</type>\n".into(),
            FieldKind::Date => "    <required>false</required>\n    <type>Date</type>\n".into(),
            FieldKind::LongText => "    <length>32768</length>\n    <type>LongTextArea</type>\n    <visibleLines>3</visibleLines>\n".into(),
            FieldKind::Picklist => {
                let mut p = String::from("    <type>Picklist</type>\n    <valueSet>\n        <restricted>true</restricted>\n        <valueSetDefinition>\n            <sorted>false</sorted>\n");
                for v in ["Open", "In_Progress", "Closed"] {
                    let _ = write!(p, "            <value>\n                <fullName>{v}</fullName>\n                <default>false</default>\n                <label>{}</label>\n            </value>\n", v.replace('_', " "));
                }
                p.push_str("        </valueSetDefinition>\n    </valueSet>\n");
                p
            }
            FieldKind::Lookup(p) => format!(
                "    <deleteConstraint>SetNull</deleteConstraint>\n    <referenceTo>{}</referenceTo>\n    <relationshipLabel>{}</relationshipLabel>\n    <relationshipName>{}</relationshipName>\n    <required>false</required>\n    <type>Lookup</type>\n",
                self.objects[p].api,
                plural(&self.objects[o].label),
                plural(&self.objects[o].pascal)
            ),
        };
        s.push_str(&body);
        s.push_str("</CustomField>\n");
        s
    }

    fn render_rule(&self, o: usize, r: usize) -> String {
        let obj = &self.objects[o];
        let rule = &obj.rules[r];
        let formula = match rule.name.as_str() {
            "Status_Required" => format!("ISBLANK(TEXT({}))", obj.status()),
            "Amount_Within_Limit" => format!("{} &gt; {}", obj.amount(), 1_000_000 + rule.rev),
            _ => format!("{} &lt; {}", obj.amount(), rule.rev),
        };
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ValidationRule xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>{}</fullName>\n    <active>true</active>\n    <errorConditionFormula>{formula}</errorConditionFormula>\n    <errorDisplayField>{}</errorDisplayField>\n    <errorMessage>{} is not valid.</errorMessage>\n</ValidationRule>\n",
            rule.name,
            obj.amount(),
            rule.name.replace('_', " ")
        )
    }

    fn render_flow(&self, f: usize) -> String {
        let flow = &self.flows[f];
        let obj = &self.objects[flow.obj];
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Flow xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n");
        let first = if let Some(action) = flow.action {
            let _ = write!(
                s,
                "    <actionCalls>\n        <name>Run_Action</name>\n        <label>Run Action</label>\n        <locationX>176</locationX>\n        <locationY>323</locationY>\n        <actionName>{}</actionName>\n        <actionType>apex</actionType>\n        <connector>\n            <targetReference>Mark_Reviewed</targetReference>\n        </connector>\n        <flowTransactionModel>CurrentTransaction</flowTransactionModel>\n        <inputParameters>\n            <name>recordIds</name>\n            <value>\n                <elementReference>$Record.Id</elementReference>\n            </value>\n        </inputParameters>\n    </actionCalls>\n",
                self.classes[action].name
            );
            "Run_Action"
        } else {
            "Mark_Reviewed"
        };
        let _ = write!(
            s,
            "    <apiVersion>{API_VERSION}</apiVersion>\n    <label>{} After Save {f}</label>\n    <processType>AutoLaunchedFlow</processType>\n    <recordUpdates>\n        <name>Mark_Reviewed</name>\n        <label>Mark Reviewed</label>\n        <locationX>176</locationX>\n        <locationY>431</locationY>\n        <inputAssignments>\n            <field>{}</field>\n            <value>\n                <stringValue>{}</stringValue>\n            </value>\n        </inputAssignments>\n        <inputReference>$Record</inputReference>\n    </recordUpdates>\n    <start>\n        <locationX>50</locationX>\n        <locationY>0</locationY>\n        <connector>\n            <targetReference>{first}</targetReference>\n        </connector>\n        <object>{}</object>\n        <recordTriggerType>CreateAndUpdate</recordTriggerType>\n        <triggerType>RecordAfterSave</triggerType>\n    </start>\n    <status>Active</status>\n</Flow>\n",
            obj.label,
            obj.status(),
            if flow.rev.is_multiple_of(2) { "In_Progress" } else { "Closed" },
            obj.api
        );
        s
    }

    fn render_flow_test(&self, f: usize) -> String {
        let flow = &self.flows[f];
        let obj = &self.objects[flow.obj];
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FlowTest xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <flowApiName>{}</flowApiName>\n    <label>{} is marked reviewed</label>\n    <testPoints>\n        <elementApiName>Start</elementApiName>\n        <parameters>\n            <leftValueReference>$Record</leftValueReference>\n            <type>InputTriggeringRecordInitial</type>\n            <value>\n                <sobjectValue>{{&quot;{}&quot;:&quot;Open&quot;}}</sobjectValue>\n            </value>\n        </parameters>\n    </testPoints>\n    <testPoints>\n        <assertions>\n            <conditions>\n                <leftValueReference>$Record.{}</leftValueReference>\n                <operator>IsChanged</operator>\n                <rightValue>\n                    <booleanValue>true</booleanValue>\n                </rightValue>\n            </conditions>\n            <errorMessage>The status must change</errorMessage>\n        </assertions>\n        <elementApiName>Finish</elementApiName>\n    </testPoints>\n</FlowTest>\n",
            flow.name,
            obj.label,
            obj.status(),
            obj.status()
        )
    }
}

fn self_pascal(objects: &[SObject], o: usize) -> &str {
    &objects[o].pascal
}

fn meta_xml(kind: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{kind} xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>{API_VERSION}</apiVersion>\n    <status>Active</status>\n</{kind}>\n"
    )
}

fn render_utils() -> String {
    "/**\n * Small helpers used across the org.\n */\npublic with sharing class Utils {\n    public static Set<Id> idsOf(List<SObject> records) {\n        Set<Id> ids = new Set<Id>();\n        if (records == null) {\n            return ids;\n        }\n        for (SObject record : records) {\n            if (record.Id != null) {\n                ids.add(record.Id);\n            }\n        }\n        return ids;\n    }\n\n    public static Decimal defaultDecimal(Decimal value, Decimal fallback) {\n        return value == null ? fallback : value;\n    }\n\n    public static Boolean isBlank(String value) {\n        return value == null || value.trim().length() == 0;\n    }\n\n    public static String joinKeys(List<String> parts, String separator) {\n        return String.join(parts, separator);\n    }\n\n    public static Map<Id, SObject> indexById(List<SObject> records) {\n        return new Map<Id, SObject>(records);\n    }\n\n    public static List<List<SObject>> chunk(List<SObject> records, Integer size) {\n        List<List<SObject>> chunks = new List<List<SObject>>();\n        List<SObject> current = new List<SObject>();\n        for (SObject record : records) {\n            current.add(record);\n            if (current.size() == size) {\n                chunks.add(current);\n                current = new List<SObject>();\n            }\n        }\n        if (!current.isEmpty()) {\n            chunks.add(current);\n        }\n        return chunks;\n    }\n\n    public static String truncate(String value, Integer maxLength) {\n        if (value == null || value.length() <= maxLength) {\n            return value;\n        }\n        return value.substring(0, maxLength);\n    }\n}\n".into()
}

fn render_logger() -> String {
    "/**\n * Buffered logging, flushed at the end of a transaction.\n */\npublic without sharing class Logger {\n    private static List<String> buffer = new List<String>();\n\n    public static void debug(String message) {\n        log(LoggingLevel.DEBUG, message);\n    }\n\n    public static void info(String message) {\n        log(LoggingLevel.INFO, message);\n    }\n\n    public static void error(String message, Exception ex) {\n        log(LoggingLevel.ERROR, message + ': ' + ex.getMessage());\n    }\n\n    private static void log(LoggingLevel level, String message) {\n        buffer.add(level.name() + ' ' + message);\n        System.debug(level, message);\n    }\n\n    public static void flush() {\n        buffer.clear();\n    }\n}\n".into()
}

fn render_base_service() -> String {
    "/**\n * Common behaviour of services: logging of each step.\n */\npublic abstract with sharing class BaseService {\n    protected Integer steps = 0;\n\n    protected virtual void logStart(String step) {\n        steps++;\n        Logger.debug(String.valueOf(this) + ' ' + step);\n    }\n}\n".into()
}

/// Adds a file already written to disk, whose blob is `id`, to the index with the stat
/// data of the file.
fn stage(index: &mut git2::Index, dir: &Path, rel: &str, id: Oid) -> Result<(), git2::Error> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir.join(rel)).map_err(io_to_git)?;
    // The index stores 32-bit stat fields; truncation is what git itself does.
    let time = |secs: i64, nanos: i64| git2::IndexTime::new(secs as i32, nanos as u32);
    index.add(&git2::IndexEntry {
        ctime: time(meta.ctime(), meta.ctime_nsec()),
        mtime: time(meta.mtime(), meta.mtime_nsec()),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        mode: 0o100644,
        uid: meta.uid(),
        gid: meta.gid(),
        file_size: meta.size() as u32,
        id,
        flags: 0,
        flags_extended: 0,
        path: rel.as_bytes().to_vec(),
    })
}

/// Writes all files with a few threads: file creation waits on the disk more than on the
/// CPU, so more writers than cores still help.
fn write_files(dir: &Path, files: &[(String, String)]) -> std::io::Result<()> {
    let mut made = HashSet::new();
    for (rel, _) in files {
        if let Some(parent) = dir.join(rel).parent() {
            if made.insert(parent.to_path_buf()) {
                std::fs::create_dir_all(parent)?;
            }
        }
    }
    let chunk = files.len().div_ceil(8).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || -> std::io::Result<()> {
                    for (rel, text) in part {
                        std::fs::write(dir.join(rel), text)?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join()
                .unwrap_or_else(|_| Err(std::io::Error::other("a writer thread panicked")))
        })
    })
}

fn write_file(
    dir: &Path,
    rel: &str,
    text: &str,
    made: &mut HashSet<PathBuf>,
) -> std::io::Result<()> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        if !made.contains(parent) {
            std::fs::create_dir_all(parent)?;
            made.insert(parent.to_path_buf());
        }
    }
    std::fs::write(path, text)
}

fn io_to_git(e: std::io::Error) -> git2::Error {
    git2::Error::from_str(&format!("cannot write a generated file: {e}"))
}
