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
pub struct ScopeRules {
    /// The server's own tool set: headers and callers can only narrow it.
    pub server_tools: ToolSet,
    /// The account a request acts on when it names none.
    pub own_subdomain: Option<Subdomain>,
    /// The audit trail, when `--audit-log` is set.
    pub audit: Option<Arc<AuditLog>>,
}

/// Middleware: attaches the request's `RequestScope`, or answers 400 / 403.
pub async fn attach_scope(
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
