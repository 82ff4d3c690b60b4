//! How Kommo renders what the simulator stores: a lead and a note as HAL JSON, with their
//! `_links` and `_embedded` parts.

use serde::Serialize;
use serde_json::Value;

use crate::state::{Account, Lead, Note, SimState};
use crate::sync::lock;

#[derive(Serialize)]
pub(crate) struct Href {
    pub href: String,
}

#[derive(Serialize)]
pub(crate) struct SelfLink {
    #[serde(rename = "self")]
    pub self_: Href,
}

impl SelfLink {
    pub(crate) fn new(href: String) -> SelfLink {
        SelfLink {
            self_: Href { href },
        }
    }
}

#[derive(Serialize)]
struct ValueView<'a> {
    field_id: i64,
    field_name: &'a str,
    field_code: Option<&'a str>,
    field_type: &'static str,
    values: &'a [Value],
}

#[derive(Serialize)]
struct TagView<'a> {
    id: i64,
    name: &'a str,
    color: Option<&'a str>,
}

#[derive(Serialize)]
struct LeadEmbedded<'a> {
    tags: Vec<TagView<'a>>,
    companies: [(); 0],
}

/// A lead as Kommo renders it (`GET /api/v4/leads/{id}`,
/// <https://developers.kommo.com/reference/getting-a-lead-by-its-id>).
#[derive(Serialize)]
pub(crate) struct LeadView<'a> {
    id: i64,
    name: &'a str,
    price: i64,
    responsible_user_id: i64,
    group_id: i64,
    status_id: i64,
    pipeline_id: i64,
    loss_reason_id: Option<i64>,
    created_by: i64,
    updated_by: i64,
    created_at: i64,
    updated_at: i64,
    closed_at: Option<i64>,
    closest_task_at: Option<i64>,
    is_deleted: bool,
    custom_fields_values: Option<Vec<ValueView<'a>>>,
    score: Option<i64>,
    account_id: i64,
    labor_cost: Option<i64>,
    _links: SelfLink,
    _embedded: LeadEmbedded<'a>,
}

impl<'a> LeadView<'a> {
    /// `base` is "http://host/{subdomain}".
    pub(crate) fn new(account: &'a Account, lead: &'a Lead, base: &str) -> LeadView<'a> {
        let values: Vec<ValueView<'a>> = lead
            .custom_fields
            .iter()
            .filter_map(|(field_id, values)| {
                let field = account.field(*field_id)?;
                Some(ValueView {
                    field_id: *field_id,
                    field_name: &field.name,
                    field_code: field.code,
                    field_type: field.kind.as_str(),
                    values,
                })
            })
            .collect();
        LeadView {
            id: lead.id,
            name: &lead.name,
            price: lead.price,
            responsible_user_id: lead.responsible_user_id,
            group_id: lead.group_id,
            status_id: lead.status_id,
            pipeline_id: lead.pipeline_id,
            loss_reason_id: lead.loss_reason_id,
            created_by: lead.created_by,
            updated_by: lead.updated_by,
            created_at: lead.created_at,
            updated_at: lead.updated_at,
            closed_at: lead.closed_at,
            closest_task_at: None,
            is_deleted: false,
            custom_fields_values: (!values.is_empty()).then_some(values),
            score: None,
            account_id: account.id,
            labor_cost: None,
            _links: SelfLink::new(format!("{base}/api/v4/leads/{}", lead.id)),
            _embedded: LeadEmbedded {
                tags: lead
                    .tags
                    .iter()
                    .map(|(id, name)| TagView {
                        id: *id,
                        name,
                        color: None,
                    })
                    .collect(),
                companies: [],
            },
        }
    }
}

/// A stored note as Kommo renders it (`GET /api/v4/leads/{id}/notes`).
#[derive(Serialize)]
pub(crate) struct NoteView<'a> {
    id: i64,
    entity_id: i64,
    created_by: i64,
    updated_by: i64,
    created_at: i64,
    updated_at: i64,
    responsible_user_id: i64,
    group_id: i64,
    note_type: &'a str,
    params: &'a Value,
    account_id: i64,
    _links: SelfLink,
}

impl<'a> NoteView<'a> {
    pub(crate) fn new(account: &Account, note: &'a Note, base: &str) -> NoteView<'a> {
        NoteView {
            id: note.id,
            entity_id: note.entity_id,
            created_by: 0,
            updated_by: 0,
            created_at: note.created_at,
            updated_at: note.created_at,
            responsible_user_id: note.responsible_user_id,
            group_id: note.group_id,
            note_type: &note.note_type,
            params: &note.params,
            account_id: account.id,
            _links: SelfLink::new(format!(
                "{base}/api/v4/leads/{}/notes/{}",
                note.entity_id, note.id
            )),
        }
    }
}

/// The stored leads and notes as the tests read them, rendered as Kommo answers them.
impl SimState {
    /// The stored lead as `GET /api/v4/leads/{id}` would return it.
    pub fn lead(&self, subdomain: &str, id: i64) -> Option<Value> {
        let account = self.account(subdomain)?;
        let base = format!("{}/{}", self.base_url(), subdomain);
        let data = lock(&account.data);
        let lead = data.leads.get(&id)?;
        serde_json::to_value(LeadView::new(&account, lead, &base)).ok()
    }

    /// The notes stored on a lead, oldest first, as `GET .../notes` lists them.
    pub fn notes(&self, subdomain: &str, lead_id: i64) -> Vec<Value> {
        let Some(account) = self.account(subdomain) else {
            return Vec::new();
        };
        let base = format!("{}/{}", self.base_url(), subdomain);
        let data = lock(&account.data);
        data.notes
            .iter()
            .filter(|n| n.entity_id == lead_id)
            .filter_map(|n| serde_json::to_value(NoteView::new(&account, n, &base)).ok())
            .collect()
    }
}
