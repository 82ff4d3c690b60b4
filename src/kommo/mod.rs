//! The one Kommo API v4 client: a pooled HTTP connection per host, the per-account rate
//! limit, safe retries and timeouts, and typed calls for what the tools need.

mod account;
mod account_settings;
pub(crate) mod account_zone;
mod coalesce;
mod create;
mod crm;
mod error;
mod gate;
pub(crate) mod history;
pub(crate) mod limiter;
pub(crate) mod models;
mod paging;
mod pipelines;
mod problem;
mod send;
mod tags;

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use serde_json::Value;

pub(crate) use account::Account;
pub(crate) use account_zone::{AccountZone, DateInput};
pub(crate) use create::CreatedLead;
pub(crate) use crm::{BotAction, LeadQuery, NewTask};
pub(crate) use error::KommoError;
pub(crate) use history::{LossReason, User};
use send::Request;

use models::{
    AccountInfo, CustomField, CustomFieldsEmbedded, Lead, Page, Pipeline, PipelinesEmbedded,
};
use pipelines::PipelineCache;
use send::Sender;

/// Client settings, from the configuration.
#[derive(Clone, Debug)]
pub(crate) struct ClientSettings {
    /// Requests per second per account; 0 = no limit.
    pub rate_limit: u32,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub pipelines_cache: Duration,
    /// The Redis replicas share, and the per-replica rate while it is down.
    pub redis: Option<(Arc<crate::redis_link::RedisLink>, u32)>,
    /// Coalescing of waiting calls, with the most elements per batch; `None`: off.
    pub coalesce: Option<usize>,
}

/// The Kommo client. Cheap to share (`Arc`); one per process.
pub(crate) struct KommoClient {
    sender: Arc<Sender>,
    /// The queues that merge waiting calls into batch requests; `None`: coalescing is off.
    coalescer: Option<Arc<coalesce::Coalescer>>,
    pipelines: PipelineCache<Pipeline>,
    fields: PipelineCache<CustomField>,
    /// The contact custom fields (`update_contact`'s `fields`), kept like the lead fields.
    contact_fields: PipelineCache<CustomField>,
    /// The account's time zone (one per account), kept and dropped with the pipelines.
    zones: PipelineCache<AccountZone>,
    tags: tags::TagCache,
    /// The account's users and loss reasons (`history.rs`), kept and dropped with the pipelines.
    users: PipelineCache<history::User>,
    loss_reasons: PipelineCache<history::LossReason>,
}

/// How many custom fields one page asks for (Kommo documents at most 50 a page for them).
const FIELDS_PAGE: u32 = 50;
/// A guard against a server that never stops sending `next` links.
const MAX_FIELD_PAGES: u32 = 100;

impl KommoClient {
    pub(crate) fn new(settings: &ClientSettings) -> Self {
        let sender = Arc::new(Sender::new(settings));
        let coalescer = settings
            .coalesce
            .map(|cap| Arc::new(coalesce::Coalescer::new(Arc::clone(&sender), cap)));
        Self {
            sender,
            coalescer,
            pipelines: PipelineCache::new(settings.pipelines_cache),
            fields: PipelineCache::new(settings.pipelines_cache),
            contact_fields: PipelineCache::new(settings.pipelines_cache),
            zones: PipelineCache::new(settings.pipelines_cache),
            tags: tags::TagCache::new(settings.pipelines_cache),
            users: PipelineCache::new(settings.pipelines_cache),
            loss_reasons: PipelineCache::new(settings.pipelines_cache),
        }
    }

    /// The shared Redis, when one is configured.
    pub(crate) fn redis(&self) -> Option<&Arc<crate::redis_link::RedisLink>> {
        self.sender.redis()
    }

    /// The lead, or `None` when Kommo says it does not exist (204 with no body, or 404).
    pub(crate) async fn get_lead(
        &self,
        account: &Account,
        lead_id: i64,
    ) -> Result<Option<Lead>, KommoError> {
        self.read_lead(account, lead_id, coalesce::Kind::Read).await
    }

    /// One lead, alone or in a coalesced filtered GET.
    async fn read_lead(
        &self,
        account: &Account,
        lead_id: i64,
        kind: coalesce::Kind,
    ) -> Result<Option<Lead>, KommoError> {
        let with_contacts = kind == coalesce::Kind::ReadWithContacts;
        let Some(coalescer) = &self.coalescer else {
            return coalesce::read_one(&self.sender, account, lead_id, with_contacts, None).await;
        };
        match coalescer.call(account, kind, lead_id, None).await? {
            coalesce::Outcome::Lead(lead) => Ok(lead.map(|lead| *lead)),
            coalesce::Outcome::Updated | coalesce::Outcome::Created(_) => Err(unexpected_outcome()),
        }
    }

    /// `PATCH /api/v4/leads/{id}` (or its element in a coalesced `PATCH /api/v4/leads`);
    /// succeeds only when Kommo confirms the lead it updated.
    pub(crate) async fn update_lead(
        &self,
        account: &Account,
        lead_id: i64,
        body: &Value,
    ) -> Result<(), KommoError> {
        let Some(coalescer) = &self.coalescer else {
            return coalesce::update_one(&self.sender, account, lead_id, body, None).await;
        };
        let outcome = coalescer
            .call(account, coalesce::Kind::Update, lead_id, Some(body.clone()))
            .await?;
        match outcome {
            coalesce::Outcome::Updated => Ok(()),
            coalesce::Outcome::Lead(_) | coalesce::Outcome::Created(_) => Err(unexpected_outcome()),
        }
    }

