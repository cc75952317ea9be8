//! Checkpoint parsing: never panics; what parses round-trips exactly.
#![no_main]

use accord_log::checkpoint::Checkpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(c) = Checkpoint::parse(text) {
        assert_eq!(c.to_string(), text);
    }
});
