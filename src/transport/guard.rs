//! Access control for the HTTP server: the `Host`/`Origin` allowlists, authentication
//! (the shared auth token and `[clients.*]` keys, compared in constant time, as `Bearer`
//! or `X-API-Key`; else an OAuth access token as `Bearer`), and the refusal to expose a
//! Kommo token on a public address without it.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    extract::{Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::Response,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tracing::Instrument;

use super::{
    allowlist::{AllowlistError, HostAllowlist, OriginAllowlist},
    caller::Caller,
    oauth::{OAuth, challenge::Challenge},
    reply::{code, json_error, unauthorized},
};
use crate::{config::ClientEntry, secret::Secret};

/// Who may call the server.
pub(crate) struct AccessPolicy {
    auth_token: Option<Secret>,
    clients: Vec<ClientEntry>,
    oauth: Option<Arc<OAuth>>,
    hosts: HostAllowlist,
    origins: OriginAllowlist,
}

impl AccessPolicy {
    pub(crate) fn new(
        auth_token: Option<Secret>,
        clients: Vec<ClientEntry>,
        listen: SocketAddr,
        allowed_hosts: &[String],
        allowed_origins: &[String],
    ) -> Result<Self, AllowlistError> {
        Ok(Self {
            auth_token,
            clients,
            oauth: None,
            hosts: HostAllowlist::new(allowed_hosts, listen)?,
            origins: OriginAllowlist::new(allowed_origins)?,
        })
    }

    /// Also accept OAuth access tokens (`--oauth-issuer`).
    pub(crate) fn with_oauth(mut self, oauth: Arc<OAuth>) -> Self {
        self.oauth = Some(oauth);
        self
    }

    /// The OAuth side, when `--oauth-issuer` is set.
    pub(crate) fn oauth(&self) -> Option<&Arc<OAuth>> {
        self.oauth.as_ref()
    }

    /// The `[clients.*]` keys.
    pub(crate) fn clients(&self) -> &[ClientEntry] {
        &self.clients
    }

    /// Whether every request needs a key or token: an auth token, any `[clients.*]` table
    /// or an OAuth issuer is set (on loopback too).
    pub(crate) fn requires_auth(&self) -> bool {
        self.auth_token.is_some() || !self.clients.is_empty() || self.oauth.is_some()
    }

    /// The caller a request authenticates as: `Ok(None)` when the server needs no key,
    /// `Err(())` when it needs one and the request brings none that is valid.
    fn authenticate(&self, headers: &HeaderMap) -> Result<Option<Caller>, ()> {
        if !self.requires_auth() {
            return Ok(None);
        }
        let presented = presented_key(headers).ok_or(())?;
        if let Some(expected) = &self.auth_token
            && bool::from(presented.as_bytes().ct_eq(expected.expose().as_bytes()))
        {
            return Ok(Some(Caller::shared_token(expected.expose())));
        }
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        // Every entry is compared, so the time taken does not depend on which one matches.
        let mut found = None;
        for client in &self.clients {
            if bool::from(digest.ct_eq(&client.key_sha256)) {
                found = Some(client);
            }
        }
        found.map(|client| Some(Caller::client(client))).ok_or(())
    }

    /// Why a request's `Host` or `Origin` is refused, if it is.
    fn host_or_origin_refusal(&self, headers: &HeaderMap) -> Option<&'static str> {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        match host {
            Some(host) if self.hosts.allows(host) => {}
            Some(_) => return Some("Forbidden: Host header is not allowed (see --allowed-host)"),
            None => return Some("Forbidden: the request has no valid Host header"),
        }
        match headers.get(header::ORIGIN).map(|v| v.to_str()) {
            None => None,
            Some(Ok(origin)) if self.origins.allows(origin, host) => None,
            Some(_) => Some("Forbidden: Origin header is not allowed (see --allowed-origin)"),
        }
    }

    /// Whether the request is authenticated (or needs not be).
    #[cfg(test)]
    fn authorized(&self, headers: &HeaderMap) -> bool {
        self.authenticate(headers).is_ok()
    }
}

/// The header that carries a key without the `Bearer` scheme.
pub(crate) const API_KEY_HEADER: &str = "x-api-key";

/// The credential of `Authorization: Bearer <credential>`, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim())
        .filter(|key| !key.is_empty())
}

/// The key a request presents: `Authorization: Bearer <key>`, else `X-API-Key: <key>`.
pub(crate) fn presented_key(headers: &HeaderMap) -> Option<&str> {
    bearer(headers)
        .or_else(|| {
            headers
                .get(API_KEY_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        })
        .filter(|key| !key.is_empty())
}

/// Middleware: 403 unless `Host` and `Origin` are allowed (DNS-rebinding protection).
pub(crate) async fn check_host_and_origin(
    State(policy): State<Arc<AccessPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(reason) = policy.host_or_origin_refusal(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "refused: {reason}");
        return json_error(StatusCode::FORBIDDEN, code::INVALID_REQUEST, reason);
    }
    next.run(request).await
}

