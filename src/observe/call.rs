//! What one tool call carries besides its arguments: who asked and over which transport,
//! its request id, the Kommo requests it made (with Kommo's `X-Request-Id` of each), and the
//! before → after of a write for the audit trail. Kept in task-local state so the tools and
//! the Kommo client need no extra parameters; the info line per tool call is written here.

use std::{
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::Value;

/// Who made a call and how it reached the server.
#[derive(Clone, Debug)]
pub(crate) struct CallInfo {
    /// `stdio`, `streamable_http`, `sse`, `bare_json` or `cli`.
    pub transport: &'static str,
    pub request_id: String,
    /// The client's name when access control names one, the remote address on HTTP,
    /// `stdio` or `cli` otherwise.
    pub caller: String,
}

impl CallInfo {
    /// A call from the command line (`call`).
    pub(crate) fn cli() -> Self {
        Self {
            transport: "cli",
            request_id: super::request_id::generate(),
            caller: "cli".to_owned(),
        }
    }
}

/// The most Kommo request ids kept per call (a call makes a handful).
const MAX_TRACED: usize = 32;

/// One request sent to Kommo during the call.
#[derive(Clone, Debug)]
pub(crate) struct KommoHit {
    pub method: &'static str,
    /// Kommo's `X-Request-Id`, when it answered with one.
    pub request_id: Option<String>,
}

/// A write's change as the tool describes it (no note text and no field values beyond
/// what the tool chose to put here).
#[derive(Clone, Debug, Default)]
pub(crate) struct Change {
    pub lead_id: Option<i64>,
    /// The lead's name as Kommo had it before the write (what a confirmation names).
    pub lead_name: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// For a note: its length in characters and SHA-256, never its text.
    pub note: Option<Value>,
    pub dry_run: bool,
    /// The write path wrote this call's audit lines (else the call ended before it).
    pub audited: bool,
    /// Why the audit line after the write could not be written (told in the answer).
    pub audit_warning: Option<String>,
}

#[derive(Default)]
struct State {
    kommo: Vec<KommoHit>,
    kommo_count: usize,
    change: Change,
}

/// The state of one call in progress.
#[derive(Clone, Default)]
pub(crate) struct Trace(Arc<Mutex<State>>);

impl Trace {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many Kommo requests the call made, and Kommo's id of each that had one.
    pub(crate) fn kommo(&self) -> (usize, Vec<KommoHit>) {
        let state = self.lock();
        (state.kommo_count, state.kommo.clone())
    }

    /// Kommo's `X-Request-Id` of the last write request, else of the last request.
    pub(crate) fn last_kommo_request_id(&self) -> Option<String> {
        let state = self.lock();
        state
            .kommo
            .iter()
            .rev()
            .find(|hit| hit.method != "GET")
            .or(state.kommo.last())
            .and_then(|hit| hit.request_id.clone())
    }

    fn note(&self, method: &'static str, request_id: Option<&str>) {
        let mut state = self.lock();
        state.kommo_count += 1;
        if state.kommo.len() < MAX_TRACED {
            state.kommo.push(KommoHit {
                method,
                request_id: request_id.filter(|id| plausible_id(id)).map(str::to_owned),
            });
        }
    }

    /// The change the tool described.
    pub(crate) fn change(&self) -> Change {
        self.lock().change.clone()
    }
}

tokio::task_local! {
    static INFO: CallInfo;
    static TRACE: Trace;
    /// The calls a request is sent for when it is sent outside their tasks (a coalesced
    /// batch): each of them notes it.
    static ON_BEHALF: Vec<Trace>;
}

/// The trace of the call in progress, to carry into work done for it in another task.
pub(crate) fn current_trace() -> Option<Trace> {
    TRACE.try_with(Clone::clone).ok()
}

/// Runs `future` (outside the calls' own tasks) so that the Kommo requests it sends are
/// noted in each of `traces`.
pub(crate) async fn on_behalf_of<F: Future>(traces: Vec<Trace>, future: F) -> F::Output {
    ON_BEHALF.scope(traces, future).await
}

/// Runs `future` as a call made by `info` (set by the MCP service wrapper).
pub(crate) async fn with_info<F: Future>(info: CallInfo, future: F) -> F::Output {
    INFO.scope(info, future).await
}

/// The info of the call in progress; a command-line call when none was set.
pub(crate) fn current_info() -> CallInfo {
    INFO.try_with(Clone::clone)
        .unwrap_or_else(|_| CallInfo::cli())
}

/// Runs `future` with a fresh trace and returns it with the output.
pub(crate) async fn traced<F: Future>(future: F) -> (F::Output, Trace) {
    let trace = Trace::default();
    let output = TRACE.scope(trace.clone(), future).await;
    (output, trace)
}

/// Notes one request sent to Kommo (called by the Kommo client for each attempt).
pub(crate) fn note_kommo_request(method: &'static str, request_id: Option<&str>) {
    let _ = TRACE.try_with(|trace| trace.note(method, request_id));
    let _ = ON_BEHALF.try_with(|traces| {
        for trace in traces {
            trace.note(method, request_id);
        }
    });
}

/// Lets the write tools describe their change for the audit trail.
pub(crate) fn describe(update: impl FnOnce(&mut Change)) {
    let _ = TRACE.try_with(|trace| update(&mut trace.lock().change));
}

/// The change described so far in the call in progress.
pub(crate) fn current_change() -> Change {
    TRACE
        .try_with(|trace| trace.lock().change.clone())
        .unwrap_or_default()
}

/// Kommo's `X-Request-Id` of the call's last write request (else of its last request).
pub(crate) fn last_kommo_request_id() -> Option<String> {
    TRACE
        .try_with(|trace| trace.last_kommo_request_id())
        .ok()
        .flatten()
}

/// Kommo's ids are short and printable; anything else is not copied into logs.
fn plausible_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

/// What the info line of a tool call says.
pub(crate) struct Summary<'a> {
    pub tool: &'static str,
    pub account: Option<&'a str>,
    pub lead_id: Option<i64>,
    /// `ok`, or the failure's kind (`lead_missing`, `invalid_arguments`, …).
    pub outcome: &'a str,
    pub elapsed: Duration,
}

/// Writes the one info line of a finished tool call.
pub(crate) fn log_call(info: &CallInfo, summary: &Summary<'_>, trace: &Trace) {
    let (count, hits) = trace.kommo();
    let ids: Vec<&str> = hits
        .iter()
        .map(|hit| hit.request_id.as_deref().unwrap_or("-"))
        .collect();
    tracing::info!(
        request_id = %info.request_id,
        tool = summary.tool,
        transport = info.transport,
        caller = %info.caller,
        account = summary.account.unwrap_or("-"),
        lead_id = summary.lead_id,
        outcome = summary.outcome,
        duration_ms = u64::try_from(summary.elapsed.as_millis()).unwrap_or(u64::MAX),
        kommo_requests = count,
        kommo_request_ids = %ids.join(","),
        "tool call"
    );
}
