//! Benchmarks of the CI gate end to end, as CI runs it: the release binary on the
//! synthetic inventory (`ropa::synth`, 10,000 nodes with 10 flows each unless
//! ROPA_BENCH_SIZES says otherwise) in a git repository with one changed line.
//! `ropa check --format json` is the baseline; `--format sarif` and `ropa diff HEAD`
//! (both revisions audited) are measured next to it in the same run. Needs git for the
//! diff; without it, only the check formats are measured.

mod common;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.email=b@example.com", "-c", "user.name=b"])
        .args(args)
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A repository with the synthetic inventory committed and one retention changed since.
fn repository(nodes: usize) -> (tempfile::TempDir, bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = dir.path().join("inventory");
    std::fs::create_dir_all(&inventory).expect("mkdir");
    for (name, text) in ropa::synth::generate(nodes, 10) {
        std::fs::write(inventory.join(name), text).expect("write");
    }
    let committed = git(dir.path(), &["init", "-q"])
        && git(dir.path(), &["add", "."])
        && git(dir.path(), &["commit", "-qm", "base"]);
    let changed = inventory.join("001-nodes.yaml");
    if let Ok(text) = std::fs::read_to_string(&changed) {
        std::fs::write(
            &changed,
            text.replacen("retention: 30d", "retention: 400d", 1),
        )
        .expect("write");
    }
    (dir, committed)
}

/// Runs ropa in `dir`, as CI runs it in a checkout.
fn run(dir: &Path, args: &[&str]) {
    let mut command = common::ropa(args);
    command.current_dir(dir);
    common::run(command);
}

fn bench(c: &mut Criterion) {
    let sizes = common::sizes(&[10_000]);
    let mut group = c.benchmark_group("ci-gate");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for nodes in sizes {
        let (repo, committed) = repository(nodes);
        let dir = repo.path();
        group.bench_with_input(BenchmarkId::new("check-json", nodes), &dir, |b, dir| {
            b.iter(|| run(dir, &["check", "--format", "json"]))
        });
        group.bench_with_input(BenchmarkId::new("check-sarif", nodes), &dir, |b, dir| {
            b.iter(|| run(dir, &["check", "--format", "sarif"]))
        });
        if committed {
            group.bench_with_input(BenchmarkId::new("diff-head", nodes), &dir, |b, dir| {
                b.iter(|| run(dir, &["diff", "HEAD", "--format", "json"]))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
