//! Remembers confirmed writes for a while (a note's text for a lead, later a task's), so a
//! client that repeats a call whose answer it lost does not write twice. Two identical calls
//! at the same moment make one write: the second waits for the first's outcome. Only a hash
//! of what was written is kept, entries expire, and their number is bounded.
//!
//! The interface is [`DedupeStore::claim`] → [`Claimed`]; a [`Claim`] is confirmed with the
//! id Kommo gave, or forgotten when the write failed.
//!
//! With `--redis-url`, the memory is also shared by every replica on that Redis
//! ([`shared`]): a claim is first taken here (twins in this process wait on
//! it), then in Redis. A twin on another replica finds the Redis key pending and polls it
//! until the first call's outcome is known: confirmed → answered as a duplicate with the
//! same id; failed (key deleted) or lapsed → it claims and writes itself. When Redis does
//! not answer, this process's memory alone decides (as without Redis).

pub(crate) mod shared;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::redis_link::RedisLink;
use shared::{SharedDedupe, SharedTurn};

/// How often a twin polls Redis while another replica sends the same write.
const POLL_EVERY: Duration = Duration::from_millis(25);

/// What a write is remembered by: the account, the kind of write, the entity and a SHA-256
/// of its content.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DedupeKey {
    account: String,
    kind: &'static str,
    entity: i64,
    digest: [u8; 32],
}

impl DedupeKey {
    pub(crate) fn new(account: &str, kind: &'static str, entity: i64, content: &str) -> Self {
        let digest = Sha256::digest(content.as_bytes()).into();
        Self {
            account: account.to_owned(),
            kind,
            entity,
            digest,
        }
    }

