//! `GET /api/v4/users` (`with=group` embeds each user's group; `with=role` its roles) and
//! `GET /api/v4/leads/loss_reasons`, one page each (<https://developers.kommo.com/reference/users-list>,
//! <https://developers.kommo.com/reference/loss-reasons>).

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::query::{self, pairs};
use crate::problem;
use crate::state::Account;
use crate::sync::lock;

pub(super) fn users(account: &Account, raw_query: Option<&str>, base: &str) -> Response {
    let pairs = pairs(raw_query);
    let with_group = query::with(&pairs, "group");
    let with_role = query::with(&pairs, "role");
    let (page, limit) = query::page_and_limit(&pairs);
    let data = lock(&account.data);
    let users: Vec<Value> = data
        .history
        .users
        .iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .map(|user| {
            let mut embedded = json!({});
            if with_group {
                embedded["groups"] = json!(
                    user.group
                        .iter()
                        .map(|(id, name)| json!({"id": id, "name": name}))
                        .collect::<Vec<_>>()
                );
            }
            if with_role {
                embedded["roles"] = json!([]);
            }
            json!({
                "id": user.id,
                "name": user.name,
                "email": user.email,
                "lang": "en",
                "rights": {
                    "is_admin": user.is_admin,
                    "is_free": false,
                    "is_active": user.is_active,
                    "group_id": user.group.map(|(id, _)| id),
                    "role_id": null,
                },
                "_links": {"self": {"href": format!("{base}/api/v4/users/{}", user.id)}},
                "_embedded": embedded,
            })
        })
        .collect();
    if users.is_empty() {
        return problem::no_content();
    }
    let total = data.history.users.len();
    let mut links =
        json!({"self": {"href": format!("{base}/api/v4/users?page={page}&limit={limit}")}});
    if page * limit < total {
        links["next"] =
            json!({"href": format!("{base}/api/v4/users?page={}&limit={limit}", page + 1)});
    }
    problem::hal(
        StatusCode::OK,
        &json!({"_total_items": total, "_page": page, "_links": links, "_embedded": {"users": users}}),
    )
}

pub(super) fn loss_reasons(account: &Account, base: &str) -> Response {
    let data = lock(&account.data);
    let reasons: Vec<Value> = data
        .history
        .loss_reasons
        .iter()
        .map(|(id, name, sort)| {
            json!({
                "id": id,
                "name": name,
                "sort": sort,
                "created_at": 1_582_117_280,
                "updated_at": 1_582_117_280,
                "_links": {"self": {"href": format!("{base}/api/v4/leads/loss_reasons/{id}")}},
            })
        })
        .collect();
    if reasons.is_empty() {
        return problem::no_content();
    }
    problem::hal(
        StatusCode::OK,
        &json!({
            "_total_items": reasons.len(),
            "_page": 1,
            "_links": {"self": {"href": format!("{base}/api/v4/leads/loss_reasons?page=1&limit=250")}},
            "_embedded": {"loss_reasons": reasons},
        }),
    )
}
