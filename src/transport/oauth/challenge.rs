//! The answers of a resource server that refuses a request (RFC 6750 §3, RFC 9728 §5.1):
//! 401 with `WWW-Authenticate: Bearer resource_metadata="…"` when no token came, adding
//! `error="invalid_token"` when a bad one did; 403 with `error="insufficient_scope"` and the
//! scope needed when the token does not allow the call. Bodies are JSON-RPC errors.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::Response,
};

use crate::transport::reply::{code, json_error};

/// What went wrong, in RFC 6750's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// No credential at all.
    Missing,
    /// A token that is malformed, expired, revoked, for someone else or badly signed.
    InvalidToken,
    /// A valid token without the scope this request needs.
    InsufficientScope(&'static str),
}

impl Challenge {
    /// The `WWW-Authenticate` value; `metadata_url` is the protected-resource metadata.
    pub(crate) fn header_value(self, metadata_url: &str) -> String {
        let mut value = format!("Bearer resource_metadata=\"{metadata_url}\"");
        match self {
            Challenge::Missing => {}
            Challenge::InvalidToken => value.push_str(", error=\"invalid_token\""),
            Challenge::InsufficientScope(scope) => {
                value.push_str(&format!(
                    ", error=\"insufficient_scope\", scope=\"{scope}\""
                ));
            }
        }
        value
    }

    /// The whole answer: 401 or 403, the header, and `message` as a JSON-RPC error.
    pub(crate) fn response(self, metadata_url: &str, message: &str) -> Response {
        let status = match self {
            Challenge::InsufficientScope(_) => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        };
        let mut response = json_error(status, code::INVALID_REQUEST, message);
        if let Ok(value) = HeaderValue::from_str(&self.header_value(metadata_url)) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_challenge_says_what_rfc_6750_asks() {
        let at = "https://mcp.example.com/.well-known/oauth-protected-resource";
        assert_eq!(
            Challenge::Missing.header_value(at),
            format!("Bearer resource_metadata=\"{at}\"")
        );
        assert_eq!(
            Challenge::InvalidToken.header_value(at),
            format!("Bearer resource_metadata=\"{at}\", error=\"invalid_token\"")
        );
        assert_eq!(
            Challenge::InsufficientScope("kommo:write").header_value(at),
            format!(
                "Bearer resource_metadata=\"{at}\", error=\"insufficient_scope\", scope=\"kommo:write\""
            )
        );
        assert_eq!(
            Challenge::InsufficientScope("kommo:read")
                .response(at, "no")
                .status(),
            403
        );
        assert_eq!(Challenge::InvalidToken.response(at, "no").status(), 401);
    }
}
