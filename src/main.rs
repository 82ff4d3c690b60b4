//! The `kommo-mcp` binary: the allocator, then the program (`kommo_mcp::main`, in app.rs).

use std::process::ExitCode;

/// mimalloc instead of glibc's malloc, which kept what floods of sessions and SSE streams had
/// freed: after three rounds of 1,000 sessions opened and deleted the release binary held
/// 74 MB with glibc, 43 MB with mimalloc (docs/operating.md, "Limits").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    kommo_mcp::main()
}
