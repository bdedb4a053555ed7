//! Parsers for files that hold many components: custom labels, workflows, sharing
//! rules and matching rules. Each child element is declared as its own component with its own body hash
//! (the hash of its normalized XML), so a diff can tell which label or rule changed.
//!
//! The file's own component (`CustomLabels:CustomLabels`, `Workflow:Obj`,
//! `SharingRules:Obj`) is declared too; its body hash covers the file without its child
//! components, so editing one child changes only that child's hash. Children name the
//! file's component as their `parent`.
//!
//! Workflow rules and field updates are automation of their object; so are sharing
//! rules (visibility after a save) and matching rules (behind duplicate rules). This
//! module also reads the one-file-per-child layouts of workflows and sharing rules
//! (`decomposeWorkflowBeta`, `decomposeSharingRulesBeta`, [`parse_decomposed_child`]);
//! a decomposed label (`decomposeCustomLabelsBeta2`) references nothing and is read as
//! generic XML.

use crate::facts::{Declaration, DmlEvents, EdgeKind, Facts, Problem, Target, TypeExpr};
use crate::metadata::component::ComponentId;
use crate::metadata::sobject::field_relationship;
use crate::metadata::types;
use crate::parse::formula::formula_uses;
use crate::parse::objects::is_switched_off;
use crate::parse::xml::{component_decl, line_count, parse_generic, read_tree, Element, UseSet};

/// The child elements of a many-component type and the child type of each, from the
/// type table (`rules` → WorkflowRule).
fn child_kinds(parent_type: &str) -> Vec<(&'static str, &'static str)> {
    types::children_of(parent_type)
        .into_iter()
        .filter_map(|info| Some((info.xml_element?, info.name)))
        .collect()
}

/// Parses `labels/CustomLabels.labels-meta.xml`: declares `CustomLabels:CustomLabels`
/// and one `CustomLabel:<fullName>` per `<labels>` entry.
pub fn parse_labels(source: &str) -> Facts {
    let parent = ComponentId::new(types::CUSTOM_LABELS, types::CUSTOM_LABELS);
    parse_children(
        &parent,
        source,
        &child_kinds(types::CUSTOM_LABELS),
        false,
        |element, _, id, uses| {
            // A label's value may name a component as a string literal would: code
            // that reads `Label.X` finds a record type by it
            // (`getRecordTypeInfosByDeveloperName().get(Label.PMT_Project_Record_Type)`)
            // or makes a class (`Type.forName(Label.Greeting_Handler)`).
            if let Some(value) = element.child("value") {
                uses.add_string_name(id, &value.text(), value.text_line());
            }
        },
    )
}

/// Parses `workflows/Obj.workflow-meta.xml` (component `Workflow:Obj`): declares each
/// rule, field update, alert, outbound message, task… as `Type:Obj.Name`.
pub fn parse_workflow(component: &ComponentId, source: &str) -> Facts {
    let object = component.full_name().to_string();
    parse_children(
        component,
        source,
        &child_kinds(types::WORKFLOW),
        true,
        |element, decl, id, uses| {
            workflow_child(element.local_name(), element, &object, decl, id, uses);
        },
    )
}

/// What one workflow child says, wherever it is stored: `kind` is its element name in
/// the monolithic file (`rules`, `fieldUpdates`), `element` the element or the
/// decomposed file's root. Rules and field updates are automation of `object`.
fn workflow_child(
    kind: &str,
    element: &Element,
    object: &str,
    decl: &mut Declaration,
    id: &ComponentId,
    uses: &mut UseSet,
) {
    match kind {
        "rules" => {
            decl.automates = (!is_switched_off(element)).then(|| object.to_string());
            rule_uses(element, object, id, uses);
        }
        "fieldUpdates" => {
            decl.automates = Some(object.to_string());
            // A field update saves its record again, and the object's update triggers
            // run once more; one across objects updates the parent its lookup
            // (`targetObject`: `AccountId`, `Invoice__c`) names, as the graph types it.
            let cross_object = element
                .child("targetObject")
                .filter(|t| !t.text().is_empty());
            let events = DmlEvents::UPDATE;
            let (resave, line) = match cross_object {
                Some(lookup) => {
                    let record = TypeExpr::Named(object.to_string().into());
                    let relationship = field_relationship(&lookup.text()).into();
                    let records = TypeExpr::MemberOf(Box::new(record), relationship);
                    (Target::DmlOf { records, events }, lookup.text_line())
                }
                None => {
                    let object = object.to_string().into();
                    (Target::Dml { object, events }, element.line)
                }
            };
            uses.add(id, resave, EdgeKind::Writes, line);
            if let (Some(field), None) = (element.child("field"), cross_object) {
                let target = Target::Field {
                    object: object.to_string().into(),
                    field: field.text().into(),
                };
                uses.add(id, target, EdgeKind::Writes, field.text_line());
            }
            if let Some(formula) = element.child("formula") {
                formula_uses(formula, object, id, uses);
            }
        }
        // An alert sends its email template: a rule that fires it renders the
        // template's merge fields when a test saves the record.
        "alerts" => {
            if let Some(template) = element.child("template").filter(|t| !t.text().is_empty()) {
                let target = ComponentId::new(types::EMAIL_TEMPLATE, &template.text());
                uses.add(
                    id,
                    Target::Component(target),
                    EdgeKind::References,
                    template.text_line(),
                );
            }
        }
        "flowActions" => {
            if let Some(flow) = element.child("flow") {
                let target = Target::Component(ComponentId::new(types::FLOW, &flow.text()));
                uses.add(id, target, EdgeKind::FlowAction, flow.text_line());
            }
        }
        _ => {}
    }
}

