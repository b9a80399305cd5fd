//! Findings back into a Word document: a comment on every finding and a
//! tracked change (`w:del` of the wrong form, `w:ins` of the suggestion)
//! for every fixable one, by author `tifa`, so the editor accepts or
//! rejects each in Word, WPS or LibreOffice.
//!
//! The story parts (`word/document.xml`, headers, footers, footnotes,
//! endnotes) are read as [`super::docx::extract`] reads them, so the
//! findings are those of `tifa check` on the same file. Only the runs a
//! finding touches are rewritten: each is split at the span's edges into
//! runs that copy its start tag and properties (`w:rPr`), so formatting is
//! kept; every other byte of a part is copied, and the parts without a
//! finding are copied from the archive untouched (compressed bytes and
//! all). Comments go to `word/comments.xml` (made, with its relationship
//! and content type, when the document has none).
//!
//! Where a change cannot be tracked — the span crosses paragraphs, lies
//! in a run nested in a field, hyperlink or someone's revision, or holds
//! something other than text — the finding gets a comment only, which says
//! so. Text boxes are reviewed like the body (their runs are inside the
//! run that holds the drawing, which is never rewritten). Word shows no
//! comments in headers and footers, so there a fixable
//! finding gets its tracked change and the others nothing (counted as not
//! placed).
//!
//! Reviewing again replaces tifa's earlier work instead of stacking it:
//! first tifa's comments (author `tifa`) and their anchors are removed,
//! its insertions removed and its deletions restored, then the document is
//! reviewed afresh. An editor's own comments and revisions are kept.

use std::collections::{BTreeSet, HashSet};
use std::io::{Cursor, Read, Write};
use std::ops::Range;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::docx::{DocxError, LIMITS, Limits};
use crate::check::{Lang, Located};
use crate::engine::Engine;

const MAIN_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const COMMENTS_PART: &str = "word/comments.xml";
const COMMENTS_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml";
const COMMENTS_REL: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
/// The author of tifa's comments and revisions.
pub const AUTHOR: &str = "tifa";
const INITIALS: &str = "TF";

/// What a review writes.
#[derive(Debug, Clone)]
pub struct Options {
    /// A comment on every finding.
    pub comments: bool,
    /// A tracked change for every fixable finding.
    pub changes: bool,
    /// Also a comment on every recognised term, with its definition.
    pub terms: bool,
    /// The date of the comments and revisions (`2026-12-02T10:00:00Z`).
    pub date: String,
    /// The language of the messages.
    pub lang: Lang,
}

/// A reviewed document and what was done.
#[derive(Debug)]
pub struct Reviewed {
    /// The new .docx.
    pub bytes: Vec<u8>,
    /// The findings of the document's text (as `tifa check` gives them).
    pub findings: Vec<Located>,
    /// Comments written.
    pub comments: usize,
    /// Tracked changes written (each a deletion and an insertion).
    pub changes: usize,
    /// Findings that got a comment where a change was wanted but could not
    /// be tracked.
    pub comment_only: usize,
    /// Findings that got nothing (in a header or footer and not fixable
    /// there, or in text tifa cannot anchor on).
    pub not_placed: usize,
    /// tifa's earlier comments and revisions replaced.
    pub replaced: usize,
}

/// Reviews a .docx (`name` is how findings name it).
///
/// # Errors
///
/// As reading a .docx ([`DocxError`]: not a zip, no document, bombs,
/// broken XML), and when the document does not use the `w:` prefix for
/// WordprocessingML. Nothing is written then.
pub fn review(
    engine: &Engine,
    name: &str,
    bytes: &[u8],
    opts: &Options,
) -> Result<Reviewed, DocxError> {
    review_with(engine, name, bytes, opts, LIMITS)
}

