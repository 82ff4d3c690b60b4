//! Coalescing: calls of one account that would wait for the rate limit share one Kommo
//! request — reads one filtered `GET /api/v4/leads`, lead updates one `PATCH
//! /api/v4/leads`, notes one `POST /api/v4/leads/notes`, tasks one `POST /api/v4/tasks` —
//! and each caller gets the answer it would have had alone.
//!
//! Per account and kind there is a queue and at most one leader task. A call enqueues its
//! element and starts the leader when there is none. (An account here is its address and
//! its token: callers with different tokens never share a request.) The leader waits for a slot of the
//! rate limit, then takes every waiting element (at most the batch size): when that is one
//! element it goes alone, by the single-lead request it always used, so an idle server adds
//! no latency. Two writes of one kind to the same lead (updates, notes, tasks) are never in
//! one request, nor in flight at once: the later one waits for the next batch, keeping
//! their order.

mod batch;
mod created;
mod single;
#[cfg(test)]
mod tests;

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
};

use serde_json::Value;
use tokio::sync::oneshot;
use tracing::Instrument;

use super::{Account, KommoError, gate::Slot, models::Lead, send::Sender};
use crate::observe;
pub(crate) use created::Entity;
pub(super) use created::create_one;
pub(super) use single::{read_one, update_one};

/// What a queue carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    Read,
    ReadWithContacts,
    Update,
    /// A note or a task.
    Create(Entity),
}

impl Kind {
    /// The kind as a span attribute names it.
    fn name(self) -> &'static str {
        match self {
            Kind::Read => "read",
            Kind::ReadWithContacts => "read_with_contacts",
            Kind::Update => "update",
            Kind::Create(Entity::Note) => "create_note",
            Kind::Create(Entity::Task) => "create_task",
        }
    }

    fn with_contacts(self) -> bool {
        self == Kind::ReadWithContacts
    }

    /// Writes: one per lead in a request and in flight, so that their order holds.
    fn one_per_lead(self) -> bool {
        matches!(self, Kind::Update | Kind::Create(_))
    }
}

/// One caller's answer.
#[derive(Debug)]
pub(super) enum Outcome {
    Lead(Option<Box<Lead>>),
    Updated,
    /// The id of the note or task Kommo made.
    Created(i64),
}

/// One caller's element, waiting in a queue.
pub(super) struct Waiting {
    lead_id: i64,
    /// The PATCH body of an update, the note or the task.
    body: Option<Value>,
    answer: oneshot::Sender<Result<Outcome, KommoError>>,
    /// The caller's trace, which notes the request sent for it (its audit line names it).
    trace: Option<observe::call::Trace>,
}

impl Waiting {
    fn reply(self, outcome: Result<Outcome, KommoError>) {
        // The caller may have gone (cancelled); its answer is then nobody's.
        let _ = self.answer.send(outcome);
    }
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Waiting>,
    leader: bool,
    /// Leads with a write in flight (writes only).
    busy: HashSet<i64>,
}

impl Queue {
    fn eligible(&self, kind: Kind) -> bool {
        self.waiting
            .iter()
            .any(|w| !kind.one_per_lead() || !self.busy.contains(&w.lead_id))
    }
}

/// The account's address and credentials, and the kind: only calls that would be sent
/// with the same token share a request.
type Key = (String, http::HeaderValue, Kind);

fn key(account: &Account, kind: Kind) -> Key {
    (
        account.api_root().to_owned(),
        account.authorization().clone(),
        kind,
    )
}

/// The per-account, per-kind queues in front of the rate limit.
pub(super) struct Coalescer {
    sender: Arc<Sender>,
    cap: usize,
    queues: Mutex<HashMap<Key, Queue>>,
}

impl Coalescer {
    pub(super) fn new(sender: Arc<Sender>, cap: usize) -> Self {
        Self {
            sender,
            cap: cap.clamp(1, 250),
            queues: Mutex::new(HashMap::new()),
        }
    }

