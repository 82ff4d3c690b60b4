//! The one place every MCP request passes, whatever the transport: a thin `ServerHandler`
//! around the server's handler (generic, so that this layer does not depend on the server)
//! that forwards every method and times each request for
//! `mcp_server_operation_duration_seconds` (JSON-RPC errors included: an unknown method is
//! counted under `other`), runs each in its OpenTelemetry span when tracing is on, and tells
//! tool calls who asked, over which transport, under which request id. (rmcp's streamable HTTP service takes a `ServerHandler`, not a bare
//! `Service`, so the wrapper is one; requests rmcp refuses before any handler method, such
//! as an unsupported protocol version, are not counted.)

use std::{borrow::Cow, future::Future, time::Instant};

use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler,
    model::*,
    service::{MaybeSendFuture, NotificationContext, RequestContext, SubscriptionContext},
};
use tracing::Instrument;

use super::{
    call::{self, CallInfo},
    metrics::{self, Outcome},
    otel,
    request_id::{self, Caller, RequestId},
};
use crate::toolset::ToolName;

/// A handler as served over one transport.
#[derive(Clone)]
pub(crate) struct Observed<H> {
    inner: H,
    transport: &'static str,
}

impl<H: ServerHandler> Observed<H> {
    /// `transport` is the `network_transport` label: `stdio`, `streamable_http`, `sse` or
    /// `bare_json`.
    pub(crate) fn new(inner: H, transport: &'static str) -> Self {
        Self { inner, transport }
    }

    /// Who sent the request, from the HTTP request the transport attached (if any).
    fn info(&self, context: &RequestContext<RoleServer>) -> CallInfo {
        let parts = context.extensions.get::<http::request::Parts>();
        let request_id = parts
            .and_then(|parts| parts.extensions.get::<RequestId>())
            .map(|id| id.0.clone());
        let caller = parts
            .and_then(|parts| parts.extensions.get::<Caller>())
            .map(|caller| caller.0.clone());
        CallInfo {
            transport: self.transport,
            request_id: request_id.unwrap_or_else(request_id::generate),
            caller: caller.unwrap_or_else(|| {
                if self.transport == "stdio" {
                    "stdio".to_owned()
                } else {
                    "http".to_owned()
                }
            }),
        }
    }

    /// The OpenTelemetry span of one request ([`tracing::Span::none`] when tracing is off).
    fn request_span(
        &self,
        method: &str,
        tool: Option<&str>,
        context: &RequestContext<RoleServer>,
    ) -> tracing::Span {
        if !otel::enabled() {
            return tracing::Span::none();
        }
        let parts = context.extensions.get::<http::request::Parts>();
        let session_id = parts.and_then(otel::session_of);
        otel::mcp_request_span(&otel::McpRequest {
            method,
            tool,
            transport: self.transport,
            jsonrpc_id: jsonrpc_id(&context.id),
            session_id: session_id.as_deref(),
            meta: [
                context.meta.get_traceparent(),
                context.meta.get_tracestate(),
                context.meta.get_baggage(),
            ],
            headers: parts.map(|parts| &parts.headers),
        })
    }

    /// Times one request (any method but `tools/call`).
    fn measured<'a, T: 'a>(
        &self,
        method: &'static str,
        span: tracing::Span,
        future: impl Future<Output = Result<T, McpError>> + MaybeSendFuture + 'a,
    ) -> impl Future<Output = Result<T, McpError>> + MaybeSendFuture + 'a {
        let transport = self.transport;
        let traced = span.clone();
        async move {
            let started = Instant::now();
            let result = future.await;
            let outcome = if let Err(error) = &result {
                otel::mark_failed(&traced, &error.code.0.to_string());
                Outcome::ProtocolError
            } else {
                Outcome::Ok
            };
            metrics::record_operation(method, None, outcome, transport, started.elapsed());
            result
        }
        .instrument(span)
    }

    /// Times one tool call and runs it with the caller's `CallInfo`.
    fn call_tool_measured(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResponse, McpError>> + MaybeSendFuture + '_ {
        let info = self.info(&context);
        let tool = request.name.to_string();
        // A name the client made up is `other`, as in the metrics: span names stay bounded.
        let known = ToolName::parse(&tool).map_or("other", ToolName::as_str);
        let span = self.request_span("tools/call", Some(known), &context);
        let traced = span.clone();
        async move {
            let started = Instant::now();
            let result = call::with_info(info, self.inner.call_tool(request, context)).await;
            let outcome = match &result {
                Err(error) => {
                    otel::mark_failed(&traced, &error.code.0.to_string());
                    Outcome::ProtocolError
                }
                Ok(CallToolResponse::Complete(answer)) if answer.is_error == Some(true) => {
                    otel::mark_failed(&traced, "tool_error");
                    Outcome::ToolError
                }
                Ok(_) => Outcome::Ok,
            };
            metrics::record_operation(
                "tools/call",
                Some(&tool),
                outcome,
                self.transport,
                started.elapsed(),
            );
            result
        }
        .instrument(span)
    }
}

