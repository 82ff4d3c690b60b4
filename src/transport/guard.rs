//! Access control for the HTTP server: the `Host`/`Origin` allowlists, the bearer auth
//! token (compared in constant time), and the refusal to expose a Kommo token on a
//! public address without one.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    extract::{Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::Response,
};
use subtle::ConstantTimeEq;

use super::{
    allowlist::{AllowlistError, HostAllowlist, OriginAllowlist},
    reply::{code, json_error, unauthorized},
};
use crate::secret::Secret;

/// Who may call the server.
pub struct AccessPolicy {
    auth_token: Option<Secret>,
    hosts: HostAllowlist,
    origins: OriginAllowlist,
}

impl AccessPolicy {
    pub fn new(
        auth_token: Option<Secret>,
        listen: SocketAddr,
        allowed_hosts: &[String],
        allowed_origins: &[String],
    ) -> Result<Self, AllowlistError> {
        Ok(Self {
            auth_token,
            hosts: HostAllowlist::new(allowed_hosts, listen)?,
            origins: OriginAllowlist::new(allowed_origins)?,
        })
    }

    pub fn requires_auth(&self) -> bool {
        self.auth_token.is_some()
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

    /// Whether the request carries `Authorization: Bearer <the auth token>`.
    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.auth_token else {
            return true;
        };
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some((scheme, presented)) = value.trim().split_once(' ') else {
            return false;
        };
        scheme.eq_ignore_ascii_case("bearer")
            && bool::from(
                presented
                    .trim()
                    .as_bytes()
                    .ct_eq(expected.expose().as_bytes()),
            )
    }
}

/// Middleware: 403 unless `Host` and `Origin` are allowed (DNS-rebinding protection).
pub async fn check_host_and_origin(
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

/// Middleware: 401 unless the request brings the auth token (when one is set).
pub async fn require_auth_token(
    State(policy): State<Arc<AccessPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    if !policy.authorized(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "refused: missing or wrong bearer token");
        return unauthorized(
            "this server requires \"Authorization: Bearer <token>\" with the token set by --auth-token (KOMMO_MCP_AUTH_TOKEN)",
        );
    }
    next.run(request).await
}

/// Refuses to serve a Kommo token to the network without an auth token.
pub fn check_exposure(
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

    fn policy(token: Option<&str>) -> AccessPolicy {
        AccessPolicy::new(
            token.map(Secret::new),
            "127.0.0.1:1".parse().unwrap(),
            &[],
            &[],
        )
        .unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
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
