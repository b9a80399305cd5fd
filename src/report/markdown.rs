//! Markdown: the glossary (`lexicon export --format markdown`) and an
//! annotated text with footnotes (`annotate --format markdown`).
//!
//! Lexicon text is escaped so that it always reads as plain text; the
//! annotated document itself is written as it is, since it is usually
//! Markdown already.

use std::io::{self, Write};

use crate::annotate::Annotation;
use crate::lexicon::{Entry, Lexicon};
use crate::lookup::{self, Found};

/// Escapes `s` for use as inline Markdown text: characters with a meaning
/// in Markdown get a backslash, line breaks become spaces, and a leading
/// character that would start a list, a heading or a quote is escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '&' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    if out.starts_with(['+', '-', '=']) {
        out.insert(0, '\\');
    }
    // `1. ` or `1) ` at the start would begin an ordered list.
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && out[digits..].starts_with(['.', ')']) {
        out.insert(digits, '\\');
    }
    out
}

/// The whole lexicon as a glossary, grouped by category (in
/// [`lookup::categories`] order): each entry with its definition, parts,
/// variants, wrong and outdated forms, English, sources and links to
/// related entries.
pub fn glossary(out: &mut dyn Write, lexicon: &Lexicon) -> io::Result<()> {
    let categories = lookup::categories(lexicon);
    writeln!(out, "# 提法词表\n")?;
    writeln!(
        out,
        "{} 条，{} 类：{}。\n",
        lexicon.len(),
        categories.len(),
        categories
            .iter()
            .map(|(c, n)| format!("{}（{n}）", escape(c)))
            .collect::<Vec<_>>()
            .join("、")
    )?;
    let found: Vec<Found> = lookup::list(lexicon, None);
    let mut category: Option<&str> = None;
    for f in &found {
        let e = lexicon.entry(f.entry);
        if category != Some(e.category.as_str()) {
            writeln!(out, "## {}\n", escape(&e.category))?;
            category = Some(&e.category);
        }
        entry(out, lexicon, e)?;
    }
    Ok(())
}

/// One entry: an anchor, a heading, the definition and a list of fields.
fn entry(out: &mut dyn Write, lexicon: &Lexicon, e: &Entry) -> io::Result<()> {
    writeln!(out, "<a id=\"{}\"></a>\n", anchor(&e.id))?;
    writeln!(out, "### {}\n", escape(&e.term))?;
    entry_body(out, e, &|id| link(lexicon, id))?;
    writeln!(out)
}

/// The definition of an entry and the list of its fields (id, parts,
/// variants, wrong and outdated forms, English, sources, related entries,
/// replacement); `related` writes a related entry given its id.
pub fn entry_body(
    out: &mut dyn Write,
    e: &Entry,
    related: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    writeln!(out, "{}\n", escape(&e.definition))?;
    let list = |v: &[String]| v.iter().map(|s| escape(s)).collect::<Vec<_>>().join("、");
    writeln!(out, "- 编号：`{}`", e.id.replace('`', ""))?;
    if !e.components.is_empty() {
        writeln!(out, "- 组成：{}", list(&e.components))?;
    }
    if !e.variants.is_empty() {
        writeln!(out, "- 变体：{}", list(&e.variants))?;
    }
    for (name, forms) in [("误写", &e.wrong), ("旧称", &e.outdated)] {
        if forms.is_empty() {
            continue;
        }
        let forms: Vec<String> = forms
            .iter()
            .map(|f| match &f.note {
                Some(n) => format!("{}（{}）", escape(&f.form), escape(n)),
                None => escape(&f.form),
            })
            .collect();
        writeln!(out, "- {name}：{}", forms.join("；"))?;
    }
    if let Some(en) = &e.en {
        writeln!(out, "- 英文：{}", escape(en))?;
    }
    if let Some(note) = &e.en_note {
        writeln!(out, "- 英注：{}", escape(note))?;
    }
    if let Some(notes) = &e.notes {
        writeln!(out, "- 说明：{}", escape(notes))?;
    }
    if !e.sources.is_empty() {
        let sources: Vec<String> = e.sources.iter().map(|s| escape(s)).collect();
        writeln!(out, "- 出处：{}", sources.join("；"))?;
    }
    if !e.related.is_empty() {
        let links: Vec<String> = e.related.iter().map(|id| related(id)).collect();
        writeln!(out, "- 相关：{}", links.join("、"))?;
    }
    if let Some(by) = &e.superseded_by {
        writeln!(out, "- 已由 {} 取代", related(by))?;
    }
    Ok(())
}

/// `[term](#id)` for an entry of the lexicon, the id alone otherwise.
fn link(lexicon: &Lexicon, id: &str) -> String {
    match lexicon.get(id) {
        Some(r) => format!("[{}](#{})", escape(&r.term), anchor(id)),
        None => escape(id),
    }
}

/// An id as an HTML anchor: only ASCII letters, digits, `-`, `_`, `.`.
fn anchor(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

/// The text with each span marked (bold when it lies on one line) and
/// followed by a footnote reference `[^n]`; the footnotes, one per entry
/// (repeated terms reuse theirs), carry the definition, parts and English.
pub fn annotate(
    out: &mut dyn Write,
    text: &str,
    annotation: &Annotation,
    lexicon: &Lexicon,
) -> io::Result<()> {
    let mut at = 0;
    for (h, n) in &annotation.marks {
        out.write_all(text.get(at..h.start).unwrap_or_default().as_bytes())?;
        let span = text.get(h.start..h.end).unwrap_or_default();
        // Emphasis cannot cross a line break or hold a `*` safely.
        if span.contains(['\n', '\r', '*']) {
            write!(out, "{span}[^{n}]")?;
        } else {
            write!(out, "**{span}**[^{n}]")?;
        }
        at = h.end;
    }
    out.write_all(text.get(at..).unwrap_or_default().as_bytes())?;
    if annotation.glossary.is_empty() {
        return Ok(());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        writeln!(out)?;
    }
    writeln!(out)?;
    for (i, &entry) in annotation.glossary.iter().enumerate() {
        let e = lexicon.entry(entry);
        write!(
            out,
            "[^{}]: **{}**（{} · {}）：{}",
            i + 1,
            escape(&e.term),
            escape(&e.id),
            escape(&e.category),
            escape(&e.definition)
        )?;
        if !e.components.is_empty() {
            let parts: Vec<String> = e.components.iter().map(|c| escape(c)).collect();
            write!(out, " 组成：{}。", parts.join("、"))?;
        }
        if let Some(en) = &e.en {
            write!(out, " 英文：{}", escape(en))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escaping() {
        assert_eq!(escape("两队一室"), "两队一室");
        assert_eq!(escape("a*b_c"), "a\\*b\\_c");
        assert_eq!(escape("<script>"), "\\<script\\>");
        assert_eq!(escape("+1"), "\\+1");
        assert_eq!(escape("1. x"), "1\\. x");
        assert_eq!(escape("1333"), "1333");
        assert_eq!(escape("a\nb"), "a b");
    }
}
