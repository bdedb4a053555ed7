//! Parsers for objects and their children: custom objects and settings, fields,
//! validation rules, other object children, and custom metadata records.
//!
//! What matters for test selection here is automation and field use: a field that is
//! required, unique, defaulted or master-detail, and every validation rule, can change
//! the outcome of an insert into its object, so it is declared as automation of the
//! object (`automates`). A roll-up summary field makes its child object a writer of its
//! parent (an update, on every write of a child). Formula fields and validation rules
//! read the fields they name (`formula.rs`). Custom metadata records belong to their
//! type and name classes by string (`Type.forName` handler frameworks).
//!
//! Parts of these files that change no test outcome (search layouts, list views, help
//! text, descriptions, …: [`INERT_ELEMENTS`]) are left out of their hashes, so a change
//! only there selects nothing.
//!
//! This module does not evaluate formulas (a cross-object path in one, `Parent__r.Score__c`,
//! is read whole, and the graph follows it: `formula.rs` finds its names), or read
//! layouts or record type picklist assignments; of a lookup filter it reads only the
//! record types it names.

use crate::facts::{DmlEvents, EdgeKind, Facts, Target};
use crate::metadata::component::ComponentId;
use crate::metadata::{sobject, types};
use crate::parse::formula::formula_uses;
use crate::parse::xml::{component_decl, line_count, read_tree, Element, UseSet};

/// Parses `objects/X/X.object-meta.xml`: declares the object (or custom setting, when it
/// has `<customSettingsType>`; both are the same node for the graph).
pub fn parse_object(component: &ComponentId, source: &str) -> Facts {
    parse_declared(component, source, None, |_, _, _| {})
}

