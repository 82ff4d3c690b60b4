//! The tools: one implementation of each, shared by stdio, HTTP, legacy SSE and the
//! command line. Transports only decide which tools a request may use.

mod args;
mod assign_lead;
pub(crate) mod audited;
mod budget;
mod cached_list;
mod close_lead;
mod confirm;
mod contact_match;
mod contacts;
mod create_lead;
mod create_task;
pub(crate) mod dedupe;
mod due;
mod field_types;
mod field_values;
mod find_leads;
mod get_lead;
mod get_lead_history;
mod id_or_name;
mod list_custom_fields;
mod list_loss_reasons;
mod list_pipelines;
mod list_users;
mod move_lead;
mod names;
mod note;
pub(crate) mod outcome;
mod pause;
mod phone;
mod readable;
pub(crate) mod reference;
mod salesbots;
mod send_message;
mod spec;
mod tag;
mod target;
mod timeline;
mod update_contact;
mod update_fields;
mod when;
mod write;

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex, PoisonError},
    time::Instant,
};

use serde_json::Value;

use rmcp::{
    handler::server::common::schema_for_type,
    model::{CallToolResult, JsonObject, ListToolsResult, Tool, ToolAnnotations},
    schemars::JsonSchema,
};

use crate::{
    audit::{AuditLog, Event},
    config::Config,
    kommo::{ClientSettings, KommoClient, models::Lead},
    observe::call::{self as observed, Summary, Trace},
    scope::RequestScope,
    toolset::{ToolName, ToolSet},
};
use audited::{Audited, Line};
pub(crate) use spec::{Sentences, ToolSpec};
pub(crate) use target::{PauseSetting, Target, TargetError};

/// Everything a tool call needs: the configuration, the Kommo client, and the server's
/// own account resolved once.
pub(crate) struct Toolkit {
    config: Arc<Config>,
    client: KommoClient,
    own_target: Result<Target, TargetError>,
    /// The audit trail, when `--audit-log` is set.
    audit: Option<Arc<AuditLog>>,
    /// Confirmed notes and tasks, so a repeated call writes once.
    dedupe: Arc<dedupe::DedupeStore>,
}

