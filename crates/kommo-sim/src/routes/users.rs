//! `GET /api/v4/users` (paged with `page` and `limit`): the users every simulated account
//! has — two active salespeople, one with an accented name, and one deactivated user.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::Ctx;
use crate::problem;
use crate::seed::USER_ID;

/// `(id, name, e-mail, active)` of the seeded users; the first is the token's owner.
pub(crate) const USERS: &[(i64, &str, &str, bool)] = &[
    (USER_ID, "Ana Souza", "ana.souza@example.com", true),
    (USER_ID + 1, "Bruno Díaz", "bruno.diaz@example.com", true),
    (
        USER_ID + 2,
        "Olga Ivanova",
        "olga.ivanova@example.com",
        false,
    ),
    (USER_ID + 3, "Ana Souza", "ana.s@example.com", true),
];

fn user_json(base: &str, (id, name, email, active): (i64, &str, &str, bool)) -> Value {
    json!({
        "id": id,
        "name": name,
        "email": email,
        "lang": "en",
        "rights": {"is_active": active, "is_admin": id == USER_ID, "group_id": null},
        "_links": {"self": {"href": format!("{base}/api/v4/users/{id}")}},
    })
}

impl Ctx<'_> {
    /// One page of the users, with a `next` link while more remain.
    pub(super) fn users(&self) -> Response {
        let limit = self
            .query_usize("limit")
            .unwrap_or(super::DEFAULT_LIMIT)
            .clamp(1, super::MAX_LIMIT);
        let page = self.query_usize("page").unwrap_or(1).max(1);
        let base = self.base();
        let start = (page - 1).saturating_mul(limit);
        let items: Vec<Value> = USERS
            .iter()
            .skip(start)
            .take(limit)
            .map(|user| user_json(&base, *user))
            .collect();
        if items.is_empty() {
            return problem::no_content();
        }
        let mut links =
            json!({"self": {"href": format!("{base}/api/v4/users?page={page}&limit={limit}")}});
        if start + limit < USERS.len() {
            links["next"] =
                json!({"href": format!("{base}/api/v4/users?page={}&limit={limit}", page + 1)});
        }
        problem::hal(
            StatusCode::OK,
            &json!({"_total_items": USERS.len(), "_page": page, "_links": links, "_embedded": {"users": items}}),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;

    #[tokio::test]
    async fn users_page_with_next_links() {
        let (_sim, client) = start(unlimited()).await;
        let (status, _, body) = parts(client.get("/api/v4/users?page=1&limit=3").await).await;
        assert_eq!(status, 200);
        assert_eq!(body["_embedded"]["users"].as_array().unwrap().len(), 3);
        assert_eq!(body["_embedded"]["users"][2]["rights"]["is_active"], false);
        assert!(
            body["_links"]["next"]["href"]
                .as_str()
                .unwrap()
                .ends_with("page=2&limit=3")
        );
        let (status, _, body) = parts(client.get("/api/v4/users?page=2&limit=3").await).await;
        assert_eq!(status, 200);
        assert_eq!(body["_embedded"]["users"][0]["email"], "ana.s@example.com");
        assert!(body["_links"].get("next").is_none());
    }
}
