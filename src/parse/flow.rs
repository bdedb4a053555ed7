//! Flow and Flow test parsers: `flows/*.flow-meta.xml`, `flowtests/*.flowtest-meta.xml`.
//!
//! A record-triggered flow (and a Process Builder process, `processType` Workflow, and a
//! flow a platform event starts) is automation of its object: it is declared with
//! `automates`, and the graph reaches it only through code that writes that object.
//! The flow's own uses are its Apex actions, plug-ins and Apex-typed variables,
//! subflows, the objects and fields its record elements read and write (a related record, `$Record.Account__r`, is written as the
//! graph types it, and records of no object it can tell as any object), `$Record.Field`
//! references in any text, labels and the other `$` globals that name components.
//!
//! This module does not follow flow control (connectors), does not resolve the fields of
//! record variables other than `$Record`, and reads relationship paths
//! (`$Record.Account__r.Name`) only to their first hop (`Account__c`).

use crate::facts::{DmlEvents, EdgeKind, Facts, Target, TestMark, TypeExpr};
use crate::metadata::component::ComponentId;
use crate::metadata::{sobject, types};
use crate::parse::formula::{add_global_use, formula_names, record_type_uses};
use crate::parse::xml::{component_decl, global_refs, line_count, read_tree, Element, UseSet};
use std::collections::HashMap;

/// `triggerType` values that make a flow run on a record's save or delete, and on a
/// platform event's publishing (which inserts the event: the writers of the event
/// object, `EventBus.publish`, run it as they run the event's Apex triggers).
const AUTOMATION_TRIGGERS: [&str; 4] = [
    "RecordAfterSave",
    "RecordBeforeSave",
    "RecordBeforeDelete",
    "PlatformEvent",
];

/// Parses a flow (component `Flow:Name`): declares it, with `automates` when it is
/// record-triggered, started by a platform event or a Process Builder process, and
/// collects what it uses.
pub fn parse_flow(component: &ComponentId, source: &str) -> Facts {
    let (root, problems) = read_tree(source);
    let hash = root.semantic_hash();
    let context = FlowContext::of(&root);
    let mut decl = component_decl(component, (1, line_count(source)), hash);
    // An inactive flow (Draft, Obsolete, …) does not run on DML: it reaches its own Flow
    // tests and the code that launches it by name, not the object's writers.
    if is_active(&root) {
        decl.automates = context.automates.clone();
        decl.fires_on = context.fires_on;
    }

    let mut uses = UseSet::default();
    let from = component;
    if let Some(start) = root.child("start") {
        start_uses(start, &context, from, &mut uses);
    }
    for element in &root.children {
        match element.local_name() {
            "actionCalls" => action_uses(element, from, &mut uses),
            "apexPluginCalls" => {
                if let Some(class) = element.child("apexClass") {
                    let target = Target::ApexType(class.text().into());
                    uses.add(from, target, EdgeKind::FlowAction, class.text_line());
                }
            }
            "variables" => {
                let apex = element
                    .child_text("dataType")
                    .is_some_and(|t| t.eq_ignore_ascii_case("Apex"));
                if let (true, Some(class)) = (apex, element.child("apexClass")) {
                    let target = Target::ApexType(class.text().into());
                    uses.add(from, target, EdgeKind::References, class.text_line());
                }
            }
            "subflows" => {
                if let Some(flow) = element.child("flowName") {
                    let target = Target::Component(ComponentId::new(types::FLOW, &flow.text()));
                    uses.add(from, target, EdgeKind::FlowAction, flow.text_line());
                }
            }
            "recordLookups" => record_uses(element, EdgeKind::Reads, &context, from, &mut uses),
            "recordUpdates" if context.sets_record_before_save(element) => {
                record_uses(element, EdgeKind::Reads, &context, from, &mut uses)
            }
            "recordCreates" | "recordUpdates" | "recordDeletes" => {
                record_uses(element, EdgeKind::Writes, &context, from, &mut uses)
            }
            _ => {}
        }
    }
    root.walk(&mut |element| {
        text_uses(element, &context, from, &mut uses);
        record_type_condition(element, from, &mut uses);
    });
    Facts {
        declares: vec![decl],
        uses: uses.into_vec().into(),
        problems,
        semantic_hash: hash,
    }
}

/// Parses a Flow test (component `FlowTest:Name`): a test of the flow its
/// `<flowApiName>` names.
pub fn parse_flow_test(component: &ComponentId, source: &str) -> Facts {
    let (root, problems) = read_tree(source);
    let hash = root.semantic_hash();
    let mut decl = component_decl(component, (1, line_count(source)), hash);
    decl.test = Some(TestMark::default());
    let mut uses = UseSet::default();
    if let Some(flow) = root.child("flowApiName") {
        let target = Target::Component(ComponentId::new(types::FLOW, &flow.text()));
        uses.add(component, target, EdgeKind::Tests, flow.text_line());
    }
    Facts {
        declares: vec![decl],
        uses: uses.into_vec().into(),
        problems,
        semantic_hash: hash,
    }
}

/// Whether a flow's `<status>` lets it run: `Active`, or no status at all (older API
/// versions wrote none; running it is the safer reading).
fn is_active(root: &Element) -> bool {
    root.child_text("status")
        .is_none_or(|status| status.trim().eq_ignore_ascii_case("Active"))
}