    fn queues(&self) -> MutexGuard<'_, HashMap<Key, Queue>> {
        self.queues
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues one element and waits for its own answer.
    pub(super) async fn call(
        self: &Arc<Self>,
        account: &Account,
        kind: Kind,
        lead_id: i64,
        body: Option<Value>,
    ) -> Result<Outcome, KommoError> {
        let (answer, receiver) = oneshot::channel();
        let key = key(account, kind);
        let start = {
            let mut queues = self.queues();
            let queue = queues.entry(key).or_default();
            queue.waiting.push_back(Waiting {
                lead_id,
                body,
                answer,
                trace: observe::call::current_trace(),
            });
            !std::mem::replace(&mut queue.leader, true)
        };
        let waiting = observe::otel::coalesce_wait_span(kind.name());
        if start {
            // The leader logs in the span of the call that started it; traced, its slot wait
            // and requests are inside that call's coalescing wait.
            let span = if waiting.is_none() {
                tracing::Span::current()
            } else {
                waiting.clone()
            };
            let leader = Arc::clone(self).lead(account.clone(), kind);
            tokio::spawn(leader.instrument(span));
        }
        receiver.instrument(waiting).await.unwrap_or_else(|_| {
            Err(KommoError::Client {
                detail: "the coalesced request was dropped".to_owned(),
            })
        })
    }

    /// The leader: takes a slot, then everything waiting that may go, and sends it.
    async fn lead(self: Arc<Self>, account: Account, kind: Kind) {
        let key = key(&account, kind);
        loop {
            if !self.keep_leading(&key) {
                return;
            }
            let slot = self.sender.slot(&account).await;
            let batch = self.take(&key);
            if batch.is_empty() {
                continue;
            }
            match slot {
                Err(error) => {
                    let leads: Vec<i64> = batch.iter().map(|w| w.lead_id).collect();
                    for waiting in batch {
                        waiting.reply(Err(error.clone()));
                    }
                    self.finish(&key, &account, &leads);
                }
                Ok(slot) => {
                    let traces = batch.iter().filter_map(|w| w.trace.clone()).collect();
                    let send = Arc::clone(&self).send(account.clone(), kind, batch, slot);
                    let send = observe::call::on_behalf_of(traces, send);
                    tokio::spawn(send.instrument(tracing::Span::current()));
                }
            }
        }
    }

    /// Whether the leader goes on; when not, it stops being the leader (under the lock, so
    /// an element queued just now starts a new one).
    fn keep_leading(&self, key: &Key) -> bool {
        let mut queues = self.queues();
        let Some(queue) = queues.get_mut(key) else {
            return false;
        };
        queue.waiting.retain(|w| !w.answer.is_closed());
        if queue.eligible(key.2) {
            return true;
        }
        queue.leader = false;
        if queue.waiting.is_empty() && queue.busy.is_empty() {
            queues.remove(key);
        }
        false
    }

    /// Every waiting element that may go now, oldest first, at most the batch size; a
    /// write of a lead already taken or in flight stays for a later batch.
    fn take(&self, key: &Key) -> Vec<Waiting> {
        let mut queues = self.queues();
        let Some(queue) = queues.get_mut(key) else {
            return Vec::new();
        };
        let mut batch = Vec::new();
        let mut kept = VecDeque::new();
        while let Some(waiting) = queue.waiting.pop_front() {
            if waiting.answer.is_closed() {
                continue;
            }
            let blocked = key.2.one_per_lead() && queue.busy.contains(&waiting.lead_id);
            if batch.len() >= self.cap || blocked {
                kept.push_back(waiting);
                continue;
            }
            if key.2.one_per_lead() {
                queue.busy.insert(waiting.lead_id);
            }
            batch.push(waiting);
        }
        queue.waiting = kept;
        batch
    }

    async fn send(self: Arc<Self>, account: Account, kind: Kind, batch: Vec<Waiting>, slot: Slot) {
        let key = key(&account, kind);
        let leads: Vec<i64> = batch.iter().map(|w| w.lead_id).collect();
        match kind {
            Kind::Read | Kind::ReadWithContacts => {
                batch::read(&self.sender, &account, kind.with_contacts(), batch, slot).await;
            }
            Kind::Update => batch::update(&self.sender, &account, batch, slot).await,
            Kind::Create(entity) => {
                created::create(&self.sender, &account, entity, batch, slot).await;
            }
        }
        self.finish(&key, &account, &leads);
    }

    /// A batch is done: its leads are free again, and a leader starts for what waited on them.
    fn finish(self: &Arc<Self>, key: &Key, account: &Account, leads: &[i64]) {
        if !key.2.one_per_lead() {
            return;
        }
        let start = {
            let mut queues = self.queues();
            let Some(queue) = queues.get_mut(key) else {
                return;
            };
            for lead in leads {
                queue.busy.remove(lead);
            }
            let start = !queue.leader && queue.eligible(key.2);
            if start {
                queue.leader = true;
            } else if !queue.leader && queue.waiting.is_empty() && queue.busy.is_empty() {
                queues.remove(key);
            }
            start
        };
        if start {
            let leader = Arc::clone(self).lead(account.clone(), key.2);
            tokio::spawn(leader.instrument(tracing::Span::current()));
        }
    }
}
