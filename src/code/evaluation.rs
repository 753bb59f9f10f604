//! Measuring the classifier on the labelled corpus of real code (`fixtures/corpus/`):
//! reading each repository's `labels.tsv`, matching every row to a field the scanner
//! extracts from the vendored files, and scoring ropa's verdicts against the labels
//! (precision, recall and F1, with and without `borderline` rows). A label file that
//! is malformed, names a field the scanner does not extract, names a category outside
//! the taxonomy, or leaves an extracted field unlabelled fails with its file and line.

use super::classify;
use super::facts::FieldFact;
use super::walk::SourceFilter;
use crate::source::SourceMap;
use crate::taxonomy::Taxonomy;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The header a `labels.tsv` starts with.
pub const HEADER: &str =
    "repository\tcommit\tfile\tline\titem\tfield\ttype\tlabel\tcategory\ttags\treason";

/// One labelled field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub repository: String,
    pub file: String,
    pub line: u32,
    /// `Struct`, or `Enum::Variant`.
    pub item: String,
    pub field: String,
    pub personal: bool,
    pub category: Option<String>,
    pub borderline: bool,
    pub composite: bool,
    /// The line of the row in `labels.tsv`.
    pub row: usize,
}

/// A problem with a label file: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// Reads a `labels.tsv`, checking its shape and categories.
pub fn read_labels(path: &Path, taxonomy: &Taxonomy) -> Result<Vec<Label>, Vec<LabelError>> {
    let error = |line: usize, message: String| LabelError {
        file: path.to_path_buf(),
        line,
        message,
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| vec![error(0, format!("cannot read: {e}"))])?;
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim_end_matches('\r') == HEADER => {}
        _ => {
            return Err(vec![error(
                1,
                format!("the first line must be the header `{HEADER}`"),
            )]);
        }
    }
    let mut labels = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in lines {
        let row = index + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() != 11 {
            errors.push(error(row, format!("{} columns, expected 11", cells.len())));
            continue;
        }
        let personal = match cells[7] {
            "personal" => true,
            "not-personal" => false,
            other => {
                errors.push(error(
                    row,
                    format!("label `{other}` is neither `personal` nor `not-personal`"),
                ));
                continue;
            }
        };
        let category = (!cells[8].is_empty()).then(|| cells[8].to_owned());
        match (&category, personal) {
            (Some(key), _) if taxonomy.categories.get(key).is_none() => {
                let hint = taxonomy
                    .categories
                    .closest(key)
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                errors.push(error(
                    row,
                    format!("`{key}` is not a data category of the taxonomy{hint}"),
                ));
                continue;
            }
            (None, true) => {
                errors.push(error(row, "a personal field needs a category".to_owned()));
                continue;
            }
            _ => {}
        }
        let tags: Vec<&str> = cells[9]
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        if let Some(unknown) = tags
            .iter()
            .find(|t| !matches!(**t, "borderline" | "composite"))
        {
            errors.push(error(
                row,
                format!("tag `{unknown}` is neither `borderline` nor `composite`"),
            ));
            continue;
        }
        let Ok(field_line) = cells[3].parse::<u32>() else {
            errors.push(error(row, format!("line `{}` is not a number", cells[3])));
            continue;
        };
        labels.push(Label {
            repository: cells[0].to_owned(),
            file: cells[2].to_owned(),
            line: field_line,
            item: cells[4].to_owned(),
            field: cells[5].to_owned(),
            personal,
            category,
            borderline: tags.contains(&"borderline"),
            composite: tags.contains(&"composite"),
            row,
        });
    }
    if errors.is_empty() {
        Ok(labels)
    } else {
        Err(errors)
    }
}

/// Counts of one comparison of verdicts with labels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
}

impl Score {
    fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.true_positives += 1,
            (true, false) => self.false_positives += 1,
            (false, true) => self.false_negatives += 1,
            (false, false) => self.true_negatives += 1,
        }
    }

    fn merge(&mut self, other: &Score) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
        self.true_negatives += other.true_negatives;
    }

    pub fn fields(&self) -> usize {
        self.true_positives + self.false_positives + self.false_negatives + self.true_negatives
    }

    pub fn personal(&self) -> usize {
        self.true_positives + self.false_negatives
    }

    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// One field where ropa and the label disagree.
