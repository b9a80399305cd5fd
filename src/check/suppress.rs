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

impl Directives {
    /// Finds the directives of `text`.
    pub fn parse(text: &str) -> Directives {
        let mut d = Directives::default();
        let mut state = Disabled::Some(BTreeSet::new());
        let mut offset = 0;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let number = i + 1;
            let at = offset;
            offset += line.len();
            let Some(open) = OPENERS.iter().filter_map(|o| line.find(o)).min() else {
                continue;
            };
            let comment = &line[open..];
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
                let base = at + open + pos + word.len();
                let rules = d.rule_list(after, base);
                match kind {
                    0 => d.next_line.push((number + 1, rules)),
                    1 => {
                        state = match (state, rules) {
                            (_, Rules::All) | (Disabled::All, _) => Disabled::All,
                            (Disabled::Some(mut s), Rules::Some(r)) => {
                                s.extend(r);
                                Disabled::Some(s)
                            }
                        };
                        d.changes.push((number, state.clone()));
                    }
                    _ => {
                        state = match (state, rules) {
                            (_, Rules::All) => Disabled::Some(BTreeSet::new()),
                            (Disabled::All, Rules::Some(r)) => Disabled::Some(
                                Rule::ALL.into_iter().filter(|x| !r.contains(x)).collect(),
                            ),
                            (Disabled::Some(s), Rules::Some(r)) => {
                                Disabled::Some(s.difference(&r).copied().collect())
                            }
                        };
                        d.changes.push((number, state.clone()));
                    }
                }
            }
        }
        d
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
        self.unknown
            .iter()
            .map(|(start, end, name)| Finding {
                start: *start,
                end: *end,
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
