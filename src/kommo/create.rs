//! Kommo calls that create leads and change contacts (docs/kommo-api.md, "Leads" and
//! "Contacts"): `POST /api/v4/leads/complex` (a lead with its new contact and company),
//! `POST /api/v4/leads` (a lead linked to existing contacts), `GET` and `PATCH
//! /api/v4/contacts/{id}`. Creations are never replayed once Kommo may have received them.

use serde::Deserialize;
use serde_json::Value;

use super::models::{Contact, LeadsEmbedded, Page};
use super::send::Request;
use super::{Account, KommoClient, KommoError, decode};

/// The ids a lead creation answered with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CreatedLead {
    pub lead_id: i64,
    pub contact_id: Option<i64>,
    pub company_id: Option<i64>,
}

/// One item of the complex creation's answer (a bare array).
#[derive(Debug, Deserialize)]
struct ComplexItem {
    id: i64,
    #[serde(default)]
    contact_id: Option<i64>,
    #[serde(default)]
    company_id: Option<i64>,
}

fn to_bytes(body: &Value) -> Result<bytes::Bytes, KommoError> {
    serde_json::to_vec(body)
        .map(bytes::Bytes::from)
        .map_err(|err| KommoError::Decode {
            detail: err.to_string(),
        })
}

impl KommoClient {
    /// `POST /api/v4/leads/complex` with one lead (its contact and company embedded).
    pub(crate) async fn create_lead_complex(
        &self,
        account: &Account,
        body: &Value,
    ) -> Result<CreatedLead, KommoError> {
        let reply = self
            .sender
            .send(
                account,
                Request::post_once("/api/v4/leads/complex", to_bytes(body)?, &|| {
                    "the new lead".to_owned()
                }),
            )
            .await?;
        let items: Vec<ComplexItem> = decode(&reply.body, "the lead creation answer")?;
        let item = items.first().ok_or_else(|| KommoError::Decode {
            detail: "the lead creation answer lists no lead".to_owned(),
        })?;
        Ok(CreatedLead {
            lead_id: item.id,
            contact_id: item.contact_id.filter(|id| *id > 0),
            company_id: item.company_id.filter(|id| *id > 0),
        })
    }

    /// `POST /api/v4/leads` with one lead; returns the new lead's id.
    pub(crate) async fn create_lead(
        &self,
        account: &Account,
        body: &Value,
    ) -> Result<i64, KommoError> {
        let reply = self
            .sender
            .send(
                account,
                Request::post_once("/api/v4/leads", to_bytes(body)?, &|| {
                    "the new lead".to_owned()
                }),
            )
            .await?;
        let page: Page<LeadsEmbedded> = decode(&reply.body, "the lead creation answer")?;
        page.embedded
            .leads
            .first()
            .map(|lead| lead.id)
            .ok_or_else(|| KommoError::Decode {
                detail: "the lead creation answer lists no lead".to_owned(),
            })
    }

    /// `GET /api/v4/contacts/{id}`, or `None` when it does not exist (204 or 404).
    pub(crate) async fn get_contact(
        &self,
        account: &Account,
        contact_id: i64,
    ) -> Result<Option<Contact>, KommoError> {
        let path = format!("/api/v4/contacts/{contact_id}");
        let reply = self
            .sender
            .send(
                account,
                Request::get(&path, &|| format!("contact {contact_id}")).accepting(&[404]),
            )
            .await?;
        if reply.status == 204 || reply.status == 404 || reply.body.is_empty() {
            return Ok(None);
        }
        decode(&reply.body, "the contact").map(Some)
    }

    /// `PATCH /api/v4/contacts/{id}`; succeeds when Kommo confirms that contact.
    pub(crate) async fn update_contact(
        &self,
        account: &Account,
        contact_id: i64,
        body: &Value,
    ) -> Result<(), KommoError> {
        let path = format!("/api/v4/contacts/{contact_id}");
        let reply = self
            .sender
            .send(
                account,
                Request::patch(&path, to_bytes(body)?, &|| format!("contact {contact_id}")),
            )
            .await?;
        #[derive(Deserialize)]
        struct Updated {
            id: i64,
        }
        let updated: Updated = decode(&reply.body, "the contact update confirmation")?;
        if updated.id == contact_id {
            Ok(())
        } else {
            Err(KommoError::Decode {
                detail: format!(
                    "Kommo confirmed an update of contact {}, not of contact {contact_id}",
                    updated.id
                ),
            })
        }
    }
}
