//! tlog-proof bundles and tile paths: parsing never panics and round-trips;
//! verification of whatever parses never panics.
#![no_main]

use accord_log::TlogProof;
use accord_log::hash::Hash;
use accord_log::proof::{verify_consistency, verify_inclusion};
use accord_log::tile::TilePath;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = TlogProof::parse(text) {
        assert_eq!(TlogProof::parse(&p.to_string()).as_ref(), Ok(&p));
        let size = p.index.saturating_add(data.len() as u64);
        let _ = verify_inclusion(p.index, size, &Hash::default(), &p.proof, &[0; 32]);
        let _ = verify_consistency(p.index, size, &p.proof, &[1; 32], &[2; 32]);
    }
    if let Ok(t) = TilePath::parse(text) {
        assert_eq!(t.to_string(), text);
    }
});