/// Parses a flow definition (component `FlowDefinition:Name`), which sets the active
/// version of the flow of the same name: the flow uses its definition
/// ([`EdgeKind::Defines`]), so a change to the definition reaches what the flow reaches.
/// A definition whose `activeVersionNumber` is 0 deactivates the flow: it is declared
/// with `fires_on` empty, and the graph then lets no write fire the flow. One that says
/// no number (`<FlowDefinition/>`) deactivates it too when deployed, but such a stub is
/// what a retrieval leaves and teams keep out of their deploys (Woonstad's flows ran
/// with one beside each): the flow's own `<status>` decides, the reading that runs the
/// writers' tests.
pub fn parse_flow_definition(component: &ComponentId, source: &str) -> Facts {
    let (root, problems) = read_tree(source);
    let hash = root.semantic_hash();
    let mut decl = component_decl(component, (1, line_count(source)), hash);
    let active_version = root
        .child_text("activeVersionNumber")
        .map(|number| number.trim().parse::<u32>().ok());
    if problems.is_empty() && active_version == Some(Some(0)) {
        decl.fires_on = DmlEvents::NONE;
    }
    let mut uses = UseSet::default();
    let flow = ComponentId::new(types::FLOW, component.full_name());
    uses.add(
        component,
        Target::Component(flow),
        EdgeKind::Defines,
        root.line,
    );
    Facts {
        declares: vec![decl],
        uses: uses.into_vec().into(),
        problems,
        semantic_hash: hash,
    }
}

/// What the whole flow tells about its elements.
struct FlowContext {
    /// The object `$Record` stands for: the start object, or a process's object.
    record_object: Option<String>,
    /// The object whose automation this flow is.
    automates: Option<String>,
    /// The DML events the flow runs on (its trigger type); all for a process.
    fires_on: DmlEvents,
    /// A before-save flow (`RecordBeforeSave`): what it sets on `$Record` is saved with
    /// the record, by no DML of its own.
    before_save: bool,
    /// Record variables: name → object type, for elements that take an
    /// `inputReference` instead of an `object`.
    variables: HashMap<String, String>,
}

impl FlowContext {
    fn of(root: &Element) -> FlowContext {
        let start = root.child("start");
        let start_object = start.and_then(|s| s.child_text("object"));
        let trigger = start.and_then(|s| s.child_text("triggerType"));
        let record_trigger = start
            .and_then(|s| s.child_text("recordTriggerType"))
            .filter(|t| !t.eq_ignore_ascii_case("None"));
        let record_triggered = match &trigger {
            Some(t) => AUTOMATION_TRIGGERS
                .iter()
                .any(|r| t.eq_ignore_ascii_case(r)),
            None => record_trigger.is_some(),
        };
        let process_object = root
            .child_text("processType")
            .filter(|t| t.eq_ignore_ascii_case("Workflow"))
            .and_then(|_| process_object(root));
        let automates = match (record_triggered, &start_object) {
            (true, Some(object)) => Some(object.clone()),
            _ => process_object.clone(),
        };
        let record_object = start_object.or(process_object);
        let mut variables = record_variables(root);
        variables.extend(subflow_outputs(root, record_object.as_deref(), &variables));
        let fires_on = match (trigger.as_deref(), record_trigger.as_deref()) {
            (Some(t), _) if t.eq_ignore_ascii_case("RecordBeforeDelete") => DmlEvents::DELETE,
            (_, Some(r)) => record_trigger_events(r),
            _ => DmlEvents::ALL,
        };
        let before_save = trigger
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("RecordBeforeSave"));
        FlowContext {
            record_object,
            automates,
            fires_on,
            before_save,
            variables,
        }
    }

    /// Whether an Update Records element of a before-save flow sets fields of the
    /// record being saved (`<inputReference>$Record</inputReference>`): the platform
    /// saves them with the record, so it is no update that runs the object's automation
    /// again (BB_Salesforce: such a flow on `User` reached every test that inserts a user
    /// through the user's update flows). What it sets is read as its fields.
    fn sets_record_before_save(&self, element: &Element) -> bool {
        let on_record = element
            .child("inputReference")
            .is_some_and(|reference| reference.text().trim().eq_ignore_ascii_case("$Record"));
        self.before_save && on_record
    }

    /// The object of a record element: its `<object>`, or the type of the record
    /// variable in its `inputReference` (`$Record` is the start object).
    fn object_of(&self, element: &Element) -> Option<(String, u32)> {
        if let Some(object) = element.child("object").filter(|o| !o.text().is_empty()) {
            return Some((object.text(), object.text_line()));
        }
        let reference = element
            .child("inputReference")
            .or_else(|| element.child("outputReference"))?;
        let object = records_of(
            &reference.text(),
            self.record_object.as_deref(),
            &self.variables,
        )?;
        Some((object, reference.text_line()))
    }

    /// The write of records the flow gives no object for. A relationship of `$Record`
    /// (`$Record.Account__r`, `$Record.Contacts`) is typed by the graph, from the lookups
    /// and objects the revision declares; anything else (a variable of no object type,
    /// an action's output) may be of any object, and reaches every automated object, as
    /// Apex's untyped DML does.
    fn related_write(&self, reference: &str, events: DmlEvents) -> Target<'static> {
        let mut parts = reference.split('.');
        let record = parts
            .next()
            .is_some_and(|first| first.eq_ignore_ascii_case("$Record"));
        match &self.record_object {
            Some(object) if record => Target::DmlOf {
                records: parts.fold(TypeExpr::Named(object.clone().into()), |records, part| {
                    TypeExpr::MemberOf(Box::new(records), part.to_string().into())
                }),
                events,
            },
            _ => Target::Dml {
                object: "*".into(),
                events,
            },
        }
    }
}

/// The flow's record variables and what holds records like them, by name (folded):
/// a variable of an object type; a Get Records element, whose records a later element
/// names by the element's name when it stores its output automatically; a loop, whose
/// name stands for its collection's current record; a collection filter or sort, whose
/// output is its collection's.
fn record_variables(root: &Element) -> HashMap<String, String> {
    let mut variables: HashMap<String, String> = HashMap::new();
    // A transform's output is typed as a variable is (`<objectType>`): an update of it
    // saves records of that object.
    let named_objects = root
        .children_named("variables")
        .chain(root.children_named("transforms"))
        .map(|variable| (variable, "objectType"))
        .chain(
            root.children_named("recordLookups")
                .map(|lookup| (lookup, "object")),
        );
    for (element, object) in named_objects {
        if let (Some(name), Some(object)) = (element.child_text("name"), element.child_text(object))
        {
            variables.entry(name.to_ascii_lowercase()).or_insert(object);
        }
    }
    // A loop may go over another loop's or a filter's output: a few rounds type them all.
    let from_collections: Vec<(String, String)> = root
        .children_named("loops")
        .chain(root.children_named("collectionProcessors"))
        .filter_map(|element| {
            let name = element.child_text("name")?.to_ascii_lowercase();
            let collection = element
                .child_text("collectionReference")?
                .to_ascii_lowercase();
            Some((name, collection))
        })
        .collect();
    for _ in 0..4 {
        let before = variables.len();
        for (name, collection) in &from_collections {
            if let Some(object) = variables.get(collection).cloned() {
                variables.entry(name.clone()).or_insert(object);
            }
        }
        if variables.len() == before {
            break;
        }
    }
    variables
}

