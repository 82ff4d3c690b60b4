//! Which limiter a Kommo request goes through: the budget shared on Redis when one is
//! configured and reachable, else an in-process limiter — the normal one without Redis,
//! a conservative fallback rate while Redis is down. Never unlimited: a failed Redis
//! command sends the request through the fallback instead.

use std::{sync::Arc, time::Duration};

use tokio::time::Instant;
use tracing::Instrument;

use super::limiter::{
    self, Limiters, NotBeforeDeadline, Permit,
    shared::{SharedLimiter, Turn, account_key},
};
use crate::redis_link::{RedisLink, RedisState};

/// How often a caller asks Redis again while every slot is taken by a request in flight
/// (an answer can free a slot at any moment).
const POLL: Duration = Duration::from_millis(20);

/// The limit of each account, shared or not.
pub(super) struct Gate {
    local: Limiters,
    shared: Option<Arc<Shared>>,
}

/// The Redis side of the gate.
pub(super) struct Shared {
    link: Arc<RedisLink>,
    scripts: SharedLimiter,
    /// Used while Redis is down, at `--redis-fallback-rate`.
    fallback: Limiters,
}

/// The right to send one request. Dropping it (the answer arrived, or the attempt failed
/// or was cancelled) starts the slot's last window, here or in Redis.
#[allow(dead_code, reason = "held only for what dropping it does")]
pub(super) enum Slot {
    Local(Permit),
    Shared(SharedSlot),
}

/// A slot held in Redis; released by a background command when dropped.
pub(super) struct SharedSlot {
    shared: Arc<Shared>,
    account: String,
    member: String,
}

impl Drop for SharedSlot {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // No runtime left: the slot expires in Redis at its deadline plus a window.
            return;
        };
        let shared = Arc::clone(&self.shared);
        let account = std::mem::take(&mut self.account);
        let member = std::mem::take(&mut self.member);
        runtime.spawn(async move {
            let _ = shared
                .scripts
                .release(&shared.link, &account, limiter::WINDOW, &member)
                .await;
        });
    }
}

impl Gate {
    pub(super) fn new(per_second: u32, redis: Option<(Arc<RedisLink>, u32)>) -> Self {
        Self {
            local: Limiters::new(per_second),
            shared: redis.map(|(link, fallback_rate)| {
                Arc::new(Shared {
                    link,
                    scripts: SharedLimiter::default(),
                    fallback: Limiters::new(fallback_rate),
                })
            }),
        }
    }

    pub(super) fn per_second(&self) -> u32 {
        self.local.per_second()
    }

    pub(super) fn redis(&self) -> Option<&Arc<RedisLink>> {
        self.shared.as_ref().map(|shared| &shared.link)
    }

    /// Waits for this request's turn, or fails as soon as it is known that the turn would
    /// come after `deadline` (the wait is a span of its own when tracing is on).
    pub(super) async fn acquire(
        &self,
        api_root: &str,
        deadline: Instant,
    ) -> Result<Slot, NotBeforeDeadline> {
        let span = crate::observe::otel::rate_limit_wait_span(self.shared.is_some());
        if span.is_none() {
            return self.acquire_turn(api_root, deadline).await;
        }
        self.acquire_turn(api_root, deadline).instrument(span).await
    }

    async fn acquire_turn(
        &self,
        api_root: &str,
        deadline: Instant,
    ) -> Result<Slot, NotBeforeDeadline> {
        let Some(shared) = &self.shared else {
            return self.acquire_local(&self.local, api_root, deadline).await;
        };
        shared.link.start_probe();
        if shared.link.state() == RedisState::Up
            && let Some(slot) = self.acquire_shared(shared, api_root, deadline).await?
        {
            return Ok(slot);
        }
        // Redis is down. The slots other replicas took before it went may still be live
        // at Kommo: wait one window from the moment it was seen going down.
        if let Some(since) = shared.link.down_since() {
            let start = since + limiter::WINDOW;
            if start > deadline {
                return Err(NotBeforeDeadline::Queued);
            }
            tokio::time::sleep_until(start).await;
        }
        self.acquire_local(&shared.fallback, api_root, deadline)
            .await
    }

    async fn acquire_local(
        &self,
        limiters: &Limiters,
        api_root: &str,
        deadline: Instant,
    ) -> Result<Slot, NotBeforeDeadline> {
        let permit = limiters.for_account(api_root).acquire(deadline).await?;
        Ok(Slot::Local(permit))
    }

    /// `Ok(None)`: Redis failed, use the fallback.
    async fn acquire_shared(
        &self,
        shared: &Arc<Shared>,
        api_root: &str,
        deadline: Instant,
    ) -> Result<Option<Slot>, NotBeforeDeadline> {
        // Requests this replica sent through the fallback are not in Redis: their slots
        // must have freed before this one joins the shared budget.
        let fallback = shared.fallback.for_account(api_root);
        loop {
            match fallback.settled_at() {
                Some(at) if at <= Instant::now() => break,
                Some(at) if at > deadline => return Err(NotBeforeDeadline::Queued),
                Some(at) => tokio::time::sleep_until(at).await,
                None if Instant::now() + POLL > deadline => {
                    return Err(NotBeforeDeadline::Queued);
                }
                None => tokio::time::sleep(POLL).await,
            }
        }
        let account = account_key(api_root);
        let member = shared.link.slot_name();
        let limit = match self.local.per_second() {
            0 => u32::MAX,
            n => n,
        };
        loop {
            let now = Instant::now();
            let hold = deadline.saturating_duration_since(now) + limiter::WINDOW;
            let turn = match shared
                .scripts
                .acquire(&shared.link, &account, limit, hold, &member)
                .await
            {
                Ok(turn) => turn,
                Err(_) => return Ok(None),
            };
            match turn {
                Turn::Send => {
                    return Ok(Some(Slot::Shared(SharedSlot {
                        shared: Arc::clone(shared),
                        account,
                        member,
                    })));
                }
                Turn::Held(wait) => {
                    if now + wait > deadline {
                        return Err(NotBeforeDeadline::Held(wait));
                    }
                    tokio::time::sleep(wait).await;
                }
                Turn::Wait(wait) => {
                    // A wait within one window is an answered slot freeing: exact. A longer
                    // one is a slot in flight, which may free sooner: ask again soon.
                    if wait <= limiter::WINDOW && now + wait > deadline {
                        return Err(NotBeforeDeadline::Queued);
                    }
                    let pause = wait.min(POLL).min(limiter::WINDOW);
                    if now + pause > deadline {
                        return Err(NotBeforeDeadline::Queued);
                    }
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }

    /// Kommo answered 429 on this account: hold it here and, with Redis, on every replica.
    pub(super) async fn throttled(&self, api_root: &str, wait: Duration) {
        match &self.shared {
            None => self.local.for_account(api_root).throttled(wait),
            Some(shared) => {
                shared.fallback.for_account(api_root).throttled(wait);
                let _ = shared
                    .scripts
                    .throttled(
                        &shared.link,
                        &account_key(api_root),
                        wait,
                        limiter::THROTTLE_MEMORY,
                    )
                    .await;
            }
        }
    }

    /// Whether Kommo throttled this account recently (here or, with Redis, on any replica).
    pub(super) async fn recently_throttled(&self, api_root: &str) -> bool {
        match &self.shared {
            None => self.local.for_account(api_root).recently_throttled(),
            Some(shared) => {
                if shared.fallback.for_account(api_root).recently_throttled() {
                    return true;
                }
                shared
                    .scripts
                    .recently_throttled(&shared.link, &account_key(api_root))
                    .await
                    .unwrap_or(false)
            }
        }
    }
}
