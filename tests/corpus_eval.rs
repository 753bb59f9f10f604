//! The classifier on the labelled corpus of real code (`fixtures/corpus/`): every label
//! file must be consistent with what the scanner extracts, and the held-back
//! repositories' figures must stay above the floors recorded here. The floors are a
//! regression guard, set a little under the figures measured when they were recorded,
//! not the targets; `cargo run --release --example evaluate` prints the figures.

use ropa::code::evaluation;
use std::path::Path;

/// Held-back precision, recall and F1 without `borderline` rows may not fall below these.
/// Recorded on 2026-11-23 at 0.921 / 0.506 / 0.654 (application-services, himalaya,
/// kanidm, kitsune, nostr-rs-relay, shuttle, stump, svix; 3,137 fields, 924 personal).
/// The targets are 0.90 / 0.85 / 0.75.
const FLOOR_PRECISION: f64 = 0.89;
const FLOOR_RECALL: f64 = 0.48;
const FLOOR_F1: f64 = 0.62;

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
}
