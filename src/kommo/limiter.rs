//! One rate limiter per Kommo account, shared by every session, transport and call in the
//! process, so kommo-mcp stays under Kommo's 7 requests per second and never gets blocked.

pub(crate) mod shared;

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{sync::Notify, time::Instant};

/// The rolling window. A request's slot is taken when it is sent and given back one window
/// after its answer arrived (or it failed). Kommo received it before it answered, so the
/// eighth request can never reach Kommo within a second of the first, however long either
/// spent on the network. The extra 50 ms is a margin for clocks measuring differently.
pub(crate) const WINDOW: Duration = Duration::from_millis(1_050);

/// After a 429 or a block, a later 403 on the same account within this span is read as
/// "blocked for too many requests".
pub(crate) const THROTTLE_MEMORY: Duration = Duration::from_secs(600);

/// When the map of accounts grows past this, accounts idle for a minute are forgotten.
const MAX_IDLE_ACCOUNTS: usize = 4_096;

/// Why a request may not be sent before its deadline.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NotBeforeDeadline {
    /// Kommo asked (with a 429) that nobody sends for this long still.
    #[error("Kommo asked to wait {0:?} more")]
    Held(Duration),
    /// So many requests are queued for this account that this one's turn comes too late.
    #[error("the account's request queue is too long")]
    Queued,
}

/// A rolling-window limiter: at most `per_second` requests sent or answered in any window
/// (`None`: no window), plus the pause Kommo asks for with a 429, which holds every caller.
pub(crate) struct RateLimiter {
    per_second: Option<usize>,
    /// Callers wait here in arrival order; the one holding it is next to send.
    queue: tokio::sync::Mutex<()>,
    slots: Mutex<Slots>,
    /// Woken whenever a request is answered (a slot starts its last window).
    answered: Notify,
}

#[derive(Default)]
struct Slots {
    /// Requests sent and not answered yet.
    in_flight: usize,
    /// When recent requests were answered, oldest first.
    answered_at: VecDeque<Instant>,
    /// Nobody sends before this instant (Kommo asked us to wait).
    hold_until: Option<Instant>,
    last_throttled: Option<Instant>,
    last_used: Option<Instant>,
}

/// The right to send one request; dropping it (when the answer arrived, or the attempt
/// failed or was cancelled) starts the slot's last window.
pub(crate) struct Permit {
    limiter: Arc<RateLimiter>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let now = Instant::now();
        let mut slots = self.limiter.slots();
        slots.in_flight = slots.in_flight.saturating_sub(1);
        slots.answered_at.push_back(now);
        slots.last_used = Some(now);
        drop(slots);
        self.limiter.answered.notify_waiters();
    }
}

/// What the caller at the head of the queue does next.
enum Turn {
    Send,
    WaitUntil(Instant),
    WaitForAnAnswer,
}

