//! What the server answers about one document: diagnostics (the findings
//! of `tifa check`), hovers (the glossary entry of a term) and code actions
//! (the fixes of `tifa check --fix`, and look-ups).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Diagnostic, DiagnosticSeverity,
    Hover, HoverContents, MarkupContent, MarkupKind, NumberOrString, Position, Range, TextEdit,
    WorkspaceEdit,
};
use serde_json::json;

use super::document::Document;
use super::position::{Encoding, Lines};
use super::workspace::Setup;
use crate::check::{self, Finding, Lang, Located, Severity};
use crate::lexicon::{FormKind, Lexicon};
use crate::report::markdown;
use crate::text::{Positions, Source};

/// The command that shows a glossary entry: arguments `[query, uri?]`.
pub(crate) const LOOKUP: &str = "tifa.lookup";

/// A document checked once, with everything the answers need.
pub(crate) struct Checked<'e> {
    engine: &'e Setup,
    src: Source,
    findings: Vec<Finding>,
    lang: Lang,
    encoding: Encoding,
}

impl<'e> Checked<'e> {
    /// Checks `doc` as `tifa check` would, for messages in `lang` and
    /// positions in `encoding`.
    pub(crate) fn new(engine: &'e Setup, doc: &Document, lang: Lang, encoding: Encoding) -> Self {
        let src = doc.source();
        let findings = match engine.checker() {
            Some(c) if engine.checks(doc.path.as_deref()) => c.check_document(&src.path, &src.text),
            _ => Vec::new(),
        };
        Checked {
            engine,
            src,
            findings,
            lang,
            encoding,
        }
    }

    fn positions(&self) -> Positions<'_> {
        Positions::of(&self.src)
    }

    /// LSP positions in the reported text (the HTML source for HTML).
    fn lines(&self) -> Lines<'_> {
        Lines::new(self.positions().reported(), self.encoding)
    }

    /// The findings as `tifa check` reports them.
    fn located(&self) -> Vec<Located> {
        check::locate(
            &self.src.text,
            &self.positions(),
            &self.findings,
            self.engine.lexicon(),
            self.lang,
        )
    }

    fn diagnostic(&self, lines: &Lines<'_>, item: &Located) -> Diagnostic {
        let f = &item.finding;
        let term = f
            .entry
            .map(|e| self.engine.lexicon().entry(e).term.as_str());
        Diagnostic {
            range: lines.range(item.span.byte_start, item.span.byte_end),
            severity: Some(match f.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Info => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(f.rule.id().to_owned())),
            source: Some("tifa".to_owned()),
            message: item.message.clone(),
            data: Some(json!({
                "id": item.id,
                "term": term,
                "matched": item.matched,
                "suggestion": f.suggestion,
                "fixable": f.fixable,
            })),
            ..Diagnostic::default()
        }
    }
}

/// An entry met at a place of the document: by one of its forms, or by a
/// finding about it.
struct Met {
    entry: usize,
    /// Byte range in the reported text (the HTML source for HTML).
    start: usize,
    end: usize,
}

/// An entry as Markdown: its term and category, then the fields of the
/// glossary (`lexicon export --format markdown`).
fn entry_markdown(text: &mut String, lexicon: &Lexicon, index: usize) {
    let e = lexicon.entry(index);
    let mut out = Vec::new();
    let related = |id: &str| {
        lexicon
            .get(id)
            .map_or_else(|| markdown::escape(id), |r| markdown::escape(&r.term))
    };
    let written = markdown::entry_body(&mut out, e, &related);
    text.push_str(&format!(
        "**{}** · {}\n\n",
        markdown::escape(&e.term),
        markdown::escape(&e.category)
    ));
    if written.is_ok() {
        text.push_str(&String::from_utf8_lossy(&out));
    }
}

