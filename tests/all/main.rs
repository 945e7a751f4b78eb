//! procpatch's integration tests, built as one binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod support;

mod api;
mod archive;
mod corpus;
mod encodings;
mod engine_attributes;
mod errors;
mod fixtures;
mod fuzz_regressions;
mod insertion;
mod interop;
mod large;
mod listing;
mod properties;
mod render;
mod roundtrip;
mod signing_support;
mod zipodd;
