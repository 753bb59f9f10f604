//! Scanning the source roots that an inventory's `code` sections name: roots resolve
//! relative to the inventory file that names them, a root that does not exist is an
//! input error, and every field gets its final status from the section's overrides,
//! the source annotations and the classifier.

use super::verdicts::{self, FieldStatus, ItemPattern, Origin};
use super::{Progress, Scan};
use crate::finding::Finding;
use crate::inventory::Inventory;
use crate::inventory::model::{CodeSection, FieldVerdict};
use std::path::PathBuf;

/// One `code` section's scan.
pub struct SectionScan {
    /// Index into the inventory's `code` sections.
    pub section: usize,
    pub roots: Vec<PathBuf>,
    pub scan: Scan,
    /// Each field's status, in the order of [`Scan::fields`].
    pub statuses: Vec<FieldStatus>,
    /// Indices into the section's `exclude` of globs that match no path under the roots.
    pub unused_excludes: Vec<usize>,
}

impl SectionScan {
    /// Fields with their file and status.
    pub fn judged(
        &self,
    ) -> impl Iterator<Item = (&super::FileFacts, &super::facts::FieldFact, &FieldStatus)> {
        self.scan
            .fields()
            .zip(&self.statuses)
            .map(|((file, field), status)| (file, field, status))
    }
}

