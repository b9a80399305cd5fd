//! `check` of an input read in pieces (plain text past
//! [`input::STREAM_ABOVE`], standard input), in bounded memory, with the
//! findings of the whole text, in order.
//!
//! This thread reads and decodes the text, and reads its inline directives
//! as it goes ([`Tracker`]). The text is cut into windows that overlap:
//! each window is checked on a worker thread ([`Checker::check_window`])
//! and owns the findings of one stretch of it, which ends at a point of a
//! zone that it shares with the next window, chosen alike by both (see
//! [`check::Window`]). The results are joined here in order:
//!
//! - a window is checked with the directives read when it was cut; the
//!   line it ends on was not read whole then. Its findings are handed on
//!   once that line is read; should the line turn out to hold a directive
//!   that changes its own findings (a `tifa-disable` after a finding on
//!   the same line, an unknown rule name), the window is checked again
//!   here with the directives of the whole line;
//! - should a zone hold no point to cut at (text dense with terms over the
//!   whole zone), the two windows are joined into one and checked here,
//!   and so on until a zone has a point: memory grows with such a stretch,
//!   not with the input.

use std::collections::VecDeque;
use std::io;

use super::run::CheckSink;
use super::stream::Streamed;
use crate::check::suppress::{Directives, Tracker};
use crate::check::{self, Checker, Lang, Located, Zone};
use crate::input::{self, Loaded};
use crate::text::{Position, lines};

/// Non-whitespace characters of the zone where two windows' stretches
/// meet (`TIFA_ZONE_CHARS` when set, for tests of the joins on small
/// texts).
const ZONE_CHARS: usize = 2048;

