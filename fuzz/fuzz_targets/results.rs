//! Every results reader: sf JSON (apex, logic, deploy) and JUnit XML, told by content.
#![no_main]
use impact::results::parse_results;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("results.json");
    let first = parse_results(path, data).map(|run| format!("{run:?}"));
    let second = parse_results(path, data).map(|run| format!("{run:?}"));
    match (first, second) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("two reads of the same results disagree"),
    }
});
