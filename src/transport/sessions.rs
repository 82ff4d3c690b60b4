//! The streamable HTTP sessions of `/mcp`, kept as small records rather than running
//! services. A record holds when the session was last used and the token that ends its
//! standalone `GET` stream. Each request in a session is answered by its own short-lived
//! rmcp service, as on the stateless path. So an idle session costs about 3 kB.
//! rmcp's own session manager keeps a worker task, a service task and seven channels per
//! session, about 80 kB (issue 10's note). A session nobody uses for
//! `--session-idle-timeout` is dropped; with `--redis-url`, a session opened on one replica
//! is known to every other. Every session belongs to the caller that opened it (its
//! [`Slot`] names the owner and counts it in the caller's share): a request from anyone
//! else finds no session at all.

pub(super) mod shared;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use rmcp::model::InitializeRequestParams;
use tokio_util::sync::CancellationToken;

use super::{
    caller_share::{CallerShares, Kind, Slot},
    cancel_map::CancelMap,
    client_requests::PendingRequests,
    idle_sweep,
    replay::{ReplayLimits, SessionReplay},
};
use crate::client_link::ClientFacts;
use shared::{RedisSessions, SharedSession};

/// One open session. Per-session state the protocol needs later (client capabilities, an
/// answer buffer) belongs here.
struct Session {
    last_used: Instant,
    /// Cancelled when the session closes or expires: ends its standalone streams.
    ended: CancellationToken,
    /// The owner's session slot: counted in its share until the session is dropped.
    slot: Slot,
    /// Whether the negotiated revision has JSON-RPC batches (2025-03-26 and older).
    batches: bool,
    /// The session's requests being answered, for `notifications/cancelled`.
    calls: Arc<CancelMap>,
    /// What the client declared in `initialize` (elicitation).
    client: ClientFacts,
    /// The server's requests to the client that wait for its answer.
    pending: Arc<PendingRequests>,
    /// The recent events of its streams, for a client resuming one (empty until used).
    replay: Arc<SessionReplay>,
}

impl Session {
    fn new(
        slot: Slot,
        initialize_params: Option<&InitializeRequestParams>,
        replay: ReplayLimits,
    ) -> Self {
        let batches = initialize_params.is_some_and(|params| {
            super::batch::revision_has_batches(params.protocol_version.as_str())
        });
        let client = initialize_params.map(ClientFacts::of).unwrap_or_default();
        Self {
            last_used: Instant::now(),
            ended: CancellationToken::new(),
            slot,
            batches,
            calls: Arc::default(),
            client,
            pending: Arc::default(),
            replay: Arc::new(SessionReplay::new(replay)),
        }
    }

    fn owned_by(&self, owner: &str) -> bool {
        **self.slot.owner() == *owner
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.ended.cancel();
    }
}

/// The open streamable HTTP sessions of this process (and, with Redis, of every replica).
pub(crate) struct StreamableSessions {
    open: Mutex<HashMap<String, Session>>,
    idle: Duration,
    store: Option<Arc<RedisSessions>>,
    /// Where a session adopted from another replica is counted.
    shares: Arc<CallerShares>,
    /// How much each session keeps for replay.
    replay: ReplayLimits,
}

impl StreamableSessions {
    /// Sessions that close after `idle` unused, shared through `store` when it is set,
    /// counted in their owners' `shares`.
    pub(crate) fn new(
        idle: Duration,
        store: Option<Arc<RedisSessions>>,
        shares: Arc<CallerShares>,
    ) -> Self {
        Self {
            open: Mutex::new(HashMap::new()),
            idle,
            store,
            shares,
            replay: ReplayLimits::default(),
        }
    }

    /// The same sessions, each keeping `limits` of events for replay.
    pub(crate) fn with_replay_limits(mut self, limits: ReplayLimits) -> Self {
        self.replay = limits;
        self
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sessions open in this process.
    pub(crate) fn count(&self) -> usize {
        self.lock().len()
    }

    /// Opens a session, held in `slot` (its owner's), for a client whose `initialize` was
    /// answered, and returns its id. With Redis, the session is shared before the id is
    /// handed out, so the client's next request may go to any replica.
    pub(crate) async fn open(
        &self,
        slot: Slot,
        initialize_params: Option<InitializeRequestParams>,
    ) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let session = Session::new(slot, initialize_params.as_ref(), self.replay);
        if let Some(store) = &self.store {
            let record = SharedSession {
                owner: session.slot.owner().to_string(),
                initialize_params,
            };
            if let Err(err) = store.store(&id, &record).await {
                tracing::warn!(
                    "cannot share the new session through Redis (other replicas will not know it): {err}"
                );
            }
        }
        self.lock().insert(id.clone(), session);
        id
    }

