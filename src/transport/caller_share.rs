//! Each caller's share of the server (`--max-sessions-per-caller`,
//! `--max-streams-per-caller`, `--max-calls-per-caller`): a slot is taken when a session
//! opens, a stream opens or a request starts being answered, and given back when its
//! [`Slot`] is dropped. One caller beyond its share is answered 429 while every other
//! caller still gets its own. Counted per process (each replica holds its own shares).

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex, MutexGuard},
};

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::Response,
};

use super::reply::{code, json_error};

/// Seconds a refused caller is asked to wait.
const RETRY_AFTER_SECONDS: &str = "1";

/// What a slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An open session (streamable HTTP or legacy SSE).
    Session,
    /// An open event stream: a legacy `GET /sse` or a standalone `GET /mcp`.
    Stream,
    /// A request being answered.
    Call,
}

impl Kind {
    fn setting(self) -> &'static str {
        match self {
            Kind::Session => "--max-sessions-per-caller",
            Kind::Stream => "--max-streams-per-caller",
            Kind::Call => "--max-calls-per-caller",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Session => "open sessions",
            Kind::Stream => "open streams",
            Kind::Call => "requests being answered",
        }
    }
}

/// The most of each kind one caller may hold at once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ShareLimits {
    pub sessions: usize,
    pub streams: usize,
    pub calls: usize,
}

impl ShareLimits {
    fn of(&self, kind: Kind) -> usize {
        match kind {
            Kind::Session => self.sessions,
            Kind::Stream => self.streams,
            Kind::Call => self.calls,
        }
    }
}

#[derive(Default, Debug)]
struct Counts {
    sessions: usize,
    streams: usize,
    calls: usize,
}

impl Counts {
    fn of(&mut self, kind: Kind) -> &mut usize {
        match kind {
            Kind::Session => &mut self.sessions,
            Kind::Stream => &mut self.streams,
            Kind::Call => &mut self.calls,
        }
    }

    fn is_empty(&self) -> bool {
        self.sessions == 0 && self.streams == 0 && self.calls == 0
    }
}

/// Every caller's current holdings (callers holding nothing take no room).
pub(crate) struct CallerShares {
    limits: ShareLimits,
    held: Mutex<HashMap<Arc<str>, Counts>>,
}

/// A caller's share was used up.
#[derive(Debug)]
pub(crate) struct Refused {
    kind: Kind,
    max: usize,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this caller already has {} {} (see {})",
            self.max,
            self.kind.noun(),
            self.kind.setting()
        )
    }
}

impl Refused {
    /// 429 with `Retry-After` and a JSON-RPC error naming the setting.
    pub(crate) fn response(&self) -> Response {
        let hint = match self.kind {
            Kind::Session => "; close unused sessions with DELETE or retry later",
            Kind::Stream => "; close an open stream or retry later",
            Kind::Call => "; wait for earlier answers and retry",
        };
        let mut response = json_error(
            StatusCode::TOO_MANY_REQUESTS,
            code::RATE_LIMITED,
            format!("{self}{hint}"),
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
        response
    }
}

impl CallerShares {
    pub(crate) fn new(limits: ShareLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            held: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, Counts>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A slot of `kind` for `owner`, unless it already holds its share.
    pub(crate) fn try_take(
        self: &Arc<Self>,
        owner: &Arc<str>,
        kind: Kind,
    ) -> Result<Slot, Refused> {
        let max = self.limits.of(kind);
        let mut held = self.lock();
        let counts = held.entry(Arc::clone(owner)).or_default();
        let count = counts.of(kind);
        if *count >= max {
            if counts.is_empty() {
                held.remove(owner);
            }
            return Err(Refused { kind, max });
        }
        *count += 1;
        drop(held);
        Ok(self.slot(owner, kind))
    }

    /// A slot of `kind` for `owner` even beyond its share (a session another replica
    /// opened, adopted here: refusing it would cut off a client that is working).
    pub(crate) fn take(self: &Arc<Self>, owner: &Arc<str>, kind: Kind) -> Slot {
        *self.lock().entry(Arc::clone(owner)).or_default().of(kind) += 1;
        self.slot(owner, kind)
    }

    fn slot(self: &Arc<Self>, owner: &Arc<str>, kind: Kind) -> Slot {
        Slot {
            shares: Arc::clone(self),
            owner: Arc::clone(owner),
            kind,
        }
    }

    fn give_back(&self, owner: &Arc<str>, kind: Kind) {
        let mut held = self.lock();
        if let Some(counts) = held.get_mut(owner) {
            let count = counts.of(kind);
            *count = count.saturating_sub(1);
            if counts.is_empty() {
                held.remove(owner);
            }
        }
    }

    /// How many of `kind` `owner` holds now.
    #[cfg(test)]
    pub(crate) fn held(&self, owner: &str, kind: Kind) -> usize {
        self.lock()
            .get_mut(owner)
            .map_or(0, |counts| *counts.of(kind))
    }
}

/// One session, stream or call of one caller, counted until dropped.
pub(crate) struct Slot {
    shares: Arc<CallerShares>,
    owner: Arc<str>,
    kind: Kind,
}

impl Slot {
    /// Whose slot this is.
    pub(crate) fn owner(&self) -> &Arc<str> {
        &self.owner
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shares.give_back(&self.owner, self.kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(max: usize) -> Arc<CallerShares> {
        CallerShares::new(ShareLimits {
            sessions: max,
            streams: max,
            calls: max,
        })
    }

    #[test]
    fn one_caller_is_refused_beyond_its_share_while_another_still_gets_a_slot() {
        let shares = shares(2);
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("key:a"), Arc::from("key:b"));
        let first = shares.try_take(&a, Kind::Session).expect("first");
        let _second = shares.try_take(&a, Kind::Session).expect("second");
        let refused = shares.try_take(&a, Kind::Session).err().expect("refused");
        assert!(refused.to_string().contains("--max-sessions-per-caller"));
        assert_eq!(refused.response().status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(shares.try_take(&b, Kind::Session).is_ok(), "b has its own");
        assert!(shares.try_take(&a, Kind::Call).is_ok(), "kinds are apart");
        drop(first);
        assert!(shares.try_take(&a, Kind::Session).is_ok(), "given back");
    }

    #[test]
    fn callers_holding_nothing_take_no_room_and_adoption_may_go_beyond() {
        let shares = shares(1);
        let a: Arc<str> = Arc::from("key:a");
        let held = shares.try_take(&a, Kind::Stream).expect("one");
        let adopted = shares.take(&a, Kind::Stream);
        assert_eq!(shares.held("key:a", Kind::Stream), 2);
        drop((held, adopted));
        assert!(shares.lock().is_empty());
        let zero = CallerShares::new(ShareLimits {
            sessions: 0,
            streams: 0,
            calls: 0,
        });
        assert!(zero.try_take(&a, Kind::Call).is_err());
        assert!(zero.lock().is_empty());
    }
}
