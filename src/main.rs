use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    nedetid::run(nedetid::cli::Cli::parse())
}
