//! Integration tests: the built `kommo-mcp` binary driven over its real interfaces against
//! the in-process Kommo simulator. One test binary; one module per area.

// Test code: a failed unwrap is a failed test (clippy.toml only covers #[test] bodies).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod config;
mod http;
mod sse;
mod stdio;
