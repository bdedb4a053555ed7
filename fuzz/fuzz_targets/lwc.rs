//! LWC JavaScript, HTML templates, Jest tests and Jest's configuration.
#![no_main]
use impact_fuzz::parse_deterministic;
use libfuzzer_sys::fuzz_target;

const BUNDLE: &str = "force-app/main/default/lwc/invoiceList";

fuzz_target!(|data: &[u8]| {
    parse_deterministic(
        "LightningComponentBundle",
        "invoiceList",
        &format!("{BUNDLE}/invoiceList.js"),
        data,
    );
    parse_deterministic(
        "LightningComponentBundle",
        "invoiceList",
        &format!("{BUNDLE}/invoiceList.html"),
        data,
    );
    parse_deterministic(
        "LwcJestTest",
        "invoiceList.test",
        &format!("{BUNDLE}/__tests__/invoiceList.test.js"),
        data,
    );
    // Jest's configuration: the paths it names depend on its bytes alone, and none
    // climbs out of the project's folder.
    let text = String::from_utf8_lossy(data);
    let paths = impact::parse::lwc::jest_config_paths(&text);
    assert_eq!(paths, impact::parse::lwc::jest_config_paths(&text));
    assert!(paths
        .iter()
        .all(|path| !path.is_empty() && !path.split('/').any(|part| part == "..")));
});
