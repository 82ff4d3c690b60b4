//! Reads each HTTP request's per-request headers (account, token, tools, pause field) into
//! a `RequestScope` the tool handlers find in the request's extensions, narrowed to what
//! the authenticated caller may do. An invalid value is answered with 400, an account the
//! caller may not act on with 403, before anything reaches MCP or Kommo.

use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::Response,
};

use super::{
    caller::Caller,
    reply::{code, json_error},
};
use crate::{config::Subdomain, scope::RequestScope, toolset::ToolSet};

/// What the scope of every request is checked against.
#[derive(Clone)]
pub struct ScopeRules {
    /// The server's own tool set: headers and callers can only narrow it.
    pub server_tools: ToolSet,
    /// The account a request acts on when it names none.
    pub own_subdomain: Option<Subdomain>,
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
    let scope = match request.extensions().get::<Caller>() {
        None => scope,
        Some(caller) => match narrow(scope, caller, &rules) {
            Ok(scope) => scope,
            Err(reason) => {
                tracing::warn!(path = %request.uri().path(), client = %caller.name, "refused: {reason}");
                return json_error(StatusCode::FORBIDDEN, code::INVALID_REQUEST, reason);
            }
        },
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
