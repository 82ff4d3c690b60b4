//! The write-dedupe memory (notes and tasks) shared by every replica on one Redis: "has any
//! replica confirmed, or is it sending, this write?" as one atomic script on a key named
//! by a hash of the write. The key holds either a pending marker (`p:` and the claiming
//! slot's name) or the id Kommo gave; never the text. A pending key expires after the
//! longest a write may take, a confirmed one with the dedupe window.

use std::time::Duration;

use redis::Script;

use crate::redis_link::{RedisFailure, RedisLink};

/// claim: KEYS = key; ARGV = pending marker, pending ms.
/// Returns {1, 0} claimed; {2, id} confirmed earlier with id; {0, ms} pending for ms more.
const CLAIM: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
  return {1, 0}
end
if string.sub(v, 1, 2) == 'p:' then
  return {0, redis.call('PTTL', KEYS[1])}
end
return {2, tonumber(v)}
";

/// confirm: KEYS = key; ARGV = pending marker, id, window ms. Records the id unless
/// another slot has claimed the key since (ours expired).
const CONFIRM: &str = r"
local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', tonumber(ARGV[3]))
  return 1
end
return 0
";

/// forget: KEYS = key; ARGV = pending marker. Deletes the key only if it is still ours.
const FORGET: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// What Redis said about a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedTurn {
    /// Nobody sent it within the window: this slot may, and holds the key.
    Claimed,
    /// It was confirmed within the window, with this id.
    Confirmed(i64),
    /// Another slot (on this or another replica) is sending it; its claim lapses in this long.
    Pending(Duration),
}

/// The scripts of the shared dedupe memory, loaded once per process.
pub struct SharedDedupe {
    claim: Script,
    confirm: Script,
    forget: Script,
}

impl Default for SharedDedupe {
    fn default() -> Self {
        Self {
            claim: Script::new(CLAIM),
            confirm: Script::new(CONFIRM),
            forget: Script::new(FORGET),
        }
    }
}

/// The key of a write: `<prefix>dedupe:<hex digest>`.
pub(crate) fn key(link: &RedisLink, digest_hex: &str) -> String {
    format!("{}dedupe:{digest_hex}", link.prefix())
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

impl SharedDedupe {
    /// One round trip: claims `key` for `pending` with `marker` (`p:…`), or says who has it.
    pub async fn claim(
        &self,
        link: &RedisLink,
        key: &str,
        marker: &str,
        pending: Duration,
    ) -> Result<SharedTurn, RedisFailure> {
        let (code, value): (i64, i64) = link
            .run(|mut connection| async move {
                self.claim
                    .key(key)
                    .arg(marker)
                    .arg(millis(pending))
                    .invoke_async(&mut connection)
                    .await
            })
            .await?;
        Ok(match code {
            1 => SharedTurn::Claimed,
            2 => SharedTurn::Confirmed(value),
            _ => SharedTurn::Pending(Duration::from_millis(u64::try_from(value).unwrap_or(0))),
        })
    }

    /// The write was confirmed with `id`: every replica answers a repeat with it for `window`.
    pub async fn confirm(
        &self,
        link: &RedisLink,
        key: &str,
        marker: &str,
        id: i64,
        window: Duration,
    ) -> Result<(), RedisFailure> {
        link.run(|mut connection| async move {
            self.confirm
                .key(key)
                .arg(marker)
                .arg(id)
                .arg(millis(window))
                .invoke_async::<i64>(&mut connection)
                .await
        })
        .await
        .map(drop)
    }

    /// The write failed: forget the claim (if still ours), so a retry may write.
    pub async fn forget(
        &self,
        link: &RedisLink,
        key: &str,
        marker: &str,
    ) -> Result<(), RedisFailure> {
        link.run(|mut connection| async move {
            self.forget
                .key(key)
                .arg(marker)
                .invoke_async::<i64>(&mut connection)
                .await
        })
        .await
        .map(drop)
    }
}
