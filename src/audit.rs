//! One whole audit of an inventory, the job that `ropa check` and the terminal UI share:
//! load the inventory, scan the Rust sources its `code` sections name, build the
//! data-flow graph and evaluate every rule.

use crate::code::Progress;
use crate::code::sections::SectionScan;
use crate::finding::Finding;
use crate::graph::DataFlowGraph;
use crate::inventory::{Inventory, LoadFailure};
use crate::report::Scope;
use std::path::PathBuf;

/// A loaded inventory with its code scans, graph and findings.
pub struct Audit {
    pub inventory: Inventory,
    pub scans: Vec<SectionScan>,
    pub graph: DataFlowGraph,
    pub findings: Vec<Finding>,
    /// How many inventory files were read (the source map also holds Rust files).
    pub inventory_files: usize,
}

impl Audit {
    /// What was checked, for summaries.
    pub fn scope(&self) -> Scope {
        Scope {
            files: self.inventory_files,
            nodes: self.inventory.nodes.len(),
            flows: self.inventory.decl.flows.len(),
            rules: self.inventory.decl.rules.len(),
            rust_files: self.scans.iter().map(|s| s.scan.files.len()).sum(),
            manifests: self.scans.iter().map(|s| s.scan.manifests.len()).sum(),
        }
    }
}

/// Runs the audit of the inventory at `paths`. With `scan_code` false the `code`
/// sections are not scanned. Fails with every input problem when the inventory does not
/// load or a code root is missing.
pub fn run(
    paths: &[PathBuf],
    scan_code: bool,
    progress: &dyn Progress,
) -> Result<Audit, LoadFailure> {
    let root = std::env::current_dir().ok();
    run_at(paths, scan_code, progress, root.as_deref())
}

/// [`run`], with fingerprints made relative to `root` instead of the working directory
/// (a revision's checkout, for `ropa diff`).
pub fn run_at(
    paths: &[PathBuf],
    scan_code: bool,
    progress: &dyn Progress,
    root: Option<&std::path::Path>,
) -> Result<Audit, LoadFailure> {
    run_shared(paths, scan_code, progress, root, None)
}

/// [`run_at`], reusing the inventory files `shared` already decoded for another
/// version of the inventory (the other side of `ropa diff`).
pub fn run_shared(
    paths: &[PathBuf],
    scan_code: bool,
    progress: &dyn Progress,
    root: Option<&std::path::Path>,
    shared: Option<&crate::inventory::SharedDecodes>,
) -> Result<Audit, LoadFailure> {
    let mut inventory = crate::inventory::load_shared(paths, shared)?;
    let inventory_files = inventory.sources.len();
    let scans = if scan_code {
        match crate::code::sections::scan_sections(&mut inventory, progress) {
            Ok(scans) => scans,
            Err(problems) => {
                return Err(LoadFailure {
                    sources: inventory.sources,
                    problems,
                });
            }
        }
    } else {
        Vec::new()
    };
    let graph = DataFlowGraph::build(&inventory);
    let mut findings = crate::rules::evaluate(&inventory, &graph, &scans);
    let assign = |findings: &mut Vec<Finding>| {
        crate::fingerprint::assign(Some(&inventory.decl), &inventory.sources, findings, root)
    };
    assign(&mut findings);
    crate::gate::apply_severities(&inventory.decl, &mut findings);
    let today = time::OffsetDateTime::now_utc().date();
    crate::gate::apply_waivers(&inventory.decl, &mut findings, today);
    crate::finding::sort_findings(&mut findings);
    assign(&mut findings);
    Ok(Audit {
        inventory,
        scans,
        graph,
        findings,
        inventory_files,
    })
}
