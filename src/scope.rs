//! Per-request settings: what an HTTP request's headers may change for that one request
//! (account, token, enabled tools, pause field), validated and narrowed by the server's rules.

use http::HeaderMap;

use crate::{
    config::Subdomain,
    secret::Secret,
    toolset::{ToolListError, ToolSet},
};

/// Overrides carried by one request. Empty over stdio and on the command line.
#[derive(Clone, Debug, Default)]
pub(crate) struct RequestScope {
    pub token: Option<Secret>,
    pub subdomain: Option<Subdomain>,
    /// Already narrowed to the server's own tool set.
    pub tools: Option<ToolSet>,
    pub pause_field_id: Option<i64>,
    /// Only read-only tools may be listed and called (narrowing only: once true, stays true).
    pub read_only: bool,
    /// The authenticated caller's name (a `[clients.*]` table or an OAuth subject), for logs.
    pub caller: Option<std::sync::Arc<str>>,
    /// `X-Kommo-Dry-Run: true`: every write is a dry run (narrowing only).
    pub dry_run: bool,
}

/// The header names of each per-request setting: the original server's names first,
/// then the `X-Kommo-*` aliases.
pub(crate) const TOKEN_HEADERS: [&str; 2] = ["kommo_long_duration_token", "x-kommo-token"];
pub(crate) const SUBDOMAIN_HEADERS: [&str; 2] = ["kommo_account_subdomain", "x-kommo-subdomain"];
pub(crate) const TOOLS_HEADERS: [&str; 2] = ["tools_to_use", "x-kommo-tools"];
pub(crate) const PAUSE_FIELD_HEADERS: [&str; 2] =
    ["kommo_pause_field_id", "x-kommo-pause-field-id"];
pub(crate) const READ_ONLY_HEADERS: [&str; 1] = ["x-kommo-read-only"];
pub(crate) const DRY_RUN_HEADERS: [&str; 1] = ["x-kommo-dry-run"];

/// A header value the server refuses (answered with HTTP 400, before any Kommo request).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ScopeError {
    #[error("invalid {header} header: {reason}")]
    Invalid {
        header: &'static str,
        reason: String,
    },
}

impl RequestScope {
    /// Reads the per-request headers. `server_tools` is the server's own tool set: a
    /// header can only narrow it.
    pub(crate) fn from_headers(
        headers: &HeaderMap,
        server_tools: ToolSet,
    ) -> Result<Self, ScopeError> {
        let token = header_text(headers, &TOKEN_HEADERS)?
            .filter(|text| !text.is_empty())
            .map(Secret::new);
        let subdomain = header_text(headers, &SUBDOMAIN_HEADERS)?
            .filter(|text| !text.is_empty())
            .map(|text| {
                Subdomain::parse(&text).map_err(|err| ScopeError::Invalid {
                    header: SUBDOMAIN_HEADERS[0],
                    reason: err.to_string(),
                })
            })
            .transpose()?;
        let tools = header_text(headers, &TOOLS_HEADERS)?
            .map(|text| {
                ToolSet::parse(&text)
                    .map(|asked| asked.intersect(server_tools))
                    .map_err(|err: ToolListError| ScopeError::Invalid {
                        header: TOOLS_HEADERS[0],
                        reason: err.to_string(),
                    })
            })
            .transpose()?;
        let pause_field_id = header_text(headers, &PAUSE_FIELD_HEADERS)?
            .filter(|text| !text.is_empty())
            .map(|text| match text.trim().parse::<i64>() {
                Ok(id) if id > 0 => Ok(id),
                _ => Err(ScopeError::Invalid {
                    header: PAUSE_FIELD_HEADERS[0],
                    reason: format!("{text:?} is not a positive integer"),
                }),
            })
            .transpose()?;
        let flag = |names: &[&'static str]| -> Result<bool, ScopeError> {
            header_text(headers, names)?
                .filter(|text| !text.is_empty())
                .map_or(Ok(false), |text| {
                    crate::config::parse_bool(&text).map_err(|reason| ScopeError::Invalid {
                        header: names[0],
                        reason,
                    })
                })
        };
        Ok(Self {
            token,
            subdomain,
            tools,
            pause_field_id,
            read_only: flag(&READ_ONLY_HEADERS)?,
            dry_run: flag(&DRY_RUN_HEADERS)?,
            caller: None,
        })
    }

    /// The tools this request may see and call.
    pub(crate) fn tools(&self, server_tools: ToolSet) -> ToolSet {
        let tools = self
            .tools
            .map_or(server_tools, |tools| tools.intersect(server_tools));
        if self.read_only {
            tools.intersect(ToolSet::readers())
        } else {
            tools
        }
    }
}

/// The value of the first of `names` present; the underscore names are sent as-is by the
/// original's clients, so both spellings are looked up.
fn header_text(headers: &HeaderMap, names: &[&'static str]) -> Result<Option<String>, ScopeError> {
    for name in names {
        if let Some(value) = headers.get(*name) {
            return value
                .to_str()
                .map(|text| Some(text.trim().to_owned()))
                .map_err(|_| ScopeError::Invalid {
                    header: names[0],
                    reason: "the value is not visible ASCII".to_owned(),
                });
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::headers;

    #[test]
    fn reads_both_spellings() {
        let scope = RequestScope::from_headers(
            &headers(&[
                ("kommo_account_subdomain", "Acme"),
                ("x-kommo-token", "t"),
                ("x-kommo-pause-field-id", "12"),
            ]),
            ToolSet::all(),
        )
        .unwrap();
        assert_eq!(scope.subdomain.unwrap().as_str(), "acme");
        assert_eq!(scope.token.unwrap().expose(), "t");
        assert_eq!(scope.pause_field_id, Some(12));
    }

    #[test]
    fn read_only_and_dry_run_headers_only_narrow() {
        let scope = RequestScope::from_headers(
            &headers(&[("x-kommo-read-only", "true"), ("x-kommo-dry-run", "1")]),
            ToolSet::all(),
        )
        .unwrap();
        assert!(scope.read_only && scope.dry_run);
        assert_eq!(scope.tools(ToolSet::all()), ToolSet::readers());
        let off = RequestScope::from_headers(
            &headers(&[("x-kommo-read-only", "false"), ("x-kommo-dry-run", "false")]),
            ToolSet::all(),
        )
        .unwrap();
        assert!(!off.read_only && !off.dry_run);
        assert_eq!(off.tools(ToolSet::all()), ToolSet::all());
        assert!(
            RequestScope::from_headers(&headers(&[("x-kommo-dry-run", "maybe")]), ToolSet::all())
                .is_err()
        );
    }

    #[test]
    fn tools_header_narrows_but_never_widens() {
        let server = ToolSet::parse("move_lead").unwrap();
        let scope =
            RequestScope::from_headers(&headers(&[("tools_to_use", "move_lead,add_note")]), server)
                .unwrap();
        assert_eq!(scope.tools(server), server);
    }

    #[test]
    fn bad_values_are_refused_with_the_header_named() {
        for (name, value) in [
            ("x-kommo-subdomain", "evil.com/x"),
            ("x-kommo-tools", "drop_table"),
            ("x-kommo-tools", "[\"move_lead\""),
            ("x-kommo-pause-field-id", "-3"),
        ] {
            let err =
                RequestScope::from_headers(&headers(&[(name, value)]), ToolSet::all()).unwrap_err();
            assert!(err.to_string().contains("header"), "{err}");
        }
    }
}
