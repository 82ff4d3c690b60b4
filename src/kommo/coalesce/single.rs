//! The single-lead requests: `GET /api/v4/leads/{id}` and `PATCH /api/v4/leads/{id}`, used
//! for a call that goes alone (coalescing off, or nothing else waiting).

use serde_json::Value;

use super::super::{
    Account, KommoError, decode,
    gate::Slot,
    models::{Lead, UpdatedLead},
    send::{Request, Sender},
};

/// The lead, or `None` when Kommo says it does not exist (204 with no body, or 404).
pub(crate) async fn read_one(
    sender: &Sender,
    account: &Account,
    lead_id: i64,
    with_contacts: bool,
    slot: Option<Slot>,
) -> Result<Option<Lead>, KommoError> {
    let path = match with_contacts {
        true => format!("/api/v4/leads/{lead_id}?with=contacts"),
        false => format!("/api/v4/leads/{lead_id}"),
    };
    let what = || format!("lead {lead_id}");
    let reply = sender
        .send_in(account, Request::get(&path, &what).accepting(&[404]), slot)
        .await?;
    if reply.status == 204 || reply.status == 404 {
        return Ok(None);
    }
    decode(&reply.body, "the lead").map(Some)
}

/// `PATCH /api/v4/leads/{id}`; succeeds only when Kommo confirms the lead it updated.
pub(crate) async fn update_one(
    sender: &Sender,
    account: &Account,
    lead_id: i64,
    body: &Value,
    slot: Option<Slot>,
) -> Result<(), KommoError> {
    let path = format!("/api/v4/leads/{lead_id}");
    let payload = serde_json::to_vec(body).map_err(|err| KommoError::Decode {
        detail: err.to_string(),
    })?;
    let what = || format!("lead {lead_id}");
    let reply = sender
        .send_in(account, Request::patch(&path, payload.into(), &what), slot)
        .await?;
    let updated: UpdatedLead = decode(&reply.body, "the update confirmation")?;
    match updated.id() {
        Some(id) if id == lead_id => Ok(()),
        Some(id) => Err(KommoError::Decode {
            detail: format!("Kommo confirmed an update of lead {id}, not of lead {lead_id}"),
        }),
        None => Err(KommoError::Decode {
            detail: "the update confirmation names no lead".to_owned(),
        }),
    }
}