/// The records a subflow hands back through a variable the flow also passes it
/// (`Reopen_Case.objCurrentCase`, given `$Record`), by name (folded): a variable that is
/// the subflow's input and output has one object type, the type of what the flow passed
/// in. Read so that an element saving the subflow's output writes that object, not
/// every object (Gusto's `Case_Scheduled_Trigger`, whose update of the case a subflow
/// returns ran every trigger of the org).
fn subflow_outputs(
    root: &Element,
    record_object: Option<&str>,
    variables: &HashMap<String, String>,
) -> Vec<(String, String)> {
    let mut outputs = Vec::new();
    for subflow in root.children_named("subflows") {
        let Some(name) = subflow.child_text("name") else {
            continue;
        };
        for input in subflow.children_named("inputAssignments") {
            let passed = input
                .child("value")
                .and_then(|value| value.child_text("elementReference"));
            let (Some(variable), Some(passed)) = (input.child_text("name"), passed) else {
                continue;
            };
            if let Some(object) = records_of(&passed, record_object, variables) {
                outputs.push((format!("{name}.{variable}").to_ascii_lowercase(), object));
            }
        }
    }
    outputs
}

/// The object of the records a name holds: `$Record`, the start object; else a record
/// variable's, or what holds records like one ([`record_variables`]).
fn records_of(
    name: &str,
    record_object: Option<&str>,
    variables: &HashMap<String, String>,
) -> Option<String> {
    if name.eq_ignore_ascii_case("$Record") {
        record_object.map(str::to_string)
    } else {
        variables.get(&name.to_ascii_lowercase()).cloned()
    }
}

/// A Process Builder process's object: `<processMetadataValues>` named `ObjectType`.
fn process_object(root: &Element) -> Option<String> {
    root.children_named("processMetadataValues")
        .find(|p| {
            p.child_text("name")
                .is_some_and(|n| n.eq_ignore_ascii_case("ObjectType"))
        })
        .and_then(|p| p.child("value"))
        .and_then(|v| v.child_text("stringValue"))
}

/// The start element: fields of its entry filters are read; a start object that does
/// not make the flow automation (a scheduled flow's) is read.
fn start_uses(start: &Element, context: &FlowContext, from: &ComponentId, uses: &mut UseSet) {
    let Some(object) = start.child("object").filter(|o| !o.text().is_empty()) else {
        return;
    };
    if context.automates.is_none() {
        uses.add(
            from,
            Target::SObject(object.text().into()),
            EdgeKind::Reads,
            object.text_line(),
        );
    }
    for filter in start.children_named("filters") {
        if let Some(field) = filter.child("field") {
            let target = Target::Field {
                object: object.text().into(),
                field: field.text().into(),
            };
            uses.add(from, target, EdgeKind::Reads, field.text_line());
        }
    }
}

/// An action call: Apex actions are the class named by `actionName` (kept as written,
/// `ns__Class` included); flow actions, email alerts and prompt templates
/// (`generatePromptResponse`) name components. Any other action names what it runs by
/// name (an agent, `generateAiAgentResponse`; a standard action): a string reference,
/// which reaches a component loaded by name when one has that name.
fn action_uses(action: &Element, from: &ComponentId, uses: &mut UseSet) {
    let (Some(kind), Some(name)) = (action.child_text("actionType"), action.child("actionName"))
    else {
        return;
    };
    let text = name.text();
    let target = match kind.to_ascii_lowercase().as_str() {
        "apex" => Target::ApexType(text.into()),
        "flow" => Target::Component(ComponentId::new(types::FLOW, &text)),
        "emailalert" => Target::Component(ComponentId::new(types::WORKFLOW_ALERT, &text)),
        "generatepromptresponse" => {
            Target::Component(ComponentId::new(types::GEN_AI_PROMPT_TEMPLATE, &text))
        }
        _ => {
            let line = name.text_line();
            uses.add(
                from,
                Target::StringLiteral(text.into()),
                EdgeKind::StringRef,
                line,
            );
            return;
        }
    };
    uses.add(from, target, EdgeKind::FlowAction, name.text_line());
}

/// A condition that compares a record's record type by its name or its label
/// (`$Record.RecordType.Name` equal to `General Opportunity`,
/// `Get_Case.RecordType.DeveloperName`): the value names the record type, as a string
/// literal in Apex would (`apex::literal_name`), so a change to the record type (its
/// label renamed, switched off) reaches the flow and the writers it runs for.
fn record_type_condition(element: &Element, from: &ComponentId, uses: &mut UseSet) {
    if element.local_name() != "conditions" {
        return;
    }
    let on_record_type = element
        .child_text("leftValueReference")
        .is_some_and(|left| sobject::names_record_type(&left));
    let value = element
        .child("rightValue")
        .and_then(|value| value.child("stringValue"));
    if let (true, Some(value)) = (on_record_type, value) {
        uses.add_string_name(from, &value.text(), value.text_line());
    }
}

/// The events of a record-triggered flow's `recordTriggerType`; all when unknown.
fn record_trigger_events(record_trigger: &str) -> DmlEvents {
    match record_trigger.to_ascii_lowercase().as_str() {
        "create" => DmlEvents::INSERT,
        "update" => DmlEvents::UPDATE,
        "createandupdate" => DmlEvents::INSERT.union(DmlEvents::UPDATE),
        "delete" => DmlEvents::DELETE,
        _ => DmlEvents::ALL,
    }
}

