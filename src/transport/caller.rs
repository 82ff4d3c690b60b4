//! The authenticated caller of one HTTP request (the shared auth token, a `[clients.*]`
//! key, or an OAuth access token) and what it may do: the accounts, tools
//! and read-only flag the rest of the HTTP layer enforces.

use std::sync::Arc;

use crate::{
    config::{Accounts, ClientEntry},
    toolset::ToolSet,
};

/// How a caller authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
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
pub struct Caller {
    pub name: Arc<str>,
    pub accounts: Accounts,
    /// Narrows the server's tools; `None` keeps them all.
    pub tools: Option<ToolSet>,
    pub read_only: bool,
    pub via: Via,
}

impl Caller {
    /// Whoever holds `--auth-token`: the whole server, as before client keys existed.
    pub fn shared_token() -> Self {
        Self {
            name: Arc::from("auth-token"),
            accounts: Accounts::Any,
            tools: None,
            read_only: false,
            via: Via::AuthToken,
        }
    }

    pub fn client(entry: &ClientEntry) -> Self {
        Self {
            name: Arc::from(entry.name.as_str()),
            accounts: entry.accounts.clone(),
            tools: entry.tools,
            read_only: entry.read_only,
            via: Via::ClientKey,
        }
    }

    /// The holder of an OAuth access token: named by its `sub` or `client_id`, read-only
    /// unless the token carries `kommo:write`.
    pub fn oauth(name: &str, accounts: Accounts, can_write: bool) -> Self {
        Self {
            name: Arc::from(name),
            accounts,
            tools: None,
            read_only: !can_write,
            via: Via::OAuth { can_write },
        }
    }
}