/// [`review`] with other limits.
///
/// # Errors
///
/// As [`review`].
pub fn review_with(
    engine: &Engine,
    name: &str,
    bytes: &[u8],
    opts: &Options,
    limits: Limits,
) -> Result<Reviewed, DocxError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))?;
    let stories = super::docx::story_parts(&zip, limits)?;
    let mut budget = Budget { limits, total: 0 };
    let comments_xml = match zip.by_name(COMMENTS_PART) {
        Ok(f) => Some(budget.read(COMMENTS_PART, f)?),
        Err(zip::result::ZipError::FileNotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let (comments_xml, tifa_ids) = match &comments_xml {
        Some(xml) => {
            let (kept, ids) = strip_comments(xml).map_err(|m| part_error(COMMENTS_PART, m))?;
            (Some(kept), ids)
        }
        None => (None, HashSet::new()),
    };

    // Each story part, tifa's earlier work taken out, walked into text.
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut replaced = tifa_ids.len();
    for (i, part) in stories.iter().enumerate() {
        let xml = budget.read(part, zip.by_name(part)?)?;
        if i == 0 && !xml.contains(&format!("xmlns:w=\"{MAIN_NS}\"")) {
            return Err(part_error(
                part,
                "the document does not use the w: prefix for WordprocessingML; not reviewed".into(),
            ));
        }
        let (stripped, n) = strip(&xml, &tifa_ids).map_err(|m| part_error(part, m))?;
        replaced += n;
        if i > 0 {
            text.push('\n');
        }
        let offset = text.len();
        let mut map = PartMap::default();
        super::docx::walk(&stripped, &mut text, Some(&mut map)).map_err(|m| part_error(part, m))?;
        parts.push(Story {
            name: part.clone(),
            changed: stripped != xml,
            xml: stripped,
            map,
            offset,
            end: text.len(),
        });
    }

    let findings = engine.check(name, &text, opts.lang);
    let mut ids = Ids {
        next: 1 + max_id(
            parts
                .iter()
                .map(|p| p.xml.as_str())
                .chain(comments_xml.as_deref()),
        ),
    };
    let mut out = Outcome::default();
    let mut plans: Vec<Plan> = parts.iter().map(|_| Plan::default()).collect();
    let mut changed_spans: Vec<Range<usize>> = Vec::new();
    for f in &findings {
        let span = f.finding.start..f.finding.end;
        let Some(p) = parts
            .iter()
            .position(|p| p.offset <= span.start && span.end <= p.end)
        else {
            out.not_placed += 1;
            continue;
        };
        let story = &parts[p];
        let comments_here = opts.comments && story.takes_comments();
        let wants_change = opts.changes && f.finding.fixable && f.finding.suggestion.is_some();
        let overlaps = changed_spans
            .iter()
            .any(|s| s.start < span.end && span.start < s.end);
        let trackable = story.trackable(&span);
        let change = wants_change && !overlaps && trackable.is_ok();
        if !change && !comments_here {
            out.not_placed += 1;
            continue;
        }
        if !story.anchorable(&span) {
            out.not_placed += 1;
            continue;
        }
        let mut note = None;
        if wants_change && !change {
            note = Some(match (&trackable, opts.lang) {
                (Err(why), Lang::En) => format!("Not marked as a tracked change: {}.", why.en()),
                (Err(why), Lang::Zh) => format!("未作修订标记：{}。", why.zh()),
                (Ok(()), Lang::En) => {
                    "Not marked as a tracked change: it overlaps another change.".into()
                }
                (Ok(()), Lang::Zh) => "未作修订标记：与另一处修订重叠。".into(),
            });
            if comments_here {
                out.comment_only += 1;
            }
        }
        let comment = comments_here.then(|| {
            let id = ids.take();
            out.comments.push(comment_xml(
                id,
                &finding_text(engine, f, note.as_deref(), opts.lang),
                opts,
            ));
            id
        });
        let change = change.then(|| {
            changed_spans.push(span.clone());
            out.changes += 1;
            Change {
                ins: ids.take(),
                text: f.finding.suggestion.clone().unwrap_or_default(),
            }
        });
        plans[p].marks.push(Mark {
            span,
            comment,
            change,
        });
    }
    if opts.terms && opts.comments {
        for m in engine.scan(&text) {
            let span = m.hit.start..m.hit.end;
            let Some(p) = parts
                .iter()
                .position(|p| p.offset <= span.start && span.end <= p.end)
            else {
                continue;
            };
            if !parts[p].takes_comments() || !parts[p].anchorable(&span) {
                continue;
            }
            let entry = engine.lexicon().entry(m.hit.entry);
            let body = match opts.lang {
                Lang::Zh => format!("【{}】{}", entry.term, entry.definition),
                Lang::En => match &entry.en {
                    Some(en) => format!("[{}] {en}: {}", entry.term, entry.definition),
                    None => format!("[{}] {}", entry.term, entry.definition),
                },
            };
            let id = ids.take();
            out.comments.push(comment_xml(id, &body, opts));
            plans[p].marks.push(Mark {
                span,
                comment: Some(id),
                change: None,
            });
        }
    }

    // The new parts.
    let mut new_parts: Vec<(String, String)> = Vec::new();
    for (story, plan) in parts.iter().zip(&plans) {
        if plan.marks.is_empty() && !story.changed {
            continue;
        }
        let xml = render(story, plan, opts, &mut ids);
        new_parts.push((story.name.clone(), xml));
    }
    let wrote_comments = !out.comments.is_empty();
    let mut added = Vec::new();
    match comments_xml {
        Some(xml) => {
            let xml =
                insert_comments(&xml, &out.comments).map_err(|m| part_error(COMMENTS_PART, m))?;
            new_parts.push((COMMENTS_PART.into(), xml));
        }
        None if wrote_comments => {
            added.push((
                COMMENTS_PART.to_owned(),
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:comments xmlns:w=\"{MAIN_NS}\">{}</w:comments>",
                    out.comments.concat()
                ),
            ));
            let rels = "word/_rels/document.xml.rels";
            let xml = budget.read(rels, zip.by_name(rels)?)?;
            new_parts.push((rels.into(), add_relationship(&xml)));
            let types = "[Content_Types].xml";
            let xml = budget.read(types, zip.by_name(types)?)?;
            new_parts.push((types.into(), add_content_type(&xml)));
        }
        None => {}
    }

    let bytes = write_zip(&mut zip, &new_parts, &added)?;
    Ok(Reviewed {
        bytes,
        findings,
        comments: out.comments.len(),
        changes: out.changes,
        comment_only: out.comment_only,
        not_placed: out.not_placed,
        replaced,
    })
}

