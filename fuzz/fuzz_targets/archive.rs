//! The archive reader and writer: arbitrary bytes in; an error or a verified
//! archive out (see `checks::archive`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::archive(data));
