//! The classifier on the labelled corpus of real code (`fixtures/corpus/`): every label
//! file must be consistent with what the scanner extracts, and the held-back
//! repositories' figures (and, in-sample, the tuning repositories') must stay above
//! the floors recorded here. The floors are a
//! regression guard, set a little under the figures measured when they were recorded,
//! not the targets; `cargo run --release --example evaluate` prints the figures.

use ropa::code::evaluation;
use std::path::Path;

/// Held-back precision, recall and F1 without `borderline` rows may not fall below these.
/// Recorded on 2026-12-03 at 0.853 / 0.676 / 0.754 on the seventh held-back set
/// (aws-lambda-rust-runtime, webauthn-rs, serenity, pubky-core; 1,916 fields, 555
/// personal), the first and only time it was scored. The targets are
/// 0.90 / 0.85 / 0.75.
const FLOOR_PRECISION: f64 = 0.82;
const FLOOR_RECALL: f64 = 0.64;
const FLOOR_F1: f64 = 0.72;

/// The same for the tuning repositories (in-sample, so only a guard against rules that
/// break what they were tuned on). Recorded at 0.940 / 0.818 / 0.875 on 39 repositories,
/// 16,730 fields, 4,685 personal.
const TUNING_FLOOR_PRECISION: f64 = 0.93;
const TUNING_FLOOR_RECALL: f64 = 0.80;
const TUNING_FLOOR_F1: f64 = 0.86;

#[test]
fn the_corpus_is_consistent_and_held_back_figures_stay_above_the_floors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus");
    let scores = match evaluation::evaluate(&root) {
        Ok(scores) => scores,
        Err(errors) => {
            let shown: Vec<String> = errors.iter().take(20).map(ToString::to_string).collect();
            panic!("{} label errors:\n{}", errors.len(), shown.join("\n"));
        }
    };
    let (_, clear, _) = evaluation::total(scores.iter().filter(|s| s.held_back));
    println!(
        "held-back, no borderline: {} fields, {} personal, precision {:.3}, recall {:.3}, F1 {:.3}",
        clear.fields(),
        clear.personal(),
        clear.precision(),
        clear.recall(),
        clear.f1()
    );
    assert!(
        clear.precision() >= FLOOR_PRECISION,
        "precision {:.3}",
        clear.precision()
    );
    assert!(
        clear.recall() >= FLOOR_RECALL,
        "recall {:.3}",
        clear.recall()
    );
    assert!(clear.f1() >= FLOOR_F1, "F1 {:.3}", clear.f1());
    let (_, tuning, _) = evaluation::total(scores.iter().filter(|s| !s.held_back));
    println!(
        "tuning, no borderline: {} fields, precision {:.3}, recall {:.3}, F1 {:.3}",
        tuning.fields(),
        tuning.precision(),
        tuning.recall(),
        tuning.f1()
    );
    assert!(
        tuning.precision() >= TUNING_FLOOR_PRECISION,
        "tuning precision {:.3}",
        tuning.precision()
    );
    assert!(
        tuning.recall() >= TUNING_FLOOR_RECALL,
        "tuning recall {:.3}",
        tuning.recall()
    );
    assert!(
        tuning.f1() >= TUNING_FLOOR_F1,
        "tuning F1 {:.3}",
        tuning.f1()
    );
}
