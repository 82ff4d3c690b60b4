//! Sending one Kommo request (`Sender`): the pooled HTTP client, the account's rate limit, timeouts,
//! and the retry policy (what may be sent again, how often, and how long to wait).

use std::{
    sync::OnceLock,
    time::{Duration, SystemTime},
};

use bytes::Bytes;
use http::{Method, header};
use rand::Rng;
use tokio::time::Instant;
use tracing::{Instrument, Span};

use crate::observe;

use super::{
    Account, ClientSettings, KommoError,
    gate::{Gate, Slot},
    limiter::NotBeforeDeadline,
    problem,
};

/// Whether a request may be sent again after a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replay {
    /// Reads and idempotent PATCHes: retried on 429, 502/503/504, timeouts and broken
    /// connections.
    Safe,
    /// Writes that must never happen twice (notes): retried only when Kommo certainly did
    /// not process them — a 429, or a connection that failed before the request was sent.
    OnlyIfUnsent,
}

/// One request to send: what, where, and how it may be retried.
pub(super) struct Request<'a> {
    pub method: Method,
    pub path: &'a str,
    pub body: Option<Bytes>,
    pub replay: Replay,
    /// Statuses besides 2xx that the caller handles itself (404 for a missing lead).
    pub accept: &'a [u16],
    /// Names the resource in a 404 reason; only called on failure.
    pub what: &'a (dyn Fn() -> String + Sync),
}

impl<'a> Request<'a> {
    pub(super) fn get(path: &'a str, what: &'a (dyn Fn() -> String + Sync)) -> Self {
        Self {
            method: Method::GET,
            path,
            body: None,
            replay: Replay::Safe,
            accept: &[],
            what,
        }
    }

    /// An idempotent write, safe to send again.
    pub(super) fn patch(path: &'a str, body: Bytes, what: &'a (dyn Fn() -> String + Sync)) -> Self {
        Self {
            method: Method::PATCH,
            path,
            body: Some(body),
            replay: Replay::Safe,
            accept: &[],
            what,
        }
    }

    /// A write that must happen at most once.
    pub(super) fn post_once(
        path: &'a str,
        body: Bytes,
        what: &'a (dyn Fn() -> String + Sync),
    ) -> Self {
        Self {
            method: Method::POST,
            path,
            body: Some(body),
            replay: Replay::OnlyIfUnsent,
            accept: &[],
            what,
        }
    }

    pub(super) fn accepting(self, accept: &'a [u16]) -> Self {
        Self { accept, ..self }
    }
}

/// What Kommo answered (a success status, or one the caller said it handles).
pub(super) struct Reply {
    pub status: u16,
    pub body: Bytes,
}

/// At most this many attempts per request (the first try and three retries).
const MAX_ATTEMPTS: u32 = 4;
/// Backoff before retry n is BASE × 2ⁿ, ± half of it as jitter.
const BACKOFF_BASE: Duration = Duration::from_millis(250);
/// A 429 without `retry_after` or `Retry-After` waits this long.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

pub(super) struct Sender {
    client: OnceLock<Result<reqwest::Client, String>>,
    gate: Gate,
    connect_timeout: Duration,
    request_timeout: Duration,
    /// No request, retries included, runs longer than this.
    deadline: Duration,
}

/// How far one request got, for its span.
#[derive(Default)]
struct Progress {
    attempts: u32,
    /// The status of the last answer, if Kommo answered.
    status: Option<u16>,
}

enum Attempt {
    Answer(reqwest::StatusCode, http::HeaderMap, Bytes),
    /// Failed before any byte of the request left (connection refused, DNS, TLS).
    NotSent(String),
    TimedOut,
    /// Broke after the request may have reached Kommo.
    Broken(String),
}

impl Sender {
    pub(super) fn new(settings: &ClientSettings) -> Self {
        Self {
            client: OnceLock::new(),
            gate: Gate::new(settings.rate_limit, settings.redis.clone()),
            connect_timeout: settings.connect_timeout,
            request_timeout: settings.request_timeout,
            deadline: settings.request_timeout * 2,
        }
    }

