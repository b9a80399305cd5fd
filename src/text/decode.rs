//! Bytes → text: BOM, UTF-8, UTF-16, GB18030/GBK; binary detection.
//!
//! Never panics on any bytes. Offsets reported later refer to the decoded
//! text (UTF-8, without a byte order mark), not to the bytes on disk.

use std::fmt;
use std::io::Read;

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
    /// Binary data (a NUL byte near the start and no UTF-16 BOM).
    Binary,
    /// Text in the encoding its byte order mark names, with the units that
    /// are not valid in it (a lone surrogate, a broken sequence) replaced
    /// by U+FFFD.
    Replaced(String, Encoding),
    /// Bytes that are neither UTF-8, UTF-16 with BOM, nor GB18030.
    Undecodable,
}

/// How many leading bytes are looked at for a NUL byte.
const BINARY_SNIFF: usize = 8 * 1024;

/// Decodes `bytes` (which may then be reused: a reader keeps one buffer
/// for all its files, warm in the cache).
pub fn decode(bytes: &[u8]) -> Decoded {
    // A byte order mark settles the encoding: bad units in it are
    // replaced, the rest is read as that encoding (as the streaming
    // decoder does).
    for (bom, enc, encoding) in [
        (&b"\xEF\xBB\xBF"[..], encoding_rs::UTF_8, Encoding::Utf8Bom),
        (b"\xFF\xFE", encoding_rs::UTF_16LE, Encoding::Utf16Le),
        (b"\xFE\xFF", encoding_rs::UTF_16BE, Encoding::Utf16Be),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return match enc.decode_without_bom_handling_and_without_replacement(rest) {
                Some(s) => Decoded::Text(s.into_owned(), encoding),
                None => Decoded::Replaced(
                    enc.decode_without_bom_handling(rest).0.into_owned(),
                    encoding,
                ),
            };
        }
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF)]).is_some() {
        return Decoded::Binary;
    }
    // simdutf8 validates several times faster than the standard library on
    // CJK text; the copy it costs is a memcpy.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Decoded::Text(s.to_owned(), Encoding::Utf8),
        Err(_) => {
            match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(s) => Decoded::Text(s.into_owned(), Encoding::Gb18030),
                None => Decoded::Undecodable,
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

/// Decodes a byte stream piece by piece, for files larger than memory.
///
/// The encoding is settled from the first piece: a byte order mark, the
/// encoding forced by the user, valid UTF-8, valid GB18030, or else UTF-8
/// with invalid bytes replaced (and [`StreamDecoder::replaced`] set). A
/// later piece that is not valid in a settled encoding is an error.
pub struct StreamDecoder<R> {
    reader: R,
    decoder: encoding_rs::Decoder,
    encoding: Encoding,
    lossy: bool,
    /// Invalid bytes in a later piece of sniffed UTF-8 are replaced (as a
    /// whole file's would be) rather than ending the stream.
    may_turn_lossy: bool,
    pending: Vec<u8>,
    eof: bool,
    /// Bytes decoded so far, for error messages.
    consumed: u64,
    piece: usize,
    replaced: bool,
}

/// What the first piece of a stream turned out to be.
pub enum Sniffed<R> {
    /// Text, to be decoded piece by piece.
    Text(StreamDecoder<R>),
    /// Binary (a NUL byte in the first 8 KiB, no BOM); the encoding it
    /// looks like, when it looks like UTF-16 without a BOM.
    Binary(Option<Encoding>),
}

/// The UTF-16 that binary-looking bytes (NUL bytes, no BOM) look like: text
/// with ASCII in it has a NUL in every other byte, on the odd offsets for
/// little-endian, on the even ones for big-endian.
pub fn utf16_without_bom(bytes: &[u8]) -> Option<Encoding> {
    let head = &bytes[..bytes.len().min(BINARY_SNIFF) & !1];
    if head.len() < 4 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let pairs = head.len() / 2;
    // Most pairs have their NUL on one side, almost none on the other.
    if odd * 4 >= pairs && even * 5 <= odd {
        Some(Encoding::Utf16Le)
    } else if even * 4 >= pairs && odd * 5 <= even {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

impl<R: Read> StreamDecoder<R> {
    /// Reads the first piece and settles the encoding.
    ///
    /// # Errors
    ///
    /// Reading fails.
    pub fn sniff(
        mut reader: R,
        forced: Option<Encoding>,
        binary_as_text: bool,
        piece: usize,
    ) -> std::io::Result<Sniffed<R>> {
        let mut first = Vec::with_capacity(piece.min(1 << 20));
        (&mut reader).take(piece as u64).read_to_end(&mut first)?;
        let eof = first.len() < piece;
        let (encoding, bom_len) = if first.starts_with(b"\xEF\xBB\xBF") {
            (Encoding::Utf8Bom, 3)
        } else if first.starts_with(b"\xFF\xFE") {
            (Encoding::Utf16Le, 2)
        } else if first.starts_with(b"\xFE\xFF") {
            (Encoding::Utf16Be, 2)
        } else if let Some(enc) = forced {
            (enc, 0)
        } else if !binary_as_text
            && memchr::memchr(0, &first[..first.len().min(BINARY_SNIFF)]).is_some()
        {
            return Ok(Sniffed::Binary(utf16_without_bom(&first)));
        } else if valid_utf8_prefix(&first) {
            (Encoding::Utf8, 0)
        } else if gb18030_prefix(&first) {
            (Encoding::Gb18030, 0)
        } else {
            return Ok(Sniffed::Text(StreamDecoder::new(
                reader,
                first,
                Encoding::Utf8,
                true,
                piece,
                eof,
            )));
        };
        first.drain(..bom_len);
        let mut d = StreamDecoder::new(reader, first, encoding, false, piece, eof);
        // Without --encoding, bad bytes are replaced rather than fatal: in
        // UTF-8, and in any encoding a byte order mark settled (as the
        // whole-file decoder does).
        d.may_turn_lossy = forced.is_none() || bom_len > 0;
        Ok(Sniffed::Text(d))
    }

    fn new(
        reader: R,
        first: Vec<u8>,
        encoding: Encoding,
        lossy: bool,
        piece: usize,
        eof: bool,
    ) -> Self {
        let enc = match encoding {
            Encoding::Utf8 | Encoding::Utf8Bom => encoding_rs::UTF_8,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Gb18030 => encoding_rs::GB18030,
        };
        StreamDecoder {
            reader,
            decoder: enc.new_decoder_without_bom_handling(),
            encoding,
            lossy,
            may_turn_lossy: false,
            eof,
            pending: first,
            consumed: 0,
            piece,
            replaced: false,
        }
    }

    /// The encoding settled on.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// True when invalid bytes were replaced by U+FFFD.
    pub fn replaced(&self) -> bool {
        self.replaced
    }

    /// The next decoded piece; `None` at the end.
    ///
    /// # Errors
    ///
    /// Reading fails, or the bytes are not valid in the settled encoding.
    pub fn next_piece(&mut self) -> std::io::Result<Option<String>> {
        let mut out = String::new();
        Ok(self.next_piece_into(&mut out)?.then_some(out))
    }

    /// Appends the next decoded piece to `out`; false at the end. The read
    /// buffer is reused from piece to piece.
    ///
    /// # Errors
    ///
    /// Reading fails, or the bytes are not valid in the settled encoding.
    pub fn next_piece_into(&mut self, out: &mut String) -> std::io::Result<bool> {
        if self.pending.is_empty() {
            if self.eof {
                return Ok(false);
            }
            let read = (&mut self.reader)
                .take(self.piece as u64)
                .read_to_end(&mut self.pending)?;
            if read < self.piece {
                self.eof = true;
            }
        }
        let last = self.eof;
        let bytes = &self.pending;
        out.reserve(
            self.decoder
                .max_utf8_buffer_length(bytes.len())
                .unwrap_or(bytes.len() * 3 + 8),
        );
        if self.lossy {
            let (_, _, replaced) = self.decoder.decode_to_string(bytes, out, last);
            self.replaced |= replaced;
        } else {
            let (result, read) = self
                .decoder
                .decode_to_string_without_replacement(bytes, out, last);
            if let encoding_rs::DecoderResult::Malformed(_, _) = result {
                if !self.may_turn_lossy {
                    let at = self.consumed + read as u64;
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("not valid {} near byte {at}", self.encoding),
                    ));
                }
                // The malformed sequence is consumed: replace it, and the
                // rest of the stream from here on.
                out.push('\u{FFFD}');
                self.lossy = true;
                self.replaced = true;
                let mut rest = bytes.get(read..).unwrap_or_default();
                loop {
                    out.reserve(
                        self.decoder
                            .max_utf8_buffer_length(rest.len())
                            .unwrap_or(rest.len() * 3 + 8),
                    );
                    let (result, read, _) = self.decoder.decode_to_string(rest, out, last);
                    rest = rest.get(read..).unwrap_or_default();
                    if result == encoding_rs::CoderResult::InputEmpty {
                        break;
                    }
                }
            }
        }
        self.consumed += bytes.len() as u64;
        self.pending.clear();
        Ok(true)
    }
}

/// True when `bytes` is valid UTF-8, but for a sequence cut at the end.
fn valid_utf8_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// True when `bytes` is valid GB18030, but for a sequence cut at the end.
fn gb18030_prefix(bytes: &[u8]) -> bool {
    let mut out = String::with_capacity(bytes.len() * 3 / 2 + 4);
    let (result, _) = encoding_rs::GB18030
        .new_decoder_without_bom_handling()
        .decode_to_string_without_replacement(bytes, &mut out, false);
    !matches!(result, encoding_rs::DecoderResult::Malformed(_, _))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> (String, Encoding) {
        match decode(bytes) {
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
    fn streams_in_pieces() {
        let text = "第一段两队一室。\n".repeat(50);
        for (bytes, enc) in [
            (text.as_bytes().to_vec(), Encoding::Utf8),
            (
                encoding_rs::GB18030.encode(&text).0.into_owned(),
                Encoding::Gb18030,
            ),
            (
                std::iter::once(0xFEFFu16)
                    .chain(text.encode_utf16())
                    .flat_map(u16::to_le_bytes)
                    .collect(),
                Encoding::Utf16Le,
            ),
        ] {
            for piece in [1, 2, 3, 7, 64, 100_000] {
                let Ok(Sniffed::Text(mut d)) = StreamDecoder::sniff(&bytes[..], None, false, piece)
                else {
                    panic!("not text");
                };
                let mut got = String::new();
                while let Some(p) = d.next_piece().unwrap() {
                    got.push_str(&p);
                }
                if piece >= 64 {
                    assert_eq!(d.encoding(), enc, "piece {piece}");
                }
                if d.encoding() == enc {
                    assert_eq!(got, text, "{enc} in pieces of {piece}");
                }
            }
        }
    }

    /// Sniffed UTF-8 with an invalid byte in a later piece is read on, the
    /// byte replaced, as a whole file would be; a forced encoding is strict.
    #[test]
    fn invalid_bytes_after_the_first_piece() {
        let mut bytes = "两队一室。".repeat(10).into_bytes();
        bytes.extend(b"\xFF\xFE");
        bytes.extend("两队一室".as_bytes());
        let read = |forced| {
            let Ok(Sniffed::Text(mut d)) = StreamDecoder::sniff(&bytes[..], forced, false, 16)
            else {
                panic!("not text");
            };
            let mut got = String::new();
            loop {
                match d.next_piece_into(&mut got) {
                    Ok(true) => {}
                    Ok(false) => return Ok((got, d.replaced())),
                    Err(e) => return Err(e.to_string()),
                }
            }
        };
        let (got, replaced) = read(None).unwrap();
        assert_eq!(
            got,
            format!("{}\u{FFFD}\u{FFFD}两队一室", "两队一室。".repeat(10))
        );
        assert!(replaced);
        assert_eq!(
            read(Some(Encoding::Utf8)).unwrap_err(),
            "not valid UTF-8 near byte 151"
        );
    }

    #[test]
    fn binary_and_garbage() {
        assert!(matches!(decode(b"PK\x03\x04\x00\x00"), Decoded::Binary));
        // A byte order mark settles the encoding; a bad unit is replaced.
        assert_eq!(
            decode(b"\xEF\xBB\xBF\xFF"),
            Decoded::Replaced("\u{FFFD}".into(), Encoding::Utf8Bom)
        );
        assert_eq!(
            decode(b"\xFF\xFE\x24\x4E\x00\xD8\x1F\x96"),
            Decoded::Replaced("两\u{FFFD}队".into(), Encoding::Utf16Le)
        );
        assert!(matches!(decode(b"\x81\x30\xFF"), Decoded::Undecodable));
        assert_eq!(decode(&[]), Decoded::Text(String::new(), Encoding::Utf8));
    }
}