/// Unix time now, in seconds.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Toolkit {
    pub(crate) fn new(config: Arc<Config>) -> Self {
        let client = KommoClient::new(&ClientSettings {
            rate_limit: config.rate_limit.value,
            connect_timeout: config.connect_timeout.value,
            request_timeout: config.request_timeout.value,
            pipelines_cache: config.pipelines_cache.value,
            redis: config.redis_url.as_ref().map(|url| {
                (
                    crate::redis_link::RedisLink::with_ca(
                        url.value.clone(),
                        config.redis_prefix.value.clone(),
                        config.redis_ca_file.as_ref().map(|ca| ca.value.pem.clone()),
                    ),
                    config.redis_fallback_rate.value,
                )
            }),
            coalesce: config
                .coalesce
                .value
                .then_some(config.batch_size.value as usize),
        });
        let own_target = target::resolve(&config, &RequestScope::default());
        let audit = config
            .audit_log
            .as_ref()
            .map(|path| AuditLog::open(&path.value));
        let dedupe = match client.redis() {
            Some(link) => dedupe::DedupeStore::shared(
                config.note_dedupe.value,
                dedupe::DEDUPE_MAX_ENTRIES,
                Arc::clone(link),
                // A write may wait for its turn and its answer this long at most.
                config.request_timeout.value * 2 + std::time::Duration::from_secs(5),
            ),
            None => dedupe::DedupeStore::new(config.note_dedupe.value, dedupe::DEDUPE_MAX_ENTRIES),
        };
        Self {
            config,
            client,
            own_target,
            audit,
            dedupe,
        }
    }

    /// The audit trail, when one is configured.
    pub(crate) fn audit(&self) -> Option<&Arc<AuditLog>> {
        self.audit.as_ref()
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn client(&self) -> &KommoClient {
        &self.client
    }

    /// The tools enabled by the server's own setting.
    pub(crate) fn enabled(&self) -> ToolSet {
        if self.config.read_only.value {
            self.config.tools.value.intersect(ToolSet::readers())
        } else {
            self.config.tools.value
        }
    }

    /// The definitions (`tools/list` entries) of the given tools, sorted by name.
    pub(crate) fn definitions(&self, tools: ToolSet) -> Vec<Tool> {
        definitions(tools)
    }

    /// The account a request acts on (the server's own unless the request names another).
    pub(crate) fn target(&self, scope: &RequestScope) -> Result<Target, TargetError> {
        if scope.token.is_none() && scope.subdomain.is_none() && scope.pause_field_id.is_none() {
            return self.own_target.clone();
        }
        target::resolve(&self.config, scope)
    }

    /// Runs one tool. The caller has checked that the tool is enabled for this request.
    /// A write tool is refused when the audit log is unusable; otherwise the write path
    /// writes its `intent` and `outcome` lines around the Kommo write (or its dry-run or
    /// repeat line), and a call that ends before any write gets one line here. Every call
    /// ends with one info log line.
    pub(crate) async fn call(
        &self,
        tool: ToolName,
        args: &JsonObject,
        scope: &RequestScope,
    ) -> CallToolResult {
        let info = observed::current_info();
        let started = Instant::now();
        let audited = self
            .audit
            .as_ref()
            .filter(|_| !tool.is_read_only())
            .map(|log| Audited::new(Arc::clone(log), tool, &info, scope));
        let refused = audited.as_ref().and_then(Audited::unusable);
        let (mut result, trace) = match &refused {
            Some(reason) => (audit_refusal(tool, reason), Trace::default()),
            None => observed::traced(self.run(tool, args, scope, audited.as_ref())).await,
        };
        let account = self
            .target(scope)
            .ok()
            .map(|target| target.account.subdomain().as_str().to_owned());
        let kind = outcome_kind(&result).to_owned();
        let lead_id = args.get("lead_id").and_then(Value::as_i64);
        if let (Some(audited), None) = (&audited, &refused) {
            let change = trace.change();
            let mut warning = change.audit_warning.clone();
            if !change.audited {
                let failed = result.is_error == Some(true);
                let dry_run = change.dry_run
                    || args.get("dry_run") == Some(&Value::Bool(true))
                    || self.config.dry_run.value
                    || scope.dry_run;
                let kommo_request_id = trace.last_kommo_request_id();
                let line = Line {
                    event: if dry_run {
                        Event::DryRun
                    } else {
                        Event::NotSent
                    },
                    account: account.as_deref(),
                    lead_id: change.lead_id.or(lead_id),
                    before: change.before.as_ref(),
                    after: change.after.as_ref(),
                    note: change.note.as_ref(),
                    dry_run,
                    outcome: if failed { "failed" } else { "unchanged" },
                    failure_kind: failed.then_some(kind.as_str()),
                    kommo_request_id: kommo_request_id.as_deref(),
                    ..Line::default()
                };
                if let Err(reason) = audited.write(&line, false).await {
                    warning = Some(reason);
                }
            }
            if let Some(reason) = warning {
                result.content.push(rmcp::model::ContentBlock::text(format!(
                    "Warning: {reason}. This call is missing from the audit trail; further writes are refused until the audit log is reopened (SIGHUP)."
                )));
            }
        }
        let summary = Summary {
            tool: tool.as_str(),
            account: account.as_deref(),
            lead_id,
            outcome: &kind,
            elapsed: started.elapsed(),
        };
        observed::log_call(&info, &summary, &trace);
        result
    }

    /// Writes the audit line of a write tool call refused before the tool ran (not
    /// enabled, read-only); nothing when the tool only reads or no audit log is set.
    pub(crate) async fn audit_refused(
        &self,
        tool: ToolName,
        args: &JsonObject,
        scope: &RequestScope,
        kind: &str,
        reason: &str,
    ) {
        let Some(log) = self.audit.as_ref().filter(|_| !tool.is_read_only()) else {
            return;
        };
        let audited = Audited::new(Arc::clone(log), tool, &observed::current_info(), scope);
        let account = self
            .target(scope)
            .ok()
            .map(|target| target.account.subdomain().as_str().to_owned());
        let lead_id = args.get("lead_id").and_then(Value::as_i64);
        audited
            .refused(account.as_deref(), lead_id, kind, reason)
            .await;
    }

    async fn run(
        &self,
        tool: ToolName,
        args: &JsonObject,
        scope: &RequestScope,
        audit: Option<&Audited>,
    ) -> CallToolResult {
        let call = Call {
            kit: self,
            scope,
            tool,
            audit,
        };
        (spec(tool).run)(call, args).await
    }
}

