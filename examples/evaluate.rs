//! Scores ropa's personal-data classifier on the labelled corpus of real code
//! (`fixtures/corpus/`): precision, recall and F1 per repository and in total, for the
//! held-back and the tuning repositories, with and without `borderline` rows (the
//! true and false positive and false negative counts are those without).
//! `evaluate [CORPUS] [--misses]`; `--misses` also lists every field ropa gets wrong
//! in the tuning repositories (held-back misses are never shown, so that they cannot
//! leak into tuning).

use ropa::code::evaluation::{self, RepositoryScore, Score};
use std::path::PathBuf;
use std::process::ExitCode;

/// Precision, recall and F1 of one score, or dashes where nothing is personal (a
/// repository with no personal field measures false alarms only).
fn figures(score: &Score) -> String {
    if score.personal() == 0 {
        return format!("{:>5}  {:>5}  {:>5}", "-", "-", "-");
    }
    format!(
        "{:.3}  {:.3}  {:.3}",
        score.precision(),
        score.recall(),
        score.f1()
    )
}

fn row(name: &str, all: &Score, clear: &Score, direct: &Score) -> String {
    format!(
        "{name:<28} {:>6} {:>6}  {:>4} {:>4} {:>4}   {}   {}   {}",
        all.fields(),
        all.personal(),
        clear.true_positives,
        clear.false_positives,
        clear.false_negatives,
        figures(all),
        figures(clear),
        figures(direct)
    )
}

fn table(title: &str, scores: &[&RepositoryScore]) {
    println!("{title}");
    println!(
        "{:<28} {:>6} {:>6}  {:>4} {:>4} {:>4}   {:<19}   {:<19}   {:<19}",
        "repository",
        "fields",
        "pers.",
        "TP",
        "FP",
        "FN",
        "all rows: P  R  F1",
        "no borderline: P  R  F1",
        "no bl., no comp.: P R F1"
    );
    for score in scores {
        println!(
            "{}",
            row(&score.name, &score.all, &score.clear, &score.direct)
        );
    }
    let (all, clear, direct) = evaluation::total(scores.iter().copied());
    println!("{}\n", row("total", &all, &clear, &direct));
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    let root = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or_else(|| PathBuf::from("fixtures/corpus"), PathBuf::from);
    let scores = match evaluation::evaluate(&root) {
        Ok(scores) => scores,
        Err(errors) => {
            for error in errors {
                eprintln!("error: {error}");
            }
            return ExitCode::from(2);
        }
    };
    let held_back: Vec<&RepositoryScore> = scores.iter().filter(|s| s.held_back).collect();
    let tuning: Vec<&RepositoryScore> = scores.iter().filter(|s| !s.held_back).collect();
    table("Held-back repositories (never tuned on):", &held_back);
    table("Tuning repositories:", &tuning);
    if misses {
        for score in tuning {
            for miss in &score.misses {
                println!(
                    "{}\t{}:{}\t{}\tlabel={}\tropa={}\t{}{}",
                    score.name,
                    miss.file,
                    miss.line,
                    miss.field,
                    miss.label.as_deref().unwrap_or("-"),
                    miss.verdict.as_deref().unwrap_or("-"),
                    miss.reason,
                    if miss.borderline {
                        "\t(borderline)"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    ExitCode::SUCCESS
}
