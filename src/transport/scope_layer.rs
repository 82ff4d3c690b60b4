//! Reads each HTTP request's per-request headers (account, token, tools, pause field) into
//! a `RequestScope` the tool handlers find in the request's extensions, narrowed to what
//! the authenticated caller may do. An invalid value is answered with 400, an account the
//! caller may not act on with 403, before anything reaches MCP or Kommo (a write tool
//! called in a refused body gets its `refused` audit line).

use std::sync::Arc;

use axum::{
    body::to_bytes,
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::Response,
};

use super::{
    caller::Caller,
    refusal_audit,
    reply::{code, json_error},
};
use crate::{audit::AuditLog, config::Subdomain, scope::RequestScope, toolset::ToolSet};

/// What the scope of every request is checked against.
#[derive(Clone)]
pub(super) struct ScopeRules {
    /// The server's own tool set: headers and callers can only narrow it.
    pub server_tools: ToolSet,
    /// The account a request acts on when it names none.
    pub own_subdomain: Option<Subdomain>,
    /// The audit trail, when `--audit-log` is set.
    pub audit: Option<Arc<AuditLog>>,
}

/// Middleware: attaches the request's `RequestScope`, or answers 400 / 403.
pub(super) async fn attach_scope(
    State(rules): State<ScopeRules>,
    mut request: Request,
    next: Next,
) -> Response {
    let scope = match RequestScope::from_headers(request.headers(), rules.server_tools) {
        Ok(scope) => scope,
        Err(err) => {
            tracing::warn!(path = %request.uri().path(), "refused: {err}");
            return json_error(
                StatusCode::BAD_REQUEST,
                code::INVALID_PARAMS,
                format!("{err}. Nothing was sent to Kommo."),
            );
        }
    };
    let account = scope
        .subdomain
        .as_ref()
        .or(rules.own_subdomain.as_ref())
        .map(|s| s.as_str().to_owned());
    let narrowed = match request.extensions().get::<Caller>() {
        None => Ok(scope),
        Some(caller) => narrow(scope, caller, &rules).inspect_err(|reason| {
            tracing::warn!(path = %request.uri().path(), client = %caller.name, "refused: {reason}");
        }),
    };
    let scope = match narrowed {
        Ok(scope) => scope,
        Err(reason) => {
            if let Some(audit) = &rules.audit {
                let (parts, body) = request.into_parts();
                // The body guard has read and bounded the body already.
                let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
                refusal_audit::record(
                    audit,
                    &parts,
                    &bytes,
                    account.as_deref(),
                    "account_not_allowed",
                    &reason,
                )
                .await;
            }
            return json_error(StatusCode::FORBIDDEN, code::INVALID_REQUEST, reason);
        }
    };
    request.extensions_mut().insert(scope);
    next.run(request).await
}

/// The scope limited to the caller's accounts, tools and read-only flag; or why the
/// request's account is not the caller's to act on.
fn narrow(
    mut scope: RequestScope,
    caller: &Caller,
    rules: &ScopeRules,
) -> Result<RequestScope, String> {
    if let Some(subdomain) = scope.subdomain.as_ref().or(rules.own_subdomain.as_ref())
        && !caller.accounts.allows(subdomain)
    {
        return Err(format!(
            "\"{}\" may not act on account \"{subdomain}\" (its accounts: {}). Nothing was sent to Kommo.",
            caller.name, caller.accounts
        ));
    }
    if let Some(tools) = caller.tools {
        scope.tools = Some(scope.tools(rules.server_tools).intersect(tools));
    }
    scope.read_only |= caller.read_only;
    scope.caller = Some(caller.name.clone());
    Ok(scope)
}

/// The scope of a legacy-SSE message: the settings the `POST` carries over those of the
/// `GET /sse` that opened its session (`connect`), where the opening scope can only narrow
/// what the poster (`caller`, the session's owner) may do, never widen it. Tools are the
/// tools both allow, read-only and dry-run hold if either says so, the account and token
/// are the `POST`'s if it names them (else the `GET`'s), and the account must be one the
/// poster's own key allows.
pub(super) fn session_scope(
    connect: &RequestScope,
    post: &RequestScope,
    caller: Option<&Caller>,
    rules: &ScopeRules,
) -> Result<RequestScope, String> {
    let tools = match (connect.tools, post.tools) {
        (Some(opened), Some(posted)) => Some(opened.intersect(posted)),
        (opened, posted) => posted.or(opened),
    };
    let scope = RequestScope {
        token: post.token.clone().or_else(|| connect.token.clone()),
        subdomain: post.subdomain.clone().or_else(|| connect.subdomain.clone()),
        tools,
        pause_field_id: post.pause_field_id.or(connect.pause_field_id),
        read_only: connect.read_only || post.read_only,
        caller: post.caller.clone().or_else(|| connect.caller.clone()),
        dry_run: connect.dry_run || post.dry_run,
    };
    match caller {
        None => Ok(scope),
        Some(caller) => narrow(scope, caller, rules),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Accounts, ClientEntry};

    fn rules() -> ScopeRules {
        ScopeRules {
            server_tools: ToolSet::all(),
            own_subdomain: Some(Subdomain::parse("demo").expect("valid")),
            audit: None,
        }
    }

    fn caller(accounts: &[&str]) -> Caller {
        let entry = ClientEntry {
            name: "partner".to_owned(),
            key_sha256: [0; 32],
            accounts: Accounts::parse(accounts.iter().copied()).expect("valid accounts"),
            tools: None,
            read_only: false,
            rate_limit: None,
        };
        Caller::client(&entry)
    }

    fn on(subdomain: &str) -> RequestScope {
        RequestScope {
            subdomain: Some(Subdomain::parse(subdomain).expect("valid")),
            ..RequestScope::default()
        }
    }

    #[test]
    fn the_opening_account_is_checked_against_the_posters_own_key() {
        let demo_only = caller(&["demo"]);
        let refused = session_scope(
            &on("beta"),
            &RequestScope::default(),
            Some(&demo_only),
            &rules(),
        );
        assert!(
            refused
                .expect_err("beta is not partner's")
                .contains("\"beta\"")
        );
        let own = session_scope(
            &RequestScope::default(),
            &RequestScope::default(),
            Some(&demo_only),
            &rules(),
        )
        .expect("its own account");
        assert_eq!(own.caller.as_deref(), Some("partner"));
        let posted = session_scope(&on("beta"), &on("demo"), Some(&demo_only), &rules())
            .expect("the POST's account wins and is partner's");
        assert_eq!(
            posted.subdomain.map(|s| s.to_string()).as_deref(),
            Some("demo")
        );
    }

    #[test]
    fn the_opening_scope_only_narrows_tools_and_flags() {
        let opened = RequestScope {
            tools: Some(ToolSet::parse("get_lead,add_note").expect("valid")),
            read_only: true,
            ..RequestScope::default()
        };
        let posted = RequestScope {
            tools: Some(ToolSet::parse("add_note,move_lead").expect("valid")),
            ..RequestScope::default()
        };
        let scope = session_scope(&opened, &posted, None, &rules()).expect("no caller to check");
        assert_eq!(
            scope.tools,
            Some(ToolSet::parse("add_note").expect("valid"))
        );
        assert!(scope.read_only);
        let widened = session_scope(&opened, &RequestScope::default(), None, &rules()).expect("ok");
        assert_eq!(
            widened.tools, opened.tools,
            "a POST without tools keeps the opening's"
        );
    }
}
