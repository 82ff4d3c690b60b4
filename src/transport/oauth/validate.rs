//! Checks one JWT access token: only RS256, ES256 and EdDSA signatures (never `alg: none`,
//! never HMAC, so a public key can never be used as a shared secret), verified with the
//! issuer's keys; `iss` exactly the issuer; `aud` (a string or an array) one of ours
//! (RFC 8707); `exp` required and `nbf` honoured, both with [`LEEWAY_SECONDS`] of clock skew;
//! a header with `crit` refused (RFC 7515 §4.1.11: this server understands no extension).

use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde_json::{Map, Value};

/// Clock skew allowed on `exp` and `nbf`.
pub(crate) const LEEWAY_SECONDS: u64 = 30;

/// The signature algorithms accepted.
pub(super) const ALGORITHMS: [Algorithm; 3] =
    [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];

/// Why a token is not valid; the text goes into the 401 answer's body (never the token).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum TokenError {
    #[error("the token is not a signed JWT")]
    Malformed,
    #[error("the token's algorithm {0} is not accepted (RS256, ES256 or EdDSA only)")]
    Algorithm(String),
    #[error("the token's signature does not verify")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet (nbf)")]
    NotYetValid,
    #[error("the token was not issued by the configured issuer")]
    Issuer,
    #[error("the token's audience is not this server")]
    Audience,
    #[error("the token lacks the {0} claim")]
    Missing(String),
    #[error("the token's header lists critical extensions (crit) this server does not understand")]
    Critical,
    #[error("the token is not valid: {0}")]
    Other(String),
}

/// The header fields that pick the key: the algorithm (one of [`ALGORITHMS`]) and `kid`.
pub(super) fn header(token: &str) -> Result<(Algorithm, Option<String>), TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|err| match err.kind() {
        // The crate knows no "none": that and any other unknown name land here.
        ErrorKind::Json(_) => {
            raw_algorithm(token).map_or(TokenError::Malformed, TokenError::Algorithm)
        }
        _ => TokenError::Malformed,
    })?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(TokenError::Algorithm(format!("{:?}", header.alg)));
    }
    // The crate ignores `crit`; any entry names an extension the token's meaning depends
    // on, and an empty list is not allowed at all.
    if raw_header(token).is_none_or(|raw| raw.get("crit").is_some()) {
        return Err(TokenError::Critical);
    }
    Ok((header.alg, header.kid))
}

/// The header as JSON, read without the crate (which drops the members it does not know).
fn raw_header(token: &str) -> Option<Value> {
    use base64::Engine;
    let encoded = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The `alg` a header names, read without the crate (for the message about `none`).
fn raw_algorithm(token: &str) -> Option<String> {
    let header = raw_header(token)?;
    let alg = header.get("alg")?.as_str()?;
    Some(
        alg.chars()
            .take(16)
            .filter(char::is_ascii_graphic)
            .collect(),
    )
}

/// The claims of `token` once it verifies with one of `keys` and passes every check.
pub(super) fn claims(
    token: &str,
    algorithm: Algorithm,
    keys: &[DecodingKey],
    issuer: &str,
    audiences: &[String],
) -> Result<Map<String, Value>, TokenError> {
    let mut validation = Validation::new(algorithm);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_issuer(&[issuer]);
    validation.set_audience(audiences);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    let mut last = TokenError::Signature;
    for key in keys {
        match jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) {
            Ok(data) => return Ok(data.claims),
            Err(err) => {
                let error = classify(err.kind());
                if error != TokenError::Signature {
                    return Err(error);
                }
                last = error;
            }
        }
    }
    Err(last)
}

fn classify(kind: &ErrorKind) -> TokenError {
    match kind {
        ErrorKind::InvalidSignature | ErrorKind::InvalidKeyFormat | ErrorKind::InvalidAlgorithm => {
            TokenError::Signature
        }
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidIssuer => TokenError::Issuer,
        ErrorKind::InvalidAudience => TokenError::Audience,
        ErrorKind::MissingRequiredClaim(claim) => TokenError::Missing(claim.clone()),
        ErrorKind::InvalidToken
        | ErrorKind::Base64(_)
        | ErrorKind::Json(_)
        | ErrorKind::Utf8(_) => TokenError::Malformed,
        other => TokenError::Other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    }

    #[test]
    fn none_and_hmac_are_refused_before_any_key_is_looked_up() {
        let none = format!("{}.{}.", b64(r#"{"alg":"none","typ":"JWT"}"#), b64("{}"));
        assert_eq!(header(&none), Err(TokenError::Algorithm("none".into())));
        let hmac = format!("{}.{}.sig", b64(r#"{"alg":"HS256"}"#), b64("{}"));
        assert_eq!(header(&hmac), Err(TokenError::Algorithm("HS256".into())));
        let rs = format!("{}.{}.sig", b64(r#"{"alg":"RS256","kid":"k1"}"#), b64("{}"));
        assert_eq!(header(&rs), Ok((Algorithm::RS256, Some("k1".into()))));
        assert_eq!(header("kmcp_not-a-jwt"), Err(TokenError::Malformed));
    }

    #[test]
    fn a_header_with_crit_is_refused() {
        for crit in [r#"["exp"]"#, r#"["b64"]"#, "[]"] {
            let token = format!(
                "{}.{}.sig",
                b64(&format!(r#"{{"alg":"EdDSA","kid":"k1","crit":{crit}}}"#)),
                b64("{}")
            );
            assert_eq!(header(&token), Err(TokenError::Critical), "{crit}");
        }
    }
}
