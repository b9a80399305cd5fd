//! HTML → the text a reader sees, with a map back to the HTML source.
//!
//! Tags are removed: inline tags vanish, so `推进<b>两队</b>一室` reads
//! `推进两队一室`; `<br>` is a line break, which the scanner reads through
//! like a hard wrap; the start and end of a block (paragraph, heading, list
//! item, table cell …) become a line break followed by U+200B ZERO WIDTH
//! SPACE, which is neither whitespace nor CJK, so no term is found across
//! two paragraphs or two table cells. Entities are decoded
//! (`&amp;`, `&ldquo;`, `&#x4E24;`), comments and the contents of
//! `<script>`, `<style>` and `<template>` are skipped. Every offset of the
//! text maps back to the HTML source, so positions are reported in the
//! source. A tokenizer for text extraction, not a validating parser: it
//! never fails, whatever the input.

use crate::text::offsets::OffsetMap;
use crate::text::{Markup, Source};

/// Text extracted from markup, and the map back to the markup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// What a reader sees.
    pub text: String,
    /// Offsets of `text` → offsets of the source.
    pub map: OffsetMap,
}

/// A source made of HTML `source` named `path`: the text a reader sees,
/// with positions reported in the HTML.
pub fn source(path: &str, source: String) -> Source {
    let extracted = extract(&source);
    Source {
        text: extracted.text,
        format: crate::format::Format::Html,
        markup: Some(Markup {
            source,
            map: extracted.map,
        }),
        ..Source::plain(path, String::new())
    }
}

/// Elements whose start or end begins a new line of text.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "title",
    "tr",
    "ul",
];

/// What the start or end of a block becomes: a line, and a boundary no term
/// crosses.
const BLOCK_BREAK: &str = "\n\u{200B}";

/// Elements whose contents are not text.
const RAW: &[&str] = &["script", "style", "template"];

/// Extracts the text of an HTML document.
pub fn extract(html: &str) -> Extracted {
    let mut out = Extracted::default();
    let bytes = html.as_bytes();
    let mut at = 0;
    // Start of the pending run of copied source text.
    let mut copy_from = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'<' => {
                let Some((end, name, closing)) = tag(html, at) else {
                    at += 1;
                    continue;
                };
                flush(html, &mut out, copy_from, at);
                let mut skip_to = end;
                if !closing && RAW.contains(&name.as_str()) {
                    let close = format!("</{name}");
                    skip_to = find_ci(html, end, &close)
                        .and_then(|c| html[c..].find('>').map(|g| c + g + 1))
                        .unwrap_or(html.len());
                }
                let replacement = match name.as_str() {
                    "br" => "\n",
                    n if BLOCK.contains(&n) => BLOCK_BREAK,
                    _ => "",
                };
                out.map
                    .push(out.text.len(), at, replacement.len(), skip_to - at);
                out.text.push_str(replacement);
                at = skip_to;
                copy_from = at;
            }
            b'&' => match entity(html, at) {
                Some((end, decoded)) => {
                    flush(html, &mut out, copy_from, at);
                    out.map.push(out.text.len(), at, decoded.len(), end - at);
                    out.text.push_str(&decoded);
                    at = end;
                    copy_from = at;
                }
                None => at += 1,
            },
            _ => at += 1,
        }
    }
    flush(html, &mut out, copy_from, html.len());
    out
}

/// Copies the source text `from..to` unchanged.
fn flush(html: &str, out: &mut Extracted, from: usize, to: usize) {
    if let Some(s) = html.get(from..to) {
        out.text.push_str(s);
    }
}

/// The tag starting at `at` (a `<`): its end (after `>`), its lowercase
/// name (`!--` for comments, `!` for doctypes) and whether it closes.
fn tag(html: &str, at: usize) -> Option<(usize, String, bool)> {
    let rest = html.get(at + 1..)?;
    if rest.starts_with("!--") {
        let end = rest.find("-->").map_or(html.len(), |e| at + 1 + e + 3);
        return Some((end, "!--".into(), false));
    }
    let closing = rest.starts_with('/');
    let name_start = usize::from(closing);
    let name: String = rest[name_start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '?')
        .collect::<String>()
        .to_ascii_lowercase();
    if name.is_empty() {
        // `<` followed by anything else is text (`a < b`).
        return None;
    }
    // Find the closing `>`, skipping quoted attribute values.
    let mut quote: Option<u8> = None;
    for (i, &b) in rest
        .as_bytes()
        .iter()
        .enumerate()
        .skip(name_start + name.len())
    {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some((at + 1 + i + 1, name, closing)),
            _ => {}
        }
    }
    Some((html.len(), name, closing))
}

/// The entity starting at `at` (a `&`): its end (after `;`) and its text.
fn entity(html: &str, at: usize) -> Option<(usize, String)> {
    let rest = html.get(at + 1..)?;
    let semi = rest.bytes().take(32).position(|b| b == b';')?;
    let body = &rest[..semi];
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#') {
        return None;
    }
    let candidate = &html[at..at + semi + 2];
    let decoded = html_escape::decode_html_entities(candidate);
    (decoded != candidate).then(|| (at + candidate.len(), decoded.into_owned()))
}

/// The byte offset of `needle` in `html` from `from`, ignoring ASCII case.
fn find_ci(html: &str, from: usize, needle: &str) -> Option<usize> {
    let hay = html.get(from..)?.as_bytes();
    let n = needle.as_bytes();
    hay.windows(n.len())
        .position(|w| w.eq_ignore_ascii_case(n))
        .map(|i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        extract(html).text
    }

    #[test]
    fn table() {
        let cases = [
            ("推进<b>两队</b>一室", "推进两队一室"),
            (
                "<p>两队</p><p>一室</p>",
                "\n\u{200B}两队\n\u{200B}\n\u{200B}一室\n\u{200B}",
            ),
            ("两队<br>一室", "两队\n一室"),
            (
                "a &amp; b &lt;c&gt; &ldquo;两队一室&rdquo;",
                "a & b <c> “两队一室”",
            ),
            ("&#x4E24;&#38431;一室", "两队一室"),
            ("<script>var s = '<b>两队一室</b>';</script>正文", "正文"),
            ("<STYLE>p{}</STYLE>正文", "正文"),
            ("<!-- 两队一室 -->正文", "正文"),
            ("<a title=\"x>y\">链接</a>", "链接"),
            ("a < b && c", "a < b && c"),
            ("&notanentity; &amp", "&notanentity; &amp"),
            ("<img src=x onerror=alert(1)>图", "图"),
            ("<p>未闭合", "\n\u{200B}未闭合"),
            ("<script>没有结束", ""),
        ];
        for (html, want) in cases {
            assert_eq!(text(html), want, "{html}");
        }
    }

    #[test]
    fn maps_back_to_the_source() {
        let html = "<p>推进<b>两队</b>一室，&ldquo;专业&#43;机制&rdquo;</p>";
        let e = extract(html);
        let at = e.text.find("两队一室").unwrap();
        let (a, b) = (
            e.map.start_to_original(at),
            e.map.end_to_original(at + "两队一室".len()),
        );
        assert_eq!(&html[a..b], "两队</b>一室");
        let at = e.text.find("专业+机制").unwrap();
        let (a, b) = (
            e.map.start_to_original(at),
            e.map.end_to_original(at + "专业+机制".len()),
        );
        assert_eq!(&html[a..b], "专业&#43;机制");
    }
}
