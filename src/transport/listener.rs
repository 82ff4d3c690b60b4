//! The accept loop of `serve --http` (in place of `axum::serve`, which has no timeouts and
//! no connection cap): at most `--max-connections` connections at once (one more is
//! answered 503 and closed — except the probes: `GET /healthz` beyond the cap is still
//! answered 200, the process being alive, and `GET /readyz` 503 "busy"), `TCP_NODELAY` on
//! every socket, a `--header-read-timeout` for a request's head and for idle keep-alive
//! connections, and a graceful stop: no new connections, and each open one closed once
//! its response in progress is done.

use std::{sync::Arc, time::Duration};

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::Semaphore,
};
use tokio_util::sync::CancellationToken;

/// What bounds the connections.
#[derive(Clone, Copy, Debug)]
pub(super) struct ConnectionLimits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
}

/// The body of the answer to a connection beyond the cap.
const BUSY_BODY: &str = r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"too many connections (see --max-connections)"}}"#;
/// `/healthz` beyond the cap: alive, and busy.
const ALIVE_BODY: &str = r#"{"status":"ok","busy":true,"reason":"every connection slot is taken (see --max-connections)"}"#;
/// `/readyz` beyond the cap.
const NOT_READY_BODY: &str =
    r#"{"status":"busy","reason":"every connection slot is taken (see --max-connections)"}"#;
/// Connections beyond the cap whose request line is read (to answer a probe) at once;
/// more are answered 503 unread.
const PROBES_BEYOND_CAP: usize = 64;
/// The most of a request beyond the cap that is read to see whether it is a probe.
const PROBE_HEAD_BYTES: usize = 1024;

/// The connection slots (`--max-connections`), shared with `/readyz`.
#[derive(Clone)]
pub(super) struct ConnectionSlots(Arc<Semaphore>);

impl ConnectionSlots {
    pub(super) fn new(max_connections: usize) -> Self {
        Self(Arc::new(Semaphore::new(max_connections)))
    }

    /// Whether every slot is taken (a request asking holds one itself).
    pub(super) fn all_taken(&self) -> bool {
        self.0.available_permits() == 0
    }
}

/// Serves `app` on `listener` until `close` is cancelled, then closes every connection
/// gracefully (each ends after its response in progress); returns when all are closed.
pub(super) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    slots: ConnectionSlots,
    close: CancellationToken,
) {
    let permits = slots.0;
    let probes = Arc::new(Semaphore::new(PROBES_BEYOND_CAP));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    loop {
        let accepted = tokio::select! {
            () = close.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (mut stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors and the like: wait a moment instead of spinning.
                tracing::warn!("cannot accept a connection: {err}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        super::tcp::tune_accepted(&mut stream);
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tracing::warn!(%peer, "refused a connection: {} open (--max-connections)", limits.max_connections);
            match Arc::clone(&probes).try_acquire_owned() {
                Ok(probe) => {
                    tokio::spawn(async move {
                        answer_beyond_cap(stream).await;
                        drop(probe);
                    });
                }
                Err(_) => {
                    tokio::spawn(refuse(stream, BUSY_ANSWER));
                }
            }
            continue;
        };
        // The peer's address for the handlers (`ConnectInfo`), as `axum::serve` provides it.
        let service = TowerToHyperService::new(
            app.clone()
                .layer(axum::Extension(axum::extract::ConnectInfo(peer))),
        );
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%peer, "connection ended: {err}");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// How a connection beyond the cap is answered.
#[derive(Clone, Copy)]
struct Answer {
    status: &'static str,
    body: &'static str,
}

const BUSY_ANSWER: Answer = Answer {
    status: "503 Service Unavailable",
    body: BUSY_BODY,
};

/// Reads the request line of a connection beyond the cap (briefly, and only its first
/// bytes): `GET /healthz` is answered 200, `GET /readyz` 503 "busy", anything else the
/// 503 of a full server. The connection is closed after the answer.
async fn answer_beyond_cap(mut stream: TcpStream) {
    let mut head = [0u8; PROBE_HEAD_BYTES];
    let mut read = 0;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while read < head.len() && !head[..read].contains(&b'\n') {
            match stream.read(&mut head[read..]).await {
                Ok(0) | Err(_) => break,
                Ok(count) => read += count,
            }
        }
    })
    .await;
    refuse(stream, probe_answer(&head[..read])).await;
}

/// The answer to a request beyond the cap, from its first bytes.
fn probe_answer(head: &[u8]) -> Answer {
    let line = head
        .split(|&b| b == b'\r' || b == b'\n')
        .next()
        .unwrap_or_default();
    let mut parts = line.split(|&b| b == b' ');
    let (method, target) = (parts.next(), parts.next());
    let path = target.map(|t| t.split(|&b| b == b'?').next().unwrap_or_default());
    match (method, path) {
        (Some(b"GET"), Some(b"/healthz")) => Answer {
            status: "200 OK",
            body: ALIVE_BODY,
        },
        (Some(b"GET"), Some(b"/readyz")) => Answer {
            status: "503 Service Unavailable",
            body: NOT_READY_BODY,
        },
        _ => BUSY_ANSWER,
    }
}

/// Writes `answer` to a connection beyond the cap and closes it.
async fn refuse(mut stream: TcpStream, answer: Answer) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let text = format!(
            "HTTP/1.1 {}\r\nretry-after: 1\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{}",
            answer.status,
            answer.body.len(),
            answer.body
        );
        let _ = stream.write_all(text.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_probes_are_answered_otherwise_beyond_the_cap() {
        let status = |head: &str| probe_answer(head.as_bytes()).status;
        assert_eq!(status("GET /healthz HTTP/1.1\r\nHost: x\r\n"), "200 OK");
        assert_eq!(status("GET /healthz?x=1 HTTP/1.1\r\n"), "200 OK");
        assert_eq!(
            status("GET /readyz HTTP/1.1\r\n"),
            "503 Service Unavailable"
        );
        assert_eq!(
            probe_answer(b"GET /readyz HTTP/1.1\r\n").body,
            NOT_READY_BODY
        );
        assert_eq!(probe_answer(b"POST /mcp HTTP/1.1\r\n").body, BUSY_BODY);
        assert_eq!(probe_answer(b"GET /healthzz HTTP/1.1\r\n").body, BUSY_BODY);
        assert_eq!(probe_answer(b"").body, BUSY_BODY);
    }
}