fn part_error(part: &str, message: String) -> DocxError {
    DocxError::Part {
        part: part.to_owned(),
        message,
    }
}

/// The uncompressed bytes read so far, against the limits.
struct Budget {
    limits: Limits,
    total: u64,
}

impl Budget {
    fn read<R: Read>(
        &mut self,
        part: &str,
        file: zip::read::ZipFile<'_, R>,
    ) -> Result<String, DocxError> {
        let room = self
            .limits
            .part
            .min(self.limits.total.saturating_sub(self.total));
        let mut bytes = Vec::new();
        file.take(room + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| part_error(part, e.to_string()))?;
        if bytes.len() as u64 > room {
            return Err(DocxError::TooLarge {
                what: part.to_owned(),
                limit: format!("{room} bytes"),
            });
        }
        self.total += bytes.len() as u64;
        String::from_utf8(bytes).map_err(|e| {
            part_error(
                part,
                format!("not UTF-8 near byte {}", e.utf8_error().valid_up_to()),
            )
        })
    }
}

#[derive(Default)]
struct Outcome {
    comments: Vec<String>,
    changes: usize,
    comment_only: usize,
    not_placed: usize,
}

struct Ids {
    next: u64,
}

impl Ids {
    fn take(&mut self) -> u64 {
        self.next += 1;
        self.next - 1
    }
}

/// The largest `w:id` in the parts, so new ids are unique.
fn max_id<'a>(xmls: impl Iterator<Item = &'a str>) -> u64 {
    let mut max = 0;
    for xml in xmls {
        for (i, _) in xml.match_indices("w:id=\"") {
            let digits: String = xml[i + 6..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse::<u64>() {
                max = max.max(n);
            }
        }
    }
    max
}

/// One story part, as reviewed.
struct Story {
    name: String,
    /// The part with tifa's earlier work taken out.
    xml: String,
    /// Whether that took anything out.
    changed: bool,
    map: PartMap,
    /// Where its text begins and ends in the document's text.
    offset: usize,
    end: usize,
}

/// Why a finding's change cannot be tracked.
#[derive(Debug)]
enum Untrackable {
    Paragraphs,
    Nested,
    NotText,
}

impl Untrackable {
    fn en(&self) -> &'static str {
        match self {
            Untrackable::Paragraphs => "the text runs across paragraphs",
            Untrackable::Nested => "the text lies in a field, hyperlink or another revision",
            Untrackable::NotText => "the text holds something other than characters",
        }
    }

    fn zh(&self) -> &'static str {
        match self {
            Untrackable::Paragraphs => "该处文字跨越段落",
            Untrackable::Nested => "该处文字位于域、超链接或他人的修订之中",
            Untrackable::NotText => "该处含有文字以外的内容",
        }
    }
}

