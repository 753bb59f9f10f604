//! Fuzz target: the Cargo.toml reader on one manifest.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ropa::fuzz_targets::cargo_manifest(data));
