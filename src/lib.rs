//! ropa: a data-inventory compliance auditor. Loads a YAML data inventory
//! ([`inventory::load`]), builds its data-flow graph ([`graph::DataFlowGraph`]),
//! evaluates the promises it encodes ([`rules::evaluate`]) and reports findings
//! ([`report`]). The binary in `main.rs` only parses arguments and calls [`cli::run`].

pub mod adequacy;
pub mod audit;
pub mod catalog;
pub mod cli;
pub mod code;
pub mod diagram;
pub mod diff;
pub mod finding;
pub mod fingerprint;
pub mod fix;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod gate;
pub mod graph;
pub mod init;
pub mod inventory;
pub mod record;
pub mod report;
pub mod retention;
pub mod revision;
pub mod rules;
pub mod source;
pub mod synth;
pub mod taxonomy;
pub mod text;
pub mod tui;
pub mod yaml;
