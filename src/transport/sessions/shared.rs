//! Streamable HTTP sessions on Redis: a session opened on one replica can be used on any
//! other. The session's record (its owner, and the client's `initialize` parameters) is
//! stored before its id is handed out; a replica that gets a request for a session it does
//! not hold looks it up here and adopts it for the same owner only. Entries expire after
//! the same idle time as sessions in memory, and every request on a session renews its
//! entry.

use std::{sync::Arc, time::Duration};

use rmcp::model::InitializeRequestParams;
use serde::{Deserialize, Serialize};

use crate::redis_link::{RedisFailure, RedisLink};

type StoreError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What every replica knows of a session. New per-session state (e.g. an answer buffer
/// for resumability) is added here as optional members, so older records still read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SharedSession {
    /// The caller that opened it (`caller::Caller::owner`; never a key or token). An
    /// entry without one (written before sessions had owners) reads as no session.
    pub owner: String,
    /// The client's `initialize` parameters (its capabilities among them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initialize_params: Option<InitializeRequestParams>,
}

/// Where `/mcp` shares its sessions when `--redis-url` is set.
pub(crate) struct RedisSessions {
    link: Arc<RedisLink>,
    idle: Duration,
}

impl RedisSessions {
    pub(crate) fn new(link: Arc<RedisLink>, idle: Duration) -> Self {
        Self { link, idle }
    }

    fn key(&self, session_id: &str) -> String {
        format!("{}session:{session_id}", self.link.prefix())
    }

    fn idle_ms(&self) -> u64 {
        u64::try_from(self.idle.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// A request used the session: its entry lives another idle period.
    pub(crate) async fn touch(&self, session_id: &str) -> Result<(), RedisFailure> {
        let key = self.key(session_id);
        let idle = self.idle_ms();
        self.link
            .run(|mut connection| async move {
                redis::cmd("PEXPIRE")
                    .arg(key)
                    .arg(idle)
                    .query_async::<i64>(&mut connection)
                    .await
            })
            .await
            .map(drop)
    }

    /// The session's record, `None` when no replica holds it.
    pub(crate) async fn load(&self, session_id: &str) -> Result<Option<SharedSession>, StoreError> {
        let key = self.key(session_id);
        let text: Option<String> = self
            .link
            .run(|mut connection| async move {
                redis::cmd("GET")
                    .arg(key)
                    .query_async(&mut connection)
                    .await
            })
            .await?;
        match text {
            None => Ok(None),
            Some(text) => Ok(Some(serde_json::from_str(&text)?)),
        }
    }

    /// Shares the session's record for one idle period.
    pub(crate) async fn store(
        &self,
        session_id: &str,
        record: &SharedSession,
    ) -> Result<(), StoreError> {
        let key = self.key(session_id);
        let text = serde_json::to_string(record)?;
        let idle = self.idle_ms();
        self.link
            .run(|mut connection| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(text)
                    .arg("PX")
                    .arg(idle)
                    .query_async::<()>(&mut connection)
                    .await
            })
            .await?;
        Ok(())
    }

    /// Forgets the session on every replica.
    pub(crate) async fn delete(&self, session_id: &str) -> Result<(), StoreError> {
        let key = self.key(session_id);
        self.link
            .run(|mut connection| async move {
                redis::cmd("DEL")
                    .arg(key)
                    .query_async::<i64>(&mut connection)
                    .await
            })
            .await?;
        Ok(())
    }
}
