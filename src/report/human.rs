//! Text for people: scan lines, count tables with bars, annotated text with
//! a glossary, entry cards, and rustc-style diagnostics. The only module that
//! uses `colored`; whether colour is on is decided once in the binary.

use std::io::{self, Write};

use colored::Colorize;
use unicode_width::UnicodeWidthStr;

use crate::annotate::Annotation;
use crate::check::{Lang, Located, Severity};
use crate::count::Tally;
use crate::diagnostic::Diagnostic;
use crate::input::InputError;
use crate::lexicon::{Context, Entry, Lexicon, Scope};
use crate::lookup::{Found, Mode};
use crate::scan::Match;
use crate::text::Unit;

/// How many characters of a definition a scan line shows.
const SHORT_DEFINITION: usize = 40;

/// A line number, `¶N` when lines are the paragraphs of a Word document,
/// `pP:N` (page `P`, line `N` of the page) in a PDF.
struct LineNumber(Unit, usize, usize);

impl LineNumber {
    /// Where `span` starts.
    fn start(unit: Unit, span: &crate::text::Span) -> LineNumber {
        LineNumber(unit, span.page, span.start.line)
    }
}

impl std::fmt::Display for LineNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Unit::Line => self.2.fmt(f),
            Unit::Paragraph => write!(f, "¶{}", self.2),
            Unit::PageLine => write!(f, "p{}:{}", self.1, self.2),
        }
    }
}

/// Shows line breaks inside a matched span on one line (and a PDF's page
/// break, a form feed, as `␌`).
fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\n', '\r']) {
        v(&s.replace("\r\n", "⏎")
            .replace(['\n', '\r'], "⏎")
            .replace('\u{c}', "␌"))
        .into_owned()
        .into()
    } else {
        v(s)
    }
}

/// Text this printer did not write (document text, paths, lexicon fields,
/// messages quoting them) with control characters made visible
/// ([`super::visible`]): a terminal must never act on them.
fn v(s: &str) -> std::borrow::Cow<'_, str> {
    super::visible::visible(s)
}

/// A value styled when colour is on; with colour off, written as it is,
/// with no copy made to be styled (a scan may print millions of lines).
enum Painted<D> {
    Plain(D),
    Styled(colored::ColoredString),
}

impl<D: std::fmt::Display> std::fmt::Display for Painted<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Painted::Plain(d) => d.fmt(f),
            Painted::Styled(s) => s.fmt(f),
        }
    }
}

/// `value` styled by `style` when colour is on.
fn paint<D: std::fmt::Display>(
    value: D,
    style: impl FnOnce(colored::ColoredString) -> colored::ColoredString,
) -> Painted<D> {
    if colored::control::SHOULD_COLORIZE.should_colorize() {
        Painted::Styled(style(value.to_string().into()))
    } else {
        Painted::Plain(value)
    }
}

/// Prints scan lines, `path:line:column: matched → term — short
/// definition`; each entry's term and short definition are made visible
/// once, whichever thread prints first.
pub struct ScanLines<'a> {
    lexicon: &'a Lexicon,
    /// Per entry: its term and short definition, made visible.
    shown: Vec<std::sync::OnceLock<(String, String)>>,
}

