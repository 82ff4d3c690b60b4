//! Transports: thin adapters that serve the one `KommoMcp` handler.

pub mod stdio;
