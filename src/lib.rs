//! kommo-mcp: an MCP server and command-line tool that lets AI agents act on leads in
//! Kommo CRM. The binary calls [`main`]; everything else is private to the crate, except the
//! few items the integration tests and benchmarks reach through [`testing`].
//!
//! # Layers
//!
//! Each module uses only modules of lower layers (`tests/it/layers.rs` reads this table and
//! fails on an import that points up or sideways):
//!
//! | layer | what | modules |
//! |---|---|---|
//! | 0 | vocabulary and plumbing; the unit tests' helpers | `secret`, `toolset`, `shutdown`, `inflight`, `audit`, `cancellation`, `client_link`, `test_util` |
//! | 1 | configuration | `config` |
//! | 2 | shared services | `observe`, `scope`, `redis_link` |
//! | 3 | the Kommo client | `kommo` |
//! | 4 | the tools | `tools` |
//! | 5 | MCP resources and prompts | `resources`, `prompts` |
//! | 6 | the MCP server | `server` |
//! | 7 | MCP transports | `transport` |
//! | 8 | the command line and the demo account | `cli`, `sandbox` |
//! | 9 | start-up | `logging`, `error` |
//! | 10 | subcommands | `commands` |
//! | 11 | the program | `app` |
//!
//! docs/architecture.md describes each layer and the path of one request through them.

mod app;
mod audit;
mod cancellation;
mod cli;
mod client_link;
mod commands;
mod config;
mod error;
mod inflight;
mod kommo;
mod logging;
mod observe;
mod prompts;
mod redis_link;
mod resources;
#[cfg(feature = "sandbox")]
mod sandbox;
mod scope;
mod secret;
mod server;
mod shutdown;
#[cfg(test)]
mod test_util;
mod tools;
mod toolset;
mod transport;

pub use app::main;

/// What the integration tests and benchmarks use from inside the crate (not an API).
#[doc(hidden)]
pub mod testing {
    pub use crate::{
        cli::Cli,
        commands::{
            generate::{completion_script, generated_files},
            new_key::sha256_hex,
            readme_tools::readme_with_current_tools,
        },
        config::{
            DEFAULT_MAX_LINE_BYTES, Heading, Kind, RedisUrl, Setting, Table, Takes, settings,
        },
        kommo::limiter::shared::SharedLimiter,
        redis_link::RedisLink,
        tools::dedupe::shared::{SharedDedupe, SharedTurn},
        toolset::ToolName,
    };
}
