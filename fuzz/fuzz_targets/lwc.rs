//! LWC JavaScript, HTML templates and Jest tests.
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
});
