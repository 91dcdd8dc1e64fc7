use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    nedetid::cmd::run(nedetid::cli::Cli::parse())
}

// Many small allocations on several threads: the system allocators cost a
// build a third of its time (README "Dependencies").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