/// A JSON-RPC id as the span attribute shows it.
fn jsonrpc_id(id: &rmcp::model::RequestId) -> String {
    match id {
        NumberOrString::Number(number) => number.to_string(),
        NumberOrString::String(text) => text.to_string(),
    }
}

// Every method is forwarded, the deprecated ones too: the handler may implement any of them.
#[allow(deprecated)]
impl<H: ServerHandler + Clone> ServerHandler for Observed<H> {
    fn ping(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "ping",
            self.request_span("ping", None, &context),
            self.inner.ping(context),
        )
    }

    fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<InitializeResult, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "initialize",
            self.request_span("initialize", None, &context),
            self.inner.initialize(request, context),
        )
    }

    fn negotiate_initialize(
        &self,
        request: &InitializeRequestParams,
    ) -> Result<InitializeResult, McpError> {
        self.inner.negotiate_initialize(request)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        self.inner.supported_protocol_versions()
    }

    fn discover(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<DiscoverResult, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "server/discover",
            self.request_span("server/discover", None, &context),
            self.inner.discover(context),
        )
    }

    fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "completion/complete",
            self.request_span("completion/complete", None, &context),
            self.inner.complete(request, context),
        )
    }

    fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "logging/setLevel",
            self.request_span("logging/setLevel", None, &context),
            self.inner.set_level(request, context),
        )
    }

    fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetPromptResponse, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "prompts/get",
            self.request_span("prompts/get", None, &context),
            self.inner.get_prompt(request, context),
        )
    }

    fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListPromptsResult, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "prompts/list",
            self.request_span("prompts/list", None, &context),
            self.inner.list_prompts(request, context),
        )
    }

    fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourcesResult, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "resources/list",
            self.request_span("resources/list", None, &context),
            self.inner.list_resources(request, context),
        )
    }

    fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourceTemplatesResult, McpError>> + MaybeSendFuture + '_
    {
        self.measured(
            "resources/templates/list",
            self.request_span("resources/templates/list", None, &context),
            self.inner.list_resource_templates(request, context),
        )
    }

    fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ReadResourceResponse, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "resources/read",
            self.request_span("resources/read", None, &context),
            self.inner.read_resource(request, context),
        )
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        self.inner.accepted_subscription_filter(requested)
    }

    fn listen(
        &self,
        context: SubscriptionContext,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.inner.listen(context)
    }

    fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "resources/subscribe",
            self.request_span("resources/subscribe", None, &context),
            self.inner.subscribe(request, context),
        )
    }

    fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "resources/unsubscribe",
            self.request_span("resources/unsubscribe", None, &context),
            self.inner.unsubscribe(request, context),
        )
    }

    fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResponse, McpError>> + MaybeSendFuture + '_ {
        self.call_tool_measured(request, context)
    }

    fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListToolsResult, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "tools/list",
            self.request_span("tools/list", None, &context),
            self.inner.list_tools(request, context),
        )
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.inner.get_tool(name)
    }

    fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CustomResult, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "other",
            self.request_span("other", None, &context),
            self.inner.on_custom_request(request, context),
        )
    }

    fn on_cancelled(
        &self,
        notification: CancelledNotificationParam,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_cancelled(notification, context)
    }

    fn on_progress(
        &self,
        notification: ProgressNotificationParam,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_progress(notification, context)
    }

    fn on_initialized(
        &self,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_initialized(context)
    }

    fn on_roots_list_changed(
        &self,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_roots_list_changed(context)
    }

    fn on_custom_notification(
        &self,
        notification: CustomNotification,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_custom_notification(notification, context)
    }

    fn get_info(&self) -> ServerConfig {
        self.inner.get_info()
    }

    fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetTaskResult, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "tasks/get",
            self.request_span("tasks/get", None, &context),
            self.inner.get_task(request, context),
        )
    }

    fn update_task(
        &self,
        request: UpdateTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "tasks/update",
            self.request_span("tasks/update", None, &context),
            self.inner.update_task(request, context),
        )
    }

    fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "tasks/cancel",
            self.request_span("tasks/cancel", None, &context),
            self.inner.cancel_task(request, context),
        )
    }

    fn list_skills(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListSkillsResult, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "skills/list",
            self.request_span("skills/list", None, &context),
            self.inner.list_skills(request, context),
        )
    }

    fn get_skill(
        &self,
        request: GetSkillRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetSkillResult, McpError>> + MaybeSendFuture + '_ {
        self.measured(
            "skills/get",
            self.request_span("skills/get", None, &context),
            self.inner.get_skill(request, context),
        )
    }

    fn read_resource_directory(
        &self,
        request: ReadResourceDirectoryRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ReadResourceDirectoryResult, McpError>> + MaybeSendFuture + '_
    {
        self.measured(
            "resources/directory/read",
            self.request_span("resources/directory/read", None, &context),
            self.inner.read_resource_directory(request, context),
        )
    }
}
