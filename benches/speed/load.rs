//! The load generator's pieces: the request bodies every path sends, and the loops that
//! keep 16 connections busy for a while and count what they got.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

pub const TOOLS_LIST: &[u8] = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
const MOVE_A: &[u8] = br#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"move_lead","arguments":{"lead_id":9001,"pipeline_id":1001,"status_id":2003}}}"#;
const MOVE_B: &[u8] = br#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"move_lead","arguments":{"lead_id":9001,"pipeline_id":1001,"status_id":2002}}}"#;

pub fn move_body(i: u64) -> &'static [u8] {
    if i.is_multiple_of(2) { MOVE_A } else { MOVE_B }
}

/// Result of a throughput run.
pub struct Throughput {
    pub per_second: f64,
    pub errors: u64,
    pub first_error: Option<String>,
}

/// Runs `connections` loops for `duration`; `make(loop, iteration)` sends one request
/// (each loop uses its own keep-alive connection).
pub async fn throughput<F, Fut>(connections: usize, duration: Duration, make: F) -> Throughput
where
    F: Fn(usize, u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for connection in 0..connections {
        let (ok, errors, first_error, make) = (
            ok.clone(),
            errors.clone(),
            first_error.clone(),
            make.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while Instant::now() < deadline {
                match make(connection, i).await {
                    Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(error) => {
                        first_error
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_or_insert(error);
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
                i += 1;
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let first_error = first_error.lock().unwrap_or_else(|e| e.into_inner()).take();
    Throughput {
        per_second: ok.load(Ordering::Relaxed) as f64 / elapsed,
        errors: errors.load(Ordering::Relaxed),
        first_error,
    }
}

/// Like [`throughput`], but each loop owns its client (`make(client, iteration)`); the
/// clients are handed back afterwards (to close their sessions).
pub async fn throughput_owned<C, F>(
    clients: Vec<C>,
    duration: Duration,
    make: F,
) -> (Throughput, Vec<C>)
where
    C: Send + 'static,
    F: for<'a> Fn(
            &'a mut C,
            u64,
        )
            -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>
        + Clone
        + Send
        + 'static,
{
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for mut client in clients {
        let (ok, errors, first_error, make) = (
            ok.clone(),
            errors.clone(),
            first_error.clone(),
            make.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while Instant::now() < deadline {
                match make(&mut client, i).await {
                    Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(error) => {
                        first_error
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_or_insert(error);
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
                i += 1;
            }
            client
        }));
    }
    let mut returned = Vec::new();
    for task in tasks {
        if let Ok(client) = task.await {
            returned.push(client);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let first_error = first_error.lock().unwrap_or_else(|e| e.into_inner()).take();
    let result = Throughput {
        per_second: ok.load(Ordering::Relaxed) as f64 / elapsed,
        errors: errors.load(Ordering::Relaxed),
        first_error,
    };
    (result, returned)
}
