//! Apex facts: the bytes as a class and as a trigger.
#![no_main]
use impact_fuzz::parse_deterministic;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    parse_deterministic(
        "ApexClass",
        "Fuzz",
        "force-app/main/default/classes/Fuzz.cls",
        data,
    );
    parse_deterministic(
        "ApexTrigger",
        "FuzzTrigger",
        "force-app/main/default/triggers/FuzzTrigger.trigger",
        data,
    );
});
