//! The MCP face of the tools: one `ServerHandler` that every transport serves. It only
//! decides which tools a request sees (the server's setting, narrowed by request headers)
//! and hands calls to the shared toolkit.

mod peer_link;

use std::sync::{Arc, LazyLock};

use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler,
    model::{
        CallToolRequestParams, CallToolResponse, GetPromptRequestParams, GetPromptResponse,
        Implementation, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
        ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
        ServerCapabilities, ServerConfig, Tool,
    },
    service::RequestContext,
};

use crate::{
    inflight::InFlight,
    scope::RequestScope,
    tools::Toolkit,
    toolset::{ToolName, ToolSet},
};

/// The `initialize` instructions: every tool with its one-line summary, every resource, and
/// how answers are shaped. Made from the tool specs and the resource list, so it names
/// everything the server offers.
fn instructions() -> &'static str {
    static INSTRUCTIONS: LazyLock<String> = LazyLock::new(|| {
        let all = ToolSet::all();
        let resources: Vec<String> = crate::resources::list(all)
            .iter()
            .map(|resource| resource.uri.clone())
            .chain(
                crate::resources::templates(all)
                    .iter()
                    .map(|template| template.uri_template.clone()),
            )
            .collect();
        format!(
            "Tools to act on leads in Kommo CRM (formerly amoCRM):\n{}\nBefore replying to a \
             customer or acting on a lead, catch up first with get_lead_history (what happened, \
             who did it). Resources {} carry the same data as the matching read tools, as JSON. \
             Every tool answers with one fixed first sentence (a read tool with what it read); on \
             failure a second text block says why and what to fix. To hand a conversation to a \
             person: pause_agent, then assign_lead, then optionally create_task for that person \
             (prompt hand_off_lead).",
            crate::tools::reference::summary_lines(),
            resources.join(", "),
        )
    });
    &INSTRUCTIONS
}

/// The MCP server handler. Cloning it is cheap (one `Arc`), as rmcp makes one per session
/// or stateless request.
#[derive(Clone)]
pub(crate) struct KommoMcp {
    kit: Arc<Toolkit>,
    in_flight: InFlight,
}

impl KommoMcp {
    pub(crate) fn new(kit: Arc<Toolkit>) -> Self {
        Self {
            kit,
            in_flight: InFlight::default(),
        }
    }

    /// The tool calls in progress on this handler and every clone of it.
    pub(crate) fn in_flight(&self) -> &InFlight {
        &self.in_flight
    }

    /// The shared toolkit (configuration, Kommo client, audit trail).
    pub(crate) fn toolkit(&self) -> &Arc<Toolkit> {
        &self.kit
    }

    /// The server's own account, if configured (what a request naming none acts on).
    pub(crate) fn own_subdomain(&self) -> Option<crate::config::Subdomain> {
        self.kit
            .config()
            .subdomain
            .as_ref()
            .map(|s| s.value.clone())
    }

    /// The Redis replicas share, when one is configured.
    pub(crate) fn redis(&self) -> Option<Arc<crate::redis_link::RedisLink>> {
        self.kit.client().redis().cloned()
    }

    /// The tools enabled for this request: the server's, narrowed by the request's headers.
    fn enabled_for(&self, context: &RequestContext<RoleServer>) -> crate::toolset::ToolSet {
        let server_tools = self.kit.enabled();
        scope_of(context).map_or(server_tools, |scope| scope.tools(server_tools))
    }

    /// The tools the server itself enables (request headers can only narrow them).
    pub(crate) fn server_tools(&self) -> crate::toolset::ToolSet {
        self.kit.enabled()
    }
}

/// The per-request scope that the HTTP layer attached to this request, if any.
/// The tokens that cancel this request: rmcp's own (stdio) and the one the HTTP transport
/// keeps for it in its session (`/mcp`, `/sse`).
fn cancellation_of(
    context: &RequestContext<RoleServer>,
) -> Vec<tokio_util::sync::CancellationToken> {
    let transport = context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<crate::cancellation::CallCancel>())
        .map(|cancel| cancel.0.clone());
    std::iter::once(context.ct.clone())
        .chain(transport)
        .collect()
}

