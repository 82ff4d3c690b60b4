//! The streamable HTTP sessions of `/mcp`, kept as small records rather than running
//! services. A record holds when the session was last used and the token that ends its
//! standalone `GET` stream. Each request in a session is answered by its own short-lived
//! rmcp service, as on the stateless path. So an idle session costs about 3 kB.
//! rmcp's own session manager keeps a worker task, a service task and seven channels per
//! session, about 80 kB (issue 10's note). A session nobody uses for
//! `--session-idle-timeout` is dropped; with `--redis-url`, a session opened on one replica
//! is known to every other.

pub mod shared;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use rmcp::{
    model::InitializeRequestParams,
    transport::streamable_http_server::session::{SessionState, SessionStore},
};
use tokio_util::sync::CancellationToken;

use shared::RedisSessions;

/// One open session.
struct Session {
    last_used: Instant,
    /// Cancelled when the session closes or expires: ends its standalone streams.
    ended: CancellationToken,
}

impl Session {
    fn new() -> Self {
        Self {
            last_used: Instant::now(),
            ended: CancellationToken::new(),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.ended.cancel();
    }
}

/// The open streamable HTTP sessions of this process (and, with Redis, of every replica).
pub struct StreamableSessions {
    open: Mutex<HashMap<String, Session>>,
    idle: Duration,
    store: Option<Arc<RedisSessions>>,
}

impl StreamableSessions {
    /// Sessions that close after `idle` unused, shared through `store` when it is set.
    pub fn new(idle: Duration, store: Option<Arc<RedisSessions>>) -> Self {
        Self {
            open: Mutex::new(HashMap::new()),
            idle,
            store,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sessions open in this process.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// Opens a session for a client whose `initialize` was answered, and returns its id.
    /// With Redis, the session is shared before the id is handed out, so the client's next
    /// request may go to any replica.
    pub async fn open(&self, initialize_params: Option<InitializeRequestParams>) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        if let (Some(store), Some(initialize_params)) = (&self.store, initialize_params) {
            let state = SessionState::new(initialize_params);
            if let Err(err) = store.store(&id, &state).await {
                tracing::warn!(
                    "cannot share the new session through Redis (other replicas will not know it): {err}"
                );
            }
        }
        self.lock().insert(id.clone(), Session::new());
        id
    }

    /// Whether `id` names an open session. Using a session keeps it open for another idle
    /// period, here and in Redis. A session this process does not hold is looked up in
    /// Redis, and adopted when another replica opened it.
    pub async fn resume(&self, id: &str) -> bool {
        if self.resume_local(id) {
            self.touch_shared(id);
            return true;
        }
        let Some(store) = &self.store else {
            return false;
        };
        match store.load(id).await {
            Ok(Some(_)) => {
                self.lock()
                    .entry(id.to_owned())
                    .or_insert_with(Session::new)
                    .last_used = Instant::now();
                self.touch_shared(id);
                true
            }
            Ok(None) => false,
            Err(err) => {
                tracing::warn!("cannot look the session up in Redis: {err}");
                false
            }
        }
    }

    fn resume_local(&self, id: &str) -> bool {
        let now = Instant::now();
        let mut open = self.lock();
        let Some(session) = open.get_mut(id) else {
            return false;
        };
        if now.saturating_duration_since(session.last_used) < self.idle {
            session.last_used = now;
            return true;
        }
        open.remove(id);
        false
    }

    fn touch_shared(&self, id: &str) {
        if let Some(store) = &self.store {
            let (store, id) = (Arc::clone(store), id.to_owned());
            tokio::spawn(async move {
                let _ = store.touch(&id).await;
            });
        }
    }

    /// The token that ends `id`'s standalone streams, if the session is open here.
    pub fn ended(&self, id: &str) -> Option<CancellationToken> {
        self.lock().get(id).map(|session| session.ended.clone())
    }

    /// Closes `id` here and in Redis (a client's `DELETE`).
    pub async fn close(&self, id: &str) {
        let removed = self.lock().remove(id);
        drop(removed);
        if let Some(store) = &self.store
            && let Err(err) = store.delete(id).await
        {
            tracing::warn!("cannot remove the closed session from Redis: {err}");
        }
    }

    /// Drops the sessions unused for the idle timeout; returns how many.
    pub fn expire_idle(&self) -> usize {
        let now = Instant::now();
        let mut open = self.lock();
        let before = open.len();
        open.retain(|_, session| now.saturating_duration_since(session.last_used) < self.idle);
        before - open.len()
    }

    /// How often [`Self::expire_idle`] should run: often enough that an expired session's
    /// memory is back within a quarter of the idle timeout, and at least once a minute.
    pub fn sweep_period(&self) -> Duration {
        (self.idle / 4).clamp(Duration::from_millis(100), Duration::from_secs(60))
    }

    /// Drops idle sessions every [`Self::sweep_period`] until `shutdown` (the server's task
    /// for it).
    pub async fn expire_until(self: Arc<Self>, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(self.sweep_period());
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                () = shutdown.cancelled() => return,
            }
            let expired = self.expire_idle();
            if expired > 0 {
                tracing::debug!("{expired} idle streamable session(s) expired");
            }
        }
    }

