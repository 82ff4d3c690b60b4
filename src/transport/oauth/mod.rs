//! OAuth 2.1 resource-server mode (`--oauth-issuer`): JWT access tokens from one
//! authorization server, checked against its published keys, turned into a `Caller`
//! whose scopes and accounts claim bound what it may do. The token itself is only ever
//! read here: it is never logged, never sent to Kommo, and never a Kommo token.

pub(crate) mod challenge;
mod jwks;
pub(crate) mod metadata;
pub(crate) mod scopes;
mod validate;

use std::{sync::Arc, time::Duration};

use serde_json::{Map, Value};

use self::{
    challenge::Challenge,
    jwks::{KeyError, KeyStore},
    scopes::{Grant, READ_SCOPE},
};
use super::caller::Caller;
use crate::config::{Accounts, OAuthSettings};

/// The longest caller name taken from a token (`sub` / `client_id`).
const MAX_NAME_CHARS: usize = 128;

/// Why a bearer token was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refusal {
    #[error(transparent)]
    Invalid(#[from] validate::TokenError),
    #[error("{0}")]
    UnknownKey(KeyError),
    /// The keys cannot be had: the issuer is down or misconfigured (503, not the token's fault).
    #[error("{0}")]
    KeysUnavailable(KeyError),
    #[error("the token carries neither the kommo:read nor the kommo:write scope")]
    NoScope,
    #[error("the token's {claim} claim is not a list of account subdomains: {reason}")]
    Accounts { claim: String, reason: String },
}

impl Refusal {
    /// The RFC 6750 challenge for this refusal (`None`: a 503, not a challenge).
    pub(crate) fn challenge(&self) -> Option<Challenge> {
        match self {
            Refusal::KeysUnavailable(_) => None,
            Refusal::NoScope => Some(Challenge::InsufficientScope(READ_SCOPE)),
            _ => Some(Challenge::InvalidToken),
        }
    }
}

/// The OAuth side of one HTTP server.
pub(crate) struct OAuth {
    issuer: String,
    audiences: Vec<String>,
    accounts_claim: Option<String>,
    keys: KeyStore,
    metadata_url: Arc<str>,
    documents: metadata::Documents,
}

impl OAuth {
    pub(crate) fn new(settings: &OAuthSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("kommo-mcp/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            issuer: settings.issuer.value.clone(),
            audiences: settings.audiences(),
            accounts_claim: settings.accounts_claim.as_ref().map(|c| c.value.clone()),
            keys: KeyStore::new(
                &settings.issuer.value,
                settings.jwks_url.as_ref().map(|u| u.value.clone()),
                http,
            ),
            metadata_url: Arc::from(settings.resource_metadata_url()),
            documents: metadata::Documents::new(settings),
        })
    }

    /// `<public-url>/.well-known/oauth-protected-resource`.
    pub(crate) fn metadata_url(&self) -> Arc<str> {
        Arc::clone(&self.metadata_url)
    }

    pub(crate) fn documents(&self) -> metadata::Documents {
        self.documents.clone()
    }

    /// The caller a bearer token stands for, or why it is refused.
    pub(crate) async fn authenticate(&self, token: &str) -> Result<Caller, Refusal> {
        let (algorithm, kid) = validate::header(token)?;
        let keys = self
            .keys
            .keys_for(kid.as_deref(), algorithm)
            .await
            .map_err(|err| match err {
                KeyError::Unknown => Refusal::UnknownKey(err),
                KeyError::Unavailable(_) => Refusal::KeysUnavailable(err),
            })?;
        let claims = validate::claims(token, algorithm, &keys, &self.issuer, &self.audiences)?;
        let can_write = match scopes::grant(&claims) {
            Grant::None => return Err(Refusal::NoScope),
            Grant::Read => false,
            Grant::Write => true,
        };
        let accounts = match &self.accounts_claim {
            None => Accounts::Any,
            Some(claim) => accounts(&claims, claim)?,
        };
        let claim = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or_default();
        let owner = [claim("sub"), claim("client_id")];
        Ok(Caller::oauth(
            &caller_name(&claims),
            owner,
            accounts,
            can_write,
        ))
    }

    /// Fetches the keys once at start, so a misconfigured issuer shows in the log at once.
    pub(crate) async fn warm_up(&self) {
        let _ = self
            .keys
            .keys_for(None, jsonwebtoken::Algorithm::RS256)
            .await;
    }
}

/// `sub`, else `client_id`, else "oauth": printable, bounded, for logs and the audit trail.
fn caller_name(claims: &Map<String, Value>) -> String {
    let name = ["sub", "client_id"]
        .into_iter()
        .find_map(|claim| claims.get(claim)?.as_str().filter(|s| !s.is_empty()))
        .unwrap_or("oauth");
    name.chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect()
}

/// The accounts the claim lists: an array of subdomains, or one string of them separated
/// by spaces or commas; `"*"` for any. A missing claim allows no account.
fn accounts(claims: &Map<String, Value>, claim: &str) -> Result<Accounts, Refusal> {
    let fail = |reason: String| Refusal::Accounts {
        claim: claim.to_owned(),
        reason,
    };
    let names: Vec<&str> = match claims.get(claim) {
        None => Vec::new(),
        Some(Value::String(text)) => text
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .ok_or_else(|| fail("an item is not a string".into()))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(fail("it is neither a string nor an array".into())),
    };
    Accounts::parse(names).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn the_caller_is_named_by_sub_then_client_id() {
        assert_eq!(
            caller_name(&claims(json!({"sub": "u1", "client_id": "c"}))),
            "u1"
        );
        assert_eq!(caller_name(&claims(json!({"client_id": "c"}))), "c");
        assert_eq!(caller_name(&claims(json!({}))), "oauth");
        assert_eq!(caller_name(&claims(json!({"sub": "a\nb"}))), "ab");
    }

    #[test]
    fn the_accounts_claim_is_a_list_or_a_string() {
        let any = accounts(&claims(json!({"acc": ["*"]})), "acc").unwrap();
        assert_eq!(any, Accounts::Any);
        let two = accounts(&claims(json!({"acc": "acme, beta"})), "acc").unwrap();
        assert_eq!(two.to_string(), "acme,beta");
        let none = accounts(&claims(json!({})), "acc").unwrap();
        assert_eq!(none.to_string(), "");
        assert!(accounts(&claims(json!({"acc": [1]})), "acc").is_err());
        assert!(accounts(&claims(json!({"acc": ["Bad/Name"]})), "acc").is_err());
    }
}
