//! The account's lead tags (kommo-api.md §13.1): `GET /api/v4/leads/tags` (paged, with
//! `query` matching part of a name without regard to case or accents, `filter[name]` one exact name,
//! `filter[id]`) and `POST /api/v4/leads/tags` creating tags from an array of `{name}`.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

use super::{Ctx, DEFAULT_LIMIT, MAX_LIMIT, Payload};
use crate::problem::{self, FieldError};
use crate::{state::Account, sync::lock};

/// The longest tag name kept.
const MAX_NAME: usize = 255;

/// A name as the search compares it: lower case, accents dropped [INF: like the
/// case- and accent-insensitive collations of Kommo's database; not documented].
fn searchable(name: &str) -> String {
    name.nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl Ctx<'_> {
    pub(super) fn list_tags(&self, account: &Account) -> Response {
        let pairs = pairs(self.query);
        let value = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let page = self.query_usize("page").unwrap_or(1).max(1);
        let limit = match self.query_usize("limit").unwrap_or(DEFAULT_LIMIT) {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let text = value("query").map(searchable);
        let name = value("filter[name]");
        let ids: Vec<i64> = pairs
            .iter()
            .filter(|(k, _)| k == "filter[id]" || k == "filter[id][]")
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
        let data = lock(&account.data);
        let found: Vec<&(i64, String)> = data
            .tags
            .iter()
            .filter(|(_, n)| text.as_ref().is_none_or(|t| searchable(n).contains(t)))
            .filter(|(_, n)| name.is_none_or(|wanted| n == wanted))
            .filter(|(id, _)| ids.is_empty() || ids.contains(id))
            .collect();
        let start = (page - 1).saturating_mul(limit);
        if start >= found.len() {
            return problem::no_content();
        }
        let tags: Vec<Value> = found[start..found.len().min(start + limit)]
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name, "color": null}))
            .collect();
        let list = format!("{}/api/v4/leads/tags", self.base());
        let rest: String = pairs
            .iter()
            .filter(|(k, _)| k != "page" && k != "limit")
            .map(|(k, v)| {
                format!(
                    "&{}={}",
                    form_urlencoded::byte_serialize(k.as_bytes()).collect::<String>(),
                    form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                )
            })
            .collect();
        let mut links =
            json!({"self": {"href": format!("{list}?page={page}&limit={limit}{rest}")}});
        if start + limit < found.len() {
            links["next"] =
                json!({"href": format!("{list}?page={}&limit={limit}{rest}", page + 1)});
        }
        problem::hal(
            StatusCode::OK,
            &json!({"_page": page, "_links": links, "_embedded": {"tags": tags}}),
        )
    }

    /// Creates each named tag; a name the account already has (case aside) answers that
    /// tag instead of a second one [INF: Kommo's behaviour here is not documented].
    pub(super) fn create_tags(&self, account: &Account) -> Response {
        let items = match self.payload {
            Payload::Empty => return problem::bad_request("Request data can not be empty"),
            Payload::Json(Value::Array(items)) if items.is_empty() => {
                return problem::bad_request("Request data can not be empty");
            }
            Payload::Json(Value::Array(items)) => items,
            Payload::Json(_) | Payload::Invalid => {
                return problem::bad_request("Invalid request body");
            }
        };
        let mut errors = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get("name") {
                Some(Value::String(name)) if name.trim().is_empty() => {
                    errors.push(FieldError::not_blank(format!("{i}.name")));
                }
                Some(Value::String(name)) if name.chars().count() > MAX_NAME => {
                    errors.push(FieldError {
                        code: "TooLong",
                        path: format!("{i}.name"),
                        detail: "This value is too long. It should have 255 characters or less.",
                    });
                }
                Some(Value::String(_)) => {}
                _ => errors.push(FieldError::invalid_type(format!("{i}.name"))),
            }
        }
        if !errors.is_empty() {
            return problem::validation(&errors);
        }
        let mut guard = lock(&account.data);
        let data = &mut *guard;
        let mut created = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let name = item
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_owned();
            let lower = name.to_lowercase();
            let tag = match data.tags.iter().find(|(_, n)| n.to_lowercase() == lower) {
                Some(existing) => existing.clone(),
                None => {
                    let tag = (data.next_tag_id, name);
                    data.next_tag_id += 1;
                    data.tags.push(tag.clone());
                    tag
                }
            };
            let request_id = item
                .get("request_id")
                .and_then(Value::as_str)
                .map_or_else(|| i.to_string(), str::to_owned);
            created
                .push(json!({"id": tag.0, "name": tag.1, "color": null, "request_id": request_id}));
        }
        drop(guard);
        problem::hal(
            StatusCode::OK,
            &json!({
                "_links": {"self": {"href": format!("{}/api/v4/leads/tags", self.base())}},
                "_embedded": {"tags": created},
            }),
        )
    }
}
