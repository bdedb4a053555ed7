//! impact.toml: the selection settings ([`Config`]) and the release gate's
//! ([`GatePolicy`]), both read from the same file.
#![no_main]
use impact::config::{Config, GatePolicy};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("impact.toml");
    let config = || Config::parse(path, text).map(|config| format!("{config:?}"));
    same(config(), config());
    let gate = || GatePolicy::parse(path, text).map(|policy| format!("{policy:?}"));
    same(gate(), gate());
});

/// Two reads of the same text agree, in success and in failure.
fn same(first: impact::error::Result<String>, second: impact::error::Result<String>) {
    match (first, second) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("two reads of the same impact.toml disagree"),
    }
}