impl<'a> ScanLines<'a> {
    /// Prints the scan lines of matches of `lexicon`'s entries.
    pub fn new(lexicon: &'a Lexicon) -> ScanLines<'a> {
        ScanLines {
            lexicon,
            shown: (0..lexicon.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
        }
    }

    /// Prints the line of one match.
    pub fn line(&self, out: &mut Vec<u8>, path: &str, m: &Match) -> io::Result<()> {
        let e = self.lexicon.entry(m.hit.entry);
        let shown = || {
            (
                v(&e.term).into_owned(),
                v(&e.short_definition(SHORT_DEFINITION)).into_owned(),
            )
        };
        let (term, short) = match self.shown.get(m.hit.entry) {
            Some(once) => once.get_or_init(shown),
            None => &shown(),
        };
        if m.unit == Unit::Line && !colored::control::SHOULD_COLORIZE.should_colorize() {
            // The common case, millions of lines in a scan: the line put
            // together as bytes, with no formatting machinery.
            let line = out;
            line.extend_from_slice(v(path).as_bytes());
            line.push(b':');
            push_number(line, m.span.start.line);
            line.push(b':');
            push_number(line, m.span.start.column);
            line.extend_from_slice(b": ");
            line.extend_from_slice(one_line(&m.matched).as_bytes());
            line.extend_from_slice(" → ".as_bytes());
            line.extend_from_slice(term.as_bytes());
            line.extend_from_slice(" — ".as_bytes());
            line.extend_from_slice(short.as_bytes());
            line.push(b'\n');
            return Ok(());
        }
        writeln!(
            out,
            "{}:{}:{}: {} → {} — {}",
            paint(v(path), |s| s.magenta()),
            paint(LineNumber::start(m.unit, &m.span), |s| s.green()),
            paint(m.span.start.column, |s| s.green()),
            paint(one_line(&m.matched), |s| s.red().bold()),
            paint(term, |s| s.cyan().bold()),
            short,
        )
    }
}

/// Appends `n` in decimal.
fn push_number(to: &mut Vec<u8>, n: usize) {
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    let mut n = n;
    loop {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    to.extend_from_slice(&digits[k..]);
}

/// Pads `s` with spaces to `width` display cells.
fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// A bar of `value / max` of `cells` cells, in eighths of a block.
fn bar(value: usize, max: usize, cells: usize) -> String {
    if max == 0 {
        return String::new();
    }
    let eighths = (value * cells * 8).div_ceil(max);
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8 - 1]);
    }
    s
}

/// Cells of the longest bar when the output is not a terminal (so that
/// piped output and goldens do not depend on a window's size).
const BAR_CELLS: usize = 30;

/// The shortest longest bar on a narrow terminal.
const MIN_BAR_CELLS: usize = 10;

/// The frequency table: term, count, bar, nested count; most frequent
/// first. On a terminal of `width` columns the longest bar fills the line.
pub fn count_table(
    out: &mut dyn Write,
    lexicon: &Lexicon,
    tally: &Tally,
    width: Option<usize>,
) -> io::Result<()> {
    let ranked = tally.ranked();
    if ranked.is_empty() {
        return writeln!(out, "no terms found");
    }
    let term_width = ranked
        .iter()
        .map(|c| lexicon.entry(c.entry).term.width())
        .max()
        .unwrap_or(0);
    let max = ranked.first().map_or(0, |c| c.count);
    let count_width = max.to_string().len();
    let nested_width = ranked
        .iter()
        .filter(|c| c.nested > 0)
        .map(|c| format!("  ({} nested)", c.nested).len())
        .max()
        .unwrap_or(0);
    let bar_cells = width.map_or(BAR_CELLS, |w| {
        // term, two spaces, count, two spaces, bar, nested note
        w.saturating_sub(term_width + 2 + count_width + 2 + nested_width + 1)
            .max(MIN_BAR_CELLS)
    });
    for c in &ranked {
        let e = lexicon.entry(c.entry);
        let nested = if c.nested > 0 {
            format!("  ({} nested)", c.nested)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{}  {:>count_width$}  {}{}",
            pad(&v(&e.term), term_width).cyan(),
            c.count,
            bar(c.count, max, bar_cells).blue(),
            nested.dimmed(),
        )?;
    }
    writeln!(
        out,
        "{}",
        format!(
            "total: {}, {}",
            plural(tally.total, "span"),
            plural(ranked.len(), "entry")
        )
        .bold()
    )
}

fn plural(n: usize, word: &str) -> String {
    match (n, word) {
        (1, _) => format!("1 {word}"),
        (_, "entry") => format!("{n} entries"),
        _ => format!("{n} {word}s"),
    }
}

/// A heading line for one file in `count --by-file`.
pub fn file_heading(out: &mut dyn Write, path: &str) -> io::Result<()> {
    writeln!(out, "{}", v(path).magenta().bold())
}

