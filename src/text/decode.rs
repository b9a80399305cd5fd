//! Bytes → text: BOM, UTF-8, UTF-16, GB18030/GBK; binary detection.
//!
//! Never panics on any bytes. Offsets reported later refer to the decoded
//! text (UTF-8, without a byte order mark), not to the bytes on disk.

use std::fmt;

/// The encoding a text was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte order mark.
    Utf8,
    /// UTF-8 with a byte order mark.
    Utf8Bom,
    /// UTF-16, little endian, with a byte order mark.
    Utf16Le,
    /// UTF-16, big endian, with a byte order mark.
    Utf16Be,
    /// GB18030, a superset of GBK and GB2312.
    Gb18030,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Gb18030 => "GB18030",
        })
    }
}

/// What a file's bytes turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// Text, and the encoding it was read from.
    Text(String, Encoding),
    /// Binary data (a NUL byte near the start and no UTF-16 BOM); the bytes
    /// are given back.
    Binary(Vec<u8>),
    /// Bytes that are neither UTF-8, UTF-16 with BOM, nor GB18030; given
    /// back.
    Undecodable(Vec<u8>),
}

/// How many leading bytes are looked at for a NUL byte.
const BINARY_SNIFF: usize = 8 * 1024;

/// Decodes `bytes`, taking ownership to avoid a copy for UTF-8.
pub fn decode(bytes: Vec<u8>) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(s) => Decoded::Text(s.to_owned(), Encoding::Utf8Bom),
            Err(_) => Decoded::Undecodable(bytes),
        };
    }
    for (bom, enc, encoding) in [
        (b"\xFF\xFE", encoding_rs::UTF_16LE, Encoding::Utf16Le),
        (b"\xFE\xFF", encoding_rs::UTF_16BE, Encoding::Utf16Be),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return match enc.decode_without_bom_handling_and_without_replacement(rest) {
                Some(s) => Decoded::Text(s.into_owned(), encoding),
                None => Decoded::Undecodable(bytes),
            };
        }
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF)]).is_some() {
        return Decoded::Binary(bytes);
    }
    match String::from_utf8(bytes) {
        Ok(s) => Decoded::Text(s, Encoding::Utf8),
        Err(e) => {
            let bytes = e.into_bytes();
            match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(&bytes) {
                Some(s) => Decoded::Text(s.into_owned(), Encoding::Gb18030),
                None => Decoded::Undecodable(bytes),
            }
        }
    }
}

/// Decodes `bytes` as `encoding` (a byte order mark, when present, is
/// skipped); `None` when they are not valid in it.
pub fn decode_as(bytes: &[u8], encoding: Encoding) -> Option<String> {
    let (enc, bom): (&'static encoding_rs::Encoding, &[u8]) = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => (encoding_rs::UTF_8, b"\xEF\xBB\xBF"),
        Encoding::Utf16Le => (encoding_rs::UTF_16LE, b"\xFF\xFE"),
        Encoding::Utf16Be => (encoding_rs::UTF_16BE, b"\xFE\xFF"),
        Encoding::Gb18030 => (encoding_rs::GB18030, b""),
    };
    let body = if bom.is_empty() {
        bytes
    } else {
        bytes.strip_prefix(bom).unwrap_or(bytes)
    };
    enc.decode_without_bom_handling_and_without_replacement(body)
        .map(std::borrow::Cow::into_owned)
}

impl std::str::FromStr for Encoding {
    type Err = String;

    /// `utf-8`, `utf-16le`, `utf-16be`, `gb18030` (also `gbk`, `gb2312`).
    fn from_str(s: &str) -> Result<Encoding, String> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "utf-16le" | "utf16le" | "utf-16" => Ok(Encoding::Utf16Le),
            "utf-16be" | "utf16be" => Ok(Encoding::Utf16Be),
            "gb18030" | "gbk" | "gb2312" | "cp936" => Ok(Encoding::Gb18030),
            other => Err(format!(
                "unknown encoding `{other}` (use utf-8, utf-16le, utf-16be or gb18030)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> (String, Encoding) {
        match decode(bytes.to_vec()) {
            Decoded::Text(s, e) => (s, e),
            other => panic!("not text: {other:?}"),
        }
    }

    #[test]
    fn encodings() {
        assert_eq!(
            text("两队一室".as_bytes()),
            ("两队一室".into(), Encoding::Utf8)
        );
        assert_eq!(
            text(b"\xEF\xBB\xBF\xE4\xB8\xA4"),
            ("两".into(), Encoding::Utf8Bom)
        );
        assert_eq!(text(b"\xFF\xFE\x24\x4E"), ("两".into(), Encoding::Utf16Le));
        assert_eq!(text(b"\xFE\xFF\x4E\x24"), ("两".into(), Encoding::Utf16Be));
        // 两队一室 in GBK.
        assert_eq!(
            text(b"\xC1\xBD\xB6\xD3\xD2\xBB\xCA\xD2"),
            ("两队一室".into(), Encoding::Gb18030)
        );
    }

    #[test]
    fn binary_and_garbage() {
        assert!(matches!(
            decode(b"PK\x03\x04\x00\x00".to_vec()),
            Decoded::Binary(_)
        ));
        assert!(matches!(
            decode(b"\xEF\xBB\xBF\xFF".to_vec()),
            Decoded::Undecodable(_)
        ));
        assert!(matches!(
            decode(b"\x81\x30\xFF".to_vec()),
            Decoded::Undecodable(_)
        ));
        assert_eq!(
            decode(Vec::new()),
            Decoded::Text(String::new(), Encoding::Utf8)
        );
    }
}
