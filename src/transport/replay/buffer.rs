//! A session's replay buffer: the events its streams carried, newest last, bounded by a
//! count and a byte cap (the oldest go first), so a client that lost a stream can ask for
//! what followed the last event it saw. Stream 0 is the session's standalone `GET` stream;
//! each answer to a `POST` is a stream of its own (1, 2, …), numbered in the order they
//! opened. Events are kept for [`HELD_FOR`] at most (a client reconnects within seconds), so
//! a session gone quiet gives its buffer back; an empty buffer allocates nothing.

use std::{
    collections::VecDeque,
    fmt,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use axum::body::Bytes;
use tokio::sync::Notify;

/// How long an event is kept at most: far longer than a client waits to reconnect (the
/// priming event's `retry`), short enough that an idle session soon holds nothing.
pub(crate) const HELD_FOR: Duration = Duration::from_secs(60);

/// The standalone `GET` stream's number.
pub(crate) const STANDALONE: u64 = 0;

/// What each event costs besides its data (its id and place in the queue), so that a flood
/// of tiny events is bounded by the byte cap as well.
const EVENT_OVERHEAD: usize = 48;

/// How much a session keeps for replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReplayLimits {
    /// Most events held.
    pub events: usize,
    /// Most bytes held (data plus a small fixed cost per event).
    pub bytes: usize,
}

impl Default for ReplayLimits {
    /// The defaults of `--replay-events-per-session` and `--replay-bytes-per-session`.
    fn default() -> Self {
        Self {
            events: 64,
            bytes: 256 * 1024,
        }
    }
}

/// An event's id: its stream and its place in that stream, written `<stream>-<seq>`. A
/// stream's priming event is its place 0 (an answer's first message is 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EventId {
    pub stream: u64,
    pub seq: u64,
}

impl EventId {
    /// Reads a `Last-Event-ID` this server wrote; anything else is `None`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (stream, seq) = text.trim().split_once('-')?;
        let digits = |part: &str| {
            (!part.is_empty() && part.len() <= 20 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u64>().ok())
                .flatten()
        };
        Some(Self {
            stream: digits(stream)?,
            seq: digits(seq)?,
        })
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.stream, self.seq)
    }
}

/// One event held for replay.
#[derive(Clone, Debug)]
pub(crate) struct Held {
    pub id: EventId,
    /// The JSON-RPC message.
    pub data: Bytes,
    /// When it was sent.
    at: Instant,
}

/// What a reader of a stream finds after its cursor.
#[derive(Debug)]
pub(crate) enum Next {
    /// The next event held.
    Event(Held),
    /// Nothing yet; the stream goes on.
    Wait,
    /// The stream is over (its answer was read, or another reader took it over).
    Ended,
}

/// Whether an id names something this session can resume.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resumable {
    /// An answer stream still being written, or one whose events are still held.
    Answer,
    /// The standalone stream.
    Standalone,
    /// A stream this session never had, or a finished one whose events are all gone.
    No,
}

#[derive(Default)]
struct Inner {
    events: VecDeque<Held>,
    bytes: usize,
    /// Answer streams opened so far (the next one is this plus 1).
    answer_streams: u64,
    /// The standalone stream's last place given.
    standalone_seq: u64,
    /// Answer streams still being written.
    live: Vec<u64>,
    /// Which reader of the standalone stream is current: a new one takes over, so that
    /// a message goes out on one stream only.
    standalone_reader: u64,
}

impl Inner {
    /// Drops the oldest event while `too_many` says so, and gives the memory back once
    /// nothing is held.
    fn drop_oldest_while(&mut self, too_many: impl Fn(&Inner, &Held) -> bool) {
        while let Some(oldest) = self.events.front() {
            if !too_many(self, oldest) {
                break;
            }
            if let Some(oldest) = self.events.pop_front() {
                self.bytes -= oldest.data.len() + EVENT_OVERHEAD;
            }
        }
        if self.events.is_empty() {
            self.events = VecDeque::new();
        }
    }
}

/// A session's replay buffer (see the module documentation).
pub(crate) struct SessionReplay {
    inner: Mutex<Inner>,
    /// Woken whenever an event is added or a stream ends.
    changed: Notify,
    limits: ReplayLimits,
}

