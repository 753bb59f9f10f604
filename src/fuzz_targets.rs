//! The bodies of the fuzz targets in `fuzz/` and of the test that replays every input
//! they ever found (`tests/fuzz_regressions.rs`). Each takes arbitrary bytes, runs one
//! stage of ropa on them as a user's run would, and checks what every run must keep:
//! no panic, no hang, positions inside the text they point into, and output in which
//! nothing from the input can drive a terminal (no raw control, bidi or zero-width
//! character) and JSON that parses.

use crate::code::{NoProgress, facts, manifest, verdicts};
use crate::report::{human, json};
use crate::text::is_unsafe;
use codespan_reporting::term::termcolor::NoColor;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Panics, as a fuzz target (or a test) must, when rendered output holds a character
/// that could drive a terminal: the `cat -v` check.
pub fn assert_printable(what: &str, text: &str) {
    if let Some(bad) = text.chars().find(|c| is_unsafe(*c) || *c == '\r') {
        panic!("{what} holds U+{:04X}: {text:?}", bad as u32);
    }
}

/// A directory with a small crate (`src/` with personal fields, a logging call and a
/// `Cargo.toml` with an SDK) that fuzzed inventories scan with `roots: [.]`.
fn tree() -> &'static Path {
    static TREE: OnceLock<PathBuf> = OnceLock::new();
    TREE.get_or_init(|| {
        let dir = std::env::temp_dir().join("ropa-fuzz-tree");
        let src = dir.join("src").join("models");
        let files = [
            (
                src.join("user.rs"),
                "pub struct User {\n    pub id: UserId,\n    pub email: String,\n    pub phone: String,\n}\n",
            ),
            (
                dir.join("src").join("lib.rs"),
                "pub mod models;\nfn log(user: &User) { tracing::info!(\"{}\", user.email); }\n",
            ),
            (
                dir.join("Cargo.toml"),
                "[package]\nname = \"app\"\n\n[dependencies]\nsentry = \"0.34\"\n",
            ),
        ];
        // A failure here leaves the tree incomplete; the scan then reports what is
        // missing, which is as good an input as any.
        let _ = std::fs::create_dir_all(&src);
        for (path, text) in files {
            let _ = std::fs::write(path, text);
        }
        dir
    })
}

/// The whole pipeline on one inventory file: load, scan the fixed tree, build the
/// graph, evaluate the rules, render every output format.
pub fn inventory(data: &[u8]) {
    let path = tree().join(format!(
        "inventory-{}-{:?}.yaml",
        std::process::id(),
        std::thread::current().id()
    ));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let audit = crate::audit::run(std::slice::from_ref(&path), true, &NoProgress);
    let _ = std::fs::remove_file(&path);
    if let Ok(audit) = &audit {
        documents(audit);
    }
    let (findings, sources) = match audit {
        Ok(audit) => (audit.findings, audit.inventory.sources),
        Err(failure) => (failure.problems, failure.sources),
    };
    let mut human_output = NoColor::new(Vec::new());
    if human::write(&mut human_output, &findings, &sources, None, false).is_ok() {
        assert_printable(
            "human output",
            &String::from_utf8_lossy(human_output.get_ref()),
        );
    }
    let document = json::to_string(&json::report(&findings, &sources, None, false));
    assert_printable("JSON output", &document);
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&document) {
        panic!("the JSON report does not parse: {e}\n{document}");
    }
}

/// Every document of an inventory that loads: the record (both roles, every format),
/// the audit report and the diagram (DOT, Mermaid, SVG); all printable.
fn documents(audit: &crate::audit::Audit) {
    use crate::record::{RuleVerdicts, records};
    use crate::report::{audit as audit_report, diagram as draw, record};
    let verdicts = RuleVerdicts::of(audit);
    let diagram = crate::diagram::build(
        audit,
        &crate::diagram::Options {
            node_limit: draw::SVG_NODE_LIMIT,
            ..crate::diagram::Options::default()
        },
    )
    .unwrap_or_default();
    let svg = draw::svg(&diagram);
    let mut texts = vec![
        draw::dot(&diagram),
        draw::mermaid(&diagram),
        audit_report::markdown(audit, &verdicts, "2026-01-01", None),
        audit_report::html(audit, &verdicts, "2026-01-01", None, &svg, None),
    ];
    for role in [
        crate::record::Role::Controller,
        crate::record::Role::Processor,
    ] {
        let list = records(&audit.inventory, &audit.graph, &verdicts, role);
        texts.push(record::markdown(&list, "2026-01-01"));
        texts.push(record::json(&list, "2026-01-01"));
        texts.push(record::html(&list, "2026-01-01", &svg, None));
        if let Ok(csv) = record::csv(&list) {
            texts.push(csv);
        }
    }
    for text in &texts {
        assert_printable("a document", text);
    }
}

/// The Rust fact extractor and the classifier on one source file, and the `ropa scan`
/// report of it in both formats.
pub fn rust_source(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let collected = facts::on_parser_stack(|| facts::collect(text, "fuzz"));
    let Ok(Ok(found)) = collected else {
        return;
    };
    let in_text = |at: &facts::Position| at.start <= at.end && at.end as usize <= text.len();
    for field in &found.fields {
        assert!(in_text(&field.at), "field {} at {:?}", field.name, field.at);
    }
    for call in &found.logs {
        assert!(in_text(&call.at));
        assert!(call.arguments.iter().all(|a| in_text(&a.at)));
    }
    let taxonomy = crate::taxonomy::Taxonomy::builtin();
    let fields: Vec<_> = found.fields.iter().collect();
    let statuses = verdicts::judge(
        &fields,
        |_| None,
        |key| taxonomy.categories.get(key).is_some(),
    );
    assert_eq!(statuses.len(), fields.len());
    let root = PathBuf::from("fuzz\u{1b}[2J");
    let scan = crate::code::Scan {
        files: vec![crate::code::FileFacts {
            path: root.join("src/lib.rs"),
            source: None,
            fields: found.fields.clone(),
            logs: found.logs.clone(),
            elided: found.elided.clone(),
            persisted: found.persisted.clone(),
        }],
        ..Default::default()
    };
    let report = crate::report::scan::report(std::slice::from_ref(&root), &scan, &statuses);
    let mut table = Vec::new();
    if crate::report::scan::write_table_report(&mut table, &report, Some(80)).is_ok() {
        assert_printable("scan table", &String::from_utf8_lossy(&table));
    }
    let document = json::to_string(&report);
    assert_printable("scan JSON", &document);
}

/// The `Cargo.toml` reader on one manifest.
pub fn cargo_manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(dependencies) = manifest::dependencies(text) {
        for dependency in dependencies {
            assert!(dependency.at.end as usize <= text.len());
            assert!(dependency.at.line >= 1 && dependency.at.column >= 1);
        }
    }
}

/// The target of each name, for the replay test.
pub fn by_name(name: &str) -> Option<fn(&[u8])> {
    match name {
        "inventory" => Some(inventory),
        "rust_source" => Some(rust_source),
        "cargo_manifest" => Some(cargo_manifest),
        _ => None,
    }
}
