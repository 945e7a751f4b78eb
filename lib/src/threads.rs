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
}