fn zone_chars() -> usize {
    std::env::var("TIFA_ZONE_CHARS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ZONE_CHARS)
        .max(1)
}

/// Pieces per worker thread that may wait for it.
const QUEUED: usize = 4;

/// One window, cut from the text, to be checked.
#[derive(Debug)]
struct Piece {
    index: usize,
    text: String,
    /// Offset of `text` in the whole text.
    offset: usize,
    /// Position of its first character.
    start: Position,
    left: Option<Zone>,
    right: Option<Zone>,
    /// The directives read when the window was cut, from its first line on.
    directives: Directives,
    /// The line that was being read then.
    open_line: usize,
}

/// A window checked: its findings, or `None` when a zone had no point to
/// cut at.
#[derive(Debug)]
struct Done {
    piece: Piece,
    located: Option<Vec<Located>>,
}

/// Cuts the text into windows as it is read.
struct Splitter {
    buffer: String,
    offset: usize,
    start: Position,
    tracker: Tracker,
    /// The zone the next window's stretch begins in.
    left: Option<Zone>,
    /// Cut when the buffer holds this many bytes.
    piece: usize,
    /// Non-whitespace characters a window holds past its zone, and before
    /// the zone it starts in.
    context: usize,
    next: usize,
    /// Non-whitespace characters of a zone.
    zone: usize,
    /// Buffers given back by checked windows.
    spare: Vec<String>,
}

impl Splitter {
    fn new(checker: &Checker<'_>, piece: usize, zone: usize) -> Splitter {
        Splitter {
            buffer: String::new(),
            offset: 0,
            start: Position { line: 1, column: 1 },
            tracker: Tracker::default(),
            left: None,
            piece: piece.max(1),
            context: 4 * checker.window_margin() + check::SNIPPET_CONTEXT + 16,
            next: 0,
            zone: zone.max(1),
            spare: Vec::new(),
        }
    }

    /// Lets `fill` append decoded text.
    fn fill<E>(&mut self, fill: impl FnOnce(&mut String) -> E) -> E {
        let from = self.buffer.len();
        let e = fill(&mut self.buffer);
        self.tracker.feed(&self.buffer[from..]);
        e
    }

    /// The next window, when the buffer holds enough text.
    fn cut(&mut self) -> Option<Piece> {
        if self.buffer.len() < self.piece {
            return None;
        }
        // From the end: `context` characters, the zone, `context` more.
        let marks = [
            self.context,
            self.context + self.zone,
            2 * self.context + self.zone,
        ];
        let mut found = [0; 3];
        let mut k = 0;
        let mut seen = 0;
        for (i, c) in self.buffer.char_indices().rev() {
            if c.is_whitespace() {
                continue;
            }
            seen += 1;
            if seen == marks[k] {
                found[k] = i;
                k += 1;
                if k == marks.len() {
                    break;
                }
            }
        }
        let [zone_end, zone_start, next_start] = found;
        let own_from = self.left.map_or(0, |z| z.end.saturating_sub(self.offset));
        if k < marks.len() || next_start <= own_from {
            return None;
        }
        let right = Zone {
            start: self.offset + zone_start,
            end: self.offset + zone_end,
            uncertain_from: self.tracker.open_comment(),
        };
        let mut text = self.spare.pop().unwrap_or_default();
        text.clear();
        text.push_str(&self.buffer);
        let piece = self.piece_of(text, Some(right));
        let p = lines::position(&self.buffer, next_start);
        self.start = shift(self.start, p);
        self.buffer.drain(..next_start);
        self.offset += next_start;
        self.left = Some(right);
        Some(piece)
    }

    /// The last window, at the end of the text.
    fn finish(&mut self) -> Piece {
        self.tracker.finish();
        let text = std::mem::take(&mut self.buffer);
        self.piece_of(text, None)
    }

    fn piece_of(&mut self, text: String, right: Option<Zone>) -> Piece {
        let mut directives = self.tracker.directives().clone();
        directives.prune(self.start.line, self.offset);
        let index = self.next;
        self.next += 1;
        Piece {
            index,
            text,
            offset: self.offset,
            start: self.start,
            left: self.left,
            right,
            directives,
            open_line: self.tracker.open_line(),
        }
    }
}

/// A position in a text that starts at `start` of the whole, as a
/// position of the whole.
fn shift(start: Position, p: Position) -> Position {
    if p.line == 1 {
        Position {
            line: start.line,
            column: start.column + p.column - 1,
        }
    } else {
        Position {
            line: start.line + p.line - 1,
            column: p.column,
        }
    }
}

/// Checks one window on a worker thread.
fn work(checker: &Checker<'_>, lang: Lang, piece: Piece) -> Done {
    let located = check_text(
        checker,
        lang,
        &piece.text,
        piece.offset,
        piece.start,
        piece.left,
        piece.right,
        &piece.directives,
    );
    Done { piece, located }
}

#[allow(clippy::too_many_arguments)]
fn check_text(
    checker: &Checker<'_>,
    lang: Lang,
    text: &str,
    offset: usize,
    start: Position,
    left: Option<Zone>,
    right: Option<Zone>,
    directives: &Directives,
) -> Option<Vec<Located>> {
    let owned = checker.check_window(&check::Window {
        text,
        offset,
        first_line: start.line,
        left,
        right,
        directives,
    })?;
    Some(check::locate_window(
        text,
        offset,
        start,
        &owned.findings,
        checker.lexicon(),
        lang,
    ))
}

/// Windows to be checked again here, joined: their text, from where the
/// first one starts.
struct Pending {
    text: String,
    offset: usize,
    start: Position,
    left: Option<Zone>,
}

/// Joins the checked windows in order.
#[derive(Default)]
struct Joiner {
    /// Checked, in order, waiting for their last line to be read.
    waiting: VecDeque<Done>,
    pending: Option<Pending>,
}

impl Joiner {
    /// Takes the next window in order; hands on the findings of every one
    /// whose last line has been read (all, once `finished`).
    fn put(
        &mut self,
        done: Done,
        checker: &Checker<'_>,
        lang: Lang,
        splitter: &mut Splitter,
        emit: &mut dyn FnMut(Located) -> io::Result<()>,
    ) -> io::Result<()> {
        self.waiting.push_back(done);
        self.flush(checker, lang, splitter, false, emit)
    }

    fn flush(
        &mut self,
        checker: &Checker<'_>,
        lang: Lang,
        splitter: &mut Splitter,
        finished: bool,
        emit: &mut dyn FnMut(Located) -> io::Result<()>,
    ) -> io::Result<()> {
        while let Some(front) = self.waiting.front() {
            let tracker = &splitter.tracker;
            if !finished && tracker.open_line() <= front.piece.open_line {
                break;
            }
            let Some(done) = self.waiting.pop_front() else {
                break;
            };
            let valid = self.pending.is_none() && !tracker.affected(done.piece.open_line);
            let Done { mut piece, located } = done;
            let (line, at) = (piece.start.line, piece.offset);
            let located = match located {
                Some(l) if valid => {
                    splitter.spare.push(std::mem::take(&mut piece.text));
                    Some(l)
                }
                _ => self.again(checker, lang, piece, splitter),
            };
            // No window still to be checked here starts before this one
            // (or the first of those joined).
            let (line, at) = self
                .pending
                .as_ref()
                .map_or((line, at), |p| (p.start.line, p.offset));
            splitter.tracker.prune(line, at);
            for l in located.into_iter().flatten() {
                emit(l)?;
            }
        }
        Ok(())
    }

    /// Checks `piece` here, joined to the windows before it that could not
    /// be cut, with the directives read since.
    fn again(
        &mut self,
        checker: &Checker<'_>,
        lang: Lang,
        mut piece: Piece,
        splitter: &mut Splitter,
    ) -> Option<Vec<Located>> {
        let pending = match self.pending.take() {
            None => Pending {
                text: std::mem::take(&mut piece.text),
                offset: piece.offset,
                start: piece.start,
                left: piece.left,
            },
            Some(mut p) => {
                let from = (p.offset + p.text.len()).saturating_sub(piece.offset);
                p.text.push_str(piece.text.get(from..).unwrap_or_default());
                p
            }
        };
        splitter.spare.push(std::mem::take(&mut piece.text));
        let located = check_text(
            checker,
            lang,
            &pending.text,
            pending.offset,
            pending.start,
            pending.left,
            piece.right,
            splitter.tracker.directives(),
        );
        match located {
            Some(l) => {
                splitter.spare.push(pending.text);
                Some(l)
            }
            None => {
                self.pending = Some(pending);
                None
            }
        }
    }
}

/// Checks one input read in pieces: its findings go to `sink` in order as
/// they are known, then the input's [`Checked`](super::run::Checked)
/// (with no items). Returns whether the input failed.
pub(super) fn check(
    job: Streamed<'_>,
    checker: &Checker<'_>,
    path: &str,
    lang: Lang,
    sink: &mut dyn CheckSink,
) -> io::Result<bool> {
    let mut decoder = match job.input.open_stream(job.input_options) {
        Ok(Loaded::Text(d)) => d,
        Ok(Loaded::Skipped(why)) => {
            sink.note(path, &why)?;
            return Ok(false);
        }
        Ok(Loaded::Streams) => return Ok(false),
        Err(e) => {
            sink.failed(&e)?;
            return Ok(true);
        }
    };
    let mut emit = |l: Located| sink.finding(path, l);
    let read_error = stream(
        checker,
        lang,
        job.threads,
        input::piece_bytes(),
        zone_chars(),
        &mut |buffer| decoder.next_piece_into(buffer),
        &mut emit,
    )?;
    if let Some(e) = read_error {
        sink.failed(&input::io_error(path, &e))?;
        return Ok(true);
    }
    if decoder.replaced() {
        sink.note(path, &input::replaced_note(decoder.encoding()))?;
    }
    Ok(false)
}

/// Checks a text that `read` appends to a buffer piece by piece (false at
/// its end), in windows of about `piece` bytes meeting in zones of `zone`
/// non-whitespace characters, on `threads` threads; `emit` gets the
/// findings in order. Returns the error that ended the reading, if one
/// did (what was read before it is checked).
fn stream(
    checker: &Checker<'_>,
    lang: Lang,
    threads: usize,
    piece: usize,
    zone: usize,
    read: &mut dyn FnMut(&mut String) -> io::Result<bool>,
    emit: &mut dyn FnMut(Located) -> io::Result<()>,
) -> io::Result<Option<io::Error>> {
    use std::sync::{Arc, Mutex, PoisonError, mpsc};
    let workers = threads.saturating_sub(1);
    let queued = workers * QUEUED;
    let mut splitter = Splitter::new(checker, piece, zone);
    let mut joiner = Joiner::default();
    let mut order = std::collections::BTreeMap::new();
    let mut next = 0;
    let mut read_error = None;
    std::thread::scope(|scope| -> io::Result<()> {
        let (to_workers, pieces) = mpsc::sync_channel::<Piece>(queued);
        // Held by the workers only: should they all stop, sending fails
        // instead of waiting for ever.
        let pieces = Arc::new(Mutex::new(pieces));
        let (to_join, done) = mpsc::channel::<Done>();
        for _ in 0..workers {
            let (pieces, to_join) = (Arc::clone(&pieces), to_join.clone());
            scope.spawn(move || {
                loop {
                    let next = pieces.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(piece) = next else { break };
                    if to_join.send(work(checker, lang, piece)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((pieces, to_join));
        let mut away = 0;
        let mut joined = |d: Done, splitter: &mut Splitter, joiner: &mut Joiner| {
            order.insert(d.piece.index, d);
            while let Some(d) = order.remove(&next) {
                next += 1;
                joiner.put(d, checker, lang, splitter, emit)?;
            }
            io::Result::Ok(())
        };
        let mut dispatch =
            |piece: Piece,
             splitter: &mut Splitter,
             joiner: &mut Joiner,
             joined: &mut dyn FnMut(Done, &mut Splitter, &mut Joiner) -> io::Result<()>|
             -> io::Result<()> {
                for d in done.try_iter() {
                    away -= 1;
                    joined(d, splitter, joiner)?;
                }
                if away < queued {
                    match to_workers.try_send(piece) {
                        Ok(()) => {
                            away += 1;
                            return Ok(());
                        }
                        // With no worker left (one panicked), checked here.
                        Err(
                            mpsc::TrySendError::Full(piece)
                            | mpsc::TrySendError::Disconnected(piece),
                        ) => {
                            return joined(work(checker, lang, piece), splitter, joiner);
                        }
                    }
                }
                joined(work(checker, lang, piece), splitter, joiner)
            };
        loop {
            let more = splitter.fill(|buffer| read(buffer));
            while let Some(piece) = splitter.cut() {
                dispatch(piece, &mut splitter, &mut joiner, &mut joined)?;
            }
            match more {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    // What was read so far is reported; the error ends
                    // this input.
                    read_error = Some(e);
                    break;
                }
            }
        }
        let last = splitter.finish();
        dispatch(last, &mut splitter, &mut joiner, &mut joined)?;
        drop(to_workers);
        for d in done {
            joined(d, &mut splitter, &mut joiner)?;
        }
        joiner.flush(checker, lang, &mut splitter, true, emit)
    })?;
    Ok(read_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::text::Source;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn engine() -> &'static Engine {
        static ENGINE: OnceLock<Engine> = OnceLock::new();
        ENGINE.get_or_init(|| Engine::embedded().expect("the embedded lexicon is valid"))
    }

    /// Pieces of text the generated texts are made of: the lexicon's terms
    /// and wrong forms, slogans with their parts reordered or one left out,
    /// terms one character off, directives of every kind, line breaks and
    /// filler.
    fn tokens() -> &'static [String] {
        static TOKENS: OnceLock<Vec<String>> = OnceLock::new();
        TOKENS.get_or_init(|| {
            let lexicon = engine().lexicon();
            let mut t: Vec<String> = Vec::new();
            for e in lexicon.entries().iter().step_by(7).take(60) {
                t.push(e.term.clone());
                t.extend(e.wrong.iter().map(|w| w.form.clone()));
                let chars: Vec<char> = e.term.chars().collect();
                if chars.len() >= 5 {
                    let mut off = chars.clone();
                    off[chars.len() / 2] = '某';
                    t.push(off.into_iter().collect());
                }
                let parts = e.parts();
                if parts.len() >= 2 {
                    let mut rev = parts.clone();
                    rev.reverse();
                    t.push(rev.join("、"));
                    t.push(parts[1..].join("、"));
                    t.push(parts.join("，"));
                }
            }
            for s in [
                "。",
                "，",
                "\n",
                "\n\n",
                " ",
                "\r\n",
                "的工作",
                "推进",
                "abc",
                "1333",
                "“",
                "”",
                "\n<!-- tifa-disable -->\n",
                "\n<!-- tifa-enable -->\n",
                "\n# tifa-disable: near-miss, wrong-form\n",
                "\n// tifa-enable: near-miss\n",
                "<!-- tifa-ignore-next-line -->\n",
                "\n# tifa-disable-next-line: wrong-form\n",
                "# tifa-disable: bogus, 两队一所\n",
                " // tifa-enable: nope",
                " <!-- tifa-disable --> ",
                " # tifa-disable: wrong-form, near-miss",
                " // tifa-enable",
                " # tifa-disable: non-canonical",
                "#",
                "tifa-",
                "<!--",
            ] {
                t.push(s.to_owned());
            }
            // Text with no term, as most of any text is, so that windows
            // find points to cut at.
            for _ in 0..12 {
                for s in [
                    "lorem ipsum dolor sit amet ",
                    "consectetur adipiscing elit, ",
                    "天地玄黄宇宙洪荒。",
                ] {
                    t.push(s.to_owned());
                }
            }
            t
        })
    }

    /// The text checked in pieces of `piece` bytes (fed `chunk` bytes at a
    /// time), zones of `zone` characters, on `threads` threads.
    fn streamed(
        text: &str,
        piece: usize,
        zone: usize,
        chunk: usize,
        threads: usize,
    ) -> Vec<Located> {
        let checker = engine().checker().expect("the checker builds");
        let mut rest = text;
        let mut read = |buffer: &mut String| -> io::Result<bool> {
            let mut n = chunk.max(1).min(rest.len());
            while !rest.is_char_boundary(n) {
                n += 1;
            }
            buffer.push_str(&rest[..n]);
            rest = &rest[n..];
            Ok(!rest.is_empty())
        };
        let mut out = Vec::new();
        let mut emit = |l: Located| {
            out.push(l);
            Ok(())
        };
        let failed = stream(
            &checker,
            Lang::Zh,
            threads,
            piece,
            zone,
            &mut read,
            &mut emit,
        )
        .expect("nothing fails");
        assert!(failed.is_none());
        out
    }

    fn whole(text: &str) -> Vec<Located> {
        engine().check_source(&Source::plain("t.txt", text.to_owned()), Lang::Zh)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Streamed, the findings are those of the whole text, for pieces
        /// and zones small enough that cuts fall inside terms, near misses,
        /// slogans, directives and line breaks.
        #[test]
        fn streamed_findings_are_whole_file_findings(
            picks in proptest::collection::vec(0usize..1000, 0..700),
            piece in 1usize..400,
            zone in 1usize..40,
            chunk in 1usize..300,
            threads in 1usize..3,
        ) {
            let t = tokens();
            let text: String = picks.iter().map(|&i| t[i % t.len()].as_str()).collect();
            let want = whole(&text);
            let got = streamed(&text, piece, zone, chunk, threads);
            prop_assert_eq!(got, want, "text {:?}", text);
        }
    }

    /// A directive late on a long line changes the findings before it on
    /// that line: windows cut while the line was being read are checked
    /// again once it is read.
    #[test]
    fn a_directive_late_on_a_line_counts_for_the_whole_line() {
        let t = tokens();
        let terms: String = t
            .iter()
            .take(40)
            .map(|s| s.replace('\n', "") + "lorem ipsum dolor sit amet ")
            .collect();
        for directive in [
            " <!-- tifa-disable --> ",
            " # tifa-disable: bogus",
            " // tifa-enable",
        ] {
            let text = format!(
                "{terms}\n<!-- tifa-disable: wrong-form -->\n{terms}{terms}{directive}{terms}\n{terms}\n"
            );
            let want = whole(&text);
            for (piece, chunk) in [(100, 7), (400, 50), (1500, 300)] {
                assert_eq!(
                    streamed(&text, piece, 5, chunk, 1),
                    want,
                    "{directive:?} piece {piece} chunk {chunk}"
                );
            }
        }
    }

    /// A dense text (slogans and near misses back to back, no free point
    /// in any small zone) is joined and still checked whole.
    #[test]
    fn dense_text_is_joined() {
        let t = tokens();
        let text: String = t
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("")
            .repeat(3);
        let want = whole(&text);
        assert!(!want.is_empty());
        for (piece, zone) in [(1, 1), (50, 3), (300, 20), (2000, 200)] {
            assert_eq!(
                streamed(&text, piece, zone, 97, 2),
                want,
                "piece {piece} zone {zone}"
            );
        }
    }
}
