//! The cost of OpenTelemetry tracing: `move_lead` over stdio with the `OTEL_*` environment
//! pointing at a local OTLP/HTTP receiver (this module's: it answers every `POST /v1/traces`
//! with 200 and counts the exports), against the untraced figure measured just before.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use axum::{Router, extract::State, routing::post};

use crate::{direct::Direct, ms, report::Row, stdio, util::Samples};

/// A receiver that accepts every export and counts the requests and their bytes.
pub struct Receiver {
    pub endpoint: String,
    exports: Arc<AtomicUsize>,
    bytes: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Self {
        let exports = Arc::new(AtomicUsize::new(0));
        let bytes = Arc::new(AtomicUsize::new(0));
        let counters = (Arc::clone(&exports), Arc::clone(&bytes));
        let app = Router::new()
            .route(
                "/v1/traces",
                post(
                    |State((exports, bytes)): State<(Arc<AtomicUsize>, Arc<AtomicUsize>)>,
                     body: axum::body::Bytes| async move {
                        exports.fetch_add(1, Ordering::Relaxed);
                        bytes.fetch_add(body.len(), Ordering::Relaxed);
                        // An empty ExportTraceServiceResponse.
                        (
                            [("content-type", "application/x-protobuf")],
                            Vec::<u8>::new(),
                        )
                    },
                ),
            )
            .with_state(counters);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the OTLP receiver");
        let addr = listener.local_addr().expect("receiver address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            endpoint: format!("http://{addr}"),
            exports,
            bytes,
            task,
        }
    }

    pub fn exports(&self) -> usize {
        self.exports.load(Ordering::Relaxed)
    }

    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `move_lead` overhead (call − direct GET+PATCH, as the untraced figure) with every span
/// exported to `receiver`, in batches every 200 ms, so the exports run during the calls.
pub async fn move_lead_overhead(
    account_args: &[String],
    receiver: &Receiver,
    direct: &Direct,
    calls: usize,
) -> (Samples, Samples) {
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint.as_str()),
        ("OTEL_SERVICE_NAME", "kommo-mcp-bench"),
        ("OTEL_BSP_SCHEDULE_DELAY", "200"),
    ]
    .map(|(key, value)| (key.to_owned(), value.to_owned()));
    stdio::move_lead_overhead(account_args, &env, direct, calls).await
}

/// The report's row and note: the traced overhead next to `untraced` (the same figure with
/// tracing off, measured just before). Fails if no span reached the receiver.
pub async fn figure(
    account_args: &[String],
    direct: &Direct,
    calls: usize,
    untraced: &Samples,
) -> Result<(Row, String), String> {
    eprintln!("bench: move_lead over stdio, traced ({calls} calls)…");
    let receiver = Receiver::start().await;
    let (traced, _) = move_lead_overhead(account_args, &receiver, direct, calls).await;
    if receiver.exports() == 0 {
        return Err("the traced server exported no spans to the local OTLP receiver".to_owned());
    }
    let row = Row::new(
        "`move_lead` overhead with OpenTelemetry tracing on (stdio)",
        format!(
            "median {} · p90 {} · median {:+.3} ms over untraced",
            ms(traced.median()),
            ms(traced.percentile(90.0)),
            traced.median() - untraced.median()
        ),
        "—",
        None,
    );
    let note = format!(
        "Tracing on: `OTEL_EXPORTER_OTLP_ENDPOINT` names a local OTLP/HTTP receiver in the harness that answers \
         every export with 200; spans go in batches every 200 ms (`OTEL_BSP_SCHEDULE_DELAY`), so their export runs \
         during the calls: {} exports, {} bytes of protobuf. Tracing off (every other figure) costs one atomic \
         read per span site: no exporter, no OpenTelemetry layer.",
        receiver.exports(),
        receiver.bytes()
    );
    Ok((row, note))
}
