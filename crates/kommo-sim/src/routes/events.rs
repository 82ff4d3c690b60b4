//! `GET /api/v4/events`: an account's events, newest first, filtered by entity, entity ids,
//! types, author and time, paged with `_links.next` (<https://developers.kommo.com/reference/events-list>).

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::query::{self, first, ids, pairs};
use crate::history::Event;
use crate::problem;
use crate::state::Account;
use crate::sync::lock;

/// Kommo's largest events page.
const MAX_EVENTS_PAGE: usize = 100;

/// Every value given for `filter[name][]`, `filter[name][N]` or `filter[name]` (a comma
/// list is split).
fn texts(pairs: &[(String, String)], name: &str) -> Vec<String> {
    let bare = format!("filter[{name}]");
    pairs
        .iter()
        .filter(|(k, _)| k == &bare || k.starts_with(&format!("{bare}[")))
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

pub(super) fn list(account: &Account, raw_query: Option<&str>, base: &str) -> Response {
    let pairs = pairs(raw_query);
    let entities = texts(&pairs, "entity");
    let entity_ids = ids(&pairs, "entity_id");
    if !entity_ids.is_empty() && entities.len() != 1 {
        return problem::bad_request("filter[entity_id] needs exactly one filter[entity]");
    }
    let types = texts(&pairs, "type");
    let authors = ids(&pairs, "created_by");
    let from = first(&pairs, "filter[created_at][from]").and_then(|v| v.parse::<i64>().ok());
    let to = first(&pairs, "filter[created_at][to]").and_then(|v| v.parse::<i64>().ok());
    let (page, limit) = query::page_and_limit(&pairs);
    let limit = limit.min(MAX_EVENTS_PAGE);
    let data = lock(&account.data);
    let mut events: Vec<&Event> = data
        .history
        .events
        .iter()
        .filter(|e| {
            entities.is_empty()
                || entities
                    .iter()
                    .any(|x| x.trim_end_matches('s') == e.entity_type)
        })
        .filter(|e| entity_ids.is_empty() || entity_ids.contains(&e.entity_id))
        .filter(|e| types.is_empty() || types.iter().any(|t| crate::history::type_matches(t, e)))
        .filter(|e| authors.is_empty() || authors.contains(&e.created_by))
        .filter(|e| from.is_none_or(|from| e.created_at >= from))
        .filter(|e| to.is_none_or(|to| e.created_at <= to))
        .collect();
    events.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let start = (page - 1).saturating_mul(limit);
    let shown: Vec<Value> = events
        .iter()
        .skip(start)
        .take(limit)
        .map(|e| view(account, e, base))
        .collect();
    if shown.is_empty() {
        return problem::no_content();
    }
    let query_without_page: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k != "page" && k != "limit")
        .map(|(k, v)| {
            format!(
                "{}={}",
                form_urlencoded::byte_serialize(k.as_bytes()).collect::<String>(),
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect();
    let href = |page: usize| {
        let mut href = format!("{base}/api/v4/events?page={page}&limit={limit}");
        for pair in &query_without_page {
            href.push('&');
            href.push_str(pair);
        }
        href
    };
    let mut links = json!({"self": {"href": href(page)}});
    if start + limit < events.len() {
        links["next"] = json!({"href": href(page + 1)});
    }
    problem::hal(
        StatusCode::OK,
        &json!({"_page": page, "_links": links, "_embedded": {"events": shown}}),
    )
}

/// An event as Kommo renders it.
fn view(account: &Account, event: &Event, base: &str) -> Value {
    let entity_path = format!("{}s", event.entity_type);
    json!({
        "id": event.id,
        "type": event.kind,
        "entity_id": event.entity_id,
        "entity_type": event.entity_type,
        "created_by": event.created_by,
        "created_at": event.created_at,
        "value_after": event.value_after,
        "value_before": event.value_before,
        "account_id": account.id,
        "_links": {"self": {"href": format!("{base}/api/v4/events/{}", event.id)}},
        "_embedded": {"entity": {
            "id": event.entity_id,
            "_links": {"self": {"href": format!("{base}/api/v4/{entity_path}/{}", event.entity_id)}},
        }},
    })
}
