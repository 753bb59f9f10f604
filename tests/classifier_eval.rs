//! Precision and recall of the field classifier on the labelled evaluation set in
//! `fixtures/classifier/` (each field line ends with `// expect: CATEGORY` or
//! `// expect: none`). A prediction counts as right when its category is the label,
//! or lies above or below it in the taxonomy. Run with `--nocapture` to see the figures.

use ropa::code::classify::classify_all;
use ropa::code::facts::{FieldFact, collect};

fn related(a: &str, b: &str) -> bool {
    a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}."))
}

#[test]
fn precision_and_recall_are_above_0_9() {
    let mut fields: Vec<FieldFact> = Vec::new();
    let mut labels: Vec<Option<String>> = Vec::new();
    let mut places: Vec<String> = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("fixtures/classifier")
        .expect("evaluation set")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        for field in collect(&text, "").expect("evaluation files parse").fields {
            let line = lines[field.at.line as usize - 1];
            let label = line
                .split("// expect: ")
                .nth(1)
                .unwrap_or_else(|| panic!("{}:{} has no label", path.display(), field.at.line))
                .trim();
            labels.push((label != "none").then(|| label.to_owned()));
            places.push(format!(
                "{}:{} {}.{}",
                path.display(),
                field.at.line,
                field.item,
                field.name
            ));
            fields.push(field);
        }
    }
    let refs: Vec<&FieldFact> = fields.iter().collect();
    let verdicts = classify_all(&refs);
    let (mut true_positive, mut predicted, mut actual) = (0, 0, 0);
    let mut misses = Vec::new();
    for ((verdict, label), place) in verdicts.iter().zip(&labels).zip(&places) {
        if verdict.is_some() {
            predicted += 1;
        }
        if label.is_some() {
            actual += 1;
        }
        match (verdict, label) {
            (Some(v), Some(l)) if related(&v.category, l) => true_positive += 1,
            (None, None) => {}
            (v, l) => misses.push(format!(
                "{place}: predicted {:?}, labelled {:?}",
                v.as_ref().map(|v| &v.category),
                l
            )),
        }
    }
    let precision = true_positive as f64 / predicted as f64;
    let recall = true_positive as f64 / actual as f64;
    println!(
        "classifier on {} labelled fields ({actual} personal): precision {precision:.3}, recall {recall:.3}",
        fields.len()
    );
    for miss in &misses {
        println!("  miss: {miss}");
    }
    assert!(precision > 0.9, "precision {precision:.3}: {misses:#?}");
    assert!(recall > 0.9, "recall {recall:.3}: {misses:#?}");
}
