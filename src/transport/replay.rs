//! Resumable streams on `/mcp` (MCP 2025-06-18 and later, "Resumability and
//! Redelivery"): every event on a session's streams carries an id `<stream>-<seq>`, a
//! stream of a client that has SSE polling (2025-11-25) starts with a priming event with
//! `retry:`, and each session keeps its recent events in a small bounded buffer (count and
//! byte caps; freed with the session) so that a `GET` with `Last-Event-ID` replays what
//! followed on that stream. An answer is read to its end even when its client has gone,
//! so a call finishes and its answer waits in the buffer. The buffer is per replica: with
//! `--redis-url`, a client resuming must reach the replica that answered (docs/http.md).

mod answer;
mod buffer;
mod frame;
mod resume;

pub(crate) use answer::{hand_over, resumable, whole_answer};
pub(crate) use buffer::{ReplayLimits, SessionReplay};
pub(crate) use frame::priming_for;
pub(crate) use resume::{StreamEnds, resume, standalone};

/// The header a client resumes with.
pub(crate) const LAST_EVENT_ID: &str = "last-event-id";
