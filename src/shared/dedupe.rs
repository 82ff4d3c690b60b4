//! The seam for a shared write-dedupe memory (notes and tasks, issue 13): "has any replica
//! sent this write within the window?" as one `SET NX PX` on a hash of the write. The key
//! holds a digest the caller computes (never the text itself) and expires with the window.

use std::time::Duration;

use super::{RedisFailure, RedisLink};

/// Claims `digest` for `window`: `true` if nobody (on any replica) claimed it within the
/// window — the write may go ahead — `false` if it is a repeat.
pub async fn claim(link: &RedisLink, digest: &str, window: Duration) -> Result<bool, RedisFailure> {
    let key = format!("{}dedupe:{digest}", link.prefix());
    let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
    link.run(|mut connection| async move {
        redis::cmd("SET")
            .arg(key)
            .arg("1")
            .arg("NX")
            .arg("PX")
            .arg(window_ms)
            .query_async::<Option<String>>(&mut connection)
            .await
    })
    .await
    .map(|set| set.is_some())
}

/// Forgets a claim (the write failed before Kommo could have received it).
pub async fn release(link: &RedisLink, digest: &str) -> Result<(), RedisFailure> {
    let key = format!("{}dedupe:{digest}", link.prefix());
    link.run(|mut connection| async move {
        redis::cmd("DEL")
            .arg(key)
            .query_async::<i64>(&mut connection)
            .await
    })
    .await
    .map(drop)
}