/// Parses `objects/Obj/fields/F.field-meta.xml` (component `CustomField:Obj.F`).
pub fn parse_field(component: &ComponentId, source: &str) -> Facts {
    let object = object_of(component);
    let (root, _) = read_tree(source);
    let changes_inserts = root.child_is_true("required")
        || root.child_is_true("unique")
        || root.child_text("defaultValue").is_some()
        || root
            .child_text("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("MasterDetail"))
        || restricts_values(&root);
    let automates = changes_inserts.then(|| object.clone());
    // A lookup's or master-detail's one object is its value's type: the graph types a
    // relationship (`Parent__r`) with it. A polymorphic lookup has none.
    let mut references = root.children_named("referenceTo");
    let value_type = match (references.next(), references.next()) {
        (Some(reference), None) => Some(reference.text()).filter(|text| !text.is_empty()),
        _ => None,
    };
    let mut facts = parse_declared(component, source, automates, |root, from, uses| {
        if let Some(formula) = root.child("formula") {
            formula_uses(formula, &object, from, uses);
        }
        for reference in root.children_named("referenceTo") {
            let target = Target::SObject(reference.text().into());
            uses.add(from, target, EdgeKind::References, reference.text_line());
        }
        // A roll-up summary is recalculated when a child record is inserted, updated,
        // deleted or undeleted, and the parent saved: its triggers, flows and validation
        // rules run on update. The child object writes the parent.
        if let Some(key) = root.child("summaryForeignKey") {
            if let Some((child, _)) = key.text().split_once('.') {
                let update = Target::Dml {
                    object: object.clone().into(),
                    events: DmlEvents::UPDATE,
                };
                uses.add(
                    &sobject::id(child),
                    update,
                    EdgeKind::Writes,
                    key.text_line(),
                );
            }
        }
        // Roll-up summaries read the child object's field and relationship.
        for name in ["summarizedField", "summaryForeignKey"] {
            if let Some(element) = root.child(name) {
                if let Some((obj, field)) = element.text().split_once('.') {
                    let target = Target::Field {
                        object: obj.to_string().into(),
                        field: field.to_string().into(),
                    };
                    uses.add(from, target, EdgeKind::Reads, element.text_line());
                }
            }
        }
        if let Some(filter) = root.child("lookupFilter") {
            lookup_filter_uses(filter, from, uses);
        }
        if let Some(set) = root.child("valueSet").and_then(|v| v.child("valueSetName")) {
            let target = Target::Component(ComponentId::new(types::GLOBAL_VALUE_SET, &set.text()));
            uses.add(from, target, EdgeKind::References, set.text_line());
        }
    });
    if let Some(declaration) = facts.declares.first_mut() {
        declaration.alias = value_type
            .as_ref()
            .and_then(|_| root.child_text("relationshipName"))
            .filter(|name| !name.is_empty());
        declaration.value_type = value_type;
    }
    facts
}

/// A lookup filter's items on a record type (`Account.RecordType.Name equals
/// Sub-Branch`, `$Source.RecordTypeId`): each value names the record type, by its name
/// or its label, as a string literal in Apex would (`apex::literal_name`), so a change
/// to the record type reaches the field and the code that sets it.
fn lookup_filter_uses(filter: &Element, from: &ComponentId, uses: &mut UseSet) {
    for item in filter.children_named("filterItems") {
        let on_record_type = item.child_text("field").is_some_and(|field| {
            sobject::names_record_type(&field)
                || field.trim().to_ascii_lowercase().ends_with("recordtypeid")
        });
        let Some(value) = item.child("value").filter(|_| on_record_type) else {
            continue;
        };
        for part in value.text().split(',') {
            uses.add_string_name(from, part, value.text_line());
        }
    }
}

/// A picklist bound to a global value set, or restricted to its own values, refuses a
/// save with any other value: like a validation rule, it is automation of its object.
fn restricts_values(field: &Element) -> bool {
    field
        .child("valueSet")
        .is_some_and(|set| set.child("valueSetName").is_some() || set.child_is_true("restricted"))
}

/// Parses `objects/Obj/validationRules/R.validationRule-meta.xml` (component
/// `ValidationRule:Obj.R`): automation of `Obj` that reads the fields its formula names.
pub fn parse_validation_rule(component: &ComponentId, source: &str) -> Facts {
    let object = object_of(component);
    parse_declared(
        component,
        source,
        Some(object.clone()),
        |root, from, uses| {
            if let Some(formula) = root.child("errorConditionFormula") {
                formula_uses(formula, &object, from, uses);
            }
        },
    )
}

/// Parses `objects/Obj/recordTypes/R.recordType-meta.xml` (component `RecordType:Obj.R`):
/// declared, no uses, its label the other name code finds it by
/// (`WHERE Name = 'Sub-Branch'`, `getRecordTypeInfosByName().get('Sub-Branch')`).
pub fn parse_record_type(component: &ComponentId, source: &str) -> Facts {
    let mut label = None;
    let mut facts = parse_declared(component, source, None, |root, _, _| {
        label = root
            .child_text("label")
            .filter(|label| !label.trim().is_empty());
    });
    if let Some(declaration) = facts.declares.first_mut() {
        declaration.alias = label;
    }
    facts
}

/// Parses any other object child (list view, compact layout, web link, field set,
/// business process…): declared, no automation, no uses.
pub fn parse_object_child_generic(component: &ComponentId, source: &str) -> Facts {
    parse_declared(component, source, None, |_, _, _| {})
}

/// Parses `customMetadata/Type.Record.md-meta.xml` (component `CustomMetadata:Type.Record`):
/// the record belongs to `Type__mdt`, and each string value shaped like an API name may
/// name a component (a handler class for `Type.forName`).
pub fn parse_custom_metadata_record(component: &ComponentId, source: &str) -> Facts {
    let type_name = object_of(component);
    parse_declared(component, source, None, |root, from, uses| {
        if !type_name.is_empty() {
            let target = Target::SObject((format!("{type_name}__mdt")).into());
            uses.add(from, target, EdgeKind::RecordOf, root.line);
        }
        let mut registration: Vec<String> = Vec::new();
        for values in root.children_named("values") {
            let Some(value) = values.child("value") else {
                continue;
            };
            let nil = value
                .attr("xsi:nil")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            let string_typed = value
                .attr("xsi:type")
                .is_none_or(|t| t.to_ascii_lowercase().contains("string"));
            let text = value.text();
            if !nil && string_typed && looks_like_api_name(&text) {
                registration.push(text.clone());
                uses.add(
                    from,
                    Target::StringLiteral(text.into()),
                    EdgeKind::StringRef,
                    value.text_line(),
                );
            }
        }
        // A record naming a handler class and an object registers one for the other.
        if registration.len() >= 2 {
            uses.add(
                from,
                Target::Registration(registration),
                EdgeKind::StringRef,
                1,
            );
        }
    })
}

/// Declares a single-component file, then lets `collect` add its uses. The declaration
/// spans the whole file; its body hash is the normalized document's.
pub(crate) fn parse_declared(
    component: &ComponentId,
    source: &str,
    automates: Option<String>,
    collect: impl FnOnce(&Element, &ComponentId, &mut UseSet),
) -> Facts {
    let (root, problems) = read_tree(source);
    let hash = root.hash_without(&|element| is_inert_element(element.local_name()));
    let mut decl = component_decl(component, (1, line_count(source)), hash);
    decl.automates = automates.filter(|o| !o.is_empty() && !is_switched_off(&root));
    let mut uses = UseSet::default();
    collect(&root, component, &mut uses);
    Facts {
        declares: vec![decl],
        uses: uses.into_vec().into(),
        problems,
        semantic_hash: hash,
    }
}

/// Whether a rule says it is switched off (`<active>false</active>`, a duplicate rule's
/// `<isActive>false</isActive>`): it runs on no save, so it is no automation of its
/// object. Switching it on or off is the change that reaches the object's writers
/// (`changes`: off is walked on the base revision, where it still ran).
pub(crate) fn is_switched_off(rule: &Element) -> bool {
    ["active", "isActive"].iter().any(|name| {
        rule.child_text(name)
            .is_some_and(|text| text.eq_ignore_ascii_case("false"))
    })
}

/// Top-level elements of an object, field or other object-child file that change no
/// test outcome, with why: what the UI shows and what the documentation says. A change
/// only to these is listed with `semantic: false` and selects nothing. Every other
/// element can change what a test sees and stays in the hash: `sharingModel` and
/// `externalSharingModel` (record access under `System.runAs`), `enableHistory` and
/// `trackHistory` (history rows), `enableFeeds`/`trackFeedHistory` (feed items),
/// `enableActivities`, `enableSearch` (SOSL), `label` (describe results), field sets
/// (read in Apex through `Schema`), `nameField`, record types, and anything unknown.
pub(crate) const INERT_ELEMENTS: &[(&str, &str)] = &[
    ("searchLayouts", "search result columns in the UI"),
    ("listViews", "list views in the UI"),
    ("compactLayouts", "record highlights in the UI"),
    (
        "compactLayoutAssignment",
        "which compact layout the UI shows",
    ),
    ("actionOverrides", "which page a UI button opens"),
    ("webLinks", "buttons and links in the UI"),
    ("description", "documentation"),
    ("inlineHelpText", "help text shown in the UI"),
    ("enableReports", "whether reports may use the object"),
    // Neither is in an object's describe: only the UI's sentences read them.
    ("startsWith", "the article the UI puts before the label"),
    ("gender", "the grammatical gender of the label in the UI"),
];

/// Whether a top-level element is one of [`INERT_ELEMENTS`].
fn is_inert_element(name: &str) -> bool {
    INERT_ELEMENTS
        .iter()
        .any(|(inert, _)| inert.eq_ignore_ascii_case(name))
}

/// The object part of an object child's full name (`Invoice__c` of
/// `Invoice__c.Amount__c`), or the type part of a custom metadata record's.
pub(crate) fn object_of(component: &ComponentId) -> String {
    let full = component.full_name();
    full.split_once('.')
        .map_or(full, |(object, _)| object)
        .to_string()
}

/// True for text shaped like an API name or a dotted name (`InvoiceHandler`,
/// `ns.Handler`, `TA_Invoice_Validate`): letters, digits, `_` and `.`, starting with a
/// letter, 2 to 80 characters.
fn looks_like_api_name(text: &str) -> bool {
    (2..=80).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && !text.ends_with('.')
        && !text.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Use;

    fn field(object: &str, field: &str) -> Target<'static> {
        Target::Field {
            object: object.to_string().into(),
            field: field.to_string().into(),
        }
    }

    fn targets(uses: &[Use<'static>], kind: EdgeKind) -> Vec<Target<'static>> {
        uses.iter()
            .filter(|u| u.kind == kind)
            .map(|u| u.target.clone())
            .collect()
    }

    const REQUIRED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Customer__c</fullName>
    <label>Customer</label>
    <referenceTo>Account</referenceTo>
    <relationshipName>Invoices</relationshipName>
    <required>true</required>
    <type>Lookup</type>
</CustomField>
"#;

    const PLAIN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Notes__c</fullName>
    <label>Notes</label>
    <length>255</length>
    <required>false</required>
    <type>Text</type>
    <unique>false</unique>
</CustomField>
"#;

    const FORMULA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Total__c</fullName>
    <formula>IF(
  ISPICKVAL(Status__c, "Paid__c"),
  Amount__c * (1 + Tax_Rate__c) /* Discount__c is gone */,
  Customer__r.Credit__c + Amount
)</formula>
    <label>Total</label>
    <type>Currency</type>
</CustomField>
"#;

    #[test]
    fn required_field_is_automation_of_its_object_plain_field_is_not() {
        let id = ComponentId::new("CustomField", "Invoice__c.Customer__c");
        let facts = parse_field(&id, REQUIRED);
        assert!(facts.problems.is_empty());
        assert_eq!(facts.declares[0].id, id);
        assert_eq!(facts.declares[0].automates.as_deref(), Some("Invoice__c"));
        assert_eq!(
            targets(facts.parsed_uses(), EdgeKind::References),
            vec![Target::SObject("Account".into())]
        );
        assert_eq!(facts.parsed_uses()[0].line, 5);

        let plain = parse_field(
            &ComponentId::new("CustomField", "Invoice__c.Notes__c"),
            PLAIN,
        );
        assert_eq!(plain.declares[0].automates, None);
        assert!(plain.parsed_uses().is_empty());
    }

    #[test]
    fn defaulted_unique_and_master_detail_fields_are_automation() {
        let id = ComponentId::new("CustomField", "Line__c.Invoice__c");
        for extra in [
            "<defaultValue>0</defaultValue>",
            "<unique>true</unique>",
            "<type>MasterDetail</type>",
        ] {
            let source = PLAIN.replace("<type>Text</type>", extra);
            let facts = parse_field(&id, &source);
            assert_eq!(
                facts.declares[0].automates.as_deref(),
                Some("Line__c"),
                "{extra}"
            );
        }
    }

    #[test]
    fn formula_field_reads_the_fields_it_names() {
        let id = ComponentId::new("CustomField", "Invoice__c.Total__c");
        let facts = parse_field(&id, FORMULA);
        let reads = targets(facts.parsed_uses(), EdgeKind::Reads);
        assert_eq!(
            reads,
            vec![
                field("Invoice__c", "Status__c"),
                field("Invoice__c", "Amount__c"),
                field("Invoice__c", "Tax_Rate__c"),
                field("Invoice__c", "Customer__r.Credit__c"),
                field("Invoice__c", "Amount"),
            ]
        );
        let line_of = |t: &Target| {
            facts
                .parsed_uses()
                .iter()
                .find(|u| &u.target == t)
                .map(|u| u.line)
        };
        assert_eq!(line_of(&field("Invoice__c", "Status__c")), Some(5));
        assert_eq!(
            line_of(&field("Invoice__c", "Customer__r.Credit__c")),
            Some(7)
        );
        assert_eq!(facts.declares[0].automates, None);
    }

    #[test]
    fn validation_rule_automates_its_object_and_reads_fields() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Amount_Positive</fullName>
    <active>true</active>
    <errorConditionFormula>AND(
    NOT($Setup.Bypass__c.Disable_Rules__c),
    Amount__c &lt; 0
)</errorConditionFormula>
    <errorMessage>Amount must be positive</errorMessage>
</ValidationRule>
"#;
        let id = ComponentId::new("ValidationRule", "Invoice__c.Amount_Positive");
        let facts = parse_validation_rule(&id, source);
        assert_eq!(facts.declares[0].automates.as_deref(), Some("Invoice__c"));
        assert_eq!(
            targets(facts.parsed_uses(), EdgeKind::Reads),
            vec![
                field("Bypass__c", "Disable_Rules__c"),
                field("Invoice__c", "Amount__c")
            ]
        );
        assert_eq!(facts.parsed_uses()[1].line, 7);
        // Switched off, it runs on no save; it still reads its fields.
        let off = parse_validation_rule(&id, &source.replace(">true<", ">false<"));
        assert_eq!(off.declares[0].automates, None);
        assert_eq!(targets(off.parsed_uses(), EdgeKind::Reads).len(), 2);
    }

    #[test]
    fn custom_metadata_record_belongs_to_its_type_and_names_a_handler() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <label>Invoice Validate</label>
    <protected>false</protected>
    <values>
        <field>Apex_Class_Name__c</field>
        <value xsi:type="xsd:string">TA_Invoice_Validate</value>
    </values>
    <values>
        <field>Description__c</field>
        <value xsi:type="xsd:string">Checks invoices before save</value>
    </values>
    <values>
        <field>Bypass_Execution__c</field>
        <value xsi:type="xsd:boolean">false</value>
    </values>
    <values>
        <field>Order__c</field>
        <value xsi:type="xsd:double">1.0</value>
    </values>
    <values>
        <field>Bypass_Permission__c</field>
        <value xsi:nil="true"/>
    </values>
</CustomMetadata>
"#;
        let id = ComponentId::new("CustomMetadata", "Trigger_Action.Invoice_Validate");
        let facts = parse_custom_metadata_record(&id, source);
        assert!(facts.problems.is_empty());
        assert_eq!(
            targets(facts.parsed_uses(), EdgeKind::RecordOf),
            vec![Target::SObject("Trigger_Action__mdt".into())]
        );
        assert_eq!(
            targets(facts.parsed_uses(), EdgeKind::StringRef),
            vec![Target::StringLiteral("TA_Invoice_Validate".into())]
        );
        let string_ref = facts
            .parsed_uses()
            .iter()
            .find(|u| u.kind == EdgeKind::StringRef);
        assert_eq!(string_ref.map(|u| u.line), Some(7));
    }

    #[test]
    fn custom_metadata_record_naming_a_class_and_an_object_registers_one_for_the_other() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <label>Order Audit</label>
    <values>
        <field>Handler_Class__c</field>
        <value xsi:type="xsd:string">OrderAuditHandler</value>
    </values>
    <values>
        <field>Object_Name__c</field>
        <value xsi:type="xsd:string">Order__c</value>
    </values>
</CustomMetadata>
"#;
        let id = ComponentId::new("CustomMetadata", "Handler.Order_Audit");
        let facts = parse_custom_metadata_record(&id, source);
        assert!(facts.parsed_uses().iter().any(|u| u.target
            == Target::Registration(vec!["OrderAuditHandler".into(), "Order__c".into()])));
    }

    #[test]
    fn object_and_generic_children_are_declared_without_automation() {
        let object = r#"<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <customSettingsType>Hierarchy</customSettingsType>
    <label>Bypass</label>
</CustomObject>"#;
        let id = ComponentId::new("CustomObject", "Bypass__c");
        let facts = parse_object(&id, object);
        assert_eq!(facts.declares.len(), 1);
        assert_eq!(facts.declares[0].automates, None);
        assert_eq!(facts.declares[0].lines, (1, 4));
        let rt = ComponentId::new("RecordType", "Invoice__c.Credit");
        let facts = parse_record_type(
            &rt,
            "<RecordType><active>true</active><label>Credit Note</label></RecordType>",
        );
        assert_eq!(facts.declares[0].id, rt);
        assert_eq!(facts.declares[0].alias.as_deref(), Some("Credit Note"));
        assert!(facts.parsed_uses().is_empty() && facts.problems.is_empty());
        let unlabelled = parse_record_type(&rt, "<RecordType><label> </label></RecordType>");
        assert_eq!(unlabelled.declares[0].alias, None);
    }

    #[test]
    fn malformed_field_is_a_problem_not_a_panic() {
        let id = ComponentId::new("CustomField", "Invoice__c.Broken__c");
        let facts = parse_field(
            &id,
            "<CustomField>\n<required>true</required>\n<type>Text</typ>",
        );
        assert_eq!(facts.problems.len(), 1);
        assert!(
            facts.problems[0].message.contains("line 3"),
            "{:?}",
            facts.problems
        );
        // What was read still counts.
        assert_eq!(facts.declares[0].automates.as_deref(), Some("Invoice__c"));
    }
}