/// Document text made visible ([`v`]), a PDF's page break (a form feed on
/// a line of its own) shown as a rule.
fn pages(s: &str) -> String {
    if s.contains('\u{c}') {
        s.split('\u{c}')
            .map(|s| v(s).into_owned())
            .collect::<Vec<_>>()
            .join(&"── 分页 ──".dimmed().to_string())
    } else {
        v(s).into_owned()
    }
}

/// The text with each span marked `[n]`, then the numbered glossary.
///
/// With `tidy` (text extracted from HTML), block boundaries are dropped,
/// lines are trimmed and runs of blank lines are shown as one.
pub fn annotate(
    out: &mut dyn Write,
    text: &str,
    annotation: &Annotation,
    lexicon: &Lexicon,
    tidy: bool,
) -> io::Result<()> {
    use crate::annotate::Segment;
    let mut marked = String::with_capacity(text.len() + annotation.marks.len() * 8);
    for segment in annotation.segments(text.len()) {
        match segment {
            Segment::Plain(r) => marked.push_str(&pages(text.get(r).unwrap_or_default())),
            Segment::Mark(i) => {
                let (h, n) = &annotation.marks[i];
                let term = pages(text.get(h.start..h.end).unwrap_or_default());
                marked.push_str(&format!(
                    "{}{}",
                    term.yellow().bold().underline(),
                    format!("[{n}]").cyan()
                ));
            }
            // The flagged span in red; the marks inside keep theirs.
            Segment::Open(_) => marked.push_str(&"⟦".red().bold().to_string()),
            Segment::Close(k) => {
                marked.push_str(&format!("⟧[!{}]", k + 1).red().bold().to_string())
            }
        }
    }
    if tidy {
        let mut previous_blank = true;
        let mut lines = Vec::new();
        for line in marked.replace('\u{200B}', "").lines() {
            let line = line.trim();
            let blank = line.is_empty();
            if !(blank && previous_blank) {
                lines.push(line.to_owned());
            }
            previous_blank = blank;
        }
        marked = lines.join("\n");
    }
    out.write_all(marked.as_bytes())?;
    if !marked.is_empty() && !marked.ends_with('\n') {
        writeln!(out)?;
    }
    if annotation.glossary.is_empty() && annotation.flags.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", "────────".dimmed())?;
    for (k, f) in annotation.flags.iter().enumerate() {
        let label = format!("[!{}]", k + 1);
        let rule = format!("{}[{}]", f.severity.as_str(), f.rule.id());
        writeln!(
            out,
            "{} {} {}",
            label.red().bold(),
            rule.red(),
            f.place().dimmed()
        )?;
        writeln!(out, "    {}", v(&f.message))?;
    }
    for (i, &entry) in annotation.glossary.iter().enumerate() {
        let e = lexicon.entry(entry);
        writeln!(
            out,
            "{} {} {}",
            format!("[{}]", i + 1).cyan(),
            v(&e.term).bold(),
            v(&format!("({}, {})", e.id, e.category)).dimmed()
        )?;
        writeln!(out, "    {}", v(&e.definition))?;
        if !e.components.is_empty() {
            writeln!(out, "    组成：{}", v(&e.components.join("、")))?;
        }
        if let Some(en) = &e.en {
            writeln!(out, "    英文：{}", v(en))?;
        }
    }
    Ok(())
}

/// Why an entry is shown, when the query is not its term.
fn why(found: &Found, query: &str) -> Option<String> {
    let q = query.trim();
    let form = &found.form;
    let named = |label: &str| format!("（“{q}”是本条的{label}）");
    Some(match found.mode {
        Mode::Term | Mode::List | Mode::Fuzzy => return None,
        Mode::Variant => named("变体"),
        Mode::Id => named("编号"),
        Mode::Component => named("组成部分"),
        Mode::Wrong => named("误写"),
        Mode::Outdated => named("旧提法"),
        Mode::Prefix => format!("（“{form}”以“{q}”开头）"),
        Mode::Substring => format!("（“{form}”含“{q}”）"),
        Mode::Pinyin => format!("（“{q}”是“{form}”的拼音）"),
        Mode::Initials => format!("（“{q}”是“{form}”的拼音首字母）"),
        Mode::PinyinPrefix => format!("（“{form}”的拼音以“{q}”开头）"),
        Mode::English => format!("（英文“{form}”）"),
        Mode::Definition => format!("（释义含“{q}”）"),
    })
}

