//! An in-process fake of Kommo's API v4, used by kommo-mcp's `--sandbox`, `kommo-mcp
//! sandbox`, its tests, the hidden `simulator` subcommand and the benchmark. What it fakes,
//! its `/__sim` control API, its faults and its seed are described in the crate's README;
//! the behaviour it follows is Kommo's public API reference,
//! <https://developers.kommo.com/reference>.

pub mod contact_fields;
mod control;
mod crm;
mod faults;
pub mod history;
mod problem;
mod routes;
pub mod seed;
mod state;
mod sync;
mod tcp;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::serve::ListenerExt;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultBody};
pub use state::{RecordedRequest, SimState};

/// What `GET /api/v4/leads/{id}` answers for a lead that does not exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingLead {
    /// 204, no body, no content type.
    #[default]
    NoContent,
    /// 404 problem+json "Lead not found".
    NotFound,
}

/// How a simulator starts.
#[derive(Clone, Debug)]
pub struct SimulatorOptions {
    pub missing_lead: MissingLead,
    /// Requests per rolling second per account; `None` = no limit.
    pub rate_limit: Option<u32>,
    /// Consecutive 429s on an account before it is blocked (403 on everything).
    pub block_after: Option<u32>,
    /// The `retry_after` body field of a 429.
    pub retry_after_secs: u64,
    /// Also send a `Retry-After` header on 429.
    pub retry_after_header: bool,
}

impl Default for SimulatorOptions {
    fn default() -> SimulatorOptions {
        SimulatorOptions {
            missing_lead: MissingLead::NoContent,
            rate_limit: Some(7),
            block_after: Some(20),
            retry_after_secs: 1,
            retry_after_header: false,
        }
    }
}

/// A running simulator; dropping it stops the server.
pub struct Simulator {
    addr: SocketAddr,
    state: Arc<SimState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Binds 127.0.0.1:0 and serves in a spawned tokio task.
    pub async fn start(options: SimulatorOptions) -> std::io::Result<Simulator> {
        Simulator::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), options).await
    }

    /// Binds `addr` and serves in a spawned tokio task.
    pub async fn start_on(
        addr: SocketAddr,
        options: SimulatorOptions,
    ) -> std::io::Result<Simulator> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(SimState::new(&options));
        state.set_base_url(format!("http://{addr}"));
        let app = Router::new()
            .merge(control::router(&state))
            .fallback(routes::kommo)
            .with_state(Arc::clone(&state));
        let counted = Arc::clone(&state);
        let listener = listener.tap_io(move |tcp| {
            counted.connection_accepted();
            tcp::tune_accepted(tcp);
        });
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            let _ = serve.await;
        });
        Ok(Simulator {
            addr,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// "http://127.0.0.1:PORT/{subdomain}" — the kommo-mcp base-URL template that reaches it.
    pub fn base_url_template(&self) -> String {
        format!("http://{}/{{subdomain}}", self.addr)
    }

    pub fn state(&self) -> &Arc<SimState> {
        &self.state
    }

    /// Stops serving (gracefully, at most 5 s for in-flight requests) and awaits the task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Helpers the simulator's unit tests share: a started simulator with the demo account and
/// a client that talks to it.
#[cfg(test)]
pub(crate) mod testkit {
    use super::{Simulator, SimulatorOptions};
    use serde_json::Value;

    pub(crate) const SUB: &str = "demo";
    pub(crate) const TOKEN: &str = "secret-token";

    /// Options without the rate limit, so functional tests never trip it.
    pub(crate) fn unlimited() -> SimulatorOptions {
        SimulatorOptions {
            rate_limit: None,
            ..SimulatorOptions::default()
        }
    }

    pub(crate) async fn start(options: SimulatorOptions) -> (Simulator, Client) {
        let sim = Simulator::start(options).await.unwrap();
        sim.state().add_demo_account(SUB, TOKEN);
        let client = Client {
            http: reqwest::Client::new(),
            base: sim.base_url_template().replace("{subdomain}", SUB),
            root: format!("http://{}", sim.addr()),
        };
        (sim, client)
    }

    pub(crate) struct Client {
        pub http: reqwest::Client,
        /// "http://127.0.0.1:PORT/demo"
        pub base: String,
        /// "http://127.0.0.1:PORT"
        pub root: String,
    }

    impl Client {
        /// An authorized request to `path` under the demo account.
        pub(crate) fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
            self.http
                .request(method, format!("{}{path}", self.base))
                .bearer_auth(TOKEN)
        }

        pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
            self.req(reqwest::Method::GET, path).send().await.unwrap()
        }

        pub(crate) async fn patch(&self, path: &str, body: &Value) -> reqwest::Response {
            self.req(reqwest::Method::PATCH, path)
                .json(body)
                .send()
                .await
                .unwrap()
        }

        pub(crate) async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
            self.req(reqwest::Method::POST, path)
                .json(body)
                .send()
                .await
                .unwrap()
        }
    }

    /// Status, content type and parsed body (Null when empty).
    pub(crate) async fn parts(response: reqwest::Response) -> (u16, Option<String>, Value) {
        let status = response.status().as_u16();
        let ct = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, ct, body)
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::*;

    #[tokio::test]
    async fn shutdown_stops_serving() {
        let (sim, client) = start(unlimited()).await;
        assert_eq!(client.get("/api/v4/account").await.status(), 200);
        let addr = sim.addr();
        sim.shutdown().await;
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    }

    #[tokio::test]
    async fn drop_stops_serving() {
        let (sim, _client) = start(unlimited()).await;
        let addr = sim.addr();
        drop(sim);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    }

    #[tokio::test]
    async fn counts_accepted_connections() {
        let (sim, client) = start(unlimited()).await;
        assert_eq!(sim.state().connections_accepted(), 0);
        for _ in 0..3 {
            assert_eq!(client.get("/api/v4/account").await.status(), 200);
        }
        assert_eq!(
            sim.state().connections_accepted(),
            1,
            "one pooled connection"
        );
        let fresh = reqwest::Client::new();
        let status = fresh
            .get(format!("{}/api/v4/account", client.base))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
        assert_eq!(
            sim.state().connections_accepted(),
            2,
            "a new client, a new connection"
        );
    }

    #[tokio::test]
    async fn base_url_template_has_placeholder() {
        let (sim, _client) = start(unlimited()).await;
        let t = sim.base_url_template();
        assert!(t.starts_with("http://127.0.0.1:") && t.ends_with("/{subdomain}"));
    }
}
