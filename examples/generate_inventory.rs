//! Writes a synthetic inventory for benchmarks: `generate_inventory NODES FLOWS_PER_NODE DIR`.
//! Used to measure `ropa check` end to end (time and peak memory) on large inputs.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(nodes), Some(flows), Some(dir)) = (
        args.first().and_then(|a| a.parse::<usize>().ok()),
        args.get(1).and_then(|a| a.parse::<usize>().ok()),
        args.get(2).map(PathBuf::from),
    ) else {
        eprintln!("usage: generate_inventory NODES FLOWS_PER_NODE DIR");
        return ExitCode::from(2);
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    for (name, text) in ropa::synth::generate(nodes, flows) {
        if let Err(e) = std::fs::write(dir.join(&name), text) {
            eprintln!("error: cannot write {name}: {e}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
