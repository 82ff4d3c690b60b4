//! The requests of one session still being answered, by id, each with the token that a
//! `notifications/cancelled` naming it cancels. Each entry lives as long as its answer
//! (the [`Registered`] guard goes with the response body), so the map is bounded by the
//! caller's share of calls in flight.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use rmcp::model::RequestId;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

/// One session's cancellable requests: id → (registration number, token).
#[derive(Default)]
pub(crate) struct CancelMap {
    calls: Mutex<HashMap<String, (u64, CancellationToken)>>,
    next: std::sync::atomic::AtomicU64,
}

/// A request's place in the map, removed when dropped (unless a later request with the
/// same id took it).
pub(crate) struct Registered {
    map: Arc<CancelMap>,
    key: String,
    number: u64,
    pub token: CancellationToken,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut calls = self.map.lock();
        if calls
            .get(&self.key)
            .is_some_and(|(number, _)| *number == self.number)
        {
            calls.remove(&self.key);
        }
    }
}

fn key(id: &RequestId) -> String {
    serde_json::to_string(id).unwrap_or_default()
}

impl CancelMap {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, (u64, CancellationToken)>> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A token for request `id`, cancelled by [`Self::cancel`] naming it.
    pub(crate) fn register(self: &Arc<Self>, id: &RequestId) -> Registered {
        let token = CancellationToken::new();
        let key = key(id);
        let number = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.lock().insert(key.clone(), (number, token.clone()));
        Registered {
            map: Arc::clone(self),
            key,
            number,
            token,
        }
    }

    /// Cancels request `id` if it is still being answered (else nothing).
    pub(crate) fn cancel(&self, id: &RequestId) {
        if let Some((_, token)) = self.lock().get(&key(id)) {
            token.cancel();
        }
    }
}

/// What cancellation needs of a message: a request's id, or the id a
/// `notifications/cancelled` names.
#[derive(Deserialize)]
struct Shape {
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    id: Option<RequestId>,
    #[serde(default)]
    params: Option<CancelledParams>,
}

#[derive(Deserialize)]
struct CancelledParams {
    #[serde(rename = "requestId", default)]
    request_id: Option<RequestId>,
}

/// How a message touches cancellation.
pub(super) enum Cancelling {
    /// A request (it may be cancelled later).
    Request(RequestId),
    /// `notifications/cancelled` naming a request.
    Cancels(RequestId),
    Neither,
}

/// Reads `body` for [`Cancelling`].
pub(super) fn read(body: &[u8]) -> Cancelling {
    let Ok(shape) = serde_json::from_slice::<Shape>(body) else {
        return Cancelling::Neither;
    };
    match (shape.method.as_deref(), shape.id) {
        (Some("notifications/cancelled"), None) => shape
            .params
            .and_then(|params| params.request_id)
            .map_or(Cancelling::Neither, Cancelling::Cancels),
        (Some(_), Some(id)) => Cancelling::Request(id),
        _ => Cancelling::Neither,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancel_reaches_the_live_request_and_the_entry_goes_with_it() {
        let map = Arc::new(CancelMap::default());
        let id = RequestId::Number(7);
        let first = map.register(&id);
        map.cancel(&RequestId::Number(8));
        assert!(!first.token.is_cancelled());
        map.cancel(&id);
        assert!(first.token.is_cancelled());
        let again = map.register(&id);
        drop(first);
        map.cancel(&id);
        assert!(
            again.token.is_cancelled(),
            "the older guard left the newer entry"
        );
        drop(again);
        assert!(map.lock().is_empty());
    }

    #[test]
    fn messages_are_read_for_what_they_cancel() {
        let cancels =
            br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"a"}}"#;
        assert!(matches!(read(cancels), Cancelling::Cancels(RequestId::String(s)) if &*s == "a"));
        let request = br#"{"jsonrpc":"2.0","id":3,"method":"tools/call"}"#;
        assert!(matches!(
            read(request),
            Cancelling::Request(RequestId::Number(3))
        ));
        assert!(matches!(read(b"{nope"), Cancelling::Neither));
    }
}
