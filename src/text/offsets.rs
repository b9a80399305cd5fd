//! A map from offsets in a rewritten text back to the text it was made
//! from, shared by normalization and by markup extraction (HTML).
//!
//! The rewrite is a list of edits, each replacing `orig_len` bytes of the
//! original at `orig_at` by `norm_len` bytes at `norm_at` (a deletion has
//! `norm_len == 0`). Between two edits the texts are byte-for-byte copies,
//! so an offset maps back by a binary search over the edits plus a shift.

/// One place where the rewritten text differs from the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edit {
    norm_at: usize,
    orig_at: usize,
    norm_len: usize,
    orig_len: usize,
}

impl Edit {
    fn orig_end(&self) -> usize {
        self.orig_at + self.orig_len
    }

    fn norm_end(&self) -> usize {
        self.norm_at + self.norm_len
    }
}

/// Offsets of a rewritten text → offsets of its original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    edits: Vec<Edit>,
}

impl OffsetMap {
    /// Records that `orig_len` original bytes at `orig_at` became
    /// `norm_len` bytes at `norm_at`. Edits must be pushed in order.
    pub fn push(&mut self, norm_at: usize, orig_at: usize, norm_len: usize, orig_len: usize) {
        self.edits.push(Edit {
            norm_at,
            orig_at,
            norm_len,
            orig_len,
        });
    }

    /// True when nothing was rewritten.
    pub fn is_identity(&self) -> bool {
        self.edits.is_empty()
    }

    /// The original offset of the character that begins at `n` in the
    /// rewritten text. `n` must be a character boundary (or the end).
    pub fn start_to_original(&self, n: usize) -> usize {
        // Edits entirely before `n`: deletions at `n` itself precede the
        // character; a replacement that starts at or covers `n` (one that
        // stands for several characters, as `<td>` for a line break and a
        // boundary mark) maps to its whole original.
        let k = self.edits.partition_point(|e| e.norm_end() <= n);
        if let Some(e) = self.edits.get(k)
            && e.norm_at <= n
            && n < e.norm_end()
        {
            return e.orig_at;
        }
        self.shift(k, n)
    }

    /// The original offset just after the character that ends at `n`.
    pub fn end_to_original(&self, n: usize) -> usize {
        // A deletion at `n` comes after the span, so it is not crossed.
        let k = self.edits.partition_point(|e| e.norm_at < n);
        if let Some(e) = k.checked_sub(1).and_then(|i| self.edits.get(i))
            && n < e.norm_end()
        {
            // Inside a replacement of several bytes: its whole original.
            return e.orig_end();
        }
        self.shift(k, n)
    }

    /// The original offset of `n` when the first `k` edits lie before it.
    fn shift(&self, k: usize, n: usize) -> usize {
        match k.checked_sub(1).and_then(|i| self.edits.get(i)) {
            None => n,
            Some(e) => e.orig_end() + (n - e.norm_end()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_longer_than_one_byte() {
        // "a&#x4E24;b" → "a两b": 8 bytes became 3.
        let mut m = OffsetMap::default();
        m.push(1, 1, 3, 8);
        assert_eq!(m.start_to_original(1), 1);
        assert_eq!(m.end_to_original(4), 9);
        assert_eq!(m.start_to_original(4), 9);
        assert_eq!(m.end_to_original(5), 10);
    }
}
