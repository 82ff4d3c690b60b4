//! Transports: thin adapters that serve the one `KommoMcp` handler.

mod allowlist;
mod bare;
mod body_guard;
mod channel;
pub mod guard;
pub mod http;
mod json_shape;
mod listener;
mod reply;
mod scope_layer;
mod session_cap;
pub mod sse;
pub mod stdio;
mod streamable;