/// Middleware: 401 unless the request brings a valid key or OAuth token (when one is
/// needed); the caller it authenticates as goes into the request's extensions and names
/// the request in logs.
pub(crate) async fn require_auth_token(
    State(policy): State<Arc<AccessPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    match policy.authenticate(request.headers()) {
        Ok(None) => next.run(request).await,
        Ok(Some(caller)) => proceed(caller, request, next).await,
        Err(()) => match policy.oauth() {
            Some(oauth) => {
                let oauth = Arc::clone(oauth);
                with_oauth(&oauth, request, next).await
            }
            None => {
                tracing::warn!(path = %request.uri().path(), "refused: missing or wrong key");
                unauthorized(
                    "this server requires \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\" with the token set by \
                     --auth-token (KOMMO_MCP_AUTH_TOKEN) or a key of a [clients.<name>] table",
                )
            }
        },
    }
}

async fn proceed(caller: Caller, mut request: Request, next: Next) -> Response {
    let span = tracing::info_span!("request", client = %caller.name);
    request.extensions_mut().insert(caller);
    next.run(request).instrument(span).await
}

/// No key matched: the bearer credential must be a valid OAuth access token.
async fn with_oauth(oauth: &OAuth, request: Request, next: Next) -> Response {
    let metadata_url = oauth.metadata_url();
    let Some(token) = bearer(request.headers()) else {
        tracing::warn!(path = %request.uri().path(), "refused: no bearer token");
        return Challenge::Missing.response(
            &metadata_url,
            "this server requires \"Authorization: Bearer <access token>\" from its OAuth authorization server \
             (see the resource_metadata of the WWW-Authenticate header), or a client key",
        );
    };
    match oauth.authenticate(token).await {
        Ok(caller) => proceed(caller, request, next).await,
        Err(refusal) => {
            tracing::warn!(path = %request.uri().path(), "refused: {refusal}");
            match refusal.challenge() {
                Some(challenge) => challenge.response(&metadata_url, &refusal.to_string()),
                None => {
                    let mut response = json_error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        code::INVALID_REQUEST,
                        format!("{refusal}; try again later"),
                    );
                    response.headers_mut().insert(
                        header::RETRY_AFTER,
                        axum::http::HeaderValue::from_static("10"),
                    );
                    response
                }
            }
        }
    }
}

/// Refuses to serve a Kommo token to the network without an auth token.
pub(crate) fn check_exposure(
    listen: SocketAddr,
    has_auth_token: bool,
    holds_kommo_token: bool,
    allow_unauthenticated: bool,
) -> Result<(), String> {
    if listen.ip().is_loopback() || has_auth_token || !holds_kommo_token || allow_unauthenticated {
        return Ok(());
    }
    Err(format!(
        "refusing to listen on {listen} without an auth token: this server holds a Kommo token, and anyone who can reach \
         that address could use it. Set --auth-token (KOMMO_MCP_AUTH_TOKEN), listen on 127.0.0.1, or pass \
         --allow-unauthenticated if something in front of the server already authenticates callers"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::headers;

    fn policy(token: Option<&str>) -> AccessPolicy {
        AccessPolicy::new(
            token.map(Secret::new),
            Vec::new(),
            "127.0.0.1:1".parse().unwrap(),
            &[],
            &[],
        )
        .unwrap()
    }

    #[test]
    fn bearer_token_must_match_exactly() {
        let p = policy(Some("s3cret"));
        assert!(p.authorized(&headers(&[("authorization", "Bearer s3cret")])));
        assert!(p.authorized(&headers(&[("authorization", "bearer s3cret")])));
        assert!(!p.authorized(&headers(&[("authorization", "Bearer s3cre")])));
        assert!(!p.authorized(&headers(&[("authorization", "Bearer s3cret2")])));
        assert!(!p.authorized(&headers(&[("authorization", "Basic s3cret")])));
        assert!(!p.authorized(&headers(&[])));
        assert!(p.authorized(&headers(&[("x-api-key", "s3cret")])));
        assert!(!p.authorized(&headers(&[("x-api-key", "s3cre")])));
        assert!(!p.authorized(&headers(&[("x-api-key", "")])));
        assert!(policy(None).authorized(&headers(&[])));
    }

    #[test]
    fn exposure_rule() {
        let public: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert!(check_exposure(public, false, true, false).is_err());
        assert!(check_exposure(public, true, true, false).is_ok());
        assert!(check_exposure(public, false, true, true).is_ok());
        assert!(check_exposure(public, false, false, false).is_ok());
        assert!(check_exposure(local, false, true, false).is_ok());
    }
}
