//! Text for a terminal: control characters made visible.
//!
//! Scanned text, file names and user-lexicon fields may hold escape
//! sequences (`\x1b]0;title\x07`, `\x1b[2J`) that a terminal would obey:
//! retitle the window, clear the screen, hide text. Every human format
//! passes what it did not write itself through [`visible`], which writes
//! each control character as `\u{1b}`; only line breaks and tabs stay (and
//! only where the printer keeps lines). Bidirectional overrides (the
//! "Trojan Source" characters) are shown the same way.

use std::borrow::Cow;

/// True for the characters a terminal would act on or that reorder text.
fn hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character but `\n`, `\t` and the `\r` of a
/// `\r\n` written as `\u{..}`; borrowed when there is none.
pub fn visible(s: &str) -> Cow<'_, str> {
    escape(s, |c| c == '\n' || c == '\t')
}

/// [`visible`] for one line of output: line breaks are shown too.
pub fn visible_line(s: &str) -> Cow<'_, str> {
    escape(s, |c| c == '\t')
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    // Every hidden character is C0, DEL, or starts with byte 0xC2 (C1) or
    // 0xE2 (the bidirectional controls): text with none of those bytes,
    // most of what a scan prints, is returned at once.
    if !s
        .bytes()
        .any(|b| b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2)
    {
        return Cow::Borrowed(s);
    }
    let keep_crlf = keep('\n');
    let shown = |c: char, next: Option<char>| {
        hidden(c) && !keep(c) && !(keep_crlf && c == '\r' && next == Some('\n'))
    };
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if shown(c, chars.peek().copied()) {
            any = true;
            break;
        }
    }
    if !any {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if shown(c, chars.peek().copied()) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte test that lets most text through at once misses no
    /// hidden character.
    #[test]
    fn every_hidden_character_is_shown() {
        for c in (0..0x3000)
            .filter_map(char::from_u32)
            .filter(|&c| hidden(c))
        {
            let s = format!("两{c}队");
            let keep = c == '\n' || c == '\t';
            assert_eq!(visible(&s) == s, keep, "{c:?}");
        }
    }

    #[test]
    fn controls_are_shown() {
        assert_eq!(visible("两队一所"), "两队一所");
        assert!(matches!(visible("两队一所\n"), Cow::Borrowed(_)));
        assert_eq!(
            visible("两队一所 \x1b]0;PWNED\x07\x1b[2J\n"),
            "两队一所 \\u{1b}]0;PWNED\\u{7}\\u{1b}[2J\n"
        );
        assert_eq!(visible_line("a\nb\r"), "a\\u{a}b\\u{d}");
        assert_eq!(visible("\u{202E}abc"), "\\u{202e}abc");
        assert_eq!(visible("a\tb"), "a\tb");
        assert!(matches!(visible("一\r\n二"), Cow::Borrowed(_)));
        assert_eq!(visible("一\r二"), "一\\u{d}二");
    }
}
