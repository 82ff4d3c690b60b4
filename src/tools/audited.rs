//! Who one write tool call is recorded as in the audit trail, and the lines it writes
//! there: the caller is the authenticated name (client key, OAuth subject, `auth-token`)
//! when there is one, else the connection's address; `stdio` and `cli` off HTTP.

use std::sync::Arc;

use serde_json::Value;

use crate::{
    audit::{AuditLog, AuditRecord, Event},
    observe::call::CallInfo,
    scope::RequestScope,
    toolset::ToolName,
};

/// One write tool call as the audit trail names it.
pub(crate) struct Audited {
    log: Arc<AuditLog>,
    pub tool: ToolName,
    caller: String,
    /// The connection's address, when the caller is named otherwise.
    address: Option<String>,
    transport: &'static str,
    request_id: String,
}

/// What varies from line to line of one call.
#[derive(Default)]
pub(crate) struct Line<'a> {
    pub event: Event,
    pub account: Option<&'a str>,
    pub lead_id: Option<i64>,
    pub request: Option<&'a Value>,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
    pub note: Option<&'a Value>,
    pub dry_run: bool,
    pub outcome: &'a str,
    pub failure_kind: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub created_id: Option<i64>,
    pub kommo_request_id: Option<&'a str>,
}

impl Audited {
    /// A tool call: named by the scope's caller, else by the call's (its address on HTTP).
    pub(crate) fn new(
        log: Arc<AuditLog>,
        tool: ToolName,
        info: &CallInfo,
        scope: &RequestScope,
    ) -> Self {
        let named = scope.caller.as_deref().map(str::to_owned);
        Self::of(
            log,
            tool,
            named,
            &info.caller,
            info.transport,
            &info.request_id,
        )
    }

    /// `name` is the authenticated caller's, if any; `address` the connection's (or the
    /// transport's name off HTTP).
    pub(crate) fn of(
        log: Arc<AuditLog>,
        tool: ToolName,
        name: Option<String>,
        address: &str,
        transport: &'static str,
        request_id: &str,
    ) -> Self {
        let (caller, address) = match name {
            Some(name) if name != address => (name, Some(address.to_owned())),
            _ => (address.to_owned(), None),
        };
        Self {
            log,
            tool,
            caller,
            address,
            transport,
            request_id: request_id.to_owned(),
        }
    }

    /// Writes the one line of a write refused before the tool ran (`kind` names the rule,
    /// `reason` says it). A failure is logged: the write was not sent anyway.
    pub(crate) async fn refused(
        &self,
        account: Option<&str>,
        lead_id: Option<i64>,
        kind: &str,
        reason: &str,
    ) {
        let line = Line {
            event: Event::Refused,
            account,
            lead_id,
            outcome: "refused",
            failure_kind: Some(kind),
            reason: Some(reason),
            ..Line::default()
        };
        let _ = self.write(&line, false).await;
    }

    /// Why no line can be written now, if that is so.
    pub(crate) fn unusable(&self) -> Option<String> {
        self.log.ready().err()
    }

    /// Writes one line (`durable`: synced to disk before this returns).
    pub(crate) async fn write(&self, line: &Line<'_>, durable: bool) -> Result<(), String> {
        let record = AuditRecord {
            time: crate::audit::now(),
            event: line.event,
            caller: &self.caller,
            address: self.address.as_deref(),
            transport: self.transport,
            request_id: &self.request_id,
            account: line.account,
            tool: self.tool.as_str(),
            lead_id: line.lead_id,
            request: line.request,
            before: line.before,
            after: line.after,
            note: line.note,
            dry_run: line.dry_run,
            deduplicated: line.event == Event::Deduplicated,
            outcome: line.outcome,
            failure_kind: line.failure_kind,
            reason: line.reason,
            created_id: line.created_id,
            kommo_request_id: line.kommo_request_id,
        };
        let written = self.log.append(&record, durable).await;
        if let Err(reason) = &written {
            tracing::error!(request_id = %self.request_id, tool = self.tool.as_str(), "{reason}");
        }
        written
    }
}
