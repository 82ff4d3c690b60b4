//! kommo-mcp: an MCP server and command-line tool that lets AI agents act on leads in
//! Kommo CRM. The binary is a thin wrapper over `app::run`.

pub mod app;
pub mod audit;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod inflight;
pub mod kommo;
pub mod logging;
pub mod observe;
pub mod prompts;
pub mod redis_link;
pub mod resources;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod scope;
pub mod secret;
pub mod server;
pub mod shutdown;
pub mod tools;
pub mod toolset;
pub mod transport;