impl Checked<'_> {
    /// The diagnostics of the document.
    pub(crate) fn diagnostics(&self) -> Vec<Diagnostic> {
        let lines = self.lines();
        self.located()
            .iter()
            .map(|item| self.diagnostic(&lines, item))
            .collect()
    }

    /// Every entry whose form or finding lies in the document, innermost
    /// first where they nest.
    fn met(&self) -> Vec<Met> {
        let positions = self.positions();
        let hits = self.engine.engine.scanner().hits(&self.src.text);
        let mut met: Vec<Met> = hits
            .iter()
            .filter(|h| !matches!(h.kind, FormKind::Part | FormKind::Piece))
            .map(|h| (h.entry, h.start, h.end))
            .chain(
                self.findings
                    .iter()
                    .filter_map(|f| Some((f.entry?, f.start, f.end))),
            )
            .map(|(entry, start, end)| {
                let span = positions.span(start, end);
                Met {
                    entry,
                    start: span.byte_start,
                    end: span.byte_end,
                }
            })
            .collect();
        met.sort_by_key(|m| (m.end.saturating_sub(m.start), m.start, m.entry));
        met
    }

    /// The hover at `position`: the message of a finding there, and the
    /// glossary entry of every term there (the term itself, one nested
    /// inside it, or the entry a wrong form belongs to).
    pub(crate) fn hover(&self, position: Position) -> Option<Hover> {
        let lines = self.lines();
        let at = lines.offset(position);
        let covers = |start: usize, end: usize| start <= at && at < end;
        let met: Vec<Met> = self
            .met()
            .into_iter()
            .filter(|m| covers(m.start, m.end))
            .collect();
        let first = met.first()?;
        let mut range = (first.start, first.end);
        let mut text = String::new();
        for item in self.located() {
            if covers(item.span.byte_start, item.span.byte_end) {
                text.push_str(&format!(
                    "{}`{}`：{}\n\n",
                    match item.finding.severity {
                        Severity::Error => "⛔ ",
                        Severity::Warning => "⚠ ",
                        Severity::Info => "ℹ ",
                    },
                    item.finding.rule.id(),
                    markdown::escape(&item.message)
                ));
                range = (item.span.byte_start, item.span.byte_end);
            }
        }
        let mut shown: Vec<usize> = Vec::new();
        for m in &met {
            if shown.contains(&m.entry) {
                continue;
            }
            if !shown.is_empty() {
                text.push_str("\n---\n\n");
            }
            shown.push(m.entry);
            entry_markdown(&mut text, self.engine.lexicon(), m.entry);
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text.trim_end().to_owned(),
            }),
            range: Some(lines.range(range.0, range.1)),
        })
    }

    /// The code actions for `range`: for each finding there with a
    /// suggestion, a quick fix putting it in place (preferred when
    /// `tifa check --fix` would apply it); for each entry met there, a
    /// look-up.
    pub(crate) fn code_actions(&self, doc: &Document, range: Range) -> Vec<CodeActionOrCommand> {
        let positions = self.positions();
        let lines = self.lines();
        let (from, to) = (lines.offset(range.start), lines.offset(range.end));
        let touches = |start: usize, end: usize| start <= to && from <= end;
        let located = self.located();
        let by_span: HashMap<(usize, usize, check::Rule), &Located> = located
            .iter()
            .map(|l| ((l.span.byte_start, l.span.byte_end, l.finding.rule), l))
            .rev()
            .collect();
        let mut actions = Vec::new();
        // The fixes in the document's own text, as `--fix` writes them.
        let (_, fixes) = check::fix::in_source(&self.src, &positions, &self.findings);
        for fix in fixes.iter().filter(|f| touches(f.start, f.end)) {
            let Some(suggestion) = &fix.suggestion else {
                continue;
            };
            let item = by_span.get(&(fix.start, fix.end, fix.rule)).copied();
            let edit_range = lines.range(fix.start, fix.end);
            let title = match self.lang {
                Lang::Zh => format!("替换为规范提法：{suggestion}"),
                Lang::En => format!("Replace with the canonical form: {suggestion}"),
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: item.map(|i| vec![self.diagnostic(&lines, i)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(
                        doc.uri.clone(),
                        vec![TextEdit {
                            range: edit_range,
                            new_text: suggestion.clone(),
                        }],
                    )])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(fix.fixable),
                ..CodeAction::default()
            }));
        }
        let mut looked: Vec<usize> = Vec::new();
        for m in self.met() {
            if !touches(m.start, m.end) || looked.contains(&m.entry) {
                continue;
            }
            looked.push(m.entry);
            let e = self.engine.lexicon().entry(m.entry);
            let title = match self.lang {
                Lang::Zh => format!("查看词条：{}", e.term),
                Lang::En => format!("Look up: {}", e.term),
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: title.clone(),
                command: Some(Command {
                    title,
                    command: LOOKUP.to_owned(),
                    arguments: Some(vec![json!(e.term), json!(doc.uri.as_str())]),
                }),
                ..CodeAction::default()
            }));
        }
        actions
    }
}

/// What the look-up command shows: the cards `tifa lookup QUERY` prints,
/// and the JSON of `tifa lookup --format json QUERY`; `None` when nothing
/// matches (close terms only are not an answer).
pub(crate) fn lookup(engine: &Setup, query: &str) -> Option<(String, serde_json::Value)> {
    let lexicon = engine.lexicon();
    let found = crate::lookup::lookup(lexicon, query, crate::lookup::Options::default());
    if !found.iter().any(|f| f.mode != crate::lookup::Mode::Fuzzy) {
        return None;
    }
    let mut text = Vec::new();
    let mut wire = Vec::new();
    crate::report::human::lookup(&mut text, lexicon, query, &found).ok()?;
    crate::report::json::lookup(&mut wire, lexicon, Some(query), &found).ok()?;
    let value = serde_json::from_slice(&wire).ok()?;
    Some((String::from_utf8_lossy(&text).trim_end().to_owned(), value))
}
