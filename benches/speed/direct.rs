//! The baseline: a direct GET+PATCH to the simulator over one keep-alive connection, the
//! same two Kommo requests `move_lead` makes (its pipelines check is served from cache).

use std::time::Instant;

use serde_json::json;

pub struct Direct {
    client: reqwest::Client,
    root: String,
    token: String,
}

impl Direct {
    pub fn new(root: String, token: &str) -> Self {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .tcp_nodelay(true)
            .build()
            .expect("client");
        Self {
            client,
            root,
            token: token.to_owned(),
        }
    }

    /// GET then PATCH of one lead; returns the wall time in milliseconds.
    pub async fn get_and_patch(&self, lead_id: i64, status_id: i64) -> f64 {
        let started = Instant::now();
        let url = format!("{}/api/v4/leads/{lead_id}", self.root);
        let got = self
            .client
            .get(&url)
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        assert_eq!(got.status(), 200);
        let _ = got.bytes().await;
        let patched = self
            .client
            .patch(&url)
            .bearer_auth(&self.token)
            .json(&json!({"pipeline_id": 1001, "status_id": status_id}))
            .send()
            .await
            .expect("PATCH");
        assert_eq!(patched.status(), 200);
        let _ = patched.bytes().await;
        started.elapsed().as_secs_f64() * 1000.0
    }
}
