//! The ASCII boundary rule: a form that begins or ends with an ASCII letter
//! or digit does not match inside a longer ASCII word or number, so `1333`
//! is not found in `13333` and `N` forms do not fire inside English words.

/// Which ends of a form are ASCII letters or digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Edges {
    /// The form begins with an ASCII letter or digit.
    pub start: bool,
    /// The form ends with an ASCII letter or digit.
    pub end: bool,
}

impl Edges {
    /// The edges of a (normalized) form.
    pub fn of(form: &str) -> Edges {
        let b = form.as_bytes();
        Edges {
            start: b.first().is_some_and(u8::is_ascii_alphanumeric),
            end: b.last().is_some_and(u8::is_ascii_alphanumeric),
        }
    }

    /// True when a match of the form at `start..end` of `text` respects the
    /// rule.
    pub fn allows(self, text: &[u8], start: usize, end: usize) -> bool {
        let before = start.checked_sub(1).and_then(|i| text.get(i));
        let after = text.get(end);
        !(self.start && before.is_some_and(u8::is_ascii_alphanumeric)
            || self.end && after.is_some_and(u8::is_ascii_alphanumeric))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        // (form, text, start, allowed)
        let cases = [
            ("1333", "1333", 0, true),
            ("1333", "13333", 0, false),
            ("1333", "13333", 1, false),
            ("1333", "“1333”布局", 3, true),
            ("1333", "x1333", 1, false),
            ("1333", "_1333", 1, true),
            ("3+7+N", "3+7+N个", 0, true),
            ("3+7+N", "3+7+Nx", 0, false),
            ("两个40%", "两个40%以上", 0, true),
            ("两个40%", "两个40%5", 0, true),
            ("两队一室", "a两队一室b", 1, true),
        ];
        for (form, text, start, want) in cases {
            let got = Edges::of(form).allows(text.as_bytes(), start, start + form.len());
            assert_eq!(got, want, "{form} in {text} at {start}");
        }
    }
}
