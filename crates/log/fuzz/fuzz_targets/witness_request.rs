//! tlog-witness add-checkpoint bodies: parsing never panics and round-trips.
#![no_main]

use accord_log::witness::AddCheckpointRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = AddCheckpointRequest::parse(data) {
        assert_eq!(r.to_string().as_bytes(), data);
    }
});
