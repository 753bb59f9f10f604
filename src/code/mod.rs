//! The code scanner's foundation: walking the configured source roots and reading the
//! facts of every Rust file in parallel. Nothing scanned is ever built or executed.

pub mod facts;
pub mod walk;
