//! Benchmarks of the terminal UI: drawing one frame of each view on ratatui's
//! `TestBackend` (120×40) with a synthetic inventory of 10,000 nodes (100,000 flows)
//! and 100,000 findings loaded, next to the same frame for the seed inventories as the
//! baseline; scrolling one row in the 100,000 findings; and startup to the first frame
//! for the seed inventories (load, scan, check, build the views, draw) next to the
//! audit alone (what `ropa check` does before printing).

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ropa::tui::app::{App, ViewId};
use ropa::tui::data::Data;
use ropa::tui::theme::Theme;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

const NODES: usize = 10_000;
const FINDINGS: usize = 100_000;

fn audit(paths: &[PathBuf]) -> ropa::audit::Audit {
    match ropa::audit::run(paths, true, &ropa::code::NoProgress) {
        Ok(audit) => audit,
        Err(failure) => panic!("does not load: {:?}", failure.problems.first()),
    }
}

/// The synthetic inventory, with its findings repeated up to `FINDINGS`.
fn large_app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in ropa::synth::generate(NODES, 10) {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let paths = vec![dir.path().to_path_buf()];
    let mut audit = audit(&paths);
    assert!(
        !audit.findings.is_empty(),
        "the synthetic inventory breaks rules"
    );
    let base = audit.findings.clone();
    while audit.findings.len() < FINDINGS {
        let more = (FINDINGS - audit.findings.len()).min(base.len());
        audit.findings.extend(base[..more].iter().cloned());
    }
    let app = App::new(Data::new(paths, Ok(audit)), Theme { color: true });
    (dir, app)
}

fn seed_app() -> App {
    let paths = vec![PathBuf::from("inventory")];
    App::new(
        Data::new(paths.clone(), Ok(audit(&paths))),
        Theme { color: true },
    )
}

fn bench(c: &mut Criterion) {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut group = c.benchmark_group("tui-frame");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(3));
    let mut seeds = seed_app();
    let (_dir, mut large) = large_app();
    for view in ViewId::ALL {
        let name = view.name().to_lowercase();
        seeds.show(view);
        group.bench_function(format!("seeds/{name}"), |b| {
            b.iter(|| terminal.draw(|f| seeds.draw(f)).map(|_| ()).expect("draw"))
        });
        large.show(view);
        group.bench_function(format!("10k-nodes-100k-findings/{name}"), |b| {
            b.iter(|| terminal.draw(|f| large.draw(f)).map(|_| ()).expect("draw"))
        });
    }
    large.show(ViewId::Findings);
    let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
    group.bench_function("10k-nodes-100k-findings/findings-scroll-one-row", |b| {
        b.iter(|| {
            large.handle_key(down);
            terminal.draw(|f| large.draw(f)).map(|_| ()).expect("draw")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("tui-startup");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    let paths = vec![PathBuf::from("inventory")];
    group.bench_function("seeds/audit-only", |b| b.iter(|| black_box(audit(&paths))));
    group.bench_function("seeds/to-first-frame", |b| {
        b.iter(|| {
            let mut app = App::new(
                Data::new(paths.clone(), Ok(audit(&paths))),
                Theme { color: true },
            );
            terminal.draw(|f| app.draw(f)).map(|_| ()).expect("draw")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
