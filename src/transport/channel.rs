//! An rmcp transport over two in-memory channels: how a legacy SSE session feeds POSTed
//! messages to its rmcp service and takes its answers back to the event stream.

use std::io;

use rmcp::{
    RoleServer, model::ClientJsonRpcMessage, service::TxJsonRpcMessage, transport::Transport,
};
use tokio::sync::mpsc;

pub struct ChannelTransport {
    inbound: mpsc::Receiver<ClientJsonRpcMessage>,
    outbound: mpsc::Sender<TxJsonRpcMessage<RoleServer>>,
}

impl ChannelTransport {
    pub fn new(
        inbound: mpsc::Receiver<ClientJsonRpcMessage>,
        outbound: mpsc::Sender<TxJsonRpcMessage<RoleServer>>,
    ) -> Self {
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
                .send(item)
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the SSE stream is closed"))
        }
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        self.inbound.recv().await
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.inbound.close();
        Ok(())
    }
}
