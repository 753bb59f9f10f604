//! Fuzz target: the Rust fact extractor and the classifier on one source file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ropa::fuzz_targets::rust_source(data));
