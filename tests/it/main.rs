//! Integration tests: the built `kommo-mcp` binary driven over its real interfaces against
//! the in-process Kommo simulator. One test binary; one module per area.

// The whole binary is test code: panicking on the unexpected is how a test fails
// (clippy.toml allows it inside #[test] functions; this extends it to their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod cli;
mod config;
mod discovery;
mod fuzz;
mod generated;
mod http;
mod kommo_errors;
mod kommo_rate;
mod kommo_retries;
mod schemas;
mod simulator_command;
mod sse;
mod stdio;
mod stdio_hostile;