/// A record lookup (`kind` Reads) or create/update/delete (Writes): the object, and the
/// fields it queries, filters on, assigns or outputs.
fn record_uses(
    element: &Element,
    kind: EdgeKind,
    context: &FlowContext,
    from: &ComponentId,
    uses: &mut UseSet,
) {
    let events = match element.local_name() {
        "recordCreates" => DmlEvents::INSERT,
        "recordUpdates" => DmlEvents::UPDATE,
        "recordDeletes" => DmlEvents::DELETE,
        _ => DmlEvents::ALL,
    };
    let Some((object, line)) = context.object_of(element) else {
        let reference = element
            .child("inputReference")
            .filter(|reference| !reference.text().is_empty());
        if let (EdgeKind::Writes, Some(reference)) = (kind, reference) {
            uses.add(
                from,
                context.related_write(&reference.text(), events),
                kind,
                reference.text_line(),
            );
        }
        return;
    };
    let target = if kind == EdgeKind::Writes {
        Target::Dml {
            object: object.clone().into(),
            events,
        }
    } else {
        Target::SObject(object.clone().into())
    };
    uses.add(from, target, kind, line);
    let mut add_field = |field: &Element, kind: EdgeKind| {
        let target = Target::Field {
            object: object.clone().into(),
            field: field.text().into(),
        };
        if !field.text().is_empty() {
            uses.add(from, target, kind, field.text_line());
        }
    };
    for queried in element.children_named("queriedFields") {
        add_field(queried, EdgeKind::Reads);
    }
    if let Some(sort) = element.child("sortField") {
        add_field(sort, EdgeKind::Reads);
    }
    for filter in element.children_named("filters") {
        if let Some(field) = filter.child("field") {
            add_field(field, EdgeKind::Reads);
        }
    }
    for output in element.children_named("outputAssignments") {
        if let Some(field) = output.child("field") {
            add_field(field, EdgeKind::Reads);
        }
    }
    for input in element.children_named("inputAssignments") {
        if let Some(field) = input.child("field") {
            add_field(field, kind);
        }
    }
}

