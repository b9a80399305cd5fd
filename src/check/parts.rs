//! Multi-part slogans quoted with a part missing, with the parts in another
//! order, or with other separators between the parts.
//!
//! Each part of every multi-part term (`省级主责`, `市县主战`, `派出所主防` of
//! `省级主责、市县主战、派出所主防`) is a pattern of the checker's automaton.
//! Hits of one slogan's parts that follow each other, separated only by a
//! short run of separators (`、` `,` `+` `;` `·` `/`, spaces), form a *run*.
//! A run of every part, in order, is the slogan with other separators; a run
//! of every part in another order is `part-order`; a run that lacks exactly
//! one part of a slogan of four or more parts, uses the slogan's own
//! separator, fits no other slogan, and is not one stretch of a longer
//! enumeration (`…、从严治警、从优待警`), is `missing-part`. Three-part
//! slogans are left out of `missing-part`: two of three items is an
//! ordinary enumeration (`做实主动警务、预防警务` is not a misquote of
//! `主动警务、预防警务、融合警务`); known partial misquotes of them belong in
//! the lexicon as wrong forms. Parts inside a
//! longer lexicon form (the whole slogan, a wrong form) are not looked at,
//! and one part on its own is never a finding.

use super::{Detail, Finding, Rule, Why};
use crate::lexicon::{FormKind, Lexicon};
use crate::scan::Hit;
use crate::text::normalize;

/// The multi-part terms of a lexicon and their parts, normalized.
#[derive(Debug, Clone)]
pub(super) struct Slogans {
    /// `(entry, parts, separator)` for each term of two or more parts.
    slogans: Vec<(usize, Vec<String>, char)>,
}

/// Characters that may stand between two parts in a run (normalized, so
/// full-width `，` `＋` `；` are already `,` `+` `;`).
fn is_separator(c: char) -> bool {
    matches!(c, '、' | ',' | '+' | ';' | '·' | '/' | '，' | '﹑' | '､') || c.is_whitespace()
}

/// The fewest parts a slogan needs for `missing-part`.
const MIN_PARTS_FOR_MISSING: usize = 4;

/// The longest gap between two parts, in characters.
const MAX_GAP: usize = 3;

impl Slogans {
    pub(super) fn new(lexicon: &Lexicon) -> Slogans {
        let slogans = lexicon
            .entries()
            .iter()
            .enumerate()
            .filter(|(_, e)| lexicon.scanned(e))
            .filter_map(|(i, e)| {
                let parts = e.parts();
                // Parts of one ASCII character (`3+7+N`) would match
                // everywhere; a slogan is made of words.
                let wordy = parts.iter().all(|p| p.chars().count() >= 2);
                let sep = e.separator()?;
                let sep = normalize(&sep.to_string()).as_str().chars().next()?;
                (wordy && !parts.is_empty()).then(|| {
                    let parts = parts
                        .iter()
                        .map(|p| normalize(p).as_str().to_owned())
                        .collect();
                    (i, parts, sep)
                })
            })
            .collect();
        Slogans { slogans }
    }

