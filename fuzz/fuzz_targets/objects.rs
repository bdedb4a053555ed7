//! Object, field, validation rule, custom metadata record, duplicate rule and standard
//! value set XML (and an object child read by the generic object parser), and the
//! Agentforce configuration that lists parts: a topic and an agent bundle.
#![no_main]
use impact_fuzz::parse_deterministic;
use libfuzzer_sys::fuzz_target;

const OBJECT: &str = "force-app/main/default/objects/Invoice__c";

fuzz_target!(|data: &[u8]| {
    parse_deterministic(
        "CustomObject",
        "Invoice__c",
        &format!("{OBJECT}/Invoice__c.object-meta.xml"),
        data,
    );
    parse_deterministic(
        "CustomField",
        "Invoice__c.Total__c",
        &format!("{OBJECT}/fields/Total__c.field-meta.xml"),
        data,
    );
    parse_deterministic(
        "ValidationRule",
        "Invoice__c.Positive",
        &format!("{OBJECT}/validationRules/Positive.validationRule-meta.xml"),
        data,
    );
    parse_deterministic(
        "RecordType",
        "Invoice__c.Standard",
        &format!("{OBJECT}/recordTypes/Standard.recordType-meta.xml"),
        data,
    );
    parse_deterministic(
        "CustomMetadata",
        "Setting.Default",
        "force-app/main/default/customMetadata/Setting.Default.md-meta.xml",
        data,
    );
    parse_deterministic(
        "DuplicateRule",
        "Invoice__c.No_Twins",
        "force-app/main/default/duplicateRules/Invoice__c.No_Twins.duplicateRule-meta.xml",
        data,
    );
    parse_deterministic(
        "StandardValueSet",
        "LeadSource",
        "force-app/main/default/standardValueSets/LeadSource.standardValueSet-meta.xml",
        data,
    );
    parse_deterministic(
        "GenAiPlugin",
        "Support",
        "force-app/main/default/genAiPlugins/Support.genAiPlugin-meta.xml",
        data,
    );
    parse_deterministic(
        "GenAiPlannerBundle",
        "Employee_Agent",
        "force-app/main/default/genAiPlannerBundles/Employee_Agent/Employee_Agent.genAiPlannerBundle",
        data,
    );
});