/// The way back to this request's client: the one the HTTP transport keeps for the
/// request's session (`/mcp`, `/sse`), else rmcp's own peer when it has seen the client's
/// `initialize` (stdio). A stateless HTTP request has none.
fn client_link_of(context: &RequestContext<RoleServer>) -> Option<crate::client_link::ClientLink> {
    match context.extensions.get::<http::request::Parts>() {
        Some(parts) => parts
            .extensions
            .get::<crate::client_link::ClientLink>()
            .cloned(),
        None => peer_link::of(context),
    }
}

fn scope_of(context: &RequestContext<RoleServer>) -> Option<&RequestScope> {
    context
        .extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestScope>())
        .or_else(|| context.extensions.get::<RequestScope>())
}

impl ServerHandler for KommoMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
        .with_server_info(
            Implementation::new("kommo-mcp", env!("CARGO_PKG_VERSION")).with_title("Kommo CRM"),
        )
        .with_instructions(instructions())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let server_tools = self.kit.enabled();
        let tools = scope_of(&context).map_or(server_tools, |scope| scope.tools(server_tools));
        Ok(ListToolsResult::with_all_items(self.kit.definitions(tools)))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let default_scope = RequestScope::default();
        let scope = scope_of(&context).unwrap_or(&default_scope);
        let enabled = scope.tools(self.kit.enabled());
        let named = ToolName::parse(&request.name);
        let Some(tool) = named.filter(|tool| enabled.contains(*tool)) else {
            if let Some(tool) = named {
                let (kind, reason) = if self.kit.enabled().contains(tool) {
                    if scope.read_only {
                        ("read_only", "the request or its caller is read-only")
                    } else {
                        (
                            "tool_not_enabled",
                            "the request or its caller does not enable it",
                        )
                    }
                } else if self.kit.config().read_only.value {
                    ("read_only", "the server is read-only (--read-only)")
                } else {
                    (
                        "tool_not_enabled",
                        "the server does not enable it (--tools)",
                    )
                };
                let args = request.arguments.clone().unwrap_or_default();
                self.kit
                    .audit_refused(tool, &args, scope, kind, reason)
                    .await;
            }
            return Err(McpError::invalid_params(
                format!(
                    "tool not found: {} (enabled tools: {enabled})",
                    request.name
                ),
                None,
            ));
        };
        let args = request.arguments.unwrap_or_default();
        tracing::debug!(tool = %tool, client = scope.caller.as_deref().unwrap_or("-"), "tool call started");
        let _in_flight = self.in_flight.start();
        let call = self.kit.call(tool, &args, scope);
        let call = crate::client_link::during(client_link_of(&context), call);
        Ok(crate::cancellation::during(cancellation_of(&context), call)
            .await
            .into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let enabled = self.enabled_for(&context);
        Ok(ListResourcesResult::with_all_items(crate::resources::list(
            enabled,
        )))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        let enabled = self.enabled_for(&context);
        Ok(ListResourceTemplatesResult::with_all_items(
            crate::resources::templates(enabled),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let default_scope = RequestScope::default();
        let scope = scope_of(&context).unwrap_or(&default_scope);
        let enabled = scope.tools(self.kit.enabled());
        let _in_flight = self.in_flight.start();
        crate::resources::read(&self.kit, &request.uri, scope, enabled)
            .await
            .map(Into::into)
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        let enabled = self.enabled_for(&context);
        Ok(ListPromptsResult::with_all_items(crate::prompts::list(
            enabled,
        )))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let enabled = self.enabled_for(&context);
        crate::prompts::get(&request.name, request.arguments.as_ref(), enabled).map(Into::into)
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        ToolName::parse(name)
            .filter(|tool| self.kit.enabled().contains(*tool))
            .map(|tool| crate::tools::definition(tool).clone())
    }

    /// No argument completion: the capability is not declared, so the method is unknown
    /// (rmcp's default would answer an empty completion to a method never advertised).
    async fn complete(
        &self,
        _request: rmcp::model::CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::CompleteResult, McpError> {
        Err(McpError::method_not_found::<
            rmcp::model::CompleteRequestMethod,
        >())
    }
}
