//! Inbound rate limits of the HTTP server: requests per minute per `[clients.*]` key
//! (its `rate_limit`) and, when `--rate-limit-per-ip` is set, per remote address for
//! callers without a limit of their own. Over the limit → 429 with `Retry-After`.
//! With `--redis-url` the counts live in Redis, so replicas share each caller's budget;
//! while Redis is unreachable (and without it) each process counts on its own.

pub(super) mod shared;

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::Response,
};
use governor::{
    DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock,
};

use self::shared::SharedInbound;
use super::{
    caller::{Caller, Via},
    reply::{code, json_error},
};
use crate::{
    config::ClientEntry,
    redis_link::{RedisLink, RedisState},
};

/// How many per-address checks between two sweeps of addresses that have gone quiet,
/// so that the table of addresses stays bounded by the recently active ones.
const SWEEP_EVERY: u64 = 1024;

/// Every inbound limiter of one server.
#[derive(Default)]
pub(super) struct InboundLimits {
    /// Each client's in-process limiter and its requests per minute.
    clients: HashMap<Arc<str>, (DefaultDirectRateLimiter, u32)>,
    per_ip: Option<(DefaultKeyedRateLimiter<IpAddr>, u32)>,
    checks: AtomicU64,
    /// The shared counts, when replicas share a Redis.
    shared: Option<(Arc<RedisLink>, SharedInbound)>,
}

impl InboundLimits {
    /// Limiters for the clients that have a `rate_limit`, and per address when
    /// `per_ip_per_minute` is set (0 or `None`: no per-address limit).
    pub(super) fn new(clients: &[ClientEntry], per_ip_per_minute: Option<u32>) -> Self {
        let clients = clients
            .iter()
            .filter_map(|client| {
                let per_minute = NonZeroU32::new(client.rate_limit?)?;
                Some((
                    Arc::from(client.name.as_str()),
                    (
                        RateLimiter::direct(Quota::per_minute(per_minute)),
                        per_minute.get(),
                    ),
                ))
            })
            .collect();
        let per_ip = per_ip_per_minute
            .and_then(NonZeroU32::new)
            .map(|n| (RateLimiter::keyed(Quota::per_minute(n)), n.get()));
        Self {
            clients,
            per_ip,
            checks: AtomicU64::new(0),
            shared: None,
        }
    }

    /// Counts in `redis` (shared by the replicas) while it answers.
    pub(super) fn with_redis(mut self, redis: Option<Arc<RedisLink>>) -> Self {
        self.shared = redis.map(|link| (link, SharedInbound::default()));
        self
    }

    /// `Some(wait)` when this request is over its limit: counted in Redis when it is up,
    /// else in this process.
    async fn over_limit(
        &self,
        caller: Option<&Caller>,
        remote: Option<IpAddr>,
    ) -> Option<Duration> {
        let client = caller
            .filter(|caller| caller.via == Via::ClientKey)
            .and_then(|caller| Some((&caller.name, self.clients.get(&caller.name)?)));
        let shared = if let Some((name, (_, per_minute))) = client {
            self.shared_check("client", name, *per_minute).await
        } else if let (Some((_, per_minute)), Some(ip)) = (&self.per_ip, remote) {
            self.shared_check("ip", &ip.to_string(), *per_minute).await
        } else {
            None
        };
        match shared {
            // Redis decides; a request it admits is counted here too, so that if Redis
            // goes away this process goes on from what it admitted itself.
            Some(None) => {
                let _ = self.local_over_limit(caller, remote);
                None
            }
            Some(wait) => wait,
            None => self.local_over_limit(caller, remote),
        }
    }

    /// The shared count's answer, or `None` without Redis or while it is down.
    async fn shared_check(
        &self,
        kind: &str,
        who: &str,
        per_minute: u32,
    ) -> Option<Option<Duration>> {
        let (link, script) = self.shared.as_ref()?;
        if link.state() == RedisState::Down {
            return None;
        }
        script.check(link, kind, who, per_minute).await.ok()
    }

    /// The in-process count.
    fn local_over_limit(
        &self,
        caller: Option<&Caller>,
        remote: Option<IpAddr>,
    ) -> Option<Duration> {
        // Each limiter's own clock: building a clock per request (`DefaultClock::default()`,
        // quanta's calibration) took a tenth of the CPU of every HTTP request.
        // Only a client key has a budget of its own: an OAuth subject that happens to share a
        // client's name does not spend (or get) that client's budget.
        let client = caller.filter(|caller| caller.via == Via::ClientKey);
        if let Some((limiter, _)) = client.and_then(|caller| self.clients.get(&caller.name)) {
            return limiter
                .check()
                .err()
                .map(|not| not.wait_time_from(limiter.clock().now()));
        }
        let ((limiter, _), ip) = (self.per_ip.as_ref()?, remote?);
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter
            .check_key(&ip)
            .err()
            .map(|not| not.wait_time_from(limiter.clock().now()))
    }
}

/// Middleware: 429 with `Retry-After` (whole seconds, at least 1) when over the limit.
pub(super) async fn enforce(
    State(limits): State<Arc<InboundLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let caller = request.extensions().get::<Caller>();
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let Some(wait) = limits.over_limit(caller, remote).await else {
        return next.run(request).await;
    };
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let who = caller.map_or_else(
        || "this address".to_owned(),
        |caller| format!("client \"{}\"", caller.name),
    );
    tracing::warn!(path = %request.uri().path(), "refused: {who} is over its rate limit");
    let mut response = json_error(
        StatusCode::TOO_MANY_REQUESTS,
        code::RATE_LIMITED,
        format!(
            "{who} is over its request rate limit: retry in {seconds} s. Nothing was sent to Kommo."
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Accounts;

    fn client(name: &str, rate_limit: Option<u32>) -> ClientEntry {
        ClientEntry {
            name: name.to_owned(),
            key_sha256: [0; 32],
            accounts: Accounts::Any,
            tools: None,
            read_only: false,
            rate_limit,
        }
    }

    #[test]
    fn each_client_has_its_own_budget() {
        let limits = InboundLimits::new(&[client("a", Some(2)), client("b", None)], None);
        let a = Caller::client(&client("a", Some(2)));
        let b = Caller::client(&client("b", None));
        assert!(limits.local_over_limit(Some(&a), None).is_none());
        assert!(limits.local_over_limit(Some(&a), None).is_none());
        let wait = limits
            .local_over_limit(Some(&a), None)
            .expect("third is over");
        assert!(
            wait > Duration::from_secs(20) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        for _ in 0..10 {
            assert!(limits.local_over_limit(Some(&b), None).is_none());
        }
    }

    #[test]
    fn addresses_are_counted_apart() {
        let limits = InboundLimits::new(&[], Some(1));
        let one: IpAddr = "127.0.0.1".parse().unwrap();
        let two: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(limits.local_over_limit(None, Some(one)).is_none());
        assert!(limits.local_over_limit(None, Some(one)).is_some());
        assert!(limits.local_over_limit(None, Some(two)).is_none());
    }
}