/// Results shown as one line each when there are more than this many and
/// the query did not name them.
const FULL_CARDS: usize = 3;

/// The answer to a query: cards, a list, or "did you mean".
pub fn lookup(
    out: &mut dyn Write,
    lexicon: &Lexicon,
    query: &str,
    found: &[Found],
) -> io::Result<()> {
    let q = query.trim();
    if found.is_empty() {
        return writeln!(out, "没有找到“{}”", v(q));
    }
    if found.iter().all(|f| f.mode == Mode::Fuzzy) {
        let names: Vec<String> = found
            .iter()
            .map(|f| {
                let e = lexicon.entry(f.entry);
                if f.form == e.term {
                    v(&e.term).bold().to_string()
                } else {
                    format!("{}（{}）", v(&f.form).bold(), v(&e.term))
                }
            })
            .collect();
        return writeln!(out, "没有找到“{}”，是否要找：{}？", v(q), names.join("、"));
    }
    let brief = found.len() > FULL_CARDS && !found.iter().all(|f| f.mode.is_named());
    if brief {
        let width = found
            .iter()
            .map(|f| lexicon.entry(f.entry).term.width())
            .max()
            .unwrap_or(0);
        for f in found {
            let e = lexicon.entry(f.entry);
            writeln!(
                out,
                "{}  {}  {}",
                pad(&v(&e.term), width).cyan().bold(),
                v(&format!("{} · {}", e.id, e.category)).dimmed(),
                v(&e.short_definition(SHORT_DEFINITION))
            )?;
        }
        return writeln!(
            out,
            "{}",
            format!("共 {} 条；tifa lookup 加词条名看全文", found.len()).dimmed()
        );
    }
    for (i, f) in found.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        entry_card(out, lexicon, f, query)?;
    }
    Ok(())
}

/// Entries under a heading per category, as `lookup --all` lists them.
pub fn glossary(out: &mut dyn Write, lexicon: &Lexicon, found: &[Found]) -> io::Result<()> {
    let mut category: Option<&str> = None;
    for f in found {
        let e = lexicon.entry(f.entry);
        if category != Some(e.category.as_str()) {
            if category.is_some() {
                writeln!(out)?;
            }
            let n = found
                .iter()
                .filter(|g| lexicon.entry(g.entry).category == e.category)
                .count();
            writeln!(out, "{}", format!("【{}】{n} 条", v(&e.category)).bold())?;
            category = Some(&e.category);
        }
        writeln!(out)?;
        entry_card(out, lexicon, f, &e.term)?;
    }
    Ok(())
}

/// The categories with their number of entries.
pub fn categories(out: &mut dyn Write, categories: &[(&str, usize)]) -> io::Result<()> {
    let width = categories.iter().map(|(c, _)| c.width()).max().unwrap_or(0);
    let total: usize = categories.iter().map(|(_, n)| n).sum();
    for (c, n) in categories {
        writeln!(out, "{}  {n:>4}", pad(&v(c), width).cyan())?;
    }
    writeln!(
        out,
        "{}",
        format!(
            "共 {total} 条，{} 类；tifa lookup --category 类别 列出一类，--all 列出全部",
            categories.len()
        )
        .dimmed()
    )
}

