//! Reading an archive's entries ahead on a second thread while the walk
//! parses the documents already read: decompressing and checking every
//! entry is half the work of a large export, parsing its documents the
//! other half.
//!
//! The second reader is one more cursor over the same bytes when the
//! archive is held in memory, or one more reader of its file when it is
//! read from the disk (past `Options::max_in_memory`), so that the walk of
//! a large file uses both cores too; only an archive with enough entries
//! to pay for a thread is read ahead. The reader ahead takes entries in
//! order and hands each one's result, fault included, to the walk in that
//! order, so the walk meets the same first fault as one reading alone. Results go over
//! in batches (a handover per entry costs more than a small entry's
//! reading). What waits is bounded: at most [`QUEUE`] batches, each of at
//! most [`BATCH`] entries or about [`BATCH_BYTES`] bytes kept, of entries
//! of at most [`MAX_SIZE`] bytes; a larger entry is left to the walk.
//!
//! The reader ahead also prepares documents (`prepare`: parsing and
//! planning) when the walk has batches waiting, so that both cores parse
//! when parsing is what the walk waits for: a document it leaves is
//! prepared by the walk. Its results go to the walk in order with the
//! entries, so where a document was prepared changes nothing else.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use super::entries::{sniff, step, worth_reading, Entries, EntryKind, Step};
use super::error::ArchiveError;
use super::prepare::{Prepare, Prepared};
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

/// Results of the reader ahead, in entry order: each entry's, and its
/// document's prepared result when the reader prepared it.
type Batch = Vec<Item>;

/// One entry of a [`Batch`].
type Item = (usize, Got, Option<Prepared>);

/// The results of the reader ahead, in entry order.
pub(crate) struct Ahead<'a> {
    rx: Receiver<Batch>,
    /// Results received and not yet taken.
    ready: RefCell<VecDeque<Item>>,
    /// Batches sent and not yet received.
    waiting: &'a AtomicUsize,
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
/// listening or an entry fails. A document is prepared here when the walk
/// has a batch waiting (`waiting`), so that this thread works while the
/// walk is busy and hands over promptly while the walk waits.
fn produce<A: std::io::Read + std::io::Seek>(
    raw: &RawArchive,
    reader: A,
    options: &Options,
    prepare: Option<&dyn Prepare>,
    waiting: &AtomicUsize,
    tx: SyncSender<Batch>,
) {
    // The walk, on a pool thread, waits for this one: a document prepared
    // here is read on this thread alone, never handed to the pool.
    crate::threads::work_beside_the_pool();
    let mut entries = Entries::new(raw, reader);
    let (mut batch, mut kept) = (Vec::with_capacity(BATCH), 0usize);
    for i in (0..raw.entries.len()).filter(|&i| ahead_of_walk(raw, i, options)) {
        let got = read(&mut entries, raw, i, options);
        let failed = got.is_err();
        let prepared = match (prepare, &got) {
            (Some(p), Ok((_, Some(data)))) if waiting.load(Ordering::Relaxed) > 0 => {
                let name = raw.entries.get(i).map(|e| e.display_name()).unwrap_or_default();
                (sniff(&name, data) == EntryKind::Bpmn).then(|| p.prepare(data))
            }
            _ => None,
        };
        kept += got.as_ref().map_or(0, |(_, data)| data.as_ref().map_or(0, Vec::len));
        batch.push((i, got, prepared));
        if failed || batch.len() >= BATCH || kept >= BATCH_BYTES {
            waiting.fetch_add(1, Ordering::Relaxed);
            if tx.send(std::mem::take(&mut batch)).is_err() || failed {
                return;
            }
            kept = 0;
        }
    }
    if !batch.is_empty() {
        waiting.fetch_add(1, Ordering::Relaxed);
        let _ = tx.send(batch);
    }
}