/// Parses one child's own file in the decomposed layouts (`decomposeWorkflowBeta`,
/// `decomposeSharingRulesBeta`): `workflows/Obj/workflowRules/Name.workflowRule-meta.xml`
/// is `WorkflowRule:Obj.Name`, its root element (`<WorkflowRule>`) holding what the
/// `<rules>` element of `Obj.workflow-meta.xml` holds. The child is declared with the
/// same parent, automation and uses as the same child inside the monolithic file, so a
/// change reaches the same tests in either layout.
pub fn parse_decomposed_child(component: &ComponentId, source: &str) -> Facts {
    let row = types::type_info(component.type_name());
    let Some((parent_type, kind)) = row.and_then(|info| Some((info.parent?, info.xml_element?)))
    else {
        return parse_generic(component, source);
    };
    let (root, problems) = read_tree(source);
    // Objects have no dots in their names; the child's name follows the first one.
    let full_name = component.full_name();
    let object = full_name
        .split_once('.')
        .map_or(full_name, |(object, _)| object);
    let mut decl = component_decl(component, (1, line_count(source)), root.semantic_hash());
    decl.parent = Some(ComponentId::new(parent_type, object));
    let mut uses = UseSet::default();
    if parent_type == types::WORKFLOW {
        workflow_child(kind, &root, object, &mut decl, component, &mut uses);
    } else {
        sharing_rule(&mut decl, object);
    }
    Facts {
        declares: vec![decl],
        uses: uses.into_vec().into(),
        problems,
        semantic_hash: root.semantic_hash(),
    }
}

/// Parses `sharingRules/Obj.sharingRules-meta.xml` (component `SharingRules:Obj`):
/// declares each criteria, owner, guest and territory rule as `Type:Obj.Name`, as
/// automation of `Obj`: sharing is recalculated when a record is saved, and a test that
/// saves one and reads it as another user (`System.runAs`) sees the rule's result.
pub fn parse_sharing_rules(component: &ComponentId, source: &str) -> Facts {
    let object = component.full_name().to_string();
    parse_children(
        component,
        source,
        &child_kinds(types::SHARING_RULES),
        true,
        |_, decl, _, _| sharing_rule(decl, &object),
    )
}

/// A sharing rule is automation of its object: sharing is recalculated when a record
/// is saved.
fn sharing_rule(decl: &mut Declaration, object: &str) {
    decl.automates = Some(object.to_string());
}

/// Parses `matchingRules/Obj.matchingRule-meta.xml` (component `MatchingRules:Obj`):
/// declares each matching rule as `MatchingRule:Obj.Name`, automation of `Obj`: a
/// duplicate rule that uses it can block or flag a save of the object.
pub fn parse_matching_rules(component: &ComponentId, source: &str) -> Facts {
    let object = component.full_name().to_string();
    parse_children(
        component,
        source,
        &child_kinds(types::MATCHING_RULES),
        true,
        |_, decl, _, _| decl.automates = Some(object.clone()),
    )
}

