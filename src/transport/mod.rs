//! Transports: thin adapters that serve the one `KommoMcp` handler.

/// The server's handler as every transport serves it: timed and labelled by `observe`.
type Observed = crate::observe::service::Observed<crate::server::KommoMcp>;

mod allowlist;
mod bare;
mod batch;
mod body_guard;
mod caller;
mod caller_share;
mod cancel_map;
mod client_requests;
pub(crate) mod guard;
mod held_body;
pub(crate) mod http;
mod idle_sweep;
mod inbound_limit;
mod json_shape;
mod listener;
mod malformed;
pub(crate) mod oauth;
mod pieces;
mod readiness;
mod refusal_audit;
mod replay;
mod reply;
mod scope_layer;
mod session_cap;
mod sessions;
pub(crate) mod sse;
mod sse_answer;
pub(crate) mod stdio;
mod streamable;
pub(crate) mod tcp;