    /// A hex SHA-256 of the whole key: the name it has in Redis (no text, no subdomain).
    fn shared_name(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [self.account.as_bytes(), self.kind.as_bytes()] {
            hasher.update(part);
            hasher.update([0]);
        }
        hasher.update(self.entity.to_be_bytes());
        hasher.update(self.digest);
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// The most writes remembered at once; the oldest confirmed one makes room for a new one.
pub(crate) const DEDUPE_MAX_ENTRIES: usize = 10_000;

enum Entry {
    /// A write in progress; its sender says when it ended (`Some(id)` confirmed).
    Pending(watch::Sender<Option<i64>>),
    Done {
        id: i64,
        at: Instant,
    },
}

/// Memory of recent writes: this process's, and the replicas' shared one when set.
pub(crate) struct DedupeStore {
    window: Duration,
    max: usize,
    entries: Mutex<HashMap<DedupeKey, Entry>>,
    shared: Option<Shared>,
}

/// The Redis side of the store.
struct Shared {
    link: Arc<RedisLink>,
    scripts: SharedDedupe,
    /// How long a claim stays pending in Redis: the window, or longer when a write may
    /// take longer (its request timeout and a margin), so a slow first call is waited for.
    pending: Duration,
}

/// A claim held in Redis.
struct SharedClaim {
    key: String,
    marker: String,
}

/// The outcome of [`DedupeStore::claim`].
pub(crate) enum Claimed {
    /// Nobody wrote this recently: write it, then confirm or drop the claim.
    New(Claim),
    /// The same write was confirmed within the window, with this id.
    Duplicate(i64),
}

/// The right to make one write; dropping it without [`Claim::confirm`] forgets it, so a
/// failed write is not remembered and a waiting twin proceeds to write itself.
pub(crate) struct Claim {
    store: Option<Arc<DedupeStore>>,
    key: Option<DedupeKey>,
    shared: Option<(Arc<DedupeStore>, SharedClaim)>,
}

impl DedupeStore {
    /// A store that remembers writes for `window` (zero turns it off), at most `max` at once.
    pub(crate) fn new(window: Duration, max: usize) -> Arc<Self> {
        Arc::new(Self {
            window,
            max,
            entries: Mutex::new(HashMap::new()),
            shared: None,
        })
    }

    /// A store shared through `link` as well; `longest_write` bounds how long a claim
    /// stays pending there.
    pub(crate) fn shared(
        window: Duration,
        max: usize,
        link: Arc<RedisLink>,
        longest_write: Duration,
    ) -> Arc<Self> {
        Arc::new(Self {
            window,
            max,
            entries: Mutex::new(HashMap::new()),
            shared: Some(Shared {
                link,
                scripts: SharedDedupe::default(),
                pending: window.max(longest_write),
            }),
        })
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<DedupeKey, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many writes are remembered or in progress now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries().len()
    }

    /// Claims a write, waiting while an identical one is in progress (here or, with Redis,
    /// on any replica).
    pub(crate) async fn claim(self: &Arc<Self>, key: DedupeKey) -> Claimed {
        if self.window.is_zero() {
            return Claimed::New(Claim {
                store: None,
                key: None,
                shared: None,
            });
        }
        let name = self.shared.as_ref().map(|_| key.shared_name());
        let claimed = self.claim_here(key).await;
        match (claimed, name) {
            (Claimed::New(claim), Some(name)) => self.claim_shared(claim, name).await,
            (claimed, _) => claimed,
        }
    }

    /// Takes the claim in Redis too, polling while another replica holds it. Redis not
    /// answering leaves this process's claim alone in charge.
    async fn claim_shared(self: &Arc<Self>, mut claim: Claim, name: String) -> Claimed {
        let Some(shared) = &self.shared else {
            return Claimed::New(claim);
        };
        let key = shared::key(&shared.link, &name);
        let marker = format!("p:{}", shared.link.slot_name());
        // Bounded even if the key kept being re-claimed: past this the write goes ahead.
        let deadline = tokio::time::Instant::now() + shared.pending * 2;
        loop {
            match shared
                .scripts
                .claim(&shared.link, &key, &marker, shared.pending)
                .await
            {
                Ok(SharedTurn::Claimed) => {
                    claim.shared = Some((Arc::clone(self), SharedClaim { key, marker }));
                    return Claimed::New(claim);
                }
                Ok(SharedTurn::Confirmed(id)) => {
                    claim.confirm_here(id);
                    return Claimed::Duplicate(id);
                }
                Ok(SharedTurn::Pending(_)) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(POLL_EVERY).await;
                }
                Ok(SharedTurn::Pending(_)) | Err(_) => return Claimed::New(claim),
            }
        }
    }

    /// The in-process claim.
    async fn claim_here(self: &Arc<Self>, key: DedupeKey) -> Claimed {
        loop {
            let mut waiting = {
                let mut entries = self.entries();
                let now = Instant::now();
                match entries.get(&key) {
                    Some(Entry::Done { id, at }) if now.duration_since(*at) < self.window => {
                        return Claimed::Duplicate(*id);
                    }
                    Some(Entry::Pending(sender)) => sender.subscribe(),
                    _ => {
                        self.make_room(&mut entries, now);
                        let (sender, _) = watch::channel(None);
                        let stored = entries.len() < self.max;
                        if stored {
                            entries.insert(key.clone(), Entry::Pending(sender));
                        }
                        return Claimed::New(Claim {
                            store: stored.then(|| Arc::clone(self)),
                            key: stored.then_some(key),
                            shared: None,
                        });
                    }
                }
            };
            // Wakes when the twin confirms (then it is a duplicate) or gives up (sender
            // dropped: then this call claims it).
            let _ = waiting.changed().await;
        }
    }

    /// Drops expired entries, then the oldest confirmed one if the store is still full.
    fn make_room(&self, entries: &mut HashMap<DedupeKey, Entry>, now: Instant) {
        if entries.len() < self.max {
            return;
        }
        entries.retain(|_, entry| match entry {
            Entry::Done { at, .. } => now.duration_since(*at) < self.window,
            Entry::Pending(_) => true,
        });
        if entries.len() < self.max {
            return;
        }
        let oldest = entries
            .iter()
            .filter_map(|(key, entry)| match entry {
                Entry::Done { at, .. } => Some((*at, key.clone())),
                Entry::Pending(_) => None,
            })
            .min_by_key(|(at, _)| *at)
            .map(|(_, key)| key);
        if let Some(key) = oldest {
            entries.remove(&key);
        }
    }
}

impl Claim {
    /// The write was confirmed by Kommo with `id`: remember it for the window (here and,
    /// with Redis, for every replica).
    pub(crate) async fn confirm(mut self, id: i64) {
        if let Some((store, claim)) = self.shared.take()
            && let Some(shared) = &store.shared
        {
            // Not reaching Redis now only means other replicas may not know; this
            // process remembers it either way.
            let _ = shared
                .scripts
                .confirm(&shared.link, &claim.key, &claim.marker, id, store.window)
                .await;
        }
        self.confirm_here(id);
    }

