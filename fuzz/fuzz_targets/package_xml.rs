//! package.xml: reading never panics, and what is read survives a round trip through
//! the writer (out -> in gives the same components).
#![no_main]
use impact::metadata::component::ComponentId;
use impact::metadata::manifest::{parse_package_xml, write_package_xml};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("package.xml");
    let Ok(components) = parse_package_xml(text, path) else {
        return;
    };
    let written = write_package_xml(&components, "62.0");
    let again = parse_package_xml(&written, path).unwrap_or_else(|error| {
        panic!("the written manifest does not read back: {error}\n{written}")
    });
    // The writer drops Apex member nodes and sorts; the set of components is the same.
    let set = |list: &[ComponentId]| {
        let mut keys: Vec<String> = list
            .iter()
            .filter(|id| !id.is_member())
            .map(|id| id.key().to_string())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    };
    assert_eq!(
        set(&components),
        set(&again),
        "round trip changed the components\n{written}"
    );
    assert_eq!(
        write_package_xml(&again, "62.0"),
        written,
        "writing the read-back manifest gives other bytes"
    );
});
