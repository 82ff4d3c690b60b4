//! Integration tests: the built `kommo-mcp` binary driven over its real interfaces against
//! the in-process Kommo simulator. One test binary; one module per area.

// Test helpers outside #[test] functions may panic too: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod cli;
mod config;
mod generated;
mod stdio;