#[derive(Clone, Debug)]
pub struct Miss {
    pub file: String,
    pub line: u32,
    pub field: String,
    pub label: Option<String>,
    pub verdict: Option<String>,
    pub reason: String,
    pub borderline: bool,
}

/// The scores of one repository.
#[derive(Clone, Debug)]
pub struct RepositoryScore {
    pub name: String,
    pub held_back: bool,
    /// Every row.
    pub all: Score,
    /// Without `borderline` rows.
    pub clear: Score,
    /// Without `borderline` and `composite` rows: fields that hold the data themselves.
    pub direct: Score,
    pub misses: Vec<Miss>,
}

/// One repository of the corpus: the fields the scanner extracts from its vendored
/// files, and the label of each.
#[derive(Clone, Debug)]
pub struct LabelledRepository {
    pub name: String,
    pub held_back: bool,
    pub fields: Vec<FieldFact>,
    /// `labels[i]` labels `fields[i]`; fields of files nobody labelled have none.
    pub labels: Vec<Option<Label>>,
}

/// Scores every repository of the corpus at `root` with ropa's own classifier.
pub fn evaluate(root: &Path) -> Result<Vec<RepositoryScore>, Vec<LabelError>> {
    Ok(load(root)?.iter().map(score).collect())
}

/// Reads every repository of the corpus at `root`, checking every label against what
/// the scanner extracts.
pub fn load(root: &Path) -> Result<Vec<LabelledRepository>, Vec<LabelError>> {
    let taxonomy = Taxonomy::builtin();
    let held_back = read_sets(&root.join("sets.tsv"))?;
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root)
        .map_err(|e| {
            vec![LabelError {
                file: root.to_path_buf(),
                line: 0,
                message: format!("cannot read: {e}"),
            }]
        })?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.join("labels.tsv").is_file())
        .collect();
    folders.sort();
    let mut repositories = Vec::new();
    let mut errors = Vec::new();
    for folder in folders {
        match load_repository(&folder, &taxonomy, &held_back) {
            Ok(repository) => repositories.push(repository),
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    if errors.is_empty() {
        Ok(repositories)
    } else {
        Err(errors)
    }
}

/// `sets.tsv`: `owner/repo<TAB>held-back|tuning` per line.
fn read_sets(path: &Path) -> Result<HashMap<String, bool>, Vec<LabelError>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![LabelError {
            file: path.to_path_buf(),
            line: 0,
            message: format!("cannot read: {e}"),
        }]
    })?;
    let mut sets = HashMap::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('\t') {
            Some((repo, "held-back")) => sets.insert(repo.to_owned(), true),
            Some((repo, "tuning")) => sets.insert(repo.to_owned(), false),
            _ => {
                return Err(vec![LabelError {
                    file: path.to_path_buf(),
                    line: index + 1,
                    message: "expected `owner/repo<TAB>held-back` or `owner/repo<TAB>tuning`"
                        .to_owned(),
                }]);
            }
        };
    }
    Ok(sets)
}

