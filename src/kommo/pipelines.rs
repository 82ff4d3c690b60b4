//! The per-account cache of pipelines and statuses, so a conversation does not re-read
//! them on every call (`list_pipelines`, `get_lead`, and `move_lead`'s check); the same
//! cache keeps the lead custom fields (`list_custom_fields`, `update_lead_fields` and the
//! pause arguments' check).

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::time::Instant;

use super::{Account, KommoError};

type Slot<T> = Arc<tokio::sync::Mutex<Option<(Instant, Arc<Vec<T>>)>>>;

/// A list per account (pipelines, custom fields), kept for a time to live.
pub(super) struct PipelineCache<T> {
    ttl: Duration,
    slots: Mutex<HashMap<String, Slot<T>>>,
}

/// Beyond this many accounts, the cache starts over (a bound, not an expected size).
const MAX_ACCOUNTS: usize = 1_024;

impl<T> PipelineCache<T> {
    pub(super) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, account: &Account) -> Slot<T> {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if slots.len() >= MAX_ACCOUNTS && !slots.contains_key(account.api_root()) {
            slots.clear();
        }
        Arc::clone(slots.entry(account.api_root().to_owned()).or_default())
    }

    /// The cached pipelines, or fetches them. Concurrent callers for one account wait for
    /// a single fetch.
    pub(super) async fn get<F, Fut>(
        &self,
        account: &Account,
        fetch: F,
    ) -> Result<Arc<Vec<T>>, KommoError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<T>, KommoError>>,
    {
        let slot = self.slot(account);
        let mut entry = slot.lock().await;
        if let Some((at, pipelines)) = entry.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(Arc::clone(pipelines));
        }
        let pipelines = Arc::new(fetch().await?);
        if !self.ttl.is_zero() {
            *entry = Some((Instant::now(), Arc::clone(&pipelines)));
        }
        Ok(pipelines)
    }

    pub(super) async fn forget(&self, account: &Account) {
        let slot = self.slot(account);
        *slot.lock().await = None;
    }
}
