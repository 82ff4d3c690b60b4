//! Why a Kommo request failed, in words an agent (or a person) can act on.

use std::fmt;

use serde::Serialize;

/// One field Kommo refused in a `validation-errors` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct FieldProblem {
    pub path: String,
    pub code: String,
    pub detail: String,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = self.detail.trim_end_matches('.');
        if self.path.is_empty() {
            write!(f, "{detail} ({})", self.code)
        } else {
            write!(f, "{}: {detail} ({})", self.path, self.code)
        }
    }
}

/// A failed Kommo request. The `Display` text is the reason shown after a tool's failure
/// sentence; it never contains the token or the `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum KommoError {
    #[error(
        "Kommo rejected the token (401 Unauthorized): it is invalid, expired or revoked; generate a new long-lived token for this account"
    )]
    Unauthorized,
    #[error(
        "the Kommo account's subscription has lapsed (402 Payment Required); the account owner must renew it before the API works again"
    )]
    PaymentRequired,
    #[error(
        "Kommo is refusing requests from this server (too many requests); wait before retrying"
    )]
    Blocked,
    #[error("Kommo refused access (403 Forbidden){}: the token's user lacks the rights for this, or the account or IP is blocked", detail_suffix(.detail))]
    Forbidden { detail: Option<String> },
    #[error("Kommo rejected the request (400 Bad Request): {}", join(.problems))]
    Validation { problems: Vec<FieldProblem> },
    #[error("Kommo rejected the request (400 Bad Request){}", detail_suffix(.detail))]
    BadRequest { detail: Option<String> },
    #[error("Kommo could not find {what} (404 Not Found){}", detail_suffix(.detail))]
    NotFound {
        what: String,
        detail: Option<String>,
    },
    #[error("Kommo's rate limit was hit (429 Too Many Requests){}; try again later", .retry_after.map(|s| format!(" and it asks to wait {s} s")).unwrap_or_default())]
    RateLimited { retry_after: Option<u64> },
    #[error(
        "this account's Kommo requests are already going out as fast as its limit allows ({per_second} per second) and this one could not be sent within {seconds} s; try again in a few seconds"
    )]
    Busy { per_second: u32, seconds: u64 },
    #[error("Kommo failed with {status}{}; this is on Kommo's side, try again later", detail_suffix(.detail))]
    Server { status: u16, detail: Option<String> },
    #[error("Kommo answered with unexpected status {status}{}", detail_suffix(.detail))]
    Status { status: u16, detail: Option<String> },
    #[error(
        "Kommo did not answer in time (no reply within {seconds} s); it may be slow or unreachable, try again later"
    )]
    Timeout { seconds: u64 },
    #[error("could not connect to Kommo at {host}: {detail}")]
    Connect { host: String, detail: String },
    #[error("the connection to Kommo broke before an answer arrived: {detail}")]
    Transport { detail: String },
    #[error("Kommo's answer could not be read ({detail})")]
    Decode { detail: String },
    #[error("the HTTP client could not start: {detail}")]
    Client { detail: String },
}

impl KommoError {
    /// The HTTP status behind this error, when there was one.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            KommoError::Unauthorized => Some(401),
            KommoError::PaymentRequired => Some(402),
            KommoError::Blocked | KommoError::Forbidden { .. } => Some(403),
            KommoError::Validation { .. } | KommoError::BadRequest { .. } => Some(400),
            KommoError::NotFound { .. } => Some(404),
            KommoError::RateLimited { .. } => Some(429),
            KommoError::Server { status, .. } | KommoError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A short machine-readable name, for `structuredContent`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            KommoError::Unauthorized => "unauthorized",
            KommoError::PaymentRequired => "payment_required",
            KommoError::Blocked => "blocked",
            KommoError::Forbidden { .. } => "forbidden",
            KommoError::Validation { .. } => "validation",
            KommoError::BadRequest { .. } => "bad_request",
            KommoError::NotFound { .. } => "not_found",
            KommoError::RateLimited { .. } => "rate_limited",
            KommoError::Busy { .. } => "busy",
            KommoError::Server { .. } => "server_error",
            KommoError::Status { .. } => "unexpected_status",
            KommoError::Timeout { .. } => "timeout",
            KommoError::Connect { .. } => "connect",
            KommoError::Transport { .. } => "transport",
            KommoError::Decode { .. } => "decode",
            KommoError::Client { .. } => "client",
        }
    }
}

fn detail_suffix(detail: &Option<String>) -> String {
    match detail {
        Some(detail) if !detail.is_empty() => format!(": {}", detail.trim_end_matches('.')),
        _ => String::new(),
    }
}

fn join(problems: &[FieldProblem]) -> String {
    let parts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    parts.join("; ")
}