/// `$Record.Field` / `$Record__Prior.Field` in an element's text read a field of the
/// record object, and `Var.Field` one of a record variable's or a Get Records element's
/// object (written, when the element is an assignment's target); other globals
/// (`$Label`, `$Setup`, `$CustomMetadata`, `$Permission`) name what they name.
fn text_uses(element: &Element, context: &FlowContext, from: &ComponentId, uses: &mut UseSet) {
    let assigns = element.local_name() == "assignToReference";
    // `Parent__r.Score__c` after the record: the graph follows the relationship.
    let add_field = |uses: &mut UseSet, object: &str, path: &[&str], line: u32| {
        let kind = if assigns && path.len() == 1 {
            EdgeKind::Writes
        } else {
            EdgeKind::Reads
        };
        let target = Target::Field {
            object: object.to_string().into(),
            field: path.join(".").into(),
        };
        uses.add(from, target, kind, line);
    };
    for text in &element.texts {
        record_type_uses(&text.value, from, uses, |offset| text.line_at(offset));
        for global in global_refs(&text.value) {
            let line = text.line_at(global.offset);
            let is_record = global.global.eq_ignore_ascii_case("Record")
                || global.global.eq_ignore_ascii_case("Record__Prior");
            if !is_record {
                add_global_use(global.global, &global.path, from, uses, line);
            } else if let Some(object) = &context.record_object {
                if !global.path.is_empty() {
                    add_field(uses, object, &global.path, line);
                }
            }
        }
        if context.variables.is_empty() {
            continue;
        }
        for name in formula_names(&text.value) {
            let Some((variable, path)) = name.parts.split_first() else {
                continue;
            };
            if path.is_empty() || name.called {
                continue;
            }
            if let Some(object) = context.variables.get(&variable.to_ascii_lowercase()) {
                add_field(uses, object, path, text.line_at(name.offset));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Use;

    /// A record-triggered flow on Invoice__c, formatted by Prettier (tags split across
    /// lines, text on its own line).
    const INVOICE_FLOW: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <actionCalls>
        <name>Price_Invoice</name>
        <label>Price Invoice</label>
        <actionName>InvoicePricingAction</actionName>
        <actionType>apex</actionType>
        <inputParameters>
            <name>invoiceIds</name>
            <value>
                <elementReference>$Record.Id</elementReference>
            </value>
        </inputParameters>
    </actionCalls>
    <actionCalls>
        <name>Post_To_Chatter</name>
        <actionName>chatterPost</actionName>
        <actionType>chatterPost</actionType>
    </actionCalls>
    <apexPluginCalls>
        <name>Legacy</name>
        <apexClass>LegacyPlugin</apexClass>
    </apexPluginCalls>
    <assignments>
        <name>Flag</name>
        <assignmentItems>
            <assignToReference>$Record.Review_Required__c</assignToReference>
            <operator>Assign</operator>
            <value>
                <booleanValue>true</booleanValue>
            </value>
        </assignmentItems>
    </assignments>
    <formulas>
        <name>Message</name>
        <dataType>String</dataType>
        <expression>{!$Label.Invoice_Flagged} &amp; {!$Record.Customer__r.Name} &amp; {!$Record__Prior.Status__c}</expression>
    </formulas>
    <processType>AutoLaunchedFlow</processType>
    <recordLookups>
        <name>Get_Config</name>
        <object>Invoice_Setting__mdt</object>
        <filters>
            <field>DeveloperName</field>
            <operator>EqualTo</operator>
        </filters>
        <queriedFields>Threshold__c</queriedFields>
    </recordLookups>
    <recordUpdates>
        <name>Save</name>
        <inputReference>$Record</inputReference>
    </recordUpdates>
    <recordCreates>
        <name>Create_Task</name>
        <inputAssignments>
            <field>Subject</field>
        </inputAssignments>
        <object>Task</object>
    </recordCreates>
    <start>
        <doesRequireRecordChangedToMeetCriteria
        >true</doesRequireRecordChangedToMeetCriteria>
        <filterLogic>and</filterLogic>
        <filters>
            <field>Status__c</field>
            <operator>EqualTo</operator>
        </filters>
        <object>Invoice__c</object>
        <recordTriggerType>Update</recordTriggerType>
        <triggerType
        >RecordAfterSave</triggerType>
    </start>
    <status>Active</status>
    <subflows>
        <name>Notify</name>
        <flowName
        >Invoice_Notify_Subflow</flowName>
    </subflows>
    <variables>
        <name>pricing</name>
        <apexClass>ns__PricingResult</apexClass>
        <dataType>Apex</dataType>
        <isCollection>false</isCollection>
    </variables>
</Flow>
"#;

    fn find<'a>(uses: &'a [Use<'static>], target: &Target) -> Option<&'a Use<'static>> {
        uses.iter().find(|u| &written_object(&u.target) == target)
    }

    /// A record write's object as a plain SObject target, whatever its events.
    fn written_object(target: &Target<'static>) -> Target<'static> {
        match target {
            Target::Dml { object, .. } => Target::SObject(object.clone()),
            other => other.clone(),
        }
    }

    fn field(object: &str, field: &str) -> Target<'static> {
        Target::Field {
            object: object.to_string().into(),
            field: field.to_string().into(),
        }
    }

    #[test]
    fn record_triggered_flow_automates_its_object_and_lists_its_uses() {
        let id = ComponentId::new("Flow", "Invoice_After_Save");
        let facts = parse_flow(&id, INVOICE_FLOW);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        assert_eq!(facts.declares.len(), 1);
        assert_eq!(facts.declares[0].automates.as_deref(), Some("Invoice__c"));
        assert_eq!(facts.declares[0].fires_on, DmlEvents::UPDATE);
        assert!(facts.parsed_uses().iter().all(|u| u.from == id));

        let expect = |target: Target, kind: EdgeKind, line: u32| {
            let found = find(facts.parsed_uses(), &target);
            assert_eq!(
                found.map(|u| (u.kind, u.line)),
                Some((kind, line)),
                "{target:?}"
            );
        };
        expect(
            Target::ApexType("InvoicePricingAction".into()),
            EdgeKind::FlowAction,
            6,
        );
        expect(
            Target::ApexType("LegacyPlugin".into()),
            EdgeKind::FlowAction,
            22,
        );
        expect(
            Target::ApexType("ns__PricingResult".into()),
            EdgeKind::References,
            81,
        );
        expect(
            Target::Component(ComponentId::new("Flow", "Invoice_Notify_Subflow")),
            EdgeKind::FlowAction,
            77,
        );
        expect(
            Target::SObject("Invoice_Setting__mdt".into()),
            EdgeKind::Reads,
            42,
        );
        expect(
            field("Invoice_Setting__mdt", "Threshold__c"),
            EdgeKind::Reads,
            47,
        );
        expect(
            field("Invoice_Setting__mdt", "DeveloperName"),
            EdgeKind::Reads,
            44,
        );
        // `$Record` update writes the start object.
        expect(Target::SObject("Invoice__c".into()), EdgeKind::Writes, 51);
        expect(Target::SObject("Task".into()), EdgeKind::Writes, 58);
        expect(field("Task", "Subject"), EdgeKind::Writes, 56);
        expect(field("Invoice__c", "Status__c"), EdgeKind::Reads, 37);
        expect(field("Invoice__c", "Id"), EdgeKind::Reads, 11);
        expect(
            field("Invoice__c", "Review_Required__c"),
            EdgeKind::Writes,
            27,
        );
        // A path through a relationship, which the graph follows.
        expect(field("Invoice__c", "Customer__r.Name"), EdgeKind::Reads, 37);
        expect(Target::Label("Invoice_Flagged".into()), EdgeKind::Reads, 37);
        // Non-Apex actions and the start object itself are not uses.
        assert!(find(facts.parsed_uses(), &Target::ApexType("chatterPost".into())).is_none());
        assert!(
            !facts
                .parsed_uses()
                .iter()
                .any(|u| u.target == Target::SObject("Invoice__c".into())
                    && u.kind == EdgeKind::Reads)
        );
    }

    /// A definition deactivates its flow when it says version 0; a stub that says no
    /// version, or a number unreadable, leaves the flow's own status to decide.
    #[test]
    fn a_flow_definition_deactivates_its_flow_only_by_version_zero() {
        let id = ComponentId::new(types::FLOW_DEFINITION, "Invoice_After_Save");
        for (body, runs) in [
            ("<activeVersionNumber>0</activeVersionNumber>", false),
            ("<activeVersionNumber> 0 </activeVersionNumber>", false),
            ("<activeVersionNumber>3</activeVersionNumber>", true),
            ("", true),
            ("<description>Retrieved</description>", true),
            ("<activeVersionNumber>three</activeVersionNumber>", true),
        ] {
            let source = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FlowDefinition xmlns=\"http://soap.sforce.com/2006/04/metadata\">{body}</FlowDefinition>\n");
            let facts = parse_flow_definition(&id, &source);
            assert_eq!(facts.declares[0].runs_automation(), runs, "{body}");
        }
    }

    #[test]
    fn prettier_reformat_keeps_the_semantic_hash() {
        let id = ComponentId::new("Flow", "Invoice_After_Save");
        let compact = INVOICE_FLOW
            .replace("<triggerType\n        >", "<triggerType>")
            .replace("<flowName\n        >", "<flowName>")
            .replace("\n    ", "\n  ");
        let a = parse_flow(&id, INVOICE_FLOW);
        let b = parse_flow(&id, &compact);
        assert_ne!(INVOICE_FLOW, compact);
        assert_eq!(a.semantic_hash, b.semantic_hash);
        let changed = parse_flow(&id, &INVOICE_FLOW.replace("LegacyPlugin", "NewPlugin"));
        assert_ne!(a.semantic_hash, changed.semantic_hash);
    }

    #[test]
    fn autolaunched_flow_is_not_automation() {
        let source = r#"<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <processType>AutoLaunchedFlow</processType>
    <recordLookups>
        <name>Get</name>
        <object>Account</object>
    </recordLookups>
</Flow>"#;
        let facts = parse_flow(&ComponentId::new("Flow", "Lookup"), source);
        assert_eq!(facts.declares[0].automates, None);
        assert_eq!(facts.parsed_uses().len(), 1);
        assert_eq!(
            facts.parsed_uses()[0].target,
            Target::SObject("Account".into())
        );
        assert_eq!(facts.parsed_uses()[0].kind, EdgeKind::Reads);
    }

    /// A flow of one action call, its `actionName` on line 4.
    fn one_action(name: &str, action_type: &str) -> Facts {
        let source = format!(
            "<Flow>\n    <actionCalls>\n        <name>Step</name>\n        \
             <actionName>{name}</actionName>\n        <actionType>{action_type}</actionType>\n    \
             </actionCalls>\n</Flow>"
        );
        parse_flow(&ComponentId::new("Flow", "One_Action"), &source)
    }

    /// A prompt action runs the prompt template it names.
    #[test]
    fn a_prompt_action_uses_its_prompt_template() {
        let facts = one_action("Generate_Personalized_Schedule", "generatePromptResponse");
        let template = Target::Component(ComponentId::new(
            types::GEN_AI_PROMPT_TEMPLATE,
            "Generate_Personalized_Schedule",
        ));
        let prompt = find(facts.parsed_uses(), &template).expect("the template is used");
        assert_eq!(prompt.kind, EdgeKind::FlowAction);
        assert_eq!(prompt.line, 4);
    }

    /// An action of another kind names what it runs: an agent invoked from a flow is
    /// reached by its name, as a string reference.
    #[test]
    fn another_action_names_what_it_runs() {
        let facts = one_action("Employee_Agent", "generateAiAgentResponse");
        let agent = find(
            facts.parsed_uses(),
            &Target::StringLiteral("Employee_Agent".into()),
        )
        .expect("the agent is named");
        assert_eq!(agent.kind, EdgeKind::StringRef);
        assert_eq!(agent.line, 4);
    }

    #[test]
    fn scheduled_flow_reads_its_start_object() {
        let source = r#"<Flow>
    <start>
        <object>Invoice__c</object>
        <triggerType>Scheduled</triggerType>
    </start>
</Flow>"#;
        let facts = parse_flow(&ComponentId::new("Flow", "Nightly"), source);
        assert_eq!(facts.declares[0].automates, None);
        assert_eq!(
            facts.parsed_uses()[0].target,
            Target::SObject("Invoice__c".into())
        );
        assert_eq!(facts.parsed_uses()[0].kind, EdgeKind::Reads);
    }

    #[test]
    fn process_builder_automates_its_object() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <actionCalls>
        <name>myRule_1_A1</name>
        <actionName>InvoiceNotifier</actionName>
        <actionType>apex</actionType>
    </actionCalls>
    <processMetadataValues>
        <name>ObjectType</name>
        <value>
            <stringValue>Invoice__c</stringValue>
        </value>
    </processMetadataValues>
    <processType>Workflow</processType>
    <recordUpdates>
        <name>myRule_1_A2</name>
        <inputAssignments>
            <field>Status__c</field>
        </inputAssignments>
        <inputReference>myVariable_current</inputReference>
    </recordUpdates>
    <variables>
        <name>myVariable_current</name>
        <dataType>SObject</dataType>
        <objectType>Invoice__c</objectType>
    </variables>
</Flow>
"#;
        let facts = parse_flow(&ComponentId::new("Flow", "Invoice_Process"), source);
        assert_eq!(facts.declares[0].automates.as_deref(), Some("Invoice__c"));
        let kinds: Vec<_> = facts
            .parsed_uses()
            .iter()
            .map(|u| (written_object(&u.target), u.kind))
            .collect();
        assert!(kinds.contains(&(
            Target::ApexType("InvoiceNotifier".into()),
            EdgeKind::FlowAction
        )));
        assert!(kinds.contains(&(Target::SObject("Invoice__c".into()), EdgeKind::Writes)));
        assert!(kinds.contains(&(field("Invoice__c", "Status__c"), EdgeKind::Writes)));
    }

    /// A related record (`$Record.Account__r`) is written as the graph types it, from
    /// the start object; a variable of no object type as any object; a typed
    /// variable as its object; each with its element's events.
    #[test]
    fn records_of_no_known_object_are_written_as_any_object() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <recordUpdates>
        <name>Stamp_Account</name>
        <inputAssignments><field>Last_Case__c</field></inputAssignments>
        <inputReference>$Record.Account__r</inputReference>
    </recordUpdates>
    <recordDeletes>
        <name>Drop_Stale</name>
        <inputReference>staleRecords</inputReference>
    </recordDeletes>
    <recordCreates>
        <name>Log_It</name>
        <inputReference>logEntry</inputReference>
    </recordCreates>
    <start>
        <object>Case</object>
        <recordTriggerType>Create</recordTriggerType>
        <triggerType>RecordAfterSave</triggerType>
    </start>
    <variables>
        <name>staleRecords</name>
        <dataType>SObject</dataType>
        <isCollection>true</isCollection>
    </variables>
    <variables>
        <name>logEntry</name>
        <dataType>SObject</dataType>
        <objectType>Log__c</objectType>
    </variables>
</Flow>
"#;
        let facts = parse_flow(&ComponentId::new("Flow", "Case_After_Save"), source);
        let writes = crate::parse::writes(&facts);
        let dml = |object: &'static str, events| Target::Dml {
            object: object.into(),
            events,
        };
        let related = TypeExpr::MemberOf(
            Box::new(TypeExpr::Named("Case".into())),
            "Account__r".into(),
        );
        assert_eq!(
            writes,
            [
                (
                    Target::DmlOf {
                        records: related,
                        events: DmlEvents::UPDATE
                    },
                    6
                ),
                (dml("*", DmlEvents::DELETE), 10),
                (dml("Log__c", DmlEvents::INSERT), 14),
            ]
        );
    }

    /// A Get Records element's name stands for its records, a loop's for its
    /// collection's current record, a collection filter's for its output: writes of
    /// them are of the object looked up.
    #[test]
    fn get_records_loops_and_filters_type_the_records_they_hold() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <collectionProcessors>
        <name>Open_Steps</name>
        <collectionReference>Each_Step</collectionReference>
    </collectionProcessors>
    <loops>
        <name>Each_Step</name>
        <collectionReference>Get_Steps</collectionReference>
    </loops>
    <recordDeletes>
        <name>Drop_Steps</name>
        <inputReference>Get_Steps</inputReference>
    </recordDeletes>
    <recordLookups>
        <name>Get_Steps</name>
        <object>WorkStep</object>
        <storeOutputAutomatically>true</storeOutputAutomatically>
    </recordLookups>
    <recordUpdates>
        <name>Close_Step</name>
        <inputReference>Each_Step</inputReference>
    </recordUpdates>
    <recordUpdates>
        <name>Close_Open</name>
        <inputReference>Open_Steps</inputReference>
    </recordUpdates>
