//! Markdown: the glossary (`lexicon export --format markdown`) and an
//! annotated text with footnotes (`annotate --format markdown`).
//!
//! Lexicon text is escaped so that it always reads as plain text; the
//! annotated document is written as it is when it is Markdown, and
//! escaped ([`escape_text`]) when it is plain text, Word or HTML, so that
//! a line such as `# 1` or `- 两队一室` reads as written.

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

/// Escapes plain text so that Markdown shows it as written: inline
/// syntax characters get a backslash, and at the start of each line
/// (`line_start`: the text begins one) what would open a block — a
/// heading, a list, a quote, a table, a fence, an indented code block —
/// is escaped too. Line breaks are kept.
pub fn escape_text(s: &str, mut line_start: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if line_start && c == ' ' {
            // Four spaces would start a code block: the first as an entity.
            out.push_str("&#32;");
            while chars.next_if_eq(&' ').is_some() {
                out.push(' ');
            }
            line_start = false;
            if let Some(&next) = chars.peek() {
                escape_block_start(&mut out, next, &mut chars);
            }
            continue;
        }
        if line_start {
            line_start = false;
            if escape_block_start_char(&mut out, c, &mut chars) {
                continue;
            }
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => {
                out.push('\n');
                line_start = true;
            }
            _ => out.push(c),
        }
    }
    out
}

/// After leading spaces: escapes the block opener that `next` starts, if
/// any (consumed from `chars` when it is).
fn escape_block_start(
    out: &mut String,
    next: char,
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
) {
    if matches!(
        next,
        '#' | '-' | '+' | '=' | '>' | '*' | '|' | '`' | '~' | '0'..='9'
    ) {
        let c = chars.next().unwrap_or(next);
        if !escape_block_start_char(out, c, chars) {
            // An inline character: escaped as inline text is.
            out.push_str(&escape_text(&c.to_string(), false));
        }
    }
}

/// Writes `c`, the first character of a line, escaped when it opens a
/// block; false (nothing written) when it does not.
fn escape_block_start_char(
    out: &mut String,
    c: char,
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
) -> bool {
    match c {
        '#' | '-' | '+' | '=' | '>' | '*' | '|' | '`' | '~' => {
            out.push('\\');
            out.push(c);
            true
        }
        '0'..='9' => {
            // `1. ` or `1) ` would begin an ordered list.
            out.push(c);
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                out.push(d);
            }
            if let Some(p) = chars.next_if(|p| matches!(p, '.' | ')')) {
                out.push('\\');
                out.push(p);
            }
            true
        }
        _ => false,
    }
}

/// How a document is written into Markdown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The document's number among several (labels `[^2-1]`), so that
    /// footnote labels are unique in one output; `None` for one document.
    pub document: Option<usize>,
    /// The text is not Markdown (plain text, Word, HTML): escape it so it
    /// reads as written.
    pub plain: bool,
}

/// The text with each span marked (bold when it lies on one line) and
/// followed by a footnote reference `[^n]`, each of `check`'s findings
/// followed by `[^en]`; the footnotes, one per entry (repeated terms reuse
/// theirs), carry the definition, parts and English, and one per finding
/// its rule, place and message.
pub fn annotate(
    out: &mut dyn Write,
    text: &str,
    annotation: &Annotation,
    lexicon: &Lexicon,
    options: Options,
) -> io::Result<()> {
    use crate::annotate::Segment;
    let label = |n: &str| match options.document {
        Some(d) => format!("{d}-{n}"),
        None => n.to_owned(),
    };
    let mut line_start = true;
    let piece = |s: &str, out: &mut dyn Write, line_start: &mut bool| -> io::Result<()> {
        // A PDF's page break (a form feed on a line of its own) as a
        // thematic break.
        for (k, s) in s.split('\u{c}').enumerate() {
            if k > 0 {
                out.write_all(b"* * *")?;
                *line_start = false;
            }
            if options.plain {
                out.write_all(escape_text(s, *line_start).as_bytes())?;
            } else {
                out.write_all(s.as_bytes())?;
            }
            if !s.is_empty() {
                *line_start = s.ends_with('\n');
            }
        }
        Ok(())
    };
    for segment in annotation.segments(text.len()) {
        match segment {
            Segment::Plain(r) => piece(text.get(r).unwrap_or_default(), out, &mut line_start)?,
            Segment::Mark(i) => {
                let (h, n) = &annotation.marks[i];
                let span = text.get(h.start..h.end).unwrap_or_default();
                // Emphasis cannot cross a line break or hold a `*` safely.
                if span.contains(['\n', '\r', '*', '\u{c}']) {
                    piece(span, out, &mut line_start)?;
                } else {
                    write!(out, "**")?;
                    line_start = false;
                    piece(span, out, &mut line_start)?;
                    write!(out, "**")?;
                }
                write!(out, "[^{}]", label(&n.to_string()))?;
                line_start = false;
            }
            Segment::Open(_) => {}
            Segment::Close(k) => {
                write!(out, "[^{}]", label(&format!("e{}", k + 1)))?;
                line_start = false;
            }
        }
    }
    if annotation.glossary.is_empty() && annotation.flags.is_empty() {
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
            label(&(i + 1).to_string()),
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
    for (k, f) in annotation.flags.iter().enumerate() {
        writeln!(
            out,
            "[^{}]: **检查**（{} · {} · {}）：{}",
            label(&format!("e{}", k + 1)),
            f.severity.as_str(),
            f.rule.id(),
            f.place(),
            escape(&f.message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_text};

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

    #[test]
    fn plain_text_lines_that_look_like_markdown() {
        assert_eq!(escape_text("# 一、总体要求\n", true), "\\# 一、总体要求\n");
        assert_eq!(
            escape_text("- 两队一室\n+ 一标三实", true),
            "\\- 两队一室\n\\+ 一标三实"
        );
        assert_eq!(
            escape_text("1. 严打\n2) 严防", true),
            "1\\. 严打\n2\\) 严防"
        );
        assert_eq!(escape_text("> 引文 | 表格", true), "\\> 引文 \\| 表格");
        assert_eq!(escape_text("    缩进四格", true), "&#32;   缩进四格");
        assert_eq!(escape_text("  - 列表", true), "&#32; \\- 列表");
        assert_eq!(
            escape_text("a*b*_c_ <x> [y]", false),
            "a\\*b\\*\\_c\\_ \\<x\\> \\[y\\]"
        );
        // Not at a line start: `#` and `-` are plain.
        assert_eq!(escape_text("第1#-2", false), "第1#-2");
        assert_eq!(escape_text("第1#-2", true), "第1#-2");
        assert_eq!(escape_text("两队一室", true), "两队一室");
    }
}
