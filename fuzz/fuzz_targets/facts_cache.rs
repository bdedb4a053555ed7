//! The facts cache decoder: any bytes decode without a panic, the uses of the records it
//! keeps read back or are `None` without a panic, and the records encode back to bytes
//! that decode to the same records.
#![no_main]
use impact::cache::{decode, encode_record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decoded = decode(data);
    let mut bytes = Vec::new();
    for record in &decoded.records {
        let _ = record.1.uses();
        bytes.extend(encode_record(record).expect("a decoded record encodes"));
    }
    let again = decode(&bytes);
    assert!(
        !again.is_damaged(),
        "re-encoded records do not decode cleanly"
    );
    assert_eq!(decoded.records, again.records);
});
