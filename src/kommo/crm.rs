//! Kommo calls for finding and following up on leads (docs/kommo-api.md, from "Leads" to
//! "Salesbots"): lead search, a lead with its contact references, contacts by id or by
//! search, tasks and Salesbots.
//! Everything goes through the one sender (rate limit, retries, timeouts).

use bytes::Bytes;
use http::Method;
use serde_json::{Value, json};

use super::models::{Bot, BotsEmbedded, Contact, ContactsEmbedded, Lead, LeadsEmbedded, Page};
use super::send::{Replay, Request};
use super::{Account, KommoClient, KommoError, decode};

/// What a lead search asks Kommo for.
#[derive(Clone, Debug, Default)]
pub(crate) struct LeadQuery<'a> {
    /// Kommo's full-text `query`.
    pub text: Option<&'a str>,
    /// Only these leads (`filter[id][]`).
    pub ids: &'a [i64],
    pub pipeline_id: Option<i64>,
    /// With `pipeline_id`: only this status (`filter[statuses][0][…]`).
    pub status_id: Option<i64>,
    pub limit: u32,
}

/// One task to create (`POST /api/v4/tasks`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewTask {
    pub lead_id: i64,
    pub text: String,
    pub complete_till: i64,
    pub task_type_id: i64,
    pub responsible_user_id: Option<i64>,
}

impl NewTask {
    /// The one-element array Kommo wants.
    pub(crate) fn body(&self) -> Value {
        Value::Array(vec![self.item()])
    }

    /// The task as one element of `POST /api/v4/tasks`.
    fn item(&self) -> Value {
        let mut item = json!({
            "entity_type": "leads",
            "entity_id": self.lead_id,
            "text": self.text,
            "complete_till": self.complete_till,
            "task_type_id": self.task_type_id,
        });
        if let Some(user) = self.responsible_user_id {
            item["responsible_user_id"] = json!(user);
        }
        item
    }
}

/// Run or stop a Salesbot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BotAction {
    Run,
    Stop,
}

impl BotAction {
    pub(crate) fn path(self, bot_id: i64) -> String {
        match self {
            BotAction::Run => format!("/api/v4/bots/{bot_id}/run"),
            BotAction::Stop => format!("/api/v4/bots/{bot_id}/stop"),
        }
    }

    pub(crate) fn body(lead_id: i64) -> Value {
        json!({"entity_id": lead_id, "entity_type": "leads"})
    }
}

fn to_bytes(body: &Value) -> Result<Bytes, KommoError> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|err| KommoError::Decode {
            detail: err.to_string(),
        })
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

impl KommoClient {
    /// `GET /api/v4/leads/{id}?with=contacts`: the lead with `_embedded.contacts` references,
    /// or `None` when it does not exist.
    pub(crate) async fn get_lead_with_contacts(
        &self,
        account: &Account,
        lead_id: i64,
    ) -> Result<Option<Lead>, KommoError> {
        self.read_lead(account, lead_id, super::coalesce::Kind::ReadWithContacts)
            .await
    }

    /// `GET /api/v4/leads` with `with=contacts`, most recently updated first; no match
    /// (204) is an empty list.
    pub(crate) async fn search_leads(
        &self,
        account: &Account,
        query: &LeadQuery<'_>,
    ) -> Result<Vec<Lead>, KommoError> {
        let mut path = format!(
            "/api/v4/leads?with=contacts&limit={}&order%5Bupdated_at%5D=desc",
            query.limit
        );
        if let Some(text) = query.text {
            path.push_str(&format!("&query={}", encode(text)));
        }
        for id in query.ids {
            path.push_str(&format!("&filter%5Bid%5D%5B%5D={id}"));
        }
        match (query.pipeline_id, query.status_id) {
            (Some(p), Some(s)) => path.push_str(&format!(
                "&filter%5Bstatuses%5D%5B0%5D%5Bpipeline_id%5D={p}&filter%5Bstatuses%5D%5B0%5D%5Bstatus_id%5D={s}"
            )),
            (Some(p), None) => path.push_str(&format!("&filter%5Bpipeline_id%5D={p}")),
            _ => {}
        }
        let reply = self
            .sender
            .send(account, Request::get(&path, &|| "the leads".to_owned()))
            .await?;
        if reply.status == 204 || reply.body.is_empty() {
            return Ok(Vec::new());
        }
        let page: Page<LeadsEmbedded> = decode(&reply.body, "the leads")?;
        Ok(page.embedded.leads)
    }

