//! The one task that ends idle sessions (streamable HTTP) and idle streams (legacy SSE):
//! a sweep every quarter of the idle timeout, at least once a minute, until shutdown.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// How often to sweep: often enough that an expired session's memory is back within a
/// quarter of the idle timeout, at most ten times a second and at least once a minute.
pub(super) fn period(idle: Duration) -> Duration {
    (idle / 4).clamp(Duration::from_millis(100), Duration::from_secs(60))
}

/// Runs `expire_idle` (which returns how many it ended) every [`period`] of `idle` until
/// `shutdown`, logging at debug level how many `what` (e.g. "idle SSE stream(s) closed")
/// each sweep ended.
pub(super) async fn sweep_until(
    idle: Duration,
    shutdown: CancellationToken,
    expire_idle: impl Fn() -> usize,
    what: &str,
) {
    let mut ticks = tokio::time::interval(period(idle));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = shutdown.cancelled() => return,
        }
        let expired = expire_idle();
        if expired > 0 {
            tracing::debug!("{expired} {what}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_period_follows_the_idle_timeout_within_bounds() {
        assert_eq!(period(Duration::from_secs(2)), Duration::from_millis(500));
        assert_eq!(period(Duration::from_secs(3600)), Duration::from_secs(60));
        assert_eq!(
            period(Duration::from_millis(10)),
            Duration::from_millis(100)
        );
    }
}
