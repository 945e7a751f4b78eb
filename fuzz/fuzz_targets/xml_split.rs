//! A document read in parts side by side against one reading (see
//! `checks::xml_split`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::xml_split(data));
