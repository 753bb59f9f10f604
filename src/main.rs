//! The `ropa` binary.
fn main() {}
