//! Inline suppression: directives inside comments.
//!
//! ```text
//! <!-- tifa-ignore-next-line -->          the next line, every rule
//! # tifa-ignore-next-line: near-miss      the next line, the rules named
//! <!-- tifa-disable-next-line -->         the same (ESLint's spelling)
//! // tifa-disable: wrong-form, near-miss  from here on, the rules named
//! <!-- tifa-disable -->                   from here on, every rule
//! <!-- tifa-enable -->                    every rule again (or those named)
//! ```
//!
//! A directive counts only after a comment opener on its line (`<!--`, `#`,
//! `//`), so prose that mentions the word is not a directive. An unknown rule
//! name is reported as `bad-directive`.

use std::collections::BTreeSet;

use super::{Detail, Finding, Rule};

/// Which rules a directive names: all, or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rules {
    All,
    Some(BTreeSet<Rule>),
}

impl Rules {
    fn contains(&self, rule: Rule) -> bool {
        match self {
            Rules::All => true,
            Rules::Some(set) => set.contains(&rule),
        }
    }
}

/// The directives of one text.
#[derive(Debug, Clone, Default)]
pub struct Directives {
    /// Lines (1-based) whose findings are ignored, with the rules.
    next_line: Vec<(usize, Rules)>,
    /// Per line, the rules disabled from that line on (a state change).
    changes: Vec<(usize, Disabled)>,
    /// Unknown rule names: (byte offset, byte end, name).
    unknown: Vec<(usize, usize, String)>,
}

/// The disabled rules after a directive.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Disabled {
    All,
    Some(BTreeSet<Rule>),
}

const OPENERS: [&str; 3] = ["<!--", "//", "#"];

/// Where the first comment opener of `line` starts (the first of
/// [`OPENERS`] to begin).
fn first_opener(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    memchr::memchr3_iter(b'<', b'/', b'#', bytes).find(|&i| {
        OPENERS
            .iter()
            .any(|o| bytes.get(i..i + o.len()) == Some(o.as_bytes()))
    })
}

