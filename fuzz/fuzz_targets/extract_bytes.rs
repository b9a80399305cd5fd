//! Any bytes as an HTML page or a Word document: extraction never panics,
//! and every offset of the extracted HTML text maps into the source, in
//! order, on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tifa::format::{docx, html};

fuzz_target!(|data: &[u8]| {
    let _ = docx::extract(data);
    let source = String::from_utf8_lossy(data);
    let e = html::extract(&source);
    let (mut last_a, mut last_b) = (0, 0);
    for (i, c) in e.text.char_indices() {
        let a = e.map.start_to_original(i);
        let b = e.map.end_to_original(i + c.len_utf8());
        assert!(a >= last_a && b >= last_b && a < b && b <= source.len());
        assert!(source.is_char_boundary(a) && source.is_char_boundary(b));
        (last_a, last_b) = (a, b);
    }
});