/// Expands the list in `toolset::every_tool!` into [`spec`].
macro_rules! tool_specs {
    ($($variant:ident $name:literal $access:ident $spec:path,)+) => {
        /// The spec of a tool: everything about it besides its name and whether it reads.
        pub(crate) fn spec(tool: ToolName) -> &'static ToolSpec {
            match tool {
                $(ToolName::$variant => &$spec,)+
            }
        }
    };
}

crate::toolset::every_tool!(tool_specs);

/// `ok`, or the kind of a failed result (`structuredContent.error.kind`).
fn outcome_kind(result: &CallToolResult) -> &str {
    if result.is_error != Some(true) {
        return "ok";
    }
    result
        .structured_content
        .as_ref()
        .and_then(|structured| structured.get("error"))
        .and_then(|error| error.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or("failed")
}

/// The answer of a write tool when the audit log cannot be written.
pub(crate) fn audit_refusal(tool: ToolName, reason: &str) -> CallToolResult {
    outcome::failure(
        failed_sentence(tool),
        format!(
            "{reason}. The server is configured with an audit trail and sends no write to Kommo \
             it cannot record; reads still work. Nothing was sent to Kommo."
        ),
        serde_json::json!({}),
        outcome::ErrorInfo::AUDIT_UNAVAILABLE,
    )
}

/// The failure sentence of a tool.
fn failed_sentence(tool: ToolName) -> &'static str {
    spec(tool).sentences.failed
}

/// One call in progress: the toolkit, the request's scope, the tool, and its audit trail
/// (for a write tool, when `--audit-log` is set).
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    kit: &'a Toolkit,
    scope: &'a RequestScope,
    tool: ToolName,
    audit: Option<&'a Audited>,
}

impl Call<'_> {
    fn target(&self) -> Result<Target, TargetError> {
        self.kit.target(self.scope)
    }

    fn client(&self) -> &KommoClient {
        &self.kit.client
    }

    /// The account the call acts on, or the tool's failure answer naming what is missing.
    fn target_or_answer(&self, failed: &str, ids: &Value) -> Result<Target, CallToolResult> {
        self.target().map_err(|err| {
            outcome::failure(failed, err, ids.clone(), outcome::ErrorInfo::NOT_CONFIGURED)
        })
    }

    /// The lead, read first by every tool that takes a `lead_id`; or the tool's answer:
    /// its "does not exist" sentence when Kommo has no such lead (204 or 404), its failure
    /// sentence otherwise. `after_missing` ends the reason (e.g. ". Nothing was changed.").
    async fn existing_lead(
        &self,
        target: &Target,
        lead_id: i64,
        sentences: &Sentences,
        ids: &Value,
        after_missing: &str,
    ) -> Result<Lead, CallToolResult> {
        let (missing, failed) = (sentences.when_missing(), sentences.failed);
        match self.client().get_lead(&target.account, lead_id).await {
            Ok(Some(lead)) => Ok(lead),
            Ok(None) => Err(outcome::failure(
                missing,
                format!(
                    "Kommo has no lead with id {lead_id} in account {}{after_missing}",
                    target.account.subdomain()
                ),
                ids.clone(),
                outcome::ErrorInfo::LEAD_MISSING,
            )),
            Err(err) => Err(outcome::kommo_failure(failed, &err, ids.clone())),
        }
    }

    /// The account and the lead a lead write acts on, both checked before anything is
    /// sent; or the tool's answer (not configured, no such lead, Kommo failed).
    async fn lead_to_change(
        &self,
        lead_id: i64,
        sentences: &Sentences,
        ids: &Value,
    ) -> Result<(Target, Lead), CallToolResult> {
        let target = self.target_or_answer(sentences.failed, ids)?;
        let lead = self
            .existing_lead(&target, lead_id, sentences, ids, ". Nothing was changed.")
            .await?;
        crate::observe::call::describe(|change| change.lead_name.clone_from(&lead.name));
        Ok((target, lead))
    }
}

