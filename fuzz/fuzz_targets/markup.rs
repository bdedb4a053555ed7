//! Aura component markup and Visualforce pages and components.
#![no_main]
use impact_fuzz::parse_deterministic;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    parse_deterministic(
        "AuraDefinitionBundle",
        "invoiceCard",
        "force-app/main/default/aura/invoiceCard/invoiceCard.cmp",
        data,
    );
    parse_deterministic(
        "ApexPage",
        "InvoicePage",
        "force-app/main/default/pages/InvoicePage.page",
        data,
    );
    parse_deterministic(
        "ApexComponent",
        "InvoiceHeader",
        "force-app/main/default/components/InvoiceHeader.component",
        data,
    );
});