impl SessionReplay {
    pub(crate) fn new(limits: ReplayLimits) -> Self {
        Self {
            inner: Mutex::default(),
            changed: Notify::new(),
            limits,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Woken on every change (register before looking, then wait).
    pub(crate) fn changed(&self) -> &Notify {
        &self.changed
    }

    /// Opens the stream of one answer.
    pub(crate) fn open_answer(self: &Arc<Self>) -> AnswerStream {
        let mut inner = self.lock();
        inner.answer_streams += 1;
        let stream = inner.answer_streams;
        inner.live.push(stream);
        AnswerStream {
            replay: Arc::clone(self),
            stream,
            seq: 0,
        }
    }

    /// Holds `data` as the event `id`, dropping the oldest events beyond the caps.
    fn hold(&self, id: EventId, data: Bytes) {
        let mut inner = self.lock();
        inner.bytes += data.len() + EVENT_OVERHEAD;
        let at = Instant::now();
        inner.events.push_back(Held { id, data, at });
        let (events, bytes) = (self.limits.events, self.limits.bytes);
        inner.drop_oldest_while(|inner, _| inner.events.len() > events || inner.bytes > bytes);
        drop(inner);
        self.changed.notify_waiters();
    }

    fn end_answer(&self, stream: u64) {
        let mut inner = self.lock();
        inner.live.retain(|live| *live != stream);
        if inner.live.is_empty() {
            inner.live = Vec::new();
        }
        drop(inner);
        self.changed.notify_waiters();
    }

    /// Drops the events sent more than [`HELD_FOR`] before `now` (the session sweeper's
    /// call).
    pub(crate) fn forget_stale(&self, now: Instant) {
        let Some(cutoff) = now.checked_sub(HELD_FOR) else {
            return;
        };
        self.lock()
            .drop_oldest_while(|_, oldest| oldest.at <= cutoff);
    }

    /// Whether `id` can be resumed here.
    pub(crate) fn resumable(&self, id: EventId) -> Resumable {
        let inner = self.lock();
        if id.stream == STANDALONE {
            return if id.seq <= inner.standalone_seq {
                Resumable::Standalone
            } else {
                Resumable::No
            };
        }
        if id.stream > inner.answer_streams {
            return Resumable::No;
        }
        let live = inner.live.contains(&id.stream);
        let held = inner
            .events
            .iter()
            .any(|event| event.id.stream == id.stream);
        if live || held {
            Resumable::Answer
        } else {
            Resumable::No
        }
    }

    /// Makes a new reader the standalone stream's current one (any earlier reader ends),
    /// and returns its ticket and the id of the stream's last event so far.
    pub(crate) fn take_standalone(&self) -> (u64, EventId) {
        let mut inner = self.lock();
        inner.standalone_reader += 1;
        let ticket = inner.standalone_reader;
        let last = EventId {
            stream: STANDALONE,
            seq: inner.standalone_seq,
        };
        drop(inner);
        self.changed.notify_waiters();
        (ticket, last)
    }

    /// The first event of `after`'s stream that follows it, for a reader of an answer
    /// stream, or of the standalone stream holding `ticket`.
    pub(crate) fn next_after(&self, after: EventId, ticket: Option<u64>) -> Next {
        let inner = self.lock();
        if after.stream == STANDALONE && ticket != Some(inner.standalone_reader) {
            return Next::Ended;
        }
        let next = inner
            .events
            .iter()
            .find(|event| event.id.stream == after.stream && event.id.seq > after.seq);
        match next {
            Some(event) => Next::Event(event.clone()),
            None if after.stream == STANDALONE || inner.live.contains(&after.stream) => Next::Wait,
            None => Next::Ended,
        }
    }

    /// Events and bytes held now.
    #[cfg(test)]
    fn held(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.events.len(), inner.bytes)
    }
}

/// The writer of one answer stream: gives each message its id and holds it for replay.
/// The stream ends when this is dropped.
pub(crate) struct AnswerStream {
    replay: Arc<SessionReplay>,
    stream: u64,
    seq: u64,
}

impl AnswerStream {
    /// The id of the stream's priming event (before any message).
    pub(crate) fn priming_id(&self) -> EventId {
        EventId {
            stream: self.stream,
            seq: 0,
        }
    }