    /// Whether `id` names an open session of `owner`. A session of another owner is not
    /// there for this one (and is neither touched nor ended). Using a session keeps it
    /// open for another idle period, here and in Redis. A session this process does not
    /// hold is looked up in Redis, and adopted when another replica opened it for `owner`.
    pub(crate) async fn resume(&self, id: &str, owner: &Arc<str>) -> bool {
        match self.resume_local(id, owner) {
            Local::Mine => {
                self.touch_shared(id);
                return true;
            }
            Local::NotMine => return false,
            Local::Absent => {}
        }
        let Some(store) = &self.store else {
            return false;
        };
        match store.load(id).await {
            Ok(Some(record)) if *record.owner == **owner => {
                let mut open = self.lock();
                let session = open.entry(id.to_owned()).or_insert_with(|| {
                    let slot = self.shares.take(owner, Kind::Session);
                    Session::new(slot, record.initialize_params.as_ref(), self.replay)
                });
                if !session.owned_by(owner) {
                    return false;
                }
                session.last_used = Instant::now();
                drop(open);
                self.touch_shared(id);
                true
            }
            Ok(_) => false,
            Err(err) => {
                tracing::warn!("cannot look the session up in Redis: {err}");
                false
            }
        }
    }

    fn resume_local(&self, id: &str, owner: &str) -> Local {
        let now = Instant::now();
        let mut open = self.lock();
        let Some(session) = open.get_mut(id) else {
            return Local::Absent;
        };
        if now.saturating_duration_since(session.last_used) >= self.idle {
            open.remove(id);
            return Local::Absent;
        }
        if !session.owned_by(owner) {
            return Local::NotMine;
        }
        session.last_used = now;
        Local::Mine
    }

    fn touch_shared(&self, id: &str) {
        if let Some(store) = &self.store {
            let (store, id) = (Arc::clone(store), id.to_owned());
            tokio::spawn(async move {
                let _ = store.touch(&id).await;
            });
        }
    }

    /// Session `id`'s requests being answered (to register one, or cancel one).
    pub(crate) fn calls(&self, id: &str) -> Option<Arc<CancelMap>> {
        self.lock()
            .get(id)
            .map(|session| Arc::clone(&session.calls))
    }

    /// What session `id`'s client declared, and its requests waiting for the client.
    pub(crate) fn client(&self, id: &str) -> Option<(ClientFacts, Arc<PendingRequests>)> {
        self.lock()
            .get(id)
            .map(|session| (session.client, Arc::clone(&session.pending)))
    }

    /// Session `id`'s replay buffer.
    pub(crate) fn replay(&self, id: &str) -> Option<Arc<SessionReplay>> {
        self.lock()
            .get(id)
            .map(|session| Arc::clone(&session.replay))
    }

    /// Whether session `id` negotiated a revision with JSON-RPC batches.
    pub(crate) fn accepts_batches(&self, id: &str) -> bool {
        self.lock().get(id).is_some_and(|session| session.batches)
    }

    /// The token that ends `id`'s standalone streams, if the session is open here.
    pub(crate) fn ended(&self, id: &str) -> Option<CancellationToken> {
        self.lock().get(id).map(|session| session.ended.clone())
    }

    /// Closes `id` here and in Redis (a client's `DELETE`, once [`Self::resume`] has
    /// found it to be the caller's).
    pub(crate) async fn close(&self, id: &str) {
        let removed = self.lock().remove(id);
        drop(removed);
        if let Some(store) = &self.store
            && let Err(err) = store.delete(id).await
        {
            tracing::warn!("cannot remove the closed session from Redis: {err}");
        }
    }

    /// Drops the sessions unused for the idle timeout, and the events the others keep for
    /// replay once they are stale; returns how many sessions were dropped.
    pub(crate) fn expire_idle(&self) -> usize {
        let now = Instant::now();
        let mut open = self.lock();
        let before = open.len();
        open.retain(|_, session| now.saturating_duration_since(session.last_used) < self.idle);
        for session in open.values() {
            session.replay.forget_stale(now);
        }
        before - open.len()
    }

