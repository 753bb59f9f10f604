//! Benchmark of the documents, end to end as a user runs them: the release binary on
//! the synthetic inventory (`ropa::synth`, 10,000 nodes with 10 flows each unless
//! ROPA_BENCH_SIZES says otherwise). Measures `ropa report record --format html`, `ropa
//! graph --format dot` (grouped by region, as it is above the node limit) and `ropa
//! graph --format dot --max-nodes 1000000` (every node), against `ropa check --format
//! json` on the same files as the baseline, in the same run, each with its standard
//! output thrown away. Before timing, it prints the size of each output.

mod common;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const COMMANDS: [(&str, &[&str]); 4] = [
    ("check-json", &["check", "--format", "json"]),
    ("record-html", &["report", "record", "--format", "html"]),
    ("graph-dot", &["graph", "--format", "dot"]),
    (
        "graph-dot-every-node",
        &["graph", "--format", "dot", "--max-nodes", "1000000"],
    ),
];

fn ropa(dir: &Path, args: &[&str]) -> Command {
    let mut command = common::ropa(args);
    command.arg(dir);
    command
}

/// The size of what ropa writes to stdout.
fn output_size(dir: &Path, args: &[&str]) -> usize {
    let output = ropa(dir, args).output().expect("ropa runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        output.status
    );
    output.stdout.len()
}

fn bench(c: &mut Criterion) {
    let sizes = common::sizes(&[10_000]);
    let mut group = c.benchmark_group("report");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    for nodes in sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in ropa::synth::generate(nodes, 10) {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        for (name, args) in COMMANDS {
            let bytes = output_size(dir.path(), args);
            eprintln!("report/{name}/{nodes}: output {bytes} bytes");
        }
        for (name, args) in COMMANDS {
            group.bench_with_input(BenchmarkId::new(name, nodes), &dir, |b, dir| {
                b.iter(|| common::run(ropa(dir.path(), args)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