impl Directives {
    /// Finds the directives of `text`.
    pub fn parse(text: &str) -> Directives {
        let mut d = Directives::default();
        let mut state = Disabled::Some(BTreeSet::new());
        let mut offset = 0;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let at = offset;
            offset += line.len();
            let Some(open) = first_opener(line) else {
                continue;
            };
            d.comment(&line[open..], i + 1, at + open, &mut state);
        }
        d
    }

    /// Reads the directives of the comment `comment` (the rest of line
    /// `number` from its first opener on, or from the first `tifa-` after
    /// it: every directive word starts so), which starts at byte `base`.
    fn comment(&mut self, comment: &str, number: usize, base: usize, state: &mut Disabled) {
        for (word, kind) in [
            ("tifa-ignore-next-line", 0),
            ("tifa-disable-next-line", 0),
            ("tifa-disable", 1),
            ("tifa-enable", 2),
        ] {
            let Some(pos) = comment.find(word) else {
                continue;
            };
            let after = &comment[pos + word.len()..];
            // `tifa-disable` must not be read inside `tifa-disable-…`.
            if after.starts_with(|c: char| c == '-' || c.is_alphanumeric()) {
                continue;
            }
            let rules = self.rule_list(after, base + pos + word.len());
            match kind {
                0 => self.next_line.push((number + 1, rules)),
                1 => {
                    let before = std::mem::replace(state, Disabled::All);
                    *state = match (before, rules) {
                        (_, Rules::All) | (Disabled::All, _) => Disabled::All,
                        (Disabled::Some(mut s), Rules::Some(r)) => {
                            s.extend(r);
                            Disabled::Some(s)
                        }
                    };
                    self.changes.push((number, state.clone()));
                }
                _ => {
                    let before = std::mem::replace(state, Disabled::All);
                    *state = match (before, rules) {
                        (_, Rules::All) => Disabled::Some(BTreeSet::new()),
                        (Disabled::All, Rules::Some(r)) => Disabled::Some(
                            Rule::ALL.into_iter().filter(|x| !r.contains(x)).collect(),
                        ),
                        (Disabled::Some(s), Rules::Some(r)) => {
                            Disabled::Some(s.difference(&r).copied().collect())
                        }
                    };
                    self.changes.push((number, state.clone()));
                }
            }
        }
    }

    /// The directives that matter from line `line` and byte `at` on: the
    /// ones before are dropped, but for the last change of state before
    /// `line`, which still holds there. Queries about lines from `line`
    /// on, and problems from `at` on, answer as before.
    pub fn prune(&mut self, line: usize, at: usize) {
        let next = self.next_line.partition_point(|(l, _)| *l < line);
        self.next_line.drain(..next);
        let last = self.changes.partition_point(|(l, _)| *l < line);
        self.changes.drain(..last.saturating_sub(1));
        let unknown = self.unknown.partition_point(|(s, _, _)| *s < at);
        self.unknown.drain(..unknown);
    }

    /// Reads `: rule, rule` after a directive word; records unknown names.
    fn rule_list(&mut self, after: &str, base: usize) -> Rules {
        let Some(list) = after.trim_start().strip_prefix(':') else {
            return Rules::All;
        };
        let skipped = after.len() - after.trim_start().len() + 1;
        let end = list
            .find("-->")
            .or_else(|| list.find('\n'))
            .unwrap_or(list.len());
        let mut set = BTreeSet::new();
        let mut at = base + skipped;
        for name in list[..end].split(',') {
            let trimmed = name.trim();
            let lead = name.len() - name.trim_start().len();
            if !trimmed.is_empty() {
                match Rule::from_id(trimmed) {
                    Some(r) => {
                        set.insert(r);
                    }
                    None => self.unknown.push((
                        at + lead,
                        at + lead + trimmed.len(),
                        trimmed.to_owned(),
                    )),
                }
            }
            at += name.len() + 1;
        }
        Rules::Some(set)
    }

    /// True when findings of `rule` on `line` are suppressed.
    pub fn suppressed(&self, line: usize, rule: Rule) -> bool {
        if rule == Rule::BadDirective {
            return false;
        }
        // Both lists are in order of line: binary searches, not walks over
        // every directive for every finding.
        let from = self.next_line.partition_point(|(l, _)| *l < line);
        if self.next_line[from..]
            .iter()
            .take_while(|(l, _)| *l == line)
            .any(|(_, rules)| rules.contains(rule))
        {
            return true;
        }
        let last = self.changes.partition_point(|(l, _)| *l <= line);
        match last.checked_sub(1).map(|i| &self.changes[i]) {
            Some((_, Disabled::All)) => true,
            Some((_, Disabled::Some(set))) => set.contains(&rule),
            None => false,
        }
    }

    /// True when joining lines `first..=last` into one line (a fix that
    /// removes the line breaks between them) would change what a directive
    /// covers: an ignore-next-line aimed at one of those lines, or a
    /// disable or enable on one of them after the first. See: #18.
    pub fn joining_shifts(&self, first: usize, last: usize) -> bool {
        first < last
            && (self
                .next_line
                .iter()
                .any(|(l, _)| (first..=last).contains(l))
                || self
                    .changes
                    .iter()
                    .any(|(l, _)| (first + 1..=last).contains(l)))
    }

    /// `bad-directive` findings for unknown rule names.
    pub fn problems(&self) -> Vec<Finding> {
        self.problems_in(0, usize::MAX, 0)
    }

    /// The `bad-directive` findings that lie in bytes `from..to`, each
    /// offset less `shift` (offsets of a window of the text).
    pub fn problems_in(&self, from: usize, to: usize, shift: usize) -> Vec<Finding> {
        self.unknown
            .iter()
            .filter(|(start, end, _)| *start >= from && *end <= to)
            .map(|(start, end, name)| Finding {
                start: *start - shift,
                end: *end - shift,
                rule: Rule::BadDirective,
                severity: Rule::BadDirective.default_severity(),
                entry: None,
                suggestion: None,
                fixable: false,
                detail: Detail::BadDirective(name.clone()),
            })
            .collect()
    }
}

/// Reads the directives of a text that arrives in pieces, with what
/// [`Directives::parse`] of the whole text reads, in bounded memory: of
/// the line being read it keeps a few bytes, and the text from a `tifa-`
/// after a comment opener to the end of the line (what a directive needs).
#[derive(Debug, Clone)]
pub struct Tracker {
    directives: Directives,
    state: Disabled,
    /// The line being read (1-based), and whether a comment opener was
    /// seen on it.
    line: usize,
    opener: bool,
    /// From the first `tifa-` after the opener on: its offset, the text.
    comment: Option<(usize, String)>,
    /// The last bytes of the line read, where an opener or `tifa-` may
    /// begin that the next text completes.
    tail: String,
    /// Bytes read.
    read: usize,
    /// Lines whose directives change what their own findings are (a
    /// change of state or an unknown rule name on the line), in order.
    affecting: Vec<usize>,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker {
            directives: Directives::default(),
            state: Disabled::Some(BTreeSet::new()),
            line: 1,
            opener: false,
            comment: None,
            tail: String::new(),
            read: 0,
            affecting: Vec::new(),
        }
    }
}

impl Tracker {
    /// Reads the next text.
    pub fn feed(&mut self, mut text: &str) {
        while !text.is_empty() {
            let (segment, ends) = match memchr::memchr(b'\n', text.as_bytes()) {
                Some(i) => (&text[..=i], true),
                None => (text, false),
            };
            self.segment(segment, ends);
            self.read += segment.len();
            text = &text[segment.len()..];
        }
    }

    /// Ends the text: its last line is read.
    pub fn finish(&mut self) {
        self.end_line();
    }

