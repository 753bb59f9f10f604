//! What the terminal UI shows, separate from how it is drawn: the audit of the
//! inventory (or the problems that stopped it loading), the findings in display order,
//! and lookups the views share (the findings about a node, a flow's graph edge, the
//! file and line of a span for the editor).

use crate::audit::Audit;
use crate::finding::Finding;
use crate::graph::GraphEdge;
use crate::inventory::LoadFailure;
use crate::source::{SourceMap, Span};
use petgraph::graph::EdgeIndex;
use std::collections::HashMap;
use std::path::PathBuf;

/// A file position to open in the editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: u32,
    pub column: u32,
}

/// Where the UI's data stands.
pub enum LoadState {
    /// The first load has not finished yet.
    Loading,
    Ready(Box<Ready>),
    Failed(LoadFailure),
}

/// A loaded audit and the indexes the views use.
pub struct Ready {
    pub audit: Audit,
    /// Finding indices sorted by severity (errors first), then rule, then report order.
    pub order: Vec<usize>,
    /// The graph edge of each declared flow.
    pub flow_edges: Vec<Option<EdgeIndex>>,
    /// Finding indices by the node ids they concern.
    pub about_node: HashMap<String, Vec<usize>>,
}

/// Everything the views read.
pub struct Data {
    /// The inventory paths the UI was opened on.
    pub paths: Vec<PathBuf>,
    pub state: LoadState,
}

impl Data {
    pub fn loading(paths: Vec<PathBuf>) -> Self {
        Data {
            paths,
            state: LoadState::Loading,
        }
    }

    /// Wraps the outcome of an audit.
    pub fn new(paths: Vec<PathBuf>, outcome: Result<Audit, LoadFailure>) -> Self {
        let state = match outcome {
            Ok(audit) => LoadState::Ready(Box::new(Ready::new(audit))),
            Err(failure) => LoadState::Failed(failure),
        };
        Data { paths, state }
    }

    pub fn ready(&self) -> Option<&Ready> {
        match &self.state {
            LoadState::Ready(ready) => Some(ready),
            _ => None,
        }
    }

    /// The files that findings point into.
    pub fn sources(&self) -> Option<&SourceMap> {
        match &self.state {
            LoadState::Ready(ready) => Some(&ready.audit.inventory.sources),
            LoadState::Failed(failure) => Some(&failure.sources),
            LoadState::Loading => None,
        }
    }

    /// Where a span is, for the editor.
    pub fn location(&self, span: Span) -> Option<Location> {
        let sources = self.sources()?;
        if span.file.0 >= sources.len() {
            return None;
        }
        Some(Location {
            path: sources.path(span.file).to_path_buf(),
            line: span.line,
            column: span.column,
        })
    }

    /// Files and folders whose changes should reload the UI: the inventory paths and,
    /// once loaded, the code roots its `code` sections name.
    pub fn watched_paths(&self) -> Vec<PathBuf> {
        let mut paths = self.paths.clone();
        if let Some(ready) = self.ready() {
            paths.extend(ready.audit.scans.iter().flat_map(|s| s.roots.clone()));
        }
        paths
    }
}

impl Ready {
    pub fn new(audit: Audit) -> Self {
        let findings = &audit.findings;
        let mut order: Vec<usize> = (0..findings.len()).collect();
        order.sort_by(|&a, &b| {
            let (fa, fb) = (&findings[a], &findings[b]);
            fb.severity
                .cmp(&fa.severity)
                .then_with(|| fa.rule.cmp(&fb.rule))
                .then_with(|| fa.code.cmp(fb.code))
                .then(a.cmp(&b))
        });
        let mut flow_edges = vec![None; audit.inventory.decl.flows.len()];
        for edge in audit.graph.graph.edge_indices() {
            if let GraphEdge::Flow(i) = audit.graph.graph[edge]
                && let Some(slot) = flow_edges.get_mut(i)
            {
                *slot = Some(edge);
            }
        }
        let mut about_node: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, finding) in findings.iter().enumerate() {
            for node in concerned_nodes(finding, &audit) {
                let list = about_node.entry(node).or_default();
                if list.last() != Some(&index) {
                    list.push(index);
                }
            }
        }
        Ready {
            audit,
            order,
            flow_edges,
            about_node,
        }
    }

    pub fn findings_about(&self, node: &str) -> &[usize] {
        self.about_node.get(node).map_or(&[], Vec::as_slice)
    }
}

/// The node ids a finding concerns: the nodes on its explaining path, and any declared
/// node whose id its message quotes.
fn concerned_nodes(finding: &Finding, audit: &Audit) -> Vec<String> {
    let mut nodes: Vec<String> = finding.path.iter().map(|hop| hop.node.clone()).collect();
    let message = &finding.message;
    let mut rest = message.as_str();
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        let quoted = &after[..close];
        if audit.inventory.nodes.contains_key(quoted) {
            nodes.push(quoted.to_owned());
        }
        rest = &after[close + 1..];
    }
    nodes.sort();
    nodes.dedup();
    nodes
}
