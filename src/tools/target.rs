//! Which Kommo account a call acts on, with which token and pause field — and the rule
//! that the server's own token is only ever sent to the server's own account.

use std::fmt;

use crate::{
    config::{Config, Source, Subdomain, settings},
    kommo::{Account, KommoError},
    scope::RequestScope,
};

/// The account a call acts on.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub account: Account,
    pub pause: Option<PauseSetting>,
    /// send_message's text field and Salesbot, when both are configured for the account.
    pub message: Option<MessageSetting>,
}

/// The text lead field send_message writes into and the Salesbot that sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MessageSetting {
    pub field_id: i64,
    pub bot_id: i64,
}

/// The checkbox lead field the agent platform reads, and the value that means "paused".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PauseSetting {
    pub field_id: i64,
    pub paused_value: bool,
}

#[derive(Clone, Debug)]
pub(crate) enum TargetError {
    /// Neither a subdomain nor a token (or one of them) is configured.
    Missing {
        subdomain: bool,
        token: bool,
    },
    /// A request named another account and brought no token for it.
    NoTokenForAccount(Subdomain),
    Unusable(KommoError),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::Missing { subdomain, token } => {
                let mut missing = Vec::new();
                if *token {
                    missing.push(describe(
                        settings::TOKEN.env,
                        settings::TOKEN.flag,
                        settings::TOKEN.key,
                    ));
                }
                if *subdomain {
                    missing.push(describe(
                        settings::SUBDOMAIN.env,
                        settings::SUBDOMAIN.flag,
                        settings::SUBDOMAIN.key,
                    ));
                }
                write!(
                    f,
                    "kommo-mcp has no Kommo account configured: set {}. Nothing was sent to Kommo.",
                    missing.join(" and ")
                )
            }
            TargetError::NoTokenForAccount(subdomain) => write!(
                f,
                "no Kommo token for account \"{subdomain}\": send one in the KOMMO_LONG_DURATION_TOKEN (or X-Kommo-Token) header, \
                 or configure token in the [accounts.{subdomain}] table of the config file; the server's own token is only \
                 sent to its own account. Nothing was sent to Kommo."
            ),
            TargetError::Unusable(error) => write!(f, "{error}"),
        }
    }
}

fn describe(env: &str, flag: &str, key: &str) -> String {
    format!("{env} (flag {flag}, config key {key})")
}

/// Resolves the account for a request. Precedence per setting: request header > flag >
/// environment > `[accounts.<subdomain>]` > config file top level (which describes the
/// server's own account only).
pub(super) fn resolve(config: &Config, scope: &RequestScope) -> Result<Target, TargetError> {
    let own_subdomain = config.subdomain.as_ref().map(|s| &s.value);
    let Some(subdomain) = scope.subdomain.as_ref().or(own_subdomain) else {
        return Err(TargetError::Missing {
            subdomain: true,
            token: scope.token.is_none() && config.token.is_none(),
        });
    };
    let is_own = Some(subdomain) == own_subdomain;
    let entry = config.accounts.get(subdomain);
    // The account's own table is more specific than a top-level `token` in the same file,
    // but a flag or environment variable is the operator's explicit choice.
    let own_token = config.token.as_ref().filter(|_| is_own);
    let (explicit, from_file) = match own_token {
        Some(token) if matches!(token.source, Source::File(_)) => (None, Some(&token.value)),
        Some(token) => (Some(&token.value), None),
        None => (None, None),
    };
    let token = scope
        .token
        .as_ref()
        .or(explicit)
        .or_else(|| entry.and_then(|e| e.token.as_ref()))
        .or(from_file);
    let Some(token) = token else {
        return Err(if is_own {
            TargetError::Missing {
                subdomain: false,
                token: true,
            }
        } else {
            TargetError::NoTokenForAccount(subdomain.clone())
        });
    };
    // The top-level pause settings describe the server's own account (or every account
    // when the server has none of its own).
    let top_level_applies = is_own || own_subdomain.is_none();
    let field_id = scope
        .pause_field_id
        .or_else(|| {
            top_level_applies
                .then(|| config.pause_field_id.as_ref().map(|p| p.value))
                .flatten()
        })
        .or_else(|| entry.and_then(|e| e.pause_field_id));
    let explicit_value = (top_level_applies && config.pause_value.source != Source::Default)
        .then_some(config.pause_value.value);
    let paused_value = explicit_value
        .or_else(|| entry.and_then(|e| e.pause_value))
        .unwrap_or(config.pause_value.value);
    let own = |setting: &Option<crate::config::Sourced<i64>>| {
        top_level_applies
            .then(|| setting.as_ref().map(|s| s.value))
            .flatten()
    };
    let message_field =
        own(&config.message_field_id).or_else(|| entry.and_then(|e| e.message_field_id));
    let message_bot = own(&config.message_bot_id).or_else(|| entry.and_then(|e| e.message_bot_id));
    let account = Account::new(&config.base_url.value, subdomain.clone(), token)
        .map_err(TargetError::Unusable)?;
    Ok(Target {
        account,
        pause: field_id.map(|field_id| PauseSetting {
            field_id,
            paused_value,
        }),
        message: message_field
            .zip(message_bot)
            .map(|(field_id, bot_id)| MessageSetting { field_id, bot_id }),
    })
}
