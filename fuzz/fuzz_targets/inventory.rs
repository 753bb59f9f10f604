//! Fuzz target: the whole pipeline on one inventory file: load, scan a fixed tree, graph, rules, every output format.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ropa::fuzz_targets::inventory(data));
