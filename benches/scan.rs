//! Benchmark of the code scanner on a large corpus of real Rust: the sources of ropa's
//! own dependency tree, vendored once into a git-ignored folder so that no network is
//! needed at bench time:
//!
//! ```text
//! cargo vendor --versioned-dirs target/scan-corpus
//! cargo bench --bench scan
//! ```
//!
//! `ROPA_SCAN_CORPUS` names another directory. Measured on the same files: the floor, a
//! bare single-threaded pass of `std::fs::read_to_string` and `syn::parse_file` (freeing
//! the span table after each file, as the scanner does); ropa's scan (walk, read, parse,
//! collect facts, classify every field) on one thread; and the same on all cores.

use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn corpus() -> Option<PathBuf> {
    let path = std::env::var_os("ROPA_SCAN_CORPUS")
        .map_or_else(|| PathBuf::from("target/scan-corpus"), PathBuf::from);
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!(
            "no corpus at {}: run `cargo vendor --versioned-dirs target/scan-corpus` first",
            path.display()
        );
        None
    }
}

/// The `.rs` files the scanner reads, found by the scanner's own walk.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    let (files, _) =
        ropa::code::walk::source_files(root, &ropa::code::walk::SourceFilter::default());
    files
        .into_iter()
        .filter(|f| !ropa::code::walk::is_manifest(f))
        .collect()
}

/// The floor: read and parse every file, one after the other.
fn bare_parse(files: &[PathBuf]) -> usize {
    let mut parsed = 0;
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if text.len() as u64 > ropa::code::MAX_SOURCE_BYTES {
            continue;
        }
        if syn::parse_file(&text).is_ok() {
            parsed += 1;
        }
        proc_macro2::extra::invalidate_current_thread_spans();
    }
    parsed
}

/// ropa's whole scan: walk, read, parse, facts, and every field's verdict.
fn ropa_scan(root: &Path) -> usize {
    let mut sources = ropa::source::SourceMap::new();
    let scan = ropa::code::scan(
        &[root.to_path_buf()],
        &ropa::code::walk::SourceFilter::default(),
        &mut sources,
        &ropa::code::NoProgress,
    );
    let fields: Vec<_> = scan.fields().map(|(_, f)| f).collect();
    let statuses = ropa::code::verdicts::judge(&fields, |_| None, |_| true);
    statuses.len()
}

fn bench(c: &mut Criterion) {
    let Some(root) = corpus() else {
        return;
    };
    let files = rust_files(&root);
    let (mut lines, mut bytes) = (0usize, 0usize);
    for file in &files {
        if let Ok(text) = std::fs::read_to_string(file) {
            lines += text.lines().count();
            bytes += text.len();
        }
    }
    eprintln!(
        "corpus {}: {} Rust files, {} lines, {:.1} MB",
        root.display(),
        files.len(),
        lines,
        bytes as f64 / 1e6
    );
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    let mut group = c.benchmark_group("scan");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("bare-syn-parse-1-thread", |b| b.iter(|| bare_parse(&files)));
    group.bench_function("ropa-scan-1-thread", |b| {
        b.iter(|| single.install(|| ropa_scan(&root)))
    });
    group.bench_function("ropa-scan-all-cores", |b| b.iter(|| ropa_scan(&root)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