/// The whole entry, as a card.
pub fn entry_card(
    out: &mut dyn Write,
    lexicon: &Lexicon,
    found: &Found,
    query: &str,
) -> io::Result<()> {
    let e = lexicon.entry(found.entry);
    writeln!(
        out,
        "{}  {}",
        v(&e.term).cyan().bold(),
        v(&format!("{} · {}", e.id, e.category)).dimmed()
    )?;
    if let Some(why) = why(found, query) {
        writeln!(out, "  {}", v(&why).dimmed())?;
    }
    // Every value comes from a lexicon (a user's too): shown visibly.
    let label = |out: &mut dyn Write, name: &str, value: &str| {
        writeln!(out, "  {}  {}", name.bold(), v(value))
    };
    label(out, "释义", &e.definition)?;
    if let Some(notes) = &e.notes {
        label(out, "说明", notes)?;
    }
    if !e.components.is_empty() {
        label(out, "组成", &e.components.join(" · "))?;
    }
    if !e.variants.is_empty() {
        label(out, "变体", &e.variants.join(" · "))?;
    }
    if !e.not_wrong.is_empty() {
        label(out, "非误", &e.not_wrong.join(" · "))?;
    }
    for (name, forms) in [("误写", &e.wrong), ("旧称", &e.outdated)] {
        for f in forms.iter() {
            let note = f
                .note
                .as_deref()
                .map(|n| format!("（{}）", v(n)))
                .unwrap_or_default();
            writeln!(out, "  {}  {}{}", name.bold(), v(&f.form).red(), note)?;
        }
    }
    if let Some(en) = &e.en {
        label(out, "英文", en)?;
    }
    if let Some(note) = &e.en_note {
        label(out, "英注", note)?;
    }
    let matching = match (&e.scope, &e.context) {
        (Scope::General, Context::FollowedBy(after)) => Some(format!(
            "一般词语，仅在后接“{}”时匹配（--all-terms 时处处匹配）",
            after.join("”“")
        )),
        (Scope::General, _) => {
            Some("一般词语，仅在引号内整体出现时匹配（--all-terms 时处处匹配）".to_owned())
        }
        (_, Context::Quoted) => Some("仅在引号内整体出现时匹配".to_owned()),
        (_, Context::FollowedBy(after)) => Some(format!("仅在后接“{}”时匹配", after.join("”“"))),
        (Scope::National, Context::Any) => Some("全国性提法，处处匹配".to_owned()),
        (Scope::Policing, Context::Any) => None,
    };
    if let Some(m) = matching {
        label(out, "匹配", &m)?;
    }
    for s in &e.sources {
        label(out, "出处", s)?;
    }
    if !e.related.is_empty() {
        let related: Vec<String> = e
            .related
            .iter()
            .map(|id| related_name(lexicon, id))
            .collect();
        label(out, "相关", &related.join(" · "))?;
    }
    if let Some(by) = &e.superseded_by {
        label(
            out,
            "取代",
            &format!("已由 {} 取代", related_name(lexicon, by)),
        )?;
    }
    Ok(())
}

fn related_name(lexicon: &Lexicon, id: &str) -> String {
    lexicon.get(id).map_or_else(
        || id.to_owned(),
        |r: &Entry| format!("{}（{}）", r.term, r.id),
    )
}

/// `path:line:column: message`, the source line with a caret under the
/// span (aligned by display width), and the hint.
pub fn diagnostic(out: &mut dyn Write, d: &Diagnostic) -> io::Result<()> {
    writeln!(
        out,
        "{}: {}",
        v(&d.location.to_string()).bold(),
        v(&d.message)
    )?;
    if d.location.line > 0 {
        let num = d.location.line.to_string();
        let gutter = " ".repeat(num.len());
        let col = d.location.column.saturating_sub(1);
        let before: String = d.source_line.chars().take(col).collect();
        let under: String = d.source_line.chars().skip(col).take(d.width).collect();
        writeln!(out, "{gutter} {}", "|".blue())?;
        writeln!(out, "{} {} {}", num.blue(), "|".blue(), v(&d.source_line))?;
        writeln!(
            out,
            "{gutter} {} {}{}",
            "|".blue(),
            " ".repeat(before.width()),
            "^".repeat(under.width().max(1)).red().bold()
        )?;
    }
    if let Some(hint) = &d.hint {
        writeln!(out, "  = {} {}", "hint:".bold(), v(hint))?;
    }
    Ok(())
}

