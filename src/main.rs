use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    nedetid::cmd::run(nedetid::cli::Cli::parse())
}