    /// The shared Redis, when one is configured.
    pub(super) fn redis(&self) -> Option<&std::sync::Arc<crate::redis_link::RedisLink>> {
        self.gate.redis()
    }

    /// The pooled client, built on first use so that commands that never call Kommo do
    /// not pay for TLS set-up at start.
    fn client(&self) -> Result<&reqwest::Client, KommoError> {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .user_agent(concat!("kommo-mcp/", env!("CARGO_PKG_VERSION")))
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.request_timeout)
                    .pool_idle_timeout(Duration::from_secs(90))
                    .tcp_nodelay(true)
                    .build()
                    .map_err(|err| err.to_string())
            })
            .as_ref()
            .map_err(|detail| KommoError::Client {
                detail: detail.clone(),
            })
    }

    /// Sends one request with the account's rate limit and the retry policy. Success
    /// statuses (2xx) and those in `accept` are returned; everything else is an error.
    pub(super) async fn send(
        &self,
        account: &Account,
        request: Request<'_>,
    ) -> Result<Reply, KommoError> {
        self.send_in(account, request, None).await
    }

    /// Waits for a slot of the account's rate limit, as a request would (the coalescer
    /// takes one before it decides what the request carries).
    pub(super) async fn slot(&self, account: &Account) -> Result<Slot, KommoError> {
        let deadline = Instant::now() + self.deadline;
        self.gate
            .acquire(account.api_root(), deadline)
            .await
            .map_err(|refused| self.refusal(refused))
    }

    fn refusal(&self, refused: NotBeforeDeadline) -> KommoError {
        match refused {
            NotBeforeDeadline::Held(wait) => KommoError::RateLimited {
                retry_after: Some(whole_seconds(wait)),
            },
            NotBeforeDeadline::Queued => KommoError::Busy {
                per_second: self.gate.per_second(),
                seconds: whole_seconds(self.deadline),
            },
        }
    }

    /// `send`, whose first attempt uses `first` when given (a slot already taken); in
    /// the request's OpenTelemetry span when tracing is on.
    pub(super) async fn send_in(
        &self,
        account: &Account,
        request: Request<'_>,
        first: Option<Slot>,
    ) -> Result<Reply, KommoError> {
        let span = observe::otel::kommo_request_span(
            &request.method,
            request.path,
            account.subdomain().as_str(),
        );
        let mut progress = Progress::default();
        if span.is_none() {
            return self
                .send_attempts(account, request, first, &mut progress)
                .await;
        }
        span.record("server.address", host_of(account.api_root()));
        let result = self
            .send_attempts(account, request, first, &mut progress)
            .instrument(span.clone())
            .await;
        observe::otel::kommo_request_ended(
            &span,
            progress.status,
            progress.attempts.saturating_sub(1),
            result.as_ref().err().map(KommoError::kind),
        );
        result
    }

    /// Every attempt of one request, noting in `progress` how far it got.
    async fn send_attempts(
        &self,
        account: &Account,
        request: Request<'_>,
        mut first: Option<Slot>,
        progress: &mut Progress,
    ) -> Result<Reply, KommoError> {
        let Request {
            method,
            path,
            body,
            replay,
            accept,
            what,
        } = request;
        let client = self.client()?;
        let url = format!("{}{}", account.api_root(), path);
        let started = Instant::now();
        let deadline = started + self.deadline;
        let api_root = account.api_root();
        let mut throttled = false;
        let mut attempt = 0;
        let subdomain = account.subdomain().as_str();
        loop {
            attempt += 1;
            progress.attempts = attempt;
            let queued = Instant::now();
            let acquired = match first.take() {
                Some(slot) => Ok(slot),
                None => self.gate.acquire(api_root, deadline).await,
            };
            let permit = match acquired {
                Ok(permit) => {
                    observe::metrics::record_rate_limit_wait(queued.elapsed());
                    permit
                }
                Err(refused) => {
                    tracing::debug!(%method, path, attempt, reason = %refused, "kommo request not sent");
                    return Err(self.refusal(refused));
                }
            };
            tracing::trace!(%method, path, attempt, "kommo request sending");
            let sent = Instant::now();
            let remaining = deadline.saturating_duration_since(sent);
            let outcome = self
                .attempt(
                    client,
                    account,
                    &method,
                    &url,
                    body.clone(),
                    remaining.min(self.request_timeout),
                )
                .await;
            // Answered (or failed): the slot's last window starts now.
            drop(permit);
            note_attempt(subdomain, &method, path, &outcome, sent.elapsed());
            let retry_wait = match outcome {
                Attempt::Answer(status, headers, bytes) => {
                    let code = status.as_u16();
                    progress.status = Some(code);
                    tracing::debug!(%method, path, status = code, attempt, elapsed_ms = started.elapsed().as_millis() as u64, "kommo answered");
                    if status.is_success() || accept.contains(&code) {
                        return Ok(Reply {
                            status: code,
                            body: bytes,
                        });
                    }
                    match code {
                        429 => {
                            observe::metrics::record_rate_limited(subdomain);
                            throttled = true;
                            let wait = retry_after(&headers, &bytes, SystemTime::now())
                                .unwrap_or(DEFAULT_RETRY_AFTER);
                            self.gate.throttled(api_root, wait).await;
                            let error = KommoError::RateLimited {
                                retry_after: Some(whole_seconds(wait)),
                            };
                            self.retry_or(error, attempt, deadline, wait)?
                        }
                        403 if throttled || self.gate.recently_throttled(api_root).await => {
                            observe::metrics::record_blocked(subdomain);
                            return Err(KommoError::Blocked);
                        }
                        502..=504 if replay == Replay::Safe => self.retry_or(
                            problem::classify(code, &bytes, &what()),
                            attempt,
                            deadline,
                            backoff(attempt),
                        )?,
                        _ => return Err(problem::classify(code, &bytes, &what())),
                    }
                }
                Attempt::NotSent(detail) => {
                    tracing::debug!(%method, path, attempt, %detail, "kommo connection failed");
                    let error = KommoError::Connect {
                        host: host_of(account.api_root()),
                        detail,
                    };
                    self.retry_or(error, attempt, deadline, backoff(attempt))?
                }
                Attempt::TimedOut => {
                    tracing::debug!(%method, path, attempt, "kommo timed out");
                    let error = KommoError::Timeout {
                        seconds: self.request_timeout.as_secs().max(1),
                    };
                    if replay != Replay::Safe {
                        return Err(error);
                    }
                    self.retry_or(error, attempt, deadline, backoff(attempt))?
                }
                Attempt::Broken(detail) => {
                    tracing::debug!(%method, path, attempt, %detail, "kommo connection broke");
                    let error = KommoError::Transport { detail };
                    if replay != Replay::Safe {
                        return Err(error);
                    }
                    self.retry_or(error, attempt, deadline, backoff(attempt))?
                }
            };
            tokio::time::sleep(retry_wait).await;
        }
    }

    /// Gives up with `error` when the attempts or the deadline are spent, else says how
    /// long to wait before the next attempt.
    fn retry_or(
        &self,
        error: KommoError,
        attempt: u32,
        deadline: Instant,
        wait: Duration,
    ) -> Result<Duration, KommoError> {
        if attempt >= MAX_ATTEMPTS || Instant::now() + wait >= deadline {
            Err(error)
        } else {
            Ok(wait)
        }
    }

    async fn attempt(
        &self,
        client: &reqwest::Client,
        account: &Account,
        method: &Method,
        url: &str,
        body: Option<Bytes>,
        timeout: Duration,
    ) -> Attempt {
        let mut request = client
            .request(method.clone(), url)
            .header(header::AUTHORIZATION, account.authorization().clone())
            .header(header::ACCEPT, "application/json")
            .timeout(timeout);
        if observe::otel::enabled() {
            // Sent inside the request's span (`send_in`): its context goes to Kommo.
            let mut context = http::HeaderMap::new();
            observe::otel::inject(&Span::current(), &mut context);
            request = request.headers(context);
        }
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => return classify_send_error(&err),
        };
        let status = response.status();
        let headers = response.headers().clone();
        match response.bytes().await {
            Ok(bytes) => Attempt::Answer(status, headers, bytes),
            Err(err) if err.is_timeout() => Attempt::TimedOut,
            Err(err) => Attempt::Broken(error_text(&err)),
        }
    }
}

