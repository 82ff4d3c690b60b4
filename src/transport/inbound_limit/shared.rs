//! The inbound rate limits (per `[clients.*]` key, per remote address) kept in Redis, so
//! that replicas sharing one Redis share each caller's per-minute budget.
//!
//! One `EVALSHA` per request runs GCRA — the algorithm `governor` runs in process, with the
//! same quota (a burst of N, then one more every 60/N s) — on Redis's own clock: the key
//! holds the *theoretical arrival time* of the caller's next request; a request is admitted
//! when that time is at most `(N - 1)` intervals ahead of now, and moves it one interval on.
//! Keys hold a hash of the caller, never a key or an address in clear, and expire.

use std::time::Duration;

use redis::Script;

use crate::{
    kommo::limiter::shared::account_key,
    redis_link::{RedisFailure, RedisLink},
};

/// KEYS = tat; ARGV = interval ms, limit. Returns 0 admitted, else ms until admitted.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = interval * (tonumber(ARGV[2]) - 1)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - tolerance > now then return tat - tolerance - now end
tat = tat + interval
redis.call('SET', KEYS[1], tat, 'PX', tat - now + 1000)
return 0
";

/// The script, loaded once per process.
pub(crate) struct SharedInbound {
    gcra: Script,
}

impl Default for SharedInbound {
    fn default() -> Self {
        Self {
            gcra: Script::new(GCRA),
        }
    }
}

impl SharedInbound {
    /// Takes one request of `per_minute` from `caller`'s budget (`kind` is "client" or
    /// "ip"); `Some(wait)` when over it.
    pub(crate) async fn check(
        &self,
        link: &RedisLink,
        kind: &str,
        caller: &str,
        per_minute: u32,
    ) -> Result<Option<Duration>, RedisFailure> {
        let key = format!("{}inbound:{kind}:{}", link.prefix(), account_key(caller));
        let interval_ms = (60_000 / u64::from(per_minute.max(1))).max(1);
        let wait: i64 = link
            .run(|mut connection| async move {
                self.gcra
                    .key(key)
                    .arg(interval_ms)
                    .arg(per_minute.max(1))
                    .invoke_async(&mut connection)
                    .await
            })
            .await?;
        Ok((wait > 0).then(|| Duration::from_millis(u64::try_from(wait).unwrap_or(0))))
    }
}
