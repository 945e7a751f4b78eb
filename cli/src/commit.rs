//! Putting a batch's outputs in place on threads of their own.
//!
//! A worker stages each output ([`archive::FilePlan::stage`]: written
//! beside its target, read back and verified) and hands it here; a commit
//! thread flushes it to disk and renames it into place
//! ([`archive::Staged::commit`]). Waiting for the disk then overlaps the
//! workers' next files instead of holding them up. As many commit threads
//! as workers, so that flushes run side by side as they would in the
//! workers themselves.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use procpatch::archive::{self, ArchiveError, FileReport};

/// Staged outputs waiting for a commit thread, at most: each holds its
/// temporary file open.
const WAITING: usize = 16;

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
        let committers: Vec<_> = (0..threads).map(|_| scope.spawn(|| commit_all(&rx))).collect();
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

/// Commits staged outputs until the senders are gone.
fn commit_all(rx: &Mutex<Receiver<(usize, archive::Staged)>>) -> Vec<Committed> {
    let mut done = Vec::new();
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => break,
        };
        let Ok((i, staged)) = next else { break };
        // A commit that panics fails its own file only: this thread goes on
        // receiving (a thread gone would leave the workers waiting on a full
        // queue) and keeps the results it has.
        let commit = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| staged.commit()))
            .unwrap_or_else(|_| Err(ArchiveError::Internal("putting the output in place panicked".into())));
        done.push((i, commit));
    }
    done
}