/// A workflow rule reads the fields of its criteria and formula, and uses its actions.
fn rule_uses(rule: &Element, object: &str, id: &ComponentId, uses: &mut UseSet) {
    for item in rule.children_named("criteriaItems") {
        if let Some(field) = item.child("field") {
            // Criteria fields are written `Obj.Field`.
            let text = field.text();
            let (obj, name) = text.split_once('.').unwrap_or((object, &text));
            let target = Target::Field {
                object: obj.to_string().into(),
                field: name.to_string().into(),
            };
            uses.add(id, target, EdgeKind::Reads, field.text_line());
        }
    }
    if let Some(formula) = rule.child("formula") {
        formula_uses(formula, object, id, uses);
    }
    let timed = rule
        .children_named("workflowTimeTriggers")
        .flat_map(|t| t.children_named("actions"));
    for action in rule.children_named("actions").chain(timed) {
        let (Some(name), Some(kind)) = (action.child("name"), action.child_text("type")) else {
            continue;
        };
        // An action's `<type>` is its metadata type without the `Workflow` prefix
        // (`FieldUpdate` → WorkflowFieldUpdate).
        let Some(info) = types::type_info(&format!("{}{kind}", types::WORKFLOW))
            .filter(|info| info.parent == Some(types::WORKFLOW))
        else {
            continue;
        };
        let child = ComponentId::new(info.name, &format!("{object}.{}", name.text()));
        uses.add(
            id,
            Target::Component(child),
            EdgeKind::References,
            name.text_line(),
        );
    }
}