    /// Holds the next message and returns its id.
    pub(crate) fn push(&mut self, data: Bytes) -> EventId {
        self.seq += 1;
        let id = EventId {
            stream: self.stream,
            seq: self.seq,
        };
        self.replay.hold(id, data);
        id
    }
}

impl Drop for AnswerStream {
    fn drop(&mut self) {
        self.replay.end_answer(self.stream);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(events: usize, bytes: usize) -> Arc<SessionReplay> {
        Arc::new(SessionReplay::new(ReplayLimits { events, bytes }))
    }

    fn id(stream: u64, seq: u64) -> EventId {
        EventId { stream, seq }
    }

    #[test]
    fn the_default_limits_are_the_declared_defaults() {
        use crate::config::{DefaultValue, settings};
        let declared = |value: DefaultValue| match value {
            DefaultValue::Value(text) => text.parse::<usize>().expect("a number"),
            other => panic!("not a value: {other:?}"),
        };
        let limits = ReplayLimits::default();
        assert_eq!(limits.events, declared(settings::REPLAY_EVENTS.default));
        assert_eq!(limits.bytes, declared(settings::REPLAY_BYTES.default));
    }

    #[test]
    fn ids_read_back_and_strangers_do_not() {
        assert_eq!(EventId::parse("3-17"), Some(id(3, 17)));
        assert_eq!(id(3, 17).to_string(), "3-17");
        for bad in [
            "",
            "3",
            "-1",
            "3-",
            "a-1",
            "1-2-3",
            "1 -2",
            "99999999999999999999999-1",
        ] {
            assert_eq!(EventId::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn answers_get_their_own_streams_and_increasing_ids() {
        let replay = replay(64, 1 << 20);
        let mut first = replay.open_answer();
        let mut second = replay.open_answer();
        assert_eq!(first.priming_id(), id(1, 0));
        assert_eq!(first.push(Bytes::from_static(b"a")), id(1, 1));
        assert_eq!(second.push(Bytes::from_static(b"b")), id(2, 1));
        assert_eq!(first.push(Bytes::from_static(b"c")), id(1, 2));
        match replay.next_after(id(1, 1), None) {
            Next::Event(event) => assert_eq!((event.id, &event.data[..]), (id(1, 2), &b"c"[..])),
            other => panic!("expected the next event, got {other:?}"),
        }
        assert!(matches!(replay.next_after(id(1, 2), None), Next::Wait));
        drop(first);
        assert!(matches!(replay.next_after(id(1, 2), None), Next::Ended));
        assert_eq!(replay.resumable(id(1, 0)), Resumable::Answer);
        assert_eq!(replay.resumable(id(2, 0)), Resumable::Answer);
        assert_eq!(replay.resumable(id(3, 0)), Resumable::No);
    }

    #[test]
    fn the_caps_hold_and_the_oldest_go_first() {
        let replay = replay(4, 1 << 20);
        let mut stream = replay.open_answer();
        for n in 0..100u8 {
            stream.push(Bytes::from(vec![n; 10]));
        }
        assert_eq!(replay.held().0, 4);
        match replay.next_after(id(1, 0), None) {
            Next::Event(event) => assert_eq!(event.id, id(1, 97)),
            other => panic!("expected the oldest held event, got {other:?}"),
        }

        let bytes = 1_000;
        let replay = self::replay(1_000, bytes);
        let mut stream = replay.open_answer();
        for _ in 0..100 {
            stream.push(Bytes::from(vec![b'x'; 100]));
            assert!(replay.held().1 <= bytes);
        }
        assert_eq!(replay.held().0, bytes / (100 + EVENT_OVERHEAD));
        // An event larger than the whole cap is not held at all.
        stream.push(Bytes::from(vec![b'x'; 2 * bytes]));
        assert_eq!(replay.held(), (0, 0));
        drop(stream);
        assert_eq!(replay.resumable(id(1, 0)), Resumable::No, "nothing left");
    }

    #[test]
    fn stale_events_are_forgotten() {
        let replay = replay(8, 1 << 20);
        let mut stream = replay.open_answer();
        stream.push(Bytes::from_static(b"old"));
        replay.forget_stale(Instant::now());
        assert_eq!(replay.held().0, 1, "a fresh event stays");
        replay.forget_stale(Instant::now() + HELD_FOR);
        assert_eq!(replay.held(), (0, 0), "a stale one goes");
    }

    #[test]
    fn a_new_standalone_reader_takes_over() {
        let replay = replay(8, 1 << 20);
        let (first, last) = replay.take_standalone();
        assert_eq!(last, id(STANDALONE, 0));
        assert!(matches!(replay.next_after(last, Some(first)), Next::Wait));
        let (second, _) = replay.take_standalone();
        assert!(matches!(replay.next_after(last, Some(first)), Next::Ended));
        assert!(matches!(replay.next_after(last, Some(second)), Next::Wait));
        assert_eq!(replay.resumable(id(STANDALONE, 0)), Resumable::Standalone);
        assert_eq!(replay.resumable(id(STANDALONE, 5)), Resumable::No);
    }
}