    fn segment(&mut self, segment: &str, ends: bool) {
        if let Some((_, comment)) = &mut self.comment {
            comment.push_str(segment);
        } else {
            let joined = if self.tail.is_empty() {
                std::borrow::Cow::Borrowed(segment)
            } else {
                std::borrow::Cow::Owned(std::mem::take(&mut self.tail) + segment)
            };
            let base = self.read + segment.len() - joined.len();
            let mut from = 0;
            if !self.opener {
                match first_opener(&joined) {
                    Some(open) => {
                        self.opener = true;
                        from = open;
                    }
                    None => from = joined.len(),
                }
            }
            if self.opener
                && let Some(k) = joined[from..].find("tifa-")
            {
                self.comment = Some((base + from + k, joined[from + k..].to_owned()));
            } else if !ends {
                // Enough for `tifa` or `<!-` that the next text completes.
                let mut keep = joined.len().saturating_sub(4).max(if self.opener {
                    from.min(joined.len())
                } else {
                    0
                });
                while !joined.is_char_boundary(keep) {
                    keep += 1;
                }
                self.tail = joined[keep..].to_owned();
            }
        }
        if ends {
            self.end_line();
        }
    }

    fn end_line(&mut self) {
        if let Some((at, comment)) = self.comment.take() {
            let before = (self.directives.changes.len(), self.directives.unknown.len());
            self.directives
                .comment(&comment, self.line, at, &mut self.state);
            if (self.directives.changes.len(), self.directives.unknown.len()) != before {
                self.affecting.push(self.line);
            }
        }
        self.line += 1;
        self.opener = false;
        self.tail.clear();
    }

    /// The directives read so far.
    pub fn directives(&self) -> &Directives {
        &self.directives
    }

    /// The line being read: its directives are not known yet.
    pub fn open_line(&self) -> usize {
        self.line
    }

    /// Where the text of a possible directive on the line being read
    /// starts: a `bad-directive` finding may begin there or after.
    pub fn open_comment(&self) -> Option<usize> {
        self.comment.as_ref().map(|(at, _)| *at)
    }

    /// True when line `line`, read whole, has directives that change
    /// what its own findings are: what a window checked while the line
    /// was still being read did not know.
    pub fn affected(&self, line: usize) -> bool {
        self.affecting.binary_search(&line).is_ok()
    }

    /// Drops what no query from line `line` and byte `at` on needs.
    pub fn prune(&mut self, line: usize, at: usize) {
        self.directives.prune(line, at);
        let before = self.affecting.partition_point(|l| *l < line);
        self.affecting.drain(..before);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eslint_spelling_of_next_line() {
        let d = Directives::parse("<!-- tifa-disable-next-line -->\n两队一所\n两队一所\n");
        assert!(d.suppressed(2, Rule::WrongForm));
        assert!(!d.suppressed(3, Rule::WrongForm));
    }

    #[test]
    fn next_line_and_ranges() {
        let text = "a\n<!-- tifa-ignore-next-line -->\nb\n# tifa-disable: near-miss\nc\n// tifa-enable\nd\n";
        let d = Directives::parse(text);
        assert!(d.suppressed(3, Rule::WrongForm));
        assert!(!d.suppressed(1, Rule::WrongForm));
        assert!(d.suppressed(5, Rule::NearMiss));
        assert!(!d.suppressed(5, Rule::WrongForm));
        assert!(!d.suppressed(7, Rule::NearMiss));
        assert!(d.problems().is_empty());
    }

    #[test]
    fn joining_lines_that_a_directive_covers() {
        let text = "a\n<!-- tifa-ignore-next-line -->\nb\nc\n# tifa-disable\nd\n";
        let d = Directives::parse(text);
        // The ignore aims at line 3; line 2 and 3 joined would carry line 2's text into it.
        assert!(d.joining_shifts(2, 3));
        assert!(d.joining_shifts(3, 4));
        assert!(
            !d.joining_shifts(1, 2),
            "the directive on line 2 still aims at the line after"
        );
        assert!(
            d.joining_shifts(4, 5),
            "the disable on line 5 would start on line 4"
        );
        assert!(
            !d.joining_shifts(5, 6),
            "a disable on the first line starts there still"
        );
        assert!(!d.joining_shifts(4, 4));
    }

    #[test]
    fn prose_is_not_a_directive() {
        let d = Directives::parse("本文提到 tifa-disable 这个词。\n两队一所\n");
        assert!(!d.suppressed(2, Rule::WrongForm));
    }

    #[test]
    fn unknown_rule() {
        let text = "<!-- tifa-disable: wrong-form, nope -->\n";
        let d = Directives::parse(text);
        let p = d.problems();
        assert_eq!(p.len(), 1);
        assert_eq!(&text[p[0].start..p[0].end], "nope");
        assert!(d.suppressed(2, Rule::WrongForm));
    }
}
