//! MCP over stdin/stdout: stdout carries JSON-RPC and nothing else.

use rmcp::{ServiceExt, service::ServerInitializeError, transport::stdio_pipes};

use crate::{observe::service::Observed, server::KommoMcp};

/// Serves until stdin closes (after answering the calls in flight) or a signal arrives.
pub async fn serve(handler: KommoMcp) -> anyhow::Result<()> {
    tracing::debug!("serving MCP over stdio");
    let running = match Observed::new(handler, "stdio").serve(stdio_pipes()).await {
        Ok(running) => running,
        // stdin closed before `initialize`: a client that went away, not an error.
        Err(ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
        Err(err) => {
            return Err(anyhow::anyhow!(
                "the MCP client did not start a session: {err}"
            ));
        }
    };
    let cancel = running.cancellation_token();
    tokio::select! {
        quit = running.waiting() => {
            tracing::debug!(reason = ?quit, "stdio session ended");
        }
        () = crate::shutdown::signal() => {
            tracing::info!("signal received, stopping");
            cancel.cancel();
        }
    }
    Ok(())
}
