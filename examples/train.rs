//! Trains the learned part of the personal-data classifier on the tuning repositories
//! of the labelled corpus (`fixtures/corpus/`), and says how well it generalizes by
//! leave-one-repository-out: each tuning repository scored by a model trained on the
//! others. Held-back repositories are never read here; `examples/evaluate.rs` reports
//! them. `--write` stores the model trained on every tuning repository in
//! `src/code/model.tsv`.
//!
//! ```sh
//! cargo run --release --example train                 # leave-one-out figures only
//! cargo run --release --example train -- --write      # and write the model
//! cargo run --release --example train -- --l2 0.01 --min-repositories 3 --threshold 0.6
//! ```

use ropa::code::classify;
use ropa::code::evaluation::{self, LabelledRepository, RepositoryScore};
use ropa::code::facts::FieldFact;
use ropa::code::model::{self, Example, Model, TrainOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// What counts as a training row and how the model is trained.
struct Settings {
    train: TrainOptions,
    /// How much a borderline row counts in training (0 leaves them out).
    borderline_weight: f32,
}

fn examples(repository: &LabelledRepository, settings: &Settings) -> Vec<Example> {
    let facts: Vec<&FieldFact> = repository.fields.iter().collect();
    let features = classify::training_features(&facts);
    features
        .into_iter()
        .zip(&repository.labels)
        .filter_map(|(features, label)| {
            let label = label.as_ref()?;
            let weight = if label.borderline {
                settings.borderline_weight
            } else {
                1.0
            };
            (weight > 0.0).then(|| Example {
                features,
                personal: label.personal,
                category: label.category.clone(),
                weight,
                repository: repository.name.clone(),
            })
        })
        .collect()
}

fn row(score: &RepositoryScore) -> String {
    let c = &score.clear;
    format!(
        "{:<28} {:>6} {:>6} {:>5} {:>4} {:>4}   {:.3}  {:.3}  {:.3}",
        score.name,
        c.fields(),
        c.personal(),
        c.true_positives,
        c.false_positives,
        c.false_negatives,
        c.precision(),
        c.recall(),
        c.f1()
    )
}

fn parse_args(args: &[String]) -> Result<(Settings, bool, bool), String> {
    let mut settings = Settings {
        train: TrainOptions::default(),
        borderline_weight: 0.5,
    };
    let mut write = false;
    let mut misses = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut number = |name: &str| -> Result<f32, String> {
            rest.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--write" => write = true,
            "--misses" => misses = true,
            "--l2" => settings.train.l2 = number("--l2")?,
            "--epochs" => settings.train.epochs = number("--epochs")? as usize,
            "--learning-rate" => settings.train.learning_rate = number("--learning-rate")?,
            "--threshold" => settings.train.threshold = number("--threshold")?,
            "--min-repositories" => {
                settings.train.min_repositories = number("--min-repositories")? as usize;
            }
            "--borderline-weight" => settings.borderline_weight = number("--borderline-weight")?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok((settings, write, misses))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (settings, write, show_misses) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let root = PathBuf::from("fixtures/corpus");
    let repositories = match evaluation::load(&root) {
        Ok(repositories) => repositories,
        Err(errors) => {
            for error in errors {
                eprintln!("error: {error}");
            }
            return ExitCode::from(2);
        }
    };
    // Held-back repositories are dropped here, before anything is computed from them.
    let tuning: Vec<LabelledRepository> =
        repositories.into_iter().filter(|r| !r.held_back).collect();
    let per_repository: Vec<Vec<Example>> = tuning.iter().map(|r| examples(r, &settings)).collect();
    println!("Leave one repository out (tuning set, no borderline rows; trained on the others):");
    println!(
        "{:<28} {:>6} {:>6} {:>5} {:>4} {:>4}   P      R      F1",
        "repository", "fields", "pers.", "TP", "FP", "FN"
    );
    let thresholds = [0.3f32, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];
    let mut by_threshold: Vec<Vec<RepositoryScore>> = vec![Vec::new(); thresholds.len()];
    let mut chosen: Vec<RepositoryScore> = Vec::new();
    for (left_out, repository) in tuning.iter().enumerate() {
        let training: Vec<Example> = per_repository
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != left_out)
            .flat_map(|(_, examples)| examples.iter().cloned())
            .collect();
        let mut trained = model::train(&training, &settings.train);
        let score = evaluation::score(repository, &trained);
        println!("{}", row(&score));
        if show_misses {
            for miss in &score.misses {
                println!(
                    "    {}:{}\t{}\tlabel={}\tropa={}\t{}{}",
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
        chosen.push(score);
        for (threshold, scores) in thresholds.iter().zip(by_threshold.iter_mut()) {
            trained.threshold = *threshold;
            scores.push(evaluation::score(repository, &trained));
        }
    }
    let (_, clear, _) = evaluation::total(chosen.iter());
    println!(
        "{:<28} {:>6} {:>6} {:>5} {:>4} {:>4}   {:.3}  {:.3}  {:.3}",
        "total",
        clear.fields(),
        clear.personal(),
        clear.true_positives,
        clear.false_positives,
        clear.false_negatives,
        clear.precision(),
        clear.recall(),
        clear.f1()
    );
    println!("\nLeave-one-out totals by threshold (no borderline rows):");
    println!("threshold   P      R      F1     worst repository F1");
    for (threshold, scores) in thresholds.iter().zip(&by_threshold) {
        let (_, clear, _) = evaluation::total(scores.iter());
        let worst = scores
            .iter()
            .filter(|s| s.clear.personal() > 0)
            .map(|s| s.clear.f1())
            .fold(1.0f64, f64::min);
        println!(
            "{threshold:<9.2}   {:.3}  {:.3}  {:.3}  {worst:.3}",
            clear.precision(),
            clear.recall(),
            clear.f1()
        );
    }
    // The rules alone, for comparison.
    let rules_only: Vec<RepositoryScore> = tuning
        .iter()
        .map(|r| evaluation::score(r, &Model::default()))
        .collect();
    let (_, clear, _) = evaluation::total(rules_only.iter());
    println!(
        "\nRules alone on the same repositories: P {:.3}  R {:.3}  F1 {:.3}",
        clear.precision(),
        clear.recall(),
        clear.f1()
    );
    let all: Vec<Example> = per_repository.into_iter().flatten().collect();
    let model = model::train(&all, &settings.train);
    println!(
        "Model on every tuning repository: {} features, {} training rows",
        model.len(),
        all.len()
    );
    if write {
        let path = PathBuf::from("src/code/model.tsv");
        if let Err(e) = std::fs::write(&path, model.to_tsv()) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
