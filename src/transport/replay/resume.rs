//! The `GET` streams of a session: the standalone stream, and a stream resumed with
//! `Last-Event-ID`. A resumed answer stream replays the answer's events after that id,
//! follows the answer if it is still being written, and ends with it. A resumed standalone
//! stream replays what followed the id and stays open. Each reads the session's replay
//! buffer; a new standalone reader takes over from an older one (a message goes out on one
//! stream only). An id this session cannot resume (not one it gave, or an answer whose
//! events have all been dropped from the buffer) is answered 400, so that a client stops
//! retrying and reports the lost answer instead of reconnecting forever.

use std::{sync::Arc, time::Duration};

use axum::{
    body::{Body, Bytes},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{
    answer::with_keep_alive,
    buffer::{EventId, Next, Resumable, SessionReplay},
    frame,
};
use crate::transport::caller_share::Slot;

/// Events written ahead of a slow reader.
const AHEAD: usize = 8;

/// What ends a `GET` stream besides its client: the session's end, the server's stop.
pub(crate) struct StreamEnds {
    pub session: CancellationToken,
    pub server: CancellationToken,
}

/// The session's standalone stream, counted in its caller's share (`slot`) while open;
/// it starts with a priming event when `priming` is given.
pub(crate) fn standalone(
    replay: Arc<SessionReplay>,
    ends: StreamEnds,
    slot: Slot,
    priming: Option<Duration>,
) -> Response {
    let (ticket, last) = replay.take_standalone();
    let first = priming.map(|retry| frame::priming(last, retry));
    follow(replay, last, Some(ticket), first, ends, slot)
}

/// A `GET` with `Last-Event-ID: last_event_id`.
pub(crate) fn resume(
    replay: Arc<SessionReplay>,
    last_event_id: &str,
    ends: StreamEnds,
    slot: Slot,
) -> Response {
    let Some(after) = EventId::parse(last_event_id) else {
        return cannot_resume();
    };
    match replay.resumable(after) {
        Resumable::No => cannot_resume(),
        Resumable::Answer => follow(replay, after, None, None, ends, slot),
        Resumable::Standalone => {
            let (ticket, _) = replay.take_standalone();
            follow(replay, after, Some(ticket), None, ends, slot)
        }
    }
}

fn cannot_resume() -> Response {
    (
        StatusCode::BAD_REQUEST,
        "Bad Request: Last-Event-ID names no event this session can replay",
    )
        .into_response()
}

/// A stream of the events after `after` on its stream (as the standalone reader holding
/// `ticket`, for stream 0), `first` before them.
fn follow(
    replay: Arc<SessionReplay>,
    after: EventId,
    ticket: Option<u64>,
    first: Option<Bytes>,
    ends: StreamEnds,
    slot: Slot,
) -> Response {
    let (sender, receiver) = mpsc::channel(AHEAD);
    tokio::spawn(async move {
        let _held = slot;
        if let Some(first) = first
            && sender.send(first).await.is_err()
        {
            return;
        }
        let mut cursor = after;
        loop {
            let changed = replay.changed().notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            match replay.next_after(cursor, ticket) {
                Next::Event(event) => {
                    cursor = event.id;
                    if sender
                        .send(frame::message(event.id, &event.data))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    continue;
                }
                Next::Ended => return,
                Next::Wait => {}
            }
            tokio::select! {
                () = changed => {}
                () = sender.closed() => return,
                () = ends.session.cancelled() => return,
                () = ends.server.cancelled() => return,
            }
        }
    });
    let mut response = Body::from_stream(with_keep_alive(receiver)).into_response();
    frame::event_stream_headers(&mut response);
    response
}
