//! MCP over stdin/stdout: stdout carries JSON-RPC and nothing else. We frame and check the
//! lines ourselves (bounded line length; every unreadable or invalid line answered as
//! JSON-RPC 2.0 says) and hand the valid messages to rmcp.

mod classify;
mod lines;
mod transport;
mod valid;

use std::{sync::Arc, time::Duration};

use rmcp::{
    ServiceExt,
    model::ClientJsonRpcMessage,
    service::ServerInitializeError,
    transport::{StdioReader, StdioWriter, stdio_pipes},
};
use tokio::{
    io::{AsyncWriteExt, BufReader},
    sync::{Mutex, mpsc},
};

use super::Observed;
use crate::{server::KommoMcp, shutdown::Signals};
use classify::Line;
use lines::{Frame, LineReader};
use transport::LineTransport;

/// How long the answers already queued get to reach stdout once the session is over.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves until stdin closes or a signal arrives; either way the calls in flight finish
/// and their answers are written before it returns.
pub(crate) async fn serve(handler: KommoMcp, max_line_bytes: usize) -> anyhow::Result<()> {
    tracing::debug!(max_line_bytes, "serving MCP over stdio");
    let mut signals = Signals::install();
    let (reader, writer) = stdio_pipes();
    let (out_tx, out_rx) = mpsc::channel::<String>(64);
    let (in_tx, in_rx) = mpsc::channel::<ClientJsonRpcMessage>(16);
    let writer_task = tokio::spawn(write_lines(writer, out_rx));
    let reader_task = tokio::spawn(read_lines(reader, max_line_bytes, in_tx, out_tx.clone()));
    let inbound = Arc::new(Mutex::new(in_rx));

    let session = run_session(handler, inbound, out_tx);
    tokio::pin!(session);
    let result = tokio::select! {
        result = &mut session => result,
        () = signals.recv() => {
            tracing::info!("signal received: finishing the calls in flight, then stopping");
            // No more input: rmcp ends the session once every call has answered.
            reader_task.abort();
            session.await
        }
    };
    reader_task.abort();
    if tokio::time::timeout(FLUSH_TIMEOUT, writer_task)
        .await
        .is_err()
    {
        tracing::warn!("stdout did not take the last answers in time");
    }
    result
}

/// Runs rmcp sessions on the checked messages. rmcp gives up on a session whose first
/// message is not a request (a notification, a response); such a message needs no answer,
/// so a new session starts on the next message, until input ends.
async fn run_session(
    handler: KommoMcp,
    inbound: Arc<Mutex<mpsc::Receiver<ClientJsonRpcMessage>>>,
    out_tx: mpsc::Sender<String>,
) -> anyhow::Result<()> {
    loop {
        let transport = LineTransport::new(Arc::clone(&inbound), out_tx.clone());
        match Observed::new(handler.clone(), "stdio")
            .serve(transport)
            .await
        {
            Ok(running) => {
                let quit = running.waiting().await;
                tracing::debug!(reason = ?quit, "stdio session ended");
                return Ok(());
            }
            // stdin closed before `initialize`: a client that went away, not an error.
            Err(ServerInitializeError::ConnectionClosed(_) | ServerInitializeError::Cancelled) => {
                return Ok(());
            }
            Err(err @ ServerInitializeError::TransportError { .. }) => {
                return Err(anyhow::anyhow!("cannot answer the MCP client: {err}"));
            }
            Err(err) => {
                tracing::debug!(%err, "no session yet; waiting for initialize");
            }
        }
    }
}

/// Reads stdin line by line: valid messages go to rmcp, the rest are answered here.
async fn read_lines(
    reader: StdioReader,
    limit: usize,
    in_tx: mpsc::Sender<ClientJsonRpcMessage>,
    out_tx: mpsc::Sender<String>,
) {
    let mut lines = LineReader::new(BufReader::with_capacity(64 * 1024, reader), limit);
    loop {
        let frame = match lines.next().await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(err) => {
                tracing::debug!(%err, "stdin cannot be read");
                break;
            }
        };
        let line = match frame {
            Frame::TooLong => {
                tracing::warn!(limit, "a line over max_line_bytes was discarded");
                Line::Answer(classify::too_long(limit))
            }
            Frame::Line(bytes) => classify::classify(&bytes),
        };
        let sent = match line {
            Line::Forward(message) => in_tx.send(*message).await.is_ok(),
            Line::Answer(answer) => out_tx.send(answer).await.is_ok(),
            Line::Ignore(reason) => {
                tracing::debug!(reason, "ignored a line");
                true
            }
        };
        if !sent {
            break;
        }
    }
    tracing::debug!("end of stdin");
}

/// Writes each answer as one line, flushing whenever no other answer is waiting.
async fn write_lines(mut writer: StdioWriter, mut out_rx: mpsc::Receiver<String>) {
    while let Some(mut line) = out_rx.recv().await {
        line.push('\n');
        if writer.write_all(line.as_bytes()).await.is_err() {
            break;
        }
        if out_rx.is_empty() && writer.flush().await.is_err() {
            break;
        }
    }
    let _ = writer.flush().await;
}
