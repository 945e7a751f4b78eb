//! The workspace's tests of the `procpatch` library, kept out of the
//! published crate because they read the workspace: `testdata/` (fixtures,
//! corpus, interop checkers), `fuzz/` (the fuzzers' checks and saved
//! crashers) and the README. The tests are in `all/` (one binary,
//! `procpatch`); this library only carries the README's examples.
#![forbid(unsafe_code)]

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
