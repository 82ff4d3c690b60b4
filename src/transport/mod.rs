//! Transports: thin adapters that serve the one `KommoMcp` handler.

mod allowlist;
mod bare;
mod caller;
mod channel;
pub mod guard;
pub mod http;
mod inbound_limit;
mod readiness;
mod reply;
mod scope_layer;
pub mod sse;
pub mod stdio;
mod streamable;
pub mod tcp;
