//! Integration tests: the built `kommo-mcp` binary driven over its real interfaces against
//! the in-process Kommo simulator. One test binary; one module per area.

// The whole binary is test code: panicking on the unexpected is how a test fails
// (clippy.toml allows it inside #[test] functions; this extends it to their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod access_keys;
mod account_time;
mod audit_trail;
mod budget;
mod caller_shares;
mod cli;
mod completions;
mod config;
mod custom_fields;
mod discovery;
mod doc_links;
mod find_leads;
mod fuzz;
mod generated;
mod hand_off;
mod http;
mod http_hostile;
mod kommo_errors;
mod kommo_rate;
mod kommo_retries;
mod names;
mod oauth;
mod observe;
mod readme_examples;
mod redis;
mod redis_dedupe;
mod redis_tls;
mod resources;
mod salesbots;
mod sandbox_command;
mod schemas;
mod session_owners;
mod settings;
mod simulator_command;
mod sse;
mod stdio;
mod stdio_hostile;
mod tags;
mod tasks;
mod tool_places;
mod writes;