</Flow>
"#;
        let facts = parse_flow(&ComponentId::new("Flow", "Steps"), source);
        let writes: Vec<Target> = crate::parse::writes(&facts)
            .into_iter()
            .map(|(target, _)| target)
            .collect();
        let dml = |events| Target::Dml {
            object: "WorkStep".into(),
            events,
        };
        assert_eq!(writes, [dml(DmlEvents::DELETE), dml(DmlEvents::UPDATE)]);
    }

    /// A condition on a record's record type by name or label names the record type, as
    /// a string would; a condition on another field names nothing.
    #[test]
    fn a_condition_on_a_record_type_names_it() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <decisions>
        <name>Is_General</name>
        <rules>
            <name>General</name>
            <conditions>
                <leftValueReference>$Record.RecordType.Name</leftValueReference>
                <operator>EqualTo</operator>
                <rightValue><stringValue>General Opportunity</stringValue></rightValue>
            </conditions>
            <conditions>
                <leftValueReference>Get_Case.RecordType.DeveloperName</leftValueReference>
                <operator>EqualTo</operator>
                <rightValue><stringValue>Support_Case</stringValue></rightValue>
            </conditions>
            <conditions>
                <leftValueReference>$Record.StageName</leftValueReference>
                <operator>EqualTo</operator>
                <rightValue><stringValue>Closed Won</stringValue></rightValue>
            </conditions>
        </rules>
    </decisions>