fn load_repository(
    folder: &Path,
    taxonomy: &Taxonomy,
    sets: &HashMap<String, bool>,
) -> Result<LabelledRepository, Vec<LabelError>> {
    let labels_path = folder.join("labels.tsv");
    let labels = read_labels(&labels_path, taxonomy)?;
    let error = |line: usize, message: String| LabelError {
        file: labels_path.clone(),
        line,
        message,
    };
    let Some(name) = labels.first().map(|l| l.repository.clone()) else {
        return Err(vec![error(1, "no labelled field".to_owned())]);
    };
    let Some(&held_back) = sets.get(&name) else {
        return Err(vec![error(
            2,
            format!("`{name}` is in neither set of fixtures/corpus/sets.tsv"),
        )]);
    };
    let files_root = folder.join("files");
    let mut sources = SourceMap::new();
    let scan = super::scan(
        std::slice::from_ref(&files_root),
        &SourceFilter::default(),
        &mut sources,
        &super::NoProgress,
    );
    let fields: Vec<(String, FieldFact)> = scan
        .fields()
        .map(|(file, field)| {
            let relative = file
                .path
                .strip_prefix(&files_root)
                .unwrap_or(&file.path)
                .to_string_lossy()
                .replace('\\', "/");
            (relative, field.clone())
        })
        .collect();
    // Extracted fields by (file, item, field); several only for same-named items in
    // inline modules, told apart by line.
    let mut extracted: HashMap<(&str, String, &str), Vec<usize>> = HashMap::new();
    for (index, (file, field)) in fields.iter().enumerate() {
        extracted
            .entry((file.as_str(), field.owner(), field.name.as_str()))
            .or_default()
            .push(index);
    }
    let mut errors = Vec::new();
    let mut assigned: Vec<Option<Label>> = vec![None; fields.len()];
    for label in &labels {
        if label.repository != name {
            errors.push(error(
                label.row,
                format!(
                    "repository `{}`, but this file labels `{name}`",
                    label.repository
                ),
            ));
            continue;
        }
        let key = (
            label.file.as_str(),
            label.item.clone(),
            label.field.as_str(),
        );
        let candidates = extracted.get(&key).cloned().unwrap_or_default();
        let found = match candidates.as_slice() {
            [] => None,
            [only] => Some(*only),
            several => several
                .iter()
                .copied()
                .find(|&i| fields[i].1.at.line == label.line),
        };
        let Some(index) = found else {
            errors.push(error(
                label.row,
                format!(
                    "`{}.{}` in {} (line {}) is not a field the scanner extracts from the vendored file",
                    label.item, label.field, label.file, label.line
                ),
            ));
            continue;
        };
        if assigned[index].is_some() {
            errors.push(error(
                label.row,
                format!(
                    "`{}.{}` in {} is labelled twice",
                    label.item, label.field, label.file
                ),
            ));
            continue;
        }
        assigned[index] = Some(label.clone());
    }
    let labelled_files: std::collections::HashSet<&str> =
        labels.iter().map(|l| l.file.as_str()).collect();
    for (index, (file, field)) in fields.iter().enumerate() {
        if assigned[index].is_none() && labelled_files.contains(file.as_str()) {
            errors.push(error(
                labels.len() + 2,
                format!(
                    "`{}` in {file} (line {}) is extracted but not labelled: label whole files",
                    field.display_name(),
                    field.at.line
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(LabelledRepository {
        name,
        held_back,
        fields: fields.into_iter().map(|(_, field)| field).collect(),
        labels: assigned,
    })
}

/// Scores the classifier on one repository.
pub fn score(repository: &LabelledRepository) -> RepositoryScore {
    let facts: Vec<&FieldFact> = repository.fields.iter().collect();
    let verdicts = classify::classify_all(&facts);
    let mut all = Score::default();
    let mut clear = Score::default();
    let mut direct = Score::default();
    let mut misses = Vec::new();
    for ((field, label), verdict) in facts.iter().zip(&repository.labels).zip(&verdicts) {
        let Some(label) = label else { continue };
        let predicted = verdict.is_some();
        all.add(predicted, label.personal);
        if !label.borderline {
            clear.add(predicted, label.personal);
            if !label.composite {
                direct.add(predicted, label.personal);
            }
        }
        if predicted != label.personal {
            misses.push(Miss {
                file: label.file.clone(),
                line: field.at.line,
                field: field.display_name(),
                label: label.category.clone(),
                verdict: verdict.as_ref().map(|v| v.category.clone()),
                reason: verdict
                    .as_ref()
                    .map(|v| v.reason.clone())
                    .unwrap_or_default(),
                borderline: label.borderline,
            });
        }
    }
    RepositoryScore {
        name: repository.name.clone(),
        held_back: repository.held_back,
        all,
        clear,
        direct,
        misses,
    }
}

/// The sum of several repositories' scores: (every row, without borderline rows,
/// without borderline and composite rows).
pub fn total<'a>(scores: impl IntoIterator<Item = &'a RepositoryScore>) -> (Score, Score, Score) {
    let mut all = Score::default();
    let mut clear = Score::default();
    let mut direct = Score::default();
    for score in scores {
        all.merge(&score.all);
        clear.merge(&score.clear);
        direct.merge(&score.direct);
    }
    (all, clear, direct)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn malformed_label_files_fail_with_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let taxonomy = Taxonomy::builtin();
        let path = write(
            dir.path(),
            "labels.tsv",
            &format!(
                "{HEADER}\no/r\tc\tsrc/a.rs\t3\tUser\temail\tString\tpersonal\tuser.contact.emial\t\tmail\no/r\tc\tsrc/a.rs\t4\tUser\tname\tString\tmaybe\t\t\tx\no/r\tc\tsrc/a.rs\t5\tUser\tid\n"
            ),
        );
        let errors = read_labels(&path, &taxonomy).expect_err("three bad rows");
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(
            errors[0]
                .message
                .contains("did you mean `user.contact.email`"),
            "{}",
            errors[0]
        );
        assert!(errors[1].message.contains("`maybe`"));
        assert!(errors[2].message.contains("6 columns"), "{}", errors[2]);
        let headerless = write(dir.path(), "bad.tsv", "file\tline\n");
        assert_eq!(
            read_labels(&headerless, &taxonomy).expect_err("header")[0].line,
            1
        );
    }

    #[test]
    fn labels_must_match_extracted_fields_and_cover_whole_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("o-r");
        std::fs::create_dir_all(repo.join("files/src")).expect("mkdir");
        write(
            &repo.join("files/src"),
            "a.rs",
            "pub struct User {\n    pub email: String,\n    pub theme: String,\n}\npub enum Contact {\n    Phone(String),\n}\n",
        );
        write(dir.path(), "sets.tsv", "o/r\theld-back\n");
        let row = |line: u32, item: &str, field: &str, label: &str, category: &str| {
            format!(
                "o/r\tc\tsrc/a.rs\t{line}\t{item}\t{field}\tString\t{label}\t{category}\t\twhy\n"
            )
        };
        let good = format!(
            "{HEADER}\n{}{}{}",
            row(2, "User", "email", "personal", "user.contact.email"),
            row(3, "User", "theme", "not-personal", ""),
            row(
                6,
                "Contact::Phone",
                "0",
                "personal",
                "user.contact.phone_number"
            ),
        );
        write(&repo, "labels.tsv", &good);
        let scores = evaluate(dir.path()).expect("consistent labels");
        assert_eq!(scores.len(), 1);
        assert!(scores[0].held_back);
        assert_eq!(scores[0].all.fields(), 3);
        assert_eq!(scores[0].all.personal(), 2);
        let wrong = format!(
            "{HEADER}\n{}{}",
            row(2, "User", "emial", "personal", "user.contact.email"),
            row(3, "User", "theme", "not-personal", ""),
        );
        write(&repo, "labels.tsv", &wrong);
        let errors = evaluate(dir.path()).expect_err("a field that does not exist");
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            messages[0].contains("labels.tsv:2: `User.emial`"),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m
                    .contains("`User.email` in src/a.rs (line 2) is extracted but not labelled")),
            "{messages:?}"
        );
    }

    #[test]
    fn scores_count_precision_recall_and_f1() {
        let mut score = Score::default();
        for (p, a) in [
            (true, true),
            (true, true),
            (true, false),
            (false, true),
            (false, false),
        ] {
            score.add(p, a);
        }
        assert!((score.precision() - 2.0 / 3.0).abs() < 1e-9);
        assert!((score.recall() - 2.0 / 3.0).abs() < 1e-9);
        assert!((score.f1() - 2.0 / 3.0).abs() < 1e-9);
    }
}
