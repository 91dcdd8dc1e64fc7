use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    nedetid::cmd::run(nedetid::cli::Cli::parse())
}

// Many small allocations on several threads: musl's allocator made a build
// twice as slow as glibc's (README "Dependencies").
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
