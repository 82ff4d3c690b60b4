//! An rmcp transport over two in-memory channels: how a legacy SSE session feeds POSTed
//! messages to its rmcp service and takes its answers back to the event stream.
//!
//! Messages travel boxed: a tokio channel allocates its first block of 32 slots when it is
//! made, and an rmcp message is about 370 bytes by value, so unboxed each idle stream would
//! hold two 12 KB blocks; boxed, 32 pointers each.

use std::io;

use rmcp::{
    RoleServer, model::ClientJsonRpcMessage, service::TxJsonRpcMessage, transport::Transport,
};
use tokio::sync::mpsc;

/// A message POSTed by the client, on its way to the service.
pub type Inbound = Box<ClientJsonRpcMessage>;
/// A message from the service, on its way to the event stream.
pub type Outbound = Box<TxJsonRpcMessage<RoleServer>>;

pub struct ChannelTransport {
    inbound: mpsc::Receiver<Inbound>,
    outbound: mpsc::Sender<Outbound>,
}

impl ChannelTransport {
    pub fn new(inbound: mpsc::Receiver<Inbound>, outbound: mpsc::Sender<Outbound>) -> Self {
        Self { inbound, outbound }
    }
}

impl Transport<RoleServer> for ChannelTransport {
    type Error = io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let outbound = self.outbound.clone();
        async move {
            outbound
                .send(Box::new(item))
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the SSE stream is closed"))
        }
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        self.inbound.recv().await.map(|message| *message)
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.inbound.close();
        Ok(())
    }
}
