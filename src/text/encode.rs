//! Text → bytes in the encoding a file was read from, for `check --fix`.

use super::Encoding;

/// Encodes `text` as `encoding`, with the byte order mark the file had.
/// GB18030 and UTF-16 can encode every character, so nothing is lost.
pub fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Encoding::Utf16Le => std::iter::once(0xFEFF)
            .chain(text.encode_utf16())
            .flat_map(u16::to_le_bytes)
            .collect(),
        Encoding::Utf16Be => std::iter::once(0xFEFF)
            .chain(text.encode_utf16())
            .flat_map(u16::to_be_bytes)
            .collect(),
        Encoding::Gb18030 => encoding_rs::GB18030.encode(text).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Decoded, decode};

    #[test]
    fn round_trips() {
        let text = "两队一室\r\n专业+机制+大数据 ✓\n";
        for enc in [
            Encoding::Utf8,
            Encoding::Utf8Bom,
            Encoding::Utf16Le,
            Encoding::Utf16Be,
            Encoding::Gb18030,
        ] {
            assert_eq!(
                decode(&encode(text, enc)),
                Decoded::Text(text.to_owned(), enc),
                "{enc}"
            );
        }
    }
}
