//! Streamable HTTP sessions on Redis: a session opened on one replica can be used on any
//! other. The session is stored (with the client's `initialize` parameters, in rmcp's
//! `SessionState` shape) before its id is handed out; a replica that gets a request for a
//! session it does not hold looks it up here and adopts it. Entries expire after the same
//! idle time as sessions in memory, and every request on a session renews its entry.

use std::{sync::Arc, time::Duration};

use rmcp::transport::streamable_http_server::session::{SessionState, SessionStore};

use crate::redis_link::{RedisFailure, RedisLink};

type StoreError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where `/mcp` shares its sessions when `--redis-url` is set.
pub struct RedisSessions {
    link: Arc<RedisLink>,
    idle: Duration,
}

impl RedisSessions {
    pub fn new(link: Arc<RedisLink>, idle: Duration) -> Self {
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
    pub async fn touch(&self, session_id: &str) -> Result<(), RedisFailure> {
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
}

#[async_trait::async_trait]
impl SessionStore for RedisSessions {
    async fn load(&self, session_id: &str) -> Result<Option<SessionState>, StoreError> {
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

    async fn store(&self, session_id: &str, state: &SessionState) -> Result<(), StoreError> {
        let key = self.key(session_id);
        let text = serde_json::to_string(state)?;
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

    async fn delete(&self, session_id: &str) -> Result<(), StoreError> {
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
