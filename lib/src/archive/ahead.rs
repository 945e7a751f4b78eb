//! Reading an archive's entries ahead on a second thread while the walk
//! parses the documents already read: decompressing and checking every
//! entry is half the work of a large export, parsing its documents the
//! other half.
//!
//! Only an archive held in memory is read ahead (the second reader is one
//! more cursor over the same bytes), and only one with enough entries to
//! pay for a thread. The reader ahead takes entries in order and hands
//! each one's result, fault included, to the walk in that order, so the
//! walk meets the same first fault as one reading alone. Results go over
//! in batches (a handover per entry costs more than a small entry's
//! reading). What waits is bounded: at most [`QUEUE`] batches, each of at
//! most [`BATCH`] entries or about [`BATCH_BYTES`] bytes kept, of entries
//! of at most [`MAX_SIZE`] bytes; a larger entry is left to the walk.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Cursor;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use super::entries::{step, worth_reading, Entries, Step};
use super::error::ArchiveError;
use super::raw::RawArchive;
use super::Options;

/// The largest entry (by its header) read ahead.
const MAX_SIZE: u64 = 4 << 20;

/// How many batches may wait for the walk.
const QUEUE: usize = 4;

/// The most entries in a batch.
const BATCH: usize = 32;

/// A batch is sent once it keeps this many bytes.
const BATCH_BYTES: usize = 1 << 20;

/// Fewer entries than this are read by the walk alone.
const MIN_ENTRIES: usize = 32;

/// An entry read to its end: its size, and its content if it was kept.
pub(crate) type Got = Result<(u64, Option<Vec<u8>>), ArchiveError>;

/// Results of the reader ahead, in entry order.
type Batch = Vec<(usize, Got)>;

/// The results of the reader ahead, in entry order.
pub(crate) struct Ahead {
    rx: Receiver<Batch>,
    /// Results received and not yet taken.
    ready: RefCell<VecDeque<(usize, Got)>>,
}

/// Whether entry `i` is read ahead.
fn ahead_of_walk(raw: &RawArchive, i: usize, options: &Options) -> bool {
    step(raw, i, options) == Step::Read && raw.entries.get(i).is_some_and(|e| e.size <= MAX_SIZE)
}

/// Reads entry `i` to its end, keeping it if it may be a document.
pub(crate) fn read<R: std::io::Read + std::io::Seek>(
    entries: &mut Entries<'_, R>,
    raw: &RawArchive,
    i: usize,
    options: &Options,
) -> Got {
    let name = raw.entries.get(i).map(|e| e.display_name()).unwrap_or_default();
    entries.read_or_check(i, options, &mut |head| worth_reading(&name, head))
}

/// The reader ahead: every entry it takes, in order, until the walk stops
/// listening or an entry fails.
fn produce(raw: &RawArchive, bytes: &[u8], options: &Options, tx: SyncSender<Batch>) {
    let mut entries = Entries::new(raw, Cursor::new(bytes));
    let (mut batch, mut kept) = (Vec::with_capacity(BATCH), 0usize);
    for i in (0..raw.entries.len()).filter(|&i| ahead_of_walk(raw, i, options)) {
        let got = read(&mut entries, raw, i, options);
        let failed = got.is_err();
        kept += got.as_ref().map_or(0, |(_, data)| data.as_ref().map_or(0, Vec::len));
        batch.push((i, got));
        if failed || batch.len() >= BATCH || kept >= BATCH_BYTES {
            if tx.send(std::mem::take(&mut batch)).is_err() || failed {
                return;
            }
            kept = 0;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
}

impl Ahead {
    /// Entry `i`, from the reader ahead when it took it, else read here
    /// from `entries`.
    pub fn take<R: std::io::Read + std::io::Seek>(
        this: Option<&Ahead>,
        entries: &mut Entries<'_, R>,
        raw: &RawArchive,
        i: usize,
        options: &Options,
    ) -> Got {
        if let Some(ahead) = this.filter(|_| ahead_of_walk(raw, i, options)) {
            let mut ready = ahead.ready.borrow_mut();
            if ready.is_empty() {
                if let Ok(batch) = ahead.rx.recv() {
                    ready.extend(batch);
                }
            }
            if let Some((j, got)) = ready.pop_front() {
                if j == i {
                    return got;
                }
            }
        }
        read(entries, raw, i, options)
    }
}

/// Runs `f` with a reader ahead over `bytes` (the archive `raw` describes)
/// when it pays, else with none. A thread that cannot be started leaves
/// the walk to read alone.
pub(crate) fn with_ahead<T>(
    raw: &RawArchive,
    bytes: Option<&[u8]>,
    options: &Options,
    f: impl FnOnce(Option<&Ahead>) -> T,
) -> T {
    let Some(bytes) = bytes.filter(|_| raw.entries.len() >= MIN_ENTRIES) else {
        return f(None);
    };
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel(QUEUE);
        let started = std::thread::Builder::new()
            .name("procpatch-read-ahead".into())
            .spawn_scoped(scope, move || produce(raw, bytes, options, tx));
        match started {
            // The receiver is dropped when `f` returns, which stops the
            // reader ahead at its next entry; the scope then joins it.
            Ok(_) => f(Some(&Ahead {
                rx,
                ready: RefCell::new(VecDeque::new()),
            })),
            Err(_) => f(None),
        }
    })
}
