//! Lists every field the scanner extracts, for labelling a corpus of real code:
//! `fields ROOT [FILE]...` prints one tab-separated row per struct, tuple and
//! enum-variant field of the Rust files under ROOT (or of the FILEs, relative to ROOT):
//! file (relative to ROOT), line, item (`Struct`, or `Enum::Variant` for variant
//! fields), field (name, or index for tuple fields), type, serde rename, the module
//! path and the start of the doc comment. ropa's own verdict is deliberately not shown,
//! so that labels are not anchored on it. `#[cfg(test)]` code is left out, as the
//! scanner leaves it out.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first().map(PathBuf::from) else {
        eprintln!("usage: fields ROOT [FILE]...");
        return ExitCode::from(2);
    };
    let files: Vec<PathBuf> = if args.len() > 1 {
        args[1..].iter().map(|f| root.join(f)).collect()
    } else {
        let (files, _) =
            ropa::code::walk::source_files(&root, &ropa::code::walk::SourceFilter::default());
        files
            .into_iter()
            .filter(|f| !ropa::code::walk::is_manifest(f))
            .collect()
    };
    println!("file\tline\titem\tfield\ttype\tserde_rename\tmodule\tdocs");
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            eprintln!("skipped {}: not readable as UTF-8", file.display());
            continue;
        };
        let relative = file.strip_prefix(&root).unwrap_or(&file);
        let module = ropa::code::module_path(Path::new(""), relative);
        let collected =
            ropa::code::facts::on_parser_stack(|| ropa::code::facts::collect(&text, &module));
        let facts = match collected {
            Ok(Ok(facts)) => facts,
            Ok(Err(problem)) => {
                eprintln!("skipped {}: {}", file.display(), problem.message);
                continue;
            }
            Err(e) => {
                eprintln!("skipped {}: {e}", file.display());
                continue;
            }
        };
        for field in &facts.fields {
            let item = match &field.variant {
                Some(variant) => format!("{}::{variant}", field.item),
                None => field.item.clone(),
            };
            let docs: String = field.docs.chars().take(80).collect();
            let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                clean(&relative.display().to_string()),
                field.at.line,
                clean(&item),
                clean(&field.name),
                clean(&field.ty),
                clean(field.serde_rename.as_deref().unwrap_or("")),
                clean(&field.module),
                clean(&docs)
            );
        }
    }
    ExitCode::SUCCESS
}