    /// Ends every session (server shutdown).
    pub fn close_all(&self) {
        let sessions = std::mem::take(&mut *self.lock());
        drop(sessions);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_session_lives_while_used_and_expires_when_idle() {
        let sessions = StreamableSessions::new(Duration::from_millis(200), None);
        let id = sessions.open(None).await;
        assert_eq!(sessions.count(), 1);
        assert!(sessions.resume(&id).await);
        let ended = sessions.ended(&id).expect("open session has a token");
        assert!(!ended.is_cancelled());
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(sessions.expire_idle(), 1);
        assert!(ended.is_cancelled(), "expiry ends the standalone stream");
        assert!(!sessions.resume(&id).await);
        assert_eq!(sessions.count(), 0);
    }

    #[tokio::test]
    async fn an_expired_session_is_refused_even_before_the_sweep() {
        let sessions = StreamableSessions::new(Duration::from_millis(50), None);
        let id = sessions.open(None).await;
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert!(!sessions.resume(&id).await);
        assert_eq!(sessions.count(), 0);
    }

    #[tokio::test]
    async fn close_ends_the_session_and_unknown_ids_are_refused() {
        let sessions = StreamableSessions::new(Duration::from_secs(60), None);
        let id = sessions.open(None).await;
        let ended = sessions.ended(&id).expect("open");
        sessions.close(&id).await;
        assert!(ended.is_cancelled());
        assert!(!sessions.resume(&id).await);
        assert!(!sessions.resume("no-such-session").await);
        assert!(sessions.ended("no-such-session").is_none());
    }

    #[tokio::test]
    async fn the_sweeper_drops_idle_sessions_until_shutdown() {
        let sessions = Arc::new(StreamableSessions::new(Duration::from_millis(120), None));
        let shutdown = CancellationToken::new();
        let sweeper = tokio::spawn(Arc::clone(&sessions).expire_until(shutdown.clone()));
        sessions.open(None).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(sessions.count(), 0, "the idle session was swept");
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(5), sweeper)
            .await
            .expect("the sweeper stops at shutdown")
            .expect("the sweeper did not panic");
    }

    #[test]
    fn the_sweep_period_follows_the_idle_timeout_within_bounds() {
        let period = |secs| StreamableSessions::new(Duration::from_secs(secs), None).sweep_period();
        assert_eq!(period(2), Duration::from_millis(500));
        assert_eq!(period(3600), Duration::from_secs(60));
        let tiny = StreamableSessions::new(Duration::from_millis(10), None).sweep_period();
        assert_eq!(tiny, Duration::from_millis(100));
    }
}