impl Story {
    /// Word shows comments in the body, footnotes and endnotes only.
    fn takes_comments(&self) -> bool {
        !(self.name.starts_with("word/header") || self.name.starts_with("word/footer"))
    }

    /// The segments a span of the document's text covers.
    fn segments(&self, span: &Range<usize>) -> impl Iterator<Item = &Seg> {
        let (a, b) = (span.start - self.offset, span.end - self.offset);
        self.map
            .segs
            .iter()
            .filter(move |s| s.at < b && a < s.at + s.len)
    }

    /// Every piece of the span's text is in a run (so markers can go
    /// beside); the paragraph breaks between have none.
    fn anchorable(&self, span: &Range<usize>) -> bool {
        let mut any = false;
        for s in self.segments(span) {
            match s.run {
                Some(r) if !self.map.runs[r].frozen => any = true,
                _ => return false,
            }
        }
        any
    }

    fn trackable(&self, span: &Range<usize>) -> Result<(), Untrackable> {
        let mut para = None;
        for s in self.segments(span) {
            let Some(r) = s.run else {
                return Err(Untrackable::NotText);
            };
            let run = &self.map.runs[r];
            if *para.get_or_insert(run.para) != run.para {
                return Err(Untrackable::Paragraphs);
            }
            if !run.direct {
                return Err(Untrackable::Nested);
            }
        }
        // Nothing but text between the span's first and last character.
        let (a, b) = (span.start - self.offset, span.end - self.offset);
        for run in &self.map.runs {
            for c in &run.children {
                if matches!(c.kind, Kind::Other) && a < c.at && c.at < b {
                    return Err(Untrackable::NotText);
                }
            }
        }
        Ok(())
    }
}

/// Where the text of one part comes from, filled by the walk of
/// [`super::docx::walk`].
#[derive(Debug, Default)]
pub(crate) struct PartMap {
    pub(crate) runs: Vec<RunInfo>,
    pub(crate) segs: Vec<Seg>,
}

/// One `w:r`.
#[derive(Debug)]
pub(crate) struct RunInfo {
    /// The whole element in the part.
    pub(crate) raw: Range<usize>,
    /// Its start tag.
    pub(crate) tag: Range<usize>,
    /// Its `w:rPr`, if any.
    pub(crate) rpr: Option<Range<usize>>,
    /// A child of the paragraph itself (not of a hyperlink, field, revision).
    pub(crate) direct: bool,
    /// Holds a text box's paragraphs: never rewritten.
    pub(crate) frozen: bool,
    /// The paragraph it is in (counted from 0 in the part).
    pub(crate) para: usize,
    /// Its children but `w:rPr`, in order.
    pub(crate) children: Vec<Child>,
}

/// A child of a run.
#[derive(Debug)]
pub(crate) struct Child {
    pub(crate) kind: Kind,
    /// The element in the part.
    pub(crate) raw: Range<usize>,
    /// Where it is in the part's text (its first character, or where it
    /// stands for one that has none).
    pub(crate) at: usize,
}

#[derive(Debug)]
pub(crate) enum Kind {
    /// `w:t`, with its text.
    Text(String),
    /// `w:tab`, `w:br`, `w:cr`: one character of the text.
    Char,
    /// Anything else: no text.
    Other,
}

/// A stretch of a part's text from one element.
#[derive(Debug)]
pub(crate) struct Seg {
    /// Byte offset in the part's text.
    pub(crate) at: usize,
    pub(crate) len: usize,
    /// The run it is in, if it is in one.
    pub(crate) run: Option<usize>,
}

#[derive(Default)]
struct Plan {
    marks: Vec<Mark>,
}

/// What goes on one span.
struct Mark {
    /// In the document's text.
    span: Range<usize>,
    comment: Option<u64>,
    change: Option<Change>,
}

struct Change {
    /// The insertion's id (each deleted run gets its own when written).
    ins: u64,
    text: String,
}

