//! `GET /api/v4/leads/custom_fields` and `GET /api/v4/contacts/custom_fields` (paged), and
//! one field by id under each.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::{Ctx, DEFAULT_LIMIT, MAX_LIMIT};
use crate::problem;
use crate::state::{CustomField, FieldType};

/// Kommo's documented maximum of custom fields per page.
const FIELDS_PAGE: usize = 50;

impl Ctx<'_> {
    /// A field of `entity` (`leads` or `contacts`) as Kommo renders it.
    pub(super) fn field_json(&self, field: &CustomField, entity: &str) -> Value {
        let enums = (!field.enums.is_empty()).then(|| {
            field
                .enums
                .iter()
                .map(|(id, value, sort)| json!({"id": id, "value": value, "sort": sort}))
                .collect::<Vec<_>>()
        });
        // Kommo's own fields (the utm_* tracking fields) carry a code and cannot be deleted
        let predefined = field.code.is_some() && field.kind == FieldType::TrackingData;
        json!({
            "id": field.id,
            "name": field.name,
            "type": field.kind.as_str(),
            "account_id": self.account.map(|a| a.id),
            "code": field.code,
            "sort": field.sort,
            "is_api_only": false,
            "enums": enums,
            "group_id": null,
            "required_statuses": [],
            "is_deletable": !predefined,
            "is_predefined": predefined,
            "entity_type": entity,
            "remind": null,
            "settings": null,
            "_links": {"self": {"href": format!("{}/api/v4/{entity}/custom_fields/{}", self.base(), field.id)}},
        })
    }

    /// At most [`FIELDS_PAGE`] fields a page, as Kommo documents. A larger `limit` still
    /// sets where a page starts (page 2 of `limit=250` starts at field 251), the worst a
    /// server capping pages silently can do, so a client asking for more than 50 loses the
    /// fields in between.
    pub(super) fn custom_fields(&self, fields: &[CustomField], entity: &str) -> Response {
        let page = self.query_usize("page").unwrap_or(1).max(1);
        let limit = match self.query_usize("limit").unwrap_or(DEFAULT_LIMIT) {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let total = fields.len();
        let start = (page - 1).saturating_mul(limit);
        if start >= total {
            return problem::no_content();
        }
        let fields: Vec<Value> = fields[start..total.min(start + limit.min(FIELDS_PAGE))]
            .iter()
            .map(|f| self.field_json(f, entity))
            .collect();
        let list = format!("{}/api/v4/{entity}/custom_fields", self.base());
        let mut links = json!({"self": {"href": format!("{list}?page={page}&limit={limit}")}});
        if start + limit < total {
            links["next"] = json!({"href": format!("{list}?page={}&limit={limit}", page + 1)});
        }
        problem::hal(
            StatusCode::OK,
            &json!({
                "_total_items": total,
                "_page": page,
                "_links": links,
                "_embedded": {"custom_fields": fields},
            }),
        )
    }
}
