//! Replays every input the fuzz targets ever crashed, hung or misbehaved on, and the
//! hostile cases they are meant to keep fixed (deep nesting, escape sequences, large
//! manifests), kept under `fuzz/regressions/<target>/`, through the same function the
//! fuzz target runs. A regression panics (or aborts) here under plain `cargo test`.

use std::path::Path;

#[test]
fn every_kept_fuzz_input_runs_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = Vec::new();
    let mut targets: Vec<_> = std::fs::read_dir(&root)
        .expect("fuzz/regressions exists")
        .flatten()
        .collect();
    targets.sort_by_key(|entry| entry.file_name());
    for target in targets {
        let name = target.file_name().to_string_lossy().into_owned();
        let Some(run) = ropa::fuzz_targets::by_name(&name) else {
            panic!("fuzz/regressions/{name} is not a fuzz target");
        };
        let mut inputs: Vec<_> = std::fs::read_dir(target.path())
            .expect("readable")
            .flatten()
            .collect();
        inputs.sort_by_key(|entry| entry.file_name());
        for input in inputs {
            let data = std::fs::read(input.path()).expect("readable");
            run(&data);
            replayed.push(format!("{name}/{}", input.file_name().to_string_lossy()));
        }
    }
    for expected in [
        "rust_source/deep-vec-400",
        "rust_source/chain-plus-32700",
        "rust_source/escape-sequences",
        "inventory/escape-sequences",
        "cargo_manifest/50000-dependencies",
    ] {
        assert!(replayed.iter().any(|r| r == expected), "{expected} missing");
    }
}
