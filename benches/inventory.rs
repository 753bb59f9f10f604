//! Benchmarks of loading and checking synthetic inventories (`ropa::synth`) of 1k, 10k
//! and 100k nodes with 10 flows per node and a rule of every kind. Load (read, parse,
//! decode, validate) and check (graph build and rule evaluation) are measured apart,
//! next to a baseline: serde-saphyr parsing the same files into nothing
//! (`IgnoredAny`, one thread), the floor any serde-saphyr-based loader stands on.

mod common;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::path::PathBuf;
use std::time::Duration;

fn write_inventory(nodes: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in ropa::synth::generate(nodes, 10) {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

fn load(path: &PathBuf) -> ropa::inventory::Inventory {
    match ropa::inventory::load(std::slice::from_ref(path)) {
        Ok(inventory) => inventory,
        Err(failure) => panic!(
            "synthetic inventory does not load: {:?}",
            failure.problems.first()
        ),
    }
}

/// Parses every file of the inventory with serde-saphyr into `IgnoredAny`.
fn parse_floor(texts: &[String]) {
    for text in texts {
        let mut budget = serde_saphyr::Budget::default();
        budget.max_nodes = usize::MAX;
        budget.max_events = usize::MAX;
        let mut options = serde_saphyr::Options::default();
        options.budget = Some(budget);
        let parsed: Result<serde::de::IgnoredAny, _> =
            serde_saphyr::from_str_with_options(text, options);
        assert!(parsed.is_ok());
    }
}

fn bench(c: &mut Criterion) {
    let sizes = common::sizes(&[1_000, 10_000, 100_000]);
    let mut group = c.benchmark_group("inventory");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for nodes in sizes {
        let dir = write_inventory(nodes);
        let path = dir.path().to_path_buf();
        let texts: Vec<String> = ropa::synth::generate(nodes, 10)
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        group.bench_with_input(
            BenchmarkId::new("baseline-parse", nodes),
            &texts,
            |b, texts| b.iter(|| parse_floor(texts)),
        );
        group.bench_with_input(BenchmarkId::new("load", nodes), &path, |b, path| {
            b.iter(|| load(path))
        });
        let inventory = load(&path);
        group.bench_with_input(
            BenchmarkId::new("check", nodes),
            &inventory,
            |b, inventory| {
                b.iter(|| {
                    let graph = ropa::graph::DataFlowGraph::build(inventory);
                    ropa::rules::evaluate(inventory, &graph, &[])
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
