//! A `POST`'s event-stream answer, made resumable: each message gets its id and is held in
//! the session's replay buffer as it is written. The answer is read from rmcp by a task of
//! its own, not by the client's connection, so a client that drops the stream does not
//! stop the call: its messages go on to the buffer, where a `GET` with `Last-Event-ID`
//! finds them. The caller's call slot goes with that task (see [`SlotHandoff`]), so a call
//! whose client left still counts against the caller's share until it ends.

use std::{
    convert::Infallible,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    http::{StatusCode, header},
    response::Response,
};
use futures::{Stream, StreamExt, stream};
use tokio::sync::{mpsc, oneshot};

use super::{
    buffer::{AnswerStream, SessionReplay},
    frame,
};
use crate::transport::{caller_share::Slot, sse_answer};

/// Events written ahead of a slow reader before the answer's task waits for it.
const AHEAD: usize = 8;

/// How often a quiet stream carries a keep-alive comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Where the request's call slot goes when its answer is read by a task: `handle` puts
/// the slot here (see [`hand_over`]) rather than holding it with the response body.
#[derive(Clone)]
pub(crate) struct SlotHandoff(Arc<Mutex<Option<oneshot::Sender<Slot>>>>);

/// `response` holding `slot` until the call it answers has ended: given to the answer's
/// task when there is one, else held by the body as `hold` does.
pub(crate) fn hand_over(
    mut response: Response,
    slot: Slot,
    hold: impl FnOnce(Response, Slot) -> Response,
) -> Response {
    let handoff = response.extensions_mut().remove::<SlotHandoff>();
    let sender = handoff.and_then(|handoff| {
        let mut sender = handoff.0.lock().unwrap_or_else(|e| e.into_inner());
        sender.take()
    });
    match sender {
        // If the task has already ended, the slot comes back and is dropped here.
        Some(sender) => {
            let _ = sender.send(slot);
            response
        }
        None => hold(response, slot),
    }
}

fn is_event_stream(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/event-stream"))
}

/// `answer` (rmcp's answer to a request in a session) with ids on its events, each held in
/// `replay`, and the priming event first when `priming` (its `retry`) is given. Anything
/// but a 200 event stream (a refusal, a 202) is returned as it is.
pub(crate) fn resumable(
    answer: Response,
    replay: &Arc<SessionReplay>,
    priming: Option<Duration>,
) -> Response {
    if answer.status() != StatusCode::OK || !is_event_stream(&answer) {
        return answer;
    }
    let (mut head, body) = answer.into_parts();
    let stream = replay.open_answer();
    let first = priming.map(|retry| frame::priming(stream.priming_id(), retry));
    let (sender, receiver) = mpsc::channel(AHEAD);
    let (slot_sender, slot) = oneshot::channel();
    head.extensions
        .insert(SlotHandoff(Arc::new(Mutex::new(Some(slot_sender)))));
    tokio::spawn(write_answer(body, stream, first, sender, slot));
    let mut response = Response::from_parts(head, Body::from_stream(with_keep_alive(receiver)));
    frame::event_stream_headers(&mut response);
    response
}

/// An answer already whole (the JSON-RPC message `message`, e.g. the serialized tool list)
/// as a resumable event stream of its own: the priming event when `priming` is given,
/// then the message, held in `replay` without a copy.
pub(crate) fn whole_answer(
    message: Bytes,
    replay: &Arc<SessionReplay>,
    priming: Option<Duration>,
) -> Response {
    let mut stream = replay.open_answer();
    let first = priming.map(|retry| frame::priming(stream.priming_id(), retry));
    let id = stream.push(message.clone());
    drop(stream);
    let chunks = first
        .into_iter()
        .chain(frame::message_chunks(id, message))
        .filter(|chunk| !chunk.is_empty())
        .map(Ok::<_, Infallible>);
    let mut response = Response::new(Body::from_stream(stream::iter(chunks)));
    frame::event_stream_headers(&mut response);
    response
}

/// The answer's task: reads every message of `body` to its end, holds each for replay and
/// passes it on to the client while the client is there. `slot` (the call slot, once
/// `handle` has handed it over) is released when the answer has ended.
async fn write_answer(
    body: Body,
    mut stream: AnswerStream,
    first: Option<Bytes>,
    sender: mpsc::Sender<Bytes>,
    slot: oneshot::Receiver<Slot>,
) {
    let mut client = Some(sender);
    if let Some(first) = first {
        pass_on(&mut client, first).await;
    }
    let mut messages = std::pin::pin!(sse_answer::events(body));
    while let Some(message) = messages.next().await {
        let data = Bytes::from(message);
        let id = stream.push(data.clone());
        pass_on(&mut client, frame::message(id, &data)).await;
    }
    if client.is_none() {
        tracing::debug!("an answer whose stream was dropped is held for replay");
    }
    drop(stream);
    drop(slot);
}

/// Sends `event` to the client, forgetting the client once it has gone.
async fn pass_on(client: &mut Option<mpsc::Sender<Bytes>>, event: Bytes) {
    if let Some(sender) = client
        && sender.send(event).await.is_err()
    {
        *client = None;
    }
}

/// The events of `receiver`, with a keep-alive comment after each quiet period; ends
/// when the sender does.
pub(crate) fn with_keep_alive(
    receiver: mpsc::Receiver<Bytes>,
) -> impl Stream<Item = Result<Bytes, Infallible>> + Send {
    let start = tokio::time::Instant::now() + KEEP_ALIVE;
    let ticks = tokio::time::interval_at(start, KEEP_ALIVE);
    stream::unfold((receiver, ticks), |(mut receiver, mut ticks)| async move {
        let event = tokio::select! {
            event = receiver.recv() => event?,
            _ = ticks.tick() => Bytes::from_static(frame::KEEP_ALIVE_COMMENT),
        };
        ticks.reset();
        Some((Ok(event), (receiver, ticks)))
    })
}
