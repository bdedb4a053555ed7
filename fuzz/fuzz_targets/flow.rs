//! Flow, FlowTest and FlowDefinition XML.
#![no_main]
use impact_fuzz::parse_deterministic;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    parse_deterministic(
        "Flow",
        "Fuzz",
        "force-app/main/default/flows/Fuzz.flow-meta.xml",
        data,
    );
    parse_deterministic(
        "FlowTest",
        "Fuzz_Test",
        "force-app/main/default/flowtests/Fuzz_Test.flowtest-meta.xml",
        data,
    );
    parse_deterministic(
        "FlowDefinition",
        "Fuzz",
        "force-app/main/default/flowDefinitions/Fuzz.flowDefinition-meta.xml",
        data,
    );
});