/// Display width of a source line prefix, tabs counted as 4 cells.
fn cells(s: &str) -> usize {
    s.chars()
        .map(|c| if c == '\t' { 4 } else { c.to_string().width() })
        .sum()
}

/// One finding of `check`, in the style of rustc: severity, rule, message,
/// `--> path:line:column`, the source line and a caret under the span
/// (aligned by display width: CJK characters are two cells wide), and what
/// to write instead.
pub fn finding(out: &mut dyn Write, path: &str, item: &Located, lang: Lang) -> io::Result<()> {
    let f = &item.finding;
    let head = format!("{}[{}]", f.severity.as_str(), f.rule.id());
    let head = match f.severity {
        Severity::Error => head.red().bold(),
        Severity::Warning => head.yellow().bold(),
        Severity::Info => head.cyan().bold(),
    };
    writeln!(out, "{head}: {}", v(&item.message).bold())?;
    let num = item.span.start.line.to_string();
    let gutter = " ".repeat(num.len());
    writeln!(
        out,
        "{gutter}{} {}:{}:{}",
        "-->".blue().bold(),
        v(path),
        LineNumber::start(item.unit, &item.span),
        item.span.start.column
    )?;
    writeln!(out, "{gutter} {}", "|".blue().bold())?;
    // Long lines (a whole paragraph) are cut to the span and some context
    // (`check::locate` kept only that much).
    let snippet = &item.snippet;
    let (lead, tail) = (
        if snippet.cut_before { "…" } else { "" },
        if snippet.cut_after { "…" } else { "" },
    );
    let before = format!("{lead}{}", snippet.before);
    let under = &snippet.under;
    let line =
        v(&format!("{before}{under}{}{tail}", snippet.after).replace('\t', "    ")).into_owned();
    writeln!(out, "{} {} {line}", num.blue().bold(), "|".blue().bold())?;
    let label = match (&f.suggestion, f.fixable, lang) {
        (Some(s), true, Lang::Zh) => format!("改为“{}”", v(s)),
        (Some(s), true, Lang::En) => format!("replace with “{}”", v(s)),
        (Some(s), false, Lang::Zh) => format!("是否应为“{}”？", v(s)),
        (Some(s), false, Lang::En) => format!("did you mean “{}”?", v(s)),
        (None, _, _) => String::new(),
    };
    let span = &item.span;
    let more = match (
        span.end_page > span.page,
        span.end.line > span.start.line,
        lang,
    ) {
        (true, _, Lang::Zh) => format!("（延续至第 {} 页第 {} 行）", span.end_page, span.end.line),
        (true, _, Lang::En) => format!(
            " (continues to page {}, line {})",
            span.end_page, span.end.line
        ),
        (false, true, Lang::Zh) => format!("（延续至第 {} 行）", span.end.line),
        (false, true, Lang::En) => format!(" (continues to line {})", span.end.line),
        (false, false, _) => String::new(),
    };
    let carets = "^".repeat(cells(under).max(1));
    let carets = match f.severity {
        Severity::Error => carets.red().bold(),
        Severity::Warning => carets.yellow().bold(),
        Severity::Info => carets.cyan().bold(),
    };
    let note = format!("{label}{more}");
    let note = if note.is_empty() {
        note
    } else {
        format!(" {note}")
    };
    writeln!(
        out,
        "{gutter} {} {}{carets}{note}",
        "|".blue().bold(),
        " ".repeat(cells(&before)),
    )?;
    writeln!(out)
}

/// What the last line of `check` counts: the findings of each severity,
/// and those `--fix` can apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckCounts {
    /// Every finding.
    pub total: usize,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Info.
    pub info: usize,
    /// Those `--fix` can apply.
    pub fixable: usize,
    /// The highest severity of any.
    pub highest: Option<Severity>,
}