/// Metrics and the call's trace for one attempt.
fn note_attempt(
    subdomain: &str,
    method: &Method,
    path: &str,
    outcome: &Attempt,
    elapsed: Duration,
) {
    let (class, request_id) = match outcome {
        Attempt::Answer(status, headers, _) => (
            observe::metrics::status_class(status.as_u16()),
            headers
                .get("x-request-id")
                .and_then(|value| value.to_str().ok()),
        ),
        Attempt::NotSent(_) => ("connect_error", None),
        Attempt::TimedOut => ("timeout", None),
        Attempt::Broken(_) => ("transport_error", None),
    };
    observe::kommo_attempt(subdomain, method, path, class, elapsed, request_id);
}

fn classify_send_error(err: &reqwest::Error) -> Attempt {
    if err.is_connect() {
        Attempt::NotSent(error_text(err))
    } else if err.is_timeout() {
        Attempt::TimedOut
    } else {
        Attempt::Broken(error_text(err))
    }
}

/// The error and its causes on one line, without the URL (it is known to the caller).
fn error_text(err: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(err);
    while let Some(cause) = source {
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if text.is_empty() {
        text = err.to_string();
    }
    text
}

fn host_of(api_root: &str) -> String {
    api_root
        .split_once("://")
        .map_or(api_root, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn backoff(attempt: u32) -> Duration {
    let base = BACKOFF_BASE * 2u32.saturating_pow(attempt.saturating_sub(1));
    let jitter = rand::rng().random_range(0.5..1.5);
    base.mul_f64(jitter)
}

/// The wait a 429 asks for: the longer of the `Retry-After` header (seconds or an HTTP
/// date) and the body's `retry_after` (seconds); `None` when neither is there.
fn retry_after(headers: &http::HeaderMap, body: &[u8], now: SystemTime) -> Option<Duration> {
    let header = headers
        .get(header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .and_then(|text| match text.parse::<u64>() {
            Ok(seconds) => Some(Duration::from_secs(seconds)),
            Err(_) => httpdate::parse_http_date(text)
                .ok()
                .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO)),
        });
    let body = problem::retry_after_from_body(body).map(Duration::from_secs);
    header.max(body)
}

/// A duration in whole seconds, rounded up (a wait of 0.2 s is "1 s", never "0 s").
fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_the_longer_of_the_header_and_the_body() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = http::HeaderMap::new();
        assert_eq!(
            retry_after(&headers, br#"{"retry_after":3}"#, now),
            Some(Duration::from_secs(3))
        );
        headers.insert(header::RETRY_AFTER, http::HeaderValue::from_static("2"));
        assert_eq!(
            retry_after(&headers, br#"{"retry_after":3}"#, now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after(&headers, b"<html>", now),
            Some(Duration::from_secs(2))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(7));
        headers.insert(header::RETRY_AFTER, date.parse().unwrap());
        assert_eq!(
            retry_after(&headers, b"", now),
            Some(Duration::from_secs(7))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        headers.insert(header::RETRY_AFTER, past.parse().unwrap());
        assert_eq!(retry_after(&headers, b"", now), Some(Duration::ZERO));
        assert_eq!(retry_after(&http::HeaderMap::new(), b"<html>", now), None);
        assert_eq!(whole_seconds(Duration::from_millis(200)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(2)), 2);
    }

    #[test]
    fn backoff_grows_and_is_jittered() {
        for attempt in 1..4 {
            let wait = backoff(attempt);
            let base = BACKOFF_BASE * 2u32.pow(attempt - 1);
            assert!(wait >= base / 2 && wait <= base * 3 / 2, "{wait:?}");
        }
        assert_eq!(host_of("https://acme.kommo.com"), "acme.kommo.com");
        assert_eq!(host_of("http://127.0.0.1:9/acme"), "127.0.0.1:9");
    }
}
