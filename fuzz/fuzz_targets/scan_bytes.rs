//! Any bytes as a document: decoding, normalization and scanning never
//! panic; every span is on character boundaries, inside the text, and reads
//! back as a form of its entry; the offset map is monotone.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tifa::lexicon::Lexicon;
use tifa::scan::{Scanner, accepted, outermost, per_entry};
use tifa::text::{Decoded, decode, normalize};

fn fixture() -> &'static (Lexicon, Scanner) {
    static F: OnceLock<(Lexicon, Scanner)> = OnceLock::new();
    F.get_or_init(|| {
        let lexicon = Lexicon::embedded().expect("embedded lexicon");
        let scanner = Scanner::new(&lexicon).expect("scanner");
        (lexicon, scanner)
    })
}

fuzz_target!(|data: &[u8]| {
    let Decoded::Text(text, _) = decode(data) else {
        return;
    };
    let (lexicon, scanner) = fixture();
    let hits = scanner.hits(&text);
    for h in &hits {
        assert!(h.start < h.end && h.end <= text.len());
        assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
        let read = normalize(&text[h.start..h.end]).as_str().to_owned();
        let form = lexicon.entry(h.entry).form(h.kind, h.form);
        assert_eq!(read, normalize(form).as_str());
    }
    let spans = outermost(&hits, accepted);
    assert!(spans.windows(2).all(|w| w[0].end <= w[1].start));
    let _ = per_entry(&hits);
    let norm = normalize(&text);
    let n = norm.as_str();
    let mut last = 0;
    for (i, _) in n.char_indices() {
        let s = norm.start_to_original(i);
        assert!(s >= last && text.is_char_boundary(s));
        last = s;
    }
});
