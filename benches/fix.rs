//! Benchmark of `ropa fix` end to end, as a user runs it: the release binary on the
//! synthetic inventory (`ropa::synth`, 10,000 nodes with 10 flows each unless
//! ROPA_BENCH_SIZES says otherwise) in which 100 stores no longer declare personal data,
//! so that about 1,000 `undeclared-holding` findings have a fix. `ropa check --format
//! json` on the same input is the baseline, measured in the same run. Each fix run
//! starts from a fresh copy of the files. Peak memory is not measured here: `/usr/bin/time
//! -f %M` on both commands gives it (see the README).

mod common;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use std::path::Path;
use std::time::Duration;

/// The synthetic inventory with the first `stores` stores holding system data only.
fn inventory(nodes: usize, stores: usize) -> Vec<(String, String)> {
    let mut left = stores;
    ropa::synth::generate(nodes, 10)
        .into_iter()
        .map(|(name, text)| {
            let mut out = String::with_capacity(text.len());
            let mut rest = text.as_str();
            let full = "      - data: [user, system]\n";
            while let Some(at) = rest.find(full) {
                out.push_str(&rest[..at]);
                if left > 0 {
                    out.push_str("      - data: [system]\n");
                    left -= 1;
                } else {
                    out.push_str(full);
                }
                rest = &rest[at + full.len()..];
            }
            out.push_str(rest);
            (name, out)
        })
        .collect()
}

fn write(dir: &Path, files: &[(String, String)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
}

fn run(dir: &Path, args: &[&str]) {
    let mut command = common::ropa(args);
    command.arg(dir);
    common::run(command);
}

fn bench(c: &mut Criterion) {
    let sizes = common::sizes(&[10_000]);
    let mut group = c.benchmark_group("fix");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    for nodes in sizes {
        let files = inventory(nodes, 100);
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), &files);
        group.bench_with_input(BenchmarkId::new("check-json", nodes), &dir, |b, dir| {
            b.iter(|| run(dir.path(), &["check", "--format", "json"]))
        });
        group.bench_with_input(BenchmarkId::new("fix", nodes), &dir, |b, dir| {
            b.iter_batched(
                || write(dir.path(), &files),
                |()| run(dir.path(), &["fix"]),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
