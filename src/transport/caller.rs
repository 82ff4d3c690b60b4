//! The authenticated caller of one HTTP request (the shared auth token, a `[clients.*]`
//! key, or an OAuth access token) and what it may do: the accounts, tools
//! and read-only flag the rest of the HTTP layer enforces — and who owns the sessions
//! and streams it opens.

use std::sync::{Arc, LazyLock};

use axum::http::Extensions;
use sha2::{Digest, Sha256};

use crate::{
    config::{Accounts, ClientEntry},
    toolset::ToolSet,
};

/// The owner of every session opened without authentication: with no auth at all, every
/// request is the same caller, and a session is protected only by its unguessable id.
pub(super) const ANONYMOUS: &str = "anonymous";

/// How a caller authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Via {
    AuthToken,
    /// A `[clients.*]` key: its `rate_limit` applies.
    ClientKey,
    /// An OAuth access token; `can_write` when it carries the `kommo:write` scope.
    OAuth {
        can_write: bool,
    },
}

/// Who sent a request, once authenticated. Never holds the key or token itself.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub name: Arc<str>,
    pub accounts: Accounts,
    /// Narrows the server's tools; `None` keeps them all.
    pub tools: Option<ToolSet>,
    pub read_only: bool,
    pub via: Via,
    /// Who owns the sessions and streams this caller opens: `key:<name>` for a client
    /// key, `oauth:<hash of subject and client>` for an OAuth token, `token:<hash>` for the
    /// shared auth token. Never a key or token itself.
    pub owner: Arc<str>,
}

impl Caller {
    /// Whoever holds `--auth-token` (`token`): the whole server, as before client keys
    /// existed. Owned by a hash of the token, so a changed token owns nothing of the old.
    pub(crate) fn shared_token(token: &str) -> Self {
        Self {
            name: Arc::from("auth-token"),
            accounts: Accounts::Any,
            tools: None,
            read_only: false,
            via: Via::AuthToken,
            owner: owner_hash("token", &[token]),
        }
    }

    pub(crate) fn client(entry: &ClientEntry) -> Self {
        Self {
            name: Arc::from(entry.name.as_str()),
            accounts: entry.accounts.clone(),
            tools: entry.tools,
            read_only: entry.read_only,
            via: Via::ClientKey,
            owner: Arc::from(format!("key:{}", entry.name)),
        }
    }

    /// The holder of an OAuth access token: named by its `sub` or `client_id`, read-only
    /// unless the token carries `kommo:write`; owned by its subject and client together
    /// (`subject_and_client`, e.g. the `sub` and `client_id` claims).
    pub(crate) fn oauth(
        name: &str,
        subject_and_client: [&str; 2],
        accounts: Accounts,
        can_write: bool,
    ) -> Self {
        Self {
            name: Arc::from(name),
            accounts,
            tools: None,
            read_only: !can_write,
            via: Via::OAuth { can_write },
            owner: owner_hash("oauth", &subject_and_client),
        }
    }
}

/// `<kind>:` and the first 128 bits of the SHA-256 of `parts` (each length-prefixed, so
/// no two lists of parts give the same input).
fn owner_hash(kind: &str, parts: &[&str]) -> Arc<str> {
    let mut digest = Sha256::new();
    digest.update(b"kommo-mcp session owner\0");
    digest.update(kind.as_bytes());
    for part in parts {
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part.as_bytes());
    }
    let digest = digest.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    Arc::from(format!("{kind}:{hex}"))
}

/// The owner of what a request opens or names: its caller's, else [`ANONYMOUS`] (a
/// server without auth).
pub(super) fn owner_of(extensions: &Extensions) -> Arc<str> {
    static OWNER: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(ANONYMOUS));
    extensions
        .get::<Caller>()
        .map_or_else(|| Arc::clone(&OWNER), |caller| Arc::clone(&caller.owner))
}

/// The caller's name for log lines, `-` without auth.
pub(super) fn name_of(extensions: &Extensions) -> Arc<str> {
    static NOBODY: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("-"));
    extensions
        .get::<Caller>()
        .map_or_else(|| Arc::clone(&NOBODY), |caller| Arc::clone(&caller.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_never_contain_the_token_and_differ_by_kind_and_parts() {
        let token = Caller::shared_token("s3cret-token");
        assert!(!token.owner.contains("s3cret"));
        assert!(token.owner.starts_with("token:"));
        assert_eq!(token.owner, Caller::shared_token("s3cret-token").owner);
        assert_ne!(token.owner, Caller::shared_token("other").owner);
        let a = Caller::oauth("u", ["u", "c1"], Accounts::Any, false);
        let b = Caller::oauth("u", ["u", "c2"], Accounts::Any, false);
        let joined = Caller::oauth("u", ["uc", "1"], Accounts::Any, false);
        assert_ne!(a.owner, b.owner, "the same subject through another client");
        assert_ne!(a.owner, joined.owner);
        assert!(a.owner.starts_with("oauth:"));
    }
}
