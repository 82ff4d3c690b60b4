//! `GET /api/v4/leads/pipelines`, one pipeline, and its statuses.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::Ctx;
use crate::problem;
use crate::state::{Account, Pipeline};

impl Ctx<'_> {
    pub(super) fn status_json(&self, account: &Account, pipeline: &Pipeline) -> Vec<Value> {
        let base = self.base();
        pipeline
            .statuses
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "name": s.name,
                    "sort": s.sort,
                    "is_editable": s.is_editable,
                    "pipeline_id": pipeline.id,
                    "color": s.color,
                    "type": s.kind,
                    "account_id": account.id,
                    // the status descriptions an admin writes per user level; none here
                    "descriptions": [],
                    "_links": {"self": {"href": format!("{base}/api/v4/leads/pipelines/{}/statuses/{}", pipeline.id, s.id)}},
                })
            })
            .collect()
    }

    pub(super) fn pipeline_json(&self, account: &Account, pipeline: &Pipeline) -> Value {
        json!({
            "id": pipeline.id,
            "name": pipeline.name,
            "sort": pipeline.sort,
            "is_main": pipeline.is_main,
            "is_unsorted_on": true,
            "is_archive": false,
            "account_id": account.id,
            "_links": {"self": {"href": format!("{}/api/v4/leads/pipelines/{}", self.base(), pipeline.id)}},
            "_embedded": {"statuses": self.status_json(account, pipeline)},
        })
    }

    pub(super) fn pipelines(&self, account: &Account) -> Response {
        let pipelines: Vec<Value> = account
            .pipelines()
            .iter()
            .map(|p| self.pipeline_json(account, p))
            .collect();
        problem::hal(
            StatusCode::OK,
            &json!({
                "_total_items": pipelines.len(),
                "_links": {"self": {"href": format!("{}/api/v4/leads/pipelines", self.base())}},
                "_embedded": {"pipelines": pipelines},
            }),
        )
    }

    pub(super) fn statuses(&self, account: &Account, pipeline: &Pipeline) -> Response {
        let statuses = self.status_json(account, pipeline);
        problem::hal(
            StatusCode::OK,
            &json!({
                "_total_items": statuses.len(),
                "_links": {"self": {"href": format!("{}/api/v4/leads/pipelines/{}/statuses", self.base(), pipeline.id)}},
                "_embedded": {"statuses": statuses},
            }),
        )
    }
}