/// The directory a section's roots are relative to: the one holding its inventory file.
fn base_dir(inv: &Inventory, section: &CodeSection) -> PathBuf {
    inv.sources
        .path(section.span.file)
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// `inventory/../src` as `src`: `..` removed lexically where a named folder precedes it,
/// so paths in reports read as the user would write them.
fn clean_path(path: &std::path::Path) -> PathBuf {
    use std::path::Component;
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(clean.components().next_back(), Some(Component::Normal(_))) =>
            {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    if clean.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        clean
    }
}

/// Scans every `code` section's roots. A root that does not exist is an input error
/// (with every such root reported); unreadable files are not, they become skipped
/// sources.
pub fn scan_sections(
    inv: &mut Inventory,
    progress: &dyn Progress,
) -> Result<Vec<SectionScan>, Vec<Finding>> {
    let mut problems = Vec::new();
    let mut plans = Vec::new();
    for (index, section) in inv.decl.code.iter().enumerate() {
        let base = base_dir(inv, section);
        let mut roots = Vec::new();
        for root in &section.roots {
            let path = clean_path(&base.join(&root.value));
            if path.is_dir() {
                roots.push(path);
            } else {
                let what = if path.exists() {
                    "is not a directory"
                } else {
                    "does not exist"
                };
                problems.push(
                    Finding::input(
                        "missing-code-root",
                        format!("source root `{}` {what}", root.value),
                    )
                    .at(root.span, format!("looked for {}", path.display()))
                    .with_help(
                        "roots are relative to the directory of the inventory file that names them",
                    ),
                );
            }
        }
        let patterns: Vec<&str> = section.exclude.iter().map(|p| p.value.as_str()).collect();
        match super::walk::excludes(&patterns) {
            Ok(excluded) => plans.push((
                index,
                roots,
                super::walk::SourceFilter {
                    excluded,
                    include_tests: section.include_tests,
                },
            )),
            Err(problem) => {
                let finding = Finding::input("invalid-value", problem.message)
                    .with_help("an exclude is a glob such as `**/tests/**` or `src/generated/*.rs`; split a long one into several simpler ones");
                problems.push(match problem.pattern.and_then(|i| section.exclude.get(i)) {
                    Some(pattern) => finding.at(pattern.span, "this glob"),
                    None => finding.at(section.span, "in this section"),
                });
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut scans = Vec::new();
    for (index, roots, excluded) in plans {
        let scan = super::scan(&roots, &excluded, &mut inv.sources, progress);
        let unused_excludes = super::walk::used_excludes(&roots, &excluded)
            .into_iter()
            .enumerate()
            .filter_map(|(i, used)| (!used).then_some(i))
            .collect();
        let section = &inv.decl.code[index];
        problems.extend(unmatched_patterns(section, &scan));
        let overrides: Vec<(ItemPattern, &FieldVerdict)> = section
            .fields
            .iter()
            .filter_map(|o| ItemPattern::new(&o.pattern.value).map(|p| (p, &o.verdict)))
            .collect();
        let fields: Vec<_> = scan.fields().map(|(_, field)| field).collect();
        let categories = &inv.taxonomy.categories;
        let statuses = verdicts::judge(
            &fields,
            |field| {
                let path = verdicts::field_path(field);
                overrides
                    .iter()
                    .find(|(pattern, _)| pattern.matches(&path))
                    .map(|(_, verdict)| match verdict {
                        FieldVerdict::Category(category) => FieldStatus::Personal {
                            category: category.value.clone(),
                            confidence: 1.0,
                            reason: "declared in the inventory".to_owned(),
                            origin: Origin::Inventory,
                        },
                        FieldVerdict::NotPersonal(reason) => FieldStatus::NotPersonal {
                            reason: reason.value.clone(),
                            origin: Origin::Inventory,
                        },
                    })
            },
            |key| categories.get(key).is_some(),
        );
        scans.push(SectionScan {
            section: index,
            roots,
            scan,
            statuses,
            unused_excludes,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(scans)
}

/// `code.structs` and `code.fields` patterns that match no scanned struct or field: a
/// typo there would silently leave a struct unmapped or a field unacknowledged, so each
/// is an input error with the closest path the scan found.
fn unmatched_patterns(section: &CodeSection, scan: &super::Scan) -> Vec<Finding> {
    let mut structs: Vec<String> = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    for (_, field) in scan.fields() {
        structs.push(field.item_path());
        fields.push(verdicts::field_path(field));
    }
    structs.sort();
    structs.dedup();
    fields.sort();
    fields.dedup();
    let mut problems = Vec::new();
    let patterns = section
        .structs
        .iter()
        .map(|m| (&m.pattern, "struct", "`code.structs`", &structs))
        .chain(
            section
                .fields
                .iter()
                .map(|o| (&o.pattern, "field", "`code.fields`", &fields)),
        );
    for (pattern, what, key, paths) in patterns {
        let Some(matcher) = ItemPattern::new(&pattern.value) else {
            continue; // the decoder reported the glob
        };
        if paths.iter().any(|p| matcher.matches(p)) {
            continue;
        }
        let help = match suggestion(&pattern.value, paths) {
            Some(s) if what == "struct" => format!(
                "did you mean `{s}`? `match` takes a path such as `module::Struct` or a glob such as `*::Struct`"
            ),
            Some(s) => format!(
                "did you mean `{s}`? `match` takes a path such as `module::Struct.field` or a glob such as `*::Struct.field`"
            ),
            None if paths.is_empty() => format!(
                "the scan of this section's roots found no {what} with fields; check `roots`"
            ),
            None => format!(
                "the scan found {} such as {}; `ropa scan` lists them all",
                if what == "struct" {
                    "structs"
                } else {
                    "fields"
                },
                paths
                    .iter()
                    .take(3)
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let help = match scan.skipped.first() {
            Some(skipped) => format!(
                "{help}\n{} file(s) under the roots could not be scanned, such as {} ({}): the {what} may be there",
                scan.skipped.len(),
                skipped.path.display(),
                skipped.reason
            ),
            None => help,
        };
        problems.push(
            Finding::input(
                "unmatched-pattern",
                format!(
                    "`{}` in {key} matches no {what} under the code roots",
                    pattern.value
                ),
            )
            .at(pattern.span, format!("selects no {what}"))
            .with_help(help),
        );
    }
    problems
}

/// The path closest to a misspelt pattern: compared whole, or, for a pattern that
/// starts with `*::`, by the rest against the paths' last segments.
fn suggestion(pattern: &str, paths: &[String]) -> Option<String> {
    if let Some(found) = crate::text::closest(pattern, paths.iter().map(String::as_str)) {
        return Some(found.to_owned());
    }
    let rest = pattern.strip_prefix("*::")?;
    let tails: Vec<&str> = paths
        .iter()
        .map(|p| p.rsplit("::").next().unwrap_or(p))
        .collect();
    crate::text::closest(rest, tails).map(|tail| format!("*::{tail}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn paths_are_cleaned_lexically() {
        assert_eq!(clean_path(Path::new("inventory/../src")), Path::new("src"));
        assert_eq!(clean_path(Path::new("./a/./b/..")), Path::new("a"));
        assert_eq!(clean_path(Path::new("../x")), Path::new("../x"));
        assert_eq!(clean_path(Path::new("a/..")), Path::new("."));
        assert_eq!(clean_path(Path::new("/a/../b")), Path::new("/b"));
    }
}
