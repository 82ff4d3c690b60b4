//! One rate limiter per Kommo account, shared by every session, transport and call in the
//! process, so kommo-mcp stays under Kommo's 7 requests per second and never gets blocked.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::time::Instant;

/// The rolling window. A little over a second, so that requests spaced exactly one window
/// apart here can not arrive closer than a second apart at Kommo after network jitter.
const WINDOW: Duration = Duration::from_millis(1_050);

/// After a 429 or a block, a later 403 on the same account within this span is read as
/// "blocked for too many requests".
const THROTTLE_MEMORY: Duration = Duration::from_secs(600);

/// When the map of accounts grows past this, accounts idle for a minute are forgotten.
const MAX_IDLE_ACCOUNTS: usize = 4_096;

#[derive(Debug, thiserror::Error)]
#[error("the request would have to wait for the rate limit beyond its deadline")]
pub struct PastDeadline;

/// A rolling-window limiter: at most `per_second` requests in any window.
pub struct RateLimiter {
    per_second: usize,
    window: tokio::sync::Mutex<VecDeque<Instant>>,
    marks: Mutex<Marks>,
}

#[derive(Default)]
struct Marks {
    /// Nobody sends before this instant (Kommo asked us to wait).
    hold_until: Option<Instant>,
    last_throttled: Option<Instant>,
    last_used: Option<Instant>,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> Self {
        Self {
            per_second: per_second.max(1) as usize,
            window: tokio::sync::Mutex::new(VecDeque::with_capacity(per_second as usize + 1)),
            marks: Mutex::new(Marks::default()),
        }
    }

    fn marks(&self) -> std::sync::MutexGuard<'_, Marks> {
        self.marks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for this request's turn (callers queue in arrival order), or fails at once
    /// when the turn would come after `deadline`.
    pub async fn acquire(&self, deadline: Instant) -> Result<(), PastDeadline> {
        let mut sent = self.window.lock().await;
        loop {
            let now = Instant::now();
            let hold = self.marks().hold_until;
            if let Some(until) = hold.filter(|until| *until > now) {
                if until > deadline {
                    return Err(PastDeadline);
                }
                tokio::time::sleep_until(until).await;
                continue;
            }
            while sent
                .front()
                .is_some_and(|first| now.duration_since(*first) >= WINDOW)
            {
                sent.pop_front();
            }
            if sent.len() < self.per_second {
                sent.push_back(now);
                self.marks().last_used = Some(now);
                return Ok(());
            }
            let ready = sent.front().map_or(now, |first| *first + WINDOW);
            if ready > deadline {
                return Err(PastDeadline);
            }
            tokio::time::sleep_until(ready).await;
        }
    }

    /// Kommo answered 429: nobody on this account sends until `wait` has passed.
    pub fn throttled(&self, wait: Duration) {
        let now = Instant::now();
        let mut marks = self.marks();
        let until = now + wait;
        marks.hold_until = Some(marks.hold_until.map_or(until, |held| held.max(until)));
        marks.last_throttled = Some(now);
    }

    /// Whether Kommo throttled this account recently (a 403 now means "blocked").
    pub fn recently_throttled(&self) -> bool {
        self.marks()
            .last_throttled
            .is_some_and(|at| at.elapsed() < THROTTLE_MEMORY)
    }

    fn idle_for(&self, span: Duration) -> bool {
        self.marks().last_used.is_none_or(|at| at.elapsed() > span)
    }
}

/// The limiters of every account this process talks to.
pub struct Limiters {
    per_second: u32,
    by_account: Mutex<HashMap<String, Arc<RateLimiter>>>,
}

impl Limiters {
    /// `per_second == 0` turns rate limiting off.
    pub fn new(per_second: u32) -> Self {
        Self {
            per_second,
            by_account: Mutex::new(HashMap::new()),
        }
    }

    pub fn is_off(&self) -> bool {
        self.per_second == 0
    }

    /// The limiter of one account (keyed by its API root), created on first use.
    pub fn for_account(&self, key: &str) -> Arc<RateLimiter> {
        let mut map = self
            .by_account
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(limiter) = map.get(key) {
            return Arc::clone(limiter);
        }
        if map.len() >= MAX_IDLE_ACCOUNTS {
            map.retain(|_, limiter| {
                Arc::strong_count(limiter) > 1 || !limiter.idle_for(Duration::from_secs(60))
            });
        }
        let limiter = Arc::new(RateLimiter::new(self.per_second));
        map.insert(key.to_owned(), Arc::clone(&limiter));
        limiter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_limit_in_a_window() {
        let limiter = Arc::new(RateLimiter::new(7));
        let deadline = Instant::now() + Duration::from_secs(60);
        let start = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..20 {
            let limiter = Arc::clone(&limiter);
            handles.push(tokio::spawn(async move {
                limiter.acquire(deadline).await.unwrap();
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for handle in handles {
            times.push(handle.await.unwrap().duration_since(start));
        }
        times.sort();
        for (i, t) in times.iter().enumerate().skip(7) {
            assert!(
                *t - times[i - 7] >= WINDOW,
                "request {i} too early: {times:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn refuses_to_wait_past_the_deadline_and_honours_throttling() {
        let limiter = RateLimiter::new(1);
        let soon = Instant::now() + Duration::from_millis(100);
        limiter.acquire(soon).await.unwrap();
        assert!(limiter.acquire(soon).await.is_err());
        limiter.throttled(Duration::from_secs(5));
        assert!(limiter.recently_throttled());
        assert!(
            limiter
                .acquire(Instant::now() + Duration::from_secs(2))
                .await
                .is_err()
        );
    }
}
