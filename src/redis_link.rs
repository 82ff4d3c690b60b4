//! The link to the Redis that several replicas share: the connection, whether Redis is up
//! (a background probe), and a warning when it is not — at most once a minute. Each feature
//! keeps its Redis form beside its in-process one: the Kommo budget in
//! `kommo::limiter::shared`, the write dedupe in `tools::dedupe::shared`, streamable HTTP
//! sessions in `transport::sessions::shared` and inbound limits in
//! `transport::inbound_limit::shared`.

use std::{
    sync::{
        Arc, Mutex, OnceLock, Weak,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::time::Instant;

use crate::config::RedisUrl;

/// How often the background probe pings Redis (so `/healthz` and `/readyz` follow within
/// a few seconds, with or without traffic).
const PROBE_EVERY: Duration = Duration::from_secs(2);
/// A Redis command that takes longer than this counts as a failure.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
const CONNECT_TIMEOUT: Duration = Duration::from_millis(1_000);
/// "Redis is down" is logged at most this often.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// Whether Redis answered lately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedisState {
    Up,
    Down,
}

impl RedisState {
    pub fn as_str(self) -> &'static str {
        match self {
            RedisState::Up => "up",
            RedisState::Down => "down",
        }
    }
}

/// The shared Redis: one multiplexed connection (redis-rs's `ConnectionManager`, which
/// reconnects by itself), the key prefix, and the up/down state.
pub struct RedisLink {
    url: RedisUrl,
    prefix: String,
    /// A private CA (PEM) for `rediss://`; `None`: the web PKI roots.
    ca: Option<Vec<u8>>,
    manager: OnceLock<Result<ConnectionManager, String>>,
    up: AtomicBool,
    /// When Redis was last seen going down (for the fallback's first window).
    down_since: Mutex<Option<Instant>>,
    last_warning: Mutex<Option<Instant>>,
    /// Why Redis is down, for `/readyz` (no URL, no password).
    reason: Mutex<String>,
    probe_started: AtomicBool,
    /// A unique name of this process, part of every slot it holds.
    replica: String,
    sequence: AtomicU64,
}

impl RedisLink {
    /// Nothing connects until the first command; Redis being down is not an error here.
    pub fn new(url: RedisUrl, prefix: String) -> Arc<Self> {
        Self::with_ca(url, prefix, None)
    }

    /// As [`RedisLink::new`], checking a `rediss://` server's certificate against `ca`
    /// (PEM) instead of the web PKI roots.
    pub fn with_ca(url: RedisUrl, prefix: String, ca: Option<Vec<u8>>) -> Arc<Self> {
        Arc::new(Self {
            url,
            prefix,
            ca,
            manager: OnceLock::new(),
            // Optimistic until the first command says otherwise: a request tries Redis
            // first and falls back at once if it is not there.
            up: AtomicBool::new(true),
            down_since: Mutex::new(None),
            last_warning: Mutex::new(None),
            reason: Mutex::new(String::new()),
            probe_started: AtomicBool::new(false),
            replica: uuid::Uuid::new_v4().simple().to_string(),
            sequence: AtomicU64::new(0),
        })
    }

    /// Scheme, host, port and database of the Redis (never the password).
    pub fn redacted_url(&self) -> &str {
        self.url.redacted()
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A name unique to this request slot across every replica.
    pub fn slot_name(&self) -> String {
        let n = self.sequence.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.replica)
    }

    /// The connection, created (without connecting) on first use.
    pub fn connection(&self) -> Result<ConnectionManager, RedisFailure> {
        self.manager
            .get_or_init(|| {
                let client = match &self.ca {
                    Some(pem) if self.url.is_tls() => redis::Client::build_with_tls(
                        self.url.expose(),
                        redis::TlsCertificates {
                            client_tls: None,
                            root_cert: Some(pem.clone()),
                        },
                    ),
                    _ => redis::Client::open(self.url.expose()),
                }
                .map_err(|err| format!("invalid Redis URL or CA file ({:?})", err.kind()))?;
                let config = ConnectionManagerConfig::new()
                    .set_response_timeout(Some(RESPONSE_TIMEOUT))
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_number_of_retries(1)
                    .set_min_delay(Duration::from_millis(100))
                    .set_max_delay(Duration::from_secs(1));
                ConnectionManager::new_lazy_with_config(client, config)
                    .map_err(|err| describe(&err))
            })
            .clone()
            .map_err(RedisFailure)
    }

    pub fn state(&self) -> RedisState {
        if self.up.load(Ordering::Acquire) {
            RedisState::Up
        } else {
            RedisState::Down
        }
    }

    /// Why Redis counts as down (empty when it is up).
    pub fn reason(&self) -> String {
        lock(&self.reason).clone()
    }

    /// When Redis went down, if it is down now.
    pub fn down_since(&self) -> Option<Instant> {
        *lock(&self.down_since)
    }

    /// A command failed: Redis counts as down until the probe reaches it again.
    pub fn failed(&self, failure: &RedisFailure) {
        *lock(&self.reason) = failure.0.clone();
        if self.up.swap(false, Ordering::AcqRel) {
            *lock(&self.down_since) = Some(Instant::now());
        }
        let mut last = lock(&self.last_warning);
        if last.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
            *last = Some(Instant::now());
            tracing::warn!(
                redis = self.redacted_url(),
                reason = %failure.0,
                "Redis is unreachable: each replica limits Kommo requests on its own at the fallback rate until it is back"
            );
        }
    }

    /// A command succeeded.
    fn reached(&self) {
        if !self.up.swap(true, Ordering::AcqRel) {
            *lock(&self.down_since) = None;
            lock(&self.reason).clear();
            tracing::info!(
                redis = self.redacted_url(),
                "Redis is reachable again: shared limiting resumes"
            );
        }
    }

    /// Sends one `PING`; updates the state either way.
    pub async fn ping(&self) -> RedisState {
        let result = async {
            let mut connection = self.connection()?;
            redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
                .map_err(|err| RedisFailure(describe(&err)))
        }
        .await;
        match result {
            Ok(_) => self.reached(),
            Err(failure) => self.failed(&failure),
        }
        self.state()
    }

    /// Starts the background probe once (it stops when the link is dropped).
    pub fn start_probe(self: &Arc<Self>) {
        if self.probe_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let Some(link) = weak.upgrade() else { return };
                let _ = tokio::time::timeout(RESPONSE_TIMEOUT * 2, link.ping()).await;
                drop(link);
                tokio::time::sleep(PROBE_EVERY).await;
            }
        });
    }

    /// Runs one command, recording success or failure.
    pub async fn run<T, F, Fut>(&self, command: F) -> Result<T, RedisFailure>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let connection = self
            .connection()
            .inspect_err(|failure| self.failed(failure))?;
        match command(connection).await {
            Ok(value) => {
                self.reached();
                Ok(value)
            }
            Err(err) => {
                let failure = RedisFailure(describe(&err));
                self.failed(&failure);
                Err(failure)
            }
        }
    }
}

/// A Redis command that did not succeed, described without the URL.
#[derive(Clone, Debug, thiserror::Error)]
#[error("Redis: {0}")]
pub struct RedisFailure(pub String);

/// The error's kind and, for I/O, its cause — never the URL or credentials.
fn describe(err: &redis::RedisError) -> String {
    if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connection_refusal() {
        "connection refused".to_owned()
    } else if err.is_connection_dropped() {
        "connection lost".to_owned()
    } else if err.is_io_error() {
        "I/O error".to_owned()
    } else {
        format!("{:?}", err.kind())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl std::fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLink")
            .field("url", &self.url)
            .field("prefix", &self.prefix)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}