    /// `GET /api/v4/contacts?query=…&with=leads`; no match (204) is an empty list.
    pub(crate) async fn search_contacts(
        &self,
        account: &Account,
        text: &str,
        limit: u32,
    ) -> Result<Vec<Contact>, KommoError> {
        let path = format!(
            "/api/v4/contacts?with=leads&limit={limit}&query={}",
            encode(text)
        );
        self.contacts(account, &path).await
    }

    /// `GET /api/v4/contacts?filter[id][]=…` (one request for up to 250 ids).
    pub(crate) async fn contacts_by_id(
        &self,
        account: &Account,
        ids: &[i64],
    ) -> Result<Vec<Contact>, KommoError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut path = format!("/api/v4/contacts?limit={}", ids.len().clamp(1, 250));
        for id in ids.iter().take(250) {
            path.push_str(&format!("&filter%5Bid%5D%5B%5D={id}"));
        }
        self.contacts(account, &path).await
    }

    async fn contacts(&self, account: &Account, path: &str) -> Result<Vec<Contact>, KommoError> {
        let reply = self
            .sender
            .send(account, Request::get(path, &|| "the contacts".to_owned()))
            .await?;
        if reply.status == 204 || reply.body.is_empty() {
            return Ok(Vec::new());
        }
        let page: Page<ContactsEmbedded> = decode(&reply.body, "the contacts")?;
        Ok(page.embedded.contacts)
    }

    /// `POST /api/v4/tasks` with one task (or its element in a coalesced array); returns
    /// the new task's id. Never replayed once Kommo may have received it (like notes), so a
    /// task is never created twice.
    pub(crate) async fn create_task(
        &self,
        account: &Account,
        task: &NewTask,
    ) -> Result<i64, KommoError> {
        self.create(
            account,
            super::coalesce::Entity::Task,
            task.lead_id,
            task.item(),
        )
        .await
    }

    /// `GET /api/v4/bots`; none (204) is an empty list.
    pub(crate) async fn list_bots(&self, account: &Account) -> Result<Vec<Bot>, KommoError> {
        let reply = self
            .sender
            .send(
                account,
                Request::get("/api/v4/bots", &|| "the Salesbots".to_owned()),
            )
            .await?;
        if reply.status == 204 || reply.body.is_empty() {
            return Ok(Vec::new());
        }
        let page: Page<BotsEmbedded> = decode(&reply.body, "the Salesbots")?;
        Ok(page.embedded.items)
    }

    /// Asks Kommo to run or stop a Salesbot on a lead; Kommo accepts it (202) and acts later.
    /// A run is never replayed once Kommo may have received it (a second run would start
    /// the bot twice); a stop is safe to repeat.
    pub(crate) async fn bot_action(
        &self,
        account: &Account,
        action: BotAction,
        bot_id: i64,
        lead_id: i64,
    ) -> Result<(), KommoError> {
        let path = action.path(bot_id);
        let body = to_bytes(&BotAction::body(lead_id))?;
        let what = || format!("Salesbot {bot_id}");
        let request = Request {
            method: Method::POST,
            path: &path,
            body: Some(body),
            replay: match action {
                BotAction::Run => Replay::OnlyIfUnsent,
                BotAction::Stop => Replay::Safe,
            },
            accept: &[],
            what: &what,
        };
        self.sender.send(account, request).await.map(|_| ())
    }
}