/// Declares `parent` and each child element listed in `kinds` (element name → type),
/// named by its `<fullName>` (prefixed with the parent's name when `prefixed`), and
/// lets `collect` fill in each child's automation and uses.
fn parse_children(
    parent: &ComponentId,
    source: &str,
    kinds: &[(&str, &str)],
    prefixed: bool,
    mut collect: impl FnMut(&Element, &mut Declaration, &ComponentId, &mut UseSet),
) -> Facts {
    let (root, mut problems) = read_tree(source);
    let type_of = |element: &Element| {
        kinds
            .iter()
            .find(|(name, _)| *name == element.local_name())
            .map(|(_, type_name)| *type_name)
    };
    let header_hash = root.hash_without(&|child| type_of(child).is_some());
    let mut declares = vec![component_decl(parent, (1, line_count(source)), header_hash)];
    let mut uses = UseSet::default();
    for element in &root.children {
        let Some(type_name) = type_of(element) else {
            continue;
        };
        let Some(name) = element.child_text("fullName") else {
            problems.push(Problem {
                line: Some(element.line),
                message: format!(
                    "<{}> near line {} has no <fullName>: it cannot be told apart",
                    element.name, element.line
                ),
            });
            continue;
        };
        let full_name = if prefixed {
            format!("{}.{}", parent.full_name(), name)
        } else {
            name
        };
        let id = ComponentId::new(type_name, &full_name);
        let mut decl = component_decl(
            &id,
            (element.line, element.end_line),
            element.semantic_hash(),
        );
        decl.parent = Some(parent.clone());
        collect(element, &mut decl, &id, &mut uses);
        declares.push(decl);
    }
    Facts {
        declares,
        uses: uses.into_vec().into(),
        problems,
        semantic_hash: root.semantic_hash(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">
    <labels>
        <fullName>Greeting</fullName>
        <language>en_US</language>
        <protected>false</protected>
        <shortDescription>Greeting</shortDescription>
        <value>Hello</value>
    </labels>
    <labels>
        <fullName>Invoice_Flagged</fullName>
        <language>en_US</language>
        <protected>false</protected>
        <shortDescription>Invoice flagged</shortDescription>
        <value>This invoice needs review</value>
    </labels>
    <labels>
        <fullName>Farewell</fullName>
        <language>en_US</language>
        <protected>false</protected>
        <shortDescription>Farewell</shortDescription>
        <value>Goodbye</value>
    </labels>
</CustomLabels>
"#;

    fn hashes(facts: &Facts) -> Vec<(String, u64)> {
        facts
            .declares
            .iter()
            .map(|d| (d.id.to_string(), d.body_hash))
            .collect()
    }

    #[test]
    fn labels_are_declared_one_by_one_with_their_spans() {
        let facts = parse_labels(LABELS);
        assert!(facts.problems.is_empty());
        let ids: Vec<String> = facts.declares.iter().map(|d| d.id.to_string()).collect();
        assert_eq!(
            ids,
            [
                "CustomLabels:CustomLabels",
                "CustomLabel:Greeting",
                "CustomLabel:Invoice_Flagged",
                "CustomLabel:Farewell"
            ]
        );
        assert_eq!(facts.declares[1].lines, (3, 9));
        assert_eq!(facts.declares[3].lines, (17, 23));
        assert_eq!(
            facts.declares[1].parent,
            Some(ComponentId::new("CustomLabels", "CustomLabels"))
        );
        assert!(facts.declares.iter().all(|d| d.automates.is_none()));
    }

    #[test]
    fn changing_one_label_changes_only_its_hash() {
        let before = hashes(&parse_labels(LABELS));
        let after = hashes(&parse_labels(
            &LABELS.replace("needs review", "must be reviewed"),
        ));
        let changed: Vec<&str> = before
            .iter()
            .zip(&after)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.0.as_str())
            .collect();
        assert_eq!(changed, ["CustomLabel:Invoice_Flagged"]);
        // Moving a label (reformatting the file) changes no label's hash.
        let reindented = hashes(&parse_labels(&LABELS.replace("\n        <", "\n  <")));
        assert_eq!(before, reindented);
    }

    const WORKFLOW: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Workflow xmlns="http://soap.sforce.com/2006/04/metadata">
    <alerts>
        <fullName>Notify_Owner</fullName>
        <description>Notify Owner</description>
        <protected>false</protected>
        <recipients><type>owner</type></recipients>
        <senderType>CurrentUser</senderType>
        <template>Billing/Invoice_Sent</template>
    </alerts>
    <fieldUpdates>
        <fullName>Set_Status</fullName>
        <field>Status__c</field>
        <literalValue>Sent</literalValue>
        <name>Set Status</name>
        <operation>Literal</operation>
    </fieldUpdates>
    <rules>
        <fullName>Invoice_Sent</fullName>
        <actions>
            <name>Notify_Owner</name>
            <type>Alert</type>
        </actions>
        <actions>
            <name>Set_Status</name>
            <type>FieldUpdate</type>
        </actions>
        <active>true</active>
        <criteriaItems>
            <field>Invoice__c.Sent__c</field>
            <operation>equals</operation>
            <value>True</value>
        </criteriaItems>
        <triggerType>onCreateOrTriggeringUpdate</triggerType>
    </rules>
    <tasks>
        <fullName>Follow_Up</fullName>
        <assignedToType>owner</assignedToType>
        <subject>Follow up</subject>
    </tasks>
</Workflow>
"#;

    /// A workflow rule switched off is no automation; its field updates still are (an
    /// approval process or another rule may run them).
    #[test]
    fn a_workflow_rule_switched_off_is_no_automation() {
        let parent = ComponentId::new("Workflow", "Invoice__c");
        let source = WORKFLOW.replace("<active>true</active>", "<active>false</active>");
        let facts = parse_workflow(&parent, &source);
        let automates = |name: &str| {
            facts
                .declares
                .iter()
                .find(|d| d.id.to_string() == name)
                .and_then(|d| d.automates.clone())
        };
        assert_eq!(automates("WorkflowRule:Invoice__c.Invoice_Sent"), None);
        assert_eq!(
            automates("WorkflowFieldUpdate:Invoice__c.Set_Status").as_deref(),
            Some("Invoice__c")
        );
    }

    /// An alert names its email template: a change to the template reaches the rules
    /// that send it.
    #[test]
    fn an_alert_uses_its_email_template() {
        let facts = parse_workflow(&ComponentId::new("Workflow", "Invoice__c"), WORKFLOW);
        let alert = ComponentId::new("WorkflowAlert", "Invoice__c.Notify_Owner");
        let template = ComponentId::new("EmailTemplate", "Billing/Invoice_Sent");
        let uses: Vec<(&Target, EdgeKind, u32)> = facts
            .parsed_uses()
            .iter()
            .filter(|u| u.from == alert)
            .map(|u| (&u.target, u.kind, u.line))
            .collect();
        assert_eq!(
            uses,
            [(&Target::Component(template), EdgeKind::References, 9)]
        );
    }

    /// A field update across objects updates the parent its lookup names, as the graph
    /// types the relationship: no field of its own object, and no save of its own record.
    #[test]
    fn a_cross_object_field_update_saves_the_parent() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<Workflow xmlns="http://soap.sforce.com/2006/04/metadata">
    <fieldUpdates>
        <fullName>Stamp_Account</fullName>
        <field>Last_Won__c</field>
        <operation>Formula</operation>
        <formula>TODAY()</formula>
        <targetObject>AccountId</targetObject>
    </fieldUpdates>
</Workflow>
"#;
        let facts = parse_workflow(&ComponentId::new("Workflow", "Opportunity"), source);
        let writes = crate::parse::writes(&facts);
        let account = Target::DmlOf {
            records: TypeExpr::MemberOf(
                Box::new(TypeExpr::Named("Opportunity".into())),
                "Account".into(),
            ),
            events: DmlEvents::UPDATE,
        };
        assert_eq!(writes, [(account, 8)]);
    }

    #[test]
    fn workflow_children_are_declared_and_rules_and_updates_are_automation() {
        let parent = ComponentId::new("Workflow", "Invoice__c");
        let facts = parse_workflow(&parent, WORKFLOW);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        let decls: Vec<(String, Option<String>)> = facts
            .declares
            .iter()
            .map(|d| (d.id.to_string(), d.automates.clone()))
            .collect();
        let inv = Some("Invoice__c".to_string());
        assert_eq!(
            decls,
            [
                ("Workflow:Invoice__c".to_string(), None),
                ("WorkflowAlert:Invoice__c.Notify_Owner".to_string(), None),
                (
                    "WorkflowFieldUpdate:Invoice__c.Set_Status".to_string(),
                    inv.clone()
                ),
                ("WorkflowRule:Invoice__c.Invoice_Sent".to_string(), inv),
                ("WorkflowTask:Invoice__c.Follow_Up".to_string(), None),
            ]
        );
        // The update writes its field, and saves its record again: an update.
        let update = ComponentId::new("WorkflowFieldUpdate", "Invoice__c.Set_Status");
        let writes: Vec<(&Target, EdgeKind, u32)> = facts
            .parsed_uses()
            .iter()
            .filter(|u| u.from == update)
            .map(|u| (&u.target, u.kind, u.line))
            .collect();
        let field = Target::Field {
            object: "Invoice__c".into(),
            field: "Status__c".into(),
        };
        let resave = Target::Dml {
            object: "Invoice__c".into(),
            events: DmlEvents::UPDATE,
        };
        assert_eq!(
            writes,
            [
                (&resave, EdgeKind::Writes, 11),
                (&field, EdgeKind::Writes, 13)
            ]
        );
        let rule = ComponentId::new("WorkflowRule", "Invoice__c.Invoice_Sent");
        let rule_targets: Vec<&Target> = facts
            .parsed_uses()
            .iter()
            .filter(|u| u.from == rule)
            .map(|u| &u.target)
            .collect();
        assert!(rule_targets.contains(&&Target::Field {
            object: "Invoice__c".into(),
            field: "Sent__c".into()
        }));
        assert!(rule_targets.contains(&&Target::Component(update)));

        // Changing the task changes only the task's hash, not the parent's.
        let before = hashes(&facts);
        let after = hashes(&parse_workflow(
            &parent,
            &WORKFLOW.replace("Follow up", "Call"),
        ));
        let changed: Vec<&str> = before
            .iter()
            .zip(&after)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.0.as_str())
            .collect();
        assert_eq!(changed, ["WorkflowTask:Invoice__c.Follow_Up"]);
    }

    /// The uses and automation of one component, for comparing layouts.
    fn shape(
        facts: &Facts,
        id: &ComponentId,
    ) -> (Option<String>, Option<ComponentId>, Vec<String>) {
        let decl = facts
            .declares
            .iter()
            .find(|d| &d.id == id)
            .expect("declared");
        let mut uses: Vec<String> = facts
            .parsed_uses()
            .iter()
            .filter(|u| &u.from == id)
            .map(|u| format!("{:?} {:?}", u.kind, u.target))
            .collect();
        uses.sort();
        (decl.automates.clone(), decl.parent.clone(), uses)
    }

    #[test]
    fn a_decomposed_workflow_child_says_what_the_same_child_in_the_file_says() {
        let monolithic = parse_workflow(&ComponentId::new("Workflow", "Invoice__c"), WORKFLOW);
        let update = r#"<?xml version="1.0" encoding="UTF-8"?>
<WorkflowFieldUpdate xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Set_Status</fullName>
    <field>Status__c</field>
    <literalValue>Sent</literalValue>
    <name>Set Status</name>
    <operation>Literal</operation>
</WorkflowFieldUpdate>
"#;
        let rule = r#"<WorkflowRule xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Invoice_Sent</fullName>
    <actions><name>Notify_Owner</name><type>Alert</type></actions>
    <actions><name>Set_Status</name><type>FieldUpdate</type></actions>
    <active>true</active>
    <criteriaItems><field>Invoice__c.Sent__c</field><operation>equals</operation><value>True</value></criteriaItems>
</WorkflowRule>"#;
        let task =
            "<WorkflowTask><fullName>Follow_Up</fullName><subject>Call</subject></WorkflowTask>";
        for (type_name, name, source) in [
            ("WorkflowFieldUpdate", "Set_Status", update),
            ("WorkflowRule", "Invoice_Sent", rule),
            ("WorkflowTask", "Follow_Up", task),
        ] {
            let id = ComponentId::new(type_name, &format!("Invoice__c.{name}"));
            let decomposed = parse_decomposed_child(&id, source);
            assert!(decomposed.problems.is_empty(), "{:?}", decomposed.problems);
            assert_eq!(decomposed.declares.len(), 1);
            assert_eq!(shape(&decomposed, &id), shape(&monolithic, &id), "{id}");
        }
        let id = ComponentId::new("WorkflowFieldUpdate", "Invoice__c.Set_Status");
        let (automates, parent, _) = shape(&parse_decomposed_child(&id, update), &id);
        assert_eq!(automates.as_deref(), Some("Invoice__c"));
        assert_eq!(parent, Some(ComponentId::new("Workflow", "Invoice__c")));
        // A comment is not a change of meaning; a new value is.
        let hash = |text: &str| parse_decomposed_child(&id, text).semantic_hash;
        assert_eq!(
            hash(update),
            hash(&update.replace("<field>", "<!-- x --><field>"))
        );
        assert_ne!(hash(update), hash(&update.replace(">Sent<", ">Paid<")));
        // Broken XML is a problem, never a panic.
        let broken = parse_decomposed_child(&id, "<WorkflowFieldUpdate><field>");
        assert!(!broken.problems.is_empty());
    }

    #[test]
    fn a_decomposed_sharing_rule_is_automation_of_its_object() {
        let id = ComponentId::new("SharingCriteriaRule", "Account.Partners");
        let source = "<SharingCriteriaRule><fullName>Partners</fullName><accessLevel>Read</accessLevel></SharingCriteriaRule>";
        let facts = parse_decomposed_child(&id, source);
        let (automates, parent, uses) = shape(&facts, &id);
        assert_eq!(automates.as_deref(), Some("Account"));
        assert_eq!(parent, Some(ComponentId::new("SharingRules", "Account")));
        assert!(uses.is_empty());
        // A type that is not a decomposed child is read as generic XML.
        let other = parse_decomposed_child(&ComponentId::new("Layout", "A-B"), source);
        assert_eq!(other.declares[0].automates, None);
    }

    #[test]
    fn sharing_rules_are_automation_of_their_object() {
        let source = r#"<SharingRules xmlns="http://soap.sforce.com/2006/04/metadata">
    <sharingCriteriaRules>
        <fullName>Share_Partners</fullName>
        <accessLevel>Read</accessLevel>
        <criteriaItems><field>Type__c</field><operation>equals</operation><value>Partner</value></criteriaItems>
    </sharingCriteriaRules>
    <sharingOwnerRules>
        <fullName>Share_Sales</fullName>
        <accessLevel>Edit</accessLevel>
    </sharingOwnerRules>
    <sharingOwnerRules>
        <accessLevel>Edit</accessLevel>
    </sharingOwnerRules>
</SharingRules>"#;
        let facts = parse_sharing_rules(&ComponentId::new("SharingRules", "Invoice__c"), source);
        let ids: Vec<String> = facts.declares.iter().map(|d| d.id.to_string()).collect();
        assert_eq!(
            ids,
            [
                "SharingRules:Invoice__c",
                "SharingCriteriaRule:Invoice__c.Share_Partners",
                "SharingOwnerRule:Invoice__c.Share_Sales"
            ]
        );
        // Saving a record recalculates sharing: the rules are automation of the object;
        // the file's own component is not.
        assert!(facts.declares[0].automates.is_none());
        assert!(facts.declares[1..]
            .iter()
            .all(|d| d.automates.as_deref() == Some("Invoice__c")));
        // The rule without a name is reported, not guessed.
        assert_eq!(facts.problems.len(), 1);
        assert_eq!(facts.problems[0].line, Some(11));
    }

    #[test]
    fn malformed_labels_keep_the_labels_read_before_the_error() {
        let broken = LABELS.replace("<value>Goodbye</value>", "<value>Goodbye</valeu>");
        let facts = parse_labels(&broken);
        assert_eq!(facts.problems.len(), 1);
        assert_eq!(facts.problems[0].line, Some(22));
        assert!(facts
            .declares
            .iter()
            .any(|d| d.id.full_name() == "Invoice_Flagged"));
    }
}