/// A marker put between pieces of runs, at an offset of the part's text.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Marker {
    // At one offset, what closes comes before what opens.
    Insert(usize),
    CommentEnd(u64),
    CommentStart(u64),
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// The part with the plan's markers and changes.
fn render(story: &Story, plan: &Plan, opts: &Options, ids: &mut Ids) -> String {
    let xml = &story.xml;
    let map = &story.map;
    // Cut points, markers and deleted stretches, in the part's text.
    let mut cuts: BTreeSet<usize> = BTreeSet::new();
    let mut deleted: Vec<Range<usize>> = Vec::new();
    // Markers: (offset, run that carries it, before or after that offset's
    // piece, marker).
    let mut markers: Vec<(usize, usize, Marker)> = Vec::new();
    for (k, m) in plan.marks.iter().enumerate() {
        let (a, b) = (m.span.start - story.offset, m.span.end - story.offset);
        cuts.insert(a);
        cuts.insert(b);
        let runs: Vec<usize> = story.segments(&m.span).filter_map(|s| s.run).collect();
        let (Some(&first), Some(&last)) = (runs.first(), runs.last()) else {
            continue;
        };
        if let Some(id) = m.comment {
            markers.push((a, first, Marker::CommentStart(id)));
            markers.push((b, last, Marker::CommentEnd(id)));
        }
        if m.change.is_some() {
            deleted.push(a..b);
            markers.push((b, last, Marker::Insert(k)));
        }
    }
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let touched: BTreeSet<usize> = markers.iter().map(|&(_, r, _)| r).collect();
    let mut first_rpr: std::collections::HashMap<usize, Option<Range<usize>>> =
        std::collections::HashMap::new();
    for (k, m) in plan.marks.iter().enumerate() {
        if m.change.is_some() {
            let first = story.segments(&m.span).find_map(|s| s.run);
            first_rpr.insert(k, first.and_then(|r| map.runs[r].rpr.clone()));
        }
    }
    // Runs wholly inside a deleted stretch need rewriting too.
    let mut runs: BTreeSet<usize> = touched;
    for (r, run) in map.runs.iter().enumerate() {
        if run.frozen {
            continue;
        }
        let (start, end) = run_text(run);
        if deleted.iter().any(|d| d.start < end && start < d.end)
            || cuts.iter().any(|&c| start < c && c < end)
        {
            runs.insert(r);
        }
    }
    for r in runs {
        let run = &map.runs[r];
        let (start, end) = run_text(run);
        let tag = &xml[run.tag.clone()];
        let rpr = run.rpr.clone().map_or("", |p| &xml[p]);
        let mut out = String::new();
        // Pieces between the cuts inside the run.
        let mut bounds: Vec<usize> = vec![start];
        bounds.extend(cuts.iter().copied().filter(|&c| start < c && c < end));
        bounds.push(end);
        let emit_markers = |out: &mut String, at: usize, closing: bool| {
            let mut here: Vec<&Marker> = markers
                .iter()
                .filter(|(o, rr, mk)| {
                    *o == at && *rr == r && closing == !matches!(mk, Marker::CommentStart(_))
                })
                .map(|(_, _, mk)| mk)
                .collect();
            here.sort();
            for mk in here {
                match mk {
                    Marker::CommentStart(id) => {
                        out.push_str(&format!("<w:commentRangeStart w:id=\"{id}\"/>"));
                    }
                    Marker::CommentEnd(id) => out.push_str(&format!(
                        "<w:commentRangeEnd w:id=\"{id}\"/><w:r><w:commentReference w:id=\"{id}\"/></w:r>"
                    )),
                    Marker::Insert(k) => {
                        let m = &plan.marks[*k];
                        if let Some(c) = &m.change {
                            let rpr = first_rpr
                                .get(k)
                                .cloned()
                                .flatten()
                                .map_or("", |p| &xml[p]);
                            out.push_str(&format!(
                                "<w:ins w:id=\"{}\" w:author=\"{AUTHOR}\" w:date=\"{}\"><w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:ins>",
                                c.ins,
                                esc(&opts.date),
                                esc(&c.text)
                            ));
                        }
                    }
                }
            }
        };
        // Zero-width children at a cut go to the piece that is not
        // deleted.
        let is_deleted = |a: usize, b: usize| -> Option<()> {
            deleted
                .iter()
                .any(|d| d.start <= a && b <= d.end && a < b)
                .then_some(())
        };
        let nb = bounds.len() - 1;
        for w in 0..nb {
            let (a, b) = (bounds[w], bounds[w + 1]);
            let del = is_deleted(a, b);
            let mut body = String::new();
            for c in &run.children {
                let (ca, cb) = (c.at, c.at + child_len(c));
                match &c.kind {
                    Kind::Text(t) => {
                        let (lo, hi) = (ca.max(a), cb.min(b));
                        if lo >= hi {
                            continue;
                        }
                        let piece = &t[lo - ca..hi - ca];
                        if del.is_none() && lo == ca && hi == cb {
                            body.push_str(&xml[c.raw.clone()]);
                        } else if del.is_some() {
                            body.push_str(&format!(
                                "<w:delText xml:space=\"preserve\">{}</w:delText>",
                                esc(piece)
                            ));
                        } else {
                            body.push_str(&format!(
                                "<w:t xml:space=\"preserve\">{}</w:t>",
                                esc(piece)
                            ));
                        }
                    }
                    Kind::Char => {
                        if a <= ca && cb <= b {
                            body.push_str(&xml[c.raw.clone()]);
                        }
                    }
                    Kind::Other => {
                        // In this piece if strictly inside, or at an edge
                        // and this piece is the kept side (the first kept
                        // piece that touches it).
                        let inside = a < ca && ca < b;
                        let at_edge = (ca == a || ca == b) && del.is_none();
                        let earlier_kept = (0..w).any(|v| {
                            let (pa, pb) = (bounds[v], bounds[v + 1]);
                            (ca == pa || ca == pb) && is_deleted(pa, pb).is_none()
                        });
                        let only = nb == 1;
                        if only || inside || (at_edge && !earlier_kept) {
                            body.push_str(&xml[c.raw.clone()]);
                        }
                    }
                }
            }
            emit_markers(&mut out, a, false);
            if !body.is_empty() || nb == 1 {
                let piece = format!("{tag}{rpr}{body}</w:r>");
                match del {
                    Some(()) => out.push_str(&format!(
                        "<w:del w:id=\"{}\" w:author=\"{AUTHOR}\" w:date=\"{}\">{}</w:del>",
                        ids.take(),
                        esc(&opts.date),
                        piece
                    )),
                    None => out.push_str(&piece),
                }
            }
            emit_markers(&mut out, b, true);
        }
        edits.push((run.raw.clone(), out));
    }
    apply(xml, edits)
}

