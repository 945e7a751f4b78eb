//! Putting a batch's outputs in place on threads of their own.
//!
//! A worker stages each output ([`archive::FilePlan::stage`]: written
//! beside its target, read back and verified) and hands it here; a commit
//! thread flushes it to disk and renames it into place
//! ([`archive::Staged::commit`]). Waiting for the disk then overlaps the
//! workers' next files instead of holding them up. As many commit threads
//! as workers, so that flushes run side by side as they would in the
//! workers themselves.
//!
//! A commit thread takes outputs in groups of [`GROUP`] (fewer with many
//! threads, [`HELD`]; or what is left at the end): it starts every one of
//! the group on its way to disk ([`archive::Staged::start_flush`]), waits
//! for each ([`archive::Staged::flush`]), then renames each into place.
//! On ext4 without a journal, flushing a new file writes its folder too,
//! which the rename before it had changed; a group's flushes share that
//! write, and its files' writes go to the disk together. Measured on 1,000
//! small archives, eight runs each taking turns (medians): flushing in
//! groups took `-j 1` 14% less wall time and 19% less CPU time than
//! flushing and renaming one output at a time, and `-j 2` 7% less wall
//! time; starting the group's flushes first took another 13–15% off
//! `-j 1`'s CPU time.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use procpatch::archive::{self, ArchiveError, FileReport};

/// Staged outputs waiting for a commit thread, at most: each holds its
/// temporary file open.
const WAITING: usize = 16;

/// Outputs a commit thread flushes one after another before renaming any
/// of them into place ([`archive::Staged::flush`]), at most.
const GROUP: usize = 16;

/// Outputs all commit threads' groups hold at once, at most: each holds its
/// temporary file open, and many threads must stay well inside the usual
/// limit of 1,024 open files. With more than 16 threads, groups are
/// smaller.
const HELD: usize = 256;

/// Where a worker sends a staged output, with its job's index.
pub type Sender = SyncSender<(usize, archive::Staged)>;

/// A commit's result, with its job's index.
pub type Committed = (usize, Result<FileReport, ArchiveError>);

/// Runs `work` with a sender to `threads` commit threads (none and no
/// sender when `threads` is 0), and returns its result and every commit's,
/// once all are done. The sender is dropped when `work` returns, which ends
/// the commit threads.
pub fn with_commits<R>(threads: usize, work: impl FnOnce(Option<Sender>) -> R) -> (R, Vec<Committed>) {
    if threads == 0 {
        return (work(None), Vec::new());
    }
    let (tx, rx) = sync_channel(WAITING);
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| {
        let committers: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| commit_all(&rx, group_size(threads))))
            .collect();
        let result = work(Some(tx));
        // A commit thread that stopped leaves its jobs without a result;
        // the caller reports them as not put in place.
        let committed = committers
            .into_iter()
            .flat_map(|c| c.join().unwrap_or_default())
            .collect();
        (result, committed)
    })
}

/// How many outputs each of `threads` commit threads takes at a time.
fn group_size(threads: usize) -> usize {
    (HELD / threads.max(1)).clamp(1, GROUP)
}

/// Commits staged outputs until the senders are gone, `size` at a time.
fn commit_all(rx: &Mutex<Receiver<(usize, archive::Staged)>>, size: usize) -> Vec<Committed> {
    let mut done = Vec::new();
    let mut group = Vec::with_capacity(size);
    loop {
        let open = match rx.lock() {
            Ok(rx) => fill(&rx, &mut group, size),
            Err(_) => false,
        };
        commit_group(&mut group, &mut done);
        if !open {
            break;
        }
    }
    done
}

/// Receives into `group` until it holds `size` outputs; false when the
/// senders are gone.
fn fill(rx: &Receiver<(usize, archive::Staged)>, group: &mut Vec<(usize, archive::Staged)>, size: usize) -> bool {
    while group.len() < size {
        match rx.recv() {
            Ok(next) => group.push(next),
            Err(_) => return false,
        }
    }
    true
}

/// Starts flushing every output of `group`, waits for each, then puts each
/// in place, in order.
///
/// A flush or commit that fails or panics fails its own file only: this
/// thread goes on receiving (a thread gone would leave the workers waiting
/// on a full queue) and keeps the results it has.
fn commit_group(group: &mut Vec<(usize, archive::Staged)>, done: &mut Vec<Committed>) {
    fn panicked<T>() -> Result<T, ArchiveError> {
        Err(ArchiveError::Internal("putting the output in place panicked".into()))
    }
    for (_, staged) in group.iter() {
        staged.start_flush();
    }
    let mut flushed = Vec::with_capacity(group.len());
    for (i, mut staged) in group.drain(..) {
        match catch_unwind(AssertUnwindSafe(|| staged.flush())).unwrap_or_else(|_| panicked()) {
            Ok(()) => flushed.push((i, staged)),
            Err(e) => done.push((i, Err(e))),
        }
    }
    for (i, staged) in flushed {
        done.push((
            i,
            catch_unwind(AssertUnwindSafe(|| staged.commit())).unwrap_or_else(|_| panicked()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_shrink_so_that_many_threads_hold_few_files_open() {
        assert_eq!(group_size(1), GROUP);
        assert_eq!(group_size(16), GROUP);
        assert_eq!(group_size(32), 8);
        assert_eq!(group_size(1000), 1);
        for threads in 1..2000 {
            assert!(threads * group_size(threads) <= HELD.max(threads));
        }
    }
}
