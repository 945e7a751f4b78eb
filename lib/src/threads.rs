//! How many threads a large piece of work is shared out on.
//!
//! Work that splits (a large document read in parts, its line index, its
//! processes read side by side) runs on rayon's pool, whose threads are
//! already started (and their heaps already there), and which the CLI's
//! `-j` sizes. A thread that works beside the pool and that a pool thread
//! may wait for (the reader ahead of an archive's walk) must not hand work
//! to the pool: with every pool thread waiting for it, the work would
//! never run. On such a thread the work is done where it is, in one piece.

use std::cell::Cell;

thread_local! {
    /// Whether this thread works beside the pool (see the module's notes).
    static BESIDE: Cell<bool> = const { Cell::new(false) };
}

/// The threads work may be shared out on here: rayon's (the current pool
/// or the global one), or one on a thread beside the pool.
pub(crate) fn count() -> usize {
    if BESIDE.with(Cell::get) {
        1
    } else {
        rayon::current_num_threads().max(1)
    }
}

/// How many parts to share work on `len` bytes out in: `per_thread` for
/// each thread of [`count`], no more than `len` holds parts of `least`
/// bytes, and at least one. On a thread beside the pool: one, whatever
/// `per_thread` says.
pub(crate) fn parts(len: usize, least: usize, per_thread: usize) -> usize {
    match count() {
        1 => 1,
        n => n.saturating_mul(per_thread).min(len / least.max(1)).max(1),
    }
}

/// Marks this thread as one that works beside the pool, for the rest of
/// its life: what it splits from now on it does itself.
#[cfg_attr(not(feature = "archive"), allow(dead_code))]
pub(crate) fn work_beside_the_pool() {
    BESIDE.with(|b| b.set(true));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_beside_the_pool_shares_nothing_out() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        assert_eq!(pool.install(count), 3);
        let beside = std::thread::spawn(|| {
            let before = count();
            work_beside_the_pool();
            (before, count())
        })
        .join()
        .unwrap();
        assert_eq!(beside.1, 1);
        assert_eq!(beside.0, rayon::current_num_threads());
        // Only that thread.
        assert_eq!(pool.install(count), 3);
    }

    #[test]
    fn work_is_shared_out_in_parts_of_at_least_the_least_size() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        assert_eq!(pool.install(|| parts(100, 10, 2)), 6);
        assert_eq!(pool.install(|| parts(100, 40, 2)), 2);
        assert_eq!(pool.install(|| parts(100, 10, 1)), 3);
        assert_eq!(pool.install(|| parts(5, 10, 2)), 1);
        assert_eq!(pool.install(|| parts(0, 0, 2)), 1);
        // Beside the pool, one part of any size.
        let beside = std::thread::spawn(|| {
            work_beside_the_pool();
            parts(usize::MAX, 1, 2)
        });
        assert_eq!(beside.join().unwrap(), 1);
    }
}
