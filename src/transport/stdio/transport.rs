//! The rmcp side of our stdio framing: rmcp receives the messages the line reader let
//! through and sends its answers to the stdout writer. It refuses a request whose id is
//! still in use by one in progress (rmcp would otherwise drop the first one's answer).

use std::{collections::HashSet, io, sync::Arc};

use rmcp::{
    RoleServer,
    model::{ClientJsonRpcMessage, ClientNotification, ErrorCode, JsonRpcMessage, RequestId},
    service::TxJsonRpcMessage,
    transport::Transport,
};
use tokio::sync::{Mutex, mpsc};

use super::classify;

/// One rmcp service's view of stdin and stdout. The inbound queue is shared because a
/// service that ends before `initialize` is replaced by a new one reading the same queue.
pub(super) struct LineTransport {
    inbound: Arc<Mutex<mpsc::Receiver<ClientJsonRpcMessage>>>,
    outbound: mpsc::Sender<String>,
    in_flight: HashSet<RequestId>,
}

impl LineTransport {
    pub(super) fn new(
        inbound: Arc<Mutex<mpsc::Receiver<ClientJsonRpcMessage>>>,
        outbound: mpsc::Sender<String>,
    ) -> Self {
        Self {
            inbound,
            outbound,
            in_flight: HashSet::new(),
        }
    }
}

impl Transport<RoleServer> for LineTransport {
    type Error = io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let line = match &item {
            JsonRpcMessage::Response(response) => {
                self.in_flight.remove(&response.id);
                serde_json::to_string(&item)
            }
            JsonRpcMessage::Error(error) => {
                if let Some(id) = &error.id {
                    self.in_flight.remove(id);
                }
                with_id(&item)
            }
            _ => serde_json::to_string(&item),
        };
        let outbound = self.outbound.clone();
        async move {
            let line = line.map_err(io::Error::other)?;
            outbound
                .send(line)
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "stdout is closed"))
        }
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        loop {
            let message = self.inbound.lock().await.recv().await?;
            match &message {
                JsonRpcMessage::Request(request) if !self.in_flight.insert(request.id.clone()) => {
                    let answer = classify::error(
                        Some(&request.id),
                        ErrorCode::INVALID_REQUEST,
                        &format!(
                            "Invalid request: the id {} belongs to a request still in progress; \
                             use a new id for each request",
                            request.id
                        ),
                    );
                    self.outbound.send(answer).await.ok()?;
                    continue;
                }
                JsonRpcMessage::Notification(notification) => {
                    if let ClientNotification::CancelledNotification(cancelled) =
                        &notification.notification
                        && let Some(id) = &cancelled.params.request_id
                    {
                        // rmcp sends no answer to a cancelled request.
                        self.in_flight.remove(id);
                    }
                }
                _ => {}
            }
            return Some(message);
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// An error answer always has an `id` member: `null` when rmcp could not read the id.
fn with_id(item: &TxJsonRpcMessage<RoleServer>) -> serde_json::Result<String> {
    let mut value = serde_json::to_value(item)?;
    if let Some(object) = value.as_object_mut() {
        object.entry("id").or_insert(serde_json::Value::Null);
    }
    serde_json::to_string(&value)
}
