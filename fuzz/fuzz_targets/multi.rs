//! Files holding many components: custom labels, workflows, sharing and matching rules.
#![no_main]
use impact_fuzz::parse_deterministic;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    parse_deterministic(
        "CustomLabels",
        "CustomLabels",
        "force-app/main/default/labels/CustomLabels.labels-meta.xml",
        data,
    );
    parse_deterministic(
        "Workflow",
        "Invoice__c",
        "force-app/main/default/workflows/Invoice__c.workflow-meta.xml",
        data,
    );
    parse_deterministic(
        "SharingRules",
        "Invoice__c",
        "force-app/main/default/sharingRules/Invoice__c.sharingRules-meta.xml",
        data,
    );
    parse_deterministic(
        "MatchingRules",
        "Invoice__c",
        "force-app/main/default/matchingRules/Invoice__c.matchingRule-meta.xml",
        data,
    );
});