impl Ahead<'_> {
    /// Entry `i` and its prepared document, from the reader ahead when it
    /// took the entry, else read here from `entries` (and prepared by the
    /// walk's visitor).
    pub fn take<R: std::io::Read + std::io::Seek>(
        this: Option<&Ahead<'_>>,
        entries: &mut Entries<'_, R>,
        raw: &RawArchive,
        i: usize,
        options: &Options,
    ) -> (Got, Option<Prepared>) {
        if let Some(ahead) = this.filter(|_| ahead_of_walk(raw, i, options)) {
            let mut ready = ahead.ready.borrow_mut();
            if ready.is_empty() {
                if let Ok(batch) = ahead.rx.recv() {
                    ahead.waiting.fetch_sub(1, Ordering::Relaxed);
                    ready.extend(batch);
                }
            }
            if let Some((j, got, prepared)) = ready.pop_front() {
                if j == i {
                    return (got, prepared);
                }
            }
        }
        (read(entries, raw, i, options), None)
    }
}

/// Runs `f` with a reader ahead, reading with `reader` (over the archive
/// `raw` describes), when it pays, else with none. A thread that cannot be
/// started leaves the walk to read alone.
pub(crate) fn with_ahead<T, A: std::io::Read + std::io::Seek + Send>(
    raw: &RawArchive,
    reader: Option<A>,
    options: &Options,
    prepare: Option<&dyn Prepare>,
    f: impl FnOnce(Option<&Ahead<'_>>) -> T,
) -> T {
    let Some(reader) = reader.filter(|_| raw.entries.len() >= MIN_ENTRIES) else {
        return f(None);
    };
    let waiting = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel(QUEUE);
        let waiting = &waiting;
        let started = std::thread::Builder::new()
            .name("procpatch-read-ahead".into())
            .spawn_scoped(scope, move || produce(raw, reader, options, prepare, waiting, tx));
        match started {
            // The receiver is dropped when `f` returns, which stops the
            // reader ahead at its next entry; the scope then joins it.
            Ok(_) => f(Some(&Ahead {
                rx,
                ready: RefCell::new(VecDeque::new()),
                waiting,
            })),
            Err(_) => f(None),
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;
    use crate::archive::entries::Opened;

    /// Counts what it prepares; its result is the document's length.
    struct Lengths(AtomicUsize);

    impl Prepare for Lengths {
        fn prepare(&self, data: &[u8]) -> Prepared {
            self.0.fetch_add(1, Ordering::Relaxed);
            Box::new(data.len())
        }
    }

    /// `n` BPMN documents, each followed by a properties file.
    fn archive(n: usize) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let deflate = zip::write::SimpleFileOptions::default();
        for i in 0..n {
            zip.start_file(format!("p{i}.bpmn20.xml"), deflate).unwrap();
            let doc = format!(
                "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><process id=\"p{i}\"/></definitions>"
            );
            zip.write_all(doc.as_bytes()).unwrap();
            zip.start_file(format!("x{i}.properties"), deflate).unwrap();
            zip.write_all(b"a=b\n").unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// What the reader ahead sends, read to its end without the walk
    /// taking anything (so `waiting` only grows).
    fn sent(bytes: &[u8], waiting: usize) -> (RawArchive, Batch, usize) {
        let (raw, _) = Opened::open(Cursor::new(bytes)).unwrap().into_parts();
        let lengths = Lengths(AtomicUsize::new(0));
        let waiting = AtomicUsize::new(waiting);
        let (tx, rx) = sync_channel(raw.entries.len());
        produce(
            &raw,
            Cursor::new(bytes),
            &Options::default(),
            Some(&lengths),
            &waiting,
            tx,
        );
        let items = rx.iter().flatten().collect();
        (raw, items, lengths.0.load(Ordering::Relaxed))
    }

    #[test]
    fn documents_are_prepared_ahead_while_the_walk_has_batches_waiting() {
        let bytes = archive(40);
        let (raw, items, prepared) = sent(&bytes, 1);
        assert_eq!(items.len(), 80);
        assert_eq!(prepared, 40);
        for (i, got, done) in items {
            let name = raw.entries[i].display_name();
            let (_, data) = got.unwrap();
            match name.ends_with(".bpmn20.xml") {
                true => assert_eq!(
                    *done.unwrap().downcast::<usize>().unwrap(),
                    data.unwrap().len(),
                    "{name}"
                ),
                false => assert!(done.is_none(), "{name}"),
            }
        }
    }

    /// Records how many threads the work a document starts may use.
    struct Threads(std::sync::Mutex<Vec<usize>>);

    impl Prepare for Threads {
        fn prepare(&self, _: &[u8]) -> Prepared {
            if let Ok(mut seen) = self.0.lock() {
                seen.push(crate::threads::count());
            }
            Box::new(())
        }
    }

    #[test]
    fn documents_prepared_ahead_are_never_handed_to_the_pool() {
        // On its own thread, as `with_ahead` starts it.
        let seen = std::thread::spawn(|| {
            let bytes = archive(40);
            let (raw, _) = Opened::open(Cursor::new(&bytes[..])).unwrap().into_parts();
            let threads = Threads(std::sync::Mutex::new(Vec::new()));
            let (tx, rx) = sync_channel(raw.entries.len());
            produce(
                &raw,
                Cursor::new(&bytes[..]),
                &Options::default(),
                Some(&threads),
                &AtomicUsize::new(1),
                tx,
            );
            drop(rx);
            threads.0.into_inner().unwrap()
        })
        .join()
        .unwrap();
        assert_eq!(seen, vec![1; 40]);
    }

    /// `n` documents of `processes` processes each, with a task apiece.
    fn large_documents(n: usize, processes: usize) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let deflate = zip::write::SimpleFileOptions::default();
        for i in 0..n {
            zip.start_file(format!("d{i}.bpmn20.xml"), deflate).unwrap();
            let mut doc = String::from("<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n");
            for k in 0..processes {
                doc += &format!(
                    "  <process id=\"p{i}x{k}\" name=\"P {k}\">\n    <documentation>{}</documentation>\n    \
                     <serviceTask id=\"t{k}\" name=\"T {k}\"/>\n  </process>\n",
                    "w".repeat(1200)
                );
            }
            doc += "</definitions>\n";
            zip.write_all(doc.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn every_pool_thread_walking_an_archive_read_ahead_finishes() {
        // Each of the pool's threads walks an archive of large documents
        // with a reader ahead, which prepares documents while its walk is
        // busy and which its walk then waits for. Were the reader to hand
        // a document's parts to the pool, every pool thread could end up
        // waiting for a reader that waits for the pool.
        let bytes = std::sync::Arc::new(large_documents(34, 200));
        let (tx, rx) = std::sync::mpsc::channel();
        let walks = std::sync::Arc::clone(&bytes);
        std::thread::spawn(move || {
            use rayon::prelude::*;
            let threads = rayon::current_num_threads().max(2);
            let done: Vec<usize> = (0..threads)
                .into_par_iter()
                .map(|_| {
                    let found = crate::archive::inspect_bytes(&walks, &Options::default()).unwrap();
                    found.entries.iter().map(|e| e.processes.len()).sum()
                })
                .collect();
            let _ = tx.send(done);
        });
        let done = rx.recv_timeout(std::time::Duration::from_secs(120));
        let Ok(done) = done else {
            return assert!(done.is_ok(), "the walks did not finish: {done:?}");
        };
        assert!(done.iter().all(|&n| n == 34 * 200), "{done:?}");
    }

    #[test]
    fn a_waiting_walk_gets_its_first_batch_unprepared() {
        let bytes = archive(40);
        let (_, items, prepared) = sent(&bytes, 0);
        // The first batch goes as read; from then on the walk has one
        // waiting (nothing takes it here), so the rest are prepared.
        assert!(items[..BATCH].iter().all(|(_, _, done)| done.is_none()));
        assert_eq!(prepared, 40 - BATCH / 2);
    }
}