    /// The patterns of every part: `(part, entry, Part, part number)`.
    pub(super) fn patterns(&self) -> impl Iterator<Item = (String, usize, FormKind, usize)> + '_ {
        self.slogans.iter().flat_map(|(entry, parts, _)| {
            parts
                .iter()
                .enumerate()
                .map(move |(k, p)| (p.clone(), *entry, FormKind::Part, k))
        })
    }

    /// Findings in normalized text `text`, from the checker's `extra` hits
    /// and the outermost lexicon `spans`.
    pub(super) fn findings(
        &self,
        lexicon: &Lexicon,
        text: &str,
        extra: &[Hit],
        spans: &[Hit],
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut parts_hit: Vec<&Hit> = extra
            .iter()
            .filter(|h| h.kind == FormKind::Part)
            // Parts inside a longer accepted form (the slogan itself,
            // another slogan sharing them) are not quoted on their own;
            // parts inside a wrong form still are, so that a reordered
            // slogan is reported whole, not as the wrong form inside it.
            .filter(|h| {
                !super::overlapping(spans, h.start, h.end).iter().any(|s| {
                    s.kind.is_accepted()
                        && s.start <= h.start
                        && h.end <= s.end
                        && s.end - s.start > h.end - h.start
                })
            })
            .collect();
        // Each slogan's hits in text order: a stable sort by entry, and a
        // binary search for each slogan, not a pass over every hit.
        parts_hit.sort_by_key(|h| h.entry);
        for (entry, parts, sep) in &self.slogans {
            let from = parts_hit.partition_point(|h| h.entry < *entry);
            let to = parts_hit.partition_point(|h| h.entry <= *entry);
            let hits = &parts_hit[from..to];
            if hits.len() < 2 {
                continue;
            }
            for run in runs(text, hits) {
                let order: Vec<usize> = run.iter().map(|h| h.form).collect();
                let (start, end) = (run[0].start, run[run.len() - 1].end);
                let finding = |rule, detail| Finding {
                    start,
                    end,
                    rule,
                    severity: super::Severity::Error,
                    entry: Some(*entry),
                    suggestion: Some(lexicon.entry(*entry).term.clone()),
                    fixable: true,
                    detail,
                };
                let in_order = order.windows(2).all(|w| w[0] < w[1]);
                if order.len() == parts.len() {
                    out.push(if in_order {
                        finding(Rule::NonCanonical, Detail::NonCanonical(Why::Separator))
                    } else {
                        finding(Rule::PartOrder, Detail::PartOrder)
                    });
                } else if order.len() + 1 == parts.len()
                    && parts.len() >= MIN_PARTS_FOR_MISSING
                    && text.get(start..end).is_some_and(|t| t.contains(*sep))
                    && !continues(text, start, end, *sep)
                    && self.fits_one(
                        &run.iter()
                            .map(|h| &text[h.start..h.end])
                            .collect::<Vec<_>>(),
                    )
                {
                    let missing = (0..parts.len())
                        .filter(|k| !order.contains(k))
                        .map(|k| lexicon.entry(*entry).parts()[k].to_owned())
                        .collect();
                    out.push(finding(Rule::MissingPart, Detail::MissingPart(missing)));
                }
            }
        }
        out
    }

    /// True when exactly one slogan has all of `parts`.
    fn fits_one(&self, parts: &[&str]) -> bool {
        self.slogans
            .iter()
            .filter(|(_, ps, _)| parts.iter().all(|p| ps.iter().any(|q| q == p)))
            .count()
            == 1
    }
}

/// True when the enumeration goes on past the run, on either side, with
/// another item after the slogan's separator (`政治建警、改革强警、从严治警、
/// 从优待警` is another formulation, not the four-part one missing a part).
fn continues(text: &str, start: usize, end: usize, sep: char) -> bool {
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut after = text.get(end..).unwrap_or_default().chars();
    let mut before = text.get(..start).unwrap_or_default().chars().rev();
    (after.next() == Some(sep) && word(after.next()))
        || (before.next() == Some(sep) && word(before.next()))
}

/// Maximal runs of at least two part hits, each separated from the next by
/// a short run of separators (or by nothing), with no part twice.
fn runs<'h>(text: &str, hits: &[&'h Hit]) -> Vec<Vec<&'h Hit>> {
    let mut out: Vec<Vec<&Hit>> = Vec::new();
    let mut run: Vec<&Hit> = Vec::new();
    for &h in hits {
        // An empty gap joins too: in the normalized text a space between
        // two parts (`市县主战 派出所主防`) is gone, and parts written with
        // no separator at all want one as much.
        let joins = run.last().is_some_and(|last| {
            h.start >= last.end
                && !run.iter().any(|r| r.form == h.form)
                && text.get(last.end..h.start).is_some_and(|gap| {
                    gap.chars().count() <= MAX_GAP && gap.chars().all(is_separator)
                })
        });
        if !joins {
            // A hit overlapping the run's last one (a shorter part inside a
            // longer one) neither joins nor ends the run.
            if run.last().is_some_and(|last| h.start < last.end) {
                continue;
            }
            if run.len() >= 2 {
                out.push(std::mem::take(&mut run));
            }
            run.clear();
        }
        run.push(h);
    }
    if run.len() >= 2 {
        out.push(run);
    }
    out
}
