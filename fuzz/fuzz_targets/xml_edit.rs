//! The XML editor: arbitrary bytes plus an arbitrary edit (see
//! `checks::xml_edit`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::xml_edit(data));
