//! The per-account Kommo budget, 429 pause and block memory kept in Redis, so that every
//! replica sharing that Redis stays under Kommo's limit together.
//!
//! # The algorithm
//!
//! Each account has a sorted set of *slot holders* (`<prefix>slots:<account>`), each scored
//! by the Redis time (ms) at which its slot frees:
//!
//! * **acquire** (one `EVALSHA`, atomic): read the clock with `TIME`; if the account's
//!   pause key is set, answer "held for its PTTL"; drop members whose score has passed;
//!   if fewer than N remain, add this request scored `now + its remaining deadline + window`
//!   (it may be in flight that long) and answer "send"; otherwise answer "wait" with the
//!   time until the earliest score.
//! * **release**, once the answer arrived (or the attempt failed): re-score the member
//!   to `now + window`.
//!
//! Why it holds: every request sent to Kommo is a member from before it was sent (acquire
//! ran at Redis before the replica sent it) until at least one window after its answer
//! (release runs at Redis after the replica saw the answer; if release is lost, the
//! member stays until its deadline plus a window, later still). Scripts run atomically on
//! one clock — Redis's `TIME`, so the replicas' clocks do not matter — and admit only when
//! fewer than N members are live. So at any moment at most N requests are in flight or
//! were answered within the last window, across all replicas: the in-process limiter's
//! guarantee ([`crate::kommo`]'s `limiter`), which never lets N+1 requests reach Kommo
//! within one window (1.05 s: one second plus a margin), jitter included.
//!
//! Keys hold no token and no text: the account part is a hash of the API root. Every key
//! has an expiry (`PX`), so an abandoned account leaves nothing behind.

use std::time::Duration;

use redis::Script;

use crate::redis_link::{RedisFailure, RedisLink};

/// acquire: KEYS = slots, pause; ARGV = limit, hold ms, member.
/// Returns {1, 0} send; {0, ms} wait ms; {2, ms} held ms by a pause.
const ACQUIRE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = redis.call('PTTL', KEYS[2])
if held > 0 then return {2, held} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit = tonumber(ARGV[1])
local hold = tonumber(ARGV[2])
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + hold, ARGV[3])
  if redis.call('PTTL', KEYS[1]) < hold then redis.call('PEXPIRE', KEYS[1], hold) end
  return {1, 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(first[2]) - now)}
";

/// release: KEYS = slots; ARGV = window ms, member.
const RELEASE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], 'XX', now + window, ARGV[2])
  if redis.call('PTTL', KEYS[1]) < window then redis.call('PEXPIRE', KEYS[1], window) end
end
return 1
";

/// throttled: KEYS = pause, memory; ARGV = pause ms, memory ms. Only lengthens a pause.
const THROTTLED: &str = r"
local wait = tonumber(ARGV[1])
if wait > 0 and redis.call('PTTL', KEYS[1]) < wait then
  redis.call('SET', KEYS[1], '1', 'PX', wait)
end
redis.call('SET', KEYS[2], '1', 'PX', tonumber(ARGV[2]))
return 1
";

/// What Redis said about one request's turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    Send,
    /// No slot free; the earliest frees in this long (or an answer frees one sooner).
    Wait(Duration),
    /// Kommo asked (a 429 on any replica) that nobody sends for this long.
    Held(Duration),
}

/// The scripts of the shared limiter, loaded once per process.
pub struct SharedLimiter {
    acquire: Script,
    release: Script,
    throttled: Script,
}

impl Default for SharedLimiter {
    fn default() -> Self {
        Self {
            acquire: Script::new(ACQUIRE),
            release: Script::new(RELEASE),
            throttled: Script::new(THROTTLED),
        }
    }
}

/// The key part naming an account: a hash of its API root (no subdomain in clear text
/// is needed, and no token ever).
pub(crate) fn account_key(api_root: &str) -> String {
    let digest = sha1_smol::Sha1::from(api_root.as_bytes()).digest().bytes();
    digest[..10].iter().map(|b| format!("{b:02x}")).collect()
}

impl SharedLimiter {
    fn key(link: &RedisLink, kind: &str, account: &str) -> String {
        format!("{}{kind}:{account}", link.prefix())
    }

    /// One round trip: takes a slot named `member` for at most `hold`, or says why not.
    pub async fn acquire(
        &self,
        link: &RedisLink,
        account: &str,
        limit: u32,
        hold: Duration,
        member: &str,
    ) -> Result<Turn, RedisFailure> {
        let slots = Self::key(link, "slots", account);
        let pause = Self::key(link, "pause", account);
        let hold_ms = u64::try_from(hold.as_millis()).unwrap_or(u64::MAX).max(1);
        let (code, ms): (i64, i64) = link
            .run(|mut connection| async move {
                self.acquire
                    .key(slots)
                    .key(pause)
                    .arg(limit)
                    .arg(hold_ms)
                    .arg(member)
                    .invoke_async(&mut connection)
                    .await
            })
            .await?;
        let ms = Duration::from_millis(u64::try_from(ms).unwrap_or(0));
        Ok(match code {
            1 => Turn::Send,
            2 => Turn::Held(ms),
            _ => Turn::Wait(ms),
        })
    }

    /// The answer arrived: the slot frees one `window` from now (Redis time).
    pub async fn release(
        &self,
        link: &RedisLink,
        account: &str,
        window: Duration,
        member: &str,
    ) -> Result<(), RedisFailure> {
        let slots = Self::key(link, "slots", account);
        let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
        link.run(|mut connection| async move {
            self.release
                .key(slots)
                .arg(window_ms)
                .arg(member)
                .invoke_async::<i64>(&mut connection)
                .await
        })
        .await
        .map(drop)
    }

    /// Kommo answered 429: every replica holds the account for `wait`, and remembers
    /// for `memory` that a 403 now means "blocked".
    pub async fn throttled(
        &self,
        link: &RedisLink,
        account: &str,
        wait: Duration,
        memory: Duration,
    ) -> Result<(), RedisFailure> {
        let pause = Self::key(link, "pause", account);
        let throttled = Self::key(link, "throttled", account);
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        let memory_ms = u64::try_from(memory.as_millis()).unwrap_or(u64::MAX).max(1);
        link.run(|mut connection| async move {
            self.throttled
                .key(pause)
                .key(throttled)
                .arg(wait_ms)
                .arg(memory_ms)
                .invoke_async::<i64>(&mut connection)
                .await
        })
        .await
        .map(drop)
    }

    /// Whether any replica saw a 429 on this account recently.
    pub async fn recently_throttled(
        &self,
        link: &RedisLink,
        account: &str,
    ) -> Result<bool, RedisFailure> {
        let key = Self::key(link, "throttled", account);
        link.run(|mut connection| async move {
            redis::cmd("EXISTS")
                .arg(key)
                .query_async::<i64>(&mut connection)
                .await
        })
        .await
        .map(|n| n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_key_is_a_stable_hash_without_the_root() {
        let key = account_key("https://acme.kommo.com");
        assert_eq!(key.len(), 20);
        assert!(!key.contains("acme"));
        assert_eq!(key, account_key("https://acme.kommo.com"));
        assert_ne!(key, account_key("https://other.kommo.com"));
    }
}
