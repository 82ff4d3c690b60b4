//! `GET /api/v4/leads/loss_reasons`: the loss reasons every simulated account has.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::Ctx;
use crate::problem;

/// `(id, name)` of the seeded loss reasons.
pub(crate) const LOSS_REASONS: &[(i64, &str)] = &[
    (8101, "Preço alto"),
    (8102, "Sin respuesta"),
    (8103, "Competidor"),
];

impl Ctx<'_> {
    pub(super) fn loss_reasons(&self) -> Response {
        let base = self.base();
        let items: Vec<Value> = LOSS_REASONS
            .iter()
            .enumerate()
            .map(|(sort, (id, name))| {
                json!({
                    "id": id,
                    "name": name,
                    "sort": (sort + 1) * 10,
                    "created_at": 1_700_000_000,
                    "updated_at": 1_700_000_000,
                    "_links": {"self": {"href": format!("{base}/api/v4/leads/loss_reasons/{id}")}},
                })
            })
            .collect();
        problem::hal(
            StatusCode::OK,
            &json!({"_total_items": items.len(), "_links": {"self": {"href": format!("{base}/api/v4/leads/loss_reasons")}}, "_embedded": {"loss_reasons": items}}),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;

    #[tokio::test]
    async fn loss_reasons_list() {
        let (_sim, client) = start(unlimited()).await;
        let (status, _, body) = parts(client.get("/api/v4/leads/loss_reasons").await).await;
        assert_eq!(status, 200);
        assert_eq!(body["_embedded"]["loss_reasons"][0]["name"], "Preço alto");
        assert_eq!(
            body["_embedded"]["loss_reasons"].as_array().unwrap().len(),
            3
        );
    }
}
