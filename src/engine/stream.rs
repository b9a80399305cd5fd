//! Inputs read in pieces: standard input and plain text past
//! [`input::STREAM_ABOVE`], decoded piece by piece on one thread and worked
//! on all of them, the results joined in the order of the pieces.

use std::io;

use super::Engine;
use super::run::{Events, Render, ScanSink};
use crate::count::{Joined, PieceTally, Tally};
use crate::input::{self, Input, Loaded};
use crate::scan::{self, stream::Piece, stream::Window};

/// One input to read in pieces, and how.
#[derive(Clone, Copy)]
pub(super) struct Streamed<'a> {
    pub(super) engine: &'a Engine,
    pub(super) input_options: &'a input::Options,
    pub(super) threads: usize,
    pub(super) input: &'a Input,
    /// Keep lines and columns (off for counting).
    pub(super) positions: bool,
}

/// What a streamed input does with each piece.
type OnPiece<'a> = dyn FnMut(&Window<'_>) -> io::Result<()> + 'a;

/// Scans one input in pieces: its matches rendered on the worker threads
/// and put into `sink` in order. Returns whether the input failed.
pub(super) fn scan(
    job: Streamed<'_>,
    path: &str,
    render: &dyn Render,
    sink: &mut dyn ScanSink,
) -> io::Result<bool> {
    let mut resolver = scan::Resolver::default();
    // The pieces' output buffers, written and given back: fresh memory for
    // each would be faulted in anew.
    let spare = std::sync::Mutex::new(Vec::new());
    let spare_buffer = || {
        spare
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    };
    // `pieces` needs the events and the join needs the sink: one value,
    // reached by both through a cell.
    let sink = std::cell::RefCell::new(sink);
    let mut events = SinkEvents(&sink);
    pieces(
        job,
        &mut events,
        |piece| Rendered::of(piece, job.engine, render, path, spare_buffer()),
        |rendered| {
            let Rendered {
                split,
                tail,
                mut bytes,
            } = rendered?;
            let mut sink = sink.borrow_mut();
            let mut written = Ok(());
            resolver.join(split, |_, step, range| {
                if step.outer && written.is_ok() {
                    written = sink.put(&bytes[range]);
                }
            });
            written?;
            tail.into_iter()
                .try_for_each(|range| sink.put(&bytes[range]))?;
            bytes.clear();
            spare
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(bytes);
            Ok(())
        },
    )
}

/// The events of a streamed scan go to its sink.
struct SinkEvents<'s, 'a>(&'s std::cell::RefCell<&'a mut dyn ScanSink>);

impl Events for SinkEvents<'_, '_> {
    fn note(&mut self, path: &str, note: &str) -> io::Result<()> {
        self.0.borrow_mut().note(path, note)
    }

    fn failed(&mut self, e: &input::InputError) -> io::Result<()> {
        self.0.borrow_mut().failed(e)
    }
}

/// Counts one input read in pieces; returns the counts and whether the
/// input failed.
pub(super) fn count(job: Streamed<'_>, events: &mut dyn Events) -> io::Result<(Tally, bool)> {
    let mut joined = Joined::default();
    let scanner = job.engine.scanner();
    let failed = pieces(
        job,
        events,
        |piece| {
            let mut t = PieceTally::new(piece.settled);
            piece.for_each_hit(scanner, |h| t.add(&h));
            t
        },
        |t| {
            joined.join(t);
            Ok(())
        },
    )?;
    Ok((joined.tally, failed))
}

/// The output of the matches of one piece of a streamed scan, rendered on
/// a worker thread; which of the head's hits are outermost spans is known
/// when the piece is joined.
struct Rendered {
    /// The head's hits, with where each one's output lies in `bytes`.
    split: scan::Split<std::ops::Range<usize>>,
    /// Where the outermost spans of the rest lie in `bytes`, in order.
    tail: Vec<std::ops::Range<usize>>,
    bytes: Vec<u8>,
}

impl Rendered {
    /// Renders the matches of `piece` that may be outermost spans into
    /// `bytes` (an empty buffer).
    fn of(
        piece: &Piece<'_>,
        engine: &Engine,
        render: &dyn Render,
        path: &str,
        bytes: Vec<u8>,
    ) -> io::Result<Rendered> {
        let mut r = Rendered {
            split: scan::Split::new(piece.settled),
            tail: Vec::new(),
            bytes,
        };
        let mut written = Ok(());
        piece.for_each_hit(engine.scanner(), |h| {
            let step = r.split.step(&h);
            if step.is_some_and(|s| !s.outer) || written.is_err() {
                return;
            }
            let from = r.bytes.len();
            written = render.render(&mut r.bytes, path, &piece.to_match(&h));
            let range = from..r.bytes.len();
            match step {
                Some(_) => r.tail.push(range),
                None => r.split.head.push((h, range)),
            }
        });
        written.map(|()| r)
    }
}

