//! Integration tests: the built `kommo-mcp` binary driven over its real interfaces against
//! the in-process Kommo simulator. One test binary; one module per area.

// A test crate: its helpers panic on purpose (clippy's test exemption covers only #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod config;
mod simulator_command;
mod stdio;
