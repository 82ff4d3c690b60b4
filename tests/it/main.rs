//! Integration tests: the built `kommo-mcp` binary driven over its real interfaces against
//! the in-process Kommo simulator. One test binary; one module per area.

// Test helpers outside #[test] functions may panic on a broken fixture, like the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod config;
mod discovery;
mod schemas;
mod stdio;
