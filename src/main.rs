//! The `pipes-harness` binary: the command line of the library, with the
//! built-in feature library compiled in.

mod embedded;

use std::process::ExitCode;

/// mimalloc rather than the system allocator: `serve` allocates a little on
/// every request, and glibc's malloc and free were about a tenth of its CPU
/// time under load (`bench/emulate.py`, `perf`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    pipes_harness::cli::main(embedded::LIBRARY)
}