impl RateLimiter {
    /// `per_second == 0`: no window, only Kommo's 429 pauses are honoured.
    pub(crate) fn new(per_second: u32) -> Self {
        Self {
            per_second: (per_second > 0).then_some(per_second as usize),
            queue: tokio::sync::Mutex::new(()),
            slots: Mutex::new(Slots::default()),
            answered: Notify::new(),
        }
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for this request's turn (callers queue in arrival order), or fails as soon as
    /// it is known that the turn would come after `deadline` — waiting in the queue
    /// included, so no caller waits past its deadline.
    pub(crate) async fn acquire(
        self: &Arc<Self>,
        deadline: Instant,
    ) -> Result<Permit, NotBeforeDeadline> {
        let Ok(_head) = tokio::time::timeout_at(deadline, self.queue.lock()).await else {
            return Err(self
                .held_past(deadline)
                .unwrap_or(NotBeforeDeadline::Queued));
        };
        loop {
            let answered = self.answered.notified();
            tokio::pin!(answered);
            answered.as_mut().enable();
            match self.turn(deadline)? {
                Turn::Send => {
                    return Ok(Permit {
                        limiter: Arc::clone(self),
                    });
                }
                Turn::WaitUntil(at) => tokio::time::sleep_until(at).await,
                Turn::WaitForAnAnswer => {
                    tokio::select! {
                        () = &mut answered => {}
                        () = tokio::time::sleep_until(deadline) => return Err(NotBeforeDeadline::Queued),
                    }
                }
            }
        }
    }

    fn turn(&self, deadline: Instant) -> Result<Turn, NotBeforeDeadline> {
        let now = Instant::now();
        let mut slots = self.slots();
        if let Some(until) = slots.hold_until.filter(|until| *until > now) {
            return if until > deadline {
                Err(NotBeforeDeadline::Held(until - now))
            } else {
                Ok(Turn::WaitUntil(until))
            };
        }
        if let Some(per_second) = self.per_second {
            while slots
                .answered_at
                .front()
                .is_some_and(|at| now.duration_since(*at) >= WINDOW)
            {
                slots.answered_at.pop_front();
            }
            if slots.in_flight + slots.answered_at.len() >= per_second {
                // The earliest a slot frees: one window after the oldest answer, or, with
                // every slot in flight, one window after the first of them is answered.
                let earliest = slots.answered_at.front().map_or(now, |at| *at) + WINDOW;
                if earliest > deadline {
                    return Err(NotBeforeDeadline::Queued);
                }
                return Ok(match slots.answered_at.front() {
                    Some(at) => Turn::WaitUntil(*at + WINDOW),
                    None => Turn::WaitForAnAnswer,
                });
            }
        }
        slots.in_flight += 1;
        slots.last_used = Some(now);
        Ok(Turn::Send)
    }

    /// A pause Kommo asked for that lasts beyond `deadline`, if any.
    fn held_past(&self, deadline: Instant) -> Option<NotBeforeDeadline> {
        let until = self.slots().hold_until?;
        (until > deadline).then(|| NotBeforeDeadline::Held(until - Instant::now()))
    }

    /// Kommo answered 429: nobody on this account sends until `wait` has passed.
    pub(crate) fn throttled(&self, wait: Duration) {
        let now = Instant::now();
        let mut slots = self.slots();
        let until = now + wait;
        slots.hold_until = Some(slots.hold_until.map_or(until, |held| held.max(until)));
        slots.last_throttled = Some(now);
    }

    /// Whether Kommo throttled this account recently (a 403 now means "blocked").
    pub(crate) fn recently_throttled(&self) -> bool {
        self.slots()
            .last_throttled
            .is_some_and(|at| at.elapsed() < THROTTLE_MEMORY)
    }

    /// When every slot this limiter gave out is free again: one window after the last
    /// answer (`Some(now or earlier)` if it was never used); `None` while a request is in
    /// flight.
    pub(crate) fn settled_at(&self) -> Option<Instant> {
        let slots = self.slots();
        if slots.in_flight > 0 {
            return None;
        }
        Some(slots.last_used.map_or_else(Instant::now, |at| at + WINDOW))
    }

    fn idle_for(&self, span: Duration) -> bool {
        let slots = self.slots();
        slots.in_flight == 0 && slots.last_used.is_none_or(|at| at.elapsed() > span)
    }
}

/// The limiters of every account this process talks to.
pub(crate) struct Limiters {
    per_second: u32,
    by_account: Mutex<HashMap<String, Arc<RateLimiter>>>,
}

impl Limiters {
    /// `per_second == 0` turns the proactive limit off (429 pauses still hold the account).
    pub(crate) fn new(per_second: u32) -> Self {
        Self {
            per_second,
            by_account: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn per_second(&self) -> u32 {
        self.per_second
    }

    /// The limiter of one account (keyed by its API root), created on first use.
    pub(crate) fn for_account(&self, key: &str) -> Arc<RateLimiter> {
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

    /// Sends through the limiter, "answered" `latency` after being sent; returns when each
    /// request was sent and answered.
    async fn run(
        limiter: Arc<RateLimiter>,
        count: usize,
        latency: impl Fn(usize) -> Duration,
    ) -> Vec<(Instant, Instant)> {
        let deadline = Instant::now() + Duration::from_secs(600);
        let mut handles = Vec::new();
        for i in 0..count {
            let limiter = Arc::clone(&limiter);
            let latency = latency(i);
            handles.push(tokio::spawn(async move {
                let permit = limiter.acquire(deadline).await.unwrap();
                let sent = Instant::now();
                tokio::time::sleep(latency).await;
                drop(permit);
                (sent, Instant::now())
            }));
        }
        let mut times = Vec::new();
        for handle in handles {
            times.push(handle.await.unwrap());
        }
        times.sort();
        times
    }

    /// The rule Kommo cares about: when a request is sent, fewer than `limit` others are
    /// in flight or were answered within the last window.
    fn assert_within_limit(times: &[(Instant, Instant)], limit: usize) {
        for (j, (sent, _)) in times.iter().enumerate() {
            let busy = times
                .iter()
                .enumerate()
                .filter(|(i, (other_sent, other_answered))| {
                    *i != j
                        && (other_sent < sent || (other_sent == sent && *i < j))
                        && *other_answered + WINDOW > *sent
                })
                .count();
            assert!(
                busy < limit,
                "request {j} sent with {busy} busy slots: {times:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_limit_in_a_window() {
        let limiter = Arc::new(RateLimiter::new(7));
        let times = run(limiter, 30, |_| Duration::from_millis(5)).await;
        assert_within_limit(&times, 7);
        for i in 7..times.len() {
            assert!(
                times[i].0 - times[i - 7].0 >= WINDOW,
                "request {i}: {times:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_answer_keeps_its_slot_until_a_window_after_it() {
        // Some requests take 3 s (each may reach Kommo at any moment in between): their
        // slots stay taken until a window after their answers.
        let limiter = Arc::new(RateLimiter::new(7));
        let times = run(limiter, 20, |i| {
            Duration::from_millis(if i % 3 == 0 { 3_000 } else { 1 })
        })
        .await;
        assert_within_limit(&times, 7);
        let last_sent = times.iter().map(|t| t.0).max().unwrap();
        let first_slow_answer = times
            .iter()
            .map(|t| t.1)
            .filter(|a| *a - times[0].0 >= Duration::from_secs(3))
            .min()
            .unwrap();
        assert!(
            last_sent >= first_slow_answer,
            "slow slots held the queue: {times:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn refuses_to_wait_past_the_deadline_and_honours_throttling() {
        let limiter = Arc::new(RateLimiter::new(1));
        let soon = Instant::now() + Duration::from_millis(100);
        drop(limiter.acquire(soon).await.unwrap());
        assert_eq!(
            limiter.acquire(soon).await.err(),
            Some(NotBeforeDeadline::Queued)
        );
        limiter.throttled(Duration::from_secs(5));
        assert!(limiter.recently_throttled());
        assert_eq!(
            limiter
                .acquire(Instant::now() + Duration::from_secs(2))
                .await
                .err(),
            Some(NotBeforeDeadline::Held(Duration::from_secs(5)))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_queued_caller_never_waits_past_its_deadline() {
        let limiter = Arc::new(RateLimiter::new(1));
        let far = Instant::now() + Duration::from_secs(60);
        let first = limiter.acquire(far).await.unwrap();
        // This one holds the head of the queue, waiting for the first to be answered...
        let head = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move { limiter.acquire(far).await.map(drop) })
        };
        tokio::task::yield_now().await;
        // ...so this one gives up at its own deadline instead of waiting behind it.
        let soon = Instant::now() + Duration::from_millis(300);
        assert_eq!(
            limiter.acquire(soon).await.err(),
            Some(NotBeforeDeadline::Queued)
        );
        assert_eq!(Instant::now(), soon);
        let answered = Instant::now();
        drop(first);
        head.await.unwrap().unwrap();
        assert_eq!(Instant::now(), answered + WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_window_only_kommos_pause_holds() {
        let limiter = Arc::new(RateLimiter::new(0));
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut permits = Vec::new();
        for _ in 0..100 {
            permits.push(limiter.acquire(deadline).await.unwrap());
        }
        let start = Instant::now();
        assert_eq!(Instant::now(), start);
        limiter.throttled(Duration::from_secs(2));
        drop(limiter.acquire(deadline).await.unwrap());
        assert_eq!(Instant::now() - start, Duration::from_secs(2));
    }
}