/// How many tool sets' `tools/list` results [`list_result_json`] keeps at most. A server
/// sees few distinct sets (its own, and those of the `TOOLS_TO_USE` headers its clients
/// send); beyond this many, further sets are serialized per request and not kept.
const LIST_CACHE_MAX: usize = 32;

/// The serialized `tools/list` result (`{"tools":[…]}`) of a tool set, built on first use
/// and kept (for at most [`LIST_CACHE_MAX`] sets). The bare-JSON HTTP path answers
/// `tools/list` with it instead of serializing some 14 KB of schemas on every request.
pub(crate) fn list_result_json(tools: ToolSet) -> Option<Arc<[u8]>> {
    static CACHE: LazyLock<Mutex<HashMap<ToolSet, Arc<[u8]>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Some(json) = CACHE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&tools)
    {
        return Some(Arc::clone(json));
    }
    let mut result = ListToolsResult::with_all_items(definitions(tools));
    // As rmcp answers a handshake-era request: no 2026-07-28 `resultType`.
    result.result_type = None;
    let json: Arc<[u8]> = serde_json::to_vec(&result).ok()?.into();
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() < LIST_CACHE_MAX {
        cache.insert(tools, Arc::clone(&json));
    }
    Some(json)
}

/// The definitions of a set of tools, sorted by name.
fn definitions(tools: ToolSet) -> Vec<Tool> {
    tools.iter().map(|tool| definition(tool).clone()).collect()
}

/// The definition of one tool (built once per process).
pub(crate) fn definition(tool: ToolName) -> &'static Tool {
    static DEFINITIONS: LazyLock<Vec<Tool>> = LazyLock::new(|| {
        ToolName::ALL
            .into_iter()
            .map(|tool| (spec(tool).definition)(tool, spec(tool)))
            .collect()
    });
    &DEFINITIONS[tool as usize]
}

/// A tool's definition from its spec and its argument and output types: the one place that
/// sets names, titles, schemas and annotations.
fn define<Args: JsonSchema + 'static, Output: JsonSchema + 'static>(
    tool: ToolName,
    spec: &ToolSpec,
) -> Tool {
    let read_only = tool.is_read_only();
    Tool::new_with_raw(
        tool.as_str(),
        Some(spec.description.into()),
        input_schema::<Args>(),
    )
    .with_title(spec.title)
    .with_raw_output_schema(outcome::output_schema::<Output>(!read_only))
    .with_annotations(
        ToolAnnotations::with_title(spec.title)
            .read_only(read_only)
            .destructive(false)
            .idempotent(spec.idempotent)
            .open_world(true),
    )
}

/// A tool's `inputSchema` (JSON Schema 2020-12, `type: object`) without the Rust struct's
/// name and doc line at its root: the tool's description already says what it is for.
fn input_schema<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    let mut schema = (*schema_for_type::<T>()).clone();
    schema.remove("title");
    schema.remove("description");
    Arc::new(schema)
}