</Flow>
"#;
        let facts = parse_flow(&ComponentId::new("Flow", "Assign"), source);
        let named: Vec<String> = facts
            .parsed_uses()
            .iter()
            .filter(|u| u.kind == EdgeKind::StringRef)
            .filter_map(|u| match &u.target {
                Target::StringLiteral(name) => Some(name.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(named, ["General Opportunity", "Support_Case"]);
    }

    /// A transform's output is typed by its `<objectType>`: saving it writes that object,
    /// not every object (samsarasfdxtestorg: a flow mapping owners onto deal
    /// registrations wrote every object).
    #[test]
    fn a_transform_s_output_holds_its_object_type() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <recordUpdates>
        <name>Update_Registrations</name>
        <inputReference>Map_Owners</inputReference>
    </recordUpdates>
    <transforms>
        <name>Map_Owners</name>
        <dataType>SObject</dataType>
        <isCollection>true</isCollection>
        <objectType>Partner_Registration__c</objectType>
    </transforms>
</Flow>
"#;
        let facts = parse_flow(&ComponentId::new("Flow", "Owners"), source);
        let writes: Vec<Target> = crate::parse::writes(&facts)
            .into_iter()
            .map(|(target, _)| target)
            .collect();
        let update = Target::Dml {
            object: "Partner_Registration__c".into(),
            events: DmlEvents::UPDATE,
        };
        assert_eq!(writes, [update]);
    }

    /// A before-save flow's update of the record being saved (`$Record`) sets fields the
    /// save carries: no update of its own that runs the object's automation again. The
    /// fields it sets are read; an after-save flow's update of `$Record` is an update.
    #[test]
    fn a_before_save_flow_s_update_of_the_record_is_no_write() {
        let flow = |trigger: &str, element: &str| {
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    {element}
    <start>
        <object>User</object>
        <recordTriggerType>CreateAndUpdate</recordTriggerType>
        <triggerType>{trigger}</triggerType>
    </start>
    <status>Active</status>
</Flow>
"#
            )
        };
        let on_record = "<recordUpdates><name>Stamp</name><inputAssignments><field>LocaleSidKey</field></inputAssignments><inputReference>$Record</inputReference></recordUpdates>";
        let id = ComponentId::new("Flow", "Locale");
        let locale = Target::Field {
            object: "User".into(),
            field: "LocaleSidKey".into(),
        };
        let before = parse_flow(&id, &flow("RecordBeforeSave", on_record));
        assert!(crate::parse::writes(&before).is_empty());
        let reads_locale = before
            .parsed_uses()
            .iter()
            .any(|u| u.kind == EdgeKind::Reads && u.target == locale);
        assert!(reads_locale);
        let after = parse_flow(&id, &flow("RecordAfterSave", on_record));
        let writes: Vec<Target> = crate::parse::writes(&after)
            .into_iter()
            .map(|(target, _)| target)
            .collect();
        let update = Target::Dml {
            object: "User".into(),
            events: DmlEvents::UPDATE,
        };
        assert_eq!(writes, [update, locale]);
    }

    /// A subflow's output the flow passed in (`$Record`, a record variable) holds records
    /// of that object: an update of it writes the object. One the flow did not pass in
    /// may be of any object.
    #[test]
    fn a_subflow_s_output_the_flow_passed_in_holds_its_object() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <recordUpdates>
        <name>Update_Case</name>
        <inputReference>Reopen_Case.objCurrentCase</inputReference>
    </recordUpdates>
    <recordUpdates>
        <name>Update_Owner</name>
        <inputReference>Reopen_Case.objOwner</inputReference>
    </recordUpdates>
    <recordUpdates>
        <name>Update_Log</name>
        <inputReference>Reopen_Case.objLog</inputReference>
    </recordUpdates>
    <start>
        <object>Case</object>
        <recordTriggerType>Update</recordTriggerType>
        <triggerType>RecordAfterSave</triggerType>
    </start>
    <status>Active</status>
    <subflows>
        <name>Reopen_Case</name>
        <flowName>Case_Reopen_Helper</flowName>
        <inputAssignments>
            <name>objCurrentCase</name>
            <value><elementReference>$Record</elementReference></value>
        </inputAssignments>
        <inputAssignments>
            <name>objOwner</name>
            <value><elementReference>caseOwner</elementReference></value>
        </inputAssignments>
        <storeOutputAutomatically>true</storeOutputAutomatically>
    </subflows>
    <variables>
        <name>caseOwner</name>
        <dataType>SObject</dataType>
        <objectType>User</objectType>
    </variables>