    /// `POST /api/v4/leads/{id}/notes` with one common note (or its element in a coalesced
    /// `POST /api/v4/leads/notes`); returns the new note's id. Never replayed once Kommo
    /// may have received it, so a note is never written twice.
    pub(crate) async fn add_note(
        &self,
        account: &Account,
        lead_id: i64,
        text: &str,
    ) -> Result<i64, KommoError> {
        self.create(account, coalesce::Entity::Note, lead_id, note_item(text))
            .await
    }

    /// One note or task, alone or in a coalesced batch.
    async fn create(
        &self,
        account: &Account,
        entity: coalesce::Entity,
        lead_id: i64,
        item: Value,
    ) -> Result<i64, KommoError> {
        let Some(coalescer) = &self.coalescer else {
            return coalesce::create_one(&self.sender, account, entity, lead_id, &item, None).await;
        };
        let kind = coalesce::Kind::Create(entity);
        match coalescer.call(account, kind, lead_id, Some(item)).await? {
            coalesce::Outcome::Created(id) => Ok(id),
            coalesce::Outcome::Lead(_) | coalesce::Outcome::Updated => Err(unexpected_outcome()),
        }
    }

    /// Every pipeline of the account with its statuses, from the cache when it is fresh.
    pub(crate) async fn pipelines(
        &self,
        account: &Account,
    ) -> Result<Arc<Vec<Pipeline>>, KommoError> {
        self.pipelines
            .get(account, || self.fetch_pipelines(account))
            .await
    }

    /// Drops the cached pipelines of this account (after Kommo refused a move the cache
    /// allowed), and its time zone, users and loss reasons with them.
    pub(crate) async fn forget_pipelines(&self, account: &Account) {
        self.pipelines.forget(account).await;
        self.zones.forget(account).await;
        self.users.forget(account).await;
        self.loss_reasons.forget(account).await;
    }

    async fn fetch_pipelines(&self, account: &Account) -> Result<Vec<Pipeline>, KommoError> {
        let reply = self
            .sender
            .send(
                account,
                Request::get("/api/v4/leads/pipelines", &|| "the pipelines".to_owned()),
            )
            .await?;
        if reply.status == 204 {
            return Ok(Vec::new());
        }
        let page: Page<PipelinesEmbedded> = decode(&reply.body, "the pipelines")?;
        Ok(page.embedded.pipelines)
    }

    /// The lead custom fields, from the per-account cache when it is fresh (same time to
    /// live as the pipelines).
    pub(crate) async fn lead_fields(
        &self,
        account: &Account,
    ) -> Result<Arc<Vec<CustomField>>, KommoError> {
        self.fields
            .get(account, || self.lead_custom_fields(account))
            .await
    }

    /// Every lead custom field, 50 a page (Kommo's documented maximum for them), following
    /// each page's `next` link until there is none.
    pub(crate) async fn lead_custom_fields(
        &self,
        account: &Account,
    ) -> Result<Vec<CustomField>, KommoError> {
        let first = format!("/api/v4/leads/custom_fields?page=1&limit={FIELDS_PAGE}");
        self.every_page(
            account,
            first,
            MAX_FIELD_PAGES,
            "the lead custom fields",
            |page: CustomFieldsEmbedded| page.custom_fields,
        )
        .await
    }

    /// The contact custom fields, from the per-account cache when it is fresh (same time
    /// to live as the pipelines), read 50 a page like the lead fields.
    pub(crate) async fn contact_fields(
        &self,
        account: &Account,
    ) -> Result<Arc<Vec<CustomField>>, KommoError> {
        self.contact_fields
            .get(account, || {
                let first = format!("/api/v4/contacts/custom_fields?page=1&limit={FIELDS_PAGE}");
                self.every_page(
                    account,
                    first,
                    MAX_FIELD_PAGES,
                    "the contact custom fields",
                    |page: CustomFieldsEmbedded| page.custom_fields,
                )
            })
            .await
    }

    /// `GET /api/v4/account`: whom the token belongs to.
    pub(crate) async fn account_info(&self, account: &Account) -> Result<AccountInfo, KommoError> {
        let reply = self
            .sender
            .send(
                account,
                Request::get("/api/v4/account", &|| "the account".to_owned()),
            )
            .await?;
        decode(&reply.body, "the account")
    }
}

fn unexpected_outcome() -> KommoError {
    KommoError::Client {
        detail: "a coalesced request answered for another kind of call".to_owned(),
    }
}

/// The body of `POST /api/v4/leads/{id}/notes` that adds one common note.
pub(crate) fn note_body(text: &str) -> Value {
    Value::Array(vec![note_item(text)])
}

/// One common note, as an element of the notes array.
fn note_item(text: &str) -> Value {
    serde_json::json!({ "note_type": "common", "params": { "text": text } })
}

fn decode<T: serde::de::DeserializeOwned>(body: &Bytes, what: &str) -> Result<T, KommoError> {
    if body.is_empty() {
        return Err(KommoError::Decode {
            detail: format!("{what}: Kommo answered with an empty body"),
        });
    }
    serde_json::from_slice(body).map_err(|err| KommoError::Decode {
        detail: format!("{what}: {}", describe_json_error(body, &err)),
    })
}

fn describe_json_error(body: &[u8], err: &serde_json::Error) -> String {
    if body.trim_ascii_start().starts_with(b"<") {
        "Kommo sent an HTML page instead of JSON".to_owned()
    } else if err.is_eof() {
        "the JSON was cut off".to_owned()
    } else {
        format!("unexpected JSON ({err})")
    }
}