    /// The write failed: forget it everywhere, so a retry (or a waiting twin) writes.
    pub(crate) async fn forget(mut self) {
        if let Some((store, claim)) = self.shared.take() {
            forget_shared(&store, &claim).await;
        }
    }

    fn confirm_here(&mut self, id: i64) {
        if let (Some(store), Some(key)) = (self.store.take(), self.key.take()) {
            let previous = store.entries().insert(
                key,
                Entry::Done {
                    id,
                    at: Instant::now(),
                },
            );
            if let Some(Entry::Pending(sender)) = previous {
                let _ = sender.send(Some(id));
            }
        }
    }
}

async fn forget_shared(store: &DedupeStore, claim: &SharedClaim) {
    if let Some(shared) = &store.shared {
        let _ = shared
            .scripts
            .forget(&shared.link, &claim.key, &claim.marker)
            .await;
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let (Some(store), Some(key)) = (self.store.take(), self.key.take()) {
            // Removing the pending entry drops its sender, which wakes any waiting twin.
            store.entries().remove(&key);
        }
        // Dropped without an outcome (the call was cancelled): release the Redis claim in
        // the background rather than leave twins waiting for it to lapse.
        if let Some((store, claim)) = self.shared.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move { forget_shared(&store, &claim).await });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> DedupeKey {
        DedupeKey::new("demo", "note", 9001, text)
    }

    #[tokio::test]
    async fn a_confirmed_write_is_a_duplicate_within_the_window() {
        let store = DedupeStore::new(Duration::from_secs(60), 10);
        let Claimed::New(claim) = store.claim(key("a")).await else {
            panic!("first claim")
        };
        claim.confirm(7).await;
        assert!(matches!(store.claim(key("a")).await, Claimed::Duplicate(7)));
        assert!(matches!(store.claim(key("b")).await, Claimed::New(_)));
    }

    #[tokio::test]
    async fn a_failed_write_is_forgotten() {
        let store = DedupeStore::new(Duration::from_secs(60), 10);
        let Claimed::New(claim) = store.claim(key("a")).await else {
            panic!("first claim")
        };
        drop(claim);
        assert_eq!(store.len(), 0);
        assert!(matches!(store.claim(key("a")).await, Claimed::New(_)));
    }

    #[tokio::test]
    async fn a_twin_waits_for_the_outcome() {
        let store = DedupeStore::new(Duration::from_secs(60), 10);
        let Claimed::New(claim) = store.claim(key("a")).await else {
            panic!("first claim")
        };
        let twin = tokio::spawn({
            let store = Arc::clone(&store);
            async move { matches!(store.claim(key("a")).await, Claimed::Duplicate(3)) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!twin.is_finished());
        claim.confirm(3).await;
        assert!(twin.await.unwrap());
    }

    #[tokio::test]
    async fn memory_is_bounded_and_zero_turns_it_off() {
        let store = DedupeStore::new(Duration::from_secs(60), 3);
        for (i, text) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            if let Claimed::New(claim) = store.claim(key(text)).await {
                claim.confirm(i as i64).await;
            }
        }
        assert_eq!(store.len(), 3);
        let off = DedupeStore::new(Duration::ZERO, 3);
        if let Claimed::New(claim) = off.claim(key("a")).await {
            claim.confirm(1).await;
        }
        assert!(matches!(off.claim(key("a")).await, Claimed::New(_)));
        assert_eq!(off.len(), 0);
    }
}
