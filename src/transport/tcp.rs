//! What every TCP connection kommo-mcp accepts gets before its first byte: `TCP_NODELAY`.
//! A streamed MCP answer leaves in several small writes (headers and SSE priming event,
//! then the message); with Nagle's algorithm on, the second write waits for the client's
//! delayed ACK, and every answer on a keep-alive connection took a steady ~40 ms.

use axum::serve::{ListenerExt, TapIo};
use tokio::net::{TcpListener, TcpStream};

/// Tunes one accepted connection. A socket that refuses the option still works, only
/// slower, so the failure is logged, not fatal.
pub(crate) fn tune_accepted(stream: &mut TcpStream) {
    if let Err(err) = stream.set_nodelay(true) {
        tracing::debug!("cannot set TCP_NODELAY on an accepted connection: {err}");
    }
}

/// `listener` with [`tune_accepted`] applied to every connection it accepts.
pub(crate) fn tuned(listener: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    listener.tap_io(tune_accepted as fn(&mut TcpStream))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use axum::serve::Listener;

    use super::*;

    /// The regression guard for the 44 ms session path: the server's accepted sockets
    /// have Nagle off (read back with getsockopt), while a fresh socket has it on.
    #[tokio::test]
    async fn accepted_connections_have_nodelay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut listener = tuned(listener);
        let client = TcpStream::connect(addr).await.unwrap();
        assert!(!client.nodelay().unwrap(), "the OS default is Nagle on");
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().unwrap());
    }
}
