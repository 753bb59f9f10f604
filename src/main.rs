//! The `ropa` binary: parses arguments, runs the command, maps the outcome to an exit
//! status. All work happens in the library; a closed output pipe is not an error.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = ropa::cli::Cli::parse();
    match ropa::cli::run(cli) {
        Ok(status) => ExitCode::from(status),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(ropa::cli::EXIT_INPUT_ERROR)
        }
    }
}
