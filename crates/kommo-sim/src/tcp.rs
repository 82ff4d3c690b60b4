//! What every connection the simulator accepts gets before its first byte: `TCP_NODELAY`.
//! A client's small writes (headers, then body) would otherwise wait for delayed ACKs, and
//! every answer on a keep-alive connection would take ~40 ms longer than Kommo's.

use tokio::net::TcpStream;

/// Tunes one accepted connection. A socket that refuses the option still works, only
/// slower, so the failure is ignored.
pub(crate) fn tune_accepted(stream: &mut TcpStream) {
    let _ = stream.set_nodelay(true);
}
