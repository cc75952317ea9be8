//! Signed-note parsing: never panics; whatever parses formats to a note that
//! parses back the same (signature lines are re-encoded canonically).
#![no_main]

use accord_log::note::Note;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(note) = Note::parse(text) {
        assert_eq!(Note::parse(&note.to_string()).as_ref(), Ok(&note));
    }
});