/// Where a run's text begins and ends in its part's text.
fn run_text(run: &RunInfo) -> (usize, usize) {
    let start = run.children.first().map_or(0, |c| c.at);
    let end = run
        .children
        .iter()
        .map(|c| c.at + child_len(c))
        .max()
        .unwrap_or(start);
    (start, end)
}

fn child_len(c: &Child) -> usize {
    match &c.kind {
        Kind::Text(t) => t.len(),
        Kind::Char => 1,
        Kind::Other => 0,
    }
}

/// `xml` with each range replaced (ranges sorted, not overlapping).
fn apply(xml: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(xml.len() + edits.len() * 200);
    let mut at = 0;
    for (r, s) in edits {
        if r.start < at {
            continue;
        }
        out.push_str(&xml[at..r.start]);
        out.push_str(&s);
        at = r.end;
    }
    out.push_str(&xml[at..]);
    out
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(std::borrow::Cow::into_owned)
        })
}

/// `word/comments.xml` without tifa's comments, and their ids.
fn strip_comments(xml: &str) -> Result<(String, HashSet<String>), String> {
    let mut reader = Reader::from_str(xml);
    let mut ids = HashSet::new();
    let mut edits = Vec::new();
    let mut open: Option<(usize, usize)> = None; // start, depth
    let mut depth = 0usize;
    loop {
        let (before, ev, after) = super::docx::next_event(&mut reader)?;
        match ev {
            Event::Start(e) => {
                depth += 1;
                if e.name().as_ref() == "w:comment"
                    && attr(&e, "w:author").as_deref() == Some(AUTHOR)
                    && open.is_none()
                {
                    if let Some(id) = attr(&e, "w:id") {
                        ids.insert(id);
                    }
                    open = Some((before, depth));
                }
            }
            Event::End(_) => {
                if let Some((start, d)) = open
                    && d == depth
                {
                    edits.push((start..after, String::new()));
                    open = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Empty(e)
                if e.name().as_ref() == "w:comment"
                    && attr(&e, "w:author").as_deref() == Some(AUTHOR)
                    && open.is_none() =>
            {
                if let Some(id) = attr(&e, "w:id") {
                    ids.insert(id);
                }
                edits.push((before..after, String::new()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((apply(xml, edits), ids))
}

/// A story part without tifa's insertions, with its deletions restored,
/// and without the anchors of tifa's comments; how many changes (an
/// insertion each) were taken out.
fn strip(xml: &str, comment_ids: &HashSet<String>) -> Result<(String, usize), String> {
    let mut reader = Reader::from_str(xml);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut n = 0;
    let mut depth = 0usize;
    // An element being removed whole: (start, depth).
    let mut removing: Option<(usize, usize)> = None;
    // tifa's deletions open, by depth.
    let mut dels: Vec<usize> = Vec::new();
    // A run that may hold only a reference to a tifa comment.
    let mut run: Option<(usize, usize, bool, bool)> = None; // start, depth, has ref, has other
    loop {
        let (before, ev, after) = super::docx::next_event(&mut reader)?;
        match ev {
            Event::Start(e) => {
                depth += 1;
                if removing.is_some() {
                    continue;
                }
                let name = e.name();
                let tifa = attr(&e, "w:author").as_deref() == Some(AUTHOR);
                match name.as_ref() {
                    "w:ins" if tifa => {
                        removing = Some((before, depth));
                        n += 1;
                    }
                    "w:del" if tifa => {
                        edits.push((before..after, String::new()));
                        dels.push(depth);
                    }
                    "w:delText" if !dels.is_empty() => {
                        let tag = &xml[before..after];
                        edits.push((before..after, tag.replacen("<w:delText", "<w:t", 1)));
                    }
                    "w:r" => run = Some((before, depth, false, false)),
                    "w:rPr" => {}
                    _ => {
                        if let Some(r) = run.as_mut()
                            && depth == r.1 + 1
                        {
                            r.3 = true;
                        }
                    }
                }
            }
            Event::End(e) => {
                if let Some((start, d)) = removing {
                    if d == depth {
                        edits.push((start..after, String::new()));
                        removing = None;
                    }
                    depth = depth.saturating_sub(1);
                    continue;
                }
                match e.name().as_ref() {
                    "w:del" if dels.last() == Some(&depth) => {
                        dels.pop();
                        edits.push((before..after, String::new()));
                    }
                    "w:delText" if !dels.is_empty() => {
                        edits.push((before..after, "</w:t>".into()));
                    }
                    "w:r" => {
                        if let Some((start, d, has_ref, other)) = run
                            && d == depth
                        {
                            if has_ref && !other {
                                edits.retain(|(r, _)| r.start < start);
                                edits.push((start..after, String::new()));
                            }
                            run = None;
                        }
                    }
                    _ => {}
                }
                depth = depth.saturating_sub(1);
            }
            Event::Empty(e) => {
                if removing.is_some() {
                    continue;
                }
                let id = attr(&e, "w:id");
                let ours = id.as_ref().is_some_and(|i| comment_ids.contains(i));
                match e.name().as_ref() {
                    "w:commentRangeStart" | "w:commentRangeEnd" if ours => {
                        edits.push((before..after, String::new()));
                    }
                    "w:commentReference" if ours => {
                        if let Some(r) = run.as_mut() {
                            r.2 = true;
                        }
                        edits.push((before..after, String::new()));
                    }
                    "w:ins" | "w:del" if attr(&e, "w:author").as_deref() == Some(AUTHOR) => {
                        edits.push((before..after, String::new()));
                    }
                    _ => {
                        if let Some(r) = run.as_mut()
                            && depth == r.1
                            && e.name().as_ref() != "w:rPr"
                        {
                            r.3 = true;
                        }
                    }
                }
            }
            Event::Text(_) | Event::GeneralRef(_) => {}
            Event::Eof => break,
            _ => {}
        }
    }
    // Deletions restored leave split runs: the text is the original's.
    Ok((apply(xml, edits), n))
}

fn comment_xml(id: u64, body: &str, opts: &Options) -> String {
    let paras: String = body
        .split('\n')
        .map(|line| {
            format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                esc(line)
            )
        })
        .collect();
    format!(
        "<w:comment w:id=\"{id}\" w:author=\"{AUTHOR}\" w:date=\"{}\" w:initials=\"{INITIALS}\">{paras}</w:comment>",
        esc(&opts.date)
    )
}

fn finding_text(engine: &Engine, f: &Located, note: Option<&str>, lang: Lang) -> String {
    let mut lines = vec![format!("[{}] {}", f.finding.rule.id(), f.message)];
    if let Some(s) = &f.finding.suggestion {
        lines.push(match lang {
            Lang::Zh => format!("建议：{s}"),
            Lang::En => format!("Suggestion: {s}"),
        });
    }
    if let Some(i) = f.finding.entry {
        let e = engine.lexicon().entry(i);
        lines.push(match lang {
            Lang::Zh => format!("释义（{}）：{}", e.term, e.definition),
            Lang::En => format!("{}: {}", e.term, e.en.as_deref().unwrap_or(&e.definition)),
        });
    }
    if let Some(n) = note {
        lines.push(n.to_owned());
    }
    lines.join("\n")
}

fn insert_comments(xml: &str, comments: &[String]) -> Result<String, String> {
    if comments.is_empty() {
        return Ok(xml.to_owned());
    }
    if let Some(i) = xml.rfind("</w:comments>") {
        return Ok(format!("{}{}{}", &xml[..i], comments.concat(), &xml[i..]));
    }
    // `<w:comments .../>`: no comments yet.
    if let Some(i) = xml.rfind("/>").filter(|_| xml.contains("<w:comments")) {
        return Ok(format!(
            "{}>{}</w:comments>{}",
            &xml[..i],
            comments.concat(),
            &xml[i + 2..]
        ));
    }
    Err("no w:comments element".into())
}

fn add_relationship(xml: &str) -> String {
    let mut n = 1;
    while xml.contains(&format!("Id=\"rIdTifa{n}\"")) {
        n += 1;
    }
    let rel = format!(
        "<Relationship Id=\"rIdTifa{n}\" Type=\"{COMMENTS_REL}\" Target=\"comments.xml\"/>"
    );
    match xml.rfind("</Relationships>") {
        Some(i) => format!("{}{rel}{}", &xml[..i], &xml[i..]),
        None => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rel}</Relationships>"
        ),
    }
}

fn add_content_type(xml: &str) -> String {
    if xml.contains("PartName=\"/word/comments.xml\"") {
        return xml.to_owned();
    }
    let over =
        format!("<Override PartName=\"/word/comments.xml\" ContentType=\"{COMMENTS_TYPE}\"/>");
    match xml.rfind("</Types>") {
        Some(i) => format!("{}{over}{}", &xml[..i], &xml[i..]),
        None => xml.to_owned(),
    }
}

/// The archive again: the new parts written, every other entry copied
/// as it was (compressed bytes and all), the added parts at the end.
fn write_zip<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    new_parts: &[(String, String)],
    added: &[(String, String)],
) -> Result<Vec<u8>, DocxError> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let io = |e: std::io::Error| DocxError::Part {
        part: "the new document".into(),
        message: e.to_string(),
    };
    for i in 0..zip.len() {
        let name = zip.by_index_raw(i)?.name()?.into_owned();
        if let Some((_, xml)) = new_parts.iter().find(|(n, _)| *n == name) {
            let file = zip.by_index_raw(i)?;
            let opts = match file.last_modified() {
                Some(t) => opts.last_modified_time(t),
                None => opts,
            };
            drop(file);
            out.start_file(name, opts)?;
            out.write_all(xml.as_bytes()).map_err(io)?;
        } else {
            let file = zip.by_index_raw(i)?;
            out.raw_copy_file(file)?;
        }
    }
    for (name, xml) in added {
        out.start_file(name.clone(), opts)?;
        out.write_all(xml.as_bytes()).map_err(io)?;
    }
    Ok(out.finish()?.into_inner())
}

/// Now as `YYYY-MM-DDTHH:MM:SSZ` (UTC), the date Word writes.
#[must_use]
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    date_of(secs)
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
fn date_of(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Days to civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_of(0), "1970-01-01T00:00:00Z");
        assert_eq!(date_of(1_796_169_600), "2026-12-02T00:00:00Z");
        assert_eq!(date_of(951_782_400 + 3661), "2000-02-29T01:01:01Z");
    }
}
