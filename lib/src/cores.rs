//! How many cores this process may use, asked of the system once: on Linux
//! `std::thread::available_parallelism` reads the cgroup's CPU quota from
//! several files on every call, which a batch of a thousand small
//! archives would otherwise pay for each document.

use std::sync::OnceLock;

/// The cores this process may use (at least one).
pub(crate) fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}