impl CheckCounts {
    /// Counts one more finding.
    pub fn add(&mut self, item: &Located) {
        let f = &item.finding;
        self.total += 1;
        match f.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.info += 1,
        }
        self.fixable += usize::from(f.fixable);
        self.highest = self.highest.max(Some(f.severity));
    }
}

/// The last line of `check`: how many findings of each severity, and how
/// many `--fix` can apply (or applied). When an input could not be read
/// (`failed`), it never says that no problem was found.
pub fn check_summary(
    out: &mut dyn Write,
    counts: &CheckCounts,
    files: usize,
    failed: bool,
    fixed: Option<usize>,
    lang: Lang,
) -> io::Result<()> {
    let (e, w, i, fixable) = (counts.errors, counts.warnings, counts.info, counts.fixable);
    let none = counts.total == 0;
    let line = match lang {
        Lang::Zh => {
            let mut s = if none && failed {
                format!("检查了 {files} 个文件，未发现问题；有输入无法读取（见上）")
            } else if none {
                format!("检查了 {files} 个文件，未发现问题")
            } else {
                format!(
                    "检查了 {files} 个文件，发现 {} 个问题（错误 {e}，警告 {w}，提示 {i}）",
                    counts.total
                )
            };
            match fixed {
                Some(n) => s.push_str(&format!("；已修复 {n} 处")),
                None if fixable > 0 => {
                    s.push_str(&format!("；其中 {fixable} 个可用 --fix 自动修复"))
                }
                None => {}
            }
            s
        }
        Lang::En => {
            let mut s = if none && failed {
                format!(
                    "checked {}, no problems found in them; some inputs could not be read (see above)",
                    plural(files, "file")
                )
            } else if none {
                format!("checked {}, no problems found", plural(files, "file"))
            } else {
                format!(
                    "checked {}, found {} ({e} errors, {w} warnings, {i} info)",
                    plural(files, "file"),
                    plural(counts.total, "problem")
                )
            };
            match fixed {
                Some(n) => s.push_str(&format!("; fixed {n}")),
                None if fixable > 0 => s.push_str(&format!("; {fixable} fixable with --fix")),
                None => {}
            }
            s
        }
    };
    writeln!(out, "{}", line.bold())
}

/// `tifa: path: message`, and the hint.
pub fn input_error(out: &mut dyn Write, e: &InputError) -> io::Result<()> {
    writeln!(
        out,
        "{}: {}: {}",
        "tifa".bold(),
        v(&e.path),
        v(&e.message).red()
    )?;
    if let Some(hint) = &e.hint {
        writeln!(out, "  = {} {}", "hint:".bold(), v(hint))?;
    }
    Ok(())
}

/// `tifa: path: note` — not an error.
pub fn note(out: &mut dyn Write, path: &str, note: &str) -> io::Result<()> {
    writeln!(out, "{}: {}: {}", "tifa".bold(), v(path), v(note).yellow())
}

/// `path:ROW: message` for a row of a spreadsheet, and the hint.
pub fn row_error(
    out: &mut dyn Write,
    path: &str,
    row: usize,
    message: &str,
    hint: Option<&str>,
) -> io::Result<()> {
    writeln!(
        out,
        "{}: {}",
        format!("{}:{row}", v(path)).bold(),
        v(message)
    )?;
    if let Some(hint) = hint {
        writeln!(out, "  = {} {}", "hint:".bold(), v(hint))?;
    }
    Ok(())
}

/// `  = hint: …` under an error.
pub fn hint(out: &mut dyn Write, hint: &str) -> io::Result<()> {
    writeln!(out, "  = {} {}", "hint:".bold(), v(hint))
}

/// `tifa: message` for an error that is not about one input.
pub fn error(out: &mut dyn Write, message: &str) -> io::Result<()> {
    writeln!(out, "{}: {}", "tifa".bold(), v(message).red())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars() {
        assert_eq!(bar(8, 8, 2), "██");
        assert_eq!(bar(1, 8, 2), "▎");
        assert_eq!(bar(0, 8, 2), "");
        assert_eq!(bar(3, 4, 1), "▊");
    }
}
