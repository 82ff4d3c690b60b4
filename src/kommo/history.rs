//! Kommo calls for a lead's history and the account's people (docs/kommo-api.md; Kommo's
//! events reference): one page of a lead's events, the notes those events name, and the
//! account's users and loss reasons, the last two cached per account like the pipelines
//! (same time to live, dropped with them).

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::models::Page;
use super::send::Request;
use super::{Account, KommoClient, KommoError, decode};

/// Kommo's largest page of users and loss reasons.
const PEOPLE_PAGE: u32 = 250;
/// A guard against a server that never stops sending `next` links.
const MAX_PEOPLE_PAGES: u32 = 40;

/// One Kommo event (`GET /api/v4/events`).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The user who did it; 0 is Kommo's robot (a trigger, a Salesbot, an integration).
    #[serde(default)]
    pub created_by: i64,
    #[serde(default)]
    pub created_at: i64,
    #[serde(default)]
    pub value_before: Value,
    #[serde(default)]
    pub value_after: Value,
}

#[derive(Debug, Deserialize)]
struct EventsEmbedded {
    #[serde(default)]
    events: Vec<Event>,
}

/// One page of a lead's events, newest first, and whether Kommo has a further page.
pub(crate) struct EventsPage {
    pub events: Vec<Event>,
    pub has_next: bool,
}

/// A note as `GET /api/v4/leads/{id}/notes` lists it.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct LeadNote {
    pub id: i64,
    #[serde(default)]
    pub note_type: String,
    #[serde(default)]
    pub params: Value,
}

#[derive(Debug, Deserialize)]
struct LeadNotesEmbedded {
    #[serde(default)]
    notes: Vec<LeadNote>,
}

/// A user of the account (`GET /api/v4/users?with=group`).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct User {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub rights: UserRights,
    #[serde(default, rename = "_embedded")]
    pub embedded: UserEmbedded,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct UserRights {
    /// Kommo leaves it out for some users; absent counts as active.
    #[serde(default)]
    pub is_active: Option<bool>,
    #[serde(default)]
    pub is_admin: Option<bool>,
    #[serde(default)]
    pub group_id: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct UserEmbedded {
    #[serde(default)]
    pub groups: Vec<UserGroup>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct UserGroup {
    pub id: i64,
    #[serde(default)]
    pub name: String,
}

impl User {
    pub(crate) fn is_active(&self) -> bool {
        self.rights.is_active.unwrap_or(true)
    }

    /// The user's group (`with=group`), or only its id.
    pub(crate) fn group(&self) -> Option<(i64, Option<&str>)> {
        match self.embedded.groups.first() {
            Some(group) => Some((group.id, Some(group.name.as_str()))),
            None => self.rights.group_id.map(|id| (id, None)),
        }
    }
}

#[derive(Debug, Deserialize)]
struct UsersEmbedded {
    #[serde(default)]
    users: Vec<User>,
}

/// A reason a lead was lost (`GET /api/v4/leads/loss_reasons`).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct LossReason {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub sort: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct LossReasonsEmbedded {
    #[serde(default)]
    loss_reasons: Vec<LossReason>,
}

impl KommoClient {
    /// One page of the events of lead `lead_id` (`filter[entity]=lead`, its id, and the
    /// `types` when some are given), newest first as Kommo lists them; no events (204) is
    /// an empty page. One request.
    pub(crate) async fn lead_events(
        &self,
        account: &Account,
        lead_id: i64,
        types: &[String],
        page: u32,
        limit: u32,
    ) -> Result<EventsPage, KommoError> {
        let mut path = format!(
            "/api/v4/events?filter%5Bentity%5D=lead&filter%5Bentity_id%5D%5B%5D={lead_id}&page={page}&limit={limit}"
        );
        for kind in types {
            path.push_str("&filter%5Btype%5D%5B%5D=");
            path.extend(form_urlencoded::byte_serialize(kind.as_bytes()));
        }
        let reply = self
            .sender
            .send(
                account,
                Request::get(&path, &|| format!("the events of lead {lead_id}")),
            )
            .await?;
        if reply.status == 204 || reply.body.is_empty() {
            return Ok(EventsPage {
                events: Vec::new(),
                has_next: false,
            });
        }
        let page: Page<EventsEmbedded> = decode(&reply.body, "the lead's events")?;
        let has_next = page
            .links
            .as_ref()
            .is_some_and(|links| links.next.is_some());
        Ok(EventsPage {
            events: page.embedded.events,
            has_next,
        })
    }

    /// The notes of lead `lead_id` with these ids (`filter[id][]`), in one request of up
    /// to 250; none asked is no request.
    pub(crate) async fn lead_notes_by_id(
        &self,
        account: &Account,
        lead_id: i64,
        ids: &[i64],
    ) -> Result<Vec<LeadNote>, KommoError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut path = format!(
            "/api/v4/leads/{lead_id}/notes?limit={}",
            ids.len().clamp(1, 250)
        );
        for id in ids.iter().take(250) {
            path.push_str(&format!("&filter%5Bid%5D%5B%5D={id}"));
        }
        let reply = self
            .sender
            .send(
                account,
                Request::get(&path, &|| format!("the notes of lead {lead_id}")),
            )
            .await?;
        if reply.status == 204 || reply.body.is_empty() {
            return Ok(Vec::new());
        }
        let page: Page<LeadNotesEmbedded> = decode(&reply.body, "the lead's notes")?;
        Ok(page.embedded.notes)
    }

    /// The account's users with their groups, from the per-account cache when it is fresh.
    pub(crate) async fn users(&self, account: &Account) -> Result<Arc<Vec<User>>, KommoError> {
        self.users
            .get(account, || {
                self.every_page(
                    account,
                    format!("/api/v4/users?with=group&page=1&limit={PEOPLE_PAGE}"),
                    MAX_PEOPLE_PAGES,
                    "the users",
                    |page: UsersEmbedded| page.users,
                )
            })
            .await
    }

    /// The account's loss reasons, from the per-account cache when it is fresh.
    pub(crate) async fn loss_reasons(
        &self,
        account: &Account,
    ) -> Result<Arc<Vec<LossReason>>, KommoError> {
        self.loss_reasons
            .get(account, || {
                self.every_page(
                    account,
                    format!("/api/v4/leads/loss_reasons?page=1&limit={PEOPLE_PAGE}"),
                    MAX_PEOPLE_PAGES,
                    "the loss reasons",
                    |page: LossReasonsEmbedded| page.loss_reasons,
                )
            })
            .await
    }
}