</Flow>
"#;
        let facts = parse_flow(&ComponentId::new("Flow", "Case_Scheduled"), source);
        let writes: Vec<Target> = crate::parse::writes(&facts)
            .into_iter()
            .map(|(target, _)| target)
            .collect();
        let dml = |object: &'static str| Target::Dml {
            object: object.into(),
            events: DmlEvents::UPDATE,
        };
        assert_eq!(writes, [dml("Case"), dml("User"), dml("*")]);
    }

    /// A field of a record variable, a Get Records element's output or a loop's current
    /// record is read where an element names it (a condition, a formula's merge field,
    /// through relationships too) and written where an assignment sets it; a name of no
    /// record variable names no field.
    #[test]
    fn fields_of_record_variables_are_read_and_written() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <assignments>
        <name>Mark</name>
        <assignmentItems>
            <assignToReference>Each_Step.Status</assignToReference>
            <operator>Assign</operator>
            <value><elementReference>Get_Plan.Default_Status__c</elementReference></value>
        </assignmentItems>
        <assignmentItems>
            <assignToReference>Tally.Count</assignToReference>
            <operator>Add</operator>
        </assignmentItems>
    </assignments>
    <decisions>
        <name>Late</name>
        <rules>
            <conditions>
                <leftValueReference>Get_Plan.Account__r.Rating__c</leftValueReference>
            </conditions>
        </rules>
    </decisions>
    <formulas>
        <name>Label</name>
        <expression>{!Get_Plan.Name} &amp; TEXT({!Each_Step.Duration__c})</expression>
    </formulas>
    <loops>
        <name>Each_Step</name>
        <collectionReference>Get_Steps</collectionReference>
    </loops>
    <recordLookups>
        <name>Get_Plan</name>
        <object>Plan__c</object>
    </recordLookups>
    <recordLookups>
        <name>Get_Steps</name>
        <object>WorkStep</object>
    </recordLookups>
</Flow>
"#;
        let facts = parse_flow(&ComponentId::new("Flow", "Steps"), source);
        let fields = |kind: EdgeKind| -> Vec<(String, String)> {
            let mut fields: Vec<(String, String)> = facts
                .parsed_uses()
                .iter()
                .filter(|u| u.kind == kind)
                .filter_map(|u| match &u.target {
                    Target::Field { object, field } => {
                        Some((object.to_string(), field.to_string()))
                    }
                    _ => None,
                })
                .collect();
            fields.sort();
            fields
        };
        let pair = |object: &str, field: &str| (object.to_string(), field.to_string());
        assert_eq!(fields(EdgeKind::Writes), [pair("WorkStep", "Status")]);
        assert_eq!(
            fields(EdgeKind::Reads),
            [
                pair("Plan__c", "Account__r.Rating__c"),
                pair("Plan__c", "Default_Status__c"),
                pair("Plan__c", "Name"),
                pair("WorkStep", "Duration__c"),
            ]
        );
    }

    #[test]
    fn flow_test_tests_its_flow() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<FlowTest xmlns="http://soap.sforce.com/2006/04/metadata">
    <flowApiName>Invoice_After_Save</flowApiName>
    <label>Approved invoice is flagged</label>
    <testPoints>
        <elementApiName>Start</elementApiName>
        <parameters>
            <leftValueReference>$Record</leftValueReference>
            <type>InputTriggeringRecordInitial</type>
            <value><sobjectValue>{&quot;Status__c&quot;:&quot;Draft&quot;}</sobjectValue></value>
        </parameters>
    </testPoints>
</FlowTest>
"#;
        let id = ComponentId::new("FlowTest", "Invoice_After_Save_Test");
        let facts = parse_flow_test(&id, source);
        assert!(facts.problems.is_empty());
        assert_eq!(facts.declares[0].test, Some(TestMark::default()));
        assert_eq!(facts.parsed_uses().len(), 1);
        assert_eq!(
            facts.parsed_uses()[0].target,
            Target::Component(ComponentId::new("Flow", "Invoice_After_Save"))
        );
        assert_eq!(facts.parsed_uses()[0].kind, EdgeKind::Tests);
        assert_eq!(facts.parsed_uses()[0].line, 3);
    }

    #[test]
    fn malformed_flow_keeps_what_was_read() {
        let source = "<Flow>\n<start>\n<object>Invoice__c</object>\n<triggerType>RecordAfterSave</triggerType>\n</start>\n<subflows><flowName>X</flowName>\n</Flow>\n";
        let facts = parse_flow(&ComponentId::new("Flow", "Broken"), source);
        assert_eq!(facts.problems.len(), 1);
        assert!(
            facts.problems[0]
                .message
                .starts_with("malformed XML near line 7"),
            "{:?}",
            facts.problems
        );
        assert_eq!(facts.declares[0].automates.as_deref(), Some("Invoice__c"));
        assert!(find(
            facts.parsed_uses(),
            &Target::Component(ComponentId::new("Flow", "X"))
        )
        .is_some());
    }
}