    /// Drops idle sessions every [`idle_sweep::period`] until `shutdown` (the server's task
    /// for it).
    pub(crate) async fn expire_until(self: Arc<Self>, shutdown: CancellationToken) {
        let idle = self.idle;
        let expire = move || self.expire_idle();
        idle_sweep::sweep_until(idle, shutdown, expire, "idle streamable session(s) expired").await;
    }

    /// Ends every session (server shutdown).
    pub(crate) fn close_all(&self) {
        let sessions = std::mem::take(&mut *self.lock());
        drop(sessions);
    }
}

/// What this process knows of a session id.
enum Local {
    Mine,
    /// Open here, for another owner.
    NotMine,
    /// Not open here (or expired).
    Absent,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::caller_share::ShareLimits;

    fn shares() -> Arc<CallerShares> {
        CallerShares::new(ShareLimits {
            sessions: 100,
            streams: 100,
            calls: 100,
        })
    }

    fn owner(name: &str) -> Arc<str> {
        Arc::from(name)
    }

    /// A session of "key:a".
    async fn open(sessions: &StreamableSessions, shares: &Arc<CallerShares>) -> String {
        let slot = shares
            .try_take(&owner("key:a"), Kind::Session)
            .expect("a slot");
        sessions.open(slot, None).await
    }

    #[tokio::test]
    async fn a_session_lives_while_used_and_expires_when_idle() {
        let shares = shares();
        let sessions = StreamableSessions::new(Duration::from_millis(200), None, shares.clone());
        let id = open(&sessions, &shares).await;
        assert_eq!(sessions.count(), 1);
        assert_eq!(shares.held("key:a", Kind::Session), 1);
        assert!(sessions.resume(&id, &owner("key:a")).await);
        let ended = sessions.ended(&id).expect("open session has a token");
        assert!(!ended.is_cancelled());
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(sessions.expire_idle(), 1);
        assert!(ended.is_cancelled(), "expiry ends the standalone stream");
        assert!(!sessions.resume(&id, &owner("key:a")).await);
        assert_eq!(sessions.count(), 0);
        assert_eq!(shares.held("key:a", Kind::Session), 0, "the slot is back");
    }

    #[tokio::test]
    async fn another_owner_finds_no_session_and_cannot_keep_it_alive() {
        let shares = shares();
        let sessions = StreamableSessions::new(Duration::from_millis(300), None, shares.clone());
        let id = open(&sessions, &shares).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!sessions.resume(&id, &owner("key:b")).await);
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(
            !sessions.resume(&id, &owner("key:a")).await,
            "the stranger's request did not renew the owner's session"
        );
    }

    #[tokio::test]
    async fn an_expired_session_is_refused_even_before_the_sweep() {
        let shares = shares();
        let sessions = StreamableSessions::new(Duration::from_millis(50), None, shares.clone());
        let id = open(&sessions, &shares).await;
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert!(!sessions.resume(&id, &owner("key:a")).await);
        assert_eq!(sessions.count(), 0);
    }

    #[tokio::test]
    async fn close_ends_the_session_and_unknown_ids_are_refused() {
        let shares = shares();
        let sessions = StreamableSessions::new(Duration::from_secs(60), None, shares.clone());
        let id = open(&sessions, &shares).await;
        let ended = sessions.ended(&id).expect("open");
        sessions.close(&id).await;
        assert!(ended.is_cancelled());
        assert!(!sessions.resume(&id, &owner("key:a")).await);
        assert!(!sessions.resume("no-such-session", &owner("key:a")).await);
        assert!(sessions.ended("no-such-session").is_none());
    }

    #[tokio::test]
    async fn the_sweeper_drops_idle_sessions_until_shutdown() {
        let shares = shares();
        let sessions = Arc::new(StreamableSessions::new(
            Duration::from_millis(120),
            None,
            shares.clone(),
        ));
        let shutdown = CancellationToken::new();
        let sweeper = tokio::spawn(Arc::clone(&sessions).expire_until(shutdown.clone()));
        open(&sessions, &shares).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(sessions.count(), 0, "the idle session was swept");
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(5), sweeper)
            .await
            .expect("the sweeper stops at shutdown")
            .expect("the sweeper did not panic");
    }
}