/// Reads one input in pieces, calling `on` with each piece; reports notes
/// and errors. Returns whether the input failed.
fn read(job: Streamed<'_>, events: &mut dyn Events, on: &mut OnPiece<'_>) -> io::Result<bool> {
    let path = job.input.shown(job.input_options);
    let mut decoder = match job.input.open_stream(job.input_options) {
        Ok(Loaded::Text(d)) => d,
        Ok(Loaded::Skipped(why)) => {
            events.note(&path, &why)?;
            return Ok(false);
        }
        Ok(Loaded::Streams) => return Ok(false),
        Err(e) => {
            events.failed(&e)?;
            return Ok(true);
        }
    };
    let mut streamer = scan::stream::Streamer::new(job.engine.scanner(), input::piece_bytes());
    if !job.positions {
        streamer = streamer.without_positions();
    }
    loop {
        let mut more = Ok(true);
        streamer.push_with(|buffer| more = decoder.next_piece_into(buffer), on)?;
        match more {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // What was read so far is reported; the error ends this input.
                streamer.finish(on)?;
                events.failed(&input::io_error(&path, &e))?;
                return Ok(true);
            }
        }
    }
    streamer.finish(on)?;
    if decoder.replaced() {
        events.note(&path, &input::replaced_note(decoder.encoding()))?;
    }
    Ok(false)
}

/// [`read`] with the pieces worked on all threads: `work` makes a result
/// of each piece and `join` gets the results in the order of the pieces.
/// This thread reads and decodes, and hands each piece to one of
/// `threads - 1` worker threads; when [`QUEUED`] pieces per worker already
/// wait (always, with no worker), it works on the piece itself, which is
/// still in its cache. So no more threads than `threads` are busy, and
/// memory stays bounded. Returns whether the input failed.
fn pieces<T: Send>(
    job: Streamed<'_>,
    events: &mut dyn Events,
    work: impl Fn(&Piece<'_>) -> T + Sync,
    mut join: impl FnMut(T) -> io::Result<()>,
) -> io::Result<bool> {
    use std::sync::{Arc, Mutex, PoisonError, mpsc};
    let workers = job.threads.saturating_sub(1);
    let queued = workers * QUEUED;
    std::thread::scope(|scope| {
        let (to_workers, pieces) = mpsc::sync_channel::<(usize, Piece<'static>)>(queued);
        // Held by the workers only: should they all stop, sending fails
        // instead of waiting for ever.
        let pieces = Arc::new(Mutex::new(pieces));
        // Results come back with the piece's buffer, for the next piece.
        let (to_join, done) = mpsc::channel::<(usize, T, String)>();
        for _ in 0..workers {
            let (pieces, to_join, work) = (Arc::clone(&pieces), to_join.clone(), &work);
            scope.spawn(move || {
                loop {
                    let next = pieces.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok((i, piece)) = next else { break };
                    let t = work(&piece);
                    if to_join.send((i, t, piece.into_buffer())).is_err() {
                        break;
                    }
                }
            });
        }
        drop((pieces, to_join));
        let mut order = InOrder::default();
        let mut buffers = Vec::new();
        let (mut next, mut settled, mut away) = (0, 0, 0);
        let read = read(job, events, &mut |window| {
            for (i, t, buffer) in done.try_iter() {
                away -= 1;
                buffers.push(buffer);
                order.put(i, t, &mut join)?;
            }
            if away < queued {
                let piece = window.to_piece(settled, buffers.pop().unwrap_or_default());
                match to_workers.try_send((next, piece)) {
                    Ok(()) => away += 1,
                    // Not full while fewer than `queued` are away; with no
                    // worker left (one panicked), worked on here.
                    Err(
                        mpsc::TrySendError::Full((i, piece))
                        | mpsc::TrySendError::Disconnected((i, piece)),
                    ) => {
                        order.put(i, work(&piece), &mut join)?;
                        buffers.push(piece.into_buffer());
                    }
                }
            } else {
                order.put(next, work(&window.as_piece(settled)), &mut join)?;
            }
            next += 1;
            settled = window.end();
            Ok(())
        });
        drop(to_workers);
        // After a failed write, the workers' results are dropped.
        let mut joined = Ok(());
        for (i, t, _) in done {
            if joined.is_ok() && read.is_ok() {
                joined = order.put(i, t, &mut join);
            }
        }
        let failed = read?;
        joined.map(|()| failed)
    })
}

/// Pieces per worker thread that may wait for it in [`pieces`].
const QUEUED: usize = 4;

/// Results that come in any order, handed on in the order of their
/// numbers.
struct InOrder<T> {
    next: usize,
    waiting: std::collections::BTreeMap<usize, T>,
}

impl<T> Default for InOrder<T> {
    fn default() -> Self {
        InOrder {
            next: 0,
            waiting: std::collections::BTreeMap::new(),
        }
    }
}

impl<T> InOrder<T> {
    /// Takes result `i`; hands on every result now due.
    fn put(&mut self, i: usize, t: T, on: &mut impl FnMut(T) -> io::Result<()>) -> io::Result<()> {
        self.waiting.insert(i, t);
        while let Some(t) = self.waiting.remove(&self.next) {
            self.next += 1;
            on(t)?;
        }
        Ok(())
    }
}
