//! What the benchmarks share: the inventory sizes to measure (ROPA_BENCH_SIZES) and
//! running the release binary end to end with its output thrown away.

#![allow(dead_code)]

use std::process::{Command, Stdio};

/// The node counts in `ROPA_BENCH_SIZES` (`1000,10000`), or `default`.
pub fn sizes(default: &[usize]) -> Vec<usize> {
    std::env::var("ROPA_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

/// The `ropa` binary with ARGS, no input and no diagnostics.
pub fn ropa(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ropa"));
    command
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Runs `command` with its output thrown away; it must exit 0 (clean) or 1 (findings).
pub fn run(mut command: Command) {
    let status = command.stdout(Stdio::null()).status().expect("ropa runs");
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "{command:?}: {status}"
    );
}
