//! Remembers confirmed tasks for a while, so that a client repeating a `create_task` whose
//! answer it did not get (timeout, restart, dropped stream) does not make a second task:
//! the same account, lead, text and due time within the window answer with the first
//! task's id. Two identical calls at the same moment make one POST (the second waits for
//! the first). A failed call is not remembered. Bounded: entries expire and at most
//! [`MAX_ENTRIES`] are kept; the text is kept only as a hash.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// How long a confirmed task is remembered (the note dedupe window's default).
pub const WINDOW: Duration = Duration::from_secs(120);
/// The most tasks remembered at once.
pub const MAX_ENTRIES: usize = 10_000;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    account: String,
    lead_id: i64,
    text: u64,
    complete_till: i64,
}

type Slot = Arc<tokio::sync::Mutex<Option<(Instant, i64)>>>;

/// The memory (one per process).
#[derive(Default)]
pub struct TaskMemory {
    slots: Mutex<HashMap<Key, Slot>>,
}

/// What the memory says about a call.
pub enum Recall {
    /// The same task was confirmed within the window: its id.
    Done(i64),
    /// Not seen: create it, then `remember` (holds the slot so a twin waits).
    New(Claim),
}

/// The right to create one task; twins wait until it is dropped.
pub struct Claim {
    slot: tokio::sync::OwnedMutexGuard<Option<(Instant, i64)>>,
}

impl Claim {
    /// Records the confirmed task's id.
    pub fn remember(mut self, task_id: i64) {
        *self.slot = Some((Instant::now(), task_id));
    }
}

fn hash(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

impl TaskMemory {
    /// Looks the task up, waiting while an identical call is in progress.
    pub async fn recall(&self, account: &str, lead_id: i64, text: &str, due: i64) -> Recall {
        let key = Key {
            account: account.to_owned(),
            lead_id,
            text: hash(text),
            complete_till: due,
        };
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            if slots.len() >= MAX_ENTRIES {
                slots.retain(|_, slot| match slot.try_lock() {
                    Ok(entry) => (*entry).is_some_and(|(at, _)| at.elapsed() < WINDOW),
                    Err(_) => true,
                });
            }
            if slots.len() >= MAX_ENTRIES && !slots.contains_key(&key) {
                None
            } else {
                Some(Arc::clone(slots.entry(key).or_default()))
            }
        };
        let Some(slot) = slot else {
            // Full of fresh entries: work without remembering rather than grow.
            let fresh = Arc::new(tokio::sync::Mutex::new(None));
            return Recall::New(Claim {
                slot: fresh.lock_owned().await,
            });
        };
        let guard = slot.lock_owned().await;
        match *guard {
            Some((at, id)) if at.elapsed() < WINDOW => Recall::Done(id),
            _ => Recall::New(Claim { slot: guard }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn remembers_confirmed_tasks_only() {
        let memory = TaskMemory::default();
        let Recall::New(claim) = memory.recall("a", 1, "call", 100).await else {
            panic!("first call is new");
        };
        drop(claim);
        let Recall::New(claim) = memory.recall("a", 1, "call", 100).await else {
            panic!("a failed call is not remembered");
        };
        claim.remember(7);
        assert!(matches!(
            memory.recall("a", 1, "call", 100).await,
            Recall::Done(7)
        ));
        assert!(matches!(
            memory.recall("a", 1, "call", 101).await,
            Recall::New(_)
        ));
        assert!(matches!(
            memory.recall("b", 1, "call", 100).await,
            Recall::New(_)
        ));
        assert!(matches!(
            memory.recall("a", 2, "call", 100).await,
            Recall::New(_)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn forgets_after_the_window() {
        let memory = TaskMemory::default();
        if let Recall::New(claim) = memory.recall("a", 1, "x", 1).await {
            claim.remember(3);
        }
        tokio::time::advance(WINDOW + Duration::from_secs(1)).await;
        assert!(matches!(
            memory.recall("a", 1, "x", 1).await,
            Recall::New(_)
        ));
    }

    #[tokio::test]
    async fn a_twin_waits_for_the_first() {
        let memory = Arc::new(TaskMemory::default());
        let Recall::New(claim) = memory.recall("a", 1, "x", 1).await else {
            panic!("new");
        };
        let twin = {
            let memory = Arc::clone(&memory);
            tokio::spawn(
                async move { matches!(memory.recall("a", 1, "x", 1).await, Recall::Done(9)) },
            )
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        claim.remember(9);
        assert!(twin.await.unwrap_or(false));
    }
}
