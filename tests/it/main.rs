//! Integration tests: the built `kommo-mcp` binary driven over its real interfaces against
//! the in-process Kommo simulator. One test binary; one module per area.

// The whole binary is test code: panicking on the unexpected is how a test fails
// (clippy.toml allows it inside #[test] functions; this extends it to their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Support modules are shared by the test modules of this one binary: `pub` there is the
// binary's own business, not an API (`unreachable_pub` is for the library).
#![allow(unreachable_pub)]

mod support;

mod access_keys;
mod account_time;
mod agent_day;
mod audit_trail;
mod budget;
mod caller_shares;
mod cancellation;
mod cli;
mod coalescing;
mod coalescing_replicas;
mod completions;
mod config;
mod contract_compare;
mod contract_replay;
mod contract_shapes;
mod create_lead;
mod custom_fields;
mod discovery;
mod doc_links;
mod elicitation;
mod find_leads;
mod fuzz;
mod generated;
mod hand_off;
mod history;
mod http;
mod http_hostile;
mod kommo_errors;
mod kommo_rate;
mod kommo_retries;
mod layers;
mod names;
mod oauth;
mod observe;
mod protocol;
mod readme_examples;
mod redis;
mod redis_dedupe;
mod redis_tls;
mod resources;
mod resumability;
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
mod update_contact;
mod writes;
